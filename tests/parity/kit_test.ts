/**
 * Self-tests of the parity kit (kit.ts). They do not depend on sqlitch: the
 * "sqlitch" side is replaced by real Sqitch (identical runs must compare
 * equal), by Sqitch with other options, or by small shell scripts (so that
 * differences, overrides and normalisation can be provoked on purpose).
 */
import assert from "node:assert/strict";
import {
  compareTrees,
  decideAvailability,
  DEFAULT_CLOCK,
  formatReport,
  parityAvailability,
  parityTest,
  parityTests,
  runScenario,
  type Scenario,
  shellQuote,
  shellSplit,
  type Step,
  textDiff,
  type Tree,
  type TreeEntry,
} from "./kit.ts";

/** A "program" that runs a shell script; the step's argv become $1, $2, ... */
function sh(script: string): string[] {
  return ["sh", "-c", script, "sh"];
}

const encoder = new TextEncoder();
const needsSqitch = parityAvailability().status === "skip";
const needsFaketime = parityAvailability(["faketime"]).status === "skip";

Deno.test("shellSplit splits like a POSIX shell", () => {
  assert.deepEqual(shellSplit(`add foo -n "Add the foo table"`), [
    "add",
    "foo",
    "-n",
    "Add the foo table",
  ]);
  assert.deepEqual(shellSplit(`config --get 'a b' c\\ d "x\\"y" ''`), [
    "config",
    "--get",
    "a b",
    "c d",
    'x"y',
    "",
  ]);
  assert.deepEqual(shellSplit("  a\t b  "), ["a", "b"]);
  assert.throws(() => shellSplit(`"open`));
  assert.equal(shellQuote(["add", "foo", "-n", "it's"]), `add foo -n 'it'\\''s'`);
});

Deno.test("textDiff shows changed lines, tabs and missing final newlines", () => {
  const d = textDiff("a\nb\n\tc\nd\n", "a\nB\n    c\nd\n", "sqitch", "sqlitch");
  assert.equal(
    d,
    [
      "--- sqitch",
      "+++ sqlitch",
      "@@ -1,4 +1,4 @@",
      " a",
      "-b",
      "-\\tc",
      "+B",
      "+    c",
      " d",
    ].join("\n"),
  );
  const nl = textDiff("x\ny\n", "x\ny", "a", "b");
  assert.match(nl, /-y\n\+y\n\\ No newline at end of file/);
  assert.equal(textDiff("same", "same"), "(identical)");
  // Far-apart changes make separate hunks.
  const many = Array.from({ length: 30 }, (_, i) => `line ${i}`);
  const changed = many.map((l, i) => i === 2 || i === 25 ? `${l}!` : l);
  const two = textDiff(many.join("\n") + "\n", changed.join("\n") + "\n");
  assert.equal(two.split("\n").filter((l) => l.startsWith("@@")).length, 2);
  assert.match(two, /@@ -1,6 \+1,6 @@/);
  assert.match(two, /@@ -23,7 \+23,7 @@/);
});

Deno.test("compareTrees reports missing, extra and changed entries", () => {
  const file = (text: string): TreeEntry => ({ kind: "file", bytes: encoder.encode(text), text });
  const dir: TreeEntry = { kind: "dir" };
  const a: Tree = new Map([["proj/", dir], ["proj/x", file("1\n")], [
    "proj/y",
    file("y\n"),
  ]]);
  const b: Tree = new Map([["proj/", dir], ["proj/x", file("2\n")], [
    "proj/z/",
    dir,
  ]]);
  const ds = compareTrees(a, b);
  assert.deepEqual(ds.map((d) => d.summary), [
    "proj/x: contents differ",
    "proj/y: only in sqitch's sandbox",
    "proj/z/: only in sqlitch's sandbox",
  ]);
});

Deno.test("decideAvailability: skip locally, fail under CI", () => {
  assert.deepEqual(decideAvailability({ ci: false, missing: [] }), { status: "ok" });
  assert.equal(decideAvailability({ ci: false, missing: ["sqitch"] }).status, "skip");
  const ci = decideAvailability({ ci: true, missing: ["sqitch"] });
  assert.equal(ci.status, "fail");
  assert.match(ci.status === "fail" ? ci.reason : "", /sqitch/);
});

