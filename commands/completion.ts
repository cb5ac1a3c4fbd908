/**
 * `completion`: shell completion (sqlitch's own command; Sqitch has none).
 *
 * `completion bash|zsh|fish` prints a small script for that shell. On every
 * TAB the script calls the program back as
 * `<program> completion --complete -- <words up to the cursor>` and offers
 * what it prints: one candidate a line, or the single line `:files` for
 * "complete file names". All the knowledge lives here, once for every
 * shell: command names, each command's options (the same Getopt specs the
 * commands parse with), target and engine names from the configuration,
 * change and tag names from the plan. Errors print nothing (the script
 * drops stderr), so a broken project never disturbs the command line.
 */
import { ACCEPTED_ENGINES } from "../core/engines.ts";
import { SqlitchError } from "../core/errors.ts";
import { getOptions, type OptionValue } from "../core/getopt.ts";
import type { CommandContext } from "./context.ts";
import { USAGE } from "./usage.ts";

/** The shells a script can be printed for. */
export const SHELLS = ["bash", "zsh", "fish"] as const;

/** completion's option specs (`--complete` is what the scripts call). */
export const OPTIONS = ["complete"];

/** The line that asks the shell to complete file names instead. */
export const FILES = ":files";

/** The core options, as main.ts parses them. */
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

/** Every command name the router accepts: Sqitch's, plus this one. */
export const COMMAND_NAMES: readonly string[] = [...Object.keys(USAGE), "completion"].sort();

/** The concept guides `help` knows besides the commands. */
const GUIDES = ["configuration", "environment", "authentication", "passwords"];

/** Stands for the word being completed while the words before it are parsed. */
const CURSOR = "\u0001";

/** What kind of thing the word under the cursor is. */
export type Want =
  | { kind: "words"; words: readonly string[] }
  | { kind: "options"; specs: readonly string[] }
  | { kind: "targets" }
  | { kind: "engines" }
  | { kind: "changes" }
  | { kind: "tags" }
  | { kind: "config-keys" }
  | { kind: "files" };

/** The analysis of a command line: what to offer, for which word. */
export interface CompletionRequest {
  wants: Want[];
  /** The part of the current word candidates must start with. */
  prefix: string;
  /** Text put before each candidate (`--to=` when completing `--to=ch`). */
  insert: string;
  /** `-C`/`--chdir` given on the line: the directory the project is in. */
  chdir?: string;
  /** The command, when one was named. */
  command?: string;
  /** The command's options parsed from the words before the cursor. */
  options: Record<string, OptionValue>;
  /** The command's positional words before the cursor. */
  positionals: string[];
}

/** Option values that name changes, by option key. */
const CHANGE_OPTIONS = new Set([
  "to_change",
  "from_change",
  "onto_change",
  "upto_change",
  "requires",
  "conflicts",
  "from",
  "to",
]);

/** Option values that are paths. */
const FILE_OPTIONS = new Set([
  "plan_file",
  "top_dir",
  "dest_dir",
  "dir",
  "template_directory",
  "file",
  "client",
  "chdir",
]);

/** Fixed value lists, by command (or "*") and option key. */
const VALUE_WORDS: Record<string, Record<string, readonly string[]>> = {
  "*": {
    mode: ["all", "change", "tag"],
    compat: ["sqitch", "sqlitch"],
    date_format: ["iso", "iso8601", "rfc", "rfc2822", "full", "long", "medium", "short", "raw"],
    format: ["raw", "full", "long", "medium", "short", "oneline"],
  },
  log: { event: ["deploy", "revert", "fail", "merge"] },
  plan: { event: ["deploy", "revert"] },
};

/** Commands whose first positional word is a target and later ones changes. */
const TARGET_THEN_CHANGES = new Set(["deploy", "revert", "verify", "rebase"]);

/** Commands whose first positional word is a target. */
const TARGET_FIRST = new Set(["status", "log", "plan", "check", "upgrade", "checkout"]);

/** Split the current word of a bash line `--opt = value` back together. */
function joinEquals(words: readonly string[]): { words: string[]; bare: boolean } {
  const w = [...words];
  const n = w.length;
  if (n >= 2 && w[n - 1] === "=" && w[n - 2].startsWith("--")) {
    return { words: [...w.slice(0, n - 2), `${w[n - 2]}=`], bare: true };
  }
  if (n >= 3 && w[n - 2] === "=" && w[n - 3].startsWith("--")) {
    return { words: [...w.slice(0, n - 3), `${w[n - 3]}=${w[n - 1]}`], bare: true };
  }
  return { words: w, bare: false };
}

