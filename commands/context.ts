/**
 * What every command receives from the router, and the option-parsing step
 * every command starts with.
 */
import { UsageError } from "../core/errors.ts";
import { getOptions, type OptionValue, type ParseSettings } from "../core/getopt.ts";
import type { Host } from "../core/host.ts";
import type { Output } from "../core/output.ts";
import type { LoadedConfig } from "../core/config/mod.ts";

/** The environment a command runs in. */
export interface CommandContext {
  /** The command's name as typed (e.g. "config"). */
  command: string;
  host: Host;
  out: Output;
  /** The merged configuration (system < user < local). */
  config: LoadedConfig;
  /** The Sqitch-style system directory (`--etc-path`). */
  systemDir: string;
  /** The name the program was invoked as. */
  program: string;
  /**
   * The verbosity given on the command line: the `-v` count, 0 for
   * `--quiet`, undefined when neither was given (Sqitch's
   * `options->{verbosity}`; `target`/`engine` list verbosely when it is > 0).
   */
  cliVerbosity?: number;
  /** `--no-pager` was given (`log`/`plan` then never page). */
  noPager?: boolean;
}

/** A command implementation: returns the exit code. */
export type CommandRun = (ctx: CommandContext, args: string[]) => Promise<number> | number;

/** Parsed command options plus the remaining positional arguments. */
export interface CommandOptions {
  options: Record<string, OptionValue>;
  args: string[];
}

/**
 * Parse a command's options with Getopt::Long rules; option errors become a
 * UsageError (message lines + the command's usage text, exit 2).
 */
export function parseCommandOptions(
  command: string,
  specs: string[],
  args: string[],
  settings: ParseSettings = {},
): CommandOptions {
  const result = getOptions(specs, args, settings);
  if (result.errors.length > 0) throw new UsageError(command, result.errors);
  return { options: result.options, args: result.args };
}

/** A string option's value, or undefined when absent (or not a string). */
export function optionString(value: OptionValue | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A repeatable option's values as strings ([] when absent). */
export function optionStrings(value: OptionValue | undefined): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
