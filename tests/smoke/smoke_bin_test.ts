/**
 * A test of the smoke test: run tests/smoke/smoke_test.ts with $SQLITCH_BIN
 * naming a stand-in "binary" (a bash script that records each call and
 * then runs main.ts) and check that the suite passed and that every
 * program run went through the stand-in, so a compiled binary given the
 * same way is what gets tested. Skipped when $SQLITCH_BIN is already set
 * (then the smoke suite itself is testing the real thing).
 */
import { ok } from "node:assert/strict";
import { runSmokeSuite, sourceLauncher } from "./programs.ts";

Deno.test({
  name: "with $SQLITCH_BIN set, the smoke suite runs that program",
  ignore: Deno.env.get("SQLITCH_BIN") !== undefined,
  fn: async () => {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "sqlitch-smoke-bin-" }));
    try {
      const log = `${dir}/calls.log`;
      const bin = `${dir}/sqlitch`;
      const launcher = sourceLauncher().replace(
        "\nexec ",
        `\nprintf '%s\\n' "$*" >> '${log}'\nexec `,
      );
      await Deno.writeTextFile(bin, launcher);
      await Deno.chmod(bin, 0o755);
      await runSmokeSuite(bin);
      const calls = (await Deno.readTextFile(log)).split("\n");
      ok(calls.includes("--version"), calls.join("\n"));
      ok(calls.includes("deploy"), calls.join("\n"));
      ok(calls.includes("revert -y"), calls.join("\n"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
