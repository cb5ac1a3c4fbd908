/**
 * sqlitch-only tests of `rebase`, `checkout` and `revert --modified`: the
 * git runner of commands/vcs.ts on a fake host (command lines, captured
 * output, Sqitch's failure messages), the plan path git is asked for, and
 * command-line outcomes that need no Sqitch (usage, engines sqlitch cannot
 * drive yet, divergences from 1.3.1's crashes). Parity with Sqitch is in
 * tests/parity/rebase_checkout_test.ts.
 */
import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import type { Host } from "../../core/host.ts";
import { SqlitchError } from "../../core/errors.ts";
import { curdirPath, gitVcs } from "../../commands/vcs.ts";
import { runSqlitch, withSandbox } from "./sandbox.ts";

Deno.test("curdirPath: File::Spec->catfile('.', file) as Perl gives it", () => {
  const cases: [string, string][] = [
    ["sqitch.plan", "./sqitch.plan"],
    ["/abs/x.plan", ".//abs/x.plan"],
    ["sub/../x.plan", "./sub/../x.plan"],
    ["./a//b.plan", "./a/b.plan"],
    ["../up.plan", "./../up.plan"],
    ["a/./b.plan", "./a/b.plan"],
  ];
  for (const [file, want] of cases) strictEqual(curdirPath(file), want, file);
});

/** A host whose shell records command lines and answers from a script. */
function fakeHost(
  answer: (line: string) => { code: number; stdout?: string; error?: string },
  programs = ["/usr/bin/git"],
) {
  const lines: string[] = [];
  const files = new Map<string, Uint8Array>();
  let n = 0;
  const host = {
    env: { PATH: "/usr/bin" },
    cwd: () => "/proj",
    fs: {
      stat: (p: string) => programs.includes(p) ? { isFile: true, isDirectory: false } : undefined,
      makeTempFile: () => `/tmp/capture${++n}`,
      readBytes: (p: string) => files.get(p),
      remove: (p: string) => void files.delete(p),
    },
    runShell(line: string) {
      lines.push(line);
      const r = answer(line);
      const m = / > '?([^' ]+)'?$/.exec(line);
      if (m && r.stdout !== undefined) files.set(m[1], new TextEncoder().encode(r.stdout));
      return Promise.resolve({ code: r.code, error: r.error });
    },
  } as unknown as Host;
  return { host, lines, files };
}

Deno.test("gitVcs: command lines, first line of rev-parse, plan bytes, temp files removed", async () => {
  const f = fakeHost((line) =>
    line.includes("rev-parse")
      ? { code: 0, stdout: "main\nextra\n" }
      : line.includes(" show ")
      ? { code: 0, stdout: "%project=x\n" }
      : { code: 0 }
  );
  const vcs = gitVcs(f.host, "git", "sub dir/sqitch.plan");
  strictEqual(await vcs.currentBranch(), "main");
  strictEqual(new TextDecoder().decode(await vcs.planOn("feat'x")), "%project=x\n");
  await vcs.checkout("feature");
  deepStrictEqual(f.lines, [
    "exec git rev-parse --abbrev-ref HEAD > /tmp/capture1",
    "exec git show 'feat'\\''x:./sub dir/sqitch.plan' > /tmp/capture2",
    "exec git checkout feature",
  ]);
  strictEqual(f.files.size, 0);
});

Deno.test("gitVcs: failures are Sqitch's runx messages with an empty line after", async () => {
  const f = fakeHost(() => ({ code: 128 }));
  const isError = (message: string) => (e: unknown) =>
    e instanceof SqlitchError && e.message === message && e.trailingBlankLine &&
    e.exitCode === 2;
  await rejects(
    gitVcs(f.host, "git", "sqitch.plan").planOn("nosuch"),
    isError('"git" unexpectedly returned exit value 128'),
  );
  strictEqual(f.files.size, 0);
  await rejects(
    gitVcs(f.host, "git --no-pager", "sqitch.plan").currentBranch(),
    isError('"git --no-pager" failed to start: "No such file or directory"'),
  );
  const g = fakeHost(() => ({ code: -1, error: "Permission denied" }));
  await rejects(
    gitVcs(g.host, "git", "sqitch.plan").checkout("x"),
    isError('"git" failed to start: "Permission denied"'),
  );
});

const CONF = '[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:flipr.db\n' +
  "[user]\n\tname = Ann\n\temail = ann@example.com\n";
const PLAN = "%syntax-version=1.0.0\n%project=flipr\n\n" +
  "users 2026-01-01T00:00:00Z Ann <ann@example.com>\n";
const FILES = {
  "proj/sqitch.conf": CONF,
  "proj/sqitch.plan": PLAN,
  "proj/deploy/users.sql": "CREATE TABLE users (id INTEGER);\n",
  "proj/revert/users.sql": "DROP TABLE users;\n",
};

Deno.test("CLI: revert -m and rebase -m with nothing deployed, where 1.3.1 crashes", async () => {
  await withSandbox(FILES, async (sb) => {
    let r = await runSqlitch(sb, ["revert", "-m", "-y"]);
    strictEqual(r.stderr, "No registry found in db:sqlite:sqitch.db. Have you ever deployed?\n");
    strictEqual(r.code, 2);
    r = await runSqlitch(sb, ["deploy"]);
    strictEqual(r.code, 0, r.stderr);
    r = await runSqlitch(sb, ["revert", "-y"]);
    strictEqual(r.code, 0, r.stderr);
    r = await runSqlitch(sb, ["revert", "-m", "-y"]);
    deepStrictEqual(r, { code: 0, stdout: "Nothing to revert (nothing deployed)\n", stderr: "" });
    r = await runSqlitch(sb, ["rebase", "-m", "-y"]);
    deepStrictEqual(r, {
      code: 0,
      stdout: "Nothing to revert (nothing deployed)\nDeploying changes to db:sqlite:flipr.db\n" +
        "  + users .. ok\n",
      stderr: "",
    });
  });
});

Deno.test("CLI: engines sqlitch cannot drive yet, checkout without a branch", async () => {
  await withSandbox(FILES, async (sb) => {
    let r = await runSqlitch(sb, ["rebase", "-y", "db:oracle://localhost/nowhere"]);
    deepStrictEqual(r, {
      code: 2,
      stdout: "",
      stderr: "sqlitch cannot rebase oracle targets yet\n",
    });
    r = await runSqlitch(sb, ["checkout", "-y", "db:oracle://localhost/nowhere", "main"]);
    strictEqual(r.stderr, "sqlitch cannot check out oracle targets yet\n");
    r = await runSqlitch(sb, ["checkout", "-y"]);
    strictEqual(r.code, 2);
    strictEqual(r.stderr.split("\n")[0], "Usage:");
    strictEqual(r.stderr.includes("sqitch checkout [options] [<database>] <branch>"), true);
  });
});
