/**
 * `checkout`: switch VCS branch with the database following along
 * (cli.md §5.4): revert to the last change the current plan shares with
 * the branch's plan, check the branch out, deploy its plan. The VCS client
 * is `core.vcs.client` (default `git`); the work is in engines/rebase.ts.
 */
import { UsageError } from "../core/errors.ts";
import { readPlan } from "../core/plan/parser.ts";
import { parseArgs } from "../core/target.ts";
import { checkout } from "../engines/rebase.ts";
import { type CommandContext, optionString, parseCommandOptions } from "./context.ts";
import { dbTargetContext, engineFor, terminalOutput } from "./db_command.ts";
import { REVERT_DEPLOY_OPTIONS, revertDeployOptions, revertDeploySettings } from "./rebase.ts";
import { gitVcs } from "./vcs.ts";

/** checkout's option specs: the revert-and-deploy options it shares with rebase. */
export const OPTIONS = REVERT_DEPLOY_OPTIONS;

/** `sqitch checkout [options] [<database>] <branch>`. */
export async function run(ctx: CommandContext, argv: string[]): Promise<number> {
  const { options, args } = parseCommandOptions("checkout", OPTIONS, argv);
  const settings = revertDeploySettings(ctx, options);
  const { host, out, config } = ctx;

  // The branch is the first argument that is no target: changes are not looked for.
  const parsed = parseArgs(dbTargetContext(ctx, options), {
    command: ctx.command,
    args,
    target: optionString(options.target),
    names: [undefined],
    fileExists: (path) => host.fs.stat(path) !== undefined,
  });
  const branch = parsed.names[0];
  if (branch === undefined || branch === "") throw new UsageError("checkout");
  const [target, ...others] = parsed.targets;
  if (others.length > 0) out.warn(`Too many targets specified; connecting to ${target.name}`);

  const client = config.get("core.vcs.client") || "git";
  const engine = await engineFor(target, "check out", {
    out: ctx.out,
    registryOutput: terminalOutput(ctx),
  });
  try {
    await checkout(engine, target, {
      ...revertDeployOptions(ctx, options, settings, target),
      branch,
      vcs: gitVcs(host, client, target.planFile),
      planFile: target.planFile,
      currentPlan: () => readPlan(host.fs, target.planFile),
    });
  } finally {
    await engine.close();
  }
  return 0;
}
