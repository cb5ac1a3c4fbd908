/** Tests for the config-file parser (config.md §2). */
import assert from "node:assert/strict";
import { normalizeText, parseConfigText } from "../../../core/config/parser.ts";
import type { RawValue } from "../../../core/config/reader.ts";
import { SqlitchError } from "../../../core/errors.ts";

/** Parse text into "key" → values (keys canonical, names lowercased). */
function parse(text: string): Record<string, RawValue[]> {
  const out: Record<string, RawValue[]> = {};
  for (const e of parseConfigText(normalizeText(text).text, "/p/sqitch.conf")) {
    if (e.type !== "variable") continue;
    (out[`${e.section}.${e.name.toLowerCase()}`] ??= []).push(e.value);
  }
  return out;
}

/** The single value of `[a] x = <value>`. */
function value(raw: string): RawValue {
  return parse(`[a]\n\tx = ${raw}\n`)["a.x"][0];
}

/** The parse error message for a text. */
function parseError(text: string): string {
  try {
    parseConfigText(normalizeText(text).text, "/p/sqitch.conf");
  } catch (e) {
    assert.ok(e instanceof SqlitchError);
    assert.equal(e.exitCode, 2);
    assert.ok(!e.message.includes("\n"));
    return e.message;
  }
  assert.fail("no error");
}

Deno.test("value grammar: whitespace runs collapse to one space, also at the end", () => {
  assert.equal(value("Joe  \t Bloggs"), "Joe Bloggs");
  assert.equal(value("value   "), "value ");
  assert.equal(value('"q"x"r"  '), "qxr ");
  assert.equal(value("pg   ; c"), "pg");
  assert.equal(value("pg   # c"), "pg");
});

Deno.test("value grammar: backslash-newline continues the line", () => {
  assert.equal(value("one \\\n  two"), "one  two");
  assert.equal(value("ab\\\ncd"), "abcd");
  assert.equal(value('"p\\\nq"'), "pq");
});

Deno.test("value grammar: escapes outside quotes", () => {
  assert.equal(value("a\\\\b"), "a\\b");
  assert.equal(value("\\\"q\\\" \\'s\\'"), "\"q\" 's'");
  assert.equal(value("1\\n2\\t3\\b4"), "1\n2\t3\b4");
  // Config::GitLike matches these case-insensitively.
  assert.equal(value("a\\Nb\\Tc\\Bd"), "a\nb\tc\bd");
});

Deno.test("value grammar: quoted strings", () => {
  assert.equal(value('"  spaced  "'), "  spaced  ");
  assert.equal(value('"a ;# b" c'), "a ;# b c");
  assert.equal(value('"x\\ty\\nz\\bw"'), "x\ty\nz\bw");
  // Quirks of Config::GitLike: \" stays escaped, \\n reads as \ + newline,
  // a raw newline may appear inside quotes.
  assert.equal(value('"say \\"hi\\""'), 'say \\"hi\\"');
  assert.equal(value('"a\\\\n"'), "a\\\n");
  assert.equal(value('"x\ny"'), "x\ny");
  assert.equal(value('"a\\Nb"'), "a\\Nb");
});

Deno.test("value grammar: comments end values only between tokens", () => {
  // config.md says `a;b` reads as `a`; real Sqitch reads `a;b` (and `a#b`).
  assert.equal(value("a;b"), "a;b");
  assert.equal(value("a#b"), "a#b");
  assert.equal(value("a ;b"), "a");
  assert.equal(value('"x"#b'), "x");
  assert.equal(value('"a;b"'), "a;b");
  assert.equal(value(""), "");
  assert.equal(value("; only a comment"), "");
});

Deno.test("value grammar: bad escapes and unterminated quotes are errors", () => {
  assert.equal(
    parseError("[a]\n\tok = 1\n\td = \\z\n"),
    "Error parsing /p/sqitch.conf at line 3, position 1. Bad line was: '\td = \\z'",
  );
  assert.equal(
    parseError('[a]\n  x = "abc\n'),
    "Error parsing /p/sqitch.conf at line 2, position 2. Bad line was: '  x = \"abc'",
  );
  assert.match(parseError('[a]\n  x = "a\\zb"\n'), /line 2, position 2\./);
});

