/**
 * Configuration key names as Config::GitLike understands them: splitting a
 * key into section, subsection and variable name (with its quoting rules),
 * the canonical (lookup) form of a key, and name validation for writes.
 */
import { SqlitchError } from "../errors.ts";
import { perlTrue } from "../env.ts";
import { hasPerlSpace, perlLc } from "./perl.ts";

/** A key split into its parts, spelled as given (no case folding). */
export interface KeyParts {
  /** The section: the part before the first dot (never empty, no dots). */
  section: string;
  /** Everything between the section and the variable name, if any. */
  subsection: string | undefined;
  /** The variable name: the part after the last dot (or a quoted last part). */
  name: string;
}

const QUOTED_NAME = /\.["']([^\n]*)["'](?=\n?$)/;
const SECTION_AND_NAME = /^([^\n]*)\.([^\n]*)(?=\n?$)/;
const SECTION_PARTS = /^([^.]+)(?:\.([^\n]*))?(?=\n?$)/;

/**
 * Remove balanced double, then single quotes around dot-separated parts
 * (`target."a.b"` ⇒ `target.a.b`).
 */
export function removeBalancedQuotes(key: string): string {
  const strip = (text: string, quote: string): string => {
    const piece = new RegExp(`${quote}[^${quote}]+${quote}|[^.]+`, "g");
    const inner = new RegExp(`${quote}([^\\n]*)${quote}`);
    return text.replace(piece, (part) => part.replace(inner, (_m, body: string) => body));
  };
  return strip(strip(key, '"'), "'");
}

/**
 * Split a key at its last dot (variable name) and the rest at its first dot
 * (section, subsection). A quoted last part keeps its dots
 * (`a."b.c"` ⇒ name `b.c`). Undefined when there is no usable section.
 */
export function splitKey(key: string): KeyParts | undefined {
  let rest: string;
  let name: string;
  const quoted = QUOTED_NAME.exec(key);
  if (quoted) {
    name = quoted[1];
    rest = key.slice(0, quoted.index) + key.slice(quoted.index + quoted[0].length);
  } else {
    const m = SECTION_AND_NAME.exec(key);
    if (!m) return undefined;
    rest = removeBalancedQuotes(m[1]);
    name = removeBalancedQuotes(m[2]);
  }
  const parts = SECTION_PARTS.exec(rest);
  if (!parts) return undefined;
  return { section: parts[1], subsection: parts[2], name };
}

/**
 * The canonical form used for lookups: lowercase section and name, the
 * subsection as written (`Sub.Sec.Key` ⇒ `sub.Sec.key`). Throws
 * `No section given in key: {key}` when the key has no section.
 */
export function canonicalKey(key: string): string {
  const parts = splitKey(key);
  if (!parts || !perlTrue(parts.section)) {
    throw new SqlitchError(`No section given in key: ${key}`, {
      ident: "config",
      trailingBlankLine: true,
    });
  }
  const out = [perlLc(parts.section)];
  if (parts.subsection !== undefined) out.push(parts.subsection);
  out.push(perlLc(parts.name));
  return out.join(".");
}

/**
 * The canonical form of a section name as `getSection` takes it: the first
 * part lowercased, the rest as written (`target.Prod` ⇒ `target.Prod`).
 */
export function sectionKey(section: string): string {
  const parts = splitKey(section);
  if (!parts || !perlTrue(parts.section)) return perlLc(section);
  const rest = [parts.subsection, parts.name].filter((p) => p !== undefined);
  return `${perlLc(parts.section)}.${rest.join(".")}`;
}

/**
 * True when a variable name cannot be written: empty, containing `=` or a
 * newline, starting with `[` or blanks, or ending with a blank or `+`.
 */
export function isInvalidVariableName(name: string): boolean {
  return !/^[^=\n[][^=\n]*(?=\n?$)/.test(name) || /^[ \t]+|[ \t+](?=\n?$)/.test(name);
}

/** True when a section name (not subsection) contains whitespace, `[`, `]` or `"`. */
export function isInvalidSectionName(section: string): boolean {
  return hasPerlSpace(section) || /[[\]"]/.test(section);
}
