/**
 * Runs a SQL script the way Sqitch runs it on PostgreSQL —
 * `psql --dbname … [--set k=v …] --quiet --no-psqlrc --no-align
 * --tuples-only --set ON_ERROR_STOP=1 --set registry=R --file FILE`
 * (engine-semantics.md §7.2) — without a psql binary, over a `PsqlSession`.
 *
 * Faithful to psql 15: the file is read line by line and lexed by
 * engines/psql_lexer.ts; each statement is sent on its own (autocommit, so
 * the script's own BEGIN/COMMIT and statements that refuse a transaction
 * block work); `COPY … FROM STDIN` takes its data from the following lines
 * up to `\.`, `COPY … TO STDOUT` prints its data; rows print unaligned
 * without headers; notices, warnings and errors print as psql prints them
 * (`psql:FILE:LINE: ERROR:  …` with `LINE n:` and the caret, DETAIL, HINT,
 * CONTEXT, per VERBOSITY and SHOW_CONTEXT). The exit status is psql's:
 * 0 success, 1 a file that cannot be read or a bad `--set`, 2 a lost
 * connection, 3 an error under ON_ERROR_STOP.
 *
 * psql variables: Sqitch's `--set`s, `ON_ERROR_STOP`, `registry`, psql's
 * built-ins (DBNAME, USER, HOST, PORT, ENCODING, SERVER_VERSION_*,
 * ERROR, SQLSTATE, ROW_COUNT, LAST_ERROR_*…) with psql's checks for its
 * special variables. Meta-commands: `\set`, `\unset`, `\echo`, `\qecho`,
 * `\warn`, `\i`/`\include`, `\ir`/`\include_relative`, `\if`, `\elif`,
 * `\else`, `\endif`, `\g` (no arguments), `\gset`, `\gexec`, `\connect`,
 * `\q`, `\r`, `\p`, `\conninfo`, `\errverbose`, `\timing off`. Special
 * variables whose effect is emulated: ON_ERROR_STOP, QUIET, ECHO,
 * VERBOSITY, SHOW_CONTEXT, SHOW_ALL_RESULTS, SINGLELINE.
 *
 * What cannot be emulated without a real psql (other meta-commands such as
 * `\copy`, `\o`, `\pset`, `\d…`, backquoted shell commands, AUTOCOMMIT off,
 * ON_ERROR_ROLLBACK on, SINGLESTEP) stops the run with a
 * `PsqlUnsupportedError` naming the script, the line and the command, and
 * telling the user to set `engine.pg.client`.
 */
import { ScriptError, type ScriptOutput } from "./engine.ts";
import {
  formatServerMessage,
  formatUnaligned,
  messagePrefix,
  type ShowContext,
  type Verbosity,
} from "./psql_format.ts";
import {
  BacktickError,
  type OptionType,
  PsqlScanner,
  type QueryBuffer,
  quoteIdentifier,
  quoteLiteral,
  type SlashOption,
} from "./psql_lexer.ts";
import {
  PgConnectionError,
  type PgMessage,
  PgServerError,
  type PsqlReconnect,
  type PsqlResult,
  type PsqlSession,
} from "./psql_session.ts";

/** psql's exit statuses. */
export const EXIT_SUCCESS = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BADCONN = 2;
export const EXIT_USER = 3;

/** Options of one run. */
export interface PsqlScriptOptions {
  /** Sqitch's script variables (`--set`), passed to psql sorted by name. */
  variables?: Readonly<Record<string, string>>;
  /** The registry schema, psql's `registry` variable (default `sqitch`). */
  registry?: string;
  /** Read a script file (default: Deno.readTextFileSync). */
  readFile?: (path: string) => string;
  /** Where psql's stdout and stderr go. */
  out: ScriptOutput;
  /** psql's own version for VERSION, VERSION_NAME, VERSION_NUM (default: derived from the server's). */
  clientVersion?: { version: string; name: string; num: string };
}

/** A meta-command or setting the emulation cannot honour: use a real psql (`engine.pg.client`). */
export class PsqlUnsupportedError extends ScriptError {
  /** The script and line where it was met. */
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, what: string) {
    super(
      file,
      EXIT_USER,
      `${file}:${line}: ${what} is not supported by sqlitch's built-in psql; ` +
        `set engine.pg.client to a psql executable to run this script`,
    );
    this.name = "PsqlUnsupportedError";
    this.file = file;
    this.line = line;
  }
}

/**
 * Run `file` over `session` as `psql --file` with Sqitch's options; resolves
 * with psql's exit status. Throws `PsqlUnsupportedError` for what needs a
 * real psql.
 */
export async function runPsqlScript(
  session: PsqlSession,
  file: string,
  opts: PsqlScriptOptions,
): Promise<number> {
  const run = new PsqlRun(session, opts);
  try {
    return await run.main(file);
  } catch (e) {
    if (e instanceof ExitNow) return e.status;
    throw e;
  } finally {
    session.onNotice(undefined);
  }
}

/** Ends the whole run at once with a status (psql's `exit()`). */
class ExitNow extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`exit ${status}`);
    this.status = status;
  }
}

// ---------------------------------------------------------------------------
// Variables

type Hook = (value: string | undefined, name: string) => { ok: boolean; value?: string };

/** psql's ParseVariableBool: prefixes of true/false/yes/no, on/off (2+ chars), 1/0. */
export function parseVariableBool(value: string | undefined): boolean | undefined {
  const v = (value ?? "").toLowerCase();
  const len = v.length;
  if (len > 0 && "true".startsWith(v)) return true;
  if (len > 0 && "false".startsWith(v)) return false;
  if (len > 0 && "yes".startsWith(v)) return true;
  if (len > 0 && "no".startsWith(v)) return false;
  if (len >= 2 && "on".startsWith(v)) return true;
  if (len >= 2 && "off".startsWith(v)) return false;
  if (v === "1") return true;
  if (v === "0") return false;
  return undefined;
}

/** psql's ParseVariableNum (strtol base 0, whole string, int range). */
export function parseVariableNum(value: string | undefined): number | undefined {
  const v = value ?? "";
  const m = /^[ \t\n\r\f\v]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(v);
  if (!m) return undefined;
  const digits = m[2];
  const n = digits.startsWith("0x") || digits.startsWith("0X")
    ? parseInt(digits.slice(2), 16)
    : digits.length > 1 && digits.startsWith("0")
    ? parseInt(digits, 8)
    : parseInt(digits, 10);
  const signed = m[1] === "-" ? -n : n;
  if (signed > 2147483647 || signed < -2147483648) return undefined;
  return signed;
}

