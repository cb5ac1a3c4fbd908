/**
 * Live tests of the MySQL engine's registry against real Sqitch: the
 * registry database sqlitch creates is Sqitch's (tables byte for byte in
 * `mysqldump`; triggers and `checkit()` in their Sqitch 1.5+ form), the
 * rows carry fractional-second timestamps as Sqitch writes them, upgrades
 * from registry versions 0 and 1.0 end where Sqitch's end, and
 * `GET_LOCK` excludes another engine and a raw session holding Sqitch's
 * lock. Needs the test server (mysql_server.ts) and, for the comparisons,
 * `sqitch`; skipped loudly without them, failing under CI.
 */
import { deepStrictEqual, match, ok, rejects, strictEqual } from "node:assert/strict";
import { DbUri } from "../../core/uri.ts";
import type { ChangeRecord } from "../../engines/engine.ts";
import { MysqlEngine } from "../../engines/mysql.ts";
import { MysqlConnection } from "../../engines/mysql_connection.ts";
import { MYSQL_UPGRADE_1_0, MYSQL_UPGRADE_1_1 } from "../../engines/mysql_registry_sql.ts";
import { defaultSqlitchCmd, parityAvailability } from "../parity/kit.ts";
import {
  createDatabase,
  dropDatabases,
  dumpRegistryRows,
  mysqlAvailable,
  mysqlDump,
  mysqlExec,
  mysqlRows,
  mysqlSession,
  mysqlUri,
} from "./mysql_server.ts";

const live = await mysqlAvailable();
const sqitch = parityAvailability(["sqitch"]);
const withSqitch = live && sqitch.status !== "skip";

const PERSON = { name: "Ann", email: "ann@example.com" };
const noFiles = { readText: () => undefined, listDir: () => undefined };

/** A unique id per test. */
function uid(): string {
  return `sqlt_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
}

/** An engine on `db` of the test server with registry `registry`. */
function engineFor(db: string, registry: string): MysqlEngine {
  const uri = DbUri.parse(mysqlUri(db));
  return new MysqlEngine({
    uri,
    username: uri.user,
    registry,
    destination: uri.toDisplayString(),
    env: {},
    files: noFiles,
    installer: () => PERSON,
  });
}

const PLAN = "%syntax-version=1.0.0\n%project=flipr\n\n" +
  "users 2026-01-01T00:00:00Z Ann <ann@example.com> # Users.\n" +
  "flips [users !other:x] 2026-01-01T00:00:01Z Ann <ann@example.com> # Flips.\n" +
  "@v1.0 2026-01-01T00:00:02Z Ann <ann@example.com> # Tag.\n";

/** A project directory deploying to `db` with registry `registry`. */
async function project(db: string, registry: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "sqlitch-mysql-" });
  await Deno.writeTextFile(
    `${dir}/sqitch.conf`,
    `[core]\n\tengine = mysql\n[engine "mysql"]\n\ttarget = ${
      mysqlUri(db)
    }\n\tregistry = ${registry}\n[user]\n\tname = Ann\n\temail = ann@example.com\n`,
  );
  await Deno.writeTextFile(`${dir}/sqitch.plan`, PLAN);
  for (const d of ["deploy", "revert", "verify"]) await Deno.mkdir(`${dir}/${d}`);
  for (const n of ["users", "flips"]) {
    await Deno.writeTextFile(`${dir}/deploy/${n}.sql`, `CREATE TABLE ${n} (id INT);\n`);
    await Deno.writeTextFile(`${dir}/revert/${n}.sql`, `DROP TABLE ${n};\n`);
    await Deno.writeTextFile(`${dir}/verify/${n}.sql`, `SELECT id FROM ${n} WHERE 0;\n`);
  }
  return dir;
}

/** Run sqitch or sqlitch in `dir`; returns exit code and outputs. */
async function run(which: "sqitch" | "sqlitch", dir: string, args: string[]) {
  const cmd = which === "sqitch" ? ["sqitch", ...args] : [...defaultSqlitchCmd(), ...args];
  const r = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd: dir,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: dir,
      TZ: "UTC",
      LANG: "C.UTF-8",
      LC_ALL: "C.UTF-8",
      SQITCH_USER_CONFIG: `${dir}/none.conf`,
      SQITCH_SYSTEM_CONFIG: `${dir}/none.conf`,
      DENO_DIR: Deno.env.get("DENO_DIR") ??
        `${Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME") ?? "/root"}/.cache`}/deno`,
      DENO_NO_UPDATE_CHECK: "1",
    },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
}

