/**
 * Deployment targets: choosing the target (by name, URI, default chain or
 * positional argument), its display name, and every property Sqitch
 * derives for it — registry, client, directories, plan file, extension,
 * variables, credentials, registry location and the "destination" strings
 * used in messages. Mirrors Sqitch 1.3.1's App::Sqitch::Target plus the
 * engine-specific bits those values depend on.
 *
 * Pure: configuration comes through a ConfigReader, the environment
 * through an Env, and file existence / client probing / the system user
 * through callbacks.
 */
import type { ConfigReader } from "./config/reader.ts";
import type { Env } from "./env.ts";
import { envValue, perlTrue, sqitchEnv } from "./env.ts";
import { SqlitchError } from "./errors.ts";
import { ACCEPTED_ENGINES, defaultClient, type EngineInfo, requireEngine } from "./engines.ts";
import { dirPath, filePath, joinClean } from "./perlpath.ts";
import { DbUri, isDbUriString } from "./uri.ts";

/** Which project layout defaults apply: Sqitch's, or sqlitch's own (`sqlitch/` top dir). */
export type { CompatMode } from "./config/discovery.ts";
import type { CompatMode } from "./config/discovery.ts";

/** Command-line values that shape every target a command builds (Sqitch's target_params). */
export interface TargetOverrides {
  /** `--db-user`/`-u`: replaces the URI user. */
  user?: string;
  /** `--db-host`/`-h`: replaces the URI host. */
  host?: string;
  /** `--db-port`/`-p`: replaces the URI port. */
  port?: string | number;
  /** `--db-name`/`-d`: replaces the URI database name. */
  dbname?: string;
  /** `--registry`: used as given (even empty) when defined. */
  registry?: string;
  /** `--client`/`--db-client`: used as given when defined. */
  client?: string;
  /** `--top-dir`: used when non-empty. */
  topDir?: string;
  /** `--plan-file`/`-f`: used when non-empty. */
  planFile?: string;
}

/** Everything target resolution reads. */
export interface TargetContext {
  config: ConfigReader;
  env: Env;
  /** Layout defaults; "sqitch" when absent. */
  compat?: CompatMode;
  /** Host operating system family; "windows" appends `.exe` to default clients. */
  os?: string;
  /** Command-line overrides applied to every target built. */
  overrides?: TargetOverrides;
  /** Firebird client probing (see engines.ts `ClientOptions.findClient`). */
  findClient?: (candidates: readonly string[]) => string | undefined;
  /** The system user name (environment.md §3), for destination fallbacks. */
  sysuser?: () => string | undefined;
}

/** A configuration value, or undefined when absent or Perl-false ("" or "0"). */
function cfg(config: ConfigReader, key: string): string | undefined {
  const v = config.get(key);
  return perlTrue(v) ? v : undefined;
}

/** The last value of a possibly multi-valued key (what a config dump shows). */
function lastValue(config: ConfigReader, key: string): string | undefined {
  const all = config.getAll(key);
  for (let i = all.length - 1; i >= 0; i--) {
    const v = all[i];
    if (v !== null) return v;
  }
  return undefined;
}

function noEngineError(): SqlitchError {
  return new SqlitchError("No engine specified; specify via target or core.engine", {
    ident: "engine",
  });
}

/** A resolved deployment target. Properties are computed on first use. */
export class Target {
  /** The target name: the config name, or the password-stripped URI. */
  readonly name: string;
  /** The connection URI, with any `-u/-h/-p/-d` overrides applied. */
  readonly uri: DbUri;
  readonly ctx: TargetContext;
  private readonly cache = new Map<string, unknown>();

  /** Build a target directly; normally use resolveTarget. */
  constructor(name: string, uri: DbUri, ctx: TargetContext) {
    this.name = name;
    this.uri = uri;
    this.ctx = ctx;
  }

