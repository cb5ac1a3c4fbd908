/**
 * The plan grammar matches ASCII-only text with ASCII translations of its
 * Unicode patterns (core/names.ts): on ASCII input both forms must give
 * the same match, captures and positions. Checked on random strings over
 * the characters that matter to the grammar.
 */
import { deepStrictEqual } from "node:assert/strict";
import { ASCII_CHARSET, type LazyPattern, nameRe, UNICODE_CHARSET } from "../../../core/names.ts";
import { GRAMMAR_PATTERNS } from "../../../core/plan/grammar.ts";

const ALPHABET = "aZ_09 \t\x0b@#:%=+-![]<>^~/\\.,;'\"`{}()$&*?|TZ-\r";
const SAMPLES = [
  "change_1 2020-01-01T00:01:01Z Bench <b@x.org>",
  "+a [b c@t !p:d] 2020-01-01T00:01:01Z N <e>",
  "@v1.0 2020-01-01T00:01:01Z N <e>",
  "%project=bench",
  "x^1 y~2 z/3",
  "0123456789abcdef0123456789abcdef01234567",
];

function exec(re: RegExp, text: string): unknown {
  re.lastIndex = 0;
  const m = re.exec(text);
  return m && { match: [...m], index: m.index, groups: m.groups && { ...m.groups } };
}

Deno.test("grammar: ASCII and Unicode patterns agree on ASCII text", () => {
  let seed = 12345;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  const patterns: [string, LazyPattern][] = [["name", nameRe], ...Object.entries(GRAMMAR_PATTERNS)];
  const compiled = patterns.map(([name, p]) =>
    [name, p.build(ASCII_CHARSET), p.build(UNICODE_CHARSET)] as const
  );
  for (let i = 0; i < 20_000; i++) {
    let text: string;
    if (i % 3 === 0) {
      // A sample with a few random edits.
      text = SAMPLES[rand(SAMPLES.length)];
      for (let k = rand(4); k > 0; k--) {
        const at = rand(text.length + 1);
        text = text.slice(0, at) + ALPHABET[rand(ALPHABET.length)] + text.slice(at + rand(2));
      }
    } else {
      text = "";
      for (let k = rand(30); k > 0; k--) text += ALPHABET[rand(ALPHABET.length)];
    }
    for (const [name, ascii, unicode] of compiled) {
      deepStrictEqual(exec(ascii, text), exec(unicode, text), `${name}: ${JSON.stringify(text)}`);
    }
  }
});
