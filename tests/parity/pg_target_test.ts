/**
 * Parity of targets, registries, connections and locking on PostgreSQL with
 * real Sqitch 1.3.1: `--registry` and configured registry schemas, named
 * targets, `-d/-h/-p/-u` overrides, libpq environment variables and URI
 * query parameters, connection failures (missing database, refused port,
 * unknown role and host, missing socket) with libpq's text, the advisory
 * lock held by another session (`--lock-timeout`), and psql features in
 * scripts (`\i`, `\ir`, `\set`, `ON_ERROR_STOP` off, transactions).
 */
import type { PgSession } from "../../engines/pg_session.ts";
import { pgSession } from "../engines/pg_server.ts";
import type { Scenario } from "./kit.ts";
import { HEAD, PG_CONF, pgParityTests, pgScripts, pgUri, sqitchSetup } from "./pg_kit.ts";

const PLAN = HEAD +
  "users 2026-01-01T00:00:00Z Ann <ann@example.com> # Users.\n" +
  "flips [users] 2026-01-01T00:00:01Z Ann <ann@example.com> # Flips.\n" +
  "@v1.0 2026-01-01T00:00:02Z Ann <ann@example.com> # Tag v1.0.\n" +
  "likes [flips] 2026-01-01T00:00:03Z Ann <ann@example.com> # Likes.\n";

const PROJECT = {
  "sqitch.conf": PG_CONF,
  "sqitch.plan": PLAN,
  ...pgScripts("users", "flips", "likes"),
};

/** Sessions holding Sqitch's advisory lock for a side, released in teardown. */
const holders = new Map<string, PgSession>();

async function holdLock(id: string): Promise<void> {
  const s = await pgSession(id);
  await s.rows("SELECT pg_advisory_lock(75474063)");
  holders.set(id, s);
}

async function release(id: string): Promise<void> {
  await holders.get(id)?.close();
  holders.delete(id);
}

