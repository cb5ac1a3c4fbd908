/**
 * Authentication through sqlitch's own protocol code (engines/pg_wire.ts)
 * against a real server, differential with libpq: on a throwaway cluster
 * (pg_wire_cluster.ts) with a role per password method — `password`,
 * `md5`, `scram-sha-256` (a password SASLprep changes), `md5` for a
 * password stored as SCRAM — each case is tried with `psql` and with a
 * `PgSession`: the right password, a wrong one, none, and
 * channel_binding=require; both must connect as the same role, or fail
 * with the same text.
 *
 * Skips with a banner when the cluster cannot be started here (no
 * initdb); fails under CI.
 */
import { strictEqual } from "node:assert/strict";
import type { PgConnectionParams } from "../../core/pg_connection.ts";
import { PgSession, usePgDriverOnly } from "../../engines/pg_session.ts";
import { AUTH_ROLES, type AuthCluster, startAuthCluster } from "./pg_wire_cluster.ts";

// These tests are about sqlitch's own protocol code, whatever SQLITCH_TEST_PG_DRIVER says.
usePgDriverOnly(false);

const noFiles = { readText: () => undefined, stat: () => undefined };
const dec = new TextDecoder();

function params(dir: string, port: number, p: Partial<PgConnectionParams>): PgConnectionParams {
  return {
    hosts: [dir],
    hostaddrs: [],
    ports: [port],
    user: "postgres",
    dbname: "postgres",
    sslmode: "prefer",
    warnings: [],
    ...p,
  };
}

const started = await startAuthCluster(async (dir, port, sql) => {
  const s = await PgSession.open({ params: params(dir, port, {}), files: noFiles });
  try {
    await s.query(sql);
  } finally {
    await s.close();
  }
});
const cluster: AuthCluster | undefined = typeof started === "string" ? undefined : started;
if (typeof started === "string") {
  const reason = `authentication tests need a throwaway cluster: ${started}`;
  if (Deno.env.get("CI")) throw new Error(reason);
  console.error(
    `\n${"!".repeat(78)}\n!! POSTGRESQL AUTH TESTS SKIPPED: ${reason}\n${"!".repeat(78)}\n`,
  );
}
const home = await Deno.makeTempDir({ prefix: "sqlitch-auth-home-" });

interface Case {
  user: string;
  password?: string;
  channelBinding?: string;
}

/** libpq's verdict, through psql: the role connected as, or the error text. */
async function viaPsql(c: Case): Promise<string> {
  const conninfo = [
    `host=${cluster!.dir}`,
    `port=${cluster!.port}`,
    `user=${c.user}`,
    "dbname=postgres",
    ...(c.channelBinding ? [`channel_binding=${c.channelBinding}`] : []),
  ].join(" ");
  const env: Record<string, string> = { HOME: home, PATH: Deno.env.get("PATH") ?? "/usr/bin" };
  if (c.password !== undefined) env.PGPASSWORD = c.password;
  const r = await new Deno.Command("psql", {
    args: ["-X", "-At", "-w", "-c", "SELECT current_user", conninfo],
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (r.code === 0) return `connected as ${dec.decode(r.stdout).trim()}`;
  return dec.decode(r.stderr).replace(/^psql: error: /, "").trimEnd();
}

/** sqlitch's verdict on the same case. */
async function viaSqlitch(c: Case): Promise<string> {
  let s: PgSession;
  try {
    s = await PgSession.open({
      params: params(cluster!.dir, cluster!.port, {
        user: c.user,
        password: c.password,
        channelBinding: c.channelBinding,
      }),
      files: noFiles,
    });
  } catch (e) {
    return (e as Error).message.trimEnd();
  }
  try {
    return `connected as ${(await s.rows("SELECT current_user"))[0][0]}`;
  } finally {
    await s.close();
  }
}

const cases: [string, Case, boolean][] = [];
for (const r of AUTH_ROLES) {
  cases.push([
    `${r.role} (${r.method}): right password`,
    { user: r.role, password: r.password },
    true,
  ]);
  cases.push([`${r.role}: wrong password`, { user: r.role, password: "wrong" }, false]);
  cases.push([`${r.role}: no password`, { user: r.role }, false]);
  cases.push([
    `${r.role}: channel_binding=require`,
    { user: r.role, password: r.password, channelBinding: "require" },
    false,
  ]);
}
cases.push([
  "scram_user: the password in its SASLprep'd form",
  { user: "scram_user", password: "scram pass" },
  true,
]);
cases.push([
  "trust: channel_binding=require",
  { user: "postgres", channelBinding: "require" },
  false,
]);
cases.push(["trust: a password not asked for", { user: "postgres", password: "x" }, true]);

for (const [name, c, expectOk] of cases) {
  Deno.test({
    name: `pg wire auth: ${name}`,
    ignore: cluster === undefined,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const libpq = await viaPsql(c);
      const ours = await viaSqlitch(c);
      strictEqual(libpq.startsWith("connected as "), expectOk, `libpq: ${libpq}`);
      strictEqual(ours, libpq);
    },
  });
}

Deno.test({
  name: "pg wire auth: stop the cluster",
  ignore: cluster === undefined,
  fn: async () => {
    await cluster?.stop();
    await Deno.remove(home, { recursive: true }).catch(() => {});
  },
});
