/**
 * Parity of reworked changes and tags through deploy, revert, verify,
 * status and log on SQLite with real Sqitch 1.3.1. Each instance of the
 * reworked change `users` has its own scripts (`users@v1.0.sql`,
 * `users@v2.0.sql`, `users.sql`) that print which one ran, so the outputs
 * show that the right script runs for the right instance; the database
 * dumps (db_kit.ts) show what each left behind.
 */
import { maskDates, registryTests } from "./db_kit.ts";
import type { Scenario } from "./kit.ts";

const CONF = '[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:flipr.db\n';
const HEAD = "%syntax-version=1.0.0\n%project=flipr\n%uri=https://example.com/flipr\n\n";

/** users, @v1.0, flips, @v1.1, users (reworked), @v2.0, users (reworked again). */
const PLAN = HEAD +
  "users 2026-01-01T00:00:00Z Ann <ann@example.com> # Users v1.\n" +
  "@v1.0 2026-01-01T00:00:01Z Ann <ann@example.com> # Tag v1.0.\n" +
  "flips [users] 2026-01-01T00:00:02Z Ann <ann@example.com> # Flips.\n" +
  "@v1.1 2026-01-01T00:00:03Z Ann <ann@example.com> # Tag v1.1.\n" +
  "users [users@v1.0] 2026-01-01T00:00:04Z Ann <ann@example.com> # Users v2.\n" +
  "@v2.0 2026-01-01T00:00:05Z Ann <ann@example.com> # Tag v2.0.\n" +
  "users [users@v2.0] 2026-01-01T00:00:06Z Ann <ann@example.com> # Users v3.\n";

/** The three instances' scripts, each saying which instance and script ran. */
const SCRIPTS: Record<string, string> = {
  "deploy/users@v1.0.sql": "SELECT 'deploy users 1';\nCREATE TABLE users (id INTEGER);\n",
  "revert/users@v1.0.sql": "SELECT 'revert users 1';\nDROP TABLE users;\n",
  "verify/users@v1.0.sql": "SELECT 'verify users 1';\nSELECT id FROM users WHERE 0;\n",
  "deploy/users@v2.0.sql": "SELECT 'deploy users 2';\nALTER TABLE users ADD COLUMN name TEXT;\n",
  "revert/users@v2.0.sql": "SELECT 'revert users 2';\nALTER TABLE users DROP COLUMN name;\n",
  "verify/users@v2.0.sql": "SELECT 'verify users 2';\nSELECT name FROM users WHERE 0;\n",
  "deploy/users.sql": "SELECT 'deploy users 3';\nALTER TABLE users ADD COLUMN email TEXT;\n",
  "revert/users.sql": "SELECT 'revert users 3';\nALTER TABLE users DROP COLUMN email;\n",
  "verify/users.sql": "SELECT 'verify users 3';\nSELECT email FROM users WHERE 0;\n",
  "deploy/flips.sql": "SELECT 'deploy flips';\nCREATE TABLE flips (id INTEGER);\n",
  "revert/flips.sql": "SELECT 'revert flips';\nDROP TABLE flips;\n",
  "verify/flips.sql": "SELECT 'verify flips';\nSELECT id FROM flips WHERE 0;\n",
};

const PROJECT = { "sqitch.conf": CONF, "sqitch.plan": PLAN, ...SCRIPTS };

