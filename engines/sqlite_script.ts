/**
 * Runs SQL scripts the way Sqitch runs them on SQLite:
 * `sqlite3 -noheader -bail -batch -csv <db> ".read '<script>'"`
 * (engine-semantics.md §7.1), on a fresh `node:sqlite` connection per run.
 *
 * Faithful to the sqlite3 3.40 shell: input is read line by line and
 * gathered until it forms complete SQL (the `sqlite3_complete` state
 * machine, so trigger bodies with BEGIN…END stay whole); lines that are only
 * whitespace or comments between statements are skipped; a line starting
 * with `.` between statements is a dot-command; each gathered chunk runs
 * statement by statement; rows print as CSV without headers; the first error
 * prints `Parse error near line N: …` (with the shell's caret context for
 * the errors SQLite 3.40 locates) or `Runtime error near line N: … (CODE)`
 * and stops with status 1. A transaction the script left open is rolled back
 * when the connection closes, as when the shell exits.
 *
 * Dot-commands supported: `.bail on|off`, `.headers on|off`, `.print`,
 * `.read FILE`. Any other stops the script with an error naming the script
 * and line.
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { ScriptOutput } from "./engine.ts";

/** Result of a run: the exit status the sqlite3 shell would return. */
export interface ScriptRunResult {
  status: number;
}

/** Options of one run. */
export interface RunOptions {
  /** Read the script file (default: Deno.readTextFileSync). */
  readFile?: (path: string) => string;
}

// ---------------------------------------------------------------------------
// Lexing as sqlite3_complete sees SQL

const SEMI = 0, WS = 1, OTHER = 2, EXPLAIN = 3, CREATE = 4, TEMP = 5, TRIGGER = 6, END = 7;

/** sqlite3_complete's transition table: TRANS[state][token]. */
const TRANS: readonly (readonly number[])[] = [
  /* 0 INVALID */ [1, 0, 2, 3, 4, 2, 2, 2],
  /* 1 START   */ [1, 1, 2, 3, 4, 2, 2, 2],
  /* 2 NORMAL  */ [1, 2, 2, 2, 2, 2, 2, 2],
  /* 3 EXPLAIN */ [1, 3, 3, 2, 4, 2, 2, 2],
  /* 4 CREATE  */ [1, 4, 2, 2, 2, 4, 5, 2],
  /* 5 TRIGGER */ [6, 5, 5, 5, 5, 5, 5, 5],
  /* 6 SEMI    */ [6, 6, 5, 5, 5, 5, 5, 7],
  /* 7 END     */ [1, 7, 5, 5, 5, 5, 5, 5],
];

function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\v" || c === "\f" || c === "\r";
}

function isIdChar(c: string): boolean {
  return /[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) >= 0x80;
}

/** One lexical token: its class for the state machine and where it ends; undefined = incomplete. */
function scan(sql: string, i: number): { tok: number; end: number } | undefined {
  const c = sql[i];
  if (c === ";") return { tok: SEMI, end: i + 1 };
  if (isSpace(c)) {
    let j = i + 1;
    while (j < sql.length && isSpace(sql[j])) j++;
    return { tok: WS, end: j };
  }
  if (c === "/" && sql[i + 1] === "*") {
    const close = sql.indexOf("*/", i + 2);
    return close < 0 ? undefined : { tok: WS, end: close + 2 };
  }
  if (c === "-" && sql[i + 1] === "-") {
    const nl = sql.indexOf("\n", i + 2);
    return { tok: WS, end: nl < 0 ? sql.length : nl + 1 };
  }
  if (c === "[") {
    const close = sql.indexOf("]", i + 1);
    return close < 0 ? undefined : { tok: OTHER, end: close + 1 };
  }
  if (c === "'" || c === '"' || c === "`") {
    let j = i + 1;
    for (;;) {
      const k = sql.indexOf(c, j);
      if (k < 0) return undefined;
      if (sql[k + 1] === c) {
        j = k + 2;
        continue;
      }
      return { tok: OTHER, end: k + 1 };
    }
  }
  if (isIdChar(c)) {
    let j = i + 1;
    while (j < sql.length && isIdChar(sql[j])) j++;
    if (/[0-9]/.test(c)) return { tok: OTHER, end: j };
    const word = sql.slice(i, j).toLowerCase();
    const tok = word === "create"
      ? CREATE
      : word === "trigger"
      ? TRIGGER
      : word === "temp" || word === "temporary"
      ? TEMP
      : word === "end"
      ? END
      : word === "explain"
      ? EXPLAIN
      : OTHER;
    return { tok, end: j };
  }
  return { tok: OTHER, end: i + 1 };
}

