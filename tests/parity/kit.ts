/**
 * The parity kit: runs real Sqitch and sqlitch on the same scenario, each in
 * its own throwaway sandbox, and compares them byte for byte — every step's
 * exit code, stdout and stderr, and the whole sandbox tree (project, HOME and
 * etc/: names, bytes and permission bits) after every step. Parity test files (tests/parity/*_test.ts) build
 * `Scenario` values and register them with `parityTest` / `parityTests`.
 *
 * Sandbox layout (one per side, under the system temp dir):
 *
 *   <SANDBOX>/proj/                     the project directory, cwd of every step
 *   <SANDBOX>/home/                     $HOME (default ~/.sqitch/sqitch.conf inside)
 *   <SANDBOX>/etc/sqitch.conf           $SQITCH_SYSTEM_CONFIG (only if the scenario gives it)
 *
 * Both sides get an environment built from scratch: PATH, HOME, TZ=UTC,
 * LANG/LC_ALL=C.UTF-8 and SQITCH_SYSTEM_CONFIG, plus the scenario's and the
 * step's own variables. Inputs (argv, env values, stdin, text files) may say
 * `<SANDBOX>` (the side's sandbox root) and `<ID>` (a unique lowercase
 * identifier per side, usable in database names); outputs and file contents
 * have both mapped back to those placeholders before comparison.
 *
 * The sqlitch side is `$SQLITCH_BIN` when set, else
 * `deno run --allow-all --frozen --quiet <repo>/main.ts`; `KitOptions`
 * can replace either side's command (the kit's self-tests use that).
 * Without `sqitch` on PATH the parity tests are skipped with a banner, or
 * fail when CI is set. A scenario's `clock` runs both sides under
 * `faketime -f SPEC` with FAKETIME_DONT_FAKE_MONOTONIC=1 (without it a
 * frozen clock freezes Deno's timers too). PARITY_KEEP=1 keeps sandboxes.
 */
import { AssertionError } from "node:assert/strict";
import { fileURLToPath } from "node:url";

// ---------------------------------------------------------------------------
// Public types

/** File contents to create: text (placeholders expanded) or raw bytes. */
export type FileContent = string | Uint8Array;

/** Files to create, keyed by a path relative to their base directory. */
export type Files = Record<string, FileContent>;

/** An expected output: exact text (after normalisation) or a pattern it must match. */
export type OutputExpectation = string | RegExp;

/** What one side must produce for a step, instead of (or besides) matching the other side. */
export interface Expectation {
  code?: number;
  stdout?: OutputExpectation;
  stderr?: OutputExpectation;
}

/** One invocation of the program under test. */
export interface Step {
  /** Arguments after the program name; a string is split like a POSIX shell would. */
  argv: string[] | string;
  /** Extra environment for this step; `null` removes a variable set by the kit or scenario. */
  env?: Record<string, string | null>;
  /** Text fed to stdin (an empty, closed pipe otherwise). */
  stdin?: string;
  /** Working directory relative to proj/ (default: proj/ itself). */
  cwd?: string;
  /** Shorthand for `expectSqitch.code`: documents (and asserts) Sqitch's exit code. */
  sqitchCode?: number;
  /** Asserts what Sqitch does at this step (documentation of a divergence). */
  expectSqitch?: Expectation;
  /**
   * A deliberate divergence: each field given is what sqlitch must produce
   * instead of matching Sqitch; fields not given must still match Sqitch.
   */
  expectSqlitch?: Expectation;
  /** Compare the sandbox trees after this step (default: per the scenario's `trees`). */
  compareTree?: boolean;
  /** Kill the step after this many milliseconds (default 60 000). */
  timeoutMs?: number;
}

/** A step, or just its argv (array, or a string split shell-style). */
export type StepInput = Step | string[] | string;

/** Information handed to setup/teardown hooks, one call per side. */
export interface SandboxContext {
  side: Side;
  /** The sandbox root (absolute). */
  root: string;
  proj: string;
  home: string;
  /** The unique identifier substituted for `<ID>`. */
  id: string;
  /** The environment the steps get (before step-level overrides). */
  env: Record<string, string>;
}

