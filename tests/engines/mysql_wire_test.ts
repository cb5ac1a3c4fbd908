/**
 * Live tests of sqlitch's own MySQL protocol session (engines/mysql_wire.ts)
 * through `MysqlConnection`, on the test server: authentication with and
 * without a password (and its failures in the client library's words),
 * the handshake character set giving the session the real `mysql` client
 * gets with `--default-character-set`, values of every length encoding,
 * NULL, non-ASCII text and a leading U+FEFF, several results in one reply,
 * failures after results and while reading rows, and a unix socket.
 * Skipped loudly without the server (mysql_server.ts), failing under CI.
 *
 * Without a server: the `mysql_native_password` and `caching_sha2_password`
 * scrambles and the RSA-encrypted password (`sha256_password`, and
 * `caching_sha2_password` full authentication) checked against mysql2's
 * own plugins with fixed nonces, and scripted servers on 127.0.0.1 (and a
 * unix socket) walking caching_sha2 fast and full authentication, auth
 * switch requests to each plugin, and an access-denied error (MariaDB
 * here has no MySQL-only plugin).
 */
import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  constants as cryptoConstants,
  createHash,
  generateKeyPairSync,
  privateDecrypt,
} from "node:crypto";
import mysql2 from "mysql2";
import { MysqlConnection } from "../../engines/mysql_connection.ts";
import {
  cachingSha2Password,
  nativePassword,
  rsaPassword,
  WireSession,
} from "../../engines/mysql_wire.ts";
import { MysqlConnectionError, type MysqlServerError } from "../../engines/mysql_session.ts";
import {
  createDatabase,
  dropDatabase,
  MYSQL_HOST,
  MYSQL_PORT,
  MYSQL_USER,
  mysqlAvailable,
  mysqlExec,
} from "./mysql_server.ts";

const live = await mysqlAvailable();

function params(extra: Record<string, unknown> = {}) {
  return { host: MYSQL_HOST, port: MYSQL_PORT, user: MYSQL_USER, compress: false, ...extra };
}

function open(
  extra: Record<string, unknown> = {},
  names = "utf8mb3",
  database?: string | null,
): Promise<MysqlConnection> {
  return MysqlConnection.open({ params: params(extra), names, database });
}

const opts = { ignore: !live, sanitizeResources: false, sanitizeOps: false };

