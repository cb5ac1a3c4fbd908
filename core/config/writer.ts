/**
 * Reading a config file into a ConfigDocument and writing it back the way
 * Config::GitLike does: symlinks followed (up to 5 levels), the new text
 * written to `<file>.lock` (created exclusively) and renamed over the file,
 * the parent directory created first when missing.
 */
import { dirname, isAbsolute, resolve } from "../posix_path.ts";
import { SqlitchError, systemErrorText } from "../errors.ts";
import type { FileSystem } from "../host.ts";
import type { ConfigFileRef } from "./discovery.ts";
import { ConfigDocument } from "./document.ts";

/** How many symlinks are followed before writing. */
export const MAX_SYMLINK_DEPTH = 5;

/** Options for writing a config file. */
export interface WriteOptions {
  /** Create the parent directory when it is missing (default true). */
  createParentDir?: boolean;
}

/** Read a file (missing ⇒ an empty document that remembers it was missing). */
export function readConfigDocument(fs: FileSystem, file: ConfigFileRef): ConfigDocument {
  const raw = fs.stat(file.absolute)?.isFile ? fs.readText(file.absolute) : undefined;
  return new ConfigDocument(raw, { path: file.path, absolute: file.absolute });
}

/**
 * Write text to a config file through `<file>.lock`. A lock file that
 * already exists fails with `Can't open {file}.lock for writing: File exists`.
 */
export function writeConfigText(
  fs: FileSystem,
  file: ConfigFileRef,
  text: string,
  options: WriteOptions = {},
): void {
  let shown = file.path;
  let target = file.absolute;
  for (let i = 0; i < MAX_SYMLINK_DEPTH; i++) {
    const link = fs.readLink(target);
    if (link === undefined) break;
    target = isAbsolute(link) ? link : resolve(dirname(target), link);
    shown = target;
  }
  if ((options.createParentDir ?? true) && !fs.stat(dirname(target))) {
    try {
      fs.mkdirp(dirname(target));
    } catch (e) {
      throw new SqlitchError(`Cannot create directory ${dirname(shown)}: ${systemErrorText(e)}`, {
        ident: "config",
      });
    }
  }
  const lock = `${target}.lock`;
  let created: boolean;
  try {
    created = fs.createExclusive(lock, text);
  } catch (e) {
    throw new SqlitchError(`Can't open ${shown}.lock for writing: ${systemErrorText(e)}`, {
      ident: "config",
      trailingBlankLine: true,
    });
  }
  if (!created) {
    throw new SqlitchError(`Can't open ${shown}.lock for writing: File exists`, {
      ident: "config",
      trailingBlankLine: true,
    });
  }
  try {
    fs.rename(lock, target);
  } catch (e) {
    fs.remove(lock);
    throw new SqlitchError(`Can't rename ${shown}.lock to ${shown}: ${systemErrorText(e)}`, {
      ident: "config",
      trailingBlankLine: true,
    });
  }
}

/** Write a document back (with the file's original line ends). */
export function writeConfigDocument(
  fs: FileSystem,
  file: ConfigFileRef,
  doc: ConfigDocument,
  options: WriteOptions = {},
): void {
  writeConfigText(fs, file, doc.toString(), options);
}

/**
 * Read a file, apply `edit` to it, and write it back if anything was
 * changed. Errors thrown by `edit` leave the file untouched.
 */
export function editConfigFile(
  fs: FileSystem,
  file: ConfigFileRef,
  edit: (doc: ConfigDocument) => void,
  options: WriteOptions = {},
): ConfigDocument {
  const doc = readConfigDocument(fs, file);
  edit(doc);
  if (doc.dirty) writeConfigDocument(fs, file, doc, options);
  return doc;
}
