/**
 * The plan parser: line classification, pragmas, notes, dependencies,
 * tags, reworks, and every load-time error of plan-format.md §12 in
 * Sqitch's wording. The error table is also checked against real Sqitch
 * (App::Sqitch::Plan) when it is installed.
 */
import assert from "node:assert/strict";
import { SqlitchError } from "../../../core/errors.ts";
import { formatPlan, parsePlan, readPlan } from "../../../core/plan/mod.ts";
import { FakeFs } from "../config/fake_fs.ts";
import { oracleAvailability, runOracle } from "./sqitch_oracle.ts";

const T = "2013-01-01T00:00:00Z Ann <a@x>";
const H = "%project=p\n\n";
const SYNTAX = (line: number, msg: string) => `Syntax error in sqitch.plan at line ${line}: ${msg}`;
const INVALID_NAME =
  'Invalid name; names must not begin with punctuation, contain "@", ":", "#", ' +
  '"\\", or blanks, or end in punctuation or digits following punctuation';
const TYPES = "/usr/lib/x86_64-linux-gnu/perl5/5.36/DateTime/Types.pm";
const PLAN_PM = "/usr/share/perl5/App/Sqitch/Plan.pm";

/** [plan text, Sqitch's message] — each checked against Sqitch 1.3.1. */
const ERRORS: [string, string][] = [
  ["", "Missing %project pragma in sqitch.plan"],
  ["\n%project=p\n", "Missing %project pragma in sqitch.plan"],
  ["# \n%project=p\n", "Missing %project pragma in sqitch.plan"],
  ["#0\n%project=p\n", "Missing %project pragma in sqitch.plan"],
  ["%project=0\n\n", "Missing %project pragma in sqitch.plan"],
  ["%foo=bar\n\n", "Missing %project pragma in sqitch.plan"],
  [
    "%project=p\n#\n",
    SYNTAX(2, "Invalid pragma; a blank line must come between pragmas and changes"),
  ],
  [
    `%project=p\na ${T}\n`,
    SYNTAX(2, "Invalid pragma; a blank line must come between pragmas and changes"),
  ],
  [
    "\uFEFF%project=p\n\n",
    SYNTAX(1, "Invalid pragma; a blank line must come between pragmas and changes"),
  ],
  [
    "%project=bad@name\n",
    SYNTAX(
      1,
      'invalid project name "bad@name": project names must not begin with punctuation, contain ' +
        '"@", ":", "#", "\\", or blanks, or end in punctuation or digits following punctuation',
    ),
  ],
  [
    "%project\n\n",
    SYNTAX(
      1,
      'invalid project name "{project}": project names must not begin with punctuation, contain ' +
        '"@", ":", "#", "\\", or blanks, or end in punctuation or digits following punctuation',
    ),
  ],
  [`${H}#\n`, SYNTAX(3, INVALID_NAME)],
  [`${H}-a- ${T}\n`, SYNTAX(3, INVALID_NAME)],
  [`${H}0 ${T}\n`, SYNTAX(3, INVALID_NAME)],
  [`${H}a€ ${T}\n`, SYNTAX(3, INVALID_NAME)],
  [`${H}a^1 ${T}\n`, SYNTAX(3, INVALID_NAME)],
  [`${H}a^١ ${T}\n`, SYNTAX(3, INVALID_NAME)],
  [`${H}b[a] ${T}\n`, SYNTAX(3, INVALID_NAME)],
  [`${H}a ${T} trailing\n`, SYNTAX(3, INVALID_NAME)],
  [`${H}a 2013-01-01T00:00:00Z Ann<a@x>\n`, SYNTAX(3, INVALID_NAME)],
  [`${H}a 2013-01-01T00:00:00Z Ann <>\n`, SYNTAX(3, INVALID_NAME)],
  [`${H}a 2013-01-01T00:00:00Z <a@x>\n`, SYNTAX(3, INVALID_NAME)],
  [
    `${H}what what what 2012-07-16T17:25:07Z Barack Obama <potus@whitehouse.gov>\n`,
    SYNTAX(3, INVALID_NAME),
  ],
  [`${H}@ ${T}\n`, SYNTAX(3, INVALID_NAME)],
  [`${H}a\n`, SYNTAX(3, "Missing timestamp and planner name and email")],
  [`${H}a [b]\n`, SYNTAX(3, "Missing timestamp and planner name and email")],
  [`${H}a Ann <a@x>\n`, SYNTAX(3, "Missing timestamp")],
  [`${H}a 2013-01-01 00:00:00 Ann <a@x>\n`, SYNTAX(3, "Missing timestamp")],
  [`${H}a€b <x@y>\n`, SYNTAX(3, "Missing timestamp")],
  [`${H}a 2013-01-01T00:00:00Z\n`, SYNTAX(3, "Missing planner name and email")],
  [`${H}a 2013-01-01T00:00:00Z 0 <a@x>\n`, SYNTAX(3, "Missing planner name and email")],
  [`${H}HEAD ${T}\n`, SYNTAX(3, '"HEAD" is a reserved name')],
  [`${H}a ${T}\n@ROOT ${T}\n`, SYNTAX(4, '"@ROOT" is a reserved name')],
  [
    `${H}0123456789abcdef0123456789abcdef01234567x ${T}\n`,
    SYNTAX(
      3,
      '"0123456789abcdef0123456789abcdef01234567x" is invalid because it could be confused ' +
        "with a SHA1 ID",
    ),
  ],
  [`${H}a ${T}\n@a/b ${T}\n`, SYNTAX(4, 'Tag "a/b" contains illegal character /')],
  [`${H}a ${T}\n@v1/2 ${T}\n`, SYNTAX(4, INVALID_NAME)],
  [`${H}@t ${T}\n`, SYNTAX(3, 'Tag "t" declared without a preceding change')],
  [
    `${H}a ${T}\n@t ${T}\nb ${T}\n@t ${T}\n`,
    SYNTAX(6, 'Tag "t" duplicates earlier declaration on line 4'),
  ],
  [`${H}a ${T}\n@t [a] ${T}\n`, SYNTAX(4, "Tags may not specify dependencies")],
  [
    `${H}a ${T}\nb ${T}\na ${T}\n`,
    SYNTAX(5, 'Change "a" duplicates earlier declaration on line 3'),
  ],
  [`${H}a [a^1] ${T}\n`, SYNTAX(3, '"a^1" is not a valid dependency specification')],
  [`${H}a [x:y:z] ${T}\n`, SYNTAX(3, '"x:y:z" is not a valid dependency specification')],
  [`${H}x ${T}\na [x x] ${T}\n`, SYNTAX(4, 'Duplicate dependency "x"')],
  [`${H}a [ b] ${T}\n`, 'Depend object must have either "change", "tag", or "id" defined'],
  [`${H}a [!] ${T}\n`, 'Depend object must have either "change", "tag", or "id" defined'],
  [`${H}a [x:] ${T}\n`, 'Depend object must have either "change", "tag", or "id" defined'],
  [`${H}a [zz] ${T}\n`, 'Dependency error detected:\n  Unknown change "zz" required by change "a"'],
  [`${H}a [0 ] ${T}\n`, 'Dependency error detected:\n  Unknown change "0" required by change "a"'],
  [`${H}a [a] ${T}\n`, 'Dependency error detected:\n  Change "a" cannot require itself'],
  [
    `${H}a [a@HEAD] ${T}\n`,
    'Dependency error detected:\n  Unknown change "a@HEAD" required by change "a"',
  ],
  [
    `${H}a [b c] ${T}\nb ${T}\nc ${T}\n`,
    "Dependency errors detected:\n" +
    '  Change "a" planned 1 change before required change "b"\n' +
    '  Change "a" planned 2 changes before required change "c"\n' +
    '    HINT: move "a" down 2 lines in sqitch.plan',
  ],
  [
    `${H}a [zz b] ${T}\nb [a q] ${T}\n`,
    "Dependency errors detected:\n" +
    '  Unknown change "zz" required by change "a"\n' +
    '  Change "a" planned 1 change before required change "b"\n' +
    '    HINT: move "a" down 1 line in sqitch.plan\n' +
    '  Unknown change "q" required by change "b"',
  ],
  [
    // A tag-qualified requirement names the change's latest earlier declaration.
    `${H}a ${T}\n@t1 ${T}\na [a@t1] ${T}\n@t2 ${T}\nb [a@t1] ${T}\n`,
    'Dependency error detected:\n  Unknown change "a@t1" required by change "b"',
  ],
  [
    `${H}a [@t1] ${T}\n@t1 ${T}\n`,
    'Dependency error detected:\n  Unknown change "@t1" required by change "a"',
  ],
  [
    `${H}a [p:0123456789abcdef0123456789abcdef01234567] ${T}\n`,
    'Dependency error detected:\n  Unknown change "0123456789abcdef0123456789abcdef01234567" ' +
    'required by change "a"',
  ],
  [
    `${H}a 2013-13-01T00:00:00Z Ann <a@x>\n`,
    `Validation failed for type named Month declared in package DateTime::Types (${TYPES}) ` +
    "at line 119 in sub named (eval) with value 13",
  ],
  [
    `${H}a 2013-01-45T25:61:99Z Ann <a@x>\n`,
    `Validation failed for type named DayOfMonth declared in package DateTime::Types (${TYPES}) ` +
    "at line 29 in sub named (eval) with value 45",
  ],
  [
    `${H}a 2013-01-01T24:00:00Z Ann <a@x>\n`,
    `Validation failed for type named Hour declared in package DateTime::Types (${TYPES}) ` +
    "at line 101 in sub named (eval) with value 24",
  ],
  [
    `${H}a 2013-01-01T00:00:0١Z Ann <a@x>\n`,
    `Validation failed for type named Second declared in package DateTime::Types (${TYPES}) ` +
    'at line 133 in sub named (eval) with value "0١"',
  ],
  [
    `${H}a ٢٠١٣-01-01T00:00:00Z Ann <a@x>\n`,
    `Validation failed for type named Year declared in package DateTime::Types (${TYPES}) ` +
    'at line 152 in sub named (eval) with value "٢٠١٣"',
  ],
  [
    `${H}a 2013-02-29T00:00:00Z Ann <a@x>\n`,
    `Invalid day of month (day = 29 - month = 02 - year = 2013)\n at ${PLAN_PM} line 353.`,
  ],
  [
    `${H}a 2013-01-01T00:00:60Z Ann <a@x>\n`,
    `Invalid second value (60)\n at ${PLAN_PM} line 353.`,
  ],
  [
    `${H}a 2012-06-30T12:00:60Z Ann <a@x>\n`,
    `Invalid second value (60)\n at ${PLAN_PM} line 353.`,
  ],
];

