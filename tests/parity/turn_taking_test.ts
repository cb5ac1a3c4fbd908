/**
 * Turn-taking with real Sqitch: Sqitch and sqlitch work on ONE database and
 * registry, one after the other. Sqitch deploys part of a plan and sqlitch
 * the rest (and the other way round); reworked changes and tags deployed by
 * one are reverted by the other; a failure recorded by one is logged by the
 * other; and the registry each creates is identical in schema.
 *
 * A scenario is a list of turns in one shared sandbox (kit.ts
 * `makeSharedSandbox`):
 *   - `sqitch(argv)` / `sqlitch(argv)`: that program alone moves the state on;
 *   - `both(argv, keep)`: the database state S is saved; Sqitch runs on S,
 *     then S is restored and sqlitch runs on it; exit codes, stdout, stderr
 *     and the resulting registry rows and target database must be equal;
 *     the state the scenario carries on with is `keep`'s;
 *   - `check(what, fn)`: an explicit assertion on the current state.
 * Commit timestamps (committed_at, installed_at, created_at) are masked in
 * registry dumps; nothing else is.
 *
 * The engine is a parameter (`TurnEngine`): only SQLite is described here;
 * a pg or mysql description (config, save/restore, dumps) reuses every
 * scenario.
 */
import { DatabaseSync } from "node:sqlite";
import { AssertionError } from "node:assert/strict";
import {
  makeSharedSandbox,
  parityAvailability,
  removeSharedSandbox,
  runShared,
  type SharedSandbox,
  type Side,
  type StepOutcome,
  textDiff,
} from "./kit.ts";
import { pgTurnEngines } from "./pg_turn_engine.ts";
import { mysqlTurnEngines } from "./mysql_turn_engine.ts";

// ---------------------------------------------------------------------------
// Engines

/** A saved database state (opaque to the scenarios). */
type SavedState = Map<string, Uint8Array>;

/** What the scenarios need to know about an engine. */
interface TurnEngine {
  name: string;
  /** The project's sqitch.conf (engine and target). */
  conf: string;
  /** Programs besides sqitch that must be on PATH. */
  needs: string[];
  save(sb: SharedSandbox): Promise<SavedState>;
  restore(sb: SharedSandbox, state: SavedState): Promise<void>;
  /** Every registry row, commit timestamps masked. */
  registry(sb: SharedSandbox): string;
  /** The target database: schema and every row. */
  target(sb: SharedSandbox): string;
  /** The registry's schema and release rows (timestamps masked). */
  registrySchema(sb: SharedSandbox): string;
  // Optional parts for server engines (pg_turn_engine.ts):
  /** Rewrites the scenarios' script text for this engine's SQL. */
  adapt?(text: string): string;
  /** Before the first turn and after the last (create and drop databases). */
  setup?(sb: SharedSandbox): Promise<void>;
  teardown?(sb: SharedSandbox): Promise<void>;
  /** The registry's deployed changes and the target's script_log (else read from SQLite files). */
  deployedChanges?(sb: SharedSandbox): string[];
  scriptLog?(sb: SharedSandbox): string[];
}

/** Columns holding commit times (the only values masked). */
const COMMIT_TIME = new Set(["committed_at", "installed_at", "created_at"]);

/** SQLite database files: the databases and any journal SQLite left next to them. */
const SQLITE_FILE = /\.db(-journal|-wal|-shm)?$/;

function openIfPresent(path: string): DatabaseSync | undefined {
  try {
    Deno.statSync(path);
  } catch {
    return undefined;
  }
  return new DatabaseSync(path, { readOnly: true });
}

function rowText(row: Record<string, unknown>, mask: boolean): string {
  return Object.entries(row).map(([k, v]) =>
    `${k}=${mask && COMMIT_TIME.has(k) && v !== null ? "<TS>" : v}`
  ).join(" | ");
}

/** Schema and rows of every table of an SQLite file ("(absent)" when missing). */
function dumpSqlite(path: string, mask: boolean): string {
  const db = openIfPresent(path);
  if (!db) return "(absent)\n";
  try {
    const lines: string[] = [];
    const objects = db.prepare(
      "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name",
    ).all();
    for (const o of objects) {
      lines.push(`# ${o.type} ${o.name} on ${o.tbl_name}: ${o.sql}`);
      if (o.type !== "table") continue;
      for (const row of db.prepare(`SELECT * FROM "${o.name}" ORDER BY rowid`).all()) {
        lines.push(rowText(row, mask));
      }
    }
    return lines.join("\n") + "\n";
  } finally {
    db.close();
  }
}

