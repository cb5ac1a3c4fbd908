import { deepEqual, equal, throws } from "node:assert/strict";
import { validateDateFormat } from "../../core/dates.ts";
import { SqlitchError } from "../../core/errors.ts";
import {
  formatItem,
  type ItemData,
  ItemFormatter,
  LOG_FORMATS,
  PLAN_FORMATS,
  resolveItemFormat,
  searchPlanItems,
  selectPlanItems,
} from "../../core/item_format.ts";
import { resolveLocalTimeZone, UTC_ZONE } from "../../core/timezone.ts";
import { systemZoneInfo } from "../../io/timezone.ts";

const HAVE_ZONEINFO = (() => {
  try {
    return Deno.statSync("/usr/share/zoneinfo/America/New_York").isFile;
  } catch {
    return false;
  }
})();

const jane = { plannerName: "Jane Doe", plannerEmail: "jane@example.com" };
const none = { tags: [], requires: [], conflicts: [] };

/** The changes of tests/fixtures/item_format/sqitch.plan, as `sqitch plan` sees them. */
const PLAN_ITEMS: ItemData[] = [
  {
    event: "deploy",
    project: "proj",
    changeId: "64383a1f47fe30ba56f485842754f6e83476ab38",
    change: "users",
    note: "Creates table to track our users.",
    ...none,
    ...jane,
    plannedAt: "2024-01-02T03:04:05Z",
  },
  {
    event: "deploy",
    project: "proj",
    changeId: "cbe7665a1fc54e5d22d48a364273ae03e8cb7a78",
    change: "b",
    note: "Subject line\n\nBody para 1\nBody line 2",
    tags: ["@t1", "@t2"],
    requires: ["users"],
    conflicts: [],
    ...jane,
    plannedAt: "2024-07-02T15:04:06Z",
  },
  {
    event: "deploy",
    project: "proj",
    changeId: "3605443c4c8afeeef4b5f644ca7faeb20ebff4e9",
    change: "c",
    note: "",
    tags: [],
    requires: ["users", "b", "other:y@t3"],
    conflicts: ["x"],
    plannerName: "Bob Q. Public",
    plannerEmail: "bob@example.org",
    plannedAt: "2024-12-31T23:59:59Z",
  },
  {
    event: "deploy",
    project: "proj",
    changeId: "18e41552bfac5ee9c36239989e2ac0915b94e9d0",
    change: "d",
    note: "line1\r\nline2\rline3\n",
    tags: ["@t3"],
    requires: [],
    conflicts: ["x", "z"],
    ...jane,
    plannedAt: "2025-03-09T07:30:00Z",
  },
  {
    event: "revert",
    project: "proj",
    changeId: "f64ad7defcfa3322ae5e134ef8c8ca2d516434d5",
    change: "d",
    note: "revert d",
    ...none,
    ...jane,
    plannedAt: "2025-03-10T12:00:00Z",
  },
  {
    event: "deploy",
    project: "proj",
    changeId: "e413df71f5af150e0fdc6b92fb7aaea6d9960106",
    change: "e",
    note: "100% done\\sure",
    ...none,
    ...jane,
    plannedAt: "2026-11-23T23:34:57Z",
  },
];

/** Run the formatter like `sqitch plan --no-headers ARGS` would (configure + execute). */
function planLike(args: string[], tz: string): { code: number; stdout: string; error: string } {
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  let format = opt("--format");
  let abbrev = opt("--abbrev") === undefined ? undefined : Number(opt("--abbrev"));
  if (args.includes("--oneline")) {
    format ||= "oneline";
    abbrev ??= 6;
  }
  let stdout = "";
  try {
    const dateFormat = opt("--date-format");
    if (dateFormat) validateDateFormat(dateFormat);
    const template = resolveItemFormat("plan", format ?? "medium");
    const formatter = new ItemFormatter({
      dateFormat: dateFormat || "iso",
      abbrev: abbrev ?? 0,
      color: opt("--color") === "always",
      zone: resolveLocalTimeZone(tz, systemZoneInfo()),
    });
    for (const item of PLAN_ITEMS) stdout += formatter.format(template, item) + "\n";
    return { code: 0, stdout, error: "" };
  } catch (e) {
    if (!(e instanceof SqlitchError)) throw e;
    return { code: e.exitCode, stdout, error: e.message };
  }
}

