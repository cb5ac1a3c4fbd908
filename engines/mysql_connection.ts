/**
 * A live MySQL/MariaDB session (engines/mysql_wire.ts, or the `mysql2`
 * driver for TLS and compression, loaded then), as
 * both Sqitch's connections need it: the registry connection (DBD::mysql
 * in Sqitch: parameterised queries, transactions) and the sessions the
 * mysql-client emulation runs scripts on (engines/mysql_script.ts through
 * the `MysqlSession` seam). One connection, text protocol, values as the
 * server's text (raw bytes decoded as UTF-8, NULL as null),
 * multi-statements and multi-results on as the `mysql` client connects,
 * every result of a statement with its warning count, result sets
 * completed before an error kept on the error, and the server status flags
 * of the last OK/EOF packet (ANSI_QUOTES, NO_BACKSLASH_ESCAPES).
 *
 * Placeholders (`?`) are filled in on the client side with quoted
 * literals, as DBD::mysql does. Driver failures to connect are reported
 * with the client library's wording (`Can't connect to server on 'h'
 * (115)`), never with the password.
 */
import { importLazily } from "../io/lazy_import.ts";
import type { MysqlConnectionParams } from "../core/mysql_connection.ts";
import type { MysqlResult, MysqlSession } from "./mysql_session.ts";
import { CHARSET_IDS, WireSession } from "./mysql_wire.ts";

/** A parameter value: text, a number or NULL. */
export type SqlValue = string | number | null;

/** How to open a session. */
export interface MysqlOpenOptions {
  params: MysqlConnectionParams;
  /** The database to select; `null` selects none; default `params.database`. */
  database?: string | null;
  /**
   * The connection character set, sent in the handshake as the client
   * sends it (or set with `SET NAMES` when not known there).
   */
  names: string;
  /** Read a TLS file (CA, certificate, key); default the file system. */
  readFile?: (path: string) => string;
  /** The names of a directory's entries (`--ssl-capath`). */
  listDir?: (path: string) => string[];
  /** Read a file for `LOAD DATA LOCAL INFILE`; default the file system (working directory). */
  readLocalFile?: (name: string) => Uint8Array;
}

/** A string literal as DBD::mysql quotes it (backslash escapes; NO_BACKSLASH_ESCAPES off). */
export function quoteString(text: string): string {
  return `'${
    // deno-lint-ignore no-control-regex
    text.replace(/[\0\n\r\x1a'"\\]/g, (ch) => {
      switch (ch) {
        case "\0":
          return "\\0";
        case "\n":
          return "\\n";
        case "\r":
          return "\\r";
        case "\x1a":
          return "\\Z";
        default:
          return `\\${ch}`;
      }
    })}'`;
}

/** An identifier in backquotes (``` doubled). */
export function quoteIdentifier(name: string): string {
  return `\`${name.replaceAll("`", "``")}\``;
}

/** `sql` with each `?` replaced by the next value as a literal. */
export function formatSql(sql: string, values: readonly SqlValue[] = []): string {
  let i = 0;
  const out = sql.replace(/\?/g, () => {
    if (i >= values.length) throw new Error(`Too few values for the placeholders of: ${sql}`);
    const v = values[i++];
    if (v === null) return "NULL";
    if (typeof v === "number") return String(v);
    return quoteString(v);
  });
  if (i !== values.length) throw new Error(`Too many values for the placeholders of: ${sql}`);
  return out;
}

/** The server version as a number (`10.11.19-MariaDB` ⇒ 101119). */
export function serverVersionNumber(version: string): number {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version.replace(/^5\.5\.5-/, ""));
  return m === null ? 0 : Number(m[1]) * 10000 + Number(m[2]) * 100 + Number(m[3]);
}

/** The protocol session under a connection: sqlitch's own, or the driver's (TLS, compression). */
interface ProtocolSession {
  readonly serverVersion: string;
  /** Several statements' results in one reply are handled. */
  readonly multiResults?: boolean;
  readonly status: number;
  query(sql: string): Promise<MysqlResult[]>;
  close(): Promise<void>;
}

/** One live session. */
export class MysqlConnection implements MysqlSession {
  private constructor(private readonly proto: ProtocolSession) {}

