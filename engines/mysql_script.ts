/**
 * Runs a SQL script the way Sqitch runs it on MySQL/MariaDB —
 * `mysql … --skip-pager --silent --skip-column-names --skip-line-numbers
 * --abort-source-on-error --execute "<SET @"k" = 'v', …;\n>source FILE"`
 * (engine-semantics.md §7.3) — without a mysql binary, over a
 * `MysqlSession`. Faithful to the MariaDB 10.11 client in that mode:
 *
 * - the `--execute` text is read like a script; `source` opens the file
 *   (relative to the working directory), reads it line by line through
 *   engines/mysql_lexer.ts and sends one statement at a time;
 * - result rows print tab-separated without headers (engines/mysql_format.ts),
 *   `\G` rows vertically; "Query OK"/"Database changed" and other notes are
 *   silent in batch mode;
 * - an error prints the failed statement between `--------------` lines and
 *   `ERROR <errno> (<state>) at line N in file: 'F': <message>` on stderr
 *   and stops everything: exit status 1 (a `source` that cannot be opened,
 *   an unknown `\x` command and other client errors likewise);
 * - `quit`/`exit`/`\q` ends the file it is in (what is pending is still
 *   sent), the delimiter and the statement buffer are shared with sourced
 *   files, as in the client.
 *
 * Client commands emulated: `delimiter`/`\d`, `source`/`\.`, `use`/`\u`,
 * `go`/`\g`, `ego`/`\G`, `clear`/`\c`, `print`/`\p`, `quit`/`exit`/`\q`,
 * `warnings`/`\W`, `nowarning`/`\w`, `charset`/`\C` (utf8, utf8mb3,
 * utf8mb4), `sandbox`/`\-`, `help`/`?`/`\h` without argument, `prompt`/`\R`,
 * and what batch mode makes inert or a fixed message: `tee`/`\T`,
 * `pager`/`\P`, `notee`/`\t`, `nopager`/`\n`, `rehash`/`\#`. Refused with a
 * `MysqlUnsupportedError` (set `engine.mysql.client` to use a real client):
 * `system`/`\!`, `edit`/`\e`, `connect`/`\r`, `status`/`\s`, server-side
 * `help <topic>`, other character sets.
 */
import { homedir } from "node:os";
import { ScriptError, type ScriptOutput } from "./engine.ts";
import {
  formatError,
  formatStatementEcho,
  formatTabRows,
  formatVerticalRows,
  formatWarning,
} from "./mysql_format.ts";
import {
  type ActionStatus,
  CLIENT_COMMANDS,
  type ClientCommand,
  commandArgument,
  DEFAULT_DELIMITER,
  type LexAction,
  MAX_DELIMITER_LENGTH,
  MysqlLineLexer,
  type QuoteModes,
  removeTrailingControl,
  type SharedInput,
} from "./mysql_lexer.ts";
import {
  MysqlConnectionError,
  type MysqlResult,
  MysqlServerError,
  type MysqlSession,
  SERVER_STATUS_ANSI_QUOTES,
  SERVER_STATUS_NO_BACKSLASH_ESCAPES,
} from "./mysql_session.ts";

/** The client's exit status on success. */
export const EXIT_SUCCESS = 0;
/** The client's exit status after an error. */
export const EXIT_FAILURE = 1;

/** Options of one run. */
export interface MysqlScriptOptions {
  /** Sqitch's script variables (`--set`), sent as `SET @"k" = 'v', …;` first. */
  variables?: Readonly<Record<string, string>>;
  /** Read a sourced file (default: the file system, relative to the working directory). */
  readFile?: (path: string) => Uint8Array | string;
  /** Where the client's stdout and stderr go. */
  out: ScriptOutput;
  /** The home directory for `source ~/…` (default: the user's). */
  homeDir?: string;
  /** The client's name in its own messages (argv[0]; default `mysql`). */
  programName?: string;
  /** The default prompt `prompt` without argument returns to (`$MYSQL_PS1` or `\N [\d]> `). */
  defaultPrompt?: string;
}

/** A client command the emulation cannot honour: use a real client (`engine.mysql.client`). */
export class MysqlUnsupportedError extends ScriptError {
  /** The script (or `--execute`) and the line where it was met. */
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, what: string) {
    super(
      file,
      EXIT_FAILURE,
      `${file}:${line}: ${what} is not supported by sqlitch's built-in mysql client; ` +
        `set engine.mysql.client to a mysql executable to run this script`,
    );
    this.name = "MysqlUnsupportedError";
    this.file = file;
    this.line = line;
  }
}

