/**
 * Tests for loading the merged configuration: discovery with sqlitch's
 * compat rules, precedence, includes, core.compat and the reader API.
 */
import assert from "node:assert/strict";
import { loadConfig, type LoadedConfig } from "../../../core/config/config.ts";
import type { Env } from "../../../core/env.ts";
import { SqlitchError } from "../../../core/errors.ts";
import { FakeFs } from "./fake_fs.ts";

const HOME = "/home/u";
const ETC = "/etc/sqitch";

/** Load with the fake fs from `cwd`. */
function load(fs: FakeFs, cwd = "/proj", env: Env = {}): LoadedConfig {
  return loadConfig({ fs, env, cwd, home: HOME, systemDir: ETC });
}

/** Assert a one-line SqlitchError with exit 2. */
function throwsMessage(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SqlitchError, String(e));
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    assert.equal(e.exitCode, 2);
    return true;
  });
}

Deno.test("precedence: system < user < local, per key; multi-values replace", () => {
  const fs = new FakeFs({
    "/etc/sqitch/sqitch.conf": "[p]\n\tm = s1\n\tsys = 1\n[core]\n\tengine = pg\n",
    "/home/u/.sqitch/sqitch.conf":
      "[p]\n\tm = u1\n\tm = u2\n\tuser = 1\n[core]\n\tengine = mysql\n",
    "/proj/sqitch.conf": "[p]\n\tm = l1\n",
  });
  const c = load(fs);
  assert.deepEqual(c.getAll("p.m"), ["l1"]);
  assert.equal(c.get("core.engine"), "mysql");
  assert.equal(c.get("p.sys"), "1");
  assert.equal(c.get("p.user"), "1");
  assert.equal(c.initialized, true);
  assert.deepEqual(c.keys(), ["core.engine", "p.m", "p.sys", "p.user"]);
  fs.remove("/proj/sqitch.conf");
  const d = load(fs);
  assert.deepEqual(d.getAll("p.m"), ["u1", "u2"]);
  assert.equal(d.initialized, false);
  throwsMessage(() => d.get("p.m"), 'Multiple values found for key "p.m"');
  throwsMessage(() => d.get("P.M"), 'Multiple values found for key "P.M"');
});

Deno.test("get / getAll / getBool / entry", () => {
  const fs = new FakeFs({
    "/proj/sqitch.conf": "[a]\n\tbare\n\tt = yes\n\tf = 0\n\tbad = maybe\n\tm = x\n\tm = yes\n" +
      '[Sub "Sec"]\n\tKey = v\n',
  });
  const c = load(fs);
  assert.equal(c.get("a.bare"), undefined);
  assert.deepEqual(c.getAll("a.bare"), [null]);
  assert.equal(c.get("a.nope"), undefined);
  assert.deepEqual(c.getAll("a.nope"), []);
  assert.equal(c.getBool("a.bare"), true);
  assert.equal(c.getBool("a.t"), true);
  assert.equal(c.getBool("a.f"), false);
  assert.equal(c.getBool("a.nope"), undefined);
  throwsMessage(() => c.getBool("a.bad"), "Invalid bool 'maybe'");
  throwsMessage(() => c.getBool("a.m"), 'Multiple values found for key "a.m"');
  assert.equal(c.get("a.m", "^y"), "yes");
  assert.equal(c.get("SUB.Sec.KEY"), "v");
  assert.equal(c.get("sub.sec.key"), undefined);
  assert.equal(c.isMultiple("a.m"), true);
  assert.equal(c.entry("a.M")?.origin, "/proj/sqitch.conf");
  throwsMessage(() => c.get("nodot"), "No section given in key: nodot");
});

