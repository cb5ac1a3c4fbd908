/**
 * A parsed plan: its lines, changes and tags, the lookups commands use to
 * name changes (Plan/ChangeList.pm: names, `name@tag`, `@tag`, IDs,
 * `HEAD`/`ROOT`, `^`/`~` offsets; plan-format.md §10), and the edits
 * `add`, `tag` and `rework` make (Plan.pm, §9). Edits change the model
 * only; writer.ts serialises it.
 */
import { SqlitchError } from "../errors.ts";
import { isValidName } from "../names.ts";
import { canonicalUri } from "../uri.ts";
import { isSha1, looksLikeSha1, matchDependency } from "./grammar.ts";
import {
  Change,
  Dependency,
  type PlanContext,
  type PlanLine,
  type PragmaLine,
  Tag,
} from "./model.ts";
import { buildNote, perlTrue } from "./text.ts";

/** Plan.pm's `$punct` as a character class. */
const PUNCT = "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\]^`{|}~]";
/** A symbolic offset suffix: `^`, `^^`, `^N`, `~`, `~~`, `~N` (not after punctuation). */
const OFFSET = new RegExp(`(?<!${PUNCT})([~^])(?:(\\1)|(\\p{Nd}+))?$`, "u");

function planError(message: string): SqlitchError {
  return new SqlitchError(message, { ident: "plan" });
}

/** Perl's numification of a digit string: its leading ASCII digits, else 0. */
function perlNumber(digits: string): number {
  const m = /^[0-9]+/.exec(digits);
  return m ? Number(m[0]) : 0;
}

/**
 * Split a change key into its base and offset (`_offset`): the suffix is
 * removed whenever it matches, even when the offset it gives is 0.
 */
function splitOffset(key: string): { key: string; offset: number } {
  const m = OFFSET.exec(key);
  if (!m) return { key, offset: 0 };
  const magnitude = m[3] !== undefined ? perlNumber(m[3]) : m[2] ? 2 : 1;
  return { key: key.slice(0, m.index), offset: m[1] === "^" ? -magnitude : magnitude };
}

/** Thrown when a plain change name matches several reworked instances. */
export class AmbiguousChangeError extends SqlitchError {
  /** The name looked up. */
  readonly change: string;
  /** The tag-qualified names of the instances, newest first. */
  readonly candidates: string[];

  constructor(change: string, candidates: string[]) {
    // Sqitch vents the first lines to stderr, then dies with the last one.
    super(
      [
        `Change "${change}" is ambiguous. Please specify a tag-qualified change:`,
        ...candidates.map((c) => `  * ${c}`),
        "Change lookup failed",
      ].join("\n"),
      { ident: "plan" },
    );
    this.name = "AmbiguousChangeError";
    this.change = change;
    this.candidates = candidates;
  }
}

/** What `add` needs (the command supplies identity and "now"). */
export interface AddChangeInput {
  name: string;
  /** `-r` values as typed. */
  requires?: string[];
  /** `-x` values as typed (without `!`). */
  conflicts?: string[];
  /** The note as passed to the constructor: trimmed and unescaped here (see noteFromArgs). */
  note?: string;
  plannerName: string;
  plannerEmail: string;
  /** `YYYY-MM-DDTHH:MM:SSZ` (see formatTimestamp). */
  timestamp: string;
}

/** What `tag` needs. */
export interface AddTagInput {
  /** The tag name, with or without a leading `@`. */
  name: string;
  /** The change to tag (any change specifier); the last change when absent or Perl-false. */
  change?: string;
  note?: string;
  plannerName: string;
  plannerEmail: string;
  timestamp: string;
}

/** What `rework` produced. */
export interface ReworkResult {
  /** The new instance, appended to the plan. */
  change: Change;
  /** The previous (latest) instance, now carrying the rework tag. */
  previous: Change;
  /** The tag the new instance requires (`name@tag`): the first tag of the last tagged change. */
  tag: Tag;
}