interface Case {
  args: string[];
  tz: string;
  code: number;
  stdout: string;
  stderr: string;
}

/** Real `sqitch plan` runs (tests/fixtures/item_format/generate.ts). */
const CASES: Case[] = JSON.parse(
  Deno.readTextFileSync(new URL("../fixtures/item_format/sqitch_plan_cases.json", import.meta.url)),
);

Deno.test({
  name: "plan formats: byte-exact against every recorded sqitch plan run",
  ignore: !HAVE_ZONEINFO,
  fn() {
    for (const c of CASES) {
      const label = `${JSON.stringify(c.args)} TZ=${c.tz}`;
      const got = planLike(c.args, c.tz);
      equal(got.stdout, c.stdout, label);
      if (c.code === 0) {
        equal(got.code, 0, `${label}: ${got.error}`);
        continue;
      }
      // Sqitch dies at configure time with 255 and a trace; sqlitch exits 2.
      equal(got.code, 2, label);
      const first = c.stderr.split("\n")[0];
      equal(
        first === got.error || first.startsWith(`${got.error} at `),
        true,
        `${label}: ${first}`,
      );
    }
    equal(CASES.length > 100, true);
  },
});

const plan = (template: string, options = {}) =>
  PLAN_ITEMS.map((item) => formatItem(template, item, options) + "\n").join("");

Deno.test("plan medium (default) and oneline, UTC", () => {
  equal(
    plan(PLAN_FORMATS.medium).split("\n\n").slice(0, 4).join("\n\n"),
    [
      "Deploy 64383a1f47fe30ba56f485842754f6e83476ab38",
      "Name:      users",
      "Planner:   Jane Doe <jane@example.com>",
      "Date:      2024-01-02 03:04:05 +0000",
      "",
      "    Creates table to track our users.",
      "",
      "Deploy cbe7665a1fc54e5d22d48a364273ae03e8cb7a78",
      "Name:      b",
      "Planner:   Jane Doe <jane@example.com>",
      "Date:      2024-07-02 15:04:06 +0000",
      "",
      "    Subject line",
      "    ",
      "    Body para 1",
      "    Body line 2",
    ].join("\n"),
  );
  equal(
    plan(PLAN_FORMATS.oneline, { abbrev: 6, color: true }),
    [
      "\x1b[32m64383a deploy\x1b[0m users\x1b[36m\x1b[0m",
      "\x1b[32mcbe766 deploy\x1b[0m b\x1b[36m @t1, @t2\x1b[0m",
      "\x1b[32m360544 deploy\x1b[0m c\x1b[36m\x1b[0m",
      "\x1b[32m18e415 deploy\x1b[0m d\x1b[36m @t3\x1b[0m",
      "\x1b[34mf64ad7 revert\x1b[0m d\x1b[36m\x1b[0m",
      "\x1b[32me413df deploy\x1b[0m e\x1b[36m\x1b[0m",
      "",
    ].join("\n"),
  );
});

Deno.test("plan full: requires, conflicts, tags, empty and CR notes", () => {
  const [, , c, d] = PLAN_ITEMS;
  equal(
    formatItem(PLAN_FORMATS.full, c),
    "Deploy 3605443c4c8afeeef4b5f644ca7faeb20ebff4e9\nName:      c\nProject:   proj\n" +
      "Requires:  users, b, other:y@t3\nConflicts: x\nPlanner:   Bob Q. Public <bob@example.org>\n" +
      "Planned:   2024-12-31 23:59:59 +0000\n\n    \n",
  );
  equal(
    formatItem(PLAN_FORMATS.raw, d),
    "deploy 18e41552bfac5ee9c36239989e2ac0915b94e9d0 (@t3)\nname      d\nproject   proj\n" +
      "conflicts x, z\nplanner   Jane Doe <jane@example.com>\nplanned   2025-03-09T07:30:00Z\n\n" +
      "    line1\r\n    line2\rline3\n\n",
  );
  equal(formatItem(PLAN_FORMATS.short, d).split("\n").at(-2), "    line1");
});

