/** Tests for the text-preserving editor (config.md §3, §4.3). */
import assert from "node:assert/strict";
import {
  buildConfigText,
  ConfigDocument,
  formatDefinition,
  formatSection,
  NoSuchSectionError,
} from "../../../core/config/document.ts";
import { SqlitchError } from "../../../core/errors.ts";

/** A document for `text` (undefined = missing file) named sqitch.conf. */
function doc(text: string | undefined): ConfigDocument {
  return new ConfigDocument(text, { path: "sqitch.conf", absolute: "/p/sqitch.conf" });
}

/** Assert that `fn` throws a SqlitchError with this message (exit 2). */
function throwsMessage(fn: () => unknown, message: string, blankLine: boolean): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SqlitchError);
    assert.equal(e.message, message);
    assert.equal(e.exitCode, 2);
    assert.equal(e.trailingBlankLine, blankLine);
    return true;
  });
}

Deno.test("§3.2 example, byte for byte", () => {
  const d = doc(
    "[core]\n\tengine = pg\n\t# a comment\n\n[other]\n\tx = 1\n[core]\n\ttop_dir = .\n" +
      "# trailing comment\n[last]\n\tk = v\n",
  );
  d.set("core.new", "val");
  d.set("last.k2", "v2");
  d.set("brand.new", "yes");
  d.set("core.engine", "mysql");
  assert.equal(
    d.toString(),
    "[core]\n\tengine = mysql\n\t# a comment\n\n[other]\n\tx = 1\n[core]\n\ttop_dir = .\n" +
      "\tnew = val\n# trailing comment\n[last]\n\tk = v\n\tk2 = v2\n[brand]\n\tnew = yes\n",
  );
  assert.ok(d.dirty);
});

Deno.test("new variable line: TAB, name as typed, ` = `", () => {
  const d = doc(undefined);
  d.set("Core.EngineX", "pg");
  assert.equal(d.toString(), "[Core]\n\tEngineX = pg\n");
  d.set("core.enginex", "sqlite");
  assert.equal(d.toString(), "[Core]\n\tenginex = sqlite\n");
});

Deno.test("formatDefinition: quoting and escaping (§3.1)", () => {
  const rows: [string, string][] = [
    [" lead", '" lead"'],
    ["trail ", '"trail "'],
    ["a;b", '"a;b"'],
    ["a#b", '"a#b"'],
    ['say "hi" \\ back', 'say \\"hi\\" \\\\ back'],
    ["a\tb", "a\\tb"],
    ["a\nb", "a\\nb"],
    ["a\n", '"a\\n"'],
    ["\tx", '"\\tx"'],
    ["a\bb", "a\bb"],
    ["Joe  Bloggs", "Joe  Bloggs"],
    ["", ""],
  ];
  for (const [value, written] of rows) {
    assert.equal(formatDefinition("k", value), `k = ${written}`, JSON.stringify(value));
  }
});

Deno.test("formatSection", () => {
  assert.equal(formatSection("core"), "[core]");
  assert.equal(formatSection("a.b.c"), '[a "b.c"]');
  assert.equal(formatSection("a."), '[a ""]');
});

Deno.test("new section headers: key split and subsection escaping (§3.1)", () => {
  const d = doc(undefined);
  d.set("a.b.c.d", "v");
  d.set("target.dev.variables.v1", "x");
  d.set("Sub.Sec.Key", "v");
  d.set('sec.sub"q.key', "v");
  d.set("sec.back\\slash.key", "v");
  assert.equal(
    d.toString(),
    '[a "b.c"]\n\td = v\n[target "dev.variables"]\n\tv1 = x\n[Sub "Sec"]\n\tKey = v\n' +
      '[sec "sub\\"q"]\n\tkey = v\n[sec "back\\\\slash"]\n\tkey = v\n',
  );
});

Deno.test("invalid names (§3.1): messages with Sqitch's blank line", () => {
  const d = doc("[a]\n");
  throwsMessage(() => d.set("a b.c", "1"), "Invalid section name a b", true);
  throwsMessage(() => d.set("a[.c", "1"), "Invalid section name a[", true);
  throwsMessage(() => d.set('a".c', "1"), 'Invalid section name a"', true);
  throwsMessage(() => d.set("a.[b", "1"), "Invalid variable name [b", true);
  throwsMessage(() => d.set("a.b+", "1"), "Invalid variable name b+", true);
  throwsMessage(() => d.set("a.x ", "1"), "Invalid variable name x ", true);
  throwsMessage(() => d.set("a. x", "1"), "Invalid variable name  x", true);
  throwsMessage(() => d.set("a.", "1"), "Invalid variable name ", true);
  throwsMessage(() => d.set("foo", "1"), "No section given in key or invalid key foo", true);
  throwsMessage(() => d.set(".a.b", "1"), "No section given in key or invalid key .a.b", true);
  throwsMessage(() => d.unset("foo"), "No section given in key or invalid key foo", true);
  // The variable name is checked before the section name.
  throwsMessage(() => d.set("a b.c+", "1"), "Invalid variable name c+", true);
  assert.equal(d.toString(), "[a]\n");
  assert.equal(d.dirty, false);
});

