/**
 * `rework`: add a new instance of an existing change to the plan of every
 * target named, after copying its scripts to the `name@tag` files of the
 * previous instance (Sqitch 1.3.1's App::Sqitch::Command::rework, cli.md
 * §5.15). Everything is checked and the note obtained before anything is
 * copied or written.
 */
import { perlTrue } from "../core/env.ts";
import { SqlitchError, systemErrorText, UsageError } from "../core/errors.ts";
import { joinClean } from "../core/perlpath.ts";
import {
  type Change,
  formatTimestamp,
  noteFromArgs,
  parseDependencyArgs,
  type Plan,
  readPlan,
  scriptSegments,
} from "../core/plan/mod.ts";
import type { Target } from "../core/target.ts";
import { type CommandContext, optionStrings, parseCommandOptions } from "./context.ts";
import { changeNotePrompt, requestNote } from "./note_editor.ts";
import {
  commandTargets,
  CONTEXT_OPTIONS,
  contextProperties,
  makePath,
  openEditor,
  parentDir,
  Planner,
  writePlanFile,
} from "./plan_command.ts";

/** rework's options (cli.md §5.15), then the context options. */
/** The error when there is no target (sqlitch's wording; Sqitch 1.3.1 dies with a Perl error). */
const NO_TARGETS = "No engine specified; specify via target or core.engine";

/** rework's option specs (Getopt::Long notation; also read by shell completion). */
export const OPTIONS = [
  "change-name|change|c=s",
  "requires|r=s@",
  "conflicts|x=s@",
  "all|a!",
  "note|n|m=s@",
  "open-editor|edit|e!",
  ...CONTEXT_OPTIONS,
];

/** One copy: `src` to `dest` when `orig` (default `src`) exists. */
interface Copy {
  src: string;
  dest: string;
  orig?: string;
}

/** What is done for one plan file. */
interface PlanEdit {
  plan: Plan;
  /** The new instance. */
  change: Change;
  /** The previous instance, as the latest target of this plan file sees it. */
  prev: Change;
  copies: Copy[];
}

const TYPES = ["deploy", "revert", "verify"] as const;
type ScriptType = (typeof TYPES)[number];

/** `sqitch rework [options] <change> [<target>|<engine>|<plan-file> ...]`. */
export async function run(ctx: CommandContext, argv: string[]): Promise<number> {
  const { options, args } = parseCommandOptions("rework", OPTIONS, argv);
  const { config, host, out } = ctx;
  const fs = host.fs;

  const props = contextProperties(ctx, options);
  const requires = optionStrings(options.requires);
  const conflicts = optionStrings(options.conflicts);
  const noteArg = noteFromArgs(optionStrings(options.note));
  const changeName = typeof options.change_name === "string" ? options.change_name : undefined;
  const openInEditor = typeof options.open_editor === "boolean"
    ? options.open_editor
    : config.getBool("rework.open_editor") ?? config.getBool("add.open_editor") ?? false;

  const parsed = commandTargets(ctx, props, args, {
    all: options.all === true,
    names: [changeName],
  });
  const name = parsed.names[0];
  if (!perlTrue(name)) throw new UsageError("rework");

  const planner = new Planner(ctx);
  const edits = new Map<string, PlanEdit>();
  const files: string[] = [];
  const seen = new Set<string>();
  for (const target of parsed.targets) {
    const planFile = target.planFile;
    let edit = edits.get(planFile);
    if (edit) {
      // This target's own reading of the plan, so its script names are right.
      const prev = previousInstance(readPlan(fs, planFile), name);
      prev.addReworkTags(...edit.prev.reworkTags);
      edit.prev = prev;
    } else {
      const plan = readPlan(fs, planFile);
      const change = reworkChange(plan, name, requires, conflicts, noteArg, planner);
      edit = { plan, change, prev: previousInstance(plan, name), copies: [] };
      edits.set(planFile, edit);
    }
    const { change, prev } = edit;

    const current = (type: ScriptType) =>
      joinClean(scriptDir(target, type, false), fileName(change, target));
    const previous = (type: ScriptType) => reworkedScript(ctx, target, prev, type);
    for (const type of TYPES) {
      const src = current(type);
      if (seen.has(src)) continue;
      seen.add(src);
      if (fs.stat(src)) files.push(src);
      edit.copies.push({ src, dest: previous(type) });
    }
    const prevRevert = previous("revert");
    if (!seen.has(prevRevert)) {
      seen.add(prevRevert);
      edit.copies.push({ src: current("deploy"), dest: current("revert"), orig: prevRevert });
    }
  }

  const first = edits.values().next().value?.change;
  // Sqitch 1.3.1 dies with a Perl error when `--all` finds no target at all.
  if (!first) throw new SqlitchError(NO_TARGETS, { ident: "target" });
  const note = await requestNote(ctx, first.note, changeNotePrompt("rework", first, files));

  for (const edit of edits.values()) {
    for (const copy of edit.copies) copyScript(ctx, copy);
    // Every plan gets the note (Sqitch 1.3.1 sets an edited note on the first plan's change only).
    edit.change.note = note;
    writePlanFile(ctx, edit.plan);
    out.info(`Added "${edit.change.formatOpNameDependencies()}" to ${edit.plan.file}.`);
  }

  out.info(
    files.length === 1 ? "Modify this file as appropriate:" : "Modify these files as appropriate:",
  );
  for (const file of files) out.info(`  * ${file}`);

  if (openInEditor) await openEditor(ctx, files);
  return 0;
}