Deno.test("parser: load-time errors in Sqitch's words", () => {
  for (const [text, message] of ERRORS) {
    assert.throws(
      () => parsePlan(text, "sqitch.plan"),
      (e: unknown) => {
        assert.ok(e instanceof SqlitchError, `${JSON.stringify(text)}: not a SqlitchError`);
        assert.equal(e.message, message, JSON.stringify(text));
        assert.equal(e.exitCode, 2);
        return true;
      },
    );
  }
});

Deno.test({
  name: "parser: the error table matches real Sqitch",
  ignore: oracleAvailability().status === "skip",
  fn: async () => {
    const availability = oracleAvailability();
    if (availability.status === "fail") throw new Error(availability.reason);
    const results = await runOracle(ERRORS.map(([text]) => ({ file: "sqitch.plan", text })));
    ERRORS.forEach(([text, message], i) => {
      const r = results[i];
      assert.equal(r.ok, false, JSON.stringify(text));
      if (!r.ok) {
        // Carp appends Perl's own location to the DateTime messages Sqitch prints.
        assert.equal(r.error.replace(/\n at \(eval \d+\) line \d+\.$/, ""), message);
      }
    });
  },
});

Deno.test("parser: header pragmas, synthetic syntax version, spacing", () => {
  const plan = parsePlan(
    "  %foo = bar    # lolz\n% project=pragmata\n%uri=https://x/\n% strict\n%project=p2\n\n",
    "sqitch.plan",
  );
  assert.equal(plan.project, "p2", "the last %project wins");
  assert.equal(plan.uri, "https://x/");
  assert.equal(plan.pragmas.get("strict"), "1");
  assert.equal(plan.pragmas.get("foo"), "bar");
  assert.equal(plan.syntaxVersion, "1.0.0");
  assert.equal(plan.headerLineCount, 6);
  assert.equal(
    formatPlan(plan),
    "%syntax-version=1.0.0\n  %foo = bar    # lolz\n% project=pragmata\n%uri=https://x/\n" +
      "% strict\n%project=p2\n\n",
  );
  // The version is forced; without `=` Sqitch writes `%syntax-version1.0.0` (quirk Q2).
  assert.equal(
    formatPlan(parsePlan("%syntax-version=0.9\n%project=p\n\n", "x")),
    "%syntax-version=1.0.0\n%project=p\n\n",
  );
  assert.equal(
    formatPlan(parsePlan("%syntax-version\n%project=p\n\n", "x")),
    "%syntax-version1.0.0\n%project=p\n\n",
  );
  // `%syntax_version` counts as a version pragma for the synthetic line.
  assert.equal(
    formatPlan(parsePlan("%project=p\n%syntax_version=2\n\n", "x")),
    "%project=p\n%syntax_version=2\n\n",
  );
  // Pragma notes are kept raw, so their backslashes double on every rewrite.
  assert.equal(
    formatPlan(parsePlan("%project=p # a\\nb  \n\n", "x")),
    "%syntax-version=1.0.0\n%project=p # a\\\\nb  \n\n",
  );
  // A header without an empty line ends with the file.
  assert.equal(parsePlan("%project=p", "x").changes.length, 0);
});

