/**
 * One PostgreSQL session: one connection is one server session, which
 * advisory locks and transactions need. It connects as libpq would (every
 * host and address in turn, TLS per `sslmode`, libpq's wording for
 * failures), serves the psql emulation through the `PsqlSession` interface
 * (simple-query protocol, text values, COPY, notices) and the registry
 * through parameterised queries. A session can be reset for the next
 * script (`reset`), as good as the new connection psql would have opened.
 *
 * The protocol itself is sqlitch's own (engines/pg_wire.ts) for plain
 * connections, TCP or unix socket; a server that accepts TLS is left to the
 * `pg` driver (engines/pg_node_session.ts), imported only then: this
 * module loads neither the driver nor Deno's Node compatibility layer
 * (`node:dns` only to resolve a host name).
 */
import type { PgConnectionParams, PgFiles } from "../core/pg_connection.ts";
import { importLazily } from "../io/lazy_import.ts";
import {
  type CopyHooks,
  NoPasswordError,
  SocketError,
  TlsAccepted,
  WireConnection,
} from "./pg_wire.ts";
import {
  PgConnectionError,
  type PgMessage,
  PgServerError,
  type PsqlConnectionInfo,
  type PsqlReconnect,
  type PsqlResult,
  type PsqlSession,
} from "./psql_session.ts";

/**
 * The protocol connection under a session: sqlitch's own
 * (`WireConnection`) or the `pg` driver's (`NodeConnection`). Methods
 * reject with `PgServerError` or `PgConnectionError`.
 */
export interface PgConnection {
  /** ParameterStatus values so far (server_version, client_encoding…). */
  readonly parameters: Map<string, string>;
  /** The backend's process id. */
  readonly pid: number | null;
  /** `I`, `T` or `E` from the last ReadyForQuery. */
  readonly transactionStatus: string;
  /** Why the connection is unusable (libpq's words), once it is. */
  readonly lostReason: string | undefined;
  /** Receives notices as they arrive. */
  onNotice: ((notice: PgMessage) => void) | undefined;
  /** A simple query: a result per command tag; COPY through `copy`. */
  query(sql: string, copy?: CopyHooks): Promise<PsqlResult[]>;
  /** Several simple queries sent without waiting between them; each one's outcome. */
  pipeline(statements: readonly string[]): Promise<(PsqlResult[] | Error)[]>;
  /** A parameterised statement (extended protocol); with `name` parsed once per connection. */
  execute(sql: string, values: readonly unknown[], name?: string): Promise<PsqlResult>;
  /** Terminate; with `wait`, resolve once the server has hung up. */
  close(wait?: boolean): Promise<void>;
}

/** Whether every connection goes through the `pg` driver (see `usePgDriverOnly`). */
let driverOnly = false;

/**
 * With `true`, every connection goes through the `pg` driver, plain ones
 * too, as before sqlitch had its own protocol code: tests run their live
 * suites both ways.
 */
export function usePgDriverOnly(on: boolean): void {
  driverOnly = on;
}

/** libpq's default rendering of a server message: `ERROR:  text`, then DETAIL and HINT lines. */
export function formatPgMessage(m: PgMessage): string {
  let out = `${m.severity}:  ${m.message}`;
  if (m.detail) out += `\nDETAIL:  ${m.detail}`;
  if (m.hint) out += `\nHINT:  ${m.hint}`;
  return out;
}

/** Where one connection attempt goes. */
export interface Endpoint {
  /** Host as named (socket directory or host name), for messages and TLS. */
  host: string;
  /** What is connected to: socket directory or numeric address. */
  address: string;
  port: number;
  socket: boolean;
  /** How libpq names this endpoint in a failure. */
  label: string;
}

/** 4 or 6 for a numeric IPv4 or IPv6 address (as `node:net`'s `isIP` tells them), else 0. */
export function ipVersion(text: string): 0 | 4 | 6 {
  if (
    /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(text)
  ) {
    return 4;
  }
  return isIpv6(text) ? 6 : 0;
}

