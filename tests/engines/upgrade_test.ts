/**
 * engines/upgrade.ts against a real SqliteEngine on registries built by
 * tests/engines/registry_fixture.ts: up to date, never created, versions
 * 1.0 and 0 (messages, schema, rows, releases) and a registry newer than
 * sqlitch. The fixture DDL itself is checked against Sqitch's history
 * when the Sqitch mirror is on this machine.
 */
import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { SqliteEngine } from "../../engines/sqlite.ts";
import { SQLITE_REGISTRY_SQL } from "../../engines/sqlite_registry_sql.ts";
import { upgrade, upgradeRegistry } from "../../engines/upgrade.ts";
import {
  createOldRegistry,
  FIXTURE_COMMITTER,
  REGISTRY_SQL_0,
  REGISTRY_SQL_1_0,
} from "./registry_fixture.ts";

const ANN = { name: "Ann", email: "ann@example.com" };
const PLAN = "%syntax-version=1.0.0\n%project=flipr\n%uri=https://example.com/flipr\n\n" +
  "one 2026-01-01T00:00:00Z Ann <ann@example.com> # One.\n" +
  "two [one] 2026-01-01T00:00:01Z Ann <ann@example.com>\n" +
  "@t1 2026-01-01T00:00:02Z Ann <ann@example.com> # Tag.\n";

type Row = Record<string, unknown>;

/** A project with the plan and deploy scripts, an engine on its registry, and a cleanup. */
function project() {
  const dir = Deno.makeTempDirSync({ prefix: "sqlitch-upgrade-" });
  Deno.mkdirSync(`${dir}/deploy`);
  Deno.writeTextFileSync(`${dir}/sqitch.plan`, PLAN);
  for (const n of ["one", "two"]) {
    Deno.writeTextFileSync(`${dir}/deploy/${n}.sql`, `CREATE TABLE ${n} (id INT);\n`);
  }
  const engine = new SqliteEngine({
    dbPath: `${dir}/flipr.db`,
    registryPath: `${dir}/sqitch.db`,
    destination: "db:sqlite:flipr.db",
    registryDestination: "db:sqlite:sqitch.db",
  });
  const lines: string[] = [];
  const reporter = { info: (...p: string[]) => void lines.push(p.join("")) };
  const query = (sql: string): Row[] => {
    const db = new DatabaseSync(`${dir}/sqitch.db`, { readOnly: true });
    try {
      return (db.prepare(sql).all() as Row[]).map((r) => ({ ...r }));
    } finally {
      db.close();
    }
  };
  const cleanup = async () => {
    await engine.close();
    Deno.removeSync(dir, { recursive: true });
  };
  return { dir, engine, lines, reporter, query, cleanup };
}

/** The CREATE TABLE text of `table` in a registry script. */
function createText(script: string, table: string): string {
  const start = script.indexOf(`CREATE TABLE ${table} (`);
  return script.slice(start, script.indexOf("\n);", start) + 2);
}

Deno.test("upgrade: an up-to-date registry is left alone", async () => {
  const p = project();
  try {
    await p.engine.createRegistry(ANN);
    await upgrade(p.engine, ANN, p.reporter);
    assertEquals(p.lines, ["Registry db:sqlite:sqitch.db is up-to-date at version 1.1"]);
    await upgradeRegistry(p.engine, ANN, p.reporter);
    assertEquals(p.lines.length, 1);
    assertEquals(p.query("SELECT version FROM releases"), [{ version: 1.1 }]);
  } finally {
    await p.cleanup();
  }
});

Deno.test("upgrade: a registry never created is an error, nothing is created", async () => {
  const p = project();
  try {
    await rejects(
      upgrade(p.engine, ANN, p.reporter),
      { message: "No registry found in db:sqlite:sqitch.db. Have you ever deployed?", exitCode: 2 },
    );
    assertEquals(p.lines, []);
    assertEquals(p.query("SELECT name FROM sqlite_master"), []);
  } finally {
    await p.cleanup();
  }
});