/** Valid psql variable name: ASCII letters, digits, underscore, or any non-ASCII character. */
export function validVariableName(name: string): boolean {
  return /^[A-Za-z0-9_\u0080-\uffff]+$/.test(name);
}

/** The variable store with psql's special-variable hooks. */
class Variables {
  private readonly values = new Map<string, string>();
  private readonly hooks = new Map<string, Hook>();
  constructor(private readonly report: (msg: string) => void) {}

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  hasHook(name: string): boolean {
    return this.hooks.has(name);
  }

  /** Install a hook and apply it to the current value (psql's SetVariableHooks). */
  hook(name: string, hook: Hook): void {
    this.hooks.set(name, hook);
    const r = hook(this.values.get(name), name);
    if (r.value === undefined) this.values.delete(name);
    else this.values.set(name, r.value);
  }

  /** psql's SetVariable (undefined = unset); false (after printing the error) when refused. */
  set(name: string, value: string | undefined): boolean {
    if (!validVariableName(name)) {
      if (value === undefined) return true;
      this.report(`invalid variable name: "${name}"`);
      return false;
    }
    const hook = this.hooks.get(name);
    if (hook) {
      const r = hook(value, name);
      if (!r.ok) return false;
      value = r.value;
    }
    if (value === undefined) this.values.delete(name);
    else this.values.set(name, value);
    return true;
  }

  /** All variables sorted by name, for `\set` without arguments. */
  list(): [string, string][] {
    return [...this.values.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

// ---------------------------------------------------------------------------
// Input

/** One input file being read line by line (psql's gets_fromFile). */
class LineSource {
  private pos = 0;
  constructor(private readonly text: string) {}

  /** The next line without its newline; undefined at end of file. */
  next(): string | undefined {
    const raw = this.nextRaw();
    if (raw === undefined) return undefined;
    return raw.endsWith("\n") ? raw.slice(0, -1) : raw;
  }

  /** The next line with its newline (for COPY data); undefined at end of file. */
  nextRaw(): string | undefined {
    if (this.pos >= this.text.length) return undefined;
    const nl = this.text.indexOf("\n", this.pos);
    const end = nl < 0 ? this.text.length : nl + 1;
    const line = this.text.slice(this.pos, end);
    this.pos = end;
    return line;
  }

  get position(): number {
    return this.pos;
  }

  set position(p: number) {
    this.pos = p;
  }
}

/** psql's canonicalize_path for file names: no `.` components, `..` resolved where possible, single slashes. */
export function canonicalizePath(path: string): string {
  if (path === "") return path;
  const absolute = path.startsWith("/");
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
      else if (!absolute) parts.push("..");
      continue;
    }
    parts.push(part);
  }
  const joined = parts.join("/");
  return absolute ? "/" + joined : joined === "" ? "." : joined;
}

// ---------------------------------------------------------------------------
// The run

type IfState = "true" | "false" | "ignored" | "elseTrue" | "elseFalse";

interface IfEntry {
  state: IfState;
  queryLen: number;
  parenDepth: number;
}

type CmdStatus = "skip" | "send" | "error" | "terminate" | "unknown";

/** One MainLoop's state (psql keeps one per input file). */
interface Loop {
  source: LineSource;
  scanner: PsqlScanner;
  ifs: IfEntry[];
  queryBuf: QueryBuffer;
  previous: string;
}

const KNOWN_UNSUPPORTED = new Set([
  "a",
  "C",
  "cd",
  "copy",
  "copyright",
  "crosstabview",
  "e",
  "edit",
  "ef",
  "ev",
  "encoding",
  "f",
  "gdesc",
  "getenv",
  "gx",
  "h",
  "help",
  "H",
  "html",
  "l",
  "l+",
  "list",
  "list+",
  "lo_export",
  "lo_import",
  "lo_list",
  "lo_unlink",
  "o",
  "out",
  "password",
  "prompt",
  "pset",
  "s",
  "setenv",
  "sf",
  "sf+",
  "sv",
  "sv+",
  "t",
  "T",
  "w",
  "write",
  "watch",
  "x",
  "z",
  "z+",
  "!",
  "?",
]);

/** Commands whose arguments run to the end of the line (skipped whole in an inactive branch). */
const WHOLE_LINE_COMMANDS = new Set([
  "!",
  "copy",
  "ef",
  "ev",
  "sf",
  "sf+",
  "sv",
  "sv+",
  "h",
  "help",
]);

class PsqlRun {
  private readonly vars: Variables;
  private readonly out: ScriptOutput;
  private readonly readFile: (path: string) => string;
  private inputFile: string | undefined;
  private lineno = 0;
  private connected = true;
  private gsetPrefix: string | null = null;
  private gexecFlag = false;
  private currentQuery: string | undefined;
  private lastError: { fields: PgMessage; query: string } | undefined;
  private loop: Loop | undefined;
  private depth = 0;
  /** standard_conforming_strings as last seen, when the session does not report it. */
  private scs = true;

  constructor(private readonly session: PsqlSession, private readonly opts: PsqlScriptOptions) {
    this.out = opts.out;
    this.readFile = opts.readFile ?? ((p) => Deno.readTextFileSync(p));
    this.vars = new Variables((m) => this.error(m));
  }

  // -- messages ------------------------------------------------------------

  private prefix(): string {
    return messagePrefix(this.inputFile, this.lineno);
  }

  /** pg_log_info: the prefix and the message (one trailing newline dropped). */
  private info(msg: string): void {
    this.out.stderr(this.prefix() + (msg.endsWith("\n") ? msg.slice(0, -1) : msg) + "\n");
  }

  private error(msg: string): void {
    this.info(`error: ${msg}`);
  }

  private warning(msg: string): void {
    this.info(`warning: ${msg}`);
  }

  private unsupported(what: string): never {
    throw new PsqlUnsupportedError(this.inputFile ?? "<stdin>", this.lineno, what);
  }

  // -- settings --------------------------------------------------------------

  private boolVar(name: string): boolean {
    return parseVariableBool(this.vars.get(name)) ?? false;
  }

  private get onErrorStop(): boolean {
    return this.boolVar("ON_ERROR_STOP");
  }

  private get quiet(): boolean {
    return this.boolVar("QUIET");
  }

