/**
 * psql's input lexer (the behaviour of psqlscan.l and psqlscanslash.l),
 * written from scratch: it feeds SQL text into the query buffer line by line
 * and stops at a statement-ending semicolon or at a backslash meta-command,
 * exactly where psql stops.
 *
 * SQL side: `--` and nested `/* … *\/` comments, '…' strings (standard or,
 * with standard_conforming_strings off, backslash-escaped), E'…', B'…',
 * X'…', N'…', U&'…' and U&"…", "identifiers", $tag$ dollar quotes,
 * parenthesis depth (a `;` inside parentheses does not end a statement), the
 * BEGIN … END body of `CREATE [OR REPLACE] FUNCTION|PROCEDURE` (SQL-standard
 * bodies), `\;` and `\:`, and psql variables: `:name` (its value is lexed in
 * turn, recursion refused with psql's warning), `:'name'` (literal),
 * `:"name"` (identifier) and `:{?name}` (TRUE/FALSE), never inside quotes,
 * dollar quotes or comments. Whitespace and `--` comments before a
 * statement's first token are dropped, as psql does.
 *
 * Meta-command side: the command name, then arguments one at a time in
 * psql's option modes (plain, SQL identifier, whole line) with '…' quoting
 * and its escapes, "…" kept verbatim, variables substituted without further
 * lexing, and arguments ending at whitespace or the next backslash.
 */

/** How a variable's value is to be quoted (psql's PQUOTE_*). */
export type QuoteKind = "plain" | "literal" | "ident";

/** What the lexer asks of its user. */
export interface ScanCallbacks {
  /**
   * The value to substitute for variable `name`, already quoted as asked;
   * undefined leaves the reference as written (unset variable, or an
   * inactive `\if` branch).
   */
  getVariable(name: string, quote: QuoteKind): string | undefined;
  /** A warning psql prints while lexing (recursive variable expansion). */
  warning(message: string): void;
  /** Whether the current `\if` branch is active (backquoted commands are only run then). */
  active(): boolean;
}

/** Why `scan` stopped (psql's PSCAN_*). */
export type ScanResult = "semicolon" | "backslash" | "incomplete" | "eol";

/** How a meta-command argument is read (psql's OT_*). */
export type OptionType = "normal" | "sqlid" | "sqlidhack" | "wholeLine" | "noEval";

/** One meta-command argument and how it was quoted (`'`, `"`, `:` for a variable, `` ` ``, or ""). */
export interface SlashOption {
  value: string;
  quote: string;
}

/** The query buffer psql accumulates a statement in. */
export interface QueryBuffer {
  text: string;
}

type State = "INITIAL" | "xc" | "xb" | "xh" | "xq" | "xe" | "xus" | "xqs" | "xdolq" | "xd" | "xui";

/** One input buffer: the current line, or a variable's value being lexed. */
interface Source {
  text: string;
  pos: number;
  varname?: string;
}

/** A meta-command argument with an unterminated quote. */
export class UnterminatedQuoteError extends Error {
  constructor() {
    super("unterminated quoted string");
    this.name = "UnterminatedQuoteError";
  }
}

/** A backquoted argument (`` `command` ``): the shell command to run. */
export class BacktickError extends Error {
  readonly command: string;
  constructor(command: string) {
    super(`backquoted command \`${command}\``);
    this.name = "BacktickError";
    this.command = command;
  }
}