/** Events of a SQLite registry (deploy a, fail b, revert a), newest first. */
const committer = { committerName: "Jane Doe", committerEmail: "jane@example.com" };
const LOG_ITEMS: ItemData[] = [
  {
    event: "revert",
    project: "lp",
    changeId: "14499e29fb99c8d0652c4e03d5a2a01abcf981c5",
    change: "a",
    note: "First change",
    ...none,
    ...jane,
    plannedAt: "2026-11-24 02:43:38",
    ...committer,
    committedAt: "2026-11-24 02:43:39.648",
  },
  {
    event: "fail",
    project: "lp",
    changeId: "1e53cce6146e22cefad3fa8a96a662e9e65e051c",
    change: "b",
    note: "Second\n\nbody",
    tags: ["@v1"],
    requires: ["a"],
    conflicts: [],
    ...jane,
    plannedAt: "2026-11-24 02:43:38",
    ...committer,
    committedAt: "2026-11-24 02:43:39.643",
  },
  {
    event: "deploy",
    project: "lp",
    changeId: "14499e29fb99c8d0652c4e03d5a2a01abcf981c5",
    change: "a",
    note: "First change",
    ...none,
    ...jane,
    plannedAt: "2026-11-24 02:43:38",
    ...committer,
    committedAt: "2026-11-24 02:43:39.632",
  },
];

const log = (template: string, options = {}) =>
  LOG_ITEMS.map((item) => formatItem(template, item, options) + "\n").join("");

Deno.test("log medium, short, oneline (observed with sqitch log on SQLite)", () => {
  equal(
    log(LOG_FORMATS.medium).split("\n").slice(0, 16).join("\n"),
    [
      "Revert 14499e29fb99c8d0652c4e03d5a2a01abcf981c5",
      "Name:      a",
      "Committer: Jane Doe <jane@example.com>",
      "Date:      2026-11-24 02:43:39 +0000",
      "",
      "    First change",
      "",
      "Fail 1e53cce6146e22cefad3fa8a96a662e9e65e051c",
      "Name:      b",
      "Committer: Jane Doe <jane@example.com>",
      "Date:      2026-11-24 02:43:39 +0000",
      "",
      "    Second",
      "    ",
      "    body",
      "",
    ].join("\n"),
  );
  equal(
    log(LOG_FORMATS.short).split("\n").slice(6, 12).join("\n"),
    "Fail 1e53cce6146e22cefad3fa8a96a662e9e65e051c\nName:      b\n" +
      "Committer: Jane Doe <jane@example.com>\n\n    Second\n",
  );
  equal(
    log(LOG_FORMATS.oneline, { color: true }),
    "\x1b[34m14499e29fb99c8d0652c4e03d5a2a01abcf981c5 revert\x1b[0m lp:a First change\n" +
      "\x1b[31m1e53cce6146e22cefad3fa8a96a662e9e65e051c fail\x1b[0m lp:b Second\n" +
      "\x1b[32m14499e29fb99c8d0652c4e03d5a2a01abcf981c5 deploy\x1b[0m lp:a First change\n",
  );
  equal(
    formatItem(
      "%c|%{n}c|%{e}c|%{date}c|%{date:raw}c|%{committer_name}a%{committed_at}a%{planned_at}a|%e|%L|%{:event}C",
      LOG_ITEMS[0],
      { color: true },
    ),
    "Jane Doe <jane@example.com>|Jane Doe|jane@example.com|2026-11-24 02:43:39 +0000|" +
      "2026-11-24T02:43:39Z|committer_name Jane Doe\ncommitted_at 2026-11-24T02:43:39Z\n" +
      "planned_at 2026-11-24T02:43:38Z\n|revert|Revert|\x1b[34m",
  );
});

