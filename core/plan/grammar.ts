/**
 * The regular expressions of Sqitch 1.3.1's plan parser (Plan.pm `_parse`,
 * Plan/Depend.pm `parse`), translated to JavaScript with the same
 * backtracking behaviour (plan-format.md §2, §4, §5.3). Lines never
 * contain "\n", so `.` is written as "any character" (flag `s`).
 */
import { type Charset, lazyPattern, namePattern, PUNCT as P } from "../names.ts";
import { isBlankChar } from "./text.ts";

/** A blank line or a comment line: `^(?<lspace>B*)(?:#B*(?<note>.+)|$)`. */
const blankLine = lazyPattern(({ blank, flags }) =>
  new RegExp(String.raw`^([${blank}]*)(?:#[${blank}]*(.+)|$)`, "s" + flags)
);

/** What the blank/comment test makes of a line, or undefined if it is not one. */
export interface BlankMatch {
  lspace: string;
  /** The raw note (undefined when there is no `#`). */
  note?: string;
}

/** Apply the blank/comment-line test (§2.1 step 1). */
export function matchBlankLine(line: string): BlankMatch | undefined {
  // Fast path: the first non-blank character decides.
  let i = 0;
  while (i < line.length && isBlankChar(line.charCodeAt(i))) i++;
  if (i === line.length) return { lspace: line };
  if (line.charCodeAt(i) !== 0x23) return undefined;
  const m = blankLine(line).exec(line);
  if (!m) return undefined;
  return { lspace: m[1], note: m[2] };
}

/** The parts the inline-note strip takes off a line (§2.1 step 2). */
export interface InlineNote {
  /** The line without rspace and note. */
  rest: string;
  rspace: string;
  /** The raw note after `#` and its leading blanks (undefined without `#`). */
  note?: string;
}

/**
 * Remove the leftmost match of `(?<rspace>B*)(?:#B*(?<note>.*))?$`: the
 * note starts at the first `#`; rspace is the run of blanks before it, or
 * the trailing blanks when there is no `#`.
 */
export function stripInlineNote(line: string): InlineNote {
  const hash = line.indexOf("#");
  let end = hash < 0 ? line.length : hash;
  let start = end;
  while (start > 0 && isBlankChar(line.charCodeAt(start - 1))) start--;
  if (hash < 0) return { rest: line.slice(0, start), rspace: line.slice(start) };
  end = hash + 1;
  while (end < line.length && isBlankChar(line.charCodeAt(end))) end++;
  return { rest: line.slice(0, start), rspace: line.slice(start, hash), note: line.slice(end) };
}

/** A pragma line once its inline note is stripped. */
const pragmaLine = lazyPattern(({ blank, flags }) => {
  const B = `[${blank}]`;
  return new RegExp(
    String.raw`^(?<lspace>${B}*)?%(?<hspace>${B}*)?` +
      String.raw`(?<name>[^${P}](?:[^${blank}=]*?[^${P}${blank}])?)` +
      String.raw`(?:(?<lopspace>${B}*)(?<operator>=)(?<ropspace>${B}*)(?<value>.+))?$`,
    "s" + flags,
  );
});

/** The captures of a pragma line. */
export interface PragmaMatch {
  lspace: string;
  hspace: string;
  name: string;
  lopspace: string;
  operator: string;
  ropspace: string;
  value?: string;
}

/** Match a (note-stripped) pragma line, or undefined. */
export function matchPragma(rest: string): PragmaMatch | undefined {
  const g = pragmaLine(rest).exec(rest)?.groups;
  if (!g) return undefined;
  return {
    lspace: g.lspace ?? "",
    hspace: g.hspace ?? "",
    name: g.name,
    lopspace: g.lopspace ?? "",
    operator: g.operator ?? "",
    ropspace: g.ropspace ?? "",
    value: g.value,
  };
}

/**
 * A change or tag line once its inline note is stripped. Groups: 1 lspace,
 * 2 lopspace, 3 operator, 4 ropspace, 5 name, 6 pspace, 7 dependencies,
 * 8 timestamp, 9 planner name, 10 email.
 */
const itemLine = lazyPattern((chars) => {
  const B = `[${chars.blank}]`;
  return new RegExp(
    String.raw`^(${B}*)?(?:@|(${B}*)([+\-])(${B}*))?` +
      String.raw`(${namePattern(chars)})(${B}+)?` +
      String.raw`(?:\[([^\]]+)\]${B}*)?` +
      String.raw`(?:(${timestampPattern(chars)})${B}*)?` +
      String.raw`(?:([^<]+)${B}+<([^>]+)>)?$`,
    "s" + chars.flags,
  );
});

/**
 * A plain change or tag line, note included: no leading blanks or
 * operator, a name of ASCII word characters joined by `-` or `.`, single
 * spaces, ASCII digits in the timestamp, single spaces at most inside
 * planner names and none in emails, no `#` before the note, and a note
 * that starts with a visible character. For these lines stripInlineNote
 * and itemLine give the same parts; the parser tries this first. Groups:
 * 1 `@`, 2 name, 3 dependencies, 4 timestamp, 5 planner name, 6 email,
 * 7 rspace, 8 raw note.
 */
