/**
 * Lazily imported modules (io/lazy_import.ts): each exists, and each lies
 * in a directory scripts/compile.ts embeds, since `deno compile` cannot
 * follow a computed specifier.
 */
import { ok } from "node:assert/strict";
import { isBuiltin } from "node:module";
import { fileURLToPath } from "node:url";
import { PROGRAM_DIRS } from "../../scripts/compile.ts";
import { importLazily } from "../../io/lazy_import.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** The `.ts` files of the program (main.ts and PROGRAM_DIRS), relative to the root. */
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

Deno.test("lazy imports: every target exists inside a directory deno compile embeds", () => {
  let found = 0;
  for (const file of programFiles()) {
    const text = Deno.readTextFileSync(`${root}${file}`);
    for (const [, path] of text.matchAll(LAZY_CALL)) {
      found++;
      if (path.startsWith("node:")) {
        // A Node built-in: part of every Deno runtime, nothing to embed.
        ok(isBuiltin(path), `${file}: ${path} is a Node built-in`);
        continue;
      }
      const target = fileURLToPath(new URL(path, `file://${root}${file}`)).slice(root.length);
      ok(Deno.statSync(`${root}${target}`).isFile, `${file}: ${path} exists`);
      ok(
        PROGRAM_DIRS.some((dir) => target.startsWith(`${dir}/`)),
        `${file}: ${target} is in a directory deno compile embeds (${PROGRAM_DIRS.join(", ")})`,
      );
    }
  }
  ok(found >= 25, `only ${found} lazy imports found`);
});

Deno.test("lazy imports: a module loads relative to the caller", async () => {
  const mod = await importLazily<typeof import("../../io/lazy_import.ts")>(
    "../../io/lazy_import.ts",
    import.meta.url,
  );
  ok(mod.importLazily === importLazily);
});
