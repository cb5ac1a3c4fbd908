/**
 * The `db:` database URI model, behaving like Perl's URI::db 0.20 on top of
 * URI 5.17 (as used by Sqitch 1.3.1): parsing with the same escaping,
 * accessors (engine, host, explicit port, user, password, dbname, query
 * parameters), the setters Sqitch uses for `-u/-h/-p/-d` overrides and
 * password stripping, and canonical forms. Also a canonicaliser for plain
 * (project) URIs such as `init --uri https://Example.COM:443/x`.
 *
 * Everything operates on the escaped URI string, exactly as the Perl
 * classes do, so round trips and odd inputs come out the same.
 */

/** Facts about one URI::db scheme: its canonical engine and default port. */
export interface DbSchemeInfo {
  canonical: string;
  defaultPort?: number;
}

/** Every scheme URI::db 0.20 has a class for, with canonical engine and default port. */
export const DB_SCHEMES: Readonly<Record<string, DbSchemeInfo>> = {
  cassandra: { canonical: "cassandra", defaultPort: 9160 },
  cockroach: { canonical: "cockroach", defaultPort: 26257 },
  cockroachdb: { canonical: "cockroach", defaultPort: 26257 },
  couch: { canonical: "couchdb", defaultPort: 5984 },
  couchdb: { canonical: "couchdb", defaultPort: 5984 },
  cubrid: { canonical: "cubrid", defaultPort: 33000 },
  db2: { canonical: "db2", defaultPort: 50000 },
  derby: { canonical: "derby", defaultPort: 1527 },
  exasol: { canonical: "exasol", defaultPort: 8563 },
  firebird: { canonical: "firebird", defaultPort: 3050 },
  hive: { canonical: "hive", defaultPort: 10000 },
  impala: { canonical: "impala", defaultPort: 21000 },
  informix: { canonical: "informix", defaultPort: 1526 },
  ingres: { canonical: "ingres", defaultPort: 1524 },
  interbase: { canonical: "interbase", defaultPort: 3050 },
  ldapdb: { canonical: "ldapdb" },
  maria: { canonical: "mysql", defaultPort: 3306 },
  mariadb: { canonical: "mysql", defaultPort: 3306 },
  max: { canonical: "maxdb", defaultPort: 7673 },
  maxdb: { canonical: "maxdb", defaultPort: 7673 },
  monet: { canonical: "monetdb", defaultPort: 50000 },
  monetdb: { canonical: "monetdb", defaultPort: 50000 },
  mongo: { canonical: "mongodb", defaultPort: 27017 },
  mongodb: { canonical: "mongodb", defaultPort: 27017 },
  mssql: { canonical: "mssql", defaultPort: 1433 },
  mysql: { canonical: "mysql", defaultPort: 3306 },
  oracle: { canonical: "oracle", defaultPort: 1521 },
  pg: { canonical: "pg", defaultPort: 5432 },
  pgsql: { canonical: "pg", defaultPort: 5432 },
  pgxc: { canonical: "pg", defaultPort: 5432 },
  postgres: { canonical: "pg", defaultPort: 5432 },
  postgresql: { canonical: "pg", defaultPort: 5432 },
  postgresxc: { canonical: "pg", defaultPort: 5432 },
  redshift: { canonical: "pg", defaultPort: 5432 },
  snowflake: { canonical: "snowflake", defaultPort: 443 },
  sqlite: { canonical: "sqlite" },
  sqlite3: { canonical: "sqlite" },
  sqlserver: { canonical: "mssql", defaultPort: 1433 },
  sybase: { canonical: "sybase", defaultPort: 2638 },
  teradata: { canonical: "teradata", defaultPort: 1025 },
  unify: { canonical: "unify", defaultPort: 27117 },
  vertica: { canonical: "vertica", defaultPort: 5433 },
  yugabyte: { canonical: "pg", defaultPort: 5433 },
  yugabytedb: { canonical: "pg", defaultPort: 5433 },
};