Deno.test("upgrade: from 1.0 rebuilds changes with the 1.1 constraint, keeps rows", async () => {
  const p = project();
  try {
    createOldRegistry({ path: `${p.dir}/sqitch.db`, version: "1.0", projectDir: p.dir });
    const before = p.query("SELECT * FROM changes ORDER BY rowid");
    await upgrade(p.engine, ANN, p.reporter);
    assertEquals(p.lines, [
      "Upgrading registry db:sqlite:sqitch.db to version 1.1",
      "Upgrading the Sqitch registry from 1.0 to 1.1",
      "  * From 1.0 to 1.1",
    ]);
    assertEquals(p.query("SELECT * FROM changes ORDER BY rowid"), before);
    const sql = (name: string) =>
      p.query(`SELECT sql FROM sqlite_master WHERE name = '${name}'`)[0]?.sql;
    // SQLite's RENAME quotes the new name in the stored text (Sqitch's upgrade does the same).
    assertEquals(
      sql("changes"),
      createText(SQLITE_REGISTRY_SQL, "changes").replace("TABLE changes", 'TABLE "changes"'),
    );
    // Only `changes` is rebuilt: the 1.0 constraint texts stay.
    assertEquals(sql("events"), createText(REGISTRY_SQL_1_0, "events"));
    assertEquals(
      p.query("SELECT version, installer_name FROM releases ORDER BY version"),
      [{ version: 1.0, installer_name: FIXTURE_COMMITTER.name }, {
        version: 1.1,
        installer_name: ANN.name,
      }],
    );
    assertEquals(await p.engine.registryVersion(), 1.1);
  } finally {
    await p.cleanup();
  }
});

Deno.test("upgrade: from 0 runs both steps, script hashes start as change ids", async () => {
  const p = project();
  try {
    createOldRegistry({ path: `${p.dir}/sqitch.db`, version: "0", projectDir: p.dir });
    await upgrade(p.engine, ANN, p.reporter);
    assertEquals(p.lines, [
      "Upgrading registry db:sqlite:sqitch.db to version 1.1",
      "Upgrading the Sqitch registry from 0 to 1.1",
      "  * From 0 to 1.0",
      "  * From 1.0 to 1.1",
    ]);
    const rows = p.query("SELECT change_id, script_hash FROM changes");
    assertEquals(rows.length, 2);
    for (const r of rows) assertEquals(r.script_hash, r.change_id);
    assertEquals(p.query("SELECT version FROM releases ORDER BY version"), [
      { version: 1.0 },
      { version: 1.1 },
    ]);
  } finally {
    await p.cleanup();
  }
});

Deno.test("upgrade: a newer registry is refused after the heading", async () => {
  const p = project();
  try {
    await p.engine.createRegistry(ANN);
    await p.engine.close();
    const db = new DatabaseSync(`${p.dir}/sqitch.db`);
    db.exec("INSERT INTO releases VALUES (2.0, '2030-01-01', 'X', 'x@example.com')");
    db.close();
    await rejects(upgrade(p.engine, ANN, p.reporter), {
      message: "Registry version is 2.0 but 1.1 is the latest known. Please upgrade Sqitch.",
    });
    assertEquals(p.lines, ["Upgrading registry db:sqlite:sqitch.db to version 1.1"]);
  } finally {
    await p.cleanup();
  }
});

Deno.test("registry fixture: old DDL is what Sqitch's history says", () => {
  assert(REGISTRY_SQL_1_0.includes("script_hash     TEXT            NULL UNIQUE,"));
  assert(!REGISTRY_SQL_1_0.includes("CONSTRAINT"));
  assert(!REGISTRY_SQL_0.includes("releases") && !REGISTRY_SQL_0.includes("script_hash"));
  const repo = "/work/.mirror/sqitchers+sqitch/repo";
  const show = (rev: string): string | undefined => {
    try {
      const r = new Deno.Command("git", {
        args: ["-C", repo, "show", `${rev}:lib/App/Sqitch/Engine/sqlite.sql`],
        stdout: "piped",
        stderr: "null",
      }).outputSync();
      return r.success ? new TextDecoder().decode(r.stdout) : undefined;
    } catch {
      return undefined;
    }
  };
  // Before "Replace unique constraint on changes.script_hash" (1.1) and "Add the releases table".
  const v10 = show("4d63e2c7^");
  const v0 = show("e1228cc3^");
  if (v10 !== undefined) assertEquals(REGISTRY_SQL_1_0, v10);
  if (v0 !== undefined) assertEquals(REGISTRY_SQL_0, v0);
});
