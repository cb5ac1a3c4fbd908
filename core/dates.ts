/**
 * Date formatting for `log`, `plan` and `status` (cli.md §3.4), matching
 * App::Sqitch::DateTime 1.3.1 on top of Perl's DateTime 1.59 with the
 * DateTime::Locale 1.37 `en-US` data (the locale `C`/`C.UTF-8` maps to):
 * named formats, `cldr:PATTERN` and `strftime:PATTERN`, in a given time
 * zone (see core/timezone.ts). Other locales are not supported: names and
 * patterns are always English.
 */
import { SqlitchError } from "./errors.ts";
import { offsetAsString, type TimeZone, UTC_ZONE } from "./timezone.ts";

/** The named date formats accepted by `--date-format` (besides `cldr:`/`strftime:`). */
export const DATE_FORMATS = [
  "raw",
  "iso",
  "iso8601",
  "rfc",
  "rfc2822",
  "full",
  "long",
  "medium",
  "short",
] as const;

/** True when `format` passes Sqitch's configure-time date format check. */
export function isValidDateFormat(format: string): boolean {
  return (DATE_FORMATS as readonly string[]).includes(format) || /^(?:cldr|strftime):/.test(format);
}

/** The error Sqitch raises for an unknown date format. */
export function unknownDateFormat(format: string): SqlitchError {
  return new SqlitchError(`Unknown date format "${format}"`, { ident: "datetime" });
}

/** Throw `Unknown date format "{format}"` unless the format is valid. */
export function validateDateFormat(format: string): void {
  if (!isValidDateFormat(format)) throw unknownDateFormat(format);
}

/** An instant: a Date, milliseconds since the epoch, or a timestamp string (see `parseInstant`). */
export type Instant = Date | number | string;

/**
 * Parse a timestamp: ISO-8601 `YYYY-MM-DDTHH:MM:SS[.fff](Z|±hh[:]mm)` or
 * the registry's `YYYY-MM-DD HH:MM:SS`; no zone means UTC. Throws a plain
 * Error for anything else.
 */
export function parseInstant(text: string): Date {
  const m =
    /^(-?\d{4,})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?\s*(Z|[+-]\d\d(?::?\d\d)?)?$/i
      .exec(text.trim());
  if (!m) throw new Error(`Invalid timestamp: ${text}`);
  const ms = Number((m[7] ?? "").padEnd(3, "0").slice(0, 3));
  let t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms);
  // Date.UTC maps years 0–99 to 1900–1999.
  if (+m[1] >= 0 && +m[1] < 100) {
    const d = new Date(t);
    d.setUTCFullYear(+m[1]);
    t = d.getTime();
  }
  const zone = m[8]?.toUpperCase();
  if (zone && zone !== "Z") {
    const z = /^([+-])(\d\d):?(\d\d)?$/.exec(zone)!;
    const offset = (Number(z[2]) * 60 + Number(z[3] ?? 0)) * 60000;
    t -= z[1] === "-" ? -offset : offset;
  }
  return new Date(t);
}

/** Milliseconds since the epoch of an instant. */
export function instantMillis(instant: Instant): number {
  if (instant instanceof Date) return instant.getTime();
  if (typeof instant === "number") return instant;
  return parseInstant(instant).getTime();
}

// ---------------------------------------------------------------------------
// Locale data (DateTime::Locale 1.37, en-US)

const MONTHS_WIDE = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const MONTHS_ABBR = MONTHS_WIDE.map((m) => m.slice(0, 3));
const MONTHS_NARROW = MONTHS_WIDE.map((m) => m[0]);
/** Monday first, like DateTime's day_of_week_0. */
const DAYS_WIDE = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const DAYS_ABBR = DAYS_WIDE.map((d) => d.slice(0, 3));
const DAYS_NARROW = DAYS_WIDE.map((d) => d[0]);
const QUARTERS_WIDE = ["1st quarter", "2nd quarter", "3rd quarter", "4th quarter"];
const QUARTERS_ABBR = ["Q1", "Q2", "Q3", "Q4"];
const ERAS_WIDE = ["Before Christ", "Anno Domini"];
const ERAS_ABBR = ["BC", "AD"];
const ERAS_NARROW = ["B", "A"];
const AM_PM = ["AM", "PM"];
/** Sunday (DateTime numbering, Monday = 1). */
const FIRST_DAY_OF_WEEK = 7;
const NNBSP = "\u202F";

