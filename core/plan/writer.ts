/**
 * Writing a plan back (Plan.pm `write_to`, plan-format.md §8): every line
 * as Sqitch serialises it, each followed by "\n"; optionally only the
 * header plus the lines from one change through another (for `bundle`).
 */
import { SqlitchError } from "../errors.ts";
import { formatLine } from "./model.ts";
import type { Plan } from "./plan.ts";

/** Which changes a partial write covers (change specifiers, as `find` takes them). */
export interface WriteRange {
  from?: string;
  to?: string;
}

/**
 * The text Sqitch writes for a plan. With `from`/`to`, the header lines
 * (through the first empty, note-less blank line) are followed by the
 * lines from the `from` change through the `to` change's last tag line;
 * `Cannot find change {change}` when one of them is not found.
 */
export function formatPlan(plan: Plan, range: WriteRange = {}): string {
  let lines = plan.lines;
  if (range.from !== undefined || range.to !== undefined) {
    let headEndsAt = 0;
    while (headEndsAt < lines.length) {
      const line = lines[headEndsAt];
      if (line.type === "blank" && line.note.length === 0) break;
      headEndsAt++;
    }
    const locate = (spec: string) => {
      const change = plan.find(spec);
      if (!change) throw new SqlitchError(`Cannot find change ${spec}`, { ident: "plan" });
      return change;
    };
    const fromIndex = range.from !== undefined ? lines.indexOf(locate(range.from)) : headEndsAt + 1;
    let toIndex = lines.length - 1;
    if (range.to !== undefined) {
      const change = locate(range.to);
      toIndex = lines.indexOf(change.tags.at(-1) ?? change);
    }
    lines = [...lines.slice(0, headEndsAt + 1), ...lines.slice(fromIndex, toIndex + 1)];
  }
  let out = "";
  for (const line of lines) out += formatLine(line) + "\n";
  return out;
}
