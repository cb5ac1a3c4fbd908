/**
 * Parity of reworked changes and tags on MySQL/MariaDB with real Sqitch
 * 1.3.1 and the real `mysql` client: each instance of the reworked change
 * `users` has its own scripts (`users@v1.0.sql`, `users@v2.0.sql`,
 * `users.sql`) that print which one ran, so the outputs show the right
 * script running for the right instance; tags through deploy, revert,
 * status and log.
 */
import type { Scenario } from "./kit.ts";
import { HEAD, MYSQL_CONF, mysqlParityTests } from "./mysql_kit.ts";

/** users, @v1.0, flips, @v1.1, users (reworked), @v2.0, users (reworked again). */
const PLAN = HEAD +
  "users 2026-01-01T00:00:00Z Ann <ann@example.com> # Users v1.\n" +
  "@v1.0 2026-01-01T00:00:01Z Ann <ann@example.com> # Tag v1.0.\n" +
  "flips [users] 2026-01-01T00:00:02Z Ann <ann@example.com> # Flips.\n" +
  "@v1.1 2026-01-01T00:00:03Z Ann <ann@example.com> # Tag v1.1.\n" +
  "users [users@v1.0] 2026-01-01T00:00:04Z Ann <ann@example.com> # Users v2.\n" +
  "@v2.0 2026-01-01T00:00:05Z Ann <ann@example.com> # Tag v2.0.\n" +
  "users [users@v2.0] 2026-01-01T00:00:06Z Ann <ann@example.com> # Users v3.\n";

const SCRIPTS: Record<string, string> = {
  "deploy/users@v1.0.sql": "SELECT 'deploy users 1' AS ran;\nCREATE TABLE users (id INTEGER);\n",
  "revert/users@v1.0.sql": "SELECT 'revert users 1' AS ran;\nDROP TABLE users;\n",
  "verify/users@v1.0.sql": "SELECT 'verify users 1';\nSELECT id FROM users WHERE 0;\n",
  "deploy/users@v2.0.sql":
    "SELECT 'deploy users 2' AS ran;\nALTER TABLE users ADD COLUMN name TEXT;\n",
  "revert/users@v2.0.sql": "SELECT 'revert users 2' AS ran;\nALTER TABLE users DROP COLUMN name;\n",
  "verify/users@v2.0.sql": "SELECT 'verify users 2';\nSELECT name FROM users WHERE 0;\n",
  "deploy/users.sql": "SELECT 'deploy users 3';\nALTER TABLE users ADD COLUMN email TEXT;\n",
  "revert/users.sql": "SELECT 'revert users 3';\nALTER TABLE users DROP COLUMN email;\n",
  "verify/users.sql": "SELECT 'verify users 3';\nSELECT email FROM users WHERE 0;\n",
  "deploy/flips.sql": "SELECT 'deploy flips' AS ran;\nCREATE TABLE flips (id INTEGER);\n",
  "revert/flips.sql": "SELECT 'revert flips' AS ran;\nDROP TABLE flips;\n",
  "verify/flips.sql": "SELECT 'verify flips';\nSELECT id FROM flips WHERE 0;\n",
};

const PROJECT = { "sqitch.conf": MYSQL_CONF, "sqitch.plan": PLAN, ...SCRIPTS };

const scenarios: Scenario[] = [
  {
    name: "mysql rework: deploy every instance, then revert them all",
    files: PROJECT,
    steps: ["deploy", "deploy", "revert -y", "revert -y"],
  },
  {
    name: "mysql rework: deploy and revert instance by instance",
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
    name: "mysql rework: verify runs only the latest instance's verify script",
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
    name: "mysql rework: a failing verify of the reworked change reverts with its own script",
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
    name: "mysql rework: a failing deploy of a reworked instance reverts the earlier ones",
    files: {
      ...PROJECT,
      "deploy/users.sql": "SELECT 'deploy users 3';\nINSERT INTO nonexistent VALUES (1);\n",
    },
    steps: ["deploy", "deploy --mode tag", "deploy --mode change", "revert -y"],
  },
  {
    name: "mysql rework: --log-only on reworked instances",
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
    name: "mysql tags: deploy and revert show tags; status and log list them",
    files: PROJECT,
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
        // 1.3.1 dies on %T with MySQL (tags are a string there); 1.6 and sqlitch list them.
        argv: ["log", "--format", "format:%n%T", "--event", "deploy", "--reverse"],
        expectSqitch: { code: 2, stderr: /Can't use string \("@v1\.0"\) as an ARRAY ref/ },
        expectSqlitch: {
          code: 0,
          stderr: "",
          stdout: /^On database [^\n]*\nusers \(@v1\.0\)\nflips \(@v1\.1\)\n/,
        },
      },
      "revert -y --to @v1.0",
      "status --show-tags",
    ],
  },
  {
    name: "mysql tags: a tag on the last change and several tags on one change",
    files: {
      "sqitch.conf": MYSQL_CONF,
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
    name: "mysql tags: a tag added to the plan after its change was deployed",
    files: {
      "sqitch.conf": MYSQL_CONF,
      "sqitch.plan": HEAD + "a 2026-01-01T00:00:00Z Ann <ann@example.com>\n",
      "tagged.plan": HEAD + "a 2026-01-01T00:00:00Z Ann <ann@example.com>\n" +
        "@late 2026-01-01T00:00:01Z Ann <ann@example.com> # Late.\n" +
        "b 2026-01-01T00:00:03Z Ann <ann@example.com>\n",
      "deploy/a.sql": "CREATE TABLE a (id INTEGER);\n",
      "revert/a.sql": "DROP TABLE a;\n",
      "deploy/b.sql": "CREATE TABLE b (id INTEGER);\n",
      "revert/b.sql": "DROP TABLE b;\n",
    },
    steps: [
      "deploy",
      "deploy -f tagged.plan",
      "status -f tagged.plan --show-tags",
      "revert -y -f tagged.plan --to @late",
      "revert -y -f tagged.plan",
    ],
  },
];

mysqlParityTests(scenarios);
