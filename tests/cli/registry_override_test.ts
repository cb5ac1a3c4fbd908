/**
 * The registry override reaches every database command on every engine
 * (issue 7): for each engine (SQLite, PostgreSQL, MySQL) and each place a
 * registry name can come from (`--registry`, `target.<name>.registry`,
 * `engine.<engine>.registry`, `core.registry`), a project is deployed into
 * a registry named X; then deploy, status, log, verify, check, upgrade,
 * revert, rebase and checkout (git repository in the sandbox) are each run
 * without the override — they find no deployment — and with it — they see
 * the one in X. Last, a deploy without the override creates the registry
 * it uses, proving none of the runs without it had touched one.
 *
 * The precedence (`--registry` > target > engine > core > engine default,
 * Perl-false values skipped) is checked on SQLite, whose deploy message
 * names the registry file.
 *
 * MySQL keeps its registries as databases of the shared server, so the
 * runs without the override use `core.registry = <db>_base` (unique per
 * scenario) instead of the server-wide default `sqitch`.
 */
import { match, strictEqual } from "node:assert/strict";
import { type RunResult, runSqlitch, type Sandbox, withSandbox } from "./sandbox.ts";
import { DatabaseSync } from "node:sqlite";
import {
  createDatabase as createPgDatabase,
  dropDatabase as dropPgDatabase,
  pgAvailable,
  pgRows,
  pgUri,
} from "../engines/pg_server.ts";
import {
  dropDatabases,
  mysqlAvailable,
  mysqlExec,
  mysqlRows,
  mysqlUri,
} from "../engines/mysql_server.ts";

type Engine = "sqlite" | "pg" | "mysql";
type Source = "option" | "target" | "engine" | "core";

const ENGINES: Engine[] = ["sqlite", "pg", "mysql"];
const SOURCES: Source[] = ["option", "target", "engine", "core"];

/** A scenario's database and registry names. */
interface Names {
  /** Target database name (pg, mysql) or file base (sqlite). */
  db: string;
  /** The registry deployed to. */
  registry: string;
  /** MySQL: the registry the runs without the override use. */
  base?: string;
}

function namesFor(engine: Engine, source: Source): Names {
  if (engine === "sqlite") return { db: "app", registry: "xreg" };
  const id = `sqlitch_regov_${source}_${crypto.randomUUID().slice(0, 8)}`;
  return {
    db: id,
    registry: `${id}_x`,
    base: engine === "mysql" ? `${id}_base` : undefined,
  };
}

function uriFor(engine: Engine, names: Names): string {
  switch (engine) {
    case "sqlite":
      return `db:sqlite:${names.db}.db`;
    case "pg":
      return pgUri(names.db);
    case "mysql":
      return mysqlUri(names.db);
  }
}

/** The project configuration, with the registry set at `source` level when `withRegistry`. */
function configText(engine: Engine, source: Source, names: Names, withRegistry: boolean): string {
  const at = (level: Source) => withRegistry && source === level;
  const lines = ["[core]", `\tengine = ${engine}`, "\ttarget = main"];
  if (at("core")) lines.push(`\tregistry = ${names.registry}`);
  else if (names.base) lines.push(`\tregistry = ${names.base}`);
  lines.push(`[engine "${engine}"]`, "\tverify = false");
  if (at("engine")) lines.push(`\tregistry = ${names.registry}`);
  lines.push('[target "main"]', `\turi = ${uriFor(engine, names)}`);
  if (at("target")) lines.push(`\tregistry = ${names.registry}`);
  return lines.join("\n") + "\n";
}

const PLAN_HEAD = "%syntax-version=1.0.0\n%project=regov\n\n";

function planLine(change: string, minute: number): string {
  return `${change} 2024-01-01T00:0${minute}:00Z T <t@example.com> # ${change}\n`;
}

/** Scripts of a change creating table `t_<change>`, valid on every engine. */
function scripts(change: string): Record<string, string> {
  return {
    [`proj/deploy/${change}.sql`]: `CREATE TABLE IF NOT EXISTS t_${change} (id INT);\n`,
    [`proj/revert/${change}.sql`]: `DROP TABLE IF EXISTS t_${change};\n`,
    [`proj/verify/${change}.sql`]: `SELECT id FROM t_${change} WHERE 1 = 0;\n`,
  };
}

