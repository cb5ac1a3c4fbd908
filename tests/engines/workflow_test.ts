/**
 * engines/workflow.ts against a real SqliteEngine: deploy (all, --to,
 * failures in each mode), revert, verify and reworked changes. Failure
 * modes are compared with the registry rows real Sqitch leaves for the
 * same project (timestamps normalised).
 */
import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { parityAvailability } from "../parity/kit.ts";
import { SqliteEngine } from "../../engines/sqlite.ts";
import { CapturedOutput } from "../../engines/engine.ts";
import { deploy, NothingReverted, type Reporter, revert, verify } from "../../engines/workflow.ts";
import { checkout, commonAncestorId, rebase, type Vcs } from "../../engines/rebase.ts";
import type { Engine, ScriptVariables } from "../../engines/engine.ts";
import { parsePlan, type Plan } from "../../core/plan/mod.ts";
import type { ScriptTarget } from "../../core/script_paths.ts";

const availability = parityAvailability(["sqitch"]);
const MARGE = { name: "Marge Simpson", email: "marge@example.com" };

const PLAN = `%syntax-version=1.0.0
%project=fail
%uri=https://example.com/fail/

c1 2013-12-30T22:59:30Z Marge Simpson <marge@example.com> # First change.
c2 [c1] 2013-12-30T23:00:14Z Lisa Simpson <lisa@example.com> # Second.
@t1 2013-12-31T00:00:00Z Marge Simpson <marge@example.com> # Tag one.
c3 [c2] 2014-01-01T10:11:12Z Marge Simpson <marge@example.com>
c4 [!other:nope] 2014-01-02T10:11:12Z Marge Simpson <marge@example.com> # Fails.
`;

/** Records what the workflow reports, stdout and stderr in one transcript each. */
class Transcript implements Reporter {
  out = "";
  err = "";
  info(...p: string[]) {
    this.out += p.join("") + "\n";
  }
  infoLiteral(...p: string[]) {
    this.out += p.join("");
  }
  emit(...p: string[]) {
    this.out += p.join("") + "\n";
  }
  emitLiteral(...p: string[]) {
    this.out += p.join("");
  }
  comment(...p: string[]) {
    this.out += p.join("").split("\n").map((l) => `# ${l}`).join("\n") + "\n";
  }
  vent(...p: string[]) {
    this.err += p.join("") + "\n";
  }
}

function project(files: Record<string, string>, plan = PLAN): string {
  const dir = Deno.makeTempDirSync({ prefix: "sqlitch-wf-" });
  for (const d of ["deploy", "revert", "verify"]) Deno.mkdirSync(`${dir}/${d}`);
  Deno.writeTextFileSync(`${dir}/sqitch.plan`, plan);
  Deno.writeTextFileSync(
    `${dir}/sqitch.conf`,
    `[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:fail.db\n`,
  );
  for (const [path, text] of Object.entries(files)) Deno.writeTextFileSync(`${dir}/${path}`, text);
  return dir;
}

function scripts(names: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const c of names) {
    files[`deploy/${c}.sql`] = `CREATE TABLE ${c} (id INT);\n`;
    files[`revert/${c}.sql`] = `DROP TABLE ${c};\n`;
    files[`verify/${c}.sql`] = `SELECT id FROM ${c} WHERE 0;\n`;
  }
  return files;
}

function setup(dir: string, plan = PLAN) {
  const engine = new SqliteEngine({
    dbPath: `${dir}/fail.db`,
    registryPath: `${dir}/sqitch.db`,
    destination: "db:sqlite:fail.db",
    registryDestination: "db:sqlite:sqitch.db",
  });
  const target: ScriptTarget = {
    deployDir: `${dir}/deploy`,
    revertDir: `${dir}/revert`,
    verifyDir: `${dir}/verify`,
    reworkedDeployDir: `${dir}/deploy`,
    reworkedRevertDir: `${dir}/revert`,
    reworkedVerifyDir: `${dir}/verify`,
    extension: "sql",
  };
  const parsed: Plan = parsePlan(plan, "sqitch.plan");
  const reporter = new Transcript();
  const out = new CapturedOutput();
  const common = { committer: MARGE, reporter, out };
  return { engine, target, plan: parsed, reporter, out, common };
}

