/**
 * Sqitch's output channels: emit/info/comment/debug/trace go to stdout,
 * vent/warn to stderr, filtered by verbosity and prefixed per line exactly
 * as Sqitch does (cli.md §2.1).
 */
import type { Writer } from "./host.ts";

/** Prefix every line of `text` (including empty ones) with `prefix` + space. */
export function prefixLines(prefix: string, text: string): string {
  return text.split("\n").map((line) => `${prefix} ${line}`).join("\n");
}

/** Verbosity-aware writer pair used by every command. */
export class Output {
  readonly verbosity: number;
  readonly #stdout: Writer;
  readonly #stderr: Writer;

  constructor(stdout: Writer, stderr: Writer, verbosity: number) {
    this.#stdout = stdout;
    this.#stderr = stderr;
    this.verbosity = verbosity;
  }

  /** Always printed to stdout, with a newline. */
  emit(...parts: string[]): void {
    this.#stdout.write(parts.join("") + "\n");
  }

  /** Always printed to stdout, without a newline. */
  emitLiteral(...parts: string[]): void {
    this.#stdout.write(parts.join(""));
  }

  /** Printed to stdout when verbosity ≥ 1. */
  info(...parts: string[]): void {
    if (this.verbosity >= 1) this.emit(...parts);
  }

  /** Printed to stdout without a newline when verbosity ≥ 1. */
  infoLiteral(...parts: string[]): void {
    if (this.verbosity >= 1) this.emitLiteral(...parts);
  }

  /** Always printed to stdout, each line prefixed with `# `. */
  comment(...parts: string[]): void {
    this.emit(prefixLines("#", parts.join("")));
  }

  /** Printed to stdout with `debug: ` prefixes when verbosity ≥ 2. */
  debug(...parts: string[]): void {
    if (this.verbosity >= 2) this.emit(prefixLines("debug:", parts.join("")));
  }

  /** Printed to stdout with `trace: ` prefixes when verbosity ≥ 3. */
  trace(...parts: string[]): void {
    if (this.verbosity >= 3) this.emit(prefixLines("trace:", parts.join("")));
  }

  /** Always printed to stderr, with a newline. */
  vent(...parts: string[]): void {
    this.#stderr.write(parts.join("") + "\n");
  }

  /** Always printed to stderr, without a newline. */
  ventLiteral(...parts: string[]): void {
    this.#stderr.write(parts.join(""));
  }

  /** Always printed to stderr, each line prefixed with `warning: `. */
  warn(...parts: string[]): void {
    this.vent(prefixLines("warning:", parts.join("")));
  }
}
