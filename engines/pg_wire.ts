/**
 * The PostgreSQL frontend/backend protocol (version 3) on Deno's own
 * sockets, for the plain (non-TLS) TCP and unix-socket connections sqlitch
 * opens: Deno's Node compatibility layer and the `pg` driver cost 35–40 ms
 * to load, more than a whole `status` should take. One connection: the
 * TLS question (`SSLRequest`: a server that says yes is left to the `pg`
 * driver, engines/pg_node_session.ts), the start-up message as the driver
 * sends it, trust, cleartext, MD5 and SCRAM-SHA-256 authentication with
 * libpq's checks and wording (the computations are in
 * engines/pg_wire_auth.ts), the simple query protocol (several statements,
 * COPY in and out, notices), the extended protocol for parameterised
 * statements (named ones parsed once per connection), and Terminate.
 *
 * Values come back as the server's text (UTF-8, a leading U+FEFF kept);
 * statements and parameters are sent as UTF-8 (the start-up message asks
 * for `client_encoding=UTF8`). A background reader takes every message as
 * it arrives, so a server that ends an idle session is noticed as the
 * driver notices it; while no statement is under way it does not keep the
 * process alive. Statements queue as the driver queues them: each is sent
 * once the one before is answered, except a `pipeline`, sent at once.
 */
import { md5Password, scramClientFinal, scramVerifyFinal } from "./pg_wire_auth.ts";
import {
  PgConnectionError,
  type PgMessage,
  PgServerError,
  type PsqlResult,
} from "./psql_session.ts";

/** libpq's words for a connection that went away. */
export const CONNECTION_LOST =
  "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.";

/** No password to answer the server's request with (libpq: `fe_sendauth: no password supplied`). */
export class NoPasswordError extends Error {
  constructor() {
    super("fe_sendauth: no password supplied");
    this.name = "NoPasswordError";
  }
}

/** The server accepted the TLS request: this connection is closed, the `pg` driver's takes over. */
export class TlsAccepted extends Error {
  constructor() {
    super("the server accepts TLS");
    this.name = "TlsAccepted";
  }
}

/** The socket could not be opened; the message is the system's (`Connection refused`). */
export class SocketError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = "SocketError";
  }
}

/** How to open a connection. */
export interface WireOptions {
  /** A unix socket's path, or a numeric address and port. */
  transport: { path: string } | { hostname: string; port: number };
  user: string;
  database: string;
  /** Sent as `application_name` when not empty. */
  applicationName?: string;
  /** Sent as `options` when not empty. */
  options?: string;
  password?: string;
  /** libpq's `channel_binding` (`require` fails here: no TLS). */
  channelBinding?: string;
  /**
   * `none`: start at once; `prefer`: ask for TLS and carry on in the clear
   * when the server says no; `require`: ask, and fail when it says no. A
   * server that says yes ends the attempt with `TlsAccepted`.
   */
  tls: "none" | "prefer" | "require";
  /** Milliseconds for connecting and starting up; none when absent. */
  connectTimeoutMs?: number;
}

/** What a simple query does with COPY: data for COPY FROM STDIN, a sink for COPY TO STDOUT. */
export interface CopyHooks {
  /** Sent for COPY FROM STDIN; without it the COPY is refused as the driver refuses it. */
  data?: Uint8Array;
  /** Receives COPY TO STDOUT data as it comes. */
  out?: (chunk: Uint8Array) => void;
}

const encoder = new TextEncoder();
/** Server text as UTF-8; a leading U+FEFF is kept (as the driver keeps it). */
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

// --- frontend messages -----------------------------------------------------------------

