/**
 * Path strings as Sqitch prints them: the cleanup Perl's File::Spec
 * (`canonpath`) and Path::Class (`dir()`, `file()`, `->subdir`, `->file`)
 * apply to configured and default directories and files (Unix rules).
 * Pure string functions: nothing touches the file system.
 */

/** File::Spec::Unix->canonpath: collapse `//`, drop `/.` and leading `./`, trailing `/`. */
export function canonpath(path: string): string {
  let p = path.replace(/\/{2,}/g, "/");
  p = p.replace(/(?:\/\.)+(?:\/|$)/g, "/");
  if (p !== "./") p = p.replace(/^(?:\.\/)+/, "");
  p = p.replace(/^\/(?:\.\.\/)+/, "/");
  p = p.replace(/^\/\.\.$/, "/");
  if (p !== "/") p = p.replace(/\/$/, "");
  return p;
}

/** How `dir($path)` stringifies: canonpath (and `` → `/`). */
export function dirPath(path: string): string {
  return path === "" ? "/" : canonpath(path);
}

/**
 * How `file($path)` stringifies: the directory part cleaned as by
 * `dirPath`, the base name kept as given (`./x` stays `./x`,
 * `a//b` → `a/b`, `x/` stays `x/`).
 */
export function filePath(path: string): string {
  const m = /^((?:[\s\S]*\/(?:\.\.?$)?)?)([^/]*)/.exec(path)!;
  const dirs = m[1];
  const base = m[2];
  if (dirs === "") return base;
  const d = dirPath(dirs);
  return (d.endsWith("/") ? d : d + "/") + base;
}

/** `dir($dir)->subdir($name)->cleanup` / `->file($name)->cleanup`: join then canonpath. */
export function joinClean(dir: string, name: string): string {
  return canonpath(`${dir}/${name}`);
}