  /** `SELECT VERSION()` of the server. */
  get serverVersion(): string {
    return this.proto.serverVersion;
  }

  /** The server version as a number (`101119`). */
  get serverVersionNumber(): number {
    return serverVersionNumber(this.serverVersion);
  }

  /** True for MariaDB servers. */
  get isMariaDb(): boolean {
    return /mariadb/i.test(this.serverVersion);
  }

  /**
   * Connect with the session's character set, select the database, run the
   * init command. Plain TCP and socket connections use sqlitch's own
   * protocol code; TLS and compression the `mysql2` driver (loaded then).
   * Rejects with `MysqlConnectionError` (or `MysqlServerError` for a
   * failing init command).
   */
  static async open(opts: MysqlOpenOptions): Promise<MysqlConnection> {
    const { params } = opts;
    const database = opts.database === undefined ? params.database : opts.database ?? undefined;
    const setup: string[] = [];
    let proto: ProtocolSession;
    if (params.tls === undefined && !params.compress) {
      // As the client: the character set in the handshake; SET NAMES for others.
      const id = CHARSET_IDS[opts.names.toLowerCase()];
      if (id === undefined) setup.push(`SET NAMES ${opts.names}`);
      proto = await WireSession.open({
        host: params.host === "localhost" ? "127.0.0.1" : params.host,
        port: params.port,
        socket: params.socket,
        user: params.user,
        password: params.password,
        database,
        charsetId: id ?? CHARSET_IDS.utf8mb4,
        connectTimeoutMs: params.connectTimeout !== undefined && params.connectTimeout > 0
          ? params.connectTimeout * 1000
          : undefined,
        readLocalFile: opts.readLocalFile,
      });
    } else {
      // Loaded only here: mysql2 and Node compatibility (io/lazy_import.ts).
      const { NodeSession } = await importLazily<typeof import("./mysql_node_session.ts")>(
        "engines/mysql_node_session.ts",
      );
      const node = await NodeSession.open({
        params,
        database,
        readFile: opts.readFile,
        listDir: opts.listDir,
      });
      try {
        // The driver always speaks utf8mb4 (it would send utf8mb3 text as CESU-8).
        await node.query(`SET NAMES ${opts.names}`);
        const [v] = await node.query("SELECT VERSION()");
        node.serverVersion = v?.rows[0]?.[0] ?? "";
      } catch (e) {
        await node.close();
        throw e;
      }
      proto = node;
    }
    const session = new MysqlConnection(proto);
    try {
      for (const sql of setup) await session.query(sql);
      if (params.initCommand !== undefined) await session.query(params.initCommand);
    } catch (e) {
      await session.close();
      throw e;
    }
    return session;
  }

  query(sql: string): Promise<MysqlResult[]> {
    return this.proto.query(sql);
  }

  /**
   * Run statements in order, stopping at the first failure, and return
   * every result: in one round trip on sqlitch's own protocol session, one
   * by one on the driver's (its compressed protocol mishandles several
   * result sets in one reply).
   */
  async queryAll(statements: readonly string[]): Promise<MysqlResult[]> {
    if (this.proto.multiResults) return await this.query(statements.join(";\n"));
    const results: MysqlResult[] = [];
    for (const sql of statements) results.push(...await this.query(sql));
    return results;
  }

  /** The rows of the first result set of `sql` with `?` placeholders filled in. */
  async rows(sql: string, values: readonly SqlValue[] = []): Promise<(string | null)[][]> {
    const results = await this.query(formatSql(sql, values));
    return results.find((r) => r.fields.length > 0)?.rows ?? [];
  }

  /** Run a statement with `?` placeholders; resolves with the affected rows. */
  async exec(sql: string, values: readonly SqlValue[] = []): Promise<number> {
    const results = await this.query(formatSql(sql, values));
    return results.reduce((n, r) => n + (r.affectedRows ?? 0), 0);
  }

  async database(): Promise<string | null> {
    const [r] = await this.query("SELECT DATABASE()");
    return r?.rows[0]?.[0] ?? null;
  }

  serverStatus(): number {
    return this.proto.status;
  }

  /** Close the connection (ends its locks). */
  close(): Promise<void> {
    return this.proto.close();
  }
}
