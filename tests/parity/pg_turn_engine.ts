/**
 * The PostgreSQL description for the turn-taking scenarios
 * (turn_taking_test.ts): the project targets database `<ID>` on the test
 * server; a saved state is a copy of that database (CREATE DATABASE …
 * TEMPLATE), restored by copying it back; dumps are read with psql and
 * pg_dump (synchronously, as the scenarios' checks are synchronous). The
 * scenarios' SQLite-flavoured scripts are adapted (`SERIAL` keys, boolean
 * `WHERE false`).
 *
 * `pgTurnEngines()` is empty when the server does not answer (a banner is
 * printed; under CI pgAvailable throws).
 */
import { PG_HOST, PG_PORT, pgAvailable, pgExec, pgUri } from "../engines/pg_server.ts";

/** A saved database state: the name of the copy (opaque to the scenarios). */
type SavedState = Map<string, Uint8Array>;

/** What turn_taking_test.ts needs of a shared sandbox here. */
interface Sandbox {
  id: string;
}

const COMMIT_TIME = new Set(["committed_at", "installed_at", "created_at"]);
const enc = new TextEncoder();
const dec = new TextDecoder();

function run(cmd: string, args: string[]): string {
  const r = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).outputSync();
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${dec.decode(r.stderr)}`);
  return dec.decode(r.stdout);
}

function psql(db: string, sql: string): string[] {
  const out = run("psql", [
    "-X",
    "-q",
    "-At",
    "-v",
    "ON_ERROR_STOP=1",
    "-h",
    PG_HOST,
    "-p",
    PG_PORT,
    "-U",
    "postgres",
    "-d",
    db,
    "-c",
    sql,
  ]);
  return out === "" ? [] : out.replace(/\n$/, "").split("\n");
}

function exists(db: string, schema: string, table: string): boolean {
  return psql(
    db,
    `SELECT count(*) FROM information_schema.tables WHERE table_schema = '${schema}' AND table_name = '${table}'`,
  )[0] === "1";
}

/** Rows of a query as `col=value | …` lines, commit times masked. */
function rowLines(db: string, sql: string): string[] {
  return psql(db, `SELECT row_to_json(r) FROM (${sql}) r`).map((line) => {
    const row = JSON.parse(line) as Record<string, unknown>;
    return Object.entries(row).map(([k, v]) =>
      `${k}=${COMMIT_TIME.has(k) && v !== null ? "<TS>" : JSON.stringify(v)}`
    ).join(" | ");
  });
}

const REGISTRY_TABLES: [string, string][] = [
  ["releases", "version"],
  ["projects", "project"],
  ["changes", "committed_at, change_id"],
  ["tags", "committed_at, tag"],
  ["dependencies", "change_id, type, dependency"],
  ["events", "committed_at, event, change_id"],
];

function registryRows(db: string): string {
  if (!exists(db, "sqitch", "changes")) return "(absent)\n";
  const lines: string[] = [];
  for (const [t, order] of REGISTRY_TABLES) {
    lines.push(`# ${t}`, ...rowLines(db, `SELECT * FROM sqitch.${t} ORDER BY ${order}`));
  }
  return lines.join("\n") + "\n";
}

function pgDump(db: string, args: string[]): string {
  return run("pg_dump", [
    "-h",
    PG_HOST,
    "-p",
    PG_PORT,
    "-U",
    "postgres",
    "--no-owner",
    "--no-privileges",
    ...args,
    db,
  ]).replace(/^\\(un)?restrict .*$/gm, "\\$1restrict <KEY>");
}

let saves = 0;

/** A new database `name`, a copy of `template` when given (retried while the template is busy). */
async function createDb(name: string, template?: string): Promise<void> {
  await pgExec("postgres", `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  const sql = template
    ? `CREATE DATABASE "${name}" TEMPLATE "${template}"`
    : `CREATE DATABASE "${name}"`;
  for (let attempt = 0;; attempt++) {
    try {
      await pgExec("postgres", sql);
      return;
    } catch (e) {
      if (attempt >= 30) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** The pg turn engine, or nothing when the server is not there. */
export async function pgTurnEngines() {
  if (!(await pgAvailable())) return [];
  return [{
    name: "pg",
    conf: `[core]\n\tengine = pg\n[engine "pg"]\n\ttarget = ${pgUri("<ID>")}\n`,
    needs: ["sqitch", "psql", "pg_dump"],
    adapt: (text: string) =>
      text.replaceAll("n INTEGER PRIMARY KEY", "n SERIAL PRIMARY KEY").replaceAll(
        "WHERE 0",
        "WHERE false",
      ),
    async setup(sb: Sandbox) {
      await createDb(sb.id);
    },
    async teardown(sb: Sandbox) {
      const dbs = psql(
        "postgres",
        `SELECT datname FROM pg_database WHERE datname LIKE '${sb.id}%'`,
      );
      for (const db of dbs) {
        await pgExec("postgres", `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
      }
    },
    async save(sb: Sandbox): Promise<SavedState> {
      const name = `${sb.id}_s${++saves}`;
      await createDb(name, sb.id);
      return new Map([["db", enc.encode(name)]]);
    },
    async restore(sb: Sandbox, state: SavedState) {
      const saved = state.get("db");
      await createDb(sb.id, saved ? dec.decode(saved) : undefined);
    },
    registry: (sb: Sandbox) => registryRows(sb.id),
    target: (sb: Sandbox) => pgDump(sb.id, ["-n", "public"]),
    registrySchema(sb: Sandbox) {
      if (!exists(sb.id, "sqitch", "changes")) return "(absent)\n";
      const schema = pgDump(sb.id, ["--schema-only", "-n", "sqitch"]);
      const releases = rowLines(sb.id, "SELECT * FROM sqitch.releases ORDER BY version");
      // The shape the scenario's sanity check looks for in SQLite's dump.
      const marker = /CREATE TABLE sqitch\.changes/.test(schema)
        ? "table | changes | changes | CREATE TABLE changes\n"
        : "";
      return marker + schema + releases.map((r) => `releases: ${r}`).join("\n") + "\n";
    },
    deployedChanges(sb: Sandbox): string[] {
      if (!exists(sb.id, "sqitch", "changes")) return [];
      return psql(
        sb.id,
        `SELECT c.change || coalesce(' ' || (SELECT string_agg(t.tag, ' ') FROM sqitch.tags t
                WHERE t.change_id = c.change_id), '')
           FROM sqitch.changes c ORDER BY c.committed_at`,
      );
    },
    scriptLog(sb: Sandbox): string[] {
      if (!exists(sb.id, "public", "script_log")) return [];
      return psql(sb.id, "SELECT script FROM script_log ORDER BY n");
    },
  }];
}
