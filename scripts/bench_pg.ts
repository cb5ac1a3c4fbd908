/**
 * The PostgreSQL deployment benchmark: sqlitch beside real Sqitch on the
 * generated project of scripts/gen_project.ts (1 000 changes; its SQLite
 * scripts adapted to PostgreSQL: `TIMESTAMP` columns, `WHERE false`), on
 * the test server (`$SQLITCH_TEST_PG_HOST`/`PORT`, user postgres), and
 * beside the single-connection floor: the same deploy and verify scripts
 * sent by one `pg` session, no registry. Cases and targets (issue 5):
 *
 *   deploy --verify   ≤ 2× the floor per change, and ≥ 8× faster than Sqitch
 *   revert -y         ≥ 5× faster than Sqitch
 *   status, log       ≥ 10× faster than Sqitch, on the deployed database
 *
 * Each program works on a database of its own. Times are wall-clock, one
 * run each (Sqitch's deploy takes minutes); status and log are medians of
 * `--runs`.
 *
 *   deno run --allow-all scripts/bench_pg.ts [--changes N] [--runs N] [--skip-sqitch]
 */
import { changeName, writeProject } from "./gen_project.ts";
import {
  createDatabase,
  dropDatabase,
  PG_HOST,
  PG_PORT,
  pgSession,
} from "../tests/engines/pg_server.ts";

import { runServerBench } from "./bench_server.ts";

/** The generated project, adapted to PostgreSQL, targeting database `db`. */
function writePgProject(dir: string, changes: number, db: string): void {
  writeProject(dir, { changes });
  Deno.writeTextFileSync(
    `${dir}/sqitch.conf`,
    `[core]\n\tengine = pg\n[engine "pg"]\n\ttarget = db:pg://postgres@${PG_HOST}:${PG_PORT}/${db}\n` +
      `[user]\n\tname = Bench User\n\temail = bench@example.com\n`,
  );
  for (const sub of ["deploy", "verify"]) {
    for (let i = 1; i <= changes; i++) {
      const path = `${dir}/${sub}/${changeName(i)}.sql`;
      Deno.writeTextFileSync(
        path,
        Deno.readTextFileSync(path).replace("DATETIME", "TIMESTAMP").replace(
          "INTEGER PRIMARY KEY",
          "SERIAL PRIMARY KEY",
        )
          .replace("WHERE 0", "WHERE false"),
      );
    }
  }
}

await runServerBench({
  engine: "pg",
  writeProject: writePgProject,
  createDatabase,
  dropDatabase,
  session: pgSession,
  targets: { deploy: 8, revert: 5, status: 10, log: 10 },
}, Deno.args);
