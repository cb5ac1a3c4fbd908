/**
 * The loaded configuration: discovers the system, user and local files,
 * merges them (system < user < local), validates `core.compat`, answers
 * the reads the rest of sqlitch makes (ConfigReader), and knows which file
 * a write to each scope goes to.
 */
import { resolve } from "../posix_path.ts";
import { SqlitchError } from "../errors.ts";
import type { Env } from "../env.ts";
import type { FileSystem, Host } from "../host.ts";
import { parseBool } from "./cast.ts";
import { ConfigData, type ConfigEntry } from "./data.ts";
import {
  type CompatMode,
  type ConfigFileRef,
  type ConfigFiles,
  discoverConfigFiles,
  type Scope,
  SCOPES,
} from "./discovery.ts";
import type { ConfigDocument } from "./document.ts";
import { canonicalKey, sectionKey } from "./keys.ts";
import { loadConfigFile, type LoadContext } from "./loader.ts";
import type { ConfigReader, RawValue } from "./reader.ts";
import { editConfigFile, type WriteOptions } from "./writer.ts";

/** Everything loading needs; either a Host or its parts. */
export interface LoadConfigOptions {
  /** Supplies fs, env, cwd and home unless given separately. */
  host?: Host;
  fs?: FileSystem;
  env?: Env;
  /** The current directory (absolute). */
  cwd?: string;
  /** The home directory (`$HOME`, else the passwd entry); undefined when unknown. */
  home?: string;
  /** Sqitch's system directory, e.g. `/etc/sqitch` (what `--etc-path` prints). */
  systemDir: string;
}

/** The key selecting sqitch- or sqlitch-style file names. */
export const COMPAT_KEY = "core.compat";

/** Load and merge the configuration (throws on parse errors or a bad `core.compat`). */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const fs = options.fs ?? options.host?.fs;
  const env = options.env ?? options.host?.env ?? {};
  const cwd = options.cwd ?? options.host?.cwd();
  if (!fs || cwd === undefined) throw new Error("loadConfig needs a host or fs and cwd");
  const home = "home" in options ? options.home : options.host?.user.home();
  const files = discoverConfigFiles({ fs, env, cwd, home, systemDir: options.systemDir });
  const data = new ConfigData();
  const ctx: LoadContext = { fs, home, loaded: [] };
  for (const scope of SCOPES) {
    const read = files[scope].read;
    if (read !== undefined) loadConfigFile(data, read, cwd, ctx);
  }
  return new LoadedConfig(data, files, { fs, cwd, home });
}

/** The compat mode a merged configuration selects (validated). */
export function compatMode(data: ConfigData): CompatMode {
  const entry = data.entry(COMPAT_KEY);
  if (!entry) return "sqitch";
  if (entry.values.length > 1) throw multipleValues(COMPAT_KEY);
  const value = entry.values[0];
  if (value === "sqitch" || value === "sqlitch") return value;
  throw new SqlitchError(
    `Invalid ${COMPAT_KEY} value "${
      value ?? ""
    }" in ${entry.origin}: must be "sqitch" or "sqlitch"`,
    { ident: "config" },
  );
}

/** The error for a single-value read of a multi-valued key. */
function multipleValues(key: string): SqlitchError {
  return new SqlitchError(`Multiple values found for key "${key}"`, { ident: "config" });
}

/** What a LoadedConfig keeps of the process to read and write files. */
interface FileAccess {
  fs: FileSystem;
  cwd: string;
  home: string | undefined;
}

/** The merged configuration plus per-scope file access. */
export class LoadedConfig implements ConfigReader {
  /** The merged data of all scopes. */
  readonly data: ConfigData;
  /** Where each scope's file is (read and write paths). */
  readonly files: ConfigFiles;
  /** `core.compat`: which file names new files get. */
  readonly compat: CompatMode;
  readonly #access: FileAccess;

