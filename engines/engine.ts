/**
 * The engine contract: what every database engine (sqlite now; pg and mysql
 * later) provides to the shared deploy / revert / verify / rebase / checkout
 * logic. Engines deal in plain records (no plan objects) and never write to
 * the terminal: script output goes to a `ScriptOutput` the caller supplies,
 * and failures are `SqlitchError`s the commands render. Every operation is
 * asynchronous so that network engines (pg, mysql) fit the same contract.
 *
 * Timestamps crossing this interface are JavaScript `Date`s (absolute
 * instants); each engine stores them in its own registry format
 * (registry.md §6).
 */
import { SqlitchError } from "../core/errors.ts";

/** The registry version this sqlitch writes and expects (registry.md §2). */
export const REGISTRY_VERSION = "1.1";

/** Registry version as a number, for comparisons (`1.1`). */
export const REGISTRY_VERSION_NUMBER = 1.1;

/** Where a script's output goes; engines never touch the terminal themselves. */
export interface ScriptOutput {
  /** Text the database client would print on stdout. */
  stdout(chunk: string): void;
  /** Text the database client would print on stderr (error messages). */
  stderr(chunk: string): void;
}

/** A `ScriptOutput` that collects everything, for tests and verify runs (output discarded). */
export class CapturedOutput implements ScriptOutput {
  out = "";
  err = "";
  stdout(chunk: string): void {
    this.out += chunk;
  }
  stderr(chunk: string): void {
    this.err += chunk;
  }
}

/** A person: committer (the sqitch user) or planner (from the plan). */
export interface Person {
  name: string;
  email: string;
}

/** A dependency as recorded: `as_string` form (external project kept, no `!`). */
export interface DependencyRecord {
  type: "require" | "conflict";
  /** e.g. `users`, `users@v1.0`, `other:thing`. */
  dependency: string;
  /** Resolved change id for requires; undefined (NULL) for conflicts. */
  dependencyId?: string;
}

/** A tag of a change, as recorded in `tags`. */
export interface TagRecord {
  tagId: string;
  /** The tag name without `@`; the registry stores `@name`. */
  name: string;
  note: string;
  plannedAt: Date;
  planner: Person;
}

/** Everything the registry needs to record a change being deployed, failed or reverted. */
export interface ChangeRecord {
  id: string;
  name: string;
  project: string;
  /** Unescaped note, `""` when none. */
  note: string;
  /** SHA-1 of the deploy script; undefined (NULL) when the file is missing. */
  scriptHash?: string;
  plannedAt: Date;
  planner: Person;
  /** Requires then conflicts, in plan order. */
  dependencies: DependencyRecord[];
  /** Tags carried by the change, in plan order. */
  tags: TagRecord[];
}

/** A change as read back from the registry (`deployed changes`, `current state`, `load change`). */
export interface DeployedChange {
  id: string;
  name: string;
  project: string;
  note: string;
  /** planned_at, whole seconds, UTC. */
  plannedAt: Date;
  planner: Person;
  /** Tag names with `@`, split from the aggregated list. */
  tags: string[];
  scriptHash: string | null;
}

/** The latest deployed change of a project, with its commit details. */
export interface CurrentState extends DeployedChange {
  committedAt: Date;
  committer: Person;
}

/** A row of `changes` or `tags` for `status --show-changes/--show-tags`. */
export interface CurrentItem {
  /** Change name, or tag name with `@`. */
  name: string;
  committedAt: Date;
  committer: Person;
}

/** One `events` row (`log`). */
export interface RegistryEvent {
  event: "deploy" | "revert" | "fail" | "merge";
  project: string;
  changeId: string;
  change: string;
  note: string;
  requires: string[];
  conflicts: string[];
  tags: string[];
  committer: Person;
  committedAt: Date;
  planner: Person;
  plannedAt: Date;
}

/** Filters of `log` (registry.md §9 "search events"). Patterns are regular expressions. */
export interface EventSearch {
  event?: string[];
  change?: string;
  project?: string;
  committer?: string;
  planner?: string;
  limit?: number;
  offset?: number;
  direction?: "ASC" | "DESC";
}

/** Project registration outcome. */
export interface ProjectRow {
  project: string;
  uri: string | null;
}

/** A change that requires another one (revert dependency check). */
export interface RequiringChange {
  changeId: string;
  change: string;
  project: string;
  /** Earliest tag of that project at/after the requiring change, or undefined. */
  asofTag?: string;
}

/** Variables for scripts (`--set`); ignored by engines whose clients have none (SQLite). */
export type ScriptVariables = Readonly<Record<string, string>>;

/** A script failed: the client's error text has already gone to the `ScriptOutput`. */
export class ScriptError extends SqlitchError {
  /** The script that failed. */
  readonly script: string;
  /** The exit status the native client would have returned. */
  readonly status: number;
  constructor(script: string, status: number, message?: string, trailingBlankLine = false) {
    super(message ?? `${script} failed with exit status ${status}`, {
      exitCode: 2,
      ident: "engine",
      trailingBlankLine,
    });
    this.name = "ScriptError";
    this.script = script;
    this.status = status;
  }
}