/** The CLDR patterns of the locale's named date-time lengths (`datetime_format_*`). */
const DATETIME_FORMATS: Readonly<Record<string, string>> = {
  full: `EEEE, MMMM d, y, h:mm:ss${NNBSP}a zzzz`,
  long: `MMMM d, y, h:mm:ss${NNBSP}a z`,
  medium: `MMM d, y, h:mm:ss${NNBSP}a`,
  short: `M/d/yy, h:mm${NNBSP}a`,
  default: `MMM d, y, h:mm:ss${NNBSP}a`,
};
const DATE_FORMAT_DEFAULT = "MMM d, y";
const TIME_FORMAT_DEFAULT = `h:mm:ss${NNBSP}a`;

// ---------------------------------------------------------------------------
// Broken-down local time

/** An instant broken down in a time zone, with the values DateTime derives from it. */
class LocalTime {
  readonly year: number;
  /** 1–12. */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly nanosecond: number;
  /** Seconds east of UTC. */
  readonly offset: number;
  /** Whole seconds since the epoch (UTC). */
  readonly epoch: number;
  readonly zone: TimeZone;

  constructor(ms: number, zone: TimeZone) {
    this.epoch = Math.floor(ms / 1000);
    this.nanosecond = (ms - this.epoch * 1000) * 1e6;
    this.zone = zone;
    this.offset = zone.offsetAt(this.epoch);
    const d = new Date((this.epoch + this.offset) * 1000);
    this.year = d.getUTCFullYear();
    this.month = d.getUTCMonth() + 1;
    this.day = d.getUTCDate();
    this.hour = d.getUTCHours();
    this.minute = d.getUTCMinutes();
    this.second = d.getUTCSeconds();
  }

  /** 1 = Monday … 7 = Sunday (computed when a format asks). */
  get dayOfWeek(): number {
    const day = new Date((this.epoch + this.offset) * 1000).getUTCDay();
    return day === 0 ? 7 : day;
  }
  /** 1–366. */
  get dayOfYear(): number {
    const jan1 = new Date(0);
    jan1.setUTCFullYear(this.year, 0, 1);
    return Math.floor(((this.epoch + this.offset) * 1000 - jan1.getTime()) / 86400000) + 1;
  }