Deno.test("getSection: plain variables, original spelling, last value", () => {
  const fs = new FakeFs({
    "/home/u/.sqitch/sqitch.conf": '[core "variables"]\n\tmyVAR = 0\n\tuserOnly = u\n',
    "/proj/sqitch.conf": '[core "variables"]\n\tMyVar = 1\n\tmyvar = 2\n\tOther = x\n\tbare\n' +
      '[core "variables.deeper"]\n\tno = 1\n[target "Prod"]\n\turi = db:pg:\n' +
      '[engine "pg.variables"]\n\tA = b\n',
  });
  const c = load(fs);
  assert.deepEqual(c.getSection("core.variables"), {
    MyVar: "2",
    Other: "x",
    bare: "",
    userOnly: "u",
  });
  assert.deepEqual(c.getSection("target.Prod"), { uri: "db:pg:" });
  assert.deepEqual(c.getSection("TARGET.Prod"), { uri: "db:pg:" });
  assert.deepEqual(c.getSection("target.prod"), {});
  assert.deepEqual(c.getSection("engine.pg.variables"), { A: "b" });
  assert.deepEqual(c.getSection("nothing"), {});
});

Deno.test("local discovery: parent directories, first found wins", () => {
  const fs = new FakeFs({
    "/proj/sqitch.conf": "[core]\n\tengine = pg\n",
    "/sqitch.conf": "[core]\n\tengine = root\n",
  });
  fs.mkdirp("/proj/sub/deeper");
  const c = load(fs, "/proj/sub/deeper");
  assert.equal(c.get("core.engine"), "pg");
  assert.equal(c.initialized, true);
  assert.equal(c.files.local.read, "/proj/sqitch.conf");
  // Writes go to the current directory, with the name that was found.
  assert.deepEqual(c.scopeFile("local"), {
    path: "sqitch.conf",
    absolute: "/proj/sub/deeper/sqitch.conf",
  });
  assert.equal(c.readScope("local"), undefined);
});

Deno.test("local discovery: sqlitch.conf is found too", () => {
  const fs = new FakeFs({ "/proj/sqlitch.conf": "[core]\n\tengine = sqlite\n" });
  fs.mkdirp("/proj/sub");
  const c = load(fs, "/proj/sub");
  assert.equal(c.get("core.engine"), "sqlite");
  assert.deepEqual(c.scopeFile("local"), {
    path: "sqlitch.conf",
    absolute: "/proj/sub/sqlitch.conf",
  });
  assert.deepEqual(c.scopeFile("local", "sqitch"), c.scopeFile("local", "sqlitch"));
});

Deno.test("local discovery: both files in one directory is an error", () => {
  const fs = new FakeFs({ "/proj/sqitch.conf": "", "/proj/sqlitch.conf": "" });
  fs.mkdirp("/proj/sub");
  throwsMessage(
    () => load(fs, "/proj/sub"),
    "Found both /proj/sqlitch.conf and /proj/sqitch.conf; remove one of them",
  );
  // The nearer directory wins before the conflict is seen.
  fs.put("/proj/sub/sqitch.conf", "[a]\n\tb = c\n");
  assert.equal(load(fs, "/proj/sub").get("a.b"), "c");
});

Deno.test("local discovery: nothing found; write name by mode", () => {
  const fs = new FakeFs();
  fs.mkdirp("/proj");
  const c = load(fs);
  assert.equal(c.initialized, false);
  assert.equal(c.files.local.read, undefined);
  assert.equal(c.compat, "sqitch");
  assert.deepEqual(c.scopeFile("local"), { path: "sqitch.conf", absolute: "/proj/sqitch.conf" });
  assert.deepEqual(c.scopeFile("local", "sqlitch"), {
    path: "sqlitch.conf",
    absolute: "/proj/sqlitch.conf",
  });
});

Deno.test("local discovery: a directory named sqitch.conf is not a file", () => {
  const fs = new FakeFs({ "/sqitch.conf": "[a]\n\tb = root\n" });
  fs.mkdirp("/proj/sqitch.conf");
  assert.equal(load(fs).get("a.b"), "root");
});

