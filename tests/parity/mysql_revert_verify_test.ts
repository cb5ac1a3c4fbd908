/**
 * Parity of `revert` and `verify` options and failure cases on
 * MySQL/MariaDB with real Sqitch 1.3.1 and the real `mysql` client: change references, `-y`, prompts answered from
 * stdin and their configuration, `--log-only`, `--modified`, variables,
 * dependent projects and failing scripts; `verify --from/--to`, missing and
 * failing verify scripts, changes out of order or not in the plan, and
 * verbosity. Each side works on its own database (mysql_kit.ts).
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

/** users, flips, @v1.0, likes, @v1.1, comments (no dependencies: reorderable). */
const PLAN = HEAD +
  "users 2026-01-01T00:00:00Z Ann <ann@example.com> # Users.\n" +
  "flips 2026-01-01T00:00:01Z Ann <ann@example.com> # Flips.\n" +
  "@v1.0 2026-01-01T00:00:02Z Ann <ann@example.com> # Tag v1.0.\n" +
  "likes 2026-01-01T00:00:03Z Ann <ann@example.com> # Likes.\n" +
  "@v1.1 2026-01-01T00:00:04Z Ann <ann@example.com> # Tag v1.1.\n" +
  "comments 2026-01-01T00:00:05Z Ann <ann@example.com> # Comments.\n";

const PROJECT = {
  "sqitch.conf": MYSQL_CONF,
  "sqitch.plan": PLAN,
  ...mysqlScripts("users", "flips", "likes", "comments"),
};

const NO_ACCEPT = { ...PROJECT, "sqitch.conf": MYSQL_CONF + "[revert]\n\tprompt_accept = false\n" };

/** An `ext` project in ext/ sharing flipr's registry, requiring flipr's changes. */
const WITH_DEPENDENT = {
  ...PROJECT,
  "ext/sqitch.conf": MYSQL_CONF,
  "ext/sqitch.plan": "%syntax-version=1.0.0\n%project=ext\n\n" +
    "base [flipr:users] 2026-01-01T00:00:00Z Ann <ann@example.com>\n" +
    "extra [flipr:likes@v1.1 base] 2026-01-01T00:00:01Z Ann <ann@example.com>\n",
  "ext/deploy/base.sql": "CREATE TABLE base (id INTEGER);\n",
  "ext/revert/base.sql": "DROP TABLE base;\n",
  "ext/deploy/extra.sql": "CREATE TABLE extra (id INTEGER);\n",
  "ext/revert/extra.sql": "DROP TABLE extra;\n",
};