const PLAIN_ITEM =
  /^(@?)(\w+(?:[-.]\w+)*) (?:\[([^\]\s#]+(?: [^\]\s#]+)*)\] )?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) ([^<\s#]+(?: [^<\s#]+)*) <([^>\s#]+)>(?:( *)#[ \t]*(\S.*)?)?$/;

/** The parts of a plain item line (see matchPlainItem). */
export interface PlainItem {
  isTag: boolean;
  m: ItemMatch;
  /** As stripInlineNote gives them. */
  rspace: string;
  note?: string;
}

/**
 * Match a plain item line (the raw line, note included), or undefined
 * when stripInlineNote and the general grammar must decide.
 */
export function matchPlainItem(raw: string): PlainItem | undefined {
  const g = PLAIN_ITEM.exec(raw);
  if (!g) return undefined;
  const hash = g[7] !== undefined;
  return {
    isTag: g[1] === "@",
    m: {
      lspace: "",
      lopspace: "",
      operator: "",
      ropspace: "",
      name: g[2],
      pspace: " ",
      dependencies: g[3],
      timestamp: g[4],
      plannerName: g[5],
      plannerEmail: g[6],
    },
    rspace: hash ? g[7] : "",
    note: hash ? g[8] ?? "" : undefined,
  };
}

/** Plan.pm's `$ts_re`: `YYYY-MM-DDTHH:MM:SSZ` in any decimal digits. */
function timestampPattern({ digit: D }: Charset): string {
  return String.raw`${D}{4}-${D}{2}-${D}{2}T${D}{2}:${D}{2}:${D}{2}Z`;
}

/** A timestamp anywhere in a line (`$ts_re`, unanchored). */
const timestampAnywhere = lazyPattern((chars) => new RegExp(timestampPattern(chars), chars.flags));

/** The captures of a change or tag line (undefined = not captured). */
export interface ItemMatch {
  lspace: string;
  lopspace: string;
  operator: string;
  ropspace: string;
  name: string;
  pspace?: string;
  dependencies?: string;
  /** `YYYY-MM-DDTHH:MM:SSZ` in any decimal digits. */
  timestamp?: string;
  plannerName?: string;
  plannerEmail?: string;
}

/** Match a (note-stripped) change or tag line, or undefined. */
export function matchItem(rest: string): ItemMatch | undefined {
  const g = itemLine(rest).exec(rest);
  if (!g) return undefined;
  return {
    lspace: g[1] ?? "",
    lopspace: g[2] ?? "",
    operator: g[3] ?? "",
    ropspace: g[4] ?? "",
    name: g[5],
    pspace: g[6],
    dependencies: g[7],
    timestamp: g[8],
    plannerName: g[9],
    plannerEmail: g[10],
  };
}

/** True when a timestamp-shaped substring occurs in `text`. */
export function hasTimestamp(text: string): boolean {
  return timestampAnywhere(text).test(text);
}

/** True when a (note-stripped) line is a tag line: `^B*@`. */
export function isTagLine(rest: string): boolean {
  let i = 0;
  while (i < rest.length && isBlankChar(rest.charCodeAt(i))) i++;
  return rest.charCodeAt(i) === 0x40;
}

const blanks = lazyPattern(({ blank, flags }) => new RegExp(`[${blank}]+`, flags));

/** Split on `[[:blank:]]+` as Perl's split does (leading empty field kept, trailing ones dropped). */
export function splitBlanks(text: string): string[] {
  // Fast path: single ASCII spaces between non-blank tokens.
  let simple = text.charCodeAt(0) !== 0x20;
  for (let i = 0; simple && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20) simple = text.charCodeAt(i + 1) !== 0x20;
    else if (c === 0x09 || (c >= 0x80 && isBlankChar(c))) simple = false;
  }
  const parts = simple ? text.split(" ") : text.split(blanks(text));
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

/** The dependency token grammar (§4). Groups: 1 `!`, 2 project, 3 id, 4 change, 5–6 tag. */
const dependency = lazyPattern((chars) => {
  const name = namePattern(chars);
  return new RegExp(
    String.raw`^(!?)(?:(${name}):)?` +
      String.raw`(?:([0-9a-f]{40})|(${name})(?:@(${name}))?` +
      String.raw`|(?:@(${name}))?)$`,
    chars.flags,
  );
});

/** Dependency tokens made of ASCII word characters (names that are always valid). */
const SIMPLE_DEPENDENCY = /^(!?)(?:(\w+):)?(\w+)(?:@(\w+))?$/;

/** The captures of a dependency token. */
export interface DependencyMatch {
  conflicts: boolean;
  project?: string;
  id?: string;
  change?: string;
  tag?: string;
}

/** Parse a dependency token (`Depend->parse`), or undefined when it does not match. */
export function matchDependency(token: string): DependencyMatch | undefined {
  // Fast path: ASCII word characters only, which always make a valid name.
  const simple = SIMPLE_DEPENDENCY.exec(token);
  if (simple) {
    const change = simple[3];
    if (simple[4] === undefined && /^[0-9a-f]{40}$/.test(change)) {
      return { conflicts: simple[1] === "!", project: simple[2], id: change };
    }
    return { conflicts: simple[1] === "!", project: simple[2], change, tag: simple[4] };
  }
  const g = dependency(token).exec(token);
  if (!g) return undefined;
  return { conflicts: g[1] === "!", project: g[2], id: g[3], change: g[4], tag: g[5] ?? g[6] };
}

/** A name that starts like a SHA-1 ID (`/^[0-9a-f]{40}/`). */
export function looksLikeSha1(name: string): boolean {
  return /^[0-9a-f]{40}/.test(name);
}

/** A full 40-character lowercase hex string. */
export function isSha1(text: string): boolean {
  return /^[0-9a-f]{40}$/.test(text);
}

/** The grammar's patterns, for tests that check the ASCII and Unicode forms agree. */
export const GRAMMAR_PATTERNS = {
  blankLine,
  pragmaLine,
  itemLine,
  timestampAnywhere,
  blanks,
  dependency,
} as const;
