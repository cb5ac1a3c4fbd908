/**
 * How the benchmarks run and time sqlitch and Sqitch. sqlitch runs as the
 * release binary when $SQLITCH_BIN names one, or else as `deno run` of the
 * release bundle the binary is compiled from (scripts/bundle.ts), with the
 * runtime settings it is built with (V8_FLAGS in scripts/compile.ts): the
 * same program, started the same way, bar Deno's reading of the chunks from
 * disk rather than from the binary.
 */
import { bundleProgram } from "./bundle.ts";
import { V8_FLAGS } from "./compile.ts";

const root = new URL("..", import.meta.url).pathname;

/** Where the benches build the release bundle (a gitignored directory). */
export const BENCH_BUNDLE_DIR = `${root}.tmp/bench-bundle`;

/** The command line that runs sqlitch: $SQLITCH_BIN, or the bundle entry `entry` under `deno run`. */
export function sqlitchCommand(
  entry: string,
  env: { SQLITCH_BIN?: string } = Deno.env.toObject(),
): string[] {
  const bin = env.SQLITCH_BIN;
  if (bin) return [bin];
  return [
    Deno.execPath(),
    "run",
    "--allow-all",
    "--no-lock",
    `--v8-flags=${V8_FLAGS.join(",")}`,
    entry,
  ];
}

/**
 * The command line the benches time: $SQLITCH_BIN as it is, or else the
 * release bundle, built afresh from the sources into BENCH_BUNDLE_DIR.
 */
export async function benchedSqlitch(
  env: { SQLITCH_BIN?: string } = Deno.env.toObject(),
): Promise<string[]> {
  if (env.SQLITCH_BIN) return [env.SQLITCH_BIN];
  return sqlitchCommand(await bundleProgram(BENCH_BUNDLE_DIR, root), env);
}

/**
 * Wall-clock milliseconds of one run of `cmd` in `cwd`, output discarded;
 * a failing run throws with its exit code and standard error.
 */
export async function timeRun(cmd: string[], cwd: string): Promise<number> {
  const start = performance.now();
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd,
    stdout: "null",
    stderr: "piped",
    stdin: "null",
  }).output();
  const elapsed = performance.now() - start;
  if (!out.success) {
    throw new Error(
      `${cmd.join(" ")} (in ${cwd}) failed with exit ${out.code}:\n` +
        new TextDecoder().decode(out.stderr),
    );
  }
  return elapsed;
}

/** Whether real Sqitch is installed (`sqitch --version` runs). */
export async function haveSqitch(): Promise<boolean> {
  try {
    return (await new Deno.Command("sqitch", { args: ["--version"], stdout: "null" }).output())
      .success;
  } catch {
    return false;
  }
}

/** The median of `xs` (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** One program's read-only commands, timed in turn with another's (see timeInTurns). */
export interface TurnCase {
  /** The program's command line, without the command. */
  cmd: string[];
  /** The project directory it runs in. */
  cwd: string;
}

/**
 * Median wall times of `commands` (e.g. status, log) for each case, the
 * cases' runs taken in turns (case 1's status, case 2's status, case 1's
 * log, …) so that a machine that slows down or speeds up during the
 * benchmark weighs on every case alike. One warm-up round is not counted.
 * Returns, per case, the median per command.
 */
export async function timeInTurns(
  cases: readonly TurnCase[],
  commands: readonly string[],
  runs: number,
): Promise<Record<string, number>[]> {
  const times = cases.map(() => commands.map((): number[] => []));
  for (let round = 0; round <= runs; round++) {
    for (let k = 0; k < commands.length; k++) {
      for (let c = 0; c < cases.length; c++) {
        const t = await timeRun([...cases[c].cmd, commands[k]], cases[c].cwd);
        if (round > 0) times[c][k].push(t);
      }
    }
  }
  return times.map((perCommand) =>
    Object.fromEntries(commands.map((name, k) => [name, median(perCommand[k])]))
  );
}
