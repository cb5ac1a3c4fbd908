/**
 * Tests of scripts/compile.ts up to the point where the Deno runtime
 * (denort) would be needed, which this project's machines cannot download:
 * the argument building, the plan read from the command line and
 * DENORT_BIN, the runtime's platform check, the missing-runtime message
 * (through an unreachable proxy), checksums, and the bundle
 * `deno compile` embeds (with the deno executable standing in for denort:
 * the file it writes is checked, never run).
 */
import { deepStrictEqual, match, ok, rejects, strictEqual, throws } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import denoConfig from "../../deno.json" with { type: "json" };
import {
  binaryName,
  checkRuntime,
  compileArgs,
  CompileError,
  executableTarget,
  isReleaseBinary,
  missingRuntimeMessage,
  planCompile,
  sha256Hex,
  sumsText,
  TARGETS,
  VERSION,
  writeSums,
} from "../../scripts/compile.ts";
import { bundleProgram } from "../../scripts/bundle.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SCRIPT = fileURLToPath(new URL("../../scripts/compile.ts", import.meta.url));
const dec = new TextDecoder();
// deno-lint-ignore no-control-regex
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");

Deno.test("the five release targets", () => {
  deepStrictEqual([...TARGETS], [
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
  ]);
});

Deno.test("binaries are named sqlitch-<version>-<target>, .exe on Windows", () => {
  strictEqual(VERSION, denoConfig.version);
  strictEqual(binaryName("1.2.3", "aarch64-apple-darwin"), "sqlitch-1.2.3-aarch64-apple-darwin");
  strictEqual(
    binaryName("1.2.3", "x86_64-pc-windows-msvc"),
    "sqlitch-1.2.3-x86_64-pc-windows-msvc.exe",
  );
  ok(isReleaseBinary(`sqlitch-${VERSION}-x86_64-unknown-linux-gnu`));
  ok(!isReleaseBinary(`sqlitch-0.0.0-x86_64-unknown-linux-gnu`));
  ok(!isReleaseBinary("SHA256SUMS"));
});

Deno.test("compileArgs: one deno compile per target of the bundle, lock-exact, used npm packages only", () => {
  for (const target of TARGETS) {
    const args = compileArgs(target, "out", "out/.bundle", "9.8.7");
    const exe = target.includes("windows") ? ".exe" : "";
    deepStrictEqual(args, [
      "compile",
      "--allow-all",
      "--no-check",
      "--frozen",
      "--exclude-unused-npm",
      "--v8-flags=--min-semi-space-size=16,--no-lazy",
      "--include",
      "out/.bundle",
      "--target",
      target,
      "--output",
      `out/sqlitch-9.8.7-${target}${exe}`,
      "out/.bundle/release_entry.js",
    ]);
  }
  // The version defaults to deno.json's.
  ok(
    compileArgs(TARGETS[0], "dist", "dist/.bundle").includes(
      `dist/sqlitch-${VERSION}-${TARGETS[0]}`,
    ),
  );
});

Deno.test("planCompile: every target by default, or the ones asked for", () => {
  deepStrictEqual(planCompile([], {}, "x86_64-unknown-linux-gnu"), {
    targets: [...TARGETS],
    outDir: "dist",
    sumsOnly: false,
    denort: undefined,
  });
  const plan = planCompile(
    ["--target", "aarch64-apple-darwin", "--target=x86_64-apple-darwin", "--out", "rel/"],
    { DENORT_BIN: "" },
    "x86_64-unknown-linux-gnu",
  );
  deepStrictEqual(plan.targets, ["aarch64-apple-darwin", "x86_64-apple-darwin"]);
  strictEqual(plan.outDir, "rel");
  strictEqual(plan.denort, undefined);
});

Deno.test("planCompile: DENORT_BIN is one runtime for one target", () => {
  const host = planCompile([], { DENORT_BIN: "/rt/denort" }, "aarch64-unknown-linux-gnu");
  deepStrictEqual(host.targets, ["aarch64-unknown-linux-gnu"]);
  strictEqual(host.denort, "/rt/denort");
  const one = planCompile(
    ["--target", "x86_64-pc-windows-msvc"],
    { DENORT_BIN: "/rt/denort.exe" },
    "x86_64-unknown-linux-gnu",
  );
  deepStrictEqual(one.targets, ["x86_64-pc-windows-msvc"]);
  throws(
    () =>
      planCompile(
        ["--target", "x86_64-apple-darwin", "--target", "aarch64-apple-darwin"],
        { DENORT_BIN: "/rt/denort" },
        "x86_64-unknown-linux-gnu",
      ),
    { name: "Error", message: /^DENORT_BIN names one runtime, for one platform; build one/ },
  );
  throws(
    () => planCompile([], { DENORT_BIN: "/rt/denort" }, "riscv64gc-unknown-linux-gnu"),
    /this machine \(riscv64gc-unknown-linux-gnu\) is not a release target/,
  );
});