/** A Sqitch plan. */
export class Plan implements PlanContext {
  /** The plan file path as configured (used in messages). */
  readonly file: string;
  /** Every line, in file order (a synthetic `%syntax-version` first when the file had none). */
  readonly lines: PlanLine[];
  /** The changes in plan order. */
  readonly changes: Change[];
  /** Pragma values as Sqitch keeps them (`syntax_version`, `project`, others by name; last wins). */
  readonly pragmas: ReadonlyMap<string, string>;
  /** How many lines of the file the header took, its terminating empty line included. */
  headerLineCount = 0;
  #project?: string;
  #canonicalUri?: { value: string | undefined };
  #lookup?: Map<string, number[]>;
  #ids?: Map<string, number>;

  /** Build a plan from parsed parts (parser.ts does this). */
  constructor(
    file: string,
    lines: PlanLine[],
    changes: Change[],
    pragmas: ReadonlyMap<string, string>,
  ) {
    this.file = file;
    this.lines = lines;
    this.changes = changes;
    this.pragmas = pragmas;
  }

  /** The `%project` value. */
  get project(): string {
    return this.#project ??= this.pragmas.get("project")!;
  }

  /** The raw `%uri` value when Perl-true (as stored in the registry's `projects.uri`). */
  get uri(): string | undefined {
    const uri = this.pragmas.get("uri");
    return perlTrue(uri) ? uri : undefined;
  }

  /** The canonical `%uri` (as hashed into IDs). */
  get canonicalUri(): string | undefined {
    if (!this.#canonicalUri) {
      const uri = this.uri;
      this.#canonicalUri = { value: uri === undefined ? undefined : canonicalUri(uri) };
    }
    return this.#canonicalUri.value;
  }

  /** Always "1.0.0". */
  get syntaxVersion(): string {
    return this.pragmas.get("syntax_version") ?? "1.0.0";
  }

  /** Every tag, in plan order (by change, then attachment order). */
  get tags(): Tag[] {
    return this.changes.flatMap((c) => c.tags);
  }

  /** The number of changes. */
  get count(): number {
    return this.changes.length;
  }

  /** The change at an index (negative counts from the end), or undefined. */
  changeAt(index: number): Change | undefined {
    return this.changes.at(index);
  }

  /** The last change, or undefined for an empty plan. */
  lastChange(): Change | undefined {
    return this.changes.at(-1);
  }

  /** The index of the last change that carries a tag, or undefined. */
  indexOfLastTagged(): number | undefined {
    for (let i = this.changes.length - 1; i >= 0; i--) {
      if (this.changes[i].tags.length > 0) return i;
    }
    return undefined;
  }

  /** The last change that carries a tag, or undefined. */
  lastTaggedChange(): Change | undefined {
    const i = this.indexOfLastTagged();
    return i === undefined ? undefined : this.changes[i];
  }

  /** Forget cached lookups and IDs (after an edit). */
  invalidate(): void {
    this.#lookup = undefined;
    this.#ids = undefined;
    for (const c of this.changes) c.clearId();
  }

  /** Names, `@tags`, HEAD/ROOT → change indexes (ChangeList's lookup, IDs aside). */
  #table(): Map<string, number[]> {
    if (this.#lookup) return this.#lookup;
    const lookup = new Map<string, number[]>();
    this.changes.forEach((change, i) => {
      const list = lookup.get(change.name);
      if (list) list.push(i);
      else lookup.set(change.name, [i]);
      for (const tag of change.tags) lookup.set(`@${tag.name}`, [i]);
    });
    if (this.changes.length > 0) {
      const head = [this.changes.length - 1];
      lookup.set("HEAD", head).set("@HEAD", head).set("ROOT", [0]).set("@ROOT", [0]);
    }
    this.#lookup = lookup;
    return lookup;
  }

  /** Change and tag IDs → change indexes (built on first use). */
  #idTable(): Map<string, number> {
    if (this.#ids) return this.#ids;
    const ids = new Map<string, number>();
    const changes = this.changes;
    changes.at(-1)?.id; // hashes the whole chain, tags included, in one batch
    for (let i = 0; i < changes.length; i++) {
      const change = changes[i];
      ids.set(change.id, i);
      const tags = change.tags;
      for (let k = 0; k < tags.length; k++) ids.set(tags[k].id, i);
    }
    this.#ids = ids;
    return ids;
  }

