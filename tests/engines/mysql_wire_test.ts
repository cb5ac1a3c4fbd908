/**
 * Live tests of sqlitch's own MySQL protocol session (engines/mysql_wire.ts)
 * through `MysqlConnection`, on the test server: authentication with and
 * without a password (and its failures in the client library's words),
 * the handshake character set giving the session the real `mysql` client
 * gets with `--default-character-set`, values of every length encoding,
 * NULL, non-ASCII text and a leading U+FEFF, several results in one reply,
 * failures after results and while reading rows, and a unix socket.
 * Skipped loudly without the server (mysql_server.ts), failing under CI.
 */
import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { MysqlConnection } from "../../engines/mysql_connection.ts";
import { MysqlConnectionError, type MysqlServerError } from "../../engines/mysql_session.ts";
import {
  createDatabase,
  dropDatabase,
  MYSQL_HOST,
  MYSQL_PORT,
  MYSQL_USER,
  mysqlAvailable,
  mysqlExec,
} from "./mysql_server.ts";

const live = await mysqlAvailable();

function params(extra: Record<string, unknown> = {}) {
  return { host: MYSQL_HOST, port: MYSQL_PORT, user: MYSQL_USER, compress: false, ...extra };
}

function open(
  extra: Record<string, unknown> = {},
  names = "utf8mb3",
  database?: string | null,
): Promise<MysqlConnection> {
  return MysqlConnection.open({ params: params(extra), names, database });
}

const opts = { ignore: !live, sanitizeResources: false, sanitizeOps: false };

