/**
 * The psql corpus (tests/fixtures/psql_corpus: tricky scripts — quoting,
 * dollar quotes, COPY, \if, \gset, \gexec, \connect, errors with carets,
 * notices…) deployed by real Sqitch, which runs `psql`, and by sqlitch with
 * no `psql` to run: on sqlitch's side PATH starts with a fake `psql` that
 * records any call and fails loudly, and the test fails if it was called.
 * Each corpus script is the only change of its own project (plans/NAME.plan)
 * deployed to its own database; every step's output and exit code, and
 * every database (registry and target, pg_dump) must be the same.
 *
 * The three scripts the emulation refuses on purpose (unsupported_*.sql)
 * are left out.
 */
import { fileURLToPath } from "node:url";
import type { SandboxContext, Scenario, Step } from "./kit.ts";
import { pgParityTest, pgUri } from "./pg_kit.ts";
import { createDatabase } from "../engines/pg_server.ts";

const CORPUS = fileURLToPath(new URL("../fixtures/psql_corpus/", import.meta.url));

const SCRIPTS = [...Deno.readDirSync(CORPUS)]
  .filter((e) => e.isFile && e.name.endsWith(".sql") && !e.name.startsWith("unsupported_"))
  .map((e) => e.name.replace(/\.sql$/, ""))
  .sort();

/** The corpus's `--set` variables. */
const VARIABLES: [string, string][] = [
  ["back", "a\\b"],
  ["greeting", "hello world"],
  ["ident", 'My "Table"'],
  ["quote", "it's"],
  ["semi", "select 'from a variable';"],
  ["tbl", "vt"],
];

/** Every file below a directory, relative paths to contents. */
function tree(dir: string, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of Deno.readDirSync(dir)) {
    if (e.isDirectory) Object.assign(out, tree(`${dir}/${e.name}`, `${prefix}${e.name}/`));
    else if (e.isFile) out[`${prefix}${e.name}`] = Deno.readTextFileSync(`${dir}/${e.name}`);
  }
  return out;
}

function files(): Record<string, string> {
  const out: Record<string, string> = { "sqitch.conf": "[core]\n\tengine = pg\n" };
  const inc = tree(`${CORPUS}inc`);
  for (const [rel, text] of Object.entries(inc)) {
    // `\i inc/…` is relative to the working directory, `\ir inc/…` to the script.
    out[`inc/${rel}`] = text;
    out[`deploy/inc/${rel}`] = text;
  }
  for (const name of SCRIPTS) {
    out[`plans/${name}.plan`] = `%syntax-version=1.0.0\n%project=${name}\n\n` +
      `${name} 2026-01-01T00:00:00Z Ann <ann@example.com> # ${name}.sql\n`;
    out[`deploy/${name}.sql`] = Deno.readTextFileSync(`${CORPUS}${name}.sql`);
  }
  return out;
}

/** Where the fake psql records being called (outside the sandbox: not part of the trees). */
const fakeBins = new Map<string, string>();

async function setup(ctx: SandboxContext): Promise<void> {
  for (let i = 0; i < SCRIPTS.length; i++) await createDatabase(`${ctx.id}_${i}`);
  if (ctx.side !== "sqlitch") return;
  const bin = await Deno.makeTempDir({ prefix: "sqlitch-fake-psql-" });
  Deno.writeTextFileSync(
    `${bin}/psql`,
    `#!/bin/sh\necho "$@" >> "${bin}/called"\necho "FAKE PSQL CALLED: sqlitch must not run psql" >&2\nexit 99\n`,
  );
  Deno.chmodSync(`${bin}/psql`, 0o755);
  fakeBins.set(ctx.id, bin);
  ctx.env.PATH = `${bin}:${ctx.env.PATH}`;
}

async function teardown(ctx: SandboxContext): Promise<void> {
  const bin = fakeBins.get(ctx.id);
  if (bin === undefined) return;
  fakeBins.delete(ctx.id);
  let called: string | undefined;
  try {
    called = Deno.readTextFileSync(`${bin}/called`);
  } catch {
    // Never called: as it should be.
  }
  await Deno.remove(bin, { recursive: true });
  if (called !== undefined) throw new Error(`sqlitch ran psql: ${called}`);
}

const steps: Step[] = SCRIPTS.map((name, i) => ({
  // Generous: CREATE DATABASE and \connect steps are slow on a loaded server.
  timeoutMs: 180_000,
  argv: [
    "deploy",
    "-f",
    `plans/${name}.plan`,
    pgUri(`<ID>_${i}`),
    ...VARIABLES.flatMap(([k, v]) => ["--set", `${k}=${v}`]),
  ],
}));

const scenario: Scenario = {
  name: `pg corpus: ${SCRIPTS.length} psql scripts deployed by sqitch with psql, sqlitch without`,
  files: files(),
  setup,
  teardown,
  steps,
  trees: "final",
};

pgParityTest(scenario, { createDb: false });
