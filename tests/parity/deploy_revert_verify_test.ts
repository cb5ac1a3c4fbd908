/**
 * Parity of `sqitch deploy`, `revert` and `verify` on SQLite (cli.md §3.1,
 * §5.6, §5.14, §5.21; engine-semantics.md) with real Sqitch: outputs and
 * exit codes of every step, and at the end the registry (every row of
 * every table, timestamps masked) and the target database's schema.
 *
 * Registry and database files hold commit timestamps and are binary, so
 * they are left out of the tree comparison and dumped instead.
 */
import { DatabaseSync } from "node:sqlite";
import { strictEqual } from "node:assert/strict";
import {
  assertParity,
  parityAvailability,
  runScenario,
  type SandboxContext,
  type Scenario,
  type Side,
  type Step,
} from "./kit.ts";

const CONF = '[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:flipr.db\n';
const HEAD = "%syntax-version=1.0.0\n%project=flipr\n%uri=https://example.com/flipr\n\n";
const PLAN = HEAD +
  "users 2026-01-01T00:00:00Z Ann <ann@example.com> # Users.\n" +
  "flips [users] 2026-01-01T00:00:01Z Ann <ann@example.com> # Flips.\n" +
  "@v1.0 2026-01-01T00:00:02Z Ann <ann@example.com> # Tag v1.0.\n" +
  "longer_change_name [flips] 2026-01-01T00:00:03Z Ann <ann@example.com>\n";

/** deploy/revert/verify scripts creating and dropping a table per change. */
function scripts(...names: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const n of names) {
    files[`deploy/${n}.sql`] = `-- Deploy ${n}\nCREATE TABLE ${n} (id INTEGER);\n`;
    files[`revert/${n}.sql`] = `-- Revert ${n}\nDROP TABLE ${n};\n`;
    files[`verify/${n}.sql`] = `-- Verify ${n}\nSELECT id FROM ${n} WHERE 0;\n`;
  }
  return files;
}

const PROJECT = {
  "sqitch.conf": CONF,
  "sqitch.plan": PLAN,
  ...scripts("users", "flips", "longer_change_name"),
};

/** A plan of four changes, `two` tagged, `four` failing (cli.md §5.6 transcript). */
const FAIL_PLAN = HEAD +
  "one 2026-01-01T00:00:00Z Ann <ann@example.com>\n" +
  "two 2026-01-01T00:00:01Z Ann <ann@example.com>\n" +
  "@t1 2026-01-01T00:00:02Z Ann <ann@example.com>\n" +
  "three 2026-01-01T00:00:03Z Ann <ann@example.com>\n" +
  "four 2026-01-01T00:00:04Z Ann <ann@example.com>\n";
const FAILING = {
  "sqitch.conf": CONF,
  "sqitch.plan": FAIL_PLAN,
  ...scripts("one", "two", "three", "four"),
  "deploy/four.sql": "-- Deploy four\nINSERT INTO nonexistent VALUES (1);\n",
};

/** The same plan with `two`'s verify script failing. */
const VERIFY_FAILING = {
  ...FAILING,
  "deploy/four.sql": "CREATE TABLE four (id INTEGER);\n",
  "verify/two.sql": "SELECT nosuchcolumn FROM two;\n",
};

/** Every registry row (timestamps masked) and the target's schema. */
function dump(proj: string): string {
  const lines: string[] = [];
  for (const file of ["sqitch.db", "flipr.db", "other.db", "reg.db"]) {
    let db: DatabaseSync;
    try {
      Deno.statSync(`${proj}/${file}`);
      db = new DatabaseSync(`${proj}/${file}`, { readOnly: true });
    } catch {
      continue;
    }
    try {
      const tables = db.prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name",
      ).all();
      // sqlitch's sqlite3 emulation creates an empty target file where a
      // failing sqlite3 `.read` never opens it: no tables counts as absent.
      if (tables.length === 0) continue;
      lines.push(`## ${file}`);
      for (const t of tables) {
        lines.push(`# ${t.name}: ${t.sql}`);
        if (file === "flipr.db" || file === "other.db") continue;
        for (const row of db.prepare(`SELECT * FROM "${t.name}" ORDER BY rowid`).all()) {
          const masked = Object.entries(row).map(([k, v]) =>
            `${k}=${/_at$/.test(k) && v !== null ? "<TS>" : v}`
          );
          lines.push(masked.join(" | "));
        }
      }
    } finally {
      db.close();
    }
  }
  return lines.join("\n") + "\n";
}

/** A step where Sqitch dies outside its error handler (exit 255 + Perl trace); sqlitch: message, exit 2. */
function dies(argv: string, message: string): Step {
  const escaped = message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return {
    argv,
    expectSqitch: { code: 255, stderr: new RegExp(`^${escaped} at `) },
    expectSqlitch: { code: 2, stderr: `${message}\n` },
  };
}

