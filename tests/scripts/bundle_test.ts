/**
 * Tests of scripts/bundle.ts: the bundler's arguments, the two rewrites of
 * its chunks, and the bundle itself, built from the sources and run: the
 * smoke suite (tests/smoke/smoke_test.ts) against it, an npm driver
 * loaded from it, and no command's chunk loaded before the program starts.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import denoConfig from "../../deno.json" with { type: "json" };
import {
  BUNDLE_ENTRY,
  bundleArgs,
  bundleProgram,
  npmImports,
  rewriteChunk,
} from "../../scripts/bundle.ts";
import { V8_FLAGS } from "../../scripts/compile.ts";
import { denoDir, launcher, runSmokeSuite } from "../smoke/programs.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const dec = new TextDecoder();

Deno.test("npmImports: deno.json's npm packages by their bare names", () => {
  deepStrictEqual(
    npmImports({ pg: "npm:pg@8.16.3", std: "https://example.com/std/", mysql2: "npm:mysql2@3" }),
    { pg: "npm:pg@8.16.3", mysql2: "npm:mysql2@3" },
  );
  strictEqual(npmImports(denoConfig.imports).pg, denoConfig.imports.pg);
});

Deno.test("bundleArgs: code splitting from the release entry, npm packages left out", () => {
  deepStrictEqual(bundleArgs("/out", { pg: "npm:pg@1", mysql2: "npm:mysql2@2" }), [
    "bundle",
    "--frozen",
    "--code-splitting",
    "--platform",
    "deno",
    "--external",
    "pg",
    "--external",
    "mysql2",
    "--outdir",
    "/out",
    "io/release_entry.ts",
  ]);
});

Deno.test("rewriteChunk: chunk imports computed, npm names given their specifiers", () => {
  const chunks = new Set(["status-AB12.js", "chunk-CD34.js"]);
  const npm = { pg: "npm:pg@8.16.3" };
  strictEqual(
    rewriteChunk(
      [
        'import { a } from "./chunk-CD34.js";',
        'var s = () => import("./status-AB12.js");',
        'var o = () => import("./other.js");',
        'var p = await import("pg");',
        'import pg from "pg";',
        'import x from "pgx";',
        'var text = "import(\\"pg\\") from pg";',
      ].join("\n"),
      chunks,
      npm,
    ),
    [
      'import { a } from "./chunk-CD34.js";',
      'var s = () => import(new URL("./status-AB12.js", import.meta.url).href);',
      'var o = () => import("./other.js");',
      'var p = await import("npm:pg@8.16.3");',
      'import pg from "npm:pg@8.16.3";',
      'import x from "pgx";',
      'var text = "import(\\"pg\\") from pg";',
    ].join("\n"),
  );
});

Deno.test("the bundle runs: smoke suite, an npm driver, commands' chunks loaded when used", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "sqlitch-bundle-" }));
  try {
    const entry = await bundleProgram(`${dir}/bundle`, ROOT);
    strictEqual(entry, `${dir}/bundle/${BUNDLE_ENTRY}`);
    const chunks = [...Deno.readDirSync(`${dir}/bundle`)].map((e) => e.name);
    for (const chunk of chunks) {
      const text = await Deno.readTextFile(`${dir}/bundle/${chunk}`);
      ok(!/\bimport\("\.\//.test(text), `${chunk}: no literal import of a chunk`);
      ok(!/\bimport\("(?:pg|mysql2)"\)/.test(text), `${chunk}: npm drivers by specifier`);
    }
    const bin = `${dir}/sqlitch`;
    await Deno.writeTextFile(
      bin,
      launcher(
        [
          Deno.execPath(),
          "run",
          "--allow-all",
          "--no-lock",
          "--quiet",
          `--v8-flags=${V8_FLAGS.join(",")}`,
          entry,
        ],
        { DENO_DIR: denoDir(), DENO_NO_UPDATE_CHECK: "1" },
      ),
    );
    await Deno.chmod(bin, 0o755);

    await runSmokeSuite(bin);

    // A compressed MySQL connection loads the mysql2 driver, which then fails to connect.
    const mysql = await new Deno.Command(bin, {
      args: ["status", "db:mysql://smoke@127.0.0.1:9/none?mysql_compression=1"],
      cwd: dir,
      env: { HOME: dir },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    strictEqual(mysql.code, 2);
    ok(/^Can't connect to server on '127\.0\.0\.1' \(\d+\)\n$/.test(dec.decode(mysql.stderr)));

    // What the entry loads before it runs: its static imports, and theirs; no command's
    // or engine's chunk is among them (those are loaded by computed imports when used).
    const loaded = new Set<string>();
    const visit = async (chunk: string) => {
      if (loaded.has(chunk)) return;
      loaded.add(chunk);
      const text = await Deno.readTextFile(`${dir}/bundle/${chunk}`);
      for (const [, dep] of text.matchAll(/\bfrom\s*"\.\/([^"]+)"/g)) await visit(dep);
    };
    await visit(BUNDLE_ENTRY);
    ok(
      ![...loaded].some((f) => /^(main|status|deploy|sqlite|pg|mysql)-/.test(f)),
      [...loaded].join(" "),
    );
    ok(chunks.some((f) => f.startsWith("status-")) && chunks.some((f) => f.startsWith("pg-")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