  private get echo(): string {
    return (this.vars.get("ECHO") ?? "none").toLowerCase();
  }

  private get verbosity(): Verbosity {
    return (this.vars.get("VERBOSITY") ?? "default").toLowerCase() as Verbosity;
  }

  private get showContext(): ShowContext {
    return (this.vars.get("SHOW_CONTEXT") ?? "errors").toLowerCase() as ShowContext;
  }

  private installHooks(): void {
    const v = this.vars;
    const boolHook = (dflt: string, refuseTrue?: string): Hook => (value, name) => {
      const val = value === undefined ? "off" : value === "" ? "on" : value;
      const b = parseVariableBool(val);
      if (b === undefined) {
        this.error(`unrecognized value "${val}" for "${name}": Boolean expected`);
        return { ok: false };
      }
      if (refuseTrue !== undefined && b === (refuseTrue === "on")) {
        this.unsupported(`setting ${name} to ${val}`);
      }
      return { ok: true, value: value === undefined && dflt !== "off" ? dflt : val };
    };
    const enumHook =
      (dflt: string, values: string[], extraBool = false, refuse: string[] = []): Hook =>
      (value, name) => {
        const val = value ?? dflt;
        const lower = val.toLowerCase();
        const ok = values.includes(lower) || (extraBool && parseVariableBool(val) !== undefined);
        if (!ok) {
          this.error(
            `unrecognized value "${val}" for "${name}"\nAvailable values are: ${
              values.join(", ")
            }.`,
          );
          return { ok: false };
        }
        if (
          refuse.includes(lower) || (extraBool && refuse.includes("true") && parseVariableBool(val))
        ) {
          this.unsupported(`setting ${name} to ${val}`);
        }
        return { ok: true, value: val };
      };
    const intHook = (dflt: string, invalid?: string): Hook => (value, name) => {
      if (value === undefined) return { ok: true, value: dflt };
      if (parseVariableNum(value) === undefined) {
        if (invalid !== undefined) return { ok: true, value: invalid };
        this.error(`invalid value "${value}" for "${name}": integer expected`);
        return { ok: false };
      }
      return { ok: true, value };
    };
    v.hook("AUTOCOMMIT", (value, name) => {
      const r = boolHook("on")(value, name);
      if (r.ok && parseVariableBool(r.value) === false) this.unsupported(`AUTOCOMMIT off`);
      return r;
    });
    v.hook("ON_ERROR_STOP", boolHook("off"));
    v.hook("QUIET", boolHook("off"));
    v.hook("SINGLELINE", boolHook("off"));
    v.hook("SINGLESTEP", boolHook("off", "on"));
    v.hook("FETCH_COUNT", intHook("0"));
    v.hook("HISTFILE", (value) => ({ ok: true, value }));
    v.hook("HISTSIZE", intHook("500"));
    v.hook("IGNOREEOF", intHook("0", "10"));
    v.hook("ECHO", enumHook("none", ["none", "errors", "queries", "all"]));
    v.hook("ECHO_HIDDEN", enumHook("off", ["on", "off", "noexec"], true));
    v.hook(
      "ON_ERROR_ROLLBACK",
      enumHook("off", ["on", "off", "interactive"], true, ["on", "true"]),
    );
    v.hook(
      "COMP_KEYWORD_CASE",
      enumHook("preserve-upper", ["lower", "upper", "preserve-lower", "preserve-upper"]),
    );
    v.hook("HISTCONTROL", enumHook("none", ["none", "ignorespace", "ignoredups", "ignoreboth"]));
    for (const p of ["PROMPT1", "PROMPT2", "PROMPT3"]) v.hook(p, (value) => ({ ok: true, value }));
    v.hook("VERBOSITY", enumHook("default", ["default", "verbose", "terse", "sqlstate"]));
    v.hook("SHOW_ALL_RESULTS", boolHook("on"));
    v.hook("SHOW_CONTEXT", enumHook("errors", ["never", "errors", "always"]));
    v.hook("HIDE_TOAST_COMPRESSION", boolHook("off"));
    v.hook("HIDE_TABLEAM", boolHook("off"));
  }

  /** Variables psql has before it reads the script (startup, `--set`s, connection). */
  private startupVariables(): boolean {
    const v = this.vars;
    const info = this.session.info();
    const client = this.opts.clientVersion ?? {
      version: `PostgreSQL ${info.serverVersion}`,
      name: info.serverVersion,
      num: info.serverVersionNum,
    };
    v.set("VERSION", client.version);
    v.set("VERSION_NAME", client.name);
    v.set("VERSION_NUM", client.num);
    v.set("PROMPT1", "%/%R%x%# ");
    v.set("PROMPT2", "%/%R%x%# ");
    v.set("PROMPT3", ">> ");
    this.installHooks();
    v.set("LAST_ERROR_MESSAGE", "");
    v.set("LAST_ERROR_SQLSTATE", "00000");
    const user = this.opts.variables ?? {};
    for (const name of Object.keys(user).sort()) {
      if (!v.set(name, user[name])) return false;
    }
    v.set("QUIET", "on");
    v.set("ON_ERROR_STOP", "1");
    if (!v.set("registry", this.opts.registry ?? "sqitch")) return false;
    this.syncVariables();
    return true;
  }

  /** psql's SyncVariables: the connection's details as variables. */
  private syncVariables(): void {
    const info = this.session.info();
    const v = this.vars;
    v.set("DBNAME", info.dbname);
    v.set("USER", info.user);
    v.set("HOST", info.host);
    v.set("PORT", info.port);
    v.set("ENCODING", info.encoding);
    v.set("SERVER_VERSION_NAME", info.serverVersion);
    v.set("SERVER_VERSION_NUM", info.serverVersionNum);
  }

  private unsyncVariables(): void {
    for (const n of ["DBNAME", "USER", "HOST", "PORT", "ENCODING"]) this.vars.set(n, undefined);
  }

  // -- entry -------------------------------------------------------------------

  async main(file: string): Promise<number> {
    this.session.onNotice((n) => this.notice(n));
    if (!this.startupVariables()) return EXIT_FAILURE;
    return await this.processFile(file, false);
  }

  private notice(n: PgMessage): void {
    const text = formatServerMessage(
      n,
      { verbosity: this.verbosity, showContext: this.showContext, query: this.currentQuery },
      false,
    );
    this.info(text);
  }