  get hour12(): number {
    return this.hour % 12 || 12;
  }
  get quarter(): number {
    return Math.floor((this.month - 1) / 3) + 1;
  }
  get amPm(): string {
    return AM_PM[this.hour < 12 ? 0 : 1];
  }
  get eraIndex(): number {
    return this.year > 0 ? 1 : 0;
  }
  get zoneName(): string {
    return this.zone.name;
  }
  get zoneAbbr(): string {
    return this.zone.abbreviationAt(this.epoch);
  }
  /** Day of the week counted from the locale's first day (Sunday = 1). */
  get localDayOfWeek(): number {
    return 1 + (((this.dayOfWeek - FIRST_DAY_OF_WEEK) % 7) + 7) % 7;
  }
  /** ISO-8601 week-numbering year and week. */
  get isoWeek(): [number, number] {
    const week = Math.trunc((this.dayOfYear - this.dayOfWeek + 10) / 7);
    if (week === 0) return [this.year - 1, weeksInYear(this.year - 1)];
    if (week === 53 && weeksInYear(this.year) === 52) return [this.year + 1, 1];
    return [this.year, week];
  }
  /** Modified Julian Day (UTC, fractional). */
  get mjd(): number {
    return (this.epoch + this.nanosecond / 1e9) / 86400 + 40587;
  }
  /** Milliseconds since local midnight. */
  get millisOfDay(): number {
    return ((this.hour * 60 + this.minute) * 60 + this.second) * 1000 +
      Math.floor(this.nanosecond / 1e6);
  }
  ymd(sep = "-"): string {
    return [pad(this.year, 4), pad(this.month, 2), pad(this.day, 2)].join(sep);
  }
  hms(sep = ":"): string {
    return [pad(this.hour, 2), pad(this.minute, 2), pad(this.second, 2)].join(sep);
  }
  /** `%Nd`-style: nanoseconds truncated to `precision` digits. */
  fraction(precision: number): string {
    const value = precision <= 9
      ? Math.floor(this.nanosecond / 10 ** (9 - precision))
      : this.nanosecond * 10 ** (precision - 9);
    return pad(value, precision);
  }
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function weeksInYear(year: number): number {
  const jan1 = new Date(0);
  jan1.setUTCFullYear(year, 0, 1);
  const dow = jan1.getUTCDay(); // 0 = Sunday … 4 = Thursday
  return dow === 4 || (dow === 3 && isLeap(year)) ? 53 : 52;
}

/** sprintf("%0{width}d", n): truncated toward zero, sign before the zeros. */
function pad(n: number, width: number): string {
  const v = Math.trunc(n);
  const digits = String(Math.abs(v));
  return v < 0 ? "-" + digits.padStart(width - 1, "0") : digits.padStart(width, "0");
}

// ---------------------------------------------------------------------------
// CLDR patterns (DateTime::format_cldr)

/** The output of one run of a repeated pattern letter, as DateTime's pattern table gives it. */
function cldrField(t: LocalTime, letter: string, n: number): string {
  const num = (width: number, value: number) => pad(value, width);
  const dow0 = t.dayOfWeek - 1;
  const byLength = (wide: string, abbr: string, narrow: string, numeric?: () => string) =>
    n >= 5 ? narrow : n === 4 ? wide : n === 3 || !numeric ? abbr : numeric();
  switch (letter) {
    case "G":
      return n >= 5
        ? ERAS_NARROW[t.eraIndex]
        : n === 4
        ? ERAS_WIDE[t.eraIndex]
        : ERAS_ABBR[t.eraIndex];
    case "y":
      if (n >= 3) return num(Math.min(n, 5), t.year);
      if (n === 2) {
        const y = String(Math.abs(t.year));
        const y2 = Number(y.length > 2 ? y.slice(-2) : y);
        return num(2, t.year < 0 ? -y2 : y2);
      }
      return String(t.year);
    case "u":
      return num(n, t.year);
    case "Y":
      return num(n, t.isoWeek[0]);
    case "Q":
    case "q":
      return n >= 4
        ? QUARTERS_WIDE[t.quarter - 1]
        : n === 3
        ? QUARTERS_ABBR[t.quarter - 1]
        : num(n, t.quarter);
    case "M":
    case "L":
      return byLength(
        MONTHS_WIDE[t.month - 1],
        MONTHS_ABBR[t.month - 1],
        MONTHS_NARROW[t.month - 1],
        () => num(n, t.month),
      );
    case "w":
      return num(Math.min(n, 2), t.isoWeek[1]);
    case "W":
      return String(Math.trunc((t.day + 4 - t.dayOfWeek + 6) / 7));
    case "d":
      return num(Math.min(n, 2), t.day);
    case "D":
      return num(Math.min(n, 3), t.dayOfYear);
    case "F":
      return String(Math.trunc((t.day - 1) / 7) + 1);
    case "g":
      return num(n, t.mjd);
    case "E":
      return n >= 5 ? DAYS_NARROW[dow0] : n === 4 ? DAYS_WIDE[dow0] : DAYS_ABBR[dow0];
    case "e":
      return byLength(
        DAYS_WIDE[dow0],
        DAYS_ABBR[dow0],
        DAYS_NARROW[dow0],
        () => num(n, t.localDayOfWeek),
      );
    case "c":
      return byLength(
        DAYS_WIDE[dow0],
        DAYS_ABBR[dow0],
        DAYS_NARROW[dow0],
        () => num(n, t.dayOfWeek),
      );
    case "a":
      return t.amPm;
    case "h":
    case "j":
      return num(Math.min(n, 2), t.hour12);
    case "H":
      return num(Math.min(n, 2), t.hour);
    case "K":
      return num(Math.min(n, 2), t.hour % 12);
    case "k":
      return num(Math.min(n, 2), t.hour || 24);
    case "m":
      return num(Math.min(n, 2), t.minute);
    case "s":
      return num(Math.min(n, 2), t.second);
    case "S":
      return t.fraction(n);
    case "A":
      return String(t.millisOfDay);
    case "z":
      return n >= 4 ? t.zoneName : t.zoneAbbr;
    case "Z":
      return n >= 5
        ? offsetAsString(t.offset, ":")
        : n === 4
        ? t.zoneAbbr + offsetAsString(t.offset)
        : offsetAsString(t.offset);
    case "v":
    case "V":
      return n >= 4 ? t.zoneName : t.zoneAbbr;
    default:
      return letter.repeat(n);
  }
}

/** A CLDR pattern split once: literal text, and runs of one letter as `[letter, length]`. */
type CldrToken = string | readonly [string, number];

const cldrPatterns = new Map<string, readonly CldrToken[]>();

/** The tokens of a CLDR pattern (cached per pattern text). */
function cldrTokens(pattern: string): readonly CldrToken[] {
  let tokens = cldrPatterns.get(pattern);
  if (tokens === undefined) {
    const list: CldrToken[] = [];
    const re = /'((?:[^']|'')*)'|(([a-zA-Z])\3*)|([\s\S])/gy;
    for (const m of pattern.matchAll(re)) {
      const literal = m[1] ?? m[4];
      if (literal === undefined) list.push([m[3], m[2].length]);
      else if (typeof list[list.length - 1] === "string") list[list.length - 1] += literal;
      else list.push(literal);
    }
    tokens = list;
    if (cldrPatterns.size >= 64) cldrPatterns.clear();
    cldrPatterns.set(pattern, tokens);
  }
  return tokens;
}

