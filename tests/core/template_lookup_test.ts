/**
 * Tests for core/template_lookup.ts: Sqitch's configure-time checks, the
 * template search order over an in-memory file system, script paths, the
 * variable stash, and a replay of real Sqitch 1.3.1 `add` runs with custom
 * templates (tests/fixtures/templates/sqitch_add).
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../core/config/mod.ts";
import type { ConfigReader } from "../../core/config/reader.ts";
import { SqlitchError } from "../../core/errors.ts";
import { renderTemplate } from "../../core/template.ts";
import {
  findTemplates,
  readTemplate,
  resolveTemplateSettings,
  scriptPath,
  templateDirectories,
  type TemplateOptions,
  type TemplateSettings,
  templateUserVariables,
  templateVariables,
} from "../../core/template_lookup.ts";
import { DEFAULT_TEMPLATES } from "../../templates/defaults.ts";
import { FakeFs } from "./config/fake_fs.ts";
import { FakeConfig } from "./fake_config.ts";

const HOME = "/home/u";
const ETC = "/etc/sqitch";
const CWD = "/proj";

/** Settings from options and config over `fs` (cwd /proj). */
function settings(
  fs: FakeFs,
  options: TemplateOptions = {},
  config: ConfigReader = new FakeConfig(),
): TemplateSettings {
  return resolveTemplateSettings({ fs, config, options, cwd: CWD });
}

/** The templates found for `engine`, as `script → path (builtin?)`. */
function found(fs: FakeFs, s: TemplateSettings, engine = "pg"): Record<string, string> {
  const list = findTemplates({ fs, settings: s, engine, home: HOME, systemDir: ETC, cwd: CWD });
  return Object.fromEntries(list.map((t) => [t.script, t.path + (t.builtin ? " (builtin)" : "")]));
}

/** Assert that `fn` throws a SqlitchError with exactly `message`. */
function throwsMessage(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SqlitchError, String(e));
    assert.equal(e.message, message);
    assert.equal(e.exitCode, 2);
    return true;
  });
}

// ---------------------------------------------------------------------------
// Configure step

Deno.test("template directory: option, then config; must exist and be a directory", () => {
  const fs = new FakeFs({ "/proj/tmpl/deploy/pg.tmpl": "x", "/proj/file": "x" });
  fs.mkdirp("/proj/other");
  const config = new FakeConfig({ "add.template_directory": "other" });
  assert.equal(settings(fs, { templateDirectory: "./tmpl/" }, config).directory, "tmpl");
  assert.equal(settings(fs, {}, config).directory, "other");
  assert.equal(settings(fs, { templateDirectory: "0" }, config).directory, "other");
  assert.equal(settings(fs, {}).directory, undefined);
  throwsMessage(() => settings(fs, { templateDirectory: "nod" }), 'Directory "nod" does not exist');
  throwsMessage(() => settings(fs, { templateDirectory: "./file" }), '"file" is not a directory');
});

Deno.test("template name: option, then add.template_name (Perl-true values only)", () => {
  const fs = new FakeFs();
  const config = new FakeConfig({ "add.template_name": "fromconfig" });
  assert.equal(settings(fs, { templateName: "t" }, config).name, "t");
  assert.equal(settings(fs, { templateName: "" }, config).name, "fromconfig");
  assert.equal(settings(fs, {}).name, undefined);
  assert.equal(settings(fs, {}, new FakeConfig({ "add.template_name": "0" })).name, undefined);
});

