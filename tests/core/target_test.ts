import assert from "node:assert/strict";
import type { Env } from "../../core/env.ts";
import { SqlitchError } from "../../core/errors.ts";
import {
  allTargets,
  classifyArgs,
  commandDefaultTarget,
  parseArgs,
  registryUriFor,
  resolveTarget,
  type Target,
  type TargetContext,
} from "../../core/target.ts";
import { DbUri } from "../../core/uri.ts";
import { FakeConfig } from "./fake_config.ts";

function ctx(
  entries: Record<string, string | null | (string | null)[]> = {},
  extra: Partial<TargetContext> & { initialized?: boolean } = {},
): TargetContext {
  const { initialized, ...rest } = extra;
  return {
    config: new FakeConfig(entries, { initialized }),
    env: {},
    sysuser: () => "root",
    ...rest,
  };
}

function fails(fn: () => unknown, message: string, ident?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SqlitchError, `expected SqlitchError, got ${e}`);
    assert.equal(e.message, message);
    assert.equal(e.exitCode, 2);
    if (ident !== undefined) assert.equal(e.ident, ident);
    return true;
  });
}

// ---------------------------------------------------------------------------
// §2.1 name vs URI

Deno.test("target: a URI target is named by its password-stripped URI", () => {
  const c = ctx({ "core.engine": "pg" });
  const t = resolveTarget(c, { name: "db:pg://user:secret@host:5433/mydb" });
  assert.equal(t.name, "db:pg://user:@host:5433/mydb");
  assert.equal(t.uri.toString(), "db:pg://user:secret@host:5433/mydb");
  assert.equal(t.engine, "pg");
  assert.equal(resolveTarget(c, { name: "db:postgres://h/d" }).engine, "pg");
  assert.equal(resolveTarget(c, { name: "db:postgres://h/d" }).name, "db:postgres://h/d");
  // Any string with a colon is a URI; db: is added.
  assert.equal(resolveTarget(c, { name: "pg://h/d" }).name, "db:pg://h/d");
});

Deno.test("target: a named target reads target.<name>.uri", () => {
  const c = ctx({
    "core.engine": "sqlite",
    "target.prod.uri": "db:pg://admin:s3cret@db.example.com:5433/proddb",
    "target.empty.registry": "x",
    "target.blank.uri": "",
  });
  const t = resolveTarget(c, { name: "prod" });
  assert.equal(t.name, "prod");
  assert.equal(t.uri.toString(), "db:pg://admin:s3cret@db.example.com:5433/proddb");
  assert.equal(t.engine, "pg");
  fails(() => resolveTarget(c, { name: "nosuch" }), 'Cannot find target "nosuch"', "target");
  fails(() => resolveTarget(c, { name: "empty" }), 'No URI associated with target "empty"');
  fails(() => resolveTarget(c, { name: "blank" }), 'No URI associated with target "blank"');
});

Deno.test("target: a URI must name an engine", () => {
  const c = ctx({ "core.engine": "pg", "target.bad.uri": "db:" });
  fails(
    () => resolveTarget(c, { name: "db:" }),
    'No engine specified by URI db:; URI must start with "db:$engine:"',
  );
  fails(
    () => resolveTarget(c, { name: "db:pg" }),
    'No engine specified by URI db:pg; URI must start with "db:$engine:"',
  );
  fails(
    () => resolveTarget(c, { name: "bad" }),
    'No engine specified by URI db:; URI must start with "db:$engine:"',
  );
});

Deno.test("target: -u/-h/-p/-d are applied before naming URI targets", () => {
  const c = ctx({ "core.engine": "sqlite", "engine.sqlite.target": "db:sqlite:flipr.db" }, {
    overrides: { host: "host", user: "user", port: 1234 },
  });
  assert.equal(resolveTarget(c).name, "db:sqlite://user@host:1234/flipr.db");
  const d = ctx({ "core.engine": "sqlite", "engine.sqlite.target": "db:sqlite:flipr.db" }, {
    overrides: { dbname: "other.db" },
  });
  assert.equal(resolveTarget(d).name, "db:sqlite:other.db");
  const n = ctx({ "target.prod.uri": "db:pg://u:pw@h/d" }, {
    overrides: { dbname: "x", port: "7" },
  });
  const t = resolveTarget(n, { name: "prod" });
  assert.equal(t.name, "prod");
  assert.equal(t.uri.toString(), "db:pg://u:pw@h:7/x");
  // A password survives overrides but not the name.
  const p = ctx({}, { overrides: { host: "other" } });
  assert.equal(resolveTarget(p, { name: "db:pg://u:pw@h/d" }).name, "db:pg://u:@other/d");
});

Deno.test("target: a URI given up front skips lookup and overrides", () => {
  const c = ctx({}, { overrides: { host: "x" } });
  const t = resolveTarget(c, { uri: DbUri.parse("db:pg://u:pw@h/d") });
  assert.equal(t.name, "db:pg://u:@h/d");
  assert.equal(t.uri.toString(), "db:pg://u:pw@h/d");
  assert.equal(resolveTarget(c, { uri: DbUri.parse("db:"), name: "nm" }).name, "nm");
});

