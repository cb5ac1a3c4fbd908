/**
 * A scripted PostgreSQL server for the protocol tests of
 * engines/pg_wire.ts: it listens on 127.0.0.1 (a free port) or on a unix
 * socket named as libpq names them (`${dir}/.s.PGSQL.${port}`), and each
 * test plays the server's side message by message, so start-up,
 * authentication and failures the live server does not produce can be
 * walked through. Also the server side of SCRAM-SHA-256 (RFC 5802/7677).
 */
import { strictEqual } from "node:assert/strict";
import { hmacSha256 } from "../../engines/pg_wire_auth.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** One frontend message as the fake server reads it. */
export interface FrontendMessage {
  type: string;
  body: Uint8Array;
}

/** A server-side connection: reads frontend messages, writes backend messages. */
export class FakeClientConn {
  private buf = new Uint8Array(0);
  constructor(readonly conn: Deno.Conn) {}

  private async fill(n: number): Promise<boolean> {
    while (this.buf.length < n) {
      const chunk = new Uint8Array(65536);
      let got: number | null;
      try {
        got = await this.conn.read(chunk);
      } catch {
        got = null;
      }
      if (got === null) return false;
      const next = new Uint8Array(this.buf.length + got);
      next.set(this.buf);
      next.set(chunk.subarray(0, got), this.buf.length);
      this.buf = next;
    }
    return true;
  }

  private take(n: number): Uint8Array {
    const out = this.buf.slice(0, n);
    this.buf = this.buf.slice(n);
    return out;
  }

  /** A start-up packet (no type byte): its code and its parameters. */
  async readStartup(): Promise<{ code: number; params: Record<string, string> }> {
    if (!(await this.fill(4))) throw new Error("client closed the connection");
    const length = new DataView(this.buf.buffer).getInt32(0);
    await this.fill(length);
    const p = this.take(length);
    const code = new DataView(p.buffer).getInt32(4);
    const params: Record<string, string> = {};
    const parts = dec.decode(p.subarray(8)).split("\0");
    for (let i = 0; i + 1 < parts.length && parts[i] !== ""; i += 2) {
      params[parts[i]] = parts[i + 1];
    }
    return { code, params };
  }

  /** The next frontend message, or undefined when the client has closed. */
  async read(): Promise<FrontendMessage | undefined> {
    if (!(await this.fill(5))) return undefined;
    const length = new DataView(this.buf.buffer).getInt32(1);
    if (!(await this.fill(1 + length))) return undefined;
    const m = this.take(1 + length);
    return { type: String.fromCharCode(m[0]), body: m.subarray(5) };
  }

  /** The next frontend message, which must be of `type`. */
  async expect(type: string): Promise<Uint8Array> {
    const m = await this.read();
    strictEqual(m?.type, type, `frontend message ${type}`);
    return m!.body;
  }

  /**
   * Read to the client's Terminate or the end of its stream (true), as a
   * server does before hanging up; false for any other message.
   */
  async closed(): Promise<boolean> {
    const m = await this.read();
    return m === undefined || m.type === "X";
  }

  async write(...messages: Uint8Array[]): Promise<void> {
    for (const m of messages) {
      try {
        await this.conn.write(m);
      } catch {
        // the client is gone
      }
    }
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }
}

/** A backend message of `type` with body parts (strings are written NUL-terminated). */
export function msg(type: string, ...parts: (Uint8Array | string | number[])[]): Uint8Array {
  const bytes: number[] = [];
  for (const p of parts) {
    if (typeof p === "string") bytes.push(...enc.encode(p), 0);
    else bytes.push(...p);
  }
  const out = new Uint8Array(5 + bytes.length);
  out[0] = type.charCodeAt(0);
  new DataView(out.buffer).setInt32(1, 4 + bytes.length);
  out.set(bytes, 5);
  return out;
}

export function int32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

export function int16(n: number): number[] {
  return [(n >>> 8) & 0xff, n & 0xff];
}

/** Authentication request `code` with extra data. */
export function auth(code: number, extra: Uint8Array | number[] = []): Uint8Array {
  return msg("R", int32(code), [...extra]);
}

/** What a server sends after authentication: parameters, key data, ReadyForQuery. */
export function welcome(pid = 4242): Uint8Array[] {
  return [
    auth(0),
    msg("S", "server_version", "15.99 (fake)"),
    msg("S", "client_encoding", "UTF8"),
    msg("S", "standard_conforming_strings", "on"),
    msg("K", int32(pid), int32(7)),
    msg("Z", [0x49]),
  ];
}

