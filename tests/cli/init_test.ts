/**
 * sqlitch-only behaviour of `init`: the `--compat sqlitch` layout, the
 * `--compat` value check, and failures that must leave nothing behind.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { listTree, readFile, runSqlitch, withSandbox } from "./sandbox.ts";

const SQLITCH_CONF = `[core]
\tengine = sqlite
\tcompat = sqlitch
\ttop_dir = sqlitch
\t# plan_file = sqlitch/sqlitch.plan
\t# deploy_dir = sqlitch/deploy
\t# revert_dir = sqlitch/revert
\t# verify_dir = sqlitch/verify
\t# extension = sql
# [engine "sqlite"]
\t# target = db:sqlite:
\t# registry = sqitch
\t# client = sqlite3
`;

Deno.test("init --compat sqlitch writes the sqlitch layout", async () => {
  await withSandbox({}, async (sb) => {
    const r = await runSqlitch(sb, ["init", "flipr", "--compat", "sqlitch", "--engine", "sqlite"]);
    assertEquals(r, {
      code: 0,
      stdout: "Created sqlitch.conf\nCreated sqlitch/\nCreated sqlitch/sqlitch.plan\n" +
        "Created sqlitch/deploy/\nCreated sqlitch/revert/\nCreated sqlitch/verify/\n",
      stderr: "",
    });
    assertEquals(readFile(sb, "proj/sqlitch.conf"), SQLITCH_CONF);
    assertEquals(
      readFile(sb, "proj/sqlitch/sqlitch.plan"),
      "%syntax-version=1.0.0\n%project=flipr\n\n",
    );
    assertEquals(listTree(sb), [
      "proj/sqlitch.conf",
      "proj/sqlitch/",
      "proj/sqlitch/deploy/",
      "proj/sqlitch/revert/",
      "proj/sqlitch/sqlitch.plan",
      "proj/sqlitch/verify/",
    ]);
    // The project reads back in sqlitch mode.
    assertEquals((await runSqlitch(sb, ["config", "core.compat"])).stdout, "sqlitch\n");
    const show = await runSqlitch(sb, ["engine", "show", "sqlite"]);
    assertEquals(show.stdout.includes("    Plan File:     sqlitch/sqlitch.plan\n"), true);
  });
});

Deno.test("init --compat sqlitch without an engine, and with explicit settings", async () => {
  await withSandbox({}, async (sb) => {
    const r = await runSqlitch(sb, ["init", "flipr", "--compat", "sqlitch"]);
    assertEquals(r.code, 0);
    assertEquals(
      readFile(sb, "proj/sqlitch.conf"),
      "[core]\n\tcompat = sqlitch\n\ttop_dir = sqlitch\n\t# engine = \n" +
        "\t# plan_file = sqlitch/sqlitch.plan\n\t# deploy_dir = sqlitch/deploy\n" +
        "\t# revert_dir = sqlitch/revert\n\t# verify_dir = sqlitch/verify\n\t# extension = sql\n",
    );
  });
  await withSandbox({}, async (sb) => {
    const r = await runSqlitch(sb, [
      "init",
      "flipr",
      "--compat=sqlitch",
      "--engine=pg",
      "--top-dir=db",
      "--extension=ddl",
      "--dir",
      "deploy=db/up",
    ]);
    assertEquals(r.code, 0);
    assertEquals(
      readFile(sb, "proj/sqlitch.conf"),
      "[core]\n\tengine = pg\n\tcompat = sqlitch\n\ttop_dir = db\n\textension = ddl\n" +
        "\tdeploy_dir = db/up\n\t# plan_file = db/sqlitch.plan\n\t# revert_dir = db/revert\n" +
        '\t# verify_dir = db/verify\n# [engine "pg"]\n\t# target = db:pg:\n' +
        "\t# registry = sqitch\n\t# client = psql\n",
    );
    assertEquals(readFile(sb, "proj/db/sqlitch.plan"), "%syntax-version=1.0.0\n%project=flipr\n\n");
  });
});

Deno.test("init --compat sqitch writes exactly what Sqitch writes", async () => {
  await withSandbox({}, async (sb) => {
    const r = await runSqlitch(sb, ["init", "flipr", "--compat", "sqitch", "--engine", "sqlite"]);
    assertEquals(r.code, 0);
    assertEquals(
      readFile(sb, "proj/sqitch.conf"),
      '[core]\n\tengine = sqlite\n\t# plan_file = sqitch.plan\n\t# top_dir = .\n# [engine "sqlite"]\n' +
        "\t# target = db:sqlite:\n\t# registry = sqitch\n\t# client = sqlite3\n",
    );
  });
});

Deno.test("init --compat with a bad value fails and writes nothing", async () => {
  await withSandbox({}, async (sb) => {
    const r = await runSqlitch(sb, ["init", "flipr", "--compat", "bogus"]);
    assertEquals(r, {
      code: 2,
      stdout: "",
      stderr: 'Invalid --compat value "bogus": must be "sqitch" or "sqlitch"\n',
    });
    assertEquals(listTree(sb), []);
  });
});

Deno.test("init --compat sqlitch refuses a project already in sqitch mode", async () => {
  await withSandbox({ "proj/sqitch.conf": "[core]\n\tengine = sqlite\n" }, async (sb) => {
    const r = await runSqlitch(sb, ["init", "flipr", "--compat", "sqlitch"]);
    assertEquals(r.code, 2);
    assertEquals(
      r.stderr,
      'Cannot initialize with --compat sqlitch: sqitch.conf already uses compat mode "sqitch"\n',
    );
    assertEquals(listTree(sb), ["proj/sqitch.conf"]);
  });
});

Deno.test("init into an unwritable location fails with one line", async () => {
  await withSandbox({ "proj/afile": "" }, async (sb) => {
    const r = await runSqlitch(sb, ["init", "flipr"], { SQITCH_CONFIG: "afile/x.conf" });
    assertEquals(r.code, 2);
    assertEquals(r.stdout, "");
    assertEquals(r.stderr.startsWith("Can't open afile/x.conf.lock for writing: "), true);
    assertEquals(listTree(sb), ["proj/afile"]);
  });
});

Deno.test("SQLITCH_CONFIG names the file init writes, beating SQITCH_CONFIG", async () => {
  await withSandbox({}, async (sb) => {
    const r = await runSqlitch(sb, ["init", "flipr"], {
      SQITCH_CONFIG: "old.conf",
      SQLITCH_CONFIG: "new.conf",
    });
    assertEquals(r.stdout.split("\n")[0], "Created new.conf");
    assertEquals(readFile(sb, "proj/old.conf"), undefined);
  });
});
