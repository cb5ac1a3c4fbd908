/**
 * `target`: list, add, alter, remove, rename and show the deployment
 * targets kept in the project config file (cli.md §5.19).
 */
import { NoSuchSectionError } from "../core/config/mod.ts";
import { perlTrue } from "../core/env.ts";
import { SqlitchError, UsageError } from "../core/errors.ts";
import type { Output } from "../core/output.ts";
import { resolveTarget, type Target } from "../core/target.ts";
import { normalizeDbUri } from "../core/uri.ts";
import { type CommandContext, parseCommandOptions } from "./context.ts";
import {
  configParams,
  type ConfigProperties,
  propertiesFrom,
  setOperation,
  TARGET_CONFIG_OPTIONS,
  targetContext,
  writeTargetConfig,
} from "./target_config.ts";

/** The target command's options: `--uri` and the target properties. */
export const OPTIONS = ["uri=s", ...TARGET_CONFIG_OPTIONS];

type Action = (ctx: CommandContext, props: ConfigProperties, args: string[]) => void;

const ACTIONS: Record<string, Action> = {
  list: (ctx) => list(ctx),
  add,
  alter,
  remove,
  rm: remove,
  rename,
  show,
};

/** `sqitch target [action] [args] [options]`. */
export function run(ctx: CommandContext, argv: string[]): number {
  const { options, args } = parseCommandOptions("target", OPTIONS, argv);
  const props = propertiesFrom("target", options, { uri: true });
  const action = dispatch("target", ACTIONS, args.shift());
  action(ctx, props, args);
  return 0;
}

/**
 * The action named by the first argument (Perl-false ⇒ `list`; dashes
 * read as underscores), else a usage error `Unknown action "{action}"`.
 */
export function dispatch<T>(
  command: string,
  actions: Record<string, T>,
  word: string | undefined,
): T {
  const name = perlTrue(word) ? word.replaceAll("-", "_") : "list";
  if (!Object.hasOwn(actions, name)) {
    throw new UsageError(command, [`Unknown action "${name}"`]);
  }
  return actions[name];
}

/** Whether list output includes values (any `-v` on the command line). */
export function listVerbosely(ctx: CommandContext): boolean {
  return (ctx.cliVerbosity ?? 0) > 0;
}

/**
 * Config keys matching `pattern` (case-insensitive, like Config::GitLike's
 * get_regexp) with their value: the single value, "" for a bare key, or
 * undefined for a multi-valued key (which Sqitch prints as a Perl
 * reference).
 */