Deno.test("explicit templates: add.templates overridden by --use, all checked", () => {
  const fs = new FakeFs({
    "/proj/c/deploy.tmpl": "",
    "/proj/c/test.tmpl": "",
    "/proj/u/deploy.tmpl": "",
    "/proj/u/x.tmpl": "",
  });
  const config = new FakeConfig({
    "add.templates.deploy": "c/deploy.tmpl",
    "add.templates.test": "./c//test.tmpl",
  });
  const s = settings(fs, { use: [["deploy", "u/x.tmpl"], ["deploy", "u/deploy.tmpl"]] }, config);
  assert.deepEqual([...s.explicit], [["deploy", "u/deploy.tmpl"], ["test", "c/test.tmpl"]]);
  // --use as a map.
  assert.deepEqual([...settings(fs, { use: { extra: "u/x.tmpl" } }).explicit], [
    ["extra", "u/x.tmpl"],
  ]);
  throwsMessage(
    () => settings(fs, { use: [["deploy", "./nope//x.tmpl"]] }),
    "Template nope/x.tmpl does not exist",
  );
  throwsMessage(() => settings(fs, { use: [["deploy", "u/"]] }), "Template u/ is not a file");
  // Only the last --use of a script is checked (Sqitch keeps a hash).
  assert.equal(
    settings(fs, { use: [["deploy", "missing"], ["deploy", "u/x.tmpl"]] }).explicit.get("deploy"),
    "u/x.tmpl",
  );
  // A bad configured template fails even when --use replaces it.
  throwsMessage(
    () =>
      settings(
        fs,
        { use: [["deploy", "u/x.tmpl"]] },
        new FakeConfig({
          "add.templates.deploy": "gone.tmpl",
        }),
      ),
    "Template gone.tmpl does not exist",
  );
});

Deno.test("configure checks run in Sqitch's order: directory first", () => {
  const fs = new FakeFs();
  throwsMessage(
    () => settings(fs, { templateDirectory: "nod", use: [["deploy", "nope"]] }),
    'Directory "nod" does not exist',
  );
});

Deno.test("--with and --without: core scripts on, --without beats --with", () => {
  const s = settings(new FakeFs(), {
    with: ["test", "deploy"],
    without: ["deploy", "verify"],
  });
  assert.deepEqual(Object.fromEntries(s.withScripts), {
    deploy: false,
    revert: true,
    verify: false,
    test: true,
  });
});

Deno.test("variables: add.variables, then --set (repeated keys make lists)", () => {
  const config = new FakeConfig({
    "add.variables.Schema": "cfg",
    "add.variables.multi": ["a", "b"],
    "add.variables.kept": "k",
  });
  const s = settings(new FakeFs(), {
    set: [["Schema", "cli"], ["col", "id"], ["col", "name"], ["one", "1"]],
  }, config);
  assert.deepEqual({ ...s.variables }, {
    Schema: "cli",
    multi: ["a", "b"],
    kept: "k",
    col: ["id", "name"],
    one: "1",
  });
});

Deno.test("variables: a bare config key is undefined, a repeated one a list (real config)", () => {
  const fs = new FakeFs({
    "/proj/sqitch.conf": '[add "variables"]\n\tbare\n\tMixed = x\n\tm = 1\n\tm = 2\n',
  });
  const config = loadConfig({ fs, env: {}, cwd: CWD, home: HOME, systemDir: ETC });
  const vars = templateUserVariables(config, [["__proto__", "p"]]);
  assert.deepEqual(Object.entries(vars), [
    ["bare", undefined],
    ["m", ["1", "2"]],
    ["Mixed", "x"],
    ["__proto__", "p"],
  ]);
  assert.equal(renderTemplate("[% bare.defined %]|[% Mixed %]|[% __proto__ %]", vars, "t"), "|x|");
});

// ---------------------------------------------------------------------------
// Search order

Deno.test("no template files anywhere: the embedded defaults stand in for <etc>/templates", () => {
  const fs = new FakeFs();
  assert.deepEqual(found(fs, settings(fs)), {
    deploy: "/etc/sqitch/templates/deploy/pg.tmpl (builtin)",
    revert: "/etc/sqitch/templates/revert/pg.tmpl (builtin)",
    verify: "/etc/sqitch/templates/verify/pg.tmpl (builtin)",
  });
  const list = findTemplates({
    fs,
    settings: settings(fs),
    engine: "cockroach",
    home: HOME,
    systemDir: ETC,
  });
  assert.deepEqual(list.map((t) => t.builtin), [
    DEFAULT_TEMPLATES.cockroach.deploy,
    DEFAULT_TEMPLATES.cockroach.revert,
    DEFAULT_TEMPLATES.cockroach.verify,
  ]);
});