// ---------------------------------------------------------------------------
// §2.2 default target

Deno.test("target: default chain $SQITCH_TARGET → core.target → engine target → db:<engine>:", () => {
  const full = {
    "core.target": "db:sqlite:core.db",
    "core.engine": "sqlite",
    "engine.sqlite.target": "db:sqlite:engine.db",
  };
  assert.equal(resolveTarget(ctx(full)).name, "db:sqlite:core.db");
  assert.equal(
    resolveTarget(ctx(full, { env: { SQITCH_TARGET: "db:sqlite:env.db" } })).name,
    "db:sqlite:env.db",
  );
  assert.equal(
    resolveTarget(ctx({ "core.engine": "sqlite", "engine.sqlite.target": "db:sqlite:engine.db" }))
      .name,
    "db:sqlite:engine.db",
  );
  assert.equal(resolveTarget(ctx({ "core.engine": "sqlite" })).name, "db:sqlite:");
  // Trailing white space of core.engine is ignored.
  assert.equal(
    resolveTarget(ctx({ "core.engine": "sqlite  ", "engine.sqlite.target": "db:sqlite:e.db" }))
      .name,
    "db:sqlite:e.db",
  );
  // The engine target may be a target name.
  const named = ctx({
    "core.engine": "pg",
    "engine.pg.target": "prod",
    "target.prod.uri": "db:pg:p",
  });
  assert.equal(resolveTarget(named).name, "prod");
  assert.equal(resolveTarget(named).uri.toString(), "db:pg:p");
  // A false-ish core.target falls through.
  assert.equal(resolveTarget(ctx({ "core.target": "0", "core.engine": "pg" })).name, "db:pg:");
});

Deno.test("target: SQLITCH_TARGET beats SQITCH_TARGET; Perl-false values are unset", () => {
  const c = (env: Env) =>
    ctx({ "core.engine": "pg", "target.a.uri": "db:pg:a", "target.b.uri": "db:pg:b" }, { env });
  assert.equal(resolveTarget(c({ SQITCH_TARGET: "a", SQLITCH_TARGET: "b" })).name, "b");
  assert.equal(resolveTarget(c({ SQITCH_TARGET: "a" })).name, "a");
  assert.equal(resolveTarget(c({ SQITCH_TARGET: "a", SQLITCH_TARGET: "0" })).name, "a");
  assert.equal(resolveTarget(c({ SQITCH_TARGET: "0" })).name, "db:pg:");
  assert.equal(resolveTarget(c({ SQITCH_TARGET: "" })).name, "db:pg:");
  fails(() => resolveTarget(c({ SQITCH_TARGET: "nosuch" })), 'Cannot find target "nosuch"');
  // An explicit name wins over the environment.
  assert.equal(resolveTarget(c({ SQITCH_TARGET: "a" }), { name: "b" }).name, "b");
});

Deno.test("target: default target errors", () => {
  fails(
    () => resolveTarget(ctx({}, { initialized: true })),
    "No engine specified; specify via target or core.engine",
  );
  fails(
    () => resolveTarget(ctx({ "core.verbosity": "1" }, { initialized: true })),
    "No engine specified; specify via target or core.engine",
  );
  fails(
    () => resolveTarget(ctx({}, { initialized: false })),
    'No project configuration found. Run the "init" command to initialize a project',
  );
});

Deno.test("target: an engine-less URI from core.engine builds, the engine fails later", () => {
  const t = resolveTarget(ctx({ "core.engine": "pg", "engine.pg.target": "db:" }));
  assert.equal(t.name, "db:");
  assert.equal(t.engineKey, undefined);
  fails(() => t.engine, "No engine specified; specify via target or core.engine");
  fails(() => t.registry, "No engine specified; specify via target or core.engine");
  // Engine-less means no engine-level config lookup.
  assert.equal(t.planFile, "sqitch.plan");
});

Deno.test("target: commandDefaultTarget", () => {
  assert.equal(commandDefaultTarget(ctx({})).name, "db:");
  assert.equal(commandDefaultTarget(ctx({})).engineKey, undefined);
  assert.equal(commandDefaultTarget(ctx({ "core.engine": "sqlite" })).name, "db:sqlite:");
  assert.equal(commandDefaultTarget(ctx({ "core.target": "db:pg:x" })).name, "db:pg:x");
});

// ---------------------------------------------------------------------------
// Properties (config.md §6)