Deno.test("SQITCH_CONFIG: relative names are searched upward, absolute used directly", () => {
  const fs = new FakeFs({
    "/proj/conf/my.conf": "[a]\n\tb = rel\n",
    "/abs/x.conf": "[a]\n\tb = abs\n",
    "/proj/sqlitch.conf": "[a]\n\tb = default\n",
  });
  fs.mkdirp("/proj/sub");
  const rel = load(fs, "/proj/sub", { SQITCH_CONFIG: "conf/my.conf" });
  assert.equal(rel.get("a.b"), "rel");
  assert.equal(rel.initialized, true);
  assert.deepEqual(rel.scopeFile("local"), {
    path: "conf/my.conf",
    absolute: "/proj/sub/conf/my.conf",
  });
  const abs = load(fs, "/proj/sub", { SQITCH_CONFIG: "/abs/x.conf" });
  assert.equal(abs.get("a.b"), "abs");
  assert.deepEqual(abs.scopeFile("local"), { path: "/abs/x.conf", absolute: "/abs/x.conf" });
  const none = load(fs, "/proj/sub", { SQITCH_CONFIG: "/abs/none.conf" });
  assert.equal(none.initialized, false);
  assert.equal(none.get("a.b"), undefined);
});

Deno.test("SQLITCH_ variables beat SQITCH_ ones; empty and 0 count as unset", () => {
  const fs = new FakeFs({
    "/a.conf": "[a]\n\tb = sqlitch\n",
    "/b.conf": "[a]\n\tb = sqitch\n",
    "/u1.conf": "[u]\n\tv = sqlitch\n",
    "/u2.conf": "[u]\n\tv = sqitch\n",
    "/s1.conf": "[s]\n\tv = sqlitch\n",
    "/s2.conf": "[s]\n\tv = sqitch\n",
  });
  fs.mkdirp("/proj");
  const c = load(fs, "/proj", {
    SQLITCH_CONFIG: "/a.conf",
    SQITCH_CONFIG: "/b.conf",
    SQLITCH_USER_CONFIG: "/u1.conf",
    SQITCH_USER_CONFIG: "/u2.conf",
    SQLITCH_SYSTEM_CONFIG: "/s1.conf",
    SQITCH_SYSTEM_CONFIG: "/s2.conf",
  });
  assert.equal(c.get("a.b"), "sqlitch");
  assert.equal(c.get("u.v"), "sqlitch");
  assert.equal(c.get("s.v"), "sqlitch");
  const d = load(fs, "/proj", {
    SQLITCH_CONFIG: "0",
    SQITCH_CONFIG: "/b.conf",
    SQLITCH_USER_CONFIG: "",
    SQITCH_USER_CONFIG: "/u2.conf",
  });
  assert.equal(d.get("a.b"), "sqitch");
  assert.equal(d.get("u.v"), "sqitch");
});

Deno.test("user and system files: sqlitch's first, else Sqitch's", () => {
  const fs = new FakeFs({
    "/home/u/.sqitch/sqitch.conf": "[u]\n\tv = sqitch\n",
    "/etc/sqitch/sqitch.conf": "[s]\n\tv = sqitch\n",
  });
  fs.mkdirp("/proj");
  let c = load(fs);
  assert.equal(c.get("u.v"), "sqitch");
  assert.equal(c.get("s.v"), "sqitch");
  assert.equal(c.scopeFile("user", "sqlitch").path, "/home/u/.sqitch/sqitch.conf");
  assert.equal(c.scopeFile("system", "sqlitch").path, "/etc/sqitch/sqitch.conf");

  fs.put("/home/u/.sqlitch/sqlitch.conf", "[u]\n\tv = sqlitch\n");
  fs.put("/etc/sqlitch/sqlitch.conf", "[s]\n\tv = sqlitch\n");
  c = load(fs);
  assert.equal(c.get("u.v"), "sqlitch");
  assert.equal(c.get("s.v"), "sqlitch");
  assert.equal(c.scopeFile("user", "sqitch").path, "/home/u/.sqlitch/sqlitch.conf");
  assert.deepEqual(c.scopeFile("system", "sqitch"), {
    path: "/etc/sqlitch/sqlitch.conf",
    absolute: "/etc/sqlitch/sqlitch.conf",
  });
});

