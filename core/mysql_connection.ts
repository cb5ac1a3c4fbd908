/**
 * MySQL/MariaDB connection parameters, resolved as the `mysql` client
 * resolves them when Sqitch runs it: what Sqitch puts on the command line
 * first (the target URI's user, database, host and port, `MYSQL_HOST` /
 * `MYSQL_TCP_PORT` standing in for a URI without host/port, the mapped
 * `mysql_*` query parameters), then the option files (`/etc/my.cnf`,
 * `/etc/mysql/my.cnf`, `$MARIADB_HOME|$MYSQL_HOME/my.cnf`, `~/.my.cnf`;
 * groups `[client]`, `[mysql]` and MariaDB's `[client-server]`,
 * `[client-mariadb]`, `[mariadb-client]`; `!include`/`!includedir`,
 * quoting and escapes as the client reads them), then the environment
 * (`MYSQL_UNIX_PORT`), then the client's defaults. User and password
 * follow Sqitch: `$SQITCH_USERNAME` › URI user › option-file user › the
 * system user; `$SQITCH_PASSWORD` › URI password › `$MYSQL_PWD` ›
 * option-file password.
 *
 * Also what Sqitch shows and names: the registry destination (the URI
 * with the registry as database, password removed), the `GET_LOCK` name,
 * and the `mysql` command line of a configured client — without
 * `--password=`: the password travels in `MYSQL_PWD` only.
 *
 * Pure: files are read through a `MysqlFiles` reader, the environment
 * comes as an `Env`. Nothing here ever puts a password into a message.
 */
import { type Env, envValue, perlTrue } from "./env.ts";
import { SqlitchError } from "./errors.ts";
import type { DbUri } from "./uri.ts";

/** The file access option-file reading needs. */
export interface MysqlFiles {
  /** The text of a file, or undefined when it cannot be read. */
  readText(path: string): string | undefined;
  /** The names of the entries of a directory, or undefined when it cannot be read. */
  listDir(path: string): string[] | undefined;
}

/** The option-file groups the client reads (MariaDB client 10.11's list). */
export const CLIENT_GROUPS: readonly string[] = [
  "mysql",
  "mariadb-client",
  "client",
  "client-server",
  "client-mariadb",
];

/** The client's default TCP port. */
export const DEFAULT_PORT = 3306;
/** The unix socket the Debian MariaDB client library uses by default. */
export const DEFAULT_SOCKET = "/run/mysqld/mysqld.sock";

/** One option as read from an option file: name normalised (`_` → `-`, `loose-` dropped). */
export interface MysqlOption {
  name: string;
  /** The value, or undefined for a bare option (`ssl`). */
  value: string | undefined;
  /** Where it came from, for messages. */
  file: string;
  line: number;
}

/** A connection that cannot even be attempted. */
function connError(message: string): SqlitchError {
  return new SqlitchError(message, { exitCode: 2, ident: "engine" });
}

/** An option name as the client compares them: `_` and `-` alike, `loose-` prefix dropped. */
export function normalizeOptionName(name: string): string {
  const n = name.trim().replace(/_/g, "-").toLowerCase();
  return n.startsWith("loose-") ? n.slice(6) : n;
}

/** Drop a `#` comment that starts after whitespace outside quotes (the client's rule). */
function removeEndComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote !== undefined) {
      if (ch === quote && text[i - 1] !== "\\") quote = undefined;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "#" && (i === 0 || /\s/.test(text[i - 1]))) return text.slice(0, i);
  }
  return text;
}

/** An option value: surrounding quotes removed, `\n \t \r \b \s \" \' \\` unescaped. */
export function unquoteOptionValue(raw: string): string {
  let value = raw.trim();
  if (
    value.length > 1 && (value[0] === "'" || value[0] === '"') &&
    value[value.length - 1] === value[0]
  ) {
    value = value.slice(1, -1);
  }
  const escapes: Record<string, string> = {
    n: "\n",
    t: "\t",
    r: "\r",
    b: "\b",
    s: " ",
    '"': '"',
    "'": "'",
    "\\": "\\",
  };
  let out = "";
  for (let i = 0; i < value.length; i++) {
    if (value[i] === "\\" && i < value.length - 1) {
      const next = value[++i];
      out += escapes[next] ?? `\\${next}`;
    } else {
      out += value[i];
    }
  }
  return out;
}

/** Join a directory and a name. */
function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/**
 * The options of the wanted groups in one option file and what it
 * includes, in reading order (later ones win). `!include FILE` reads a
 * file, `!includedir DIR` every `*.cnf` in it (sorted); unreadable
 * includes are skipped, as the client skips them; include loops stop at
 * a depth of 10.
 */
