/**
 * The engine-independent harness of the crash-safety tests (SQLite in
 * crash_safety_test.ts, PostgreSQL in crash_pg_test.ts, MySQL/MariaDB in
 * crash_mysql_test.ts): a 50-change project, a `deploy` that is killed
 * with SIGKILL at a chosen moment, the invariants checked after every kill,
 * the random-kill loop, kills spread over the registry creation, and the
 * deterministic "applied but not recorded" cases. Each engine supplies a
 * `CrashEngine`: its scripts, how to reset and read its databases, what a
 * kill may leave behind on it, and (MySQL, which creates its registry
 * before printing anything) a watch telling when the registry creation
 * begins.
 *
 * The invariants, after every kill: the registry is absent, or whole with
 * its release row (see below); it lists a prefix of the plan; each listed change has the deploy event as
 * its last event, and every deploy event of an unlisted change is
 * followed by a revert; no fail event (a kill is not a failure); tags and
 * dependencies belong to listed changes; every listed change's deploy
 * script completed (its table, index and all rows are there); nothing
 * beyond the change after the listed ones was touched; and that change is
 * left in a state the script kind allows (a BEGIN/COMMIT script is all or
 * nothing where the engine makes it so). Then a plain `deploy` must finish
 * the job and `verify` pass.
 *
 * A kill after a script's own commit and before the registry's leaves the
 * change applied but not recorded: the next `deploy` runs the script again,
 * so the generated scripts are idempotent (IF NOT EXISTS, upserts). A
 * script that cannot run twice makes that deploy fail with the registry
 * still truthful, as with Sqitch (compared with real Sqitch when present).
 *
 * A registry a kill left unusable (half created, or without its release
 * row) is a problem only if the next plain `deploy` cannot finish: problems
 * are collected and reported together at the end of a test.
 *
 * Kill delays come from a seeded PRNG (CRASH_SEED overrides the seed) and
 * are scaled to one uninterrupted deploy measured first, or triggered by
 * what the deploy printed (or the registry watch saw), so they adapt to a
 * busy machine. CRASH_DEBUG=1 prints every run.
 */
import { AssertionError } from "node:assert/strict";
import { makeSandbox, runSqlitch, type Sandbox, sqlitchCommand } from "../cli/sandbox.ts";
import { parityAvailability } from "../parity/kit.ts";

// ---------------------------------------------------------------------------
// The project

/** Changes in the plan (a tag every 10). */
export const CHANGES = 50;
/** Rows each deploy script inserts, in INSERT statements of ROWS_PER_INSERT rows. */
export const ROWS = 200;
export const ROWS_PER_INSERT = 50;
/** The default seed of the kill points (CRASH_SEED overrides it). */
export const SEED = Number(Deno.env.get("CRASH_SEED") ?? "20260102");

/** Deploy scripts of plain statements, or wrapped in BEGIN/COMMIT. */
export type ScriptKind = "plain" | "transaction";

/** How much of a change's deploy script the target database holds. */
export type Applied = "absent" | "empty" | "partial" | "complete";

/** The name of change i (c01 …). */
export const name = (i: number) => `c${String(i).padStart(2, "0")}`;
/** The table change i creates (t01 …); its index is `${table(i)}_payload`. */
export const table = (i: number) => `t${String(i).padStart(2, "0")}`;
/** The payload of row `id` of change i's table. */
export const payload = (i: number, id: number) => `${name(i)}-${id}`;

/** The plan: c01 … c50, each requiring the previous one, a tag every 10 changes. */
export function plan(): string {
  const lines = ["%syntax-version=1.0.0", "%project=crash", "%uri=https://example.com/crash/", ""];
  for (let i = 1; i <= CHANGES; i++) {
    const ts = `2026-01-01T00:${String(Math.floor(i / 60)).padStart(2, "0")}:${
      String(i % 60).padStart(2, "0")
    }Z`;
    const requires = i > 1 ? ` [${name(i - 1)}]` : "";
    lines.push(`${name(i)}${requires} ${ts} Crash Tester <crash@example.com> # Change ${i}.`);
    if (i % 10 === 0) lines.push(`@v${i} ${ts} Crash Tester <crash@example.com> # Tag ${i}.`);
  }
  return lines.join("\n") + "\n";
}

