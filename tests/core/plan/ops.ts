/**
 * Runs the operations of an OracleCase on sqlitch's plan model, giving
 * results in the oracle's shape, so tests can compare the two sides.
 */
import { formatPlan, parsePlan, type Plan } from "../../../core/plan/mod.ts";
import type { OracleCase, OracleOp, OracleOpResult, OracleResult } from "./sqitch_oracle.ts";

/** Run one operation. */
function runOp(plan: Plan, op: OracleOp): OracleOpResult["value"] {
  const who = (o: { planner_name: string; planner_email: string; timestamp: string }) => ({
    plannerName: o.planner_name,
    plannerEmail: o.planner_email,
    timestamp: o.timestamp,
  });
  switch (op.op) {
    case "add":
      return plan.add({ ...op, ...who(op) }).formatOpNameDependencies();
    case "rework":
      return plan.rework({ ...op, ...who(op) }).change.formatOpNameDependencies();
    case "tag": {
      const tag = plan.tag({ ...op, ...who(op) });
      return `${tag.formatName()} ${tag.change.formatNameWithTags()}`;
    }
    case "index_of":
      return plan.indexOf(op.key) ?? null;
    case "first_index_of":
      return plan.firstIndexOf(op.key, op.since) ?? null;
    case "find":
    case "get": {
      const change = op.op === "find" ? plan.find(op.key) : plan.get(op.key);
      return change ? plan.changes.indexOf(change) : null;
    }
    case "contains":
      return plan.contains(op.key);
    case "write_to":
      return formatPlan(plan, { from: op.from, to: op.to });
  }
}

/** Load a case and run its operations with sqlitch. */
export function runLocal(c: OracleCase): OracleResult {
  let plan: Plan;
  try {
    plan = parsePlan(c.text, c.file);
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
  const changes = plan.changes.map((ch) => ({
    name: ch.name,
    id: ch.id,
    rework_tags: ch.reworkTags.map((t) => t.name),
    tags: ch.tags.map((t) => ({ name: t.name, id: t.id })),
  }));
  const lines = formatPlan(plan).split("\n").slice(0, -1);
  const ops: OracleOpResult[] = [];
  for (const op of c.ops ?? []) {
    try {
      ops.push({ ok: true, value: runOp(plan, op) });
    } catch (e) {
      // Sqitch vents an ambiguity's list to stderr and dies with the last line.
      const [error, ...vented] = (e as Error).message.split("\n").reverse();
      const result: OracleOpResult = { ok: false, error };
      if (vented.length && e instanceof Error && e.name === "AmbiguousChangeError") {
        result.stderr = vented.reverse().join("\n") + "\n";
      } else {
        result.error = (e as Error).message;
      }
      ops.push(result);
    }
  }
  return { ok: true, project: plan.project, changes, lines, ops, text: formatPlan(plan) };
}

/** Sort object keys recursively, so results compare regardless of key order. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