Deno.test("planCompile: bad requests are one clear message", () => {
  const host = "x86_64-unknown-linux-gnu";
  const fails = (argv: string[], re: RegExp) =>
    throws(() => planCompile(argv, {}, host, "0.1.0"), (e: Error) => {
      ok(e instanceof CompileError, String(e));
      match(e.message, re);
      return true;
    });
  fails(["--target", "x86_64-unknown-linux-musl"], /^Unknown target "x86_64-unknown-linux-musl"; /);
  fails(["--tag", "v0.2.0"], /^Tag v0\.2\.0 does not match the version in deno\.json \(0\.1\.0\)/);
  fails(["--tag", "0.1.0"], /expected v0\.1\.0$/);
  fails(["--bogus"], /Unknown option '--bogus'\nUsage: deno task compile/);
  fails(["main.ts"], /Usage: deno task compile/);
  fails(["--sums-only", "--target", TARGETS[0]], /^--sums-only builds nothing/);
  strictEqual(planCompile(["--tag", "v0.1.0"], {}, host, "0.1.0").targets.length, 5);
  deepStrictEqual(planCompile(["--sums-only", "--out", "x"], {}, host), {
    targets: [],
    outDir: "x",
    sumsOnly: true,
  });
});

/** A header of `size` zero bytes with some fields set. */
function header(size: number, fill: (v: DataView, b: Uint8Array) => void): Uint8Array {
  const b = new Uint8Array(size);
  fill(new DataView(b.buffer), b);
  return b;
}

const elf = (machine: number) =>
  header(64, (v, b) => {
    b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1]);
    v.setUint16(18, machine, true);
  });
const macho = (cpu: number) =>
  header(32, (v) => {
    v.setUint32(0, 0xfeedfacf, true);
    v.setUint32(4, cpu, true);
  });
const pe = (machine: number) =>
  header(256, (v, b) => {
    b.set([0x4d, 0x5a]);
    v.setUint32(0x3c, 0x80, true);
    v.setUint32(0x80, 0x50450000, false);
    v.setUint16(0x84, machine, true);
  });

Deno.test("executableTarget reads the platform from ELF, Mach-O and PE headers", () => {
  strictEqual(executableTarget(elf(0x3e), "x"), "x86_64-unknown-linux-gnu");
  strictEqual(executableTarget(elf(0xb7), "x"), "aarch64-unknown-linux-gnu");
  strictEqual(executableTarget(elf(0xf3), "x"), "linux (ELF machine 0xf3)");
  strictEqual(executableTarget(macho(0x01000007), "x"), "x86_64-apple-darwin");
  strictEqual(executableTarget(macho(0x0100000c), "x"), "aarch64-apple-darwin");
  strictEqual(executableTarget(pe(0x8664), "x"), "x86_64-pc-windows-msvc");
  strictEqual(executableTarget(pe(0xaa64), "x"), "aarch64-pc-windows-msvc");
  // A universal Mach-O cannot be told apart: deno compile decides.
  strictEqual(
    executableTarget(new Uint8Array([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2]), "x"),
    undefined,
  );
  throws(
    () => executableTarget(new Uint8Array([0x50, 0x4b, 3, 4, 20, 0]), "/dl/denort.zip"),
    /^Error: DENORT_BIN=\/dl\/denort\.zip is a zip archive: unzip it and point DENORT_BIN/,
  );
  throws(
    () => executableTarget(new TextEncoder().encode("#!/bin/sh\n"), "/x"),
    /DENORT_BIN=\/x is not an executable \(no ELF, Mach-O or PE header\)/,
  );
  // The running deno is an executable for the host.
  const file = Deno.openSync(Deno.execPath());
  const head = new Uint8Array(4096);
  const n = file.readSync(head) ?? 0;
  file.close();
  strictEqual(executableTarget(head.subarray(0, n), Deno.execPath()), Deno.build.target);
});