const SQLITE: TurnEngine = {
  name: "sqlite",
  conf: '[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:flipr.db\n',
  needs: ["sqitch"],
  async save(sb) {
    const state: SavedState = new Map();
    for await (const e of Deno.readDir(sb.proj)) {
      if (e.isFile && SQLITE_FILE.test(e.name)) {
        state.set(e.name, await Deno.readFile(`${sb.proj}/${e.name}`));
      }
    }
    return state;
  },
  async restore(sb, state) {
    for await (const e of Deno.readDir(sb.proj)) {
      if (e.isFile && SQLITE_FILE.test(e.name)) await Deno.remove(`${sb.proj}/${e.name}`);
    }
    for (const [name, bytes] of state) await Deno.writeFile(`${sb.proj}/${name}`, bytes);
  },
  registry: (sb) => dumpSqlite(`${sb.proj}/sqitch.db`, true),
  target: (sb) => dumpSqlite(`${sb.proj}/flipr.db`, false),
  registrySchema(sb) {
    const db = openIfPresent(`${sb.proj}/sqitch.db`);
    if (!db) return "(absent)\n";
    try {
      const lines: string[] = [];
      for (
        const o of db.prepare(
          "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name, tbl_name",
        ).all()
      ) {
        lines.push(`${o.type} | ${o.name} | ${o.tbl_name} | ${o.sql}`);
      }
      for (
        const pragma of [
          "user_version",
          "application_id",
          "encoding",
          "page_size",
          "auto_vacuum",
          "journal_mode",
        ]
      ) {
        const row = db.prepare(`PRAGMA ${pragma}`).get() as Record<string, unknown>;
        lines.push(`PRAGMA ${pragma} = ${Object.values(row)[0]}`);
      }
      for (const row of db.prepare("SELECT * FROM releases ORDER BY version").all()) {
        lines.push(`releases: ${rowText(row, true)}`);
      }
      return lines.join("\n") + "\n";
    } finally {
      db.close();
    }
  },
};

/** The engines the scenarios run on. */
const ENGINES: TurnEngine[] = [
  SQLITE,
  ...(await pgTurnEngines()),
  ...(await mysqlTurnEngines()),
];

// ---------------------------------------------------------------------------
// Project

const HEAD = "%syntax-version=1.0.0\n%project=flipr\n%uri=https://example.com/flipr/\n\n";
const PLAN = HEAD +
  "users 2024-01-02T03:04:05Z Jane Doe <jane@example.com> # Creates table to track our users.\n" +
  "flips [users] 2024-01-02T03:04:06Z Bob Smith <bob@example.com> " +
  "# Adds flips table.\\n\\nWith a body\\nof two lines.\n" +
  "@v1.0 2024-01-02T03:04:07Z Jane Doe <jane@example.com> # Tag v1.0.\n" +
  "userfn [users flips] 2024-07-03T03:04:05Z Jane Doe <jane@example.com> # A function\n" +
  "@v1.1 2024-07-04T03:04:07Z Jane Doe <jane@example.com> # Tag v1.1.\n" +
  "hashtags [flips] 2024-12-31T23:59:59Z Bob Smith <bob@example.com>\n";

/** The plan with `users` reworked after @v1.1 and tagged again. */
const REWORKED_PLAN = PLAN +
  "users [users@v1.1] 2025-01-01T00:00:00Z Jane Doe <jane@example.com> # Adds names.\n" +
  "@v2.0 2025-01-01T00:00:01Z Jane Doe <jane@example.com> # Tag v2.0.\n" +
  "likes [users] 2025-01-02T00:00:00Z Bob Smith <bob@example.com> # Likes.\n";

/** The plan with a change whose deploy script fails. */
const FAILING_PLAN = PLAN +
  "broken [hashtags] 2025-02-01T00:00:00Z Bob Smith <bob@example.com> # Fails.\n";

/** SQL appending a line to the target's `script_log`, so the scripts that ran can be seen. */
function trace(script: string): string {
  return "CREATE TABLE IF NOT EXISTS script_log (n INTEGER PRIMARY KEY, script TEXT NOT NULL);\n" +
    `INSERT INTO script_log (script) VALUES ('${script}');\n`;
}

