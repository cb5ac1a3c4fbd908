/** Tests for value casting (config.md §2.5, §4.3). */
import assert from "node:assert/strict";
import { castNumber, castValue, parseBool, perlFormatNumber } from "../../../core/config/cast.ts";
import { SqlitchError } from "../../../core/errors.ts";

/** Assert a SqlitchError with this message, exit 2 and the trailing blank line. */
function throwsConfig(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SqlitchError);
    assert.equal(e.message, message);
    assert.equal(e.exitCode, 2);
    assert.equal(e.trailingBlankLine, true);
    return true;
  });
}

Deno.test("parseBool: true and false spellings", () => {
  for (const t of ["true", "TRUE", "yes", "Yes", "on", "1", "01", "001", "-1", "-001", null]) {
    assert.equal(parseBool(t), true, String(t));
  }
  for (const f of ["false", "False", "no", "NO", "off", "0", "000", ""]) {
    assert.equal(parseBool(f), false, f);
  }
});

Deno.test("parseBool: invalid", () => {
  for (const bad of ["maybe", "2", "-0", "t", "1.0", " 1"]) {
    throwsConfig(() => parseBool(bad), `Invalid bool '${bad}'`);
  }
});

Deno.test("castValue bool: human form; bare key gives 1", () => {
  assert.equal(castValue("yes", "bool"), "true");
  assert.equal(castValue("Off", "bool"), "false");
  assert.equal(castValue("", "bool"), "false");
  assert.equal(castValue(null, "bool"), "1");
  throwsConfig(() => castValue("10k", "bool"), "Invalid bool '10k'");
});

Deno.test("castNumber: suffixes and truncation (values observed from Sqitch)", () => {
  const cases: [string | null, string, string][] = [
    ["0", "0", "0"],
    [null, "0", "0"],
    ["", "0", "0"],
    ["-01", "-1", "-1"],
    ["000", "0", "0"],
    ["1.5k", "1536", "1536"],
    ["10k", "10240", "10240"],
    ["1.5m", "1572864", "1572864"],
    ["2g", "2147483648", "2147483648"],
    ["-0.5", "0", "-0.5"],
    ["-", "0", "0"],
    [".", "0", "0"],
    ["99999999999999999999", "1e+20", "1e+20"],
    ["0.1k", "102", "102.4"],
    ["1.9", "1", "1.9"],
    [".5", "0", "0.5"],
    ["1.", "1", "1"],
    ["123456789012345678", "123456789012345678", "123456789012345678"],
  ];
  for (const [input, int, num] of cases) {
    assert.equal(castNumber(input, "int"), int, `int ${input}`);
    assert.equal(castNumber(input, "num"), num, `num ${input}`);
    assert.equal(castValue(input, "int"), int);
  }
});

Deno.test("castNumber: invalid units", () => {
  for (const bad of ["1x", "1K", "1e3", "a", "1.2.3", "--1", "1 "]) {
    throwsConfig(() => castNumber(bad, "int"), "Invalid unit while casting to int");
    throwsConfig(() => castNumber(bad, "num"), "Invalid unit while casting to num");
  }
});

Deno.test("perlFormatNumber: %.15g", () => {
  assert.equal(perlFormatNumber(102.4), "102.4");
  assert.equal(perlFormatNumber(0.1), "0.1");
  assert.equal(perlFormatNumber(1e15), "1e+15");
  assert.equal(perlFormatNumber(123456789012345), "123456789012345");
  assert.equal(perlFormatNumber(0.00001), "1e-05");
  assert.equal(perlFormatNumber(0.0001), "0.0001");
  assert.equal(perlFormatNumber(-0), "0");
  assert.equal(perlFormatNumber(1 / 3), "0.333333333333333");
});
