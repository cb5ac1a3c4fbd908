/**
 * A PostgreSQL connection on the `pg` driver (node-postgres), for what
 * sqlitch's own protocol code (engines/pg_wire.ts) leaves to it: TLS
 * connections, since Deno's TLS can neither skip certificate checks nor
 * send client certificates. engines/pg_session.ts imports this module only
 * when a server accepts TLS, so the driver and Deno's Node compatibility
 * layer load only then.
 *
 * The connection offers what `PgConnection` asks of sqlitch's own:
 * values as the server's text, simple queries with a result per command
 * tag, COPY in and out through the driver's COPY hooks, parameterised
 * statements (named ones parsed once), notices, ParameterStatus and
 * ReadyForQuery tracking, and failures as `PgServerError` or
 * `PgConnectionError` in libpq's words.
 */
import { Buffer } from "node:buffer";
import type { PgConnectionParams } from "../core/pg_connection.ts";
import type { Endpoint, PgConnection } from "./pg_session.ts";
import { type CopyHooks, NoPasswordError } from "./pg_wire.ts";
import {
  PgConnectionError,
  type PgMessage,
  PgServerError,
  type PsqlResult,
} from "./psql_session.ts";

// Minimal shapes of the driver objects used here (the npm package ships no Deno types we rely on).
interface DriverField {
  name: string;
}
interface DriverResult {
  command: string | null;
  rowCount: number | null;
  fields: DriverField[];
  rows: (string | null)[][];
}
interface DriverConnection {
  on(event: string, listener: (msg: Record<string, unknown>) => void): void;
  removeListener(event: string, listener: (msg: Record<string, unknown>) => void): void;
  emit(event: string): void;
  /** The socket (a TLS socket once TLS is up). */
  stream: DriverStream;
  /** Truthy while the connection asks for TLS. */
  ssl: unknown;
  /** Start parsing server messages from `stream`. */
  attachListeners(stream: DriverStream): void;
}
interface DriverStream {
  once(event: string, listener: (arg: Uint8Array) => void): unknown;
  destroy(): void;
}
interface DriverClient {
  connection: DriverConnection;
  processID: number | null;
  connect(): Promise<void>;
  end(): Promise<void>;
  query(config: unknown, values?: unknown[]): Promise<DriverResult | DriverResult[]>;
  on(event: string, listener: (arg: never) => void): void;
}
/** A driver query whose COPY hooks can be replaced. */
interface DriverQuery {
  handleCopyInResponse(connection: DriverWire): void;
  handleCopyData(msg: { chunk: Uint8Array }, connection: DriverWire): void;
}
interface DriverWire {
  sendCopyFromChunk(chunk: Uint8Array): void;
  endCopyFrom(): void;
}
interface DriverModule {
  Client: new (config: Record<string, unknown>) => DriverClient;
  Query: new (config: Record<string, unknown>) => DriverQuery;
}

let driver: Promise<DriverModule> | undefined;

/** The `pg` module, loaded once on first use. */
function loadDriver(): Promise<DriverModule> {
  driver ??= import("pg").then((m) => (m.default ?? m) as unknown as DriverModule);
  return driver;
}

/** Every value as the server's text: no type parsing. */
const TEXT_TYPES = { getTypeParser: () => (value: string) => value };

