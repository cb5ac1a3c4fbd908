/**
 * A reader for the header of a plan file: the leading `%name=value`
 * pragma lines (and comment lines) up to the first blank line, read with
 * the rules of Sqitch 1.3.1's plan parser (plan-format.md §2.1): inline
 * notes stripped, `%syntax-version` forced to 1.0.0, the project name
 * validated, the last of duplicate pragmas winning, `Missing %project
 * pragma` when there is none. The body (changes and tags) is not read.
 */
import { SqlitchError } from "./errors.ts";
import type { FileSystem } from "./host.ts";
import { isValidName } from "./names.ts";

/** The only plan syntax version there is. */
export const SYNTAX_VERSION = "1.0.0";

/** What the header of a plan file says. */
export interface PlanHeader {
  /** Pragma values by name (`syntax-version` is always "1.0.0"; a pragma without `=` is "1"). */
  pragmas: Record<string, string>;
  /** The `%project` value (a valid name). */
  project: string;
  /** The `%uri` value as written, when present and not Perl-false. */
  uri?: string;
  /** How many lines the header has, the terminating blank line included. */
  lines: number;
}

/** ASCII punctuation except underscore, as a character-class body. */
const P = "!\"#$%&'()*+,\\-./:;<=>?@\\[\\]^`{|}~";
/** Perl's `[[:blank:]]` on decoded text. */
const B = String.raw`\t\p{Zs}`;

/** A blank line, or a comment line (with its note). */
const BLANK_LINE = new RegExp(String.raw`^[${B}]*(?:#[${B}]*(?<note>.+)|$)`, "u");
/** Trailing blanks and an inline note (leftmost match). */
const INLINE_NOTE = new RegExp(String.raw`[${B}]*(?:#[${B}]*.*)?$`, "u");
/** A pragma line once its inline note is stripped. */
const PRAGMA_LINE = new RegExp(
  String.raw`^[${B}]*%[${B}]*` +
    String.raw`(?<name>[^${P}](?:[^${B}=]*?[^${P}${B}])?)` +
    String.raw`(?:[${B}]*(?<operator>=)[${B}]*(?<value>.+))?$`,
  "u",
);

/** A parse error of `file` at a line, as the plan parser words it. */
function syntaxError(file: string, line: number, message: string): SqlitchError {
  return new SqlitchError(`Syntax error in ${file} at line ${line}: ${message}`, {
    ident: "parse",
  });
}

/** Split text into lines as Perl's getline does, stripping each `\r?\n` terminator. */
function planLines(text: string): string[] {
  const parts = text.split("\n");
  const last = parts.pop()!;
  const lines = parts.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  if (last !== "") lines.push(last);
  return lines;
}

/**
 * Read the header of plan text. `file` names the plan in messages. Throws
 * `Syntax error in {file} at line {n}: Invalid pragma; a blank line must
 * come between pragmas and changes`, `… invalid project name "{p}": …` and
 * `Missing %project pragma in {file}`.
 */
export function parsePlanPragmas(text: string, file: string): PlanHeader {
  const pragmas: Record<string, string> = {};
  const lines = planLines(text);
  let count = 0;
  for (const raw of lines) {
    count++;
    const blank = BLANK_LINE.exec(raw);
    if (blank) {
      const note = blank.groups?.note;
      const trimmed = note === undefined || note === "0" ? note : note.trim();
      if (trimmed === undefined || trimmed === "" || trimmed === "0") break;
      continue;
    }
    const m = PRAGMA_LINE.exec(raw.replace(INLINE_NOTE, ""));
    if (!m) {
      throw syntaxError(
        file,
        count,
        "Invalid pragma; a blank line must come between pragmas and changes",
      );
    }
    const name = m.groups!.name;
    const value = m.groups!.value;
    if (name === "syntax-version") {
      pragmas[name] = SYNTAX_VERSION;
    } else if (name === "project") {
      const project = value ?? "";
      if (!isValidName(project)) {
        throw syntaxError(
          file,
          count,
          `invalid project name "${project}": project names must not begin with punctuation, ` +
            'contain "@", ":", "#", "\\", or blanks, or end in punctuation or digits following ' +
            "punctuation",
        );
      }
      pragmas[name] = project;
    } else {
      pragmas[name] = value ?? "1";
    }
  }
  pragmas["syntax-version"] ??= SYNTAX_VERSION;
  const project = pragmas.project;
  if (project === undefined || project === "" || project === "0") {
    throw new SqlitchError(`Missing %project pragma in ${file}`, { ident: "parse" });
  }
  const uri = pragmas.uri;
  return {
    pragmas,
    project,
    uri: uri !== undefined && uri !== "" && uri !== "0" ? uri : undefined,
    lines: count,
  };
}

/**
 * Read the header of a plan file. Throws `Plan file {file} does not exist`,
 * `Plan file {file} is not a regular file`, `Cannot open {file}: …`, or
 * the errors of parsePlanPragmas.
 */
export function readPlanPragmas(fs: FileSystem, file: string): PlanHeader {
  const info = fs.stat(file);
  if (!info) throw new SqlitchError(`Plan file ${file} does not exist`, { ident: "plan" });
  if (!info.isFile) {
    throw new SqlitchError(`Plan file ${file} is not a regular file`, { ident: "plan" });
  }
  const text = fs.readText(file);
  if (text === undefined) {
    throw new SqlitchError(`Cannot open ${file}: Permission denied`, { ident: "io" });
  }
  return parsePlanPragmas(text, file);
}

/**
 * The text of a new plan file: `%syntax-version=1.0.0`, `%project=…`, the
 * `%uri=…` line when a URI is given (already canonical), and a blank line.
 */
export function newPlanText(project: string, uri?: string): string {
  return `%syntax-version=${SYNTAX_VERSION}\n%project=${project}\n` +
    (uri ? `%uri=${uri}\n` : "") + "\n";
}
