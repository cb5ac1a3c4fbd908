/**
 * The benchmark harness the server engines share (scripts/bench_pg.ts,
 * scripts/bench_mysql.ts): sqlitch beside real Sqitch on the generated
 * project, each on databases of its own, beside the floor — the same
 * deploy and verify scripts sent on one driver session with no registry —
 * printing per-change costs and the ratios against each issue's targets.
 */
import { parseArgs } from "node:util";
import { benchedSqlitch, timeInTurns, timeRun } from "./bench_runner.ts";
import { changeName } from "./gen_project.ts";

/** A session that can send a script's text (the floor). */
export interface BenchSession {
  query(sql: string): Promise<unknown>;
  close(): Promise<void>;
}

/** What one engine's benchmark supplies. */
export interface ServerBench {
  /** Engine name in temp-dir prefixes (`pg`, `mysql`). */
  engine: string;
  /** Write the generated project adapted to the engine, targeting database `db`. */
  writeProject(dir: string, changes: number, db: string): void;
  createDatabase(db: string): Promise<void>;
  /** Drop `db` and whatever else the run created for it (registries). */
  dropDatabase(db: string): Promise<void>;
  /** One driver session on `db`. */
  session(db: string): Promise<BenchSession>;
  /** Targets: Sqitch ÷ sqlitch at least this much. */
  targets: { deploy: number; revert: number; status: number; log: number };
}

/** The floor: every deploy and verify script sent on one session, no registry. */
async function floor(bench: ServerBench, dir: string, changes: number, db: string) {
  const session = await bench.session(db);
  try {
    const start = performance.now();
    for (let i = 1; i <= changes; i++) {
      for (const sub of ["deploy", "verify"]) {
        await session.query(Deno.readTextFileSync(`${dir}/${sub}/${changeName(i)}.sql`));
      }
    }
    return performance.now() - start;
  } finally {
    await session.close();
  }
}

/** The command-line options of a server benchmark. */
export interface ServerBenchOptions {
  changes: number;
  runs: number;
  skipSqitch: boolean;
}

/**
 * The options `--changes N`, `--runs N`, `--skip-sqitch`, read before any
 * work: `--help` prints `usage` and exits 0; an unknown option or a bad
 * number prints why and the usage, and exits 2.
 */
export function serverBenchOptions(args: string[], usage: string): ServerBenchOptions {
  try {
    const { values } = parseArgs({
      args,
      options: {
        changes: { type: "string", default: "1000" },
        runs: { type: "string", default: "5" },
        "skip-sqitch": { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
      strict: true,
    });
    if (values.help) {
      console.log(usage);
      Deno.exit(0);
    }
    const changes = Number(values.changes);
    const runs = Number(values.runs);
    for (const [name, n] of [["--changes", changes], ["--runs", runs]] as const) {
      if (!Number.isInteger(n) || n < 1) throw new Error(`${name} takes a whole number ≥ 1`);
    }
    return { changes, runs, skipSqitch: values["skip-sqitch"] };
  } catch (e) {
    console.error(`${(e as Error).message}\n${usage}`);
    Deno.exit(2);
  }
}

/** Run the benchmark (options from `serverBenchOptions`). */
export async function runServerBench(
  bench: ServerBench,
  options: ServerBenchOptions,
): Promise<void> {
  const { changes, runs } = options;
  const stamp = `bench_${Date.now().toString(36)}`;
  const sides: [string, string[]][] = [["sqlitch", await benchedSqlitch()]];
  if (!options.skipSqitch) sides.push(["sqitch", ["sqitch"]]);

  const results = new Map<string, Record<string, number>>();
  const floorDir = await Deno.makeTempDir({ prefix: `sqlitch-bench-${bench.engine}-` });
  try {
    bench.writeProject(floorDir, changes, `${stamp}_floor`);
    await bench.createDatabase(`${stamp}_floor`);
    const floorMs = await floor(bench, floorDir, changes, `${stamp}_floor`);
    await bench.dropDatabase(`${stamp}_floor`);
    console.log(
      `floor (one session, deploy+verify scripts): ${(floorMs / changes).toFixed(2)} ms/change`,
    );
    // Each side deploys to a database of its own; then status and log run in
    // turns (so a machine's drift weighs on both alike); then each reverts.
    const deployed: { name: string; cmd: string[]; db: string; dir: string }[] = [];
    try {
      for (const [name, cmd] of sides) {
        const db = `${stamp}_${name}`;
        const dir = await Deno.makeTempDir({ prefix: `sqlitch-bench-${bench.engine}-${name}-` });
        bench.writeProject(dir, changes, db);
        await bench.createDatabase(db);
        deployed.push({ name, cmd, db, dir });
        results.set(name, { deploy: await timeRun([...cmd, "deploy", "--verify"], dir) });
      }
      const queries = await timeInTurns(
        deployed.map(({ cmd, dir }) => ({ cmd, cwd: dir })),
        ["status", "log"],
        runs,
      );
      for (const [i, { name, cmd, dir }] of deployed.entries()) {
        const r = results.get(name)!;
        Object.assign(r, queries[i]);
        r.revert = await timeRun([...cmd, "revert", "-y"], dir);
        console.log(
          `${name}: deploy --verify ${(r.deploy / changes).toFixed(2)} ms/change, ` +
            `revert ${(r.revert / changes).toFixed(2)} ms/change, ` +
            `status ${r.status.toFixed(0)} ms, log ${r.log.toFixed(0)} ms`,
        );
      }
    } finally {
      for (const { db, dir } of deployed) {
        await bench.dropDatabase(db);
        await Deno.remove(dir, { recursive: true });
      }
    }
    const ours = results.get("sqlitch")!;
    console.log(
      `deploy --verify vs floor: ${(ours.deploy / floorMs).toFixed(2)}× (target ≤ 2×)`,
    );
    const theirs = results.get("sqitch");
    if (theirs) {
      for (
        const [k, target] of Object.entries(bench.targets) as [keyof typeof bench.targets, number][]
      ) {
        console.log(
          `${k}: sqitch/sqlitch ${(theirs[k] / ours[k]).toFixed(1)}× (target ≥ ${target}×)`,
        );
      }
    }
  } finally {
    await Deno.remove(floorDir, { recursive: true });
  }
}
