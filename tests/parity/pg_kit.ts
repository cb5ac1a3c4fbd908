/**
 * Helpers for PostgreSQL parity suites (tests/parity/pg_*_test.ts): the
 * project configuration pointing at a database named by the kit's `<ID>`,
 * table-per-change scripts, and `pgParityTests`, which registers scenarios
 * whose sides each get their own database (created before the first step,
 * dropped after the last, with every other database whose name starts with
 * the side's id), and which compares, after the outputs, both sides'
 * registries (schema and rows, timestamps masked) and target databases
 * (pg_dump without the registry schemas).
 *
 * Commit times come from the server clock, so dates in outputs are masked.
 * Needs sqitch (else skipped, or failed under CI) and the test server
 * (tests/engines/pg_server.ts).
 */
import { strictEqual } from "node:assert/strict";
import { maskDates } from "./db_kit.ts";
import {
  assertParity,
  defaultSqitchCmd,
  parityAvailability,
  runScenario,
  type SandboxContext,
  type Scenario,
  type Side,
} from "./kit.ts";
import {
  createDatabase,
  dropDatabase,
  dumpRegistryRows,
  dumpSchema,
  PG_HOST,
  PG_PORT,
  pgAvailable,
  pgExec,
  pgRows,
  pgUri,
} from "../engines/pg_server.ts";

export { pgExec, pgUri };

const availability = parityAvailability(["sqitch"]);
/** Whether the live pg parity tests run here (sqitch and the server present). */
export const pgLive = availability.status === "skip" ? false : await pgAvailable();

/** A project configuration: engine pg, default target the side's own database. */
export const PG_CONF = `[core]\n\tengine = pg\n[engine "pg"]\n\ttarget = ${pgUri("<ID>")}\n`;

/** The plan header of the `flipr` project. */
export const HEAD = "%syntax-version=1.0.0\n%project=flipr\n%uri=https://example.com/flipr\n\n";

/** deploy/revert/verify scripts creating and dropping a table per change. */
export function pgScripts(...names: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const n of names) {
    files[`deploy/${n}.sql`] = `-- Deploy ${n}\nCREATE TABLE ${n} (id INTEGER);\n`;
    files[`revert/${n}.sql`] = `-- Revert ${n}\nDROP TABLE ${n};\n`;
    files[`verify/${n}.sql`] = `-- Verify ${n}\nSELECT id FROM ${n} WHERE false;\n`;
  }
  return files;
}

/** Every database of the server whose name starts with `prefix`. */
async function databasesOf(prefix: string): Promise<string[]> {
  const rows = await pgRows(
    "postgres",
    `SELECT datname FROM pg_database WHERE datname LIKE '${prefix}%' ORDER BY datname`,
  );
  return rows.map((r) => r[0]!);
}

