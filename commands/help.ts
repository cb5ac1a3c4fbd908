/**
 * `help` and `--help`: sqlitch's own rendering of the command list, each
 * command's usage, and the concept pages a Sqitch user looks up
 * (configuration, environment, authentication/passwords).
 */
import { SqlitchError } from "../core/errors.ts";
import { SQITCH_VARIABLES } from "../core/env.ts";
import type { Output } from "../core/output.ts";
import { type CommandContext, parseCommandOptions } from "./context.ts";
import { COMMAND_LIST, USAGE } from "./usage.ts";

/** One-line descriptions, as in the command list. */
function descriptions(): Record<string, string> {
  const result: Record<string, string> = {};
  for (const m of COMMAND_LIST.matchAll(/^ {6}(\S+) +(.+)$/gm)) result[m[1]] = m[2];
  return result;
}

const GUIDES = `Name
    sqitchguides - List of Sqitch guides

Usage
      sqitch help [--guide] [<command>] [<guide>]

Concept guides
      configuration    Configuration files, their locations and the compat modes
      environment      Environment variables
      authentication   How database user names and passwords are found
      passwords        Same as authentication

    See "sqitch help <guide>" to read one of them.

`;

const CONFIGURATION = `Name
    sqitch-configuration - Configuration files

Files
    Settings are read from three files, later ones overriding earlier ones:

      system   <etc>/sqlitch/sqlitch.conf if it exists, else <etc>/sqitch/sqitch.conf
               (<etc> as printed by "sqitch --etc-path"; SQITCH_SYSTEM_CONFIG overrides)
      user     ~/.sqlitch/sqlitch.conf if it exists, else ~/.sqitch/sqitch.conf
               (SQITCH_USER_CONFIG overrides)
      local    sqlitch.conf or sqitch.conf in the project directory, searched
               upwards from the current directory (SQITCH_CONFIG overrides);
               having both in one directory is an error

    The files use the git-config syntax; "sqitch config" reads and edits them.

Compat modes
    core.compat = sqitch (the default) keeps Sqitch's layout: sqitch.conf,
    sqitch.plan, deploy/, revert/ and verify/ at the top of the project.

    core.compat = sqlitch ("sqitch init --compat sqlitch") changes only the
    defaults: top_dir = sqlitch, plan file sqlitch/sqlitch.plan and the script
    directories under sqlitch/. Explicit settings still win, and the registry
    stays readable by Sqitch.

`;

const AUTHENTICATION = `Name
    sqitch-authentication - Database user names and passwords

User names
    The first of: $SQITCH_USERNAME, the user in the target URI (also set by
    --db-user), then the engine's own default (libpq's PGUSER for PostgreSQL,
    ~/.my.cnf for MySQL, the system user).

Passwords
    The first of: $SQITCH_PASSWORD, the password in the target URI, then the
    engine's own default (PGPASSWORD or ~/.pgpass for PostgreSQL, MYSQL_PWD or
    ~/.my.cnf for MySQL). Passwords are never shown in target names.

`;

const COMPLETION = `Name
    sqlitch-completion - Print a shell completion script (sqlitch only)

Usage
      sqlitch completion bash|zsh|fish

Description
    Prints a script that makes the shell complete command names, options,
    target and engine names from the configuration, and change and tag names
    from the plan. Load it from the shell's start-up file:

      bash   source <(sqlitch completion bash)
      zsh    source <(sqlitch completion zsh)       (after compinit)
      fish   sqlitch completion fish | source

    The script completes the name it was printed under: through the sqitch
    alias, "sqitch completion bash" completes sqitch.

`;

/** The environment page, built from the variables sqlitch reads. */
function environmentPage(): string {
  const rows = SQITCH_VARIABLES.map((v) => `      SQITCH_${v}`.padEnd(30) + `SQLITCH_${v}`);
  return `Name
    sqitch-environment - Environment variables

Variables
    Every Sqitch variable has a SQLITCH_ twin; when both are set, the
    SQLITCH_ one wins. A variable set to "" or "0" counts as unset.

${rows.join("\n")}

    See the README for what each one does.

`;
}

/** Render the help page for a topic; undefined when there is none. */
export function helpPage(topic: string | undefined, guides = false): string | undefined {
  if (topic === undefined) return guides ? GUIDES : COMMAND_LIST;
  const name = topic.replaceAll("_", "-");
  if (USAGE[name]) {
    const about = descriptions()[name];
    return `Name\n    sqitch-${name} - ${about}\n\n${USAGE[name]}`;
  }
  switch (name) {
    case "configuration":
    case "config-files":
      return CONFIGURATION;
    case "environment":
      return environmentPage();
    case "authentication":
    case "passwords":
      return AUTHENTICATION;
    case "commands":
      return COMMAND_LIST;
    case "guides":
      return GUIDES;
    case "completion":
      return COMPLETION;
  }
  return undefined;
}

/** `--help` / `--man`: help on the command given, else the command list (exit 0). */
export function showHelp(out: Output, command?: string): number {
  out.emitLiteral(helpPage(command) ?? COMMAND_LIST);
  return 0;
}

/** help's option specs. */
export const OPTIONS = ["guide|g"];

/** `sqitch help [--guide] [<command>|<guide>]`. */
export function run(ctx: CommandContext, argv: string[]): number {
  const { options, args } = parseCommandOptions("help", OPTIONS, argv);
  const topic = args[0];
  const page = helpPage(topic, options.guide === true);
  if (page === undefined) {
    const prefix = /^changes|tutorial/.test(topic!) ? "sqitch" : "sqitch-";
    throw new SqlitchError(`No manual entry for ${prefix}${topic}`, { exitCode: 1 });
  }
  ctx.out.emitLiteral(page);
  return 0;
}
