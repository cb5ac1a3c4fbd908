/**
 * `log` (cli.md §5.11, §6): the registry's events, filtered by event type
 * and by change, project and committer patterns (AND-ed), windowed by
 * `--skip`/`--max-count`, newest first unless `--reverse`, in a named or
 * `format:` template, through the pager when stdout is a terminal.
 *
 * Deliberate divergences from 1.3.1 (HEAD behaviour, cli.md Appendix C):
 * tags, requires and conflicts are lists on SQLite too, so `raw`, `full`,
 * `long` and `%t %T %r %R %x %X` work instead of dying; `--event` combined
 * with other filters is AND-ed instead of an SQL error. Configure-time
 * deaths (exit 255 + trace) print the message and exit 2.
 */
import { colorEnabled } from "../core/color.ts";
import { perlTrue } from "../core/env.ts";
import { SqlitchError } from "../core/errors.ts";
import { type ItemData, ItemFormatter, resolveItemFormat } from "../core/item_format.ts";
import { parseArgs } from "../core/target.ts";
import { UTC_ZONE } from "../core/timezone.ts";
import type { RegistryEvent } from "../engines/engine.ts";
import { displayOptions } from "./display_options.ts";
import { type CommandContext, parseCommandOptions } from "./context.ts";
import { PagedOutput } from "./pager_output.ts";
import { CONNECTION_OPTIONS, dbTargetContext, engineFor } from "./db_command.ts";
import {
  type AttributeType,
  mergedBool,
  mergedInt,
  mergedString,
  mergeSectionConfig,
} from "./section_config.ts";

/** log's option specs (Getopt::Long notation; also read by shell completion). */
export const OPTIONS = [
  "event=s@",
  "target|t=s",
  "change-pattern|change=s",
  "project-pattern|project=s",
  "committer-pattern|committer=s",
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
  ...CONNECTION_OPTIONS,
];

/** The log command's attributes a `[log]` config key can set, with their types. */
const ATTRIBUTES: Readonly<Record<string, AttributeType>> = {
  target: "Str",
  change_pattern: "Str",
  project_pattern: "Str",
  committer_pattern: "Str",
  max_count: "Int",
  skip: "Int",
  reverse: "Bool",
  headers: "Bool",
  format: "Str",
};

/** A pattern as the engine gets it: undefined unless Perl-true. */
function pattern(value: string | undefined): string | undefined {
  return perlTrue(value) ? value : undefined;
}

/** `sqitch log [options] [<database>]`. */
export async function run(ctx: CommandContext, argv: string[]): Promise<number> {
  const { options, args } = parseCommandOptions("log", OPTIONS, argv);
  const { host, out } = ctx;

  const { dateFormat, colorMode, abbrev } = displayOptions(ctx, "log", options);

  const events = Array.isArray(options.event) ? options.event.map(String) : undefined;
  const merged = mergeSectionConfig(ctx, "log", ATTRIBUTES, options);
  const template = mergedString(merged.format) ?? resolveItemFormat("log", "medium");
  const formatter = new ItemFormatter({
    dateFormat,
    abbrev,
    color: colorEnabled(colorMode, host.env, host.isTerminal.stdout),
    zone: (await host.timeZone?.()) ?? UTC_ZONE,
  });

  // execute: the target and its engine.
  const parsed = parseArgs(dbTargetContext(ctx, options), {
    command: "log",
    args,
    target: mergedString(merged.target),
    fileExists: (path) => host.fs.stat(path) !== undefined,
  });
  const [target, ...others] = parsed.targets;
  if (others.length > 0) out.warn(`Too many targets specified; connecting to ${target.name}`);
  const engine = await engineFor(target, "connect to", ctx);
  try {
    if (!(await engine.registryExists())) {
      throw new SqlitchError(
        `Database ${engine.registryDestination} has not been initialized for Sqitch`,
        { ident: "log", exitCode: 1 },
      );
    }
    if ((await engine.searchEvents({ limit: 1 })).length === 0) {
      throw new SqlitchError(`No events logged for ${engine.destination}`, {
        ident: "log",
        exitCode: 1,
      });
    }
    const limit = mergedInt(merged.max_count);
    const offset = mergedInt(merged.skip);
    const found = await engine.searchEvents({
      event: events,
      change: pattern(mergedString(merged.change_pattern)),
      project: pattern(mergedString(merged.project_pattern)),
      committer: pattern(mergedString(merged.committer_pattern)),
      limit: limit ? limit : undefined,
      offset: offset ? offset : undefined,
      direction: mergedBool(merged.reverse, false) ? "ASC" : "DESC",
    });

    const page = new PagedOutput(ctx);
    try {
      if (mergedBool(merged.headers, true)) page.line(`On database ${engine.destination}`);
      for (const event of found) page.line(formatter.format(template, itemData(event)));
    } finally {
      await page.close();
    }
  } finally {
    await engine.close();
  }
  return 0;
}

/** A registry event as the formatter sees it. */
function itemData(e: RegistryEvent): ItemData {
  return {
    event: e.event,
    project: e.project,
    changeId: e.changeId,
    change: e.change,
    note: e.note,
    tags: e.tags,
    requires: e.requires,
    conflicts: e.conflicts,
    plannerName: e.planner.name,
    plannerEmail: e.planner.email,
    plannedAt: e.plannedAt,
    committerName: e.committer.name,
    committerEmail: e.committer.email,
    committedAt: e.committedAt,
  };
}
