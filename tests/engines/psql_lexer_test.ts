/**
 * The psql lexer on its own: where statements end, what text psql would
 * send, variable interpolation, and meta-command argument parsing.
 * Behaviour checked against psql 15 (see also psql_corpus_test.ts).
 */
import { deepStrictEqual, equal, throws } from "node:assert/strict";
import {
  BacktickError,
  dequoteIdentifier,
  PsqlScanner,
  type QueryBuffer,
  quoteIdentifier,
  quoteLiteral,
  splitLines,
  splitSql,
} from "../../engines/psql_lexer.ts";

const sqls = (text: string, vars: Record<string, string> = {}) =>
  splitSql(text, vars).map((s) => s.sql);

Deno.test("statements end at semicolons outside quotes, comments and parentheses", () => {
  deepStrictEqual(sqls("select 1; select 2;"), ["select 1;", "select 2;"]);
  deepStrictEqual(sqls("select 'a;b'; select \"c;d\";"), ["select 'a;b';", 'select "c;d";']);
  deepStrictEqual(sqls("select (1;\n2);"), ["select (1;\n2);"]);
  deepStrictEqual(sqls("select 1 /* ; /* ; */ ; */;"), ["select 1 /* ; /* ; */ ; */;"]);
  deepStrictEqual(sqls("select 1 -- ; comment\n;"), ["select 1 -- ; comment\n;"]);
  deepStrictEqual(sqls("select 1"), ["select 1"]);
});

Deno.test("dollar quotes with and without tags", () => {
  deepStrictEqual(sqls("select $$a;b$$;"), ["select $$a;b$$;"]);
  deepStrictEqual(sqls("select $t$ $$ ; $u$ $t$;"), ["select $t$ $$ ; $u$ $t$;"]);
  deepStrictEqual(sqls("select $1;"), ["select $1;"]);
  deepStrictEqual(sqls("select a$b; select 2;"), ["select a$b;", "select 2;"]);
  deepStrictEqual(sqls("do $do$\nbegin\n  perform 1;\nend\n$do$;"), [
    "do $do$\nbegin\n  perform 1;\nend\n$do$;",
  ]);
});

Deno.test("string flavours: E'', standard strings, B/X/N/U& prefixes", () => {
  deepStrictEqual(sqls("select E'a\\';b'; select 2;"), ["select E'a\\';b';", "select 2;"]);
  deepStrictEqual(sqls("select 'a\\'; select 2;"), ["select 'a\\';", "select 2;"]);
  deepStrictEqual(sqls("select 'it''s;'; select 2;"), ["select 'it''s;';", "select 2;"]);
  deepStrictEqual(sqls("select B'1;', X'F;', N'n;', U&'u;', U&\"i;\";"), [
    "select B'1;', X'F;', N'n;', U&'u;', U&\"i;\";",
  ]);
});

Deno.test("standard_conforming_strings off: backslash escapes in plain strings", () => {
  const s = new PsqlScanner({
    getVariable: () => undefined,
    warning: () => {},
    active: () => true,
  });
  s.stdStrings = false;
  const buf: QueryBuffer = { text: "" };
  s.setup("select 'a\\';b'; select 2;");
  equal(s.scan(buf), "semicolon");
  equal(buf.text, "select 'a\\';b';");
});

Deno.test("leading whitespace and -- comments are dropped; empty lines outside quotes skipped", () => {
  deepStrictEqual(splitSql("-- c\n\n   select\n\n  1;"), [{ sql: "select\n  1;", line: 5 }]);
  deepStrictEqual(sqls("/* kept */ select 1;"), ["/* kept */ select 1;"]);
  deepStrictEqual(sqls("select '\n\nx';"), ["select '\n\nx';"]);
  deepStrictEqual(sqls("select /*\n\n*/ 1;"), ["select /*\n\n*/ 1;"]);
});

Deno.test("statement line is where its reading ended", () => {
  deepStrictEqual(splitSql("select\n1;\nselect 2; select 3;"), [
    { sql: "select\n1;", line: 2 },
    { sql: "select 2;", line: 3 },
    { sql: "select 3;", line: 3 },
  ]);
});

Deno.test("operators stop before comment starts", () => {
  deepStrictEqual(sqls("select 3--1\n;"), ["select 3--1\n;"]);
  deepStrictEqual(sqls("select 4 */* c; */ 2;"), ["select 4 */* c; */ 2;"]);
});

Deno.test("CREATE FUNCTION … BEGIN ATOMIC … END keeps inner semicolons", () => {
  const f =
    "create function f() returns int language sql\nbegin atomic\n  select case when true then 1 end;\n  select 2;\nend;";
  deepStrictEqual(sqls(f + " select 3;"), [f, "select 3;"]);
  deepStrictEqual(
    sqls("create or replace procedure p() language sql begin atomic select 1; end;"),
    [
      "create or replace procedure p() language sql begin atomic select 1; end;",
    ],
  );
  // BEGIN outside a routine definition is a transaction start
  deepStrictEqual(sqls("begin; select 1;"), ["begin;", "select 1;"]);
});