/** deploy/revert/verify scripts of a change creating a table `table`. */
function tableScripts(name: string, table = name): Record<string, string> {
  return {
    [`deploy/${name}.sql`]: `-- Deploy ${name}\n${trace(`deploy ${name}`)}` +
      `CREATE TABLE ${table} (id INTEGER PRIMARY KEY);\nINSERT INTO ${table} VALUES (1), (2);\n`,
    [`revert/${name}.sql`]: `-- Revert ${name}\n${trace(`revert ${name}`)}DROP TABLE ${table};\n`,
    [`verify/${name}.sql`]: `-- Verify ${name}\nSELECT id FROM ${table} WHERE 0;\n`,
  };
}

const SCRIPTS: Record<string, string> = {
  ...tableScripts("users"),
  ...tableScripts("flips"),
  ...tableScripts("userfn"),
  ...tableScripts("hashtags"),
  ...tableScripts("likes"),
  "deploy/broken.sql": `-- Deploy broken\n${
    trace("deploy broken")
  }INSERT INTO nonexistent VALUES (1);\n`,
  "revert/broken.sql": `-- Revert broken\n${trace("revert broken")}`,
  "verify/broken.sql": "-- Verify broken\n",
};

/**
 * Reworked `users`: the first instance's scripts become users@v1.1.sql; the
 * new ones add and drop a column. Each traces its own name, so the log
 * shows which instance's script ran.
 */
const REWORK_SCRIPTS: Record<string, string> = {
  ...tableScripts("users@v1.1", "users"),
  "deploy/users.sql": `-- Deploy users (reworked)\n${trace("deploy users (reworked)")}` +
    "ALTER TABLE users ADD COLUMN name TEXT;\n",
  "revert/users.sql": `-- Revert users (reworked)\n${trace("revert users (reworked)")}` +
    "ALTER TABLE users DROP COLUMN name;\n",
  "verify/users.sql": "-- Verify users (reworked)\nSELECT id, name FROM users WHERE 0;\n",
};

function project(engine: TurnEngine, plan = PLAN, extra: Record<string, string> = {}) {
  const files = { "sqitch.conf": engine.conf, "sqitch.plan": plan, ...SCRIPTS, ...extra };
  const adapt = engine.adapt;
  return adapt ? Object.fromEntries(Object.entries(files).map(([k, v]) => [k, adapt(v)])) : files;
}

// ---------------------------------------------------------------------------
// Turns

type Turn =
  | { kind: "one"; side: Side; argv: string | string[]; code: number }
  | { kind: "both"; argv: string | string[]; keep: Side }
  | { kind: "check"; what: string; fn: (sb: SharedSandbox, engine: TurnEngine) => void };

/** Sqitch alone moves the state on (and must exit `code`). */
const sqitch = (argv: string | string[], code = 0): Turn => ({
  kind: "one",
  side: "sqitch",
  argv,
  code,
});
/** sqlitch alone moves the state on (and must exit `code`). */
const sqlitch = (argv: string | string[], code = 0): Turn => ({
  kind: "one",
  side: "sqlitch",
  argv,
  code,
});
/** Both run on the same state and must agree; the scenario continues from `keep`'s result. */
const both = (argv: string | string[], keep: Side = "sqlitch"): Turn => ({
  kind: "both",
  argv,
  keep,
});
/** An explicit assertion on the current state. */
const check = (what: string, fn: (sb: SharedSandbox, engine: TurnEngine) => void): Turn => ({
  kind: "check",
  what,
  fn,
});

/** The scripts `script_log` says ran, oldest first. */
function scriptLog(sb: SharedSandbox): string[] {
  const db = openIfPresent(`${sb.proj}/flipr.db`);
  if (!db) return [];
  try {
    return db.prepare("SELECT script FROM script_log ORDER BY n").all().map((r) =>
      String(r.script)
    );
  } catch {
    return [];
  } finally {
    db.close();
  }
}

/** Assert that the last scripts run were exactly `expected` (in order). */
function ranLast(...expected: string[]): Turn {
  return check(`the last scripts run were ${expected.join(", ")}`, (sb, engine) => {
    const got = (engine.scriptLog?.(sb) ?? scriptLog(sb)).slice(-expected.length);
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      throw new Error(`script_log ends with ${JSON.stringify(got)}`);
    }
  });
}

/** The registry's deployed changes (name and tags), in order. */
function deployedChanges(sb: SharedSandbox): string[] {
  const db = openIfPresent(`${sb.proj}/sqitch.db`);
  if (!db) return [];
  try {
    return db.prepare(
      `SELECT c.change || coalesce(' ' || (SELECT group_concat(t.tag, ' ') FROM tags t
              WHERE t.change_id = c.change_id), '') AS c
         FROM changes c ORDER BY c.committed_at`,
    ).all().map((r) => String(r.c));
  } finally {
    db.close();
  }
}

