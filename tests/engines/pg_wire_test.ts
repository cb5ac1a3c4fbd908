/**
 * sqlitch's own PostgreSQL protocol code (engines/pg_wire.ts,
 * engines/pg_wire_auth.ts) and the session on it (engines/pg_session.ts).
 *
 * Without a server: MD5 (RFC 1321 vectors, node:crypto, and the `pg`
 * driver's password hash), SCRAM-SHA-256 (RFC 7677's example, and the
 * driver's own SCRAM code with fixed nonces), SASLprep, parameters as
 * the driver's `prepareValue` sends them (arrays, dates, NULL, bytes),
 * DataRow decoding, the IP address check (as `node:net`'s `isIP`), and
 * the module graph of `status` and `log` on PostgreSQL (no `node:` or
 * `npm:` module). Then scripted servers (pg_wire_fake.ts) walking the
 * start-up message, trust, cleartext, MD5 and SCRAM authentication (and
 * their failures in libpq's words), channel_binding=require, the TLS
 * question, a lost connection, a start-up that never ends, unix sockets,
 * the extended protocol's messages and the pipelined reset.
 *
 * With the test server (pg_server.ts): the same statements, errors,
 * notices and COPY through sqlitch's protocol code and through the `pg`
 * driver give the same results, and a session the server ends while idle
 * is seen as lost.
 */
import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { isIP } from "node:net";
import sasl from "pg/lib/crypto/sasl.js";
import driverCrypto from "pg/lib/crypto/utils.js";
import driverUtils from "pg/lib/utils.js";
import type { PgConnectionParams } from "../../core/pg_connection.ts";
import { ipVersion, PgSession, usePgDriverOnly } from "../../engines/pg_session.ts";
import {
  arrayLiteral,
  CONNECTION_LOST,
  parameterValue,
  parseDataRow,
  TlsAccepted,
  WireConnection,
} from "../../engines/pg_wire.ts";
import {
  md5Hex,
  md5Password,
  saslPrep,
  scramClientFinal,
  scramVerifyFinal,
} from "../../engines/pg_wire_auth.ts";
import {
  PgConnectionError,
  type PgMessage,
  PgServerError,
  type PsqlResult,
} from "../../engines/psql_session.ts";
import {
  auth,
  complete,
  dataRow,
  FakeServer,
  msg,
  ready,
  rowDescription,
  scramServer,
  serverMessage,
  welcome,
} from "./pg_wire_fake.ts";
import { PG_HOST, PG_PORT, pgAvailable } from "./pg_server.ts";

// These tests are about sqlitch's own protocol code, whatever SQLITCH_TEST_PG_DRIVER says.
usePgDriverOnly(false);

const enc = new TextEncoder();
const dec = new TextDecoder();
const noFiles = { readText: () => undefined, stat: () => undefined };
const opts = { sanitizeResources: false, sanitizeOps: false };

/** A test against a scripted server (`make`: TCP by default), closed afterwards. */
function fakeServerTest(
  name: string,
  fn: (server: FakeServer) => Promise<void>,
  make: () => FakeServer | Promise<FakeServer> = () => FakeServer.tcp(),
): void {
  Deno.test({
    name,
    ...opts,
    async fn() {
      const server = await make();
      try {
        await fn(server);
      } finally {
        server.close();
      }
    },
  });
}

/** Connection parameters for a test: 127.0.0.1:5432, user and database postgres, sslmode=disable. */
function params(p: Partial<PgConnectionParams> = {}): PgConnectionParams {
  return {
    hosts: ["127.0.0.1"],
    hostaddrs: [],
    ports: [5432],
    user: "postgres",
    dbname: "postgres",
    sslmode: "disable",
    warnings: [],
    ...p,
  };
}

function open(p: Partial<PgConnectionParams> = {}): Promise<PgSession> {
  return PgSession.open({ params: params(p), files: noFiles });
}

/** The session's failure to connect, as text. */
async function openFailure(p: Partial<PgConnectionParams>): Promise<string> {
  try {
    const s = await open(p);
    await s.close(false);
  } catch (e) {
    ok(e instanceof PgConnectionError, String(e));
    return e.message;
  }
  throw new Error("connected");
}

// --- digests and SCRAM --------------------------------------------------------------------

