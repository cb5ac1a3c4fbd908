/**
 * The MySQL/MariaDB client/server protocol on Deno's own sockets, for the
 * plain (non-TLS, uncompressed) TCP and unix-socket connections sqlitch
 * opens: Deno's Node compatibility layer and the `mysql2` driver cost
 * 50–70 ms to load, more than a whole `status` should take. One session:
 * the handshake with the character set as the client library sends it,
 * `mysql_native_password`, `caching_sha2_password`, `sha256_password` and
 * `mysql_clear_password` authentication (auth switch included), text
 * queries with multi-statements and multi-results, `LOAD DATA LOCAL
 * INFILE` as the `mysql` client serves it, and `COM_QUIT`.
 *
 * Values are returned as the server's text (raw bytes decoded as UTF-8,
 * NULL as null); statements are sent as UTF-8, whatever the session's
 * character set (as the emulated client reads its scripts).
 */
import { sha1Hex } from "../core/sha1.ts";
import { MysqlConnectionError, type MysqlResult, MysqlServerError } from "./mysql_session.ts";

// Capability flags (protocol documentation, "Capabilities Flags").
const LONG_PASSWORD = 1;
const LONG_FLAG = 4;
const CONNECT_WITH_DB = 8;
const LOCAL_FILES = 128;
const PROTOCOL_41 = 512;
const TRANSACTIONS = 8192;
const SECURE_CONNECTION = 32768;
const MULTI_STATEMENTS = 1 << 16;
const MULTI_RESULTS = 1 << 17;
const PS_MULTI_RESULTS = 1 << 18;
const PLUGIN_AUTH = 1 << 19;
const PLUGIN_AUTH_LENENC_CLIENT_DATA = 1 << 21;

/** What the session asks for (the `mysql` client's defaults in batch mode). */
const CLIENT_FLAGS = LONG_PASSWORD | LONG_FLAG | LOCAL_FILES | PROTOCOL_41 | TRANSACTIONS |
  SECURE_CONNECTION | MULTI_STATEMENTS | MULTI_RESULTS | PS_MULTI_RESULTS | PLUGIN_AUTH |
  PLUGIN_AUTH_LENENC_CLIENT_DATA;

/** Server status: another result follows. */
const SERVER_MORE_RESULTS_EXISTS = 8;

const COM_QUIT = 0x01;
const COM_QUERY = 0x03;

const MAX_PAYLOAD = 0xffffff;

/**
 * Default collation ids of the character sets the client library knows
 * (MariaDB 10.11: `information_schema.collations WHERE is_default`), sent
 * in the handshake as the client sends its `--default-character-set`.
 * The ones no client may use (ucs2, utf16, utf16le, utf32) are left out:
 * `SET NAMES` then fails as the server says.
 */
export const CHARSET_IDS: Readonly<Record<string, number>> = {
  big5: 1,
  dec8: 3,
  cp850: 4,
  hp8: 6,
  koi8r: 7,
  latin1: 8,
  latin2: 9,
  swe7: 10,
  ascii: 11,
  ujis: 12,
  sjis: 13,
  hebrew: 16,
  tis620: 18,
  euckr: 19,
  koi8u: 22,
  gb2312: 24,
  greek: 25,
  cp1250: 26,
  gbk: 28,
  latin5: 30,
  armscii8: 32,
  utf8: 33,
  utf8mb3: 33,
  cp866: 36,
  keybcs2: 37,
  macce: 38,
  macroman: 39,
  cp852: 40,
  latin7: 41,
  utf8mb4: 45,
  cp1251: 51,
  cp1256: 57,
  cp1257: 59,
  binary: 63,
  geostd8: 92,
  cp932: 95,
  eucjpms: 97,
};

/** How to open a wire session. */
export interface WireOptions {
  /** TCP host (when no socket). */
  host: string;
  port: number;
  /** Unix socket path; TCP when absent. */
  socket?: string;
  user: string;
  password?: string;
  database?: string;
  /** Handshake collation id (`CHARSET_IDS`). */
  charsetId: number;
  /** Milliseconds for connecting and the handshake; none when absent. */
  connectTimeoutMs?: number;
  /** Read a file the server asks for (`LOAD DATA LOCAL INFILE`); default the file system. */
  readLocalFile?: (name: string) => Uint8Array;
}

