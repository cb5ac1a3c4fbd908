/**
 * Parity of `sqitch revert --modified`, `rebase` and `checkout` on SQLite
 * (cli.md §3.1, §5.4, §5.13, §5.14) with real Sqitch: outputs and exit
 * codes of every step, the project tree after each step, and at the end
 * every registry row (timestamps masked) and the target schemas.
 *
 * Deploy scripts are "modified" between steps by pointing `core.deploy_dir`
 * at a second directory whose scripts differ. Checkout scenarios get a git
 * repository built by a setup hook (same author, dates and configuration
 * on both sides); `.git/` is left out of the tree comparison because its
 * index records file times.
 */
import type { Files, SandboxContext, Scenario, Step } from "./kit.ts";
import { registryTests } from "./db_kit.ts";

const CONF = '[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:flipr.db\n';
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
    files[`deploy/${n}.sql`] = `-- Deploy ${n}\nCREATE TABLE ${n} (id INTEGER);\n`;
    files[`revert/${n}.sql`] = `-- Revert ${n}\nDROP TABLE ${n};\n`;
    files[`verify/${n}.sql`] = `-- Verify ${n}\nSELECT id FROM ${n} WHERE 0;\n`;
  }
  return files;
}

/** A copy of the deploy scripts under `deploy2/`, the named ones with a different text. */
function modified(...names: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const n of ["users", "flips", "longer_change_name"]) {
    files[`deploy2/${n}.sql`] = `-- Deploy ${n}\nCREATE TABLE ${n} (id INTEGER);\n` +
      (names.includes(n) ? "-- modified\n" : "");
  }
  return files;
}

const PROJECT = {
  "sqitch.conf": CONF,
  "sqitch.plan": PLAN,
  ...scripts("users", "flips", "longer_change_name"),
};

/** Switch the deploy scripts to `deploy2/` (a step). */
const USE_DEPLOY2 = "config core.deploy_dir deploy2";

/** A plan of four changes, `two` tagged, `four` failing. */
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
  "deploy2/one.sql": "CREATE TABLE one (id INTEGER);\n",
  "deploy2/two.sql": "CREATE TABLE two (id INTEGER);\n",
  "deploy2/three.sql": "CREATE TABLE three (id INTEGER);\n",
  "deploy2/four.sql": "INSERT INTO nonexistent VALUES (1);\n",
};

/** A step where Sqitch dies outside its error handler; sqlitch: the message, exit 2. */
function dies(argv: string, message: string): Step {
  const escaped = message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return {
    argv,
    expectSqitch: { code: 255, stderr: new RegExp(`^${escaped} at `) },
    expectSqlitch: { code: 2, stderr: `${message}\n` },
  };
}

// --- git -------------------------------------------------------------------------

/** The same git identity, dates and configuration on both sides. */
const GIT_ENV = {
  GIT_AUTHOR_NAME: "Ann",
  GIT_AUTHOR_EMAIL: "ann@example.com",
  GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z",
  GIT_COMMITTER_NAME: "Ann",
  GIT_COMMITTER_EMAIL: "ann@example.com",
  GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
};

