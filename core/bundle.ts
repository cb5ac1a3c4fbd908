/**
 * What `bundle` does once its targets are known (cli.md §5.2): copy the
 * project config, each target's plan (or write the part of it between two
 * changes) and the scripts of the changes in range into a destination
 * directory that mirrors the project's layout, copying a file only when
 * the copy is missing or older than its source. File access goes through
 * the FileSystem interface; messages through a small log interface.
 */
import { SqlitchError, systemErrorText } from "./errors.ts";
import type { FileSystem } from "./host.ts";
import { canonpath, joinClean } from "./perlpath.ts";
import type { Change } from "./plan/model.ts";
import type { Plan } from "./plan/plan.ts";
import { scriptSegments } from "./plan/scripts.ts";
import { formatPlan } from "./plan/writer.ts";
import { scriptDir, type ScriptTarget, type ScriptType } from "./script_paths.ts";

/** Where bundle messages go (core/output.ts `Output` fits). */
export interface BundleLog {
  info(...parts: string[]): void;
  debug(...parts: string[]): void;
  warn(...parts: string[]): void;
}

/** What bundling touches outside the process. */
export interface BundleEnv {
  fs: FileSystem;
  /** The current directory (absolute): absolute project paths are made relative to it. */
  cwd: string;
  log: BundleLog;
  /** Create a directory and its parents (with Sqitch's `Created` debug line and errors). */
  makePath(dir: string): void;
}

/** What bundling needs of a target (core/target.ts `Target` fits). */
export interface BundleTarget extends ScriptTarget {
  readonly name: string;
  readonly topDir: string;
  readonly planFile: string;
}

/** One bundle run. */
export interface BundleRequest {
  /** The destination directory, as `dir()` prints it. */
  destDir: string;
  /** The project config file to copy, as Sqitch names it (`sqitch.conf`, `$SQITCH_CONFIG`). */
  configFile: string;
  targets: readonly BundleTarget[];
  /** The plan of a target (read on demand: a plain copy never parses it). */
  planOf: (target: BundleTarget) => Plan;
  /** `--from`, when Perl-true. */
  from?: string;
  /** `--to`, when Perl-true. */
  to?: string;
  /** Change arguments: each target takes the next two as its from and to. */
  changes?: readonly string[];
}

/** The script directories a change's copies go to, by reworked-ness and type. */
export type DestDirs = Record<"plain" | "reworked", Record<ScriptType, string>>;

const SCRIPT_TYPES: readonly ScriptType[] = ["deploy", "revert", "verify"];

/** Path::Class `->relative` (File::Spec abs2rel against the current directory). */
export function relativeDir(path: string, cwd: string): string {
  const clean = canonpath(path);
  if (!clean.startsWith("/")) return clean === "" ? "." : clean;
  const chunks = (p: string) => canonpath(p).split("/").filter((c) => c !== "");
  const target = chunks(clean);
  const base = chunks(cwd);
  let common = 0;
  while (common < target.length && common < base.length && target[common] === base[common]) {
    common++;
  }
  const parts = [...base.slice(common).map(() => ".."), ...target.slice(common)];
  return parts.length === 0 ? "." : parts.join("/");
}

/** `dir($dest, $dir->relative)`: a project directory's place in the bundle. */
export function destPath(destDir: string, dir: string, cwd: string): string {
  return joinClean(destDir, relativeDir(dir, cwd));
}

/** The bundle's script directories for a target (Sqitch's `dest_dirs_for`). */
export function destDirsFor(destDir: string, target: BundleTarget, cwd: string): DestDirs {
  const at = (dir: string) => destPath(destDir, dir, cwd);
  return {
    plain: {
      deploy: at(target.deployDir),
      revert: at(target.revertDir),
      verify: at(target.verifyDir),
    },
    reworked: {
      deploy: at(target.reworkedDeployDir),
      revert: at(target.reworkedRevertDir),
      verify: at(target.reworkedVerifyDir),
    },
  };
}

/** The last path segment (Path::Class `basename`). */
function basename(path: string): string {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, "") : path;
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** The directory part of a file path as `$file->dir` prints it. */
function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  if (i < 0) return ".";
  return i === 0 ? "/" : path.slice(0, i);
}

/** `$dir->file(@segments)`. */
function fileIn(dir: string, segments: readonly string[]): string {
  const rest = segments.join("/");
  return dir.endsWith("/") ? dir + rest : `${dir}/${rest}`;
}

/**
 * Copy `src` to `dst` unless `dst` exists and is at least as new (whole
 * seconds, as Perl's `-M` compares); creates `dst`'s directory when `dst`
 * is missing. `Cannot copy {file}: does not exist` when `src` is missing.
 */
export function copyIfModified(env: BundleEnv, src: string, dst: string): void {
  const { fs } = env;
  const source = fs.stat(src);
  if (!source) {
    throw new SqlitchError(`Cannot copy ${src}: does not exist`, { ident: "bundle" });
  }
  const dest = fs.stat(dst);
  if (dest) {
    if (dest.mtime !== undefined && source.mtime !== undefined && dest.mtime >= source.mtime) {
      return;
    }
  } else {
    env.makePath(parentOf(dst));
  }
  env.log.debug(`    Copying ${src} -> ${dst}`);
  const failed = (reason: string) =>
    new SqlitchError(`Cannot copy "${src}" to "${dst}": ${reason}`, { ident: "bundle" });
  const bytes = fs.readBytes(src);
  if (bytes === undefined) {
    throw failed(source.isDirectory ? "Is a directory" : "Permission denied");
  }
  try {
    fs.writeBytes(dst, bytes);
  } catch (e) {
    throw failed(systemErrorText(e));
  }
}

