/**
 * Locking on MySQL/MariaDB: Sqitch's `GET_LOCK('sqitch working on <db>')`
 * keeps concurrent deploys from deploying a change twice. Ten sqlitch
 * deploys started together on one database (no registry yet: sqlitch
 * serialises its creation), and sqitch and sqlitch started together, each
 * deploy every change exactly once (the scripts log every run in the
 * target); a program that cannot get the lock in time fails with Sqitch's
 * message, whichever program holds it.
 *
 * Sqitch creates its registry before taking the lock, unguarded (two
 * Sqitch processes starting on a new registry can collide), so the
 * sqitch-and-sqlitch test starts with the registry in place.
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
import { HEAD, MYSQL_CONF, mysqlExec, mysqlLive, mysqlRows, mysqlUri } from "./mysql_kit.ts";
import { createDatabase, dropDatabases } from "../engines/mysql_server.ts";

const availability = parityAvailability(["sqitch", "mysql"]);

const NAMES = Array.from({ length: 12 }, (_, i) => `c${String(i + 1).padStart(2, "0")}`);

/** A plan of 12 changes whose deploy scripts take a while and log that they ran. */
function project(sleep: number): Record<string, string> {
  const files: Record<string, string> = {
    "sqitch.conf": MYSQL_CONF,
    "sqitch.plan": HEAD +
      NAMES.map((n, i) => `${n} 2026-01-01T00:00:${String(i).padStart(2, "0")}Z Ann <a@b.c>\n`)
        .join(""),
  };
  for (const n of NAMES) {
    files[`deploy/${n}.sql`] = "CREATE TABLE IF NOT EXISTS deploy_log (name TEXT);\n" +
      `DO SLEEP(${sleep});\nINSERT INTO deploy_log VALUES ('${n}');\nCREATE TABLE ${n} (id INTEGER);\n`;
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
    await dropDatabases(sb.id);
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
  const ran = (await mysqlRows("SELECT name FROM deploy_log ORDER BY name", sb.id)).map((r) =>
    r[0]
  );
  deepStrictEqual(ran, NAMES, `each deploy script ran once\n${all}`);
  const events = await mysqlRows(
    "SELECT `change`, COUNT(*) FROM events WHERE event = 'deploy' GROUP BY `change` ORDER BY `change`",
    `${sb.id}_reg`,
  );
  deepStrictEqual(events, NAMES.map((n) => [n, "1"]), "one deploy event per change");
  const changes = await mysqlRows("SELECT COUNT(*) FROM changes", `${sb.id}_reg`);
  strictEqual(changes[0][0], String(NAMES.length));
  // Every program either deployed something or found nothing to do.
  const deployedBy = outcomes.map(([, o]) => (o.stdout.match(/^ {2}\+ /gm) ?? []).length);
  strictEqual(deployedBy.reduce((a, b) => a + b, 0), NAMES.length, `deploy lines\n${all}`);
}

function test(name: string, fn: () => Promise<void>): void {
  Deno.test({
    name: `mysql locking: ${name}`,
    ignore: availability.status === "skip" || !mysqlLive,
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
          `Blocked by another instance of Sqitch working on ${mysqlUri("<ID>")}`,
        ) || !/; waiting 120 seconds\.\.\.\n/.test(o.stdout)
      ) {
        throw new AssertionError({ message: describe(label, o) });
      }
    }
  }));

test("sqitch and sqlitch deploying together deploy every change once", () =>
  withSandbox(project(0.1), async (sb) => {
    // The registry first (a log-only deploy and revert), then no events.
    for (const argv of ["deploy --log-only --to c01", "revert -y --log-only"]) {
      const o = await runShared(sb, "sqlitch", argv);
      strictEqual(o.code, 0, describe(argv, o));
    }
    await mysqlExec(`DELETE FROM \`${sb.id}_reg\`.events`);
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
    withSandbox(project(0.5), async (sb) => {
      const slow = runShared(sb, holder, "deploy");
      // Wait until the holder has the lock (its first change is being deployed).
      for (let i = 0; i < 200; i++) {
        const r = await mysqlRows(`SELECT IS_USED_LOCK('sqitch working on ${sb.id}')`);
        if (r[0][0] !== null) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      const blocked = await runShared(sb, waiter, "deploy --lock-timeout 1");
      const done = await slow;
      strictEqual(done.code, 0, describe(holder, done));
      strictEqual(blocked.code, 2, describe(waiter, blocked));
      const target = mysqlUri("<ID>");
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