/**
 * The `--execute` text Sqitch passes: the variables as one `SET` (sorted by
 * name, `"` doubled in names, `'` doubled in values) and a newline, then
 * `source FILE`.
 */
export function sqitchExecuteText(
  file: string,
  variables: Readonly<Record<string, string>> = {},
): string {
  return `${setVariablesPrefix(variables)}source ${file}`;
}

/** Sqitch's `SET @"k" = 'v', …;\n` prefix, or "" without variables. */
export function setVariablesPrefix(variables: Readonly<Record<string, string>>): string {
  const names = Object.keys(variables).sort();
  if (names.length === 0) return "";
  const sets = names.map((name) =>
    `@"${name.replaceAll('"', '""')}" = '${variables[name].replaceAll("'", "''")}'`
  );
  return `SET ${sets.join(", ")};\n`;
}

/**
 * Run `file` over `session` as Sqitch's `mysql --execute "…source FILE"`;
 * resolves with the client's exit status (0, or 1 after an error). Throws
 * `MysqlUnsupportedError` for what needs a real client.
 */
export function runMysqlScript(
  session: MysqlSession,
  file: string,
  opts: MysqlScriptOptions,
): Promise<number> {
  return runMysqlText(session, sqitchExecuteText(file, opts.variables), opts);
}

/**
 * Run `text` as the client runs its `--execute` argument (or a script on
 * its standard input): top level, no file name in messages. Resolves with
 * the exit status.
 */
export function runMysqlText(
  session: MysqlSession,
  text: string,
  opts: MysqlScriptOptions,
): Promise<number> {
  return new MysqlClient(session, opts).run(text);
}

/** One level of input (the client's STATUS): top level or a sourced file. */
interface Level {
  lexer: MysqlLineLexer;
  /** File name as given to `source`; undefined at top level. */
  file?: string;
  exitStatus: number;
  sandbox: boolean;
}

const decoder = new TextDecoder();

/** The emulated client: one run, its shared state and its commands. */
class MysqlClient {
  private readonly shared: SharedInput = { delimiter: DEFAULT_DELIMITER, buffer: "" };
  private showWarnings = false;
  /** The client's ignore_errors: off with --execute and with --abort-source-on-error. */
  private readonly ignoreErrors = false;
  private level!: Level;

  constructor(private readonly session: MysqlSession, private readonly opts: MysqlScriptOptions) {}

  run(text: string): Promise<number> {
    return this.readAndExecute(text, undefined, false);
  }

  private modes = (): QuoteModes => {
    const status = this.session.serverStatus?.() ?? 0;
    return {
      ansiQuotes: (status & SERVER_STATUS_ANSI_QUOTES) !== 0,
      noBackslashEscapes: (status & SERVER_STATUS_NO_BACKSLASH_ESCAPES) !== 0,
    };
  };

  /** The client's read_and_execute over one input; returns its exit status. */
  private async readAndExecute(
    text: string,
    file: string | undefined,
    sandbox: boolean,
  ): Promise<number> {
    const level: Level = {
      lexer: new MysqlLineLexer(this.shared, this.modes),
      file,
      exitStatus: EXIT_FAILURE,
      sandbox,
    };
    const saved = this.level;
    this.level = level;
    try {
      const lines = splitLines(text);
      let stopped = false;
      for (let i = 0; i < lines.length && !stopped; i++) {
        let line = lines[i];
        if (line.includes("\0")) {
          this.putError(
            "ASCII '\\0' appeared in the statement, but this is not allowed unless option " +
              "--binary-mode is enabled and mysql is run in non-interactive mode. Set " +
              "--binary-mode to 1 if ASCII '\\0' is expected. Query: '" + this.shared.buffer +
              line.slice(0, line.indexOf("\0")) + "'.",
          );
          level.exitStatus = EXIT_FAILURE;
          stopped = true;
          break;
        }
        if (i === 0 && line.startsWith("\ufeff")) line = line.slice(1);
        level.lexer.countLine();
        const command = level.lexer.lineCommand(line);
        if (command) {
          if (await this.command(command, line) > 0) {
            stopped = true;
            break;
          }
          if (this.shared.buffer === "") level.lexer.inString = "";
          continue;
        }
        const scan = level.lexer.scan(line);
        let step = scan.next();
        while (!step.done) {
          const status = await this.action(step.value);
          step = scan.next(status);
        }
        if (step.value > 0) stopped = true;
      }
      if (!stopped) {
        level.exitStatus = EXIT_SUCCESS;
        this.shared.buffer = removeTrailingControl(this.shared.buffer);
        if (this.shared.buffer !== "") {
          level.exitStatus = EXIT_FAILURE;
          if (await this.go(false) <= 0) level.exitStatus = EXIT_SUCCESS;
        }
      }
      return level.exitStatus;
    } finally {
      this.level = saved;
    }
  }

