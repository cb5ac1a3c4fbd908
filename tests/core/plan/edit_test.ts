/**
 * Editing and looking up plans (plan-format.md §9, §10): `add`, `tag`,
 * `rework`, change specifiers, partial writes. The expected results were
 * recorded from Sqitch 1.3.1's Plan API (see edit_cases.ts); with Sqitch
 * installed, the cases also run there and must match in full.
 */
import assert from "node:assert/strict";
import {
  AmbiguousChangeError,
  formatPlan,
  formatTimestamp,
  noteFromArgs,
  parsePlan,
} from "../../../core/plan/mod.ts";
import { EDIT_CASES } from "./edit_cases.ts";
import { canonical, runLocal } from "./ops.ts";
import { oracleAvailability, type OracleCase, runOracle } from "./sqitch_oracle.ts";

/** What Sqitch 1.3.1 gave for each case: op values (errors as `{ error }`) and the final text. */
const EXPECTED: Record<
  string,
  { ops: (string | number | boolean | null | { error: string })[]; text: string }
> = {
  "add to a fresh plan": {
    ops: [
      "users",
      "flips",
    ],
    text:
      "%syntax-version=1.0.0\n%project=p\n\nusers 2026-11-23T23:35:43Z Marge Simpson <marge@example.com> # Creates table to track our users.\nflips 2026-11-23T23:35:43Z Marge Simpson <marge@example.com>\n",
  },
  "add with dependencies and a two-paragraph note (no final newline)": {
    ops: [
      "b [a other:x !c2]",
    ],
    text:
      "%syntax-version=1.0.0\n%project=proj2\n\na 2013-01-01T00:00:00Z Ann <a@x>\nb [a other:x !c2] 2026-11-23T23:35:43Z Marge Simpson <marge@example.com> # first para\\n\\nsecond\\nline \\\\ back\n",
  },
  "add after a tagged change inserts an empty line": {
    ops: [
      "third",
      "fourth",
    ],
    text:
      "%syntax-version=1.0.0\n%project=p\n\na 2013-01-01T00:00:00Z Ann <a@x>\n@t1 2013-01-01T00:00:00Z Ann <a@x> # t\n# after tag comment\n\nthird 2026-11-23T23:35:43Z Marge Simpson <marge@example.com> # three\nfourth 2026-11-23T23:35:43Z Marge Simpson <marge@example.com># 0\n",
  },
  "add errors": {
    ops: [
      {
        error:
          'Change "a" already exists in plan sqitch.plan.\nUse "sqitch rework" to copy and rework it',
      },
      { error: '"HEAD" is a reserved name' },
      { error: '"ROOT" is a reserved name' },
      {
        error:
          '"0123456789abcdef0123456789abcdef01234567x" is invalid because it could be confused with a SHA1 ID',
      },
      {
        error:
          '"foo@bar" is invalid: changes must not begin with punctuation, contain "@", ":", "#", "\\", or blanks, or end in punctuation or digits following punctuation',
      },
      {
        error:
          '"a b" is invalid: changes must not begin with punctuation, contain "@", ":", "#", "\\", or blanks, or end in punctuation or digits following punctuation',
      },
      {
        error:
          '"-a" is invalid: changes must not begin with punctuation, contain "@", ":", "#", "\\", or blanks, or end in punctuation or digits following punctuation',
      },
      {
        error:
          '"a^1" is invalid: changes must not begin with punctuation, contain "@", ":", "#", "\\", or blanks, or end in punctuation or digits following punctuation',
      },
      { error: 'Cannot add change "b": requires unknown change "zz"' },
      { error: 'Unknown tag "@nope"' },
      { error: '"!!a" is not a valid dependency specification' },
      { error: '"!a" is not a valid dependency specification' },
      { error: 'Depend object must have either "change", "tag", or "id" defined' },
      { error: 'Cannot add change "b": requires unknown change "zz"' },
      "b [@t1 a@t1 a@HEAD other:zz a]",
    ],
    text:
      "%syntax-version=1.0.0\n%project=p\n\na 2013-01-01T00:00:00Z Ann <a@x>\n@t1 2013-01-01T00:00:00Z Ann <a@x>\n\nb [@t1 a@t1 a@HEAD other:zz a] 2026-11-23T23:35:43Z Marge Simpson <marge@example.com>\n",
  },
  "add after a header without an empty line (quirk Q3)": {
    ops: [
      "a",
    ],
    text:
      "%syntax-version=1.0.0\n%project=p4\na 2026-11-23T23:35:43Z Marge Simpson <marge@example.com>\n",
  },
  "add to an empty body with a comment": {
    ops: [
      { error: 'Cannot add change "a": requires unknown change "b"' },
      "a [!b]",
    ],
    text:
      "%syntax-version=1.0.0\n%project=p\n\n# nothing yet\na [!b] 2026-11-23T23:35:43Z Marge Simpson <marge@example.com>\n",
  },
  "tag the last and an earlier change": {
    ops: [
      "@v1 a @v1",
      "@v0 a @v1 @v0",
      "@v2 b @v2",
      "@v3 b @v2 @v3",
      0,
      1,
    ],
    text:
      "%syntax-version=1.0.0\n%project=p\n\na 2013-01-01T00:00:00Z Ann <a@x>\n@v1 2026-11-23T23:35:43Z Marge Simpson <marge@example.com> # tag on a\n@v0 2026-11-23T23:35:43Z Marge Simpson <marge@example.com> # again on a\nb 2013-01-01T00:00:00Z Ann <a@x>\n@v2 2026-11-23T23:35:43Z Marge Simpson <marge@example.com> # on last\n@v3 2026-11-23T23:35:43Z Marge Simpson <marge@example.com> # x\n",
  },
  "tag errors": {
    ops: [
      { error: 'Tag "@v1" already exists' },
      { error: 'Tag "@v1" already exists' },
      { error: 'Unknown change: "zz"' },
      {
        error:
          'Change "a" is ambiguous. Please specify a tag-qualified change:\n  * a@HEAD\n  * a@v1\nChange lookup failed',
      },
      {
        error:
          '"a/b" is invalid: tags must not begin with punctuation, contain "@", ":", "#", "/", "\\", or blanks, or end in punctuation or digits following punctuation',
      },
      { error: '"HEAD" is a reserved name' },
      { error: '"ROOT" is a reserved name' },
      {
        error:
          '"0123456789abcdef0123456789abcdef01234567" is invalid because it could be confused with a SHA1 ID',
      },
      {
        error:
          '"x^1" is invalid: tags must not begin with punctuation, contain "@", ":", "#", "/", "\\", or blanks, or end in punctuation or digits following punctuation',
      },
      "@v2 a @v1 @v2",
    ],
    text:
      "%syntax-version=1.0.0\n%project=p\n\na 2013-01-01T00:00:00Z Ann <a@x>\n@v1 2013-01-01T00:00:00Z Ann <a@x>\n@v2 2026-11-23T23:35:43Z Marge Simpson <marge@example.com>\na [a@v1] 2013-01-01T00:00:00Z Ann <a@x>\n",
  },
  "tag a plan without changes": {
    ops: [
      { error: 'Cannot apply tag "@v1" to a plan with no changes' },
    ],
    text: "%syntax-version=1.0.0\n%project=p\n\n",
  },
  "tag a change whose tags do not follow it directly": {
    ops: [
      "@t2 a @t1 @t2",
      "@t3 a @t1 @t2 @t3",
    ],
    text:
      "%syntax-version=1.0.0\n%project=p\n\na 2013-01-01T00:00:00Z Ann <a@x>\n# between\n@t2 2026-11-23T23:35:43Z Marge Simpson <marge@example.com>\n@t3 2026-11-23T23:35:43Z Marge Simpson <marge@example.com>\n@t1 2013-01-01T00:00:00Z Ann <a@x>\nb 2013-01-01T00:00:00Z Ann <a@x>\n",
  },
  "rework": {
    ops: [
      {
        error:
          'Cannot rework "b" without an intervening tag.\nUse "sqitch tag" to create a tag and try again',
      },
      {
        error:
          'Change "zz" does not exist in sqitch.plan.\nUse "sqitch add zz" to add it to the plan',
      },
      { error: 'Cannot rework change "a": requires unknown change "zz"' },
      "a [a@t1 b !other:q !b2]",
      {
        error:
          'Cannot rework "a" without an intervening tag.\nUse "sqitch tag" to create a tag and try again',
      },
      "@t3 a @t3",
      "a [a@t3]",
      {
        error:
          'Change "a" is ambiguous. Please specify a tag-qualified change:\n  * a@HEAD\n  * a@t3\n  * a@t1\nChange lookup failed',
      },
      0,
      2,
      3,
    ],
    text:
      "%syntax-version=1.0.0\n%project=p\n\na 2013-01-01T00:00:00Z Ann <a@x>\n@t1 2013-01-01T00:00:00Z Ann <a@x>\n@t2 2013-01-01T00:00:00Z Ann <a@x>\nb 2013-01-01T00:00:00Z Ann <a@x>\na [a@t1 b !other:q !b2] 2026-11-23T23:35:43Z Marge Simpson <marge@example.com> # rework a\n@t3 2026-11-23T23:35:43Z Marge Simpson <marge@example.com>\na [a@t3] 2026-11-23T23:35:43Z Marge Simpson <marge@example.com>\n",
  },
  "lookups": {
    ops: [
      {
        error:
          'Change "users" is ambiguous. Please specify a tag-qualified change:\n  * users@HEAD\n  * users@v1.0\nChange lookup failed',
      },
      0,
      2,
      2,
      0,
      { error: 'Unknown tag "@nope"' },
      { error: 'Unknown tag "@"' },
      1,
      3,
      null,
      1,
      0,
      null,
      null,
      2,
      3,
      null,
      null,
      1,
      3,
      3,
      2,
      1,
      0,
      1,
      null,
      null,
      null,
      null,
      {
        error:
          'Change "users" is ambiguous. Please specify a tag-qualified change:\n  * users@HEAD\n  * users@v1.0\nChange lookup failed',
      },
      2,
      null,
      null,
      0,
      2,
      1,
      1,
      {
        error:
          'Change "users" is ambiguous. Please specify a tag-qualified change:\n  * users@HEAD\n  * users@v1.0\nChange lookup failed',
      },
      true,
      false,
      true,
      0,
      2,
      null,
      { error: 'Unknown change: "nope"' },
      1,
    ],
    text:
      "%syntax-version=1.0.0\n%project=p\n\nusers 2013-01-01T00:00:00Z Ann <a@x>\nwidgets 2013-01-01T00:00:00Z Ann <a@x>\n@v1.0 2013-01-01T00:00:00Z Ann <a@x>\nusers [users@v1.0] 2013-01-01T00:00:00Z Ann <a@x>\nx 2013-01-01T00:00:00Z Ann <a@x>\n@v2 2013-01-01T00:00:00Z Ann <a@x>\n@v3 2013-01-01T00:00:00Z Ann <a@x>\n",
  },
  "lookups on an empty plan": {
    ops: [
      null,
      null,
      null,
    ],
    text: "%syntax-version=1.0.0\n%project=p\n\n",
  },
  "partial writes": {
    ops: [
      "%syntax-version=1.0.0\n%project=p\n# c\n\nb 2013-01-01T00:00:00Z Ann <a@x>\n# mid\nc 2013-01-01T00:00:00Z Ann <a@x>\n@t2 2013-01-01T00:00:00Z Ann <a@x>\n@t3 2013-01-01T00:00:00Z Ann <a@x>\n",
      "%syntax-version=1.0.0\n%project=p\n# c\n\na 2013-01-01T00:00:00Z Ann <a@x>\n@t1 2013-01-01T00:00:00Z Ann <a@x>\n\nb 2013-01-01T00:00:00Z Ann <a@x>\n# mid\nc 2013-01-01T00:00:00Z Ann <a@x>\n@t2 2013-01-01T00:00:00Z Ann <a@x>\n@t3 2013-01-01T00:00:00Z Ann <a@x>\nd 2013-01-01T00:00:00Z Ann <a@x>\n",
      "%syntax-version=1.0.0\n%project=p\n# c\n\na 2013-01-01T00:00:00Z Ann <a@x>\n@t1 2013-01-01T00:00:00Z Ann <a@x>\n",
      "%syntax-version=1.0.0\n%project=p\n# c\n\nc 2013-01-01T00:00:00Z Ann <a@x>\n@t2 2013-01-01T00:00:00Z Ann <a@x>\n@t3 2013-01-01T00:00:00Z Ann <a@x>\nd 2013-01-01T00:00:00Z Ann <a@x>\n",
      { error: "Cannot find change nope" },
      { error: "Cannot find change nope" },
    ],
    text:
      "%syntax-version=1.0.0\n%project=p\n# c\n\na 2013-01-01T00:00:00Z Ann <a@x>\n@t1 2013-01-01T00:00:00Z Ann <a@x>\n\nb 2013-01-01T00:00:00Z Ann <a@x>\n# mid\nc 2013-01-01T00:00:00Z Ann <a@x>\n@t2 2013-01-01T00:00:00Z Ann <a@x>\n@t3 2013-01-01T00:00:00Z Ann <a@x>\nd 2013-01-01T00:00:00Z Ann <a@x>\n",
  },
};

