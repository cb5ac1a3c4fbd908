/**
 * The plan's line objects, as Sqitch 1.3.1 models them (Plan/Line.pm,
 * Blank.pm, Pragma.pm, Change.pm, Tag.pm, Depend.pm): blank/comment lines,
 * pragmas, changes and tags keep the spacing they were read with so that
 * writing them back gives what Sqitch writes (plan-format.md §8); changes
 * and tags compute their IDs (ids.md).
 */
import { SqlitchError } from "../errors.ts";
import { changeChainIds, changeInfoParts, type InfoParts, objectId, tagInfo } from "./ids.ts";
import { escapeNote, perlTrue } from "./text.ts";

/** What a change or tag needs from its plan to compute an ID. */
export interface PlanContext {
  /** The `%project` value. */
  readonly project: string;
  /** The canonical `%uri` when the pragma's value is Perl-true. */
  readonly canonicalUri: string | undefined;
}

/** A dependency as parsed from a plan (`[...]`) or given to add/rework. */
export interface DependencySpec {
  conflicts: boolean;
  /** The `proj:` prefix as written (undefined when absent). */
  project?: string;
  change?: string;
  tag?: string;
  /** A 40-hex change ID. */
  id?: string;
}

/** A requirement or conflict of a change (Plan/Depend.pm). */
export class Dependency implements DependencySpec {
  readonly conflicts: boolean;
  readonly project?: string;
  readonly change?: string;
  readonly tag?: string;
  readonly id?: string;
  #key?: string;

  /**
   * Throws Depend.pm's `Depend object must have either "change", "tag",
   * or "id" defined` when the spec names nothing (e.g. the token `!` or `x:`).
   */
  constructor(spec: DependencySpec) {
    if (!spec.change && !spec.tag && !spec.id) {
      throw new SqlitchError('Depend object must have either "change", "tag", or "id" defined', {
        ident: "DEV",
      });
    }
    this.conflicts = spec.conflicts;
    this.project = spec.project;
    this.change = spec.change;
    this.tag = spec.tag;
    this.id = spec.id;
  }

  /** Whether a `proj:` prefix was given. */
  get gotProject(): boolean {
    return this.project !== undefined;
  }

  /** Whether the dependency is a 40-hex ID. */
  get gotId(): boolean {
    return this.id !== undefined;
  }

  /** `change`, `change@tag`, `@tag` or the ID (no project, no `!`). */
  get keyName(): string {
    if (this.#key === undefined) {
      let key = "";
      if (this.change !== undefined) key += this.change;
      if (this.tag !== undefined) key += `@${this.tag}`;
      this.#key = key === "" && this.id !== undefined ? this.id : key;
    }
    return this.#key;
  }

  /** The `as_string` form: `proj:key` for another project, else `key`. */
  asString(planProject: string): string {
    return this.project === undefined || this.project === planProject
      ? this.keyName
      : `${this.project}:${this.keyName}`;
  }

  /** The form written in the plan: `as_string`, prefixed by `!` for a conflict. */
  asPlanString(planProject: string): string {
    return (this.conflicts ? "!" : "") + this.asString(planProject);
  }

  /**
   * The project the dependency belongs to (Depend.pm `project`): the
   * prefix, else the plan's project, except for a bare ID, which belongs
   * to the plan only when `inPlan` says the plan has it.
   */
  effectiveProject(planProject: string, inPlan: (id: string) => boolean): string | undefined {
    if (this.project !== undefined) return this.project;
    if (this.id === undefined) return planProject;
    return inPlan(this.id) ? planProject : undefined;
  }
}

const NO_STRINGS: readonly string[] = [];
// Shared by every change without tags; never mutated (addTag replaces it).
// deno-lint-ignore no-explicit-any
const NO_TAGS: any[] = [];

/** The `as_string` forms of dependencies. */
function depStrings(deps: readonly Dependency[], project: string): readonly string[] {
  if (deps.length === 0) return NO_STRINGS;
  return deps.map((d) => d.asString(project));
}

