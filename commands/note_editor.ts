/**
 * The note prompt of `add`, `rework` and `tag` (Sqitch's Plan/Line.pm
 * `request_note`, cli.md "Note editor"): when no note was given, the
 * editor is run on a temporary file holding the prompt as `# ` lines, and
 * the note is what the user wrote there, comment lines dropped.
 *
 * Use:
 *
 *     const note = await requestNote(ctx, change.note, changeNotePrompt("add", change, files));
 *     change.note = note;
 *
 * `tag` passes `notePrompt("tag")`.
 */
import { SqlitchError } from "../core/errors.ts";
import { editorCommand, runShellCommand, shellQuoteWord } from "../core/shell.ts";
import type { CommandContext } from "./context.ts";

/** Perl's Unicode `\s`. */
const SPACE =
  "\\t\\n\\x0B\\f\\r \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";
/** A line the note keeps: not `^\s*#`. */
const COMMENT_LINE = new RegExp(`^[${SPACE}]*#`);
/** Some non-space character (Perl's `/\S/`). */
const NON_SPACE = new RegExp(`[^${SPACE}]`);
/** Perl's `\v` (vertical whitespace). */
const VSPACE = "\\n\\x0B\\f\\r\\x85\\u2028\\u2029";
const LEADING_VSPACE = new RegExp(`^[${VSPACE}]+`);
const TRAILING_VSPACE = new RegExp(`[${VSPACE}]+$`);

/** The generic prompt (Line.pm `note_prompt`): `Write a {command} note.` — what `tag` uses. */
export function notePrompt(command: string): string {
  return `Write a ${command} note.\nLines starting with '#' will be ignored.`;
}

/**
 * The prompt for a change (Change.pm `note_prompt`): the change as
 * `format_op_name_dependencies` prints it (`name [deps]`) and the script
 * files the command will write, one per line.
 */
export function changeNotePrompt(
  command: string,
  change: { formatOpNameDependencies(): string },
  scripts: readonly string[],
): string {
  return `Please enter a note for your change. Lines starting with '#' will\n` +
    `be ignored, and an empty message aborts the ${command}.\n` +
    `Change to ${command}:\n\n` +
    `  ${change.formatOpNameDependencies()}` +
    ["", ...scripts, "\n"].join("\n    ");
}

/** The temporary file's text: an empty line, the prompt with `# ` before each line, an empty line. */
export function noteFileText(prompt: string): string {
  // Perl's s/^/# /gms: every line start except after a final newline.
  const last = prompt.endsWith("\n") ? "\n" : "";
  const lines = (last ? prompt.slice(0, -1) : prompt).split("\n");
  return `\n${lines.map((line) => `# ${line}`).join("\n")}${last}\n`;
}

/**
 * The note the user wrote: lines matching `^\s*#` dropped; undefined when
 * nothing but white space is left; otherwise with leading and trailing
 * vertical white space removed (horizontal space and escapes are kept).
 */
export function noteFromEditor(text: string): string | undefined {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const note = lines.filter((line) => !COMMENT_LINE.test(line)).join("");
  if (!NON_SPACE.test(note)) return undefined;
  return note.replace(LEADING_VSPACE, "").replace(TRAILING_VSPACE, "");
}

/**
 * Sqitch's `request_note`: `note` (the line's current note) when it has a
 * non-space character; otherwise run `<editor> <tmpfile>` through the
 * shell on a file holding `prompt` (see noteFileText) and return what the
 * user wrote (noteFromEditor). An empty result fails with `Aborting due
 * to empty note` (exit 1); a failing editor with the shell's message
 * (exit 2). The temporary file is removed afterwards.
 */
export async function requestNote(
  ctx: CommandContext,
  note: string | undefined,
  prompt: string,
): Promise<string> {
  if (note !== undefined && NON_SPACE.test(note)) return note;
  const { fs } = ctx.host;
  const file = fs.makeTempFile();
  try {
    fs.writeText(file, noteFileText(prompt));
    const editor = editorCommand(ctx.host.env, ctx.config.get("core.editor"));
    await runShellCommand(ctx.host, `${editor} ${shellQuoteWord(file)}`);
    const bytes = fs.readBytes(file);
    if (bytes === undefined) {
      throw new SqlitchError(`Cannot open ${file}: No such file or directory`, { ident: "add" });
    }
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      throw new SqlitchError(`Can't decode ill-formed UTF-8 octet sequence in ${file}`, {
        ident: "add",
      });
    }
    const result = noteFromEditor(text);
    if (result === undefined) {
      throw new SqlitchError("Aborting due to empty note", { ident: "plan", exitCode: 1 });
    }
    return result;
  } finally {
    fs.remove(file);
  }
}
