/**
 * The PostgreSQL engine's pure parts: registry script substitution as psql
 * does it, Sqitch's tag aggregation by server version, array and literal
 * handling, and YugabyteDB detection.
 */
import { deepStrictEqual as assertEquals, ok as assert, strictEqual } from "node:assert/strict";
import { parseTextArray, providerOf, quoteLiteral, tagAggregate } from "../../engines/pg.ts";
import {
  PG_REGISTRY_SQL,
  PG_UPGRADES,
  pgRegistryScript,
  quoteIdent,
} from "../../engines/pg_registry_sql.ts";

Deno.test('registry scripts: :"registry" quoted as psql does, :tableopts substituted', () => {
  const sql = pgRegistryScript(PG_REGISTRY_SQL, 'My "Reg"', " DISTRIBUTE BY REPLICATION");
  assert(sql.includes('CREATE SCHEMA IF NOT EXISTS "My ""Reg""";'));
  assert(sql.includes('CREATE TABLE "My ""Reg""".changes ('));
  assert(!sql.includes(":registry") && !sql.includes(':"registry"') && !sql.includes(":tableopts"));
  strictEqual(sql.split(") DISTRIBUTE BY REPLICATION;").length - 1, 5, "all tables but releases");
  assert(pgRegistryScript(PG_REGISTRY_SQL, "s", "", 90200).includes('CREATE SCHEMA "s";'));
  assertEquals(PG_UPGRADES.map(([from, to]) => [from, to]), [["0", "1.0"], ["1.0", "1.1"]]);
  strictEqual(quoteIdent("a"), '"a"');
});

Deno.test("tag aggregation follows the server version as Sqitch's does", () => {
  strictEqual(tagAggregate("t.tag", 150000), "array_remove(array_agg(t.tag ORDER BY t.tag), NULL)");
  assert(
    tagAggregate("t.tag", 90000).startsWith("ARRAY(SELECT * FROM UNNEST( array_agg(t.tag ORDER BY"),
  );
  assert(tagAggregate("t.tag", 80300).includes("array_agg(t.tag) )"));
});

Deno.test("text arrays as the server prints them", () => {
  assertEquals(parseTextArray("{}"), []);
  assertEquals(parseTextArray(null), []);
  assertEquals(parseTextArray("{@t1,@t2}"), ["@t1", "@t2"]);
  assertEquals(parseTextArray('{"a b","q\\"x","b\\\\s",NULL,"NULL"}'), [
    "a b",
    'q"x',
    "b\\s",
    "NULL",
  ]);
  assertEquals(parseTextArray("{ext:z,ext:y}"), ["ext:z", "ext:y"]);
});

Deno.test("literals and providers", () => {
  strictEqual(quoteLiteral("it's"), "'it''s'");
  strictEqual(providerOf("15.20"), "postgres");
  strictEqual(providerOf("11.2-YB-2.18.0.0-b0"), "yugabyte");
});