  private action(action: LexAction): Promise<ActionStatus> {
    switch (action.kind) {
      case "go":
        return this.go(action.vertical);
      case "unknown":
        return Promise.resolve(this.putError(`Unknown command '\\${action.letter}'.`));
      case "command":
        return this.command(action.command, action.text);
    }
  }

  /** Print an `ERROR …` line; the client's put_info status (1 = stop). */
  private putError(message: string, errno?: number, sqlState?: string): ActionStatus {
    const place = { line: this.level.lexer.queryStartLine, file: this.level.file };
    this.opts.out.stderr(formatError(message, place, errno, sqlState));
    return this.ignoreErrors ? -1 : 1;
  }

  private unsupported(what: string): never {
    throw new MysqlUnsupportedError(
      this.level.file ?? "--execute",
      this.level.lexer.lineNumber,
      what,
    );
  }

  /** Run one client command; its status. */
  private async command(command: ClientCommand, text: string): Promise<ActionStatus> {
    const out = this.opts.out;
    switch (command.name) {
      case "go":
        return await this.go(false);
      case "ego":
        return await this.go(true);
      case "clear":
        this.shared.buffer = "";
        return 0;
      case "print":
        out.stdout(formatStatementEcho(this.shared.buffer));
        return 0;
      case "exit":
      case "quit":
        this.level.exitStatus = EXIT_SUCCESS;
        return 1;
      case "delimiter":
        return this.delimiter(text);
      case "source":
        return await this.source(text);
      case "use":
        return await this.use(text);
      case "charset":
        return await this.charset(text);
      case "warnings":
        this.showWarnings = true;
        return 0;
      case "nowarning":
        this.showWarnings = false;
        return 0;
      case "sandbox":
        this.level.sandbox = true;
        return 0;
      case "rehash":
      case "pager":
      case "tee":
        return 0;
      case "nopager":
        out.stdout("PAGER set to stdout\n");
        return 0;
      case "notee":
        out.stdout("Outfile disabled.\n");
        return 0;
      case "prompt": {
        const space = text.indexOf(" ");
        if (space < 0) {
          const prompt = this.opts.defaultPrompt ?? "\\N [\\d]> ";
          out.stdout(`Returning to default PROMPT of ${prompt}\n`);
        } else {
          out.stdout(`PROMPT set to '${text.slice(space + 1)}'\n`);
        }
        return 0;
      }
      case "?":
      case "help": {
        const space = text.indexOf(" ");
        if (space >= 0 && text.slice(space).trim() !== "") {
          this.unsupported("the server-side help command");
        }
        out.stdout(HELP_TEXT);
        return 0;
      }
      case "system":
        if (this.level.sandbox) return this.putError("Not allowed in the sandbox mode");
        return this.unsupported("the client command `system` (`\\!`)");
      default:
        return this.unsupported(`the client command \`${command.name}\` (\`\\${command.letter}\`)`);
    }
  }

  private delimiter(text: string): ActionStatus {
    const arg = commandArgument(text);
    if (!arg) {
      this.putError("DELIMITER must be followed by a 'delimiter' character or string");
      return 0;
    }
    if (arg.includes("\\")) {
      this.putError("DELIMITER cannot contain a backslash character");
      return 0;
    }
    this.shared.delimiter = arg.slice(0, MAX_DELIMITER_LENGTH);
    return 0;
  }