export function readOptionFile(
  path: string,
  files: MysqlFiles,
  groups: readonly string[] = CLIENT_GROUPS,
  depth = 0,
): MysqlOption[] {
  const text = files.readText(path);
  if (text === undefined || depth > 10) return [];
  const wanted = new Set(groups.map((g) => g.toLowerCase()));
  const out: MysqlOption[] = [];
  let inGroup = false;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, "").trimStart();
    if (line === "" || line[0] === "#" || line[0] === ";") continue;
    if (line[0] === "!") {
      const m = /^!(includedir|include)\s+(.*?)\s*$/.exec(line);
      if (m === null) continue;
      if (m[1] === "include") {
        out.push(...readOptionFile(m[2], files, groups, depth + 1));
      } else {
        const names = (files.listDir(m[2]) ?? []).filter((n) => n.endsWith(".cnf")).sort();
        for (const n of names) {
          out.push(...readOptionFile(joinPath(m[2], n), files, groups, depth + 1));
        }
      }
      continue;
    }
    if (line[0] === "[") {
      const end = line.indexOf("]");
      const name = (end < 0 ? line.slice(1) : line.slice(1, end)).trim().toLowerCase();
      inGroup = wanted.has(name);
      continue;
    }
    if (!inGroup) continue;
    const body = removeEndComment(line);
    const eq = body.indexOf("=");
    const name = normalizeOptionName(eq < 0 ? body : body.slice(0, eq));
    if (name === "") continue;
    out.push({
      name,
      value: eq < 0 ? undefined : unquoteOptionValue(body.slice(eq + 1)),
      file: path,
      line: i + 1,
    });
  }
  return out;
}

/** The option files the client reads, in order. */
export function defaultOptionFiles(env: Env, home: string | undefined): string[] {
  const list = ["/etc/my.cnf", "/etc/mysql/my.cnf"];
  const mysqlHome = envValue(env, "MARIADB_HOME") ?? envValue(env, "MYSQL_HOME");
  if (mysqlHome !== undefined) list.push(joinPath(mysqlHome, "my.cnf"));
  if (home !== undefined) list.push(joinPath(home, ".my.cnf"));
  return list;
}

/**
 * The client's view of its option files: the last value of each option
 * (`skip-X`/`disable-X` set `X` to `0`, `enable-X` to `1`; a bare option
 * is `1`).
 */
export function optionFileValues(options: readonly MysqlOption[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const o of options) {
    let name = o.name;
    let value = o.value ?? "1";
    const m = /^(skip|disable|enable)-(.+)$/.exec(name);
    if (m !== null && o.value === undefined) {
      name = m[2];
      value = m[1] === "enable" ? "1" : "0";
    }
    values.set(name, value);
  }
  return values;
}

/** TLS settings (the client's `--ssl*` options). */
export interface MysqlTls {
  ca?: string;
  capath?: string;
  cert?: string;
  key?: string;
  cipher?: string;
  /** Check the server certificate against the CA and host (`--ssl-verify-server-cert`). */
  verifyServerCert: boolean;
}

/** Everything a connection needs, resolved. */
export interface MysqlConnectionParams {
  /** Host name for TCP (`localhost` when none). */
  host: string;
  port: number;
  /** The unix socket, when the connection goes through one (else TCP). */
  socket?: string;
  user: string;
  password?: string;
  /** The target database (URI dbname, else option-file `database`), if any. */
  database?: string;
  /** TLS, when asked for. */
  tls?: MysqlTls;
  /** Seconds; undefined = the client's default. */
  connectTimeout?: number;
  /** A statement to run after connecting (`--init-command`). */
  initCommand?: string;
  compress: boolean;
  /** `default-character-set` of the option files, if any (`auto` left out). */
  charset?: string;
}

/** What resolution reads. */
export interface MysqlConnectionInput {
  /** The target URI, with `-u/-h/-p/-d` overrides applied. */
  uri: DbUri;
  /** Sqitch's user name (`$SQITCH_USERNAME` › URI user), if any. */
  username?: string;
  /** Sqitch's password (`$SQITCH_PASSWORD` › URI password), if any. */
  password?: string;
  env: Env;
  home?: string;
  /** The system user name (the last fallback for the user). */
  sysuser?: string | (() => string | undefined);
  /** The option files' options (`readOptionFiles`). */
  options: readonly MysqlOption[];
}

/** Every option of the default option files, in reading order. */
export function readOptionFiles(env: Env, home: string | undefined, files: MysqlFiles) {
  return defaultOptionFiles(env, home).flatMap((f) => readOptionFile(f, files));
}

/** The last value of a URI query parameter. */
function queryParam(uri: DbUri, key: string): string | undefined {
  let v: string | undefined;
  for (const [k, val] of uri.queryParams) if (k === key) v = val;
  return v;
}

