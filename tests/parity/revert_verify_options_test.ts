/**
 * Parity of `revert` and `verify` options and failure cases on SQLite with
 * real Sqitch 1.3.1: change references (`@HEAD^`, `HEAD^^`, `@ROOT`,
 * `change~N`, tags, positional), prompts and their configuration,
 * `--log-only`, `--modified`, variables, dependency and script failures;
 * `verify` ranges, missing/failing scripts, changes out of order or not in
 * the plan, undeployed changes and verbosity. Every scenario ends with a
 * dump of every database (db_kit.ts) that must match.
 */
import { execSql, registryTests, sqitchIn } from "./db_kit.ts";
import type { Scenario } from "./kit.ts";

const CONF = '[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:flipr.db\n';
const HEAD = "%syntax-version=1.0.0\n%project=flipr\n%uri=https://example.com/flipr\n\n";

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

/** users, flips, @v1.0, likes, @v1.1, comments (no dependencies: reorderable). */
const PLAN = HEAD +
  "users 2026-01-01T00:00:00Z Ann <ann@example.com> # Users.\n" +
  "flips 2026-01-01T00:00:01Z Ann <ann@example.com> # Flips.\n" +
  "@v1.0 2026-01-01T00:00:02Z Ann <ann@example.com> # Tag v1.0.\n" +
  "likes 2026-01-01T00:00:03Z Ann <ann@example.com> # Likes.\n" +
  "@v1.1 2026-01-01T00:00:04Z Ann <ann@example.com> # Tag v1.1.\n" +
  "comments 2026-01-01T00:00:05Z Ann <ann@example.com> # Comments.\n";

const PROJECT = {
  "sqitch.conf": CONF,
  "sqitch.plan": PLAN,
  ...scripts("users", "flips", "likes", "comments"),
};

/** A project whose config says revert.prompt_accept = false. */
const NO_ACCEPT = { ...PROJECT, "sqitch.conf": CONF + "[revert]\n\tprompt_accept = false\n" };

/** An `ext` project in ext/ sharing flipr's database, requiring flipr's changes. */
const WITH_DEPENDENT = {
  ...PROJECT,
  "ext/sqitch.conf":
    '[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:../flipr.db\n',
  "ext/sqitch.plan": "%syntax-version=1.0.0\n%project=ext\n\n" +
    "base [flipr:users] 2026-01-01T00:00:00Z Ann <ann@example.com>\n" +
    "extra [flipr:likes@v1.1 base] 2026-01-01T00:00:01Z Ann <ann@example.com>\n",
  "ext/deploy/base.sql": "CREATE TABLE base (id INTEGER);\n",
  "ext/revert/base.sql": "DROP TABLE base;\n",
  "ext/deploy/extra.sql": "CREATE TABLE extra (id INTEGER);\n",
  "ext/revert/extra.sql": "DROP TABLE extra;\n",
};