/** The rows of change i as VALUES lists of ROWS_PER_INSERT rows each. */
export function valueLists(i: number): string[] {
  const lists: string[] = [];
  for (let from = 1; from <= ROWS; from += ROWS_PER_INSERT) {
    const rows: string[] = [];
    for (let id = from; id < from + ROWS_PER_INSERT; id++) {
      rows.push(`(${id}, '${payload(i, id)}')`);
    }
    lists.push(rows.join(",\n  "));
  }
  return lists;
}

/** What a registry and a target database hold, read after a run. */
export interface Snapshot {
  /** The registry tables present (of REGISTRY_TABLES). */
  registryTables: string[];
  /** Rows of `releases` (0 when the table is missing). */
  releases: number;
  /** `changes` rows by committed_at. */
  changes: { id: string; name: string }[];
  /** `events` rows by committed_at. */
  events: { event: string; id: string; name: string }[];
  /** `tags` rows. */
  tags: { tag: string; changeId: string }[];
  /** Rows of `dependencies`. */
  dependencies: number;
  /** How much of each change the target holds (index i - 1 for change i). */
  applied: Applied[];
  /** Journal files a kill left beside the databases (SQLite). */
  journals: string[];
}

/** The registry's tables. */
export const REGISTRY_TABLES = [
  "changes",
  "dependencies",
  "events",
  "projects",
  "releases",
  "tags",
];

/** What one engine brings to the harness. */
export interface CrashEngine {
  /** A label for messages (sqlite, pg, mysql). */
  label: string;
  /** The project's sqitch.conf (engine, target, registry). */
  config: string;
  /** The idempotent deploy script of change i. */
  deployScript(i: number, kind: ScriptKind): string;
  revertScript(i: number): string;
  /** A verify script that fails unless change i's table, index and rows are all there. */
  verifyScript(i: number): string;
  /** The states a kill may leave a BEGIN/COMMIT script's change in. */
  transactionInFlight: Applied[];
  /** Remove the target and the registry: the next deploy starts from nothing. */
  reset(sb: Sandbox): Promise<void>;
  /** Wait until a killed run left nothing running (server sessions ended). */
  settle(sb: Sandbox): Promise<void>;
  /** Read the registry and the target (throws on a damaged database). */
  snapshot(sb: Sandbox, where: string): Promise<Snapshot>;
  /** After a clean exit: what is left that should not be (undefined when fine). */
  cleanExitProblem(sb: Sandbox): Promise<string | undefined>;
  /** Run a script directly on the target (a kill after its commit, before the registry's). */
  applyScript(sb: Sandbox, script: string): Promise<void>;
  /** Drop whatever the engine created outside the sandbox. */
  cleanup(sb: Sandbox): Promise<void>;
  /** A Sqitch-template-style deploy script of change i that cannot run twice. */
  nonIdempotentScript(i: number): string;
  /** The error a second run of that script gives. */
  alreadyExists: RegExp;
  /** Programs real Sqitch needs for this engine (besides sqitch). */
  sqitchNeeds: string[];
  /**
   * For engines that create the registry silently before any output (MySQL,
   * as Sqitch does it while taking its lock): a watch on the server telling
   * when the creation has begun, so that kills can aim at it.
   */
  registryWatch?(): Promise<RegistryWatch>;
}

/** Tells whether a run has begun creating the registry. */
export interface RegistryWatch {
  started(): Promise<boolean>;
  close(): Promise<void>;
}

/** The files of the project for `engine` and `kind`. */
export function projectFiles(engine: CrashEngine, kind: ScriptKind): Record<string, string> {
  const files: Record<string, string> = {
    "home/.sqitch/sqitch.conf": "[user]\n\tname = Crash Tester\n\temail = crash@example.com\n",
    "proj/sqitch.conf": engine.config,
    "proj/sqitch.plan": plan(),
  };
  for (let i = 1; i <= CHANGES; i++) {
    files[`proj/deploy/${name(i)}.sql`] = engine.deployScript(i, kind);
    files[`proj/revert/${name(i)}.sql`] = engine.revertScript(i);
    files[`proj/verify/${name(i)}.sql`] = engine.verifyScript(i);
  }
  return files;
}