Deno.test("edits and lookups give Sqitch's results", () => {
  for (const [name, c] of Object.entries(EDIT_CASES)) {
    const r = runLocal(c);
    assert.ok(r.ok, name);
    if (!r.ok) continue;
    const ops = r.ops.map((o) => o.ok ? o.value : { error: (o.stderr ?? "") + o.error });
    assert.deepEqual(ops, EXPECTED[name].ops, name);
    assert.equal(r.text, EXPECTED[name].text, name);
  }
});

/** The lookups case plus lookups by change and tag IDs. */
function withIdLookups(): OracleCase {
  const c = EDIT_CASES["lookups"];
  const plan = parsePlan(c.text, c.file);
  const keys = plan.changes.flatMap((ch) => [ch.id, ...ch.tags.map((t) => t.id)]);
  const ops = keys.flatMap((key) => [
    { op: "index_of" as const, key },
    { op: "index_of" as const, key: `${key}^` },
    { op: "find" as const, key },
    { op: "index_of" as const, key: `${key}@v2` },
  ]);
  return { ...c, ops: [...c.ops!, ...ops] };
}

Deno.test("lookups by change and tag ID", () => {
  const c = withIdLookups();
  const r = runLocal(c);
  assert.ok(r.ok);
  if (!r.ok) return;
  const plan = parsePlan(c.text, c.file);
  const byId = r.ops.slice(EDIT_CASES["lookups"].ops!.length).map((o) => o.value);
  const expected = plan.changes.flatMap((ch, i) =>
    [ch.id, ...ch.tags.map((t) => t.id)].flatMap(
      () => [i, i === 0 ? null : i - 1, i, i <= 4 ? i : null],
    )
  );
  assert.deepEqual(byId, expected);
});

