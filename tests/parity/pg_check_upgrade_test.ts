/**
 * Parity of `check` and `upgrade` on PostgreSQL with real Sqitch 1.3.1
 * (cli.md §5.3, §5.20): script signatures compared with the plan, ranges
 * and lookup errors; registries up to date, at 1.0 (1.1 undone as
 * `pg-1.1.sql` finds it) and missing. Each side works on its own database
 * (pg_kit.ts), and the registries are compared afterwards.
 */
import type { SandboxContext, Scenario } from "./kit.ts";
import { HEAD, PG_CONF, pgExec, pgParityTests, pgScripts, pgUri, sqitchSetup } from "./pg_kit.ts";

const PLAN = HEAD +
  "one 2026-01-01T00:00:00Z Ann <ann@example.com> # One.\n" +
  "two 2026-01-01T00:00:01Z Ann <ann@example.com> # Two.\n" +
  "@v1 2026-01-01T00:00:02Z Ann <ann@example.com> # Tag v1.\n" +
  "three 2026-01-01T00:00:03Z Ann <ann@example.com> # Three.\n";

const PROJECT = {
  "sqitch.conf": PG_CONF,
  "sqitch.plan": PLAN,
  ...pgScripts("one", "two", "three"),
};

/** Deploy with real Sqitch, then change deploy scripts on disk. */
function deployedThenModified(...names: string[]) {
  return async (ctx: SandboxContext) => {
    await sqitchSetup(ctx, ["deploy"]);
    for (const n of names) {
      Deno.writeTextFileSync(
        `${ctx.proj}/deploy/${n}.sql`,
        `-- Deploy ${n}, modified\nCREATE TABLE ${n} (id INTEGER, x TEXT);\n`,
      );
    }
  };
}

/** Deploy with real Sqitch, then turn its registry back into a 1.0 one. */
async function registryAtOnePointOh(ctx: SandboxContext): Promise<void> {
  await sqitchSetup(ctx, ["deploy", "--to", "two"]);
  await pgExec(
    ctx.id,
    `ALTER TABLE sqitch.changes DROP CONSTRAINT changes_project_script_hash_key;
     ALTER TABLE sqitch.changes ADD CONSTRAINT changes_script_hash_key UNIQUE (script_hash);
     COMMENT ON SCHEMA sqitch IS 'Sqitch database deployment metadata v1.0.';
     DELETE FROM sqitch.releases;
     INSERT INTO sqitch.releases VALUES (1.0, '2026-01-01 00:00:00+00', 'Ann', 'ann@example.com');`,
  );
}

const scenarios: Scenario[] = [
  {
    name: "pg check: success, target arguments and --set",
    files: PROJECT,
    steps: ["deploy", "check", `check ${pgUri("<ID>")}`, "check -s foo=bar", "-q check"],
  },
  {
    name: "pg check: modified scripts diverge (exit 1), from/to ranges",
    files: PROJECT,
    setup: deployedThenModified("two", "three"),
    steps: [
      "check",
      "-q check",
      "check --from three",
      "check --to one",
      "check --from one --to @v1",
      "check one two three",
    ],
  },
  {
    name: "pg check: unknown, undeployed and nothing deployed",
    files: PROJECT,
    steps: [
      "check",
      "deploy --to one",
      "check --from nosuch",
      "check --to three",
      "revert -y",
      "check",
    ],
  },
  {
    name: "pg upgrade: up to date, by URI and with a registry override",
    files: PROJECT,
    steps: [
      "deploy",
      "upgrade",
      `upgrade ${pgUri("<ID>")}`,
      {
        // No registry there: 1.3.1 starts an upgrade from 0 and fails in psql.
        argv: "upgrade --registry other",
        expectSqitch: { code: 2, stderr: /schema "other" does not exist/ },
        expectSqlitch: {
          code: 2,
          stdout: "",
          stderr:
            "No registry found in db:pg://postgres@127.0.0.1:5432/<ID>. Have you ever deployed?\n",
        },
      },
    ],
  },
  {
    name: "pg upgrade: a 1.0 registry is refused until upgraded, then deploys",
    files: PROJECT,
    setup: registryAtOnePointOh,
    steps: ["status", "verify", "check", "upgrade", "upgrade", "deploy", "check", "verify"],
  },
  {
    name: "pg upgrade: deploy onto a 1.0 registry upgrades it first",
    files: PROJECT,
    setup: registryAtOnePointOh,
    steps: ["deploy", "status --show-tags"],
  },
];

pgParityTests(scenarios);