/** Non-database schemes with a host/port authority in Perl's URI, with default ports. */
const SERVER_SCHEMES: Readonly<Record<string, number | undefined>> = {
  ftp: 21,
  gopher: 70,
  http: 80,
  https: 443,
  ldap: 389,
  ldaps: 636,
  mms: 1755,
  news: 119,
  nntp: 119,
  nntps: 563,
  pop: 110,
  rlogin: 513,
  rsync: 873,
  rtsp: 554,
  rtspu: 554,
  sftp: 22,
  sip: 5060,
  sips: 5061,
  snews: 563,
  ssh: 22,
  telnet: 23,
  tn3270: 23,
};

/** The canonical engine for a scheme (case-insensitive): `postgres` → `pg`; unknown → itself. */
export function canonicalEngineOf(scheme: string): string {
  const s = scheme.toLowerCase();
  return DB_SCHEMES[s]?.canonical ?? s;
}

/** The default port URI::db knows for a scheme, if any. */
export function defaultPortOf(scheme: string): number | undefined {
  return DB_SCHEMES[scheme.toLowerCase()]?.defaultPort;
}

// ---------------------------------------------------------------------------
// Character classes and escaping (URI 5.17, square brackets not reserved).

const SCHEME = "[a-zA-Z][a-zA-Z0-9.+\\-]*";
const SCHEME_PREFIX_RE = new RegExp(`^(${SCHEME}):`);
const UNRESERVED = "A-Za-z0-9\\-_.!~*'()";
const URIC = `;/?:@&=+$,${UNRESERVED}%`;
const NOT_URIC_OR_HASH = new RegExp(`[^${URIC}#]`, "gu");
const NOT_URIC4HOST = new RegExp(`[^${URIC}\\[\\]]`, "u");
const NOT_ACHAR = new RegExp(`[^;:@&=+$,${UNRESERVED}%\\[\\]]`, "gu");
const NOT_PCHAR = new RegExp(`[^;/:@&=+$,${UNRESERVED}%]`, "gu");
const NOT_URIC4USER = /[^!$'()*,;:._~%\-+=&A-Za-z0-9]/gu;
const UNRESERVED_CHAR = new RegExp(`^[${UNRESERVED}]$`);

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: false });

/** Percent-encode one character as the uppercase %XX of its UTF-8 bytes. */
function escapeChar(ch: string): string {
  let out = "";
  for (const b of encoder.encode(ch)) out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  return out;
}

function escapeMatching(s: string, re: RegExp): string {
  return s.replace(re, escapeChar);
}

/** Decode %XX escapes (bytes, read as UTF-8), like URI::Escape::uri_unescape. */
export function uriUnescape(s: string): string {
  if (!s.includes("%")) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length;) {
    if (s[i] === "%" && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      const cp = s.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      for (const b of encoder.encode(ch)) bytes.push(b);
      i += ch.length;
    }
  }
  return decoder.decode(new Uint8Array(bytes));
}

// ---------------------------------------------------------------------------
// IDNA (URI::_idna: per-label ToASCII with a lowercase-only nameprep).

const PUNY_BASE = 36, PUNY_TMIN = 1, PUNY_TMAX = 26, PUNY_SKEW = 38, PUNY_DAMP = 700;

function punyAdapt(delta: number, numPoints: number, first: boolean): number {
  delta = first ? Math.floor(delta / PUNY_DAMP) : delta >> 1;
  delta += Math.floor(delta / numPoints);
  let k = 0;
  while (delta > ((PUNY_BASE - PUNY_TMIN) * PUNY_TMAX) >> 1) {
    delta = Math.floor(delta / (PUNY_BASE - PUNY_TMIN));
    k += PUNY_BASE;
  }
  return k + Math.floor(((PUNY_BASE - PUNY_TMIN + 1) * delta) / (delta + PUNY_SKEW));
}

function punyDigit(d: number): string {
  return String.fromCharCode(d < 26 ? 97 + d : 22 + d);
}

