/**
 * Parity of `log` formats and filters and of `status` options on SQLite
 * with real Sqitch 1.3.1. Each sandbox's database holds a history written
 * by real Sqitch in a setup hook — two projects, tags, dependencies, a
 * revert, a failure and two committers, each event at its own frozen
 * instant — and both programs then read it under a frozen clock.
 *
 * Deliberate divergences, asserted with `expectSqlitch`: 1.3.1 dies on
 * SQLite whenever a format shows tags, requires or conflicts (`raw`,
 * `full`, `long`, and `%t %T %r %R %x %X`: "Can't use string as an ARRAY
 * ref"); sqlitch prints what those formats mean (Sqitch HEAD's templates).
 */
import { DEFAULT_CLOCK, type SandboxContext, type Scenario } from "./kit.ts";
import { prebuiltSetup, registryTests, sqitchIn } from "./db_kit.ts";

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
  "likes [users flips !broken] 2024-07-03T03:04:05Z Jane Doe <jane@example.com> # Likes",
  "@v1.1 2024-07-04T03:04:07Z Jane Doe <jane@example.com> # Tag v1.1.",
  "@beta 2024-07-04T03:04:08Z Jane Doe <jane@example.com>",
  "broken 2024-07-05T03:04:05Z Bob Smith <bob@example.com> # Fails",
  "",
].join("\n");

const EXT_PLAN = "%syntax-version=1.0.0\n%project=ext\n\n" +
  "base [flipr:users] 2024-08-01T00:00:00Z Eve Ext <eve@example.com> # Ext base.\n";

const FILES: Record<string, string> = {
  "sqitch.conf": CONF,
  "sqitch.plan": PLAN,
  "ext/sqitch.conf":
    '[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:../flipr.db\n',
  "ext/sqitch.plan": EXT_PLAN,
  "ext/deploy/base.sql": "CREATE TABLE base (id INTEGER);\n",
  "ext/revert/base.sql": "DROP TABLE base;\n",
};
for (const name of ["users", "flips", "likes", "broken"]) {
  FILES[`deploy/${name}.sql`] = name === "broken"
    ? "SELECT * FROM no_such_table;\n"
    : `CREATE TABLE ${name} (id INTEGER);\n`;
  FILES[`revert/${name}.sql`] = `DROP TABLE ${name};\n`;
  FILES[`verify/${name}.sql`] = `SELECT id FROM ${name} WHERE 0;\n`;
}

const OTHER_COMMITTER = { SQITCH_FULLNAME: "Other Person", SQITCH_EMAIL: "other@example.net" };

/**
 * users, flips (by another committer), likes; revert likes; deploy likes
 * again; broken fails; then project ext deploys base.
 */
async function buildHistory(ctx: SandboxContext): Promise<void> {
  await sqitchIn(ctx, ["deploy", "--to", "users"], { clock: "2026-01-02 03:04:05" });
  await sqitchIn(ctx, ["deploy", "--to", "flips"], {
    clock: "2026-01-02 03:05:06",
    env: OTHER_COMMITTER,
  });
  await sqitchIn(ctx, ["deploy", "--to", "likes"], { clock: "2026-01-02 03:06:07" });
  await sqitchIn(ctx, ["revert", "-y", "--to", "flips"], { clock: "2026-01-03 04:07:08" });
  await sqitchIn(ctx, ["deploy", "--to", "likes"], { clock: "2026-01-04 05:08:09" });
  await sqitchIn(ctx, ["deploy"], { clock: "2026-01-05 06:09:10", mayFail: true });
  await sqitchIn(ctx, ["deploy"], { clock: "2026-01-06 07:10:11", cwd: `${ctx.proj}/ext` });
}

/** Everything reverted again: a registry with events but nothing deployed. */
async function buildAllReverted(ctx: SandboxContext): Promise<void> {
  await sqitchIn(ctx, ["deploy", "--to", "users"], { clock: "2026-01-02 03:04:05" });
  await sqitchIn(ctx, ["deploy", "--to", "flips"], { clock: "2026-01-02 03:05:06" });
  await sqitchIn(ctx, ["revert", "-y"], { clock: "2026-01-02 03:06:07" });
}

