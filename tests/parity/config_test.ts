/**
 * Parity of `sqitch config` (config.md §4, cli.md §5.5) with real Sqitch:
 * every action and file option, multi-valued keys, value regexes, casting,
 * byte-exact edits of existing files, the editor, and the usage errors.
 */
import { parityTests, type Scenario } from "./kit.ts";

/** A local file with comments, blank lines and repeated sections (config.md §3.2). */
const COMMENTED = [
  "# top comment",
  "[core]",
  "\tengine = pg   ; trailing comment",
  "\t# a comment",
  "",
  "[other]",
  "\tx = 1",
  "[core]",
  "\ttop_dir = .",
  "# trailing comment",
  "[last]",
  "\tk = v",
  "",
].join("\n");

/** Three scopes defining overlapping keys. */
const SYSTEM = "[core]\n\tengine = oracle\n\tregistry = sysreg\n[p]\n\tm = s1\n";
const USER = "[user]\n\tname = Parity Tester\n[core]\n\tengine = mysql\n[p]\n\tm = u1\n\tm = u2\n";
const LOCAL = "[core]\n\tengine = pg\n";

/** Multi-valued key fixture. */
const MULTI = '[core]\n\tengine = pg\n[core "fuzzle"]\n\tclack = foo\n\tclack = bar\n' +
  "\tclack = barzle\n";