function sqitch(dir: string, args: string[]): { code: number; out: string; err: string } {
  const r = new Deno.Command("sqitch", {
    args,
    cwd: dir,
    env: {
      SQITCH_FULLNAME: MARGE.name,
      SQITCH_EMAIL: MARGE.email,
      SQITCH_USER_CONFIG: "/dev/null",
      SQITCH_SYSTEM_CONFIG: "/dev/null",
      TZ: "UTC",
      LC_ALL: "C",
    },
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

type Row = Record<string, unknown>;

/** changes/tags/dependencies/events/projects with write-time timestamps replaced. */
function dump(path: string): Record<string, Row[]> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const out: Record<string, Row[]> = {};
    for (const table of ["projects", "changes", "tags", "dependencies", "events"]) {
      const order = table === "projects" || table === "dependencies"
        ? "rowid"
        : "committed_at, rowid";
      out[table] = (db.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).all() as Row[]).map(
        (r) => {
          const copy: Row = { ...r };
          for (const col of ["committed_at", "created_at"]) if (col in copy) copy[col] = "<NOW>";
          return copy;
        },
      );
    }
    return out;
  } finally {
    db.close();
  }
}

function failingFiles(): Record<string, string> {
  return {
    ...scripts(["c1", "c2", "c3", "c4"]),
    "deploy/c4.sql": "CREATE TABLE c4 (id INT);\nSELECT nosuchfunc();\n",
  };
}

async function sqlitchDeploy(
  dir: string,
  opts: { mode?: "all" | "tag" | "change"; to?: string; verify?: boolean } = {},
) {
  const s = setup(dir);
  try {
    await deploy(s.engine, s.plan, s.target, { ...s.common, ...opts });
    return { ...s, error: undefined as unknown };
  } catch (e) {
    return { ...s, error: e };
  } finally {
    await s.engine.close();
  }
}

