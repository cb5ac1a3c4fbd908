/**
 * Parity of `status` and `log` (cli.md §5.11, §5.17, §6) with real Sqitch
 * on SQLite. Each sandbox's database is deployed by real Sqitch in a setup
 * hook (one change per run, each at its own frozen instant, so no two
 * events share a commit time), then both programs read it.
 *
 * Deliberate divergences (HEAD behaviour, cli.md Appendix C), asserted with
 * `expectSqlitch`: `log --format raw|full|long` and `%t %T %r %R %x %X`
 * work on SQLite (1.3.1 dies); `--event` with another filter is AND-ed
 * (1.3.1 dies with an SQL error); configure-time deaths exit 2 without a
 * trace.
 */
import {
  DEFAULT_CLOCK,
  defaultSqitchCmd,
  fakeClockEnv,
  parityTests,
  type SandboxContext,
  type Scenario,
} from "./kit.ts";

const CONF = '[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:flipr.db\n';

const PLAN = [
  "%syntax-version=1.0.0",
  "%project=flipr",
  "%uri=https://example.com/flipr/",
  "",
  "users 2024-01-02T03:04:05Z Jane Doe <jane@example.com> # Creates table to track our users.",
  "flips [users] 2024-01-02T03:04:06Z Bob Smith <bob@example.com> " +
  "# Adds flips table.\\n\\nWith a body\\nof two lines.",
  "@v1.0 2024-01-02T03:04:07Z Jane Doe <jane@example.com> # Tag v1.0.",
  "@beta 2024-01-02T03:04:08Z Jane Doe <jane@example.com>",
  "userfn [users flips !last] 2024-07-03T03:04:05Z Jane Doe <jane@example.com> # A function",
  "@v1.1 2024-07-04T03:04:07Z Jane Doe <jane@example.com> # Tag v1.1.",
  "broken 2024-07-05T03:04:05Z Bob Smith <bob@example.com> # Fails",
  "last 2024-12-31T23:59:59Z Bob Smith <bob@example.com> # 0",
  "",
].join("\n");

const SCRIPTS: Record<string, string> = {};
for (const name of ["users", "flips", "userfn", "broken", "last"]) {
  SCRIPTS[`deploy/${name}.sql`] = name === "broken"
    ? "SELECT * FROM no_such_table;\n"
    : `CREATE TABLE ${name} (id INTEGER);\n`;
  SCRIPTS[`revert/${name}.sql`] = `DROP TABLE ${name};\n`;
  SCRIPTS[`verify/${name}.sql`] = `SELECT id FROM ${name} WHERE 0;\n`;
}

const PROJECT = { "sqitch.conf": CONF, "sqitch.plan": PLAN, ...SCRIPTS };

/** Run real Sqitch in a sandbox's project at a frozen instant (setup only). */
async function sqitchAt(ctx: SandboxContext, clock: string, argv: string[]): Promise<void> {
  const [cmd, ...pre] = defaultSqitchCmd();
  const r = await new Deno.Command(cmd, {
    args: [...pre, ...argv],
    cwd: ctx.proj,
    env: { ...ctx.env, ...fakeClockEnv(clock) },
    clearEnv: true,
    stdout: "null",
    stderr: "null",
  }).output();
  if (argv[0] === "deploy" && argv.includes("broken")) return; // fails on purpose
  if (r.code !== 0) throw new Error(`setup: sqitch ${argv.join(" ")} exited ${r.code}`);
}

/** Deploy users, flips, userfn; revert and redeploy userfn; fail on broken. */
async function history(ctx: SandboxContext): Promise<void> {
  await sqitchAt(ctx, "2026-01-02 03:04:05", ["deploy", "--to", "users"]);
  await sqitchAt(ctx, "2026-01-02 03:05:06", ["deploy", "--to", "flips"]);
  await sqitchAt(ctx, "2026-01-02 03:06:07", ["deploy", "--to", "userfn"]);
  await sqitchAt(ctx, "2026-01-03 04:07:08", ["revert", "-y", "--to", "flips"]);
  await sqitchAt(ctx, "2026-01-04 05:08:09", ["deploy", "--to", "userfn"]);
  await sqitchAt(ctx, "2026-01-05 06:09:10", ["deploy", "--to", "broken"]);
}

/** Only users and flips deployed. */
async function partial(ctx: SandboxContext): Promise<void> {
  await sqitchAt(ctx, "2026-01-02 03:04:05", ["deploy", "--to", "users"]);
  await sqitchAt(ctx, "2026-01-02 03:05:06", ["deploy", "--to", "flips"]);
}

