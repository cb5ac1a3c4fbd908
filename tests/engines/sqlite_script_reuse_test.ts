/**
 * Scripts on the same database share a connection (engines/sqlite_script.ts):
 * each must still see what a fresh sqlite3 shell would.
 */
import { equal } from "node:assert/strict";
import { CapturedOutput } from "../../engines/engine.ts";
import { closeShellConnections, runSqliteScript } from "../../engines/sqlite_script.ts";

/** Run each script in turn on one database; returns each one's stdout (stderr must be empty). */
function runAll(scripts: string[], between?: (dir: string) => void): string[] {
  const dir = Deno.makeTempDirSync({ prefix: "sqlitch-reuse-" });
  try {
    return scripts.map((text, i) => {
      if (i > 0) between?.(dir);
      Deno.writeTextFileSync(`${dir}/s${i}.sql`, text);
      const out = new CapturedOutput();
      const r = runSqliteScript(`${dir}/db`, `${dir}/s${i}.sql`, out);
      equal(out.err, "");
      equal(r.status, 0);
      return out.out;
    });
  } finally {
    closeShellConnections();
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("shared connection: TEMP objects do not outlive their script", () => {
  const out = runAll([
    "create temp table x(a); insert into x values (1);",
    "select count(*) from sqlite_temp_master;",
  ]);
  equal(out[1], "0\n");
});

Deno.test("shared connection: pragmas do not outlive their script", () => {
  const out = runAll(["PRAGMA foreign_keys = ON;", "PRAGMA foreign_keys;"]);
  equal(out[1], "0\n");
});

Deno.test("shared connection: attached databases do not outlive their script", () => {
  const out = runAll([
    "attach database ':memory:' as other;",
    "select count(*) from pragma_database_list;",
  ]);
  equal(out[1], "1\n");
});

Deno.test("shared connection: change counters read as in a fresh shell", () => {
  const out = runAll([
    "create table t(a); insert into t values (1), (2), (3);",
    "select total_changes(), changes(), last_insert_rowid();",
  ]);
  equal(out[1], "0,0,0\n");
});

Deno.test("shared connection: a transaction left open is rolled back", () => {
  const out = runAll([
    "create table t(a);",
    "begin; insert into t values (1);",
    "select count(*) from t;",
  ]);
  equal(out[2], "0\n");
});

Deno.test("shared connection: a database file replaced between scripts is reopened", () => {
  const out = runAll(
    ["create table t(a);", "select count(*) from sqlite_master;"],
    (dir) => Deno.removeSync(`${dir}/db`),
  );
  equal(out[1], "0\n");
});

Deno.test("shared connection: schema and data carry over as on disk", () => {
  const out = runAll([
    "begin; create table t(a); create index t_a on t(a); insert into t values (1); commit;",
    "begin; select a from t; rollback;",
    "insert into t values (2); select count(*) from t;",
  ]);
  equal(out[1], "1\n");
  equal(out[2], "2\n");
});
