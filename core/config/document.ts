/**
 * The text-preserving config editor: applies set / add / replace-all /
 * unset / rename-section / remove-section / comment edits to the text of
 * one file the way Config::GitLike does, leaving everything it does not
 * touch (comments, order, indentation, case) byte for byte as it was. It
 * never touches the file system; see writer.ts for reading and writing.
 */
import { SqlitchError } from "../errors.ts";
import { perlTrue } from "../env.ts";
import { type CastType, castValue } from "./cast.ts";
import {
  isInvalidSectionName,
  isInvalidVariableName,
  removeBalancedQuotes,
  splitKey,
} from "./keys.ts";
import { type Newline, normalizeText, parseConfigText, type ParseEvent } from "./parser.ts";
import { PERL_SPACE, perlLc, perlRegex } from "./perl.ts";
import type { RawValue } from "./reader.ts";

/** One edit of a group set (Config::GitLike's `set` arguments). */
export interface SetOperation {
  /** The key as typed: written names and sections keep this spelling. */
  key: string;
  /** The value to write; undefined removes the matching line(s) instead. */
  value?: string;
  /** A value regex (Perl, case-insensitive; `!` prefix negates) selecting lines. */
  filter?: string;
  /** Validate and normalise the value first (`yes` ⇒ `true`, `10k` ⇒ `10240`). */
  as?: CastType;
  /**
   * Whether the key may have several values. False: more than one matching
   * line is an error. True: a plain set appends another line. Sqitch's
   * init/engine/target pass whether the loaded config has it multi-valued.
   */
  multiple?: boolean;
  /** Replace every matching line by one (at the position of the last). */
  replaceAll?: boolean;
}

/** Options for a comment block appended to the file. */
export interface CommentOptions {
  /** Insert the comment character after each line's leading blanks (`\t# key = `). */
  indented?: boolean;
  /** Use `;` instead of `#`. */
  semicolon?: boolean;
}

/** Thrown by renameSection / removeSection when no header matches: `No such section!`. */
export class NoSuchSectionError extends SqlitchError {
  /** The section asked for (quotes removed). */
  readonly section: string;

  constructor(section: string) {
    super("No such section!", { ident: "config" });
    this.name = "NoSuchSectionError";
    this.section = section;
  }
}

/** A span of text to replace or delete. */
interface Span {
  offset: number;
  length: number;
}

const NEEDS_QUOTES = new RegExp(`^[${PERL_SPACE}]|;|#|[${PERL_SPACE}](?=\\n?$)`);
const BLANK = "[ \\t\\u00a0\\u1680\\u2000-\\u200a\\u202f\\u205f\\u3000]";

/**
 * A variable line's text without indentation or newline: `name = value`,
 * the value in double quotes when it starts or ends with whitespace or
 * contains `;` or `#`, with `\`, `"`, TAB and LF escaped.
 */
export function formatDefinition(name: string, value: string): string {
  const quote = NEEDS_QUOTES.test(value) ? '"' : "";
  const escaped = value
    .replaceAll("\\", "\\\\")
    .replaceAll('"', '\\"')
    .replaceAll("\t", "\\t")
    .replaceAll("\n", "\\n");
  return `${name} = ${quote}${escaped}${quote}`;
}

/**
 * A section header without newline: `[section]`, or `[section "sub"]` when
 * the name has a dot (split at the first one). No escaping is done here.
 */
export function formatSection(section: string): string {
  const m = /^([^\n]*?)\.([^\n]*)(?=\n?$)/.exec(section);
  return m ? `[${m[1]} "${m[2]}"]` : `[${section}]`;
}

/** A one-line config error, optionally followed by Sqitch's blank line. */
function configError(message: string, trailingBlankLine = false): SqlitchError {
  return new SqlitchError(message, { ident: "config", trailingBlankLine });
}

/** Whether a value matches a value regex as writes test it (a bare value reads as ""). */
function writeFilterMatches(value: RawValue, filter: string | undefined): boolean {
  if (filter === undefined || filter === "") return true;
  if (filter === "!") return false;
  if (filter.startsWith("!")) return !perlRegex(filter.slice(1)).test(value ?? "");
  return perlRegex(filter).test(value ?? "");
}

/**
 * Delete variable lines: from the preceding newline (or the `]` of a header
 * on the same line) to the end of the line. `difference` is how much text
 * before the spans was already removed.
 */
function deleteSpans(spans: Span[], text: string, difference: number): [string, number] {
  let c = text;
  let diff = difference;
  for (const span of spans) {
    const pos = span.offset - diff;
    const newline = c.lastIndexOf("\n", pos);
    const bracket = c.lastIndexOf("]", pos) + 1;
    const start = newline > bracket ? newline : bracket;
    const length = c.indexOf("\n", pos + span.length) - start;
    c = c.slice(0, start) + c.slice(start + length);
    diff += length;
  }
  return [c, diff];
}

