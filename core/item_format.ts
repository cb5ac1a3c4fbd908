/**
 * Sqitch's ItemFormatter (cli.md §6): the named and `format:` templates of
 * `plan` and `log`, and the `%` placeholders that turn one change or event
 * into text. Templates are parsed like String::Formatter does
 * (`%[-][width][.max][{arg}]<char>`), each replacement is padded or
 * truncated like `sprintf "%-W.Ms"`, and errors surface in template order
 * when an item is formatted (a template is compiled once per formatter,
 * but a bad placeholder throws only when an item reaches it, just as in
 * Sqitch). Colours come from core/color.ts and dates from core/dates.ts.
 */
import { colorEscape, invalidColor, isValidColor } from "./color.ts";
import { perlTrue } from "./env.ts";
import { dateFormatter, formatDate, type Instant, instantMillis } from "./dates.ts";
import { SqlitchError } from "./errors.ts";
import { type TimeZone, UTC_ZONE } from "./timezone.ts";

/**
 * One plan change or registry event to format. Plan items carry no
 * committer fields; log items carry all fields. A field that is absent
 * makes `%{name}a` fail as "not a valid change attribute", exactly as a
 * missing hash key does in Sqitch.
 */
export interface ItemData {
  /** `deploy`, `revert` or `fail`. */
  event: string;
  project: string;
  changeId: string;
  /** The change name. */
  change: string;
  note: string;
  /** Tag names with their `@`. */
  tags: readonly string[];
  /** Dependencies as written in the plan (`other:y@t3`). */
  requires: readonly string[];
  /** Conflicts, without the `!`. */
  conflicts: readonly string[];
  plannerName?: string | null;
  plannerEmail?: string | null;
  plannedAt?: Instant | null;
  committerName?: string | null;
  committerEmail?: string | null;
  committedAt?: Instant | null;
  /**
   * The deploy script path (plan only). Sqitch ≥ 1.4 prints it for `%F`;
   * when absent `%F` is an unknown format code, as in 1.3.1.
   */
  deployFile?: string;
}

/** How the formatter renders items (ItemFormatter's attributes). */
export interface ItemFormatOptions {
  /** Date format for `%{date}c`/`%{date}p` (validated by the caller); default `iso`. */
  dateFormat?: string;
  /** `--abbrev`: length of `%h` change IDs; 0 (default) means the full ID. */
  abbrev?: number;
  /** Whether `%C` emits escapes (see `colorEnabled` in core/color.ts); default false. */
  color?: boolean;
  /** The local time zone for dates; default UTC. */
  zone?: TimeZone;
}

// ---------------------------------------------------------------------------
// Named formats

/** The `plan` formats (App::Sqitch::Command::plan). */
export const PLAN_FORMATS: Readonly<Record<string, string>> = {
  raw: "%{:event}C%e %H%{reset}C%T\nname      %n\nproject   %o\n" +
    "%{requires}a%{conflicts}aplanner   %{name}p <%{email}p>\n" +
    "planned   %{date:raw}p\n\n%{    }B\n",
  full: "%{:event}C%L %h%{reset}C%T\n%{name}_ %n\n%{project}_ %o\n" +
    "%R%X%{planner}_ %p\n%{planned}_ %{date}p\n\n%{    }B\n",
  long: "%{:event}C%L %h%{reset}C%T\n%{name}_ %n\n%{project}_ %o\n%{planner}_ %p\n\n%{    }B\n",
  medium: "%{:event}C%L %h%{reset}C\n%{name}_ %n\n%{planner}_ %p\n%{date}_ %{date}p\n\n%{    }B\n",
  short: "%{:event}C%L %h%{reset}C\n%{name}_ %n\n%{planner}_ %p\n\n%{    }s\n",
  oneline: "%{:event}C%h %l%{reset}C %n%{cyan}C%t%{reset}C",
};