function formatCldrLocal(t: LocalTime, pattern: string): string {
  let out = "";
  for (const token of cldrTokens(pattern)) {
    out += typeof token === "string" ? token : cldrField(t, token[0], token[1]);
  }
  return out.replaceAll("''", "'");
}

/** Format an instant with a CLDR pattern (DateTime's `format_cldr`) in `zone`. */
export function formatCldr(instant: Instant, pattern: string, zone: TimeZone = UTC_ZONE): string {
  return formatCldrLocal(new LocalTime(instantMillis(instant), zone), pattern);
}

// ---------------------------------------------------------------------------
// strftime (DateTime::strftime)

const STRFTIME: Readonly<Record<string, (t: LocalTime) => string>> = {
  a: (t) => DAYS_ABBR[t.dayOfWeek - 1],
  A: (t) => DAYS_WIDE[t.dayOfWeek - 1],
  b: (t) => MONTHS_ABBR[t.month - 1],
  B: (t) => MONTHS_WIDE[t.month - 1],
  c: (t) => formatCldrLocal(t, DATETIME_FORMATS.default),
  C: (t) => String(Math.trunc(t.year / 100)),
  d: (t) => pad(t.day, 2),
  D: (t) => strftimeLocal(t, "%m/%d/%y"),
  e: (t) => String(t.day).padStart(2, " "),
  F: (t) => strftimeLocal(t, "%Y-%m-%d"),
  g: (t) => String(t.isoWeek[0]).slice(-2),
  G: (t) => String(t.isoWeek[0]),
  h: (t) => MONTHS_ABBR[t.month - 1],
  H: (t) => pad(t.hour, 2),
  I: (t) => pad(t.hour12, 2),
  j: (t) => pad(t.dayOfYear, 3),
  k: (t) => String(t.hour).padStart(2, " "),
  l: (t) => String(t.hour12).padStart(2, " "),
  m: (t) => pad(t.month, 2),
  M: (t) => pad(t.minute, 2),
  n: () => "\n",
  N: (t) => t.fraction(9),
  p: (t) => t.amPm,
  P: (t) => t.amPm.toLowerCase(),
  r: (t) => strftimeLocal(t, "%I:%M:%S %p"),
  R: (t) => strftimeLocal(t, "%H:%M"),
  s: (t) => String(t.epoch),
  S: (t) => pad(t.second, 2),
  t: () => "\t",
  T: (t) => strftimeLocal(t, "%H:%M:%S"),
  u: (t) => String(t.dayOfWeek),
  U: (t) => pad(Math.trunc((t.dayOfYear - ((t.dayOfWeek + 7) % 7) + 6) / 7), 2),
  V: (t) => pad(t.isoWeek[1], 2),
  w: (t) => String(t.dayOfWeek % 7),
  W: (t) => pad(Math.trunc((t.dayOfYear - ((t.dayOfWeek + 6) % 7) + 6) / 7), 2),
  x: (t) => formatCldrLocal(t, DATE_FORMAT_DEFAULT),
  X: (t) => formatCldrLocal(t, TIME_FORMAT_DEFAULT),
  y: (t) => pad(Number(String(t.year).slice(-2)), 2),
  Y: (t) => String(t.year),
  z: (t) => offsetAsString(t.offset),
  Z: (t) => t.zoneAbbr,
  "%": () => "%",
};

