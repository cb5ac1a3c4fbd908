/**
 * Which templates `add` renders, where the scripts go, and the variables
 * they see (targets-and-uris.md §7.1–7.2, cli.md §5.1), as pure functions
 * over the FileSystem and ConfigReader interfaces so that the `add`
 * command only wires them:
 *
 * 1. `resolveTemplateSettings` — Sqitch's configure step: the template
 *    directory (`--template-directory` → `add.template_directory`, must be
 *    an existing directory), the template name (`--template-name` →
 *    `add.template_name`), the explicit files (`add.templates.<script>`
 *    overridden per script by `--use script=path`, all checked to be
 *    files), `--with`/`--without`, and the user variables
 *    (`add.variables.*` overridden by `--set`).
 * 2. `findTemplates` — per target: explicit files first, then for each
 *    script type not yet assigned, `<dir>/<type>/<name>.tmpl` in the
 *    directories in order — the template directory, `~/.sqlitch/templates`,
 *    `~/.sqitch/templates`, `<etc>/../sqlitch/templates`,
 *    `<etc>/templates` — every sub-directory of an existing directory
 *    naming a script type; then the embedded defaults (templates/defaults.ts)
 *    stand in for the system directory's deploy/revert/verify files.
 *    (sqlitch's own user and system directories come first, like its
 *    config files; a directory that does not exist is skipped, so plain
 *    Sqitch layouts behave exactly as in Sqitch.)
 * 3. `scriptPath` and `templateVariables` — the output file of each script
 *    and the stash it is rendered with.
 *
 * Paths are shown the way Sqitch's Path::Class objects print them; file
 * access resolves relative paths against `cwd` when one is given.
 */
import { dirname, resolve } from "./posix_path.ts";
import { DEFAULT_TEMPLATES } from "../templates/defaults.ts";
import type { ConfigReader } from "./config/reader.ts";
import { perlTrue } from "./env.ts";
import { SqlitchError } from "./errors.ts";
import type { FileSystem } from "./host.ts";
import { dirPath, filePath, joinClean } from "./perlpath.ts";
import type { TemplateValue, TemplateVars } from "./template.ts";

/** The script types every change has; they must have templates unless `--without`. */
export const CORE_SCRIPTS = ["deploy", "revert", "verify"] as const;

/** `key=value` pairs in command-line order, or a map (for `--use`). */
export type OptionPairs =
  | ReadonlyArray<readonly [string, string]>
  | Readonly<Record<string, string>>;

/** The template-related options of `add` (cli.md §5.1). */
export interface TemplateOptions {
  /** `--template-name` / `--template` / `-t`. */
  templateName?: string;
  /** `--template-directory`. */
  templateDirectory?: string;
  /** `--use script=path` (a later pair for the same script wins). */
  use?: OptionPairs;
  /** `--with type`. */
  with?: readonly string[];
  /** `--without type` (beats `--with` for the same type, whatever the order). */
  without?: readonly string[];
  /** `--set key=value` in order; a key given several times becomes a list. */
  set?: ReadonlyArray<readonly [string, string]>;
}

/** The outcome of the configure step, shared by every target of one `add`. */
export interface TemplateSettings {
  /** The first template directory, as Sqitch prints it (`dir($dir)`), when given. */
  directory?: string;
  /** `--template-name` → `add.template_name`, when Perl-true. */
  name?: string;
  /** Explicit template files by script type (`add.templates.*` then `--use`), as Sqitch prints them. */
  explicit: ReadonlyMap<string, string>;
  /** Script types switched on or off: deploy/revert/verify on, then `--with`, then `--without`. */
  withScripts: ReadonlyMap<string, boolean>;
  /** `add.variables.*` overridden by `--set` (lists for repeated keys and multi-valued config). */
  variables: Readonly<Record<string, TemplateValue>>;
}

/** Everything the configure step reads. */
export interface TemplateSettingsInput {
  fs: FileSystem;
  config: ConfigReader;
  options: TemplateOptions;
  /** The directory relative paths are resolved against for file access (default: the process's). */
  cwd?: string;
}

/** A SqlitchError from `add`. */
function addError(message: string): SqlitchError {
  return new SqlitchError(message, { ident: "add" });
}

/** Resolve `path` for file access. */
function locate(path: string, cwd: string | undefined): string {
  return cwd === undefined ? path : resolve(cwd, path);
}

/** Sqitch's `_check_script`: the file must exist and be a plain file; returns it as printed. */
function checkTemplateFile(fs: FileSystem, path: string, cwd: string | undefined): string {
  const shown = filePath(path);
  const info = fs.stat(locate(path, cwd));
  if (!info) throw addError(`Template ${shown} does not exist`);
  if (!info.isFile) throw addError(`Template ${shown} is not a file`);
  return shown;
}

/** Normalise option pairs to entries (a map keeps its own order). */
function entries(pairs: OptionPairs | undefined): (readonly [string, string])[] {
  if (pairs === undefined) return [];
  return Array.isArray(pairs) ? [...pairs] : Object.entries(pairs);
}