/** Where the document came from, for messages. */
export interface DocumentSource {
  /** The file as Sqitch names it in messages (`No occurrence … in {path}`). */
  path: string;
  /** The absolute path used in parse errors (defaults to `path`). */
  absolute?: string;
}

/** The editable text of one config file. */
export class ConfigDocument {
  /** The file as named in messages. */
  readonly path: string;
  /** The absolute path named in parse errors. */
  readonly absolute: string;
  /** The line ending used when writing back (that of the original file). */
  readonly newline: Newline;
  #text: string;
  #missing: boolean;
  #dirty = false;

  /**
   * Wrap a file's raw text (undefined when the file does not exist). The
   * text is normalised as on read: LF line ends, one final newline.
   */
  constructor(raw: string | undefined, source: DocumentSource = { path: "-" }) {
    this.path = source.path;
    this.absolute = source.absolute ?? source.path;
    if (raw === undefined) {
      this.#text = "";
      this.#missing = true;
      this.newline = "\n";
    } else {
      const { text, newline } = normalizeText(raw);
      this.#text = text;
      this.#missing = false;
      this.newline = newline;
    }
  }

  /** The normalised text (LF line ends). */
  get text(): string {
    return this.#text;
  }

  /** True once an edit was applied (the file must be written). */
  get dirty(): boolean {
    return this.#dirty;
  }

  /** True while the document has no text at all (file missing and nothing written yet). */
  get missing(): boolean {
    return this.#missing;
  }

  /** The text to write: normalised text with the file's original line ends. */
  toString(): string {
    return this.newline === "\n" ? this.#text : this.#text.replaceAll("\n", this.newline);
  }

  /** Parse the current text (throws on syntax errors). */
  events(): ParseEvent[] {
    return parseConfigText(this.#text, this.absolute);
  }

  /** Apply several sets/unsets in order (all or nothing). */
  groupSet(operations: SetOperation[]): void {
    const before = this.#text;
    const missing = this.#missing;
    try {
      for (const op of operations) this.#apply(op);
    } catch (e) {
      this.#text = before;
      this.#missing = missing;
      throw e;
    }
    this.#dirty = true;
  }

  /**
   * `sqitch config name value [regex]`: add, or replace the one existing
   * (or the one matching) value; several ⇒ `Cannot overwrite multiple
   * values with a single value`; with a regex matching nothing, add a line.
   */
  set(key: string, value: string, filter?: string, as?: CastType): void {
    this.groupSet([{ key, value, filter, as, multiple: false }]);
  }

  /** `--add`: always append a new line for the key. */
  add(key: string, value: string, as?: CastType): void {
    this.groupSet([{ key, value, as, multiple: true }]);
  }

  /** `--replace-all`: replace all (matching) lines by one at the last one's place. */
  replaceAll(key: string, value: string, filter?: string, as?: CastType): void {
    this.groupSet([{ key, value, filter, as, multiple: true, replaceAll: true }]);
  }

  /** `--unset`: remove the one (matching) line; several ⇒ `Cannot unset key with multiple values`. */
  unset(key: string, filter?: string): void {
    this.groupSet([{ key, filter, multiple: false }]);
  }

  /** `--unset-all`: remove every (matching) line. */
  unsetAll(key: string, filter?: string): void {
    this.groupSet([{ key, filter, multiple: true }]);
  }

  /**
   * Replace every header of section `from` (case-insensitive, e.g.
   * `target.prod`) by the header for `to`. Nothing happens when the file
   * does not exist; no header ⇒ NoSuchSectionError.
   */
  renameSection(from: string, to: string): void {
    this.#renameSection(from, to);
  }

  /**
   * Delete every occurrence of a section: the header and everything up to
   * the next header (or to the end of the file). Nothing happens when the
   * file does not exist; no header ⇒ NoSuchSectionError.
   */
  removeSection(section: string): void {
    this.#renameSection(section, undefined);
  }

  /**
   * Append a comment block: `#` (or `;`) and a space are put at the start
   * of each line, or after its leading blanks when `indented`.
   */
  appendComment(comment: string, options: CommentOptions = {}): void {
    const char = options.semicolon ? ";" : "#";
    const lead = new RegExp(options.indented ? `^${BLANK}*` : "^");
    const lines = comment.split("\n");
    const out = lines.map((line, i) => {
      if (i > 0 && i === lines.length - 1 && line === "") return line;
      const blanks = lead.exec(line)![0];
      return `${blanks}${char} ${line.slice(blanks.length)}`;
    });
    let text = out.join("\n");
    if (!text.endsWith("\n")) text += "\n";
    this.#text += text;
    this.#missing = false;
    this.#dirty = true;
  }

  /** One set or unset (Config::GitLike's group_set loop body). */
  #apply(op: SetOperation): void {
    const parts = splitKey(op.key);
    if (!parts) throw configError(`No section given in key or invalid key ${op.key}`, true);
    const { section, subsection, name } = parts;
    if (isInvalidVariableName(name)) throw configError(`Invalid variable name ${name}`, true);
    if (isInvalidSectionName(section)) throw configError(`Invalid section name ${section}`, true);

    let value = op.value;
    if (value !== undefined && op.as) value = castValue(value, op.as);
    const multiple = op.multiple ?? false;
    const compare = subsection === undefined ? perlLc(section) : `${perlLc(section)}.${subsection}`;
    const written = subsection === undefined
      ? section
      : `${section}.${subsection.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}`;

    const lname = perlLc(name);
    let end: number | undefined;
    let matches: Span[] = [];
    for (const event of this.events()) {
      if (event.section !== compare) continue;
      end = event.offset + event.length;
      if (event.type !== "variable" || perlLc(event.name) !== lname) continue;
      if (writeFilterMatches(event.value, op.filter)) {
        matches.push({ offset: event.offset, length: event.length });
      }
    }
    if (matches.length > 1 && !multiple) {
      throw configError(
        value === undefined
          ? "Cannot unset key with multiple values"
          : "Cannot overwrite multiple values with a single value",
      );
    }
    if (matches.length > 0 && perlTrue(value) && !op.replaceAll) matches = [matches[0]];

    let c = this.#text;
    if (value !== undefined) {
      const line = formatDefinition(name, value);
      if (matches.length > 0 && (!multiple || perlTrue(op.filter) || op.replaceAll)) {
        const last = matches[matches.length - 1];
        const [rest, diff] = deleteSpans(matches.slice(0, -1), c, 0);
        const at = last.offset - diff;
        c = rest.slice(0, at) + line + rest.slice(at + last.length);
      } else if (end !== undefined) {
        const at = c.indexOf("\n", end) + 1;
        c = `${c.slice(0, at)}\t${line}\n${c.slice(at)}`;
      } else {
        c += `${formatSection(written)}\n\t${line}\n`;
      }
      this.#missing = false;
    } else {
      if (matches.length === 0) {
        throw configError(`No occurrence of ${op.key} found to unset in ${this.path}`, true);
      }
      [c] = deleteSpans(matches, c, 0);
    }
    this.#text = c;
  }

