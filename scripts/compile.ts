/**
 * Release build: `deno compile` of main.ts into one self-contained binary
 * per platform, with the version stamped from deno.json.
 *
 * `deno compile` needs the `denort` runtime for each target, which it
 * normally downloads. Set DENORT_BIN to a local denort binary (for the host
 * target) when the download host cannot be reached; without either, the
 * build stops with a clear message.
 *
 *   deno task compile [--target x86_64-unknown-linux-gnu] [--out dist]
 */
import { parseArgs } from "node:util";
import denoConfig from "../deno.json" with { type: "json" };

/** The platforms sqlitch is released for. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

/** The deno compile arguments for one target. */
export function compileArgs(target: string, outDir: string): string[] {
  const exe = target.includes("windows") ? ".exe" : "";
  return [
    "compile",
    "--allow-all",
    "--no-check",
    "--target",
    target,
    "--include",
    "templates/",
    "--output",
    `${outDir}/sqlitch-${denoConfig.version}-${target}${exe}`,
    "main.ts",
  ];
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      target: { type: "string", multiple: true },
      out: { type: "string", default: "dist" },
    },
  });
  const targets = values.target?.length ? values.target : TARGETS;
  const denort = Deno.env.get("DENORT_BIN");
  if (denort) {
    try {
      Deno.statSync(denort);
    } catch {
      console.error(`DENORT_BIN=${denort} does not exist`);
      Deno.exit(2);
    }
  }
  const root = new URL("..", import.meta.url).pathname;
  for (const target of targets) {
    console.error(`Compiling sqlitch ${denoConfig.version} for ${target}`);
    const out = await new Deno.Command(Deno.execPath(), {
      args: compileArgs(target, values.out!),
      cwd: root,
      env: denort ? { DENORT_BIN: denort } : {},
      stderr: "piped",
    }).output();
    if (!out.success) {
      const text = new TextDecoder().decode(out.stderr);
      if (!denort && /denort|download|dl\.deno\.land|network|dns|connect/i.test(text)) {
        console.error(
          `Cannot compile for ${target}: deno compile needs the denort runtime and could not ` +
            "download it. Set DENORT_BIN to a denort binary for this target.",
        );
      } else console.error(text.trim());
      Deno.exit(2);
    }
  }
}
