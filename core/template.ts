/**
 * The change-script template language: a renderer compatible with what
 * Sqitch's users see. Sqitch documents Template::Tiny (`[% var %]`,
 * `var.key`, `list.0`, IF / ELSE / UNLESS / END, FOREACH … IN, `[%-` and
 * `-%]` chomping) but renders with Template Toolkit 2 whenever it is
 * installed (it is wherever Sqitch is packaged with it), so where the two
 * differ this follows Template Toolkit: ELSIF, FOREACH over a plain string
 * (one iteration) or a false value (none), the loop variable surviving its
 * loop, `loop.*`, comments, `;`-separated statements, postfix IF / UNLESS /
 * FOREACH, GET / CALL / SET / DEFAULT / NEXT / LAST, the operators (`==`,
 * `!=`, `<`, `>`, `<=`, `>=`, `and`, `or`, `not`, `&&`, `||`, `!`, `_`,
 * `? :`, `+ - * / % div mod`, grouped as the Perl code Template Toolkit
 * generates groups them), quoted strings with `$var` interpolation, the
 * common virtual methods, the `=`/`~`/`+` chomp flags, and Template
 * Toolkit's parse errors. Other Template Toolkit features (INCLUDE, BLOCK,
 * filters, WHILE, list and hash literals, regex virtual methods, …) are
 * rejected with a clear error naming the template rather than rendered
 * differently.
 *
 * Pure: no I/O. Errors are SqlitchErrors reading
 * `Error executing {template}: {error}` as Sqitch's do.
 */
import { perlFormatNumber } from "./config/cast.ts";
import { SqlitchError } from "./errors.ts";

/** A value a caller may put in the stash: strings, numbers, lists, hashes. */
export type TemplateValue =
  | string
  | number
  | null
  | undefined
  | readonly TemplateValue[]
  | { readonly [key: string]: TemplateValue };

/** The variables a template is rendered with. */
export type TemplateVars = Readonly<Record<string, TemplateValue>>;

// ---------------------------------------------------------------------------
// Values

/** A hash in the stash (plain objects are converted so keys never hit prototypes). */
class Hash {
  constructor(readonly map: Map<string, Val>) {}
}

/** The `loop` variable of a FOREACH (Template::Iterator). */
class Loop {
  index = 0;
  constructor(readonly data: Val[]) {}
}

type Val = string | number | undefined | Val[] | Hash | Loop;

/** Convert caller data to stash values. */
function toVal(v: TemplateValue): Val {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string" || typeof v === "number") return v;
  if (Array.isArray(v)) return v.map(toVal);
  const map = new Map<string, Val>();
  for (const [k, x] of Object.entries(v as Record<string, TemplateValue>)) map.set(k, toVal(x));
  return new Hash(map);
}

/**
 * References have no address here; they print and numify as this fixed
 * fake one (a typical Perl heap address, so comparisons with small numbers
 * come out as in Template Toolkit).
 */
const FAKE_ADDRESS = 0x55d000000000;
const FAKE_HEX = FAKE_ADDRESS.toString(16);

/** Perl's stringification (references print with the fake address). */
function str(v: Val): string {
  if (v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number") return Number.isSafeInteger(v) ? String(v) : perlFormatNumber(v);
  if (Array.isArray(v)) return `ARRAY(0x${FAKE_HEX})`;
  if (v instanceof Hash) return `HASH(0x${FAKE_HEX})`;
  return `Template::Iterator=HASH(0x${FAKE_HEX})`;
}

/** Perl truthiness: undef, "", "0" and 0 are false; every reference (even `[]`) is true. */
function truthy(v: Val): boolean {
  if (v === undefined) return false;
  if (typeof v === "string") return v !== "" && v !== "0";
  if (typeof v === "number") return v !== 0;
  return true;
}

/** Perl's whitespace (`\s` on character strings). */
const WS = "\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const NUMERIC = new RegExp(
  `^[${WS}]*([+-]?)(?:(inf(?:inity)?)|(nan)|((?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?))`,
  "i",
);

/** Perl's numification of a value (references give the fake address). */
function num(v: Val): number {
  if (v === undefined) return 0;
  if (typeof v === "number") return v;
  if (typeof v !== "string") return FAKE_ADDRESS;
  const m = NUMERIC.exec(v);
  if (!m) return 0;
  const sign = m[1] === "-" ? -1 : 1;
  if (m[2]) return sign * Infinity;
  if (m[3]) return NaN;
  return sign * Number(m[4]);
}

/** Perl's boolean results: 1 or "". */
const bool = (b: boolean): Val => (b ? 1 : "");

