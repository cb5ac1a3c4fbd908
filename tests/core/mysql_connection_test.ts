/**
 * MySQL connection parameter resolution: option files as the client reads
 * them (groups, quoting, escapes, comments, includes), the precedence of
 * URI, Sqitch's environment variables and option files, socket versus
 * TCP, TLS, and what Sqitch shows and passes (registry destination, lock
 * name, client command line without the password).
 */
import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import {
  abortsSourceOnError,
  clientCharset,
  defaultOptionFiles,
  mysqlClientArgs,
  mysqlClientEnv,
  type MysqlConnectionInput,
  type MysqlFiles,
  mysqlLockName,
  mysqlRegistryDestination,
  optionFileValues,
  readOptionFile,
  readOptionFiles,
  resolveMysqlConnection,
  unquoteOptionValue,
} from "../../core/mysql_connection.ts";
import { DbUri } from "../../core/uri.ts";

/** Files from a map; directories list the map's entries below them. */
function files(map: Record<string, string>): MysqlFiles {
  return {
    readText: (p) => map[p],
    listDir: (dir) => {
      const names = Object.keys(map).filter((p) => p.startsWith(`${dir}/`))
        .map((p) => p.slice(dir.length + 1)).filter((n) => !n.includes("/"));
      return names.length > 0 ? names : undefined;
    },
  };
}

function resolve(uri: string, extra: Partial<MysqlConnectionInput> = {}) {
  const u = DbUri.parse(uri);
  return resolveMysqlConnection({
    uri: u,
    username: u.user,
    password: u.password,
    env: {},
    sysuser: "osuser",
    options: [],
    ...extra,
  });
}

Deno.test("option values: quotes and escapes as the client reads them", () => {
  strictEqual(unquoteOptionValue(" 'a b' "), "a b");
  strictEqual(unquoteOptionValue('"x\\ty"'), "x\ty");
  strictEqual(unquoteOptionValue("p\\sq\\\\r\\'"), "p q\\r'");
  strictEqual(unquoteOptionValue("a\\zb"), "a\\zb");
  strictEqual(unquoteOptionValue("'unbalanced"), "'unbalanced");
});

Deno.test("option files: groups, comments, loose- and skip- prefixes, includes", () => {
  const fs = files({
    "/etc/my.cnf": "[mysqld]\nuser = mysql\n[client]\nuser = alice # comment\n" +
      "password = 'pa#ss' # trailing\n; a comment\n# another\nloose_ssl_ca = /ca.pem\n" +
      "!include /etc/extra.cnf\n!includedir /etc/conf.d\n[mysqldump]\nuser = dumper\n",
    "/etc/extra.cnf": "[mysql]\nhost = db.example.com\n",
    "/etc/conf.d/b.cnf": "[client-server]\nsocket = /b.sock\n",
    "/etc/conf.d/a.cnf": "[client]\nsocket = /a.sock\nskip-ssl\n",
    "/etc/conf.d/ignored.txt": "[client]\nuser = nobody\n",
  });
  const options = readOptionFile("/etc/my.cnf", fs);
  deepStrictEqual(options.map((o) => [o.name, o.value]), [
    ["user", "alice"],
    ["password", "pa#ss"],
    ["ssl-ca", "/ca.pem"],
    ["host", "db.example.com"],
    ["socket", "/a.sock"],
    ["skip-ssl", undefined],
    ["socket", "/b.sock"],
  ]);
  const values = optionFileValues(options);
  strictEqual(values.get("socket"), "/b.sock");
  strictEqual(values.get("ssl"), "0");
  strictEqual(values.get("user"), "alice");
});

Deno.test("option files: the client's list, later files win", () => {
  deepStrictEqual(defaultOptionFiles({}, "/home/u"), [
    "/etc/my.cnf",
    "/etc/mysql/my.cnf",
    "/home/u/.my.cnf",
  ]);
  deepStrictEqual(defaultOptionFiles({ MYSQL_HOME: "/opt/my" }, undefined), [
    "/etc/my.cnf",
    "/etc/mysql/my.cnf",
    "/opt/my/my.cnf",
  ]);
  const fs = files({
    "/etc/mysql/my.cnf": "[client]\nuser = sys\nport = 3307\n",
    "/home/u/.my.cnf": "[client]\nuser = me\npassword = pw\n",
  });
  const p = resolve("db:mysql:flipr", { options: readOptionFiles({}, "/home/u", fs) });
  strictEqual(p.user, "me");
  strictEqual(p.password, "pw");
  strictEqual(p.port, 3307);
  strictEqual(p.database, "flipr");
});

