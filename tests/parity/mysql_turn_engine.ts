/**
 * The MySQL/MariaDB description for the turn-taking scenarios
 * (turn_taking_test.ts): the project targets database `<ID>` on the test
 * server with its registry in `<ID>_reg`; a saved state is a copy of both
 * databases (mysqldump piped into mysql), restored by copying them back;
 * dumps are read with the mysql client and mysqldump (synchronously, as
 * the scenarios' checks are synchronous). Registry schema dumps leave the
 * triggers out: sqlitch's follow Sqitch 1.5+ on purpose (checked by
 * tests/engines/mysql_registry_test.ts). The scenarios' SQLite-flavoured
 * scripts are adapted (`AUTO_INCREMENT` keys).
 *
 * `mysqlTurnEngines()` is empty when the server or the client is missing
 * (a banner is printed; under CI mysqlAvailable throws).
 */
import {
  MYSQL_HOST,
  MYSQL_PORT,
  MYSQL_USER,
  mysqlAvailable,
  mysqlExec,
  mysqlUri,
} from "../engines/mysql_server.ts";

/** A saved database state: names of the copies (opaque to the scenarios). */
type SavedState = Map<string, Uint8Array>;

/** What turn_taking_test.ts needs of a shared sandbox here. */
interface Sandbox {
  id: string;
}

const COMMIT_TIME = new Set(["committed_at", "installed_at", "created_at"]);
const CONN = ["-h", MYSQL_HOST, "-P", String(MYSQL_PORT), "-u", MYSQL_USER];
const enc = new TextEncoder();
const dec = new TextDecoder();