function isIpv6(text: string): boolean {
  // An optional zone (`%eth0`), an optional trailing IPv4 part, hexadecimal groups and one `::`.
  let s = text.replace(/%[0-9A-Za-z._~-]+$/, "");
  if (s === text && text.includes("%")) return false;
  let groups = 8;
  const v4 = /:((?:\d{1,3}\.){3}\d{1,3})$/.exec(s);
  if (v4) {
    if (ipVersion(v4[1]) !== 4) return false;
    s = s.slice(0, v4.index + 1) + "0";
    groups = 7;
  }
  const parts = s.split("::");
  if (parts.length > 2) return false;
  const hex = /^[0-9A-Fa-f]{1,4}$/;
  const count = (p: string) => p === "" ? [] : p.split(":");
  const head = count(parts[0]);
  if (!head.every((g) => hex.test(g))) return false;
  if (parts.length === 1) return head.length === groups;
  const tail = count(parts[1]);
  if (!tail.every((g) => hex.test(g))) return false;
  return head.length + tail.length < groups;
}

function isIp(host: string): boolean {
  return ipVersion(host) !== 0;
}

/** Every endpoint of the parameters in libpq's order (hosts, then each host's addresses). */
async function endpoints(
  params: PgConnectionParams,
  errors: string[],
): Promise<Endpoint[]> {
  const out: Endpoint[] = [];
  for (let i = 0; i < params.hosts.length; i++) {
    const host = params.hosts[i];
    const port = params.ports[i];
    const hostaddr = params.hostaddrs[i];
    if (!hostaddr && host.startsWith("/")) {
      const path = `${host}/.s.PGSQL.${port}`;
      out.push({
        host,
        address: host,
        port,
        socket: true,
        label: `connection to server on socket "${path}" failed: `,
      });
      continue;
    }
    if (hostaddr || isIp(host)) {
      const address = hostaddr || host;
      const shown = host || address;
      out.push({
        host: shown,
        address,
        port,
        socket: false,
        label: hostaddr && host
          ? `connection to server at "${host}" (${address}), port ${port} failed: `
          : `connection to server at "${shown}", port ${port} failed: `,
      });
      continue;
    }
    let addresses: string[];
    try {
      const dns = await importLazily<typeof import("node:dns/promises")>(
        "node:dns/promises",
      );
      addresses = (await dns.lookup(host, { all: true })).map((a) => a.address);
    } catch {
      errors.push(`could not translate host name "${host}" to address: Name or service not known`);
      continue;
    }
    for (const address of addresses) {
      out.push({
        host,
        address,
        port,
        socket: false,
        label: `connection to server at "${host}" (${address}), port ${port} failed: `,
      });
    }
  }
  return out;
}

/** The reason libpq gives for a failed attempt. */
function attemptFailure(e: unknown, ep: Endpoint, params: PgConnectionParams): string {
  if (e instanceof NoPasswordError) return "fe_sendauth: no password supplied";
  if (e instanceof PgServerError) {
    let text = formatPgMessage(e.fields);
    if (params.passwordFile && e.fields.code === "28P01") {
      text += `\npassword retrieved from file "${params.passwordFile}"`;
    }
    return text;
  }
  const code = (e as { code?: string })?.code;
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof SocketError && !/refused|No such file/i.test(message)) {
    // libpq: the system's words, then where it tried.
    return ep.socket
      ? `${message}\n\tIs the server running locally and accepting connections on that socket?`
      : `${message}\n\tIs the server running on that host and accepting TCP/IP connections?`;
  }
  if (code === "ECONNREFUSED" || /refused/i.test(message)) {
    return ep.socket
      ? "Connection refused\n\tIs the server running locally and accepting connections on that socket?"
      : "Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?";
  }
  if (code === "ENOENT" || /No such file/i.test(message)) {
    return "No such file or directory\n\tIs the server running locally and accepting connections on that socket?";
  }
  if (code === HOST_MISMATCH) return message;
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return `server certificate does not match host name "${ep.host}"`;
  }
  if (
    /^(?:DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE)$/
      .test(code ?? "") || /self[- ]signed certificate|unable to verify/i.test(message)
  ) {
    return "SSL error: certificate verify failed";
  }
  if (/timeout/i.test(message)) return "timeout expired";
  if (/does not support SSL/i.test(message)) {
    return "server does not support SSL, but SSL was required";
  }
  return message;
}

/** The code of a host-name mismatch found by `verifyPeerName` (its message is libpq's). */
const HOST_MISMATCH = "SQLITCH_TLS_HOST_MISMATCH";

/** The parts of Node's peer certificate the host-name check reads. */
interface PeerCertificate {
  subject?: { CN?: string | string[] };
  subjectaltname?: string;
}

