/**
 * The MySQL/MariaDB engine: the registry is a database on the target's
 * server (`sqitch`, or the configured registry), created with Sqitch's
 * DDL (its 1.5+ form: triggers that signal by themselves, `checkit()`
 * created afterwards and skipped without privilege) and written exactly as
 * Sqitch writes it (registry.md §5–§9), on one connection to the registry
 * database that runs with Sqitch's session settings and also holds
 * Sqitch's `GET_LOCK('sqitch working on <db>')`, so sqitch and sqlitch
 * keep each other out. As in Sqitch, the registry is created silently
 * while taking that lock, and every change's bookkeeping runs under
 * `LOCK TABLES … WRITE` in a transaction.
 *
 * Scripts run on a connection of their own, as Sqitch runs `mysql
 * --execute "SET @…;\nsource FILE"`: through the in-process mysql-client
 * emulation, or through the configured client with Sqitch's command line
 * (the password only in `MYSQL_PWD`). Registry scripts run the same way,
 * with the registry as database.
 */
import { importLazily } from "../io/lazy_import.ts";
import {
  clientCharset,
  mysqlClientArgs,
  mysqlClientEnv,
  type MysqlConnectionParams,
  type MysqlFiles,
  mysqlLockName,
  mysqlRegistryDestination,
  readOptionFiles,
  resolveMysqlConnection,
  sqitchMysqlUri,
} from "../core/mysql_connection.ts";
import { SqlitchError } from "../core/errors.ts";
import { type Env, perlTrue } from "../core/env.ts";
import type { Target } from "../core/target.ts";
import type { DbUri } from "../core/uri.ts";
import { captureClient, runClient } from "./client_process.ts";
import {
  CapturedOutput,
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
import { formatSql, MysqlConnection, quoteIdentifier, type SqlValue } from "./mysql_connection.ts";
import {
  MYSQL_CHECKIT_FUNCTION,
  MYSQL_REGISTRY_SQL,
  MYSQL_UPGRADES,
  prepareRegistryScript,
} from "./mysql_registry_sql.ts";
import { MysqlConnectionError, MysqlServerError } from "./mysql_session.ts";

/** The session settings Sqitch gives its registry connection, in order. */
export const REGISTRY_SESSION_SETTINGS: readonly string[] = [
  "character_set_client   = 'utf8'",
  "character_set_server   = 'utf8'",
  "time_zone              = '+00:00'",
  "group_concat_max_len   = 32768",
  "sql_mode = 'ansi,strict_trans_tables,no_auto_value_on_zero,no_zero_date,no_zero_in_date," +
  "only_full_group_by,error_for_division_by_zero'",
];

/** The registry tables every change's bookkeeping locks, in Sqitch's order. */
export const LOCKED_TABLES = ["releases", "changes", "dependencies", "events", "projects", "tags"];

/** The registry's tables, in the order Sqitch's script creates them. */
const REGISTRY_TABLES = ["releases", "projects", "changes", "tags", "dependencies", "events"];

/** The registry's tables, referencing ones first (the order they can be dropped in). */
const DROP_ORDER = ["events", "dependencies", "tags", "changes", "projects", "releases"];

/** What of the registry its database holds (`registryObjects`). */
interface RegistryObjects {
  /** The registry tables there. */
  tables: string[];
  /** Those holding at least one row. */
  withRows: string[];
  /** Whether the `checkit()` function is there. */
  checkit: boolean;
}

/**
 * Whether registry objects are what a killed registry creation left: no
 * table holds a row (a registry in use has its release row, and a version
 * 0 registry from an old Sqitch its project rows). Such a registry is
 * dropped and created again; nothing holding a row is ever dropped.
 */
function unfinishedCreation(found: RegistryObjects): boolean {
  return found.withRows.length === 0;
}

/** The statements of an upgrade script, each with the comment lines before it. */
function upgradeStatements(sql: string): string[] {
  return sql.split(/(?<=;\n)/).filter((st) => st.trim() !== "");
}

/** `LIMIT` Sqitch uses for an `OFFSET` without a limit. */
const NO_LIMIT = "18446744073709551615";

/** Server errors: unknown database, no such table, no such column, no privilege for a function. */
const ER_BAD_DB_ERROR = 1049;
const ER_NO_SUCH_TABLE = 1146;
const ER_BAD_FIELD_ERROR = 1054;
const ER_BINLOG_CREATE_ROUTINE_NEED_SUPER = 1419;

/** Everything a MySQL engine works from. */
export interface MysqlEngineOptions {
  /** The target URI (overrides applied). */
  uri: DbUri;
  /** Sqitch's user name (`$SQITCH_USERNAME` › URI user). */
  username?: string;
  /** Sqitch's password (`$SQITCH_PASSWORD` › URI password). */
  password?: string;
  /** The registry database. */
  registry: string;
  destination: string;
  env: Env;
  home?: string;
  /** The system user name (the last fallback for the connection user). */
  sysuser?: string | (() => string | undefined);
  files: MysqlFiles;
  /** A configured client (`--client`, `engine.mysql.client`…): scripts run through it. */
  client?: string;
  /** The user recorded when the registry is created during locking. */
  installer: () => Person;
  /** Where warnings go (`Insufficient permissions to create the checkit() function; skipping.`). */
  warn?: (message: string) => void;
}

/** Files through Deno (option files and their includes). */
export const denoMysqlFiles: MysqlFiles = {
  readText(path) {
    try {
      return Deno.readTextFileSync(path);
    } catch {
      return undefined;
    }
  },
  listDir(path) {
    try {
      return [...Deno.readDirSync(path)].map((e) => e.name);
    } catch {
      return undefined;
    }
  },
};

let scriptModulePromise: Promise<typeof import("./mysql_script.ts")> | undefined;

/** The mysql-client emulation, loaded on the first script (status and log never need it). */
function scriptModule(): Promise<typeof import("./mysql_script.ts")> {
  scriptModulePromise ??= importLazily("engines/mysql_script.ts");
  return scriptModulePromise;
}

/** `date_format` of a DATETIME column as ISO 8601 UTC, to whole seconds (Sqitch drops fractions). */
function ts(col: string): string {
  return `date_format(${col}, '%Y-%m-%dT%H:%i:%SZ')`;
}

/** Sqitch's aggregation of a change's tag names, for the change id in `col`. */
function tagsOf(col: string): string {
  return `(SELECT GROUP_CONCAT(t.tag ORDER BY t.tag SEPARATOR ' ') FROM tags t WHERE t.change_id = ${col})`;
}

/** A Date as Sqitch binds planned_at: `YYYY-MM-DDTHH:MM:SS` in UTC. */
export function plannedAt(date: Date): string {
  return date.toISOString().slice(0, 19);
}

/** A deployed change row (registry_rows.ts), its tags joined with spaces. */
function toDeployed(r: Row): DeployedChange {
  return deployedChangeOf(r, splitList(r[7], / /));
}

/** The list columns of `events`: deploy events join tags with spaces, revert events with commas. */
const MYSQL_EVENT_LISTS: EventColumns = {
  requires: (value) => splitList(value, /,/),
  conflicts: (value) => splitList(value, /,/),
  tags: (value) => splitList(value, /[ ,]/),
};

/** Split an aggregated or event list; empty for NULL or "". */
function splitList(text: string | null, sep: RegExp): string[] {
  return text === null || text === "" ? [] : text.split(sep);
}

/** The client's error line for a connection that failed before any statement. */
function connectErrorLine(e: MysqlConnectionError): string {
  const state = e.errno >= 2000 ? "HY000" : e.errno === 1049 ? "42000" : "28000";
  return `ERROR ${e.errno} (${state}): ${e.message}\n`;
}

/** The MySQL engine. */
export class MysqlEngine implements Engine {
  readonly key: string = "mysql";
  readonly destination: string;
  readonly registryDestination: string;
  readonly registry: string;
  private readonly options: MysqlEngineOptions;
  private session?: MysqlConnection;
  private connecting?: Promise<MysqlConnection>;
  private params?: MysqlConnectionParams;
  private clientVersion?: Promise<string>;
  private fractional = true;
  private warnedMissingDatabase = false;
  /** A script session opened ahead of use (`prefetchScriptSession`). */
  private spare?: Promise<MysqlConnection | undefined>;
  private closed = false;
  /** The ids `deployedChanges` last returned, and what requires them (`changesRequiring`). */
  private deployedIdList?: string[];
  private requiring?: Map<string, RequiringChange[]>;

  constructor(options: MysqlEngineOptions) {
    this.options = options;
    this.registry = options.registry;
    this.destination = options.destination;
    this.registryDestination = mysqlRegistryDestination(options.uri, options.env, options.registry);
  }

  /** The engine for a resolved MySQL target; `warn` receives Sqitch's warnings. */
  static async fromTarget(
    target: Target,
    extra: { warn?: (message: string) => void } = {},
  ): Promise<MysqlEngine> {
    const { denoHost } = await import("../io/deno_host.ts");
    const { systemUser, userEmail, userName } = await import("../core/identity.ts");
    const host = denoHost();
    const env = target.ctx.env;
    return new MysqlEngine({
      uri: target.uri,
      username: target.username,
      password: target.password,
      registry: target.registry,
      destination: target.destination,
      env,
      home: host.user.home(),
      sysuser: () => systemUser(env, host.user),
      files: denoMysqlFiles,
      client: target.clientConfigured ? target.client : undefined,
      installer: () => ({
        name: userName(env, target.ctx.config, host.user),
        email: userEmail(env, target.ctx.config, host.user),
      }),
      warn: extra.warn,
    });
  }

  /** The `GET_LOCK` name (`sqitch working on <target database>`). */
  get lockName(): string {
    return mysqlLockName(this.options.uri);
  }

  /** The resolved connection parameters (the client's precedence). */
  connectionParams(): MysqlConnectionParams {
    this.params ??= resolveMysqlConnection({
      uri: this.options.uri,
      username: this.options.username,
      password: this.options.password,
      env: this.options.env,
      home: this.options.home,
      sysuser: this.options.sysuser,
      options: readOptionFiles(this.options.env, this.options.home, this.options.files),
    });
    return this.params;
  }

  /** A connection as the `mysql` client opens it (scripts): target database, client charset. */
  openClientSession(database?: string | null): Promise<MysqlConnection> {
    const params = this.connectionParams();
    return MysqlConnection.open({
      params,
      database,
      names: params.charset ?? clientCharset(this.options.env),
    });
  }

  /** The registry connection, opened on first use with Sqitch's session settings. */
  private async db(): Promise<MysqlConnection> {
    if (this.session) return this.session;
    this.connecting ??= (async () => {
      let session: MysqlConnection;
      try {
        session = await MysqlConnection.open({
          params: this.connectionParams(),
          database: this.registry,
          names: "utf8",
        });
      } catch (e) {
        throw this.wrap(e);
      }
      try {
        // Sqitch's statements, in its order, sent in one round trip.
        await session.queryAll(REGISTRY_SESSION_SETTINGS.map((v) => `SET SESSION ${v}`));
        const version = session.serverVersionNumber;
        const [dbms, want, wantText] = session.isMariaDb
          ? ["MariaDB", 50300, "5.3"]
          : ["MySQL", 50100, "5.1.0"];
        if (version < want) {
          throw new EngineError(
            `Sqitch requires ${dbms} ${wantText} or higher; this is ${session.serverVersion}`,
          );
        }
        this.fractional = session.isMariaDb ? version >= 50305 : version >= 50604;
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

  /** A driver failure as the `EngineError` Sqitch shows (the server's message). */
  private wrap(e: unknown): Error {
    if (e instanceof SqlitchError) return e;
    if (e instanceof MysqlServerError || e instanceof MysqlConnectionError) {
      const err = new EngineError(e.message);
      (err as { errno?: number }).errno = e.errno;
      return err;
    }
    return new EngineError(e instanceof Error ? e.message : String(e));
  }

  private async rows(sql: string, values: SqlValue[] = []): Promise<Row[]> {
    const db = await this.db();
    try {
      return await db.rows(sql, values);
    } catch (e) {
      throw this.wrap(e);
    }
  }

  /** Registry statements (no placeholders) run in order, in one round trip where possible. */
  private async batch(statements: readonly string[]): Promise<void> {
    this.deployedIdList = undefined;
    this.requiring = undefined;
    const db = await this.db();
    try {
      await db.queryAll(statements);
    } catch (e) {
      throw this.wrap(e);
    }
  }

  private async exec(sql: string, values: SqlValue[] = []): Promise<void> {
    this.deployedIdList = undefined;
    this.requiring = undefined;
    const db = await this.db();
    try {
      await db.exec(sql, values);
    } catch (e) {
      throw this.wrap(e);
    }
  }

  /** True when the error says the registry database or table is missing. */
  private static missing(e: unknown, ...codes: number[]): boolean {
    const errno = (e as { errno?: number })?.errno;
    return typeof errno === "number" && codes.includes(errno);
  }

  async connect(): Promise<void> {
    try {
      await this.db();
    } catch (e) {
      // As Sqitch: a registry database that does not exist yet is created later.
      if (!MysqlEngine.missing(e, ER_BAD_DB_ERROR)) throw e;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const session = this.session;
    this.session = undefined;
    const spare = this.spare;
    this.spare = undefined;
    await Promise.all([session?.close(), spare?.then((s) => s?.close())]);
  }

  // --- registry lifecycle ---------------------------------------------------

  async registryExists(): Promise<boolean> {
    try {
      await this.db();
    } catch (e) {
      if (MysqlEngine.missing(e, ER_BAD_DB_ERROR)) return false;
      throw e;
    }
    const r = await this.rows(
      `SELECT COUNT(*)
            FROM information_schema.tables
            WHERE table_schema = ?
            AND table_name   = ?`,
      [this.registry, "changes"],
    );
    return Number(r[0]?.[0] ?? 0) > 0;
  }

  async registryVersion(): Promise<number> {
    try {
      const r = await this.rows("SELECT CAST(ROUND(MAX(version), 1) AS CHAR) FROM releases");
      return r[0]?.[0] === null || r[0]?.[0] === undefined ? 0 : Number(r[0][0]);
    } catch (e) {
      if (MysqlEngine.missing(e, ER_NO_SUCH_TABLE, ER_BAD_DB_ERROR)) return 0;
      throw e;
    }
  }

  /** `mysql --version` of the configured client ("" when it cannot be run), asked once. */
  private probeClient(client: string): Promise<string> {
    this.clientVersion ??= captureClient({ client, args: ["--version"], stdin: "null" }, () => {})
      .then((text) => text.split("\n")[0] ?? "", () => "");
    return this.clientVersion;
  }

  /**
   * Sqitch's warning for a target URI without a database, given once, when
   * it first builds its `mysql` command line (the first script or registry
   * script run).
   */
  private warnMissingDatabase(): void {
    if (this.warnedMissingDatabase) return;
    this.warnedMissingDatabase = true;
    const uri = sqitchMysqlUri(this.options.uri, this.options.env);
    if (!perlTrue(uri.dbname)) {
      this.options.warn?.(`Database name missing in URI "${uri.toDisplayString()}"`);
    }
  }

  /** The arguments Sqitch passes to the configured client before `--execute`. */
  async clientArgs(database?: string): Promise<string[]> {
    const client = this.options.client ?? "mysql";
    return mysqlClientArgs({
      uri: this.options.uri,
      env: this.options.env,
      user: this.connectionParams().user,
      clientVersion: await this.probeClient(client),
      database,
    });
  }

  /**
   * Run `--execute` text as Sqitch's `mysql` run does, against `database`
   * (default: the target's): through the configured client, or the
   * emulation on a connection of its own. `files` are what `source` can
   * read (registry scripts). Resolves with nothing; a failure throws
   * `ScriptError` after the client's messages went to `out`.
   */
  private async runExecute(
    text: string,
    name: string,
    out: ScriptOutput,
    opts: { database?: string; files?: Record<string, string> } = {},
  ): Promise<void> {
    this.warnMissingDatabase();
    const client = this.options.client;
    if (client !== undefined) {
      let tmp: string | undefined;
      let execText = text;
      if (opts.files !== undefined) {
        tmp = await Deno.makeTempDir({ prefix: "sqlitch-mysql-" });
        for (const [file, sql] of Object.entries(opts.files)) {
          await Deno.writeTextFile(`${tmp}/${file}`, sql);
          execText = execText.replace(`source ${file}`, `source ${tmp}/${file}`);
        }
      }
      try {
        await runClient(
          {
            client,
            args: [...await this.clientArgs(opts.database), "--execute", execText],
            env: mysqlClientEnv(this.connectionParams().password),
          },
          out,
          name,
        );
      } finally {
        if (tmp !== undefined) await Deno.remove(tmp, { recursive: true }).catch(() => {});
      }
      return;
    }
    const { runMysqlText } = await scriptModule();
    let session: MysqlConnection;
    try {
      session = opts.database === undefined
        ? await this.takeScriptSession()
        : await this.openClientSession(opts.database);
    } catch (e) {
      if (e instanceof MysqlConnectionError) {
        out.stderr(connectErrorLine(e));
        throw new ScriptError(name, 1);
      }
      throw e;
    }
    let status: number;
    try {
      const files = opts.files;
      status = await runMysqlText(session, text, {
        out,
        homeDir: this.options.home,
        readFile: files === undefined ? undefined : (path) => {
          if (path in files) return files[path];
          return Deno.readFileSync(path);
        },
      });
    } finally {
      await session.close();
      if (opts.database === undefined) this.prefetchScriptSession();
    }
    if (status !== 0) throw new ScriptError(name, status);
  }

  /**
   * Open the next script's session ahead of time, while the registry work
   * goes on. Every script still runs on a session of its own opened after
   * the previous script ended, as with a client process per script, but
   * does not wait for the connection. A failed attempt is forgotten: the
   * script then connects by itself, and reports what fails.
   */
  private prefetchScriptSession(): void {
    if (this.spare !== undefined || this.closed) return;
    this.spare = this.openClientSession().catch(() => undefined);
  }

  /** The prefetched script session, or a new one. */
  private async takeScriptSession(): Promise<MysqlConnection> {
    const spare = this.spare;
    this.spare = undefined;
    return (spare && await spare) ?? await this.openClientSession();
  }

  /** A registry script run as Sqitch runs it; a failure shows the client's messages. */
  private async runRegistryText(
    text: string,
    opts: { database?: string; files?: Record<string, string> },
  ): Promise<void> {
    const out = new CapturedOutput();
    try {
      await this.runExecute(text, this.options.client ?? "mysql", out, opts);
    } catch (e) {
      if (e instanceof ScriptError) {
        const client = this.options.client ?? "mysql";
        throw new ScriptError(
          e.script,
          e.status,
          `${out.err}${
            e.trailingBlankLine
              ? e.message
              : `"${client}" unexpectedly returned exit value ${e.status}`
          }`,
          true,
        );
      }
      throw e;
    }
  }

  /** Run one registry script file with the registry as database. */
  private async runRegistryScript(name: string, sql: string): Promise<void> {
    const db = await this.db();
    const text = prepareRegistryScript(sql, this.fractional, db.serverVersionNumber);
    await this.runRegistryText(`source ${name}`, {
      database: this.registry,
      files: { [name]: text },
    });
  }

  private async registerRelease(version: string, installer: Person): Promise<void> {
    await this.begin();
    try {
      await this.exec(
        `INSERT INTO releases (version, installed_at, installer_name, installer_email)
        VALUES (?, ${this.now()}, ?, ?)`,
        [version, installer.name, installer.email],
      );
    } catch (e) {
      await this.rollback();
      throw e;
    }
    await this.commit();
  }

  /** Sqitch's `_ts_default`. */
  private now(): string {
    return this.fractional ? "utc_timestamp(6)" : "utc_timestamp";
  }

  async createRegistry(installer: Person): Promise<void> {
    if (await this.registryExists()) {
      throw new EngineError(`Sqitch database ${this.registry} already initialized`);
    }
    await this.runRegistryText(
      `SET sql_mode = ansi; CREATE DATABASE IF NOT EXISTS "${this.registry}"`,
      {},
    );
    // The registry connection can select the database now.
    if (this.session === undefined) await this.db();
    await this.runRegistryScript("mysql.sql", MYSQL_REGISTRY_SQL);
    await this.exec(`USE ${quoteIdentifier(this.registry)}`);
    await this.createCheckFunction();
    await this.registerRelease(REGISTRY_VERSION, installer);
  }

  /**
   * `checkit()` as Sqitch 1.5+ creates it: on the registry connection, on
   * servers from 5.5; a server refusing it for lack of privilege (binary
   * logging without SUPER) costs a warning only.
   */
  private async createCheckFunction(): Promise<void> {
    const db = await this.db();
    if (db.serverVersionNumber < 50500) return;
    try {
      await db.query(MYSQL_CHECKIT_FUNCTION);
    } catch (e) {
      if (e instanceof MysqlServerError && e.errno === ER_BINLOG_CREATE_ROUTINE_NEED_SUPER) {
        this.options.warn?.("Insufficient permissions to create the checkit() function; skipping.");
        return;
      }
      throw this.wrap(e);
    }
  }

  async upgradeRegistry(
    installer: Person,
    step: (from: string, to: string) => void,
  ): Promise<void> {
    const current = await this.registryVersion();
    for (const [from, to, sql] of MYSQL_UPGRADES) {
      if (Number(to) <= current) continue;
      step(from, to);
      const left = await this.upgradeLeft(to, sql);
      if (left.trim() !== "") await this.runRegistryScript(`mysql-${to}.sql`, left);
      await this.registerRelease(to, installer);
    }
  }

  /**
   * The part of upgrade script `sql` (to version `to`) still to run. DDL
   * commits implicitly, so a run killed in the middle of an upgrade leaves
   * some of its statements done and its release row missing; the next run
   * skips the statements whose work is there (each would fail) and runs
   * the others as they are. A script none of whose work is there is run
   * whole, as Sqitch runs it.
   */
  private async upgradeLeft(to: string, sql: string): Promise<string> {
    const done = new Set<string>();
    if (to === "1.0") {
      const r = await this.rows(
        `SELECT (SELECT COUNT(*) FROM information_schema.tables
                  WHERE table_schema = ? AND table_name = 'releases'),
                (SELECT COUNT(*) FROM information_schema.columns
                  WHERE table_schema = ? AND table_name = 'changes'
                    AND column_name = 'script_hash')`,
        [this.registry, this.registry],
      );
      if (Number(r[0]?.[0]) > 0) done.add("CREATE TABLE releases");
      if (Number(r[0]?.[1]) > 0) done.add("ALTER TABLE changes ADD COLUMN script_hash");
    } else if (to === "1.1") {
      const r = await this.rows(
        `SELECT index_name, non_unique,
                GROUP_CONCAT(column_name ORDER BY seq_in_index SEPARATOR ',')
           FROM information_schema.statistics
          WHERE table_schema = ? AND table_name = 'changes'
          GROUP BY index_name, non_unique`,
        [this.registry],
      );
      if (!r.some((x) => x[0] === "script_hash")) done.add("DROP INDEX script_hash");
      if (r.some((x) => x[1] === "0" && x[2] === "project,script_hash")) {
        done.add("ALTER TABLE changes ADD UNIQUE");
      }
    }
    if (done.size === 0) return sql;
    return upgradeStatements(sql).filter((st) =>
      ![...done].some((head) => st.replace(/^(--[^\n]*\n|\s)+/, "").startsWith(head))
    ).join("");
  }

  // --- locking and transactions -----------------------------------------------

  /** As Sqitch: the registry is created (silently) before the first lock attempt. */
  async tryLock(): Promise<boolean> {
    if (!(await this.registryReady())) await this.createRegistryOnce();
    const r = await this.rows("SELECT get_lock(?, ?)", [this.lockName, 0]);
    return r[0]?.[0] === "1";
  }

  /** Whether the registry is there with a release recorded (not half-created by another run). */
  private async registryReady(): Promise<boolean> {
    return await this.registryExists() && (await this.registryVersion()) > 0;
  }

  /**
   * Create the registry unless it exists, serialised between concurrent
   * sqlitch runs by a lock of its own (Sqitch creates it before taking
   * its lock): no run sees another's half-created registry and takes it
   * for a version 0 one, or fails creating tables that already exist.
   *
   * A run that waited for that lock while another created the registry
   * finds it ready and leaves at once, reading no registry table but
   * `releases`: that other run may be deploying by now, and its
   * `LOCK TABLES` against a statement reading several registry tables is
   * a metadata-lock deadlock that the server settles by failing the read.
   */
  private async createRegistryOnce(): Promise<void> {
    await this.runRegistryText(
      `SET sql_mode = ansi; CREATE DATABASE IF NOT EXISTS "${this.registry}"`,
      {},
    );
    // GET_LOCK names are limited to 64 characters.
    const name = `sqlitch creating ${this.registry}`.slice(0, 64);
    await this.rows("SELECT GET_LOCK(?, ?)", [name, 86400]);
    try {
      if (await this.registryReady()) return;
      const found = await this.registryObjects();
      if (found.tables.length > 0 || found.checkit) {
        if (!unfinishedCreation(found)) return;
        await this.dropUnfinishedRegistry(found);
      }
      await this.createRegistry(this.options.installer());
    } finally {
      await this.rows("SELECT RELEASE_LOCK(?)", [name]);
    }
  }

  /**
   * The registry tables the registry database holds (with whether each has
   * rows) and whether its `checkit()` function is there, for telling an
   * unfinished creation from a registry in use.
   */
  private async registryObjects(): Promise<RegistryObjects> {
    const r = await this.rows(
      `SELECT table_name, 0 FROM information_schema.tables
        WHERE table_schema = ? AND table_name IN (${REGISTRY_TABLES.map(() => "?").join(", ")})
       UNION ALL
       SELECT routine_name, 1 FROM information_schema.routines
        WHERE routine_schema = ? AND routine_name = 'checkit' AND routine_type = 'FUNCTION'`,
      [this.registry, ...REGISTRY_TABLES, this.registry],
    );
    const tables = r.filter((x) => x[1] === "0").map((x) => text(x[0]));
    const found: RegistryObjects = {
      tables,
      withRows: [],
      checkit: r.some((x) => x[1] === "1"),
    };
    // One table per statement: a statement holding one registry table's
    // metadata lock while waiting for another's can deadlock with a
    // deploy's LOCK TABLES.
    for (const t of tables) {
      const reg = quoteIdentifier(this.registry);
      const have = await this.rows(`SELECT EXISTS (SELECT 1 FROM ${reg}.${quoteIdentifier(t)})`);
      if (have[0]?.[0] === "1") found.withRows.push(t);
    }
    return found;
  }

  /**
   * Drop what an unfinished registry creation left (tables in foreign-key
   * order, their triggers with them, then `checkit()`), checking again
   * under a write lock that no table holds a row.
   */
  private async dropUnfinishedRegistry(found: RegistryObjects): Promise<void> {
    const reg = quoteIdentifier(this.registry);
    const tables = DROP_ORDER.filter((t) => found.tables.includes(t));
    if (tables.length > 0) {
      const names = tables.map((t) => `${reg}.${quoteIdentifier(t)}`);
      await this.exec(`LOCK TABLES ${names.map((n) => `${n} WRITE`).join(", ")}`);
      try {
        const rows = await this.rows(
          names.map((n) => `SELECT EXISTS (SELECT 1 FROM ${n})`).join(" UNION ALL "),
        );
        if (rows.some((x) => x[0] === "1")) {
          throw new EngineError(
            `Sqitch database ${this.registry} is half created but holds rows; not touching it`,
          );
        }
        await this.exec(`DROP TABLE ${names.join(", ")}`);
      } finally {
        await this.exec("UNLOCK TABLES");
      }
    }
    if (found.checkit) await this.exec(`DROP FUNCTION IF EXISTS ${reg}.checkit`);
  }

  async waitLock(seconds: number): Promise<boolean> {
    const r = await this.rows("SELECT get_lock(?, ?)", [this.lockName, seconds]);
    return r[0]?.[0] === "1";
  }

  /**
   * Lock every registry table, then start the transaction (DBI's AutoCommit
   * off): Sqitch's statements, in one round trip.
   */
  async begin(): Promise<void> {
    if (this.options.client === undefined) this.prefetchScriptSession();
    await this.batch([
      `LOCK TABLES ${LOCKED_TABLES.map((t) => `${t} WRITE`).join(", ")}`,
      "SET autocommit=0",
    ]);
  }

  /** Commit, AutoCommit back on, then unlock the tables (one round trip). */
  async commit(): Promise<void> {
    await this.batch(["COMMIT", "SET autocommit=1", "UNLOCK TABLES"]);
  }

  /** Roll back; as in Sqitch the table locks stay until the next commit. */
  async rollback(): Promise<void> {
    if (this.session === undefined) return;
    await this.batch(["ROLLBACK", "SET autocommit=1"]);
  }

  // --- projects -----------------------------------------------------------------

  async projectRow(project: string): Promise<ProjectRow | undefined> {
    const r = await this.rows("SELECT project, uri FROM projects WHERE project = ?", [project]);
    return r[0] === undefined ? undefined : { project: text(r[0][0]), uri: r[0][1] };
  }

  async projectByUri(uri: string): Promise<string | undefined> {
    const r = await this.rows("SELECT project FROM projects WHERE uri = ?", [uri]);
    return r[0] === undefined ? undefined : text(r[0][0]);
  }

  async insertProject(project: string, uri: string | null, creator: Person): Promise<void> {
    await this.exec(
      `INSERT INTO projects (project, uri, creator_name, creator_email, created_at)
            VALUES (?, ?, ?, ?, ${this.now()})`,
      [project, uri, creator.name, creator.email],
    );
  }

  async registeredProjects(): Promise<string[]> {
    return (await this.rows("SELECT project FROM projects ORDER BY project")).map((r) =>
      text(r[0])
    );
  }

  // --- state queries ----------------------------------------------------------------

  /**
   * Sqitch's current-state row: the project's latest change with its tags.
   * The tags come from a subquery rather than Sqitch's `GROUP BY` over every
   * change (same row, without grouping the whole registry).
   */
  private async selectState(project: string, withHash: boolean): Promise<Row | undefined> {
    const hash = withHash ? "c.script_hash\n             , " : "";
    const r = await (await this.db()).rows(
      `SELECT c.change_id
             , ${hash}c.change
             , c.project
             , c.note
             , c.committer_name
             , c.committer_email
             , ${ts("c.committed_at")} AS committed_at
             , c.planner_name
             , c.planner_email
             , ${ts("c.planned_at")} AS planned_at
             , ${tagsOf("c.change_id")} AS tags
          FROM changes   c
         WHERE c.project = ?
         ORDER BY c.committed_at DESC
         LIMIT 1`,
      [project],
    );
    const row = r[0];
    if (row === undefined || withHash) return row;
    return [row[0], null, ...row.slice(1)];
  }

  async currentState(project: string): Promise<CurrentState | undefined> {
    let r: Row | undefined;
    try {
      r = await this.selectState(project, true);
    } catch (e) {
      if (
        MysqlEngine.missing(this.wrap(e), ER_NO_SUCH_TABLE, ER_BAD_DB_ERROR) &&
        !(await this.registryExists())
      ) {
        return undefined;
      }
      if (e instanceof MysqlServerError && e.errno === ER_BAD_FIELD_ERROR) {
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
      scriptHash: r[1],
      name: text(r[2]),
      project: text(r[3]),
      note: text(r[4]),
      committer: { name: text(r[5]), email: text(r[6]) },
      committedAt: registryTime(r[7]),
      planner: { name: text(r[8]), email: text(r[9]) },
      plannedAt: registryTime(r[10]),
      tags: splitList(r[11], / /),
    };
  }

  /** Sqitch's deployed-changes query, the tags from a subquery (as `selectState`). */
  private changesQuery(where: string): string {
    return `SELECT c.change_id AS id, c.change AS name, c.project, c.note,
               ${ts("c.planned_at")} AS "timestamp", c.planner_name, c.planner_email,
               ${tagsOf("c.change_id")} AS tags, c.script_hash
          FROM changes   c
         WHERE ${where}`;
  }

  async deployedChanges(project: string): Promise<DeployedChange[]> {
    const rows = await this.rows(
      `${this.changesQuery("c.project = ?")}
         ORDER BY c.committed_at ASC`,
      [project],
    );
    return this.remember(rows.map(toDeployed));
  }

  /** Remember the ids of a deployed list (for `changesRequiring`). */
  private remember(list: DeployedChange[]): DeployedChange[] {
    this.deployedIdList = list.map((c) => c.id);
    this.requiring = undefined;
    return list;
  }

  async deployedChangesSince(project: string, changeId: string): Promise<DeployedChange[]> {
    const rows = await this.rows(
      `${
        this.changesQuery(
          `c.project = ?
           AND c.committed_at > (SELECT committed_at FROM changes WHERE change_id = ?)`,
        )
      }
         ORDER BY c.committed_at ASC`,
      [project, changeId],
    );
    return this.remember(rows.map(toDeployed));
  }

  async loadChange(changeId: string): Promise<DeployedChange | undefined> {
    const rows = await this.rows(this.changesQuery("c.change_id = ?"), [changeId]);
    return rows[0] === undefined ? undefined : toDeployed(rows[0]);
  }

  async changeIdAt(
    project: string,
    direction: "ASC" | "DESC",
    offset: number,
  ): Promise<string | undefined> {
    const order = direction === "ASC" ? "ASC" : "DESC";
    const off = offset > 0 ? ` OFFSET ${Math.trunc(offset)}` : "";
    try {
      const r = await this.rows(
        `SELECT change_id
              FROM changes
             WHERE project = ?
             ORDER BY committed_at ${order}
             LIMIT 1${off}`,
        [project],
      );
      return r[0] === undefined ? undefined : text(r[0][0]);
    } catch (e) {
      if (MysqlEngine.missing(e, ER_BAD_DB_ERROR, ER_NO_SUCH_TABLE)) return undefined;
      throw e;
    }
  }

  async currentChanges(project: string): Promise<CurrentItem[]> {
    const rows = await this.rows(
      `SELECT c.change, ${ts("c.committed_at")} AS committed_at, c.committer_name,
              c.committer_email
          FROM changes c
         WHERE project = ?
         ORDER BY c.committed_at DESC`,
      [project],
    );
    return rows.map(currentItemOf);
  }

  async currentTags(project: string): Promise<CurrentItem[]> {
    const rows = await this.rows(
      `SELECT tag, ${ts("committed_at")} AS committed_at, committer_name, committer_email
          FROM tags
         WHERE project = ?
         ORDER BY tags.committed_at DESC`,
      [project],
    );
    return rows.map(currentItemOf);
  }

  async deployedIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.rows(
      `SELECT change_id FROM changes WHERE change_id IN (${ids.map(() => "?").join(", ")})`,
      ids,
    );
    return new Set(rows.map((r) => text(r[0])));
  }

  async recordedTagIds(changeId: string): Promise<Set<string>> {
    const rows = await this.rows("SELECT tag_id FROM tags WHERE change_id = ?", [changeId]);
    return new Set(rows.map((r) => text(r[0])));
  }

  /** Sqitch's query for the changes requiring a change, for `where` on `d.dependency_id`. */
  private static requiringQuery(where: string): string {
    return `SELECT c.change_id, c.project, c.change, (
            SELECT tag
              FROM changes c2
              JOIN tags ON c2.change_id = tags.change_id
             WHERE c2.project       = c.project
               AND c2.committed_at >= c.committed_at
             ORDER BY c2.committed_at
             LIMIT 1
        ) AS asof_tag, d.dependency_id
          FROM dependencies d
          JOIN changes c ON c.change_id = d.change_id
         WHERE ${where}`;
  }

  /**
   * Sqitch asks for each change to revert, one query each (`revert` checks
   * every deployed change). The first question about a change of the list
   * `deployedChanges` just returned is answered for the whole list in one
   * query; a change required by several is asked again on its own, so that
   * its list keeps the server's order. Any registry write forgets both.
   */
  async changesRequiring(changeId: string): Promise<RequiringChange[]> {
    if (this.requiring === undefined && this.deployedIdList?.includes(changeId)) {
      const ids = this.deployedIdList;
      const byId = new Map<string, RequiringChange[]>(ids.map((id) => [id, []]));
      for (let i = 0; i < ids.length; i += 1000) {
        const chunk = ids.slice(i, i + 1000);
        const rows = await this.rows(
          MysqlEngine.requiringQuery(`d.dependency_id IN (${chunk.map(() => "?").join(", ")})`),
          chunk,
        );
        for (const r of rows) byId.get(text(r[4]))?.push(requiringChangeOf(r));
      }
      this.requiring = byId;
    }
    const known = this.requiring?.get(changeId);
    if (known !== undefined && known.length < 2) return known;
    const rows = await this.rows(MysqlEngine.requiringQuery("d.dependency_id = ?"), [changeId]);
    return rows.map(requiringChangeOf);
  }

  async searchEvents(search: EventSearch): Promise<RegistryEvent[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    const regex = (col: string, pattern: string | undefined) => {
      if (pattern === undefined) return;
      where.push(`${col} REGEXP ?`);
      params.push(pattern);
    };
    regex("e.committer_name", search.committer);
    regex("e.planner_name", search.planner);
    regex("e.change", search.change);
    regex("e.project", search.project);
    if (search.event !== undefined && search.event.length > 0) {
      where.push(`e.event IN (${search.event.map(() => "?").join(", ")})`);
      params.push(...search.event);
    }
    let sql = `SELECT e.event, e.project, e.change_id, e.change, e.note, e.requires,
                      e.conflicts, e.tags, e.committer_name, e.committer_email,
                      ${ts("e.committed_at")} AS committed_at, e.planner_name, e.planner_email,
                      ${ts("e.planned_at")} AS planned_at
                 FROM events e`;
    if (where.length > 0) sql += `\n         WHERE ${where.join("\n               AND ")}`;
    sql += `\n         ORDER BY e.committed_at ${search.direction === "ASC" ? "ASC" : "DESC"}`;
    if (search.limit) {
      sql += "\n         LIMIT ?";
      params.push(Math.trunc(search.limit));
    }
    if (search.offset) {
      if (!search.limit) sql += `\n         LIMIT ${NO_LIMIT}`;
      sql += "\n         OFFSET ?";
      params.push(Math.trunc(search.offset));
    }
    const rows = await this.rows(sql, params);
    return rows.map((r) => registryEventOf(r, MYSQL_EVENT_LISTS));
  }

  // --- bookkeeping --------------------------------------------------------------------

  /**
   * Sqitch's `_prepare_to_log` on servers without fractional seconds: wait
   * until the clock has moved past the project's latest row in `table`.
   */
  private async prepareToLog(table: "changes" | "events", project: string): Promise<void> {
    if (this.fractional) return;
    for (;;) {
      const r = await this.rows(
        `SELECT UNIX_TIMESTAMP(committed_at) >= UNIX_TIMESTAMP()
              FROM ${table}
             WHERE project = ?
             ORDER BY committed_at DESC
             LIMIT 1`,
        [project],
      );
      if (r[0] === undefined || r[0][0] !== "1") return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
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

  /** The `INSERT INTO events` statement of an event, values filled in. */
  private eventStatement(
    event: "deploy" | "revert" | "fail",
    change: ChangeRecord,
    lists: { tags: string; requires: string; conflicts: string },
    committer: Person,
  ): string {
    // As Sqitch (Perl `||`): an empty list falls back to the change's own.
    const plan = this.planLists(change);
    return formatSql(
      `INSERT INTO events (
            event
            , change_id
            , "change"
            , project
            , note
            , tags
            , requires
            , conflicts
            , committer_name
            , committer_email
            , planned_at
            , planner_name
            , planner_email
            , committed_at
        )
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${this.now()})`,
      [
        event,
        change.id,
        change.name,
        change.project,
        change.note,
        lists.tags || plan.tags,
        lists.requires || plan.requires,
        lists.conflicts || plan.conflicts,
        committer.name,
        committer.email,
        plannedAt(change.plannedAt),
        change.planner.name,
        change.planner.email,
      ],
    );
  }

  /**
   * Run registry statements in order, stopping at the first failure: in
   * one round trip on servers with fractional seconds, else one by one,
   * each `INSERT` after Sqitch's wait for the clock (`_prepare_to_log`).
   */
  private async execAll(
    statements: readonly { sql: string; waitFor?: "changes" | "events" }[],
    project: string,
  ): Promise<void> {
    if (this.fractional) {
      await this.batch(statements.map((st) => st.sql));
      return;
    }
    for (const st of statements) {
      if (st.waitFor !== undefined) await this.prepareToLog(st.waitFor, project);
      await this.batch([st.sql]);
    }
  }

  async recordDeploy(change: ChangeRecord, committer: Person): Promise<void> {
    const statements: { sql: string; waitFor?: "changes" | "events" }[] = [];
    statements.push({
      waitFor: "changes",
      sql: formatSql(
        `INSERT INTO changes (
            change_id
            , script_hash
            , "change"
            , project
            , note
            , committer_name
            , committer_email
            , planned_at
            , planner_name
            , planner_email
            , committed_at
        )
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${this.now()})`,
        changeRowValues(change, committer, plannedAt),
      ),
    });
    const deps = dependencyRowValues(change);
    if (deps.length > 0) {
      statements.push({
        sql: formatSql(
          `INSERT INTO dependencies(
                  change_id
                , type
                , dependency
                , dependency_id
           ) VALUES ${deps.map(() => "(?, ?, ?, ?)").join(", ")}`,
          deps.flat(),
        ),
      });
    }
    if (change.tags.length > 0) {
      statements.push({
        sql: formatSql(
          `INSERT INTO tags (
                  tag_id
                , tag
                , project
                , change_id
                , note
                , committer_name
                , committer_email
                , planned_at
                , planner_name
                , planner_email
                , committed_at
           ) VALUES ${
            change.tags.map(() => `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${this.now()})`).join(", ")
          }`,
          change.tags.flatMap((t) => tagRowValues(change, t, committer, plannedAt)),
        ),
      });
    }
    statements.push({
      waitFor: "events",
      sql: this.eventStatement("deploy", change, this.planLists(change), committer),
    });
    await this.execAll(statements, change.project);
  }

  async recordFail(change: ChangeRecord, committer: Person): Promise<void> {
    await this.execAll([{
      waitFor: "events",
      sql: this.eventStatement("fail", change, this.planLists(change), committer),
    }], change.project);
  }

  async recordRevert(change: ChangeRecord, committer: Person): Promise<void> {
    // Sqitch's reads (tags, then required and conflicting changes), in one round trip.
    const db = await this.db();
    let lists: string[][];
    try {
      const results = await db.queryAll(
        [
          formatSql("SELECT tag FROM tags WHERE change_id = ?", [change.id]),
          ...["require", "conflict"].map((type) =>
            formatSql(
              `SELECT dependency
          FROM dependencies
         WHERE change_id = ?
           AND type      = ?`,
              [change.id, type],
            )
          ),
        ],
      );
      lists = results.filter((r) => r.fields.length > 0).map((r) =>
        r.rows.map((row) => text(row[0]))
      );
    } catch (e) {
      throw this.wrap(e);
    }
    const [tags, requires, conflicts] = lists;
    await this.execAll([
      { sql: formatSql("DELETE FROM tags WHERE change_id = ?", [change.id]) },
      { sql: formatSql("DELETE FROM dependencies WHERE change_id = ?", [change.id]) },
      { sql: formatSql("DELETE FROM changes where change_id = ?", [change.id]) },
      {
        waitFor: "events",
        sql: this.eventStatement(
          "revert",
          change,
          { tags: tags.join(","), requires: requires.join(","), conflicts: conflicts.join(",") },
          committer,
        ),
      },
    ], change.project);
  }

  async recordLateTags(change: ChangeRecord, committer: Person): Promise<void> {
    if (change.tags.length === 0) return;
    const select = `SELECT ? AS tid, ? AS tname, ? AS proj, ? AS cid, ? AS note, ? AS cuser, ` +
      `? AS cemail, ? AS tts, ? AS puser, ? AS pemail, ${this.now()}`;
    await this.exec(
      `INSERT INTO tags (
                   tag_id
                 , tag
                 , project
                 , change_id
                 , note
                 , committer_name
                 , committer_email
                 , planned_at
                 , planner_name
                 , planner_email
                 , committed_at
            )
            SELECT i.* FROM (
                         ${change.tags.map(() => select).join("\n               UNION ALL ")}
            ) i
              LEFT JOIN tags ON i.tid = tags.tag_id
             WHERE tags.tag_id IS NULL`,
      change.tags.flatMap((t) => tagRowValues(change, t, committer, plannedAt)),
    );
  }

  // --- scripts --------------------------------------------------------------------------

  async runScript(path: string, variables: ScriptVariables, out: ScriptOutput): Promise<void> {
    const { sqitchExecuteText } = await scriptModule();
    await this.runExecute(sqitchExecuteText(path, variables), path, out);
  }

  runVerify(path: string, variables: ScriptVariables, out: ScriptOutput): Promise<void> {
    return this.runScript(path, variables, out);
  }
}
