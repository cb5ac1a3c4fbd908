/**
 * Shell completion: what `completion --complete` offers for a command line
 * (analyse + candidates, pure, with a fake project), the scripts for bash,
 * zsh and fish (syntax, registration, and each shell's function driven
 * against a sample project through a `sqlitch`/`sqitch` on PATH), and the
 * command's errors. zsh and fish are skipped with a banner when absent.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import {
  analyse,
  candidates,
  commandSpecs,
  type CompletionRequest,
  completionScript,
  type CompletionSource,
  FILES,
} from "../../commands/completion.ts";
import { which } from "../parity/kit.ts";
import { makeProgramDir } from "../smoke/programs.ts";
import { runSqlitch, withSandbox } from "./sandbox.ts";

// ---------------------------------------------------------------------------
// What is offered (no processes)

const FAKE: CompletionSource = {
  targets: () => ["dev", "prod"],
  engines: () => ["pg"],
  configKeys: () => ["core.engine", "core.top_dir", "user.name"],
  changes: (r: CompletionRequest) =>
    r.options.target === "other" || r.positionals.includes("other")
      ? ["elsewhere"]
      : ["users", "flips", "lists"],
  tags: (r: CompletionRequest) =>
    r.options.target === "other" || r.positionals.includes("other") ? [] : ["@v1.0"],
};

/** The candidates for a command line whose last word is the one being completed. */
async function offered(...words: string[]): Promise<string[]> {
  return candidates(await analyse(words, commandSpecs), FAKE);
}

Deno.test("commands, core options and the directory after -C", async () => {
  assertEquals(await offered("sqlitch", "dep"), ["deploy"]);
  assertEquals(await offered("sqlitch", "re"), ["rebase", "revert", "rework"]);
  ok((await offered("sqlitch", "")).includes("completion"));
  assertEquals(await offered("sqlitch", "--ver"), ["--verbose", "--version"]);
  assertEquals(await offered("sqlitch", "-C", ""), [FILES]);
  assertEquals(await offered("sqlitch", "--quiet", "-C", "sub", "st"), ["status"]);
  assertEquals((await analyse(["sqlitch", "-C", "sub", "deploy", ""], commandSpecs)).chdir, "sub");
});

Deno.test("a command's options come from the specs it parses with", async () => {
  assertEquals(await offered("sqlitch", "deploy", "--t"), [
    "--target",
    "--to-change",
    "--to",
    "--top-dir",
  ]);
  assertEquals(await offered("sqlitch", "deploy", "--no-v"), ["--no-verify"]);
  assertEquals(await offered("sqlitch", "status", "--show"), ["--show-tags", "--show-changes"]);
  // Options given before the command word belong to it too.
  assertEquals(await offered("sqlitch", "--plan-file", "x.plan", "deploy", "--to", "f"), ["flips"]);
  // After "--" everything is an argument.
  assertEquals(await offered("sqlitch", "deploy", "--", "--t"), []);
});

