/**
 * The PostgreSQL engine: the registry is a schema (`sqitch`, or the
 * configured registry) in the target database, created with Sqitch's exact
 * DDL and written exactly as Sqitch writes it (registry.md §4, §6–§9), on
 * one session that also holds Sqitch's advisory lock, so sqitch and
 * sqlitch keep each other out; on PostgreSQL proper a change's registry
 * rows are written in one statement. Scripts run on a session of their
 * own, as Sqitch runs `psql`: through the in-process psql emulation (one
 * script session, reset between scripts to what a new connection finds),
 * or through the configured client with Sqitch's command line.
 *
 * YugabyteDB (detected from `version()`) gets neither the advisory lock nor
 * the `changes` table lock, as in Sqitch.
 */
import { importLazily } from "../io/lazy_import.ts";
import {
  passwordFromFile,
  type PgConnectionParams,
  type PgFiles,
  psqlArgs,
  psqlEnv,
  resolvePgConnection,
} from "../core/pg_connection.ts";
import { SqlitchError } from "../core/errors.ts";
import type { Target } from "../core/target.ts";
import type { DbUri } from "../core/uri.ts";
import { runClient } from "./client_process.ts";
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
import { PG_REGISTRY_SQL, PG_UPGRADES, pgRegistryScript, quoteIdent } from "./pg_registry_sql.ts";
import { formatPgMessage, PgSession } from "./pg_session.ts";
import {
  changeRowValues,
  currentItemOf,
  dependencyRowValues,
  deployedChangeOf,
  type EventColumns,
  registryEventOf,
  registryTime,
  requiringChangeOf,
  type Row,
  tagRowValues,
  text,
} from "./registry_rows.ts";
import { PgConnectionError, PgServerError } from "./psql_session.ts";

/** Sqitch's advisory lock key: sqitch and sqlitch exclude each other with it. */
export const PG_LOCK_KEY = 75474063;

/** Which server the engine talks to (Sqitch's `_provider`). */
export type PgProvider = "postgres" | "yugabyte";

/** The provider from the second word of `version()` (`15.20`, `11.2-YB-2.18.0.0-b0`). */
export function providerOf(versionWord: string): PgProvider {
  return /-YB-/.test(versionWord) ? "yugabyte" : "postgres";
}

/** Everything a PostgreSQL engine works from. */
export interface PgEngineOptions {
  /** The target URI (overrides applied). */
  uri: DbUri;
  /** Sqitch's user name (`$SQITCH_USERNAME` › URI user). */
  username?: string;
  /** Sqitch's password (`$SQITCH_PASSWORD` › URI password). */
  password?: string;
  /** The registry schema. */
  registry: string;
  destination: string;
  registryDestination: string;
  env: Readonly<Record<string, string | undefined>>;
  home?: string;
  osUser?: string;
  files: PgFiles;
  /** A configured client (`--client`, `engine.pg.client`…): scripts run through it. */
  client?: string;
}

/** Files through Deno, with permission bits for the password-file check. */
export const denoPgFiles: PgFiles = {
  readText(path) {
    try {
      return Deno.readTextFileSync(path);
    } catch {
      return undefined;
    }
  },
  stat(path) {
    try {
      const s = Deno.statSync(path);
      return { isFile: s.isFile, mode: s.mode };
    } catch {
      return undefined;
    }
  },
};