/** libpq's match of one certificate name: case-insensitive, a leading `*.` matching one label. */
function nameMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p === h) return true;
  if (p.startsWith("*.") && h.length > p.length - 1 && h.endsWith(p.slice(1))) {
    return !h.slice(0, h.length - p.length + 1).includes(".");
  }
  return false;
}

/** An IP address in a canonical form for comparison. */
function canonicalIp(text: string): string {
  if (ipVersion(text) === 4) return text.split(".").map(Number).join(".");
  if (ipVersion(text) !== 6) return text.toLowerCase();
  const [head, tail = ""] = text.toLowerCase().split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const fill = text.includes("::") ? Array(8 - h.length - t.length).fill("0") : [];
  return [...h, ...fill, ...t].map((g) => g.replace(/^0+(?=.)/, "")).join(":");
}

/**
 * verify-full's host-name check as libpq does it: the subjectAltName DNS
 * and IP entries, then the Common Name unless a SAN of the host's kind was
 * present; on failure libpq's message naming the first name examined.
 */
export function verifyPeerName(host: string, cert: PeerCertificate): Error | undefined {
  const hostIsIp = isIp(host);
  const examined: string[] = [];
  let checkCn = true;
  let matched = false;
  for (const entry of (cert.subjectaltname ?? "").split(/,\s*/)) {
    const m = /^(DNS|IP Address):(.*)$/.exec(entry.trim());
    if (!m) continue;
    if (m[1] === "DNS") {
      if (!hostIsIp) checkCn = false;
      examined.push(m[2]);
      if (!hostIsIp && nameMatches(m[2], host)) matched = true;
    } else {
      if (hostIsIp) checkCn = false;
      examined.push(m[2]);
      if (hostIsIp && canonicalIp(m[2]) === canonicalIp(host)) matched = true;
    }
  }
  if (!matched && checkCn) {
    const cn = cert.subject?.CN;
    const name = Array.isArray(cn) ? cn[cn.length - 1] : cn;
    if (name !== undefined) {
      examined.push(name);
      if (nameMatches(name, host)) matched = true;
    }
  }
  if (matched) return undefined;
  let message: string;
  if (examined.length > 1) {
    const others = examined.length - 1;
    message = `server certificate for "${examined[0]}" (and ${others} other name${
      others === 1 ? "" : "s"
    }) does not match host name "${host}"`;
  } else if (examined.length === 1) {
    message = `server certificate for "${examined[0]}" does not match host name "${host}"`;
  } else {
    message = "could not get server's host name from server certificate";
  }
  const e = new Error(message) as Error & { code: string };
  e.code = HOST_MISMATCH;
  return e;
}

/** How a session finds passwords again when psql's `\connect` changes user or host. */
export type PasswordLookup = (
  host: string,
  port: number,
  dbname: string,
  user: string,
) => string | undefined;

/** What a session is opened with. */
export interface PgSessionConfig {
  params: PgConnectionParams;
  files: PgFiles;
  /** Home directory, for `~/.postgresql/` TLS files. */
  home?: string;
  /** Password lookup for `\connect` to another user/host (environment and password file). */
  passwordLookup?: PasswordLookup;
}

/** The TLS options of one attempt, or false for none. */
function tlsOptions(
  cfg: PgSessionConfig,
  ep: Endpoint,
  mode: "plain" | "tls",
): Record<string, unknown> | false {
  if (mode === "plain" || ep.socket) return false;
  const { params, files, home } = cfg;
  const dir = home !== undefined ? `${home}/.postgresql` : undefined;
  const opts: Record<string, unknown> = {};
  if (!isIp(ep.host)) opts.servername = ep.host;
  const rootPath = params.sslrootcert ?? (dir ? `${dir}/root.crt` : undefined);
  let verify: "none" | "ca" | "full" = params.sslmode === "verify-full"
    ? "full"
    : params.sslmode === "verify-ca"
    ? "ca"
    : "none";
  const rootExists = rootPath !== undefined && rootPath !== "system" &&
    files.stat(rootPath) !== undefined;
  // libpq: require with a root certificate present verifies like verify-ca.
  if (params.sslmode === "require" && rootExists) verify = "ca";
  if (verify !== "none") {
    if (rootPath !== "system") {
      if (!rootExists) {
        throw new PgConnectionError(
          `root certificate file "${rootPath}" does not exist\nEither provide the file or change sslmode to disable server certificate verification.`,
        );
      }
      opts.ca = files.readText(rootPath as string);
    }
    opts.rejectUnauthorized = true;
    opts.checkServerIdentity = verify === "ca"
      ? () => undefined
      : (_name: string, cert: PeerCertificate) => verifyPeerName(ep.host, cert);
  } else {
    opts.rejectUnauthorized = false;
  }
  const certPath = params.sslcert ?? (dir ? `${dir}/postgresql.crt` : undefined);
  const keyPath = params.sslkey ?? (dir ? `${dir}/postgresql.key` : undefined);
  if (certPath !== undefined && files.stat(certPath) !== undefined) {
    opts.cert = files.readText(certPath);
    if (keyPath !== undefined) opts.key = files.readText(keyPath);
  }
  return opts;
}

