/**
 * Parity of `sqitch check` and `sqitch upgrade` on SQLite (cli.md §5.3,
 * §5.20; registry.md §10) with real Sqitch: outputs and exit codes of
 * every step, then every registry in the project — its `sqlite_master`
 * (so an upgraded schema must be byte-identical) and its rows, timestamps
 * masked.
 *
 * Modified deploy scripts come from a second target (`v1`) whose
 * deploy_dir holds other versions of the scripts: deploying through it and
 * checking through the default target is "the scripts changed since".
 * Old registries (versions 0 and 1.0) are built in each side's sandbox by
 * tests/engines/registry_fixture.ts before the first step.
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
import { createOldRegistry } from "../engines/registry_fixture.ts";

const CONF = '[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:flipr.db\n' +
  '[target "v1"]\n\turi = db:sqlite:flipr.db\n\tdeploy_dir = v1\n';
const HEAD = "%syntax-version=1.0.0\n%project=flipr\n%uri=https://example.com/flipr\n\n";
const ONE = "one 2026-01-01T00:00:00Z Ann <ann@example.com> # One.\n";
const TWO = "two [one] 2026-01-01T00:00:01Z Ann <ann@example.com> # Two.\n" +
  "@t1 2026-01-01T00:00:02Z Ann <ann@example.com> # Tag t1.\n";
const THREE = "three 2026-01-01T00:00:03Z Ann <ann@example.com> # Three.\n";
const PLAN = HEAD + ONE + TWO + THREE;

/** deploy/revert/verify scripts, plus v1/ (the "old" deploy scripts) identical unless changed. */
function scripts(changed: string[] = []): Record<string, string> {
  const files: Record<string, string> = {};
  for (const n of ["one", "two", "three"]) {
    files[`deploy/${n}.sql`] = `CREATE TABLE ${n} (id INTEGER);\n`;
    files[`v1/${n}.sql`] = changed.includes(n)
      ? `CREATE TABLE ${n} (id INTEGER, old TEXT);\n`
      : `CREATE TABLE ${n} (id INTEGER);\n`;
    files[`revert/${n}.sql`] = `DROP TABLE ${n};\n`;
    files[`verify/${n}.sql`] = `SELECT id FROM ${n} WHERE 0;\n`;
  }
  return files;
}

const PROJECT = {
  "sqitch.conf": CONF,
  "sqitch.plan": PLAN,
  "short.plan": HEAD + ONE + TWO,
  "empty.plan": HEAD,
  ...scripts(),
};

/** Every registry's schema and rows (timestamps masked); target databases' schemas. */
function dump(proj: string): string {
  const lines: string[] = [];
  const files = [...Deno.readDirSync(proj)].filter((e) => e.isFile && e.name.endsWith(".db"))
    .map((e) => e.name).sort();
  for (const file of files) {
    const db = new DatabaseSync(`${proj}/${file}`, { readOnly: true });
    try {
      const objects = db.prepare(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid",
      ).all();
      // A registry connection that found nothing creates an empty file on both sides.
      if (objects.length === 0) continue;
      lines.push(`## ${file}`);
      for (const o of objects) lines.push(`# ${o.type} ${o.name} (${o.tbl_name}): ${o.sql}`);
      const registry = objects.some((o) => o.name === "changes");
      if (!registry) continue;
      for (const o of objects) {
        if (o.type !== "table") continue;
        lines.push(`### ${o.name}`);
        for (const row of db.prepare(`SELECT * FROM "${o.name}" ORDER BY rowid`).all()) {
          lines.push(
            Object.entries(row).map(([k, v]) => `${k}=${/_at$/.test(k) && v !== null ? "<TS>" : v}`)
              .join(" | "),
          );
        }
      }
    } finally {
      db.close();
    }
  }
  return lines.join("\n") + "\n";
}

/** Setup hook: an old registry at `registry` recording the first `deployed` changes. */
function oldRegistry(version: "0" | "1.0", deployed: number, registry = "sqitch.db") {
  return (ctx: SandboxContext) => {
    createOldRegistry({ path: `${ctx.proj}/${registry}`, version, projectDir: ctx.proj, deployed });
  };
}

/** A step where Sqitch dies with a Perl error; sqlitch says what it means instead. */
function dies(
  argv: string,
  sqitch: RegExp,
  sqlitch: { code: number; stdout?: string; stderr?: string },
): Step {
  return { argv, expectSqitch: { code: 2, stderr: sqitch }, expectSqlitch: sqlitch };
}

/** Perl's warnings when Sqitch compares a NULL script hash. */
const PERL_UNDEF = /^(Use of uninitialized value in string ne at \S+ line \d+\.\n)+$/;