const scenarios: Scenario[] = [
  // --- deploy -----------------------------------------------------------------
  {
    name: "deploy: first deploy, then up to date",
    files: PROJECT,
    steps: ["deploy", "deploy", "deploy --to flips", "verify"],
  },
  {
    name: "deploy: --to, then the rest, then earlier and unknown changes",
    files: PROJECT,
    steps: [
      "deploy --to flips",
      "deploy --to flips",
      "deploy --to users",
      "deploy --to nosuch",
      "deploy",
      "deploy longer_change_name",
    ],
  },
  {
    name: "deploy: positional change, too many changes, target and engine arguments",
    files: PROJECT,
    steps: [
      "deploy users flips",
      "deploy db:sqlite:flipr.db flips",
      "deploy sqlite",
      "deploy -t db:sqlite:other.db --registry reg --to users",
    ],
  },
  {
    name: "deploy: failing script, mode all, nothing deployed before",
    files: FAILING,
    steps: ["deploy", "verify", "deploy --mode all"],
  },
  {
    name: "deploy: failing script, mode all, after an earlier deployment",
    files: FAILING,
    steps: ["deploy --to one", "deploy", "deploy --to two", "deploy"],
  },
  {
    name: "deploy: failing script, mode tag",
    files: FAILING,
    steps: ["deploy --mode tag", "verify", "deploy --mode tag"],
  },
  {
    name: "deploy: failing script, mode change",
    files: FAILING,
    steps: ["deploy --mode change", "verify", "revert -y"],
  },
  {
    name: "deploy: deploy.mode from the configuration, invalid mode",
    files: { ...FAILING, "sqitch.conf": CONF + "[deploy]\n\tmode = tag\n" },
    steps: [
      "deploy",
      dies(
        "deploy --mode sideways",
        'Value "sideways" did not pass type constraint "Enum[all,change,tag]" (in $args->{"mode"})',
      ),
    ],
  },
  {
    name: "deploy: --verify passing and with a missing verify script",
    files: PROJECT,
    setup: (ctx) => Deno.removeSync(`${ctx.proj}/verify/flips.sql`),
    steps: ["deploy --verify --to flips", "deploy --no-verify"],
  },
  {
    name: "deploy: --verify with a failing verify script",
    files: VERIFY_FAILING,
    steps: ["deploy --verify", "deploy --verify --mode change", "verify"],
  },
  {
    name: "deploy: deploy.verify from the configuration, --no-verify",
    files: { ...VERIFY_FAILING, "sqitch.conf": CONF + "[deploy]\n\tverify = true\n" },
    steps: ["deploy", "deploy --no-verify"],
  },
  {
    name: "deploy: --log-only and revert --log-only",
    files: FAILING,
    steps: ["deploy --log-only", "verify", "revert -y --log-only --to two", "revert -y --log-only"],
  },
  {
    name: "deploy: quiet and connection options",
    files: PROJECT,
    steps: [
      "-q deploy --to users",
      "deploy -d other.db --registry reg --to flips",
      "revert -y -d other.db --registry reg",
      "revert -y --to users",
    ],
  },
  {
    name: "deploy: empty plan, missing deploy script",
    files: {
      "sqitch.conf": CONF,
      "sqitch.plan": HEAD,
    },
    steps: [
      "deploy",
      { argv: "deploy -f gone.plan", sqitchCode: 2 },
      { argv: "revert -y -f gone.plan", sqitchCode: 0 },
    ],
    setup: (ctx) =>
      Deno.writeTextFileSync(
        `${ctx.proj}/gone.plan`,
        HEAD + "gone 2026-01-01T00:00:00Z Ann <ann@example.com> # No scripts.\n",
      ),
  },

  // --- revert -------------------------------------------------------------------
  {
    name: "revert: -y everything, then nothing to revert",
    files: PROJECT,
    steps: ["deploy", "revert -y", "revert -y", "deploy", "revert -y --to @v1.0"],
  },
  {
    name: "revert: --to, positional change, unknown and undeployed changes",
    files: PROJECT,
    steps: [
      "deploy --to flips",
      "revert -y --to longer_change_name",
      "revert -y --to nosuch",
      "revert -y flips",
      "revert -y users flips",
      "revert -y --to HEAD^",
      "verify",
    ],
  },
  {
    name: "revert: without a registry",
    files: PROJECT,
    steps: ["revert -y", "revert", "verify"],
  },
  {
    name: "revert: prompt answered from stdin",
    files: PROJECT,
    steps: [
      "deploy",
      { argv: "revert --to flips", stdin: "n\n" },
      { argv: "revert --to flips", stdin: "YE\n" },
      { argv: "revert", stdin: "\n" },
      "deploy",
      { argv: "revert", stdin: "No" },
    ],
  },
  {
    name: "revert: unattended prompt and bad answers",
    files: PROJECT,
    steps: [
      "deploy",
      { argv: "revert --to users", stdin: "maybe\nfoo\nbar\n" },
      { argv: "revert --to users", stdin: "what\n  y  \n" },
      "revert",
    ],
  },
  {
    name: "revert: revert.no_prompt and revert.prompt_accept",
    files: {
      ...PROJECT,
      "sqitch.conf": CONF + "[revert]\n\tprompt_accept = false\n",
    },
    steps: [
      "deploy",
      "revert",
      { argv: "revert", stdin: "\n" },
      { argv: "revert --to users", stdin: "y\n" },
      "config revert.no_prompt true",
      "revert",
    ],
  },
  {
    name: "revert: failing revert script and dependencies",
    files: { ...PROJECT, "revert/flips.sql": "DROP TABLE nonexistent;\n" },
    steps: ["deploy", "revert -y", "verify"],
  },

  // --- verify ---------------------------------------------------------------------
  {
    name: "verify: nothing deployed, success, undeployed changes",
    files: PROJECT,
    steps: [
      "verify",
      "deploy --to users",
      "verify",
      "deploy",
      "verify",
      "-q verify",
      "verify db:sqlite:flipr.db",
    ],
  },
  {
    name: "verify: failing script, ranges and arguments",
    files: VERIFY_FAILING,
    steps: [
      "deploy",
      "verify",
      "verify --from three",
      "verify --to one",
      "verify --from two --to three",
      "verify one three",
      "verify one two three",
      "verify --from nosuch",
      "-vv verify --to one",
    ],
  },
  {
    name: "verify: empty plan with deployed changes",
    files: PROJECT,
    steps: [
      "deploy",
      { argv: "verify", env: {} },
      "verify -f other.plan",
    ],
    setup: (ctx) => Deno.writeTextFileSync(`${ctx.proj}/other.plan`, HEAD),
  },

  {
    name: "verify: script output only at -vv, pg targets",
    files: {
      ...PROJECT,
      "verify/users.sql": "SELECT 'checked users';\n",
      "deploy/flips.sql": "CREATE TABLE flips (id INTEGER);\nSELECT 'deployed flips';\n",
    },
    steps: [
      "deploy --verify --to users",
      "-vv deploy --verify",
      "verify",
      "-v verify",
      "-vv verify",
      "revert -y -s foo=bar",
      { argv: "deploy db:pg://localhost/nowhere", sqitchCode: 2 },
    ],
  },

  // --- rework -------------------------------------------------------------------------
  {
    name: "rework: deploy, verify and revert a reworked change",
    files: {
      ...PROJECT,
      "reworked.plan": PLAN +
        "users [users@v1.0] 2026-01-01T00:00:04Z Ann <ann@example.com> # Reworked users.\n",
      "deploy/users@v1.0.sql": "CREATE TABLE users (id INTEGER);\n",
      "revert/users@v1.0.sql": "DROP TABLE users;\n",
      "verify/users@v1.0.sql": "SELECT id FROM users WHERE 0;\n",
      "deploy/users.sql": "ALTER TABLE users ADD COLUMN name TEXT;\n",
      "revert/users.sql": "ALTER TABLE users DROP COLUMN name;\n",
      "verify/users.sql": "SELECT id, name FROM users WHERE 0;\n",
    },
    steps: [
      "deploy -f reworked.plan --to longer_change_name",
      "deploy -f reworked.plan",
      "verify -f reworked.plan",
      "revert -y -f reworked.plan --to @v1.0",
      "verify -f reworked.plan",
      "deploy -f reworked.plan --verify",
      "revert -y -f reworked.plan --to users@v1.0",
      "revert -y -f reworked.plan",
    ],
  },
];

