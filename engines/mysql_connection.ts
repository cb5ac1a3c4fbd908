/**
 * A live MySQL/MariaDB session on the `mysql2` driver (loaded lazily), as
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
import type { MysqlConnectionParams } from "../core/mysql_connection.ts";
import {
  MysqlConnectionError,
  type MysqlResult,
  MysqlServerError,
  type MysqlSession,
} from "./mysql_session.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** A parameter value: text, a number or NULL. */
export type SqlValue = string | number | null;

/** How to open a session. */
export interface MysqlOpenOptions {
  params: MysqlConnectionParams;
  /** The database to select; `null` selects none; default `params.database`. */
  database?: string | null;
  /**
   * The connection character set, set with `SET NAMES` after connecting.
   * The driver itself always speaks utf8mb4 (it would send utf8mb3 text as
   * CESU-8).
   */
  names: string;
  /** Read a TLS file (CA, certificate, key); default the file system. */
  readFile?: (path: string) => string;
  /** The names of a directory's entries (`--ssl-capath`). */
  listDir?: (path: string) => string[];
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

/** A driver's connection failure in the client library's words. */
export function connectFailure(e: Any, params: MysqlConnectionParams): MysqlConnectionError {
  const code = e?.code as string | undefined;
  if (typeof e?.errno === "number" && e.errno > 0 && e.sqlMessage) {
    return new MysqlConnectionError(e.errno, e.sqlMessage);
  }
  if (params.socket !== undefined) {
    const n = code === "ENOENT" ? 2 : code === "EACCES" ? 13 : code === "ECONNREFUSED" ? 111 : 2;
    return new MysqlConnectionError(
      2002,
      `Can't connect to local server through socket '${params.socket}' (${n})`,
    );
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new MysqlConnectionError(2005, `Unknown server host '${params.host}' (-2)`);
  }
  if (code === "ETIMEDOUT") {
    return new MysqlConnectionError(2002, `Can't connect to server on '${params.host}' (110)`);
  }
  if (code === "ECONNREFUSED" || code === "EHOSTUNREACH" || code === "ENETUNREACH") {
    return new MysqlConnectionError(2002, `Can't connect to server on '${params.host}' (115)`);
  }
  return new MysqlConnectionError(2013, e?.message ?? String(e));
}

const decoder = new TextDecoder();

/** Values as text: the raw bytes decoded, NULL as null. */
function rawText(field: Any): string | null {
  const bytes = field.buffer();
  return bytes === null ? null : decoder.decode(bytes);
}

let driver: Promise<Any> | undefined;

/** The mysql2 module, imported on first use. */
function loadDriver(): Promise<Any> {
  driver ??= import("mysql2").then((m) => m.default ?? m);
  return driver;
}

/** The TLS options of the driver for the resolved settings. */
function tlsOptions(opts: MysqlOpenOptions): Any {
  const tls = opts.params.tls;
  if (tls === undefined) return undefined;
  const read = opts.readFile ?? ((p: string) => Deno.readTextFileSync(p));
  const cas: string[] = [];
  if (tls.ca !== undefined) cas.push(read(tls.ca));
  if (tls.capath !== undefined) {
    const list = opts.listDir ??
      ((p: string) => [...Deno.readDirSync(p)].filter((e) => e.isFile).map((e) => e.name));
    for (const name of list(tls.capath).sort()) {
      if (/\.(pem|crt)$/.test(name)) cas.push(read(`${tls.capath}/${name}`));
    }
  }
  const out: Any = { rejectUnauthorized: tls.verifyServerCert };
  if (cas.length > 0) out.ca = cas;
  if (tls.cert !== undefined) out.cert = read(tls.cert);
  if (tls.key !== undefined) out.key = read(tls.key);
  if (tls.cipher !== undefined) out.ciphers = tls.cipher;
  return out;
}

/** One live session. */
export class MysqlConnection implements MysqlSession {
  private status = 0;
  /** `SELECT VERSION()` of the server. */
  readonly serverVersion: string;

  private constructor(
    private readonly conn: Any,
    private readonly mysql: Any,
    version: string,
  ) {
    this.serverVersion = version;
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
   * Connect, select the database, `SET NAMES`, run the init command.
   * Rejects with `MysqlConnectionError` (or `MysqlServerError` for a
   * failing init command).
   */
  static async open(opts: MysqlOpenOptions): Promise<MysqlConnection> {
    const mysql = await loadDriver();
    const { params } = opts;
    const database = opts.database === undefined ? params.database : opts.database ?? undefined;
    const conn = await new Promise<Any>((resolve, reject) => {
      let c: Any;
      try {
        c = mysql.createConnection({
          host: params.socket === undefined
            ? (params.host === "localhost" ? "127.0.0.1" : params.host)
            : undefined,
          port: params.socket === undefined ? params.port : undefined,
          socketPath: params.socket,
          user: params.user,
          password: params.password ?? "",
          database,
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
          compress: params.compress,
          connectTimeout: params.connectTimeout !== undefined && params.connectTimeout > 0
            ? params.connectTimeout * 1000
            : undefined,
          ssl: tlsOptions(opts),
        });
      } catch (e) {
        reject(new MysqlConnectionError(2013, (e as Error).message));
        return;
      }
      c.once("error", (e: Any) => reject(connectFailure(e, params)));
      c.connect((err: Any) => {
        if (err) {
          c.destroy();
          reject(connectFailure(err, params));
        } else {
          c.on("error", () => {});
          resolve(c);
        }
      });
    });
    const session = new MysqlConnection(conn, mysql, "");
    try {
      await session.query(`SET NAMES ${opts.names}`);
      const [v] = await session.query("SELECT VERSION()");
      (session as { serverVersion: string }).serverVersion = v?.rows[0]?.[0] ?? "";
      if (params.initCommand !== undefined) await session.query(params.initCommand);
    } catch (e) {
      await session.close();
      throw e;
    }
    return session;
  }

  query(sql: string): Promise<MysqlResult[]> {
    return new Promise((resolve, reject) => {
      const results: MysqlResult[] = [];
      let current: MysqlResult | undefined;
      let okPacket = false;
      const q = this.mysql.createQuery(
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
    return this.status;
  }

  /** Close the connection (ends its locks). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.conn.end(() => resolve());
      } catch {
        this.conn.destroy();
        resolve();
      }
    });
  }
}