Deno.test("deploy all, up-to-date, revert, verify", async () => {
  const dir = project(scripts(["c1", "c2", "c3", "c4"]));
  const s = setup(dir);
  try {
    await deploy(s.engine, s.plan, s.target, { ...s.common, to: "c2" });
    assertEquals(
      s.reporter.out,
      "Adding registry tables to db:sqlite:sqitch.db\n" +
        "Deploying changes through c2 @t1 to db:sqlite:fail.db\n" +
        "  + c1 ...... ok\n  + c2 @t1 .. ok\n",
    );
    s.reporter.out = "";
    await deploy(s.engine, s.plan, s.target, { ...s.common, to: "c2" });
    assertEquals(s.reporter.out, 'Nothing to deploy (already at "c2")\n');
    await rejects(
      deploy(s.engine, s.plan, s.target, { ...s.common, to: "c1" }),
      /Cannot deploy to an earlier change; use "revert" instead/,
    );
    await rejects(
      deploy(s.engine, s.plan, s.target, { ...s.common, to: "nope" }),
      /Unknown change: "nope"/,
    );
    s.reporter.out = "";
    await verify(s.engine, s.plan, s.target, s.common);
    assertEquals(
      s.reporter.out,
      "Verifying db:sqlite:fail.db\n  * c1 ...... ok\n  * c2 @t1 .. ok\n" +
        "Undeployed changes:\n  * c3\n  * c4\nVerify successful\n",
    );
    s.reporter.out = "";
    await deploy(s.engine, s.plan, s.target, s.common);
    assertEquals(
      s.reporter.out,
      "Deploying changes to db:sqlite:fail.db\n  + c3 .. ok\n  + c4 .. ok\n",
    );
    s.reporter.out = "";
    await deploy(s.engine, s.plan, s.target, s.common);
    assertEquals(s.reporter.out, "Nothing to deploy (up-to-date)\n");

    // verify failure
    Deno.writeTextFileSync(`${dir}/verify/c4.sql`, "SELECT nope FROM c4;\n");
    s.reporter.out = "";
    await rejects(verify(s.engine, s.plan, s.target, s.common), /Verify failed/);
    assertEquals(
      s.reporter.out,
      "Verifying db:sqlite:fail.db\n  * c1 ...... ok\n  * c2 @t1 .. ok\n  * c3 ...... ok\n" +
        `  * c4 ...... # Verify script "${dir}/verify/c4.sql" failed.\nnot ok\n\n` +
        "Verify Summary Report\n---------------------\nChanges: 4\nErrors:  1\n",
    );

    // revert
    s.reporter.out = "";
    await revert(s.engine, s.plan, s.target, { ...s.common, to: "@t1" });
    assertEquals(
      s.reporter.out,
      "Reverting changes to c2 @t1 from db:sqlite:fail.db\n  - c4 .. ok\n  - c3 .. ok\n",
    );
    s.reporter.out = "";
    await revert(s.engine, s.plan, s.target, { ...s.common, to: "@t1" });
    assertEquals(s.reporter.out, 'No changes deployed since: "@t1"\n');
    await rejects(
      revert(s.engine, s.plan, s.target, { ...s.common, to: "c3" }),
      /Change not deployed: "c3"/,
    );
    await rejects(
      revert(s.engine, s.plan, s.target, { ...s.common, to: "nope" }),
      /Unknown change: "nope"/,
    );
    await rejects(
      revert(s.engine, s.plan, s.target, { ...s.common, confirm: () => false }),
      /Nothing reverted/,
    );
    s.reporter.out = "";
    await revert(s.engine, s.plan, s.target, s.common);
    assertEquals(
      s.reporter.out,
      "Reverting all changes from db:sqlite:fail.db\n  - c2 @t1 .. ok\n  - c1 ...... ok\n",
    );
    s.reporter.out = "";
    await revert(s.engine, s.plan, s.target, s.common);
    assertEquals(s.reporter.out, "Nothing to revert (nothing deployed)\n");
  } finally {
    await s.engine.close();
  }
});

Deno.test("dependency checks before deploying", async () => {
  const plan = PLAN.replace("c3 [c2]", "c3 [c2 other:x !other:y]");
  const dir = project(scripts(["c1", "c2", "c3", "c4"]), plan);
  const s = setup(dir, plan);
  try {
    await rejects(
      deploy(s.engine, s.plan, s.target, s.common),
      (e: Error) => e.message === "Missing required change: other:x",
    );
    assertEquals(s.reporter.out.split("\n").at(-2), "Deploying changes to db:sqlite:fail.db");
  } finally {
    await s.engine.close();
  }
});

for (const mode of ["all", "tag", "change"] as const) {
  Deno.test({
    name: `failing deploy script, mode ${mode}: registry rows match sqitch`,
    ignore: availability.status === "skip",
    async fn() {
      if (availability.status === "fail") throw new Error(availability.reason);
      const theirs = project(failingFiles());
      const r = sqitch(theirs, ["deploy", "--mode", mode]);
      assertEquals(r.code, 2, r.err);
      const ours = project(failingFiles());
      const s = await sqlitchDeploy(ours, { mode });
      assert(s.error instanceof Error);
      assertEquals(s.reporter.out, r.out);
      // Client stderr (the sqlite3 parse error) goes to `out`; the rest is ours.
      if (mode === "change") {
        assertEquals(s.error.message, '"sqlite3" unexpectedly returned exit value 1');
        assertEquals(s.out.err + s.reporter.err + s.error.message + "\n\n", r.err);
      } else {
        assertEquals(s.error.message, "Deploy failed");
        assertEquals(s.out.err + s.reporter.err + "Deploy failed\n", r.err);
      }
      assertEquals(dump(`${ours}/sqitch.db`), dump(`${theirs}/sqitch.db`));
    },
  });
}