  private memo<T>(key: string, compute: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, compute());
    return this.cache.get(key) as T;
  }

  /** The canonical engine of the URI (`db:postgres:` ⇒ `pg`), or undefined. */
  get engineKey(): string | undefined {
    return this.uri.canonicalEngine;
  }

  /** The canonical engine; throws `No engine specified; …` when the URI has none. */
  get engine(): string {
    const key = this.engineKey;
    if (key === undefined) throw noEngineError();
    return key;
  }

  /** Engine metadata; throws `Unknown engine: {e}` for engines sqlitch does not support. */
  get engineInfo(): EngineInfo {
    return requireEngine(this.engine);
  }

  /**
   * A property from configuration: `target.<name>.<key>` →
   * `engine.<engine>.<key>` → `core.<key>`, skipping Perl-false values.
   */
  configValue(key: string): string | undefined {
    const { config } = this.ctx;
    const ekey = this.engineKey;
    return cfg(config, `target.${this.name}.${key}`) ??
      (ekey !== undefined ? cfg(config, `engine.${ekey}.${key}`) : undefined) ??
      cfg(config, `core.${key}`);
  }

  /** Connection user: `$SQITCH_USERNAME`, else the URI user (Perl-true values only). */
  get username(): string | undefined {
    const u = this.uri.user;
    return sqitchEnv(this.ctx.env, "USERNAME") ?? (perlTrue(u) ? u : undefined);
  }

  /** Connection password: `$SQITCH_PASSWORD`, else the URI password (Perl-true values only). */
  get password(): string | undefined {
    const p = this.uri.password;
    return sqitchEnv(this.ctx.env, "PASSWORD") ?? (perlTrue(p) ? p : undefined);
  }

  /** Registry name: `--registry` → config → engine default (`sqitch`; Oracle `""`). */
  get registry(): string {
    return this.memo("registry", () => {
      const o = this.ctx.overrides?.registry;
      if (o !== undefined) return o;
      return this.configValue("registry") ?? this.engineInfo.defaultRegistry;
    });
  }

  /** Client program: `--client` → config → engine default (`.exe` appended on Windows). */
  get client(): string {
    return this.memo("client", () => {
      const o = this.ctx.overrides?.client;
      if (o !== undefined) return o;
      return this.configValue("client") ??
        defaultClient(this.engine, {
          os: this.ctx.os,
          env: this.ctx.env,
          findClient: this.ctx.findClient,
        });
    });
  }

  /**
   * True when the client was chosen explicitly (`--client`, `target.<name>.client`,
   * `engine.<engine>.client` or `core.client`) rather than defaulted.
   */
  get clientConfigured(): boolean {
    return this.ctx.overrides?.client !== undefined || this.configValue("client") !== undefined;
  }

  /** Top directory: `--top-dir` → config → `.` (sqlitch mode: `sqlitch`), cleaned. */
  get topDir(): string {
    return this.memo("topDir", () => {
      const o = this.ctx.overrides?.topDir;
      if (perlTrue(o)) return dirPath(o);
      const v = this.configValue("top_dir");
      if (v !== undefined) return dirPath(v);
      return this.ctx.compat === "sqlitch" ? "sqlitch" : ".";
    });
  }

  /**
   * Plan file: `--plan-file` → config (as Path::Class prints it) →
   * `<top_dir>/sqitch.plan` cleaned (sqlitch mode: `<top_dir>/sqlitch.plan`).
   */
  get planFile(): string {
    return this.memo("planFile", () => {
      const o = this.ctx.overrides?.planFile;
      if (perlTrue(o)) return filePath(o);
      const v = this.configValue("plan_file");
      if (v !== undefined) return filePath(v);
      const base = this.ctx.compat === "sqlitch" ? "sqlitch.plan" : "sqitch.plan";
      return joinClean(this.topDir, base);
    });
  }

  /** Script file extension: config → `sql`. */
  get extension(): string {
    return this.configValue("extension") ?? "sql";
  }

  private scriptDir(type: "deploy" | "revert" | "verify"): string {
    return this.memo(`${type}Dir`, () => {
      const v = this.configValue(`${type}_dir`);
      return v !== undefined ? dirPath(v) : joinClean(this.topDir, type);
    });
  }

  private reworkedScriptDir(type: "deploy" | "revert" | "verify"): string {
    return this.memo(`reworked_${type}Dir`, () => {
      const v = this.configValue(`reworked_${type}_dir`);
      return v !== undefined ? dirPath(v) : joinClean(this.reworkedDir, type);
    });
  }

  /** Deploy scripts directory: config → `<top_dir>/deploy`. */
  get deployDir(): string {
    return this.scriptDir("deploy");
  }

  /** Revert scripts directory: config → `<top_dir>/revert`. */
  get revertDir(): string {
    return this.scriptDir("revert");
  }

  /** Verify scripts directory: config → `<top_dir>/verify`. */
  get verifyDir(): string {
    return this.scriptDir("verify");
  }

  /** Reworked scripts root: config → `<top_dir>`. */
  get reworkedDir(): string {
    return this.memo("reworkedDir", () => {
      const v = this.configValue("reworked_dir");
      return v !== undefined ? dirPath(v) : this.topDir;
    });
  }

  /** Reworked deploy directory: config → `<reworked_dir>/deploy` (1.3.1 rule). */
  get reworkedDeployDir(): string {
    return this.reworkedScriptDir("deploy");
  }

  /** Reworked revert directory: config → `<reworked_dir>/revert`. */
  get reworkedRevertDir(): string {
    return this.reworkedScriptDir("revert");
  }

  /** Reworked verify directory: config → `<reworked_dir>/verify`. */
  get reworkedVerifyDir(): string {
    return this.reworkedScriptDir("verify");
  }

  /** Variables: `[engine "<e>.variables"]` overlaid by `[target "<name>.variables"]`. */
  get variables(): Record<string, string> {
    const { config } = this.ctx;
    const out: Record<string, string> = {};
    if (this.engineKey !== undefined) {
      Object.assign(out, config.getSection(`engine.${this.engineKey}.variables`));
    }
    Object.assign(out, config.getSection(`target.${this.name}.variables`));
    return out;
  }

  /**
   * Where the registry lives, as a URI: SQLite and Firebird use a sibling
   * database file (targets-and-uris.md §5), MySQL and ClickHouse the
   * registry database on the same server, other engines the target itself.
   */
  get registryUri(): DbUri {
    return this.memo(
      "registryUri",
      () => registryUriFor(this.uri, this.engine, this.registry, this.ctx.os),
    );
  }

  /** The database named in messages (`# On database …`, `Deploying changes to …`). */
  get destination(): string {
    return this.memo("destination", () => destinationOf(this));
  }

  /** The registry named in messages (`Adding registry tables to …`, …). */
  get registryDestination(): string {
    return this.memo("registryDestination", () => {
      switch (this.engine) {
        case "sqlite":
        case "firebird":
        case "mysql":
        case "clickhouse":
          return this.registryUri.toDisplayString();
        default:
          return this.destination;
      }
    });
  }
}

