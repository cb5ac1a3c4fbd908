/**
 * The PostgreSQL engine runs script after script on one script session
 * (engines/pg.ts `runEmulated`), where Sqitch starts a `psql` — a new
 * connection — for each. Whatever a script leaves behind must not reach
 * the next one: each probe script below must print exactly what it prints
 * on a brand-new connection, after scripts that set search_path and other
 * settings, create a temporary table, prepare statements, take an
 * advisory lock, listen, keep a cursor, read a sequence, set a custom
 * session variable, change the database's defaults, `\connect`, or stop
 * with a transaction open (failed or not). The session is kept when a
 * reset restores it (same backend), replaced when one cannot.
 *
 * Skips loudly without a server (see pg_server.ts), fails under CI.
 */
import { deepStrictEqual, notStrictEqual, strictEqual } from "node:assert/strict";
import { DbUri } from "../../core/uri.ts";
import { CapturedOutput, ScriptError } from "../../engines/engine.ts";
import { denoPgFiles, PgEngine } from "../../engines/pg.ts";
import { createDatabase, dropDatabase, pgAvailable, pgRows, pgUri } from "./pg_server.ts";

const live = await pgAvailable();
let counter = 0;

function engine(dbname: string): PgEngine {
  const uri = DbUri.parse(pgUri(dbname));
  return new PgEngine({
    uri,
    username: "postgres",
    registry: "sqitch",
    destination: uri.toString(),
    registryDestination: uri.toString(),
    env: {},
    files: denoPgFiles,
  });
}

/** What one script run printed, and its psql exit status. */
interface Run {
  out: string;
  err: string;
  status: number;
}

/** Run script text through an engine (as a deploy script). */
async function run(e: PgEngine, dir: string, name: string, text: string): Promise<Run> {
  const path = `${dir}/${name}.sql`;
  Deno.writeTextFileSync(path, text);
  const out = new CapturedOutput();
  let status = 0;
  try {
    await e.runScript(path, {}, out);
  } catch (err) {
    if (!(err instanceof ScriptError)) throw err;
    status = err.status;
  }
  return { out: out.out, err: out.err, status };
}

/** The probe's output on a brand-new engine, hence a new connection. */
async function fresh(db: string, dir: string, name: string, text: string): Promise<Run> {
  const e = engine(db);
  try {
    return await run(e, dir, name, text);
  } finally {
    await e.close();
  }
}

function liveTest(name: string, fn: (db: string, dir: string) => Promise<void>) {
  Deno.test({
    name,
    ignore: !live,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const db = `sqlitch_pgreuse_${Deno.pid}_${counter++}`;
      const dir = Deno.makeTempDirSync({ prefix: "sqlitch-pgreuse-" });
      await createDatabase(db);
      try {
        await fn(db, dir);
      } finally {
        await dropDatabase(db);
        Deno.removeSync(dir, { recursive: true });
      }
    },
  });
}

const PID = "SELECT pg_backend_pid();\n";

/** Leaves every kind of session state a reset undoes, then fails inside a transaction. */
const LEAVES_STATE = `SET search_path = nowhere, public;
SET statement_timeout = '5s';
SET application_name = 'left behind';
SET standard_conforming_strings = off;
SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE;
CREATE TEMP TABLE scratch (x int);
PREPARE p AS SELECT 1;
SELECT pg_advisory_lock(4242);
LISTEN chan;
BEGIN;
DECLARE c CURSOR WITH HOLD FOR SELECT 1;
COMMIT;
CREATE SEQUENCE s;
SELECT nextval('s');
BEGIN;
CREATE TABLE in_tx (x int);
SELECT 1/0;
`;

/** Prints what any of that state would change; ends with psql's error for currval. */
const PROBE = `SHOW search_path;
SHOW statement_timeout;
SHOW application_name;
SHOW transaction_isolation;
SELECT 'a\\b';
SELECT count(*) FROM pg_class WHERE relname = 'scratch';
SELECT count(*) FROM pg_prepared_statements;
SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid();
SELECT count(*) FROM pg_listening_channels();
SELECT count(*) FROM pg_cursors;
SELECT to_regclass('public.in_tx') IS NULL;
SELECT pg_current_xact_id_if_assigned() IS NULL;
SELECT current_user, session_user;
SELECT currval('s');
`;

liveTest(
  "pg script session: a reset script session is as good as a new connection",
  async (db, dir) => {
    const e = engine(db);
    try {
      const before = await run(e, dir, "pid1", PID);
      const left = await run(e, dir, "leaves", LEAVES_STATE);
      strictEqual(left.status, 3, left.err);
      const after = await run(e, dir, "pid2", PID);
      // Reset, not replaced: the same backend serves the next script.
      strictEqual(after.out, before.out);
      const probe = await run(e, dir, "probe", PROBE);
      deepStrictEqual(probe, await fresh(db, dir, "probe", PROBE));
      strictEqual(probe.status, 3);
      // Nothing of the script is held any more, seen from elsewhere.
      deepStrictEqual(
        await pgRows(
          db,
          "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242",
        ),
        [["0"]],
      );
    } finally {
      await e.close();
    }
  },
);

liveTest(
  "pg script session: a transaction left open is rolled back before the next script",
  async (db, dir) => {
    const e = engine(db);
    try {
      await run(e, dir, "setup", "CREATE TABLE lt (x int);\n");
      const r = await run(
        e,
        dir,
        "open",
        "BEGIN;\nINSERT INTO lt VALUES (1);\nLOCK TABLE lt IN ACCESS EXCLUSIVE MODE;\n",
      );
      strictEqual(r.status, 0, r.err);
      // As when psql exits: the lock goes and the insert is undone.
      deepStrictEqual(
        await pgRows(db, "SET lock_timeout = '10s'; SELECT count(*) FROM lt"),
        [["0"]],
      );
      const next = await run(e, dir, "next", "SELECT count(*) FROM lt;\n");
      strictEqual(next.out, "0\n");
    } finally {
      await e.close();
    }
  },
);

liveTest("pg script session: a custom session variable means a new connection", async (db, dir) => {
  const e = engine(db);
  try {
    const before = await run(e, dir, "pid1", PID);
    await run(
      e,
      dir,
      "vars",
      "SET my.var = 'leftover';\nSELECT set_config('other.var', 'x', false);\n",
    );
    const after = await run(e, dir, "pid2", PID);
    notStrictEqual(after.out, before.out);
    const probe = "SELECT current_setting('my.var', true) IS NULL, " +
      "current_setting('other.var', true) IS NULL;\n";
    const r = await run(e, dir, "probe", probe);
    strictEqual(r.out, "t|t\n");
    deepStrictEqual(r, await fresh(db, dir, "probe", probe));
  } finally {
    await e.close();
  }
});

liveTest(
  "pg script session: new defaults for the database reach the next script",
  async (db, dir) => {
    const e = engine(db);
    try {
      await run(e, dir, "alter", `ALTER DATABASE "${db}" SET search_path = altered, public;\n`);
      const r = await run(e, dir, "probe", "SHOW search_path;\n");
      strictEqual(r.out, "altered, public\n");
    } finally {
      await e.close();
    }
  },
);

liveTest(
  "pg script session: after \\connect the next script is on the target again",
  async (db, dir) => {
    const e = engine(db);
    try {
      const moved = await run(
        e,
        dir,
        "connect",
        "\\connect postgres\nSELECT current_database();\n",
      );
      strictEqual(moved.out, "postgres\n", moved.err);
      const back = await run(e, dir, "probe", "SELECT current_database();\n");
      strictEqual(back.out, `${db}\n`);
    } finally {
      await e.close();
    }
  },
);