/** Compare strings by code point, as Perl's `cmp` does. */
function cmp(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** A Perl array index: truncated, negative counts from the end. */
function at<T>(list: T[], index: Val): T | undefined {
  let i = Math.trunc(num(index));
  if (Number.isNaN(i)) i = 0;
  if (i < 0) i += list.length;
  return i >= 0 && i < list.length ? list[i] : undefined;
}

// ---------------------------------------------------------------------------
// Errors

/** Internal failure; `render`/`parseTemplate` wrap it as `Error executing …`. */
class TemplateFailure extends Error {}

/** A Template Toolkit-style parse error. */
function parseError(line: number | string, message: string, dir?: string): TemplateFailure {
  const where = `file error - parse error - input text line ${line}: ${message}`;
  return new TemplateFailure(dir === undefined ? where : `${where}\n  [% ${dir} %]`);
}

/** A construct Template Toolkit accepts but sqlitch does not implement. */
function unsupported(line: number | string, what: string, dir?: string): TemplateFailure {
  const text = `input text line ${line}: ${what} is not supported by sqlitch templates`;
  return new TemplateFailure(dir === undefined ? text : `${text}\n  [% ${dir} %]`);
}

// ---------------------------------------------------------------------------
// Splitting the text into plain text and directives (Template::Parser split_text)

type Chomp = 0 | 1 | 2 | 3; // none, one line (-), collapse (=), greedy (~)

const CHOMP_FLAG: Record<string, Chomp> = { "-": 1, "=": 2, "~": 3, "+": 0 };
const IS_WS = new RegExp(`[${WS}]`);
const LEADING = new RegExp(`^([-=~+])?([${WS}]*)`);
const TRAILING_WS = new RegExp(`[${WS}]+$`);
const LEADING_WS = new RegExp(`^[${WS}]+`);
const TAGS_RE = new RegExp(`^TAGS[${WS}]`);
const LINE_WS = new RegExp(`^[${WS.replace("\\n", "")}]*\\n`);

interface Piece {
  text?: string;
  dir?: string;
  line?: string;
}

/** Remove the whitespace and line break before a `[%-` tag (TT's CHOMP_ONE). */
function chompBefore(pre: string): string {
  let k = pre.length;
  while (k > 0 && pre[k - 1] !== "\n" && IS_WS.test(pre[k - 1])) k--;
  if (k === 0) return "";
  if (pre[k - 1] !== "\n") return pre;
  return pre.slice(0, k >= 2 && pre[k - 2] === "\r" ? k - 2 : k - 1);
}

/** Split a template into text and directive pieces, applying chomp flags. */
function split(source: string): Piece[] {
  const pieces: Piece[] = [];
  let text = source;
  let line = 1;
  const count = (s: string) => s.split("\n").length - 1;
  while (true) {
    const start = text.indexOf("[%");
    if (start < 0) break;
    const end = text.indexOf("%]", start + 2);
    if (end < 0) break;
    let pre = text.slice(0, start);
    let dir = text.slice(start + 2, end);
    text = text.slice(end + 2);
    let prelines = count(pre);
    let dirlines = count(dir);
    let postlines = 0;
    if (dir.startsWith("#")) {
      dir = /[-=~+]$/.exec(dir)?.[0] ?? "";
    } else {
      const m = LEADING.exec(dir)!;
      if (m[2]) {
        const n = count(m[2]);
        prelines += n;
        dirlines -= n;
      }
      dir = dir.slice(m[0].length);
      const chomp = m[1] ? CHOMP_FLAG[m[1]] : 0;
      if (chomp && pre !== "" && pre !== "0") {
        if (chomp === 1) pre = chompBefore(pre);
        else if (chomp === 2) pre = pre.replace(TRAILING_WS, " ");
        else pre = pre.replace(TRAILING_WS, "");
      }
    }
    dir = dir.replace(TRAILING_WS, "");
    let post: Chomp = 0;
    if (/[-=~+]$/.test(dir)) {
      post = CHOMP_FLAG[dir.slice(-1)];
      dir = dir.slice(0, -1).replace(TRAILING_WS, "");
    }
    if (post === 1) {
      const m = LINE_WS.exec(text);
      if (m) {
        text = text.slice(m[0].length);
        postlines++;
      }
    } else if (post) {
      const m = LEADING_WS.exec(text);
      if (m) {
        text = (post === 2 ? " " : "") + text.slice(m[0].length);
        postlines += count(m[0]);
      }
    }
    if (pre.length) pieces.push({ text: pre });
    line += prelines;
    if (dir.length) {
      pieces.push({ dir, line: dirlines ? `${line}-${line + dirlines}` : String(line) });
    }
    line += dirlines + postlines;
  }
  if (text.length) pieces.push({ text });
  return pieces;
}

// ---------------------------------------------------------------------------
// Tokenising directives (Template::Parser tokenise_directive)

interface Token {
  type: string;
  value: string;
  /** How TT shows the token in `unexpected token (…)` when not `value`. */
  shown?: string;
  /** Parts of an interpolated double-quoted string. */
  parts?: (string | Token[])[];
  line: string;
  dir: string;
}

const RESERVED = new Set(
  (
    "GET CALL SET DEFAULT INSERT INCLUDE PROCESS WRAPPER BLOCK END USE PLUGIN FILTER MACRO " +
    "PERL RAWPERL TO STEP AND OR NOT DIV MOD IF UNLESS ELSE ELSIF FOR NEXT WHILE SWITCH CASE " +
    "META IN TRY THROW CATCH FINAL LAST RETURN STOP CLEAR VIEW DEBUG"
  ).split(" "),
);
const LEXTABLE: Record<string, string> = {
  FOREACH: "FOR",
  BREAK: "LAST",
  "&&": "AND",
  "||": "OR",
  "!": "NOT",
  "|": "FILTER",
  ".": "DOT",
  _: "CAT",
  "..": "TO",
  "=": "ASSIGN",
  "=>": "ASSIGN",
  ",": "COMMA",
  "\\": "REF",
  and: "AND",
  or: "OR",
  not: "NOT",
  mod: "MOD",
  div: "DIV",
  "!=": "CMPOP",
  "==": "CMPOP",
  "<": "CMPOP",
  ">": "CMPOP",
  ">=": "CMPOP",
  "<=": "CMPOP",
  "-": "BINOP",
  "*": "BINOP",
  "%": "BINOP",
};
for (const word of RESERVED) LEXTABLE[word] = word;
for (const sym of ["(", ")", "[", "]", "{", "}", "${", "$", "+", "/", ";", ":", "?"]) {
  LEXTABLE[sym] = sym;
}

/** The token type of a word or symbol, if it is a keyword or operator. */
function lex(word: string): string | undefined {
  return Object.hasOwn(LEXTABLE, word) ? LEXTABLE[word] : undefined;
}

/** Perl's `\w` on character strings. */
const W = "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\u200c\\u200d";
const TOKEN_RE = new RegExp(
  String
    .raw`(#[^\n]*)|(["'])((?:\\\\|\\\2|[\s\S])*?)\2|(-?[0-9]+(?:\.[0-9]+)?)|(\/?[<W>]+(?:(?:\/|::?)[<W>]*)+|\/[<W>]+)|([<W>]+)|([(){}\[\]:;,\/\\]|[+\-*]|\$\{?|=>|[=!<>]?=|[!<>]|&&?|\|\|?|\.\.?|\S+)`
    .replaceAll("<W>", W),
  "gu",
);
const INTERPOLATE_RE = new RegExp(
  String.raw`((?:\\[\s\S]|[^$]){1,3000})|(\$(?:\{([^}]*)\}|([<W>.]+)))`.replaceAll("<W>", W),
  "gu",
);
const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t" };

/** Split one directive into tokens. */
function tokenise(dir: string, line: string): Token[] {
  const tokens: Token[] = [];
  const push = (type: string, value: string, parts?: Token["parts"], shown?: string) =>
    tokens.push({ type, value, parts, shown, line, dir });
  for (const m of dir.matchAll(TOKEN_RE)) {
    if (m[1] !== undefined) continue;
    if (m[3] !== undefined) {
      const raw = m[3];
      if (m[2] === "'") push("LITERAL", raw.replace(/\\([\\'])/g, "$1"), undefined, `'${raw}'`);
      else if (!/[$\\]/.test(raw)) {
        push("LITERAL", raw, undefined, `'${raw.replaceAll("'", "\\'")}'`);
      } else {
        const unescaped = raw.replace(/\\([^$nrt])/g, "$1").replace(
          /\\([nrt])/g,
          (_, c: string) => ESCAPES[c],
        );
        push("QUOTED", raw, interpolate(unescaped, line), '"');
      }
    } else if (m[4] !== undefined) push("NUMBER", m[4]);
    else if (m[5] !== undefined) push("FILENAME", m[5]);
    else if (m[6] !== undefined) push(lex(m[6]) ?? "IDENT", m[6]);
    else push(lex(m[7]) ?? "UNQUOTED", m[7]);
  }
  return tokens;
}

/** The parts of a double-quoted string: text and `$var` / `${var}` references. */
function interpolate(text: string, line: string): (string | Token[])[] {
  const parts: (string | Token[])[] = [];
  for (const m of text.matchAll(INTERPOLATE_RE)) {
    if (m[1]) parts.push(m[1].replace(/\\\$/g, "$"));
    const v = m[3] || m[4];
    if (v) parts.push(tokenise(v.trim(), line));
    else if (m[2]) parts.push(m[2]);
  }
  return parts;
}

// ---------------------------------------------------------------------------
// Syntax tree

type Expr =
  | { k: "lit"; v: Val }
  | { k: "str"; parts: (string | Expr)[] }
  | { k: "var"; path: PathNode[]; line: string; dir: string }
  | { k: "not"; e: Expr }
  | { k: "op"; op: string; l: Expr; r: Expr; line: string }
  | { k: "cmp"; ops: string[]; operands: Expr[] }
  | { k: "tern"; c: Expr; t: Expr; f: Expr };

interface PathNode {
  name: string;
  args?: Expr[];
}

type Node =
  | { k: "text"; text: string }
  | { k: "get"; e: Expr }
  | { k: "call"; e: Expr }
  | { k: "set"; assigns: [string, Expr][]; onlyIfFalse: boolean }
  | { k: "if"; branches: { cond: Expr; negate: boolean; body: Node[] }[]; otherwise?: Node[] }
  | { k: "for"; name?: string; list: Expr; body: Node[] }
  | { k: "next" | "last"; line: string };

/** Keywords and symbols Template Toolkit accepts that sqlitch does not implement. */
const UNSUPPORTED: Record<string, string> = {
  INSERT: "INSERT",
  INCLUDE: "INCLUDE",
  PROCESS: "PROCESS",
  WRAPPER: "WRAPPER",
  BLOCK: "BLOCK",
  USE: "USE",
  PLUGIN: "PLUGIN",
  FILTER: "a filter",
  MACRO: "MACRO",
  PERL: "PERL",
  RAWPERL: "RAWPERL",
  WHILE: "WHILE",
  SWITCH: "SWITCH",
  CASE: "CASE",
  META: "META",
  TRY: "TRY",
  THROW: "THROW",
  CATCH: "CATCH",
  FINAL: "FINAL",
  RETURN: "RETURN",
  STOP: "STOP",
  CLEAR: "CLEAR",
  VIEW: "VIEW",
  DEBUG: "DEBUG",
  TO: "a range (..)",
  "[": "a list literal",
  "{": "a hash literal",
  $: "a $variable reference",
  "${": "a ${variable} reference",
  REF: "a reference (\\)",
};

/** Recursive-descent parser over the flat token stream (a `;` ends each directive). */
class Parser {
  private pos = 0;
  private lastLine = "1";

  constructor(private readonly toks: (Token | { type: "TEXT"; value: string })[]) {
    for (const t of toks) if ("line" in t) this.lastLine = t.line;
  }

  private peek(offset = 0): Token | { type: "TEXT" | "EOF"; value: string } {
    return this.toks[this.pos + offset] ?? { type: "EOF", value: "" };
  }

  private next(): Token {
    return this.toks[this.pos++] as Token;
  }

  /** Fail on the current token: unsupported construct, end of input or unexpected token. */
  private fail(): never {
    const t = this.peek();
    if (t.type === "EOF") throw parseError(this.lastLine, "unexpected end of input");
    const tok = t as Token;
    if (tok.type === ";" && tok.value === "") {
      throw parseError(tok.line, "unexpected end of directive", tok.dir);
    }
    const what = Object.hasOwn(UNSUPPORTED, tok.type) ? UNSUPPORTED[tok.type] : undefined;
    if (what !== undefined) {
      throw unsupported(tok.line, what === tok.type ? `"${what}"` : what, tok.dir);
    }
    throw parseError(tok.line, `unexpected token (${tok.shown ?? tok.value})`, tok.dir);
  }

  private expect(type: string): Token {
    if (this.peek().type !== type) this.fail();
    return this.next();
  }

  /** The whole template. */
  template(): Node[] {
    const nodes = this.block();
    if (this.peek().type !== "EOF") this.fail();
    return nodes;
  }

  /** Statements up to END / ELSE / ELSIF or the end of input. */
  private block(): Node[] {
    const nodes: Node[] = [];
    while (true) {
      const t = this.peek();
      if (t.type === "EOF" || t.type === "END" || t.type === "ELSE" || t.type === "ELSIF") {
        return nodes;
      }
      if (t.type === "TEXT") {
        nodes.push({ k: "text", text: this.next().value });
      } else if (t.type === ";") {
        this.pos++;
      } else {
        nodes.push(this.statement());
        if (this.peek().type !== ";") this.fail();
      }
    }
  }

  /** The body of a block directive, which must be closed by END (or an ELSE chain). */
  private body(): Node[] {
    this.expect(";");
    const nodes = this.block();
    if (this.peek().type === "EOF") this.fail();
    return nodes;
  }

  private statement(): Node {
    const t = this.peek();
    switch (t.type) {
      case "IF":
      case "UNLESS":
        return this.conditional();
      case "FOR": {
        this.pos++;
        const loop = this.loopVar();
        const body = this.body();
        this.expect("END");
        return { k: "for", ...loop, body };
      }
    }
    const atom = this.atom();
    const post = this.peek().type;
    if (post === "IF" || post === "UNLESS") {
      this.pos++;
      const cond = this.expr();
      return { k: "if", branches: [{ cond, negate: post === "UNLESS", body: [atom] }] };
    }
    if (post === "FOR") {
      this.pos++;
      return { k: "for", ...this.loopVar(), body: [atom] };
    }
    return atom;
  }

  /** IF/UNLESS expr ; block [ELSIF expr ; block]* [ELSE ; block] END */
  private conditional(): Node {
    const branches: { cond: Expr; negate: boolean; body: Node[] }[] = [];
    const negate = this.next().type === "UNLESS";
    branches.push({ cond: this.expr(), negate, body: this.body() });
    let otherwise: Node[] | undefined;
    while (this.peek().type === "ELSIF") {
      this.pos++;
      branches.push({ cond: this.expr(), negate: false, body: this.body() });
    }
    if (this.peek().type === "ELSE") {
      this.pos++;
      otherwise = this.body();
    }
    this.expect("END");
    return { k: "if", branches, otherwise };
  }

  /** `x IN term`, `x = term` or `term`. */
  private loopVar(): { name?: string; list: Expr } {
    const a = this.peek(0);
    const b = this.peek(1);
    if (a.type === "IDENT" && (b.type === "IN" || b.type === "ASSIGN")) {
      this.pos += 2;
      return { name: a.value, list: this.term() };
    }
    return { list: this.term() };
  }

  /** An expression statement or a simple directive. */
  private atom(): Node {
    const t = this.peek();
    switch (t.type) {
      case "GET":
        this.pos++;
        return { k: "get", e: this.expr() };
      case "CALL":
        this.pos++;
        return { k: "call", e: this.expr() };
      case "SET":
      case "DEFAULT":
        this.pos++;
        return { k: "set", assigns: this.setList(), onlyIfFalse: t.type === "DEFAULT" };
      case "NEXT":
      case "LAST":
        this.pos++;
        return { k: t.type === "NEXT" ? "next" : "last", line: (t as Token).line };
    }
    if (this.isAssignment()) return { k: "set", assigns: this.setList(), onlyIfFalse: false };
    return { k: "get", e: this.expr() };
  }

  /** Whether an assignment starts here (an identifier path followed by `=`). */
  private isAssignment(): boolean {
    let i = 0;
    if (this.peek(i).type !== "IDENT") return false;
    i++;
    while (this.peek(i).type === "DOT") i += 2;
    return this.peek(i).type === "ASSIGN";
  }

  /** `a = expr [,] b = expr …` (simple variable names only). */
  private setList(): [string, Expr][] {
    const list: [string, Expr][] = [];
    do {
      while (this.peek().type === "COMMA") this.pos++;
      const name = this.expect("IDENT");
      if (this.peek().type === "DOT") {
        throw unsupported(name.line, "assigning to a dotted variable", name.dir);
      }
      this.expect("ASSIGN");
      list.push([name.value, this.expr()]);
      while (this.peek().type === "COMMA") this.pos++;
    } while (this.peek().type === "IDENT" && this.peek(1).type === "ASSIGN");
    return list;
  }

  /** A full expression: the ternary operator is the loosest. */
  expr(): Expr {
    const c = this.binary(0);
    if (this.peek().type !== "?") return c;
    this.pos++;
    const t = this.expr();
    this.expect(":");
    const f = this.expr();
    return { k: "tern", c, t, f };
  }

  /**
   * Template Toolkit compiles `a OP b` to the Perl text `a OP b` without
   * parentheses, so what counts is Perl's precedence over the operators it
   * emits: `||` < `&&` < `eq ne` (from `==` `!=`) < `< > <= >=` < `+ - .`
   * (from `_`) < `* / %` (and `mod`, `div`) < `!` (from `not`).
   * Comparisons chain as in Perl 5.32+.
   */
  private static readonly LEVELS: string[][] = [
    ["OR"],
    ["AND"],
    ["==", "!="],
    ["<", ">", "<=", ">="],
    ["+", "-", "CAT"],
    ["*", "/", "%", "MOD", "DIV"],
  ];

  /** The operator a token stands for. */
  private static opOf(t: Token | { type: string; value: string }): string {
    return t.type === "CMPOP" || t.type === "BINOP" ? t.value : t.type;
  }

  private binary(level: number): Expr {
    if (level >= Parser.LEVELS.length) return this.unary();
    const ops = Parser.LEVELS[level];
    const left = this.binary(level + 1);
    const comparison = level === 2 || level === 3;
    if (comparison) {
      const operands = [left];
      const chain: string[] = [];
      while (ops.includes(Parser.opOf(this.peek()))) {
        chain.push(Parser.opOf(this.next()));
        operands.push(this.binary(level + 1));
      }
      return chain.length ? { k: "cmp", ops: chain, operands } : left;
    }
    let expr = left;
    while (ops.includes(Parser.opOf(this.peek()))) {
      const t = this.next();
      expr = { k: "op", op: Parser.opOf(t), l: expr, r: this.binary(level + 1), line: t.line };
    }
    return expr;
  }

  private unary(): Expr {
    if (this.peek().type === "NOT") {
      this.pos++;
      return { k: "not", e: this.unary() };
    }
    return this.term();
  }

  /** A literal, a quoted string, a variable path or a parenthesised expression. */
  private term(): Expr {
    const t = this.peek() as Token;
    switch (t.type) {
      case "NUMBER":
        this.pos++;
        return { k: "lit", v: perlNumberLiteral(t) };
      case "LITERAL":
        this.pos++;
        return { k: "lit", v: t.value };
      case "QUOTED":
        this.pos++;
        return {
          k: "str",
          parts: t.parts!.map((p) => typeof p === "string" ? p : new Parser(p).pathOnly()),
        };
      case "(": {
        this.pos++;
        const e = this.expr();
        this.expect(")");
        return e;
      }
      case "IDENT":
        return this.path();
    }
    this.fail();
  }

  /** `a.b.0.c(args)`. */
  private path(): Expr {
    const first = this.expect("IDENT");
    const path: PathNode[] = [{ name: first.value, args: this.args() }];
    while (this.peek().type === "DOT") {
      this.pos++;
      const t = this.peek();
      if (t.type !== "IDENT" && t.type !== "NUMBER") this.fail();
      this.pos++;
      if (t.type === "NUMBER") {
        // `l.0.1` lexes as `l`, `.`, `0.1`: TT splits the number on dots.
        for (const n of t.value.split(".")) path.push({ name: n });
      } else path.push({ name: t.value, args: this.args() });
    }
    return { k: "var", path, line: first.line, dir: first.dir };
  }

  /** Optional `( expr [,] … )` after a path element. */
  private args(): Expr[] | undefined {
    if (this.peek().type !== "(") return undefined;
    this.pos++;
    const args: Expr[] = [];
    while (this.peek().type !== ")") {
      if (this.peek().type === "COMMA") {
        this.pos++;
        continue;
      }
      if (this.peek().type === "IDENT" && this.peek(1).type === "ASSIGN") {
        const t = this.peek() as Token;
        throw unsupported(t.line, "named parameters", t.dir);
      }
      args.push(this.expr());
    }
    this.pos++;
    return args;
  }

  /** The `$var` / `${var}` of an interpolated string: a variable path and nothing else. */
  pathOnly(): Expr {
    const e = this.path();
    if (this.peek().type !== "EOF") this.fail();
    return e;
  }
}

/** The value of a NUMBER token as Perl reads the literal. */
function perlNumberLiteral(t: Token): number {
  const m = /^(-?)0([0-9]+)$/.exec(t.value);
  if (m) {
    if (/[89]/.test(m[2])) throw parseError(t.line, `Illegal octal digit in ${t.value}`, t.dir);
    return (m[1] ? -1 : 1) * Number.parseInt(m[2], 8);
  }
  return Number(t.value);
}

// ---------------------------------------------------------------------------
// Evaluation

/** Virtual methods Template Toolkit has that sqlitch does not implement, by type. */
const TT_TEXT_ONLY = [
  "hash",
  "match",
  "search",
  "replace",
  "remove",
  "split",
  "chunk",
  "html",
  "xml",
];
const TT_LIST_ONLY = [
  "hash",
  "push",
  "pop",
  "unshift",
  "shift",
  "grep",
  "import",
  "merge",
  "splice",
];
const TT_HASH_ONLY = ["hash", "each", "items", "list", "delete", "import", "sort", "nsort"];

type Method = (root: Val, args: Val[]) => Val;

const TEXT_METHODS: Record<string, Method> = {
  item: (s) => s,
  list: (s) => [s],
  length: (s) => [...str(s)].length,
  size: () => 1,
  empty: (s) => str(s) === "" ? 1 : 0,
  defined: () => 1,
  upper: (s) => str(s).toUpperCase(),
  lower: (s) => str(s).toLowerCase(),
  ucfirst: (s) => {
    const [c = "", ...rest] = [...str(s)];
    return c.toUpperCase() + rest.join("");
  },
  lcfirst: (s) => {
    const [c = "", ...rest] = [...str(s)];
    return c.toLowerCase() + rest.join("");
  },
  trim: (s) => str(s).replace(LEADING_WS, "").replace(TRAILING_WS, ""),
  collapse: (s) =>
    str(s).replace(LEADING_WS, "").replace(TRAILING_WS, "").replace(
      new RegExp(`[${WS}]+`, "g"),
      " ",
    ),
  repeat: (s, [n]) => {
    const count = Math.trunc(num(n));
    return truthy(n) && count > 0 ? str(s).repeat(count) : "";
  },
  substr: (s, [offset, length, replacement]) => {
    const chars = [...str(s)];
    let from = Math.trunc(num(offset));
    if (from < 0) from = Math.max(0, chars.length + from);
    from = Math.min(from, chars.length);
    let to = chars.length;
    if (length !== undefined) {
      const l = Math.trunc(num(length));
      to = l < 0 ? Math.max(from, chars.length + l) : Math.min(chars.length, from + l);
    }
    if (replacement !== undefined && length !== undefined) {
      return [...chars.slice(0, from), str(replacement), ...chars.slice(to)].join("");
    }
    return chars.slice(from, to).join("");
  },
  squote: (s) => str(s).replace(/(['\\])/g, "\\$1"),
  dquote: (s) => str(s).replace(/(["\\])/g, "\\$1").replace(/\n/g, "\\n"),
};

const LIST_METHODS: Record<string, (l: Val[], args: Val[]) => Val> = {
  item: (l, [n]) => at(l, truthy(n) ? n : 0),
  list: (l) => l,
  max: (l) => l.length - 1,
  size: (l) => l.length,
  empty: (l) => l.length === 0 ? 1 : 0,
  defined: (l, args) => {
    if (args.length === 0) return 1;
    const n = args[0];
    if (typeof n !== "number" && !(typeof n === "string" && NUMERIC.test(n))) return undefined;
    return bool(at(l, n) !== undefined);
  },
  first: (l, args) => args.length ? l.slice(0, Math.max(0, Math.trunc(num(args[0])))) : l[0],
  last: (l, args) => {
    if (!args.length) return l[l.length - 1];
    const n = Math.trunc(num(args[0]));
    return n > 0 ? l.slice(-n) : [];
  },
  reverse: (l) => [...l].reverse(),
  join: (l, [sep]) => l.map(str).join(sep === undefined ? " " : str(sep)),
  sort: (l, args) => {
    if (args.length) throw new TemplateFailure("sort by fields is not supported by sqlitch");
    if (l.length < 2) return l;
    return [...l].sort((a, b) => cmp(str(a).toLowerCase(), str(b).toLowerCase()));
  },
  nsort: (l, args) => {
    if (args.length) throw new TemplateFailure("nsort by fields is not supported by sqlitch");
    if (l.length < 2) return l;
    return [...l].sort((a, b) => num(a) - num(b));
  },
  unique: (l) => {
    const seen = new Set<string>();
    return l.filter((x) => {
      const k = str(x);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  },
  slice: (l, [from, to]) => {
    let a = Math.trunc(num(from));
    let b = to === undefined ? l.length - 1 : Math.trunc(num(to));
    if (a < 0) a += l.length;
    if (b < 0) b += l.length;
    const out: Val[] = [];
    for (let i = a; i <= b; i++) out.push(i >= 0 && i < l.length ? l[i] : undefined);
    return out;
  },
};

const HASH_METHODS: Record<string, (h: Map<string, Val>, args: Val[]) => Val> = {
  item: (h, [k]) => h.get(str(k)),
  size: (h) => h.size,
  empty: (h) => h.size === 0 ? 1 : 0,
  defined: (h, args) => args.length ? bool(h.get(str(args[0])) !== undefined) : 1,
  exists: (h, [k]) => bool(h.has(str(k))),
  keys: (h) => [...h.keys()].sort(cmp),
  values: (h) => [...h.keys()].sort(cmp).map((k) => h.get(k)),
  pairs: (h) => [...h.keys()].sort(cmp).map((k) => pair(k, h.get(k))),
};

/** A `{ key, value }` hash (hash iteration and `pairs`). */
function pair(key: string, value: Val): Hash {
  return new Hash(new Map<string, Val>([["key", key], ["value", value]]));
}

/** Template::Iterator's accessors (AUTOLOAD upper-cases the name; NUMBER is COUNT). */
function loopField(loop: Loop, item: string): Val {
  if (item === "odd" || item === "even" || item === "parity") {
    const odd = (loop.index + 1) % 2 === 1;
    if (item === "parity") return odd ? "odd" : "even";
    return (item === "odd") === odd ? 1 : 0;
  }
  if (["get_first", "get_next", "get_all"].includes(item)) {
    throw new TemplateFailure(`loop.${item} is not supported by sqlitch templates`);
  }
  const field = /NUMBER/i.test(item) ? "COUNT" : item.toUpperCase();
  const { data, index } = loop;
  const max = data.length - 1;
  switch (field) {
    case "SIZE":
      return data.length;
    case "MAX":
      return max;
    case "INDEX":
      return index;
    case "COUNT":
      return index + 1;
    case "FIRST":
      return index === 0 ? 1 : 0;
    case "LAST":
      return index === max ? 1 : 0;
    case "PREV":
      return index > 0 ? data[index - 1] : undefined;
    case "NEXT":
      return data[index + 1];
  }
  return undefined;
}

/** Template::Stash's `_dotop`: one step of a dotted path. */
function dotop(root: Val, item: string, args: Val[]): Val {
  if (root === undefined || /^[_.]/.test(item)) return undefined;
  const unsupportedMethod = () =>
    new TemplateFailure(`the "${item}" virtual method is not supported by sqlitch templates`);
  if (root instanceof Hash) {
    const v = root.map.get(item);
    if (v !== undefined) return v;
    if (Object.hasOwn(HASH_METHODS, item)) return HASH_METHODS[item](root.map, args);
    if (TT_HASH_ONLY.includes(item)) throw unsupportedMethod();
    return undefined;
  }
  if (Array.isArray(root)) {
    if (Object.hasOwn(LIST_METHODS, item)) return LIST_METHODS[item](root, args);
    if (TT_LIST_ONLY.includes(item)) throw unsupportedMethod();
    if (/^-?[0-9]+$/.test(item)) return at(root, item);
    return undefined;
  }
  if (root instanceof Loop) return loopField(root, item);
  if (Object.hasOwn(TEXT_METHODS, item)) return TEXT_METHODS[item](root, args);
  if (TT_TEXT_ONLY.includes(item)) throw unsupportedMethod();
  if (Object.hasOwn(LIST_METHODS, item)) return LIST_METHODS[item]([root], args);
  if (TT_LIST_ONLY.includes(item)) throw unsupportedMethod();
  return undefined;
}

/** `==`/`!=` compare strings (TT emits `eq`/`ne`); the others numbers. */
function compare(op: string, l: Val, r: Val): Val {
  switch (op) {
    case "==":
      return bool(str(l) === str(r));
    case "!=":
      return bool(str(l) !== str(r));
    case "<":
      return bool(num(l) < num(r));
    case ">":
      return bool(num(l) > num(r));
    case "<=":
      return bool(num(l) <= num(r));
    default:
      return bool(num(l) >= num(r));
  }
}

/** Loop control flow. */
class LoopJump {
  constructor(readonly kind: "next" | "last") {}
}

/** Runs a parsed template against a stash. */
class Renderer {
  readonly out: string[] = [];
  private depth = 0;

  constructor(private readonly stash: Map<string, Val>) {}

  run(nodes: Node[]): void {
    for (const node of nodes) this.node(node);
  }

  private node(node: Node): void {
    switch (node.k) {
      case "text":
        this.out.push(node.text);
        return;
      case "get":
        this.out.push(str(this.eval(node.e)));
        return;
      case "call":
        this.eval(node.e);
        return;
      case "set":
        for (const [name, e] of node.assigns) {
          if (node.onlyIfFalse && truthy(this.stash.get(name))) continue;
          this.stash.set(name, this.eval(e));
        }
        return;
      case "if": {
        for (const b of node.branches) {
          if (truthy(this.eval(b.cond)) !== b.negate) return this.run(b.body);
        }
        if (node.otherwise) this.run(node.otherwise);
        return;
      }
      case "for":
        return this.loop(node);
      case "next":
      case "last":
        if (this.depth === 0) {
          throw new TemplateFailure(
            `input text line ${node.line}: ${node.k.toUpperCase()} outside a loop`,
          );
        }
        throw new LoopJump(node.k);
    }
  }

  /** FOREACH, as Template::Iterator and Template::Directive run it. */
  private loop(node: Extract<Node, { k: "for" }>): void {
    const value = this.eval(node.list);
    let data: Val[];
    if (!truthy(value)) data = [];
    else if (value instanceof Hash) {
      data = [...value.map.keys()].sort(cmp).map((k) => pair(k, value.map.get(k)));
    } else if (Array.isArray(value)) data = value;
    else data = [value];
    const saved = this.stash.get("loop");
    const loop = new Loop(data);
    this.stash.set("loop", loop);
    this.depth++;
    try {
      for (let i = 0; i < data.length; i++) {
        loop.index = i;
        const item = data[i];
        if (node.name !== undefined) this.stash.set(node.name, item);
        else if (item instanceof Hash) { for (const [k, v] of item.map) this.stash.set(k, v); }
        try {
          this.run(node.body);
        } catch (e) {
          if (!(e instanceof LoopJump)) throw e;
          if (e.kind === "last") break;
        }
      }
    } finally {
      this.depth--;
      this.stash.set("loop", saved);
    }
  }

  private eval(e: Expr): Val {
    switch (e.k) {
      case "lit":
        return e.v;
      case "str":
        return e.parts.map((p) => typeof p === "string" ? p : str(this.eval(p))).join("");
      case "var": {
        const [first, ...rest] = e.path;
        let v = /^[_.]/.test(first.name) ? undefined : this.stash.get(first.name);
        try {
          for (const step of rest) {
            v = dotop(v, step.name, (step.args ?? []).map((a) => this.eval(a)));
          }
        } catch (err) {
          if (err instanceof TemplateFailure && !err.message.startsWith("input text")) {
            throw new TemplateFailure(
              `input text line ${e.line}: ${err.message}\n  [% ${e.dir} %]`,
            );
          }
          throw err;
        }
        // Template::Stash::get returns "" for anything undefined.
        return v === undefined ? "" : v;
      }
      case "not":
        return bool(!truthy(this.eval(e.e)));
      case "tern":
        return truthy(this.eval(e.c)) ? this.eval(e.t) : this.eval(e.f);
      case "op":
        return this.op(e);
      case "cmp": {
        let l = this.eval(e.operands[0]);
        let result: Val = "";
        for (let i = 0; i < e.ops.length; i++) {
          const r = this.eval(e.operands[i + 1]);
          result = compare(e.ops[i], l, r);
          if (!truthy(result)) return result;
          l = r;
        }
        return result;
      }
    }
  }

  private op(e: Extract<Expr, { k: "op" }>): Val {
    const l = this.eval(e.l);
    if (e.op === "AND") return truthy(l) ? this.eval(e.r) : l;
    if (e.op === "OR") return truthy(l) ? l : this.eval(e.r);
    const r = this.eval(e.r);
    switch (e.op) {
      case "CAT":
        return str(l) + str(r);
      case "+":
        return num(l) + num(r);
      case "-":
        return num(l) - num(r);
      case "*":
        return num(l) * num(r);
      case "/":
      case "DIV": {
        const d = num(r);
        if (d === 0) {
          throw new TemplateFailure(`input text line ${e.line}: Illegal division by zero`);
        }
        return e.op === "DIV" ? Math.trunc(num(l) / d) : num(l) / d;
      }
      case "%":
      case "MOD": {
        const a = Math.trunc(num(l));
        const b = Math.trunc(num(r));
        if (b === 0) throw new TemplateFailure(`input text line ${e.line}: Illegal modulus zero`);
        const m = a % b;
        return m !== 0 && (m < 0) !== (b < 0) ? m + b : m;
      }
    }
    throw new TemplateFailure(`unknown operator ${e.op}`);
  }
}

// ---------------------------------------------------------------------------
// Public API

/** A parsed template, ready to render any number of times. */
export class Template {
  /** @internal Use parseTemplate. */
  constructor(private readonly nodes: Node[], readonly name: string) {}

  /**
   * Render with `vars` (not modified). Throws a SqlitchError
   * `Error executing {name}: {error}` on a run-time failure.
   */
  render(vars: TemplateVars): string {
    const stash = new Map<string, Val>();
    for (const [k, v] of Object.entries(vars)) stash.set(k, toVal(v));
    const r = new Renderer(stash);
    try {
      r.run(this.nodes);
    } catch (e) {
      throw wrap(e, this.name);
    }
    return r.out.join("");
  }
}

/** Turn an internal failure into Sqitch's `Error executing {template}: {error}`. */
function wrap(e: unknown, name: string): unknown {
  if (e instanceof TemplateFailure) {
    return new SqlitchError(`Error executing ${name}: ${e.message}`, { ident: "add" });
  }
  return e;
}

/**
 * Parse template source text. `name` (the template's path as shown to the
 * user) is used in error messages. Throws a SqlitchError
 * `Error executing {name}: {error}` on a syntax error or an unsupported
 * construct.
 */
export function parseTemplate(source: string, name: string): Template {
  try {
    const toks: (Token | { type: "TEXT"; value: string })[] = [];
    for (const piece of split(source)) {
      if (piece.text !== undefined) toks.push({ type: "TEXT", value: piece.text });
      else {
        if (TAGS_RE.test(piece.dir!)) throw unsupported(piece.line!, '"TAGS"', piece.dir);
        const dirToks = tokenise(piece.dir!, piece.line!);
        if (dirToks.length === 0) continue;
        // The end of a directive separates statements like `;` (value "" marks it).
        toks.push(...dirToks, { type: ";", value: "", line: piece.line!, dir: piece.dir! });
      }
    }
    return new Template(new Parser(toks).template(), name);
  } catch (e) {
    throw wrap(e, name);
  }
}

/**
 * Render template `source` with `vars`; `name` is the template's path as
 * shown in errors (`Error executing {name}: {error}`).
 */
export function renderTemplate(source: string, vars: TemplateVars, name: string): string {
  return parseTemplate(source, name).render(vars);
}

/** Perl truthiness of a stash value (`""`, `"0"`, 0 and undefined are false; lists are true). */
export function isTrue(value: TemplateValue): boolean {
  return truthy(toVal(value));
}
