/**
 * The shared deploy / revert / verify logic above the `Engine` interface
 * (engine-semantics.md §2–§5.1, Engine.pm `deploy`, `revert`, `verify`):
 * sync the plan with the registry, decide what to run, check
 * dependencies, run the scripts, record each change and, when a deploy
 * fails, roll back as the mode says. Nothing here prints: progress goes
 * to a `Reporter` (core/output.ts `Output` fits) and script output to a
 * `ScriptOutput`. Errors are `SqlitchError`s the commands render.
 */
import { SqlitchError } from "../core/errors.ts";
import { Change, type Dependency, type Plan, Tag } from "../core/plan/mod.ts";
import { scriptHash } from "../core/plan/ids.ts";
import { formatTimestamp } from "../core/plan/timestamp.ts";
import { changeScriptPath, type ScriptTarget, type ScriptType } from "../core/script_paths.ts";
import {
  type ChangeRecord,
  type DependencyRecord,
  type DeployedChange,
  type Engine,
  EngineError,
  type Person,
  REGISTRY_VERSION,
  REGISTRY_VERSION_NUMBER,
  ScriptError,
  type ScriptOutput,
  type ScriptVariables,
} from "./engine.ts";
import { registryVersionText, upgradeRegistry } from "./upgrade.ts";

/** Where the workflow's messages go (a subset of core/output.ts `Output`). */
export interface Reporter {
  /** stdout line, suppressed by `--quiet`. */
  info(...parts: string[]): void;
  /** stdout without newline, suppressed by `--quiet`. */
  infoLiteral(...parts: string[]): void;
  /** stdout line, always. */
  emit(...parts: string[]): void;
  /** stdout without newline, always. */
  emitLiteral(...parts: string[]): void;
  /** stdout, each line prefixed `# `. */
  comment(...parts: string[]): void;
  /** stderr line. */
  vent(...parts: string[]): void;
}

/** Options every operation shares. */
export interface WorkflowOptions {
  /** Committer of registry rows (the sqitch user). */
  committer: Person;
  reporter: Reporter;
  /** Where deploy/revert script output goes. */
  out: ScriptOutput;
  /**
   * Where verify script output goes; default: stdout discarded, stderr to
   * `out` (pass `out` itself for `-vv`).
   */
  verifyOut?: ScriptOutput;
  /** `--set` variables. */
  variables?: ScriptVariables;
  /** The client as configured, for `"{client}" unexpectedly returned exit value N`. */
  client?: string;
  /** `--lock-timeout` seconds (default 60). */
  lockTimeout?: number;
  /** Whether a path exists (default: Deno.statSync). */
  exists?: (path: string) => boolean;
}

/** Deploy modes (`--mode`). */
export type DeployMode = "all" | "tag" | "change";

export interface DeployOptions extends WorkflowOptions {
  /** `--to`: the last change to deploy (plan lookup). */
  to?: string;
  mode?: DeployMode;
  /** `--verify`. */
  verify?: boolean;
  /** `--log-only`. */
  logOnly?: boolean;
}

export interface RevertOptions extends WorkflowOptions {
  /** `--to`: revert the changes deployed after this one (registry lookup). */
  to?: string;
  logOnly?: boolean;
  /**
   * Confirm the revert (`ask_yes_no`); given the question (no `?`
   * suffix added), resolves true to go on. Absent = `-y`: the
   * `Reverting …` heading is printed instead.
   */
  confirm?: (question: string) => Promise<boolean> | boolean;
}

export interface VerifyOptions extends WorkflowOptions {
  from?: string;
  to?: string;
}

/** The internal `Deploy failed` (Sqitch's `private` ident: already reported, not vented again). */
export class DeployFailed extends SqlitchError {
  constructor() {
    super("Deploy failed", { exitCode: 2, ident: "deploy" });
    this.name = "DeployFailed";
  }
}

/**
 * Nothing reverted (prompt answered No): stdout, exit 1. Sqitch tags the
 * refusal to revert *to a change* `revert:confirm` and the refusal to
 * revert *everything* plain `revert`; rebase and checkout only stop for
 * the former (the latter is reported and they go on to deploy).
 */
export class NothingReverted extends SqlitchError {
  constructor(ident: "revert" | "revert:confirm" = "revert") {
    super("Nothing reverted", { exitCode: 1, ident });
    this.name = "NothingReverted";
  }
}

const DEFAULT_CLIENTS: Record<string, string> = { sqlite: "sqlite3", pg: "psql", mysql: "mysql" };

export function workflowError(message: string, ident: string): SqlitchError {
  return new SqlitchError(message, { exitCode: 2, ident });
}

