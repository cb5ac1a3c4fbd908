/**
 * Differential test of the mysql-client emulation (engines/mysql_script.ts)
 * against the real `mysql` client (MariaDB), run the way Sqitch runs it:
 * every script in tests/fixtures/mysql_corpus/*.sql runs once through
 * `mysql --user root --database DB --host H --port P --skip-pager --silent
 * --skip-column-names --skip-line-numbers --abort-source-on-error
 * --execute "SET @"k" = 'v', …;\nsource NAME.sql"` and once through the
 * emulation over the engine's own session (engines/mysql_connection.ts),
 * each in its own fresh database;
 * stdout, stderr, exit status and the database left behind (mysqldump:
 * schema, routines, triggers, data) must be identical. Files under inc/
 * are only reached through `source`.
 *
 * Skips loudly without the client or the server; fails under CI.
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { CapturedOutput } from "../../engines/engine.ts";
import { MysqlConnection } from "../../engines/mysql_connection.ts";
import {
  MysqlUnsupportedError,
  runMysqlScript,
  setVariablesPrefix,
} from "../../engines/mysql_script.ts";
import {
  createDatabase,
  dropDatabase,
  MYSQL_HOST,
  MYSQL_PORT,
  MYSQL_USER,
  mysqlAvailable,
} from "./mysql_test_session.ts";

const CORPUS = fileURLToPath(new URL("../fixtures/mysql_corpus/", import.meta.url));

/** Sqitch's `--set` variables for every corpus script. */
const VARIABLES: Record<string, string> = {
  back: "a\\b",
  greeting: "hello world",
  quote: "it's",
  semi: "select 'from a variable';",
  tbl: "vt",
  'we"ird': "odd name",
};

/** The client's environment: a UTF-8 locale (connection character set utf8mb3). */
const CLIENT_ENV = { LC_ALL: "C.UTF-8", TZ: "UTC" };

function hasClient(): boolean {
  try {
    return new Deno.Command("mysql", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

async function available(): Promise<boolean> {
  if (!hasClient()) {
    const reason = "mysql corpus tests need the mysql client on PATH";
    if (Deno.env.get("CI")) throw new Error(reason);
    console.error(
      `\n${"!".repeat(78)}\n!! MYSQL CORPUS TESTS SKIPPED: ${reason}\n${"!".repeat(78)}\n`,
    );
    return false;
  }
  return await mysqlAvailable();
}

const dec = new TextDecoder();

interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
}

async function runRealClient(db: string, script: string): Promise<Outcome> {
  const r = await new Deno.Command("mysql", {
    args: [
      "--user",
      MYSQL_USER,
      "--database",
      db,
      "--host",
      MYSQL_HOST,
      "--port",
      String(MYSQL_PORT),
      "--skip-pager",
      "--silent",
      "--skip-column-names",
      "--skip-line-numbers",
      "--abort-source-on-error",
      "--execute",
      `${setVariablesPrefix(VARIABLES)}source ${script}`,
    ],
    cwd: CORPUS,
    env: CLIENT_ENV,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { status: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
}

async function runEmulation(db: string, script: string): Promise<Outcome> {
  // The production session (engines/mysql_wire.ts), as the engine opens it in a UTF-8 locale.
  const session = await MysqlConnection.open({
    params: { host: MYSQL_HOST, port: MYSQL_PORT, user: MYSQL_USER, compress: false },
    database: db,
    names: "utf8mb3",
    readLocalFile: (p) => Deno.readFileSync(p.startsWith("/") ? p : join(CORPUS, p)),
  });
  const out = new CapturedOutput();
  try {
    const status = await runMysqlScript(session, script, {
      variables: VARIABLES,
      out,
      readFile: (p) => Deno.readFileSync(p.startsWith("/") ? p : join(CORPUS, p)),
    });
    return { status, stdout: out.out, stderr: out.err };
  } catch (e) {
    if (!(e instanceof MysqlUnsupportedError)) throw e;
    return { status: -1, stdout: out.out, stderr: out.err + `UNSUPPORTED: ${e.message}\n` };
  } finally {
    await session.close();
  }
}

async function dump(db: string): Promise<string> {
  const r = await new Deno.Command("mysqldump", {
    args: [
      "--user",
      MYSQL_USER,
      "--host",
      MYSQL_HOST,
      "--port",
      String(MYSQL_PORT),
      "--skip-dump-date",
      "--routines",
      "--triggers",
      "--skip-extended-insert",
      "--order-by-primary",
      db,
    ],
    env: CLIENT_ENV,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (r.code !== 0) throw new Error(`mysqldump failed: ${dec.decode(r.stderr)}`);
  return dec.decode(r.stdout).replaceAll(db, "<DB>");
}

const scripts = [...Deno.readDirSync(CORPUS)]
  .filter((e) => e.isFile && e.name.endsWith(".sql"))
  .map((e) => e.name)
  .sort();

/** Scripts the emulation must refuse (it then throws MysqlUnsupportedError). */
const UNSUPPORTED = new Set(["unsupported_system.sql", "unsupported_status.sql"]);

const ok = await available();
const stamp = `${Date.now().toString(36).slice(-5)}${Deno.pid}`;

/** Run one script both ways; a description of every difference (empty when identical). */
async function compare(script: string): Promise<string[]> {
  const base = `myc_${script.replace(/\W/g, "_")}_${stamp}`.toLowerCase().slice(0, 60);
  const realDb = `${base}_r`;
  const emuDb = `${base}_e`;
  await Promise.all([createDatabase(realDb), createDatabase(emuDb)]);
  try {
    const [real, emu] = await Promise.all([
      runRealClient(realDb, script),
      runEmulation(emuDb, script),
    ]);
    if (UNSUPPORTED.has(script)) {
      return emu.status === -1 ? [] : [`expected a MysqlUnsupportedError:\n${emu.stderr}`];
    }
    const diffs: string[] = [];
    const check = (what: string, a: string, b: string) => {
      if (a !== b) diffs.push(`${what} differs\n--- mysql\n${b}\n--- emulation\n${a}`);
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
    name: `mysql corpus: ${script}`,
    ignore: !ok,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const diffs = await outcomes.get(script)!;
      if (diffs.length > 0) throw new Error(`${script}:\n${diffs.join("\n")}`);
    },
  });
}
