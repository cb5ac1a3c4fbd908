/**
 * SQLite scripts through a configured client (engines/sqlite_client.ts and
 * the SqliteEngine's client option): the argv Sqitch uses, the version
 * check, and deploy / verify / revert plus registry creation through the
 * real `sqlite3` (skipped loudly without it, failing when CI is set) and
 * through fake clients.
 */
import { deepStrictEqual, equal, ok, rejects, throws } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { parityAvailability } from "../parity/kit.ts";
import { CapturedOutput, EngineError, ScriptError } from "../../engines/engine.ts";
import { SqliteEngine } from "../../engines/sqlite.ts";
import {
  checkSqliteClientVersion,
  SqliteClient,
  sqliteClientArgs,
  sqliteReadCommand,
} from "../../engines/sqlite_client.ts";
import { resolveTarget } from "../../core/target.ts";
import { FakeConfig } from "../core/fake_config.ts";

const availability = parityAvailability(["sqlite3"]);
const INSTALLER = { name: "Ann", email: "ann@example.com" };

/** Logs each argv to $dir/log, answers -version, then hands over to sqlite3 (or fails). */
function fakeClient(version: string, then: string): string {
  return `#!/bin/sh
{ printf 'argv:'; for a in "$@"; do printf ' [%s]' "$a"; done; echo; } >> "$(dirname "$0")/log"
case "$1" in -version) echo "${version}"; exit 0;; esac
${then}
`;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sqlitch-sqlite-client-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function writeClient(dir: string, name: string, body: string): Promise<string> {
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, body);
  await Deno.chmod(path, 0o755);
  return path;
}

function engine(dir: string, client?: string): SqliteEngine {
  return new SqliteEngine({
    dbPath: `${dir}/flipr.db`,
    registryPath: `${dir}/sqitch.db`,
    destination: "db:sqlite:flipr.db",
    registryDestination: "db:sqlite:sqitch.db",
    client,
  });
}