/** Perl `length` of a decoded string: code points. */
export function len(s: string): number {
  return [...s].length;
}

function defaultExists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * `--set` defaults and helpers shared by the steps of one operation
 * (deploy, revert, verify here; rebase, checkout, check build on it).
 */
export class Context {
  readonly engine: Engine;
  readonly plan: Plan;
  readonly target: ScriptTarget;
  readonly opts: WorkflowOptions;
  readonly exists: (path: string) => boolean;
  readonly variables: ScriptVariables;
  readonly verifyOut: ScriptOutput;
  maxNameLength = 0;
  #deployed = new Map<string, DeployedChange[]>();

  constructor(engine: Engine, plan: Plan, target: ScriptTarget, opts: WorkflowOptions) {
    this.engine = engine;
    this.plan = plan;
    this.target = target;
    this.opts = opts;
    this.exists = opts.exists ?? defaultExists;
    this.variables = opts.variables ?? {};
    this.verifyOut = opts.verifyOut ?? {
      stdout: () => {},
      stderr: (chunk) => opts.out.stderr(chunk),
    };
  }

  get reporter(): Reporter {
    return this.opts.reporter;
  }

  script(change: Change, type: ScriptType): string {
    return changeScriptPath(this.target, change, type, this.exists);
  }

  /** A client failure as Sqitch reports it (message + empty line). */
  clientError(e: ScriptError): ScriptError {
    if (e.trailingBlankLine) return e;
    const client = this.opts.client ?? DEFAULT_CLIENTS[this.engine.key] ?? this.engine.key;
    return new ScriptError(
      e.script,
      e.status,
      `"${client}" unexpectedly returned exit value ${e.status}`,
      true,
    );
  }

  /** Normalise a thrown value: script failures get the client message. */
  normalise(e: unknown): unknown {
    return e instanceof ScriptError ? this.clientError(e) : e;
  }

  /** The text Sqitch vents for an error. */
  message(e: unknown): string {
    const n = this.normalise(e);
    if (n instanceof SqlitchError) return n.trailingBlankLine ? `${n.message}\n` : n.message;
    return n instanceof Error ? n.message : String(n);
  }

  /** Deployed changes of a project, cached for one dependency check. */
  async deployed(project: string): Promise<DeployedChange[]> {
    let list = this.#deployed.get(project);
    if (!list) {
      list = await this.engine.deployedChanges(project);
      this.#deployed.set(project, list);
    }
    return list;
  }

  forgetDeployed(): void {
    this.#deployed.clear();
  }

  /** Take the registry lock (Engine.pm `lock_destination`). */
  async lock(): Promise<void> {
    if (await this.engine.tryLock()) return;
    const wait = this.opts.lockTimeout ?? 60;
    this.reporter.info(
      `Blocked by another instance of Sqitch working on ${this.engine.destination}; waiting ${wait} seconds...`,
    );
    if (await this.engine.waitLock(wait)) return;
    throw workflowError(
      `Timed out waiting ${wait} seconds for another instance of Sqitch to finish work on ${this.engine.destination}`,
      "engine",
    );
  }

  /** Upgrade the registry when it is older than this sqlitch's (`upgrade_registry`). */
  upgradeRegistry(): Promise<void> {
    return upgradeRegistry(this.engine, this.opts.committer, this.reporter);
  }

  /** `_check_registry` (revert, verify). */
  async checkRegistry(): Promise<void> {
    const version = (await this.engine.registryExists()) ? await this.engine.registryVersion() : 0;
    if (version === REGISTRY_VERSION_NUMBER) return;
    if (version === 0 && !(await this.engine.registryExists())) {
      throw workflowError(
        `No registry found in ${this.engine.registryDestination}. Have you ever deployed?`,
        "engine",
      );
    }
    const text = registryVersionText(this.engine, version);
    if (version > REGISTRY_VERSION_NUMBER) {
      throw workflowError(
        `Registry version is ${text} but ${REGISTRY_VERSION} is the latest known. Please upgrade Sqitch`,
        "engine",
      );
    }
    throw workflowError(
      `Registry is at version ${text} but latest is ${REGISTRY_VERSION}. Please run the "upgrade" command`,
      "engine",
    );
  }

  // --- registry lookups (DBIEngine `change_id_for`) ----------------------------

