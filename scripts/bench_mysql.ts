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
import { changeName, writeProject } from "./gen_project.ts";
import {
  createDatabase,
  dropDatabases,
  MYSQL_HOST,
  MYSQL_PORT,
  MYSQL_USER,
  mysqlSession,
} from "../tests/engines/mysql_server.ts";

import { runServerBench, serverBenchOptions } from "./bench_server.ts";

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

const USAGE =
  "Usage: deno run --allow-all scripts/bench_mysql.ts [--changes N] [--runs N] [--skip-sqitch]";
const options = serverBenchOptions(Deno.args, USAGE);

await runServerBench({
  engine: "mysql",
  writeProject: writeMysqlProject,
  createDatabase,
  dropDatabase: dropDatabases,
  session: mysqlSession,
  targets: { deploy: 3, revert: 2, status: 6, log: 6 },
}, options);
