/**
 * The script files of a plan change for a target (Change.pm
 * `deploy_file`/`revert_file`/`verify_file`): the target's deploy, revert
 * or verify directory — the reworked one for an instance with later
 * reworks — joined with the change's path segments (core/plan/scripts.ts),
 * as Path::Class prints them.
 */
import type { Change } from "./plan/model.ts";
import { scriptSegments } from "./plan/scripts.ts";
import type { TargetDirectories } from "./script_dirs.ts";

/** The kinds of change script. */
export type ScriptType = "deploy" | "revert" | "verify";

/** The script types `show` accepts besides `change` and `tag`. */
export const SCRIPT_TYPES: readonly ScriptType[] = ["deploy", "revert", "verify"];

/** What a change's script paths depend on (a core/target.ts `Target` fits). */
export interface ScriptTarget extends TargetDirectories {
  readonly extension: string;
}

/** `dir->file(@segments)`: the directory and the segments joined with `/`. */
function filePath(dir: string, segments: readonly string[]): string {
  const rest = segments.join("/");
  return dir.endsWith("/") ? dir + rest : `${dir}/${rest}`;
}

/** The directory holding a change's scripts of one type. */
export function scriptDir(target: ScriptTarget, change: Change, type: ScriptType): string {
  if (!change.isReworked) {
    return type === "deploy"
      ? target.deployDir
      : type === "revert"
      ? target.revertDir
      : target.verifyDir;
  }
  return type === "deploy"
    ? target.reworkedDeployDir
    : type === "revert"
    ? target.reworkedRevertDir
    : target.reworkedVerifyDir;
}

/**
 * The path of a change's script of one type. For a reworked instance
 * `exists` is asked which `name@tag` file exists in the reworked deploy
 * directory (Perl's `-e`).
 */
export function changeScriptPath(
  target: ScriptTarget,
  change: Change,
  type: ScriptType,
  exists: (path: string) => boolean,
): string {
  const segments = scriptSegments(
    change,
    target.extension,
    (segs) => exists(filePath(target.reworkedDeployDir, segs)),
  );
  return filePath(scriptDir(target, change, type), segments);
}
