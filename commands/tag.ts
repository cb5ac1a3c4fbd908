/**
 * `tag`: add a tag to the plans of the selected targets (cli.md §5.18) —
 * to the last change or a named one, with a note from `-n`/`-m` or the
 * editor — or, without a tag name, list the plans' tags.
 */
import { SqlitchError } from "../core/errors.ts";
import { formatTimestamp, noteFromArgs, type Plan, readPlan, type Tag } from "../core/plan/mod.ts";
import {
  type CommandContext,
  optionString,
  optionStrings,
  parseCommandOptions,
} from "./context.ts";
import { notePrompt, requestNote } from "./note_editor.ts";
import {
  commandTargets,
  CONTEXT_OPTIONS,
  contextProperties,
  Planner,
  writePlanFile,
} from "./plan_command.ts";

/** tag's own options, then the context options. */
export const OPTIONS = [
  "tag-name|tag|t=s",
  "change-name|change|c=s",
  "all|a!",
  "note|n|m=s@",
  ...CONTEXT_OPTIONS,
];

/** `sqitch tag [options] [<tag> [<change>]] [<target>|<engine>|<plan-file> ...]`. */
export async function run(ctx: CommandContext, argv: string[]): Promise<number> {
  const { options, args } = parseCommandOptions("tag", OPTIONS, argv);
  const { host, out } = ctx;
  const props = contextProperties(ctx, options);
  const parsed = commandTargets(ctx, props, args, {
    all: options.all === true,
    names: [optionString(options.tag_name), optionString(options.change_name)],
  });
  const [name, change] = parsed.names;
  const targets = parsed.targets;

  if (name !== undefined) {
    const notes = optionStrings(options.note);
    const note = noteFromArgs(notes);
    const seen = new Set<string>();
    const plans: Plan[] = [];
    const tags: Tag[] = [];
    const timestamp = formatTimestamp(new Date());
    const planner = new Planner(ctx);
    for (const target of targets) {
      if (seen.has(target.planFile)) continue;
      seen.add(target.planFile);
      const plan = readPlan(host.fs, target.planFile);
      tags.push(plan.tag({
        name,
        change,
        note,
        plannerName: planner.name,
        plannerEmail: planner.email,
        timestamp,
      }));
      plans.push(plan);
    }

    // One note for every plan: the one given, or from the editor.
    const finalNote = await requestNote(ctx, tags[0].note, notePrompt("tag"));
    plans.forEach((plan, i) => {
      const tag = tags[i];
      tag.note = finalNote;
      writePlanFile(ctx, plan);
      out.info(`Tagged "${tag.change.formatName()}" with ${tag.formatName()} in ${plan.file}`);
    });
    return 0;
  }

  // No tag name: a positional argument naming a target is probably a mistake.
  if (args.length > 0) {
    const clash = targets.find((t) => args.includes(t.name));
    if (clash) {
      throw new SqlitchError(
        `Name "${clash.name}" identifies a target; use "--tag ${clash.name}" to use it for the tag name`,
        { ident: "tag" },
      );
    }
  }
  const listed = new Set<string>();
  for (const target of targets) {
    const plan = readPlan(host.fs, target.planFile);
    for (const tag of plan.tags) {
      const formatted = tag.formatName();
      if (listed.has(formatted)) continue;
      listed.add(formatted);
      out.info(formatted);
    }
  }
  return 0;
}
