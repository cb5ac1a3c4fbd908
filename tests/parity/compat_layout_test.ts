/**
 * Parity of deploy, revert, verify, status and log in both project
 * layouts. `core.compat = sqlitch` (what `sqlitch init --compat sqlitch`
 * writes: `sqlitch.conf` at the top, plan and script directories under
 * `sqlitch/`) is sqlitch's own, so here Sqitch runs the equivalent classic
 * project — a `sqitch.conf` whose `top_dir` and `plan_file` point at the
 * same places — while sqlitch runs the compat project: outputs, exit codes,
 * every other file and the registry rows must match. The classic layout
 * with an explicit `core.compat = sqitch` must behave as without it.
 *
 * The per-side project config is written by a setup hook (`layouts`) and
 * left out of the tree comparison; everything else comes from `files`.
 */
import { maskDates, registryTests } from "./db_kit.ts";
import type { SandboxContext, Scenario } from "./kit.ts";

const HEAD = "%syntax-version=1.0.0\n%project=flipr\n%uri=https://example.com/flipr\n\n";
const PLAN = HEAD +
  "users 2026-01-01T00:00:00Z Ann <ann@example.com> # Users.\n" +
  "flips [users] 2026-01-01T00:00:01Z Ann <ann@example.com> # Flips.\n" +
  "@v1.0 2026-01-01T00:00:02Z Ann <ann@example.com> # Tag v1.0.\n" +
  "likes [flips] 2026-01-01T00:00:03Z Ann <ann@example.com> # Likes.\n";

/** Scripts for each change under `dir`, printing which one ran. */
function scripts(dir: string, ...names: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const n of names) {
    files[`${dir}/deploy/${n}.sql`] = `SELECT 'deploy ${n}';\nCREATE TABLE ${n} (id INTEGER);\n`;
    files[`${dir}/revert/${n}.sql`] = `SELECT 'revert ${n}';\nDROP TABLE ${n};\n`;
    files[`${dir}/verify/${n}.sql`] = `SELECT id FROM ${n} WHERE 0;\n`;
  }
  return files;
}

/** The compat project's files, shared by both sides (no project config). */
const COMPAT_FILES = {
  "sqlitch/sqlitch.plan": PLAN,
  ...scripts("sqlitch", "users", "flips", "likes"),
};

/**
 * A setup hook writing the project config: for Sqitch a classic
 * `sqitch.conf` pointing at the compat layout's places, for sqlitch a
 * `sqlitch.conf` with `core.compat = sqlitch`. `core` and `rest` are extra
 * lines for the [core] section and extra sections for both.
 */
function layouts(core = "", rest = ""): (ctx: SandboxContext) => void {
  return (ctx) => {
    const target = '[engine "sqlite"]\n\ttarget = db:sqlite:flipr.db\n';
    if (ctx.side === "sqitch") {
      Deno.writeTextFileSync(
        `${ctx.proj}/sqitch.conf`,
        "[core]\n\tengine = sqlite\n\ttop_dir = sqlitch\n\tplan_file = sqlitch/sqlitch.plan\n" +
          core + target + rest,
      );
    } else {
      Deno.writeTextFileSync(
        `${ctx.proj}/sqlitch.conf`,
        "[core]\n\tengine = sqlite\n\tcompat = sqlitch\n" + core + target + rest,
      );
    }
  };
}

const CONF_FILES = ["proj/sqitch.conf", "proj/sqlitch.conf"];

/** A compat-layout scenario: per-side project config, config files left out of the trees. */
function compat(sc: Omit<Scenario, "setup"> & { core?: string; rest?: string }): Scenario {
  const { core, rest, ...scenario } = sc;
  return {
    files: COMPAT_FILES,
    ...scenario,
    setup: layouts(core, rest),
    ignorePaths: [...CONF_FILES, ...(sc.ignorePaths ?? [])],
  };
}