Deno.test("log full and raw (cli.md §5.11 Postgres examples)", () => {
  const pgRevert: ItemData = {
    event: "revert",
    project: "flipr",
    changeId: "6bb3bac0b94a55164e31e3f510f6ba1f49ab9d7b",
    change: "v1",
    note: "v",
    tags: ["@v1"],
    requires: [],
    conflicts: [],
    plannerName: "root",
    plannerEmail: "root@vm",
    plannedAt: "2026-11-23T23:45:21Z",
    committerName: "root",
    committerEmail: "root@vm",
    committedAt: "2026-11-23T23:48:58Z",
  };
  equal(
    formatItem(LOG_FORMATS.full, pgRevert) + "\n",
    "Revert 6bb3bac0b94a55164e31e3f510f6ba1f49ab9d7b (@v1)\nName:      v1\nProject:   flipr\n" +
      "Planner:   root <root@vm>\nPlanned:   2026-11-23 23:45:21 +0000\n" +
      "Committer: root <root@vm>\nCommitted: 2026-11-23 23:48:58 +0000\n\n    v\n\n",
  );
  const pgDeploy: ItemData = {
    ...pgRevert,
    event: "deploy",
    changeId: "f035871d9f511482b2dd8ace383a7059365582ec",
    change: "flips",
    note: "flips",
    tags: [],
    requires: ["users"],
    plannedAt: "2026-11-23T23:42:18Z",
    committedAt: "2026-11-23T23:42:25Z",
  };
  equal(
    formatItem(LOG_FORMATS.raw, pgDeploy) + "\n",
    "deploy f035871d9f511482b2dd8ace383a7059365582ec\nname      flips\nproject   flipr\n" +
      "requires  users\nplanner   root <root@vm>\nplanned   2026-11-23T23:42:18Z\n" +
      "committer root <root@vm>\ncommitted 2026-11-23T23:42:25Z\n\n    flips\n\n",
  );
});

Deno.test("placeholders: the cli.md §6.2 observed examples", () => {
  const item: ItemData = {
    event: "deploy",
    project: "proj",
    changeId: "97c35d0000000000000000000000000000000000",
    change: "a",
    note: "",
    tags: ["@t1", "@t2"],
    requires: ["a"],
    conflicts: [],
    ...jane,
    plannedAt: "2024-01-02T03:04:05Z",
  };
  equal(formatItem("%t|%{:}t|%T|%{;}T", item), " @t1, @t2| @t1:@t2| (@t1, @t2)| (@t1;@t2)");
  equal(
    formatItem("%20n|%-20n|%.3n|%-8.3o|%5h", item),
    "                   a|a                   |a|pro     |97c35d0000000000000000000000000000000000",
  );
});

Deno.test("placeholders: %F only when the item has a deploy file", () => {
  const item = { ...PLAN_ITEMS[0] };
  throws(() => formatItem("%F", item), /^SqlitchError: Unknown format code "F"$/);
  equal(formatItem("%F", { ...item, deployFile: "deploy/users.sql" }), "deploy/users.sql");
  equal(
    formatItem("%{deploy_file}a", { ...item, deployFile: "deploy/users.sql" }),
    "deploy_file deploy/users.sql\n",
  );
});

Deno.test("placeholders: dates in other zones and missing committer", () => {
  const item = PLAN_ITEMS[0];
  equal(formatItem("%{date:iso}p", item, { zone: UTC_ZONE }), "2024-01-02 03:04:05 +0000");
  equal(formatItem("[%c]", item), "[ <>]");
  throws(
    () => formatItem("%{date}c", item),
    /^SqlitchError: Can't call method "as_string" on an undefined value$/,
  );
});

