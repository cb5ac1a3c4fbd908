/**
 * The PostgreSQL deployment benchmark: sqlitch beside real Sqitch on the
 * generated project of scripts/gen_project.ts (1 000 changes; its SQLite
 * scripts adapted to PostgreSQL: `TIMESTAMP` columns, `WHERE false`), on
 * the test server (`$SQLITCH_TEST_PG_HOST`/`PORT`, user postgres), and
 * beside the single-connection floor: the same deploy and verify scripts
 * sent by one `pg` session, no registry. Cases and targets (issue 5):
 *
 *   deploy --verify   ≤ 2× the floor per change, and ≥ 6× faster than Sqitch
 *   revert -y         ≥ 5× faster than Sqitch
 *   status, log       ≥ 6× faster than Sqitch (start-up included), on the deployed database
 *
 * Each program works on a database of its own. Times are wall-clock, one
 * run each (Sqitch's deploy takes minutes); status and log are medians of
 * `--runs`.
 *
 * Also printed first, for reference, when `psql` is installed: the floor as
 * issue 5 words it, one real psql session running every deploy and verify
 * script — statement by statement, as sqlitch must send them too.
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

import { runServerBench, serverBenchOptions } from "./bench_server.ts";

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

/**
 * ms per change for one `psql` session running every deploy and verify
 * script through `\i`, on a database of its own; undefined without psql.
 */
async function psqlFloor(changes: number): Promise<number | undefined> {
  const db = `bench_${Date.now().toString(36)}_psql`;
  const dir = await Deno.makeTempDir({ prefix: "sqlitch-bench-pg-psql-" });
  try {
    writePgProject(dir, changes, db);
    const lines: string[] = [];
    for (let i = 1; i <= changes; i++) {
      for (const sub of ["deploy", "verify"]) lines.push(`\\i ${sub}/${changeName(i)}.sql`);
    }
    Deno.writeTextFileSync(`${dir}/all.sql`, lines.join("\n") + "\n");
    await createDatabase(db);
    const start = performance.now();
    const r = await new Deno.Command("psql", {
      args: ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", "all.sql"],
      cwd: dir,
      env: { PGHOST: PG_HOST, PGPORT: PG_PORT, PGUSER: "postgres", PGDATABASE: db },
      stdout: "null",
      stderr: "piped",
    }).output().catch(() => undefined);
    const elapsed = performance.now() - start;
    if (r === undefined) return undefined;
    if (!r.success) throw new Error(`psql floor failed:\n${new TextDecoder().decode(r.stderr)}`);
    return elapsed / changes;
  } finally {
    await dropDatabase(db);
    await Deno.remove(dir, { recursive: true });
  }
}

const USAGE =
  "Usage: deno run --allow-all scripts/bench_pg.ts [--changes N] [--runs N] [--skip-sqitch]";
const options = serverBenchOptions(Deno.args, USAGE);
const psqlMs = await psqlFloor(options.changes);
if (psqlMs !== undefined) {
  console.log(
    `psql floor (one psql session, deploy+verify scripts): ${psqlMs.toFixed(2)} ms/change`,
  );
}

await runServerBench({
  engine: "pg",
  writeProject: writePgProject,
  createDatabase,
  dropDatabase,
  session: pgSession,
  targets: { deploy: 6, revert: 5, status: 6, log: 6 },
}, options);