/** RFC 3492 Punycode encoding of one label. */
function punycodeEncode(input: string): string {
  const cps = Array.from(input, (c) => c.codePointAt(0)!);
  let out = cps.filter((c) => c < 0x80).map((c) => String.fromCharCode(c)).join("");
  const basic = out.length;
  let handled = basic;
  if (basic > 0) out += "-";
  let n = 0x80, delta = 0, bias = 72;
  while (handled < cps.length) {
    const m = Math.min(...cps.filter((c) => c >= n));
    delta += (m - n) * (handled + 1);
    n = m;
    for (const c of cps) {
      if (c < n) delta++;
      if (c === n) {
        let q = delta;
        for (let k = PUNY_BASE;; k += PUNY_BASE) {
          const t = k <= bias ? PUNY_TMIN : k >= bias + PUNY_TMAX ? PUNY_TMAX : k - bias;
          if (q < t) break;
          out += punyDigit(t + ((q - t) % (PUNY_BASE - t)));
          q = Math.floor((q - t) / (PUNY_BASE - t));
        }
        out += punyDigit(q);
        bias = punyAdapt(delta, handled + 1, handled === basic);
        delta = 0;
        handled++;
      }
    }
    delta++;
    n++;
  }
  return out;
}

/** True when every character is ASCII. */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** ToASCII of a host; undefined when Perl's encoder would croak (empty/long label). */
function idnaEncode(host: string): string | undefined {
  const labels = host.split(".");
  const tail: string[] = [];
  if (labels.length > 1 && labels[labels.length - 1] === "") tail.push(labels.pop()!);
  const out: string[] = [];
  for (let label of labels) {
    if (!isAscii(label)) {
      label = label.toLowerCase();
      if (!isAscii(label)) {
        if (label.startsWith("xn--")) return undefined;
        label = "xn--" + punycodeEncode(label);
      }
    }
    if (label === "" || label.length > 63) return undefined;
    out.push(label);
  }
  return [...out, ...tail].join(".");
}

/** URI::_server::_host_escape: IDNA-encode a host holding non-URI characters. */
function hostEscape(host: string): string {
  if (!NOT_URIC4HOST.test(host)) return host;
  return idnaEncode(host) ?? host;
}

// ---------------------------------------------------------------------------
// Parsing a (non-db:) URI string the way URI->new does.

/** How URI->new would treat a scheme: its escaping flavour. */
function isServerScheme(scheme: string | undefined): boolean {
  if (scheme === undefined) return false;
  const s = scheme.toLowerCase();
  return s in DB_SCHEMES || s in SERVER_SCHEMES;
}

/** Strip `<URL:…>`, quotes and surrounding white space, as URI->new does. */
function unwrap(text: string): string {
  let s = text;
  const angle = /^<(?:URL:)?(.*)>$/s.exec(s);
  if (angle) s = angle[1];
  const quoted = /^"(.*)"$/s.exec(s);
  if (quoted) s = quoted[1];
  return s.replace(/^\s+/, "").replace(/\s+$/, "");
}

/** URI::_fix_uric_escape_for_host_part: restore `[` `]` in the host. */
function fixHostBrackets(s: string): string {
  if (!s.includes("%")) return s;
  if (/^(?:data|ldapi|urn|sqlite|sqlite3):/.test(s)) return s;
  if (/^mailto:/.test(s)) return s.replace(/%5B/gi, "[").replace(/%5D/gi, "]");
  const m = new RegExp(`^((?:${SCHEME}:)?)//([^/?#]+)([\\s\\S]*)$`).exec(s);
  if (!m) return s;
  const orig = m[2];
  const um = /^([\s\S]*@)?([^@]*)$/.exec(orig)!;
  const user = um[1] ?? "";
  let host = um[2];
  let port = "";
  const pm = /(:\d+)$/.exec(host);
  if (pm) {
    port = pm[1];
    host = host.slice(0, -port.length);
  }
  host = host.replace(/%5B/gi, "[").replace(/%5D/gi, "]");
  const at = s.indexOf(orig);
  return s.slice(0, at) + user + host + port + s.slice(at + orig.length);
}