const scenarios: Scenario[] = [
  compat({
    name: "compat layout: deploy, verify and revert",
    steps: [
      "deploy --to flips",
      "deploy",
      "deploy",
      "verify",
      "revert -y --to @v1.0",
      "revert -y",
      "revert -y",
    ],
  }),
  compat({
    name: "compat layout: status and log",
    normalize: maskDates,
    steps: [
      { argv: "status", sqitchCode: 1 },
      "deploy --to @v1.0",
      "status --show-changes --show-tags",
      "log --oneline",
      "log --format short --reverse",
      "revert -y",
      "status",
    ],
  }),
  compat({
    name: "compat layout: failures in deploy, verify and revert",
    files: {
      ...COMPAT_FILES,
      "sqlitch/deploy/likes.sql": "SELECT 'deploy likes';\nINSERT INTO nonexistent VALUES (1);\n",
      "sqlitch/verify/flips.sql": "SELECT nosuch FROM flips;\n",
      "sqlitch/revert/users.sql": "SELECT 'revert users';\nDROP TABLE nonexistent;\n",
    },
    steps: [
      "deploy",
      "deploy --verify --mode change",
      "deploy --to users",
      "verify",
      "deploy --to flips --mode change",
      "verify",
      "revert -y",
    ],
  }),
  compat({
    name: "compat layout: a missing deploy script and an unknown change",
    files: { "sqlitch/sqlitch.plan": PLAN, ...scripts("sqlitch", "users") },
    steps: ["deploy --to nosuch", "deploy", "deploy --to users", "verify", "revert -y"],
  }),
  compat({
    name: "compat layout: a reworked change runs its @tag scripts",
    files: {
      "sqlitch/sqlitch.plan": PLAN +
        "users [users@v1.0] 2026-01-01T00:00:04Z Ann <ann@example.com> # Users again.\n",
      ...scripts("sqlitch", "flips", "likes"),
      "sqlitch/deploy/users@v1.0.sql":
        "SELECT 'deploy users 1';\nCREATE TABLE users (id INTEGER);\n",
      "sqlitch/revert/users@v1.0.sql": "SELECT 'revert users 1';\nDROP TABLE users;\n",
      "sqlitch/verify/users@v1.0.sql": "SELECT id FROM users WHERE 0;\n",
      "sqlitch/deploy/users.sql":
        "SELECT 'deploy users 2';\nALTER TABLE users ADD COLUMN n TEXT;\n",
      "sqlitch/revert/users.sql": "SELECT 'revert users 2';\nALTER TABLE users DROP COLUMN n;\n",
      "sqlitch/verify/users.sql": "SELECT n FROM users WHERE 0;\n",
    },
    steps: ["deploy", "verify", "revert -y --to users@v1.0", "revert -y --to @ROOT", "revert -y"],
  }),
  compat({
    name: "compat layout: explicit script directories, extension and registry",
    files: {
      "sqlitch/sqlitch.plan": PLAN,
      ...Object.fromEntries(
        Object.entries(scripts("sqlitch", "users", "flips", "likes")).map(([k, v]) => [
          k.replace(/^sqlitch\/(\w+)\//, "sqlitch/$1-scripts/").replace(/\.sql$/, ".sqlite"),
          v,
        ]),
      ),
    },
    core: "\tdeploy_dir = sqlitch/deploy-scripts\n\trevert_dir = sqlitch/revert-scripts\n" +
      "\tverify_dir = sqlitch/verify-scripts\n\textension = sqlite\n",
    rest: '[engine "sqlite"]\n\tregistry = meta\n',
    steps: ["deploy", "verify", "status --show-changes", "revert -y --to users"],
    normalize: maskDates,
  }),
  compat({
    name: "compat layout: named target with its own registry, -C from elsewhere",
    files: { ...COMPAT_FILES, "elsewhere/": "" },
    rest: '[target "prod"]\n\turi = db:sqlite:prod.db\n\tregistry = prodreg\n',
    steps: [
      "deploy prod --to users",
      "deploy -t prod",
      { argv: "-C .. verify prod", cwd: "elsewhere" },
      "revert -y prod --to flips",
      { argv: "deploy prod", env: { SQITCH_TARGET: null } },
    ],
  }),
  compat({
    name: "compat layout: deploy variables and verify configuration",
    rest: "[deploy]\n\tverify = true\n\tmode = change\n" +
      '[deploy "variables"]\n\tx = 1\n',
    files: {
      ...COMPAT_FILES,
      "sqlitch/verify/likes.sql": "SELECT nosuch FROM likes;\n",
    },
    steps: ["deploy", "deploy --no-verify", "verify", "revert -y -s x=2"],
  }),
  {
    name: "classic layout: an explicit core.compat = sqitch changes nothing",
    files: {
      "sqitch.conf":
        '[core]\n\tengine = sqlite\n\tcompat = sqitch\n[engine "sqlite"]\n\ttarget = db:sqlite:flipr.db\n',
      "sqitch.plan": PLAN,
      ...scripts(".", "users", "flips", "likes"),
    },
    normalize: maskDates,
    steps: ["deploy --to flips", "status", "deploy", "verify", "revert -y --to users", "log -n 1"],
  },
];

registryTests(scenarios);
