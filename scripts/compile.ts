/**
 * Release build: `deno compile` of main.ts into one self-contained binary per
 * platform, named `sqlitch-<version>-<target>[.exe]`, plus a `SHA256SUMS`
 * file covering every release binary in the output directory.
 *
 * Everything the program reads at run time is in its module graph, so the
 * binary needs no file of this repository and no network: the default
 * templates are a module (templates/defaults.ts), the version comes from
 * deno.json through a JSON import in main.ts (so `--version` prints what
 * deno.json says), and the npm drivers (pg, mysql2) are imported with
 * literal specifiers, which `deno compile` follows and embeds.
 *
 * The binary is compiled from the release bundle (scripts/bundle.ts), built
 * first into `<out>/.bundle` (removed afterwards): a few dozen JavaScript chunks instead of one
 * TypeScript module per source file. Its chunks import each other with
 * computed specifiers, which `deno compile` cannot follow, so the bundle
 * directory is included whole.
 *
 * `deno compile` needs the Deno runtime (`denort`) of each target, which it
 * downloads unless DENORT_BIN names a local one. DENORT_BIN is one runtime for
 * one platform: with it, only that platform is built (the host's when no
 * --target is given), and the runtime's platform is checked first. Without
 * either, the build stops with a message that says so.
 *
 *   deno task compile [--target TARGET]... [--out dist] [--tag vX.Y.Z]
 *   deno task compile --sums-only [--out dist]
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import denoConfig from "../deno.json" with { type: "json" };
import { BUNDLE_ENTRY, BundleError, bundleProgram } from "./bundle.ts";

/** The platforms sqlitch is released for (Deno's target triples). */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** One of {@link TARGETS}. */
export type Target = typeof TARGETS[number];

/** The version every binary is stamped with: deno.json's `version`. */
export const VERSION: string = denoConfig.version;

/** The release file name of the binary for one target. */
export function binaryName(version: string, target: string): string {
  return `sqlitch-${version}-${target}${target.includes("windows") ? ".exe" : ""}`;
}

/** The name of the checksum file written next to the binaries. */
export const SUMS_FILE = "SHA256SUMS";

/** A failure of the build that is reported as one message, exit 2. */
export class CompileError extends Error {}

/**
 * V8 settings built into the binary.
 * - `--min-semi-space-size=16`: a command allocates a few megabytes (a
 *   1,000-change plan and its IDs, say) and exits. With V8's default 1 MB
 *   young generation that is four or five scavenges, each copying every
 *   plan object still alive (about a tenth of a `status`); a 16 MB young
 *   generation lets such a command finish without one. Memory is committed
 *   only as it is used.
 * - `--no-lazy`: every function of a module is compiled with the module,
 *   so the code cache Deno writes on the first run holds them all. By
 *   default a function is compiled on its first call, on every run, which
 *   for the few hundred functions a `status` calls cost more than reading
 *   the larger cache does. The first run after an install pays once.
 * The code cache is only valid for the flags it was written with: the
 * benches run the binary's program with these same flags.
 */
export const V8_FLAGS: readonly string[] = ["--min-semi-space-size=16", "--no-lazy"];

/**
 * The `deno compile` arguments for one target, from the bundle in
 * `bundleDir`. `--frozen` builds exactly the npm versions deno.lock
 * records; `--exclude-unused-npm` embeds only the npm packages the program
 * imports (not test-only ones such as yaml); `--v8-flags` builds in
 * V8_FLAGS; `--include` adds every chunk of the bundle (see the top comment).
 */
export function compileArgs(
  target: string,
  outDir: string,
  bundleDir: string,
  version = VERSION,
): string[] {
  return [
    "compile",
    "--allow-all",
    "--no-check",
    "--frozen",
    "--exclude-unused-npm",
    `--v8-flags=${V8_FLAGS.join(",")}`,
    "--include",
    bundleDir,
    "--target",
    target,
    "--output",
    `${outDir}/${binaryName(version, target)}`,
    `${bundleDir}/${BUNDLE_ENTRY}`,
  ];
}

/** What one run of the script does. */
export interface CompilePlan {
  /** Targets to build, in order (empty with sumsOnly). */
  targets: Target[];
  /** Directory the binaries and SHA256SUMS go to (relative: to the current directory). */
  outDir: string;
  /** Only (re)write SHA256SUMS for the binaries already in outDir. */
  sumsOnly: boolean;
  /** The local runtime to build with (DENORT_BIN), if any. */
  denort?: string;
}

/**
 * Reads the command line and environment into a plan. `host` is the
 * target of the running Deno (Deno.build.target), used when DENORT_BIN is
 * set without --target. Throws CompileError on a bad request.
 */
