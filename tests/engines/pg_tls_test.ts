/**
 * TLS connections (`sslmode=require|verify-ca|verify-full`, `sslrootcert`,
 * `~/.postgresql/root.crt`) against a throwaway TLS-only cluster with a
 * self-signed CA (pg_tls_cluster.ts, started by this test). Every case is
 * differential: the same connection URI through libpq (`psql`) and through
 * sqlitch's session must both connect over TLS, or both fail with the same
 * text. Then real Sqitch and sqlitch deploy over verify-full with the same
 * output.
 *
 * Skips with a banner when the cluster cannot be started here (no initdb
 * or openssl); fails under CI.
 */
import { strictEqual } from "node:assert/strict";
import { resolvePgConnection } from "../../core/pg_connection.ts";
import { DbUri } from "../../core/uri.ts";
import { denoPgFiles } from "../../engines/pg.ts";
import { PgSession } from "../../engines/pg_session.ts";
import { startTlsCluster, type TlsCluster } from "./pg_tls_cluster.ts";
import { makeSharedSandbox, removeSharedSandbox, runShared, which } from "../parity/kit.ts";

const started = await startTlsCluster();
const cluster: TlsCluster | undefined = typeof started === "string" ? undefined : started;
if (typeof started === "string") {
  const reason = `TLS tests need a throwaway cluster: ${started}`;
  if (Deno.env.get("CI")) throw new Error(reason);
  console.error(
    `\n${"!".repeat(78)}\n!! POSTGRESQL TLS TESTS SKIPPED: ${reason}\n${"!".repeat(78)}\n`,
  );
}

const dec = new TextDecoder();
const home = await Deno.makeTempDir({ prefix: "sqlitch-tls-home-" });

interface Outcome {
  ok: boolean;
  /** "t" when the session is encrypted, else libpq's error text. */
  text: string;
}

const SSL_QUERY = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()";

