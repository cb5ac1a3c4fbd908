/**
 * engines/check.ts against a real SqliteEngine: registry refusals, nothing
 * deployed, success, modified and missing deploy scripts, from/to ranges
 * and their errors, changes past the end of the plan.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { SqliteEngine } from "../../engines/sqlite.ts";
import { CapturedOutput } from "../../engines/engine.ts";
import { check, CheckFailed } from "../../engines/check.ts";
import { deploy, type Reporter } from "../../engines/workflow.ts";
import { parsePlan } from "../../core/plan/mod.ts";
import type { ScriptTarget } from "../../core/script_paths.ts";
import { createOldRegistry } from "./registry_fixture.ts";

const ANN = { name: "Ann", email: "ann@example.com" };
const HEAD = "%syntax-version=1.0.0\n%project=flipr\n\n";
const PLAN = HEAD +
  "one 2026-01-01T00:00:00Z Ann <ann@example.com>\n" +
  "two [one] 2026-01-01T00:00:01Z Ann <ann@example.com>\n" +
  "@t1 2026-01-01T00:00:02Z Ann <ann@example.com>\n" +
  "three 2026-01-01T00:00:03Z Ann <ann@example.com>\n";

/** What check reports: stdout lines and stderr lines. */
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
    this.out += p.join("") + "\n";
  }
  vent(...p: string[]) {
    this.err += p.join("") + "\n";
  }
}

/** A project directory with the plan and scripts; returns helpers bound to it. */
function project(plan = PLAN) {
  const dir = Deno.makeTempDirSync({ prefix: "sqlitch-check-" });
  for (const d of ["deploy", "revert", "verify"]) Deno.mkdirSync(`${dir}/${d}`);
  Deno.writeTextFileSync(`${dir}/sqitch.plan`, plan);
  for (const n of ["one", "two", "three"]) {
    Deno.writeTextFileSync(`${dir}/deploy/${n}.sql`, `CREATE TABLE ${n} (id INT);\n`);
    Deno.writeTextFileSync(`${dir}/revert/${n}.sql`, `DROP TABLE ${n};\n`);
    Deno.writeTextFileSync(`${dir}/verify/${n}.sql`, `SELECT id FROM ${n} WHERE 0;\n`);
  }
  const target: ScriptTarget = {
    deployDir: `${dir}/deploy`,
    revertDir: `${dir}/revert`,
    verifyDir: `${dir}/verify`,
    reworkedDeployDir: `${dir}/deploy`,
    reworkedRevertDir: `${dir}/revert`,
    reworkedVerifyDir: `${dir}/verify`,
    extension: "sql",
  };
  const engine = () =>
    new SqliteEngine({
      dbPath: `${dir}/flipr.db`,
      registryPath: `${dir}/sqitch.db`,
      destination: "db:sqlite:flipr.db",
      registryDestination: "db:sqlite:sqitch.db",
    });
  /** Deploy (all, or up to `to`) with sqlitch's workflow. */
  const deployed = async (to?: string, logOnly = false) => {
    const e = engine();
    try {
      await deploy(e, parsePlan(plan, "sqitch.plan"), target, {
        committer: ANN,
        reporter: new Transcript(),
        out: new CapturedOutput(),
        to,
        logOnly,
      });
    } finally {
      await e.close();
    }
  };
  /** Run check; resolves to the transcript and the error thrown, if any. */
  const run = async (opts: { from?: string; to?: string; plan?: string } = {}) => {
    const e = engine();
    const reporter = new Transcript();
    let error: unknown;
    try {
      await check(e, parsePlan(opts.plan ?? plan, "sqitch.plan"), target, {
        committer: ANN,
        reporter,
        out: new CapturedOutput(),
        from: opts.from,
        to: opts.to,
      });
    } catch (err) {
      error = err;
    } finally {
      await e.close();
    }
    return { out: reporter.out, err: reporter.err, error };
  };
  const write = (path: string, text: string) => Deno.writeTextFileSync(`${dir}/${path}`, text);
  const cleanup = () => Deno.removeSync(dir, { recursive: true });
  return { dir, deployed, run, write, cleanup };
}

/** The message of a thrown error. */
function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

Deno.test("check: no registry", async () => {
  const p = project();
  try {
    const r = await p.run();
    assertEquals(r.out, "");
    assertEquals(
      message(r.error),
      "No registry found in db:sqlite:sqitch.db. Have you ever deployed?",
    );
  } finally {
    p.cleanup();
  }
});

