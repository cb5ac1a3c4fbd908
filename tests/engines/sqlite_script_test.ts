/**
 * The sqlite3-shell emulation against the real `sqlite3` CLI run the way
 * Sqitch runs it (`sqlite3 -noheader -bail -batch -csv DB ".read 'FILE'"`):
 * same stdout, stderr and exit status, and the same database afterwards
 * (compared with `sqlite3 DB .dump`).
 */
import { deepStrictEqual, equal } from "node:assert/strict";
import { parityAvailability } from "../parity/kit.ts";
import { CapturedOutput } from "../../engines/engine.ts";
import {
  formatReal,
  isComplete,
  runSqliteScript,
  splitStatements,
} from "../../engines/sqlite_script.ts";

const availability = parityAvailability(["sqlite3"]);

/** Tricky scripts: triggers, strings with `;`, comments, own transactions, errors, output. */
const CORPUS: string[] = [
  "create table t(a);\ninsert into t values(1);\nselect a, NULL, 'x,y', 'q\"t', 'line1\nline2', 1.5, x'4142' from t;\nselect * from nosuch;\ninsert into t values(2);",
  "select 1;\n  selectx 2;",
  "create table t(a);\nbegin;\ninsert into t values(3);\ninsert into t values(3,4);\ncommit;",
  "create table u(a primary key);\ninsert into u values(1);\ninsert into u values(1);",
  "create table u(a);\nselect nosuchcol from u;",
  "create table u(a);\nselect * from u where a = 'x;y' and\n  foo bar;",
  "select 1;\n\n\n  -- c\n  select 2 +;",
  "create table u(a);\ncreate trigger tr after insert on u begin\n  insert into u values(new.a+100);\nend;\ninsert into u values(5);\nselect * from u order by a;",
  "select 12345678901234567890123456789012345678901234567890, 1234567890 + ) from u;",
  "select abs(1,2);",
  "/* unterminated comment\nselect 1;",
  "select 1",
  "select 1 -- trailing;\n;",
  "select 'a'\n;select 'b';",
  "select 'a b', 'a''b', '\u00e9', char(127), '', 'ab', 1.0, 1e20, 0.1+0.2, 1e-5, 123456789012345678, 2.5e15, -0.0, 1e15, 1e14;",
  "select 1 union all select abs(-9223372036854775807-1);",
  "create temp trigger if not exists x after insert on t begin select 1; select 'end;'; end; select 7;",
  'create table "a;b"(x); insert into "a;b" values (\'; -- not a comment\'); /* ; */ select * from [a;b];',
  "BEGIN;\nCREATE TABLE users (nickname TEXT PRIMARY KEY, password TEXT NOT NULL);\nCOMMIT;\nSELECT name FROM sqlite_master;",
  "select 1;\nselect 'unterminated\n",
  "create table t(a primary key, b);\nBEGIN;\ninsert into t values(1, 'x');\ninsert into t values(1, 'y');\nCOMMIT;",
  "create table t(a);\ncreate trigger trg before insert on t begin\n  select case when new.a < 0 then raise(abort, 'negative; not allowed') end;\nend;\ninsert into t values(1);\ninsert into t values(-1);\ninsert into t values(2);",
  "",
  "-- only a comment\n/* and another\n   spanning lines */",
  "pragma user_version = 5;\npragma user_version;",
  "with recursive n(i) as (select 1 union all select i + 1 from n where i < 5) select i, i * 1.5, 'v' || i from n;",
  "create table r(id integer primary key, v text);\ninsert into r(v) values ('a'), ('b,c') returning id, v;",
  "create table t(a); create view v as select a from t; insert into t values (1); select * from v; select * from nosuchview;",
  "select 'x' as a,\n  'a very long line that goes on and on and on and on and on and on and on' as b,\n  c as d;",
  '.headers on\nselect 1 as "a b", 2 as c;',
  "select 'tab\there', ' lead', 'trail ', '\"', 'semi;colon', char(10), X'00';",
  "CREATE TABLE a(x);\nINSERT INTO a VALUES (1);\nSAVEPOINT s1;\nINSERT INTO a VALUES (2);\nROLLBACK TO s1;\nRELEASE s1;\nSELECT count(*) FROM a;",
  "create table t(x);\ninsert into t values (1)\n  , (2)\n  , (3);;\nselect group_concat(x, ';') from t;",
  "select 1;\n# hash comment line\nselect 2;\nselect 1;\nselect 2;\n",
];

