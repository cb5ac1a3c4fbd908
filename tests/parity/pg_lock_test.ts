/**
 * Locking on PostgreSQL: Sqitch's advisory lock keeps concurrent deploys
 * from deploying a change twice. Ten sqlitch deploys started together on
 * one database, and sqitch and sqlitch started together, each deploy every
 * change exactly once (the scripts log every run in the target); a program
 * that cannot get the lock in time fails with Sqitch's message, whichever
 * program holds it.
 */
import { AssertionError, deepStrictEqual, strictEqual } from "node:assert/strict";
import {
  makeSharedSandbox,
  parityAvailability,
  removeSharedSandbox,
  runShared,
  type SharedSandbox,
  type Side,
  type StepOutcome,
} from "./kit.ts";
import { HEAD, PG_CONF, pgLive } from "./pg_kit.ts";
import { createDatabase, dropDatabase, pgRows } from "../engines/pg_server.ts";

const availability = parityAvailability(["sqitch"]);

const NAMES = Array.from({ length: 12 }, (_, i) => `c${String(i + 1).padStart(2, "0")}`);

/** A plan of 12 changes whose deploy scripts take a while and log that they ran. */
function project(sleep: number): Record<string, string> {
  const files: Record<string, string> = {
    "sqitch.conf": PG_CONF,
    "sqitch.plan": HEAD +
      NAMES.map((n, i) => `${n} 2026-01-01T00:00:${String(i).padStart(2, "0")}Z Ann <a@b.c>\n`)
        .join(""),
  };
  for (const n of NAMES) {
    files[`deploy/${n}.sql`] = "CREATE TABLE IF NOT EXISTS deploy_log (change TEXT);\n" +
      `SELECT pg_sleep(${sleep});\nINSERT INTO deploy_log VALUES ('${n}');\nCREATE TABLE ${n} (id INTEGER);\n`;
    files[`revert/${n}.sql`] = `DROP TABLE ${n};\n`;
  }
  return files;
}

async function withSandbox(
  files: Record<string, string>,
  fn: (sb: SharedSandbox) => Promise<void>,
): Promise<void> {
  const sb = await makeSharedSandbox({ files });
  try {
    await createDatabase(sb.id);
    await fn(sb);
  } finally {
    await dropDatabase(sb.id);
    await removeSharedSandbox(sb);
  }
}

function describe(label: string, o: StepOutcome): string {
  return `${label}: exit ${o.code}\nstdout:\n${o.stdout}\nstderr:\n${o.stderr}`;
}

/** Every change deployed exactly once: by the scripts' log and by the registry. */
async function assertDeployedOnce(sb: SharedSandbox, outcomes: [string, StepOutcome][]) {
  const all = outcomes.map(([l, o]) => describe(l, o)).join("\n");
  for (const [label, o] of outcomes) {
    if (o.code !== 0) throw new AssertionError({ message: `${label} failed\n${all}` });
  }
  const ran = (await pgRows(sb.id, "SELECT change FROM deploy_log ORDER BY change")).map((r) =>
    r[0]
  );
  deepStrictEqual(ran, NAMES, `each deploy script ran once\n${all}`);
  const events = await pgRows(
    sb.id,
    "SELECT change, count(*)::text FROM sqitch.events WHERE event = 'deploy' GROUP BY change ORDER BY change",
  );
  deepStrictEqual(events, NAMES.map((n) => [n, "1"]), "one deploy event per change");
  const changes = await pgRows(sb.id, "SELECT count(*)::text FROM sqitch.changes");
  strictEqual(changes[0][0], String(NAMES.length));
  // Every program either deployed something or found nothing to do.
  const deployedBy = outcomes.map(([, o]) => (o.stdout.match(/^ {2}\+ /gm) ?? []).length);
  strictEqual(deployedBy.reduce((a, b) => a + b, 0), NAMES.length, `deploy lines\n${all}`);
}

function test(name: string, fn: () => Promise<void>): void {
  Deno.test({
    name: `pg locking: ${name}`,
    ignore: availability.status === "skip" || !pgLive,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      if (availability.status === "fail") throw new Error(availability.reason);
      await fn();
    },
  });
}

test("ten concurrent sqlitch deploys deploy every change once", () =>
  withSandbox(project(0.05), async (sb) => {
    const runs = Array.from(
      { length: 10 },
      (_, i) =>
        runShared(sb, "sqlitch", "deploy --lock-timeout 120").then((o) =>
          [`sqlitch #${i + 1}`, o] as [string, StepOutcome]
        ),
    );
    const outcomes = await Promise.all(runs);
    await assertDeployedOnce(sb, outcomes);
    const blocked = outcomes.filter(([, o]) => /^Blocked by another instance/m.test(o.stdout));
    for (const [label, o] of blocked) {
      if (
        !o.stdout.includes(
          `Blocked by another instance of Sqitch working on db:pg://postgres@`,
        ) || !/; waiting 120 seconds\.\.\.\n/.test(o.stdout)
      ) {
        throw new AssertionError({ message: describe(label, o) });
      }
    }
  }));

test("sqitch and sqlitch deploying together deploy every change once", () =>
  withSandbox(project(0.1), async (sb) => {
    const sides: Side[] = ["sqitch", "sqlitch", "sqitch", "sqlitch"];
    const outcomes = await Promise.all(
      sides.map((side, i) =>
        runShared(sb, side, "deploy --lock-timeout 120").then((o) =>
          [`${side} #${i + 1}`, o] as [string, StepOutcome]
        )
      ),
    );
    await assertDeployedOnce(sb, outcomes);
  }));

for (const holder of ["sqitch", "sqlitch"] as Side[]) {
  const waiter: Side = holder === "sqitch" ? "sqlitch" : "sqitch";
  test(`${waiter} times out while ${holder} deploys, with Sqitch's message`, () =>
    withSandbox(project(1), async (sb) => {
      const slow = runShared(sb, holder, "deploy");
      // Wait until the holder has the lock (its first change is being deployed). Advisory
      // locks are per database, and other suites deploy to other databases meanwhile.
      for (let i = 0; i < 400; i++) {
        const r = await pgRows(
          "postgres",
          `SELECT count(*)::text FROM pg_locks WHERE locktype = 'advisory' AND objid = 75474063
             AND granted AND database = (SELECT oid FROM pg_database WHERE datname = '${sb.id}')`,
        );
        if (r[0][0] !== "0") break;
        await new Promise((res) => setTimeout(res, 50));
      }
      const blocked = await runShared(sb, waiter, "deploy --lock-timeout 1");
      const done = await slow;
      strictEqual(done.code, 0, describe(holder, done));
      strictEqual(blocked.code, 2, describe(waiter, blocked));
      const target = `db:pg://postgres@127.0.0.1:5432/<ID>`.replace(
        "127.0.0.1:5432",
        `${Deno.env.get("SQLITCH_TEST_PG_HOST") ?? "127.0.0.1"}:${
          Deno.env.get("SQLITCH_TEST_PG_PORT") ?? "5432"
        }`,
      );
      strictEqual(
        blocked.stdout,
        `Blocked by another instance of Sqitch working on ${target}; waiting 1 seconds...\n`,
      );
      strictEqual(
        blocked.stderr,
        `Timed out waiting 1 seconds for another instance of Sqitch to finish work on ${target}\n`,
      );
    }));
}
