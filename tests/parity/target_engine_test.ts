/**
 * Parity of `sqitch target` and `sqitch engine` (cli.md §5.7, §5.10,
 * §5.19; targets-and-uris.md §6) with real Sqitch: every action and
 * option, list/-v, show blocks (variables, passwords), the config text
 * written, plan files and script directories created, and the errors.
 *
 * Sqitch writes the properties of one add/alter in Perl hash order, which
 * changes from run to run; scenarios that write several properties at once
 * compare config files with each run of indented lines sorted
 * (`sortedProperties`), the others compare them byte for byte.
 */
import { parityTests, type Scenario, type Step } from "./kit.ts";

/** A project as `sqitch init flipr --engine sqlite --uri …` leaves it, minus the directories. */
const INIT_CONF = [
  "[core]",
  "\tengine = sqlite",
  "\t# plan_file = sqitch.plan",
  "\t# top_dir = .",
  '# [engine "sqlite"]',
  "\t# target = db:sqlite:",
  "\t# registry = sqitch",
  "\t# client = sqlite3",
  "",
].join("\n");
const PLAN = "%syntax-version=1.0.0\n%project=flipr\n%uri=https://example.com/flipr\n\n";
const PROJECT = { "sqitch.conf": INIT_CONF, "sqitch.plan": PLAN };

/** A plain sqlite project with a few changes in its plan. */
const CONF = "[core]\n\tengine = sqlite\n";
const PLAN_WITH_CHANGES = "%syntax-version=1.0.0\n%project=widgets\n\n" +
  "users 2026-01-01T00:00:00Z Ann <ann@example.com> # Users.\n";

/** Sort each run of tab-indented lines (property order is random in Sqitch). */
function sortedProperties(text: string): string {
  const lines = text.split("\n");
  const out: string[] = [];
  let run: string[] = [];
  for (const line of lines) {
    if (line.startsWith("\t")) {
      run.push(line);
      continue;
    }
    out.push(...run.sort(), line);
    run = [];
  }
  out.push(...run.sort());
  return out.join("\n");
}

/** A step where Sqitch dies outside its error handler (exit 255 + Perl trace); sqlitch: message, exit 2. */
function dies(argv: string, message: string): Step {
  const escaped = message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return {
    argv,
    expectSqitch: { code: 255, stderr: new RegExp(`^${escaped}\n`) },
    expectSqlitch: { code: 2, stderr: `${message}\n` },
  };
}

