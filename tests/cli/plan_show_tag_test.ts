/**
 * sqlitch-only behaviour of `plan`, `show` and `tag`: the `compat =
 * sqlitch` layout (plan at `sqlitch/sqlitch.plan`, scripts under
 * `sqlitch/`), which Sqitch does not know.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { readFile, runSqlitch, withSandbox } from "./sandbox.ts";

const FILES = {
  "proj/sqlitch.conf": "[core]\n\tengine = sqlite\n\tcompat = sqlitch\n",
  "proj/sqlitch/sqlitch.plan": "%syntax-version=1.0.0\n%project=flipr\n\n" +
    "users 2024-01-02T03:04:05Z Jane Doe <jane@example.com> # Users.\n",
  "proj/sqlitch/deploy/users.sql": "CREATE TABLE users ();\n",
};

Deno.test("plan, show and tag use the sqlitch layout", async () => {
  await withSandbox(FILES, async (sb) => {
    assertEquals(await runSqlitch(sb, ["plan", "--oneline"]), {
      code: 0,
      stdout: "# Project: flipr\n# File:    sqlitch/sqlitch.plan\n\ne511fa deploy users\n",
      stderr: "",
    });
    assertEquals(await runSqlitch(sb, ["plan", "--no-headers", "-f", "format:%n %F"]), {
      code: 0,
      stdout: "users sqlitch/deploy/users.sql\n",
      stderr: "",
    });
    assertEquals(await runSqlitch(sb, ["show", "deploy", "users"]), {
      code: 0,
      stdout: "CREATE TABLE users ();\n\n",
      stderr: "",
    });
    assertEquals(await runSqlitch(sb, ["show", "-e", "revert", "users"]), {
      code: 2,
      stdout: "",
      stderr: "",
    });
    const tagged = await runSqlitch(sb, ["tag", "v1", "-n", "First."]);
    assertEquals(tagged, {
      code: 0,
      stdout: 'Tagged "users" with @v1 in sqlitch/sqlitch.plan\n',
      stderr: "",
    });
    assertEquals(
      readFile(sb, "proj/sqlitch/sqlitch.plan")?.split("\n").at(-2)?.replace(/ \S+Z .*#/, " #"),
      "@v1 # First.",
    );
    assertEquals(await runSqlitch(sb, ["--no-pager", "tag"]), {
      code: 0,
      stdout: "@v1\n",
      stderr: "",
    });
  });
});
