/**
 * Change IDs, tag IDs and script hashes (ids.md): an ID is the SHA-1 of
 * `"<kind> <byte length>\0"` followed by the UTF-8 INFO text, git-object
 * style; a script hash is the SHA-1 of the deploy script's raw bytes.
 */
import {
  type ChainObject as Sha1ChainObject,
  sha1Hex,
  sha1HexChain,
  sha1HexObject,
} from "../sha1.ts";

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
  let prefix = `project ${f.project}\n`;
  if (f.uri !== undefined) prefix += `uri ${f.uri}\n`;
  prefix += `change ${f.name}\n`;
  let suffix = `planner ${f.plannerName} <${f.plannerEmail}>\ndate ${f.timestamp}`;
  if (hasParent) {
    prefix += "parent ";
    suffix = "\n" + suffix;
  }
  const reqs = f.requires.join("\n  + ");
  if (truthy(reqs)) suffix += `\nrequires\n  + ${reqs}`;
  const confs = f.conflicts.join("\n  - ");
  if (truthy(confs)) suffix += `\nconflicts\n  - ${confs}`;
  if (truthy(f.note)) suffix += `\n\n${f.note}`;
  return { prefix, suffix };
}

/**
 * One object of an ID chain: its ID is that of kind `kind` and INFO text
 * `prefix + (ref === undefined ? "" : ID of objects[ref]) + suffix`.
 */
export interface ChainObject extends Sha1ChainObject {
  kind: "change" | "tag";
}

/** The IDs of a chain of objects, each possibly holding an earlier one's ID (one hashing pass). */
export function chainIds(objects: readonly ChainObject[]): string[] {
  return sha1HexChain(objects);
}

/** A tag's INFO text. */
export function tagInfo(f: TagInfoFields): string {
  let info = `project ${f.project}\n`;
  if (f.uri !== undefined) info += `uri ${f.uri}\n`;
  info += `tag @${f.name}\nchange ${f.changeId}\n` +
    `planner ${f.plannerName} <${f.plannerEmail}>\ndate ${f.timestamp}`;
  if (truthy(f.note)) info += `\n\n${f.note}`;
  return info;
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