Deno.test("set: one existing value is replaced in place, comment lost, indent kept", () => {
  const d = doc("[core]\n    engine = pg   # old\n\tx = 1\n");
  d.set("CORE.ENGINE", "my sql");
  assert.equal(d.toString(), "[core]\n    ENGINE = my sql\n\tx = 1\n");
});

Deno.test("set: several values ⇒ error unless a regex selects one", () => {
  const text = "[a]\n\tx = 1\n\tx = 2\n\tx = 3\n";
  throwsMessage(
    () => doc(text).set("a.x", "9"),
    "Cannot overwrite multiple values with a single value",
    false,
  );
  throwsMessage(
    () => doc(text).set("a.x", "9", "[12]"),
    "Cannot overwrite multiple values with a single value",
    false,
  );
  const d = doc(text);
  d.set("a.x", "9", "^2$");
  assert.equal(d.toString(), "[a]\n\tx = 1\n\tx = 9\n\tx = 3\n");
  d.set("a.x", "7", "nomatch");
  assert.equal(d.toString(), "[a]\n\tx = 1\n\tx = 9\n\tx = 3\n\tx = 7\n");
});

Deno.test("set with a regex: case-insensitive, ! negates", () => {
  const d = doc("[a]\n\tx = Foo\n\tx = bar\n");
  d.set("a.x", "hi", "^foo$");
  assert.equal(d.toString(), "[a]\n\tx = hi\n\tx = bar\n");
  d.set("a.x", "yo", "!hi");
  assert.equal(d.toString(), "[a]\n\tx = hi\n\tx = yo\n");
});

Deno.test("add: always appends", () => {
  const d = doc("[a]\n\tx = 1\n[b]\n");
  d.add("a.x", "1");
  d.add("a.x", "0");
  assert.equal(d.toString(), "[a]\n\tx = 1\n\tx = 1\n\tx = 0\n[b]\n");
});

Deno.test("replace-all: one line at the position of the last removed", () => {
  const d = doc("[a]\n\tx = 1\n[b]\n\ty = 0\n[a]\n\tx = 2 ; c\n\tz = 3\n");
  d.replaceAll("a.x", "new");
  assert.equal(d.toString(), "[a]\n[b]\n\ty = 0\n[a]\n\tx = new\n\tz = 3\n");
  const e = doc("[a]\n\tx = foo\n\tx = bar\n\tx = hi\n");
  e.replaceAll("a.x", "yow", "!hi");
  assert.equal(e.toString(), "[a]\n\tx = yow\n\tx = hi\n");
  e.replaceAll("a.x", "new", "nomatch");
  assert.equal(e.toString(), "[a]\n\tx = yow\n\tx = hi\n\tx = new\n");
});

Deno.test("unset and unset-all", () => {
  const d = doc("[a]\n\tx = 10\n\tx = 20\n\tx = 11\n\ty = 1\n");
  throwsMessage(() => d.unset("a.x"), "Cannot unset key with multiple values", false);
  throwsMessage(() => d.unset("a.x", "^1"), "Cannot unset key with multiple values", false);
  d.unset("a.x", "^2");
  assert.equal(d.toString(), "[a]\n\tx = 10\n\tx = 11\n\ty = 1\n");
  d.unsetAll("a.X", "!^10$");
  assert.equal(d.toString(), "[a]\n\tx = 10\n\ty = 1\n");
  d.unsetAll("a.x");
  d.unset("a.y");
  assert.equal(d.toString(), "[a]\n");
  throwsMessage(() => d.unset("a.y"), "No occurrence of a.y found to unset in sqitch.conf", true);
  throwsMessage(
    () => d.unsetAll("a.y"),
    "No occurrence of a.y found to unset in sqitch.conf",
    true,
  );
  throwsMessage(
    () => doc("[a]\n\tx = 1\n").unset("a.x", "!"),
    "No occurrence of a.x found to unset in sqitch.conf",
    true,
  );
});

