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
 *
 * Script files on the same database share one connection while nothing a
 * script did could tell the next script it is not a fresh shell: a script
 * that fails, leaves a transaction it cannot roll back, runs a PRAGMA,
 * ATTACH or DETACH or touches TEMP objects closes the connection after it,
 * and a script reading `changes()`, `total_changes()` or
 * `last_insert_rowid()` gets a new one. Opening a connection parses the
 * whole schema, so a fresh connection per script would make deploying N
 * changes cost O(N²).
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
  const k = c.charCodeAt(0);
  return (k >= 97 && k <= 122) || (k >= 65 && k <= 90) || (k >= 48 && k <= 57) || k === 95 ||
    k === 36 || k >= 0x80;
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
    if (c >= "0" && c <= "9") return { tok: OTHER, end: j };
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
  /** A statement changed connection state a fresh shell would not have. */
  tainted: boolean;
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

/** Whether a statement may leave connection state behind (pragmas, attachments, TEMP objects). */
function leavesState(kw: string, sql: string): boolean {
  return kw === "PRAGMA" || kw === "ATTACH" || kw === "DETACH" || /\btemp(?:orary)?\b/i.test(sql);
}

/** Statements that never return rows (unless they say RETURNING), run with `exec`. */
const ROWLESS = new Set([
  "ALTER",
  "ANALYZE",
  "ATTACH",
  "CREATE",
  "DELETE",
  "DETACH",
  "DROP",
  "INSERT",
  "REINDEX",
  "REPLACE",
  "UPDATE",
  "VACUUM",
]);

/** Transaction control: few distinct texts, so their prepared statements are reused. */
const TRANSACTION_CONTROL = new Set(["BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"]);

/** Reused transaction-control statements per connection (at most 32 texts each). */
const reusable = new WeakMap<DatabaseSync, Map<string, StatementSync>>();

/** The prepared statement for `sql`, reused when it is transaction control (throws parse errors). */
function prepare(st: ShellState, kw: string, sql: string): StatementSync {
  if (!TRANSACTION_CONTROL.has(kw)) return st.db.prepare(sql);
  let cache = reusable.get(st.db);
  if (cache === undefined) reusable.set(st.db, cache = new Map());
  let stmt = cache.get(sql);
  if (stmt === undefined) {
    stmt = st.db.prepare(sql);
    if (cache.size < 32) cache.set(sql, stmt);
  }
  return stmt;
}

function parseError(st: ShellState, sql: string, msg: string): string {
  return `Parse error near line %LINE%: ${msg}${errorContext(sql, errorOffset(st.db, sql, msg))}`;
}

function runtimeError(message: string, errcode: number | undefined): string {
  // The shell appends the (primary) result code when it is not plain SQLITE_ERROR.
  const code = (errcode ?? 1) & 0xff;
  return `Runtime error near line %LINE%: ${message}${code > 1 ? ` (${code})` : ""}`;
}

function errcodeOf(e: unknown): number | undefined {
  return (e as { errcode?: number }).errcode;
}

/**
 * Run a statement that returns no rows with `exec`, which finalizes it at
 * once: a prepared statement lives until garbage collection, and every
 * schema change walks all live statements, so preparing each DDL
 * statement of a long deploy costs time that grows with the deploy.
 */
function execRowless(st: ShellState, sql: string): string | undefined {
  try {
    st.db.exec(sql);
    return undefined;
  } catch (e) {
    // A statement that does not prepare failed parsing; one that does failed running.
    let stmt: StatementSync;
    try {
      stmt = st.db.prepare(sql);
    } catch (p) {
      return parseError(st, sql, (p as Error).message);
    }
    // `exec` errors carry no result code: run the statement again inside a
    // savepoint that is then rolled back, for the code its failure has.
    let code: number | undefined;
    try {
      st.db.exec("SAVEPOINT sqlitch_result_code");
      try {
        stmt.run();
      } catch (again) {
        code = errcodeOf(again);
      }
      st.db.exec("ROLLBACK TO sqlitch_result_code; RELEASE sqlitch_result_code");
    } catch { /* a conflict that rolled back the transaction took the savepoint with it */ }
    return runtimeError((e as Error).message, code);
  }
}