/** The `log` formats (App::Sqitch::Command::log). */
export const LOG_FORMATS: Readonly<Record<string, string>> = {
  raw: "%{:event}C%e %H%{reset}C%T\nname      %n\nproject   %o\n" +
    "%{requires}a%{conflicts}aplanner   %{name}p <%{email}p>\n" +
    "planned   %{date:raw}p\ncommitter %{name}c <%{email}c>\ncommitted %{date:raw}c\n\n" +
    "%{    }B\n",
  full: "%{:event}C%L %h%{reset}C%T\n%{name}_ %n\n%{project}_ %o\n" +
    "%R%X%{planner}_ %p\n%{planned}_ %{date}p\n%{committer}_ %c\n%{committed}_ %{date}c\n\n" +
    "%{    }B\n",
  long: "%{:event}C%L %h%{reset}C%T\n%{name}_ %n\n%{project}_ %o\n%{planner}_ %p\n" +
    "%{committer}_ %c\n\n%{    }B\n",
  medium:
    "%{:event}C%L %h%{reset}C\n%{name}_ %n\n%{committer}_ %c\n%{date}_ %{date}c\n\n%{    }B\n",
  short: "%{:event}C%L %h%{reset}C\n%{name}_ %n\n%{committer}_ %c\n\n%{    }s\n",
  oneline: "%{:event}C%h %l%{reset}C %o:%n %s",
};

/**
 * The template for a `--format` value of `plan` or `log`: `format:…` gives
 * the rest verbatim, a name gives its built-in template. A Perl-false value
 * (`""`, `"0"`) is used verbatim as the template, as Sqitch ends up doing
 * (its configure skips validation for it); the caller picks the value like
 * Sqitch: the option if Perl-true, else the config value if Perl-true, else
 * whichever of the two is defined, else `medium`. Throws
 * `Unknown plan format "{format}"` / `Unknown log format "{format}"`.
 */
export function resolveItemFormat(command: "plan" | "log", format: string): string {
  const formats = command === "plan" ? PLAN_FORMATS : LOG_FORMATS;
  if (!perlTrue(format)) return format;
  if (format.startsWith("format:")) return format.slice("format:".length);
  if (Object.hasOwn(formats, format)) return formats[format];
  throw new SqlitchError(`Unknown ${command} format "${format}"`, { ident: command });
}

// ---------------------------------------------------------------------------
// Template parsing

/** A parsed `%` placeholder. */
interface Placeholder {
  leftAlign: boolean;
  /** Minimum width (0 = none). */
  width: number;
  /** Maximum width (0 = no truncation). */
  maxWidth: number;
  argument: string | undefined;
  code: string;
}

/** Literal text and placeholders, in order. */
type Hunk = string | Placeholder;

const PLACEHOLDER = /%(-)?([0-9]+)?(?:\.([0-9]*))?(?:\{([^\n]*?)\})?(\S)/gu;

/** Split a template into literal text and placeholders (String::Formatter's hunker). */
function parseTemplate(template: string): Hunk[] {
  const hunks: Hunk[] = [];
  let pos = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (m.index > pos) hunks.push(template.slice(pos, m.index));
    pos = m.index + m[0].length;
    if (m[0] === "%%") {
      hunks.push("%");
      continue;
    }
    hunks.push({
      leftAlign: m[1] !== undefined,
      width: Number(m[2] ?? 0),
      maxWidth: Number(m[3] || 0),
      argument: m[4],
      code: m[5],
    });
  }
  if (pos < template.length) hunks.push(template.slice(pos));
  return hunks;
}

const templateCache = new Map<string, Hunk[]>();

function hunksOf(template: string): Hunk[] {
  let hunks = templateCache.get(template);
  if (!hunks) {
    hunks = parseTemplate(template);
    if (templateCache.size > 64) templateCache.clear();
    templateCache.set(template, hunks);
  }
  return hunks;
}

/** `sprintf("%-W.Ms", value)` counting characters (code points). */
function applyWidth(value: string, p: Placeholder): string {
  if (p.width === 0 && p.maxWidth === 0) return value;
  let chars = Array.from(value);
  if (p.maxWidth > 0 && chars.length > p.maxWidth) chars = chars.slice(0, p.maxWidth);
  const text = chars.join("");
  const fill = " ".repeat(Math.max(0, p.width - chars.length));
  return p.leftAlign ? text + fill : fill + text;
}