/** `sqlite3_complete`: the text ends with a complete SQL statement. */
export function isComplete(sql: string): boolean {
  let state = 0;
  let i = 0;
  while (i < sql.length) {
    const t = scan(sql, i);
    if (t === undefined) return false;
    state = TRANS[state][t.tok];
    i = t.end;
  }
  return state === 1;
}

/**
 * Split a chunk into statement texts as successive `sqlite3_prepare` calls
 * would consume it: each starts after skipped whitespace and ends with its
 * `;` (the last may be unterminated). Texts with no SQL in them are dropped.
 */
export function splitStatements(chunk: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    while (i < chunk.length && isSpace(chunk[i])) i++;
    if (i >= chunk.length) return out;
    const start = i;
    let state = 0;
    let hasSql = false;
    let ended = false;
    while (i < chunk.length) {
      const t = scan(chunk, i);
      if (t === undefined) {
        // An unterminated comment is no SQL; an unterminated string or name is.
        if (!chunk.startsWith("/*", i)) hasSql = true;
        i = chunk.length;
        break;
      }
      state = TRANS[state][t.tok];
      if (t.tok !== WS && t.tok !== SEMI) hasSql = true;
      i = t.end;
      if (state === 1 && t.tok === SEMI) {
        ended = true;
        break;
      }
    }
    if (hasSql) out.push(chunk.slice(start, i));
    if (!ended) return out;
  }
}

