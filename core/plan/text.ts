/**
 * Text primitives of the plan format with Perl's semantics (plan-format.md
 * §1, §5.3, §6): blanks (`[[:blank:]]`), Perl's `\s`, Perl truthiness,
 * note trimming/escaping, and line splitting as `getline` does it.
 */

/** True for a code unit that is Perl's `[[:blank:]]` (tab or a space separator). */
export function isBlankChar(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0xa0 || c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** True for a code unit in Perl's Unicode `\s`. */
export function isPerlSpace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x85 || c === 0x2028 || c === 0x2029 ||
    isBlankChar(c);
}

/** Perl truthiness of a string scalar: false for undef, "" and "0". */
export function perlTrue(s: string | undefined): s is string {
  return s !== undefined && s !== "" && s !== "0";
}

/** Strip Perl `\s` from both ends (`s/\A\s+//; s/\s+\z//`). */
export function perlTrim(s: string): string {
  // Fast path: visible ASCII at both ends.
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  if (first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f) return s;
  let start = 0;
  let end = s.length;
  while (start < end && isPerlSpace(s.charCodeAt(start))) start++;
  while (end > start && isPerlSpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** Strip trailing Perl `\s` (`s/\s+$//`). */
export function perlTrimEnd(s: string): string {
  let end = s.length;
  while (end > 0 && isPerlSpace(s.charCodeAt(end - 1))) end--;
  return end === s.length ? s : s.slice(0, end);
}

const UNESCAPE: Record<string, string> = { "\\\\": "\\", "\\n": "\n", "\\r": "\r" };
const ESCAPE: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r" };

/** Decode the note escapes `\\`, `\n`, `\r` (left to right; others stay literal). */
export function unescapeNote(s: string): string {
  return s.indexOf("\\") < 0 ? s : s.replace(/\\[\\nr]/g, (m) => UNESCAPE[m]);
}

/** Encode a note for the plan file: backslash, LF and CR become `\\`, `\n`, `\r`. */
export function escapeNote(s: string): string {
  return s.replace(/[\r\n\\]/g, (m) => ESCAPE[m]);
}

/**
 * A note as Sqitch's line constructor stores it (Line.pm BUILDARGS): a
 * Perl-true note is trimmed of `\s` and its escapes decoded; "" and "0"
 * are kept as they are; undefined becomes "".
 */
export function buildNote(raw: string | undefined): string {
  if (!perlTrue(raw)) return raw ?? "";
  return unescapeNote(perlTrim(raw));
}

/**
 * Split plan text into lines as Perl's `while (my $line = $fh->getline)`
 * loop with `s/\r?\n\z//` sees them: a final line without newline that is
 * exactly "0" is false and ends the loop, so it is dropped.
 */
export function splitPlanLines(text: string): string[] {
  const lines = text.split("\n");
  const last = lines.pop()!;
  if (text.indexOf("\r") >= 0) {
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
    }
  }
  if (last !== "" && last !== "0") lines.push(last);
  return lines;
}
