/**
 * Tests for templates/defaults.ts: the embedded templates are byte for byte
 * the files Sqitch 1.3.1 installs (compared with /etc/sqitch/templates when
 * that directory exists) and follow the shape targets-and-uris.md §7.4
 * describes.
 */
import assert from "node:assert/strict";
import { DEFAULT_TEMPLATES } from "../../templates/defaults.ts";

const SQITCH_131 = [
  "pg",
  "sqlite",
  "mysql",
  "oracle",
  "firebird",
  "vertica",
  "exasol",
  "snowflake",
];
const SYSTEM = "/etc/sqitch/templates";

/** The file's text, or undefined when it is not there. */
function read(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

Deno.test({
  name: "defaults: identical to the installed Sqitch 1.3.1 templates",
  ignore: read(`${SYSTEM}/deploy/pg.tmpl`) === undefined,
  fn() {
    for (const engine of SQITCH_131) {
      for (const script of ["deploy", "revert", "verify"] as const) {
        assert.equal(
          DEFAULT_TEMPLATES[engine][script],
          read(`${SYSTEM}/${script}/${engine}.tmpl`),
          `${script}/${engine}`,
        );
      }
    }
  },
});

Deno.test("defaults: headers of §7.4 and a single final newline", () => {
  const deployHead = "-- Deploy [% project %]:[% change %] to [% engine %]\n" +
    "[% FOREACH item IN requires -%]\n-- requires: [% item %]\n[% END -%]\n" +
    "[% FOREACH item IN conflicts -%]\n-- conflicts: [% item %]\n[% END -%]\n";
  for (const [engine, set] of Object.entries(DEFAULT_TEMPLATES)) {
    assert.ok(set.deploy.startsWith(deployHead), engine);
    assert.ok(set.revert.startsWith("-- Revert [% project %]:[% change %] from [% engine %]\n"));
    assert.ok(set.verify.startsWith("-- Verify [% project %]:[% change %] on [% engine %]\n"));
    for (const text of Object.values(set)) assert.match(text, /[^\n]\n$/, engine);
  }
  assert.deepEqual(DEFAULT_TEMPLATES.pg, {
    deploy: DEFAULT_TEMPLATES.sqlite.deploy,
    revert: DEFAULT_TEMPLATES.sqlite.revert,
    verify: DEFAULT_TEMPLATES.sqlite.verify,
  });
  assert.deepEqual(DEFAULT_TEMPLATES.cockroach, DEFAULT_TEMPLATES.oracle);
  assert.deepEqual(DEFAULT_TEMPLATES.clickhouse, DEFAULT_TEMPLATES.oracle);
});
