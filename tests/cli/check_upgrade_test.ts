/**
 * sqlitch-only behaviour of `check` and `upgrade` through main.ts, where
 * Sqitch 1.3.1 dies with a Perl error or cannot be compared: upgrading a
 * registry that was never created or is newer than sqlitch, an inverted
 * check range, engines sqlitch cannot drive yet, and exit statuses.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { type RunResult, runSqlitch, type Sandbox, withSandbox } from "./sandbox.ts";

const CONF = '[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:flipr.db\n' +
  "[user]\n\tname = Ann\n\temail = ann@example.com\n";
const PLAN = "%syntax-version=1.0.0\n%project=flipr\n\n" +
  "one 2026-01-01T00:00:00Z Ann <ann@example.com>\n" +
  "two 2026-01-01T00:00:01Z Ann <ann@example.com>\n";
const FILES: Record<string, string> = {
  "proj/sqitch.conf": CONF,
  "proj/sqitch.plan": PLAN,
  "proj/deploy/one.sql": "CREATE TABLE one (id INT);\n",
  "proj/deploy/two.sql": "CREATE TABLE two (id INT);\n",
  "proj/revert/one.sql": "DROP TABLE one;\n",
  "proj/revert/two.sql": "DROP TABLE two;\n",
};

function sqlitch(sb: Sandbox, ...args: string[]): Promise<RunResult> {
  return runSqlitch(sb, args);
}

Deno.test("upgrade: no registry is one line on stderr, exit 2", async () => {
  await withSandbox(FILES, async (sb) => {
    const r = await sqlitch(sb, "upgrade");
    assert.deepEqual(r, {
      code: 2,
      stdout: "",
      stderr: "No registry found in db:sqlite:sqitch.db. Have you ever deployed?\n",
    });
  });
});

Deno.test("upgrade: a newer registry is one line on stderr, exit 2", async () => {
  await withSandbox(FILES, async (sb) => {
    assert.equal((await sqlitch(sb, "deploy")).code, 0);
    const db = new DatabaseSync(`${sb.proj}/sqitch.db`);
    db.exec("INSERT INTO releases VALUES (1.5, '2030-01-01', 'X', 'x@example.com')");
    db.close();
    const r = await sqlitch(sb, "upgrade");
    assert.deepEqual(r, {
      code: 2,
      stdout: "Upgrading registry db:sqlite:sqitch.db to version 1.1\n",
      stderr: "Registry version is 1.5 but 1.1 is the latest known. Please upgrade Sqitch.\n",
    });
  });
});

Deno.test("check: exit 1 on divergence (message hidden by --quiet), an inverted range is an error", async () => {
  await withSandbox(FILES, async (sb) => {
    assert.equal((await sqlitch(sb, "deploy")).code, 0);
    Deno.writeTextFileSync(`${sb.proj}/deploy/one.sql`, "CREATE TABLE one (id INT, x INT);\n");
    assert.deepEqual(await sqlitch(sb, "check"), {
      code: 1,
      stdout:
        "Checking db:sqlite:flipr.db\nScript signatures diverge at change one\nFailed one check\n",
      stderr: "",
    });
    assert.deepEqual(await sqlitch(sb, "--quiet", "check"), {
      code: 1,
      stdout: "Script signatures diverge at change one\n",
      stderr: "",
    });
    assert.deepEqual(await sqlitch(sb, "check", "--from", "two", "--to", "one"), {
      code: 2,
      stdout: "Checking db:sqlite:flipr.db\n",
      stderr: 'Change "one" was deployed before "two"; nothing to check\n',
    });
  });
});

Deno.test("check, upgrade: engines sqlitch cannot drive yet", async () => {
  await withSandbox(FILES, async (sb) => {
    const check = await sqlitch(sb, "check", "db:oracle://localhost/nowhere");
    assert.deepEqual(check, {
      code: 2,
      stdout: "",
      stderr: "sqlitch cannot check oracle targets yet\n",
    });
    const upgrade = await sqlitch(sb, "upgrade", "db:firebird://localhost/nowhere");
    assert.deepEqual(upgrade, {
      code: 2,
      stdout: "",
      stderr: "sqlitch cannot upgrade firebird targets yet\n",
    });
  });
});
