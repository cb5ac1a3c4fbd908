import assert from "node:assert/strict";
import {
  canonicalEngineOf,
  canonicalUri,
  DbUri,
  defaultPortOf,
  isDbUriString,
  normalizeDbUri,
} from "../../core/uri.ts";

type Row = [
  uri: string,
  engine: string | undefined,
  host: string | undefined,
  port: string | undefined,
  user: string | undefined,
  password: string | undefined,
  dbname: string | undefined,
];

// targets-and-uris.md §1, every row of the accessor table.
const S1: Row[] = [
  ["db:sqlite:foo.db", "sqlite", undefined, undefined, undefined, undefined, "foo.db"],
  ["db:sqlite:/abs/foo.db", "sqlite", undefined, undefined, undefined, undefined, "/abs/foo.db"],
  ["db:sqlite://foo.db", "sqlite", "foo.db", undefined, undefined, undefined, undefined],
  ["db:sqlite:///abs/foo.db", "sqlite", "", undefined, undefined, undefined, "abs/foo.db"],
  ["db:sqlite:////abs/foo.db", "sqlite", "", undefined, undefined, undefined, "/abs/foo.db"],
  ["db:sqlite:../rel.db", "sqlite", undefined, undefined, undefined, undefined, "../rel.db"],
  ["db:sqlite://../rel.db", "sqlite", "..", undefined, undefined, undefined, "rel.db"],
  ["db:sqlite:C:/x.db", "sqlite", undefined, undefined, undefined, undefined, "C:/x.db"],
  ["db:pg:", "pg", undefined, undefined, undefined, undefined, undefined],
  ["db:pg:mydb", "pg", undefined, undefined, undefined, undefined, "mydb"],
  ["db:pg://", "pg", "", undefined, undefined, undefined, undefined],
  ["db:pg:///mydb", "pg", "", undefined, undefined, undefined, "mydb"],
  ["db:pg://h", "pg", "h", undefined, undefined, undefined, undefined],
  ["db:pg://h/", "pg", "h", undefined, undefined, undefined, ""],
  ["db:pg://h:1/d?a=1&b=2", "pg", "h", "1", undefined, undefined, "d"],
  ["db:pg://u:p@h:1/d", "pg", "h", "1", "u", "p", "d"],
  ["db:pg://[::1]:5432/d", "pg", "::1", "5432", undefined, undefined, "d"],
  ["db:pg://u%40x:p%3Aw@h/d", "pg", "h", undefined, "u@x", "p:w", "d"],
  ["db:pg://%2Fvar%2Frun/db", "pg", "/var/run", undefined, undefined, undefined, "db"],
  ["db:mysql://u@h/d?mysql_socket=/tmp/x", "mysql", "h", undefined, "u", undefined, "d"],
  ["db:mysql:d", "mysql", undefined, undefined, undefined, undefined, "d"],
  ["db:", undefined, undefined, undefined, undefined, undefined, undefined],
  ["db:pg", undefined, undefined, undefined, undefined, undefined, "pg"],
  ["pg://h/d", "pg", "h", undefined, undefined, undefined, "d"],
  ["DB:PG://H/d", "pg", "H", undefined, undefined, undefined, "d"],
];

Deno.test("uri: §1 accessor table", () => {
  for (const [text, engine, host, port, user, password, dbname] of S1) {
    const u = DbUri.parse(text);
    assert.equal(u.engine, engine, `engine of ${text}`);
    assert.equal(u.host, host, `host of ${text}`);
    assert.equal(u.port, port, `port of ${text}`);
    assert.equal(u.user, user, `user of ${text}`);
    assert.equal(u.password, password, `password of ${text}`);
    assert.equal(u.dbname, dbname, `dbname of ${text}`);
  }
});

