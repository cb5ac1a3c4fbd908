import { equal, throws } from "node:assert/strict";
import {
  dateFormatter,
  formatCldr,
  formatDate,
  formatStrftime,
  isValidDateFormat,
  parseInstant,
  validateDateFormat,
} from "../../core/dates.ts";
import type { SqlitchError } from "../../core/errors.ts";
import { fixedOffsetZone, resolveLocalTimeZone, UTC_ZONE } from "../../core/timezone.ts";
import { systemZoneInfo } from "../../io/timezone.ts";

const HAVE_ZONEINFO = (() => {
  try {
    return Deno.statSync("/usr/share/zoneinfo/America/New_York").isFile;
  } catch {
    return false;
  }
})();

const zone = (tz: string) => resolveLocalTimeZone(tz, systemZoneInfo());
const T = "2026-11-23T23:34:57Z";
const NNBSP = "\u202F";

Deno.test("formatDate: the cli.md §3.4 table (UTC)", () => {
  equal(formatDate(T, "raw"), "2026-11-23T23:34:57Z");
  equal(formatDate(T, "iso"), "2026-11-23 23:34:57 +0000");
  equal(formatDate(T, "iso8601"), "2026-11-23 23:34:57 +0000");
  equal(formatDate(T, "rfc"), "Mon, 23 Nov 2026 23:34:57 -0000");
  equal(formatDate(T, "rfc2822"), "Mon, 23 Nov 2026 23:34:57 -0000");
  equal(formatDate(T, "full"), `Monday, November 23, 2026, 11:34:57${NNBSP}PM UTC`);
  equal(formatDate(T, "long"), `November 23, 2026, 11:34:57${NNBSP}PM UTC`);
  equal(formatDate(T, "medium"), `Nov 23, 2026, 11:34:57${NNBSP}PM`);
  equal(formatDate(T, "short"), `11/23/26, 11:34${NNBSP}PM`);
  equal(formatDate(T, "cldr:yyyy-MM"), "2026-11");
  equal(formatDate(T, "strftime:%Y/%j"), "2026/327");
  equal(formatDate(T, "strftime:%s"), "1795476897");
  // As in `%{date:default}c` (not accepted by --date-format, though).
  equal(formatDate(T, "default"), `Nov 23, 2026, 11:34:57${NNBSP}PM`);
  equal(formatDate(T, ""), "2026-11-23T23:34:57Z");
});

Deno.test("formatDate: fixed offsets", () => {
  const z = fixedOffsetZone(19800);
  equal(formatDate(T, "iso", z), "2026-11-24 05:04:57 +0530");
  equal(formatDate(T, "rfc", z), "Tue, 24 Nov 2026 05:04:57 +0530");
  equal(formatDate(T, "full", z), `Tuesday, November 24, 2026, 5:04:57${NNBSP}AM +0530`);
  equal(formatDate(T, "raw", z), "2026-11-23T23:34:57Z");
});

Deno.test({
  name: "formatDate: America/New_York and Asia/Kolkata (cli.md §3.4)",
  ignore: !HAVE_ZONEINFO,
  fn() {
    const ny = zone("America/New_York");
    equal(formatDate(T, "iso", ny), "2026-11-23 18:34:57 -0500");
    equal(formatDate(T, "rfc", ny), "Mon, 23 Nov 2026 18:34:57 -0500");
    equal(
      formatDate(T, "full", ny),
      `Monday, November 23, 2026, 6:34:57${NNBSP}PM America/New_York`,
    );
    equal(formatDate(T, "long", ny), `November 23, 2026, 6:34:57${NNBSP}PM EST`);
    const kol = zone("Asia/Kolkata");
    equal(formatDate(T, "iso", kol), "2026-11-24 05:04:57 +0530");
    equal(formatDate(T, "long", kol), `November 24, 2026, 5:04:57${NNBSP}AM IST`);
    equal(formatDate(T, "raw", kol), "2026-11-23T23:34:57Z");
  },
});

Deno.test("formatDate: unknown formats", () => {
  for (const bad of ["bogus", "Full", "iso ", "cldr", "RAW"]) {
    throws(() => formatDate(T, bad), (e: unknown) => {
      equal((e as SqlitchError).message, `Unknown date format "${bad}"`);
      equal((e as SqlitchError).exitCode, 2);
      return true;
    });
  }
});

