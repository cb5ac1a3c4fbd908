/**
 * The plan parser: Sqitch 1.3.1's `App::Sqitch::Plan::_parse` rule for
 * rule (plan-format.md §2): the header of pragmas up to the first empty
 * line, then change, tag, blank and comment lines, with every load-time
 * error in Sqitch's wording (`Syntax error in {file} at line {n}: …`), the
 * per-tag-section dependency check (§2.3) and rework tags (§7.1).
 */
import { SqlitchError } from "../errors.ts";
import type { FileSystem } from "../host.ts";
import { isValidName } from "../names.ts";
import { decodePlanBytes, truncatedPlanError } from "./encoding.ts";
import {
  hasTimestamp,
  isTagLine,
  type ItemMatch,
  looksLikeSha1,
  matchBlankLine,
  matchDependency,
  matchItem,
  matchPlainItem,
  matchPragma,
  splitBlanks,
  stripInlineNote,
} from "./grammar.ts";
import { Change, Dependency, type PlanLine, Tag } from "./model.ts";
import { Plan } from "./plan.ts";
import { buildNote, perlTrimEnd, perlTrue, splitPlanLines } from "./text.ts";
import { validateTimestamp } from "./timestamp.ts";

/** The only plan syntax version there is. */
export const SYNTAX_VERSION = "1.0.0";

const INVALID_NAME = 'Invalid name; names must not begin with punctuation, contain "@", ":", ' +
  '"#", "\\", or blanks, or end in punctuation or digits following punctuation';

/** The dependency list of changes without any (shared; never mutated). */
const NO_DEPS: Dependency[] = [];

/** Options of parsePlan. */
export interface ParseOptions {
  /**
   * Set when the file ended inside a UTF-8 sequence (encoding.ts): the
   * complete lines are parsed, then the decoding error is thrown.
   */
  truncated?: string;
  /** Stop after the header (for readers that only need the pragmas). */
  headerOnly?: boolean;
}

/** A parse error of `file` at a line. */
function syntaxError(file: string, line: number, message: string): SqlitchError {
  return new SqlitchError(`Syntax error in ${file} at line ${line}: ${message}`, {
    ident: "parse",
  });
}

/**
 * Parse plan text. `file` is the plan path as it should appear in messages
 * (relative as configured). Throws SqlitchError (exit 2) with Sqitch's
 * messages; see plan-format.md §12.
 */
export function parsePlan(text: string, file: string, options: ParseOptions = {}): Plan {
  return new PlanParser(text, file).parse(options);
}

/** The state of one parse (Plan.pm `_parse`'s variables), with a method per line kind. */
class PlanParser {
  readonly file: string;
  readonly rawLines: string[];
  readonly lines: PlanLine[] = [];
  readonly pragmas = new Map<string, string>();
  /** Lines read so far (the current line's number while it is handled). */
  lineNo = 0;
  plan!: Plan;
  project = "";
  /** Changes since the last tag. */
  currChanges: Change[] = [];
  /** Names and `@tags` of earlier sections → their line numbers. */
  readonly lineNoFor = new Map<string, number>();
  /** The latest change of each name. */
  readonly changeNamed = new Map<string, Change>();
  /** Names in the current section → their line numbers. */
  tagChanges = new Map<string, number>();
  prevChange: Change | undefined = undefined;

  constructor(text: string, file: string) {
    this.file = file;
    this.rawLines = splitPlanLines(text);
  }

  error(message: string): SqlitchError {
    return syntaxError(this.file, this.lineNo, message);
  }

