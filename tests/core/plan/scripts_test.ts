/** Script file names of change instances (plan-format.md §7.1). */
import assert from "node:assert/strict";
import { parsePlan, scriptSegments } from "../../../core/plan/mod.ts";

const T = "2013-01-01T00:00:00Z Ann <a@x>";

Deno.test("scriptSegments: plain and reworked instances", () => {
  const plan = parsePlan(
    `%project=p\n\nusers ${T}\nfoo/bar ${T}\n@v1.0 ${T}\n@v1.1 ${T}\nusers ${T}\nfoo/bar ${T}\n`,
    "sqitch.plan",
  );
  const [first, nested, rework, nestedRework] = plan.changes;
  const asked: string[][] = [];
  const none = (segments: string[]) => {
    asked.push(segments);
    return false;
  };
  assert.deepEqual(scriptSegments(rework, "sql", none), ["users.sql"]);
  assert.deepEqual(asked, [], "the last instance needs no lookup");
  assert.deepEqual(scriptSegments(nestedRework, "sql", none), ["foo", "bar.sql"]);
  // No candidate exists: the first rework tag is used.
  assert.deepEqual(scriptSegments(first, "sql", none), ["users@v1.0.sql"]);
  assert.deepEqual(asked, [["users@v1.0.sql"], ["users@v1.1.sql"]]);
  // The first candidate that exists wins.
  const has = (name: string) => (segments: string[]) => segments.join("/") === name;
  assert.deepEqual(scriptSegments(first, "sql", has("users@v1.1.sql")), ["users@v1.1.sql"]);
  assert.deepEqual(scriptSegments(nested, "pgsql", has("foo/bar@v1.1.pgsql")), [
    "foo",
    "bar@v1.1.pgsql",
  ]);
});
