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
//
// sqlite3 3.40 prints, after a parse error, the statement text and a caret
// at `sqlite3_error_offset()`. node:sqlite does not expose that offset, so it
// is derived per error class from what the library sets it to:
// - parser errors ("near X: syntax error", "unrecognized token", bad
//   variable numbers): the failing token, found as the first place where
//   the statement cut just after it fails with the same message;
// - "table|view|trigger X already exists": the name token of the CREATE;
// - "unknown database X": the schema token;
// - ALTER TABLE's `no such column: "X"`: the column token;
// - name-resolution errors ("no such column", "ambiguous column name",
//   function errors): the expression's first token, found by renaming one
//   candidate at a time and seeing the error follow it — except inside a
//   join's ON clause, a RETURNING clause or an UPDATE SET target, and
//   errors inside views and triggers, where SQLite records no offset.
// Every other error prints no context, as sqlite3 does for most of them.

/** A non-blank token of a statement: its text and where it starts and ends. */
interface Tok {
  start: number;
  end: number;
  text: string;
  /** Upper-cased text for words, "" for anything else. */
  word: string;
}

function tokenize(sql: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < sql.length) {
    const t = scan(sql, i);
    const end = t === undefined ? sql.length : t.end;
    if (t === undefined || t.tok !== WS) {
      const text = sql.slice(i, end);
      const word = /^[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*$/.test(text)
        ? text.toUpperCase()
        : "";
      out.push({ start: i, end, text, word });
    }
    i = end;
  }
  return out;
}

/** The name a token spells (quotes removed), lower-cased; "" for no name. */
function nameOf(t: Tok): string {
  const c = t.text[0];
  if (t.word !== "") return t.text.toLowerCase();
  if ((c === '"' || c === "`") && t.text.length >= 2) {
    return t.text.slice(1, -1).replaceAll(c + c, c).toLowerCase();
  }
  if (c === "[" && t.text.endsWith("]")) return t.text.slice(1, -1).toLowerCase();
  return "";
}