Deno.test("targets, changes, tags, engines and fixed values where the grammar wants them", async () => {
  assertEquals(await offered("sqlitch", "deploy", ""), ["dev", "prod"]);
  assertEquals(await offered("sqlitch", "deploy", "-t", ""), ["dev", "prod"]);
  assertEquals(await offered("sqlitch", "deploy", "--to", ""), [
    "users",
    "flips",
    "lists",
    "@v1.0",
  ]);
  assertEquals(await offered("sqlitch", "deploy", "--to-c", "f"), ["flips"]);
  assertEquals(await offered("sqlitch", "revert", "-y", "prod", ""), [
    "users",
    "flips",
    "lists",
    "@v1.0",
  ]);
  assertEquals(await offered("sqlitch", "verify", "-t", "other", "--from", ""), ["elsewhere"]);
  assertEquals(await offered("sqlitch", "deploy", "other", "--to", ""), ["elsewhere"]);
  assertEquals(await offered("sqlitch", "add", "x", "-r", "u"), ["users"]);
  assertEquals(await offered("sqlitch", "add", ""), []);
  assertEquals(await offered("sqlitch", "rework", ""), ["users", "flips", "lists"]);
  assertEquals(await offered("sqlitch", "tag", "v2", ""), ["users", "flips", "lists"]);
  assertEquals(await offered("sqlitch", "show", ""), [
    "change",
    "tag",
    "deploy",
    "revert",
    "verify",
  ]);
  assertEquals(await offered("sqlitch", "show", "tag", ""), ["@v1.0"]);
  assertEquals(await offered("sqlitch", "show", "deploy", "l"), ["lists"]);
  assertEquals(await offered("sqlitch", "target", ""), [
    "add",
    "alter",
    "remove",
    "rename",
    "show",
  ]);
  assertEquals(await offered("sqlitch", "target", "show", ""), ["dev", "prod"]);
  assertEquals(await offered("sqlitch", "target", "add", ""), []);
  assertEquals(await offered("sqlitch", "engine", "alter", ""), ["pg"]);
  assertEquals(await offered("sqlitch", "engine", "add", "s"), ["sqlite", "snowflake"]);
  assertEquals(await offered("sqlitch", "init", "flipr", "--engine", "m"), ["mysql"]);
  assertEquals(await offered("sqlitch", "deploy", "--mode", ""), ["all", "change", "tag"]);
  assertEquals(await offered("sqlitch", "log", "--event", "f"), ["fail"]);
  assertEquals(await offered("sqlitch", "config", "--get", "core."), [
    "core.engine",
    "core.top_dir",
  ]);
  assertEquals(await offered("sqlitch", "help", "conf"), ["config", "configuration"]);
  assertEquals(await offered("sqlitch", "completion", ""), ["bash", "zsh", "fish"]);
  assertEquals(await offered("sqlitch", "deploy", "-f", "s"), [FILES]);
  assertEquals(await offered("sqlitch", "status", "prod", ""), []);
});

Deno.test("--opt=value words: whole in zsh and fish, split at = by bash", async () => {
  assertEquals(await offered("sqlitch", "deploy", "--to=f"), ["--to=flips"]);
  assertEquals(await offered("sqlitch", "deploy", "--to", "=", "f"), ["flips"]);
  assertEquals(await offered("sqlitch", "deploy", "--to", "="), [
    "users",
    "flips",
    "lists",
    "@v1.0",
  ]);
  assertEquals(await offered("sqlitch", "deploy", "--target=p"), ["--target=prod"]);
});

Deno.test("a part that cannot be looked up offers nothing, the rest still comes", () => {
  const broken: CompletionSource = {
    ...FAKE,
    changes: () => {
      throw new Error("no plan");
    },
  };
  const request: CompletionRequest = {
    wants: [{ kind: "changes" }, { kind: "tags" }],
    prefix: "",
    insert: "",
    options: {},
    positionals: [],
  };
  assertEquals(candidates(request, broken), ["@v1.0"]);
});

Deno.test("the scripts register the name they are printed under", () => {
  ok(completionScript("bash", "sqlitch").endsWith("\ncomplete -F __sqlitch_complete sqlitch\n"));
  ok(completionScript("bash", "sqitch").endsWith("\ncomplete -F __sqitch_complete sqitch\n"));
  ok(completionScript("zsh", "sqitch").startsWith("#compdef sqitch\n"));
  ok(
    completionScript("fish", "sqitch").endsWith("complete -c sqitch -f -a '(__sqitch_complete)'\n"),
  );
});

// ---------------------------------------------------------------------------
// The command

Deno.test("completion needs exactly one known shell", async () => {
  await withSandbox({}, async (sb) => {
    assertEquals(await runSqlitch(sb, ["completion"]), {
      code: 2,
      stdout: "",
      stderr: "Which shell? Choose one of: bash, zsh, fish\n",
    });
    assertEquals(await runSqlitch(sb, ["completion", "tcsh"]), {
      code: 2,
      stdout: "",
      stderr: 'Unknown shell "tcsh". Choose one of: bash, zsh, fish\n',
    });
    assertEquals((await runSqlitch(sb, ["completion", "bash", "zsh"])).code, 2);
    const help = await runSqlitch(sb, ["help", "completion"]);
    assertEquals(help.code, 0);
    ok(help.stdout.includes("source <(sqlitch completion bash)"));
    // Not one of Sqitch's commands: the command list stays Sqitch's.
    ok(!(await runSqlitch(sb, ["help"])).stdout.includes("completion"));
  });
});

