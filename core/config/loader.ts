/**
 * Loading config files into a ConfigData: read through the FileSystem,
 * normalise, parse, define every variable, and follow `include.path`
 * (relative to the including file, `~` expanded, missing files skipped,
 * at most 10 levels deep).
 */
import { dirname, resolve } from "../posix_path.ts";
import { SqlitchError } from "../errors.ts";
import type { FileSystem } from "../host.ts";
import type { ConfigData } from "./data.ts";
import { normalizeText, parseConfigText } from "./parser.ts";

/** The key whose values name files to include. */
export const INCLUDE_KEY = "include.path";

/** How deep includes may nest before loading fails. */
export const MAX_INCLUDE_DEPTH = 10;

/** What loading needs from the caller. */
export interface LoadContext {
  fs: FileSystem;
  /** The home directory for `~` (Perl substitutes "" when it is unknown). */
  home: string | undefined;
  /** Absolute paths already loaded (top-level files are loaded only once). */
  loaded: string[];
}

/** Expand a leading `~` with the home directory, as Config::GitLike does. */
export function expandHome(path: string, home: string | undefined): string {
  return path.startsWith("~") ? (home ?? "") + path.slice(1) : path;
}

/**
 * Load one file into `data`. `path` may be relative to `relativeTo` and
 * start with `~`. Returns false when the file does not exist or cannot be
 * read (silently skipped). Parse errors throw a SqlitchError naming the
 * absolute path.
 */
export function loadConfigFile(
  data: ConfigData,
  path: string,
  relativeTo: string,
  ctx: LoadContext,
  depth = 0,
  force = false,
): boolean {
  const file = resolve(relativeTo, expandHome(path, ctx.home));
  if (!force && ctx.loaded.includes(file)) return true;
  const raw = ctx.fs.stat(file)?.isFile ? ctx.fs.readText(file) : undefined;
  if (raw === undefined) return false;
  ctx.loaded.push(file);
  data.setMultiple(INCLUDE_KEY);
  const { text } = normalizeText(raw);
  for (const event of parseConfigText(text, file)) {
    if (event.type !== "variable") continue;
    data.define(event.section, event.name, event.value, file);
    if (event.section !== "include" || event.name.toLowerCase() !== "path") continue;
    if (depth > MAX_INCLUDE_DEPTH) {
      throw new SqlitchError(
        `Exceeded maximum include depth (${MAX_INCLUDE_DEPTH}) while including ${
          event.value ?? ""
        } from ${file}`,
        { ident: "config" },
      );
    }
    if (event.value === null || event.value === "") continue;
    loadConfigFile(data, event.value, dirname(file), ctx, depth + 1, true);
  }
  return true;
}