export function planCompile(
  argv: string[],
  env: { DENORT_BIN?: string },
  host: string,
  version = VERSION,
): CompilePlan {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        target: { type: "string", multiple: true },
        out: { type: "string", default: "dist" },
        tag: { type: "string" },
        "sums-only": { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new CompileError(`${(e as Error).message}\n${USAGE}`);
  }
  if (values.tag !== undefined && values.tag !== `v${version}`) {
    throw new CompileError(
      `Tag ${values.tag} does not match the version in deno.json (${version}): ` +
        `expected v${version}`,
    );
  }
  const outDir = values.out!.replace(/\/+$/, "") || ".";
  if (values["sums-only"]) {
    if (values.target?.length) throw new CompileError("--sums-only builds nothing: drop --target");
    return { targets: [], outDir, sumsOnly: true };
  }
  const requested = values.target ?? [];
  for (const t of requested) {
    if (!(TARGETS as readonly string[]).includes(t)) {
      throw new CompileError(`Unknown target "${t}"; sqlitch is built for: ${TARGETS.join(", ")}`);
    }
  }
  const denort = env.DENORT_BIN || undefined;
  let targets = [...new Set(requested)] as Target[];
  if (denort) {
    if (targets.length === 0) {
      if (!(TARGETS as readonly string[]).includes(host)) {
        throw new CompileError(
          `DENORT_BIN is set and this machine (${host}) is not a release target: ` +
            "name the runtime's target with --target",
        );
      }
      targets = [host as Target];
    } else if (targets.length > 1) {
      throw new CompileError(
        `DENORT_BIN names one runtime, for one platform; build one --target at a time ` +
          `(asked for ${targets.join(", ")})`,
      );
    }
  } else if (targets.length === 0) {
    targets = [...TARGETS];
  }
  return { targets, outDir, sumsOnly: false, denort };
}

/** How to call the script. */
export const USAGE =
  "Usage: deno task compile [--target TARGET]... [--out DIR] [--tag vVERSION] | --sums-only [--out DIR]";

/**
 * The target an executable was built for, read from its header (ELF,
 * Mach-O or PE), or undefined when it cannot be told (e.g. a universal
 * Mach-O). Throws CompileError for a file that is no executable at all.
 */
export function executableTarget(head: Uint8Array, path: string): string | undefined {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const has = (n: number) => head.byteLength >= n;
  if (has(4) && head[0] === 0x50 && head[1] === 0x4b && head[2] === 3 && head[3] === 4) {
    throw new CompileError(
      `DENORT_BIN=${path} is a zip archive: unzip it and point DENORT_BIN at the denort executable inside`,
    );
  }
  if (has(20) && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) {
    const machine = view.getUint16(18, head[5] !== 2);
    if (machine === 0x3e) return "x86_64-unknown-linux-gnu";
    if (machine === 0xb7) return "aarch64-unknown-linux-gnu";
    return `linux (ELF machine 0x${machine.toString(16)})`;
  }
  if (has(8) && view.getUint32(0, true) === 0xfeedfacf) {
    const cpu = view.getUint32(4, true);
    if (cpu === 0x01000007) return "x86_64-apple-darwin";
    if (cpu === 0x0100000c) return "aarch64-apple-darwin";
    return `macOS (CPU type 0x${cpu.toString(16)})`;
  }
  if (has(4) && view.getUint32(0, false) === 0xcafebabe) return undefined;
  if (has(0x40) && head[0] === 0x4d && head[1] === 0x5a) {
    const pe = view.getUint32(0x3c, true);
    if (has(pe + 6) && view.getUint32(pe, false) === 0x50450000) {
      const machine = view.getUint16(pe + 4, true);
      if (machine === 0x8664) return "x86_64-pc-windows-msvc";
      if (machine === 0xaa64) return "aarch64-pc-windows-msvc";
      return `windows (PE machine 0x${machine.toString(16)})`;
    }
  }
  throw new CompileError(`DENORT_BIN=${path} is not an executable (no ELF, Mach-O or PE header)`);
}

/** Checks that DENORT_BIN exists and is a runtime for `target`. */
export function checkRuntime(path: string, target: string): void {
  let head: Uint8Array;
  try {
    const file = Deno.openSync(path, { read: true });
    try {
      head = new Uint8Array(4096);
      const n = file.readSync(head) ?? 0;
      head = head.subarray(0, n);
    } finally {
      file.close();
    }
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "No such file" : (e as Error).message;
    throw new CompileError(`Cannot read DENORT_BIN=${path}: ${why}`);
  }
  const found = executableTarget(head, path);
  if (found !== undefined && found !== target) {
    throw new CompileError(
      `DENORT_BIN=${path} is a runtime for ${found}, not for ${target}: ` +
        `use a denort built for ${target}, or --target ${found.split(" ")[0]}`,
    );
  }
}

