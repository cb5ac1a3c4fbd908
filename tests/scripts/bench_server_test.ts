/**
 * The server benchmarks (scripts/bench_pg.ts, scripts/bench_mysql.ts) read
 * their options before any work: `--help` prints the usage and exits 0, a
 * bad option exits 2 with the reason — neither touches a database (the
 * test servers' ports point nowhere here).
 */
import { match, strictEqual } from "node:assert/strict";

const root = new URL("../../", import.meta.url).pathname;
const dec = new TextDecoder();

/** Run a benchmark script with `args`, its servers unreachable. */
async function bench(script: string, args: string[]) {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${root}scripts/${script}`, ...args],
    env: {
      SQLITCH_TEST_PG_PORT: "1",
      SQLITCH_TEST_MYSQL_PORT: "1",
      PATH: "/nonexistent", // no psql, no sqitch
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
}

for (const script of ["bench_pg.ts", "bench_mysql.ts"]) {
  Deno.test(`${script}: --help prints the usage, exit 0, before any work`, async () => {
    const r = await bench(script, ["--help"]);
    strictEqual(r.code, 0, r.stderr);
    match(r.stdout, new RegExp(`^Usage: deno run --allow-all scripts/${script} \\[--changes N\\]`));
    strictEqual(r.stderr, "");
  });

  Deno.test(`${script}: an unknown option or a bad count is one reason and the usage, exit 2`, async () => {
    const unknown = await bench(script, ["--bogus"]);
    strictEqual(unknown.code, 2);
    match(unknown.stderr, /^Unknown option '--bogus'\nUsage: /);
    const zero = await bench(script, ["--runs", "0"]);
    strictEqual(zero.code, 2);
    match(zero.stderr, /^--runs takes a whole number ≥ 1\nUsage: /);
  });
}