  /**
   * The deployed change id a lookup names: by id, by name (`first`, else
   * ambiguous when several), by name and tag, or by tag (`HEAD`/`ROOT`).
   */
  async changeIdFor(
    p: { changeId?: string; change?: string; tag?: string; project?: string; first?: boolean },
  ): Promise<string | undefined> {
    if (p.changeId) {
      return (await this.engine.deployedIds([p.changeId])).has(p.changeId) ? p.changeId : undefined;
    }
    const project = p.project || this.plan.project;
    const list = await this.deployed(project);
    if (p.change) {
      const named = list.filter((c) => c.name === p.change);
      if (p.tag) {
        if (p.tag === "ROOT" || p.tag === "FIRST") return undefined;
        if (p.tag === "HEAD" || p.tag === "LAST") return named.at(-1)?.id;
        // The latest change of that name committed at or before the tag.
        const tagIdx = list.findIndex((c) => c.tags.includes(`@${p.tag}`));
        if (tagIdx < 0) return undefined;
        for (let i = tagIdx; i >= 0; i--) if (list[i].name === p.change) return list[i].id;
        return undefined;
      }
      if (p.first || named.length <= 1) return named[0]?.id;
      this.reporter.vent(
        `Change "${p.change}" is ambiguous. Please specify a tag-qualified change:`,
      );
      for (const c of [...named].reverse()) {
        const inPlan = this.plan.find(c.id);
        this.reporter.vent(
          "  * ",
          inPlan ? inPlan.formatTagQualifiedName() : nameForDeployed(list, c),
        );
      }
      throw workflowError("Change Lookup Failed", "engine");
    }
    if (p.tag) {
      if (p.tag === "HEAD" || p.tag === "LAST") return list.at(-1)?.id;
      if (p.tag === "ROOT" || p.tag === "FIRST") return list[0]?.id;
      return list.find((c) => c.tags.includes(`@${p.tag}`))?.id;
    }
    return undefined;
  }

  /** `change_id_for_depend`. */
  changeIdForDepend(dep: Dependency): Promise<string | undefined> {
    return this.changeIdFor({
      changeId: this.plan.dependencyId(dep),
      change: dep.change,
      tag: dep.tag,
      project: this.plan.dependencyProject(dep),
      first: true,
    });
  }

