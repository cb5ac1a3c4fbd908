/**
 * Plan editing and lookup scenarios (add, tag, rework, index_of, find,
 * partial writes) shared by edit_test.ts (expected results recorded from
 * Sqitch 1.3.1) and the oracle comparison.
 */
import type { ChangeOpFields, OracleCase, OracleOp, TagOpFields } from "./sqitch_oracle.ts";

const WHO = {
  planner_name: "Marge Simpson",
  planner_email: "marge@example.com",
  timestamp: "2026-11-23T23:35:43Z",
};
const T = "2013-01-01T00:00:00Z Ann <a@x>";

const add = (name: string, more: Partial<ChangeOpFields> = {}): OracleOp => ({
  op: "add",
  name,
  ...WHO,
  ...more,
});
const rework = (name: string, more: Partial<ChangeOpFields> = {}): OracleOp => ({
  op: "rework",
  name,
  ...WHO,
  ...more,
});
const tag = (name: string, more: Partial<TagOpFields> = {}): OracleOp => ({
  op: "tag",
  name,
  ...WHO,
  ...more,
});
const idx = (key: string): OracleOp => ({ op: "index_of", key });

/** Named scenarios. */
export const EDIT_CASES: Record<string, OracleCase> = {
  "add to a fresh plan": {
    file: "sqitch.plan",
    text: "%syntax-version=1.0.0\n%project=p\n\n",
    ops: [add("users", { note: "Creates table to track our users." }), add("flips")],
  },
  "add with dependencies and a two-paragraph note (no final newline)": {
    file: "sqitch.plan",
    text: `%syntax-version=1.0.0\n%project=proj2\n\na ${T}`,
    ops: [
      add("b", {
        requires: ["proj2:a", "other:x", "proj2:a"],
        conflicts: ["c2", "c2"],
        note: "first para\n\nsecond\\nline \\ back",
      }),
    ],
  },
  "add after a tagged change inserts an empty line": {
    file: "sqitch.plan",
    text: `%project=p\n\na ${T}\n@t1 ${T} # t\n# after tag comment\n`,
    ops: [add("third", { note: "  three  " }), add("fourth", { note: "0" })],
  },
  "add errors": {
    file: "sqitch.plan",
    text: `%project=p\n\na ${T}\n@t1 ${T}\n`,
    ops: [
      add("a"),
      add("HEAD"),
      add("ROOT"),
      add("0123456789abcdef0123456789abcdef01234567x"),
      add("foo@bar"),
      add("a b"),
      add("-a"),
      add("a^1"),
      add("b", { requires: ["zz"] }),
      add("b", { requires: ["a@nope"] }),
      add("b", { requires: ["!!a"] }),
      add("b", { conflicts: ["!a"] }),
      add("b", { requires: ["x:"] }),
      add("b", { requires: ["p:zz"] }),
      add("b", { requires: ["@t1", "a@t1", "a@HEAD", "other:zz", "!a"] }),
    ],
  },
  "add after a header without an empty line (quirk Q3)": {
    file: "sqitch.plan",
    text: "%project=p4\n",
    ops: [add("a")],
  },
  "add to an empty body with a comment": {
    file: "sqitch.plan",
    text: "%project=p\n\n# nothing yet\n",
    ops: [add("a", { requires: ["b"] }), add("a", { conflicts: ["b"] })],
  },
  "tag the last and an earlier change": {
    file: "sqitch.plan",
    text: `%project=p\n\na ${T}\nb ${T}\n`,
    ops: [
      tag("v1", { change: "a", note: "tag on a" }),
      tag("@v0", { change: "a", note: "again on a" }),
      tag("v2", { note: "on last" }),
      tag("v3", { change: "0", note: "x" }),
      idx("@v0"),
      idx("@v3"),
    ],
  },
  "tag errors": {
    file: "sqitch.plan",
    text: `%project=p\n\na ${T}\n@v1 ${T}\na [a@v1] ${T}\n`,
    ops: [
      tag("v1"),
      tag("@v1"),
      tag("v2", { change: "zz" }),
      tag("v2", { change: "a" }),
      tag("a/b"),
      tag("HEAD"),
      tag("@ROOT"),
      tag("0123456789abcdef0123456789abcdef01234567"),
      tag("x^1"),
      tag("v2", { change: "a@v1" }),
    ],
  },
  "tag a plan without changes": {
    file: "sqitch.plan",
    text: "%project=p\n\n",
    ops: [tag("v1")],
  },
  "tag a change whose tags do not follow it directly": {
    file: "sqitch.plan",
    text: `%project=p\n\na ${T}\n# between\n@t1 ${T}\nb ${T}\n`,
    ops: [tag("t2", { change: "a" }), tag("t3", { change: "a" })],
  },
  "rework": {
    file: "sqitch.plan",
    text: `%project=p\n\na ${T}\n@t1 ${T}\n@t2 ${T}\nb ${T}\n`,
    ops: [
      rework("b"),
      rework("zz"),
      rework("a", { requires: ["b", "zz"] }),
      rework("a", { requires: ["b"], conflicts: ["other:q", "b2"], note: "rework a" }),
      rework("a"),
      tag("t3"),
      rework("a"),
      idx("a"),
      idx("a@t1"),
      idx("a@t3"),
      idx("a@HEAD"),
    ],
  },
  "lookups": {
    file: "sqitch.plan",
    text: `%project=p\n\nusers ${T}\nwidgets ${T}\n@v1.0 ${T}\nusers [users@v1.0] ${T}\n` +
      `x ${T}\n@v2 ${T}\n@v3 ${T}\n`,
    ops: [
      idx("users"),
      idx("users@v1.0"),
      idx("users@v2"),
      idx("users@HEAD"),
      idx("users@ROOT"),
      idx("users@nope"),
      idx("users@"),
      idx("@v1.0"),
      idx("@v3"),
      idx("v1.0"),
      idx("widgets"),
      idx("widgets^"),
      idx("widgets^^"),
      idx("widgets^2"),
      idx("widgets~"),
      idx("widgets~~"),
      idx("widgets~3"),
      idx("widgets~4"),
      idx("widgets^0"),
      idx("HEAD"),
      idx("@HEAD"),
      idx("HEAD^"),
      idx("@HEAD^^"),
      idx("ROOT"),
      idx("@ROOT~"),
      idx("ROOT^"),
      idx("@"),
      idx(""),
      idx("nope"),
      idx("users^"),
      idx("@v2^"),
      idx("x@v1.0"),
      idx("4e7c0b89cee6b7b1b93a9e87d64f1d0d3a8beed5"),
      { op: "find", key: "users" },
      { op: "find", key: "users@HEAD" },
      { op: "find", key: "users~" },
      { op: "get", key: "widgets" },
      { op: "get", key: "users" },
      { op: "contains", key: "users" },
      { op: "contains", key: "nope" },
      { op: "contains", key: "@v2" },
      { op: "first_index_of", key: "users" },
      { op: "first_index_of", key: "users", since: "@v1.0" },
      { op: "first_index_of", key: "users", since: "x" },
      { op: "first_index_of", key: "users", since: "nope" },
      { op: "first_index_of", key: "users~" },
    ],
  },
  "lookups on an empty plan": {
    file: "sqitch.plan",
    text: "%project=p\n\n",
    ops: [idx("HEAD"), idx("@ROOT"), { op: "find", key: "a" }],
  },
  "partial writes": {
    file: "sqitch.plan",
    text: `%syntax-version=1.0.0\n%project=p\n# c\n\na ${T}\n@t1 ${T}\n\nb ${T}\n# mid\nc ${T}\n` +
      `@t2 ${T}\n@t3 ${T}\nd ${T}\n`,
    ops: [
      { op: "write_to", from: "b", to: "c" },
      { op: "write_to", from: "a" },
      { op: "write_to", to: "a" },
      { op: "write_to", from: "@t2", to: "@HEAD" },
      { op: "write_to", from: "nope" },
      { op: "write_to", to: "nope" },
    ],
  },
};