  private async source(text: string): Promise<ActionStatus> {
    if (this.level.sandbox) return this.putError("Not allowed in the sandbox mode");
    let line = text.replace(/^[ \t\n\r\v\f]+/, "");
    const space = line.indexOf(" ");
    if (space < 0) return this.putError("Usage: \\. <filename> | source <filename>");
    line = line.slice(space).replace(/^[ \t\n\r\v\f]+/, "");
    let name = line;
    while (name.length > 0 && (name.charCodeAt(name.length - 1) <= 0x20 || name.endsWith("\x7f"))) {
      name = name.slice(0, -1);
    }
    if (name === "~" || name.startsWith("~/")) {
      name = (this.opts.homeDir ?? homedir()) + name.slice(1);
    }
    let content: string;
    try {
      const data = (this.opts.readFile ?? Deno.readFileSync)(name);
      content = typeof data === "string" ? data : decoder.decode(data);
    } catch (e) {
      if (e instanceof Deno.errors.IsADirectory) {
        return this.putError(`Can't read from a directory '${name}'`);
      }
      return this.putError(`Failed to open file '${name}', error: ${errnoOf(e)}`);
    }
    this.shared.buffer = "";
    const status = await this.readAndExecute(content, name, this.level.sandbox);
    return status !== 0 && this.ignoreErrors ? -1 : status;
  }

  private async use(text: string): Promise<ActionStatus> {
    const db = commandArgument(text);
    if (!db) {
      this.putError("USE must be followed by a database name");
      return 0;
    }
    try {
      await this.session.query("USE `" + db.replaceAll("`", "``") + "`");
    } catch (e) {
      return this.failure(e);
    }
    return 0;
  }

  private async charset(text: string): Promise<ActionStatus> {
    const name = commandArgument(text);
    if (!name) return this.putError("Usage: \\C charset_name | charset charset_name");
    const lower = name.toLowerCase();
    if (!KNOWN_CHARSETS.has(lower)) {
      this.opts.out.stderr(
        `\x07${
          this.opts.programName ?? "mysql"
        }: Character set '${name}' is not a compiled character set and is not specified ` +
          `in the '/usr/share/mysql/charsets/Index.xml' file\n`,
      );
      return 0;
    }
    if (WIDE_CHARSETS.has(lower)) {
      return this.putError("Character sets with mbminlen>1 are not supported");
    }
    if (!UTF8_CHARSETS.has(lower)) this.unsupported(`the character set ${name}`);
    try {
      await this.session.query(`SET NAMES ${lower === "utf8" ? "utf8mb3" : lower}`);
    } catch (e) {
      return this.failure(e);
    }
    return 0;
  }

  /** Report a failed server call (no statement echo); its status. */
  private failure(e: unknown): ActionStatus {
    if (e instanceof MysqlServerError) return this.putError(e.message, e.errno, e.sqlState);
    if (e instanceof MysqlConnectionError) return this.putError(e.message, e.errno, "HY000");
    throw e;
  }

  /** The client's com_go: send the buffer, print its results; its status. */
  private async go(vertical: boolean): Promise<ActionStatus> {
    const sql = removeTrailingControl(this.shared.buffer);
    this.shared.buffer = sql;
    if (sql === "") return 0;
    let results: MysqlResult[];
    let status: ActionStatus = 0;
    let warnings = 0;
    let errno = 0;
    try {
      results = await this.session.query(sql);
    } catch (e) {
      this.shared.buffer = "";
      const partial = e instanceof MysqlServerError ? e.results ?? [] : [];
      for (const r of partial) warnings = this.printResult(r, vertical);
      if (!(e instanceof MysqlServerError && e.afterFields)) {
        this.opts.out.stderr(formatStatementEcho(partial.length === 0 ? sql : ""));
      }
      if (e instanceof MysqlServerError) {
        errno = e.errno;
        status = this.putError(e.message, e.errno, e.sqlState);
      } else if (e instanceof MysqlConnectionError) {
        errno = e.errno;
        status = this.putError(e.message, e.errno, "HY000");
      } else {
        throw e;
      }
      if (this.showWarnings) await this.printWarnings(errno);
      return status;
    }
    this.shared.buffer = "";
    for (const r of results) warnings = this.printResult(r, vertical);
    if (this.showWarnings && warnings >= 1) await this.printWarnings(0);
    return status;
  }