// ---------------------------------------------------------------------------
// Placeholder codes

/** Perl's vertical whitespace `\v`. */
const VSPACE = "\\n\\x0B\\f\\r\\x85\\u2028\\u2029";
const SUBJECT_END = new RegExp(`[${VSPACE}][\\s\\S]*`);
const HAS_VSPACE = new RegExp(`[${VSPACE}]`);
const FIRST_LINE = new RegExp(`^[^\\n]+[${VSPACE}]+`);

/** Labels of `%{label}_` (all ten characters wide). */
const LABELS: Readonly<Record<string, string>> = {
  event: "Event:    ",
  change: "Change:   ",
  committer: "Committer:",
  planner: "Planner:  ",
  by: "By:       ",
  date: "Date:     ",
  committed: "Committed:",
  planned: "Planned:  ",
  name: "Name:     ",
  project: "Project:  ",
  email: "Email:    ",
  requires: "Requires: ",
  conflicts: "Conflicts:",
};

/** `%L` labels of the events. */
const EVENT_LABELS: ReadonlyMap<string, string> = new Map([
  ["deploy", "Deploy"],
  ["revert", "Revert"],
  ["fail", "Fail"],
]);

/** `%l` labels of the events. */
const EVENT_LABELS_LOWER: ReadonlyMap<string, string> = new Map(
  [...EVENT_LABELS].map(([event, label]) => [event, label.toLowerCase()]),
);

/** `%{attr}a` names and the ItemData fields they read. */
const ATTRIBUTES: Readonly<Record<string, keyof ItemData>> = {
  event: "event",
  project: "project",
  change_id: "changeId",
  change: "change",
  note: "note",
  requires: "requires",
  conflicts: "conflicts",
  tags: "tags",
  committer_name: "committerName",
  committer_email: "committerEmail",
  committed_at: "committedAt",
  planner_name: "plannerName",
  planner_email: "plannerEmail",
  planned_at: "plannedAt",
  deploy_file: "deployFile",
};

const DATE_ATTRIBUTES = new Set(["committed_at", "planned_at"]);

/** Perl's numeric value of a string (leading number, else 0). */
function perlNumber(text: string): number {
  const m = /^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/.exec(text);
  return m ? Number(m[1]) : 0;
}

/** Perl's `substr($s, 0, $len)`. */
function perlPrefix(text: string, length: number): string {
  const len = Math.trunc(length);
  // Without surrogate pairs, code units are characters.
  if (len >= 0 && !/[\uD800-\uDFFF]/.test(text)) return text.slice(0, len);
  const chars = Array.from(text);
  return chars.slice(0, len < 0 ? Math.max(0, chars.length + len) : len).join("");
}

/** The separator of a list placeholder (1.3.1: only a Perl-true argument counts). */
function listSeparator(arg: string | undefined): string {
  return perlTrue(arg) ? arg : ", ";
}

/**
 * A list placeholder: the item's list joined with the separator `arg`
 * gives (listSeparator) and shown by `show`, or "" for an empty list.
 */
function joinedList(
  arg: string | undefined,
  list: (item: ItemData) => readonly string[],
  show: (joined: string) => string,
): (item: ItemData) => string {
  const sep = listSeparator(arg);
  return (item) => {
    const items = list(item);
    return items.length ? show(items.join(sep)) : "";
  };
}

/** The error Perl raises for a date of a person the item does not have. */
function missingDate(): SqlitchError {
  return new SqlitchError(`Can't call method "as_string" on an undefined value`, {
    ident: "format",
  });
}

/**
 * One compiled piece of a template: literal text, or the (already padded)
 * replacement of a placeholder for an item. Pieces whose text does not
 * depend on the item are folded into the literal text; a placeholder that
 * can never be formatted compiles to a piece that throws its error.
 */
type Piece = string | ((item: ItemData) => string);

/** How `%c` and `%p` read their person from an item. */
interface PersonFields {
  name(item: ItemData): string | null | undefined;
  email(item: ItemData): string | null | undefined;
  at(item: ItemData): Instant | null | undefined;
}

