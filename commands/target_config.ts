/**
 * What `init`, `engine` and `target` share (Sqitch's TargetConfigCommand
 * role): the target-property options, turning them into properties (paths
 * cleaned, `--dir` names checked, `--uri`/`--engine` validated), the config
 * keys they are written as, the target they describe, writing a missing
 * plan file, and creating script directories.
 */
import type { CompatMode } from "../core/config/mod.ts";
import type { SetOperation } from "../core/config/mod.ts";
import { perlTrue } from "../core/env.ts";
import { ACCEPTED_ENGINES } from "../core/engines.ts";
import { SqlitchError, systemErrorText } from "../core/errors.ts";
import type { OptionValue } from "../core/getopt.ts";
import { systemUser } from "../core/identity.ts";
import { canonpath, dirPath, filePath } from "../core/perlpath.ts";
import { readPlan } from "../core/plan/parser.ts";
import { newPlanText } from "../core/plan_pragmas.ts";
import {
  assertCreatable,
  makeDirectories,
  scriptDirectories,
  type TargetDirectories,
} from "../core/script_dirs.ts";
import {
  commandDefaultTarget,
  resolveTarget,
  type Target,
  type TargetContext,
} from "../core/target.ts";
import { canonicalUri, DbUri, isDbUriString, uriString } from "../core/uri.ts";
import { type CommandContext, optionString } from "./context.ts";

/** The options every target-configuring command takes (after its own). */
export const TARGET_CONFIG_OPTIONS = [
  "plan-file|f=s",
  "registry=s",
  "client=s",
  "extension=s",
  "top-dir=s",
  "dir|d=s%",
  "set|s=s%",
];

/** The names `--dir` accepts. */
export const DIRECTORY_NAMES = [
  "reworked",
  "deploy",
  "reworked_deploy",
  "revert",
  "reworked_revert",
  "verify",
  "reworked_verify",
] as const;

/**
 * Target properties from the command line, keyed as Sqitch's config keys.
 * `plan_file` and `top_dir` are cleaned when Perl-true (else kept as
 * typed); the `*_dir` values from `--dir` are always cleaned.
 */
export interface ConfigProperties {
  /** `target --uri`: the URI as Perl's URI->new prints it. */
  uri?: string;
  /** `engine --target` / `init --target`: as typed. */
  target?: string;
  /** `init --engine`. */
  engine?: string;
  registry?: string;
  client?: string;
  top_dir?: string;
  plan_file?: string;
  extension?: string;
  deploy_dir?: string;
  revert_dir?: string;
  verify_dir?: string;
  reworked_dir?: string;
  reworked_deploy_dir?: string;
  reworked_revert_dir?: string;
  reworked_verify_dir?: string;
  /** `--set` pairs. */
  variables?: Record<string, string>;
}

/** The command-specific extra property a command takes (Sqitch's extra_target_keys). */
export interface ExtraKeys {
  uri?: boolean;
  target?: boolean;
  engine?: boolean;
}

/**
 * The order properties are written in after the `uri`/`target` line.
 * Sqitch writes them in Perl hash order (random from run to run); sqlitch
 * always uses this one.
 */
export const PROPERTY_ORDER = [
  "uri",
  "target",
  "engine",
  "registry",
  "client",
  "top_dir",
  "plan_file",
  "extension",
  "deploy_dir",
  "revert_dir",
  "verify_dir",
  "reworked_dir",
  "reworked_deploy_dir",
  "reworked_revert_dir",
  "reworked_verify_dir",
] as const;

type StringProperty = (typeof PROPERTY_ORDER)[number];

/** `file($path)->cleanup` as a string. */
export function cleanFile(path: string): string {
  return canonpath(filePath(path));
}

function stringOption(options: Record<string, OptionValue>, key: string): string | undefined {
  return optionString(options[key]);
}

/**
 * Build the properties from parsed options (configure + BUILD of Sqitch's
 * role): unknown `--dir` names fail with `Unknown directory name: {dirs}` /
 * `Unknown directory names: {a}, {b}` (sorted), then an unknown
 * `--engine` with `Unknown engine "{engine}"`, then a Perl-true `--uri`
 * that is not `db:` with a known engine with `URI "{uri}" is not a
 * database URI`, `No database engine in URI "{uri}"` or `Unknown engine
 * "{engine}" in URI "{uri}"`. (Sqitch dies with these outside its error
 * handler, exit 255 and a stack trace; sqlitch prints the message, exit 2.)
 */