  /** psql's process_file: open (relative to the current file for `\ir`), then run it. */
  private async processFile(name: string, relative: boolean): Promise<number> {
    let path = canonicalizePath(name);
    if (relative && this.inputFile !== undefined && !path.startsWith("/")) {
      const dir = this.inputFile.includes("/")
        ? this.inputFile.slice(0, this.inputFile.lastIndexOf("/"))
        : "";
      path = canonicalizePath(dir === "" ? path : `${dir}/${path}`);
    }
    let text: string;
    try {
      if (this.depth >= 200) throw new Error("Too many open files");
      text = this.readFile(path);
    } catch (e) {
      this.error(`${path}: ${fileErrorText(e)}`);
      return EXIT_FAILURE;
    }
    const savedFile = this.inputFile;
    const savedLine = this.lineno;
    const savedLoop = this.loop;
    this.inputFile = path;
    this.lineno = 0;
    this.depth++;
    try {
      return await this.mainLoop(new LineSource(text));
    } finally {
      this.depth--;
      this.inputFile = savedFile;
      this.lineno = savedLine;
      this.loop = savedLoop;
    }
  }

  private conditionalActive(ifs: IfEntry[]): boolean {
    const top = ifs[ifs.length - 1];
    return top === undefined || top.state === "true" || top.state === "elseTrue";
  }

  /** psql's MainLoop over one input file. */
  private async mainLoop(source: LineSource): Promise<number> {
    const ifs: IfEntry[] = [];
    const scanner = new PsqlScanner({
      getVariable: (name, quote) => this.lookup(name, quote, this.conditionalActive(ifs)),
      warning: (m) => this.warning(m),
      active: () => this.conditionalActive(ifs),
    });
    scanner.slashError = (m) => this.error(m);
    const loop: Loop = { source, scanner, ifs, queryBuf: { text: "" }, previous: "" };
    this.loop = loop;
    const buf = loop.queryBuf;
    let successResult = EXIT_SUCCESS;
    let lastStatus: CmdStatus = "skip";
    let success = true;
    while (successResult === EXIT_SUCCESS) {
      let line = source.next();
      if (line === undefined) break;
      this.lineno++;
      if (this.lineno === 1 && line.startsWith("\ufeff")) line = line.slice(1);
      if (this.lineno === 1 && line.startsWith("PGDMP")) {
        this.out.stdout(
          "The input is a PostgreSQL custom-format dump.\n" +
            "Use the pg_restore command-line client to restore this dump to a database.\n\n",
        );
        successResult = EXIT_FAILURE;
        break;
      }
      if (line === "" && !scanner.inQuote()) continue;
      if (this.echo === "all") this.out.stdout(line + "\n");
      let addedNlPos = -1;
      if (buf.text.length > 0) {
        buf.text += "\n";
        addedNlPos = buf.text.length;
      }
      scanner.stdStrings = this.session.info().standardConformingStrings ?? this.scs;
      scanner.setup(line);
      success = true;
      while (success || !this.onErrorStop) {
        const r = scanner.scan(buf);
        if (r === "semicolon" || (r === "eol" && this.boolVar("SINGLELINE"))) {
          if (this.conditionalActive(ifs)) {
            success = await this.sendQuery(buf.text);
            lastStatus = success ? "send" : "error";
            loop.previous = buf.text;
          } else {
            success = true;
            lastStatus = "send";
          }
          buf.text = "";
          addedNlPos = -1;
        } else if (r === "backslash") {
          if (addedNlPos >= 0 && buf.text.length === addedNlPos) buf.text = buf.text.slice(0, -1);
          addedNlPos = -1;
          lastStatus = await this.handleSlashCmds(loop);
          success = lastStatus !== "error";
          if (lastStatus === "send") {
            success = await this.sendQuery(buf.text);
            loop.previous = buf.text;
            buf.text = "";
            scanner.reset();
          } else if (lastStatus === "terminate") break;
        }
        if (r === "incomplete" || r === "eol") break;
      }
      scanner.finish();
      if (lastStatus === "terminate") {
        successResult = EXIT_SUCCESS;
        break;
      }
      if (!success && this.onErrorStop) successResult = EXIT_USER;
      else if (!this.connected) successResult = EXIT_BADCONN;
    }
    if (buf.text.length > 0 && successResult === EXIT_SUCCESS) {
      success = this.conditionalActive(ifs) ? await this.sendQuery(buf.text) : true;
      if (!success && this.onErrorStop) successResult = EXIT_USER;
      else if (!this.connected) successResult = EXIT_BADCONN;
    }
    if (lastStatus !== "terminate" && successResult !== EXIT_USER && ifs.length > 0) {
      this.error("reached EOF without finding closing \\endif(s)");
      if (this.onErrorStop) successResult = EXIT_USER;
    }
    return successResult;
  }

  /** psql_get_variable: a variable's value quoted as asked, or undefined (unset, inactive branch). */
  private lookup(
    name: string,
    quote: "plain" | "literal" | "ident",
    active: boolean,
  ): string | undefined {
    if (!active) return undefined;
    const value = this.vars.get(name);
    if (value === undefined) return undefined;
    if (quote === "plain") return value;
    if (!this.connected) {
      this.error("cannot escape without active connection");
      return undefined;
    }
    return quote === "literal" ? quoteLiteral(value) : quoteIdentifier(value);
  }

  // -- meta-commands -----------------------------------------------------------

  private option(loop: Loop, type: OptionType = "normal", semicolon = false): SlashOption | null {
    try {
      return loop.scanner.slashOption(type, semicolon);
    } catch (e) {
      if (e instanceof BacktickError) {
        this.unsupported(`the backquoted shell command \`${e.command}\``);
      }
      throw e;
    }
  }

  private ignoreOptions(loop: Loop): void {
    while (this.option(loop, "noEval") !== null) { /* discard */ }
  }

  private ignoreWholeLine(loop: Loop): void {
    this.option(loop, "wholeLine");
  }

  /** psql's HandleSlashCmds: run one meta-command, then deal with leftover arguments. */
  private async handleSlashCmds(loop: Loop): Promise<CmdStatus> {
    const cmd = loop.scanner.slashCommand();
    let status = await this.execCommand(cmd, loop);
    if (status === "unknown") {
      this.error(`invalid command \\${cmd}`);
      status = "error";
    }
    if (status !== "error") {
      const active = this.conditionalActive(loop.ifs);
      loop.ifs.push({ state: "ignored", queryLen: 0, parenDepth: 0 });
      try {
        for (;;) {
          const arg = this.option(loop, "normal");
          if (arg === null) break;
          if (active) this.warning(`\\${cmd}: extra argument "${arg.value}" ignored`);
        }
      } finally {
        loop.ifs.pop();
      }
    } else {
      this.ignoreWholeLine(loop);
    }
    loop.scanner.slashCommandEnd();
    return status;
  }