function parsePort(text: string, from: string): number {
  const t = text.trim();
  if (!/^\d+$/.test(t) || Number(t) > 65535) {
    throw connError(`Invalid port "${text}" in ${from}`);
  }
  return Number(t);
}

/** Sqitch's URI for a MySQL target: `MYSQL_HOST`/`MYSQL_TCP_PORT` fill a missing host/port. */
export function sqitchMysqlUri(uri: DbUri, env: Env): DbUri {
  let out = uri;
  const host = envValue(env, "MYSQL_HOST");
  if (!perlTrue(out.host) && host !== undefined) out = out.withHost(host);
  const port = envValue(env, "MYSQL_TCP_PORT");
  if (!perlTrue(out.port) && port !== undefined) out = out.withPort(port);
  return out;
}

/** Sqitch's registry destination: its URI with the registry as database, password removed. */
export function mysqlRegistryDestination(uri: DbUri, env: Env, registry: string): string {
  return sqitchMysqlUri(uri, env).withDbname(registry).toDisplayString();
}

/** The `GET_LOCK` name Sqitch uses, so that both tools exclude each other. */
export function mysqlLockName(uri: DbUri): string {
  return `sqitch working on ${uri.dbname ?? ""}`;
}

/** Resolve every connection parameter with the client's precedence (see the module comment). */
export function resolveMysqlConnection(input: MysqlConnectionInput): MysqlConnectionParams {
  const { env } = input;
  const uri = sqitchMysqlUri(input.uri, env);
  const file = optionFileValues(input.options);
  const fileValue = (name: string) => {
    const v = file.get(name);
    return v === undefined || v === "" ? undefined : v;
  };
  const fileBool = (name: string) => {
    const v = file.get(name);
    return v !== undefined && !/^(0|off|false)$/i.test(v);
  };

  const user = input.username ?? fileValue("user") ??
    (typeof input.sysuser === "function" ? input.sysuser() : input.sysuser);
  if (user === undefined || user === "") {
    throw connError("Cannot determine the MySQL user name; set one in the target URI");
  }
  const password = input.password ?? envValue(env, "MYSQL_PWD") ?? file.get("password");

  const cliHost = perlTrue(uri.host) ? uri.host : undefined;
  const host = cliHost ?? fileValue("host") ?? "localhost";
  const cliPort = perlTrue(uri.port) ? parsePort(uri.port, "the target URI") : undefined;
  const filePort = fileValue("port");
  const port = cliPort ??
    (filePort !== undefined ? parsePort(filePort, "an option file") : DEFAULT_PORT);
  const cliSocket = queryParam(uri, "mysql_socket");
  const socketPath = perlTrue(cliSocket)
    ? cliSocket
    : fileValue("socket") ?? envValue(env, "MYSQL_UNIX_PORT") ?? DEFAULT_SOCKET;
  const protocol = fileValue("protocol")?.toLowerCase();
  const local = host === "localhost";
  const tcp = !local || protocol === "tcp" ||
    (protocol === undefined && cliPort !== undefined && !perlTrue(cliSocket));

  const tlsValue = (uriKey: string, fileKey: string) => {
    const v = queryParam(uri, uriKey);
    return perlTrue(v) ? v : fileValue(fileKey);
  };
  const ca = tlsValue("mysql_ssl_ca_file", "ssl-ca");
  const capath = tlsValue("mysql_ssl_ca_path", "ssl-capath");
  const cert = tlsValue("mysql_ssl_client_cert", "ssl-cert");
  const key = tlsValue("mysql_ssl_client_key", "ssl-key");
  const cipher = tlsValue("mysql_ssl_cipher", "ssl-cipher");
  const sslOn = perlTrue(queryParam(uri, "mysql_ssl")) || fileBool("ssl") ||
    [ca, capath, cert, key, cipher].some((v) => v !== undefined);
  const sslOff = file.get("ssl") !== undefined && !fileBool("ssl") &&
    !perlTrue(queryParam(uri, "mysql_ssl"));
  const tls: MysqlTls | undefined = sslOn && !sslOff
    ? { ca, capath, cert, key, cipher, verifyServerCert: fileBool("ssl-verify-server-cert") }
    : undefined;

  const timeoutText = queryParam(uri, "mysql_connect_timeout") ?? fileValue("connect-timeout");
  let connectTimeout: number | undefined;
  if (timeoutText !== undefined && timeoutText !== "") {
    if (!/^\s*\d+\s*$/.test(timeoutText)) {
      throw connError(`Invalid connect timeout "${timeoutText}"`);
    }
    connectTimeout = Number(timeoutText);
  }
  const initCommand = queryParam(uri, "mysql_init_command") ?? fileValue("init-command");
  const charset = fileValue("default-character-set");

  return {
    host,
    port,
    socket: tcp ? undefined : socketPath,
    user,
    password: perlTrue(password) || password === "" ? password : undefined,
    database: perlTrue(uri.dbname) ? uri.dbname : fileValue("database"),
    tls,
    connectTimeout,
    initCommand: initCommand === "" ? undefined : initCommand,
    compress: perlTrue(queryParam(uri, "mysql_compression")) || fileBool("compress"),
    charset: charset === undefined || charset.toLowerCase() === "auto" ? undefined : charset,
  };
}

