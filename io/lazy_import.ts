/**
 * Dynamic imports that Deno resolves only when they run. `deno run` loads
 * every module a literal `import("./x.ts")` names, and everything those
 * import, before the program starts (to build its module graph); for
 * sqlitch's commands and engines that costs more than a `status` does. A
 * computed specifier is loaded when the import runs, and only then.
 *
 * `deno compile` cannot see these imports: scripts/compile.ts includes the
 * program's modules as roots of their own (tests/scripts/compile_test.ts
 * checks every lazily imported module is among them).
 */

/** `import(path)`, relative to `base` (the caller's `import.meta.url`), resolved at run time. */
export function importLazily<T>(path: string, base: string): Promise<T> {
  return import(new URL(path, base).href);
}
