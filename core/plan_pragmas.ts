/**
 * A reader for the header of a plan file: the leading `%name=value`
 * pragma lines (and comment lines) up to the first blank line, read by the
 * plan parser (core/plan/parser.ts) with the body left unread; and the
 * text of a new plan file.
 */
import type { FileSystem } from "./host.ts";
import { parsePlan, readPlan, SYNTAX_VERSION } from "./plan/parser.ts";
import type { Plan } from "./plan/plan.ts";

export { SYNTAX_VERSION };

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

/** The header facts of a parsed plan. */
function headerOf(plan: Plan): PlanHeader {
  const pragmas: Record<string, string> = {};
  for (const line of plan.pragmaLines()) {
    pragmas[line.name] = line.name === "syntax-version"
      ? SYNTAX_VERSION
      : plan.pragmas.get(line.name) ?? "1";
  }
  pragmas["syntax-version"] ??= SYNTAX_VERSION;
  return { pragmas, project: plan.project, uri: plan.uri, lines: plan.headerLineCount };
}

/**
 * Read the header of plan text. `file` names the plan in messages. Throws
 * `Syntax error in {file} at line {n}: Invalid pragma; a blank line must
 * come between pragmas and changes`, `… invalid project name "{p}": …` and
 * `Missing %project pragma in {file}`.
 */
export function parsePlanPragmas(text: string, file: string): PlanHeader {
  return headerOf(parsePlan(text, file, { headerOnly: true }));
}

/**
 * Read the header of a plan file. Throws `Plan file {file} does not exist`,
 * `Plan file {file} is not a regular file`, `Cannot open {file}: …`,
 * decoding errors, or the errors of parsePlanPragmas.
 */
export function readPlanPragmas(fs: FileSystem, file: string): PlanHeader {
  return headerOf(readPlan(fs, file, { headerOnly: true }));
}

/**
 * The text of a new plan file: `%syntax-version=1.0.0`, `%project=…`, the
 * `%uri=…` line when a URI is given (already canonical), and a blank line.
 */
export function newPlanText(project: string, uri?: string): string {
  return `%syntax-version=${SYNTAX_VERSION}\n%project=${project}\n` +
    (uri ? `%uri=${uri}\n` : "") + "\n";
}