  /** Rename (`to` given) or remove (`to` undefined) every header of a section. */
  #renameSection(fromName: string, toName: string | undefined): void {
    if (this.#missing) return;
    const from = perlLc(removeBalancedQuotes(fromName));
    const to = toName === undefined ? undefined : removeBalancedQuotes(toName);
    const removing = to === undefined;
    const headers: (Span & { last: boolean })[] = [];
    let prevMatched = false;
    const extendTo = (offset: number) => {
      const h = headers[headers.length - 1];
      if (h && prevMatched && removing) h.length += offset - (h.offset + h.length);
    };
    for (const event of this.events()) {
      const isHeader = event.type === "section";
      if (isHeader && headers.length > 0) headers[headers.length - 1].last = false;
      if (perlLc(event.section) === from) {
        if (!isHeader) {
          extendTo(event.offset + event.length);
        } else {
          extendTo(event.offset);
          headers.push({ offset: event.offset, length: event.length, last: true });
          prevMatched = true;
        }
      } else {
        extendTo(event.offset);
        prevMatched = false;
      }
    }
    if (headers.length === 0) throw new NoSuchSectionError(removeBalancedQuotes(fromName));

    const replacement = to === undefined ? "" : formatSection(to);
    let c = this.#text;
    let difference = 0;
    for (const h of headers) {
      const at = h.offset + difference;
      const length = removing && h.last ? c.length - at : h.length;
      c = c.slice(0, at) + replacement + c.slice(at + length);
      difference += replacement.length - h.length;
    }
    this.#text = c;
    this.#dirty = true;
  }
}

/** One step of building a file: a group set, or an appended comment block. */
export type DocumentStep =
  | { set: SetOperation[] }
  | { comment: string; options?: CommentOptions };

/**
 * Build the text of a brand-new file (as `init` writes it) by applying the
 * steps in order to an empty document; see cli.md §5.9 for the layouts.
 */
export function buildConfigText(steps: DocumentStep[], source?: DocumentSource): string {
  const doc = new ConfigDocument(undefined, source);
  for (const step of steps) {
    if ("set" in step) doc.groupSet(step.set);
    else doc.appendComment(step.comment, step.options);
  }
  return doc.toString();
}
