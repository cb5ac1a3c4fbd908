/**
 * Dynamic imports that Deno resolves only when they run. `deno run` loads
 * every module a literal `import("./x.ts")` names, and everything those
 * import, before the program starts (to build its module graph); for
 * sqlitch's commands and engines that costs more than a `status` does. A
 * computed specifier is loaded when the import runs, and only then.
 *
 * Modules are named by their path from the repository root
 * (`engines/sqlite.ts`), so a name means the same module wherever the
 * caller sits, in the sources and in the release bundle alike. The release
 * bundle (io/release_entry.ts, built by scripts/bundle.ts) cannot follow a
 * computed specifier either: it registers a literal loader for every such
 * module (io/lazy_modules.ts), and those are used instead.
 */

/** A module's loader: a literal dynamic import. */
export type ModuleLoader = () => Promise<unknown>;

/** The bundle's loaders by module name, once registered. */
let bundled: Readonly<Record<string, ModuleLoader>> | undefined;

/** Use these loaders from now on (the release bundle's entry calls this first). */
export function useBundledModules(loaders: Readonly<Record<string, ModuleLoader>>): void {
  bundled = loaders;
}

/**
 * Import `name`: a path from the repository root (`commands/status.ts`) or
 * a Node built-in (`node:dns/promises`), resolved at run time.
 */
export function importLazily<T>(name: string): Promise<T> {
  if (name.startsWith("node:")) return import(name);
  if (bundled) {
    const load = bundled[name];
    if (!load) return Promise.reject(new Error(`${name} is not in the release bundle`));
    return load() as Promise<T>;
  }
  return import(new URL(`../${name}`, import.meta.url).href);
}