Deno.test({
  name: "mysql wire: values of every length encoding, NULL, non-ASCII and a leading BOM",
  ...opts,
  async fn() {
    const s = await open();
    try {
      const long = "x".repeat(300);
      const longer = "y".repeat(70_000);
      const [r] = await s.query(
        `SELECT NULL, '', 'abc', '${long}', '${longer}', 'é€😀', CONCAT(_utf8mb4 x'EFBBBF', 'a')`,
      );
      deepStrictEqual(r.rows, [[null, "", "abc", long, longer, "é€😀", "\ufeffa"]]);
      const [ascii] = await s.query("SELECT 'plain', NULL, 'text'");
      deepStrictEqual(ascii.rows, [["plain", null, "text"]]);
      deepStrictEqual(ascii.fields, ["plain", "NULL", "text"]);
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name: "mysql wire: several results in one reply, with affected rows and warnings",
  ...opts,
  async fn() {
    const db = `sqlw_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
    await createDatabase(db);
    const s = await open({}, "utf8mb3", db);
    try {
      const results = await s.query(
        "CREATE TABLE t (a INT); INSERT INTO t VALUES (1), (2); SELECT a FROM t ORDER BY a; " +
          "SELECT CAST('x' AS INT)",
      );
      strictEqual(results.length, 4);
      strictEqual(results[1].affectedRows, 2);
      deepStrictEqual(results[2].rows, [["1"], ["2"]]);
      deepStrictEqual(results[3].rows, [["0"]]);
      strictEqual(results[3].warningCount, 1);
      // A failure after results keeps them.
      await rejects(s.query("SELECT 1; SELECT nosuch FROM t"), (e: MysqlServerError) => {
        strictEqual(e.errno, 1054);
        strictEqual(e.sqlState, "42S22");
        strictEqual(e.results?.length, 1);
        strictEqual(e.afterFields, undefined);
        return true;
      });
      // A failure while the rows come.
      await rejects(
        s.query("SELECT a, (SELECT a FROM t) FROM t"),
        (e: MysqlServerError) => {
          strictEqual(e.errno, 1242);
          strictEqual(e.afterFields, true);
          return true;
        },
      );
      // The session goes on.
      deepStrictEqual((await s.query("SELECT 2"))[0].rows, [["2"]]);
    } finally {
      await s.close();
      await dropDatabase(db);
    }
  },
});

/** What the real client's session says about its character set. */
async function clientCharset(name: string): Promise<string> {
  const r = await new Deno.Command("mysql", {
    args: [
      `--default-character-set=${name}`,
      "--user",
      MYSQL_USER,
      "--host",
      MYSQL_HOST,
      "--port",
      String(MYSQL_PORT),
      "--silent",
      "--skip-column-names",
      "--execute",
      CHARSET_QUERY,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(r.stdout).trim();
}

const CHARSET_QUERY = "SELECT @@character_set_client, @@character_set_connection, " +
  "@@character_set_results, @@collation_connection";

function hasClient(): boolean {
  try {
    return new Deno.Command("mysql", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

Deno.test({
  name: "mysql wire: the handshake character set gives the client's session",
  ...opts,
  ignore: !live || !hasClient(),
  async fn() {
    for (const name of ["utf8mb3", "utf8", "latin1", "utf8mb4", "cp1251", "binary"]) {
      const s = await open({}, name);
      try {
        const [r] = await s.query(CHARSET_QUERY);
        strictEqual(r.rows[0].join("\t"), await clientCharset(name), name);
      } finally {
        await s.close();
      }
    }
    // Not a client character set: SET NAMES fails as the server says.
    await rejects(open({}, "utf16"), (e: MysqlServerError) => {
      strictEqual(e.errno, 1231);
      return true;
    });
  },
});

Deno.test({
  name: "mysql wire: passwords, and failures to connect in the client library's words",
  ...opts,
  async fn() {
    const user = `sqlw_${crypto.randomUUID().replaceAll("-", "").slice(0, 8)}`;
    await mysqlExec(`CREATE USER '${user}'@'%' IDENTIFIED BY 'p4ss w0rd'`);
    try {
      const s = await open({ user, password: "p4ss w0rd" }, "utf8mb3", null);
      deepStrictEqual((await s.query("SELECT CURRENT_USER()"))[0].rows, [[`${user}@%`]]);
      await s.close();
      await rejects(open({ user, password: "wrong" }, "utf8mb3", null), (e: Error) => {
        ok(e instanceof MysqlConnectionError);
        strictEqual(e.errno, 1045);
        ok(/^Access denied for user '.+'@'.+' \(using password: YES\)$/.test(e.message));
        return true;
      });
    } finally {
      await mysqlExec(`DROP USER '${user}'@'%'`);
    }
    await rejects(open({}, "utf8mb3", "sqlw_no_such_database"), (e: MysqlConnectionError) => {
      strictEqual(e.errno, 1049);
      strictEqual(e.message, "Unknown database 'sqlw_no_such_database'");
      return true;
    });
    await rejects(open({ host: "127.0.0.1", port: 1 }), (e: MysqlConnectionError) => {
      strictEqual(e.errno, 2002);
      strictEqual(e.message, "Can't connect to server on '127.0.0.1' (115)");
      return true;
    });
    await rejects(open({ host: "no-such-host.invalid" }), (e: MysqlConnectionError) => {
      strictEqual(e.errno, 2005);
      strictEqual(e.message, "Unknown server host 'no-such-host.invalid' (-2)");
      return true;
    });
    await rejects(open({ socket: "/nonexistent/mysqld.sock" }), (e: MysqlConnectionError) => {
      strictEqual(e.errno, 2002);
      strictEqual(
        e.message,
        "Can't connect to local server through socket '/nonexistent/mysqld.sock' (2)",
      );
      return true;
    });
  },
});

const SOCKET = "/run/mysqld/mysqld.sock";
let hasSocket = false;
try {
  hasSocket = Deno.statSync(SOCKET).isSocket === true;
} catch {
  hasSocket = false;
}

Deno.test({
  name: "mysql wire: a unix socket connection",
  ...opts,
  ignore: !live || !hasSocket,
  async fn() {
    const s = await open({ socket: SOCKET });
    try {
      deepStrictEqual((await s.query("SELECT 1"))[0].rows, [["1"]]);
      ok(s.serverVersionNumber > 0);
    } finally {
      await s.close();
    }
  },
});

// ---------------------------------------------------------------------------------------
// Authentication without a server: the scrambles against mysql2's own plugins (an
// independent implementation), then scripted servers on 127.0.0.1 walking the exchanges
// MariaDB here cannot (caching_sha2_password, sha256_password, auth switch).

/** mysql2's authentication plugin `name` for `password`: its reply to each server packet. */
function mysql2Plugin(name: string, password: string): (data: Buffer) => Buffer | null {
  const plugins = (mysql2 as unknown as {
    authPlugins: Record<string, (o: unknown) => (c: unknown) => (d: Buffer) => Buffer | null>;
  }).authPlugins;
  return plugins[name]({})({ connection: { config: { password } }, command: {} });
}

/** Fixed 20-byte nonces (printable, no NUL, as servers send them). */
const NONCES = [
  new TextEncoder().encode("abcdefghijklmnopqrst"),
  Uint8Array.from({ length: 20 }, (_, i) => 0x21 + ((i * 37) % 90)),
  Uint8Array.from({ length: 20 }, (_, i) => 0x7f - i),
];
const PASSWORDS = ["", "secret", "p4ss w0rd", "pässwörd 😀", "x".repeat(100)];

const rsa = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});
const PEM = new TextEncoder().encode(rsa.publicKey);

/** What an RSA-encrypted password decrypts to (OAEP, as the server decrypts it). */
function decrypt(data: Uint8Array): Uint8Array {
  return new Uint8Array(
    privateDecrypt({ key: rsa.privateKey, padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING }, data),
  );
}

/** The plaintext the server expects: the NUL-terminated password XORed with the nonce. */
function xorRotating(password: string, nonce: Uint8Array): Uint8Array {
  const b = new TextEncoder().encode(`${password}\0`);
  return b.map((v, i) => v ^ nonce[i % nonce.length]);
}

Deno.test("mysql wire: mysql_native_password and caching_sha2_password scrambles as mysql2's", async () => {
  for (const password of PASSWORDS) {
    for (const nonce of NONCES) {
      const what = `${JSON.stringify(password)}, nonce ${nonce.join(",")}`;
      deepStrictEqual(
        nativePassword(password, nonce),
        new Uint8Array(mysql2Plugin("mysql_native_password", password)(Buffer.from(nonce))!),
        `native: ${what}`,
      );
      deepStrictEqual(
        await cachingSha2Password(password, nonce),
        new Uint8Array(mysql2Plugin("caching_sha2_password", password)(Buffer.from(nonce))!),
        `caching_sha2: ${what}`,
      );
    }
  }
  // One vector computed here with node:crypto, by the protocol's definition.
  const sha1 = (...b: Uint8Array[]) => {
    const h = createHash("sha1");
    for (const x of b) h.update(x);
    return new Uint8Array(h.digest());
  };
  const s1 = sha1(new TextEncoder().encode("secret"));
  const expected = sha1(NONCES[0], sha1(s1)).map((v, i) => v ^ s1[i]);
  deepStrictEqual(nativePassword("secret", NONCES[0]), expected);
});

Deno.test("mysql wire: RSA-encrypted passwords decrypt to what mysql2 sends", async () => {
  for (const password of PASSWORDS.filter((p) => p !== "")) {
    for (const nonce of NONCES) {
      const ours = decrypt(await rsaPassword(password, nonce, PEM));
      deepStrictEqual(ours, xorRotating(password, nonce));
      // mysql2's caching_sha2_password full authentication: token, [4] → [2], key → password.
      const caching = mysql2Plugin("caching_sha2_password", password);
      caching(Buffer.from(nonce));
      deepStrictEqual([...caching(Buffer.from([4]))!], [2]);
      deepStrictEqual(ours, decrypt(caching(Buffer.from(PEM))!));
      // mysql2's sha256_password: [1] asks for the key, then the password.
      const sha256 = mysql2Plugin("sha256_password", password);
      deepStrictEqual([...sha256(Buffer.from(nonce))!], [1]);
      deepStrictEqual(ours, decrypt(sha256(Buffer.from(PEM))!));
    }
  }
});

/** Server-side packet I/O on an accepted connection, with sequence numbers checked. */
class FakeIo {
  private buf = new Uint8Array(0);
  seq = 0;
  constructor(readonly conn: Deno.Conn) {}

  private async fill(n: number): Promise<void> {
    while (this.buf.length < n) {
      const chunk = new Uint8Array(65536);
      const got = await this.conn.read(chunk);
      if (got === null) throw new Error("client closed the connection");
      const next = new Uint8Array(this.buf.length + got);
      next.set(this.buf);
      next.set(chunk.subarray(0, got), this.buf.length);
      this.buf = next;
    }
  }

  /** The client's next packet; its sequence number must follow the last one. */
  async read(): Promise<Uint8Array> {
    await this.fill(4);
    const length = this.buf[0] | (this.buf[1] << 8) | (this.buf[2] << 16);
    strictEqual(this.buf[3], (this.seq + 1) & 0xff, "client sequence number");
    this.seq = this.buf[3];
    await this.fill(4 + length);
    const payload = this.buf.slice(4, 4 + length);
    this.buf = this.buf.slice(4 + length);
    return payload;
  }

  /** Send a packet with the next sequence number (0 for the greeting). */
  async write(...parts: (Uint8Array | number[] | string)[]): Promise<void> {
    const bytes = parts.flatMap((p) =>
      typeof p === "string" ? [...new TextEncoder().encode(p)] : [...p]
    );
    const seq = this.seq === -1 ? 0 : (this.seq + 1) & 0xff;
    this.seq = seq;
    const n = bytes.length;
    await this.conn.write(new Uint8Array([n & 0xff, (n >> 8) & 0xff, n >> 16, seq, ...bytes]));
  }

  ok(): Promise<void> {
    return this.write([0, 0, 0, 2, 0, 0, 0]);
  }
}

const u16 = (n: number) => [n & 0xff, n >> 8];

/** A greeting announcing `plugin` with `nonce` (capabilities of a MySQL 8 server). */
function greeting(plugin: string, nonce: Uint8Array): (number[] | Uint8Array | string)[] {
  // LONG_PASSWORD, FOUND_ROWS, LONG_FLAG, CONNECT_WITH_DB, LOCAL_FILES, PROTOCOL_41,
  // TRANSACTIONS, SECURE_CONNECTION, MULTI_*, PLUGIN_AUTH, PLUGIN_AUTH_LENENC_CLIENT_DATA.
  const caps = 1 | 2 | 4 | 8 | 128 | 512 | 8192 | 32768 | (7 << 16) | (1 << 19) | (1 << 21);
  return [
    [10],
    "8.0.36\0",
    [7, 0, 0, 0],
    nonce.subarray(0, 8),
    [0],
    u16(caps & 0xffff),
    [255],
    u16(2),
    u16(caps >>> 16),
    [21],
    new Uint8Array(10),
    nonce.subarray(8),
    [0],
    `${plugin}\0`,
  ];
}

/** The parts of a handshake response. */
function parseResponse(p: Uint8Array) {
  const dv = new DataView(p.buffer, p.byteOffset);
  const flags = dv.getUint32(0, true);
  let pos = 32;
  const cstring = () => {
    const end = p.indexOf(0, pos);
    const s = new TextDecoder().decode(p.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const user = cstring();
  ok(flags & (1 << 21), "length-encoded auth data");
  const n = p[pos++];
  ok(n < 0xfb);
  const auth = p.slice(pos, pos + n);
  pos += n;
  const database = flags & 8 ? cstring() : undefined;
  const plugin = flags & (1 << 19) ? cstring() : undefined;
  return { user, auth, database, plugin, charset: p[8] };
}

/**
 * Run `script` as the server of one connection (TCP on 127.0.0.1, or a unix
 * socket) while a session opens with `password`; the session's outcome.
 */
async function withFakeServer(
  password: string,
  script: (io: FakeIo) => Promise<void>,
  unix = false,
): Promise<WireSession | Error> {
  const dir = unix ? await Deno.makeTempDir({ prefix: "sqlitch-wire-" }) : undefined;
  const listener = dir === undefined
    ? Deno.listen({ hostname: "127.0.0.1", port: 0 })
    : Deno.listen({ transport: "unix", path: `${dir}/mysqld.sock` });
  const served = (async () => {
    const conn = await listener.accept();
    const io = new FakeIo(conn);
    io.seq = -1;
    try {
      await script(io);
      // Wait for COM_QUIT or the client going away.
      await io.conn.read(new Uint8Array(64)).catch(() => null);
    } finally {
      conn.close();
    }
  })();
  const session = await WireSession.open({
    host: "127.0.0.1",
    port: (listener.addr as Deno.NetAddr).port ?? 0,
    socket: dir === undefined ? undefined : `${dir}/mysqld.sock`,
    user: "ann",
    password,
    database: "flipr",
    charsetId: 33,
    connectTimeoutMs: 5000,
  }).catch((e: Error) => e);
  if (session instanceof WireSession) await session.close();
  try {
    await served;
  } finally {
    listener.close();
    if (dir !== undefined) await Deno.remove(dir, { recursive: true });
  }
  return session;
}

const N1 = NONCES[0];
const N2 = NONCES[1];

Deno.test("mysql wire: caching_sha2_password fast authentication (fake server)", async () => {
  const s = await withFakeServer("secret", async (io) => {
    await io.write(...greeting("caching_sha2_password", N1));
    const r = parseResponse(await io.read());
    strictEqual(r.user, "ann");
    strictEqual(r.database, "flipr");
    strictEqual(r.plugin, "caching_sha2_password");
    strictEqual(r.charset, 33);
    deepStrictEqual(
      r.auth,
      new Uint8Array(mysql2Plugin("caching_sha2_password", "secret")(Buffer.from(N1))!),
    );
    await io.write([1, 3]); // fast authentication succeeded
    await io.ok();
  });
  ok(s instanceof WireSession, String(s));
  strictEqual(s.serverVersion, "8.0.36");
});

Deno.test(
  "mysql wire: caching_sha2_password full authentication over TCP asks for the RSA key, never sends the password in clear (fake server)",
  async () => {
    const s = await withFakeServer("p4ss w0rd", async (io) => {
      await io.write(...greeting("caching_sha2_password", N1));
      parseResponse(await io.read());
      await io.write([1, 4]); // perform full authentication
      deepStrictEqual([...await io.read()], [2], "request for the public key, not the password");
      await io.write([1], PEM);
      deepStrictEqual(decrypt(await io.read()), xorRotating("p4ss w0rd", N1));
      await io.ok();
    });
    ok(s instanceof WireSession, String(s));
  },
);

Deno.test(
  "mysql wire: caching_sha2_password full authentication on a unix socket sends the password (fake server)",
  async () => {
    const s = await withFakeServer("p4ss w0rd", async (io) => {
      await io.write(...greeting("caching_sha2_password", N1));
      parseResponse(await io.read());
      await io.write([1, 4]);
      strictEqual(new TextDecoder().decode(await io.read()), "p4ss w0rd\0");
      await io.ok();
    }, true);
    ok(s instanceof WireSession, String(s));
  },
);

Deno.test("mysql wire: auth switch requests, each plugin's answer (fake server)", async () => {
  /** A server announcing mysql_native_password, then switching to `plugin` with nonce N2. */
  const switching = (plugin: string, password: string, rest: (io: FakeIo) => Promise<void>) =>
    withFakeServer(password, async (io) => {
      await io.write(...greeting("mysql_native_password", N1));
      const r = parseResponse(await io.read());
      strictEqual(r.plugin, "mysql_native_password");
      deepStrictEqual(
        r.auth,
        new Uint8Array(mysql2Plugin("mysql_native_password", password)(Buffer.from(N1))!),
      );
      await io.write([0xfe], `${plugin}\0`, N2, [0]);
      await rest(io);
    });

  for (const password of ["secret", ""]) {
    let s = await switching("caching_sha2_password", password, async (io) => {
      deepStrictEqual(
        await io.read(),
        new Uint8Array(mysql2Plugin("caching_sha2_password", password)(Buffer.from(N2))!),
      );
      await io.write([1, 3]);
      await io.ok();
    });
    ok(s instanceof WireSession, `caching_sha2 ${password}: ${s}`);

    s = await switching("mysql_native_password", password, async (io) => {
      deepStrictEqual(
        await io.read(),
        new Uint8Array(mysql2Plugin("mysql_native_password", password)(Buffer.from(N2))!),
      );
      await io.ok();
    });
    ok(s instanceof WireSession, `native ${password}: ${s}`);

    s = await switching("mysql_clear_password", password, async (io) => {
      deepStrictEqual(
        await io.read(),
        new Uint8Array(mysql2Plugin("mysql_clear_password", password)(Buffer.from(N2))!),
      );
      await io.ok();
    });
    ok(s instanceof WireSession, `clear ${password}: ${s}`);
  }

  let s = await switching("sha256_password", "secret", async (io) => {
    deepStrictEqual([...await io.read()], [1], "request for the public key");
    await io.write([1], PEM);
    deepStrictEqual(decrypt(await io.read()), xorRotating("secret", N2));
    await io.ok();
  });
  ok(s instanceof WireSession, `sha256: ${s}`);
  s = await switching("sha256_password", "", async (io) => {
    deepStrictEqual([...await io.read()], [0], "an empty password");
    await io.ok();
  });
  ok(s instanceof WireSession, `sha256 empty: ${s}`);

  s = await switching("auth_gssapi_client", "secret", () => Promise.resolve());
  ok(s instanceof MysqlConnectionError);
  strictEqual(s.errno, 2059);
  strictEqual(s.message, "Authentication plugin 'auth_gssapi_client' cannot be loaded");
});

Deno.test("mysql wire: an error after the password reads as the server's (fake server)", async () => {
  const s = await withFakeServer("wrong", async (io) => {
    await io.write(...greeting("caching_sha2_password", N1));
    parseResponse(await io.read());
    await io.write(
      [0xff],
      u16(1045),
      "#28000Access denied for user 'ann'@'localhost' (using password: YES)",
    );
  });
  ok(s instanceof MysqlConnectionError);
  strictEqual(s.errno, 1045);
  strictEqual(s.message, "Access denied for user 'ann'@'localhost' (using password: YES)");
  ok(!s.message.includes("wrong"));
});
