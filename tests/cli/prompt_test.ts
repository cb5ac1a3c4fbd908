import { strictEqual } from "node:assert/strict";
import { Output } from "../../core/output.ts";
import type { CommandContext } from "../../commands/context.ts";
import { askYesNo, StreamLines } from "../../commands/prompt.ts";

/** A context with captured stdout and the given stdin bytes. */
function setup(stdin: string, tty = false) {
  let stdout = "";
  const out = new Output({ write: (t) => stdout += t }, { write: () => {} }, 1);
  const ctx = {
    out,
    host: { isTerminal: { stdin: tty, stdout: tty } },
  } as unknown as CommandContext;
  const bytes = new TextEncoder().encode(stdin);
  let done = false;
  const input = new StreamLines((p) => {
    if (done || bytes.length === 0) return Promise.resolve(null);
    done = true;
    p.set(bytes);
    return Promise.resolve(bytes.length);
  });
  return { ctx, input, stdout: () => stdout };
}

Deno.test("askYesNo: unattended takes the default and prints it", async () => {
  const s = setup("");
  strictEqual(await askYesNo(s.ctx, "Go?", true, s.input), true);
  strictEqual(s.stdout(), "Go? [Yes] Yes\n");
});

Deno.test("askYesNo: prefixes, empty line = default, bad answers re-ask", async () => {
  const s = setup("\nNO\nmaybe\n y\nye");
  strictEqual(await askYesNo(s.ctx, "Go?", false, s.input), false);
  strictEqual(await askYesNo(s.ctx, "Go?", true, s.input), false);
  strictEqual(await askYesNo(s.ctx, "Go?", false, s.input), true);
  strictEqual(
    s.stdout(),
    "Go? [No] Go? [Yes] Go? [No] " + 'Please answer "y" or "n".\n' + "Go? [No] " +
      'Please answer "y" or "n".\n' + "Go? [No] ",
  );
});

Deno.test("askYesNo: three bad answers abort", async () => {
  const s = setup("a\nb\nc\n");
  let message = "";
  try {
    await askYesNo(s.ctx, "Go?", true, s.input);
  } catch (e) {
    message = (e as Error).message;
  }
  strictEqual(message, "No valid answer after 3 attempts; aborting");
});

Deno.test("askYesNo: a terminal stdin with stdout in a file is not interactive (EOF prints the default)", async () => {
  const s = setup("", true);
  (s.ctx.host as { interactive?: boolean }).interactive = false;
  strictEqual(await askYesNo(s.ctx, "Go?", false, s.input), false);
  strictEqual(s.stdout(), "Go? [No] No\n");
});