Deno.test("search order: template dir, ~/.sqlitch, ~/.sqitch, <etc>/../sqlitch, <etc>, defaults", () => {
  const fs = new FakeFs({
    "/etc/sqitch/templates/deploy/pg.tmpl": "etc",
    "/etc/sqitch/templates/revert/pg.tmpl": "etc",
    "/etc/sqitch/templates/verify/pg.tmpl": "etc",
  });
  const s = settings(fs);
  assert.deepEqual(found(fs, s), {
    deploy: "/etc/sqitch/templates/deploy/pg.tmpl",
    revert: "/etc/sqitch/templates/revert/pg.tmpl",
    verify: "/etc/sqitch/templates/verify/pg.tmpl",
  });
  fs.put("/etc/sqlitch/templates/verify/pg.tmpl", "etc sqlitch");
  fs.put("/home/u/.sqitch/templates/revert/pg.tmpl", "user");
  fs.put("/home/u/.sqitch/templates/verify/pg.tmpl", "user");
  assert.deepEqual(found(fs, s), {
    deploy: "/etc/sqitch/templates/deploy/pg.tmpl",
    revert: "/home/u/.sqitch/templates/revert/pg.tmpl",
    verify: "/home/u/.sqitch/templates/verify/pg.tmpl",
  });
  fs.put("/home/u/.sqlitch/templates/revert/pg.tmpl", "user sqlitch");
  fs.put("/proj/t/deploy/pg.tmpl", "dir");
  fs.put("/proj/t/test/pg.tmpl", "dir");
  assert.deepEqual(found(fs, settings(fs, { templateDirectory: "t" })), {
    deploy: "t/deploy/pg.tmpl",
    revert: "/home/u/.sqlitch/templates/revert/pg.tmpl",
    test: "t/test/pg.tmpl",
    verify: "/home/u/.sqitch/templates/verify/pg.tmpl",
  });
  assert.deepEqual(templateDirectories({ directory: "t" }, HOME, ETC), [
    "t",
    "/home/u/.sqlitch/templates",
    "/home/u/.sqitch/templates",
    "/etc/sqlitch/templates",
    "/etc/sqitch/templates",
  ]);
});

Deno.test("the system sqlitch directory beats the sqitch one", () => {
  const fs = new FakeFs({ "/etc/sqlitch/templates/deploy/pg.tmpl": "s" });
  fs.put("/etc/sqitch/templates/deploy/pg.tmpl", "q");
  assert.equal(found(fs, settings(fs)).deploy, "/etc/sqlitch/templates/deploy/pg.tmpl");
});

Deno.test("explicit files beat every directory; they may add script types", () => {
  const fs = new FakeFs({
    "/proj/t/deploy/pg.tmpl": "",
    "/proj/mine.tmpl": "",
  });
  const s = settings(fs, {
    templateDirectory: "t",
    use: [["deploy", "mine.tmpl"], ["x", "mine.tmpl"]],
  });
  assert.deepEqual(found(fs, s), {
    deploy: "mine.tmpl",
    revert: "/etc/sqitch/templates/revert/pg.tmpl (builtin)",
    verify: "/etc/sqitch/templates/verify/pg.tmpl (builtin)",
    x: "mine.tmpl",
  });
});

Deno.test("sub-directories name script types, sorted by code point", () => {
  const fs = new FakeFs({
    "/proj/t/Deploy/pg.tmpl": "",
    "/proj/t/extra/pg.tmpl": "",
    "/proj/t/test/other.tmpl": "",
    "/proj/t/afile": "",
    "/proj/t/.hidden/pg.tmpl": "",
  });
  assert.deepEqual(Object.keys(found(fs, settings(fs, { templateDirectory: "t" }))), [
    ".hidden",
    "Deploy",
    "deploy",
    "extra",
    "revert",
    "verify",
  ]);
});

