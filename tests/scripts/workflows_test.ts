/**
 * Tests of the GitHub Actions workflows: both parse as YAML (npm:yaml, a
 * test-only dependency) and have the structure they promise. ci.yml runs
 * `.ci/run` (which runs the README's test command) with PostgreSQL and
 * MariaDB service containers on every push; release.yml, on a version tag,
 * runs ci.yml, builds the five targets natively, reruns the suite against
 * the Linux binary (SQLITCH_BIN), writes checksums and packaging files, and
 * publishes them.
 */
import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { parse } from "yaml";
import { TARGETS } from "../../scripts/compile.ts";

const read = (path: string) => Deno.readTextFileSync(new URL(`../../${path}`, import.meta.url));

// deno-lint-ignore no-explicit-any
type Yaml = any;

/** A workflow file, parsed strictly (duplicate keys and bad YAML throw). */
function workflow(name: string): Yaml {
  return parse(read(`.github/workflows/${name}`), { strict: true, uniqueKeys: true });
}

const CI = workflow("ci.yml");
const RELEASE = workflow("release.yml");

/** The shell text of all `run` steps of a job. */
const runs = (job: Yaml): string =>
  job.steps.filter((s: Yaml) => s.run).map((s: Yaml) => s.run).join("\n");

/** The step of a job that uses an action (by name without version), if any. */
const uses = (job: Yaml, action: string): Yaml =>
  job.steps.find((s: Yaml) => String(s.uses ?? "").split("@")[0] === action);

/** The test command README.md gives, which .ci/run runs. */
const TEST_COMMAND = (() => {
  const m = /^npx -y deno@[\d.]+ task test$/m.exec(read("README.md"));
  if (!m) throw new Error("README.md has no `npx -y deno@X task test` line");
  return m[0];
})();
const DENO_VERSION = /deno@([\d.]+)/.exec(TEST_COMMAND)![1];

Deno.test(".ci/run runs the README's test command with its Deno", () => {
  const script = read(".ci/run");
  ok(script.includes(TEST_COMMAND), `.ci/run runs ${TEST_COMMAND}`);
  match(script, new RegExp(`^DENO_VERSION=${DENO_VERSION.replaceAll(".", "\\.")}$`, "m"));
});

