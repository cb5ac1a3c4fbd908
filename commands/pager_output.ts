/**
 * Sqitch's `page` channel for `log` and `plan` (cli.md §2.1, §3.2): lines
 * go to stdout, or — when stdout is a terminal and `--no-pager` was not
 * given — through the pager once the command is done. Output to stdout is
 * buffered and written in large chunks.
 */
import { pagerCommand } from "../core/pager.ts";
import type { CommandContext } from "./context.ts";

const FLUSH_AT = 1 << 16;

/** Collects paged lines; call `close` (also after a failure) to deliver them. */
export class PagedOutput {
  readonly #ctx: CommandContext;
  readonly #paging: boolean;
  #chunks: string[] = [];
  #size = 0;

  constructor(ctx: CommandContext) {
    this.#ctx = ctx;
    this.#paging = ctx.host.isTerminal.stdout && !ctx.noPager && ctx.host.page !== undefined;
  }

  /** Whether the output will go through a pager. */
  get paging(): boolean {
    return this.#paging;
  }

  /** `page(@parts)`: the parts joined, plus a newline. */
  line(...parts: string[]): void {
    const text = parts.join("") + "\n";
    this.#chunks.push(text);
    this.#size += text.length;
    if (!this.#paging && this.#size >= FLUSH_AT) this.#flush();
  }

  #flush(): void {
    if (this.#chunks.length === 0) return;
    this.#ctx.out.emitLiteral(this.#chunks.join(""));
    this.#chunks = [];
    this.#size = 0;
  }

  /** Deliver what was collected: to the pager, or to stdout. */
  async close(): Promise<void> {
    if (this.#paging && this.#chunks.length > 0) {
      const { host, config } = this.#ctx;
      const command = pagerCommand({
        env: host.env,
        fs: host.fs,
        configured: config.get("core.pager"),
      });
      const text = this.#chunks.join("");
      this.#chunks = [];
      this.#size = 0;
      if (await host.page!(command, text)) return;
      this.#ctx.out.emitLiteral(text);
      return;
    }
    this.#flush();
  }
}