/** True when a registry name is an absolute path on the host OS. */
function isAbsolutePath(path: string, os: string | undefined): boolean {
  return os === "windows" ? /^(?:[A-Za-z]:)?[\\/]/.test(path) : path.startsWith("/");
}

/**
 * The registry URI for a target URI, engine and registry name: for SQLite,
 * the last path segment's base name is replaced by the registry (keeping
 * the extension when the registry has no `.`), an absolute registry
 * replaces the whole database name, and a URI without a path gets no
 * database name; Firebird likewise with its own rule; MySQL and
 * ClickHouse replace the database name; other engines return the URI.
 */
export function registryUriFor(
  uri: DbUri,
  engine: string,
  registry: string,
  os?: string,
): DbUri {
  switch (engine) {
    case "mysql":
    case "clickhouse":
      return uri.withDbname(registry);
    case "sqlite":
    case "firebird": {
      if (registry !== "" && isAbsolutePath(registry, os)) return uri.withDbname(registry);
      const segs = uri.pathSegments;
      if (segs.length === 0) return uri.withDbname(undefined);
      const lastSeg = segs[segs.length - 1];
      const last = typeof lastSeg === "string" ? lastSeg : lastSeg[0];
      segs[segs.length - 1] = engine === "sqlite"
        ? sqliteRegistryName(last, registry)
        : firebirdRegistryName(last, registry);
      return uri.withPathSegments(segs);
    }
    default:
      return uri;
  }
}

/** SQLite: replace the base name of `segment` by `registry`, keeping extensions if needed. */
function sqliteRegistryName(segment: string, registry: string): string {
  if (registry.includes(".") || !segment.includes(".")) return registry;
  return `${registry}.${segment.slice(segment.indexOf(".") + 1)}`;
}

/** Firebird: `name[.ext]` → registry (with a `.`) or `registry[.ext]`. */
function firebirdRegistryName(segment: string, registry: string): string {
  const m = /^[^.]+([.].+)?$/.exec(segment);
  if (!m) return segment;
  return registry.includes(".") ? registry : registry + (m[1] ?? "");
}

