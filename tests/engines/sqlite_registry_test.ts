/**
 * The SQLite registry against real Sqitch: the schema sqlitch creates must be
 * byte-identical in `sqlite_master`, and replaying what Sqitch recorded for a
 * plan (deploy, fail, failure-mode revert, deploy again) must write the same
 * rows (committed_at/created_at/installed_at normalised).
 */
import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { parityAvailability } from "../parity/kit.ts";
import { SqlitchError } from "../../core/errors.ts";
import { SqliteEngine } from "../../engines/sqlite.ts";
import { SQLITE_REGISTRY_SQL, SQLITE_UPGRADES } from "../../engines/sqlite_registry_sql.ts";
import {
  CapturedOutput,
  type ChangeRecord,
  type DependencyRecord,
  ScriptError,
  type TagRecord,
} from "../../engines/engine.ts";

const availability = parityAvailability(["sqitch"]);
const MARGE = { name: "Marge Simpson", email: "marge@example.com" };

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

function sqitch(dir: string, args: string[]): { code: number; out: string } {
  const r = new Deno.Command("sqitch", {
    args,
    cwd: dir,
    env: {
      SQITCH_FULLNAME: MARGE.name,
      SQITCH_EMAIL: MARGE.email,
      SQITCH_USER_CONFIG: "/dev/null",
      SQITCH_SYSTEM_CONFIG: "/dev/null",
      TZ: "UTC",
    },
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

/** A Sqitch project with the plan above, deployed by real Sqitch (c4 fails, then --to c3). */
function sqitchProject(): string {
  const dir = Deno.makeTempDirSync({ prefix: "sqlitch-reg-" });
  const init = sqitch(dir, [
    "init",
    "flipr",
    "--engine",
    "sqlite",
    "--target",
    "db:sqlite:flipr.db",
    "--uri",
    "https://github.com/example/flipr/",
  ]);
  assertEquals(init.code, 0, init.out);
  Deno.writeTextFileSync(`${dir}/sqitch.plan`, PLAN);
  for (const c of ["c1", "c2", "c3", "c4"]) {
    Deno.writeTextFileSync(`${dir}/deploy/${c}.sql`, `create table ${c}(x);\n`);
    Deno.writeTextFileSync(`${dir}/revert/${c}.sql`, `drop table ${c};\n`);
    Deno.writeTextFileSync(`${dir}/verify/${c}.sql`, `select x from ${c} where 0;\n`);
  }
  Deno.writeTextFileSync(`${dir}/deploy/c4.sql`, "create table c4(x);\nselect * from nosuch;\n");
  assertEquals(sqitch(dir, ["deploy"]).code, 2);
  const again = sqitch(dir, ["deploy", "--to", "c3"]);
  assertEquals(again.code, 0, again.out);
  return dir;
}

type Row = Record<string, unknown>;

function rows(path: string, sql: string): Row[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (db.prepare(sql).all() as Row[]).map((r) => ({ ...r }));
  } finally {
    db.close();
  }
}

const NOW_COLUMNS = ["committed_at", "created_at", "installed_at"];

/** All registry rows, with the write-time timestamps checked for format and replaced. */
function dumpRegistry(path: string): Record<string, Row[]> {
  const out: Record<string, Row[]> = {};
  for (const table of ["releases", "projects", "changes", "tags", "dependencies", "events"]) {
    const order = table === "events" || table === "changes" || table === "tags"
      ? "committed_at, rowid"
      : "rowid";
    out[table] = rows(path, `SELECT * FROM ${table} ORDER BY ${order}`).map((r) => {
      const copy: Row = { ...r };
      for (const col of NOW_COLUMNS) {
        if (col in copy) {
          assert(
            /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/.test(String(copy[col])),
            `${table}.${col} = ${copy[col]}`,
          );
          copy[col] = "<NOW>";
        }
      }
      return copy;
    });
  }
  return out;
}

/** A change `a` of project `p`, planned by Marge, with no dependencies or tags. */
const CHANGE_A: ChangeRecord = {
  id: "a".repeat(40),
  name: "a",
  project: "p",
  note: "",
  plannedAt: new Date(Date.UTC(2020, 0, 1)),
  planner: MARGE,
  dependencies: [],
  tags: [],
};

/** An engine on `x.db` in `dir`, its registry `sqitch.db` beside it. */
function scratchEngine(
  dir: string,
  extra: Partial<ConstructorParameters<typeof SqliteEngine>[0]> = {},
): SqliteEngine {
  return new SqliteEngine({
    dbPath: `${dir}/x.db`,
    registryPath: `${dir}/sqitch.db`,
    destination: "db:sqlite:x.db",
    registryDestination: "db:sqlite:sqitch.db",
    ...extra,
  });
}

function person(r: Row, prefix: string) {
  return { name: String(r[`${prefix}_name`]), email: String(r[`${prefix}_email`]) };
}

function utc(text: unknown): Date {
  return new Date(String(text).replace(" ", "T") + "Z");
}

/** ChangeRecords rebuilt from what Sqitch recorded (c1–c3 from `changes`, c4 from its fail event). */
function recordsFrom(reg: string): Map<string, ChangeRecord> {
  const map = new Map<string, ChangeRecord>();
  for (const c of rows(reg, "SELECT * FROM changes ORDER BY committed_at")) {
    const id = String(c.change_id);
    const dependencies: DependencyRecord[] = rows(
      reg,
      `SELECT * FROM dependencies WHERE change_id = '${id}' ORDER BY rowid`,
    ).map((d) => ({
      type: d.type as "require" | "conflict",
      dependency: String(d.dependency),
      dependencyId: d.dependency_id === null ? undefined : String(d.dependency_id),
    }));
    const tags: TagRecord[] = rows(
      reg,
      `SELECT * FROM tags WHERE change_id = '${id}' ORDER BY rowid`,
    )
      .map((t) => ({
        tagId: String(t.tag_id),
        name: String(t.tag).slice(1),
        note: String(t.note),
        plannedAt: utc(t.planned_at),
        planner: person(t, "planner"),
      }));
    map.set(String(c.change), {
      id,
      name: String(c.change),
      project: String(c.project),
      note: String(c.note),
      scriptHash: c.script_hash === null ? undefined : String(c.script_hash),
      plannedAt: utc(c.planned_at),
      planner: person(c, "planner"),
      dependencies,
      tags,
    });
  }
  const [fail] = rows(reg, "SELECT * FROM events WHERE event = 'fail'");
  map.set(String(fail.change), {
    id: String(fail.change_id),
    name: String(fail.change),
    project: String(fail.project),
    note: String(fail.note),
    plannedAt: utc(fail.planned_at),
    planner: person(fail, "planner"),
    dependencies: [],
    tags: [],
  });
  return map;
}

Deno.test({
  name: "sqlite registry: schema and rows match real Sqitch",
  ignore: availability.status === "skip",
  fn: async () => {
    if (availability.status === "fail") throw new Error(availability.reason);
    const dir = sqitchProject();
    try {
      const theirs = `${dir}/sqitch.db`;
      const ours = `${dir}/ours/sqitch.db`;
      Deno.mkdirSync(`${dir}/ours`);
      const engine = new SqliteEngine({
        dbPath: `${dir}/ours/flipr.db`,
        registryPath: ours,
        destination: "db:sqlite:ours/flipr.db",
        registryDestination: "db:sqlite:ours/sqitch.db",
      });
      assertEquals(await engine.registryExists(), false);
      assertEquals(await engine.registryVersion(), 0);
      await engine.createRegistry(MARGE);
      assertEquals(await engine.registryExists(), true);
      assertEquals(await engine.registryVersion(), 1.1);
      await rejects(() => engine.createRegistry(MARGE));

      // Byte-identical schema text.
      const schema = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid";
      assertEquals(rows(ours, schema), rows(theirs, schema));

      // Replay Sqitch's history.
      const rec = recordsFrom(theirs);
      const c = (n: string) => rec.get(n)!;
      assertEquals(await engine.projectRow("flipr"), undefined);
      await engine.insertProject("flipr", "https://github.com/example/flipr/", MARGE);
      assertEquals(await engine.projectByUri("https://github.com/example/flipr/"), "flipr");
      for (const n of ["c1", "c2", "c3"]) {
        await engine.begin();
        await engine.recordDeploy(c(n), MARGE);
        await engine.commit();
      }
      assertEquals((await engine.currentState("flipr"))?.name, "c3");
      await engine.recordFail(c("c4"), MARGE);
      for (const n of ["c3", "c2", "c1"]) {
        await engine.begin();
        await engine.recordRevert(c(n), MARGE);
        await engine.commit();
      }
      assertEquals(await engine.currentState("flipr"), undefined);
      for (const n of ["c1", "c2", "c3"]) await engine.recordDeploy(c(n), MARGE);
      assertEquals(dumpRegistry(ours), dumpRegistry(theirs));

      // Reads.
      const deployed = await engine.deployedChanges("flipr");
      assertEquals(deployed.map((d) => d.name), ["c1", "c2", "c3"]);
      assertEquals(deployed[1].tags.sort(), ["@t1", "@t2"]);
      assertEquals(deployed[1].planner, { name: "Lisa Simpson", email: "lisa@example.com" });
      assertEquals(deployed[1].plannedAt.toISOString(), "2013-12-30T23:00:14.000Z");
      assertEquals(
        (await engine.deployedChangesSince("flipr", c("c1").id)).map((d) => d.name),
        ["c2", "c3"],
      );
      assertEquals(await engine.changeIdAt("flipr", "DESC", 1), c("c2").id);
      assertEquals(await engine.changeIdAt("flipr", "ASC", 0), c("c1").id);
      assertEquals((await engine.currentTags("flipr")).map((t) => t.name).sort(), ["@t1", "@t2"]);
      assertEquals((await engine.currentChanges("flipr")).map((t) => t.name), ["c3", "c2", "c1"]);
      assertEquals(await engine.deployedIds([c("c1").id, c("c4").id]), new Set([c("c1").id]));
      assertEquals(await engine.registeredProjects(), ["flipr"]);
      const req = await engine.changesRequiring(c("c1").id);
      assertEquals(req.map((r) => r.change).sort(), ["c2", "c3"]);
      assertEquals(req.find((r) => r.change === "c3")?.asofTag, undefined);
      assertEquals(req.find((r) => r.change === "c2")?.asofTag, "@t1");
      const events = await engine.searchEvents({ event: ["revert"], change: "^c[12]$" });
      assertEquals(events.map((e) => e.change), ["c1", "c2"]);
      assertEquals(events[1].tags, ["@t1", "@t2"]);
      // Patterns are Perl's (`\A`, `\z`); one that does not compile fails the
      // search once a row meets it (it must not hang node:sqlite's all()).
      assertEquals(
        (await engine.searchEvents({ event: ["revert"], change: "\\Ac[12]\\z" })).length,
        2,
      );
      await rejects(
        async () => await engine.searchEvents({ change: "(" }),
        (e) =>
          e instanceof SqlitchError && e.message.startsWith('Invalid regular expression "(": '),
      );
      assert((await engine.searchEvents({ change: "^c1$" })).length > 0, "a later search works");
      assertEquals(
        (await engine.searchEvents({ direction: "ASC", limit: 2, offset: 1 })).map((e) =>
          e.event + e.change
        ),
        ["deployc2", "deployc3"],
      );

      // Late tags: a tag missing from the registry is added, known ones are not.
      const late = {
        ...c("c3"),
        tags: [{ ...c("c2").tags[0], tagId: "f".repeat(40), name: "t3" }],
      };
      await engine.recordLateTags(late, MARGE);
      await engine.recordLateTags(late, MARGE);
      assertEquals((await engine.currentTags("flipr")).map((t) => t.name)[0], "@t3");

      // Scripts run against the target database, not the registry.
      const out = new CapturedOutput();
      await engine.runScript(`${dir}/deploy/c1.sql`, {}, out);
      assertEquals(
        rows(`${dir}/ours/flipr.db`, "SELECT name FROM sqlite_master"),
        [{ name: "c1" }],
      );
      const err = await engine.runScript(`${dir}/deploy/c4.sql`, {}, out).then(
        () => undefined,
        (e) => e,
      );
      assert(err instanceof ScriptError);
      assertEquals(err.status, 1);
      assertEquals(out.err, "Parse error near line 2: no such table: nosuch\n");
      await engine.close();
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test("sqlite registry: the tables and the release row commit together", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "sqlitch-reg-" });
  try {
    const engine = scratchEngine(dir);
    // installer_name is NOT NULL: the release row fails after the tables were created.
    const nobody = { name: null, email: "x@example.com" } as unknown as typeof MARGE;
    await rejects(engine.createRegistry(nobody), /NOT NULL/);
    assertEquals(await engine.registryExists(), false);
    assertEquals(rows(`${dir}/sqitch.db`, "SELECT name FROM sqlite_master"), []);
    await engine.createRegistry(MARGE);
    assertEquals(await engine.registryVersion(), 1.1);
    await engine.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("sqlite registry: committed_at stays strictly increasing within one millisecond", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "sqlitch-reg-" });
  try {
    const engine = scratchEngine(dir, { now: () => Date.UTC(2026, 0, 2, 3, 4, 5, 6) });
    await engine.createRegistry(MARGE);
    await engine.insertProject("p", null, MARGE);
    const change = CHANGE_A;
    await engine.recordDeploy(change, MARGE);
    await engine.recordRevert(change, MARGE);
    await engine.recordDeploy(change, MARGE);
    const ts = rows(`${dir}/sqitch.db`, "SELECT committed_at FROM events ORDER BY rowid")
      .map((r) => String(r.committed_at));
    assertEquals(ts, [
      "2026-01-02 03:04:05.009",
      "2026-01-02 03:04:05.010",
      "2026-01-02 03:04:05.012",
    ]);
    assertEquals(rows(`${dir}/sqitch.db`, "SELECT planned_at FROM changes"), [{
      planned_at: "2020-01-01 00:00:00",
    }]);
    await engine.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("sqlite registry: searchEvents maps rows (lists, timestamps, errors)", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "sqlitch-reg-" });
  try {
    const engine = scratchEngine(dir);
    await engine.createRegistry(MARGE);
    await engine.insertProject("p", null, MARGE);
    const insert = (values: (string | number)[][]) => {
      const db = new DatabaseSync(`${dir}/sqitch.db`);
      try {
        const stmt = db.prepare(
          `INSERT INTO events (event, change_id, change, project, note, requires, conflicts,
                               tags, committed_at, committer_name, committer_email, planned_at,
                               planner_name, planner_email)
           VALUES (?, ?, ?, 'p', ?, ?, ?, ?, ?, 'Bob', 'bob@example.com', ?, 'Ann', '')`,
        );
        for (const v of values) stmt.run(...v);
      } finally {
        db.close();
      }
    };
    insert([
      [
        "deploy",
        "1",
        "a",
        "Note",
        "x,y",
        "z",
        "@a @b",
        "2026-01-02 03:04:05.009",
        "2020-01-01 00:00:00",
      ],
      ["revert", "2", "b", "", "", "", "@a,@b", "2026-01-02 03:04:05.500", "2020-01-01T00:00:01Z"],
      ["fail", "3", "c", "", "", "", "@a @b,@c", "2026-01-02 03:04:06", "2020-01-01 00:00:01.5"],
      ["merge", "4", "d", "", "", "", "@c", "2026-01-02T03:04:07.250Z", "2019-12-31 23:59:59"],
    ]);
    const at = (text: string) => new Date(text);
    const want = [
      [
        "deploy",
        "1",
        "a",
        "Note",
        ["x", "y"],
        ["z"],
        ["@a", "@b"],
        "2026-01-02T03:04:05Z",
        "2020-01-01T00:00:00Z",
      ],
      [
        "revert",
        "2",
        "b",
        "",
        [],
        [],
        ["@a", "@b"],
        "2026-01-02T03:04:05Z",
        "2020-01-01T00:00:01Z",
      ],
      [
        "fail",
        "3",
        "c",
        "",
        [],
        [],
        ["@a", "@b", "@c"],
        "2026-01-02T03:04:06Z",
        "2020-01-01T00:00:01Z",
      ],
      ["merge", "4", "d", "", [], [], ["@c"], "2026-01-02T03:04:07Z", "2019-12-31T23:59:59Z"],
    ].map(([event, changeId, change, note, requires, conflicts, tags, committed, planned]) => ({
      event,
      project: "p",
      changeId,
      change,
      note,
      requires,
      conflicts,
      tags,
      committer: { name: "Bob", email: "bob@example.com" },
      committedAt: at(committed as string),
      planner: { name: "Ann", email: "" },
      plannedAt: at(planned as string),
    }));
    assertEquals(await engine.searchEvents({ direction: "ASC" }), want);
    assertEquals(await engine.searchEvents({}), [...want].reverse());
    assertEquals(await engine.searchEvents({ limit: 1 }), [want[3]]);
    assertEquals(await engine.searchEvents({ committer: "^X" }), []);
    insert([["deploy", "5", "e", "", "", "", "", "2026-01-02 03:04:05.009x", "yesterday"]]);
    await rejects(
      async () => await engine.searchEvents({ direction: "ASC" }),
      { message: 'Cannot parse registry timestamp "yesterday"' },
    );
    // Other queries still get their rows as objects.
    await engine.recordDeploy(CHANGE_A, MARGE);
    assertEquals((await engine.currentState("p"))?.name, "a");
    await engine.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test({
  name: "sqlite registry: embedded scripts are Sqitch's, and upgrade on 1.1 does nothing",
  ignore: availability.status === "skip",
  fn: async () => {
    if (availability.status === "fail") throw new Error(availability.reason);
    const base = "/usr/share/perl5/App/Sqitch/Engine";
    assertEquals(SQLITE_REGISTRY_SQL, Deno.readTextFileSync(`${base}/sqlite.sql`));
    for (const [, to, sql] of SQLITE_UPGRADES) {
      assertEquals(sql, Deno.readTextFileSync(`${base}/Upgrade/sqlite-${to}.sql`));
    }
    const dir = Deno.makeTempDirSync({ prefix: "sqlitch-reg-" });
    try {
      const engine = scratchEngine(dir);
      await engine.createRegistry(MARGE);
      const steps: string[] = [];
      await engine.upgradeRegistry(MARGE, (from, to) => steps.push(`${from}>${to}`));
      assertEquals(steps, []);
      assertEquals(rows(`${dir}/sqitch.db`, "SELECT count(*) AS n FROM releases"), [{ n: 1 }]);
      await engine.close();
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test("sqlite registry: a registry a killed run left in WAL mode is put back by any run", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "sqlitch-reg-" });
  try {
    const setup = scratchEngine(dir);
    await setup.createRegistry(MARGE);
    await setup.close();
    // What a run killed after its switch to WAL leaves (its -wal file included).
    const killed = new DatabaseSync(`${dir}/sqitch.db`);
    killed.exec("PRAGMA journal_mode = WAL");
    killed.exec("INSERT INTO releases VALUES (9.9, '2026-01-01 00:00:00', 'x', 'x@y')");
    const mode = () => {
      const db = new DatabaseSync(`${dir}/sqitch.db`, { readOnly: true });
      try {
        return String((db.prepare("PRAGMA journal_mode").get() as Row).journal_mode);
      } finally {
        db.close();
      }
    };
    // A run that only reads (status, log, a deploy with nothing to do) while the file is busy…
    const reader = scratchEngine(dir);
    assert(await reader.registryExists());
    await reader.close();
    assertEquals(mode(), "wal", "left alone while another connection has it");
    killed.close();
    // …and once it is free.
    const next = scratchEngine(dir);
    assert(await next.registryExists());
    await next.close();
    assertEquals(mode(), "delete");
    assert(
      !Deno.statSync(dir).isFile &&
        ![...Deno.readDirSync(dir)].some((e) => e.name.endsWith("-wal")),
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
