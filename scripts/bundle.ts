/**
 * The release bundle: the program, from io/release_entry.ts, bundled by
 * `deno bundle` into a directory of JavaScript chunks: one per lazily
 * imported module (io/lazy_modules.ts) and the chunks those share. The
 * release binaries are compiled from it (scripts/compile.ts) and the
 * benches run it (scripts/bench_runner.ts), so both load a few dozen
 * chunks of plain JavaScript where `deno run main.ts` loads one TypeScript
 * module per source file.
 *
 * Two rewrites follow the bundler:
 * - A chunk's dynamic import of another chunk becomes a computed one
 *   (`import(new URL("./x.js", import.meta.url).href)`), so `deno run`
 *   loads a command's or engine's chunks when the import runs, not every
 *   chunk before the program starts (io/lazy_import.ts says why). deno
 *   compile cannot follow those either, so it is given the whole directory.
 * - The npm drivers stay out of the bundle (`--external`): bundled, their
 *   CommonJS needs a `node:module` shim that every chunk would load. Their
 *   bare names are replaced by the `npm:` specifiers deno.json maps them to,
 *   since the bundle runs without deno.json.
 *
 *   deno task bundle [--out DIR]      (default: dist/bundle)
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import denoConfig from "../deno.json" with { type: "json" };

/** The program's entry point for bundling, from the repository root. */
export const BUNDLE_SOURCE = "io/release_entry.ts";

/** The entry chunk's file name in the bundle directory. */
export const BUNDLE_ENTRY = "release_entry.js";

/** The bare names deno.json maps to npm packages, with their specifiers. */
export function npmImports(imports: Readonly<Record<string, string>>): Record<string, string> {
  const npm: Record<string, string> = {};
  for (const [name, specifier] of Object.entries(imports)) {
    if (specifier.startsWith("npm:")) npm[name] = specifier;
  }
  return npm;
}

/** The `deno bundle` arguments that write the bundle into `outDir`. */
export function bundleArgs(outDir: string, npm: Readonly<Record<string, string>>): string[] {
  return [
    "bundle",
    "--frozen",
    "--code-splitting",
    "--platform",
    "deno",
    ...Object.keys(npm).flatMap((name) => ["--external", name]),
    "--outdir",
    outDir,
    BUNDLE_SOURCE,
  ];
}

/**
 * A chunk's text with the two rewrites (see the top comment): dynamic
 * imports of the bundle's own `chunks` made computed, and imports of the
 * bare names in `npm` given their specifiers. Nothing else is touched.
 */
export function rewriteChunk(
  text: string,
  chunks: ReadonlySet<string>,
  npm: Readonly<Record<string, string>>,
): string {
  return text
    .replace(
      /\bimport\("\.\/([^"/]+\.js)"\)/g,
      (whole, file: string) =>
        chunks.has(file) ? `import(new URL("./${file}", import.meta.url).href)` : whole,
    )
    .replace(
      /(\bfrom\s*|\bimport\s*\(\s*)"([^"]+)"/g,
      (whole, before: string, name: string) =>
        Object.hasOwn(npm, name) ? `${before}"${npm[name]}"` : whole,
    );
}

/** A failure of the bundle build, reported as one message, exit 2. */
export class BundleError extends Error {}

/**
 * Bundle the program into `outDir` (emptied first), rewrite its chunks and
 * return the entry chunk's path. `root` is the repository root.
 */
export async function bundleProgram(outDir: string, root: string): Promise<string> {
  const dir = resolve(root, outDir);
  await Deno.remove(dir, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  const npm = npmImports(denoConfig.imports);
  const out = await new Deno.Command(Deno.execPath(), {
    args: bundleArgs(dir, npm),
    cwd: root,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    throw new BundleError(`deno bundle failed:\n${text.trim()}`);
  }
  const chunks = new Set<string>();
  for (const entry of Deno.readDirSync(dir)) {
    if (entry.isFile && entry.name.endsWith(".js")) chunks.add(entry.name);
  }
  if (!chunks.has(BUNDLE_ENTRY)) throw new BundleError(`deno bundle wrote no ${BUNDLE_ENTRY}`);
  for (const chunk of chunks) {
    const path = `${dir}/${chunk}`;
    const text = await Deno.readTextFile(path);
    const rewritten = rewriteChunk(text, chunks, npm);
    if (rewritten !== text) await Deno.writeTextFile(path, rewritten);
  }
  return `${dir}/${BUNDLE_ENTRY}`;
}

if (import.meta.main) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  try {
    const { values } = parseArgs({
      args: Deno.args,
      options: { out: { type: "string", default: "dist/bundle" } },
      strict: true,
      allowPositionals: false,
    });
    const entry = await bundleProgram(resolve(values.out!), root);
    console.error(`Bundled sqlitch into ${entry}`);
  } catch (e) {
    if (!(e instanceof BundleError) && !(e instanceof TypeError)) throw e;
    console.error(e.message);
    Deno.exit(2);
  }
}