/**
 * The message for a `deno compile` that failed because the runtime could
 * not be had, or undefined when its error output says something else.
 */
export function missingRuntimeMessage(target: string, stderr: string): string | undefined {
  // deno compile wraps the download in "Setting up base binary."; the URL
  // names denort-<target>.zip.
  // deno-lint-ignore no-control-regex
  const text = stderr.replace(/\x1b\[[0-9;]*m/g, "");
  if (!/Setting up base binary|denort-[\w-]+\.zip/.test(text)) return undefined;
  // The root cause is the last numbered line of the "Caused by:" block.
  const block = text.split(/^Caused by:$/m)[1]?.split(/^\s*$/m)[0] ?? "";
  const causes = [...block.matchAll(/^\s*\d+: (.+)$/gm)].map((m) => m[1].trim());
  const cause = causes.at(-1) ?? "download failed";
  return `Cannot compile sqlitch for ${target}: deno compile needs the Deno runtime for that ` +
    `platform (denort-${target}.zip) and could not download it (${cause}).\n` +
    `Set DENORT_BIN to a denort executable for ${target} and build that target alone ` +
    `(--target ${target}), or run where the download host can be reached.`;
}

/** Lowercase hex SHA-256 of some bytes. */
export async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The text of a SHA256SUMS file (`sha256sum` format), sorted by name. */
export function sumsText(entries: { name: string; sha256: string }[]): string {
  return [...entries]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((e) => `${e.sha256}  ${e.name}\n`)
    .join("");
}

/** Whether a file name is a release binary of `version`. */
export function isReleaseBinary(name: string, version = VERSION): boolean {
  return TARGETS.some((t) => name === binaryName(version, t));
}

/** Writes SHA256SUMS for the release binaries in `outDir`; returns its text. */
export async function writeSums(outDir: string, version = VERSION): Promise<string> {
  const entries = [];
  for (const entry of Deno.readDirSync(outDir)) {
    if (!entry.isFile || !isReleaseBinary(entry.name, version)) continue;
    entries.push({
      name: entry.name,
      sha256: await sha256Hex(await Deno.readFile(`${outDir}/${entry.name}`)),
    });
  }
  if (entries.length === 0) {
    throw new CompileError(`No sqlitch ${version} binaries in ${outDir} to checksum`);
  }
  const text = sumsText(entries);
  await Deno.writeTextFile(`${outDir}/${SUMS_FILE}`, text);
  return text;
}

/** Runs `deno compile` for one target from the repository root. */
async function compileOne(
  target: Target,
  plan: CompilePlan,
  bundleDir: string,
  root: string,
): Promise<void> {
  console.error(`Compiling sqlitch ${VERSION} for ${target}`);
  // deno compile takes even an empty DENORT_BIN as a path: pass it only when set.
  const env = Deno.env.toObject();
  delete env.DENORT_BIN;
  if (plan.denort) env.DENORT_BIN = plan.denort;
  const out = await new Deno.Command(Deno.execPath(), {
    args: compileArgs(target, plan.outDir, bundleDir),
    cwd: root,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
  if (out.success) {
    await Deno.stderr.write(new TextEncoder().encode(text));
    return;
  }
  const missing = plan.denort ? undefined : missingRuntimeMessage(target, text);
  throw new CompileError(missing ?? `deno compile failed for ${target}:\n${text.trim()}`);
}

/** The whole build: binaries, then checksums (--out is relative to the current directory). */
export async function runCompile(plan: CompilePlan, root: string): Promise<void> {
  if (plan.denort) checkRuntime(plan.denort, plan.targets[0]);
  const outDir = resolve(plan.outDir);
  await Deno.mkdir(outDir, { recursive: true });
  if (plan.targets.length > 0) {
    // Built beside the binaries and removed after them.
    const bundleDir = `${outDir}/.bundle`;
    try {
      await bundleProgram(bundleDir, root);
      for (const target of plan.targets) {
        await compileOne(target, { ...plan, outDir }, bundleDir, root);
      }
    } finally {
      await Deno.remove(bundleDir, { recursive: true }).catch(() => {});
    }
  }
  const sums = await writeSums(outDir);
  console.error(`${SUMS_FILE}:\n${sums.trimEnd()}`);
}

if (import.meta.main) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  try {
    const plan = planCompile(
      Deno.args,
      { DENORT_BIN: Deno.env.get("DENORT_BIN") },
      Deno.build.target,
    );
    await runCompile(plan, root);
  } catch (e) {
    if (!(e instanceof CompileError) && !(e instanceof BundleError)) throw e;
    console.error(e.message);
    Deno.exit(2);
  }
}