/** A parity scenario. */
export interface Scenario {
  name: string;
  /** Initial files under proj/. */
  files?: Files;
  /** Initial files under home/ (created after the default user config). */
  homeFiles?: Files;
  /**
   * Contents of home/.sqitch/sqitch.conf; default `DEFAULT_USER_CONFIG`;
   * `null` means no user config file at all.
   */
  userConfig?: string | null;
  /** Contents of etc/sqitch.conf (SQITCH_SYSTEM_CONFIG points there either way). */
  systemConfig?: string;
  /** Environment for every step (`null` removes a kit default). */
  env?: Record<string, string | null>;
  /**
   * Fixed clock as a faketime spec. "2026-01-02 03:04:05" freezes the clock
   * there (UTC); "@2026-01-02 03:04:05" starts it there and lets it run.
   */
  clock?: string;
  steps: StepInput[];
  /** When to compare sandbox trees: after each step (default), only at the end, or never. */
  trees?: "each" | "final" | "none";
  /**
   * Paths (relative to the sandbox root, e.g. "proj/flipr.db" or "**\/*.db")
   * left out of tree comparison: globs with `*`, `**` and `?`, or RegExps.
   * An ignored directory hides everything below it.
   */
  ignorePaths?: (string | RegExp)[];
  /** Extra normalisation of outputs and text file contents, applied to both sides. */
  normalize?: (text: string) => string;
  /** Runs per side after the sandbox is filled, before the first step. */
  setup?: (ctx: SandboxContext) => void | Promise<void>;
  /** Runs per side after the last step, even when a step failed. */
  teardown?: (ctx: SandboxContext) => void | Promise<void>;
  /** Skip this scenario (Deno.test `ignore`). */
  skip?: boolean;
  /** Run only this scenario (Deno.test `only`). */
  only?: boolean;
}

/** Which program a sandbox belongs to. */
export type Side = "sqitch" | "sqlitch";

/** Overrides for the commands run on each side (argv[0] plus leading arguments). */
export interface KitOptions {
  sqitchCmd?: string[];
  sqlitchCmd?: string[];
  /** Keep the sandboxes on disk (also with env PARITY_KEEP=1). */
  keep?: boolean;
}

