/**
 * PostgreSQL connection parameters, resolved as libpq resolves them for
 * Sqitch's DBD::Pg connection: the parameters Sqitch passes explicitly
 * (the target URI's host, port, database name and query parameters, then
 * the user and password it knows), then the service file entry
 * (`service=` or `$PGSERVICE`), then the `PG*` environment variables, then
 * libpq's defaults; a password still missing is looked up in the password
 * file (`passfile`, `$PGPASSFILE` or `~/.pgpass`).
 *
 * Also the `psql` command line Sqitch builds for a configured client.
 *
 * Pure: files are read through a `PgFiles` reader, the environment comes
 * as an `Env`. Nothing here ever puts a password into a message.
 */
import type { Env } from "./env.ts";
import { perlTrue } from "./env.ts";
import { SqlitchError } from "./errors.ts";
import type { DbUri } from "./uri.ts";

/** The file access resolution needs (service files, password file, TLS files). */
export interface PgFiles {
  /** The text of a file, or undefined when it cannot be read. */
  readText(path: string): string | undefined;
  /** A path's kind and permission bits, or undefined when it does not exist. */
  stat(path: string): { isFile: boolean; mode: number | null } | undefined;
}

/** What resolution reads besides files. */
export interface PgConnectionInput {
  /** The target URI, with `-h/-p/-u/-d` overrides applied. */
  uri: DbUri;
  /** Sqitch's user name (`$SQITCH_USERNAME`, else the URI user), if any. */
  username?: string;
  /** Sqitch's password (`$SQITCH_PASSWORD`, else the URI password), if any. */
  password?: string;
  env: Env;
  /** The home directory (for `~/.pgpass`, `~/.pg_service.conf`, `~/.postgresql/`). */
  home?: string;
  /** The operating-system user name (libpq's default user). */
  osUser?: string;
  files: PgFiles;
}

/** The TLS modes of libpq's `sslmode`. */
export type SslMode = "disable" | "allow" | "prefer" | "require" | "verify-ca" | "verify-full";

/** Everything a connection needs, resolved. */
export interface PgConnectionParams {
  /** Host names or socket directories (libpq allows a comma-separated list). */
  hosts: string[];
  /** Numeric addresses given by `hostaddr`, parallel to `hosts` (empty when none). */
  hostaddrs: string[];
  /** Ports, parallel to `hosts`. */
  ports: number[];
  user: string;
  dbname: string;
  /** The password, when known: explicitly, from the service file, `$PGPASSWORD` or the password file. */
  password?: string;
  /** The password file that supplied the password, for libpq's hint on failed authentication. */
  passwordFile?: string;
  sslmode: SslMode;
  sslrootcert?: string;
  sslcert?: string;
  sslkey?: string;
  /** `connect_timeout` in seconds (0 or absent: wait forever). */
  connectTimeout?: number;
  applicationName?: string;
  fallbackApplicationName?: string;
  /** `options` sent at start-up (e.g. `-c search_path=x`). */
  options?: string;
  clientEncoding?: string;
  channelBinding?: string;
  /** Warnings libpq would print on stderr (e.g. an insecure password file). */
  warnings: string[];
}

/** The default socket directory of Debian's libpq (DEFAULT_PGSOCKET_DIR). */
export const DEFAULT_SOCKET_DIR = "/var/run/postgresql";
/** Debian's libpq SYSCONFDIR, where the system `pg_service.conf` lives. */
export const DEFAULT_SYSCONFDIR = "/etc/postgresql-common";
/** libpq's default port. */
export const DEFAULT_PORT = 5432;

