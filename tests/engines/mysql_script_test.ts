/**
 * The mysql-client emulation over a fake session: what it sends, what it
 * prints, its exit statuses and its refusals. The live comparison with the
 * real client is mysql_corpus_test.ts.
 */
import { deepStrictEqual, equal, rejects } from "node:assert/strict";
import { CapturedOutput } from "../../engines/engine.ts";
import {
  formatError,
  formatStatementEcho,
  formatTabRows,
  formatVerticalRows,
} from "../../engines/mysql_format.ts";
import {
  MysqlUnsupportedError,
  runMysqlScript,
  setVariablesPrefix,
  splitLines,
  sqitchExecuteText,
} from "../../engines/mysql_script.ts";
import {
  type MysqlResult,
  MysqlServerError,
  type MysqlSession,
} from "../../engines/mysql_session.ts";

/** A session answering from a function; records what was sent. */
class FakeSession implements MysqlSession {
  sent: string[] = [];
  constructor(
    private readonly answer: (sql: string) => MysqlResult[] = () => [
      { fields: ["1"], rows: [["1"]] },
    ],
  ) {}
  query(sql: string): Promise<MysqlResult[]> {
    this.sent.push(sql);
    try {
      return Promise.resolve(this.answer(sql));
    } catch (e) {
      return Promise.reject(e);
    }
  }
  database(): Promise<string | null> {
    return Promise.resolve("db");
  }
}

async function run(
  files: Record<string, string>,
  session: MysqlSession = new FakeSession(),
  variables: Record<string, string> = {},
) {
  const out = new CapturedOutput();
  const status = await runMysqlScript(session, "deploy/x.sql", {
    variables,
    out,
    readFile: (p) => {
      if (!(p in files)) throw new Deno.errors.NotFound(p);
      return files[p];
    },
  });
  return { status, out: out.out, err: out.err };
}

Deno.test("Sqitch's --execute text: variables sorted, quotes doubled", () => {
  equal(sqitchExecuteText("deploy/a.sql"), "source deploy/a.sql");
  equal(
    setVariablesPrefix({ "q'x": "it's", foo: "bar", 'we"ird': "v" }),
    `SET @"foo" = 'bar', @"q'x" = 'it''s', @"we""ird" = 'v';\n`,
  );
});

Deno.test("statements are sent one at a time after the SET prefix; rows printed tab-separated", async () => {
  const session = new FakeSession((sql) =>
    sql.startsWith("SELECT")
      ? [{ fields: ["a", "b"], rows: [["x\ty", null], ["back\\slash", "new\nline"]] }]
      : [{ fields: [], rows: [], affectedRows: 0 }]
  );
  const r = await run({ "deploy/x.sql": "SELECT 1;\nINSERT INTO t VALUES (1);\n" }, session, {
    v: "1",
  });
  deepStrictEqual(session.sent, [`SET @"v" = '1'`, "SELECT 1", "INSERT INTO t VALUES (1)"]);
  equal(r.out, "x\\ty\tNULL\nback\\\\slash\tnew\\nline\n");
  equal(r.err, "");
  equal(r.status, 0);
});

Deno.test("a server error echoes the statement, names file and line, exits 1", async () => {
  const session = new FakeSession((sql) => {
    if (sql.includes("nosuch")) {
      throw new MysqlServerError(1305, "42000", "FUNCTION flipr.nosuch does not exist");
    }
    return [];
  });
  const r = await run({ "deploy/x.sql": "SELECT 1;\nSELECT\n  nosuch();\nSELECT 3;\n" }, session);
  equal(
    r.err,
    "--------------\nSELECT\n  nosuch()\n--------------\n\n" +
      "ERROR 1305 (42000) at line 2 in file: 'deploy/x.sql': FUNCTION flipr.nosuch does not exist\n",
  );
  equal(r.status, 1);
  deepStrictEqual(session.sent, ["SELECT 1", "SELECT\n  nosuch()"]);
});

Deno.test("an error after result sets prints them, then an empty echo", async () => {
  const session = new FakeSession(() => {
    throw new MysqlServerError(1146, "42S02", "Table 'd.t' doesn't exist", {
      results: [{ fields: ["x"], rows: [["first"]] }],
    });
  });
  const r = await run({ "deploy/x.sql": "CALL p();" }, session);
  equal(r.out, "first\n");
  equal(
    r.err,
    "--------------\n\n--------------\n\n" +
      "ERROR 1146 (42S02) at line 1 in file: 'deploy/x.sql': Table 'd.t' doesn't exist\n",
  );
});

