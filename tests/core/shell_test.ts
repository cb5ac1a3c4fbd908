import { deepStrictEqual as assertEquals, rejects } from "node:assert/strict";
import { castValue } from "../../core/config/cast.ts";
import { SqlitchError } from "../../core/errors.ts";
import type { Host } from "../../core/host.ts";
import { editorCommand, needsShell, runShellCommand, shellQuoteWord } from "../../core/shell.ts";
import { FakeFs } from "./config/fake_fs.ts";

Deno.test("shellQuoteWord quotes like String::ShellQuote", () => {
  assertEquals(shellQuoteWord("sqitch.conf"), "sqitch.conf");
  assertEquals(shellQuoteWord("/a/b-c_d/e+f,g@h:i%j^k!l"), "/a/b-c_d/e+f,g@h:i%j^k!l");
  assertEquals(shellQuoteWord("é.conf"), "é.conf");
  assertEquals(shellQuoteWord(""), "''");
  assertEquals(shellQuoteWord("a b"), "'a b'");
  assertEquals(shellQuoteWord("a=b"), "'a=b'");
  assertEquals(shellQuoteWord("it's"), "'it'\\''s'");
  assertEquals(shellQuoteWord("'a"), "\\''a'");
  assertEquals(shellQuoteWord("a'"), "'a'\\'");
  assertEquals(shellQuoteWord("a''b"), `'a'"''"'b'`);
});

Deno.test("needsShell follows Perl's system STRING rules", () => {
  assertEquals(needsShell("vi sqitch.conf"), false);
  assertEquals(needsShell("sed -i s/a/b/ sqitch.conf"), false);
  assertEquals(needsShell("vi 'a b'"), true);
  assertEquals(needsShell("false; x"), true);
  assertEquals(needsShell("A=1 vi x"), true);
  assertEquals(needsShell(". x"), true);
  assertEquals(needsShell("exec vi"), true);
  assertEquals(needsShell("vi x\n"), false);
  assertEquals(needsShell("vi ~/x"), true);
});

Deno.test("editorCommand: SQLITCH_/SQITCH_EDITOR, core.editor, VISUAL, EDITOR, vi", () => {
  const all = { SQITCH_EDITOR: "s", VISUAL: "v", EDITOR: "e" };
  assertEquals(editorCommand({ ...all, SQLITCH_EDITOR: "l" }, "c"), "l");
  assertEquals(editorCommand(all, "c"), "s");
  assertEquals(editorCommand({ ...all, SQITCH_EDITOR: "0" }, "c"), "c");
  assertEquals(editorCommand({ VISUAL: "v", EDITOR: "e" }, ""), "v");
  assertEquals(editorCommand({ VISUAL: "", EDITOR: "e" }, undefined), "e");
  assertEquals(editorCommand({}, undefined), "vi");
});

function fakeHost(fs: FakeFs, code: number, seen: string[]): Host {
  return {
    env: { PATH: "/bin" },
    cwd: () => "/proj",
    fs,
    runShell: (line: string) => {
      seen.push(line);
      return Promise.resolve({ code });
    },
  } as unknown as Host;
}

Deno.test("runShellCommand: missing program, non-zero exit, success", async () => {
  const fs = new FakeFs({ "/bin/ed": "" });
  const seen: string[] = [];
  await rejects(
    runShellCommand(fakeHost(fs, 0, seen), "vi sqitch.conf"),
    (e: unknown) =>
      e instanceof SqlitchError && e.trailingBlankLine &&
      e.message === '"vi sqitch.conf" failed to start: "No such file or directory"',
  );
  assertEquals(seen, []);
  await rejects(
    runShellCommand(fakeHost(fs, 3, seen), "ed x"),
    (e: unknown) =>
      e instanceof SqlitchError && e.message === '"ed x" unexpectedly returned exit value 3',
  );
  await rejects(
    runShellCommand(fakeHost(fs, 3, seen), "ed look at x"),
    (e: unknown) => e instanceof SqlitchError && e.message === '"ed look',
  );
  await runShellCommand(fakeHost(fs, 0, seen), "ed 'a b'");
  assertEquals(seen.length, 3);
});

Deno.test("castValue bool-or-int: numbers as int, booleans as bool", () => {
  assertEquals(castValue("10k", "bool-or-int"), "10240");
  assertEquals(castValue("1", "bool-or-int"), "1");
  assertEquals(castValue("", "bool-or-int"), "0");
  assertEquals(castValue("Yes", "bool-or-int"), "true");
  assertEquals(castValue("off", "bool-or-int"), "false");
  assertEquals(castValue(null, "bool-or-int"), "1");
  let message = "";
  try {
    castValue("maybe", "bool-or-int");
  } catch (e) {
    message = (e as Error).message;
  }
  assertEquals(message, "Invalid bool-or-int 'maybe'");
});
