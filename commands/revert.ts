/**
 * `revert`: revert deployed changes from a target (cli.md §5.14,
 * engine-semantics.md §3), all of them or those after the change named,
 * after the yes/no prompt (cli.md §3.1) unless `-y` or `revert.no_prompt`.
 */
import { revert } from "../engines/workflow.ts";
import { type CommandContext, optionString, parseCommandOptions } from "./context.ts";
import {
  committer,
  DB_COMMAND_OPTIONS,
  dbArgs,
  engineFor,
  scriptVariables,
  terminalOutput,
} from "./db_command.ts";
import { askYesNo } from "./prompt.ts";

const OPTIONS = [
  "target|t=s",
  "to-change|to|change=s",
  "set|s=s%",
  "log-only",
  "lock-timeout=i",
  "y",
  ...DB_COMMAND_OPTIONS,
];

/** `sqitch revert [options] [<database>] [<change>]`. */
export async function run(ctx: CommandContext, argv: string[]): Promise<number> {
  const { options, args } = parseCommandOptions("revert", OPTIONS, argv);
  const { config, out } = ctx;
  const noPrompt = options.y === true || (config.getBool("revert.no_prompt") ?? false);
  const promptAccept = config.getBool("revert.prompt_accept") ?? true;

  const { target, changes, plan } = dbArgs(ctx, options, args);
  const to = optionString(options.to_change) ?? changes.shift();
  if (changes.length > 0) out.warn(`Too many changes specified; reverting to "${to}"`);

  const engine = await engineFor(target, "revert");
  try {
    await revert(engine, plan(), target, {
      committer: committer(ctx),
      reporter: out,
      out: terminalOutput(ctx),
      variables: scriptVariables(ctx, ["core", "deploy", "revert"], target, options.set),
      client: target.client,
      lockTimeout: typeof options.lock_timeout === "number" ? options.lock_timeout : undefined,
      to,
      logOnly: options.log_only === true,
      confirm: noPrompt ? undefined : (question) => askYesNo(ctx, question, promptAccept),
    });
  } finally {
    await engine.close();
  }
  return 0;
}
