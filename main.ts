/**
 * sqlitch's entry point: a thin router with Sqitch's command-line grammar.
 * Core options are taken from anywhere on the line, the first word that
 * names a command selects it, and every error is rendered here as one line
 * with Sqitch's exit code (never a stack trace).
 *
 * Start-up matters (`--version` is benchmarked against Sqitch): a lone
 * `--version` is answered before anything else is loaded, and configuration
 * and commands are imported only when needed.
 */
import type { Host } from "./core/host.ts";
import type { Output } from "./core/output.ts";
import { programName, systemDir } from "./io/install.ts";
import { importLazily } from "./io/lazy_import.ts";
import denoConfig from "./deno.json" with { type: "json" };

/** sqlitch's own version, stamped from deno.json. */
export const VERSION: string = denoConfig.version;

/** The Sqitch version whose behaviour sqlitch reproduces. */
export const SQITCH_VERSION = "1.3.1";

/** What `--version` prints for the program invoked as `program`. */
export function versionText(program: string): string {
  return `${program} (sqlitch) v${VERSION} (App::Sqitch v${SQITCH_VERSION} compatible)`;
}

const CORE_OPTIONS = [
  "chdir|cd|C=s",
  "etc-path",
  "no-pager",
  "quiet",
  "verbose|V|v+",
  "help",
  "man",
  "version",
];

/** A command module, loaded when its command runs (see io/lazy_import.ts). */
type CommandModule = { run: import("./commands/context.ts").CommandRun };
const lazy = (name: string) => importLazily<CommandModule>(name);

/** Every Sqitch command, and where sqlitch implements it. */
const COMMANDS: Record<string, (() => Promise<CommandModule>) | null> = {
  add: () => lazy("commands/add.ts"),
  bundle: () => lazy("commands/bundle.ts"),
  check: () => lazy("commands/check.ts"),
  checkout: () => lazy("commands/checkout.ts"),
  completion: () => lazy("commands/completion.ts"),
  config: () => lazy("commands/config.ts"),
  deploy: () => lazy("commands/deploy.ts"),
  engine: () => lazy("commands/engine.ts"),
  help: () => lazy("commands/help.ts"),
  init: () => lazy("commands/init.ts"),
  log: () => lazy("commands/log.ts"),
  plan: () => lazy("commands/plan.ts"),
  rebase: () => lazy("commands/rebase.ts"),
  revert: () => lazy("commands/revert.ts"),
  rework: () => lazy("commands/rework.ts"),
  show: () => lazy("commands/show.ts"),
  status: () => lazy("commands/status.ts"),
  tag: () => lazy("commands/tag.ts"),
  target: () => lazy("commands/target.ts"),
  upgrade: () => lazy("commands/upgrade.ts"),
  verify: () => lazy("commands/verify.ts"),
};

/** Arguments after which Sqitch skips the next word when looking for the command. */
const LEGACY_VALUE_OPTION =
  /^(?:-[duhp])|(?:--(?:db-\w+|client|engine|extension|plan-file|registry|top-dir))$/;

/**
 * Find the command word (Sqitch's `_find_cmd`): returns the command name and
 * its index in `args`, or the words that were tried.
 */
export function findCommand(args: string[]): { name?: string; index: number; tried: string[] } {
  const tried: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "" || arg === "0") continue;
    if (arg.startsWith("-")) {
      if (arg === "--") break;
      if (LEGACY_VALUE_OPTION.test(arg)) i++;
      continue;
    }
    tried.push(arg);
    const name = arg.replaceAll("-", "_");
    if (Object.hasOwn(COMMANDS, name)) return { name, index: i, tried };
  }
  return { index: -1, tried };
}