  /** ChangeList's `$lookup->{$key}`. */
  #lookupKey(key: string): number[] | undefined {
    if (isSha1(key)) {
      // No name looks like an ID (the parser and add refuse them), so an
      // ID needs only the ID table (`status` looks up nothing else).
      const i = this.#idTable().get(key);
      return i === undefined ? undefined : [i];
    }
    return this.#table().get(key);
  }

  /** Apply an offset to an index found for the base key. */
  #offset(index: number | undefined, offset: number): number | undefined {
    if (index === undefined) return undefined;
    const i = index + offset;
    return i < 0 || i > this.changes.length - 1 ? undefined : i;
  }

  /**
   * The index of the change a specifier names (ChangeList `index_of`):
   * `name` (ambiguous when reworked: throws AmbiguousChangeError),
   * `name@tag` (latest instance at or before the tag; `Unknown tag "@tag"`
   * when the tag is missing), `@tag`, a change or tag ID, `HEAD`/`@HEAD`,
   * `ROOT`/`@ROOT`, each optionally followed by `^`, `^^`, `^N`, `~`, `~~`,
   * `~N`. Undefined when nothing matches.
   */
  indexOf(spec: string): number | undefined {
    const { key, offset } = splitOffset(spec);
    const index = this.#indexOf(key);
    return offset ? this.#offset(index, offset) : index;
  }

  #indexOf(key: string): number | undefined {
    const at = key.indexOf("@");
    const change = at < 0 ? key : key.slice(0, at);
    const tag = at < 0 ? undefined : key.slice(at + 1);
    if (change === "") return this.#lookupKey(`@${tag ?? ""}`)?.[0];
    const list = this.#lookupKey(change);
    if (!list) return undefined;
    if (tag !== undefined) {
      const tagList = this.#lookupKey(`@${tag}`);
      if (!tagList) throw planError(`Unknown tag "@${tag}"`);
      const tagIndex = tagList[0];
      for (let i = list.length - 1; i >= 0; i--) if (list[i] <= tagIndex) return list[i];
      return undefined;
    }
    if (list.length < 2) return list[0];
    throw new AmbiguousChangeError(
      key,
      [...list].reverse().map((i) => this.changes[i].formatTagQualifiedName()),
    );
  }

  /**
   * The index of the first instance of a change name (ChangeList
   * `first_index_of`), or with `since` the first instance after the change
   * `since` names (`Unknown change: "{since}"` when it names none).
   */
  firstIndexOf(spec: string, since?: string): number | undefined {
    const { key, offset } = splitOffset(spec);
    const index = this.#firstIndexOf(key, since);
    return offset ? this.#offset(index, offset) : index;
  }

  #firstIndexOf(key: string, since?: string): number | undefined {
    const list = this.#lookupKey(key);
    if (!list) return undefined;
    if (since === undefined) return list[0];
    const sinceIndex = this.indexOf(since);
    if (sinceIndex === undefined) throw planError(`Unknown change: "${since}"`);
    return list.find((i) => i > sinceIndex);
  }

  /** The change `indexOf` finds. */
  get(spec: string): Change | undefined {
    const i = this.indexOf(spec);
    return i === undefined ? undefined : this.changes[i];
  }

  /** The change a specifier names, taking the first instance of a plain name (Plan `find`). */
  find(spec: string): Change | undefined {
    const i = spec.includes("@") ? this.indexOf(spec) : this.firstIndexOf(spec);
    return i === undefined ? undefined : this.changes[i];
  }

  /** Whether `find` finds a change. */
  contains(spec: string): boolean {
    return (spec.includes("@") ? this.indexOf(spec) : this.firstIndexOf(spec)) !== undefined;
  }

  /**
   * The project a dependency belongs to (Depend.pm `project`): its prefix,
   * else this plan's, except that a bare ID not in this plan has none.
   */
  dependencyProject(dep: Dependency): string | undefined {
    return dep.effectiveProject(this.project, (id) => this.find(id) !== undefined);
  }

  /** Whether a dependency names a change of another project (Depend.pm `is_external`). */
  isExternal(dep: Dependency): boolean {
    return this.dependencyProject(dep) !== this.project;
  }

  /**
   * The ID of the change a local dependency names (Depend.pm `id`):
   * undefined for another project's; `Unable to find change "{key}" in
   * plan {file}` when this plan has no such change (quirk Q8).
   */
  dependencyId(dep: Dependency): string | undefined {
    if (this.isExternal(dep)) return undefined;
    const change = this.find(dep.keyName);
    if (!change) {
      throw planError(`Unable to find change "${dep.keyName}" in plan ${this.file}`);
    }
    return change.id;
  }

  /** The tag named `@name` or `name`, or undefined. */
  findTag(name: string): Tag | undefined {
    const bare = name.startsWith("@") ? name.slice(1) : name;
    const i = this.#table().get(`@${bare}`)?.[0];
    return i === undefined ? undefined : this.changes[i].tags.find((t) => t.name === bare);
  }

  /**
   * Append a change (Plan `add`). Validates the name, refuses an existing
   * one (`Change "x" already exists in plan {file}.\nUse "sqitch rework"
   * to copy and rework it`), parses `-r`/`-x` values, checks local
   * requirements, and appends an empty line first when the last change has
   * a tag.
   */
  add(input: AddChangeInput): Change {
    validateChangeName(input.name);
    if (this.indexOf(`${input.name}@HEAD`) !== undefined) {
      throw planError(
        `Change "${input.name}" already exists in plan ${this.file}.\n` +
          'Use "sqitch rework" to copy and rework it',
      );
    }
    const change = this.#newChange(input, parseDependencyArgs(input.requires, input.conflicts));
    this.#checkDependencies(change, "add");
    const last = this.lastChange();
    if (last && last.tags.length > 0) {
      this.lines.push({ type: "blank", lspace: "", rspace: "", note: "" });
    }
    this.#append(change);
    return change;
  }

  /**
   * Attach a new tag (Plan `tag`) to a change (default: the last one). The
   * tag line goes at the change's line index plus its tag count, i.e.
   * after the change and its existing tags when they follow it directly.
   */
  tag(input: AddTagInput): Tag {
    const name = input.name.replace(/^@/, "");
    validateTagName(name);
    const key = `@${name}`;
    if (this.indexOf(key) !== undefined) throw planError(`Tag "${key}" already exists`);
    let change: Change | undefined;
    if (perlTrue(input.change)) {
      change = this.get(input.change);
      if (!change) throw planError(`Unknown change: "${input.change}"`);
    } else {
      change = this.lastChange();
      if (!change) throw planError(`Cannot apply tag "${key}" to a plan with no changes`);
    }
    const note = buildNote(input.note);
    const tag = new Tag(this, change, {
      name,
      timestamp: input.timestamp,
      plannerName: input.plannerName,
      plannerEmail: input.plannerEmail,
      note,
      rspace: perlTrue(note) ? " " : "",
    });
    change.addTag(tag);
    this.lines.splice(this.lines.indexOf(change) + change.tags.length, 0, tag);
    this.#lookup = undefined;
    this.#ids = undefined;
    return tag;
  }

  /**
   * Append a new instance of an existing change (Plan `rework`): it
   * requires `name@tag` (the first tag of the last tagged change) before
   * the other requirements; no empty line is added.
   */
  rework(input: AddChangeInput): ReworkResult {
    const name = input.name;
    const index = this.indexOf(`${name}@HEAD`);
    if (index === undefined) {
      throw planError(
        `Change "${name}" does not exist in ${this.file}.\n` +
          `Use "sqitch add ${name}" to add it to the plan`,
      );
    }
    const tagIndex = this.indexOfLastTagged();
    if (tagIndex === undefined || tagIndex < index) {
      throw planError(
        `Cannot rework "${name}" without an intervening tag.\n` +
          'Use "sqitch tag" to create a tag and try again',
      );
    }
    const deps = parseDependencyArgs(input.requires, input.conflicts);
    const tag = this.changes[tagIndex].tags[0];
    deps.requires.unshift(new Dependency({ conflicts: false, change: name, tag: tag.name }));
    const previous = this.changes[index];
    const change = this.#newChange(input, deps);
    this.#checkDependencies(change, "rework");
    previous.addReworkTags(tag);
    this.#append(change);
    return { change, previous, tag };
  }

  #newChange(
    input: AddChangeInput,
    deps: { requires: Dependency[]; conflicts: Dependency[] },
  ): Change {
    const note = buildNote(input.note);
    const change = new Change(this, {
      name: input.name,
      requires: deps.requires,
      conflicts: deps.conflicts,
      timestamp: input.timestamp,
      plannerName: input.plannerName,
      plannerEmail: input.plannerEmail,
      note,
      rspace: perlTrue(note) ? " " : "",
    });
    change.parent = this.lastChange();
    return change;
  }

  /** Plan `_check_dependencies`: each local requirement must name a planned change. */
  #checkDependencies(change: Change, action: "add" | "rework"): void {
    const project = this.project;
    for (const req of change.requires) {
      const reqProject = req.effectiveProject(project, (id) => this.find(id) !== undefined);
      if (reqProject !== project) continue;
      const key = req.keyName;
      if (this.indexOf(key.includes("@") ? key : `${key}@HEAD`) !== undefined) continue;
      throw planError(
        `Cannot ${action} change "${change.name}": requires unknown change "${key}"`,
      );
    }
  }

  #append(change: Change): void {
    this.changes.push(change);
    this.lines.push(change);
    this.#lookup = undefined;
    this.#ids = undefined;
  }

  /** The pragma lines. */
  pragmaLines(): PragmaLine[] {
    return this.lines.filter((l): l is PragmaLine => l.type === "pragma");
  }
}

