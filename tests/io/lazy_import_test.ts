/**
 * Lazily imported modules (io/lazy_import.ts): each name is a module of
 * the program, and the release bundle's table (io/lazy_modules.ts) has a
 * loader for exactly the modules the program imports lazily, each loading
 * the module it is named after.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { isBuiltin } from "node:module";
import { fileURLToPath } from "node:url";
import { importLazily } from "../../io/lazy_import.ts";
import { LAZY_MODULES } from "../../io/lazy_modules.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** The directories holding the program's modules (besides main.ts). */
const PROGRAM_DIRS = ["commands", "core", "engines", "io", "templates"];

/** The `.ts` files of the program, relative to the root. */
function programFiles(): string[] {
  const files = ["main.ts"];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(`${root}${dir}`)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) walk(path);
      else if (entry.name.endsWith(".ts")) files.push(path);
    }
  };
  for (const dir of PROGRAM_DIRS) walk(dir);
  return files;
}

/** `importLazily(...)` and main.ts's `lazy(...)` calls: their first argument. */
const LAZY_CALL = /\b(?:importLazily(?:<[^>]*>)?|lazy)\(\s*"([^"]+)"/g;

/** Every module name the program imports lazily (Node built-ins apart). */
function lazyNames(): Set<string> {
  const names = new Set<string>();
  for (const file of programFiles()) {
    const text = Deno.readTextFileSync(`${root}${file}`);
    for (const [, name] of text.matchAll(LAZY_CALL)) {
      if (name.startsWith("node:")) {
        // A Node built-in: part of every Deno runtime, nothing to bundle.
        ok(isBuiltin(name), `${file}: ${name} is a Node built-in`);
      } else {
        names.add(name);
      }
    }
  }
  return names;
}

Deno.test("lazy imports: every name is a module of the program, from the root", () => {
  const names = lazyNames();
  ok(names.size >= 25, `only ${names.size} lazily imported modules found`);
  for (const name of names) {
    ok(!name.startsWith("."), `${name} is named from the repository root`);
    ok(Deno.statSync(`${root}${name}`).isFile, `${name} exists`);
  }
});

Deno.test("lazy imports: the release bundle has a loader for exactly those modules", () => {
  deepStrictEqual(Object.keys(LAZY_MODULES).sort(), [...lazyNames()].sort());
  // Each loader imports the module it is named after.
  const source = Deno.readTextFileSync(`${root}io/lazy_modules.ts`);
  for (const name of Object.keys(LAZY_MODULES)) {
    ok(source.includes(`"${name}": () => import("../${name}"),`), `${name}'s loader`);
  }
});

Deno.test("lazy imports: a module loads by its name from the root", async () => {
  const mod = await importLazily<typeof import("../../io/lazy_import.ts")>("io/lazy_import.ts");
  strictEqual(mod.importLazily, importLazily);
  const dns = await importLazily<typeof import("node:dns/promises")>("node:dns/promises");
  strictEqual(typeof dns.lookup, "function");
});

Deno.test("lazy imports: with the bundle's loaders, those are used, and only those", async () => {
  // In a worker of its own: useBundledModules holds for the rest of the run.
  const marker = { bundled: true };
  const worker = new Worker(
    `data:application/javascript,${
      encodeURIComponent(`
      const { importLazily, useBundledModules } = await import(${
        JSON.stringify(new URL("../../io/lazy_import.ts", import.meta.url).href)
      });
      useBundledModules({ "commands/x.ts": () => Promise.resolve(${JSON.stringify(marker)}) });
      const got = await importLazily("commands/x.ts");
      const missing = await importLazily("commands/y.ts").then(() => "loaded", (e) => e.message);
      self.postMessage({ got, missing });
    `)
    }`,
    { type: "module" },
  );
  try {
    const result = await new Promise((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(e.message));
    });
    deepStrictEqual(result, {
      got: marker,
      missing: "commands/y.ts is not in the release bundle",
    });
  } finally {
    worker.terminate();
  }
});
