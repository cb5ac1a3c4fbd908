/**
 * `status` (cli.md §5.17): the latest deployed change of a project, the
 * deployed changes and tags on request, and what of the plan is left to
 * deploy. Comment lines go to stdout even with `--quiet`.
 */
import { formatDate, validateDateFormat } from "../core/dates.ts";
import { perlTrue } from "../core/env.ts";
import { SqlitchError } from "../core/errors.ts";
import { readPlan } from "../core/plan/parser.ts";
import type { Plan } from "../core/plan/plan.ts";
import { parseArgs } from "../core/target.ts";
import { type TimeZone, UTC_ZONE } from "../core/timezone.ts";
import type { CurrentItem, CurrentState, Engine } from "../engines/engine.ts";
import { type CommandContext, optionString, parseCommandOptions } from "./context.ts";
import { CONTEXT_OPTIONS, contextProperties } from "./plan_command.ts";
import { CONNECTION_OPTIONS, dbTargetContext, engineFor } from "./db_command.ts";
import {
  type AttributeType,
  mergedBool,
  mergedString,
  mergeSectionConfig,
} from "./section_config.ts";

/** status's option specs (Getopt::Long notation; also read by shell completion). */
export const OPTIONS = [
  "project=s",
  "target|t=s",
  "show-tags",
  "show-changes",
  "date-format|date=s",
  ...CONNECTION_OPTIONS,
  ...CONTEXT_OPTIONS,
];

/** The status command's attributes a `[status]` config key can set. */
const ATTRIBUTES: Readonly<Record<string, AttributeType>> = {
  project: "Str",
  target: "Str",
  show_changes: "Bool",
  show_tags: "Bool",
  date_format: "Str",
};

/** `sqitch status [options] [<database>]`. */
export async function run(ctx: CommandContext, argv: string[]): Promise<number> {
  const { options, args } = parseCommandOptions("status", OPTIONS, argv);
  const { config, host, out } = ctx;

  // configure: the date format, then the boolean options from config.
  const optDate = optionString(options.date_format);
  const cfgDate = config.get("status.date_format");
  const checkDate = perlTrue(optDate) ? optDate : cfgDate;
  if (perlTrue(checkDate)) validateDateFormat(checkDate);
  for (const key of ["show_changes", "show_tags"]) {
    if (options[key] !== undefined) continue;
    const value = config.getBool(`status.${key}`);
    if (value !== undefined) options[key] = value;
  }
  const merged = mergeSectionConfig(ctx, "status", ATTRIBUTES, options);
  const dateFormat = perlTrue(mergedString(merged.date_format))
    ? mergedString(merged.date_format)!
    : perlTrue(cfgDate)
    ? cfgDate
    : "iso";
  const zone = (await host.timeZone?.()) ?? UTC_ZONE;

  // execute: the target, its engine and the project.
  const props = contextProperties(ctx, options);
  const parsed = parseArgs(dbTargetContext(ctx, options, props), {
    command: "status",
    args,
    target: mergedString(merged.target),
    fileExists: (path) => host.fs.stat(path) !== undefined,
  });
  const [target, ...others] = parsed.targets;
  if (others.length > 0) out.warn(`Too many targets specified; connecting to ${target.name}`);
  const engine = await engineFor(target, "connect to", ctx);
  try {
    out.comment(`On database ${engine.destination}`);

    let plan: Plan | undefined;
    let planError: unknown;
    const loadPlan = (): Plan => {
      if (plan) return plan;
      if (planError) throw planError;
      try {
        plan = readPlan(host.fs, target.planFile);
        return plan;
      } catch (e) {
        planError = e;
        throw e;
      }
    };
    const project = mergedString(merged.project) ?? await defaultProject(engine, loadPlan);

    const state = (await engine.registryExists()) ? await engine.currentState(project) : undefined;
    if (!state) {
      throw new SqlitchError("No changes deployed", { ident: "status", exitCode: 1 });
    }
    emitState(ctx, state, dateFormat, zone);
    if (mergedBool(merged.show_changes, false)) {
      emitItems(ctx, await engine.currentChanges(project), "Change:", "Changes:", dateFormat, zone);
    }
    if (mergedBool(merged.show_tags, false)) {
      const tags = await engine.currentTags(project);
      if (tags.length === 0) {
        out.comment("");
        out.comment("Tags: None.");
      } else emitItems(ctx, tags, "Tag:", "Tags:", dateFormat, zone);
    }

    let planProject: string | undefined;
    try {
      planProject = loadPlan().project;
    } catch {
      planProject = undefined;
    }
    if (planProject !== undefined && planProject === project) {
      emitStatus(ctx, loadPlan(), state);
    } else {
      out.comment("");
      out.emit(`Status unknown. Use --plan-file to assess "${project}" status`);
    }
  } finally {
    await engine.close();
  }
  return 0;
}

/** The project when `--project` is not given: the plan's, else the only registered one. */
async function defaultProject(engine: Engine, loadPlan: () => Plan): Promise<string> {
  try {
    return loadPlan().project;
  } catch (e) {
    if (e instanceof SqlitchError && (e.ident === "parse" || e.ident === "io")) throw e;
  }
  if (!(await engine.registryExists())) {
    throw new SqlitchError("Database not initialized for Sqitch", { ident: "status" });
  }
  const projects = await engine.registeredProjects();
  if (projects.length === 0) throw new SqlitchError("No projects registered", { ident: "status" });
  if (projects.length > 1) {
    throw new SqlitchError(
      `Use --project to select which project to query: ${projects.join(", ")}`,
      { ident: "status" },
    );
  }
  return projects[0];
}

function emitState(
  ctx: CommandContext,
  state: CurrentState,
  dateFormat: string,
  zone: TimeZone,
): void {
  const { out } = ctx;
  out.comment(`Project:  ${state.project}`);
  out.comment(`Change:   ${state.id}`);
  out.comment(`Name:     ${state.name}`);
  if (state.tags.length === 1) out.comment(`Tag:      ${state.tags[0]}`);
  else if (state.tags.length > 1) out.comment(`Tags:     ${state.tags.join(", ")}`);
  out.comment(`Deployed: ${formatDate(state.committedAt, dateFormat, zone)}`);
  out.comment(`By:       ${state.committer.name} <${state.committer.email}>`);
}

function emitItems(
  ctx: CommandContext,
  items: CurrentItem[],
  one: string,
  many: string,
  dateFormat: string,
  zone: TimeZone,
): void {
  const { out } = ctx;
  out.comment("");
  out.comment(items.length === 1 ? one : many);
  const len = Math.max(0, ...items.map((i) => i.name.length));
  for (const item of items) {
    out.comment(
      `  ${item.name.padEnd(len)} - ${formatDate(item.committedAt, dateFormat, zone)} - ` +
        `${item.committer.name} <${item.committer.email}>`,
    );
  }
}

function emitStatus(ctx: CommandContext, plan: Plan, state: CurrentState): void {
  const { out } = ctx;
  out.comment("");
  const idx = plan.indexOf(state.id);
  if (idx === undefined) {
    out.vent(`Cannot find this change in ${plan.file}`);
    throw new SqlitchError("Make sure you are connected to the proper database for this project.", {
      ident: "status",
    });
  }
  if (idx === plan.count - 1) {
    out.emit("Nothing to deploy (up-to-date)");
    return;
  }
  const left = plan.count - (idx + 1);
  out.emit(left === 1 ? "Undeployed change:" : "Undeployed changes:");
  for (const change of plan.changes.slice(idx + 1)) {
    out.emit("  * ", change.formatNameWithTags());
  }
}