  parse(options: ParseOptions): Plan {
    const { rawLines, lines, pragmas } = this;
    // The header: pragmas and comments up to the first note-less blank line.
    let headerEnded = false;
    while (this.lineNo < rawLines.length) {
      if (this.headerLine(rawLines[this.lineNo++])) {
        headerEnded = true;
        break;
      }
    }
    if (options.truncated !== undefined && !headerEnded) {
      throw truncatedPlanError(options.truncated, this.lineNo, false);
    }
    if (!perlTrue(pragmas.get("syntax_version"))) {
      lines.unshift({
        type: "pragma",
        lspace: "",
        hspace: "",
        name: "syntax-version",
        lopspace: "",
        operator: "=",
        ropspace: "",
        value: SYNTAX_VERSION,
        rspace: "",
        note: "",
      });
      pragmas.set("syntax_version", SYNTAX_VERSION);
    }
    if (!perlTrue(pragmas.get("project"))) {
      throw new SqlitchError(`Missing %project pragma in ${this.file}`, { ident: "parse" });
    }
    const plan = this.plan = new Plan(this.file, lines, [], pragmas);
    plan.headerLineCount = this.lineNo;
    if (options.headerOnly) return plan;
    this.project = plan.project;

    while (this.lineNo < rawLines.length) this.bodyLine(rawLines[this.lineNo++]);
    if (options.truncated !== undefined) {
      throw truncatedPlanError(options.truncated, this.lineNo, true);
    }
    if (this.currChanges.length > 0) {
      checkChanges(this.file, this.project, this.lineNoFor, this.currChanges);
    }
    return plan;
  }

  /** Handle a header line; true when it ends the header. */
  headerLine(raw: string): boolean {
    const blank = matchBlankLine(raw);
    if (blank) {
      const note = buildNote(blank.note);
      this.lines.push({ type: "blank", lspace: blank.lspace, rspace: "", note });
      return !perlTrue(note);
    }
    const strip = stripInlineNote(raw);
    const m = matchPragma(strip.rest);
    if (!m) throw this.error("Invalid pragma; a blank line must come between pragmas and changes");
    let value = m.value;
    if (m.name === "syntax-version") {
      value = SYNTAX_VERSION;
      this.pragmas.set("syntax_version", SYNTAX_VERSION);
    } else if (m.name === "project") {
      const project = m.value;
      if (project === undefined || !isValidName(project)) {
        // An undefined value leaves __x's placeholder as it is.
        throw this.error(
          `invalid project name "${project ?? "{project}"}": project names must not begin ` +
            'with punctuation, contain "@", ":", "#", "\\", or blanks, or end in punctuation ' +
            "or digits following punctuation",
        );
      }
      this.pragmas.set("project", project);
    } else {
      this.pragmas.set(m.name, m.value ?? "1");
    }
    this.lines.push({
      type: "pragma",
      lspace: m.lspace,
      hspace: m.hspace,
      name: m.name,
      lopspace: m.lopspace,
      operator: m.operator,
      ropspace: m.ropspace,
      value: perlTrue(value) ? perlTrimEnd(value) : value,
      rspace: strip.rspace,
      // Pragma.pm's own BUILDARGS replaces Line.pm's: the note is kept raw
      // (not trimmed, escapes not decoded), so backslashes double on rewrite.
      note: strip.note ?? "",
    });
    return false;
  }

  /** Handle a line of the body. */
  bodyLine(raw: string): void {
    const fast = matchPlainItem(raw);
    if (fast) {
      // A plain line: stripInlineNote and the general grammar give the same parts.
      const { isTag, m, rspace } = fast;
      const name = m.name;
      if (
        name === "0" || name === "HEAD" || name === "ROOT" || m.plannerName === "0" ||
        looksLikeSha1(name)
      ) {
        const strip = stripInlineNote(raw);
        return this.generalLine(strip.rest, strip.rspace, strip.note);
      }
      const timestamp = validateTimestamp(m.timestamp!);
      const note = buildNote(fast.note);
      if (isTag) this.tagLine(m, timestamp, rspace, note);
      else this.changeLine(m, timestamp, rspace, note, true);
      return;
    }
    const blank = matchBlankLine(raw);
    if (blank) {
      this.lines.push({
        type: "blank",
        lspace: blank.lspace,
        rspace: "",
        note: buildNote(blank.note),
      });
      return;
    }
    const strip = stripInlineNote(raw);
    this.generalLine(strip.rest, strip.rspace, strip.note);
  }

