/**
 * Expected results recorded from real Sqitch 1.3.1 (`sqitch config` run in
 * a temporary directory with HOME pointing to a temporary directory): file
 * contents before and after edits, `--list` output and parse errors.
 * Perl warnings on stderr were dropped; outputs were captured as bytes.
 */

/** One `sqitch config` invocation and what it printed to stderr. */
export interface ParityStep {
  args: string[];
  rc: number;
  stderr: string;
}

/** An edit case: ./sqitch.conf before, the commands, and the file after. */
export interface EditCase {
  name: string;
  before: string;
  steps: ParityStep[];
  after: string;
}

/** Edit cases. */
export const EDIT_CASES: EditCase[] = [
  {
    "name": "replace_first_match",
    "before": "[a]\n\tx = 1\n\tx = 2\n\tx = 3\n",
    "steps": [
      {
        "args": [
          "a.x",
          "9",
          "2",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": "[a]\n\tx = 1\n\tx = 9\n\tx = 3\n",
  },
  {
    "name": "set_filter_no_match_adds",
    "before": "[a]\n\tx = 1\n\tx = 2\n# c\n[b]\n",
    "steps": [
      {
        "args": [
          "a.x",
          "7",
          "nomatch",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": "[a]\n\tx = 1\n\tx = 2\n\tx = 7\n# c\n[b]\n",
  },
  {
    "name": "replace_all_negated",
    "before": '[core "fuzzle"]\n\tclack = foo\n\tclack = bar\n\tclack = hi\n\tother = 1\n',
    "steps": [
      {
        "args": [
          "--replace-all",
          "core.fuzzle.clack",
          "yow",
          "!hi",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": '[core "fuzzle"]\n\tclack = yow\n\tclack = hi\n\tother = 1\n',
  },
  {
    "name": "replace_all_all",
    "before": "[a]\n\tx = 1\n[b]\n\ty = 0\n[a]\n\tx = 2 ; c\n\tz = 3\n",
    "steps": [
      {
        "args": [
          "--replace-all",
          "a.x",
          "new",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": "[a]\n[b]\n\ty = 0\n[a]\n\tx = new\n\tz = 3\n",
  },
  {
    "name": "unset_all_regex",
    "before": "[a]\n\tx = 10\n\tx = 20\n\tx = 11\n\ty = 1\n",
    "steps": [
      {
        "args": [
          "--unset-all",
          "a.x",
          "^1",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": "[a]\n\tx = 20\n\ty = 1\n",
  },
  {
    "name": "unset_inline",
    "before": "[a] x = 1\n\ty = 2\n",
    "steps": [
      {
        "args": [
          "--unset",
          "a.x",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": "[a]\n\ty = 2\n",
  },
  {
    "name": "unset_last_in_section",
    "before": "[a]\n\tx = 1\n\n# comment\n[b]\n\ty = 2\n",
    "steps": [
      {
        "args": [
          "--unset",
          "a.x",
        ],
        "rc": 0,
        "stderr": "",
      },
      {
        "args": [
          "--unset",
          "b.y",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": "[a]\n\n# comment\n[b]\n",
  },
  {
    "name": "remove_interleaved",
    "before": "# lead\n[a]\n\tx = 1\n; about b\n[b]\n\ty = 1\n\n[A]\n\tz = 2\n[c]\n\tw = 3\n",
    "steps": [
      {
        "args": [
          "--remove-section",
          "a",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": "# lead\n[b]\n\ty = 1\n\n[c]\n\tw = 3\n",
  },
  {
    "name": "remove_sub_case_insensitive",
    "before": '[target "Prod"]\n\turi = db:pg:\n[core]\n\tengine = pg\n',
    "steps": [
      {
        "args": [
          "--remove-section",
          "target.prod",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": "[core]\n\tengine = pg\n",
  },
  {
    "name": "rename_sub",
    "before":
      '[target "prod"]\n\turi = db:pg:\n[core]\n\tengine = pg\n[target "prod"] registry = r\n',
    "steps": [
      {
        "args": [
          "--rename-section",
          "target.prod",
          'target."live.one"',
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after":
      '[target "live.one"]\n\turi = db:pg:\n[core]\n\tengine = pg\n[target "live.one"] registry = r\n',
  },
  {
    "name": "crlf",
    "before": "[core]\r\n\tengine = pg\r\n",
    "steps": [
      {
        "args": [
          "core.top_dir",
          "db",
        ],
        "rc": 0,
        "stderr": "",
      },
      {
        "args": [
          "new.key",
          "v",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": "[core]\r\n\tengine = pg\r\n\ttop_dir = db\r\n[new]\r\n\tkey = v\r\n",
  },
  {
    "name": "lone_cr",
    "before": "[core]\r\tengine = pg\r",
    "steps": [
      {
        "args": [
          "core.engine",
          "sqlite",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": "[core]\r\tengine = sqlite\r",
  },
  {
    "name": "empty_file",
    "before": "",
    "steps": [
      {
        "args": [
          "core.engine",
          "pg",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": "\n[core]\n\tengine = pg\n",
  },
  {
    "name": "no_final_newline",
    "before": "[core]\n\tengine = pg",
    "steps": [
      {
        "args": [
          "core.x",
          "1",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": "[core]\n\tengine = pg\n\tx = 1\n",
  },
  {
    "name": "extra_trailing_newlines",
    "before": "[core]\n\tengine = pg\n\n\n\n",
    "steps": [
      {
        "args": [
          "core.x",
          "1",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": "[core]\n\tengine = pg\n\tx = 1\n",
  },
  {
    "name": "replace_keeps_indent_loses_comment",
    "before": "[core]\n    engine = pg   # old\n",
    "steps": [
      {
        "args": [
          "core.ENGINE",
          "my sql",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": "[core]\n    ENGINE = my sql\n",
  },
  {
    "name": "continuation_replaced",
    "before": "[a]\n\tx = one \\\n  two\n\ty = 2\n",
    "steps": [
      {
        "args": [
          "a.x",
          "z",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": "[a]\n\tx = z\n\ty = 2\n",
  },
  {
    "name": "legacy_header",
    "before": "[core.sub]\n\tx = 1\n",
    "steps": [
      {
        "args": [
          "core.sub.y",
          "2",
        ],
        "rc": 0,
        "stderr": "",
      },
      {
        "args": [
          "Core.Sub.z",
          "3",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": '[core.sub]\n\tx = 1\n\ty = 2\n[Core "Sub"]\n\tz = 3\n',
  },
  {
    "name": "subsection_escape",
    "before": "",
    "steps": [
      {
        "args": [
          'sec.a\\b"c.key',
          "v",
        ],
        "rc": 0,
        "stderr": "",
      },
      {
        "args": [
          "--add",
          'sec.a\\b"c.key',
          "w",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": '\n[sec "a\\\\b\\"c"]\n\tkey = v\n\tkey = w\n',
  },
  {
    "name": "values_quoting",
    "before": "",
    "steps": [
      {
        "args": [
          "x.lead",
          " lead",
        ],
        "rc": 0,
        "stderr": "",
      },
      {
        "args": [
          "x.trail",
          "trail ",
        ],
        "rc": 0,
        "stderr": "",
      },
      {
        "args": [
          "x.semi",
          "a;b",
        ],
        "rc": 0,
        "stderr": "",
      },
      {
        "args": [
          "x.hash",
          "a#b",
        ],
        "rc": 0,
        "stderr": "",
      },
      {
        "args": [
          "x.esc",
          'say "hi" \\ back',
        ],
        "rc": 0,
        "stderr": "",
      },
      {
        "args": [
          "x.tab",
          "a\tb",
        ],
        "rc": 0,
        "stderr": "",
      },
      {
        "args": [
          "x.nl",
          "a\nb",
        ],
        "rc": 0,
        "stderr": "",
      },
      {
        "args": [
          "x.two",
          "Joe  Bloggs",
        ],
        "rc": 0,
        "stderr": "",
      },
      {
        "args": [
          "x.empty",
          "",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after":
      '\n[x]\n\tlead = " lead"\n\ttrail = "trail "\n\tsemi = "a;b"\n\thash = "a#b"\n\tesc = say \\"hi\\" \\\\ back\n\ttab = a\\tb\n\tnl = a\\nb\n\ttwo = Joe  Bloggs\n\tempty = \n',
  },
  {
    "name": "casts",
    "before": "",
    "steps": [
      {
        "args": [
          "--bool",
          "c.b",
          "yes",
        ],
        "rc": 0,
        "stderr": "",
      },
      {
        "args": [
          "--bool",
          "c.f",
          "Off",
        ],
        "rc": 0,
        "stderr": "",
      },
      {
        "args": [
          "--int",
          "c.i",
          "10k",
        ],
        "rc": 0,
        "stderr": "",
      },
      {
        "args": [
          "--num",
          "c.n",
          "1.5m",
        ],
        "rc": 0,
        "stderr": "",
      },
      {
        "args": [
          "--int",
          "c.t",
          "1.9",
        ],
        "rc": 0,
        "stderr": "",
      },
      {
        "args": [
          "--num",
          "c.e",
          "",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": "\n[c]\n\tb = true\n\tf = false\n\ti = 10240\n\tn = 1572864\n\tt = 1\n\te = 0\n",
  },
  {
    "name": "bare_key_replace",
    "before": "[a]\n\tflag\n\tother = 1\n",
    "steps": [
      {
        "args": [
          "a.flag",
          "true",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": "[a]\n\tflag = true\n\tother = 1\n",
  },
  {
    "name": "header_inline_insert",
    "before": "[a] x = 1\n[b]\n",
    "steps": [
      {
        "args": [
          "a.y",
          "2",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": "[a] x = 1\n\ty = 2\n[b]\n",
  },
  {
    "name": "add_to_existing",
    "before": "[a]\n\tx = 1\n[b]\n\tq = 1\n",
    "steps": [
      {
        "args": [
          "--add",
          "a.x",
          "2",
        ],
        "rc": 0,
        "stderr": "",
      },
      {
        "args": [
          "--add",
          "a.x",
          "3",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": "[a]\n\tx = 1\n\tx = 2\n\tx = 3\n[b]\n\tq = 1\n",
  },
  {
    "name": "unset_missing_err",
    "before": "[a]\n\tx = 1\n",
    "steps": [
      {
        "args": [
          "--unset",
          "a.y",
        ],
        "rc": 2,
        "stderr": "No occurrence of a.y found to unset in sqitch.conf\n\n",
      },
    ],
    "after": "[a]\n\tx = 1\n",
  },
  {
    "name": "unset_multi_err",
    "before": "[a]\n\tx = 1\n\tx = 2\n",
    "steps": [
      {
        "args": [
          "--unset",
          "a.x",
        ],
        "rc": 2,
        "stderr": "Cannot unset key with multiple values\n",
      },
    ],
    "after": "[a]\n\tx = 1\n\tx = 2\n",
  },
  {
    "name": "set_multi_err",
    "before": "[a]\n\tx = 1\n\tx = 2\n",
    "steps": [
      {
        "args": [
          "a.x",
          "3",
        ],
        "rc": 2,
        "stderr": "Cannot overwrite multiple values with a single value\n",
      },
    ],
    "after": "[a]\n\tx = 1\n\tx = 2\n",
  },
  {
    "name": "no_such_section",
    "before": "[a]\n\tx = 1\n",
    "steps": [
      {
        "args": [
          "--rename-section",
          "b",
          "c",
        ],
        "rc": 2,
        "stderr": "No such section!\n",
      },
    ],
    "after": "[a]\n\tx = 1\n",
  },
  {
    "name": "empty_subsection_key",
    "before": '[a ""]\n\tb = 1\n',
    "steps": [
      {
        "args": [
          "a..b",
          "2",
        ],
        "rc": 0,
        "stderr": "",
      },
    ],
    "after": '[a ""]\n\tb = 1\n[a ""]\n\tb = 2\n',
  },
];

/** `sqitch config --list` output (stdout) for a file's content. */
export const LIST_CASES: Record<string, { content: string; stdout: string }> = {
  "whitespace": {
    "content":
      '[a]\n\tname = Joe  \t Bloggs\n\ttrail = value   \n\tq = "q"x"r"  \n\tbeforecomment = pg   ; c\n\tsemi = a;b\n\thash = a#b\n',
    "stdout":
      "a.beforecomment=pg\na.hash=a#b\na.name=Joe Bloggs\na.q=qxr \na.semi=a;b\na.trail=value \n\n",
  },
  "quotes": {
    "content":
      '[a]\n\tmid = "a ;# b" c\n\tkeep = "  spaced  "\n\tesc = "say \\"hi\\""\n\tbs = "a\\\\n"\n\tmulti = "x\ny"\n\tcont = "p\\\nq"\n',
    "stdout":
      'a.bs=a\\\n\na.cont=pq\na.esc=say \\"hi\\"\na.keep=  spaced  \na.mid=a ;# b c\na.multi=x\ny\n\n',
  },
  "escapes": {
    "content":
      "[a]\n\tx = a\\\\b\n\ty = \\\"q\\\" \\'s\\'\n\tz = 1\\n2\\t3\\b4\n\tcap = a\\Nb\\Tc\n\tcont = one \\\n  two\n",
    "stdout": "a.cap=a\nb\tc\na.cont=one  two\na.x=a\\b\na.y=\"q\" 's'\na.z=1\n2\t3\b4\n\n",
  },
  "bare_and_empty": {
    "content": "[a]\n\tbare\n\tbare2 ; comment\n\tempty =\n\tempty2 = ; c\n",
    "stdout": "a.bare\na.bare2\na.empty=\na.empty2=\n\n",
  },
  "headers": {
    "content":
      '[Sec "Sub"] Key = v\n[legacy.SUB]\n\tx = 1\n[target "a \\"q\\" b"]\n\turi = u\n[e ""]\n\ty = 1\n[f "0"]\n\tz = 1\n[Ünï]\n\tÄ = 1\n[w  "tabs\tand spaces"]\n\tk = 1\n',
    "stdout":
      'e.y=1\nf.z=1\nlegacy.sub.x=1\nsec.Sub.key=v\ntarget.a "q" b.uri=u\nw.tabs\tand spaces.k=1\nünï.ä=1\n\n',
  },
  "odd_names": {
    "content": "[a]\n\tk;x = b\n\tm#n = 1\n\to p = 2\n\tQ ; bare\n\tr]s = 3\n",
    "stdout": "a.k\na.m\na.o p=2\na.q\na.r]s=3\n\n",
  },
  "multi": {
    "content":
      "[core]\n\tengine = pg\n\tengine = sqlite\n[core]\n\tengine = mysql\n\tx = 1\n\tX = 2\n",
    "stdout": "core.engine=[pg, sqlite, mysql]\ncore.x=[1, 2]\n\n",
  },
  "comments": {
    "content": "# top\n; semi\n[a] ; after header\n\tx = 1 # c\n\t# y = 2\n",
    "stdout": "a.x=1\n\n",
  },
  "crlf": {
    "content": "[a]\r\n\tx = 1\r\n\ty = a\\\r\nb\r\n",
    "stdout": "a.x=1\na.y=ab\n\n",
  },
  "lone_cr": {
    "content": "[a]\r\tx = 1\r\ty = 2\r",
    "stdout": "a.x=1\na.y=2\n\n",
  },
  "mixed_lone_cr": {
    "content": "[a]\n\tx = 1\r\n\ty = 2\r3\n",
    "stdout": "a.x=1\na.y=2\r3\n\n",
  },
};

/** Parse errors (stderr of `sqitch config --list`, exit 255) for a file's content. */
export const ERROR_CASES: Record<string, { content: string; stderr: string }> = {
  "bad_escape": {
    "content": "[a]\n\tx = 1\n\n\td = \\z\n",
    "stderr":
      "Error parsing /tmp/sq/parity/r/sqitch.conf at line 5, position 1.\nBad line was: '\td = \\z'\n",
  },
  "before_section": {
    "content": "x = 1\n",
    "stderr":
      "Error parsing /tmp/sq/parity/r/sqitch.conf at line 2, position 0.\nBad line was: 'x = 1'\n",
  },
  "unterminated": {
    "content": '[a]\n  x = "abc\n',
    "stderr":
      "Error parsing /tmp/sq/parity/r/sqitch.conf at line 3, position 2.\nBad line was: '  x = \"abc'\n",
  },
  "bad_header": {
    "content": "[a]\n[a b]\n",
    "stderr":
      "Error parsing /tmp/sq/parity/r/sqitch.conf at line 3, position 0.\nBad line was: '[a b]'\n",
  },
  "bad_subsection": {
    "content": '[a]\n[b "x\\y"]\n',
    "stderr":
      "Error parsing /tmp/sq/parity/r/sqitch.conf at line 3, position 0.\nBad line was: '[b \"x\\y\"]'\n",
  },
  "inline_bad": {
    "content": "[a]\n\tok = 1\n\tx = fine\\q here\n",
    "stderr":
      "Error parsing /tmp/sq/parity/r/sqitch.conf at line 4, position 1.\nBad line was: '\tx = fine\\q here'\n",
  },
};
