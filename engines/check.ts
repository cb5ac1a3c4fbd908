/**
 * `sqitch check` above the `Engine` interface (cli.md §5.3, Engine.pm
 * `check`): compare the deploy-script hashes the registry recorded with
 * the deploy scripts the plan names now, in deployment order, and report
 * the first change where they part. Nothing here prints directly:
 * messages go to the `Reporter`; failures are `SqlitchError`s.
 */
import { SqlitchError } from "../core/errors.ts";
import type { Change, Plan } from "../core/plan/mod.ts";
import { scriptHash } from "../core/plan/ids.ts";
import type { ScriptTarget } from "../core/script_paths.ts";
import type { Engine } from "./engine.ts";
import {
  Context,
  cutDeployedRange,
  type DeployedRange,
  loadChanges,
  type WorkflowOptions,
} from "./workflow.ts";

export interface CheckOptions extends WorkflowOptions {
  /** `--from-change`: start the comparison at this deployed change. */
  from?: string;
  /** `--to-change`: stop the comparison at this deployed change. */
  to?: string;
}

/** `check` found differences: exit status = number of failed checks, message on stdout. */
export class CheckFailed extends SqlitchError {
  constructor(count: number) {
    super(count === 1 ? "Failed one check" : `Failed ${count} checks`, {
      exitCode: count,
      ident: "check",
    });
    this.name = "CheckFailed";
  }
}

/** SHA-1 of a plan change's deploy script as it is now; undefined when the file is missing. */
function currentHash(ctx: Context, change: Change): string | undefined {
  try {
    return scriptHash(Deno.readFileSync(ctx.script(change, "deploy")));
  } catch {
    return undefined;
  }
}

/**
 * `sqitch check`: refuse without an up-to-date registry, then walk the
 * deployed changes (trimmed to `from`…`to`) alongside the plan from the
 * plan index of `from`; the first deployed change whose recorded hash
 * differs from the plan's script (or that runs past the end of the plan)
 * fails the check.
 */
export async function check(
  engine: Engine,
  plan: Plan,
  target: ScriptTarget,
  opts: CheckOptions,
): Promise<void> {
  const ctx = new Context(engine, plan, target, opts);
  const reporter = opts.reporter;
  await engine.connect();
  await ctx.checkRegistry();
  const deployed = await engine.deployedChanges(plan.project);
  const range: DeployedRange = { changes: loadChanges(plan, deployed), deployed };

  reporter.info(`Checking ${engine.destination}`);
  if (range.changes.length === 0) {
    reporter.info(
      plan.count ? "No changes deployed" : "Nothing to check (no planned or deployed changes)",
    );
    return;
  }

  const cut = (key: string, keepBefore: boolean) =>
    cutDeployedRange(ctx, range, key, keepBefore, opts.from, "check");
  const fromIdx = opts.from === undefined ? 0 : await cut(opts.from, false);
  if (opts.to !== undefined) await cut(opts.to, true);

  let failed = 0;
  const { changes } = range;
  for (let i = 0; i < range.deployed.length; i++) {
    const planned = plan.changes[fromIdx + i];
    // A NULL hash compares equal to a missing script (both Perl undef).
    if (
      planned === undefined ||
      (range.deployed[i].scriptHash ?? "") !== (currentHash(ctx, planned) ?? "")
    ) {
      reporter.emit(`Script signatures diverge at change ${changes[i].formatNameWithTags()}`);
      failed++;
      break;
    }
  }
  if (failed > 0) throw new CheckFailed(failed);
  reporter.emit("Check successful");
}
