/**
 * Parity of `deploy`'s options and failure cases on MySQL/MariaDB with
 * real Sqitch 1.3.1 and the real `mysql` client: change selection (`--to`
 * spellings, tags, offsets, positional), `--mode all|tag|change` with
 * deploy and verify failures (MySQL's DDL is not transactional: what a
 * failing script did stays), `--verify` and its configuration,
 * `--log-only`, `--set` variables used as `@vars`, missing dependencies,
 * conflicts, cross-project dependencies, a registry that disagrees with
 * the plan, the client's error texts. Each side deploys to its own
 * databases; registries and targets are compared (mysql_kit.ts).
 */
import type { Scenario } from "./kit.ts";
import {
  HEAD,
  MYSQL_CONF,
  mysqlExec,
  mysqlParityTests,
  mysqlScripts,
  mysqlUri,
  sqitchSetup,
} from "./mysql_kit.ts";

/** users, flips, @v1.0, likes, @v1.1, comments. */
const PLAN = HEAD +
  "users 2026-01-01T00:00:00Z Ann <ann@example.com> # Users.\n" +
  "flips [users] 2026-01-01T00:00:01Z Ann <ann@example.com> # Flips.\n" +
  "@v1.0 2026-01-01T00:00:02Z Ann <ann@example.com> # Tag v1.0.\n" +
  "likes [users flips] 2026-01-01T00:00:03Z Ann <ann@example.com> # Likes.\n" +
  "@v1.1 2026-01-01T00:00:04Z Ann <ann@example.com> # Tag v1.1.\n" +
  "comments [likes] 2026-01-01T00:00:05Z Ann <ann@example.com> # Comments.\n";

const PROJECT = {
  "sqitch.conf": MYSQL_CONF,
  "sqitch.plan": PLAN,
  ...mysqlScripts("users", "flips", "likes", "comments"),
};

/** one @t1 two @t2 three four: `three` fails to deploy (after doing some work). */
const TAGGED_FAIL = {
  "sqitch.conf": MYSQL_CONF,
  "sqitch.plan": HEAD +
    "one 2026-01-01T00:00:00Z Ann <ann@example.com>\n" +
    "@t1 2026-01-01T00:00:01Z Ann <ann@example.com>\n" +
    "two 2026-01-01T00:00:02Z Ann <ann@example.com>\n" +
    "@t2 2026-01-01T00:00:03Z Ann <ann@example.com>\n" +
    "three 2026-01-01T00:00:04Z Ann <ann@example.com>\n" +
    "four 2026-01-01T00:00:05Z Ann <ann@example.com>\n",
  ...mysqlScripts("one", "two", "three", "four"),
  "deploy/three.sql": "-- Deploy three\nCREATE TABLE half (id INTEGER);\n" +
    "INSERT INTO nonexistent VALUES (1);\n",
};
/** The same project with `three` deploying fine but failing its verify script. */
const TAGGED_VERIFY_FAIL = {
  ...TAGGED_FAIL,
  "deploy/three.sql": "CREATE TABLE three (id INTEGER);\n",
  "verify/three.sql": "SELECT nosuchcolumn FROM three;\n",
};

