/**
 * Parity of `deploy`'s options and failure cases on SQLite with real Sqitch
 * 1.3.1: change selection (`--to`, `--to-change`, `--change`, positional,
 * tag and offset references), `--mode` with failures in each mode,
 * `--verify`/`deploy.verify`, `--log-only`, `--lock-timeout`, `--set`,
 * the ways to name a target and its registry, dependency checks, and a
 * registry that disagrees with the plan or is too new. Every scenario ends
 * with a dump of every database (db_kit.ts) that must match.
 */
import { execSql, maskDates, registryTests, sqitchIn } from "./db_kit.ts";
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

/** users, flips, @v1.0, likes, @v1.1, comments. */
const PLAN = HEAD +
  "users 2026-01-01T00:00:00Z Ann <ann@example.com> # Users.\n" +
  "flips [users] 2026-01-01T00:00:01Z Ann <ann@example.com> # Flips.\n" +
  "@v1.0 2026-01-01T00:00:02Z Ann <ann@example.com> # Tag v1.0.\n" +
  "likes [users flips] 2026-01-01T00:00:03Z Ann <ann@example.com> # Likes.\n" +
  "@v1.1 2026-01-01T00:00:04Z Ann <ann@example.com> # Tag v1.1.\n" +
  "comments [likes] 2026-01-01T00:00:05Z Ann <ann@example.com> # Comments.\n";

const PROJECT = {
  "sqitch.conf": CONF,
  "sqitch.plan": PLAN,
  ...scripts("users", "flips", "likes", "comments"),
};

/** one @t1 two @t2 three four: `three` fails to deploy. */
const TAGGED_FAIL_PLAN = HEAD +
  "one 2026-01-01T00:00:00Z Ann <ann@example.com>\n" +
  "@t1 2026-01-01T00:00:01Z Ann <ann@example.com>\n" +
  "two 2026-01-01T00:00:02Z Ann <ann@example.com>\n" +
  "@t2 2026-01-01T00:00:03Z Ann <ann@example.com>\n" +
  "three 2026-01-01T00:00:04Z Ann <ann@example.com>\n" +
  "four 2026-01-01T00:00:05Z Ann <ann@example.com>\n";
const TAGGED_FAIL = {
  "sqitch.conf": CONF,
  "sqitch.plan": TAGGED_FAIL_PLAN,
  ...scripts("one", "two", "three", "four"),
  "deploy/three.sql": "-- Deploy three\nINSERT INTO nonexistent VALUES (1);\n",
};
/** The same project with `three` deploying fine but failing its verify script. */
const TAGGED_VERIFY_FAIL = {
  ...TAGGED_FAIL,
  "deploy/three.sql": "CREATE TABLE three (id INTEGER);\n",
  "verify/three.sql": "SELECT nosuchcolumn FROM three;\n",
};

const TARGETS_CONF = CONF +
  '[target "prod"]\n\turi = db:sqlite:prod.db\n' +
  '[target "nested"]\n\turi = db:sqlite:data/app.sqlite3\n';

