/**
 * The small interfaces through which core/ and commands/ reach the outside
 * world: the file system, the environment, the terminal and the user
 * account. io/deno_host.ts implements them for real; tests may fake them.
 */
import type { Env } from "./env.ts";
import type { TimeZone } from "./timezone.ts";

/** What `stat` reports about a path (symlinks followed). */
export interface PathInfo {
  isFile: boolean;
  isDirectory: boolean;
  /** Last modification time in whole seconds since the epoch, when known (`bundle` compares it). */
  mtime?: number;
}

/** Synchronous file-system access (config and plan files are small). */
export interface FileSystem {
  /** File contents as UTF-8 text, or undefined when it does not exist or cannot be read. */
  readText(path: string): string | undefined;
  /** File contents as raw bytes, or undefined when it does not exist or cannot be read. */
  readBytes(path: string): Uint8Array | undefined;
  /** Write text (UTF-8); throws a SqlitchError naming the path on failure. */
  writeText(path: string, text: string): void;
  /**
   * Write raw bytes, creating the file (mode 0666 less the umask) or
   * truncating an existing one (its mode kept). Throws on failure.
   */
  writeBytes(path: string, bytes: Uint8Array): void;
  /** Create a new empty file (mode 0600) in the system temp directory; returns its absolute path. */
  makeTempFile(): string;
  /** Create a file exclusively; false if it already exists. Throws on other errors. */
  createExclusive(path: string, text: string): boolean;
  /** Atomically replace `to` with `from`. */
  rename(from: string, to: string): void;
  /** Remove a file if it exists. */
  remove(path: string): void;
  /** Information about a path (following symlinks), or undefined if missing. */
  stat(path: string): PathInfo | undefined;
  /** The target of a symlink, or undefined when `path` is not a symlink. */
  readLink(path: string): string | undefined;
  /** Create a directory and its parents. Throws a plain Error on failure. */
  mkdirp(path: string): void;
  /** Names of the entries in a directory, or [] when it cannot be read. */
  readDir(path: string): string[];
}

/** A byte sink for stdout or stderr. */
export interface Writer {
  write(text: string): void;
  /** Write raw bytes (`show` prints scripts byte for byte); text writers may omit it. */
  writeBytes?(bytes: Uint8Array): void;
}

/** The account running sqlitch, as far as identity resolution needs it. */
export interface UserAccount {
  /** getlogin(): the login name of the session, if any. */
  loginName(): string | undefined;
  /** The passwd name of the real uid. */
  uidName(): string | undefined;
  /** The passwd GECOS field of a named user, or undefined if no such user. */
  gecos(user: string): string | undefined;
  /** The home directory: $HOME, else the passwd entry. */
  home(): string | undefined;
  /** The plain host name. */
  hostname(): string;
}

/** Everything a command may touch outside the process. */
export interface Host {
  env: Env;
  /** The current working directory (absolute). */
  cwd(): string;
  /** Change the working directory; throws a plain Error on failure. */
  chdir(dir: string): void;
  fs: FileSystem;
  stdout: Writer;
  stderr: Writer;
  user: UserAccount;
  /** Whether stdin / stdout are terminals. */
  isTerminal: { stdin: boolean; stdout: boolean };
  /**
   * Whether prompts talk to a person (Sqitch's `_is_interactive`): stdin a
   * terminal, and stdout a terminal or a pipe rather than a file or a
   * device. Absent: stdin being a terminal decides.
   */
  interactive?: boolean;
  /** Run a command line through /bin/sh; resolves to its exit code (or -1 + error text when it cannot start). */
  runShell(commandLine: string): Promise<{ code: number; error?: string }>;
  /** The local time zone dates are shown in (`TZ`, else the system zone); UTC when absent. */
  timeZone?(): Promise<TimeZone>;
  /**
   * Feed `text` to a pager: `commandLine` run through /bin/sh with stdin
   * piped and stdout/stderr inherited; resolves when the pager exits, to
   * false when it could not be started (the caller then prints the text).
   */
  page?(commandLine: string, text: string): Promise<boolean>;
  /** The operating system family. */
  os: "linux" | "darwin" | "windows" | string;
}
