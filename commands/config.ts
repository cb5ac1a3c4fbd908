/**
 * `sqitch config`: read and edit the system, user and local configuration
 * files (config.md §4, cli.md §5.5).
 *
 * The file options (`--local`, `--user`/`--global`, `--system`, `--file`)
 * choose the file that is *written* and edited; reads (`--get`,
 * `--get-all`, `--get-regexp`) always use the merged configuration, and
 * `--list` honours the three scopes but not `--file` — Sqitch's behaviour,
 * kept on purpose.
 *
 * Deliberate differences from Sqitch 1.3.1:
 * - `--bool-or-int` works (Config::GitLike's meaning: a number is cast as
 *   with `--int`, a boolean or bare key as with `--bool`); Sqitch dies
 *   with a type-constraint error (exit 255) whenever it is given.
 * - `--get-regexp` with a type casts each value of a multi-valued key;
 *   Sqitch casts the list's Perl address (`Invalid bool 'ARRAY(0x…)'`).
 * - `--get-regexp` whose value regex leaves one value of a multi-valued key
 *   prints it as `key=[value]`; Sqitch dies with a Perl "strict refs" error.
 * - Perl's "Use of uninitialized value" warning (`--get-all` of a bare key)
 *   is not reproduced.
 */
import { dirname } from "../core/posix_path.ts";
import { SqlitchError, systemErrorText, UsageError } from "../core/errors.ts";
import { perlTrue } from "../core/env.ts";
import type { OptionValue } from "../core/getopt.ts";
import { editorCommand, runShellCommand, shellQuoteWord } from "../core/shell.ts";
import {
  type CastType,
  castValue,
  type ConfigDocument,
  type ConfigEntry,
  type ConfigFileRef,
  dumpEntries,
  formatEntry,
  type RawValue,
  type Scope,
} from "../core/config/mod.ts";
import { type CommandContext, parseCommandOptions } from "./context.ts";

/** config's option specs (Getopt::Long notation; also read by shell completion). */
export const OPTIONS = [
  "file|config-file|f=s",
  "local",
  "user|global",
  "system",
  "int",
  "bool",
  "bool-or-int",
  "num",
  "get",
  "get-all",
  "get-regex|get-regexp",
  "add",
  "replace-all",
  "unset",
  "unset-all",
  "rename-section",
  "remove-section",
  "list|l",
  "edit|e",
];

const SCOPE_OPTIONS = ["local", "user", "system"] as const;
const FILE_OPTIONS = [...SCOPE_OPTIONS, "file"] as const;
const TYPE_OPTIONS: Record<string, CastType> = {
  bool: "bool",
  int: "int",
  num: "num",
  bool_or_int: "bool-or-int",
};
const ACTIONS = [
  "get",
  "get_all",
  "get_regex",
  "unset",
  "list",
  "edit",
  "add",
  "replace_all",
  "unset_all",
  "rename_section",
  "remove_section",
] as const;

type Action = (typeof ACTIONS)[number] | "set";

/** The parsed command line. */
interface Settings {
  action: Action;
  type: CastType | undefined;
  /** The scope named by --local/--user/--system, if any. */
  scope: Scope | undefined;
  /** The value of --file, if given. */
  file: string | undefined;
}

/** Perl truthiness of a parsed option. */
function isSet(value: OptionValue | undefined): boolean {
  if (value === undefined || value === false) return false;
  if (typeof value === "string") return perlTrue(value);
  if (typeof value === "number") return value !== 0;
  return true;
}

