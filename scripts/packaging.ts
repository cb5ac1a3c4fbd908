/**
 * Package-manager files for a release, generated from its checksums: a
 * Homebrew formula (macOS and Linux, Intel and ARM) and a Scoop manifest
 * (Windows x64). Both take every URL and SHA-256 from one release
 * description, itself built from the SHA256SUMS that `deno task compile`
 * writes, so nothing is typed twice.
 *
 *   deno run -A scripts/packaging.ts --sums dist/SHA256SUMS \
 *     --base-url https://github.com/OWNER/sqlitch/releases/download/v0.1.0 [--out dist]
 *   deno run -A scripts/packaging.ts --release dist/release.json [--out dist]
 *
 * Writes release.json, sqlitch.rb and sqlitch.json into --out.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import denoConfig from "../deno.json" with { type: "json" };
import { binaryName, SUMS_FILE, type Target, TARGETS } from "./compile.ts";

/** What a release is: enough to name, fetch and check every binary. */
export interface Release {
  /** The version, without the tag's `v`. */
  version: string;
  /** Project page (Homebrew `homepage`, Scoop `homepage`). */
  homepage: string;
  /** URL the release files are under: `<baseUrl>/<file name>`. */
  baseUrl: string;
  /** Every target's binary: file name and SHA-256 (lowercase hex). */
  assets: Record<Target, { name: string; sha256: string }>;
}

/** A release description that cannot be used; reported as one message. */
export class PackagingError extends Error {}

/** What the formula and manifest say sqlitch is. */
export const DESCRIPTION = "Sqitch-compatible database change management in one executable";

/** The license of the project (as in LICENSE). */
export const LICENSE = "MIT";

/** Parses a SHA256SUMS text (`<hex>  <name>` or `<hex> *<name>` lines). */
export function parseSums(text: string, source = SUMS_FILE): Map<string, string> {
  const sums = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (!m) throw new PackagingError(`${source} line ${i + 1} is not "<sha256>  <file>": ${line}`);
    sums.set(m[2], m[1].toLowerCase());
  });
  return sums;
}

/** The project page for a GitHub release base URL, if it is one. */
export function githubHomepage(baseUrl: string): string | undefined {
  const m = /^(https:\/\/github\.com\/[^/]+\/[^/]+)\/releases\/download\/[^/]+$/.exec(baseUrl);
  return m?.[1];
}

/** Builds the release description from the checksums of its binaries. */
export function releaseFromSums(
  opts: { version: string; baseUrl: string; homepage?: string; sums: Map<string, string> },
): Release {
  const baseUrl = opts.baseUrl.replace(/\/+$/, "");
  const homepage = opts.homepage ?? githubHomepage(baseUrl);
  if (!homepage) {
    throw new PackagingError(`--homepage is needed: ${baseUrl} is not a GitHub release URL`);
  }
  const missing: string[] = [];
  const assets = {} as Release["assets"];
  for (const target of TARGETS) {
    const name = binaryName(opts.version, target);
    const sha256 = opts.sums.get(name);
    if (sha256 === undefined) missing.push(name);
    else assets[target] = { name, sha256 };
  }
  if (missing.length) {
    throw new PackagingError(`${SUMS_FILE} has no checksum for ${missing.join(", ")}`);
  }
  return checkRelease({ version: opts.version, homepage, baseUrl, assets });
}