const scenarios: Scenario[] = [
  // --- change selection -------------------------------------------------------------
  {
    name: "mysql deploy options: --to-change and --change spellings, already at",
    files: PROJECT,
    steps: [
      "deploy --to-change users",
      "deploy --change flips",
      "deploy --to-change @v1.1",
      "deploy --to-change @v1.1",
      "deploy --to comments",
      "deploy",
    ],
  },
  {
    name: "mysql deploy options: tag references and offsets",
    files: PROJECT,
    steps: [
      "deploy --to @v1.0",
      "deploy --to flips@v1.0",
      "deploy --to @v1.1^",
      "deploy --to @ROOT",
      "deploy --to users~1",
      "deploy --to @HEAD",
    ],
  },
  {
    name: "mysql deploy options: unknown and earlier change references, positional",
    files: PROJECT,
    steps: [
      "deploy --to @nosuch",
      "deploy --to users@nosuch",
      "deploy --to @HEAD^^^^^^^^^^",
      "deploy likes",
      "deploy --to flips",
      "deploy nosuch",
      `deploy ${mysqlUri("<ID>")} comments`,
      "deploy mysql",
    ],
  },

  // --- modes --------------------------------------------------------------------------
  {
    name: "mysql deploy options: failing script, --mode all reverts everything",
    files: TAGGED_FAIL,
    steps: ["deploy --mode all", "status", "deploy --to two", "deploy --mode all"],
  },
  {
    name: "mysql deploy options: --mode tag keeps the tag deployed in this run",
    files: TAGGED_FAIL,
    steps: ["deploy --mode tag", "verify", "deploy --mode tag", "deploy --mode tag --to two"],
  },
  {
    name: "mysql deploy options: --mode change keeps what deployed",
    files: TAGGED_FAIL,
    steps: ["deploy --mode change", "verify", "deploy --mode change --to four", "revert -y"],
  },
  {
    name: "mysql deploy options: failing verify in each mode",
    files: TAGGED_VERIFY_FAIL,
    steps: [
      "deploy --verify --mode all",
      "deploy --verify --mode tag",
      "revert -y",
      "deploy --verify --mode change",
      "verify",
    ],
  },
  {
    name: "mysql deploy options: deploy.mode and deploy.verify from the user configuration",
    files: TAGGED_VERIFY_FAIL,
    userConfig: "[user]\n\tname = Parity Tester\n\temail = parity@example.com\n" +
      "[deploy]\n\tmode = change\n\tverify = true\n",
    steps: ["deploy", "deploy --no-verify", "revert -y", "deploy --mode all"],
  },

  // --- log-only, variables ------------------------------------------------------------------
  {
    name: "mysql deploy options: --log-only then a real deploy",
    files: PROJECT,
    steps: [
      "deploy --log-only --to flips",
      "verify",
      "deploy --verify",
      "deploy --log-only",
      "revert -y --to users",
      "verify",
    ],
  },
  {
    name: "mysql deploy options: --set variables are user variables",
    files: {
      ...PROJECT,
      "sqitch.conf": MYSQL_CONF +
        '[deploy "variables"]\n\towner = cfg\n[core "variables"]\n\tx = 1\n',
      "deploy/users.sql": "CREATE TABLE users (id INTEGER, owner TEXT);\n" +
        "INSERT INTO users VALUES (@x, @owner);\n" +
        "SELECT @owner, @x, @registry, @nosuch;\n",
      "deploy/flips.sql": "SET @ddl = CONCAT('CREATE TABLE ', @tbl, ' (id INTEGER)');\n" +
        "PREPARE s FROM @ddl;\nEXECUTE s;\nSELECT @answer AS answer, @`odd one`;\n",
      "revert/flips.sql":
        "SET @ddl = CONCAT('DROP TABLE ', @tbl);\nPREPARE s FROM @ddl;\nEXECUTE s;\n",
      "verify/flips.sql": "SELECT @tbl;\nSELECT id FROM flips WHERE 0;\n",
    },
    steps: [
      "deploy -s owner=cli --to users",
      [
        "deploy",
        "--set",
        "tbl=flips",
        "--set",
        "answer=4'2\\",
        "--set",
        "odd one=x",
        "--to",
        "flips",
      ],
      "verify -s tbl=flips",
      "-vv verify -s tbl=flips",
      "deploy -s nokey",
      "revert -y --set tbl=flips",
    ],
  },
  {
    name: "mysql deploy options: a NULL variable fails the script",
    files: {
      ...PROJECT,
      "deploy/flips.sql": "CREATE TABLE flips (id INTEGER NOT NULL);\n" +
        "INSERT INTO flips VALUES (@nosuch);\n",
    },
    steps: ["deploy", "revert -y", "deploy --set nosuch=3", "status"],
  },

  // --- dependencies -------------------------------------------------------------------------
  {
    name: "mysql deploy options: missing dependencies",
    files: {
      "sqitch.conf": MYSQL_CONF,
      "sqitch.plan": HEAD +
        "users 2026-01-01T00:00:00Z Ann <ann@example.com>\n" +
        "flips [users ext:base] 2026-01-01T00:00:01Z Ann <ann@example.com>\n",
      "later.plan": HEAD +
        "flips [users] 2026-01-01T00:00:01Z Ann <ann@example.com>\n" +
        "users 2026-01-01T00:00:00Z Ann <ann@example.com>\n",
      ...mysqlScripts("users", "flips"),
    },
    steps: ["deploy", "deploy --to users", "deploy", "deploy --mode change", "revert -y"],
  },
  {
    name: "mysql deploy options: conflicts with a deployed change",
    files: {
      "sqitch.conf": MYSQL_CONF,
      "sqitch.plan": HEAD +
        "users 2026-01-01T00:00:00Z Ann <ann@example.com>\n" +
        "flips 2026-01-01T00:00:01Z Ann <ann@example.com>\n" +
        "likes [!users !flips] 2026-01-01T00:00:02Z Ann <ann@example.com>\n",
      ...mysqlScripts("users", "flips", "likes"),
    },
    steps: ["deploy --to users", "deploy", "revert -y", "deploy --to flips", "deploy"],
  },
  {
    name: "mysql deploy options: cross-project dependency in one registry",
    files: {
      "sqitch.conf": MYSQL_CONF,
      "sqitch.plan": HEAD +
        "users [ext:base] 2026-01-01T00:00:00Z Ann <ann@example.com>\n" +
        "flips [users ext:extra@v1] 2026-01-01T00:00:01Z Ann <ann@example.com>\n",
      ...mysqlScripts("users", "flips"),
      "ext/sqitch.conf": MYSQL_CONF,
      "ext/sqitch.plan": "%syntax-version=1.0.0\n%project=ext\n\n" +
        "base 2026-01-01T00:00:00Z Ann <ann@example.com>\n" +
        "extra 2026-01-01T00:00:01Z Ann <ann@example.com>\n" +
        "@v1 2026-01-01T00:00:02Z Ann <ann@example.com>\n",
      "ext/deploy/base.sql": "CREATE TABLE base (id INTEGER);\n",
      "ext/revert/base.sql": "DROP TABLE base;\n",
      "ext/deploy/extra.sql": "CREATE TABLE extra (id INTEGER);\n",
      "ext/revert/extra.sql": "DROP TABLE extra;\n",
    },
    steps: [
      "deploy",
      { argv: "deploy --to base", cwd: "ext" },
      "deploy",
      { argv: "deploy", cwd: "ext" },
      "deploy",
      "status",
      { argv: "revert -y", cwd: "ext" },
    ],
  },

  // --- registry disagreeing with the plan ---------------------------------------------------
  {
    name: "mysql deploy options: the registry has a change the plan lacks",
    files: {
      ...PROJECT,
      "gap.plan": PLAN.replace(/^flips .*\n/m, "").replace("likes [users flips]", "likes [users]"),
      "head.plan": HEAD + "users 2026-01-01T00:00:00Z Ann <ann@example.com> # Users.\n",
    },
    steps: [
      "deploy --to flips",
      "deploy -f gap.plan",
      "deploy -f head.plan",
      "verify -f gap.plan",
      "revert -y -f head.plan",
      "revert -y -f gap.plan",
    ],
  },
  {
    name: "mysql deploy options: registry newer than supported",
    files: PROJECT,
    setup: async (ctx) => {
      await sqitchSetup(ctx, ["deploy", "--to", "users"]);
      await mysqlExec(`UPDATE ${ctx.id}_reg.releases SET version = 9.9`);
    },
    steps: [
      {
        // 1.3.1 dies with a stack trace; HEAD reports the message, exit 2.
        argv: "deploy",
        expectSqitch: {
          code: 2,
          stderr:
            /^Registry version is 9\.9 but 1\.1 is the latest known\. Please upgrade Sqitch\.\nTrace begun/,
        },
        expectSqlitch: {
          stderr:
            /^Registry version is 9\.9 but 1\.1 is the latest known\. Please upgrade Sqitch\.?\n$/,
        },
      },
      "status",
      "log",
    ],
  },
  {
    name: "mysql deploy options: an error after output, with the statement's line",
    files: {
      ...PROJECT,
      "deploy/flips.sql": "CREATE TABLE flips (id INTEGER);\nSELECT 'made flips';\n" +
        "\nSELECT idd FROM flips;\n",
    },
    steps: ["deploy", "status", "deploy --mode change --to users"],
  },
  {
    name: "mysql deploy options: a duplicate key",
    files: {
      ...PROJECT,
      "deploy/users.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY);\n" +
        "INSERT INTO users VALUES (1), (1);\n",
    },
    steps: ["deploy", "status"],
  },
  {
    name: "mysql deploy options: a syntax error on a later line",
    files: {
      ...PROJECT,
      "deploy/users.sql":
        "CREATE TABLE users (id INTEGER);\n\n-- comment\nSELEC 1\n  FROM users;\n",
    },
    steps: ["deploy", "status"],
  },
];

mysqlParityTests(scenarios);