/** `pg_dump` of a database without the given schemas (schema and data), or why not. */
async function dumpTarget(db: string, exclude: string[]): Promise<string> {
  const args = ["-h", PG_HOST, "-p", PG_PORT, "-U", "postgres", "--no-owner", "--no-privileges"];
  for (const s of exclude) args.push("-N", `"${s}"`);
  const r = await new Deno.Command("pg_dump", {
    args: [...args, db],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (r.code !== 0) return `pg_dump failed: ${dec.decode(r.stderr)}`;
  return dec.decode(r.stdout).replace(/^\\(un)?restrict .*$/gm, "\\$1restrict <KEY>");
}

/**
 * Every database of a side (names with the id masked): each registry
 * schema (DDL and rows, timestamps masked) and the rest of the database.
 */
export async function dumpSide(id: string): Promise<string> {
  const out: string[] = [];
  for (const db of await databasesOf(id)) {
    out.push(`### database ${db.replace(id, "<ID>")}`);
    const schemas = (await pgRows(
      db,
      "SELECT table_schema FROM information_schema.tables WHERE table_name = 'events' ORDER BY 1",
    )).map((r) => r[0]!);
    for (const schema of schemas) {
      out.push(`## registry ${schema}`, await dumpSchema(db, schema));
      out.push(await dumpRegistryRows(db, schema));
    }
    out.push("## target", await dumpTarget(db, schemas));
  }
  return out.join("\n").replaceAll(id, "<ID>");
}

/** Drop every database of a side. */
export async function dropSide(id: string): Promise<void> {
  for (const db of await databasesOf(id)) await dropDatabase(db);
}

/** How a suite's scenarios are registered. */
export interface PgParityOptions {
  /** Create the side's database `<ID>` before the steps (default true). */
  createDb?: boolean;
  /** Compare dates in outputs as they are (registry times fixed by the setup). */
  keepDates?: boolean;
}

/**
 * Register one scenario: each side gets its database `<ID>` (plus any
 * `<ID>…` it creates), the steps must agree, then the dumps must be equal.
 */
export function pgParityTest(sc: Scenario, opts: PgParityOptions = {}): void {
  Deno.test({
    name: `parity: ${sc.name}`,
    ignore: sc.skip || availability.status === "skip" || !pgLive,
    only: sc.only ?? false,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      if (availability.status === "fail") throw new Error(availability.reason);
      const dumps = new Map<Side, string>();
      const result = await runScenario({
        ...sc,
        normalize: (t) => {
          const masked = opts.keepDates ? t : maskDates(t);
          return sc.normalize ? sc.normalize(masked) : masked;
        },
        setup: async (ctx: SandboxContext) => {
          await dropSide(ctx.id);
          if (opts.createDb !== false) await createDatabase(ctx.id);
          await sc.setup?.(ctx);
        },
        teardown: async (ctx: SandboxContext) => {
          try {
            await sc.teardown?.(ctx);
            dumps.set(ctx.side, await dumpSide(ctx.id));
          } finally {
            await dropSide(ctx.id);
          }
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
      strictEqual(dumps.get("sqlitch"), dumps.get("sqitch"), "database dumps");
    },
  });
}

/** Register many scenarios (names must be unique). */
export function pgParityTests(scenarios: Scenario[], opts: PgParityOptions = {}): void {
  const names = new Set<string>();
  for (const sc of scenarios) {
    if (names.has(sc.name)) throw new Error(`duplicate parity scenario name: ${sc.name}`);
    names.add(sc.name);
    pgParityTest(sc, opts);
  }
}

/**
 * Run real Sqitch in a sandbox's project (setup hooks only); throws when
 * it exits non-zero unless `mayFail`.
 */
export async function sqitchSetup(
  ctx: SandboxContext,
  argv: string[],
  opts: { mayFail?: boolean } = {},
): Promise<void> {
  const [cmd, ...pre] = defaultSqitchCmd();
  const r = await new Deno.Command(cmd, {
    args: [...pre, ...argv],
    cwd: ctx.proj,
    env: ctx.env,
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

/**
 * Give every commit time in a registry a fixed value, keeping their order
 * (setup hooks, after building a history with real Sqitch): events,
 * changes and tags then print the same dates on both sides.
 */
export async function fixCommitTimes(ctx: SandboxContext, schema = "sqitch"): Promise<void> {
  const q = (t: string) => `"${schema}".${t}`;
  await pgExec(
    ctx.id,
    `WITH o AS (SELECT ctid, row_number() OVER (ORDER BY committed_at) AS n FROM ${q("events")})
     UPDATE ${q("events")} e
        SET committed_at = '2026-01-02 03:04:05+00'::timestamptz + o.n * interval '61 seconds'
       FROM o WHERE e.ctid = o.ctid;
     WITH o AS (SELECT change_id, row_number() OVER (ORDER BY committed_at) AS n FROM ${
      q("changes")
    })
     UPDATE ${q("changes")} c
        SET committed_at = '2026-02-03 04:05:06+00'::timestamptz + o.n * interval '67 seconds'
       FROM o WHERE c.change_id = o.change_id;
     WITH o AS (SELECT t.tag_id, c.committed_at AS at,
                       row_number() OVER (PARTITION BY t.change_id ORDER BY t.committed_at) AS n
                  FROM ${q("tags")} t JOIN ${q("changes")} c ON c.change_id = t.change_id)
     UPDATE ${q("tags")} t SET committed_at = o.at + o.n * interval '1 second'
       FROM o WHERE t.tag_id = o.tag_id;`,
  );
}

const templates = new Map<string, Promise<string>>();

/**
 * A setup hook building a database state once per test module: the first
 * caller runs `build` on its own database, which is then copied to a
 * template database; every later caller gets a copy of the template.
 * Register `dropTemplatesTest()` last in the module to remove them.
 */
export function prebuiltDb(
  key: string,
  build: (ctx: SandboxContext) => Promise<void>,
): (ctx: SandboxContext) => Promise<void> {
  return async (ctx) => {
    let tpl = templates.get(key);
    if (!tpl) {
      tpl = (async () => {
        await build(ctx);
        const name = `sqlitch_tpl_${ctx.id}`;
        await pgExec("postgres", `CREATE DATABASE "${name}" TEMPLATE "${ctx.id}"`);
        return name;
      })();
      templates.set(key, tpl);
      await tpl;
      return;
    }
    const name = await tpl;
    await dropDatabase(ctx.id);
    for (let attempt = 0;; attempt++) {
      try {
        await pgExec("postgres", `CREATE DATABASE "${ctx.id}" TEMPLATE "${name}"`);
        return;
      } catch (e) {
        if (attempt >= 20) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
}

/** Register a last test dropping the module's template databases. */
export function dropTemplatesTest(): void {
  Deno.test({
    name: "pg parity: drop template databases",
    ignore: availability.status === "skip" || !pgLive,
    fn: async () => {
      for (const tpl of templates.values()) await dropDatabase(await tpl.catch(() => ""));
      templates.clear();
    },
  });
}
