/**
 * The version-control client `checkout` drives (`core.vcs.client`, default
 * `git`), run the way Sqitch runs it (IPC::System::Simple's `runx` /
 * `capturex`): the program and its arguments without a shell, its stderr
 * (and, for `git checkout`, stdout) passed straight through, and failures
 * reported as `"{client}" failed to start: "{reason}"` or `"{client}"
 * unexpectedly returned exit value {n}` followed by an empty line (exit 2).
 *
 * Processes are started through the Host's `runShell`, with every word
 * quoted, so nothing here spawns processes itself; captured output goes
 * through a temporary file.
 */
import { SqlitchError } from "../core/errors.ts";
import type { Host } from "../core/host.ts";
import { findProgram, shellQuoteWord } from "../core/shell.ts";
import type { Vcs } from "../engines/rebase.ts";

/** A runx/capturex failure as Sqitch prints it. */
function clientError(message: string): SqlitchError {
  return new SqlitchError(message, { ident: "vcs", trailingBlankLine: true });
}

/**
 * Run `client args…`; with `capture`, resolve to its stdout bytes (stdout
 * passes through otherwise).
 */
async function runClient(
  host: Host,
  client: string,
  args: readonly string[],
  capture: boolean,
): Promise<Uint8Array | undefined> {
  if (!findProgram(host.fs, host.env, host.cwd(), client)) {
    throw clientError(`"${client}" failed to start: "No such file or directory"`);
  }
  const words = [client, ...args].map(shellQuoteWord).join(" ");
  const file = capture ? host.fs.makeTempFile() : undefined;
  try {
    const result = await host.runShell(
      file === undefined ? `exec ${words}` : `exec ${words} > ${shellQuoteWord(file)}`,
    );
    if (result.code === -1 && result.error !== undefined) {
      throw clientError(`"${client}" failed to start: "${result.error}"`);
    }
    if (result.code !== 0) {
      throw clientError(`"${client}" unexpectedly returned exit value ${result.code}`);
    }
    return file === undefined ? undefined : host.fs.readBytes(file) ?? new Uint8Array();
  } finally {
    if (file !== undefined) host.fs.remove(file);
  }
}

/**
 * Git (or the configured client) as the `Vcs` of engines/rebase.ts; the
 * plan is read with `show <branch>:./<plan file>` so that a relative plan
 * path stays relative to the working directory, not the repository root.
 */
export function gitVcs(host: Host, client: string, planFile: string): Vcs {
  return {
    async currentBranch() {
      const out = await runClient(host, client, ["rev-parse", "--abbrev-ref", "HEAD"], true);
      const text = new TextDecoder().decode(out);
      const nl = text.indexOf("\n");
      return nl < 0 ? text : text.slice(0, nl);
    },
    async planOn(branch) {
      const out = await runClient(
        host,
        client,
        ["show", `${branch}:${curdirPath(planFile)}`],
        true,
      );
      return out ?? new Uint8Array();
    },
    async checkout(branch) {
      await runClient(host, client, ["checkout", branch], false);
    },
  };
}

/**
 * `File::Spec->catfile('.', $file)` on Unix: `./` before the path with
 * repeated slashes and `.` segments collapsed (an absolute path keeps its
 * leading slash: `.//abs/plan`).
 */
export function curdirPath(file: string): string {
  const canon = file.replace(/\/{2,}/g, "/").replace(/(?:\/\.)+(?=\/|$)/g, "")
    .replace(/^(?:\.\/)+/, "").replace(/(.)\/$/, "$1");
  return `./${canon}`;
}
