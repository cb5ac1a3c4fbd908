/**
 * Side-by-side timings of sqlitch and real Sqitch. Each case runs both
 * programs repeatedly (after a warm-up) and prints the median wall time and
 * the ratio. sqlitch runs as $SQLITCH_BIN, or as `deno run` of the release
 * bundle with the binary's runtime flags (scripts/bench_runner.ts).
 * The `plan` case runs in a temporary project holding the 10 000-change
 * plan of scripts/gen_plan.ts. Then the deployment benchmark
 * (scripts/bench_deploy.ts: deploy, revert, status and log of a 1 000-change
 * SQLite project beside Sqitch and beside the node:sqlite floor) runs,
 * unless `--skip-deploy`; `--deploy-changes N` and `--skip-sqitch` pass on
 * to it for quicker iterations (the defaults measure what the targets say).
 *
 *   deno task bench [--runs N] [--skip-deploy] [--deploy-changes N] [--skip-sqitch]
 */
import { parseArgs } from "node:util";
import { generatePlan } from "./gen_plan.ts";
import { benchedSqlitch, haveSqitch, median, timeRun } from "./bench_runner.ts";

const root = new URL("..", import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "25" },
    "skip-deploy": { type: "boolean", default: false },
    "deploy-changes": { type: "string", default: "1000" },
    "skip-sqitch": { type: "boolean", default: false },
  },
});
const runs = Number(values.runs);

/** Median wall-clock milliseconds of `count` runs of `cmd` in `cwd`, after two unmeasured ones. */
async function medianTime(cmd: string[], count: number, cwd = Deno.cwd()): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < count + 2; i++) {
    const elapsed = await timeRun(cmd, cwd);
    if (i >= 2) times.push(elapsed);
  }
  return median(times);
}

/** A temporary project with the generated 10 000-change plan (removed at exit). */
function bigPlanProject(): string {
  const dir = Deno.makeTempDirSync({ prefix: "sqlitch-bench-" });
  Deno.writeTextFileSync(`${dir}/sqitch.conf`, "[core]\n\tengine = sqlite\n");
  Deno.writeTextFileSync(`${dir}/sqitch.plan`, generatePlan({ changes: 10_000 }));
  globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
  return dir;
}

const bigPlan = bigPlanProject();
const cases: Array<
  { name: string; args: string[]; target?: number; cwd?: string; runs?: number }
> = [
  { name: "--version", args: ["--version"], target: 1 / 8 },
  { name: "help", args: ["help"] },
  // Sqitch needs seconds for this one: fewer runs.
  { name: "plan 10k", args: ["plan"], target: 0.1, cwd: bigPlan, runs: Math.min(runs, 5) },
];

const sqitch = !values["skip-sqitch"] && await haveSqitch();
if (!sqitch && !values["skip-sqitch"]) {
  console.error("!!! sqitch is not installed: only sqlitch is timed !!!");
}
console.log(`runs per case: ${runs} (median wall time)`);
console.log(
  "case".padEnd(14) + "sqitch ms".padStart(12) + "sqlitch ms".padStart(12) + "ratio".padStart(9) +
    "  target",
);
const sqlitch = await benchedSqlitch();
let ok = true;
for (const c of cases) {
  const count = c.runs ?? runs;
  const ours = await medianTime([...sqlitch, ...c.args], count, c.cwd);
  const theirs = sqitch ? await medianTime(["sqitch", ...c.args], count, c.cwd) : NaN;
  const ratio = ours / theirs;
  const verdict = c.target === undefined || !sqitch
    ? ""
    : ratio <= c.target
    ? `≤ ${c.target.toFixed(3)} ok`
    : `≤ ${c.target.toFixed(3)} MISSED`;
  if (verdict.endsWith("MISSED")) ok = false;
  console.log(
    c.name.padEnd(14) + theirs.toFixed(1).padStart(12) + ours.toFixed(1).padStart(12) +
      (sqitch ? ratio.toFixed(3) : "-").padStart(9) + "  " + verdict,
  );
}
// In process: parsing the same 10 000-change plan with every ID computed (target ≤ 50 ms).
const parse = await new Deno.Command(Deno.execPath(), {
  args: ["run", "--allow-all", `${root}scripts/bench_plan.ts`],
  stderr: "inherit",
}).output();
const parseLine = new TextDecoder().decode(parse.stdout).trim();
const parseMs = Number(/median ([\d.]+) ms/.exec(parseLine)?.[1] ?? NaN);
console.log(`${parseLine}  ${parseMs <= 50 ? "≤ 50 ok" : "≤ 50 MISSED"}`);
if (!(parseMs <= 50)) ok = false;

if (!values["skip-deploy"]) {
  console.log("");
  const deploy = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      `${root}scripts/bench_deploy.ts`,
      "--changes",
      values["deploy-changes"],
      ...(values["skip-sqitch"] ? ["--skip-sqitch"] : []),
    ],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!deploy.success) ok = false;
}
if (!ok) Deno.exit(1);
