/**
 * A walk through cli.md's Appendix A (every command's usage text): each
 * text is sqlitch's usage text verbatim, and every option it lists —
 * every alias, short and long — is accepted by sqlitch (no `Unknown
 * option`, missing-argument or bad-value line), run in a sandbox project
 * with a plausible value. Where real Sqitch is installed, the same command
 * lines run through it and both must report the same option errors (none),
 * and `help` must list the same commands.
 *
 * The appendix is read from tests/fixtures/cli_appendix.md, a verbatim
 * extract of ../shared/reference/cli.md §7 (`extractAppendix` below makes
 * it; the first test checks they agree when the reference is present).
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { USAGE } from "../../commands/usage.ts";
import { parityAvailability, runScenario, type Scenario } from "../parity/kit.ts";
import { runSqlitch, withSandbox } from "./sandbox.ts";

const FIXTURE = fileURLToPath(new URL("../fixtures/cli_appendix.md", import.meta.url));
const REFERENCE = fileURLToPath(new URL("../../../shared/reference/cli.md", import.meta.url));

/** §7 of cli.md: from its heading up to the rule before §8, with one final newline. */
export function extractAppendix(cliMd: string): string {
  const start = cliMd.indexOf("## 7. Appendix A");
  if (start < 0) throw new Error("cli.md has no Appendix A");
  const end = cliMd.indexOf("\n---", start);
  return cliMd.slice(start, end < 0 ? undefined : end).replace(/\n+$/, "") + "\n";
}

/** One command's entry in the appendix. */
interface UsageEntry {
  command: string;
  /** The usage text as printed (ends with one empty line). */
  text: string;
  /** The option names of each option line (aliases together, e.g. `["-c", "--change"]`). */
  options: string[][];
}

/** Every "### `sqitch X` usage" block: its text and the option names of each line. */
export function parseAppendix(md: string): UsageEntry[] {
  const entries: UsageEntry[] = [];
  const re = /^### `sqitch (\S+)` usage\n\n```text\n([\s\S]*?)^```$/gm;
  for (const m of md.matchAll(re)) {
    const text = m[2];
    const body = text.slice(text.indexOf("\nOptions:\n"));
    const options: string[][] = [];
    for (const line of body.split("\n")) {
      const names: string[] = [];
      for (const word of line.trim().split(/\s+/)) {
        if (!word.startsWith("-")) break;
        names.push(word.replace(/,$/, ""));
      }
      if (names.length > 0) options.push(names);
    }
    entries.push({ command: m[1], text, options });
  }
  return entries;
}

/**
 * Sample values for the options that take one, per command (any alias of
 * the line may be the key); every other option is a flag.
 */
const CONNECTION: Record<string, string> = {
  "--target": "db:sqlite:other.db",
  "--registry": "sqitch",
  "--db-client": "sqlite3",
  "--db-name": "other.db",
  "--db-user": "me",
  "--db-host": "localhost",
  "--db-port": "5432",
  "--plan-file": "sqitch.plan",
  "--set": "k=v",
  "--set-revert": "k=v",
  "--set-deploy": "k=v",
  "--mode": "change",
  "--lock-timeout": "5",
};
const TARGET_CONFIG: Record<string, string> = {
  "--target": "db:sqlite:other.db",
  "--uri": "db:sqlite:other.db",
  "--registry": "sqitch",
  "--client": "sqlite3",
  "--plan-file": "other.plan",
  "--top-dir": "other",
  "--extension": "ddl",
  "--dir": "deploy=other/deploy",
  "--set": "k=v",
};
const DISPLAY: Record<string, string> = {
  "--target": "db:sqlite:flipr.db",
  "--event": "deploy",
  "--change-pattern": "u",
  "--committer-pattern": "a",
  "--planner-pattern": "a",
  "--max-count": "5",
  "--skip": "0",
  "--format": "oneline",
  "--date-format": "iso",
  "--color": "never",
  "--abbrev": "8",
  "--registry": "sqitch",
  "--db-client": "sqlite3",
  "--db-name": "flipr.db",
  "--db-user": "me",
  "--db-host": "localhost",
  "--db-port": "5432",
};
const VALUES: Record<string, Record<string, string>> = {
  add: {
    "--change": "extra",
    "--requires": "users",
    "--conflicts": "flips",
    "--set": "k=v",
    "--note": "A note.",
    "--template": "mine",
    "--template-directory": "tmpl",
    "--use": "deploy=tmpl/deploy.tmpl",
    "--with": "deploy",
    "--without": "verify",
    "--plan-file": "sqitch.plan",
  },
  bundle: { "--dest-dir": "out", "--from": "users", "--to": "flips", "--plan-file": "sqitch.plan" },
  check: { ...CONNECTION, "--project": "flipr" },
  checkout: CONNECTION,
  config: { "--file": "other.conf" },
  deploy: { ...CONNECTION, "--to-change": "users" },
  engine: TARGET_CONFIG,
  help: {},
  init: { ...TARGET_CONFIG, "--engine": "sqlite", "--uri": "https://example.com/" },
  log: DISPLAY,
  plan: DISPLAY,
  rebase: { ...CONNECTION, "--onto": "users", "--upto": "flips" },
  revert: { ...CONNECTION, "--to-change": "users" },
  rework: {
    "--change": "users",
    "--requires": "flips",
    "--conflicts": "flips",
    "--note": "A note.",
    "--plan-file": "sqitch.plan",
  },
  show: { "--target": "db:sqlite:flipr.db", "--plan-file": "sqitch.plan" },
  status: { ...CONNECTION, "--project": "flipr", "--date-format": "iso" },
  tag: { "--tag": "v9", "--change": "users", "--note": "A note.", "--plan-file": "sqitch.plan" },
  target: TARGET_CONFIG,
  upgrade: CONNECTION,
  verify: { ...CONNECTION, "--from-change": "users", "--to-change": "flips" },
};

