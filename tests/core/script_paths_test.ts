import { equal } from "node:assert/strict";
import { parsePlan } from "../../core/plan/mod.ts";
import { changeScriptPath, type ScriptTarget } from "../../core/script_paths.ts";

const PLAN = [
  "%project=p",
  "",
  "a/b 2024-01-01T00:00:00Z A <a@x>",
  "x 2024-01-01T00:00:00Z A <a@x>",
  "@one 2024-01-01T00:00:00Z A <a@x>",
  "@uno 2024-01-01T00:00:00Z A <a@x>",
  "",
  "x [x@one] 2024-01-02T00:00:00Z A <a@x>",
  "",
].join("\n");

const target: ScriptTarget = {
  extension: "sql",
  deployDir: "deploy",
  revertDir: "db/revert",
  verifyDir: "/abs/verify",
  reworkedDeployDir: "old/deploy",
  reworkedRevertDir: "old/revert",
  reworkedVerifyDir: "old/verify",
};

Deno.test("changeScriptPath: plain, nested, reworked instances", () => {
  const plan = parsePlan(PLAN, "sqitch.plan");
  const [ab, x1, x2] = plan.changes;
  const none = () => false;
  equal(changeScriptPath(target, ab, "deploy", none), "deploy/a/b.sql");
  equal(changeScriptPath(target, ab, "verify", none), "/abs/verify/a/b.sql");
  equal(changeScriptPath(target, x2, "revert", none), "db/revert/x.sql");
  // The first rework tag, unless a later one's file exists in the reworked deploy dir.
  equal(changeScriptPath(target, x1, "deploy", none), "old/deploy/x@one.sql");
  const seen: string[] = [];
  const uno = (path: string) => {
    seen.push(path);
    return path === "old/deploy/x@uno.sql";
  };
  equal(changeScriptPath(target, x1, "revert", uno), "old/revert/x@uno.sql");
  equal(seen.join(" "), "old/deploy/x@one.sql old/deploy/x@uno.sql");
  equal(changeScriptPath({ ...target, deployDir: "/" }, x2, "deploy", none), "/x.sql");
});