  private async execCommand(cmd: string, loop: Loop): Promise<CmdStatus> {
    const active = this.conditionalActive(loop.ifs);
    let status: CmdStatus;
    switch (cmd) {
      case "if":
        return this.commandIf(loop);
      case "elif":
        return this.commandElif(loop);
      case "else":
        return this.commandElse(loop);
      case "endif":
        return this.commandEndif(loop);
      case "echo":
      case "qecho":
      case "warn":
        if (active) this.commandEcho(cmd, loop);
        else this.ignoreOptions(loop);
        return "skip";
      case "set":
        if (!active) {
          this.ignoreOptions(loop);
          return "skip";
        }
        return this.commandSet(loop) ? "skip" : "error";
      case "unset": {
        if (!active) {
          this.ignoreOptions(loop);
          return "skip";
        }
        const name = this.option(loop);
        if (name === null) {
          this.error(`\\${cmd}: missing required argument`);
          return "error";
        }
        return this.vars.set(name.value, undefined) ? "skip" : "error";
      }
      case "i":
      case "include":
      case "ir":
      case "include_relative": {
        if (!active) {
          this.ignoreOptions(loop);
          return "skip";
        }
        const name = this.option(loop, "normal", true);
        if (name === null) {
          this.error(`\\${cmd}: missing required argument`);
          return "error";
        }
        const relative = cmd === "ir" || cmd === "include_relative";
        const r = await this.processFile(expandTilde(name.value), relative);
        this.loop = loop;
        return r === EXIT_SUCCESS ? "skip" : "error";
      }
      case "g": {
        if (!active) {
          this.option(loop, "normal");
          return "skip";
        }
        const arg = this.option(loop, "normal");
        if (arg !== null) this.unsupported(`\\g with an argument ("${arg.value}")`);
        status = "send";
        break;
      }
      case "gset": {
        if (!active) {
          this.ignoreOptions(loop);
          return "skip";
        }
        const prefix = this.option(loop, "normal");
        this.gsetPrefix = prefix?.value ?? "";
        status = "send";
        break;
      }
      case "gexec":
        if (!active) return "skip";
        this.gexecFlag = true;
        status = "send";
        break;
      case "c":
      case "connect":
        if (!active) {
          this.ignoreOptions(loop);
          return "skip";
        }
        return await this.commandConnect(loop) ? "skip" : "error";
      case "q":
      case "quit":
        return active ? "terminate" : "skip";
      case "r":
      case "reset":
        if (active) {
          loop.queryBuf.text = "";
          loop.scanner.reset();
          if (!this.quiet) this.out.stdout("Query buffer reset (cleared).\n");
        }
        return "skip";
      case "p":
      case "print":
        if (active) {
          if (loop.queryBuf.text.length > 0) this.out.stdout(loop.queryBuf.text + "\n");
          else if (loop.previous.length > 0) this.out.stdout(loop.previous + "\n");
          else if (!this.quiet) this.out.stdout("Query buffer is empty.\n");
        }
        return "skip";
      case "conninfo":
        if (active) this.commandConninfo();
        return "skip";
      case "errverbose":
        if (active) {
          if (this.lastError) {
            this.error(
              formatServerMessage(
                this.lastError.fields,
                { verbosity: "verbose", showContext: "always", query: this.lastError.query },
                true,
              ),
            );
          } else this.out.stdout("There is no previous error.\n");
        }
        return "skip";
      case "timing": {
        if (!active) {
          this.ignoreOptions(loop);
          return "skip";
        }
        const arg = this.option(loop, "normal");
        if (arg !== null && parseVariableBool(arg.value) === false) {
          if (!this.quiet) this.out.stdout("Timing is off.\n");
          return "skip";
        }
        if (arg !== null && parseVariableBool(arg.value) === undefined) {
          this.error(`unrecognized value "${arg.value}" for "\\timing": Boolean expected`);
          return "error";
        }
        return this.unsupported(`\\timing${arg ? " " + arg.value : ""}`);
      }
      default:
        if (KNOWN_UNSUPPORTED.has(cmd) || cmd.startsWith("d")) {
          if (!active) {
            if (WHOLE_LINE_COMMANDS.has(cmd)) this.ignoreWholeLine(loop);
            else this.ignoreOptions(loop);
            return "skip";
          }
          this.unsupported(`the psql meta-command \\${cmd}`);
        }
        return "unknown";
    }
    // commands that send the query buffer, or the previous query when it is empty
    if (loop.queryBuf.text.length === 0) loop.queryBuf.text = loop.previous;
    return status;
  }

  private commandEcho(cmd: string, loop: Loop): void {
    const write = cmd === "warn"
      ? (s: string) => this.out.stderr(s)
      : (s: string) => this.out.stdout(s);
    let noNewline = false;
    let first = true;
    let text = "";
    for (;;) {
      const arg = this.option(loop, "normal");
      if (arg === null) break;
      if (first && !noNewline && arg.quote === "" && arg.value === "-n") noNewline = true;
      else {
        if (!first) text += " ";
        first = false;
        text += arg.value;
      }
    }
    write(noNewline ? text : text + "\n");
  }

  private commandSet(loop: Loop): boolean {
    const name = this.option(loop);
    if (name === null) {
      this.out.stdout(this.vars.list().map(([n, v]) => `${n} = '${v}'\n`).join(""));
      return true;
    }
    let value = "";
    for (;;) {
      const arg = this.option(loop);
      if (arg === null) break;
      value += arg.value;
    }
    return this.vars.set(name.value, value);
  }

  /** All arguments of `\if`/`\elif`, joined by spaces (psql's gather_boolean_expression). */
  private booleanExpression(loop: Loop, name: string): boolean {
    const parts: string[] = [];
    for (;;) {
      const arg = this.option(loop);
      if (arg === null) break;
      parts.push(arg.value);
    }
    const value = parts.join(" ");
    const b = parseVariableBool(value);
    if (b === undefined) {
      this.error(`unrecognized value "${value}" for "${name}": Boolean expected`);
      return false;
    }
    return b;
  }