/**
 * The character set the client picks for its session when no option says
 * otherwise: `utf8mb3` under a UTF-8 locale (`LC_ALL` › `LC_CTYPE` ›
 * `LANG`), `latin1` under C/POSIX or none.
 */
export function clientCharset(env: Env): string {
  const locale = envValue(env, "LC_ALL") ?? envValue(env, "LC_CTYPE") ?? envValue(env, "LANG") ??
    "";
  return /utf-?8/i.test(locale) ? "utf8mb3" : "latin1";
}

/** The URI query parameters Sqitch maps to `mysql` options, and how. */
const QUERY_OPTIONS: Readonly<Record<string, (v: string) => string[]>> = {
  mysql_compression: (v) => perlTrue(v) ? ["--compress"] : [],
  mysql_ssl: (v) => perlTrue(v) ? ["--ssl"] : [],
  mysql_connect_timeout: (v) => ["--connect_timeout", v],
  mysql_init_command: (v) => ["--init-command", v],
  mysql_socket: (v) => ["--socket", v],
  mysql_ssl_client_key: (v) => ["--ssl-key", v],
  mysql_ssl_client_cert: (v) => ["--ssl-cert", v],
  mysql_ssl_ca_file: (v) => ["--ssl-ca", v],
  mysql_ssl_ca_path: (v) => ["--ssl-capath", v],
  mysql_ssl_cipher: (v) => ["--ssl-cipher", v],
};

/** What Sqitch's `mysql` command line is built from. */
export interface MysqlArgsInput {
  uri: DbUri;
  env: Env;
  /** The user Sqitch passes (always known: see `resolveMysqlConnection`). */
  user: string;
  /** `--version` output of the client ("" when it could not be run). */
  clientVersion: string;
  /** Replace (or add) `--database` with this one (registry scripts). */
  database?: string;
}

/** True when `mysql --version` says MariaDB at a version that knows `--abort-source-on-error`. */
export function abortsSourceOnError(versionText: string): boolean {
  if (!/mariadb/i.test(versionText)) return false;
  const m = /(?:Ver|client)\s+(\S+)/.exec(versionText);
  if (m === null) return false;
  const [maj, , pat] = m[1].split(".").map((p) => parseInt(p, 10));
  return maj > 5 || (maj === 5 && (pat ?? 0) >= 66);
}

/**
 * The arguments Sqitch passes to a configured `mysql` before `--execute`:
 * `--user`, `--database`, `--host`, `--port` when known (URI, then
 * `MYSQL_HOST`/`MYSQL_TCP_PORT`), the quiet options, `--abort-source-on-error`
 * for MariaDB clients, then the mapped URI query parameters in URI order;
 * for registry scripts `database` replaces `--database` (or is appended).
 * Never `--password=`: the password goes in `MYSQL_PWD` (`mysqlClientEnv`).
 */
export function mysqlClientArgs(input: MysqlArgsInput): string[] {
  const uri = sqitchMysqlUri(input.uri, input.env);
  const args: string[] = [];
  const specs: [string, string | undefined][] = [
    ["user", input.user],
    ["database", uri.dbname],
    ["host", uri.host],
    ["port", uri.port],
  ];
  for (const [name, value] of specs) if (perlTrue(value)) args.push(`--${name}`, value);
  args.push("--skip-pager", "--silent", "--skip-column-names", "--skip-line-numbers");
  if (abortsSourceOnError(input.clientVersion)) args.push("--abort-source-on-error");
  for (const [k, v] of uri.queryParams) {
    const map = QUERY_OPTIONS[k];
    if (map !== undefined) args.push(...map(v));
  }
  // Registry scripts (as Sqitch 1.5+): the registry replaces the database, or comes last.
  if (input.database !== undefined) {
    const i = args.indexOf("--database");
    if (i >= 0) args[i + 1] = input.database;
    else args.push("--database", input.database);
  }
  return args;
}

/** `MYSQL_PWD` for client runs, only when a Perl-true password is known. */
export function mysqlClientEnv(password: string | undefined): Record<string, string> {
  return perlTrue(password) ? { MYSQL_PWD: password } : {};
}
