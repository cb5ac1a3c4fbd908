/**
 * Tests of scripts/packaging.ts: the release description built from
 * SHA256SUMS, and the Homebrew formula and Scoop manifest written from it
 * (every URL and checksum from that one description). The formula is
 * checked by Ruby when it is installed (`ruby -c`, then loaded against a
 * stub of Homebrew's Formula DSL); without Ruby those tests are skipped
 * with a banner.
 */
import { deepStrictEqual, match, ok, strictEqual, throws } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { binaryName, type Target, TARGETS } from "../../scripts/compile.ts";
import {
  assetUrl,
  checkRelease,
  DESCRIPTION,
  githubHomepage,
  homebrewFormula,
  PackagingError,
  packagingFiles,
  parseSums,
  type Release,
  releaseFromArgs,
  releaseFromSums,
  scoopManifest,
} from "../../scripts/packaging.ts";

const SCRIPT = fileURLToPath(new URL("../../scripts/packaging.ts", import.meta.url));
const BASE = "https://github.com/acme/sqlitch/releases/download/v1.2.3";
const dec = new TextDecoder();

/** A distinct fake checksum per target. */
const sha = (i: number) => (i + 1).toString(16).repeat(64);

const SUMS = TARGETS.map((t, i) => `${sha(i)}  ${binaryName("1.2.3", t)}\n`).join("");

function release(): Release {
  return releaseFromSums({ version: "1.2.3", baseUrl: BASE, sums: parseSums(SUMS) });
}

Deno.test("parseSums reads sha256sum output, text or binary mode", () => {
  const sums = parseSums(`${"A".repeat(64)}  a file\n${"b".repeat(64)} *b.exe\n\n`);
  deepStrictEqual([...sums], [["a file", "a".repeat(64)], ["b.exe", "b".repeat(64)]]);
  throws(
    () => parseSums(`${"a".repeat(64)}  ok\nabc  short\n`, "dist/SHA256SUMS"),
    /^Error: dist\/SHA256SUMS line 2 is not "<sha256> {2}<file>": abc {2}short$/,
  );
});

Deno.test("the release description: URLs under the base URL, checksums from SHA256SUMS", () => {
  const r = release();
  strictEqual(r.version, "1.2.3");
  strictEqual(r.homepage, "https://github.com/acme/sqlitch");
  strictEqual(r.baseUrl, BASE);
  TARGETS.forEach((t, i) => {
    deepStrictEqual(r.assets[t], { name: binaryName("1.2.3", t), sha256: sha(i) });
    strictEqual(assetUrl(r, t), `${BASE}/${binaryName("1.2.3", t)}`);
  });
  strictEqual(githubHomepage("https://example.com/dl/v1"), undefined);
  // A trailing slash on the base URL makes no double slash.
  strictEqual(
    releaseFromSums({ version: "1.2.3", baseUrl: `${BASE}/`, sums: parseSums(SUMS) }).baseUrl,
    BASE,
  );
});

Deno.test("the release description refuses what it cannot package", () => {
  const sums = parseSums(SUMS);
  sums.delete(binaryName("1.2.3", "aarch64-apple-darwin"));
  throws(
    () => releaseFromSums({ version: "1.2.3", baseUrl: BASE, sums }),
    /^Error: SHA256SUMS has no checksum for sqlitch-1\.2\.3-aarch64-apple-darwin$/,
  );
  throws(
    () => releaseFromSums({ version: "1.2.3", baseUrl: "https://dl.example.com/1.2.3", sums }),
    /--homepage is needed: https:\/\/dl\.example\.com\/1\.2\.3 is not a GitHub release URL/,
  );
  const good = release();
  const bad = (patch: (r: Record<string, unknown>) => void, re: RegExp) => {
    const copy = structuredClone(good) as unknown as Record<string, unknown>;
    patch(copy);
    throws(() => checkRelease(copy, "release.json"), (e: Error) => {
      ok(e instanceof PackagingError);
      match(e.message, re);
      return true;
    });
  };
  bad((r) => r.version = "v1.2.3", /^release\.json: "version" must be a version number/);
  bad((r) => r.baseUrl = "http://insecure/x", /"baseUrl" must be an https URL/);
  bad((r) => r.homepage = 'https://x/"; system "rm', /"homepage" must be an https URL/);
  bad(
    (r) => delete (r.assets as Record<string, unknown>)["x86_64-pc-windows-msvc"],
    /no asset for x86_64-pc-windows-msvc/,
  );
  bad(
    (r) => (r.assets as Record<string, { name: string }>)[TARGETS[0]].name = "sqlitch",
    /the x86_64-unknown-linux-gnu asset must be named sqlitch-1\.2\.3-x86_64-unknown-linux-gnu/,
  );
  bad(
    (r) => (r.assets as Record<string, { sha256: string }>)[TARGETS[1]].sha256 = "A".repeat(64),
    /the aarch64-unknown-linux-gnu sha256 must be 64 lowercase hex digits/,
  );
  deepStrictEqual(checkRelease(JSON.parse(JSON.stringify(good))), good);
});