const SPACE = /[ \t\n\r\f]/;
const WHITESPACE_RUN = /[ \t\n\r\f]+/y;
const DASH_COMMENT = /--[^\n\r]*/y;
const DOLQ_DELIM = /\$(?:[A-Za-z\u0080-\uffff_][A-Za-z\u0080-\uffff_0-9]*)?\$/y;
const DOLQ_FAILED = /\$[A-Za-z\u0080-\uffff_][A-Za-z\u0080-\uffff_0-9]*/y;
const PARAM = /\$[0-9]+/y;
const IDENTIFIER = /[A-Za-z\u0080-\uffff_][A-Za-z\u0080-\uffff_0-9$]*/y;
const DIGITS = /[0-9]+/y;
const OPERATOR = /[~!@#^&|`?+\-*/%<>=]+/y;
const VARIABLE = /:([A-Za-z\u0080-\uffff_0-9]+)/y;
const VARIABLE_LITERAL = /:'([A-Za-z\u0080-\uffff_0-9]+)'/y;
const VARIABLE_IDENT = /:"([A-Za-z\u0080-\uffff_0-9]+)"/y;
const VARIABLE_TEST = /:\{\?([A-Za-z\u0080-\uffff_0-9]+)\}/y;
const QUOTE_CONTINUE = /(?:[ \t\f]|--[^\n\r]*)*[\n\r](?:[ \t\n\r\f]+|--[^\n\r]*[\n\r])*'/y;
const XC_STOP = /\*+\//y;
const XC_INSIDE = /[^*/]+/y;
const STARS = /\*+/y;
const NOT_QUOTE = /[^']+/y;
const NOT_DQUOTE = /[^"]+/y;
const XE_INSIDE = /[^\\']+/y;
const NOT_DOLLAR = /[^$]+/y;
const OCTAL_ESCAPE = /\\([0-7]{1,3})/y;
const HEX_ESCAPE = /\\x([0-9A-Fa-f]{1,2})/y;

function matchAt(re: RegExp, text: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(text);
}

const TRACKED_WORDS = new Set(["create", "function", "procedure", "or", "replace"]);

/**
 * psql's scanner state: persists across the lines of one input file (a
 * string or comment may span lines); `setup` gives it the next line.
 */
export class PsqlScanner {
  private state: State = "INITIAL";
  private stateBeforeStrStop: State = "INITIAL";
  private xcdepth = 0;
  private dolqstart: string | null = null;
  /** Open parentheses in the statement so far. */
  parenDepth = 0;
  private beginDepth = 0;
  private identifierCount = 0;
  private identifiers = ["", "", "", ""];
  private stack: Source[] = [];
  /** standard_conforming_strings: whether '…' strings take backslash escapes (off) or not (on). */
  stdStrings = true;
  private readonly callbacks: ScanCallbacks;

  constructor(callbacks: ScanCallbacks) {
    this.callbacks = callbacks;
  }

  /** Start lexing a new input line (without its newline). */
  setup(line: string): void {
    this.stack = [{ text: line, pos: 0 }];
  }

  /** Done with the current line. */
  finish(): void {
    this.stack = [];
  }

  /** Forget any partial statement state (after a query was sent by a meta-command). */
  reset(): void {
    this.state = "INITIAL";
    this.parenDepth = 0;
    this.xcdepth = 0;
    this.dolqstart = null;
    this.identifierCount = 0;
    this.beginDepth = 0;
  }

  /** Inside a string, quoted identifier, dollar quote or comment at the end of the last line? */
  inQuote(): boolean {
    return this.state !== "INITIAL" && this.state !== "xqs";
  }

  /** The rest of the current line (and of any variable values being lexed); for tests. */
  remaining(): string {
    return this.stack.map((s) => s.text.slice(s.pos)).reverse().join("");
  }

  /** The input buffer being read, popping exhausted variable values; undefined at end of line. */
  private current(): Source | undefined {
    while (this.stack.length > 0) {
      const top = this.stack[this.stack.length - 1];
      if (top.pos < top.text.length) return top;
      if (this.stack.length === 1) return undefined;
      this.stack.pop();
    }
    return undefined;
  }

  /**
   * Lex SQL from the current line into `buf` until a statement-ending
   * semicolon (included in `buf`), a backslash (consumed; the meta-command
   * follows), or the end of the line.
   */
  scan(buf: QueryBuffer): ScanResult {
    for (;;) {
      const src = this.current();
      if (src === undefined) return this.endOfLine(buf);
      const r = this.step(src, buf);
      if (r !== undefined) return r;
    }
  }

  private endOfLine(buf: QueryBuffer): ScanResult {
    if (this.state === "INITIAL" || this.state === "xqs") {
      if (this.parenDepth > 0 || this.beginDepth > 0) return "incomplete";
      return buf.text.length > 0 ? "eol" : "incomplete";
    }
    return "incomplete";
  }

  /** One lexer rule at the current position; a result when lexing must stop. */
  private step(src: Source, buf: QueryBuffer): ScanResult | undefined {
    const t = src.text;
    const p = src.pos;
    const c = t[p];
    const echo = (n: number) => {
      buf.text += t.slice(p, p + n);
      src.pos = p + n;
    };
    switch (this.state) {
      case "xc": {
        if (c === "/" && t[p + 1] === "*") {
          this.xcdepth++;
          echo(2);
          return;
        }
        let m = matchAt(XC_STOP, t, p);
        if (m) {
          if (this.xcdepth <= 0) this.state = "INITIAL";
          else this.xcdepth--;
          echo(m[0].length);
          return;
        }
        m = matchAt(XC_INSIDE, t, p) ?? matchAt(STARS, t, p);
        echo(m ? m[0].length : 1);
        return;
      }
      case "xb":
      case "xh":
        if (c === "'") return this.endQuote(echo);
        echo(matchAt(NOT_QUOTE, t, p)![0].length);
        return;
      case "xq":
      case "xus":
        if (c === "'") {
          if (t[p + 1] === "'") echo(2);
          else this.endQuote(echo);
          return;
        }
        echo(matchAt(NOT_QUOTE, t, p)![0].length);
        return;
      case "xe":
        if (c === "'") {
          if (t[p + 1] === "'") echo(2);
          else this.endQuote(echo);
          return;
        }
        if (c === "\\") {
          echo(p + 1 < t.length ? 2 : 1);
          return;
        }
        echo(matchAt(XE_INSIDE, t, p)![0].length);
        return;
      case "xqs": {
        const m = matchAt(QUOTE_CONTINUE, t, p);
        if (m) {
          this.state = this.stateBeforeStrStop;
          echo(m[0].length);
        } else {
          this.state = "INITIAL";
        }
        return;
      }
      case "xdolq": {
        if (c === "$") {
          const m = matchAt(DOLQ_DELIM, t, p);
          if (m) {
            if (m[0] === this.dolqstart) {
              this.dolqstart = null;
              this.state = "INITIAL";
              echo(m[0].length);
            } else {
              echo(m[0].length - 1);
            }
            return;
          }
          const f = matchAt(DOLQ_FAILED, t, p);
          echo(f ? f[0].length : 1);
          return;
        }
        echo(matchAt(NOT_DOLLAR, t, p)![0].length);
        return;
      }
      case "xd":
      case "xui":
        if (c === '"') {
          if (t[p + 1] === '"') echo(2);
          else {
            this.state = "INITIAL";
            echo(1);
          }
          return;
        }
        echo(matchAt(NOT_DQUOTE, t, p)![0].length);
        return;
      case "INITIAL":
        return this.stepInitial(src, buf, echo);
    }
  }

  private endQuote(echo: (n: number) => void): undefined {
    this.stateBeforeStrStop = this.state;
    this.state = "xqs";
    echo(1);
    return undefined;
  }

  private stepInitial(
    src: Source,
    buf: QueryBuffer,
    echo: (n: number) => void,
  ): ScanResult | undefined {
    const t = src.text;
    const p = src.pos;
    const c = t[p];
    const next = t[p + 1];
    // whitespace and -- comments: kept only once the statement has begun
    const ws = SPACE.test(c)
      ? matchAt(WHITESPACE_RUN, t, p)
      : c === "-" && next === "-"
      ? matchAt(DASH_COMMENT, t, p)
      : null;
    if (ws) {
      if (buf.text.length > 0) echo(ws[0].length);
      else src.pos = p + ws[0].length;
      return;
    }
    if (c === "/" && next === "*") {
      this.xcdepth = 0;
      this.state = "xc";
      echo(2);
      return;
    }
    if (next === "'" && "bBxXeEnN".includes(c)) {
      if (c === "n" || c === "N") {
        echo(1); // the quote starts an ordinary string next
        return;
      }
      this.state = c === "b" || c === "B" ? "xb" : c === "x" || c === "X" ? "xh" : "xe";
      echo(2);
      return;
    }
    if ((c === "u" || c === "U") && next === "&") {
      const q = t[p + 2];
      if (q === "'") {
        this.state = "xus";
        echo(3);
      } else if (q === '"') {
        this.state = "xui";
        echo(3);
      } else {
        echo(1);
      }
      return;
    }
    switch (c) {
      case "'":
        this.state = this.stdStrings ? "xq" : "xe";
        echo(1);
        return;
      case '"':
        this.state = "xd";
        echo(1);
        return;
      case "$": {
        const m = matchAt(DOLQ_DELIM, t, p);
        if (m) {
          this.dolqstart = m[0];
          this.state = "xdolq";
          echo(m[0].length);
          return;
        }
        const param = matchAt(PARAM, t, p);
        echo(param ? param[0].length : 1);
        return;
      }
      case "(":
        this.parenDepth++;
        echo(1);
        return;
      case ")":
        if (this.parenDepth > 0) this.parenDepth--;
        echo(1);
        return;
      case ";":
        echo(1);
        if (this.parenDepth === 0 && this.beginDepth === 0) {
          this.identifierCount = 0;
          return "semicolon";
        }
        return;
      case "\\":
        if (next === ";" || next === ":") {
          buf.text += next;
          src.pos = p + 2;
          if (next === ";") this.identifierCount = 0;
          return;
        }
        src.pos = p + 1;
        return "backslash";
      case ":":
        return this.variableReference(src, buf, echo);
    }
    let m = matchAt(IDENTIFIER, t, p);
    if (m) {
      this.trackIdentifier(m[0]);
      echo(m[0].length);
      return;
    }
    m = matchAt(DIGITS, t, p);
    if (m) {
      echo(m[0].length);
      return;
    }
    m = matchAt(OPERATOR, t, p);
    if (m) {
      // an operator stops before an embedded comment start
      const op = m[0];
      const cuts = [op.indexOf("/*"), op.indexOf("--")].filter((i) => i > 0);
      echo(cuts.length > 0 ? Math.min(...cuts) : op.length);
      return;
    }
    echo(1);
  }

  /** `:name`, `:'name'`, `:"name"`, `:{?name}`, `::` and `:=` in SQL. */
  private variableReference(
    src: Source,
    buf: QueryBuffer,
    echo: (n: number) => void,
  ): undefined {
    const t = src.text;
    const p = src.pos;
    const next = t[p + 1];
    if (next === ":" || next === "=") {
      echo(2);
      return;
    }
    let m = matchAt(VARIABLE, t, p);
    if (m) {
      const name = m[1];
      const value = this.callbacks.getVariable(name, "plain");
      if (value === undefined) {
        echo(m[0].length);
      } else if (this.stack.some((s) => s.varname === name)) {
        this.callbacks.warning(`skipping recursive expansion of variable "${name}"`);
        echo(m[0].length);
      } else {
        src.pos = p + m[0].length;
        this.stack.push({ text: value, pos: 0, varname: name });
      }
      return;
    }
    for (const [re, kind] of [[VARIABLE_LITERAL, "literal"], [VARIABLE_IDENT, "ident"]] as const) {
      m = matchAt(re, t, p);
      if (m) {
        const value = this.callbacks.getVariable(m[1], kind);
        if (value === undefined) echo(m[0].length);
        else {
          buf.text += value;
          src.pos = p + m[0].length;
        }
        return;
      }
    }
    m = matchAt(VARIABLE_TEST, t, p);
    if (m) {
      buf.text += this.callbacks.getVariable(m[1], "plain") === undefined ? "FALSE" : "TRUE";
      src.pos = p + m[0].length;
      return;
    }
    echo(1);
  }

  /** psql's heuristic for `CREATE [OR REPLACE] FUNCTION|PROCEDURE … BEGIN ATOMIC … END`. */
  private trackIdentifier(word: string): void {
    if (this.identifierCount === 0) this.identifiers = ["", "", "", ""];
    const lower = word.toLowerCase();
    if (TRACKED_WORDS.has(lower) && this.identifierCount < 4) {
      this.identifiers[this.identifierCount] = lower[0];
    }
    this.identifierCount++;
    const id = this.identifiers;
    const routine = id[0] === "c" &&
      (id[1] === "f" || id[1] === "p" ||
        (id[1] === "o" && id[2] === "r" && (id[3] === "f" || id[3] === "p")));
    if (routine && this.parenDepth === 0) {
      if (lower === "begin") this.beginDepth++;
      else if (lower === "case") {
        if (this.beginDepth >= 1) this.beginDepth++;
      } else if (lower === "end") {
        if (this.beginDepth > 0) this.beginDepth--;
      }
    }
  }

  // -------------------------------------------------------------------------
  // Meta-commands

  /** The meta-command name after a backslash: up to whitespace or the next backslash. */
  slashCommand(): string {
    let name = "";
    for (;;) {
      const src = this.current();
      if (src === undefined) return name;
      const c = src.text[src.pos];
      if (SPACE.test(c) || c === "\\") return name;
      name += c;
      src.pos++;
    }
  }

  /**
   * The next meta-command argument, or null when there is none (end of line,
   * or a backslash starting the next command). `semicolon` strips unquoted
   * trailing semicolons. An unterminated quote is reported through
   * `slashError` and gives null, as in psql; throws `BacktickError` for a
   * backquoted command in an active branch.
   */
  slashOption(type: OptionType, semicolon = false): SlashOption | null {
    try {
      return this.readSlashOption(type, semicolon);
    } catch (e) {
      if (!(e instanceof UnterminatedQuoteError)) throw e;
      this.slashError?.(e.message);
      return null;
    }
  }

  /** Reports meta-command argument errors (psql prints them and carries on without the argument). */
  slashError?: (message: string) => void;

  private readSlashOption(type: OptionType, semicolon: boolean): SlashOption | null {
    let out = "";
    let quote = "";
    if (type === "wholeLine") {
      for (;;) {
        const src = this.current();
        if (src === undefined) break;
        const c = src.text[src.pos++];
        if (SPACE.test(c) && out.length === 0) continue;
        out += c;
      }
      if (semicolon) out = out.replace(/[;\s]+$/, "");
      return out.length === 0 ? null : { value: out, quote };
    }
    // skip leading whitespace; a backslash ends the command
    for (;;) {
      const src = this.current();
      if (src === undefined) return null;
      const c = src.text[src.pos];
      if (c === "\\") return null;
      if (!SPACE.test(c)) break;
      src.pos++;
    }
    let unquotedChars = 0;
    for (;;) {
      const src = this.current();
      if (src === undefined) break;
      const t = src.text;
      const p = src.pos;
      const c = t[p];
      if (SPACE.test(c) || c === "\\") break;
      if (c === "'") {
        quote = "'";
        unquotedChars = 0;
        src.pos++;
        out += this.singleQuotedArgument();
        continue;
      }
      if (c === "`") {
        quote = "`";
        unquotedChars = 0;
        src.pos++;
        const evaluate = this.callbacks.active();
        const command = this.backquotedArgument(evaluate);
        if (evaluate) throw new BacktickError(command);
        out += command;
        continue;
      }
      if (c === '"') {
        quote = '"';
        unquotedChars = 0;
        src.pos++;
        out += '"' + this.doubleQuotedArgument();
        continue;
      }
      if (c === ":") {
        let m = matchAt(VARIABLE, t, p);
        if (m) {
          const value = this.callbacks.getVariable(m[1], "plain");
          out += value ?? m[0];
          quote = ":";
          unquotedChars = 0;
          src.pos = p + m[0].length;
          continue;
        }
        let matched = false;
        for (
          const [re, kind] of [[VARIABLE_LITERAL, "literal"], [VARIABLE_IDENT, "ident"]] as const
        ) {
          m = matchAt(re, t, p);
          if (m) {
            out += this.callbacks.getVariable(m[1], kind) ?? m[0];
            quote = ":";
            unquotedChars = 0;
            src.pos = p + m[0].length;
            matched = true;
            break;
          }
        }
        if (matched) continue;
        m = matchAt(VARIABLE_TEST, t, p);
        if (m) {
          out += this.callbacks.getVariable(m[1], "plain") === undefined ? "FALSE" : "TRUE";
          src.pos = p + m[0].length;
          continue;
        }
      }
      out += c;
      unquotedChars++;
      src.pos++;
    }
    if (semicolon) {
      while (unquotedChars-- > 0 && out.endsWith(";")) out = out.slice(0, -1);
    }
    if (type === "sqlid" || type === "sqlidhack") out = dequoteIdentifier(out, type === "sqlid");
    if (out.length === 0 && quote === "") return null;
    return { value: out, quote };
  }

  /** The rest of a '…' argument (after the opening quote), escapes decoded. */
  private singleQuotedArgument(): string {
    let out = "";
    for (;;) {
      const src = this.current();
      if (src === undefined) throw new UnterminatedQuoteError();
      const t = src.text;
      const p = src.pos;
      const c = t[p];
      if (c === "'") {
        if (t[p + 1] === "'") {
          out += "'";
          src.pos += 2;
          continue;
        }
        src.pos++;
        return out;
      }
      if (c === "\\" && p + 1 < t.length) {
        const e = t[p + 1];
        const simple: Record<string, string> = { n: "\n", t: "\t", b: "\b", r: "\r", f: "\f" };
        if (e in simple) {
          out += simple[e];
          src.pos += 2;
          continue;
        }
        let m = matchAt(OCTAL_ESCAPE, t, p);
        if (m) {
          out += String.fromCharCode(parseInt(m[1], 8) & 0xff);
          src.pos += m[0].length;
          continue;
        }
        m = matchAt(HEX_ESCAPE, t, p);
        if (m) {
          out += String.fromCharCode(parseInt(m[1], 16));
          src.pos += m[0].length;
          continue;
        }
        out += e;
        src.pos += 2;
        continue;
      }
      out += c;
      src.pos++;
    }
  }

  /** The rest of a "…" argument after the opening quote, closing quote included. */
  private doubleQuotedArgument(): string {
    let out = "";
    for (;;) {
      const src = this.current();
      if (src === undefined) throw new UnterminatedQuoteError();
      const c = src.text[src.pos++];
      out += c;
      if (c === '"') return out;
    }
  }

  /** The text of a `…` argument after the opening backquote (variables substituted when `evaluate`). */
  private backquotedArgument(evaluate: boolean): string {
    let out = "";
    for (;;) {
      const src = this.current();
      if (src === undefined) throw new UnterminatedQuoteError();
      const t = src.text;
      const p = src.pos;
      if (t[p] === "`") {
        src.pos++;
        return out;
      }
      if (evaluate && t[p] === ":") {
        const m = matchAt(VARIABLE, t, p);
        if (m) {
          out += this.callbacks.getVariable(m[1], "plain") ?? m[0];
          src.pos += m[0].length;
          continue;
        }
      }
      out += t[p];
      src.pos++;
    }
  }

  /** After a meta-command: swallow a `\\` separator, then back to SQL lexing. */
  slashCommandEnd(): void {
    const src = this.current();
    if (src && src.text.startsWith("\\\\", src.pos)) src.pos += 2;
    this.state = "INITIAL";
  }
}

/** Remove double quotes as from an SQL identifier (`""` → `"`), optionally downcasing the rest. */
export function dequoteIdentifier(s: string, downcase: boolean): string {
  let out = "";
  let inQuotes = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"') {
      if (inQuotes && s[i + 1] === '"') {
        out += '"';
        i++;
      } else inQuotes = !inQuotes;
    } else {
      out += downcase && !inQuotes && c >= "A" && c <= "Z" ? c.toLowerCase() : c;
    }
  }
  return out;
}

/** A statement found by `splitSql`: its text as psql sends it and the line its reading ended on. */
export interface SplitStatement {
  sql: string;
  line: number;
}

/**
 * Split a script into the statements psql would send, for scripts without
 * meta-commands (a backslash command ends the split with an error). Lines
 * are read as psql reads them: empty lines outside quotes are skipped, lines
 * are joined with newlines, a final unterminated statement is sent at EOF.
 */
export function splitSql(
  text: string,
  variables: Readonly<Record<string, string>> = {},
): SplitStatement[] {
  const scanner = new PsqlScanner({
    getVariable: (name, quote) => {
      const v = Object.hasOwn(variables, name) ? variables[name] : undefined;
      if (v === undefined) return undefined;
      if (quote === "literal") return quoteLiteral(v);
      if (quote === "ident") return quoteIdentifier(v);
      return v;
    },
    warning: () => {},
    active: () => true,
  });
  const out: SplitStatement[] = [];
  const buf: QueryBuffer = { text: "" };
  const lines = splitLines(text);
  let lineno = 0;
  for (const line of lines) {
    lineno++;
    if (line === "" && !scanner.inQuote()) continue;
    if (buf.text.length > 0) buf.text += "\n";
    scanner.setup(line);
    for (;;) {
      const r = scanner.scan(buf);
      if (r === "semicolon") {
        out.push({ sql: buf.text, line: lineno });
        buf.text = "";
      } else if (r === "backslash") {
        throw new Error(`line ${lineno}: meta-command \\${scanner.slashCommand()}`);
      } else break;
    }
  }
  if (buf.text.length > 0) out.push({ sql: buf.text, line: lineno });
  return out;
}

/** The lines of a file as psql's line reader returns them (no newline; no empty last line). */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** libpq's PQescapeLiteral: '…' with quotes doubled; ` E'…'` with backslashes doubled when there are any. */
export function quoteLiteral(value: string): string {
  const body = value.replaceAll("'", "''");
  return value.includes("\\") ? ` E'${body.replaceAll("\\", "\\\\")}'` : `'${body}'`;
}

/** libpq's PQescapeIdentifier: "…" with double quotes doubled. */
export function quoteIdentifier(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}
