/**
 * Plan timestamps (`YYYY-MM-DDTHH:MM:SSZ`, always UTC): validation as
 * DateTime->new does it when Sqitch assembles a parsed timestamp
 * (plan-format.md §2.2 item 7), with DateTime's messages as Debian's Sqitch
 * 1.3.1 prints them (without the Perl stack trace), and formatting of "now".
 */
import { SqlitchError } from "../errors.ts";

const TYPES_PM = "/usr/lib/x86_64-linux-gnu/perl5/5.36/DateTime/Types.pm";
const PLAN_PM = "/usr/share/perl5/App/Sqitch/Plan.pm";

/** The six fields of a plan timestamp (strings of Unicode digits). */
interface TimestampFields {
  yr: string;
  mo: string;
  dy: string;
  hr: string;
  mi: string;
  sc: string;
}

/** DateTime's parameter types, in the order its validator checks them. */
const CHECKS: ReadonlyArray<[keyof TimestampFields, string, number, number, number]> = [
  ["dy", "DayOfMonth", 29, 1, 31],
  ["hr", "Hour", 101, 0, 23],
  ["mi", "Minute", 110, 0, 59],
  ["mo", "Month", 119, 1, 12],
  ["sc", "Second", 133, 0, 61],
  ["yr", "Year", 152, 0, Infinity],
];

/** Days that end with a leap second (23:59:60 UTC), as DateTime knows them. */
const LEAP_SECOND_DAYS = new Set([
  "1972-06-30",
  "1972-12-31",
  "1973-12-31",
  "1974-12-31",
  "1975-12-31",
  "1976-12-31",
  "1977-12-31",
  "1978-12-31",
  "1979-12-31",
  "1981-06-30",
  "1982-06-30",
  "1983-06-30",
  "1985-06-30",
  "1987-12-31",
  "1989-12-31",
  "1990-12-31",
  "1992-06-30",
  "1993-06-30",
  "1994-06-30",
  "1995-12-31",
  "1997-06-30",
  "1998-12-31",
  "2005-12-31",
  "2008-12-31",
  "2012-06-30",
  "2015-06-30",
  "2016-12-31",
]);

function dateTimeError(message: string): SqlitchError {
  return new SqlitchError(message, { ident: "datetime", trailingBlankLine: true });
}

/** Days in a month of the proleptic Gregorian calendar. */
function monthLength(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Validate a timestamp captured from a plan line (`YYYY-MM-DDTHH:MM:SSZ`
 * in any decimal digits) and return it (valid ones are all ASCII). Throws
 * DateTime's errors: `Validation failed for type named Month … with value
 * 13`, `Invalid day of month (day = 30 - month = 02 - year = 2013)`,
 * `Invalid second value (60)`.
 */
export function validateTimestamp(text: string): string {
  // The common case: ASCII digits in place.
  if (text.length === 20) {
    const y = asciiNumber(text, 0, 4);
    const mo = asciiNumber(text, 5, 7);
    const d = asciiNumber(text, 8, 10);
    const h = asciiNumber(text, 11, 13);
    const mi = asciiNumber(text, 14, 16);
    const s = asciiNumber(text, 17, 19);
    if (
      y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 28 && h >= 0 && h <= 23 && mi >= 0 &&
      mi <= 59 && s >= 0 && s <= 59
    ) {
      return text;
    }
  }
  const m = FIELDS.exec(text);
  if (!m) throw new Error(`not a plan timestamp: ${text}`);
  return validateFields({ yr: m[1], mo: m[2], dy: m[3], hr: m[4], mi: m[5], sc: m[6] });
}

const FIELDS = /^(\p{Nd}{4})-(\p{Nd}{2})-(\p{Nd}{2})T(\p{Nd}{2}):(\p{Nd}{2}):(\p{Nd}{2})Z$/u;

/** validateTimestamp on the separate fields. */
function validateFields(f: TimestampFields): string {
  const day = asciiNumber(f.dy);
  const hour = asciiNumber(f.hr);
  const minute = asciiNumber(f.mi);
  const month = asciiNumber(f.mo);
  const second = asciiNumber(f.sc);
  const year = asciiNumber(f.yr);
  if (
    day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || month < 1 ||
    month > 12 || second < 0 || second > 61 || year < 0
  ) {
    throw typeError(f);
  }
  if (day > 28 && day > monthLength(year, month)) {
    throw dateTimeError(
      `Invalid day of month (day = ${f.dy} - month = ${f.mo} - year = ${f.yr})\n at ${PLAN_PM} line 353.`,
    );
  }
  const date = `${f.yr}-${f.mo}-${f.dy}`;
  if (
    second > 59 &&
    (second > 60 || hour !== 23 || minute !== 59 || !LEAP_SECOND_DAYS.has(date))
  ) {
    throw dateTimeError(`Invalid second value (${f.sc})\n at ${PLAN_PM} line 353.`);
  }
  return `${date}T${f.hr}:${f.mi}:${f.sc}Z`;
}

/** The value of `s[start, end)` as ASCII digits, or -1 when it has another character. */
function asciiNumber(s: string, start = 0, end = s.length): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** DateTime's type-constraint failure for the first field (in its check order) that fails. */
function typeError(f: TimestampFields): SqlitchError {
  for (const [key, type, line, min, max] of CHECKS) {
    const raw = f[key];
    const n = asciiNumber(raw);
    if (n < 0 || n < min || n > max) {
      const value = n < 0 ? `"${raw}"` : raw;
      return dateTimeError(
        `Validation failed for type named ${type} declared in package DateTime::Types ` +
          `(${TYPES_PM}) at line ${line} in sub named (eval) with value ${value}`,
      );
    }
  }
  throw new Error("unreachable: no failing timestamp field");
}

/** A plan timestamp for a moment: UTC, truncated to whole seconds. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, "Z");
}

/** True when `text` is a valid plan timestamp. */
export function isTimestamp(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(text)) return false;
  try {
    validateTimestamp(text);
    return true;
  } catch {
    return false;
  }
}