/** Everything deployed except broken (removed from the plan). */
const FULL_PLAN = PLAN.replace(/^broken .*\n/m, "");
async function complete(ctx: SandboxContext): Promise<void> {
  await partial(ctx);
  await sqitchAt(ctx, "2026-01-02 03:06:07", ["deploy", "--to", "userfn"]);
  await sqitchAt(ctx, "2026-01-02 03:07:08", ["deploy"]);
}

const CRASH_131 = /Can't use string \("[^"]*"\) as an ARRAY ref/;

const scenarios: Scenario[] = [
  {
    name: "status/log: nothing deployed, no registry",
    files: PROJECT,
    steps: [
      { argv: "status", sqitchCode: 1 },
      { argv: "log", sqitchCode: 1 },
      { argv: "status --show-changes --show-tags", sqitchCode: 1 },
    ],
  },
  {
    name: "status: basic, show changes and tags",
    files: PROJECT,
    setup: history,
    steps: [
      "status",
      "status --show-changes",
      "status --show-tags",
      "status --show-changes --show-tags",
      "status db:sqlite:flipr.db",
      "status -t db:sqlite:flipr.db",
    ],
  },
  {
    name: "status: date formats",
    files: PROJECT,
    setup: history,
    steps: [
      "status --date-format raw --show-changes",
      "status --date rfc --show-tags",
      "status --date-format full",
      "status --date-format long",
      "status --date-format medium",
      "status --date-format short",
      "status --date-format cldr:yyyy-MM-dd --show-changes",
      "status --date-format strftime:%Y/%j",
      { argv: "status --date-format iso", env: { TZ: "America/New_York" } },
      { argv: "status --date-format nonesuch", expectSqlitch: { code: 2, stderr: /nonesuch/ } },
    ],
  },
  {
    name: "status: [status] config",
    files: {
      ...PROJECT,
      "sqitch.conf": CONF +
        "[status]\n\tshow_changes = true\n\tshow_tags = yes\n\tdate_format = rfc\n",
    },
    setup: history,
    steps: ["status", "status --date-format raw"],
  },
  {
    name: "status: partially deployed, undeployed list",
    files: PROJECT,
    setup: partial,
    steps: ["status", "status --show-tags", "status --show-changes"],
  },
  {
    name: "status: up to date",
    files: { ...PROJECT, "sqitch.plan": FULL_PLAN },
    setup: complete,
    steps: ["status", "status --show-changes --show-tags", "log --oneline"],
  },
  {
    name: "status: other project, plan for another project, change not in plan",
    files: {
      ...PROJECT,
      "other.plan": "%syntax-version=1.0.0\n%project=other\n\n" +
        "x 2024-01-01T00:00:00Z A <a@b.c>\n",
      "same.plan": "%syntax-version=1.0.0\n%project=flipr\n\n" +
        "x 2024-01-01T00:00:00Z A <a@b.c>\n",
    },
    setup: history,
    steps: [
      { argv: "status --project other", sqitchCode: 1 },
      "status --project flipr",
      "status -f other.plan",
      "status --plan-file other.plan --project flipr",
      { argv: "status --plan-file same.plan", sqitchCode: 2 },
      "status --plan-file nonesuch.plan --project flipr",
    ],
  },
  {
    name: "status: no plan, project from the registry",
    files: { "sqitch.conf": CONF },
    setup: async (ctx) => {
      for (const [path, text] of Object.entries(PROJECT)) {
        await Deno.mkdir(`${ctx.root}/tmpproj/${path}`.replace(/\/[^/]*$/, ""), {
          recursive: true,
        });
        await Deno.writeTextFile(`${ctx.root}/tmpproj/${path}`, text);
      }
      const tmp = { ...ctx, proj: `${ctx.root}/tmpproj` };
      await partial(tmp);
      await Deno.rename(`${ctx.root}/tmpproj/flipr.db`, `${ctx.proj}/flipr.db`);
      await Deno.rename(`${ctx.root}/tmpproj/sqitch.db`, `${ctx.proj}/sqitch.db`);
      await Deno.remove(`${ctx.root}/tmpproj`, { recursive: true });
    },
    steps: ["status", "status --project flipr --show-changes"],
  },
  {
    name: "status: connection options and unknown engines",
    files: PROJECT,
    setup: history,
    steps: [
      "status --registry sqitch",
      { argv: "status --registry other", sqitchCode: 1 },
      { argv: "status -d other.db", sqitchCode: 0 },
      { argv: "status --db-client /bin/true", sqitchCode: 0 },
      "status --project flipr --show-tags --quiet",
      { argv: "status db:sqlite:flipr.db db:sqlite:flipr.db" },
      { argv: "status nonesuch", sqitchCode: 2 },
    ],
    trees: "final",
  },
  {
    name: "log: default, headers, reverse, windows",
    files: PROJECT,
    setup: history,
    steps: [
      "log",
      "log --no-headers",
      "log --reverse",
      "log -n 2",
      "log --max-count 2 --skip 1",
      "log --skip 3",
      "log --skip 3 --reverse",
      "log -n 0",
      "log --no-reverse -n 1",
      "log --headers -n 1",
    ],
  },
  {
    name: "log: filters",
    files: PROJECT,
    setup: history,
    steps: [
      "log --event deploy",
      "log --event revert",
      "log --event fail",
      "log --event deploy --event revert",
      "log --event nonesuch",
      "log --change-pattern ^u",
      "log --change flips",
      "log --committer Parity",
      "log --committer-pattern nobody",
      "log --project-pattern nope",
    ],
  },
  {
    name: "log: 1.3.1 SQL error for --event with other filters (AND-ed here)",
    files: PROJECT,
    setup: history,
    steps: [
      {
        argv: "log --event deploy --change userfn",
        expectSqitch: { code: 2, stderr: /syntax error/ },
        expectSqlitch: {
          code: 0,
          stdout: /^On database db:sqlite:flipr\.db\nDeploy [0-9a-f]{40}\nName: {6}userfn\n/,
          stderr: "",
        },
      },
      {
        argv: "log --project flipr --change userfn --reverse",
        expectSqitch: { code: 2, stderr: /syntax error/ },
        expectSqlitch: {
          code: 0,
          stdout: /^On database db:sqlite:flipr\.db\nDeploy [0-9a-f]{40}\nName: {6}userfn\n/,
          stderr: "",
        },
      },
      {
        argv: ["log", "--change", "u.*s$", "--committer", "Tester", "--oneline"],
        expectSqitch: { code: 2, stderr: /syntax error/ },
        expectSqlitch: {
          code: 0,
          stdout:
            /^On database db:sqlite:flipr\.db\n[0-9a-f]{6} deploy flipr:users Creates table to track our users\.\n$/,
          stderr: "",
        },
      },
    ],
  },
  {
    name: "log: oneline, short, medium, abbrev",
    files: PROJECT,
    setup: history,
    steps: [
      "log --oneline",
      "log --oneline --abbrev 10",
      "log --oneline --format short",
      "log -f short",
      "log --format medium",
      "log --format oneline",
      "log --abbrev 8",
      "log -f oneline --abbrev 4 --no-headers",
    ],
  },
  {
    name: "log: format templates",
    files: PROJECT,
    setup: history,
    steps: [
      ["log", "--format", "format:%H %e %n %o %l %L %s"],
      ["log", "--format", "format:%{name}c|%{email}c|%{date}c|%{date:rfc}c|%{date:raw}c"],
      ["log", "--format", "format:%{name}p|%{email}p|%{date}p|%{date:cldr:yyyy}p|%p|%c"],
      ["log", "--format", "format:%-10.4n|%20e|%{5}h|%h%%"],
      ["log", "--format", "format:%B|%{  }B|%s|%{>}s"],
      ["log", "--format", "format:%{event}_ %{change}_ %{committer}_ %{planner}_"],
      ["log", "--format", "format:%{change}a %{event}a %{project}a", "-n", "2"],
      ["log", "--format", "format:%q", "-n", "1"],
      ["log", "--format", "format:%{nonesuch}_", "-n", "1"],
    ],
  },
  {
    name: "log: 1.3.1 crashes on raw/full/long on SQLite (HEAD output here)",
    files: PROJECT,
    setup: history,
    steps: [
      {
        argv: "log --format raw -n 2",
        expectSqitch: { code: 2, stderr: CRASH_131 },
        expectSqlitch: {
          code: 0,
          stderr: "",
          stdout: new RegExp(
            "^On database db:sqlite:flipr\\.db\\nfail [0-9a-f]{40}\\nname      broken\\n" +
              "project   flipr\\nplanner   Bob Smith <bob@example\\.com>\\n" +
              "planned   2024-07-05T03:04:05Z\\ncommitter Parity Tester <parity@example\\.com>\\n" +
              "committed 2026-01-05T06:09:10Z\\n\\n    Fails\\n\\n" +
              "deploy [0-9a-f]{40} \\(@v1\\.1\\)\\nname      userfn\\nproject   flipr\\n" +
              "requires  users, flips\\nconflicts last\\n",
          ),
        },
      },
      {
        argv: "log --format full --change userfn --reverse -n 1",
        expectSqitch: { code: 2, stderr: CRASH_131 },
        expectSqlitch: {
          code: 0,
          stderr: "",
          stdout:
            /^On database db:sqlite:flipr\.db\nDeploy [0-9a-f]{40} \(@v1\.1\)\nName: {6}userfn\nProject: {3}flipr\nRequires: {2}users, flips\nConflicts: last\n/,
        },
      },
    ],
  },
  {
    name: "log: dates and time zones",
    files: PROJECT,
    setup: history,
    steps: [
      "log --date-format raw -n 2",
      "log --date rfc -n 2",
      "log --date-format full -n 1",
      "log --date-format long -n 1",
      "log --date-format medium -n 1",
      "log --date-format short -n 1",
      "log --date-format strftime:%s -n 1",
      "log --date-format cldr:EEEE -n 1",
      { argv: "log -n 2", env: { TZ: "Asia/Kolkata" } },
      { argv: "log --date-format nonesuch", expectSqlitch: { code: 2, stderr: /nonesuch/ } },
    ],
  },
  {
    name: "log: colours",
    files: PROJECT,
    setup: history,
    steps: [
      "log --color always --oneline",
      "log --color never --oneline",
      "log --color auto -n 2",
      "log --no-color --color always -n 1",
      "log --color always -n 3",
      { argv: "log --color always -n 1", env: { NO_COLOR: "" } },
      ["log", "--color", "always", "--format", "format:%{bold blue}C%n%{reset}C", "-n", "2"],
      ["log", "--color", "always", "--format", "format:%{nonesuch}C%n", "-n", "1"],
      {
        argv: "log --color sometimes",
        expectSqlitch: { code: 2, stderr: /did not pass type constraint/ },
      },
    ],
  },
  {
    name: "log: [log] config section",
    files: {
      ...PROJECT,
      "sqitch.conf": CONF +
        "[log]\n\treverse = 1\n\tmax_count = 3\n\theaders = 0\n\tformat = oneline\n" +
        "\tdate_format = raw\n\tchange_pattern = s\n",
    },
    setup: history,
    steps: [
      "log",
      "log --no-reverse",
      "log -n 1 --headers",
      "log --format medium",
      "log --change u",
    ],
  },
  {
    name: "log: [log] Bool type check",
    files: { ...PROJECT, "sqitch.conf": CONF + "[log]\n\theaders = false\n" },
    setup: partial,
    steps: [
      {
        argv: "log",
        expectSqitch: { code: 255 },
        expectSqlitch: {
          code: 2,
          stderr: 'Value "false" did not pass type constraint "Bool" (in $args->{"headers"})\n',
        },
      },
    ],
  },
  {
    name: "log: config colour and format",
    files: {
      ...PROJECT,
      "sqitch.conf": CONF + "[log]\n\tcolor = always\n\tformat = format:%n %{cyan}C%e%{reset}C\n",
    },
    setup: history,
    steps: ["log", "log --no-color", "log --format short -n 1"],
  },
  {
    name: "log: unknown format and bad config",
    files: { ...PROJECT, "sqitch.conf": CONF + "[log]\n\tmax_count = many\n" },
    setup: history,
    steps: [
      { argv: "log --format nonesuch", expectSqlitch: { code: 2, stderr: /Unknown log format/ } },
      { argv: "log", expectSqlitch: { code: 2, stderr: /did not pass type constraint "Int"/ } },
    ],
  },
  {
    name: "log: targets and connection options",
    files: PROJECT,
    setup: history,
    steps: [
      "log db:sqlite:flipr.db -n 1",
      "log -t db:sqlite:flipr.db -n 1",
      { argv: "log --registry other -n 1", sqitchCode: 1 },
      { argv: "log -d other.db -n 1", sqitchCode: 0 },
      { argv: "log nonesuch", sqitchCode: 2 },
      "log db:sqlite:flipr.db db:sqlite:flipr.db -n 1",
    ],
    trees: "final",
  },
  {
    name: "log: partial history",
    files: PROJECT,
    setup: partial,
    steps: ["log", "log --oneline --reverse", "log --event revert"],
  },
  {
    name: "status/log: a pg target that refuses connections",
    files: { ...PROJECT, "sqitch.conf": "[core]\n\tengine = pg\n" },
    steps: [
      { argv: "status db:pg://nobody@127.0.0.1:1/nonesuch", sqitchCode: 2 },
      { argv: "log db:pg://nobody@127.0.0.1:1/nonesuch", sqitchCode: 2 },
    ],
  },
];

parityTests(scenarios.map((sc) => ({ clock: DEFAULT_CLOCK, ...sc })));
