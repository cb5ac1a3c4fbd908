/**
 * sqlitch-only behaviour of `add` and `rework`: the `--compat sqlitch`
 * layout, `~/.sqlitch/templates`, the per-target templates of `add --all`
 * and the note of `rework --all` (both Sqitch 1.3.1 bugs), plus the note
 * prompt's text functions.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  changeNotePrompt,
  noteFileText,
  noteFromEditor,
  notePrompt,
} from "../../commands/note_editor.ts";
import { listTree, readFile, runSqlitch, withSandbox } from "./sandbox.ts";

const PLAN = "%syntax-version=1.0.0\n%project=flipr\n\n";
const TWO_ENGINES = {
  "proj/sqitch.conf": "[core]\n\tengine = sqlite\n" +
    '[engine "sqlite"]\n\tplan_file = sqlite.plan\n\ttop_dir = sqlite\n' +
    '[engine "pg"]\n\tplan_file = pg.plan\n\ttop_dir = pg\n',
  "proj/sqlite.plan": PLAN,
  "proj/pg.plan": PLAN,
};
const USER = { "home/.sqitch/sqitch.conf": "[user]\n\tname = Tester\n\temail = t@example.com\n" };

Deno.test("add and rework in the compat=sqlitch layout", async () => {
  await withSandbox(USER, async (sb) => {
    assertEquals(
      (await runSqlitch(sb, ["init", "flipr", "--compat", "sqlitch", "--engine", "sqlite"])).code,
      0,
    );
    const add = await runSqlitch(sb, ["add", "users", "-n", "Users"]);
    assertEquals(add, {
      code: 0,
      stdout: "Created sqlitch/deploy/users.sql\nCreated sqlitch/revert/users.sql\n" +
        'Created sqlitch/verify/users.sql\nAdded "users" to sqlitch/sqlitch.plan\n',
      stderr: "",
    });
    assertEquals(
      readFile(sb, "proj/sqlitch/deploy/users.sql"),
      "-- Deploy flipr:users to sqlite\n\nBEGIN;\n\n-- XXX Add DDLs here.\n\nCOMMIT;\n",
    );
    const plan = readFile(sb, "proj/sqlitch/sqlitch.plan")!;
    assertEquals(/\nusers \S+ Tester <t@example.com> # Users\n$/.test(plan), true);

    assertEquals((await runSqlitch(sb, ["tag", "v1", "-n", "v1"])).code, 0);
    const rework = await runSqlitch(sb, ["rework", "users", "-n", "Again"]);
    assertEquals(rework, {
      code: 0,
      stdout: 'Added "users [users@v1]" to sqlitch/sqlitch.plan.\n' +
        "Modify these files as appropriate:\n  * sqlitch/deploy/users.sql\n" +
        "  * sqlitch/revert/users.sql\n  * sqlitch/verify/users.sql\n",
      stderr: "",
    });
    assertEquals(listTree(sb).filter((p) => /@v1/.test(p)), [
      "proj/sqlitch/deploy/users@v1.sql",
      "proj/sqlitch/revert/users@v1.sql",
      "proj/sqlitch/verify/users@v1.sql",
    ]);
    // The new revert script is the old deploy script.
    assertEquals(
      readFile(sb, "proj/sqlitch/revert/users.sql"),
      readFile(sb, "proj/sqlitch/deploy/users.sql"),
    );
  });
});

Deno.test("add finds templates in ~/.sqlitch/templates before ~/.sqitch/templates", async () => {
  await withSandbox({
    ...USER,
    "proj/sqitch.conf": "[core]\n\tengine = sqlite\n",
    "proj/sqitch.plan": PLAN,
    "home/.sqlitch/templates/deploy/sqlite.tmpl": "-- sqlitch deploy [% change %]\n",
    "home/.sqitch/templates/deploy/sqlite.tmpl": "-- sqitch deploy [% change %]\n",
    "home/.sqitch/templates/revert/sqlite.tmpl": "-- sqitch revert [% change %]\n",
  }, async (sb) => {
    const r = await runSqlitch(sb, ["add", "x", "-n", "x"]);
    assertEquals(r.code, 0);
    assertEquals(readFile(sb, "proj/deploy/x.sql"), "-- sqlitch deploy x\n");
    assertEquals(readFile(sb, "proj/revert/x.sql"), "-- sqitch revert x\n");
    assertEquals(
      readFile(sb, "proj/verify/x.sql")?.startsWith("-- Verify flipr:x on sqlite"),
      true,
    );
  });
});

Deno.test("add --all renders each target's own templates", async () => {
  await withSandbox({ ...USER, ...TWO_ENGINES }, async (sb) => {
    const r = await runSqlitch(sb, ["add", "users", "--all", "-n", "all"]);
    assertEquals(r.code, 0);
    assertEquals(
      readFile(sb, "proj/sqlite/deploy/users.sql")?.startsWith("-- Deploy flipr:users to sqlite\n"),
      true,
    );
    // Sqitch 1.3.1 would write the sqlite template here too.
    assertEquals(
      readFile(sb, "proj/pg/deploy/users.sql"),
      "-- Deploy flipr:users to pg\n\nBEGIN;\n\n-- XXX Add DDLs here.\n\nCOMMIT;\n",
    );
  });
});

Deno.test("rework --all puts a note from the editor in every plan", async () => {
  const tagged = PLAN + "users 2026-01-01T00:00:00Z Ann <ann@example.com>\n" +
    "@v1 2026-01-01T00:00:01Z Ann <ann@example.com>\n";
  await withSandbox({
    ...USER,
    ...TWO_ENGINES,
    "proj/sqlite.plan": tagged,
    "proj/pg.plan": tagged,
  }, async (sb) => {
    const r = await runSqlitch(sb, ["rework", "--all", "users"], {
      SQITCH_EDITOR: "printf 'Edited note' >",
    });
    assertEquals(r.code, 0);
    for (const file of ["proj/sqlite.plan", "proj/pg.plan"]) {
      assertEquals(
        /\nusers \[users@v1\] \S+ Tester <t@example.com> # Edited note\n$/.test(
          readFile(sb, file)!,
        ),
        true,
        file,
      );
    }
  });
});

Deno.test("add: template errors are one line, exit 2", async () => {
  await withSandbox({ ...USER, "proj/sqitch.conf": "[core]\n\tengine = sqlite\n" }, async (sb) => {
    assertEquals(await runSqlitch(sb, ["add", "x", "--template-directory", "nope"]), {
      code: 2,
      stdout: "",
      stderr: 'Directory "nope" does not exist\n',
    });
    assertEquals(await runSqlitch(sb, ["add", "x", "--use", "deploy=nope.tmpl"]), {
      code: 2,
      stdout: "",
      stderr: "Template nope.tmpl does not exist\n",
    });
  });
});

Deno.test("note prompt texts", () => {
  const change = { formatOpNameDependencies: () => "b4 [a1 !a2]" };
  assertEquals(
    noteFileText(changeNotePrompt("add", change, ["deploy/b4.sql", "revert/b4.sql"])),
    "\n# Please enter a note for your change. Lines starting with '#' will\n" +
      "# be ignored, and an empty message aborts the add.\n# Change to add:\n# \n" +
      "#   b4 [a1 !a2]\n#     deploy/b4.sql\n#     revert/b4.sql\n#     \n\n",
  );
  assertEquals(
    noteFileText(changeNotePrompt("rework", change, [])),
    "\n# Please enter a note for your change. Lines starting with '#' will\n" +
      "# be ignored, and an empty message aborts the rework.\n# Change to rework:\n# \n" +
      "#   b4 [a1 !a2]\n#     \n\n",
  );
  assertEquals(
    noteFileText(notePrompt("tag")),
    "\n# Write a tag note.\n# Lines starting with '#' will be ignored.\n",
  );
});

Deno.test("notes read back from the editor", () => {
  assertEquals(noteFromEditor("\n# Write a tag note.\n"), undefined);
  assertEquals(noteFromEditor(" \t\n  # x\n\u3000\n"), undefined);
  assertEquals(
    noteFromEditor("\n\r\nFirst  \n  # gone\n\tsecond\\n line\n\n\u2028"),
    "First  \n\tsecond\\n line",
  );
  assertEquals(noteFromEditor("no newline"), "no newline");
  assertEquals(noteFromEditor("0\n"), "0");
});
