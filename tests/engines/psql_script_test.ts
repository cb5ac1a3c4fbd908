/**
 * The psql emulation over a fake session: what it sends, what it prints,
 * its exit statuses and its refusals. The live comparison with real psql
 * is psql_corpus_test.ts.
 */
import { deepStrictEqual, equal, rejects } from "node:assert/strict";
import { CapturedOutput } from "../../engines/engine.ts";
import { errorCursor, formatServerMessage } from "../../engines/psql_format.ts";
import {
  canonicalizePath,
  copyDirection,
  parseVariableBool,
  parseVariableNum,
  PsqlUnsupportedError,
  runPsqlScript,
} from "../../engines/psql_script.ts";
import {
  type PgMessage,
  PgServerError,
  type PsqlResult,
  type PsqlSession,
} from "../../engines/psql_session.ts";

/** A session answering from a table of canned results; records what was sent. */
class FakeSession implements PsqlSession {
  sent: string[] = [];
  copied: { sql: string; data: string }[] = [];
  private listener?: (n: PgMessage) => void;
  constructor(
    private readonly answer: (sql: string, notice: (m: PgMessage) => void) => PsqlResult[] = () => [
      { command: "SELECT", rowCount: 1, fields: ["?column?"], rows: [["1"]] },
    ],
  ) {}
  query(sql: string): Promise<PsqlResult[]> {
    this.sent.push(sql);
    try {
      return Promise.resolve(this.answer(sql, (m) => this.listener?.(m)));
    } catch (e) {
      return Promise.reject(e);
    }
  }
  copyIn(sql: string, data: string): Promise<PsqlResult> {
    this.copied.push({ sql, data });
    return Promise.resolve({ command: "COPY", rowCount: 2, fields: [], rows: [] });
  }
  copyOut(sql: string): Promise<{ data: string; result: PsqlResult }> {
    this.sent.push(sql);
    return Promise.resolve({
      data: "1\tx\n",
      result: { command: "COPY", rowCount: 1, fields: [], rows: [] },
    });
  }
  onNotice(listener: ((notice: PgMessage) => void) | undefined): void {
    this.listener = listener;
  }
  reconnect(): Promise<void> {
    return Promise.resolve();
  }
  info() {
    return {
      dbname: "db",
      user: "u",
      host: "127.0.0.1",
      port: "5432",
      serverVersionNum: "150020",
      serverVersion: "15.20",
      encoding: "UTF8",
      standardConformingStrings: true,
    };
  }
}

async function run(
  files: Record<string, string>,
  session = new FakeSession(),
  variables: Record<string, string> = {},
) {
  const out = new CapturedOutput();
  const status = await runPsqlScript(session, "x.sql", {
    out,
    variables,
    readFile: (p) => {
      if (!(p in files)) throw new Deno.errors.NotFound(p);
      return files[p];
    },
  });
  return { status, out: out.out, err: out.err, session };
}

Deno.test("each statement is sent on its own, with its semicolon; rows print unaligned", async () => {
  const r = await run({ "x.sql": "select 1; select 2\n;\n" });
  deepStrictEqual(r.session.sent, ["select 1;", "select 2\n;"]);
  equal(r.out, "1\n1\n");
  equal(r.status, 0);
});

Deno.test("an error prints psql's message with the file and line, and stops with status 3", async () => {
  const session = new FakeSession((sql) => {
    if (sql.includes("nosuch")) {
      throw new PgServerError({
        severity: "ERROR",
        code: "42703",
        message: 'column "nosuch" does not exist',
        position: 10,
        hint: "Perhaps you meant something else.",
      });
    }
    return [];
  });
  const r = await run({ "x.sql": "select 1;\nselect\n  nosuch;\nselect 3;\n" }, session);
  equal(r.status, 3);
  equal(
    r.err,
    'psql:x.sql:3: ERROR:  column "nosuch" does not exist\nLINE 2:   nosuch;\n          ^\nHINT:  Perhaps you meant something else.\n',
  );
  deepStrictEqual(session.sent, ["select 1;", "select\n  nosuch;"]);
});

Deno.test("notices print with the prefix as they arrive", async () => {
  const session = new FakeSession((_sql, notice) => {
    notice({ severity: "NOTICE", message: "hello", where: "PL/pgSQL function" });
    return [];
  });
  const r = await run({ "x.sql": "do $$ begin raise notice 'hello'; end $$;" }, session);
  equal(r.err, "psql:x.sql:1: NOTICE:  hello\n");
});

Deno.test("variables from --set, registry, and meta-commands", async () => {
  const r = await run(
    {
      "x.sql":
        "\\echo :foo :'foo' :\"foo\" :registry\n\\set a 1\n\\if :a\n\\qecho yes\n\\else\n\\echo no\n\\endif\n\\warn w\n",
    },
    undefined,
    { foo: "it's" },
  );
  equal(r.out, `it's 'it''s' "it's" sqitch\nyes\n`);
  equal(r.err, "w\n");
});