/** Validates a release description (e.g. read from release.json) and returns it. */
export function checkRelease(value: unknown, source = "release description"): Release {
  const bad = (what: string): never => {
    throw new PackagingError(`${source}: ${what}`);
  };
  if (typeof value !== "object" || value === null) bad("not a JSON object");
  const r = value as Partial<Release>;
  if (typeof r.version !== "string" || !/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/.test(r.version)) {
    bad(`"version" must be a version number like 1.2.3, not ${JSON.stringify(r.version)}`);
  }
  for (const key of ["homepage", "baseUrl"] as const) {
    const url = r[key];
    if (typeof url !== "string" || !/^https:\/\/[^\s"'\\#]+$/.test(url)) {
      bad(`"${key}" must be an https URL, not ${JSON.stringify(url)}`);
    }
  }
  if (typeof r.assets !== "object" || r.assets === null) bad(`"assets" is missing`);
  for (const target of TARGETS) {
    const asset = r.assets![target];
    if (!asset) bad(`no asset for ${target}`);
    if (asset.name !== binaryName(r.version!, target)) {
      bad(`the ${target} asset must be named ${binaryName(r.version!, target)}`);
    }
    if (typeof asset.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(asset.sha256)) {
      bad(`the ${target} sha256 must be 64 lowercase hex digits`);
    }
  }
  return {
    version: r.version!,
    homepage: r.homepage!,
    baseUrl: r.baseUrl!.replace(/\/+$/, ""),
    assets: r.assets!,
  };
}

/** The download URL of one target's binary. */
export function assetUrl(release: Release, target: Target): string {
  return `${release.baseUrl}/${release.assets[target].name}`;
}

const rubyString = (s: string) => JSON.stringify(s).replace(/#(?=[{$@])/g, "\\#");

/**
 * The Homebrew formula. Deno-compiled executables are the runtime with the
 * program appended: patchelf, install_name_tool or strip would break them.
 * Homebrew relocates binaries only when it builds or pours a bottle, so the
 * formula has no bottle block: the release file is installed as downloaded,
 * and made executable by install itself (a download has no mode bits).
 */
export function homebrewFormula(release: Release): string {
  const variant = (target: Target, indent: string) =>
    `${indent}url ${rubyString(assetUrl(release, target))}\n` +
    `${indent}sha256 ${rubyString(release.assets[target].sha256)}\n`;
  const livecheck = githubHomepage(`${release.homepage}/releases/download/x`)
    ? `\n  livecheck do\n    url :stable\n    strategy :github_latest\n  end\n`
    : "";
  return `# Homebrew formula for sqlitch ${release.version}, generated by scripts/packaging.ts
# from the release's ${SUMS_FILE}: regenerate it rather than editing it.
#
# sqlitch ships prebuilt \`deno compile\` executables: the Deno runtime with the
# program appended to it. Rewriting them (patchelf, install_name_tool, strip)
# breaks them. Homebrew relocates binaries only when it builds or pours a
# bottle, so this formula has none (do not add a bottle block or bottle it):
# the release file is installed exactly as downloaded and checked. The cleaner
# only sets permissions, which install does itself.
class Sqlitch < Formula
  desc ${rubyString(DESCRIPTION)}
  homepage ${rubyString(release.homepage)}
  version ${rubyString(release.version)}
  license ${rubyString(LICENSE)}
${livecheck}
  on_macos do
    on_arm do
${variant("aarch64-apple-darwin", "      ")}    end
    on_intel do
${variant("x86_64-apple-darwin", "      ")}    end
  end

  on_linux do
    on_arm do
${variant("aarch64-unknown-linux-gnu", "      ")}    end
    on_intel do
${variant("x86_64-unknown-linux-gnu", "      ")}    end
  end

  def install
    bin.install Dir["sqlitch-#{version}-*"].fetch(0) => "sqlitch"
    chmod 0555, bin/"sqlitch"
  end

  test do
    assert_match "v#{version}", shell_output("#{bin}/sqlitch --version")
    system bin/"sqlitch", "init", "flipr", "--engine", "sqlite"
    assert_path_exists testpath/"sqitch.plan"
  end
end
`;
}

/**
 * The Scoop manifest (an object; write it as JSON). The URL's `#/sqlitch.exe`
 * fragment is Scoop's way of renaming the download; autoupdate finds the new
 * hash in the new release's SHA256SUMS.
 */
export function scoopManifest(release: Release): Record<string, unknown> {
  const target: Target = "x86_64-pc-windows-msvc";
  const versioned = (s: string) => s.split(release.version).join("$version");
  const manifest: Record<string, unknown> = {
    version: release.version,
    description: DESCRIPTION,
    homepage: release.homepage,
    license: LICENSE,
    architecture: {
      "64bit": {
        url: `${assetUrl(release, target)}#/sqlitch.exe`,
        hash: release.assets[target].sha256,
      },
    },
    bin: "sqlitch.exe",
  };
  if (release.baseUrl.includes(release.version)) {
    manifest.checkver = githubHomepage(`${release.homepage}/releases/download/x`)
      ? { github: release.homepage }
      : { url: release.homepage, regex: "sqlitch-([\\d.]+)-" };
    manifest.autoupdate = {
      architecture: {
        "64bit": { url: `${versioned(assetUrl(release, target))}#/sqlitch.exe` },
      },
      hash: { url: `$baseurl/${SUMS_FILE}` },
    };
  }
  return manifest;
}

/** The files written for a release: name → text. */
export function packagingFiles(release: Release): Record<string, string> {
  return {
    "release.json": JSON.stringify(release, null, 2) + "\n",
    "sqlitch.rb": homebrewFormula(release),
    "sqlitch.json": JSON.stringify(scoopManifest(release), null, 2) + "\n",
  };
}

const USAGE = "Usage: deno run -A scripts/packaging.ts " +
  "(--sums SHA256SUMS --base-url URL [--homepage URL] [--version V] | --release release.json) " +
  "[--out DIR]";

/** Reads the command line into a release description and an output directory. */
export function releaseFromArgs(
  argv: string[],
  readText: (path: string) => string,
): { release: Release; outDir: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        sums: { type: "string" },
        release: { type: "string" },
        "base-url": { type: "string" },
        homepage: { type: "string" },
        version: { type: "string", default: denoConfig.version },
        out: { type: "string", default: "dist" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new PackagingError(`${(e as Error).message}\n${USAGE}`);
  }
  const read = (path: string) => {
    try {
      return readText(path);
    } catch (e) {
      throw new PackagingError(`Cannot read ${path}: ${(e as Error).message}`);
    }
  };
  if (values.release !== undefined) {
    if (values.sums !== undefined || values["base-url"] !== undefined) {
      throw new PackagingError(
        `--release is a whole description: drop --sums/--base-url\n${USAGE}`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(read(values.release));
    } catch (e) {
      if (e instanceof PackagingError) throw e;
      throw new PackagingError(`${values.release} is not JSON: ${(e as Error).message}`);
    }
    return { release: checkRelease(json, values.release), outDir: values.out! };
  }
  if (values.sums === undefined || values["base-url"] === undefined) {
    throw new PackagingError(`Give --sums and --base-url, or --release\n${USAGE}`);
  }
  const release = releaseFromSums({
    version: values.version!,
    baseUrl: values["base-url"],
    homepage: values.homepage,
    sums: parseSums(read(values.sums), values.sums),
  });
  return { release, outDir: values.out! };
}

if (import.meta.main) {
  try {
    const { release, outDir } = releaseFromArgs(Deno.args, (p) => Deno.readTextFileSync(p));
    const dir = resolve(outDir);
    Deno.mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(packagingFiles(release))) {
      Deno.writeTextFileSync(`${dir}/${name}`, text);
      console.error(`wrote ${dir}/${name}`);
    }
  } catch (e) {
    if (!(e instanceof PackagingError)) throw e;
    console.error(e.message);
    Deno.exit(2);
  }
}
