/**
 * `check`: compare the deploy scripts recorded in the registry with the
 * plan's current ones (cli.md §5.3), from and to the changes the options
 * or arguments name.
 */
import { check } from "../engines/check.ts";
import { type CommandContext, optionString, parseCommandOptions } from "./context.ts";
import {
  committer,
  DB_COMMAND_OPTIONS,
  dbArgs,
  engineFor,
  scriptVariables,
  terminalOutput,
} from "./db_command.ts";

/** check's option specs (Getopt::Long notation; also read by shell completion). */
export const OPTIONS = [
  "target|t=s",
  "from-change|from=s",
  "to-change|to=s",
  "set|s=s%",
  ...DB_COMMAND_OPTIONS,
];

/** `sqitch check [options] [<database>] [<from-change> [<to-change>]]`. */
export async function run(ctx: CommandContext, argv: string[]): Promise<number> {
  const { options, args } = parseCommandOptions("check", OPTIONS, argv);
  const { out } = ctx;
  const { target, changes, plan } = dbArgs(ctx, options, args);
  const from = optionString(options.from_change) ?? changes.shift();
  const to = optionString(options.to_change) ?? changes.shift();
  if (changes.length > 0) {
    out.warn(`Too many changes specified; checking from "${from ?? ""}" to "${to ?? ""}"`);
  }

  const engine = await engineFor(target, "check", ctx);
  try {
    await check(engine, plan(), target, {
      committer: committer(ctx),
      reporter: out,
      out: terminalOutput(ctx),
      variables: scriptVariables(ctx, ["core", "deploy", "check"], target, options.set),
      client: target.client,
      from,
      to,
    });
  } finally {
    await engine.close();
  }
  return 0;
}
