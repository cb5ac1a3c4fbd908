/**
 * One PostgreSQL session on the `pg` driver (node-postgres): one client is
 * one server session, which advisory locks and transactions need. It
 * connects as libpq would (every host and address in turn, TLS per
 * `sslmode`, libpq's wording for failures), serves the psql emulation
 * through the `PsqlSession` interface (simple-query protocol, text values,
 * COPY, notices) and the registry through parameterised queries. A
 * session can be reset for the next script (`reset`), as good as the new
 * connection psql would have opened.
 *
 * The driver is imported on first use, so commands that never reach
 * PostgreSQL never load it.
 */
import { Buffer } from "node:buffer";
import { isIP } from "node:net";
import type { PgConnectionParams, PgFiles } from "../core/pg_connection.ts";
import {
  PgConnectionError,
  type PgMessage,
  PgServerError,
  type PsqlConnectionInfo,
  type PsqlReconnect,
  type PsqlResult,
  type PsqlSession,
} from "./psql_session.ts";

// Minimal shapes of the driver objects used here (the npm package ships no Deno types we rely on).
interface DriverField {
  name: string;
}
interface DriverResult {
  command: string | null;
  rowCount: number | null;
  fields: DriverField[];
  rows: (string | null)[][];
}
interface DriverConnection {
  on(event: string, listener: (msg: Record<string, unknown>) => void): void;
  off?(event: string, listener: (msg: Record<string, unknown>) => void): void;
  removeListener(event: string, listener: (msg: Record<string, unknown>) => void): void;
  emit(event: string): void;
  /** The socket (a TLS socket once TLS is up). */
  stream: DriverStream;
  /** Truthy while the connection asks for TLS. */
  ssl: unknown;
  /** Start parsing server messages from `stream`. */
  attachListeners(stream: DriverStream): void;
}
interface DriverStream {
  once(event: string, listener: (arg: Uint8Array) => void): unknown;
  destroy(): void;
}
interface DriverClient {
  connection: DriverConnection;
  processID: number | null;
  connect(): Promise<void>;
  end(): Promise<void>;
  query(config: unknown, values?: unknown[]): Promise<DriverResult | DriverResult[]>;
  on(event: string, listener: (arg: never) => void): void;
}
/** A driver query whose COPY hooks can be replaced. */
interface DriverQuery {
  handleCopyInResponse(connection: DriverWire): void;
  handleCopyData(msg: { chunk: Uint8Array }, connection: DriverWire): void;
}
interface DriverWire {
  sendCopyFromChunk(chunk: Uint8Array): void;
  endCopyFrom(): void;
}
interface DriverModule {
  Client: new (config: Record<string, unknown>) => DriverClient;
  Query: new (config: Record<string, unknown>) => DriverQuery;
}

let driver: Promise<DriverModule> | undefined;

/** The `pg` module, loaded once on first use. */
function loadDriver(): Promise<DriverModule> {
  driver ??= import("pg").then((m) => (m.default ?? m) as unknown as DriverModule);
  return driver;
}

/** Every value as the server's text: no type parsing. */
const TEXT_TYPES = { getTypeParser: () => (value: string) => value };