Deno.test("user and system files: none exists ⇒ written by mode", () => {
  const fs = new FakeFs();
  fs.mkdirp("/proj");
  const c = load(fs);
  assert.equal(c.files.user.read, undefined);
  assert.equal(c.scopeFile("user").path, "/home/u/.sqitch/sqitch.conf");
  assert.equal(c.scopeFile("user", "sqlitch").path, "/home/u/.sqlitch/sqlitch.conf");
  assert.equal(c.scopeFile("system").path, "/etc/sqitch/sqitch.conf");
  assert.equal(c.scopeFile("system", "sqlitch").path, "/etc/sqlitch/sqlitch.conf");
  // core.compat from the merged config decides the default.
  fs.put("/proj/sqitch.conf", "[core]\n\tcompat = sqlitch\n");
  const d = load(fs);
  assert.equal(d.compat, "sqlitch");
  assert.equal(d.scopeFile("user").path, "/home/u/.sqlitch/sqlitch.conf");
  assert.equal(d.scopeFile("local").path, "sqitch.conf");
});

Deno.test("home directory: required unless SQITCH_USER_CONFIG is set", () => {
  const fs = new FakeFs({ "/u.conf": "[u]\n\tv = 1\n" });
  fs.mkdirp("/proj");
  const noHome = (env: Env) =>
    loadConfig({ fs, env, cwd: "/proj", home: undefined, systemDir: ETC });
  throwsMessage(() => noHome({}), "Could not determine home directory");
  assert.equal(noHome({ SQITCH_USER_CONFIG: "/u.conf" }).get("u.v"), "1");
});

Deno.test("core.compat: absent, valid values, invalid values", () => {
  const fs = new FakeFs();
  fs.mkdirp("/proj");
  assert.equal(load(fs).compat, "sqitch");
  fs.put("/home/u/.sqitch/sqitch.conf", "[core]\n\tcompat = sqlitch\n");
  assert.equal(load(fs).compat, "sqlitch");
  fs.put("/proj/sqitch.conf", "[core]\n\tcompat = sqitch\n");
  assert.equal(load(fs).compat, "sqitch");
  fs.put("/proj/sqitch.conf", "[core]\n\tcompat = foo\n");
  throwsMessage(
    () => load(fs),
    'Invalid core.compat value "foo" in /proj/sqitch.conf: must be "sqitch" or "sqlitch"',
  );
  fs.put("/proj/sqitch.conf", "[core]\n\tcompat = Sqlitch\n");
  throwsMessage(() => load(fs), /^Invalid core.compat value "Sqlitch" in \/proj\/sqitch.conf/);
  fs.put("/proj/sqitch.conf", "[core]\n\tcompat = sqitch\n\tcompat = sqlitch\n");
  throwsMessage(() => load(fs), 'Multiple values found for key "core.compat"');
});

Deno.test("include.path: relative to the including file, ~ expanded, missing skipped", () => {
  const fs = new FakeFs({
    "/proj/sqitch.conf":
      "[include]\n\tpath = inc/a.conf\n\tpath = ~/h.conf\n\tpath = nothere.conf\n" +
      "[core]\n\ty = 1\n",
    "/proj/inc/a.conf": "[core]\n\tz = A\n[include]\n\tpath = b.conf\n",
    "/proj/inc/b.conf": "[core]\n\tb = B\n",
    "/home/u/h.conf": "[h]\n\tk = v\n",
  });
  const c = load(fs);
  assert.equal(c.get("core.z"), "A");
  assert.equal(c.get("core.b"), "B");
  assert.equal(c.get("h.k"), "v");
  assert.equal(c.get("core.y"), "1");
  assert.equal(c.entry("core.b")?.origin, "/proj/inc/b.conf");
});