/** A registry/database failure (connection, SQL error in registry bookkeeping). */
export class EngineError extends SqlitchError {
  constructor(message: string) {
    super(message, { exitCode: 2, ident: "engine" });
    this.name = "EngineError";
  }
}

/**
 * One database engine. The shared logic above it decides *what* to do; an
 * engine only knows *how* for its database. Every method may throw
 * `EngineError`; script runners throw `ScriptError`.
 */
export interface Engine {
  /** Canonical engine key (`sqlite`, `pg`, `mysql`). */
  readonly key: string;
  /** The database named in messages (`Deploying changes to …`). */
  readonly destination: string;
  /** The registry named in messages (`Adding registry tables to …`). */
  readonly registryDestination: string;

  /**
   * A registry version as this engine's driver prints it, when it is not
   * the decimal form (`1.0`); see engines/upgrade.ts `registryVersionText`.
   */
  versionText?(version: number): string;

  /** Open the registry connection (idempotent). */
  connect(): Promise<void>;
  /** Close every connection (releases locks). */
  close(): Promise<void>;

  // --- registry lifecycle -------------------------------------------------
  /** True when the registry has been created (registry.md §9 `initialized`). */
  registryExists(): Promise<boolean>;
  /** Current registry version (`0` for a registry without `releases`). */
  registryVersion(): Promise<number>;
  /** Create the registry and record release 1.1 for `installer`. */
  createRegistry(installer: Person): Promise<void>;
  /**
   * Upgrade from the current version, calling `step(from, to)` before each
   * step (the caller prints `  * From 0 to 1.0`).
   */
  upgradeRegistry(installer: Person, step: (from: string, to: string) => void): Promise<void>;

  // --- locking and transactions ------------------------------------------
  /** Try to take the session lock; false when another instance holds it. */
  tryLock(): Promise<boolean>;
  /** Wait up to `seconds` for the session lock; false on timeout. */
  waitLock(seconds: number): Promise<boolean>;
  /** Start a registry transaction for one change (`BEGIN IMMEDIATE` on SQLite). */
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;

  // --- projects -------------------------------------------------------------
  /** The registered row of a project, if any. */
  projectRow(project: string): Promise<ProjectRow | undefined>;
  /** The project registered with a URI, if any. */
  projectByUri(uri: string): Promise<string | undefined>;
  /** Insert the project row (registry.md §7.2); checks are the caller's. */
  insertProject(project: string, uri: string | null, creator: Person): Promise<void>;
  /** All registered projects, sorted. */
  registeredProjects(): Promise<string[]>;

  // --- state queries ---------------------------------------------------------
  /** The latest deployed change of the project, or undefined. */
  currentState(project: string): Promise<CurrentState | undefined>;
  /** All deployed changes of the project, oldest first. */
  deployedChanges(project: string): Promise<DeployedChange[]>;
  /** Deployed changes committed after the given one, oldest first. */
  deployedChangesSince(project: string, changeId: string): Promise<DeployedChange[]>;
  /** One deployed change by id. */
  loadChange(changeId: string): Promise<DeployedChange | undefined>;
  /** Change id `offset` rows from the latest (DESC) or earliest (ASC). */
  changeIdAt(
    project: string,
    direction: "ASC" | "DESC",
    offset: number,
  ): Promise<string | undefined>;
  /** `status --show-changes`: changes newest first. */
  currentChanges(project: string): Promise<CurrentItem[]>;
  /** `status --show-tags`: tags newest first. */
  currentTags(project: string): Promise<CurrentItem[]>;
  /** Which of the ids are deployed (any project). */
  deployedIds(ids: string[]): Promise<Set<string>>;
  /** Tag ids of a change already recorded. */
  recordedTagIds(changeId: string): Promise<Set<string>>;
  /** Changes (any project) requiring the given change id. */
  changesRequiring(changeId: string): Promise<RequiringChange[]>;
  /** `log`: events matching the filters. */
  searchEvents(search: EventSearch): Promise<RegistryEvent[]>;

  // --- bookkeeping ----------------------------------------------------------
  /** §7.3: changes, dependencies, tags and a deploy event for one change. */
  recordDeploy(change: ChangeRecord, committer: Person): Promise<void>;
  /** §7.4: a fail event for a change whose deploy script failed. */
  recordFail(change: ChangeRecord, committer: Person): Promise<void>;
  /** §7.5: delete the change's rows and write a revert event. */
  recordRevert(change: ChangeRecord, committer: Person): Promise<void>;
  /** §7.6: record tags added in the plan to an already deployed change. */
  recordLateTags(change: ChangeRecord, committer: Person): Promise<void>;

  // --- scripts ----------------------------------------------------------------
  /** Run a deploy or revert script against the target; throws `ScriptError` on failure. */
  runScript(path: string, variables: ScriptVariables, out: ScriptOutput): Promise<void>;
  /** Run a verify script (the caller discards stdout unless verbose). */
  runVerify(path: string, variables: ScriptVariables, out: ScriptOutput): Promise<void>;
}
