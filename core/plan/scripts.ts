/**
 * Which script files a change instance uses (plan-format.md §7.1,
 * Change.pm `_path_segments`): the last instance of a name uses
 * `<name>.<ext>`; an earlier (reworked) instance uses `<name>@<tag>.<ext>`
 * for the first of its rework tags whose file exists in the reworked
 * deploy directory, else for the first rework tag.
 */
import type { Change } from "./model.ts";

/**
 * The path segments of a change's scripts under the deploy, revert and
 * verify directories: the name split on `/` with the file name last.
 * `existsInDeployDir` says whether a file exists at segments relative to
 * the deploy directory the instance uses (the reworked deploy directory
 * for a reworked change); it is asked only for reworked changes.
 */
export function scriptSegments(
  change: Change,
  extension: string,
  existsInDeployDir: (segments: string[]) => boolean,
): string[] {
  const path = splitName(change.name);
  const ext = `.${extension}`;
  if (change.reworkTags.length === 0) {
    path[path.length - 1] += ext;
    return path;
  }
  const base = path.pop()!;
  const candidates = change.reworkTags.map((tag) => base + tag.formatName() + ext);
  const found = candidates.find((name) => existsInDeployDir([...path, name]));
  path.push(found ?? candidates[0]);
  return path;
}

/** Perl's `split m{/}`: trailing empty fields dropped. */
function splitName(name: string): string[] {
  const parts = name.split("/");
  while (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}
