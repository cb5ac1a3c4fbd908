/**
 * sqlitch-only behaviour of `target` and `engine` (no Sqitch to compare
 * with): projects in compat mode `sqlitch` (writes go to sqlitch.conf, the
 * default plan and script directories live under `sqlitch/`), the HEAD
 * engines sqlitch accepts, and `engine show` of an engine without a target.
 * Each test runs `deno run main.ts` in a fresh temporary project.
 */
import assert from "node:assert/strict";
import { readFile, type RunResult, runSqlitch, type Sandbox, withSandbox } from "./sandbox.ts";

/** Run sqlitch with `args` in the sandbox's project directory. */
function sqlitch(sb: Sandbox, ...args: string[]): Promise<RunResult> {
  return runSqlitch(sb, args);
}

/** A project file's text ("" when missing). */
function read(sb: Sandbox, path: string): string {
  return readFile(sb, `proj/${path}`) ?? "";
}

/** Whether a path exists in the project. */
function exists(sb: Sandbox, path: string): boolean {
  try {
    Deno.statSync(`${sb.proj}/${path}`);
    return true;
  } catch {
    return false;
  }
}

/** Run `fn` in a fresh sandbox whose project holds `files`. */
function withProject(files: Record<string, string>, fn: (sb: Sandbox) => Promise<void>) {
  return withSandbox(
    Object.fromEntries(Object.entries(files).map(([path, text]) => [`proj/${path}`, text])),
    fn,
  );
}

const SQLITCH_CONF = "[core]\n\tengine = sqlite\n\tcompat = sqlitch\n";
const PLAN = "%syntax-version=1.0.0\n%project=flipr\n%uri=https://example.com/flipr\n\n";
const SQLITCH_PROJECT = { "sqlitch.conf": SQLITCH_CONF, "sqlitch/sqlitch.plan": PLAN };

/** A show block with every directory under `top`. */
function block(heading: string, first: string, top: string, plan: string, client: string): string {
  const sub = (d: string) => (top === "." ? d : `${top}/${d}`);
  return [
    `* ${heading}`,
    `    ${first}`,
    "    Registry:      sqitch",
    `    Client:        ${client}`,
    `    Top Directory: ${top}`,
    `    Plan File:     ${plan}`,
    "    Extension:     sql",
    "    Script Directories:",
    `      Deploy:      ${sub("deploy")}`,
    `      Revert:      ${sub("revert")}`,
    `      Verify:      ${sub("verify")}`,
    "    Reworked Script Directories:",
    `      Reworked:    ${top}`,
    `      Deploy:      ${sub("deploy")}`,
    `      Revert:      ${sub("revert")}`,
    `      Verify:      ${sub("verify")}`,
    "    No Variables",
    "",
  ].join("\n");
}

Deno.test("compat sqlitch: target add writes sqlitch.conf and makes sqlitch/ directories", async () => {
  await withProject(SQLITCH_PROJECT, async (root) => {
    const r = await sqlitch(root, "target", "add", "dev", "db:sqlite:dev.db");
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      "Created sqlitch/deploy/\nCreated sqlitch/revert/\nCreated sqlitch/verify/\n",
    );
    assert.equal(
      read(root, "sqlitch.conf"),
      SQLITCH_CONF + '[target "dev"]\n\turi = db:sqlite:dev.db\n',
    );
    assert.equal(exists(root, "sqitch.conf"), false);
    assert.equal(exists(root, "deploy"), false);
    assert.equal(read(root, "sqlitch/sqlitch.plan"), PLAN);

    const show = await sqlitch(root, "target", "show", "dev");
    assert.equal(show.code, 0);
    assert.equal(
      show.stdout,
      block("dev", "URI:           db:sqlite:dev.db", "sqlitch", "sqlitch/sqlitch.plan", "sqlite3"),
    );

    const list = await sqlitch(root, "-v", "target");
    assert.equal(list.stdout, "dev\tdb:sqlite:dev.db\n");
  });
});

Deno.test("compat sqlitch: a new top dir gets <top>/sqlitch.plan copied from the project plan", async () => {
  await withProject(SQLITCH_PROJECT, async (root) => {
    const r = await sqlitch(root, "target", "add", "other", "db:pg:o", "--top-dir", "other");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      "Created other/\nCreated other/sqlitch.plan\nCreated other/deploy/\n" +
        "Created other/revert/\nCreated other/verify/\n",
    );
    assert.equal(read(root, "other/sqlitch.plan"), PLAN);
    assert.equal(
      read(root, "sqlitch.conf"),
      SQLITCH_CONF + '[target "other"]\n\turi = db:pg:o\n\ttop_dir = other\n',
    );
  });
});