Deno.test({
  name: "failing deploy from a tagged change, --verify failure: rows match sqitch",
  ignore: availability.status === "skip",
  async fn() {
    if (availability.status === "fail") throw new Error(availability.reason);
    const files = {
      ...scripts(["c1", "c2", "c3", "c4"]),
      "verify/c4.sql": "SELECT nosuchfunc();\n",
    };
    const theirs = project(files);
    const ours = project(files);
    // Deploy through the tag first, then all with verify: c4's verify fails.
    assertEquals(sqitch(theirs, ["deploy", "--to", "c2"]).code, 0);
    const r = sqitch(theirs, ["deploy", "--verify"]);
    assertEquals(r.code, 2, r.err);
    await sqlitchDeploy(ours, { to: "c2" });
    const s = await sqlitchDeploy(ours, { verify: true });
    assertEquals(s.reporter.out, r.out);
    assertEquals(
      s.out.err + s.reporter.err.replaceAll(`${ours}/`, "") + "Deploy failed\n",
      r.err,
    );
    assertEquals(dump(`${ours}/sqitch.db`), dump(`${theirs}/sqitch.db`));
  },
});

const REWORK_PLAN = `%syntax-version=1.0.0
%project=rw

users 2013-12-30T22:59:30Z Marge Simpson <marge@example.com>
widgets 2013-12-30T23:00:14Z Marge Simpson <marge@example.com>
@v1.0 2013-12-31T00:00:00Z Marge Simpson <marge@example.com>
users [users@v1.0] 2014-01-01T10:11:12Z Marge Simpson <marge@example.com>
`;

Deno.test({
  name: "reworked change runs its @tag script; revert uses it too; rows match sqitch",
  ignore: availability.status === "skip",
  async fn() {
    if (availability.status === "fail") throw new Error(availability.reason);
    const files = {
      ...scripts(["users", "widgets"]),
      "deploy/users@v1.0.sql": "CREATE TABLE users_old (id INT);\n",
      "revert/users@v1.0.sql": "DROP TABLE users_old;\n",
      "verify/users@v1.0.sql": "SELECT id FROM users_old WHERE 0;\n",
    };
    const theirs = project(files, REWORK_PLAN);
    const ours = project(files, REWORK_PLAN);
    const r = sqitch(theirs, ["deploy"]);
    assertEquals(r.code, 0, r.err);
    const s = setup(ours, REWORK_PLAN);
    try {
      await deploy(s.engine, s.plan, s.target, s.common);
      assertEquals(s.reporter.out, r.out);
      assertEquals(dump(`${ours}/sqitch.db`), dump(`${theirs}/sqitch.db`));
      const tables = (db: string) => {
        const d = new DatabaseSync(db, { readOnly: true });
        try {
          return (d.prepare("SELECT name FROM sqlite_master ORDER BY name").all() as Row[])
            .map((x) => x.name);
        } finally {
          d.close();
        }
      };
      assertEquals(tables(`${ours}/fail.db`), ["users", "users_old", "widgets"]);
      s.reporter.out = "";
      await verify(s.engine, s.plan, s.target, s.common);
      assertEquals(s.reporter.out, sqitch(theirs, ["verify"]).out);
      s.reporter.out = "";
      await revert(s.engine, s.plan, s.target, s.common);
      const rr = sqitch(theirs, ["revert", "-y"]);
      assertEquals(s.reporter.out, rr.out);
      assertEquals(tables(`${ours}/fail.db`), []);
      assertEquals(dump(`${ours}/sqitch.db`), dump(`${theirs}/sqitch.db`));
    } finally {
      await s.engine.close();
    }
  },
});