Deno.test("target: built-in defaults", () => {
  const t = resolveTarget(ctx({ "core.engine": "pg" }));
  assert.equal(t.registry, "sqitch");
  assert.equal(t.client, "psql");
  assert.equal(t.topDir, ".");
  assert.equal(t.planFile, "sqitch.plan");
  assert.equal(t.extension, "sql");
  assert.equal(t.deployDir, "deploy");
  assert.equal(t.revertDir, "revert");
  assert.equal(t.verifyDir, "verify");
  assert.equal(t.reworkedDir, ".");
  assert.equal(t.reworkedDeployDir, "deploy");
  assert.equal(t.reworkedRevertDir, "revert");
  assert.equal(t.reworkedVerifyDir, "verify");
  assert.deepEqual(t.variables, {});
  const w = resolveTarget(ctx({ "core.engine": "sqlite" }, { os: "windows" }));
  assert.equal(w.client, "sqlite3.exe");
  assert.equal(resolveTarget(ctx({ "core.engine": "oracle" })).registry, "");
  assert.equal(resolveTarget(ctx({ "core.engine": "oracle" })).client, "sqlplus");
});

// The same configuration run through `sqitch target show prod dev` and `sqitch engine show pg`.
const PRECEDENCE = {
  "core.engine": "pg",
  "core.registry": "coreReg",
  "core.client": "coreClient",
  "core.extension": "0",
  "core.top_dir": "./top//dir/",
  "core.reworked_dir": "rw/",
  "engine.pg.target": "prod",
  "engine.pg.registry": "",
  "engine.pg.client": "engClient",
  "engine.pg.plan_file": "./x.plan",
  "engine.pg.deploy_dir": "./d/",
  "engine.pg.variables.a": "engA",
  "engine.pg.variables.B": "engB",
  "target.prod.uri": "db:pg://admin:s3cret@db.example.com:5433/proddb",
  "target.prod.registry": "tReg",
  "target.prod.verify_dir": "v//",
  "target.prod.reworked_revert_dir": "./rr",
  "target.prod.variables.a": "tA",
  "target.prod.variables.c": "tC",
  "target.dev.uri": "db:pg:dev",
  "target.dev.plan_file": "0",
};

Deno.test("target: precedence target → engine → core → default, false-ish falls through", () => {
  const c = ctx(PRECEDENCE);
  const prod = resolveTarget(c, { name: "prod" });
  assert.deepEqual(
    {
      registry: prod.registry,
      client: prod.client,
      topDir: prod.topDir,
      planFile: prod.planFile,
      extension: prod.extension,
      deployDir: prod.deployDir,
      revertDir: prod.revertDir,
      verifyDir: prod.verifyDir,
      reworkedDir: prod.reworkedDir,
      reworkedDeployDir: prod.reworkedDeployDir,
      reworkedRevertDir: prod.reworkedRevertDir,
      reworkedVerifyDir: prod.reworkedVerifyDir,
      variables: prod.variables,
    },
    {
      registry: "tReg",
      client: "engClient",
      topDir: "top/dir",
      planFile: "./x.plan",
      extension: "sql",
      deployDir: "d",
      revertDir: "top/dir/revert",
      verifyDir: "v",
      reworkedDir: "rw",
      reworkedDeployDir: "rw/deploy",
      reworkedRevertDir: "rr",
      reworkedVerifyDir: "rw/verify",
      variables: { a: "tA", B: "engB", c: "tC" },
    },
  );
  const dev = resolveTarget(c, { name: "dev" });
  assert.equal(dev.registry, "coreReg");
  assert.equal(dev.planFile, "./x.plan");
  assert.equal(dev.verifyDir, "top/dir/verify");
  assert.equal(dev.reworkedRevertDir, "rw/revert");
  assert.deepEqual(dev.variables, { a: "engA", B: "engB" });
  // The default target here is the engine's target, "prod".
  assert.equal(resolveTarget(c).name, "prod");
  assert.equal(resolveTarget(c).registry, "tReg");
});

Deno.test("target: URI targets match target.<uri>.* keys only literally", () => {
  const c = ctx({
    "core.engine": "sqlite",
    "target.db:sqlite:foo.db.registry": "uriReg",
    "engine.sqlite.registry": "engReg",
  });
  assert.equal(resolveTarget(c, { name: "db:sqlite:foo.db" }).registry, "uriReg");
  assert.equal(resolveTarget(c, { name: "db:sqlite3:foo.db" }).registry, "engReg");
});

Deno.test("target: plan file and directories follow top_dir", () => {
  const t = resolveTarget(ctx({ "core.engine": "pg", "core.top_dir": "db/" }));
  assert.equal(t.topDir, "db");
  assert.equal(t.planFile, "db/sqitch.plan");
  assert.equal(t.deployDir, "db/deploy");
  assert.equal(t.reworkedDir, "db");
  assert.equal(t.reworkedVerifyDir, "db/verify");
  const r = resolveTarget(ctx({ "core.engine": "pg", "core.reworked_dir": "./old/" }));
  assert.equal(r.reworkedDir, "old");
  assert.equal(r.reworkedDeployDir, "old/deploy");
  // 1.3.1: reworked_<type>_dir ignores a configured <type>_dir.
  const d = resolveTarget(ctx({ "core.engine": "pg", "core.deploy_dir": "sql/dep" }));
  assert.equal(d.deployDir, "sql/dep");
  assert.equal(d.reworkedDeployDir, "deploy");
});

