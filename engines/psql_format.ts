/**
 * Text psql prints, independent of any connection: server errors and
 * notices as libpq renders them (severity, `LINE n:` with the caret under
 * the error position, DETAIL/HINT/QUERY/CONTEXT, VERBOSITY and SHOW_CONTEXT
 * settings), psql's `psql:FILE:LINE: ` message prefix, and rows in the
 * unaligned, tuples-only format Sqitch asks for (`--no-align --tuples-only`).
 */
import type { PgMessage } from "./psql_session.ts";

/** psql's VERBOSITY setting. */
export type Verbosity = "default" | "verbose" | "terse" | "sqlstate";

/** psql's SHOW_CONTEXT setting. */
export type ShowContext = "never" | "errors" | "always";

/** How libpq renders one message. */
export interface MessageStyle {
  verbosity: Verbosity;
  showContext: ShowContext;
  /** The query the message is about (for the `LINE n:` cursor display). */
  query?: string;
}

/** libpq's screen width limit for the `LINE n:` display, and the margin kept right of the caret. */
const DISPLAY_SIZE = 60;
const MIN_RIGHT_CUT = 10;

/**
 * A server error or notice the way libpq formats it (pqBuildErrorMessage3),
 * ending with a newline. `isError` says whether it failed a statement
 * (CONTEXT is shown for errors under SHOW_CONTEXT=errors).
 */
export function formatServerMessage(
  m: PgMessage,
  style: MessageStyle,
  isError: boolean,
): string {
  let out = `${m.severity}:  `;
  let verbosity = style.verbosity;
  if (verbosity === "sqlstate") {
    if (m.code) return `${out}${m.code}\n`;
    verbosity = "terse";
  }
  if (verbosity === "verbose" && m.code) out += `${m.code}: `;
  out += m.message;
  let cursorQuery: string | undefined;
  let cursorPos = 0;
  if (m.position !== undefined) {
    if (verbosity !== "terse" && style.query !== undefined) {
      cursorQuery = style.query;
      cursorPos = m.position;
    } else {
      out += ` at character ${m.position}`;
    }
  } else if (m.internalPosition !== undefined) {
    if (verbosity !== "terse" && m.internalQuery !== undefined) {
      cursorQuery = m.internalQuery;
      cursorPos = m.internalPosition;
    } else {
      out += ` at character ${m.internalPosition}`;
    }
  }
  out += "\n";
  if (verbosity !== "terse") {
    if (cursorQuery !== undefined && cursorPos > 0) out += errorCursor(cursorQuery, cursorPos);
    if (m.detail !== undefined) out += `DETAIL:  ${m.detail}\n`;
    if (m.hint !== undefined) out += `HINT:  ${m.hint}\n`;
    if (m.internalQuery !== undefined) out += `QUERY:  ${m.internalQuery}\n`;
    if (style.showContext === "always" || (style.showContext === "errors" && isError)) {
      if (m.where !== undefined) out += `CONTEXT:  ${m.where}\n`;
    }
  }
  if (verbosity === "verbose") {
    if (m.schema !== undefined) out += `SCHEMA NAME:  ${m.schema}\n`;
    if (m.table !== undefined) out += `TABLE NAME:  ${m.table}\n`;
    if (m.column !== undefined) out += `COLUMN NAME:  ${m.column}\n`;
    if (m.dataType !== undefined) out += `DATATYPE NAME:  ${m.dataType}\n`;
    if (m.constraint !== undefined) out += `CONSTRAINT NAME:  ${m.constraint}\n`;
    if (m.routine !== undefined || m.file !== undefined || m.line !== undefined) {
      out += "LOCATION:  ";
      if (m.routine !== undefined) out += `${m.routine}, `;
      if (m.file !== undefined && m.line !== undefined) out += `${m.file}:${m.line}`;
      out += "\n";
    }
  }
  return out;
}

/**
 * libpq's `LINE n: …` line and the caret line under character `position`
 * (1-based, in characters) of `query`; long lines are cut around the
 * position with `...`. Empty when the position lies past the query.
 */
