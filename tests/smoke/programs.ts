/**
 * Launchers for tests that must start sqlitch under a chosen name (the
 * `sqitch` alias, or a bare `sqlitch` on PATH for shell completion): a
 * directory whose `sqlitch` and `sqitch` are symlinks to $SQLITCH_BIN when
 * it is set (the compiled binary), else to a small bash launcher that runs
 * main.ts from source with its own name as argv[0] (`exec -a`), so either
 * way the program sees the name it was started by.
 */
import { MAIN_TS } from "../parity/kit.ts";

/** A directory holding `sqlitch` and `sqitch` launchers. */
export interface ProgramDir {
  /** The directory to put first on PATH. */
  bin: string;
  /** Environment the launchers need (Deno's cache outside the sandbox HOME). */
  env: Record<string, string>;
}

/** Deno's cache directory as the calling test sees it. */
export function denoDir(): string {
  return Deno.env.get("DENO_DIR") ??
    `${Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME") ?? "/root"}/.cache`}/deno`;
}

/** The text of a launcher running main.ts from source under the name it was started by. */
export function sourceLauncher(): string {
  const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  return `#!/usr/bin/env bash\nexec -a "$0" ${
    q(Deno.execPath())
  } run --allow-all --frozen --quiet ${q(MAIN_TS)} "$@"\n`;
}

/** Create `<dir>/bin/{sqlitch,sqitch}` (and the launcher they point to). */
export async function makeProgramDir(dir: string): Promise<ProgramDir> {
  const bin = `${dir}/bin`;
  await Deno.mkdir(bin, { recursive: true });
  let target = Deno.env.get("SQLITCH_BIN");
  if (target) target = await Deno.realPath(target);
  else {
    target = `${dir}/sqlitch-from-source`;
    await Deno.writeTextFile(target, sourceLauncher());
    await Deno.chmod(target, 0o755);
  }
  for (const name of ["sqlitch", "sqitch"]) await Deno.symlink(target, `${bin}/${name}`);
  return { bin, env: { DENO_DIR: denoDir(), DENO_NO_UPDATE_CHECK: "1" } };
}