Deno.test("target: command-line registry, client, top dir and plan file win", () => {
  const c = ctx(PRECEDENCE, {
    overrides: { registry: "", client: "/opt/psql", topDir: "./cli/", planFile: "./cli.plan" },
  });
  const t = resolveTarget(c, { name: "dev" });
  assert.equal(t.registry, "");
  assert.equal(t.client, "/opt/psql");
  assert.equal(t.topDir, "cli");
  assert.equal(t.planFile, "./cli.plan");
  // Configured script dirs still win over --top-dir; defaults follow it.
  assert.equal(t.deployDir, "d");
  assert.equal(t.revertDir, "cli/revert");
  const bare = resolveTarget(
    ctx({ "core.engine": "pg" }, { overrides: { topDir: "x", planFile: "" } }),
  );
  assert.equal(bare.planFile, "x/sqitch.plan");
  // A client from config gets no .exe on Windows.
  const w = resolveTarget(ctx({ "core.engine": "pg", "core.client": "psql" }, { os: "windows" }));
  assert.equal(w.client, "psql");
});

Deno.test("target: clientConfigured tells an explicit client from the default", () => {
  const sqlite = (entries: Record<string, string> = {}, extra: Partial<TargetContext> = {}) =>
    resolveTarget(ctx({ "core.engine": "sqlite", ...entries }, extra));
  assert.equal(sqlite().clientConfigured, false);
  assert.equal(sqlite({ "engine.sqlite.client": "0" }).clientConfigured, false);
  assert.equal(sqlite({ "engine.pg.client": "psql" }).clientConfigured, false);
  assert.equal(sqlite({ "engine.sqlite.client": "sqlite3" }).clientConfigured, true);
  assert.equal(sqlite({ "core.client": "/opt/sqlite3" }).clientConfigured, true);
  assert.equal(
    resolveTarget(
      ctx({
        "core.engine": "sqlite",
        "target.dev.uri": "db:sqlite:dev.db",
        "target.dev.client": "x",
      }),
      { name: "dev" },
    ).clientConfigured,
    true,
  );
  assert.equal(sqlite({}, { overrides: { client: "sqlite3" } }).clientConfigured, true);
});

Deno.test("target: sqlitch compat mode changes only defaults", () => {
  const t = resolveTarget(ctx({ "core.engine": "pg" }, { compat: "sqlitch" }));
  assert.equal(t.topDir, "sqlitch");
  assert.equal(t.planFile, "sqlitch/sqlitch.plan");
  assert.equal(t.deployDir, "sqlitch/deploy");
  assert.equal(t.revertDir, "sqlitch/revert");
  assert.equal(t.verifyDir, "sqlitch/verify");
  assert.equal(t.reworkedDir, "sqlitch");
  assert.equal(t.reworkedDeployDir, "sqlitch/deploy");
  assert.equal(t.registry, "sqitch");
  const top = resolveTarget(
    ctx({ "core.engine": "pg", "core.top_dir": "." }, { compat: "sqlitch" }),
  );
  assert.equal(top.topDir, ".");
  assert.equal(top.planFile, "sqlitch.plan");
  assert.equal(top.deployDir, "deploy");
  const plan = resolveTarget(
    ctx({ "core.engine": "pg", "core.plan_file": "sqitch.plan", "core.deploy_dir": "d" }, {
      compat: "sqlitch",
    }),
  );
  assert.equal(plan.planFile, "sqitch.plan");
  assert.equal(plan.deployDir, "d");
  assert.equal(plan.revertDir, "sqlitch/revert");
  const cli = resolveTarget(
    ctx({ "core.engine": "pg" }, { compat: "sqlitch", overrides: { topDir: "t" } }),
  );
  assert.equal(cli.planFile, "t/sqlitch.plan");
  // Explicit "sqitch" mode equals the default.
  assert.equal(
    resolveTarget(ctx({ "core.engine": "pg" }, { compat: "sqitch" })).planFile,
    "sqitch.plan",
  );
});

Deno.test("target: variables come from engine then target sections", () => {
  const c = ctx({
    "core.engine": "sqlite",
    "core.variables.x": "core",
    "engine.sqlite.variables.x": "eng",
    "engine.sqlite.variables.y": "eng",
    "engine.pg.variables.z": "pg",
    "target.t.uri": "db:sqlite3:t.db",
    "target.t.variables.y": "tgt",
  });
  assert.deepEqual(resolveTarget(c, { name: "t" }).variables, { x: "eng", y: "tgt" });
  assert.deepEqual(resolveTarget(c).variables, { x: "eng", y: "eng" });
});