/**
 * Sqitch's `add` configure step for templates, with its checks in its
 * order: the template directory (`Directory "{dir}" does not exist`,
 * `"{dir}" is not a directory`), then every `add.templates.<script>` file
 * and every `--use` file (`Template {template} does not exist`,
 * `Template {template} is not a file`). Throws SqlitchErrors (exit 2).
 */
export function resolveTemplateSettings(input: TemplateSettingsInput): TemplateSettings {
  const { fs, config, options, cwd } = input;

  let directory: string | undefined;
  const dirOption = perlTrue(options.templateDirectory)
    ? options.templateDirectory
    : config.get("add.template_directory");
  if (perlTrue(dirOption)) {
    directory = dirPath(dirOption);
    const info = fs.stat(locate(dirOption, cwd));
    if (!info) throw addError(`Directory "${directory}" does not exist`);
    if (!info.isDirectory) throw addError(`"${directory}" is not a directory`);
  }

  const nameOption = perlTrue(options.templateName)
    ? options.templateName
    : config.get("add.template_name");
  const name = perlTrue(nameOption) ? nameOption : undefined;

  const variables = templateUserVariables(config, options.set ?? []);

  const explicit = new Map<string, string>();
  const configured = config.getSection("add.templates");
  for (const script of Object.keys(configured).sort()) {
    explicit.set(script, checkTemplateFile(fs, configured[script], cwd));
  }
  const use = new Map<string, string>();
  for (const [script, path] of entries(options.use)) use.set(script, path);
  for (const [script, path] of use) explicit.set(script, checkTemplateFile(fs, path, cwd));

  const withScripts = new Map<string, boolean>(CORE_SCRIPTS.map((s) => [s, true]));
  for (const s of options.with ?? []) withScripts.set(s, true);
  for (const s of options.without ?? []) withScripts.set(s, false);

  return { directory, name, explicit, withScripts, variables };
}

/**
 * The user variables: `add.variables.*` (a bare key is undefined, a
 * multi-valued key a list), overridden by `--set` pairs (a key given once
 * is a string, several times a list in order).
 */
export function templateUserVariables(
  config: ConfigReader,
  set: ReadonlyArray<readonly [string, string]>,
): Record<string, TemplateValue> {
  // No prototype: a variable may be called `__proto__`.
  const vars: Record<string, TemplateValue> = Object.create(null);
  for (const name of Object.keys(config.getSection("add.variables"))) {
    const values = config.getAll(`add.variables.${name}`).map((v) => v ?? undefined);
    vars[name] = values.length > 1 ? values : values[0];
  }
  const given = new Map<string, string[]>();
  for (const [key, value] of set) {
    const list = given.get(key);
    if (list) list.push(value);
    else given.set(key, [value]);
  }
  for (const [key, list] of given) vars[key] = list.length > 1 ? list : list[0];
  return vars;
}

/** Where one script's template comes from. */
export interface TemplateSource {
  /** The script type (`deploy`, `revert`, `verify`, or an extra type such as `test`). */
  script: string;
  /**
   * The template file as Sqitch prints it (used in `Error executing …`).
   * For an embedded default, the system directory file it stands for.
   */
  path: string;
  /** The template text of an embedded default; undefined for a file (see readTemplate). */
  builtin?: string;
}

/** What the per-target template search needs. */
export interface FindTemplatesInput {
  fs: FileSystem;
  settings: TemplateSettings;
  /** The target's canonical engine key (the template name unless one was given). */
  engine: string;
  /** The user's home directory; undefined ⇒ `Could not determine home directory`. */
  home: string | undefined;
  /** Sqitch's system directory (`--etc-path`, e.g. `/etc/sqitch`). */
  systemDir: string;
  /** The directory relative paths are resolved against for file access. */
  cwd?: string;
}

/**
 * The template directories searched, in order: the template directory,
 * `~/.sqlitch/templates`, `~/.sqitch/templates`, `<etc>/../sqlitch/templates`
 * and `<etc>/templates` (paths as Sqitch prints them).
 */
export function templateDirectories(
  settings: Pick<TemplateSettings, "directory">,
  home: string | undefined,
  systemDir: string,
): string[] {
  if (home === undefined || home === "") {
    throw new SqlitchError("Could not determine home directory", { ident: "config" });
  }
  const dirs: string[] = [];
  if (settings.directory !== undefined) dirs.push(settings.directory);
  dirs.push(joinClean(home, ".sqlitch/templates"), joinClean(home, ".sqitch/templates"));
  const etc = dirPath(systemDir);
  dirs.push(joinClean(dirname(etc), "sqlitch/templates"), joinClean(etc, "templates"));
  return dirs;
}

/** A codepoint-order comparison (Perl's `sort`). */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/**
 * The templates of one target, sorted by script type, without the types
 * switched off by `--without`. Throws `Cannot find {script} template`
 * (exit 2) when deploy, revert or verify has none and is not switched off.
 * (Sqitch ≥ 1.4.1 behaviour: resolved per target, not once for the first.)
 */
