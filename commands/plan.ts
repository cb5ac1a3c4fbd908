/**
 * `plan`: list the changes of a target's plan (cli.md §5.12, §6) — filtered
 * by event, change name and planner, windowed by `--skip`/`--max-count`,
 * in plan or reverse order — in a named or `format:` template, with the
 * `# Project:`/`# File:` headers, through the pager when stdout is a
 * terminal.
 *
 * Configure-time checks run in Sqitch's order (date format, format,
 * colour, then the `[plan]` section's type checks); Sqitch dies there with
 * exit 255 and a trace, sqlitch prints the message and exits 2.
 *
 * Deliberate divergence from 1.3.1 (README, compatibility notes): the
 * filters are AND-ed and `--skip`/`--max-count` count matching changes, as
 * Sqitch documents them (1.3.1 OR-s the filters and windows plan positions
 * before filtering).
 */
import { colorEnabled } from "../core/color.ts";
import { searchPattern } from "../core/config/perl.ts";
import { perlTrue } from "../core/env.ts";
import { SqlitchError } from "../core/errors.ts";
import {
  type ItemData,
  ItemFormatter,
  resolveItemFormat,
  selectPlanItems,
} from "../core/item_format.ts";
import type { Change } from "../core/plan/model.ts";
import { readPlan } from "../core/plan/parser.ts";
import type { Plan } from "../core/plan/plan.ts";
import { changeScriptPath } from "../core/script_paths.ts";
import { parseArgs, type Target } from "../core/target.ts";
import { UTC_ZONE } from "../core/timezone.ts";
import { displayOptions } from "./display_options.ts";
import { type CommandContext, parseCommandOptions } from "./context.ts";
import { PagedOutput } from "./pager_output.ts";
import {
  type AttributeType,
  mergedBool,
  mergedInt,
  mergedString,
  mergeSectionConfig,
} from "./section_config.ts";
import { targetContext } from "./target_config.ts";

/** plan's option specs (Getopt::Long notation; also read by shell completion). */
export const OPTIONS = [
  "event=s",
  "target|t=s",
  "change-pattern|change=s",
  "planner-pattern|planner=s",
  "format|f=s",
  "date-format|date=s",
  "max-count|n=i",
  "skip=i",
  "reverse!",
  "color=s",
  "no-color",
  "abbrev=i",
  "oneline",
  "headers!",
];

/** The plan command's attributes a `[plan]` config key can set, with their types. */
const ATTRIBUTES: Readonly<Record<string, AttributeType>> = {
  target: "Str",
  event: "Str",
  change_pattern: "Str",
  planner_pattern: "Str",
  max_count: "Int",
  skip: "Int",
  reverse: "Bool",
  headers: "Bool",
  format: "Str",
};

/** A `--change-pattern`/`--planner-pattern` regex (Perl `qr/$regex/`). */
function compilePattern(pattern: string | undefined): RegExp | undefined {
  return perlTrue(pattern) ? searchPattern(pattern, "plan") : undefined;
}

/** `sqitch plan [options] [<target>|<engine>|<plan-file>]`. */
export async function run(ctx: CommandContext, argv: string[]): Promise<number> {
  const { options, args } = parseCommandOptions("plan", OPTIONS, argv);
  const { host, out } = ctx;

  const { dateFormat, colorMode, abbrev } = displayOptions(ctx, "plan", options);

  // Command::configure: the [plan] section under the options.
  const merged = mergeSectionConfig(ctx, "plan", ATTRIBUTES, options);
  const template = mergedString(merged.format) ?? resolveItemFormat("plan", "medium");
  const formatter = new ItemFormatter({
    dateFormat,
    abbrev,
    color: colorEnabled(
      colorMode,
      host.env,
      host.isTerminal.stdout,
    ),
    zone: (await host.timeZone?.()) ?? UTC_ZONE,
  });

  // execute: the target and its plan.
  const plans = new Map<string, Plan>();
  const planOf = (target: Target): Plan => {
    let plan = plans.get(target.planFile);
    if (!plan) {
      plan = readPlan(host.fs, target.planFile);
      plans.set(target.planFile, plan);
    }
    return plan;
  };
  const parsed = parseArgs(targetContext(ctx), {
    command: "plan",
    args,
    target: mergedString(merged.target),
    isChange: (arg, target) =>
      host.fs.stat(target.planFile) !== undefined && planOf(target).contains(arg),
    fileExists: (path) => host.fs.stat(path) !== undefined,
  });
  const [target, ...others] = parsed.targets;
  if (others.length > 0) out.warn(`Too many targets specified; using ${target.name}`);
  const plan = planOf(target);
  if (plan.count === 0) {
    throw new SqlitchError(`No changes in ${plan.file}`, { ident: "plan", exitCode: 1 });
  }

  // Plan::search_changes compiles the planner pattern first.
  const planner = compilePattern(mergedString(merged.planner_pattern));
  const change = compilePattern(mergedString(merged.change_pattern));
  const selected = selectPlanItems(
    plan.changes.map((change) => ({
      change: change.name,
      event: change.action,
      plannerName: change.plannerName,
      line: change,
    })),
    {
      event: mergedString(merged.event),
      change,
      planner,
      limit: mergedInt(merged.max_count),
      offset: mergedInt(merged.skip),
      reverse: mergedBool(merged.reverse, false),
    },
  );

  const page = new PagedOutput(ctx);
  try {
    if (mergedBool(merged.headers, true)) {
      page.line("# ", `Project: ${plan.project}`);
      page.line("# ", `File:    ${plan.file}`);
      page.line("");
    }
    const exists = (path: string) => host.fs.stat(path) !== undefined;
    for (const { line: change } of selected) {
      page.line(
        formatter.format(
          template,
          itemData(plan, change, () => changeScriptPath(target, change, "deploy", exists)),
        ),
      );
    }
  } finally {
    await page.close();
  }
  return 0;
}

/** A plan change as the formatter sees it; `deployFile` is computed on use. */
function itemData(plan: Plan, change: Change, deployFile: () => string): ItemData {
  const project = plan.project;
  return {
    event: change.action,
    project,
    changeId: change.id,
    change: change.name,
    note: change.note,
    tags: change.tags.map((t) => t.formatName()),
    requires: change.requires.map((d) => d.asString(project)),
    conflicts: change.conflicts.map((d) => d.asString(project)),
    plannedAt: change.timestamp,
    plannerName: change.plannerName,
    plannerEmail: change.plannerEmail,
    get deployFile() {
      return deployFile();
    },
  };
}
