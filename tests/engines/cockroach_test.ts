/**
 * The CockroachDB engine and YugabyteDB detection without a server: the
 * engines run on a recording session that answers the few queries they
 * need, and the SQL they choose is checked — CockroachDB's own registry
 * script sent one statement at a time without a transaction, no advisory
 * or table lock, `experimental_strftime` timestamps, no `DO` warning block;
 * PostgreSQL proper with both locks; Yugabyte (seen in `version()`) with
 * neither.
 */
import { deepStrictEqual, ok as assert, strictEqual } from "node:assert/strict";
import { CockroachEngine, splitRegistryScript } from "../../engines/cockroach.ts";
import {
  COCKROACH_REGISTRY_SQL,
  COCKROACH_UPGRADES,
} from "../../engines/cockroach_registry_sql.ts";
import { PgEngine, type PgEngineOptions } from "../../engines/pg.ts";
import type { PgSession } from "../../engines/pg_session.ts";
import { PgServerError } from "../../engines/psql_session.ts";
import { DbUri } from "../../core/uri.ts";

/** A session that records every statement and answers from `answer`. */
class RecordingSession {
  readonly sql: string[] = [];
  transactionStatus = "I";
  constructor(
    private readonly answer: (sql: string) => (string | null)[][] | Error,
    readonly serverVersionNum = 130000,
  ) {}
  rows(sql: string): Promise<(string | null)[][]> {
    this.sql.push(sql);
    const a = this.answer(sql);
    return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
  }
  async exec(sql: string): Promise<number | null> {
    await this.rows(sql);
    return null;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function options(uri: string): PgEngineOptions {
  return {
    uri: DbUri.parse(uri),
    registry: "sqitch",
    destination: uri,
    registryDestination: uri,
    env: {},
    files: { readText: () => undefined, stat: () => undefined },
  };
}

/** An engine of `Base`'s kind whose sessions are `session`. */
function recorded<T extends PgEngine>(
  Base: new (o: PgEngineOptions) => T,
  uri: string,
  session: RecordingSession,
): T {
  const engine = new Base(options(uri));
  (engine as unknown as { openSession(): Promise<PgSession> }).openSession = () =>
    Promise.resolve(session as unknown as PgSession);
  return engine;
}

/** Answers for a server whose `version()` second word is `version`. */
function server(version: string) {
  return (sql: string): (string | null)[][] | Error => {
    if (sql.includes("split_part(version()")) return [[version]];
    if (sql.includes("pg_tables")) return [["f"]];
    if (sql.includes("pg_try_advisory_lock")) return [["t"]];
    if (sql.includes("current_setting('lock_timeout')")) return [["0"]];
    if (sql.includes("pgxc_version")) return [["0"]];
    if (sql.includes("FROM releases")) {
      return new PgServerError({ severity: "ERROR", code: "42P01", message: "no releases" });
    }
    return [];
  };
}

const installer = { name: "Ann", email: "ann@example.com" };

Deno.test("cockroach: the registry is created from Sqitch's cockroach.sql, statement by statement", async () => {
  const session = new RecordingSession(server("CCL"));
  const engine = recorded(CockroachEngine, "db:cockroach://root@db:26257/app", session);
  strictEqual(engine.key, "cockroach");
  await engine.createRegistry(installer);
  const statements = splitRegistryScript(
    COCKROACH_REGISTRY_SQL.replaceAll(':"registry"', '"sqitch"'),
  );
  const start = session.sql.indexOf(statements[0]);
  assert(start > 0, "the first registry statement was sent");
  deepStrictEqual(session.sql.slice(start, start + statements.length), statements);
  assert(statements.length > 40 && statements.every((s) => !s.endsWith(";")));
  assert(statements.includes('CREATE SCHEMA IF NOT EXISTS "sqitch"'));
  assert(!session.sql.some((s) => /pgxc_version|^BEGIN;|advisory|LOCK TABLE/.test(s)));
  // The release row, in a transaction without the table lock.
  const begin = session.sql.lastIndexOf("BEGIN");
  assert(session.sql[begin + 1].startsWith('INSERT INTO "sqitch".releases'));
  strictEqual(session.sql[begin + 2], "COMMIT");
});

Deno.test("cockroach: upgrades are Sqitch's cockroach-1.0 and -1.1 scripts", () => {
  deepStrictEqual(COCKROACH_UPGRADES.map(([from, to]) => [from, to]), [["0", "1.0"], [
    "1.0",
    "1.1",
  ]]);
  assert(COCKROACH_UPGRADES[0][2].includes("DROP CONSTRAINT IF EXISTS events_event_check"));
  assert(
    COCKROACH_UPGRADES[1][2].includes('DROP INDEX :"registry".changes_script_hash_key CASCADE'),
  );
  assert(
    !COCKROACH_REGISTRY_SQL.includes("BEGIN;") && !COCKROACH_REGISTRY_SQL.includes(":tableopts"),
  );
});

Deno.test("cockroach: no advisory lock, no table lock, no DO block", async () => {
  const session = new RecordingSession(server("CCL"));
  const engine = recorded(CockroachEngine, "db:cockroach://root@db/app", session);
  strictEqual(await engine.tryLock(), true);
  strictEqual(await engine.waitLock(5), true);
  await engine.begin();
  await engine.commit();
  strictEqual(await engine.registryVersion(), 0);
  assert(
    !session.sql.some((s) => /advisory|lock_timeout|LOCK TABLE|DO \$\$/.test(s)),
    session.sql.join("\n"),
  );
  deepStrictEqual(session.sql.filter((s) => s === "BEGIN" || s === "COMMIT"), ["BEGIN", "COMMIT"]);
});

Deno.test("cockroach: timestamps through experimental_strftime", async () => {
  const session = new RecordingSession(server("CCL"));
  const engine = recorded(CockroachEngine, "db:cockroach://root@db/app", session);
  strictEqual(
    engine.timestampSql("c.committed_at"),
    "experimental_strftime(c.committed_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ')",
  );
  await engine.currentChanges("flipr");
  await engine.searchEvents({ direction: "DESC" } as never);
  const reads = session.sql.filter((s) => s.includes("committed_at") && s.startsWith("SELECT"));
  assert(reads.length === 2 && reads.every((s) => s.includes("experimental_strftime(")));
  assert(!reads.some((s) => s.includes("to_char(")));
});

Deno.test("pg: PostgreSQL takes the advisory lock and the changes table lock", async () => {
  const session = new RecordingSession(server("15.20"), 150020);
  const engine = recorded(PgEngine, "db:pg://postgres@db/app", session);
  strictEqual(await engine.tryLock(), true);
  await engine.begin();
  assert(session.sql.includes("SELECT pg_try_advisory_lock(75474063)"));
  assert(session.sql.includes("LOCK TABLE changes IN EXCLUSIVE MODE"));
  await engine.waitLock(0);
  assert(session.sql.includes("SET lock_timeout = 0"), "zero waits without limit");
});

Deno.test("pg: YugabyteDB is detected from version() and gets no locks", async () => {
  const session = new RecordingSession(server("11.2-YB-2.18.0.0-b0"), 110002);
  const engine = recorded(PgEngine, "db:pg://yugabyte@db:5433/app", session);
  strictEqual(await engine.tryLock(), true);
  strictEqual(await engine.waitLock(3), true);
  await engine.begin();
  strictEqual(engine.provider, "yugabyte");
  assert(!session.sql.some((s) => /advisory|LOCK TABLE/.test(s)), session.sql.join("\n"));
});
