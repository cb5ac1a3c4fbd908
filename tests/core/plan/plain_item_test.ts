/** The plain-line fast path of the plan grammar agrees with the general grammar. */
import * as assert from "node:assert/strict";
import {
  isTagLine,
  matchItem,
  matchPlainItem,
  stripInlineNote,
} from "../../../core/plan/grammar.ts";

const NAMES = [
  "a",
  "0",
  "1",
  "_x",
  "users",
  "add-users",
  "v1.0",
  "a.b-c_d",
  "HEAD",
  "x-1",
  "a--b",
  "a.",
  "-a",
  "é",
  "a/b",
  "a=1",
  "a~2",
  "0123456789abcdef0123456789abcdef01234567",
];
const DEPS = [
  "",
  "[a] ",
  "[a b] ",
  "[!a p:b c@t] ",
  "[ a] ",
  "[a  b] ",
  "[a]  ",
  "[a]",
  "[a\tb] ",
  "[] ",
];
const STAMPS = ["2013-01-01T00:00:00Z", "2013-13-45T25:61:99Z", "2013-01-01T00:00:0١Z"];
const PLANNERS = [
  "Ann <a@x>",
  "Ann Lee <a@x.org>",
  "0 <a@x>",
  "Ann  Lee <a@x>",
  "Ann <a x>",
  "Jörg Ü <j@x>",
  "Ann\t<a@x>",
  "Ann <>",
  "<a@x>",
  "Ann <a@x> ",
];
const SPACES = ["", " ", "  ", "\t"];
const NOTES = [
  "",
  " # note",
  "# note",
  "  #  two  words ",
  " #",
  " # ",
  " #\tx",
  " # a # b",
  " # \u00a0x",
  " # \u2028x",
  "\t# x",
  " # x\\ny",
  "#0",
];

Deno.test("grammar: a plain item line matches as the general grammar matches it", () => {
  let plain = 0;
  for (const at of ["", "@"]) {
    for (const name of NAMES) {
      for (const deps of DEPS) {
        for (const ts of STAMPS) {
          for (const planner of PLANNERS) {
            for (const lead of SPACES) {
              for (const gap of SPACES.slice(1)) {
                for (const note of NOTES) {
                  const line = `${lead}${at}${name}${gap}${deps}${ts} ${planner}${note}`;
                  const fast = matchPlainItem(line);
                  if (!fast) continue;
                  plain++;
                  const strip = stripInlineNote(line);
                  assert.equal(fast.isTag, isTagLine(strip.rest), line);
                  assert.deepEqual(fast.m, matchItem(strip.rest), line);
                  assert.equal(fast.rspace, strip.rspace, line);
                  assert.equal(fast.note, strip.note, line);
                }
              }
            }
          }
        }
      }
    }
  }
  assert.ok(plain > 5000, `only ${plain} plain lines`);
});

Deno.test("grammar: lines the fast path leaves to the general grammar", () => {
  for (
    const line of [
      " a 2013-01-01T00:00:00Z Ann <a@x>",
      "+a 2013-01-01T00:00:00Z Ann <a@x>",
      "a  2013-01-01T00:00:00Z Ann <a@x>",
      "a 2013-01-01T00:00:00Z Ann  Lee <a@x>",
      "é 2013-01-01T00:00:00Z Ann <a@x>",
      "a Ann <a@x>",
      "a 2013-01-01T00:00:00Z",
      "a 2013-01-01T00:00:00Z Ann <a@x> ",
      "a 2013-01-01T00:00:00Z Ann <a@x>\t# x",
      "a 2013-01-01T00:00:00Z Ann <a@x> # \u00a0x",
    ]
  ) {
    assert.equal(matchPlainItem(line), undefined, line);
  }
});
