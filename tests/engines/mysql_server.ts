/**
 * The MySQL/MariaDB server the live tests use: `$SQLITCH_TEST_MYSQL_HOST`/
 * `PORT` (default 127.0.0.1:3306) as user `root` without a password (see
 * mysql_test_session.ts). Tests that need it skip with a loud banner when
 * it does not answer, and fail when CI is set. Also: target URIs,
 * throwaway databases, rows of a query, and registry dumps (`mysqldump
 * --no-data` of the schema, every row with timestamps masked) for
 * comparing what two programs created.
 */
import {
  createDatabase,
  dropDatabase,
  MYSQL_HOST,
  MYSQL_PORT,
  MYSQL_USER,
  mysqlAvailable,
  mysqlExec,
  MysqlTestSession,
} from "./mysql_test_session.ts";

export {
  createDatabase,
  dropDatabase,
  MYSQL_HOST,
  MYSQL_PORT,
  MYSQL_USER,
  mysqlAvailable,
  mysqlExec,
};

/** The URI of a database on the test server. */
export function mysqlUri(dbname: string): string {
  return `db:mysql://${MYSQL_USER}@${MYSQL_HOST}:${MYSQL_PORT}/${dbname}`;
}

/** Rows of a query (on a database of the test server, or none), as text. */
export async function mysqlRows(
  sql: string,
  database?: string,
): Promise<(string | null)[][]> {
  const s = await MysqlTestSession.open({ database, names: "utf8mb4" });
  try {
    const results = await s.query(sql);
    return results.find((r) => r.fields.length > 0)?.rows ?? [];
  } finally {
    await s.close();
  }
}

/** A session on the test server (for holding locks). */
export function mysqlSession(database?: string): Promise<MysqlTestSession> {
  return MysqlTestSession.open({ database });
}

/** Drop every database whose name starts with `prefix` (scenario cleanup). */
export async function dropDatabases(prefix: string): Promise<void> {
  const rows = await mysqlRows(
    `SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE '${
      prefix.replace(/_/g, "\\_")
    }%'`,
  );
  for (const [name] of rows) if (name !== null) await dropDatabase(name);
}

/**
 * `mysqldump --no-data --skip-dump-date` of a database with its name
 * replaced by `<DB>`; `extra` adds options (`--skip-triggers`, `--routines`).
 */
export async function mysqlDump(database: string, extra: string[] = []): Promise<string> {
  const r = await new Deno.Command("mysqldump", {
    args: [
      "-h",
      MYSQL_HOST,
      "-P",
      String(MYSQL_PORT),
      "-u",
      MYSQL_USER,
      "--no-data",
      "--skip-dump-date",
      ...extra,
      database,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (r.code !== 0) throw new Error(`mysqldump failed: ${dec.decode(r.stderr)}`);
  return dec.decode(r.stdout).replaceAll(database, "<DB>")
    .replace(/^-- (Host|Server version|MariaDB dump).*$/gm, "-- <header>");
}

/**
 * Every registry row (timestamps masked), table by table, in a stable
 * order, for comparing what two programs recorded.
 */
export async function dumpRegistryRows(registry: string): Promise<string> {
  const q = (t: string) => `\`${registry}\`.${t}`;
  const queries: [string, string][] = [
    [
      "releases",
      `SELECT version, installer_name, installer_email FROM ${q("releases")} ORDER BY version`,
    ],
    [
      "projects",
      `SELECT project, uri, creator_name, creator_email FROM ${q("projects")} ORDER BY project`,
    ],
    [
      "changes",
      `SELECT change_id, script_hash, \`change\`, project, note, committer_name, committer_email,
              planned_at, planner_name, planner_email FROM ${q("changes")} ORDER BY committed_at`,
    ],
    [
      "tags",
      `SELECT tag_id, tag, project, change_id, note, committer_name, committer_email, planned_at,
              planner_name, planner_email FROM ${q("tags")} ORDER BY committed_at, tag`,
    ],
    [
      "dependencies",
      `SELECT change_id, type, dependency, dependency_id FROM ${q("dependencies")}
        ORDER BY change_id, dependency`,
    ],
    [
      "events",
      `SELECT event, change_id, \`change\`, project, note, requires, conflicts, tags,
              committer_name, committer_email, planned_at, planner_name, planner_email
         FROM ${q("events")} ORDER BY committed_at`,
    ],
  ];
  const out: string[] = [];
  for (const [name, sql] of queries) {
    out.push(`# ${name}`);
    for (const row of await mysqlRows(sql)) out.push(row.map((v) => v ?? "NULL").join(" | "));
  }
  return out.join("\n");
}
