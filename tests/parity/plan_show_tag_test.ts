/**
 * Parity of `plan`, `show` and `tag` (cli.md §5.12, §5.16, §5.18, §6) with
 * real Sqitch, on hand-written plans with tags, reworks, dependencies
 * (local, cross-project, conflicts), multi-line notes and a legacy revert
 * line: every named format and a range of `format:` templates, every
 * filter and formatting option, dates in every format and in a non-UTC
 * zone, the `[plan]` section, positional arguments, `show` of every object
 * type, `--exists`, the `tag` edits, listings, notes from `-n` and from
 * the editor, and the errors.
 *
 * Deliberate divergences (README, compatibility notes) are asserted with
 * `expectSqlitch`: plan filters are AND-ed and `--skip`/`--max-count` count
 * matches (1.3.1 OR-s them and windows plan positions); configure-time
 * deaths (exit 255 + trace) print the message and exit 2; `%F` prints the
 * deploy script path (Sqitch ≥ 1.4); an invalid pattern gets sqlitch's own
 * message; `show` of a script path that is a directory is an error.
 */
import { generatePlan } from "../../scripts/gen_plan.ts";
import { DEFAULT_CLOCK, parityTests, type Scenario, type Step } from "./kit.ts";

const CONF = "[core]\n\tengine = sqlite\n";

/** A plan with tags, a rework, dependencies, notes and a revert line. */
const PLAN = [
  "%syntax-version=1.0.0",
  "%project=flipr",
  "%uri=https://example.com/flipr/",
  "",
  "# A comment line",
  "users 2024-01-02T03:04:05Z Jane Doe <jane@example.com> # Creates table to track our users.",
  "flips [users] 2024-01-02T03:04:06Z Bob Smith <bob@example.com> " +
  "# Adds flips table.\\n\\nWith a body\\nof two lines.",
  "@v1.0 2024-01-02T03:04:07Z Jane Doe <jane@example.com> # Tag v1.0.",
  "@beta 2024-01-02T03:04:08Z Jane Doe <jane@example.com>",
  "",
  "schemas/app [users !legacy other:y@t3] 2024-07-02T15:04:06Z Bjørn Ødegård " +
  "<bjorn@example.com> # Nested name, unicode planner",
  "userfn [users flips] 2024-07-03T03:04:05Z Jane Doe <jane@example.com>",
  "- dropper 2024-07-03T04:04:05Z Bob Smith <bob@example.com> # A revert line",
  "@v1.1 2024-07-04T03:04:07Z Jane Doe <jane@example.com> # Tag v1.1.",
  "",
  "userfn [userfn@v1.1] 2024-08-01T03:04:05Z Jane Doe <jane@example.com> # Reworked userfn.",
  "+ last 2024-12-31T23:59:59Z Bob Smith <bob@example.com> # 0",
  "",
].join("\n");

/** Change scripts for `show` (one with bytes that are not UTF-8 and no final newline). */
const SCRIPTS = {
  "deploy/users.sql": "-- Deploy flipr:users\nCREATE TABLE users (name TEXT);\n",
  "revert/users.sql": "DROP TABLE users;\n",
  "verify/users.sql": "SELECT name FROM users WHERE 0;\n",
  "deploy/flips.sql": new Uint8Array([0x2d, 0x2d, 0x20, 0xff, 0xfe, 0x0a, 0x78]),
  "deploy/schemas/app.sql": "CREATE SCHEMA app;\n",
  "deploy/userfn@v1.1.sql": "-- userfn as of v1.1\n",
  "revert/userfn@v1.1.sql": "-- revert userfn as of v1.1\n",
  "deploy/userfn.sql": "-- userfn, reworked\n",
  "revert/userfn.sql": "",
};

const PROJECT = { "sqitch.conf": CONF, "sqitch.plan": PLAN, ...SCRIPTS };

/** A plan whose only change has been reworked: plain names are ambiguous. */
const REWORKED_PLAN = [
  "%syntax-version=1.0.0",
  "%project=rw",
  "",
  "thing 2024-01-01T00:00:00Z Ann <ann@example.com> # First thing.",
  "@one 2024-01-01T00:00:01Z Ann <ann@example.com>",
  "",
  "thing [thing@one] 2024-01-02T00:00:00Z Ann <ann@example.com> # Second thing.",
  "@two 2024-01-02T00:00:01Z Ann <ann@example.com>",
  "",
  "thing [thing@two] 2024-01-03T00:00:00Z Ann <ann@example.com> # Third thing.",
  "other 2024-01-04T00:00:00Z Ann <ann@example.com>",
  "",
].join("\n");

