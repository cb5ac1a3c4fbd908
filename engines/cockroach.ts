/**
 * The CockroachDB engine, as Sqitch 1.3.1's `cockroach` engine: the
 * PostgreSQL engine (same wire protocol, same psql scripts, same registry
 * queries) with CockroachDB's own registry scripts (no transaction
 * wrapper, no table options, sent one statement at a time as psql sends
 * them), timestamps formatted with `experimental_strftime`, neither the
 * advisory lock nor the `changes` table lock (CockroachDB has neither),
 * and no "registry not initialized" warning block (no `DO`).
 *
 * There is no CockroachDB server here: the SQL it chooses is unit-tested
 * (tests/engines/cockroach_test.ts).
 */
import type { Target } from "../core/target.ts";
import { COCKROACH_REGISTRY_SQL, COCKROACH_UPGRADES } from "./cockroach_registry_sql.ts";
import { PgEngine } from "./pg.ts";

/** `experimental_strftime` of a timestamptz column in UTC, ISO 8601 to whole seconds. */
export function cockroachTimestamp(col: string): string {
  return `experimental_strftime(${col} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ')`;
}

/**
 * A registry script's statements, one per `;` at the end of a line, as
 * psql sends them (CockroachDB runs schema changes poorly inside one
 * multi-statement query). Comment-only and empty pieces are dropped.
 */
export function splitRegistryScript(script: string): string[] {
  return script.split(/;[ \t]*\n/).map((s) => s.trim())
    .filter((s) => s.replace(/^--.*$/gm, "").trim() !== "");
}

/** The CockroachDB engine. */
export class CockroachEngine extends PgEngine {
  override readonly key: string = "cockroach";

  /** The engine for a resolved CockroachDB target. */
  static override async fromTarget(target: Target): Promise<CockroachEngine> {
    return new CockroachEngine(await PgEngine.optionsFor(target));
  }

  protected override ts(col: string): string {
    return cockroachTimestamp(col);
  }

  protected override registryScripts() {
    return { create: COCKROACH_REGISTRY_SQL, upgrades: COCKROACH_UPGRADES };
  }

  protected override registryStatements(script: string): string[] {
    return splitRegistryScript(script);
  }

  protected override get notesMissingRegistry(): boolean {
    return false;
  }

  protected override get usesLocks(): boolean {
    return false;
  }

  protected override tableOptions(): Promise<string> {
    return Promise.resolve("");
  }

  /** The SQL this engine uses for a timestamp column (for tests). */
  timestampSql(col: string): string {
    return this.ts(col);
  }
}