export function matchingKeys(
  ctx: CommandContext,
  pattern: RegExp,
): Array<{ key: string; value: string | undefined }> {
  const out: Array<{ key: string; value: string | undefined }> = [];
  for (const entry of ctx.config.entries()) {
    if (!pattern.test(entry.key)) continue;
    const value = entry.values.length === 1 ? entry.values[0] ?? "" : undefined;
    out.push({ key: entry.key, value });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** `list`: each `target.<name>.uri`, sorted; with `-v` also the URI as written. */
function list(ctx: CommandContext): void {
  const verbose = listVerbosely(ctx);
  for (const { key, value } of matchingKeys(ctx, /^target[.][^.]+[.]uri$/i)) {
    const name = /target[.]([^.]+)/i.exec(key)![1];
    ctx.out.emit(verbose ? `${name}\t${value ?? ""}` : name);
  }
}

/** `add <name> <uri>`: write the target, then its plan file and directories. */
function add(ctx: CommandContext, props: ConfigProperties, args: string[]): void {
  const [name, uri] = args;
  if (!perlTrue(name) || !perlTrue(uri)) throw new UsageError("target");
  const { config } = ctx;
  const prefix = `target.${name}`;
  if (perlTrue(config.get(`${prefix}.uri`))) {
    throw new SqlitchError(`Target "${name}" already exists`, { ident: "target" });
  }
  const ops = [
    setOperation(ctx, `${prefix}.uri`, normalizeDbUri(uri)),
    ...configParams(
      ctx,
      prefix,
      props,
    ),
  ];
  writeTargetConfig(ctx, props, ops, { name }, true);
}

/** `alter <name>`: write the given properties of an existing target; create directories. */
function alter(ctx: CommandContext, props: ConfigProperties, args: string[]): void {
  const [name] = args;
  if (!perlTrue(name)) throw new UsageError("target");
  const { config } = ctx;
  const prefix = `target.${name}`;
  if (!perlTrue(config.get(`${prefix}.uri`))) {
    const uri = perlTrue(props.uri) ? props.uri : "$uri";
    throw new SqlitchError(
      `Missing Target "${name}"; use "add ${name} ${uri}" to add it`,
      { ident: "target" },
    );
  }
  const ops = configParams(ctx, prefix, props);
  writeTargetConfig(ctx, props, ops, { name }, false);
}

/** The `core.target` / `engine.<e>.target` keys whose value is `name`. */
function dependencies(ctx: CommandContext, name: string): string[] {
  return matchingKeys(ctx, /^(?:core|engine[.][^.]+)[.]target$/i)
    .filter((d) => d.value === name)
    .map((d) => d.key);
}

/** Refuse to rename or remove a target other settings refer to. */
function checkDependencies(ctx: CommandContext, name: string): void {
  const deps = dependencies(ctx, name);
  if (deps.length > 0) {
    throw new SqlitchError(
      `Cannot rename target "${name}" because it's referenced by: ${deps.join(", ")}`,
      { ident: "target" },
    );
  }
}

/**
 * Rename (or, without `to`, remove) the sections `<from>` and
 * `<from>.variables` in the local config file; a missing `<from>` section
 * fails with `missing`.
 */
export function renameSections(
  ctx: CommandContext,
  from: string,
  to: string | undefined,
  missing: () => SqlitchError,
): void {
  const { config } = ctx;
  const file = config.scopeFile("local");
  const apply = (doc: import("../core/config/mod.ts").ConfigDocument, f: string, t?: string) =>
    t === undefined ? doc.removeSection(f) : doc.renameSection(f, t);
  try {
    config.edit(file, (doc) => apply(doc, from, to));
  } catch (e) {
    if (e instanceof NoSuchSectionError) throw missing();
    throw e;
  }
  try {
    config.edit(
      file,
      (doc) => apply(doc, `${from}.variables`, to === undefined ? undefined : `${to}.variables`),
    );
  } catch (e) {
    if (!(e instanceof NoSuchSectionError)) throw e;
  }
}

/** `remove|rm <name>`. */
function remove(ctx: CommandContext, _props: ConfigProperties, args: string[]): void {
  const [name] = args;
  if (!perlTrue(name)) throw new UsageError("target");
  checkDependencies(ctx, name);
  renameSections(ctx, `target.${name}`, undefined, () => unknownTarget(name));
}

/** `rename <old> <new>`. */
function rename(ctx: CommandContext, _props: ConfigProperties, args: string[]): void {
  const [from, to] = args;
  if (!perlTrue(from) || !perlTrue(to)) throw new UsageError("target");
  checkDependencies(ctx, from);
  renameSections(ctx, `target.${from}`, `target.${to}`, () => unknownTarget(from));
}

function unknownTarget(name: string): SqlitchError {
  return new SqlitchError(`Unknown target "${name}"`, { ident: "target" });
}

/** `show <name>...`: a block per target; no names ⇒ list. */
function show(ctx: CommandContext, _props: ConfigProperties, names: string[]): void {
  if (names.length === 0) return list(ctx);
  const tctx = targetContext(ctx);
  for (const name of names) {
    const target = resolveTarget(tctx, { name });
    showTarget(ctx.out, name, ["URI", () => target.uri.toString()], target);
  }
}

/** Length in characters (code points), as Perl counts. */
function charLength(s: string): number {
  return [...s].length;
}

/**
 * Print one `show` block: `* {heading}`, the first line (`URI:` or
 * `Target:`), registry, client, directories, plan file, extension and
 * variables, with aligned labels. Each value is computed just before its
 * line is printed, so a failure leaves the lines before it printed.
 */
export function showTarget(
  out: Output,
  heading: string,
  first: [string, () => string],
  target: Target,
): void {
  const rows: Array<[string, () => string]> = [
    first,
    ["Registry", () => target.registry],
    ["Client", () => target.client],
    ["Top Directory", () => target.topDir],
    ["Plan File", () => target.planFile],
    ["Extension", () => target.extension],
  ];
  const labels = [
    ...rows.map(([l]) => l),
    "  Revert",
    "  Deploy",
    "  Verify",
    "  Reworked",
  ];
  const width = Math.max(...labels.map(charLength));
  const label = (l: string) => `${l}: ${" ".repeat(width - charLength(l))}`;
  const line = (l: string, value: () => string) => out.emit("    ", label(l), value());

  out.emit(`* ${heading}`);
  for (const [l, value] of rows) line(l, value);
  out.emit("    ", "Script Directories:");
  line("  Deploy", () => target.deployDir);
  line("  Revert", () => target.revertDir);
  line("  Verify", () => target.verifyDir);
  out.emit("    ", "Reworked Script Directories:");
  line("  Reworked", () => target.reworkedDir);
  line("  Deploy", () => target.reworkedDeployDir);
  line("  Revert", () => target.reworkedRevertDir);
  line("  Verify", () => target.reworkedVerifyDir);
  const vars = target.variables;
  const keys = Object.keys(vars);
  if (keys.length === 0) {
    out.emit("    ", "No Variables");
    return;
  }
  const keyWidth = Math.max(...keys.map(charLength));
  out.emit("    ", "Variables:");
  const lc = (s: string) => s.toLowerCase();
  keys.sort((a, b) => (lc(a) < lc(b) ? -1 : lc(a) > lc(b) ? 1 : 0));
  for (const key of keys) {
    out.emit(`  ${key}: ${" ".repeat(keyWidth - charLength(key))}${vars[key]}`);
  }
}
