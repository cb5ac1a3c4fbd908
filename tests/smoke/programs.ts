/**
 * Launchers for tests that must start sqlitch under a chosen name (the
 * `sqitch` alias, or a bare `sqlitch` on PATH for shell completion): a
 * directory whose `sqlitch` and `sqitch` are symlinks to $SQLITCH_BIN when
 * it is set (the compiled binary), else to a small bash launcher that runs
 * main.ts from source with its own name as argv[0] (`exec -a`), so either
 * way the program sees the name it was started by.
 */
import { ok, strictEqual } from "node:assert/strict";
import { fileURLToPath } from "node:url";
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

/**
 * The text of a bash launcher that runs `command` (a program and its
 * first arguments) with its own arguments, under the name it was started
 * by, with `env` set.
 */
export function launcher(command: string[], env: Record<string, string> = {}): string {
  const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const vars = Object.entries(env).map(([k, v]) => `${k}=${q(v)} `).join("");
  return `#!/usr/bin/env bash\n${vars}exec -a "$0" ${command.map(q).join(" ")} "$@"\n`;
}

/** The text of a launcher running main.ts from source under the name it was started by. */
export function sourceLauncher(): string {
  return launcher([Deno.execPath(), "run", "--allow-all", "--frozen", "--quiet", MAIN_TS]);
}

/**
 * Run the smoke suite (tests/smoke/smoke_test.ts) against the program
 * `bin` (as $SQLITCH_BIN); fails unless every test passed and ran `bin`.
 * Returns the suite's output.
 */
export async function runSmokeSuite(bin: string): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "test",
      "--allow-all",
      "--frozen",
      fileURLToPath(new URL("./smoke_test.ts", import.meta.url)),
    ],
    env: { SQLITCH_BIN: bin, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  strictEqual(out.code, 0, text);
  ok(text.includes(`smoke: testing ${bin}\n`), text);
  ok(/ok \| \d+ passed \| 0 failed/.test(text), text);
  return text;
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