/** Checks a job has health-checked PostgreSQL and MariaDB services as .ci/run expects them. */
function checkServices(job: Yaml) {
  const { postgres, mariadb } = job.services;
  match(postgres.image, /^postgres:\d+$/);
  strictEqual(postgres.env.POSTGRES_HOST_AUTH_METHOD, "trust");
  deepStrictEqual(postgres.ports, ["5432:5432"]);
  match(postgres.options, /--health-cmd "pg_isready\b/);
  match(mariadb.image, /^mariadb:[\d.]+$/);
  strictEqual(mariadb.env.MARIADB_ALLOW_EMPTY_ROOT_PASSWORD, "1");
  deepStrictEqual(mariadb.ports, ["3306:3306"]);
  match(mariadb.options, /--health-cmd "healthcheck\.sh --connect --innodb_initialized"/);
  for (const s of [postgres, mariadb]) match(s.options, /--health-retries \d+/);
}

/** Checks a job runs .ci/run on Debian 12 (bookworm), CI set, no stdin, host network. */
function checkCiRun(job: Yaml, extraEnv: string[] = []) {
  ok(uses(job, "actions/checkout"), "checks the repository out");
  const text = runs(job);
  match(text, /docker run --rm --network host -e CI=true /);
  match(text, /node:\d+-bookworm bash -c '/);
  match(text, /exec bash \.ci\/run\n/);
  match(text, /<\/dev\/null/);
  // The PostgreSQL binaries for the TLS tests' own cluster, without a main cluster.
  match(text, /create_main_cluster = false/);
  match(text, /apt-get install -y -qq --no-install-recommends \\\n\s+postgresql /);
  for (const e of extraEnv) ok(text.includes(`-e ${e}`), `passes ${e}`);
}

Deno.test("ci.yml: every push and pull request, and callable by the release", () => {
  strictEqual(CI.name, "ci");
  deepStrictEqual(Object.keys(CI.on).sort(), ["pull_request", "push", "workflow_call"]);
  // Branches only: a tag push runs the release workflow, which calls this one.
  deepStrictEqual(CI.on.push, { branches: ["**"] });
  deepStrictEqual(CI.permissions, { contents: "read" });
});

Deno.test("ci.yml: the tests are .ci/run with the database services", () => {
  const job = CI.jobs.test;
  strictEqual(job["runs-on"], "ubuntu-24.04");
  ok(job["timeout-minutes"] <= 90);
  checkServices(job);
  checkCiRun(job);
  const logs = uses(job, "actions/upload-artifact");
  strictEqual(logs.if, "always()");
  strictEqual(logs.with.path, ".tmp/ci-*.log");
});

Deno.test("ci.yml: format, lint and type check with the same Deno", () => {
  strictEqual(runs(CI.jobs.check), `npx -y deno@${DENO_VERSION} task check`);
});

Deno.test("release.yml: version tags only; the tests are ci.yml", () => {
  strictEqual(RELEASE.name, "release");
  deepStrictEqual(RELEASE.on, { push: { tags: ["v*"] } });
  deepStrictEqual(RELEASE.permissions, { contents: "read" });
  deepStrictEqual(RELEASE.jobs.test, { uses: "./.github/workflows/ci.yml" });
  deepStrictEqual(Object.keys(RELEASE.jobs), ["test", "build", "binary-tests", "publish"]);
});

Deno.test("release.yml: the five targets, each built and smoke-tested on its own platform", () => {
  const job = RELEASE.jobs.build;
  strictEqual(job.needs, "test");
  strictEqual(job["runs-on"], "${{ matrix.os }}");
  const matrix: { target: string; os: string }[] = job.strategy.matrix.include;
  deepStrictEqual(matrix.map((m) => m.target), [...TARGETS]);
  for (const { target, os } of matrix) {
    const family = target.includes("linux")
      ? "ubuntu"
      : target.includes("apple")
      ? "macos"
      : "windows";
    ok(os.startsWith(`${family}-`), `${target} builds on ${family} (${os})`);
    const arm = target.startsWith("aarch64");
    // GitHub's macOS images are ARM unless marked -intel; the others are x86_64 unless -arm.
    const osArm = family === "macos" ? !os.endsWith("-intel") : os.endsWith("-arm");
    strictEqual(osArm, arm, `${target} runs on a matching CPU (${os})`);
  }
  const text = runs(job);
  ok(text.includes(`npm install -g deno@${DENO_VERSION}`), "the same Deno as .ci/run");
  ok(text.includes('deno task compile --target "$TARGET" --tag "$GITHUB_REF_NAME"'));
  strictEqual(job.env.TARGET, "${{ matrix.target }}");
  // The smoke test runs the binary: version, init, add, deploy, status.
  match(text, /grep -q "\(sqlitch\) v\$version " version\.txt/);
  for (
    const cmd of [
      "init flipr --engine sqlite",
      "add users",
      "deploy db:sqlite:",
      "status db:sqlite:",
    ]
  ) {
    ok(text.includes(`./bin/sqlitch$ext ${cmd}`), cmd);
  }
  // One shell on every platform (Windows included) for the build's commands.
  deepStrictEqual(job.defaults, { run: { shell: "bash" } });
  const upload = uses(job, "actions/upload-artifact");
  strictEqual(upload.with.name, "sqlitch-${{ matrix.target }}");
  strictEqual(upload.with.path, "dist/sqlitch-*");
  strictEqual(upload.with["if-no-files-found"], "error");
});

Deno.test("release.yml: the whole suite again against the Linux binary (SQLITCH_BIN)", () => {
  const job = RELEASE.jobs["binary-tests"];
  strictEqual(job.needs, "build");
  checkServices(job);
  checkCiRun(job, ["SQLITCH_BIN=/src/.tmp/bin/sqlitch"]);
  strictEqual(uses(job, "actions/download-artifact").with.name, "sqlitch-x86_64-unknown-linux-gnu");
  match(
    runs(job),
    /install -D -m 0755 "dist\/sqlitch-\$\{GITHUB_REF_NAME#v\}-x86_64-unknown-linux-gnu" \.tmp\/bin\/sqlitch/,
  );
});

Deno.test("release.yml: checksums, Homebrew formula and Scoop manifest, then publish", () => {
  const job = RELEASE.jobs.publish;
  deepStrictEqual(job.needs, ["build", "binary-tests"]);
  deepStrictEqual(job.permissions, { contents: "write" });
  const download = uses(job, "actions/download-artifact");
  deepStrictEqual(download.with, { pattern: "sqlitch-*", path: "dist", "merge-multiple": true });
  const text = runs(job);
  const order = [
    'deno task compile --sums-only --tag "$GITHUB_REF_NAME"',
    "sha256sum --check --strict SHA256SUMS",
    "deno run --allow-all scripts/packaging.ts --sums dist/SHA256SUMS",
    '--base-url "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/releases/download/$GITHUB_REF_NAME"',
    'gh release create "$GITHUB_REF_NAME" --verify-tag',
    "dist/sqlitch-* dist/SHA256SUMS dist/sqlitch.rb dist/sqlitch.json dist/release.json",
  ];
  let at = -1;
  for (const piece of order) {
    const i = text.indexOf(piece);
    ok(i > at, `"${piece}" comes next in:\n${text}`);
    at = i;
  }
  const publish = job.steps.find((s: Yaml) => s.run?.startsWith("gh release create"));
  strictEqual(publish.env.GH_TOKEN, "${{ github.token }}");
});

Deno.test("both workflows: actions pinned to a major version, every job time-limited", () => {
  for (const wf of [CI, RELEASE]) {
    for (const [name, job] of Object.entries<Yaml>(wf.jobs)) {
      if (job.uses) continue;
      ok(job["timeout-minutes"] > 0, `${name} has timeout-minutes`);
      for (const step of job.steps) {
        if (step.uses) match(step.uses, /^actions\/[a-z-]+@v\d+$/);
        ok(step.uses || step.run, `${name}: every step uses an action or runs a command`);
      }
    }
  }
  for (const text of [read(".github/workflows/ci.yml"), read(".github/workflows/release.yml")]) {
    for (const m of text.matchAll(/deno@([\d.]+)/g)) strictEqual(m[1], DENO_VERSION);
  }
});
