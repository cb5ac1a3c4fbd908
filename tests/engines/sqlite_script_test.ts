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
  errorContext,
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

/**
 * Failing statements: the error line and, where SQLite 3.40 records an error
 * offset, the shell's two context lines (statement window and caret). Each
 * runs after SETUP_FOR_ERRORS in the same script.
 */
const SETUP_FOR_ERRORS =
  "create table users(id integer primary key, name text not null unique, age int check (age > 0));\n" +
  "create table t2(id, x);\ncreate index ix on users(name);\ncreate view v as select id from users;\n" +
  "create trigger tr after insert on users begin select 1; end;\n" +
  "create view badv as select nosuch from users;\n" +
  "create trigger badtr after insert on t2 begin insert into users(id) values (new.nosuch); end;\n" +
  "insert into users values (1, 'a', 3);\n";

const FAILING: string[] = [
  "CREATE TABLE users (id INTEGER);",
  "create table main.users(x);",
  'create table if not exists users(x); create table "users"(x);',
  "create temp table users(x); create table temp.users(x);",
  "create virtual table users using fts5(a);",
  "create view v as select 1;",
  "create view users as select 1;",
  "create trigger tr after insert on users begin select 1; end;",
  "create index ix on users(name);",
  "create index users on t2(id);",
  "create table users (\n  id int,\n  name text\n);",
  "select * from nosuch;",
  "select nosuchcol from users;",
  "select users.nosuch from users;",
  "select Users.NoSuch from users;",
  "select [nosuch] from users;",
  "select id from users, t2;",
  "select u.id, id from users u, t2;",
  "select abs(1,2);",
  "select abs(1), abs(1,2), abs(3,4);",
  "select nosuchfn(1);",
  "select abs(1) + nosuchfn(2) + nosuchfn(3);",
  "select 1 from users where count(*) > 1;",
  "select id from users where count(*) > 1 and count(*) > 2;",
  "select row_number() from users;",
  "select abs(id) over () from users;",
  "selec 1;",
  "select 1 +;",
  "select (1;",
  "select 'abc",
  "select 1 from users where;",
  "select fromage, from users;",
  "select 1 = = 2;",
  "select 123abc;",
  "select 'abc' = x'zz';",
  "select #1;",
  "create table x(a int,, b int);",
  "create table x(a int, b int, primary key(a), foreign key(b) references nosuch(id), c text);",
  "select id from users where id = 1 and id = 2 and id = 3 and id = 4 and id = 5 and id = 6 +;",
  "insert into users values(1);",
  "insert into users(nosuch) values(1);",
  "update users set nosuch = 1;",
  "update users set name = nosuch;",
  "update users set (name, nosuch) = ('a', 1);",
  "update users set name = 'x' where nosuch = 1;",
  "update users set name = coalesce(nosuch, 1);",
  "delete from users where nosuch = 1;",
  "insert into users values(5, 'q', 1) on conflict(nosuch) do nothing;",
  "insert into users values(1, 'q', 1) on conflict(id) do update set nosuch = 1;",
  "insert into users values(5, 'q', 1) returning nosuch;",
  "insert into users select * from t2 where nosuch;",
  "select u.id from users u join t2 on u.id = t2.nosuch;",
  "select 1 from users u join t2 on (u.id = nosuch);",
  "select 1 from users u left join t2 on u.id = t2.id and nosuch;",
  "select 1 from users u join t2 on u.id = t2.id where nosuch;",
  "select 1 from users u join t2 on u.id in (select nosuch from t2);",
  "select 1 from users u join t2 on abs(1, 2);",
  "select * from users natural join t2 where x.y = 1;",
  "create index ix2 on users(nosuch);",
  "create index ix3 on users(id) where nosuch > 1;",
  "alter table users drop column nosuch;",
  "alter table users rename column nosuch to x;",
  "alter table nosuch add column y;",
  "drop table nosuch;",
  "drop view nosuch;",
  "select * from badv;",
  "insert into t2 values (1, 2);",
  "select * from users order by 5;",
  "select id from users group by id having nosuch > 1;",
  "select 1 limit nosuch;",
  "with c as (select 1) select nosuch from c;",
  "select id from users\n where nosuch = 1;",
  "select id,\n   name,\n   nosuchcol\n from users;",
  "select 1; selec 2;",
  "/* comment */ select nosuch from users;",
  "-- comment\nselect nosuch from users;",
  "create table users(x); -- trailing comment",
  "create table users(x); select 1; select 2; select 3;",
  "select 1;   select nosuch from users; select 2;",
  "select id, name from users where id = 1 or id = 2 or id = 3 or id = 4 or id = 5 or id = 6 or nosuch = 1;",
  "select 1 from users where name = 'abcdefghijklmnopqrstuvwxyz0123456789' and nosuch and id in (1, 2, 3, 4, 5, 6, 7, 8, 9);",
  "select 'éééééééééééééééééééééééééééééééééééé', nosuch from users;",
  "select 'ééé', nosuch from users;",
  "select 'é',\tnosuch from users;",
  "select\tnosuch\tfrom users;",
  "select '日本語のテキスト', '日本語のテキスト', '日本語のテキスト', nosuch from users;",
  "select id from users where name = 'x' and\n\n\n\n  nosuch = 1 and id in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22);",
  "select * from users where id = 1 and\n  id in (select id from t2 where\n    t2.x = nosuch.y);",
  "create table nosuchdb.x(a);",
  "select * from nosuchdb.users;",
  "insert into users values(1,'b',4);",
  "insert into users values(3,null,4);",
  "insert into users values(4,'z',-1);",
  "select nosuch1 + nosuch2 from users;",
  "select abs(1,2) + nosuch from users;",
  "select id from users where nosuch > 1 and nosuch < 5;",
  "select nosuch as n from users order by n;",
  "select x.id from users as x where x.nosuch = 1;",
  "create table w(a, check (nosuch > 0));",
  "create table w(a, b as (nosuch + 1));",
  "create trigger tr9 after insert on users when nosuch begin select 1; end;",
  "create trigger tr9 after insert on users begin select nosuch from t2; end; select 1 from users where nosuch;",
  "select sum(id) over (order by nosuch) from users;",
  "select count(*) filter (where nosuch) from users;",
  "select case when nosuch then 1 end from users;",
  "select * from users where id in (select nosuch from t2 where x = 1);",
  "select * from (select id from users) where nosuch = 1;",
  "select max(id, nosuch) from users;",
  "select 1 from users where abs(nosuch) > 1 and abs() > 1;",
  "select from users;",
  "insert into users values (2, 'b', 1) (3, 'c', 1);",
  "create table z(a text, b integer primary key autoincrement, c text) without rowid;",
  "begin; create table z(a); commit; create table z(a);",
  "select 1 from users u join t2 using (id) where u.nosuch = 1;",

  "select 'from x' as a, from users;",
  "select 'nosuch' as a, nosuch from users;",
  "select (1",
  "select 1 +",
  "create trigger t9 after insert on users begin\n  insert into t2 values (1, 2)\n  select 3;\nend;",
  "create trigger t9 after insert on users begin\n  insert into t2 values (new.id, 2);\n  update t2 set x = nosuch;\nend;",
  "select 1;\r\nselect nosuch\r\n  from users;\r\n",
  'select "no such" from users;',
  "select [no such] from users;",
  "select `nosuch` from users;",
  "select 1 from users u join t2 on nosuch = 1 join t2 as t3 on t3.id = nosuch;",
  "select id from users u join t2 on u.id = t2.id;",
  "select id from users u join t2 on u.id = id;",
  "select * from users a inner outer join t2 b;",
  "select * from users cross left join t2;",
  "select sum(id) over w from users;",
  "select 0x123456789abcdef0123;",
  "select count(distinct id, name) from users;",
  "select * from users join nosuch on 1;",
  "select 1 from users where id = 1 and id = 2 and id = 3 and id = 4 and nosuch;",
  "select 1 from users where id = 1 and id = 2 and id = 3 and id = 4 and ab nosuch;",
  "select 12345678901234567890, nosuch from users;",
  "select 123456789012345678901, nosuch from users;",
  "select 1234567890123456789012345678901234567890123456789012345678901234567890123456789, nosuch from users;",
  "select 1, nosuch, 1234567890123456789012345678901234567890123456789012345678901234567890123456789 from users;",
  "select 'ééééééééééééééééééééééééééééééééééééééé', nosuch, 'ééééééééééééééééééééééééééééééééé' from users;",
  "select '🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂', nosuch, '🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂' from users;",
  "SELECT Id FROM Users WHERE NoSuch = 1;",
  "select id from users where id = 1 group by id having count(*) > 1 order by nosuch;",
  "insert into t2 values (1, nosuch);",
  "insert into t2 values (1, 2), (3, abs(1, 2));",
  "values (1), (nosuch);",
  "create view v9 as select nosuch from users; select * from v9;",
  "create table users(id integer primary key);\ncreate table users2(id integer primary key);",
  "  \t  create table users(x);",
  "select 1; /* c; */ create table users(x);",
  "select 1 /* c */; create table t2 (x) ;",
  "explain select nosuch from users;",
  "explain query plan select nosuch from users;",
  "create table if not exists users(x); create table if not exists users(x); create table main.t2(x);",
  "create temporary view v as select 1; create view temp.v as select 2;",
  "create trigger if not exists tr after insert on users begin select 1; end; create trigger main.tr after insert on users begin select 1; end;",
  "select * from users where id = ?1 and nosuch = :a;",
  "select 1 from users where 1 = 1 and 2 = 2 and 3 = 3 and nosuch.id = 1;",
  "select users.id from users, users;",
  "select t2.id, id from users join t2;",
  "select count(*) from users where id = max(id);",
  "select * from users group by count(id);",
  "select * from users where id = (select max(id) from t2 where t2.x = avg(users.id));",
  "select rank() over (order by id), nosuch from users;",
  "select first_value() over () from users;",
  "select ntile(1, 2) over () from users;",

  "select 1 from users u, t2 on u.id = nosuch;",
  "select 1 from (select 1 as a) s join t2 on s.a = nosuch;",
  "select 1 from (select 1 as a) s join t2 on s.a = t2.id where nosuch;",
  "insert into t2 values (1, 2) returning abs(1, 2);",
  "update t2 set x = 1 from users where users.nosuch = 1;",
  "update t2 set x = nosuch from users where users.id = 1;",
  "insert into users values (1, 'a', 1) on conflict(id) do update set name = 'x' where nosuch;",
  "select id from users window w as (order by nosuch);",
  "select sum(id) over w from users window w as (order by nosuch);",
  "create index ix4 on users(nosuch + 1);",
  "select users from users;",
  "select u.nosuch from users u;",
  "select nosuch from users where nosuch in (select nosuch from t2);",
  "select (select id from t2 limit 1), id from users, t2;",
  "select nosuch from (select nosuch from t2);",
  "select abs(1,2), abs(3,4);",
  "select nosuchfn(1), nosuchfn(2);",
  "select (select nosuchfn(1)), nosuchfn(2) from users;",
  "select id from users order by nosuch, nosuch;",
  "select id from users where id = 1 and nosuch = 2 order by nosuch;",
  "select id as nosuch from users where nosuch = 1 and nosuch2 = 2;",
  "delete from users where id in (select id from t2 where nosuch);",
  "select * from users where exists (select 1 from t2 where t2.nosuch = users.id);",
  "select * from users where id = 1\n  and name = 'x'\n  and age = 3\n  and nosuch = 4;",
  "create table users(x);\nselect 1;",
  "create table t3(a);\n\n\ncreate table t3(b);",
  "create table t4(a); create table t4(b);",
  "create table users as select 1;",
  "select 1 union select nosuch from users;",
  "select nosuch from users union select 1;",
  "select 1 union select 2 order by nosuch;",
  "select coalesce(nosuch, 1) from users;",
  "select * from users limit 1 offset nosuch;",
  "insert into users default values returning nosuch;",
  "select json_extract(name) from users;",
  "select t.* from users;",
  "select users.* , nosuch.* from users;",

  "insert into t2 values (1, 2) returning id as i, nosuch;",
  "select 1 from users u join t2 on case when nosuch then 1 end;",
  "select 1 from users u join t2 on cast(nosuch as int) = 1;",
  "select 1 from users u join t2 as x on x.id = cast(1 as int) and nosuch;",
  "select case when nosuch then 1 end as a from users;",
  "select id as a, nosuch as b from users;",
  "create view v5 as select nosuch from users; select 1 from nosuch2;",
  "with c as (select nosuch from users) select * from c;",
  "create table w2(a, b default (1), check (nosuch > 0));",
  "create trigger tr9 after insert on users when new.nosuch > 1 begin select 1; end;",

  "select 1 from users u join t2 on u.id between nosuch and 2;",
  "select 1 from users u join t2 on u.id between 1 and nosuch;",
  "select 1 from users u join t2 on u.id between 1 and 2 and nosuch;",
  "select 1 from users u join t2 on nosuch between 1 and 2;",
  "select 1 from users u join t2 on u.id in (nosuch, 2);",
  "select 1 from users u join t2 on (u.id, nosuch) = (1, 2);",
  "select 1 from users u join t2 on case nosuch when 1 then 2 end;",
  "select 1 from users u join t2 on case when 1 then 2 end and nosuch;",
  "select 1 from users u join t2 on coalesce(nosuch, 1);",
  "select 1 from users u join t2 on u.id = 1 or abs(nosuch);",
];

