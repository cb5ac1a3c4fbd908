/**
 * Crash safety of `deploy` on SQLite: sqlitch is killed with SIGKILL at
 * random points of a 50-change deploy (start-up, registry creation, within
 * and between changes, near the end); after every kill the registry must
 * not list a change whose deploy script did not complete, its events must
 * agree with its changes, no stale lock or journal may block the next run,
 * and in the end a plain `deploy` must finish the job and `verify` pass.
 *
 * What the engine guarantees (engines/workflow.ts deployChange): the deploy
 * script runs on its own connection to the target database while the
 * registry transaction (BEGIN IMMEDIATE on the registry file) is open, and
 * the change is recorded and committed only after the script finished. So a
 * kill can never leave a change recorded without its script, but it can
 * leave the change in flight applied and not recorded:
 *   - scripts of plain statements (each autocommits) may be left partly
 *     applied;
 *   - scripts wrapped in BEGIN/COMMIT (Sqitch's SQLite templates) are
 *     applied entirely or not at all, yet may still be applied and not
 *     recorded when the kill lands between their COMMIT and the registry's.
 * Either way the next `deploy` runs that script again, so it only finishes
 * when the script can run twice: the generated scripts here are idempotent
 * (IF NOT EXISTS, INSERT OR REPLACE). A script that cannot run twice makes
 * the next deploy fail, with the registry still telling the truth — Sqitch
 * 1.3.1 behaves the same (asserted below against real Sqitch when present).
 *
 * Kill delays come from a seeded PRNG (CRASH_SEED overrides the seed) and
 * are scaled to one uninterrupted deploy measured first. The databases are
 * inspected on copies (with any journal) so that the next run still has to
 * recover whatever a kill left behind itself. After every clean exit the
 * registry must be back in rollback-journal mode with no -wal/-shm files
 * (as Sqitch leaves it).
 *
 * The random-kill tests collect problems and report them all at the end.
 * Two engine bugs they found are fixed: a kill between the registry
 * tables' commit and the release row left a registry no deploy could use
 * (the release row now commits with the tables), and a kill while the
 * registry was in WAL mode left it in WAL mode for good.
 */
import { DatabaseSync } from "node:sqlite";
import { AssertionError } from "node:assert/strict";
import { makeSandbox, runSqlitch, type Sandbox, sqlitchCommand } from "../cli/sandbox.ts";
import { parityAvailability } from "../parity/kit.ts";

// ---------------------------------------------------------------------------
// The project

const CHANGES = 50;
/** Rows each deploy script inserts, in INSERT statements of ROWS_PER_INSERT rows. */
const ROWS = 200;
const ROWS_PER_INSERT = 50;
/** Kill points per script kind (two kinds: at least 20 in all). */
const KILLS_PER_KIND = 15;
const MAX_RUNS_PER_KIND = 40;
const SEED = Number(Deno.env.get("CRASH_SEED") ?? "20260102");

type ScriptKind = "plain" | "transaction";

const name = (i: number) => `c${String(i).padStart(2, "0")}`;
const table = (i: number) => `t${String(i).padStart(2, "0")}`;

