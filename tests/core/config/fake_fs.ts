/**
 * An in-memory FileSystem for config tests: files, directories and
 * symlinks under absolute POSIX paths, with failures like the real one.
 */
import { dirname, join, resolve } from "node:path";
import type { FileSystem, PathInfo } from "../../../core/host.ts";

/** A FileSystem kept in maps; paths must be absolute. */
export class FakeFs implements FileSystem {
  readonly files = new Map<string, string>();
  readonly dirs = new Set<string>(["/"]);
  readonly links = new Map<string, string>();
  /** Every path written through writeText/createExclusive, in order. */
  readonly writes: string[] = [];

  /** Create the given files (parent directories implied). */
  constructor(files: Record<string, string> = {}) {
    for (const [path, text] of Object.entries(files)) this.put(path, text);
  }

  /** Add a file, creating its parent directories. */
  put(path: string, text: string): this {
    this.mkdirp(dirname(path));
    this.files.set(path, text);
    return this;
  }

  /** Add a symlink `path` → `target`. */
  symlink(path: string, target: string): this {
    this.mkdirp(dirname(path));
    this.links.set(path, target);
    return this;
  }

  /** A file's text (no symlink following), for assertions. */
  text(path: string): string | undefined {
    return this.files.get(path);
  }

  /** Follow symlinks (in every component, up to 40) to the real path. */
  #real(path: string): string {
    const parts = resolve(path).split("/").filter(Boolean);
    let current = "/";
    let hops = 0;
    while (parts.length > 0) {
      const next = join(current, parts.shift()!);
      const link = this.links.get(next);
      if (link === undefined) {
        current = next;
        continue;
      }
      if (++hops > 40) throw new Error("Too many levels of symbolic links");
      parts.unshift(...resolve(current, link).split("/").filter(Boolean));
      current = "/";
    }
    return current;
  }

  readText(path: string): string | undefined {
    return this.files.get(this.#real(path));
  }

  readBytes(path: string): Uint8Array | undefined {
    const text = this.readText(path);
    return text === undefined ? undefined : new TextEncoder().encode(text);
  }

  writeText(path: string, text: string): void {
    const real = this.#real(path);
    if (!this.dirs.has(dirname(real))) throw new Error(`No such file or directory: ${path}`);
    this.files.set(real, text);
    this.writes.push(real);
  }

  writeBytes(path: string, bytes: Uint8Array): void {
    this.writeText(path, new TextDecoder().decode(bytes));
  }

  makeTempFile(): string {
    let n = 0;
    while (this.files.has(`/tmp/fake${n}`)) n++;
    this.mkdirp("/tmp");
    this.files.set(`/tmp/fake${n}`, "");
    return `/tmp/fake${n}`;
  }

  createExclusive(path: string, text: string): boolean {
    const real = this.#real(path);
    if (this.files.has(real) || this.dirs.has(real) || this.links.has(real)) return false;
    if (!this.dirs.has(dirname(real))) {
      throw new Error(`No such file or directory (os error 2): open '${path}'`);
    }
    this.files.set(real, text);
    this.writes.push(real);
    return true;
  }

  rename(from: string, to: string): void {
    const src = this.#real(from);
    const text = this.files.get(src);
    if (text === undefined) throw new Error(`No such file or directory: ${from}`);
    this.files.delete(src);
    this.files.set(resolve(to), text);
  }

  remove(path: string): void {
    this.files.delete(resolve(path));
    this.links.delete(resolve(path));
  }

  stat(path: string): PathInfo | undefined {
    const real = this.#real(path);
    if (this.files.has(real)) return { isFile: true, isDirectory: false };
    if (this.dirs.has(real)) return { isFile: false, isDirectory: true };
    return undefined;
  }

  readLink(path: string): string | undefined {
    return this.links.get(resolve(path));
  }

  mkdirp(path: string): void {
    let p = resolve(path);
    while (!this.dirs.has(p)) {
      if (this.files.has(p)) throw new Error(`File exists: ${p}`);
      this.dirs.add(p);
      p = dirname(p);
    }
  }

  readDir(path: string): string[] {
    const dir = this.#real(path);
    const names = new Set<string>();
    for (const p of [...this.files.keys(), ...this.dirs, ...this.links.keys()]) {
      if (p !== dir && dirname(p) === dir) names.add(p.slice(dir === "/" ? 1 : dir.length + 1));
    }
    return [...names].sort();
  }
}