/** Classify a change's table from what the target holds. */
export function classify(
  t: { index: boolean; n: number; distinct: number; lo: number; hi: number; ok: number },
): Applied {
  if (t.n === 0) return "empty";
  const complete = t.index && t.n === ROWS && t.distinct === ROWS && t.lo === 1 && t.hi === ROWS &&
    t.ok === ROWS;
  return complete ? "complete" : "partial";
}

/** Throw an assertion error unless `ok`. */
export function check(ok: unknown, message: string): asserts ok {
  if (!ok) throw new AssertionError({ message });
}

// ---------------------------------------------------------------------------
// Running and killing

/** mulberry32: a small seeded PRNG in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * When to kill: `delayMs` after spawning, or after `trigger` first shows on
 * stdout, or after the registry watch saw the creation begin (`watch`).
 */
interface KillPlan {
  label: string;
  trigger?: string;
  watch?: boolean;
  delayMs: number;
}

interface DeployRun {
  code: number;
  killed: boolean;
  stdout: string;
  stderr: string;
  ms: number;
  /** When (ms after spawning) stdout first contained each marker asked for. */
  seen: Map<string, number>;
}

const MARKERS = ["Adding registry tables", "Deploying changes", `+ ${name(1)} `];
/** The key of `DeployRun.seen` for when the registry watch saw the creation begin. */
const WATCHED = "(registry creation begun)";

/**
 * Run `deploy`, killing it per `kill` (if it is still running then); with
 * `watch`, poll it until the registry creation begins (recorded in `seen`).
 */
