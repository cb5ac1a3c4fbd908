/**
 * Throwaway projects for sqlitch-only CLI tests: a temporary root with
 * `proj/` (the working directory), `home/` (HOME) and a private system
 * config path, and a runner for main.ts (or $SQLITCH_BIN) with a clean
 * environment.
 */
import { defaultSqlitchCmd } from "../parity/kit.ts";

/** A temporary project and home directory. */
export interface Sandbox {
  root: string;
  proj: string;
  home: string;
}

/** What a run printed and returned. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Create a sandbox with `files` (paths relative to its root, e.g. `proj/sqitch.conf`). */
export async function makeSandbox(files: Record<string, string> = {}): Promise<Sandbox> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "sqlitch-cli-" }));
  const sb = { root, proj: `${root}/proj`, home: `${root}/home` };
  await Deno.mkdir(sb.proj);
  await Deno.mkdir(sb.home);
  for (const [rel, text] of Object.entries(files)) {
    const path = `${root}/${rel}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, text);
  }
  return sb;
}

/** Run `fn` in a fresh sandbox and remove it afterwards. */
export async function withSandbox(
  files: Record<string, string>,
  fn: (sb: Sandbox) => Promise<void>,
): Promise<void> {
  const sb = await makeSandbox(files);
  try {
    await fn(sb);
  } finally {
    await Deno.remove(sb.root, { recursive: true });
  }
}

/** Run sqlitch in the sandbox's project directory (or `cwd` below the root). */
export async function runSqlitch(
  sb: Sandbox,
  args: string[],
  env: Record<string, string> = {},
  cwd = "proj",
): Promise<RunResult> {
  const out = await sqlitchCommand(sb, args, env, cwd).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * The command `runSqlitch` runs (clean environment, cwd below the sandbox
 * root, stdin closed, stdout/stderr piped), for callers that spawn it
 * themselves (e.g. to kill it midway).
 */
export function sqlitchCommand(
  sb: Sandbox,
  args: string[],
  env: Record<string, string> = {},
  cwd = "proj",
): Deno.Command {
  const [cmd, ...pre] = defaultSqlitchCmd();
  const denoDir = Deno.env.get("DENO_DIR") ??
    `${Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME") ?? "/root"}/.cache`}/deno`;
  return new Deno.Command(cmd, {
    args: [...pre, ...args],
    cwd: `${sb.root}/${cwd}`,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: sb.home,
      LANG: "C.UTF-8",
      TZ: "UTC",
      DENO_DIR: denoDir,
      DENO_NO_UPDATE_CHECK: "1",
      SQITCH_SYSTEM_CONFIG: `${sb.root}/etc/sqitch.conf`,
      ...env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

/** The text of a file below the sandbox root, or undefined when missing. */
export function readFile(sb: Sandbox, rel: string): string | undefined {
  try {
    return Deno.readTextFileSync(`${sb.root}/${rel}`);
  } catch {
    return undefined;
  }
}

/** Every path below `dir` (relative to the sandbox root), sorted; directories end in `/`. */
export function listTree(sb: Sandbox, dir = "proj"): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of Deno.readDirSync(`${sb.root}/${rel}`)) {
      const path = `${rel}/${entry.name}`;
      if (entry.isDirectory) {
        out.push(`${path}/`);
        walk(path);
      } else out.push(path);
    }
  };
  walk(dir);
  return out.sort();
}
