/**
 * A `MysqlSession` on the `mysql2` driver for the live tests (through the
 * engine's own driver session, engines/mysql_node_session.ts): one connection, text
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
import { NodeSession } from "../../engines/mysql_node_session.ts";
import type { MysqlResult, MysqlSession } from "../../engines/mysql_session.ts";

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

/** A live session on the mysql2 driver (the engine's NodeSession, with SET NAMES). */
export class MysqlTestSession implements MysqlSession {
  private constructor(private readonly node: NodeSession) {}

  /** Connect (rejects with the client's error when the server does not answer). */
  static async open(opts: MysqlTestSessionOptions = {}): Promise<MysqlTestSession> {
    const node = await NodeSession.open({
      params: {
        host: opts.host ?? MYSQL_HOST,
        port: opts.port ?? MYSQL_PORT,
        user: opts.user ?? MYSQL_USER,
        password: opts.password,
        compress: false,
      },
      database: opts.database,
    });
    const session = new MysqlTestSession(node);
    try {
      await session.query(`SET NAMES ${opts.names ?? "utf8mb3"}`);
    } catch (e) {
      await node.close();
      throw e;
    }
    return session;
  }

  query(sql: string): Promise<MysqlResult[]> {
    return this.node.query(sql);
  }

  async database(): Promise<string | null> {
    const [r] = await this.query("SELECT DATABASE()");
    return r?.rows[0]?.[0] ?? null;
  }

  serverStatus(): number {
    return this.node.status;
  }

  /** Close the connection. */
  close(): Promise<void> {
    return this.node.close();
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