const EMPTY_PLAN = "%syntax-version=1.0.0\n%project=flipr\n\n";

/** A format as one argv word. */
const fmt = (template: string): string[] => ["plan", "--no-headers", "-f", `format:${template}`];

/**
 * Where Sqitch dies at configure time (exit 255 + trace; for a list value
 * Perl's leftover errno, 2) and sqlitch prints the message, exit 2.
 */
function dies(argv: string | string[], message: string, sqitchCode = 255): Step {
  const escaped = message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return {
    argv,
    expectSqitch: { code: sqitchCode, stderr: new RegExp(`^${escaped}`) },
    expectSqlitch: { code: 2, stdout: "", stderr: `${message}\n` },
  };
}

/** A read-only scenario on the standard project. */
const onProject = (name: string, steps: Scenario["steps"], extra: Partial<Scenario> = {}) => ({
  name,
  files: PROJECT,
  steps,
  trees: "final" as const,
  ...extra,
});

const planScenarios: Scenario[] = [
  onProject("plan: default format with headers", ["plan", "plan --headers", "plan --no-headers"]),
  onProject("plan: --format raw", ["plan --format raw", "plan -f raw --no-headers"]),
  onProject("plan: --format full", ["plan --format full"]),
  onProject("plan: --format long", ["plan --format long"]),
  onProject("plan: --format medium", ["plan --format medium"]),
  onProject("plan: --format short", ["plan --format short"]),
  onProject("plan: --oneline and --format oneline", [
    "plan --oneline",
    "plan --format oneline",
    "plan --oneline --abbrev 12",
    "plan --oneline --format full",
    "plan --oneline --no-headers",
  ]),
  onProject("plan: custom formats, ids and names", [
    fmt("%H %h %{8}h %n %o %e %L %l"),
    fmt("[%n] planned by %{name}p <%{email}p> (%{n}p/%{e}p): %p"),
    ["plan", "--abbrev", "5", "-f", "format:%h|%{10}h|%H"],
    ["plan", "--abbrev", "-3", "--no-headers", "-f", "format:%h"],
  ]),
  onProject("plan: custom formats, tags and dependencies", [
    fmt("%n:%t|%{:}t|%T|%{;}T|%{}t|%{0}T"),
    fmt("%n:%r|%{ + }r|%x|%{/}x"),
    fmt("%n%v%R%X--"),
  ]),
  onProject("plan: custom formats, notes", [
    fmt("%n: %s|%{> }s"),
    fmt("%n body[%b] prefixed[%{  }b]"),
    fmt("%B|%{# }B"),
  ]),
  onProject("plan: custom formats, width and truncation", [
    fmt("%20n|%-20n|%.3n|%-8.3o|%5h|%-12.4{:}T|%3.1e"),
    fmt("%% literal, % space, 100%"),
  ]),
  onProject("plan: custom formats, dates of the planner", [
    fmt("%{date}p|%{d}p|%{date:raw}p|%{date:rfc}p|%{date:iso8601}p"),
    fmt("%{date:cldr:yyyy-MM-dd HH:mm}p|%{date:strftime:%Y/%j %H}p|%{d:short}p|%{date:long}p"),
    fmt("%{date:full}p"),
    fmt("%{other}p|%{date}_"),
  ]),
  onProject("plan: custom formats, labels and attributes", [
    fmt(
      "%{event}_|%{change}_|%{committer}_|%{planner}_|%{by}_|%{date}_|%{committed}_|" +
        "%{planned}_|%{name}_|%{project}_|%{email}_|%{requires}_|%{conflicts}_",
    ),
    fmt("%{event}a%{change}a%{change_id}a%{project}a%{note}a--"),
    fmt("%{requires}a%{conflicts}a%{tags}a%{planned_at}a%{planner_name}a%{planner_email}a--"),
  ]),
  onProject("plan: custom formats, colours", [
    ["plan", "--color", "always", "--no-headers", "-f", "format:%{bold blue}C%n%{reset}C"],
    [
      "plan",
      "--color",
      "always",
      "--no-headers",
      "-f",
      "format:%{:event}C%e%{reset}C %{ansi214 on_grey3}C%n%{reset}C %{r255g0b0}Cx%{clear}C",
    ],
    ["plan", "--no-headers", "-f", "format:%{bold blue}C%n%{reset}C"],
  ]),
  onProject("plan: format errors", [
    fmt("%n %Q"),
    fmt("%_"),
    fmt("%{bogus}_"),
    fmt("%{bogus}a"),
    fmt("%a"),
    fmt("%{committer_name}a"),
    fmt("%{nocolor}C"),
    fmt("%C"),
    fmt("%{date:bogus}p"),
    {
      argv: fmt("%{date}c"),
      expectSqitch: {
        code: 2,
        stderr: 'Can\'t call method "as_string" on an undefined value at ' +
          "/usr/share/perl5/App/Sqitch/ItemFormatter.pm line 115.\n\n",
      },
      expectSqlitch: { code: 2, stderr: 'Can\'t call method "as_string" on an undefined value\n' },
    },
    ["plan", "-f", "format:%n %Q"],
  ]),
  onProject("plan: every date format", [
    "plan --date-format raw",
    "plan --date-format iso",
    "plan --date iso8601",
    "plan --date rfc",
    "plan --date rfc2822",
    "plan --date full",
    "plan --date long",
    "plan --date medium",
    "plan --date short",
    ["plan", "--date", "cldr:EEE d MMM y 'at' h:mm a"],
    ["plan", "--date", "strftime:%A %e %B %Y %H.%M.%S %z"],
    "plan --format full --date rfc",
  ]),
  onProject("plan: dates in a non-UTC zone", [
    "plan --date iso",
    "plan --date rfc",
    "plan --date full",
    "plan --date long",
    "plan --date short",
    ["plan", "--date", "strftime:%H:%M %Z %z"],
    "plan --date raw",
  ], { env: { TZ: "America/New_York" } }),
  onProject("plan: colours", [
    "plan --color always",
    "plan --color always --oneline",
    "plan --color always --format full",
    "plan --color always --format raw",
    "plan --color never --oneline",
    "plan --color auto --oneline",
    "plan --no-color --oneline",
    { argv: "plan --color always --oneline", env: { NO_COLOR: "" } },
    { argv: "plan --color always --oneline", env: { ANSI_COLORS_DISABLED: "1" } },
  ]),
  onProject("plan: --reverse", [
    "plan --reverse --oneline",
    "plan --reverse --no-reverse -f short",
  ]),
  onProject("plan: --event", [
    "plan --event deploy --oneline",
    "plan --event revert",
    "plan --event DEPLOY --oneline",
    "plan --event '' --oneline",
  ]),
  onProject("plan: --change-pattern", [
    "plan --change-pattern ^user --oneline",
    "plan --change s$ --oneline",
    "plan --change '^schemas/' --oneline",
    "plan --change '\\Aflips\\z' --oneline",
    "plan --change USERS --oneline",
    "plan --change nomatch",
  ]),
  onProject("plan: --planner-pattern", [
    "plan --planner-pattern Bob --oneline",
    "plan --planner '^Bj.rn' --oneline",
    "plan --planner 'Doe$' --reverse --oneline",
  ]),
  onProject("plan: --max-count and --skip", [
    "plan -n 2 --oneline",
    "plan --max-count 3 --reverse --oneline",
    "plan --skip 2 --oneline",
    "plan --skip 2 -n 2 --oneline",
    "plan --skip 1 -n 2 --reverse --oneline",
    "plan -n 0 --oneline",
    "plan --skip 10",
  ]),
  onProject("plan: combined filters are AND-ed (1.3.1 OR-s them)", [
    {
      argv: "plan --event revert --planner Jane --oneline --no-headers",
      expectSqitch: {
        code: 0,
        stdout: "7531bc deploy users\nda7561 deploy userfn\n3833b7 revert dropper @v1.1\n" +
          "ba458e deploy userfn\n",
      },
      expectSqlitch: { code: 0, stdout: "" },
    },
    {
      argv: "plan --event deploy --change user --oneline --no-headers",
      expectSqitch: { code: 0, stdout: /^7531bc deploy users\n18b890 deploy flips/ },
      expectSqlitch: {
        code: 0,
        stdout: "7531bc deploy users\nda7561 deploy userfn\nba458e deploy userfn\n",
      },
    },
    {
      argv: "plan --event deploy --change user --planner Jane --oneline --no-headers --reverse",
      expectSqitch: { code: 0, stdout: /^7a5248 deploy last\nba458e deploy userfn\n/ },
      expectSqlitch: {
        code: 0,
        stdout: "ba458e deploy userfn\nda7561 deploy userfn\n7531bc deploy users\n",
      },
    },
  ]),
  onProject("plan: --max-count and --skip count matches (1.3.1 counts positions)", [
    {
      argv: "plan --change userfn -n 2 --oneline --no-headers",
      expectSqitch: { code: 0, stdout: "" },
      expectSqlitch: { code: 0, stdout: "da7561 deploy userfn\nba458e deploy userfn\n" },
    },
    {
      argv: "plan --planner Bob --skip 1 --oneline --no-headers",
      expectSqitch: {
        code: 0,
        stdout:
          "18b890 deploy flips @v1.0, @beta\n3833b7 revert dropper @v1.1\n7a5248 deploy last\n",
      },
      expectSqlitch: {
        code: 0,
        stdout: "3833b7 revert dropper @v1.1\n7a5248 deploy last\n",
      },
    },
    {
      argv: "plan --event deploy --reverse -n 1 --oneline --no-headers",
      expectSqitch: { code: 0, stdout: "7a5248 deploy last\n" },
    },
  ]),
  onProject("plan: [plan] format, date_format and color", [
    "plan",
    "plan --format short",
    "plan --date raw",
    "plan --no-color",
    "plan --color never --format medium",
  ], {
    files: {
      ...PROJECT,
      "sqitch.conf": CONF + "[plan]\n\tformat = full\n\tdate_format = rfc\n\tcolor = always\n",
    },
  }),
  onProject("plan: [plan] format: template from the user config", ["plan", "plan --oneline"], {
    userConfig: "[user]\n\tname = P\n\temail = p@x\n[plan]\n\tformat = format:%n (%o)\n",
  }),
  onProject("plan: [plan] raw keys", [
    "plan",
    "plan --no-reverse --skip 0 --headers",
    "plan -n 3",
    { argv: "plan", env: { SQITCH_CONFIG: "case.conf" } },
  ], {
    files: {
      ...PROJECT,
      "sqitch.conf": CONF +
        "[plan]\n\tmax_count = 2\n\tskip = 1\n\treverse = 1\n\theaders = 0\n\tformat = oneline\n" +
        "\tabbrev = 9\n\toneline = 1\n\tcolor = never\n\tbogus = x\n",
      "case.conf": CONF + "[plan]\n\tMax_Count = 1\n\tformat = oneline\n",
    },
  }),
  onProject("plan: [plan] raw filters and target", [
    "plan",
    "plan --event deploy",
    { argv: "plan", env: { SQITCH_CONFIG: "change.conf" } },
    { argv: "plan --change-pattern s$", env: { SQITCH_CONFIG: "change.conf" } },
    { argv: "plan", env: { SQITCH_CONFIG: "target.conf" } },
    { argv: "plan sqitch.plan", env: { SQITCH_CONFIG: "target.conf" } },
    {
      argv: "plan",
      env: { SQITCH_CONFIG: "both.conf" },
      // 1.3.1: the first two positions, kept when either pattern matches.
      expectSqitch: { code: 0, stdout: "7531bc19ba8900556a3f5953cb77f2efc731d968 deploy users\n" },
      expectSqlitch: {
        code: 0,
        stdout: "7531bc19ba8900556a3f5953cb77f2efc731d968 deploy users\n" +
          "da7561051dd1113827b0679097a5d65502806ae2 deploy userfn\n",
      },
    },
  ], {
    files: {
      ...PROJECT,
      "sqitch.conf": CONF + "[plan]\n\tevent = revert\n\tformat = oneline\n\theaders\n",
      "change.conf": CONF + "[plan]\n\tchange_pattern = ^u\n\tformat = oneline\n",
      "target.conf": CONF + "[plan]\n\ttarget = alt\n" +
        '[target "alt"]\n\turi = db:sqlite:alt.db\n\tplan_file = alt.plan\n',
      "alt.plan": REWORKED_PLAN,
      "both.conf": CONF + "[plan]\n\tchange_pattern = ^u\n\tplanner_pattern = Jane\n" +
        "\tformat = oneline\n\theaders = 0\n\tmax_count = 2\n",
    },
  }),
  {
    name: "plan: [plan] values that fail the type checks",
    files: {
      ...PROJECT,
      "bad1.conf": CONF + "[plan]\n\theaders = false\n",
      "bad2.conf": CONF + "[plan]\n\tskip = x\n",
      "bad3.conf": CONF + "[plan]\n\tmax_count\n",
      "bad4.conf": CONF + "[plan]\n\tmax_count = 2\n\tMax_Count = 1\n",
      "bad5.conf": CONF + "[plan]\n\tevent = deploy\n\tevent = revert\n",
    },
    steps: [
      {
        env: { SQITCH_CONFIG: "bad1.conf" },
        ...dies(
          "plan",
          'Value "false" did not pass type constraint "Bool" (in $args->{"headers"})',
        ),
      },
      {
        env: { SQITCH_CONFIG: "bad2.conf" },
        ...dies("plan", 'Value "x" did not pass type constraint "Int" (in $args->{"skip"})'),
      },
      {
        env: { SQITCH_CONFIG: "bad3.conf" },
        ...dies("plan", 'Undef did not pass type constraint "Int" (in $args->{"max_count"})'),
      },
      {
        env: { SQITCH_CONFIG: "bad4.conf" },
        ...dies(
          "plan",
          'Reference [2,1] did not pass type constraint "Int" (in $args->{"max_count"})',
          2,
        ),
      },
      {
        env: { SQITCH_CONFIG: "bad5.conf" },
        ...dies(
          "plan",
          'Reference ["deploy","revert"] did not pass type constraint "Str" (in $args->{"event"})',
          2,
        ),
      },
      { argv: "plan --headers", env: { SQITCH_CONFIG: "bad1.conf" }, sqitchCode: 0 },
      { argv: "plan -n 1 --event deploy", env: { SQITCH_CONFIG: "bad5.conf" }, sqitchCode: 0 },
    ],
    trees: "final",
  },
  onProject("plan: empty and Perl-false formats", [
    "plan --format ''",
    "plan --format 0",
    "plan --format format:",
  ]),
  onProject("plan: configure-time errors", [
    dies("plan --format bogus", 'Unknown plan format "bogus"'),
    dies("plan --date-format bogus", 'Unknown date format "bogus"'),
    dies(
      "plan --color bogus",
      'Value "bogus" did not pass type constraint "Enum[always,auto,never]" (in $args->{"color"})',
    ),
    "plan --color",
    "plan --plan-file sqitch.plan",
    "plan -n x",
    "plan --bogus",
  ]),
  onProject("plan: bad --event and bad patterns", [
    {
      argv: "plan --event bogus",
      expectSqitch: { code: 2, stdout: "", stderr: /^Unknown change operation "bogus"\nTrace/ },
      expectSqlitch: { code: 2, stdout: "", stderr: 'Unknown change operation "bogus"\n' },
    },
    {
      argv: "plan --change (",
      expectSqitch: { code: 2, stdout: "", stderr: /^Unmatched \( in regex/ },
      expectSqlitch: {
        code: 2,
        stdout: "",
        stderr: 'Invalid regular expression "(": Unterminated group\n',
      },
    },
  ]),
  {
    name: "plan: no changes",
    files: { "sqitch.conf": CONF, "sqitch.plan": EMPTY_PLAN },
    steps: ["plan", "plan --quiet", "plan --oneline -n 3"],
    trees: "final",
  },
  {
    name: "plan: no plan file, no project",
    files: { "sqitch.conf": CONF },
    steps: ["plan", "plan --target db:pg:", "plan -t db:sqlite: nosuch.plan"],
    trees: "final",
  },
  {
    name: "plan: no project configuration",
    files: { "sqitch.plan": PLAN },
    steps: ["plan", "plan db:sqlite:x --oneline", "plan sqlite --oneline"],
    trees: "final",
  },
  {
    name: "plan: positional arguments (plan files, targets, engines, changes)",
    files: {
      ...PROJECT,
      "sqitch.conf": CONF +
        '[target "alt"]\n\turi = db:sqlite:alt.db\n\tplan_file = alt/alt.plan\n' +
        '[engine "pg"]\n\tplan_file = pg.plan\n',
      "alt/alt.plan": REWORKED_PLAN,
      "pg.plan": EMPTY_PLAN,
      "stray.txt": "x\n",
    },
    steps: [
      "plan alt/alt.plan --oneline",
      "plan sqitch.plan --oneline",
      "plan alt --oneline",
      "plan --target alt --oneline",
      "plan -t alt sqitch.plan --oneline",
      "plan pg",
      "plan db:sqlite:other.db --oneline",
      "plan users flips@v1.0 @HEAD --oneline -n 1",
      "plan stray.txt",
      "plan nosuch",
      "plan nosuch other",
      "plan --target nosuch",
    ],
    trees: "final",
  },
  {
    name: "plan: core.plan_file and core.top_dir",
    files: {
      "sqitch.conf": "[core]\n\tengine = sqlite\n\ttop_dir = db\n\tplan_file = db/changes.plan\n",
      "db/changes.plan": PLAN,
    },
    steps: [
      "plan --oneline",
      "plan db/changes.plan --no-headers --oneline",
      {
        argv: ["plan", "--no-headers", "-f", "format:%n %F"],
        expectSqitch: { code: 2, stderr: 'Unknown format code "F"\n' },
        expectSqlitch: {
          code: 0,
          stdout: "users db/deploy/users.sql\nflips db/deploy/flips.sql\n" +
            "schemas/app db/deploy/schemas/app.sql\nuserfn db/deploy/userfn@v1.1.sql\n" +
            "dropper db/deploy/dropper.sql\nuserfn db/deploy/userfn.sql\n" +
            "last db/deploy/last.sql\n",
          stderr: "",
        },
      },
    ],
    trees: "final",
  },
  {
    name: "plan: top_dir from the engine section",
    files: {
      "sqitch.conf": '[core]\n\tengine = pg\n[engine "pg"]\n\ttop_dir = pg\n',
      "pg/sqitch.plan": REWORKED_PLAN,
    },
    steps: ["plan --oneline", "plan -f short"],
    trees: "final",
  },
  onProject("plan: %F, the deploy script path (Sqitch >= 1.4)", [
    {
      argv: ["plan", "--no-headers", "-f", "format:%n %F"],
      expectSqitch: { code: 2, stderr: 'Unknown format code "F"\n' },
      expectSqlitch: {
        code: 0,
        stdout: [
          "users deploy/users.sql",
          "flips deploy/flips.sql",
          "schemas/app deploy/schemas/app.sql",
          "userfn deploy/userfn@v1.1.sql",
          "dropper deploy/dropper.sql",
          "userfn deploy/userfn.sql",
          "last deploy/last.sql",
          "",
        ].join("\n"),
        stderr: "",
      },
    },
  ]),
  {
    name: "plan: the generated plan, reworks every 500 changes",
    files: { "sqitch.conf": CONF, "sqitch.plan": generatedPlan() },
    steps: [
      "plan --oneline -n 5",
      "plan --reverse -n 3 --format full",
      "plan --change ^change_12 --oneline --no-headers",
    ],
    trees: "final",
  },
];

const showScenarios: Scenario[] = [
  onProject("show: change by name, tag, ID and offsets", [
    "show change users",
    "show change flips",
    "show change schemas/app",
    "show change flips@v1.0",
    "show change userfn@v1.1",
    "show change userfn@HEAD",
    "show change @HEAD",
    "show change HEAD^",
    "show change @ROOT",
    "show change users~2",
    "show change 18b890ae31920e9c62116bcad4c970723edbfa4f",
    "show change last",
  ]),
  onProject("show: tags", [
    "show tag v1.0",
    "show tag @beta",
    "show tag v1.1",
    "show tag nosuch",
    "show tag @nosuch",
    "show tag 18b890ae31920e9c62116bcad4c970723edbfa4f",
  ]),
  {
    name: "show: tag by ID, project without URI",
    files: { "sqitch.conf": CONF, "sqitch.plan": REWORKED_PLAN },
    steps: [
      "show tag one",
      "show change thing@one",
      "show change thing@two",
      "show change thing@HEAD",
    ],
    trees: "final",
  },
  onProject("show: scripts", [
    "show deploy users",
    "show revert users",
    "show verify users",
    "show deploy flips",
    "show deploy schemas/app",
    "show deploy userfn@v1.1",
    "show revert userfn@v1.1",
    "show deploy userfn@HEAD",
    "show deploy userfn@v1.0",
    "show revert userfn@HEAD",
    "show verify userfn@HEAD",
    "show deploy last",
  ]),
  onProject("show: --exists", [
    "show -e change users",
    "show --exists change nosuch",
    "show -e tag v1.0",
    "show -e tag nosuch",
    "show -e deploy users",
    "show -e verify flips",
    "show -e deploy nosuch",
    "show --no-exists change users",
    "show -e bogus users",
    "show -e change users@nosuch",
  ]),
  onProject("show: errors", [
    "show",
    "show change",
    "show change ''",
    "show bogus users",
    "show Change users",
    "show change nosuch",
    "show change users@nosuch",
    "show change userfn",
    "show change 0000000000000000000000000000000000000000",
    "show --bogus change users",
  ]),
  {
    name: "show: ambiguous change names",
    files: { "sqitch.conf": CONF, "sqitch.plan": REWORKED_PLAN, "deploy/thing@one.sql": "1\n" },
    steps: ["show change thing", "show deploy thing", "show -e change thing"],
    trees: "final",
  },
  {
    name: "show: plan file options, targets and config",
    files: {
      ...PROJECT,
      "sqitch.conf": CONF + '[target "alt"]\n\turi = db:sqlite:alt.db\n\tplan_file = alt.plan\n',
      "alt.plan": REWORKED_PLAN,
      "t/sqitch.plan": REWORKED_PLAN,
      "t/deploy/thing@two.sql": "two\n",
    },
    steps: [
      "show change thing@HEAD -f alt.plan",
      "show --plan-file alt.plan tag one",
      "show -t alt change other",
      "show --target alt change users",
      "show -t db:sqlite:x change users",
      "show -t nosuch change users",
      "show --top-dir t deploy thing@two",
      "show -f nosuch.plan change users",
    ],
    trees: "final",
  },
  {
    name: "show: [show] section and no engine",
    files: {
      "sqitch.conf": "[show]\n\ttarget = alt\n" +
        '[target "alt"]\n\turi = db:sqlite:alt.db\n\tplan_file = alt.plan\n',
      "alt.plan": REWORKED_PLAN,
      "sqitch.plan": PLAN,
    },
    steps: ["show change other", "show -t db:sqlite: change users"],
    trees: "final",
  },
  {
    name: "show: no plan file, no project",
    files: { "sqitch.conf": CONF },
    steps: ["show change users", "show -e change users"],
    trees: "final",
  },
  {
    name: "show: reworked_dir and script directories from the config",
    files: {
      "sqitch.conf": CONF + "\treworked_dir = old\n\trevert_dir = undo\n\textension = ddl\n",
      "sqitch.plan": REWORKED_PLAN,
      "old/deploy/thing@one.ddl": "thing one\n",
      "old/deploy/thing@two.ddl": "thing two\n",
      "undo/thing.ddl": "undo thing\n",
      "deploy/thing.ddl": "thing three\n",
      "old/revert/thing@two.ddl": "undo thing two\n",
    },
    steps: [
      "show deploy thing@one",
      "show deploy thing@two",
      "show deploy thing@HEAD",
      "show revert thing@two",
      "show revert thing@HEAD",
      "show verify thing@HEAD",
    ],
    trees: "final",
  },
  {
    name: "show: a script path that is a directory is an error",
    files: { ...PROJECT, "verify/flips.sql/": "" },
    steps: [
      {
        argv: "show verify flips",
        expectSqitch: { code: 0, stdout: "\n" },
        expectSqlitch: { code: 2, stdout: "", stderr: '"verify/flips.sql" is not a file\n' },
      },
    ],
    trees: "final",
  },
];

/** An editor that appends a note, and one that writes nothing. */
const EDITORS = {
  "ed.sh":
    "printf 'Edited tag note.\\n\\n# not this line\\nSecond paragraph.\\n\\n\\n' >> \"$1\"\n",
  "noop.sh": "exit 0\n",
  "cat.sh": 'cat "$1"\n',
  "fail.sh": "exit 3\n",
};

const tagScenarios: Scenario[] = [
  {
    name: "tag: add to the last change, list, show",
    files: PROJECT,
    steps: [
      "tag v2.0 -n 'Tag v2.0.'",
      "tag",
      "show tag v2.0",
      "plan --oneline",
      "tag --quiet",
      "tag --quiet v2.1 -n quiet",
    ],
  },
  {
    name: "tag: naming the change",
    files: PROJECT,
    steps: [
      "tag v0.9 users -n 'Before flips.'",
      "tag -t v0.95 -c flips -m one -m two",
      "tag --tag @v1.05 --change schemas/app --note 'Three\\nlines\\nhere'",
      "tag v1.06 userfn@v1.1 -n x",
      "tag v1.07 @v1.0 -n x",
      "tag v1.08 HEAD^ -n x",
      "tag v1.09 -c 18b890ae31920e9c62116bcad4c970723edbfa4f -n x",
      "tag",
    ],
  },
  {
    name: "tag: notes are trimmed and unescaped",
    files: PROJECT,
    steps: [
      "tag t1 -n '   spaced   '",
      "tag t2 -n 'back\\\\slash \\r and \\t tab'",
      "tag t3 -n 0",
      "show tag t1",
      "show tag t2",
    ],
  },
  {
    name: "tag: errors",
    files: PROJECT,
    steps: [
      "tag v1.0 -n dup",
      "tag @beta -n dup",
      "tag v9 nosuch -n x",
      "tag 'bad name' -n x",
      "tag bad: -n x",
      "tag 'a/b' -n x",
      "tag HEAD -n x",
      "tag ROOT -n x",
      "tag 0123456789abcdef0123456789abcdef01234567 -n x",
      "tag v9 users extra -n x",
      "tag v9 users extra more -n x",
      "tag --bogus",
      "tag v9 users@nosuch -n x",
    ],
  },
  {
    name: "tag: ambiguous change",
    files: { "sqitch.conf": CONF, "sqitch.plan": REWORKED_PLAN },
    steps: [
      "tag t9 thing -n x",
      "tag t9 thing@two -n x",
      "tag t10 thing@HEAD -n x",
      "tag",
    ],
  },
  {
    name: "tag: empty plan",
    files: { "sqitch.conf": CONF, "sqitch.plan": EMPTY_PLAN },
    steps: ["tag v1 -n x", "tag"],
  },
  {
    name: "tag: no plan file, no project",
    files: { "sqitch.conf": CONF },
    steps: ["tag", "tag v1 -n x"],
  },
  {
    name: "tag: several plans, --all and tag.all",
    files: {
      ...PROJECT,
      "sqitch.conf": CONF +
        '[target "alt"]\n\turi = db:sqlite:alt.db\n\tplan_file = alt.plan\n' +
        '[target "same"]\n\turi = db:sqlite:same.db\n',
      "alt.plan": REWORKED_PLAN,
      "all.conf": CONF + "[tag]\n\tall = true\n" +
        '[target "alt"]\n\turi = db:sqlite:alt.db\n\tplan_file = alt.plan\n',
    },
    steps: [
      "tag",
      "tag alt",
      "tag sqitch.plan alt.plan",
      "tag --all v3 -n 'Everywhere.'",
      "tag --all",
      "tag --all alt",
      "tag v4 alt -n 'Only alt.'",
      "tag v5 alt.plan sqitch.plan -n 'Both.'",
      "tag -t v6 db:sqlite:same.db -n 'Default plan.'",
      "tag db:sqlite:x",
      "tag",
      { argv: "tag v7 -n 'By config.'", env: { SQITCH_CONFIG: "all.conf" } },
    ],
  },
  {
    name: "tag: plan file option, --top-dir and engines",
    files: {
      ...PROJECT,
      "sqitch.conf": CONF + '[engine "pg"]\n\tplan_file = pg.plan\n',
      "pg.plan": REWORKED_PLAN,
      "other/sqitch.plan": REWORKED_PLAN,
    },
    steps: [
      "tag -f pg.plan pgtag -n x",
      "tag pg",
      "tag pg2 pg -n x",
      "tag --top-dir other topdir -n x",
      "tag --plan-file nosuch.plan v1 -n x",
    ],
  },
  {
    name: "tag: the note from the editor",
    files: { ...PROJECT, ...EDITORS },
    env: { SQITCH_EDITOR: "sh <SANDBOX>/proj/ed.sh" },
    steps: [
      "tag edited",
      "show tag edited",
      "tag edited2 users",
      { argv: "tag viaeditor", env: { SQITCH_EDITOR: null, EDITOR: "sh <SANDBOX>/proj/ed.sh" } },
      { argv: "tag printed", env: { SQITCH_EDITOR: "sh <SANDBOX>/proj/cat.sh" } },
      { argv: "tag empty", env: { SQITCH_EDITOR: "sh <SANDBOX>/proj/noop.sh" } },
      { argv: "tag --quiet empty", env: { SQITCH_EDITOR: "sh <SANDBOX>/proj/noop.sh" } },
      { argv: "tag failing", env: { SQITCH_EDITOR: "sh <SANDBOX>/proj/fail.sh" } },
      { argv: "tag blank -n '  '", env: { SQITCH_EDITOR: "sh <SANDBOX>/proj/ed.sh" } },
      "plan --oneline",
    ],
    normalize: (text) => text.replace(/\/tmp\/[\w.-]+/g, "<TMP>"),
  },
  {
    name: "tag: the editor from core.editor",
    files: {
      ...PROJECT,
      ...EDITORS,
      "sqitch.conf": CONF + "\teditor = sh ed.sh\n",
    },
    steps: ["tag configured", "show tag configured"],
  },
];

/** The benchmark's generated plan (scripts/gen_plan.ts), smaller: 1 200 changes. */
function generatedPlan(): string {
  return generatePlan({ changes: 1200 });
}

parityTests(
  [...planScenarios, ...showScenarios, ...tagScenarios].map((sc) => ({
    clock: DEFAULT_CLOCK,
    ...sc,
  })),
);