export function findTemplates(input: FindTemplatesInput): TemplateSource[] {
  const { fs, settings, cwd } = input;
  const name = settings.name ?? input.engine;
  const found = new Map<string, TemplateSource>();
  for (const [script, path] of settings.explicit) found.set(script, { script, path });

  for (const dir of templateDirectories(settings, input.home, input.systemDir)) {
    if (!fs.stat(locate(dir, cwd))?.isDirectory) continue;
    for (const entry of fs.readDir(locate(dir, cwd))) {
      const sub = joinClean(dir, entry);
      if (!fs.stat(locate(sub, cwd))?.isDirectory) continue;
      if (found.has(entry)) continue;
      const file = joinClean(sub, `${name}.tmpl`);
      if (fs.stat(locate(file, cwd))?.isFile) found.set(entry, { script: entry, path: file });
    }
  }

  if (Object.hasOwn(DEFAULT_TEMPLATES, name)) {
    const etc = joinClean(dirPath(input.systemDir), "templates");
    for (const script of CORE_SCRIPTS) {
      if (found.has(script)) continue;
      const path = joinClean(etc, `${script}/${name}.tmpl`);
      found.set(script, { script, path, builtin: DEFAULT_TEMPLATES[name][script] });
    }
  }

  const withScripts = settings.withScripts;
  for (const script of CORE_SCRIPTS) {
    if (!found.has(script) && withScripts.get(script) !== false) {
      throw addError(`Cannot find ${script} template`);
    }
  }
  return [...found.values()]
    .filter((t) => withScripts.get(t.script) !== false)
    .sort((a, b) => byCodePoint(a.script, b.script));
}

/**
 * The text of a template: the embedded default, or the file read through
 * `fs` and decoded as strict UTF-8 (a byte-order mark is kept, as Sqitch
 * keeps it). Throws `Cannot open {file}: {error}` when the file cannot be
 * read, and Perl's `Can't decode ill-formed UTF-8 octet sequence <XX>`
 * (naming the file) when it is not UTF-8.
 */
export function readTemplate(fs: FileSystem, source: TemplateSource, cwd?: string): string {
  if (source.builtin !== undefined) return source.builtin;
  const where = locate(source.path, cwd);
  const bytes = fs.readBytes(where);
  if (bytes === undefined) {
    const reason = fs.stat(where) ? "Permission denied" : "No such file or directory";
    throw addError(`Cannot open ${source.path}: ${reason}`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const hex = bad.map((b) => b.toString(16).toUpperCase().padStart(2, "0")).join(" ");
    throw addError(`Can't decode ill-formed UTF-8 octet sequence <${hex}> in ${source.path}`);
  }
}

/** The first ill-formed UTF-8 sequence in `bytes` (its lead byte, plus any valid continuations). */
function firstInvalidUtf8(bytes: Uint8Array): number[] {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const need = b < 0x80
      ? 0
      : b >= 0xc2 && b <= 0xdf
      ? 1
      : b >= 0xe0 && b <= 0xef
      ? 2
      : b >= 0xf0 && b <= 0xf4
      ? 3
      : -1;
    if (need < 0) return [b];
    let j = 1;
    while (j <= need && i + j < bytes.length && (bytes[i + j] & 0xc0) === 0x80) j++;
    if (j <= need) return [...bytes.slice(i, i + j)];
    const seq = bytes.slice(i, i + need + 1);
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(seq);
    } catch {
      return [...seq];
    }
    i += need + 1;
  }
  return [];
}

/** The directories and extension of a target that script paths are built from. */
export interface ScriptLocations {
  topDir: string;
  deployDir: string;
  revertDir: string;
  verifyDir: string;
  /** The script file extension (`sql` by default). */
  extension: string;
}

/**
 * The file a new (not reworked) change's script of type `script` goes to:
 * `<deploy|revert|verify dir>/<change>.<ext>` for the core types,
 * `<top_dir>/<type>/<change>.<ext>` for others. A `/` in the change name
 * makes sub-directories.
 */
export function scriptPath(script: string, change: string, where: ScriptLocations): string {
  const dir = script === "deploy"
    ? where.deployDir
    : script === "revert"
    ? where.revertDir
    : script === "verify"
    ? where.verifyDir
    : joinClean(where.topDir, script);
  return joinClean(dir, `${change}.${where.extension}`);
}

/** The values `add` supplies itself. */
export interface CoreTemplateVariables {
  /** The plan's project name. */
  project: string;
  /** The change name as given. */
  change: string;
  /** The target's canonical engine key. */
  engine: string;
  /** `-r` values as given (duplicates kept). */
  requires: readonly string[];
  /** `-x` values as given. */
  conflicts: readonly string[];
}

/**
 * The stash a script template is rendered with: the user variables
 * (TemplateSettings.variables) overridden by project, change, engine,
 * requires and conflicts.
 */
export function templateVariables(
  user: Readonly<Record<string, TemplateValue>>,
  core: CoreTemplateVariables,
): TemplateVars {
  return {
    ...user,
    change: core.change,
    engine: core.engine,
    project: core.project,
    requires: [...core.requires],
    conflicts: [...core.conflicts],
  };
}
