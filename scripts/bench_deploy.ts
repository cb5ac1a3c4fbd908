/**
 * The deployment benchmark: sqlitch beside real Sqitch on the project of
 * scripts/gen_project.ts (1 000 SQLite changes, each one transaction that
 * creates a table and an index and inserts a few rows; a tag every 50), and
 * beside the floor: the same deploy scripts run by `node:sqlite` on one
 * connection with default settings and no registry (a `deno run` of this
 * file with `--floor`). Cases and targets:
 *
 *   deploy --verify   ≤ 2× the floor per change, and ≥ 8× faster than Sqitch
 *   revert -y         ≥ 5× faster than Sqitch
 *   status, log       ≥ 10× faster than Sqitch, on the deployed database
 *   linearity         deploying changes 751–1000 onto 750 deployed costs per
 *                     change ≤ 1.25× deploying changes 1–250 onto none
 *
 * Wall times are medians over `--runs` runs (Sqitch's deploy and revert run
 * once: they take most of a minute; status and log run at least 10 times,
 * in turns with Sqitch's). sqlitch runs as $SQLITCH_BIN, or as `deno run`
 * of the release bundle with the binary's runtime flags (bench_runner.ts).
 *
 *   deno run --allow-all scripts/bench_deploy.ts [--changes N] [--tag-every N]
 *     [--runs N] [--skip-sqitch] [--skip-linearity]
 */
import { parseArgs } from "node:util";
import { DatabaseSync } from "node:sqlite";
import { benchedSqlitch, haveSqitch, median, timeInTurns, timeRun } from "./bench_runner.ts";
import { changeName, writeProject } from "./gen_project.ts";

/** Remove the databases a run leaves in a project directory. */
function resetDatabases(dir: string): void {
  for (const entry of Deno.readDirSync(dir)) {
    if (/\.db(-journal|-wal|-shm)?$/.test(entry.name)) Deno.removeSync(`${dir}/${entry.name}`);
  }
}

/**
 * The floor, in this process: every deploy script, read from its file and
 * run with `exec` on one `node:sqlite` connection (default settings, no
 * registry). Prints the loop's milliseconds.
 */
function runFloor(dir: string, changes: number): void {
  const db = new DatabaseSync(`${dir}/floor.db`);
  const start = performance.now();
  for (let i = 1; i <= changes; i++) {
    db.exec(Deno.readTextFileSync(`${dir}/deploy/${changeName(i)}.sql`));
  }
  const elapsed = performance.now() - start;
  db.close();
  console.log(JSON.stringify({ loopMs: elapsed }));
}

/** One floor run as its own process: its wall time and the loop's time. */
async function floorRun(dir: string, changes: number): Promise<{ wall: number; loop: number }> {
  resetDatabases(dir);
  const start = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--no-lock",
      import.meta.filename!,
      "--floor",
      dir,
      "--changes",
      String(changes),
    ],
    stderr: "inherit",
  }).output();
  const wall = performance.now() - start;
  if (!out.success) throw new Error(`floor run failed with exit ${out.code}`);
  return { wall, loop: JSON.parse(new TextDecoder().decode(out.stdout)).loopMs };
}

interface Row {
  name: string;
  sqitch?: number;
  sqlitch: number;
  /** Divide times by this for a per-change figure. */
  perChange?: number;
  target: string;
  pass?: boolean;
}

function fmtMs(ms: number | undefined): string {
  return ms === undefined || Number.isNaN(ms) ? "-" : `${ms.toFixed(ms < 100 ? 1 : 0)} ms`;
}

function printTable(rows: Row[]): void {
  console.log(
    "case".padEnd(34) + "Sqitch".padStart(11) + "sqlitch".padStart(11) +
      "per change".padStart(22) + "  target",
  );
  for (const r of rows) {
    const per = r.perChange === undefined
      ? ""
      : (r.sqitch === undefined ? "" : `${(r.sqitch / r.perChange).toFixed(2)} / `) +
        `${(r.sqlitch / r.perChange).toFixed(3)} ms`;
    const verdict = r.pass === undefined ? "" : r.pass ? "  PASS" : "  FAIL";
    console.log(
      r.name.padEnd(34) + fmtMs(r.sqitch).padStart(11) + fmtMs(r.sqlitch).padStart(11) +
        per.padStart(22) + "  " + r.target + verdict,
    );
  }
}

