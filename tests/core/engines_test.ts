import assert from "node:assert/strict";
import {
  ACCEPTED_ENGINES,
  canonicalEngine,
  defaultClient,
  defaultPort,
  defaultRegistry,
  engineInfo,
  HEAD_ENGINES,
  isEngineName,
  KNOWN_ENGINES,
  requireEngine,
  schemesFor,
  withExeSuffix,
} from "../../core/engines.ts";
import { SqlitchError } from "../../core/errors.ts";

Deno.test("engines: the 1.3.1 list and the HEAD additions", () => {
  assert.deepEqual([...KNOWN_ENGINES], [
    "pg",
    "sqlite",
    "mysql",
    "oracle",
    "firebird",
    "vertica",
    "exasol",
    "snowflake",
  ]);
  assert.deepEqual([...HEAD_ENGINES], ["cockroach", "clickhouse"]);
  assert.deepEqual(ACCEPTED_ENGINES, [...KNOWN_ENGINES, ...HEAD_ENGINES]);
  assert.equal(isEngineName("cockroach"), true);
  assert.equal(isEngineName("cockroach", { head: false }), false);
  assert.equal(isEngineName("pg", { head: false }), true);
  assert.equal(isEngineName("postgres"), false);
  assert.equal(engineInfo("clickhouse")?.head, true);
  assert.equal(engineInfo("pg")?.head, false);
  assert.equal(engineInfo("toString"), undefined);
});

Deno.test("engines: aliases and default ports", () => {
  assert.equal(canonicalEngine("postgres"), "pg");
  assert.equal(canonicalEngine("PostgreSQL"), "pg");
  assert.equal(canonicalEngine("yugabytedb"), "pg");
  assert.equal(canonicalEngine("sqlite3"), "sqlite");
  assert.equal(canonicalEngine("maria"), "mysql");
  assert.equal(canonicalEngine("cockroachdb"), "cockroach");
  assert.equal(canonicalEngine("sqlserver"), "mssql");
  assert.equal(canonicalEngine("interbase"), "interbase");
  assert.deepEqual(schemesFor("mysql").sort(), ["maria", "mariadb", "mysql"]);
  assert.deepEqual(schemesFor("sqlite").sort(), ["sqlite", "sqlite3"]);
  const ports: Record<string, number | undefined> = {
    pg: 5432,
    sqlite: undefined,
    mysql: 3306,
    oracle: 1521,
    firebird: 3050,
    vertica: 5433,
    exasol: 8563,
    snowflake: 443,
    cockroach: 26257,
    clickhouse: undefined,
  };
  for (const [e, p] of Object.entries(ports)) assert.equal(defaultPort(e), p, e);
});

// Checked with `sqitch engine show <e>` (1.3.1).
Deno.test("engines: default registries", () => {
  for (
    const e of [
      "pg",
      "sqlite",
      "mysql",
      "firebird",
      "vertica",
      "exasol",
      "snowflake",
      "cockroach",
      "clickhouse",
    ]
  ) {
    assert.equal(defaultRegistry(e), "sqitch", e);
  }
  assert.equal(defaultRegistry("oracle"), "");
  assert.throws(() => defaultRegistry("nosuch"), (e: unknown) => {
    assert.ok(e instanceof SqlitchError);
    assert.equal(e.message, "Unknown engine: nosuch");
    assert.equal(e.exitCode, 2);
    return true;
  });
  assert.throws(() => requireEngine("mssql"), /Unknown engine: mssql/);
});

Deno.test("engines: default clients", () => {
  const clients: Record<string, string> = {
    pg: "psql",
    sqlite: "sqlite3",
    mysql: "mysql",
    oracle: "sqlplus",
    vertica: "vsql",
    exasol: "exaplus",
    snowflake: "snowsql",
    cockroach: "psql",
    clickhouse: "clickhouse-client",
  };
  for (const [e, c] of Object.entries(clients)) {
    assert.equal(defaultClient(e), c, e);
    assert.equal(defaultClient(e, { os: "windows" }), c + ".exe", e);
  }
  // Oracle: $ORACLE_HOME/sqlplus (1.3.1), Perl truthiness for the variable.
  assert.equal(defaultClient("oracle", { env: { ORACLE_HOME: "/opt/o/" } }), "/opt/o/sqlplus");
  assert.equal(defaultClient("oracle", { env: { ORACLE_HOME: "./o" } }), "o/sqlplus");
  assert.equal(defaultClient("oracle", { env: { ORACLE_HOME: "0" } }), "sqlplus");
  assert.equal(defaultClient("oracle", { env: { ORACLE_HOME: "" } }), "sqlplus");
});

Deno.test("engines: Firebird client probing", () => {
  const tried: string[][] = [];
  assert.equal(
    defaultClient("firebird", {
      findClient: (c) => {
        tried.push([...c]);
        return "isql-fb";
      },
    }),
    "isql-fb",
  );
  assert.deepEqual(tried, [["fbsql", "isql-fb", "isql"]]);
  assert.equal(
    defaultClient("firebird", {
      os: "windows",
      findClient: (c) => {
        assert.deepEqual(c, ["fbsql.exe", "isql-fb.exe", "isql.exe"]);
        return "C:\\fb\\isql.exe";
      },
    }),
    "C:\\fb\\isql.exe",
  );
  assert.throws(
    () => defaultClient("firebird"),
    (e: unknown) =>
      e instanceof SqlitchError &&
      e.message ===
        'Unable to locate Firebird ISQL; set "engine.firebird.client" via sqitch config',
  );
});

Deno.test("engines: .exe suffix rule", () => {
  assert.equal(withExeSuffix("psql", "linux"), "psql");
  assert.equal(withExeSuffix("psql", undefined), "psql");
  assert.equal(withExeSuffix("psql", "windows"), "psql.exe");
  assert.equal(withExeSuffix("psql.exe", "windows"), "psql.exe");
  assert.equal(withExeSuffix("run.bat", "windows"), "run.bat");
});