Deno.test("target: username and password", () => {
  const uri = "db:pg://u%40x:p%3Aw@h/d";
  assert.equal(resolveTarget(ctx(), { name: uri }).username, "u@x");
  assert.equal(resolveTarget(ctx(), { name: uri }).password, "p:w");
  const env = ctx({}, { env: { SQITCH_USERNAME: "su", SQITCH_PASSWORD: "sp" } });
  assert.equal(resolveTarget(env, { name: uri }).username, "su");
  assert.equal(resolveTarget(env, { name: uri }).password, "sp");
  const twin = ctx({}, {
    env: {
      SQITCH_USERNAME: "su",
      SQLITCH_USERNAME: "lu",
      SQITCH_PASSWORD: "sp",
      SQLITCH_PASSWORD: "lp",
    },
  });
  assert.equal(resolveTarget(twin, { name: uri }).username, "lu");
  assert.equal(resolveTarget(twin, { name: uri }).password, "lp");
  // -u puts the user into the URI, so $SQITCH_USERNAME still wins.
  const cli = ctx({}, { env: { SQITCH_USERNAME: "su" }, overrides: { user: "cli" } });
  assert.equal(resolveTarget(cli, { name: "db:pg:" }).username, "su");
  assert.equal(resolveTarget(cli, { name: "db:pg:" }).name, "db:pg://cli@");
  assert.equal(resolveTarget(ctx(), { name: "db:pg://0:0@h/d" }).username, undefined);
  assert.equal(resolveTarget(ctx(), { name: "db:pg://0:0@h/d" }).password, undefined);
  assert.equal(resolveTarget(ctx(), { name: "db:pg:" }).username, undefined);
});

Deno.test("target: unknown engines fail when an engine property is needed", () => {
  const t = resolveTarget(ctx(), { name: "db:nosuch:x" });
  assert.equal(t.name, "db:nosuch:x");
  assert.equal(t.engine, "nosuch");
  fails(() => t.registry, "Unknown engine: nosuch", "engine");
  fails(() => t.client, "Unknown engine: nosuch");
  assert.equal(t.planFile, "sqitch.plan");
});

Deno.test("target: Firebird client comes from the probe callback", () => {
  const t = resolveTarget(ctx({}, { findClient: (c) => c[1] }), { name: "db:firebird:x.fdb" });
  assert.equal(t.client, "isql-fb");
  fails(
    () => resolveTarget(ctx(), { name: "db:firebird:x.fdb" }).client,
    'Unable to locate Firebird ISQL; set "engine.firebird.client" via sqitch config',
  );
  assert.equal(
    resolveTarget(ctx({ "engine.firebird.client": "fb" }), { name: "db:firebird:" }).client,
    "fb",
  );
});

// ---------------------------------------------------------------------------
// §3 destinations (checked with real App::Sqitch engine objects)

Deno.test("target: destination and registry_destination", () => {
  const rows: [string, string, string][] = [
    ["db:pg:", "db:pg:root", "db:pg:root"],
    ["db:pg://host", "db:pg://host/root", "db:pg://host/root"],
    ["db:pg://user@host/", "db:pg://user@host/user", "db:pg://user@host/user"],
    [
      "db:pg://user:secret@host:5433/mydb",
      "db:pg://user:@host:5433/mydb",
      "db:pg://user:@host:5433/mydb",
    ],
    [
      "db:pg://user:secret@host/mydb?sslmode=require&connect_timeout=10",
      "db:pg://user:@host/mydb?sslmode=require&connect_timeout=10",
      "db:pg://user:@host/mydb?sslmode=require&connect_timeout=10",
    ],
    [
      "db:mysql://root:pw@127.0.0.1:3307/flipr",
      "db:mysql://root:@127.0.0.1:3307/flipr",
      "db:mysql://root:@127.0.0.1:3307/sqitch",
    ],
    ["db:mysql:", "db:mysql:", "db:mysql:sqitch"],
    ["db:mariadb://u@h/d", "db:mariadb://u@h/d", "db:mariadb://u@h/sqitch"],
    ["db:sqlite3:foo.db", "db:sqlite3:foo.db", "db:sqlite3:sqitch.db"],
    ["db:oracle://u:p@h/db", "db:oracle://u:@h/db", "db:oracle://u:@h/db"],
    ["db:oracle://u:p@h", "db:oracle://u:@h/u", "db:oracle://u:@h/u"],
    ["db:vertica://h", "db:vertica://h/root", "db:vertica://h/root"],
    ["db:exasol://u:p@h", "db:exasol://u:@h", "db:exasol://u:@h"],
    [
      "db:snowflake://u:p@acct/db?pwd=x",
      "db:snowflake://u:@acct/db?pwd=x",
      "db:snowflake://u:@acct/db?pwd=x",
    ],
    [
      "db:firebird://u:p@h/dir/foo.fdb",
      "db:firebird://u:@h/dir/foo.fdb",
      "db:firebird://u:@h/dir/sqitch.fdb",
    ],
    ["db:firebird:foo", "db:firebird:foo", "db:firebird:sqitch"],
    [
      "db:cockroach://root@localhost:26257/flipr",
      "db:cockroach://root@localhost:26257/flipr",
      "db:cockroach://root@localhost:26257/flipr",
    ],
    ["db:cockroach:", "db:cockroach:root", "db:cockroach:root"],
    ["db:clickhouse://u:p@h/x", "db:clickhouse://u:@h/x", "db:clickhouse://u:@h/sqitch"],
  ];
  for (const [uri, dest, regDest] of rows) {
    const t = resolveTarget(ctx(), { name: uri });
    assert.equal(t.destination, dest, `destination of ${uri}`);
    assert.equal(t.registryDestination, regDest, `registry_destination of ${uri}`);
  }
});

