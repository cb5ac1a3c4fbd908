/**
 * Fuzzing the plan parser: 100 000 random, mutated and garbage plans (and
 * raw bytes through the strict decoder). Nothing may crash: every failure
 * is a SqlitchError, syntax errors name the file and a line of it, and
 * every plan that loads writes back to text that loads to the same changes.
 */
import assert from "node:assert/strict";
import { SqlitchError } from "../../../core/errors.ts";
import { decodePlanBytes, formatPlan, parsePlan, type Plan } from "../../../core/plan/mod.ts";
import { chaosPlan, mutate, randomPlan, Rng } from "./gen.ts";

const FILE = "fuzz/sqitch.plan";

/** Messages that come without a file and line (from Perl modules, as Sqitch prints them). */
const UNLOCATED = [
  /^Missing %project pragma in fuzz\/sqitch\.plan$/,
  /^Dependency errors? detected:\n {2}/,
  /^Depend object must have either "change", "tag", or "id" defined$/,
  /^Validation failed for type named (DayOfMonth|Hour|Minute|Month|Second|Year) declared in package DateTime::Types \(.*\) at line \d+ in sub named \(eval\) with value .+$/,
  /^Invalid day of month \(day = \S+ - month = \S+ - year = \S+\)\n at \S+ line 353\.$/,
  /^Invalid second value \(\S+\)\n at \S+ line 353\.$/,
  /^Can't (decode ill-formed UTF-8 octet sequence <[0-9A-F ]+>|interchange noncharacter code point U\+[0-9A-F]+) /,
];

/** Check an error thrown for `text`. */
function checkError(e: unknown, text: string): void {
  if (!(e instanceof SqlitchError)) {
    throw new Error(`crash on ${JSON.stringify(text)}: ${(e as Error)?.stack ?? e}`);
  }
  assert.equal(e.exitCode, 2);
  const m = /^Syntax error in (.*) at line (\d+): ./.exec(e.message);
  if (m) {
    assert.equal(m[1], FILE);
    const line = Number(m[2]);
    const lines = text.split("\n").length;
    assert.ok(line >= 1 && line <= lines, `line ${line} of ${lines}: ${JSON.stringify(text)}`);
    assert.ok(!e.message.slice(m[0].length - 1).includes("\n"), e.message);
    return;
  }
  assert.ok(UNLOCATED.some((re) => re.test(e.message)), `unexpected message: ${e.message}`);
}

/** A plan that loaded must write back to a plan with the same changes and tags. */
function checkRoundTrip(plan: Plan, text: string): void {
  const written = formatPlan(plan);
  let again: Plan;
  try {
    again = parsePlan(written, FILE);
  } catch (e) {
    // Quirk Q7: `[x p:x]` in project p loads but is written as `[x x]`.
    assert.match((e as Error).message, /Duplicate dependency/, JSON.stringify(text));
    return;
  }
  const summary = (p: Plan) =>
    p.changes.map((c) => `${c.id} ${c.name} ${c.tags.map((t) => t.id).join(",")}`).join("\n");
  assert.equal(summary(again), summary(plan), JSON.stringify(text));
}

/** Random text from plan-ish pieces. */
function garbage(rng: Rng): string {
  const pieces = [
    "%project=p\n",
    "\n",
    "a",
    "@",
    "[",
    "]",
    ":",
    "!",
    "#",
    " ",
    "\t",
    "\r\n",
    "2013-01-01T00:00:00Z",
    " Ann <a@x>",
    "0",
    "é",
    "\u3000",
    "\\",
    "^",
    "~",
    "/",
    "%",
    "=",
    "HEAD",
    "+",
    "-",
    "<",
    ">",
    "\uFEFF",
    "𝔘",
    "0123456789abcdef0123456789abcdef01234567",
  ];
  let s = "";
  for (let i = rng.int(0, 40); i > 0; i--) s += rng.pick(pieces);
  return s;
}

Deno.test("fuzz: 100 000 random and mutated plans never crash the parser", () => {
  const rng = new Rng(20261124);
  const seeds = Array.from({ length: 300 }, () => randomPlan(rng, { maxChanges: 12 }));
  let loaded = 0;
  for (let i = 0; i < 100_000; i++) {
    const kind = i % 10;
    const text = kind < 7
      ? mutate(rng.pick(seeds), rng, rng.int(1, 6))
      : kind === 7
      ? garbage(rng)
      : kind === 8
      ? chaosPlan(rng)
      : "%project=p\n\n" + mutate(rng.pick(seeds).split("\n\n").slice(1).join("\n"), rng);
    let plan: Plan;
    try {
      plan = parsePlan(text, FILE);
    } catch (e) {
      checkError(e, text);
      continue;
    }
    loaded++;
    if (i % 5 === 0) checkRoundTrip(plan, text);
  }
  // The mix must exercise both outcomes.
  assert.ok(loaded > 5_000 && loaded < 95_000, `loaded ${loaded}`);
});

Deno.test("fuzz: random bytes through the strict decoder", () => {
  const rng = new Rng(7);
  const valid = new TextEncoder().encode(randomPlan(rng));
  for (let i = 0; i < 20_000; i++) {
    const bytes = i % 2
      ? Uint8Array.from({ length: rng.int(0, 64) }, () => rng.int(0, 255))
      : valid.map((b) => (rng.chance(0.002) ? rng.int(0x80, 0xff) : b));
    let text: string;
    try {
      const decoded = decodePlanBytes(bytes);
      text = decoded.text;
      parsePlan(text, FILE, { truncated: decoded.truncated });
    } catch (e) {
      checkError(e, new TextDecoder().decode(bytes));
    }
  }
});