Deno.test("variables: plain (re-lexed), literal, identifier, test; not inside quotes", () => {
  const vars = { v: "it's", n: "5", semi: "select 1; select", tbl: 'My "T"', b: "a\\b" };
  deepStrictEqual(sqls("select :n, :'v', :\"tbl\", :{?n}, :{?nope}, :nope;", vars), [
    `select 5, 'it''s', "My ""T""", TRUE, FALSE, :nope;`,
  ]);
  deepStrictEqual(sqls("select :'b';", vars), ["select  E'a\\\\b';"]);
  deepStrictEqual(sqls("select ':n', \":n\", $$:n$$, /* :n */ 1::int;", vars), [
    "select ':n', \":n\", $$:n$$, /* :n */ 1::int;",
  ]);
  deepStrictEqual(sqls(":semi 2;", vars), ["select 1;", "select 2;"]);
  deepStrictEqual(sqls("select 1 \\; select 2; select '\\:n';", vars), [
    "select 1 ; select 2;",
    "select '\\:n';",
  ]);
  deepStrictEqual(sqls("select 5 \\:n;", vars), ["select 5 :n;"]);
});

Deno.test("recursive variable expansion is refused with psql's warning", () => {
  const warnings: string[] = [];
  const s = new PsqlScanner({
    getVariable: (name) => (name === "r" ? "select :r" : undefined),
    warning: (m) => warnings.push(m),
    active: () => true,
  });
  const buf: QueryBuffer = { text: "" };
  s.setup(":r;");
  equal(s.scan(buf), "semicolon");
  equal(buf.text, "select :r;");
  deepStrictEqual(warnings, ['skipping recursive expansion of variable "r"']);
});

function slash(line: string, vars: Record<string, string> = {}) {
  const errors: string[] = [];
  const s = new PsqlScanner({
    getVariable: (n, q) =>
      vars[n] === undefined
        ? undefined
        : q === "literal"
        ? quoteLiteral(vars[n])
        : q === "ident"
        ? quoteIdentifier(vars[n])
        : vars[n],
    warning: () => {},
    active: () => true,
  });
  s.slashError = (m) => errors.push(m);
  s.setup(line);
  const buf: QueryBuffer = { text: "" };
  const r = s.scan(buf);
  return { s, r, buf, errors };
}

Deno.test("meta-command name and arguments", () => {
  const { s, r, buf } = slash("select 1 \\echo a 'b c' \"d\" :x :'x' e'f'g\\\\ select 2;", {
    x: "v",
  });
  equal(r, "backslash");
  equal(buf.text, "select 1 ");
  equal(s.slashCommand(), "echo");
  const args = [];
  for (let a = s.slashOption("normal"); a !== null; a = s.slashOption("normal")) args.push(a);
  deepStrictEqual(args, [
    { value: "a", quote: "" },
    { value: "b c", quote: "'" },
    { value: '"d"', quote: '"' },
    { value: "v", quote: ":" },
    { value: "'v'", quote: ":" },
    { value: "efg", quote: "'" },
  ]);
  s.slashCommandEnd();
  equal(s.remaining(), " select 2;");
});

Deno.test("quoted argument escapes, semicolon stripping, unterminated quotes", () => {
  let t = slash("\\x 'a\\nb\\t\\101\\x42\\q''c'");
  t.s.slashCommand();
  deepStrictEqual(t.s.slashOption("normal"), { value: "a\nb\tABq'c", quote: "'" });
  t = slash("\\i file.sql;;");
  t.s.slashCommand();
  deepStrictEqual(t.s.slashOption("normal", true), { value: "file.sql", quote: "" });
  t = slash("\\echo 'open");
  t.s.slashCommand();
  equal(t.s.slashOption("normal"), null);
  deepStrictEqual(t.errors, ["unterminated quoted string"]);
  t = slash("\\echo a\\echo b");
  equal(t.s.slashCommand(), "echo");
  deepStrictEqual(t.s.slashOption("normal"), { value: "a", quote: "" });
  equal(t.s.slashOption("normal"), null);
  t.s.slashCommandEnd();
  equal(t.s.remaining(), "\\echo b");
});

Deno.test("whole-line and SQL-identifier argument modes", () => {
  let t = slash("\\x   rest of \\line ;; ");
  t.s.slashCommand();
  deepStrictEqual(t.s.slashOption("wholeLine", true), { value: "rest of \\line", quote: "" });
  t = slash('\\c "My""Db" Other');
  t.s.slashCommand();
  deepStrictEqual(t.s.slashOption("sqlidhack"), { value: 'My"Db', quote: '"' });
  deepStrictEqual(t.s.slashOption("sqlidhack"), { value: "Other", quote: "" });
  equal(dequoteIdentifier('AbC"DeF"', true), "abcDeF");
});

Deno.test("backquoted commands are reported, not run", () => {
  const t = slash("\\set x `echo :y`", { y: "hi" });
  t.s.slashCommand();
  t.s.slashOption("normal");
  throws(
    () => t.s.slashOption("normal"),
    (e) => e instanceof BacktickError && e.command === "echo hi",
  );
});

Deno.test("splitLines keeps psql's line count", () => {
  deepStrictEqual(splitLines("a\nb\n"), ["a", "b"]);
  deepStrictEqual(splitLines("a\nb"), ["a", "b"]);
  deepStrictEqual(splitLines(""), []);
  deepStrictEqual(splitLines("\n"), [""]);
});

Deno.test("quoting like libpq", () => {
  equal(quoteLiteral("it's"), "'it''s'");
  equal(quoteLiteral("a\\b'"), " E'a\\\\b'''");
  equal(quoteIdentifier('a"b'), '"a""b"');
});