/** Plan `rework` (the planner is resolved only once the change is known to be reworkable). */
function reworkChange(
  plan: Plan,
  name: string,
  requires: string[],
  conflicts: string[],
  note: string,
  planner: Planner,
): Change {
  const index = plan.indexOf(`${name}@HEAD`);
  const tagIndex = plan.indexOfLastTagged();
  const fails = index === undefined || tagIndex === undefined || tagIndex < index;
  if (!fails) parseDependencyArgs(requires, conflicts);
  return plan.rework({
    name,
    requires,
    conflicts,
    note,
    plannerName: fails ? "" : planner.name,
    plannerEmail: fails ? "" : planner.email,
    timestamp: formatTimestamp(new Date()),
  }).change;
}

/** The instance of `name` at the plan's last tag (`name@<last tag of the last tagged change>`). */
function previousInstance(plan: Plan, name: string): Change {
  const tag = plan.lastTaggedChange()!.tags.at(-1)!;
  return plan.get(`${name}@${tag.name}`)!;
}

/** A target's directory for a script type (the reworked one for a reworked instance). */
function scriptDir(target: Target, type: ScriptType, reworked: boolean): string {
  switch (type) {
    case "deploy":
      return reworked ? target.reworkedDeployDir : target.deployDir;
    case "revert":
      return reworked ? target.reworkedRevertDir : target.revertDir;
    case "verify":
      return reworked ? target.reworkedVerifyDir : target.verifyDir;
  }
}

/** The script file name (with sub-directories) of a change that is not reworked. */
function fileName(change: Change, target: Target): string {
  return `${change.name}.${target.extension}`;
}

/** The script of a reworked instance: `<reworked dir>/<name>@<tag>.<ext>` (Change.pm). */
function reworkedScript(
  ctx: CommandContext,
  target: Target,
  change: Change,
  type: ScriptType,
): string {
  const deployDir = scriptDir(target, "deploy", true);
  const segments = scriptSegments(
    change,
    target.extension,
    (segs) => ctx.host.fs.stat(joinClean(deployDir, segs.join("/"))) !== undefined,
  );
  return joinClean(scriptDir(target, type, true), segments.join("/"));
}

/**
 * Rework's `_copy`: `debug: Skipped {dest}: {orig} does not exist` when
 * the file it depends on is missing, else create the destination's
 * directory (Sqitch ≥ 1.4; 1.3.1 fails with `No such file or directory`
 * when a configured reworked directory does not exist yet), copy the
 * bytes (`Cannot copy {src} to {dest}: {error}`) and `debug: Copied {src}
 * to {dest}`.
 */
function copyScript(ctx: CommandContext, copy: Copy): void {
  const { fs } = ctx.host;
  const orig = copy.orig ?? copy.src;
  if (!fs.stat(orig)) {
    ctx.out.debug(`Skipped ${copy.dest}: ${orig} does not exist`);
    return;
  }
  const fail = (reason: string) =>
    new SqlitchError(`Cannot copy ${copy.src} to ${copy.dest}: ${reason}`, { ident: "rework" });
  makePath(ctx, parentDir(copy.dest));
  const bytes = fs.readBytes(copy.src);
  if (bytes === undefined) {
    throw fail(fs.stat(copy.src) ? "Permission denied" : "No such file or directory");
  }
  try {
    fs.writeBytes(copy.dest, bytes);
  } catch (e) {
    throw fail(systemErrorText(e));
  }
  ctx.out.debug(`Copied ${copy.src} to ${copy.dest}`);
}