/**
 * Register a scenario: parity of every step, then the registries and
 * target schemas of both sides must match.
 */
function registryTest(sc: Scenario): void {
  const availability = parityAvailability(
    sc.clock === undefined ? ["sqitch"] : ["sqitch", "faketime"],
  );
  Deno.test({
    name: `parity: ${sc.name}`,
    ignore: availability.status === "skip",
    fn: async () => {
      if (availability.status === "fail") throw new Error(availability.reason);
      const dumps = new Map<Side, string>();
      const result = await runScenario({
        ...sc,
        ignorePaths: [...(sc.ignorePaths ?? []), "**/*.db"],
        teardown: (ctx: SandboxContext) => {
          dumps.set(ctx.side, dump(ctx.proj));
        },
      });
      if (Deno.env.get("PARITY_DEBUG")) {
        for (const side of [result.sqitch, result.sqlitch]) {
          for (const [i, o] of side.outcomes.entries()) {
            console.log(`--- ${side.side} step ${i + 1} rc=${o.code}\n${o.stdout}~~~\n${o.stderr}`);
          }
        }
      }
      assertParity(result);
      strictEqual(dumps.get("sqlitch"), dumps.get("sqitch"), "registry and schema dumps");
    },
  });
}

const names = new Set<string>();
for (const sc of scenarios) {
  if (names.has(sc.name)) throw new Error(`duplicate parity scenario name: ${sc.name}`);
  names.add(sc.name);
  registryTest(sc);
}
