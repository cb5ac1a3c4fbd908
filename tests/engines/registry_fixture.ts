/**
 * Old SQLite registries for upgrade tests: the schema Sqitch wrote before
 * registry 1.1 (version 1.0, Sqitch 0.999x; version 0, before the
 * `releases` table existed), filled with the rows a deploy of the first
 * changes of a plan leaves. The DDL is derived from the current 1.1
 * script by undoing what the 1.0→1.1 step and the constraint renaming
 * changed (Sqitch history: `Engine/sqlite.sql` before commits 4d63e2c7 and
 * e1228cc3); every edit must apply, so a drift in the 1.1 text fails loudly.
 */
import { DatabaseSync } from "node:sqlite";
import { parsePlan, type Plan } from "../../core/plan/mod.ts";
import { scriptHash } from "../../core/plan/ids.ts";
import { SQLITE_REGISTRY_SQL } from "../../engines/sqlite_registry_sql.ts";

/** Replace `from` (which must occur exactly once) with `to`. */
function edit(sql: string, from: string, to: string): string {
  const parts = sql.split(from);
  if (parts.length !== 2) throw new Error(`registry fixture: expected one ${JSON.stringify(from)}`);
  return parts.join(to);
}

/** Registry schema 1.0: unique `script_hash`, unnamed CHECK constraints. */
export const REGISTRY_SQL_1_0: string = [
  [
    "    script_hash     TEXT            NULL,\n",
    "    script_hash     TEXT            NULL UNIQUE,\n",
  ],
  [
    "    planner_email   TEXT        NOT NULL,\n    UNIQUE(project, script_hash)\n",
    "    planner_email   TEXT        NOT NULL\n",
  ],
  [
    "ON UPDATE CASCADE\n                                         CONSTRAINT dependencies_check CHECK (",
    "ON UPDATE CASCADE CHECK (",
  ],
  [
    "NOT NULL CONSTRAINT events_event_check CHECK (\n        event IN ('deploy', 'revert', 'fail', 'merge')\n    ),",
    "NOT NULL CHECK (event IN ('deploy', 'revert', 'fail', 'merge')),",
  ],
].reduce((sql, [from, to]) => edit(sql, from, to), SQLITE_REGISTRY_SQL);

/** Registry schema 0: no `releases`, no `script_hash`, no `merge` events. */
export const REGISTRY_SQL_0: string = [
  [
    "CREATE TABLE releases (\n    version         FLOAT       PRIMARY KEY,\n    installed_at    DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP,\n    installer_name  TEXT        NOT NULL,\n    installer_email TEXT        NOT NULL\n);\n\n",
    "",
  ],
  ["    script_hash     TEXT            NULL UNIQUE,\n", ""],
  ["('deploy', 'revert', 'fail', 'merge')", "('deploy', 'revert', 'fail')"],
].reduce((sql, [from, to]) => edit(sql, from, to), REGISTRY_SQL_1_0);

/** Who the fixture says deployed the changes. */
export const FIXTURE_COMMITTER = { name: "Old Timer", email: "old@example.com" };

/** What to put in an old registry. */
export interface OldRegistry {
  /** Registry file to create (must not exist). */
  path: string;
  version: "0" | "1.0";
  /** Project directory holding `planFile` and `deploy/` (for script hashes). */
  projectDir: string;
  /** Plan file relative to `projectDir` (default `sqitch.plan`). */
  planFile?: string;
  /** How many plan changes to record as deployed (default: all). */
  deployed?: number;
  /** Deployment time of the first change (UTC); each next one a second later. */
  start?: Date;
}

/** `YYYY-MM-DD HH:MM:SS` (planned_at) or with `.mmm` (committed_at), UTC. */
function sqliteTime(d: Date, millis: boolean): string {
  const iso = d.toISOString().replace("T", " ");
  return millis ? iso.slice(0, 23) : iso.slice(0, 19);
}

