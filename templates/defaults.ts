/**
 * The default change-script templates, embedded so that sqlitch needs no
 * template files at run time: byte for byte the `deploy/`, `revert/` and
 * `verify/` `<engine>.tmpl` files Sqitch 1.3.1 installs in
 * `/etc/sqitch/templates` (pg, sqlite, mysql, oracle, firebird, vertica,
 * exasol, snowflake) plus the cockroach and clickhouse ones Sqitch HEAD
 * (1.4+) adds. They serve as the system directory's files when that
 * directory has none (core/template_lookup.ts).
 *
 * The sets are built from the headers and bodies the engines share; the
 * tests render every engine's set and compare it with Sqitch's output.
 */

/** The three core script types every template set provides. */
export type CoreScript = "deploy" | "revert" | "verify";

/** The header every deploy template starts with. */
const DEPLOY_HEADER = `-- Deploy [% project %]:[% change %] to [% engine %]
[% FOREACH item IN requires -%]
-- requires: [% item %]
[% END -%]
[% FOREACH item IN conflicts -%]
-- conflicts: [% item %]
[% END -%]
`;

/** The header every revert template starts with. */
const REVERT_HEADER = `-- Revert [% project %]:[% change %] from [% engine %]
`;

/** The header every verify template starts with. */
const VERIFY_HEADER = `-- Verify [% project %]:[% change %] on [% engine %]
`;

/** A template set from the engine-specific bodies that follow the headers. */
function templateSet(
  deploy: string,
  revert: string,
  verify: string,
): Readonly<Record<CoreScript, string>> {
  return {
    deploy: DEPLOY_HEADER + deploy,
    revert: REVERT_HEADER + revert,
    verify: VERIFY_HEADER + verify,
  };
}

const DDLS = "\n-- XXX Add DDLs here.\n";
const VERIFICATIONS = "\n-- XXX Add verifications here.\n";

/** pg, sqlite, mysql: everything in a transaction, verify rolled back. */
const TRANSACTIONAL = templateSet(
  `\nBEGIN;\n${DDLS}\nCOMMIT;\n`,
  `\nBEGIN;\n${DDLS}\nCOMMIT;\n`,
  `\nBEGIN;\n${VERIFICATIONS}\nROLLBACK;\n`,
);

/** oracle, vertica, cockroach, clickhouse: bodies only. */
const PLAIN = templateSet(DDLS, DDLS, VERIFICATIONS);

/** firebird, exasol: explicit COMMIT / ROLLBACK at the end. */
const COMMITTING = templateSet(
  `${DDLS}\nCOMMIT;\n`,
  `${DDLS}\nCOMMIT;\n`,
  `${VERIFICATIONS}\nROLLBACK;\n`,
);

/** snowflake: a warehouse first. */
const WAREHOUSE = "\nUSE WAREHOUSE &warehouse;\n";
const SNOWFLAKE = templateSet(WAREHOUSE + DDLS, WAREHOUSE + DDLS, WAREHOUSE + VERIFICATIONS);

/** The embedded templates: engine key → script type → template text. */
export const DEFAULT_TEMPLATES: Readonly<Record<string, Readonly<Record<CoreScript, string>>>> = {
  pg: TRANSACTIONAL,
  sqlite: TRANSACTIONAL,
  mysql: TRANSACTIONAL,
  oracle: PLAIN,
  firebird: COMMITTING,
  vertica: PLAIN,
  exasol: COMMITTING,
  snowflake: SNOWFLAKE,
  cockroach: PLAIN,
  clickhouse: PLAIN,
};
