/**
 * The seam between the psql emulation (engines/psql_script.ts: splits a
 * script as psql would, runs its meta-commands, prints what psql prints)
 * and a live PostgreSQL connection (engines/pg_session.ts: sqlitch's own
 * protocol code, the `pg` driver for TLS). The emulation sends one
 * statement at a time, as psql does, and never sees the protocol; tests can
 * drive it with a fake session.
 */

/** A message from the server: an error or a notice (libpq's fields). */
export interface PgMessage {
  /** `ERROR`, `FATAL`, `NOTICE`, `WARNING`, `INFO`, `LOG`, `DEBUG`… (localised severity). */
  severity: string;
  /** SQLSTATE, e.g. `42P01`. */
  code?: string;
  message: string;
  detail?: string;
  hint?: string;
  /** 1-based character position of the error in the statement sent. */
  position?: number;
  /** Position in `internalQuery` (errors inside generated SQL). */
  internalPosition?: number;
  internalQuery?: string;
  /** The `CONTEXT` text. */
  where?: string;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
  file?: string;
  line?: string;
  routine?: string;
}

/** A failed statement: the server's error with all its fields. */
export class PgServerError extends Error {
  readonly fields: PgMessage;
  /**
   * Optional: results of the statements that succeeded before the failing
   * one in the same query string (`SELECT 1 \; SELECT 1/0`); psql prints them.
   */
  results?: PsqlResult[];
  constructor(fields: PgMessage) {
    super(fields.message);
    this.name = "PgServerError";
    this.fields = fields;
  }
}

/** The connection itself failed (lost, refused, terminated). */
export class PgConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PgConnectionError";
  }
}

/** One result of a statement, values as the server's text (null for SQL NULL). */
export interface PsqlResult {
  /** Command tag verb, e.g. `SELECT`, `INSERT`, `CREATE TABLE`, `COPY`. */
  command: string;
  /** Rows affected / returned, when the tag carries a count. */
  rowCount: number | null;
  /** Column names; empty for commands that return no rows. */
  fields: string[];
  /** Rows in text format. */
  rows: (string | null)[][];
  /** Optional: the command tag exactly as sent (`INSERT 0 1`, `CREATE TABLE`); else rebuilt from command and rowCount. */
  status?: string;
}

/** Where the emulation's psql variables about the connection come from. */
export interface PsqlConnectionInfo {
  dbname: string;
  user: string;
  host: string;
  port: string;
  /** `server_version_num`, e.g. `150020`. */
  serverVersionNum: string;
  /** `server_version`, e.g. `15.20 (Debian 15.20-0+deb12u1)`. */
  serverVersion: string;
  /** `client_encoding`, e.g. `UTF8`. */
  encoding: string;
  /** Optional: the current `standard_conforming_strings` (default on); psql lexes '…' by it. */
  standardConformingStrings?: boolean;
}

/** Parameters psql's `\connect` may change; absent = keep the current value. */
export interface PsqlReconnect {
  dbname?: string;
  user?: string;
  host?: string;
  port?: string;
}

/**
 * A PostgreSQL session as psql uses it: simple-query protocol, autocommit
 * (the script's own BEGIN/COMMIT are just statements), notices delivered as
 * they arrive. Every method rejects with `PgServerError` for a server error
 * and `PgConnectionError` when the connection is gone.
 */
export interface PsqlSession {
  /**
   * Send `sql` (one statement, or several joined by `\;`) with the simple
   * query protocol; resolves with one result per statement.
   */
  query(sql: string): Promise<PsqlResult[]>;
  /** `COPY … FROM STDIN`: send the statement, then `data` (rows, without the `\.` line). */
  copyIn(sql: string, data: string): Promise<PsqlResult>;
  /**
   * Optional, preferred when present: `COPY … FROM STDIN` where `readData` is
   * called only once the server has accepted the COPY (psql reads the data
   * lines only then; a refused COPY leaves them to be read as SQL).
   */
  copyInFrom?(sql: string, readData: () => string): Promise<PsqlResult>;
  /** `COPY … TO STDOUT`: the data rows as sent by the server. */
  copyOut(sql: string): Promise<{ data: string; result: PsqlResult }>;
  /** Receives notices (and warnings) raised while a statement runs. */
  onNotice(listener: ((notice: PgMessage) => void) | undefined): void;
  /** `\connect` to the same server with other parameters (same password rules). */
  reconnect(params: PsqlReconnect): Promise<void>;
  /** The current connection's details for psql's built-in variables. */
  info(): PsqlConnectionInfo;
}