function plan(): string {
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

/** An idempotent deploy script: a table, an index and ROWS rows. */
function deployScript(i: number, kind: ScriptKind): string {
  const t = table(i);
  const body = [
    `-- Deploy crash:${name(i)}`,
    `CREATE TABLE IF NOT EXISTS ${t} (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);`,
    `CREATE INDEX IF NOT EXISTS ${t}_payload ON ${t} (payload);`,
  ];
  for (let from = 1; from <= ROWS; from += ROWS_PER_INSERT) {
    const to = from + ROWS_PER_INSERT - 1;
    body.push(
      `INSERT OR REPLACE INTO ${t} (id, payload)\n` +
        `  WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i < ${to})\n` +
        `  SELECT i, '${name(i)}-' || i FROM n;`,
    );
  }
  if (kind === "transaction") {
    body.splice(1, 0, "BEGIN;");
    body.push("COMMIT;");
  }
  return body.join("\n") + "\n";
}

function projectFiles(kind: ScriptKind): Record<string, string> {
  const files: Record<string, string> = {
    "home/.sqitch/sqitch.conf": "[user]\n\tname = Crash Tester\n\temail = crash@example.com\n",
    "proj/sqitch.conf":
      '[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:crash.db\n',
    "proj/sqitch.plan": plan(),
  };
  for (let i = 1; i <= CHANGES; i++) {
    const t = table(i);
    files[`proj/deploy/${name(i)}.sql`] = deployScript(i, kind);
    files[`proj/revert/${name(i)}.sql`] = `DROP TABLE IF EXISTS ${t};\n`;
    files[`proj/verify/${name(i)}.sql`] = `SELECT CASE WHEN (SELECT count(*) FROM ${t}) = ${ROWS}` +
      ` AND EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = '${t}_payload')` +
      ` THEN 1 ELSE json('verify failed: ${t}') END;\n`;
  }
  return files;
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

/** When to kill: `delayMs` after spawning, or after `trigger` first shows on stdout. */
interface KillPlan {
  label: string;
  trigger?: string;
  delayMs: number;
}

interface DeployRun {
  code: number;
  signal: Deno.Signal | null;
  killed: boolean;
  stdout: string;
  stderr: string;
  ms: number;
  /** When (ms after spawning) stdout first contained each marker asked for. */
  seen: Map<string, number>;
}

const MARKERS = ["Adding registry tables", "Deploying changes", `+ ${name(1)} `];

/** Run `deploy`, killing it per `kill` (if it is still running then). */
async function deploy(sb: Sandbox, kill?: KillPlan): Promise<DeployRun> {
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
  if (kill && kill.trigger === undefined) arm(kill.delayMs);
  const seen = new Map<string, number>();
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
  clearTimeout(timer);
  await reading;
  return {
    code: status.code,
    signal: status.signal,
    killed: status.signal === "SIGKILL",
    stdout,
    stderr: await stderr,
    ms: performance.now() - started,
    seen,
  };
}

const DB_FILE = /\.db(-journal|-wal|-shm)?$/;

async function removeDatabases(sb: Sandbox): Promise<void> {
  for await (const e of Deno.readDir(sb.proj)) {
    if (e.isFile && DB_FILE.test(e.name)) await Deno.remove(`${sb.proj}/${e.name}`);
  }
}

// ---------------------------------------------------------------------------
// Inspecting what a kill left

/** What the registry and target said after a kill. */
interface Inspection {
  /** Changes the registry lists (a prefix of the plan). */
  listed: number;
  /** The change after the listed ones, in the target: absent, partly or completely applied. */
  inFlight: "absent" | "partial" | "complete" | "n/a";
  /** Journal files the kill left next to the databases. */
  journals: string[];
  /** Registry tables present without a `releases` row (the registry-creation window). */
  registryWithoutRelease: boolean;
}

const REGISTRY_TABLES = ["changes", "dependencies", "events", "projects", "releases", "tags"];

function tables(db: DatabaseSync): Set<string> {
  return new Set(
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) =>
      String(r.name)
    ),
  );
}

/** How much of change i the target database holds. */
function applied(db: DatabaseSync | undefined, i: number): "absent" | "partial" | "complete" {
  if (!db) return "absent";
  const t = table(i);
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
    .get(t);
  if (!hasTable) return "absent";
  const hasIndex = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?")
    .get(`${t}_payload`);
  const r = db.prepare(
    `SELECT count(*) AS n, count(DISTINCT payload) AS d, min(id) AS lo, max(id) AS hi,
            sum(payload = '${name(i)}-' || id) AS ok FROM ${t}`,
  ).get() as Record<string, number>;
  const complete = hasIndex && r.n === ROWS && r.d === ROWS && r.lo === 1 && r.hi === ROWS &&
    r.ok === ROWS;
  return complete ? "complete" : "partial";
}

function check(ok: unknown, message: string): asserts ok {
  if (!ok) throw new AssertionError({ message });
}