/** The shell's `_all_whitespace`: only whitespace and complete comments. */
function allWhitespace(s: string): boolean {
  let i = 0;
  while (i < s.length) {
    if (isSpace(s[i])) {
      i++;
    } else if (s[i] === "/" && s[i + 1] === "*") {
      const close = s.indexOf("*/", i + 2);
      if (close < 0) return false;
      i = close + 2;
    } else if (s[i] === "-" && s[i + 1] === "-") {
      const nl = s.indexOf("\n", i + 2);
      if (nl < 0) return true;
      i = nl + 1;
    } else {
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------
// Output formatting (the shell's CSV mode)

/** SQLite's `%!.15g` rendering of a REAL, as sqlite3_column_text gives it. */
export function formatReal(n: number): string {
  if (Number.isNaN(n)) return "";
  if (!Number.isFinite(n)) return n > 0 ? "Inf" : "-Inf";
  if (n === 0) return "0.0";
  const exp = Math.floor(Math.log10(Math.abs(Number(n.toPrecision(15)))));
  if (exp < -4 || exp >= 15) {
    const [mant, e] = n.toExponential(14).split("e");
    let m = mant.replace(/0+$/, "");
    if (m.endsWith(".")) m += "0";
    if (!m.includes(".")) m += ".0";
    const ev = Number(e);
    const sign = ev < 0 ? "-" : "+";
    const digits = String(Math.abs(ev)).padStart(2, "0");
    return `${m}e${sign}${digits}`;
  }
  let s = n.toFixed(Math.max(0, 14 - exp));
  if (s.includes(".")) s = s.replace(/0+$/, "");
  if (s.endsWith(".")) s += "0";
  if (!s.includes(".")) s += ".0";
  return s;
}

/** Whether a byte forces CSV quoting (the shell's needCsvQuote table). */
function needsQuote(s: string): boolean {
  if (s === "") return true;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (code < 0x21 || code === 0x22 || code === 0x27 || code >= 0x7f) return true;
  }
  return s.includes(",");
}

function csvField(v: unknown): string {
  if (v === null || v === undefined) return "";
  let s: string;
  if (typeof v === "bigint") s = v.toString();
  else if (typeof v === "number") s = formatReal(v);
  else if (v instanceof Uint8Array) s = new TextDecoder().decode(v);
  else s = String(v);
  // The shell prints C strings: text stops at the first NUL.
  const nul = s.indexOf("\0");
  if (nul >= 0) s = s.slice(0, nul);
  return needsQuote(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

// ---------------------------------------------------------------------------
// Error context (the shell's caret line)

/** Where SQLite 3.40 would locate an error message in a statement, or -1. */
function errorOffset(db: DatabaseSync, sql: string, message: string): number {
  let m = /^near "(.*)": syntax error$/s.exec(message);
  if (m) {
    // The failing token is the first occurrence whose prefix already fails to parse.
    const token = m[1];
    for (let at = sql.indexOf(token); at >= 0; at = sql.indexOf(token, at + 1)) {
      try {
        db.prepare(sql.slice(0, at + token.length));
      } catch (e) {
        if ((e as Error).message === message) return at;
      }
    }
    return -1;
  }
  m = /^unrecognized token: "(.*)"$/s.exec(message);
  if (m) return sql.indexOf(m[1]);
  m = /^no such column: (.*)$/s.exec(message);
  if (m) return findWord(sql, m[1].split(".").pop()!);
  m = /^(?:wrong number of arguments to function|no such function:) (\w+)/.exec(message);
  if (m) return findWord(sql, m[1]);
  return -1;
}

function findWord(sql: string, word: string): number {
  const lower = sql.toLowerCase();
  const w = word.toLowerCase();
  for (let at = lower.indexOf(w); at >= 0; at = lower.indexOf(w, at + 1)) {
    const before = at === 0 ? " " : sql[at - 1];
    const after = sql[at + w.length] ?? " ";
    if (!isIdChar(before) && !isIdChar(after)) return at;
  }
  return -1;
}

/** The shell's `shell_error_context`: the statement and a caret under the error. */
function errorContext(sql: string, offset: number): string {
  if (offset < 0) return "";
  let chars = Array.from(sql);
  let off = Array.from(sql.slice(0, offset)).length;
  while (off > 50) {
    off--;
    chars = chars.slice(1);
  }
  const code = chars.slice(0, 78).join("").replace(/[ \t\n\v\f\r]/g, " ");
  return off < 25
    ? `\n  ${code}\n  ${" ".repeat(off)}^--- error here`
    : `\n  ${code}\n  ${" ".repeat(off - 14)}error here ---^`;
}

// ---------------------------------------------------------------------------
// The runner

interface ShellState {
  db: DatabaseSync;
  out: ScriptOutput;
  bail: boolean;
  headers: boolean;
  readFile: (path: string) => string;
  depth: number;
}

class Stop extends Error {}

/** First keyword of a statement, upper-cased (comments skipped). */
function firstKeyword(sql: string): string {
  let i = 0;
  while (i < sql.length) {
    const t = scan(sql, i);
    if (t === undefined) return "";
    if (t.tok !== WS) return sql.slice(i, t.end).toUpperCase();
    i = t.end;
  }
  return "";
}

/** Run one statement; returns an error message (already prefixed) or undefined. */
function runStatement(st: ShellState, sql: string): string | undefined {
  let stmt: StatementSync;
  try {
    stmt = st.db.prepare(sql);
  } catch (e) {
    const msg = (e as Error).message;
    return `Parse error near line %LINE%: ${msg}${errorContext(sql, errorOffset(st.db, sql, msg))}`;
  }
  const columns = stmt.columns();
  stmt.setReadBigInts(true);
  // Present at run time (Node 24 API) but missing from Deno's node:sqlite types.
  (stmt as unknown as { setReturnArrays(on: boolean): void }).setReturnArrays(true);
  try {
    if (columns.length === 0) {
      stmt.run();
      return undefined;
    }
    const rows = stmt.all() as unknown as unknown[][];
    if (st.headers) st.out.stdout(columns.map((c) => csvField(c.name)).join(",") + "\n");
    for (const row of rows) st.out.stdout(row.map(csvField).join(",") + "\n");
    return undefined;
  } catch (e) {
    const err = e as Error & { errcode?: number };
    const kw = firstKeyword(sql);
    if (kw === "SELECT" || kw === "VALUES") {
      // Rows the shell printed before the failing step (read-only, safe to repeat).
      try {
        if (st.headers) st.out.stdout(columns.map((c) => csvField(c.name)).join(",") + "\n");
        for (const row of stmt.iterate() as unknown as Iterable<unknown[]>) {
          st.out.stdout(row.map(csvField).join(",") + "\n");
        }
      } catch { /* the error is reported below */ }
    }
    // The shell appends the (primary) result code when it is not plain SQLITE_ERROR.
    const code = (err.errcode ?? 1) & 0xff;
    return `Runtime error near line %LINE%: ${err.message}${code > 1 ? ` (${code})` : ""}`;
  }
}

/** Run the SQL gathered from one or more lines (the shell's runOneSqlLine). */
function runChunk(st: ShellState, chunk: string, line: number): boolean {
  for (const sql of splitStatements(chunk)) {
    const err = runStatement(st, sql);
    if (err !== undefined) {
      st.out.stderr(err.replace("%LINE%", String(line)) + "\n");
      return false;
    }
  }
  return true;
}

function dotCommand(st: ShellState, script: string, lineNo: number, line: string): boolean {
  const args = line.slice(1).trim().split(/\s+/).map((a) => a.replace(/^(['"])(.*)\1$/, "$2"));
  const cmd = args[0];
  const on = (v: string | undefined) => /^(on|yes|true|1)$/i.test(v ?? "");
  switch (cmd) {
    case "bail":
      st.bail = on(args[1]);
      return true;
    case "headers":
    case "header":
      st.headers = on(args[1]);
      return true;
    case "print":
      st.out.stdout(args.slice(1).join(" ") + "\n");
      return true;
    case "read":
      return readFile(st, args[1] ?? "") === 0;
    default:
      st.out.stderr(
        `Error: ${script} line ${lineNo}: unsupported dot-command ".${cmd}" ` +
          `(sqlitch supports .bail, .headers, .print and .read)\n`,
      );
      return false;
  }
}

/** Process a script's text (the shell's process_input). Returns the error count. */
function processInput(st: ShellState, script: string, text: string): number {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  let chunk: string | undefined;
  let startLine = 0;
  let errors = 0;
  const fail = () => {
    errors++;
    if (st.bail) throw new Stop();
  };
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    const lineNo = n + 1;
    if (chunk === undefined) {
      if (allWhitespace(line)) continue;
      if (line[0] === "#") continue;
      if (line[0] === ".") {
        if (!dotCommand(st, script, lineNo, line)) fail();
        continue;
      }
      chunk = line.replace(/^[ \t\n\v\f\r]+/, "");
      startLine = lineNo;
    } else {
      chunk += "\n" + line;
    }
    if (line.includes(";") && isComplete(chunk)) {
      const ok = runChunk(st, chunk, startLine);
      chunk = undefined;
      if (!ok) fail();
    }
  }
  if (chunk !== undefined && !allWhitespace(chunk)) {
    if (!runChunk(st, chunk, startLine)) fail();
  }
  return errors;
}

function readFile(st: ShellState, path: string): number {
  let text: string;
  try {
    text = st.readFile(path);
  } catch {
    st.out.stderr(`Error: cannot open "${path}"\n`);
    if (st.bail) throw new Stop();
    return 1;
  }
  if (st.depth > 25) {
    st.out.stderr(`Error: .read nested too deeply: "${path}"\n`);
    throw new Stop();
  }
  st.depth++;
  try {
    return processInput(st, path, text);
  } finally {
    st.depth--;
  }
}

/** Open a database the way the sqlite3 shell does (no foreign keys, "" strings allowed). */
export function openShellDatabase(dbPath: string): DatabaseSync {
  return new DatabaseSync(dbPath, {
    enableForeignKeyConstraints: false,
    enableDoubleQuotedStringLiterals: true,
  });
}

/**
 * `sqlite3 -noheader -bail -batch -csv DB ".read 'SCRIPT'"`: run the
 * script on a new connection to `dbPath`, writing what the shell would print
 * to `out`. Returns the shell's exit status (0 or 1).
 */
export function runSqliteScript(
  dbPath: string,
  scriptPath: string,
  out: ScriptOutput,
  options: RunOptions = {},
): ScriptRunResult {
  return runSqliteText(dbPath, () => ({ path: scriptPath }), out, options);
}

/** Run SQL text (not a file) as if `.read` from a file named `name`. */
export function runSqliteSql(
  dbPath: string,
  name: string,
  sql: string,
  out: ScriptOutput,
): ScriptRunResult {
  return runSqliteText(dbPath, () => ({ path: name }), out, { readFile: () => sql });
}

function runSqliteText(
  dbPath: string,
  source: () => { path: string },
  out: ScriptOutput,
  options: RunOptions,
): ScriptRunResult {
  let db: DatabaseSync;
  try {
    db = openShellDatabase(dbPath);
  } catch (e) {
    out.stderr(`Error: unable to open database "${dbPath}": ${(e as Error).message}\n`);
    return { status: 1 };
  }
  const st: ShellState = {
    db,
    out,
    bail: true,
    headers: false,
    readFile: options.readFile ?? ((p) => Deno.readTextFileSync(p)),
    depth: 0,
  };
  try {
    const errors = readFile(st, source().path);
    return { status: errors > 0 ? 1 : 0 };
  } catch (e) {
    if (e instanceof Stop) return { status: 1 };
    throw e;
  } finally {
    db.close();
  }
}