/**
 * Parse `-r` and `-x` values (Plan `_parse_deps`): duplicates dropped
 * (first kept), `"{dep}" is not a valid dependency specification` for a
 * bad one; a `-x` value is parsed with `!` prepended.
 */
export function parseDependencyArgs(
  requires: readonly string[] = [],
  conflicts: readonly string[] = [],
): { requires: Dependency[]; conflicts: Dependency[] } {
  const parse = (raw: string, text: string, conflict: boolean) => {
    const m = matchDependency(text);
    if (!m) throw planError(`"${raw}" is not a valid dependency specification`);
    return new Dependency({ ...m, conflicts: conflict });
  };
  return {
    requires: [...new Set(requires)].map((r) => parse(r, r, false)),
    conflicts: [...new Set(conflicts)].map((c) => parse(c, `!${c}`, true)),
  };
}

/**
 * A note from `-n`/`-m` values as the commands build it: paragraphs
 * joined by an empty line. Pass the result as `note`; add/tag/rework trim
 * it and decode `\\`, `\n`, `\r` as Sqitch's constructors do.
 */
export function noteFromArgs(notes: readonly string[]): string {
  return notes.join("\n\n");
}

/** The checks every change or tag name gets (Plan `_is_valid`), without the name rule. */
function validateReserved(name: string): void {
  if (name === "HEAD" || name === "ROOT") throw planError(`"${name}" is a reserved name`);
  if (looksLikeSha1(name)) {
    throw planError(`"${name}" is invalid because it could be confused with a SHA1 ID`);
  }
}

/** Throw Sqitch's message unless `name` may name a new change. */
export function validateChangeName(name: string): void {
  validateReserved(name);
  if (!isValidName(name)) {
    throw planError(
      `"${name}" is invalid: changes must not begin with punctuation, contain "@", ":", "#", ` +
        '"\\", or blanks, or end in punctuation or digits following punctuation',
    );
  }
}

/** Throw Sqitch's message unless `name` (without `@`) may name a new tag. */
export function validateTagName(name: string): void {
  validateReserved(name);
  if (!isValidName(name) || name.includes("/")) {
    throw planError(
      `"${name}" is invalid: tags must not begin with punctuation, contain "@", ":", "#", "/", ` +
        '"\\", or blanks, or end in punctuation or digits following punctuation',
    );
  }
}