/** A live session. Create with `PgSession.open`. */
export class PgSession implements PsqlSession {
  private conn: PgConnection;
  private config: PgSessionConfig;
  private endpoint: Endpoint;
  private noticeListener?: (notice: PgMessage) => void;
  /** False once the session holds state a reset cannot undo (see `reset`). */
  private reusable = true;
  private serverVersionNumText = "";

  private constructor(conn: PgConnection, config: PgSessionConfig, endpoint: Endpoint) {
    this.conn = conn;
    this.config = config;
    this.endpoint = endpoint;
    conn.onNotice = (notice) => this.noticeListener?.(notice);
  }

  /** Connect as libpq would; rejects with `PgConnectionError` carrying libpq's message. */
  static async open(config: PgSessionConfig): Promise<PgSession> {
    const { params } = config;
    const errors: string[] = [];
    for (const ep of await endpoints(params, errors)) {
      const modes: ("plain" | "tls")[] = ep.socket || params.sslmode === "disable"
        ? ["plain"]
        : params.sslmode === "allow"
        ? ["plain", "tls"]
        : params.sslmode === "prefer"
        ? ["tls", "plain"]
        : ["tls"];
      for (let m = 0; m < modes.length; m++) {
        let ssl: Record<string, unknown> | false;
        try {
          ssl = tlsOptions(config, ep, modes[m]);
        } catch (e) {
          // libpq reports a missing root certificate per attempt, then tries the next host.
          errors.push(ep.label + (e instanceof Error ? e.message : String(e)));
          break;
        }
        // sslmode=prefer: a server that refuses TLS is spoken to in the clear on the same socket.
        const plainOnRefusal = modes[m] === "tls" && modes[m + 1] === "plain";
        let conn: PgConnection | undefined;
        try {
          conn = await connect(params, ep, ssl, plainOnRefusal);
          const session = new PgSession(conn, config, ep);
          await session.afterConnect();
          return session;
        } catch (e) {
          await conn?.close(false);
          const message = e instanceof Error ? e.message : String(e);
          const last = m === modes.length - 1;
          // prefer: no TLS on the server → try again in the clear; allow: refused in the clear → TLS.
          if (!last && modes[m] === "tls" && /does not support SSL/i.test(message)) continue;
          if (!last && modes[m] === "plain" && e instanceof PgServerError) continue;
          errors.push(ep.label + attemptFailure(e, ep, params));
          break;
        }
      }
    }
    throw new PgConnectionError(errors.join("\n"));
  }

  /**
   * The server's version number as libpq derives it from the
   * `server_version` the server reports at start-up (asked only of a
   * server that does not report it).
   */
  private async afterConnect(): Promise<void> {
    const reported = this.conn.parameters.get("server_version");
    if (reported !== undefined) {
      this.serverVersionNumText = String(serverVersionNumber(reported));
      return;
    }
    const rows = await this.rows("SHOW server_version_num");
    this.serverVersionNumText = rows[0]?.[0] ?? "";
  }

  private check(): void {
    const lost = this.conn.lostReason;
    if (lost !== undefined) throw new PgConnectionError(lost);
  }

  /** The server's `server_version_num` as a number. */
  get serverVersionNum(): number {
    return Number(this.serverVersionNumText) || 0;
  }

  /** The backend's process id (for tests and diagnostics). */
  get pid(): number | null {
    return this.conn.pid;
  }

