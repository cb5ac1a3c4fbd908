/**
 * The input side of the `mysql` command-line client (MariaDB 10.11, batch
 * mode, comments not preserved), written from scratch: how it reads a
 * script line by line, where a statement ends, what it strips before
 * sending, and where it sees one of its own commands.
 *
 * - A line that starts (after blanks) with a client command name (`source
 *   f`, `delimiter //`, `use db`, `quit`…) while no statement is pending,
 *   and that neither holds `\g` nor the delimiter (unless it is a
 *   `delimiter` line), is that command; otherwise the line is scanned.
 * - Scanning: '…', "…" and `…` quotes (a backslash escapes the next
 *   character except in backticks, in "…" under ANSI_QUOTES, and in any
 *   quote under NO_BACKSLASH_ESCAPES; a doubled quote closes and reopens),
 *   `#` and `-- ` comments to the end of the line (`--` directly followed by
 *   anything also, at the start of a statement), `/* … *\/` comments
 *   removed (a blank put in their place when needed), `/*! … *\/` and
 *   `/*M! … *\/` executable comments kept; the delimiter (case-sensitive,
 *   any string) outside quotes and comments ends a statement;
 *   `\x` outside quotes is client command x (`\g`, `\G`, `\c`, `\d`, `\.`…;
 *   `\N` is kept). Blanks before a statement are dropped; each line adds a
 *   newline, except a line holding a pending `delimiter` command.
 * - Line numbers: the number of the line at which the statement buffer was
 *   last empty at the start of a line (what the client reports in `ERROR …
 *   at line N`).
 *
 * The lexer never talks to a server: it yields actions (run a client
 * command, send the buffer) and its caller (engines/mysql_script.ts) runs
 * them and answers with the command's status.
 */

/** A client command the `mysql` program knows, with its one-letter form. */
export interface ClientCommand {
  /** Long name (`delimiter`, `source`…). */
  name: string;
  /** The letter after a backslash (`d`, `.`…). */
  letter: string;
  /** Whether it reads an argument from the rest of the line. */
  takesParams: boolean;
}

/** The client's command table (MariaDB 10.11, Unix build), in its order. */
export const CLIENT_COMMANDS: readonly ClientCommand[] = [
  { name: "?", letter: "?", takesParams: true },
  { name: "charset", letter: "C", takesParams: true },
  { name: "clear", letter: "c", takesParams: false },
  { name: "connect", letter: "r", takesParams: true },
  { name: "delimiter", letter: "d", takesParams: true },
  { name: "edit", letter: "e", takesParams: false },
  { name: "ego", letter: "G", takesParams: false },
  { name: "exit", letter: "q", takesParams: false },
  { name: "go", letter: "g", takesParams: false },
  { name: "help", letter: "h", takesParams: true },
  { name: "nopager", letter: "n", takesParams: false },
  { name: "notee", letter: "t", takesParams: false },
  { name: "nowarning", letter: "w", takesParams: false },
  { name: "pager", letter: "P", takesParams: true },
  { name: "print", letter: "p", takesParams: false },
  { name: "prompt", letter: "R", takesParams: true },
  { name: "quit", letter: "q", takesParams: false },
  { name: "rehash", letter: "#", takesParams: false },
  { name: "sandbox", letter: "-", takesParams: false },
  { name: "source", letter: ".", takesParams: true },
  { name: "status", letter: "s", takesParams: false },
  { name: "system", letter: "!", takesParams: true },
  { name: "tee", letter: "T", takesParams: true },
  { name: "use", letter: "u", takesParams: true },
  { name: "warnings", letter: "W", takesParams: false },
];

/** The client's default statement delimiter. */
export const DEFAULT_DELIMITER = ";";

/** The client keeps at most this many characters of a delimiter (a 16-byte buffer). */
export const MAX_DELIMITER_LENGTH = 15;

/** What the client treats as blank (my_isspace in its character sets). */
export function isSpace(ch: string | undefined): boolean {
  return ch === " " || ch === "\t" || ch === "\n" || ch === "\r" || ch === "\v" ||
    ch === "\f";
}

/** Not a graphic character (what `remove_cntrl` strips from a statement's end). */
function isNotGraph(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return c <= 0x20 || c === 0x7f;
}

/** The statement with trailing blanks and control characters removed (the client's remove_cntrl). */
export function removeTrailingControl(text: string): string {
  let end = text.length;
  while (end > 0 && isNotGraph(text[end - 1])) end--;
  return text.slice(0, end);
}