Deno.test("unset: inline variable and the line before", () => {
  const d = doc("[a] x = 1\n\ty = 2\n# c\n");
  d.unset("a.x");
  assert.equal(d.toString(), "[a]\n\ty = 2\n# c\n");
  d.unset("a.y");
  assert.equal(d.toString(), "[a]\n# c\n");
});

Deno.test("unset: a bare key matches a regex as the empty string", () => {
  const d = doc("[a]\n\tflag\n\tflag = on\n");
  d.unset("a.flag", "^$");
  assert.equal(d.toString(), "[a]\n\tflag = on\n");
});

Deno.test("insertion after the last variable of the last occurrence", () => {
  const d = doc("[a]\n\tx = 1\n[b]\n\ty = 1\n\n# about a\n[a]\n\n\t; c\n[c]\n");
  d.set("a.z", "2");
  assert.equal(
    d.toString(),
    "[a]\n\tx = 1\n[b]\n\ty = 1\n\n# about a\n[a]\n\tz = 2\n\n\t; c\n[c]\n",
  );
  d.set("b.w", "3");
  assert.equal(
    d.toString(),
    "[a]\n\tx = 1\n[b]\n\ty = 1\n\tw = 3\n\n# about a\n[a]\n\tz = 2\n\n\t; c\n[c]\n",
  );
});

Deno.test("insertion after a header with an inline variable and after continuations", () => {
  const d = doc("[a] x = 1\n[b]\n\tv = one \\\n two\n[c]\n");
  d.set("a.y", "2");
  d.set("b.w", "3");
  assert.equal(d.toString(), "[a] x = 1\n\ty = 2\n[b]\n\tv = one \\\n two\n\tw = 3\n[c]\n");
});

Deno.test("section matching: legacy headers, subsection case", () => {
  const d = doc('[core.sub]\n\tx = 1\n[t "Prod"]\n\ta = 1\n');
  d.set("core.sub.y", "2");
  d.set("Core.Sub.z", "3");
  d.set("T.Prod.b", "2");
  d.set("t.prod.c", "3");
  assert.equal(
    d.toString(),
    '[core.sub]\n\tx = 1\n\ty = 2\n[t "Prod"]\n\ta = 1\n\tb = 2\n[Core "Sub"]\n\tz = 3\n' +
      '[t "prod"]\n\tc = 3\n',
  );
});

Deno.test("missing file vs empty file", () => {
  const missing = doc(undefined);
  assert.equal(missing.missing, true);
  missing.set("core.engine", "pg");
  assert.equal(missing.toString(), "[core]\n\tengine = pg\n");
  const empty = doc("");
  empty.set("core.engine", "pg");
  assert.equal(empty.toString(), "\n[core]\n\tengine = pg\n");
});

Deno.test("output normalisation: one final newline", () => {
  const a = doc("[core]\n\tengine = pg");
  a.set("core.x", "1");
  assert.equal(a.toString(), "[core]\n\tengine = pg\n\tx = 1\n");
  const b = doc("[core]\n\tengine = pg\n\n\n\n");
  b.set("core.x", "1");
  assert.equal(b.toString(), "[core]\n\tengine = pg\n\tx = 1\n");
});

Deno.test("CRLF and lone-CR files are written back with their line ends", () => {
  const crlf = doc("[core]\r\n\tengine = pg\r\n");
  crlf.set("core.top_dir", "db");
  crlf.set("new.key", "v");
  assert.equal(
    crlf.toString(),
    "[core]\r\n\tengine = pg\r\n\ttop_dir = db\r\n[new]\r\n\tkey = v\r\n",
  );
  const cr = doc("[core]\r\tengine = pg\r");
  cr.set("core.engine", "sqlite");
  assert.equal(cr.toString(), "[core]\r\tengine = sqlite\r");
  // A value with a newline is escaped, so it cannot break the line ends.
  crlf.set("new.key", "a\nb");
  assert.match(crlf.toString(), /\tkey = a\\nb\r\n$/);
});

Deno.test("casting on write", () => {
  const d = doc(undefined);
  d.set("c.b", "yes", undefined, "bool");
  d.set("c.i", "10k", undefined, "int");
  d.set("c.n", "1.5m", undefined, "num");
  d.add("c.f", "Off", "bool");
  assert.equal(d.toString(), "[c]\n\tb = true\n\ti = 10240\n\tn = 1572864\n\tf = false\n");
  throwsMessage(() => d.set("c.b", "maybe", undefined, "bool"), "Invalid bool 'maybe'", true);
  throwsMessage(
    () => d.set("c.i", "1x", undefined, "int"),
    "Invalid unit while casting to int",
    true,
  );
});