/** Interpret the options, with Sqitch's "Only one … at a time." checks. */
function configure(options: Record<string, OptionValue>, args: string[]): Settings {
  if (FILE_OPTIONS.filter((o) => isSet(options[o])).length > 1) {
    throw new UsageError("config", ["Only one config file at a time."]);
  }
  const types = Object.keys(TYPE_OPTIONS).filter((o) => isSet(options[o]));
  if (types.length > 1) throw new UsageError("config", ["Only one type at a time."]);
  const actions = ACTIONS.filter((a) => isSet(options[a]));
  if (actions.length > 1) throw new UsageError("config", ["Only one action at a time."]);
  return {
    action: actions[0] ?? (args.length > 1 ? "set" : "get"),
    type: types.length > 0 ? TYPE_OPTIONS[types[0]] : undefined,
    scope: SCOPE_OPTIONS.find((o) => isSet(options[o])),
    file: isSet(options.file) ? String(options.file) : undefined,
  };
}

/** Perl's File::Spec canonpath, as Path::Class shows the scope files. */
function canonPath(path: string): string {
  if (path === "") return path;
  let p = path.replace(/\/{2,}/g, "/");
  p = p.replace(/(?:\/\.)+(?:\/|$)/g, "/");
  if (p !== "./") p = p.replace(/^(?:\.\/)+/, "");
  p = p.replace(/^\/(?:\.\.\/)+/, "/").replace(/^\/\.\.$/, "/");
  if (p !== "/") p = p.replace(/\/$/, "");
  return p;
}

/** The `key` argument every action but list/edit requires. */
function requireKey(key: string | undefined): string {
  if (key === undefined || key === "") {
    throw new UsageError("config", ["Wrong number of arguments."]);
  }
  return key;
}

/** Exit 1 with an empty line (nothing under --quiet): the key was not found. */
function notFound(): never {
  throw new SqlitchError("", { exitCode: 1, ident: "config" });
}

/** A value as `sqitch config` shows it: cast when a type was given. */
function shown(value: RawValue, type: CastType | undefined): RawValue {
  return type === undefined ? value : castValue(value, type);
}

/** Run `sqitch config`. */
export async function run(ctx: CommandContext, argv: string[]): Promise<number> {
  const { options, args } = parseCommandOptions("config", OPTIONS, argv);
  const settings = configure(options, args);
  const command = new ConfigCommand(ctx, settings);
  await command.execute(args);
  return 0;
}

/** One invocation of the command. */
class ConfigCommand {
  readonly #ctx: CommandContext;
  readonly #settings: Settings;

  constructor(ctx: CommandContext, settings: Settings) {
    this.#ctx = ctx;
    this.#settings = settings;
  }