async function git(sb: Sandbox, ...args: string[]): Promise<string> {
  const r = await new Deno.Command("git", {
    args: ["-c", "user.name=T", "-c", "user.email=t@example.com", ...args],
    cwd: sb.proj,
    env: { HOME: sb.home, GIT_CONFIG_NOSYSTEM: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (r.code !== 0) throw new Error(`git ${args.join(" ")}: ${dec.decode(r.stderr)}`);
  return dec.decode(r.stdout);
}

/**
 * A git repository whose `main` branch plans a and b, and whose `other`
 * branch adds c; the configuration stays untracked (the test rewrites it).
 */
async function makeRepo(sb: Sandbox): Promise<void> {
  const write = async (files: Record<string, string>) => {
    for (const [rel, text] of Object.entries(files)) {
      const path = `${sb.root}/${rel}`;
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      await Deno.writeTextFile(path, text);
    }
  };
  await write({
    "proj/sqitch.plan": PLAN_HEAD + planLine("a", 1) + planLine("b", 2),
    "proj/.gitignore": "sqitch.conf\n*.db\n",
    ...scripts("a"),
    ...scripts("b"),
  });
  await git(sb, "init", "-q", "-b", "main");
  await git(sb, "add", "-A");
  await git(sb, "commit", "-q", "-m", "a and b");
  await git(sb, "checkout", "-q", "-b", "other");
  await write({
    "proj/sqitch.plan": PLAN_HEAD + planLine("a", 1) + planLine("b", 2) + planLine("c", 3),
    ...scripts("c"),
  });
  await git(sb, "add", "-A");
  await git(sb, "commit", "-q", "-m", "c");
  await git(sb, "checkout", "-q", "main");
}

/** Runs a command with or without the registry override of the scenario. */
interface Runner {
  (withRegistry: boolean, args: string[]): Promise<RunResult>;
}

function runner(sb: Sandbox, engine: Engine, source: Source, names: Names): Runner {
  return async (withRegistry, args) => {
    await Deno.writeTextFile(
      `${sb.proj}/sqitch.conf`,
      configText(engine, source, names, withRegistry),
    );
    const extra = withRegistry && source === "option" ? ["--registry", names.registry] : [];
    return await runSqlitch(sb, [...args, ...extra]);
  };
}

function show(what: string, r: RunResult): string {
  return `${what}: exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
}

function expectOk(what: string, r: RunResult, pattern: RegExp): void {
  strictEqual(r.code, 0, show(what, r));
  match(r.stdout, pattern, show(what, r));
}

const NO_REGISTRY = /^No registry found in \S+\. Have you ever deployed\?\n$/;

function expectNoRegistry(what: string, r: RunResult): void {
  strictEqual(r.code, 2, show(what, r));
  match(r.stderr, NO_REGISTRY, show(what, r));
}

/** The registry the runs without the override use. */
function fallbackRegistry(names: Names): string {
  return names.base ?? "sqitch";
}

/** Whether registry `name` of the scenario has its `changes` table. */
async function registryExists(
  engine: Engine,
  sb: Sandbox,
  names: Names,
  name: string,
): Promise<boolean> {
  const sql = "SELECT count(*) FROM information_schema.tables " +
    `WHERE table_schema = '${name}' AND table_name = 'changes'`;
  switch (engine) {
    case "sqlite": {
      const file = `${sb.proj}/${name}.db`;
      try {
        Deno.statSync(file);
      } catch {
        return false;
      }
      const db = new DatabaseSync(file, { readOnly: true });
      try {
        const row = db.prepare(
          "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'changes'",
        ).get() as { n: number };
        return row.n > 0;
      } finally {
        db.close();
      }
    }
    case "pg":
      return (await pgRows(names.db, sql))[0][0] !== "0";
    case "mysql":
      return (await mysqlRows(sql))[0][0] !== "0";
  }
}

/** The sequence of commands of one engine × source scenario. */
async function scenario(
  t: Deno.TestContext,
  sb: Sandbox,
  engine: Engine,
  source: Source,
  names: Names,
): Promise<void> {
  await makeRepo(sb);
  const run = runner(sb, engine, source, names);
  // MySQL creates its registry database without a word, as Sqitch 1.3.1 does.
  const adding = engine === "mysql" ? "" : "Adding registry tables to \\S+\n";

  await t.step("deploy", async () => {
    const r = await run(true, ["deploy"]);
    expectOk("deploy (override)", r, new RegExp(`^${adding}Deploying changes to main\n`));
    strictEqual(await registryExists(engine, sb, names, names.registry), true, "registry X");
    match(r.stdout, /\+ a \.\. ok\n {2}\+ b \.\. ok\n$/, show("deploy", r));
    expectOk("deploy again (override)", await run(true, ["deploy"]), /Nothing to deploy/);
  });

  await t.step("status", async () => {
    const n = await run(false, ["status"]);
    strictEqual(n.code, 1, show("status", n));
    match(n.stdout, /^No changes deployed$/m, show("status", n));
    const w = await run(true, ["status"]);
    expectOk("status (override)", w, /^# Name: +b$/m);
    match(w.stdout, /Nothing to deploy \(up-to-date\)/, show("status (override)", w));
  });

  await t.step("log", async () => {
    const n = await run(false, ["log"]);
    strictEqual(n.code, 1, show("log", n));
    match(n.stdout, /has not been initialized for Sqitch/, show("log", n));
    const w = await run(true, ["log", "--format", "oneline", "--no-color"]);
    expectOk("log (override)", w, / deploy regov:b b\n/);
  });

  await t.step("verify", async () => {
    expectNoRegistry("verify", await run(false, ["verify"]));
    expectOk("verify (override)", await run(true, ["verify"]), /Verify successful/);
  });

  await t.step("check", async () => {
    expectNoRegistry("check", await run(false, ["check"]));
    expectOk("check (override)", await run(true, ["check"]), /Check successful/);
  });

  await t.step("upgrade", async () => {
    expectNoRegistry("upgrade", await run(false, ["upgrade"]));
    expectOk("upgrade (override)", await run(true, ["upgrade"]), /is up-to-date at version/);
  });

  await t.step("revert", async () => {
    expectNoRegistry("revert", await run(false, ["revert", "-y"]));
    const w = await run(true, ["revert", "-y", "--to", "a"]);
    expectOk("revert (override)", w, /^ {2}- b \.\. ok\n$/m);
  });

  await t.step("rebase", async () => {
    expectNoRegistry("rebase", await run(false, ["rebase", "-y"]));
    const w = await run(true, ["rebase", "-y"]);
    expectOk("rebase (override)", w, /- a \.\. ok\n[^]*\+ a \.\. ok\n {2}\+ b \.\. ok\n$/);
  });

  await t.step("checkout", async () => {
    const n = await run(false, ["checkout", "-y", "other"]);
    expectNoRegistry("checkout", { ...n, stdout: "" });
    strictEqual((await git(sb, "branch", "--show-current")).trim(), "main", "still on main");
    const w = await run(true, ["checkout", "-y", "other"]);
    expectOk("checkout (override)", w, /^Last change before the branches diverged: b\n/);
    match(w.stdout, /\+ c \.\. ok\n$/, show("checkout (override)", w));
    strictEqual((await git(sb, "branch", "--show-current")).trim(), "other", "now on other");
  });

  await t.step("deploy without the override creates its own registry", async () => {
    const fallback = fallbackRegistry(names);
    strictEqual(await registryExists(engine, sb, names, fallback), false, `no ${fallback} yet`);
    const n = await run(false, ["deploy"]);
    expectOk("deploy", n, new RegExp(`^${adding}Deploying changes to main\n`));
    strictEqual(await registryExists(engine, sb, names, fallback), true, `${fallback} made`);
    match(n.stdout, /\+ a \.\. ok\n {2}\+ b \.\. ok\n {2}\+ c \.\. ok\n$/, show("deploy", n));
    const w = await run(true, ["revert", "-y"]);
    expectOk("revert (override)", w, /- c \.\. ok\n {2}- b \.\. ok\n {2}- a \.\. ok\n$/);
  });
}

async function available(engine: Engine): Promise<boolean> {
  if (engine === "pg") return await pgAvailable();
  if (engine === "mysql") return await mysqlAvailable();
  return true;
}

for (const engine of ENGINES) {
  for (const source of SOURCES) {
    Deno.test(`registry override: ${engine}, ${source}`, async (t) => {
      if (!(await available(engine))) return;
      const names = namesFor(engine, source);
      if (engine === "pg") await createPgDatabase(names.db);
      if (engine === "mysql") await mysqlExec(`CREATE DATABASE \`${names.db}\``);
      try {
        await withSandbox({}, (sb) => scenario(t, sb, engine, source, names));
      } finally {
        if (engine === "pg") await dropPgDatabase(names.db);
        if (engine === "mysql") await dropDatabases(names.db);
      }
    });
  }
}