Deno.test("target: destination fallbacks from the environment", () => {
  const dest = (uri: string, env: Env, sysuser?: string) =>
    resolveTarget(ctx({}, { env, sysuser: () => sysuser }), { name: uri }).destination;
  assert.equal(dest("db:pg:", { PGDATABASE: "flipr" }), "db:pg:flipr");
  assert.equal(dest("db:pg://h", { SQITCH_USERNAME: "su", PGUSER: "pgu" }), "db:pg://h/su");
  assert.equal(dest("db:pg://h", { PGUSER: "pgu" }), "db:pg://h/pgu");
  assert.equal(dest("db:pg://h", {}, "me"), "db:pg://h/me");
  assert.equal(dest("db:pg://u:pw@h", {}, "me"), "db:pg://u:@h/u");
  assert.equal(dest("db:vertica:", { VSQL_USER: "vu" }), "db:vertica:vu");
  assert.equal(dest("db:vertica:", { VSQL_DATABASE: "vd", VSQL_USER: "vu" }), "db:vertica:vd");
  assert.equal(dest("db:oracle:", { ORACLE_SID: "sid" }), "db:oracle:sid");
  assert.equal(dest("db:oracle:", { TWO_TASK: "tt", ORACLE_SID: "sid" }), "db:oracle:tt");
  // Named targets are shown by name.
  const named = resolveTarget(ctx({ "target.prod.uri": "db:pg://h" }), { name: "prod" });
  assert.equal(named.destination, "prod");
  assert.equal(named.registryDestination, "prod");
  const mysql = resolveTarget(ctx({ "target.m.uri": "db:mysql://u:p@h/d" }), { name: "m" });
  assert.equal(mysql.destination, "m");
  assert.equal(mysql.registryDestination, "db:mysql://u:@h/sqitch");
});

// ---------------------------------------------------------------------------
// §5 SQLite registry location

Deno.test("target: SQLite registry location table", () => {
  const rows: [string, string, string, string, string][] = [
    [
      "db:sqlite:foo.db",
      "db:sqlite:sqitch.db",
      "db:sqlite:reg.db",
      "db:sqlite:reg.db",
      "db:sqlite:/abs/reg.db",
    ],
    [
      "db:sqlite:foo",
      "db:sqlite:sqitch",
      "db:sqlite:reg",
      "db:sqlite:reg.db",
      "db:sqlite:/abs/reg.db",
    ],
    [
      "db:sqlite:dir/foo.sqlite3",
      "db:sqlite:dir/sqitch.sqlite3",
      "db:sqlite:dir/reg.sqlite3",
      "db:sqlite:dir/reg.db",
      "db:sqlite:/abs/reg.db",
    ],
    [
      "db:sqlite:/abs/dir/foo.db",
      "db:sqlite:/abs/dir/sqitch.db",
      "db:sqlite:/abs/dir/reg.db",
      "db:sqlite:/abs/dir/reg.db",
      "db:sqlite:/abs/reg.db",
    ],
    [
      "db:sqlite:foo.tar.gz",
      "db:sqlite:sqitch.tar.gz",
      "db:sqlite:reg.tar.gz",
      "db:sqlite:reg.db",
      "db:sqlite:/abs/reg.db",
    ],
    [
      "db:sqlite:dir.v2/foo",
      "db:sqlite:dir.v2/sqitch",
      "db:sqlite:dir.v2/reg",
      "db:sqlite:dir.v2/reg.db",
      "db:sqlite:/abs/reg.db",
    ],
    ["db:sqlite:", "db:sqlite:", "db:sqlite:", "db:sqlite:", "db:sqlite:/abs/reg.db"],
    [
      "db:sqlite://user:pw@host/foo.db",
      "db:sqlite://user:@host/sqitch.db",
      "db:sqlite://user:@host/reg.db",
      "db:sqlite://user:@host/reg.db",
      "db:sqlite://user:@host//abs/reg.db",
    ],
    [
      "db:sqlite:///abs/foo.db",
      "db:sqlite:///abs/sqitch.db",
      "db:sqlite:///abs/reg.db",
      "db:sqlite:///abs/reg.db",
      "db:sqlite:////abs/reg.db",
    ],
  ];
  const registries = [undefined, "reg", "reg.db", "/abs/reg.db"];
  for (const [uri, ...expected] of rows) {
    registries.forEach((registry, i) => {
      const t = resolveTarget(ctx({}, { overrides: { registry } }), { name: uri });
      assert.equal(t.registryDestination, expected[i], `${uri} with registry ${registry}`);
    });
  }
  // The registry URI itself keeps the password.
  assert.equal(
    resolveTarget(ctx(), { name: "db:sqlite://user:pw@host/foo.db" }).registryUri.toString(),
    "db:sqlite://user:pw@host/sqitch.db",
  );
});