/** Escape a raw URI string like the `_init` of the class chosen for its scheme. */
function escapeUri(raw: string, scheme: string | undefined): string {
  let s = raw;
  if (isServerScheme(scheme)) {
    const m = new RegExp(`^((?:${SCHEME}:)?)//([^/?#]*)([\\s\\S]*)$`).exec(s);
    if (m) {
      let host = m[2];
      let ui = "";
      const um = /^([\s\S]*@)/.exec(host);
      if (um) {
        ui = um[1];
        host = host.slice(ui.length);
      }
      let port = "";
      const pm = /(:\d+)$/.exec(host);
      if (pm) {
        port = pm[1];
        host = host.slice(0, -port.length);
      }
      const escaped = hostEscape(host);
      if (escaped !== host) s = `${m[1]}//${ui}${escaped}${port}${m[3]}`;
    }
  }
  return fixHostBrackets(escapeMatching(s, NOT_URIC_OR_HASH));
}

/** Parse a plain URI string: unwrap and escape it. Returns the scheme (as written) and string. */
function newUri(text: string): { scheme?: string; str: string } {
  const s = unwrap(text);
  const scheme = SCHEME_PREFIX_RE.exec(s)?.[1];
  return { scheme, str: escapeUri(s, scheme) };
}

// ---------------------------------------------------------------------------
// Generic accessors over an escaped URI string (URI::_generic & friends).