Deno.test("checkRuntime: DENORT_BIN must exist and be for the target", () => {
  throws(
    () => checkRuntime("/nonexistent/denort", TARGETS[0]),
    /^Error: Cannot read DENORT_BIN=\/nonexistent\/denort: No such file$/,
  );
  const other = TARGETS.find((t) => t !== Deno.build.target)!;
  throws(
    () => checkRuntime(Deno.execPath(), other),
    new RegExp(
      `is a runtime for ${Deno.build.target}, not for ${other}: use a denort built for ${other}, ` +
        `or --target ${Deno.build.target}$`,
    ),
  );
  checkRuntime(Deno.execPath(), Deno.build.target);
});

/** What deno compile 2.9.6 prints when it cannot download the runtime. */
const DOWNLOAD_FAILURE = `Compile main.ts to dist/sqlitch-0.1.0-aarch64-apple-darwin
Download https://dl.deno.land/release/v2.9.6/denort-aarch64-apple-darwin.zip
error: Writing deno compile executable to temporary file 'dist/x.tmp-1'

Caused by:
    0: Setting up base binary.
    1: error sending request for url (https://dl.deno.land/release/v2.9.6/denort-aarch64-apple-darwin.zip): client error (Connect): dns error: failed to lookup address information: Name or service not known
    2: client error (Connect)
    3: dns error
    4: failed to lookup address information: Name or service not known

Stack backtrace:
   0: <unknown>
`;

Deno.test("missingRuntimeMessage names the runtime, the cause and DENORT_BIN", () => {
  strictEqual(
    missingRuntimeMessage("aarch64-apple-darwin", DOWNLOAD_FAILURE),
    "Cannot compile sqlitch for aarch64-apple-darwin: deno compile needs the Deno runtime for " +
      "that platform (denort-aarch64-apple-darwin.zip) and could not download it " +
      "(failed to lookup address information: Name or service not known).\n" +
      "Set DENORT_BIN to a denort executable for aarch64-apple-darwin and build that target " +
      "alone (--target aarch64-apple-darwin), or run where the download host can be reached.",
  );
  strictEqual(
    missingRuntimeMessage("x86_64-apple-darwin", 'error: Module not found "file:///x.ts".'),
    undefined,
  );
});

