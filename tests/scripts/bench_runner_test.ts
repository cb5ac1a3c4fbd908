/**
 * Tests of scripts/bench_runner.ts: sqlitch runs as the release bundle
 * with the binary's V8 flags (or as $SQLITCH_BIN), medians, and runs
 * taken in turns.
 */
import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import {
  benchedSqlitch,
  median,
  sqlitchCommand,
  timeInTurns,
  timeRun,
} from "../../scripts/bench_runner.ts";
import { compileArgs, V8_FLAGS } from "../../scripts/compile.ts";

Deno.test("sqlitchCommand: deno run of the bundle with the flags the binary is built with", () => {
  const cmd = sqlitchCommand("/b/release_entry.js", {});
  strictEqual(cmd[0], Deno.execPath());
  strictEqual(cmd[1], "run");
  strictEqual(cmd.at(-1), "/b/release_entry.js");
  const flags = cmd.find((a) => a.startsWith("--v8-flags="));
  strictEqual(flags, `--v8-flags=${V8_FLAGS.join(",")}`);
  ok(compileArgs("x86_64-unknown-linux-gnu", "dist", "dist/.bundle").includes(flags!));
});

Deno.test("sqlitchCommand and benchedSqlitch: $SQLITCH_BIN runs as it is", async () => {
  deepStrictEqual(sqlitchCommand("/b/x.js", { SQLITCH_BIN: "/opt/sqlitch" }), ["/opt/sqlitch"]);
  deepStrictEqual(await benchedSqlitch({ SQLITCH_BIN: "/opt/sqlitch" }), ["/opt/sqlitch"]);
});

Deno.test("benchedSqlitch: the bundle it builds runs sqlitch", async () => {
  const cmd = await benchedSqlitch({});
  const out = await new Deno.Command(cmd[0], { args: [...cmd.slice(1), "--version"] }).output();
  strictEqual(out.code, 0);
  ok(new TextDecoder().decode(out.stdout).includes("(sqlitch) v"));
});

Deno.test("median: odd and even counts", () => {
  strictEqual(median([3, 1, 2]), 2);
  strictEqual(median([4, 1, 3, 2]), 2.5);
});

Deno.test("timeRun: a failing run throws with its exit code and standard error", async () => {
  await rejects(
    timeRun(["sh", "-c", "echo broken >&2; exit 3"], "."),
    /failed with exit 3:\nbroken/,
  );
});

Deno.test("timeInTurns: cases alternate command by command, warm-up round first", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const log = `${dir}/order`;
    const side = (name: string) => ({
      cmd: ["sh", "-c", `echo "$0 $1" >> ${log}`, name],
      cwd: dir,
    });
    const medians = await timeInTurns([side("a"), side("b")], ["status", "log"], 2);
    const round = ["a status", "b status", "a log", "b log"];
    deepStrictEqual((await Deno.readTextFile(log)).trim().split("\n"), [
      ...round,
      ...round,
      ...round,
    ]);
    deepStrictEqual(medians.map((m) => Object.keys(m)), [["status", "log"], ["status", "log"]]);
    ok(medians.every((m) => m.status > 0 && m.log > 0));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