Deno.test("check: registry at an older version refuses", async () => {
  const p = project();
  try {
    createOldRegistry({
      path: `${p.dir}/sqitch.db`,
      version: "1.0",
      projectDir: p.dir,
      deployed: 1,
    });
    const r = await p.run();
    assertEquals(r.out, "");
    assert(/Please run the "upgrade" command$/.test(message(r.error)), message(r.error));
  } finally {
    p.cleanup();
  }
});

Deno.test("check: nothing deployed, nothing planned", async () => {
  const p = project();
  try {
    await p.deployed("one", true);
    // Another project's plan: registry exists, nothing of it deployed.
    const other = HEAD.replace("flipr", "other");
    assertEquals(
      (await p.run({ plan: other + "x 2026-01-01T00:00:00Z A <a@b>\n" })).out,
      "Checking db:sqlite:flipr.db\nNo changes deployed\n",
    );
    const empty = await p.run({ plan: other });
    assertEquals(
      empty.out,
      "Checking db:sqlite:flipr.db\nNothing to check (no planned or deployed changes)\n",
    );
    assertEquals(empty.error, undefined);
  } finally {
    p.cleanup();
  }
});

Deno.test("check: success, and a modified script fails with exit status 1", async () => {
  const p = project();
  try {
    await p.deployed();
    const ok = await p.run();
    assertEquals(ok.out, "Checking db:sqlite:flipr.db\nCheck successful\n");
    assertEquals(ok.error, undefined);

    p.write("deploy/two.sql", "CREATE TABLE two (id INT, x TEXT);\n");
    p.write("deploy/three.sql", "CREATE TABLE three (id INT, x TEXT);\n");
    const bad = await p.run();
    assertEquals(
      bad.out,
      "Checking db:sqlite:flipr.db\nScript signatures diverge at change two @t1\n",
    );
    assert(bad.error instanceof CheckFailed);
    assertEquals(bad.error.message, "Failed one check");
    assertEquals(bad.error.exitCode, 1);

    // Ranges: from the second modified change; up to the unmodified one.
    assertEquals(
      (await p.run({ from: "three" })).out.split("\n")[1],
      "Script signatures diverge at change three",
    );
    assertEquals(
      (await p.run({ to: "one" })).out,
      "Checking db:sqlite:flipr.db\nCheck successful\n",
    );
    assertEquals(
      (await p.run({ from: "one", to: "HEAD^^" })).out,
      "Checking db:sqlite:flipr.db\nCheck successful\n",
    );
    // `to` deployed before `from`: a one-line error (Sqitch 1.3.1 dies with a Perl error).
    const reversed = await p.run({ from: "three", to: "one" });
    assertEquals(reversed.out, "Checking db:sqlite:flipr.db\n");
    assertEquals(
      (reversed.error as Error).message,
      'Change "one" was deployed before "three"; nothing to check',
    );
  } finally {
    p.cleanup();
  }
});

Deno.test("check: unknown, undeployed and unplanned changes", async () => {
  const p = project();
  try {
    await p.deployed("two");
    assertEquals(
      message((await p.run({ from: "nosuch" })).error),
      'Cannot find "nosuch" in the database or the plan',
    );
    assertEquals(
      message((await p.run({ to: "three" })).error),
      'Change "three" has not been deployed',
    );
    const short = HEAD + "one 2026-01-01T00:00:00Z Ann <ann@example.com>\n";
    const unplanned = await p.run({ plan: short, from: "two" });
    assertEquals(message(unplanned.error), 'Change "two" is deployed, but not planned');
    assertEquals(unplanned.out, "Checking db:sqlite:flipr.db\n");
    // A deployed change past the end of the plan diverges.
    const past = await p.run({ plan: short });
    assertEquals(
      past.out,
      "Checking db:sqlite:flipr.db\nScript signatures diverge at change two @t1\n",
    );
    assert(past.error instanceof CheckFailed);
  } finally {
    p.cleanup();
  }
});

Deno.test("check: a missing deploy script matches a NULL hash", async () => {
  const p = project();
  try {
    Deno.removeSync(`${p.dir}/deploy/three.sql`);
    await p.deployed(undefined, true);
    assertEquals((await p.run()).out, "Checking db:sqlite:flipr.db\nCheck successful\n");
    p.write("deploy/three.sql", "CREATE TABLE three (id INT);\n");
    assertEquals((await p.run()).out.split("\n")[1], "Script signatures diverge at change three");
  } finally {
    p.cleanup();
  }
});

Deno.test("check: CheckFailed counts checks", () => {
  assertEquals(new CheckFailed(1).message, "Failed one check");
  assertEquals(new CheckFailed(3).message, "Failed 3 checks");
  assertEquals(new CheckFailed(3).exitCode, 3);
});