/** Assert the registry lists exactly these changes. */
function deployed(...expected: string[]): Turn {
  return check(`the registry lists ${expected.join(", ") || "nothing"}`, (sb, engine) => {
    const got = engine.deployedChanges?.(sb) ?? deployedChanges(sb);
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      throw new Error(`the registry lists ${JSON.stringify(got)}`);
    }
  });
}

/** A scenario: initial project files and turns. */
interface TurnScenario {
  name: string;
  files: (engine: TurnEngine) => Record<string, string>;
  turns: Turn[];
}

interface TurnDifference {
  turn: number;
  label: string;
  summary: string;
  detail: string;
}

function label(turn: Turn): string {
  if (turn.kind === "check") return `check: ${turn.what}`;
  const argv = typeof turn.argv === "string" ? turn.argv : JSON.stringify(turn.argv);
  return turn.kind === "one" ? `${turn.side} ${argv}` : `both ${argv} (keep ${turn.keep})`;
}

function describe(o: StepOutcome): string {
  return `exit ${o.code}${
    o.signal ? ` (${o.signal})` : ""
  }\nstdout:\n${o.stdout}\nstderr:\n${o.stderr}`;
}

/** Run a scenario on one engine; every difference found (empty when all agree). */
async function runTurns(engine: TurnEngine, sc: TurnScenario): Promise<TurnDifference[]> {
  const sb = await makeSharedSandbox({ files: sc.files(engine) });
  const diffs: TurnDifference[] = [];
  try {
    await engine.setup?.(sb);
    for (const [i, turn] of sc.turns.entries()) {
      const n = i + 1;
      const what = label(turn);
      if (turn.kind === "check") {
        try {
          turn.fn(sb, engine);
        } catch (e) {
          diffs.push({ turn: n, label: what, summary: "check failed", detail: String(e) });
        }
      } else if (turn.kind === "one") {
        const o = await runShared(sb, turn.side, turn.argv);
        if (o.code !== turn.code) {
          diffs.push({
            turn: n,
            label: what,
            summary: `${turn.side} exited ${o.code}, the scenario says ${turn.code}`,
            detail: describe(o),
          });
        }
      } else {
        const before = await engine.save(sb);
        const a = await runShared(sb, "sqitch", turn.argv);
        const afterSqitch = await engine.save(sb);
        const dumpsA = { registry: engine.registry(sb), target: engine.target(sb) };
        await engine.restore(sb, before);
        const b = await runShared(sb, "sqlitch", turn.argv);
        const dumpsB = { registry: engine.registry(sb), target: engine.target(sb) };
        if (turn.keep === "sqitch") await engine.restore(sb, afterSqitch);
        if (a.code !== b.code) {
          diffs.push({
            turn: n,
            label: what,
            summary: `exit code: sqitch ${a.code}, sqlitch ${b.code}`,
            detail: `sqitch ${describe(a)}\nsqlitch ${describe(b)}`,
          });
        }
        for (const stream of ["stdout", "stderr"] as const) {
          if (a[stream] !== b[stream]) {
            diffs.push({
              turn: n,
              label: what,
              summary: `${stream} differs`,
              detail: textDiff(a[stream], b[stream], "sqitch", "sqlitch"),
            });
          }
        }
        for (const part of ["registry", "target"] as const) {
          if (dumpsA[part] !== dumpsB[part]) {
            diffs.push({
              turn: n,
              label: what,
              summary: `${part} afterwards differs`,
              detail: textDiff(dumpsA[part], dumpsB[part], `sqitch ${part}`, `sqlitch ${part}`),
            });
          }
        }
      }
    }
  } finally {
    await engine.teardown?.(sb);
    await removeSharedSandbox(sb);
  }
  return diffs;
}

function report(engine: TurnEngine, sc: TurnScenario, diffs: TurnDifference[]): string {
  const lines = [`turn-taking (${engine.name}): ${sc.name}: ${diffs.length} difference(s)`];
  for (const d of diffs) {
    lines.push(`turn ${d.turn} \`${d.label}\`: ${d.summary}`, d.detail, "");
  }
  return lines.join("\n");
}

// ---------------------------------------------------------------------------
// Scenarios

