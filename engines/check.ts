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
import { Context, loadChanges, workflowError, type WorkflowOptions } from "./workflow.ts";

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
  let deployed = await engine.deployedChanges(plan.project);
  let changes = loadChanges(plan, deployed);

  reporter.info(`Checking ${engine.destination}`);
  if (changes.length === 0) {
    reporter.info(
      plan.count ? "No changes deployed" : "Nothing to check (no planned or deployed changes)",
    );
    return;
  }

  /** Resolve a from/to key, cut the deployed list there, return its plan index. */
  const trim = async (key: string, keepBefore: boolean): Promise<number> => {
    const id = await ctx.changeIdForKey(key);
    if (!id) {
      throw workflowError(
        plan.contains(key)
          ? `Change "${key}" has not been deployed`
          : `Cannot find "${key}" in the database or the plan`,
        "check",
      );
    }
    const idx = plan.indexOf(id);
    if (idx === undefined) {
      throw workflowError(`Change "${key}" is deployed, but not planned`, "check");
    }
    const at = deployed.findIndex((d) => d.id === id);
    if (at < 0) {
      // `to` deployed before `from` (Sqitch 1.3.1 dies here with a Perl error).
      throw workflowError(
        `Change "${key}" was deployed before "${opts.from}"; nothing to check`,
        "check",
      );
    }
    if (keepBefore) {
      changes = changes.slice(0, at + 1);
      deployed = deployed.slice(0, at + 1);
    } else {
      changes = changes.slice(at);
      deployed = deployed.slice(at);
    }
    return idx;
  };
  const fromIdx = opts.from === undefined ? 0 : await trim(opts.from, false);
  if (opts.to !== undefined) await trim(opts.to, true);

  let failed = 0;
  for (let i = 0; i < deployed.length; i++) {
    const planned = plan.changes[fromIdx + i];
    // A NULL hash compares equal to a missing script (both Perl undef).
    if (
      planned === undefined || (deployed[i].scriptHash ?? "") !== (currentHash(ctx, planned) ?? "")
    ) {
      reporter.emit(`Script signatures diverge at change ${changes[i].formatNameWithTags()}`);
      failed++;
      break;
    }
  }
  if (failed > 0) throw new CheckFailed(failed);
  reporter.emit("Check successful");
}