/** libpq's connection keywords and the environment variable that backs each. */
const KEYWORDS: Readonly<Record<string, string | null>> = {
  host: "PGHOST",
  hostaddr: "PGHOSTADDR",
  port: "PGPORT",
  dbname: "PGDATABASE",
  user: "PGUSER",
  password: "PGPASSWORD",
  passfile: "PGPASSFILE",
  channel_binding: "PGCHANNELBINDING",
  connect_timeout: "PGCONNECT_TIMEOUT",
  client_encoding: "PGCLIENTENCODING",
  options: "PGOPTIONS",
  application_name: "PGAPPNAME",
  fallback_application_name: null,
  keepalives: null,
  keepalives_idle: null,
  keepalives_interval: null,
  keepalives_count: null,
  tcp_user_timeout: null,
  replication: null,
  gssencmode: "PGGSSENCMODE",
  sslmode: "PGSSLMODE",
  requiressl: "PGREQUIRESSL",
  sslcompression: "PGSSLCOMPRESSION",
  sslcert: "PGSSLCERT",
  sslkey: "PGSSLKEY",
  sslpassword: null,
  sslrootcert: "PGSSLROOTCERT",
  sslcrl: "PGSSLCRL",
  sslcrldir: "PGSSLCRLDIR",
  sslsni: "PGSSLSNI",
  requirepeer: "PGREQUIREPEER",
  ssl_min_protocol_version: "PGSSLMINPROTOCOLVERSION",
  ssl_max_protocol_version: "PGSSLMAXPROTOCOLVERSION",
  krbsrvname: "PGKRBSRVNAME",
  gsslib: "PGGSSLIB",
  service: null,
  target_session_attrs: "PGTARGETSESSIONATTRS",
};

const SSL_MODES: readonly SslMode[] = [
  "disable",
  "allow",
  "prefer",
  "require",
  "verify-ca",
  "verify-full",
];

/** A connection that cannot even be attempted (libpq's own message). */
function connError(message: string): SqlitchError {
  return new SqlitchError(message, { exitCode: 2, ident: "engine" });
}

/**
 * The parameters Sqitch hands to libpq, in order (later wins): the URI's
 * host, explicit port and database name (empty ones left out), its query
 * parameters as written, then the user and password DBD::Pg appends.
 */
export function explicitParams(
  uri: DbUri,
  username: string | undefined,
  password: string | undefined,
  env: Env = {},
): [string, string][] {
  const out: [string, string][] = [];
  const push = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== "") out.push([k, v]);
  };
  push("host", uri.host);
  push("port", uri.port);
  push("dbname", uri.dbname);
  for (const [k, v] of uri.queryParams) {
    out.push([k === "db" || k === "database" ? "dbname" : k, v]);
  }
  // DBD::Pg falls back on $DBI_USER / $DBI_PASS when Sqitch passes none.
  push("user", username ?? env.DBI_USER);
  push("password", password ?? env.DBI_PASS);
  return out;
}

/** One `[service]` section of a service file, or an error message. */
export function parseServiceFile(
  text: string,
  path: string,
  service: string,
): { found: boolean; values: [string, string][] } {
  const values: [string, string][] = [];
  let found = false;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].replace(/[\r\n]+$/, "");
    line = line.replace(/^\s+/, "");
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("[")) {
      if (found) break;
      found = line.startsWith(`[${service}]`);
      continue;
    }
    if (!found) continue;
    const eq = line.indexOf("=");
    if (eq < 0) throw connError(`syntax error in service file "${path}", line ${i + 1}`);
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key === "service") {
      throw connError(
        `nested service specifications not supported in service file "${path}", line ${i + 1}`,
      );
    }
    if (!(key in KEYWORDS)) {
      throw connError(`syntax error in service file "${path}", line ${i + 1}`);
    }
    values.push([key, value]);
  }
  return { found, values };
}

/**
 * The service's values: from `$PGSERVICEFILE` (else `~/.pg_service.conf`),
 * and only when the service is not there, from
 * `$PGSYSCONFDIR/pg_service.conf`; `definition of service "x" not found`
 * otherwise.
 */
export function serviceValues(
  service: string,
  env: Env,
  home: string | undefined,
  files: PgFiles,
): [string, string][] {
  const userFile = env.PGSERVICEFILE ??
    (home !== undefined ? `${home}/.pg_service.conf` : undefined);
  if (userFile !== undefined && files.stat(userFile) !== undefined) {
    const r = parseServiceFile(files.readText(userFile) ?? "", userFile, service);
    if (r.found) return r.values;
  }
  const sysFile = `${env.PGSYSCONFDIR ?? DEFAULT_SYSCONFDIR}/pg_service.conf`;
  if (files.stat(sysFile) !== undefined) {
    const r = parseServiceFile(files.readText(sysFile) ?? "", sysFile, service);
    if (r.found) return r.values;
  }
  throw connError(`definition of service "${service}" not found`);
}

/**
 * Match one field of a password-file line against `token`: `*` matches
 * anything, `\` escapes the next character; returns the rest of the line
 * after the field's `:`, or undefined when the field does not match.
 */