  /** Handle a change or tag line (note stripped) with the general grammar. */
  generalLine(rest: string, rspace: string, rawNote: string | undefined): void {
    const isTag = isTagLine(rest);
    const m = matchItem(rest);
    if (!m || !perlTrue(m.name) || (m.timestamp === undefined && hasTimestamp(rest))) {
      throw this.error(INVALID_NAME);
    }
    const hasPlanner = perlTrue(m.plannerName);
    if (m.timestamp === undefined) {
      throw this.error(
        hasPlanner ? "Missing timestamp" : "Missing timestamp and planner name and email",
      );
    }
    if (!hasPlanner) throw this.error("Missing planner name and email");
    const name = m.name;
    if (name === "HEAD" || name === "ROOT") {
      throw this.error(`"${isTag ? "@" : ""}${name}" is a reserved name`);
    }
    if (looksLikeSha1(name)) {
      throw this.error(`"${name}" is invalid because it could be confused with a SHA1 ID`);
    }
    const timestamp = validateTimestamp(m.timestamp);
    const note = buildNote(rawNote);
    if (isTag) this.tagLine(m, timestamp, rspace, note);
    else this.changeLine(m, timestamp, rspace, note);
  }

  /** Handle a tag line. */
  tagLine(m: ItemMatch, timestamp: string, rspace: string, note: string): void {
    const name = m.name;
    if (name.includes("/")) throw this.error(`Tag "${name}" contains illegal character /`);
    const change = this.prevChange;
    if (!change) throw this.error(`Tag "${name}" declared without a preceding change`);
    const at = this.lineNoFor.get(`@${name}`);
    if (at !== undefined) {
      throw this.error(`Tag "${name}" duplicates earlier declaration on line ${at}`);
    }
    if (perlTrue(m.dependencies)) throw this.error("Tags may not specify dependencies");
    if (this.currChanges.length > 0) {
      checkChanges(this.file, this.project, this.lineNoFor, this.currChanges);
      this.currChanges = [];
    }
    const tag = new Tag(this.plan, change, {
      name,
      lspace: m.lspace,
      timestamp,
      plannerName: m.plannerName!,
      plannerEmail: m.plannerEmail!,
      rspace,
      note,
      lineNo: this.lineNo,
    });
    change.addTag(tag);
    this.lines.push(tag);
    const lineNoFor = this.lineNoFor;
    this.tagChanges.forEach((v, k) => lineNoFor.set(k, v));
    this.lineNoFor.set(`@${name}`, this.lineNo);
    this.tagChanges = new Map();
  }

  /** Handle a change line (`plain`: its dependencies are separated by single spaces). */
  changeLine(m: ItemMatch, timestamp: string, rspace: string, note: string, plain = false): void {
    const name = m.name;
    const at = this.tagChanges.get(name);
    if (at !== undefined) {
      throw this.error(`Change "${name}" duplicates earlier declaration on line ${at}`);
    }
    let requires = NO_DEPS;
    let conflicts = NO_DEPS;
    if (perlTrue(m.dependencies)) {
      requires = [];
      conflicts = [];
      const tokens = plain ? m.dependencies.split(" ") : splitBlanks(m.dependencies);
      this.dependencies(tokens, requires, conflicts);
      if (conflicts.length === 0) conflicts = NO_DEPS;
    }
    this.tagChanges.set(name, this.lineNo);
    const change = new Change(this.plan, {
      name,
      lspace: m.lspace,
      lopspace: m.lopspace,
      operator: m.operator,
      ropspace: m.ropspace,
      pspace: m.pspace,
      requires,
      conflicts,
      timestamp,
      plannerName: m.plannerName!,
      plannerEmail: m.plannerEmail!,
      rspace,
      note,
      lineNo: this.lineNo,
    });
    change.parent = this.prevChange;
    this.prevChange = change;
    this.currChanges.push(change);
    this.lines.push(change);
    const changes = this.plan.changes;
    const duped = this.changeNamed.get(name);
    if (duped) {
      // Rework tags: tags of the changes after the earlier instance (newest
      // first) up to the last tag line, then the earlier instance's own.
      // (Sqitch scans only changes of finished sections; the changes of the
      // current one carry no tags yet, so scanning them too is the same.)
      const reworkTags: Tag[] = [];
      for (let i = changes.length - 1; i >= 0 && changes[i] !== duped; i--) {
        reworkTags.push(...changes[i].tags);
      }
      duped.addReworkTags(...reworkTags, ...duped.tags);
    }
    this.changeNamed.set(name, change);
    changes.push(change);
  }