/** The long option names a list of specs offers (`--name`, `--no-name` for negatable ones). */
export function longOptions(specs: readonly string[]): string[] {
  const names: string[] = [];
  for (const spec of specs) {
    const m = /^([\w?|-]+?)([!+]|[=:][si][@%]?)?$/.exec(spec);
    if (!m) continue;
    for (const name of m[1].split("|")) {
      if (name.length < 2) continue;
      names.push(`--${name}`);
      if (m[2] === "!") names.push(`--no-${name}`);
    }
  }
  return names;
}

/** The option key (first name, dashes as underscores) the cursor is the value of, if any. */
function valueKey(options: Record<string, OptionValue>): string | undefined {
  for (const [key, value] of Object.entries(options)) {
    if (value === CURSOR) return key;
    if (Array.isArray(value) && value.some((v) => v === CURSOR)) return key;
  }
  return undefined;
}

/**
 * Analyse the words of a command line up to the cursor (`words[0]` is the
 * program, the last word the one being completed, possibly "").
 * `specsFor` gives a command's option specs. Pure apart from `specsFor`.
 */
export async function analyse(
  words: readonly string[],
  specsFor: (command: string) => Promise<readonly string[] | undefined>,
): Promise<CompletionRequest> {
  const joined = joinEquals(words.length > 0 ? words : [""]);
  const line = joined.words.slice(1);
  const current = line.pop() ?? "";
  const eq = current.startsWith("--") ? current.indexOf("=") : -1;
  const typed = eq >= 0 ? current.slice(eq + 1) : current;
  const request: CompletionRequest = {
    wants: [],
    prefix: typed,
    insert: eq >= 0 && !joined.bare ? current.slice(0, eq + 1) : "",
    options: {},
    positionals: [],
  };
  const cursorWord = eq >= 0 ? `${current.slice(0, eq + 1)}${CURSOR}` : CURSOR;

  const core = getOptions(CORE_OPTIONS, [...line, cursorWord], { passThrough: true });
  if (typeof core.options.chdir === "string" && core.options.chdir !== CURSOR) {
    request.chdir = core.options.chdir;
  }
  if (core.options.chdir === CURSOR) return { ...request, wants: [{ kind: "files" }] };
  const index = core.args.findIndex((w) => COMMAND_NAMES.includes(w.replaceAll("-", "_")));
  const cursorAt = core.args.indexOf(cursorWord);
  if (index < 0 || index > cursorAt) {
    if (current.startsWith("-")) {
      return { ...request, wants: [{ kind: "options", specs: CORE_OPTIONS }] };
    }
    return { ...request, wants: [{ kind: "words", words: COMMAND_NAMES }] };
  }

  const command = core.args[index].replaceAll("-", "_");
  request.command = command;
  const specs = await specsFor(command);
  if (!specs) return request;
  const rest = core.args.filter((_, i) => i !== index);
  const parsed = getOptions([...specs], rest, { passThrough: false });
  const key = valueKey(parsed.options);
  request.options = parsed.options;
  if (key !== undefined) {
    delete request.options[key];
    request.positionals = parsed.args;
    request.wants = valueWants(command, key);
    return request;
  }
  const at = parsed.args.indexOf(cursorWord);
  if (at < 0) return request;
  request.positionals = parsed.args.slice(0, at).filter((w) => w !== "--");
  const ended = rest.indexOf("--");
  if (current.startsWith("-") && (ended < 0 || ended > rest.indexOf(cursorWord))) {
    request.wants = [{ kind: "options", specs }];
    return request;
  }
  request.wants = positionalWants(command, request.positionals);
  return request;
}

/** What an option's value can be. */
function valueWants(command: string, key: string): Want[] {
  const fixed = VALUE_WORDS[command]?.[key] ?? VALUE_WORDS["*"][key];
  if (fixed) return [{ kind: "words", words: fixed }];
  if (key === "target") return [{ kind: "targets" }];
  if (key === "engine") return [{ kind: "words", words: ACCEPTED_ENGINES }];
  if (CHANGE_OPTIONS.has(key)) return [{ kind: "changes" }, { kind: "tags" }];
  if (key === "change" && command === "tag") return [{ kind: "changes" }];
  if (key === "change_name" && command === "rework") return [{ kind: "changes" }];
  if (FILE_OPTIONS.has(key)) return [{ kind: "files" }];
  return [];
}

