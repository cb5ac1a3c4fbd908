/**
 * Passwords on MySQL/MariaDB never show: a user with a password (created
 * for the test, dropped after) deploys, fails, reads status and log with
 * the password in the target URI, in `$SQITCH_PASSWORD` and in
 * `$MYSQL_PWD`, and with wrong passwords; no output or error of either
 * program contains a password, and sqlitch's outputs are Sqitch's. With a
 * configured client (a wrapper that logs its arguments, then runs the real
 * `mysql`) the password is never among sqlitch's client arguments: it only
 * travels in `MYSQL_PWD` (Sqitch 1.3.1 also passes `--password=…`, visible
 * to every user in the process list; the test notes that it still does).
 *
 * Needs sqitch, the mysql client and the test server (else skipped, or
 * failed under CI).
 */
import { AssertionError, strictEqual } from "node:assert/strict";
import {
  makeSharedSandbox,
  parityAvailability,
  removeSharedSandbox,
  runShared,
  type SharedSandbox,
  type Side,
  type StepOutcome,
} from "./kit.ts";
import { HEAD, mysqlExec, mysqlLive } from "./mysql_kit.ts";
import { dropDatabases, MYSQL_HOST, MYSQL_PORT } from "../engines/mysql_server.ts";

const availability = parityAvailability(["sqitch", "mysql"]);

const stamp = `${Date.now().toString(36).slice(-5)}${Deno.pid}`;
const USER = `sqlitch_pw_${stamp}`;
const SECRET = `Pw${stamp}Secret9`;
const WRONG = `Wrong${stamp}Guess7`;

const uri = (password?: string) =>
  `db:mysql://${USER}${
    password === undefined ? "" : `:${password}`
  }@${MYSQL_HOST}:${MYSQL_PORT}/<ID>`;

const PLAN = HEAD +
  "users 2026-01-01T00:00:00Z Ann <ann@example.com>\n" +
  "flips 2026-01-01T00:00:01Z Ann <ann@example.com>\n" +
  "broken 2026-01-01T00:00:02Z Ann <ann@example.com>\n";

function files(conf: string): Record<string, string> {
  const out: Record<string, string> = { "sqitch.conf": conf, "sqitch.plan": PLAN };
  for (const n of ["users", "flips", "broken"]) {
    out[`deploy/${n}.sql`] = n === "broken"
      ? "SELECT nosuch FROM users;\n"
      : `CREATE TABLE ${n} (id INTEGER);\n`;
    out[`revert/${n}.sql`] = `DROP TABLE ${n};\n`;
    out[`verify/${n}.sql`] = `SELECT id FROM ${n} WHERE 0;\n`;
  }
  return out;
}

/** Target with the password in its URI, registry `<ID>_reg`. */
const CONF_URI = `[core]\n\tengine = mysql\n[engine "mysql"]\n\ttarget = ${
  uri(SECRET)
}\n\tregistry = <ID>_reg\n`;

interface Step {
  argv: string;
  env?: Record<string, string>;
}

async function withUser(fn: () => Promise<void>): Promise<void> {
  const hosts = ["%", "localhost", "127.0.0.1"];
  for (const h of hosts) {
    await mysqlExec(
      `DROP USER IF EXISTS '${USER}'@'${h}'`,
      `CREATE USER '${USER}'@'${h}' IDENTIFIED BY '${SECRET}'`,
      `GRANT ALL PRIVILEGES ON *.* TO '${USER}'@'${h}'`,
    );
  }
  try {
    await fn();
  } finally {
    for (const h of hosts) await mysqlExec(`DROP USER IF EXISTS '${USER}'@'${h}'`);
  }
}

/** Run the steps on both sides (one shared sandbox each); return the outcomes. */
async function runBoth(
  conf: string,
  steps: Step[],
  prepare?: (sb: SharedSandbox) => Promise<void>,
  inspect?: (sb: SharedSandbox, side: Side) => Promise<void>,
): Promise<Record<Side, StepOutcome[]>> {
  const result = { sqitch: [], sqlitch: [] } as Record<Side, StepOutcome[]>;
  for (const side of ["sqitch", "sqlitch"] as Side[]) {
    const sb = await makeSharedSandbox({ files: files(conf) });
    try {
      await dropDatabases(sb.id);
      await mysqlExec(`CREATE DATABASE \`${sb.id}\``);
      await prepare?.(sb);
      for (const step of steps) {
        result[side].push(await runShared(sb, side, step.argv, { env: step.env }));
      }
      await inspect?.(sb, side);
    } finally {
      await dropDatabases(sb.id);
      await removeSharedSandbox(sb);
    }
  }
  return result;
}

function show(side: Side, step: Step, o: StepOutcome): string {
  return `${side} ${step.argv}: exit ${o.code}\nstdout:\n${o.stdout}\nstderr:\n${o.stderr}`;
}