const encoder = new TextEncoder();
/** Server text as UTF-8; a leading U+FEFF is kept (the client prints the bytes). */
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** A failure to reach the server, in the client library's words. */
function connectError(e: unknown, opts: WireOptions): MysqlConnectionError {
  const code = (e as { code?: string })?.code;
  if (opts.socket !== undefined) {
    const n = code === "ENOENT" ? 2 : code === "EACCES" ? 13 : code === "ECONNREFUSED" ? 111 : 2;
    return new MysqlConnectionError(
      2002,
      `Can't connect to local server through socket '${opts.socket}' (${n})`,
    );
  }
  const message = e instanceof Error ? e.message : String(e);
  if (/failed to lookup address/i.test(message)) {
    return new MysqlConnectionError(2005, `Unknown server host '${opts.host}' (-2)`);
  }
  if (code === "ETIMEDOUT") {
    return new MysqlConnectionError(2002, `Can't connect to server on '${opts.host}' (110)`);
  }
  return new MysqlConnectionError(2002, `Can't connect to server on '${opts.host}' (115)`);
}

/** The error of a lost connection (the client's CR_SERVER_LOST). */
function lostConnection(): MysqlConnectionError {
  return new MysqlConnectionError(2013, "Lost connection to server during query");
}

/** A payload reader: length-encoded integers and strings. */
class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}
  u8(): number {
    return this.b[this.pos++];
  }
  u16(): number {
    const v = this.b[this.pos] | (this.b[this.pos + 1] << 8);
    this.pos += 2;
    return v;
  }
  u32(): number {
    const v = (this.b[this.pos] | (this.b[this.pos + 1] << 8) | (this.b[this.pos + 2] << 16)) +
      this.b[this.pos + 3] * 0x1000000;
    this.pos += 4;
    return v;
  }
  /** A length-encoded integer; null for 0xfb (NULL). */
  lenenc(): number | null {
    const first = this.b[this.pos++];
    if (first < 0xfb) return first;
    if (first === 0xfb) return null;
    if (first === 0xfc) return this.u16();
    if (first === 0xfd) {
      const v = this.b[this.pos] | (this.b[this.pos + 1] << 8) | (this.b[this.pos + 2] << 16);
      this.pos += 3;
      return v;
    }
    const lo = this.u32();
    const hi = this.u32();
    return hi * 0x100000000 + lo;
  }
  /** A length-encoded string's bytes; null for NULL. */
  lenencBytes(): Uint8Array | null {
    const n = this.lenenc();
    if (n === null) return null;
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  /** A NUL-terminated string's bytes (to the end when there is no NUL). */
  cstring(): Uint8Array {
    let end = this.b.indexOf(0, this.pos);
    if (end < 0) end = this.b.length;
    const v = this.b.subarray(this.pos, end);
    this.pos = Math.min(end + 1, this.b.length);
    return v;
  }
  rest(): Uint8Array {
    const v = this.b.subarray(this.pos);
    this.pos = this.b.length;
    return v;
  }
}

/** A length-encoded integer's bytes. */
function lenencInt(n: number): number[] {
  if (n < 0xfb) return [n];
  if (n < 0x10000) return [0xfc, n & 0xff, n >> 8];
  if (n < 0x1000000) return [0xfd, n & 0xff, (n >> 8) & 0xff, n >> 16];
  const out = [0xfe];
  let v = n;
  for (let i = 0; i < 8; i++) {
    out.push(v % 256);
    v = Math.floor(v / 256);
  }
  return out;
}

function concat(...parts: (Uint8Array | number[])[]): Uint8Array<ArrayBuffer> {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i % b.length];
  return out;
}

async function sha256(...chunks: Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", concat(...chunks)));
}

/** `mysql_native_password`: SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))). */
export function nativePassword(password: string, scramble: Uint8Array): Uint8Array {
  if (password === "") return new Uint8Array(0);
  const stage1 = hexBytes(sha1Hex(encoder.encode(password)));
  const stage2 = hexBytes(sha1Hex(stage1));
  return xor(stage1, hexBytes(sha1Hex(scramble, stage2)));
}