function git(ctx: SandboxContext, ...args: string[]): void {
  const r = new Deno.Command("git", {
    args,
    cwd: ctx.proj,
    env: { ...ctx.env, ...GIT_ENV },
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).outputSync();
  if (r.code !== 0) {
    throw new Error(`setup: git ${args.join(" ")}: ${new TextDecoder().decode(r.stderr)}`);
  }
}

function write(ctx: SandboxContext, files: Files): void {
  for (const [rel, content] of Object.entries(files)) {
    const path = `${ctx.proj}/${rel}`;
    Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    if (typeof content === "string") Deno.writeTextFileSync(path, content);
    else Deno.writeFileSync(path, content);
  }
}

/**
 * A setup hook making proj/ a git repository: everything committed on
 * `main`, then each branch forked from main (or an orphan) with its files
 * written and committed; `main` checked out at the end.
 */
function gitRepo(branches: Record<string, { files: Files; orphan?: boolean }>) {
  return (ctx: SandboxContext) => {
    Deno.writeTextFileSync(`${ctx.proj}/.gitignore`, "*.db\n");
    git(ctx, "init", "-q", "-b", "main");
    git(ctx, "add", ".");
    git(ctx, "commit", "-q", "-m", "main");
    for (const [name, branch] of Object.entries(branches)) {
      git(ctx, "checkout", "-q", ...(branch.orphan ? ["--orphan", name] : ["-b", name, "main"]));
      write(ctx, branch.files);
      git(ctx, "add", ".");
      git(ctx, "commit", "-q", "-m", name);
    }
    git(ctx, "checkout", "-q", "main");
  };
}

/** Changes added on the `feature` branch (after `longer_change_name`) and in its place. */
const FEATURE_PLAN = PLAN +
  "feature_x [users] 2026-01-02T00:00:00Z Ann <ann@example.com> # Feature.\n";
const FORK_PLAN = HEAD +
  "users 2026-01-01T00:00:00Z Ann <ann@example.com> # Users.\n" +
  "flips [users] 2026-01-01T00:00:01Z Ann <ann@example.com> # Flips.\n" +
  "@v1.0 2026-01-01T00:00:02Z Ann <ann@example.com> # Tag v1.0.\n" +
  "other_way [flips] 2026-01-02T00:00:00Z Ann <ann@example.com> # Fork.\n";
const BRANCHES = {
  feature: { files: { "sqitch.plan": FEATURE_PLAN, ...scripts("feature_x") } },
  fork: { files: { "sqitch.plan": FORK_PLAN, ...scripts("other_way") } },
  unrelated: {
    orphan: true,
    files: {
      "sqitch.plan": HEAD + "alien 2026-01-03T00:00:00Z Ann <ann@example.com>\n",
      ...scripts("alien"),
    },
  },
  broken: { files: { "sqitch.plan": HEAD + "bad name here\n" } },
};
const GIT_SCENARIO = {
  files: PROJECT,
  env: GIT_ENV,
  setup: gitRepo(BRANCHES),
  ignorePaths: ["proj/.git"],
};

const scenarios: Scenario[] = [
  // --- revert --modified ---------------------------------------------------------
  {
    name: "revert -m: nothing modified",
    files: { ...PROJECT, ...modified() },
    steps: ["deploy", "revert -m -y", "revert --modified", USE_DEPLOY2, "revert -m", "verify"],
  },
  {
    name: "revert -m: middle change modified, prompt and -y",
    files: { ...PROJECT, ...modified("flips") },
    steps: [
      "deploy",
      USE_DEPLOY2,
      { argv: "revert -m", stdin: "n\n" },
      { argv: "revert -m", stdin: "y\n" },
      "revert -m -y",
      "deploy",
      "revert -m -y",
      "verify",
    ],
  },
  {
    name: "revert -m: first change modified reverts everything; extra change arguments",
    files: { ...PROJECT, ...modified("users", "longer_change_name") },
    steps: [
      "deploy",
      USE_DEPLOY2,
      "revert -m -y users flips",
      "deploy --to flips",
      "config core.deploy_dir deploy",
      "revert -m -y flips",
    ],
  },
  {
    name: "revert -m: no registry, nothing deployed",
    files: PROJECT,
    steps: [
      {
        argv: "revert -m -y",
        expectSqitch: { code: 2, stderr: "no such table: changes\n" },
        expectSqlitch: {
          code: 2,
          stderr: "No registry found in db:sqlite:sqitch.db. Have you ever deployed?\n",
        },
      },
      "deploy --to users",
      "revert -y",
      {
        argv: "revert -m -y",
        expectSqitch: { code: 2, stderr: /^Can't call method "id" on an undefined value at / },
        expectSqlitch: { code: 0, stdout: "Nothing to revert (nothing deployed)\n", stderr: "" },
      },
    ],
  },

  // --- rebase ------------------------------------------------------------------------
  {
    name: "rebase: no arguments, everything and nothing deployed",
    files: PROJECT,
    steps: [
      "deploy --to flips",
      "rebase -y",
      "rebase -y",
      "revert -y",
      "rebase -y",
      "verify",
    ],
  },
  {
    name: "rebase: without a registry",
    files: PROJECT,
    steps: ["rebase -y", "rebase -y --onto users", "verify"],
  },
  {
    name: "rebase: --onto and --upto",
    files: PROJECT,
    steps: [
      "deploy",
      "rebase -y --onto users",
      "rebase -y --onto-change @v1.0 --upto-change flips",
      "rebase -y --onto users --upto longer_change_name",
      "rebase -y --onto users --upto users",
      "rebase -y --onto HEAD",
      "rebase -y --onto nosuch",
      "rebase -y --upto nosuch",
      "verify",
    ],
  },
  {
    name: "rebase: positional onto and upto, too many changes, target arguments",
    files: PROJECT,
    steps: [
      "deploy",
      "rebase -y users",
      "rebase -y users flips",
      "rebase -y users flips longer_change_name",
      "rebase -y db:sqlite:flipr.db flips",
      "rebase -y --onto users flips longer_change_name",
      "rebase -y -t db:sqlite:other.db --registry reg",
      "rebase -y -d other.db --registry reg --onto users",
    ],
  },
  {
    name: "rebase -m: nothing modified, middle modified, first modified",
    files: { ...PROJECT, ...modified("flips") },
    steps: [
      "deploy",
      "rebase -y -m",
      USE_DEPLOY2,
      "rebase -y --modified",
      "rebase -y -m",
      "config core.deploy_dir deploy",
      "rebase -y -m --upto flips",
      "rebase -y -m users flips",
      "verify",
    ],
  },
  {
    name: "rebase -m: first change modified, extra arguments",
    files: { ...PROJECT, ...modified("users") },
    steps: ["deploy", USE_DEPLOY2, "rebase -y -m flips longer_change_name", "verify"],
  },
  {
    name: "rebase: prompts answered from stdin",
    files: PROJECT,
    steps: [
      "deploy",
      { argv: "rebase --onto users", stdin: "n\n" },
      { argv: "rebase", stdin: "n\n" },
      { argv: "rebase users", stdin: "yes\n" },
      { argv: "rebase", stdin: "\n" },
      { argv: "rebase -m", stdin: "n\n" },
      { argv: "rebase --onto flips", stdin: "maybe\nfoo\nbar\n" },
      "verify",
    ],
  },
  {
    name: "rebase: prompt without a terminal, rebase and revert prompt settings",
    files: {
      ...PROJECT,
      "sqitch.conf": CONF + "[revert]\n\tprompt_accept = false\n",
    },
    steps: [
      "deploy",
      "rebase --onto users",
      { argv: "rebase --onto users", stdin: "y\n" },
      "config rebase.prompt_accept true",
      "rebase --onto users",
      "config rebase.no_prompt true",
      "rebase --onto users",
      "config revert.no_prompt false",
      "rebase --onto flips",
      "rebase --onto flips -y",
    ],
  },
  {
    name: "rebase: --mode tag and change with a failing change",
    files: FAILING,
    steps: [
      "deploy --to three",
      USE_DEPLOY2,
      "rebase -y --mode tag",
      "verify",
      "rebase -y --mode change --onto one",
      "verify",
      "rebase -y --onto one",
      "verify",
    ],
  },
  {
    name: "rebase: mode from rebase.mode and deploy.mode, invalid mode",
    files: { ...FAILING, "sqitch.conf": CONF + "[deploy]\n\tmode = change\n" },
    steps: [
      "deploy --to three",
      USE_DEPLOY2,
      "rebase -y --onto two",
      "config rebase.mode tag",
      "rebase -y --onto one",
      dies(
        "rebase -y --mode sideways",
        'Value "sideways" did not pass type constraint "Enum[all,change,tag]" (in $args->{"mode"})',
      ),
      "verify",
    ],
  },
  {
    name: "rebase: --log-only",
    files: PROJECT,
    steps: [
      "deploy",
      "rebase -y --log-only --onto users",
      "verify",
      "rebase -y --log-only",
      "verify",
    ],
  },
  {
    name: "rebase: variables from options and configuration",
    files: {
      ...PROJECT,
      "sqitch.conf": CONF +
        '[core "variables"]\n\tone = 1\n[deploy "variables"]\n\ttwo = 2\n' +
        '[revert "variables"]\n\tthree = 3\n',
    },
    steps: [
      "deploy",
      "rebase -y -s foo=bar -s baz=qux --onto users",
      "rebase -y -e foo=deploy -r foo=revert --set-deploy a=b --set-revert c=d",
      "rebase -y --set x -e y=",
      "verify",
    ],
  },
  {
    name: "rebase: --verify, --no-verify and rebase.verify",
    files: { ...PROJECT, "verify/flips.sql": "SELECT nosuchcolumn FROM flips;\n" },
    steps: [
      "deploy --to users",
      "rebase -y --verify",
      "verify",
      "rebase -y --no-verify",
      "config rebase.verify true",
      "rebase -y --onto users",
      "rebase -y --onto users --no-verify",
    ],
  },
  {
    name: "rebase: quiet, verbose, lock timeout and usage errors",
    files: PROJECT,
    steps: [
      "deploy",
      "-q rebase -y --onto users",
      "-v rebase -y --onto users --lock-timeout 5",
      "-vv rebase -y --onto flips --verify",
      "rebase --lock-timeout soon",
      "rebase --bogus",
      "rebase -y --mo change",
      "rebase -y nosuch",
    ],
  },
  {
    name: "rebase: failing revert script stops before deploying",
    files: { ...PROJECT, "revert/longer_change_name.sql": "DROP TABLE nonexistent;\n" },
    steps: ["deploy", "rebase -y --onto users", "verify"],
  },

  // --- checkout -----------------------------------------------------------------------
  {
    name: "checkout: same branch, unknown branch, missing branch",
    ...GIT_SCENARIO,
    steps: ["deploy", "checkout main", "checkout -y nosuch", "checkout", "checkout -y"],
  },
  {
    name: "checkout: to a branch with more changes and back",
    ...GIT_SCENARIO,
    steps: [
      "deploy",
      "checkout -y feature",
      "verify",
      "checkout -y main",
      "verify",
      "checkout -y feature",
      "revert -y",
      "checkout -y main",
    ],
  },
  {
    name: "checkout: to a forked branch, reverting a change",
    ...GIT_SCENARIO,
    steps: ["deploy", "checkout -y fork", "verify", "checkout -y main", "verify"],
  },
  {
    name: "checkout: prompts",
    ...GIT_SCENARIO,
    steps: [
      "deploy",
      { argv: "checkout fork", stdin: "n\n" },
      { argv: "checkout fork", stdin: "y\n" },
      "checkout main",
      { argv: "checkout fork", stdin: "maybe\nfoo\nbar\n" },
    ],
  },
  {
    name: "checkout: no changes in common, unparsable plan, no registry",
    ...GIT_SCENARIO,
    steps: [
      "checkout -y fork",
      "deploy",
      "checkout -y unrelated",
      "checkout -y broken",
      "verify",
    ],
  },
  {
    name: "checkout: mode, log-only, variables and verify options",
    ...GIT_SCENARIO,
    files: { ...PROJECT, "verify/other_way.sql": "SELECT nosuchcolumn FROM other_way;\n" },
    steps: [
      "deploy",
      "checkout -y --log-only -s a=b -e c=d -r e=f fork",
      "checkout -y --log-only main",
      "checkout -y --verify fork",
      "verify",
      "checkout -y --mode change --verify main",
      "checkout -y --mode sideways fork",
    ].map((s) =>
      s.includes("sideways")
        ? dies(
          s,
          'Value "sideways" did not pass type constraint "Enum[all,change,tag]" (in $args->{"mode"})',
        )
        : s
    ),
  },
  {
    name: "checkout: target arguments and options",
    ...GIT_SCENARIO,
    steps: [
      "deploy db:sqlite:other.db",
      "checkout -y db:sqlite:other.db feature",
      "checkout -y -t db:sqlite:other.db main",
      "checkout -y sqlite feature",
      "verify db:sqlite:other.db",
    ],
  },
  {
    name: "checkout: plan and scripts in a subdirectory, run from another directory",
    files: {
      "sqitch.conf": CONF + "\ttop_dir = db\n",
      "db/sqitch.plan": PLAN,
      ...Object.fromEntries(
        Object.entries(scripts("users", "flips", "longer_change_name")).map((
          [k, v],
        ) => [`db/${k}`, v]),
      ),
      "sub/.keep": "",
    },
    env: GIT_ENV,
    ignorePaths: ["proj/.git"],
    setup: gitRepo({
      feature: {
        files: {
          "db/sqitch.plan": FEATURE_PLAN,
          "db/deploy/feature_x.sql": "CREATE TABLE feature_x (id INTEGER);\n",
          "db/revert/feature_x.sql": "DROP TABLE feature_x;\n",
        },
      },
    }),
    steps: [
      "deploy",
      "checkout -y feature",
      "checkout -y main",
      { argv: "-C .. checkout -y feature", cwd: "sub" },
      "checkout -y -f db/sqitch.plan main",
      "verify",
    ],
  },
  {
    name: "checkout: not a repository, client missing, core.vcs.client",
    files: PROJECT,
    env: GIT_ENV,
    steps: [
      "deploy",
      "checkout -y main",
      "config core.vcs.client nosuchgit",
      "checkout -y main",
      "config core.vcs.client 'git --no-pager'",
      "checkout -y main",
    ],
  },
];

registryTests(scenarios);
