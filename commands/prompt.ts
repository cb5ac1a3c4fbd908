/**
 * Sqitch's yes/no prompt (cli.md §3.1): `{question} [Yes] ` on stdout;
 * unattended (not interactive and stdin at EOF) prints and takes the
 * default; otherwise reads a line, accepting case-insensitive prefixes of
 * `Yes`/`No` (untrimmed, as 1.3.1), three bad answers abort.
 */
import { SqlitchError } from "../core/errors.ts";
import type { CommandContext } from "./context.ts";

/** Lines from standard input, buffered across prompts. */
export interface LineInput {
  /** Whether stdin is at end of file (reads ahead, like Perl's `eof`). */
  atEof(): Promise<boolean>;
  /** The next line without its newline; undefined at EOF. */
  readLine(): Promise<string | undefined>;
}

/** A LineInput over a chunk reader (default: Deno.stdin). */
export class StreamLines implements LineInput {
  #buf: number[] = [];
  #eof = false;
  readonly #read: (p: Uint8Array) => Promise<number | null>;

  constructor(read: (p: Uint8Array) => Promise<number | null> = (p) => Deno.stdin.read(p)) {
    this.#read = read;
  }

  async #fill(): Promise<boolean> {
    if (this.#eof) return false;
    const chunk = new Uint8Array(4096);
    const n = await this.#read(chunk);
    if (n === null || n === 0) {
      this.#eof = true;
      return false;
    }
    for (let i = 0; i < n; i++) this.#buf.push(chunk[i]);
    return true;
  }

  async atEof(): Promise<boolean> {
    if (this.#buf.length > 0) return false;
    return !(await this.#fill());
  }

  async readLine(): Promise<string | undefined> {
    while (!this.#buf.includes(10)) {
      if (!(await this.#fill())) break;
    }
    if (this.#buf.length === 0) return undefined;
    const nl = this.#buf.indexOf(10);
    const bytes = nl < 0 ? this.#buf.splice(0) : this.#buf.splice(0, nl + 1).slice(0, -1);
    return new TextDecoder().decode(new Uint8Array(bytes));
  }
}

/** Sqitch's `prompt`: the answer, or the default for an empty line, EOF or an unattended run. */
async function prompt(
  ctx: CommandContext,
  input: LineInput,
  question: string,
  def: string,
): Promise<string> {
  ctx.out.emitLiteral(`${question} [${def}] `);
  const interactive = ctx.host.interactive ?? ctx.host.isTerminal.stdin;
  if (!interactive && await input.atEof()) {
    ctx.out.emitLiteral(`${def}\n`);
    return def;
  }
  const line = (await input.readLine()) ?? "";
  return line !== "" ? line : def;
}

/** Sqitch's `ask_yes_no`: true for yes, false for no. */
export async function askYesNo(
  ctx: CommandContext,
  question: string,
  defaultYes: boolean,
  input: LineInput = new StreamLines(),
): Promise<boolean> {
  const def = defaultYes ? "Yes" : "No";
  for (let i = 0; i < 3; i++) {
    const answer = (await prompt(ctx, input, question, def)).toLowerCase();
    if ("yes".startsWith(answer)) return true;
    if ("no".startsWith(answer)) return false;
    ctx.out.emit('Please answer "y" or "n".');
  }
  throw new SqlitchError("No valid answer after 3 attempts; aborting", { ident: "io" });
}