/** Spacing and note shared by every line type (Plan/Line.pm). */
interface LineBase {
  /** Blanks before the line's content. */
  lspace: string;
  /** Blanks between the content and the `#` of the note (or trailing blanks). */
  rspace: string;
  /** The decoded note ("" = none). */
  note: string;
}

/** An empty, blank or comment line. */
export interface BlankLine extends LineBase {
  readonly type: "blank";
}

/** A `%name=value` line of the header. */
export interface PragmaLine extends LineBase {
  readonly type: "pragma";
  /** Blanks between `%` and the name. */
  hspace: string;
  name: string;
  lopspace: string;
  /** "=" or "" when the line has no value. */
  operator: string;
  ropspace: string;
  /** The value with trailing `\s` removed (undefined without `=`). */
  value?: string;
}

/** Any line of a plan. */
export type PlanLine = BlankLine | PragmaLine | Change | Tag;

/** The fields that make a change. */
export interface ChangeFields {
  name: string;
  lspace?: string;
  lopspace?: string;
  /** "+", "-" or "". */
  operator?: string;
  ropspace?: string;
  /** Blanks after the name (default one space). */
  pspace?: string;
  requires?: readonly Dependency[];
  conflicts?: readonly Dependency[];
  /** `YYYY-MM-DDTHH:MM:SSZ`. */
  timestamp: string;
  plannerName: string;
  plannerEmail: string;
  rspace?: string;
  /** The decoded note. */
  note?: string;
  /** Line number in the file it was read from. */
  lineNo?: number;
}

/** Record a tag's ID computed with its change's (set up by Tag, for Change's batch). */
let setTagId: (tag: Tag, id: string, changeId: string) => void;

/** A change line (Plan/Change.pm). */
export class Change implements LineBase {
  readonly type = "change";
  readonly plan: PlanContext;
  name: string;
  lspace: string;
  lopspace: string;
  operator: string;
  ropspace: string;
  pspace: string;
  /** Required changes, in plan order. */
  requires: readonly Dependency[];
  /** Conflicting changes, in plan order. */
  conflicts: readonly Dependency[];
  timestamp: string;
  plannerName: string;
  plannerEmail: string;
  rspace: string;
  #note: string;
  #tags: Tag[] = NO_TAGS;
  #reworkTags: Tag[] = NO_TAGS;
  /** The change on the previous change line, if any. */
  parent?: Change;
  /** Line number in the file it was read from (undefined for new changes). */
  lineNo?: number;
  #id?: string;

  constructor(plan: PlanContext, f: ChangeFields) {
    this.plan = plan;
    this.name = f.name;
    this.lspace = f.lspace ?? "";
    this.lopspace = f.lopspace ?? "";
    this.operator = f.operator ?? "";
    this.ropspace = f.ropspace ?? "";
    this.pspace = f.pspace ?? " ";
    this.requires = f.requires ?? [];
    this.conflicts = f.conflicts ?? [];
    this.timestamp = f.timestamp;
    this.plannerName = f.plannerName;
    this.plannerEmail = f.plannerEmail;
    this.rspace = f.rspace ?? "";
    this.#note = f.note ?? "";
    this.lineNo = f.lineNo;
  }

  /** The tags attached to this change, in plan order. */
  get tags(): readonly Tag[] {
    return this.#tags;
  }

