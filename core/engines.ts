/**
 * Engine metadata: which engine names sqlitch accepts (the Sqitch 1.3.1
 * list plus the engines later Sqitch versions added), their display names,
 * default ports, default registry names and default client programs.
 * Scheme aliases (`postgres`, `sqlite3`, `maria`, …) map to engines through
 * the URI model in uri.ts.
 */
import type { Env } from "./env.ts";
import { envValue } from "./env.ts";
import { SqlitchError } from "./errors.ts";
import { dirPath, filePath } from "./perlpath.ts";
import { canonicalEngineOf, DB_SCHEMES } from "./uri.ts";

/** The engines Sqitch 1.3.1 knows (`--engine`, `engine add`, positional engine arguments). */
export const KNOWN_ENGINES = [
  "pg",
  "sqlite",
  "mysql",
  "oracle",
  "firebird",
  "vertica",
  "exasol",
  "snowflake",
] as const;

/** Engines only later Sqitch versions (HEAD) know; sqlitch accepts them too. */
export const HEAD_ENGINES = ["cockroach", "clickhouse"] as const;

/** Every engine sqlitch accepts: the 1.3.1 list followed by the HEAD additions. */
export const ACCEPTED_ENGINES: readonly string[] = [...KNOWN_ENGINES, ...HEAD_ENGINES];

/** Static facts about one engine. */
export interface EngineInfo {
  /** Canonical engine key (`pg`, `sqlite`, …). */
  key: string;
  /** Display name (`PostgreSQL`, `SQLite`, …). */
  name: string;
  /** Default network port, when the engine has one. */
  defaultPort?: number;
  /** Default registry name (Oracle: "" = the connecting user's schema). */
  defaultRegistry: string;
  /**
   * Default client program, or for Firebird the candidate names tried in
   * order on PATH (fbsql, isql-fb, isql).
   */
  client: string | readonly string[];
  /** True for engines Sqitch 1.3.1 does not know. */
  head: boolean;
}

const ENGINES: Readonly<Record<string, EngineInfo>> = {
  pg: {
    key: "pg",
    name: "PostgreSQL",
    defaultPort: 5432,
    defaultRegistry: "sqitch",
    client: "psql",
    head: false,
  },
  sqlite: {
    key: "sqlite",
    name: "SQLite",
    defaultRegistry: "sqitch",
    client: "sqlite3",
    head: false,
  },
  mysql: {
    key: "mysql",
    name: "MySQL",
    defaultPort: 3306,
    defaultRegistry: "sqitch",
    client: "mysql",
    head: false,
  },
  oracle: {
    key: "oracle",
    name: "Oracle",
    defaultPort: 1521,
    defaultRegistry: "",
    client: "sqlplus",
    head: false,
  },
  firebird: {
    key: "firebird",
    name: "Firebird",
    defaultPort: 3050,
    defaultRegistry: "sqitch",
    client: ["fbsql", "isql-fb", "isql"],
    head: false,
  },
  vertica: {
    key: "vertica",
    name: "Vertica",
    defaultPort: 5433,
    defaultRegistry: "sqitch",
    client: "vsql",
    head: false,
  },
  exasol: {
    key: "exasol",
    name: "Exasol",
    defaultPort: 8563,
    defaultRegistry: "sqitch",
    client: "exaplus",
    head: false,
  },
  snowflake: {
    key: "snowflake",
    name: "Snowflake",
    defaultPort: 443,
    defaultRegistry: "sqitch",
    client: "snowsql",
    head: false,
  },
  cockroach: {
    key: "cockroach",
    name: "CockroachDB",
    defaultPort: 26257,
    defaultRegistry: "sqitch",
    client: "psql",
    head: true,
  },
  clickhouse: {
    key: "clickhouse",
    name: "ClickHouse",
    defaultRegistry: "sqitch",
    client: "clickhouse-client",
    head: true,
  },
};

/** Metadata for an accepted engine key, or undefined. */
export function engineInfo(key: string): EngineInfo | undefined {
  return Object.hasOwn(ENGINES, key) ? ENGINES[key] : undefined;
}

/** Metadata for an engine key; throws `Unknown engine: {key}` (exit 2) when not accepted. */
export function requireEngine(key: string): EngineInfo {
  const info = engineInfo(key);
  if (!info) throw new SqlitchError(`Unknown engine: ${key}`, { ident: "engine" });
  return info;
}

/**
 * True when `key` is an engine name: by default the 1.3.1 list plus the
 * HEAD engines; with `{ head: false }` only the 1.3.1 list.
 */
export function isEngineName(key: string, opts: { head?: boolean } = {}): boolean {
  const list: readonly string[] = opts.head === false ? KNOWN_ENGINES : ACCEPTED_ENGINES;
  return list.includes(key);
}

/** The canonical engine for a URI scheme or alias (`postgres` → `pg`, `maria` → `mysql`). */
export function canonicalEngine(scheme: string): string {
  return canonicalEngineOf(scheme);
}

/** Every URI scheme that maps to the given canonical engine (`pg` → pg, postgres, …, yugabyte). */
export function schemesFor(engine: string): string[] {
  return Object.keys(DB_SCHEMES).filter((s) => DB_SCHEMES[s].canonical === engine);
}

/** The engine's default port, if it has one. */
export function defaultPort(engine: string): number | undefined {
  return engineInfo(engine)?.defaultPort;
}

/** The default registry name (`sqitch`; Oracle: `""`, meaning the user's schema). */
export function defaultRegistry(engine: string): string {
  return requireEngine(engine).defaultRegistry;
}

/** Options for choosing a default client. */
export interface ClientOptions {
  /** Operating system family (`windows` appends `.exe`); "linux" when absent. */
  os?: string;
  env?: Env;
  /**
   * Firebird only: given candidate program names (already with `.exe` on
   * Windows), return the one to use (a bare name, or a full path when it
   * was not first on PATH), or undefined when none is a Firebird ISQL.
   */
  findClient?: (candidates: readonly string[]) => string | undefined;
}

/** Append `.exe` on Windows unless the name already ends in `.exe` or `.bat`. */
export function withExeSuffix(client: string, os: string | undefined): string {
  if (os !== "windows") return client;
  return /\.(?:exe|bat)$/.test(client) ? client : client + ".exe";
}

/**
 * The default client program for an engine, as the target's `client`
 * property shows it: `psql`, `sqlite3`, `mysql`, `sqlplus` (or
 * `$ORACLE_HOME/sqlplus`), `vsql`, `exaplus`, `snowsql`,
 * `clickhouse-client`, and for Firebird the first candidate `findClient`
 * accepts. `.exe` is appended on Windows. Throws for unknown engines and
 * when no Firebird client is found.
 */
export function defaultClient(engine: string, opts: ClientOptions = {}): string {
  const info = requireEngine(engine);
  if (typeof info.client !== "string") {
    const ext = opts.os === "windows" || opts.os === "cygwin" ? ".exe" : "";
    const found = opts.findClient?.(info.client.map((c) => c + ext));
    if (found === undefined) {
      throw new SqlitchError(
        'Unable to locate Firebird ISQL; set "engine.firebird.client" via sqitch config',
        { ident: "firebird" },
      );
    }
    return withExeSuffix(found, opts.os);
  }
  let client = info.client;
  if (engine === "oracle") {
    const home = opts.env ? envValue(opts.env, "ORACLE_HOME") : undefined;
    if (home !== undefined) client = filePath(`${dirPath(home)}/${client}`);
  }
  return withExeSuffix(client, opts.os);
}
