/**
 * Registry rows: those the server engines (engines/pg.ts,
 * engines/mysql.ts) read, as the records of the Engine interface, and the
 * values of the `changes`, `dependencies` and `tags` rows every engine
 * writes for a deployed change. The server engines select every column as
 * the server's text, in the orders named here; how a list column (tags,
 * requires, conflicts) is stored differs by engine, so the caller splits
 * those. Timestamps are written as each engine renders them.
 */
import type {
  ChangeRecord,
  CurrentItem,
  DeployedChange,
  Person,
  RegistryEvent,
  RequiringChange,
  TagRecord,
} from "./engine.ts";
import { EngineError } from "./engine.ts";

/** A row: each column as the server's text, null for SQL NULL. */
export type Row = (string | null)[];

/** A text column, NULL read as "". */
export function text(value: string | null | undefined): string {
  return value ?? "";
}

/** A timestamp column as the engines select it (ISO 8601). */
export function registryTime(value: string | null): Date {
  const d = new Date(value ?? "");
  if (Number.isNaN(d.getTime())) {
    throw new EngineError(`Cannot parse registry timestamp "${value}"`);
  }
  return d;
}

/**
 * A deployed change from `change_id, change, project, note, planned_at,
 * planner_name, planner_email, <tags>, script_hash`, its tags split.
 */
export function deployedChangeOf(r: Row, tags: string[]): DeployedChange {
  return {
    id: text(r[0]),
    name: text(r[1]),
    project: text(r[2]),
    note: text(r[3]),
    plannedAt: registryTime(r[4]),
    planner: { name: text(r[5]), email: text(r[6]) },
    tags,
    scriptHash: r[8],
  };
}

/** A change requiring another, from `change_id, project, change, <first later tag>`. */
export function requiringChangeOf(r: Row): RequiringChange {
  return {
    changeId: text(r[0]),
    project: text(r[1]),
    change: text(r[2]),
    asofTag: r[3] === null ? undefined : r[3],
  };
}

/** A change or tag of `status --show-*`, from `name, committed_at, committer_name, committer_email`. */
export function currentItemOf(r: Row): CurrentItem {
  return {
    name: text(r[0]),
    committedAt: registryTime(r[1]),
    committer: { name: text(r[2]), email: text(r[3]) },
  };
}

/**
 * How an engine reads the columns of `events` it stores its own way: the
 * lists (tags, requires, conflicts) always, the timestamps when they are
 * not ISO 8601 (registryTime).
 */
export interface EventColumns {
  requires(value: string | null): string[];
  conflicts(value: string | null): string[];
  tags(value: string | null): string[];
  committedAt?(value: string | null): Date;
  plannedAt?(value: string | null): Date;
}

/**
 * An event from `event, project, change_id, change, note, requires,
 * conflicts, tags, committer_name, committer_email, committed_at,
 * planner_name, planner_email, planned_at`.
 */
export function registryEventOf(r: Row, columns: EventColumns): RegistryEvent {
  return {
    event: text(r[0]) as RegistryEvent["event"],
    project: text(r[1]),
    changeId: text(r[2]),
    change: text(r[3]),
    note: text(r[4]),
    requires: columns.requires(r[5]),
    conflicts: columns.conflicts(r[6]),
    tags: columns.tags(r[7]),
    committer: { name: text(r[8]), email: text(r[9]) },
    committedAt: (columns.committedAt ?? registryTime)(r[10]),
    planner: { name: text(r[11]), email: text(r[12]) },
    plannedAt: (columns.plannedAt ?? registryTime)(r[13]),
  };
}

/**
 * The values of a change's `changes` row: change_id, script_hash, change,
 * project, note, committer_name, committer_email, planned_at (as
 * `plannedAt` renders it), planner_name, planner_email. committed_at is
 * left to the engine.
 */
export function changeRowValues(
  change: ChangeRecord,
  committer: Person,
  plannedAt: (date: Date) => string,
): (string | null)[] {
  return [
    change.id,
    change.scriptHash ?? null,
    change.name,
    change.project,
    change.note,
    committer.name,
    committer.email,
    plannedAt(change.plannedAt),
    change.planner.name,
    change.planner.email,
  ];
}

/**
 * The values of a change's `dependencies` rows, requirements first, then
 * conflicts (Sqitch's order): change_id, type, dependency, dependency_id.
 */
export function dependencyRowValues(change: ChangeRecord): (string | null)[][] {
  const rows = (type: string) =>
    change.dependencies.filter((d) => d.type === type).map((
      d,
    ) => [change.id, d.type, d.dependency, d.dependencyId ?? null]);
  return [...rows("require"), ...rows("conflict")];
}

/**
 * The values of a tag's `tags` row: tag_id, tag, project, change_id, note,
 * committer_name, committer_email, planned_at (as `plannedAt` renders it),
 * planner_name, planner_email. committed_at is left to the engine.
 */
export function tagRowValues(
  change: ChangeRecord,
  tag: TagRecord,
  committer: Person,
  plannedAt: (date: Date) => string,
): string[] {
  return [
    tag.tagId,
    `@${tag.name}`,
    change.project,
    change.id,
    tag.note,
    committer.name,
    committer.email,
    plannedAt(tag.plannedAt),
    tag.planner.name,
    tag.planner.email,
  ];
}
