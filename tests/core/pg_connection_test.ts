/**
 * PostgreSQL connection resolution: libpq's precedence (explicit › service
 * file › environment › defaults), the service file and password file
 * formats and rules, and Sqitch's psql command line.
 */
import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import {
  DEFAULT_SOCKET_DIR,
  explicitParams,
  parseServiceFile,
  type PgFiles,
  pgpassLookup,
  psqlArgs,
  psqlEnv,
  resolvePgConnection,
} from "../../core/pg_connection.ts";
import { DbUri } from "../../core/uri.ts";

/** An in-memory file system: path → [text, mode]. */
function memFiles(files: Record<string, string | [string, number]>): PgFiles {
  const get = (p: string) => {
    const f = files[p];
    return f === undefined ? undefined : typeof f === "string" ? [f, 0o600] as const : f;
  };
  return {
    readText: (p) => get(p)?.[0],
    stat: (p) => {
      const f = get(p);
      return f === undefined ? undefined : { isFile: true, mode: f[1] };
    },
  };
}

function resolve(
  uri: string,
  opts: {
    env?: Record<string, string>;
    files?: Record<string, string | [string, number]>;
    username?: string;
    password?: string;
  } = {},
) {
  const u = DbUri.parse(uri);
  return resolvePgConnection({
    uri: u,
    username: opts.username ?? u.user,
    password: opts.password ?? u.password,
    env: opts.env ?? {},
    home: "/home/me",
    osUser: "me",
    files: memFiles(opts.files ?? {}),
  });
}

function assertMessage(fn: () => unknown, message: string) {
  assertThrows(fn, (e: Error) => {
    assertEquals(e.message, message);
    return true;
  });
}

Deno.test("defaults: socket directory, port 5432, OS user, database named after the user", () => {
  const p = resolve("db:pg:");
  assertEquals(p.hosts, [DEFAULT_SOCKET_DIR]);
  assertEquals(p.ports, [5432]);
  assertEquals(p.user, "me");
  assertEquals(p.dbname, "me");
  assertEquals(p.sslmode, "prefer");
  assertEquals(p.password, undefined);
});

Deno.test("the URI wins over the environment, the environment over defaults", () => {
  const env = {
    PGHOST: "envhost",
    PGPORT: "6000",
    PGUSER: "envuser",
    PGDATABASE: "envdb",
    PGPASSWORD: "envpw",
    PGSSLMODE: "require",
  };
  const p = resolve("db:pg://u:pw@h:5555/d?sslmode=disable", { env });
  assertEquals([p.hosts, p.ports, p.user, p.dbname, p.password, p.sslmode], [
    ["h"],
    [5555],
    "u",
    "d",
    "pw",
    "disable",
  ]);
  const q = resolve("db:pg:", { env });
  assertEquals([q.hosts, q.ports, q.user, q.dbname, q.password, q.sslmode], [
    ["envhost"],
    [6000],
    "envuser",
    "envdb",
    "envpw",
    "require",
  ]);
});

Deno.test("SQITCH_USERNAME/PASSWORD arrive as Sqitch's user and password and win over the URI", () => {
  const p = resolve("db:pg://u:pw@h/d", { username: "sq", password: "sqpw" });
  assertEquals([p.user, p.password], ["sq", "sqpw"]);
});

Deno.test("DBD::Pg falls back on DBI_USER / DBI_PASS when Sqitch has no user", () => {
  const p = resolve("db:pg://h/d", { env: { DBI_USER: "dbi", DBI_PASS: "x", PGUSER: "pg" } });
  assertEquals([p.user, p.password], ["dbi", "x"]);
});

Deno.test("query parameters are explicit parameters; the last of a key wins", () => {
  assertEquals(
    explicitParams(DbUri.parse("db:pg://h:1/d?a=1&host=q&a=2"), "u", undefined),
    [["host", "h"], ["port", "1"], ["dbname", "d"], ["a", "1"], ["a", "2"], ["host", "q"], [
      "user",
      "u",
    ]],
  );
  const p = resolve("db:pg://h/d?host=other&application_name=x&connect_timeout=7");
  assertEquals([p.hosts, p.applicationName, p.connectTimeout], [["other"], "x", 7]);
});

Deno.test("unknown or malformed parameters fail with libpq's message", () => {
  assertMessage(() => resolve("db:pg://h/d?foo=1"), 'invalid connection option "foo"');
  assertMessage(() => resolve("db:pg://h/d?sslmode=bogus"), 'invalid sslmode value: "bogus"');
  assertMessage(
    () => resolve("db:pg:d", { env: { PGPORT: "abc" } }),
    'invalid integer value "abc" for connection option "port"',
  );
});

Deno.test("a socket directory host from the URI", () => {
  const p = resolve("db:pg://%2Ftmp%2Fsock/db");
  assertEquals(p.hosts, ["/tmp/sock"]);
});

Deno.test("several hosts, one port or one per host", () => {
  assertEquals(resolve("db:pg:d?host=a,b&port=1").ports, [1, 1]);
  assertEquals(resolve("db:pg:d?host=a,b&port=1,2").ports, [1, 2]);
  assertMessage(
    () => resolve("db:pg:d?host=a,b,c&port=1,2"),
    "could not match 2 port numbers to 3 hosts",
  );
});

// --- service file ---------------------------------------------------------------

const SERVICES = [
  "# comment",
  "[other]",
  "host=wrong",
  "",
  "[mydb]",
  "  host=svchost",
  "port=7000",
  "dbname=svcdb",
  "user=svcuser",
  "[after]",
  "host=never",
].join("\n");

