/**
 * The PostgreSQL session's connection details that cost or save round
 * trips: the server version number taken from what the server reports at
 * start-up (libpq's rule), `sslmode=prefer` against a server without TLS
 * carrying on over the same connection as libpq does (counted through a
 * proxy), and closing without waiting for the server to hang up — on
 * sqlitch's own protocol code and on the `pg` driver alike.
 *
 * The live parts skip loudly without a server (see pg_server.ts).
 */
import { deepStrictEqual, ok as assert, strictEqual } from "node:assert/strict";
import { resolvePgConnection } from "../../core/pg_connection.ts";
import { DbUri } from "../../core/uri.ts";
import { PgSession, serverVersionNumber, usePgDriverOnly } from "../../engines/pg_session.ts";
import { PG_DRIVER_ONLY, PG_HOST, PG_PORT, pgAvailable } from "./pg_server.ts";

const live = await pgAvailable();
const noFiles = { readText: () => undefined, stat: () => undefined };

Deno.test("pg session: server_version as libpq numbers it", () => {
  strictEqual(serverVersionNumber("15.20 (Debian 15.20-0+deb12u1)"), 150020);
  strictEqual(serverVersionNumber("9.6.3"), 90603);
  strictEqual(serverVersionNumber("9.6devel"), 90600);
  strictEqual(serverVersionNumber("10devel"), 100000);
  strictEqual(serverVersionNumber("11.2-YB-2.18.0.0-b0"), 110002);
  strictEqual(serverVersionNumber("13.0.0"), 130000);
  strictEqual(serverVersionNumber("unknown"), 0);
});

/** A TCP proxy to the test server that counts the connections made through it. */
function countingProxy(): { port: number; count: () => number; close: () => void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let connections = 0;
  const open = new Set<Deno.Conn>();
  (async () => {
    for await (const conn of listener) {
      connections++;
      open.add(conn);
      const upstream = await Deno.connect({ hostname: PG_HOST, port: Number(PG_PORT) });
      open.add(upstream);
      const pipe = (from: Deno.Conn, to: Deno.Conn) =>
        from.readable.pipeTo(to.writable).catch(() => {}).finally(() => {
          open.delete(from);
          open.delete(to);
        });
      pipe(conn, upstream);
      pipe(upstream, conn);
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    count: () => connections,
    close: () => {
      listener.close();
      for (const c of open) {
        try {
          c.close();
        } catch {
          // already closed
        }
      }
    },
  };
}

function params(port: number, sslmode: string) {
  return resolvePgConnection({
    uri: DbUri.parse(`db:pg://postgres@127.0.0.1:${port}/postgres?sslmode=${sslmode}`),
    username: "postgres",
    env: {},
    files: noFiles,
  });
}

/** A live test, on sqlitch's own protocol code and on the `pg` driver. */
function sessionTest(name: string, fn: () => Promise<void>): void {
  for (const driver of PG_DRIVER_ONLY ? [true] : [false, true]) {
    Deno.test({
      name: `pg session (${driver ? "pg driver" : "own protocol"}): ${name}`,
      ignore: !live,
      sanitizeResources: false,
      sanitizeOps: false,
      fn: async () => {
        usePgDriverOnly(driver);
        try {
          await fn();
        } finally {
          usePgDriverOnly(PG_DRIVER_ONLY);
        }
      },
    });
  }
}

sessionTest("sslmode=prefer on a server without TLS needs one connection", async () => {
  const probe = await PgSession.open({
    params: params(Number(PG_PORT), "disable"),
    files: noFiles,
  });
  const [[ssl]] = await probe.rows("SHOW ssl");
  await probe.close();
  if (ssl === "on") {
    console.error("pg session: the test server offers TLS; prefer fallback not exercised");
    return;
  }
  const proxy = countingProxy();
  try {
    const session = await PgSession.open({
      params: params(proxy.port, "prefer"),
      files: noFiles,
    });
    deepStrictEqual(await session.rows("SELECT 1"), [["1"]]);
    strictEqual(session.serverVersionNum > 0, true);
    await session.close(false);
    strictEqual(proxy.count(), 1);
  } finally {
    proxy.close();
  }
});

sessionTest("a quick close does not wait for the server to hang up", async () => {
  const session = await PgSession.open({
    params: params(Number(PG_PORT), "disable"),
    files: noFiles,
  });
  const pid = (await session.rows("SELECT pg_backend_pid()"))[0][0];
  await session.close(false);
  // The backend still ends: the terminate message went out before the socket closed.
  const other = await PgSession.open({
    params: params(Number(PG_PORT), "disable"),
    files: noFiles,
  });
  try {
    let gone = false;
    for (let i = 0; i < 100 && !gone; i++) {
      const r = await other.rows("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", [pid]);
      gone = r[0][0] === "0";
      if (!gone) await new Promise((r) => setTimeout(r, 20));
    }
    assert(gone, "the backend ended");
  } finally {
    await other.close();
  }
});

sessionTest("a full close resolves once the server has hung up", async () => {
  const session = await PgSession.open({
    params: params(Number(PG_PORT), "disable"),
    files: noFiles,
  });
  const pid = (await session.rows("SELECT pg_backend_pid()"))[0][0];
  await session.close();
  const other = await PgSession.open({
    params: params(Number(PG_PORT), "disable"),
    files: noFiles,
  });
  try {
    // The server hung up; its activity row may outlive that by a moment.
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) {
      const r = await other.rows("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", [pid]);
      gone = r[0][0] === "0";
      if (!gone) await new Promise((r) => setTimeout(r, 10));
    }
    assert(gone, "the backend ended");
  } finally {
    await other.close();
  }
});
