/**
 * The display options `plan` and `log` share, resolved in Sqitch's
 * configure order: `--oneline`, the date format, the format, the colour
 * (command line first, then `<command>.date_format|format|color`).
 */
import { type ColorMode, isColorMode } from "../core/color.ts";
import { validateDateFormat } from "../core/dates.ts";
import { perlTrue } from "../core/env.ts";
import { SqlitchError } from "../core/errors.ts";
import type { OptionValue } from "../core/getopt.ts";
import { resolveItemFormat } from "../core/item_format.ts";
import { type CommandContext, optionString } from "./context.ts";

/** What `plan`/`log` show items with. */
export interface DisplayOptions {
  dateFormat: string;
  colorMode: ColorMode;
  abbrev: number;
}

/**
 * Resolve the display options of `command` ("plan" or "log"). `--oneline`
 * and a named `--format`/`<command>.format` are written back into
 * `options` (as the resolved template) for the section merge that follows.
 */
export function displayOptions(
  ctx: CommandContext,
  command: "plan" | "log",
  options: Record<string, OptionValue>,
): DisplayOptions {
  const { config } = ctx;
  if (options.oneline) {
    if (!perlTrue(optionString(options.format))) options.format = "oneline";
    if (options.abbrev === undefined) options.abbrev = 6;
  }
  let dateFormat = optionString(options.date_format);
  if (!perlTrue(dateFormat)) dateFormat = config.get(`${command}.date_format`);
  if (perlTrue(dateFormat)) validateDateFormat(dateFormat);
  else dateFormat = "iso";

  const optFormat = optionString(options.format);
  const cfgFormat = config.get(`${command}.format`);
  const named = perlTrue(optFormat) ? optFormat : perlTrue(cfgFormat) ? cfgFormat : undefined;
  if (named !== undefined) options.format = resolveItemFormat(command, named);

  let colorMode: ColorMode = "auto";
  if (options.no_color) colorMode = "never";
  else {
    const c = perlTrue(optionString(options.color))
      ? optionString(options.color)
      : config.get(`${command}.color`);
    if (perlTrue(c)) {
      if (!isColorMode(c)) {
        throw new SqlitchError(
          `Value "${c}" did not pass type constraint "Enum[always,auto,never]" (in $args->{"color"})`,
          { ident: command },
        );
      }
      colorMode = c;
    }
  }
  const abbrev = typeof options.abbrev === "number" ? options.abbrev : 0;
  return { dateFormat, colorMode, abbrev };
}
