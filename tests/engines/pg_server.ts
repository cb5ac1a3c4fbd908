/**
 * The PostgreSQL server the live tests use: `$SQLITCH_TEST_PG_HOST`/`PORT`
 * (default 127.0.0.1:5432) as user `postgres` without a password, as
 * .ci/run sets it up. Tests that need it skip with a loud banner when it
 * does not answer, and fail when CI is set. Also: throwaway databases, SQL
 * on them, and a registry dump (schema and rows) for comparisons.
 *
 * With `SQLITCH_TEST_PG_DRIVER=pg` every session of the tests that import
 * this module goes through the `pg` driver, plain connections too (as
 * before sqlitch had its own protocol code, engines/pg_wire.ts): the live
 * suites run both ways.
 */
import { resolvePgConnection } from "../../core/pg_connection.ts";
import { DbUri } from "../../core/uri.ts";
import { PgSession, usePgDriverOnly } from "../../engines/pg_session.ts";

/** Whether the sessions go through the `pg` driver only (`SQLITCH_TEST_PG_DRIVER=pg`). */
export const PG_DRIVER_ONLY = Deno.env.get("SQLITCH_TEST_PG_DRIVER") === "pg";
usePgDriverOnly(PG_DRIVER_ONLY);

/** Host and port of the test server. */
export const PG_HOST = Deno.env.get("SQLITCH_TEST_PG_HOST") ?? "127.0.0.1";
export const PG_PORT = Deno.env.get("SQLITCH_TEST_PG_PORT") ?? "5432";

/** The URI of a database on the test server. */
export function pgUri(dbname: string): string {
  return `db:pg://postgres@${PG_HOST}:${PG_PORT}/${dbname}`;
}

const noFiles = { readText: () => undefined, stat: () => undefined };

/** A session on a database of the test server. */
export function pgSession(dbname: string): Promise<PgSession> {
  const params = resolvePgConnection({
    uri: DbUri.parse(pgUri(dbname)),
    username: "postgres",
    env: {},
    files: noFiles,
  });
  return PgSession.open({ params, files: noFiles });
}

let answer: Promise<string | undefined> | undefined;

/** Undefined when the server answers, else why not. */
function probe(): Promise<string | undefined> {
  answer ??= (async () => {
    try {
      const s = await pgSession("postgres");
      await s.close();
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  })();
  return answer;
}

const banner = new Set<string>();

/**
 * Whether the live tests can run: "ok", or "skip" (banner printed), or
 * throws under CI.
 */
export async function pgAvailable(): Promise<boolean> {
  const why = await probe();
  if (why === undefined) return true;
  const reason = `PostgreSQL tests need a server at ${PG_HOST}:${PG_PORT} (user postgres): ${why}`;
  if (Deno.env.get("CI")) throw new Error(reason);
  if (!banner.has(reason)) {
    banner.add(reason);
    const line = "!".repeat(78);
    console.error(`\n${line}\n!! POSTGRESQL TESTS SKIPPED: ${reason}\n${line}\n`);
  }
  return false;
}

/** Run SQL on a database of the test server. */
export async function pgExec(dbname: string, sql: string): Promise<void> {
  const s = await pgSession(dbname);
  try {
    await s.query(sql);
  } finally {
    await s.close();
  }
}

/** Rows of a query on a database of the test server, as text. */
export async function pgRows(dbname: string, sql: string): Promise<(string | null)[][]> {
  const s = await pgSession(dbname);
  try {
    return await s.rows(sql);
  } finally {
    await s.close();
  }
}

/** Create a fresh database (dropped first when it exists). */
export async function createDatabase(dbname: string): Promise<void> {
  await pgExec("postgres", `DROP DATABASE IF EXISTS "${dbname}" WITH (FORCE)`);
  await pgExec("postgres", `CREATE DATABASE "${dbname}"`);
}

/** Drop a database, ending its sessions. */
export async function dropDatabase(dbname: string): Promise<void> {
  await pgExec("postgres", `DROP DATABASE IF EXISTS "${dbname}" WITH (FORCE)`);
}

/** `pg_dump --schema-only` of one schema, without the per-run `\restrict` keys. */
export async function dumpSchema(dbname: string, schema: string): Promise<string> {
  const r = await new Deno.Command("pg_dump", {
    args: [
      "-h",
      PG_HOST,
      "-p",
      PG_PORT,
      "-U",
      "postgres",
      "--schema-only",
      "-n",
      `"${schema}"`,
      dbname,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (r.code !== 0) throw new Error(`pg_dump failed: ${dec.decode(r.stderr)}`);
  return dec.decode(r.stdout).replace(/^\\(un)?restrict .*$/gm, "\\$1restrict <KEY>");
}

/**
 * Every registry row (timestamps masked), table by table, in a stable
 * order, for comparing what two programs recorded.
 */
export async function dumpRegistryRows(dbname: string, schema = "sqitch"): Promise<string> {
  const q = (t: string) => `"${schema}".${t}`;
  const queries: [string, string][] = [
    [
      "releases",
      `SELECT version, installer_name, installer_email FROM ${q("releases")} ORDER BY version`,
    ],
    [
      "projects",
      `SELECT project, uri, creator_name, creator_email FROM ${q("projects")} ORDER BY project`,
    ],
    [
      "changes",
      `SELECT change_id, script_hash, change, project, note, committer_name, committer_email,
              planned_at, planner_name, planner_email FROM ${q("changes")} ORDER BY committed_at`,
    ],
    [
      "tags",
      `SELECT tag_id, tag, project, change_id, note, committer_name, committer_email, planned_at,
              planner_name, planner_email FROM ${q("tags")} ORDER BY committed_at, tag`,
    ],
    [
      "dependencies",
      `SELECT change_id, type, dependency, dependency_id FROM ${q("dependencies")}
        ORDER BY change_id, dependency`,
    ],
    [
      "events",
      `SELECT event, change_id, change, project, note, requires, conflicts, tags,
              committer_name, committer_email, planned_at, planner_name, planner_email
         FROM ${q("events")} ORDER BY committed_at`,
    ],
  ];
  const s = await pgSession(dbname);
  try {
    await s.exec("SET TIME ZONE 'UTC'");
    const out: string[] = [];
    for (const [name, sql] of queries) {
      out.push(`# ${name}`);
      for (const row of await s.rows(sql)) out.push(row.map((v) => v ?? "NULL").join(" | "));
    }
    return out.join("\n");
  } finally {
    await s.close();
  }
}