function matchField(line: string, token: string): string | undefined {
  if (line.startsWith("*:")) return line.slice(2);
  let i = 0;
  let t = 0;
  while (i < line.length) {
    let escaped = false;
    if (line[i] === "\\" && i + 1 < line.length) {
      i++;
      escaped = true;
    }
    if (line[i] === ":" && !escaped && t === token.length) return line.slice(i + 1);
    if (t === token.length || line[i] !== token[t]) return undefined;
    i++;
    t++;
  }
  return undefined;
}

/**
 * The password for host, port, database and user in a password file's
 * text (`host:port:database:user:password` lines, `*` wildcards, `\`
 * escapes, `#` comments), or undefined.
 */
export function pgpassLookup(
  text: string,
  host: string,
  port: string,
  dbname: string,
  user: string,
): string | undefined {
  for (const raw of text.split("\n")) {
    const line = raw.replace(/[\r\n]+$/, "");
    if (line === "" || line.startsWith("#")) continue;
    let rest: string | undefined = line;
    for (const token of [host, port, dbname, user]) {
      rest = matchField(rest, token);
      if (rest === undefined) break;
    }
    if (rest === undefined) continue;
    let out = "";
    for (let i = 0; i < rest.length && rest[i] !== ":"; i++) {
      if (rest[i] === "\\" && i + 1 < rest.length) i++;
      out += rest[i];
    }
    return out;
  }
  return undefined;
}

/**
 * The password-file password for one host, as libpq looks it up: a
 * missing host or the default socket directory counts as `localhost`; the
 * file must be a plain file without group or world access, else a warning
 * and no password.
 */
export function passwordFromFile(
  file: string,
  host: string,
  port: number,
  dbname: string,
  user: string,
  files: PgFiles,
  warnings: string[],
): string | undefined {
  const info = files.stat(file);
  if (info === undefined) return undefined;
  if (!info.isFile) {
    warnings.push(`WARNING: password file "${file}" is not a plain file`);
    return undefined;
  }
  if (info.mode !== null && (info.mode & 0o077) !== 0) {
    warnings.push(
      `WARNING: password file "${file}" has group or world access; permissions should be u=rw (0600) or less`,
    );
    return undefined;
  }
  const text = files.readText(file);
  if (text === undefined) return undefined;
  const h = host === "" || host === DEFAULT_SOCKET_DIR ? "localhost" : host;
  return pgpassLookup(text, h, String(port), dbname, user);
}

function parseIntParam(key: string, value: string): number {
  const v = value.trim();
  if (!/^[+-]?\d+$/.test(v)) {
    throw connError(`invalid integer value "${value}" for connection option "${key}"`);
  }
  return Number(v);
}

/**
 * Resolve every connection parameter with libpq's precedence: explicit
 * (URI and Sqitch's user/password) › service file › `PG*` environment ›
 * defaults; then the password file for a connection without a password.
 */