/** What one invocation produced (outputs already normalised). */
export interface StepOutcome {
  code: number;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

/**
 * One sandbox entry: a file (bytes, text when valid UTF-8), directory or
 * symlink; `mode` holds the permission bits (compared when both sides have it).
 */
export type TreeEntry =
  | { kind: "file"; bytes: Uint8Array; text?: string; mode?: number }
  | { kind: "dir"; mode?: number }
  | { kind: "symlink"; target: string };

/** A sandbox tree: sandbox-relative path ("proj/sqitch.plan", "home/.sqitch/") → entry. */
export type Tree = Map<string, TreeEntry>;

/** Everything one side did. */
export interface SideRun {
  side: Side;
  cmd: string[];
  root: string;
  id: string;
  /** Whether the sandbox was left on disk (KitOptions.keep or PARITY_KEEP=1). */
  kept: boolean;
  outcomes: StepOutcome[];
  /** trees[i] = the tree after step i (0-based); undefined where not taken. */
  trees: (Tree | undefined)[];
}

/** One way the two sides (or a side and its expectation) disagree. */
export interface Difference {
  /** 1-based step number. */
  step: number;
  argv: string[];
  what: "code" | "stdout" | "stderr" | "tree" | "sqitch";
  /** The sandbox-relative path for tree differences. */
  path?: string;
  /** One line. */
  summary: string;
  /** A diff or explanation, several lines. */
  detail: string;
}

/** The result of running a scenario on both sides. */
export interface ParityResult {
  scenario: string;
  sqitch: SideRun;
  sqlitch: SideRun;
  differences: Difference[];
}

// ---------------------------------------------------------------------------
// Constants and environment

/** The user config every sandbox HOME gets unless the scenario says otherwise. */
export const DEFAULT_USER_CONFIG = "[user]\n\tname = Parity Tester\n\temail = parity@example.com\n";

/** A convenient clock for scenarios that record timestamps (frozen). */
export const DEFAULT_CLOCK = "2026-01-02 03:04:05";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
/** The sqlitch entry point run by default. */
export const MAIN_TS = `${REPO_ROOT}/main.ts`;

const DEFAULT_TIMEOUT_MS = 60_000;

function truthyEnv(name: string): boolean {
  const v = Deno.env.get(name);
  return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
}

/** Where an executable is found on a PATH string, or undefined. */
export function which(name: string, path = Deno.env.get("PATH") ?? ""): string | undefined {
  if (name.includes("/")) return isExecutable(name) ? name : undefined;
  for (const dir of path.split(":")) {
    if (!dir) continue;
    const candidate = `${dir}/${name}`;
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** The command the sqitch side runs by default. */
export function defaultSqitchCmd(): string[] {
  return ["sqitch"];
}

/** The command the sqlitch side runs by default ($SQLITCH_BIN or deno run main.ts). */
export function defaultSqlitchCmd(): string[] {
  const bin = Deno.env.get("SQLITCH_BIN");
  if (bin) return [bin];
  return [Deno.execPath(), "run", "--allow-all", "--frozen", "--quiet", MAIN_TS];
}

/** What the parity tests should do on this machine. */
export type Availability =
  | { status: "ok" }
  | { status: "skip"; reason: string }
  | { status: "fail"; reason: string };

/** Decide from the facts (pure, for testing): run, skip, or fail. */
export function decideAvailability(
  facts: { ci: boolean; missing: string[] },
): Availability {
  if (facts.missing.length === 0) return { status: "ok" };
  const reason = `parity tests need ${facts.missing.join(" and ")} on PATH ` +
    `(Debian: apt-get install sqitch libdbd-sqlite3-perl faketime)`;
  return facts.ci ? { status: "fail", reason } : { status: "skip", reason };
}

const bannersShown = new Set<string>();

/** libfaketime, as Debian installs it (the `faketime` package). */
function libfaketime(): string {
  for (const dir of ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"]) {
    const path = `${dir}/faketime/libfaketime.so.1`;
    try {
      Deno.statSync(path);
      return path;
    } catch {
      // try the next location
    }
  }
  return "libfaketime.so.1";
}

/**
 * The environment that runs a program at a fixed clock: libfaketime
 * preloaded directly, not through the `faketime` wrapper, whose named
 * semaphores collide when many sandboxes run at once ("sem_open: File
 * exists"). Monotonic time is left alone so Deno's timers still fire.
 */
export function fakeClockEnv(clock: string): Record<string, string> {
  return {
    LD_PRELOAD: libfaketime(),
    FAKETIME: clock,
    FAKETIME_DONT_FAKE_MONOTONIC: "1",
  };
}

/**
 * Whether real Sqitch (and, when `needs` says so, faketime) can be run
 * here. When not, prints a loud banner once per reason; under CI the
 * status is "fail" instead of "skip".
 */
export function parityAvailability(needs: string[] = ["sqitch"]): Availability {
  const missing = needs.filter((n) => !which(n));
  const availability = decideAvailability({ ci: truthyEnv("CI"), missing });
  if (availability.status !== "ok" && !bannersShown.has(availability.reason)) {
    bannersShown.add(availability.reason);
    const line = "!".repeat(78);
    const verb = availability.status === "fail" ? "FAILING (CI is set)" : "SKIPPED";
    console.error(`\n${line}\n!! PARITY TESTS ${verb}: ${availability.reason}\n${line}\n`);
  }
  return availability;
}

// ---------------------------------------------------------------------------
// Small utilities

/** Split a command line the way a POSIX shell would (quotes and backslashes; no expansion). */
export function shellSplit(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in: ${line}`);
      cur += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === "\\" && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1])) {
          cur += line[i + 1];
          i += 2;
        } else {
          cur += line[i++];
        }
      }
      if (i >= line.length) throw new Error(`unterminated " in: ${line}`);
      inWord = true;
      i++;
    } else if (c === "\\") {
      if (i + 1 < line.length) cur += line[i + 1];
      inWord = true;
      i += 2;
    } else if (c === " " || c === "\t" || c === "\n") {
      if (inWord) out.push(cur);
      cur = "";
      inWord = false;
      i++;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** Quote argv for display, shell-style. */
export function shellQuote(argv: string[]): string {
  return argv.map((a) => /^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)
    .join(" ");
}

function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      if (glob[i + 2] === "/") {
        re += "(?:.*/)?";
        i += 2;
      } else {
        re += ".*";
        i++;
      }
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}/?$`);
}

function normaliseStep(input: StepInput): Step {
  if (typeof input === "string") return { argv: shellSplit(input) };
  if (Array.isArray(input)) return { argv: input };
  return input;
}

function stepArgv(step: Step): string[] {
  return typeof step.argv === "string" ? shellSplit(step.argv) : step.argv;
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });
const lenientDecoder = new TextDecoder();

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// ---------------------------------------------------------------------------
// Sandboxes

interface Sandbox {
  side: Side;
  root: string;
  /** Spellings of the root to map back to <SANDBOX>, longest first. */
  roots: string[];
  proj: string;
  home: string;
  id: string;
}

async function makeSandbox(side: Side): Promise<Sandbox> {
  const id = `p${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}${
    side === "sqitch" ? "a" : "b"
  }`;
  const root = await Deno.makeTempDir({ prefix: `sqlitch-parity-${id}-` });
  const real = await Deno.realPath(root);
  const roots = [...new Set([root, real])].sort((a, b) => b.length - a.length);
  const proj = `${root}/proj`;
  const home = `${root}/home`;
  await Deno.mkdir(proj);
  await Deno.mkdir(home);
  return { side, root, roots, proj, home, id };
}

function expand(text: string, sb: Sandbox): string {
  return text.replaceAll("<SANDBOX>", sb.root).replaceAll("<ID>", sb.id);
}

function normalise(text: string, sb: Sandbox, extra?: (t: string) => string): string {
  let out = text;
  for (const r of sb.roots) out = out.replaceAll(r, "<SANDBOX>");
  out = out.replaceAll(sb.id, "<ID>");
  return extra ? extra(out) : out;
}

async function writeFiles(base: string, files: Files, sb: Sandbox): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    if (rel.startsWith("/") || rel.split("/").includes("..")) {
      throw new Error(`scenario file path must stay inside its directory: ${rel}`);
    }
    const path = `${base}/${rel}`;
    const dir = path.slice(0, path.lastIndexOf("/"));
    await Deno.mkdir(dir, { recursive: true });
    if (rel.endsWith("/")) continue; // a bare directory
    const bytes = typeof content === "string" ? encoder.encode(expand(content, sb)) : content;
    await Deno.writeFile(path, bytes);
  }
}

async function fillSandbox(sb: Sandbox, sc: Scenario): Promise<void> {
  const userConfig = sc.userConfig === undefined ? DEFAULT_USER_CONFIG : sc.userConfig;
  if (userConfig !== null) await writeFiles(sb.home, { ".sqitch/sqitch.conf": userConfig }, sb);
  if (sc.homeFiles) await writeFiles(sb.home, sc.homeFiles, sb);
  if (sc.systemConfig !== undefined) {
    await writeFiles(`${sb.root}/etc`, { "sqitch.conf": sc.systemConfig }, sb);
  }
  if (sc.files) await writeFiles(sb.proj, sc.files, sb);
}

function baseEnv(sb: Sandbox, sc: Scenario, cmd: string[]): Record<string, string> {
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: sb.home,
    TZ: "UTC",
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    SQITCH_SYSTEM_CONFIG: `${sb.root}/etc/sqitch.conf`,
  };
  // A `deno run` side must not put Deno's cache into the sandbox HOME.
  if (cmd[0] === Deno.execPath() || /(^|\/)deno$/.test(cmd[0])) {
    env.DENO_DIR = Deno.env.get("DENO_DIR") ??
      `${Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME") ?? "/root"}/.cache`}/deno`;
    env.DENO_NO_UPDATE_CHECK = "1";
  }
  applyEnv(env, sc.env, sb);
  return env;
}

function applyEnv(
  env: Record<string, string>,
  extra: Record<string, string | null> | undefined,
  sb: Sandbox,
): void {
  for (const [k, v] of Object.entries(extra ?? {})) {
    if (v === null) delete env[k];
    else env[k] = expand(v, sb);
  }
}

// ---------------------------------------------------------------------------
// Running

async function runOne(
  cmd: string[],
  argv: string[],
  opts: { cwd: string; env: Record<string, string>; stdin: string; timeoutMs: number },
): Promise<
  { code: number; signal: string | null; stdout: Uint8Array; stderr: Uint8Array; timedOut: boolean }
> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, opts.timeoutMs);
  try {
    const child = new Deno.Command(cmd[0], {
      args: [...cmd.slice(1), ...argv],
      cwd: opts.cwd,
      env: opts.env,
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      signal: controller.signal,
    }).spawn();
    const feeding = (async () => {
      const writer = child.stdin.getWriter();
      try {
        if (opts.stdin) await writer.write(encoder.encode(opts.stdin));
        await writer.close();
      } catch {
        // The program exited without reading all of its stdin: fine.
      }
    })();
    const out = await child.output();
    await feeding;
    return {
      code: out.code,
      signal: out.signal,
      stdout: out.stdout,
      stderr: out.stderr,
      timedOut,
    };
  } catch (e) {
    return {
      code: -1,
      signal: null,
      stdout: new Uint8Array(),
      stderr: encoder.encode(`<parity kit: cannot start ${shellQuote(cmd)}: ${e}>\n`),
      timedOut,
    };
  } finally {
    clearTimeout(timer);
  }
}