Deno.test({
  name: "edits and lookups match real Sqitch",
  ignore: oracleAvailability().status === "skip",
  fn: async () => {
    const availability = oracleAvailability();
    if (availability.status === "fail") throw new Error(availability.reason);
    const cases = Object.values(EDIT_CASES).concat(withIdLookups());
    const results = await runOracle(cases);
    cases.forEach((c, i) => {
      assert.deepEqual(canonical(runLocal(c)), canonical(results[i]), JSON.stringify(c.ops));
    });
  },
});

Deno.test("ambiguous names carry their candidates", () => {
  const plan = parsePlan(EDIT_CASES["lookups"].text, "sqitch.plan");
  assert.throws(() => plan.indexOf("users"), (e: unknown) => {
    assert.ok(e instanceof AmbiguousChangeError);
    assert.equal(e.change, "users");
    assert.deepEqual(e.candidates, ["users@HEAD", "users@v1.0"]);
    assert.equal(e.exitCode, 2);
    return true;
  });
  assert.equal(plan.findTag("@v2")?.change.name, "x");
  assert.equal(plan.findTag("v1.0")?.change.name, "widgets");
  assert.equal(plan.findTag("nope"), undefined);
  assert.equal(plan.lastTaggedChange()?.name, "x");
  assert.deepEqual(plan.tags.map((t) => t.name), ["v1.0", "v2", "v3"]);
});

