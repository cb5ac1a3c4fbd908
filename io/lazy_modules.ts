/**
 * The release bundle's loaders for the modules sqlitch imports lazily
 * (io/lazy_import.ts), by name: one literal dynamic import each, which a
 * bundler follows and splits into a chunk of its own. Only the release
 * entry (io/release_entry.ts) imports this table; `deno run main.ts` never
 * does, since it would load every module named here before starting.
 * tests/io/lazy_import_test.ts checks the table names exactly the modules
 * the program imports lazily.
 */
import type { ModuleLoader } from "./lazy_import.ts";

/** Every lazily imported module of the program, by its path from the repository root. */
export const LAZY_MODULES: Readonly<Record<string, ModuleLoader>> = {
  "commands/add.ts": () => import("../commands/add.ts"),
  "commands/bundle.ts": () => import("../commands/bundle.ts"),
  "commands/check.ts": () => import("../commands/check.ts"),
  "commands/checkout.ts": () => import("../commands/checkout.ts"),
  "commands/completion.ts": () => import("../commands/completion.ts"),
  "commands/config.ts": () => import("../commands/config.ts"),
  "commands/deploy.ts": () => import("../commands/deploy.ts"),
  "commands/engine.ts": () => import("../commands/engine.ts"),
  "commands/help.ts": () => import("../commands/help.ts"),
  "commands/init.ts": () => import("../commands/init.ts"),
  "commands/log.ts": () => import("../commands/log.ts"),
  "commands/plan.ts": () => import("../commands/plan.ts"),
  "commands/rebase.ts": () => import("../commands/rebase.ts"),
  "commands/revert.ts": () => import("../commands/revert.ts"),
  "commands/rework.ts": () => import("../commands/rework.ts"),
  "commands/show.ts": () => import("../commands/show.ts"),
  "commands/status.ts": () => import("../commands/status.ts"),
  "commands/tag.ts": () => import("../commands/tag.ts"),
  "commands/target.ts": () => import("../commands/target.ts"),
  "commands/upgrade.ts": () => import("../commands/upgrade.ts"),
  "commands/usage.ts": () => import("../commands/usage.ts"),
  "commands/verify.ts": () => import("../commands/verify.ts"),
  "engines/cockroach.ts": () => import("../engines/cockroach.ts"),
  "engines/mysql.ts": () => import("../engines/mysql.ts"),
  "engines/mysql_node_session.ts": () => import("../engines/mysql_node_session.ts"),
  "engines/mysql_script.ts": () => import("../engines/mysql_script.ts"),
  "engines/pg.ts": () => import("../engines/pg.ts"),
  "engines/pg_node_session.ts": () => import("../engines/pg_node_session.ts"),
  "engines/psql_script.ts": () => import("../engines/psql_script.ts"),
  "engines/sqlite.ts": () => import("../engines/sqlite.ts"),
  "engines/sqlite_script.ts": () => import("../engines/sqlite_script.ts"),
};