const scenarios: Scenario[] = [
  // --- set and get ------------------------------------------------------
  {
    name: "config: set creates ./sqitch.conf, get reads it back",
    steps: [
      "config core.engine pg",
      "config core.engine",
      "config --get core.engine",
      "config core.engine sqlite",
      "config core.engine",
      "config --list",
    ],
  },
  {
    name: "config: missing keys exit 1 with a lone newline (nothing with --quiet)",
    files: { "sqitch.conf": LOCAL },
    steps: [
      "config core.nope",
      "config --get nosuch.key",
      "config --quiet core.nope",
      "config --get-all core.nope",
      "config --get-regexp ^nosuch",
      "--quiet config --get-regexp ^nosuch",
    ],
  },
  {
    name: "config: a bare key is missing for get, 1 with --bool, bare in --list",
    files: { "sqitch.conf": "[a]\n\tnovalue\n\tempty =\n" },
    steps: [
      "config a.novalue",
      "config --bool a.novalue",
      "config a.empty",
      "config --bool a.empty",
      "config --list",
      "config --get-regexp ^a",
      "config --bool --get-regexp novalue",
    ],
  },
  {
    name: "config: section and variable are case-insensitive, subsections are not",
    steps: [
      "config Sub.Sec.Key v",
      "config sub.Sec.key",
      "config SUB.Sec.KEY",
      "config sub.sec.key",
      "config Sub.Sec.Other w",
      "config sub.Sec.KEY changed",
      "config --list",
    ],
  },
  {
    name: "config: keys split at the last dot for the name, first for the section",
    steps: [
      "config a.b.c.d one",
      "config target.dev.variables.v1 two",
      ["config", 'sec.sub"q.key', "three"],
      "config --list",
      "config a.b.c.d",
      "config target.dev.variables.v1",
    ],
  },
  {
    name: "config: invalid keys and names",
    steps: [
      "config foo",
      "config foo bar",
      "config 'a b.c' v",
      "config 'a.b=c' v",
      "config 'a.b+' v",
      "config --unset nosection",
      "config --list",
    ],
  },
  // --- multiple values -----------------------------------------------------
  {
    name: "config: --add builds a multi-valued key; get refuses it; --get-all lists it",
    steps: [
      "config --add core.fuzzle.clack foo",
      "config --add core.fuzzle.clack bar",
      "config --add core.fuzzle.clack barzle",
      "config core.fuzzle.clack",
      "config --get-all core.fuzzle.clack",
      "config --get-all core.fuzzle.clack ^bar",
      "config --get core.fuzzle.clack ^f",
      "config --get core.fuzzle.clack zzz",
      "config --list",
    ],
  },
  {
    name: "config: set with a value regex replaces the first match or adds a value",
    files: { "sqitch.conf": MULTI },
    steps: [
      "config core.fuzzle.clack hi",
      "config core.fuzzle.clack hi ^foo$",
      "config core.fuzzle.clack yo ^bar",
      "config core.fuzzle.clack new nomatch",
      "config --get-all core.fuzzle.clack",
    ],
  },
  {
    name: "config: --replace-all with and without a value regex, with ! negation",
    files: { "sqitch.conf": MULTI + "[x]\n\ty = 1\n" },
    steps: [
      "config --replace-all core.fuzzle.clack yow !bar",
      "config --get-all core.fuzzle.clack",
      "config --replace-all core.fuzzle.clack all",
      "config --get-all core.fuzzle.clack",
      "config --replace-all core.fuzzle.clack more nomatch",
      "config --replace-all brand.new key",
      "config --get-all core.fuzzle.clack",
    ],
  },
  {
    name: "config: ! alone matches nothing; ! negation keeps bare values",
    files: { "sqitch.conf": MULTI },
    steps: [
      "config --get-all core.fuzzle.clack !",
      "config --get-all core.fuzzle.clack !bar",
      "config --get-regexp fuzzle !",
      "config --get-regexp fuzzle !^foo",
      "config --get-regexp fuzzle !z",
      "config core.fuzzle.clack x !",
      "config --get-all core.fuzzle.clack",
    ],
  },
  {
    name: "config: --unset single, regex-selected and multiple values",
    files: { "sqitch.conf": MULTI + "[solo]\n\tkey = v # comment\n" },
    steps: [
      "config --unset core.fuzzle.clack",
      "config --unset core.fuzzle.clack ^foo",
      "config --unset core.fuzzle.clack ^nomatch",
      "config --unset solo.key",
      "config --unset solo.key",
      "config --unset core.engine pg",
      "config --list",
    ],
  },
  {
    name: "config: --unset-all with and without a value regex",
    files: { "sqitch.conf": MULTI },
    steps: [
      "config --unset-all core.fuzzle.clack ^bar",
      "config --get-all core.fuzzle.clack",
      "config --unset-all core.fuzzle.clack",
      "config --unset-all core.fuzzle.clack",
      "config --unset-all nosuch.key",
      "config --list",
    ],
  },
  {
    name: "config: multi-valued keys are replaced, not merged, across files",
    systemConfig: SYSTEM,
    userConfig: USER,
    files: { "sqitch.conf": LOCAL + "[p]\n\tm = l1\n" },
    steps: [
      "config --get-all p.m",
      "config --list",
      "config --list --user",
      "config --local --unset p.m",
      "config --get-all p.m",
      "config --list",
    ],
  },
  // --- comments, layout, quoting ------------------------------------------
  {
    name: "config: edits keep comments, blank lines and order byte for byte",
    files: { "sqitch.conf": COMMENTED },
    steps: [
      "config core.new val",
      "config last.k2 v2",
      "config brand.new yes",
      "config core.engine mysql",
      "config other.x 2",
      "config --add other.x 3",
      "config --unset last.k",
      "config --list",
    ],
  },
  {
    name: "config: values are quoted and escaped on write",
    steps: [
      ["config", "foo.lead", " lead"],
      ["config", "foo.trail", "trail "],
      ["config", "foo.semi", "a;b"],
      ["config", "foo.hash", "a#b"],
      ["config", "foo.quote", 'say "hi" \\ back'],
      ["config", "foo.tab", "a\tb"],
      ["config", "foo.nl", "a\nb"],
      ["config", "user.name", "Joe  Bloggs"],
      ["config", "foo.empty", ""],
      ["config", "foo.eq", "a=b"],
      "config --list",
      "config foo.lead",
      "config foo.quote",
      "config foo.nl",
      "config user.name",
    ],
  },
  {
    name: "config: the value grammar on read (collapsed blanks, trailing blank, quotes)",
    files: {
      "sqitch.conf": [
        "[v]",
        "\ta = value   ",
        '\tb = "q"x"r"  ',
        "\tc = pg   ; comment",
        '\td = "a ;# b" c',
        "\te = one\\",
        "two",
        "\tf = tab\\there",
        "\tg = Joe   Bloggs",
        "",
      ].join("\n"),
    },
    steps: [
      "config --list",
      "config v.a",
      "config v.b",
      "config v.e",
      "config --get-regexp ^v\\.[cdf]",
      "config v.g 'Joe  Bloggs'",
    ],
  },
  {
    name: "config: missing final newline and extra trailing blank lines are normalised",
    files: { "sqitch.conf": "[core]\n\tengine = pg\n\n\n\n", "other.conf": "[a]\n\tb = c" },
    steps: [
      "config core.x y",
      "config --file other.conf a.d e",
      "config --file other.conf --unset a.b",
    ],
  },
  {
    name: "config: CRLF files are read and written back with CRLF",
    files: {
      "sqitch.conf": "[core]\r\n\tengine = pg\r\n# comment\r\n[user]\r\n\tname = Me\r\n",
    },
    steps: [
      "config core.engine",
      "config --list",
      "config core.x y",
      "config user.name You",
      "config --add user.email a@b",
      "config --unset core.engine",
      "config --rename-section user person",
      "config --list",
    ],
  },
  // --- casting -------------------------------------------------------------
  {
    name: "config: --bool, --int and --num on get",
    files: {
      "sqitch.conf": [
        "[t]",
        "\tyes = yes",
        "\ton = ON",
        "\tone = 001",
        "\tneg = -1",
        "\toff = off",
        "\tzero = 000",
        "\tempty =",
        "\tk = 10k",
        "\tm = 1.5m",
        "\tg = 2g",
        "\tfrac = 1.9",
        "\tminus = -.5",
        "\tbad = maybe",
        "",
      ].join("\n"),
    },
    steps: [
      "config --bool t.yes",
      "config --bool t.on",
      "config --bool t.one",
      "config --bool t.neg",
      "config --bool t.off",
      "config --bool t.zero",
      "config --bool t.empty",
      "config --bool t.bad",
      "config --int t.k",
      "config --int t.m",
      "config --num t.m",
      "config --int t.g",
      "config --int t.frac",
      "config --num t.frac",
      "config --num t.minus",
      "config --int t.minus",
      "config --int t.bad",
      "config --num t.yes",
      "config --bool --get-all t.yes",
      "config --int --get-regexp ^t\\.[kmg]$",
    ],
  },
  {
    name: "config: --bool, --int and --num normalise values on set; invalid ones are refused",
    steps: [
      "config --bool c.b yes",
      "config --bool c.f Off",
      "config --int c.i 10k",
      "config --int c.t 1.7",
      "config --num c.n 1.5m",
      "config --bool --add c.multi on",
      "config --bool --add c.multi 0",
      "config --bool c.bad maybe",
      "config --int c.bad 12x",
      "config --num c.bad abc",
      "config --int --replace-all c.multi 2k",
      "config --list",
    ],
  },
  {
    name: "config: --bool-or-int works in sqlitch (Sqitch 1.3.1 crashes on it)",
    files: { "sqitch.conf": "[t]\n\tn = 10k\n\tb = yes\n\tx = maybe\n" },
    steps: [
      {
        argv: "config --bool-or-int t.n",
        sqitchCode: 255,
        expectSqitch: { stderr: /did not pass type constraint/ },
        expectSqlitch: { code: 0, stdout: "10240\n", stderr: "" },
      },
      {
        argv: "config --bool-or-int t.b",
        sqitchCode: 255,
        expectSqlitch: { code: 0, stdout: "true\n", stderr: "" },
      },
      {
        argv: "config --bool-or-int t.x",
        sqitchCode: 255,
        expectSqlitch: { code: 2, stdout: "", stderr: "Invalid bool-or-int 'maybe'\n\n" },
      },
      {
        argv: "config --bool --bool-or-int t.n",
        sqitchCode: 2,
      },
      {
        argv: "config --bool-or-int t.c off",
        sqitchCode: 255,
        expectSqlitch: { code: 0, stdout: "", stderr: "" },
        compareTree: false,
      },
    ],
  },
  // --- get-regexp and list ------------------------------------------------
  {
    name: "config: --get-regexp key and value regexes, sorted output",
    files: { "sqitch.conf": MULTI + '[engine "pg"]\n\ttarget = db:pg:x\n\tclient = psql\n' },
    steps: [
      "config --get-regexp engine",
      "config --get-regex ENGINE",
      "config --get-regexp ^core",
      "config --get-regexp . ^psql$",
      "config --get-regexp fuzzle ^bar",
      "config --get-regexp 'pg\\.(target|client)'",
      "config --get-regexp zzz",
      "config --get-regexp engine nomatch",
    ],
  },
  {
    name: "config: --list merges system < user < local and ends with a blank line",
    systemConfig: SYSTEM,
    userConfig: USER,
    files: { "sqitch.conf": LOCAL + MULTI.replace("[core]\n\tengine = pg\n", "") },
    steps: ["config --list", "config -l", "config core.registry", "config core.engine"],
  },
  {
    name: "config: --list honours --local/--user/--global/--system but not --file",
    systemConfig: SYSTEM,
    userConfig: USER,
    files: { "sqitch.conf": LOCAL, "other.conf": "[other]\n\tkey = val\n" },
    steps: [
      "config --list --local",
      "config --list --user",
      "config --list --global",
      "config --list --system",
      "config --list --file other.conf",
      "config -l -f other.conf",
    ],
  },
  {
    name: "config: --list of a missing scope file prints nothing; empty config one newline",
    userConfig: null,
    steps: [
      "config --list",
      "config --list --local",
      "config --list --user",
      "config --list --system",
    ],
  },
  {
    name: "config: include.path is listed as multi-valued",
    files: {
      "sqitch.conf": "[include]\n\tpath = inc.conf\n[core]\n\tengine = pg\n",
      "inc.conf": "[core]\n\tregistry = included\n",
    },
    steps: ["config --list", "config core.registry", "config --list --local"],
  },
  // --- scopes ----------------------------------------------------------------
  {
    name: "config: --get reads the merged config whatever the file option",
    systemConfig: SYSTEM,
    userConfig: USER,
    files: { "sqitch.conf": LOCAL, "other.conf": "[core]\n\tengine = other\n" },
    steps: [
      "config --user core.engine",
      "config --system --get core.engine",
      "config --file other.conf --get core.engine",
      "config --local --get-all p.m",
      "config --system --get-regexp ^core",
    ],
  },
  {
    name: "config: --user and --global write ~/.sqitch/sqitch.conf",
    steps: [
      "config --user core.editor ed",
      "config --global user.email me@example.com",
      "config --global --unset user.name",
      "config --user --list",
    ],
  },
  {
    name: "config: --user creates ~/.sqitch when there is no user file",
    userConfig: null,
    steps: ["config --user --unset a.b", "config --user a.b c", "config --list"],
  },
  {
    name: "config: --system writes $SQITCH_SYSTEM_CONFIG (creating its directory)",
    steps: [
      "config --system core.engine pg",
      "config --system --add core.m 1",
      "config --list --system",
      "config core.engine",
    ],
  },
  {
    name: "config: --file, --config-file and -f write the given file",
    steps: [
      "config --file my.conf a.b c",
      "config --config-file my.conf a.d e",
      "config -f sub/dir/new.conf x.y z",
      "config -f=my.conf --unset a.b",
      "config --list",
      "config --file other/x.conf --unset a.b",
    ],
  },
  {
    name: "config: SQITCH_CONFIG names the local file for reads and writes",
    env: { SQITCH_CONFIG: "custom.conf" },
    files: { "custom.conf": "[core]\n\tengine = pg\n" },
    steps: [
      "config core.engine",
      "config core.engine sqlite",
      "config --local core.x y",
      "config --list --local",
      { argv: "config --unset nope.x", env: { SQITCH_CONFIG: "./dir/../custom.conf" } },
    ],
  },
  {
    name: "config: SQITCH_USER_CONFIG names the user file",
    env: { SQITCH_USER_CONFIG: "<SANDBOX>/home/alt.conf" },
    homeFiles: { "alt.conf": "[user]\n\tname = Alt\n" },
    steps: ["config user.name", "config --user user.email alt@x", "config --list --user"],
  },
  {
    name: "config: the local file is found in a parent directory; writes go to the cwd",
    files: { "sqitch.conf": LOCAL, "sub/deeper/.keep": "" },
    steps: [
      { argv: "config core.engine", cwd: "sub/deeper" },
      { argv: "config --list", cwd: "sub/deeper" },
      { argv: "config --list --local", cwd: "sub/deeper" },
      { argv: "config core.x y", cwd: "sub/deeper" },
      { argv: "config core.engine", cwd: "sub/deeper" },
      { argv: "config core.x", cwd: "sub" },
      { argv: "config --unset core.engine", cwd: "sub" },
    ],
  },
  {
    name: "config: --chdir changes where the local file is found and written",
    files: { "a/sqitch.conf": LOCAL },
    steps: ["-C a config core.engine", "config -C a core.y z", "--chdir a config --list"],
  },
  // --- sections ---------------------------------------------------------------
  {
    name: "config: --rename-section renames every header, case-insensitively",
    files: {
      "sqitch.conf":
        '[core]\n\tengine = pg\n[target "prod"]\n\turi = db:pg:prod\n[Other]\n\tx = 1\n' +
        '[target "prod"]\n\tregistry = r\n',
    },
    steps: [
      "config --rename-section target.prod target.production",
      "config --rename-section OTHER renamed",
      "config --rename-section core 'target.\"q\"'",
      "config --rename-section nosuch x",
      "config --rename-section target.PRODUCTION y",
      "config --list",
    ],
  },
  {
    name: "config: --remove-section removes every occurrence and what follows it",
    files: { "sqitch.conf": COMMENTED },
    steps: [
      "config --remove-section core",
      "config --remove-section nosuch",
      "config --remove-section LAST",
      "config --list",
    ],
  },
  {
    name: "config: section edits of a missing file do nothing",
    steps: [
      "config --file nope.conf --remove-section foo",
      "config --rename-section a b",
      "config --user --remove-section user",
    ],
  },
  {
    name: "config: --unset keeps an emptied section's header",
    files: { "sqitch.conf": "[a]\n\tb = 1\n[c]\n\td = 2\n" },
    steps: ["config --unset a.b", "config --unset-all c.d", "config --list"],
  },
  // --- usage errors ------------------------------------------------------------
  {
    name: "config: Only one … at a time",
    files: { "sqitch.conf": LOCAL },
    steps: [
      "config --local --user core.engine",
      "config --file x.conf --system core.engine",
      "config --global --system --list",
      "config --bool --int core.engine",
      "config --num --bool core.engine",
      "config --get --get-all core.engine",
      "config --list --edit",
      "config -l -e",
      "config --add --unset a.b c",
      "config --local --bool --get --list",
    ],
  },
  {
    name: "config: Wrong number of arguments",
    files: { "sqitch.conf": LOCAL },
    steps: [
      "config",
      "config --get",
      ["config", "--get", ""],
      "config --get-all",
      "config --get-regexp",
      ["config", "--get-regexp", ""],
      "config --add a.b",
      "config --replace-all a.b",
      "config --unset",
      "config --unset-all",
      "config --rename-section a",
      ["config", "--rename-section", "a", ""],
      "config --remove-section",
      ["config", "", "value"],
    ],
  },
  {
    name: "config: unknown options and option abbreviations",
    files: { "sqitch.conf": LOCAL },
    steps: [
      "config --nope",
      "config -x core.engine",
      "config --file",
      "config --get-a core.engine",
      "config --rem nosuch",
      "config --glob --list",
      "config --get-regexp=core",
      "config --bo core.engine",
      "config --get core.engine extra args here",
      "config a.b c d e",
    ],
  },
  // --- edit ----------------------------------------------------------------
  {
    name: "config: --edit runs SQITCH_EDITOR on the local file",
    files: { "sqitch.conf": LOCAL },
    env: { SQITCH_EDITOR: "sed -i s/pg/mysql/" },
    steps: ["config --edit", "config core.engine", "config -e --user", "config --list --user"],
  },
  {
    name: "config: editor resolution SQITCH_EDITOR > core.editor > VISUAL > EDITOR",
    files: { "sqitch.conf": "[core]\n\teditor = echo core\n" },
    env: { VISUAL: "echo visual", EDITOR: "echo editor" },
    steps: [
      { argv: "config --edit", env: { SQITCH_EDITOR: "echo sqitch" } },
      "config --edit",
      "config --unset core.editor",
      "config --edit",
      { argv: "config --edit", env: { VISUAL: null } },
      { argv: "config --edit", env: { VISUAL: "", EDITOR: "echo zero", SQITCH_EDITOR: "0" } },
    ],
  },
  {
    name: "config: --edit quotes the file and opens the chosen scope's file",
    env: { SQITCH_EDITOR: "echo" },
    steps: [
      "config --edit --file 'my file.conf'",
      'config --edit --file "it\'s.conf"',
      "config --edit -f a=b.conf",
      "config --edit --user",
      "config --edit --system",
      "config --edit --file nodir/new.conf",
    ],
  },
  {
    name: "config: non-ASCII sections, names and file names",
    steps: [
      "config Ünï.Kéy välue",
      "config ünï.kéy",
      "config 'Ünï.Sub Sec.KÉY' x",
      "config --list",
      "config --get-regexp Ü",
      { argv: "config -e -f é.conf", env: { SQITCH_EDITOR: "no-such-editor" } },
    ],
  },
  {
    name: "config: --edit through the shell (metacharacters)",
    files: { "sqitch.conf": LOCAL },
    env: { SQITCH_EDITOR: "printf '[x]\\n\\ty = 1\\n' >>" },
    steps: ["config --edit", "config x.y", "config --list"],
  },
  {
    name: "config: --edit failures",
    files: { "sqitch.conf": LOCAL },
    steps: [
      { argv: "config --edit", env: { SQITCH_EDITOR: "false" } },
      { argv: "config --edit", env: { SQITCH_EDITOR: "sh -c 'exit 3'" } },
      { argv: "config --edit", env: { SQITCH_EDITOR: "no-such-editor-here" } },
      { argv: "config --edit", env: { SQITCH_EDITOR: "/no/such/editor --flag" } },
      { argv: "config --edit", env: { SQITCH_EDITOR: "no-such-editor;" } },
      { argv: "config --edit", env: { SQITCH_EDITOR: "sh -c 'exit 4' look at" } },
    ],
  },
  // --- broken files ---------------------------------------------------------
  {
    name: "config: a malformed config file is one line, exit 2 (Sqitch: 2 lines, exit 255)",
    files: { "sqitch.conf": "[core]\n\tengine = pg\n[bad\n" },
    steps: [{
      argv: "config core.engine",
      sqitchCode: 255,
      expectSqitch: {
        stderr: "Error parsing <SANDBOX>/proj/sqitch.conf at line 4, position 0.\n" +
          "Bad line was: '[bad'\n",
      },
      expectSqlitch: {
        code: 2,
        stderr: /^[^\n]*<SANDBOX>\/proj\/sqitch\.conf[^\n]*\n$/,
      },
    }],
  },
  {
    name: "config: get-regexp divergences (value regex on multi-values, typed multi-values)",
    files: { "sqitch.conf": MULTI },
    steps: [
      {
        argv: "config --get-regexp fuzzle ^foo$",
        sqitchCode: 2,
        expectSqitch: { stderr: /^Can't use string \("foo"\) as an ARRAY ref/ },
        expectSqlitch: { code: 0, stdout: "core.fuzzle.clack=[foo]\n", stderr: "" },
      },
      "config --get-regexp fuzzle ^ba",
      {
        argv: "config --bool --get-regexp engine",
        sqitchCode: 2,
      },
      {
        argv: "config --bool --get-regexp fuzzle",
        sqitchCode: 2,
        expectSqitch: { stderr: /^Invalid bool 'ARRAY\(0x[0-9a-f]+\)'\n\n$/ },
        expectSqlitch: { code: 2, stderr: "Invalid bool 'foo'\n\n" },
      },
    ],
  },
  {
    name: "config: Perl warnings are not reproduced (bare values in lists, empty numbers)",
    files: { "sqitch.conf": "[a]\n\tbare\n\tempty =\n\tm = x\n\tm\n" },
    steps: [
      {
        argv: "config --get-all a.bare",
        expectSqitch: { stderr: /^Use of uninitialized value/ },
        expectSqlitch: { stderr: "" },
      },
      {
        argv: "config --list",
        expectSqitch: { stderr: /^Use of uninitialized value/ },
        expectSqlitch: { stderr: "" },
      },
      {
        argv: "config --get-all a.m",
        expectSqitch: { stderr: /^Use of uninitialized value/ },
        expectSqlitch: { stderr: "" },
      },
      {
        argv: "config --int a.empty",
        expectSqitch: { stderr: /^Argument "" isn't numeric/ },
        expectSqlitch: { stderr: "" },
      },
    ],
  },
  {
    name: "config: invalid regexes fail with exit 2 (the message is sqlitch's own)",
    files: { "sqitch.conf": LOCAL },
    steps: [
      {
        argv: ["config", "--get-regexp", "("],
        expectSqitch: { stderr: /^Unmatched \( in regex/ },
        expectSqlitch: { stderr: /^Invalid regular expression "\(": [^\n]*\n\n$/ },
      },
      ["config", "--get", "nosuch.key", "("],
      ["config", "--get-all", "nosuch.key", "("],
      {
        argv: ["config", "core.engine", "x", "("],
        expectSqitch: { stderr: /^Unmatched \( in regex/ },
        expectSqlitch: { stderr: /^Invalid regular expression "\(": [^\n]*\n\n$/ },
      },
    ],
  },
  {
    name: "config: unset of a missing key names the file; the directory is still created",
    steps: [
      "config --unset a.b",
      "config --file d/x.conf --unset a.b",
      "config --file d/x.conf --unset-all a.b",
      "config --user --unset-all a.b",
      "config --system --unset a.b",
    ],
  },
  {
    name: "config: verbosity options do not change config output",
    files: { "sqitch.conf": LOCAL },
    steps: [
      "config -v core.engine",
      "config --quiet --list",
      "--quiet config core.engine",
      "config --quiet --get-all core.engine",
      "config --quiet --bool core.engine",
    ],
  },
];

parityTests(scenarios);
