/**
 * `verify`: run the verify scripts of the deployed changes (cli.md §5.21,
 * engine-semantics.md §5.1), from and to the changes the options or
 * arguments name.
 */
import { verify } from "../engines/workflow.ts";
import { type CommandContext, optionString, parseCommandOptions } from "./context.ts";
import {
  committer,
  DB_COMMAND_OPTIONS,
  dbArgs,
  engineFor,
  scriptVariables,
  terminalOutput,
} from "./db_command.ts";

/** verify's option specs (Getopt::Long notation; also read by shell completion). */
export const OPTIONS = [
  "target|t=s",
  "from-change|from=s",
  "to-change|to=s",
  "set|s=s%",
  ...DB_COMMAND_OPTIONS,
];

/** `sqitch verify [options] [<database>] [<from-change> [<to-change>]]`. */
export async function run(ctx: CommandContext, argv: string[]): Promise<number> {
  const { options, args } = parseCommandOptions("verify", OPTIONS, argv);
  const { out } = ctx;
  const { target, changes, plan } = dbArgs(ctx, options, args);
  const from = optionString(options.from_change) ?? changes.shift();
  const to = optionString(options.to_change) ?? changes.shift();
  if (changes.length > 0) {
    out.warn(`Too many changes specified; verifying from "${from ?? ""}" to "${to ?? ""}"`);
  }

  const engine = await engineFor(target, "verify", ctx);
  try {
    const scriptOut = terminalOutput(ctx);
    await verify(engine, plan(), target, {
      committer: committer(ctx),
      reporter: out,
      out: scriptOut,
      verifyOut: out.verbosity >= 2 ? scriptOut : undefined,
      variables: scriptVariables(ctx, ["core", "deploy", "verify"], target, options.set),
      client: target.client,
      from,
      to,
    });
  } finally {
    await engine.close();
  }
  return 0;
}
