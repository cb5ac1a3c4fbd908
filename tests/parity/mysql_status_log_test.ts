/**
 * Parity of `status` and `log` on MySQL/MariaDB with real Sqitch 1.3.1:
 * named log formats, custom formats, filters, windows, date formats and
 * time zones, colours, the [status]/[log] configuration, other projects and
 * registries. The history is deployed by real Sqitch in the setup hook,
 * then every commit time is set to a fixed value (mysql_kit.ts
 * `fixCommitTimes`), so dates are compared as printed.
 *
 * Sqitch 1.3.1 dies on the formats that list tags, requirements or
 * conflicts (raw, full, long, %t %T %r %R %x %X): MySQL's registry stores
 * them as strings and 1.3.1 treats them as arrays ("Can't use string … as
 * an ARRAY ref"); 1.6 splits them, and so does sqlitch — those steps
 * expect that.
 */
import type { SandboxContext, Scenario, Step } from "./kit.ts";
import {
  dropTemplatesTest,
  fixCommitTimes,
  MYSQL_CONF,
  mysqlParityTests,
  mysqlUri,
  prebuiltDb,
  sqitchSetup,
} from "./mysql_kit.ts";

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

const PROJECT = { "sqitch.conf": MYSQL_CONF, "sqitch.plan": PLAN, ...SCRIPTS };

/** Deploy users, flips, userfn; revert and redeploy userfn; fail on broken; fix times. */
const history = prebuiltDb("history", buildHistory);
async function buildHistory(ctx: SandboxContext): Promise<void> {
  await sqitchSetup(ctx, ["deploy", "--to", "users"]);
  await sqitchSetup(ctx, ["deploy", "--to", "flips"]);
  await sqitchSetup(ctx, ["deploy", "--to", "userfn"]);
  await sqitchSetup(ctx, ["revert", "-y", "--to", "flips"]);
  await sqitchSetup(ctx, ["deploy", "--to", "userfn"]);
  await sqitchSetup(ctx, ["deploy", "--to", "broken"], { mayFail: true });
  await fixCommitTimes(`${ctx.id}_reg`);
}

/** Only users and flips deployed. */
const partial = prebuiltDb("partial", buildPartial);
async function buildPartial(ctx: SandboxContext): Promise<void> {
  await sqitchSetup(ctx, ["deploy", "--to", "flips"]);
  await fixCommitTimes(`${ctx.id}_reg`);
}

const FULL_PLAN = PLAN.replace(/^broken .*\n/m, "");
async function complete(ctx: SandboxContext): Promise<void> {
  await sqitchSetup(ctx, ["deploy", "--to", "flips"]);
  await sqitchSetup(ctx, ["deploy", "--to", "userfn"]);
  await sqitchSetup(ctx, ["deploy"]);
  await fixCommitTimes(`${ctx.id}_reg`);
}

/**
 * A log step 1.3.1 dies on with MySQL (list columns are strings there:
 * "Can't use string … as an ARRAY ref"); Sqitch 1.6 and sqlitch split them.
 */
function listStep(argv: string | string[], stdout: RegExp = /^On database db:mysql:/): Step {
  return {
    argv,
    expectSqitch: {
      code: 2,
      stdout: /^On database db:mysql:[^\n]*\n$/,
      stderr: /^Can't use string \(.*\) as an ARRAY ref/,
    },
    expectSqlitch: { code: 0, stderr: "", stdout },
  };
}