Deno.test("parser: change and tag lines", () => {
  const plan = parsePlan(
    `${H}roles ${T}\n` +
      `  + users   [roles !dr_evil other:x]  2013-01-01T00:00:00Z  Ann  Smith   <a@x>  # note\n` +
      `@v1 ${T}\n\n-gone ${T}\n`,
    "sqitch.plan",
  );
  const [roles, users, gone] = plan.changes;
  assert.equal(users.name, "users");
  assert.equal(users.operator, "+");
  assert.equal(users.lspace, "  ");
  assert.equal(users.ropspace, " ");
  assert.equal(users.pspace, "   ");
  assert.equal(users.plannerName, "Ann  Smith  ");
  assert.equal(users.plannerEmail, "a@x");
  assert.equal(users.note, "note");
  assert.deepEqual(users.requires.map((d) => d.keyName), ["roles", "x"]);
  assert.deepEqual(users.requires.map((d) => d.asString("p")), ["roles", "other:x"]);
  assert.deepEqual(users.conflicts.map((d) => d.asPlanString("p")), ["!dr_evil"]);
  assert.equal(users.tags[0].name, "v1");
  assert.equal(users.tags[0].change, users);
  assert.equal(gone.isRevert, true);
  assert.equal(gone.action, "revert");
  assert.equal(gone.parent, users);
  assert.equal(users.parent, roles);
  assert.equal(users.lineNo, 4);
  assert.equal(users.tags[0].lineNo, 5);
  // The writer normalises blanks inside and after the brackets (§8).
  assert.equal(
    formatPlan(plan).split("\n")[4],
    "  + users   [roles other:x !dr_evil] 2013-01-01T00:00:00Z Ann  Smith   <a@x>  # note",
  );
  // A last line "0" without a newline is false to Perl's read loop.
  assert.equal(parsePlan(`${H}a ${T}\n0`, "x").lines.length, 4);
});