Deno.test("target: registryUriFor other engines", () => {
  const u = (s: string) => DbUri.parse(s);
  assert.equal(
    registryUriFor(u("db:firebird:foo.fdb"), "firebird", "reg").toString(),
    "db:firebird:reg.fdb",
  );
  assert.equal(
    registryUriFor(u("db:firebird:foo.fdb"), "firebird", "r.gdb").toString(),
    "db:firebird:r.gdb",
  );
  assert.equal(
    registryUriFor(u("db:firebird:a/foo"), "firebird", "sqitch").toString(),
    "db:firebird:a/sqitch",
  );
  assert.equal(registryUriFor(u("db:firebird:"), "firebird", "sqitch").toString(), "db:firebird:");
  assert.equal(
    registryUriFor(u("db:firebird:x.fdb"), "firebird", "/r.fdb").toString(),
    "db:firebird:/r.fdb",
  );
  assert.equal(registryUriFor(u("db:mysql://h/d"), "mysql", "reg").toString(), "db:mysql://h/reg");
  assert.equal(registryUriFor(u("db:pg://h/d"), "pg", "reg").toString(), "db:pg://h/d");
  assert.equal(
    registryUriFor(u("db:sqlite:x.db"), "sqlite", "C:\\r.db", "windows").toString(),
    "db:sqlite:C:%5Cr.db",
  );
  assert.equal(
    registryUriFor(u("db:sqlite:.hidden"), "sqlite", "reg").toString(),
    "db:sqlite:reg.hidden",
  );
});

// ---------------------------------------------------------------------------
// all_targets

Deno.test("target: allTargets order and de-duplication", () => {
  const c = ctx({
    "core.engine": "sqlite",
    "engine.sqlite.target": "db:sqlite:main.db",
    "engine.pg.target": "prod",
    "engine.mysql.target": "db:mysql://h/x",
    "engine.oracle.client": "sqlplus",
    "engine.vertica.variables.a": "1",
    "target.prod.uri": "db:pg://h/prod",
    "target.qa.uri": "db:pg://h/qa",
    "target.dotted.name.uri": "db:pg://h/dotted",
  });
  assert.deepEqual(allTargets(c).map((t) => t.name), [
    "db:sqlite:main.db",
    "prod",
    "qa",
    "db:mysql://h/x",
    "db:oracle:",
    "db:vertica:",
  ]);
  // $SQITCH_TARGET changes nothing (Sqitch 1.3.1 dies here when engine-only sections exist).
  const e = { ...c, env: { SQITCH_TARGET: "qa" } };
  assert.deepEqual(allTargets(e).map((t) => t.name), allTargets(c).map((t) => t.name));
  // core.target first; engines already seen through a target are skipped.
  const c2 = ctx({
    "core.target": "qa",
    "core.engine": "pg",
    "target.qa.uri": "db:pg://h/qa",
    "engine.pg.client": "psql",
    "engine.sqlite.target": "qa",
  });
  assert.deepEqual(allTargets(c2).map((t) => t.name), ["qa", "db:pg:"]);
  const c3 = ctx({ "core.engine": "pg", "engine.pg.client": "psql" });
  assert.deepEqual(allTargets(c3).map((t) => t.name), ["db:pg:"]);
  assert.deepEqual(allTargets(ctx({})).map((t) => t.name), []);
});

// ---------------------------------------------------------------------------
// Positional arguments (cli.md §4)

const PROJECT = {
  "core.engine": "sqlite",
  "engine.sqlite.target": "db:sqlite:flipr.db",
  "engine.pg.target": "db:pg://h/pgdb",
  "target.prod.uri": "db:pg://h/prod",
  "target.prod.plan_file": "prod.plan",
};

function names(ts: Target[]): string[] {
  return ts.map((t) => t.name);
}

Deno.test("target: classifyArgs steps 2–6", () => {
  const files = new Set(["sqitch.plan", "prod.plan", "other.plan", "./sqitch.plan"]);
  const c = classifyArgs(ctx(PROJECT), {
    args: [
      "users",
      "prod",
      "widgets",
      "db:sqlite:x.db",
      "DB:sqlite:y.db",
      "pg",
      "mysql",
      "prod.plan",
      "other.plan",
      "nope",
      "pg:x",
      "./sqitch.plan",
      "sqitch.plan",
    ],
    isChange: (arg, t) =>
      (t.name === "db:sqlite:flipr.db" && arg === "users") ||
      (t.name === "prod" && arg === "widgets"),
    fileExists: (p) => files.has(p),
  });
  assert.deepEqual(c.changes, ["users", "widgets"]);
  assert.deepEqual(names(c.targets), [
    "prod",
    "db:sqlite:x.db",
    "DB:sqlite:y.db",
    "db:pg://h/pgdb",
    "db:mysql:",
    "db:sqlite:flipr.db",
  ]);
  assert.deepEqual(c.unknown, ["other.plan", "nope", "pg:x", "./sqitch.plan"]);
  assert.equal(c.defaultTarget?.name, "db:sqlite:flipr.db");
});

