/**
 * Helpers for parity suites that touch SQLite databases (deploy, revert,
 * verify, status, log): a dump of every SQLite file in a sandbox project
 * (registry rows with timestamps masked, target schemas and rows), a
 * registration helper that runs a scenario and then compares both sides'
 * dumps, a way to run real Sqitch inside a setup hook at a frozen instant,
 * and a masker for the dates that real-clock deploys leave in outputs.
 *
 * Database files are binary and hold commit times, so scenarios registered
 * here leave them out of the tree comparison (`DB_GLOBS`) and compare the
 * dumps instead.
 */
import { DatabaseSync } from "node:sqlite";
import { strictEqual } from "node:assert/strict";
import {
  assertParity,
  DEFAULT_USER_CONFIG,
  defaultSqitchCmd,
  fakeClockEnv,
  parityAvailability,
  runScenario,
  type SandboxContext,
  type Scenario,
  type Side,
} from "./kit.ts";

/** Globs of the database files the dumps cover (left out of tree comparison). */
export const DB_GLOBS = ["**/*.db", "**/*.sqlite3", "**/*.sqlite", "**/*.sqlite3-journal"];

const SQLITE_MAGIC = "SQLite format 3\u0000";

/** Every file below `dir` (relative paths, sorted) whose first bytes say SQLite. */
function sqliteFiles(dir: string, rel = ""): string[] {
  const out: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(rel ? `${dir}/${rel}` : dir)];
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => a.name < b.name ? -1 : 1)) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...sqliteFiles(dir, path));
    else if (e.isFile) {
      const bytes = Deno.readFileSync(`${dir}/${path}`);
      const head = new TextDecoder().decode(bytes.slice(0, 16));
      if (head === SQLITE_MAGIC) out.push(path);
    }
  }
  return out;
}

/**
 * Every SQLite database below `proj`: each table's schema and rows (in
 * rowid order, `*_at` columns masked). A database without tables counts as
 * absent (sqlitch's sqlite3 emulation may leave an empty file where a
 * failing sqlite3 never opens it).
 */
export function dumpDatabases(proj: string): string {
  const lines: string[] = [];
  for (const file of sqliteFiles(proj)) {
    const db = new DatabaseSync(`${proj}/${file}`, { readOnly: true });
    try {
      const tables = db.prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name",
      ).all();
      if (tables.length === 0) continue;
      lines.push(`## ${file}`);
      for (const t of tables) {
        lines.push(`# ${t.name}: ${t.sql}`);
        for (const row of db.prepare(`SELECT * FROM "${t.name}" ORDER BY rowid`).all()) {
          lines.push(
            Object.entries(row).map(([k, v]) => `${k}=${/_at$/.test(k) && v !== null ? "<TS>" : v}`)
              .join(" | "),
          );
        }
      }
    } finally {
      db.close();
    }
  }
  return lines.join("\n") + "\n";
}

/** Masks ISO-ish timestamps ("2026-01-02 03:04:05 +0000", "…T…Z") left by real-clock deploys. */
export function maskDates(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:Z| [+-]\d{4})?/g, "<DATE>")
    .replace(/\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d\.\d+/g, "<DATE>");
}

/**
 * Register one scenario: parity of every step, then both sides'
 * database dumps must be equal.
 */
export function registryTest(sc: Scenario): void {
  const availability = parityAvailability(
    sc.clock === undefined ? ["sqitch"] : ["sqitch", "faketime"],
  );
  Deno.test({
    name: `parity: ${sc.name}`,
    ignore: sc.skip || availability.status === "skip",
    only: sc.only ?? false,
    fn: async () => {
      if (availability.status === "fail") throw new Error(availability.reason);
      const dumps = new Map<Side, string>();
      const teardown = sc.teardown;
      const result = await runScenario({
        ...sc,
        ignorePaths: [...(sc.ignorePaths ?? []), ...DB_GLOBS],
        teardown: async (ctx: SandboxContext) => {
          dumps.set(ctx.side, dumpDatabases(ctx.proj));
          await teardown?.(ctx);
        },
      });
      if (Deno.env.get("PARITY_DEBUG")) {
        for (const side of [result.sqitch, result.sqlitch]) {
          for (const [i, o] of side.outcomes.entries()) {
            console.log(`--- ${side.side} step ${i + 1} rc=${o.code}\n${o.stdout}~~~\n${o.stderr}`);
          }
        }
      }
      assertParity(result);
      strictEqual(dumps.get("sqlitch"), dumps.get("sqitch"), "registry and database dumps");
    },
  });
}

