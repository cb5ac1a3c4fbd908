/** Perl-compatible text primitives and timestamps of the plan format. */
import assert from "node:assert/strict";
import { formatTimestamp, isTimestamp } from "../../../core/plan/mod.ts";
import {
  buildNote,
  escapeNote,
  perlTrim,
  perlTrue,
  splitPlanLines,
  unescapeNote,
} from "../../../core/plan/text.ts";
import { splitBlanks, stripInlineNote } from "../../../core/plan/grammar.ts";

Deno.test("text: Perl truthiness, trimming and note escapes", () => {
  assert.deepEqual([undefined, "", "0", "00", " ", "a"].map(perlTrue), [
    false,
    false,
    false,
    true,
    true,
    true,
  ]);
  assert.equal(perlTrim("\u0085\u2028 \t x \f\u3000"), "x");
  assert.equal(perlTrim("\uFEFFx"), "\uFEFFx", "a BOM is not Perl whitespace");
  assert.equal(unescapeNote("a\\\\nb\\n\\r\\t"), "a\\nb\n\r\\t");
  assert.equal(escapeNote("C:\\temp\nx\r"), "C:\\\\temp\\nx\\r");
  assert.equal(buildNote("  0  "), "0");
  assert.equal(buildNote("0"), "0");
  assert.equal(buildNote(undefined), "");
  assert.equal(buildNote("  a\\nb  "), "a\nb");
});

Deno.test("text: lines as Perl reads them", () => {
  assert.deepEqual(splitPlanLines("a\r\nb\rc\n\nd"), ["a", "b\rc", "", "d"]);
  assert.deepEqual(splitPlanLines("a\r"), ["a\r"]);
  assert.deepEqual(splitPlanLines("a\n0"), ["a"]);
  assert.deepEqual(splitPlanLines("a\n0\n"), ["a", "0"]);
  assert.deepEqual(splitPlanLines(""), []);
});

Deno.test("grammar: inline notes and blank splitting", () => {
  assert.deepEqual(stripInlineNote("a  # b # c "), { rest: "a", rspace: "  ", note: "b # c " });
  assert.deepEqual(stripInlineNote("a \t"), { rest: "a", rspace: " \t" });
  assert.deepEqual(stripInlineNote("a#"), { rest: "a", rspace: "", note: "" });
  assert.deepEqual(splitBlanks(" a  b\u3000c "), ["", "a", "b", "c"]);
  assert.deepEqual(splitBlanks("a b"), ["a", "b"]);
  assert.deepEqual(splitBlanks("   "), []);
});

Deno.test("timestamps: now, truncated to seconds, and validity", () => {
  assert.equal(
    formatTimestamp(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678))),
    "2026-01-02T03:04:05Z",
  );
  assert.equal(isTimestamp("2012-06-30T23:59:60Z"), true);
  assert.equal(isTimestamp("2013-06-30T23:59:60Z"), false);
  assert.equal(isTimestamp("2000-02-29T00:00:00Z"), true);
  assert.equal(isTimestamp("1900-02-29T00:00:00Z"), false);
  assert.equal(isTimestamp("2013-01-01T00:00:00"), false);
});