function run(cmd: string, args: string[]): string {
  const r = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).outputSync();
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${dec.decode(r.stderr)}`);
  return dec.decode(r.stdout);
}

/** Rows of a query as tab-separated lines (the mysql client's batch output). */
function query(sql: string): string[] {
  const out = run("mysql", [...CONN, "--batch", "--skip-column-names", "--raw", "-e", sql]);
  return out === "" ? [] : out.replace(/\n$/, "").split("\n");
}

function exists(db: string, table: string): boolean {
  return query(
    `SELECT COUNT(*) FROM information_schema.tables
      WHERE table_schema = '${db}' AND table_name = '${table}'`,
  )[0] === "1";
}

/** Rows of a table as `col=value | …` lines in `order`, commit times masked. */
function rowLines(db: string, table: string, order: string): string[] {
  const cols = query(
    `SELECT column_name FROM information_schema.columns
      WHERE table_schema = '${db}' AND table_name = '${table}' ORDER BY ordinal_position`,
  );
  const parts = cols.map((c) =>
    COMMIT_TIME.has(c) ? `'${c}=<TS>'` : `CONCAT('${c}=', IFNULL(QUOTE(\`${c}\`), 'NULL'))`
  );
  return query(
    `SELECT CONCAT_WS(' | ', ${parts.join(", ")}) FROM \`${db}\`.\`${table}\` ORDER BY ${order}`,
  );
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
  if (!exists(db, "changes")) return "(absent)\n";
  const lines: string[] = [];
  for (const [t, order] of REGISTRY_TABLES) lines.push(`# ${t}`, ...rowLines(db, t, order));
  return lines.join("\n") + "\n";
}

function mysqldump(db: string, args: string[]): string {
  return run("mysqldump", [
    ...CONN,
    "--skip-dump-date",
    "--skip-comments",
    "--skip-extended-insert",
    "--order-by-primary",
    ...args,
    db,
  ]).replaceAll(db, "<DB>");
}

function databases(prefix: string): string[] {
  return query(
    `SELECT schema_name FROM information_schema.schemata
      WHERE schema_name LIKE '${prefix.replace(/_/g, "\\_")}%' ORDER BY schema_name`,
  );
}

/** Replace database `to` with a copy of `from` (schema, routines, triggers, rows). */
async function copyDb(from: string, to: string): Promise<void> {
  await mysqlExec(`DROP DATABASE IF EXISTS \`${to}\``, `CREATE DATABASE \`${to}\``);
  const q = (s: string) => `'${s}'`;
  const conn = CONN.map(q).join(" ");
  const r = await new Deno.Command("bash", {
    args: [
      "-o",
      "pipefail",
      "-c",
      `mysqldump ${conn} --routines --triggers ${q(from)} | mysql ${conn} ${q(to)}`,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (r.code !== 0) throw new Error(`copying ${from} to ${to}: ${dec.decode(r.stderr)}`);
}

let saves = 0;

function hasClient(): boolean {
  try {
    return new Deno.Command("mysql", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** The mysql turn engine, or nothing when the server or the client is not there. */
export async function mysqlTurnEngines() {
  if (!hasClient()) {
    if (Deno.env.get("CI")) throw new Error("mysql turn-taking tests need the mysql client");
    return [];
  }
  if (!(await mysqlAvailable())) return [];
  return [{
    name: "mysql",
    conf: `[core]\n\tengine = mysql\n[engine "mysql"]\n\ttarget = ${
      mysqlUri("<ID>")
    }\n\tregistry = <ID>_reg\n`,
    needs: ["sqitch", "mysql", "mysqldump"],
    adapt: (text: string) =>
      text.replaceAll("n INTEGER PRIMARY KEY", "n INTEGER PRIMARY KEY AUTO_INCREMENT"),
    async setup(sb: Sandbox) {
      for (const db of databases(sb.id)) await mysqlExec(`DROP DATABASE \`${db}\``);
      await mysqlExec(`CREATE DATABASE \`${sb.id}\``);
    },
    async teardown(sb: Sandbox) {
      for (const db of databases(sb.id)) await mysqlExec(`DROP DATABASE \`${db}\``);
    },
    async save(sb: Sandbox): Promise<SavedState> {
      const name = `${sb.id}_s${++saves}`;
      const state: SavedState = new Map();
      await copyDb(sb.id, `${name}_t`);
      state.set("target", enc.encode(`${name}_t`));
      if (databases(`${sb.id}_reg`).includes(`${sb.id}_reg`)) {
        await copyDb(`${sb.id}_reg`, `${name}_r`);
        state.set("registry", enc.encode(`${name}_r`));
      }
      return state;
    },
    async restore(sb: Sandbox, state: SavedState) {
      const target = state.get("target");
      const registry = state.get("registry");
      if (target) await copyDb(dec.decode(target), sb.id);
      else await mysqlExec(`DROP DATABASE IF EXISTS \`${sb.id}\``, `CREATE DATABASE \`${sb.id}\``);
      if (registry) await copyDb(dec.decode(registry), `${sb.id}_reg`);
      else await mysqlExec(`DROP DATABASE IF EXISTS \`${sb.id}_reg\``);
    },
    registry: (sb: Sandbox) => registryRows(`${sb.id}_reg`),
    target: (sb: Sandbox) => mysqldump(sb.id, ["--routines", "--triggers"]),
    registrySchema(sb: Sandbox) {
      const db = `${sb.id}_reg`;
      if (!exists(db, "changes")) return "(absent)\n";
      const schema = mysqldump(db, ["--no-data", "--skip-triggers"]);
      const releases = rowLines(db, "releases", "version");
      // The shape the scenario's sanity check looks for in SQLite's dump.
      const marker = /CREATE TABLE `changes`/.test(schema)
        ? "table | changes | changes | CREATE TABLE changes\n"
        : "";
      return marker + schema + releases.map((r) => `releases: ${r}`).join("\n") + "\n";
    },
    deployedChanges(sb: Sandbox): string[] {
      const db = `${sb.id}_reg`;
      if (!exists(db, "changes")) return [];
      return query(
        `SELECT CONCAT(c.\`change\`, IFNULL(CONCAT(' ', (SELECT GROUP_CONCAT(t.tag ORDER BY t.committed_at SEPARATOR ' ')
                  FROM \`${db}\`.tags t WHERE t.change_id = c.change_id)), ''))
           FROM \`${db}\`.changes c ORDER BY c.committed_at`,
      );
    },
    scriptLog(sb: Sandbox): string[] {
      if (!exists(sb.id, "script_log")) return [];
      return query(`SELECT script FROM \`${sb.id}\`.script_log ORDER BY n`);
    },
  }];
}
