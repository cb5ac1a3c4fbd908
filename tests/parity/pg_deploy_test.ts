/**
 * Parity of `deploy`, `revert`, `verify`, `status` and `log` on PostgreSQL
 * with real Sqitch: every step's outputs and exit code, then both sides'
 * registries (pg_dump of the schema and every row, timestamps masked).
 * Each side works in its own database, named by the kit's `<ID>`, created
 * in the setup hook and dropped in the teardown hook.
 *
 * Commit times come from the server clock, so dates in outputs are masked.
 * Needs sqitch (else skipped, or failed under CI) and the test server
 * (pg_server.ts).
 */
import { strictEqual } from "node:assert/strict";
import { maskDates } from "./db_kit.ts";
import {
  assertParity,
  parityAvailability,
  runScenario,
  type SandboxContext,
  type Scenario,
  type Side,
} from "./kit.ts";
import {
  createDatabase,
  dropDatabase,
  dumpRegistryRows,
  dumpSchema,
  pgAvailable,
  pgRows,
  pgSession,
  pgUri,
} from "../engines/pg_server.ts";
import type { PgSession } from "../../engines/pg_session.ts";

const availability = parityAvailability(["sqitch"]);
const live = availability.status === "skip" ? false : await pgAvailable();

const CONF = `[core]\n\tengine = pg\n[engine "pg"]\n\ttarget = ${pgUri("<ID>")}\n`;
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
    files[`deploy/${n}.sql`] = `-- Deploy ${n}\nBEGIN;\nCREATE TABLE ${n} (id INTEGER);\nCOMMIT;\n`;
    files[`revert/${n}.sql`] = `-- Revert ${n}\nDROP TABLE ${n};\n`;
    files[`verify/${n}.sql`] = `-- Verify ${n}\nSELECT id FROM ${n} WHERE false;\n`;
  }
  return files;
}

const PROJECT = {
  "sqitch.conf": CONF,
  "sqitch.plan": PLAN,
  ...scripts("users", "flips", "longer_change_name"),
};

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

/** Sessions holding Sqitch's lock for a side, released in teardown. */
const holders = new Map<string, PgSession>();

const scenarios: Scenario[] = [
  {
    name: "pg: deploy, status, log, verify, revert, redeploy",
    files: PROJECT,
    steps: [
      "status",
      "deploy --to flips",
      "status",
      "deploy",
      "deploy",
      "status --show-tags --show-changes",
      "log",
      "verify",
      "revert -y --to users",
      "status",
      "deploy --verify",
      "revert -y",
      "status",
      "log --event revert --format oneline",
    ],
  },
  {
    name: "pg: failing deploy script reverts, mode tag, then verify",
    files: FAILING,
    steps: ["deploy", "status", "deploy --mode tag", "verify", "log --format oneline"],
  },
  {
    name: "pg: failing verify script",
    files: {
      ...FAILING,
      "deploy/four.sql": "CREATE TABLE four (id INTEGER);\n",
      "verify/two.sql": "SELECT nosuchcolumn FROM two;\n",
    },
    steps: ["deploy", "verify", "deploy --verify"],
  },
  {
    name: "pg: no registry yet; other registry; variables",
    files: {
      ...PROJECT,
      "deploy/users.sql": "CREATE TABLE users (id INTEGER, who TEXT DEFAULT :'who');\n",
    },
    steps: [
      "revert -y",
      "verify",
      "log",
      "deploy --registry other_reg --set who=me --to users",
      "status --registry other_reg",
      "status",
    ],
  },
  {
    name: "pg: a configured client runs the scripts",
    files: { ...FAILING, "sqitch.conf": CONF + "\tclient = psql\n" },
    steps: ["deploy --to two", "deploy --client psql", "verify --client psql"],
  },
  {
    name: "pg: database that does not exist",
    files: { ...PROJECT, "sqitch.conf": CONF.replace("<ID>", "<ID>_missing") },
    steps: ["deploy", "status", "verify"],
  },
  {
    name: "pg: blocked by another instance, --lock-timeout",
    files: PROJECT,
    setup: async (ctx) => {
      const s = await pgSession(ctx.id);
      await s.rows("SELECT pg_advisory_lock(75474063)");
      holders.set(ctx.id, s);
    },
    steps: ["deploy --lock-timeout 1", "status"],
  },
];

function register(sc: Scenario): void {
  Deno.test({
    name: `parity: ${sc.name}`,
    ignore: availability.status === "skip" || !live,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      if (availability.status === "fail") throw new Error(availability.reason);
      const dumps = new Map<Side, string>();
      const result = await runScenario({
        ...sc,
        normalize: maskDates,
        setup: async (ctx: SandboxContext) => {
          await createDatabase(ctx.id);
          await sc.setup?.(ctx);
        },
        teardown: async (ctx: SandboxContext) => {
          try {
            await holders.get(ctx.id)?.close();
            holders.delete(ctx.id);
            dumps.set(ctx.side, await registryDump(ctx.id));
            await sc.teardown?.(ctx);
          } finally {
            await dropDatabase(ctx.id);
          }
        },
      });
      assertParity(result);
      strictEqual(dumps.get("sqlitch"), dumps.get("sqitch"), "registry dumps");
    },
  });
}

/** Schema and rows of every registry schema in the database. */
async function registryDump(db: string): Promise<string> {
  const schemas = await pgRows(
    db,
    "SELECT table_schema FROM information_schema.tables WHERE table_name = 'events' ORDER BY 1",
  );
  const out: string[] = [];
  for (const [schema] of schemas) {
    out.push(`## ${schema}`, await dumpSchema(db, schema!), await dumpRegistryRows(db, schema!));
  }
  return out.join("\n");
}

for (const sc of scenarios) register(sc);