/** A quoted SQL string literal (standard_conforming_strings on). */
export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** `to_char` of a timestamptz column in UTC, to whole seconds, ISO 8601. */
export function pgTimestamp(col: string): string {
  return `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
}

/** Sqitch's aggregation of tag names per change, by server version. */
export function tagAggregate(col: string, serverVersionNum: number): string {
  if (serverVersionNum >= 90300) return `array_remove(array_agg(${col} ORDER BY ${col}), NULL)`;
  if (serverVersionNum >= 80400) {
    return `ARRAY(SELECT * FROM UNNEST( array_agg(${col} ORDER BY ${col}) ) a WHERE a IS NOT NULL)`;
  }
  return `ARRAY(SELECT * FROM UNNEST( array_agg(${col}) ) a WHERE a IS NOT NULL)`;
}

/** A timestamp as PostgreSQL's registry takes it (ISO 8601, UTC). */
function isoTime(date: Date): string {
  return date.toISOString();
}

/** A deployed change row (registry_rows.ts), its tags a PostgreSQL array. */
function toDeployed(r: Row): DeployedChange {
  return deployedChangeOf(r, parseTextArray(r[7]));
}

/** The list columns of `events`: PostgreSQL arrays. */
const PG_EVENT_LISTS: EventColumns = {
  requires: parseTextArray,
  conflicts: parseTextArray,
  tags: parseTextArray,
};

/** Parse a one-dimensional text array in PostgreSQL's output format (`{a,"b c",NULL}`). */
export function parseTextArray(text: string | null): string[] {
  if (text === null || text === "" || text === "{}") return [];
  const out: string[] = [];
  let i = text.indexOf("{") + 1;
  while (i < text.length && text[i] !== "}") {
    if (text[i] === '"') {
      let v = "";
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\") i++;
        v += text[i++];
      }
      i++;
      out.push(v);
    } else {
      let j = i;
      while (j < text.length && text[j] !== "," && text[j] !== "}") j++;
      const v = text.slice(i, j);
      if (v !== "NULL") out.push(v);
      i = j;
    }
    if (text[i] === ",") i++;
  }
  return out;
}

/** Numbered parameters of one statement. */
class Params {
  readonly values: unknown[] = [];
  /** `$n` standing for `value`. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** One registry statement, its parameters numbered from `p`. */
type Statement = (p: Params) => string;

/** The PostgreSQL engine. */
export class PgEngine implements Engine {
  readonly key: string = "pg";
  readonly destination: string;
  readonly registryDestination: string;
  readonly registry: string;
  private readonly options: PgEngineOptions;
  private session?: PgSession;
  private connecting?: Promise<PgSession>;
  /** The script session kept between scripts, and how its reset went (see `runEmulated`). */
  private scriptSession?: { session: PgSession; reset: Promise<boolean> };
  /** Whether this engine took the advisory lock (its session must close fully). */
  private locked = false;
  /** `version()` of the server, read when the registry session connects. */
  private serverVersionText?: string;
  private params?: PgConnectionParams;
  private providerName: PgProvider = "postgres";

  constructor(options: PgEngineOptions) {
    this.options = options;
    this.registry = options.registry;
    this.destination = options.destination;
    this.registryDestination = options.registryDestination;
  }

  /** The engine for a resolved PostgreSQL target. */
  static async fromTarget(target: Target): Promise<PgEngine> {
    return new PgEngine(await PgEngine.optionsFor(target));
  }

  /** The engine options for a resolved target (also used by engines built on this one). */
  static async optionsFor(target: Target): Promise<PgEngineOptions> {
    const { denoHost } = await import("../io/deno_host.ts");
    const host = denoHost();
    const env = target.ctx.env;
    return {
      uri: target.uri,
      username: target.username,
      password: target.password,
      registry: target.registry,
      destination: target.destination,
      registryDestination: target.registryDestination,
      env,
      home: host.user.home(),
      osUser: host.user.uidName() ?? env.USER ?? env.LOGNAME,
      files: denoPgFiles,
      client: target.clientConfigured ? target.client : undefined,
    };
  }

  // --- what engines built on this one change (cockroach.ts) ------------------

  /** A timestamptz column as ISO 8601 text in UTC, to whole seconds. */
  protected ts(col: string): string {
    return pgTimestamp(col);
  }

  /** The registry creation script and upgrade steps. */
  protected registryScripts(): {
    create: string;
    upgrades: readonly (readonly [string, string, string])[];
  } {
    return { create: PG_REGISTRY_SQL, upgrades: PG_UPGRADES };
  }

  /**
   * How a registry script is sent: PostgreSQL's run as one query (they
   * hold their own BEGIN … COMMIT).
   */
  protected registryStatements(script: string): string[] {
    return [script];
  }

  /** Whether to leave the "registry not initialized" warning in the server log. */
  protected get notesMissingRegistry(): boolean {
    return true;
  }

  /** `postgres` or `yugabyte`, known once connected. */
  get provider(): PgProvider {
    return this.providerName;
  }

  /** The resolved connection parameters (libpq precedence). */
  connectionParams(): PgConnectionParams {
    this.params ??= resolvePgConnection({
      uri: this.options.uri,
      username: this.options.username,
      password: this.options.password,
      env: this.options.env,
      home: this.options.home,
      osUser: this.options.osUser,
      files: this.options.files,
    });
    return this.params;
  }

  /** Where `\connect` and script sessions find passwords (environment, password file). */
  private passwordLookup = (host: string, port: number, dbname: string, user: string) => {
    const env = this.options.env;
    if (env.PGPASSWORD !== undefined && env.PGPASSWORD !== "") return env.PGPASSWORD;
    const file = env.PGPASSFILE ??
      (this.options.home !== undefined ? `${this.options.home}/.pgpass` : undefined);
    if (file === undefined) return undefined;
    return passwordFromFile(file, host, port, dbname, user, this.options.files, []);
  };

  /** Open a new session with the target's parameters (registry or script session). */
  async openSession(): Promise<PgSession> {
    try {
      return await PgSession.open({
        params: this.connectionParams(),
        files: this.options.files,
        home: this.options.home,
        passwordLookup: this.passwordLookup,
      });
    } catch (e) {
      if (e instanceof PgConnectionError) throw new EngineError(e.message);
      throw e;
    }
  }

  private async db(): Promise<PgSession> {
    if (this.session) return this.session;
    this.connecting ??= (async () => {
      const session = await this.openSession();
      try {
        const settings = "SET client_min_messages = WARNING; " +
          `SET search_path = ${quoteLiteral(this.registry)}`;
        const version = "SELECT split_part(version(), ' ', 2), version()";
        let v: Row[];
        try {
          // One round trip when the server takes both settings.
          v = await session.rows(`${settings}; ${version}`);
        } catch {
          await session.exec("SET client_min_messages = WARNING");
          try {
            await session.exec(`SET search_path = ${quoteLiteral(this.registry)}`);
          } catch {
            // As Sqitch: a registry name the server refuses only shows up later.
          }
          v = await session.rows(version);
        }
        this.providerName = providerOf(v[0]?.[0] ?? "");
        this.serverVersionText = v[0]?.[1] ?? undefined;
      } catch (e) {
        await session.close();
        throw this.wrap(e);
      }
      this.session = session;
      return session;
    })();
    try {
      return await this.connecting;
    } finally {
      this.connecting = undefined;
    }
  }

  /** A driver failure as the `EngineError` Sqitch would show (libpq's message text). */
  private wrap(e: unknown): Error {
    if (e instanceof SqlitchError) return e;
    if (e instanceof PgServerError) return new EngineError(formatPgMessage(e.fields));
    if (e instanceof PgConnectionError) return new EngineError(e.message);
    return new EngineError(e instanceof Error ? e.message : String(e));
  }

  private async rows(sql: string, values: unknown[] = []): Promise<Row[]> {
    const db = await this.db();
    try {
      return await db.rows(sql, values);
    } catch (e) {
      throw this.wrap(e);
    }
  }

  private async exec(sql: string, values: unknown[] = [], name?: string): Promise<void> {
    const db = await this.db();
    try {
      await db.exec(sql, values, name);
    } catch (e) {
      throw this.wrap(e);
    }
  }

  /** Names of the registry statements prepared on the registry session, by text. */
  private prepared = new Map<string, string>();

  /** The name a registry statement is prepared under (one per distinct text). */
  private preparedName(sql: string): string {
    let name = this.prepared.get(sql);
    if (name === undefined) {
      name = `sqlitch_registry_${this.prepared.size + 1}`;
      this.prepared.set(sql, name);
    }
    return name;
  }

  private async tagAgg(col: string): Promise<string> {
    return tagAggregate(col, (await this.db()).serverVersionNum);
  }

  async connect(): Promise<void> {
    await this.db();
  }

  async close(): Promise<void> {
    const script = this.scriptSession;
    this.scriptSession = undefined;
    // A script session reset holds nothing that must be released before this resolves.
    if (script) await script.session.close(!(await script.reset));
    const session = this.session;
    this.session = undefined;
    this.prepared.clear();
    // A session that held the lock closes fully, so the lock is free when this resolves.
    await session?.close(this.locked);
    this.locked = false;
  }

  // --- registry lifecycle ---------------------------------------------------

  async registryExists(): Promise<boolean> {
    const r = await this.rows(
      `SELECT EXISTS(
            SELECT TRUE FROM pg_catalog.pg_tables
             WHERE schemaname = $1 AND tablename = $2
        )`,
      [this.registry, "changes"],
    );
    return r[0]?.[0] === "t";
  }

  async registryVersion(): Promise<number> {
    const db = await this.db();
    try {
      const r = await db.rows("SELECT MAX(version)::TEXT FROM releases");
      return r[0]?.[0] === null || r[0]?.[0] === undefined ? 0 : Number(r[0][0]);
    } catch (e) {
      if (e instanceof PgServerError && e.fields.code === "42P01") {
        await this.noteMissingRegistry(db);
        return 0;
      }
      throw this.wrap(e);
    }
  }

  /**
   * As Sqitch does after the expected "relation does not exist" error: a
   * warning in the server log (not sent to us) telling log watchers why.
   */
  private async noteMissingRegistry(db: PgSession): Promise<void> {
    if (!this.notesMissingRegistry || db.serverVersionNum < 90000) return;
    const msg = quoteLiteral("Sqitch registry not initialized");
    const detail = quoteLiteral(
      'Because the "changes" table does not exist, Sqitch will now initialize the database to create its registry tables.',
    );
    try {
      await db.exec(`DO $$
        BEGIN
            SET LOCAL client_min_messages = 'ERROR';
            RAISE WARNING USING ERRCODE = 'undefined_table', MESSAGE = ${msg}, DETAIL = ${detail};
        END;
    $$`);
    } catch {
      // Only a courtesy to log readers.
    }
  }

  /** Table options: ` DISTRIBUTE BY REPLICATION` on Postgres-XC, else none. */
  protected async tableOptions(): Promise<string> {
    const r = await this.rows(
      `SELECT count(*)
          FROM pg_catalog.pg_proc p
          JOIN pg_catalog.pg_namespace n ON p.pronamespace = n.oid
         WHERE nspname = 'pg_catalog'
           AND proname = 'pgxc_version'`,
    );
    return Number(r[0]?.[0] ?? 0) > 0 ? " DISTRIBUTE BY REPLICATION" : "";
  }

  /**
   * Run one registry script (its own BEGIN … COMMIT) and record `release`
   * in the same transaction, just before the script's COMMIT, so that a
   * registry is never left without its release row (a script without a
   * closing COMMIT has the row written after it, in a transaction of its
   * own). Then point search_path at the registry.
   */
  private async runRegistryScript(
    sql: string,
    release: { version: string; installer: Person },
  ): Promise<void> {
    const db = await this.db();
    const text = pgRegistryScript(
      sql,
      this.registry,
      await this.tableOptions(),
      db.serverVersionNum,
    );
    const statements = this.registryStatements(text);
    const last = statements.length - 1;
    const withoutCommit = last >= 0 ? statements[last].replace(CLOSING_COMMIT, "") : "";
    const endsWithCommit = last >= 0 && withoutCommit !== statements[last];
    if (endsWithCommit) statements[last] = withoutCommit;
    try {
      for (const statement of statements) {
        if (statement.trim() !== "") await db.exec(statement);
      }
      if (endsWithCommit && db.transactionStatus === "T") {
        await db.exec(RELEASE_INSERT(this.registry), releaseValues(release));
        await db.exec("COMMIT");
      } else {
        if (endsWithCommit && db.transactionStatus !== "I") await db.exec("COMMIT");
        await this.exec(`SET search_path = ${quoteLiteral(this.registry)}`);
        await this.registerRelease(release.version, release.installer);
      }
    } catch (e) {
      if (db.transactionStatus !== "I") await db.exec("ROLLBACK").catch(() => {});
      throw this.wrap(e);
    }
    await this.exec(`SET search_path = ${quoteLiteral(this.registry)}`);
  }

  private async registerRelease(version: string, installer: Person): Promise<void> {
    await this.begin();
    try {
      await this.exec(RELEASE_INSERT(this.registry), releaseValues({ version, installer }));
      await this.commit();
    } catch (e) {
      await this.rollback();
      throw e;
    }
  }

  async createRegistry(installer: Person): Promise<void> {
    if (await this.registryExists()) {
      throw new EngineError(`Sqitch schema "${this.registry}" already exists`);
    }
    await this.runRegistryScript(this.registryScripts().create, {
      version: REGISTRY_VERSION,
      installer,
    });
  }

  async upgradeRegistry(
    installer: Person,
    step: (from: string, to: string) => void,
  ): Promise<void> {
    const current = await this.registryVersion();
    // The first step starts from the version as the driver reads it (`1`), later
    // ones from the previous script's name (`1.0`), as Sqitch prints them.
    let from = this.versionText(current);
    for (const [, to, sql] of this.registryScripts().upgrades) {
      if (Number(to) <= current) continue;
      step(from, to);
      await this.runRegistryScript(sql, { version: to, installer });
      from = to;
    }
  }

  /** A registry version as DBD::Pg reads the `real` column: `1`, `1.1`. */
  versionText(version: number): string {
    return String(version);
  }

  // --- locking and transactions -----------------------------------------------

  /** Whether the server takes Sqitch's advisory lock and table lock (PostgreSQL proper). */
  protected get usesLocks(): boolean {
    return this.providerName === "postgres";
  }

  async tryLock(): Promise<boolean> {
    await this.db();
    if (!this.usesLocks) return true;
    this.locked = true;
    const r = await this.rows(`SELECT pg_try_advisory_lock(${PG_LOCK_KEY})`);
    return r[0]?.[0] === "t";
  }

  /**
   * Wait for the advisory lock at most `seconds`: the server waits for us
   * (`lock_timeout`), and gives up with `lock_not_available`. Zero (or
   * less) waits without limit, as Sqitch's back-off does.
   */
  async waitLock(seconds: number): Promise<boolean> {
    const db = await this.db();
    if (!this.usesLocks) return true;
    const previous = (await this.rows("SELECT current_setting('lock_timeout')"))[0]?.[0] ?? "0";
    const ms = seconds > 0 ? Math.max(1, Math.min(Math.round(seconds * 1000), 2147483647)) : 0;
    await this.exec(`SET lock_timeout = ${ms}`);
    this.locked = true;
    try {
      await db.rows(`SELECT pg_advisory_lock(${PG_LOCK_KEY})`);
      return true;
    } catch (e) {
      if (e instanceof PgServerError && e.fields.code === "55P03") return false;
      throw this.wrap(e);
    } finally {
      await this.exec(`SET lock_timeout = ${quoteLiteral(previous)}`);
    }
  }

  async begin(): Promise<void> {
    await this.exec("BEGIN");
    if (this.usesLocks) await this.exec("LOCK TABLE changes IN EXCLUSIVE MODE");
  }

  async commit(): Promise<void> {
    await this.exec("COMMIT");
  }

  async rollback(): Promise<void> {
    const db = this.session;
    if (db && db.transactionStatus !== "I") await this.exec("ROLLBACK");
  }

  // --- projects -----------------------------------------------------------------

  async projectRow(project: string): Promise<ProjectRow | undefined> {
    const r = await this.rows("SELECT project, uri FROM projects WHERE project = $1", [project]);
    return r[0] === undefined ? undefined : { project: text(r[0][0]), uri: r[0][1] };
  }

  async projectByUri(uri: string): Promise<string | undefined> {
    const r = await this.rows("SELECT project FROM projects WHERE uri = $1", [uri]);
    return r[0] === undefined ? undefined : text(r[0][0]);
  }

  async insertProject(project: string, uri: string | null, creator: Person): Promise<void> {
    await this.exec(
      `INSERT INTO projects (project, uri, creator_name, creator_email, created_at)
       VALUES ($1, $2, $3, $4, clock_timestamp())`,
      [project, uri, creator.name, creator.email],
    );
  }

  async registeredProjects(): Promise<string[]> {
    return (await this.rows("SELECT project FROM projects ORDER BY project")).map((r) =>
      text(r[0])
    );
  }

  // --- state queries ----------------------------------------------------------------

  private async selectState(project: string, withHash: boolean): Promise<Row | undefined> {
    const hash = withHash ? "c.script_hash" : "NULL::text";
    const groupHash = withHash ? "\n             , c.script_hash" : "";
    const r = await (await this.db()).rows(
      `SELECT c.change_id, c.change, c.project, c.note, c.committer_name, c.committer_email,
              ${this.ts("c.committed_at")} AS committed_at, c.planner_name, c.planner_email,
              ${this.ts("c.planned_at")} AS planned_at, ${await this.tagAgg("t.tag")} AS tags,
              ${hash} AS script_hash
          FROM changes   c
          LEFT JOIN tags t ON c.change_id = t.change_id
         WHERE c.project = $1
         GROUP BY c.change_id, c.change, c.project, c.note, c.committer_name,
                  c.committer_email, c.committed_at, c.planner_name, c.planner_email,
                  c.planned_at${groupHash}
         ORDER BY c.committed_at DESC
         LIMIT 1`,
      [project],
    );
    return r[0];
  }

  async currentState(project: string): Promise<CurrentState | undefined> {
    let r: Row | undefined;
    try {
      r = await this.selectState(project, true);
    } catch (e) {
      if (
        e instanceof PgServerError && e.fields.code === "42P01" && !(await this.registryExists())
      ) {
        return undefined;
      }
      if (e instanceof PgServerError && e.fields.code === "42703") {
        r = await this.selectState(project, false).catch((e2) => {
          throw this.wrap(e2);
        });
      } else {
        throw this.wrap(e);
      }
    }
    if (r === undefined) return undefined;
    return {
      id: text(r[0]),
      name: text(r[1]),
      project: text(r[2]),
      note: text(r[3]),
      committer: { name: text(r[4]), email: text(r[5]) },
      committedAt: registryTime(r[6]),
      planner: { name: text(r[7]), email: text(r[8]) },
      plannedAt: registryTime(r[9]),
      tags: parseTextArray(r[10]),
      scriptHash: r[11],
    };
  }

  private async changeColumns(): Promise<string> {
    return `c.change_id, c.change, c.project, c.note, ${this.ts("c.planned_at")},
               c.planner_name, c.planner_email, ${await this.tagAgg("t.tag")}, c.script_hash`;
  }

  async deployedChanges(project: string): Promise<DeployedChange[]> {
    const rows = await this.rows(
      `SELECT ${await this.changeColumns()}
          FROM changes   c
          LEFT JOIN tags t ON c.change_id = t.change_id
         WHERE c.project = $1
         GROUP BY c.change_id, c.change, c.project, c.note, c.planned_at,
               c.planner_name, c.planner_email, c.committed_at, c.script_hash
         ORDER BY c.committed_at ASC`,
      [project],
    );
    return rows.map(toDeployed);
  }

  async deployedChangesSince(project: string, changeId: string): Promise<DeployedChange[]> {
    const rows = await this.rows(
      `SELECT ${await this.changeColumns()}
          FROM changes   c
          LEFT JOIN tags t ON c.change_id = t.change_id
         WHERE c.project = $1
           AND c.committed_at > (SELECT committed_at FROM changes WHERE change_id = $2)
         GROUP BY c.change_id, c.change, c.project, c.note, c.planned_at,
               c.planner_name, c.planner_email, c.committed_at, c.script_hash
         ORDER BY c.committed_at ASC`,
      [project, changeId],
    );
    return rows.map(toDeployed);
  }

  async loadChange(changeId: string): Promise<DeployedChange | undefined> {
    const rows = await this.rows(
      `SELECT ${await this.changeColumns()}
          FROM changes   c
          LEFT JOIN tags t ON c.change_id = t.change_id
         WHERE c.change_id = $1
         GROUP BY c.change_id, c.change, c.project, c.note, c.planned_at,
               c.planner_name, c.planner_email, c.script_hash`,
      [changeId],
    );
    return rows[0] === undefined ? undefined : toDeployed(rows[0]);
  }

  async changeIdAt(
    project: string,
    direction: "ASC" | "DESC",
    offset: number,
  ): Promise<string | undefined> {
    const order = direction === "ASC" ? "ASC" : "DESC";
    const r = await this.rows(
      `SELECT change_id
          FROM changes
         WHERE project = $1
         ORDER BY committed_at ${order}
         LIMIT 1
        OFFSET COALESCE($2, 0)`,
      [project, offset],
    );
    return r[0] === undefined ? undefined : text(r[0][0]);
  }

  async currentChanges(project: string): Promise<CurrentItem[]> {
    const rows = await this.rows(
      `SELECT c.change, ${this.ts("c.committed_at")}, c.committer_name, c.committer_email
          FROM changes c
         WHERE project = $1
         ORDER BY c.committed_at DESC`,
      [project],
    );
    return rows.map(currentItemOf);
  }

  async currentTags(project: string): Promise<CurrentItem[]> {
    const rows = await this.rows(
      `SELECT tag, ${this.ts("committed_at")}, committer_name, committer_email
          FROM tags
         WHERE project = $1
         ORDER BY tags.committed_at DESC`,
      [project],
    );
    return rows.map(currentItemOf);
  }

  async deployedIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.rows("SELECT change_id FROM changes WHERE change_id = ANY($1)", [ids]);
    return new Set(rows.map((r) => text(r[0])));
  }

  async recordedTagIds(changeId: string): Promise<Set<string>> {
    const rows = await this.rows("SELECT tag_id FROM tags WHERE change_id = $1", [changeId]);
    return new Set(rows.map((r) => text(r[0])));
  }

  async changesRequiring(changeId: string): Promise<RequiringChange[]> {
    const rows = await this.rows(
      `SELECT c.change_id, c.project, c.change, (
            SELECT tag
              FROM changes c2
              JOIN tags ON c2.change_id = tags.change_id
             WHERE c2.project       = c.project
               AND c2.committed_at >= c.committed_at
             ORDER BY c2.committed_at
             LIMIT 1
        ) AS asof_tag
          FROM dependencies d
          JOIN changes c ON c.change_id = d.change_id
         WHERE d.dependency_id = $1`,
      [changeId],
    );
    return rows.map(requiringChangeOf);
  }

  async searchEvents(search: EventSearch): Promise<RegistryEvent[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const regex = (col: string, pattern: string | undefined) => {
      if (pattern === undefined) return;
      params.push(pattern);
      where.push(`${col} ~ $${params.length}`);
    };
    regex("e.committer_name", search.committer);
    regex("e.planner_name", search.planner);
    regex("e.change", search.change);
    regex("e.project", search.project);
    if (search.event !== undefined && search.event.length > 0) {
      params.push(search.event);
      where.push(`e.event = ANY($${params.length})`);
    }
    let sql = `SELECT e.event, e.project, e.change_id, e.change, e.note, e.requires,
                      e.conflicts, e.tags, e.committer_name, e.committer_email,
                      ${this.ts("e.committed_at")}, e.planner_name, e.planner_email,
                      ${this.ts("e.planned_at")}
                 FROM events e`;
    if (where.length > 0) sql += ` WHERE ${where.join(" AND ")}`;
    sql += ` ORDER BY e.committed_at ${search.direction === "ASC" ? "ASC" : "DESC"}`;
    if (search.limit) {
      params.push(search.limit);
      sql += ` LIMIT $${params.length}`;
    }
    if (search.offset) {
      params.push(search.offset);
      sql += ` OFFSET $${params.length}`;
    }
    const rows = await this.rows(sql, params);
    return rows.map((r) => registryEventOf(r, PG_EVENT_LISTS));
  }

  // --- bookkeeping --------------------------------------------------------------------

  /**
   * Whether a change's registry rows go in one statement (data-modifying
   * `WITH`): PostgreSQL proper. Elsewhere (CockroachDB, YugabyteDB) one
   * statement per table, as Sqitch sends them.
   */
  protected get combinesRegistryWrites(): boolean {
    return this.key === "pg" && this.providerName === "postgres";
  }

  /**
   * Run a change's registry statements in Sqitch's order (the first is the
   * main one): combined into one statement, one round trip, where the
   * server allows (`combinesRegistryWrites`), else one by one. Combined,
   * statement k ≥ 1 is the `WITH` query `wk` (the main one can read its
   * RETURNING rows); PostgreSQL runs the main statement first and then the
   * `WITH` ones, last-listed first, so they are listed in reverse; foreign
   * keys are checked at the end of the statement.
   */
  private async writeRegistry(statements: Statement[]): Promise<void> {
    if (!this.combinesRegistryWrites || statements.length === 1) {
      for (const statement of statements) {
        const p = new Params();
        await this.exec(statement(p), p.values);
      }
      return;
    }
    const p = new Params();
    const [main, ...rest] = statements.map((statement) => statement(p));
    const ctes = rest.map((sql, i) => `w${i + 1} AS (\n${sql}\n)`).reverse();
    const sql = `WITH ${ctes.join(",\n")}\n${main}`;
    // Prepared once: a deploy sends the same few statement shapes again and again.
    await this.exec(sql, p.values, this.preparedName(sql));
  }

  /** The `events` row of a change (`deploy`, `fail`, `revert`); `lists` as SQL expressions. */
  private eventStatement(
    event: "deploy" | "revert" | "fail",
    change: ChangeRecord,
    lists: (p: Params) => { tags: string; requires: string; conflicts: string },
    committer: Person,
  ): Statement {
    return (p) => {
      const head = [p.add(event), p.add(change.id), p.add(change.name), p.add(change.project)];
      const note = p.add(change.note);
      const { tags, requires, conflicts } = lists(p);
      return `INSERT INTO events (
            event, change_id, change, project, note, tags, requires, conflicts,
            committer_name, committer_email, planned_at, planner_name, planner_email,
            committed_at
        )
        VALUES (${head.join(", ")}, ${note}, ${tags}, ${requires}, ${conflicts}, ${
        p.add(committer.name)
      }, ${p.add(committer.email)}, ${p.add(change.plannedAt.toISOString())}, ${
        p.add(change.planner.name)
      }, ${p.add(change.planner.email)}, clock_timestamp())`;
    };
  }

  /** The event lists of a deploy or fail event, from the plan, as parameters. */
  private planLists(change: ChangeRecord) {
    return (p: Params) => ({
      tags: p.add(change.tags.map((t) => `@${t.name}`)),
      requires: p.add(
        change.dependencies.filter((d) => d.type === "require").map((d) => d.dependency),
      ),
      conflicts: p.add(
        change.dependencies.filter((d) => d.type === "conflict").map((d) => d.dependency),
      ),
    });
  }

  async recordDeploy(change: ChangeRecord, committer: Person): Promise<void> {
    const statements: Statement[] = [(p) =>
      `INSERT INTO changes (
            change_id, script_hash, change, project, note, committer_name, committer_email,
            planned_at, planner_name, planner_email, committed_at
        )
        VALUES (${
        changeRowValues(change, committer, isoTime).map((v) => p.add(v)).join(", ")
      }, clock_timestamp())`];
    const deps = dependencyRowValues(change);
    if (deps.length > 0) {
      statements.push((p) =>
        `INSERT INTO dependencies (change_id, type, dependency, dependency_id)
         VALUES ${deps.map((values) => `(${values.map((v) => p.add(v)).join(", ")})`).join(", ")}`
      );
    }
    if (change.tags.length > 0) {
      statements.push((p) =>
        `INSERT INTO tags (
              tag_id, tag, project, change_id, note, committer_name, committer_email,
              planned_at, planner_name, planner_email, committed_at
         )
         VALUES ${
          change.tags.map((t) =>
            `(${
              tagRowValues(change, t, committer, isoTime).map((v) => p.add(v)).join(", ")
            }, clock_timestamp())`
          ).join(", ")
        }`
      );
    }
    statements.push(this.eventStatement("deploy", change, this.planLists(change), committer));
    await this.writeRegistry(statements);
  }

  async recordFail(change: ChangeRecord, committer: Person): Promise<void> {
    await this.writeRegistry([
      this.eventStatement("fail", change, this.planLists(change), committer),
    ]);
  }

  async recordRevert(change: ChangeRecord, committer: Person): Promise<void> {
    if (this.combinesRegistryWrites) {
      // One statement: the lists are read in its snapshot, before the deletes
      // (and the cascade to dependencies) take effect; w2 is the tags' DELETE.
      await this.writeRegistry([
        this.eventStatement("revert", change, (p) => {
          const id = p.add(change.id);
          const deps = (type: string) =>
            `ARRAY(
            SELECT dependency
              FROM dependencies
             WHERE change_id = ${id}
               AND type = '${type}'
        )`;
          return {
            tags: "ARRAY(SELECT tag FROM w2)",
            requires: deps("require"),
            conflicts: deps("conflict"),
          };
        }, committer),
        (p) => `DELETE FROM changes where change_id = ${p.add(change.id)}`,
        (p) => `DELETE FROM tags WHERE change_id = ${p.add(change.id)} RETURNING tag`,
      ]);
      return;
    }
    const tags = (await this.rows("DELETE FROM tags WHERE change_id = $1 RETURNING tag", [
      change.id,
    ])).map((r) => text(r[0]));
    const deps = await this.rows(
      `SELECT ARRAY(
            SELECT dependency
              FROM dependencies
             WHERE change_id = $1
               AND type = 'require'
        ), ARRAY(
            SELECT dependency
              FROM dependencies
             WHERE change_id = $1
               AND type = 'conflict'
        )`,
      [change.id],
    );
    await this.exec("DELETE FROM changes where change_id = $1", [change.id]);
    await this.writeRegistry([
      this.eventStatement("revert", change, (p) => ({
        tags: p.add(tags),
        requires: p.add(parseTextArray(deps[0]?.[0] ?? null)),
        conflicts: p.add(parseTextArray(deps[0]?.[1] ?? null)),
      }), committer),
    ]);
  }

  async recordLateTags(change: ChangeRecord, committer: Person): Promise<void> {
    if (change.tags.length === 0) return;
    const values: unknown[] = [];
    const tuples = change.tags.map((t) => {
      values.push(...tagRowValues(change, t, committer, isoTime));
      const n = values.length - 10;
      const casts = [
        "text",
        "text",
        "text",
        "text",
        "text",
        "text",
        "text",
        "timestamptz",
        "text",
        "text",
      ];
      return `(${casts.map((c, i) => `$${n + i + 1}::${c}`).join(", ")})`;
    });
    await this.exec(
      `INSERT INTO tags (
              tag_id, tag, project, change_id, note, committer_name, committer_email,
              planned_at, planner_name, planner_email
         )
         SELECT tid, tg, proj, chid, n, name, email, at, pname, pemail FROM ( VALUES
                ${tuples.join(",\n                ")}
            ) i(tid, tg, proj, chid, n, name, email, at, pname, pemail)
              LEFT JOIN tags ON i.tid = tags.tag_id
             WHERE tags.tag_id IS NULL`,
      values,
    );
  }

  // --- scripts --------------------------------------------------------------------------

  /** The `psql` arguments Sqitch passes before `--file` (configured clients). */
  psqlArgs(variables: ScriptVariables): string[] {
    return psqlArgs({
      uri: this.options.uri,
      username: this.options.username,
      registry: this.registry,
      variables,
    });
  }

  async runScript(path: string, variables: ScriptVariables, out: ScriptOutput): Promise<void> {
    if (this.options.client !== undefined) {
      await runClient(
        {
          client: this.options.client,
          args: [...this.psqlArgs(variables), "--file", path],
          env: psqlEnv(this.options.password),
        },
        out,
        path,
      );
      return;
    }
    await this.runEmulated(path, variables, out);
  }

  runVerify(path: string, variables: ScriptVariables, out: ScriptOutput): Promise<void> {
    return this.runScript(path, variables, out);
  }

  private clientVersion?: { version: string; name: string; num: string };

  /**
   * psql's VERSION, VERSION_NAME and VERSION_NUM for the emulation: those of
   * a psql built with the server (its `version()` string, as the registry
   * session read it, else asked once).
   */
  private async psqlVersion(
    session: PgSession,
  ): Promise<{ version: string; name: string; num: string }> {
    if (this.clientVersion) return this.clientVersion;
    const info = session.info();
    let version = this.serverVersionText ?? `PostgreSQL ${info.serverVersion}`;
    if (this.serverVersionText === undefined) {
      try {
        version = (await session.rows("SELECT version()"))[0]?.[0] ?? version;
      } catch {
        // Keep the short form.
      }
    }
    this.clientVersion = { version, name: info.serverVersion, num: info.serverVersionNum };
    return this.clientVersion;
  }

  /**
   * Scripts without a configured client: the in-process psql emulation on a
   * session apart from the registry's, as each `psql` run Sqitch starts has
   * its own connection. One script session serves script after script:
   * when a script ends it is reset at once to what a new connection finds
   * (its transaction rolled back, its locks released: `PgSession.reset`),
   * and replaced by a new one when it cannot be (`\connect`, lost, lasting
   * state). A connection that fails is reported as psql reports it (exit
   * status 2).
   */
  private async runEmulated(
    path: string,
    variables: ScriptVariables,
    out: ScriptOutput,
  ): Promise<void> {
    const { runPsqlScript } = await psqlScriptModule();
    let session: PgSession;
    try {
      session = await this.takeScriptSession();
    } catch (e) {
      out.stderr(`psql: error: ${(e as Error).message}\n`);
      throw new ScriptError(path, 2);
    }
    let status: number;
    try {
      const clientVersion = await this.psqlVersion(session);
      status = await runPsqlScript(session, path, {
        variables,
        registry: this.registry,
        out,
        clientVersion,
      });
    } finally {
      await this.keepScriptSession(session);
    }
    if (status !== 0) throw new ScriptError(path, status);
  }

  /** The kept script session once reset, if it is still up; else a new one. */
  private async takeScriptSession(): Promise<PgSession> {
    const kept = this.scriptSession;
    this.scriptSession = undefined;
    if (kept) {
      const reset = await kept.reset;
      if (reset && kept.session.alive) return kept.session;
      await kept.session.close(!reset);
    }
    return await this.openSession();
  }

  /**
   * Keep a script session for the next script, its reset under way (as
   * psql's session ends while Sqitch goes on); or close it at once, fully,
   * when it cannot be reset (it may hold locks).
   */
  private async keepScriptSession(session: PgSession): Promise<void> {
    if (session.resettable) this.scriptSession = { session, reset: session.reset() };
    else await session.close();
  }
}

let psqlScript: Promise<typeof import("./psql_script.ts")> | undefined;

/** The psql emulation, loaded with the first script (io/lazy_import.ts: status and log never load it). */
function psqlScriptModule(): Promise<typeof import("./psql_script.ts")> {
  psqlScript ??= importLazily("engines/psql_script.ts");
  return psqlScript;
}

/** A registry script's closing `COMMIT;` (and what follows it: blanks). */
const CLOSING_COMMIT = /(?:^|(?<=;))\s*COMMIT\s*;?\s*$/i;

/** The row of `releases` a registry creation or upgrade writes. */
const RELEASE_INSERT = (registry: string) =>
  `INSERT INTO ${
    quoteIdent(registry)
  }.releases (version, installed_at, installer_name, installer_email)
   VALUES ($1, clock_timestamp(), $2, $3)`;

function releaseValues(release: { version: string; installer: Person }): unknown[] {
  return [release.version, release.installer.name, release.installer.email];
}