/** Run sqlitch with `argv` on `host`; resolves to the process exit code. */
export async function main(argv: string[], host: Host, execPath: string): Promise<number> {
  const [{ getOptions }, { SqlitchError, systemErrorText, UsageError }, { Output }] = await Promise
    .all([
      import("./core/getopt.ts"),
      import("./core/errors.ts"),
      import("./core/output.ts"),
    ]);
  const etc = systemDir(execPath, host.os);
  const core = getOptions(CORE_OPTIONS, argv, { passThrough: true });
  const opts = core.options;
  let out = new Output(host.stdout, host.stderr, 1);
  try {
    if (opts.version) {
      out.emit(versionText(programName(execPath)));
      return 0;
    }
    if (opts.etc_path) {
      out.emit(etc);
      return 0;
    }
    if (typeof opts.chdir === "string" && opts.chdir !== "") {
      try {
        host.chdir(opts.chdir);
      } catch (e) {
        throw new SqlitchError(
          `Cannot change to directory ${opts.chdir}: ${systemErrorText(e)}`,
          { ident: "fs" },
        );
      }
    }
    const args = core.args;
    const found = findCommand(args);
    if (opts.help || opts.man) {
      const help = await importLazily<typeof import("./commands/help.ts")>(
        "commands/help.ts",
      );
      return help.showHelp(out, found.name);
    }
    if (!found.name) {
      for (const word of found.tried) out.vent(`"${word}" is not a valid command`);
      throw new UsageError("");
    }
    args.splice(found.index, 1);

    const { loadConfig } = await import("./core/config/mod.ts");
    const config = loadConfig({ host, systemDir: etc });
    const verbosity = opts.quiet
      ? 0
      : typeof opts.verbose === "number"
      ? opts.verbose
      : configVerbosity(config.get("core.verbosity"));
    out = new Output(host.stdout, host.stderr, verbosity);

    const load = COMMANDS[found.name];
    if (!load) {
      throw new SqlitchError(
        `The "${found.name}" command is not available in this version of sqlitch (${VERSION})`,
      );
    }
    const command = await load();
    const cliVerbosity = opts.quiet
      ? 0
      : typeof opts.verbose === "number"
      ? opts.verbose
      : undefined;
    const ctx = {
      command: found.name,
      host,
      out,
      config,
      systemDir: etc,
      get program() {
        return programName(execPath); // reads /proc: only completion needs it
      },
      noPager: opts.no_pager === true,
      cliVerbosity,
    };
    return await command.run(ctx, args);
  } catch (e) {
    return await render(e, out);
  }
}

/** The default verbosity from `core.verbosity` (1 when unset or not a number). */
function configVerbosity(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return 1;
  const n = Number.parseInt(value, 10);
  return Number.isNaN(n) ? 1 : n;
}

/** Print an error the way Sqitch does and return its exit code. */
async function render(e: unknown, out: Output): Promise<number> {
  const { SqlitchError, systemErrorText, UsageError } = await import("./core/errors.ts");
  if (e instanceof UsageError) {
    const { USAGE, COMMAND_LIST } = await importLazily<typeof import("./commands/usage.ts")>(
      "commands/usage.ts",
    );
    for (const line of e.lines) out.vent(line);
    out.ventLiteral(e.command ? USAGE[e.command] ?? COMMAND_LIST : COMMAND_LIST);
    return 2;
  }
  if (e instanceof SqlitchError) {
    if (e.exitCode === 1) out.info(e.message);
    else {
      out.vent(e.message);
      if (e.trailingBlankLine) out.vent("");
    }
    if (e.stack) out.trace(e.stack);
    return e.exitCode;
  }
  out.vent(systemErrorText(e));
  if (e instanceof Error && e.stack) out.trace(e.stack);
  return 2;
}

/** Run sqlitch as a program: the process's arguments in, its exit code out. */
export async function runCli(): Promise<never> {
  if (Deno.args.length === 1 && Deno.args[0] === "--version") {
    console.log(versionText(programName(Deno.execPath())));
    Deno.exit(0);
  }
  const { denoHost } = await import("./io/deno_host.ts");
  const code = await main(Deno.args, denoHost(), Deno.execPath());
  Deno.exit(code);
}

if (import.meta.main) await runCli();