/** status, log in several formats and verify, all run by both on the current state. */
const READ_ALL: Turn[] = [
  both("status"),
  both("status --show-changes --show-tags"),
  both("log"),
  both("log --oneline"),
  both("log --format short --reverse"),
  both(["log", "--format", "format:%H %e %n %o %{date:raw}c %{name}c %s"]),
  both("log --event deploy --format oneline --abbrev 10"),
  both("verify"),
];

/** The second half of scenarios 1 and 2: read, revert part, read, revert the rest. */
function readThenRevert(first: Side): Turn[] {
  const other: Side = first === "sqitch" ? "sqlitch" : "sqitch";
  return [
    ...READ_ALL,
    both("revert -y --to @v1.0", first),
    deployed("users", "flips @v1.0"),
    ranLast("revert hashtags", "revert userfn"),
    both("status --show-changes"),
    both("log --oneline"),
    both("verify"),
    both("deploy", other),
    both("revert -y", first),
    deployed(),
    both("status"),
    both("log --format oneline"),
    both("log --event revert"),
    both("verify"),
  ];
}

const SCENARIOS: TurnScenario[] = [
  {
    name: "sqitch deploys part, sqlitch the rest; both read and revert",
    files: (e) => project(e),
    turns: [
      sqitch("deploy --to flips"),
      both("deploy"),
      deployed("users", "flips @v1.0", "userfn @v1.1", "hashtags"),
      ...readThenRevert("sqitch"),
    ],
  },
  {
    name: "sqlitch deploys part, sqitch the rest; both read and revert",
    files: (e) => project(e),
    turns: [
      sqlitch("deploy --to flips"),
      both("deploy", "sqitch"),
      deployed("users", "flips @v1.0", "userfn @v1.1", "hashtags"),
      ...readThenRevert("sqlitch"),
    ],
  },
  {
    name: "one change at a time, alternating",
    files: (e) => project(e),
    turns: [
      sqitch("deploy --to users"),
      sqlitch("deploy --to flips"),
      sqitch("deploy --to @v1.1"),
      sqlitch("deploy"),
      ...READ_ALL,
      sqlitch("revert -y --to flips"),
      sqitch("revert -y --to users"),
      both("log --oneline"),
      sqlitch("deploy --to userfn"),
      sqitch("deploy"),
      deployed("users", "flips @v1.0", "userfn @v1.1", "hashtags"),
      both("revert -y --to HEAD^^"),
      both("status --show-tags"),
      both("log --format short"),
      sqitch("revert -y"),
      deployed(),
      both("log --oneline --reverse"),
    ],
  },
  {
    name: "rework: sqitch deploys the first instance, sqlitch the rework; both revert",
    files: (e) => project(e, REWORKED_PLAN, REWORK_SCRIPTS),
    turns: [
      sqitch("deploy --to hashtags"),
      both("deploy"),
      ranLast("deploy users (reworked)", "deploy likes"),
      both("status --show-changes --show-tags"),
      both("log --oneline"),
      both("verify"),
      both("revert -y --to @v2.0", "sqitch"),
      ranLast("revert likes"),
      both("revert -y --to @v1.1", "sqitch"),
      ranLast("revert users (reworked)", "revert hashtags"),
      deployed("users", "flips @v1.0", "userfn @v1.1"),
      both("verify"),
      both("deploy --to users@HEAD"),
      both("revert -y", "sqitch"),
      ranLast(
        "revert users (reworked)",
        "revert hashtags",
        "revert userfn",
        "revert flips",
        "revert users@v1.1",
      ),
      both("log --oneline"),
    ],
  },
  {
    name: "rework: sqlitch deploys everything, sqitch reverts across the rework",
    files: (e) => project(e, REWORKED_PLAN, REWORK_SCRIPTS),
    turns: [
      sqlitch("deploy"),
      deployed(
        "users",
        "flips @v1.0",
        "userfn @v1.1",
        "hashtags",
        "users @v2.0",
        "likes",
      ),
      both("verify"),
      both("log --format short"),
      both("revert -y --to users@v1.1", "sqitch"),
      ranLast(
        "revert likes",
        "revert users (reworked)",
        "revert hashtags",
        "revert userfn",
        "revert flips",
      ),
      deployed("users"),
      both("status --show-tags"),
      sqlitch("deploy --to @v2.0"),
      both("revert -y", "sqitch"),
      ranLast(
        "revert users (reworked)",
        "revert hashtags",
        "revert userfn",
        "revert flips",
        "revert users@v1.1",
      ),
      sqitch("deploy"),
      both("revert -y --to @v1.1"),
      ranLast("revert likes", "revert users (reworked)", "revert hashtags"),
      both("verify"),
    ],
  },
  {
    name: "failure recorded by sqitch, read by both, failed again by both",
    files: (e) => project(e, FAILING_PLAN),
    turns: [
      sqitch("deploy --to @v1.0"),
      sqitch("deploy", 2),
      deployed("users", "flips @v1.0"),
      both("log"),
      both("log --event fail --oneline"),
      both("status"),
      both("verify"),
      both("deploy --mode change"),
      deployed("users", "flips @v1.0", "userfn @v1.1", "hashtags"),
      both("log --oneline"),
      both("log --event fail"),
      both("revert -y"),
    ],
  },
  {
    name: "failure recorded by sqlitch, read by both, failed again by both",
    files: (e) => project(e, FAILING_PLAN),
    turns: [
      sqlitch("deploy --to users"),
      sqlitch("deploy --mode tag", 2),
      deployed("users", "flips @v1.0", "userfn @v1.1"),
      both("log"),
      both("log --event fail --format short"),
      both("status --show-changes"),
      both("verify"),
      both("deploy", "sqitch"),
      both("log --oneline"),
      both("revert -y --to @v1.0"),
      both("log --oneline --event revert --event fail"),
    ],
  },
  {
    name: "verify and deploy --verify failing on the other's deployment",
    files: (e) =>
      project(e, PLAN, { "verify/userfn.sql": "-- Verify userfn\nSELECT nosuch FROM userfn;\n" }),
    turns: [
      sqitch("deploy --to flips"),
      both("deploy --verify", "sqitch"),
      both("verify"),
      sqlitch("deploy --no-verify"),
      both("verify"),
      both("verify --to @v1.0"),
      both("verify --from userfn"),
      both("log --oneline"),
    ],
  },
];

