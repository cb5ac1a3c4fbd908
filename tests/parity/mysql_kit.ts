/**
 * Helpers for MySQL/MariaDB parity suites (tests/parity/mysql_*_test.ts):
 * the project configuration (target database `<ID>`, registry `<ID>_reg`,
 * so that parallel scenarios never share Sqitch's default `sqitch`
 * registry), table-per-change scripts, and `mysqlParityTests`, which
 * registers scenarios whose sides each get their own databases (every
 * database whose name starts with the side's id is dropped before and
 * after), comparing after the outputs both sides' databases: schema
 * without triggers (sqlitch's registry triggers follow Sqitch 1.5+ on
 * purpose; tests/engines/mysql_registry_test.ts checks them), routines,
 * target rows, and every registry row with timestamps masked.
 *
 * Also: running real Sqitch in a setup hook, fixing commit times so dates
 * print the same on both sides, and databases prebuilt once per module
 * (copied with mysqldump).
 *
 * Needs sqitch and the mysql client (else skipped, or failed under CI)
 * and the test server (tests/engines/mysql_server.ts).
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
  dropDatabases,
  dumpRegistryRows,
  MYSQL_HOST,
  MYSQL_PORT,
  MYSQL_USER,
  mysqlAvailable,
  mysqlExec,
  mysqlRows,
  mysqlUri,
} from "../engines/mysql_server.ts";

export { mysqlExec, mysqlRows, mysqlUri };

const availability = parityAvailability(["sqitch", "mysql", "mysqldump"]);
/** Whether the live MySQL parity tests run here (sqitch, the client and the server present). */
export const mysqlLive = availability.status === "skip" ? false : await mysqlAvailable();

/** A project configuration: engine mysql, target `<ID>`, registry `<ID>_reg`. */
export const MYSQL_CONF = `[core]\n\tengine = mysql\n[engine "mysql"]\n\ttarget = ${
  mysqlUri("<ID>")
}\n\tregistry = <ID>_reg\n`;

/** The plan header of the `flipr` project. */
export const HEAD = "%syntax-version=1.0.0\n%project=flipr\n%uri=https://example.com/flipr\n\n";

/** deploy/revert/verify scripts creating and dropping a table per change. */
export function mysqlScripts(...names: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const n of names) {
    files[`deploy/${n}.sql`] = `-- Deploy ${n}\nCREATE TABLE ${n} (id INTEGER);\n`;
    files[`revert/${n}.sql`] = `-- Revert ${n}\nDROP TABLE ${n};\n`;
    files[`verify/${n}.sql`] = `-- Verify ${n}\nSELECT id FROM ${n} WHERE 0;\n`;
  }
  return files;
}

/** Every database of the server whose name starts with `prefix`, sorted. */
export async function databasesOf(prefix: string): Promise<string[]> {
  const rows = await mysqlRows(
    `SELECT schema_name FROM information_schema.schemata
      WHERE schema_name LIKE '${prefix.replace(/_/g, "\\_")}%' ORDER BY schema_name`,
  );
  return rows.map((r) => r[0]!);
}

const dec = new TextDecoder();