Deno.test("include.path: origin changes make later definitions replace (as Sqitch)", () => {
  const fs = new FakeFs({
    "/proj/sqitch.conf": "[a]\n\tx = 1\n[include]\n\tpath = inc.conf\n[a]\n\tx = 3\n\ty = 1\n",
    "/proj/inc.conf": "[a]\n\tx = 2\n\ty = 0\n",
  });
  const c = load(fs);
  assert.deepEqual(c.getAll("a.x"), ["3"]);
  assert.deepEqual(c.getAll("a.y"), ["1"]);
  const inc = c.entry("include.path")!;
  assert.deepEqual([inc.values, inc.multiple], [["inc.conf"], true]);
});

Deno.test("include.path: cycles stop at depth 10", () => {
  const fs = new FakeFs({ "/proj/sqitch.conf": "[include]\n\tpath = sqitch.conf\n" });
  throwsMessage(
    () => load(fs),
    "Exceeded maximum include depth (10) while including sqitch.conf from /proj/sqitch.conf",
  );
  // Ten levels are fine.
  const files: Record<string, string> = {};
  for (let i = 0; i < 11; i++) files[`/proj/f${i}.conf`] = `[include]\n\tpath = f${i + 1}.conf\n`;
  files["/proj/f11.conf"] = "[deep]\n\tok = 1\n";
  files["/proj/sqitch.conf"] = "[include]\n\tpath = f1.conf\n";
  assert.equal(load(new FakeFs(files)).get("deep.ok"), "1");
});

Deno.test("parse errors name the absolute file and the true line", () => {
  const fs = new FakeFs({ "/home/u/.sqitch/sqitch.conf": "[a]\n\tx = \\z\n" });
  fs.mkdirp("/proj");
  throwsMessage(
    () => load(fs),
    "Error parsing /home/u/.sqitch/sqitch.conf at line 2, position 1. Bad line was: '\tx = \\z'",
  );
});

Deno.test("relative override paths resolve against the current directory", () => {
  const fs = new FakeFs({ "/proj/u.conf": "[u]\n\tv = 1\n" });
  const c = load(fs, "/proj", { SQITCH_USER_CONFIG: "u.conf" });
  assert.equal(c.get("u.v"), "1");
  assert.deepEqual(c.scopeFile("user"), { path: "u.conf", absolute: "/proj/u.conf" });
});

Deno.test("readScope / readFile read one file only", () => {
  const fs = new FakeFs({
    "/home/u/.sqitch/sqitch.conf": "[u]\n\tv = 1\n",
    "/proj/sqitch.conf": "[l]\n\tv = 1\n",
  });
  const c: LoadedConfig = load(fs);
  assert.deepEqual(c.readScope("user")!.entries().map((e) => e.key), ["u.v"]);
  assert.deepEqual(c.readScope("local")!.entries().map((e) => e.key), ["l.v"]);
  assert.equal(c.readScope("system"), undefined);
  assert.equal(c.readFile(c.fileRef("other.conf")), undefined);
});

Deno.test("edit: writes the scope file through a lock, creating directories", () => {
  const fs = new FakeFs();
  fs.mkdirp("/proj");
  const c = load(fs);
  c.edit(c.scopeFile("user"), (doc) => doc.set("user.name", "Joe  Bloggs"));
  assert.equal(fs.text("/home/u/.sqitch/sqitch.conf"), "[user]\n\tname = Joe  Bloggs\n");
  assert.equal(fs.text("/home/u/.sqitch/sqitch.conf.lock"), undefined);
  c.edit(c.scopeFile("local", "sqlitch"), (doc) => doc.set("core.engine", "pg"));
  assert.equal(fs.text("/proj/sqlitch.conf"), "[core]\n\tengine = pg\n");
  const d = load(fs);
  assert.equal(d.get("user.name"), "Joe Bloggs");
  assert.equal(d.get("core.engine"), "pg");
});

Deno.test("loadConfig takes its parts from a Host", () => {
  const fs = new FakeFs({ "/proj/sqitch.conf": "[a]\n\tb = c\n" });
  const host = {
    fs,
    env: {},
    cwd: () => "/proj",
    user: { home: () => HOME },
  } as unknown as Parameters<typeof loadConfig>[0]["host"];
  const c = loadConfig({ host, systemDir: ETC });
  assert.equal(c.get("a.b"), "c");
});
