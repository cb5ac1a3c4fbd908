/**
 * `upgrade`: bring a target's registry up to the version this sqlitch
 * writes (cli.md §5.20); the work is in engines/upgrade.ts.
 */
import { readPlan } from "../core/plan/parser.ts";
import { parseArgs } from "../core/target.ts";
import { upgrade } from "../engines/upgrade.ts";
import { type CommandContext, optionString, parseCommandOptions } from "./context.ts";
import {
  committer,
  CONNECTION_OPTIONS,
  dbTargetContext,
  engineFor,
  terminalOutput,
} from "./db_command.ts";

/** upgrade's option specs (Getopt::Long notation; also read by shell completion). */
export const OPTIONS = ["target|t=s", ...CONNECTION_OPTIONS];

/** `sqitch upgrade [options] [<database>]`. */
export async function run(ctx: CommandContext, argv: string[]): Promise<number> {
  const { options, args } = parseCommandOptions("upgrade", OPTIONS, argv);
  const { host, out } = ctx;
  // Change names are accepted (and ignored) like every database command's.
  const { targets } = parseArgs(dbTargetContext(ctx, options), {
    command: ctx.command,
    args,
    target: optionString(options.target),
    isChange: (arg, target) =>
      host.fs.stat(target.planFile) !== undefined &&
      readPlan(host.fs, target.planFile).contains(arg),
    fileExists: (path) => host.fs.stat(path) !== undefined,
  });
  const [target, ...others] = targets;
  if (others.length > 0) out.warn(`Too many targets specified; using ${target.name}`);

  const engine = await engineFor(target, "upgrade", {
    out: ctx.out,
    registryOutput: terminalOutput(ctx),
  });
  try {
    await upgrade(engine, committer(ctx), out);
  } finally {
    await engine.close();
  }
  return 0;
}