Deno.test("template name: -t picks <name>.tmpl everywhere, including the defaults", () => {
  const fs = new FakeFs({ "/proj/t/deploy/create_table.tmpl": "", "/proj/t/test/pg.tmpl": "" });
  const s = settings(fs, { templateDirectory: "t", templateName: "create_table" });
  throwsMessage(() => found(fs, s), "Cannot find revert template");
  assert.deepEqual(found(fs, settings(fs, { templateDirectory: "t", templateName: "mysql" })), {
    deploy: "/etc/sqitch/templates/deploy/mysql.tmpl (builtin)",
    revert: "/etc/sqitch/templates/revert/mysql.tmpl (builtin)",
    verify: "/etc/sqitch/templates/verify/mysql.tmpl (builtin)",
  });
});

Deno.test("missing core templates: Cannot find {script} template unless --without", () => {
  const fs = new FakeFs({ "/proj/t/revert/x.tmpl": "" });
  throwsMessage(() => found(fs, settings(fs), "nodefault"), "Cannot find deploy template");
  throwsMessage(
    () => found(fs, settings(fs, { templateDirectory: "t", without: ["deploy"] }), "x"),
    "Cannot find verify template",
  );
  assert.deepEqual(
    found(
      fs,
      settings(fs, { templateDirectory: "t", without: ["deploy", "verify"], with: ["test"] }),
      "x",
    ),
    { revert: "t/revert/x.tmpl" },
  );
  // --without also drops a type that has a template.
  assert.deepEqual(Object.keys(found(fs, settings(fs, { without: ["revert", "verify"] }))), [
    "deploy",
  ]);
});

Deno.test("a name that is an Object prototype member is not a default template", () => {
  const fs = new FakeFs();
  throwsMessage(() => found(fs, settings(fs), "constructor"), "Cannot find deploy template");
});

Deno.test("no home directory: Could not determine home directory", () => {
  const fs = new FakeFs();
  assert.throws(
    () =>
      findTemplates({ fs, settings: settings(fs), engine: "pg", home: undefined, systemDir: ETC }),
    { message: "Could not determine home directory" },
  );
});

// ---------------------------------------------------------------------------
// Reading, paths, variables

Deno.test("readTemplate: embedded text, file text, or Cannot open", () => {
  const fs = new FakeFs({ "/proj/t/deploy/pg.tmpl": "file text" });
  assert.equal(readTemplate(fs, { script: "deploy", path: "x", builtin: "b" }), "b");
  assert.equal(readTemplate(fs, { script: "deploy", path: "t/deploy/pg.tmpl" }, CWD), "file text");
  throwsMessage(
    () => readTemplate(fs, { script: "deploy", path: "gone.tmpl" }, CWD),
    "Cannot open gone.tmpl: No such file or directory",
  );
  const bytes = new Map<string, Uint8Array>([
    ["/proj/bom.tmpl", new Uint8Array([0xef, 0xbb, 0xbf, 0x41])],
    ["/proj/latin1.tmpl", new Uint8Array([0x78, 0xe9, 0x79])],
    ["/proj/short.tmpl", new Uint8Array([0x78, 0xe2, 0x82])],
  ]);
  const raw = Object.assign(new FakeFs(), {
    readBytes: (p: string) => bytes.get(p),
  });
  assert.equal(readTemplate(raw, { script: "d", path: "bom.tmpl" }, CWD), "\ufeffA");
  throwsMessage(
    () => readTemplate(raw, { script: "d", path: "latin1.tmpl" }, CWD),
    "Can't decode ill-formed UTF-8 octet sequence <E9> in latin1.tmpl",
  );
  throwsMessage(
    () => readTemplate(raw, { script: "d", path: "short.tmpl" }, CWD),
    "Can't decode ill-formed UTF-8 octet sequence <E2 82> in short.tmpl",
  );
});

