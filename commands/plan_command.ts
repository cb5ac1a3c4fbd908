/**
 * What the commands that edit a plan share (`add`, `rework`; also usable
 * by `tag`): Sqitch's context options (`--plan-file`, the deprecated
 * `--top-dir`), the targets they name, the planner's identity, writing a
 * plan back, and the file operations with Sqitch's messages.
 */
import { perlTrue } from "../core/env.ts";
import { SqlitchError, systemErrorText } from "../core/errors.ts";
import type { OptionValue } from "../core/getopt.ts";
import { userEmail, userName } from "../core/identity.ts";
import { dirPath, filePath } from "../core/perlpath.ts";
import { formatPlan, type Plan } from "../core/plan/mod.ts";
import { parseArgs, type ParsedArgs } from "../core/target.ts";
import type { CommandContext } from "./context.ts";
import { type ConfigProperties, targetContext } from "./target_config.ts";

/** The context options (Sqitch's ContextCommand role), after a command's own. */
export const CONTEXT_OPTIONS = ["plan-file|f=s", "top-dir=s"];

/**
 * The target properties the context options give: `--plan-file` as
 * `file()` prints it and `--top-dir` as `dir()` does, each only when
 * Perl-true. A Perl-true `--top-dir` prints Sqitch's deprecation warning
 * (two lines on stderr).
 */
export function contextProperties(
  ctx: CommandContext,
  options: Record<string, OptionValue>,
): ConfigProperties {
  const props: ConfigProperties = {};
  const topDir = options.top_dir;
  if (typeof topDir === "string" && perlTrue(topDir)) {
    ctx.out.warn(
      `  Option --top-dir is deprecated for ${ctx.command} and other non-configuration commands.\n` +
        "  Use --chdir instead.",
    );
    props.top_dir = dirPath(topDir);
  }
  const planFile = options.plan_file;
  if (typeof planFile === "string" && perlTrue(planFile)) props.plan_file = filePath(planFile);
  return props;
}

/**
 * Sqitch's `parse_args` for a command that takes names but no changes:
 * the targets (with the context properties applied) and the names filled
 * from unknown arguments.
 */
export function commandTargets(
  ctx: CommandContext,
  props: ConfigProperties,
  args: readonly string[],
  opts: { all?: boolean; names?: readonly (string | undefined)[] },
): ParsedArgs {
  const fs = ctx.host.fs;
  return parseArgs(targetContext(ctx, props), {
    command: ctx.command,
    all: opts.all,
    names: opts.names,
    args,
    fileExists: (path) => fs.stat(path) !== undefined,
  });
}

/** The planner's name and email (environment.md §3), resolved once per command. */
export class Planner {
  #name?: string;
  #email?: string;
  readonly #ctx: CommandContext;

  constructor(ctx: CommandContext) {
    this.#ctx = ctx;
  }

  get name(): string {
    return this.#name ??= userName(this.#ctx.host.env, this.#ctx.config, this.#ctx.host.user);
  }

  get email(): string {
    return this.#email ??= userEmail(this.#ctx.host.env, this.#ctx.config, this.#ctx.host.user);
  }
}

/** Write a plan back to its file (Plan `write_to`); `Cannot open {file}: {error}` on failure. */
export function writePlanFile(ctx: CommandContext, plan: Plan): void {
  try {
    ctx.host.fs.writeText(plan.file, formatPlan(plan));
  } catch (e) {
    throw new SqlitchError(`Cannot open ${plan.file}: ${systemErrorText(e)}`, { ident: "io" });
  }
}

/** The parent directory of a path as Path::Class prints `$file->dir`. */
export function parentDir(path: string): string {
  const i = path.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return path.slice(0, i);
}

/**
 * Sqitch's `_mkpath`: create a directory and its parents; when anything
 * was created, `debug:     Created {dir}`; the first failure is
 * `Error creating {path}: {error}`.
 */
export function makePath(ctx: CommandContext, dir: string): void {
  const fs = ctx.host.fs;
  if (fs.stat(dir)?.isDirectory) return;
  // The first ancestor that exists must be a directory.
  const missing: string[] = [];
  let path = dir;
  while (!fs.stat(path)) {
    missing.push(path);
    const parent = parentDir(path);
    if (parent === path) break;
    path = parent;
  }
  const info = fs.stat(path);
  if (info && !info.isDirectory) {
    throw new SqlitchError(`Error creating ${path}: File exists`, {
      ident: ctx.command,
    });
  }
  try {
    fs.mkdirp(dir);
  } catch (e) {
    throw new SqlitchError(`Error creating ${missing.at(-1) ?? dir}: ${systemErrorText(e)}`, {
      ident: ctx.command,
    });
  }
  if (missing.length > 0) ctx.out.debug(`    Created ${dir}`);
}

/** Run `<editor> <files…>` (files shell-quoted) as add/rework `--open-editor` do. */
export async function openEditor(ctx: CommandContext, files: readonly string[]): Promise<void> {
  const { editorCommand, runShellCommand, shellQuoteWord } = await import("../core/shell.ts");
  const editor = editorCommand(ctx.host.env, ctx.config.get("core.editor"));
  await runShellCommand(ctx.host, `${editor} ${files.map(shellQuoteWord).join(" ")}`);
}
