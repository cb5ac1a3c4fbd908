/**
 * ANSI colours for `log` and `plan` (cli.md §3.3): Term::ANSIColor 5.01
 * attribute names turned into escape sequences, its validity rule, and the
 * decision whether colours are on at all (`--color always|never|auto`,
 * `NO_COLOR`, `ANSI_COLORS_DISABLED`, stdout being a terminal).
 */
import { type Env, perlTrue } from "./env.ts";
import { SqlitchError } from "./errors.ts";

/** The colour modes of `--color` / `log.color` / `plan.color`. */
export type ColorMode = "always" | "never" | "auto";

/** The `--color` values. */
export const COLOR_MODES: readonly ColorMode[] = ["always", "never", "auto"];

const BASIC = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"];

/** The attribute names with their own SGR parameter string. */
const NAMED: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>([
    ["clear", "0"],
    ["reset", "0"],
    ["bold", "1"],
    ["dark", "2"],
    ["faint", "2"],
    ["italic", "3"],
    ["underline", "4"],
    ["underscore", "4"],
    ["blink", "5"],
    ["reverse", "7"],
    ["concealed", "8"],
  ]);
  BASIC.forEach((name, i) => {
    map.set(name, String(30 + i));
    map.set(`on_${name}`, String(40 + i));
    map.set(`bright_${name}`, String(90 + i));
    map.set(`on_bright_${name}`, String(100 + i));
  });
  return map;
})();

/**
 * The 256-colour palette names (matched rather than listed, so loading
 * this module stays cheap): `ansi0`–`ansi255`, `rgb000`–`rgb555` and
 * `grey0`–`grey23`, each also with `on_`; numbers without leading zeros.
 */
const PALETTE = /^(on_)?(?:ansi(0|[1-9][0-9]{0,2})|rgb([0-5])([0-5])([0-5])|grey(0|[1-9][0-9]?))$/;

/** The SGR parameters of one (lower-cased) attribute, or undefined if invalid. */
function attributeCode(attr: string): string | undefined {
  const named = NAMED.get(attr);
  if (named !== undefined) return named;
  const p = PALETTE.exec(attr);
  if (p) {
    const index = p[2] !== undefined
      ? Number(p[2])
      : p[3] !== undefined
      ? 16 + 36 * Number(p[3]) + 6 * Number(p[4]) + Number(p[5])
      : 232 + Number(p[6]);
    // ansi256+ and grey24+ are no palette entries (rgbRGB never exceeds 231).
    if (index > 255) return undefined;
    return `${p[1] ? "48" : "38"};5;${index}`;
  }
  const m = /^(on_)?r(\d+)g(\d+)b(\d+)$/.exec(attr);
  if (!m) return undefined;
  const [r, g, b] = [Number(m[2]), Number(m[3]), Number(m[4])];
  if (r > 255 || g > 255 || b > 255) return undefined;
  return `${m[1] ? "48" : "38"};2;${r};${g};${b}`;
}

/** The attributes of a colour spec: split on whitespace, lower-cased. */
function attributes(spec: string): string[] {
  return spec.split(/\s+/).filter((a) => a !== "").map((a) => a.toLowerCase());
}

/**
 * Term::ANSIColor's `colorvalid`: every whitespace-separated attribute
 * (case-insensitive) is a known name, `ansiN`, `rgbRGB`, `greyN` or
 * `[on_]rNgNbN` with components up to 255. A blank spec is valid.
 */
export function isValidColor(spec: string): boolean {
  return attributes(spec).every((a) => attributeCode(a) !== undefined);
}

/**
 * The escape sequence for a colour spec (`"bold blue"` → `"\x1b[1;34m"`);
 * empty for a blank spec. Throws `{spec} is not a valid ANSI color` for an
 * invalid attribute.
 */
export function colorEscape(spec: string): string {
  const codes = attributes(spec).map((a) => attributeCode(a));
  if (codes.some((c) => c === undefined)) throw invalidColor(spec);
  return codes.length ? `\x1b[${codes.join(";")}m` : "";
}

/** The error for an invalid colour spec (exit 2). */
export function invalidColor(spec: string): SqlitchError {
  return new SqlitchError(`${spec} is not a valid ANSI color`, { ident: "format" });
}

/** True when `value` is one of the `--color` modes. */
export function isColorMode(value: string): value is ColorMode {
  return (COLOR_MODES as readonly string[]).includes(value);
}

/**
 * Whether `%C` codes produce escapes: never with `NO_COLOR` set (to
 * anything, even empty) or mode `never`; always with `always`; with `auto`
 * only when stdout is a terminal and `ANSI_COLORS_DISABLED` is not
 * Perl-true.
 */
export function colorEnabled(mode: ColorMode, env: Env, stdoutIsTerminal: boolean): boolean {
  if (env.NO_COLOR !== undefined) return false;
  if (mode === "never") return false;
  if (mode === "always") return true;
  return stdoutIsTerminal && !perlTrue(env.ANSI_COLORS_DISABLED);
}
