/**
 * Where this installation of sqlitch keeps its system-wide files: the
 * directory `--etc-path` prints and the system config and templates live in.
 */

/**
 * The Sqitch-style system directory (`<prefix>/etc/sqitch`). A compiled
 * binary takes its prefix from its own location (`/usr` maps to `/etc`, as
 * Debian's Sqitch does); run from source (the executable is `deno`), the
 * system-wide Sqitch directory `/etc/sqitch` is shared.
 */
export function systemDir(execPath: string, os: string): string {
  const sep = os === "windows" ? "\\" : "/";
  const parts = execPath.split(/[\\/]/);
  const exe = (parts.at(-1) ?? "").replace(/\.exe$/i, "");
  if (exe === "deno") return os === "windows" ? "C:\\ProgramData\\sqitch" : "/etc/sqitch";
  const prefix = parts.slice(0, -2).join(sep) || sep;
  if (prefix === "/usr" || prefix === "/") return "/etc/sqitch";
  return [prefix, "etc", "sqitch"].join(sep);
}

/** The name the program was invoked as (`sqlitch`, or `sqitch` through an alias). */
export function programName(execPath: string): string {
  const exe = (execPath.split(/[\\/]/).at(-1) ?? "").replace(/\.exe$/i, "");
  return exe === "deno" || exe === "" ? "sqlitch" : exe;
}