/** What a command's next positional word can be. */
function positionalWants(command: string, before: readonly string[]): Want[] {
  const n = before.length;
  if (TARGET_THEN_CHANGES.has(command)) {
    return n === 0 ? [{ kind: "targets" }] : [{ kind: "changes" }, { kind: "tags" }];
  }
  if (TARGET_FIRST.has(command)) return n === 0 ? [{ kind: "targets" }] : [];
  switch (command) {
    case "target":
      if (n === 0) return [{ kind: "words", words: ["add", "alter", "remove", "rename", "show"] }];
      return n === 1 && ["alter", "remove", "rename", "show"].includes(before[0])
        ? [{ kind: "targets" }]
        : [];
    case "engine":
      if (n === 0) return [{ kind: "words", words: ["add", "alter", "remove", "show"] }];
      if (n !== 1) return [];
      if (before[0] === "add") return [{ kind: "words", words: ACCEPTED_ENGINES }];
      return ["alter", "remove", "show"].includes(before[0]) ? [{ kind: "engines" }] : [];
    case "show":
      if (n === 0) {
        return [{ kind: "words", words: ["change", "tag", "deploy", "revert", "verify"] }];
      }
      if (n !== 1) return [];
      return before[0] === "tag" ? [{ kind: "tags" }] : [{ kind: "changes" }];
    case "rework":
      return n === 0 ? [{ kind: "changes" }] : [];
    case "tag":
      return n === 1 ? [{ kind: "changes" }] : [];
    case "help":
      return n === 0 ? [{ kind: "words", words: [...COMMAND_NAMES, ...GUIDES] }] : [];
    case "config":
      return n === 0 ? [{ kind: "config-keys" }] : [];
    case "completion":
      return n === 0 ? [{ kind: "words", words: SHELLS }] : [];
  }
  return [];
}

/** Where the values completion offers come from (the project, looked up on demand). */
export interface CompletionSource {
  targets(): string[];
  engines(): string[];
  configKeys(): string[];
  /** Change names of the plan the request's target uses. */
  changes(request: CompletionRequest): string[];
  /** Tag names (with `@`) of that plan. */
  tags(request: CompletionRequest): string[];
}

/** The lines to print for a request: candidates, or `:files`. */
export function candidates(request: CompletionRequest, source: CompletionSource): string[] {
  if (request.wants.some((w) => w.kind === "files")) return [FILES];
  const found: string[] = [];
  for (const want of request.wants) {
    const add = (list: readonly string[]) => found.push(...list);
    try {
      switch (want.kind) {
        case "words":
          add(want.words);
          break;
        case "options":
          add(longOptions(want.specs));
          break;
        case "targets":
          add(source.targets());
          break;
        case "engines":
          add(source.engines());
          break;
        case "config-keys":
          add(source.configKeys());
          break;
        case "changes":
          add(source.changes(request));
          break;
        case "tags":
          add(source.tags(request));
          break;
      }
    } catch {
      // A broken project offers nothing for this part.
    }
  }
  const unique = [...new Set(found)].filter((c) => c.startsWith(request.prefix));
  return unique.map((c) => request.insert + c);
}

/** The completion script for `shell`, completing `program`. */
export function completionScript(shell: string, program: string): string {
  const fn = `__${program.replace(/\W/g, "_")}_complete`;
  switch (shell) {
    case "bash":
      return `# bash completion for ${program}; load it with: source <(${program} completion bash)
${fn}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} out line
  COMPREPLY=()
  out=$("\${COMP_WORDS[0]}" completion --complete -- "\${COMP_WORDS[@]:0:COMP_CWORD+1}" 2>/dev/null) || return 0
  if [[ $out == "${FILES}" ]]; then
    [[ $cur == "=" ]] && cur=""
    type compopt >/dev/null 2>&1 && compopt -o filenames 2>/dev/null
    while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen -f -- "$cur")
    return 0
  fi
  while IFS= read -r line; do
    [[ -n $line ]] && COMPREPLY+=("$line")
  done <<<"$out"
}
complete -F ${fn} ${program}
`;
    case "zsh":
      return `#compdef ${program}
# zsh completion for ${program}; load it (after compinit) with: source <(${program} completion zsh)
${fn}() {
  local out
  out=$("\${words[1]}" completion --complete -- "\${(@)words[1,CURRENT]}" 2>/dev/null) || return 1
  if [[ $out == "${FILES}" ]]; then
    _files
    return
  fi
  local -a found
  found=("\${(@f)out}")
  found=(\${found:#})
  (( \${#found} )) && compadd -- "\${found[@]}"
}
if [[ "\${funcstack[1]}" == "_${program}" ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${program}
fi
`;
    case "fish":
      return `# fish completion for ${program}; load it with: ${program} completion fish | source
function ${fn}
    set -l words (commandline -opc) (commandline -ct)
    set -l out ($words[1] completion --complete -- $words 2>/dev/null)
    or return
    if test "$out" = "${FILES}"
        __fish_complete_path (commandline -ct)
    else if set -q out[1]
        printf '%s\\n' $out
    end
end
complete -c ${program} -f -a '(${fn})'
`;
  }
  throw new SqlitchError(`Unknown shell "${shell}". Choose one of: ${SHELLS.join(", ")}`, {
    exitCode: 2,
  });
}

