/**
 * Running a database's command-line client (sqlite3, psql, mysql …) as
 * Sqitch runs it: the program exactly as configured (looked up on PATH when
 * it has no slash), an argument vector without any shell, the inherited
 * environment plus a few variables, and our stdin unless told otherwise.
 * The client's stdout and stderr are streamed to a `ScriptOutput` as they
 * arrive.
 *
 * Failures become `ScriptError`s carrying the message Sqitch prints for
 * them, with its trailing empty line:
 *
 *   "{client}" failed to start: "{reason}"        (missing or not executable)
 *   "{client}" unexpectedly returned exit value N
 *   "{client}" died to signal "NAME" (N)
 *
 * The engine-specific parts (argv, variables, version checks) live with
 * each engine (sqlite_client.ts for SQLite).
 */
import { ScriptError, type ScriptOutput } from "./engine.ts";

/** One client invocation. */
export interface ClientCommand {
  /** The client exactly as configured: what is run, and what messages name. */
  client: string;
  /** The arguments after the program name. */
  args: readonly string[];
  /** Variables added to the inherited environment (e.g. `PGPASSWORD`). */
  env?: Readonly<Record<string, string>>;
  /**
   * What the client reads: our own stdin (`"inherit"`, the default, as
   * Sqitch does), nothing (`"null"`), or the given text or bytes.
   */
  stdin?: "inherit" | "null" | string | Uint8Array;
  /** Working directory; default ours. */
  cwd?: string;
}

/** Linux signal numbers, for `died to signal "NAME" (N)`. */
const SIGNAL_NUMBERS: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPWR: 30,
  SIGSYS: 31,
};

/** The C library's text for the errno codes a failed exec can report. */
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: "No such file or directory",
  EACCES: "Permission denied",
  EPERM: "Operation not permitted",
  ENOEXEC: "Exec format error",
  ENOTDIR: "Not a directory",
  EISDIR: "Is a directory",
  ELOOP: "Too many levels of symbolic links",
  ENAMETOOLONG: "File name too long",
  E2BIG: "Argument list too long",
  ETXTBSY: "Text file busy",
  ENOMEM: "Cannot allocate memory",
};

/** Why a spawn failed, in the C library's words (`No such file or directory`). */
export function spawnFailureReason(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" && ERRNO_TEXT[code] !== undefined) return ERRNO_TEXT[code];
  const message = error instanceof Error ? error.message : String(error);
  const m = /: ([^:]+?) \(os error \d+\)$/.exec(message);
  if (m) return m[1];
  if (error instanceof Deno.errors.NotFound) return ERRNO_TEXT.ENOENT;
  if (error instanceof Deno.errors.PermissionDenied) return ERRNO_TEXT.EACCES;
  return message;
}

/** `"{client}" failed to start: "{reason}"` (+ empty line), as a ScriptError. */
export function clientStartError(client: string, script: string, error: unknown): ScriptError {
  return new ScriptError(
    script,
    -1,
    `"${client}" failed to start: "${spawnFailureReason(error)}"`,
    true,
  );
}

/** The ScriptError for an unsuccessful exit status, or undefined on success. */
export function clientStatusError(
  client: string,
  script: string,
  status: Deno.CommandStatus,
): ScriptError | undefined {
  if (status.signal !== null && status.signal !== undefined) {
    const name = String(status.signal);
    const number = SIGNAL_NUMBERS[name] ?? (status.code > 128 ? status.code - 128 : 0);
    return new ScriptError(
      script,
      -1,
      `"${client}" died to signal "${name.replace(/^SIG/, "")}" (${number})`,
      true,
    );
  }
  if (status.code === 0) return undefined;
  return new ScriptError(
    script,
    status.code,
    `"${client}" unexpectedly returned exit value ${status.code}`,
    true,
  );
}

/** Decode a byte stream as UTF-8 text, handing each piece to `write` as it arrives. */
async function pump(
  stream: ReadableStream<Uint8Array>,
  write: (chunk: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  for await (const bytes of stream) {
    const text = decoder.decode(bytes, { stream: true });
    if (text !== "") write(text);
  }
  const rest = decoder.decode();
  if (rest !== "") write(rest);
}

/** Feed the client its input, then close its stdin; a client that stops reading is fine. */
async function feed(stdin: WritableStream<Uint8Array>, input: string | Uint8Array): Promise<void> {
  const writer = stdin.getWriter();
  try {
    await writer.write(typeof input === "string" ? new TextEncoder().encode(input) : input);
    await writer.close();
  } catch (e) {
    if (!(e instanceof Deno.errors.BrokenPipe)) throw e;
  }
}

/**
 * Spawn the client and stream its output; resolves to its exit status.
 * Throws the `failed to start` ScriptError when it cannot be executed.
 */
async function spawn(
  cmd: ClientCommand,
  script: string,
  onStdout: (chunk: string) => void,
  onStderr: (chunk: string) => void,
): Promise<Deno.CommandStatus> {
  const input = cmd.stdin ?? "inherit";
  const feeding = typeof input !== "string" || (input !== "inherit" && input !== "null");
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(cmd.client, {
      args: [...cmd.args],
      env: cmd.env ? { ...cmd.env } : undefined,
      cwd: cmd.cwd,
      stdin: feeding ? "piped" : input as "inherit" | "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    throw clientStartError(cmd.client, script, e);
  }
  const tasks: Promise<void>[] = [pump(child.stdout, onStdout), pump(child.stderr, onStderr)];
  if (feeding) tasks.push(feed(child.stdin, input as string | Uint8Array));
  const [status] = await Promise.all([child.status, ...tasks]);
  return status;
}

/**
 * Run a client as Sqitch's `run` does: stdout and stderr go to `out` as
 * they arrive; a failure to start, a non-zero exit or a signal throws a
 * `ScriptError` with Sqitch's message. `script` is recorded on the error
 * (default: the client).
 */
export async function runClient(
  cmd: ClientCommand,
  out: ScriptOutput,
  script: string = cmd.client,
): Promise<void> {
  const status = await spawn(
    cmd,
    script,
    (chunk) => out.stdout(chunk),
    (chunk) => out.stderr(chunk),
  );
  const error = clientStatusError(cmd.client, script, status);
  if (error) throw error;
}

/**
 * Run a client as Sqitch's `capture` does: returns its stdout, while its
 * stderr goes to `stderr`; failures throw like `runClient`.
 */
export async function captureClient(
  cmd: ClientCommand,
  stderr: (chunk: string) => void,
  script: string = cmd.client,
): Promise<string> {
  let text = "";
  const status = await spawn(cmd, script, (chunk) => text += chunk, stderr);
  const error = clientStatusError(cmd.client, script, status);
  if (error) throw error;
  return text;
}