Deno.test("placeholders: error messages", () => {
  const cases: [string, string][] = [
    ["%q", 'Unknown format code "q"'],
    ["%5%", 'Unknown format code "%"'],
    ["%{x]", 'Unknown format code "{"'],
    ["%_", "No label passed to the _ format"],
    ["%{}_", 'Unknown label "" passed to the _ format'],
    ["%a", "{attr} is not a valid change attribute"],
    ["%{constructor}a", "constructor is not a valid change attribute"],
    ["%C", "{color} is not a valid ANSI color"],
    ["%{}C", " is not a valid ANSI color"],
    ["%{date:Full}p", 'Unknown date format "Full"'],
  ];
  for (const [template, message] of cases) {
    throws(() => formatItem(template, PLAN_ITEMS[0]), (e: unknown) => {
      equal((e as SqlitchError).message, message, template);
      equal((e as SqlitchError).exitCode, 2);
      return true;
    });
  }
  // Literal percent signs.
  equal(formatItem("100%% % x %", PLAN_ITEMS[0]), "100% % x %");
});

Deno.test("compiled templates: errors on every item, each template its own, in order", () => {
  const f = new ItemFormatter();
  const committed = {
    ...PLAN_ITEMS[0],
    committerName: "Bob",
    committerEmail: "b@x",
    committedAt: "2026-11-23T23:34:57Z",
  };
  const message = (template: string, item: ItemData) => {
    try {
      return `ok ${f.format(template, item)}`;
    } catch (e) {
      return (e as SqlitchError).message;
    }
  };
  for (let i = 0; i < 2; i++) {
    equal(message("%n%{bogus}C", PLAN_ITEMS[0]), "bogus is not a valid ANSI color");
    equal(message("%n%{x}_%q", PLAN_ITEMS[0]), 'Unknown label "x" passed to the _ format');
    equal(message("%n%{bogus}C", PLAN_ITEMS[1]), "bogus is not a valid ANSI color");
  }
  // An item-dependent error before a fixed one comes first, and only for items that cause it.
  const t = "%{date}c%{name}_%{x}_";
  equal(message(t, PLAN_ITEMS[0]), `Can't call method "as_string" on an undefined value`);
  equal(message(t, committed), 'Unknown label "x" passed to the _ format');
  equal(message("%{x}_%{date}c", PLAN_ITEMS[0]), 'Unknown label "x" passed to the _ format');
  equal(message("%{date:bogus}c", PLAN_ITEMS[0]), message(t, PLAN_ITEMS[0]));
  equal(message("%{date:bogus}c", committed), 'Unknown date format "bogus"');
  equal(message("%F|%{deploy_file}a", PLAN_ITEMS[0]), 'Unknown format code "F"');
  equal(
    message("%F|%{deploy_file}a", { ...PLAN_ITEMS[0], deployFile: "d.sql" }),
    "ok d.sql|deploy_file d.sql\n",
  );
});

Deno.test("compiled templates: per formatter options, fresh values per item", () => {
  const template = "%{:event}C%{red}C%h|%{date}p|%{date:raw}p|%5.2{name}_|%%";
  const plain = new ItemFormatter({ abbrev: 4 });
  const coloured = new ItemFormatter({ color: true, dateFormat: "rfc" });
  const [a, b] = PLAN_ITEMS;
  for (let i = 0; i < 2; i++) {
    equal(
      plain.format(template, a),
      "6438|2024-01-02 03:04:05 +0000|2024-01-02T03:04:05Z|   Na|%",
    );
    equal(
      plain.format(template, b),
      "cbe7|2024-07-02 15:04:06 +0000|2024-07-02T15:04:06Z|   Na|%",
    );
    equal(
      coloured.format(template, { ...a, event: "revert" }),
      "\x1b[34m\x1b[31m64383a1f47fe30ba56f485842754f6e83476ab38|" +
        "Tue, 02 Jan 2024 03:04:05 -0000|2024-01-02T03:04:05Z|   Na|%",
    );
    equal(coloured.format("%{:event}C", { ...a, event: "fail" }), "\x1b[31m");
    equal(coloured.format("%{:event}C", a), "\x1b[32m");
  }
});