  /** The file written (and edited): `--file`, else the chosen scope's (local by default). */
  get file(): ConfigFileRef {
    const { config } = this.#ctx;
    if (this.#settings.file !== undefined) return config.fileRef(this.#settings.file);
    const ref = config.scopeFile(this.#settings.scope ?? "local");
    return { path: canonPath(ref.path), absolute: ref.absolute };
  }

  async execute(args: string[]): Promise<void> {
    const [a, b, c] = args;
    switch (this.#settings.action) {
      case "get":
        return this.get(a, b);
      case "get_all":
        return this.getAll(a, b);
      case "get_regex":
        return this.getRegexp(a, b);
      case "set":
        return this.write(a, b, (doc, key, value) => doc.set(key, value, c, this.#settings.type));
      case "add":
        return this.write(a, b, (doc, key, value) => doc.add(key, value, this.#settings.type));
      case "replace_all":
        return this.write(
          a,
          b,
          (doc, key, value) => doc.replaceAll(key, value, c, this.#settings.type),
        );
      case "unset":
        return this.unset(a, b, false);
      case "unset_all":
        return this.unset(a, b, true);
      case "list":
        return this.list();
      case "edit":
        return await this.edit();
      case "rename_section":
        return this.renameSection(a, b);
      case "remove_section":
        return this.removeSection(a);
    }
  }

  /**
   * The values of a key, filtered; a missing key ends the command before
   * the value regex is even compiled (as in Config::GitLike).
   */
  #values(key: string, filter: string | undefined): RawValue[] {
    const { config } = this.#ctx;
    if (!config.entry(key)) notFound();
    const values = config.getAll(key, filter);
    if (values.length === 0) notFound();
    return values;
  }

  get(keyArg: string | undefined, filter: string | undefined): void {
    const key = requireKey(keyArg);
    const values = this.#values(key, filter);
    if (values.length > 1) {
      throw new SqlitchError(`More then one value for the key "${key}"`, { ident: "config" });
    }
    const value = shown(values[0], this.#settings.type);
    if (value === null) notFound();
    this.#ctx.out.emit(value);
  }

  getAll(keyArg: string | undefined, filter: string | undefined): void {
    const key = requireKey(keyArg);
    const values = this.#values(key, filter);
    this.#ctx.out.emit(values.map((v) => shown(v, this.#settings.type) ?? "").join("\n"));
  }

  getRegexp(pattern: string | undefined, filter: string | undefined): void {
    const key = requireKey(pattern);
    const entries = this.#ctx.config.getRegexp(key, filter);
    if (entries.length === 0) notFound();
    const lines = entries.map((entry: ConfigEntry) => {
      const values = entry.values.map((v) => shown(v, this.#settings.type));
      if (values.length === 1 && values[0] === null) return entry.key;
      return formatEntry(entry.key, values, entry.multiple);
    });
    this.#ctx.out.emit(lines.join("\n"));
  }

  /** set / --add / --replace-all: `name value`. */
  write(
    key: string | undefined,
    value: string | undefined,
    apply: (doc: ConfigDocument, key: string, value: string) => void,
  ): void {
    if (key === undefined || key === "" || value === undefined) {
      throw new UsageError("config", ["Wrong number of arguments."]);
    }
    const file = this.file;
    this.touchDir(file);
    this.#ctx.config.edit(file, (doc) => apply(doc, key, value));
  }

  unset(keyArg: string | undefined, filter: string | undefined, all: boolean): void {
    const key = requireKey(keyArg);
    const file = this.file;
    this.touchDir(file);
    this.#ctx.config.edit(file, (doc) => all ? doc.unsetAll(key, filter) : doc.unset(key, filter));
  }

  list(): void {
    const { config, out } = this.#ctx;
    if (this.#settings.scope === undefined) {
      out.emit(dumpEntries(config.entries()));
      return;
    }
    const data = config.readFile(this.file);
    if (data) out.emit(dumpEntries(data.entries()));
  }

  async edit(): Promise<void> {
    const { host, config } = this.#ctx;
    const editor = editorCommand(host.env, config.get("core.editor"));
    await runShellCommand(host, `${editor} ${shellQuoteWord(this.file.path)}`);
  }

  renameSection(from: string | undefined, to: string | undefined): void {
    if (from === undefined || from === "" || to === undefined || to === "") {
      throw new UsageError("config", ["Wrong number of arguments."]);
    }
    this.#ctx.config.edit(this.file, (doc) => doc.renameSection(from, to));
  }

  removeSection(section: string | undefined): void {
    if (section === undefined || section === "") {
      throw new UsageError("config", ["Wrong number of arguments."]);
    }
    this.#ctx.config.edit(this.file, (doc) => doc.removeSection(section));
  }

  /** Create the file's directory when the file does not exist yet (before set/unset). */
  touchDir(file: ConfigFileRef): void {
    const { fs } = this.#ctx.host;
    // Like Perl's `-e`, look the path up as written: `nodir/../x.conf`
    // does not exist while `nodir` does not, so `nodir` gets created.
    const asWritten = file.path.startsWith("/")
      ? file.path
      : `${this.#ctx.host.cwd()}/${file.path}`;
    if (fs.stat(asWritten)) return;
    const dir = dirname(asWritten);
    if (fs.stat(dir)?.isDirectory) return;
    try {
      fs.mkdirp(dir);
    } catch (e) {
      throw new SqlitchError(`mkdir ${dirname(file.path)}: ${systemErrorText(e)}`, {
        ident: "config",
      });
    }
  }
}