Deno.test("uri: string form keeps the text, adds db: when missing", () => {
  assert.equal(DbUri.parse("db:pg://u:p@h:1/d").toString(), "db:pg://u:p@h:1/d");
  assert.equal(DbUri.parse("DB:PG://H/d").toString(), "DB:PG://H/d");
  assert.equal(DbUri.parse("pg://h/d").toString(), "db:pg://h/d");
  assert.equal(DbUri.parse("db:").toString(), "db:");
  assert.equal(DbUri.parse("  db:pg://h/d  ").toString(), "db:pg://h/d");
  assert.equal(DbUri.parse("<db:pg://h/d>").toString(), "db:pg://h/d");
  assert.equal(DbUri.parse("db:sqlite:foo bar.db").toString(), "db:sqlite:foo%20bar.db");
  assert.equal(DbUri.parse("db:sqlite:foo bar.db").dbname, "foo bar.db");
  assert.equal(DbUri.parse("db:pg://Bücher.DE/é").toString(), "db:pg://xn--bcher-kva.DE/%C3%A9");
  assert.equal(DbUri.parse("db:pg://Bücher.DE/é").dbname, "é");
  assert.equal(DbUri.parse("db:pg://a b/c").toString(), "db:pg://a%20b/c");
  // Square brackets are restored in hosts, except for sqlite.
  assert.equal(DbUri.parse("db:pg://[::1]/x").toString(), "db:pg://[::1]/x");
  assert.equal(DbUri.parse("db:sqlite://a[b]/x").toString(), "db:sqlite://a%5Bb%5D/x");
});

Deno.test("uri: query parameters in order, grouped by key", () => {
  assert.deepEqual(DbUri.parse("db:pg://h:1/d?a=1&b=2").queryParams, [["a", "1"], ["b", "2"]]);
  assert.deepEqual(DbUri.parse("db:pg://h/d?a=1&b&a=3&&c=%20+x;d=e").queryParams, [
    ["a", "1"],
    ["a", "3"],
    ["b", ""],
    ["", ""],
    ["c", "  x"],
    ["d", "e"],
  ]);
  assert.deepEqual(DbUri.parse("db:pg://h/d?foo").queryParams, []);
  assert.deepEqual(DbUri.parse("db:mysql://u@h/d?mysql_socket=/tmp/x").queryParams, [
    ["mysql_socket", "/tmp/x"],
  ]);
  assert.equal(DbUri.parse("db:pg://h/d?x=1#frag").query, "x=1");
  assert.equal(DbUri.parse("db:pg://h/d?x=1#frag").fragment, "frag");
});

Deno.test("uri: canonical engines and default ports", () => {
  const engines: [string, string, number | undefined][] = [
    ["pg", "pg", 5432],
    ["postgres", "pg", 5432],
    ["postgresql", "pg", 5432],
    ["pgsql", "pg", 5432],
    ["pgxc", "pg", 5432],
    ["postgresxc", "pg", 5432],
    ["redshift", "pg", 5432],
    ["yugabyte", "pg", 5433],
    ["yugabytedb", "pg", 5433],
    ["cockroach", "cockroach", 26257],
    ["cockroachdb", "cockroach", 26257],
    ["sqlite", "sqlite", undefined],
    ["sqlite3", "sqlite", undefined],
    ["mysql", "mysql", 3306],
    ["mariadb", "mysql", 3306],
    ["maria", "mysql", 3306],
    ["oracle", "oracle", 1521],
    ["firebird", "firebird", 3050],
    ["vertica", "vertica", 5433],
    ["exasol", "exasol", 8563],
    ["snowflake", "snowflake", 443],
    ["clickhouse", "clickhouse", undefined],
    ["sqlserver", "mssql", 1433],
    ["interbase", "interbase", 3050],
    ["foo", "foo", undefined],
  ];
  for (const [scheme, canon, port] of engines) {
    const u = DbUri.parse(`db:${scheme}://h/d`);
    assert.equal(u.canonicalEngine, canon, scheme);
    assert.equal(u.defaultPort, port, scheme);
    assert.equal(canonicalEngineOf(scheme), canon);
    assert.equal(defaultPortOf(scheme), port);
  }
  assert.equal(DbUri.parse("db:POSTGRES://h/d").canonicalEngine, "pg");
  assert.equal(DbUri.parse("db:").canonicalEngine, undefined);
  assert.equal(DbUri.parse("db:pg").canonicalEngine, undefined);
  assert.equal(DbUri.parse("db:pg:").hasRecognizedEngine, true);
  assert.equal(DbUri.parse("db:clickhouse:").hasRecognizedEngine, false);
});

