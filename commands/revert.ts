/**
 * `revert`: revert deployed changes from a target (cli.md §5.14,
 * engine-semantics.md §3), all of them or those after the change named,
 * after the yes/no prompt (cli.md §3.1) unless `-y` or `revert.no_prompt`;
 * `--modified` reverts to the last change whose deploy script is unchanged.
 */
import { commonAncestorId } from "../engines/rebase.ts";
import { revert, type WorkflowOptions } from "../engines/workflow.ts";
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
  "modified|m",
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
  const engine = await engineFor(target, "revert");
  try {
    const common: WorkflowOptions = {
      committer: committer(ctx),
      reporter: out,
      out: terminalOutput(ctx),
      variables: scriptVariables(ctx, ["core", "deploy", "revert"], target, options.set),
      client: target.client,
      lockTimeout: typeof options.lock_timeout === "number" ? options.lock_timeout : undefined,
    };
    const to = options.modified === true
      ? await commonAncestorId(engine, plan(), target, common)
      : optionString(options.to_change) ?? changes.shift();
    // Sqitch leaves the placeholder in when there is no change to name.
    if (changes.length > 0) {
      out.warn(`Too many changes specified; reverting to "${to ?? "{change}"}"`);
    }
    await revert(engine, plan(), target, {
      ...common,
      to,
      logOnly: options.log_only === true,
      confirm: noPrompt ? undefined : (question) => askYesNo(ctx, question, promptAccept),
    });
  } finally {
    await engine.close();
  }
  return 0;
}