// ---------------------------------------------------------------------------
// Registration

const availability = parityAvailability(["sqitch"]);

for (const engine of ENGINES) {
  for (const sc of SCENARIOS) {
    Deno.test({
      name: `turn-taking (${engine.name}): ${sc.name}`,
      ignore: availability.status === "skip",
      fn: async () => {
        if (availability.status === "fail") throw new Error(availability.reason);
        const diffs = await runTurns(engine, sc);
        if (diffs.length > 0) throw new AssertionError({ message: report(engine, sc, diffs) });
      },
    });
  }

  Deno.test({
    name: `turn-taking (${engine.name}): registries created by sqitch and sqlitch are identical`,
    ignore: availability.status === "skip",
    fn: async () => {
      if (availability.status === "fail") throw new Error(availability.reason);
      const sb = await makeSharedSandbox({ files: project(engine) });
      try {
        await engine.setup?.(sb);
        const schemas = new Map<Side, string>();
        const mixed = new Map<Side, string>();
        for (const side of ["sqitch", "sqlitch"] as const) {
          await engine.restore(sb, new Map());
          const other: Side = side === "sqitch" ? "sqlitch" : "sqitch";
          const first = await runShared(sb, side, "deploy --to users");
          if (first.code !== 0) throw new Error(`${side} deploy failed:\n${describe(first)}`);
          schemas.set(side, engine.registrySchema(sb));
          // Deployed on by the other program: the schema must not change.
          const rest = await runShared(sb, other, "deploy");
          if (rest.code !== 0) throw new Error(`${other} deploy failed:\n${describe(rest)}`);
          mixed.set(side, engine.registrySchema(sb));
        }
        const a = schemas.get("sqitch")!;
        const b = schemas.get("sqlitch")!;
        if (a !== b) {
          throw new AssertionError({
            message: `registry schemas differ\n${textDiff(a, b, "sqitch", "sqlitch")}`,
          });
        }
        for (const side of ["sqitch", "sqlitch"] as const) {
          if (mixed.get(side) !== a) {
            throw new AssertionError({
              message: `registry schema changed when the other program deployed on ${side}'s\n${
                textDiff(a, mixed.get(side)!, "created", "after")
              }`,
            });
          }
        }
        if (!/^table \| changes \| changes \| CREATE TABLE changes/m.test(a)) {
          throw new AssertionError({ message: `registry schema dump looks wrong:\n${a}` });
        }
      } finally {
        await engine.teardown?.(sb);
        await removeSharedSandbox(sb);
      }
    },
  });
}
