/**
 * Typed errors for sqlitch. Every failure the user can cause is a
 * `SqlitchError` carrying the exit code Sqitch would use; main.ts is the one
 * place that renders them.
 */

/** A failure with a user-facing one-line message and an exit code. */
export class SqlitchError extends Error {
  /** Process exit code: 1 for "nothing to do"-class, 2 for fatal. */
  readonly exitCode: number;
  /** Error family, e.g. "config", "plan", "target", "io", "usage". */
  readonly ident: string;
  /**
   * Sqitch prints some messages (those its libraries end with a newline)
   * followed by an empty line; true reproduces that.
   */
  readonly trailingBlankLine: boolean;

  constructor(
    message: string,
    options: { exitCode?: number; ident?: string; trailingBlankLine?: boolean } = {},
  ) {
    super(message);
    this.name = "SqlitchError";
    this.exitCode = options.exitCode ?? 2;
    this.ident = options.ident ?? "sqlitch";
    this.trailingBlankLine = options.trailingBlankLine ?? false;
  }
}

/**
 * A command-line usage error: the optional message lines are printed to
 * stderr followed by the command's usage text, exit 2.
 */
export class UsageError extends SqlitchError {
  /** Lines printed before the usage text (Getopt errors or a message). */
  readonly lines: string[];
  /** Command whose usage text to print ("" = the command list). */
  readonly command: string;

  constructor(command: string, lines: string[] = []) {
    super(lines.join("\n") || "usage", { exitCode: 2, ident: "usage" });
    this.name = "UsageError";
    this.command = command;
    this.lines = lines;
  }
}

/**
 * The text of a system error as Perl's `$!` would give it: Deno's message
 * without its "(os error N): …" decoration (e.g. "No such file or directory").
 */
export function systemErrorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/\s*\(os error \d+\)[\s\S]*$/, "");
}

/** Shorthand for throwing a fatal (exit 2) error. */
export function fail(message: string, ident = "sqlitch"): never {
  throw new SqlitchError(message, { exitCode: 2, ident });
}
