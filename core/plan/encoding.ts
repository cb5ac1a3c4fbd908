/**
 * Strict UTF-8 decoding of plan files, as Sqitch opens them
 * (`<:utf8_strict`, plan-format.md §1): ill-formed sequences, surrogates,
 * code points above U+10FFFF and noncharacters are fatal, with
 * PerlIO::utf8_strict's wording. A byte-order mark is kept as a character.
 */
import { SqlitchError } from "../errors.ts";

/** Where Sqitch's plan reader dies on undecodable input (Debian's Sqitch 1.3.1). */
const PLAN_PM = "/usr/share/perl5/App/Sqitch/Plan.pm";

/** Decoded plan text, possibly cut before an incomplete sequence at the end of the file. */
export interface DecodedPlan {
  /** The text of every complete line (up to the last newline when `truncated` is set). */
  text: string;
  /**
   * Set when the file ends inside a UTF-8 sequence: the offending bytes as
   * `E2 82`. Perl reads (and parses) every complete line before it fails;
   * the parser then throws `truncatedPlanError`.
   */
  truncated?: string;
}

/** Noncharacters (U+FDD0–U+FDEF, U+xxFFFE/U+xxFFFF): a superset; findUtf8Error decides. */
const NONCHARACTER = /[\uFDD0-\uFDEF\uFFFE\uFFFF]|[\uD800-\uDBFF][\uDFFE\uDFFF]/;

const hex2 = (b: number) => b.toString(16).toUpperCase().padStart(2, "0");

/**
 * Decode plan bytes strictly. An ill-formed sequence or a noncharacter
 * before the end of the file throws at once (as Perl does on its first
 * buffered read); an incomplete sequence at the very end is reported in
 * `truncated` instead.
 */
export function decodePlanBytes(bytes: Uint8Array): DecodedPlan {
  // Fast path: a well-formed file without noncharacters, checked natively.
  try {
    const text = new TextDecoder("utf-8", { ignoreBOM: true, fatal: true }).decode(bytes);
    if (!NONCHARACTER.test(text)) return { text };
  } catch {
    // Ill-formed: find and report the first fault below.
  }
  const bad = findUtf8Error(bytes);
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  if (bad === undefined) return { text: decoder.decode(bytes) };
  const seq = Array.from(bytes.subarray(bad.at, bad.at + bad.length), hex2).join(" ");
  if (bad.noncharacter !== undefined) {
    const cp = bad.noncharacter.toString(16).toUpperCase().padStart(4, "0");
    throw utf8Error(`Can't interchange noncharacter code point U+${cp} at ${PLAN_PM} line 192.`);
  }
  if (!bad.atEnd) {
    throw utf8Error(
      `Can't decode ill-formed UTF-8 octet sequence <${seq}> at ${PLAN_PM} line 192.`,
    );
  }
  const lastNewline = bytes.lastIndexOf(0x0a, bad.at);
  return { text: decoder.decode(bytes.subarray(0, lastNewline + 1)), truncated: seq };
}

/**
 * The error for a file ending inside a UTF-8 sequence, raised by the
 * getline after `linesRead` complete lines, in the header loop or the body loop.
 */
export function truncatedPlanError(seq: string, linesRead: number, inBody: boolean): SqlitchError {
  return utf8Error(
    `Can't decode ill-formed UTF-8 octet sequence <${seq}> at end of file at ${PLAN_PM} ` +
      `line ${inBody ? 269 : 192}${linesRead > 0 ? `, <GEN0> line ${linesRead}` : ""}.`,
  );
}

function utf8Error(message: string): SqlitchError {
  return new SqlitchError(message, { ident: "io", trailingBlankLine: true });
}

interface Utf8Fault {
  at: number;
  length: number;
  atEnd: boolean;
  noncharacter?: number;
}

/** The first strict-UTF-8 violation in `bytes` (maximal subpart), if any. */
function findUtf8Error(bytes: Uint8Array): Utf8Fault | undefined {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      cp = b & 0x0f;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      cp = b & 0x07;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else {
      return { at: i, length: 1, atEnd: false };
    }
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return { at: i, length: k, atEnd: true };
      const c = bytes[i + k];
      if (c < lo || c > hi) return { at: i, length: k, atEnd: false };
      lo = 0x80;
      hi = 0xbf;
      cp = (cp << 6) | (c & 0x3f);
    }
    if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe) {
      return { at: i, length: need + 1, atEnd: false, noncharacter: cp };
    }
    i += need + 1;
  }
  return undefined;
}
