/**
 * Tests for core/template.ts: the embedded default templates of every
 * engine rendered as Sqitch renders them (targets-and-uris.md §7.5), the
 * custom-template example of §7.3, and a table of cases whose expected
 * output (or error) was recorded from Template Toolkit 2.27 — the engine
 * real Sqitch 1.3.1 renders with — covering chomping, truthiness, loops,
 * dotted access, operators, quoting, virtual methods and parse errors.
 */
import assert from "node:assert/strict";
import { SqlitchError } from "../../core/errors.ts";
import {
  isTrue,
  parseTemplate,
  renderTemplate,
  type TemplateValue,
  type TemplateVars,
} from "../../core/template.ts";
import { DEFAULT_TEMPLATES } from "../../templates/defaults.ts";

/** Render, returning the error message instead of throwing. */
function run(source: string, vars: TemplateVars, name = "T"): string | { error: string } {
  try {
    return renderTemplate(source, vars, name);
  } catch (e) {
    if (e instanceof SqlitchError) return { error: e.message };
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Default templates (targets-and-uris.md §7.5)

/** The body after the header lines, per engine and script (§7.5 table). */
const TX_DDL = "\nBEGIN;\n\n-- XXX Add DDLs here.\n\nCOMMIT;\n";
const TX_VERIFY = "\nBEGIN;\n\n-- XXX Add verifications here.\n\nROLLBACK;\n";
const PLAIN_DDL = "\n-- XXX Add DDLs here.\n";
const PLAIN_VERIFY = "\n-- XXX Add verifications here.\n";
const COMMIT_DDL = "\n-- XXX Add DDLs here.\n\nCOMMIT;\n";
const COMMIT_VERIFY = "\n-- XXX Add verifications here.\n\nROLLBACK;\n";
const SNOW_DDL = "\nUSE WAREHOUSE &warehouse;\n\n-- XXX Add DDLs here.\n";
const SNOW_VERIFY = "\nUSE WAREHOUSE &warehouse;\n\n-- XXX Add verifications here.\n";

const BODIES: Record<string, [string, string, string]> = {
  pg: [TX_DDL, TX_DDL, TX_VERIFY],
  sqlite: [TX_DDL, TX_DDL, TX_VERIFY],
  mysql: [TX_DDL, TX_DDL, TX_VERIFY],
  oracle: [PLAIN_DDL, PLAIN_DDL, PLAIN_VERIFY],
  vertica: [PLAIN_DDL, PLAIN_DDL, PLAIN_VERIFY],
  firebird: [COMMIT_DDL, COMMIT_DDL, COMMIT_VERIFY],
  exasol: [COMMIT_DDL, COMMIT_DDL, COMMIT_VERIFY],
  snowflake: [SNOW_DDL, SNOW_DDL, SNOW_VERIFY],
  cockroach: [PLAIN_DDL, PLAIN_DDL, PLAIN_VERIFY],
  clickhouse: [PLAIN_DDL, PLAIN_DDL, PLAIN_VERIFY],
};

/** `sqitch add appschema` and `sqitch add users -r appschema -x userstable` in project flipr. */
const CHANGES = [
  { change: "appschema", requires: [], conflicts: [], deps: "" },
  {
    change: "users",
    requires: ["appschema"],
    conflicts: ["userstable"],
    deps: "-- requires: appschema\n-- conflicts: userstable\n",
  },
];

Deno.test("default templates: every engine has deploy, revert and verify", () => {
  assert.deepEqual(Object.keys(DEFAULT_TEMPLATES).sort(), Object.keys(BODIES).sort());
  for (const set of Object.values(DEFAULT_TEMPLATES)) {
    assert.deepEqual(Object.keys(set).sort(), ["deploy", "revert", "verify"]);
  }
});

for (const [engine, [deploy, revert, verify]] of Object.entries(BODIES)) {
  Deno.test(`default templates: ${engine} renders as Sqitch does`, () => {
    const t = DEFAULT_TEMPLATES[engine];
    for (const c of CHANGES) {
      const vars = { project: "flipr", engine, ...c };
      assert.equal(
        renderTemplate(t.deploy, vars, "deploy"),
        `-- Deploy flipr:${c.change} to ${engine}\n${c.deps}${deploy}`,
      );
      assert.equal(
        renderTemplate(t.revert, vars, "revert"),
        `-- Revert flipr:${c.change} from ${engine}\n${revert}`,
      );
      assert.equal(
        renderTemplate(t.verify, vars, "verify"),
        `-- Verify flipr:${c.change} on ${engine}\n${verify}`,
      );
    }
  });
}

Deno.test("default templates: several requires and conflicts, names with / @ :", () => {
  const out = renderTemplate(DEFAULT_TEMPLATES.sqlite.deploy, {
    project: "p",
    change: "a/b",
    engine: "sqlite",
    requires: ["x", "other:y", "z@v1", "x"],
    conflicts: ["q", "r"],
  }, "d");
  assert.equal(
    out,
    "-- Deploy p:a/b to sqlite\n-- requires: x\n-- requires: other:y\n-- requires: z@v1\n" +
      "-- requires: x\n-- conflicts: q\n-- conflicts: r\n" + TX_DDL,
  );
});

// ---------------------------------------------------------------------------
// The custom template of §7.3 (observed with TT)

Deno.test("custom template of targets-and-uris.md §7.3", () => {
  const source = `-- D [% project %]:[% change %] ([% engine %])
[% IF schema -%]
SET search_path = [% schema %];
[% ELSE -%]
-- no schema
[% END -%]
[% UNLESS flag %]noflag[% END %]
[% FOREACH c IN column -%]
col [% c %]
[% END -%]
[% FOREACH r IN requires %]req=[% r %];[% END %]
end
`;
  const vars = {
    schema: "foo",
    column: ["id", "name"],
    project: "proj",
    change: "a1",
    engine: "pg",
    requires: [],
    conflicts: [],
  };
  assert.equal(
    renderTemplate(source, vars, "deploy/pg.tmpl"),
    "-- D proj:a1 (pg)\nSET search_path = foo;\nnoflag\ncol id\ncol name\n\nend\n",
  );
  // Without --set: the ELSE branch; a single -s column=id iterates once (TT).
  assert.equal(
    renderTemplate(source, { ...vars, schema: undefined, column: "id", requires: ["a"] }, "x"),
    "-- D proj:a1 (pg)\n-- no schema\nnoflag\ncol id\nreq=a;\nend\n",
  );
});

// ---------------------------------------------------------------------------
// Cases recorded from Template Toolkit 2.27 (template, vars, output or error)

type Case = [string, Record<string, TemplateValue>, string | { error: string }];

const TT_CASES: Case[] = [
  ["a\n  [%- x %]b", { "x": "X" }, "aXb"],
  ["a  [%- x %]b", { "x": "X" }, "a  Xb"],
  ["a\r\n  [%- x %]b", { "x": "X" }, "aXb"],
  ["a\n\n[%- x %]b", { "x": "X" }, "a\nXb"],
  ["[% x -%]  \nb", { "x": "X" }, "Xb"],
  ["[% x -%]  c\nb", { "x": "X" }, "X  c\nb"],
  ["[% x -%]\r\nb", { "x": "X" }, "Xb"],
  ["[% x -%]\n\nb", { "x": "X" }, "X\nb"],
  ["  [%- x %]b", { "x": "X" }, "Xb"],
  ["0[%- x %]", { "x": "X" }, "0X"],
  ["[% x %]   [%- y %]", { "x": "X", "y": "Y" }, "XY"],
  ["\n[%- x -%]\n", { "x": "X" }, "X"],
  ["a\n[%+ x +%]\nb", { "x": "X" }, "a\nX\nb"],
  ["a \n[%~ x ~%]\n \n b|c \n[%= x =%] \n d", { "x": "X" }, "aXb|c X d"],
  ["a\n[%# comment -%]\nb\n[%# c2 %]\nc", {}, "a\nb\n\nc"],
  ["a\n[%-# comment %]\nb", {}, "a\nb"],
  ["x[% %]y[% ; %]z[%  # only comment %]w", {}, "xyzw"],
  ["[% x\n  # comment\n  y %]", { "x": "X", "y": "Y" }, {
    error:
      "file error - parse error - input text line 1-3: unexpected token (y)\n  [% x\n  # comment\n  y %]",
  }],
  ["a \n [%- x -%] \nb", { "x": "X" }, "a Xb"],
  ["a﻿\n[%- x -%]﻿\nb", { "x": "X" }, "a﻿X﻿\nb"],
  ["[% IF a -%]\n  yes\n[%- ELSE -%]\n  no\n[%- END %]\n", { "a": "1" }, "  yes\n"],
  ["[% IF foo -%]\nWe have foo!\n[%- END %]\nnext", { "foo": "1" }, "We have foo!\nnext"],
  ["[% x %", { "x": "a" }, "[% x %"],
  ["[% x %] [% y", { "x": "a" }, "a [% y"],
  ["%] x", { "x": "a" }, "%] x"],
  ["[%x%]|[%  x  %]|[%-x-%]|[%+ x +%]", { "x": "a" }, "a|a|a|a"],
  ["[% IF l %]T[% ELSE %]F[% END %]", { "l": [] }, "T"],
  ["[% IF s %]T[% ELSE %]F[% END %]", { "s": "0" }, "F"],
  ["[% IF s %]T[% ELSE %]F[% END %]", { "s": "" }, "F"],
  ["[% IF s %]T[% ELSE %]F[% END %]", { "s": "0.0" }, "T"],
  ["[% IF s %]T[% ELSE %]F[% END %]", { "s": "00" }, "T"],
  ["[% IF s %]T[% ELSE %]F[% END %]", { "s": " " }, "T"],
  ["[% IF s %]T[% ELSE %]F[% END %]", {}, "F"],
  ["[% IF h %]T[% ELSE %]F[% END %]", { "h": {} }, "T"],
  ["[% IF a %]A[% ELSIF b %]B[% ELSE %]C[% END %]", { "b": "1" }, "B"],
  ["[% IF x %]a[% ELSIF y %]b[% ELSIF z %]c[% END %]", { "z": "1" }, "c"],
  ["[% UNLESS a %]A[% ELSE %]B[% END %]", { "a": "1" }, "B"],
  ["[% UNLESS x %]a[% ELSIF y %]b[% ELSE %]c[% END %]", { "x": "1", "y": "0" }, "c"],
  ["[% IF x; 'a'; ELSE; 'b'; END %]", { "x": "1" }, "a"],
  ["[% FOREACH x IN s %]<[% x %]>[% END %]", { "s": "a" }, "<a>"],
  ["[% FOREACH x IN s %]<[% x %]>[% END %]", { "s": "0" }, ""],
  ["[% FOREACH x IN s %]<[% x %]>[% END %]", { "s": "" }, ""],
  ["[% FOREACH x IN s %]<[% x %]>[% END %]", {}, ""],
  [
    "[% FOREACH x IN s %]<[% x %]>[% END %]after=[% x %]",
    { "s": ["a", "b"], "x": "orig" },
    "<a><b>after=b",
  ],
  ["[% FOREACH x IN l %]<[% x %]>[% END %]", { "l": [null, "a"] }, "<><a>"],
  [
    "[% FOREACH x IN h %]<[% x.key %]=[% x.value %]>[% END %]",
    { "h": { "a": "1", "b": "2" } },
    "<a=1><b=2>",
  ],
  ["[% FOREACH h %][% key %][% END %]", { "h": { "a": "1", "b": "2" } }, "ab"],
  ["[% FOREACH l %]<[% loop.count %][% k %]>[% END %]", { "l": [{ "k": "1" }, "s"] }, "<11><21>"],
  [
    "[% FOR x = l %][% x %][% END %][% FOR x IN l.reverse %][% x %][% END %]",
    { "l": ["a", "b"] },
    "abba",
  ],
  [
    "[% FOREACH x IN l %][% loop.index %]/[% loop.count %]/[% loop.number %]/[% loop.first %]/[% loop.last %]/[% loop.size %]/[% loop.max %]/[% loop.prev %]/[% loop.next %]/[% loop.odd %]/[% loop.even %]/[% loop.parity %];[% END %]",
    { "l": ["a", "b", "c"] },
    "0/1/1/1/0/3/2//b/1/0/odd;1/2/2/0/0/3/2/a/c/0/1/even;2/3/3/0/1/3/2/b//1/0/odd;",
  ],
  [
    "[% FOREACH i IN l %][% FOREACH j IN m %][% loop.count %][% END %]:[% loop.count %] [% END %][% loop %]",
    { "l": ["a", "b"], "m": ["x", "y", "z"] },
    "123:1 123:2 ",
  ],
  ["[% loop.foo %][% FOREACH i IN l %][% loop.Index %][% loop.numbers %][% loop.foo %];[% END %]", {
    "l": ["a", "b"],
  }, "01;12;"],
  [
    "[% FOREACH i IN l %][% i %][% ', ' UNLESS loop.last %][% END %]",
    { "l": ["a", "b", "c"] },
    "a, b, c",
  ],
  ["[% FOREACH i IN l; NEXT IF i == 'b'; i; LAST IF i == 'c'; END %]", {
    "l": ["a", "b", "c", "d"],
  }, "ac"],
  [
    "[% i FOREACH i IN l %]|[% 'x' IF a %]|[% 'y' UNLESS a %]",
    { "a": "1", "l": ["a", "b"] },
    "ab|x|",
  ],
  ["[% Foo %]|[% foo.bar %]|[% l.0 %]|[% l.5 %]|[% l.-1 %]|[% s.0 %]", {
    "Foo": "F",
    "l": ["a", "b"],
    "s": "str",
  }, "F||a||b|"],
  ["[% a.b.c %]|[% a.0.x %]|[% l.0.0 %]|[% h.k %]|[% h.0 %]", {
    "a": [{ "x": "X" }],
    "h": { "0": "zero", "k": "K" },
    "l": [["q"]],
  }, "|X|q|K|zero"],
  ["[% _x %]|[% h._k %]|[% h.k %]", { "_x": "X", "h": { "_k": "1", "k": "2" } }, "||2"],
  ["[% x = u %][% x.defined %]|[% x.length %]|[% u.defined %]|[% u.length %]", {}, "1|0||"],
  ["[% a or b and c %]|[% a and b or c %]|[% b or a %]|[% a and b %]|[% a && 'z' %]", {
    "a": "A",
    "c": "C",
  }, "A|C|A||z"],
  ["[% not a == b %]|[% !a == b %]|[% ! a _ b %]|[% a _ b == c %]|[% a == b _ c %]", {
    "a": "x",
    "b": "x",
    "c": "xx",
  }, "||x|1|"],
  [
    "[% IF a == 'x' %]eq[% END %]|[% IF a != 'y' %]ne[% END %]|[% IF not b %]not[% END %]|[% IF !b %]bang[% END %]",
    { "a": "x" },
    "eq|ne|not|bang",
  ],
  [
    "[% IF a < b %]lt[% END %]|[% IF '10' == 10.0 %]eq[% END %]|[% IF 'abc' < 1 %]z[% END %]|[% 1 < 2 < 3 %]|[% 3 > 2 > 1 %]",
    { "a": "3", "b": "10" },
    "lt|eq|z|1|1",
  ],
  [
    "[% 10 - 2 + 3 %]|[% 2 * 3 + 4 %]|[% 2 + 3 * 4 %]|[% 12 / 2 / 3 %]|[% 7 div 2 %]|[% 7 mod 3 %]|[% -7 % 3 %]|[% 7 % -3 %]|[% 1 / 3 %]|[% 0.1 + 0.2 %]|[% 007 %]|[% 1.50 %]",
    {},
    "11|10|14|2|3|1|2|-2|0.333333333333333|0.3|7|1.5",
  ],
  ["[% a ? b : c ? d : e %]|[% x ? 'y' : 'n' %]|[% a and x ? 'T' : 'F' %]|[% a _ '-' _ b %]", {
    "a": "",
    "b": "B",
    "c": "C",
    "d": "D",
    "e": "E",
    "x": "1",
  }, "D|y|F|-B"],
  [
    '[% \'lit\' %]|[% \'it\\\'s \\\\ \\n\' %]|[% "d\\tq" %]|[% "say \\"hi\\"" %]|[% 42 %]|[% -1 %]',
    {},
    'lit|it\'s \\ \\n|d\tq|say "hi"|42|-1',
  ],
  ['[% "a$x b${ y } c\\$d e$ f" %]|[% "$h.k|${h.k}|$l.1" %]', {
    "h": { "k": "K" },
    "l": ["a", "b"],
    "x": "X",
    "y": "Y",
  }, "aX bY c$d e f|K|K|b"],
  [
    "[% x = 'a'; y = x _ 'b' %][% x %][% y %]|[% SET x = 1 y = 2 %][% x %][% y %]|[% DEFAULT x = 5 z = 6 %][% x %][% z %]|[% SET p = 1, q = 2 %][% p %][% q %]|[% GET x %][% CALL x %]",
    {},
    "aab|12|16|12|1",
  ],
  [
    "[% l.size %]|[% l.max %]|[% l.first %]|[% l.last %]|[% l.first(2).join %]|[% l.last(2).join %]|[% l.slice(1).join %]|[% l.slice(-2, -1).join %]|[% l.item(1) %]|[% l.unique.join %]|[% l.defined(1) %]|[% l.defined(9) %]|[% l.empty %]|[% l.join(', ') %]|[% l.join(\"-\") %]",
    { "l": ["c", "A", "b", "c"] },
    "4|3|c|c|c A|b c|A b c|b c|A|c A b|1||0|c, A, b, c|c-A-b-c",
  ],
  [
    "[% l.sort.join(',') %]|[% l.nsort.join(',') %]|[% l.reverse.join(',') %]|[% e.size %]|[% e.empty %]|[% n.join('+') %]",
    { "e": [], "l": ["10", "9", "b", "A", "2"], "n": ["a", null, "c"] },
    "10,2,9,A,b|b,A,2,9,10|2,A,b,9,10|0|1|a++c",
  ],
  [
    "[% s.length %]|[% s.size %]|[% s.repeat(3) %]|[% s.substr(1) %]|[% s.substr(1, 2) %]|[% s.substr(-2) %]|[% s.substr(1,1,'X') %]|[% s.squote %]|[% s.dquote %]|[% s.empty %]|[% s.lcfirst %]|[% s.upper %]|[% s.lower %]|[% s.ucfirst %]|[% s.defined %]|[% s.list.0 %]|[% s.item %]",
    { "s": "Ab'c\"d" },
    "6|1|Ab'c\"dAb'c\"dAb'c\"d|b'c\"d|b'|\"d|AX'c\"d|Ab\\'c\"d|Ab'c\\\"d|0|ab'c\"d|AB'C\"D|ab'c\"d|Ab'c\"d|1|Ab'c\"d|Ab'c\"d",
  ],
  [
    "[% s.first %]|[% s.last %]|[% s.join %]|[% s.size %]|[% s.reverse.0 %]|[% s.sort.0 %]|[% s.length %]|[% s.upper %]|[% w.trim %]|[% w.collapse %]|",
    { "s": "héllo→𝄞", "w": "  a \n b  " },
    "héllo→𝄞|héllo→𝄞|héllo→𝄞|1|héllo→𝄞|héllo→𝄞|7|HÉLLO→𝄞|a \n b|a b|",
  ],
  [
    "[% h.size %]|[% h.keys.sort.join %]|[% h.item('a') %]|[% h.exists('b') %]|[% h.exists('z') %]|[% h.defined('a') %]|[% FOREACH p IN h.pairs %][% p.key %]=[% p.value %];[% END %]",
    { "h": { "a": "1", "b": "2" } },
    "2|a b|1|1||1|a=1;b=2;",
  ],
  ["[% IF x %]\n", {}, {
    error: "file error - parse error - input text line 1: unexpected end of input",
  }],
  ["a\n\n[% IF x %]\nb\n[% FOREACH y IN z %]\n", {}, {
    error: "file error - parse error - input text line 5: unexpected end of input",
  }],
  ["[% END %]", {}, {
    error: "file error - parse error - input text line 1: unexpected token (END)\n  [% END %]",
  }],
  ["[% ELSE %]", {}, {
    error: "file error - parse error - input text line 1: unexpected token (ELSE)\n  [% ELSE %]",
  }],
  ["a\n[% if x %]", {}, {
    error: "file error - parse error - input text line 2: unexpected token (x)\n  [% if x %]",
  }],
  ["[% IF %]x[% END %]", {}, {
    error: "file error - parse error - input text line 1: unexpected end of directive\n  [% IF %]",
  }],
  ["[% x y %]", {}, {
    error: "file error - parse error - input text line 1: unexpected token (y)\n  [% x y %]",
  }],
  ["[% x = %]", {}, ""],
  ["[% (x %]", {}, {
    error: "file error - parse error - input text line 1: unexpected end of directive\n  [% (x %]",
  }],
  ["[% a/b %]", {}, {
    error: "file error - parse error - input text line 1: unexpected token (a/b)\n  [% a/b %]",
  }],
  ["[% IF a = 1 %]x[% END %]", {}, {
    error: "file error - parse error - input text line 1: unexpected token (=)\n  [% IF a = 1 %]",
  }],
  ["line1\nline2 [% x\n y %]", {}, {
    error: "file error - parse error - input text line 2-3: unexpected token (y)\n  [% x\n y %]",
  }],
  ["[% IF x %]a[% ELSE %]b[% ELSE %]c[% END %]", { "x": "a" }, {
    error: "file error - parse error - input text line 1: unexpected token (ELSE)\n  [% ELSE %]",
  }],
  ["[% x. %]", {}, {
    error: "file error - parse error - input text line 1: unexpected end of directive\n  [% x. %]",
  }],
  ["[% x 'a' %]", {}, {
    error: "file error - parse error - input text line 1: unexpected token ('a')\n  [% x 'a' %]",
  }],
  ['[% x "b" %]', {}, {
    error: "file error - parse error - input text line 1: unexpected token ('b')\n  [% x \"b\" %]",
  }],
  ['[% x "b$c" %]', {}, {
    error: 'file error - parse error - input text line 1: unexpected token (")\n  [% x "b$c" %]',
  }],
  ["[% x 12 %]", {}, {
    error: "file error - parse error - input text line 1: unexpected token (12)\n  [% x 12 %]",
  }],
  ['[% x "it\'s" %]', {}, {
    error:
      "file error - parse error - input text line 1: unexpected token ('it\\'s')\n  [% x \"it's\" %]",
  }],
];

TT_CASES.forEach(([source, vars, expected], i) => {
  Deno.test(`Template Toolkit case ${i + 1}: ${JSON.stringify(source).slice(0, 60)}`, () => {
    const got = run(source, vars);
    if (typeof expected === "string") assert.equal(got, expected);
    else assert.deepEqual(got, { error: `Error executing T: ${expected.error}` });
  });
});

// ---------------------------------------------------------------------------
// Deliberate differences and sqlitch's own errors

Deno.test("lists print as a fake Perl reference", () => {
  assert.equal(renderTemplate("[% l %]", { l: ["a"] }, "t"), "ARRAY(0x55d000000000)");
});

Deno.test("unsupported Template Toolkit features fail naming the template and directive", () => {
  const cases: [string, string][] = [
    [
      "[% INCLUDE foo %]",
      `input text line 1: "INCLUDE" is not supported by sqlitch templates\n  [% INCLUDE foo %]`,
    ],
    [
      "a\n[% x | upper %]",
      "input text line 2: a filter is not supported by sqlitch templates\n  [% x | upper %]",
    ],
    [
      "[% WHILE x %][% END %]",
      `input text line 1: "WHILE" is not supported by sqlitch templates\n  [% WHILE x %]`,
    ],
    [
      "[% BLOCK b %]x[% END %]",
      `input text line 1: "BLOCK" is not supported by sqlitch templates\n  [% BLOCK b %]`,
    ],
    [
      "[% TAGS <+ +> %]",
      `input text line 1: "TAGS" is not supported by sqlitch templates\n  [% TAGS <+ +> %]`,
    ],
    [
      "[% x.$y %]",
      "input text line 1: a $variable reference is not supported by sqlitch templates\n  [% x.$y %]",
    ],
    [
      "[% a.b = 1 %]",
      "input text line 1: assigning to a dotted variable is not supported by sqlitch templates\n  [% a.b = 1 %]",
    ],
    [
      "[% [1, 2].size %]",
      "input text line 1: a list literal is not supported by sqlitch templates\n  [% [1, 2].size %]",
    ],
    [
      "[% x.replace('a', 'b') %]",
      `input text line 1: the "replace" virtual method is not supported by sqlitch templates\n  [% x.replace('a', 'b') %]`,
    ],
    [
      "[% l.grep('a') %]",
      `input text line 1: the "grep" virtual method is not supported by sqlitch templates\n  [% l.grep('a') %]`,
    ],
    ["[% NEXT %]", "input text line 1: NEXT outside a loop"],
    ["[% 1 / z %]", "input text line 1: Illegal division by zero"],
  ];
  for (const [source, message] of cases) {
    assert.deepEqual(run(source, { x: "a", l: ["a"], z: "0" }, "tmpl/deploy/pg.tmpl"), {
      error: `Error executing tmpl/deploy/pg.tmpl: ${message}`,
    }, source);
  }
});

Deno.test("errors are SqlitchErrors with exit code 2; parse errors surface at parse time", () => {
  assert.throws(() => parseTemplate("[% IF x %]", "a.tmpl"), (e: unknown) => {
    assert.ok(e instanceof SqlitchError);
    assert.equal(e.exitCode, 2);
    assert.equal(
      e.message,
      "Error executing a.tmpl: file error - parse error - input text line 1: unexpected end of input",
    );
    return true;
  });
});

Deno.test("an unsupported virtual method only fails when reached", () => {
  assert.equal(renderTemplate("[% IF 0 %][% x.replace('a') %][% END %]ok", { x: "a" }, "t"), "ok");
});

Deno.test("a parsed template renders repeatedly and leaves the variables untouched", () => {
  const t = parseTemplate("[% FOREACH x IN l %][% x %][% END %][% x %][% y = 'set' %]", "t");
  const vars = { l: ["a", "b"], x: "orig" };
  assert.equal(t.render(vars), "abb");
  assert.equal(t.render(vars), "abb");
  assert.deepEqual(vars, { l: ["a", "b"], x: "orig" });
});

Deno.test("plain-object variables never reach prototype members", () => {
  assert.equal(
    renderTemplate("[% constructor %]|[% h.toString %]|[% h.constructor %]", { h: {} }, "t"),
    "||",
  );
});

Deno.test("text without directives is copied byte for byte", () => {
  const text = "  é\r\n\t%] [ % ] $x ${y} \\n\n\n";
  assert.equal(renderTemplate(text, {}, "t"), text);
});

Deno.test("isTrue follows Perl: lists are true even when empty", () => {
  assert.equal(isTrue([]), true);
  assert.equal(isTrue({}), true);
  assert.equal(isTrue("0"), false);
  assert.equal(isTrue(""), false);
  assert.equal(isTrue(undefined), false);
  assert.equal(isTrue(null), false);
  assert.equal(isTrue(0), false);
  assert.equal(isTrue("0.0"), true);
  assert.equal(isTrue(" "), true);
});
