/**
 * The PostgreSQL engine on a live server: the registry schema must be the
 * very one Sqitch creates (pg_dump of both), registry rows written by a
 * sqlitch deploy must equal Sqitch's, upgrades from 1.0 and 0 reach the
 * same schema, Sqitch's advisory lock excludes other engines and real
 * `psql` sessions, and every record/query round-trips.
 *
 * Skips loudly without a server (see pg_server.ts), fails under CI.
 */
import {
  deepStrictEqual as assertEquals,
  ok as assert,
  rejects,
  strictEqual,
} from "node:assert/strict";
import { DbUri } from "../../core/uri.ts";
import type { ChangeRecord, Person } from "../../engines/engine.ts";
import { denoPgFiles, PG_LOCK_KEY, PgEngine } from "../../engines/pg.ts";
import { defaultSqlitchCmd } from "../parity/kit.ts";
import {
  createDatabase,
  dropDatabase,
  dumpRegistryRows,
  dumpSchema,
  PG_HOST,
  PG_PORT,
  pgAvailable,
  pgExec,
  pgRows,
  pgUri,
} from "./pg_server.ts";

const live = await pgAvailable();
const haveSqitch = new Deno.Command("sh", { args: ["-c", "command -v sqitch"] }).outputSync()
  .success;

const MARGE: Person = { name: "Marge Simpson", email: "marge@example.com" };
let counter = 0;

/** A unique database name for one test. */
function dbName(label: string): string {
  return `sqlitch_pgreg_${label}_${Deno.pid}_${counter++}`;
}

function engine(dbname: string, registry = "sqitch"): PgEngine {
  const uri = DbUri.parse(pgUri(dbname));
  return new PgEngine({
    uri,
    username: "postgres",
    registry,
    destination: uri.toString(),
    registryDestination: uri.toString(),
    env: {},
    files: denoPgFiles,
  });
}

/** Run a test body on a fresh database, dropped afterwards. */
function liveTest(name: string, fn: (db: string) => Promise<void>) {
  Deno.test({
    name,
    ignore: !live,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const db = dbName(String(counter));
      await createDatabase(db);
      try {
        await fn(db);
      } finally {
        await dropDatabase(db);
      }
    },
  });
}

const PLAN = `%syntax-version=1.0.0
%project=flipr
%uri=https://github.com/example/flipr/

c1 2013-12-30T22:59:30Z Marge Simpson <marge@example.com> # First change.
c2 [c1] 2013-12-30T23:00:14Z Lisa Simpson <lisa@example.com> # It's "second"
@t1 2013-12-31T00:00:00Z Marge Simpson <marge@example.com> # Tag one.
@t2 2013-12-31T00:00:01Z Bart Simpson <bart@example.com>
c3 [c1 c2 !ext:z !ext:y] 2014-01-01T10:11:12Z Marge Simpson <marge@example.com>
c4 2014-01-02T10:11:12Z Marge Simpson <marge@example.com> # Fails.
`;

/** A project deploying the plan above (c4 fails). */
function project(): string {
  const dir = Deno.makeTempDirSync({ prefix: "sqlitch-pgreg-" });
  Deno.writeTextFileSync(`${dir}/sqitch.plan`, PLAN);
  Deno.writeTextFileSync(`${dir}/sqitch.conf`, "[core]\n\tengine = pg\n");
  for (const d of ["deploy", "revert", "verify"]) Deno.mkdirSync(`${dir}/${d}`);
  for (const c of ["c1", "c2", "c3", "c4"]) {
    Deno.writeTextFileSync(
      `${dir}/deploy/${c}.sql`,
      c === "c4" ? "SELECT * FROM nonexistent;\n" : `CREATE TABLE ${c} (id int);\n`,
    );
    Deno.writeTextFileSync(`${dir}/revert/${c}.sql`, `DROP TABLE ${c};\n`);
    Deno.writeTextFileSync(`${dir}/verify/${c}.sql`, `SELECT id FROM ${c} WHERE false;\n`);
  }
  return dir;
}