Deno.test("identical shell programs compare equal, sandbox paths normalised", async () => {
  const program = sh(`
    echo "home=$HOME pwd=$(pwd) tz=$TZ lang=$LANG sys=$SQITCH_SYSTEM_CONFIG id=$ID"
    echo "args: $*"
    cat > out.txt; echo "made in $(pwd)" >> out.txt
    mkdir -p sub/dir && echo "$1" > "$HOME/last"
    test -z "$SQITCH_USER_CONFIG" && test -z "$LANGUAGE" && echo clean-env
    echo to-stderr >&2; exit 3`);
  const result = await runScenario({
    name: "same",
    files: { "in.txt": "root is <SANDBOX>\n", "bin.dat": new Uint8Array([0, 255, 1]) },
    env: { ID: "<ID>" },
    steps: [
      { argv: ["first", "<SANDBOX>/x"], stdin: "from stdin\n" },
      { argv: "second 'two words'", env: { ID: null }, cwd: "sub" },
    ],
  }, { sqitchCmd: program, sqlitchCmd: program });
  assert.deepEqual(result.differences, [], formatReport(result));
  const [o1, o2] = result.sqitch.outcomes;
  assert.equal(o1.code, 3);
  assert.equal(
    o1.stdout,
    "home=<SANDBOX>/home pwd=<SANDBOX>/proj tz=UTC lang=C.UTF-8 " +
      "sys=<SANDBOX>/etc/sqitch.conf id=<ID>\nargs: first <SANDBOX>/x\nclean-env\n",
  );
  assert.equal(o1.stderr, "to-stderr\n");
  assert.match(o2.stdout, /pwd=<SANDBOX>\/proj\/sub .* id=\n/);
  assert.match(o2.stdout, /args: second two words/);
  const tree = result.sqitch.trees[0]!;
  assert.deepEqual([...tree.keys()], [
    "home/",
    "home/.sqitch/",
    "home/.sqitch/sqitch.conf",
    "home/last",
    "proj/",
    "proj/bin.dat",
    "proj/in.txt",
    "proj/out.txt",
    "proj/sub/",
    "proj/sub/dir/",
  ]);
  const text = (t: Tree, p: string) => {
    const e = t.get(p);
    return e?.kind === "file" ? e.text : undefined;
  };
  assert.equal(text(tree, "proj/in.txt"), "root is <SANDBOX>\n");
  assert.equal(text(tree, "proj/out.txt"), "from stdin\nmade in <SANDBOX>/proj\n");
  assert.equal(
    text(tree, "home/.sqitch/sqitch.conf"),
    "[user]\n\tname = Parity Tester\n\temail = parity@example.com\n",
  );
  // The sandboxes are gone afterwards.
  await assert.rejects(Deno.stat(result.sqitch.root));
  await assert.rejects(Deno.stat(result.sqlitch.root));
});

