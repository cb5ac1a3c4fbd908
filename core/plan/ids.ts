/**
 * Change IDs, tag IDs and script hashes (ids.md): an ID is the SHA-1 of
 * `"<kind> <byte length>\0"` followed by the UTF-8 INFO text, git-object
 * style; a script hash is the SHA-1 of the deploy script's raw bytes.
 */
import { Sha1Chain, sha1Hex, sha1HexObject } from "../sha1.ts";

/** The fields of a change's INFO text (ids.md §1.1). */
export interface ChangeInfoFields {
  project: string;
  /** The canonical project URI; given when the plan's `%uri` value is Perl-true. */
  uri?: string;
  name: string;
  /** ID of the previous change line of the plan, if any. */
  parent?: string;
  plannerName: string;
  plannerEmail: string;
  /** `YYYY-MM-DDTHH:MM:SSZ`. */
  timestamp: string;
  /** Dependency strings (`as_string`: own-project prefix removed, no `!`). */
  requires: readonly string[];
  conflicts: readonly string[];
  /** The decoded note. */
  note: string;
}

/** The fields of a tag's INFO text (ids.md §1.2). */
export interface TagInfoFields {
  project: string;
  uri?: string;
  /** The tag name without `@`. */
  name: string;
  /** ID of the change the tag is attached to. */
  changeId: string;
  plannerName: string;
  plannerEmail: string;
  timestamp: string;
  note: string;
}

/** Perl truthiness of a string: false for "" and "0". */
const truthy = (s: string | undefined): s is string => s !== undefined && s !== "" && s !== "0";

/**
 * A change's INFO text. Perl truthiness applies: a requires or conflicts
 * list whose joined text is "0", or a note that is "0", is left out.
 */
export function changeInfo(f: ChangeInfoFields): string {
  const { prefix, suffix } = changeInfoParts(f, f.parent !== undefined);
  return prefix + (f.parent ?? "") + suffix;
}

/** A change's INFO text around its parent ID: `prefix + parent + suffix` (see changeInfo). */
export interface InfoParts {
  prefix: string;
  suffix: string;
}

/**
 * A change's INFO text split where the parent ID goes (`f.parent` is not
 * read): with `hasParent`, the text is `prefix + parentId + suffix`;
 * without, `prefix + suffix`.
 */
export function changeInfoParts(f: ChangeInfoFields, hasParent: boolean): InfoParts {
  const prefix = infoHead(f.project, f.uri) + "change " + f.name + "\n";
  const tail = changeTail(
    f.plannerName,
    f.plannerEmail,
    f.timestamp,
    f.requires.join("\n  + "),
    f.conflicts.join("\n  - "),
    f.note,
  );
  return hasParent ? { prefix: prefix + "parent ", suffix: "\n" + tail } : { prefix, suffix: tail };
}

/** The lines every INFO text starts with: `project`, and `uri` when given. */
function infoHead(project: string, uri: string | undefined): string {
  return uri === undefined ? `project ${project}\n` : `project ${project}\nuri ${uri}\n`;
}

/**
 * A change's INFO text after its `parent` line: planner, date, and the
 * joined requires, conflicts and note, each left out when Perl-false.
 */
function changeTail(
  plannerName: string,
  plannerEmail: string,
  timestamp: string,
  requires: string,
  conflicts: string,
  note: string,
): string {
  let tail = "planner " + plannerName + " <" + plannerEmail + ">\ndate " + timestamp;
  if (truthy(requires)) tail += "\nrequires\n  + " + requires;
  if (truthy(conflicts)) tail += "\nconflicts\n  - " + conflicts;
  if (truthy(note)) tail += "\n\n" + note;
  return tail;
}

/** A tag's INFO text after its `change` ID: planner, date and note (when Perl-true). */
function tagTail(
  plannerName: string,
  plannerEmail: string,
  timestamp: string,
  note: string,
): string {
  const tail = "\nplanner " + plannerName + " <" + plannerEmail + ">\ndate " + timestamp;
  return truthy(note) ? tail + "\n\n" + note : tail;
}

/** A dependency as INFO texts show it. */
export interface DependencyText {
  /** `as_string`: `proj:key` for another project, else `key`. */
  asString(planProject: string): string;
}