/** Builds frontend messages into one buffer (several messages can be sent in one write). */
export class MessageWriter {
  private buf = new Uint8Array(256);
  private pos = 0;
  private start = -1;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }

  /** Begin a message of `type` (none for the start-up and TLS request). */
  begin(type?: string): this {
    this.room(5);
    if (type !== undefined) this.buf[this.pos++] = type.charCodeAt(0);
    this.start = this.pos;
    this.pos += 4;
    return this;
  }

  /** Write the length of the message begun last. */
  end(): this {
    new DataView(this.buf.buffer).setInt32(this.start, this.pos - this.start);
    return this;
  }

  int16(n: number): this {
    this.room(2);
    this.buf[this.pos++] = (n >> 8) & 0xff;
    this.buf[this.pos++] = n & 0xff;
    return this;
  }

  int32(n: number): this {
    this.room(4);
    new DataView(this.buf.buffer).setInt32(this.pos, n);
    this.pos += 4;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** A string as UTF-8, without terminator. */
  text(s: string): this {
    this.room(s.length * 3);
    this.pos += encoder.encodeInto(s, this.buf.subarray(this.pos)).written;
    return this;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(s: string): this {
    this.text(s);
    this.room(1);
    this.buf[this.pos++] = 0;
    return this;
  }

  /** Everything written so far. */
  done(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

/** The start-up message: protocol 3.0 and the parameters, `client_encoding=UTF8` last. */
export function startupMessage(params: Record<string, string>): Uint8Array {
  const w = new MessageWriter().begin().int32(196608);
  for (const [k, v] of Object.entries(params)) w.cstring(k).cstring(v);
  return w.cstring("client_encoding").cstring("UTF8").cstring("").end().done();
}

/** The TLS request (`SSLRequest`). */
export function sslRequest(): Uint8Array {
  return new MessageWriter().begin().int32(80877103).end().done();
}

/** A simple-protocol `Query`. */
export function queryMessage(sql: string): Uint8Array {
  return new MessageWriter().begin("Q").cstring(sql).end().done();
}

/**
 * A parameter as the `pg` driver's `prepareValue` sends it: null for SQL
 * NULL, bytes (binary format) for byte arrays, else text: strings as they
 * are, numbers and booleans as `toString` gives them, dates in local time
 * with their offset, arrays as array literals, other objects as JSON.
 */
export function parameterValue(value: unknown): string | Uint8Array | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "object") {
    if (ArrayBuffer.isView(value)) {
      return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    }
    if (value instanceof Date) return localTimestamp(value);
    if (Array.isArray(value)) return arrayLiteral(value);
    const custom = value as { toPostgres?: (prepare: unknown) => unknown };
    if (typeof custom.toPostgres === "function") {
      return parameterValue(custom.toPostgres(parameterValue));
    }
    return JSON.stringify(value);
  }
  return String(value);
}

/** A JS array as a PostgreSQL array literal (the driver's `arrayString`). */
export function arrayLiteral(values: readonly unknown[]): string {
  const parts = values.map((v): string => {
    if (v === null || v === undefined) return "NULL";
    if (Array.isArray(v)) return arrayLiteral(v);
    if (ArrayBuffer.isView(v)) {
      const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      return "\\\\x" + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    }
    const text = parameterValue(v) as string;
    return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  });
  return `{${parts.join(",")}}`;
}

/** A date as the driver sends it: local time, milliseconds, offset, ` BC` before year 1. */
function localTimestamp(d: Date): string {
  let offset = -d.getTimezoneOffset();
  let year = d.getFullYear();
  const bc = year < 1;
  if (bc) year = Math.abs(year) + 1;
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  let out = `${p(year, 4)}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${
    p(d.getMinutes())
  }:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
  if (offset < 0) {
    out += "-";
    offset = -offset;
  } else out += "+";
  out += `${p(Math.floor(offset / 60))}:${p(offset % 60)}`;
  return bc ? `${out} BC` : out;
}

/**
 * The extended-protocol messages of one execution, as the driver sends
 * them: Parse (unless `parsed`), Bind with text parameters (binary for
 * byte arrays) and text results, Describe portal, Execute, Sync.
 */
export function extendedMessages(
  sql: string,
  values: readonly unknown[],
  name = "",
  parsed = false,
): Uint8Array {
  const w = new MessageWriter();
  if (!parsed) w.begin("P").cstring(name).cstring(sql).int16(0).end();
  const mapped = values.map(parameterValue);
  w.begin("B").cstring("").cstring(name).int16(mapped.length);
  for (const v of mapped) w.int16(v instanceof Uint8Array ? 1 : 0);
  w.int16(mapped.length);
  for (const v of mapped) {
    if (v === null) w.int32(-1);
    else if (v instanceof Uint8Array) w.int32(v.length).bytes(v);
    else {
      const bytes = encoder.encode(v);
      w.int32(bytes.length).bytes(bytes);
    }
  }
  w.int16(1).int16(0).end();
  w.begin("D").text("P").cstring("").end();
  w.begin("E").cstring("").int32(0).end();
  w.begin("S").end();
  return w.done();
}

// --- backend messages ------------------------------------------------------------------

/** A reader over one message body. */
class BodyReader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}
  int16(): number {
    const v = (this.b[this.pos] << 8) | this.b[this.pos + 1];
    this.pos += 2;
    return v;
  }
  int32(): number {
    const b = this.b;
    const p = this.pos;
    this.pos += 4;
    return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
  }
  cstring(): string {
    let end = this.b.indexOf(0, this.pos);
    if (end < 0) end = this.b.length;
    const s = decoder.decode(this.b.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }
  rest(): Uint8Array {
    const v = this.b.subarray(this.pos);
    this.pos = this.b.length;
    return v;
  }
}

/** The letters of an ErrorResponse/NoticeResponse and the `PgMessage` field each fills. */
const FIELD_NAMES: Readonly<Record<string, keyof PgMessage>> = {
  C: "code",
  D: "detail",
  H: "hint",
  q: "internalQuery",
  W: "where",
  s: "schema",
  t: "table",
  c: "column",
  d: "dataType",
  n: "constraint",
  F: "file",
  L: "line",
  R: "routine",
};

/**
 * An ErrorResponse or NoticeResponse body as a `PgMessage`, as the
 * session built it from the driver's error objects: localised severity
 * (`ERROR` when absent), message, the other fields when not empty,
 * positions as numbers.
 */
export function parseServerMessage(body: Uint8Array): PgMessage {
  const r = new BodyReader(body);
  const fields: Record<string, string> = {};
  while (r.pos < body.length && body[r.pos] !== 0) {
    const type = String.fromCharCode(body[r.pos++]);
    fields[type] = r.cstring();
  }
  const msg: PgMessage = { severity: fields.S || "ERROR", message: fields.M ?? "" };
  for (const [letter, name] of Object.entries(FIELD_NAMES)) {
    const v = fields[letter];
    if (v !== undefined && v !== "") (msg as unknown as Record<string, string>)[name] = v;
  }
  if (fields.P !== undefined && fields.P !== "") msg.position = Number(fields.P);
  if (fields.p !== undefined && fields.p !== "") msg.internalPosition = Number(fields.p);
  return msg;
}

/** The column names of a RowDescription. */
function parseFields(body: Uint8Array): string[] {
  const r = new BodyReader(body);
  const n = r.int16();
  const names: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    names[i] = r.cstring();
    r.pos += 18; // table oid, column number, type oid, type size, type modifier, format
  }
  return names;
}

/**
 * The values of a DataRow as text, NULL as null. The whole body is decoded
 * at once: when that gives one UTF-16 unit per byte, no byte was part of a
 * multi-byte character and each value is a slice of it (as decoding it on
 * its own would give); otherwise each value is decoded on its own.
 */
export function parseDataRow(body: Uint8Array): (string | null)[] {
  const n = (body[0] << 8) | body[1];
  const values: (string | null)[] = new Array(n);
  const whole = decoder.decode(body);
  const sliced = whole.length === body.length;
  let pos = 2;
  for (let i = 0; i < n; i++) {
    const len = (body[pos] << 24) | (body[pos + 1] << 16) | (body[pos + 2] << 8) | body[pos + 3];
    pos += 4;
    if (len < 0) {
      values[i] = null;
      continue;
    }
    values[i] = sliced
      ? whole.slice(pos, pos + len)
      : decoder.decode(body.subarray(pos, pos + len));
    pos += len;
  }
  return values;
}

/** A result as the session reports it, from the command tag (the driver's parsing). */
export function resultOf(
  tag: string | undefined,
  fields: string[],
  rows: (string | null)[][],
): PsqlResult {
  const text = tag ?? "";
  const m = /^([A-Za-z]+)(?: (\d+))?(?: (\d+))?/.exec(text);
  const count = m?.[3] ?? m?.[2];
  return {
    command: text.replace(/(?: \d+)+$/, ""),
    rowCount: count === undefined ? null : parseInt(count, 10),
    fields,
    rows,
  };
}

// --- the connection -----------------------------------------------------------------------

/** One exchange: what it sends, and the messages it reads up to its ReadyForQuery. */
interface Exchange {
  /** Sent when the exchange's turn comes (none: sent with an earlier one). */
  message?: Uint8Array;
  /** Handle one backend message (synchronously; the body is valid only during the call). */
  handle(type: number, body: Uint8Array): void;
  /** The connection is gone (`cause`: a failure on this side). */
  lost(cause?: Error): void;
}

const ASCII = (c: string) => c.charCodeAt(0);
const T_AUTH = ASCII("R");
const T_PARAMETER = ASCII("S");
const T_KEY = ASCII("K");
const T_READY = ASCII("Z");
const T_ERROR = ASCII("E");
const T_NOTICE = ASCII("N");
const T_NOTIFICATION = ASCII("A");
const T_ROW_DESCRIPTION = ASCII("T");
const T_DATA_ROW = ASCII("D");
const T_COMPLETE = ASCII("C");
const T_EMPTY = ASCII("I");
const T_PARSE_COMPLETE = ASCII("1");
const T_COPY_IN = ASCII("G");
const T_COPY_BOTH = ASCII("W");
const T_COPY_DATA = ASCII("d");

const TERMINATE = new Uint8Array([ASCII("X"), 0, 0, 0, 4]);
const COPY_DONE = new Uint8Array([ASCII("c"), 0, 0, 0, 4]);
/** CopyFail for a COPY FROM STDIN with no data to send (libpq's text). */
const NO_COPY_SOURCE = new MessageWriter().begin("f").cstring("No source stream defined").end()
  .done();

/** The results of a simple query being read (the driver's grouping: one per command tag). */
class ResultCollector {
  readonly results: PsqlResult[] = [];
  private fields: string[] = [];
  private rows: (string | null)[][] = [];
  private started = false;

  /** Take a RowDescription, DataRow or CommandComplete message; false for any other. */
  collect(type: number, body: Uint8Array): boolean {
    if (type === T_ROW_DESCRIPTION) this.describe(body);
    else if (type === T_DATA_ROW) this.row(body);
    else if (type === T_COMPLETE) this.complete(new BodyReader(body).cstring());
    else return false;
    return true;
  }
  describe(body: Uint8Array): void {
    if (this.started) this.flush(undefined);
    this.fields = parseFields(body);
    this.started = true;
  }
  row(body: Uint8Array): void {
    this.rows.push(parseDataRow(body));
    this.started = true;
  }
  complete(tag: string): void {
    this.flush(tag);
  }
  /** Results so far, and one for rows without a tag (or an empty query) at the end. */
  finish(empty: boolean): PsqlResult[] {
    if (this.started || (empty && this.results.length === 0)) this.flush(undefined);
    return this.results;
  }
  private flush(tag: string | undefined): void {
    this.results.push(resultOf(tag, this.fields, this.rows));
    this.fields = [];
    this.rows = [];
    this.started = false;
  }
}

/** A live connection. Open with `WireConnection.open`. */
export class WireConnection {
  /** ParameterStatus values (server_version, client_encoding, standard_conforming_strings…). */
  readonly parameters = new Map<string, string>();
  /** The backend's process id (BackendKeyData). */
  pid: number | null = null;
  /** `I`, `T` or `E` from the last ReadyForQuery. */
  transactionStatus = "I";
  /** Receives notices as they arrive. */
  onNotice: ((notice: PgMessage) => void) | undefined;
  /** Why the connection is unusable (libpq's words), once it is. */
  lostReason: string | undefined;

  private buf = new Uint8Array(65536);
  private start = 0;
  private end = 0;
  /** Exchanges sent or waiting, in order; the first reads the incoming messages. */
  private exchanges: Exchange[] = [];
  /** Writes waiting to be sent, in order. */
  private writing: Promise<void> = Promise.resolve();
  /** Statement names parsed on this connection, with their text. */
  private parsed = new Map<string, string>();
  private closed = false;
  private hungUp!: Promise<void>;
  private hangUpNow!: () => void;

  private constructor(private readonly conn: Deno.Conn) {
    this.hungUp = new Promise((resolve) => this.hangUpNow = resolve);
  }

  /**
   * Connect, ask for TLS when told to, start up and authenticate. Rejects
   * with `SocketError`, `TlsAccepted`, `NoPasswordError`, `PgServerError`
   * (the server's refusal) or an Error in libpq's words (`timeout
   * expired`, channel binding, SCRAM failures, `server does not support
   * SSL, but SSL was required`).
   */
  static async open(opts: WireOptions): Promise<WireConnection> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wire: WireConnection | undefined;
    let timedOut = false;
    const starting = (async () => {
      let conn: Deno.Conn;
      try {
        conn = "path" in opts.transport
          ? await Deno.connect({ transport: "unix", path: opts.transport.path })
          : await Deno.connect({
            hostname: opts.transport.hostname,
            port: opts.transport.port,
          });
      } catch (e) {
        throw socketError(e);
      }
      wire = new WireConnection(conn);
      if (timedOut) {
        wire.destroy();
        throw new Error("timeout expired");
      }
      if (!("path" in opts.transport)) {
        try {
          (conn as Deno.TcpConn).setNoDelay(true);
        } catch {
          // not a TCP connection after all
        }
      }
      try {
        await wire.startup(opts);
      } catch (e) {
        wire.destroy();
        throw e;
      }
      return wire;
    })();
    if (opts.connectTimeoutMs === undefined) return await starting;
    starting.catch(() => {});
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        wire?.destroy();
        reject(new Error("timeout expired"));
      }, opts.connectTimeoutMs);
    });
    try {
      return await Promise.race([starting, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The TLS question, then the start-up exchange up to the first ReadyForQuery. */
  private async startup(opts: WireOptions): Promise<void> {
    if (opts.tls !== "none") {
      await this.writeNow(sslRequest());
      const n = await this.readSome();
      if (n === null) throw new Error(CONNECTION_LOST);
      const answer = this.buf[this.start++];
      if (answer === ASCII("S")) throw new TlsAccepted();
      if (answer !== ASCII("N")) {
        throw new Error(
          `received invalid response to SSL negotiation: ${String.fromCharCode(answer)}`,
        );
      }
      if (opts.tls === "require") {
        throw new Error("server does not support SSL, but SSL was required");
      }
    }
    const params: Record<string, string> = {
      user: opts.user,
      database: opts.database || opts.user,
    };
    if (opts.applicationName) params.application_name = opts.applicationName;
    if (opts.options) params.options = opts.options;
    const done = new Promise<void>((resolve, reject) => {
      this.enqueue(new StartupExchange(this, startupMessage(params), opts, resolve, reject));
    });
    this.pump();
    await done;
  }

  // --- I/O -------------------------------------------------------------------------------

  /** Read more bytes into the buffer; null at the end of the stream. */
  private async readSome(): Promise<number | null> {
    if (this.start === this.end) this.start = this.end = 0;
    else if (this.end === this.buf.length) {
      if (this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
        this.end -= this.start;
        this.start = 0;
      } else {
        const bigger = new Uint8Array(this.buf.length * 2);
        bigger.set(this.buf);
        this.buf = bigger;
      }
    }
    try {
      const n = await this.conn.read(this.buf.subarray(this.end));
      if (n !== null) this.end += n;
      return n;
    } catch {
      return null;
    }
  }

  /** Read and dispatch messages until the connection ends. */
  private async pump(): Promise<void> {
    for (;;) {
      this.dispatchBuffered();
      if (this.closed) return;
      if (this.exchanges.length === 0) this.idle();
      const n = await this.readSome();
      if (n === null) {
        this.hangUp();
        return;
      }
    }
  }

  /** Hand every whole message in the buffer to its reader. */
  private dispatchBuffered(): void {
    const b = this.buf;
    while (this.end - this.start >= 5) {
      const i = this.start;
      const length = (b[i + 1] << 24) | (b[i + 2] << 16) | (b[i + 3] << 8) | b[i + 4];
      if (length < 4) {
        this.fail(new PgConnectionError("invalid message length from server"));
        return;
      }
      if (this.end - i < 1 + length) {
        if (1 + length > this.buf.length) {
          const bigger = new Uint8Array(Math.max(this.buf.length * 2, 1 + length));
          bigger.set(this.buf.subarray(i, this.end));
          this.end -= i;
          this.start = 0;
          this.buf = bigger;
        }
        return;
      }
      this.start = i + 1 + length;
      this.dispatch(b[i], b.subarray(i + 5, i + 1 + length));
      if (this.closed) return;
    }
  }

  private dispatch(type: number, body: Uint8Array): void {
    if (type === T_PARAMETER) {
      const r = new BodyReader(body);
      const name = r.cstring();
      this.parameters.set(name, r.cstring());
      return;
    }
    if (type === T_NOTICE) {
      this.onNotice?.(parseServerMessage(body));
      return;
    }
    if (type === T_NOTIFICATION) return;
    const current = this.exchanges[0];
    if (current === undefined) {
      // An error while idle (the server ending the session): the connection is done for.
      if (type === T_ERROR) this.lostReason ??= CONNECTION_LOST;
      return;
    }
    try {
      current.handle(type, body);
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** While no exchange is under way, a pending read must not keep the process alive. */
  private idle(): void {
    try {
      this.conn.unref();
    } catch {
      // closed
    }
  }

  private busy(): void {
    try {
      this.conn.ref();
    } catch {
      // closed
    }
  }

  /** Queue bytes for the server. A failed write ends the connection. */
  send(data: Uint8Array): void {
    this.writing = this.writing.then(() => this.writeNow(data)).catch(() => this.destroy());
  }

  private async writeNow(data: Uint8Array): Promise<void> {
    let written = 0;
    while (written < data.length) written += await this.conn.write(data.subarray(written));
  }

  /** Queue an exchange; its message goes out when its turn comes (as the driver queues). */
  private enqueue(exchange: Exchange): void {
    this.exchanges.push(exchange);
    if (this.exchanges.length === 1 && exchange.message) this.send(exchange.message);
  }

  /** The exchange under way finished: the next one sends (if it has not) and reads. */
  finished(exchange: Exchange): void {
    if (this.exchanges[0] !== exchange) return;
    this.exchanges.shift();
    const next = this.exchanges[0];
    if (next?.message) this.send(next.message);
  }

  /** The server hung up. */
  private hangUp(): void {
    this.lostReason ??= CONNECTION_LOST;
    const pending = this.exchanges.splice(0);
    for (const x of pending) x.lost();
    this.destroy();
  }

  /** A failure on this side (protocol, authentication): the connection cannot go on. */
  private fail(e: Error): void {
    this.lostReason ??= e.message;
    const pending = this.exchanges.splice(0);
    for (const x of pending) x.lost(e);
    this.destroy();
  }

  private destroy(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.conn.close();
    } catch {
      // already closed
    }
    this.hangUpNow();
  }

  /** Why no exchange can start, if none can. */
  private unusable(): PgConnectionError | undefined {
    if (this.lostReason !== undefined) return new PgConnectionError(this.lostReason);
    if (this.closed) return new PgConnectionError(CONNECTION_LOST);
    return undefined;
  }

  /** Start an exchange: it sends and reads once those before it are done. */
  private begin<T>(
    make: (resolve: (v: T) => void, reject: (e: Error) => void) => Exchange,
  ): Promise<T> {
    const why = this.unusable();
    if (why) return Promise.reject(why);
    this.busy();
    return new Promise<T>((resolve, reject) => this.enqueue(make(resolve, reject)));
  }

  // --- statements --------------------------------------------------------------------------

  /**
   * One Query message (several statements allowed): a result per command
   * tag. COPY FROM STDIN sends `copy.data` (refused without, as the
   * driver refuses it); COPY TO STDOUT data goes to `copy.out`. A failure
   * rejects with `PgServerError` carrying the results completed before it,
   * or `PgConnectionError`.
   */
  query(sql: string, copy?: CopyHooks): Promise<PsqlResult[]> {
    return this.begin<PsqlResult[]>((resolve, reject) =>
      new QueryExchange(this, queryMessage(sql), copy, resolve, reject)
    );
  }

  /**
   * Several Query messages sent at once; resolves with each one's outcome
   * (its results or its error), in order.
   */
  pipeline(statements: readonly string[]): Promise<(PsqlResult[] | Error)[]> {
    const w = new MessageWriter();
    for (const sql of statements) w.begin("Q").cstring(sql).end();
    const all = w.done();
    return Promise.all(
      statements.map((_, i) =>
        this.begin<PsqlResult[]>((resolve, reject) =>
          new QueryExchange(this, i === 0 ? all : undefined, undefined, resolve, reject)
        ).catch((e: Error) => e)
      ),
    );
  }

  /**
   * A parameterised statement on the extended protocol; with `name`,
   * parsed once per connection under that name. Resolves with its result.
   */
  execute(sql: string, values: readonly unknown[], name?: string): Promise<PsqlResult> {
    const why = this.unusable();
    if (why) return Promise.reject(why);
    const previous = name ? this.parsed.get(name) : undefined;
    if (previous !== undefined && previous !== sql) {
      return Promise.reject(
        new PgConnectionError(
          `Prepared statements must be unique - '${name}' was used for a different statement`,
        ),
      );
    }
    const parse = previous === undefined;
    let message: Uint8Array;
    try {
      message = extendedMessages(sql, values, name ?? "", !parse);
    } catch (e) {
      // A value that cannot be sent (the driver's words for it: its own error's message).
      return Promise.reject(new PgConnectionError(e instanceof Error ? e.message : String(e)));
    }
    // Taken as parsed at once (a following execution binds it); forgotten if Parse fails.
    if (name && parse) this.parsed.set(name, sql);
    return this.begin<PsqlResult>((resolve, reject) =>
      new ExtendedExchange(
        this,
        message,
        (ok) => {
          if (name && parse && !ok) this.parsed.delete(name);
        },
        resolve,
        reject,
      )
    );
  }

  /**
   * Terminate and close. With `wait`, resolve once the server has hung up
   * (the session and its locks are gone); without, once Terminate is sent.
   */
  async close(wait = true): Promise<void> {
    if (this.closed) return;
    if (this.exchanges.length > 0 || this.lostReason !== undefined) {
      this.destroy();
      return;
    }
    this.busy();
    this.send(TERMINATE);
    await this.writing;
    if (wait && !this.closed) await this.hungUp;
    this.destroy();
  }
}

/** Open a session: authentication, parameters, the first ReadyForQuery. */
class StartupExchange implements Exchange {
  private serverError?: PgMessage;
  private saslNonce?: string;
  private expectedSignature?: string;
  private bound = false;

  constructor(
    private readonly wire: WireConnection,
    readonly message: Uint8Array,
    private readonly opts: WireOptions,
    private readonly resolve: () => void,
    private readonly reject: (e: Error) => void,
  ) {}

  private get requireBinding(): boolean {
    return this.opts.channelBinding === "require";
  }

  private password(): string {
    const p = this.opts.password;
    if (p === undefined || p === "") throw new NoPasswordError();
    return p;
  }

  private fail(e: Error): void {
    this.wire.finished(this);
    this.reject(e);
  }

  handle(type: number, body: Uint8Array): void {
    if (type === T_AUTH) return this.auth(body);
    if (type === T_KEY) {
      this.wire.pid = new BodyReader(body).int32();
      return;
    }
    if (type === T_ERROR) {
      // libpq gives up at the first error of the start-up.
      this.serverError = parseServerMessage(body);
      return this.fail(new PgServerError(this.serverError));
    }
    if (type === T_READY) {
      this.wire.transactionStatus = String.fromCharCode(body[0]);
      this.wire.finished(this);
      this.resolve();
    }
    // NegotiateProtocolVersion and anything else: nothing to do.
  }

  private auth(body: Uint8Array): void {
    const r = new BodyReader(body);
    const code = r.int32();
    if (code === 0) {
      if (this.requireBinding && !this.bound) {
        throw new Error(
          "channel binding required, but server authenticated client without channel binding",
        );
      }
      return;
    }
    if (code === 3 || code === 5) {
      if (this.requireBinding) {
        throw new Error(
          "channel binding required but not supported by server's authentication request",
        );
      }
      const password = this.password();
      const answer = code === 3
        ? password
        : md5Password(this.opts.user, password, body.slice(4, 8));
      this.wire.send(new MessageWriter().begin("p").cstring(answer).end().done());
      return;
    }
    if (code === 10) return this.saslStart(r);
    if (code === 11) {
      const serverFirst = decoder.decode(r.rest());
      const password = this.password();
      scramClientFinal(password, this.saslNonce ?? "", serverFirst).then(
        (x) => {
          this.expectedSignature = x.serverSignature;
          this.wire.send(new MessageWriter().begin("p").text(x.clientFinal).end().done());
        },
        (e) => this.fail(e),
      );
      return;
    }
    if (code === 12) {
      if (this.expectedSignature === undefined) {
        throw new Error(
          "AuthenticationSASLFinal received from server, but SASL authentication was not completed",
        );
      }
      scramVerifyFinal(decoder.decode(r.rest()), this.expectedSignature);
      return;
    }
    throw new Error(`authentication method ${code} not supported`);
  }

  /** AuthenticationSASL: pick SCRAM-SHA-256 as libpq does without TLS. */
  private saslStart(r: BodyReader): void {
    if (this.requireBinding) throw new Error("channel binding required, but SSL not in use");
    const mechanisms: string[] = [];
    for (let m = r.cstring(); m !== ""; m = r.cstring()) mechanisms.push(m);
    if (mechanisms.includes("SCRAM-SHA-256-PLUS")) {
      throw new Error(
        "server offered SCRAM-SHA-256-PLUS authentication over a non-SSL connection",
      );
    }
    if (!mechanisms.includes("SCRAM-SHA-256")) {
      throw new Error("none of the server's SASL authentication mechanisms are supported");
    }
    this.password();
    this.saslNonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(18))));
    const first = encoder.encode(`n,,n=,r=${this.saslNonce}`);
    this.wire.send(
      new MessageWriter().begin("p").cstring("SCRAM-SHA-256").int32(first.length).bytes(first)
        .end().done(),
    );
  }

  lost(cause?: Error): void {
    this.reject(
      cause ??
        (this.serverError ? new PgServerError(this.serverError) : new Error(CONNECTION_LOST)),
    );
  }
}

/** A simple query's messages up to its ReadyForQuery. */
class QueryExchange implements Exchange {
  private readonly collector = new ResultCollector();
  private error?: PgMessage;
  private empty = false;

  constructor(
    private readonly wire: WireConnection,
    readonly message: Uint8Array | undefined,
    private readonly copy: CopyHooks | undefined,
    private readonly resolve: (r: PsqlResult[]) => void,
    private readonly reject: (e: Error) => void,
  ) {}

  handle(type: number, body: Uint8Array): void {
    if (this.collector.collect(type, body)) return;
    switch (type) {
      case T_EMPTY:
        this.empty = true;
        return;
      case T_ERROR:
        this.error ??= parseServerMessage(body);
        return;
      case T_COPY_IN: {
        const data = this.copy?.data;
        if (data === undefined) {
          this.wire.send(NO_COPY_SOURCE);
          return;
        }
        // CopyData messages of at most 64 kB, as psql sends them, then CopyDone.
        for (let o = 0; o < data.length; o += 65536) {
          this.wire.send(
            new MessageWriter().begin("d").bytes(data.subarray(o, o + 65536)).end()
              .done(),
          );
        }
        this.wire.send(COPY_DONE);
        return;
      }
      case T_COPY_DATA:
        this.copy?.out?.(body);
        return;
      case T_COPY_BOTH:
        throw new Error("COPY BOTH is not supported");
      case T_READY: {
        this.wire.transactionStatus = String.fromCharCode(body[0]);
        this.wire.finished(this);
        if (this.error) {
          // Rows of the failed statement are dropped (as libpq drops them).
          const e = new PgServerError(this.error);
          e.results = this.collector.results;
          this.reject(e);
        } else this.resolve(this.collector.finish(this.empty));
        return;
      }
        // CopyOutResponse, CopyDone and the rest: nothing to do.
    }
  }

  lost(cause?: Error): void {
    // An error the server sent before hanging up (FATAL) is the statement's failure.
    if (this.error) {
      const e = new PgServerError(this.error);
      e.results = this.collector.results;
      this.reject(e);
    } else this.reject(new PgConnectionError(cause?.message ?? CONNECTION_LOST));
  }
}

/** An extended-protocol execution up to its ReadyForQuery. */
class ExtendedExchange implements Exchange {
  private readonly collector = new ResultCollector();
  private error?: PgMessage;
  private parsed = false;

  constructor(
    private readonly wire: WireConnection,
    readonly message: Uint8Array,
    /** Told whether the statement was parsed (or needed no parsing). */
    private readonly onParse: (ok: boolean) => void,
    private readonly resolve: (r: PsqlResult) => void,
    private readonly reject: (e: Error) => void,
  ) {}

  handle(type: number, body: Uint8Array): void {
    if (this.collector.collect(type, body)) return;
    switch (type) {
      case T_PARSE_COMPLETE:
        this.parsed = true;
        return;
      case T_ERROR:
        this.error ??= parseServerMessage(body);
        return;
      case T_COPY_IN:
        this.wire.send(NO_COPY_SOURCE);
        return;
      case T_READY: {
        this.wire.transactionStatus = String.fromCharCode(body[0]);
        this.onParse(this.parsed || this.error === undefined);
        this.wire.finished(this);
        if (this.error) this.reject(new PgServerError(this.error));
        else {
          const results = this.collector.finish(true);
          this.resolve(results[results.length - 1]);
        }
        return;
      }
        // BindComplete, NoData, EmptyQueryResponse, PortalSuspended: nothing to do.
    }
  }

  lost(cause?: Error): void {
    this.onParse(false);
    this.reject(
      this.error
        ? new PgServerError(this.error)
        : new PgConnectionError(cause?.message ?? CONNECTION_LOST),
    );
  }
}

/** A failed `Deno.connect` in the system's words (`Connection refused`). */
function socketError(e: unknown): SocketError {
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: string })?.code;
  return new SocketError(message.replace(/ \(os error \d+\)$/, ""), code);
}