const scenarios: Scenario[] = [
  // --- revert: references -----------------------------------------------------------
  {
    name: "mysql revert options: @HEAD^, HEAD^^, change~N and @ROOT",
    files: PROJECT,
    steps: [
      "deploy",
      "revert -y --to @HEAD^",
      "revert -y --to HEAD^^",
      "deploy",
      "revert -y --to users~2",
      "revert -y --to @ROOT",
      "revert -y @ROOT",
      "deploy",
      "revert -y @HEAD",
    ],
  },
  {
    name: "mysql revert options: tags, positional changes and change@tag",
    files: PROJECT,
    steps: [
      "deploy",
      "revert -y @v1.1",
      "revert -y flips@v1.0",
      "revert -y --to-change flips^",
      "deploy",
      "revert -y --change @v1.0",
      `revert -y ${mysqlUri("<ID>")} users`,
      "revert -y users flips",
    ],
  },
  {
    name: "mysql revert options: unknown and undeployed references",
    files: PROJECT,
    steps: [
      "deploy --to flips",
      "revert -y --to comments",
      "revert -y @v1.1",
      "revert -y --to @nosuch",
      "revert -y --to nosuch@v1.0",
      "revert -y --to @HEAD^^^^^^^^",
      "revert -y nosuch",
      "revert -y --to @HEAD",
    ],
  },

  // --- revert: prompts ---------------------------------------------------------------
  {
    name: "mysql revert options: prompt answered y, n, empty and garbage",
    files: NO_ACCEPT,
    steps: [
      "deploy",
      { argv: "revert --to @v1.1", stdin: "y\n" },
      { argv: "revert --to @v1.0", stdin: "n\n" },
      { argv: "revert --to @v1.0", stdin: "\n" },
      { argv: "revert --to @v1.0", stdin: "Yes please\n" },
      { argv: "revert", stdin: "N" },
    ],
  },
  {
    name: "mysql revert options: default prompt, no terminal, and -y",
    files: PROJECT,
    steps: [
      "deploy",
      { argv: "revert --to @v1.1", stdin: "" },
      { argv: "revert --to @v1.0", stdin: "n\n" },
      "revert -y --to users",
      "revert -y",
    ],
  },
  {
    name: "mysql revert options: revert.no_prompt from the user configuration",
    files: PROJECT,
    userConfig: "[user]\n\tname = Parity Tester\n\temail = parity@example.com\n" +
      "[revert]\n\tno_prompt = 1\n\tprompt_accept = 0\n",
    steps: ["deploy", "revert --to @v1.0", { argv: "revert", stdin: "n\n" }, "revert --no-prompt"],
  },

  // --- revert: log-only, variables, modified -------------------------------------------
  {
    name: "mysql revert options: --log-only with references, then a real revert",
    files: PROJECT,
    steps: [
      "deploy",
      "revert -y --log-only @v1.1",
      "verify",
      "revert -y --log-only --to @ROOT",
      "deploy --log-only",
      "revert -y",
      "verify",
    ],
  },
  {
    name: "mysql revert options: -s/--set and revert.variables reach revert scripts",
    files: {
      ...PROJECT,
      "sqitch.conf": MYSQL_CONF + '[revert "variables"]\n\twho = config\n',
      "deploy/comments.sql": "CREATE TABLE comments (id INTEGER);\nCREATE TABLE log (who TEXT);\n",
      "revert/comments.sql": "DROP TABLE comments;\nINSERT INTO log VALUES (@who);\n",
      "revert/likes.sql": "DROP TABLE likes;\nINSERT INTO log VALUES (CONCAT(@who, @a));\n",
    },
    steps: [
      "deploy",
      "revert -y -s who=cli --to @v1.1",
      "revert -y --set a=1 --set who=b --to @v1.0",
      "revert -y -s",
    ],
  },
  {
    name: "mysql revert options: --modified reverts back to the first modified change",
    files: PROJECT,
    setup: async (ctx) => {
      await sqitchSetup(ctx, ["deploy"]);
      Deno.writeTextFileSync(
        `${ctx.proj}/deploy/likes.sql`,
        "-- Deploy likes, modified\nCREATE TABLE likes (id INTEGER);\n",
      );
    },
    steps: ["revert -y --modified", "status --show-changes", "deploy", "revert -y -m"],
  },

  // --- revert: failures ----------------------------------------------------------------
  {
    name: "mysql revert options: required by another project's deployed changes",
    files: WITH_DEPENDENT,
    steps: [
      "deploy",
      { argv: "deploy", cwd: "ext" },
      "revert -y",
      "revert -y --to @v1.0",
      "revert -y --to likes",
      { argv: "revert -y --to base", cwd: "ext" },
      "revert -y --to @v1.0",
      { argv: "revert -y", cwd: "ext" },
      "revert -y",
    ],
  },
  {
    name: "mysql revert options: a failing revert script in the middle",
    files: { ...PROJECT, "revert/likes.sql": "-- Revert likes\nDROP TABLE nonexistent;\n" },
    steps: [
      "deploy",
      "revert -y --to users",
      "revert -y --to @v1.1",
      "verify",
      "revert -y --log-only --to flips",
      "revert -y",
    ],
  },
  {
    name: "mysql revert options: a revert script with its own transaction",
    files: {
      ...PROJECT,
      "revert/flips.sql":
        "START TRANSACTION;\nDELETE FROM flips;\nSELECT nosuch FROM flips;\nCOMMIT;\n",
    },
    steps: ["deploy --to @v1.0", "revert -y", "status", "verify"],
  },

  // --- verify ------------------------------------------------------------------------------
  {
    name: "mysql verify options: --from/--to spellings and references",
    files: PROJECT,
    steps: [
      "deploy",
      "verify --from flips",
      "verify --to @v1.0",
      "verify --from-change @v1.0 --to-change @v1.1",
      "verify --from @ROOT --to @HEAD",
      "verify --from @HEAD^ --to HEAD",
      "verify --from users~1 --to comments^",
      "verify flips likes",
      `verify ${mysqlUri("<ID>")} @v1.0`,
    ],
  },
  {
    name: "mysql verify options: bad ranges",
    files: PROJECT,
    steps: [
      "deploy --to likes",
      "verify --to comments",
      "verify --from comments",
      "verify --from @nosuch",
      "verify --to nosuch",
      "verify users flips likes",
    ],
  },
  {
    name: "mysql verify options: missing and failing verify scripts",
    files: { ...PROJECT, "verify/likes.sql": "-- Verify likes\nSELECT nosuch FROM likes;\n" },
    setup: (ctx) => Deno.removeSync(`${ctx.proj}/verify/flips.sql`),
    steps: ["deploy", "verify", "-v verify", "verify --to flips", "verify --from comments"],
  },
  {
    name: "mysql verify options: -vv shows the client's output, -q hides progress",
    files: {
      ...PROJECT,
      "verify/users.sql":
        "SELECT 'users verified';\nSELECT 1 AS a, 'two' AS b, NULL AS c;\nSELECT 'x\\ty';\n",
      "verify/flips.sql": "SELECT 1, 'two', NULL;\nSELECT nosuch FROM flips;\n",
      "verify/likes.sql": "SELECT COUNT(*) FROM likes;\nDO 1;\n",
    },
    steps: ["deploy", "-vv verify", "-v verify --to users", "-q verify", "verify --from likes"],
  },
  {
    name: "mysql verify options: changes deployed out of plan order",
    files: {
      ...PROJECT,
      "swapped.plan": HEAD +
        "users 2026-01-01T00:00:00Z Ann <ann@example.com> # Users.\n" +
        "likes 2026-01-01T00:00:03Z Ann <ann@example.com> # Likes.\n" +
        "flips 2026-01-01T00:00:01Z Ann <ann@example.com> # Flips.\n" +
        "@v1.0 2026-01-01T00:00:02Z Ann <ann@example.com> # Tag v1.0.\n" +
        "@v1.1 2026-01-01T00:00:04Z Ann <ann@example.com> # Tag v1.1.\n" +
        "comments 2026-01-01T00:00:05Z Ann <ann@example.com> # Comments.\n",
    },
    steps: [
      "deploy --to likes",
      "verify -f swapped.plan",
      "verify -f swapped.plan --from flips",
      "status -f swapped.plan",
    ],
  },
  {
    name: "mysql verify options: deployed changes not in the plan, undeployed changes",
    files: {
      ...PROJECT,
      "short.plan": HEAD + "users 2026-01-01T00:00:00Z Ann <ann@example.com> # Users.\n",
      "other.plan": HEAD + "zebra 2026-01-01T00:00:00Z Ann <ann@example.com> # Z.\n",
    },
    steps: [
      "deploy --to @v1.0",
      "verify",
      "verify -f short.plan",
      "verify -f other.plan",
      "verify --to users",
      "revert -y",
      "verify",
    ],
  },
  {
    name: "mysql verify options: registry rows edited behind Sqitch's back",
    files: PROJECT,
    setup: async (ctx) => {
      await sqitchSetup(ctx, ["deploy", "--to", "likes"]);
      await mysqlExec(
        `UPDATE ${ctx.id}_reg.changes SET note = 'edited' WHERE \`change\` = 'flips'`,
        `DROP TABLE ${ctx.id}.likes`,
      );
    },
    steps: ["verify", "verify --to flips", "deploy --verify", "revert -y --to flips"],
  },
];

mysqlParityTests(scenarios);