export function propertiesFrom(
  command: string,
  options: Record<string, OptionValue>,
  extra: ExtraKeys = {},
): ConfigProperties {
  const props: ConfigProperties = {};
  for (const key of ["uri", "target", "engine"] as const) {
    if (!extra[key]) continue;
    const v = stringOption(options, key);
    if (v !== undefined) props[key] = v;
  }
  for (const key of ["registry", "client", "extension"] as const) {
    const v = stringOption(options, key);
    if (v !== undefined) props[key] = v;
  }
  const planFile = stringOption(options, "plan_file");
  if (planFile !== undefined) props.plan_file = perlTrue(planFile) ? cleanFile(planFile) : planFile;
  const topDir = stringOption(options, "top_dir");
  if (topDir !== undefined) props.top_dir = perlTrue(topDir) ? dirPath(topDir) : topDir;
  if (props.uri !== undefined && perlTrue(props.uri)) props.uri = uriString(props.uri);

  const dirs = options.dir;
  if (dirs && typeof dirs === "object" && !Array.isArray(dirs)) {
    const unknown: string[] = [];
    for (const [name, value] of Object.entries(dirs)) {
      if (!(DIRECTORY_NAMES as readonly string[]).includes(name)) {
        unknown.push(name);
        continue;
      }
      props[`${name}_dir` as StringProperty] = dirPath(value);
    }
    if (unknown.length > 0) {
      throw new SqlitchError(
        `Unknown directory name${unknown.length > 1 ? "s" : ""}: ${unknown.sort().join(", ")}`,
        { ident: command },
      );
    }
  }

  const set = options.set;
  if (set && typeof set === "object" && !Array.isArray(set)) {
    props.variables = { ...(set as Record<string, string>) };
  }

  if (perlTrue(props.engine) && !ACCEPTED_ENGINES.includes(props.engine)) {
    throw new SqlitchError(`Unknown engine "${props.engine}"`, { ident: command });
  }
  if (perlTrue(props.uri)) validateUri(command, props.uri);
  return props;
}

/** The checks Sqitch applies to `--uri`. */
function validateUri(command: string, uri: string): void {
  if (!isDbUriString(uri)) {
    throw new SqlitchError(`URI "${uri}" is not a database URI`, { ident: command });
  }
  const engine = DbUri.parse(uri).canonicalEngine;
  if (!perlTrue(engine)) {
    throw new SqlitchError(`No database engine in URI "${uri}"`, { ident: command });
  }
  if (!ACCEPTED_ENGINES.includes(engine)) {
    throw new SqlitchError(`Unknown engine "${engine}" in URI "${uri}"`, { ident: command });
  }
}

/**
 * The config writes for the properties under `prefix` (`target.dev`,
 * `engine.pg`), in PROPERTY_ORDER, then the variables as
 * `<prefix>.variables.<name>`. `multiple` follows the loaded config.
 */
export function configParams(
  ctx: CommandContext,
  prefix: string,
  props: ConfigProperties,
): SetOperation[] {
  const ops: SetOperation[] = [];
  const op = (key: string, value: string) =>
    ops.push({ key, value, multiple: ctx.config.isMultiple(key) });
  for (const name of PROPERTY_ORDER) {
    const value = props[name];
    if (value !== undefined) op(`${prefix}.${name}`, value);
  }
  for (const [name, value] of Object.entries(props.variables ?? {})) {
    op(`${prefix}.variables.${name}`, value);
  }
  return ops;
}

/** A set of `key` to `value` honouring the loaded config's multi-valuedness. */
export function setOperation(ctx: CommandContext, key: string, value: string): SetOperation {
  return { key, value, multiple: ctx.config.isMultiple(key) };
}

/**
 * The TargetContext for a command: its config, environment and OS, the
 * given layout (default: the config's compat mode), and the properties
 * that override target values (Perl-true `top_dir`, `plan_file`,
 * `registry`, `client`).
 */