async function snapshot(
  sb: Sandbox,
  ignore: RegExp[],
  extra?: (t: string) => string,
): Promise<Tree> {
  const tree: Tree = new Map();
  const walk = async (abs: string, rel: string) => {
    const names: string[] = [];
    for await (const e of Deno.readDir(abs)) names.push(e.name);
    names.sort();
    for (const name of names) {
      const childAbs = `${abs}/${name}`;
      const childRel = rel ? `${rel}/${name}` : name;
      const info = await Deno.lstat(childAbs);
      const key = info.isDirectory ? `${childRel}/` : childRel;
      if (ignore.some((re) => re.test(key) || re.test(childRel))) continue;
      if (info.isSymlink) {
        tree.set(key, { kind: "symlink", target: normalise(await Deno.readLink(childAbs), sb) });
      } else if (info.isDirectory) {
        tree.set(key, { kind: "dir", mode: (info.mode ?? 0) & 0o7777 });
        await walk(childAbs, childRel);
      } else {
        const raw = await Deno.readFile(childAbs);
        let text: string | undefined;
        try {
          text = normalise(strictDecoder.decode(raw), sb, extra);
        } catch {
          text = undefined;
        }
        tree.set(key, {
          kind: "file",
          mode: (info.mode ?? 0) & 0o7777,
          bytes: text === undefined ? raw : encoder.encode(text),
          text,
        });
      }
    }
  };
  await walk(sb.root, "");
  return tree;
}