const scenarios: Scenario[] = [
  // --- change selection -------------------------------------------------------------
  {
    name: "deploy options: --to-change and --change spellings, already at",
    files: PROJECT,
    steps: [
      "deploy --to-change users",
      "deploy --change flips",
      "deploy --to-change @v1.1",
      "deploy --to-change @v1.1",
      "deploy --change likes",
      "deploy --to comments",
      "deploy",
    ],
  },
  {
    name: "deploy options: tag references and offsets",
    files: PROJECT,
    steps: [
      "deploy --to @v1.0",
      "deploy --to flips@v1.0",
      "deploy --to @v1.1^",
      "deploy --to @v1.1",
      "deploy --to @ROOT",
      "deploy --to users~1",
      "deploy --to @HEAD",
      "deploy --to @HEAD",
    ],
  },
  {
    name: "deploy options: unknown and earlier change references",
    files: PROJECT,
    steps: [
      "deploy --to @nosuch",
      "deploy --to users@nosuch",
      "deploy --to @HEAD^^^^^^^^^^",
      "deploy --to likes",
      "deploy --to flips",
      "deploy --to @v1.0",
      "deploy --to @ROOT",
      "deploy nosuch",
      "deploy comments",
    ],
  },
  {
    name: "deploy options: positional change with target and plan file arguments",
    files: {
      ...PROJECT,
      "short.plan": HEAD + "users 2026-01-01T00:00:00Z Ann <ann@example.com> # Users.\n",
    },
    steps: [
      "deploy db:sqlite:other.db users",
      "deploy users db:sqlite:other.db",
      "deploy short.plan",
      "deploy flips --to likes",
      "deploy sqlite flips",
    ],
  },

  // --- modes --------------------------------------------------------------------------
  {
    name: "deploy options: --mode tag keeps the tag deployed in this run",
    files: TAGGED_FAIL,
    steps: ["deploy --mode tag", "verify", "deploy --mode tag", "deploy --mode tag --to two"],
  },
  {
    name: "deploy options: --mode all and change after tags",
    files: TAGGED_FAIL,
    steps: [
      "deploy --mode all --to one",
      "deploy --mode all",
      "deploy --mode change",
      "deploy --mode change --to four",
      "verify",
    ],
  },
  {
    name: "deploy options: failing verify in each mode",
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
    name: "deploy options: deploy.mode and deploy.verify from the user configuration",
    files: TAGGED_VERIFY_FAIL,
    userConfig: "[user]\n\tname = Parity Tester\n\temail = parity@example.com\n" +
      "[deploy]\n\tmode = change\n\tverify = true\n",
    steps: ["deploy", "deploy --no-verify", "revert -y", "deploy --mode all"],
  },
  {
    name: "deploy options: deploy.verify false with --verify",
    files: { ...TAGGED_VERIFY_FAIL, "sqitch.conf": CONF + "[deploy]\n\tverify = false\n" },
    steps: ["deploy --to two", "deploy --verify", "deploy"],
  },

  // --- log-only, lock timeout, variables --------------------------------------------------
  {
    name: "deploy options: --log-only then a real deploy",
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
    name: "deploy options: --lock-timeout",
    files: PROJECT,
    steps: [
      "deploy --lock-timeout 5 --to users",
      "deploy --lock-timeout=0 --to flips",
      "deploy --lock-timeout abc",
      "revert -y --lock-timeout 3 --to users",
      "deploy --lock-timeout 1",
    ],
  },
  {
    name: "deploy options: -s/--set and variables sections",
    files: {
      ...PROJECT,
      "sqitch.conf": CONF + '[deploy "variables"]\n\tfoo = bar\n[core "variables"]\n\tx = 1\n',
    },
    steps: [
      "deploy -s foo=baz --to users",
      "deploy --set foo=baz --set answer=42 --to flips",
      "deploy -s nokey",
      "verify -s foo=1",
      "revert -y --set foo=qux",
    ],
  },

  // --- targets and registries -----------------------------------------------------------
  {
    name: "deploy options: target by name, option and argument",
    files: { ...PROJECT, "sqitch.conf": TARGETS_CONF, "data/": "" },
    steps: [
      "deploy prod --to users",
      "deploy -t prod --to flips",
      "deploy --target nested",
      "verify nested",
      "revert -y --target prod",
      "deploy nosuchtarget",
    ],
  },
  {
    name: "deploy options: target by URI, with a directory and an extension",
    files: { ...PROJECT, "data/": "" },
    steps: [
      "deploy db:sqlite:data/app.sqlite3 --to users",
      "deploy --target db:sqlite:data/app.sqlite3",
      "deploy db:sqlite:noext --to users",
      "verify -t db:sqlite:data/app.sqlite3",
      "verify db:sqlite:noext",
    ],
    // Files without an extension: the dump compares them.
    ignorePaths: ["proj/noext", "proj/sqitch"],
  },
  {
    // The driver's text alone: "unable to open database file".
    name: "deploy options: database in a missing directory",
    files: PROJECT,
    steps: ["deploy db:sqlite:missing/dir.db", "status db:sqlite:missing/dir.db"],
  },
  {
    name: "deploy options: SQITCH_TARGET names the default target",
    files: { ...PROJECT, "sqitch.conf": TARGETS_CONF },
    env: { SQITCH_TARGET: "prod" },
    steps: [
      "deploy --to users",
      { argv: "deploy --to flips", env: { SQITCH_TARGET: "db:sqlite:env.db" } },
      "deploy -t db:sqlite:flipr.db --to users",
      { argv: "deploy", env: { SQITCH_TARGET: null } },
      { argv: "verify", env: { SQITCH_TARGET: "nosuch" } },
    ],
  },
  {
    name: "deploy options: --registry beside the database, keeping its extension",
    files: { ...PROJECT, "data/": "" },
    steps: [
      "deploy db:sqlite:data/app.sqlite3 --registry meta --to users",
      "deploy db:sqlite:data/b.sqlite3 --registry meta.db --to flips",
      "deploy db:sqlite:data/c.sqlite3 --registry <SANDBOX>/proj/abs.db --to users",
      "deploy db:sqlite:data/app.sqlite3 --registry meta",
      "verify db:sqlite:data/app.sqlite3 --registry meta",
    ],
  },
  {
    name: "deploy options: engine and target registry configuration",
    files: {
      ...PROJECT,
      "sqitch.conf": CONF.replace("flipr.db\n", "flipr.db\n\tregistry = enginereg\n") +
        '[target "prod"]\n\turi = db:sqlite:prod.sqlite\n\tregistry = targetreg\n',
    },
    steps: [
      "deploy --to users",
      "deploy prod --to flips",
      "deploy prod -d prod2.sqlite --registry cli",
      "revert -y prod --to users",
      "deploy",
    ],
  },
  {
    name: "deploy options: -d/--db-name overrides",
    files: { ...PROJECT, "sqitch.conf": TARGETS_CONF, "data/": "" },
    steps: [
      "deploy -d other.db --to users",
      "deploy --db-name data/x.sqlite3 --to flips",
      "deploy prod -d override.db --to users",
      "deploy -t db:sqlite:flipr.db --db-name named.db",
      "verify -d other.db",
    ],
  },

  // --- dependencies -----------------------------------------------------------------------
  {
    name: "deploy options: missing dependencies",
    files: {
      "sqitch.conf": CONF,
      "sqitch.plan": HEAD +
        "users 2026-01-01T00:00:00Z Ann <ann@example.com>\n" +
        "flips [users ext:base] 2026-01-01T00:00:01Z Ann <ann@example.com>\n",
      "later.plan": HEAD +
        "flips [users] 2026-01-01T00:00:01Z Ann <ann@example.com>\n" +
        "users 2026-01-01T00:00:00Z Ann <ann@example.com>\n",
      ...scripts("users", "flips"),
    },
    steps: [
      "deploy",
      "deploy --to users",
      "deploy",
      "deploy --mode change",
      "deploy -f later.plan db:sqlite:later.db",
    ],
  },
  {
    name: "deploy options: conflicts with a deployed change",
    files: {
      "sqitch.conf": CONF,
      "sqitch.plan": HEAD +
        "users 2026-01-01T00:00:00Z Ann <ann@example.com>\n" +
        "flips 2026-01-01T00:00:01Z Ann <ann@example.com>\n" +
        "likes [!users !flips] 2026-01-01T00:00:02Z Ann <ann@example.com>\n",
      ...scripts("users", "flips", "likes"),
    },
    steps: ["deploy --to users", "deploy", "revert -y", "deploy --to flips", "deploy"],
  },
  {
    name: "deploy options: cross-project dependency",
    files: {
      "sqitch.conf": CONF,
      "sqitch.plan": HEAD +
        "users [ext:base] 2026-01-01T00:00:00Z Ann <ann@example.com>\n" +
        "flips [users ext:extra@v1] 2026-01-01T00:00:01Z Ann <ann@example.com>\n",
      ...scripts("users", "flips"),
      "ext/sqitch.conf":
        '[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:../flipr.db\n',
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
    normalize: maskDates,
  },

  // --- registry disagreeing with the plan -----------------------------------------------
  {
    name: "deploy options: the registry has a change the plan lacks",
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
    name: "deploy options: registry newer than supported",
    files: PROJECT,
    setup: async (ctx) => {
      await sqitchIn(ctx, ["deploy", "--to", "users"], { clock: "2026-01-02 03:04:05" });
      execSql(`${ctx.proj}/sqitch.db`, "UPDATE releases SET version = 9.9");
    },
    steps: [
      {
        // 1.3.1 dies with a stack trace (a message ending in "."); HEAD
        // reports it as an engine error: the message only, exit 2.
        argv: "deploy",
        expectSqitch: {
          code: 2,
          stderr:
            /^Registry version is 9\.9 but 1\.1 is the latest known\. Please upgrade Sqitch\.\nTrace begun/,
        },
        expectSqlitch: {
          stderr: "Registry version is 9.9 but 1.1 is the latest known. Please upgrade Sqitch.\n",
        },
      },
      "revert -y",
      "verify",
      "status",
      "log",
    ],
  },
  {
    name: "deploy options: a script failing on an existing table shows the sqlite3 caret",
    files: { ...PROJECT, "deploy/flips.sql": "CREATE TABLE users (id INTEGER);\n" },
    steps: ["deploy", "deploy --mode change"],
  },
];

registryTests(scenarios);