Deno.test("new changes chain to the plan and hash as a reload would", () => {
  const plan = parsePlan("%syntax-version=1.0.0\n%project=p\n\n", "sqitch.plan");
  const who = {
    plannerName: "Marge Simpson",
    plannerEmail: "marge@example.com",
    timestamp: formatTimestamp(new Date(Date.UTC(2026, 10, 23, 23, 35, 43, 999))),
  };
  assert.equal(who.timestamp, "2026-11-23T23:35:43Z");
  plan.add({ name: "a", note: noteFromArgs(["first", "second"]), ...who });
  plan.tag({ name: "v1", ...who });
  const b = plan.add({ name: "b", requires: ["a"], ...who });
  const { change, previous, tag } = plan.rework({ name: "a", ...who });
  assert.equal(previous.name, "a");
  assert.equal(tag.name, "v1");
  assert.deepEqual(previous.reworkTags.map((t) => t.name), ["v1"]);
  assert.equal(change.parent, b);
  const reloaded = parsePlan(formatPlan(plan), "sqitch.plan");
  assert.deepEqual(
    reloaded.changes.map((c) => c.id),
    plan.changes.map((c) => c.id),
  );
  assert.equal(plan.changes[0].note, "first\n\nsecond");
  // Setting a note afterwards (the editor path) adds rspace and re-hashes.
  const before = change.id;
  change.note = "edited";
  assert.equal(change.rspace, " ");
  assert.notEqual(change.id, before);
});