async function runSide(
  side: Side,
  cmd: string[],
  sc: Scenario,
  steps: Step[],
  keep: boolean,
): Promise<SideRun> {
  const sb = await makeSandbox(side);
  const ignore = (sc.ignorePaths ?? []).map((p) => typeof p === "string" ? globToRegExp(p) : p);
  const trees = sc.trees ?? "each";
  const run: SideRun = {
    side,
    cmd,
    root: sb.root,
    id: sb.id,
    kept: keep,
    outcomes: [],
    trees: [],
  };
  const env = baseEnv(sb, sc, cmd);
  const ctx: SandboxContext = { side, root: sb.root, proj: sb.proj, home: sb.home, id: sb.id, env };
  try {
    await fillSandbox(sb, sc);
    await sc.setup?.(ctx);
    for (const [i, step] of steps.entries()) {
      const stepEnv = { ...env };
      applyEnv(stepEnv, step.env, sb);
      const full = cmd;
      if (sc.clock !== undefined) Object.assign(stepEnv, fakeClockEnv(sc.clock));
      const started = performance.now();
      const r = await runOne(full, stepArgv(step).map((a) => expand(a, sb)), {
        cwd: step.cwd ? `${sb.proj}/${step.cwd}` : sb.proj,
        env: stepEnv,
        stdin: step.stdin === undefined ? "" : expand(step.stdin, sb),
        timeoutMs: step.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      });
      run.outcomes.push({
        code: r.code,
        signal: r.signal,
        stdout: normalise(lenientDecoder.decode(r.stdout), sb, sc.normalize),
        stderr: normalise(lenientDecoder.decode(r.stderr), sb, sc.normalize),
        timedOut: r.timedOut,
        ms: Math.round(performance.now() - started),
      });
      const last = i === steps.length - 1;
      const take = step.compareTree ?? (trees === "each" || (trees === "final" && last));
      run.trees.push(take ? await snapshot(sb, ignore, sc.normalize) : undefined);
    }
  } finally {
    try {
      await sc.teardown?.(ctx);
    } finally {
      if (!keep) await Deno.remove(sb.root, { recursive: true }).catch(() => {});
    }
  }
  return run;
}

/** Run a scenario on both sides (concurrently) and collect every difference. */
export async function runScenario(sc: Scenario, options: KitOptions = {}): Promise<ParityResult> {
  const steps = sc.steps.map(normaliseStep);
  const keep = options.keep ?? truthyEnv("PARITY_KEEP");
  const [a, b] = await Promise.all([
    runSide("sqitch", options.sqitchCmd ?? defaultSqitchCmd(), sc, steps, keep),
    runSide("sqlitch", options.sqlitchCmd ?? defaultSqlitchCmd(), sc, steps, keep),
  ]);
  return { scenario: sc.name, sqitch: a, sqlitch: b, differences: compareRuns(steps, a, b) };
}

// ---------------------------------------------------------------------------
// Comparing

function matches(actual: string, expected: OutputExpectation): boolean {
  return typeof expected === "string" ? actual === expected : expected.test(actual);
}

function describeExpectation(e: OutputExpectation): string {
  return typeof e === "string" ? e : `a match for ${e}\n`;
}

function compareRuns(steps: Step[], a: SideRun, b: SideRun): Difference[] {
  const diffs: Difference[] = [];
  for (const [i, step] of steps.entries()) {
    const argv = stepArgv(step);
    const n = i + 1;
    const sa = a.outcomes[i];
    const sb = b.outcomes[i];
    if (!sa || !sb) break;
    const stderrs = `sqitch stderr:\n${indent(sa.stderr)}\nsqlitch stderr:\n${indent(sb.stderr)}`;
    for (const [side, o] of [["sqitch", sa], ["sqlitch", sb]] as const) {
      if (o.timedOut) {
        diffs.push({
          step: n,
          argv,
          what: side === "sqitch" ? "sqitch" : "code",
          summary: `${side} timed out (killed after ${step.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms)`,
          detail: stderrs,
        });
      }
    }
    // Sqitch's side, as the scenario documents it.
    const es: Expectation = { ...step.expectSqitch };
    if (step.sqitchCode !== undefined) es.code = step.sqitchCode;
    if (es.code !== undefined && sa.code !== es.code) {
      diffs.push({
        step: n,
        argv,
        what: "sqitch",
        summary: `sqitch exited ${sa.code}, the scenario says ${es.code}`,
        detail: `sqitch stderr:\n${indent(sa.stderr)}`,
      });
    }
    for (const stream of ["stdout", "stderr"] as const) {
      const want = es[stream];
      if (want !== undefined && !matches(sa[stream], want)) {
        diffs.push({
          step: n,
          argv,
          what: "sqitch",
          summary: `sqitch ${stream} is not what the scenario says`,
          detail: textDiff(describeExpectation(want), sa[stream], "scenario", "sqitch"),
        });
      }
    }
    // sqlitch's side: an explicit expectation, or equal to Sqitch.
    const ex = step.expectSqlitch ?? {};
    const wantCode = ex.code ?? sa.code;
    if (sb.code !== wantCode) {
      diffs.push({
        step: n,
        argv,
        what: "code",
        summary: ex.code !== undefined
          ? `sqlitch exited ${sb.code}, the scenario says ${ex.code}`
          : `exit code: sqitch ${sa.code}, sqlitch ${sb.code}${sb.signal ? ` (${sb.signal})` : ""}`,
        detail: stderrs,
      });
    }
    for (const stream of ["stdout", "stderr"] as const) {
      const want = ex[stream];
      if (want !== undefined) {
        if (!matches(sb[stream], want)) {
          diffs.push({
            step: n,
            argv,
            what: stream,
            summary: `sqlitch ${stream} is not what the scenario says`,
            detail: textDiff(describeExpectation(want), sb[stream], "scenario", "sqlitch"),
          });
        }
      } else if (sa[stream] !== sb[stream]) {
        diffs.push({
          step: n,
          argv,
          what: stream,
          summary: `${stream} differs`,
          detail: textDiff(sa[stream], sb[stream], "sqitch", "sqlitch"),
        });
      }
    }
    const ta = a.trees[i];
    const tb = b.trees[i];
    if (ta && tb) {
      for (const d of compareTrees(ta, tb)) diffs.push({ step: n, argv, what: "tree", ...d });
    }
  }
  return diffs;
}