const scenarios: Scenario[] = [
  // --- check ------------------------------------------------------------------------
  {
    name: "check: success, with target arguments and --set",
    files: {
      ...PROJECT,
      "sqitch.conf": CONF + '[check]\n\tvariables = x\n[check "variables"]\n\tfoo = bar\n',
    },
    steps: [
      "deploy",
      "check",
      "check -s foo=bar --set baz=qux",
      "check db:sqlite:flipr.db",
      "check -t db:sqlite:flipr.db",
      "check sqlite",
      "--quiet check",
      "-v check",
    ],
  },
  {
    name: "check: one modified script",
    files: { ...PROJECT, ...scripts(["two"]) },
    steps: ["deploy -t v1", "check", "--quiet check", "check -t v1", "check --from three"],
  },
  {
    name: "check: several modified scripts, ranges",
    files: { ...PROJECT, ...scripts(["two", "three"]) },
    steps: [
      "deploy -t v1",
      "check",
      "check --from three",
      "check --to one",
      "check --from-change one --to-change two",
      "check --from @t1 --to HEAD",
      "check HEAD^ HEAD",
      "check one two",
      "check --from three --to three",
    ],
  },
  {
    name: "check: unknown and undeployed changes",
    files: PROJECT,
    steps: [
      "deploy --to two",
      "check",
      "check nosuch",
      "check --from nosuch",
      "check --to nosuch",
      "check --from three",
      "check --to three",
      "check --to two",
      "check --from @t1",
    ],
  },
  {
    name: "check: deployed but not planned, empty plan",
    files: PROJECT,
    steps: [
      "deploy",
      "check -f short.plan",
      "check -f short.plan --from three",
      "check -f short.plan --to two",
      "check -f empty.plan",
    ],
  },
  {
    name: "check: no registry",
    files: PROJECT,
    steps: ["check", "check --from one"],
  },
  {
    name: "check: nothing deployed, nothing planned",
    files: PROJECT,
    steps: ["deploy", "revert -y", "check", "check -f empty.plan", "check --from one"],
  },
  {
    name: "check: too many changes, too many targets",
    files: PROJECT,
    steps: ["deploy", "check one two three", "check db:sqlite:flipr.db db:sqlite:other.db"],
  },
  {
    name: "check: options and usage",
    files: PROJECT,
    steps: ["deploy", "check --project flipr", "check --nosuch", "check --from"],
  },
  {
    name: "check: connection options and --registry",
    files: PROJECT,
    steps: [
      "deploy -d other.db --registry reg",
      "check -d other.db --registry reg",
      "check -d other.db",
      "check --registry reg",
      "check -t db:sqlite:other.db --registry reg.db",
    ],
  },
  {
    name: "check: --to before --from",
    files: { ...PROJECT, ...scripts(["one"]) },
    steps: [
      "deploy -t v1",
      dies("check --from three --to one", /^Can't call method "id" on an undefined value at /, {
        code: 2,
        stdout: "Checking db:sqlite:flipr.db\n",
        stderr: 'Change "one" was deployed before "three"; nothing to check\n',
      }),
    ],
  },
  {
    name: "check: reworked change",
    files: {
      ...PROJECT,
      "sqitch.plan": PLAN +
        "two [two@t1] 2026-01-01T00:00:04Z Ann <ann@example.com> # Two again.\n",
      "deploy/two@t1.sql": "CREATE TABLE two (id INTEGER);\n",
      "revert/two@t1.sql": "DROP TABLE two;\n",
      "verify/two@t1.sql": "SELECT id FROM two WHERE 0;\n",
      "deploy/two.sql": "ALTER TABLE two ADD COLUMN name TEXT;\n",
      "revert/two.sql": "ALTER TABLE two DROP COLUMN name;\n",
      "verify/two.sql": "SELECT name FROM two WHERE 0;\n",
      "v1/two@t1.sql": "CREATE TABLE two (id INTEGER);\n",
      "v1/two.sql": "ALTER TABLE two ADD COLUMN name TEXT; -- v1\n",
    },
    steps: [
      "deploy",
      "check",
      "check --from two@t1",
      "check --from two",
      "revert -y --to three",
      "deploy -t v1",
      "check",
      "check --to three",
    ],
  },
  {
    name: "check: missing deploy scripts (NULL hashes)",
    files: PROJECT,
    setup: (ctx) => {
      Deno.removeSync(`${ctx.proj}/deploy/two.sql`);
      Deno.removeSync(`${ctx.proj}/deploy/three.sql`);
    },
    steps: [
      "deploy --log-only",
      // Sqitch compares the undefined hashes with Perl warnings on stderr.
      { argv: "check", expectSqitch: { stderr: PERL_UNDEF }, expectSqlitch: { stderr: "" } },
      { argv: "check -t v1", expectSqitch: { stderr: PERL_UNDEF }, expectSqlitch: { stderr: "" } },
    ],
  },
  {
    name: "check: registry at version 1.0 refuses",
    files: PROJECT,
    setup: oldRegistry("1.0", 2),
    steps: ["check", "verify", "revert -y", "deploy"],
  },

  // --- upgrade --------------------------------------------------------------------------
  {
    name: "upgrade: up to date, by target URI and name",
    files: {
      ...PROJECT,
      "sqitch.conf": CONF + '[target "prod"]\n\turi = db:sqlite:prod.db\n',
    },
    steps: [
      "deploy",
      "upgrade",
      "--quiet upgrade",
      "upgrade db:sqlite:flipr.db",
      "upgrade -t db:sqlite:flipr.db",
      "upgrade prod",
      "upgrade -t prod",
      "upgrade one",
    ],
  },
  {
    name: "upgrade: from 1.0, then check, deploy and verify",
    files: PROJECT,
    setup: oldRegistry("1.0", 2),
    steps: ["upgrade", "upgrade", "check", "deploy", "check", "verify", "revert -y --to one"],
  },
  {
    name: "upgrade: from 1.0 with a modified script",
    files: { ...PROJECT, "deploy/two.sql": "CREATE TABLE two (id INTEGER, x TEXT);\n" },
    setup: oldRegistry("1.0", 3),
    steps: ["-v upgrade", "check"],
  },
  {
    name: "upgrade: from 0, then check",
    files: PROJECT,
    setup: oldRegistry("0", 2),
    steps: ["upgrade", "check", "upgrade"],
  },
  {
    name: "upgrade: from 0 with nothing deployed",
    files: PROJECT,
    setup: oldRegistry("0", 0),
    steps: ["upgrade", "check", "deploy", "check"],
  },
  {
    name: "upgrade: target by name with its own registry",
    files: {
      ...PROJECT,
      "sqitch.conf": CONF + '[target "prod"]\n\turi = db:sqlite:prod.db\n\tregistry = prodreg\n',
    },
    setup: oldRegistry("1.0", 1, "prodreg.db"),
    steps: ["upgrade prod", "upgrade -t prod", "check prod", "deploy prod", "check -t prod"],
  },
  {
    name: "upgrade: --registry and connection overrides",
    files: PROJECT,
    setup: oldRegistry("1.0", 2, "reg.db"),
    steps: [
      "upgrade --registry reg",
      "upgrade -d other.db --registry reg.db",
      "upgrade db:sqlite:other.db --registry reg",
      "check -d flipr.db --registry reg",
    ],
  },
  {
    name: "upgrade: too many targets, unknown arguments and options",
    files: PROJECT,
    steps: [
      "deploy",
      "upgrade db:sqlite:flipr.db db:sqlite:other.db",
      "upgrade nosuch",
      "upgrade -f sqitch.plan",
      "upgrade --from one",
    ],
  },
  {
    name: "upgrade: no registry",
    files: PROJECT,
    // Sqitch 1.3.1 runs the 0 → 1.0 script on the empty database and fails in sqlite3.
    ignorePaths: ["**/*.db-journal"],
    steps: [
      {
        argv: "upgrade",
        expectSqitch: { code: 2, stderr: /^Parse error near line \d+: no such table: changes\n/ },
        expectSqlitch: {
          code: 2,
          stdout: "",
          stderr: "No registry found in db:sqlite:sqitch.db. Have you ever deployed?\n",
        },
      },
      "deploy",
      "upgrade",
    ],
  },
  {
    name: "upgrade: registry newer than this version",
    files: PROJECT,
    setup: (ctx) => {
      oldRegistry("1.0", 1)(ctx);
      const db = new DatabaseSync(`${ctx.proj}/sqitch.db`);
      db.prepare(
        "INSERT INTO releases (version, installed_at, installer_name, installer_email) VALUES (1.2, '2030-01-01 00:00:00.000', 'X', 'x@example.com')",
      ).run();
      db.close();
    },
    steps: [
      dies(
        "upgrade",
        /^Registry version is 1\.2 but 1\.1 is the latest known\. Please upgrade Sqitch\.\nTrace begun/,
        {
          code: 2,
          stderr: "Registry version is 1.2 but 1.1 is the latest known. Please upgrade Sqitch.\n",
        },
      ),
      "check",
    ],
  },
];

/**
 * Register a scenario: parity of every step, then the registries and
 * target schemas of both sides must match.
 */
function registryTest(sc: Scenario): void {
  const availability = parityAvailability(["sqitch"]);
  Deno.test({
    name: `parity: ${sc.name}`,
    ignore: sc.skip || availability.status === "skip",
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
