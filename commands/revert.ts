/**
 * `revert`: revert deployed changes from a target (cli.md §5.14,
 * engine-semantics.md §3), all of them or those after the change named,
 * after the yes/no prompt (cli.md §3.1) unless `-y` or `revert.no_prompt`;
 * `--modified` reverts to the last change whose deploy script is unchanged.
 */
import { SqlitchError } from "../core/errors.ts";
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

/** revert's option specs (Getopt::Long notation; also read by shell completion). */
export const OPTIONS = [
  "target|t=s",
  "to-change|to|change=s",
  "set|s=s%",
  "log-only",
  "lock-timeout=i",
  "modified|m",
  "y",
  ...DB_COMMAND_OPTIONS,
];

/**
 * Strict mode (`revert.strict`, Sqitch ≥ 1.4; 1.3.1 ignores the key): a
 * change to revert to is required (exit 1) and extra change arguments are
 * fatal (exit 2) instead of a warning.
 */
function checkStrict(to: string | undefined, extra: number): void {
  if (to === undefined) {
    throw new SqlitchError("Must specify a target revision in strict mode", {
      ident: "revert",
      exitCode: 1,
    });
  }
  if (extra > 0) {
    throw new SqlitchError("Too many changes specified", { ident: "revert", exitCode: 2 });
  }
}

/** `sqitch revert [options] [<database>] [<change>]`. */
export async function run(ctx: CommandContext, argv: string[]): Promise<number> {
  const { options, args } = parseCommandOptions("revert", OPTIONS, argv);
  const { config, out } = ctx;
  const noPrompt = options.y === true || (config.getBool("revert.no_prompt") ?? false);
  const promptAccept = config.getBool("revert.prompt_accept") ?? true;
  const strict = config.getBool("revert.strict") ?? false;

  const { target, changes, plan } = dbArgs(ctx, options, args);
  // Without --modified the change is known before connecting.
  if (strict && options.modified !== true) {
    const named = optionString(options.to_change);
    checkStrict(named ?? changes[0], named === undefined ? changes.length - 1 : changes.length);
  }
  const engine = await engineFor(target, "revert", ctx);
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
    if (strict && options.modified === true) checkStrict(to, changes.length);
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