Deno.test("bare keys are null, `name =` is empty", () => {
  assert.deepEqual(parse("[a]\n\tbare\n\tb2 ; c\n\te =\n\te2 = # c\n"), {
    "a.bare": [null],
    "a.b2": [null],
    "a.e": [""],
    "a.e2": [""],
  });
});

Deno.test("names: any characters but = and newline, trailing blanks dropped", () => {
  assert.deepEqual(parse("[a]\n\to p \t= 2\n\tr]s=3\n\tk;x = b\n\tm#n = 1\n"), {
    "a.o p": ["2"],
    "a.r]s": ["3"],
    "a.k": [null],
    "a.m": [null],
  });
});

Deno.test("variable names keep their spelling in events", () => {
  const events = parseConfigText('[core "variables"]\n\tMyVar = 1\n', "/f");
  assert.deepEqual(events[1], {
    type: "variable",
    section: "core.variables",
    name: "MyVar",
    value: "1",
    offset: 20,
    length: 9,
  });
});

Deno.test("section headers", () => {
  assert.deepEqual(
    parse(
      '[Sec "Sub"] Key = v\n[legacy.SUB]\n\tx = 1\n[target "a \\"q\\" b"]\n\turi = u\n' +
        '[e ""]\n\ty = 1\n[f "0"]\n\tz = 1\n[Ünï]\n\tÄ = 1\n[w \t"t\\\\s"]\n\tk = 1\n',
    ),
    {
      "sec.Sub.key": ["v"],
      "legacy.sub.x": ["1"],
      'target.a "q" b.uri': ["u"],
      "e.y": ["1"],
      "f.z": ["1"],
      "ünï.ä": ["1"],
      "w.t\\s.k": ["1"],
    },
  );
});

Deno.test("section header errors", () => {
  assert.equal(
    parseError("[a]\n[a b]\n"),
    "Error parsing /p/sqitch.conf at line 2, position 0. Bad line was: '[a b]'",
  );
  assert.match(parseError('[b "x\\y"]\n'), /line 1, position 0\. Bad line was: '\[b "x\\y"\]'/);
  assert.match(parseError('[b "x"y"]\n'), /line 1, position 0/);
  assert.match(parseError("[open\n"), /line 1, position 0/);
});

Deno.test("a variable before any section is an error", () => {
  assert.equal(
    parseError("\n\n  x = 1\n"),
    "Error parsing /p/sqitch.conf at line 3, position 2. Bad line was: '  x = 1'",
  );
  assert.match(parseError("# c\nbare\n"), /line 2, position 0/);
});

Deno.test("comments and blank lines anywhere", () => {
  assert.deepEqual(parse("# top\n; semi\n\n[a] ; after header\n\tx = 1 # c\n\t# y = 2\n"), {
    "a.x": ["1"],
  });
  assert.deepEqual(parse(""), {});
  assert.deepEqual(parse("\n\n  \n"), {});
});

Deno.test("sections repeat and values accumulate in order", () => {
  assert.deepEqual(parse("[core]\n\tengine = pg\n[x]\n[CORE]\n\tEngine = sqlite\n"), {
    "core.engine": ["pg", "sqlite"],
  });
});

Deno.test("normalizeText: CRLF, lone CR, trailing newlines", () => {
  assert.deepEqual(normalizeText("[a]\r\n\tx = 1\r\n"), {
    text: "[a]\n\tx = 1\n",
    newline: "\r\n",
  });
  assert.deepEqual(normalizeText("[a]\r\tx = 1\r"), { text: "[a]\n\tx = 1\n", newline: "\r" });
  // A lone CR in a file that has LFs stays.
  assert.deepEqual(normalizeText("a\r\nb\rc\n"), { text: "a\nb\rc\n", newline: "\r\n" });
  assert.deepEqual(normalizeText("x"), { text: "x\n", newline: "\n" });
  assert.deepEqual(normalizeText("x\n\n\n"), { text: "x\n", newline: "\n" });
  assert.deepEqual(normalizeText(""), { text: "\n", newline: "\n" });
});

Deno.test("CRLF continuation lines", () => {
  assert.deepEqual(parse("[a]\r\n\ty = a\\\r\nb\r\n"), { "a.y": ["ab"] });
});
