/**
 * A `MysqlSession` on the `mysql2` driver for the live tests (and a model
 * for the production engines/mysql_connection.ts): one connection, text
 * protocol, values as the server's text (raw bytes decoded as UTF-8, NULL
 * as null) so they print as the client prints them, multi-statements and
 * multi-results on as the `mysql` client connects, every result of a
 * statement (a `CALL` returns several) with its warning count, result sets
 * completed before an error kept on the error, and the server status flags
 * of the last OK/EOF packet (ANSI_QUOTES, NO_BACKSLASH_ESCAPES).
 *
 * Also: where the test server is (`$SQLITCH_TEST_MYSQL_HOST`/`PORT`,
 * default 127.0.0.1:3306, user root without password), whether it answers,
 * and throwaway databases.
 */
import mysql from "mysql2";
import {
  MysqlConnectionError,
  type MysqlResult,
  MysqlServerError,
  type MysqlSession,
} from "../../engines/mysql_session.ts";

/** Host and port of the test server. */
export const MYSQL_HOST = Deno.env.get("SQLITCH_TEST_MYSQL_HOST") ?? "127.0.0.1";
export const MYSQL_PORT = Number(Deno.env.get("SQLITCH_TEST_MYSQL_PORT") ?? "3306");
export const MYSQL_USER = Deno.env.get("SQLITCH_TEST_MYSQL_USER") ?? "root";

/** Connection options of a test session. */
export interface MysqlTestSessionOptions {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  /**
   * The connection character set, set with `SET NAMES` after connecting
   * (default utf8mb3: what the MariaDB client picks in a UTF-8 locale). The
   * driver itself always speaks utf8mb4: it would send utf8mb3 text as
   * CESU-8, which the server takes where the client's 4-byte characters
   * fail.
   */
  names?: string;
}

// deno-lint-ignore no-explicit-any
type Any = any;

const decoder = new TextDecoder();

/** Values as text: the raw bytes decoded, NULL as null. */
function rawText(field: Any): string | null {
  const bytes = field.buffer();
  return bytes === null ? null : decoder.decode(bytes);
}

/** A live session on the mysql2 driver. */
export class MysqlTestSession implements MysqlSession {
  private status = 0;

  private constructor(private readonly conn: Any) {}

  /** Connect (rejects with the driver's error when the server does not answer). */
  static open(opts: MysqlTestSessionOptions = {}): Promise<MysqlTestSession> {
    return new Promise((resolve, reject) => {
      const conn = mysql.createConnection({
        host: opts.host ?? MYSQL_HOST,
        port: opts.port ?? MYSQL_PORT,
        user: opts.user ?? MYSQL_USER,
        password: opts.password,
        database: opts.database,
        charset: "UTF8MB4_GENERAL_CI",
        multipleStatements: true,
        // The client sets neither: IGNORE_SPACE would change sql_mode (and every
        // routine's recorded sql_mode), FOUND_ROWS what ROW_COUNT() says. Without
        // SESSION_TRACK the driver keeps its UTF-8 encoding after SET NAMES.
        flags: ["-FOUND_ROWS", "-IGNORE_SPACE", "-SESSION_TRACK"],
        rowsAsArray: true,
        supportBigNumbers: true,
        bigNumberStrings: true,
        dateStrings: true,
      });
      conn.once("error", (e: Error) => reject(e));
      conn.connect((err: Error | null) => {
        if (err) reject(err);
        else {
          const session = new MysqlTestSession(conn);
          conn.on("error", () => {});
          session.query(`SET NAMES ${opts.names ?? "utf8mb3"}`).then(
            () => resolve(session),
            reject,
          );
        }
      });
    });
  }

  query(sql: string): Promise<MysqlResult[]> {
    return new Promise((resolve, reject) => {
      const results: MysqlResult[] = [];
      let current: MysqlResult | undefined;
      let okPacket = false;
      const q = (mysql as Any).createQuery(
        { sql, rowsAsArray: true, typeCast: rawText },
        undefined,
        undefined,
        {},
      ) as Any;
      const rowState = Object.getPrototypeOf(q).row;
      const execute = q.execute;
      q.execute = (packet: Any, connection: Any) => {
        if (
          packet && current && q.next === rowState && !packet.isError() && packet.isEOF()
        ) {
          current.warningCount = packet.eofWarningCount();
          this.status = packet.eofStatusFlags();
          results.push(current);
          current = undefined;
        }
        return execute.call(q, packet, connection);
      };
      q.on("fields", (fields: Any[] | undefined) => {
        if (fields === undefined) {
          okPacket = true;
          return;
        }
        current = { fields: fields.map((f) => f.name), rows: [] };
      });
      q.on("result", (row: Any) => {
        if (okPacket) {
          okPacket = false;
          this.status = row.serverStatus ?? this.status;
          results.push({
            fields: [],
            rows: [],
            affectedRows: row.affectedRows,
            warningCount: row.warningStatus ?? 0,
          });
          return;
        }
        current?.rows.push(row as (string | null)[]);
      });
      let failed = false;
      q.on("error", (e: Any) => {
        failed = true;
        if (typeof e.errno === "number" && e.sqlState && !e.fatal) {
          reject(
            new MysqlServerError(e.errno, e.sqlState, e.sqlMessage ?? e.message, {
              results,
              afterFields: current !== undefined,
            }),
          );
        } else {
          reject(new MysqlConnectionError(2013, e.sqlMessage ?? e.message ?? String(e)));
        }
      });
      q.on("end", () => {
        if (!failed) resolve(results);
      });
      this.conn.query(q);
    });
  }

  async database(): Promise<string | null> {
    const [r] = await this.query("SELECT DATABASE()");
    return r?.rows[0]?.[0] ?? null;
  }

  serverStatus(): number {
    return this.status;
  }

  /** Close the connection. */
  close(): Promise<void> {
    return new Promise((resolve) => this.conn.end(() => resolve()));
  }
}

let answer: Promise<string | undefined> | undefined;

/** Undefined when the server answers, else why not. */
function probe(): Promise<string | undefined> {
  answer ??= (async () => {
    try {
      const s = await MysqlTestSession.open();
      await s.close();
      return undefined;
    } catch (e) {
      return (e as Error).message ?? String(e);
    }
  })();
  return answer;
}

const banner = new Set<string>();

/** Whether the live tests can run; prints a banner when not, throws under CI. */
export async function mysqlAvailable(): Promise<boolean> {
  const why = await probe();
  if (why === undefined) return true;
  const reason =
    `MySQL tests need a server at ${MYSQL_HOST}:${MYSQL_PORT} (user ${MYSQL_USER}): ${why}`;
  if (Deno.env.get("CI")) throw new Error(reason);
  if (!banner.has(reason)) {
    banner.add(reason);
    const line = "!".repeat(78);
    console.error(`\n${line}\n!! MYSQL TESTS SKIPPED: ${reason}\n${line}\n`);
  }
  return false;
}

/** Run statements on the test server (no database selected). */
export async function mysqlExec(...statements: string[]): Promise<void> {
  const s = await MysqlTestSession.open();
  try {
    for (const sql of statements) await s.query(sql);
  } finally {
    await s.close();
  }
}

/** Create an empty database. */
export function createDatabase(name: string): Promise<void> {
  return mysqlExec(`DROP DATABASE IF EXISTS \`${name}\``, `CREATE DATABASE \`${name}\``);
}

/** Drop a database. */
export function dropDatabase(name: string): Promise<void> {
  return mysqlExec(`DROP DATABASE IF EXISTS \`${name}\``);
}