Deno.test("service file: values fill what the URI leaves out, before the environment", () => {
  const p = resolve("db:pg:?service=mydb", {
    env: { PGHOST: "envhost", PGUSER: "envuser" },
    files: { "/home/me/.pg_service.conf": SERVICES },
  });
  assertEquals([p.hosts, p.ports, p.dbname, p.user], [["svchost"], [7000], "svcdb", "svcuser"]);
  const q = resolve("db:pg://h/explicit?service=mydb", {
    files: { "/home/me/.pg_service.conf": SERVICES },
  });
  assertEquals([q.hosts, q.dbname, q.user], [["h"], "explicit", "svcuser"]);
});

Deno.test("service file: PGSERVICE, PGSERVICEFILE and the system file", () => {
  const files = { "/srv/services": SERVICES, "/etc/pgsys/pg_service.conf": "[sys]\nport=9\n" };
  assertEquals(
    resolve("db:pg:", { env: { PGSERVICE: "mydb", PGSERVICEFILE: "/srv/services" }, files })
      .hosts,
    ["svchost"],
  );
  assertEquals(
    resolve("db:pg:", {
      env: { PGSERVICE: "sys", PGSERVICEFILE: "/srv/services", PGSYSCONFDIR: "/etc/pgsys" },
      files,
    }).ports,
    [9],
  );
  assertMessage(
    () => resolve("db:pg:", { env: { PGSERVICE: "zz" }, files }),
    'definition of service "zz" not found',
  );
});

Deno.test("service file: syntax errors name the file and line", () => {
  assertMessage(
    () => parseServiceFile("[a]\nhost = x\n", "/f", "a"),
    'syntax error in service file "/f", line 2',
  );
  assertMessage(
    () => parseServiceFile("[a]\nnoequals\n", "/f", "a"),
    'syntax error in service file "/f", line 2',
  );
  assertMessage(
    () => parseServiceFile("[a]\nservice=b\n", "/f", "a"),
    'nested service specifications not supported in service file "/f", line 2',
  );
  // Errors in other sections are not seen.
  assertEquals(parseServiceFile("[b]\nbogus\n[a]\nport=1\n", "/f", "a").values, [["port", "1"]]);
});

// --- password file ------------------------------------------------------------------

Deno.test("pgpass: fields, wildcards, escapes, comments; first match wins", () => {
  const text = [
    "# comment",
    "other:5432:*:*:no",
    "h:5432:db:u:first",
    "h:*:*:u:second",
    "*:*:*:*:any",
  ].join("\n");
  assertEquals(pgpassLookup(text, "h", "5432", "db", "u"), "first");
  assertEquals(pgpassLookup(text, "h", "1", "x", "u"), "second");
  assertEquals(pgpassLookup(text, "z", "1", "x", "y"), "any");
  assertEquals(pgpassLookup("h\\:x:1:d:u:p\\:w\\\\d:ignored", "h:x", "1", "d", "u"), "p:w\\d");
  assertEquals(pgpassLookup("h:1:d:u", "h", "1", "d", "u"), undefined);
  assertEquals(pgpassLookup("h:1:d:u:", "h", "1", "d", "u"), "");
});

Deno.test("pgpass: used only when no password is given; socket hosts count as localhost", () => {
  const files = { "/home/me/.pgpass": "localhost:5432:me:me:sockpw\nh:5432:d:u:tcppw\n" };
  assertEquals(resolve("db:pg:", { files }).password, "sockpw");
  assertEquals(resolve("db:pg://u@h/d", { files }).password, "tcppw");
  assertEquals(resolve("db:pg://u@h/d", { files }).passwordFile, "/home/me/.pgpass");
  assertEquals(resolve("db:pg://u:given@h/d", { files }).password, "given");
  assertEquals(resolve("db:pg://u@h/d", { files, env: { PGPASSWORD: "env" } }).password, "env");
  assertEquals(
    resolve("db:pg://u@h/d", { files: { "/p": "*:*:*:*:fromfile" }, env: { PGPASSFILE: "/p" } })
      .password,
    "fromfile",
  );
});

Deno.test("pgpass: a file readable by group or others is ignored with libpq's warning", () => {
  const p = resolve("db:pg://u@h/d", { files: { "/home/me/.pgpass": ["*:*:*:*:pw", 0o644] } });
  assertEquals(p.password, undefined);
  assertEquals(p.warnings, [
    'WARNING: password file "/home/me/.pgpass" has group or world access; permissions should be u=rw (0600) or less',
  ]);
});

// --- psql command line ---------------------------------------------------------------

Deno.test("psql arguments as Sqitch builds them", () => {
  assertEquals(
    psqlArgs({
      uri: DbUri.parse("db:pg://postgres:secret@127.0.0.1:55439/flipr?sslmode=require&a=x y"),
      username: "postgres",
      registry: "sqitch",
      variables: { foo: "bar", ab: "c d" },
    }),
    [
      "--dbname",
      "user=postgres dbname=flipr host=127.0.0.1 port=55439 a=x\\ y sslmode=require",
      "--set",
      "ab=c d",
      "--set",
      "foo=bar",
      "--quiet",
      "--no-psqlrc",
      "--no-align",
      "--tuples-only",
      "--set",
      "ON_ERROR_STOP=1",
      "--set",
      "registry=sqitch",
    ],
  );
  assertEquals(
    psqlArgs({ uri: DbUri.parse("db:pg:"), registry: "r", variables: {} }).slice(0, 2),
    ["--quiet", "--no-psqlrc"],
  );
  assertEquals(psqlEnv("pw"), { PGPASSWORD: "pw" });
  assertEquals(psqlEnv("0"), {});
  assertEquals(psqlEnv(undefined), {});
});
