/**
 * Crash safety of `deploy` on MySQL/MariaDB (the harness is crash_kit.ts,
 * shared with SQLite and PostgreSQL): sqlitch is killed with SIGKILL at
 * random points of a 50-change deploy on the live test server; after every
 * kill the registry (a database of its own) must not list a change whose
 * deploy script did not complete, and a plain `deploy` must finish the job.
 *
 * What the engine guarantees: each deploy script runs on a connection of
 * its own (as each `mysql` run Sqitch starts), while the registry
 * connection holds the change's bookkeeping in a transaction under LOCK
 * TABLES; the change is recorded and committed only after the script
 * finished. DDL commits implicitly on MySQL, so no script is atomic: the
 * "transaction" scripts here create their table (index included) first and
 * insert the rows between START TRANSACTION and COMMIT, so a kill leaves
 * their change absent, created without rows, or complete; scripts of
 * plain statements may be left anywhere. Either may be applied but not
 * recorded (killed between its last commit and the registry's): the next
 * `deploy` runs it again, so the scripts here are idempotent (IF NOT
 * EXISTS, ON DUPLICATE KEY UPDATE). After a kill the test waits until the
 * server has ended the killed run's connections and released its lock
 * before reading. Another test kills deploys at moments spread over the
 * registry creation, which happens silently while taking the lock (a watch
 * on the registry database tells when it begins).
 *
 * Skips with a loud banner when the server is missing (fails under CI).
 */
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
  mysqlAvailable,
  mysqlSession,
  mysqlUri,
} from "./mysql_server.ts";
import type { MysqlTestSession } from "./mysql_test_session.ts";

const live = await mysqlAvailable();

/** An idempotent deploy script: a table with an index, and ROWS rows. */
function deployScript(i: number, kind: ScriptKind): string {
  const t = table(i);
  return [
    `-- Deploy crash:${name(i)}`,
    `CREATE TABLE IF NOT EXISTS ${t} (\n  id INT PRIMARY KEY,\n  payload VARCHAR(40) NOT NULL,\n` +
    `  KEY ${t}_payload (payload)\n) ENGINE = InnoDB;`,
    ...(kind === "transaction" ? ["START TRANSACTION;"] : []),
    ...valueLists(i).map((values) =>
      `INSERT INTO ${t} (id, payload) VALUES\n  ${values}\n` +
      "  ON DUPLICATE KEY UPDATE payload = VALUES(payload);"
    ),
    ...(kind === "transaction" ? ["COMMIT;"] : []),
  ].join("\n") + "\n";
}

/** The rows of the first result set of `sql`. */
async function rows(s: MysqlTestSession, sql: string): Promise<(string | null)[][]> {
  return (await s.query(sql)).find((r) => r.fields.length > 0)?.rows ?? [];
}

/** A single-quoted SQL literal (names of this test only). */
const lit = (v: string) => `'${v.replace(/'/g, "''")}'`;

/** How much of change i database `db` holds. */
async function applied(
  s: MysqlTestSession,
  db: string,
  i: number,
  tables: Set<string>,
  indexes: Set<string>,
): Promise<Applied> {
  const t = table(i);
  if (!tables.has(t)) return "absent";
  let r: (string | null)[];
  try {
    r = (await rows(
      s,
      `SELECT count(*), count(DISTINCT payload), coalesce(min(id), 0), coalesce(max(id), 0),
              coalesce(sum(payload = concat('${name(i)}-', id)), 0) FROM \`${db}\`.${t}`,
    ))[0];
  } catch {
    return "partial"; // not the table the script creates
  }
  const [n, distinct, lo, hi, ok] = r.map(Number);
  return classify({ index: indexes.has(`${t}_payload`), n, distinct, lo, hi, ok });
}