/** Each command module (its `OPTIONS` are the specs completion offers), loaded on demand. */
const MODULES: Record<string, () => Promise<{ run: unknown; OPTIONS?: readonly string[] }>> = {
  add: () => import("./add.ts"),
  bundle: () => import("./bundle.ts"),
  check: () => import("./check.ts"),
  checkout: () => import("./checkout.ts"),
  config: () => import("./config.ts"),
  deploy: () => import("./deploy.ts"),
  engine: () => import("./engine.ts"),
  help: () => import("./help.ts"),
  init: () => import("./init.ts"),
  log: () => import("./log.ts"),
  plan: () => import("./plan.ts"),
  rebase: () => import("./rebase.ts"),
  revert: () => import("./revert.ts"),
  rework: () => import("./rework.ts"),
  show: () => import("./show.ts"),
  status: () => import("./status.ts"),
  tag: () => import("./tag.ts"),
  target: () => import("./target.ts"),
  upgrade: () => import("./upgrade.ts"),
  verify: () => import("./verify.ts"),
};

/** A command's option specs (undefined for a command sqlitch does not implement). */
export async function commandSpecs(command: string): Promise<readonly string[] | undefined> {
  if (command === "completion") return OPTIONS;
  const load = Object.hasOwn(MODULES, command) ? MODULES[command] : undefined;
  return load ? (await load()).OPTIONS : undefined;
}

/** The project's values, read from `ctx` (its config and file system) when asked. */
async function projectSource(ctx: CommandContext): Promise<CompletionSource> {
  const [{ resolveTarget }, { readPlan }, { dbTargetContext }] = await Promise.all([
    import("../core/target.ts"),
    import("../core/plan/parser.ts"),
    import("./db_command.ts"),
  ]);
  const sections = (section: string, last?: string) => {
    const names = new Set<string>();
    for (const key of ctx.config.keys()) {
      const parts = key.split(".");
      if (parts.length < 3 || parts[0] !== section) continue;
      if (last !== undefined && parts.at(-1) !== last) continue;
      names.add(parts.slice(1, -1).join("."));
    }
    return [...names].sort();
  };
  let plan: ReturnType<typeof readPlan> | undefined;
  const planFor = (request: CompletionRequest) => {
    if (plan) return plan;
    const targets = sections("target", "uri");
    const named = typeof request.options.target === "string"
      ? request.options.target
      : request.positionals.find((w) => w.includes(":") || targets.includes(w));
    const target = resolveTarget(dbTargetContext(ctx, request.options), { name: named });
    plan = readPlan(ctx.host.fs, target.planFile);
    return plan;
  };
  return {
    targets: () => sections("target", "uri"),
    engines: () => sections("engine"),
    configKeys: () => ctx.config.keys(),
    changes: (request) => planFor(request).changes.map((c) => c.name),
    tags: (request) => planFor(request).tags.map((t) => `@${t.name}`),
  };
}

/** `completion <shell>` prints a script; `completion --complete -- <words>` the candidates. */
export async function run(ctx: CommandContext, argv: string[]): Promise<number> {
  const parsed = getOptions(OPTIONS, argv);
  if (parsed.options.complete === true) {
    const request = await analyse(parsed.args, commandSpecs);
    if (request.wants.length === 0) return 0;
    if (request.chdir !== undefined) {
      try {
        ctx.host.chdir(request.chdir);
        const { loadConfig } = await import("../core/config/mod.ts");
        ctx = { ...ctx, config: loadConfig({ host: ctx.host, systemDir: ctx.systemDir }) };
      } catch {
        return 0;
      }
    }
    const lines = candidates(request, await projectSource(ctx));
    if (lines.length > 0) ctx.out.emit(lines.join("\n"));
    return 0;
  }
  if (parsed.errors.length > 0) throw new SqlitchError(parsed.errors[0], { exitCode: 2 });
  if (parsed.args.length !== 1) {
    const problem = parsed.args.length === 0 ? "Which shell?" : "Too many arguments.";
    throw new SqlitchError(`${problem} Choose one of: ${SHELLS.join(", ")}`, { exitCode: 2 });
  }
  ctx.out.emitLiteral(completionScript(parsed.args[0], ctx.program));
  return 0;
}