/** No secret anywhere; sqlitch's outcomes equal Sqitch's. */
function check(steps: Step[], result: Record<Side, StepOutcome[]>): void {
  for (const side of ["sqitch", "sqlitch"] as Side[]) {
    for (const [i, o] of result[side].entries()) {
      for (const secret of [SECRET, WRONG]) {
        if (o.stdout.includes(secret) || o.stderr.includes(secret)) {
          throw new AssertionError({ message: `password shown\n${show(side, steps[i], o)}` });
        }
      }
    }
  }
  for (const [i, step] of steps.entries()) {
    const a = result.sqitch[i];
    const b = result.sqlitch[i];
    const mask = (t: string) =>
      t.replace(/\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d ?[-+Z0-9:]*/g, "<DATE>");
    strictEqual(
      `${b.code}\n${mask(b.stdout)}\n${b.stderr}`,
      `${a.code}\n${mask(a.stdout)}\n${a.stderr}`,
      `step ${i + 1} (${step.argv})\n${show("sqitch", step, a)}\n${show("sqlitch", step, b)}`,
    );
  }
}

function test(name: string, fn: () => Promise<void>): void {
  Deno.test({
    name: `mysql passwords: ${name}`,
    ignore: availability.status === "skip" || !mysqlLive,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      if (availability.status === "fail") throw new Error(availability.reason);
      await withUser(fn);
    },
  });
}

test("in the target URI, SQITCH_PASSWORD and MYSQL_PWD, right and wrong", async () => {
  const steps: Step[] = [
    { argv: "deploy --to flips" },
    { argv: "status" },
    { argv: "deploy" },
    { argv: "verify" },
    { argv: `status ${uri(WRONG)}` },
    { argv: `deploy ${uri(WRONG)}` },
    { argv: `log ${uri()} --oneline`, env: { SQITCH_PASSWORD: SECRET } },
    { argv: `revert -y ${uri()} --to users`, env: { SQITCH_PASSWORD: SECRET } },
    { argv: `status ${uri()}`, env: { SQITCH_PASSWORD: WRONG } },
    { argv: `status ${uri()}`, env: { MYSQL_PWD: SECRET } },
    { argv: `deploy ${uri()} --to flips`, env: { MYSQL_PWD: SECRET } },
    { argv: `status ${uri()}`, env: { MYSQL_PWD: WRONG } },
    { argv: `status ${uri(WRONG)}`, env: { SQITCH_PASSWORD: SECRET } },
    { argv: "revert -y" },
  ];
  check(steps, await runBoth(CONF_URI, steps));
});

test("a configured client gets the password in MYSQL_PWD, never in its arguments", async () => {
  const steps: Step[] = [
    { argv: "deploy --to flips" },
    { argv: "verify" },
    { argv: "deploy" },
    { argv: "revert -y --to users", env: { SQITCH_PASSWORD: SECRET } },
    { argv: "revert -y", env: { MYSQL_PWD: SECRET } },
  ];
  const conf = CONF_URI + "\tclient = <SANDBOX>/bin/logging-mysql\n";
  const seen: string[] = [];
  const log = (sb: SharedSandbox) => `${sb.root}/client.log`;
  const result = await runBoth(
    conf,
    steps,
    async (sb) => {
      await Deno.mkdir(`${sb.root}/bin`, { recursive: true });
      const client = `${sb.root}/bin/logging-mysql`;
      await Deno.writeTextFile(
        client,
        `#!/bin/sh\nfor a in "$@"; do printf 'ARG %s\\n' "$a" >> '${log(sb)}'; done\n` +
          `if [ "$MYSQL_PWD" = '${SECRET}' ]; then echo 'MYSQL_PWD right' >> '${log(sb)}'; ` +
          `else echo 'MYSQL_PWD other' >> '${log(sb)}'; fi\nexec mysql "$@"\n`,
      );
      await Deno.chmod(client, 0o755);
    },
    async (sb, side) => {
      const text = await Deno.readTextFile(log(sb));
      if (side === "sqitch") {
        // Sqitch 1.3.1 passes `--password=…` to the client (it shows in `ps`).
        if (!text.includes(`--password=${SECRET}`)) {
          throw new AssertionError({ message: `sqitch no longer passes --password:\n${text}` });
        }
      } else if (text.includes(SECRET) || text.includes(WRONG)) {
        throw new AssertionError({ message: `${side} passed a password as an argument:\n${text}` });
      }
      // Every run but `--version` (which needs no password) gets MYSQL_PWD.
      const other = side === "sqlitch" &&
        text.split(/(?<=^MYSQL_PWD \w+\n)/m).some((run) =>
          run.includes("ARG --execute\n") && run.endsWith("MYSQL_PWD other\n")
        );
      if (!/^ARG --execute$/m.test(text) || other) {
        throw new AssertionError({ message: `${side}: client not run as expected:\n${text}` });
      }
      seen.push(side);
    },
  );
  check(steps, result);
  strictEqual(seen.join(" "), "sqitch sqlitch");
});
