/**
 * `show`: print a plan object (cli.md §5.16) — a change's or a tag's INFO
 * text (what its ID is the hash of), or a change's deploy, revert or
 * verify script byte for byte — or, with `--exists`, say only by the exit
 * code whether it exists.
 */
import { perlTrue } from "../core/env.ts";
import { SqlitchError, UsageError } from "../core/errors.ts";
import type { OptionValue } from "../core/getopt.ts";
import { readPlan } from "../core/plan/mod.ts";
import { changeScriptPath, SCRIPT_TYPES, type ScriptType } from "../core/script_paths.ts";
import { commandDefaultTarget, resolveTarget } from "../core/target.ts";
import { type CommandContext, parseCommandOptions } from "./context.ts";
import { CONTEXT_OPTIONS, contextProperties } from "./plan_command.ts";
import {
  type AttributeType,
  mergedBool,
  mergedString,
  mergeSectionConfig,
} from "./section_config.ts";
import { targetContext } from "./target_config.ts";

/** show's own options, then the context options. */
export const OPTIONS = ["target|t=s", "exists|e!", ...CONTEXT_OPTIONS];

/** The `[show]` keys merged into the command (config.md §5.2). */
const ATTRIBUTES: Readonly<Record<string, AttributeType>> = {
  target: "Str",
  exists_only: "Bool",
};

const SHA1_PREFIX = /^[0-9a-f]{40}/;

/** `sqitch show [options] <type> <object>`. */
export function run(ctx: CommandContext, argv: string[]): number {
  const { options, args } = parseCommandOptions("show", OPTIONS, argv);
  const { host, out } = ctx;
  const props = contextProperties(ctx, options);
  const own: Record<string, OptionValue> = {};
  if (options.target !== undefined) own.target = options.target;
  if (options.exists !== undefined) own.exists_only = options.exists;
  const merged = mergeSectionConfig(ctx, "show", ATTRIBUTES, own);
  const existsOnly = mergedBool(merged.exists_only, false);

  const [type, key] = args;
  if (!perlTrue(type) || !perlTrue(key)) throw new UsageError("show");

  const tctx = targetContext(ctx, props);
  const name = mergedString(merged.target);
  const target = perlTrue(name) ? resolveTarget(tctx, { name }) : commandDefaultTarget(tctx);
  const plan = readPlan(host.fs, target.planFile);

  if (type === "tag") {
    const isId = SHA1_PREFIX.test(key);
    const change = plan.get(isId ? key : key.startsWith("@") ? key : `@${key}`);
    const bare = key.replace(/^@/, "");
    const tag = change?.tags.find((t) => isId ? t.id === key : t.name === bare);
    if (!tag) {
      if (existsOnly) return 2;
      throw new SqlitchError(`Unknown tag "${key}"`, { ident: "show" });
    }
    if (!existsOnly) out.emit(tag.info);
    return 0;
  }

  if (type !== "change" && !(SCRIPT_TYPES as readonly string[]).includes(type)) {
    throw new SqlitchError(`Unknown object type "${type}`, { ident: "show" });
  }

  const change = plan.get(key);
  if (!change) {
    if (existsOnly) return 2;
    throw new SqlitchError(`Unknown change "${key}"`, { ident: "show" });
  }
  if (type === "change") {
    if (!existsOnly) out.emit(change.info);
    return 0;
  }

  const exists = (path: string) => host.fs.stat(path) !== undefined;
  const path = changeScriptPath(target, change, type as ScriptType, exists);
  const info = host.fs.stat(path);
  if (!info) {
    if (existsOnly) return 2;
    throw new SqlitchError(`File "${path}" does not exist`, { ident: "show" });
  }
  if (info.isDirectory) throw new SqlitchError(`"${path}" is not a file`, { ident: "show" });
  if (existsOnly) return 0;
  const bytes = host.fs.readBytes(path);
  if (bytes === undefined) {
    throw new SqlitchError(`Cannot open ${path}: Permission denied`, { ident: "show" });
  }
  if (host.stdout.writeBytes) {
    host.stdout.writeBytes(bytes);
    host.stdout.write("\n");
  } else {
    out.emit(new TextDecoder().decode(bytes));
  }
  return 0;
}