  /** `I` idle, `T` in a transaction, `E` in a failed transaction (last ReadyForQuery). */
  get transactionStatus(): string {
    return this.conn.transactionStatus;
  }

  /**
   * Rows of a query, as text: with values a parameterised query (extended
   * protocol), without the simple protocol (the last statement's rows).
   */
  async rows(sql: string, values: unknown[] = []): Promise<(string | null)[][]> {
    this.check();
    if (values.length > 0) return (await this.conn.execute(sql, values)).rows;
    const results = await this.conn.query(sql);
    return results[results.length - 1]?.rows ?? [];
  }

  /**
   * Run a statement for its effect (extended protocol when there are
   * values). With `name` (and values) the statement is prepared under that
   * name once per session, then only executed.
   */
  async exec(sql: string, values: unknown[] = [], name?: string): Promise<number | null> {
    this.check();
    if (values.length > 0) return (await this.conn.execute(sql, values, name)).rowCount;
    const results = await this.conn.query(sql);
    return results[results.length - 1]?.rowCount ?? null;
  }

  // --- PsqlSession ----------------------------------------------------------

  async query(sql: string): Promise<PsqlResult[]> {
    this.check();
    this.note(sql);
    return await this.conn.query(sql);
  }

  /** One statement with COPY hooks; the result of its last command. */
  private async copy(sql: string, hooks: CopyHooks): Promise<PsqlResult> {
    this.check();
    this.note(sql);
    const results = await this.conn.query(sql, hooks);
    return results[results.length - 1] ?? { command: "", rowCount: null, fields: [], rows: [] };
  }

  copyIn(sql: string, data: string): Promise<PsqlResult> {
    return this.copy(sql, { data: new TextEncoder().encode(data) });
  }

  async copyOut(sql: string): Promise<{ data: string; result: PsqlResult }> {
    const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
    let data = "";
    const result = await this.copy(sql, {
      out: (chunk) => data += decoder.decode(chunk, { stream: true }),
    });
    data += decoder.decode();
    return { data, result };
  }

  onNotice(listener: ((notice: PgMessage) => void) | undefined): void {
    this.noticeListener = listener;
  }

  async reconnect(change: PsqlReconnect): Promise<void> {
    // Whatever comes of it, the session is no longer the one a new script would get.
    this.reusable = false;
    const old = this.config.params;
    const host = change.host ?? this.endpoint.host;
    const port = change.port !== undefined ? Number(change.port) : this.endpoint.port;
    const user = change.user ?? old.user;
    const dbname = change.dbname ?? old.dbname;
    // psql keeps the password when neither user, host nor port changes.
    const same = user === old.user && host === this.endpoint.host && port === this.endpoint.port;
    const password = same ? old.password : this.config.passwordLookup?.(host, port, dbname, user);
    const params: PgConnectionParams = {
      ...old,
      hosts: [host],
      hostaddrs: [],
      ports: [port],
      user,
      dbname,
      password,
    };
    const next = await PgSession.open({ ...this.config, params });
    await this.close();
    this.conn = next.conn;
    this.config = next.config;
    this.endpoint = next.endpoint;
    this.serverVersionNumText = next.serverVersionNumText;
    // Later notices of the new connection go to this object's listener, not `next`'s.
    this.conn.onNotice = (notice) => this.noticeListener?.(notice);
  }

  info(): PsqlConnectionInfo {
    const parameters = this.conn.parameters;
    return {
      dbname: this.config.params.dbname,
      user: this.config.params.user,
      host: this.endpoint.host,
      port: String(this.endpoint.port),
      serverVersionNum: this.serverVersionNumText,
      serverVersion: parameters.get("server_version") ?? "",
      encoding: parameters.get("client_encoding") ?? "UTF8",
      standardConformingStrings: onOff(parameters.get("standard_conforming_strings")),
    };
  }

  // --- reuse for the next script ---------------------------------------------------

  /** Marks the session not reusable when a script statement leaves what a reset cannot undo. */
  private note(sql: string): void {
    if (this.reusable && LASTING_STATE.test(sql)) this.reusable = false;
  }

  /** Whether the connection is still up (no failure seen on it). */
  get alive(): boolean {
    return this.conn.lostReason === undefined;
  }

  /** Whether `reset` can make the session as good as new (else it must be closed). */
  get resettable(): boolean {
    return this.reusable && this.alive;
  }