export function targetContext(
  ctx: CommandContext,
  props: ConfigProperties = {},
  compat: CompatMode = ctx.config.compat,
): TargetContext {
  const overrides: TargetContext["overrides"] = {};
  if (perlTrue(props.top_dir)) overrides.topDir = props.top_dir;
  if (perlTrue(props.plan_file)) overrides.planFile = props.plan_file;
  if (perlTrue(props.registry)) overrides.registry = props.registry;
  if (perlTrue(props.client)) overrides.client = props.client;
  return {
    config: ctx.config,
    env: ctx.host.env,
    compat,
    os: ctx.host.os,
    overrides,
    sysuser: () => systemUser(ctx.host.env, ctx.host.user),
  };
}

/** What names the target configTarget builds. */
export interface ConfigTargetParams {
  name?: string;
  uri?: DbUri;
  engine?: string;
}

/**
 * The target the properties describe (Sqitch's config_target): a name
 * (given, or `props.target`) — a configured target, a URI, or a new name
 * given `db:<engine>:` (engine from the parameters, `props.engine` or
 * `core.engine`, else `No engine specified; specify via target or
 * core.engine`); else an engine's `engine.<e>.target` → `core.target` →
 * `db:<e>:`; else the command's default target. The configuration read is
 * the one loaded at start-up (writes made since are not seen).
 */
export function configTarget(
  ctx: CommandContext,
  props: ConfigProperties,
  compat: CompatMode = ctx.config.compat,
  params: ConfigTargetParams = {},
): Target {
  const tctx = targetContext(ctx, props, compat);
  const { config } = ctx;
  const value = (key: string) => {
    const v = config.get(key);
    return perlTrue(v) ? v : undefined;
  };
  const name = perlTrue(params.name) ? params.name : perlTrue(props.target) ? props.target : "";
  if (name !== "") {
    if (params.uri) return resolveTarget(tctx, { name, uri: params.uri });
    if (!name.includes(":") && value(`target.${name}.uri`) === undefined) {
      const engine = perlTrue(params.engine)
        ? params.engine
        : perlTrue(props.engine)
        ? props.engine
        : value("core.engine");
      if (engine === undefined) {
        throw new SqlitchError("No engine specified; specify via target or core.engine", {
          ident: ctx.command,
        });
      }
      return resolveTarget(tctx, { name, uri: DbUri.parse(`db:${engine}:`) });
    }
    return resolveTarget(tctx, { name });
  }
  const engine = perlTrue(params.engine) ? params.engine : props.engine;
  if (perlTrue(engine)) {
    return resolveTarget(tctx, {
      name: value(`engine.${engine}.target`) ?? value("core.target") ?? `db:${engine}:`,
    });
  }
  const def = commandDefaultTarget(targetContext(ctx, {}, compat));
  return resolveTarget(tctx, { name: def.name, uri: def.uri });
}

/** The project name of a plan file, or undefined when it cannot be read or parsed (as a whole). */
function planProject(
  ctx: CommandContext,
  file: string,
): { project: string; uri?: string } | undefined {
  try {
    const plan = readPlan(ctx.host.fs, file);
    return { project: plan.project, uri: plan.uri };
  } catch {
    return undefined;
  }
}

/** The directory part of a cleaned file path (`file(...)->dir`). */
function fileDir(path: string): string {
  const i = path.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return path.slice(0, i);
}

/**
 * Whether a plan file already exists for `project`. An existing path must
 * be a plan file of that same project, else `Cannot initialize because …`.
 */
function planExists(ctx: CommandContext, file: string, project: string): boolean {
  const info = ctx.host.fs.stat(file);
  if (!info) return false;
  if (!info.isFile) {
    throw new SqlitchError(
      `Cannot initialize because ${file} already exists and is not a file`,
      { ident: "init" },
    );
  }
  const existing = planProject(ctx, file);
  if (!existing) {
    throw new SqlitchError(
      `Cannot initialize because ${file} already exists and is not a valid plan file`,
      { ident: "init" },
    );
  }
  if (existing.project !== project) {
    throw new SqlitchError(
      `Cannot initialize because project "${existing.project}" already initialized in ${file}`,
      { ident: "init" },
    );
  }
  return true;
}

/** A plan file a command will create, checked but not yet written. */
export interface PlanToWrite {
  file: string;
  project: string;
  uri?: string;
  /** The file already exists as a plan of the same project: nothing to write. */
  exists: boolean;
}