Deno.test("resolveItemFormat: names, format:, Perl-false values, errors", () => {
  equal(resolveItemFormat("plan", "oneline"), PLAN_FORMATS.oneline);
  equal(resolveItemFormat("log", "oneline"), LOG_FORMATS.oneline);
  equal(resolveItemFormat("plan", "format:%n format:%o"), "%n format:%o");
  equal(resolveItemFormat("plan", ""), "");
  equal(resolveItemFormat("plan", "0"), "0");
  throws(() => resolveItemFormat("plan", "bogus"), /^SqlitchError: Unknown plan format "bogus"$/);
  throws(() => resolveItemFormat("log", "Medium"), /^SqlitchError: Unknown log format "Medium"$/);
});

Deno.test("searchPlanItems: window of positions, OR-ed filters", () => {
  const names = (items: ItemData[]) => items.map((i) => `${i.event[0]}${i.change}`);
  deepEqual(names(searchPlanItems(PLAN_ITEMS, {})), ["dusers", "db", "dc", "dd", "rd", "de"]);
  deepEqual(names(searchPlanItems(PLAN_ITEMS, { offset: 1, limit: 3 })), ["db", "dc", "dd"]);
  deepEqual(names(searchPlanItems(PLAN_ITEMS, { reverse: true, limit: 2 })), ["de", "rd"]);
  deepEqual(names(searchPlanItems(PLAN_ITEMS, { event: "REVERT" })), ["rd"]);
  // Any filter may match: event revert OR planner Bob.
  deepEqual(names(searchPlanItems(PLAN_ITEMS, { event: "revert", planner: /Bob/ })), ["dc", "rd"]);
  // The window is taken before filtering.
  deepEqual(names(searchPlanItems(PLAN_ITEMS, { change: /^d$/, limit: 4 })), ["dd"]);
  throws(
    () => searchPlanItems(PLAN_ITEMS, { event: "Bogus" }),
    /^SqlitchError: Unknown change operation "bogus"$/,
  );
});

Deno.test("selectPlanItems: AND-ed filters, offset and limit count matches", () => {
  const names = (items: ItemData[]) => items.map((i) => `${i.event[0]}${i.change}`);
  deepEqual(names(selectPlanItems(PLAN_ITEMS, {})), ["dusers", "db", "dc", "dd", "rd", "de"]);
  deepEqual(names(selectPlanItems(PLAN_ITEMS, { offset: 1, limit: 3 })), ["db", "dc", "dd"]);
  deepEqual(names(selectPlanItems(PLAN_ITEMS, { reverse: true, limit: 2 })), ["de", "rd"]);
  deepEqual(names(selectPlanItems(PLAN_ITEMS, { event: "REVERT" })), ["rd"]);
  // Every filter must match: event revert AND planner Bob.
  deepEqual(names(selectPlanItems(PLAN_ITEMS, { event: "revert", planner: /Bob/ })), []);
  deepEqual(names(selectPlanItems(PLAN_ITEMS, { event: "deploy", change: /^d/ })), ["dd"]);
  // The window applies to the matches.
  deepEqual(names(selectPlanItems(PLAN_ITEMS, { change: /^d$/, limit: 4 })), ["dd", "rd"]);
  deepEqual(names(selectPlanItems(PLAN_ITEMS, { change: /^[bcd]$/, offset: 1, limit: 2 })), [
    "dc",
    "dd",
  ]);
  deepEqual(
    names(selectPlanItems(PLAN_ITEMS, { change: /^[bcd]$/, reverse: true, offset: 1 })),
    ["dd", "dc", "db"],
  );
  deepEqual(names(selectPlanItems(PLAN_ITEMS, { offset: -3, limit: 1 })), ["dusers"]);
  throws(
    () => selectPlanItems(PLAN_ITEMS, { event: "Bogus" }),
    /^SqlitchError: Unknown change operation "bogus"$/,
  );
});