/** Open a copy of the databases (with their journals) and check every invariant. */
async function inspect(sb: Sandbox, kind: ScriptKind, context: string): Promise<Inspection> {
  const copy = `${sb.root}/inspect`;
  await Deno.remove(copy, { recursive: true }).catch(() => {});
  await Deno.mkdir(copy);
  const journals: string[] = [];
  for await (const e of Deno.readDir(sb.proj)) {
    if (!e.isFile || !DB_FILE.test(e.name)) continue;
    if (!e.name.endsWith(".db") && (await Deno.stat(`${sb.proj}/${e.name}`)).size > 0) {
      journals.push(e.name);
    }
    await Deno.copyFile(`${sb.proj}/${e.name}`, `${copy}/${e.name}`);
  }
  const open = (file: string) => {
    try {
      Deno.statSync(`${copy}/${file}`);
    } catch {
      return undefined;
    }
    return new DatabaseSync(`${copy}/${file}`);
  };
  const target = open("crash.db");
  const registry = open("sqitch.db");
  const where = `after ${context}`;
  try {
    for (const [file, db] of [["crash.db", target], ["sqitch.db", registry]] as const) {
      if (!db) continue;
      // Opening rolled back any hot journal; the file must be sound and writable.
      const integrity = db.prepare("PRAGMA integrity_check").get() as Record<string, string>;
      check(
        integrity.integrity_check === "ok",
        `${where}: ${file} integrity: ${JSON.stringify(integrity)}`,
      );
      db.exec("BEGIN IMMEDIATE; ROLLBACK;");
    }
    const present = registry ? tables(registry) : new Set<string>();
    const registryTables = REGISTRY_TABLES.filter((t) => present.has(t));
    check(
      registryTables.length === 0 || registryTables.length === REGISTRY_TABLES.length,
      `${where}: the registry is half created (tables: ${registryTables.join(", ")})`,
    );
    if (!registry || registryTables.length === 0) {
      const first = applied(target, 1);
      for (let i = 2; i <= CHANGES; i++) {
        check(applied(target, i) === "absent", `${where}: no registry, yet ${table(i)} exists`);
      }
      check(kind === "plain" || first !== "partial", `${where}: ${table(1)} partly applied`);
      return { listed: 0, inFlight: first, journals, registryWithoutRelease: false };
    }
    const releases = registry.prepare("SELECT count(*) AS n FROM releases").get() as {
      n: number;
    };
    const registryWithoutRelease = releases.n === 0;

    // The registry lists a prefix of the plan, each change with its deploy event and tags.
    const listed = registry.prepare(
      "SELECT change_id, change FROM changes ORDER BY committed_at",
    ).all().map((r) => ({ id: String(r.change_id), name: String(r.change) }));
    listed.forEach((c, k) =>
      check(
        c.name === name(k + 1),
        `${where}: registry lists ${listed.map((x) => x.name).join(" ")}, not a plan prefix`,
      )
    );
    const ids = new Set(listed.map((c) => c.id));
    const events = registry.prepare(
      "SELECT event, change_id, change FROM events ORDER BY committed_at",
    ).all().map((r) => ({
      event: String(r.event),
      id: String(r.change_id),
      name: String(r.change),
    }));
    check(!events.some((e) => e.event === "fail"), `${where}: a kill was logged as a failure`);
    for (const c of listed) {
      const last = events.filter((e) => e.id === c.id).at(-1);
      check(last?.event === "deploy", `${where}: ${c.name} is listed, its last event is ${last}`);
    }
    events.forEach((e, k) => {
      if (e.event !== "deploy" || ids.has(e.id)) return;
      const reverted = events.slice(k + 1).some((x) => x.id === e.id && x.event === "revert");
      check(reverted, `${where}: deploy event of ${e.name}, which is neither listed nor reverted`);
    });
    const tagged = registry.prepare("SELECT tag, change_id FROM tags").all();
    for (const t of tagged) {
      check(ids.has(String(t.change_id)), `${where}: tag ${t.tag} of an unlisted change`);
    }
    check(
      tagged.length === Math.floor(listed.length / 10),
      `${where}: ${tagged.length} tags for ${listed.length} changes`,
    );
    const deps = registry.prepare("SELECT count(*) AS n FROM dependencies").get() as { n: number };
    check(
      deps.n === Math.max(0, listed.length - 1),
      `${where}: ${deps.n} dependencies for ${listed.length} changes`,
    );

    // Every listed change's script completed; nothing beyond the next one ran.
    for (let i = 1; i <= listed.length; i++) {
      const state = applied(target, i);
      check(
        state === "complete",
        `${where}: the registry lists ${name(i)} but its deploy script did not complete ` +
          `(${table(i)} is ${state})`,
      );
    }
    for (let i = listed.length + 2; i <= CHANGES; i++) {
      check(applied(target, i) === "absent", `${where}: ${table(i)} exists beyond the next change`);
    }
    const inFlight = listed.length < CHANGES ? applied(target, listed.length + 1) : "n/a";
    check(
      kind === "plain" || inFlight !== "partial",
      `${where}: a BEGIN/COMMIT script was left partly applied (${table(listed.length + 1)})`,
    );
    return { listed: listed.length, inFlight, journals, registryWithoutRelease };
  } finally {
    target?.close();
    registry?.close();
  }
}

/**
 * After a clean exit the registry must be a rollback-journal database with
 * no journal files beside it, as Sqitch leaves it (a description of what
 * is not so, or undefined). Read from the header, so nothing is recovered.
 */
