/** Unit tests of the plan-header reader (core/plan_pragmas.ts). */
import assert from "node:assert/strict";
import { newPlanText, parsePlanPragmas, readPlanPragmas } from "../../core/plan_pragmas.ts";
import { FakeFs } from "./config/fake_fs.ts";

const parse = (text: string) => parsePlanPragmas(text, "sqitch.plan");

Deno.test("parsePlanPragmas: project, uri, forced syntax version, header length", () => {
  const h = parse("%syntax-version=0.9\n%project=flipr\n%uri=https://x/\n\nchange 2020\n");
  assert.equal(h.project, "flipr");
  assert.equal(h.uri, "https://x/");
  assert.equal(h.pragmas["syntax-version"], "1.0.0");
  assert.equal(h.lines, 4);
  assert.equal(parse("%project=p").pragmas["syntax-version"], "1.0.0");
});

Deno.test("parsePlanPragmas: blanks, inline notes, comments, CRLF, duplicates", () => {
  assert.equal(parse("  %  project  =  p4  # note\n").project, "p4");
  assert.equal(parse("# comment\n%project=a\r\n%project=b\r\n").project, "b");
  assert.equal(parse("%project=p\n%uri=0\n").uri, undefined);
  assert.equal(parse("%project=p\n%uri\n").uri, "1");
  assert.equal(parse("%project=p\n%strict\n").pragmas.strict, "1");
});

Deno.test("parsePlanPragmas: errors", () => {
  assert.throws(() => parse(""), { message: "Missing %project pragma in sqitch.plan" });
  assert.throws(() => parse("# \n%project=p\n"), { message: /^Missing %project pragma/ });
  assert.throws(() => parse("#0\n%project=p\n"), { message: /^Missing %project pragma/ });
  assert.throws(() => parse("%project=p\n#\n"), {
    message: "Syntax error in sqitch.plan at line 2: Invalid pragma; a blank line must come " +
      "between pragmas and changes",
  });
  assert.throws(() => parse("%project=bad@name\n"), {
    message:
      /^Syntax error in sqitch\.plan at line 1: invalid project name "bad@name": project names must not begin with punctuation, contain "@", ":", "#", "\\", or blanks/,
  });
});

Deno.test("readPlanPragmas: missing files and directories", () => {
  const fs = new FakeFs({ "/p/sqitch.plan": "%project=p\n\n" });
  assert.equal(readPlanPragmas(fs, "/p/sqitch.plan").project, "p");
  assert.throws(() => readPlanPragmas(fs, "/p/nope.plan"), {
    message: "Plan file /p/nope.plan does not exist",
  });
  assert.throws(() => readPlanPragmas(fs, "/p"), {
    message: "Plan file /p is not a regular file",
  });
});

Deno.test("newPlanText", () => {
  assert.equal(newPlanText("flipr"), "%syntax-version=1.0.0\n%project=flipr\n\n");
  assert.equal(
    newPlanText("flipr", "https://x/"),
    "%syntax-version=1.0.0\n%project=flipr\n%uri=https://x/\n\n",
  );
});