const MESSAGE_FIELDS = [
  "code",
  "detail",
  "hint",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;

/** A driver error or notice as a `PgMessage`. */
export function toPgMessage(e: Record<string, unknown>): PgMessage {
  const msg: PgMessage = {
    severity: String(e.severity ?? "ERROR"),
    message: String(e.message ?? ""),
  };
  for (const k of MESSAGE_FIELDS) {
    const v = e[k];
    if (v !== undefined && v !== null && v !== "") msg[k] = String(v);
  }
  if (e.position !== undefined && e.position !== null && e.position !== "") {
    msg.position = Number(e.position);
  }
  if (
    e.internalPosition !== undefined && e.internalPosition !== null && e.internalPosition !== ""
  ) {
    msg.internalPosition = Number(e.internalPosition);
  }
  return msg;
}

function isServerError(e: unknown): e is Record<string, unknown> & Error {
  return e instanceof Error && typeof (e as { severity?: unknown }).severity === "string" &&
    typeof (e as { code?: unknown }).code === "string" &&
    /^[0-9A-Z]{5}$/.test((e as unknown as { code: string }).code);
}

/** A thrown driver value as `PgServerError` or `PgConnectionError`. */
export function toSessionError(e: unknown): Error {
  if (e instanceof PgServerError || e instanceof PgConnectionError) return e;
  if (isServerError(e)) return new PgServerError(toPgMessage(e));
  return new PgConnectionError(
    e instanceof Error ? connectionLostText(e.message) : String(e),
  );
}

function connectionLostText(message: string): string {
  if (/Connection terminated|Client was closed|not queryable/i.test(message)) {
    return "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.";
  }
  return message;
}

/** How the driver connection is opened. */
export interface NodeConnectOptions {
  params: PgConnectionParams;
  endpoint: Endpoint;
  /** The driver's TLS options, or false for none. */
  ssl: Record<string, unknown> | false;
  /** sslmode=prefer: a server that refuses TLS is spoken to in the clear on the same socket. */
  plainOnRefusal: boolean;
}

/** A live driver connection. Open with `NodeConnection.open`. */
export class NodeConnection implements PgConnection {
  readonly parameters = new Map<string, string>();
  transactionStatus = "I";
  onNotice: ((notice: PgMessage) => void) | undefined;
  private lost?: Error;

  private constructor(private readonly client: DriverClient, private readonly pg: DriverModule) {}

  /**
   * Connect. Rejects with the driver's failure, server errors as
   * `PgServerError` (the session words the rest as libpq does).
   */
  static async open(opts: NodeConnectOptions): Promise<NodeConnection> {
    const pg = await loadDriver();
    const { params, endpoint: ep, ssl } = opts;
    const password = params.password;
    const client = new pg.Client({
      host: ep.address,
      port: ep.port,
      user: params.user,
      database: params.dbname,
      password: () => {
        if (password === undefined || password === "") throw new NoPasswordError();
        return password;
      },
      ssl,
      types: TEXT_TYPES,
      connectionTimeoutMillis: params.connectTimeout && params.connectTimeout > 0
        ? Math.max(params.connectTimeout, 2) * 1000
        : 0,
      application_name: params.applicationName,
      fallback_application_name: params.fallbackApplicationName,
      options: params.options,
      client_encoding: params.clientEncoding ?? "UTF8",
      enableChannelBinding: params.channelBinding === "require",
    });
    const conn = new NodeConnection(client, pg);
    client.connection.on("parameterStatus", (msg) => {
      conn.parameters.set(String(msg.parameterName), String(msg.parameterValue));
    });
    client.connection.on("readyForQuery", (msg) => {
      conn.transactionStatus = String(msg.status ?? "I");
    });
    client.on("notice", (msg: never) => conn.onNotice?.(toPgMessage(msg)));
    client.on("error", (e: never) => {
      conn.lost = e as Error;
    });
    if (ssl && opts.plainOnRefusal) continueInTheClear(client.connection);
    try {
      await client.connect();
    } catch (e) {
      await endQuickly(client);
      throw isServerError(e) ? new PgServerError(toPgMessage(e)) : e;
    }
    return conn;
  }

  get pid(): number | null {
    return this.client.processID;
  }

  get lostReason(): string | undefined {
    return this.lost ? connectionLostText(this.lost.message) : undefined;
  }

  async query(sql: string, copy?: CopyHooks): Promise<PsqlResult[]> {
    if (copy) return [await this.copy(sql, copy)];
    const tags: string[] = [];
    const onComplete = (msg: Record<string, unknown>) => tags.push(String(msg.text ?? ""));
    this.client.connection.on("commandComplete", onComplete);
    try {
      const r = await this.client.query({ text: sql, rowMode: "array", types: TEXT_TYPES });
      const results = Array.isArray(r) ? r : [r];
      return results.map((res, i) => toResult(res, tags[i]));
    } catch (e) {
      throw toSessionError(e);
    } finally {
      this.client.connection.removeListener("commandComplete", onComplete);
    }
  }

  /**
   * One simple-protocol statement through a driver query whose COPY hooks
   * send `copy.data` or collect COPY OUT data (the driver itself refuses
   * COPY FROM STDIN and drops COPY OUT data).
   */
  private async copy(sql: string, hooks: CopyHooks): Promise<PsqlResult> {
    const tags: string[] = [];
    const onComplete = (msg: Record<string, unknown>) => tags.push(String(msg.text ?? ""));
    this.client.connection.on("commandComplete", onComplete);
    try {
      const res = await new Promise<DriverResult | DriverResult[]>((resolve, reject) => {
        const q = new this.pg.Query({
          text: sql,
          rowMode: "array",
          types: TEXT_TYPES,
          callback: (err: unknown, r: DriverResult | DriverResult[]) =>
            err ? reject(err) : resolve(r),
        });
        q.handleCopyInResponse = (wire) => {
          const data = hooks.data ?? new Uint8Array();
          if (data.length > 0) wire.sendCopyFromChunk(Buffer.from(data));
          wire.endCopyFrom();
        };
        q.handleCopyData = (msg) => hooks.out?.(msg.chunk);
        (this.client as unknown as { query(q: unknown): unknown }).query(q);
      });
      const results = Array.isArray(res) ? res : [res];
      return toResult(results[results.length - 1], tags[tags.length - 1]);
    } catch (e) {
      throw toSessionError(e);
    } finally {
      this.client.connection.removeListener("commandComplete", onComplete);
    }
  }

  async pipeline(statements: readonly string[]): Promise<(PsqlResult[] | Error)[]> {
    // The driver queues the statements and sends each after the one before.
    return await Promise.all(
      statements.map((sql) => this.query(sql).catch((e: Error) => e)),
    );
  }

  async execute(sql: string, values: readonly unknown[], name?: string): Promise<PsqlResult> {
    try {
      const r = await this.client.query({
        name,
        text: sql,
        values,
        rowMode: "array",
        types: TEXT_TYPES,
      });
      const last = Array.isArray(r) ? r[r.length - 1] : r;
      return toResult(last, undefined);
    } catch (e) {
      throw toSessionError(e);
    }
  }

  async close(wait = true): Promise<void> {
    try {
      if (wait) await this.client.end();
      else await endQuickly(this.client);
    } catch {
      // Already gone.
    }
  }
}

/**
 * End a driver client without waiting for the server to hang up: the
 * terminate message is flushed, then the socket closed (the driver's own
 * `end` waits for the server's side, which costs the backend's exit time).
 */
function endQuickly(client: DriverClient): Promise<void> {
  const stream = client.connection.stream;
  stream.once("finish", () => stream.destroy());
  return client.end().catch(() => {});
}

/**
 * libpq's `sslmode=prefer` against a server that answers the TLS request
 * with `N`: carry on unencrypted on the same connection (the driver would
 * fail the attempt, costing a second connection).
 */
function continueInTheClear(connection: DriverConnection): void {
  const stream = connection.stream as DriverStream & Record<string, unknown>;
  const once = stream.once;
  stream.once = (event: string, listener: (arg: Uint8Array) => void) => {
    if (event !== "data") return once.call(stream, event, listener);
    // Only the one-byte answer to the TLS request is intercepted.
    stream.once = once;
    return once.call(stream, "data", (buffer: Uint8Array) => {
      if (buffer.length === 1 && buffer[0] === 0x4e) {
        connection.ssl = false;
        connection.attachListeners(stream);
        connection.emit("sslconnect");
        return;
      }
      listener(buffer);
    });
  };
}

function toResult(res: DriverResult, tag: string | undefined): PsqlResult {
  const text = tag ?? res.command ?? "";
  const command = text.replace(/(?: \d+)+$/, "");
  return {
    command,
    rowCount: res.rowCount ?? null,
    fields: (res.fields ?? []).map((f) => f.name),
    rows: res.rows ?? [],
  };
}