/** Compare two normalised trees; one entry per differing path, sorted by path. */
export function compareTrees(
  a: Tree,
  b: Tree,
): { path: string; summary: string; detail: string }[] {
  const out: { path: string; summary: string; detail: string }[] = [];
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  for (const path of paths) {
    const ea = a.get(path);
    const eb = b.get(path);
    if (!ea || !eb) {
      const who = ea ? "sqitch" : "sqlitch";
      const e = (ea ?? eb)!;
      out.push({
        path,
        summary: `${path}: only in ${who}'s sandbox`,
        detail: e.kind === "file" && e.text !== undefined
          ? `${who} wrote:\n${indent(e.text)}`
          : `${who} has a ${e.kind}`,
      });
      continue;
    }
    if (ea.kind !== eb.kind) {
      out.push({
        path,
        summary: `${path}: a ${ea.kind} for sqitch, a ${eb.kind} for sqlitch`,
        detail: "",
      });
    } else if (ea.kind === "symlink" && eb.kind === "symlink") {
      if (ea.target !== eb.target) {
        out.push({
          path,
          summary: `${path}: symlink targets differ`,
          detail: `sqitch -> ${ea.target}\nsqlitch -> ${eb.target}`,
        });
      }
    } else if (ea.kind === "file" && eb.kind === "file" && !bytesEqual(ea.bytes, eb.bytes)) {
      out.push({
        path,
        summary: `${path}: contents differ`,
        detail: ea.text !== undefined && eb.text !== undefined
          ? textDiff(ea.text, eb.text, `sqitch/${path}`, `sqlitch/${path}`)
          : binaryDiff(ea.bytes, eb.bytes),
      });
    } else if (
      (ea.kind === "file" || ea.kind === "dir") && (eb.kind === "file" || eb.kind === "dir") &&
      ea.mode !== undefined && eb.mode !== undefined && ea.mode !== eb.mode
    ) {
      const octal = (m: number) => `0${m.toString(8).padStart(3, "0")}`;
      out.push({
        path,
        summary: `${path}: mode ${octal(ea.mode)} for sqitch, ${octal(eb.mode)} for sqlitch`,
        detail: "",
      });
    }
  }
  return out;
}

function binaryDiff(a: Uint8Array, b: Uint8Array): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return `binary contents differ: sqitch ${a.length} bytes, sqlitch ${b.length} bytes, ` +
    `first difference at byte ${i}`;
}

function indent(text: string): string {
  if (text === "") return "    (empty)";
  return text.replace(/\n$/, "").split("\n").map((l) => `    ${visible(l)}`).join("\n");
}