/** The url/sha256 pairs of a formula, in order. */
function formulaPairs(text: string): [string, string][] {
  return [...text.matchAll(/^\s*url "([^"]+)"\n\s*sha256 "([0-9a-f]{64})"$/gm)]
    .map((m) => [m[1], m[2]]);
}

Deno.test("the Homebrew formula: one url and sha256 per platform, from the release", () => {
  const r = release();
  const text = homebrewFormula(r);
  match(text, /^class Sqlitch < Formula$/m);
  match(text, new RegExp(`^  desc "${DESCRIPTION}"$`, "m"));
  for (
    const line of ['homepage "https://github.com/acme/sqlitch"', 'version "1.2.3"', 'license "MIT"']
  ) {
    ok(text.includes(`\n  ${line}\n`), line);
  }
  const order: Target[] = [
    "aarch64-apple-darwin",
    "x86_64-apple-darwin",
    "aarch64-unknown-linux-gnu",
    "x86_64-unknown-linux-gnu",
  ];
  const expected = order.map((t) => [assetUrl(r, t), r.assets[t].sha256]);
  deepStrictEqual(formulaPairs(text), expected);
  // Nothing that would rewrite the executable, and nothing Windows.
  ok(!/^\s*bottle\b|pour_bottle|windows/m.test(text), text);
  match(text, /bin\.install Dir\["sqlitch-#\{version\}-\*"\]\.fetch\(0\) => "sqlitch"/);
  match(text, /assert_match "v#\{version\}", shell_output\("#\{bin\}\/sqlitch --version"\)/);
  // livecheck only where GitHub's latest release can be asked.
  match(text, /strategy :github_latest/);
  const elsewhere = homebrewFormula({ ...r, homepage: "https://sqlitch.example.org" });
  ok(!elsewhere.includes("livecheck"));
});

