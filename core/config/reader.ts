/**
 * The read side of the merged configuration, as the rest of sqlitch sees
 * it. Keys are `section[.subsection].name`; section and name are
 * case-insensitive, the subsection is case-sensitive (git-config rules).
 */

/** A value as read: a string, or null for a bare `key` line with no `=`. */
export type RawValue = string | null;

/** Read access to the merged (system < user < local) configuration. */
export interface ConfigReader {
  /**
   * The single value of a key; undefined when absent or bare. Throws a
   * SqlitchError when the key has several values.
   */
  get(key: string): string | undefined;
  /** Every value of a key in file order (bare keys as null); [] when absent. */
  getAll(key: string): RawValue[];
  /** A boolean setting cast with git-config rules; undefined when absent. Throws "Invalid bool". */
  getBool(key: string): boolean | undefined;
  /**
   * The plain variables directly under a section (e.g. "core.variables" or
   * "target.prod"), keyed by their name as first written (case kept), each
   * with its last value. Sub-subsections are not included.
   */
  getSection(section: string): Record<string, string>;
  /** Every canonical key present, in sorted order. */
  keys(): string[];
  /** True when a local (project) config file was found and loaded. */
  readonly initialized: boolean;
}
