/**
 * The seam between the mysql-client emulation (engines/mysql_script.ts:
 * splits a script as the `mysql` command-line client does, follows
 * `DELIMITER` and `source`, prints what the client prints in batch mode)
 * and a live MySQL/MariaDB connection (engines/mysql_connection.ts on the
 * `mysql2` driver). The emulation sends one statement at a time, as the
 * client does, and never sees the driver; tests can use a fake session.
 */

/** A failed statement: the server's error number, SQLSTATE and message. */
export class MysqlServerError extends Error {
  /** e.g. 1064. */
  readonly errno: number;
  /** e.g. `42000`. */
  readonly sqlState: string;
  /**
   * Result sets the statement completed before failing (a `CALL` that
   * selected, then failed); the client prints them before the error.
   */
  readonly results?: MysqlResult[];
  /**
   * The failure came while reading the rows of a result whose columns had
   * arrived (the client then prints no statement echo).
   */
  readonly afterFields?: boolean;
  constructor(
    errno: number,
    sqlState: string,
    message: string,
    partial?: { results?: MysqlResult[]; afterFields?: boolean },
  ) {
    super(message);
    this.name = "MysqlServerError";
    this.errno = errno;
    this.sqlState = sqlState;
    if (partial?.results) this.results = partial.results;
    if (partial?.afterFields) this.afterFields = true;
  }
}

/** The connection itself failed (lost, refused); the client reports errno 2006/2013. */
export class MysqlConnectionError extends Error {
  readonly errno: number;
  constructor(errno: number, message: string) {
    super(message);
    this.name = "MysqlConnectionError";
    this.errno = errno;
  }
}

/** One result set or OK packet of a statement; values as the server's text (null for NULL). */
export interface MysqlResult {
  /** Column names; empty for statements that return no rows (OK packet). */
  fields: string[];
  rows: (string | null)[][];
  /** Affected rows of an OK packet. */
  affectedRows?: number;
  /** Warning count the server reported. */
  warningCount?: number;
}

/**
 * A MySQL session as the client uses it: text protocol, autocommit on,
 * multi-statement results allowed (a `CALL` returns several). Methods
 * reject with `MysqlServerError` for a server error and
 * `MysqlConnectionError` when the connection is gone.
 */
export interface MysqlSession {
  /** Send one statement (text protocol); resolves with every result it produced. */
  query(sql: string): Promise<MysqlResult[]>;
  /** `SHOW WARNINGS` after a statement, for `--show-warnings`-style output when needed. */
  warnings?(): Promise<{ level: string; code: number; message: string }[]>;
  /** The current default database (`SELECT DATABASE()`), for messages. */
  database(): Promise<string | null>;
  /**
   * The server status flags of the last OK/EOF packet (the client reads
   * SERVER_STATUS_ANSI_QUOTES 0x8000 and SERVER_STATUS_NO_BACKSLASH_ESCAPES
   * 0x200 from them to lex quotes); 0 when unknown.
   */
  serverStatus?(): number;
}

/** Server status bit: sql_mode has NO_BACKSLASH_ESCAPES. */
export const SERVER_STATUS_NO_BACKSLASH_ESCAPES = 0x200;
/** Server status bit (MariaDB): sql_mode has ANSI_QUOTES. */
export const SERVER_STATUS_ANSI_QUOTES = 0x8000;