Deno.test("registry precedence: --registry > target > engine > core > default", async () => {
  const layers = (core: string, engine: string, target: string) =>
    `[core]\n\tengine = sqlite\n\ttarget = main\n\tregistry = ${core}\n` +
    `[engine "sqlite"]\n\tregistry = ${engine}\n` +
    `[target "main"]\n\turi = db:sqlite:app.db\n\tregistry = ${target}\n`;
  const cases: { conf: string; args: string[]; want: string }[] = [
    { conf: layers("c", "e", "t"), args: ["--registry", "o"], want: "o" },
    { conf: layers("c", "e", "t"), args: [], want: "t" },
    { conf: layers("c", "e", ""), args: [], want: "e" },
    { conf: layers("c", "0", ""), args: [], want: "c" },
    { conf: layers("", "", "0"), args: [], want: "sqitch" },
    { conf: layers("c", "e", "t"), args: ["--registry", "o.db"], want: "o" },
  ];
  const files = { "proj/sqitch.plan": PLAN_HEAD + planLine("a", 1), ...scripts("a") };
  await withSandbox(files, async (sb) => {
    for (const { conf, args, want } of cases) {
      await Deno.writeTextFile(`${sb.proj}/sqitch.conf`, conf);
      const r = await runSqlitch(sb, ["deploy", ...args]);
      const what = `deploy ${args.join(" ")} with\n${conf}`;
      strictEqual(
        r.stdout,
        `Adding registry tables to db:sqlite:${want}.db\nDeploying changes to main\n  + a .. ok\n`,
        show(what, r),
      );
      for (const f of Deno.readDirSync(sb.proj)) {
        if (f.name.endsWith(".db")) Deno.removeSync(`${sb.proj}/${f.name}`);
      }
    }
  });
});