/**
 * The DateTime accessor methods `%{name}` can call in a strftime pattern
 * (the common read-only ones; others stay literal).
 */
const METHODS: Readonly<Record<string, (t: LocalTime) => string>> = {
  year: (t) => String(t.year),
  ce_year: (t) => String(t.year > 0 ? t.year : t.year - 1),
  month: (t) => String(t.month),
  mon: (t) => String(t.month),
  month_0: (t) => String(t.month - 1),
  mon_0: (t) => String(t.month - 1),
  month_name: (t) => MONTHS_WIDE[t.month - 1],
  month_abbr: (t) => MONTHS_ABBR[t.month - 1],
  day: (t) => String(t.day),
  day_of_month: (t) => String(t.day),
  mday: (t) => String(t.day),
  day_0: (t) => String(t.day - 1),
  day_of_month_0: (t) => String(t.day - 1),
  mday_0: (t) => String(t.day - 1),
  day_of_week: (t) => String(t.dayOfWeek),
  dow: (t) => String(t.dayOfWeek),
  wday: (t) => String(t.dayOfWeek),
  day_of_week_0: (t) => String(t.dayOfWeek - 1),
  dow_0: (t) => String(t.dayOfWeek - 1),
  wday_0: (t) => String(t.dayOfWeek - 1),
  local_day_of_week: (t) => String(t.localDayOfWeek),
  day_name: (t) => DAYS_WIDE[t.dayOfWeek - 1],
  day_abbr: (t) => DAYS_ABBR[t.dayOfWeek - 1],
  day_of_year: (t) => String(t.dayOfYear),
  doy: (t) => String(t.dayOfYear),
  day_of_year_0: (t) => String(t.dayOfYear - 1),
  doy_0: (t) => String(t.dayOfYear - 1),
  quarter: (t) => String(t.quarter),
  quarter_0: (t) => String(t.quarter - 1),
  quarter_name: (t) => QUARTERS_WIDE[t.quarter - 1],
  quarter_abbr: (t) => QUARTERS_ABBR[t.quarter - 1],
  weekday_of_month: (t) => String(Math.trunc((t.day - 1) / 7) + 1),
  week_number: (t) => String(t.isoWeek[1]),
  week_year: (t) => String(t.isoWeek[0]),
  week_of_month: (t) => String(Math.trunc((t.day + 4 - t.dayOfWeek + 6) / 7)),
  hour: (t) => String(t.hour),
  hour_1: (t) => String(t.hour || 24),
  hour_12: (t) => String(t.hour12),
  hour_12_0: (t) => String(t.hour % 12),
  am_or_pm: (t) => t.amPm,
  minute: (t) => String(t.minute),
  min: (t) => String(t.minute),
  second: (t) => String(t.second),
  sec: (t) => String(t.second),
  nanosecond: (t) => String(t.nanosecond),
  millisecond: (t) => String(Math.floor(t.nanosecond / 1e6)),
  microsecond: (t) => String(Math.floor(t.nanosecond / 1e3)),
  ymd: (t) => t.ymd(),
  date: (t) => t.ymd(),
  mdy: (t) => [pad(t.month, 2), pad(t.day, 2), pad(t.year, 4)].join("-"),
  dmy: (t) => [pad(t.day, 2), pad(t.month, 2), pad(t.year, 4)].join("-"),
  hms: (t) => t.hms(),
  time: (t) => t.hms(),
  datetime: (t) => `${t.ymd()}T${t.hms()}`,
  iso8601: (t) => `${t.ymd()}T${t.hms()}`,
  epoch: (t) => String(t.epoch),
  offset: (t) => String(t.offset),
  is_leap_year: (t) => (isLeap(t.year) ? "1" : "0"),
  era_name: (t) => ERAS_WIDE[t.eraIndex],
  era_abbr: (t) => ERAS_ABBR[t.eraIndex],
  era: (t) => ERAS_ABBR[t.eraIndex],
  christian_era: (t) => (t.year > 0 ? "AD" : "BC"),
  secular_era: (t) => (t.year > 0 ? "CE" : "BCE"),
  time_zone_long_name: (t) => t.zoneName,
  time_zone_short_name: (t) => t.zoneAbbr,
};