/**
 * A live test on databases of its own (`<id>…`, registries `sqitch_<id>…`),
 * all dropped afterwards; with `sqitch`, skipped unless Sqitch can run too.
 */
function liveTest(name: string, needs: "server" | "sqitch", fn: (id: string) => Promise<void>) {
  Deno.test({
    name,
    ignore: needs === "sqitch" ? !withSqitch : !live,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const id = uid();
      try {
        await fn(id);
      } finally {
        await dropDatabases(id);
        await dropDatabases(`sqitch_${id}`);
      }
    },
  });
}

/** `fn` in a fresh project directory deploying to `db` with registry `registry`. */
async function inProject<T>(
  db: string,
  registry: string,
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await project(db, registry);
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Run sqitch or sqlitch in `dir` and expect exit 0. */
async function runOk(which: "sqitch" | "sqlitch", dir: string, args: string[]) {
  const r = await run(which, dir, args);
  strictEqual(r.code, 0, `${which} ${args.join(" ")}: ${r.stdout}${r.stderr}`);
  return r;
}

/** A new database `db` with a registry `registry` created by sqlitch's engine. */
async function databaseWithRegistry(db: string, registry: string): Promise<void> {
  await createDatabase(db);
  const engine = engineFor(db, registry);
  try {
    await engine.connect();
    await engine.createRegistry(PERSON);
  } finally {
    await engine.close();
  }
}

/** Trigger bodies of a registry, by name. */
async function triggers(registry: string): Promise<Record<string, string>> {
  const rows = await mysqlRows(
    `SELECT trigger_name, action_statement FROM information_schema.triggers
      WHERE trigger_schema = '${registry}' ORDER BY trigger_name`,
  );
  return Object.fromEntries(rows.map(([n, b]) => [n ?? "", b ?? ""]));
}

/** The `checkit` routine's parameters and body with whitespace collapsed. */
async function checkit(registry: string): Promise<string | undefined> {
  const rows = await mysqlRows(
    `SELECT CONCAT(routine_type, ' ', dtd_identifier, ' ', is_deterministic, ' ',
            routine_definition)
       FROM information_schema.routines
      WHERE routine_schema = '${registry}' AND routine_name = 'checkit'`,
  );
  return rows[0]?.[0]?.replace(/\s+/g, " ");
}

liveTest(
  "mysql registry: created as Sqitch creates it, rows as Sqitch writes them",
  "sqitch",
  async (id) => {
    const dumps: Record<string, string> = {};
    for (const side of ["a", "b"] as const) {
      const db = `${id}${side}`;
      const registry = `sqitch_${id}${side}`;
      await createDatabase(db);
      await inProject(
        db,
        registry,
        (dir) => runOk(side === "a" ? "sqitch" : "sqlitch", dir, ["deploy"]),
      );
      dumps[side] = await mysqlDump(registry, ["--skip-triggers"]);
      dumps[`${side}rows`] = await dumpRegistryRows(registry);
    }
    // checkit() differs in its recorded sql_mode and indentation (1.5+ creates it
    // on the registry connection): the dump has the tables, the routine is below.
    strictEqual(dumps.b, dumps.a, "registry tables");
    strictEqual(dumps.brows, dumps.arows, "registry rows");
    strictEqual(await checkit(`sqitch_${id}b`), await checkit(`sqitch_${id}a`));
    ok(await checkit(`sqitch_${id}b`));

    // Sqitch 1.5+ triggers: they signal themselves, no checkit() call.
    const trig = await triggers(`sqitch_${id}b`);
    deepStrictEqual(Object.keys(trig), ["ck_insert_dependency", "ck_update_dependency"]);
    for (const body of Object.values(trig)) {
      match(body, /SIGNAL SQLSTATE 'ERR0R' SET MESSAGE_TEXT = 'Type must be "require"/);
      ok(!body.includes("checkit"));
    }
    await rejects(
      mysqlExec(
        `INSERT INTO sqitch_${id}b.dependencies VALUES ` +
          `((SELECT change_id FROM sqitch_${id}b.changes LIMIT 1), 'require', 'zz', NULL)`,
      ),
      /Type must be "require" with dependency_id set/,
    );

    // Fractional seconds as Sqitch writes them.
    const ts = await mysqlRows(
      `SELECT CAST(committed_at AS CHAR), CAST(planned_at AS CHAR)
         FROM sqitch_${id}b.changes ORDER BY committed_at`,
    );
    for (const [committed, planned] of ts) {
      match(committed ?? "", /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
      match(planned ?? "", /^2026-01-01 00:00:0\d\.000000$/);
    }
    ok((ts[0][0] ?? "") < (ts[1][0] ?? ""), "strictly increasing committed_at");
  },
);

/** Turn a fresh registry into a version-1.0 (or version-0) one, as old Sqitch left it. */
async function downgrade(registry: string, to: "1.0" | "0"): Promise<void> {
  const r = `\`${registry}\``;
  await mysqlExec(
    `DROP TABLE ${r}.releases`,
    `ALTER TABLE ${r}.changes DROP INDEX project, ADD INDEX project (project)`,
  );
  if (to === "1.0") {
    await mysqlExec(
      `CREATE TABLE ${r}.releases (
          version FLOAT PRIMARY KEY COMMENT 'Version of the Sqitch registry.',
          installed_at TIMESTAMP NOT NULL COMMENT 'Date the registry release was installed.',
          installer_name VARCHAR(255) NOT NULL
            COMMENT 'Name of the user who installed the registry release.',
          installer_email VARCHAR(255) NOT NULL
            COMMENT 'Email address of the user who installed the registry release.'
        ) ENGINE InnoDB, CHARACTER SET 'utf8', COMMENT 'Sqitch registry releases.'`,
      `INSERT INTO ${r}.releases VALUES (1.0, NOW(), 'Old', 'old@example.com')`,
      `ALTER TABLE ${r}.changes ADD UNIQUE script_hash (script_hash)`,
    );
  } else {
    await mysqlExec(
      `ALTER TABLE ${r}.changes DROP COLUMN script_hash`,
      `ALTER TABLE ${r}.events MODIFY event ENUM ('deploy', 'fail', 'revert') NOT NULL
         COMMENT 'Type of event.'`,
    );
  }
}

for (const from of ["1.0", "0"] as const) {
  liveTest(
    `mysql registry: upgrade from ${from} to 1.1 as Sqitch upgrades`,
    "sqitch",
    async (id) => {
      const results: Record<string, string> = {};
      for (const side of ["a", "b"] as const) {
        const db = `${id}${side}`;
        const registry = `sqitch_${id}${side}`;
        await databaseWithRegistry(db, registry);
        await downgrade(registry, from);
        const tool = side === "a" ? "sqitch" : "sqlitch";
        await inProject(db, registry, async (dir) => {
          const r = await run(tool, dir, ["upgrade"]);
          results[side] = `${r.code}\n${r.stdout.replaceAll(registry, "<REG>")}\n${
            r.stderr.replaceAll(registry, "<REG>")
          }`;
          await runOk(tool, dir, ["deploy"]);
        });
        results[`${side}dump`] = await mysqlDump(registry, ["--skip-triggers"]);
        results[`${side}rows`] = (await dumpRegistryRows(registry)).replace(
          /^(1\.1?) \| Ann .*$/m,
          "$1 | <installer>",
        );
      }
      strictEqual(results.b, results.a, "upgrade output");
      strictEqual(results.bdump, results.adump, "upgraded registry tables");
      strictEqual(results.brows, results.arows, "registry rows");
      match(results.b, from === "0" ? /From 0 to 1\.0/ : /From 1\.0 to 1\.1/);
    },
  );
}

liveTest(
  "mysql registry: GET_LOCK excludes another engine and a raw session",
  "server",
  async (id) => {
    await createDatabase(id);
    const a = engineFor(id, `${id}_reg`);
    const b = engineFor(id, `${id}_reg`);
    try {
      strictEqual(a.lockName, `sqitch working on ${id}`);
      ok(await a.tryLock(), "first engine gets the lock (and creates the registry)");
      ok(await b.registryExists());
      strictEqual(await b.tryLock(), false);
      strictEqual(await b.waitLock(1), false);
      await a.close();
      // The server frees the lock once it has seen the disconnect.
      ok(await b.waitLock(5), "free after the holder closes");
      await b.close();

      const raw = await mysqlSession();
      try {
        await raw.query(`SELECT GET_LOCK('sqitch working on ${id}', 0)`);
        strictEqual(await b.tryLock(), false);
        const waiting = b.waitLock(5);
        await raw.query(`SELECT RELEASE_LOCK('sqitch working on ${id}')`);
        ok(await waiting, "waiting engine gets the lock once released");
        const r = await raw.query(`SELECT GET_LOCK('sqitch working on ${id}', 0)`);
        strictEqual(r[0].rows[0][0], "0", "and keeps others out");
      } finally {
        await raw.close();
      }
    } finally {
      await a.close();
      await b.close();
    }
  },
);

liveTest(
  "mysql registry: a run that waited while another created the registry reads no locked table",
  "server",
  async (id) => {
    const registry = `${id}_reg`;
    await databaseWithRegistry(id, registry);
    // Another run creating the registry: its creation lock held, no release yet.
    const creator = await mysqlSession();
    const b = engineFor(id, registry);
    try {
      await creator.query(`DELETE FROM \`${registry}\`.releases`);
      await creator.query(`SELECT GET_LOCK('sqlitch creating ${registry}', 0)`);
      const locking = b.tryLock();
      await waitForUserLockWait(id, registry);
      // Its creation done, it goes on deploying: registry tables locked.
      await creator.query(
        `INSERT INTO \`${registry}\`.releases VALUES (1.1, NOW(), 'Ann', 'ann@example.com')`,
      );
      await creator.query(`LOCK TABLES \`${registry}\`.events WRITE`);
      await creator.query(`SELECT RELEASE_LOCK('sqlitch creating ${registry}')`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settled = await Promise.race([
        locking.then((got) => got ? "locked" : "not locked"),
        new Promise<string>((r) => timer = setTimeout(() => r("stuck on events"), 5000)),
      ]);
      clearTimeout(timer);
      await creator.query("UNLOCK TABLES");
      await locking;
      strictEqual(settled, "locked");
    } finally {
      await creator.close();
      await b.close();
    }
  },
);

/** Wait until a session on `db` or `registry` waits for a user lock (GET_LOCK). */
async function waitForUserLockWait(db: string, registry: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const r = await mysqlRows(
      `SELECT COUNT(*) FROM information_schema.processlist
        WHERE state = 'User lock' AND db IN ('${db}', '${registry}')`,
    );
    if (r[0][0] !== "0") return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("no session waits for the creation lock");
}

liveTest("mysql registry: missing registry database reads as no registry", "server", async (id) => {
  const engine = engineFor(id, `${id}_reg`);
  try {
    await engine.connect();
    strictEqual(await engine.registryExists(), false);
    strictEqual(await engine.registryVersion(), 0);
    strictEqual(await engine.currentState("flipr"), undefined);
    strictEqual(await engine.changeIdAt("flipr", "DESC", 0), undefined);
    strictEqual(engine.registryDestination, mysqlUri(`${id}_reg`));
  } finally {
    await engine.close();
  }
});

liveTest(
  "mysql registry: connection failures read like the client's, without the password",
  "server",
  async () => {
    const uri = DbUri.parse("db:mysql://root:s3cret@127.0.0.1:1/x");
    const engine = new MysqlEngine({
      uri,
      username: "root",
      password: "s3cret",
      registry: "sqitch",
      destination: uri.toDisplayString(),
      env: {},
      files: noFiles,
      installer: () => PERSON,
    });
    await rejects(engine.connect(), (e: Error) => {
      strictEqual(e.message, "Can't connect to server on '127.0.0.1' (115)");
      return true;
    });
    strictEqual(engine.registryDestination, "db:mysql://root:@127.0.0.1:1/sqitch");
    const bad = new MysqlEngine({
      uri: DbUri.parse(mysqlUri("x")),
      username: "root",
      password: "wrong-pass",
      registry: "sqitch",
      destination: "x",
      env: {},
      files: noFiles,
      installer: () => PERSON,
    });
    await rejects(bad.connect(), (e: Error) => {
      match(e.message, /^Access denied for user 'root'@/);
      ok(!e.message.includes("wrong-pass"));
      return true;
    });
    const session = await MysqlConnection.open({
      params: bad.connectionParams(),
      database: null,
      names: "utf8mb4",
    }).catch((e: Error) => e);
    ok(session instanceof Error && !session.message.includes("wrong-pass"));
  },
);

/** A change record with `?`, quotes and a backslash in its notes, a dependency and a tag. */
function trickyChange(id: string, requires?: string): ChangeRecord {
  return {
    id,
    name: `c_${id.slice(0, 6)}`,
    project: "flipr",
    note: 'Why? It\'s "quoted" \\ here?',
    scriptHash: id,
    plannedAt: new Date("2026-01-01T00:00:00Z"),
    planner: PERSON,
    dependencies: requires === undefined
      ? []
      : [{ type: "require", dependency: "first?", dependencyId: requires }],
    tags: [{
      tagId: `t${id.slice(1)}`,
      name: `v${id[0]}?`,
      note: "Tag? 'yes'",
      plannedAt: new Date("2026-01-01T00:00:01Z"),
      planner: PERSON,
    }],
  };
}

for (const fractional of [true, false]) {
  const how = fractional ? "in one round trip" : "one statement at a time (no fractional seconds)";
  liveTest(`mysql registry: bookkeeping ${how}, notes with ? and quotes`, "server", async (id) => {
    await createDatabase(id);
    const engine = engineFor(id, `${id}_reg`);
    try {
      await engine.connect();
      await engine.createRegistry(PERSON);
      await engine.insertProject("flipr", null, PERSON);
      // As on servers without fractional seconds (Sqitch waits for the clock there).
      (engine as unknown as { fractional: boolean }).fractional = fractional;
      const first = trickyChange("a".repeat(40));
      const second = trickyChange("b".repeat(40), first.id);
      for (const change of [first, second]) {
        await engine.begin();
        await engine.recordDeploy(change, PERSON);
        await engine.commit();
      }
      const deployed = await engine.deployedChanges("flipr");
      deepStrictEqual(deployed.map((c) => [c.id, c.note, c.tags]), [
        [first.id, first.note, ["@va?"]],
        [second.id, second.note, ["@vb?"]],
      ]);
      deepStrictEqual(
        (await engine.changesRequiring(first.id)).map((r) => [r.changeId, r.asofTag]),
        [[second.id, "@vb?"]],
      );
      await engine.begin();
      await engine.recordRevert(second, PERSON);
      await engine.commit();
      deepStrictEqual(
        await mysqlRows(
          `SELECT event, note, tags, requires FROM events ORDER BY committed_at`,
          `${id}_reg`,
        ),
        [
          ["deploy", first.note, "@va?", ""],
          ["deploy", second.note, "@vb?", "first?"],
          ["revert", second.note, "@vb?", "first?"],
        ],
      );
      deepStrictEqual((await engine.deployedChanges("flipr")).map((c) => c.id), [first.id]);
    } finally {
      await engine.close();
    }
  });
}

/** Everything a registry is: tables, triggers, `checkit()`, rows (release rows by version). */
async function registryShape(registry: string): Promise<string> {
  return [
    await mysqlDump(registry, ["--skip-triggers"]),
    JSON.stringify(await triggers(registry)),
    await checkit(registry),
    (await dumpRegistryRows(registry)).replace(/^(1\.[01]) \| \S+ \| \S+$/gm, "$1 | <installer>"),
  ].join("\n");
}

/**
 * What a kill at each point of the registry creation leaves (MariaDB DDL
 * commits at once): the statements that undo the rest, on a whole registry.
 */
const HALF_CREATED: Record<string, string[]> = {
  "releases only": [
    "DROP TABLE events, dependencies, tags, changes, projects",
    "DROP FUNCTION checkit",
    "DELETE FROM releases",
  ],
  "releases, projects, changes": [
    "DROP TABLE events, dependencies, tags",
    "DROP FUNCTION checkit",
    "DELETE FROM releases",
  ],
  "all tables, no triggers": [
    "DROP TRIGGER ck_insert_dependency",
    "DROP TRIGGER ck_update_dependency",
    "DROP FUNCTION checkit",
    "DELETE FROM releases",
  ],
  "all tables and triggers, no checkit()": ["DROP FUNCTION checkit", "DELETE FROM releases"],
  "everything but the release row": ["DELETE FROM releases"],
};

liveTest(
  "mysql registry: a half-created registry is dropped and created again by deploy",
  "server",
  async (id) => {
    // A clean deploy, to compare with.
    await createDatabase(`${id}ref`);
    await inProject(`${id}ref`, `${id}ref_reg`, (dir) => runOk("sqlitch", dir, ["deploy"]));
    const clean = await registryShape(`${id}ref_reg`);

    let k = 0;
    for (const [state, undo] of Object.entries(HALF_CREATED)) {
      const db = `${id}s${k++}`;
      const registry = `${db}_reg`;
      await databaseWithRegistry(db, registry);
      await mysqlExec(`USE \`${registry}\``, ...undo);
      await inProject(db, registry, async (dir) => {
        const r = await runOk("sqlitch", dir, ["deploy"]);
        ok(!r.stdout.includes("Upgrading"), `${state}: ${r.stdout}`);
        strictEqual(await registryShape(registry), clean, state);
      });
    }
  },
);

liveTest("mysql registry: registry tables holding rows are never dropped", "server", async (id) => {
  const registry = `${id}_reg`;
  await databaseWithRegistry(id, registry);
  await mysqlExec(
    `USE \`${registry}\``,
    "DELETE FROM releases",
    "INSERT INTO projects VALUES ('other', NULL, NOW(), 'Bob', 'bob@example.com')",
  );
  await inProject(id, registry, (dir) => runOk("sqlitch", dir, ["deploy"]));
  deepStrictEqual(
    await mysqlRows(`SELECT project, creator_name FROM projects ORDER BY project`, registry),
    [["flipr", "Ann"], ["other", "Bob"]],
  );
  deepStrictEqual((await mysqlRows(`SELECT COUNT(*) FROM changes`, registry))[0], ["2"]);
});

/**
 * Upgrades killed after some of their statements (each DDL commits at
 * once): from version 0 (`mysql-1.0.sql`) and from 1.0 (`mysql-1.1.sql`),
 * the first `done` statements run by hand; the next `upgrade` finishes, with
 * the registry an uninterrupted upgrade leaves.
 */
const HALF_UPGRADED: [from: "0" | "1.0", label: string, done: number][] = [
  ["0", "releases created", 1],
  ["0", "releases created, script_hash added", 2],
  ["1.0", "old index dropped", 1],
  ["1.0", "old index dropped, new one added", 2],
];

/** Statement `n` of an upgrade script. */
function upgradeStatement(sql: string, n: number): string {
  return sql.split(/;\n/)[n].replace(/^(--[^\n]*\n|\s)+/, "");
}

liveTest(
  "mysql registry: an interrupted upgrade is finished by the next upgrade",
  "server",
  async (id) => {
    /** A deployed registry turned into version `from`, with `done` run; the upgrade's output. */
    const scenario = async (db: string, from: "0" | "1.0", done: string[]) => {
      const registry = `${db}_reg`;
      await createDatabase(db);
      return await inProject(db, registry, async (dir) => {
        await runOk("sqlitch", dir, ["deploy"]);
        await downgrade(registry, from);
        if (done.length > 0) await mysqlExec(`USE \`${registry}\``, ...done);
        const r = await runOk("sqlitch", dir, ["upgrade"]);
        await runOk("sqlitch", dir, ["deploy"]);
        return {
          out: r.stdout.replaceAll(registry, "<REG>"),
          shape: await registryShape(registry),
        };
      });
    };
    const clean = {
      "0": await scenario(`${id}r0`, "0", []),
      "1.0": await scenario(`${id}r1`, "1.0", []),
    };
    let k = 0;
    for (const [from, label, done] of HALF_UPGRADED) {
      const script = from === "0" ? MYSQL_UPGRADE_1_0 : MYSQL_UPGRADE_1_1;
      const statements = [0, 1].slice(0, done).map((n) => upgradeStatement(script, n));
      const got = await scenario(`${id}s${k++}`, from, statements);
      strictEqual(got.out, clean[from].out, `${from}, ${label}`);
      strictEqual(got.shape, clean[from].shape, `${from}, ${label}`);
    }
  },
);
