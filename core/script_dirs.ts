/**
 * The script directories `init`, `engine add/alter` and `target add/alter`
 * create (cli.md §5.10), and creating directories the way Sqitch does
 * (File::Path's make_path: one `Created {dir}/` line per directory asked
 * for, `Error creating {path}: {error}` naming the first path that could
 * not be made).
 */
import { SqlitchError, systemErrorText } from "./errors.ts";
import type { FileSystem } from "./host.ts";
import type { Output } from "./output.ts";
import { joinClean } from "./perlpath.ts";

/**
 * Directory properties given on the command line, as cleaned path strings
 * (`dir($value)->cleanup`). A property is "given" when it is not
 * undefined; pass `top_dir` only when its value is Perl-true (Sqitch
 * ignores `--top-dir ""` and `--top-dir 0` here).
 */
export interface DirectoryProperties {
  top_dir?: string;
  deploy_dir?: string;
  revert_dir?: string;
  verify_dir?: string;
  reworked_dir?: string;
  reworked_deploy_dir?: string;
  reworked_revert_dir?: string;
  reworked_verify_dir?: string;
}

/** The resolved directories of a target the list falls back on (core/target.ts `Target`). */
export interface TargetDirectories {
  readonly deployDir: string;
  readonly revertDir: string;
  readonly verifyDir: string;
  readonly reworkedDeployDir: string;
  readonly reworkedRevertDir: string;
  readonly reworkedVerifyDir: string;
}

const TYPES = ["deploy", "revert", "verify"] as const;

/**
 * The directories to create for `targets`, in order, without duplicates.
 * Per target: the deploy/revert/verify directories — `<top_dir>/<type>`
 * when `top_dir` is given (Sqitch 1.3.1 then ignores `--dir deploy=…`
 * and friends), else the given `<type>_dir`, else the target's — then the
 * reworked ones — `reworked_<type>_dir` when given, else
 * `<reworked_dir or top_dir>/<type>` when either is given, else the
 * target's.
 */
export function scriptDirectories(
  props: DirectoryProperties,
  targets: readonly TargetDirectories[],
): string[] {
  const dirs: string[] = [];
  const add = (dir: string) => {
    if (!dirs.includes(dir)) dirs.push(dir);
  };
  const own = {
    deploy: (t: TargetDirectories) => t.deployDir,
    revert: (t: TargetDirectories) => t.revertDir,
    verify: (t: TargetDirectories) => t.verifyDir,
  };
  const reworked = {
    deploy: (t: TargetDirectories) => t.reworkedDeployDir,
    revert: (t: TargetDirectories) => t.reworkedRevertDir,
    verify: (t: TargetDirectories) => t.reworkedVerifyDir,
  };
  for (const target of targets) {
    const top = props.top_dir;
    for (const type of TYPES) {
      add(top !== undefined ? joinClean(top, type) : props[`${type}_dir`] ?? own[type](target));
    }
    const root = props.reworked_dir ?? props.top_dir;
    for (const type of TYPES) {
      const given = props[`reworked_${type}_dir`];
      add(
        given !== undefined
          ? given
          : root !== undefined
          ? joinClean(root, type)
          : reworked[type](target),
      );
    }
  }
  return dirs;
}

/** The parent of a cleaned path, as File::Basename::dirname gives it. */
function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return path.slice(0, i);
}

/** make_path for one directory: what was created, and the first failure. */
function makePath(
  fs: FileSystem,
  path: string,
  state: { created: string[]; error?: { path: string; message: string } },
): void {
  if (fs.stat(path)?.isDirectory) return;
  const parent = parentOf(path);
  if (parent !== path && !fs.stat(parent)?.isDirectory) makePath(fs, parent, state);
  try {
    fs.mkdirp(path);
    state.created.push(path);
  } catch (e) {
    if (!fs.stat(path)?.isDirectory) state.error ??= { path, message: systemErrorText(e) };
  }
}

/**
 * Check, before anything is written, that each directory could be made:
 * a path component that exists but is not a directory fails the same way
 * makeDirectories would, `Error creating {path}: File exists`.
 */
export function assertCreatable(fs: FileSystem, dirs: readonly string[], ident: string): void {
  for (const dir of dirs) {
    let path = dir;
    while (!fs.stat(path)) {
      const parent = parentOf(path);
      if (parent === path) break;
      path = parent;
    }
    const info = fs.stat(path);
    if (info && !info.isDirectory) {
      throw new SqlitchError(`Error creating ${path}: File exists`, { ident });
    }
  }
}

/**
 * Create each missing directory (with its parents), printing `Created
 * {dir}/` (info) for each one asked for; existing directories are skipped
 * silently. The first failure throws `Error creating {path}: {error}`.
 */
export function makeDirectories(
  fs: FileSystem,
  out: Output,
  dirs: readonly string[],
  ident: string,
): void {
  for (const dir of dirs) {
    if (fs.stat(dir)?.isDirectory) continue;
    const state: { created: string[]; error?: { path: string; message: string } } = {
      created: [],
    };
    makePath(fs, dir, state);
    if (state.created.length > 0) out.info(`Created ${dir}/`);
    if (state.error) {
      throw new SqlitchError(`Error creating ${state.error.path}: ${state.error.message}`, {
        ident,
      });
    }
  }
}
