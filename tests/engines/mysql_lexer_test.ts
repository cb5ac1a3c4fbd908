/**
 * The mysql-client line lexer on its own: what it sends, where statements
 * end, comments, quotes, delimiters, client commands and line numbers. The
 * live comparison with the real client is mysql_corpus_test.ts.
 */
import { deepStrictEqual, equal } from "node:assert/strict";
import {
  commandArgument,
  type LexAction,
  MysqlLineLexer,
  namedCommand,
  type QuoteModes,
  removeTrailingControl,
  type SharedInput,
} from "../../engines/mysql_lexer.ts";

interface Event {
  kind: string;
  sql?: string;
  name?: string;
  text?: string;
  line: number;
}

/** Feed lines as the client does; record statements sent and commands met (delimiter applied). */
function lex(text: string, modes: QuoteModes = { ansiQuotes: false, noBackslashEscapes: false }) {
  const shared: SharedInput = { delimiter: ";", buffer: "" };
  const lexer = new MysqlLineLexer(shared, () => modes);
  const events: Event[] = [];
  const run = (action: LexAction): number => {
    if (action.kind === "go") {
      events.push({
        kind: action.vertical ? "ego" : "go",
        sql: removeTrailingControl(shared.buffer),
        line: lexer.queryStartLine,
      });
      shared.buffer = "";
    } else if (action.kind === "unknown") {
      events.push({ kind: "unknown", text: action.letter, line: lexer.queryStartLine });
    } else {
      events.push({
        kind: "command",
        name: action.command.name,
        text: action.text,
        line: lexer.queryStartLine,
      });
      if (action.command.name === "delimiter") shared.delimiter = commandArgument(action.text)!;
    }
    return 0;
  };
  for (const line of text.split("\n")) {
    lexer.countLine();
    const command = lexer.lineCommand(line);
    if (command) {
      run({ kind: "command", command, text: line });
      continue;
    }
    const gen = lexer.scan(line);
    let step = gen.next();
    while (!step.done) step = gen.next(run(step.value));
  }
  return { events, rest: removeTrailingControl(shared.buffer), lexer };
}

const sent = (text: string, modes?: QuoteModes) =>
  lex(text, modes).events.filter((e) => e.kind === "go").map((e) => e.sql);

Deno.test("statements end at the delimiter, blanks before them dropped, newlines kept", () => {
  deepStrictEqual(sent("  SELECT 1;\nSELECT\n  2 ; SELECT 3;"), [
    "SELECT 1",
    "SELECT\n  2",
    "SELECT 3",
  ]);
});

Deno.test("quotes hide delimiters; backslash escapes and doubled quotes", () => {
  deepStrictEqual(sent(`SELECT 'a;b', "c;d", \`e;f\`;`), [`SELECT 'a;b', "c;d", \`e;f\``]);
  deepStrictEqual(sent(`SELECT 'it\\'s;', 'x''y;';`), [`SELECT 'it\\'s;', 'x''y;'`]);
  deepStrictEqual(sent("SELECT `a\\`;"), ["SELECT `a\\`"]);
});

Deno.test("ANSI_QUOTES and NO_BACKSLASH_ESCAPES change what a backslash does in quotes", () => {
  deepStrictEqual(sent(`SELECT "a\\";`, { ansiQuotes: true, noBackslashEscapes: false }), [
    `SELECT "a\\"`,
  ]);
  deepStrictEqual(
    sent(`SELECT 'a\\'; SELECT 2;`, { ansiQuotes: false, noBackslashEscapes: true }),
    [
      `SELECT 'a\\'`,
      "SELECT 2",
    ],
  );
});