function strftimeLocal(t: LocalTime, pattern: string): string {
  return pattern.replace(
    /%\{(\w+)\}|%([%a-zA-Z])|%(\d+)N/g,
    (whole, method: string | undefined, letter: string | undefined, digits: string | undefined) => {
      if (method !== undefined) return Object.hasOwn(METHODS, method) ? METHODS[method](t) : whole;
      if (letter !== undefined) {
        return Object.hasOwn(STRFTIME, letter) ? STRFTIME[letter](t) : whole;
      }
      return t.fraction(Number(digits));
    },
  );
}

/** Format an instant with a strftime pattern (DateTime's `strftime`) in `zone`. */
export function formatStrftime(
  instant: Instant,
  pattern: string,
  zone: TimeZone = UTC_ZONE,
): string {
  return strftimeLocal(new LocalTime(instantMillis(instant), zone), pattern);
}

// ---------------------------------------------------------------------------
// Named formats (App::Sqitch::DateTime::as_string)

/** A date format bound to a time zone: milliseconds since the epoch to text. */
export type DateFormatter = (ms: number) => string;

/**
 * The first and last milliseconds of years 0000–9999, where
 * `Date#toISOString` writes the same four-digit year as `pad(year, 4)`.
 */
const ISO_MIN_MS = -62167219200000;
const ISO_MAX_MS = 253402300799999;

let lastOffset = 0;
let lastOffsetText = "+0000";

/** `offsetAsString(offset)`, remembering the last offset (one zone has few). */
function offsetText(offset: number): string {
  if (offset !== lastOffset) {
    lastOffsetText = offsetAsString(offset);
    lastOffset = offset;
  }
  return lastOffsetText;
}