const COMMITTER: PersonFields = {
  name: (item) => item.committerName,
  email: (item) => item.committerEmail,
  at: (item) => item.committedAt,
};

const PLANNER: PersonFields = {
  name: (item) => item.plannerName,
  email: (item) => item.plannerEmail,
  at: (item) => item.plannedAt,
};

/** A piece that throws `error()` each time it is reached. */
function failing(error: () => SqlitchError): (item: ItemData) => string {
  return () => {
    throw error();
  };
}

/** Formats items with a fixed set of options. */
export class ItemFormatter {
  readonly dateFormat: string;
  readonly abbrev: number;
  readonly color: boolean;
  readonly zone: TimeZone;
  /** Compiled templates (see `compile`). */
  private readonly compiled = new Map<string, readonly Piece[]>();
  private lastTemplate: string | undefined;
  private lastPieces: readonly Piece[] = [];

  constructor(options: ItemFormatOptions = {}) {
    this.dateFormat = options.dateFormat || "iso";
    this.abbrev = options.abbrev ?? 0;
    this.color = options.color ?? false;
    this.zone = options.zone ?? UTC_ZONE;
  }

  /**
   * Format one item with a template (not a format name; see
   * `resolveItemFormat`). Throws a SqlitchError (exit 2) for an unknown
   * code (`Unknown format code "{code}"`), label, attribute, colour or date
   * format, in template order. A template is compiled on first use and
   * kept; compiling never throws, so errors still surface only when an item
   * is formatted, each time one is.
   */
  format(template: string, item: ItemData): string {
    let pieces = this.lastPieces;
    if (template !== this.lastTemplate) {
      pieces = this.compiled.get(template) ?? this.compile(template);
      this.lastTemplate = template;
      this.lastPieces = pieces;
    }
    let out = "";
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      out += typeof piece === "string" ? piece : piece(item);
    }
    return out;
  }

  /** Compile a template into pieces, adjacent literal texts merged, and cache it. */
  private compile(template: string): readonly Piece[] {
    const pieces: Piece[] = [];
    let text = "";
    for (const hunk of hunksOf(template)) {
      const piece = typeof hunk === "string" ? hunk : this.placeholder(hunk);
      if (typeof piece === "string") {
        text += piece;
        continue;
      }
      if (text !== "") pieces.push(text);
      text = "";
      pieces.push(piece);
    }
    if (text !== "") pieces.push(text);
    if (this.compiled.size >= 64) this.compiled.clear();
    this.compiled.set(template, pieces);
    return pieces;
  }

  /** A placeholder's piece: its replacement, padded or truncated to its width. */
  private placeholder(p: Placeholder): Piece {
    const piece = this.expand(p);
    if (p.width === 0 && p.maxWidth === 0) return piece;
    if (typeof piece === "string") return applyWidth(piece, p);
    return (item) => applyWidth(piece(item), p);
  }

  /** The replacement of one placeholder: fixed text, or a function of the item. */
  private expand(p: Placeholder): Piece {
    const arg = p.argument;
    switch (p.code) {
      case "e":
        return (item) => item.event;
      case "L":
        return (item) => EVENT_LABELS.get(item.event) ?? "";
      case "l":
        return (item) => EVENT_LABELS_LOWER.get(item.event) ?? "";
      case "_":
        if (arg === undefined) return failing(() => formatError("No label passed to the _ format"));
        if (!Object.hasOwn(LABELS, arg)) {
          return failing(() => formatError(`Unknown label "${arg}" passed to the _ format`));
        }
        return LABELS[arg];
      case "H":
        return (item) => item.changeId;
      case "h": {
        const abbrev = perlTrue(arg) ? perlNumber(arg) : this.abbrev;
        return perlTrue(arg) || abbrev
          ? (item) => perlPrefix(item.changeId, abbrev)
          : (item) => item.changeId;
      }
      case "n":
        return (item) => item.change;
      case "o":
        return (item) => item.project;
      case "c":
        return this.person(arg, COMMITTER);
      case "p":
        return this.person(arg, PLANNER);
      case "t":
        return joinedList(arg, (item) => item.tags, (list) => " " + list);
      case "T":
        return joinedList(arg, (item) => item.tags, (list) => ` (${list})`);
      case "r":
        return joinedList(arg, (item) => item.requires, (list) => " " + list);
      case "R":
        return joinedList(arg, (item) => item.requires, (list) => `Requires:  ${list}\n`);
      case "x":
        return joinedList(arg, (item) => item.conflicts, (list) => " " + list);
      case "X":
        return joinedList(arg, (item) => item.conflicts, (list) => `Conflicts: ${list}\n`);
      case "v":
        return "\n";
      case "C":
        return this.colorCode(arg);
      case "s": {
        const prefix = arg ?? "";
        return (item) => prefix + item.note.replace(SUBJECT_END, "");
      }
      case "b":
        return (item) => {
          if (!HAS_VSPACE.test(item.note)) return "";
          const body = item.note.replace(FIRST_LINE, "");
          return arg !== undefined && body !== "" ? prefixLines(body, arg) : body;
        };
      case "B":
        return arg === undefined ? (item) => item.note : (item) => prefixLines(item.note, arg);
      case "a":
        return attribute(arg);
      case "F":
        return (item) => {
          if (item.deployFile !== undefined) return item.deployFile;
          throw formatError(`Unknown format code "F"`);
        };
    }
    return failing(() => formatError(`Unknown format code "${p.code}"`));
  }

  /** `%c` / `%p` and their `{name}`, `{email}`, `{date[:format]}` forms. */
  private person(arg: string | undefined, who: PersonFields): Piece {
    const { name, email, at } = who;
    if (arg === undefined) return (item) => `${name(item) ?? ""} <${email(item) ?? ""}>`;
    if (arg === "n" || arg === "name") return (item) => name(item) ?? "";
    if (arg === "e" || arg === "email") return (item) => email(item) ?? "";
    const m = /^d(?:ate)?(?::|$)/.exec(arg);
    if (!m) return "";
    const format = dateFormatter(arg.slice(m[0].length) || this.dateFormat, this.zone);
    return (item) => {
      const instant = at(item);
      if (instant === undefined || instant === null) throw missingDate();
      return format(wholeSeconds(instant));
    };
  }

  /** `%{spec}C` and `%{:event}C`. */
  private colorCode(arg: string | undefined): Piece {
    if (arg === ":event") {
      if (!this.color) return "";
      const [deploy, revert, other] = ["green", "blue", "red"].map(colorEscape);
      return (item) => item.event === "deploy" ? deploy : item.event === "revert" ? revert : other;
    }
    if (!perlTrue(arg) || !isValidColor(arg)) return failing(() => invalidColor(arg ?? "{color}"));
    return this.color ? colorEscape(arg) : "";
  }
}

