/**
 * An in-memory ConfigReader for unit tests: built from a map of
 * `section[.subsection].name` keys to values (a list for multi-valued
 * keys, null for a bare key). Section and name are case-insensitive, the
 * subsection is case-sensitive, as in git-config.
 */
import type { ConfigReader, RawValue } from "../../core/config/reader.ts";
import { SqlitchError } from "../../core/errors.ts";

/** Split a key into section, subsection and name. */
function splitKey(key: string): { section: string; sub?: string; name: string } {
  const first = key.indexOf(".");
  const last = key.lastIndexOf(".");
  if (first < 0) return { section: key.toLowerCase(), name: "" };
  return {
    section: key.slice(0, first).toLowerCase(),
    sub: first === last ? undefined : key.slice(first + 1, last),
    name: key.slice(last + 1),
  };
}

/** The canonical form of a key: section and name lowercased, subsection kept. */
export function canonicalKey(key: string): string {
  const { section, sub, name } = splitKey(key);
  return sub === undefined
    ? `${section}.${name.toLowerCase()}`
    : `${section}.${sub}.${name.toLowerCase()}`;
}

/** A ConfigReader over a fixed map of values. */
export class FakeConfig implements ConfigReader {
  private readonly values = new Map<string, RawValue[]>();
  private readonly names = new Map<string, string>();
  readonly initialized: boolean;

  constructor(
    entries: Record<string, string | null | RawValue[]> = {},
    opts: { initialized?: boolean } = {},
  ) {
    for (const [key, value] of Object.entries(entries)) {
      const canon = canonicalKey(key);
      const list = Array.isArray(value) ? value : [value];
      this.values.set(canon, [...(this.values.get(canon) ?? []), ...list]);
      if (!this.names.has(canon)) this.names.set(canon, splitKey(key).name);
    }
    this.initialized = opts.initialized ?? true;
  }

  get(key: string): string | undefined {
    const all = this.getAll(key);
    if (all.length > 1) {
      throw new SqlitchError(`Multiple values found for ${key}`, { ident: "config" });
    }
    return all[0] ?? undefined;
  }

  getAll(key: string): RawValue[] {
    return [...(this.values.get(canonicalKey(key)) ?? [])];
  }

  getBool(key: string): boolean | undefined {
    const all = this.getAll(key);
    if (all.length === 0) return undefined;
    const v = all[all.length - 1];
    if (v === null) return true;
    const s = v.toLowerCase();
    if (["true", "yes", "on", "1"].includes(s)) return true;
    if (["false", "no", "off", "0", ""].includes(s)) return false;
    throw new SqlitchError(`Invalid bool ${v} for ${key}`, { ident: "config" });
  }

  getSection(section: string): Record<string, string> {
    const prefix = canonicalKey(`${section}.x`).slice(0, -1);
    const out: Record<string, string> = {};
    for (const [key, list] of this.values) {
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      if (rest.includes(".")) continue;
      const last = list[list.length - 1];
      if (last !== null && last !== undefined) out[this.names.get(key) ?? rest] = last;
    }
    return out;
  }

  keys(): string[] {
    return [...this.values.keys()].sort();
  }
}