/** `raw`: UTC, `YYYY-MM-DDTHH:MM:SSZ`. */
function rawDate(ms: number): string {
  const whole = Math.floor(ms / 1000) * 1000;
  if (whole >= ISO_MIN_MS && whole <= ISO_MAX_MS) {
    return new Date(whole).toISOString().slice(0, 19) + "Z";
  }
  const t = new LocalTime(ms, UTC_ZONE);
  return `${t.ymd()}T${t.hms()}Z`;
}

/** `iso`: local `YYYY-MM-DD HH:MM:SS +hhmm`. */
function isoDate(ms: number, zone: TimeZone): string {
  const epoch = Math.floor(ms / 1000);
  const offset = zone.offsetAt(epoch);
  const local = (epoch + offset) * 1000;
  if (local >= ISO_MIN_MS && local <= ISO_MAX_MS) {
    const text = new Date(local).toISOString();
    return `${text.slice(0, 10)} ${text.slice(11, 19)} ${offsetText(offset)}`;
  }
  const t = new LocalTime(ms, zone);
  return `${t.ymd()} ${t.hms()} ${offsetAsString(t.offset)}`;
}

/** The formatter of one format and zone, unmemoised (see `dateFormatter`). */
function buildDateFormatter(format: string, zone: TimeZone): DateFormatter {
  if (format === "" || format === "0" || format === "raw") return rawDate;
  if (format === "iso" || format === "iso8601") return (ms) => isoDate(ms, zone);
  if (format === "rfc" || format === "rfc2822") {
    return (ms) =>
      strftimeLocal(new LocalTime(ms, zone), "%a, %d %b %Y %H:%M:%S %z")
        .replace(/\+0000$/, "-0000");
  }
  let cldr: string | undefined;
  if (format.startsWith("cldr:")) cldr = format.slice(5);
  else if (format.startsWith("strftime:")) {
    const pattern = format.slice(9);
    return (ms) => strftimeLocal(new LocalTime(ms, zone), pattern);
  } else if (Object.hasOwn(DATETIME_FORMATS, format)) cldr = DATETIME_FORMATS[format];
  if (cldr === undefined) {
    return (ms) => {
      // As as_string does: the zone is consulted before the format is rejected.
      zone.offsetAt(Math.floor(ms / 1000));
      throw unknownDateFormat(format);
    };
  }
  const pattern = cldr;
  return (ms) => formatCldrLocal(new LocalTime(ms, zone), pattern);
}

/** Formatters by zone, then format; each remembers its last instant. */
const dateFormatters = new WeakMap<TimeZone, Map<string, DateFormatter>>();

/**
 * `formatDate` with the format and zone bound: a function from
 * milliseconds since the epoch to exactly what `formatDate` returns, or
 * throwing what it throws (an unknown format throws when called, not
 * here). Formatters are cached per zone and format, and each remembers the
 * text of the last instant it formatted.
 */
export function dateFormatter(format: string, zone: TimeZone = UTC_ZONE): DateFormatter {
  let byFormat = dateFormatters.get(zone);
  if (byFormat === undefined) {
    byFormat = new Map();
    dateFormatters.set(zone, byFormat);
  }
  let formatter = byFormat.get(format);
  if (formatter === undefined) {
    const build = buildDateFormatter(format, zone);
    let lastMs = NaN;
    let lastText = "";
    formatter = (ms) => {
      if (ms !== lastMs) {
        lastText = build(ms);
        lastMs = ms;
      }
      return lastText;
    };
    if (byFormat.size >= 64) byFormat.clear();
    byFormat.set(format, formatter);
  }
  return formatter;
}

/**
 * Format an instant the way App::Sqitch::DateTime's `as_string` does:
 * `raw` is UTC ISO-8601 with `Z`; every other format uses `zone`. Besides
 * the validated names, `default` works (the locale's default length), as it
 * does in Sqitch's `%{date:default}c`. An empty format means `raw`.
 * Throws `Unknown date format "{format}"` for anything else.
 */
export function formatDate(instant: Instant, format: string, zone: TimeZone = UTC_ZONE): string {
  return dateFormatter(format, zone)(instantMillis(instant));
}
