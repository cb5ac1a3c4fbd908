/**
 * Crash safety of `deploy` on PostgreSQL (the harness is crash_kit.ts,
 * shared with SQLite and MySQL): sqlitch is killed with SIGKILL at random
 * points of a 50-change deploy on the live test server; after every kill
 * the registry (schema `sqitch` of the target database) must not list a
 * change whose deploy script did not complete, and a plain `deploy` must
 * finish the job.
 *
 * What the engine guarantees: each deploy script runs on a session of its
 * own (as each psql run Sqitch starts), statement by statement in
 * autocommit, while the registry session holds the change's transaction;
 * the change is recorded and committed only after the script finished.
 * The server rolls back whatever a killed session left uncommitted, so a
 * script of plain statements may be left partly applied, a BEGIN/COMMIT
 * script entirely or not at all, and either may be applied but not
 * recorded (killed between its COMMIT and the registry's): the next
 * `deploy` runs it again, so the scripts here are idempotent (IF NOT
 * EXISTS, INSERT … ON CONFLICT). After a kill the test waits until the
 * server has ended the killed run's sessions before reading. Another test
 * kills deploys at moments spread over the registry creation.
 *
 * Skips with a loud banner when the server is missing (fails under CI).
 */
import type { Sandbox } from "../cli/sandbox.ts";
import {
  type Applied,
  CHANGES,
  check,
  classify,
  type CrashEngine,
  name,
  REGISTRY_TABLES,
  ROWS,
  type ScriptKind,
  serverCrashSuite,
  SETTLE_MS,
  type Snapshot,
  table,
  valueLists,
} from "./crash_kit.ts";
import {
  createDatabase,
  dropDatabase,
  pgAvailable,
  pgExec,
  pgSession,
  pgUri,
} from "./pg_server.ts";

const live = await pgAvailable();

/** An idempotent deploy script: a table, an index and ROWS rows. */
function deployScript(i: number, kind: ScriptKind): string {
  const t = table(i);
  const body = [
    `-- Deploy crash:${name(i)}`,
    `CREATE TABLE IF NOT EXISTS ${t} (id integer PRIMARY KEY, payload text NOT NULL);`,
    `CREATE INDEX IF NOT EXISTS ${t}_payload ON ${t} (payload);`,
    ...valueLists(i).map((values) =>
      `INSERT INTO ${t} (id, payload) VALUES\n  ${values}\n` +
      "  ON CONFLICT (id) DO UPDATE SET payload = EXCLUDED.payload;"
    ),
  ];
  if (kind === "transaction") {
    body.splice(1, 0, "BEGIN;");
    body.push("COMMIT;");
  }
  return body.join("\n") + "\n";
}

/** How much of change i the target holds (public schema of `s`'s database). */
async function applied(
  s: Awaited<ReturnType<typeof pgSession>>,
  i: number,
  tables: Set<string>,
  indexes: Set<string>,
): Promise<Applied> {
  const t = table(i);
  if (!tables.has(t)) return "absent";
  let r: (string | null)[];
  try {
    r = (await s.rows(
      `SELECT count(*), count(DISTINCT payload), coalesce(min(id), 0), coalesce(max(id), 0),
              count(*) FILTER (WHERE payload = '${name(i)}-' || id) FROM ${t}`,
    ))[0];
  } catch {
    return "partial"; // not the table the script creates
  }
  const [n, distinct, lo, hi, ok] = r.map(Number);
  return classify({ index: indexes.has(`${t}_payload`), n, distinct, lo, hi, ok });
}

/** Read the registry (schema sqitch) and the target (schema public) of `db`. */
async function snapshot(db: string): Promise<Snapshot> {
  const s = await pgSession(db);
  try {
    const column = async (sql: string) => (await s.rows(sql)).map((r) => String(r[0]));
    const tables = new Set(
      await column("SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = 'public'"),
    );
    const indexes = new Set(
      await column("SELECT indexname FROM pg_catalog.pg_indexes WHERE schemaname = 'public'"),
    );
    const states: Applied[] = [];
    for (let i = 1; i <= CHANGES; i++) states.push(await applied(s, i, tables, indexes));
    const present = new Set(
      await column("SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = 'sqitch'"),
    );
    const snap: Snapshot = {
      registryTables: REGISTRY_TABLES.filter((t) => present.has(t)),
      releases: 0,
      changes: [],
      events: [],
      tags: [],
      dependencies: 0,
      applied: states,
      journals: [],
    };
    if (snap.registryTables.length < REGISTRY_TABLES.length) return snap;
    const count = async (t: string) =>
      Number((await s.rows(`SELECT count(*) FROM sqitch.${t}`))[0][0]);
    snap.releases = await count("releases");
    snap.dependencies = await count("dependencies");
    snap.changes =
      (await s.rows("SELECT change_id, change FROM sqitch.changes ORDER BY committed_at"))
        .map((r) => ({ id: String(r[0]), name: String(r[1]) }));
    snap.events = (await s.rows(
      "SELECT event, change_id, change FROM sqitch.events ORDER BY committed_at",
    )).map((r) => ({ event: String(r[0]), id: String(r[1]), name: String(r[2]) }));
    snap.tags = (await s.rows("SELECT tag, change_id FROM sqitch.tags")).map((r) => ({
      tag: String(r[0]),
      changeId: String(r[1]),
    }));
    return snap;
  } finally {
    await s.close();
  }
}

/** Wait until no session but ours is connected to `db` (the killed run's are gone). */
async function settle(db: string): Promise<void> {
  const deadline = performance.now() + SETTLE_MS;
  const s = await pgSession(db);
  try {
    for (;;) {
      const others = await s.rows(
        `SELECT pid, state, left(query, 60) FROM pg_catalog.pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [db],
      );
      if (others.length === 0) return;
      check(
        performance.now() < deadline,
        `sessions of a killed run still on ${db} after ${SETTLE_MS} ms: ${JSON.stringify(others)}`,
      );
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    await s.close();
  }
}

/** The PostgreSQL side of the harness, on database `db`. */
function pgEngine(db: string): CrashEngine {
  return {
    label: "pg",
    config: `[core]\n\tengine = pg\n[engine "pg"]\n\ttarget = ${pgUri(db)}\n`,
    deployScript,
    revertScript: (i) => `DROP TABLE IF EXISTS ${table(i)};\n`,
    verifyScript: (i) => {
      const t = table(i);
      return `SELECT 1 / CASE WHEN (SELECT count(*) FROM ${t}) = ${ROWS}` +
        ` AND to_regclass('${t}_payload') IS NOT NULL THEN 1 ELSE 0 END;\n`;
    },
    transactionInFlight: ["complete"],
    reset: () => createDatabase(db),
    settle: () => settle(db),
    snapshot: () => snapshot(db),
    cleanExitProblem: () => Promise.resolve(undefined),
    applyScript: (_sb: Sandbox, script: string) => pgExec(db, script),
    cleanup: () => dropDatabase(db),
    // Sqitch's own template style: BEGIN; CREATE TABLE …; COMMIT; (not re-runnable).
    nonIdempotentScript: (i) =>
      `-- Deploy crash:${name(i)}\nBEGIN;\nCREATE TABLE ${table(i)} (id integer);\nCOMMIT;\n`,
    alreadyExists: /relation "t06" already exists/,
    sqitchNeeds: ["psql"],
  };
}

serverCrashSuite({
  label: "pg",
  live,
  engine: pgEngine,
  transactionKind: "scripts in BEGIN/COMMIT",
  registryPoints: 8,
});