export function resolvePgConnection(input: PgConnectionInput): PgConnectionParams {
  const { env, files, home } = input;
  const values = new Map<string, string>();
  for (const [k, v] of explicitParams(input.uri, input.username, input.password, env)) {
    if (!(k in KEYWORDS)) throw connError(`invalid connection option "${k}"`);
    values.set(k, v);
  }
  const service = values.get("service") ?? env.PGSERVICE;
  if (service !== undefined) {
    for (const [k, v] of serviceValues(service, env, home, files)) {
      if (!values.has(k)) values.set(k, v);
    }
  }
  for (const [k, envVar] of Object.entries(KEYWORDS)) {
    if (values.has(k) || envVar === null) continue;
    const v = env[envVar];
    if (v !== undefined) values.set(k, v);
  }
  const get = (k: string) => {
    const v = values.get(k);
    return v === undefined || v === "" ? undefined : v;
  };

  const hostList = (get("host") ?? "").split(",");
  const addrList = (get("hostaddr") ?? "").split(",");
  const hostCount = Math.max(hostList.length, get("hostaddr") ? addrList.length : 0);
  if (get("host") && get("hostaddr") && hostList.length !== addrList.length) {
    throw connError(
      `could not match ${hostList.length} host names to ${addrList.length} hostaddr values`,
    );
  }
  const hosts = Array.from({ length: hostCount }, (_, i) => hostList[i] || "");
  const hostaddrs = get("hostaddr") ? addrList : [];
  for (let i = 0; i < hosts.length; i++) {
    if (hosts[i] === "" && !hostaddrs[i]) hosts[i] = DEFAULT_SOCKET_DIR;
  }
  const portList = (get("port") ?? "").split(",");
  if (portList.length !== 1 && portList.length !== hosts.length) {
    throw connError(`could not match ${portList.length} port numbers to ${hosts.length} hosts`);
  }
  const ports = hosts.map((_, i) => {
    const p = portList.length === 1 ? portList[0] : portList[i];
    if (p === "") return DEFAULT_PORT;
    const n = parseIntParam("port", p);
    if (n < 1 || n > 65535) throw connError(`invalid port number: "${p}"`);
    return n;
  });

  const user = get("user") ?? input.osUser;
  if (user === undefined || user === "") {
    throw connError("could not look up local user ID: no user name");
  }
  const dbname = get("dbname") ?? user;

  let sslmode: string = get("sslmode") ?? "prefer";
  if (values.get("sslmode") === undefined && get("requiressl") === "1") sslmode = "require";
  if (!SSL_MODES.includes(sslmode as SslMode)) {
    throw connError(`invalid sslmode value: "${sslmode}"`);
  }
  const connectTimeoutText = get("connect_timeout");
  const connectTimeout = connectTimeoutText === undefined
    ? undefined
    : parseIntParam("connect_timeout", connectTimeoutText);

  const warnings: string[] = [];
  let password = get("password");
  let passwordFile: string | undefined;
  if (password === undefined) {
    const file = get("passfile") ?? (home !== undefined ? `${home}/.pgpass` : undefined);
    if (file !== undefined) {
      password = passwordFromFile(
        file,
        hosts[0] || hostaddrs[0] || "",
        ports[0],
        dbname,
        user,
        files,
        warnings,
      );
      if (password !== undefined) passwordFile = file;
    }
  }

  return {
    hosts,
    hostaddrs,
    ports,
    user,
    dbname,
    password,
    passwordFile,
    sslmode: sslmode as SslMode,
    sslrootcert: get("sslrootcert"),
    sslcert: get("sslcert"),
    sslkey: get("sslkey"),
    connectTimeout,
    applicationName: get("application_name"),
    fallbackApplicationName: get("fallback_application_name"),
    options: get("options"),
    clientEncoding: get("client_encoding"),
    channelBinding: get("channel_binding"),
    warnings,
  };
}

/** A value in a psql `--dbname` conninfo, with space, quotes and `\` backslash-escaped. */
function conninfoValue(value: string): string {
  return value.replace(/([ "'\\])/g, "\\$1");
}

/** What Sqitch's `psql` command line is built from. */
export interface PsqlArgsInput {
  uri: DbUri;
  /** Sqitch's user name, if any. */
  username?: string;
  registry: string;
  variables: Readonly<Record<string, string>>;
}

/**
 * The arguments Sqitch passes to a configured `psql` before `--file …`:
 * `--dbname "<conninfo>"` (user, dbname, host, explicit port, then the
 * query parameters by name; empty values left out; nothing when there is
 * nothing), one `--set k=v` per variable sorted by name, then the fixed
 * options. The password travels in `PGPASSWORD`, never on the command line.
 */
export function psqlArgs(input: PsqlArgsInput): string[] {
  const { uri } = input;
  const specs: [string, string | undefined][] = [
    ["user", input.username],
    ["dbname", uri.dbname],
    ["host", uri.host],
    ["port", uri.port],
  ];
  const query = new Map<string, string>();
  // Perl's hash of the query parameters: the last value of a key wins.
  for (const [k, v] of uri.queryParams) query.set(k, v);
  for (const k of [...query.keys()].sort()) specs.push([k, query.get(k)]);
  const conninfo = specs.filter(([, v]) => v !== undefined && v !== "")
    .map(([k, v]) => `${k}=${conninfoValue(v as string)}`);
  const args: string[] = [];
  if (conninfo.length > 0) args.push("--dbname", conninfo.join(" "));
  for (const k of Object.keys(input.variables).sort()) {
    args.push("--set", `${k}=${input.variables[k]}`);
  }
  args.push(
    "--quiet",
    "--no-psqlrc",
    "--no-align",
    "--tuples-only",
    "--set",
    "ON_ERROR_STOP=1",
    "--set",
    `registry=${input.registry}`,
  );
  return args;
}

/** `PGPASSWORD` for psql runs, only when Sqitch knows a Perl-true password. */
export function psqlEnv(password: string | undefined): Record<string, string> {
  return perlTrue(password) ? { PGPASSWORD: password } : {};
}