const AUTHORITY_RE = new RegExp(`^((?:${SCHEME}:)?)(?://([^/?#]*))?([\\s\\S]*)$`);
const PATH_RE = /^((?:[^:/?#]+:)?(?:\/\/[^/?#]*)?)([^?#]*)([\s\S]*)$/;
const QUERY_RE = /^([^?#]*)(?:\?([^#]*))?([\s\S]*)$/;

function schemeOf(s: string): string | undefined {
  return SCHEME_PREFIX_RE.exec(s)?.[1];
}

function opaqueOf(s: string): string {
  return new RegExp(`^(?:${SCHEME}:)?([^#]*)`).exec(s)![1];
}

function authorityOf(s: string): string | undefined {
  return AUTHORITY_RE.exec(s)![2];
}

/** URI::_generic::_check_path: the prefix a new path needs after `pre`. */
function checkPath(path: string, pre: string): string {
  if (pre.includes("/")) {
    return path.length > 0 && !/^[/?#]/.test(path) ? "/" + path : path;
  }
  if (!path.startsWith("//") && pre.length === 0 && /^[^:/?#]+:/.test(path)) return "./" + path;
  return path;
}

const HEX_GROUP = /^[0-9a-f]{1,4}$/i;
const IPV4_TAIL =
  /^(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]{1,2})\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]{1,2})$/;

/** Count the 16-bit groups in a `:`-separated list (an IPv4 tail counts 2), or -1 if invalid. */
function ip6Groups(part: string, allowIpv4Tail: boolean): number {
  if (part === "") return 0;
  const groups = part.split(":");
  let n = 0;
  for (let i = 0; i < groups.length; i++) {
    if (HEX_GROUP.test(groups[i])) n++;
    else if (allowIpv4Tail && i === groups.length - 1 && IPV4_TAIL.test(groups[i])) n += 2;
    else return -1;
  }
  return n;
}

/** True for a textual IPv6 address (as Regexp::IPv6 accepts, which URI uses when installed). */
function isIpv6(addr: string): boolean {
  const halves = addr.split("::");
  if (halves.length > 2) return false;
  if (halves.length === 1) return ip6Groups(addr, true) === 8;
  const left = ip6Groups(halves[0], false);
  const right = ip6Groups(halves[1], true);
  return left >= 0 && right >= 0 && left + right >= 1 && left + right <= 7;
}

function looksLikeRawIp6(addr: string): boolean {
  if (!addr) return false;
  if ((addr.match(/:/g) ?? []).length < 2) return false;
  return isIpv6(addr);
}

function setAuthority(s: string, auth: string | undefined): string {
  const m = AUTHORITY_RE.exec(s)!;
  let out = m[1];
  const rest = m[3];
  if (auth !== undefined) {
    let a = escapeMatching(auth, NOT_ACHAR);
    const um = /^([\s\S]*@)?([^@]+)$/.exec(a);
    if (um) {
      let user = um[1] ?? "";
      user = escapeMatching(user, NOT_URIC4USER).replace(/%40$/, "@");
      let host = um[2];
      if (looksLikeRawIp6(host)) host = `[${host}]`;
      a = user + host;
    }
    out += "//" + a;
  }
  return out + checkPath(rest, out);
}

function pathOf(s: string): string {
  return PATH_RE.exec(s)![2];
}

function setPath(s: string, path: string | undefined): string {
  const m = PATH_RE.exec(s)!;
  const newPath = escapeMatching(path ?? "", NOT_PCHAR);
  return m[1] + checkPath(newPath, m[1]) + m[3];
}

function queryOf(s: string): string | undefined {
  return QUERY_RE.exec(s)![2];
}

function userinfoOf(s: string): string | undefined {
  const auth = authorityOf(s);
  if (auth === undefined) return undefined;
  const m = /^([\s\S]*)@/.exec(auth);
  return m ? m[1] : undefined;
}

function setUserinfo(s: string, ui: string | undefined): string {
  let auth = (authorityOf(s) ?? "").replace(/^[\s\S]*@/, "");
  if (ui !== undefined) auth = `${escapeMatching(ui, NOT_URIC4USER)}@${auth}`;
  return setAuthority(s, auth);
}

function hostOf(s: string): string | undefined {
  const auth = authorityOf(s);
  if (auth === undefined) return undefined;
  const h = auth.replace(/^[\s\S]*@/, "").replace(/:\d+$/, "").replace(/^\[(.*)\]$/s, "$1");
  return uriUnescape(h);
}

function setHost(s: string, host: string | undefined): string {
  const old = authorityOf(s) ?? "";
  const ui = /^([\s\S]*@)/.exec(old)?.[1] ?? "";
  let port = /(:\d+)$/.exec(old)?.[1] ?? "";
  let h = host ?? "";
  if (h.length > 0) {
    h = h.replace(/@/g, "%40");
    if (/^[^:]*:\d*$/.test(h) || /]:\d*$/.test(h)) {
      const pm = /(:\d*)$/.exec(h)!;
      port = pm[1];
      h = h.slice(0, -port.length);
    }
    if (h.includes(":") && !h.startsWith("[")) h = `[${h}]`;
    h = hostEscape(h);
  }
  return setAuthority(s, ui + h + port);
}

function explicitPortOf(s: string): string | undefined {
  const auth = authorityOf(s);
  if (auth === undefined) return undefined;
  return /:(\d*)$/.exec(auth)?.[1];
}

function setExplicitPort(s: string, port: string | undefined): string {
  let auth = (authorityOf(s) ?? "").replace(/:\d*$/, "");
  if (port !== undefined) auth += `:${port}`;
  return setAuthority(s, auth);
}

/** A path segment: a plain (decoded) string, or a `;`-parameterised one as [decoded, ...params]. */
export type PathSegment = string | string[];

function segmentText(seg: PathSegment): string {
  return typeof seg === "string" ? seg : seg[0];
}

function pathSegmentsOf(s: string): PathSegment[] {
  const path = pathOf(s);
  if (path === "") return [];
  return path.split("/").map((seg) => {
    if (!seg.includes(";")) return uriUnescape(seg);
    const parts = seg.split(";");
    parts[0] = uriUnescape(parts[0]);
    return parts;
  });
}

function setPathSegments(s: string, segs: readonly PathSegment[]): string {
  const parts = segs.map((seg) => {
    let out: string;
    if (typeof seg === "string") {
      out = seg.replace(/%/g, "%25").replace(/;/g, "%3B");
    } else {
      const copy = [...seg];
      copy[0] = copy[0].replace(/%/g, "%25");
      out = copy.map((p) => p.replace(/;/g, "%3B")).join(";");
    }
    return out.replace(/\//g, "%2F");
  });
  return setPath(s, parts.join("/"));
}

/** Key/value pairs of a `k=v&…` query, as URI::_query::query_form returns them. */
function queryForm(s: string): string[] {
  const q = queryOf(s);
  if (q === undefined || q === "" || !q.includes("=")) return [];
  const fields = q.split(/[&;]/);
  while (fields.length > 0 && fields[fields.length - 1] === "") fields.pop();
  const out: string[] = [];
  for (const f of fields) {
    const eq = f.indexOf("=");
    const kv = eq >= 0 ? [f.slice(0, eq), f.slice(eq + 1)] : [f, ""];
    for (const x of kv) out.push(uriUnescape(x.replace(/\+/g, " ")));
  }
  return out;
}

/** Generic URI canonicalisation: lowercase scheme, normalise %XX escapes. */
function genericCanonical(s: string): string {
  let out = s;
  const scheme = schemeOf(out) ?? "";
  if (/[A-Z]/.test(scheme)) {
    out = newUri(scheme.toLowerCase() + ":" + out.slice(scheme.length + 1)).str;
  }
  if (/%[a-fA-F0-9]{2}/.test(out)) {
    out = out.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => {
      const ch = String.fromCharCode(parseInt(hex, 16));
      return UNRESERVED_CHAR.test(ch) ? ch : "%" + hex.toUpperCase();
    });
  }
  return out;
}

/** URI::_server canonicalisation on top of the generic one. */
function serverCanonical(s: string, defaultPort: number | undefined): string {
  let out = genericCanonical(s);
  const host = hostOf(out) || "";
  const port = explicitPortOf(out);
  // Perl compares numerically, so an undefined default port equals "0".
  const defPort = port !== undefined &&
    (port === "" || Number(port) === (defaultPort ?? 0));
  if (/[A-Z]/.test(host)) out = setHost(out, host.toLowerCase());
  if (defPort) out = setExplicitPort(out, undefined);
  return out;
}

// ---------------------------------------------------------------------------
// The db: URI.

/** An immutable `db:` URI (URI::db): a prefix (`db` as written) and a nested engine URI. */
export class DbUri {
  /** The `db` prefix as written (`db`, `DB`, …). */
  readonly prefix: string;
  /** The escaped nested URI (`pg://host/db`, `sqlite:foo.db`, …). */
  readonly inner: string;
  /** The scheme the nested URI was parsed with (decides default port and canonical engine). */
  private readonly classScheme: string | undefined;

  private constructor(prefix: string, inner: string, classScheme: string | undefined) {
    this.prefix = prefix;
    this.inner = inner;
    this.classScheme = classScheme;
  }

  /**
   * Parse text as `URI::db->new(text)`: a string starting with `db:` keeps
   * its prefix; anything else (`pg://h/d`, `sqlite:x`) is nested under a
   * new `db:` prefix. The nested part is escaped as Perl's URI does.
   */
  static parse(text: string): DbUri {
    const s = unwrap(text);
    const m = /^(db):/i.exec(s);
    if (m && SCHEME_PREFIX_RE.exec(s)?.[1].toLowerCase() === "db") {
      const inner = newUri(s.slice(m[0].length));
      return new DbUri(m[1], inner.str, inner.scheme?.toLowerCase());
    }
    const inner = newUri(s);
    return new DbUri("db", inner.str, inner.scheme?.toLowerCase());
  }

  private with(inner: string): DbUri {
    return new DbUri(this.prefix, inner, this.classScheme);
  }

  /** The full string, e.g. `db:pg://user@host/db`. */
  toString(): string {
    return `${this.prefix}:${this.inner}`;
  }

  /** The engine (nested scheme, lowercased) or undefined (`db:`, `db:pg`). */
  get engine(): string | undefined {
    return schemeOf(this.inner)?.toLowerCase();
  }

  /** The canonical engine (`postgres` → `pg`, `sqlite3` → `sqlite`), or undefined. */
  get canonicalEngine(): string | undefined {
    if (this.engine === undefined) return undefined;
    const cls = this.classScheme !== undefined ? DB_SCHEMES[this.classScheme] : undefined;
    return cls ? cls.canonical : this.engine;
  }

  /** True when URI::db has a class for the engine. */
  get hasRecognizedEngine(): boolean {
    return this.classScheme !== undefined && this.classScheme in DB_SCHEMES;
  }

  /** The engine's default port (informational; Sqitch only passes explicit ports). */
  get defaultPort(): number | undefined {
    return this.classScheme !== undefined ? DB_SCHEMES[this.classScheme]?.defaultPort : undefined;
  }

  /** Everything after the engine scheme up to any fragment. */
  get opaque(): string {
    return opaqueOf(this.inner);
  }

  /** The raw (escaped) authority, or undefined when there is no `//`. */
  get authority(): string | undefined {
    return authorityOf(this.inner);
  }

  /** The raw (escaped) path. */
  get path(): string {
    return pathOf(this.inner);
  }

  /** The raw query string, or undefined. */
  get query(): string | undefined {
    return queryOf(this.inner);
  }

  /** The fragment, or undefined. */
  get fragment(): string | undefined {
    return /#([\s\S]*)/.exec(this.inner)?.[1];
  }

  /** The host, percent-decoded and without IPv6 brackets, or undefined without an authority. */
  get host(): string | undefined {
    return hostOf(this.inner);
  }

  /** The explicit port as written (may be ""), or undefined. */
  get port(): string | undefined {
    return explicitPortOf(this.inner);
  }

  /** The raw userinfo (`user:pass`), or undefined. */
  get userinfo(): string | undefined {
    return userinfoOf(this.inner);
  }

  /** The user name, percent-decoded, or undefined. */
  get user(): string | undefined {
    const info = this.userinfo;
    return info === undefined ? undefined : uriUnescape(info.replace(/:[\s\S]*/, ""));
  }

  /** The password, percent-decoded, or undefined (also when there is no `:`). */
  get password(): string | undefined {
    const info = this.userinfo;
    if (info === undefined) return undefined;
    const m = /^[^:]*:/.exec(info);
    return m ? uriUnescape(info.slice(m[0].length)) : undefined;
  }

  /** Path segments, percent-decoded. */
  get pathSegments(): PathSegment[] {
    return pathSegmentsOf(this.inner);
  }

  /** True when the part after `<engine>:` starts with `//` (a hierarchical URI). */
  private get isFull(): boolean {
    return /^\/\/(?:\/\/|\/?(?!\/))/.test(this.opaque);
  }

  /**
   * The database name: the path without its first `/` for hierarchical
   * URIs, the whole path otherwise; undefined when there is no path.
   */
  get dbname(): string | undefined {
    const segs = this.pathSegments;
    if (segs.length === 0) return undefined;
    if (this.isFull) segs.shift();
    return segs.map(segmentText).join("/");
  }

  /** Query parameters as [key, value] pairs, grouped by key in first-seen order. */
  get queryParams(): [string, string][] {
    const form = queryForm(this.inner);
    const keys: string[] = [];
    for (let i = 0; i < form.length; i += 2) if (!keys.includes(form[i])) keys.push(form[i]);
    const out: [string, string][] = [];
    for (const k of keys) {
      for (let i = 0; i < form.length; i += 2) if (form[i] === k) out.push([k, form[i + 1]]);
    }
    return out;
  }

  /** A copy with the user replaced (undefined removes it when there is no password). */
  withUser(user: string | undefined): DbUri {
    const info = this.userinfo;
    const pass = (info ?? "").replace(/^[^:]*/, "");
    if (user === undefined && pass.length === 0) {
      return this.with(setUserinfo(this.inner, undefined));
    }
    const u = (user ?? "").replace(/%/g, "%25").replace(/:/g, "%3A");
    return this.with(setUserinfo(this.inner, u + pass));
  }

  /**
   * A copy with the password replaced. Undefined keeps the `:` separator
   * when there is a user (`user:@host`) and drops the userinfo otherwise.
   */
  withPassword(password: string | undefined): DbUri {
    const info = this.userinfo;
    const user = (info ?? "").replace(/:[\s\S]*/, "");
    if (password === undefined && user.length === 0) {
      return this.with(setUserinfo(this.inner, undefined));
    }
    const p = (password ?? "").replace(/%/g, "%25");
    return this.with(setUserinfo(this.inner, `${user}:${p}`));
  }

  /** A copy with the host replaced (adds `//` to an opaque URI). */
  withHost(host: string | undefined): DbUri {
    return this.with(setHost(this.inner, host));
  }

  /** A copy with the explicit port replaced (undefined removes it). */
  withPort(port: string | number | undefined): DbUri {
    return this.with(setExplicitPort(this.inner, port === undefined ? undefined : String(port)));
  }

  /** A copy with the database name replaced (`/` is prefixed on hierarchical URIs). */
  withDbname(dbname: string | undefined): DbUri {
    const full = this.isFull;
    return this.with(setPath(this.inner, full && dbname !== undefined ? `/${dbname}` : dbname));
  }

  /** A copy with the path segments replaced. */
  withPathSegments(segs: readonly PathSegment[]): DbUri {
    return this.with(setPathSegments(this.inner, segs));
  }

  /**
   * The copy Sqitch displays: when the password is Perl-true it is removed
   * but the `:` stays (`db:pg://user:@host/db`); otherwise unchanged.
   */
  withoutPassword(): DbUri {
    const pw = this.password;
    return pw !== undefined && pw !== "" && pw !== "0" ? this.withPassword(undefined) : this;
  }

  /** The password-stripped string form (target names, destinations). */
  toDisplayString(): string {
    return this.withoutPassword().toString();
  }

  /**
   * The canonical form of the nested URI (no `db:`): canonical engine as
   * scheme, lowercase host, default port removed, escapes normalised.
   */
  canonical(): string {
    let out = serverCanonical(this.inner, this.defaultPort);
    const scheme = schemeOf(out);
    const engine = this.canonicalEngine;
    if (scheme !== undefined && engine !== undefined && scheme !== engine) {
      out = newUri(`${engine}:${out.slice(scheme.length + 1)}`).str;
    }
    return out;
  }
}

/** The string form of Perl's `URI->new($text)` (unwrapped, illegal characters escaped). */
export function uriString(text: string): string {
  return newUri(text).str;
}

/** True when `arg` parses as a URI::db, i.e. it literally starts with `db:` (any case). */
export function isDbUriString(arg: string): boolean {
  return SCHEME_PREFIX_RE.exec(unwrap(arg))?.[1].toLowerCase() === "db";
}

/**
 * The string stored for a URI given to `target add` / `engine add`:
 * `URI::db->new($uri, 'db:')` — `sqlite:foo.db` ⇒ `db:sqlite:foo.db`,
 * `pg://host/db` ⇒ `db:pg://host/db`, `db:` URIs kept (escaped as Perl does).
 */
export function normalizeDbUri(text: string): string {
  return DbUri.parse(text).toString();
}

/**
 * The canonical form of any URI as Perl's `URI->new($text)->canonical`
 * (used for the plan's `%uri` pragma and change/tag `uri` lines):
 * lowercase scheme, `%XX` escapes normalised, lowercase host and default
 * port removed for host-based schemes, `/` path for http(s), `db:` URIs
 * reduced to their canonical nested URI. LDAP DN normalisation and URN
 * namespace specifics beyond lowercasing the NID are not modelled.
 */
export function canonicalUri(text: string): string {
  const unwrapped = unwrap(text);
  const scheme = schemeOf(unwrapped)?.toLowerCase();
  if (scheme === "db") return DbUri.parse(unwrapped).canonical();
  if (scheme !== undefined && scheme in DB_SCHEMES) {
    return DbUri.parse(unwrapped).canonical();
  }
  const { str } = newUri(unwrapped);
  if (scheme !== undefined && scheme in SERVER_SCHEMES) {
    let out = serverCanonical(str, SERVER_SCHEMES[scheme]);
    if (
      (scheme === "http" || scheme === "https") && authorityOf(out) !== undefined &&
      pathOf(out) === "" && queryOf(out) === undefined
    ) {
      out = setPath(out, "/");
    }
    return out;
  }
  let out = genericCanonical(str);
  if (scheme === "file") {
    const auth = authorityOf(out);
    if (auth === undefined || auth === "" || auth.toLowerCase() === "localhost") {
      if (auth !== "") out = setAuthority(out, "");
    }
  } else if (scheme === "urn") {
    const m = /^(urn:)([^:]*)([\s\S]*)$/i.exec(out);
    if (m && /[A-Z]/.test(m[2]) && !m[2].includes("%")) out = m[1] + m[2].toLowerCase() + m[3];
  }
  return out;
}
