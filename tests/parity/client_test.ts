/**
 * Parity of running SQLite scripts through a configured client (`--client`,
 * `engine.sqlite.client`, `core.client`; engine-semantics.md §7.1) with real
 * Sqitch: the real `sqlite3`, fake clients that log the argv they get (the
 * log is compared as a project file), clients that fail, die, report an old
 * version or cannot be run at all. Every step's outputs and exit code are
 * compared, and at the end the registry rows (timestamps masked) and the
 * target schema.
 */
import { DatabaseSync } from "node:sqlite";
import { strictEqual } from "node:assert/strict";
import {
  assertParity,
  parityAvailability,
  runScenario,
  type SandboxContext,
  type Scenario,
  type Side,
} from "./kit.ts";

const CONF = '[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:flipr.db\n';
const HEAD = "%syntax-version=1.0.0\n%project=flipr\n%uri=https://example.com/flipr\n\n";
const PLAN = HEAD +
  "users 2026-01-01T00:00:00Z Ann <ann@example.com> # Users.\n" +
  "flips [users] 2026-01-01T00:00:01Z Ann <ann@example.com> # Flips.\n" +
  "@v1.0 2026-01-01T00:00:02Z Ann <ann@example.com> # Tag v1.0.\n" +
  "three [flips] 2026-01-01T00:00:03Z Ann <ann@example.com>\n";

/** deploy/revert/verify scripts per change; deploy and verify print something. */
function scripts(...names: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const n of names) {
    files[`deploy/${n}.sql`] = `CREATE TABLE ${n} (id INTEGER);\nSELECT 'deployed ${n}', 1.5;\n`;
    files[`revert/${n}.sql`] = `DROP TABLE ${n};\n`;
    files[`verify/${n}.sql`] = `SELECT 'verified ${n}', count(*) FROM ${n};\n`;
  }
  return files;
}

const PROJECT = { "sqitch.conf": CONF, "sqitch.plan": PLAN, ...scripts("users", "flips", "three") };

/** `three` fails to deploy; `flips` fails to verify and to revert. */
const FAILING = {
  ...PROJECT,
  "deploy/three.sql": "CREATE TABLE three (id INTEGER);\nINSERT INTO nowhere VALUES (1);\n",
  "verify/flips.sql": "SELECT nosuchcolumn FROM flips;\n",
  "revert/flips.sql": "DROP TABLE nonexistent;\n",
};

/**
 * Fake clients (made executable in setup): `logsql` logs every argv to
 * client.log and hands over to sqlite3; the others report a version, then
 * fail in their own way.
 */
const CLIENTS = {
  "logsql": '#!/bin/sh\n{ printf "argv:"; for a in "$@"; do printf " [%s]" "$a"; done; echo; }' +
    ' >> client.log\nexec sqlite3 "$@"\n',
  "exit3": '#!/bin/sh\ncase "$1" in -version) echo "3.40.0 2022-11-16 fake"; exit 0;; esac\n' +
    'echo "out from exit3"\necho "err from exit3" >&2\nexit 3\n',
  "killed": '#!/bin/sh\ncase "$1" in -version) echo "3.40.0 2022-11-16 fake"; exit 0;; esac\n' +
    "kill -TERM $$\n",
  "oldsql": '#!/bin/sh\necho "3.2.0 2005-03-21 fake"\n',
  "oldbare": "#!/bin/sh\necho 3.3.8\n",
  "noexec": '#!/bin/sh\nexec sqlite3 "$@"\n',
};

function makeExecutable(ctx: SandboxContext): void {
  for (const name of Object.keys(CLIENTS)) {
    if (name !== "noexec") Deno.chmodSync(`${ctx.proj}/${name}`, 0o755);
  }
}

/** Registry DDL is `.read` from Sqitch's install path or from sqlitch's temp file. */
function normalizeRegistryPath(text: string): string {
  return text.replace(/\.read '[^']*\/(sqlite(?:-[\d.]+)?\.sql)'/g, ".read '<REGISTRY>/$1'");
}

/** Every registry row (timestamps masked) and every table of the other databases. */
function dump(proj: string): string {
  const lines: string[] = [];
  for (const file of ["sqitch.db", "flipr.db", "other.db"]) {
    let db: DatabaseSync;
    try {
      Deno.statSync(`${proj}/${file}`);
      db = new DatabaseSync(`${proj}/${file}`, { readOnly: true });
    } catch {
      continue;
    }
    try {
      const tables = db.prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name",
      ).all();
      // An empty file (a client that never ran) counts as absent.
      if (tables.length === 0) continue;
      lines.push(`## ${file}`);
      for (const t of tables) {
        lines.push(`# ${t.name}: ${t.sql}`);
        if (file !== "sqitch.db") continue;
        for (const row of db.prepare(`SELECT * FROM "${t.name}" ORDER BY rowid`).all()) {
          lines.push(
            Object.entries(row).map(([k, v]) => `${k}=${/_at$/.test(k) && v !== null ? "<TS>" : v}`)
              .join(" | "),
          );
        }
      }
    } finally {
      db.close();
    }
  }
  return lines.join("\n") + "\n";
}