Deno.test("user and password: Sqitch's order", () => {
  const options = readOptionFile(
    "/f",
    files({ "/f": "[client]\nuser = fileuser\npassword = filepw\n" }),
  );
  strictEqual(resolve("db:mysql://u:p@h/d", { options }).user, "u");
  strictEqual(resolve("db:mysql://u:p@h/d", { options }).password, "p");
  strictEqual(resolve("db:mysql://h/d", { options }).user, "fileuser");
  strictEqual(resolve("db:mysql://h/d", { options }).password, "filepw");
  strictEqual(
    resolve("db:mysql://h/d", { options, env: { MYSQL_PWD: "envpw" } }).password,
    "envpw",
  );
  strictEqual(resolve("db:mysql://h/d").user, "osuser");
  strictEqual(resolve("db:mysql://h/d").password, undefined);
  throws(() => resolve("db:mysql://h/d", { sysuser: undefined }), /user name/);
});

Deno.test("host, port and socket: URI › MYSQL_HOST/MYSQL_TCP_PORT › option files › defaults", () => {
  const options = readOptionFile(
    "/f",
    files({ "/f": "[client]\nhost = filehost\nport = 3310\nsocket = /file.sock\n" }),
  );
  let p = resolve("db:mysql:d");
  strictEqual(p.host, "localhost");
  strictEqual(p.socket, "/run/mysqld/mysqld.sock");
  p = resolve("db:mysql:d", { env: { MYSQL_UNIX_PORT: "/env.sock" } });
  strictEqual(p.socket, "/env.sock");
  p = resolve("db:mysql:d", { options });
  strictEqual(p.host, "filehost");
  strictEqual(p.port, 3310);
  strictEqual(p.socket, undefined, "a remote host goes over TCP");
  p = resolve("db:mysql:d", { options, env: { MYSQL_HOST: "envhost", MYSQL_TCP_PORT: "3320" } });
  strictEqual(p.host, "envhost");
  strictEqual(p.port, 3320);
  p = resolve("db:mysql://urihost:3330/d", { env: { MYSQL_HOST: "envhost" } });
  strictEqual(p.host, "urihost");
  strictEqual(p.port, 3330);
  // localhost: the socket, unless a port is given on the command line.
  p = resolve("db:mysql://localhost/d", { options: [] });
  strictEqual(p.socket, "/run/mysqld/mysqld.sock");
  p = resolve("db:mysql://localhost:3306/d");
  strictEqual(p.socket, undefined);
  p = resolve("db:mysql://localhost:3306/d?mysql_socket=/s.sock");
  strictEqual(p.socket, "/s.sock");
  p = resolve("db:mysql:d", {
    options: readOptionFile("/f", files({ "/f": "[client]\nprotocol=TCP\n" })),
  });
  strictEqual(p.socket, undefined);
  throws(() => resolve("db:mysql://h:99999/d"), /Invalid port/);
});

Deno.test("TLS, timeout, init command and compression from the URI or option files", () => {
  let p = resolve(
    "db:mysql://h/d?mysql_ssl=1&mysql_ssl_ca_file=/ca.pem&mysql_connect_timeout=7" +
      "&mysql_init_command=SET%20@a%3D1&mysql_compression=1",
  );
  deepStrictEqual(p.tls, {
    ca: "/ca.pem",
    capath: undefined,
    cert: undefined,
    key: undefined,
    cipher: undefined,
    verifyServerCert: false,
  });
  strictEqual(p.connectTimeout, 7);
  strictEqual(p.initCommand, "SET @a=1");
  strictEqual(p.compress, true);
  p = resolve("db:mysql://h/d", {
    options: readOptionFile(
      "/f",
      files({ "/f": "[client]\nssl-cert=/c.pem\nssl-key=/k.pem\nssl-verify-server-cert\n" }),
    ),
  });
  strictEqual(p.tls?.cert, "/c.pem");
  strictEqual(p.tls?.verifyServerCert, true);
  strictEqual(resolve("db:mysql://h/d").tls, undefined);
  p = resolve("db:mysql://h/d", {
    options: readOptionFile("/f", files({ "/f": "[client]\ndefault-character-set=latin1\n" })),
  });
  strictEqual(p.charset, "latin1");
});

