/**
 * Replays cases recorded from real Sqitch 1.3.1 (sqitch_parity_data.ts)
 * against the parser, loader and editor.
 */
import assert from "node:assert/strict";
import { ConfigData, dumpEntries } from "../../../core/config/data.ts";
import { ConfigDocument } from "../../../core/config/document.ts";
import { loadConfigFile } from "../../../core/config/loader.ts";
import type { CastType } from "../../../core/config/cast.ts";
import { SqlitchError } from "../../../core/errors.ts";
import { FakeFs } from "./fake_fs.ts";
import { EDIT_CASES, ERROR_CASES, LIST_CASES } from "./sqitch_parity_data.ts";

const DIR = "/tmp/sq/parity/r";
const FILE = `${DIR}/sqitch.conf`;

/** Apply one `sqitch config` argument list to a document (the command's dispatch). */
function run(doc: ConfigDocument, argv: string[]): void {
  const args = [...argv];
  let as: CastType | undefined;
  let action = "";
  while (args[0]?.startsWith("--")) {
    const opt = args.shift()!.slice(2);
    if (opt === "bool" || opt === "int" || opt === "num") as = opt;
    else action = opt;
  }
  const [a, b, c] = args;
  switch (action) {
    case "":
      return doc.set(a, b, c, as);
    case "add":
      return doc.add(a, b, as);
    case "replace-all":
      return doc.replaceAll(a, b, c, as);
    case "unset":
      return doc.unset(a, b);
    case "unset-all":
      return doc.unsetAll(a, b);
    case "rename-section":
      return doc.renameSection(a, b);
    case "remove-section":
      return doc.removeSection(a);
  }
  throw new Error(`unknown action ${action}`);
}

for (const c of EDIT_CASES) {
  Deno.test(`parity edit: ${c.name}`, () => {
    let text: string | undefined = c.before;
    for (const step of c.steps) {
      const doc: ConfigDocument = new ConfigDocument(text, {
        path: "sqitch.conf",
        absolute: "/w/sqitch.conf",
      });
      try {
        run(doc, step.args);
        assert.equal(step.rc, 0, `expected failure for ${step.args.join(" ")}`);
        text = doc.toString();
      } catch (e) {
        if (!(e instanceof SqlitchError)) throw e;
        assert.equal(e.exitCode, step.rc);
        assert.equal(e.message + "\n" + (e.trailingBlankLine ? "\n" : ""), step.stderr);
      }
    }
    assert.equal(text, c.after);
  });
}

for (const [name, c] of Object.entries(LIST_CASES)) {
  Deno.test(`parity --list: ${name}`, () => {
    const fs = new FakeFs({ [FILE]: c.content });
    const data = new ConfigData();
    loadConfigFile(data, FILE, DIR, { fs, home: "/home", loaded: [] });
    // Sqitch's --list adds an empty line after the dump.
    assert.equal(dumpEntries(data.entries()) + "\n", c.stdout);
  });
}

for (const [name, c] of Object.entries(ERROR_CASES)) {
  Deno.test(`parity parse error: ${name} (true line number, one line)`, () => {
    const fs = new FakeFs({ [FILE]: c.content });
    const m = /^(Error parsing \S+ at line )(\d+)(, position \d+\.)\nBad line was: (.*)\n$/s.exec(
      c.stderr,
    );
    assert.ok(m, c.stderr);
    const expected = `${m[1]}${Number(m[2]) - 1}${m[3]} Bad line was: ${m[4]}`;
    assert.throws(
      () => loadConfigFile(new ConfigData(), FILE, DIR, { fs, home: "/home", loaded: [] }),
      (e: unknown) => e instanceof SqlitchError && e.message === expected && e.exitCode === 2,
    );
  });
}