/** `caching_sha2_password`'s scramble: SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + nonce). */
export async function cachingSha2Password(
  password: string,
  scramble: Uint8Array,
): Promise<Uint8Array> {
  if (password === "") return new Uint8Array(0);
  const stage1 = await sha256(encoder.encode(password));
  const stage2 = await sha256(stage1);
  return xor(stage1, await sha256(stage2, scramble));
}

/**
 * The password (NUL-terminated, XORed with the scramble) encrypted with the
 * server's RSA public key (PEM), RSA-OAEP with SHA-1, as `sha256_password`
 * and `caching_sha2_password` full authentication send it without TLS.
 */
export async function rsaPassword(
  password: string,
  scramble: Uint8Array,
  pem: Uint8Array,
): Promise<Uint8Array> {
  const b64 = decoder.decode(pem).replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  const der = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey(
    "spki",
    der,
    { name: "RSA-OAEP", hash: "SHA-1" },
    false,
    ["encrypt"],
  );
  const data = concat(xor(encoder.encode(`${password}\0`), scramble));
  return new Uint8Array(await crypto.subtle.encrypt({ name: "RSA-OAEP" }, key, data));
}

/**
 * The values of a text-protocol row, NULL as null. The whole row is decoded
 * at once: when that gives one UTF-16 unit per byte, no byte was part of a
 * multi-byte character and each value is a slice of it (as decoding it on
 * its own would give); otherwise each value is decoded on its own.
 */
function rowValues(b: Uint8Array, count: number): (string | null)[] {
  const values: (string | null)[] = new Array(count);
  const whole = decoder.decode(b);
  const sliced = whole.length === b.length;
  let pos = 0;
  for (let i = 0; i < count; i++) {
    let n = b[pos++];
    if (n === 0xfb) {
      values[i] = null;
      continue;
    }
    if (n === 0xfc) {
      n = b[pos] | (b[pos + 1] << 8);
      pos += 2;
    } else if (n === 0xfd) {
      n = b[pos] | (b[pos + 1] << 8) | (b[pos + 2] << 16);
      pos += 3;
    } else if (n === 0xfe) {
      n = (b[pos] | (b[pos + 1] << 8) | (b[pos + 2] << 16)) + b[pos + 3] * 0x1000000 +
        (b[pos + 4] | (b[pos + 5] << 8) | (b[pos + 6] << 16) | (b[pos + 7] << 24)) * 0x100000000;
      pos += 8;
    }
    values[i] = sliced ? whole.slice(pos, pos + n) : decoder.decode(b.subarray(pos, pos + n));
    pos += n;
  }
  return values;
}

/** A server ERR packet's fields. */
function parseError(p: Uint8Array): { errno: number; sqlState: string; message: string } {
  const r = new Reader(p);
  r.u8();
  const errno = r.u16();
  let sqlState = "HY000";
  if (p[r.pos] === 0x23) {
    sqlState = decoder.decode(p.subarray(r.pos + 1, r.pos + 6));
    r.pos += 6;
  }
  return { errno, sqlState, message: decoder.decode(r.rest()) };
}

/** One open session. */
export class WireSession {
  /** The server's version as `SELECT VERSION()` gives it (MariaDB's `5.5.5-` prefix dropped). */
  readonly serverVersion: string;
  /** Status flags of the last OK or EOF packet. */
  status = 0;
  /** Several statements' results in one reply are handled. */
  readonly multiResults = true;
  private buf = new Uint8Array(16384);
  private start = 0;
  private end = 0;
  private seq = 0;
  private closed = false;

  private constructor(
    private readonly conn: Deno.Conn,
    version: string,
    private readonly readLocalFile: (name: string) => Uint8Array,
  ) {
    this.serverVersion = version;
  }