Deno.test("remove-section: every occurrence up to the next header", () => {
  const d = doc(
    "# lead\n[a]\n\tx = 1\n; about b\n[b]\n\ty = 1\n\n[A]\n\tz = 2\n[c]\n\tw = 3\n",
  );
  d.removeSection("a");
  assert.equal(d.toString(), "# lead\n[b]\n\ty = 1\n\n[c]\n\tw = 3\n");
  d.removeSection("c");
  assert.equal(d.toString(), "# lead\n[b]\n\ty = 1\n\n");
});

Deno.test("remove-section: §3.2 file", () => {
  const text = "[core]\n\tengine = mysql\n\t# a comment\n\n[other]\n\tx = 1\n[core]\n" +
    "\ttop_dir = .\n\tnew = val\n# trailing comment\n[last]\n\tk = v\n\tk2 = v2\n" +
    "[brand]\n\tnew = yes\n";
  const core = doc(text);
  core.removeSection("core");
  assert.equal(
    core.toString(),
    "[other]\n\tx = 1\n[last]\n\tk = v\n\tk2 = v2\n[brand]\n\tnew = yes\n",
  );
  const last = doc(text);
  last.removeSection("last");
  assert.ok(last.toString().endsWith("# trailing comment\n[brand]\n\tnew = yes\n"));
});

Deno.test("remove-section: subsections, case-insensitive, quotes stripped", () => {
  const d = doc('[target "Prod"]\n\turi = db:pg:\n[core]\n\tengine = pg\n');
  d.removeSection('target."prod"');
  assert.equal(d.toString(), "[core]\n\tengine = pg\n");
});

Deno.test("rename-section: headers replaced in place", () => {
  const d = doc('[target "prod"]\n\turi = db:pg:\n[core]\n\tengine = pg\n[target "prod"] r = 1\n');
  d.renameSection("target.prod", 'target."live.one"');
  assert.equal(
    d.toString(),
    '[target "live.one"]\n\turi = db:pg:\n[core]\n\tengine = pg\n[target "live.one"] r = 1\n',
  );
  d.renameSection("CORE", 'New.Sub "x"');
  assert.match(d.toString(), /\n\[New "Sub x"\]\n\tengine = pg\n/);
  d.renameSection("new.sub x", "plain");
  assert.match(d.toString(), /\n\[plain\]\n/);
});

Deno.test("rename/remove-section: no such section; missing file is a no-op", () => {
  const d = doc("[a]\n\tx = 1\n");
  assert.throws(() => d.renameSection("b", "c"), NoSuchSectionError);
  assert.throws(() => d.removeSection("b"), (e: unknown) => {
    assert.ok(e instanceof NoSuchSectionError);
    assert.equal(e.message, "No such section!");
    assert.equal(e.exitCode, 2);
    assert.equal(e.trailingBlankLine, false);
    assert.equal(e.section, "b");
    return true;
  });
  const missing = doc(undefined);
  missing.renameSection("a", "b");
  missing.removeSection("a");
  assert.equal(missing.dirty, false);
});

Deno.test("appendComment: indented style (§3.4)", () => {
  const d = doc(undefined);
  d.appendComment("[core]\n\tengine = \n\tplan_file = sqitch.plan\n\ttop_dir = .", {
    indented: true,
  });
  assert.equal(
    d.toString(),
    "# [core]\n\t# engine = \n\t# plan_file = sqitch.plan\n\t# top_dir = .\n",
  );
  const e = doc("[a]\n");
  e.appendComment("x\n\n  y\n");
  e.appendComment("z", { semicolon: true, indented: true });
  assert.equal(e.toString(), "[a]\n# x\n# \n#   y\n; z\n");
});

