/**
 * Command-line option parsing with the conventions of Perl's Getopt::Long
 * as Sqitch configures it ("bundling", with or without "pass_through"):
 * bundled single-letter options, case-insensitive long options that may be
 * abbreviated to any unambiguous prefix, `--no-x` negation, `--x=v` and
 * `--x v`, repeatable list and key=value options, `--` to end options, and
 * non-option words collected in order (permute mode).
 *
 * Option specs use Getopt::Long's notation, e.g. `"chdir|cd|C=s"`,
 * `"verbose|V|v+"`, `"verify!"`, `"set|s=s%"`, `"requires|r=s@"`,
 * `"max-count|n=i"`. Results are keyed by the first name with dashes turned
 * into underscores.
 */

/** What kind of value an option takes. */
type OptionKind = "flag" | "negatable" | "counter" | "string" | "integer";

/** How repeated values are stored. */
type OptionStore = "scalar" | "list" | "hash";

/** A parsed option spec. */
interface OptionSpec {
  /** Result key: first name with dashes as underscores. */
  key: string;
  names: string[];
  kind: OptionKind;
  store: OptionStore;
  /** True when the value is optional (`:s`, `:i`). */
  optional: boolean;
}

/** Parsed option values: booleans, counts, strings, numbers, lists or maps. */
export type OptionValue =
  | boolean
  | number
  | string
  | string[]
  | number[]
  | Record<string, string>
  | Array<[string, string]>;

/** The outcome of parsing: option values, remaining words, and error lines. */
export interface ParseResult {
  options: Record<string, OptionValue>;
  /** Non-option arguments in order (plus pass-through options in pass-through mode). */
  args: string[];
  /** Getopt-style error lines (e.g. `Unknown option: zzz`); empty when parsing succeeded. */
  errors: string[];
}

/** Parser settings. */
export interface ParseSettings {
  /** Leave unknown options (and options that fail) in `args` instead of reporting them. */
  passThrough?: boolean;
  /** Keys of `%` options that keep every pair in order instead of a map (e.g. `add --set`). */
  pairLists?: string[];
}

const INTEGER_RE = /^[-+]?_*[0-9][0-9_]*$/;

const SPEC_RE = /^([\w?-]+(?:\|[\w?-]+)*)(!|\+|[=:][si][@%]?)?$/;

/** Parse a Getopt::Long option spec string. */
function parseSpec(spec: string): OptionSpec {
  const m = SPEC_RE.exec(spec);
  if (!m) throw new Error(`bad option spec ${spec}`);
  const names = m[1].split("|");
  const suffix = m[2] ?? "";
  let kind: OptionKind = "flag";
  let store: OptionStore = "scalar";
  let optional = false;
  if (suffix === "!") kind = "negatable";
  else if (suffix === "+") kind = "counter";
  else if (suffix) {
    optional = suffix[0] === ":";
    kind = suffix[1] === "i" ? "integer" : "string";
    if (suffix[2] === "@") store = "list";
    if (suffix[2] === "%") store = "hash";
  }
  return { key: names[0].replaceAll("-", "_"), names, kind, store, optional };
}

/** One name under which an option can be found. */
interface NameEntry {
  name: string;
  spec: OptionSpec;
  negated: boolean;
}

/** A compiled set of option specs, reusable across parses. */
export class OptionParser {
  readonly #specs: OptionSpec[];
  /** Long names (length > 1), lowercased, including `no`/`no-` forms. */
  readonly #long: NameEntry[] = [];
  /** Single-letter names, case-sensitive. */
  readonly #short = new Map<string, OptionSpec>();

  constructor(specs: string[]) {
    this.#specs = specs.map(parseSpec);
    for (const spec of this.#specs) {
      for (const name of spec.names) {
        if (name.length === 1) this.#short.set(name, spec);
        // Getopt::Long keeps single letters' case when bundling; long names are lowercased.
        const key = name.length === 1 ? name : name.toLowerCase();
        this.#long.push({ name: key, spec, negated: false });
        if (spec.kind === "negatable") {
          this.#long.push({ name: `no${key}`, spec, negated: true });
          this.#long.push({ name: `no-${key}`, spec, negated: true });
        }
      }
    }
    this.#long.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Find a long option by exact name or unambiguous prefix (`typed` already lowercased). */
  #findLong(typed: string): { entry?: NameEntry; error?: string } {
    const hits = this.#long.filter((e) => e.name.startsWith(typed));
    const exact = hits.filter((e) => e.name === typed);
    if (exact.length === 1) return { entry: exact[0] };
    if (hits.length === 0) return {};
    const distinct = new Set(hits.map((h) => `${h.negated ? "no" : ""}${h.spec.key}`));
    if (distinct.size > 1) {
      return {
        error: `Option ${typed} is ambiguous (${hits.map((h) => h.name).join(", ")})`,
      };
    }
    return { entry: hits[0] };
  }