Deno.test("formatDate: years outside 0000–9999, in UTC and shifted by the zone", () => {
  const z = fixedOffsetZone(19800);
  const y10000 = Date.UTC(9999, 11, 31, 23, 59, 59, 999) + 1;
  equal(formatDate(y10000, "iso"), "10000-01-01 00:00:00 +0000");
  equal(formatDate(y10000, "raw"), "10000-01-01T00:00:00Z");
  equal(formatDate(y10000 - 1, "iso"), "9999-12-31 23:59:59 +0000");
  equal(formatDate(y10000 - 1, "iso", z), "10000-01-01 05:29:59 +0530");
  const y0 = -62167219200000;
  equal(formatDate(y0, "iso"), "0000-01-01 00:00:00 +0000");
  equal(formatDate(y0 - 1, "iso"), "-001-12-31 23:59:59 +0000");
  equal(formatDate(y0 - 1, "raw"), "-001-12-31T23:59:59Z");
  equal(formatDate(y0 - 1, "iso", z), "0000-01-01 05:29:59 +0530");
});

Deno.test("dateFormatter: formatDate bound to a format and zone, errors when called", () => {
  const z = fixedOffsetZone(-16200);
  const ms = [Date.parse(T), Date.parse(T), Date.parse(T) + 1500, 0, Date.parse(T)];
  for (const format of ["raw", "iso", "rfc", "full", "cldr:zzzz", "strftime:%s %z", ""]) {
    const format1 = dateFormatter(format, z);
    equal(dateFormatter(format, z), format1, "cached per format and zone");
    for (const t of ms) equal(format1(t), formatDate(t, format, z), `${format} ${t}`);
  }
  equal(dateFormatter("iso")(Date.parse(T)), "2026-11-23 23:34:57 +0000");
  equal(dateFormatter("iso", z)(Date.parse(T)), "2026-11-23 19:04:57 -0430");
  const bogus = dateFormatter("bogus", z);
  for (let i = 0; i < 2; i++) throws(() => bogus(0), /^SqlitchError: Unknown date format "bogus"$/);
});

Deno.test("validateDateFormat / isValidDateFormat", () => {
  for (const f of ["raw", "iso", "iso8601", "rfc", "rfc2822", "full", "long", "medium", "short"]) {
    equal(isValidDateFormat(f), true);
  }
  equal(isValidDateFormat("cldr:"), true);
  equal(isValidDateFormat("strftime:%Y"), true);
  equal(isValidDateFormat("default"), false);
  equal(isValidDateFormat(""), false);
  throws(() => validateDateFormat("default"), /^SqlitchError: Unknown date format "default"$/);
});

Deno.test("parseInstant: plan and registry timestamps", () => {
  equal(parseInstant("2024-01-02T03:04:05Z").toISOString(), "2024-01-02T03:04:05.000Z");
  equal(parseInstant("2024-01-02 03:04:05").toISOString(), "2024-01-02T03:04:05.000Z");
  equal(parseInstant("2024-01-02 03:04:05.648").toISOString(), "2024-01-02T03:04:05.648Z");
  equal(parseInstant("2024-01-02T08:34:05+05:30").toISOString(), "2024-01-02T03:04:05.000Z");
  throws(() => parseInstant("yesterday"));
});

Deno.test("formatCldr: quoting and letters without a meaning", () => {
  equal(formatCldr(T, "h 'o''clock' a"), "11 o'clock PM");
  equal(formatCldr(T, "''"), "");
  equal(formatCldr(T, "'unterminated"), "'2026nt2r34inPMt223");
  equal(formatCldr(T, "b B x X O r 1 ."), "b B x X O r 1 .");
  equal(formatCldr("2026-11-23T23:34:57.123Z", "ss.SSS A"), "57.123 84897123");
});

Deno.test("formatStrftime: specials, methods and literals", () => {
  equal(formatStrftime(T, "%%Y %%%Y %q %{bogus} %{year}"), "%Y %2026 %q %{bogus} 2026");
  // Dates carry milliseconds at most.
  equal(formatStrftime("2026-11-23T23:34:57.123Z", "%N %3N %6N"), "123000000 123 123000");
  equal(
    formatStrftime(T, "%c|%x|%X", UTC_ZONE),
    `Nov 23, 2026, 11:34:57${NNBSP}PM|Nov 23, 2026|11:34:57${NNBSP}PM`,
  );
});

/** Outputs of the real App::Sqitch::DateTime (tests/fixtures/dates/generate.pl). */
type Fixture = Record<string, Record<string, Record<string, string>>>;
const FIXTURE: Fixture = JSON.parse(
  Deno.readTextFileSync(new URL("../fixtures/dates/sqitch_dates.json", import.meta.url)),
);

Deno.test({
  name: "formatDate: every fixture output of real Sqitch",
  ignore: !HAVE_ZONEINFO,
  fn() {
    let count = 0;
    for (const [tz, byInstant] of Object.entries(FIXTURE)) {
      const z = zone(tz);
      for (const [instant, byFormat] of Object.entries(byInstant)) {
        for (const [format, want] of Object.entries(byFormat)) {
          equal(formatDate(instant, format, z), want, `${tz} ${instant} ${format}`);
          count++;
        }
      }
    }
    equal(count > 1500, true);
  },
});