/** The destination string for a target (targets-and-uris.md §3). */
function destinationOf(t: Target): string {
  const engine = t.engine;
  const { env } = t.ctx;
  const isUri = t.name.includes(":");
  const hasDb = perlTrue(t.uri.dbname);
  const sysuser = () => t.ctx.sysuser?.();
  switch (engine) {
    case "pg":
    case "cockroach": {
      if (!isUri || hasDb) return t.name;
      const db = envValue(env, "PGDATABASE") ?? t.username ?? envValue(env, "PGUSER") ??
        nonEmpty(sysuser());
      return t.uri.withoutPassword().withDbname(db).toString();
    }
    case "oracle": {
      if (!isUri || hasDb) return t.name;
      const db = envValue(env, "TWO_TASK") ??
        (t.ctx.os === "windows" ? envValue(env, "LOCAL") : undefined) ??
        envValue(env, "ORACLE_SID") ?? t.username;
      return t.uri.withoutPassword().withDbname(db).toString();
    }
    case "vertica": {
      if (!isUri || hasDb) return t.name;
      const user = t.username ?? envValue(env, "VSQL_USER") ?? nonEmpty(sysuser());
      const db = envValue(env, "VSQL_DATABASE") ?? user;
      return t.uri.withoutPassword().withDbname(db).toString();
    }
    case "exasol":
      if (!isUri || hasDb) return t.name;
      return t.uri.toDisplayString();
    case "snowflake":
      if (!isUri) return t.name;
      return t.uri.toDisplayString();
    default:
      return t.name;
  }
}

function nonEmpty(v: string | undefined): string | undefined {
  return perlTrue(v) ? v : undefined;
}

/** What to resolve: a name or URI string, or an already-parsed URI. */
export interface TargetSpec {
  /** Target name or URI (anything containing `:` is a URI). Perl-false ⇒ the default target. */
  name?: string;
  /** A URI given up front: no lookup, no overrides; the name defaults to the stripped URI. */
  uri?: DbUri;
}

/**
 * Resolve a target as App::Sqitch::Target->new does. Without a name:
 * `$SQITCH_TARGET` → `core.target` → `engine.<core.engine>.target` →
 * `db:<core.engine>:`, else `No engine specified; specify via target or
 * core.engine` (project initialised) or `No project configuration found.
 * Run the "init" command to initialize a project`. A name containing `:` is
 * a URI (its password-stripped form, after `-u/-h/-p/-d` overrides, is the
 * target name); otherwise `target.<name>.uri` must exist (`Cannot find
 * target "{S}"` / `No URI associated with target "{S}"`). A URI without an
 * engine fails with `No engine specified by URI {uri}; URI must start with
 * "db:$engine:"` unless it came from the core.engine chain.
 */
export function resolveTarget(ctx: TargetContext, spec: TargetSpec = {}): Target {
  const { config } = ctx;
  if (spec.uri) {
    // Sqitch 1.3.1 dies ("Missing required arguments: name") when a URI is
    // given without a name while $SQITCH_TARGET is set; the URI names it here.
    return new Target(perlTrue(spec.name) ? spec.name : spec.uri.toDisplayString(), spec.uri, ctx);
  }

  let name: string | undefined = perlTrue(spec.name) ? spec.name : sqitchEnv(ctx.env, "TARGET");

  let fromCoreEngine = false;
  if (!perlTrue(name)) {
    const core = cfg(config, "core.target");
    if (core !== undefined) {
      name = core;
    } else {
      const raw = cfg(config, "core.engine");
      if (raw === undefined) {
        throw new SqlitchError(
          config.initialized
            ? "No engine specified; specify via target or core.engine"
            : 'No project configuration found. Run the "init" command to initialize a project',
          { ident: "target" },
        );
      }
      const ekey = raw.replace(/\s+$/, "");
      fromCoreEngine = true;
      name = cfg(config, `engine.${ekey}.target`) ?? `db:${ekey}:`;
    }
  }

  let uriText: string;
  let targetName: string | undefined;
  if (name.includes(":")) {
    uriText = name;
  } else {
    targetName = name;
    const u = cfg(config, `target.${name}.uri`);
    if (u === undefined) {
      if (Object.keys(config.getSection(`target.${name}`)).length === 0) {
        throw new SqlitchError(`Cannot find target "${name}"`, { ident: "target" });
      }
      throw new SqlitchError(`No URI associated with target "${name}"`, { ident: "target" });
    }
    uriText = u;
  }

  let uri = DbUri.parse(uriText);
  if (!fromCoreEngine && uri.canonicalEngine === undefined) {
    throw new SqlitchError(
      `No engine specified by URI ${uri.toString()}; URI must start with "db:$engine:"`,
      { ident: "target" },
    );
  }

  const o = ctx.overrides ?? {};
  if (o.user !== undefined) uri = uri.withUser(o.user);
  if (o.host !== undefined) uri = uri.withHost(o.host);
  if (o.port !== undefined) uri = uri.withPort(o.port);
  if (o.dbname !== undefined) uri = uri.withDbname(o.dbname);

  return new Target(targetName ?? uri.toDisplayString(), uri, ctx);
}

