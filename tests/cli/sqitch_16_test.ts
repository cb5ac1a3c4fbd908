/**
 * Behaviour sqlitch takes from Sqitch 1.4–1.6 where 1.3.1 had a bug or no
 * feature, without changing what 1.3.1 does for 1.3.1 inputs: `plan
 * --format %F` (1.4.0), `revert.strict` / `rebase.strict` /
 * `checkout.strict` (1.4.0), rework creating a missing reworked directory
 * (1.4.0), the "deploy script is not unique" message (1.4.0) and `Unknown
 * engine: {e}` (1.5.0).
 */
import { match, strictEqual } from "node:assert/strict";
import { listTree, type RunResult, runSqlitch, type Sandbox, withSandbox } from "./sandbox.ts";
import {
  createDatabase as createPgDatabase,
  dropDatabase as dropPgDatabase,
  pgAvailable,
  pgUri,
} from "../engines/pg_server.ts";
import { dropDatabases, mysqlAvailable, mysqlExec, mysqlUri } from "../engines/mysql_server.ts";

const CONF = '[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:app.db\n';

const PLAN = "%syntax-version=1.0.0\n%project=p16\n\n" +
  "a 2024-01-01T00:00:01Z T <t@example.com> # a\n" +
  "b 2024-01-01T00:00:02Z T <t@example.com> # b\n" +
  "@v1 2024-01-01T00:00:03Z T <t@example.com> # v1\n";

/** Deploy, revert and verify scripts for each change. */
function scripts(...changes: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const c of changes) {
    files[`proj/deploy/${c}.sql`] = `CREATE TABLE t_${c} (id INT);\n`;
    files[`proj/revert/${c}.sql`] = `DROP TABLE t_${c};\n`;
    files[`proj/verify/${c}.sql`] = `SELECT id FROM t_${c} WHERE 1 = 0;\n`;
  }
  return files;
}

const PROJECT = { "proj/sqitch.conf": CONF, "proj/sqitch.plan": PLAN, ...scripts("a", "b") };