Deno.test("differences are reported with step, argv and a diff", async () => {
  const result = await runScenario({
    name: "differ",
    steps: ["one", ["two", "x y"], "three"],
  }, {
    sqitchCmd: sh(`echo "step $1"; printf 'a\\nb\\nc\\n' > "f-$1"; exit 0`),
    sqlitchCmd: sh(`
      if [ "$1" = two ]; then echo "STEP $1"; printf 'a\\nB\\nc\\n' > "f-$1"; exit 2; fi
      echo "step $1"; printf 'a\\nb\\nc\\n' > "f-$1"; touch extra`),
  });
  const summaries = result.differences.map((d) => `${d.step} ${d.what} ${d.summary}`);
  assert.deepEqual(summaries, [
    "1 tree proj/extra: only in sqlitch's sandbox",
    "2 code exit code: sqitch 0, sqlitch 2",
    "2 stdout stdout differs",
    "2 tree proj/extra: only in sqlitch's sandbox",
    "2 tree proj/f-two: contents differ",
    "3 tree proj/extra: only in sqlitch's sandbox",
    "3 tree proj/f-two: contents differ",
  ]);
  const report = formatReport(result);
  assert.match(report, /^parity: differ: 7 difference\(s\)/);
  assert.match(report, /first, at step 1 `one`: proj\/extra: only in sqlitch's sandbox/);
  assert.match(report, /step 2 `two 'x y'`: exit code: sqitch 0, sqlitch 2/);
  const fileDiff = result.differences.find((d) => d.path === "proj/f-two")!;
  assert.match(fileDiff.detail, /--- sqitch\/proj\/f-two\n\+\+\+ sqlitch\/proj\/f-two\n/);
  assert.match(fileDiff.detail, /\n-b\n\+B\n/);
  const out = result.differences.find((d) => d.what === "stdout")!;
  assert.match(out.detail, /-step two\n\+STEP two/);
});

Deno.test("expectSqlitch documents a deliberate divergence", async () => {
  const sqitchLike = sh(
    `echo "Can't locate object method at /usr/share/perl5/App/Sqitch.pm line 7." >&2; exit 255`,
  );
  const sqlitchLike = sh(`echo "sqlitch: cannot do that" >&2; exit 2`);
  const scenario = (over: Partial<Step> = {}): Scenario => ({
    name: "diverge",
    steps: [{
      argv: ["boom"],
      sqitchCode: 255,
      expectSqlitch: { code: 2, stderr: /^sqlitch: cannot do that\n$/ },
      ...over,
    }],
  });
  const ok = await runScenario(scenario(), { sqitchCmd: sqitchLike, sqlitchCmd: sqlitchLike });
  assert.deepEqual(ok.differences, [], formatReport(ok));

  // Exact-string expectation, and Sqitch's side asserted too.
  const exact = await runScenario(
    scenario({
      expectSqitch: { stderr: /Sqitch\.pm line/ },
      expectSqlitch: { code: 2, stderr: "sqlitch: cannot do that\n" },
    }),
    { sqitchCmd: sqitchLike, sqlitchCmd: sqlitchLike },
  );
  assert.deepEqual(exact.differences, [], formatReport(exact));

  // Without the override the same runs differ.
  const plain = await runScenario({ name: "plain", steps: ["boom"] }, {
    sqitchCmd: sqitchLike,
    sqlitchCmd: sqlitchLike,
  });
  assert.deepEqual(plain.differences.map((d) => d.what), ["code", "stderr"]);

  // A wrong documentation of Sqitch's side is reported as such.
  const wrong = await runScenario(scenario({ sqitchCode: 1 }), {
    sqitchCmd: sqitchLike,
    sqlitchCmd: sqlitchLike,
  });
  assert.deepEqual(wrong.differences.map((d) => d.summary), [
    "sqitch exited 255, the scenario says 1",
  ]);

  // Fields not overridden must still match: stdout here.
  const half = await runScenario(scenario(), {
    sqitchCmd: sqitchLike,
    sqlitchCmd: sh(`echo extra; echo "sqlitch: cannot do that" >&2; exit 2`),
  });
  assert.deepEqual(half.differences.map((d) => d.what), ["stdout"]);
});

Deno.test("ignorePaths, trees: final, and user config options", async () => {
  const program = (tag: string) =>
    sh(`echo ${tag} > "x-$1.db"; mkdir -p cache; echo ${tag} > cache/c; ls -a "$HOME"; \
        cat "$HOME/.sqitch/sqitch.conf" 2>/dev/null; cat "$SQITCH_SYSTEM_CONFIG"`);
  const base: Scenario = {
    name: "ignore",
    userConfig: null,
    homeFiles: { ".bashrc": "# hi\n" },
    systemConfig: "[core]\n\tengine = pg\n",
    steps: ["a", "b"],
    ignorePaths: ["**/*.db", "proj/cache"],
  };
  const r = await runScenario(base, { sqitchCmd: program("A"), sqlitchCmd: program("B") });
  assert.deepEqual(r.differences, [], formatReport(r));
  assert.equal(r.sqitch.outcomes[0].stdout, ".\n..\n.bashrc\n[core]\n\tengine = pg\n");
  assert.deepEqual([...r.sqitch.trees[1]!.keys()], [
    "etc/",
    "etc/sqitch.conf",
    "home/",
    "home/.bashrc",
    "proj/",
  ]);

  const final = await runScenario(
    { ...base, ignorePaths: [/\.db$/], trees: "final" },
    { sqitchCmd: program("A"), sqlitchCmd: program("B") },
  );
  assert.equal(final.sqitch.trees[0], undefined);
  assert.deepEqual(final.differences.map((d) => `${d.step} ${d.summary}`), [
    "2 proj/cache/c: contents differ",
  ]);

  const none = await runScenario(
    { ...base, ignorePaths: [], trees: "none" },
    { sqitchCmd: program("A"), sqlitchCmd: program("B") },
  );
  assert.deepEqual(none.differences, []);
});

Deno.test("permission bits are compared too", async () => {
  const r = await runScenario(
    { name: "modes", steps: ["x"] },
    {
      sqitchCmd: sh(`echo hi > f; chmod 644 f; mkdir d; chmod 755 d`),
      sqlitchCmd: sh(`echo hi > f; chmod 755 f; mkdir d; chmod 700 d`),
    },
  );
  assert.deepEqual(r.differences.map((d) => d.summary), [
    "proj/d/: mode 0755 for sqitch, 0700 for sqlitch",
    "proj/f: mode 0644 for sqitch, 0755 for sqlitch",
  ]);
});

Deno.test("a step that hangs is killed and reported", async () => {
  const r = await runScenario(
    { name: "hang", steps: [{ argv: ["x"], timeoutMs: 300 }] },
    { sqitchCmd: sh("echo quick"), sqlitchCmd: sh("exec sleep 5") },
  );
  assert.match(formatReport(r), /sqlitch timed out/);
});

Deno.test("a program that cannot start is a difference, not a crash", async () => {
  const r = await runScenario(
    { name: "nostart", steps: ["x"] },
    { sqitchCmd: sh("true"), sqlitchCmd: ["/nonexistent/sqlitch"] },
  );
  assert.equal(r.sqlitch.outcomes[0].code, -1);
  assert.match(r.sqlitch.outcomes[0].stderr, /cannot start/);
  assert.deepEqual(r.differences.map((d) => d.what), ["code", "stderr"]);
});

Deno.test({
  name: "a fixed clock reaches Perl and Deno alike (frozen, timers still run)",
  ignore: needsFaketime,
  fn: async () => {
    const perl = [
      "perl",
      "-MPOSIX=strftime",
      "-e",
      `print strftime("%Y-%m-%dT%H:%M:%SZ", gmtime), "\\n"; sleep 1; ` +
      `print strftime("%Y-%m-%dT%H:%M:%SZ", gmtime), "\\n"`,
    ];
    const deno = [
      Deno.execPath(),
      "eval",
      `const f = () => new Date().toISOString().replace(/\\.\\d+Z$/, "Z");
       console.log(f()); await new Promise((r) => setTimeout(r, 1100)); console.log(f());`,
    ];
    const r = await runScenario(
      { name: "clock", clock: DEFAULT_CLOCK, steps: ["", ""].map(() => [] as string[]) },
      { sqitchCmd: perl, sqlitchCmd: deno },
    );
    assert.deepEqual(r.differences, [], formatReport(r));
    assert.equal(r.sqitch.outcomes[1].stdout, "2026-01-02T03:04:05Z\n2026-01-02T03:04:05Z\n");
  },
});

// Real Sqitch on both sides: identical runs must compare equal (through the
// same parityTest registration the real parity tests use).
parityTests([
  {
    name: "kit self-test: sqitch vs sqitch, init/add/config",
    clock: DEFAULT_CLOCK,
    steps: [
      "init flipr --engine sqlite",
      `add users -n "Creates table to track our users."`,
      "config --user core.editor vi",
      "config --list",
      { argv: "plan", sqitchCode: 0 },
      { argv: "nosuchcommand", sqitchCode: 2 },
    ],
  },
  {
    name: "kit self-test: sqitch vs sqitch, no user config, custom system config",
    userConfig: null,
    systemConfig: "[user]\n\tname = System User\n\temail = sys@example.com\n",
    files: { "sqitch.conf": "[core]\n\tengine = pg\n" },
    steps: ["config --get user.name", "config --get core.engine", "config --local --list"],
  },
], { sqlitchCmd: ["sqitch"] });

parityTest({
  name: "kit self-test: a --version divergence expressed with expectSqlitch",
  steps: [{
    argv: "--version",
    expectSqitch: { stdout: /^sqitch \(App::Sqitch\) v1\.3\.1\n$/ },
    expectSqlitch: { stdout: /^sqitch \(App::Sqitch\) v1\.3\.1\n$/ },
  }],
}, { sqlitchCmd: ["sqitch"] });

Deno.test({
  name: "sqitch vs sqitch --quiet: stdout differences are caught, trees still equal",
  ignore: needsSqitch,
  fn: async () => {
    const r = await runScenario(
      {
        name: "quiet",
        clock: DEFAULT_CLOCK,
        steps: ["init flipr --engine sqlite", "add foo -n x"],
      },
      { sqlitchCmd: ["sqitch", "--quiet"] },
    );
    assert.deepEqual(r.differences.map((d) => `${d.step} ${d.what}`), ["1 stdout", "2 stdout"]);
    assert.match(r.differences[0].detail, /^-Created sqitch\.conf$/m);
    assert.equal(r.sqlitch.outcomes[0].stdout, "");
  },
});