const scenarios: Scenario[] = [
  // --- registries -------------------------------------------------------------------
  {
    name: "pg target: --registry schema, engine and target registry configuration",
    files: {
      ...PROJECT,
      "sqitch.conf": PG_CONF + "\tregistry = enginereg\n" +
        `[target "prod"]\n\turi = ${pgUri("<ID>")}\n\tregistry = targetreg\n`,
    },
    steps: [
      "deploy --to users",
      "deploy prod --to flips",
      "deploy --registry cli",
      "status --registry cli",
      "status prod",
      "log prod --oneline",
      "revert -y prod --to users",
      "revert -y --registry cli",
      "status",
    ],
  },
  {
    name: "pg target: a registry schema name needing quotes",
    files: PROJECT,
    steps: [
      ["deploy", "--registry", "My Reg", "--to", "flips"],
      ["status", "--registry", "My Reg"],
      ["log", "--registry", "My Reg", "--oneline"],
      ["revert", "-y", "--registry", "My Reg"],
    ],
  },
  {
    name: "pg target: registry created by sqitch, used by sqlitch and back",
    files: PROJECT,
    setup: (ctx) => sqitchSetup(ctx, ["deploy", "--to", "users"]),
    steps: ["status", "deploy", "verify", "revert -y --to users", "log --oneline"],
  },

  // --- targets ------------------------------------------------------------------------------
  {
    name: "pg target: named targets, SQITCH_TARGET and -d overrides",
    files: {
      ...PROJECT,
      "sqitch.conf": PG_CONF + `[target "other"]\n\turi = ${pgUri("<ID>_other")}\n`,
    },
    setup: async (ctx) => {
      const { createDatabase } = await import("../engines/pg_server.ts");
      await createDatabase(`${ctx.id}_other`);
      await createDatabase(`${ctx.id}_third`);
    },
    steps: [
      "deploy other --to users",
      "deploy -t other --to flips",
      { argv: "deploy --to users", env: { SQITCH_TARGET: "other" } },
      "deploy -d <ID>_third --to users",
      "status other",
      "status -d <ID>_third",
      "verify other",
      "revert -y -t other",
      "status",
    ],
  },
  {
    name: "pg target: host, port, user and database from options and libpq variables",
    files: { ...PROJECT, "sqitch.conf": "[core]\n\tengine = pg\n" },
    steps: [
      "deploy db:pg: -h 127.0.0.1 -p 5432 -u postgres -d <ID> --to users",
      {
        argv: "deploy db:pg: --to flips",
        env: { PGHOST: "127.0.0.1", PGUSER: "postgres", PGDATABASE: "<ID>" },
      },
      {
        argv: "status db:pg:",
        env: { PGHOST: "127.0.0.1", PGUSER: "postgres", PGDATABASE: "<ID>", PGPORT: "5432" },
      },
      { argv: "status db:pg:///<ID>", env: { PGHOST: "127.0.0.1", SQITCH_USERNAME: "postgres" } },
      `status db:pg://postgres@127.0.0.1/<ID>?sslmode=disable&application_name=x`,
      `revert -y db:pg://postgres@127.0.0.1:5432/<ID>?sslmode=prefer`,
    ],
  },

  // --- connection failures --------------------------------------------------------------------
  {
    name: "pg target: database that does not exist, for every command",
    files: { ...PROJECT, "sqitch.conf": PG_CONF.replace("<ID>", "<ID>_missing") },
    steps: ["deploy", "status", "log", "verify", "revert -y", "deploy --log-only"],
  },
  {
    name: "pg target: refused port, unknown role, missing socket",
    files: { ...PROJECT, "sqitch.conf": "[core]\n\tengine = pg\n" },
    steps: [
      "deploy db:pg://postgres@127.0.0.1:1/<ID>",
      "status db:pg://postgres@localhost:1/<ID>",
      "deploy db:pg://nosuchrole@127.0.0.1/<ID>",
      "status db:pg://postgres@/<ID>?host=/tmp/nosuchdir",
      "log db:pg://postgres@127.0.0.1:1,127.0.0.1:2/<ID>",
      "deploy db:pg://postgres@127.0.0.1/<ID>?sslmode=require",
      "deploy db:pg://postgres@127.0.0.1/<ID>?sslmode=bogus",
    ],
  },
  {
    name: "pg target: connection service file and password file",
    files: { ...PROJECT, "sqitch.conf": "[core]\n\tengine = pg\n" },
    homeFiles: {
      ".pg_service.conf": "[mine]\nhost=127.0.0.1\nport=5432\nuser=postgres\ndbname=<ID>\n",
      ".pgpass": "127.0.0.1:5432:*:postgres:unused\n",
    },
    // libpq warns about a password file others can read, once per
    // connection; sqlitch does not count connections as Sqitch does.
    setup: (ctx) => Deno.chmod(`${ctx.home}/.pgpass`, 0o600),
    steps: [
      "deploy db:pg://?service=mine --to users",
      { argv: "deploy db:pg: --to flips", env: { PGSERVICE: "mine" } },
      "status db:pg://?service=nosuch",
      "status db:pg://?service=mine",
    ],
  },

  // --- locking --------------------------------------------------------------------------------
  {
    name: "pg target: lock held by another session, with and without --lock-timeout",
    files: PROJECT,
    setup: (ctx) => holdLock(ctx.id),
    teardown: (ctx) => release(ctx.id),
    steps: [
      "deploy --lock-timeout 1",
      "revert -y --lock-timeout 1",
      "status",
      "log",
      "verify",
    ],
  },
  {
    name: "pg target: the lock is free once deploy is done",
    files: PROJECT,
    steps: [
      "deploy --lock-timeout 1 --to users",
      "deploy --lock-timeout=2",
      "revert -y --lock-timeout 1",
    ],
  },

  // --- psql features in scripts ---------------------------------------------------------------
  {
    name: "pg target: scripts using \\i, \\ir, \\set and a transaction",
    files: {
      ...PROJECT,
      "deploy/users.sql": "\\set ON_ERROR_STOP 1\nBEGIN;\n\\ir ../lib/users_table.sql\n" +
        "\\set n 3\nINSERT INTO users SELECT generate_series(1, :n);\nCOMMIT;\n",
      "lib/users_table.sql": "CREATE TABLE users (id INTEGER);\n\\echo included :n\n",
      "deploy/flips.sql": "\\i lib/flips_table.sql\n",
      "lib/flips_table.sql": "CREATE TABLE flips (id INTEGER);\n",
      "deploy/likes.sql": "\\i lib/nosuch.sql\n",
    },
    steps: ["deploy", "status", "deploy --to flips", "verify"],
  },
  {
    name: "pg target: a failing statement inside a script transaction",
    files: {
      ...PROJECT,
      "deploy/flips.sql":
        "BEGIN;\nCREATE TABLE flips (id INTEGER);\nINSERT INTO flips VALUES ('x');\n" +
        "COMMIT;\n",
      "deploy/likes.sql": "DO $$\nBEGIN\n  RAISE WARNING 'careful';\n  RAISE NOTICE 'fine';\n" +
        "  RAISE EXCEPTION 'no likes' USING HINT = 'add some', DETAIL = 'none here';\nEND\n$$;\n",
    },
    steps: ["deploy", "deploy --mode change", "status", "revert -y"],
  },
];

pgParityTests(scenarios);