const dec = new TextDecoder();

function cli(dir: string, args: string[]) {
  const r = new Deno.Command("sqlite3", { args, cwd: dir, stdout: "piped", stderr: "piped" })
    .outputSync();
  return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
}

for (const [i, script] of CORPUS.entries()) {
  Deno.test({
    name: `sqlite script #${i} matches sqlite3: ${JSON.stringify(script.slice(0, 40))}`,
    ignore: availability.status === "skip",
    fn: () => {
      if (availability.status === "fail") throw new Error(availability.reason);
      const dir = Deno.makeTempDirSync({ prefix: "sqlitch-script-" });
      try {
        Deno.writeTextFileSync(`${dir}/s.sql`, script);
        const real = cli(dir, ["-noheader", "-bail", "-batch", "-csv", "real.db", ".read 's.sql'"]);
        const out = new CapturedOutput();
        const ours = runSqliteScript(`${dir}/ours.db`, `${dir}/s.sql`, out);
        // Paths in messages are the script path as given; ours was absolute.
        deepStrictEqual(
          { code: ours.status, stdout: out.out, stderr: out.err.replaceAll(`${dir}/`, "") },
          real,
        );
        const dump = (db: string) => cli(dir, [db, ".dump"]).stdout;
        equal(dump("ours.db"), dump("real.db"));
      } finally {
        Deno.removeSync(dir, { recursive: true });
      }
    },
  });
}

Deno.test("sqlite script: unsupported dot-commands stop with the script and line", () => {
  const dir = Deno.makeTempDirSync({ prefix: "sqlitch-script-" });
  try {
    Deno.writeTextFileSync(`${dir}/s.sql`, "select 1;\n.mode list\nselect 2;\n");
    const out = new CapturedOutput();
    const r = runSqliteScript(`${dir}/db`, `${dir}/s.sql`, out);
    equal(r.status, 1);
    equal(out.out, "1\n");
    equal(
      out.err,
      `Error: ${dir}/s.sql line 2: unsupported dot-command ".mode" ` +
        `(sqlitch supports .bail, .headers, .print and .read)\n`,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("sqlite script: a missing script is reported like sqlite3", () => {
  const out = new CapturedOutput();
  const dir = Deno.makeTempDirSync({ prefix: "sqlitch-script-" });
  try {
    const r = runSqliteScript(`${dir}/db`, "nope.sql", out);
    equal(r.status, 1);
    equal(out.err, 'Error: cannot open "nope.sql"\n');
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("sqlite script: statement completeness and splitting", () => {
  equal(isComplete("select 1;"), true);
  equal(isComplete("select ';'"), false);
  equal(isComplete("create trigger t after insert on x begin select 1;"), false);
  equal(isComplete("create trigger t after insert on x begin select 1; end;"), true);
  equal(isComplete("create temp trigger t after insert on x begin select case 1 end; end ;"), true);
  equal(isComplete("select 1; /* open"), false);
  deepStrictEqual(splitStatements("select 1;  select ';'; ; -- c\n"), ["select 1;", "select ';';"]);
  deepStrictEqual(
    splitStatements("create trigger t after insert on x begin select 1; end; select 2"),
    ["create trigger t after insert on x begin select 1; end;", "select 2"],
  );
});

Deno.test("sqlite script: REAL values print as SQLite's %!.15g", () => {
  deepStrictEqual(
    [1, 1.5, 1e20, 0.1 + 0.2, 1e-5, 2.5e15, 1e15, 1e14, -2.25, 123.456e-10].map(formatReal),
    [
      "1.0",
      "1.5",
      "1.0e+20",
      "0.3",
      "1.0e-05",
      "2.5e+15",
      "1.0e+15",
      "100000000000000.0",
      "-2.25",
      "1.23456e-08",
    ],
  );
});