const scenarios: Scenario[] = [
  // --- revert: change references ----------------------------------------------------
  {
    name: "revert options: @HEAD^, HEAD^^, change~N and @ROOT",
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
      "revert -y --to @HEAD~",
      "revert -y @HEAD",
    ],
  },
  {
    name: "revert options: tags, positional changes and change@tag",
    files: PROJECT,
    steps: [
      "deploy",
      "revert -y @v1.1",
      "revert -y flips@v1.0",
      "revert -y --to-change flips^",
      "deploy",
      "revert -y --change @v1.0",
      "revert -y db:sqlite:flipr.db users",
      "revert -y users flips",
    ],
  },
  {
    name: "revert options: unknown and undeployed references",
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
    name: "revert options: prompt with prompt_accept false, answered y, n, empty",
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
    name: "revert options: no terminal, prompt_accept false, and -y",
    files: NO_ACCEPT,
    steps: ["deploy", "revert", "revert --to users", "revert -y --to users", "revert -y"],
  },
  {
    name: "revert options: revert.no_prompt from the user configuration",
    files: PROJECT,
    userConfig: "[user]\n\tname = Parity Tester\n\temail = parity@example.com\n" +
      "[revert]\n\tno_prompt = 1\n\tprompt_accept = 0\n",
    steps: [
      "deploy",
      "revert --to @v1.0",
      { argv: "revert", stdin: "n\n" },
      "revert --no-prompt",
    ],
  },
  {
    name: "revert options: revert.no_prompt false in the project wins over the user's true",
    files: { ...PROJECT, "sqitch.conf": CONF + "[revert]\n\tno_prompt = false\n" },
    userConfig: "[user]\n\tname = Parity Tester\n\temail = parity@example.com\n" +
      "[revert]\n\tno_prompt = true\n",
    steps: ["deploy", { argv: "revert --to flips", stdin: "n\n" }, "revert -y --to flips"],
  },

  // --- revert: log-only, variables, modified -------------------------------------------
  {
    name: "revert options: --log-only with references, then a real revert",
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
    name: "revert options: -s/--set and revert.variables",
    files: {
      ...PROJECT,
      "sqitch.conf": CONF + '[revert "variables"]\n\twho = config\n',
    },
    steps: [
      "deploy",
      "revert -y -s who=cli --to @v1.1",
      "revert -y --set a=1 --set b=2 --to @v1.0",
      "revert -y -s",
    ],
  },
  {
    name: "revert options: --modified reverts back to the first modified change",
    files: PROJECT,
    setup: async (ctx) => {
      await sqitchIn(ctx, ["deploy"]);
      Deno.writeTextFileSync(
        `${ctx.proj}/deploy/likes.sql`,
        "-- Deploy likes, modified\nCREATE TABLE likes (id INTEGER);\n",
      );
    },
    steps: ["revert -y --modified", "status --show-changes", "deploy", "revert -y -m"],
    normalize: (t) => t.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}/g, "<DATE>"),
  },

  // --- revert: failures ----------------------------------------------------------------
  {
    name: "revert options: required by another project's deployed changes",
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
    name: "revert options: a failing revert script in the middle",
    files: { ...PROJECT, "revert/likes.sql": "-- Revert likes\nDROP TABLE nonexistent;\n" },
    steps: [
      "deploy",
      "revert -y --to users",
      "revert -y --to @v1.1",
      "revert -y --to users",
      "verify",
      "revert -y --log-only --to flips",
      "revert -y",
    ],
  },

  // --- verify ------------------------------------------------------------------------------
  {
    name: "verify options: --from/--to spellings and references",
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
      "verify db:sqlite:flipr.db @v1.0",
    ],
  },
  {
    name: "verify options: bad ranges",
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
    // --from after --to: Sqitch (1.3.1 and HEAD) dies with "Can't call
    // method "id" on an undefined value at .../Engine.pm line 460.", exit 2;
    // sqlitch says what is wrong in one line (README, compatibility notes).
    name: "verify options: --from after --to",
    files: PROJECT,
    steps: [
      "deploy --to likes",
      {
        argv: "verify --from likes --to users",
        sqitchCode: 2,
        expectSqlitch: {
          stderr: 'Change "users" was deployed before "likes"; nothing to verify\n',
        },
      },
    ],
  },
  {
    name: "verify options: missing and failing verify scripts",
    files: {
      ...PROJECT,
      "verify/likes.sql": "-- Verify likes\nSELECT nosuch FROM likes;\n",
    },
    setup: (ctx) => Deno.removeSync(`${ctx.proj}/verify/flips.sql`),
    steps: ["deploy", "verify", "-v verify", "verify --to flips", "verify --from comments"],
  },
  {
    name: "verify options: -vv shows script output, -q hides progress",
    files: {
      ...PROJECT,
      "verify/users.sql": "SELECT 'users verified';\n",
      "verify/flips.sql": "SELECT 1, 'two', NULL;\nSELECT nosuch FROM flips;\n",
    },
    steps: ["deploy", "-vv verify", "-v verify --to users", "-q verify"],
  },
  {
    name: "verify options: changes deployed out of plan order",
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
    normalize: (t) => t.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}/g, "<DATE>"),
  },
  {
    name: "verify options: deployed changes not in the plan, undeployed changes",
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
    name: "verify options: registry rows edited behind Sqitch's back",
    files: PROJECT,
    setup: async (ctx) => {
      await sqitchIn(ctx, ["deploy", "--to", "likes"], { clock: "2026-01-02 03:04:05" });
      execSql(`${ctx.proj}/sqitch.db`, "UPDATE changes SET note = 'edited' WHERE change = 'flips'");
      execSql(`${ctx.proj}/flipr.db`, "DROP TABLE likes");
    },
    steps: ["verify", "verify --to flips", "deploy --verify", "revert -y --to flips"],
  },
];

registryTests(scenarios);