function show(what: string, r: RunResult): string {
  return `${what}: exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
}

/** Asserts the exit code, stdout and stderr of a run. */
function expect(what: string, r: RunResult, code: number, stdout: string, stderr = ""): void {
  const text = show(what, r);
  strictEqual(r.code, code, text);
  strictEqual(r.stdout, stdout, text);
  strictEqual(r.stderr, stderr, text);
}

async function setConfig(sb: Sandbox, extra: string): Promise<void> {
  await Deno.writeTextFile(`${sb.proj}/sqitch.conf`, CONF + extra);
}

// --- plan --format %F (Sqitch 1.4.0) ----------------------------------------

Deno.test("plan --format %F: each change's deploy script path", async () => {
  const files = {
    ...PROJECT,
    "proj/sqitch.plan": PLAN + "a [a@v1] 2024-01-01T00:00:04Z T <t@example.com> # again\n",
  };
  await withSandbox(files, async (sb) => {
    const r = await runSqlitch(sb, ["plan", "--format", "format:%n %F", "--no-headers"]);
    expect("plan %F", r, 0, "a deploy/a@v1.sql\nb deploy/b.sql\na deploy/a.sql\n");
    await setConfig(sb, "\tdeploy_dir = sql/dep\n\textension = ddl\n");
    const r2 = await runSqlitch(sb, ["plan", "--format", "format:%F", "--no-headers", "-n", "1"]);
    expect("plan %F with deploy_dir", r2, 0, "deploy/a@v1.ddl\n");
    const r3 = await runSqlitch(sb, ["plan", "--format", "format:%F", "--no-headers", "--reverse"]);
    strictEqual(r3.stdout.split("\n")[0], "sql/dep/a.ddl", show("plan %F reversed", r3));
  });
});

// --- revert.strict (Sqitch 1.4.0) -------------------------------------------

Deno.test("revert.strict: a change is required and extra changes are fatal", async () => {
  await withSandbox(PROJECT, async (sb) => {
    await setConfig(sb, "[revert]\n\tstrict = true\n");
    const strictMsg = "Must specify a target revision in strict mode\n";
    // Checked before the registry is looked at: nothing is deployed yet.
    expect("revert", await runSqlitch(sb, ["revert", "-y"]), 1, strictMsg);
    expect("revert --log-only", await runSqlitch(sb, ["revert", "-y", "--log-only"]), 1, strictMsg);
    expect(
      "revert a b",
      await runSqlitch(sb, ["revert", "-y", "a", "b"]),
      2,
      "",
      "Too many changes specified\n",
    );
    expect(
      "revert --to a b",
      await runSqlitch(sb, ["revert", "-y", "--to", "a", "b"]),
      2,
      "",
      "Too many changes specified\n",
    );
    strictEqual((await runSqlitch(sb, ["deploy"])).code, 0);
    expect(
      "revert a",
      await runSqlitch(sb, ["revert", "-y", "a"]),
      0,
      "Reverting changes to a from db:sqlite:app.db\n  - b @v1 .. ok\n",
    );
    expect(
      "revert --to @ROOT",
      await runSqlitch(sb, ["revert", "-y", "--to", "@ROOT"]),
      0,
      'No changes deployed since: "@ROOT"\n',
    );
    // --modified names the change itself (here: nothing changed, so the last one's ID).
    const m = await runSqlitch(sb, ["revert", "-y", "--modified"]);
    strictEqual(m.code, 0, show("revert --modified", m));
    match(m.stdout, /^No changes deployed since: "[0-9a-f]{40}"\n$/, show("revert --modified", m));

    // 1.3.1 behaviour when strict mode is off (or the key is false).
    await setConfig(sb, "[revert]\n\tstrict = false\n");
    expect(
      "revert (not strict)",
      await runSqlitch(sb, ["revert", "-y"]),
      0,
      "Reverting all changes from db:sqlite:app.db\n  - a .. ok\n",
    );
    strictEqual((await runSqlitch(sb, ["deploy"])).code, 0);
    const r = await runSqlitch(sb, ["revert", "-y", "a", "b"]);
    expect(
      "revert a b (not strict)",
      r,
      0,
      "Reverting changes to a from db:sqlite:app.db\n  - b @v1 .. ok\n",
      'warning: Too many changes specified; reverting to "a"\n',
    );
  });
});

// --- rebase.strict / checkout.strict (Sqitch 1.4.0) -------------------------

Deno.test("rebase/checkout strict mode: <command>.strict, else revert.strict, refuses", async () => {
  await withSandbox(PROJECT, async (sb) => {
    const refused = (cmd: string) =>
      `"${cmd}" cannot be used in strict mode.\n` +
      "Use explicity revert and deploy commands instead.\n";
    strictEqual((await runSqlitch(sb, ["deploy"])).code, 0);

    await setConfig(sb, "[revert]\n\tstrict = true\n");
    expect("rebase", await runSqlitch(sb, ["rebase", "-y"]), 2, "", refused("rebase"));
    expect("checkout", await runSqlitch(sb, ["checkout", "-y", "x"]), 2, "", refused("checkout"));
    // Refused before the arguments are looked at.
    expect("rebase nope", await runSqlitch(sb, ["rebase", "nope"]), 2, "", refused("rebase"));

    // <command>.strict overrides revert.strict either way.
    await setConfig(sb, "[revert]\n\tstrict = true\n[rebase]\n\tstrict = false\n");
    expect(
      "rebase (rebase.strict = false)",
      await runSqlitch(sb, ["rebase", "-y", "--onto", "a"]),
      0,
      "Reverting changes to a from db:sqlite:app.db\n  - b @v1 .. ok\n" +
        "Deploying changes to db:sqlite:app.db\n  + b @v1 .. ok\n",
    );
    expect("checkout", await runSqlitch(sb, ["checkout", "-y", "x"]), 2, "", refused("checkout"));

    await setConfig(sb, "[checkout]\n\tstrict = yes\n");
    expect("checkout", await runSqlitch(sb, ["checkout", "-y", "x"]), 2, "", refused("checkout"));
    expect(
      "rebase (only checkout strict)",
      await runSqlitch(sb, ["rebase", "-y", "--onto", "a"]),
      0,
      "Reverting changes to a from db:sqlite:app.db\n  - b @v1 .. ok\n" +
        "Deploying changes to db:sqlite:app.db\n  + b @v1 .. ok\n",
    );
    // revert itself is not refused by rebase/checkout strictness.
    expect(
      "revert",
      await runSqlitch(sb, ["revert", "-y"]),
      0,
      "Reverting all changes from db:sqlite:app.db\n  - b @v1 .. ok\n  - a ...... ok\n",
    );
  });
});

// --- rework into a missing reworked directory (Sqitch 1.4.0) ----------------

Deno.test("rework: a configured reworked directory that does not exist is created", async () => {
  await withSandbox(PROJECT, async (sb) => {
    await setConfig(sb, "\treworked_dir = old/rw\n");
    const r = await runSqlitch(sb, ["rework", "a", "-n", "again", "-vv"]);
    expect(
      "rework",
      r,
      0,
      "debug:     Created old/rw/deploy\n" +
        "debug: Copied deploy/a.sql to old/rw/deploy/a@v1.sql\n" +
        "debug:     Created old/rw/revert\n" +
        "debug: Copied revert/a.sql to old/rw/revert/a@v1.sql\n" +
        "debug:     Created old/rw/verify\n" +
        "debug: Copied verify/a.sql to old/rw/verify/a@v1.sql\n" +
        "debug: Copied deploy/a.sql to revert/a.sql\n" +
        'Added "a [a@v1]" to sqitch.plan.\n' +
        "Modify these files as appropriate:\n" +
        "  * deploy/a.sql\n  * revert/a.sql\n  * verify/a.sql\n",
    );
    strictEqual(
      listTree(sb).filter((p) => p.startsWith("proj/old/")).join("\n"),
      [
        "proj/old/",
        "proj/old/rw/",
        "proj/old/rw/deploy/",
        "proj/old/rw/deploy/a@v1.sql",
        "proj/old/rw/revert/",
        "proj/old/rw/revert/a@v1.sql",
        "proj/old/rw/verify/",
        "proj/old/rw/verify/a@v1.sql",
      ].join("\n"),
    );
  });
});

// --- deploy script not unique (Sqitch 1.4.0) --------------------------------

type Engine = "sqlite" | "pg" | "mysql";

for (const engine of ["sqlite", "pg", "mysql"] as Engine[]) {
  Deno.test(`deploy: a reworked change with an unchanged script (${engine})`, async () => {
    if (engine === "pg" && !(await pgAvailable())) return;
    if (engine === "mysql" && !(await mysqlAvailable())) return;
    const id = `sqlitch_p16_${crypto.randomUUID().slice(0, 8)}`;
    const uri = engine === "sqlite"
      ? "db:sqlite:app.db"
      : engine === "pg"
      ? pgUri(id)
      : mysqlUri(id);
    if (engine === "pg") await createPgDatabase(id);
    if (engine === "mysql") await mysqlExec(`CREATE DATABASE \`${id}\``);
    const files = {
      ...PROJECT,
      "proj/sqitch.conf": `[core]\n\tengine = ${engine}\n\tregistry = ${id}_reg\n` +
        `[engine "${engine}"]\n\ttarget = ${uri}\n`,
      "proj/sqitch.plan": PLAN + "a [a@v1] 2024-01-01T00:00:04Z T <t@example.com> # again\n",
      // The reworked script is the same as the original: same script hash.
      "proj/deploy/a@v1.sql": "-- a\n",
      "proj/deploy/a.sql": "-- a\n",
      "proj/revert/a@v1.sql": "-- undo a\n",
      "proj/revert/a.sql": "-- undo a\n",
    };
    try {
      await withSandbox(files, async (sb) => {
        const r = await runSqlitch(sb, ["deploy"]);
        const text = show("deploy", r);
        strictEqual(r.code, 2, text);
        strictEqual(
          r.stdout.replace(/^Adding registry tables to .*\n/, "").replace(/^Deploying .*\n/, ""),
          "  + a ...... ok\n  + b @v1 .. ok\n  + a ...... not ok\n  - b @v1 .. ok\n" +
            "  - a ...... ok\n",
          text,
        );
        strictEqual(
          r.stderr,
          'Cannot log change "a": The deploy script is not unique\n' +
            "Reverting all changes\nDeploy failed\n",
          text,
        );
      });
    } finally {
      if (engine === "pg") await dropPgDatabase(id);
      if (engine === "mysql") await dropDatabases(id);
    }
  });
}

// --- Unknown engine (Sqitch 1.5.0) ------------------------------------------

Deno.test("an engine Sqitch does not know: Unknown engine: {e}", async () => {
  await withSandbox(PROJECT, async (sb) => {
    for (const cmd of ["deploy", "revert", "verify", "status", "log", "check", "upgrade"]) {
      const r = await runSqlitch(sb, [cmd, "db:nosuch:x"]);
      expect(cmd, r, 2, "", "Unknown engine: nosuch\n");
    }
  });
});