// targets-and-uris.md §3: the displayed (password-stripped) form.
Deno.test("uri: password-stripped display form", () => {
  const rows: [string, string][] = [
    ["db:pg://user:secret@host:5433/mydb", "db:pg://user:@host:5433/mydb"],
    ["db:pg://u%40x:p%3Aw@h/d", "db:pg://u%40x:@h/d"],
    [
      "db:pg://user:secret@host/mydb?sslmode=require&connect_timeout=10",
      "db:pg://user:@host/mydb?sslmode=require&connect_timeout=10",
    ],
    ["db:mysql://root:pw@127.0.0.1:3307/flipr", "db:mysql://root:@127.0.0.1:3307/flipr"],
    ["db:oracle://u:p@h/db", "db:oracle://u:@h/db"],
    ["db:pg://:secret@host/db", "db:pg://host/db"],
    ["db:pg://u:@h/d", "db:pg://u:@h/d"],
    // Perl-false passwords are not stripped.
    ["db:pg://u:0@h/d", "db:pg://u:0@h/d"],
    ["db:postgres://h/d", "db:postgres://h/d"],
    ["db:cockroach://root@localhost:26257/flipr", "db:cockroach://root@localhost:26257/flipr"],
  ];
  for (const [input, shown] of rows) assert.equal(DbUri.parse(input).toDisplayString(), shown);
});

Deno.test("uri: -u/-h/-p/-d rewrites", () => {
  const flipr = DbUri.parse("db:sqlite:flipr.db");
  assert.equal(
    flipr.withUser("user").withHost("host").withPort(1234).toString(),
    "db:sqlite://user@host:1234/flipr.db",
  );
  assert.equal(
    flipr.withHost("host").withUser("user").withPort(1234).toString(),
    "db:sqlite://user@host:1234/flipr.db",
  );
  assert.equal(flipr.withDbname("other.db").toString(), "db:sqlite:other.db");
  assert.equal(
    flipr.withHost("a@b").withUser("u:x@y").toString(),
    "db:sqlite://u%3Ax%40y@a%40b/flipr.db",
  );
  assert.equal(flipr.withHost("::1").toString(), "db:sqlite://[::1]/flipr.db");
  assert.equal(flipr.withDbname("d#?x y").toString(), "db:sqlite:d%23%3Fx%20y");
  assert.equal(flipr.withHost("Bücher.DE").toString(), "db:sqlite://xn--bcher-kva.DE/flipr.db");
  assert.equal(DbUri.parse("db:sqlite:").withUser("u").withPort(5).toString(), "db:sqlite://u@:5");
  assert.equal(DbUri.parse("db:pg:").withDbname("flipr").toString(), "db:pg:flipr");
  assert.equal(DbUri.parse("db:pg://h").withDbname("x").toString(), "db:pg://h/x");
  assert.equal(DbUri.parse("db:pg://h/old").withDbname("x").toString(), "db:pg://h/x");
  assert.equal(DbUri.parse("db:pg://h/old").withDbname(undefined).toString(), "db:pg://h");
  assert.equal(DbUri.parse("db:pg://u:p@h:1/d").withPort(undefined).toString(), "db:pg://u:p@h/d");
  assert.equal(DbUri.parse("db:pg://u:p@h/d").withUser(undefined).toString(), "db:pg://:p@h/d");
  assert.equal(DbUri.parse("db:pg://u@h/d").withUser(undefined).toString(), "db:pg://h/d");
  assert.equal(DbUri.parse("db:pg://h/d").withHost("x:99").toString(), "db:pg://x:99/d");
  assert.equal(DbUri.parse("db:pg://u@h:5/d").withHost("x").toString(), "db:pg://u@x:5/d");
  assert.equal(DbUri.parse("db:pg://u@h/d").withPassword("p%w").toString(), "db:pg://u:p%25w@h/d");
  assert.equal(DbUri.parse("db:pg://u:p%25w@h/d").password, "p%w");
});

Deno.test("uri: path segments", () => {
  assert.deepEqual(DbUri.parse("db:sqlite:dir/foo.db").pathSegments, ["dir", "foo.db"]);
  assert.deepEqual(DbUri.parse("db:sqlite:").pathSegments, []);
  assert.deepEqual(DbUri.parse("db:pg://h/").pathSegments, ["", ""]);
  assert.deepEqual(DbUri.parse("db:sqlite:foo;x=1.db").pathSegments, [["foo", "x=1.db"]]);
  assert.equal(DbUri.parse("db:sqlite:foo;x=1.db").dbname, "foo");
  assert.equal(
    DbUri.parse("db:sqlite:dir/foo.db").withPathSegments(["dir", "a b;c/d"]).toString(),
    "db:sqlite:dir/a%20b%3Bc%2Fd",
  );
});

