/**
 * A deterministic generator of SQLite projects for the deployment benchmark
 * (scripts/bench_deploy.ts): `changes` changes, each requiring the one
 * before it, with a tag after every `tagEvery`-th. Every deploy script is one
 * transaction in the style of Sqitch's SQLite templates: it creates a table
 * and an index and inserts a few rows. Revert scripts drop the table; verify
 * scripts select from it inside a rolled-back transaction.
 *
 *   deno run --allow-write scripts/gen_project.ts DIR [CHANGES] [TAG_EVERY]
 */

/** Options for writeProject. */
export interface GenerateProjectOptions {
  /** Number of changes (default 1 000). */
  changes?: number;
  /** A tag after every this many changes (default 50). */
  tagEvery?: number;
  /** The `%project` value (default "bench"). */
  project?: string;
  /** Target database file, relative to the project (default "bench.db"). */
  database?: string;
}

/** The name of change number `i` (1-based): `change_0001`. */
export function changeName(i: number): string {
  return `change_${String(i).padStart(4, "0")}`;
}

/** The deploy, revert and verify scripts of change number `i`. */
export function changeScripts(
  project: string,
  i: number,
): { deploy: string; revert: string; verify: string } {
  const name = changeName(i);
  const table = `t${String(i).padStart(4, "0")}`;
  return {
    deploy: `-- Deploy ${project}:${name} to sqlite

BEGIN;

CREATE TABLE ${table} (
    id      INTEGER PRIMARY KEY,
    name    TEXT    NOT NULL,
    amount  INTEGER NOT NULL DEFAULT 0,
    created DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX ${table}_name ON ${table} (name);

INSERT INTO ${table} (name, amount) VALUES
    ('alpha', ${i}),
    ('beta', ${i * 2}),
    ('gamma', ${i * 3});

COMMIT;
`,
    revert: `-- Revert ${project}:${name} from sqlite

BEGIN;

DROP TABLE ${table};

COMMIT;
`,
    verify: `-- Verify ${project}:${name} on sqlite

BEGIN;

SELECT id, name, amount, created
  FROM ${table}
 WHERE 0;

ROLLBACK;
`,
  };
}

/** The plan text; the same options always give the same bytes. */
export function projectPlan(options: GenerateProjectOptions = {}): string {
  const count = options.changes ?? 1_000;
  const tagEvery = options.tagEvery ?? 50;
  const project = options.project ?? "bench";
  const base = Date.UTC(2020, 0, 1);
  const stamp = (i: number) => new Date(base + i * 61_000).toISOString().replace(/\.\d+Z$/, "Z");
  const planner = "Bench Planner <planner@example.com>";
  const lines = ["%syntax-version=1.0.0", `%project=${project}`, ""];
  for (let i = 1; i <= count; i++) {
    const deps = i > 1 ? `[${changeName(i - 1)}] ` : "";
    lines.push(`${changeName(i)} ${deps}${stamp(i)} ${planner} # Adds table t${i}.`);
    if (i % tagEvery === 0) {
      lines.push(`@v${i / tagEvery}.0 ${stamp(i)} ${planner} # Release v${i / tagEvery}.0.`);
    }
  }
  return lines.join("\n") + "\n";
}

/** Write the project (sqitch.conf, sqitch.plan, deploy/revert/verify) into `dir`. */
export function writeProject(dir: string, options: GenerateProjectOptions = {}): void {
  const count = options.changes ?? 1_000;
  const project = options.project ?? "bench";
  const database = options.database ?? "bench.db";
  for (const sub of ["deploy", "revert", "verify"]) {
    Deno.mkdirSync(`${dir}/${sub}`, { recursive: true });
  }
  Deno.writeTextFileSync(
    `${dir}/sqitch.conf`,
    `[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:${database}\n` +
      `[user]\n\tname = Bench User\n\temail = bench@example.com\n`,
  );
  Deno.writeTextFileSync(`${dir}/sqitch.plan`, projectPlan(options));
  for (let i = 1; i <= count; i++) {
    const scripts = changeScripts(project, i);
    const file = `${changeName(i)}.sql`;
    Deno.writeTextFileSync(`${dir}/deploy/${file}`, scripts.deploy);
    Deno.writeTextFileSync(`${dir}/revert/${file}`, scripts.revert);
    Deno.writeTextFileSync(`${dir}/verify/${file}`, scripts.verify);
  }
}

if (import.meta.main) {
  const [dir, changes, tagEvery] = Deno.args;
  if (!dir) {
    console.error("usage: gen_project.ts DIR [CHANGES] [TAG_EVERY]");
    Deno.exit(2);
  }
  writeProject(dir, {
    changes: Number(changes) || undefined,
    tagEvery: Number(tagEvery) || undefined,
  });
}