Deno.test("scriptPath: core types use the target's dirs, others <top_dir>/<type>", () => {
  const where = {
    topDir: ".",
    deployDir: "deploy",
    revertDir: "db/revert",
    verifyDir: "/abs/verify",
    extension: "sql",
  };
  assert.equal(scriptPath("deploy", "users", where), "deploy/users.sql");
  assert.equal(scriptPath("revert", "users", where), "db/revert/users.sql");
  assert.equal(scriptPath("verify", "users", where), "/abs/verify/users.sql");
  assert.equal(scriptPath("test", "users", where), "test/users.sql");
  assert.equal(scriptPath("test", "a/b", { ...where, topDir: "top" }), "top/test/a/b.sql");
  assert.equal(scriptPath("deploy", "x", { ...where, extension: "ddl" }), "deploy/x.ddl");
});

Deno.test("templateVariables: core variables override user ones; lists copied", () => {
  const requires = ["a", "a", "p:b@t"];
  const vars = templateVariables({ project: "nope", change: "nope", other: ["x"], engine: "e" }, {
    project: "flipr",
    change: "users",
    engine: "pg",
    requires,
    conflicts: [],
  });
  assert.deepEqual(vars, {
    project: "flipr",
    change: "users",
    engine: "pg",
    other: ["x"],
    requires: ["a", "a", "p:b@t"],
    conflicts: [],
  });
  assert.notEqual(vars.requires, requires);
});

// ---------------------------------------------------------------------------
// Replay of real Sqitch runs (tests/fixtures/templates/sqitch_add/README.md)

const FIXTURE = fileURLToPath(new URL("../fixtures/templates/sqitch_add/", import.meta.url));

/** Every file under `dir`, relative path → text. */
function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of Deno.readDirSync(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) walk(p);
      else out[relative(dir, p)] = Deno.readTextFileSync(p);
    }
  };
  walk(dir);
  return out;
}

Deno.test("replay: custom templates render as real Sqitch 1.3.1 rendered them", () => {
  const fs = new FakeFs();
  for (const [path, text] of Object.entries(readTree(join(FIXTURE, "templates")))) {
    fs.put(join(CWD, "templates", path), text);
  }
  fs.put(
    "/proj/sqitch.conf",
    '[core]\n\tengine = pg\n[add "variables"]\n\tmulti = one\n\tmulti = two\n' +
      "\tsingle = s\n\tbare\n\tchange = ignored\n",
  );
  const config = loadConfig({ fs, env: {}, cwd: CWD, home: HOME, systemDir: ETC });
  const expected = readTree(join(FIXTURE, "expected"));
  const where = {
    topDir: ".",
    deployDir: "deploy",
    revertDir: "revert",
    verifyDir: "verify",
    extension: "sql",
  };
  const runs: {
    change: string;
    options: TemplateOptions;
    requires?: string[];
    conflicts?: string[];
  }[] = [
    {
      change: "users",
      options: {
        templateDirectory: "templates",
        set: [
          ["table", "app.users"],
          ["column", "id"],
          ["column", "name"],
          ["type", "INT"],
          ["schema", "app"],
          ["tag", "a"],
          ["tag", "b"],
          ["owner", "x"],
        ],
      },
    },
    {
      change: "widgets",
      requires: ["users", "users", "other:thing@v1"],
      conflicts: ["gadgets"],
      options: {
        templateDirectory: "templates",
        set: [["column", "id"], ["owner", "bob"], ["project", "nope"]],
      },
    },
    { change: "bare", options: { templateDirectory: "templates", without: ["test"] } },
  ];
  const written: string[] = [];
  for (const run of runs) {
    const s = resolveTemplateSettings({ fs, config, options: run.options, cwd: CWD });
    for (
      const t of findTemplates({
        fs,
        settings: s,
        engine: "pg",
        home: HOME,
        systemDir: ETC,
        cwd: CWD,
      })
    ) {
      const file = scriptPath(t.script, run.change, where);
      const vars = templateVariables(s.variables, {
        project: "flipr",
        change: run.change,
        engine: "pg",
        requires: run.requires ?? [],
        conflicts: run.conflicts ?? [],
      });
      assert.equal(renderTemplate(readTemplate(fs, t, CWD), vars, t.path), expected[file], file);
      written.push(file);
    }
  }
  assert.deepEqual(written.sort(), Object.keys(expected).sort());
});
