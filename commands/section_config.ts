/**
 * Sqitch's default `configure` for `log`, `plan`, `status`, `show` and
 * `upgrade` (config.md §5.2): every plain key of the command's config
 * section whose name is one of the command's attributes (spelled exactly
 * so) is merged, uncast, under the command-line options, which win. The
 * values then meet the attributes' type checks (Moo/Type::Tiny) — Sqitch
 * dies there with exit 255 and a trace; sqlitch prints the first line of
 * the message and exits 2.
 */
import { SqlitchError } from "../core/errors.ts";
import type { RawValue } from "../core/config/mod.ts";
import type { OptionValue } from "../core/getopt.ts";
import type { CommandContext } from "./context.ts";

/** The Type::Tiny constraints the merged attributes have. */
export type AttributeType = "Str" | "Int" | "Bool";

/** A merged value: an option, or a config value (null for a bare key). */
export type MergedValue = OptionValue | null;

/** Perl's double-quoted form of a string (B::perlstring, Data::Dumper's qquote). */
function perlString(text: string): string {
  let out = "";
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\" || ch === "$" || ch === "@") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\f") out += "\\f";
    else if (ch === "\x1b") out += "\\e";
    else if (ch === "\x07") out += "\\a";
    else if (c < 0x20 || c === 0x7f) out += `\\${c.toString(8)}`;
    else if (c > 0x7f) out += `\\x{${c.toString(16)}}`;
    else out += ch;
  }
  return `"${out}"`;
}

/** How Type::Tiny shows a failing value: `Undef`, `Value "x"`, `Reference [...]`. */
function shownValue(value: RawValue | RawValue[]): string {
  if (value === null) return "Undef";
  if (!Array.isArray(value)) return `Value ${perlString(value)}`;
  // Data::Dumper (Indent 0, Useqq, Terse), cut at 72 characters.
  const items = value.map((v) =>
    v === null ? "undef" : /^(?:0|-?[1-9][0-9]{0,8})$/.test(v) ? v : perlString(v)
  );
  let dump = `[${items.join(",")}]`;
  if (dump.length >= 72) dump = dump.slice(0, 60) + "..." + dump.slice(-1);
  return `Reference ${dump}`;
}

/** `Value "x" did not pass type constraint "T" (in $args->{"name"})`. */
function typeError(name: string, type: AttributeType, value: RawValue | RawValue[]): SqlitchError {
  return new SqlitchError(
    `${shownValue(value)} did not pass type constraint "${type}" (in $args->{"${name}"})`,
    { ident: "config" },
  );
}

/** Whether a raw config value passes a type constraint (a list never does). */
function passes(type: AttributeType, value: RawValue | RawValue[]): boolean {
  if (Array.isArray(value)) return false;
  switch (type) {
    case "Str":
      return value !== null;
    case "Int":
      return value !== null && /^-?[0-9]+$/.test(value);
    case "Bool":
      return value === null || value === "" || value === "0" || value === "1";
  }
}

/**
 * The options with the `[command]` section merged under them: for each
 * attribute not given on the command line, the section's value,
 * type-checked (a multi-valued key is a list, which fails every check, as
 * in Sqitch). Returns a new record.
 */
export function mergeSectionConfig(
  ctx: CommandContext,
  section: string,
  attributes: Readonly<Record<string, AttributeType>>,
  options: Readonly<Record<string, OptionValue>>,
): Record<string, MergedValue> {
  const merged: Record<string, MergedValue> = { ...options };
  const names = Object.keys(ctx.config.getSection(section));
  for (const name of names) {
    if (!Object.hasOwn(attributes, name) || merged[name] !== undefined) continue;
    const values = ctx.config.getAll(`${section}.${name}`);
    const value = values.length === 1 ? values[0] : values;
    const type = attributes[name];
    if (!passes(type, value)) throw typeError(name, type, value);
    merged[name] = value as RawValue;
  }
  return merged;
}

/** A merged value as a string (numbers stringified), or undefined. */
export function mergedString(value: MergedValue | undefined): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return undefined;
}

/** A merged Bool attribute: Perl truthiness of an option or config value, else the default. */
export function mergedBool(value: MergedValue | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === null) return false;
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") return value !== "" && value !== "0";
  return true;
}

/** A merged Int attribute as a number (undefined when absent). */
export function mergedInt(value: MergedValue | undefined): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^-?[0-9]+$/.test(value)) return Number(value);
  return undefined;
}