Deno.test("init layouts (cli.md §5.9) from group sets and comments", () => {
  // sqitch init flipr --engine sqlite
  const a = doc(undefined);
  a.groupSet([{ key: "core.engine", value: "sqlite" }]);
  a.appendComment("\tplan_file = sqitch.plan\n\ttop_dir = .", { indented: true });
  a.appendComment(
    '[engine "sqlite"]\n\ttarget = db:sqlite:\n\tregistry = sqitch\n\tclient = sqlite3',
    { indented: true },
  );
  assert.equal(
    a.toString(),
    "[core]\n\tengine = sqlite\n\t# plan_file = sqitch.plan\n\t# top_dir = .\n" +
      '# [engine "sqlite"]\n\t# target = db:sqlite:\n\t# registry = sqitch\n\t# client = sqlite3\n',
  );

  // sqitch init myproj --engine sqlite --target mydb --dir deploy=dep ...
  const b = doc(undefined);
  b.groupSet([
    { key: "core.engine", value: "sqlite" },
    { key: "core.deploy_dir", value: "dep" },
    { key: "core.revert_dir", value: "rev" },
    { key: "core.verify_dir", value: "ver" },
    { key: "core.reworked_deploy_dir", value: "rwd" },
  ]);
  b.appendComment("\tplan_file = sqitch.plan\n\ttop_dir = .", { indented: true });
  b.groupSet([{ key: "engine.sqlite.target", value: "mydb" }]);
  b.appendComment("\tregistry = sqitch\n\tclient = sqlite3", { indented: true });
  b.set("target.mydb.uri", "db:sqlite:");
  assert.equal(
    b.toString(),
    "[core]\n\tengine = sqlite\n\tdeploy_dir = dep\n\trevert_dir = rev\n\tverify_dir = ver\n" +
      "\treworked_deploy_dir = rwd\n\t# plan_file = sqitch.plan\n\t# top_dir = .\n" +
      '[engine "sqlite"]\n\ttarget = mydb\n\t# registry = sqitch\n\t# client = sqlite3\n' +
      '[target "mydb"]\n\turi = db:sqlite:\n',
  );
});

Deno.test("groupSet is all or nothing", () => {
  const d = doc("[a]\n\tx = 1\n");
  assert.throws(() =>
    d.groupSet([
      { key: "a.y", value: "2" },
      { key: "bad", value: "3" },
    ])
  );
  assert.equal(d.toString(), "[a]\n\tx = 1\n");
  assert.equal(d.dirty, false);
});

Deno.test("groupSet: multiple=true appends unless a filter or replaceAll", () => {
  const d = doc("[a]\n\tx = 1\n");
  d.groupSet([{ key: "a.x", value: "2", multiple: true }]);
  assert.equal(d.toString(), "[a]\n\tx = 1\n\tx = 2\n");
  // With a filter and multiple, only the first match is replaced.
  d.groupSet([{ key: "a.x", value: "9", multiple: true, filter: "." }]);
  assert.equal(d.toString(), "[a]\n\tx = 9\n\tx = 2\n");
});

Deno.test("parse errors while editing name the absolute path", () => {
  const d = doc("[a]\n\tx = \\z\n");
  assert.throws(
    () => d.set("a.y", "1"),
    (e: unknown) =>
      e instanceof SqlitchError &&
      e.message ===
        "Error parsing /p/sqitch.conf at line 2, position 1. Bad line was: '\tx = \\z'",
  );
});

Deno.test("buildConfigText: the full init example of cli.md §5.9", () => {
  const text = buildConfigText([
    {
      set: [
        { key: "core.engine", value: "pg" },
        { key: "core.plan_file", value: "migrations/my.plan" },
        { key: "core.top_dir", value: "migrations" },
        { key: "core.extension", value: "ddl" },
        { key: "core.deploy_dir", value: "migrations/dep" },
        { key: "core.reworked_dir", value: "migrations/rw" },
        { key: "core.variables.foo", value: "bar" },
        { key: "core.variables.baz", value: "hello world" },
      ],
    },
    {
      set: [
        { key: "engine.pg.target", value: "db:pg://user:secret@localhost/mydb" },
        { key: "engine.pg.registry", value: "reg" },
        { key: "engine.pg.client", value: "/usr/bin/psql" },
      ],
    },
  ]);
  assert.equal(
    text,
    "[core]\n\tengine = pg\n\tplan_file = migrations/my.plan\n\ttop_dir = migrations\n" +
      "\textension = ddl\n\tdeploy_dir = migrations/dep\n\treworked_dir = migrations/rw\n" +
      '[core "variables"]\n\tfoo = bar\n\tbaz = hello world\n[engine "pg"]\n' +
      "\ttarget = db:pg://user:secret@localhost/mydb\n\tregistry = reg\n\tclient = /usr/bin/psql\n",
  );
  // sqitch init myproj (no engine): the header itself is a comment.
  assert.equal(
    buildConfigText([{
      comment: "[core]\n\tengine = \n\tplan_file = sqitch.plan\n\ttop_dir = .",
      options: { indented: true },
    }]),
    "# [core]\n\t# engine = \n\t# plan_file = sqitch.plan\n\t# top_dir = .\n",
  );
});