/** `%{attr}a`: `attr` padded to 9, the value (lists joined, dates raw), newline. */
function attribute(arg: string | undefined): Piece {
  if (!perlTrue(arg) || !Object.hasOwn(ATTRIBUTES, arg)) {
    return failing(() => formatError(`${arg ?? "{attr}"} is not a valid change attribute`));
  }
  const key = ATTRIBUTES[arg];
  const label = `${arg}${" ".repeat(Math.max(9 - Array.from(arg).length, 0))} `;
  const isDate = DATE_ATTRIBUTES.has(arg);
  return (item) => {
    if (!(key in item)) throw formatError(`${arg} is not a valid change attribute`);
    const value = item[key];
    if (value === undefined || value === null) return "";
    let text: string;
    if (Array.isArray(value)) {
      if (value.length === 0) return "";
      text = value.join(", ");
    } else if (isDate) {
      text = formatDate(wholeSeconds(value as Instant), "raw");
    } else {
      text = String(value);
    }
    return `${label}${text}\n`;
  };
}

/**
 * An instant without its fraction of a second: Sqitch's dates never have
 * one (the plan has none; registries return whole seconds).
 */
function wholeSeconds(instant: Instant): number {
  return Math.floor(instantMillis(instant) / 1000) * 1000;
}

/** Perl's `s/^/$prefix/gm`: the prefix at the start and after every `\n` but a final one. */
function prefixLines(text: string, prefix: string): string {
  if (!text.includes("\n")) return prefix + text;
  return prefix + text.replace(/\n(?=[\s\S])/g, "\n" + prefix);
}