/** The sample value of an option line, or undefined for a flag. */
function valueOf(command: string, names: readonly string[]): string | undefined {
  const table = VALUES[command] ?? {};
  for (const name of names) if (Object.hasOwn(table, name)) return table[name];
  return undefined;
}

/** Command-line words for one option name: `--x=value`, `-xvalue`, or the flag alone. */
function optionWords(name: string, value: string | undefined): string[] {
  if (value === undefined) return [name];
  return name.startsWith("--") ? [`${name}=${value}`] : [`${name}${value}`];
}

/**
 * The command lines that exercise every option of an entry: all options
 * at once, placed where the command takes them (`engine`/`target` options
 * after an action; their `-v`/`--verbose`, core options, before it).
 */
function commandLines(entry: UsageEntry): { argv: string[]; cwd?: string }[] {
  const { command } = entry;
  const words: string[] = [];
  const early: string[] = [];
  for (const names of entry.options) {
    const value = valueOf(command, names);
    for (const name of names) {
      if ((command === "engine" || command === "target") && /^(-v|--verbose)$/.test(name)) {
        early.push(name);
      } else words.push(...optionWords(name, value));
    }
  }
  switch (command) {
    case "add":
      return [{ argv: ["add", "newchange", ...words] }];
    case "checkout":
      return [{ argv: ["checkout", ...words, "main"] }];
    case "config":
      return [{ argv: ["config", ...words, "core.engine"] }];
    case "engine":
      return [
        { argv: ["engine", ...early] },
        { argv: ["engine", "add", "pg", ...words] },
      ];
    case "init":
      return [{ argv: ["init", "newproject", ...words], cwd: "fresh" }];
    case "show":
      return [{ argv: ["show", ...words, "change", "users"] }];
    case "target":
      return [
        { argv: ["target", ...early] },
        { argv: ["target", "add", "newtarget", "db:sqlite:new.db", ...words] },
      ];
    default:
      return [{ argv: [command, ...words] }];
  }
}

/** Lines saying an option was not understood (Getopt::Long's and sqlitch's). */
function optionErrors(stderr: string): string[] {
  return stderr.split("\n").filter((line) =>
    /^(?:Unknown option: |Option \S+ (?:requires an argument|does not take an argument|is ambiguous)|Option \S+, key |Value ".*" invalid for option )/
      .test(line)
  );
}

const PLAN = "%syntax-version=1.0.0\n%project=flipr\n\n" +
  "users 2024-01-02T03:04:05Z Jane Doe <jane@example.com> # Users.\n" +
  "@v1 2024-01-02T03:04:06Z Jane Doe <jane@example.com>\n" +
  "flips [users] 2024-01-02T03:04:07Z Jane Doe <jane@example.com> # Flips.\n";

/** The sandbox project, relative to proj/. */
const PROJECT: Record<string, string> = {
  "sqitch.conf": '[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:flipr.db\n',
  "sqitch.plan": PLAN,
  "deploy/users.sql": "CREATE TABLE users (id INT);\n",
  "revert/users.sql": "DROP TABLE users;\n",
  "verify/users.sql": "SELECT id FROM users WHERE 0;\n",
  "deploy/flips.sql": "CREATE TABLE flips (id INT);\n",
  "revert/flips.sql": "DROP TABLE flips;\n",
  "verify/flips.sql": "SELECT id FROM flips WHERE 0;\n",
  "other.conf": "[core]\n\tengine = sqlite\n",
  "tmpl/deploy.tmpl": "-- deploy [% change %]\n",
  "fresh/.keep": "",
};