/**
 * Create an old-version registry holding the first changes of a plan as
 * deployed (projects, changes, tags, dependencies, deploy events; the
 * `releases` row for 1.0), the way Sqitch of that era recorded them.
 */
export function createOldRegistry(o: OldRegistry): Plan {
  const planFile = `${o.projectDir}/${o.planFile ?? "sqitch.plan"}`;
  const plan = parsePlan(Deno.readTextFileSync(planFile), planFile);
  const project = plan.project;
  const who = FIXTURE_COMMITTER;
  let clock = (o.start ?? new Date(Date.UTC(2020, 0, 1))).getTime();
  const tick = () => sqliteTime(new Date(clock += 1000), true);

  const db = new DatabaseSync(o.path, { enableForeignKeyConstraints: true });
  try {
    db.exec(o.version === "1.0" ? REGISTRY_SQL_1_0 : REGISTRY_SQL_0);
    if (o.version === "1.0") {
      db.prepare(
        "INSERT INTO releases (version, installed_at, installer_name, installer_email) VALUES (?, ?, ?, ?)",
      ).run(1.0, sqliteTime(new Date(clock), true), who.name, who.email);
    }
    db.prepare(
      "INSERT INTO projects (project, uri, created_at, creator_name, creator_email) VALUES (?, ?, ?, ?, ?)",
    ).run(project, plan.uri ?? null, sqliteTime(new Date(clock), true), who.name, who.email);

    const count = o.deployed ?? plan.count;
    for (const change of plan.changes.slice(0, count)) {
      const at = tick();
      const planned = sqliteTime(new Date(change.timestamp), false);
      const common = [
        change.name,
        project,
        change.note,
        at,
        who.name,
        who.email,
        planned,
        change.plannerName,
        change.plannerEmail,
      ] as const;
      if (o.version === "1.0") {
        let hash: string | null = null;
        try {
          hash = scriptHash(Deno.readFileSync(`${o.projectDir}/deploy/${change.name}.sql`));
        } catch {
          hash = null;
        }
        db.prepare(
          `INSERT INTO changes (change_id, script_hash, change, project, note, committed_at,
             committer_name, committer_email, planned_at, planner_name, planner_email)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(change.id, hash, ...common);
      } else {
        db.prepare(
          `INSERT INTO changes (change_id, change, project, note, committed_at,
             committer_name, committer_email, planned_at, planner_name, planner_email)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(change.id, ...common);
      }
      for (const tag of change.tags) {
        db.prepare(
          `INSERT INTO tags (tag_id, tag, project, change_id, note, committed_at,
             committer_name, committer_email, planned_at, planner_name, planner_email)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          tag.id,
          `@${tag.name}`,
          project,
          change.id,
          tag.note,
          at,
          who.name,
          who.email,
          sqliteTime(new Date(tag.timestamp), false),
          tag.plannerName,
          tag.plannerEmail,
        );
      }
      for (const dep of change.requires) {
        db.prepare(
          "INSERT INTO dependencies (change_id, type, dependency, dependency_id) VALUES (?, 'require', ?, ?)",
        ).run(change.id, dep.asString(project), plan.dependencyId(dep) ?? null);
      }
      for (const dep of change.conflicts) {
        db.prepare(
          "INSERT INTO dependencies (change_id, type, dependency, dependency_id) VALUES (?, 'conflict', ?, NULL)",
        ).run(change.id, dep.asString(project));
      }
      db.prepare(
        `INSERT INTO events (event, change_id, change, project, note, requires, conflicts, tags,
           committed_at, committer_name, committer_email, planned_at, planner_name, planner_email)
         VALUES ('deploy', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        change.id,
        change.name,
        project,
        change.note,
        change.requires.map((d) => d.asString(project)).join(","),
        change.conflicts.map((d) => d.asString(project)).join(","),
        change.tags.map((t) => `@${t.name}`).join(" "),
        at,
        who.name,
        who.email,
        planned,
        change.plannerName,
        change.plannerEmail,
      );
    }
  } finally {
    db.close();
  }
  return plan;
}