/** Whether `text` starts with the word `delimiter` (any case), as the client checks it. */
export function isDelimiterCommand(text: string): boolean {
  return text.length >= 9 && text.slice(0, 9).toLowerCase() === "delimiter";
}

/** The command a backslash letter names, if any. */
export function commandForLetter(letter: string): ClientCommand | undefined {
  return CLIENT_COMMANDS.find((c) => c.letter === letter);
}

/**
 * A command's argument as the client's get_arg reads it: after the command
 * word (or the two characters of `\x`), blanks skipped; an argument may be
 * quoted with ', " or ` (a doubled quote stands for itself; a backslash
 * escapes the next character, not inside backticks; for `\x` forms only the
 * backslash rule applies), else it ends at the next space. Undefined when
 * there is none, it is empty, or a quote is left open.
 */
export function commandArgument(text: string): string | undefined {
  let i = 0;
  while (i < text.length && isSpace(text[i])) i++;
  const short = text[i] === "\\";
  if (short) i += 2;
  else while (i < text.length && !isSpace(text[i])) i++;
  if (i >= text.length) return undefined;
  while (i < text.length && isSpace(text[i])) i++;
  let quote = "";
  if (text[i] === "'" || text[i] === '"' || text[i] === "`") {
    quote = text[i];
    i++;
  }
  let arg = "";
  const start = i;
  let closed = quote === "";
  for (; i < text.length; i++) {
    const ch = text[i];
    const next = text[i + 1];
    const escaped = short
      ? ch === "\\" && next !== undefined
      : (ch === "\\" && next !== undefined && quote !== "`") ||
        (quote !== "" && ch === quote && next === quote);
    if (escaped) {
      arg += next;
      i++;
      continue;
    }
    if (ch === (quote || " ")) {
      closed = true;
      break;
    }
    arg += ch;
  }
  if (i === start || !closed) return undefined;
  return arg;
}

/**
 * The client command a whole line (or a finished statement) names, as the
 * client's find_command(name) decides: not when the text holds `\g`, nor
 * when it holds the delimiter unless it is a `delimiter` command; the first
 * word must be a command name (any case) and, when arguments follow, the
 * command must take one and it must be readable.
 */
export function namedCommand(text: string, delimiter: string): ClientCommand | undefined {
  let i = 0;
  while (i < text.length && isSpace(text[i])) i++;
  const name = text.slice(i);
  if (name.includes("\\g") || (name.includes(delimiter) && !isDelimiterCommand(name))) {
    return undefined;
  }
  const blank = /[ \t]/.exec(name);
  let word = name;
  let hasArgs = false;
  if (blank) {
    word = name.slice(0, blank.index);
    let j = blank.index;
    while (j < name.length && isSpace(name[j])) j++;
    hasArgs = j < name.length;
  }
  const lower = word.toLowerCase();
  const command = CLIENT_COMMANDS.find((c) => c.name === lower);
  if (!command) return undefined;
  if (hasArgs && !(command.takesParams && commandArgument(name) !== undefined)) return undefined;
  return command;
}

/** State the client keeps across sourced files: the delimiter and the statement buffer. */
export interface SharedInput {
  delimiter: string;
  /** The statement collected so far (the client's glob_buffer). */
  buffer: string;
}

/** Server status bits that change how backslashes are read. */
export interface QuoteModes {
  /** sql_mode has ANSI_QUOTES: "…" is an identifier, backslash not special in it. */
  ansiQuotes: boolean;
  /** sql_mode has NO_BACKSLASH_ESCAPES: backslash not special in any quote. */
  noBackslashEscapes: boolean;
}

/** What the lexer asks its caller to do. */
export type LexAction =
  /** Run client command `command`; `text` is what the client passes it (line, statement, or `\x…` to the line's end). */
  | { kind: "command"; command: ClientCommand; text: string }
  /** Send the statement buffer (`vertical` for `\G`). */
  | { kind: "go"; vertical: boolean }
  /** `\x` that names no command. */
  | { kind: "unknown"; letter: string };

/**
 * Status the caller answers an action with: 0 done, -1 failed but go on,
 * 1 stop reading (error with abort, or quit).
 */
export type ActionStatus = number;

/**
 * The client's line scanner for one input (the top-level `--execute` text
 * or one sourced file): quote and comment state, line numbers.
 */
export class MysqlLineLexer {
  /** The open quote character, or "" outside quotes. */
  inString = "";
  /** Inside a `/* … *\/` comment. */
  inComment = false;
  /** Lines read so far. */
  lineNumber = 0;
  /** The line where the current statement began (what errors report). */
  queryStartLine = 0;

