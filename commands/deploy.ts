/**
 * `deploy`: deploy the plan's pending changes to a target (cli.md §5.6,
 * engine-semantics.md §2): the target and `--to` change from the
 * arguments, mode and verification from the options or `[deploy]`, the
 * work itself in engines/workflow.ts.
 */
import { SqlitchError } from "../core/errors.ts";
import { deploy, type DeployMode } from "../engines/workflow.ts";
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

/** deploy's option specs (Getopt::Long notation; also read by shell completion). */
export const OPTIONS = [
  "target|t=s",
  "to-change|to|change=s",
  "mode=s",
  "set|s=s%",
  "log-only",
  "lock-timeout=i",
  "verify!",
  ...DB_COMMAND_OPTIONS,
];

/** `sqitch deploy [options] [<database>] [<change>]`. */
export async function run(ctx: CommandContext, argv: string[]): Promise<number> {
  const { options, args } = parseCommandOptions("deploy", OPTIONS, argv);
  const { config, out } = ctx;

  const mode = firstTrue(optionString(options.mode), config.get("deploy.mode")) ?? "all";
  if (mode !== "all" && mode !== "change" && mode !== "tag") {
    throw new SqlitchError(
      `Value "${mode}" did not pass type constraint "Enum[all,change,tag]" (in $args->{"mode"})`,
      { ident: "deploy" },
    );
  }
  const verify = typeof options.verify === "boolean"
    ? options.verify
    : config.getBool("deploy.verify") ?? false;

  const { target, changes, plan } = dbArgs(ctx, options, args);
  const to = optionString(options.to_change) ?? changes.shift();
  if (changes.length > 0) out.warn(`Too many changes specified; deploying to "${to}"`);

  const engine = await engineFor(target, "deploy to", {
    out: ctx.out,
    registryOutput: terminalOutput(ctx),
  });
  try {
    const scriptOut = terminalOutput(ctx);
    await deploy(engine, plan(), target, {
      committer: committer(ctx),
      reporter: out,
      out: scriptOut,
      verifyOut: out.verbosity >= 2 ? scriptOut : undefined,
      variables: scriptVariables(ctx, ["core", "deploy"], target, options.set),
      client: target.client,
      lockTimeout: typeof options.lock_timeout === "number" ? options.lock_timeout : undefined,
      to,
      mode: mode as DeployMode,
      verify,
      logOnly: options.log_only === true,
    });
  } finally {
    await engine.close();
  }
  return 0;
}
