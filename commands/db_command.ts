/**
 * What the commands that work on a database share (`deploy`, `revert`,
 * `verify`; cli.md §5 intro): the connection options, the target they
 * name (with the `-d/-u/-h/-p`, `--registry` and `--client` overrides),
 * the plan, the engine, the committer and where script output goes.
 */
import { perlTrue } from "../core/env.ts";
import { requireEngine } from "../core/engines.ts";
import { SqlitchError } from "../core/errors.ts";
import type { OptionValue } from "../core/getopt.ts";
import { userEmail, userName } from "../core/identity.ts";
import { readPlan } from "../core/plan/parser.ts";
import type { Plan } from "../core/plan/plan.ts";
import type { Output } from "../core/output.ts";
import { parseArgs, type Target, type TargetContext } from "../core/target.ts";
import type { Engine, Person, ScriptOutput } from "../engines/engine.ts";
import { type CommandContext, optionString } from "./context.ts";
import { CONTEXT_OPTIONS, contextProperties } from "./plan_command.ts";
import { type ConfigProperties, targetContext } from "./target_config.ts";
import { importLazily } from "../io/lazy_import.ts";

/** The connection options (Sqitch's ConnectingCommand role), after a command's own. */
export const CONNECTION_OPTIONS = [
  "registry=s",
  "client|db-client=s",
  "db-name|d=s",
  "db-user|db-username|u=s",
  "db-host|h=s",
  "db-port|p=i",
];

/** Connection and context options, after a command's own. */
export const DB_COMMAND_OPTIONS = [...CONNECTION_OPTIONS, ...CONTEXT_OPTIONS];

/** The TargetContext with every command-line override applied. */
export function dbTargetContext(
  ctx: CommandContext,
  options: Record<string, OptionValue>,
  props: ConfigProperties = contextProperties(ctx, options),
): TargetContext {
  const tctx = targetContext(ctx, props);
  const o = { ...tctx.overrides };
  const registry = optionString(options.registry);
  if (registry !== undefined) o.registry = registry;
  const client = optionString(options.client);
  if (client !== undefined) o.client = client;
  const user = optionString(options.db_user);
  if (user !== undefined) o.user = user;
  const host = optionString(options.db_host);
  if (host !== undefined) o.host = host;
  if (typeof options.db_port === "number") o.port = options.db_port;
  const dbname = optionString(options.db_name);
  if (dbname !== undefined) o.dbname = dbname;
  return { ...tctx, overrides: o };
}

/** The target and change arguments of a database command, with its plan reader. */
export interface DbArgs {
  target: Target;
  changes: string[];
  plan: () => Plan;
}

/**
 * Sqitch's `parse_args` for a command taking a target and changes; the
 * first target is used (`Too many targets specified; connecting to {t}`).
 */
export function dbArgs(
  ctx: CommandContext,
  options: Record<string, OptionValue>,
  args: readonly string[],
): DbArgs {
  const { host, out } = ctx;
  const plans = new Map<string, Plan>();
  const planOf = (target: Target): Plan => {
    let plan = plans.get(target.planFile);
    if (!plan) {
      plan = readPlan(host.fs, target.planFile);
      plans.set(target.planFile, plan);
    }
    return plan;
  };
  const parsed = parseArgs(dbTargetContext(ctx, options), {
    command: ctx.command,
    args,
    target: optionString(options.target),
    isChange: (arg, target) =>
      host.fs.stat(target.planFile) !== undefined && planOf(target).contains(arg),
    fileExists: (path) => host.fs.stat(path) !== undefined,
  });
  const [target, ...others] = parsed.targets;
  if (others.length > 0) out.warn(`Too many targets specified; connecting to ${target.name}`);
  return { target, changes: parsed.changes, plan: () => planOf(target) };
}

/** Where an engine's messages go while a command drives it. */
export interface EngineIo {
  /** Sqitch's warnings from the engine (`warning: ` lines on stderr). */
  out: Pick<Output, "warn">;
  /**
   * What a configured client prints while it creates or upgrades the
   * registry (Sqitch lets it through).
   */
  registryOutput?: ScriptOutput;
}

/**
 * The engine for a target; unknown engines and engines sqlitch cannot
 * drive yet fail with exit 2.
 */
export async function engineFor(target: Target, doing: string, io: EngineIo): Promise<Engine> {
  const key = target.engineKey ?? target.engine;
  if (key === "pg") {
    const { PgEngine } = await importLazily<typeof import("../engines/pg.ts")>(
      "engines/pg.ts",
    );
    return PgEngine.fromTarget(target);
  }
  if (key === "cockroach") {
    const { CockroachEngine } = await importLazily<typeof import("../engines/cockroach.ts")>(
      "engines/cockroach.ts",
    );
    return CockroachEngine.fromTarget(target);
  }
  if (key === "mysql") {
    const { MysqlEngine } = await importLazily<typeof import("../engines/mysql.ts")>(
      "engines/mysql.ts",
    );
    // Sqitch's warnings: `Database name missing in URI`, `checkit()` skipped.
    return MysqlEngine.fromTarget(target, { warn: (message) => io.out.warn(message) });
  }
  if (key !== "sqlite") {
    requireEngine(target.engine); // `Unknown engine: {e}`, as Sqitch ≥ 1.5
    throw new SqlitchError(`sqlitch cannot ${doing} ${key} targets yet`, { ident: "engine" });
  }
  const { SqliteEngine } = await importLazily<typeof import("../engines/sqlite.ts")>(
    "engines/sqlite.ts",
  );
  return SqliteEngine.fromTarget(target, { registryOutput: io.registryOutput });
}

/** The sqitch user recorded as committer. */
export function committer(ctx: CommandContext): Person {
  return {
    name: userName(ctx.host.env, ctx.config, ctx.host.user),
    email: userEmail(ctx.host.env, ctx.config, ctx.host.user),
  };
}

/** Script output straight to the terminal, as the native clients inherit it. */
export function terminalOutput(ctx: CommandContext): ScriptOutput {
  return {
    stdout: (chunk) => ctx.host.stdout.write(chunk),
    stderr: (chunk) => ctx.host.stderr.write(chunk),
  };
}

/**
 * Script variables: the config sections in order (later wins), the
 * target's, then `--set`.
 */
export function scriptVariables(
  ctx: CommandContext,
  sections: readonly string[],
  target: Target,
  set: OptionValue | undefined,
): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const s of sections) Object.assign(vars, ctx.config.getSection(`${s}.variables`));
  Object.assign(vars, target.variables);
  if (set && typeof set === "object" && !Array.isArray(set)) Object.assign(vars, set);
  return vars;
}

/** The first Perl-true of the values. */
export function firstTrue(...values: (string | undefined)[]): string | undefined {
  return values.find((v) => perlTrue(v));
}