/**
 * The target a command uses when it needs one without parsing arguments
 * (Sqitch's `default_target`): with neither `core.engine` nor
 * `core.target` configured it is the engine-less `db:` URI; otherwise the
 * default target.
 */
export function commandDefaultTarget(ctx: TargetContext): Target {
  if (
    cfg(ctx.config, "core.engine") === undefined && cfg(ctx.config, "core.target") === undefined
  ) {
    return resolveTarget(ctx, { uri: DbUri.parse("db:") });
  }
  return resolveTarget(ctx);
}

/**
 * Every target of the project (`--all`, `<cmd>.all`), de-duplicated: the
 * default target (`core.target`, else `engine.<core.engine>.target` or
 * `db:<core.engine>:`; `$SQITCH_TARGET` is not consulted), then each
 * `target.<name>.uri` target, then each `engine.<e>.target` value, then
 * `db:<e>:` for every other `[engine "<e>"]` section. Within each group
 * the order is the config's sorted key order (Sqitch's is random).
 */
export function allTargets(ctx: TargetContext): Target[] {
  const { config } = ctx;
  const keys = config.keys();
  const targets: Target[] = [];
  const seen = new Set<string>();
  const value = (key: string) => {
    const v = lastValue(config, key);
    return perlTrue(v) ? v : undefined;
  };

  let core = value("core.target");
  if (core === undefined) {
    const engine = value("core.engine");
    if (engine !== undefined) {
      const e = engine.replace(/\s+$/, "");
      core = value(`engine.${e}.target`) ?? `db:${e}:`;
    }
  }
  if (core !== undefined) {
    targets.push(resolveTarget(ctx, { name: core }));
    seen.add(core);
  }

  for (const key of keys) {
    const m = /^target\.([^.]+)\.uri$/.exec(key);
    if (!m || seen.has(m[1])) continue;
    targets.push(resolveTarget(ctx, { name: m[1] }));
    seen.add(m[1]);
  }

  for (const key of keys) {
    const m = /^engine\.([^.]+)\.target$/.exec(key);
    if (!m) continue;
    const val = value(key) ?? "";
    if (!seen.has(val)) {
      targets.push(resolveTarget(ctx, { name: val }));
      seen.add(val);
    }
    seen.add(m[1]);
  }

  for (const key of keys) {
    const m = /^engine\.([^.]+)/.exec(key);
    if (!m) continue;
    const engine = m[1].replace(/\s+$/, "");
    if (seen.has(engine)) continue;
    seen.add(engine);
    const uri = DbUri.parse(`db:${engine}:`);
    if (seen.has(uri.toString())) continue;
    targets.push(resolveTarget(ctx, { uri }));
    seen.add(uri.toString());
  }

  return targets;
}

/** Options for classifying positional arguments (cli.md §4). */
export interface ClassifyOptions {
  /** The positional arguments, in order. */
  args: readonly string[];
  /** `--target` value; an error building it is raised at once. */
  target?: string;
  /**
   * Step 2, for commands that accept changes: whether `arg` names a change
   * in `target`'s plan (the callback checks that the plan file exists).
   * Omit for commands that take no change arguments.
   */
  isChange?: (arg: string, target: Target) => boolean;
  /** Whether a path exists (step 5). */
  fileExists: (path: string) => boolean;
  /** Engine names recognised in step 4 (default: the 1.3.1 list plus HEAD engines). */
  engines?: readonly string[];
}

/** The outcome of classifying positional arguments. */
export interface Classified {
  /** `--target` first, then targets named by arguments, de-duplicated by name. */
  targets: Target[];
  /** Arguments recognised as changes. */
  changes: string[];
  /** Arguments that are nothing known, in order. */
  unknown: string[];
  /** The default target, when no `--target` was given and it could be built. */
  defaultTarget?: Target;
  /** The deferred error from building the default target, if any. */
  defaultError?: unknown;
}