Deno.test("pg wire: MD5 by RFC 1321's vectors and node:crypto", () => {
  const vectors: [string, string][] = [
    ["", "d41d8cd98f00b204e9800998ecf8427e"],
    ["a", "0cc175b9c0f1b6a831c399e269772661"],
    ["abc", "900150983cd24fb0d6963f7d28e17f72"],
    ["message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
    ["abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"],
    [
      "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
      "57edf4a22be3c955ac49da2e2107b67a",
    ],
  ];
  for (const [text, hex] of vectors) strictEqual(md5Hex(enc.encode(text)), hex, text);
  for (let n = 0; n < 300; n += 7) {
    const data = crypto.getRandomValues(new Uint8Array(n));
    strictEqual(md5Hex(data), createHash("md5").update(data).digest("hex"), `length ${n}`);
  }
});

Deno.test("pg wire: the MD5 password answer as the pg driver computes it", async () => {
  for (const [user, password] of [["postgres", "secret"], ["ann", "pässwörd 😀"], ["u", ""]]) {
    const salt = crypto.getRandomValues(new Uint8Array(4));
    strictEqual(
      md5Password(user, password, salt),
      await driverCrypto.postgresMd5PasswordHash(user, password, Buffer.from(salt)),
    );
  }
});

Deno.test("pg wire: SCRAM-SHA-256 by RFC 7677's example", async () => {
  const x = await scramClientFinal(
    "pencil",
    "rOprNGfwEbeRWgbNEkqO",
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    "user",
  );
  strictEqual(
    x.clientFinal,
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0," +
      "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  );
  strictEqual(x.serverSignature, "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
  scramVerifyFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", x.serverSignature);
});

Deno.test("pg wire: SCRAM-SHA-256 as the pg driver's own SCRAM code", async () => {
  for (const password of ["secret", "p4ss w0rd", "x".repeat(100), "a,b=c"]) {
    for (const nonce of ["abcdefghijklmnopqrstuvwx", "ABC+/xyz0123456789ABCDEF"]) {
      const serverFirst = `r=${nonce}SERVER,s=${btoa("salt of sixteen!")},i=4096`;
      // The driver sends `n=*` for the user; the test passes the same to compare the proofs.
      const session = { message: "SASLInitialResponse", clientNonce: nonce } as Record<
        string,
        unknown
      >;
      await sasl.continueSession(session, password, serverFirst);
      const ours = await scramClientFinal(password, nonce, serverFirst, "*");
      strictEqual(ours.clientFinal, session.response, `${password} ${nonce}`);
      strictEqual(ours.serverSignature, session.serverSignature);
    }
  }
});

Deno.test("pg wire: SCRAM failures in libpq's words", async () => {
  const fails = async (serverFirst: string, text: string) =>
    await rejects(scramClientFinal("pw", "abc", serverFirst), (e: Error) => {
      strictEqual(e.message, text);
      return true;
    });
  await fails("r=xyz1,s=c2FsdA==,i=4096", "invalid SCRAM response (nonce mismatch)");
  await fails("r=abc,s=c2FsdA==,i=4096", "invalid SCRAM response (nonce mismatch)");
  await fails("s=c2FsdA==,i=4096", 'malformed SCRAM message (attribute "r" expected)');
  await fails("r=abcd,s=c2F!dA==,i=4096", "malformed SCRAM message (invalid salt)");
  await fails("r=abcd,s=c2FsdA==,i=x", "malformed SCRAM message (invalid iteration count)");
  await fails(
    "r=abcd,s=c2FsdA==,i=1,x=y",
    "malformed SCRAM message (garbage at end of server-first-message)",
  );
  const check = (final: string, text: string) => {
    try {
      scramVerifyFinal(final, "c2ln");
    } catch (e) {
      strictEqual((e as Error).message, text);
      return;
    }
    throw new Error("accepted");
  };
  check("v=b3RoZXI=", "incorrect server signature");
  check("e=invalid-proof", "error received from server in SCRAM exchange: invalid-proof");
  check("v=!!", "malformed SCRAM message (invalid server signature)");
});

Deno.test("pg wire: SASLprep as libpq prepares SCRAM passwords", () => {
  strictEqual(saslPrep("plain ASCII\u0007"), "plain ASCII\u0007"); // ASCII: as it is
  strictEqual(saslPrep("pa\u00a0ss"), "pa ss"); // non-ASCII space → space
  strictEqual(saslPrep("pa\u00adss\u200b"), "pass "); // soft hyphen dropped; U+200B is a space
  strictEqual(saslPrep("\uff50\uff41\uff53\uff53"), "pass"); // fullwidth → NFKC
  strictEqual(saslPrep("\u2168"), "IX"); // Roman numeral nine → NFKC
  strictEqual(saslPrep("caf\u0065\u0301"), "caf\u00e9"); // composed
  strictEqual(saslPrep("é\u0007"), "é\u0007"); // a control character: the password as given
  strictEqual(saslPrep("é\ue000"), "é\ue000"); // private use: as given
  strictEqual(saslPrep("\u05d0\u05d1"), "\u05d0\u05d1"); // right-to-left only: prepared
  strictEqual(saslPrep("\u05d0a\u05d1"), "\u05d0a\u05d1"); // mixed directions: as given
  strictEqual(saslPrep("\u05d01"), "\u05d01"); // RandAL not last: as given
  strictEqual(saslPrep("\u00ad"), "\u00ad"); // nothing left: as given
});

// --- values -------------------------------------------------------------------------------

Deno.test("pg wire: parameters as the pg driver's prepareValue sends them", () => {
  const values: unknown[] = [
    "text",
    "",
    'quo"te\\back',
    0,
    -1.5,
    1e21,
    123n,
    true,
    false,
    null,
    undefined,
    ["a", 'b"c', "d\\e", null, undefined, "", "NULL", "x,y", " sp "],
    [1, 2.5, true],
    [["a", "b"], ["c", null]],
    [],
    [new Uint8Array([0, 255, 16])],
    new Date(2026, 0, 2, 3, 4, 5, 6),
    new Date(-62198755200000),
    { a: 1, b: ["x"] },
    [{ a: 1 }],
    [new Date(2026, 5, 1)],
  ];
  for (const v of values) {
    strictEqual(parameterValue(v), driverUtils.prepareValue(v), JSON.stringify(String(v)));
  }
  deepStrictEqual(
    parameterValue(new Uint8Array([1, 2, 3])),
    new Uint8Array(driverUtils.prepareValue(new Uint8Array([1, 2, 3]))),
  );
  strictEqual(arrayLiteral(["a b", null, 'q"']), '{"a b",NULL,"q\\""}');
});

/** A DataRow body of the values' UTF-8 bytes (or raw bytes), NULL for null. */
function rowBody(values: (string | Uint8Array | null)[]): Uint8Array {
  const parts: number[] = [values.length >> 8, values.length & 0xff];
  for (const v of values) {
    if (v === null) parts.push(255, 255, 255, 255);
    else {
      const b = typeof v === "string" ? enc.encode(v) : v;
      parts.push(b.length >>> 24, (b.length >>> 16) & 255, (b.length >>> 8) & 255, b.length & 255);
      parts.push(...b);
    }
  }
  return new Uint8Array(parts);
}

Deno.test("pg wire: DataRow values as the server's text, decoded as the driver decodes them", () => {
  const long = "x".repeat(200);
  deepStrictEqual(parseDataRow(rowBody(["a", null, "", long, "é€😀"])), [
    "a",
    null,
    "",
    long,
    "é€😀",
  ]);
  deepStrictEqual(parseDataRow(rowBody(["\ufeffbom", "b"])), ["\ufeffbom", "b"]);
  // A value whose length byte could pair with its first byte (0xC3 0xA9): decoded on its own.
  const odd = new Uint8Array(195);
  odd[0] = 0xa9;
  odd.fill(0x61, 1);
  const values = [odd, new Uint8Array([0xe2, 0x82]), new Uint8Array([0x80])];
  deepStrictEqual(
    parseDataRow(rowBody(values)),
    values.map((v) => Buffer.from(v).toString("utf8")),
  );
});

Deno.test("pg wire: IP addresses told as node:net's isIP tells them", () => {
  const samples = [
    "127.0.0.1",
    "0.0.0.0",
    "255.255.255.255",
    "256.1.1.1",
    "1.2.3",
    "01.2.3.4",
    "1.2.3.4 ",
    "::",
    "::1",
    "fe80::1%eth0",
    "2001:db8::8a2e:370:7334",
    "2001:0db8:0000:0000:0000:ff00:0042:8329",
    "1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7:8:9",
    "1::2::3",
    "::ffff:192.0.2.1",
    "::ffff:192.0.2.256",
    "1:2:3:4:5:6:1.2.3.4",
    "1:2:3:4:5:6:7:1.2.3.4",
    "g::1",
    "localhost",
    "",
    "db.example.com",
    "12345::",
    ":1",
    "1:",
  ];
  for (const s of samples) strictEqual(ipVersion(s), isIP(s), s);
});

// --- what a status loads ----------------------------------------------------------------------

Deno.test("pg wire: status and log on PostgreSQL load no node: or npm: module", async () => {
  // What `deno run` loads for each root: its imports and literal dynamic imports, transitively
  // (commands and engines are imported with computed specifiers, hence one root each).
  const roots = ["main.ts", "commands/status.ts", "commands/log.ts", "engines/pg.ts"];
  const root = new URL("../../", import.meta.url);
  for (const file of roots) {
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", file],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    ok(r.success, dec.decode(r.stderr));
    const info = JSON.parse(dec.decode(r.stdout)) as {
      roots: string[];
      modules: { specifier: string; dependencies?: { code?: { specifier?: string } }[] }[];
    };
    const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
    const seen = new Set<string>();
    const stack = [...info.roots];
    const foreign: string[] = [];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      if (!s.startsWith("file:")) {
        foreign.push(s);
        continue;
      }
      for (const d of bySpecifier.get(s)?.dependencies ?? []) {
        if (d.code?.specifier) stack.push(d.code.specifier);
      }
    }
    deepStrictEqual(foreign, [], `${file} loads ${foreign.join(", ")}`);
    if (file === "engines/pg.ts") ok(seen.has(new URL("engines/pg_wire.ts", root).href));
  }
});

// --- scripted servers -----------------------------------------------------------------------

fakeServerTest(
  "pg wire: the start-up message, trust, parameters, key data, and a query",
  async (server) => {
    const served = server.serve(async (c) => {
      const startup = await c.readStartup();
      strictEqual(startup.code, 196608);
      deepStrictEqual(startup.params, {
        user: "ann",
        database: "app",
        application_name: "tool",
        options: "-c search_path=x",
        client_encoding: "UTF8",
      });
      await c.write(...welcome(777));
      strictEqual(dec.decode(await c.expect("Q")), "SELECT 1; SELECT 2\0");
      await c.write(
        rowDescription(["a", "b"]),
        dataRow(["1", null]),
        complete("SELECT 1"),
        serverMessage({ S: "NOTICE", V: "NOTICE", C: "00000", M: "note" }, "N"),
        msg("A", [0, 0, 0, 1], "chan", "payload"),
        msg("S", "TimeZone", "UTC"),
        complete("INSERT 0 3"),
        ready("T"),
      );
      return await c.closed();
    });
    const s = await open({
      ports: [server.port],
      user: "ann",
      dbname: "app",
      applicationName: undefined,
      fallbackApplicationName: "tool",
      options: "-c search_path=x",
    });
    strictEqual(s.pid, 777);
    strictEqual(s.serverVersionNum, 150099);
    const notices: PgMessage[] = [];
    s.onNotice((n) => notices.push(n));
    const results = await s.query("SELECT 1; SELECT 2");
    deepStrictEqual(results, [
      { command: "SELECT", rowCount: 1, fields: ["a", "b"], rows: [["1", null]] },
      { command: "INSERT", rowCount: 3, fields: [], rows: [] },
    ]);
    deepStrictEqual(notices, [{ severity: "NOTICE", message: "note", code: "00000" }]);
    strictEqual(s.transactionStatus, "T");
    deepStrictEqual(s.info(), {
      dbname: "app",
      user: "ann",
      host: "127.0.0.1",
      port: String(server.port),
      serverVersionNum: "150099",
      serverVersion: "15.99 (fake)",
      encoding: "UTF8",
      standardConformingStrings: true,
    });
    await s.close();
    ok(await served, "the client hung up after Terminate");
  },
);

fakeServerTest("pg wire: cleartext, MD5 and SCRAM-SHA-256 passwords", async (server) => {
  // Cleartext.
  let served: Promise<unknown> = server.serve(async (c) => {
    await c.readStartup();
    await c.write(auth(3));
    strictEqual(dec.decode(await c.expect("p")), "sécret\0");
    await c.write(...welcome());
  });
  await (await open({ ports: [server.port], password: "sécret" })).close(false);
  await served;
  // MD5.
  served = server.serve(async (c) => {
    await c.readStartup();
    const salt = new Uint8Array([1, 2, 250, 4]);
    await c.write(auth(5, salt));
    const answer = dec.decode(await c.expect("p"));
    const inner = createHash("md5").update("sécretpostgres").digest("hex");
    const outer = createHash("md5").update(Buffer.concat([Buffer.from(inner), salt]))
      .digest("hex");
    strictEqual(answer, `md5${outer}\0`);
    await c.write(...welcome());
  });
  await (await open({ ports: [server.port], password: "sécret" })).close(false);
  await served;
  // SCRAM, with a password SASLprep changes (the server stored the prepared one).
  served = server.serve(async (c) => {
    await c.readStartup();
    const r = await scramServer(c, "pass word");
    strictEqual(r.mechanism, "SCRAM-SHA-256");
    ok(/^n,,n=,r=[A-Za-z0-9+/]{24}$/.test(r.clientFirst), r.clientFirst);
    ok(r.ok, "the client's proof");
    await c.write(...welcome().slice(1));
  });
  await (await open({ ports: [server.port], password: "\uff50ass\u00a0word" })).close(false);
  await served;
});

fakeServerTest("pg wire: authentication failures in libpq's words", async (server) => {
  const label = `connection to server at "127.0.0.1", port ${server.port} failed: `;
  // No password for a password request.
  for (const code of [3, 5]) {
    const served = server.serve(async (c) => {
      await c.readStartup();
      await c.write(auth(code, code === 5 ? [1, 2, 3, 4] : []));
      return await c.closed();
    });
    strictEqual(
      await openFailure({ ports: [server.port] }),
      `${label}fe_sendauth: no password supplied`,
    );
    ok(await served);
  }
  let served: Promise<unknown> = server.serve(async (c) => {
    await c.readStartup();
    await c.write(auth(10, [...enc.encode("SCRAM-SHA-256\0"), 0]));
    return await c.closed();
  });
  strictEqual(
    await openFailure({ ports: [server.port], password: "" }),
    `${label}fe_sendauth: no password supplied`,
  );
  await served;
  // The server's refusal, with the password file named.
  served = server.serve(async (c) => {
    await c.readStartup();
    await c.write(auth(3));
    await c.expect("p");
    await c.write(serverMessage({
      S: "FATAL",
      V: "FATAL",
      C: "28P01",
      M: 'password authentication failed for user "postgres"',
    }));
  });
  strictEqual(
    await openFailure({ ports: [server.port], password: "x", passwordFile: "/h/.pgpass" }),
    `${label}FATAL:  password authentication failed for user "postgres"\n` +
      `password retrieved from file "/h/.pgpass"`,
  );
  await served;
  // A server signature that does not match.
  served = server.serve(async (c) => {
    await c.readStartup();
    await scramServer(c, "pw", { badSignature: true });
    return await c.closed();
  });
  strictEqual(
    await openFailure({ ports: [server.port], password: "pw" }),
    `${label}incorrect server signature`,
  );
  await served;
  // An authentication method libpq does not support without Kerberos.
  served = server.serve(async (c) => {
    await c.readStartup();
    await c.write(auth(6));
    return await c.closed();
  });
  strictEqual(
    await openFailure({ ports: [server.port], password: "pw" }),
    `${label}authentication method 6 not supported`,
  );
  await served;
  // The server hangs up during the start-up.
  served = server.serve(async (c) => {
    await c.readStartup();
  });
  strictEqual(await openFailure({ ports: [server.port] }), `${label}${CONNECTION_LOST}`);
  await served;
});

fakeServerTest(
  "pg wire: channel_binding=require without TLS fails as libpq fails",
  async (server) => {
    const label = `connection to server at "127.0.0.1", port ${server.port} failed: `;
    const cases: [number[], string][] = [
      [[0], "channel binding required, but server authenticated client without channel binding"],
      [[3], "channel binding required but not supported by server's authentication request"],
      [
        [5, 1, 2, 3, 4],
        "channel binding required but not supported by server's authentication request",
      ],
      [[10], "channel binding required, but SSL not in use"],
    ];
    for (const [request, text] of cases) {
      const served = server.serve(async (c) => {
        await c.readStartup();
        const [code, ...rest] = request;
        await c.write(auth(code, code === 10 ? enc.encode("SCRAM-SHA-256\0\0") : rest));
        return await c.closed();
      });
      strictEqual(
        await openFailure({ ports: [server.port], password: "pw", channelBinding: "require" }),
        label + text,
      );
      ok(await served, "the client hung up");
    }
  },
);

fakeServerTest(
  "pg wire: the TLS question (prefer, require, allow); a server that says yes is the driver's",
  async (server) => {
    const sslRequest = async (c: Awaited<ReturnType<FakeServer["accept"]>>) => {
      const r = await c.readStartup();
      strictEqual(r.code, 80877103);
    };
    let served: Promise<unknown> = server.serve(async (c) => {
      await sslRequest(c);
      await c.write(new Uint8Array([0x4e]));
      const startup = await c.readStartup();
      strictEqual(startup.code, 196608);
      await c.write(...welcome());
    });
    const s = await open({ ports: [server.port], sslmode: "prefer" });
    await s.close(false);
    await served;
    for (const sslmode of ["require", "verify-ca", "verify-full"] as const) {
      served = server.serve(async (c) => {
        await sslRequest(c);
        await c.write(new Uint8Array([0x4e]));
        return await c.closed();
      });
      strictEqual(
        await openFailure({ ports: [server.port], sslmode, sslrootcert: "system" }),
        `connection to server at "127.0.0.1", port ${server.port} failed: ` +
          "server does not support SSL, but SSL was required",
      );
      await served;
    }
    // allow: in the clear first; refused by the server → TLS asked for, and refused here.
    served = (async () => {
      await server.serve(async (c) => {
        strictEqual((await c.readStartup()).code, 196608);
        await c.write(serverMessage({ S: "FATAL", C: "28000", M: "no pg_hba.conf entry" }));
      });
      await server.serve(async (c) => {
        await sslRequest(c);
        await c.write(new Uint8Array([0x4e]));
        return await c.closed();
      });
    })();
    strictEqual(
      await openFailure({ ports: [server.port], sslmode: "allow" }),
      `connection to server at "127.0.0.1", port ${server.port} failed: ` +
        "server does not support SSL, but SSL was required",
    );
    await served;
    served = server.serve(async (c) => {
      await sslRequest(c);
      await c.write(new Uint8Array([0x53]));
      return await c.closed();
    });
    await rejects(
      WireConnection.open({
        transport: { hostname: "127.0.0.1", port: server.port },
        user: "u",
        database: "d",
        tls: "prefer",
      }),
      TlsAccepted,
    );
    ok(await served, "the connection is closed for the driver to open its own");
  },
);

fakeServerTest(
  "pg wire: a lost connection, a FATAL error, and a session ended while idle",
  async (server) => {
    // The server hangs up during a query.
    let served: Promise<unknown> = server.serve(async (c) => {
      await c.readStartup();
      await c.write(...welcome());
      await c.expect("Q");
      await c.write(rowDescription(["a"]));
    });
    let s = await open({ ports: [server.port] });
    await rejects(s.query("SELECT 1"), (e: Error) => {
      ok(e instanceof PgConnectionError);
      strictEqual(e.message, CONNECTION_LOST);
      return true;
    });
    strictEqual(s.alive, false);
    await rejects(s.rows("SELECT 1"), (e: Error) => e.message === CONNECTION_LOST);
    await s.close();
    await served;
    // A FATAL error, then the server hangs up: the statement fails with the error.
    served = server.serve(async (c) => {
      await c.readStartup();
      await c.write(...welcome());
      await c.expect("Q");
      await c.write(
        serverMessage({
          S: "FATAL",
          C: "57P01",
          M: "terminating connection due to administrator command",
        }),
      );
    });
    s = await open({ ports: [server.port] });
    await rejects(s.query("SELECT pg_terminate_backend(pg_backend_pid())"), (e: Error) => {
      ok(e instanceof PgServerError);
      strictEqual(e.fields.severity, "FATAL");
      return true;
    });
    await rejects(s.query("SELECT 1"), (e: Error) => e.message === CONNECTION_LOST);
    await s.close();
    await served;
    // The server ends the session while it is idle.
    served = server.serve(async (c) => {
      await c.readStartup();
      await c.write(...welcome());
      await new Promise((r) => setTimeout(r, 20));
      await c.write(serverMessage({ S: "FATAL", C: "57P01", M: "terminating" }));
    });
    s = await open({ ports: [server.port] });
    await served;
    for (let i = 0; i < 100 && s.alive; i++) await new Promise((r) => setTimeout(r, 10));
    strictEqual(s.alive, false);
    strictEqual(await s.reset(), false);
    await rejects(s.query("SELECT 1"), (e: Error) => e.message === CONNECTION_LOST);
    await s.close();
  },
);

fakeServerTest(
  "pg wire: a start-up that never ends times out; refused and missing sockets",
  async (server) => {
    const served = server.serve(async (c) => {
      await c.readStartup();
      return await c.closed();
    });
    await rejects(
      WireConnection.open({
        transport: { hostname: "127.0.0.1", port: server.port },
        user: "u",
        database: "d",
        tls: "none",
        connectTimeoutMs: 200,
      }),
      (e: Error) => e.message === "timeout expired",
    );
    ok(await served, "the connection is closed");
    // A port nobody listens on: the listener closed.
    server.close();
    strictEqual(
      await openFailure({ ports: [server.port] }),
      `connection to server at "127.0.0.1", port ${server.port} failed: Connection refused\n` +
        "\tIs the server running on that host and accepting TCP/IP connections?",
    );
    strictEqual(
      await openFailure({ hosts: ["/nonexistent-dir"], ports: [5432] }),
      'connection to server on socket "/nonexistent-dir/.s.PGSQL.5432" failed: ' +
        "No such file or directory\n" +
        "\tIs the server running locally and accepting connections on that socket?",
    );
  },
);

fakeServerTest("pg wire: a unix socket, and a second host after a failed first", async (server) => {
  const served = server.serve(async (c) => {
    const startup = await c.readStartup();
    strictEqual(startup.params.user, "postgres");
    await c.write(...welcome(99));
    return await c.closed();
  });
  const s = await open({
    hosts: ["/nonexistent-dir", server.dir!],
    ports: [5998, 5998],
    sslmode: "require", // never for sockets
  });
  strictEqual(s.pid, 99);
  strictEqual(s.info().host, server.dir);
  await s.close();
  ok(await served);
}, () => FakeServer.unix(5998));

fakeServerTest(
  "pg wire: parameterised statements: Parse once per name, Bind, Describe, Execute, Sync",
  async (server) => {
    const served = server.serve(async (c) => {
      await c.readStartup();
      await c.write(...welcome());
      const expectExecution = async (parse: string | undefined, params: (string | null)[]) => {
        if (parse !== undefined) {
          const p = dec.decode(await c.expect("P"));
          strictEqual(p, parse);
        }
        const b = await c.expect("B");
        const dv = new DataView(b.buffer, b.byteOffset);
        let pos = b.indexOf(0) + 1; // portal
        pos = b.indexOf(0, pos) + 1; // statement
        const nFormats = dv.getInt16(pos);
        pos += 2 + 2 * nFormats;
        const n = dv.getInt16(pos);
        pos += 2;
        const got: (string | null)[] = [];
        for (let i = 0; i < n; i++) {
          const len = dv.getInt32(pos);
          pos += 4;
          got.push(len < 0 ? null : dec.decode(b.subarray(pos, pos + len)));
          pos += Math.max(len, 0);
        }
        deepStrictEqual(got, params);
        deepStrictEqual([...b.subarray(pos)], [0, 1, 0, 0]); // text results
        deepStrictEqual([...await c.expect("D")], [0x50, 0]);
        deepStrictEqual([...await c.expect("E")], [0, 0, 0, 0, 0]);
        await c.expect("S");
      };
      await expectExecution("ins\0INSERT INTO t VALUES ($1, $2)\0\0\0", ["a", null]);
      await c.write(msg("1"), msg("2"), msg("n"), complete("INSERT 0 1"), ready());
      await expectExecution(undefined, ["é", '{"x","y \\"z"}']);
      await c.write(msg("2"), msg("n"), complete("INSERT 0 1"), ready());
      await expectExecution("\0SELECT $1\0\0\0", ["5"]);
      await c.write(
        msg("1"),
        msg("2"),
        rowDescription(["x"]),
        dataRow(["5"]),
        complete("SELECT 1"),
        ready(),
      );
      // A failing parse is parsed again the next time.
      await expectExecution("bad\0SELEC $1\0\0\0", ["1"]);
      await c.write(serverMessage({ S: "ERROR", C: "42601", M: "syntax error" }), ready());
      await expectExecution("bad\0SELEC $1\0\0\0", ["2"]);
      await c.write(serverMessage({ S: "ERROR", C: "42601", M: "syntax error" }), ready());
      return await c.closed();
    });
    const s = await open({ ports: [server.port] });
    const sql = "INSERT INTO t VALUES ($1, $2)";
    strictEqual(await s.exec(sql, ["a", null], "ins"), 1);
    strictEqual(await s.exec(sql, ["é", ["x", 'y "z']], "ins"), 1);
    deepStrictEqual(await s.rows("SELECT $1", [5]), [["5"]]);
    await rejects(s.exec("SELEC $1", [1], "bad"), PgServerError);
    await rejects(s.exec("SELEC $1", [2], "bad"), PgServerError);
    await rejects(s.exec("SELECT 2", [2], "ins"), /Prepared statements must be unique/);
    await s.close();
    ok(await served);
  },
);

fakeServerTest("pg wire: a reset sends ROLLBACK and DISCARD ALL at once", async (server) => {
  const served = server.serve(async (c) => {
    await c.readStartup();
    await c.write(...welcome());
    await c.expect("Q");
    await c.write(complete("BEGIN"), ready("T"));
    // Both arrive before either is answered.
    strictEqual(dec.decode(await c.expect("Q")), "ROLLBACK\0");
    strictEqual(dec.decode(await c.expect("Q")), "DISCARD ALL\0");
    await c.write(complete("ROLLBACK"), ready("I"), complete("DISCARD ALL"), ready("I"));
    return await c.closed();
  });
  const s = await open({ ports: [server.port] });
  await s.query("BEGIN");
  strictEqual(s.transactionStatus, "T");
  strictEqual(await s.reset(), true);
  strictEqual(s.transactionStatus, "I");
  await s.close();
  ok(await served);
});

// --- against the live server: sqlitch's protocol code and the driver alike ----------------------

const live = await pgAvailable();

/** Everything a session reports for a statement: results, or the error with its fields. */
async function outcome<T>(p: Promise<T>): Promise<unknown> {
  try {
    return { ok: await p };
  } catch (e) {
    if (e instanceof PgServerError) return { error: e.fields };
    return { failure: (e as Error).message };
  }
}

/** The same work on a session; the report of each step. */
async function scenario(s: PgSession): Promise<unknown[]> {
  const out: unknown[] = [];
  const notices: PgMessage[] = [];
  s.onNotice((n) => notices.push(n));
  const step = async (p: Promise<unknown>) => {
    const o = await outcome(p);
    // The driver rejects at the error, before its ReadyForQuery has come with the status.
    if (!("ok" in (o as object))) await new Promise((r) => setTimeout(r, 20));
    out.push(o, s.transactionStatus);
  };
  await step(s.query("CREATE TEMP TABLE t (a int, b text, c text[])"));
  await step(s.query("SELECT 1 AS one, 'é€😀' AS u, NULL AS n, E'\\\\ufeffbom'::text AS bom"));
  await step(s.query("SELECT U&'\\FEFF' || 'x' AS bom, repeat('ab', 40000) AS long"));
  await step(s.query("INSERT INTO t VALUES (1, 'a', '{x,y}'), (2, NULL, NULL); SELECT * FROM t"));
  await step(s.query(""));
  await step(s.query("-- only a comment"));
  await step(s.query("SELECT 1/0"));
  await step(s.query("SELECT nosuch FROM t"));
  await step(s.query("BEGIN; SELECT 1/0"));
  await step(s.query("SELECT 1"));
  await step(s.query("ROLLBACK"));
  await step(s.query("DO $$ BEGIN RAISE NOTICE 'n % %', 1, 'é'; RAISE WARNING 'w'; END $$"));
  await step(s.query("CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql AS 'SELECT 1/0'"));
  await step(s.query("SELECT pg_temp.f()"));
  await step(s.query("INSERT INTO t VALUES (3, 'x', NULL) RETURNING a, b"));
  await step(s.query("UPDATE t SET b = 'y' WHERE a > 5"));
  await step(s.query("SET search_path = pg_temp, public"));
  await step(s.rows("SELECT $1::text, $2::int, $3::text[], $4::text, $5::boolean", [
    "x'y",
    42,
    ["a", 'b"c', "d\\e", null],
    null,
    true,
  ]));
  await step(s.rows("SELECT a, b FROM t ORDER BY a"));
  await step(s.rows("SELECT 1; SELECT 2, 3"));
  await step(s.exec("INSERT INTO t (a, c) VALUES ($1, $2)", [10, ["p", "q"]], "ins"));
  await step(s.exec("INSERT INTO t (a, c) VALUES ($1, $2)", [11, []], "ins"));
  await step(s.exec("INSERT INTO t (a) VALUES ($1)", ["nope"]));
  await step(s.exec("DELETE FROM t WHERE a >= 10"));
  await step(s.copyIn("COPY t (a, b) FROM STDIN", "20\tx\n21\t\\N\n"));
  await step(s.copyIn("COPY t (a, b) FROM STDIN", "22\tx\nbad\ty\n"));
  await step(s.copyIn("COPY nosuch FROM STDIN", "1\n"));
  await step(s.copyOut("COPY (SELECT a, b FROM t ORDER BY a) TO STDOUT"));
  await step(s.copyOut("COPY nosuch TO STDOUT"));
  await step(s.query("COPY t (a) FROM STDIN"));
  await step(s.query("COPY (SELECT 1) TO STDOUT"));
  await step(s.query("BEGIN"));
  out.push(await s.reset(), s.transactionStatus);
  await step(s.rows("SHOW search_path"));
  out.push(notices, s.info(), s.alive, s.resettable);
  return out;
}

Deno.test({
  name: "pg wire: statements, errors, notices and COPY as through the pg driver",
  ignore: !live,
  ...opts,
  async fn() {
    const at = { hosts: [PG_HOST], ports: [Number(PG_PORT)] };
    const wire = await open(at);
    let ours: unknown[];
    try {
      ours = await scenario(wire);
    } finally {
      await wire.close();
    }
    usePgDriverOnly(true);
    let theirs: unknown[];
    try {
      const driver = await open(at);
      try {
        theirs = await scenario(driver);
      } finally {
        await driver.close();
      }
    } finally {
      usePgDriverOnly(false);
    }
    // The driver keeps no results of a statement list that fails (`BEGIN; SELECT 1/0`); psql
    // prints them, and sqlitch's session keeps them (checked apart).
    strictEqual(ours.length, theirs.length);
    for (let i = 0; i < ours.length; i++) deepStrictEqual(ours[i], theirs[i], `step ${i >> 1}`);
  },
});

Deno.test({
  name: "pg wire: a failing statement list keeps the results before it (as psql prints them)",
  ignore: !live,
  ...opts,
  async fn() {
    const s = await open({ hosts: [PG_HOST], ports: [Number(PG_PORT)] });
    try {
      await rejects(s.query("SELECT 1 AS a; SELECT 2 AS b, 3; SELECT 1/0; SELECT 4"), (e) => {
        ok(e instanceof PgServerError);
        deepStrictEqual(
          e.results,
          [
            { command: "SELECT", rowCount: 1, fields: ["a"], rows: [["1"]] },
            { command: "SELECT", rowCount: 1, fields: ["b", "?column?"], rows: [["2", "3"]] },
          ] satisfies PsqlResult[],
        );
        return true;
      });
      // The status is the failure's own ReadyForQuery's, at once.
      await rejects(s.query("BEGIN; SELECT 1/0"), PgServerError);
      strictEqual(s.transactionStatus, "E");
      await s.query("ROLLBACK");
      strictEqual(s.transactionStatus, "I");
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name: "pg wire: a session the server ends while idle is lost",
  ignore: !live,
  ...opts,
  async fn() {
    const at = { hosts: [PG_HOST], ports: [Number(PG_PORT)] };
    const s = await open(at);
    const other = await open(at);
    try {
      await other.rows("SELECT pg_terminate_backend($1::int)", [s.pid]);
      for (let i = 0; i < 200 && s.alive; i++) await new Promise((r) => setTimeout(r, 10));
      strictEqual(s.alive, false);
      await rejects(s.query("SELECT 1"), (e: Error) => {
        ok(e instanceof PgConnectionError);
        strictEqual(e.message, CONNECTION_LOST);
        return true;
      });
    } finally {
      await s.close();
      await other.close();
    }
  },
});
