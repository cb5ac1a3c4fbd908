/**
 * What the `mysql` client prints in batch mode with `--silent
 * --skip-column-names` (MariaDB 10.11): result rows tab-separated with
 * NUL, tab, newline and backslash escaped and NULL as `NULL`; `\G` rows
 * vertically, unescaped; `--------------` echoes of a statement; `ERROR …`
 * lines; `\W` warning lines.
 */

/** One value as the client prints it in tab-separated rows. */
export function escapeTabValue(value: string | null): string {
  if (value === null) return "NULL";
  let out = "";
  for (const ch of value) {
    if (ch === "\0") out += "\\0";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\\") out += "\\\\";
    else out += ch;
  }
  return out;
}

/** Rows as the client prints them in batch mode (with a header line when `columnNames` is set). */
export function formatTabRows(
  fields: readonly string[],
  rows: readonly (string | null)[][],
  columnNames = false,
): string {
  let out = columnNames ? fields.join("\t") + "\n" : "";
  for (const row of rows) out += row.map(escapeTabValue).join("\t") + "\n";
  return out;
}

const encoder = new TextEncoder();

/** Rows as `\G` prints them: a star line per row, then each value raw (NUL as a blank). */
export function formatVerticalRows(
  fields: readonly string[],
  rows: readonly (string | null)[][],
  columnNames = false,
): string {
  const width = Math.max(0, ...fields.map((f) => encoder.encode(f).length));
  let out = "";
  rows.forEach((row, i) => {
    out += `*************************** ${i + 1}. row ***************************\n`;
    row.forEach((value, j) => {
      if (columnNames) {
        const name = fields[j] ?? "";
        out += " ".repeat(Math.max(0, width - encoder.encode(name).length)) + name + ": ";
      }
      out += value === null ? "NULL\n" : value.replaceAll("\0", " ") + "\n";
    });
  });
  return out;
}

/** The statement echo printed before an error (and by `\p`). */
export function formatStatementEcho(statement: string): string {
  const nl = statement === "" || !statement.endsWith("\n") ? "\n" : "";
  return `--------------\n${statement}${nl}--------------\n\n`;
}

/** Where an error happened, as the client names it. */
export interface ErrorPlace {
  /** The line the statement began on; 0 when none was read. */
  line: number;
  /** The sourced file (as written in `source`), undefined at top level. */
  file?: string;
}

/** An `ERROR …` line as the client prints it in batch mode. */
export function formatError(
  message: string,
  place: ErrorPlace,
  errno?: number,
  sqlState?: string,
): string {
  let out = "ERROR";
  if (errno) out += sqlState ? ` ${errno} (${sqlState})` : ` ${errno}`;
  if (place.line) {
    out += ` at line ${place.line}`;
    if (place.file !== undefined) out += ` in file: '${place.file}'`;
  }
  return `${out}: ${message}\n`;
}

/** One `SHOW WARNINGS` row as `\W` prints it. */
export function formatWarning(
  level: string | null,
  code: string | null,
  message: string | null,
): string {
  return `${level ?? "(null)"} (Code ${code ?? "(null)"}): ${message ?? "(null)"}\n`;
}
