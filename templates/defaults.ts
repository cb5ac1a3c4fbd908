/**
 * The default change-script templates, embedded so that sqlitch needs no
 * template files at run time: byte for byte the `deploy/`, `revert/` and
 * `verify/` `<engine>.tmpl` files Sqitch 1.3.1 installs in
 * `/etc/sqitch/templates` (pg, sqlite, mysql, oracle, firebird, vertica,
 * exasol, snowflake) plus the cockroach and clickhouse ones Sqitch HEAD
 * (1.4+) adds. They serve as the system directory's files when that
 * directory has none (core/template_lookup.ts).
 *
 * This directory is excluded from `deno fmt`: the texts below must stay
 * exactly as they are.
 */

/** The three core script types every template set provides. */
export type CoreScript = "deploy" | "revert" | "verify";

/** The embedded templates: engine key → script type → template text. */
export const DEFAULT_TEMPLATES: Readonly<Record<string, Readonly<Record<CoreScript, string>>>> = {
  pg: {
    deploy: `-- Deploy [% project %]:[% change %] to [% engine %]
[% FOREACH item IN requires -%]
-- requires: [% item %]
[% END -%]
[% FOREACH item IN conflicts -%]
-- conflicts: [% item %]
[% END -%]

BEGIN;

-- XXX Add DDLs here.

COMMIT;
`,
    revert: `-- Revert [% project %]:[% change %] from [% engine %]

BEGIN;

-- XXX Add DDLs here.

COMMIT;
`,
    verify: `-- Verify [% project %]:[% change %] on [% engine %]

BEGIN;

-- XXX Add verifications here.

ROLLBACK;
`,
  },
  sqlite: {
    deploy: `-- Deploy [% project %]:[% change %] to [% engine %]
[% FOREACH item IN requires -%]
-- requires: [% item %]
[% END -%]
[% FOREACH item IN conflicts -%]
-- conflicts: [% item %]
[% END -%]

BEGIN;

-- XXX Add DDLs here.

COMMIT;
`,
    revert: `-- Revert [% project %]:[% change %] from [% engine %]

BEGIN;

-- XXX Add DDLs here.

COMMIT;
`,
    verify: `-- Verify [% project %]:[% change %] on [% engine %]

BEGIN;

-- XXX Add verifications here.

ROLLBACK;
`,
  },
  mysql: {
    deploy: `-- Deploy [% project %]:[% change %] to [% engine %]
[% FOREACH item IN requires -%]
-- requires: [% item %]
[% END -%]
[% FOREACH item IN conflicts -%]
-- conflicts: [% item %]
[% END -%]

BEGIN;

-- XXX Add DDLs here.

COMMIT;
`,
    revert: `-- Revert [% project %]:[% change %] from [% engine %]

BEGIN;

-- XXX Add DDLs here.

COMMIT;
`,
    verify: `-- Verify [% project %]:[% change %] on [% engine %]

BEGIN;

-- XXX Add verifications here.

ROLLBACK;
`,
  },
  oracle: {
    deploy: `-- Deploy [% project %]:[% change %] to [% engine %]
[% FOREACH item IN requires -%]
-- requires: [% item %]
[% END -%]
[% FOREACH item IN conflicts -%]
-- conflicts: [% item %]
[% END -%]

-- XXX Add DDLs here.
`,
    revert: `-- Revert [% project %]:[% change %] from [% engine %]

-- XXX Add DDLs here.
`,
    verify: `-- Verify [% project %]:[% change %] on [% engine %]

-- XXX Add verifications here.
`,
  },
  firebird: {
    deploy: `-- Deploy [% project %]:[% change %] to [% engine %]
[% FOREACH item IN requires -%]
-- requires: [% item %]
[% END -%]
[% FOREACH item IN conflicts -%]
-- conflicts: [% item %]
[% END -%]

-- XXX Add DDLs here.

COMMIT;
`,
    revert: `-- Revert [% project %]:[% change %] from [% engine %]

-- XXX Add DDLs here.

COMMIT;
`,
    verify: `-- Verify [% project %]:[% change %] on [% engine %]

-- XXX Add verifications here.

ROLLBACK;
`,
  },
  vertica: {
    deploy: `-- Deploy [% project %]:[% change %] to [% engine %]
[% FOREACH item IN requires -%]
-- requires: [% item %]
[% END -%]
[% FOREACH item IN conflicts -%]
-- conflicts: [% item %]
[% END -%]

-- XXX Add DDLs here.
`,
    revert: `-- Revert [% project %]:[% change %] from [% engine %]

-- XXX Add DDLs here.
`,
    verify: `-- Verify [% project %]:[% change %] on [% engine %]

-- XXX Add verifications here.
`,
  },
  exasol: {
    deploy: `-- Deploy [% project %]:[% change %] to [% engine %]
[% FOREACH item IN requires -%]
-- requires: [% item %]
[% END -%]
[% FOREACH item IN conflicts -%]
-- conflicts: [% item %]
[% END -%]

-- XXX Add DDLs here.

COMMIT;
`,
    revert: `-- Revert [% project %]:[% change %] from [% engine %]

-- XXX Add DDLs here.

COMMIT;
`,
    verify: `-- Verify [% project %]:[% change %] on [% engine %]

-- XXX Add verifications here.

ROLLBACK;
`,
  },
  snowflake: {
    deploy: `-- Deploy [% project %]:[% change %] to [% engine %]
[% FOREACH item IN requires -%]
-- requires: [% item %]
[% END -%]
[% FOREACH item IN conflicts -%]
-- conflicts: [% item %]
[% END -%]

USE WAREHOUSE &warehouse;

-- XXX Add DDLs here.
`,
    revert: `-- Revert [% project %]:[% change %] from [% engine %]

USE WAREHOUSE &warehouse;

-- XXX Add DDLs here.
`,
    verify: `-- Verify [% project %]:[% change %] on [% engine %]

USE WAREHOUSE &warehouse;

-- XXX Add verifications here.
`,
  },
  cockroach: {
    deploy: `-- Deploy [% project %]:[% change %] to [% engine %]
[% FOREACH item IN requires -%]
-- requires: [% item %]
[% END -%]
[% FOREACH item IN conflicts -%]
-- conflicts: [% item %]
[% END -%]

-- XXX Add DDLs here.
`,
    revert: `-- Revert [% project %]:[% change %] from [% engine %]

-- XXX Add DDLs here.
`,
    verify: `-- Verify [% project %]:[% change %] on [% engine %]

-- XXX Add verifications here.
`,
  },
  clickhouse: {
    deploy: `-- Deploy [% project %]:[% change %] to [% engine %]
[% FOREACH item IN requires -%]
-- requires: [% item %]
[% END -%]
[% FOREACH item IN conflicts -%]
-- conflicts: [% item %]
[% END -%]

-- XXX Add DDLs here.
`,
    revert: `-- Revert [% project %]:[% change %] from [% engine %]

-- XXX Add DDLs here.
`,
    verify: `-- Verify [% project %]:[% change %] on [% engine %]

-- XXX Add verifications here.
`,
  },
};