Deno.test("compat sqlitch: engine add/show/remove use sqlitch.conf and sqlitch/ defaults", async () => {
  await withProject(SQLITCH_PROJECT, async (root) => {
    const add = await sqlitch(root, "engine", "add", "pg", "-s", "a=1");
    assert.equal(add.code, 0, add.stderr);
    assert.equal(
      read(root, "sqlitch.conf"),
      SQLITCH_CONF + '[engine "pg"]\n\ttarget = db:pg:\n[engine "pg.variables"]\n\ta = 1\n',
    );
    const show = await sqlitch(root, "engine", "show", "pg");
    assert.equal(
      show.stdout,
      block("pg", "Target:        db:pg:", "sqlitch", "sqlitch/sqlitch.plan", "psql").replace(
        "    No Variables\n",
        "    Variables:\n  a: 1\n",
      ),
    );
    const rm = await sqlitch(root, "engine", "rm", "pg");
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal(read(root, "sqlitch.conf"), SQLITCH_CONF);
    assert.equal(exists(root, "sqitch.conf"), false);
  });
});

Deno.test("compat sqlitch: rename and remove edit sqlitch.conf", async () => {
  const conf = SQLITCH_CONF + '[target "a"]\n\turi = db:pg:a\n[target "a.variables"]\n\tx = 1\n';
  await withProject({ ...SQLITCH_PROJECT, "sqlitch.conf": conf }, async (root) => {
    assert.equal((await sqlitch(root, "target", "rename", "a", "b")).code, 0);
    assert.equal(
      read(root, "sqlitch.conf"),
      SQLITCH_CONF + '[target "b"]\n\turi = db:pg:a\n[target "b.variables"]\n\tx = 1\n',
    );
    assert.equal((await sqlitch(root, "target", "rm", "b")).code, 0);
    assert.equal(read(root, "sqlitch.conf"), SQLITCH_CONF);
  });
});

Deno.test("engine show of an engine without a target shows db:<engine>: (Sqitch bug fixed)", async () => {
  await withProject(
    { "sqitch.conf": "[core]\n\tengine = sqlite\n", "sqitch.plan": PLAN },
    async (root) => {
      const r = await sqlitch(root, "engine", "show", "mysql");
      assert.equal(r.stderr, "");
      assert.equal(r.code, 0);
      assert.equal(
        r.stdout,
        block("mysql", "Target:        db:mysql:", ".", "sqitch.plan", "mysql"),
      );
      const bogus = await sqlitch(root, "engine", "show", "bogus");
      assert.equal(bogus.code, 2);
      assert.equal(bogus.stdout, "* bogus\n    Target:        db:bogus:\n");
      assert.equal(bogus.stderr, "Unknown engine: bogus\n");
    },
  );
});

Deno.test("HEAD engines: engine add cockroach/clickhouse and target --uri db:cockroach: work", async () => {
  await withProject(
    { "sqitch.conf": "[core]\n\tengine = sqlite\n", "sqitch.plan": PLAN },
    async (root) => {
      assert.equal((await sqlitch(root, "engine", "add", "cockroach")).code, 0);
      assert.equal((await sqlitch(root, "engine", "add", "clickhouse", "db:clickhouse:x")).code, 0);
      const add = await sqlitch(root, "target", "add", "c", "db:pg:c", "--uri", "db:cockroach:c");
      assert.equal(add.code, 0, add.stderr);
      assert.equal(
        read(root, "sqitch.conf"),
        "[core]\n\tengine = sqlite\n" +
          '[engine "cockroach"]\n\ttarget = db:cockroach:\n' +
          '[engine "clickhouse"]\n\ttarget = db:clickhouse:x\n' +
          '[target "c"]\n\turi = db:cockroach:c\n',
      );
      assert.equal(
        (await sqlitch(root, "-v", "engine")).stdout,
        "clickhouse\tdb:clickhouse:x\ncockroach\tdb:cockroach:\n",
      );
      const bad = await sqlitch(root, "engine", "add", "nosuch");
      assert.equal(bad.code, 2);
      assert.equal(bad.stderr, 'Unknown engine "nosuch"\n');
    },
  );
});

Deno.test("configure-time errors print the message only and exit 2", async () => {
  await withProject(
    { "sqitch.conf": "[core]\n\tengine = sqlite\n", "sqitch.plan": PLAN },
    async (root) => {
      const dir = await sqlitch(root, "target", "add", "x", "db:pg:x", "--dir", "bogus=x");
      assert.deepEqual([dir.code, dir.stdout, dir.stderr], [
        2,
        "",
        "Unknown directory name: bogus\n",
      ]);
      const uri = await sqlitch(root, "target", "alter", "x", "--uri", "db:nosuch:y");
      assert.deepEqual(
        [uri.code, uri.stderr],
        [2, 'Unknown engine "nosuch" in URI "db:nosuch:y"\n'],
      );
      assert.equal(read(root, "sqitch.conf"), "[core]\n\tengine = sqlite\n");
    },
  );
});
