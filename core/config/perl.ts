/**
 * Small emulations of Perl string semantics that Config::GitLike's
 * behaviour depends on: Unicode `\s`, per-character `lc`, code-point string
 * ordering and translating a user's Perl regex into a JavaScript RegExp.
 */
import { SqlitchError } from "../errors.ts";

/**
 * The characters Perl's `\s` matches in a Unicode string, as the body of a
 * character class (JavaScript's `\s` differs: it adds U+FEFF, lacks U+0085).
 */
export const PERL_SPACE =
  "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

const PERL_SPACE_RE = new RegExp(`[${PERL_SPACE}]`);

/** True when the string contains a character Perl's `\s` matches. */
export function hasPerlSpace(text: string): boolean {
  return PERL_SPACE_RE.test(text);
}

/**
 * Perl's `lc`: every code point lowercased on its own (no context-dependent
 * final-sigma rule as in `String.prototype.toLowerCase`).
 */
export function perlLc(text: string): string {
  // deno-lint-ignore no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text.toLowerCase();
  let out = "";
  for (const ch of text) out += ch.toLowerCase();
  return out;
}

/** Perl's string `cmp` on character strings: code-point order. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/**
 * Compile a user-supplied Perl regular expression, by default for
 * case-insensitive matching (`m/.../i`; pass `flags` "" for `m/.../`).
 * The Perl-only anchors `\A`, `\z`, `\Z` are
 * translated and `$` is given Perl's meaning (end, or before a final
 * newline); everything else is passed to JavaScript unchanged. An invalid
 * pattern is a SqlitchError (exit 2).
 */
export function perlRegex(pattern: string, flags = "i"): RegExp {
  let source = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "\\" && i + 1 < pattern.length) {
      const next = pattern[++i];
      if (!inClass && next === "A") source += "^";
      else if (!inClass && next === "z") source += "$";
      else if (!inClass && next === "Z") source += "(?=\\n?$)";
      else source += ch + next;
    } else if (inClass) {
      if (ch === "]") inClass = false;
      source += ch;
    } else if (ch === "[") {
      inClass = true;
      source += ch;
      // A leading "]" (or "^]") is literal inside a class.
      if (pattern[i + 1] === "^") source += pattern[++i];
      if (pattern[i + 1] === "]") {
        source += "\\]";
        i++;
      }
    } else if (ch === "$") {
      source += "(?=\\n?$)";
    } else {
      source += ch;
    }
  }
  try {
    return new RegExp(source, flags);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new SqlitchError(`Invalid regular expression "${pattern}": ${reason}`, {
      ident: "config",
      trailingBlankLine: true,
    });
  }
}

/**
 * A search pattern from the command line (`plan --change-pattern`, `log
 * --change`…), compiled as Perl's `qr/$pattern/` with perlRegex. Throws a
 * one-line SqlitchError `Invalid regular expression "{pattern}": {reason}`
 * (exit 2) for one that does not compile.
 */
export function searchPattern(pattern: string, ident: string): RegExp {
  try {
    return perlRegex(pattern, "");
  } catch (e) {
    const reason = (e instanceof Error ? e.message : String(e))
      .replace(/^Invalid regular expression "[\s\S]*?": /, "")
      .replace(/^Invalid regular expression: \/[\s\S]*\/[a-z]*: /, "");
    throw new SqlitchError(`Invalid regular expression "${pattern}": ${reason}`, { ident });
  }
}
