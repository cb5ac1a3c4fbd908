/**
 * A MySQL/MariaDB session on the npm `mysql2` driver, for the connections
 * sqlitch's own protocol code (engines/mysql_wire.ts) does not make: TLS
 * (`--ssl*` options, `mysql_ssl*` URI parameters) and compression. Loaded
 * only for those: the driver and Deno's Node compatibility layer take
 * 50–70 ms to load. Same contract as the wire session: text protocol,
 * values as the server's text, every result of a statement with its
 * warning count, results completed before an error kept on the error,
 * the server status flags of the last OK/EOF packet.
 */
import type { MysqlConnectionParams } from "../core/mysql_connection.ts";
import { MysqlConnectionError, type MysqlResult, MysqlServerError } from "./mysql_session.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** How to open a driver session. */
export interface NodeSessionOptions {
  params: MysqlConnectionParams;
  /** The database to select, if any. */
  database?: string;
  /** Read a TLS file (CA, certificate, key); default the file system. */
  readFile?: (path: string) => string;
  /** The names of a directory's entries (`--ssl-capath`). */
  listDir?: (path: string) => string[];
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

/** The TLS options of the driver for the resolved settings. */
function tlsOptions(opts: NodeSessionOptions): Any {
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

/** One live driver session. */
export class NodeSession {
  /** Status flags of the last OK or EOF packet. */
  status = 0;
  /** Set by the caller after `SELECT VERSION()`. */
  serverVersion = "";

  private constructor(private readonly conn: Any, private readonly mysql: Any) {}

  /** Connect (the driver speaks utf8mb4; the caller sets the session's names). */
  static async open(opts: NodeSessionOptions): Promise<NodeSession> {
    const imported = await import("mysql2");
    const mysql: Any = (imported as Any).default ?? imported;
    const { params } = opts;
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
    return new NodeSession(conn, mysql);
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