async function cleanExitProblem(sb: Sandbox): Promise<string | undefined> {
  const leftovers: string[] = [];
  for await (const e of Deno.readDir(sb.proj)) {
    if (/\.db-(journal|wal|shm)$/.test(e.name)) leftovers.push(e.name);
  }
  // Header bytes 18 and 19 are 2 for WAL, 1 for a rollback journal.
  const header = (await Deno.readFile(`${sb.proj}/sqitch.db`)).subarray(0, 20);
  const wal = header[18] === 2 || header[19] === 2;
  if (!wal && leftovers.length === 0) return undefined;
  return `the registry is ${wal ? "left in WAL mode (Sqitch's uses a rollback journal)" : "fine"}` +
    `${leftovers.length ? `; ${leftovers.join(" ")} left behind` : ""}`;
}

// ---------------------------------------------------------------------------
// The random-kill tests

interface Timing {
  /** ms from spawn to "Adding registry tables", to "Deploying changes", and in all. */
  registry: number;
  deploying: number;
  total: number;
}

/** The next kill point: a mix of start-up, registry creation, uniform and late kills. */
function nextKill(n: number, rnd: () => number, timing: Timing, listed: number): KillPlan {
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
      if (listed === 0) {
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

async function randomKills(kind: ScriptKind, seed: number): Promise<void> {
  const sb = await makeSandbox(projectFiles(kind));
  const log: string[] = [];
  try {
    // One uninterrupted deploy scales the delays.
    const first = await deploy(sb);
    check(first.code === 0, `uninterrupted deploy failed:\n${first.stdout}${first.stderr}`);
    check(
      (await inspect(sb, kind, "an uninterrupted deploy")).listed === CHANGES,
      "not all listed",
    );
    const timing: Timing = {
      registry: first.seen.get("Adding registry tables") ?? first.ms / 10,
      deploying: first.seen.get("Deploying changes") ?? first.ms / 10,
      total: first.ms,
    };
    log.push(
      `${kind}: seed ${seed}; uninterrupted deploy ${Math.round(timing.total)} ms ` +
        `(registry at ${Math.round(timing.registry)} ms)`,
    );
    await removeDatabases(sb);

    const rnd = prng(seed);
    const problems: string[] = [];
    let listed = 0;
    let kills = 0;
    let runs = 0;
    const inFlight = { absent: 0, partial: 0, complete: 0, "n/a": 0 };
    let journals = 0;
    while (kills < KILLS_PER_KIND) {
      check(runs < MAX_RUNS_PER_KIND, `only ${kills} kills in ${runs} runs:\n${log.join("\n")}`);
      if (listed === CHANGES) {
        await removeDatabases(sb); // start a fresh round, registry creation included
        listed = 0;
      }
      const plan = nextKill(runs, rnd, timing, listed);
      runs++;
      const run = await deploy(sb, plan);
      const context = `run ${runs} (${kind}, killed ${plan.label}, ${listed} listed before)`;
      if (!run.killed) {
        check(run.code === 0, `${context}: not killed, exited ${run.code}:\n${run.stderr}`);
      } else kills++;
      let seen: Inspection;
      try {
        seen = await inspect(sb, kind, context);
      } catch (e) {
        throw new AssertionError({
          message: `${(e as Error).message}\n--- stdout:\n${run.stdout}--- stderr:\n${run.stderr}` +
            `--- so far:\n${log.join("\n")}`,
        });
      }
      if (seen.registryWithoutRelease) {
        // Registry tables and release row commit together: this must never happen.
        problems.push(
          `${context}: killed between creating the registry tables and recording the ` +
            'release; the next deploy dies on "table releases already exists"',
        );
        log.push(`${context}: SIGKILL left a registry without a release row`);
        kills++;
        await removeDatabases(sb);
        listed = 0;
        continue;
      }
      check(seen.listed >= listed, `${context}: the registry lost changes (${seen.listed})`);
      if (!run.killed) {
        check(seen.listed === CHANGES, `${context}: exited 0 short of the end`);
        const unclean = await cleanExitProblem(sb);
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
    }

    // A plain deploy finishes the job; verify passes.
    const last = await runSqlitch(sb, ["deploy"]);
    check(last.code === 0, `final deploy exited ${last.code}:\n${last.stdout}${last.stderr}`);
    const done = await inspect(sb, kind, "the final deploy");
    check(done.listed === CHANGES, `final deploy left ${done.listed} changes listed`);
    const verify = await runSqlitch(sb, ["verify"]);
    check(verify.code === 0, `verify exited ${verify.code}:\n${verify.stdout}${verify.stderr}`);
    check(/^Verify successful$/m.test(verify.stdout), `verify said:\n${verify.stdout}`);
    const unclean = await cleanExitProblem(sb);
    if (unclean) problems.push(`after the final deploy and verify: ${unclean}`);
    if (Deno.env.get("CRASH_DEBUG")) console.log(log.join("\n"));
    console.log(
      `crash safety (${kind}): ${kills} kills in ${runs} runs; next change after a kill: ` +
        `${inFlight.absent} absent, ${inFlight.partial} partial, ${inFlight.complete} ` +
        `applied but unrecorded; hot journals left by ${journals} kills`,
    );
    check(
      problems.length === 0,
      `crash safety (${kind}, seed ${seed}): ${problems.length} problem(s):\n` +
        `${problems.join("\n")}\n--- runs:\n${log.join("\n")}`,
    );
  } finally {
    await Deno.remove(sb.root, { recursive: true });
  }
}

Deno.test("crash safety: SIGKILL during a 50-change deploy (plain statements)", async () => {
  await randomKills("plain", SEED);
});

Deno.test("crash safety: SIGKILL during a 50-change deploy (scripts in BEGIN/COMMIT)", async () => {
  await randomKills("transaction", SEED + 1);
});

// ---------------------------------------------------------------------------
// Crash windows reproduced deterministically

/** The registry and target of a sandbox after a `deploy --to c05`. */
async function deployedToFive(kind: ScriptKind): Promise<Sandbox> {
  const sb = await makeSandbox(projectFiles(kind));
  const r = await runSqlitch(sb, ["deploy", "--to", name(5)]);
  check(r.code === 0, `deploy --to ${name(5)} failed:\n${r.stdout}${r.stderr}`);
  return sb;
}

/** Run a deploy script directly on the target: a kill after its COMMIT, before the registry's. */
function applyScript(sb: Sandbox, script: string): void {
  const db = new DatabaseSync(`${sb.proj}/crash.db`);
  try {
    db.exec(script);
  } finally {
    db.close();
  }
}

function listedChanges(sb: Sandbox): string[] {
  const db = new DatabaseSync(`${sb.proj}/sqitch.db`, { readOnly: true });
  try {
    return db.prepare("SELECT change FROM changes ORDER BY committed_at").all().map((r) =>
      String(r.change)
    );
  } finally {
    db.close();
  }
}

Deno.test("crash safety: a change applied but not recorded is deployed again", async () => {
  const sb = await deployedToFive("transaction");
  try {
    applyScript(sb, deployScript(6, "transaction"));
    const r = await runSqlitch(sb, ["deploy"]);
    check(r.code === 0, `deploy exited ${r.code}:\n${r.stdout}${r.stderr}`);
    check(listedChanges(sb).length === CHANGES, "not all changes listed");
    check(/^ {2}\+ c06 \.+ ok$/m.test(r.stdout), `c06 was not deployed again:\n${r.stdout}`);
  } finally {
    await Deno.remove(sb.root, { recursive: true });
  }
});

const sqitchAvailable = parityAvailability(["sqitch"]);

Deno.test(
  "crash safety: a non-idempotent script applied but not recorded fails the next deploy, " +
    "registry truthful, as with Sqitch",
  async () => {
    // Sqitch's own template style: BEGIN; CREATE TABLE …; COMMIT; (not re-runnable).
    const script = `-- Deploy crash:${name(6)}\nBEGIN;\nCREATE TABLE ${table(6)} (id INTEGER);\n` +
      "COMMIT;\n";
    const results: { side: string; code: number; stdout: string; listed: string[] }[] = [];
    const sides = sqitchAvailable.status === "ok" ? ["sqlitch", "sqitch"] : ["sqlitch"];
    if (sqitchAvailable.status === "fail") throw new Error(sqitchAvailable.reason);
    for (const side of sides) {
      const sb = await deployedToFive("transaction");
      try {
        await Deno.writeTextFile(`${sb.proj}/deploy/${name(6)}.sql`, script);
        applyScript(sb, script);
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
          /table t06 already exists/.test(r.stderr),
          `${side}: expected the re-run to fail:\n${r.stdout}${r.stderr}`,
        );
        results.push({ side, code: r.code, stdout: r.stdout, listed: listedChanges(sb) });
      } finally {
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
      check(
        theirs.stdout === mine.stdout,
        `stdout differs:\n${theirs.stdout}\n---\n${mine.stdout}`,
      );
      check(
        JSON.stringify(theirs.listed) === JSON.stringify(mine.listed),
        `registries differ: sqitch ${theirs.listed}, sqlitch ${mine.listed}`,
      );
    }
  },
);