Deno.test("COPY FROM STDIN takes the following lines up to \\.", async () => {
  const r = await run({ "x.sql": "copy t from stdin;\n1\tx\n2\ty\n\\.\nselect 1;\n" });
  deepStrictEqual(r.session.copied, [{ sql: "copy t from stdin;", data: "1\tx\n2\ty\n" }]);
  deepStrictEqual(r.session.sent, ["select 1;"]);
});

Deno.test("\\gset and \\gexec", async () => {
  const session = new FakeSession((sql) =>
    sql.startsWith("select 'select")
      ? [{ command: "SELECT", rowCount: 1, fields: ["q", "r"], rows: [["select 7", null]] }]
      : [{ command: "SELECT", rowCount: 1, fields: ["a"], rows: [["42"]] }]
  );
  const r = await run({
    "x.sql": "select 42 as a \\gset p_\n\\echo :p_a\nselect 'select 7', null \\gexec\n",
  }, session);
  equal(r.out, "42\n42\n");
  deepStrictEqual(session.sent, ["select 42 as a ", "select 'select 7', null ", "select 7"]);
});

Deno.test("a missing \\i file is psql's error; a missing script is exit 1", async () => {
  let r = await run({ "x.sql": "\\i nope.sql\nselect 1;\n" });
  equal(r.err, "psql:x.sql:1: error: nope.sql: No such file or directory\n");
  equal(r.status, 3);
  r = await run({});
  equal(r.err, "psql: error: x.sql: No such file or directory\n");
  equal(r.status, 1);
});

Deno.test("unknown meta-commands are psql's error; unemulated ones are refused clearly", async () => {
  const r = await run({ "x.sql": "\\nope\n" });
  equal(r.err, "psql:x.sql:1: error: invalid command \\nope\n");
  equal(r.status, 3);
  await rejects(
    run({ "x.sql": "select 1;\n\\o out.txt\n" }),
    (e) =>
      e instanceof PsqlUnsupportedError && e.line === 2 &&
      /x\.sql:2: the psql meta-command \\o is not supported.*engine\.pg\.client/.test(e.message),
  );
  await rejects(run({ "x.sql": "\\set x `date`\n" }), PsqlUnsupportedError);
  await rejects(run({ "x.sql": "\\set AUTOCOMMIT off\n" }), PsqlUnsupportedError);
  // inactive branches skip what cannot be emulated, as psql skips it
  equal((await run({ "x.sql": "\\if false\n\\o x\n\\set y `date`\n\\endif\n" })).status, 0);
});

Deno.test("helpers: booleans, numbers, paths, COPY detection", () => {
  deepStrictEqual(
    ["t", "TRUE", "y", "on", "o", "of", "1", "0", "nope", ""].map(parseVariableBool),
    [true, true, true, true, undefined, false, true, false, undefined, undefined],
  );
  deepStrictEqual(["10", "0x10", "010", " 5", "5 ", "x"].map(parseVariableNum), [
    10,
    16,
    8,
    5,
    undefined,
    undefined,
  ]);
  deepStrictEqual(
    ["./a.sql", "a//b/./c.sql", "a/../b.sql", "../x.sql", "/a/../../b"].map(canonicalizePath),
    ["a.sql", "a/b/c.sql", "b.sql", "../x.sql", "/b"],
  );
  equal(copyDirection("COPY t (a) FROM STDIN WITH (FORMAT csv);"), "in");
  equal(copyDirection("/* c */ copy (select 'from stdin') to stdout;"), "out");
  equal(copyDirection("copy t from '/tmp/x';"), undefined);
  equal(copyDirection("select 'copy t from stdin';"), undefined);
});

Deno.test("libpq message layout: verbosity, context, cursor truncation", () => {
  const m: PgMessage = {
    severity: "ERROR",
    code: "22012",
    message: "division by zero",
    where: "SQL function",
    routine: "int4div",
    file: "int.c",
    line: "1",
  };
  const style = { verbosity: "default" as const, showContext: "errors" as const };
  equal(formatServerMessage(m, style, true), "ERROR:  division by zero\nCONTEXT:  SQL function\n");
  equal(formatServerMessage(m, style, false), "ERROR:  division by zero\n");
  equal(formatServerMessage(m, { ...style, verbosity: "sqlstate" }, true), "ERROR:  22012\n");
  equal(
    formatServerMessage(m, { ...style, verbosity: "verbose" }, true),
    "ERROR:  22012: division by zero\nCONTEXT:  SQL function\nLOCATION:  int4div, int.c:1\n",
  );
  equal(
    formatServerMessage({ ...m, position: 3 }, { ...style, verbosity: "terse" }, true),
    "ERROR:  division by zero at character 3\n",
  );
  equal(errorCursor("select\tx", 8), "LINE 1: select x\n               ^\n");
  equal(
    errorCursor("select '日本', x", 14),
    "LINE 1: select '日本', x\n                       ^\n",
  );
  const long = "select " + "a, ".repeat(30) + "nosuch;";
  equal(
    errorCursor(long, long.indexOf("nosuch") + 1),
    "LINE 1: ..., a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, nosuch;\n" +
      " ".repeat(64) + "^\n",
  );
});
