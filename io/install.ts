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

/**
 * The name the program answers to: `sqitch` when it was started under that
 * name (a copy or a symlink named `sqitch`, or `sqitch.exe`), else
 * `sqlitch`. Only `--version` and the completion scripts show it; every
 * other output is Sqitch's, whatever the name.
 */
export function programName(execPath: string, argv0: string = invocationPath()): string {
  return [argv0, execPath].some((path) => baseName(path) === "sqitch") ? "sqitch" : "sqlitch";
}

/** A path's last component without a `.exe` suffix. */
function baseName(path: string): string {
  return (path.split(/[\\/]/).at(-1) ?? "").replace(/\.exe$/i, "");
}

/**
 * The path the process was started as (its argv[0]). `Deno.execPath()`
 * resolves symlinks on Linux, so a `sqitch -> sqlitch` symlink is only
 * visible here; read from /proc where there is one (cheap, no Node
 * compatibility layer), else "" (elsewhere `Deno.execPath()` keeps the
 * name the program was started by, or the alias is a copy).
 */
export function invocationPath(): string {
  try {
    const cmdline = Deno.readFileSync("/proc/self/cmdline");
    const end = cmdline.indexOf(0);
    return new TextDecoder().decode(end >= 0 ? cmdline.subarray(0, end) : cmdline);
  } catch {
    return "";
  }
}
