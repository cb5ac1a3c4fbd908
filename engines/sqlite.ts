/**
 * The SQLite engine on `node:sqlite`: the registry is a separate database
 * file beside the target (registry.md §1), created with Sqitch's exact DDL
 * and written exactly as Sqitch writes it (registry.md §6–§8). Scripts run
 * through the sqlite3-shell emulation in sqlite_script.ts, on their own
 * connection, as Sqitch runs the `sqlite3` client — or, when a client is
 * configured, through that client itself (sqlite_client.ts).
 */
import {
  changeRowValues,
  dependencyRowValues,
  type EventColumns,
  registryEventOf,
  type Row as TextRow,
  tagRowValues,
} from "./registry_rows.ts";
import {
  DatabaseSync,
  type SQLInputValue,
  type SQLOutputValue,
  type StatementSync,
} from "node:sqlite";
import type { Target } from "../core/target.ts";
import {
  type ChangeRecord,
  type CurrentItem,
  type CurrentState,
  type DeployedChange,
  type Engine,
  EngineError,
  type EventSearch,
  type Person,
  type ProjectRow,
  REGISTRY_VERSION,
  type RegistryEvent,
  type RequiringChange,
  ScriptError,
  type ScriptOutput,
  type ScriptVariables,
} from "./engine.ts";
import { SQLITE_REGISTRY_SQL, SQLITE_UPGRADES } from "./sqlite_registry_sql.ts";
/** The in-process sqlite3 emulation, loaded on the first script (status and log never run one). */
type ScriptRunner = typeof import("./sqlite_script.ts");
let scriptRunner: ScriptRunner | undefined;
import { SqliteClient } from "./sqlite_client.ts";
import { perlRegex, searchPattern } from "../core/config/perl.ts";
import { importLazily } from "../io/lazy_import.ts";

/** Where an SQLite engine works: paths as the sqlite3 client would be given them. */
export interface SqliteEngineOptions {
  /** Target database file (the target URI's dbname, relative to the CWD). */
  dbPath: string;
  /** Registry database file. */
  registryPath: string;
  /** Database named in messages. */
  destination: string;
  /** Registry named in messages (`db:sqlite:sqitch.db`). */
  registryDestination: string;
  /** Clock for committed_at values (tests); default `Date.now`. */
  now?: () => number;
  /**
   * A configured client (`--client`, `engine.sqlite.client` …): scripts and
   * registry DDL then run through it as Sqitch runs them (sqlite_client.ts);
   * without one, through the in-process emulation.
   */
  client?: string;
  /**
   * Where a configured client's output goes while it creates or upgrades
   * the registry (Sqitch lets it reach the terminal). Default: collected,
   * its stderr leading the error message when the client fails.
   */
  registryOutput?: ScriptOutput;
}

/** `YYYY-MM-DD HH:MM:SS.SSS` in UTC: SQLite's `strftime('%Y-%m-%d %H:%M:%f')`. */
export function sqliteCommitTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23).replace("T", " ");
}

/** `YYYY-MM-DD HH:MM:SS` in UTC: how Sqitch binds planned_at on SQLite. */
export function sqlitePlannedTimestamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}