/** Escape control characters (tabs show as \t) and mark trailing blanks, so byte differences show. */
function visible(line: string): string {
  // deno-lint-ignore no-control-regex
  const escaped = line.replace(/[\x00-\x1f\x7f]/g, (c) => {
    if (c === "\t") return "\\t";
    if (c === "\r") return "\\r";
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
  return /[ \u00a0]$/.test(escaped) ? `${escaped}⏎` : escaped;
}

/**
 * A unified diff of two texts (3 lines of context, at most `maxLines` lines
 * shown). Control characters are escaped; a missing final newline is noted.
 */
export function textDiff(a: string, b: string, nameA = "a", nameB = "b", maxLines = 80): string {
  if (a === b) return "(identical)";
  const la = splitLines(a);
  const lb = splitLines(b);
  const ops = diffLines(la.keys, lb.keys);
  const out = [`--- ${nameA}`, `+++ ${nameB}`];
  const ctx = 3;
  const changes = ops.flatMap((o, k) => o.op === " " ? [] : [k]);
  let c = 0;
  while (c < changes.length) {
    let last = c;
    while (last + 1 < changes.length && changes[last + 1] - changes[last] <= 2 * ctx + 1) last++;
    const hunk = ops.slice(
      Math.max(0, changes[c] - ctx),
      Math.min(ops.length, changes[last] + ctx + 1),
    );
    const aFirst = hunk.find((o) => o.ai >= 0)?.ai;
    const bFirst = hunk.find((o) => o.bi >= 0)?.bi;
    const aLen = hunk.filter((o) => o.op !== "+").length;
    const bLen = hunk.filter((o) => o.op !== "-").length;
    out.push(
      `@@ -${aFirst === undefined ? 0 : aFirst + 1},${aLen} +${
        bFirst === undefined ? 0 : bFirst + 1
      },${bLen} @@`,
    );
    for (const o of hunk) {
      const fromB = o.op === "+";
      const side = fromB ? lb : la;
      const index = fromB ? o.bi : o.ai;
      out.push(`${o.op}${visible(side.lines[index])}`);
      if (index === side.lines.length - 1 && !side.finalNewline) {
        out.push("\\ No newline at end of file");
      }
    }
    c = last + 1;
  }
  if (out.length > maxLines) {
    return [...out.slice(0, maxLines), `... (${out.length - maxLines} more diff lines)`].join("\n");
  }
  return out.join("\n");
}

/** Lines of a text; `keys` mark a last line lacking its newline so that it never equals one that has it. */
function splitLines(text: string): { lines: string[]; keys: string[]; finalNewline: boolean } {
  if (text === "") return { lines: [], keys: [], finalNewline: true };
  const finalNewline = text.endsWith("\n");
  const lines = (finalNewline ? text.slice(0, -1) : text).split("\n");
  const keys = finalNewline ? lines : [...lines.slice(0, -1), `${lines[lines.length - 1]}\u0000`];
  return { lines, keys, finalNewline };
}

interface Op {
  op: " " | "-" | "+";
  ai: number;
  bi: number;
}

/** Line diff by longest common subsequence (falls back to a plain replace when huge). */
function diffLines(a: string[], b: string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (
    suf < a.length - pre && suf < b.length - pre &&
    a[a.length - 1 - suf] === b[b.length - 1 - suf]
  ) suf++;
  const ops: Op[] = [];
  for (let i = 0; i < pre; i++) ops.push({ op: " ", ai: i, bi: i });
  const ma = a.slice(pre, a.length - suf);
  const mb = b.slice(pre, b.length - suf);
  if (ma.length * mb.length > 4_000_000) {
    ma.forEach((_, i) => ops.push({ op: "-", ai: pre + i, bi: -1 }));
    mb.forEach((_, i) => ops.push({ op: "+", ai: -1, bi: pre + i }));
  } else {
    const n = ma.length;
    const m = mb.length;
    const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i][j] = ma[i] === mb[j]
          ? lcs[i + 1][j + 1] + 1
          : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && ma[i] === mb[j]) {
        ops.push({ op: " ", ai: pre + i++, bi: pre + j++ });
      } else if (j < m && (i >= n || lcs[i][j + 1] >= lcs[i + 1][j])) {
        ops.push({ op: "+", ai: -1, bi: pre + j++ });
      } else {
        ops.push({ op: "-", ai: pre + i++, bi: -1 });
      }
    }
    // Prefer "-" before "+" within a change block, as diff(1) does.
    for (let s = 0; s < ops.length;) {
      if (ops[s].op === " ") {
        s++;
        continue;
      }
      let e = s;
      while (e < ops.length && ops[e].op !== " ") e++;
      const block = ops.slice(s, e);
      ops.splice(
        s,
        e - s,
        ...block.filter((o) => o.op === "-"),
        ...block.filter((o) => o.op === "+"),
      );
      s = e;
    }
  }
  for (let i = 0; i < suf; i++) {
    ops.push({ op: " ", ai: a.length - suf + i, bi: b.length - suf + i });
  }
  return ops;
}

// ---------------------------------------------------------------------------
// Reporting and registration

/** A readable report: the first difference in full, then a list of the others. */
export function formatReport(result: ParityResult, maxOthers = 25): string {
  const { differences: ds } = result;
  if (ds.length === 0) return `parity: ${result.scenario}: no differences`;
  const first = ds[0];
  const lines = [
    `parity: ${result.scenario}: ${ds.length} difference(s)`,
    `first, at step ${first.step} \`${shellQuote(first.argv)}\`: ${first.summary}`,
  ];
  if (first.detail) lines.push(first.detail);
  if (ds.length > 1) {
    lines.push("", "others:");
    for (const d of ds.slice(1, 1 + maxOthers)) {
      lines.push(`  step ${d.step} \`${shellQuote(d.argv)}\`: ${d.summary}`);
    }
    if (ds.length > 1 + maxOthers) lines.push(`  ... and ${ds.length - 1 - maxOthers} more`);
  }
  lines.push(
    "",
    `commands: sqitch = ${shellQuote(result.sqitch.cmd)}; sqlitch = ${
      shellQuote(result.sqlitch.cmd)
    }`,
  );
  return lines.join("\n");
}