Deno.test("--complete prints nothing (exit 0) for a project it cannot read", async () => {
  await withSandbox({ "proj/sqitch.conf": "[core\n" }, async (sb) => {
    const r = await runSqlitch(sb, ["completion", "--complete", "--", "sqlitch", "deploy", ""]);
    assertEquals(r.stdout, "");
    ok(r.code !== 0);
  });
  await withSandbox({ "proj/sqitch.conf": "[core]\n\tengine = sqlite\n" }, async (sb) => {
    const r = await runSqlitch(sb, [
      "completion",
      "--complete",
      "--",
      "sqlitch",
      "deploy",
      "--to",
      "",
    ]);
    assertEquals(r, { code: 0, stdout: "", stderr: "" });
  });
});

// ---------------------------------------------------------------------------
// The shells, on a sample project

const CONF = `[core]
\tengine = sqlite
[engine "sqlite"]
\ttarget = dev
[target "dev"]
\turi = db:sqlite:dev.db
[target "prod"]
\turi = db:sqlite:prod.db
`;

const PLAN = `%syntax-version=1.0.0
%project=flipr

users 2024-01-02T03:04:05Z Jane Doe <jane@example.com> # Users.
flips [users] 2024-01-02T03:04:06Z Jane Doe <jane@example.com> # Flips.
@v1.0 2024-01-02T03:04:07Z Jane Doe <jane@example.com> # Tag.
lists 2024-01-02T03:04:08Z Jane Doe <jane@example.com> # Lists.
`;

const PROJECT = { "proj/sqitch.conf": CONF, "proj/sqitch.plan": PLAN };