function formatError(message: string): SqlitchError {
  return new SqlitchError(message, { ident: "format" });
}

/**
 * Format one item: shorthand for `new ItemFormatter(options).format(template, item)`.
 */
export function formatItem(
  template: string,
  item: ItemData,
  options: ItemFormatOptions = {},
): string {
  return new ItemFormatter(options).format(template, item);
}

// ---------------------------------------------------------------------------
// Plan search

/** The filters and window of `sqitch plan` (Plan::search_changes). */
export interface PlanSearch {
  /** `--event`: `deploy` or `revert` (case-insensitive); other values throw. */
  event?: string;
  /** `--change-pattern`, already compiled. */
  change?: RegExp;
  /** `--planner-pattern`, already compiled. */
  planner?: RegExp;
  /** `--max-count`; 0 or absent = no limit. */
  limit?: number;
  /** `--skip`. */
  offset?: number;
  /** `--reverse`. */
  reverse?: boolean;
}

/**
 * Select plan items the way Sqitch 1.3.1 does: the window of `limit`
 * positions starting `offset` from the start (or, reversed, from the end)
 * is scanned, and an item is kept when it matches ANY given filter (they
 * are OR-ed). Throws `Unknown change operation "{op}"` for a bad event.
 * Kept for reference and tests: `sqlitch plan` uses selectPlanItems (see
 * README, compatibility notes).
 */
export function searchPlanItems<T extends Pick<ItemData, "event" | "change" | "plannerName">>(
  items: readonly T[],
  search: PlanSearch,
): T[] {
  const filters: ((item: T) => boolean)[] = [];
  const { planner, change } = search;
  if (planner) filters.push((item) => regexTest(planner, item.plannerName ?? ""));
  if (change) filters.push((item) => regexTest(change, item.change));
  const op = (search.event ?? "").toLowerCase();
  if (perlTrue(op)) {
    if (op !== "deploy" && op !== "revert") {
      throw new SqlitchError(`Unknown change operation "${op}"`, { ident: "plan" });
    }
    filters.push((item) => item.event === op);
  }
  const offset = search.offset ?? 0;
  const limit = search.limit ?? 0;
  const ordered = search.reverse ? [...items].reverse() : [...items];
  const window = ordered.slice(
    Math.max(offset, 0),
    limit ? Math.max(offset, 0) + limit : undefined,
  );
  return filters.length ? window.filter((item) => filters.some((f) => f(item))) : window;
}

/**
 * Select plan items the way Sqitch means to (its documentation, `log`'s
 * registry search, and sqlitch): an item is kept when it matches EVERY
 * given filter, and `offset`/`limit` count matching items in the chosen
 * order (skip `offset` matches, then keep at most `limit`). Negative
 * offsets count as 0. Throws `Unknown change operation "{op}"` for a bad
 * event, as searchPlanItems does.
 */
export function selectPlanItems<T extends Pick<ItemData, "event" | "change" | "plannerName">>(
  items: readonly T[],
  search: PlanSearch,
): T[] {
  const { planner, change } = search;
  const op = (search.event ?? "").toLowerCase();
  if (perlTrue(op) && op !== "deploy" && op !== "revert") {
    throw new SqlitchError(`Unknown change operation "${op}"`, { ident: "plan" });
  }
  const matches = (item: T) =>
    (!planner || regexTest(planner, item.plannerName ?? "")) &&
    (!change || regexTest(change, item.change)) &&
    (!perlTrue(op) || item.event === op);
  let skip = Math.max(search.offset ?? 0, 0);
  const limit = search.limit ?? 0;
  const out: T[] = [];
  const n = items.length;
  for (let k = 0; k < n; k++) {
    const item = items[search.reverse ? n - 1 - k : k];
    if (!matches(item)) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    out.push(item);
    if (limit > 0 && out.length >= limit) break;
  }
  return out;
}

function regexTest(re: RegExp, text: string): boolean {
  re.lastIndex = 0;
  return re.test(text);
}
