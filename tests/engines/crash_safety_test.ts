/**
 * Crash safety of `deploy` on SQLite: sqlitch is killed with SIGKILL at
 * random points of a 50-change deploy (start-up, registry creation, within
 * and between changes, near the end); after every kill the registry must
 * not list a change whose deploy script did not complete, its events must
 * agree with its changes, no stale lock or journal may block the next run,
 * and in the end a plain `deploy` must finish the job and `verify` pass.
 * The harness (project, kill points, invariants) is crash_kit.ts, shared
 * with the PostgreSQL and MySQL variants; this file is SQLite's part.
 *
 * What the engine guarantees (engines/workflow.ts deployChange): the deploy
 * script runs on its own connection to the target database while the
 * registry transaction (BEGIN IMMEDIATE on the registry file) is open, and
 * the change is recorded and committed only after the script finished. So a
 * kill can never leave a change recorded without its script, but it can
 * leave the change in flight applied and not recorded:
 *   - scripts of plain statements (each autocommits) may be left partly
 *     applied;
 *   - scripts wrapped in BEGIN/COMMIT (Sqitch's SQLite templates) are
 *     applied entirely or not at all, yet may still be applied and not
 *     recorded when the kill lands between their COMMIT and the registry's.
 * Either way the next `deploy` runs that script again, so it only finishes
 * when the script can run twice: the generated scripts here are idempotent
 * (IF NOT EXISTS, INSERT OR REPLACE). A script that cannot run twice makes
 * the next deploy fail, with the registry still telling the truth — Sqitch
 * 1.3.1 behaves the same (asserted against real Sqitch when present).
 *
 * The databases are inspected on copies (with any journal) so that the next
 * run still has to recover whatever a kill left behind itself. After every
 * clean exit the registry must be back in rollback-journal mode with no
 * -wal/-shm files (as Sqitch leaves it).
 *
 * Three engine bugs this test found are fixed: a kill between the registry
 * tables' commit and the release row left a registry no deploy could use
 * (the release row now commits with the tables), a kill while the
 * registry was in WAL mode left it in WAL mode for good, and so did such a
 * kill followed only by runs that wrote nothing (every run that opens the
 * registry now puts it back).
 */
import { DatabaseSync } from "node:sqlite";
import type { Sandbox } from "../cli/sandbox.ts";
import {
  type Applied,
  appliedButUnrecorded,
  CHANGES,
  check,
  classify,
  type CrashEngine,
  KILL_COUNTS,
  name,
  nonIdempotentUnrecorded,
  randomKills,
  REGISTRY_TABLES,
  registryKills,
  ROWS,
  ROWS_PER_INSERT,
  type ScriptKind,
  SEED,
  type Snapshot,
  table,
} from "./crash_kit.ts";

/** An idempotent deploy script: a table, an index and ROWS rows. */
function deployScript(i: number, kind: ScriptKind): string {
  const t = table(i);
  const body = [
    `-- Deploy crash:${name(i)}`,
    `CREATE TABLE IF NOT EXISTS ${t} (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);`,
    `CREATE INDEX IF NOT EXISTS ${t}_payload ON ${t} (payload);`,
  ];
  for (let from = 1; from <= ROWS; from += ROWS_PER_INSERT) {
    const to = from + ROWS_PER_INSERT - 1;
    body.push(
      `INSERT OR REPLACE INTO ${t} (id, payload)\n` +
        `  WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i < ${to})\n` +
        `  SELECT i, '${name(i)}-' || i FROM n;`,
    );
  }
  if (kind === "transaction") {
    body.splice(1, 0, "BEGIN;");
    body.push("COMMIT;");
  }
  return body.join("\n") + "\n";
}

const DB_FILE = /\.db(-journal|-wal|-shm)?$/;

function tables(db: DatabaseSync): Set<string> {
  return new Set(
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) =>
      String(r.name)
    ),
  );
}

/** How much of change i the target database holds. */
function applied(db: DatabaseSync | undefined, i: number): Applied {
  if (!db) return "absent";
  const t = table(i);
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
    .get(t);
  if (!hasTable) return "absent";
  const hasIndex = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?")
    .get(`${t}_payload`);
  let r: Record<string, number>;
  try {
    r = db.prepare(
      `SELECT count(*) AS n, count(DISTINCT payload) AS d, min(id) AS lo, max(id) AS hi,
              sum(payload = '${name(i)}-' || id) AS ok FROM ${t}`,
    ).get() as Record<string, number>;
  } catch {
    return "partial"; // not the table the script creates
  }
  return classify({
    index: Boolean(hasIndex),
    n: r.n,
    distinct: r.d,
    lo: r.lo,
    hi: r.hi,
    ok: r.ok,
  });
}

/**
 * Open a copy of the databases (with their journals): opening rolls back
 * any hot journal, and the file must then be sound and writable.
 */