  /** Connect and authenticate. Rejects with `MysqlConnectionError`. */
  static async open(opts: WireOptions): Promise<WireSession> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let conn: Deno.Conn | undefined;
    let timedOut = false;
    const connecting = (async () => {
      try {
        conn = opts.socket !== undefined
          ? await Deno.connect({ transport: "unix", path: opts.socket })
          : await Deno.connect({ hostname: opts.host, port: opts.port });
      } catch (e) {
        throw connectError(e, opts);
      }
      if (timedOut) {
        conn.close();
        throw connectError({ code: "ETIMEDOUT" }, opts);
      }
      if (opts.socket === undefined) (conn as Deno.TcpConn).setNoDelay(true);
      return await WireSession.handshake(conn, opts);
    })();
    if (opts.connectTimeoutMs === undefined) return await connecting;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        try {
          conn?.close();
        } catch {
          // already closed
        }
        reject(connectError({ code: "ETIMEDOUT" }, opts));
      }, opts.connectTimeoutMs);
    });
    connecting.catch(() => {});
    try {
      return await Promise.race([connecting, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private static async handshake(conn: Deno.Conn, opts: WireOptions): Promise<WireSession> {
    const s = new WireSession(
      conn,
      "",
      opts.readLocalFile ?? ((name) => Deno.readFileSync(name)),
    );
    try {
      const greeting = await s.readPacket();
      if (greeting[0] === 0xff) {
        const e = parseError(greeting);
        throw new MysqlConnectionError(e.errno, e.message);
      }
      const r = new Reader(greeting);
      r.u8(); // protocol version 10
      let version = decoder.decode(r.cstring());
      if (/^5\.5\.5-.*mariadb/i.test(version)) version = version.slice(6);
      (s as { serverVersion: string }).serverVersion = version;
      r.u32(); // connection id
      const part1 = r.b.subarray(r.pos, r.pos + 8);
      r.pos += 9;
      let caps = r.u16();
      r.u8(); // server charset
      r.u16(); // status
      caps |= r.u16() << 16;
      const authLength = r.u8();
      r.pos += 10;
      let part2: Uint8Array = new Uint8Array(0);
      if (caps & SECURE_CONNECTION) {
        const n = Math.max(13, authLength - 8);
        part2 = r.b.subarray(r.pos, r.pos + n - 1);
        r.pos += n;
      }
      const serverPlugin = caps & PLUGIN_AUTH ? decoder.decode(r.cstring()) : "";
      const scramble = concat(part1, part2);

      let flags = CLIENT_FLAGS & (caps | ~(PLUGIN_AUTH_LENENC_CLIENT_DATA | PLUGIN_AUTH));
      if (opts.database !== undefined && opts.database !== "") flags |= CONNECT_WITH_DB;
      let plugin = serverPlugin === "caching_sha2_password"
        ? serverPlugin
        : "mysql_native_password";
      const password = opts.password ?? "";
      let auth = plugin === "caching_sha2_password"
        ? await cachingSha2Password(password, scramble)
        : nativePassword(password, scramble);
      const head = new Uint8Array(32);
      new DataView(head.buffer).setUint32(0, flags >>> 0, true);
      new DataView(head.buffer).setUint32(4, 0x1000000, true);
      head[8] = opts.charsetId;
      await s.writePacket(
        concat(
          head,
          encoder.encode(opts.user),
          [0],
          flags & PLUGIN_AUTH_LENENC_CLIENT_DATA ? lenencInt(auth.length) : [auth.length],
          auth,
          flags & CONNECT_WITH_DB ? concat(encoder.encode(opts.database!), [0]) : [],
          flags & PLUGIN_AUTH ? concat(encoder.encode(plugin), [0]) : [],
        ),
        s.seq + 1,
      );
      let pluginScramble: Uint8Array = scramble;
      for (;;) {
        const p = await s.readPacket();
        if (p[0] === 0x00) {
          s.okStatus(p);
          return s;
        }
        if (p[0] === 0xff) {
          const e = parseError(p);
          throw new MysqlConnectionError(e.errno, e.message);
        }
        if (p[0] === 0xfe) {
          // Auth switch: the plugin the account needs, with a new scramble.
          const sw = new Reader(p);
          sw.u8();
          plugin = decoder.decode(sw.cstring());
          let data = sw.rest();
          if (data.length > 0 && data[data.length - 1] === 0) data = data.subarray(0, -1);
          pluginScramble = data.slice();
          if (plugin === "mysql_native_password") auth = nativePassword(password, data);
          else if (plugin === "caching_sha2_password") {
            auth = await cachingSha2Password(password, data);
          } else if (plugin === "mysql_clear_password") auth = encoder.encode(`${password}\0`);
          else if (plugin === "sha256_password") {
            auth = password === "" ? new Uint8Array([0]) : new Uint8Array([1]);
          } else {
            throw new MysqlConnectionError(
              2059,
              `Authentication plugin '${plugin}' cannot be loaded`,
            );
          }
          await s.writePacket(auth, s.seq + 1);
          continue;
        }
        if (p[0] === 0x01) {
          // More data for the plugin.
          const data = p.subarray(1);
          let reply: Uint8Array | undefined;
          if (plugin === "caching_sha2_password" && data.length === 1 && data[0] === 3) {
            continue; // fast authentication succeeded; OK follows
          }
          if (plugin === "caching_sha2_password" && data.length === 1 && data[0] === 4) {
            reply = opts.socket !== undefined
              ? encoder.encode(`${password}\0`)
              : new Uint8Array([2]); // ask for the server's public key
          } else if (plugin === "caching_sha2_password" || plugin === "sha256_password") {
            reply = await rsaPassword(password, pluginScramble, data);
          }
          if (reply === undefined) {
            throw new MysqlConnectionError(2027, "Malformed packet");
          }
          await s.writePacket(reply, s.seq + 1);
          continue;
        }
        throw new MysqlConnectionError(2027, "Malformed packet");
      }
    } catch (e) {
      s.destroy();
      if (e instanceof MysqlConnectionError) throw e;
      throw new MysqlConnectionError(2013, e instanceof Error ? e.message : String(e));
    }
  }

  // --- packets ---------------------------------------------------------------------------

  /** Make `n` bytes available from `start`. */
  private async fill(n: number): Promise<void> {
    if (this.end - this.start >= n) return;
    if (this.start > 0) {
      this.buf.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    if (n > this.buf.length) {
      const bigger = new Uint8Array(Math.max(n, this.buf.length * 2));
      bigger.set(this.buf.subarray(0, this.end));
      this.buf = bigger;
    }
    while (this.end < n) {
      let got: number | null;
      try {
        got = await this.conn.read(this.buf.subarray(this.end));
      } catch {
        got = null;
      }
      if (got === null) {
        this.destroy();
        throw lostConnection();
      }
      this.end += got;
    }
  }

  /**
   * The next packet's payload if it is whole in the buffer (a view, valid
   * until the next read), else undefined.
   */
  private takePacket(): Uint8Array | undefined {
    const b = this.buf;
    const i = this.start;
    if (this.end - i < 4) return undefined;
    const length = b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
    if (length === MAX_PAYLOAD || this.end - i - 4 < length) return undefined;
    this.seq = b[i + 3];
    this.start = i + 4 + length;
    return b.subarray(i + 4, i + 4 + length);
  }

  /** The next packet's payload (a view valid until the next read; split packets joined). */
  private async readPacket(): Promise<Uint8Array> {
    const whole = this.takePacket();
    if (whole !== undefined) return whole;
    let payload: Uint8Array | undefined;
    for (;;) {
      await this.fill(4);
      const b = this.buf;
      const i = this.start;
      const length = b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
      this.seq = b[i + 3];
      this.start += 4;
      await this.fill(length);
      const part = this.buf.subarray(this.start, this.start + length);
      this.start += length;
      if (payload === undefined && length < MAX_PAYLOAD) return part;
      payload = payload === undefined ? part.slice() : concat(payload, part);
      if (length < MAX_PAYLOAD) return payload;
    }
  }

  /** Send a payload as packets from sequence number `seq`. */
  private async writePacket(payload: Uint8Array, seq: number): Promise<void> {
    let seqNo = seq;
    let offset = 0;
    const parts: Uint8Array[] = [];
    for (;;) {
      const n = Math.min(MAX_PAYLOAD, payload.length - offset);
      const head = [n & 0xff, (n >> 8) & 0xff, n >> 16, seqNo & 0xff];
      parts.push(concat(head, payload.subarray(offset, offset + n)));
      offset += n;
      seqNo++;
      if (n < MAX_PAYLOAD) break;
    }
    this.seq = seqNo - 1;
    const data = parts.length === 1 ? parts[0] : concat(...parts);
    try {
      let written = 0;
      while (written < data.length) written += await this.conn.write(data.subarray(written));
    } catch {
      this.destroy();
      throw lostConnection();
    }
  }

  private okStatus(p: Uint8Array): { affectedRows: number; warnings: number } {
    const r = new Reader(p);
    r.u8();
    const affectedRows = r.lenenc() ?? 0;
    r.lenenc();
    this.status = r.u16();
    return { affectedRows, warnings: r.u16() };
  }

  private ensureOpen(): void {
    if (this.closed) throw lostConnection();
  }

  // --- commands --------------------------------------------------------------------------

  /**
   * Send a statement (or several) and read every result it produces.
   * Rejects with `MysqlServerError` (carrying the results completed before
   * the error) or `MysqlConnectionError`.
   */
  async query(sql: string): Promise<MysqlResult[]> {
    this.ensureOpen();
    await this.writePacket(concat([COM_QUERY], encoder.encode(sql)), 0);
    const results: MysqlResult[] = [];
    for (;;) {
      const p = await this.readPacket();
      const first = p[0];
      if (first === 0x00) {
        const ok = this.okStatus(p);
        results.push({
          fields: [],
          rows: [],
          affectedRows: ok.affectedRows,
          warningCount: ok.warnings,
        });
        if (!(this.status & SERVER_MORE_RESULTS_EXISTS)) return results;
        continue;
      }
      if (first === 0xff) {
        const e = parseError(p);
        throw new MysqlServerError(e.errno, e.sqlState, e.message, { results });
      }
      if (first === 0xfb) {
        await this.localInfile(decoder.decode(p.subarray(1)), results);
        if (!(this.status & SERVER_MORE_RESULTS_EXISTS)) return results;
        continue;
      }
      // A result set: column count, column definitions, EOF, rows, EOF.
      const count = new Reader(p).lenenc() ?? 0;
      const fields: string[] = [];
      for (let i = 0; i < count; i++) {
        const r = new Reader(this.takePacket() ?? await this.readPacket());
        for (let k = 0; k < 4; k++) r.lenencBytes();
        fields.push(decoder.decode(r.lenencBytes() ?? new Uint8Array(0)));
      }
      this.takePacket() ?? await this.readPacket(); // EOF after the column definitions
      const current: MysqlResult = { fields, rows: [] };
      for (;;) {
        const row = this.takePacket() ?? await this.readPacket();
        if (row[0] === 0xfe && row.length < 9) {
          const r = new Reader(row);
          r.u8();
          current.warningCount = r.u16();
          this.status = r.u16();
          results.push(current);
          break;
        }
        if (row[0] === 0xff) {
          const e = parseError(row);
          throw new MysqlServerError(e.errno, e.sqlState, e.message, {
            results,
            afterFields: true,
          });
        }
        current.rows.push(rowValues(row, count));
      }
      if (!(this.status & SERVER_MORE_RESULTS_EXISTS)) return results;
    }
  }

  /** Serve `LOAD DATA LOCAL INFILE` as the client does; the server's answer joins `results`. */
  private async localInfile(name: string, results: MysqlResult[]): Promise<void> {
    let data: Uint8Array | undefined;
    let failure: number | undefined;
    try {
      data = this.readLocalFile(name);
    } catch (e) {
      if (e instanceof Deno.errors.IsADirectory) data = new Uint8Array(0);
      else {
        const code = (e as { code?: string })?.code;
        failure = e instanceof Deno.errors.NotFound || code === "ENOENT"
          ? 2
          : e instanceof Deno.errors.PermissionDenied || code === "EACCES"
          ? 13
          : 5;
      }
    }
    let seq = this.seq + 1;
    const chunk = 0x10000;
    for (let o = 0; data !== undefined && o < data.length; o += chunk) {
      await this.writePacket(data.subarray(o, o + chunk), seq);
      seq = this.seq + 1;
    }
    await this.writePacket(new Uint8Array(0), seq);
    const p = await this.readPacket();
    if (p[0] === 0xff) {
      const e = parseError(p);
      throw new MysqlServerError(e.errno, e.sqlState, e.message, { results });
    }
    const ok = this.okStatus(p);
    if (failure !== undefined) {
      throw new MysqlServerError(2, "HY000", `File '${name}' not found (Errcode: ${failure})`, {
        results,
      });
    }
    results.push({
      fields: [],
      rows: [],
      affectedRows: ok.affectedRows,
      warningCount: ok.warnings,
    });
  }

  /** `COM_QUIT` and close (the server ends the session and its locks). */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.writePacket(new Uint8Array([COM_QUIT]), 0);
    } catch {
      // gone already
    }
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
  }
}