  /** Parse `argv`; never throws for user errors (they come back in `errors`). */
  parse(argv: readonly string[], settings: ParseSettings = {}): ParseResult {
    const passThrough = settings.passThrough ?? false;
    const pairLists = new Set(settings.pairLists ?? []);
    const options: Record<string, OptionValue> = {};
    const args: string[] = [];
    const errors: string[] = [];
    const queue = [...argv];

    const store = (spec: OptionSpec, value: string | number | boolean, key?: string) => {
      switch (spec.store) {
        case "scalar":
          if (spec.kind === "counter") {
            options[spec.key] = ((options[spec.key] as number | undefined) ?? 0) + 1;
          } else options[spec.key] = value;
          return;
        case "list":
          ((options[spec.key] ??= []) as Array<string | number>).push(value as string | number);
          return;
        case "hash":
          if (pairLists.has(spec.key)) {
            ((options[spec.key] ??= []) as Array<[string, string]>).push([key!, String(value)]);
          } else {
            options[spec.key] ??= {} as Record<string, string>;
            (options[spec.key] as Record<string, string>)[key!] = String(value);
          }
      }
    };

    /**
     * Take the value for a value-taking option. `inline` is a value attached
     * to the option (`--x=v` or the rest of a bundle). Returns false on error.
     */
    const takeValue = (spec: OptionSpec, label: string, inline: string | undefined): boolean => {
      let raw: string | undefined;
      if (inline !== undefined) {
        if (inline !== "") raw = inline;
      } else if (queue.length > 0) {
        const next = queue[0];
        // A mandatory value takes anything; an optional one stops at options.
        if (!spec.optional || !(next === "--" || /^-./.test(next))) raw = queue.shift();
      }
      if (raw === undefined) {
        if (spec.optional && spec.store !== "hash") {
          store(spec, spec.kind === "integer" ? 0 : "");
          return true;
        }
        errors.push(`Option ${label} requires an argument`);
        return false;
      }
      let key: string | undefined;
      if (spec.store === "hash") {
        const eq = raw.indexOf("=");
        if (eq < 0) {
          errors.push(`Option ${label}, key "${raw}", requires a value`);
          return false;
        }
        key = raw.slice(0, eq);
        raw = raw.slice(eq + 1);
      }
      if (spec.kind === "integer") {
        if (!INTEGER_RE.test(raw)) {
          if (spec.optional && inline === undefined) {
            queue.unshift(raw);
            store(spec, 0, key);
            return true;
          }
          errors.push(`Value "${raw}" invalid for option ${label} (number expected)`);
          return false;
        }
        store(spec, Number.parseInt(raw.replaceAll("_", ""), 10), key);
      } else store(spec, raw, key);
      return true;
    };

    while (queue.length > 0) {
      const arg = queue.shift()!;
      if (arg === "--") {
        if (passThrough) args.push(arg, ...queue);
        else args.push(...queue);
        break;
      }
      if (arg.startsWith("--")) {
        const body = arg.slice(2);
        const eq = body.indexOf("=");
        const typed = eq >= 0 ? body.slice(0, eq) : body;
        const inline = eq >= 0 ? body.slice(eq + 1) : undefined;
        const found = this.#findLong(typed.toLowerCase());
        if (!found.entry) {
          if (passThrough) args.push(arg);
          else errors.push(found.error ?? `Unknown option: ${typed.toLowerCase()}`);
          continue;
        }
        const { spec, negated } = found.entry;
        const label = found.entry.name;
        if (spec.kind === "flag" || spec.kind === "negatable" || spec.kind === "counter") {
          if (inline !== undefined) {
            if (passThrough) args.push(arg);
            else errors.push(`Option ${label} does not take an argument`);
            continue;
          }
          store(spec, !negated);
          continue;
        }
        const before = errors.length;
        const saved = [...queue];
        if (!takeValue(spec, label, inline) && passThrough) {
          errors.length = before;
          queue.splice(0, queue.length, ...saved);
          args.push(arg);
        }
        continue;
      }
      if (arg.startsWith("-") && arg.length > 1) {
        // A bundle of single-letter options.
        let rest = arg.slice(1);
        while (rest.length > 0) {
          const letter = rest[0];
          rest = rest.slice(1);
          const spec = this.#short.get(letter);
          if (!spec) {
            if (passThrough) args.push(`-${letter}${rest}`);
            else errors.push(`Unknown option: ${letter}`);
            if (passThrough) rest = "";
            continue;
          }
          if (spec.kind === "flag" || spec.kind === "negatable" || spec.kind === "counter") {
            store(spec, true);
            continue;
          }
          if (spec.kind === "integer" && rest !== "") {
            // Getopt::Long lets an integer end mid-bundle: `-n2v` is `-n 2 -v`.
            const m = /^((?:[^=]+=)?)([-+]?_*[0-9][0-9_]*)(.*)$/s.exec(rest);
            if (m && (spec.store === "hash") === (m[1] !== "")) {
              store(spec, Number.parseInt(m[2].replaceAll("_", ""), 10), m[1].slice(0, -1));
              rest = m[3];
              continue;
            }
          }
          const before = errors.length;
          const saved = [...queue];
          if (!takeValue(spec, letter, rest === "" ? undefined : rest) && passThrough) {
            errors.length = before;
            queue.splice(0, queue.length, ...saved);
            args.push(`-${letter}${rest}`);
          }
          rest = "";
        }
        continue;
      }
      args.push(arg);
    }
    return { options, args, errors };
  }
}

/** Parse `argv` against option specs (see OptionParser). */
export function getOptions(
  specs: string[],
  argv: readonly string[],
  settings: ParseSettings = {},
): ParseResult {
  return new OptionParser(specs).parse(argv, settings);
}