Deno.test("target: classifyArgs engine list, --target and duplicates", () => {
  const c = ctx(PROJECT);
  const none = () => false;
  assert.deepEqual(names(classifyArgs(c, { args: ["cockroach"], fileExists: none }).targets), [
    "db:cockroach:",
  ]);
  assert.deepEqual(
    classifyArgs(c, { args: ["cockroach"], fileExists: none, engines: ["pg", "sqlite"] }).unknown,
    ["cockroach"],
  );
  const t = classifyArgs(c, { args: ["prod", "pg", "prod"], target: "prod", fileExists: none });
  assert.deepEqual(names(t.targets), ["prod", "db:pg://h/pgdb"]);
  assert.equal(t.defaultTarget, undefined);
  fails(
    () => classifyArgs(c, { args: [], target: "nosuch", fileExists: none }),
    'Cannot find target "nosuch"',
  );
  // Without isChange nothing is a change.
  assert.deepEqual(classifyArgs(c, { args: ["users"], fileExists: none }).unknown, ["users"]);
});

Deno.test("target: parseArgs errors and target choice", () => {
  const none = () => false;
  const c = ctx(PROJECT);
  fails(
    () => parseArgs(c, { command: "status", args: ["foo"], fileExists: none }),
    'Unknown argument "foo"',
    "status",
  );
  fails(
    () => parseArgs(c, { command: "status", args: ["foo", "bar"], fileExists: none }),
    "Unknown arguments: foo, bar",
  );
  fails(
    () =>
      parseArgs(c, {
        command: "tag",
        all: true,
        args: ["v1", "sqlite"],
        names: [undefined],
        fileExists: none,
      }),
    "Cannot specify both --all and engine, target, or plan arugments",
    "tag",
  );
  const tag = parseArgs(c, {
    command: "tag",
    args: ["v1", "pg", "note"],
    names: [undefined, undefined],
    fileExists: none,
  });
  assert.deepEqual(tag.names, ["v1", "note"]);
  assert.deepEqual(names(tag.targets), ["db:pg://h/pgdb"]);
  const given = parseArgs(c, {
    command: "tag",
    args: ["x"],
    names: ["given", "0"],
    fileExists: none,
  });
  assert.deepEqual(given.names, ["given", "x"]);
  assert.deepEqual(names(given.targets), ["db:sqlite:flipr.db"]);
  const missing = parseArgs(c, { command: "tag", args: [], names: [undefined], fileExists: none });
  assert.deepEqual(missing.names, [undefined]);
  const all = parseArgs(c, { command: "tag", all: true, args: [], fileExists: none });
  assert.deepEqual(names(all.targets), ["db:sqlite:flipr.db", "prod", "db:pg://h/pgdb"]);
  const cfgAll = parseArgs(ctx({ ...PROJECT, "add.all": "true" }), {
    command: "add",
    args: [],
    fileExists: none,
  });
  assert.deepEqual(names(cfgAll.targets), ["db:sqlite:flipr.db", "prod", "db:pg://h/pgdb"]);
  const cfgNamed = parseArgs(ctx({ ...PROJECT, "add.all": "1" }), {
    command: "add",
    args: ["prod"],
    fileExists: none,
  });
  assert.deepEqual(names(cfgNamed.targets), ["prod"]);
  assert.deepEqual(parseArgs(c, { command: "status", args: [], fileExists: none }).changes, []);
});

Deno.test("target: parseArgs defers the default-target error", () => {
  const none = () => false;
  const c = ctx({ "target.prod.uri": "db:pg:prod" }, { initialized: true });
  assert.deepEqual(
    names(parseArgs(c, { command: "status", args: ["prod"], fileExists: none }).targets),
    ["prod"],
  );
  fails(
    () => parseArgs(c, { command: "status", args: [], fileExists: none }),
    "No engine specified; specify via target or core.engine",
  );
  const a = parseArgs(ctx({ "target.prod.uri": "db:pg:prod", "status.all": "yes" }), {
    command: "status",
    args: [],
    fileExists: none,
  });
  assert.deepEqual(names(a.targets), ["prod"]);
  const u = ctx({}, { initialized: false });
  fails(
    () => parseArgs(u, { command: "status", args: [], fileExists: none }),
    'No project configuration found. Run the "init" command to initialize a project',
  );
});

Deno.test("target: parseArgs plan file arguments use -f for every target", () => {
  const c = ctx(PROJECT, { overrides: { planFile: "x.plan" } });
  const p = parseArgs(c, {
    command: "status",
    args: ["x.plan"],
    fileExists: (f) => f === "x.plan",
  });
  assert.deepEqual(names(p.targets), ["db:sqlite:flipr.db"]);
});