/** Run `shell args…` in the sample project with `sqlitch`/`sqitch` first on PATH. */
async function inProject(
  shell: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let result = { code: -1, stdout: "", stderr: "" };
  await withSandbox(PROJECT, async (sb) => {
    const programs = await makeProgramDir(sb.root);
    const out = await new Deno.Command(shell, {
      args,
      cwd: sb.proj,
      clearEnv: true,
      env: {
        PATH: `${programs.bin}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
        HOME: sb.home,
        LANG: "C.UTF-8",
        TZ: "UTC",
        SQITCH_SYSTEM_CONFIG: `${sb.root}/etc/sqitch.conf`,
        XDG_CONFIG_HOME: `${sb.home}/.config`,
        XDG_DATA_HOME: `${sb.home}/.local/share`,
        ...programs.env,
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    result = { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  });
  return result;
}

/** The lines cases print, grouped under their `== case` headers. */
function byCase(stdout: string): Record<string, string[]> {
  const cases: Record<string, string[]> = {};
  let current = "";
  for (const line of stdout.split("\n")) {
    if (line.startsWith("== ")) cases[current = line.slice(3)] = [];
    else if (line !== "" && current) cases[current].push(line);
  }
  return cases;
}

/** The completions every shell must give on the sample project. */
const EXPECTED: Record<string, string[]> = {
  "dep": ["deploy"],
  "deploy --t": ["--target", "--to", "--to-change", "--top-dir"],
  "deploy ": ["dev", "prod"],
  "deploy --to ": ["@v1.0", "flips", "lists", "users"],
  "deploy prod --to f": ["flips"],
  "show tag ": ["@v1.0"],
};

/** Each expected line, for a shell script's case list. */
function cases(): [string, string[]][] {
  return Object.entries(EXPECTED).map(([line, _]) => [line, line.split(" ")]);
}

/** Sort each case's completions (shells differ in order). */
function sorted(found: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(found).map(([k, v]) => [k, [...v].sort()]));
}

const bashScript = (program: string) => {
  const q = (s: string) => `'${s}'`;
  const runs = cases().map(([line, words]) =>
    `echo ${q(`== ${line}`)}; t ${program} ${words.map(q).join(" ")}`
  );
  return `set -e
source <(${program} completion bash)
complete -p ${program}
t() { COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=(); __${program}_complete; printf '%s\\n' "\${COMPREPLY[@]}"; }
${runs.join("\n")}
`;
};

for (const program of ["sqlitch", "sqitch"]) {
  Deno.test(`bash: the script parses, registers ${program} and completes the sample project`, async () => {
    await withSandbox({}, async (sb) => {
      const script = (await runSqlitch(sb, ["completion", "bash"])).stdout;
      const check = await new Deno.Command("bash", { args: ["-n", "-c", script] }).output();
      assertEquals(check.code, 0, new TextDecoder().decode(check.stderr));
    });
    const r = await inProject("bash", ["-c", bashScript(program)]);
    assertEquals(r.stderr, "");
    assertEquals(r.code, 0);
    ok(r.stdout.startsWith(`complete -F __${program}_complete ${program}\n`), r.stdout);
    assertEquals(sorted(byCase(r.stdout)), EXPECTED);
  });
}

/** A loud skip for a shell that is not installed. */
function shellAvailable(shell: string): boolean {
  if (which(shell)) return true;
  const line = "!".repeat(78);
  console.error(
    `\n${line}\n!! ${shell} completion tests SKIPPED: ${shell} is not on PATH\n${line}\n`,
  );
  return false;
}

const zshScript = () => {
  const q = (s: string) => `'${s}'`;
  const runs = cases().map(([line, words]) =>
    `print -r -- ${q(`== ${line}`)}; t sqlitch ${words.map(q).join(" ")}`
  );
  return `autoload -U compinit && compinit -u -d "$HOME/.zcompdump"
source <(sqlitch completion zsh)
print -r -- "registered: \${_comps[sqlitch]}"
compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@"; }
_files() { print -r -- FILES; }
t() { words=("$@"); CURRENT=$#; __sqlitch_complete; }
${runs.join("\n")}
`;
};

Deno.test({
  name: "zsh: the script parses, registers with compdef and completes the sample project",
  ignore: !shellAvailable("zsh"),
  fn: async () => {
    await withSandbox({}, async (sb) => {
      const script = (await runSqlitch(sb, ["completion", "zsh"])).stdout;
      const check = await new Deno.Command("zsh", { args: ["-n", "-c", script] }).output();
      assertEquals(check.code, 0, new TextDecoder().decode(check.stderr));
    });
    const r = await inProject("zsh", ["-f", "-c", zshScript()]);
    assertEquals(r.stderr, "");
    assertEquals(r.code, 0);
    ok(r.stdout.startsWith("registered: __sqlitch_complete\n"), r.stdout);
    assertEquals(sorted(byCase(r.stdout)), EXPECTED);
  },
});

const fishScript = () => {
  const runs = cases().map(([line]) =>
    `echo '== ${line}'; complete -C'sqlitch ${line}' | string replace -r '\\t.*' ''`
  );
  return `sqlitch completion fish | source
complete -c sqlitch | string match -q '*__sqlitch_complete*'; and echo registered
${runs.join("\n")}
true
`;
};

Deno.test({
  name: "fish: the script parses, registers and completes the sample project",
  ignore: !shellAvailable("fish"),
  fn: async () => {
    await withSandbox({}, async (sb) => {
      const script = (await runSqlitch(sb, ["completion", "fish"])).stdout;
      const check = await new Deno.Command("fish", {
        args: ["-n", "-c", script],
        env: { HOME: sb.home, XDG_CONFIG_HOME: `${sb.home}/.config` },
      }).output();
      assertEquals(check.code, 0, new TextDecoder().decode(check.stderr));
    });
    const r = await inProject("fish", ["--no-config", "-c", fishScript()]);
    assertEquals(r.stderr, "");
    assertEquals(r.code, 0);
    ok(r.stdout.startsWith("registered\n"), r.stdout);
    assertEquals(sorted(byCase(r.stdout)), EXPECTED);
  },
});