  constructor(
    private readonly shared: SharedInput,
    private readonly modes: () => QuoteModes,
  ) {}

  /** Count a new line: call before `line` for every line read. */
  countLine(): void {
    this.lineNumber++;
    if (this.shared.buffer === "") this.queryStartLine = this.lineNumber;
  }

  /** The client command this whole line is, when the client would take it as one. */
  lineCommand(line: string): ClientCommand | undefined {
    if (this.shared.buffer !== "" || this.inComment || this.inString !== "") return undefined;
    return namedCommand(line, this.shared.delimiter);
  }

  /**
   * Scan one line (without its newline) into the buffer, yielding the
   * actions it triggers; the caller answers each with its status and the
   * scan stops after a status > 0.
   */
  *scan(line: string): Generator<LexAction, ActionStatus, ActionStatus> {
    const shared = this.shared;
    if (line === "" && shared.buffer === "") return 0;
    let pending = "";
    let needSpace = false;
    let execComment = false;
    const flush = () => {
      shared.buffer += pending;
      pending = "";
    };
    for (let pos = 0; pos < line.length; pos++) {
      const ch = line[pos];
      if (isSpace(ch) && pending === "" && shared.buffer === "") continue;
      if (ch.charCodeAt(0) >= 0x80) {
        if (!this.inComment) pending += ch;
        continue;
      }
      const modes = this.modes();
      if (
        !this.inComment && ch === "\\" && this.inString !== "`" &&
        !(this.inString === '"' && modes.ansiQuotes) &&
        !(this.inString !== "" && modes.noBackslashEscapes)
      ) {
        pos++;
        if (pos >= line.length) break;
        const letter = line[pos];
        if (this.inString !== "" || letter === "N") {
          pending += "\\" + letter;
          continue;
        }
        const command = commandForLetter(letter);
        if (!command) {
          const status = yield { kind: "unknown", letter };
          if (status > 0) return status;
          pending += "\\" + letter;
          continue;
        }
        flush();
        const status = yield command.letter === "g" || command.letter === "G"
          ? { kind: "go", vertical: command.letter === "G" }
          : { kind: "command", command, text: line.slice(pos - 1) };
        if (status > 0) return status;
        if (command.takesParams) {
          if (execComment) {
            for (pos++; pos < line.length && !line.startsWith("*/", pos); pos++);
            pos--;
          } else {
            const delimiter = shared.delimiter;
            for (pos++; pos < line.length && !line.startsWith(delimiter, pos); pos++);
            if (pos >= line.length) pos--;
            else pos += delimiter.length - 1;
          }
        }
      } else if (
        !this.inComment && this.inString === "" && line.startsWith(shared.delimiter, pos)
      ) {
        pos += shared.delimiter.length - 1;
        flush();
        const command = namedCommand(shared.buffer, shared.delimiter);
        const status = yield command
          ? { kind: "command", command, text: shared.buffer }
          : { kind: "go", vertical: false };
        if (status > 0) return status;
        shared.buffer = "";
      } else if (
        !this.inComment && this.inString === "" &&
        (ch === "#" ||
          (ch === "-" && line[pos + 1] === "-" &&
            (isSpace(line[pos + 2]) || pos + 2 >= line.length ||
              (shared.buffer === "" && pending === ""))))
      ) {
        flush();
        break;
      } else if (
        this.inString === "" && ch === "/" && line[pos + 1] === "*" &&
        !(line[pos + 2] === "!" || (line[pos + 2] === "M" && line[pos + 3] === "!"))
      ) {
        pos++;
        this.inComment = true;
        flush();
      } else if (this.inComment && !execComment && ch === "*" && line[pos + 1] === "/") {
        pos++;
        this.inComment = false;
        flush();
        needSpace = true;
      } else {
        if (this.inString === "" && ch === "/" && line[pos + 1] === "*" && line[pos + 2] === "!") {
          execComment = true;
        } else if (this.inString === "" && execComment && ch === "*" && line[pos + 1] === "/") {
          execComment = false;
        }
        if (ch === this.inString) this.inString = "";
        else if (
          !this.inComment && this.inString === "" && (ch === "'" || ch === '"' || ch === "`")
        ) {
          this.inString = ch;
        }
        if (!this.inComment) {
          if (needSpace && !isSpace(ch)) pending += " ";
          needSpace = false;
          pending += ch;
        }
      }
    }
    if (pending !== "" || shared.buffer !== "") {
      const newline = !isDelimiterCommand(pending) || this.inString !== "" || this.inComment;
      if (!this.inComment) shared.buffer += pending + (newline ? "\n" : "");
    }
    return 0;
  }
}
