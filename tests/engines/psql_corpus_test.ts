/**
 * Differential test of the psql emulation (engines/psql_script.ts) against
 * the real `psql` client, run the way Sqitch runs it: every script in
 * tests/fixtures/psql_corpus/*.sql runs once through `psql --quiet
 * --no-psqlrc --no-align --tuples-only --set ON_ERROR_STOP=1 --set
 * registry=sqitch --file NAME.sql` and once through the emulation over a
 * `PgSession`, each on its own fresh database; stdout, stderr, exit status
 * and the database left behind (pg_dump) must be identical. Files under
 * inc/ are only reached through `\i`/`\ir`.
 *
 * Skips loudly without psql or the server; fails under CI.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CapturedOutput } from "../../engines/engine.ts";
import { PsqlUnsupportedError, runPsqlScript } from "../../engines/psql_script.ts";
import {
  createDatabase,
  dropDatabase,
  PG_HOST,
  PG_PORT,
  pgAvailable,
  pgSession,
} from "./pg_server.ts";

const CORPUS = fileURLToPath(new URL("../fixtures/psql_corpus/", import.meta.url));

/** Sqitch's `--set` variables for every corpus script. */
const VARIABLES: Record<string, string> = {
  back: "a\\b",
  greeting: "hello world",
  ident: 'My "Table"',
  quote: "it's",
  semi: "select 'from a variable';",
  tbl: "vt",
};