/** What a tag's INFO text is made of (a plan's Tag has these). */
export interface TagInfoSource {
  /** The name without `@`. */
  readonly name: string;
  readonly plannerName: string;
  readonly plannerEmail: string;
  readonly timestamp: string;
  /** The decoded note. */
  readonly note: string;
}

/** What a change's INFO text is made of (a plan's Change has these). */
export interface ChangeInfoSource {
  readonly name: string;
  readonly plannerName: string;
  readonly plannerEmail: string;
  readonly timestamp: string;
  readonly requires: readonly DependencyText[];
  readonly conflicts: readonly DependencyText[];
  /** The decoded note. */
  readonly note: string;
  /** The tags attached to the change. */
  readonly tags: readonly TagInfoSource[];
}

/** The IDs changeChainIds computes. */
export interface ChainIds {
  /** Each change's ID, in order. */
  changes: string[];
  /** Each change's tags' IDs, in order. */
  tags: string[][];
}

/**
 * The IDs of consecutive changes of one plan, oldest first, and of their
 * tags, hashed in one batch: each change's parent is the change before it,
 * and the first one's is `parentId` (none when undefined). The same IDs
 * changeId and tagId give one by one; `status` computes a whole plan's
 * this way, in a fresh process, so the loop builds each text itself, with
 * no call or object per change it can do without.
 */
export function changeChainIds(
  project: string,
  uri: string | undefined,
  changes: readonly ChangeInfoSource[],
  parentId: string | undefined,
): ChainIds {
  const chain = new Sha1Chain();
  const head = infoHead(project, uri);
  // Each change's and its tags' places in the chain.
  const changeIndexes: number[] = new Array(changes.length);
  const tagIndexes: number[][] = new Array(changes.length);
  let previous = -1;
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i];
    const prefix = head + "change " + c.name + "\n";
    const suffix = changeTail(
      c.plannerName,
      c.plannerEmail,
      c.timestamp,
      c.requires.length > 0 ? dependencyList(c.requires, project, "\n  + ") : "",
      c.conflicts.length > 0 ? dependencyList(c.conflicts, project, "\n  - ") : "",
      c.note,
    );
    previous = i > 0
      ? chain.add("change", prefix + "parent ", "\n" + suffix, previous)
      : parentId !== undefined
      ? chain.add("change", prefix + "parent " + parentId, "\n" + suffix)
      : chain.add("change", prefix, suffix);
    changeIndexes[i] = previous;
    const tags = c.tags;
    const indexes: number[] = [];
    for (let k = 0; k < tags.length; k++) {
      const t = tags[k];
      const tail = tagTail(t.plannerName, t.plannerEmail, t.timestamp, t.note);
      indexes.push(chain.add("tag", head + "tag @" + t.name + "\nchange ", tail, previous));
    }
    tagIndexes[i] = indexes;
  }
  const ids = chain.hexIds();
  return {
    changes: changeIndexes.map((k) => ids[k]),
    tags: tagIndexes.map((indexes) => indexes.map((k) => ids[k])),
  };
}

/** The `as_string` forms of `deps` joined with `separator`. */
function dependencyList(
  deps: readonly DependencyText[],
  project: string,
  separator: string,
): string {
  let text = deps[0].asString(project);
  for (let k = 1; k < deps.length; k++) text += separator + deps[k].asString(project);
  return text;
}

/** A tag's INFO text. */
export function tagInfo(f: TagInfoFields): string {
  return infoHead(f.project, f.uri) + `tag @${f.name}\nchange ${f.changeId}` +
    tagTail(f.plannerName, f.plannerEmail, f.timestamp, f.note);
}

/** The ID of an object: lowercase hex SHA-1 of `"<kind> <bytes>\0<info>"`. */
export function objectId(kind: "change" | "tag", info: string): string {
  return sha1HexObject(kind, info);
}

/** The ID of a change from its INFO fields. */
export function changeId(f: ChangeInfoFields): string {
  return objectId("change", changeInfo(f));
}

/** The ID of a tag from its INFO fields. */
export function tagId(f: TagInfoFields): string {
  return objectId("tag", tagInfo(f));
}

/** `changes.script_hash`: the lowercase hex SHA-1 of a deploy script's raw bytes. */
export function scriptHash(bytes: Uint8Array): string {
  return sha1Hex(bytes);
}