/** Run one statement; returns an error message (already prefixed) or undefined. */
function runStatement(st: ShellState, sql: string): string | undefined {
  const kw = firstKeyword(sql);
  if (!st.tainted && leavesState(kw, sql)) st.tainted = true;
  if (ROWLESS.has(kw) && !/\breturning\b/i.test(sql)) return execRowless(st, sql);
  let stmt: StatementSync;
  try {
    stmt = prepare(st, kw, sql);
  } catch (e) {
    return parseError(st, sql, (e as Error).message);
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
    if (kw === "SELECT" || kw === "VALUES") {
      // Rows the shell printed before the failing step (read-only, safe to repeat).
      try {
        if (st.headers) st.out.stdout(columns.map((c) => csvField(c.name)).join(",") + "\n");
        for (const row of stmt.iterate() as unknown as Iterable<unknown[]>) {
          st.out.stdout(row.map(csvField).join(",") + "\n");
        }
      } catch { /* the error is reported below */ }
    }
    return runtimeError((e as Error).message, errcodeOf(e));
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

/** The connection kept for the next script: its path and the file it opened. */
interface KeptConnection {
  dbPath: string;
  db: DatabaseSync;
  dev: number | null;
  ino: number | null;
}

let kept: KeptConnection | undefined;

/** The identity of the file at `path`, or undefined when there is none. */
function fileIdentity(path: string): { dev: number | null; ino: number | null } | undefined {
  try {
    const info = Deno.statSync(path);
    return { dev: info.dev, ino: info.ino };
  } catch {
    return undefined;
  }
}

/** Close the connection kept between scripts (the engine calls this when it closes). */
export function closeShellConnections(): void {
  const k = kept;
  kept = undefined;
  k?.db.close();
}

/** The kept connection to `dbPath` when it still opens the file at that path. */
function takeKept(dbPath: string): DatabaseSync | undefined {
  const k = kept;
  if (k === undefined) return undefined;
  kept = undefined;
  const id = fileIdentity(dbPath);
  if (
    k.dbPath === dbPath && id !== undefined && id.ino !== null && id.dev === k.dev &&
    id.ino === k.ino && !k.db.isTransaction
  ) {
    return k.db;
  }
  k.db.close();
  return undefined;
}

/** Keep `db` for the next script on `dbPath` when it is as clean as a fresh connection. */
function keep(dbPath: string, db: DatabaseSync, clean: boolean): void {
  if (clean && db.isTransaction) {
    try {
      db.exec("ROLLBACK");
    } catch {
      clean = false;
    }
  }
  const id = clean ? fileIdentity(dbPath) : undefined;
  if (id === undefined || id.ino === null) {
    db.close();
    return;
  }
  kept?.db.close();
  kept = { dbPath, db, dev: id.dev, ino: id.ino };
}

/** Functions whose value a previous script on the same connection would change. */
const CONNECTION_COUNTERS = /\b(?:total_changes|changes|last_insert_rowid)\s*\(/i;

/**
 * `sqlite3 -noheader -bail -batch -csv DB ".read 'SCRIPT'"`: run the
 * script on `dbPath` as a new shell would, writing what the shell would
 * print to `out`. Returns the shell's exit status (0 or 1).
 */
export function runSqliteScript(
  dbPath: string,
  scriptPath: string,
  out: ScriptOutput,
  options: RunOptions = {},
): ScriptRunResult {
  const read = options.readFile ?? ((p: string) => Deno.readTextFileSync(p));
  if (dbPath === "" || dbPath === ":memory:" || dbPath.startsWith("file:")) {
    return runSqliteText(dbPath, scriptPath, out, read, undefined);
  }
  let text: string | undefined;
  try {
    text = read(scriptPath);
  } catch {
    text = undefined; // reported by the run, as the shell reports it
  }
  const reuse = text !== undefined && !CONNECTION_COUNTERS.test(text);
  const db = reuse ? takeKept(dbPath) : undefined;
  return runSqliteText(dbPath, scriptPath, out, (p) => {
    if (p === scriptPath && text !== undefined) return text;
    return read(p);
  }, { db, keep: true });
}

function runSqliteText(
  dbPath: string,
  scriptPath: string,
  out: ScriptOutput,
  read: (path: string) => string,
  reuse: { db?: DatabaseSync; keep: boolean } | undefined,
): ScriptRunResult {
  let db: DatabaseSync;
  if (reuse?.db !== undefined) {
    db = reuse.db;
  } else {
    try {
      db = openShellDatabase(dbPath);
    } catch (e) {
      out.stderr(`Error: unable to open database "${dbPath}": ${(e as Error).message}\n`);
      return { status: 1 };
    }
  }
  const st: ShellState = {
    db,
    out,
    bail: true,
    headers: false,
    readFile: read,
    depth: 0,
    tainted: false,
  };
  let status = 1;
  try {
    const errors = readFile(st, scriptPath);
    status = errors > 0 ? 1 : 0;
    return { status };
  } catch (e) {
    if (e instanceof Stop) return { status: 1 };
    throw e;
  } finally {
    if (reuse?.keep) keep(dbPath, db, status === 0 && !st.tainted);
    else db.close();
  }
}