/** `Writing config`: copy the project config file into the bundle's top. */
export function bundleConfig(env: BundleEnv, configFile: string, destDir: string): void {
  env.log.info("Writing config");
  copyIfModified(env, configFile, joinClean(destDir, basename(configFile)));
}

/**
 * `Writing plan`: copy a target's plan file into the bundle; with a range,
 * `Writing plan from {from} to {to}` and write the header plus the lines
 * from the `from` change through the `to` change (and its tags).
 */
export function bundlePlan(
  env: BundleEnv,
  req: BundleRequest,
  target: BundleTarget,
  from?: string,
  to?: string,
): void {
  const dir = destPath(req.destDir, target.topDir, env.cwd);
  const dest = joinClean(dir, basename(target.planFile));
  if (from === undefined && to === undefined) {
    env.log.info("Writing plan");
    copyIfModified(env, target.planFile, dest);
    return;
  }
  env.log.info(`Writing plan from ${from ?? "@ROOT"} to ${to ?? "@HEAD"}`);
  env.makePath(dir);
  const text = formatPlan(req.planOf(target), { from, to });
  try {
    env.fs.writeText(dest, text);
  } catch (e) {
    throw new SqlitchError(`Cannot open ${dest}: ${systemErrorText(e)}`, { ident: "io" });
  }
}

/** The changes from `from` (default `@ROOT`) through `to` (default `@HEAD`) of a plan. */
export function changesInRange(plan: Plan, from?: string, to?: string): Change[] {
  const locate = (spec: string | undefined, fallback: string) => {
    const index = plan.indexOf(spec ?? fallback);
    if (index === undefined) {
      // Sqitch names the missing end, or leaves the placeholder when it was a default.
      throw new SqlitchError(`Cannot find change ${spec ?? "{change}"}`, { ident: "bundle" });
    }
    return index;
  };
  const first = locate(from, "@ROOT");
  const last = locate(to, "@HEAD");
  return plan.changes.slice(first, last + 1);
}

/**
 * `Writing scripts`: for each change in range, `  + <name with tags>`
 * and a copy of each of its deploy, revert and verify scripts that
 * exists, at the same place under the bundle's (reworked) script
 * directories. One deliberate difference from Sqitch (1.3.1 to 1.6): a
 * reworked instance whose later instances are all past the end of the
 * range has its `name@tag` scripts copied as `name` scripts, where the
 * bundled plan (in which it is the last instance) looks for them; Sqitch
 * keeps the `@tag` names, so its bundle cannot deploy that change.
 */
export function bundleScripts(
  env: BundleEnv,
  req: BundleRequest,
  target: BundleTarget,
  from?: string,
  to?: string,
): void {
  const { fs } = env;
  const changes = changesInRange(req.planOf(target), from, to);
  env.log.info("Writing scripts");
  const dests = destDirsFor(req.destDir, target, env.cwd);
  const exists = (path: string) => fs.stat(path) !== undefined;
  changes.forEach((change, i) => {
    env.log.info("  + ", change.formatNameWithTags());
    const segments = scriptSegments(
      change,
      target.extension,
      (segs) => exists(fileIn(target.reworkedDeployDir, segs)),
    );
    // An instance whose later rework falls outside the range is the last
    // one in the bundled plan: its scripts go where that plan looks.
    const reworked = change.isReworked &&
      changes.slice(i + 1).some((later) => later.name === change.name);
    const destSegments = change.isReworked && !reworked
      ? plainSegments(change.name, target.extension)
      : segments;
    const dirs = reworked ? dests.reworked : dests.plain;
    for (const type of SCRIPT_TYPES) {
      const src = fileIn(scriptDir(target, change, type), segments);
      if (exists(src)) copyIfModified(env, src, fileIn(dirs[type], destSegments));
    }
  });
}

/** The script path segments of a change's last instance: its name split on `/`, plus the extension. */
function plainSegments(name: string, extension: string): string[] {
  const parts = name.split("/");
  while (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  parts[parts.length - 1] += `.${extension}`;
  return parts;
}

/**
 * Bundle the project: the warning about `--from`/`--to` with several
 * targets, the error when they are combined with change arguments, then
 * `Bundling into {dir}`, the config, and each target's plan and scripts
 * (one `--from`/`--to` range for all targets, else each target's own pair
 * of change arguments).
 */
export function bundle(env: BundleEnv, req: BundleRequest): void {
  const ranged = req.from !== undefined || req.to !== undefined;
  const changes = [...(req.changes ?? [])];
  if (req.targets.length > 1 && ranged) {
    env.log.warn(
      "Use of --to or --from to bundle multiple targets is not recommended.\n" +
        "Pass them as arguments after each target argument, instead.",
    );
  }
  if (changes.length > 0 && ranged) {
    throw new SqlitchError("Cannot specify both --from or --to and change arguments", {
      ident: "bundle",
    });
  }
  env.log.info(`Bundling into ${req.destDir}`);
  bundleConfig(env, req.configFile, req.destDir);
  for (const target of req.targets) {
    const [from, to] = ranged ? [req.from, req.to] : changes.splice(0, 2);
    bundlePlan(env, req, target, from, to);
    bundleScripts(env, req, target, from, to);
  }
}
