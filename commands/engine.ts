/**
 * `engine`: list, add, alter, remove and show the per-engine settings kept
 * in the project config file (cli.md §5.7).
 */
import { perlTrue } from "../core/env.ts";
import { ACCEPTED_ENGINES } from "../core/engines.ts";
import { SqlitchError, UsageError } from "../core/errors.ts";
import { resolveTarget } from "../core/target.ts";
import { DbUri } from "../core/uri.ts";
import { type CommandContext, parseCommandOptions } from "./context.ts";
import { dispatch, listVerbosely, matchingKeys, renameSections, showTarget } from "./target.ts";
import {
  configParams,
  type ConfigProperties,
  propertiesFrom,
  setOperation,
  TARGET_CONFIG_OPTIONS,
  targetContext,
  writeTargetConfig,
} from "./target_config.ts";

/** The engine command's options: `--target` and the target properties. */
export const OPTIONS = ["target=s", ...TARGET_CONFIG_OPTIONS];

type Action = (ctx: CommandContext, props: ConfigProperties, args: string[]) => void;

const ACTIONS: Record<string, Action> = {
  list: (ctx) => list(ctx),
  add,
  alter,
  remove,
  rm: remove,
  show,
};

/** `sqitch engine [action] [args] [options]`. */
export function run(ctx: CommandContext, argv: string[]): number {
  const { options, args } = parseCommandOptions("engine", OPTIONS, argv);
  const props = propertiesFrom("engine", options, { target: true });
  const action = dispatch("engine", ACTIONS, args.shift());
  action(ctx, props, args);
  return 0;
}

/** `Unknown engine "{engine}"` unless sqlitch knows the engine. */
function checkEngine(engine: string): void {
  if (!ACCEPTED_ENGINES.includes(engine)) {
    throw new SqlitchError(`Unknown engine "${engine}"`, { ident: "engine" });
  }
}

const ENGINE_TARGET_KEY = new RegExp(`^engine[.](?:${ACCEPTED_ENGINES.join("|")})[.]target$`, "i");

/** `list`: each known engine with an `engine.<e>.target`, sorted; with `-v` also the target. */
function list(ctx: CommandContext): void {
  const verbose = listVerbosely(ctx);
  for (const { key, value } of matchingKeys(ctx, ENGINE_TARGET_KEY)) {
    const engine = /engine[.]([^.]+)/i.exec(key)![1];
    ctx.out.emit(verbose ? `${engine}\t${value ?? ""}` : engine);
  }
}

/**
 * The target value to store for `engine`: `--target`, else `name`; a URI
 * must use the engine (stored as `db:` URI), a name must be a configured
 * target. Undefined when neither is given.
 */
function engineTarget(
  ctx: CommandContext,
  props: ConfigProperties,
  engine: string,
  name: string | undefined,
): string | undefined {
  const target = perlTrue(props.target) ? props.target : perlTrue(name) ? name : undefined;
  if (target === undefined) return undefined;
  if (target.includes(":")) {
    const uri = DbUri.parse(target);
    // An engine-less URI leaves the placeholder as is (Perl's __x with undef).
    const other = uri.canonicalEngine ?? "{new}";
    if (uri.canonicalEngine !== engine) {
      throw new SqlitchError(
        `Cannot assign URI using engine "${other}" to engine "${engine}"`,
        { ident: "engine" },
      );
    }
    return uri.toString();
  }
  if (perlTrue(ctx.config.get(`target.${target}.uri`))) return target;
  throw new SqlitchError(`Unknown target "${target}"`, { ident: "engine" });
}

/** `add <engine> [<target>]`: write the engine, then its plan file and directories. */
function add(ctx: CommandContext, props: ConfigProperties, args: string[]): void {
  const [engine, name] = args;
  if (!perlTrue(engine)) throw new UsageError("engine");
  checkEngine(engine);
  const { config } = ctx;
  const prefix = `engine.${engine}`;
  if (perlTrue(config.get(`${prefix}.target`))) {
    throw new SqlitchError(`Engine "${engine}" already exists`, { ident: "engine" });
  }
  const value = engineTarget(ctx, props, engine, name) ?? `db:${engine}:`;
  const ops = [setOperation(ctx, `${prefix}.target`, value), ...configParams(ctx, prefix, props)];
  writeTargetConfig(ctx, props, ops, { name, engine }, true);
}

/** `alter <engine>`: write the given properties of an existing engine; create directories. */
function alter(ctx: CommandContext, props: ConfigProperties, args: string[]): void {
  const [engine] = args;
  if (!perlTrue(engine)) throw new UsageError("engine");
  checkEngine(engine);
  const { config } = ctx;
  const prefix = `engine.${engine}`;
  if (!perlTrue(config.get(`${prefix}.target`))) {
    const target = perlTrue(props.target) ? props.target : `db:${engine}:`;
    throw new SqlitchError(
      `Missing Engine "${engine}"; use "add ${engine} ${target}" to add it`,
      { ident: "engine" },
    );
  }
  if (perlTrue(props.target)) props.target = engineTarget(ctx, props, engine, undefined);
  const ops = configParams(ctx, prefix, props);
  writeTargetConfig(ctx, props, ops, { engine }, false);
}

/** `remove|rm <engine>`. */
function remove(ctx: CommandContext, _props: ConfigProperties, args: string[]): void {
  const [engine] = args;
  if (!perlTrue(engine)) throw new UsageError("engine");
  renameSections(
    ctx,
    `engine.${engine}`,
    undefined,
    () => new SqlitchError(`Unknown engine "${engine}"`, { ident: "engine" }),
  );
}

/**
 * `show <engine>...`: a block per engine, for its `engine.<e>.target`, else
 * `db:<e>:` (Sqitch 1.3.1 uses `db:<e>` there, which always fails with
 * `No engine specified by URI db:<e>; …`; sqlitch shows the engine's
 * default target instead). No names ⇒ list.
 */
function show(ctx: CommandContext, _props: ConfigProperties, names: string[]): void {
  if (names.length === 0) return list(ctx);
  const tctx = targetContext(ctx);
  for (const engine of names) {
    const configured = ctx.config.get(`engine.${engine}.target`);
    const name = perlTrue(configured) ? configured : `db:${engine}:`;
    const target = resolveTarget(tctx, { name });
    showTarget(ctx.out, engine, ["Target", () => target.name], target);
  }
}
