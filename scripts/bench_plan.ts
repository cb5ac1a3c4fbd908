/**
 * In-process timing of the plan parser: parses the generated 10 000-change
 * plan (a tag every 50 changes) with every change and tag ID computed, and
 * prints the median of the runs in milliseconds.
 *
 *   deno run scripts/bench_plan.ts [--runs N] [--changes N] [--tag-every N]
 */
import { parseArgs } from "node:util";
import { parsePlan } from "../core/plan/parser.ts";
import { generatePlan } from "./gen_plan.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "20" },
    changes: { type: "string", default: "10000" },
    "tag-every": { type: "string", default: "50" },
  },
});

/** Parse `text` and compute every ID; returns the elapsed milliseconds. */
function timeParse(text: string): number {
  const start = performance.now();
  const plan = parsePlan(text, "sqitch.plan");
  for (const change of plan.changes) {
    void change.id;
    for (const tag of change.tags) void tag.id;
  }
  return performance.now() - start;
}

const text = generatePlan({
  changes: Number(values.changes),
  tagEvery: Number(values["tag-every"]),
});
const runs = Number(values.runs);
for (let i = 0; i < 3; i++) timeParse(text); // warm-up
const times = Array.from({ length: runs }, () => timeParse(text)).sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(
  `plan parse (${values.changes} changes, tag every ${values["tag-every"]}, IDs computed): ` +
    `median ${median.toFixed(1)} ms over ${runs} runs (min ${times[0].toFixed(1)}, ` +
    `max ${times[times.length - 1].toFixed(1)})`,
);
