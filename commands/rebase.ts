/**
 * `rebase`: revert a target to a change (or completely), then deploy it
 * again up to another change (cli.md §5.13). Options, configuration and
 * variables of the revert-and-deploy commands (rebase, checkout) are
 * resolved here by `revertDeployOptions`; the work itself is in
 * engines/rebase.ts.
 */
import { SqlitchError } from "../core/errors.ts";
import type { OptionValue } from "../core/getopt.ts";
import type { Target } from "../core/target.ts";
import type { Engine } from "../engines/engine.ts";
import { commonAncestorId, rebase, type RevertDeployOptions } from "../engines/rebase.ts";
import type { DeployMode } from "../engines/workflow.ts";
import { type CommandContext, optionString, parseCommandOptions } from "./context.ts";
import {
  committer,
  DB_COMMAND_OPTIONS,
  dbArgs,
  engineFor,
  firstTrue,
  scriptVariables,
  terminalOutput,
} from "./db_command.ts";
import { askYesNo } from "./prompt.ts";

/** The options rebase and checkout share (Sqitch's RevertDeployCommand role), then connection and context. */
export const REVERT_DEPLOY_OPTIONS = [
  "target|t=s",
  "mode=s",
  "verify!",
  "set|s=s%",
  "set-deploy|e=s%",
  "set-revert|r=s%",
  "log-only",
  "lock-timeout=i",
  "y",
  ...DB_COMMAND_OPTIONS,
];

/** rebase's option specs (Getopt::Long notation; also read by shell completion). */
export const OPTIONS = [
  "onto-change|onto=s",
  "upto-change|upto=s",
  "modified|m",
  ...REVERT_DEPLOY_OPTIONS,
];

/** The settings of a revert-and-deploy command that do not depend on the target. */
export interface RevertDeploySettings {
  mode: DeployMode;
  verify: boolean;
  noPrompt: boolean;
  promptAccept: boolean;
}

/**
 * Refuses the command in strict mode; then mode, verify and prompt
 * settings: the option, else `<command>.*`, else
 * `deploy.*` (mode, verify) or `revert.*` (prompt). An invalid mode fails
 * as Sqitch's type check does (which 1.3.1 reports with a stack trace).
 */
export function revertDeploySettings(
  ctx: CommandContext,
  options: Record<string, OptionValue>,
): RevertDeploySettings {
  const { config, command } = ctx;
  // Strict mode (Sqitch ≥ 1.4; 1.3.1 ignores these keys): `<command>.strict`,
  // else `revert.strict`, refuses the command before anything else.
  if (config.getBool(`${command}.strict`) ?? config.getBool("revert.strict") ?? false) {
    throw new SqlitchError(
      `"${command}" cannot be used in strict mode.\n` +
        "Use explicity revert and deploy commands instead.",
      { ident: command },
    );
  }
  const mode = firstTrue(
    optionString(options.mode),
    config.get(`${command}.mode`),
    config.get("deploy.mode"),
  ) ?? "all";
  if (mode !== "all" && mode !== "change" && mode !== "tag") {
    throw new SqlitchError(
      `Value "${mode}" did not pass type constraint "Enum[all,change,tag]" (in $args->{"mode"})`,
      { ident: command },
    );
  }
  const verify = typeof options.verify === "boolean"
    ? options.verify
    : config.getBool(`${command}.verify`) ?? config.getBool("deploy.verify") ?? false;
  const noPrompt = options.y === true ||
    (config.getBool(`${command}.no_prompt`) ?? config.getBool("revert.no_prompt") ?? false);
  const promptAccept = config.getBool(`${command}.prompt_accept`) ??
    config.getBool("revert.prompt_accept") ?? true;
  return { mode, verify, noPrompt, promptAccept };
}

/** A `%`-hash option's pairs ({} when absent). */
function pairs(value: OptionValue | undefined): Record<string, string> {
  return value && typeof value === "object" && !Array.isArray(value) ? { ...value } : {};
}

/**
 * The engine-level options of a revert-and-deploy command for a target:
 * `--set` feeds both steps, `--set-revert` / `--set-deploy` one each, on
 * top of core → deploy (→ revert) → target variables.
 */
export function revertDeployOptions(
  ctx: CommandContext,
  options: Record<string, OptionValue>,
  settings: RevertDeploySettings,
  target: Target,
): RevertDeployOptions {
  const set = pairs(options.set);
  const scriptOut = terminalOutput(ctx);
  return {
    committer: committer(ctx),
    reporter: ctx.out,
    out: scriptOut,
    verifyOut: ctx.out.verbosity >= 2 ? scriptOut : undefined,
    client: target.client,
    lockTimeout: typeof options.lock_timeout === "number" ? options.lock_timeout : undefined,
    revertVariables: scriptVariables(ctx, ["core", "deploy", "revert"], target, {
      ...set,
      ...pairs(options.set_revert),
    }),
    deployVariables: scriptVariables(ctx, ["core", "deploy"], target, {
      ...set,
      ...pairs(options.set_deploy),
    }),
    mode: settings.mode,
    verify: settings.verify,
    logOnly: options.log_only === true,
    confirm: settings.noPrompt
      ? undefined
      : (question) => askYesNo(ctx, question, settings.promptAccept),
  };
}

/** `sqitch rebase [options] [<database>] [<onto-change> [<upto-change>]]`. */
export async function run(ctx: CommandContext, argv: string[]): Promise<number> {
  const { options, args } = parseCommandOptions("rebase", OPTIONS, argv);
  const settings = revertDeploySettings(ctx, options);
  const { target, changes, plan } = dbArgs(ctx, options, args);
  const engine: Engine = await engineFor(target, "rebase", {
    out: ctx.out,
    registryOutput: terminalOutput(ctx),
  });
  try {
    const opts = revertDeployOptions(ctx, options, settings, target);
    const onto = options.modified === true
      ? await commonAncestorId(engine, plan(), target, opts)
      : optionString(options.onto_change) ?? changes.shift();
    const upto = optionString(options.upto_change) ?? changes.shift();
    if (changes.length > 0) {
      // Sqitch leaves a placeholder in when there is no change to name.
      ctx.out.warn(
        `Too many changes specified; rebasing onto "${onto ?? "{onto}"}" up to "${
          upto ?? "{upto}"
        }"`,
      );
    }
    await rebase(engine, plan(), target, { ...opts, onto, upto });
  } finally {
    await engine.close();
  }
  return 0;
}