Deno.test("parser: notes are trimmed and unescaped", () => {
  const note = (raw: string) => parsePlan(`${H}a ${T} #${raw}\n`, "x").changes[0].note;
  assert.equal(note("   padded   "), "padded");
  assert.equal(note(" a\\nb\\\\c\\rd\\te"), "a\nb\\c\rd\\te");
  assert.equal(note(" 0"), "0");
  assert.equal(note(" has # hash"), "has # hash");
  assert.equal(note(""), "");
  assert.equal(note(" \u0085x\u2028"), "x");
});

Deno.test("parser: rework tags name the scripts of earlier instances (§7.1)", () => {
  const rework = (body: string) =>
    parsePlan(H + body, "x").changes.map((c) => c.reworkTags.map((t) => t.name));
  assert.deepEqual(
    rework(`a ${T}\nb ${T}\n@t1 ${T}\nc ${T}\n@t2 ${T}\na ${T}\n`),
    [["t2", "t1"], [], [], []],
  );
  assert.deepEqual(rework(`a ${T}\n@t1 ${T}\n@t2 ${T}\na ${T}\n`), [["t1", "t2"], []]);
  assert.deepEqual(
    rework(`a ${T}\n@t1 ${T}\na ${T}\n@t2 ${T}\na ${T}\n`),
    [["t1"], ["t2"], []],
  );
});