Deno.test({
  name: "registry write failure (duplicate script hash) reverts the change: matches sqitch",
  ignore: availability.status === "skip",
  async fn() {
    if (availability.status === "fail") throw new Error(availability.reason);
    const plan = `%syntax-version=1.0.0
%project=dup

x 2013-12-30T22:59:30Z Marge Simpson <marge@example.com>
y 2013-12-30T23:00:14Z Marge Simpson <marge@example.com>
`;
    const files: Record<string, string> = {};
    for (const c of ["x", "y"]) {
      files[`deploy/${c}.sql`] = "SELECT 1;\n";
      files[`revert/${c}.sql`] = "SELECT 1;\n";
      files[`verify/${c}.sql`] = "SELECT 1;\n";
    }
    const theirs = project(files, plan);
    const ours = project(files, plan);
    const r = sqitch(theirs, ["deploy"]);
    assertEquals(r.code, 2, r.err);
    const s = setup(ours, plan);
    // Script stdout interleaves with the progress lines, as on a terminal.
    const out = {
      stdout: (c: string) => s.reporter.out += c,
      stderr: (c: string) => s.out.stderr(c),
    };
    try {
      await rejects(deploy(s.engine, s.plan, s.target, { ...s.common, out }), /Deploy failed/);
    } finally {
      await s.engine.close();
    }
    assertEquals(s.reporter.out, r.out);
    // Deliberate divergence: Sqitch ≥ 1.4 names the cause; 1.3.1 shows SQLite's error.
    const unique = "UNIQUE constraint failed: changes.project, changes.script_hash\n";
    const named = 'Cannot log change "y": The deploy script is not unique\n';
    assertEquals(r.err.includes(unique), true, r.err);
    assertEquals(s.out.err + s.reporter.err + "Deploy failed\n", r.err.replace(unique, named));
    assertEquals(dump(`${ours}/sqitch.db`), dump(`${theirs}/sqitch.db`));
  },
});

Deno.test({
  name: "cross-project require resolves through the shared registry: matches sqitch",
  ignore: availability.status === "skip",
  async fn() {
    if (availability.status === "fail") throw new Error(availability.reason);
    const depPlan = `%syntax-version=1.0.0
%project=dep

a [other:x] 2013-12-30T22:59:30Z Marge Simpson <marge@example.com>
b [!other:y] 2013-12-30T23:00:14Z Marge Simpson <marge@example.com>
`;
    const otherPlan = `%syntax-version=1.0.0
%project=other

x 2013-12-30T22:59:30Z Marge Simpson <marge@example.com>
y 2013-12-30T23:00:14Z Marge Simpson <marge@example.com>
`;
    const files = { ...scripts(["a", "b", "x", "y"]), "other.plan": otherPlan };
    const theirs = project(files, depPlan);
    const ours = project(files, depPlan);
    const r1 = sqitch(theirs, ["deploy"]);
    assertEquals([r1.code, r1.err], [2, "Missing required change: other:x\n"]);
    assertEquals(sqitch(theirs, ["--plan-file", "other.plan", "deploy", "--to", "x"]).code, 0);
    assertEquals(sqitch(theirs, ["deploy"]).code, 0);
    const r2 = sqitch(theirs, ["--plan-file", "other.plan", "revert", "-y"]);
    assertEquals(r2.code, 2);

    const dep = setup(ours, depPlan);
    const other = setup(ours, otherPlan);
    try {
      await rejects(deploy(dep.engine, dep.plan, dep.target, dep.common), /other:x/);
      await deploy(other.engine, other.plan, other.target, { ...other.common, to: "x" });
      await deploy(dep.engine, dep.plan, dep.target, dep.common);
      other.reporter.out = "";
      await rejects(
        revert(other.engine, other.plan, other.target, other.common),
        (e: Error) => e.message + "\n" === r2.err,
      );
      assertEquals(other.reporter.out, r2.out);
    } finally {
      await dep.engine.close();
      await other.engine.close();
    }
    assertEquals(dump(`${ours}/sqitch.db`), dump(`${theirs}/sqitch.db`));
  },
});

// --- rebase / checkout (engines/rebase.ts) ---------------------------------------------

