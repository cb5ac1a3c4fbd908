/**
 * Parity of targets, registries, connections, locking and the other
 * registry commands on MySQL/MariaDB with real Sqitch 1.3.1 and the real
 * `mysql` client: `--registry` and configured registry databases, named
 * targets, `-d/-h/-p/-u` overrides and option files, connection failures
 * (missing database, refused port, unknown user), `GET_LOCK` held by
 * another session (`--lock-timeout`), client features in scripts
 * (`source`, `DELIMITER`, transactions), `rebase`, `revert -m`, `check` and
 * `upgrade` from registry version 1.0. Each side works on its own
 * databases (mysql_kit.ts).
 */
import type { MysqlTestSession } from "../engines/mysql_test_session.ts";
import { MYSQL_HOST, MYSQL_PORT, mysqlSession } from "../engines/mysql_server.ts";
import type { Scenario } from "./kit.ts";
import {
  HEAD,
  MYSQL_CONF,
  mysqlExec,
  mysqlParityTests,
  mysqlScripts,
  mysqlUri,
  sqitchSetup,
} from "./mysql_kit.ts";

const PLAN = HEAD +
  "users 2026-01-01T00:00:00Z Ann <ann@example.com> # Users.\n" +
  "flips [users] 2026-01-01T00:00:01Z Ann <ann@example.com> # Flips.\n" +
  "@v1.0 2026-01-01T00:00:02Z Ann <ann@example.com> # Tag v1.0.\n" +
  "likes [flips] 2026-01-01T00:00:03Z Ann <ann@example.com> # Likes.\n";

const PROJECT = {
  "sqitch.conf": MYSQL_CONF,
  "sqitch.plan": PLAN,
  ...mysqlScripts("users", "flips", "likes"),
};

/** A configuration without a target (given on the command line). */
const BARE_CONF = '[core]\n\tengine = mysql\n[engine "mysql"]\n\tregistry = <ID>_reg\n';

/** Sessions holding Sqitch's lock for a side, released in teardown. */
const holders = new Map<string, MysqlTestSession>();

async function holdLock(id: string): Promise<void> {
  const s = await mysqlSession();
  await s.query(`SELECT GET_LOCK('sqitch working on ${id}', 0)`);
  holders.set(id, s);
}

async function release(id: string): Promise<void> {
  await holders.get(id)?.close();
  holders.delete(id);
}