const scenarios: Scenario[] = [
  {
    name: "client: deploy, verify and revert through --client sqlite3",
    files: PROJECT,
    steps: [
      "deploy --client sqlite3 --to flips",
      "deploy --db-client sqlite3 --verify",
      "verify --client sqlite3",
      "-vv verify --client sqlite3 --to users",
      "revert -y --client sqlite3 --to users",
      "revert -y --client sqlite3 -s foo=bar",
    ],
  },
  {
    name: "client: engine.sqlite.client and core.client from the configuration",
    files: {
      ...PROJECT,
      ...CLIENTS,
      "sqitch.conf": CONF + "\tclient = ./logsql\n",
    },
    setup: makeExecutable,
    normalize: normalizeRegistryPath,
    steps: [
      "deploy --to users",
      "deploy --verify",
      "verify",
      "revert -y --to flips",
      "config --unset engine.sqlite.client",
      "config core.client ./logsql",
      "revert -y",
      "deploy db:sqlite:other.db --to users",
      // --client wins over the configuration.
      "revert -y --client sqlite3 db:sqlite:other.db",
    ],
  },
  {
    name: "client: failing deploy, verify and revert scripts through sqlite3",
    files: { ...FAILING, "sqitch.conf": CONF + "\tclient = sqlite3\n" },
    steps: [
      "deploy",
      "deploy --mode change",
      "deploy --to flips",
      "verify",
      "revert -y",
    ],
  },
  {
    name: "client: a client that cannot be run",
    files: { ...PROJECT, ...CLIENTS },
    setup: makeExecutable,
    steps: [
      // No registry yet: creating it through the client fails.
      "deploy --client ./nosuchclient",
      "deploy --client /nonexistent/sqlite3",
      "deploy --client nosuch-sqlite3-client",
      "deploy --to users",
      "deploy --client ./nosuchclient",
      "verify --client ./noexec",
      "deploy --client ./noexec",
      "revert -y --client deploy",
      "revert -y --client ./deploy",
      "revert -y",
    ],
  },
  {
    name: "client: clients that fail, die or are too old",
    files: { ...PROJECT, ...CLIENTS },
    setup: makeExecutable,
    steps: [
      "deploy --to users",
      "deploy --client ./exit3",
      "verify --client ./exit3",
      "deploy --client ./killed",
      "deploy --client ./oldsql",
      "deploy --client ./oldbare",
      "revert -y --client ./exit3",
      "revert -y",
      // Registry creation through clients that fail or are too old.
      "deploy --client ./oldsql --registry fresh",
      "deploy --client ./killed --registry fresh",
      "deploy --client ./noexec --registry fresh",
    ],
  },
  {
    name: "client: a quote in a script path (sqlite3 .read cannot take it), nested database",
    files: {
      ...PROJECT,
      ...CLIENTS,
      "sqitch.conf": CONF + "\tdeploy_dir = it's\n\tclient = ./logsql\n",
      "it's/users.sql": "CREATE TABLE users (id INTEGER);\n",
      "it's/flips.sql": "CREATE TABLE flips (id INTEGER);\n",
      "it's/three.sql": "CREATE TABLE three (id INTEGER);\n",
    },
    setup: (ctx) => {
      makeExecutable(ctx);
      Deno.mkdirSync(`${ctx.proj}/sub`);
    },
    normalize: normalizeRegistryPath,
    steps: [
      "deploy",
      "revert -y",
      "deploy db:sqlite:sub/nested.db --to users",
    ],
  },
];

/** Register a scenario: parity of every step, then of the registries and schemas. */
function clientTest(sc: Scenario): void {
  const availability = parityAvailability(["sqitch", "sqlite3"]);
  Deno.test({
    name: `parity: ${sc.name}`,
    ignore: availability.status === "skip",
    fn: async () => {
      if (availability.status === "fail") throw new Error(availability.reason);
      const dumps = new Map<Side, string>();
      const result = await runScenario({
        ...sc,
        ignorePaths: [...(sc.ignorePaths ?? []), "**/*.db"],
        teardown: (ctx: SandboxContext) => {
          dumps.set(ctx.side, dump(ctx.proj));
        },
      });
      if (Deno.env.get("PARITY_DEBUG")) {
        for (const side of [result.sqitch, result.sqlitch]) {
          for (const [i, o] of side.outcomes.entries()) {
            console.log(`--- ${side.side} step ${i + 1} rc=${o.code}\n${o.stdout}~~~\n${o.stderr}`);
          }
        }
      }
      assertParity(result);
      strictEqual(dumps.get("sqlitch"), dumps.get("sqitch"), "registry and schema dumps");
    },
  });
}

const names = new Set<string>();
for (const sc of scenarios) {
  if (names.has(sc.name)) throw new Error(`duplicate parity scenario name: ${sc.name}`);
  names.add(sc.name);
  clientTest(sc);
}
