/**
 * The config-file reader: turns file text into a stream of section and
 * variable events exactly as Config::GitLike (non-"compatible" mode) parses
 * it, with the offsets the text editor needs. Also the line-ending
 * normalisation applied to every file before parsing.
 */
import { SqlitchError } from "../errors.ts";
import { PERL_SPACE, perlLc } from "./perl.ts";
import type { RawValue } from "./reader.ts";

/** The line terminator a file was written with. */
export type Newline = "\n" | "\r\n" | "\r";

/** A `[section]` header; `section` is canonical (`name.subsection`). */
export interface SectionEvent {
  type: "section";
  section: string;
  /** Offset of the `[` in the normalised text. */
  offset: number;
  /** Length of the header text. */
  length: number;
}

/** A variable definition (`name = value`, or a bare `name`: value null). */
export interface VariableEvent {
  type: "variable";
  /** The canonical section the variable belongs to. */
  section: string;
  /** The variable name as written. */
  name: string;
  value: RawValue;
  /** Offset of the first character of the name. */
  offset: number;
  /** Length up to the end of the value or trailing comment (newline excluded). */
  length: number;
}

/** What the parser reports, in file order. */
export type ParseEvent = SectionEvent | VariableEvent;

/**
 * Normalise file text as Config::GitLike does on read: CRLF (or, when the
 * file has no LF at all, lone CR) becomes LF, and all trailing newlines
 * collapse into exactly one (an empty file becomes "\n").
 */
export function normalizeText(raw: string): { text: string; newline: Newline } {
  let text = raw;
  let newline: Newline = "\n";
  if (text.includes("\r\n")) {
    newline = "\r\n";
    text = text.replaceAll("\r\n", "\n");
  } else if (!text.includes("\n") && text.includes("\r")) {
    newline = "\r";
    text = text.replaceAll("\r", "\n");
  }
  return { text: text.replace(/\n*$/, "\n"), newline };
}

const SPACES = new RegExp(`[${PERL_SPACE}]*`, "y");
const COMMENT = /[#;][^\n]*/y;
const SECTION = new RegExp(`\\[([^${PERL_SPACE}\\[\\]"]+)(?:[\\t ]*"([^\\n]*?)")?\\]`, "y");
const BARE_KEY = /([^[=\n][^=\n]*?)[\t ]*(?:[#;][^\n]*)?(?=\n|$)/y;
const KEY_EQUALS = /([^[=\n][^=\n]*?)[\t ]*=[\t ]*/y;
const VALUE_END = /(?:[ \t]*[#;][^\n]*)?(?=\n|$)/y;
const BLANKS = /[\t ]+/y;
const CONTINUATION = /\\\r?\n/y;
const ESCAPE = /\\(["'\\nNtTbB])/y;
const QUOTED = /"([^"\\]*(?:(?:\\\n|\\[tbnTBN"\\])[^"\\]*)*)"/y;
const PLAIN = /[^\t \\\n"]+/y;

/** Match a sticky regex at `pos`; the match or null. */
function at(re: RegExp, text: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(text);
}

/**
 * Parse normalised config text into events. `path` (absolute) is only used
 * in the error: `Error parsing {path} at line {N}, position {P}. Bad line
 * was: '{line}'` (true 1-based line, 0-based column of the failing token).
 */
export function parseConfigText(text: string, path: string): ParseEvent[] {
  const events: ParseEvent[] = [];
  let section: string | undefined;
  let pos = 0;
  const fail = (offset: number): never => {
    throw parseError(text, offset, path);
  };
  while (true) {
    pos += at(SPACES, text, pos)![0].length;
    const offset = pos;
    if (pos >= text.length) break;
    let m: RegExpExecArray | null;
    if ((m = at(COMMENT, text, pos))) {
      pos += m[0].length;
    } else if ((m = at(SECTION, text, pos))) {
      pos += m[0].length;
      section = perlLc(m[1]);
      const sub = m[2];
      // Perl truthiness: an empty or "0" subsection is ignored.
      if (sub !== undefined && sub !== "" && sub !== "0") {
        if (/[\\"]/.test(sub.replaceAll("\\\\", "").replaceAll('\\"', ""))) fail(offset);
        section += "." + sub.replaceAll("\\\\", "\\").replaceAll('\\"', '"');
      }
      events.push({ type: "section", section, offset, length: pos - offset });
    } else if ((m = at(BARE_KEY, text, pos))) {
      if (section === undefined) fail(offset);
      pos += m[0].length;
      events.push({
        type: "variable",
        section: section!,
        name: m[1],
        value: null,
        offset,
        length: pos - offset,
      });
    } else if ((m = at(KEY_EQUALS, text, pos))) {
      if (section === undefined) fail(offset);
      pos += m[0].length;
      const name = m[1];
      let value = "";
      while (true) {
        if ((m = at(VALUE_END, text, pos))) {
          pos += m[0].length;
          break;
        } else if ((m = at(BLANKS, text, pos))) {
          value += " ";
        } else if ((m = at(CONTINUATION, text, pos))) {
          // nothing added
        } else if ((m = at(ESCAPE, text, pos))) {
          value += unescape(m[1]);
        } else if ((m = at(QUOTED, text, pos))) {
          value += m[1]
            .replaceAll("\\\n", "")
            .replaceAll("\\n", "\n")
            .replaceAll("\\t", "\t")
            .replaceAll("\\b", "\b")
            .replaceAll("\\\\", "\\");
        } else if ((m = at(PLAIN, text, pos))) {
          value += m[0];
        } else {
          fail(offset);
        }
        pos += m![0].length;
      }
      events.push({
        type: "variable",
        section: section!,
        name,
        value,
        offset,
        length: pos - offset,
      });
    } else {
      fail(offset);
    }
  }
  return events;
}

/** The character an escape outside quotes stands for (`\N` is `\n`: Perl's /i). */
function unescape(ch: string): string {
  switch (ch) {
    case "n":
    case "N":
      return "\n";
    case "t":
    case "T":
      return "\t";
    case "b":
    case "B":
      return "\b";
    default:
      return ch;
  }
}

/** The one-line parse error for the token starting at `offset`. */
function parseError(text: string, offset: number, path: string): SqlitchError {
  const start = text.lastIndexOf("\n", offset - 1) + 1;
  let end = text.indexOf("\n", offset);
  if (end < 0) end = text.length;
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < start; i = text.indexOf("\n", i + 1)) line++;
  return new SqlitchError(
    `Error parsing ${path} at line ${line}, position ${offset - start}. ` +
      `Bad line was: '${text.slice(start, end)}'`,
    { ident: "config" },
  );
}
