/**
 * `add`: add a change to the plan of every target named (default: the
 * default target; `--all`/`add.all`: every target) and write its scripts
 * from templates (Sqitch 1.3.1's App::Sqitch::Command::add, cli.md §5.1).
 *
 * Everything is checked and the note obtained (possibly through the
 * editor) before anything is written; then, per plan file, the scripts
 * (`Created …` / `Skipped …: already exists`) and the plan (`Added …`).
 * Templates are looked up per target (Sqitch ≥ 1.4.1; 1.3.1 reuses the
 * first target's for all).
 */
import { perlTrue } from "../core/env.ts";
import { SqlitchError, systemErrorText, UsageError } from "../core/errors.ts";
import {
  type Change,
  formatTimestamp,
  noteFromArgs,
  parseDependencyArgs,
  type Plan,
  readPlan,
  validateChangeName,
} from "../core/plan/mod.ts";
import { renderTemplate } from "../core/template.ts";
import {
  findTemplates,
  readTemplate,
  resolveTemplateSettings,
  scriptPath,
  type TemplateSettings,
  type TemplateSource,
  templateVariables,
} from "../core/template_lookup.ts";
import {
  type CommandContext,
  optionString,
  optionStrings,
  parseCommandOptions,
} from "./context.ts";
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

/** add's options (cli.md §5.1), then the context options. */
/** The error when there is no target (sqlitch's wording; Sqitch 1.3.1 dies with a Perl error). */
const NO_TARGETS = "No engine specified; specify via target or core.engine";

/** add's option specs (Getopt::Long notation; also read by shell completion). */
export const OPTIONS = [
  "change-name|change|c=s",
  "requires|r=s@",
  "conflicts|x=s@",
  "note|n|m=s@",
  "all|a!",
  "template-name|template|t=s",
  "template-directory=s",
  "with=s@",
  "without=s@",
  "use=s%",
  "open-editor|edit|e!",
  "set|s=s%",
  ...CONTEXT_OPTIONS,
];

/** One script to write. */
interface Script {
  file: string;
  template: TemplateSource;
  engine: string;
  project: string;
}

/** What is written to one plan file. */
interface PlanEdit {
  plan: Plan;
  change: Change;
  scripts: Script[];
  seen: Set<string>;
}

/** `sqitch add [options] [template options] <change> [<target>|<engine>|<plan-file> ...]`. */
export async function run(ctx: CommandContext, argv: string[]): Promise<number> {
  const { options, args } = parseCommandOptions("add", OPTIONS, argv, { pairLists: ["set"] });
  const { config, host, out } = ctx;
  const fs = host.fs;

  // Configure (Sqitch checks these before running the command).
  const props = contextProperties(ctx, options);
  const settings = resolveTemplateSettings({
    fs,
    config,
    options: {
      templateName: optionString(options.template_name),
      templateDirectory: optionString(options.template_directory),
      use: (options.use ?? {}) as Record<string, string>,
      with: optionStrings(options.with),
      without: optionStrings(options.without),
      set: (options.set ?? []) as Array<[string, string]>,
    },
  });
  const requires = optionStrings(options.requires);
  const conflicts = optionStrings(options.conflicts);
  const noteArg = noteFromArgs(optionStrings(options.note));
  const changeName = perlTrue(optionString(options.change_name))
    ? options.change_name as string
    : undefined;
  const openInEditor = typeof options.open_editor === "boolean"
    ? options.open_editor
    : config.getBool("add.open_editor") ?? false;

  if (args.length === 0 && changeName === undefined) throw new UsageError("add");
  const parsed = commandTargets(ctx, props, args, {
    all: options.all === true,
    names: [changeName],
  });
  const name = parsed.names[0];
  if (name === undefined) {
    const clash = parsed.targets.find((t) => args.includes(t.name));
    if (clash) {
      throw new SqlitchError(
        `Name "${clash.name}" identifies a target; use "--change ${clash.name}" to use it for the change name`,
        { ident: "add" },
      );
    }
    throw new UsageError("add");
  }

  const planner = new Planner(ctx);
  const edits = new Map<string, PlanEdit>();
  const files: string[] = [];
  const listed = new Set<string>();
  for (const target of parsed.targets) {
    const engine = target.engineKey ?? "";
    const templates = findTemplates({
      fs,
      settings,
      engine,
      home: host.user.home(),
      systemDir: ctx.systemDir,
    });
    const planFile = target.planFile;
    let edit = edits.get(planFile);
    if (!edit) {
      validateChangeName(name);
      const plan = readPlan(fs, planFile);
      const change = addChange(plan, name, requires, conflicts, noteArg, planner);
      edit = { plan, change, scripts: [], seen: new Set() };
      edits.set(planFile, edit);
    }
    for (const template of templates) {
      const file = scriptPath(template.script, name, target);
      if (edit.seen.has(file)) continue;
      edit.seen.add(file);
      if (!listed.has(file)) {
        listed.add(file);
        files.push(file);
      }
      edit.scripts.push({ file, template, engine, project: edit.plan.project });
    }
  }

  const first = edits.values().next().value?.change;
  // Sqitch 1.3.1 dies with a Perl error when `--all` finds no target at all.
  if (!first) throw new SqlitchError(NO_TARGETS, { ident: "target" });
  const note = await requestNote(ctx, first.note, changeNotePrompt("add", first, files));

  for (const edit of edits.values()) {
    for (const script of edit.scripts) {
      writeScript(ctx, settings, script, { change: name, requires, conflicts });
    }
    edit.change.note = note;
    writePlanFile(ctx, edit.plan);
    out.info(`Added "${edit.change.formatOpNameDependencies()}" to ${edit.plan.file}`);
  }

  if (openInEditor) await openEditor(ctx, files);
  return 0;
}

/**
 * Plan `add` with Sqitch's order of checks: the name, the plan file, an
 * existing change, the dependency specifications, the planner, then the
 * required changes.
 */
function addChange(
  plan: Plan,
  name: string,
  requires: string[],
  conflicts: string[],
  note: string,
  planner: Planner,
): Change {
  // An existing change fails in plan.add before the planner is needed.
  const exists = plan.indexOf(`${name}@HEAD`) !== undefined;
  if (!exists) parseDependencyArgs(requires, conflicts);
  return plan.add({
    name,
    requires,
    conflicts,
    note,
    plannerName: exists ? "" : planner.name,
    plannerEmail: exists ? "" : planner.email,
    timestamp: formatTimestamp(new Date()),
  });
}

/**
 * Sqitch's `_add`: skip an existing file; otherwise create its directory,
 * open it, render the template into it and report `Created {file}`.
 */
function writeScript(
  ctx: CommandContext,
  settings: TemplateSettings,
  script: Script,
  core: { change: string; requires: string[]; conflicts: string[] },
): void {
  const { fs } = ctx.host;
  const { file, template } = script;
  if (fs.stat(file)) {
    ctx.out.info(`Skipped ${file}: already exists`);
    return;
  }
  makePath(ctx, parentDir(file));
  const write = (text: string) => {
    try {
      fs.writeText(file, text);
    } catch (e) {
      throw new SqlitchError(`Cannot open ${file}: ${systemErrorText(e)}`, { ident: "add" });
    }
  };
  // Sqitch opens (creates) the file before reading and rendering the template.
  write("");
  const vars = templateVariables(settings.variables, {
    project: script.project,
    change: core.change,
    engine: script.engine,
    requires: core.requires,
    conflicts: core.conflicts,
  });
  write(renderTemplate(readTemplate(fs, template), vars, template.path));
  ctx.out.info(`Created ${file}`);
}