/** The message `prepare` fails with, or undefined when it prepares. */
function prepareError(db: DatabaseSync, sql: string): string | undefined {
  try {
    db.prepare(sql);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Clause keywords that end the search for the clause an expression is in. */
const CLAUSES = new Set([
  "SELECT",
  "FROM",
  "WHERE",
  "GROUP",
  "HAVING",
  "ORDER",
  "LIMIT",
  "WINDOW",
  "VALUES",
  "SET",
  "RETURNING",
  "ON",
  "USING",
  "BEGIN",
  "INDEX",
  "CHECK",
  "DEFAULT",
]);

/** Words before `(` that make it no function call. */
const OPERATOR_WORDS = new Set([
  "AND",
  "OR",
  "NOT",
  "IN",
  "IS",
  "LIKE",
  "GLOB",
  "MATCH",
  "REGEXP",
  "BETWEEN",
  "CASE",
  "WHEN",
  "THEN",
  "ELSE",
  "ESCAPE",
]);

/** Whether the parenthesised group opening at token `j` has a comma of its own. */
function hasTopComma(toks: Tok[], j: number): boolean {
  let depth = 0;
  for (let i = j + 1; i < toks.length; i++) {
    const t = toks[i].text;
    if (t === "(") depth++;
    else if (t === ")") {
      if (depth === 0) return false;
      depth--;
    } else if (t === "," && depth === 0) return true;
  }
  return false;
}

/**
 * Whether SQLite records no offset for an expression starting at token `k`:
 * it is in a join's ON clause (outside any subquery, CASE arm, BETWEEN
 * bound, IN list or row value, which SQLite does not mark as the join's),
 * in RETURNING, in an upsert's DO UPDATE WHERE, or an UPDATE SET target.
 */
function offsetSuppressed(toks: Tok[], k: number): boolean {
  let level = k;
  let first = true;
  let listed = false;
  for (;;) {
    // Walk back over this nesting level to its clause keyword.
    let depth = 0;
    let j = level - 1;
    let prev: Tok | undefined;
    let cases = 0;
    let ands = 0;
    for (; j >= 0; j--) {
      const t = toks[j];
      if (t.text === ")") depth++;
      else if (t.text === "(") {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0) {
        if (prev === undefined) prev = t;
        if (CLAUSES.has(t.word)) break;
        if (t.word === "END") cases++;
        else if (t.word === "CASE") cases = Math.max(0, cases - 1);
        else if (cases === 0) {
          if (t.word === "WHEN" || t.word === "THEN" || t.word === "ELSE") listed = true;
          else if (t.word === "AND") ands++;
          else if (t.word === "OR") ands = 2;
          else if (t.word === "BETWEEN" && ands < 2) listed = true;
        }
      }
    }
    if (j < 0) return false;
    const t = toks[j];
    if (t.text === "(") {
      // A subquery starts its own clauses; a parenthesised expression does not.
      const inner = toks[j + 1]?.word;
      if (inner === "SELECT" || inner === "WITH" || inner === "VALUES") return false;
      // `SET (a, b) = …`: the targets of a row-value assignment.
      const before = toks[j - 1];
      if (
        first && before !== undefined && (before.word === "SET" || before.text === ",") &&
        clauseOf(toks, j) === "SET"
      ) {
        return true;
      }
      const call = before !== undefined && before.word !== "" && !OPERATOR_WORDS.has(before.word) &&
        !CLAUSES.has(before.word);
      if (before?.word === "IN" || (!call && hasTopComma(toks, j))) listed = true;
      first = false;
      level = j;
      continue;
    }
    if (t.word === "RETURNING") return true;
    if (t.word === "SET") {
      const p = prev ?? t;
      return first && (p.word === "SET" || p.text === ",") && toks[k + 1]?.text === "=";
    }
    if (t.word === "ON") return !listed && isJoinOn(toks, j);
    if (t.word === "WHERE") return isUpsertWhere(toks, j);
    return false;
  }
}

/** The clause keyword of the nesting level a token is on. */
function clauseOf(toks: Tok[], k: number): string {
  let depth = 0;
  for (let j = k - 1; j >= 0; j--) {
    const t = toks[j];
    if (t.text === ")") depth++;
    else if (t.text === "(") {
      if (depth === 0) return "(";
      depth--;
    } else if (depth === 0 && CLAUSES.has(t.word)) return t.word;
  }
  return "";
}

/** Whether the WHERE at token `j` is an upsert's `DO UPDATE SET … WHERE`. */
function isUpsertWhere(toks: Tok[], j: number): boolean {
  const set = clauseOf(toks, j);
  if (set !== "SET") return false;
  let depth = 0;
  for (let i = j - 1; i >= 0; i--) {
    const t = toks[i];
    if (t.text === ")") depth++;
    else if (t.text === "(") depth--;
    else if (depth === 0 && t.word === "SET") {
      return toks[i - 1]?.word === "UPDATE" && toks[i - 2]?.word === "DO";
    }
  }
  return false;
}

/** Whether the ON at token `j` is a join constraint (not CREATE INDEX/TRIGGER … ON). */
function isJoinOn(toks: Tok[], j: number): boolean {
  if (toks[j + 1]?.word === "CONFLICT") return false;
  let depth = 0;
  for (let i = j - 1; i >= 0; i--) {
    const t = toks[i];
    if (t.text === ")") depth++;
    else if (t.text === "(") {
      if (depth === 0) return false;
      depth--;
    } else if (depth === 0) {
      if (t.word === "JOIN" || t.word === "FROM") return true;
      if (t.word === "INDEX" || t.word === "TRIGGER" || t.word === "SELECT") return false;
    }
  }
  return false;
}

/** Where the statement cut just after an occurrence of `text` first fails with `message`. */
function failingPrefix(db: DatabaseSync, sql: string, text: string, message: string): number {
  const idStart = isIdChar(text[0] ?? " ");
  const idEnd = isIdChar(text[text.length - 1] ?? " ");
  for (let at = sql.indexOf(text); at >= 0 && text !== ""; at = sql.indexOf(text, at + 1)) {
    if (idStart && at > 0 && isIdChar(sql[at - 1])) continue;
    if (idEnd && isIdChar(sql[at + text.length] ?? " ")) continue;
    if (prepareError(db, sql.slice(0, at + text.length)) === message) return at;
  }
  return -1;
}

const PROBE = "sqlitch_error_probe";

/** Offset of the column reference `name` (dotted) that a resolution error names. */
function columnOffset(db: DatabaseSync, sql: string, toks: Tok[], name: string): number {
  const parts = name.toLowerCase().split(".");
  let found = -1;
  for (let k = 0; k < toks.length; k++) {
    if (toks[k - 1]?.text === ".") continue;
    let n = 0;
    let j = k;
    for (; n < parts.length; n++, j += 2) {
      if (toks[j] === undefined || nameOf(toks[j]) !== parts[n]) break;
      if (n < parts.length - 1 && toks[j + 1]?.text !== ".") break;
    }
    if (n < parts.length || toks[j - 1]?.text === ".") continue;
    if (renamedFails(db, sql, toks[k], `no such column: ${PROBE}`)) found = k;
  }
  return found < 0 || offsetSuppressed(toks, found) ? -1 : toks[found].start;
}

/**
 * Whether the error follows the name at `t` when it is renamed to an unknown
 * one. Resolution stops at the first failing name, so the names that do are
 * the failing one and those resolved before it: the last of them (in text
 * order, which is resolution order but for rare cases) is the one reported.
 */
function renamedFails(db: DatabaseSync, sql: string, t: Tok, error: string): boolean {
  const renamed = sql.slice(0, t.start) + PROBE + sql.slice(t.end);
  return prepareError(db, renamed)?.startsWith(error) ?? false;
}

/** Offset of the call of function `fn` that a resolution error is about. */
function functionOffset(
  db: DatabaseSync,
  sql: string,
  toks: Tok[],
  fn: string,
  message: string,
): number {
  const calls = toks.flatMap((t, k) =>
    nameOf(t) === fn.toLowerCase() && toks[k + 1]?.text === "(" && toks[k - 1]?.text !== "."
      ? [k]
      : []
  );
  const at = (k: number) => offsetSuppressed(toks, k) ? -1 : toks[k].start;
  if (calls.length === 1) return at(calls[0]);
  if (message.startsWith("no such function:")) {
    const found = calls.findLast((k) =>
      renamedFails(db, sql, toks[k], `no such function: ${PROBE}`)
    );
    return found === undefined ? -1 : at(found);
  }
  for (const k of calls) {
    // The first call that, left alone with every other call renamed to a
    // harmless function, still fails the same way.
    let isolated = "";
    let from = 0;
    for (const o of calls) {
      if (o === k) continue;
      isolated += sql.slice(from, toks[o].start) + "printf";
      from = toks[o].end;
    }
    if (prepareError(db, isolated + sql.slice(from)) === message) return at(k);
  }
  return -1;
}

/** The name token of `CREATE [TEMP|VIRTUAL] TABLE|VIEW|TRIGGER [IF NOT EXISTS] [schema.]name`. */
function createdName(toks: Tok[]): Tok | undefined {
  let k = 0;
  if (toks[k]?.word !== "CREATE") return undefined;
  k++;
  if (["TEMP", "TEMPORARY", "VIRTUAL"].includes(toks[k]?.word)) k++;
  if (!["TABLE", "VIEW", "TRIGGER"].includes(toks[k]?.word)) return undefined;
  k++;
  if (toks[k]?.word === "IF" && toks[k + 1]?.word === "NOT" && toks[k + 2]?.word === "EXISTS") {
    k += 3;
  }
  if (toks[k + 1]?.text === ".") k += 2;
  return toks[k];
}

/** Resolution errors about a function call, the function's name captured. */
const FUNCTION_ERRORS = [
  /^no such function: (.*)$/s,
  /^wrong number of arguments to function (.*)\(\)$/s,
  /^misuse of (?:aggregate|window) function (.*)\(\)$/s,
  /^misuse of aggregate: (.*)\(\)$/s,
  /^(.*)\(\) may not be used as a window function$/s,
];

/** Where SQLite 3.40 would locate an error in a statement (`sqlite3_error_offset`), or -1. */
function errorOffset(db: DatabaseSync, sql: string, message: string): number {
  // Cutting a PRAGMA short could prepare one that acts at once.
  if (/^pragma\b/i.test(sql)) return -1;
  let m = /^near "(.*)": syntax error$/s.exec(message) ??
    /^unrecognized token: "(.*)"$/s.exec(message);
  if (m) return failingPrefix(db, sql, m[1], message);
  if (message.startsWith("variable number must be between")) {
    for (const v of sql.matchAll(/\?\d+/g)) {
      const at = failingPrefix(db, sql, v[0], message);
      if (at >= 0) return at;
    }
    return -1;
  }
  const toks = tokenize(sql);
  m = /^(?:table|view|trigger) (.*) already exists$/s.exec(message);
  if (m) {
    const name = createdName(toks);
    return name !== undefined && name.text === m[1] ? name.start : -1;
  }
  m = /^unknown database (.*)$/s.exec(message);
  if (m) return toks.find((t, k) => t.text === m![1] && toks[k + 1]?.text === ".")?.start ?? -1;
  m = /^no such column: "(.*)"$/s.exec(message);
  if (m && toks[0]?.word === "ALTER") {
    const k = toks.findIndex((t) => t.word === "DROP" || t.word === "RENAME");
    return toks.find((t, i) => i > k && k >= 0 && t.text === m![1])?.start ?? -1;
  }
  m = /^(?:no such column|ambiguous column name): (.*)$/s.exec(message);
  if (m) return columnOffset(db, sql, toks, m[1]);
  m = /^unknown join type: (.*)$/s.exec(message);
  if (m) {
    const words = m[1].split(" ");
    const k = toks.findIndex((_, i) => words.every((w, j) => toks[i + j]?.text === w));
    return k < 0 ? -1 : toks[k].start;
  }
  m = /^hex literal too big: -?(.*)$/s.exec(message);
  if (m) return toks.find((t) => t.text === m![1])?.start ?? -1;
  for (const re of FUNCTION_ERRORS) {
    m = re.exec(message);
    if (m) return functionOffset(db, sql, toks, m[1], message);
  }
  return -1;
}

const utf8 = new TextEncoder();

/**
 * The shell's `shell_error_context`: from `text` (the statement and the rest
 * of its input) a window of at most 78 bytes, whitespace shown as spaces,
 * with a caret under the error at UTF-16 `offset`; "" without an offset.
 */
export function errorContext(text: string, offset: number): string {
  if (offset < 0) return "";
  const bytes = utf8.encode(text);
  let off = utf8.encode(text.slice(0, offset)).length;
  let p = 0;
  while (off > 50) {
    off--;
    p++;
    while ((bytes[p] & 0xc0) === 0x80) {
      p++;
      off--;
    }
  }
  let len = bytes.length - p;
  if (len > 78) {
    len = 78;
    while ((bytes[p + len] & 0xc0) === 0x80) len--;
  }
  const code = bytes.slice(p, p + len).map((b) => b === 0x20 || (b >= 9 && b <= 13) ? 0x20 : b);
  const line = new TextDecoder().decode(code);
  return off < 25
    ? `\n  ${line}\n  ${" ".repeat(off)}^--- error here`
    : `\n  ${line}\n  ${" ".repeat(off - 14)}error here ---^`;
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

/** Where a statement sits: its chunk and its start in it. */
interface Place {
  chunk: string;
  at: number;
}

/** A prepare failure: the message, then the caret context (the statement and what follows it). */
function parseError(st: ShellState, sql: string, place: Place, msg: string): string {
  const context = errorContext(place.chunk.slice(place.at), errorOffset(st.db, sql, msg));
  return `Parse error near line %LINE%: ${msg}${context}`;
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
function execRowless(st: ShellState, sql: string, place: Place): string | undefined {
  try {
    st.db.exec(sql);
    return undefined;
  } catch (e) {
    // A statement that does not prepare failed parsing; one that does failed running.
    let stmt: StatementSync;
    try {
      stmt = st.db.prepare(sql);
    } catch (p) {
      return parseError(st, sql, place, (p as Error).message);
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

/**
 * Run one statement; returns an error message (already prefixed) or
 * undefined. `place` locates it for the caret context of a parse error.
 */
function runStatement(st: ShellState, sql: string, place: Place): string | undefined {
  const kw = firstKeyword(sql);
  if (!st.tainted && leavesState(kw, sql)) st.tainted = true;
  if (ROWLESS.has(kw) && !/\breturning\b/i.test(sql)) return execRowless(st, sql, place);
  let stmt: StatementSync;
  try {
    stmt = prepare(st, kw, sql);
  } catch (e) {
    return parseError(st, sql, place, (e as Error).message);
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
  let at = 0;
  for (const sql of splitStatements(chunk)) {
    at = chunk.indexOf(sql, at);
    const err = runStatement(st, sql, { chunk, at });
    at += sql.length;
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
  // The shell reads lines without their "\n" or "\r\n".
  const last = text.endsWith("\n") ? lines.length : lines.length - 1;
  for (let n = 0; n < last; n++) {
    if (lines[n].endsWith("\r")) lines[n] = lines[n].slice(0, -1);
  }
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