  private saveQueryState(loop: Loop): void {
    const top = loop.ifs[loop.ifs.length - 1];
    top.queryLen = loop.queryBuf.text.length;
    top.parenDepth = loop.scanner.parenDepth;
  }

  private discardQueryText(loop: Loop): void {
    const top = loop.ifs[loop.ifs.length - 1];
    loop.queryBuf.text = loop.queryBuf.text.slice(0, top.queryLen);
    loop.scanner.parenDepth = top.parenDepth;
  }

  private commandIf(loop: Loop): CmdStatus {
    if (this.conditionalActive(loop.ifs)) {
      loop.ifs.push({ state: "true", queryLen: 0, parenDepth: 0 });
      this.saveQueryState(loop);
      if (!this.booleanExpression(loop, "\\if expression")) {
        loop.ifs[loop.ifs.length - 1].state = "false";
      }
    } else {
      loop.ifs.push({ state: "ignored", queryLen: 0, parenDepth: 0 });
      this.saveQueryState(loop);
      this.ignoreWholeLine(loop);
    }
    return "skip";
  }

  private commandElif(loop: Loop): CmdStatus {
    const top = loop.ifs[loop.ifs.length - 1];
    switch (top?.state) {
      case "true":
        this.saveQueryState(loop);
        top.state = "ignored";
        this.ignoreWholeLine(loop);
        return "skip";
      case "false":
        this.discardQueryText(loop);
        top.state = "true";
        if (!this.booleanExpression(loop, "\\elif expression")) top.state = "false";
        return "skip";
      case "ignored":
        this.discardQueryText(loop);
        this.ignoreWholeLine(loop);
        return "skip";
      case "elseTrue":
      case "elseFalse":
        this.error("\\elif: cannot occur after \\else");
        return "error";
      default:
        this.error("\\elif: no matching \\if");
        return "error";
    }
  }

  private commandElse(loop: Loop): CmdStatus {
    const top = loop.ifs[loop.ifs.length - 1];
    switch (top?.state) {
      case "true":
        this.saveQueryState(loop);
        top.state = "elseFalse";
        return "skip";
      case "false":
        this.discardQueryText(loop);
        top.state = "elseTrue";
        return "skip";
      case "ignored":
        this.discardQueryText(loop);
        top.state = "elseFalse";
        return "skip";
      case "elseTrue":
      case "elseFalse":
        this.error("\\else: cannot occur after \\else");
        return "error";
      default:
        this.error("\\else: no matching \\if");
        return "error";
    }
  }

  private commandEndif(loop: Loop): CmdStatus {
    const top = loop.ifs[loop.ifs.length - 1];
    switch (top?.state) {
      case "true":
      case "elseTrue":
        loop.ifs.pop();
        return "skip";
      case "false":
      case "ignored":
      case "elseFalse":
        this.discardQueryText(loop);
        loop.ifs.pop();
        return "skip";
      default:
        this.error("\\endif: no matching \\if");
        return "error";
    }
  }

  /**
   * `\connect [-reuse-previous=on|off] [dbname [user [host [port]]]]` or
   * `\connect [-reuse-previous=on] conninfo`, to the same server; `-` or
   * nothing keeps the current value.
   */
  private async commandConnect(loop: Loop): Promise<boolean> {
    const connectArg = (o: SlashOption | null): string | undefined => {
      if (o === null) return undefined;
      if (o.quote !== "") return o.value;
      return o.value === "" || o.value === "-" ? undefined : o.value;
    };
    let first = connectArg(this.option(loop, "sqlidhack", true));
    let reuse: boolean | undefined;
    const prefix = "-reuse-previous=";
    if (first !== undefined && first.startsWith(prefix)) {
      reuse = parseVariableBool(first.slice(prefix.length));
      if (reuse === undefined) {
        this.error(
          `unrecognized value "${
            first.slice(prefix.length)
          }" for "-reuse-previous": Boolean expected`,
        );
        return false;
      }
      first = connectArg(this.option(loop, "sqlidhack", true));
    }
    const connString = first !== undefined &&
      (first.includes("=") || /^postgres(ql)?:\/\//.test(first));
    if (!(reuse ?? !connString)) {
      this.unsupported(
        "\\connect without reusing the current connection's parameters (libpq defaults)",
      );
    }
    if (connString) {
      return await this.reconnect(parseConninfo(first!, (w) => this.unsupported(w)));
    }
    const rest: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++) rest.push(connectArg(this.option(loop, "sqlidhack", true)));
    const [user, host, port] = rest;
    return await this.reconnect({ dbname: first, user, host, port });
  }

  private async reconnect(params: PsqlReconnect): Promise<boolean> {
    const before = this.connected ? this.session.info() : undefined;
    try {
      await this.session.reconnect(params);
    } catch (e) {
      if (!(e instanceof PgServerError) && !(e instanceof PgConnectionError)) throw e;
      const host = params.host ?? before?.host ?? "";
      const port = params.port ?? before?.port ?? "5432";
      const where = host.startsWith("/")
        ? `connection to server on socket "${host}/.s.PGSQL.${port}" failed: `
        : `connection to server at "${host}", port ${port} failed: `;
      const text = e instanceof PgServerError
        ? where +
          formatServerMessage(e.fields, { verbosity: "default", showContext: "never" }, true)
        : e.message;
      this.error(`\\connect: ${text}`);
      this.connected = false;
      this.unsyncVariables();
      return false;
    }
    this.connected = true;
    this.syncVariables();
    this.scs = true;
    await this.refreshStandardStrings();
    if (!this.quiet) {
      const now = this.session.info();
      if (!before || before.host !== now.host || before.port !== now.port) {
        this.out.stdout(
          now.host.startsWith("/")
            ? `You are now connected to database "${now.dbname}" as user "${now.user}" via socket in "${now.host}" at port "${now.port}".\n`
            : `You are now connected to database "${now.dbname}" as user "${now.user}" on host "${now.host}" at port "${now.port}".\n`,
        );
      } else {
        this.out.stdout(
          `You are now connected to database "${now.dbname}" as user "${now.user}".\n`,
        );
      }
    }
    return true;
  }

  private commandConninfo(): void {
    if (!this.connected) {
      this.out.stdout("You are currently not connected to a database.\n");
      return;
    }
    const i = this.session.info();
    this.out.stdout(
      i.host.startsWith("/")
        ? `You are connected to database "${i.dbname}" as user "${i.user}" via socket in "${i.host}" at port "${i.port}".\n`
        : `You are connected to database "${i.dbname}" as user "${i.user}" on host "${i.host}" at port "${i.port}".\n`,
    );
  }