/** Read the registry database and the target database. */
async function snapshot(db: string, registry: string): Promise<Snapshot> {
  const s = await mysqlSession();
  try {
    const column = async (sql: string) => (await rows(s, sql)).map((r) => String(r[0]));
    const tables = new Set(
      await column(`SELECT table_name FROM information_schema.tables
                     WHERE table_schema = ${lit(db)}`),
    );
    const indexes = new Set(
      await column(`SELECT DISTINCT index_name FROM information_schema.statistics
                     WHERE table_schema = ${lit(db)}`),
    );
    const states: Applied[] = [];
    for (let i = 1; i <= CHANGES; i++) states.push(await applied(s, db, i, tables, indexes));
    const present = new Set(
      await column(`SELECT table_name FROM information_schema.tables
                     WHERE table_schema = ${lit(registry)}`),
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
    const q = (t: string) => `\`${registry}\`.${t}`;
    const count = async (t: string) =>
      Number((await rows(s, `SELECT count(*) FROM ${q(t)}`))[0][0]);
    snap.releases = await count("releases");
    snap.dependencies = await count("dependencies");
    snap.changes = (await rows(
      s,
      `SELECT change_id, \`change\` FROM ${q("changes")} ORDER BY committed_at`,
    )).map((r) => ({ id: String(r[0]), name: String(r[1]) }));
    snap.events = (await rows(
      s,
      `SELECT event, change_id, \`change\` FROM ${q("events")} ORDER BY committed_at`,
    )).map((r) => ({ event: String(r[0]), id: String(r[1]), name: String(r[2]) }));
    snap.tags = (await rows(s, `SELECT tag, change_id FROM ${q("tags")}`)).map((r) => ({
      tag: String(r[0]),
      changeId: String(r[1]),
    }));
    return snap;
  } finally {
    await s.close();
  }
}

/**
 * Wait until no other connection uses `db` or `registry` and the killed
 * run's locks (Sqitch's and the registry-creation one) are free.
 */
async function settle(db: string, registry: string): Promise<void> {
  const deadline = performance.now() + SETTLE_MS;
  const s = await mysqlSession();
  try {
    for (;;) {
      const left = await rows(
        s,
        `SELECT concat(id, ' ', coalesce(db, '-'), ' ', command, ' ', coalesce(left(info, 60), ''))
           FROM information_schema.processlist
          WHERE db IN (${lit(db)}, ${lit(registry)}) AND id <> connection_id()
         UNION ALL
         SELECT concat('lock held by ', IS_USED_LOCK(${lit(`sqitch working on ${db}`)}))
           FROM DUAL WHERE IS_USED_LOCK(${lit(`sqitch working on ${db}`)}) IS NOT NULL
         UNION ALL
         SELECT concat('creation lock held by ', IS_USED_LOCK(${
          lit(`sqlitch creating ${registry}`)
        }))
           FROM DUAL WHERE IS_USED_LOCK(${lit(`sqlitch creating ${registry}`)}) IS NOT NULL`,
      );
      if (left.length === 0) return;
      check(
        performance.now() < deadline,
        `a killed run still on the server after ${SETTLE_MS} ms: ${JSON.stringify(left)}`,
      );
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    await s.close();
  }
}

/** The MySQL side of the harness: target database `db`, registry database `${db}_sqitch`. */
function mysqlEngine(db: string): CrashEngine {
  const registry = `${db}_sqitch`;
  const drop = async () => {
    await dropDatabase(db);
    await dropDatabase(registry);
  };
  return {
    label: "mysql",
    config: `[core]\n\tengine = mysql\n[engine "mysql"]\n\ttarget = ${mysqlUri(db)}\n` +
      `\tregistry = ${registry}\n`,
    deployScript,
    revertScript: (i) => `DROP TABLE IF EXISTS ${table(i)};\n`,
    verifyScript: (i) => {
      const t = table(i);
      // A subquery of two rows where one is expected: an error unless all is there.
      return `SELECT CASE WHEN (SELECT count(*) FROM ${t}) = ${ROWS}` +
        ` AND EXISTS (SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE()` +
        ` AND table_name = '${t}' AND index_name = '${t}_payload')` +
        ` THEN 1 ELSE (SELECT 1 UNION SELECT 2) END;\n`;
    },
    transactionInFlight: ["empty", "complete"],
    reset: async () => {
      await drop();
      await createDatabase(db);
    },
    settle: () => settle(db, registry),
    snapshot: () => snapshot(db, registry),
    cleanExitProblem: () => Promise.resolve(undefined),
    applyScript: async (_sb, script) => {
      const s = await mysqlSession(db);
      try {
        await s.query(script);
      } finally {
        await s.close();
      }
    },
    cleanup: drop,
    // Sqitch's own template style: BEGIN; CREATE TABLE …; COMMIT; (not re-runnable).
    nonIdempotentScript: (i) =>
      `-- Deploy crash:${name(i)}\nBEGIN;\nCREATE TABLE ${table(i)} (id INT);\nCOMMIT;\n`,
    alreadyExists: /Table 't06' already exists/,
    sqitchNeeds: ["mysql"],
    // The registry is created silently while taking the lock: watch for its database.
    registryWatch: async () => {
      const s = await mysqlSession();
      return {
        started: async () =>
          (await rows(
            s,
            `SELECT 1 FROM information_schema.schemata WHERE schema_name = ${lit(registry)}`,
          )).length > 0,
        close: () => s.close(),
      };
    },
  };
}

serverCrashSuite({
  label: "mysql",
  live,
  engine: mysqlEngine,
  transactionKind: "rows in a transaction",
  registryPoints: 8,
});