Deno.test("client charset follows the locale", () => {
  strictEqual(clientCharset({ LANG: "C.UTF-8" }), "utf8mb3");
  strictEqual(clientCharset({ LC_ALL: "en_US.utf8", LANG: "C" }), "utf8mb3");
  strictEqual(clientCharset({ LANG: "C" }), "latin1");
  strictEqual(clientCharset({}), "latin1");
});

Deno.test("registry destination and lock name as Sqitch shows them", () => {
  const uri = DbUri.parse("db:mysql://root:pw@127.0.0.1:3307/flipr");
  strictEqual(
    mysqlRegistryDestination(uri, {}, "sqitch"),
    "db:mysql://root:@127.0.0.1:3307/sqitch",
  );
  strictEqual(
    mysqlRegistryDestination(
      DbUri.parse("db:mysql:nonexist"),
      { MYSQL_HOST: "127.0.0.1" },
      "sqitch",
    ),
    "db:mysql://127.0.0.1/sqitch",
  );
  strictEqual(
    mysqlRegistryDestination(DbUri.parse("db:mariadb://u@h/d"), {}, "sqitch"),
    "db:mariadb://u@h/sqitch",
  );
  strictEqual(mysqlLockName(uri), "sqitch working on flipr");
  strictEqual(mysqlLockName(DbUri.parse("db:mysql:")), "sqitch working on ");
});

Deno.test("client command line: Sqitch's, without the password", () => {
  const MARIA = "mysql  Ver 15.1 Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)";
  const uri = DbUri.parse(
    "db:mysql://sq:secret@127.0.0.1:3399/flipr?mysql_ssl=1&mysql_socket=/s&foo=bar&mysql_compression=0",
  );
  const args = mysqlClientArgs({ uri, env: {}, user: "sq", clientVersion: MARIA });
  deepStrictEqual(args, [
    "--user",
    "sq",
    "--database",
    "flipr",
    "--host",
    "127.0.0.1",
    "--port",
    "3399",
    "--skip-pager",
    "--silent",
    "--skip-column-names",
    "--skip-line-numbers",
    "--abort-source-on-error",
    "--ssl",
    "--socket",
    "/s",
  ]);
  strictEqual(args.some((a) => a.includes("secret")), false);
  deepStrictEqual(mysqlClientEnv("secret"), { MYSQL_PWD: "secret" });
  deepStrictEqual(mysqlClientEnv(undefined), {});
  deepStrictEqual(
    mysqlClientArgs({
      uri: DbUri.parse("db:mysql:"),
      env: { MYSQL_HOST: "h", MYSQL_TCP_PORT: "3310" },
      user: "me",
      clientVersion: "mysql  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)",
      database: "sqitch",
    }),
    [
      "--user",
      "me",
      "--host",
      "h",
      "--port",
      "3310",
      "--skip-pager",
      "--silent",
      "--skip-column-names",
      "--skip-line-numbers",
      "--database",
      "sqitch",
    ],
  );
});

Deno.test("--abort-source-on-error for MariaDB clients only", () => {
  strictEqual(abortsSourceOnError("mysql  Ver 15.1 Distrib 10.11.19-MariaDB"), true);
  strictEqual(abortsSourceOnError("mysql from 11.4.2-MariaDB, client 15.2 for Linux"), true);
  strictEqual(abortsSourceOnError("mysql  Ver 14.14 Distrib 5.5.60-MariaDB"), true);
  strictEqual(abortsSourceOnError("mysql  Ver 5.5.65 Distrib MariaDB"), false);
  strictEqual(abortsSourceOnError("mysql  Ver 8.0.36 for Linux (MySQL Community Server)"), false);
  strictEqual(abortsSourceOnError(""), false);
});