  // -- queries -----------------------------------------------------------------

  /** psql's SendQuery: run one query string, print its results, set ERROR/SQLSTATE/ROW_COUNT. */
  private async sendQuery(query: string): Promise<boolean> {
    let ok = false;
    try {
      if (!this.connected) {
        this.error("You are currently not connected to a database.");
        return false;
      }
      if (this.echo === "queries") this.out.stdout(query + "\n");
      ok = await this.execQuery(query);
      if (!ok && this.echo === "errors") this.info(`STATEMENT:  ${query}`);
      if (
        this.connected &&
        (!this.scs || /standard_conforming_strings|\b(reset|discard)\b/i.test(query))
      ) {
        await this.refreshStandardStrings();
      }
      if (this.connected) {
        const enc = this.session.info().encoding;
        if (enc && enc !== this.vars.get("ENCODING")) this.vars.set("ENCODING", enc);
      }
      return ok;
    } finally {
      this.gsetPrefix = null;
      this.gexecFlag = false;
    }
  }

  /**
   * psql lexes '…' by the server's standard_conforming_strings; when the
   * session does not report the setting, ask after statements that may
   * have changed it.
   */
  private async refreshStandardStrings(): Promise<void> {
    if (this.session.info().standardConformingStrings !== undefined) return;
    try {
      const [r] = await this.session.query("SHOW standard_conforming_strings");
      this.scs = r?.rows[0]?.[0] !== "off";
    } catch {
      // in an aborted transaction the setting is unknown; keep the last one
    }
  }

  private async execQuery(query: string): Promise<boolean> {
    this.currentQuery = query;
    const copy = copyDirection(query);
    let results: PsqlResult[];
    try {
      if (copy === "in") {
        results = [await this.copyIn(query)];
      } else if (copy === "out") {
        const { data, result } = await this.session.copyOut(query);
        this.out.stdout(data);
        // psql prints no command tag after COPY TO STDOUT
        this.setResultVariables(result);
        return true;
      } else {
        results = await this.session.query(query);
      }
    } catch (e) {
      if (e instanceof PgServerError) {
        const partial = (e as PgServerError & { results?: PsqlResult[] }).results ?? [];
        for (const r of partial) await this.printResult(r, false);
        return this.serverError(e.fields, query);
      }
      if (e instanceof PgConnectionError) {
        this.info(e.message);
        this.connectionLost();
      }
      throw e;
    } finally {
      this.currentQuery = undefined;
    }
    let success = true;
    for (let i = 0; i < results.length; i++) {
      const last = i === results.length - 1;
      success = (await this.printResult(results[i], last)) && success;
      if (last && success) this.setResultVariables(results[i]);
    }
    return success;
  }

  /** `COPY … FROM STDIN`: the data lines follow in the current file, up to `\.`. */
  private async copyIn(query: string): Promise<PsqlResult> {
    const loop = this.loop!;
    const start = loop.source.position;
    const startLine = this.lineno;
    let consumed = false;
    const readData = (): string => {
      consumed = true;
      let data = "";
      for (;;) {
        const raw = loop.source.nextRaw();
        if (raw === undefined) break;
        if (raw.endsWith("\n")) this.lineno++;
        if (raw === "\\.\n" || raw === "\\.\r\n") break;
        data += raw;
      }
      return data;
    };
    if (this.session.copyInFrom) return await this.session.copyInFrom(query, readData);
    try {
      return await this.session.copyIn(query, readData());
    } catch (e) {
      // the server refused the COPY itself (no "COPY t, line n" context): psql read no data
      if (
        consumed && e instanceof PgServerError &&
        !/(^|\n)COPY [^\n]*line \d+/.test(e.fields.where ?? "")
      ) {
        loop.source.position = start;
        this.lineno = startLine;
      }
      throw e;
    }
  }

  private serverError(fields: PgMessage, query: string): false {
    const fatal = fields.severity === "FATAL" || fields.severity === "PANIC";
    const text = formatServerMessage(
      fields,
      { verbosity: this.verbosity, showContext: this.showContext, query },
      true,
    );
    if (fatal) {
      this.info(text);
      this.info(
        "server closed the connection unexpectedly\n" +
          "\tThis probably means the server terminated abnormally\n" +
          "\tbefore or while processing the request.\n",
      );
      this.connectionLost();
    }
    this.info(text);
    this.lastError = { fields, query };
    this.vars.set("ERROR", "true");
    this.vars.set("SQLSTATE", fields.code ?? "");
    this.vars.set("ROW_COUNT", "0");
    this.vars.set("LAST_ERROR_MESSAGE", fields.message);
    this.vars.set("LAST_ERROR_SQLSTATE", fields.code ?? "");
    return false;
  }

  private connectionLost(): never {
    this.connected = false;
    this.error("connection to server was lost");
    throw new ExitNow(EXIT_BADCONN);
  }

  private setResultVariables(r: PsqlResult): void {
    this.vars.set("ERROR", "false");
    this.vars.set("SQLSTATE", "00000");
    this.vars.set("ROW_COUNT", cmdTuples(r));
  }

  /** psql's PrintQueryResult for one result of the query string. */
  private async printResult(r: PsqlResult, last: boolean): Promise<boolean> {
    const showAll = this.boolVar("SHOW_ALL_RESULTS");
    if (r.command === "") return true; // empty query
    if (isTuples(r)) {
      let success = true;
      if (last && this.gsetPrefix !== null) success = this.storeQueryTuple(r);
      else if (last && this.gexecFlag) success = await this.execQueryTuples(r);
      else if (last || showAll) this.out.stdout(formatUnaligned(r.rows, r.fields.length));
      if (last || showAll) {
        const status = cmdStatus(r);
        if (/^(INSERT|UPDATE|DELETE|MERGE)/.test(status)) this.printStatus(status);
      }
      return success;
    }
    if (last || showAll) this.printStatus(cmdStatus(r));
    return true;
  }

  private printStatus(status: string): void {
    if (!this.quiet) this.out.stdout(status + "\n");
    this.vars.set("LASTOID", "0");
  }

