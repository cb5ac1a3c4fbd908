/**
 * The in-memory key/value store one or more config files are loaded into,
 * with Config::GitLike's merge rule: a key defined again in the same file
 * accumulates values, a key defined in a later file replaces them. Also
 * the value-regex filters and the `key=value` rendering `sqitch config`
 * uses for `--get-regexp` and `--list`.
 */
import { compareCodePoints, perlLc, perlRegex } from "./perl.ts";
import type { RawValue } from "./reader.ts";

/** One key of a loaded configuration. */
export interface ConfigEntry {
  /** Canonical key: lowercase section and name, subsection as written. */
  key: string;
  /** Every value in file order (null for a bare key). */
  values: RawValue[];
  /** Whether Sqitch treats the key as multi-valued (`--list` shows `[a, b]`). */
  multiple: boolean;
  /** Absolute path of the file the values come from. */
  origin: string;
  /** The key as first written in that file (`section.Name`, section canonical). */
  spelling: string;
}

/** Loaded configuration data. */
export class ConfigData {
  readonly #entries = new Map<string, ConfigEntry>();
  readonly #multiple = new Map<string, boolean>();

  /** Mark a canonical key as multi-valued (or not). */
  setMultiple(key: string, multiple = true): void {
    this.#multiple.set(key, multiple);
  }

  /** Whether a canonical key is marked multi-valued. */
  isMultiple(key: string): boolean {
    return this.#multiple.get(key) ?? false;
  }

  /**
   * Record one definition read from `origin`: `section` canonical, `name`
   * as written. Values accumulate within one file and replace across files.
   */
  define(section: string, name: string, value: RawValue, origin: string): void {
    const key = `${section}.${perlLc(name)}`;
    const spelling = `${section}.${name}`;
    const entry = this.#entries.get(key);
    if (entry && entry.origin === origin) {
      if (!this.isMultiple(key)) this.setMultiple(key);
      entry.values.push(value);
    } else {
      // New key, or one defined by an earlier file: start over.
      if (entry && this.isMultiple(key)) this.setMultiple(key, false);
      this.#entries.set(key, { key, values: [value], multiple: false, origin, spelling });
    }
  }

  /** The entry for a canonical key, if defined. */
  entry(key: string): ConfigEntry | undefined {
    const e = this.#entries.get(key);
    return e && { ...e, values: [...e.values], multiple: this.isMultiple(key) };
  }

  /** Every entry, sorted by canonical key (code-point order, as Perl sorts). */
  entries(): ConfigEntry[] {
    return [...this.#entries.keys()].sort(compareCodePoints).map((k) => this.entry(k)!);
  }

  /** True when nothing was loaded. */
  get size(): number {
    return this.#entries.size;
  }

  /** The values of a canonical key, filtered by a value regex (read rules). */
  values(key: string, filter?: string): RawValue[] {
    return filterValues(this.#entries.get(key)?.values ?? [], filter);
  }

  /**
   * Entries whose canonical key matches a Perl regex (case-insensitive;
   * empty matches all), with values filtered by `filter`; entries left
   * without values are dropped. Sorted by key.
   */
  matching(keyPattern: string, filter?: string): ConfigEntry[] {
    const re = perlRegex(keyPattern === "" ? "." : keyPattern);
    const out: ConfigEntry[] = [];
    for (const e of this.entries()) {
      if (!re.test(e.key)) continue;
      const values = filterValues(e.values, filter);
      if (values.length > 0) out.push({ ...e, values });
    }
    return out;
  }
}

/**
 * Apply a value regex as reads do: empty = no filter, `!` alone matches
 * nothing, `!re` keeps bare values and values not matching, `re` keeps
 * defined values matching (case-insensitive Perl regex).
 */
export function filterValues(values: RawValue[], filter?: string): RawValue[] {
  if (filter === undefined || filter === "") return [...values];
  if (filter === "!") return [];
  if (filter.startsWith("!")) {
    const re = perlRegex(filter.slice(1));
    return values.filter((v) => v === null || !re.test(v));
  }
  const re = perlRegex(filter);
  return values.filter((v) => v !== null && re.test(v));
}

/**
 * Render a key the way `--list` and `--get-regexp` print it: `key` for a
 * bare single value, `key=value`, or `key=[v1, v2]` when multi-valued.
 */
export function formatEntry(key: string, values: RawValue[], multiple: boolean): string {
  if (multiple || values.length > 1) {
    return `${key}=[${values.map((v) => v ?? "").join(", ")}]`;
  }
  const value = values[0];
  return value === null || value === undefined ? key : `${key}=${value}`;
}

/**
 * The whole dump as `sqitch config --list` prints it: one `formatEntry`
 * line per key plus a newline each ("" when empty).
 */
export function dumpEntries(entries: ConfigEntry[]): string {
  return entries.map((e) => formatEntry(e.key, e.values, e.multiple) + "\n").join("");
}