const scenarios: Scenario[] = [
  // --- target list / add / show ----------------------------------------
  {
    name: "target: list with no targets, add, list, list -v, show",
    files: PROJECT,
    steps: [
      "target",
      "target list",
      "-v target",
      "target add prod db:pg://admin:s3cret@db.example.com:5433/proddb",
      "target add dev sqlite:dev.db",
      "target",
      "target list -v",
      "--verbose target",
      "-vv target list",
      "--quiet -v target",
      "target show prod",
      "target show dev prod",
      "target show",
    ],
  },
  {
    name: "target: add stores URIs as URI::db->new(uri, 'db:') prints them",
    files: PROJECT,
    steps: [
      "target add a sqlite:foo.db",
      "target add b pg://host/db",
      "target add c http://x",
      "target add d db:nosuch:x",
      "target add e 'db:pg://h/a b'",
      "target add f DB:PG:x",
      "target add g db:postgres://User@HOST:5432/x?sslmode=require",
      "-v target",
    ],
  },
  {
    name: "target: add --registry, --client and --extension (one each)",
    files: PROJECT,
    steps: [
      "target add r db:pg:r --registry myreg",
      "target add c db:mysql:c --client /opt/mysql",
      "target add x db:sqlite:x.db --extension ddl",
      "target show r c x",
    ],
  },
  {
    name: "target: add --plan-file creates the plan (and its directory)",
    files: PROJECT,
    steps: [
      "target add p db:pg:p --plan-file p.plan",
      "target add q db:pg:q -f sub/dir/./q.plan",
      "target add s db:pg:s --plan-file ./sub/dir/q.plan",
      "target show p q s",
    ],
  },
  {
    name: "target: add --top-dir creates top/deploy etc. and top/sqitch.plan",
    files: PROJECT,
    steps: [
      "target add t db:pg:t --top-dir top/",
      "target add u db:pg:u --top-dir ./top",
      "target show t",
    ],
  },
  {
    name: "target: add --dir deploy=… creates that directory",
    files: PROJECT,
    steps: [
      "target add d db:pg:d --dir deploy=scripts/deploy/",
      "target add v db:pg:v -d verify=checks",
      "target add rw db:pg:rw --dir reworked=old",
      "target add rd db:pg:rd --dir reworked_revert=old/undo",
      "target show d rw rd",
    ],
  },
  {
    name: "target: --top-dir wins over --dir deploy=… for directory creation (Sqitch quirk)",
    files: PROJECT,
    normalize: sortedProperties,
    steps: [
      "target add dev db:pg:dev --top-dir devtop --dir deploy=devtop/d --dir reworked_verify=rv",
      "target show dev",
    ],
  },
  {
    name: "target: add with every property at once (compared order-insensitively)",
    files: PROJECT,
    normalize: sortedProperties,
    steps: [
      "target add dev db:pg:dev --registry myreg --client /opt/psql --plan-file dev.plan " +
      "--top-dir devtop --extension ddl --dir deploy=devtop/d -s v1=x -s v2=y",
      "target show dev",
      "target alter dev --registry newreg -s v3=z -s v1=again --dir revert=devtop/r",
      "target show dev",
    ],
  },
  {
    name: "target: --set variables and show merges engine and target variables",
    files: {
      "sqitch.conf": CONF +
        '[engine "pg"]\n\ttarget = db:pg:\n[engine "pg.variables"]\n\tshared = engine\n' +
        "\tonly_engine = e\n\tBeta = B\n",
      "sqitch.plan": PLAN,
    },
    steps: [
      "target add one db:pg:one -s shared=target",
      "target add two db:pg:two --set zeta=last",
      "target alter two -s Alpha=1",
      "target alter two -s a_longer_name=2",
      "target show one two",
      "engine show pg",
    ],
  },
  {
    name: "target: show passwords, ports, query strings and oracle's empty registry",
    files: {
      "sqitch.conf": CONF +
        '[target "pw"]\n\turi = db:pg://u:p%40ss@h:5433/d?sslmode=require\n' +
        '[target "ora"]\n\turi = db:oracle://scott:tiger@db/orcl\n' +
        '[target "my"]\n\turi = db:mysql://root@127.0.0.1/flipr\n\tregistry = reg\n',
      "sqitch.plan": PLAN,
    },
    steps: ["target show pw ora my", "-v target", "target show db:sqlite:x.db"],
  },
  {
    name: "target: show of unknown targets and URIs without engines",
    files: PROJECT,
    steps: [
      { argv: "target show nosuch", sqitchCode: 2 },
      "target add ok db:pg:ok",
      { argv: "target show ok nosuch", sqitchCode: 2 },
      "target add noeng db:",
      { argv: "target show noeng", sqitchCode: 2 },
    ],
  },
  {
    name: "target: show of a target with an unknown engine (HEAD's message, no trace)",
    files: PROJECT,
    steps: [
      "target add bad db:nosuch:foo",
      {
        argv: "target show bad",
        expectSqitch: { code: 2, stderr: /^Unable to load App::Sqitch::Engine::nosuch\n/ },
        expectSqlitch: { stderr: "Unknown engine: nosuch\n" },
      },
    ],
  },
  {
    name: "target: add errors (exists, missing arguments)",
    files: PROJECT,
    steps: [
      "target add dup db:pg:dup",
      { argv: "target add dup db:pg:other", sqitchCode: 2 },
      { argv: "target add", sqitchCode: 2 },
      { argv: "target add onlyname", sqitchCode: 2 },
      { argv: "target add '' db:pg:x", sqitchCode: 2 },
    ],
  },
  {
    name: "target: add without a project plan fails after writing the config",
    files: { "sqitch.conf": CONF },
    steps: [
      { argv: "target add x db:pg:x", sqitchCode: 2 },
      { argv: "target add y db:pg:y --plan-file y/y.plan", sqitchCode: 2 },
    ],
  },
  {
    name: "target: add in a project without core.engine writes, then fails",
    files: { "sqitch.conf": "[user]\n\tname = x\n", "sqitch.plan": PLAN },
    steps: [{ argv: "target add x db:pg:x", sqitchCode: 2 }, "target"],
  },
  {
    name: "target: add reads %project and %uri from the default plan (canonical URI)",
    files: {
      "sqitch.conf": CONF,
      "sqitch.plan": "%syntax-version=0.9\n# comment\n%project=proj # note\n" +
        "%uri=HTTP://Example.COM:80/a\n%other\n\nfoo 2020-01-01T00:00:00Z A <a@b>\n",
    },
    steps: ["target add z db:pg:z --plan-file z.plan", "target add n db:pg:n -f n/n.plan"],
  },
  {
    name: "target: the default plan without %uri, and a target plan elsewhere",
    files: {
      "sqitch.conf": CONF + "\tplan_file = main.plan\n",
      "main.plan": PLAN_WITH_CHANGES,
    },
    steps: ["target add w db:pg:w --plan-file w.plan", "target show w"],
  },
  {
    // Steps 5-7 name directories that cannot be created: Sqitch writes the target, then
    // fails; sqlitch fails before writing (tests/cli/errors_test.ts), so trees differ.
    name: "target: existing plan files must belong to the project",
    files: {
      ...PROJECT,
      "other.plan": "%project=other\n\n",
      "bad.plan": "garbage\n",
      "adir/x": "",
      "afile": "hi\n",
      "same.plan": "%project=flipr\n\n",
    },
    steps: [
      { argv: "target add a db:pg:a --plan-file other.plan", sqitchCode: 2 },
      { argv: "target add b db:pg:b --plan-file adir", sqitchCode: 2 },
      { argv: "target add c db:pg:c --plan-file bad.plan", sqitchCode: 2 },
      { argv: "target add d db:pg:d --plan-file same.plan", sqitchCode: 0 },
      { argv: "target add e db:pg:e --plan-file afile/x.plan", sqitchCode: 2, compareTree: false },
      { argv: "target add f db:pg:f --top-dir afile/sub", sqitchCode: 2, compareTree: false },
      { argv: "target add g db:pg:g --dir deploy=afile/d", sqitchCode: 2, compareTree: false },
    ],
  },
  {
    name: "target: --quiet suppresses the Created lines",
    files: { "sqitch.conf": CONF, "sqitch.plan": PLAN },
    normalize: sortedProperties,
    steps: ["--quiet target add q db:pg:q --plan-file q/q.plan --top-dir qtop", "target show q"],
  },
  {
    name: "target: empty and false option values are written as given",
    files: PROJECT,
    normalize: sortedProperties,
    steps: [
      "target add x db:pg:x --plan-file '' --top-dir 0",
      "target add y db:pg:y --registry '' --extension 0",
      "target show x y",
    ],
  },
  // --- target alter ------------------------------------------------------
  {
    name: "target: alter properties in place, and errors for missing targets",
    files: PROJECT,
    steps: [
      "target add t1 db:pg:t1 --registry r1",
      "target alter t1 --registry r2",
      "target alter t1 -s x=y",
      "target alter t1 -s x=z",
      "target alter t1 --client /usr/bin/psql",
      "target alter t1",
      "target alter t1 --dir verify=tests",
      { argv: "target alter nosuch", sqitchCode: 2 },
      { argv: "target alter nosuch --uri db:pg:z", sqitchCode: 2 },
      { argv: "target alter", sqitchCode: 2 },
      "target show t1",
    ],
  },
  {
    name: "target: alter --uri",
    files: PROJECT,
    steps: [
      "target add t1 db:pg:t1",
      "target alter t1 --uri db:pg:x",
      "target alter t1 --uri db:postgres://h/x",
      "target alter t1 --uri 'DB:PG:a b'",
      "-v target",
      "target alter t1 --uri ''",
      "target alter t1 --uri db:pg:back",
      "target show t1",
    ],
  },
  {
    name: "target: --uri validation (Sqitch dies with a trace)",
    files: { ...PROJECT, "sqitch.conf": CONF + '[target "t1"]\n\turi = db:pg:t1\n' },
    steps: [
      dies("target alter t1 --uri foo", 'URI "foo" is not a database URI'),
      dies("target alter t1 --uri http://x", 'URI "http://x" is not a database URI'),
      dies("target alter t1 --uri 'a b'", 'URI "a%20b" is not a database URI'),
      dies("target alter t1 --uri pg:x", 'URI "pg:x" is not a database URI'),
      dies("target alter t1 --uri db:", 'No database engine in URI "db:"'),
      dies(
        "target add t2 db:pg:t2 --uri db:nosuch:x",
        'Unknown engine "nosuch" in URI "db:nosuch:x"',
      ),
      dies("target bogus --uri db:", 'No database engine in URI "db:"'),
      "target",
    ],
  },
  // --- target remove / rename ------------------------------------------
  {
    name: "target: rename and remove move both sections",
    files: {
      "sqitch.conf": INIT_CONF + '[target "a"]\n\turi = db:pg:a\n[other]\n\tk = v\n' +
        '[target "a.variables"]\n\tx = 1\n[target "a"]\n\tregistry = r\n',
      "sqitch.plan": PLAN,
    },
    steps: [
      "target rename a b",
      "target show b",
      "target add c db:pg:c",
      "target rm c",
      "target remove b",
      "target",
    ],
  },
  {
    name: "target: remove and rename errors (unknown, referenced, usage)",
    files: {
      "sqitch.conf": CONF + "\ttarget = t1\n" +
        '[target "t1"]\n\turi = db:pg:t1\n[target "t2"]\n\turi = db:pg:t2\n' +
        '[engine "pg"]\n\ttarget = t2\n[engine "mysql"]\n\ttarget = t2\n',
      "sqitch.plan": PLAN,
    },
    steps: [
      { argv: "target rm t1", sqitchCode: 2 },
      { argv: "target rename t2 t3", sqitchCode: 2 },
      { argv: "target remove nosuch", sqitchCode: 2 },
      { argv: "target rename nosuch other", sqitchCode: 2 },
      { argv: "target rename t1", sqitchCode: 2 },
      { argv: "target rm", sqitchCode: 2 },
    ],
  },
  {
    name: "target: remove without a project file does nothing",
    steps: ["target rm foo", "target rename a b", "target"],
  },
  // --- target usage -------------------------------------------------------
  {
    name: "target: unknown actions, bad options and --dir names",
    files: PROJECT,
    steps: [
      { argv: "target bogus", sqitchCode: 2 },
      { argv: "target foo-bar", sqitchCode: 2 },
      { argv: "target Add x db:pg:x", sqitchCode: 2 },
      { argv: "target add x db:pg:x --nosuch", sqitchCode: 2 },
      { argv: "target add x db:pg:x -s novalue", sqitchCode: 2 },
      { argv: "target add x db:pg:x --registry", sqitchCode: 2 },
      dies("target add x db:pg:x --dir bogus=x", "Unknown directory name: bogus"),
      dies("target add x db:pg:x -d b=1 -d a=2 -d deploy=d", "Unknown directory names: a, b"),
      "target ''",
      "target 0",
    ],
  },
  // --- engine -------------------------------------------------------------
  {
    name: "engine: list, add, list -v, show",
    files: PROJECT,
    steps: [
      "engine",
      "engine add pg",
      "engine add mysql db:mysql://root@localhost/flipr",
      "engine add sqlite sqlite:my.db",
      "engine",
      "-v engine list",
      "--quiet -v engine",
      "engine show pg",
      "engine show mysql sqlite",
      "engine show",
    ],
  },
  {
    name: "engine: add errors (unknown engine, exists, target checks, usage)",
    files: { ...PROJECT, "sqitch.conf": INIT_CONF + '[target "t1"]\n\turi = db:pg:t1\n' },
    steps: [
      "engine add pg",
      { argv: "engine add pg", sqitchCode: 2 },
      { argv: "engine add bogus", sqitchCode: 2 },
      { argv: "engine add mysql sqlite:foo", sqitchCode: 2 },
      { argv: "engine add mysql nosuch", sqitchCode: 2 },
      { argv: "engine add mysql --target pg:x", sqitchCode: 2 },
      {
        // Sqitch also prints Perl's "Use of uninitialized value" warning first.
        argv: "engine add mysql db:",
        expectSqitch: {
          code: 2,
          stderr: /^Use of uninitialized value .*\nCannot assign URI using engine "\{new\}"/,
        },
        expectSqlitch: { stderr: 'Cannot assign URI using engine "{new}" to engine "mysql"\n' },
      },
      // A target name is not checked against the engine.
      "engine add mysql t1",
      { argv: "engine add", sqitchCode: 2 },
      { argv: "engine rename pg x", sqitchCode: 2 },
      { argv: "engine bogus", sqitchCode: 2 },
    ],
  },
  {
    name: "engine: add with a target name, and --target stored as typed (Sqitch quirk)",
    files: { ...PROJECT, "sqitch.conf": CONF + '[target "t1"]\n\turi = db:pg:t1\n' },
    steps: [
      "engine add pg t1 -s a=b",
      "engine add mysql --target mysql:x",
      "engine add vertica vertica:xx --target vertica:yy",
      "-v engine",
      "engine show pg mysql",
    ],
  },
  {
    name: "engine: add uses the new engine's target for the plan and directories",
    files: {
      "sqitch.conf": CONF + '[engine "pg"]\n\ttarget = db:pg:\n\tplan_file = pg/pg.plan\n',
      "sqitch.plan": PLAN,
    },
    steps: [
      "engine add mysql --top-dir my",
      "engine add oracle --plan-file ora/ora.plan",
      "engine add firebird --dir deploy=fb/deploy",
    ],
  },
  {
    name: "engine: add with core.target set builds the target from core.target (Sqitch quirk)",
    files: {
      "sqitch.conf": CONF + "\ttarget = t1\n" +
        '[target "t1"]\n\turi = db:pg:t1\n\tplan_file = t1.plan\n\ttop_dir = t1\n',
      "t1.plan": PLAN,
    },
    steps: ["engine add mysql", "engine add vertica db:vertica:v"],
  },
  {
    name: "engine: add with --top-dir and --plan-file (order-insensitive config)",
    files: PROJECT,
    normalize: sortedProperties,
    steps: [
      "engine add sqlite db:sqlite:my.db --registry reg --client /usr/bin/sqlite3 " +
      "--top-dir sq --plan-file sq/sqlite.plan -s a=1 --extension ddl",
      "engine show sqlite",
    ],
  },
  {
    name: "engine: alter",
    files: { ...PROJECT, "sqitch.conf": INIT_CONF + '[target "t1"]\n\turi = db:mysql:t1\n' },
    steps: [
      "engine add mysql",
      "engine alter mysql --target maria://h/db",
      "engine alter mysql --target t1",
      "engine alter mysql --registry reg",
      "engine alter mysql -s v=1",
      "engine alter mysql --dir revert=undo",
      "engine alter mysql",
      { argv: "engine alter mysql --target pg:x", sqitchCode: 2 },
      { argv: "engine alter mysql --target nosuch", sqitchCode: 2 },
      { argv: "engine alter oracle", sqitchCode: 2 },
      { argv: "engine alter oracle --target foo", sqitchCode: 2 },
      { argv: "engine alter bogus", sqitchCode: 2 },
      { argv: "engine alter", sqitchCode: 2 },
      "engine show mysql",
    ],
  },
  {
    name: "engine: remove and rm",
    files: {
      "sqitch.conf": INIT_CONF +
        '[engine "pg"]\n\ttarget = db:pg:\n[engine "pg.variables"]\n\tx = 1\n' +
        '[engine "mysql"]\n\ttarget = db:mysql:\n\tregistry = r\n',
      "sqitch.plan": PLAN,
    },
    steps: [
      "engine rm pg",
      "engine remove mysql",
      { argv: "engine remove oracle", sqitchCode: 2 },
      { argv: "engine rm", sqitchCode: 2 },
      { argv: "engine remove bogus", sqitchCode: 2 },
      "engine",
    ],
  },
  {
    name: "engine: show of an engine without a target uses db:<engine>: (Sqitch 1.3.1 bug)",
    files: PROJECT,
    steps: [
      {
        argv: "engine show sqlite",
        expectSqitch: {
          code: 2,
          stdout: "",
          stderr: 'No engine specified by URI db:sqlite; URI must start with "db:$engine:"\n',
        },
        expectSqlitch: {
          code: 0,
          stdout: /^\* sqlite\n {4}Target: {8}db:sqlite:\n/,
          stderr: "",
        },
      },
    ],
  },
  {
    name: "engine: bad options and --dir names",
    files: PROJECT,
    steps: [
      { argv: "engine add pg --uri db:pg:", sqitchCode: 2 },
      { argv: "engine add pg --target", sqitchCode: 2 },
      dies("engine add pg --dir nope=x", "Unknown directory name: nope"),
    ],
  },
  {
    name: "engine: HEAD engines (cockroach) are accepted by sqlitch",
    files: PROJECT,
    steps: [
      {
        argv: "engine add cockroach",
        compareTree: false,
        expectSqitch: { code: 2, stderr: 'Unknown engine "cockroach"\n' },
        expectSqlitch: {
          code: 0,
          stdout: "Created deploy/\nCreated revert/\nCreated verify/\n",
          stderr: "",
        },
      },
    ],
  },
  // --- config files ------------------------------------------------------
  {
    name: "target and engine write to $SQITCH_CONFIG and read the user config",
    files: { "alt.conf": CONF, "sqitch.plan": PLAN },
    userConfig: '[user]\n\tname = Parity Tester\n[target "usertarget"]\n\turi = db:pg:user\n',
    env: { SQITCH_CONFIG: "alt.conf" },
    steps: [
      "target",
      "target add local db:pg:local",
      "engine add pg usertarget",
      "-v target",
      "-v engine",
      "target show usertarget",
      { argv: "target rm usertarget", sqitchCode: 2 },
      "target alter usertarget --registry r",
    ],
  },
];