Deno.test("comments: --, #, /* */ removed, executable comments kept", () => {
  deepStrictEqual(sent("SELECT 1 -- x;\n;"), ["SELECT 1"]);
  deepStrictEqual(sent("SELECT 2 # y;\n, 3;"), ["SELECT 2 \n, 3"]);
  deepStrictEqual(sent("--x at start\nSELECT 10--1;"), ["SELECT 10--1"]);
  deepStrictEqual(sent("SELECT 4 /* a; */+1;"), ["SELECT 4  +1"]);
  deepStrictEqual(sent("SELECT 5/*t*/AS x;"), ["SELECT 5 AS x"]);
  deepStrictEqual(sent("SELECT 6 /* multi\nline;\n*/, 7;"), ["SELECT 6  , 7"]);
  deepStrictEqual(sent("/*!40101 SET a=1 */;\n/*M!100100 SELECT 1 */;"), [
    "/*!40101 SET a=1 */",
    "/*M!100100 SELECT 1 */",
  ]);
});

Deno.test("DELIMITER lines are client commands; delimiters are case-sensitive strings", () => {
  const { events } = lex(
    "DELIMITER //\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND//\ndelimiter ;",
  );
  deepStrictEqual(events.map((e) => [e.kind, e.name ?? e.sql]), [
    ["command", "delimiter"],
    ["go", "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND"],
    ["command", "delimiter"],
  ]);
  deepStrictEqual(sent("DELIMITER END\nSELECT 1 end\nSELECT 2 END"), ["SELECT 1 end\nSELECT 2"]);
});

Deno.test("backslash commands: \\g, \\G, \\c, \\N kept, unknown letters reported", () => {
  const { events } = lex("SELECT 1 \\g SELECT 2 \\G SELECT \\N \\c\nSELECT 'x' \\z");
  deepStrictEqual(events.map((e) => [e.kind, e.sql ?? e.name ?? e.text]), [
    ["go", "SELECT 1"],
    ["ego", "SELECT 2"],
    ["command", "clear"],
    ["unknown", "z"],
  ]);
});

Deno.test("a command taking arguments swallows the rest of the line up to the delimiter", () => {
  const { events } = lex("SELECT 1; \\d //\nSELECT 2//");
  deepStrictEqual(events.map((e) => [e.kind, e.sql ?? e.name]), [
    ["go", "SELECT 1"],
    ["command", "delimiter"],
    ["go", "SELECT 2"],
  ]);
});

Deno.test("line numbers: where the buffer was last empty at a line start", () => {
  const { events } = lex("SELECT 1;\n\n-- c\nSELECT\n  2;\nSELECT 3; SELECT\n4;");
  deepStrictEqual(events.map((e) => e.line), [1, 4, 6, 6]);
});

Deno.test("an open quote carries across lines; a pending statement is left over", () => {
  const { events, rest } = lex("SELECT 'a\ndelimiter //\nb';\nSELECT 2");
  deepStrictEqual(events.map((e) => e.sql), ["SELECT 'a\ndelimiter //\nb'"]);
  equal(rest, "SELECT 2");
});

Deno.test("a trailing backslash is dropped; a pending `delimiter` gets no newline", () => {
  deepStrictEqual(sent("SELECT 'a\\\nb';"), ["SELECT 'a\nb'"]);
  const { rest } = lex("SELECT 1; delimiter //");
  equal(rest, "delimiter //");
});

Deno.test("named commands: whole lines, never with the delimiter or \\g in them", () => {
  equal(namedCommand("source x.sql", ";")?.name, "source");
  equal(namedCommand("  USE db", ";")?.name, "use");
  equal(namedCommand("use db;", ";"), undefined);
  equal(namedCommand("DELIMITER ;", ";")?.name, "delimiter");
  equal(namedCommand("quit now", ";"), undefined);
  equal(namedCommand("go", ";")?.name, "go");
  equal(namedCommand("select 1", ";"), undefined);
});

Deno.test("command arguments: quoting and escapes as the client reads them", () => {
  equal(commandArgument("delimiter //"), "//");
  equal(commandArgument("delimiter 'q''d' x"), "q'd");
  equal(commandArgument("use `a``b`"), "a`b");
  equal(commandArgument('use "a\\"b"'), 'a"b');
  equal(commandArgument("\\d $$"), "$$");
  equal(commandArgument("delimiter"), undefined);
  equal(commandArgument("use 'open"), undefined);
});
