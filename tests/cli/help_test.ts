/**
 * `help` and `--help`: every command's help shows its usage text (the
 * texts of Sqitch's usage appendix) on stdout with exit 0; unknown topics
 * exit 1 like Sqitch.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { COMMAND_LIST, USAGE } from "../../commands/usage.ts";
import { runSqlitch, withSandbox } from "./sandbox.ts";

Deno.test("help <command> and <command> --help show the usage text for every command", async () => {
  await withSandbox({}, async (sb) => {
    for (const [command, usage] of Object.entries(USAGE)) {
      for (const args of [["help", command], [command, "--help"]]) {
        const r = await runSqlitch(sb, args);
        assertEquals(r.code, 0, args.join(" "));
        assertEquals(r.stderr, "", args.join(" "));
        ok(r.stdout.startsWith(`Name\n    sqitch-${command} - `), args.join(" "));
        ok(r.stdout.endsWith(usage), args.join(" "));
      }
    }
  });
});

Deno.test("help without a topic and --help alone show the command list", async () => {
  await withSandbox({}, async (sb) => {
    for (const args of [["help"], ["--help"], ["--man"]]) {
      assertEquals(await runSqlitch(sb, args), { code: 0, stdout: COMMAND_LIST, stderr: "" });
    }
  });
});

Deno.test("help on concepts, guides and unknown topics", async () => {
  await withSandbox({}, async (sb) => {
    for (const topic of ["configuration", "environment", "authentication", "passwords"]) {
      const r = await runSqlitch(sb, ["help", topic]);
      assertEquals(r.code, 0, topic);
      ok(r.stdout.includes(`sqitch-${topic === "passwords" ? "authentication" : topic}`), topic);
    }
    ok((await runSqlitch(sb, ["help", "--guide"])).stdout.includes("sqitchguides"));
    assertEquals(await runSqlitch(sb, ["help", "nosuch"]), {
      code: 1,
      stdout: "No manual entry for sqitch-nosuch\n",
      stderr: "",
    });
    assertEquals(
      (await runSqlitch(sb, ["help", "tutorial-nope"])).stdout,
      "No manual entry for sqitchtutorial-nope\n",
    );
  });
});

Deno.test("--version says what it is, anywhere on the line", async () => {
  await withSandbox({}, async (sb) => {
    for (const args of [["--version"], ["config", "--vers"]]) {
      const r = await runSqlitch(sb, args);
      assertEquals(r.code, 0);
      ok(
        /^sqlitch \(sqlitch\) v\d+\.\d+\.\d+ \(App::Sqitch v1\.3\.1 compatible\)\n$/.test(r.stdout),
      );
    }
  });
});