function tables(path: string): string[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all()
      .map((r) => String(r.name));
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------
// Pure parts

Deno.test("sqlite_client: the argv Sqitch gives sqlite3", () => {
  equal(sqliteReadCommand("deploy/users.sql"), ".read 'deploy/users.sql'");
  equal(sqliteReadCommand("it's/x.sql"), ".read 'it''s/x.sql'");
  deepStrictEqual(sqliteClientArgs("flipr.db", "verify/a b.sql"), [
    "-noheader",
    "-bail",
    "-batch",
    "-csv",
    "flipr.db",
    ".read 'verify/a b.sql'",
  ]);
});

Deno.test("sqlite_client: version check as Sqitch reads `sqlite3 -version`", () => {
  for (
    const good of [
      "3.45.1 2024-01-30 16:01:20 e876e51a0ed5c5b3126f52e532044363a014bc594cfefa87ffb5b82257cc467a",
      "3.3.9",
      "3.4.0 x",
      "3.10.2\n",
      "4.0.0 future",
    ]
  ) {
    checkSqliteClientVersion("sqlite3", good);
  }
  const fails = (output: string, message: string) =>
    throws(() => checkSqliteClientVersion("./old", output), (e: unknown) => {
      ok(e instanceof EngineError);
      equal(e.message, message);
      equal(e.exitCode, 2);
      return true;
    });
  fails("3.3.8 2007", "Sqitch requires SQLite 3.3.9 or later; ./old is 3.3.8");
  fails("3.2.0 2005-03-21 x\n", "Sqitch requires SQLite 3.3.9 or later; ./old is 3.2.0");
  // The rest of a lone version line is kept, newline included (Sqitch prints it so).
  fails("3.2.0\n", "Sqitch requires SQLite 3.3.9 or later; ./old is 3.2.0\n");
  fails("", "Sqitch requires SQLite 3.3.9 or later; ./old is ");
  fails("garbage\n", "Sqitch requires SQLite 3.3.9 or later; ./old is garbage\n");
  fails("2.8.17.", "Sqitch requires SQLite 3.3.9 or later; ./old is 2.8.17");
});

// ---------------------------------------------------------------------------
// Through fake clients

Deno.test("sqlite_client: engine scripts and registry go through the client", async () => {
  await withDir(async (dir) => {
    const client = await writeClient(dir, "fake", fakeClient("3.40.0 fake", 'echo "ran $6"'));
    await Deno.writeTextFile(`${dir}/deploy.sql`, "CREATE TABLE x (a);\n");
    const e = engine(dir, client);
    try {
      const out = new CapturedOutput();
      await e.runScript(`${dir}/deploy.sql`, { foo: "bar" }, out);
      await e.runVerify(`${dir}/deploy.sql`, {}, out);
      equal(out.out, `ran .read '${dir}/deploy.sql'\n`.repeat(2));
      // The fake creates no tables: recording the release then fails, as in Sqitch.
      await rejects(e.createRegistry(INSTALLER), /no such table/);
    } finally {
      await e.close();
    }
    const log = (await Deno.readTextFile(`${dir}/log`)).split("\n");
    deepStrictEqual(log.slice(0, 3), [
      "argv: [-version]",
      `argv: [-noheader] [-bail] [-batch] [-csv] [${dir}/flipr.db] [.read '${dir}/deploy.sql']`,
      `argv: [-noheader] [-bail] [-batch] [-csv] [${dir}/flipr.db] [.read '${dir}/deploy.sql']`,
    ]);
    // Registry DDL: a temporary sqlite.sql read against the registry file.
    ok(
      /^argv: \[-noheader\] \[-bail\] \[-batch\] \[-csv\] \[.*\/sqitch\.db\] \[\.read '.*\/sqlite\.sql'\]$/
        .test(log[3]),
      log[3],
    );
    equal(log.length, 5);
  });
});

Deno.test("sqlite_client: failures name the client, with Sqitch's messages", async () => {
  await withDir(async (dir) => {
    const exit3 = await writeClient(
      dir,
      "exit3",
      fakeClient("3.40.0 fake", 'echo "out"; echo "err" >&2; exit 3'),
    );
    const out = new CapturedOutput();
    await rejects(engine(dir, exit3).runScript("deploy/x.sql", {}, out), (e: unknown) => {
      ok(e instanceof ScriptError);
      equal(e.message, `"${exit3}" unexpectedly returned exit value 3`);
      equal(e.script, "deploy/x.sql");
      equal(e.status, 3);
      equal(e.trailingBlankLine, true);
      return true;
    });
    deepStrictEqual([out.out, out.err], ["out\n", "err\n"]);

    // Registry creation: the client's stderr leads the message.
    const reg = engine(dir, exit3);
    try {
      await rejects(reg.createRegistry(INSTALLER), (e: unknown) => {
        ok(e instanceof ScriptError);
        equal(e.message, `err\n"${exit3}" unexpectedly returned exit value 3`);
        equal(e.trailingBlankLine, true);
        return true;
      });
    } finally {
      await reg.close();
    }

    // ... or goes where the caller says, the message then plain.
    const shown = new CapturedOutput();
    const reg2 = new SqliteEngine({
      dbPath: `${dir}/flipr.db`,
      registryPath: `${dir}/other.db`,
      destination: "db:sqlite:flipr.db",
      registryDestination: "db:sqlite:other.db",
      client: exit3,
      registryOutput: shown,
    });
    try {
      await rejects(
        reg2.createRegistry(INSTALLER),
        (e: unknown) =>
          e instanceof ScriptError &&
          e.message === `"${exit3}" unexpectedly returned exit value 3`,
      );
      deepStrictEqual([shown.out, shown.err], ["out\n", "err\n"]);
    } finally {
      await reg2.close();
    }

    const old = await writeClient(dir, "old", fakeClient("3.2.0 2005 fake", "exit 0"));
    await rejects(
      engine(dir, old).runScript("deploy/x.sql", {}, new CapturedOutput()),
      (e: unknown) =>
        e instanceof EngineError && !(e instanceof ScriptError) &&
        e.message === `Sqitch requires SQLite 3.3.9 or later; ${old} is 3.2.0`,
    );

    await rejects(
      engine(dir, `${dir}/nosuch`).runScript("deploy/x.sql", {}, new CapturedOutput()),
      (e: unknown) =>
        e instanceof ScriptError &&
        e.message === `"${dir}/nosuch" failed to start: "No such file or directory"`,
    );
  });
});

Deno.test("sqlite_client: the version is asked once, retried until it passes", async () => {
  await withDir(async (dir) => {
    const path = await writeClient(
      dir,
      "flaky",
      `#!/bin/sh
echo "$1" >> "$(dirname "$0")/log"
case "$1" in -version) if [ -e "$(dirname "$0")/ok" ]; then echo 3.40.0; else echo 3.0.0; fi;; esac
`,
    );
    const client = new SqliteClient(path);
    const out = new CapturedOutput();
    await rejects(client.runFile("db", "a.sql", out), /3\.3\.9 or later/);
    await Deno.writeTextFile(`${dir}/ok`, "");
    await client.runFile("db", "a.sql", out);
    await client.runFile("db", "b.sql", out);
    equal(
      await Deno.readTextFile(`${dir}/log`),
      "-version\n-version\n-noheader\n-noheader\n",
    );
  });
});

Deno.test("sqlite_client: fromTarget uses the client only when configured", () => {
  const target = (entries: Record<string, string>, client?: string) =>
    resolveTarget({
      config: new FakeConfig({ "core.engine": "sqlite", ...entries }),
      env: {},
      overrides: client === undefined ? {} : { client },
    }, { name: "db:sqlite:flipr.db" });
  const clientOf = (e: SqliteEngine) => (e as unknown as { client?: SqliteClient }).client?.client;
  equal(clientOf(SqliteEngine.fromTarget(target({}))), undefined);
  equal(clientOf(SqliteEngine.fromTarget(target({}, "sqlite3"))), "sqlite3");
  equal(
    clientOf(SqliteEngine.fromTarget(target({ "engine.sqlite.client": "/opt/sqlite3" }))),
    "/opt/sqlite3",
  );
  equal(
    clientOf(SqliteEngine.fromTarget(target({ "core.client": "/opt/x" }, "./mine"))),
    "./mine",
  );
});

// ---------------------------------------------------------------------------
// Through the real sqlite3

Deno.test({
  name: "sqlite_client: deploy, verify, revert and registry through the real sqlite3",
  ignore: availability.status === "skip",
  fn: async () => {
    if (availability.status === "fail") throw new Error(availability.reason);
    await withDir(async (dir) => {
      const write = (name: string, text: string) => Deno.writeTextFile(`${dir}/${name}`, text);
      await write("deploy.sql", "CREATE TABLE users (id INTEGER);\nSELECT 'deployed', 1.5;\n");
      await write("verify.sql", "SELECT 'verified', count(*) FROM users;\n");
      await write("revert.sql", "DROP TABLE users;\n");
      await write("bad.sql", "CREATE TABLE t (a);\nSELECT nope FROM nowhere;\nSELECT 'never';\n");
      const e = engine(dir, "sqlite3");
      try {
        await e.createRegistry(INSTALLER);
        equal(await e.registryVersion(), 1.1);
        deepStrictEqual(tables(`${dir}/sqitch.db`), [
          "changes",
          "dependencies",
          "events",
          "projects",
          "releases",
          "tags",
        ]);
        const out = new CapturedOutput();
        await e.runScript(`${dir}/deploy.sql`, {}, out);
        await e.runVerify(`${dir}/verify.sql`, {}, out);
        equal(out.out, "deployed,1.5\nverified,0\n");
        equal(out.err, "");
        deepStrictEqual(tables(`${dir}/flipr.db`), ["users"]);

        const bad = new CapturedOutput();
        await rejects(e.runScript(`${dir}/bad.sql`, {}, bad), (err: unknown) => {
          ok(err instanceof ScriptError);
          equal(err.message, '"sqlite3" unexpectedly returned exit value 1');
          equal(err.status, 1);
          return true;
        });
        equal(bad.out, "");
        ok(/no such table: nowhere/.test(bad.err), bad.err);
        deepStrictEqual(tables(`${dir}/flipr.db`), ["t", "users"]);

        await e.runScript(`${dir}/revert.sql`, {}, out);
        deepStrictEqual(tables(`${dir}/flipr.db`), ["t"]);
      } finally {
        await e.close();
      }
    });
  },
});
