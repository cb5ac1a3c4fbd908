/**
 * commands/db_command.ts: the engine a command gets sends Sqitch's engine
 * warnings through the command's own output (never straight to the
 * process's stderr), whichever command asks and whether or not it passes a
 * writer for registry output.
 */
import { deepStrictEqual } from "node:assert/strict";
import { Output } from "../../core/output.ts";
import { resolveTarget } from "../../core/target.ts";
import { engineFor } from "../../commands/db_command.ts";
import { FakeConfig } from "../core/fake_config.ts";

/** An Output whose streams are captured. */
function capturedOutput(): { out: Output; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = new Output({ write: (s: string) => stdout.push(s) }, {
    write: (s: string) => stderr.push(s),
  }, 1);
  return { out, stdout, stderr };
}

Deno.test("engineFor: MySQL warnings go through the command's output", async () => {
  const target = resolveTarget(
    { config: new FakeConfig({}), env: {}, sysuser: () => "root" },
    { name: "db:mysql://root@127.0.0.1:1/" },
  );
  const { out, stdout, stderr } = capturedOutput();
  // As `revert`, `verify`, `status` and `log` ask: no registry output writer.
  const engine = await engineFor(target, "revert", { out });
  const warn = (engine as unknown as { options: { warn?: (m: string) => void } }).options.warn;
  warn?.('Database name missing in URI "db:mysql://root@127.0.0.1:1/"');
  deepStrictEqual(stdout, []);
  deepStrictEqual(stderr, [
    'warning: Database name missing in URI "db:mysql://root@127.0.0.1:1/"\n',
  ]);
  await engine.close();
});