export function errorCursor(query: string, position: number): string {
  const loc = position - 1;
  if (loc < 0) return "";
  const chars = Array.from(query);
  const screen: number[] = []; // starting screen column of each character
  let scr = 0;
  let locLine = 1;
  let ibeg = 0;
  let iend = -1;
  let cno = 0;
  for (; cno < chars.length; cno++) {
    const ch = chars[cno];
    screen[cno] = scr;
    if (ch === "\t") {
      chars[cno] = " ";
    } else if (ch === "\r" || ch === "\n") {
      if (cno < loc) {
        if (ch === "\r" || cno === 0 || chars[cno - 1] !== "\r") locLine++;
        ibeg = cno + 1;
      } else {
        iend = cno;
        break;
      }
    }
    const w = displayWidth(ch.codePointAt(0)!);
    scr += w <= 0 ? 1 : w;
  }
  if (iend < 0) {
    iend = cno;
    screen[iend] = scr;
  }
  if (loc > cno) return "";
  let begTrunc = false;
  let endTrunc = false;
  if (screen[iend] - screen[ibeg] > DISPLAY_SIZE) {
    if (screen[ibeg] + DISPLAY_SIZE >= screen[loc] + MIN_RIGHT_CUT) {
      while (screen[iend] - screen[ibeg] > DISPLAY_SIZE) iend--;
      endTrunc = true;
    } else {
      while (screen[loc] + MIN_RIGHT_CUT < screen[iend]) {
        iend--;
        endTrunc = true;
      }
      while (screen[iend] - screen[ibeg] > DISPLAY_SIZE) {
        ibeg++;
        begTrunc = true;
      }
    }
  }
  let prefix = `LINE ${locLine}: `;
  if (begTrunc) prefix += "...";
  let caretCol = 0;
  for (const ch of prefix) {
    const w = displayWidth(ch.codePointAt(0)!);
    caretCol += w <= 0 ? 1 : w;
  }
  let line = prefix + chars.slice(ibeg, iend).join("");
  if (endTrunc) line += "...";
  caretCol += screen[loc] - screen[ibeg];
  return `${line}\n${" ".repeat(caretCol)}^\n`;
}

/** Zero-width code points (combining marks, format characters), as in PostgreSQL's ucs_wcwidth. */
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;

/** Code point ranges displayed two columns wide (East Asian wide/fullwidth, emoji). */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x23e9, 0x23ec],
  [0x23f0, 0x23f0],
  [0x23f3, 0x23f3],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615],
  [0x2648, 0x2653],
  [0x267f, 0x267f],
  [0x2693, 0x2693],
  [0x26a1, 0x26a1],
  [0x26aa, 0x26ab],
  [0x26bd, 0x26be],
  [0x26c4, 0x26c5],
  [0x26ce, 0x26ce],
  [0x26d4, 0x26d4],
  [0x26ea, 0x26ea],
  [0x26f2, 0x26f3],
  [0x26f5, 0x26f5],
  [0x26fa, 0x26fa],
  [0x26fd, 0x26fd],
  [0x2705, 0x2705],
  [0x270a, 0x270b],
  [0x2728, 0x2728],
  [0x274c, 0x274c],
  [0x274e, 0x274e],
  [0x2753, 0x2755],
  [0x2757, 0x2757],
  [0x2795, 0x2797],
  [0x27b0, 0x27b0],
  [0x27bf, 0x27bf],
  [0x2b1b, 0x2b1c],
  [0x2b50, 0x2b50],
  [0x2b55, 0x2b55],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4],
  [0x17000, 0x18cff],
  [0x1b000, 0x1b2ff],
  [0x1f004, 0x1f004],
  [0x1f0cf, 0x1f0cf],
  [0x1f18e, 0x1f18e],
  [0x1f191, 0x1f19a],
  [0x1f200, 0x1f251],
  [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff],
  [0x1f7e0, 0x1f7eb],
  [0x1f90c, 0x1f9ff],
  [0x1fa70, 0x1faff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

/** Screen columns of one code point: -1 for control characters, 0 for combining marks, else 1 or 2. */
export function displayWidth(cp: number): number {
  if (cp === 0) return 0;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp > 0x10ffff) return -1;
  if (cp < 0x300) return 1;
  if (ZERO_WIDTH.test(String.fromCodePoint(cp))) return 0;
  let lo = 0;
  let hi = WIDE.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < WIDE[mid][0]) hi = mid - 1;
    else if (cp > WIDE[mid][1]) lo = mid + 1;
    else return 2;
  }
  return 1;
}

/** Options of the unaligned printer (psql's `\pset fieldsep`, `recordsep`, `null`). */
export interface UnalignedOptions {
  fieldSep: string;
  recordSep: string;
  nullText: string;
}

/** Sqitch's `--no-align --tuples-only` defaults. */
export const UNALIGNED_DEFAULTS: UnalignedOptions = {
  fieldSep: "|",
  recordSep: "\n",
  nullText: "",
};

/**
 * Rows as psql prints them unaligned without headers or footer: fields
 * joined by the field separator, records by the record separator, the last
 * record ended by a newline. Nothing for no rows or no columns.
 */
export function formatUnaligned(
  rows: readonly (readonly (string | null)[])[],
  columns: number,
  opts: UnalignedOptions = UNALIGNED_DEFAULTS,
): string {
  if (columns === 0 || rows.length === 0) return "";
  return rows.map((r) => r.map((v) => v ?? opts.nullText).join(opts.fieldSep)).join(
    opts.recordSep,
  ) + "\n";
}

/** psql's message prefix: `psql:FILE:LINE: ` while running a file, else `psql: `. */
export function messagePrefix(file: string | undefined, line: number): string {
  return file === undefined ? "psql: " : `psql:${file}:${line}: `;
}
