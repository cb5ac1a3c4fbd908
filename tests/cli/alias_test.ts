/**
 * The `sqitch` alias (a symlink or a copy named `sqitch`): started under
 * that name, sqlitch behaves exactly as under its own — every output is
 * Sqitch's, so scripts written for Sqitch keep working — except that
 * `--version` names the program it was started as and the completion
 * script completes that name. Checked with the parity kit, the alias on
 * one side and sqlitch on the other ($SQLITCH_BIN when set).
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { programName } from "../../io/install.ts";
import { versionText } from "../../main.ts";
import {
  assertParity,
  DEFAULT_CLOCK,
  defaultSqlitchCmd,
  parityAvailability,
  runScenario,
  type Scenario,
} from "../parity/kit.ts";
import { makeProgramDir } from "../smoke/programs.ts";

Deno.test("the program is sqitch when started as sqitch (symlink, copy or .exe), else sqlitch", () => {
  assertEquals(programName("/usr/lib/deno/deno", "deno"), "sqlitch");
  assertEquals(programName("/usr/local/bin/sqlitch", "sqlitch"), "sqlitch");
  assertEquals(programName("/usr/local/bin/sqlitch", "/usr/local/bin/sqitch"), "sqitch");
  assertEquals(programName("/opt/bin/sqitch", ""), "sqitch");
  assertEquals(programName("C:\\tools\\sqitch.exe", ""), "sqitch");
  assertEquals(programName("C:\\tools\\sqlitch.exe", ""), "sqlitch");
  assertEquals(
    programName(
      "/dl/sqlitch-0.1.0-x86_64-unknown-linux-gnu",
      "./sqlitch-0.1.0-x86_64-unknown-linux-gnu",
    ),
    "sqlitch",
  );
});

Deno.test("--version says which program answered and which Sqitch it stands in for", () => {
  ok(
    /^sqitch \(sqlitch\) v\d+\.\d+\.\d+ \(App::Sqitch v1\.3\.1 compatible\)$/.test(
      versionText("sqitch"),
    ),
  );
  ok(versionText("sqlitch").startsWith("sqlitch (sqlitch) v"));
});

const VERSION = (name: string) =>
  new RegExp(
    `^${name} \\(sqlitch\\) v\\d+\\.\\d+\\.\\d+ \\(App::Sqitch v1\\.3\\.1 compatible\\)\\n$`,
  );

/** A day's work on a SQLite project, with the outputs that must not depend on the name. */
function scenario(): Scenario {
  return {
    name: "sqitch alias behaves as sqlitch",
    clock: DEFAULT_CLOCK,
    steps: [
      {
        argv: "--version",
        expectSqitch: { stdout: VERSION("sqitch") },
        expectSqlitch: { stdout: VERSION("sqlitch") },
      },
      "init flipr --engine sqlite --target db:sqlite:flipr.db",
      "add users -n 'Creates table to track our users.'",
      "add flips -r users -n 'Adds flips.'",
      "deploy",
      "status",
      "log",
      "verify",
      "tag v1.0 -n 'Tag v1.0.'",
      "plan --format '%n%t'",
      "revert -y --to users",
      "revert -y",
      "status",
      "help",
      "help deploy",
      "deploy --help",
      "nosuch",
      "help nosuch",
      "deploy --nosuch",
      "revert -y",
      "config --get core.engine",
      "--etc-path",
      "completion --complete -- sqitch deploy --to ''",
      {
        argv: "completion bash",
        expectSqitch: { stdout: /\ncomplete -F __sqitch_complete sqitch\n$/ },
        expectSqlitch: { stdout: /\ncomplete -F __sqlitch_complete sqlitch\n$/ },
      },
    ],
  };
}

const faketime = parityAvailability(["faketime"]);

Deno.test({
  name: "started as sqitch, every output matches sqlitch's but --version and the completion script",
  ignore: faketime.status === "skip",
  fn: async () => {
    if (faketime.status === "fail") throw new Error(faketime.reason);
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "sqlitch-alias-" }));
    try {
      const programs = await makeProgramDir(dir);
      const sc = scenario();
      sc.env = programs.env;
      assertParity(
        await runScenario(sc, {
          sqitchCmd: [`${programs.bin}/sqitch`],
          sqlitchCmd: defaultSqlitchCmd(),
        }),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