Deno.test("parser: CRLF, blank and comment lines round-trip as Sqitch writes them", () => {
  const text = `%project=p\r\n\r\n   users   ${T}     #    a note   \r\n` +
    `  + flips   [users   !foo]   ${T}  # x\n- gone ${T}\n  @v1   ${T}#tagnote\n# \n` +
    "   #   indented comment   \n\t# tab comment\n   \n# 0\n";
  assert.equal(
    formatPlan(parsePlan(text, "x")),
    `%syntax-version=1.0.0\n%project=p\n\n   users   ${T}     # a note\n` +
      `  + flips   [users !foo] ${T}  # x\n- gone ${T}\n  @v1 ${T}# tagnote\n\n` +
      "   # indented comment\n\t# tab comment\n   \n# 0\n",
  );
});

Deno.test("readPlan: files, directories and undecodable bytes", () => {
  const fs = new FakeFs({ "/p/sqitch.plan": `${H}a ${T}\n` });
  assert.equal(readPlan(fs, "/p/sqitch.plan").changes.length, 1);
  assert.throws(() => readPlan(fs, "/p/nope.plan"), {
    message: "Plan file /p/nope.plan does not exist",
  });
  assert.throws(() => readPlan(fs, "/p"), { message: "Plan file /p is not a regular file" });
  const bytes = (b: number[]) => {
    const f = new FakeFs({ "/q.plan": "" });
    f.readBytes = () => new Uint8Array(b);
    return () => readPlan(f, "/q.plan");
  };
  const ascii = (s: string) => Array.from(new TextEncoder().encode(s));
  assert.throws(bytes([...ascii(`${H}a ${T} # caf`), 0xe9, ...ascii("x\n")]), {
    message: `Can't decode ill-formed UTF-8 octet sequence <E9> at ${PLAN_PM} line 192.`,
  });
  assert.throws(bytes([...ascii(`${H}a ${T} # `), 0xef, 0xbf, 0xbe, 0x0a]), {
    message: `Can't interchange noncharacter code point U+FFFE at ${PLAN_PM} line 192.`,
  });
  assert.throws(bytes([...ascii("%project=p"), 0xe9]), {
    message:
      `Can't decode ill-formed UTF-8 octet sequence <E9> at end of file at ${PLAN_PM} line 192.`,
  });
  assert.throws(bytes([...ascii("%project=p\n\n\n\n"), 0xe9]), {
    message: "Can't decode ill-formed UTF-8 octet sequence <E9> at end of file at " +
      `${PLAN_PM} line 269, <GEN0> line 4.`,
  });
  assert.throws(bytes([...ascii(`${H}a ${T} # caf`), 0xe2, 0x82]), {
    message: "Can't decode ill-formed UTF-8 octet sequence <E2 82> at end of file at " +
      `${PLAN_PM} line 269, <GEN0> line 2.`,
  });
  // Complete lines are parsed before the failing read: their errors come first.
  assert.throws(bytes([...ascii("%project=p\nfoo\n"), 0xe9]), {
    message: "Syntax error in /q.plan at line 2: " +
      "Invalid pragma; a blank line must come between pragmas and changes",
  });
});