const RUBY = (() => {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/ruby`).isFile) return `${dir}/ruby`;
    } catch {
      // Not here.
    }
  }
  return undefined;
})();
if (!RUBY) {
  console.error(
    "\n*** packaging_test: ruby not found: the Homebrew formula is NOT checked by Ruby " +
      "(apt-get install -y ruby) ***\n",
  );
}

async function ruby(args: string[], cwd?: string) {
  const out = await new Deno.Command(RUBY!, { args, cwd, stdin: "null" }).output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * Loads a formula against a stub of the Formula DSL, runs its install in a
 * directory, and prints what it declared and did as JSON.
 */
const DSL_STUB = `
require "json"
class Formula
  CALLS = { "meta" => {}, "variants" => {}, "dsl" => [] }
  CONTEXT = []
  %w[desc homepage license version].each do |name|
    define_singleton_method(name) { |value| CALLS["meta"][name] = value }
  end
  %w[livecheck bottle pour_bottle? skip_clean test].each do |name|
    define_singleton_method(name) { |*_args, &_block| CALLS["dsl"] << name }
  end
  %w[on_macos on_linux on_arm on_intel].each do |name|
    define_singleton_method(name) do |&block|
      CONTEXT.push(name.delete_prefix("on_"))
      block.call
      CONTEXT.pop
    end
  end
  def self.url(value) = ((CALLS["variants"][CONTEXT.join("/")] ||= {})["url"] = value)
  def self.sha256(value) = ((CALLS["variants"][CONTEXT.join("/")] ||= {})["sha256"] = value)
  def version = CALLS["meta"]["version"]
  def bin = Bin.new
  def chmod(mode, path) = (CALLS["chmod"] = [mode.to_s(8), path])
  class Bin
    def install(map) = (CALLS["installed"] = map.to_a)
    def /(other) = "bin/#{other}"
  end
end
load ARGV[0]
Dir.chdir(ARGV[1]) { Sqlitch.new.install }
puts JSON.generate(Formula::CALLS)
`;

Deno.test({
  name: "the Homebrew formula is valid Ruby and declares what the release says",
  ignore: !RUBY,
  fn: async () => {
    const r = release();
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/sqlitch.rb`, homebrewFormula(r));
      const syntax = await ruby(["-c", `${dir}/sqlitch.rb`]);
      strictEqual(syntax.code, 0, syntax.stderr);
      strictEqual(syntax.stdout, "Syntax OK\n");
      await Deno.writeTextFile(`${dir}/stub.rb`, DSL_STUB);
      // What Homebrew stages for a plain-file download: the file, by its name.
      await Deno.mkdir(`${dir}/stage`);
      await Deno.writeTextFile(`${dir}/stage/${r.assets["aarch64-apple-darwin"].name}`, "");
      const run = await ruby([`${dir}/stub.rb`, `${dir}/sqlitch.rb`, `${dir}/stage`]);
      strictEqual(run.code, 0, run.stderr);
      const calls = JSON.parse(run.stdout);
      deepStrictEqual(calls.meta, {
        desc: DESCRIPTION,
        homepage: "https://github.com/acme/sqlitch",
        version: "1.2.3",
        license: "MIT",
      });
      const variant = (t: Target) => ({
        url: assetUrl(r, t),
        sha256: r.assets[t].sha256,
      });
      deepStrictEqual(calls.variants, {
        "macos/arm": variant("aarch64-apple-darwin"),
        "macos/intel": variant("x86_64-apple-darwin"),
        "linux/arm": variant("aarch64-unknown-linux-gnu"),
        "linux/intel": variant("x86_64-unknown-linux-gnu"),
      });
      deepStrictEqual(calls.dsl, ["livecheck", "test"]);
      deepStrictEqual(calls.installed, [[r.assets["aarch64-apple-darwin"].name, "sqlitch"]]);
      deepStrictEqual(calls.chmod, ["555", "bin/sqlitch"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** The top-level properties Scoop's manifest schema defines. */
const SCOOP_PROPERTIES = new Set([
  "$schema",
  "##",
  "architecture",
  "autoupdate",
  "bin",
  "checkver",
  "depends",
  "description",
  "env_add_path",
  "env_set",
  "extract_dir",
  "hash",
  "homepage",
  "installer",
  "license",
  "notes",
  "persist",
  "post_install",
  "pre_install",
  "shortcuts",
  "suggest",
  "uninstaller",
  "url",
  "version",
]);

Deno.test("the Scoop manifest: Windows x64 binary from the release, renamed sqlitch.exe", () => {
  const r = release();
  // deno-lint-ignore no-explicit-any
  const m = scoopManifest(r) as Record<string, any>;
  for (const key of Object.keys(m)) ok(SCOOP_PROPERTIES.has(key), `Scoop knows "${key}"`);
  for (const key of ["version", "homepage", "license"]) ok(m[key], `required "${key}"`);
  strictEqual(m.version, "1.2.3");
  strictEqual(m.description, DESCRIPTION);
  strictEqual(m.homepage, "https://github.com/acme/sqlitch");
  strictEqual(m.license, "MIT");
  deepStrictEqual(Object.keys(m.architecture), ["64bit"]);
  deepStrictEqual(m.architecture["64bit"], {
    url: `${assetUrl(r, "x86_64-pc-windows-msvc")}#/sqlitch.exe`,
    hash: r.assets["x86_64-pc-windows-msvc"].sha256,
  });
  strictEqual(m.bin, "sqlitch.exe");
  deepStrictEqual(m.checkver, { github: "https://github.com/acme/sqlitch" });
  // autoupdate's URL, with $version filled in, is this release's URL.
  const next: string = m.autoupdate.architecture["64bit"].url;
  ok(next.includes("$version") && !next.includes("1.2.3"), next);
  strictEqual(next.replaceAll("$version", "1.2.3"), m.architecture["64bit"].url);
  // Scoop finds the new hash by file name in the new release's SHA256SUMS.
  deepStrictEqual(m.autoupdate.hash, { url: "$baseurl/SHA256SUMS" });
});

Deno.test("the Scoop manifest has no autoupdate where the URL does not carry the version", () => {
  const r = { ...release(), baseUrl: "https://dl.example.com/latest" };
  const m = scoopManifest(r);
  strictEqual(m.autoupdate, undefined);
  strictEqual(m.checkver, undefined);
});

Deno.test("releaseFromArgs: --sums with --base-url, or --release; one message otherwise", () => {
  const files: Record<string, string> = {
    "d/SHA256SUMS": SUMS,
    "d/release.json": JSON.stringify(release()),
    "d/broken.json": "{",
  };
  const read = (p: string) => {
    if (!(p in files)) throw new Error("No such file");
    return files[p];
  };
  const a = releaseFromArgs(
    ["--sums", "d/SHA256SUMS", "--base-url", BASE, "--version", "1.2.3", "--out", "o"],
    read,
  );
  deepStrictEqual(a, { release: release(), outDir: "o" });
  deepStrictEqual(releaseFromArgs(["--release", "d/release.json"], read), {
    release: release(),
    outDir: "dist",
  });
  const fails = (argv: string[], re: RegExp) =>
    throws(() => releaseFromArgs(argv, read), (e: Error) => {
      ok(e instanceof PackagingError, String(e));
      match(e.message, re);
      return true;
    });
  fails([], /^Give --sums and --base-url, or --release\nUsage: /);
  fails(["--sums", "d/SHA256SUMS"], /^Give --sums and --base-url, or --release/);
  fails(["--release", "d/release.json", "--sums", "x"], /^--release is a whole description/);
  fails(["--release", "d/missing.json"], /^Cannot read d\/missing\.json: No such file$/);
  fails(["--release", "d/broken.json"], /^d\/broken\.json is not JSON: /);
  fails(["--bogus"], /^Unknown option '--bogus'/);
  // deno.json's version by default: these sums are for 1.2.3.
  fails(["--sums", "d/SHA256SUMS", "--base-url", BASE], /^SHA256SUMS has no checksum for /);
});

Deno.test("the script writes release.json, sqlitch.rb and sqlitch.json, and reads them back", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/SHA256SUMS`, SUMS);
    const run = async (args: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-all", "--quiet", SCRIPT, ...args],
        stdin: "null",
      }).output();
      return { code: out.code, stderr: dec.decode(out.stderr) };
    };
    const first = await run([
      "--sums",
      `${dir}/SHA256SUMS`,
      "--base-url",
      BASE,
      "--version",
      "1.2.3",
      "--out",
      `${dir}/a`,
    ]);
    strictEqual(first.code, 0, first.stderr);
    const expected = packagingFiles(release());
    for (const [name, text] of Object.entries(expected)) {
      strictEqual(await Deno.readTextFile(`${dir}/a/${name}`), text, name);
    }
    // The description it wrote is enough to write the same files again.
    const again = await run(["--release", `${dir}/a/release.json`, "--out", `${dir}/b`]);
    strictEqual(again.code, 0, again.stderr);
    for (const [name, text] of Object.entries(expected)) {
      strictEqual(await Deno.readTextFile(`${dir}/b/${name}`), text, name);
    }
    const bad = await run(["--release", `${dir}/SHA256SUMS`]);
    strictEqual(bad.code, 2);
    match(bad.stderr, /SHA256SUMS is not JSON: /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