async function main(): Promise<boolean> {
  const { values } = parseArgs({
    options: {
      changes: { type: "string", default: "1000" },
      "tag-every": { type: "string", default: "50" },
      runs: { type: "string", default: "3" },
      "skip-sqitch": { type: "boolean", default: false },
      "skip-linearity": { type: "boolean", default: false },
      floor: { type: "string" },
    },
  });
  const changes = Number(values.changes);
  if (values.floor !== undefined) {
    runFloor(values.floor, changes);
    return true;
  }
  const runs = Math.max(1, Number(values.runs));
  const useSqitch = !values["skip-sqitch"] && await haveSqitch();
  if (!values["skip-sqitch"] && !useSqitch) {
    console.error("!!! sqitch is not installed: only sqlitch is timed !!!");
  }

  const base = Deno.makeTempDirSync({ prefix: "sqlitch-bench-deploy-" });
  globalThis.addEventListener("unload", () => Deno.removeSync(base, { recursive: true }));
  const options = { changes, tagEvery: Number(values["tag-every"]) };
  const floorDir = `${base}/floor`, oursDir = `${base}/sqlitch`, theirsDir = `${base}/sqitch`;
  for (const dir of [floorDir, oursDir, theirsDir]) writeProject(dir, options);
  const sqlitch = await benchedSqlitch();

  console.log(
    `deploy benchmark: ${changes} changes, tag every ${options.tagEvery}; ` +
      `median of ${runs} runs (Sqitch deploy/revert: 1 run)`,
  );

  // Floor and sqlitch deploy --verify, interleaved so load changes hit both alike.
  const floorWall: number[] = [], floorLoop: number[] = [], deploys: number[] = [];
  const reverts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const f = await floorRun(floorDir, changes);
    floorWall.push(f.wall);
    floorLoop.push(f.loop);
    resetDatabases(oursDir);
    deploys.push(await timeRun([...sqlitch, "deploy", "--verify"], oursDir));
    reverts.push(await timeRun([...sqlitch, "revert", "-y"], oursDir));
  }
  resetDatabases(oursDir);
  await timeRun([...sqlitch, "deploy"], oursDir);
  // status and log on the deployed databases, sqlitch's and Sqitch's runs in turns.
  const queryRuns = Math.max(runs, 10);
  let theirs: { deploy: number; revert: number; status: number; log: number } | undefined;
  let ours: Record<string, number>;
  if (useSqitch) {
    resetDatabases(theirsDir);
    const deploy = await timeRun(["sqitch", "deploy", "--verify"], theirsDir);
    const [q, t] = await timeInTurns(
      [{ cmd: sqlitch, cwd: oursDir }, { cmd: ["sqitch"], cwd: theirsDir }],
      ["status", "log"],
      queryRuns,
    );
    ours = q;
    const revert = await timeRun(["sqitch", "revert", "-y"], theirsDir);
    theirs = { deploy, revert, status: t.status, log: t.log };
  } else {
    [ours] = await timeInTurns([{ cmd: sqlitch, cwd: oursDir }], ["status", "log"], queryRuns);
  }

  const rows: Row[] = [];
  const floor = median(floorWall);
  rows.push({
    name: "floor: node:sqlite exec, no registry",
    sqlitch: floor,
    perChange: changes,
    target: `(the loop alone: ${(median(floorLoop) / changes).toFixed(3)} ms per change)`,
  });
  const deploy = median(deploys);
  rows.push({
    name: "deploy --verify vs floor",
    sqlitch: deploy,
    perChange: changes,
    target: `≤ 2× floor (${(2 * floor / changes).toFixed(3)} ms): ${(deploy / floor).toFixed(2)}×`,
    pass: deploy <= 2 * floor,
  });
  const faster = (name: string, ours: number, sqitchMs: number | undefined, factor: number) => {
    rows.push({
      name,
      sqitch: sqitchMs,
      sqlitch: ours,
      perChange: name.startsWith("status") || name.startsWith("log") ? undefined : changes,
      target: `≥ ${factor}× faster than Sqitch` +
        (sqitchMs === undefined ? "" : `: ${(sqitchMs / ours).toFixed(1)}×`),
      pass: sqitchMs === undefined ? undefined : sqitchMs >= factor * ours,
    });
  };
  faster("deploy --verify vs Sqitch", deploy, theirs?.deploy, 8);
  faster("revert -y", median(reverts), theirs?.revert, 5);
  faster("status (deployed)", ours.status, theirs?.status, 10);
  faster("log (deployed)", ours.log, theirs?.log, 10);

  if (!values["skip-linearity"] && changes >= 8) {
    // Four equal batches, each its own `deploy --to`: the last lands on a registry
    // (and a database) three times the size the first one found.
    const quarter = Math.floor(changes / 4);
    const batches: number[][] = [[], [], [], []];
    for (let r = 0; r < runs; r++) {
      resetDatabases(oursDir);
      for (let b = 0; b < 4; b++) {
        batches[b].push(
          await timeRun([...sqlitch, "deploy", "--to", changeName((b + 1) * quarter)], oursDir),
        );
      }
    }
    const first = median(batches[0]), last = median(batches[3]);
    rows.push({
      name: `deploy 1–${quarter} (registry empty)`,
      sqlitch: first,
      perChange: quarter,
      target: "",
    });
    rows.push({
      name: `deploy ${3 * quarter + 1}–${4 * quarter} (${3 * quarter} deployed)`,
      sqlitch: last,
      perChange: quarter,
      target: `≤ 1.25× the first batch: ${(last / first).toFixed(2)}×`,
      pass: last <= 1.25 * first,
    });
  }

  printTable(rows);
  return rows.every((r) => r.pass !== false);
}

if (import.meta.main) {
  if (!(await main())) Deno.exit(1);
}
