/**
 * Time zones as Perl's DateTime::TimeZone sees them, for the local-time date
 * formats of `log`, `plan` and `status` (cli.md §3.4).
 *
 * A `TimeZone` answers two questions for an instant: its UTC offset and its
 * abbreviation (`EST`, `IST`, `-03`, …). Zones come from TZif data (the
 * system's zoneinfo files, read by io/timezone.ts and parsed here), from a
 * fixed offset (`TZ=+0530`, `Etc/GMT+5`), or — when no zoneinfo is
 * available — from `Intl`, whose abbreviations only approximate tzdata's.
 * `resolveLocalTimeZone` reproduces how DateTime::TimeZone::Local picks the
 * local zone: `TZ`, then /etc/timezone, then the /etc/localtime symlink.
 * Everything here is pure; the file access is behind `ZoneInfoSource`.
 */

/** A time zone: a name plus the offset and abbreviation in force at any instant. */
export interface TimeZone {
  /** The name DateTime reports (CLDR `zzzz`): Olson name, `UTC`, or an offset like `+0530`. */
  readonly name: string;
  /** Seconds east of UTC at the instant (seconds since the epoch). */
  offsetAt(epochSeconds: number): number;
  /** The abbreviation (CLDR `z`, strftime `%Z`) at the instant. */
  abbreviationAt(epochSeconds: number): string;
}

/** The UTC zone (`TZ=UTC`, `Etc/UTC`, `GMT`, zero offsets…). */
export const UTC_ZONE: TimeZone = {
  name: "UTC",
  offsetAt: () => 0,
  abbreviationAt: () => "UTC",
};

/**
 * An offset as DateTime::TimeZone writes it: `+hhmm`, or `+hhmmss` when
 * there are seconds; `sep` goes between the fields (`:` for CLDR `ZZZZZ`).
 */
export function offsetAsString(seconds: number, sep = ""): string {
  const sign = seconds < 0 ? "-" : "+";
  let rest = Math.abs(Math.trunc(seconds));
  const hours = Math.floor(rest / 3600);
  rest %= 3600;
  const minutes = Math.floor(rest / 60);
  const secs = rest % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return `${sign}${two(hours)}${sep}${two(minutes)}` + (secs ? `${sep}${two(secs)}` : "");
}

/**
 * DateTime::TimeZone's offset parser: `0`, `[+-]h[h]:mm[:ss]` or
 * `[+-]hhmm[ss]`; undefined when the text is not an offset.
 */