const scenarios: Scenario[] = [
  {
    name: "rework: deploy every instance, then revert them all",
    files: PROJECT,
    steps: ["deploy", "deploy", "revert -y", "revert -y"],
  },
  {
    name: "rework: deploy and revert instance by instance",
    files: PROJECT,
    steps: [
      "deploy --to users@v1.0",
      "deploy --to @v1.1",
      "deploy --to users@v2.0",
      "deploy --to users",
      "deploy --to users@HEAD",
      "revert -y --to users@v2.0",
      "revert -y --to @v1.1",
      "revert -y --to users@v1.0",
      "revert -y --to @ROOT",
      "revert -y",
    ],
  },
  {
    name: "rework: verify runs only the latest instance's verify script",
    files: PROJECT,
    steps: [
      "deploy --to @v2.0",
      "verify",
      "-vv verify",
      "deploy",
      "-vv verify",
      "-vv verify --from users@v2.0 --to users@HEAD",
      "deploy --verify",
    ],
  },
  {
    name: "rework: a failing verify of the reworked change reverts with its own script",
    files: {
      ...PROJECT,
      "verify/users.sql": "SELECT 'verify users 3';\nSELECT nosuch FROM users;\n",
    },
    steps: [
      "deploy --verify",
      "deploy --verify --mode tag",
      "deploy --verify --mode change",
      "deploy --to @v2.0 --verify --mode change",
      "revert -y",
    ],
  },
  {
    name: "rework: a failing deploy of a reworked instance reverts the earlier ones",
    files: {
      ...PROJECT,
      "deploy/users.sql": "SELECT 'deploy users 3';\nINSERT INTO nonexistent VALUES (1);\n",
    },
    steps: ["deploy", "deploy --mode tag", "deploy --mode change", "revert -y"],
  },
  {
    name: "rework: --log-only on reworked instances",
    files: PROJECT,
    steps: [
      "deploy --to @v2.0",
      "revert -y --log-only --to @v1.1",
      "deploy --log-only --to @v2.0",
      "deploy",
      "revert -y --log-only --to users@v2.0",
      "deploy",
      "revert -y",
    ],
  },
  {
    name: "tags: deploy and revert show tags; status and log list them",
    files: PROJECT,
    normalize: maskDates,
    steps: [
      "deploy --to @v1.1",
      "status --show-tags",
      "status --show-changes --show-tags",
      "log --oneline",
      "deploy",
      "status --show-tags",
      "log --format medium -n 2",
      ["log", "--format", "format:%n %e", "--reverse"],
      {
        // 1.3.1 crashes showing tags on SQLite; sqlitch shows them.
        argv: ["log", "--format", "format:%n%T", "--event", "deploy", "--reverse"],
        expectSqitch: { code: 2, stderr: /as an ARRAY ref/ },
        expectSqlitch: {
          code: 0,
          stderr: "",
          stdout: "On database db:sqlite:flipr.db\n" +
            "users (@v1.0)\nflips (@v1.1)\nusers (@v2.0)\nusers\n",
        },
      },
      "revert -y --to @v1.0",
      "status --show-tags",
    ],
  },
  {
    name: "tags: a tag on the last change and tags on a plan without rework",
    files: {
      "sqitch.conf": CONF,
      "sqitch.plan": HEAD +
        "a 2026-01-01T00:00:00Z Ann <ann@example.com>\n" +
        "@alpha 2026-01-01T00:00:01Z Ann <ann@example.com>\n" +
        "@beta 2026-01-01T00:00:02Z Ann <ann@example.com>\n" +
        "b 2026-01-01T00:00:03Z Ann <ann@example.com>\n" +
        "@gamma 2026-01-01T00:00:04Z Ann <ann@example.com>\n",
      "deploy/a.sql": "CREATE TABLE a (id INTEGER);\n",
      "revert/a.sql": "DROP TABLE a;\n",
      "deploy/b.sql": "CREATE TABLE b (id INTEGER);\n",
      "revert/b.sql": "DROP TABLE b;\n",
    },
    normalize: maskDates,
    steps: [
      "deploy --to @beta",
      "deploy",
      "status --show-tags",
      "verify",
      "revert -y --to @alpha",
      "revert -y @gamma",
      "revert -y",
    ],
  },
  {
    // Sqitch's registry queries list a change's tags in name order (status, verify, revert
    // of everything) or in plan order (revert --to, its heading): SQLite's plans decide.
    name: "tags: several tags on one change, in the order each command lists them",
    files: {
      "sqitch.conf": CONF,
      "sqitch.plan": HEAD +
        "one 2026-01-01T00:00:00Z Ann <ann@example.com>\n" +
        "users 2026-01-01T00:00:01Z Ann <ann@example.com>\n" +
        "@zz 2026-01-01T00:00:02Z Ann <ann@example.com>\n" +
        "@aa 2026-01-01T00:00:03Z Ann <ann@example.com>\n" +
        "@mm 2026-01-01T00:00:04Z Ann <ann@example.com>\n" +
        "two 2026-01-01T00:00:05Z Ann <ann@example.com>\n",
      "deploy/one.sql": "CREATE TABLE one (id INTEGER);\n",
      "revert/one.sql": "DROP TABLE one;\n",
      "verify/one.sql": "SELECT id FROM one WHERE 0;\n",
      "deploy/users.sql": "CREATE TABLE users (id INTEGER);\n",
      "revert/users.sql": "DROP TABLE users;\n",
      "verify/users.sql": "SELECT id FROM users WHERE 0;\n",
      "deploy/two.sql": "CREATE TABLE two (id INTEGER);\n",
      "revert/two.sql": "DROP TABLE two;\n",
      "verify/two.sql": "SELECT id FROM two WHERE 0;\n",
    },
    normalize: maskDates,
    steps: [
      "deploy",
      "verify",
      "revert -y --to one",
      "deploy",
      "revert -y --to users",
      "status",
      "revert -y",
      "deploy --to users",
      "status",
      "verify",
    ],
  },
];

registryTests(scenarios);
