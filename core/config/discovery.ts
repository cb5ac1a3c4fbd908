/**
 * Where the three config scopes live, with sqlitch's compatibility rules:
 * each scope has a Sqitch file name and a sqlitch one (`sqitch.conf` /
 * `sqlitch.conf`, `~/.sqitch/` / `~/.sqlitch/`, `/etc/sqitch/` /
 * `/etc/sqlitch/`), environment overrides, the upward search for the
 * project file, and which file a scoped write goes to.
 */
import { basename, dirname, isAbsolute, join, resolve } from "../posix_path.ts";
import { SqlitchError } from "../errors.ts";
import { type Env, sqitchEnv } from "../env.ts";
import type { FileSystem } from "../host.ts";
import { expandHome } from "./loader.ts";

/** Which tool's file names a project (or new file) uses. */
export type CompatMode = "sqitch" | "sqlitch";

/** A config scope, lowest precedence first. */
export type Scope = "system" | "user" | "local";

/** Every scope in load order. */
export const SCOPES: readonly Scope[] = ["system", "user", "local"];

/** Sqitch's config file name. */
export const SQITCH_CONF = "sqitch.conf";
/** sqlitch's own config file name. */
export const SQLITCH_CONF = "sqlitch.conf";

/** A file to write: the path as Sqitch shows it, and where it really is. */
export interface ConfigFileRef {
  /** As given or as Sqitch prints it (the default local file is relative). */
  path: string;
  /** Absolute path for file access. */
  absolute: string;
}

/** The files of one scope. */
export interface ScopeFiles {
  /** Absolute path to load, or undefined when the scope has no file. */
  read: string | undefined;
  /** The file a write to this scope goes to, by compat mode (same unless undecided). */
  write: Record<CompatMode, ConfigFileRef>;
}

/** The project scope also records whether a file was found. */
export interface LocalScopeFiles extends ScopeFiles {
  /** True when a local file was found (the project is "initialized"). */
  found: boolean;
}

/** The files of all three scopes. */
export interface ConfigFiles {
  system: ScopeFiles;
  user: ScopeFiles;
  local: LocalScopeFiles;
}

/** What discovery needs to know about the process. */
export interface DiscoveryOptions {
  fs: FileSystem;
  env: Env;
  /** The current directory (absolute). */
  cwd: string;
  /** The user's home directory, when known. */
  home: string | undefined;
  /** Sqitch's system directory (e.g. `/etc/sqitch`); sqlitch's is its sibling `sqlitch`. */
  systemDir: string;
}

/** Same file for both modes. */
function fixed(ref: ConfigFileRef): Record<CompatMode, ConfigFileRef> {
  return { sqitch: ref, sqlitch: ref };
}

/** True when `path` is an existing regular file. */
function isFile(fs: FileSystem, path: string): boolean {
  return fs.stat(path)?.isFile ?? false;
}

/**
 * A scope with a sqlitch file and a Sqitch file: the one that exists
 * (sqlitch's first), else the one matching the mode.
 */
function pairScope(fs: FileSystem, sqlitchFile: string, sqitchFile: string): ScopeFiles {
  for (const file of [sqlitchFile, sqitchFile]) {
    if (isFile(fs, file)) return { read: file, write: fixed({ path: file, absolute: file }) };
  }
  return {
    read: undefined,
    write: {
      sqitch: { path: sqitchFile, absolute: sqitchFile },
      sqlitch: { path: sqlitchFile, absolute: sqlitchFile },
    },
  };
}

/** A scope whose file is named by an environment variable. */
function overrideScope(override: string, opts: DiscoveryOptions): ScopeFiles {
  const expanded = expandHome(override, opts.home);
  const absolute = resolve(opts.cwd, expanded);
  return { read: absolute, write: fixed({ path: expanded, absolute }) };
}

/** The system scope: `$SQITCH_SYSTEM_CONFIG`, else `/etc/sqlitch/sqlitch.conf` or `/etc/sqitch/sqitch.conf`. */
export function systemScope(opts: DiscoveryOptions): ScopeFiles {
  const override = sqitchEnv(opts.env, "SYSTEM_CONFIG");
  if (override) return overrideScope(override, opts);
  const sqitchDir = resolve(opts.cwd, opts.systemDir);
  return pairScope(
    opts.fs,
    join(dirname(sqitchDir), "sqlitch", SQLITCH_CONF),
    join(sqitchDir, SQITCH_CONF),
  );
}

/** The user scope: `$SQITCH_USER_CONFIG`, else `~/.sqlitch/sqlitch.conf` or `~/.sqitch/sqitch.conf`. */
export function userScope(opts: DiscoveryOptions): ScopeFiles {
  const override = sqitchEnv(opts.env, "USER_CONFIG");
  if (override) return overrideScope(override, opts);
  if (!opts.home) {
    throw new SqlitchError("Could not determine home directory", { ident: "config" });
  }
  const home = resolve(opts.cwd, opts.home);
  return pairScope(
    opts.fs,
    join(home, ".sqlitch", SQLITCH_CONF),
    join(home, ".sqitch", SQITCH_CONF),
  );
}

/** Each directory from `dir` up to the root. */
function* upwards(dir: string): Generator<string> {
  let current = dir;
  while (true) {
    yield current;
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

/**
 * The local (project) scope. `$SQITCH_CONFIG` names the file (a relative
 * name is searched for upward, an absolute one used directly); otherwise
 * each directory from the current one up is searched for `sqlitch.conf` or
 * `sqitch.conf`, and having both in one directory is an error. Writes go to
 * the current directory (or the override as given).
 */
export function localScope(opts: DiscoveryOptions): LocalScopeFiles {
  const { fs, cwd } = opts;
  const override = sqitchEnv(opts.env, "CONFIG");
  if (override) {
    const write = fixed({ path: override, absolute: resolve(cwd, override) });
    if (isAbsolute(override)) {
      const found = isFile(fs, override);
      return { read: found ? override : undefined, write, found };
    }
    for (const dir of upwards(cwd)) {
      const file = join(dir, override);
      if (isFile(fs, file)) return { read: file, write, found: true };
    }
    return { read: undefined, write, found: false };
  }
  for (const dir of upwards(cwd)) {
    const sqlitchFile = join(dir, SQLITCH_CONF);
    const sqitchFile = join(dir, SQITCH_CONF);
    const hasSqlitch = isFile(fs, sqlitchFile);
    const hasSqitch = isFile(fs, sqitchFile);
    if (hasSqlitch && hasSqitch) {
      throw new SqlitchError(
        `Found both ${sqlitchFile} and ${sqitchFile}; remove one of them`,
        { ident: "config" },
      );
    }
    if (hasSqlitch || hasSqitch) {
      const file = hasSqlitch ? sqlitchFile : sqitchFile;
      const name = basename(file);
      return { read: file, write: fixed({ path: name, absolute: join(cwd, name) }), found: true };
    }
  }
  return {
    read: undefined,
    write: {
      sqitch: { path: SQITCH_CONF, absolute: join(cwd, SQITCH_CONF) },
      sqlitch: { path: SQLITCH_CONF, absolute: join(cwd, SQLITCH_CONF) },
    },
    found: false,
  };
}

/** Locate the files of all three scopes. */
export function discoverConfigFiles(opts: DiscoveryOptions): ConfigFiles {
  return { system: systemScope(opts), user: userScope(opts), local: localScope(opts) };
}