export function parseOffset(text: string): number | undefined {
  if (text === "0") return 0;
  const m = /^([+-])?(\d\d?):(\d\d)(?::(\d\d))?$/.exec(text) ??
    /^([+-])?(\d\d)(\d\d)(\d\d)?$/.exec(text);
  if (!m) return undefined;
  const [hours, minutes, seconds] = [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
  if (minutes > 59 || seconds > 59) return undefined;
  const total = hours * 3600 + minutes * 60 + seconds;
  return m[1] === "-" ? -total : total;
}

/**
 * A zone with a constant offset, named (and abbreviated) by the offset
 * itself, like DateTime::TimeZone::OffsetOnly; a zero offset is UTC.
 */
export function fixedOffsetZone(seconds: number): TimeZone {
  if (seconds === 0) return UTC_ZONE;
  const name = offsetAsString(seconds);
  return { name, offsetAt: () => seconds, abbreviationAt: () => name };
}

// ---------------------------------------------------------------------------
// TZif (RFC 8536)

/** One local time type of a TZif file. */
export interface LocalTimeType {
  offset: number;
  isDst: boolean;
  abbreviation: string;
}

/** A parsed POSIX TZ string (the TZif footer), e.g. `EST5EDT,M3.2.0,M11.1.0`. */
export interface PosixRule {
  std: LocalTimeType;
  dst?: LocalTimeType;
  /** Transition rules into DST and back (absent: no DST). */
  start?: PosixDate;
  end?: PosixDate;
}

/** A POSIX TZ transition date: `Jn`, `n` or `Mm.w.d`, plus seconds after local midnight. */
export type PosixDate =
  & { time: number }
  & (
    | { kind: "julian1"; day: number }
    | { kind: "julian0"; day: number }
    | { kind: "month"; month: number; week: number; weekday: number }
  );

/** The rules of one zone from a TZif file. */
export interface TzifData {
  transitions: number[];
  typeIndices: number[];
  types: LocalTimeType[];
  footer?: PosixRule;
}

/**
 * Parse TZif bytes (versions 1–4); undefined when they are not TZif. Uses
 * the 64-bit data block and the footer rule when present.
 */
export function parseTzif(bytes: Uint8Array): TzifData | undefined {
  if (bytes.length < 44 || String.fromCharCode(...bytes.subarray(0, 4)) !== "TZif") {
    return undefined;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[4];
  const counts = (at: number) => {
    const c = [0, 1, 2, 3, 4, 5].map((i) => view.getUint32(at + 20 + i * 4));
    return { isut: c[0], isstd: c[1], leap: c[2], time: c[3], type: c[4], char: c[5] };
  };
  const blockSize = (c: ReturnType<typeof counts>, t: number) =>
    c.time * t + c.time + c.type * 6 + c.char + c.leap * (t + 4) + c.isstd + c.isut;
  try {
    let at = 0;
    let c = counts(0);
    let timeSize = 4;
    if (version >= 0x32) {
      at = 44 + blockSize(c, 4);
      c = counts(at);
      timeSize = 8;
    }
    let p = at + 44;
    const transitions: number[] = [];
    for (let i = 0; i < c.time; i++, p += timeSize) {
      transitions.push(timeSize === 8 ? Number(view.getBigInt64(p)) : view.getInt32(p));
    }
    const typeIndices = Array.from(bytes.subarray(p, p + c.time));
    p += c.time;
    const raw: { offset: number; isDst: boolean; index: number }[] = [];
    for (let i = 0; i < c.type; i++, p += 6) {
      raw.push({ offset: view.getInt32(p), isDst: bytes[p + 4] !== 0, index: bytes[p + 5] });
    }
    const chars = bytes.subarray(p, p + c.char);
    p += c.char + c.leap * (timeSize + 4) + c.isstd + c.isut;
    const types = raw.map(({ offset, isDst, index }) => {
      let end = index;
      while (end < chars.length && chars[end] !== 0) end++;
      return { offset, isDst, abbreviation: String.fromCharCode(...chars.subarray(index, end)) };
    });
    if (types.length === 0) return undefined;
    let footer: PosixRule | undefined;
    if (timeSize === 8 && bytes[p] === 0x0a) {
      const close = bytes.indexOf(0x0a, p + 1);
      if (close > p) footer = parsePosixTz(new TextDecoder().decode(bytes.subarray(p + 1, close)));
    }
    return { transitions, typeIndices, types, footer };
  } catch {
    return undefined;
  }
}

/** Parse a POSIX TZ string; undefined when it is empty or malformed. */
export function parsePosixTz(text: string): PosixRule | undefined {
  const re =
    /^(<[^>]+>|[A-Za-z]{3,})([+-]?\d{1,3}(?::\d{1,2}){0,2})(?:(<[^>]+>|[A-Za-z]{3,})([+-]?\d{1,3}(?::\d{1,2}){0,2})?(?:,([^,]+),([^,]+))?)?$/;
  const m = re.exec(text);
  if (!m) return undefined;
  const name = (s: string) => s.replace(/^<|>$/g, "");
  const std = { offset: -posixSeconds(m[2]), isDst: false, abbreviation: name(m[1]) };
  if (!m[3]) return { std };
  const dst = {
    offset: m[4] ? -posixSeconds(m[4]) : std.offset + 3600,
    isDst: true,
    abbreviation: name(m[3]),
  };
  const start = m[5] ? parsePosixDate(m[5]) : parsePosixDate("M3.2.0");
  const end = m[6] ? parsePosixDate(m[6]) : parsePosixDate("M11.1.0");
  if (!start || !end) return undefined;
  return { std, dst, start, end };
}

/** `[+-]hh[:mm[:ss]]` as seconds (POSIX sign: positive is west of Greenwich). */
function posixSeconds(text: string): number {
  const negative = text.startsWith("-");
  const [h, mi = 0, s = 0] = text.replace(/^[+-]/, "").split(":").map(Number);
  const total = h * 3600 + mi * 60 + s;
  return negative ? -total : total;
}

/** One `date[/time]` field of a POSIX TZ rule. */
function parsePosixDate(text: string): PosixDate | undefined {
  const [date, time] = text.split("/");
  const seconds = time === undefined ? 7200 : posixSeconds(time);
  let m = /^J(\d{1,3})$/.exec(date);
  if (m) return { kind: "julian1", day: Number(m[1]), time: seconds };
  m = /^(\d{1,3})$/.exec(date);
  if (m) return { kind: "julian0", day: Number(m[1]), time: seconds };
  m = /^M(\d{1,2})\.(\d)\.(\d)$/.exec(date);
  if (m) {
    return {
      kind: "month",
      month: Number(m[1]),
      week: Number(m[2]),
      weekday: Number(m[3]),
      time: seconds,
    };
  }
  return undefined;
}

const DAY = 86400;

/** Seconds from the epoch to local midnight starting the rule's day in `year`, plus its time. */
function posixDateLocalSeconds(date: PosixDate, year: number): number {
  const jan1 = Date.UTC(year, 0, 1) / 1000;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  let day: number;
  if (date.kind === "julian1") {
    day = date.day - 1 + (leap && date.day >= 60 ? 1 : 0);
    return jan1 + day * DAY + date.time;
  }
  if (date.kind === "julian0") return jan1 + date.day * DAY + date.time;
  const first = Date.UTC(year, date.month - 1, 1) / 1000;
  const firstWeekday = new Date(first * 1000).getUTCDay();
  day = (date.weekday - firstWeekday + 7) % 7 + (date.week - 1) * 7;
  const monthDays = new Date(Date.UTC(year, date.month, 0)).getUTCDate();
  while (day >= monthDays) day -= 7;
  return first + day * DAY + date.time;
}

/** The local time type a POSIX rule gives for an instant. */
function posixTypeAt(rule: PosixRule, t: number): LocalTimeType {
  if (!rule.dst || !rule.start || !rule.end) return rule.std;
  const year = new Date((t + rule.std.offset) * 1000).getUTCFullYear();
  for (const y of [year - 1, year, year + 1]) {
    const start = posixDateLocalSeconds(rule.start, y) - rule.std.offset;
    const end = posixDateLocalSeconds(rule.end, y) - rule.dst.offset;
    if (start < end) {
      if (t >= start && t < end) return rule.dst;
    } else {
      // Southern hemisphere: DST spans the new year.
      const nextEnd = posixDateLocalSeconds(rule.end, y + 1) - rule.dst.offset;
      if (t >= start && t < nextEnd) return rule.dst;
    }
  }
  return rule.std;
}

/** A zone backed by parsed TZif data. */
export function tzifZone(name: string, data: TzifData): TimeZone {
  const typeAt = (t: number): LocalTimeType => {
    const { transitions, typeIndices, types, footer } = data;
    if (transitions.length === 0) return footer ? posixTypeAt(footer, t) : types[0];
    if (t < transitions[0]) return types[0];
    if (t >= transitions[transitions.length - 1] && footer) return posixTypeAt(footer, t);
    let lo = 0;
    let hi = transitions.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (transitions[mid] <= t) lo = mid;
      else hi = mid - 1;
    }
    return types[typeIndices[lo]] ?? types[0];
  };
  return {
    name,
    offsetAt: (t) => typeAt(t).offset,
    abbreviationAt: (t) => typeAt(t).abbreviation,
  };
}

// ---------------------------------------------------------------------------
// Intl fallback

/**
 * A zone computed with `Intl` (no zoneinfo files needed); undefined when
 * `Intl` does not know the name. Offsets are exact; abbreviations are the
 * CLDR ones where en-US has them (`EST`, `PDT`, `GMT`, `UTC`) and otherwise
 * tzdata-style numbers (`+0530`, `-03`), so e.g. `IST` cannot be produced.
 */
export function intlZone(name: string): TimeZone | undefined {
  let offsetFormat: Intl.DateTimeFormat;
  let shortFormat: Intl.DateTimeFormat;
  try {
    offsetFormat = new Intl.DateTimeFormat("en-US", { timeZone: name, timeZoneName: "longOffset" });
    shortFormat = new Intl.DateTimeFormat("en-US", { timeZone: name, timeZoneName: "short" });
  } catch {
    return undefined;
  }
  const part = (f: Intl.DateTimeFormat, t: number) =>
    f.formatToParts(new Date(t * 1000)).find((p) => p.type === "timeZoneName")?.value ?? "";
  const offsetAt = (t: number): number => {
    const m = /^GMT([+-])(\d\d):(\d\d)(?::(\d\d))?$/.exec(part(offsetFormat, t));
    if (!m) return 0;
    const total = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0);
    return m[1] === "-" ? -total : total;
  };
  return {
    name,
    offsetAt,
    abbreviationAt(t) {
      const short = part(shortFormat, t);
      if (/^[A-Z]{2,5}$/.test(short)) return short;
      const offset = offsetAt(t);
      const text = offsetAsString(offset);
      return offset % 3600 === 0 ? text.slice(0, 3) : text;
    },
  };
}

