/**
 * Revert-then-deploy operations above the `Engine` interface, shared by
 * every engine: the common ancestor of the plan and the registry
 * (`revert --modified`, `rebase --modified`; Engine.pm
 * `planned_deployed_common_ancestor_id`), `rebase` (revert to one change,
 * deploy up to another) and `checkout` (revert to the last change two VCS
 * branches share, switch branch, deploy the other branch's plan).
 *
 * Like engines/workflow.ts, nothing here prints or runs processes: messages
 * go to the `Reporter`, and the version-control steps of `checkout` go
 * through a `Vcs` the command supplies.
 */
import { SqlitchError } from "../core/errors.ts";
import { type Change, decodePlanBytes, parsePlan, type Plan } from "../core/plan/mod.ts";
import type { ScriptTarget } from "../core/script_paths.ts";
import type { Engine, ScriptVariables } from "./engine.ts";
import {
  Context,
  deploy,
  type DeployOptions,
  revert,
  type RevertOptions,
  type WorkflowOptions,
} from "./workflow.ts";

/**
 * The id of the last deployed change up to which every deployed change
 * still has the deploy-script hash of the plan change at the same
 * position; undefined when the first one already differs (or nothing is
 * deployed): revert everything. Checks the registry first (`No registry
 * found …`), where Sqitch 1.3.1 fails with an SQL error.
 */
export async function commonAncestorId(
  engine: Engine,
  plan: Plan,
  target: ScriptTarget,
  opts: WorkflowOptions,
): Promise<string | undefined> {
  const ctx = new Context(engine, plan, target, opts);
  await engine.connect();
  await ctx.checkRegistry();
  const deployed = await engine.deployedChanges(plan.project);
  let ancestor: string | undefined;
  for (const [i, change] of deployed.entries()) {
    const planned = plan.changeAt(i);
    if (planned === undefined) break;
    if ((change.scriptHash ?? "") !== (ctx.deployScriptHash(planned) ?? "")) break;
    ancestor = change.id;
  }
  return ancestor;
}

/** What `rebase` and `checkout` share (the RevertDeployCommand options). */
export interface RevertDeployOptions
  extends Omit<WorkflowOptions, "variables">, Pick<RevertOptions, "confirm"> {
  /** Variables of the revert step (core → deploy → revert → target → `--set`/`--set-revert`). */
  revertVariables?: ScriptVariables;
  /** Variables of the deploy step (core → deploy → target → `--set`/`--set-deploy`). */
  deployVariables?: ScriptVariables;
  mode?: DeployOptions["mode"];
  verify?: boolean;
  logOnly?: boolean;
}

export interface RebaseOptions extends RevertDeployOptions {
  /** Revert the changes deployed after this one (all without it). */
  onto?: string;
  /** Deploy up to this change (all without it). */
  upto?: string;
}

/**
 * Revert as the revert step of rebase/checkout does: an exit-1 outcome
 * other than a refused `revert:confirm` prompt is reported and ignored.
 */
async function revertStep(
  engine: Engine,
  plan: Plan,
  target: ScriptTarget,
  opts: RevertDeployOptions,
  to: string | undefined,
): Promise<void> {
  try {
    await revert(engine, plan, target, {
      ...opts,
      variables: opts.revertVariables,
      to,
      logOnly: opts.logOnly,
    });
  } catch (e) {
    if (!(e instanceof SqlitchError) || e.exitCode > 1 || e.ident === "revert:confirm") throw e;
    opts.reporter.info(e.message);
  }
}

/** The deploy step of rebase/checkout. */
function deployStep(
  engine: Engine,
  plan: Plan,
  target: ScriptTarget,
  opts: RevertDeployOptions,
  to: string | undefined,
): Promise<void> {
  return deploy(engine, plan, target, {
    ...opts,
    variables: opts.deployVariables,
    to,
    mode: opts.mode,
    verify: opts.verify,
    logOnly: opts.logOnly,
  });
}

/** `sqitch rebase`: revert to `onto` (everything without it), then deploy up to `upto`. */
export async function rebase(
  engine: Engine,
  plan: Plan,
  target: ScriptTarget,
  opts: RebaseOptions,
): Promise<void> {
  await revertStep(engine, plan, target, opts, opts.onto);
  await deployStep(engine, plan, target, opts, opts.upto);
}

/** The version-control operations `checkout` needs (git by default). */
export interface Vcs {
  /** The name of the branch checked out now. */
  currentBranch(): Promise<string>;
  /** The plan file's bytes as committed on `branch`. */
  planOn(branch: string): Promise<Uint8Array>;
  /** Switch the working tree to `branch`. */
  checkout(branch: string): Promise<void>;
}

export interface CheckoutOptions extends RevertDeployOptions {
  /** The branch to switch to. */
  branch: string;
  vcs: Vcs;
  /** The target's plan file, as named in messages. */
  planFile: string;
  /** The current branch's plan (read when first needed, as Sqitch does). */
  currentPlan: () => Plan;
}

/**
 * `sqitch checkout <branch>`: revert to the last change the current plan
 * shares with the branch's plan, switch branch, deploy the branch's plan.
 */
export async function checkout(
  engine: Engine,
  target: ScriptTarget,
  opts: CheckoutOptions,
): Promise<void> {
  const { branch, vcs } = opts;
  const current = await vcs.currentBranch();
  if (current === branch) {
    throw new SqlitchError(`Already on branch ${branch}`, { exitCode: 1, ident: "checkout" });
  }
  const decoded = decodePlanBytes(await vcs.planOn(branch));
  const toPlan = parsePlan(decoded.text, opts.planFile, { truncated: decoded.truncated });
  const fromPlan = opts.currentPlan();

  let common: Change | undefined;
  for (const change of toPlan.changes) {
    if (fromPlan.get(change.id) === undefined) break;
    common = change;
  }
  if (common === undefined) {
    throw new SqlitchError(
      `Branch ${branch} has no changes in common with current branch ${current}`,
      { ident: "checkout" },
    );
  }
  opts.reporter.info(
    `Last change before the branches diverged: ${common.formatNameWithTags()}`,
  );

  await revertStep(engine, fromPlan, target, opts, common.id);
  await vcs.checkout(branch);
  await deployStep(engine, toPlan, target, opts, undefined);
}