/** Run real sqitch or sqlitch in a directory. */
async function run(cmd: string[], dir: string): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd: dir,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: dir,
      SQITCH_FULLNAME: MARGE.name,
      SQITCH_EMAIL: MARGE.email,
      SQITCH_USER_CONFIG: "/dev/null",
      SQITCH_SYSTEM_CONFIG: "/dev/null",
      TZ: "UTC",
      // Deno's cache stays where it is, not in the temporary HOME.
      DENO_DIR: Deno.env.get("DENO_DIR") ??
        `${Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME") ?? "/root"}/.cache`}/deno`,
      DENO_NO_UPDATE_CHECK: "1",
    },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

const SQLITCH = defaultSqlitchCmd();

Deno.test({
  name: "registry schema and rows are Sqitch's (pg_dump of both)",
  ignore: !live || !haveSqitch,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const [a, b] = [dbName("sqitch"), dbName("sqlitch")];
    await createDatabase(a);
    await createDatabase(b);
    const dir = project();
    try {
      const outs: string[] = [];
      for (const [cmd, db] of [[["sqitch"], a], [SQLITCH, b]] as const) {
        const steps = [
          ["deploy", pgUri(db)],
          ["revert", "-y", "--to", "c1", pgUri(db)],
          ["deploy", "--to", "c3", pgUri(db)],
        ];
        for (const step of steps) {
          const r = await run([...cmd, ...step], dir);
          outs.push(`${step[0]} ${r.code}\n${r.out.replaceAll(db, "<DB>")}`);
        }
      }
      assertEquals(outs.slice(3), outs.slice(0, 3));
      strictEqual(await dumpSchema(b, "sqitch"), await dumpSchema(a, "sqitch"));
      strictEqual(await dumpRegistryRows(b), await dumpRegistryRows(a));
    } finally {
      Deno.removeSync(dir, { recursive: true });
      await dropDatabase(a);
      await dropDatabase(b);
    }
  },
});

liveTest("create, exists, version; a second create fails as Sqitch does", async (db) => {
  const e = engine(db);
  try {
    strictEqual(await e.registryExists(), false);
    strictEqual(await e.registryVersion(), 0);
    await e.createRegistry(MARGE);
    strictEqual(await e.registryExists(), true);
    strictEqual(await e.registryVersion(), 1.1);
    await rejects(e.createRegistry(MARGE), { message: 'Sqitch schema "sqitch" already exists' });
    assertEquals(await pgRows(db, "SELECT installer_name FROM sqitch.releases"), [[
      MARGE.name,
    ]]);
  } finally {
    await e.close();
  }
});

liveTest("a registry name that needs quoting is used as given", async (db) => {
  const e = engine(db, 'My "Reg"');
  try {
    await e.createRegistry(MARGE);
    strictEqual(await e.registryExists(), true);
    assertEquals(
      await pgRows(db, `SELECT count(*) FROM "My ""Reg""".releases`),
      [["1"]],
    );
    await e.insertProject("p", null, MARGE);
    assertEquals(await e.registeredProjects(), ["p"]);
  } finally {
    await e.close();
  }
});

liveTest("upgrade 1.0 → 1.1 and 0 → 1.1 reach Sqitch's schema", async (db) => {
  const fresh = engine(db, "fresh");
  await fresh.createRegistry(MARGE);
  await fresh.close();
  const want = (await dumpSchema(db, "fresh")).replaceAll("fresh", "<R>");

  // A 1.0 registry: 1.1 undone as pg-1.1.sql would have found it.
  const e = engine(db, "old");
  await e.createRegistry(MARGE);
  await pgExec(
    db,
    `ALTER TABLE old.changes DROP CONSTRAINT changes_project_script_hash_key;
     ALTER TABLE old.changes ADD CONSTRAINT changes_script_hash_key UNIQUE (script_hash);
     COMMENT ON SCHEMA old IS 'Sqitch database deployment metadata v1.0.';
     DELETE FROM old.releases; INSERT INTO old.releases VALUES (1.0, now(), 'x', 'y');`,
  );
  try {
    strictEqual(await e.registryVersion(), 1);
    const steps: string[] = [];
    await e.upgradeRegistry(MARGE, (from, to) => steps.push(`${from}→${to}`));
    assertEquals(steps, ["1→1.1"]); // the first step from the version as DBD::Pg reads it
    strictEqual(await e.registryVersion(), 1.1);
    strictEqual((await dumpSchema(db, "old")).replaceAll("old", "<R>"), want);
  } finally {
    await e.close();
  }

  // A version-0 registry: no releases table, no script_hash.
  const z = engine(db, "zero");
  await z.createRegistry(MARGE);
  await pgExec(db, "DROP TABLE zero.releases; ALTER TABLE zero.changes DROP COLUMN script_hash;");
  try {
    strictEqual(await z.registryVersion(), 0);
    strictEqual(await z.registryExists(), true);
    const steps: string[] = [];
    await z.upgradeRegistry(MARGE, (from, to) => steps.push(`${from}→${to}`));
    assertEquals(steps, ["0→1.0", "1.0→1.1"]);
    strictEqual(await z.registryVersion(), 1.1);
    assertEquals(
      await pgRows(db, "SELECT version::text FROM zero.releases ORDER BY version"),
      [["1"], ["1.1"]],
    );
  } finally {
    await z.close();
  }
});

liveTest("the advisory lock excludes another engine and waits with a timeout", async (db) => {
  const a = engine(db);
  const b = engine(db);
  try {
    strictEqual(await a.tryLock(), true);
    strictEqual(await b.tryLock(), false);
    const t0 = performance.now();
    strictEqual(await b.waitLock(0.3), false);
    assert(performance.now() - t0 >= 250, "waited for the timeout");
    // The waiting session's lock_timeout is restored.
    assertEquals(await (await b.openSession()).rows("SHOW lock_timeout"), [["0"]]);
    const waiting = b.waitLock(10);
    await new Promise((r) => setTimeout(r, 100));
    await a.close();
    strictEqual(await waiting, true);
  } finally {
    await a.close();
    await b.close();
  }
});

liveTest("the lock key is Sqitch's: a psql session holding it keeps us out", async (db) => {
  const holder = new Deno.Command("psql", {
    args: [
      "-w",
      "-h",
      PG_HOST,
      "-p",
      PG_PORT,
      "-U",
      "postgres",
      "-d",
      db,
      "-Atc",
      `SELECT pg_advisory_lock(${PG_LOCK_KEY})`,
      "-c",
      "SELECT pg_sleep(1.5)",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const e = engine(db);
  try {
    // Wait until psql holds the lock.
    for (let i = 0; i < 100; i++) {
      const held = await pgRows(
        db,
        `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = ${PG_LOCK_KEY}`,
      );
      if (held[0][0] !== "0") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    strictEqual(await e.tryLock(), false);
    strictEqual(await e.waitLock(10), true);
    // And now psql cannot take it.
    const r = await new Deno.Command("psql", {
      args: [
        "-w",
        "-h",
        PG_HOST,
        "-p",
        PG_PORT,
        "-U",
        "postgres",
        "-d",
        db,
        "-Atc",
        `SELECT pg_try_advisory_lock(${PG_LOCK_KEY})`,
      ],
      stdout: "piped",
    }).output();
    strictEqual(new TextDecoder().decode(r.stdout).trim(), "f");
  } finally {
    await holder.status;
    await e.close();
  }
});

const T0 = new Date("2013-12-30T22:59:30Z");
const change = (name: string, extra: Partial<ChangeRecord> = {}): ChangeRecord => ({
  id: `${name}-id`,
  name,
  project: "flipr",
  note: `Note ${name}`,
  scriptHash: `${name}-hash`,
  plannedAt: T0,
  planner: { name: "Lisa", email: "lisa@example.com" },
  dependencies: [],
  tags: [],
  ...extra,
});

liveTest("records and queries round-trip as Sqitch writes and reads them", async (db) => {
  const e = engine(db);
  try {
    await e.createRegistry(MARGE);
    await e.insertProject("flipr", "https://example.com/", MARGE);
    assertEquals(await e.projectRow("flipr"), { project: "flipr", uri: "https://example.com/" });
    strictEqual(await e.projectByUri("https://example.com/"), "flipr");
    const c1 = change("c1", {
      tags: [{
        tagId: "t1-id",
        name: "t1",
        note: "tag",
        plannedAt: T0,
        planner: MARGE,
      }, { tagId: "t0-id", name: "a0", note: "", plannedAt: T0, planner: MARGE }],
    });
    const c2 = change("c2", {
      dependencies: [
        { type: "require", dependency: "c1", dependencyId: "c1-id" },
        { type: "conflict", dependency: "ext:z" },
      ],
    });
    for (const c of [c1, c2]) {
      await e.begin();
      await e.recordDeploy(c, MARGE);
      await e.commit();
    }
    await e.recordFail(change("c3"), MARGE);

    const state = await e.currentState("flipr");
    strictEqual(state?.id, "c2-id");
    assertEquals(state?.tags, []);
    strictEqual(state?.scriptHash, "c2-hash");
    assertEquals(state?.plannedAt, T0);
    const deployed = await e.deployedChanges("flipr");
    assertEquals(deployed.map((c) => [c.name, c.tags]), [["c1", ["@a0", "@t1"]], ["c2", []]]);
    assertEquals((await e.deployedChangesSince("flipr", "c1-id")).map((c) => c.id), ["c2-id"]);
    strictEqual((await e.loadChange("c1-id"))?.note, "Note c1");
    strictEqual(await e.changeIdAt("flipr", "ASC", 0), "c1-id");
    strictEqual(await e.changeIdAt("flipr", "DESC", 1), "c1-id");
    strictEqual(await e.changeIdAt("flipr", "DESC", 2), undefined);
    assertEquals((await e.currentChanges("flipr")).map((c) => c.name), ["c2", "c1"]);
    assertEquals((await e.currentTags("flipr")).map((c) => c.name).sort(), ["@a0", "@t1"]);
    assertEquals(await e.deployedIds(["c1-id", "nope", "c2-id"]), new Set(["c1-id", "c2-id"]));
    assertEquals(await e.recordedTagIds("c1-id"), new Set(["t1-id", "t0-id"]));
    assertEquals(await e.changesRequiring("c1-id"), [
      { changeId: "c2-id", project: "flipr", change: "c2", asofTag: undefined },
    ]);

    const events = await e.searchEvents({ direction: "ASC" });
    assertEquals(events.map((v) => [v.event, v.change, v.tags, v.requires, v.conflicts]), [
      ["deploy", "c1", ["@t1", "@a0"], [], []],
      ["deploy", "c2", [], ["c1"], ["ext:z"]],
      ["fail", "c3", [], [], []],
    ]);
    assertEquals((await e.searchEvents({ event: ["fail"] })).map((v) => v.change), ["c3"]);
    assertEquals((await e.searchEvents({ change: "^c[12]$" })).map((v) => v.change), [
      "c2",
      "c1",
    ]);
    assertEquals(
      (await e.searchEvents({ limit: 1, offset: 1 })).map((v) => v.change),
      ["c2"],
    );
    assertEquals((await e.searchEvents({ committer: "^Bart" })).length, 0);

    // Late tags: only the missing one is added.
    await e.recordLateTags(
      change("c2", {
        tags: [{ tagId: "t2-id", name: "t2", note: "", plannedAt: T0, planner: MARGE }],
      }),
      MARGE,
    );
    await e.recordLateTags(
      change("c2", {
        tags: [{ tagId: "t2-id", name: "t2", note: "", plannedAt: T0, planner: MARGE }],
      }),
      MARGE,
    );
    assertEquals(await e.recordedTagIds("c2-id"), new Set(["t2-id"]));

    // Revert: tags and dependencies go into the event.
    await e.begin();
    await e.recordRevert(c2, MARGE);
    await e.commit();
    const last = (await e.searchEvents({ limit: 1 }))[0];
    assertEquals([last.event, last.tags, last.requires, last.conflicts], [
      "revert",
      ["@t2"],
      ["c1"],
      ["ext:z"],
    ]);
    assertEquals(await e.deployedIds(["c2-id"]), new Set());
    assertEquals(
      await pgRows(db, "SELECT count(*) FROM sqitch.dependencies"),
      [["0"]],
    );
  } finally {
    await e.close();
  }
});

liveTest(
  "a rolled-back transaction leaves no rows; rollback outside one is a no-op",
  async (db) => {
    const e = engine(db);
    try {
      await e.createRegistry(MARGE);
      await e.insertProject("flipr", null, MARGE);
      await e.rollback();
      await e.begin();
      await e.recordDeploy(change("c1"), MARGE);
      await e.rollback();
      assertEquals(await e.deployedChanges("flipr"), []);
    } finally {
      await e.close();
    }
  },
);

Deno.test({
  name: "connection failures carry libpq's message",
  ignore: !live,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const e = engine("sqlitch_no_such_database");
    await rejects(e.connect(), {
      message:
        `connection to server at "${PG_HOST}", port ${PG_PORT} failed: FATAL:  database "sqlitch_no_such_database" does not exist`,
    });
  },
});