/** Read a registry timestamp back as Sqitch does: whole seconds, UTC. */
export function parseSqliteTimestamp(text: string): Date {
  // Fast path: the registry's own `YYYY-MM-DD HH:MM:SS…`, parsed natively.
  if (text.length >= 19 && text.charCodeAt(10) === 0x20) {
    const ms = Date.parse(`${text.slice(0, 10)}T${text.slice(11, 19)}Z`);
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(text);
  if (!m) throw new EngineError(`Cannot parse registry timestamp "${text}"`);
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

type Row = Record<string, SQLInputValue>;

/**
 * The transaction after which a connection moves the registry to WAL mode
 * (see `switchToWal`): switching there and back costs about as many fsyncs
 * as three rollback-journal commits, so short runs keep the journal.
 */
const WAL_AFTER_TRANSACTIONS = 4;

const CHANGE_COLUMNS = `c.change_id, c.change, c.project, c.note, c.planned_at, c.planner_name,
       c.planner_email, c.script_hash, c.committed_at, c.committer_name, c.committer_email,
       (SELECT group_concat(t.tag, ' ') FROM tags t WHERE t.change_id = c.change_id) AS tags`;

function str(v: SQLInputValue | undefined): string {
  return v === null || v === undefined ? "" : String(v);
}

function splitList(v: SQLInputValue | undefined, sep: RegExp): string[] {
  const s = str(v);
  return s === "" ? [] : s.split(sep);
}

/**
 * A statement whose rows can come as arrays: `setReturnArrays` is in
 * Deno 2.9's node:sqlite (as in Node 24) but not in its bundled types.
 */
type ArrayStatement = StatementSync & { setReturnArrays(enabled: boolean): void };

/** `str` of a column value, without a call for the usual string. */
function text(v: SQLOutputValue): string {
  return typeof v === "string" ? v : str(v);
}

/** `splitList(v, /,/)`. */
function commaList(v: SQLOutputValue): string[] {
  const s = text(v);
  return s === "" ? [] : s.split(",");
}

/** `splitList(v, /[ ,]/)`, splitting on a plain string when only one separator occurs. */
function tagList(v: SQLOutputValue): string[] {
  const s = text(v);
  if (s === "") return [];
  if (!s.includes(",")) return s.split(" ");
  return s.includes(" ") ? s.split(/[ ,]/) : s.split(",");
}

/**
 * `parseSqliteTimestamp(str(v))` for one column of many rows: the result
 * depends only on a timestamp's first 19 characters (whole seconds), so
 * the last one parsed is remembered (events often share a second).
 */
function timestampReader(): (v: SQLOutputValue) => Date {
  let lastPrefix = "";
  let lastMs = 0;
  return (v) => {
    const s = text(v);
    if (lastPrefix !== "" && s.startsWith(lastPrefix)) return new Date(lastMs);
    const date = parseSqliteTimestamp(s);
    lastPrefix = s.slice(0, 19);
    lastMs = date.getTime();
    return date;
  };
}

function toDeployed(r: Row): DeployedChange {
  return {
    id: str(r.change_id),
    name: str(r.change),
    project: str(r.project),
    note: str(r.note),
    plannedAt: parseSqliteTimestamp(str(r.planned_at)),
    planner: { name: str(r.planner_name), email: str(r.planner_email) },
    tags: splitList(r.tags, / /),
    scriptHash: r.script_hash === null || r.script_hash === undefined ? null : str(r.script_hash),
  };
}

/**
 * A change's tags in name order. Sqitch's registry queries aggregate tags
 * through a LEFT JOIN whose plan (in the sqlite3 3.40 Sqitch runs on)
 * decides the order: `current_state` and `deployed_changes` go through an
 * automatic covering index and list tags by name; `deployed_changes_since`
 * and `load_change` list them as inserted (plan order), which is what the
 * per-change subselect here gives.
 */
function byTagName(change: DeployedChange): DeployedChange {
  change.tags.sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
  return change;
}

function toCurrent(r: Row): CurrentState {
  return {
    ...toDeployed(r),
    committedAt: parseSqliteTimestamp(str(r.committed_at)),
    committer: { name: str(r.committer_name), email: str(r.committer_email) },
  };
}

/**
 * The `REGEXP` function Sqitch gives its SQLite connections: Perl's
 * `$value =~ /$pattern/` (perlRegex), each pattern compiled once. It never
 * throws (an exception in a user function leaves node:sqlite's `all()`
 * hanging): a pattern that does not compile matches nothing and is kept in
 * `invalid`, for the caller to report once the query is done.
 */
class RegexpFunction {
  readonly #compiled = new Map<string, RegExp | null>();
  /** The first pattern that did not compile since it was last cleared. */
  invalid: string | undefined;

  /** The function itself: 1 or 0, or null for a NULL argument. */
  readonly call = (pattern: SQLOutputValue, value: SQLOutputValue): number | null => {
    if (value === null || pattern === null) return null;
    const source = String(pattern);
    let re = this.#compiled.get(source);
    if (re === undefined) {
      try {
        re = perlRegex(source, "");
      } catch {
        re = null;
      }
      this.#compiled.set(source, re);
    }
    if (re === null) {
      this.invalid ??= source;
      return 0;
    }
    return re.test(String(value)) ? 1 : 0;
  };
}

/** The SQLite engine. */
export class SqliteEngine implements Engine {
  readonly key = "sqlite";
  readonly destination: string;
  readonly registryDestination: string;
  readonly dbPath: string;
  readonly registryPath: string;
  private readonly now: () => number;
  /** The configured sqlite3 client, when scripts run through one. */
  private readonly client?: SqliteClient;
  private readonly registryOutput?: ScriptOutput;
  private db?: DatabaseSync;
  /** The connection's REGEXP function (see RegexpFunction). */
  private readonly regexp = new RegexpFunction();
  private lastTs?: string;
  /** Prepared registry statements by SQL text (cleared on close). */
  private statements = new Map<string, StatementSync>();
  /** Transactions begun on this connection (see `begin`). */
  private transactions = 0;
  /** Requiring change ids by dependency id (see `changesRequiring`); dropped on writes. */
  private requirers?: Map<string, string[]>;

  constructor(options: SqliteEngineOptions) {
    this.dbPath = options.dbPath;
    this.registryPath = options.registryPath;
    this.destination = options.destination;
    this.registryDestination = options.registryDestination;
    this.now = options.now ?? Date.now;
    this.client = options.client === undefined ? undefined : new SqliteClient(options.client);
    this.registryOutput = options.registryOutput;
  }

  /**
   * The engine for a resolved SQLite target (`Database name missing in URI …`
   * without a path); its client is used only when configured explicitly.
   */
  static fromTarget(
    target: Target,
    extra: Pick<SqliteEngineOptions, "registryOutput"> = {},
  ): SqliteEngine {
    const dbPath = target.uri.dbname;
    if (dbPath === undefined || dbPath === "") {
      throw new EngineError(`Database name missing in URI ${target.uri.toDisplayString()}`);
    }
    const registryPath = target.registryUri.dbname;
    if (registryPath === undefined || registryPath === "") {
      throw new EngineError(`Database name missing in URI ${target.registryUri.toDisplayString()}`);
    }
    return new SqliteEngine({
      dbPath,
      registryPath,
      destination: target.destination,
      registryDestination: target.registryDestination,
      client: target.clientConfigured ? target.client : undefined,
      ...extra,
    });
  }

  // --- connection -----------------------------------------------------------

  private get conn(): DatabaseSync {
    if (this.db === undefined) {
      try {
        // Like DBD::SQLite as Sqitch configures it: foreign keys on; opening creates the file.
        const db = new DatabaseSync(this.registryPath, { enableForeignKeyConstraints: true });
        db.function("regexp", { deterministic: true }, this.regexp.call);
        this.db = db;
      } catch (e) {
        // DBD::SQLite's text alone, as Sqitch shows it (node:sqlite appends the path).
        const message = (e as Error).message;
        const suffix = `: ${this.registryPath}`;
        throw new EngineError(
          message.endsWith(suffix) ? message.slice(0, -suffix.length) : message,
        );
      }
    }
    return this.db;
  }

  /** The prepared statement for `sql`, kept for reuse (one per distinct SQL text). */
  private statement(sql: string): StatementSync {
    let stmt = this.statements.get(sql);
    if (stmt === undefined) {
      stmt = this.conn.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private all(sql: string, ...params: SQLInputValue[]): Row[] {
    try {
      return this.statement(sql).all(...params) as Row[];
    } catch (e) {
      if (e instanceof EngineError) throw e;
      throw new EngineError((e as Error).message);
    }
  }

  private get1(sql: string, ...params: SQLInputValue[]): Row | undefined {
    return this.all(sql, ...params)[0];
  }

  private run(sql: string, ...params: SQLInputValue[]): void {
    try {
      this.statement(sql).run(...params);
    } catch (e) {
      throw new EngineError((e as Error).message);
    }
  }

  /**
   * The next committed_at: the current time, but always after every
   * committed_at this registry holds, so history stays strictly ordered
   * even when changes are logged within one millisecond (registry.md §12).
   */
  private nextTimestamp(): string {
    if (this.lastTs === undefined) {
      const r = this.get1(
        `SELECT max(m) AS m FROM (SELECT max(committed_at) AS m FROM events
           UNION ALL SELECT max(committed_at) FROM changes
           UNION ALL SELECT max(committed_at) FROM tags)`,
      );
      this.lastTs = r?.m === null || r?.m === undefined ? "" : String(r.m);
    }
    let ms = this.now();
    let ts = sqliteCommitTimestamp(ms);
    if (this.lastTs !== "" && ts <= this.lastTs) {
      const last = Date.parse(this.lastTs.replace(" ", "T") + "Z");
      ms = Number.isNaN(last) ? ms : last + 1;
      ts = sqliteCommitTimestamp(ms);
    }
    this.lastTs = ts;
    return ts;
  }

  connect(): Promise<void> {
    this.conn;
    return Promise.resolve();
  }

  close(): Promise<void> {
    scriptRunner?.closeShellConnections();
    if (this.db !== undefined) {
      // Back to the rollback journal Sqitch's registry uses (checkpoints and removes the WAL),
      // also when a run killed in WAL mode left the registry so, whatever this run did.
      try {
        const mode = this.db.prepare("PRAGMA journal_mode").get() as Row | undefined;
        if (String(mode?.journal_mode).toLowerCase() === "wal") {
          this.db.exec("PRAGMA journal_mode = DELETE");
        }
      } catch { /* another connection still has it open: it stays a valid WAL database */ }
    }
    this.db?.close();
    this.db = undefined;
    this.lastTs = undefined;
    this.statements.clear();
    this.requirers = undefined;
    this.transactions = 0;
    return Promise.resolve();
  }

  // --- registry lifecycle -----------------------------------------------------

  registryExists(): Promise<boolean> {
    const r = this.get1(
      `SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?) AS e`,
      "changes",
    );
    return Promise.resolve(Number(r?.e) === 1);
  }

  registryVersion(): Promise<number> {
    try {
      const r = this.conn.prepare("SELECT CAST(ROUND(MAX(version), 1) AS TEXT) AS v FROM releases")
        .get() as Row | undefined;
      return Promise.resolve(r?.v === null || r?.v === undefined ? 0 : Number(r.v));
    } catch (e) {
      if (/^no such table:/.test((e as Error).message)) return Promise.resolve(0);
      throw new EngineError((e as Error).message);
    }
  }

  /**
   * Run one of Sqitch's registry scripts (`BEGIN; … COMMIT;`) and record
   * its release. In process, the release row goes in before the script's
   * COMMIT, so a crash leaves either no change or the whole version (Sqitch
   * commits them separately; a kill in between leaves a registry it cannot
   * use). A configured client runs the script as Sqitch does.
   */
  private async runRegistryScript(
    name: string,
    sql: string,
    version: string,
    installer: Person,
  ): Promise<void> {
    if (this.client) {
      await this.client.runSql(this.registryPath, name, sql, this.registryOutput);
      this.run("BEGIN IMMEDIATE");
      this.finishRelease(version, installer);
      return;
    }
    const body = sql.replace(/COMMIT;\s*$/, "");
    if (body === sql) throw new EngineError(`${name} does not end with COMMIT`);
    // As in the sqlite3 shell Sqitch uses, foreign keys are not enforced while the
    // scripts rebuild tables (a pragma that cannot change inside a transaction).
    this.conn.exec("PRAGMA foreign_keys = OFF");
    try {
      try {
        this.conn.exec(body);
      } catch (e) {
        if (this.conn.isTransaction) this.conn.exec("ROLLBACK");
        throw new EngineError((e as Error).message);
      }
      this.finishRelease(version, installer);
    } finally {
      this.conn.exec("PRAGMA foreign_keys = ON");
    }
  }

  /** Insert the release row and commit the open transaction (rolled back on failure). */
  private finishRelease(version: string, installer: Person): void {
    try {
      this.run(
        `INSERT INTO releases (version, installed_at, installer_name, installer_email)
         VALUES (?, ?, ?, ?)`,
        Number(version),
        this.nextTimestamp(),
        installer.name,
        installer.email,
      );
      this.run("COMMIT");
    } catch (e) {
      this.run("ROLLBACK");
      throw e;
    }
  }

  async createRegistry(installer: Person): Promise<void> {
    if (await this.registryExists()) {
      throw new EngineError(`Sqitch database ${this.registryPath} already initialized`);
    }
    await this.runRegistryScript("sqlite.sql", SQLITE_REGISTRY_SQL, REGISTRY_VERSION, installer);
  }

  async upgradeRegistry(
    installer: Person,
    step: (from: string, to: string) => void,
  ): Promise<void> {
    const current = await this.registryVersion();
    for (const [from, to, sql] of SQLITE_UPGRADES) {
      if (Number(to) <= current) continue;
      step(from, to);
      await this.runRegistryScript(`sqlite-${to}.sql`, sql, to, installer);
    }
  }

  // --- locking and transactions ---------------------------------------------

  /** SQLite has no session lock: BEGIN IMMEDIATE per change is the guard. */
  tryLock(): Promise<boolean> {
    return Promise.resolve(true);
  }

  waitLock(_seconds: number): Promise<boolean> {
    return Promise.resolve(true);
  }

  begin(): Promise<void> {
    if (++this.transactions === WAL_AFTER_TRANSACTIONS) this.switchToWal();
    this.requirers = undefined;
    this.run("BEGIN IMMEDIATE");
    return Promise.resolve();
  }

  /**
   * Put a registry in rollback-journal mode into WAL mode for the rest of
   * this connection: a commit then costs one fsync of the WAL instead of
   * the journal's three or four, with the same durability (synchronous
   * stays FULL, every change is on disk before the next starts). `close`
   * puts the journal mode back (after any run that wrote, so also after a
   * run killed in WAL mode), leaving the file as Sqitch writes it.
   */
  private switchToWal(): void {
    if (Deno.env.get("SQLITCH_NO_WAL")) return;
    try {
      const mode = this.conn.prepare("PRAGMA journal_mode").get() as Row | undefined;
      if (String(mode?.journal_mode).toLowerCase() !== "delete") return;
      this.conn.prepare("PRAGMA journal_mode = WAL").get();
    } catch { /* e.g. busy: stay in rollback-journal mode */ }
  }

  commit(): Promise<void> {
    this.run("COMMIT");
    return Promise.resolve();
  }

  rollback(): Promise<void> {
    if (this.conn.isTransaction) this.run("ROLLBACK");
    return Promise.resolve();
  }

  // --- projects -----------------------------------------------------------------

  projectRow(project: string): Promise<ProjectRow | undefined> {
    const r = this.get1("SELECT project, uri FROM projects WHERE project = ?", project);
    return Promise.resolve(
      r === undefined
        ? undefined
        : { project: str(r.project), uri: r.uri === null ? null : str(r.uri) },
    );
  }

  projectByUri(uri: string): Promise<string | undefined> {
    const r = this.get1("SELECT project FROM projects WHERE uri = ?", uri);
    return Promise.resolve(r === undefined ? undefined : str(r.project));
  }

  insertProject(project: string, uri: string | null, creator: Person): Promise<void> {
    this.run(
      `INSERT INTO projects (project, uri, creator_name, creator_email, created_at)
       VALUES (?, ?, ?, ?, ?)`,
      project,
      uri,
      creator.name,
      creator.email,
      this.nextTimestamp(),
    );
    return Promise.resolve();
  }

  registeredProjects(): Promise<string[]> {
    return Promise.resolve(
      this.all("SELECT project FROM projects ORDER BY project").map((r) => str(r.project)),
    );
  }

  // --- state queries ------------------------------------------------------------

  currentState(project: string): Promise<CurrentState | undefined> {
    const r = this.get1(
      `SELECT ${CHANGE_COLUMNS} FROM changes c WHERE c.project = ?
       ORDER BY c.committed_at DESC LIMIT 1`,
      project,
    );
    if (r === undefined) return Promise.resolve(undefined);
    return Promise.resolve(byTagName(toCurrent(r)) as CurrentState);
  }

  deployedChanges(project: string): Promise<DeployedChange[]> {
    return Promise.resolve(
      this.all(
        `SELECT ${CHANGE_COLUMNS} FROM changes c WHERE c.project = ? ORDER BY c.committed_at ASC`,
        project,
      ).map((r) => byTagName(toDeployed(r))),
    );
  }

  deployedChangesSince(project: string, changeId: string): Promise<DeployedChange[]> {
    return Promise.resolve(
      this.all(
        `SELECT ${CHANGE_COLUMNS} FROM changes c WHERE c.project = ?
           AND c.committed_at > (SELECT committed_at FROM changes WHERE change_id = ?)
         ORDER BY c.committed_at ASC`,
        project,
        changeId,
      ).map(toDeployed),
    );
  }

  loadChange(changeId: string): Promise<DeployedChange | undefined> {
    const r = this.get1(`SELECT ${CHANGE_COLUMNS} FROM changes c WHERE c.change_id = ?`, changeId);
    return Promise.resolve(r === undefined ? undefined : toDeployed(r));
  }

  changeIdAt(
    project: string,
    direction: "ASC" | "DESC",
    offset: number,
  ): Promise<string | undefined> {
    const order = direction === "ASC" ? "ASC" : "DESC";
    const r = this.get1(
      `SELECT change_id FROM changes WHERE project = ?
       ORDER BY committed_at ${order} LIMIT 1 OFFSET ?`,
      project,
      offset,
    );
    return Promise.resolve(r === undefined ? undefined : str(r.change_id));
  }

  currentChanges(project: string): Promise<CurrentItem[]> {
    return Promise.resolve(
      this.all(
        `SELECT change AS name, committed_at, committer_name, committer_email FROM changes
         WHERE project = ? ORDER BY committed_at DESC`,
        project,
      ).map(toItem),
    );
  }

  currentTags(project: string): Promise<CurrentItem[]> {
    return Promise.resolve(
      this.all(
        `SELECT tag AS name, committed_at, committer_name, committer_email FROM tags
         WHERE project = ? ORDER BY committed_at DESC`,
        project,
      ).map(toItem),
    );
  }

  deployedIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return Promise.resolve(new Set());
    const rows = this.all(
      `SELECT change_id FROM changes WHERE change_id IN (${ids.map(() => "?").join(", ")})`,
      ...ids,
    );
    return Promise.resolve(new Set(rows.map((r) => str(r.change_id))));
  }

  recordedTagIds(changeId: string): Promise<Set<string>> {
    const rows = this.all("SELECT tag_id FROM tags WHERE change_id = ?", changeId);
    return Promise.resolve(new Set(rows.map((r) => str(r.tag_id))));
  }

  /**
   * Sqitch's `changes_requiring_change` query, in steps that stay cheap when
   * revert asks it for each of N changes: `dependencies` has no index on
   * dependency_id, so it is read once (in row order, as the query scans it)
   * into a map kept until the registry is next written; the as-of tag is
   * the earliest-committed tagged change of the project at or after the
   * requiring change (ties in tag order), found by walking the tags rather
   * than sorting the project's changes.
   */
  changesRequiring(changeId: string): Promise<RequiringChange[]> {
    if (this.requirers === undefined) {
      const map = new Map<string, string[]>();
      const rows = this.all(
        `SELECT change_id, dependency_id FROM dependencies
          WHERE dependency_id IS NOT NULL ORDER BY rowid`,
      );
      for (const r of rows) {
        const key = str(r.dependency_id);
        const list = map.get(key);
        if (list === undefined) map.set(key, [str(r.change_id)]);
        else list.push(str(r.change_id));
      }
      this.requirers = map;
    }
    const found: RequiringChange[] = [];
    for (const id of this.requirers.get(changeId) ?? []) {
      const c = this.get1(
        "SELECT change_id, project, change, committed_at FROM changes WHERE change_id = ?",
        id,
      );
      if (c === undefined) continue;
      const tag = this.get1(
        `SELECT t.tag FROM tags t CROSS JOIN changes c2 ON c2.change_id = t.change_id
          WHERE c2.project = ? AND c2.committed_at >= ?
          ORDER BY c2.committed_at, t.tag LIMIT 1`,
        c.project,
        c.committed_at,
      );
      found.push({
        changeId: str(c.change_id),
        change: str(c.change),
        project: str(c.project),
        asofTag: tag === undefined || tag.tag === null ? undefined : str(tag.tag),
      });
    }
    return Promise.resolve(found);
  }

  searchEvents(search: EventSearch): Promise<RegistryEvent[]> {
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    const regex = (col: string, pattern: string | undefined) => {
      if (pattern === undefined) return;
      where.push(`${col} REGEXP ?`);
      params.push(pattern);
    };
    regex("committer_name", search.committer);
    regex("planner_name", search.planner);
    regex("change", search.change);
    regex("project", search.project);
    if (search.event !== undefined && search.event.length > 0) {
      where.push(`event IN (${search.event.map(() => "?").join(", ")})`);
      params.push(...search.event);
    }
    let sql = `SELECT event, project, change_id, change, note, requires, conflicts, tags,
                      committer_name, committer_email, committed_at,
                      planner_name, planner_email, planned_at
                 FROM events`;
    if (where.length > 0) sql += ` WHERE ${where.join(" AND ")}`;
    sql += ` ORDER BY committed_at ${search.direction === "ASC" ? "ASC" : "DESC"}`;
    if (search.limit !== undefined || search.offset !== undefined) {
      sql += " LIMIT ?";
      params.push(search.limit ?? -1);
      if (search.offset !== undefined) {
        sql += " OFFSET ?";
        params.push(search.offset);
      }
    }
    let rows: SQLOutputValue[][];
    this.regexp.invalid = undefined;
    try {
      const stmt = this.statement(sql) as ArrayStatement;
      // Rows as arrays, in the SELECT's column order: cheaper than objects.
      stmt.setReturnArrays(true);
      rows = stmt.all(...params) as unknown as SQLOutputValue[][];
    } catch (e) {
      if (e instanceof EngineError) throw e;
      throw new EngineError((e as Error).message);
    }
    // As in Sqitch, a pattern fails once a row was matched against it.
    if (this.regexp.invalid !== undefined) searchPattern(this.regexp.invalid, "log");
    const columns: EventColumns = {
      // Deploy events join with spaces (tags) or commas; revert events with commas.
      requires: commaList,
      conflicts: commaList,
      tags: tagList,
      committedAt: timestampReader(),
      plannedAt: timestampReader(),
    };
    // Every other column of `events` is TEXT: a string, or null.
    return Promise.resolve((rows as TextRow[]).map((r) => registryEventOf(r, columns)));
  }

  // --- bookkeeping ----------------------------------------------------------------

  private insertEvent(
    event: "deploy" | "revert" | "fail",
    change: ChangeRecord,
    lists: { tags: string; requires: string; conflicts: string },
    committer: Person,
  ): void {
    this.run(
      `INSERT INTO events (event, change_id, change, project, note, tags, requires, conflicts,
                           committer_name, committer_email, planned_at, planner_name,
                           planner_email, committed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      event,
      change.id,
      change.name,
      change.project,
      change.note,
      lists.tags,
      lists.requires,
      lists.conflicts,
      committer.name,
      committer.email,
      sqlitePlannedTimestamp(change.plannedAt),
      change.planner.name,
      change.planner.email,
      this.nextTimestamp(),
    );
  }

  /** The event lists of a deploy or fail event, from the plan (registry.md §8). */
  private planLists(change: ChangeRecord) {
    return {
      tags: change.tags.map((t) => `@${t.name}`).join(" "),
      requires: change.dependencies.filter((d) => d.type === "require").map((d) => d.dependency)
        .join(","),
      conflicts: change.dependencies.filter((d) => d.type === "conflict").map((d) => d.dependency)
        .join(","),
    };
  }

  private insertTags(
    change: ChangeRecord,
    tags: ChangeRecord["tags"],
    committer: Person,
    ts: string,
  ) {
    for (const tag of tags) {
      this.run(
        `INSERT INTO tags (tag_id, tag, project, change_id, note, committer_name,
                           committer_email, planned_at, planner_name, planner_email, committed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ...tagRowValues(change, tag, committer, sqlitePlannedTimestamp),
        ts,
      );
    }
  }

  recordDeploy(change: ChangeRecord, committer: Person): Promise<void> {
    this.requirers = undefined;
    const ts = this.nextTimestamp();
    this.run(
      `INSERT INTO changes (change_id, script_hash, change, project, note, committer_name,
                            committer_email, planned_at, planner_name, planner_email, committed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ...changeRowValues(change, committer, sqlitePlannedTimestamp),
      ts,
    );
    for (const values of dependencyRowValues(change)) {
      this.run(
        `INSERT INTO dependencies (change_id, type, dependency, dependency_id) VALUES (?, ?, ?, ?)`,
        ...values,
      );
    }
    this.insertTags(change, change.tags, committer, ts);
    this.insertEvent("deploy", change, this.planLists(change), committer);
    return Promise.resolve();
  }

  recordFail(change: ChangeRecord, committer: Person): Promise<void> {
    this.insertEvent("fail", change, this.planLists(change), committer);
    return Promise.resolve();
  }

  recordRevert(change: ChangeRecord, committer: Person): Promise<void> {
    this.requirers = undefined;
    const tags = this.all("SELECT tag FROM tags WHERE change_id = ?", change.id).map((r) =>
      str(r.tag)
    );
    this.run("DELETE FROM tags WHERE change_id = ?", change.id);
    const deps = (type: string) =>
      this.all(
        "SELECT dependency FROM dependencies WHERE change_id = ? AND type = ?",
        change.id,
        type,
      ).map((r) => str(r.dependency));
    const requires = deps("require");
    const conflicts = deps("conflict");
    this.run("DELETE FROM dependencies WHERE change_id = ?", change.id);
    this.run("DELETE FROM changes WHERE change_id = ?", change.id);
    this.insertEvent(
      "revert",
      change,
      { tags: tags.join(","), requires: requires.join(","), conflicts: conflicts.join(",") },
      committer,
    );
    return Promise.resolve();
  }

  async recordLateTags(change: ChangeRecord, committer: Person): Promise<void> {
    const have = await this.recordedTagIds(change.id);
    const missing = change.tags.filter((t) => !have.has(t.tagId));
    if (missing.length > 0) this.insertTags(change, missing, committer, this.nextTimestamp());
  }

  // --- scripts ------------------------------------------------------------------------

  /** Variables are ignored on SQLite, as in Sqitch (engine-semantics.md §7.1). */
  async runScript(path: string, _variables: ScriptVariables, out: ScriptOutput): Promise<void> {
    if (this.client) return await this.client.runFile(this.dbPath, path, out);
    scriptRunner ??= await importLazily<ScriptRunner>("engines/sqlite_script.ts");
    const { status } = scriptRunner.runSqliteScript(this.dbPath, path, out);
    if (status !== 0) throw new ScriptError(path, status);
  }

  runVerify(path: string, variables: ScriptVariables, out: ScriptOutput): Promise<void> {
    return this.runScript(path, variables, out);
  }
}

function toItem(r: Row): CurrentItem {
  return {
    name: str(r.name),
    committedAt: parseSqliteTimestamp(str(r.committed_at)),
    committer: { name: str(r.committer_name), email: str(r.committer_email) },
  };
}