/**
 * Everything Sqitch's write_plan checks, without writing: the project and
 * URI come from the arguments, else from the default target's plan, else
 * from the target's own plan (`Missing %project pragma in {file}` when
 * none has one); an existing file must be a plan of the same project
 * (`Cannot initialize because …`).
 */
export function planFor(
  ctx: CommandContext,
  target: Target,
  given: { project?: string; uri?: string } = {},
): PlanToWrite {
  const file = target.planFile;
  let project = given.project;
  let uri = given.uri;
  if (!perlTrue(project) || !perlTrue(uri)) {
    const def = commandDefaultTarget(targetContext(ctx, {}, target.ctx.compat));
    const source = planProject(ctx, def.planFile) ?? planProject(ctx, file);
    if (source) {
      if (!perlTrue(project)) project = source.project;
      if (!perlTrue(uri) && source.uri !== undefined) uri = canonicalUri(source.uri);
    } else if (!perlTrue(project)) {
      throw new SqlitchError(`Missing %project pragma in ${file}`, { ident: ctx.command });
    }
  }
  return { file, project: project!, uri, exists: planExists(ctx, file, project!) };
}

/**
 * Write a checked plan file unless it exists: a missing plan directory is
 * created (`Created {dir}/`), then `Created {file}`.
 */
export function writePlan(ctx: CommandContext, plan: PlanToWrite): void {
  if (plan.exists) return;
  const { fs } = ctx.host;
  const { file } = plan;
  const dir = fileDir(file);
  if (!fs.stat(dir)?.isDirectory) makeDirectories(fs, ctx.out, [dir], ctx.command);
  try {
    fs.writeText(file, newPlanText(plan.project, plan.uri));
  } catch (e) {
    throw new SqlitchError(`Cannot open ${file}: ${systemErrorText(e)}`, { ident: "init" });
  }
  ctx.out.info(`Created ${file}`);
}

/** The script directories of `targets` (cli.md §5.10). */
function targetDirectories(
  props: ConfigProperties,
  targets: readonly TargetDirectories[],
): string[] {
  const dirProps = { ...props };
  if (!perlTrue(dirProps.top_dir)) delete dirProps.top_dir;
  return scriptDirectories(dirProps, targets);
}

/** Create the script directories of `targets` (cli.md §5.10), printing `Created {dir}/`. */
export function makeTargetDirectories(
  ctx: CommandContext,
  props: ConfigProperties,
  targets: readonly TargetDirectories[],
): void {
  makeDirectories(ctx.host.fs, ctx.out, targetDirectories(props, targets), ctx.command);
}

/**
 * Fail before anything is written when the directory of a missing plan
 * file (`withPlan`) or a script directory of `targets` cannot be created (a path component is a
 * file), so a failing command leaves the project as it was.
 */
export function assertTargetDirectories(
  ctx: CommandContext,
  props: ConfigProperties,
  targets: ReadonlyArray<TargetDirectories & { planFile: string }>,
  withPlan = true,
): void {
  const fs = ctx.host.fs;
  const dirs = withPlan
    ? targets.filter((t) => !fs.stat(t.planFile)).map((t) => fileDir(t.planFile))
    : [];
  assertCreatable(ctx.host.fs, [...dirs, ...targetDirectories(props, targets)], ctx.command);
}

/**
 * Write `ops` to the local config file, then (`withPlan`) the target's
 * plan file and its script directories — the write sequence of `target`
 * and `engine` add/alter. Directories that cannot be created fail before
 * the config is touched; other failures come after the write, as in Sqitch.
 */
export function writeTargetConfig(
  ctx: CommandContext,
  props: ConfigProperties,
  ops: SetOperation[],
  params: ConfigTargetParams,
  withPlan: boolean,
): void {
  let target: Target | undefined;
  let failure: unknown;
  try {
    target = configTarget(ctx, props, undefined, params);
    assertTargetDirectories(ctx, props, [target], withPlan);
  } catch (e) {
    if (target) throw e;
    failure = e;
  }
  ctx.config.edit(ctx.config.scopeFile("local"), (doc) => doc.groupSet(ops));
  if (!target) throw failure;
  if (withPlan) writePlan(ctx, planFor(ctx, target));
  makeTargetDirectories(ctx, props, [target]);
}
