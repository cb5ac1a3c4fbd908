/**
 * Running a user-supplied command line the way Sqitch does (Perl's
 * `system STRING` through IPC::System::Simple): the editor, for now.
 *
 * Perl only involves /bin/sh when the line contains shell metacharacters;
 * otherwise it splits the line on whitespace and execs the first word
 * directly, so a missing program "fails to start" instead of making the
 * shell exit 127. Failures become Sqitch's one-line messages, after the same
 * clean-up Sqitch applies to them (everything from the first " at " on is
 * cut, which is how Perl's "at FILE line N." suffix is removed).
 */
import { SqlitchError } from "./errors.ts";
import { type Env, perlTrue, sqitchEnv } from "./env.ts";
import type { FileSystem, Host } from "./host.ts";

/** Characters that make Perl hand a command line to the shell. */
const SHELL_METACHARS = /[$&*(){}[\]'";\\|?<>~`\n]/;

/** Characters String::ShellQuote leaves unquoted (Perl's Unicode `\w` and a few more). */
const SAFE_WORD = /^[\p{L}\p{M}\p{Nd}\p{Pc}!%+,\-./:=@^]+$/u;

/**
 * Quote one word for /bin/sh as String::ShellQuote does: left alone when
 * it has only safe characters (and no `=`, which would read as an
 * assignment in command position), else single-quoted with `'\''`.
 */
export function shellQuoteWord(word: string): string {
  if (word === "") return "''";
  if (SAFE_WORD.test(word) && !word.includes("=")) return word;
  let quoted = word.replaceAll("'", "'\\''");
  quoted = quoted.replace(/(?:'\\''){2,}/g, (run) => `'"${"'".repeat(run.length / 4)}"'`);
  quoted = `'${quoted}'`;
  if (quoted.startsWith("''")) quoted = quoted.slice(2);
  if (quoted.endsWith("''")) quoted = quoted.slice(0, -2);
  return quoted;
}

/** Whether Perl's `system STRING` would run this line through /bin/sh. */
export function needsShell(commandLine: string): boolean {
  const cmd = commandLine.replace(/^\s+/, "");
  if (/^\.\s/.test(cmd) || /^exec\s/.test(cmd)) return true;
  if (/^\w*=/.test(cmd)) return true;
  const body = cmd.endsWith("\n") ? cmd.slice(0, -1) : cmd;
  return SHELL_METACHARS.test(body);
}

/** Whether `execvp` would find `program` (a path, or a name searched on PATH). */
export function findProgram(fs: FileSystem, env: Env, cwd: string, program: string): boolean {
  const isFile = (path: string) => fs.stat(path)?.isFile ?? false;
  if (program.includes("/")) return isFile(program.startsWith("/") ? program : `${cwd}/${program}`);
  const path = env.PATH ?? "/bin:/usr/bin";
  return path.split(":").some((dir) => isFile(`${dir === "" ? cwd : dir}/${program}`));
}

/** A Perl die message as Sqitch's handler leaves it (cut at the first " at "). */
function perlDie(message: string): SqlitchError {
  const full = `${message} at /usr/share/perl5/App/Sqitch.pm line 348.\n`;
  const cleaned = full.replace(/\s+at\s+[\s\S]+/, "\n").replace(/\n$/, "");
  return new SqlitchError(cleaned, { ident: "shell", trailingBlankLine: true });
}

/**
 * Run a command line as Sqitch's `shell` does; resolves when it exits 0,
 * otherwise throws `"{cmd}" failed to start: "{reason}"` or
 * `"{cmd}" unexpectedly returned exit value {n}` (exit 2, blank line after).
 */
export async function runShellCommand(host: Host, commandLine: string): Promise<void> {
  if (!needsShell(commandLine)) {
    const program = commandLine.trim().split(/\s+/)[0] ?? "";
    if (!findProgram(host.fs, host.env, host.cwd(), program)) {
      throw perlDie(`"${commandLine}" failed to start: "No such file or directory"`);
    }
  }
  // Perl runs `/bin/sh` as "sh", which is the name the shell's own messages
  // use ("sh: 1: foo: not found"); re-exec under that name.
  const quoted = shellQuoteWord(commandLine);
  const result = await host.runShell(
    `if command -v sh >/dev/null 2>&1; then exec sh -c ${quoted}; else exec /bin/sh -c ${quoted}; fi`,
  );
  if (result.code === -1 && result.error !== undefined) {
    throw perlDie(`"${commandLine}" failed to start: "${result.error}"`);
  }
  if (result.code !== 0) {
    throw perlDie(`"${commandLine}" unexpectedly returned exit value ${result.code}`);
  }
}

/**
 * The editor command: `$SQITCH_EDITOR` (or `$SQLITCH_EDITOR`), then
 * `core.editor`, `$VISUAL`, `$EDITOR`, and finally `vi` — each skipped
 * when empty or "0", as Perl's `||` does.
 */
export function editorCommand(env: Env, configured: string | undefined): string {
  return sqitchEnv(env, "EDITOR") ??
    (perlTrue(configured) ? configured : undefined) ??
    (perlTrue(env.VISUAL) ? env.VISUAL : undefined) ??
    (perlTrue(env.EDITOR) ? env.EDITOR : undefined) ??
    "vi";
}