Deno.test("uri: canonical database URI", () => {
  assert.equal(
    DbUri.parse("db:cockroach://root@localhost:26257/x").canonical(),
    "cockroach://root@localhost/x",
  );
  assert.equal(DbUri.parse("db:PG://H/D").canonical(), "pg://h/D");
  assert.equal(DbUri.parse("db:postgres://H:5432/d").canonical(), "pg://h/d");
  assert.equal(DbUri.parse("db:pg://H:5433/d").canonical(), "pg://h:5433/d");
  assert.equal(DbUri.parse("db:yugabyte://h:5433/d").canonical(), "pg://h/d");
  assert.equal(DbUri.parse("db:sqlite3:foo.db").canonical(), "sqlite:foo.db");
  assert.equal(DbUri.parse("db:pg://h:/d").canonical(), "pg://h/d");
  assert.equal(DbUri.parse("db:sqlite:%41b.db").canonical(), "sqlite:Ab.db");
});

Deno.test("uri: normalisation when storing", () => {
  assert.equal(normalizeDbUri("sqlite:foo.db"), "db:sqlite:foo.db");
  assert.equal(normalizeDbUri("pg://host/db"), "db:pg://host/db");
  assert.equal(normalizeDbUri("http://x"), "db:http://x");
  assert.equal(normalizeDbUri("db:nosuch:x"), "db:nosuch:x");
  assert.equal(
    normalizeDbUri("db:pg://admin:s3cret@db.example.com:5433/proddb"),
    "db:pg://admin:s3cret@db.example.com:5433/proddb",
  );
  assert.equal(normalizeDbUri("DB:PG:x"), "DB:PG:x");
});

Deno.test("uri: isDbUriString needs a literal db: prefix", () => {
  assert.equal(isDbUriString("db:pg:"), true);
  assert.equal(isDbUriString("DB:sqlite:y.db"), true);
  assert.equal(isDbUriString("db:"), true);
  assert.equal(isDbUriString("pg://h/d"), false);
  assert.equal(isDbUriString("pg:x"), false);
  assert.equal(isDbUriString("db"), false);
  assert.equal(isDbUriString("dbx:y"), false);
});

// Values checked against Perl: URI->new($text)->canonical (and the %uri line of `sqitch init --uri`).
Deno.test("uri: canonical project URIs", () => {
  const rows: [string, string][] = [
    ["https://Example.COM:443/x", "https://example.com/x"],
    ["HTTPS://Example.COM:443/x/%7euser/%3f?q=%41", "https://example.com/x/~user/%3F?q=A"],
    ["http://example.com", "http://example.com/"],
    ["http://example.com?x", "http://example.com?x"],
    ["http://EXAMPLE.com:8080", "http://example.com:8080/"],
    ["https://github.com/sqitchers/sqitch-intro/", "https://github.com/sqitchers/sqitch-intro/"],
    ["ftp://U@FTP.Example.com:21/pub", "ftp://U@ftp.example.com/pub"],
    ["urn:ISBN:0-395-36341-1", "urn:isbn:0-395-36341-1"],
    ["URN:Foo:Bar", "urn:foo:Bar"],
    ["file://LocalHost/tmp/x", "file:///tmp/x"],
    ["file:/tmp/x", "file:///tmp/x"],
    ["mailto:Joe@Example.COM", "mailto:Joe@Example.COM"],
    ["example.com/x", "example.com/x"],
    ["https://bücher.de/x y", "https://xn--bcher-kva.de/x%20y"],
    ["db:PG://H:5432/D", "pg://h/D"],
    ["pg://H:5432/D", "pg://h/D"],
    ["https://example.com:/x", "https://example.com/x"],
    ["ssh://Git@GitHub.com:22/x", "ssh://Git@github.com/x"],
    ["foo:BAR%7e", "foo:BAR~"],
    ["https://[::FFFF]:443/", "https://[::ffff]/"],
    ["http://h/%2f%41%7E%7e", "http://h/%2FA~~"],
  ];
  for (const [input, canon] of rows) assert.equal(canonicalUri(input), canon, input);
});
