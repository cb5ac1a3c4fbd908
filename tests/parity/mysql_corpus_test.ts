/**
 * The mysql-client corpus (tests/fixtures/mysql_corpus: tricky scripts —
 * DELIMITER blocks with procedures, functions and triggers, `source` in
 * its forms, executable comments, strings with `;` and backslashes,
 * errors after output, client commands…) deployed by real Sqitch, which
 * runs the `mysql` client, and by sqlitch with no client to run: on
 * sqlitch's side PATH starts with a fake `mysql` and `mariadb` that record
 * any call and fail loudly, and the test fails if either was called. Each
 * corpus script is the only change of its own project (plans/NAME.plan)
 * deployed to its own database (all projects share the registry
 * `<ID>_reg`); every step's output and exit code, and every database
 * (registry rows, mysqldump of the targets with routines and triggers)
 * must be the same.
 *
 * The two scripts the emulation refuses on purpose (unsupported_*.sql) are
 * left out.
 */
import { fileURLToPath } from "node:url";
import type { SandboxContext, Scenario, Step } from "./kit.ts";
import { mysqlParityTest, mysqlUri } from "./mysql_kit.ts";
import { createDatabase } from "../engines/mysql_server.ts";

const CORPUS = fileURLToPath(new URL("../fixtures/mysql_corpus/", import.meta.url));

const SCRIPTS = [...Deno.readDirSync(CORPUS)]
  .filter((e) => e.isFile && e.name.endsWith(".sql") && !e.name.startsWith("unsupported_"))
  .map((e) => e.name.replace(/\.sql$/, ""))
  .sort();

/** The corpus's `--set` variables (as in tests/engines/mysql_corpus_test.ts). */
const VARIABLES: [string, string][] = [
  ["back", "a\\b"],
  ["greeting", "hello world"],
  ["quote", "it's"],
  ["semi", "select 'from a variable';"],
  ["tbl", "vt"],
  ['we"ird', "odd name"],
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
  const out: Record<string, string> = {
    "sqitch.conf": '[core]\n\tengine = mysql\n[engine "mysql"]\n\tregistry = <ID>_reg\n',
  };
  // `source inc/…` is relative to the working directory (the project).
  for (const [rel, text] of Object.entries(tree(`${CORPUS}inc`))) out[`inc/${rel}`] = text;
  for (const name of SCRIPTS) {
    out[`plans/${name}.plan`] = `%syntax-version=1.0.0\n%project=${name}\n\n` +
      `${name} 2026-01-01T00:00:00Z Ann <ann@example.com> # ${name}.sql\n`;
    out[`deploy/${name}.sql`] = Deno.readTextFileSync(`${CORPUS}${name}.sql`);
  }
  return out;
}

/** Where the fake clients record being called (outside the sandbox: not part of the trees). */
const fakeBins = new Map<string, string>();

async function setup(ctx: SandboxContext): Promise<void> {
  for (let i = 0; i < SCRIPTS.length; i++) await createDatabase(`${ctx.id}_${i}`);
  if (ctx.side !== "sqlitch") return;
  const bin = await Deno.makeTempDir({ prefix: "sqlitch-fake-mysql-" });
  for (const client of ["mysql", "mariadb"]) {
    Deno.writeTextFileSync(
      `${bin}/${client}`,
      `#!/bin/sh\necho "${client} $*" >> "${bin}/called"\n` +
        `echo "FAKE ${client.toUpperCase()} CALLED: sqlitch must not run a client" >&2\nexit 99\n`,
    );
    Deno.chmodSync(`${bin}/${client}`, 0o755);
  }
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
  if (called !== undefined) throw new Error(`sqlitch ran a client: ${called}`);
}

const steps: Step[] = SCRIPTS.map((name, i) => ({
  argv: [
    "deploy",
    "-f",
    `plans/${name}.plan`,
    mysqlUri(`<ID>_${i}`),
    ...VARIABLES.flatMap(([k, v]) => ["--set", `${k}=${v}`]),
  ],
}));

const scenario: Scenario = {
  name: `mysql corpus: ${SCRIPTS.length} scripts deployed by sqitch with mysql, sqlitch without`,
  files: files(),
  setup,
  teardown,
  steps,
  trees: "final",
};

mysqlParityTest(scenario, { createDb: false });