/**
 * Classify positional arguments left to right: a change of the current
 * target's plan (via `isChange`); a configured target name or `db:` URI;
 * an engine name (its `engine.<e>.target` or `db:<e>:`); an existing file
 * that is some target's plan file; else unknown.
 */
export function classifyArgs(ctx: TargetContext, opts: ClassifyOptions): Classified {
  const engines = opts.engines ?? ACCEPTED_ENGINES;
  const out: Classified = { targets: [], changes: [], unknown: [] };
  const seen = new Set<string>();
  let current: Target | undefined;

  if (perlTrue(opts.target)) {
    current = resolveTarget(ctx, { name: opts.target });
    out.targets.push(current);
    seen.add(current.name);
  } else {
    try {
      current = resolveTarget(ctx);
      out.defaultTarget = current;
    } catch (err) {
      out.defaultError = err;
    }
  }

  const add = (t: Target) => {
    current = t;
    if (!seen.has(t.name)) {
      seen.add(t.name);
      out.targets.push(t);
    }
  };
  let byPlan: Map<string, Target> | undefined;

  for (const arg of opts.args) {
    if (opts.isChange && current && opts.isChange(arg, current)) {
      out.changes.push(arg);
    } else if (cfg(ctx.config, `target.${arg}.uri`) !== undefined || isDbUriString(arg)) {
      add(resolveTarget(ctx, { name: arg }));
    } else if (engines.includes(arg)) {
      add(resolveTarget(ctx, { name: cfg(ctx.config, `engine.${arg}.target`) ?? `db:${arg}:` }));
    } else if (opts.fileExists(arg)) {
      if (!byPlan || byPlan.size === 0) {
        byPlan = new Map();
        for (const t of allTargets(ctx)) if (!byPlan.has(t.planFile)) byPlan.set(t.planFile, t);
      }
      const t = byPlan.get(arg);
      if (t) add(t);
      else out.unknown.push(arg);
    } else {
      out.unknown.push(arg);
    }
  }
  return out;
}

/** Options for the full argument parse of a command. */
export interface ParseArgsOptions extends ClassifyOptions {
  /** Command name, for `<command>.all` and error idents. */
  command: string;
  /** `--all` given. */
  all?: boolean;
  /** Names the command takes; Perl-false entries are filled from unknown arguments. */
  names?: readonly (string | undefined)[];
}

/** The result of parsing a command's positional arguments. */
export interface ParsedArgs {
  names: (string | undefined)[];
  targets: Target[];
  changes: string[];
}

/**
 * Sqitch's `parse_args`: classify the arguments, fill missing names from
 * unknowns, fail on remaining unknowns (`Unknown argument "{arg}"` /
 * `Unknown arguments: {a}, {b}`), then pick the targets: `--all` ⇒ all
 * targets (`Cannot specify both --all and engine, target, or plan
 * arugments` when some were named); none named ⇒ all targets when
 * `<command>.all` is true, else the default target (raising its deferred
 * error).
 */
export function parseArgs(ctx: TargetContext, opts: ParseArgsOptions): ParsedArgs {
  const c = classifyArgs(ctx, opts);
  const unknown = [...c.unknown];
  const names = (opts.names ?? []).map((n) => (perlTrue(n) ? n : unknown.shift()));

  if (unknown.length === 1) {
    throw new SqlitchError(`Unknown argument "${unknown[0]}"`, { ident: opts.command });
  }
  if (unknown.length > 1) {
    throw new SqlitchError(`Unknown arguments: ${unknown.join(", ")}`, { ident: opts.command });
  }

  let targets = c.targets;
  if (opts.all) {
    if (targets.length > 0) {
      throw new SqlitchError(
        "Cannot specify both --all and engine, target, or plan arugments",
        { ident: opts.command },
      );
    }
    targets = allTargets(ctx);
  } else if (targets.length === 0) {
    if (ctx.config.getBool(`${opts.command}.all`)) {
      targets = allTargets(ctx);
    } else {
      if (c.defaultError !== undefined) throw c.defaultError;
      targets = c.defaultTarget ? [c.defaultTarget] : [];
    }
  }
  return { names, targets, changes: opts.isChange ? c.changes : [] };
}