const scenarios: Scenario[] = [
  // --- registries -------------------------------------------------------------------
  {
    name: "mysql target: --registry, engine and target registry configuration",
    files: {
      ...PROJECT,
      "sqitch.conf": MYSQL_CONF +
        `[target "prod"]\n\turi = ${mysqlUri("<ID>")}\n\tregistry = <ID>_targetreg\n`,
    },
    steps: [
      "deploy --to users",
      "deploy prod --to flips",
      "deploy --registry <ID>_cli",
      "status --registry <ID>_cli",
      "status prod",
      "log prod --oneline",
      "revert -y prod --to users",
      "revert -y --registry <ID>_cli",
      "status",
    ],
  },
  {
    name: "mysql target: a registry name needing quotes",
    files: PROJECT,
    steps: [
      ["deploy", "--registry", "<ID>-my reg", "--to", "flips"],
      ["status", "--registry", "<ID>-my reg"],
      ["log", "--registry", "<ID>-my reg", "--oneline"],
      ["revert", "-y", "--registry", "<ID>-my reg"],
    ],
  },
  {
    name: "mysql target: registry created by sqitch, used by sqlitch and back",
    files: PROJECT,
    setup: (ctx) => sqitchSetup(ctx, ["deploy", "--to", "users"]),
    steps: ["status", "deploy", "verify", "revert -y --to users", "log --oneline"],
  },

  // --- targets ------------------------------------------------------------------------------
  {
    name: "mysql target: named targets, SQITCH_TARGET and -d overrides",
    files: {
      ...PROJECT,
      "sqitch.conf": MYSQL_CONF + `[target "other"]\n\turi = ${mysqlUri("<ID>_other")}\n`,
    },
    setup: async (ctx) => {
      await mysqlExec(`CREATE DATABASE \`${ctx.id}_other\``, `CREATE DATABASE \`${ctx.id}_third\``);
    },
    steps: [
      "deploy other --to users",
      "deploy -t other --to flips",
      { argv: "deploy --to users", env: { SQITCH_TARGET: "other" } },
      "deploy -d <ID>_third --to users",
      "status other",
      "status -d <ID>_third",
      "verify other",
      "revert -y -t other",
      "status",
    ],
  },
  {
    name: "mysql target: host, port, user and database from options and an option file",
    files: { ...PROJECT, "sqitch.conf": BARE_CONF },
    homeFiles: {
      ".my.cnf": `[client]\nhost=${MYSQL_HOST}\nport=${MYSQL_PORT}\nuser=root\n`,
    },
    steps: [
      `deploy db:mysql: -h ${MYSQL_HOST} -p ${MYSQL_PORT} -u root -d <ID> --to users`,
      "deploy db:mysql:///<ID> --to flips",
      { argv: "status db:mysql:", env: { SQITCH_TARGET: `db:mysql:///<ID>` } },
      `status db:mysql://root@${MYSQL_HOST}/<ID>?mysql_connect_timeout=5`,
      `revert -y db:mysql://root@${MYSQL_HOST}:${MYSQL_PORT}/<ID>`,
    ],
  },

  // --- connection failures --------------------------------------------------------------------
  {
    name: "mysql target: database that does not exist, for every command",
    files: { ...PROJECT, "sqitch.conf": MYSQL_CONF.replace(/\/<ID>\n/, "/<ID>_missing\n") },
    steps: ["deploy", "status", "log", "verify", "revert -y", "deploy --log-only"],
  },
  {
    name: "mysql target: refused port, unknown user, no database",
    files: { ...PROJECT, "sqitch.conf": BARE_CONF },
    // 1.3.1 fails creating the registry in the last step, 1.6 and sqlitch create
    // it (and record the failure): the registries are not compared.
    teardown: (ctx) => mysqlExec(`DROP DATABASE IF EXISTS \`${ctx.id}_reg\``),
    steps: [
      "deploy db:mysql://root@127.0.0.1:1/<ID>",
      "status db:mysql://root@127.0.0.1:1/<ID>",
      `deploy db:mysql://nosuchuser@${MYSQL_HOST}:${MYSQL_PORT}/<ID>`,
      `status db:mysql://root@${MYSQL_HOST}:${MYSQL_PORT}`,
      {
        // 1.3.1 deploys without a database, then fails to revert, trying to run
        // the registry name as a program; sqlitch shows the client's error.
        argv: `deploy db:mysql://root@${MYSQL_HOST}:${MYSQL_PORT}/`,
        expectSqitch: {
          code: 2,
          stdout: "",
          stderr:
            /^warning: Database name missing in URI "db:mysql:[^\n]*\n"<ID>_reg" failed to start/,
        },
        expectSqlitch: {
          code: 2,
          stdout: /^Deploying changes to db:mysql:[^\n]*\/\n {2}\+ users \.+ not ok\n$/,
          stderr:
            /^warning: Database name missing in URI "db:mysql:\/\/[^\n]*\/"\n-+\nCREATE TABLE users[^]*\nERROR 1046 \(3D000\) at line \d+ in file: 'deploy\/users\.sql': No database selected\n[^]*\nDeploy failed\n$/,
        },
      },
    ],
  },

  {
    // The registry is on the server, so a target without a database finds it; Sqitch
    // warns when it first builds its client command line (the first script), once.
    name: "mysql target: no database in the URI once the registry exists",
    files: { ...PROJECT, "sqitch.conf": BARE_CONF },
    steps: [
      `deploy ${mysqlUri("<ID>")}`,
      `status db:mysql://root@${MYSQL_HOST}:${MYSQL_PORT}`,
      `verify db:mysql://root@${MYSQL_HOST}:${MYSQL_PORT}/`,
      {
        // 1.3.1 also prints a Perl warning (its lock name has no database).
        argv: `revert -y --to flips db:mysql://root@${MYSQL_HOST}:${MYSQL_PORT}`,
        expectSqitch: {
          code: 2,
          stderr: /^Use of uninitialized value in concatenation[^\n]*\nwarning: Database name/,
        },
        expectSqlitch: {
          code: 2,
          stderr: new RegExp(
            `^warning: Database name missing in URI "db:mysql://root@${MYSQL_HOST}:${MYSQL_PORT}"\n` +
              "-+\nDROP TABLE likes\n-+\n\nERROR 1046 \\(3D000\\) at line 2 in file: " +
              "'revert/likes.sql': No database selected\n\"mysql\" unexpectedly returned exit value 1\n\n$",
          ),
        },
      },
      `revert -y ${mysqlUri("<ID>")}`,
    ],
  },

  {
    // The compressed protocol goes through the mysql2 driver (one statement at a time).
    name: "mysql target: compressed protocol (mysql_compression=1)",
    files: { ...PROJECT, "sqitch.conf": BARE_CONF },
    steps: [
      `deploy ${mysqlUri("<ID>")}?mysql_compression=1`,
      `status ${mysqlUri("<ID>")}?mysql_compression=1`,
      `revert -y --to users ${mysqlUri("<ID>")}?mysql_compression=1`,
      `log ${mysqlUri("<ID>")}?mysql_compression=1`,
      `revert -y ${mysqlUri("<ID>")}?mysql_compression=1`,
    ],
  },

  // --- locking --------------------------------------------------------------------------------
  {
    name: "mysql target: lock held by another session, with and without --lock-timeout",
    files: PROJECT,
    setup: (ctx) => holdLock(ctx.id),
    teardown: (ctx) => release(ctx.id),
    steps: ["deploy --lock-timeout 1", "revert -y --lock-timeout 1", "status", "log", "verify"],
  },
  {
    name: "mysql target: the lock is free once deploy is done",
    files: PROJECT,
    steps: [
      "deploy --lock-timeout 1 --to users",
      "deploy --lock-timeout=2",
      "revert -y --lock-timeout 1",
    ],
  },

  // --- client features in scripts ------------------------------------------------------------
  {
    name: "mysql target: scripts using source, DELIMITER and a transaction",
    files: {
      ...PROJECT,
      "deploy/users.sql": "START TRANSACTION;\nsource lib/users_table.sql\n" +
        "INSERT INTO users VALUES (1), (2);\nCOMMIT;\n" +
        "DELIMITER //\nCREATE PROCEDURE add_user(n INT)\nBEGIN\n  INSERT INTO users VALUES (n);\n" +
        "  SELECT CONCAT('added ', n);\nEND//\nDELIMITER ;\nCALL add_user(3);\n",
      "revert/users.sql": "DROP PROCEDURE add_user;\nDROP TABLE users;\n",
      "lib/users_table.sql": "CREATE TABLE users (id INTEGER);\nSELECT 'included';\n",
      "deploy/flips.sql": "\\. lib/flips_table.sql\n",
      "lib/flips_table.sql": "CREATE TABLE flips (id INTEGER);\n",
      "deploy/likes.sql": "source lib/nosuch.sql\n",
    },
    steps: ["deploy", "status", "deploy --to flips", "verify"],
  },
  {
    name: "mysql target: a failing statement inside a script transaction",
    files: {
      ...PROJECT,
      "deploy/users.sql": "CREATE TABLE users (id INTEGER) ENGINE InnoDB;\n",
      "deploy/flips.sql": "CREATE TABLE flips (id INTEGER) ENGINE InnoDB;\n" +
        "START TRANSACTION;\nINSERT INTO flips VALUES (1);\nINSERT INTO flips VALUES ('x', 2);\n" +
        "COMMIT;\n",
      "deploy/likes.sql": "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'no likes';\n",
    },
    steps: ["deploy", "deploy --mode change", "status", "revert -y"],
  },

  // --- rebase, revert -m, check, upgrade --------------------------------------------------------
  {
    name: "mysql target: rebase with --onto, --upto, -m and a modified script",
    files: PROJECT,
    steps: [
      "deploy",
      "rebase -y --onto users",
      "rebase -y --onto @v1.0 --upto flips",
      {
        argv: "rebase -y -m",
      },
      { argv: "rebase --onto users", stdin: "n\n" },
      "status",
    ],
  },
  {
    name: "mysql target: check and revert -m after scripts changed",
    files: {
      ...PROJECT,
      "sqitch.conf": MYSQL_CONF + `[target "v1"]\n\turi = ${mysqlUri("<ID>")}\n\tdeploy_dir = v1\n`,
      "v1/users.sql": "-- Deploy users\nCREATE TABLE users (id INTEGER);\n",
      "v1/flips.sql": "-- old flips\nCREATE TABLE flips (id INTEGER);\n",
      "v1/likes.sql": "-- old likes\nCREATE TABLE likes (id INTEGER);\n",
    },
    steps: [
      "check",
      "deploy v1",
      "check",
      "check --from flips --to flips",
      "check --to users",
      "check nosuch",
      "revert -m --log-only -y",
      "status",
      "deploy",
      "check",
    ],
  },
  {
    name: "mysql target: upgrade from registry 1.0, then check and deploy",
    files: PROJECT,
    setup: async (ctx) => {
      await sqitchSetup(ctx, ["deploy", "--to", "flips"]);
      const reg = `\`${ctx.id}_reg\``;
      // Version 1.0's unique script_hash (the foreign key on project needs an index).
      await mysqlExec(
        `CREATE INDEX project_fk ON ${reg}.changes (project)`,
        `DROP INDEX project ON ${reg}.changes`,
        `CREATE UNIQUE INDEX script_hash ON ${reg}.changes (script_hash)`,
        `UPDATE ${reg}.releases SET version = 1.0`,
      );
    },
    steps: ["status", "deploy", "upgrade", "upgrade", "check", "deploy", "log --oneline"],
  },
  {
    name: "mysql target: upgrade with no registry and up to date",
    files: PROJECT,
    steps: [
      {
        // 1.3.1 (and 1.6) start upgrading a registry that is not there and fail
        // in the first script; sqlitch says there is none, as for SQLite.
        argv: "upgrade",
        expectSqitch: { code: 2, stderr: /^Unknown database '<ID>_reg'\n$/ },
        expectSqlitch: {
          code: 2,
          stdout: "",
          stderr:
            /^No registry found in db:mysql:\/\/[^\n]*\/<ID>_reg\. Have you ever deployed\?\n$/,
        },
      },
      "deploy --to users",
      "upgrade",
      {
        argv: "upgrade --registry <ID>_nosuch",
        expectSqitch: { code: 2, stderr: /^Unknown database '<ID>_nosuch'\n$/ },
        expectSqlitch: {
          code: 2,
          stdout: "",
          stderr: /^No registry found in .*_nosuch\. Have you/,
        },
      },
    ],
  },
];

mysqlParityTests(scenarios);
