/**
 * `init`: create a project — the project config file, the plan and the
 * script directories — exactly as `sqitch init` does, or, with
 * `--compat sqlitch`, in sqlitch's tidy layout (`sqlitch.conf` at the top,
 * everything else under `sqlitch/`).
 */
import type { CompatMode } from "../core/config/mod.ts";
import { buildConfigText, type SetOperation, writeConfigText } from "../core/config/mod.ts";
import { SqlitchError, UsageError } from "../core/errors.ts";
import { canonicalUri } from "../core/uri.ts";
import { validateProjectName } from "../core/names.ts";
import { type CommandContext, parseCommandOptions } from "./context.ts";
import {
  assertTargetDirectories,
  type ConfigProperties,
  configTarget,
  makeTargetDirectories,
  planFor,
  propertiesFrom,
  PROPERTY_ORDER,
  TARGET_CONFIG_OPTIONS,
  writePlan,
} from "./target_config.ts";

/** Init's options: the project URI, the engine, the compat mode and the target properties. */
export const OPTIONS = ["uri=s", "engine=s", "target=s", "compat=s", ...TARGET_CONFIG_OPTIONS];

/** `sqitch init <project> [--uri <uri>] [options]`. */
export function run(ctx: CommandContext, argv: string[]): number {
  const { options, args } = parseCommandOptions("init", OPTIONS, argv);
  const props = propertiesFrom("init", options, { engine: true, target: true });
  const mode = compatOption(options.compat);
  const uri = typeof options.uri === "string" && options.uri !== ""
    ? canonicalUri(options.uri)
    : undefined;

  const project = args[0];
  if (!project) throw new UsageError("init");
  validateProjectName(project);

  const { config, host, out } = ctx;
  const file = config.scopeFile("local", mode);
  const existing = host.fs.stat(file.absolute);
  if (existing?.isFile && options.compat !== undefined && config.compat !== mode) {
    throw new SqlitchError(
      `Cannot initialize with --compat ${mode}: ${file.path} already uses compat mode "${config.compat}"`,
      { ident: "init" },
    );
  }
  const layout: CompatMode = existing?.isFile ? config.compat : mode;
  const target = configTarget(ctx, props, layout);

  // Directories that cannot be created fail the command before anything is written.
  assertTargetDirectories(ctx, props, [target]);
  if (!existing?.isFile) {
    writeConfigText(host.fs, file, configText(ctx, props, layout, target));
    out.info(`Created ${file.path}`);
  }
  writePlan(ctx, planFor(ctx, target, { project, uri }));
  makeTargetDirectories(ctx, props, [target]);
  return 0;
}

/** The `--compat` value: sqitch (default) or sqlitch; anything else is an error. */
function compatOption(value: unknown): CompatMode {
  if (value === undefined || value === "sqitch") return "sqitch";
  if (value === "sqlitch") return "sqlitch";
  throw new SqlitchError(
    `Invalid --compat value "${value}": must be "sqitch" or "sqlitch"`,
    { ident: "init" },
  );
}

/** The text of a new project config file (cli.md §5.9; sqlitch layout for compat sqlitch). */
function configText(
  ctx: CommandContext,
  props: ConfigProperties,
  mode: CompatMode,
  target: ReturnType<typeof configTarget>,
): string {
  const steps: Parameters<typeof buildConfigText>[0] = [];
  const vars: SetOperation[] = [];
  const comments: string[] = [];
  const ekey = props.engine ?? target.engineKey;

  if (ekey) vars.push({ key: "core.engine", value: ekey });
  else comments.push("\tengine = ");

  if (mode === "sqlitch") {
    vars.push({ key: "core.compat", value: "sqlitch" });
    vars.push({ key: "core.top_dir", value: props.top_dir ?? "sqlitch" });
    if (props.plan_file) vars.push({ key: "core.plan_file", value: props.plan_file });
    else comments.push(`\tplan_file = ${target.planFile}`);
    for (const [name, value] of scriptSettings(props)) {
      vars.push({ key: `core.${name}`, value });
    }
    for (const name of ["deploy_dir", "revert_dir", "verify_dir", "extension"] as const) {
      if (props[name] === undefined) comments.push(`\t${name} = ${effective(target, name)}`);
    }
  } else {
    for (const name of ["plan_file", "top_dir"] as const) {
      const value = props[name];
      if (value) vars.push({ key: `core.${name}`, value });
      else comments.push(`\t${name} = ${effective(target, name)}`);
    }
    for (const [name, value] of scriptSettings(props)) {
      vars.push({ key: `core.${name}`, value });
    }
  }
  for (const [name, value] of Object.entries(props.variables ?? {})) {
    vars.push({ key: `core.variables.${name}`, value });
  }

  if (vars.length > 0) steps.push({ set: vars });
  else comments.unshift("[core]");
  if (comments.length > 0) {
    steps.push({ comment: comments.join("\n"), options: { indented: true } });
  }

  if (ekey) {
    const engineVars: SetOperation[] = [];
    const engineComments: string[] = [];
    for (const key of ["target", "registry", "client"] as const) {
      const value = props[key];
      if (value) {
        engineVars.push({ key: `engine.${ekey}.${key}`, value });
        continue;
      }
      const def = key === "target"
        ? target.name
        : key === "registry"
        ? target.registry
        : target.client;
      engineComments.push(`\t${key} = ${def ?? ctx.config.get(`engine.${ekey}.${key}`) ?? ""}`);
    }
    if (engineVars.length > 0) steps.push({ set: engineVars });
    else engineComments.unshift(`[engine "${ekey}"]`);
    if (engineComments.length > 0) {
      steps.push({ comment: engineComments.join("\n"), options: { indented: true } });
    }
  }

  if (props.target && !props.target.includes(":")) {
    steps.push({ set: [{ key: `target.${props.target}.uri`, value: target.uri.toString() }] });
  }
  return buildConfigText(steps);
}

/** The script settings given on the command line, in the order Sqitch writes them. */
function scriptSettings(props: ConfigProperties): Array<[string, string]> {
  const names = PROPERTY_ORDER.slice(PROPERTY_ORDER.indexOf("extension"));
  return names.flatMap((name) => {
    const value = props[name];
    return value === undefined ? [] : [[name, value] as [string, string]];
  });
}

/** The target's effective value of a layout property, as init comments it. */
function effective(
  target: ReturnType<typeof configTarget>,
  name: "plan_file" | "top_dir" | "deploy_dir" | "revert_dir" | "verify_dir" | "extension",
): string {
  switch (name) {
    case "plan_file":
      return target.planFile;
    case "top_dir":
      return target.topDir;
    case "deploy_dir":
      return target.deployDir;
    case "revert_dir":
      return target.revertDir;
    case "verify_dir":
      return target.verifyDir;
    case "extension":
      return target.extension;
  }
}