/** mysqldump of one database (`extra` options), its name replaced by `<DB>`. */
async function dump(db: string, extra: string[]): Promise<string> {
  const r = await new Deno.Command("mysqldump", {
    args: [
      "-h",
      MYSQL_HOST,
      "-P",
      String(MYSQL_PORT),
      "-u",
      MYSQL_USER,
      "--skip-dump-date",
      "--skip-comments",
      "--skip-extended-insert",
      "--order-by-primary",
      ...extra,
      db,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (r.code !== 0) return `mysqldump failed: ${dec.decode(r.stderr)}`;
  return dec.decode(r.stdout).replaceAll(db, "<DB>");
}

/**
 * Every database of a side (names with the id masked): a registry's schema
 * (no triggers) and rows (timestamps masked); any other database's schema,
 * routines, triggers and rows.
 */
export async function dumpSide(id: string): Promise<string> {
  const out: string[] = [];
  for (const db of await databasesOf(id)) {
    out.push(`### database ${db.replace(id, "<ID>")}`);
    const registry = await mysqlRows(
      `SELECT COUNT(*) FROM information_schema.tables
        WHERE table_schema = '${db}' AND table_name = 'events'`,
    );
    if (registry[0]?.[0] !== "0") {
      out.push(await dump(db, ["--no-data", "--skip-triggers"]));
      out.push(await dumpRegistryRows(db));
    } else {
      out.push(await dump(db, ["--routines", "--triggers"]));
    }
  }
  return out.join("\n").replaceAll(id, "<ID>");
}

/** How a suite's scenarios are registered. */
export interface MysqlParityOptions {
  /** Create the side's target database `<ID>` before the steps (default true). */
  createDb?: boolean;
  /** Compare dates in outputs as they are (commit times fixed by the setup). */
  keepDates?: boolean;
}

/**
 * Register one scenario: each side gets its database `<ID>` (plus any
 * `<ID>…` it creates), the steps must agree, then the dumps must be equal.
 */
export function mysqlParityTest(sc: Scenario, opts: MysqlParityOptions = {}): void {
  Deno.test({
    name: `parity: ${sc.name}`,
    ignore: sc.skip || availability.status === "skip" || !mysqlLive,
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
          await dropDatabases(ctx.id);
          if (opts.createDb !== false) await createDatabase(ctx.id);
          await sc.setup?.(ctx);
        },
        teardown: async (ctx: SandboxContext) => {
          try {
            await sc.teardown?.(ctx);
            dumps.set(ctx.side, await dumpSide(ctx.id));
          } finally {
            await dropDatabases(ctx.id);
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
export function mysqlParityTests(scenarios: Scenario[], opts: MysqlParityOptions = {}): void {
  const names = new Set<string>();
  for (const sc of scenarios) {
    if (names.has(sc.name)) throw new Error(`duplicate parity scenario name: ${sc.name}`);
    names.add(sc.name);
    mysqlParityTest(sc, opts);
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
    throw new Error(`setup: sqitch ${argv.join(" ")} exited ${r.code}: ${dec.decode(r.stderr)}`);
  }
}

/**
 * Give every commit time in a registry a fixed value, keeping their order
 * (setup hooks, after building a history with real Sqitch): events,
 * changes and tags then print the same dates on both sides.
 */
export async function fixCommitTimes(registry: string): Promise<void> {
  const q = (t: string) => `\`${registry}\`.${t}`;
  await mysqlExec(
    `SET @n := 0;
     UPDATE ${q("events")} SET committed_at =
       TIMESTAMP('2026-01-02 03:04:05') + INTERVAL (@n := @n + 1) * 61 SECOND
       ORDER BY committed_at;
     SET @n := 0;
     UPDATE ${q("changes")} SET committed_at =
       TIMESTAMP('2026-02-03 04:05:06') + INTERVAL (@n := @n + 1) * 67 SECOND
       ORDER BY committed_at;
     UPDATE ${q("tags")} t JOIN ${q("changes")} c ON c.change_id = t.change_id
        SET t.committed_at = c.committed_at + INTERVAL 1 SECOND;`,
  );
}

/** Copy database `from` to a new database `to` (schema, routines, triggers, rows). */
async function copyDatabase(from: string, to: string): Promise<void> {
  await createDatabase(to);
  const conn = ["-h", MYSQL_HOST, "-P", String(MYSQL_PORT), "-u", MYSQL_USER];
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const cmd = `mysqldump ${conn.map(q).join(" ")} --routines --triggers ${q(from)} | ` +
    `mysql ${conn.map(q).join(" ")} ${q(to)}`;
  const r = await new Deno.Command("bash", {
    args: ["-o", "pipefail", "-c", cmd],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (r.code !== 0) throw new Error(`copying ${from} to ${to}: ${dec.decode(r.stderr)}`);
}

const templates = new Map<string, Promise<string>>();

/**
 * A setup hook building a database state once per test module: the first
 * caller runs `build` on its own databases, which are then copied under
 * a template prefix; every later caller gets copies of them under its id.
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
        const prefix = `tpl_${ctx.id}`;
        for (const db of await databasesOf(ctx.id)) {
          await copyDatabase(db, db.replace(ctx.id, prefix));
        }
        return prefix;
      })();
      templates.set(key, tpl);
      await tpl;
      return;
    }
    const prefix = await tpl;
    await dropDatabases(ctx.id);
    for (const db of await databasesOf(prefix)) {
      await copyDatabase(db, db.replace(prefix, ctx.id));
    }
  };
}

/** Register a last test dropping the module's template databases. */
export function dropTemplatesTest(): void {
  Deno.test({
    name: "mysql parity: drop template databases",
    ignore: availability.status === "skip" || !mysqlLive,
    fn: async () => {
      for (const tpl of templates.values()) {
        const prefix = await tpl.catch(() => "");
        if (prefix !== "") await dropDatabases(prefix);
      }
      templates.clear();
    },
  });
}
