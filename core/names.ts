/**
 * The name rule Sqitch applies to projects, changes and tags
 * (plan-format.md §5, as in Sqitch 1.3.1), and the character classes the
 * plan grammar is written in.
 *
 * Start-up matters: a regular expression with Unicode property classes
 * costs about a third of a millisecond to construct, so patterns are built
 * on first use, and text that is all ASCII (nearly every plan) is matched
 * by ASCII translations of them (no flag `u`), which are exactly equivalent
 * on ASCII input and much cheaper to build.
 */
import { SqlitchError } from "./errors.ts";

/** The character classes a pattern is built from, and its flags. */
export interface Charset {
  /** Perl's Unicode `\w`, as a character-class body. */
  readonly word: string;
  /** Perl's `[[:blank:]]`, as a character-class body. */
  readonly blank: string;
  /** Perl's `[[:digit:]]`, as an atom. */
  readonly digit: string;
  /** The flags the pattern needs ("u" for the Unicode classes). */
  readonly flags: string;
}

/** The classes for any text (flag `u`). */
export const UNICODE_CHARSET: Charset = {
  word: String.raw`\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\u200C\u200D`,
  blank: String.raw`\t\p{Zs}`,
  digit: String.raw`\p{Nd}`,
  flags: "u",
};

/** The same classes restricted to ASCII: equivalent to UNICODE_CHARSET on ASCII-only text. */
export const ASCII_CHARSET: Charset = {
  word: "A-Za-z0-9_",
  blank: String.raw`\t `,
  digit: "[0-9]",
  flags: "",
};

// deno-lint-ignore no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

/** True when `text` is all ASCII (so the ASCII charset applies). */
export function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}

/** A pattern compiled on first use for each charset; `build` makes one for a given charset. */
export interface LazyPattern {
  /** The pattern that applies to `text`. */
  (text: string): RegExp;
  readonly build: (chars: Charset) => RegExp;
}

/**
 * A regular expression built by `build` from a charset, compiled on first
 * use for each charset: `pick(text)` returns the one that applies to `text`.
 */
export function lazyPattern(build: (chars: Charset) => RegExp): LazyPattern {
  let ascii: RegExp | undefined;
  let unicode: RegExp | undefined;
  const pick = (text: string) =>
    isAscii(text) ? (ascii ??= build(ASCII_CHARSET)) : (unicode ??= build(UNICODE_CHARSET));
  return Object.assign(pick, { build });
}

/** ASCII punctuation except underscore (Plan.pm's `$punct`, as a class body). */
export const PUNCT = "!\"#$%&'()*+,\\-./:;<=>?@\\[\\]^`{|}~";

/**
 * The name rule as an unanchored regular-expression source in `chars`, a
 * translation of Plan.pm's `$name_re` for embedding in larger patterns:
 * digits are Perl's `[[:digit:]]`, and the final `\b` is Perl's Unicode
 * word boundary. A `$` inside it means the end of the whole string being
 * matched (a plan line, a dependency token).
 */
export function namePattern(chars: Charset): string {
  const { word: w, blank: b, digit: d } = chars;
  const p = PUNCT;
  return String.raw`(?![${p}])` + // 1. does not start with punctuation
    String.raw`(?:(?![~/=%^]${d}+(?:$|[${b}]))[^${b}:@#\\])+` + // 2 + 3
    String.raw`(?<![${p}])(?:(?<=[${w}])(?![${w}])|(?<![${w}])(?=[${w}]))`; // 4 + 5 (\b)
}

/** The whole-name pattern (rules 1–5). */
export const nameRe: LazyPattern = lazyPattern((chars) =>
  new RegExp(`^${namePattern(chars)}$`, chars.flags)
);

/** True when `name` satisfies the name rule (without the change/tag-only extras). */
export function isValidName(name: string): boolean {
  return nameRe(name).test(name);
}

/** Throw Sqitch's init error unless `project` is a valid project name. */
export function validateProjectName(project: string): void {
  if (isValidName(project)) return;
  throw new SqlitchError(
    `invalid project name "${project}": project names must not begin with punctuation, ` +
      'contain "@", ":", "#", or blanks, or end in punctuation or digits following punctuation',
    { ident: "init" },
  );
}
