/**
 * The name rule Sqitch applies to projects, changes and tags
 * (plan-format.md §5, as in Sqitch 1.3.1).
 */
import { SqlitchError } from "./errors.ts";

/** ASCII punctuation except underscore (backslash is excluded separately). */
const P = "!\"#$%&'()*+,\\-./:;<=>?@\\[\\]^`{|}~";
/** A Unicode word character, as Perl's `\w`. */
const W = String.raw`\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\u200C\u200D`;
/** Perl's `[[:blank:]]`. */
const BLANK = String.raw`\t\p{Zs}`;

/**
 * The name rule as an unanchored regular-expression source (flag `u`), a
 * translation of Plan.pm's `$name_re` for embedding in larger patterns:
 * digits are Perl's `[[:digit:]]` (`\p{Nd}`), and the final `\b` is Perl's
 * Unicode word boundary. A `$` inside it means the end of the whole string
 * being matched (a plan line, a dependency token).
 */
export const NAME_PATTERN = String.raw`(?![${P}])` + // 1. does not start with punctuation
  String.raw`(?:(?![~/=%^]\p{Nd}+(?:$|[${BLANK}]))[^${BLANK}:@#\\])+` + // 2 + 3
  String.raw`(?<![${P}])(?:(?<=[${W}])(?![${W}])|(?<![${W}])(?=[${W}]))`; // 4 + 5 (\b)

/** The whole-name pattern (rules 1–5). */
const NAME_RE = new RegExp(`^${NAME_PATTERN}$`, "u");

/** True when `name` satisfies the name rule (without the change/tag-only extras). */
export function isValidName(name: string): boolean {
  return NAME_RE.test(name);
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