parityTests(scenarios);

/** Plan headers the default target's plan may have, and what Sqitch makes of them. */
const HEADERS: Record<string, string> = {
  a: "%project=p1\n#\n",
  b: "# \n%project=p2\n",
  c: "#0\n%project=p3\n",
  d: "  %  project  =  p4  # note\n",
  e: "%project=bad@name\n",
  f: "%project=p6\r\n%uri=http://X.com\r\n\r\n",
  g: "%project=p7\n%project=p8\n\n",
  h: "%uri=urn:ISBN:1\n%project=p9\n",
  i: "%project=p10\n%uri=0\n",
  j: "%project=p11\n%uri\n",
  k: "%project = p12\nbody line\n",
  l: "%project=p13",
  m: "# a comment\n%syntax-version\n%project=p14\n%  \n",
  n: "",
  o: "%project=p15 # trailing note\n%uri=https://example.com/ # note\n\n",
};

parityTests([
  {
    name: "target: reading the default plan's header (pragmas, notes, errors)",
    files: Object.fromEntries(
      Object.entries(HEADERS).flatMap(([k, text]) => [
        [`${k}.plan`, text],
        [`${k}.conf`, `[core]\n\tengine = pg\n\tplan_file = ${k}.plan\n`],
      ]),
    ),
    steps: Object.keys(HEADERS).map((k) => ({
      argv: `target add t${k} db:pg:${k} --plan-file t${k}.plan`,
      env: { SQITCH_CONFIG: `${k}.conf` },
    })),
  },
  {
    // Sqitch parses the whole default plan and ignores one whose body has errors.
    name: "target: a default plan with a bad body is not a plan source",
    files: {
      "sqitch.conf": "[core]\n\tengine = pg\n",
      "sqitch.plan": "%project=pz\n\nbad!!\n",
    },
    steps: [{
      argv: "target add x db:pg:x --plan-file x.plan",
      compareTree: false,
      expectSqitch: { code: 2, stdout: "", stderr: "Missing %project pragma in x.plan\n" },
    }],
  },
  {
    name: "target: the plan source falls back to the target's own plan",
    files: {
      "sqitch.conf": "[core]\n\tengine = pg\n",
      "own.plan": "%project=own\n%uri=https://own.example/\n\n",
    },
    steps: ["target add x db:pg:x --plan-file own.plan", "target add y db:pg:y --top-dir y"],
  },
  {
    name: "target: a default target that cannot be built stops add after the write",
    files: { "sqitch.conf": "[core]\n\tengine = pg\n\ttarget = nosuch\n", "sqitch.plan": PLAN },
    steps: [{ argv: "target add x db:pg:x", sqitchCode: 2 }, "target"],
  },
]);