  /** `_params_for_key` + `find_change_id`: a registry key with an optional offset. */
  async changeIdForKey(key: string): Promise<string | undefined> {
    const m = /(?<![!"#$%&'()*+,\-./:;<=>?@[\]^`{|}~])([~^])(?:(\1)|(\d+))?$/.exec(key);
    let offset = 0;
    if (m) {
      const n = m[3] !== undefined ? Number(m[3]) : m[2] ? 2 : 1;
      offset = m[1] === "^" ? -n : n;
      key = key.slice(0, m.index);
    }
    const at = key.indexOf("@");
    const cname = at < 0 ? key : key.slice(0, at);
    const tag = at < 0 ? undefined : key.slice(at + 1);
    let id: string | undefined;
    if (tag) id = await this.changeIdFor({ change: cname, tag });
    else if (/^[0-9a-f]{40}$/.test(cname)) id = await this.changeIdFor({ changeId: cname });
    else if (cname === "HEAD" || cname === "ROOT") id = await this.changeIdFor({ tag: cname });
    else id = await this.changeIdFor({ change: cname });
    if (id === undefined || offset === 0) return id;
    const list = await this.deployed(this.plan.project);
    const i = list.findIndex((c) => c.id === id);
    return i < 0 ? undefined : list[i + offset]?.id;
  }

  // --- records -------------------------------------------------------------------

  /** SHA-1 of a change's deploy script as the plan has it now; undefined when the file is missing. */
  deployScriptHash(change: Change): string | undefined {
    try {
      return scriptHash(Deno.readFileSync(this.script(change, "deploy")));
    } catch {
      return undefined;
    }
  }

  /** What the registry records for a plan change. */
  planRecord(change: Change, resolved?: Map<Dependency, string>): ChangeRecord {
    const project = this.plan.project;
    const hash = this.deployScriptHash(change);
    const deps: DependencyRecord[] = [
      ...change.requires.map((d): DependencyRecord => ({
        type: "require",
        dependency: d.asString(project),
        dependencyId: resolved?.get(d),
      })),
      ...change.conflicts.map((d): DependencyRecord => ({
        type: "conflict",
        dependency: d.asString(project),
      })),
    ];
    return {
      id: change.id,
      name: change.name,
      project,
      note: change.note,
      scriptHash: hash,
      plannedAt: new Date(change.timestamp),
      planner: { name: change.plannerName, email: change.plannerEmail },
      dependencies: deps,
      tags: change.tags.map((t) => ({
        tagId: t.id,
        name: t.name,
        note: t.note,
        plannedAt: new Date(t.timestamp),
        planner: { name: t.plannerName, email: t.plannerEmail },
      })),
    };
  }

  // --- one change --------------------------------------------------------------------

  /** `verify_change`: run the verify script; a missing file is only reported. */
  async verifyChange(change: Change): Promise<void> {
    const file = this.script(change, "verify");
    if (!this.exists(file)) {
      this.reporter.vent(`Verify script ${file} does not exist`);
      return;
    }
    try {
      await this.engine.runVerify(file, this.variables, this.verifyOut);
    } catch {
      throw workflowError(`Verify script "${file}" failed.`, "verify");
    }
  }

  /** `revert_change`. */
  async revertChange(item: Revertible, logOnly: boolean): Promise<void> {
    const name = item.change.formatNameWithTags();
    this.reporter.infoLiteral(`  - ${name} ..`, ".".repeat(this.maxNameLength - len(name)), " ");
    await this.engine.begin();
    let open = true;
    try {
      if (!logOnly) {
        await this.engine.runScript(
          this.script(item.change, "revert"),
          this.variables,
          this.opts.out,
        );
      }
      try {
        await this.engine.recordRevert(item.record, this.opts.committer);
        this.reporter.info("ok");
      } catch (e) {
        this.reporter.vent(this.message(e));
        await this.engine.rollback();
        open = false;
        throw workflowError("Revert failed", "revert");
      }
    } catch (e) {
      this.reporter.info("not ok");
      if (open) await this.engine.commit();
      throw this.normalise(e);
    }
    await this.engine.commit();
  }
}

/** A change to revert: its plan-like object (names, script paths) and registry record. */
export interface Revertible {
  change: Change;
  record: ChangeRecord;
}

/** `name_for_change_id`-like: `name@tag` from the first tag at or after the change, else `@HEAD`. */
function nameForDeployed(list: DeployedChange[], c: DeployedChange): string {
  const i = list.indexOf(c);
  for (let j = i; j < list.length; j++) {
    if (list[j].tags.length > 0) return c.name + list[j].tags[0];
  }
  return `${c.name}@HEAD`;
}

// --- deploy ------------------------------------------------------------------------

/**
 * `sqitch deploy` (engine-semantics.md §2): sync with the registry, deploy
 * the pending changes up to `to`, roll back per mode on failure.
 */
export async function deploy(
  engine: Engine,
  plan: Plan,
  target: ScriptTarget,
  opts: DeployOptions,
): Promise<void> {
  const ctx = new Context(engine, plan, target, opts);
  const reporter = opts.reporter;
  await engine.connect();
  await ctx.lock();

  // _sync_plan
  let position = -1;
  let startAt: string | undefined;
  if (await engine.registryExists()) {
    if ((await engine.registryVersion()) < REGISTRY_VERSION_NUMBER) await ctx.upgradeRegistry();
    const state = await engine.currentState(plan.project);
    if (state) {
      const idx = plan.indexOf(state.id);
      if (idx === undefined) {
        throw workflowError(
          `Cannot find change ${state.id} (${
            [state.name, ...state.tags].join(" ")
          }) in ${plan.file}`,
          "plan",
        );
      }
      position = idx;
      const change = plan.changes[idx];
      const last = change.tags.at(-1);
      if (last) {
        await engine.recordLateTags(ctx.planRecord(change), opts.committer);
        startAt = change.formatName() + last.formatName();
      } else {
        startAt = change.formatName();
      }
    }
  }

  let toIndex = plan.count - 1;
  if (toIndex < 0) throw workflowError("Nothing to deploy (empty plan)", "plan");
  if (opts.to !== undefined) {
    const idx = plan.indexOf(opts.to);
    if (idx === undefined) throw workflowError(`Unknown change: "${opts.to}"`, "plan");
    toIndex = idx;
    if (toIndex === position) {
      reporter.info(`Nothing to deploy (already at "${opts.to}")`);
      return;
    }
  }
  if (position === toIndex) {
    reporter.info("Nothing to deploy (up-to-date)");
    return;
  }
  if (position === -1) {
    if (await engine.registryExists()) {
      await ctx.upgradeRegistry();
    } else {
      reporter.info(`Adding registry tables to ${engine.registryDestination}`);
      await engine.createRegistry(opts.committer);
    }
    await registerProject(engine, plan, opts.committer);
  } else {
    if (toIndex < position) {
      throw workflowError('Cannot deploy to an earlier change; use "revert" instead', "deploy");
    }
    await ctx.upgradeRegistry();
  }

  reporter.info(
    opts.to !== undefined
      ? `Deploying changes through ${
        plan.changes[toIndex].formatNameWithTags()
      } to ${engine.destination}`
      : `Deploying changes to ${engine.destination}`,
  );

  const changes = plan.changes.slice(position + 1, toIndex + 1);
  const resolved = await checkDeployDependencies(ctx, changes);
  ctx.maxNameLength = Math.max(...changes.map((c) => len(c.formatNameWithTags())));

  const mode = opts.mode ?? "all";
  const one = (change: Change) => deployChange(ctx, change, resolved, opts);
  if (mode === "change") {
    for (const change of changes) {
      try {
        await one(change);
      } catch (e) {
        throw ctx.normalise(e);
      }
    }
    return;
  }
  let run: Change[] = [];
  let lastTagged: Change | undefined;
  try {
    for (const change of changes) {
      await one(change);
      run.push(change);
      if (mode === "tag" && change.tags.length > 0) {
        run = [];
        lastTagged = change;
      }
    }
  } catch (e) {
    if (!(e instanceof DeployFailed)) reporter.vent(ctx.message(e));
    await rollback(ctx, lastTagged, startAt, run, opts.logOnly ?? false);
  }
}

/** `register_project` (registry.md §7.2). */
async function registerProject(engine: Engine, plan: Plan, creator: Person): Promise<void> {
  const project = plan.project;
  const uri = plan.uri;
  const row = await engine.projectRow(project);
  if (row) {
    const reg = row.uri;
    if (uri !== undefined && reg === null) {
      throw workflowError(
        `Cannot register "${project}" with URI ${uri}: already exists with NULL URI`,
        "engine",
      );
    }
    if (uri === undefined && reg !== null) {
      throw workflowError(
        `Cannot register "${project}" without URI: already exists with URI ${reg}`,
        "engine",
      );
    }
    if (uri !== undefined && reg !== null && uri !== reg) {
      throw workflowError(
        `Cannot register "${project}" with URI ${uri}: already exists with URI ${reg}`,
        "engine",
      );
    }
    return;
  }
  if (uri !== undefined) {
    const other = await engine.projectByUri(uri);
    if (other !== undefined) {
      throw workflowError(
        `Cannot register "${project}" with URI ${uri}: project "${other}" already using that URI`,
        "engine",
      );
    }
  }
  await engine.insertProject(project, uri ?? null, creator);
}

/**
 * `check_deploy_dependencies` (§4.2): conflicts and requirements of the
 * changes to deploy, then changes already deployed. Returns the resolved
 * change ids of the requirements.
 */
async function checkDeployDependencies(
  ctx: Context,
  changes: Change[],
): Promise<Map<Dependency, string>> {
  const seen = new Map<string, Change>();
  const conflicts: Dependency[] = [];
  const required: Dependency[] = [];
  const resolved = new Map<Dependency, string>();
  for (const change of changes) {
    for (const dep of change.conflicts) {
      const id = ctx.plan.dependencyId(dep) ?? "";
      if (seen.has(id) || await ctx.changeIdForDepend(dep)) conflicts.push(dep);
    }
    for (const dep of change.requires) {
      const id = ctx.plan.dependencyId(dep) ?? "";
      const found = seen.get(id)?.id ?? await ctx.changeIdForDepend(dep);
      if (found) resolved.set(dep, found);
      else required.push(dep);
    }
    seen.set(change.id, change);
  }
  const project = ctx.plan.project;
  const uniq = (deps: Dependency[]) => [...new Set(deps.map((d) => d.asString(project)))];
  const msg: string[] = [];
  const c = uniq(conflicts);
  if (c.length > 0) {
    msg.push(
      `Conflicts with previously deployed change${c.length === 1 ? "" : "s"}: ${c.join(" ")}`,
    );
  }
  const r = uniq(required);
  if (r.length > 0) {
    msg.push(`Missing required change${r.length === 1 ? "" : "s"}: ${r.join(" ")}`);
  }
  if (msg.length > 0) throw workflowError(msg.join("\n"), "deploy");

  const deployed = await ctx.engine.deployedIds(changes.map((ch) => ch.id));
  const ids = changes.filter((ch) => deployed.has(ch.id));
  if (ids.length === 1) {
    throw workflowError(
      `Change "${ids[0].formatNameWithTags()} (${ids[0].id})" has already been deployed`,
      "deploy",
    );
  }
  if (ids.length > 1) {
    throw workflowError(
      `Changes have already been deployed: ${
        ids.map((ch) => `${ch.formatNameWithTags()} (${ch.id})`).join(", ")
      }`,
      "deploy",
    );
  }
  ctx.forgetDeployed();
  return resolved;
}

/** `deploy_change` (§2.2). */
async function deployChange(
  ctx: Context,
  change: Change,
  resolved: Map<Dependency, string>,
  opts: DeployOptions,
): Promise<void> {
  const { engine, reporter } = ctx;
  const name = change.formatNameWithTags();
  reporter.infoLiteral(`  + ${name} ..`, ".".repeat(ctx.maxNameLength - len(name)), " ");
  const record = ctx.planRecord(change, resolved);
  await engine.begin();
  try {
    if (!opts.logOnly) {
      await engine.runScript(ctx.script(change, "deploy"), ctx.variables, opts.out);
    }
    try {
      if (opts.verify) await ctx.verifyChange(change);
      try {
        await engine.recordDeploy(record, opts.committer);
      } catch (e) {
        throw notUniqueError(e, change) ?? e;
      }
      reporter.info("ok");
    } catch (e) {
      reporter.vent(ctx.message(e));
      await engine.rollback();
      try {
        await engine.begin();
        if (!opts.logOnly) {
          await engine.runScript(ctx.script(change, "revert"), ctx.variables, opts.out);
        }
      } catch (e2) {
        reporter.vent(ctx.message(e2));
      }
      throw new DeployFailed();
    }
  } catch (e) {
    await engine.recordFail(record, opts.committer);
    reporter.info("not ok");
    await engine.commit();
    throw e;
  }
  await engine.commit();
}

/** How each engine's registry reports a unique violation (SQLite, PostgreSQL, MySQL). */
const UNIQUE_VIOLATION =
  /^(?:UNIQUE constraint failed: |(?:ERROR: {2})?duplicate key value violates unique constraint |Duplicate entry )/;

/**
 * Sqitch ≥ 1.4 names the cause when logging a deployed change breaks the
 * registry's uniqueness (another change of the project has the same deploy
 * script); 1.3.1 shows the database's own error.
 */
function notUniqueError(e: unknown, change: Change): EngineError | undefined {
  if (!(e instanceof Error) || !UNIQUE_VIOLATION.test(e.message)) return undefined;
  return new EngineError(`Cannot log change "${change.name}": The deploy script is not unique`);
}

/** `_rollback`: revert what this run deployed (newest first), then `Deploy failed`. */
async function rollback(
  ctx: Context,
  tagged: Change | undefined,
  startAt: string | undefined,
  run: Change[],
  logOnly: boolean,
): Promise<never> {
  if (run.length > 0) {
    const to = tagged ? tagged.formatNameWithTags() : startAt;
    ctx.reporter.vent(to ? `Reverting to ${to}` : "Reverting all changes");
    try {
      for (const change of [...run].reverse()) {
        await ctx.revertChange({ change, record: ctx.planRecord(change) }, logOnly);
      }
    } catch (e) {
      ctx.reporter.vent(ctx.message(e));
      ctx.reporter.vent("The schema will need to be manually repaired");
    }
  }
  throw new DeployFailed();
}

// --- revert ---------------------------------------------------------------------------

/**
 * Registry changes as change objects (`_load_changes`): tags from the
 * registry, rework tags from later deployed instances and from the plan
 * (plan first), so reworked instances find their `@tag` scripts.
 */
export function loadChanges(plan: Plan, deployed: readonly DeployedChange[]): Change[] {
  const changes: Change[] = [];
  const seen = new Map<string, number>();
  const reworkTagsFor = new Map<number, Tag[][]>();
  for (const d of deployed) {
    const c = new Change(plan, {
      name: d.name,
      timestamp: formatTimestamp(d.plannedAt),
      plannerName: d.planner.name,
      plannerEmail: d.planner.email,
      note: d.note,
    });
    for (const t of d.tags) {
      c.addTag(
        new Tag(plan, c, {
          name: t.replace(/^@/, ""),
          timestamp: formatTimestamp(d.plannedAt),
          plannerName: d.planner.name,
          plannerEmail: d.planner.email,
        }),
      );
    }
    const prev = seen.get(d.name);
    if (prev !== undefined) {
      const ctags = reworkTagsFor.get(prev) ?? [];
      reworkTagsFor.set(prev, ctags);
      let i = 0;
      for (let x = prev; x < changes.length; x++) {
        const rtags = ctags[i] ??= [];
        i++;
        const names = new Set(rtags.map((t) => t.name));
        rtags.push(...changes[x].tags.filter((t) => !names.has(t.name)));
      }
    }
    let reworkedIdx: number | undefined;
    try {
      reworkedIdx = plan.firstIndexOf(d.name, d.id);
    } catch {
      reworkedIdx = undefined;
    }
    if (reworkedIdx !== undefined) {
      const ctags = reworkTagsFor.get(changes.length) ?? [];
      reworkTagsFor.set(changes.length, ctags);
      const idx = plan.indexOf(d.id)!;
      let i = 0;
      for (let x = idx; x < reworkedIdx; x++) {
        const rtags = ctags[i] ??= [];
        i++;
        rtags.push(...plan.changes[x].tags);
      }
    }
    changes.push(c);
    seen.set(d.name, changes.length - 1);
  }
  for (const [idx, tags] of reworkTagsFor) {
    const names = new Set<string>();
    const list = [...tags].reverse().flat().filter((t) => {
      if (names.has(t.name)) return false;
      names.add(t.name);
      return true;
    });
    changes[idx].addReworkTags(...list);
  }
  return changes;
}

function deployedRecord(d: DeployedChange): ChangeRecord {
  return {
    id: d.id,
    name: d.name,
    project: d.project,
    note: d.note,
    scriptHash: d.scriptHash ?? undefined,
    plannedAt: d.plannedAt,
    planner: d.planner,
    dependencies: [],
    tags: [],
  };
}

/** `sqitch revert` (§3): revert the deployed changes after `to` (all without it). */
export async function revert(
  engine: Engine,
  plan: Plan,
  target: ScriptTarget,
  opts: RevertOptions,
): Promise<void> {
  const ctx = new Context(engine, plan, target, opts);
  const reporter = opts.reporter;
  await engine.connect();
  await ctx.checkRegistry();
  await ctx.lock();

  let deployed: DeployedChange[];
  if (opts.to !== undefined) {
    const id = await ctx.changeIdForKey(opts.to);
    const found = id === undefined ? undefined : await engine.loadChange(id);
    if (!found) {
      if (plan.contains(opts.to)) {
        throw workflowError(`Change not deployed: "${opts.to}"`, "revert");
      }
      throw workflowError(`Unknown change: "${opts.to}"`, "revert");
    }
    deployed = await engine.deployedChangesSince(plan.project, found.id);
    if (deployed.length === 0) {
      reporter.info(`No changes deployed since: "${opts.to}"`);
      return;
    }
    const name = loadChanges(plan, [found])[0].formatNameWithTags();
    if (opts.confirm === undefined) {
      reporter.info(`Reverting changes to ${name} from ${engine.destination}`);
    } else if (!(await opts.confirm(`Revert changes to ${name} from ${engine.destination}?`))) {
      throw new NothingReverted("revert:confirm");
    }
  } else {
    deployed = await engine.deployedChanges(plan.project);
    if (deployed.length === 0) {
      reporter.info("Nothing to revert (nothing deployed)");
      return;
    }
    if (opts.confirm === undefined) {
      reporter.info(`Reverting all changes from ${engine.destination}`);
    } else if (!(await opts.confirm(`Revert all changes from ${engine.destination}?`))) {
      throw new NothingReverted();
    }
  }

  const loaded = loadChanges(plan, deployed);
  const items: Revertible[] = loaded.map((change, i) => ({
    change,
    record: deployedRecord(deployed[i]),
  })).reverse();

  // check_revert_dependencies
  const seen = new Set<string>();
  const msg: string[] = [];
  for (const item of items) {
    seen.add(item.record.id);
    const requiring = (await engine.changesRequiring(item.record.id)).filter((r) =>
      !seen.has(r.changeId)
    );
    if (requiring.length === 0) continue;
    const list = requiring.map((r) =>
      (r.project === plan.project ? "" : `${r.project}:`) + r.change + (r.asofTag ?? "")
    ).join(" ");
    msg.push(
      `Change "${item.change.formatNameWithTags()}" required by currently deployed change${
        requiring.length === 1 ? "" : "s"
      }: ${list}`,
    );
  }
  if (msg.length > 0) throw workflowError(msg.join("\n"), "revert");

  ctx.maxNameLength = Math.max(...items.map((i) => len(i.change.formatNameWithTags())));
  for (const item of items) await ctx.revertChange(item, opts.logOnly ?? false);
}

// --- verify and check ----------------------------------------------------------------

/** Deployed changes as change objects (`changes`) beside their registry rows (`deployed`). */
export interface DeployedRange {
  changes: Change[];
  deployed: DeployedChange[];
}

/**
 * Cut a deployed range at the change `key` names (`--from`/`--to` of
 * verify and check): from that change on, or with `keepBefore` up to it.
 * Resolves with its plan index. Fails, naming `command`, when the key is
 * not deployed, not planned, or deployed before `from`.
 */
export async function cutDeployedRange(
  ctx: Context,
  range: DeployedRange,
  key: string,
  keepBefore: boolean,
  from: string | undefined,
  command: "verify" | "check",
): Promise<number> {
  const { plan } = ctx;
  const id = await ctx.changeIdForKey(key);
  if (!id) {
    throw workflowError(
      plan.contains(key)
        ? `Change "${key}" has not been deployed`
        : `Cannot find "${key}" in the database or the plan`,
      command,
    );
  }
  const idx = plan.indexOf(id);
  if (idx === undefined) {
    throw workflowError(`Change "${key}" is deployed, but not planned`, command);
  }
  const at = range.deployed.findIndex((d) => d.id === id);
  if (at < 0) {
    // Sqitch 1.3.1 dies with a Perl error here (`--to` names a change deployed before `--from`).
    throw workflowError(
      `Change "${key}" was deployed before "${from}"; nothing to ${command}`,
      command,
    );
  }
  const [start, end] = keepBefore ? [0, at + 1] : [at, undefined];
  range.changes = range.changes.slice(start, end);
  range.deployed = range.deployed.slice(start, end);
  return idx;
}

// --- verify ---------------------------------------------------------------------------

/** `sqitch verify` (§5.1). */
export async function verify(
  engine: Engine,
  plan: Plan,
  target: ScriptTarget,
  opts: VerifyOptions,
): Promise<void> {
  const ctx = new Context(engine, plan, target, opts);
  const reporter = opts.reporter;
  await engine.connect();
  await ctx.checkRegistry();
  const deployed = await engine.deployedChanges(plan.project);
  const range: DeployedRange = { changes: loadChanges(plan, deployed), deployed };

  reporter.info(`Verifying ${engine.destination}`);
  if (range.changes.length === 0) {
    reporter.info(
      plan.count ? "No changes deployed" : "Nothing to verify (no planned or deployed changes)",
    );
    return;
  }
  if (plan.count === 0) {
    throw workflowError("There are deployed changes, but none planned!", "verify");
  }

  const cut = (key: string, keepBefore: boolean) =>
    cutDeployedRange(ctx, range, key, keepBefore, opts.from, "verify");
  const fromIdx = opts.from === undefined ? 0 : await cut(opts.from, false);
  let toIdx: number;
  if (opts.to !== undefined) {
    toIdx = await cut(opts.to, true);
  } else {
    const latest = await engine.changeIdAt(plan.project, "DESC", 0);
    toIdx = (latest === undefined ? undefined : plan.indexOf(latest)) ?? plan.count - 1;
  }

  const { changes } = range;
  const ids = range.deployed.map((d) => d.id);
  const inRange = plan.changes.slice(fromIdx, toIdx + 1);
  const max = Math.max(...[...changes, ...inRange].map((c) => len(c.formatNameWithTags())));
  let errors = 0;
  const seenIdx = new Set<number>();
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i];
    let errs = 0;
    let reworked = false;
    const name = change.formatNameWithTags();
    reporter.emitLiteral(`  * ${name} ..`, ".".repeat(max - len(name)), " ");
    const planIndex = plan.indexOf(ids[i]);
    if (planIndex !== undefined) {
      seenIdx.add(planIndex);
      if (planIndex !== fromIdx + i) {
        reporter.comment("Out of order");
        errs++;
      }
      reworked = plan.changes[planIndex].isReworked;
    } else {
      reporter.comment("Not present in the plan");
      errs++;
    }
    if (!reworked) {
      try {
        await ctx.verifyChange(change);
      } catch (e) {
        reporter.comment(ctx.message(e));
        errs++;
      }
    }
    reporter.emit(errs ? "not ok" : "ok");
    errors += errs;
  }
  for (let idx = fromIdx; idx <= toIdx; idx++) {
    if (seenIdx.has(idx)) continue;
    const name = plan.changes[idx].formatNameWithTags();
    reporter.emitLiteral(`  * ${name} ..`, ".".repeat(max - len(name)), " ", "not ok", " ");
    reporter.comment("Not deployed");
    errors++;
  }
  if (opts.to === undefined && toIdx < plan.count - 1) {
    const pending = plan.changes.slice(toIdx + 1);
    reporter.emit(pending.length === 1 ? "Undeployed change:" : "Undeployed changes:");
    for (const c of pending) reporter.emit("  * ", c.formatNameWithTags());
  }
  if (errors > 0) {
    const n = Math.max(1 + toIdx - fromIdx, changes.length);
    reporter.emit("\n", "Verify Summary Report");
    reporter.emit("-".repeat("Verify Summary Report".length));
    reporter.emit(`Changes: ${n}`);
    reporter.emit(`Errors:  ${errors}`);
    throw workflowError("Verify failed", "verify");
  }
  reporter.emit("Verify successful");
}
