import { equal, throws } from "node:assert/strict";
import {
  colorEnabled,
  colorEscape,
  type ColorMode,
  isColorMode,
  isValidColor,
} from "../../core/color.ts";
import { SqlitchError } from "../../core/errors.ts";

const E = "\x1b[";

Deno.test("colorEscape: attribute names (observed with sqitch --color always)", () => {
  equal(colorEscape("green"), `${E}32m`);
  equal(colorEscape("blue"), `${E}34m`);
  equal(colorEscape("red"), `${E}31m`);
  equal(colorEscape("reset"), `${E}0m`);
  equal(colorEscape("cyan"), `${E}36m`);
  equal(colorEscape("bold blue"), `${E}1;34m`);
  equal(colorEscape("BOLD"), `${E}1m`);
  equal(colorEscape("  bold   red "), `${E}1;31m`);
  equal(colorEscape("r255g0b0"), `${E}38;2;255;0;0m`);
  equal(colorEscape("r0255g0b0"), `${E}38;2;255;0;0m`);
  equal(colorEscape("on_r1g2b3"), `${E}48;2;1;2;3m`);
  equal(colorEscape("rgb555"), `${E}38;5;231m`);
  equal(colorEscape("ansi255"), `${E}38;5;255m`);
  equal(colorEscape("ansi16"), `${E}38;5;16m`);
  equal(colorEscape("grey23"), `${E}38;5;255m`);
  equal(colorEscape("on_grey0"), `${E}48;5;232m`);
  equal(colorEscape("on_bright_black"), `${E}100m`);
  equal(colorEscape("on_r10g20b30 underline"), `${E}48;2;10;20;30;4m`);
  equal(colorEscape(" "), "");
});

Deno.test("colorEscape: every fixed Term::ANSIColor attribute", () => {
  const fixed: Record<string, string> = {
    clear: "0",
    reset: "0",
    bold: "1",
    dark: "2",
    faint: "2",
    italic: "3",
    underline: "4",
    underscore: "4",
    blink: "5",
    reverse: "7",
    concealed: "8",
  };
  ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"].forEach((c, i) => {
    fixed[c] = String(30 + i);
    fixed[`on_${c}`] = String(40 + i);
    fixed[`bright_${c}`] = String(90 + i);
    fixed[`on_bright_${c}`] = String(100 + i);
  });
  for (const [name, code] of Object.entries(fixed)) equal(colorEscape(name), `${E}${code}m`, name);
  equal(colorEscape("on_ansi3"), `${E}48;5;3m`);
  equal(colorEscape("on_rgb012"), `${E}48;5;24m`);
});

Deno.test("isValidColor / colorEscape: invalid names", () => {
  for (
    const bad of [
      "bogus",
      "r256g0b0",
      "rgb6",
      "rgb556",
      "grey24",
      "ansi256",
      "bold bogus",
      "0",
      "on_",
    ]
  ) {
    equal(isValidColor(bad), false, bad);
    throws(() => colorEscape(bad), (e: unknown) => {
      equal(e instanceof SqlitchError, true);
      equal((e as SqlitchError).message, `${bad} is not a valid ANSI color`);
      equal((e as SqlitchError).exitCode, 2);
      return true;
    });
  }
  equal(isValidColor("Bold Blue"), true);
  equal(isValidColor(""), true);
});

Deno.test("isValidColor / colorEscape: palette names and their bounds", () => {
  const valid: [string, string][] = [
    ["ansi0", "38;5;0"],
    ["on_ansi255", "48;5;255"],
    ["rgb000", "38;5;16"],
    ["on_rgb505", "48;5;201"],
    ["grey0", "38;5;232"],
    ["on_grey23", "48;5;255"],
    ["ANSI9", "38;5;9"],
  ];
  for (const [name, code] of valid) equal(colorEscape(name), `${E}${code}m`, name);
  for (
    const bad of [
      "ansi",
      "ansi007",
      "ansi00",
      "on_ansi300",
      "rgb060",
      "rgb00",
      "rgb0000",
      "grey",
      "grey01",
      "grey99",
      "on_on_grey1",
      "gray1",
      "ansi1x",
    ]
  ) {
    equal(isValidColor(bad), false, bad);
  }
});

Deno.test("colorEnabled: modes, NO_COLOR, ANSI_COLORS_DISABLED, terminal", () => {
  const cases: [ColorMode, Record<string, string>, boolean, boolean][] = [
    ["always", {}, false, true],
    ["always", { ANSI_COLORS_DISABLED: "1" }, false, true],
    ["always", { NO_COLOR: "" }, true, false],
    ["always", { NO_COLOR: "1" }, false, false],
    ["never", {}, true, false],
    ["auto", {}, true, true],
    ["auto", {}, false, false],
    ["auto", { ANSI_COLORS_DISABLED: "1" }, true, false],
    ["auto", { ANSI_COLORS_DISABLED: "0" }, true, true],
    ["auto", { ANSI_COLORS_DISABLED: "" }, true, true],
    ["auto", { NO_COLOR: "" }, true, false],
  ];
  for (const [mode, env, tty, want] of cases) {
    equal(colorEnabled(mode, env, tty), want, `${mode} ${JSON.stringify(env)} tty=${tty}`);
  }
});

Deno.test("isColorMode", () => {
  equal(isColorMode("always"), true);
  equal(isColorMode("auto"), true);
  equal(isColorMode("never"), true);
  equal(isColorMode("sometimes"), false);
});