/** Throw an AssertionError with the report when the result has differences. */
export function assertParity(result: ParityResult): void {
  if (result.differences.length > 0) {
    throw new AssertionError({ message: formatReport(result) });
  }
}

/** Register one scenario as a Deno test named "parity: <name>". */
export function parityTest(scenario: Scenario, options: KitOptions = {}): void {
  const availability = parityAvailability(
    scenario.clock === undefined ? ["sqitch"] : ["sqitch", "faketime"],
  );
  Deno.test({
    name: `parity: ${scenario.name}`,
    ignore: scenario.skip || availability.status === "skip",
    only: scenario.only ?? false,
    // Each side's subprocesses and sandboxes are awaited and removed before returning.
    sanitizeResources: true,
    sanitizeOps: true,
    fn: async () => {
      if (availability.status === "fail") throw new Error(availability.reason);
      assertParity(await runScenario(scenario, options));
    },
  });
}

/** Register many scenarios at once. */
export function parityTests(scenarios: Scenario[], options: KitOptions = {}): void {
  const seen = new Set<string>();
  for (const sc of scenarios) {
    if (seen.has(sc.name)) throw new Error(`duplicate parity scenario name: ${sc.name}`);
    seen.add(sc.name);
    parityTest(sc, options);
  }
}

// ---------------------------------------------------------------------------
// Shared sandboxes: both programs taking turns in ONE sandbox (turn-taking
// suites). Everything above runs each side in a sandbox of its own; these
// exports give a single sandbox, laid out and populated the same way, in
// which either program can be run, one invocation at a time.

/** One sandbox that both programs run in. */
export interface SharedSandbox {
  root: string;
  proj: string;
  home: string;
  /** The unique identifier substituted for `<ID>`. */
  id: string;
  /** The environment every invocation gets (before per-run overrides). */
  env: Record<string, string>;
  /** The command each program runs as. */
  cmds: Record<Side, string[]>;
  keep: boolean;
}

/** What a shared sandbox starts with (the sandbox-shaping subset of `Scenario`). */
export type SharedSandboxSpec = Pick<
  Scenario,
  "files" | "homeFiles" | "userConfig" | "systemConfig" | "env"
>;

/** Create and fill a shared sandbox (remove it with `removeSharedSandbox`). */
export async function makeSharedSandbox(
  spec: SharedSandboxSpec,
  options: KitOptions = {},
): Promise<SharedSandbox> {
  const cmds: Record<Side, string[]> = {
    sqitch: options.sqitchCmd ?? defaultSqitchCmd(),
    sqlitch: options.sqlitchCmd ?? defaultSqlitchCmd(),
  };
  const sb = await makeSandbox("sqlitch");
  const sc: Scenario = { name: "shared", steps: [], ...spec };
  await fillSandbox(sb, sc);
  // Built for the sqlitch command so a `deno run` side keeps its cache out of HOME.
  const env = baseEnv(sb, sc, cmds.sqlitch);
  const keep = options.keep ?? truthyEnv("PARITY_KEEP");
  return { root: sb.root, proj: sb.proj, home: sb.home, id: sb.id, env, cmds, keep };
}

/** Remove a shared sandbox (unless it is to be kept). */
export async function removeSharedSandbox(sb: SharedSandbox): Promise<void> {
  if (!sb.keep) await Deno.remove(sb.root, { recursive: true }).catch(() => {});
}

/** Run one program once in a shared sandbox; outputs normalised as the kit does. */
export async function runShared(
  sb: SharedSandbox,
  side: Side,
  argv: string[] | string,
  opts: {
    env?: Record<string, string | null>;
    stdin?: string;
    cwd?: string;
    clock?: string;
    timeoutMs?: number;
  } = {},
): Promise<StepOutcome> {
  const inner: Sandbox = {
    side,
    root: sb.root,
    roots: [...new Set([sb.root, Deno.realPathSync(sb.root)])].sort((a, b) => b.length - a.length),
    proj: sb.proj,
    home: sb.home,
    id: sb.id,
  };
  const env = { ...sb.env };
  applyEnv(env, opts.env, inner);
  if (opts.clock !== undefined) Object.assign(env, fakeClockEnv(opts.clock));
  const args = typeof argv === "string" ? shellSplit(argv) : argv;
  const started = performance.now();
  const r = await runOne(sb.cmds[side], args.map((a) => expand(a, inner)), {
    cwd: opts.cwd ? `${sb.proj}/${opts.cwd}` : sb.proj,
    env,
    stdin: opts.stdin === undefined ? "" : expand(opts.stdin, inner),
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  return {
    code: r.code,
    signal: r.signal,
    stdout: normalise(lenientDecoder.decode(r.stdout), inner),
    stderr: normalise(lenientDecoder.decode(r.stderr), inner),
    timedOut: r.timedOut,
    ms: Math.round(performance.now() - started),
  };
}
