/**
 * `bundle`: copy the project config, plans and change scripts into a
 * directory for distribution (cli.md §5.2): parse the options and
 * arguments, pick the targets (each may take two change arguments as its
 * range), then hand over to core/bundle.ts.
 */
import { bundle } from "../core/bundle.ts";
import { perlTrue } from "../core/env.ts";
import { dirPath } from "../core/perlpath.ts";
import { readPlan } from "../core/plan/parser.ts";
import type { Plan } from "../core/plan/plan.ts";
import { parseArgs } from "../core/target.ts";
import { type CommandContext, optionString, parseCommandOptions } from "./context.ts";
import { CONTEXT_OPTIONS, contextProperties, makePath } from "./plan_command.ts";
import { targetContext } from "./target_config.ts";

/** bundle's own options, then the context options. */
const OPTIONS = ["dest-dir|dir=s", "all|a!", "from=s", "to=s", ...CONTEXT_OPTIONS];

/** `sqitch bundle [options] [<engine>|<plan>|<target> [<from> [<to>]] ...]`. */
export function run(ctx: CommandContext, argv: string[]): number {
  const { options, args } = parseCommandOptions("bundle", OPTIONS, argv);
  const { host, config } = ctx;
  const props = contextProperties(ctx, options);

  const given = optionString(options.dest_dir);
  const configured = config.get("bundle.dest_dir");
  const destDir = dirPath(
    perlTrue(given) ? given : perlTrue(configured) ? configured : "bundle",
  );

  const plans = new Map<string, Plan>();
  const planOf = (target: { planFile: string }): Plan => {
    let plan = plans.get(target.planFile);
    if (!plan) {
      plan = readPlan(host.fs, target.planFile);
      plans.set(target.planFile, plan);
    }
    return plan;
  };
  const parsed = parseArgs(targetContext(ctx, props), {
    command: "bundle",
    all: options.all === true,
    args,
    isChange: (arg, target) =>
      host.fs.stat(target.planFile) !== undefined && planOf(target).contains(arg),
    fileExists: (path) => host.fs.stat(path) !== undefined,
  });

  const from = optionString(options.from);
  const to = optionString(options.to);
  bundle(
    { fs: host.fs, cwd: host.cwd(), log: ctx.out, makePath: (dir) => makePath(ctx, dir) },
    {
      destDir,
      configFile: config.scopeFile("local").path,
      targets: parsed.targets,
      planOf,
      // Sqitch 1.3.1 takes a lone --to as the start of the range (its
      // `grep { $_ } from, to`); sqlitch keeps each where it belongs.
      from: perlTrue(from) ? from : undefined,
      to: perlTrue(to) ? to : undefined,
      changes: parsed.changes,
    },
  );
  return 0;
}