/** An ErrorResponse (or NoticeResponse with type N) from field letters. */
export function serverMessage(fields: Record<string, string>, type = "E"): Uint8Array {
  const parts: (string | number[])[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push([k.charCodeAt(0)], v);
  parts.push([0]);
  return msg(type, ...parts);
}

export function rowDescription(names: string[]): Uint8Array {
  const parts: (string | number[])[] = [int16(names.length)];
  for (const n of names) {
    parts.push(n, [...int32(0), ...int16(0), ...int32(25), ...int16(-1)], [
      ...int32(-1),
      ...int16(0),
    ]);
  }
  return msg("T", ...parts);
}

export function dataRow(values: (string | null)[]): Uint8Array {
  const parts: number[] = [...int16(values.length)];
  for (const v of values) {
    if (v === null) parts.push(...int32(-1));
    else {
      const b = enc.encode(v);
      parts.push(...int32(b.length), ...b);
    }
  }
  return msg("D", parts);
}

export function complete(tag: string): Uint8Array {
  return msg("C", tag);
}

export function ready(status = "I"): Uint8Array {
  return msg("Z", [status.charCodeAt(0)]);
}

/** A listening fake server. */
export class FakeServer {
  private constructor(
    private readonly listener: Deno.Listener,
    /** TCP port, or the port in the socket's name. */
    readonly port: number,
    /** The socket directory, for unix sockets. */
    readonly dir?: string,
  ) {}

  /** On 127.0.0.1, a free port. */
  static tcp(): FakeServer {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    return new FakeServer(l, (l.addr as Deno.NetAddr).port);
  }

  /** On a unix socket `${dir}/.s.PGSQL.${port}` in a new temporary directory. */
  static async unix(port = 5999): Promise<FakeServer> {
    const dir = await Deno.makeTempDir({ prefix: "sqlitch-pgwire-" });
    const l = Deno.listen({ transport: "unix", path: `${dir}/.s.PGSQL.${port}` });
    return new FakeServer(l, port, dir);
  }

  async accept(): Promise<FakeClientConn> {
    return new FakeClientConn(await this.listener.accept());
  }

  /** Accept one connection and play `script` on it; resolves with what the script returns. */
  serve<T>(script: (c: FakeClientConn) => Promise<T>): Promise<T> {
    return (async () => {
      const c = await this.accept();
      try {
        return await script(c);
      } finally {
        c.close();
      }
    })();
  }

  close(): void {
    try {
      this.listener.close();
    } catch {
      // already closed
    }
    if (this.dir) Deno.removeSync(this.dir, { recursive: true });
  }
}

// --- SCRAM-SHA-256, the server's side ---------------------------------------------------

/**
 * Walk a SCRAM-SHA-256 exchange as the server: the client's first message
 * (mechanism, gs2 header), the server-first message with `salt` and
 * `iterations`, the client's proof checked against `password` (as the
 * server would have stored it: already prepared). Resolves with whether
 * the proof was right; `badSignature` sends a wrong server signature.
 */
export async function scramServer(
  c: FakeClientConn,
  password: string,
  opts: { badSignature?: boolean; iterations?: number } = {},
): Promise<{ ok: boolean; mechanism: string; clientFirst: string }> {
  await c.write(auth(10, [...enc.encode("SCRAM-SHA-256\0"), 0]));
  const first = await c.expect("p");
  const nul = first.indexOf(0);
  const mechanism = dec.decode(first.subarray(0, nul));
  const len = new DataView(first.buffer, first.byteOffset).getInt32(nul + 1);
  const clientFirst = dec.decode(first.subarray(nul + 5, nul + 5 + len));
  const bare = clientFirst.replace(/^[ny],,/, "");
  const clientNonce = /r=([^,]*)/.exec(bare)![1];
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iterations = opts.iterations ?? 4096;
  const nonce = clientNonce + "srvNonce123";
  const serverFirst = `r=${nonce},s=${salt.toBase64()},i=${iterations}`;
  await c.write(auth(11, enc.encode(serverFirst)));
  const finalText = dec.decode(await c.expect("p"));
  const withoutProof = finalText.replace(/,p=[^,]*$/, "");
  const proof = Uint8Array.fromBase64(/,p=([^,]*)$/.exec(finalText)![1]);
  const key = await crypto.subtle.importKey("raw", enc.encode(password), "PBKDF2", false, [
    "deriveBits",
  ]);
  const salted = new Uint8Array(
    await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256),
  );
  const authMessage = `${bare},${serverFirst},${withoutProof}`;
  const storedKey = new Uint8Array(
    await crypto.subtle.digest("SHA-256", await hmacSha256(salted, "Client Key") as BufferSource),
  );
  const signature = await hmacSha256(storedKey, authMessage);
  const clientKey = proof.map((b, i) => b ^ signature[i]);
  const check = new Uint8Array(
    await crypto.subtle.digest("SHA-256", clientKey as Uint8Array<ArrayBuffer>),
  );
  const ok = check.toBase64() === storedKey.toBase64();
  if (!ok) return { ok, mechanism, clientFirst };
  const serverSignature = opts.badSignature
    ? new Uint8Array(32).toBase64()
    : (await hmacSha256(await hmacSha256(salted, "Server Key"), authMessage)).toBase64();
  await c.write(auth(12, enc.encode(`v=${serverSignature}`)));
  return { ok, mechanism, clientFirst };
}