const scenarios: Scenario[] = [
  {
    name: "mysql status/log: nothing deployed, no registry",
    files: PROJECT,
    steps: ["status", "log", "status --show-changes --show-tags", "log --event deploy"],
  },
  {
    name: "mysql status: basic, show changes and tags, target arguments",
    files: PROJECT,
    setup: history,
    steps: [
      "status",
      "status --show-changes",
      "status --show-tags",
      "status --show-changes --show-tags",
      `status ${mysqlUri("<ID>")}`,
      `status -t ${mysqlUri("<ID>")}`,
    ],
  },
  {
    name: "mysql status: date formats and time zones",
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
    ],
  },
  {
    name: "mysql status: [status] config, partially deployed, up to date",
    files: {
      ...PROJECT,
      "sqitch.conf": MYSQL_CONF +
        "[status]\n\tshow_changes = true\n\tshow_tags = yes\n\tdate_format = rfc\n",
    },
    setup: partial,
    steps: ["status", "status --date-format raw", "status --no-show-changes"],
  },
  {
    name: "mysql status: up to date",
    files: { ...PROJECT, "sqitch.plan": FULL_PLAN },
    setup: complete,
    steps: ["status", "status --show-changes --show-tags", "log --oneline"],
  },
  {
    name: "mysql status: other project, plan for another project, no plan",
    files: {
      ...PROJECT,
      "other.plan": "%syntax-version=1.0.0\n%project=other\n\nx 2024-01-01T00:00:00Z A <a@b.c>\n",
      "same.plan": "%syntax-version=1.0.0\n%project=flipr\n\nx 2024-01-01T00:00:00Z A <a@b.c>\n",
      "empty/sqitch.conf": MYSQL_CONF,
    },
    setup: history,
    steps: [
      "status --project other",
      "status --project flipr",
      "status -f other.plan",
      "status --plan-file other.plan --project flipr",
      "status --plan-file same.plan",
      { argv: "status", cwd: "empty" },
      { argv: "status --project flipr --show-changes", cwd: "empty" },
    ],
  },
  {
    name: "mysql status/log: registry and connection options",
    files: PROJECT,
    setup: history,
    steps: [
      "status --registry <ID>_reg",
      "status --registry <ID>_other",
      "log --registry <ID>_other -n 1",
      "status -d <ID>_nosuch",
      "log --db-name <ID>_nosuch",
      "status --project flipr --show-tags --quiet",
      "status nonesuch",
      `log ${mysqlUri("<ID>")} -n 1`,
    ],
  },
  {
    name: "mysql log: default, headers, reverse, windows",
    files: PROJECT,
    setup: history,
    steps: [
      "log",
      "log --no-headers",
      "log --reverse",
      "log -n 2",
      "log --max-count 2 --skip 1",
      "log --skip 3 --reverse",
      "log -n 0",
    ],
  },
  {
    name: "mysql log: filters",
    files: PROJECT,
    setup: history,
    steps: [
      "log --event deploy",
      "log --event revert",
      "log --event fail",
      "log --event deploy --event revert",
      "log --event nonesuch",
      "log --change-pattern ^u",
      "log --project flipr",
      "log --change flips",
      "log --committer Parity",
      "log --committer-pattern nobody",
      "log --project-pattern nope",
      "log --planner Bob --oneline",
    ],
  },
  {
    // 1.3.1 builds invalid SQL when --event comes with another filter (a
    // missing AND, fixed in 1.4): sqlitch AND-s the filters.
    name: "mysql log: --event with other filters",
    files: PROJECT,
    setup: history,
    steps: [
      {
        argv: "log --event deploy --change userfn",
        expectSqitch: {
          code: 2,
          stderr: /^You have an error in your SQL syntax.* near 'e\.event IN/,
        },
        expectSqlitch: {
          code: 0,
          stderr: "",
          stdout: /^On database db:mysql:[^\n]*\nDeploy [0-9a-f]{40}\nName: {6}userfn\n/,
        },
      },
      {
        argv: ["log", "--change", "u.*s$", "--committer", "Tester", "--oneline", "--event", "fail"],
        expectSqitch: { code: 2, stderr: /^You have an error in your SQL syntax/ },
        expectSqlitch: { code: 0, stderr: "", stdout: /^On database db:mysql:[^\n]*\n$/ },
      },
      {
        argv: "log --project flipr --change userfn --reverse",
        expectSqitch: { code: 2, stderr: /^You have an error in your SQL syntax/ },
        expectSqlitch: {
          code: 0,
          stderr: "",
          stdout: /^On database db:mysql:[^\n]*\nDeploy [0-9a-f]{40}\nName: {6}userfn\n/,
        },
      },
      {
        argv: ["log", "--change", "u.*s$", "--committer", "Tester", "--oneline"],
        expectSqitch: { code: 2, stderr: /^You have an error in your SQL syntax/ },
        expectSqlitch: {
          code: 0,
          stderr: "",
          stdout: /^On database db:mysql:[^\n]*\n[0-9a-f]{6} deploy flipr:users Creates table/,
        },
      },
    ],
  },
  {
    name: "mysql log: oneline, short, medium, raw, full, long",
    files: PROJECT,
    setup: history,
    steps: [
      "log --oneline --abbrev 10",
      "log -f short",
      "log --format medium -n 3",
      listStep("log --format raw -n 3"),
      listStep("log --format full --change userfn"),
      listStep("log --format long --change flips"),
      listStep("log --format long --color always -n 2"),
    ],
  },
  {
    name: "mysql log: format templates",
    files: PROJECT,
    setup: history,
    steps: [
      ["log", "--format", "format:%H %e %n %o %l %L %s"],
      ["log", "--format", "format:%{name}c|%{email}c|%{date}c|%{date:rfc}c|%{date:raw}c"],
      ["log", "--format", "format:%{name}p|%{email}p|%{date}p|%{date:cldr:yyyy}p|%p|%c"],
      ["log", "--format", "format:%-10.4n|%20e|%{5}h|%h%%"],
      ["log", "--format", "format:%B|%{  }B|%s|%{>}s"],
      ["log", "--format", "format:%{event}_ %{change}_ %{committer}_ %{planner}_"],
      {
        // 1.3.1 labels the empty tag string of a fail event; 1.6 and sqlitch
        // split it into no tags and print nothing.
        argv: ["log", "--format", "format:%{change}a %{event}a %{project}a %{tags}a", "-n", "3"],
        expectSqitch: { code: 0, stdout: /\n project {3}flipr\n tags {6}\n/ },
        expectSqlitch: {
          code: 0,
          stderr: "",
          stdout: /change {4}broken\n event {5}fail\n project {3}flipr\n \n/,
        },
      },
      listStep(["log", "--format", "format:%t|%T|%r|%R|%x|%X", "--event", "deploy"]),
      listStep(["log", "--format", "format:%{, }t|%{ }r|%{;}x", "-n", "4"]),
    ],
  },
  {
    name: "mysql log: dates, time zones and colours",
    files: PROJECT,
    setup: history,
    steps: [
      "log --date-format raw -n 2",
      "log --date rfc -n 2",
      "log --date-format full -n 1",
      "log --date-format long -n 1",
      "log --date-format strftime:%s -n 1",
      "log --date-format cldr:EEEE -n 1",
      { argv: "log -n 2", env: { TZ: "Asia/Kolkata" } },
      "log --color always --oneline",
      ["log", "--color", "always", "--format", "format:%{bold blue}C%n%{reset}C", "-n", "2"],
    ],
  },
  {
    name: "mysql log: [log] config section",
    files: {
      ...PROJECT,
      "sqitch.conf": MYSQL_CONF +
        "[log]\n\treverse = 1\n\tmax_count = 3\n\theaders = 0\n\tformat = oneline\n" +
        "\tdate_format = raw\n\tchange_pattern = s\n",
    },
    setup: history,
    steps: ["log", "log --no-reverse", "log -n 1 --headers", "log --format medium"],
  },
  {
    name: "mysql log: partial history",
    files: PROJECT,
    setup: partial,
    steps: ["log", "log --oneline --reverse", "log --event revert"],
  },
];

mysqlParityTests(scenarios, { keepDates: true });
dropTemplatesTest();