/** Register many scenarios with `registryTest` (names must be unique). */
export function registryTests(scenarios: Scenario[]): void {
  const names = new Set<string>();
  for (const sc of scenarios) {
    if (names.has(sc.name)) throw new Error(`duplicate parity scenario name: ${sc.name}`);
    names.add(sc.name);
    registryTest(sc);
  }
}

/**
 * Run real Sqitch in a sandbox's project (setup hooks only), at a frozen
 * instant when `clock` is given, with `env` added and in `cwd` (default:
 * the project); throws when it exits non-zero unless `mayFail`.
 */
export async function sqitchIn(
  ctx: SandboxContext,
  argv: string[],
  opts: { clock?: string; mayFail?: boolean; cwd?: string; env?: Record<string, string> } = {},
): Promise<void> {
  const [cmd, ...pre] = defaultSqitchCmd();
  const r = await new Deno.Command(cmd, {
    args: [...pre, ...argv],
    cwd: opts.cwd ?? ctx.proj,
    env: { ...ctx.env, ...opts.env, ...(opts.clock ? fakeClockEnv(opts.clock) : {}) },
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (r.code !== 0 && !opts.mayFail) {
    throw new Error(
      `setup: sqitch ${argv.join(" ")} exited ${r.code}: ${new TextDecoder().decode(r.stderr)}`,
    );
  }
}

/** Run SQL against a database file of a sandbox (setup hooks only). */
export function execSql(path: string, sql: string): void {
  const db = new DatabaseSync(path);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

/** Write files below a directory (setup hooks), creating parents. */
export function writeTree(base: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const path = `${base}/${rel}`;
    Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    Deno.writeTextFileSync(path, text);
  }
}

const prebuilt = new Map<string, Promise<Map<string, Uint8Array>>>();

/**
 * A setup hook that copies databases built once per test module: the
 * first call writes `files` into a scratch project, runs `build` there
 * (usually `sqitchIn` at frozen clocks), and keeps every SQLite file it
 * leaves; every call then copies those files into the sandbox's project.
 * Saves running the same Sqitch history again for each scenario and side.
 */
export function prebuiltSetup(
  key: string,
  files: Record<string, string>,
  build: (ctx: SandboxContext) => Promise<void>,
): (ctx: SandboxContext) => Promise<void> {
  return async (ctx) => {
    let dbs = prebuilt.get(key);
    if (!dbs) {
      dbs = buildOnce(ctx, files, build);
      prebuilt.set(key, dbs);
    }
    for (const [rel, bytes] of await dbs) {
      const path = `${ctx.proj}/${rel}`;
      Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      Deno.writeFileSync(path, bytes);
    }
  };
}

async function buildOnce(
  like: SandboxContext,
  files: Record<string, string>,
  build: (ctx: SandboxContext) => Promise<void>,
): Promise<Map<string, Uint8Array>> {
  const root = await Deno.makeTempDir({ prefix: "sqlitch-parity-prebuilt-" });
  try {
    const proj = `${root}/proj`;
    const home = `${root}/home`;
    writeTree(proj, files);
    writeTree(home, { ".sqitch/sqitch.conf": DEFAULT_USER_CONFIG });
    const env: Record<string, string> = {
      PATH: like.env.PATH,
      HOME: home,
      TZ: "UTC",
      LANG: "C.UTF-8",
      LC_ALL: "C.UTF-8",
      SQITCH_SYSTEM_CONFIG: `${root}/etc/sqitch.conf`,
    };
    await build({ side: "sqitch", root, proj, home, id: "prebuilt", env });
    const out = new Map<string, Uint8Array>();
    for (const rel of sqliteFiles(proj)) out.set(rel, Deno.readFileSync(`${proj}/${rel}`));
    return out;
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}