// ---------------------------------------------------------------------------
// Local zone resolution

/** Where `resolveLocalTimeZone` finds zone data and the system's setting. */
export interface ZoneInfoSource {
  /** TZif bytes of a zoneinfo file by relative name (`America/New_York`), if it exists. */
  zoneFile(name: string): Uint8Array | undefined;
  /** Zone aliases (`US/Eastern` → `America/New_York`), e.g. from tzdata.zi `L` lines. */
  links(): ReadonlyMap<string, string>;
  /** Contents of /etc/timezone, if readable. */
  etcTimezone(): string | undefined;
  /** The fully resolved path /etc/localtime points to, if it is a symlink. */
  etcLocaltimeTarget(): string | undefined;
}

/** DateTime::TimeZone's special names that are zones despite having no `/`. */
const SPECIAL_NAMES = new Set([
  "EST",
  "MST",
  "HST",
  "CET",
  "EET",
  "MET",
  "WET",
  "EST5EDT",
  "CST6CDT",
  "MST7MDT",
  "PST8PDT",
]);

/** Aliases of UTC that DateTime::TimeZone folds into its UTC zone. */
const UTC_NAMES = new Set(["UTC", "Z", "Etc/UTC", "Etc/GMT", "GMT", "Etc/GMT+0", "Etc/GMT-0"]);