  /** Parse the tokens of a change line's `[...]` into requires and conflicts. */
  dependencies(tokens: readonly string[], requires: Dependency[], conflicts: Dependency[]): void {
    const seen: string[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      const spec = matchDependency(token);
      if (!spec) throw this.error(`"${token}" is not a valid dependency specification`);
      const dep = new Dependency(spec);
      if (seen.includes(token)) throw this.error(`Duplicate dependency "${token}"`);
      seen.push(token);
      (dep.conflicts ? conflicts : requires).push(dep);
    }
  }
}

/**
 * The dependency check Sqitch runs on each tag section (Plan
 * `check_changes`): every local requirement must name a change of an
 * earlier section or one earlier in this section, or `change@tag` with
 * the tag declared in an earlier section after the change. Throws the
 * multi-line `Dependency error(s) detected:` message.
 */
function checkChanges(
  file: string,
  project: string,
  seen: ReadonlyMap<string, number>,
  section: Change[],
): void {
  const position = new Map<string, number>();
  const invalid: [string, string[]][] = [];
  let i = 0;
  for (let c = 0; c < section.length; c++) {
    const change = section[c];
    const bad: string[] = [];
    const requires = change.requires;
    for (let r = 0; r < requires.length; r++) {
      const dep = requires[r];
      if (dep.gotProject) {
        if (dep.project !== project) continue;
      } else if (dep.gotId) {
        continue;
      }
      const key = dep.keyName;
      const at = key.indexOf("@");
      if (at > 0) {
        const tagAt = seen.get(`@${key.slice(at + 1)}`);
        const changeAt = seen.get(key.slice(0, at));
        if (tagAt && changeAt && changeAt < tagAt) continue;
      } else if (seen.has(key) || position.get(key)) {
        continue;
      }
      bad.push(key);
    }
    position.set(change.name, ++i);
    if (bad.length > 0) invalid.push([change.name, bad]);
  }
  if (invalid.length === 0) return;

  const errors: string[] = [];
  for (const [change, deps] of invalid) {
    let maxDelta = 0;
    for (const dep of deps) {
      const pos = position.get(dep);
      if (change === dep) {
        errors.push(`Change "${change}" cannot require itself`);
      } else if (pos) {
        const delta = pos - position.get(change)!;
        if (delta > maxDelta) maxDelta = delta;
        errors.push(
          `Change "${change}" planned ${delta} change${
            delta === 1 ? "" : "s"
          } before required change "${dep}"`,
        );
      } else {
        errors.push(`Unknown change "${dep}" required by change "${change}"`);
      }
    }
    if (maxDelta) {
      errors[errors.length - 1] += `\n    HINT: move "${change}" down ${maxDelta} line${
        maxDelta === 1 ? "" : "s"
      } in ${file}`;
    }
  }
  const header = errors.length === 1 ? "Dependency error detected:" : "Dependency errors detected:";
  throw new SqlitchError([header, ...errors].join("\n  "), { ident: "parse" });
}

/**
 * Read and parse a plan file through the FileSystem. Throws `Plan file
 * {file} does not exist`, `Plan file {file} is not a regular file`,
 * `Cannot open {file}: Permission denied`, decoding errors and the
 * parser's errors.
 */
export function readPlan(fs: FileSystem, file: string, options: ParseOptions = {}): Plan {
  const info = fs.stat(file);
  if (!info) throw new SqlitchError(`Plan file ${file} does not exist`, { ident: "plan" });
  if (!info.isFile) {
    throw new SqlitchError(`Plan file ${file} is not a regular file`, { ident: "plan" });
  }
  const bytes = fs.readBytes(file);
  if (bytes === undefined) {
    throw new SqlitchError(`Cannot open ${file}: Permission denied`, { ident: "io" });
  }
  const decoded = decodePlanBytes(bytes);
  return parsePlan(decoded.text, file, { ...options, truncated: decoded.truncated });
}