async function deploy(
  sb: Sandbox,
  kill?: KillPlan,
  watch?: RegistryWatch,
): Promise<DeployRun> {
  const started = performance.now();
  const child = sqlitchCommand(sb, ["deploy"]).spawn();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const doKill = () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  };
  const arm = (ms: number) => {
    if (ms <= 0) doKill();
    else timer = setTimeout(doKill, ms);
  };
  if (kill && kill.trigger === undefined && !kill.watch) arm(kill.delayMs);
  const seen = new Map<string, number>();
  let exited = false;
  const watching = (async () => {
    if (!watch) return;
    while (!exited) {
      if (await watch.started()) {
        seen.set(WATCHED, performance.now() - started);
        if (kill?.watch) arm(kill.delayMs);
        return;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  let stdout = "";
  const decoder = new TextDecoder();
  const reading = (async () => {
    for await (const chunk of child.stdout) {
      stdout += decoder.decode(chunk, { stream: true });
      for (const m of [...MARKERS, ...(kill?.trigger ? [kill.trigger] : [])]) {
        if (!seen.has(m) && stdout.includes(m)) {
          seen.set(m, performance.now() - started);
          if (m === kill?.trigger) arm(kill.delayMs);
        }
      }
    }
  })();
  const stderr = new Response(child.stderr).text();
  const status = await child.status;
  exited = true;
  clearTimeout(timer);
  await reading;
  await watching;
  return {
    code: status.code,
    killed: status.signal === "SIGKILL",
    stdout,
    stderr: await stderr,
    ms: performance.now() - started,
    seen,
  };
}

// ---------------------------------------------------------------------------
// Inspecting what a kill left

/** What the registry and target said after a kill. */
interface Inspection {
  /** Changes the registry lists (a prefix of the plan). */
  listed: number;
  /** The change after the listed ones, in the target. */
  inFlight: Applied | "n/a";
  /** Whether a registry (whole or not) is there. */
  registry: boolean;
  /** Journal files the kill left next to the databases. */
  journals: string[];
  /**
   * What is wrong with a registry a kill left unusable (half created, or
   * without its `releases` row), else undefined.
   */
  brokenRegistry?: string;
}

/** Read the databases and check every invariant. */
async function inspect(
  engine: CrashEngine,
  sb: Sandbox,
  kind: ScriptKind,
  context: string,
): Promise<Inspection> {
  const where = `after ${context}`;
  const snap = await engine.snapshot(sb, where);
  const { applied, journals } = snap;
  const state = (i: number) => applied[i - 1];
  const allowed = (s: Applied) =>
    s === "absent" || kind === "plain" || engine.transactionInFlight.includes(s);
  const whole = snap.registryTables.length === REGISTRY_TABLES.length;
  if (!whole || snap.releases === 0) {
    for (let i = 2; i <= CHANGES; i++) {
      check(state(i) === "absent", `${where}: no usable registry, yet ${table(i)} exists`);
    }
    check(allowed(state(1)), `${where}: ${table(1)} is ${state(1)}`);
    const brokenRegistry = snap.registryTables.length === 0
      ? undefined
      : whole
      ? "the registry tables without a release row"
      : `a half-created registry (tables: ${snap.registryTables.join(", ")})`;
    const registry = snap.registryTables.length > 0;
    if (whole) {
      check(snap.changes.length === 0, `${where}: changes recorded without a release row`);
    }
    return { listed: 0, inFlight: state(1), registry, journals, brokenRegistry };
  }

  // The registry lists a prefix of the plan, each change with its deploy event and tags.
  const listed = snap.changes;
  listed.forEach((c, k) =>
    check(
      c.name === name(k + 1),
      `${where}: registry lists ${listed.map((x) => x.name).join(" ")}, not a plan prefix`,
    )
  );
  const ids = new Set(listed.map((c) => c.id));
  const events = snap.events;
  check(!events.some((e) => e.event === "fail"), `${where}: a kill was logged as a failure`);
  for (const c of listed) {
    const last = events.filter((e) => e.id === c.id).at(-1);
    check(
      last?.event === "deploy",
      `${where}: ${c.name} is listed, its last event is ${last?.event}`,
    );
  }
  events.forEach((e, k) => {
    if (e.event !== "deploy" || ids.has(e.id)) return;
    const reverted = events.slice(k + 1).some((x) => x.id === e.id && x.event === "revert");
    check(reverted, `${where}: deploy event of ${e.name}, which is neither listed nor reverted`);
  });
  for (const t of snap.tags) {
    check(ids.has(t.changeId), `${where}: tag ${t.tag} of an unlisted change`);
  }
  check(
    snap.tags.length === Math.floor(listed.length / 10),
    `${where}: ${snap.tags.length} tags for ${listed.length} changes`,
  );
  check(
    snap.dependencies === Math.max(0, listed.length - 1),
    `${where}: ${snap.dependencies} dependencies for ${listed.length} changes`,
  );

  // Every listed change's script completed; nothing beyond the next one ran.
  for (let i = 1; i <= listed.length; i++) {
    check(
      state(i) === "complete",
      `${where}: the registry lists ${name(i)} but its deploy script did not complete ` +
        `(${table(i)} is ${state(i)})`,
    );
  }
  for (let i = listed.length + 2; i <= CHANGES; i++) {
    check(state(i) === "absent", `${where}: ${table(i)} exists beyond the next change`);
  }
  const inFlight = listed.length < CHANGES ? state(listed.length + 1) : "n/a";
  check(
    inFlight === "n/a" || allowed(inFlight),
    `${where}: a BEGIN/COMMIT script was left ${inFlight} (${table(listed.length + 1)})`,
  );
  return { listed: listed.length, inFlight, registry: true, journals };
}

// ---------------------------------------------------------------------------
// The random-kill tests

interface Timing {
  /**
   * ms from spawn to the registry creation ("Adding registry tables", or
   * what the registry watch saw), to "Deploying changes", and in all.
   */
  registry: number;
  deploying: number;
  total: number;
  /** Whether registry kills aim by the registry watch rather than the message. */
  watched: boolean;
}

/** Time one uninterrupted deploy from nothing (then reset again): it scales the delays. */
async function measure(
  engine: CrashEngine,
  sb: Sandbox,
  kind: ScriptKind,
  watch: RegistryWatch | undefined,
): Promise<Timing> {
  await engine.reset(sb);
  const first = await deploy(sb, undefined, watch);
  check(first.code === 0, `uninterrupted deploy failed:\n${first.stdout}${first.stderr}`);
  check(
    (await inspect(engine, sb, kind, "an uninterrupted deploy")).listed === CHANGES,
    "not all listed",
  );
  await engine.reset(sb);
  return {
    registry: first.seen.get("Adding registry tables") ?? first.seen.get(WATCHED) ??
      first.ms / 10,
    deploying: first.seen.get("Deploying changes") ?? first.ms / 10,
    total: first.ms,
    watched: !first.seen.has("Adding registry tables") && first.seen.has(WATCHED),
  };
}

function describe(timing: Timing): string {
  return `uninterrupted deploy ${Math.round(timing.total)} ms (registry at ` +
    `${Math.round(timing.registry)} ms${timing.watched ? ", watched" : ""}, deploying at ` +
    `${Math.round(timing.deploying)} ms)`;
}

/** The next kill point: a mix of start-up, registry creation, uniform and late kills. */
function nextKill(
  n: number,
  rnd: () => number,
  timing: Timing,
  listed: number,
  registry: boolean,
): KillPlan {
  const perChange = (timing.total - timing.deploying) / CHANGES;
  const remaining = timing.deploying + perChange * (CHANGES - listed);
  const kinds = ["startup", "registry", "uniform", "change", "uniform", "late"];
  const pick = n < kinds.length ? kinds[n] : kinds[Math.floor(rnd() * kinds.length)];
  switch (pick) {
    case "startup": {
      const ms = Math.round(rnd() * timing.registry);
      return { label: `${ms} ms after start (start-up)`, delayMs: ms };
    }
    case "registry":
      if (!registry && timing.watched) {
        // Anywhere in the creation: from its start to "Deploying changes".
        const ms = Math.round(rnd() * Math.max(1, timing.deploying - timing.registry));
        return { label: `${ms} ms into the registry creation`, watch: true, delayMs: ms };
      }
      if (!registry) {
        const ms = Math.round(rnd() * 4);
        return {
          label: `${ms} ms after "Adding registry tables"`,
          trigger: "Adding registry tables",
          delayMs: ms,
        };
      }
      return { label: `at "Deploying changes"`, trigger: "Deploying changes", delayMs: 0 };
    case "change": {
      const i = Math.min(CHANGES, listed + 1 + Math.floor(rnd() * 3));
      const ms = Math.round(rnd() * perChange);
      return { label: `${ms} ms after "+ ${name(i)}"`, trigger: `+ ${name(i)} `, delayMs: ms };
    }
    case "late": {
      const ms = Math.round(remaining * (0.85 + 0.2 * rnd()));
      return { label: `${ms} ms after start (late)`, delayMs: ms };
    }
    default: {
      const ms = Math.round(remaining * 1.05 * rnd());
      return { label: `${ms} ms after start`, delayMs: ms };
    }
  }
}

/** How many kills, and the cap on runs, of one random-kill test. */
export interface KillCounts {
  kills: number;
  maxRuns: number;
}

/** Kill points per script kind (two kinds: at least 20 in all), and the cap on runs. */
export const KILL_COUNTS: KillCounts = { kills: 15, maxRuns: 40 };

/** How long a server may take to end a killed run's sessions and release its lock. */
export const SETTLE_MS = 20_000;

/**
 * Deploy the project of `kind` on `engine` again and again, killing each
 * run at a point drawn from `seed`, until `counts.kills` kills landed;
 * check every invariant after each run; then a plain `deploy` must finish
 * and `verify` pass. Problems that leave the databases usable are
 * collected and reported together at the end.
 */
export async function randomKills(
  engine: CrashEngine,
  kind: ScriptKind,
  seed: number,
  counts: KillCounts,
): Promise<void> {
  const sb = await makeSandbox(projectFiles(engine, kind));
  const log: string[] = [];
  const watch = await engine.registryWatch?.();
  try {
    const timing = await measure(engine, sb, kind, watch);
    log.push(`${engine.label} ${kind}: seed ${seed}; ${describe(timing)}`);

    const rnd = prng(seed);
    const problems: string[] = [];
    let listed = 0;
    let registry = false;
    let kills = 0;
    let runs = 0;
    const inFlight = { absent: 0, empty: 0, partial: 0, complete: 0, "n/a": 0 };
    let journals = 0;
    while (kills < counts.kills) {
      check(runs < counts.maxRuns, `only ${kills} kills in ${runs} runs:\n${log.join("\n")}`);
      if (listed === CHANGES) {
        await engine.reset(sb); // start a fresh round, registry creation included
        listed = 0;
        registry = false;
      }
      const plan = nextKill(runs, rnd, timing, listed, registry);
      runs++;
      const run = await deploy(sb, plan, plan.watch ? watch : undefined);
      const context = `run ${runs} (${engine.label} ${kind}, killed ${plan.label}, ` +
        `${listed} listed before)`;
      if (!run.killed) {
        check(run.code === 0, `${context}: not killed, exited ${run.code}:\n${run.stderr}`);
      } else kills++;
      let seen: Inspection;
      try {
        if (run.killed) await engine.settle(sb);
        seen = await inspect(engine, sb, kind, context);
      } catch (e) {
        throw new AssertionError({
          message: `${(e as Error).message}\n--- stdout:\n${run.stdout}--- stderr:\n${run.stderr}` +
            `--- so far:\n${log.join("\n")}`,
        });
      }
      if (seen.brokenRegistry) {
        // Only fine if the next deploy copes; it did not on SQLite before the fix.
        const next = await runSqlitch(sb, ["deploy"]);
        const after = next.code === 0
          ? await inspect(engine, sb, kind, `a deploy after ${context}`)
          : undefined;
        if (after?.listed === CHANGES) {
          log.push(`${context}: SIGKILL left ${seen.brokenRegistry}; the next deploy finished`);
          listed = CHANGES;
          continue;
        }
        problems.push(
          `${context}: SIGKILL left ${seen.brokenRegistry}; the next deploy exited ${next.code}` +
            `:\n${next.stdout}${next.stderr}`,
        );
        log.push(`${context}: SIGKILL left an unusable registry: ${seen.brokenRegistry}`);
        await engine.reset(sb);
        listed = 0;
        registry = false;
        continue;
      }
      check(seen.listed >= listed, `${context}: the registry lost changes (${seen.listed})`);
      if (!run.killed) {
        check(seen.listed === CHANGES, `${context}: exited 0 short of the end`);
        const unclean = await engine.cleanExitProblem(sb);
        if (unclean) problems.push(`${context}: finished, but ${unclean}`);
      }
      log.push(
        `${context}: ${run.killed ? "SIGKILL" : "finished"} after ${Math.round(run.ms)} ms; ` +
          `${seen.listed} listed; next change ${seen.inFlight}` +
          (seen.journals.length ? `; journals ${seen.journals.join(" ")}` : ""),
      );
      if (run.killed) {
        inFlight[seen.inFlight]++;
        if (seen.journals.length) journals++;
      }
      listed = seen.listed;
      registry = seen.registry;
    }

    // A plain deploy finishes the job; verify passes.
    const last = await runSqlitch(sb, ["deploy"]);
    check(last.code === 0, `final deploy exited ${last.code}:\n${last.stdout}${last.stderr}`);
    const done = await inspect(engine, sb, kind, "the final deploy");
    check(done.listed === CHANGES, `final deploy left ${done.listed} changes listed`);
    const verify = await runSqlitch(sb, ["verify"]);
    check(verify.code === 0, `verify exited ${verify.code}:\n${verify.stdout}${verify.stderr}`);
    check(/^Verify successful$/m.test(verify.stdout), `verify said:\n${verify.stdout}`);
    const unclean = await engine.cleanExitProblem(sb);
    if (unclean) problems.push(`after the final deploy and verify: ${unclean}`);
    if (Deno.env.get("CRASH_DEBUG")) console.log(log.join("\n"));
    console.log(
      `crash safety (${engine.label}, ${kind}): ${kills} kills in ${runs} runs; next change ` +
        `after a kill: ${inFlight.absent} absent, ${inFlight.empty} empty, ${inFlight.partial} ` +
        `partial, ${inFlight.complete} applied but unrecorded` +
        (engine.label === "sqlite" ? `; hot journals left by ${journals} kills` : ""),
    );
    check(
      problems.length === 0,
      `crash safety (${engine.label} ${kind}, seed ${seed}): ${problems.length} problem(s):\n` +
        `${problems.join("\n")}\n--- runs:\n${log.join("\n")}`,
    );
  } finally {
    await watch?.close();
    await engine.cleanup(sb).catch(() => {});
    await Deno.remove(sb.root, { recursive: true });
  }
}

/**
 * Kill `points` deploys from nothing at evenly spread moments of the
 * registry creation (from "Adding registry tables", or from when the
 * registry watch saw it begin, to "Deploying changes"): after each, the
 * databases must satisfy the invariants and a plain `deploy` must finish.
 * Problems are collected and reported together.
 */
export async function registryKills(engine: CrashEngine, points: number): Promise<void> {
  const kind: ScriptKind = "transaction";
  const sb = await makeSandbox(projectFiles(engine, kind));
  const watch = await engine.registryWatch?.();
  const log: string[] = [];
  const problems: string[] = [];
  try {
    const timing = await measure(engine, sb, kind, watch);
    log.push(`${engine.label}: ${describe(timing)}`);
    const window = Math.max(points, timing.deploying - timing.registry);
    for (let k = 0; k < points; k++) {
      const ms = Math.round((k * window) / (points - 1 || 1));
      const plan: KillPlan = timing.watched
        ? { label: `${ms} ms into the registry creation`, watch: true, delayMs: ms }
        : {
          label: `${ms} ms after "Adding registry tables"`,
          trigger: "Adding registry tables",
          delayMs: ms,
        };
      const context = `${engine.label}: killed ${plan.label}`;
      await engine.reset(sb);
      const run = await deploy(sb, plan, plan.watch ? watch : undefined);
      if (run.killed) await engine.settle(sb);
      const seen = await inspect(engine, sb, kind, context);
      const next = await runSqlitch(sb, ["deploy"]);
      const after = next.code === 0
        ? await inspect(engine, sb, kind, `a deploy after ${context}`)
        : undefined;
      const left = seen.brokenRegistry ??
        (seen.registry ? `a registry, ${seen.listed} listed` : "no registry");
      log.push(
        `${context}: ${run.killed ? "SIGKILL" : "finished"}; left ${left}; the next deploy ` +
          `exited ${next.code}`,
      );
      if (after?.listed !== CHANGES) {
        problems.push(
          `${context}: SIGKILL left ${left}; the next deploy exited ${next.code}:\n` +
            `${next.stdout}${next.stderr}`,
        );
      }
    }
    if (Deno.env.get("CRASH_DEBUG")) console.log(log.join("\n"));
    check(
      problems.length === 0,
      `crash safety (${engine.label}, registry creation): ${problems.length} of ${points} ` +
        `kill points left a registry the next deploy could not use:\n${problems.join("\n")}\n` +
        `--- runs:\n${log.join("\n")}`,
    );
  } finally {
    await watch?.close();
    await engine.cleanup(sb).catch(() => {});
    await Deno.remove(sb.root, { recursive: true });
  }
}

// ---------------------------------------------------------------------------
// Crash windows reproduced deterministically

/** A sandbox of `kind` on `engine`, fresh databases, after `deploy --to c05`. */
async function deployedToFive(engine: CrashEngine, kind: ScriptKind): Promise<Sandbox> {
  const sb = await makeSandbox(projectFiles(engine, kind));
  await engine.reset(sb);
  const r = await runSqlitch(sb, ["deploy", "--to", name(5)]);
  check(r.code === 0, `deploy --to ${name(5)} failed:\n${r.stdout}${r.stderr}`);
  return sb;
}

async function listedChanges(engine: CrashEngine, sb: Sandbox): Promise<string[]> {
  return (await engine.snapshot(sb, "listing")).changes.map((c) => c.name);
}

/** Change c06 applied (its script committed) but not recorded: the next deploy runs it again. */
export async function appliedButUnrecorded(engine: CrashEngine): Promise<void> {
  const sb = await deployedToFive(engine, "transaction");
  try {
    await engine.applyScript(sb, engine.deployScript(6, "transaction"));
    const r = await runSqlitch(sb, ["deploy"]);
    check(r.code === 0, `deploy exited ${r.code}:\n${r.stdout}${r.stderr}`);
    check((await listedChanges(engine, sb)).length === CHANGES, "not all changes listed");
    check(/^ {2}\+ c06 \.+ ok$/m.test(r.stdout), `c06 was not deployed again:\n${r.stdout}`);
  } finally {
    await engine.cleanup(sb).catch(() => {});
    await Deno.remove(sb.root, { recursive: true });
  }
}

/**
 * A non-idempotent script (Sqitch's template style) applied but not
 * recorded fails the next deploy, the registry still truthful; real Sqitch
 * (when installed, with the engine's client) does and prints the same.
 */
export async function nonIdempotentUnrecorded(engine: CrashEngine): Promise<void> {
  const script = engine.nonIdempotentScript(6);
  const results: { side: string; code: number; stdout: string; listed: string[] }[] = [];
  const sqitch = parityAvailability(["sqitch", ...engine.sqitchNeeds]);
  if (sqitch.status === "fail") throw new Error(sqitch.reason);
  const sides = sqitch.status === "ok" ? ["sqlitch", "sqitch"] : ["sqlitch"];
  for (const side of sides) {
    const sb = await deployedToFive(engine, "transaction");
    try {
      await Deno.writeTextFile(`${sb.proj}/deploy/${name(6)}.sql`, script);
      await engine.applyScript(sb, script);
      let r: { code: number; stdout: string; stderr: string };
      if (side === "sqlitch") r = await runSqlitch(sb, ["deploy", "--to", name(7)]);
      else {
        const out = await new Deno.Command("sqitch", {
          args: ["deploy", "--to", name(7)],
          cwd: sb.proj,
          clearEnv: true,
          env: {
            PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
            HOME: sb.home,
            LANG: "C.UTF-8",
            TZ: "UTC",
            SQITCH_SYSTEM_CONFIG: `${sb.root}/etc/sqitch.conf`,
          },
        }).output();
        const dec = new TextDecoder();
        r = { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
      }
      check(
        engine.alreadyExists.test(r.stderr),
        `${side}: expected the re-run to fail:\n${r.stdout}${r.stderr}`,
      );
      results.push({
        side,
        code: r.code,
        stdout: r.stdout,
        listed: await listedChanges(engine, sb),
      });
    } finally {
      await engine.cleanup(sb).catch(() => {});
      await Deno.remove(sb.root, { recursive: true });
    }
  }
  const mine = results[0];
  check(mine.code === 2, `sqlitch exited ${mine.code}`);
  check(
    JSON.stringify(mine.listed) === JSON.stringify(["c01", "c02", "c03", "c04", "c05"]),
    `sqlitch's registry lists ${mine.listed}`,
  );
  const theirs = results[1];
  if (theirs) {
    check(theirs.code === mine.code, `sqitch exited ${theirs.code}, sqlitch ${mine.code}`);
    check(theirs.stdout === mine.stdout, `stdout differs:\n${theirs.stdout}\n---\n${mine.stdout}`);
    check(
      JSON.stringify(theirs.listed) === JSON.stringify(mine.listed),
      `registries differ: sqitch ${theirs.listed}, sqlitch ${mine.listed}`,
    );
  }
}

/** What a server engine's crash-safety suite needs. */
export interface ServerCrashSuite {
  /** `pg` or `mysql`: in test names and database names (`crash_<label>_…`). */
  label: string;
  /** Whether the server answers (the tests are ignored otherwise). */
  live: boolean;
  /** The engine on a database (or target) of its own. */
  engine: (db: string) => CrashEngine;
  /** What the "transaction" kind of script holds, for the test name. */
  transactionKind: string;
  /** Kill points spread over the registry creation. */
  registryPoints: number;
}

/** Register a server engine's five crash-safety tests. */
export function serverCrashSuite(s: ServerCrashSuite): void {
  const title = (what: string) => `crash safety (${s.label}): ${what}`;
  const db = (what: string) => `crash_${s.label}_${what}`;
  const test = (what: string, fn: () => Promise<void>) =>
    Deno.test({ name: title(what), ignore: !s.live, fn });
  test(
    "SIGKILL during a 50-change deploy (plain statements)",
    () => randomKills(s.engine(db("plain")), "plain", SEED, KILL_COUNTS),
  );
  test(
    `SIGKILL during a 50-change deploy (${s.transactionKind})`,
    () => randomKills(s.engine(db("transaction")), "transaction", SEED + 1, KILL_COUNTS),
  );
  test(
    `SIGKILL at ${s.registryPoints} points of registry creation, next deploy finishes`,
    () => registryKills(s.engine(db("registry")), s.registryPoints),
  );
  test(
    "a change applied but not recorded is deployed again",
    () => appliedButUnrecorded(s.engine(db("unrecorded"))),
  );
  test(
    "a non-idempotent script applied but not recorded fails the next deploy, registry " +
      "truthful, as with Sqitch",
    () => nonIdempotentUnrecorded(s.engine(db("rerun"))),
  );
}