/**
 * Options the appendix lists that Sqitch (1.3.1 and 1.6) rejects, and
 * sqlitch with it: `check --project` is in check's usage text but not
 * among its options (cli.md §5.3).
 */
const REJECTED: Record<string, string[]> = { check: ["Unknown option: project"] };

/** Editors and pagers that return at once. */
const QUIET_ENV = { EDITOR: "true", VISUAL: "true", PAGER: "cat", SQITCH_PAGER: "cat" };

const appendixText = Deno.readTextFileSync(FIXTURE);
const entries = parseAppendix(appendixText);
let referenceText: string | undefined;
try {
  referenceText = Deno.readTextFileSync(REFERENCE);
} catch {
  referenceText = undefined;
}

Deno.test({
  name: "usage appendix: the fixture is cli.md's Appendix A",
  ignore: referenceText === undefined,
  fn: () => {
    assertEquals(extractAppendix(referenceText!), appendixText);
  },
});

Deno.test("usage appendix: every command's usage text is sqlitch's, verbatim", () => {
  assertEquals(entries.map((e) => e.command), Object.keys(USAGE).sort());
  for (const entry of entries) assertEquals(USAGE[entry.command], entry.text, entry.command);
  // Sanity: the walk sees the options.
  assertEquals(entries.find((e) => e.command === "rework")?.options.slice(0, 2), [
    ["-c", "--change", "--change-name"],
    ["-r", "--requires"],
  ]);
});

for (const entry of entries) {
  const count = entry.options.reduce((n, names) => n + names.length, 0);
  Deno.test(`usage appendix: sqlitch ${entry.command} takes its ${count} listed options`, async () => {
    const files = Object.fromEntries(
      Object.entries(PROJECT).map(([rel, text]) => [`proj/${rel}`, text]),
    );
    await withSandbox(files, async (sb) => {
      for (const line of commandLines(entry)) {
        const r = await runSqlitch(
          sb,
          line.argv,
          QUIET_ENV,
          line.cwd ? `proj/${line.cwd}` : "proj",
        );
        assertEquals(
          optionErrors(r.stderr),
          REJECTED[entry.command] ?? [],
          `sqlitch ${line.argv.join(" ")}\n${r.stderr}`,
        );
      }
    });
  });
}

const availability = parityAvailability();

Deno.test({
  name: "parity: usage appendix: Sqitch accepts the same options",
  ignore: availability.status === "skip",
  fn: async () => {
    if (availability.status === "fail") throw new Error(availability.reason);
    const problems: string[] = [];
    for (const entry of entries) {
      const lines = commandLines(entry);
      const scenario: Scenario = {
        name: `usage appendix: ${entry.command}`,
        files: PROJECT,
        env: QUIET_ENV,
        trees: "none",
        steps: lines.map((l) => ({ argv: l.argv, cwd: l.cwd })),
      };
      const result = await runScenario(scenario);
      lines.forEach((line, i) => {
        const sqitch = optionErrors(result.sqitch.outcomes[i].stderr);
        const sqlitch = optionErrors(result.sqlitch.outcomes[i].stderr);
        if (sqitch.join("\n") !== sqlitch.join("\n")) {
          problems.push(
            `${line.argv.join(" ")}\n  sqitch:  ${sqitch.join(" | ")}\n  sqlitch: ${
              sqlitch.join(" | ")
            }`,
          );
        }
      });
    }
    assertEquals(problems, []);
  },
});

/** The "name  description" lines of a `help` page's command list. */
function helpCommands(text: string): string[] {
  return [...text.matchAll(/^ {2,6}([a-z]+) {2,}(\S.*)$/gm)].map((m) => `${m[1]}: ${m[2]}`);
}

Deno.test({
  name: "parity: sqlitch help lists the same commands as sqitch help",
  ignore: availability.status === "skip",
  fn: async () => {
    if (availability.status === "fail") throw new Error(availability.reason);
    const result = await runScenario({
      name: "help command list",
      trees: "none",
      steps: ["help"],
    });
    const sqitch = helpCommands(result.sqitch.outcomes[0].stdout);
    const sqlitch = helpCommands(result.sqlitch.outcomes[0].stdout);
    assertEquals(sqitch.length, 19);
    assertEquals(sqlitch, sqitch);
  },
});