  /** `\gset`: one row's columns into variables (NULL unsets). */
  private storeQueryTuple(r: PsqlResult): boolean {
    if (r.rows.length < 1) {
      this.error("no rows returned for \\gset");
      return false;
    }
    if (r.rows.length > 1) {
      this.error("more than one row returned for \\gset");
      return false;
    }
    for (let i = 0; i < r.fields.length; i++) {
      const name = `${this.gsetPrefix}${r.fields[i]}`;
      if (this.vars.hasHook(name)) {
        this.warning(`attempt to \\gset into specially treated variable "${name}" ignored`);
        continue;
      }
      if (!this.vars.set(name, r.rows[0][i] ?? undefined)) return false;
    }
    return true;
  }

  /** `\gexec`: every non-NULL cell, row by row, is sent as a query. */
  private async execQueryTuples(r: PsqlResult): Promise<boolean> {
    let success = true;
    this.gexecFlag = false;
    try {
      outer: for (const row of r.rows) {
        for (const cell of row) {
          if (cell === null) continue;
          if (this.echo === "all") this.out.stdout(cell + "\n");
          if (!(await this.sendQuery(cell))) {
            success = false;
            if (this.onErrorStop) break outer;
          }
        }
      }
    } finally {
      this.gexecFlag = true;
    }
    return success;
  }
}

// ---------------------------------------------------------------------------
// Helpers

/** Did the statement return rows (PGRES_TUPLES_OK)? */
function isTuples(r: PsqlResult): boolean {
  return r.fields.length > 0 || r.command === "SELECT";
}

/** The command tag as the server sent it (PQcmdStatus). */
export function cmdStatus(r: PsqlResult): string {
  if (r.status !== undefined) return r.status;
  if (r.rowCount === null) return r.command;
  return r.command === "INSERT" ? `INSERT 0 ${r.rowCount}` : `${r.command} ${r.rowCount}`;
}

/** PQcmdTuples: the row count of tags that carry one, else "0" (as psql sets ROW_COUNT). */
function cmdTuples(r: PsqlResult): string {
  const m = /^(?:INSERT \d+ |(?:DELETE|UPDATE|SELECT|MERGE|FETCH|MOVE|COPY) )(\d+)$/.exec(
    cmdStatus(r),
  );
  return m ? m[1] : "0";
}

/** Whether a statement is `COPY … FROM STDIN` or `COPY … TO STDOUT` (outside quotes and parentheses). */
export function copyDirection(sql: string): "in" | "out" | undefined {
  const words: string[] = [];
  let depth = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (c === "-" && sql[i + 1] === "-") {
      const nl = sql.indexOf("\n", i);
      i = nl < 0 ? n : nl + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      let d = 1;
      i += 2;
      while (i < n && d > 0) {
        if (sql.startsWith("/*", i)) {
          d++;
          i += 2;
        } else if (sql.startsWith("*/", i)) {
          d--;
          i += 2;
        } else i++;
      }
    } else if (c === "'" || c === '"') {
      const e = sql[i - 1] === "E" || sql[i - 1] === "e";
      i++;
      while (i < n) {
        if (e && c === "'" && sql[i] === "\\") i += 2;
        else if (sql[i] === c) {
          if (sql[i + 1] === c) i += 2;
          else break;
        } else i++;
      }
      i++;
      if (depth === 0) words.push("");
    } else if (c === "$") {
      const m = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(i));
      if (m) {
        const end = sql.indexOf(m[0], i + m[0].length);
        i = end < 0 ? n : end + m[0].length;
      } else i++;
    } else if (c === "(") {
      depth++;
      i++;
    } else if (c === ")") {
      depth--;
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i, i + 64))!;
      if (depth === 0) words.push(m[0].toLowerCase());
      i += m[0].length;
    } else if (c === ";") break;
    else i++;
    if (words.length === 1 && words[0] !== "copy") return undefined;
  }
  if (words[0] !== "copy") return undefined;
  for (let w = 1; w + 1 < words.length; w++) {
    if (words[w] === "from" && (words[w + 1] === "stdin" || words[w + 1] === "pstdin")) {
      return "in";
    }
    if (words[w] === "to" && (words[w + 1] === "stdout" || words[w + 1] === "pstdout")) {
      return "out";
    }
  }
  return undefined;
}

/** `~/x` → `$HOME/x`, as psql's expand_tilde. */
function expandTilde(path: string): string {
  if (!path.startsWith("~")) return path;
  if (path !== "~" && !path.startsWith("~/")) return path;
  let home: string | undefined;
  try {
    home = Deno.env.get("HOME");
  } catch {
    home = undefined;
  }
  return home === undefined ? path : home + path.slice(1);
}

/** The strerror text psql prints for a file it cannot open. */
function fileErrorText(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "No such file or directory";
  if (e instanceof Deno.errors.PermissionDenied) return "Permission denied";
  if (e instanceof Deno.errors.IsADirectory) return "Is a directory";
  return e instanceof Error ? e.message : String(e);
}

/** `\connect` conninfo (`key=value …` or a `postgresql://` URI): dbname, user, host, port. */
function parseConninfo(s: string, refuse: (what: string) => never): PsqlReconnect {
  const params: Record<string, string> = {};
  if (/^postgres(ql)?:\/\//.test(s)) {
    let u: URL;
    try {
      u = new URL(s.replace(/^postgres(ql)?:/, "http:"));
    } catch {
      return refuse(`\\connect "${s}"`);
    }
    if (u.username) params.user = decodeURIComponent(u.username);
    if (u.hostname) params.host = u.hostname;
    if (u.port) params.port = u.port;
    if (u.pathname.length > 1) params.dbname = decodeURIComponent(u.pathname.slice(1));
    for (const [k, v] of u.searchParams) params[k] = v;
  } else {
    const re = /\s*([A-Za-z_]+)\s*=\s*('((?:[^'\\]|\\.)*)'|((?:[^\s\\]|\\.)*))/y;
    let m: RegExpExecArray | null;
    let pos = 0;
    while (pos < s.length && (re.lastIndex = pos, m = re.exec(s)) !== null) {
      const raw = m[3] ?? m[4] ?? "";
      params[m[1]] = raw.replace(/\\(.)/g, "$1");
      pos = re.lastIndex;
      while (pos < s.length && /\s/.test(s[pos])) pos++;
    }
    if (pos < s.length) return refuse(`\\connect "${s}"`);
  }
  const out: PsqlReconnect = {};
  for (const [k, v] of Object.entries(params)) {
    if (k === "dbname" || k === "user" || k === "host" || k === "port") out[k] = v;
    else refuse(`\\connect with the connection option "${k}"`);
  }
  return out;
}
