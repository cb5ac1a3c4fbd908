/**
 * Parity of the command-line router: command lookup, core options anywhere,
 * usage errors and the command list, compared with real Sqitch.
 */
import { parityTests } from "./kit.ts";

const trace = /^Cannot change to directory \/nonexistent: No such file or directory\n/;

parityTests([
  { name: "router: no command prints the command list", steps: [{ argv: [] }] },
  { name: "router: only -- prints the command list", steps: ["--"] },
  { name: "router: -C without a value prints the command list", steps: ["-C"] },
  { name: "router: unknown commands are listed", steps: ["foo", "foo bar"] },
  { name: "router: commands are case-sensitive and not abbreviated", steps: ["Config", "conf"] },
  { name: "router: empty and 0 words are skipped", steps: [["", "0", "nosuch"]] },
  {
    name: "router: legacy value options skip their value when finding the command",
    steps: ["-d config foo", "--registry config"],
  },
  { name: "router: --etc-path", steps: ["--etc-path"] },
  {
    name: "router: core options anywhere on the line",
    files: { "sqitch.conf": "[core]\n\tengine = pg\n" },
    steps: [
      "config --get core.engine --quiet",
      "config -v --get core.engine",
      "--verbose --no-pager config core.engine",
      "config --get --quiet core.nope",
      "config --get core.nope",
    ],
  },
  {
    name: "router: a value that looks like a core option is stolen",
    steps: ["config core.engine --quiet"],
  },
  {
    name: "router: unknown option and missing value give usage",
    steps: ["config -q", "config --zzz", "config --file", "init --engine", "init"],
  },
  {
    name: "router: --chdir to a missing directory",
    steps: [{
      argv: ["-C", "/nonexistent", "config", "--list"],
      sqitchCode: 255,
      expectSqitch: { stderr: trace },
      expectSqlitch: {
        code: 2,
        stderr: "Cannot change to directory /nonexistent: No such file or directory\n",
      },
    }],
  },
  {
    name: "router: --chdir moves before config lookup",
    files: { "sub/sqitch.conf": "[core]\n\tengine = sqlite\n" },
    steps: ["-C sub config core.engine", "--cd=sub config --list", "config --list"],
  },
  {
    name: "router: help for an unknown topic exits 1",
    steps: ["help nosuch", "help --quiet nosuch", "help changesfoo", "help --zzz"],
  },
]);
