/**
 * Smoke test of the program as shipped: a short end-to-end run through the
 * same runner as the CLI tests (tests/cli/sandbox.ts), so it exercises
 * main.ts from source normally and the compiled binary when $SQLITCH_BIN
 * names it (the release workflow does). It covers what a broken build
 * breaks first: start-up and --version, the help texts, the templates
 * bundled for `add`, a SQLite project's init → add → deploy → status → log
 * → verify → revert, the npm database drivers loading, and completion.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import denoConfig from "../../deno.json" with { type: "json" };
import { COMMAND_LIST, USAGE } from "../../commands/usage.ts";
import { defaultSqlitchCmd } from "../parity/kit.ts";
import { readFile, runSqlitch, type Sandbox, withSandbox } from "../cli/sandbox.ts";

const USER_CONFIG = "[user]\n\tname = Smoke Tester\n\temail = smoke@example.com\n";

/** A sandbox with a user identity, for `fn`. */
function withProject(fn: (sb: Sandbox) => Promise<void>): Promise<void> {
  return withSandbox({ "home/.sqitch/sqitch.conf": USER_CONFIG }, fn);
}

/** Run and require exit `code` and an empty stderr; returns stdout. */
async function expectRun(sb: Sandbox, args: string[], code = 0): Promise<string> {
  const r = await runSqlitch(sb, args);
  assertEquals({ code: r.code, stderr: r.stderr }, { code, stderr: "" }, args.join(" "));
  return r.stdout;
}

Deno.test("the program under test is $SQLITCH_BIN when set, else main.ts from source", () => {
  const bin = Deno.env.get("SQLITCH_BIN");
  const cmd = defaultSqlitchCmd();
  if (bin) assertEquals(cmd, [bin]);
  else ok(cmd[0] === Deno.execPath() && cmd.at(-1)!.endsWith("/main.ts"), cmd.join(" "));
  console.error(`smoke: testing ${cmd.join(" ")}`);
});

Deno.test("--version, --etc-path and the help texts", async () => {
  await withProject(async (sb) => {
    const version = `(sqlitch) v${denoConfig.version} (App::Sqitch v1.3.1 compatible)\n`;
    const said = await expectRun(sb, ["--version"]);
    ok(said === `sqlitch ${version}` || said === `sqitch ${version}`, said);
    ok((await expectRun(sb, ["--etc-path"])).endsWith("sqitch\n"));
    assertEquals(await expectRun(sb, ["help"]), COMMAND_LIST);
    ok((await expectRun(sb, ["deploy", "--help"])).endsWith(USAGE.deploy));
    const r = await runSqlitch(sb, ["nosuch"]);
    assertEquals(r.code, 2);
    ok(r.stderr.startsWith('"nosuch" is not a valid command\n'), r.stderr);
  });
});

Deno.test("a SQLite project from init to revert", async () => {
  await withProject(async (sb) => {
    const run = (...args: string[]) => expectRun(sb, args);
    assertEquals(
      await run("init", "flipr", "--engine", "sqlite", "--target", "db:sqlite:flipr.db"),
      "Created sqitch.conf\nCreated sqitch.plan\nCreated deploy/\nCreated revert/\nCreated verify/\n",
    );
    await run("add", "users", "-n", "Users.");
    // The templates shipped with the program were used.
    assertEquals(
      readFile(sb, "proj/deploy/users.sql"),
      "-- Deploy flipr:users to sqlite\n\nBEGIN;\n\n-- XXX Add DDLs here.\n\nCOMMIT;\n",
    );
    await run("add", "flips", "-r", "users", "-n", "Flips.");
    for (const [name, deploy] of [["users", "name TEXT"], ["flips", "body TEXT"]]) {
      await Deno.writeTextFile(
        `${sb.proj}/deploy/${name}.sql`,
        `CREATE TABLE ${name} (${deploy});\n`,
      );
      await Deno.writeTextFile(`${sb.proj}/revert/${name}.sql`, `DROP TABLE ${name};\n`);
      await Deno.writeTextFile(`${sb.proj}/verify/${name}.sql`, `SELECT * FROM ${name} WHERE 0;\n`);
    }

    assertEquals(
      await run("deploy"),
      "Adding registry tables to db:sqlite:sqitch.db\nDeploying changes to db:sqlite:flipr.db\n" +
        "  + users .. ok\n  + flips .. ok\n",
    );
    const db = new DatabaseSync(`${sb.proj}/flipr.db`);
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .all().map((row) => row.name);
      assertEquals(tables, ["flips", "users"]);
    } finally {
      db.close();
    }
    const status = await run("status");
    ok(
      status.includes("# Name:     flips\n") && status.endsWith("Nothing to deploy (up-to-date)\n"),
    );
    const log = await run("log", "--format", "format:%e %n");
    assertEquals(
      log,
      "On database db:sqlite:flipr.db\ndeploy flips\ndeploy users\n",
    );
    assertEquals(
      await run("verify"),
      "Verifying db:sqlite:flipr.db\n  * users .. ok\n  * flips .. ok\nVerify successful\n",
    );
    assertEquals(
      await run("revert", "-y"),
      "Reverting all changes from db:sqlite:flipr.db\n  - flips .. ok\n  - users .. ok\n",
    );
    assertEquals(
      await expectRun(sb, ["status"], 1),
      "# On database db:sqlite:flipr.db\nNo changes deployed\n",
    );
  });
});

Deno.test("the npm database drivers load (they fail to connect, not to start)", async () => {
  await withProject(async (sb) => {
    const pg = await runSqlitch(sb, ["status", "db:pg://smoke@127.0.0.1:9/none"]);
    assertEquals(pg.code, 2);
    ok(pg.stderr.includes("Connection refused"), pg.stderr);
    const mysql = await runSqlitch(sb, ["status", "db:mysql://smoke@127.0.0.1:9/none"]);
    assertEquals(mysql.code, 2);
    ok(mysql.stderr.includes("Can't connect"), mysql.stderr);
  });
});

Deno.test("completion: the bash script parses and changes complete from the plan", async () => {
  await withProject(async (sb) => {
    const run = (...args: string[]) => expectRun(sb, args);
    await run("init", "flipr", "--engine", "sqlite");
    await run("add", "users", "-n", "Users.");
    await run("add", "flips", "-n", "Flips.");
    const script = await run("completion", "bash");
    const check = await new Deno.Command("bash", { args: ["-n", "-c", script] }).output();
    assertEquals(check.code, 0);
    assertEquals(
      await run("completion", "--complete", "--", "sqlitch", "deploy", "--to", ""),
      "users\nflips\n",
    );
    assertEquals(await run("completion", "--complete", "--", "sqlitch", "dep"), "deploy\n");
  });
});