async function snapshot(sb: Sandbox, where: string): Promise<Snapshot> {
  const copy = `${sb.root}/inspect`;
  await Deno.remove(copy, { recursive: true }).catch(() => {});
  await Deno.mkdir(copy);
  const journals: string[] = [];
  for await (const e of Deno.readDir(sb.proj)) {
    if (!e.isFile || !DB_FILE.test(e.name)) continue;
    if (!e.name.endsWith(".db") && (await Deno.stat(`${sb.proj}/${e.name}`)).size > 0) {
      journals.push(e.name);
    }
    await Deno.copyFile(`${sb.proj}/${e.name}`, `${copy}/${e.name}`);
  }
  const open = (file: string) => {
    try {
      Deno.statSync(`${copy}/${file}`);
    } catch {
      return undefined;
    }
    return new DatabaseSync(`${copy}/${file}`);
  };
  const target = open("crash.db");
  const registry = open("sqitch.db");
  try {
    for (const [file, db] of [["crash.db", target], ["sqitch.db", registry]] as const) {
      if (!db) continue;
      const integrity = db.prepare("PRAGMA integrity_check").get() as Record<string, string>;
      check(
        integrity.integrity_check === "ok",
        `${where}: ${file} integrity: ${JSON.stringify(integrity)}`,
      );
      db.exec("BEGIN IMMEDIATE; ROLLBACK;");
    }
    const snap: Snapshot = {
      registryTables: [],
      releases: 0,
      changes: [],
      events: [],
      tags: [],
      dependencies: 0,
      applied: Array.from({ length: CHANGES }, (_, k) => applied(target, k + 1)),
      journals,
    };
    const present = registry ? tables(registry) : new Set<string>();
    snap.registryTables = REGISTRY_TABLES.filter((t) => present.has(t));
    if (!registry || snap.registryTables.length < REGISTRY_TABLES.length) return snap;
    const count = (sql: string) => Number((registry.prepare(sql).get() as { n: number }).n);
    snap.releases = count("SELECT count(*) AS n FROM releases");
    snap.dependencies = count("SELECT count(*) AS n FROM dependencies");
    snap.changes = registry.prepare("SELECT change_id, change FROM changes ORDER BY committed_at")
      .all().map((r) => ({ id: String(r.change_id), name: String(r.change) }));
    snap.events = registry.prepare(
      "SELECT event, change_id, change FROM events ORDER BY committed_at",
    ).all().map((r) => ({
      event: String(r.event),
      id: String(r.change_id),
      name: String(r.change),
    }));
    snap.tags = registry.prepare("SELECT tag, change_id FROM tags").all().map((r) => ({
      tag: String(r.tag),
      changeId: String(r.change_id),
    }));
    return snap;
  } finally {
    target?.close();
    registry?.close();
  }
}

/**
 * After a clean exit the registry must be a rollback-journal database with
 * no journal files beside it, as Sqitch leaves it (a description of what
 * is not so, or undefined). Read from the header, so nothing is recovered.
 */
async function cleanExitProblem(sb: Sandbox): Promise<string | undefined> {
  const leftovers: string[] = [];
  for await (const e of Deno.readDir(sb.proj)) {
    if (/\.db-(journal|wal|shm)$/.test(e.name)) leftovers.push(e.name);
  }
  // Header bytes 18 and 19 are 2 for WAL, 1 for a rollback journal.
  const header = (await Deno.readFile(`${sb.proj}/sqitch.db`)).subarray(0, 20);
  const wal = header[18] === 2 || header[19] === 2;
  if (!wal && leftovers.length === 0) return undefined;
  return `the registry is ${wal ? "left in WAL mode (Sqitch's uses a rollback journal)" : "fine"}` +
    `${leftovers.length ? `; ${leftovers.join(" ")} left behind` : ""}`;
}

const sqlite: CrashEngine = {
  label: "sqlite",
  config: '[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:crash.db\n',
  deployScript,
  revertScript: (i) => `DROP TABLE IF EXISTS ${table(i)};\n`,
  verifyScript: (i) => {
    const t = table(i);
    return `SELECT CASE WHEN (SELECT count(*) FROM ${t}) = ${ROWS}` +
      ` AND EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = '${t}_payload')` +
      ` THEN 1 ELSE json('verify failed: ${t}') END;\n`;
  },
  transactionInFlight: ["complete"],
  async reset(sb) {
    for await (const e of Deno.readDir(sb.proj)) {
      if (e.isFile && DB_FILE.test(e.name)) await Deno.remove(`${sb.proj}/${e.name}`);
    }
  },
  settle: () => Promise.resolve(),
  snapshot,
  cleanExitProblem,
  applyScript(sb, script) {
    const db = new DatabaseSync(`${sb.proj}/crash.db`);
    try {
      db.exec(script);
    } finally {
      db.close();
    }
    return Promise.resolve();
  },
  cleanup: () => Promise.resolve(),
  // Sqitch's own template style: BEGIN; CREATE TABLE …; COMMIT; (not re-runnable).
  nonIdempotentScript: (i) =>
    `-- Deploy crash:${name(i)}\nBEGIN;\nCREATE TABLE ${table(i)} (id INTEGER);\nCOMMIT;\n`,
  alreadyExists: /table t06 already exists/,
  sqitchNeeds: [],
};

/** Kill points spread over the registry creation. */
const REGISTRY_POINTS = 8;

Deno.test("crash safety: SIGKILL during a 50-change deploy (plain statements)", async () => {
  await randomKills(sqlite, "plain", SEED, KILL_COUNTS);
});

Deno.test("crash safety: SIGKILL during a 50-change deploy (scripts in BEGIN/COMMIT)", async () => {
  await randomKills(sqlite, "transaction", SEED + 1, KILL_COUNTS);
});

Deno.test(
  `crash safety: SIGKILL at ${REGISTRY_POINTS} points of registry creation, next deploy finishes`,
  async () => {
    await registryKills(sqlite, REGISTRY_POINTS);
  },
);

Deno.test("crash safety: a change applied but not recorded is deployed again", async () => {
  await appliedButUnrecorded(sqlite);
});

Deno.test(
  "crash safety: a non-idempotent script applied but not recorded fails the next deploy, " +
    "registry truthful, as with Sqitch",
  async () => {
    await nonIdempotentUnrecorded(sqlite);
  },
);