  constructor(data: ConfigData, files: ConfigFiles, access: FileAccess) {
    this.data = data;
    this.files = files;
    this.#access = access;
    this.compat = compatMode(data);
  }

  /** True when a local (project) config file was found. */
  get initialized(): boolean {
    return this.files.local.found;
  }

  /** The single value of a key (undefined when absent or bare); several ⇒ error. */
  get(key: string, filter?: string): string | undefined {
    const values = this.getAll(key, filter);
    if (values.length > 1) throw multipleValues(key);
    return values[0] ?? undefined;
  }

  /** Every value of a key in file order (bare keys as null), optionally regex-filtered. */
  getAll(key: string, filter?: string): RawValue[] {
    return this.data.values(canonicalKey(key), filter);
  }

  /** A boolean setting (bare key ⇒ true); undefined when absent; `Invalid bool '{v}'`. */
  getBool(key: string): boolean | undefined {
    const values = this.getAll(key);
    if (values.length === 0) return undefined;
    if (values.length > 1) throw multipleValues(key);
    return parseBool(values[0]);
  }

  /**
   * The plain variables directly under a section (`core.variables`,
   * `target.prod`), keyed by name as first written in the winning file,
   * each with its last value (a bare key gives "").
   */
  getSection(section: string): Record<string, string> {
    const prefix = sectionKey(section) + ".";
    const out: Record<string, string> = {};
    for (const entry of this.data.entries()) {
      if (!entry.key.startsWith(prefix)) continue;
      const rest = entry.key.slice(prefix.length);
      if (rest === "" || rest.includes(".")) continue;
      const name = entry.spelling.split(".").at(-1)!;
      out[name] = entry.values[entry.values.length - 1] ?? "";
    }
    return out;
  }

  /** Every canonical key, sorted. */
  keys(): string[] {
    return this.data.entries().map((e) => e.key);
  }

  /** Every entry (key, values, multi-valued flag, origin), sorted by key. */
  entries(): ConfigEntry[] {
    return this.data.entries();
  }

  /** The entry of one key, if present. */
  entry(key: string): ConfigEntry | undefined {
    return this.data.entry(canonicalKey(key));
  }

  /** Whether a key is multi-valued (what init/engine/target pass as `multiple`). */
  isMultiple(key: string): boolean {
    return this.data.isMultiple(canonicalKey(key));
  }

  /** Entries whose key matches a Perl regex, values filtered (`--get-regexp`). */
  getRegexp(keyPattern: string, filter?: string): ConfigEntry[] {
    return this.data.matching(keyPattern, filter);
  }

  /** The file a write to `scope` goes to (`mode` decides when no file exists yet). */
  scopeFile(scope: Scope, mode: CompatMode = this.compat): ConfigFileRef {
    return this.files[scope].write[mode];
  }

  /** A file given by the user (`--file`), relative to the current directory. */
  fileRef(path: string): ConfigFileRef {
    return { path, absolute: resolve(this.#access.cwd, path) };
  }

  /**
   * Load a single file (with its includes) on its own, as
   * `sqitch config --list --local` does; undefined when it does not exist.
   */
  readFile(file: ConfigFileRef): ConfigData | undefined {
    const { fs, home } = this.#access;
    if (!fs.stat(file.absolute)) return undefined;
    const data = new ConfigData();
    loadConfigFile(data, file.absolute, this.#access.cwd, { fs, home, loaded: [] });
    return data;
  }

  /** The data of one scope's (write) file alone; undefined when it does not exist. */
  readScope(scope: Scope, mode: CompatMode = this.compat): ConfigData | undefined {
    return this.readFile(this.scopeFile(scope, mode));
  }

  /** Edit a file's text and write it back (see writer.ts). The in-memory data is not updated. */
  edit(
    file: ConfigFileRef,
    edit: (doc: ConfigDocument) => void,
    options?: WriteOptions,
  ): ConfigDocument {
    return editConfigFile(this.#access.fs, file, edit, options);
  }
}