  /** Print one result as the client does in batch mode; its warning count. */
  private printResult(result: MysqlResult, vertical: boolean): number {
    if (result.fields.length > 0 && result.rows.length > 0) {
      this.opts.out.stdout(
        vertical
          ? formatVerticalRows(result.fields, result.rows)
          : formatTabRows(result.fields, result.rows),
      );
    }
    return result.warningCount ?? 0;
  }

  /** `\W` output: the server's warnings, unless the only one repeats the error just printed. */
  private async printWarnings(errno: number): Promise<void> {
    let rows: (string | null)[][];
    try {
      const results = await this.session.query("show warnings");
      rows = results[0]?.rows ?? [];
    } catch (e) {
      this.failure(e);
      return;
    }
    if (rows.length === 0) return;
    if (rows.length === 1 && errno !== 0 && Number.parseInt(rows[0][1] ?? "", 10) === errno) return;
    for (const row of rows) this.opts.out.stdout(formatWarning(row[0], row[1], row[2]));
  }
}

/** Lines as the client's batch reader yields them: split at newlines, one trailing CR dropped. */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((l) => l.endsWith("\r") ? l.slice(0, -1) : l);
}

/** The errno the client reports for a file it cannot open. */
function errnoOf(e: unknown): number {
  if (e instanceof Deno.errors.NotFound) return 2;
  if (e instanceof Deno.errors.PermissionDenied) return 13;
  const code = (e as { code?: string })?.code;
  if (code === "ENOENT") return 2;
  if (code === "EACCES") return 13;
  if (code === "ENOTDIR") return 20;
  return 5;
}

/** Character sets the client knows (MariaDB 10.11). */
const KNOWN_CHARSETS = new Set([
  "armscii8",
  "ascii",
  "big5",
  "binary",
  "cp1250",
  "cp1251",
  "cp1256",
  "cp1257",
  "cp850",
  "cp852",
  "cp866",
  "cp932",
  "dec8",
  "eucjpms",
  "euckr",
  "gb2312",
  "gbk",
  "geostd8",
  "greek",
  "hebrew",
  "hp8",
  "keybcs2",
  "koi8r",
  "koi8u",
  "latin1",
  "latin2",
  "latin5",
  "latin7",
  "macce",
  "macroman",
  "sjis",
  "swe7",
  "tis620",
  "ucs2",
  "ujis",
  "utf16",
  "utf16le",
  "utf32",
  "utf8",
  "utf8mb3",
  "utf8mb4",
]);

/** Character sets the client refuses (more than one byte per character at minimum). */
const WIDE_CHARSETS = new Set(["ucs2", "utf16", "utf16le", "utf32"]);

/** Character sets the emulation can switch to (its text is UTF-8). */
const UTF8_CHARSETS = new Set(["utf8", "utf8mb3", "utf8mb4"]);

/** What `help` prints in batch mode (MariaDB 10.11 client). */
const HELP_TEXT = CLIENT_COMMANDS.map((c) => {
  const docs: Record<string, string> = {
    "?": "Synonym for `help'.",
    charset:
      "Switch to another charset. Might be needed for processing binlog with multi-byte charsets.",
    clear: "Clear the current input statement.",
    connect: "Reconnect to the server. Optional arguments are db and host.",
    delimiter: "Set statement delimiter.",
    edit: "Edit command with $EDITOR.",
    ego: "Send command to MariaDB server, display result vertically.",
    exit: "Exit mysql. Same as quit.",
    go: "Send command to MariaDB server.",
    help: "Display this help.",
    nopager: "Disable pager, print to stdout.",
    notee: "Don't write into outfile.",
    nowarning: "Don't show warnings after every statement.",
    pager: "Set PAGER [to_pager]. Print the query results via PAGER.",
    print: "Print current command.",
    prompt: "Change your mysql prompt.",
    quit: "Quit mysql.",
    rehash: "Rebuild completion hash.",
    sandbox:
      "Disallow commands that access the file system (except \\P without an argument and \\e).",
    source: "Execute an SQL script file. Takes a file name as an argument.",
    status: "Get status information from the server.",
    system: "Execute a system shell command.",
    tee: "Set outfile [to_outfile]. Append everything into given outfile.",
    use: "Use another database. Takes database name as argument.",
    warnings: "Show warnings after every statement.",
  };
  return `${c.name.padEnd(10)}(\\${c.letter}) ${docs[c.name]}\n`;
}).join("");
