/**
 * POSIX path strings (`/` separators), as `node:path`'s POSIX half
 * computes them: `resolve`, `join`, `dirname`, `basename`, `isAbsolute`.
 * Our own small copy because importing `node:path` (which loads its win32
 * half too) costs milliseconds of every command's start-up. Pure string
 * functions: `resolve` never consults the process's working directory, so
 * callers pass an absolute base first.
 */

/** Collapse `//`, `.` and `..` in a path without leading `/` handling. */
function normalizeSegments(path: string, allowAboveRoot: boolean): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (allowAboveRoot) out.push("..");
      continue;
    }
    out.push(part);
  }
  return out.join("/");
}

/** True when `path` starts at the root. */
export function isAbsolute(path: string): boolean {
  return path.charCodeAt(0) === 0x2f;
}

/**
 * Resolve the paths right to left until one is absolute, then normalize
 * (no trailing slash). Without an absolute path the result stays relative.
 */
export function resolve(...paths: string[]): string {
  let resolved = "";
  let absolute = false;
  for (let i = paths.length - 1; i >= 0 && !absolute; i--) {
    const p = paths[i];
    if (p === "") continue;
    resolved = resolved === "" ? p : `${p}/${resolved}`;
    absolute = isAbsolute(p);
  }
  const normal = normalizeSegments(resolved, !absolute);
  if (absolute) return `/${normal}`;
  return normal === "" ? "." : normal;
}

/** Join the non-empty paths with `/` and normalize (a trailing slash is kept). */
export function join(...paths: string[]): string {
  const joined = paths.filter((p) => p !== "").join("/");
  if (joined === "") return ".";
  const absolute = isAbsolute(joined);
  const trailing = joined.endsWith("/");
  let normal = normalizeSegments(joined, !absolute);
  if (normal === "") return absolute ? "/" : trailing ? "./" : ".";
  if (trailing) normal += "/";
  return absolute ? `/${normal}` : normal;
}

/** The directory part of `path` (trailing slashes ignored); "." or "/" at the top. */
export function dirname(path: string): string {
  if (path === "") return ".";
  const rooted = isAbsolute(path);
  let end = -1;
  let inName = false;
  for (let i = path.length - 1; i >= 1; i--) {
    if (path.charCodeAt(i) === 0x2f) {
      if (inName) {
        end = i;
        break;
      }
    } else inName = true;
  }
  if (end === -1) return rooted ? "/" : ".";
  if (rooted && end === 1) return "//";
  return path.slice(0, end);
}

/** The last segment of `path` (trailing slashes ignored). */
export function basename(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end--;
  if (end === 0) return "";
  return path.slice(path.lastIndexOf("/", end - 1) + 1, end);
}