const history = prebuiltSetup("history", FILES, buildHistory);
const allReverted = prebuiltSetup("all reverted", FILES, buildAllReverted);

const CRASH_131 = /Can't use string \("[^"]*"\) as an ARRAY ref/;

/** A regex for text with `<ID>` standing for a change ID (40 hex digits). */
function withIds(text: string): RegExp {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^${escaped.replaceAll("<ID>", "[0-9a-f]{40}")}$`);
}

const USERS_RAW = [
  "On database db:sqlite:flipr.db",
  "deploy <ID>",
  "name      users",
  "project   flipr",
  "planner   Jane Doe <jane@example.com>",
  "planned   2024-01-02T03:04:05Z",
  "committer Parity Tester <parity@example.com>",
  "committed 2026-01-02T03:04:05Z",
  "",
  "    Creates table to track our users.",
  "",
  "",
].join("\n");

const LIKES_FULL = [
  "On database db:sqlite:flipr.db",
  "Deploy <ID> (@v1.1, @beta)",
  "Name:      likes",
  "Project:   flipr",
  "Requires:  users, flips",
  "Conflicts: broken",
  "Planner:   Jane Doe <jane@example.com>",
  "Planned:   2024-07-03 03:04:05 +0000",
  "Committer: Parity Tester <parity@example.com>",
  "Committed: 2026-01-04 05:08:09 +0000",
  "",
  "    Likes",
  "",
  "",
].join("\n");

const FLIPS_LONG = [
  "On database db:sqlite:flipr.db",
  "Deploy <ID> (@v1.0)",
  "Name:      flips",
  "Project:   flipr",
  "Planner:   Bob Smith <bob@example.com>",
  "Committer: Other Person <other@example.net>",
  "",
  "    Adds flips table.",
  "    ",
  "    With a body",
  "    of two lines.",
  "",
  "",
].join("\n");

/** A step where 1.3.1 crashes on SQLite and sqlitch prints `stdout`. */
function crash131(argv: string | string[], stdout: RegExp | string): Scenario["steps"][number] {
  return {
    argv,
    expectSqitch: { code: 2, stderr: CRASH_131 },
    expectSqlitch: { code: 0, stderr: "", stdout },
  };
}

const scenarios: Scenario[] = [
  // --- named formats -------------------------------------------------------------------
  {
    name: "log formats: oneline and short with colour, abbrev and headers",
    files: FILES,
    setup: history,
    steps: [
      "log --format oneline --color always",
      "log --format oneline --abbrev 12 --no-headers",
      "log --oneline --color never --headers",
      "log --format short --color always -n 3",
      "log --format short --abbrev 7 --skip 2 -n 2",
    ],
  },
  {
    name: "log formats: medium with colour and every date format",
    files: FILES,
    setup: history,
    steps: [
      "log --format medium --color always -n 2",
      "log --format medium --date-format iso8601 -n 2",
      "log --format medium --date-format rfc2822 -n 2",
      "log --format medium --date-format iso -n 1",
      "log --format medium --date-format rfc -n 1",
      "log --format medium --date-format raw -n 1",
      "log --format medium --date-format full -n 1",
      "log --format medium --date-format long -n 1",
      "log --format medium --date-format medium -n 1",
      "log --format medium --date-format short -n 1",
      ["log", "--format", "medium", "--date-format", "cldr:EEE, d MMM yyyy HH:mm:ss", "-n", "1"],
      ["log", "--format", "medium", "--date-format", "strftime:%A %d %B %Y %H.%M.%S", "-n", "1"],
    ],
  },
  {
    name: "log formats: 1.3.1 crashes on raw, full and long (HEAD templates here)",
    files: FILES,
    setup: history,
    steps: [
      crash131("log --format raw --change users", withIds(USERS_RAW)),
      crash131("log --format full --change likes -n 1", withIds(LIKES_FULL)),
      crash131("log --format long --change flips", withIds(FLIPS_LONG)),
      crash131(
        "log --format long --color always --change flips",
        withIds(
          FLIPS_LONG.replace("Deploy <ID>", "\x1b[32mDeploy <ID>\x1b[0m"),
        ),
      ),
    ],
  },
  {
    name: "log formats: raw from the configuration, overridden on the command line",
    files: { ...FILES, "sqitch.conf": CONF + "[log]\n\tformat = raw\n" },
    setup: history,
    steps: [
      crash131("log --change users", withIds(USERS_RAW)),
      "log --format oneline",
      "log --oneline --event revert",
    ],
  },

  // --- custom formats ----------------------------------------------------------------------
  {
    name: "log formats: custom format with the event, change and project placeholders",
    files: FILES,
    setup: history,
    steps: [
      ["log", "--format", "format:%H|%h|%{6}h|%n|%o|%e|%l|%L"],
      ["log", "--format", "format:%{event}_|%{change}_|%{name}_|%{project}_|%{date}_", "-n", "1"],
      ["log", "--format", "format:%{committer}_|%{planner}_|%{by}_|%{committed}_", "-n", "1"],
      ["log", "--format", "format:%{planned}_|%{requires}_|%{conflicts}_|%{email}_", "-n", "1"],
      ["log", "--abbrev", "9", "--format", "format:%h %n%v%s%v"],
      ["log", "--format", "format:%%|%n%%%e|%v|%{}v|", "-n", "2"],
    ],
  },
  {
    name: "log formats: custom format with committer, planner and dates",
    files: FILES,
    setup: history,
    steps: [
      ["log", "--format", "format:%c|%{name}c|%{email}c|%{date}c", "-n", "3"],
      ["log", "--format", "format:%p|%{name}p|%{email}p|%{date}p", "-n", "3"],
      ["log", "--format", "format:%{date:iso}c|%{date:iso8601}p|%{date:rfc}c|%{date:rfc2822}p"],
      ["log", "--format", "format:%{date:full}c|%{date:long}p", "-n", "2"],
      ["log", "--format", "format:%{date:medium}c|%{date:short}p", "-n", "2"],
      ["log", "--format", "format:%{date:raw}c|%{date:cldr:HH:mm}c|%{date:strftime:%j}p"],
      ["log", "--date-format", "rfc", "--format", "format:%{date}c %{date}p", "-n", "2"],
    ],
  },
  {
    name: "log formats: custom format with notes, attributes and colours",
    files: FILES,
    setup: history,
    steps: [
      ["log", "--format", "format:[%s]%v[%b]%v[%B]", "--change", "flips"],
      ["log", "--format", "format:%{  }s|%{> }b|%{--}B", "--change", "flips"],
      ["log", "--format", "format:%{change}a|%{event}a|%{project}a|%{note}a", "-n", "2"],
      ["log", "--format", "format:%{committer_name}a|%{planner_email}a|%{change_id}a", "-n", "2"],
      [
        "log",
        "--color",
        "always",
        "--format",
        "format:%{:event}C%e%{reset}C %{red}C%n%{reset}C %{yellow bold}C%o%{reset}C",
      ],
      ["log", "--color", "never", "--format", "format:%{:event}C%e%{reset}C %{blue}C%n"],
    ],
  },
  {
    name: "log formats: 1.3.1 crashes on %t %T %r %R %x %X (values here)",
    files: FILES,
    setup: history,
    steps: [
      crash131(
        ["log", "--format", "format:%n:%t:%T", "--event", "deploy"],
        [
          "On database db:sqlite:flipr.db",
          "base::",
          "likes: @v1.1, @beta: (@v1.1, @beta)",
          "likes: @v1.1, @beta: (@v1.1, @beta)",
          "flips: @v1.0: (@v1.0)",
          "users::",
          "",
        ].join("\n"),
      ),
      crash131(
        ["log", "--format", "format:%n|%r|%R|%x|%X|", "--change", "likes", "-n", "1"],
        [
          "On database db:sqlite:flipr.db",
          "likes| users, flips|Requires:  users, flips\n| broken|Conflicts: broken\n|",
          "",
        ].join("\n"),
      ),
      {
        // 1.3.1 reads tags, requires and conflicts from SQLite as
        // comma- or space-separated strings, so %a shows them as such, and shows a
        // label for empty ones; HEAD (and sqlitch) has lists: ", "-joined,
        // nothing when empty.
        argv: [
          "log",
          "--format",
          "format:%{requires}a%{conflicts}a%{tags}a",
          "--change",
          "likes",
          "-n",
          "1",
        ],
        expectSqitch: {
          code: 0,
          stdout: "On database db:sqlite:flipr.db\n" +
            "requires  users,flips\nconflicts broken\ntags      @v1.1 @beta\n\n",
        },
        expectSqlitch: {
          stdout: "On database db:sqlite:flipr.db\n" +
            "requires  users, flips\nconflicts broken\ntags      @v1.1, @beta\n\n",
        },
      },
      {
        argv: ["log", "--format", "format:%{requires}a%{tags}a", "--change", "users"],
        expectSqitch: {
          code: 0,
          stdout: "On database db:sqlite:flipr.db\nrequires  \ntags      \n\n",
        },
        expectSqlitch: { stdout: "On database db:sqlite:flipr.db\n\n" },
      },
    ],
  },

  // --- filters and windows ---------------------------------------------------------------
  {
    name: "log filters: repeated --event, one filter at a time",
    files: FILES,
    setup: history,
    steps: [
      "log --event deploy --event fail --oneline",
      "log --event revert --event fail --event revert --oneline",
      "log --event deploy --event revert --event fail --oneline -n 3",
      "log --change-pattern ^(users|likes)$ --oneline",
      "log --change-pattern s$ --oneline --reverse",
      "log --change-pattern \\A(users|flips)\\z --oneline",
      "log --project ext --oneline",
      "log --project-pattern ^f --oneline -n 2",
      "log --committer Other --oneline",
      "log --committer-pattern ^Parity --oneline -n 2",
      "log --change nosuch",
      "log --project nosuch",
    ],
  },
  {
    name: "log filters: max-count, skip and reverse together",
    files: FILES,
    setup: history,
    steps: [
      "log --oneline -n 3 --skip 2",
      "log --oneline --max-count 2 --reverse",
      "log --oneline --skip 6",
      "log --oneline --skip 100",
      "log --oneline --reverse --no-reverse -n 1",
      "log --oneline -n 1 --skip 1 --reverse",
      "log -n abc",
      "log --skip -1 --oneline",
    ],
  },
  {
    name: "log: a registry whose changes are all reverted",
    files: FILES,
    setup: allReverted,
    steps: ["log --oneline", "log --event deploy --oneline", "log -n 1"],
  },

  // --- status --------------------------------------------------------------------------
  {
    name: "status options: every date format with changes and tags",
    files: FILES,
    setup: history,
    steps: [
      "status --show-changes --show-tags --date-format iso",
      "status --show-changes --date-format iso8601",
      "status --show-tags --date-format rfc2822",
      "status --show-changes --show-tags --date-format full",
      "status --show-changes --date-format long",
      "status --show-tags --date-format medium",
      "status --show-changes --date-format short",
      "status --show-changes --date raw",
      ["status", "--show-tags", "--date-format", "cldr:yyyy.MM.dd G 'at' HH:mm:ss zzz"],
      ["status", "--show-changes", "--date-format", "strftime:%a, %d %b %Y %T %z"],
    ],
  },
  {
    name: "status options: nothing deployed, exit codes and other projects",
    files: FILES,
    setup: allReverted,
    steps: [
      "status",
      "status --show-changes --show-tags",
      "status --project ext",
      "status --project flipr",
      { argv: "status", cwd: "ext" },
    ],
  },
  {
    name: "status options: another project in the same registry, undeployed changes",
    files: FILES,
    setup: history,
    steps: [
      "status --project ext",
      { argv: "status --show-changes", cwd: "ext" },
      { argv: "status --project flipr --show-tags", cwd: "ext" },
      "status --show-tags",
      "status -f ext/sqitch.plan",
    ],
  },
  {
    name: "status options: no registry at a named target",
    files: {
      ...FILES,
      "sqitch.conf": CONF + '[target "empty"]\n\turi = db:sqlite:empty.db\n',
    },
    steps: [
      { argv: "status empty", sqitchCode: 1 },
      { argv: "status -t empty --show-changes", sqitchCode: 1 },
      { argv: "log empty", sqitchCode: 1 },
      { argv: "status --registry nope", sqitchCode: 1 },
    ],
  },
];

registryTests(scenarios.map((sc) => ({ clock: DEFAULT_CLOCK, ...sc })));
