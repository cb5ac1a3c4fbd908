/**
 * Bad input never crashes: each case gives a short message on stderr, exit
 * 2, no stack trace, and leaves the project exactly as it was.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { listTree, readFile, runSqlitch, type Sandbox, withSandbox } from "./sandbox.ts";

interface BadInput {
  what: string;
  files: Record<string, string>;
  args: string[];
  env?: Record<string, string>;
  /** The first stderr line. */
  message: string | RegExp;
  /** Extra usage text follows the message (Getopt-style errors). */
  usage?: boolean;
}

const CONF = "[core]\n\tengine = sqlite\n";

const CASES: BadInput[] = [
  {
    what: "malformed config line",
    files: { "proj/sqitch.conf": "[core]\n\tengine = sqlite\n\td = \\z\n" },
    args: ["config", "core.engine", "pg"],
    message:
      /^Error parsing \/.*\/proj\/sqitch\.conf at line 3, position 1\. Bad line was: '\td = \\z'$/,
  },
  {
    what: "unknown option",
    files: { "proj/sqitch.conf": CONF },
    args: ["config", "--zzz", "core.engine", "pg"],
    message: "Unknown option: zzz",
    usage: true,
  },
  {
    what: "unknown command",
    files: { "proj/sqitch.conf": CONF },
    args: ["frobnicate"],
    message: '"frobnicate" is not a valid command',
    usage: true,
  },
  {
    what: "missing option value",
    files: { "proj/sqitch.conf": CONF },
    args: ["target", "add", "prod", "db:sqlite:x.db", "--registry"],
    message: "Option registry requires an argument",
    usage: true,
  },
  {
    what: "bad compat value",
    files: { "proj/sqitch.conf": "[core]\n\tcompat = sqlitchy\n" },
    args: ["config", "core.engine", "pg"],
    message:
      /^Invalid core\.compat value "sqlitchy" in .*sqitch\.conf: must be "sqitch" or "sqlitch"$/,
  },
  {
    what: "both config files present",
    files: { "proj/sqitch.conf": CONF, "proj/sqlitch.conf": CONF },
    args: ["target", "add", "prod", "db:sqlite:x.db"],
    message: /^Found both .*\/sqlitch\.conf and .*\/sqitch\.conf; remove one of them$/,
  },
  {
    what: "unwritable directory",
    files: {
      "proj/sqitch.conf": CONF,
      "proj/sqitch.plan": "%syntax-version=1.0.0\n%project=flipr\n\n",
      "proj/blocker": "",
    },
    args: ["target", "add", "prod", "db:sqlite:x.db", "--plan-file", "blocker/x.plan"],
    message: "Error creating blocker: File exists",
  },
  {
    what: "unwritable directory for init",
    files: { "proj/migrations": "" },
    args: ["init", "flipr", "--top-dir", "migrations"],
    message: "Error creating migrations: File exists",
  },
];

/** Every file below the project with its contents. */
function snapshot(sb: Sandbox): Record<string, string | undefined> {
  return Object.fromEntries(listTree(sb).map((p) => [p, readFile(sb, p)]));
}

for (const c of CASES) {
  Deno.test(`bad input: ${c.what}`, async () => {
    await withSandbox(c.files, async (sb) => {
      const before = snapshot(sb);
      const r = await runSqlitch(sb, c.args, c.env);
      assertEquals(r.code, 2);
      assertEquals(r.stdout, "");
      const [first, ...rest] = r.stderr.split("\n");
      if (typeof c.message === "string") assertEquals(first, c.message);
      else ok(c.message.test(first), `${first} !~ ${c.message}`);
      if (c.usage) ok(rest.join("\n").includes("Usage"), r.stderr);
      else ok(rest.every((l) => l === ""), `more than one line:\n${r.stderr}`);
      ok(!/\bat .*\.ts:\d+|Trace begun|Stack/.test(r.stderr), "no stack trace");
      assertEquals(snapshot(sb), before);
    });
  });
}