const MESSAGE_FIELDS = [
  "code",
  "detail",
  "hint",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;

/** A driver error or notice as a `PgMessage`. */
export function toPgMessage(e: Record<string, unknown>): PgMessage {
  const msg: PgMessage = {
    severity: String(e.severity ?? "ERROR"),
    message: String(e.message ?? ""),
  };
  for (const k of MESSAGE_FIELDS) {
    const v = e[k];
    if (v !== undefined && v !== null && v !== "") msg[k] = String(v);
  }
  if (e.position !== undefined && e.position !== null && e.position !== "") {
    msg.position = Number(e.position);
  }
  if (
    e.internalPosition !== undefined && e.internalPosition !== null && e.internalPosition !== ""
  ) {
    msg.internalPosition = Number(e.internalPosition);
  }
  return msg;
}

/** libpq's default rendering of a server message: `ERROR:  text`, then DETAIL and HINT lines. */
export function formatPgMessage(m: PgMessage): string {
  let out = `${m.severity}:  ${m.message}`;
  if (m.detail) out += `\nDETAIL:  ${m.detail}`;
  if (m.hint) out += `\nHINT:  ${m.hint}`;
  return out;
}

function isServerError(e: unknown): e is Record<string, unknown> & Error {
  return e instanceof Error && typeof (e as { severity?: unknown }).severity === "string" &&
    typeof (e as { code?: unknown }).code === "string" &&
    /^[0-9A-Z]{5}$/.test((e as unknown as { code: string }).code);
}

/** A thrown driver value as `PgServerError` or `PgConnectionError`. */
export function toSessionError(e: unknown): Error {
  if (e instanceof PgServerError || e instanceof PgConnectionError) return e;
  if (isServerError(e)) return new PgServerError(toPgMessage(e));
  return new PgConnectionError(
    e instanceof Error ? connectionLostText(e.message) : String(e),
  );
}

function connectionLostText(message: string): string {
  if (/Connection terminated|Client was closed|not queryable/i.test(message)) {
    return "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.";
  }
  return message;
}

/** Where one connection attempt goes. */
interface Endpoint {
  /** Host as named (socket directory or host name), for messages and TLS. */
  host: string;
  /** What the driver connects to: socket directory or numeric address. */
  address: string;
  port: number;
  socket: boolean;
  /** How libpq names this endpoint in a failure. */
  label: string;
}

function isIp(host: string): boolean {
  return isIP(host) !== 0;
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
      const dns = await import("node:dns/promises");
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
  if (isServerError(e)) {
    let text = formatPgMessage(toPgMessage(e));
    if (params.passwordFile && (e as unknown as { code: string }).code === "28P01") {
      text += `\npassword retrieved from file "${params.passwordFile}"`;
    }
    return text;
  }
  const code = (e as { code?: string })?.code;
  const message = e instanceof Error ? e.message : String(e);
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

class NoPasswordError extends Error {}

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
  if (isIP(text) === 4) return text.split(".").map(Number).join(".");
  if (isIP(text) !== 6) return text.toLowerCase();
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
  const hostIsIp = isIP(host) !== 0;
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
  private client: DriverClient;
  private config: PgSessionConfig;
  private endpoint: Endpoint;
  private noticeListener?: (notice: PgMessage) => void;
  private lost?: Error;
  /** False once the session holds state a reset cannot undo (see `reset`). */
  private reusable = true;
  private parameters = new Map<string, string>();
  private status = "I";
  private serverVersionNumText = "";

  private constructor(client: DriverClient, config: PgSessionConfig, endpoint: Endpoint) {
    this.client = client;
    this.config = config;
    this.endpoint = endpoint;
  }

  /** Connect as libpq would; rejects with `PgConnectionError` carrying libpq's message. */
  static async open(config: PgSessionConfig): Promise<PgSession> {
    const pg = await loadDriver();
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
        const session = new PgSession(undefined as unknown as DriverClient, config, ep);
        let client: DriverClient;
        try {
          // sslmode=prefer: a server that refuses TLS is spoken to in the clear on the same socket.
          const plainOnRefusal = modes[m] === "tls" && modes[m + 1] === "plain";
          client = session.makeClient(pg, ep, tlsOptions(config, ep, modes[m]), plainOnRefusal);
        } catch (e) {
          // libpq reports a missing root certificate per attempt, then tries the next host.
          errors.push(ep.label + (e instanceof Error ? e.message : String(e)));
          break;
        }
        session.client = client;
        try {
          await client.connect();
          await session.afterConnect();
          return session;
        } catch (e) {
          await endQuickly(client);
          const message = e instanceof Error ? e.message : String(e);
          const last = m === modes.length - 1;
          // prefer: no TLS on the server → try again in the clear; allow: refused in the clear → TLS.
          if (!last && modes[m] === "tls" && /does not support SSL/i.test(message)) continue;
          if (!last && modes[m] === "plain" && isServerError(e)) continue;
          errors.push(ep.label + attemptFailure(e, ep, params));
          break;
        }
      }
    }
    throw new PgConnectionError(errors.join("\n"));
  }

  private makeClient(
    pg: DriverModule,
    ep: Endpoint,
    ssl: Record<string, unknown> | false,
    plainOnRefusal = false,
  ): DriverClient {
    const { params } = this.config;
    const password = this.password;
    const client = new pg.Client({
      host: ep.address,
      port: ep.port,
      user: params.user,
      database: params.dbname,
      password: () => {
        if (password === undefined || password === "") throw new NoPasswordError();
        return password;
      },
      ssl,
      types: TEXT_TYPES,
      connectionTimeoutMillis: params.connectTimeout && params.connectTimeout > 0
        ? Math.max(params.connectTimeout, 2) * 1000
        : 0,
      application_name: params.applicationName,
      fallback_application_name: params.fallbackApplicationName,
      options: params.options,
      client_encoding: params.clientEncoding ?? "UTF8",
      enableChannelBinding: params.channelBinding === "require",
    });
    client.connection.on("parameterStatus", (msg) => {
      this.parameters.set(String(msg.parameterName), String(msg.parameterValue));
    });
    client.connection.on("readyForQuery", (msg) => {
      this.status = String(msg.status ?? "I");
    });
    client.on("notice", (msg: never) => this.noticeListener?.(toPgMessage(msg)));
    client.on("error", (e: never) => {
      this.lost = e as Error;
    });
    if (ssl && plainOnRefusal) continueInTheClear(client.connection);
    return client;
  }

  private get password(): string | undefined {
    return this.config.params.password;
  }

  /**
   * The server's version number as libpq derives it from the
   * `server_version` the server reports at start-up (asked only of a
   * server that does not report it).
   */
  private async afterConnect(): Promise<void> {
    const reported = this.parameters.get("server_version");
    if (reported !== undefined) {
      this.serverVersionNumText = String(serverVersionNumber(reported));
      return;
    }
    const rows = await this.rows("SHOW server_version_num");
    this.serverVersionNumText = rows[0]?.[0] ?? "";
  }

  private check(): void {
    if (this.lost) throw new PgConnectionError(connectionLostText(this.lost.message));
  }

  /** The server's `server_version_num` as a number. */
  get serverVersionNum(): number {
    return Number(this.serverVersionNumText) || 0;
  }

  /** The backend's process id (for tests and diagnostics). */
  get pid(): number | null {
    return this.client.processID;
  }

  /** `I` idle, `T` in a transaction, `E` in a failed transaction (last ReadyForQuery). */
  get transactionStatus(): string {
    return this.status;
  }

  /** Parameterised query (extended protocol); rows as text. */
  async rows(sql: string, values: unknown[] = []): Promise<(string | null)[][]> {
    this.check();
    try {
      const r = await this.client.query({ text: sql, values, rowMode: "array", types: TEXT_TYPES });
      const last = Array.isArray(r) ? r[r.length - 1] : r;
      return last.rows;
    } catch (e) {
      throw toSessionError(e);
    }
  }

  /**
   * Run a statement for its effect (extended protocol when there are
   * values). With `name` (and values) the statement is prepared under that
   * name once per session, then only executed.
   */
  async exec(sql: string, values: unknown[] = [], name?: string): Promise<number | null> {
    this.check();
    try {
      const r = await this.client.query(
        values.length > 0 ? { name, text: sql, values, types: TEXT_TYPES } : { text: sql },
      );
      const last = Array.isArray(r) ? r[r.length - 1] : r;
      return last?.rowCount ?? null;
    } catch (e) {
      throw toSessionError(e);
    }
  }

  // --- PsqlSession ----------------------------------------------------------

  async query(sql: string): Promise<PsqlResult[]> {
    this.check();
    this.note(sql);
    const tags: string[] = [];
    const onComplete = (msg: Record<string, unknown>) => tags.push(String(msg.text ?? ""));
    this.client.connection.on("commandComplete", onComplete);
    try {
      const r = await this.client.query({ text: sql, rowMode: "array", types: TEXT_TYPES });
      const results = Array.isArray(r) ? r : [r];
      return results.map((res, i) => toResult(res, tags[i]));
    } catch (e) {
      throw toSessionError(e);
    } finally {
      this.client.connection.removeListener("commandComplete", onComplete);
    }
  }

  /**
   * Run one simple-protocol statement through a driver query whose COPY
   * hooks send `copyIn` data or collect COPY OUT data (the driver itself
   * refuses COPY FROM STDIN and drops COPY OUT data).
   */
  private async copy(
    sql: string,
    hooks: { data?: Uint8Array; out?: (chunk: Uint8Array) => void },
  ): Promise<PsqlResult> {
    this.check();
    this.note(sql);
    const pg = await loadDriver();
    const tags: string[] = [];
    const onComplete = (msg: Record<string, unknown>) => tags.push(String(msg.text ?? ""));
    this.client.connection.on("commandComplete", onComplete);
    try {
      const res = await new Promise<DriverResult | DriverResult[]>((resolve, reject) => {
        const q = new pg.Query({
          text: sql,
          rowMode: "array",
          types: TEXT_TYPES,
          callback: (err: unknown, r: DriverResult | DriverResult[]) =>
            err ? reject(err) : resolve(r),
        });
        q.handleCopyInResponse = (wire) => {
          const data = hooks.data ?? new Uint8Array();
          if (data.length > 0) wire.sendCopyFromChunk(Buffer.from(data));
          wire.endCopyFrom();
        };
        q.handleCopyData = (msg) => hooks.out?.(msg.chunk);
        (this.client as unknown as { query(q: unknown): unknown }).query(q);
      });
      const results = Array.isArray(res) ? res : [res];
      return toResult(results[results.length - 1], tags[tags.length - 1]);
    } catch (e) {
      throw toSessionError(e);
    } finally {
      this.client.connection.removeListener("commandComplete", onComplete);
    }
  }

  copyIn(sql: string, data: string): Promise<PsqlResult> {
    return this.copy(sql, { data: new TextEncoder().encode(data) });
  }

  async copyOut(sql: string): Promise<{ data: string; result: PsqlResult }> {
    const decoder = new TextDecoder();
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
    next.noticeListener = this.noticeListener;
    await this.close();
    this.client = next.client;
    this.config = next.config;
    this.endpoint = next.endpoint;
    this.parameters = next.parameters;
    this.serverVersionNumText = next.serverVersionNumText;
    this.lost = undefined;
    this.status = next.status;
    // Later events of the new client must update this object, not `next`.
    next.client.connection.on("parameterStatus", (msg) => {
      this.parameters.set(String(msg.parameterName), String(msg.parameterValue));
    });
    next.client.connection.on("readyForQuery", (msg) => {
      this.status = String(msg.status ?? "I");
    });
    next.client.on("notice", (msg: never) => this.noticeListener?.(toPgMessage(msg)));
    next.noticeListener = undefined;
    next.client.on("error", (e: never) => {
      this.lost = e as Error;
    });
  }

  info(): PsqlConnectionInfo {
    return {
      dbname: this.config.params.dbname,
      user: this.config.params.user,
      host: this.endpoint.host,
      port: String(this.endpoint.port),
      serverVersionNum: this.serverVersionNumText,
      serverVersion: this.parameters.get("server_version") ?? "",
      encoding: this.parameters.get("client_encoding") ?? "UTF8",
      standardConformingStrings: onOff(this.parameters.get("standard_conforming_strings")),
    };
  }

  // --- reuse for the next script ---------------------------------------------------

  /** Marks the session not reusable when a script statement leaves what a reset cannot undo. */
  private note(sql: string): void {
    if (this.reusable && LASTING_STATE.test(sql)) this.reusable = false;
  }

  /** Whether the connection is still up (no failure seen on it). */
  get alive(): boolean {
    return this.lost === undefined;
  }

  /** Whether `reset` can make the session as good as new (else it must be closed). */
  get resettable(): boolean {
    return this.reusable && this.lost === undefined;
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
    const sent = [this.status !== "I" ? "ROLLBACK" : undefined, "DISCARD ALL"]
      .filter((sql) => sql !== undefined)
      .map((text) => this.client.query({ text }));
    return Promise.all(sent).then(
      () => this.status === "I" && this.lost === undefined,
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
      if (wait) await this.client.end();
      else await endQuickly(this.client);
    } catch {
      // Already gone.
    }
  }
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