const dec = new TextDecoder();

function cli(dir: string, args: string[]) {
  const r = new Deno.Command("sqlite3", { args, cwd: dir, stdout: "piped", stderr: "piped" })
    .outputSync();
  return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
}

const SCRIPTS: [string, string][] = [
  ...CORPUS.map((s, i): [string, string] => [`sqlite script #${i}`, s]),
  ...FAILING.map((s, i): [string, string] => [`sqlite error #${i}`, SETUP_FOR_ERRORS + s]),
];

for (const [label, script] of SCRIPTS) {
  const shown = label.startsWith("sqlite error") ? script.slice(SETUP_FOR_ERRORS.length) : script;
  Deno.test({
    name: `${label} matches sqlite3: ${JSON.stringify(shown.slice(0, 60))}`,
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

Deno.test("sqlite script: the caret context is built like sqlite3 3.40's", () => {
  equal(errorContext("select 1;", -1), "");
  equal(
    errorContext("CREATE TABLE users (id INTEGER);", 13),
    "\n  CREATE TABLE users (id INTEGER);\n               ^--- error here",
  );
  equal(
    errorContext("select 1 from users\nwhere;", 25),
    "\n  select 1 from users where;\n             error here ---^",
  );
  // Byte offsets; the window (50 bytes before the error, 78 in all) keeps
  // UTF-8 characters whole; whitespace shows as spaces.
  const sql = "select '" + "é".repeat(39) + "',\tnosuch, '" + "é".repeat(33) + "' from users;";
  equal(
    errorContext(sql, sql.indexOf("nosuch")),
    "\n  " + "é".repeat(23) + "', nosuch, '" + "é".repeat(10) + "\n  " + " ".repeat(35) +
      "error here ---^",
  );
});
