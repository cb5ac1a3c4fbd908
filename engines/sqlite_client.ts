/**
 * Running SQLite scripts through a configured `sqlite3` client, exactly as
 * Sqitch does (engine-semantics.md §7.1):
 *
 *   {client} -noheader -bail -batch -csv {db} ".read '{script}'"
 *
 * with the database and script paths as given (relative to the working
 * directory) and the script path quoted SQL-style. Before its first run a
 * client is asked for its version (`{client} -version`) and must be at
 * least 3.3.9. Variables (`--set`) are not passed: sqlite3 has none.
 *
 * Without a configured client the engine keeps using its in-process
 * emulation (sqlite_script.ts) instead.
 */
import { join } from "../core/posix_path.ts";
import { CapturedOutput, EngineError, ScriptError, type ScriptOutput } from "./engine.ts";
import { captureClient, runClient } from "./client_process.ts";

/** The options Sqitch passes sqlite3 before the database file. */
export const SQLITE_CLIENT_OPTIONS: readonly string[] = ["-noheader", "-bail", "-batch", "-csv"];

/** `.read '<path>'`, the path quoted as an SQL string literal. */
export function sqliteReadCommand(path: string): string {
  return `.read '${path.replaceAll("'", "''")}'`;
}

/** The arguments after the client for running `script` against the database file `db`. */
export function sqliteClientArgs(db: string, script: string): string[] {
  return [...SQLITE_CLIENT_OPTIONS, db, sqliteReadCommand(script)];
}

/** Perl's `split`: no fields for an empty string, trailing empty fields dropped. */
function perlSplit(text: string, separator: string): string[] {
  if (text === "") return [];
  const fields = text.split(separator);
  while (fields.length > 0 && fields[fields.length - 1] === "") fields.pop();
  return fields;
}

/** Perl's numeric value of a string: its leading number, else 0. */
function perlNumber(text: string | undefined): number {
  const m = /^\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/.exec(text ?? "");
  return m ? Number(m[0].trim()) : 0;
}

/**
 * Check `{client} -version` output as Sqitch does: the first space-separated
 * word, read as dotted numbers, must be at least 3.3.9; otherwise throw
 * `Sqitch requires SQLite 3.3.9 or later; {client} is {version}`.
 */
export function checkSqliteClientVersion(client: string, output: string): void {
  const parts = perlSplit(perlSplit(output, " ")[0] ?? "", ".");
  const [major, minor, patch] = [0, 1, 2].map((i) => perlNumber(parts[i]));
  const ok = major > 3 || (major === 3 && (minor > 3 || (minor === 3 && patch >= 9)));
  if (!ok) {
    throw new EngineError(
      `Sqitch requires SQLite 3.3.9 or later; ${client} is ${parts.join(".")}`,
    );
  }
}

/** A configured sqlite3 client: checks its version once, then runs scripts through it. */
export class SqliteClient {
  /** The client exactly as configured. */
  readonly client: string;
  #versionChecked = false;

  constructor(client: string) {
    this.client = client;
  }

  /** Ask the client for its version before its first run (retried until it passes). */
  private async checkVersion(out: ScriptOutput): Promise<void> {
    if (this.#versionChecked) return;
    const version = await captureClient(
      { client: this.client, args: ["-version"] },
      (chunk) => out.stderr(chunk),
    );
    checkSqliteClientVersion(this.client, version);
    this.#versionChecked = true;
  }

  /** Run the script file `script` against the database file `db`; throws ScriptError on failure. */
  async runFile(db: string, script: string, out: ScriptOutput): Promise<void> {
    await this.checkVersion(out);
    await runClient({ client: this.client, args: sqliteClientArgs(db, script) }, out, script);
  }

  /**
   * Run SQL sqlitch carries (registry DDL) the same way: written to a
   * temporary `name` file that the client `.read`s. The client's output goes
   * to `out` when given; otherwise it is collected and, on failure, its
   * stderr leads the error message, as it would have preceded Sqitch's on
   * the terminal.
   */
  async runSql(db: string, name: string, sql: string, out?: ScriptOutput): Promise<void> {
    const dir = await Deno.makeTempDir({ prefix: "sqlitch-" });
    const collected = new CapturedOutput();
    try {
      const file = join(dir, name);
      await Deno.writeTextFile(file, sql);
      await this.runFile(db, file, out ?? collected);
    } catch (e) {
      if (collected.err === "") throw e;
      if (e instanceof ScriptError) {
        throw new ScriptError(e.script, e.status, collected.err + e.message, e.trailingBlankLine);
      }
      if (e instanceof EngineError) throw new EngineError(collected.err + e.message);
      throw e;
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  }
}