  /**
   * Put the session back as a new connection finds it, for the next script
   * (psql gives each script a connection of its own): roll back what the
   * script left open, then `DISCARD ALL` (settings, role and session
   * authorization, prepared statements, cursors, temporary tables,
   * advisory locks, LISTEN, cached plans and sequence values). False when
   * the session cannot be reused — lost, reconnected by `\connect`, a
   * failed reset, or a statement that left lasting state (`LASTING_STATE`)
   * — and must be closed. The reset statements are sent at once; the
   * promise tells how they went.
   */
  reset(): Promise<boolean> {
    if (!this.resettable) return Promise.resolve(false);
    const statements = this.conn.transactionStatus !== "I"
      ? ["ROLLBACK", "DISCARD ALL"]
      : ["DISCARD ALL"];
    return this.conn.pipeline(statements).then(
      (outcomes) => {
        if (outcomes.some((o) => o instanceof Error)) {
          this.reusable = false;
          return false;
        }
        return this.conn.transactionStatus === "I" && this.alive;
      },
      () => {
        this.reusable = false;
        return false;
      },
    );
  }

  /**
   * Close the connection (ends the session and its locks). With `wait`
   * (the default) resolve once the server has hung up, so whatever the
   * session held is released; without, as libpq's `PQfinish`, once the
   * terminate message is sent and the socket closed on this side.
   */
  async close(wait = true): Promise<void> {
    try {
      await this.conn.close(wait);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Open the connection of one attempt: sqlitch's own protocol code, which
 * asks a server for TLS when `ssl` says so; a server that accepts is
 * connected to again through the `pg` driver (loaded then), which does the
 * TLS.
 */
async function connect(
  params: PgConnectionParams,
  ep: Endpoint,
  ssl: Record<string, unknown> | false,
  plainOnRefusal: boolean,
): Promise<PgConnection> {
  if (!driverOnly) {
    try {
      return await WireConnection.open({
        transport: ep.socket
          ? { path: `${ep.address}/.s.PGSQL.${ep.port}` }
          : { hostname: ep.address, port: ep.port },
        user: params.user,
        database: params.dbname,
        applicationName: params.applicationName || params.fallbackApplicationName,
        options: params.options,
        password: params.password,
        channelBinding: params.channelBinding,
        tls: !ssl ? "none" : plainOnRefusal ? "prefer" : "require",
        connectTimeoutMs: params.connectTimeout && params.connectTimeout > 0
          ? Math.max(params.connectTimeout, 2) * 1000
          : undefined,
      });
    } catch (e) {
      if (!(e instanceof TlsAccepted)) throw e;
    }
  }
  const { NodeConnection } = await importLazily<typeof import("./pg_node_session.ts")>(
    "engines/pg_node_session.ts",
  );
  return await NodeConnection.open({ params, endpoint: ep, ssl, plainOnRefusal });
}

/**
 * Script statements after which a reused session would differ from a new
 * one even after `DISCARD ALL`: defaults for new sessions (`ALTER ROLE |
 * USER | DATABASE | SYSTEM`), custom settings (`SET`/`RESET x.y`,
 * `set_config`, which leave a placeholder behind), loaded libraries and
 * dblink's named connections. A false positive only costs a new connection.
 */
const LASTING_STATE =
  /\balter\s+(?:role|user|group|database|system)\b|\bset_config\b|\b(?:set|reset)\s+(?:session\s+|local\s+)?(?:"[^"]*"|[a-z_][\w$]*)\s*\.|\bload\s+[eE]?'|\bdblink_connect/i;

function onOff(value: string | undefined): boolean | undefined {
  return value === undefined ? undefined : value === "on";
}

/** libpq's number for a `server_version` (`15.20 (Debian…)` → 150020, `9.6.3` → 90603). */
export function serverVersionNumber(version: string): number {
  const m = /^\s*([+-]?\d+)(?:\.\s*([+-]?\d+)(?:\.\s*([+-]?\d+))?)?/.exec(version);
  if (!m) return 0;
  const major = Number(m[1]);
  if (m[3] !== undefined) return (100 * major + Number(m[2])) * 100 + Number(m[3]);
  if (m[2] !== undefined) {
    return major >= 10 ? 100 * 100 * major + Number(m[2]) : (100 * major + Number(m[2])) * 100;
  }
  return 100 * 100 * major;
}
