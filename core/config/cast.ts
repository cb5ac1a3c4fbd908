/**
 * Typed reading of configuration values (`--bool`, `--int`, `--num` and
 * internal boolean settings) with Config::GitLike's rules, including the way
 * Perl prints the resulting numbers.
 */
import { SqlitchError } from "../errors.ts";
import type { RawValue } from "./reader.ts";

/**
 * The value types `sqitch config` can cast to. `bool-or-int` is what
 * `--bool-or-int` means (Sqitch 1.3.1 crashes on that option instead).
 */
export type CastType = "bool" | "int" | "num" | "bool-or-int";

const BOOL_TRUE = /^(?:true|yes|on|-?0*1)\n?$/i;
const BOOL_FALSE = /^(?:false|no|off|0*)\n?$/i;
const NUMBER = /^-?[0-9]*\.?[0-9]*[kmg]?\n?$/;

/** Interpret a value as a boolean; a bare key (null) is true. Throws `Invalid bool '{v}'`. */
export function parseBool(value: RawValue): boolean {
  if (value === null) return true;
  if (BOOL_TRUE.test(value)) return true;
  if (BOOL_FALSE.test(value)) return false;
  throw new SqlitchError(`Invalid bool '${value}'`, { ident: "config", trailingBlankLine: true });
}

/**
 * Cast a value for display or writing, as `sqitch config` does (the
 * "human" form): bool ⇒ `true`/`false` (a bare key gives `1`), int/num ⇒
 * the number as Perl prints it (`10k` ⇒ `10240`, `1.5m` ⇒ `1572864`).
 */
export function castValue(value: RawValue, as: CastType): string {
  if (as === "bool-or-int") return castBoolOrInt(value);
  if (as === "bool") {
    if (value === null) return "1";
    return parseBool(value) ? "true" : "false";
  }
  return castNumber(value, as);
}

/**
 * Config::GitLike's `bool-or-int`: a number (as `--int` accepts it) is cast
 * to int, a valid bool (or a bare key) to bool; anything else is
 * `Invalid bool-or-int '{v}'`.
 */
function castBoolOrInt(value: RawValue): string {
  if (value === null) return castValue(value, "bool");
  if (NUMBER.test(value)) return castNumber(value, "int");
  if (BOOL_TRUE.test(value) || BOOL_FALSE.test(value)) return castValue(value, "bool");
  throw new SqlitchError(`Invalid bool-or-int '${value}'`, {
    ident: "config",
    trailingBlankLine: true,
  });
}

/** A Perl number: an integer (IV) or a double (NV). */
type PerlNumber = { iv: bigint } | { nv: number };

const IV_MIN = -(2n ** 63n);
const UV_MAX = 2n ** 64n - 1n;
const MULTIPLIERS: Record<string, bigint> = { k: 1024n, m: 1024n ** 2n, g: 1024n ** 3n };

/**
 * Cast to int (truncated toward zero) or num, with k/m/g suffixes.
 * Throws `Invalid unit while casting to {as}` for anything else.
 */
export function castNumber(value: RawValue, as: "int" | "num"): string {
  let text = value ?? "";
  if (!NUMBER.test(text)) {
    throw new SqlitchError(`Invalid unit while casting to ${as}`, {
      ident: "config",
      trailingBlankLine: true,
    });
  }
  text = text.replace(/\n$/, "");
  let suffix = "";
  if (/[kmg]$/.test(text)) {
    suffix = text.slice(-1);
    text = text.slice(0, -1);
  }
  let n = numify(text);
  if (suffix) {
    const mult = MULTIPLIERS[suffix];
    if ("iv" in n) {
      const product = n.iv * mult;
      n = product >= IV_MIN && product <= UV_MAX ? { iv: product } : { nv: Number(product) };
    } else {
      n = { nv: n.nv * Number(mult) };
    }
  }
  if (as === "int" && "nv" in n) {
    const t = Math.trunc(n.nv);
    n = Math.abs(t) < 2 ** 63 ? { iv: BigInt(t) } : { nv: t };
  }
  return "iv" in n ? n.iv.toString() : perlFormatNumber(n.nv);
}

/** Perl's numification of a string already known to match `-?\d*\.?\d*`. */
function numify(text: string): PerlNumber {
  if (/^-?[0-9]+$/.test(text)) {
    const big = BigInt(text);
    if (big >= IV_MIN && big <= UV_MAX) return { iv: big };
    return { nv: Number(text) };
  }
  if (/^-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)$/.test(text)) return { nv: Number.parseFloat(text) };
  return { iv: 0n };
}

/** How Perl prints a double: `%.15g` (and `0` for negative zero). */
export function perlFormatNumber(x: number): string {
  if (x === 0) return "0";
  if (!Number.isFinite(x)) return x > 0 ? "Inf" : x < 0 ? "-Inf" : "NaN";
  const [mantissa, expText] = x.toExponential(14).split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= 15) {
    const m = mantissa.replace(/\.?0+$/, "");
    const sign = exp < 0 ? "-" : "+";
    return `${m}e${sign}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  const fixed = x.toFixed(Math.max(0, 14 - exp));
  return fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed;
}