Deno.test("a missing script is a client error at the --execute line", async () => {
  const r = await run({}, new FakeSession(), { a: "b" });
  equal(r.err, "ERROR at line 2: Failed to open file 'deploy/x.sql', error: 2\n");
  equal(r.status, 1);
});

Deno.test("source nests relative to the working directory; the delimiter is shared", async () => {
  const session = new FakeSession(() => []);
  const r = await run({
    "deploy/x.sql": "source inc/a.sql\nSELECT 2//\n",
    "inc/a.sql": "DELIMITER //\nSELECT 1//\n",
  }, session);
  deepStrictEqual(session.sent, ["SELECT 1", "SELECT 2"]);
  equal(r.status, 0);
});

Deno.test("quit ends only the file it is in", async () => {
  const session = new FakeSession(() => []);
  await run({
    "deploy/x.sql": "source inc/q.sql\nSELECT 2;\n",
    "inc/q.sql": "SELECT 1;\nquit\nSELECT 'never';\n",
  }, session);
  deepStrictEqual(session.sent, ["SELECT 1", "SELECT 2"]);
});

Deno.test("\\G prints rows vertically; \\p prints the buffer; notes are silent", async () => {
  const session = new FakeSession(() => [{ fields: ["a", "b"], rows: [["1", null]] }]);
  const r = await run({ "deploy/x.sql": "SELECT 1 \\p\n\\G\nuse other\nnopager\n" }, session);
  equal(
    r.out,
    "--------------\nSELECT 1 \n--------------\n\n" +
      "*************************** 1. row ***************************\n1\nNULL\n" +
      "PAGER set to stdout\n",
  );
  deepStrictEqual(session.sent, ["SELECT 1", "USE `other`"]);
});

Deno.test("\\W prints warnings after statements that have them", async () => {
  const session = new FakeSession((sql) =>
    sql === "show warnings"
      ? [{ fields: ["Level", "Code", "Message"], rows: [["Warning", "1365", "Division by 0"]] }]
      : [{ fields: ["1/0"], rows: [[null]], warningCount: 1 }]
  );
  const r = await run({ "deploy/x.sql": "\\W\nSELECT 1/0;\n" }, session);
  equal(r.out, "NULL\nWarning (Code 1365): Division by 0\n");
});

Deno.test("an unknown backslash command is an error that stops the run", async () => {
  const r = await run({ "deploy/x.sql": "SELECT 1 \\z\nSELECT 2;\n" });
  equal(r.err, "ERROR at line 1 in file: 'deploy/x.sql': Unknown command '\\z'.\n");
  equal(r.status, 1);
});

Deno.test("a bad DELIMITER prints an error and goes on", async () => {
  const session = new FakeSession(() => []);
  const r = await run({ "deploy/x.sql": "DELIMITER\nSELECT 1;\n" }, session);
  equal(
    r.err,
    "ERROR at line 1 in file: 'deploy/x.sql': DELIMITER must be followed by a 'delimiter' character or string\n",
  );
  equal(r.status, 0);
  deepStrictEqual(session.sent, ["SELECT 1"]);
});

Deno.test("shell, status, connect and edit are refused with a pointer to engine.mysql.client", async () => {
  for (const line of ["\\! ls", "status", "connect", "\\e"]) {
    await rejects(
      run({ "deploy/x.sql": `SELECT 1;\n${line}\n` }),
      (e: unknown) =>
        e instanceof MysqlUnsupportedError && e.file === "deploy/x.sql" && e.line === 2 &&
        e.message.includes("engine.mysql.client"),
    );
  }
});

Deno.test("sandbox mode refuses source as the client does", async () => {
  const r = await run({ "deploy/x.sql": "\\-\nsource other.sql\n" });
  equal(r.err, "ERROR at line 2 in file: 'deploy/x.sql': Not allowed in the sandbox mode\n");
  equal(r.status, 1);
});

Deno.test("formatting helpers", () => {
  equal(formatTabRows(["a"], [["\0"]]), "\\0\n");
  equal(
    formatVerticalRows(["a", "bb"], [["x", null]], true),
    "*************************** 1. row ***************************\n a: x\nbb: NULL\n",
  );
  equal(formatStatementEcho("x\n"), "--------------\nx\n--------------\n\n");
  equal(formatError("m", { line: 0 }), "ERROR: m\n");
  equal(
    formatError("m", { line: 3, file: "f" }, 1064, "42000"),
    "ERROR 1064 (42000) at line 3 in file: 'f': m\n",
  );
  deepStrictEqual(splitLines("a\r\nb\n"), ["a", "b"]);
  deepStrictEqual(splitLines("a\nb"), ["a", "b"]);
  deepStrictEqual(splitLines(""), []);
});