function hasPsql(): boolean {
  try {
    return new Deno.Command("psql", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

async function available(): Promise<boolean> {
  if (!hasPsql()) {
    const reason = "psql corpus tests need the psql client on PATH";
    if (Deno.env.get("CI")) throw new Error(reason);
    console.error(
      `\n${"!".repeat(78)}\n!! PSQL CORPUS TESTS SKIPPED: ${reason}\n${"!".repeat(78)}\n`,
    );
    return false;
  }
  return await pgAvailable();
}

const dec = new TextDecoder();

interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
}

function conninfo(db: string): string {
  return `user=postgres dbname=${db} host=${PG_HOST} port=${PG_PORT}`;
}

async function runRealPsql(db: string, script: string): Promise<Outcome> {
  const args = ["--dbname", conninfo(db)];
  for (const name of Object.keys(VARIABLES).sort()) {
    args.push("--set", `${name}=${VARIABLES[name]}`);
  }
  args.push(
    "--quiet",
    "--no-psqlrc",
    "--no-align",
    "--tuples-only",
    "--set",
    "ON_ERROR_STOP=1",
    "--set",
    "registry=sqitch",
    "--file",
    script,
  );
  const r = await new Deno.Command("psql", {
    args,
    cwd: CORPUS,
    env: { LC_ALL: "C.UTF-8", PGCLIENTENCODING: "UTF8", PGTZ: "UTC" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { status: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
}

let clientVersion: { version: string; name: string; num: string } | undefined;

async function psqlVersion(db: string): Promise<{ version: string; name: string; num: string }> {
  if (clientVersion) return clientVersion;
  const r = await new Deno.Command("psql", {
    args: [
      "--dbname",
      conninfo(db),
      "-X",
      "-At",
      "-c",
      "\\echo :VERSION",
      "-c",
      "\\echo :VERSION_NAME",
      "-c",
      "\\echo :VERSION_NUM",
    ],
    stdout: "piped",
  }).output();
  const [version, name, num] = dec.decode(r.stdout).split("\n");
  clientVersion = { version, name, num };
  return clientVersion;
}

async function runEmulation(db: string, script: string): Promise<Outcome> {
  const session = await pgSession(db);
  await session.exec("SET TIME ZONE 'UTC'");
  const out = new CapturedOutput();
  try {
    const status = await runPsqlScript(session, script, {
      variables: VARIABLES,
      registry: "sqitch",
      out,
      readFile: (p) => Deno.readTextFileSync(p.startsWith("/") ? p : join(CORPUS, p)),
      clientVersion: await psqlVersion(db),
    });
    return { status, stdout: out.out, stderr: out.err };
  } catch (e) {
    if (!(e instanceof PsqlUnsupportedError)) throw e;
    return { status: -1, stdout: out.out, stderr: out.err + `UNSUPPORTED: ${e.message}\n` };
  } finally {
    await session.close();
  }
}

async function dump(db: string): Promise<string> {
  const r = await new Deno.Command("pg_dump", {
    args: ["-h", PG_HOST, "-p", PG_PORT, "-U", "postgres", "--no-owner", db],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (r.code !== 0) throw new Error(`pg_dump failed: ${dec.decode(r.stderr)}`);
  return dec.decode(r.stdout).replace(/^\\(un)?restrict .*$/gm, "\\$1restrict <KEY>");
}

const scripts = [...Deno.readDirSync(CORPUS)]
  .filter((e) => e.isFile && e.name.endsWith(".sql"))
  .map((e) => e.name)
  .sort();

/** Expected divergences: script name → why (the test then only checks the emulation refuses or differs as documented). */
const UNSUPPORTED = new Set([
  "unsupported_meta.sql",
  "unsupported_backtick.sql",
  "unsupported_connect.sql",
]);

const ok = await available();
const stamp = `${Date.now().toString(36).slice(-5)}${Deno.pid}`;

/** Run one script both ways; a description of every difference (empty when identical). */
async function compare(script: string): Promise<string[]> {
  const base = `psqlc_${script.replace(/\W/g, "_")}_${stamp}`.toLowerCase().slice(0, 36);
  const realDb = `${base}_r`;
  const emuDb = `${base}_e`;
  await Promise.all([createDatabase(realDb), createDatabase(emuDb)]);
  try {
    const [real, emu] = await Promise.all([
      runRealPsql(realDb, script),
      runEmulation(emuDb, script),
    ]);
    if (UNSUPPORTED.has(script)) {
      return emu.status === -1 ? [] : [`expected a PsqlUnsupportedError:\n${emu.stderr}`];
    }
    const diffs: string[] = [];
    const check = (what: string, a: string, b: string) => {
      if (a !== b) diffs.push(`${what} differs\n--- psql\n${b}\n--- emulation\n${a}`);
    };
    const norm = (s: string, db: string) => s.replaceAll(db, "<DB>");
    check("stderr", norm(emu.stderr, emuDb), norm(real.stderr, realDb));
    check("stdout", norm(emu.stdout, emuDb), norm(real.stdout, realDb));
    check("exit status", String(emu.status), String(real.status));
    const [emuDump, realDump] = await Promise.all([dump(emuDb), dump(realDb)]);
    check("database", emuDump, realDump);
    return diffs;
  } finally {
    await Promise.all([dropDatabase(realDb), dropDatabase(emuDb)]);
  }
}

/** All comparisons, a few at a time, started once; each test awaits its own. */
const outcomes = new Map<string, Promise<string[]>>();
if (ok) {
  const queue = [...scripts];
  const waiters = new Map<string, (r: string[] | Error) => void>();
  for (const s of scripts) {
    outcomes.set(
      s,
      new Promise((resolve, reject) =>
        waiters.set(s, (r) => r instanceof Error ? reject(r) : resolve(r))
      ),
    );
    outcomes.get(s)!.catch(() => {});
  }
  const worker = async () => {
    for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
      try {
        waiters.get(s)!(await compare(s));
      } catch (e) {
        waiters.get(s)!(e instanceof Error ? e : new Error(String(e)));
      }
    }
  };
  for (let i = 0; i < 6; i++) worker();
}

for (const script of scripts) {
  Deno.test({
    name: `psql corpus: ${script}`,
    ignore: !ok,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const diffs = await outcomes.get(script)!;
      if (diffs.length > 0) throw new Error(`${script}:\n${diffs.join("\n")}`);
    },
  });
}