/** The engine with its script runs recorded (script file name and variables). */
function recording(engine: Engine): { engine: Engine; runs: string[] } {
  const runs: string[] = [];
  const proxy = new Proxy(engine, {
    get(target, key) {
      if (key === "runScript") {
        return (path: string, vars: ScriptVariables, out: CapturedOutput) => {
          runs.push(`${path.split("/").slice(-2).join("/")} ${JSON.stringify(vars)}`);
          return target.runScript(path, vars, out);
        };
      }
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { engine: proxy, runs };
}

Deno.test("commonAncestorId: no registry, nothing modified, middle and first modified", async () => {
  const dir = project(scripts(["c1", "c2", "c3", "c4"]));
  const s = setup(dir);
  try {
    await rejects(
      commonAncestorId(s.engine, s.plan, s.target, s.common),
      /No registry found in db:sqlite:sqitch.db\. Have you ever deployed\?/,
    );
    await deploy(s.engine, s.plan, s.target, { ...s.common, to: "c3" });
    const id = (name: string) => s.plan.get(name)!.id;
    assertEquals(await commonAncestorId(s.engine, s.plan, s.target, s.common), id("c3"));
    Deno.writeTextFileSync(`${dir}/deploy/c4.sql`, "-- not deployed yet\n");
    assertEquals(await commonAncestorId(s.engine, s.plan, s.target, s.common), id("c3"));
    Deno.writeTextFileSync(`${dir}/deploy/c2.sql`, "CREATE TABLE c2 (id INT, x INT);\n");
    assertEquals(await commonAncestorId(s.engine, s.plan, s.target, s.common), id("c1"));
    Deno.removeSync(`${dir}/deploy/c1.sql`);
    assertEquals(await commonAncestorId(s.engine, s.plan, s.target, s.common), undefined);
    // A plan shorter than the registry: the changes beyond it count as modified.
    const short = parsePlan(PLAN.split("\n").slice(0, 6).join("\n") + "\n", "sqitch.plan");
    Deno.writeTextFileSync(`${dir}/deploy/c1.sql`, "CREATE TABLE c1 (id INT);\n");
    Deno.writeTextFileSync(`${dir}/deploy/c2.sql`, "CREATE TABLE c2 (id INT);\n");
    assertEquals(await commonAncestorId(s.engine, s.plan, s.target, s.common), id("c3"));
    assertEquals(await commonAncestorId(s.engine, short, s.target, s.common), id("c2"));
    await revert(s.engine, s.plan, s.target, s.common);
    assertEquals(await commonAncestorId(s.engine, s.plan, s.target, s.common), undefined);
  } finally {
    await s.engine.close();
  }
});

Deno.test("rebase: revert then deploy, each with its own variables", async () => {
  const dir = project(scripts(["c1", "c2", "c3", "c4"]));
  const s = setup(dir);
  const { engine, runs } = recording(s.engine);
  try {
    await deploy(engine, s.plan, s.target, { ...s.common, to: "c3" });
    runs.length = 0;
    s.reporter.out = "";
    await rebase(engine, s.plan, s.target, {
      ...s.common,
      onto: "c1",
      upto: "@t1",
      revertVariables: { r: "1" },
      deployVariables: { d: "2" },
    });
    assertEquals(
      s.reporter.out,
      "Reverting changes to c1 from db:sqlite:fail.db\n  - c3 ...... ok\n  - c2 @t1 .. ok\n" +
        "Deploying changes through c2 @t1 to db:sqlite:fail.db\n  + c2 @t1 .. ok\n",
    );
    assertEquals(runs, [
      'revert/c3.sql {"r":"1"}',
      'revert/c2.sql {"r":"1"}',
      'deploy/c2.sql {"d":"2"}',
    ]);
  } finally {
    await engine.close();
  }
});

Deno.test("rebase: refusing to revert to a change stops; refusing to revert all does not", async () => {
  const dir = project(scripts(["c1", "c2", "c3", "c4"]));
  const s = setup(dir);
  const questions: string[] = [];
  const no = (q: string) => {
    questions.push(q);
    return false;
  };
  try {
    // Nothing registered yet: the revert step's registry check is fatal.
    await rejects(rebase(s.engine, s.plan, s.target, s.common), /No registry found/);
    await deploy(s.engine, s.plan, s.target, { ...s.common, to: "c2" });
    s.reporter.out = "";
    await rejects(
      rebase(s.engine, s.plan, s.target, { ...s.common, onto: "c1", confirm: no }),
      (e: unknown) => e instanceof NothingReverted && e.ident === "revert:confirm",
    );
    assertEquals(s.reporter.out, "");
    await rebase(s.engine, s.plan, s.target, { ...s.common, confirm: no });
    assertEquals(
      s.reporter.out,
      "Nothing reverted\nDeploying changes to db:sqlite:fail.db\n  + c3 .. ok\n  + c4 .. ok\n",
    );
    assertEquals(questions, [
      "Revert changes to c1 from db:sqlite:fail.db?",
      "Revert all changes from db:sqlite:fail.db?",
    ]);
    // Nothing after `onto`: reported, then the deploy (nothing to do).
    s.reporter.out = "";
    await rebase(s.engine, s.plan, s.target, { ...s.common, onto: "HEAD" });
    assertEquals(
      s.reporter.out,
      'No changes deployed since: "HEAD"\nNothing to deploy (up-to-date)\n',
    );
  } finally {
    await s.engine.close();
  }
});

/** A Vcs over fixed branch plans, logging what it is asked to the transcript. */
function fakeVcs(reporter: { out: string }, current: string, plans: Record<string, string>): Vcs {
  return {
    currentBranch: () => Promise.resolve(current),
    planOn(branch) {
      const plan = plans[branch];
      if (plan === undefined) return Promise.reject(new Error(`no branch ${branch}`));
      return Promise.resolve(new TextEncoder().encode(plan));
    },
    checkout(branch) {
      reporter.out += `[checkout ${branch}]\n`;
      current = branch;
      return Promise.resolve();
    },
  };
}

Deno.test("checkout: same branch, nothing in common, revert + switch + deploy", async () => {
  const other = PLAN.replace(/^c3 .*\n/m, "").replace(
    /^c4 .*$/m,
    "c5 [c2] 2014-01-03T10:11:12Z Marge Simpson <marge@example.com>",
  );
  const dir = project(scripts(["c1", "c2", "c3", "c4", "c5"]));
  const s = setup(dir);
  const alien = "%project=fail\n\nx1 2014-01-03T10:11:12Z Marge Simpson <marge@example.com>\n";
  const opts = (branch: string) => ({
    ...s.common,
    branch,
    vcs: fakeVcs(s.reporter, "main", { main: PLAN, other, alien }),
    planFile: "sqitch.plan",
    currentPlan: () => s.plan,
  });
  try {
    await deploy(s.engine, s.plan, s.target, s.common);
    await rejects(
      checkout(s.engine, s.target, opts("main")),
      (e: Error & { exitCode?: number }) =>
        e.message === "Already on branch main" && e.exitCode === 1,
    );
    await rejects(
      checkout(s.engine, s.target, opts("alien")),
      /^SqlitchError: Branch alien has no changes in common with current branch main$/,
    );
    s.reporter.out = "";
    await checkout(s.engine, s.target, opts("other"));
    assertEquals(
      s.reporter.out,
      "Last change before the branches diverged: c2 @t1\n" +
        "Reverting changes to c2 @t1 from db:sqlite:fail.db\n  - c4 .. ok\n  - c3 .. ok\n" +
        "[checkout other]\n" +
        "Deploying changes to db:sqlite:fail.db\n  + c5 .. ok\n",
    );
    const deployed = await s.engine.deployedChanges("fail");
    assertEquals(deployed.map((c) => c.name), ["c1", "c2", "c5"]);
  } finally {
    await s.engine.close();
  }
});
