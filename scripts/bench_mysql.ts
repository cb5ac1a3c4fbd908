/**
 * The MySQL/MariaDB deployment benchmark: sqlitch beside real Sqitch (with
 * the real `mysql` client) on the generated project of
 * scripts/gen_project.ts (1 000 changes; its SQLite scripts adapted to
 * MySQL: `AUTO_INCREMENT` keys, `VARCHAR` for the indexed column), on the
 * test server (`$SQLITCH_TEST_MYSQL_HOST`/`PORT`, user root), and beside
 * the single-connection floor: the same deploy and verify scripts sent by
 * one `mysql2` session, no registry. Cases and targets (issue 6):
 *
 *   deploy --verify   ≤ 2× the floor per change, and ≥ 3× faster than Sqitch
 *   revert -y         ≥ 2× faster than Sqitch
 *   status, log       ≥ 6× faster than Sqitch, on the deployed database
 *
 * Each program works on databases of its own (target and registry). Times
 * are wall-clock, one run each (Sqitch's deploy takes minutes); status and
 * log are medians of `--runs`.
 *
 *   deno run --allow-all scripts/bench_mysql.ts [--changes N] [--runs N] [--skip-sqitch]
 */
import { parseArgs } from "node:util";
import { changeName, writeProject } from "./gen_project.ts";
import {
  createDatabase,
  dropDatabases,
  MYSQL_HOST,
  MYSQL_PORT,
  MYSQL_USER,
  mysqlSession,
} from "../tests/engines/mysql_server.ts";

const root = new URL("..", import.meta.url).pathname;

function sqlitchCommand(): string[] {
  const bin = Deno.env.get("SQLITCH_BIN");
  return bin ? [bin] : [Deno.execPath(), "run", "--allow-all", "--no-lock", `${root}main.ts`];
}

async function timeRun(cmd: string[], cwd: string): Promise<number> {
  const start = performance.now();
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd,
    stdout: "null",
    stderr: "piped",
    stdin: "null",
  }).output();
  const elapsed = performance.now() - start;
  if (!out.success) {
    throw new Error(
      `${cmd.join(" ")} failed (${out.code}):\n${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return elapsed;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The generated project, adapted to MySQL, targeting database `db` (registry `db`_reg). */
function writeMysqlProject(dir: string, changes: number, db: string): void {
  writeProject(dir, { changes });
  Deno.writeTextFileSync(
    `${dir}/sqitch.conf`,
    `[core]\n\tengine = mysql\n[engine "mysql"]\n` +
      `\ttarget = db:mysql://${MYSQL_USER}@${MYSQL_HOST}:${MYSQL_PORT}/${db}\n` +
      `\tregistry = ${db}_reg\n[user]\n\tname = Bench User\n\temail = bench@example.com\n`,
  );
  for (const sub of ["deploy", "verify"]) {
    for (let i = 1; i <= changes; i++) {
      const path = `${dir}/${sub}/${changeName(i)}.sql`;
      Deno.writeTextFileSync(
        path,
        Deno.readTextFileSync(path)
          .replace("INTEGER PRIMARY KEY", "INTEGER PRIMARY KEY AUTO_INCREMENT")
          .replace(/name {4}TEXT {4}NOT NULL/, "name    VARCHAR(100) NOT NULL"),
      );
    }
  }
}

/** The floor: every deploy and verify script sent on one session, no registry. */
async function floor(dir: string, changes: number, db: string): Promise<number> {
  const session = await mysqlSession(db);
  try {
    const start = performance.now();
    for (let i = 1; i <= changes; i++) {
      for (const sub of ["deploy", "verify"]) {
        await session.query(Deno.readTextFileSync(`${dir}/${sub}/${changeName(i)}.sql`));
      }
    }
    return performance.now() - start;
  } finally {
    await session.close();
  }
}

const { values } = parseArgs({
  args: Deno.args,
  options: {
    changes: { type: "string", default: "1000" },
    runs: { type: "string", default: "5" },
    "skip-sqitch": { type: "boolean", default: false },
  },
});
const changes = Number(values.changes);
const runs = Number(values.runs);
const stamp = `bench_${Date.now().toString(36)}`;
const sides: [string, string[]][] = [["sqlitch", sqlitchCommand()]];
if (!values["skip-sqitch"]) sides.push(["sqitch", ["sqitch"]]);

const results = new Map<string, Record<string, number>>();
const floorDir = await Deno.makeTempDir({ prefix: "sqlitch-bench-mysql-" });
try {
  writeMysqlProject(floorDir, changes, `${stamp}_floor`);
  await createDatabase(`${stamp}_floor`);
  const floorMs = await floor(floorDir, changes, `${stamp}_floor`);
  await dropDatabases(`${stamp}_floor`);
  console.log(
    `floor (one session, deploy+verify scripts): ${(floorMs / changes).toFixed(2)} ms/change`,
  );
  for (const [name, cmd] of sides) {
    const db = `${stamp}_${name}`;
    const dir = await Deno.makeTempDir({ prefix: `sqlitch-bench-mysql-${name}-` });
    writeMysqlProject(dir, changes, db);
    await createDatabase(db);
    try {
      const r: Record<string, number> = {};
      r.deploy = await timeRun([...cmd, "deploy", "--verify"], dir);
      const st: number[] = [];
      const lg: number[] = [];
      for (let i = 0; i < runs; i++) {
        st.push(await timeRun([...cmd, "status"], dir));
        lg.push(await timeRun([...cmd, "log"], dir));
      }
      r.status = median(st);
      r.log = median(lg);
      r.revert = await timeRun([...cmd, "revert", "-y"], dir);
      results.set(name, r);
      console.log(
        `${name}: deploy --verify ${(r.deploy / changes).toFixed(2)} ms/change, ` +
          `revert ${(r.revert / changes).toFixed(2)} ms/change, status ${
            r.status.toFixed(0)
          } ms, ` +
          `log ${r.log.toFixed(0)} ms`,
      );
    } finally {
      await dropDatabases(db);
      await Deno.remove(dir, { recursive: true });
    }
  }
  const ours = results.get("sqlitch")!;
  console.log(
    `deploy --verify vs floor: ${(ours.deploy / floorMs).toFixed(2)}× (target ≤ 2×)`,
  );
  const theirs = results.get("sqitch");
  if (theirs) {
    for (
      const [k, target] of [["deploy", 3], ["revert", 2], ["status", 6], ["log", 6]] as const
    ) {
      console.log(
        `${k}: sqitch/sqlitch ${(theirs[k] / ours[k]).toFixed(1)}× (target ≥ ${target}×)`,
      );
    }
  }
} finally {
  await Deno.remove(floorDir, { recursive: true });
}