/**
 * End a driver client without waiting for the server to hang up: the
 * terminate message is flushed, then the socket closed (the driver's own
 * `end` waits for the server's side, which costs the backend's exit time).
 */
function endQuickly(client: DriverClient): Promise<void> {
  const stream = client.connection.stream;
  stream.once("finish", () => stream.destroy());
  return client.end().catch(() => {});
}

/**
 * libpq's `sslmode=prefer` against a server that answers the TLS request
 * with `N`: carry on unencrypted on the same connection (the driver would
 * fail the attempt, costing a second connection).
 */
function continueInTheClear(connection: DriverConnection): void {
  const stream = connection.stream as DriverStream & Record<string, unknown>;
  const once = stream.once;
  stream.once = (event: string, listener: (arg: Uint8Array) => void) => {
    if (event !== "data") return once.call(stream, event, listener);
    // Only the one-byte answer to the TLS request is intercepted.
    stream.once = once;
    return once.call(stream, "data", (buffer: Uint8Array) => {
      if (buffer.length === 1 && buffer[0] === 0x4e) {
        connection.ssl = false;
        connection.attachListeners(stream);
        connection.emit("sslconnect");
        return;
      }
      listener(buffer);
    });
  };
}

function toResult(res: DriverResult, tag: string | undefined): PsqlResult {
  const text = tag ?? res.command ?? "";
  const command = text.replace(/(?: \d+)+$/, "");
  return {
    command,
    rowCount: res.rowCount ?? null,
    fields: (res.fields ?? []).map((f) => f.name),
    rows: res.rows ?? [],
  };
}
