/**
 * sqlitch-only behaviour of `bundle`: the `compat = sqlitch` layout
 * (`sqlitch.conf` and everything under `sqlitch/`, which Sqitch does not
 * know), a lone `--to` ending the range (Sqitch 1.3.1 starts it there), and
 * a bundle that sqlitch can bundle and deploy again.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { listTree, readFile, runSqlitch, withSandbox } from "./sandbox.ts";

const HEAD = "%syntax-version=1.0.0\n%project=flipr\n\n";
const PLAN = HEAD +
  "users 2024-01-02T03:04:05Z Jane Doe <jane@example.com> # Users.\n" +
  "@v1 2024-01-02T03:04:06Z Jane Doe <jane@example.com>\n" +
  "flips [users] 2024-01-02T03:04:07Z Jane Doe <jane@example.com> # Flips.\n";

/** Scripts for `names` below `dir`. */
function scripts(dir: string, ...names: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const n of names) {
    files[`${dir}/deploy/${n}.sql`] = `CREATE TABLE ${n} (id INT);\n`;
    files[`${dir}/revert/${n}.sql`] = `DROP TABLE ${n};\n`;
    files[`${dir}/verify/${n}.sql`] = `SELECT id FROM ${n} WHERE 0;\n`;
  }
  return files;
}

const COMPAT = {
  "proj/sqlitch.conf": "[core]\n\tengine = sqlite\n\tcompat = sqlitch\n" +
    '[engine "sqlite"]\n\ttarget = db:sqlite:flipr.db\n',
  "proj/sqlitch/sqlitch.plan": PLAN,
  ...scripts("proj/sqlitch", "users", "flips"),
};

Deno.test("bundle writes the sqlitch layout in a compat = sqlitch project", async () => {
  await withSandbox(COMPAT, async (sb) => {
    assertEquals(await runSqlitch(sb, ["bundle"]), {
      code: 0,
      stdout: "Bundling into bundle\nWriting config\nWriting plan\nWriting scripts\n" +
        "  + users @v1\n  + flips\n",
      stderr: "",
    });
    assertEquals(listTree(sb, "proj/bundle"), [
      "proj/bundle/sqlitch.conf",
      "proj/bundle/sqlitch/",
      "proj/bundle/sqlitch/deploy/",
      "proj/bundle/sqlitch/deploy/flips.sql",
      "proj/bundle/sqlitch/deploy/users.sql",
      "proj/bundle/sqlitch/revert/",
      "proj/bundle/sqlitch/revert/flips.sql",
      "proj/bundle/sqlitch/revert/users.sql",
      "proj/bundle/sqlitch/sqlitch.plan",
      "proj/bundle/sqlitch/verify/",
      "proj/bundle/sqlitch/verify/flips.sql",
      "proj/bundle/sqlitch/verify/users.sql",
    ]);
    assertEquals(readFile(sb, "proj/bundle/sqlitch.conf"), COMPAT["proj/sqlitch.conf"]);
    assertEquals(readFile(sb, "proj/bundle/sqlitch/sqlitch.plan"), PLAN);

    // The bundle is a project of its own: it deploys, and bundles again.
    const deployed = await runSqlitch(sb, ["deploy"], {}, "proj/bundle");
    assertEquals([deployed.code, deployed.stderr], [0, ""]);
    const again = await runSqlitch(sb, ["-vv", "bundle", "--from", "flips"], {}, "proj/bundle");
    assertEquals(again, {
      code: 0,
      stdout: "Bundling into bundle\nWriting config\ndebug:     Created bundle\n" +
        "debug:     Copying sqlitch.conf -> bundle/sqlitch.conf\n" +
        "Writing plan from flips to @HEAD\ndebug:     Created bundle/sqlitch\n" +
        "Writing scripts\n  + flips\ndebug:     Created bundle/sqlitch/deploy\n" +
        "debug:     Copying sqlitch/deploy/flips.sql -> bundle/sqlitch/deploy/flips.sql\n" +
        "debug:     Created bundle/sqlitch/revert\n" +
        "debug:     Copying sqlitch/revert/flips.sql -> bundle/sqlitch/revert/flips.sql\n" +
        "debug:     Created bundle/sqlitch/verify\n" +
        "debug:     Copying sqlitch/verify/flips.sql -> bundle/sqlitch/verify/flips.sql\n",
      stderr: "",
    });
    assertEquals(
      readFile(sb, "proj/bundle/bundle/sqlitch/sqlitch.plan"),
      HEAD + PLAN.slice(PLAN.indexOf("flips")),
    );
  });
});

Deno.test("bundle --to alone ends the range there", async () => {
  const files = {
    "proj/sqitch.conf": "[core]\n\tengine = sqlite\n",
    "proj/sqitch.plan": PLAN,
    ...scripts("proj", "users", "flips"),
  };
  await withSandbox(files, async (sb) => {
    assertEquals(await runSqlitch(sb, ["bundle", "--to", "@v1"]), {
      code: 0,
      stdout: "Bundling into bundle\nWriting config\nWriting plan from @ROOT to @v1\n" +
        "Writing scripts\n  + users @v1\n",
      stderr: "",
    });
    assertEquals(readFile(sb, "proj/bundle/sqitch.plan"), PLAN.slice(0, PLAN.indexOf("flips")));
    assertEquals(listTree(sb, "proj/bundle/deploy"), ["proj/bundle/deploy/users.sql"]);

    assertEquals(await runSqlitch(sb, ["bundle", "--to", "nope", "--dir", "x"]), {
      code: 2,
      stdout: "Bundling into x\nWriting config\nWriting plan from @ROOT to nope\n",
      stderr: "Cannot find change nope\n",
    });
  });
});

Deno.test("bundle options: --help and an unknown option", async () => {
  await withSandbox({ "proj/sqitch.conf": "[core]\n\tengine = sqlite\n" }, async (sb) => {
    const help = await runSqlitch(sb, ["bundle", "--help"]);
    assertEquals(help.code, 0);
    assertEquals(help.stdout.includes("sqitch bundle [options]"), true);
    const bad = await runSqlitch(sb, ["bundle", "--target", "x"]);
    assertEquals(bad.code, 2);
    assertEquals(bad.stderr.startsWith("Unknown option: target\nUsage:\n"), true);
  });
});