Deno.test("SHA256SUMS: sha256sum's format, sorted, release binaries only", async () => {
  strictEqual(
    await sha256Hex(new TextEncoder().encode("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  strictEqual(
    sumsText([{ name: "b", sha256: "2".repeat(64) }, { name: "a", sha256: "1".repeat(64) }]),
    `${"1".repeat(64)}  a\n${"2".repeat(64)}  b\n`,
  );
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/notes.txt`, "not a binary");
    await Deno.writeTextFile(`${dir}/sqlitch-0.0.1-x86_64-apple-darwin`, "older version");
    await rejects(() => writeSums(dir, "0.1.0"), /^Error: No sqlitch 0\.1\.0 binaries in /);
    await Deno.writeTextFile(`${dir}/sqlitch-0.1.0-x86_64-pc-windows-msvc.exe`, "abc");
    await Deno.writeTextFile(`${dir}/sqlitch-0.1.0-aarch64-apple-darwin`, "");
    const text = await writeSums(dir, "0.1.0");
    strictEqual(
      text,
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  " +
        "sqlitch-0.1.0-aarch64-apple-darwin\n" +
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  " +
        "sqlitch-0.1.0-x86_64-pc-windows-msvc.exe\n",
    );
    strictEqual(await Deno.readTextFile(`${dir}/SHA256SUMS`), text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--version prints the version deno.json stamps", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", `${ROOT}/main.ts`, "--version"],
    stdin: "null",
  }).output();
  strictEqual(out.code, 0);
  strictEqual(
    dec.decode(out.stdout),
    `sqlitch (sqlitch) v${denoConfig.version} (App::Sqitch v1.3.1 compatible)\n`,
  );
});

/** Runs scripts/compile.ts with some arguments and environment. */
async function runScript(args: string[], env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", SCRIPT, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...env },
    stdin: "null",
  }).output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * A fresh DENO_DIR that needs no registry: Deno's npm cache and the
 * bundler (`deno bundle`'s esbuild, in `dl/`) shared by symlinks, and no
 * runtime cached from an earlier build.
 */
async function offlineDenoDir(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
  const info = JSON.parse(dec.decode(out.stdout));
  const dir = await Deno.makeTempDir();
  await Deno.symlink(info.npmCache, `${dir}/npm`);
  await Deno.mkdir(`${dir}/dl`);
  for (const entry of Deno.readDirSync(`${info.denoDir}/dl`)) {
    if (entry.name.startsWith("esbuild")) {
      await Deno.symlink(`${info.denoDir}/dl/${entry.name}`, `${dir}/dl/${entry.name}`);
    }
  }
  return dir;
}

Deno.test({
  name: "without DENORT_BIN and without the download host: a clear message, exit 2",
  // Symlinked caches keep the fresh DENO_DIR offline; Windows needs privileges for them.
  ignore: Deno.build.os === "windows",
  fn: async () => {
    // The bundle is built first, so its bundler must be in the cache.
    const warmUp = await Deno.makeTempDir();
    await bundleProgram(warmUp, ROOT);
    await Deno.remove(warmUp, { recursive: true });
    const denoDir = await offlineDenoDir();
    const out = await Deno.makeTempDir();
    try {
      const target = TARGETS.find((t) => t !== Deno.build.target)!;
      const r = await runScript(["--target", target, "--out", out], {
        DENO_DIR: denoDir, // no runtime cached from an earlier build
        DENORT_BIN: "",
        HTTPS_PROXY: "http://127.0.0.1:9",
        HTTP_PROXY: "http://127.0.0.1:9",
        https_proxy: "http://127.0.0.1:9",
        http_proxy: "http://127.0.0.1:9",
        NO_PROXY: "",
        no_proxy: "",
      });
      strictEqual(r.code, 2, r.stderr);
      match(
        r.stderr,
        new RegExp(
          `^Compiling sqlitch ${VERSION} for ${target}\n` +
            `Cannot compile sqlitch for ${target}: deno compile needs the Deno runtime for that ` +
            `platform \\(denort-${target}\\.zip\\) and could not download it \\(.+\\)\\.\n` +
            `Set DENORT_BIN to a denort executable for ${target} and build that target alone ` +
            `\\(--target ${target}\\), or run where the download host can be reached\\.\n$`,
        ),
      );
      deepStrictEqual([...Deno.readDirSync(out)], []);
    } finally {
      await Deno.remove(denoDir, { recursive: true });
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test("a DENORT_BIN for another platform is refused before compiling", async () => {
  const other = TARGETS.find((t) => t !== Deno.build.target)!;
  const r = await runScript(["--target", other, "--out", "unused"], {
    DENORT_BIN: Deno.execPath(),
  });
  strictEqual(r.code, 2);
  match(r.stderr, new RegExp(`^DENORT_BIN=.* is a runtime for ${Deno.build.target}, not for `));
});

Deno.test({
  name: "deno compile embeds the whole program: the bundle's chunks and the npm drivers",
  // The deno executable stands in for denort (deno compile takes any
  // executable as DENORT_BIN); what it writes is examined, never run.
  ignore: !(TARGETS as readonly string[]).includes(Deno.build.target),
  fn: async () => {
    const out = await Deno.makeTempDir();
    try {
      const r = await runScript(["--out", out], { DENORT_BIN: Deno.execPath() });
      strictEqual(r.code, 0, r.stderr);
      const name = binaryName(VERSION, Deno.build.target);
      deepStrictEqual([...Deno.readDirSync(out)].map((e) => e.name).sort(), ["SHA256SUMS", name]);
      const listing = stripAnsi(r.stderr + r.stdout);
      match(listing, new RegExp(`Compiling sqlitch ${VERSION} for ${Deno.build.target}`));
      match(listing, /Embedded Files/);
      // Every chunk of the bundle, each command's and engine's among them.
      for (const chunk of ["release_entry.js", "main-", "status-", "sqlite-", "pg-", "mysql-"]) {
        ok(listing.includes(`── ${chunk}`), `${chunk} is embedded:\n${listing}`);
      }
      for (const dep of ["pg", "mysql2"] as const) {
        const version = denoConfig.imports[dep].replace(/^npm:[^@]+@/, "");
        ok(listing.includes(`${dep}/${version}/`), `${dep} ${version} is embedded`);
      }
      ok(
        !/── tests\b|── scripts\b|yaml\/|\.ts\b/.test(listing),
        `no source or test code:\n${listing}`,
      );
      const sums = await Deno.readTextFile(`${out}/SHA256SUMS`);
      strictEqual(sums, `${await sha256Hex(await Deno.readFile(`${out}/${name}`))}  ${name}\n`);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
