/**
 * `--all` and `<command>.all` (issue 7): Sqitch 1.3.1 accepts `--all` in
 * add, rework, tag and bundle, and every command that parses target
 * arguments honours `<command>.all`; its order of the targets comes from
 * Perl hash order (random per run). sqlitch's is fixed: the default target,
 * then `target.<name>.uri` targets, then `engine.<e>.target` values, then
 * `db:<e>:` for the remaining engine sections, each group in the sorted key
 * order `config --list` shows — whatever the order of the configuration
 * file, on every run. (bundle's own tests are in tests/cli/bundle_test.ts.)
 */
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { type RunResult, runSqlitch, type Sandbox, withSandbox } from "./sandbox.ts";

/** The configuration as sections, written in the order given. */
const SECTIONS: Record<string, string> = {
  core: "[core]\n\tengine = pg\n",
  pg: '[engine "pg"]\n\ttarget = zeta\n',
  zeta: '[target "zeta"]\n\turi = db:pg:zeta\n\ttop_dir = zeta\n',
  alpha: '[target "alpha"]\n\turi = db:sqlite:alpha.db\n\ttop_dir = alpha\n',
  mid: '[target "mid"]\n\turi = db:sqlite:mid.db\n\ttop_dir = mid\n',
  sqlite: '[engine "sqlite"]\n\ttop_dir = lite\n',
  mysql: '[engine "mysql"]\n\ttarget = db:mysql://h/y\n\ttop_dir = my\n',
};

/**
 * The fixed order: the default target (zeta, from engine.pg.target), the
 * named targets alpha and mid, the mysql engine's target, then db:sqlite:.
 */
const ORDER = ["zeta", "alpha", "mid", "my", "lite"];

const PLAN = "%syntax-version=1.0.0\n%project=p\n\n";

function files(sectionOrder: string[]): Record<string, string> {
  const out: Record<string, string> = {
    "proj/sqitch.conf": sectionOrder.map((s) => SECTIONS[s]).join(""),
  };
  for (const dir of ORDER) out[`proj/${dir}/sqitch.plan`] = PLAN;
  return out;
}

const FILE_ORDERS = [
  ["core", "pg", "zeta", "alpha", "mid", "sqlite", "mysql"],
  ["mysql", "sqlite", "mid", "alpha", "zeta", "pg", "core"],
  ["alpha", "mysql", "core", "mid", "sqlite", "zeta", "pg"],
];

function show(what: string, r: RunResult): string {
  return `${what}: exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
}

/** The top directories of the plan files a command's output names, in order. */
function dirsNamed(r: RunResult, pattern: RegExp): string[] {
  return [...r.stdout.matchAll(pattern)].map((m) => m[1]);
}

async function run(sb: Sandbox, args: string[]): Promise<RunResult> {
  const r = await runSqlitch(sb, args);
  strictEqual(r.code, 0, show(args.join(" "), r));
  return r;
}

for (const order of FILE_ORDERS) {
  Deno.test(`--all: add, tag, rework, <command>.all in a fixed order (file: ${order})`, async () => {
    await withSandbox(files(order), async (sb) => {
      const added = await run(sb, ["add", "x", "--all", "-n", "x"]);
      deepStrictEqual(dirsNamed(added, /^Added "x" to (\w+)\/sqitch\.plan$/gm), ORDER, "add");

      const tagged = await run(sb, ["tag", "v1", "-a", "-n", "v1"]);
      deepStrictEqual(
        dirsNamed(tagged, /^Tagged "x" with @v1 in (\w+)\/sqitch\.plan$/gm),
        ORDER,
        "tag",
      );

      const reworked = await run(sb, ["rework", "x", "--all", "-n", "again"]);
      deepStrictEqual(
        dirsNamed(reworked, /^Added "x \[x@v1\]" to (\w+)\/sqitch\.plan\.$/gm),
        ORDER,
        "rework",
      );
      deepStrictEqual(
        dirsNamed(reworked, /^ {2}\* (\w+)\/deploy\/x\.sql$/gm),
        ORDER,
        "rework files",
      );

      // tag.all = true: every target without --all.
      await Deno.writeTextFile(
        `${sb.proj}/sqitch.conf`,
        "[tag]\n\tall = true\n",
        { append: true },
      );
      const all = await run(sb, ["tag", "v2", "-n", "v2"]);
      deepStrictEqual(dirsNamed(all, /^Tagged "x" with @v2 in (\w+)\/sqitch\.plan$/gm), ORDER);

      // --all with a target argument is refused.
      const both = await runSqlitch(sb, ["tag", "v3", "--all", "alpha", "-n", "v3"]);
      strictEqual(both.code, 2, show("tag --all alpha", both));
      strictEqual(
        both.stderr,
        "Cannot specify both --all and engine, target, or plan arugments\n",
      );
    });
  });
}

Deno.test("<command>.all without a default target: the first in the fixed order is used", async () => {
  const conf = (first: string, second: string) =>
    `[target "${first}"]\n\turi = db:sqlite:${first}.db\n\tplan_file = shared.plan\n` +
    `[target "${second}"]\n\turi = db:sqlite:${second}.db\n\tplan_file = shared.plan\n` +
    "[status]\n\tall = true\n";
  for (const [first, second] of [["b", "a"], ["a", "b"]]) {
    await withSandbox(
      { "proj/sqitch.conf": conf(first, second), "proj/shared.plan": PLAN },
      async (sb) => {
        for (let i = 0; i < 2; i++) {
          const r = await runSqlitch(sb, ["status"]);
          strictEqual(r.code, 1, show("status", r));
          strictEqual(r.stdout, "# On database a\nNo changes deployed\n", show("status", r));
          strictEqual(r.stderr, "warning: Too many targets specified; connecting to a\n");
        }
        // A plan file argument names the first target using it.
        const r = await runSqlitch(sb, ["status", "shared.plan"]);
        strictEqual(r.stdout, "# On database a\nNo changes deployed\n", show("status plan", r));
        strictEqual(r.stderr, "");
      },
    );
  }
});