  /** Attach a tag (after the existing ones). */
  addTag(tag: Tag): void {
    if (this.#tags === NO_TAGS) this.#tags = [];
    this.#tags.push(tag);
  }

  /**
   * For every instance of a reworked change but the last: the tags that
   * name its scripts (plan-format.md §7.1), most relevant first.
   */
  get reworkTags(): readonly Tag[] {
    return this.#reworkTags;
  }

  /** Append rework tags (`add_rework_tags`). */
  addReworkTags(...tags: Tag[]): void {
    if (this.#reworkTags === NO_TAGS) this.#reworkTags = [];
    this.#reworkTags.push(...tags);
  }

  /** The decoded note. */
  get note(): string {
    return this.#note;
  }

  /**
   * Set the note (as `$change->note($note)` does after the editor or
   * `-n`): a Perl-true note gets rspace " " if it had none. Clears the
   * cached ID.
   */
  set note(note: string) {
    this.#note = note;
    if (perlTrue(note) && this.rspace === "") this.rspace = " ";
    this.#id = undefined;
  }

  /** The INFO text the ID is computed from. */
  get info(): string {
    const { prefix, suffix } = this.#infoParts(this.parent !== undefined);
    return prefix + (this.parent?.id ?? "") + suffix;
  }

  /** The INFO text around the parent ID. */
  #infoParts(hasParent: boolean): InfoParts {
    const project = this.plan.project;
    return changeInfoParts({
      project,
      uri: this.plan.canonicalUri,
      name: this.name,
      plannerName: this.plannerName,
      plannerEmail: this.plannerEmail,
      timestamp: this.timestamp,
      requires: depStrings(this.requires, project),
      conflicts: depStrings(this.conflicts, project),
      note: this.#note,
    }, hasParent);
  }

  /**
   * The change ID (computed once). A change whose ancestors' IDs are not
   * known yet has them hashed with its own in one chain, oldest first.
   */
  get id(): string {
    if (this.#id !== undefined) return this.#id;
    const pending: Change[] = [this];
    for (let c = this.parent; c && c.#id === undefined; c = c.parent) pending.push(c);
    pending.reverse();
    const { project, canonicalUri } = this.plan;
    const parent = pending[0].parent;
    const ids = changeChainIds(project, canonicalUri, pending, parent && parent.#id);
    for (let i = 0; i < pending.length; i++) {
      const change = pending[i];
      const id = change.#id = ids.changes[i];
      const tags = change.#tags;
      for (let k = 0; k < tags.length; k++) setTagId(tags[k], ids.tags[i][k], id);
    }
    return this.#id!;
  }

  /** Forget the cached ID (after an edit to this change or an earlier one). */
  clearId(): void {
    this.#id = undefined;
  }

  /** Requires then conflicts. */
  get dependencies(): Dependency[] {
    return [...this.requires, ...this.conflicts];
  }

  /** True unless the legacy operator is `-`. */
  get isDeploy(): boolean {
    return this.operator !== "-";
  }

  /** True when the legacy operator is `-`. */
  get isRevert(): boolean {
    return this.operator === "-";
  }

  /** "deploy" or "revert". */
  get action(): "deploy" | "revert" {
    return this.isDeploy ? "deploy" : "revert";
  }

  /** Whether later instances of this change exist (it has rework tags). */
  get isReworked(): boolean {
    return this.reworkTags.length > 0;
  }

  /** The name. */
  formatName(): string {
    return this.name;
  }

  /** `name @tag1 @tag2`. */
  formatNameWithTags(): string {
    return [this.name, ...this.tags.map((t) => t.formatName())].join(" ");
  }

  /** `name@tag` with the first own tag, else the first rework tag, else `name@HEAD`. */
  formatTagQualifiedName(): string {
    const tag = this.tags[0] ?? this.reworkTags[0];
    return tag ? this.name + tag.formatName() : `${this.name}@HEAD`;
  }

  /** `[req … !conf …]`, or "" without dependencies (or when the list reads "0"). */
  formatDependencies(): string {
    const deps = this.dependencies.map((d) => d.asPlanString(this.plan.project)).join(" ");
    return perlTrue(deps) ? `[${deps}]` : "";
  }

  /** `name` + pspace + `[deps]` when there are dependencies. */
  formatNameWithDependencies(): string {
    const deps = this.formatDependencies();
    return deps ? this.name + this.pspace + deps : this.name;
  }

  /** Operator spacing + operator + formatNameWithDependencies (the "Added" message form). */
  formatOpNameDependencies(): string {
    return this.formatOperator() + this.formatNameWithDependencies();
  }

  /** lopspace + operator + ropspace. */
  formatOperator(): string {
    return this.lopspace + this.operator + this.ropspace;
  }

  /** `name <email>`. */
  formatPlanner(): string {
    return `${this.plannerName} <${this.plannerEmail}>`;
  }

  /** The line content between lspace and rspace. */
  formatContent(): string {
    const deps = this.formatDependencies();
    return this.formatOperator() + this.name + this.pspace +
      (deps ? `${deps} ` : "") + `${this.timestamp} ${this.formatPlanner()}`;
  }
}

/** The fields that make a tag. */
export interface TagFields {
  /** The name without `@`. */
  name: string;
  lspace?: string;
  timestamp: string;
  plannerName: string;
  plannerEmail: string;
  rspace?: string;
  note?: string;
  lineNo?: number;
}

/** A tag line (Plan/Tag.pm), attached to the change before it. */
export class Tag implements LineBase {
  readonly type = "tag";
  readonly plan: PlanContext;
  /** The name without `@`. */
  name: string;
  /** The change the tag is attached to. */
  change: Change;
  lspace: string;
  timestamp: string;
  plannerName: string;
  plannerEmail: string;
  rspace: string;
  #note: string;
  /** Line number in the file it was read from (undefined for new tags). */
  lineNo?: number;
  #id?: string;
  #idOf?: string;

  constructor(plan: PlanContext, change: Change, f: TagFields) {
    this.plan = plan;
    this.change = change;
    this.name = f.name;
    this.lspace = f.lspace ?? "";
    this.timestamp = f.timestamp;
    this.plannerName = f.plannerName;
    this.plannerEmail = f.plannerEmail;
    this.rspace = f.rspace ?? "";
    this.#note = f.note ?? "";
    this.lineNo = f.lineNo;
  }

  /** The decoded note. */
  get note(): string {
    return this.#note;
  }

  /** Set the note; a Perl-true note gets rspace " " if it had none. */
  set note(note: string) {
    this.#note = note;
    if (perlTrue(note) && this.rspace === "") this.rspace = " ";
    this.#id = undefined;
  }

  /** The INFO text the ID is computed from. */
  get info(): string {
    return tagInfo({
      project: this.plan.project,
      uri: this.plan.canonicalUri,
      name: this.name,
      changeId: this.change.id,
      plannerName: this.plannerName,
      plannerEmail: this.plannerEmail,
      timestamp: this.timestamp,
      note: this.#note,
    });
  }

  static {
    setTagId = (tag, id, changeId) => {
      tag.#id = id;
      tag.#idOf = changeId;
    };
  }

  /** The tag ID (recomputed when its change's ID changed). */
  get id(): string {
    const changeId = this.change.id;
    if (this.#id === undefined || this.#idOf !== changeId) {
      this.#id = objectId("tag", this.info);
      this.#idOf = changeId;
    }
    return this.#id;
  }

  /** `@name`. */
  formatName(): string {
    return `@${this.name}`;
  }

  /** `name <email>`. */
  formatPlanner(): string {
    return `${this.plannerName} <${this.plannerEmail}>`;
  }

  /** The line content between lspace and rspace. */
  formatContent(): string {
    return `@${this.name} ${this.timestamp} ${this.formatPlanner()}`;
  }
}

/** The serialised form of a note: `# ` + escaped note, or "" when empty. */
export function formatNote(note: string): string {
  return note.length ? `# ${escapeNote(note)}` : "";
}

/** A line as Sqitch writes it (`as_string`), without the newline. */
export function formatLine(line: PlanLine): string {
  switch (line.type) {
    case "blank":
      return line.lspace + line.rspace + formatNote(line.note);
    case "pragma":
      return line.lspace + "%" + line.hspace + line.name + line.lopspace + line.operator +
        line.ropspace + (line.value ?? "") + line.rspace + formatNote(line.note);
    default:
      return line.lspace + line.formatContent() + line.rspace + formatNote(line.note);
  }
}