/** zoneinfo entries that are not zones DateTime knows. */
const NOT_ZONES =
  /^(?:posix|right)\/|^(?:posixrules|localtime|Factory|leapseconds|leap-seconds\.list|tzdata\.zi|zone\.tab|zone1970\.tab|iso3166\.tab|SECURITY)$/;

/** Parse tzdata.zi (or `backward`) text into a link map: alias → target. */
export function parseTzdataLinks(text: string): Map<string, string> {
  const links = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^L(?:ink)?\s+(\S+)\s+(\S+)/.exec(line);
    if (m) links.set(m[2], m[1]);
  }
  return links;
}

/**
 * The zone DateTime::TimeZone->new(name => …) would build, or undefined
 * where it would die (unknown name, bad offset).
 */
export function zoneByName(name: string, source: ZoneInfoSource): TimeZone | undefined {
  if (UTC_NAMES.has(name)) return UTC_ZONE;
  const links = source.links();
  let canonical = links.get(name) ?? links.get(name.toUpperCase()) ?? name;
  for (let i = 0; i < 8 && links.has(canonical); i++) canonical = links.get(canonical)!;
  if (UTC_NAMES.has(canonical)) return UTC_ZONE;
  if (!canonical.includes("/") && !SPECIAL_NAMES.has(canonical)) {
    if (canonical === "floating") return UTC_ZONE;
    const offset = parseOffset(canonical);
    return offset === undefined ? undefined : fixedOffsetZone(offset);
  }
  const etc = /Etc\/(?:GMT|UTC)([+-])(\d{1,2})/i.exec(canonical);
  if (etc) {
    const hours = Number(etc[2]);
    if (hours > 14) return undefined;
    return fixedOffsetZone((etc[1] === "-" ? 1 : -1) * hours * 3600);
  }
  if (!/^[A-Za-z][\w+\-/]*$/.test(canonical) || NOT_ZONES.test(canonical)) return undefined;
  const bytes = source.zoneFile(canonical);
  if (bytes) {
    const data = parseTzif(bytes);
    return data ? tzifZone(canonical, data) : undefined;
  }
  return intlZone(canonical);
}

/** DateTime::TimeZone::Local's test of a candidate name. */
function isValidLocalName(name: string | undefined): name is string {
  return name !== undefined && name !== "local" && /^[\w/+-]+$/.test(name);
}

/**
 * The local time zone the way Sqitch (DateTime::TimeZone::Local::Unix)
 * finds it: a valid `TZ` value, else /etc/timezone, else the name the
 * /etc/localtime symlink points to (its shortest valid trailing path);
 * UTC when none of those work (where DateTime would die).
 */
export function resolveLocalTimeZone(tz: string | undefined, source: ZoneInfoSource): TimeZone {
  if (isValidLocalName(tz)) {
    const zone = zoneByName(tz, source);
    if (zone) return zone;
  }
  const etc = source.etcTimezone()?.trim();
  if (isValidLocalName(etc)) {
    const zone = zoneByName(etc, source);
    if (zone) return zone;
  }
  const target = source.etcLocaltimeTarget();
  if (target) {
    const parts = target.split("/").filter((p) => p !== "");
    for (let i = parts.length - 1; i >= 0; i--) {
      const zone = zoneByName(parts.slice(i).join("/"), source);
      if (zone) return zone;
    }
  }
  return UTC_ZONE;
}