/** libpq's verdict on a `key=value` query string, through psql. */
async function viaPsql(host: string, query: Record<string, string>): Promise<Outcome> {
  const conninfo = [`host=${host}`, `port=${cluster!.port}`, "user=postgres", "dbname=postgres"]
    .concat(Object.entries(query).map(([k, v]) => `${k}=${v}`)).join(" ");
  const r = await new Deno.Command("psql", {
    args: ["-X", "-At", "-c", SSL_QUERY, conninfo],
    env: { HOME: home, PATH: Deno.env.get("PATH") ?? "/usr/bin" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (r.code === 0) return { ok: true, text: dec.decode(r.stdout).trim() };
  return { ok: false, text: dec.decode(r.stderr).replace(/^psql: error: /, "").trimEnd() };
}

/** sqlitch's verdict on the same parameters, through a target URI. */
async function viaSqlitch(host: string, query: Record<string, string>): Promise<Outcome> {
  const qs = new URLSearchParams(query).toString();
  const uri = DbUri.parse(
    `db:pg://postgres@${host}:${cluster!.port}/postgres${qs ? `?${qs}` : ""}`,
  );
  let session: PgSession;
  try {
    const params = resolvePgConnection({
      uri,
      env: {},
      home,
      osUser: "postgres",
      files: denoPgFiles,
    });
    session = await PgSession.open({ params, files: denoPgFiles, home });
  } catch (e) {
    return { ok: false, text: (e as Error).message.trimEnd() };
  }
  try {
    return { ok: true, text: (await session.rows(SSL_QUERY))[0]?.[0] ?? "" };
  } finally {
    await session.close();
  }
}

function tlsTest(
  name: string,
  host: string,
  query: () => Record<string, string>,
  expectOk: boolean,
  before?: () => void,
): void {
  Deno.test({
    name: `pg TLS: ${name}`,
    ignore: cluster === undefined,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      try {
        Deno.removeSync(`${home}/.postgresql`, { recursive: true });
      } catch {
        // None yet.
      }
      before?.();
      const q = query();
      const libpq = await viaPsql(host, q);
      const ours = await viaSqlitch(host, q);
      strictEqual(libpq.ok, expectOk, `libpq: ${libpq.text}`);
      strictEqual(ours.ok, libpq.ok, `sqlitch: ${ours.text}\nlibpq: ${libpq.text}`);
      strictEqual(ours.text, libpq.text);
      if (expectOk) strictEqual(ours.text, "t", "the session is encrypted");
    },
  });
}

function rootCert(path: () => string): () => void {
  return () => {
    Deno.mkdirSync(`${home}/.postgresql`, { recursive: true });
    Deno.copyFileSync(path(), `${home}/.postgresql/root.crt`);
  };
}

tlsTest("require without a root certificate", "localhost", () => ({ sslmode: "require" }), true);
tlsTest("prefer", "127.0.0.1", () => ({ sslmode: "prefer" }), true);
tlsTest("disable is refused by the server", "127.0.0.1", () => ({ sslmode: "disable" }), false);
tlsTest(
  "verify-ca with the right sslrootcert, any host name",
  "127.0.0.1",
  () => ({ sslmode: "verify-ca", sslrootcert: cluster!.caCert }),
  true,
);
tlsTest(
  "verify-ca with the wrong CA",
  "localhost",
  () => ({ sslmode: "verify-ca", sslrootcert: cluster!.otherCaCert }),
  false,
);
tlsTest(
  "verify-full with the right host name",
  "localhost",
  () => ({ sslmode: "verify-full", sslrootcert: cluster!.caCert }),
  true,
);
tlsTest(
  "verify-full with the wrong host name",
  "127.0.0.1",
  () => ({ sslmode: "verify-full", sslrootcert: cluster!.caCert }),
  false,
);
tlsTest(
  "verify-full without any root certificate",
  "localhost",
  () => ({ sslmode: "verify-full" }),
  false,
);
tlsTest(
  "verify-full with ~/.postgresql/root.crt",
  "localhost",
  () => ({ sslmode: "verify-full" }),
  true,
  rootCert(() => cluster!.caCert),
);
tlsTest(
  "require verifies the CA when ~/.postgresql/root.crt exists (wrong CA)",
  "localhost",
  () => ({ sslmode: "require" }),
  false,
  rootCert(() => cluster!.otherCaCert),
);
tlsTest(
  "sslrootcert naming a missing file",
  "localhost",
  () => ({ sslmode: "verify-ca", sslrootcert: `${home}/nosuch.crt` }),
  false,
);

Deno.test({
  name: "pg TLS: sqitch and sqlitch deploy over verify-full alike",
  ignore: cluster === undefined || !which("sqitch"),
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const target = `db:pg://postgres@localhost:${
      cluster!.port
    }/postgres?sslmode=verify-full&sslrootcert=${encodeURIComponent(cluster!.caCert)}`;
    const sb = await makeSharedSandbox({
      files: {
        "sqitch.conf": `[core]\n\tengine = pg\n[engine "pg"]\n\ttarget = ${target}\n`,
        "sqitch.plan": "%syntax-version=1.0.0\n%project=tls\n\n" +
          "t1 2026-01-01T00:00:00Z Ann <ann@example.com>\n",
        "deploy/t1.sql": "CREATE TABLE t1 (id INTEGER);\n",
        "revert/t1.sql": "DROP TABLE t1;\n",
        "verify/t1.sql": "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl;\n",
      },
    });
    let sqitchText = "";
    try {
      for (const side of ["sqitch", "sqlitch"] as const) {
        const outs = [];
        for (const argv of ["deploy --verify", "-vv verify", "revert -y"]) {
          outs.push(await runShared(sb, side, argv));
        }
        const text = outs.map((o) => `${o.code}\n${o.stdout}\n${o.stderr}`).join("\n---\n");
        if (side === "sqitch") {
          sqitchText = text;
          strictEqual(outs[0].code, 0, text);
          // Start sqlitch from an empty database too.
          await new Deno.Command("psql", {
            args: ["-X", "-q", "-h", cluster!.dir, "-p", String(cluster!.port), "-U", "postgres"]
              .concat(["-d", "postgres", "-c", "DROP SCHEMA sqitch CASCADE"]),
            stdout: "null",
            stderr: "null",
          }).output();
        } else {
          strictEqual(text, sqitchText);
        }
      }
      const bad = await Promise.all(
        (["sqitch", "sqlitch"] as const).map((side) =>
          runShared(sb, side, ["status", target.replace("localhost", "127.0.0.1")])
        ),
      );
      strictEqual(bad[1].stderr, bad[0].stderr);
      strictEqual(bad[1].code, bad[0].code);
    } finally {
      await removeSharedSandbox(sb);
    }
  },
});

Deno.test({
  name: "pg TLS: stop the cluster",
  ignore: cluster === undefined,
  fn: async () => {
    await cluster?.stop();
    await Deno.remove(home, { recursive: true }).catch(() => {});
  },
});