Deno.test({
  name: "mysql wire: values of every length encoding, NULL, non-ASCII and a leading BOM",
  ...opts,
  async fn() {
    const s = await open();
    try {
      const long = "x".repeat(300);
      const longer = "y".repeat(70_000);
      const [r] = await s.query(
        `SELECT NULL, '', 'abc', '${long}', '${longer}', 'é€😀', CONCAT(_utf8mb4 x'EFBBBF', 'a')`,
      );
      deepStrictEqual(r.rows, [[null, "", "abc", long, longer, "é€😀", "\ufeffa"]]);
      const [ascii] = await s.query("SELECT 'plain', NULL, 'text'");
      deepStrictEqual(ascii.rows, [["plain", null, "text"]]);
      deepStrictEqual(ascii.fields, ["plain", "NULL", "text"]);
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name: "mysql wire: several results in one reply, with affected rows and warnings",
  ...opts,
  async fn() {
    const db = `sqlw_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
    await createDatabase(db);
    const s = await open({}, "utf8mb3", db);
    try {
      const results = await s.query(
        "CREATE TABLE t (a INT); INSERT INTO t VALUES (1), (2); SELECT a FROM t ORDER BY a; " +
          "SELECT CAST('x' AS INT)",
      );
      strictEqual(results.length, 4);
      strictEqual(results[1].affectedRows, 2);
      deepStrictEqual(results[2].rows, [["1"], ["2"]]);
      deepStrictEqual(results[3].rows, [["0"]]);
      strictEqual(results[3].warningCount, 1);
      // A failure after results keeps them.
      await rejects(s.query("SELECT 1; SELECT nosuch FROM t"), (e: MysqlServerError) => {
        strictEqual(e.errno, 1054);
        strictEqual(e.sqlState, "42S22");
        strictEqual(e.results?.length, 1);
        strictEqual(e.afterFields, undefined);
        return true;
      });
      // A failure while the rows come.
      await rejects(
        s.query("SELECT a, (SELECT a FROM t) FROM t"),
        (e: MysqlServerError) => {
          strictEqual(e.errno, 1242);
          strictEqual(e.afterFields, true);
          return true;
        },
      );
      // The session goes on.
      deepStrictEqual((await s.query("SELECT 2"))[0].rows, [["2"]]);
    } finally {
      await s.close();
      await dropDatabase(db);
    }
  },
});

/** What the real client's session says about its character set. */
async function clientCharset(name: string): Promise<string> {
  const r = await new Deno.Command("mysql", {
    args: [
      `--default-character-set=${name}`,
      "--user",
      MYSQL_USER,
      "--host",
      MYSQL_HOST,
      "--port",
      String(MYSQL_PORT),
      "--silent",
      "--skip-column-names",
      "--execute",
      CHARSET_QUERY,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(r.stdout).trim();
}

const CHARSET_QUERY = "SELECT @@character_set_client, @@character_set_connection, " +
  "@@character_set_results, @@collation_connection";

function hasClient(): boolean {
  try {
    return new Deno.Command("mysql", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

Deno.test({
  name: "mysql wire: the handshake character set gives the client's session",
  ...opts,
  ignore: !live || !hasClient(),
  async fn() {
    for (const name of ["utf8mb3", "utf8", "latin1", "utf8mb4", "cp1251", "binary"]) {
      const s = await open({}, name);
      try {
        const [r] = await s.query(CHARSET_QUERY);
        strictEqual(r.rows[0].join("\t"), await clientCharset(name), name);
      } finally {
        await s.close();
      }
    }
    // Not a client character set: SET NAMES fails as the server says.
    await rejects(open({}, "utf16"), (e: MysqlServerError) => {
      strictEqual(e.errno, 1231);
      return true;
    });
  },
});

Deno.test({
  name: "mysql wire: passwords, and failures to connect in the client library's words",
  ...opts,
  async fn() {
    const user = `sqlw_${crypto.randomUUID().replaceAll("-", "").slice(0, 8)}`;
    await mysqlExec(`CREATE USER '${user}'@'%' IDENTIFIED BY 'p4ss w0rd'`);
    try {
      const s = await open({ user, password: "p4ss w0rd" }, "utf8mb3", null);
      deepStrictEqual((await s.query("SELECT CURRENT_USER()"))[0].rows, [[`${user}@%`]]);
      await s.close();
      await rejects(open({ user, password: "wrong" }, "utf8mb3", null), (e: Error) => {
        ok(e instanceof MysqlConnectionError);
        strictEqual(e.errno, 1045);
        ok(/^Access denied for user '.+'@'.+' \(using password: YES\)$/.test(e.message));
        return true;
      });
    } finally {
      await mysqlExec(`DROP USER '${user}'@'%'`);
    }
    await rejects(open({}, "utf8mb3", "sqlw_no_such_database"), (e: MysqlConnectionError) => {
      strictEqual(e.errno, 1049);
      strictEqual(e.message, "Unknown database 'sqlw_no_such_database'");
      return true;
    });
    await rejects(open({ host: "127.0.0.1", port: 1 }), (e: MysqlConnectionError) => {
      strictEqual(e.errno, 2002);
      strictEqual(e.message, "Can't connect to server on '127.0.0.1' (115)");
      return true;
    });
    await rejects(open({ host: "no-such-host.invalid" }), (e: MysqlConnectionError) => {
      strictEqual(e.errno, 2005);
      strictEqual(e.message, "Unknown server host 'no-such-host.invalid' (-2)");
      return true;
    });
    await rejects(open({ socket: "/nonexistent/mysqld.sock" }), (e: MysqlConnectionError) => {
      strictEqual(e.errno, 2002);
      strictEqual(
        e.message,
        "Can't connect to local server through socket '/nonexistent/mysqld.sock' (2)",
      );
      return true;
    });
  },
});

const SOCKET = "/run/mysqld/mysqld.sock";
let hasSocket = false;
try {
  hasSocket = Deno.statSync(SOCKET).isSocket === true;
} catch {
  hasSocket = false;
}

Deno.test({
  name: "mysql wire: a unix socket connection",
  ...opts,
  ignore: !live || !hasSocket,
  async fn() {
    const s = await open({ socket: SOCKET });
    try {
      deepStrictEqual((await s.query("SELECT 1"))[0].rows, [["1"]]);
      ok(s.serverVersionNumber > 0);
    } finally {
      await s.close();
    }
  },
});
