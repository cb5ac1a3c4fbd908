import { equal, ok } from "node:assert/strict";
import {
  fixedOffsetZone,
  intlZone,
  offsetAsString,
  parseOffset,
  parsePosixTz,
  parseTzdataLinks,
  parseTzif,
  resolveLocalTimeZone,
  type TimeZone,
  tzifZone,
  UTC_ZONE,
  type ZoneInfoSource,
} from "../../core/timezone.ts";
import { systemZoneInfo } from "../../io/timezone.ts";

const HAVE_ZONEINFO = (() => {
  try {
    return Deno.statSync("/usr/share/zoneinfo/America/New_York").isFile;
  } catch {
    return false;
  }
})();

const at = (iso: string) => Date.parse(iso) / 1000;

/** Offset and abbreviation of a zone at an instant, as "offset abbr". */
const show = (zone: TimeZone, iso: string) =>
  `${offsetAsString(zone.offsetAt(at(iso)))} ${zone.abbreviationAt(at(iso))}`;

Deno.test("offsetAsString: DateTime::TimeZone forms", () => {
  equal(offsetAsString(0), "+0000");
  equal(offsetAsString(-18000), "-0500");
  equal(offsetAsString(19800), "+0530");
  equal(offsetAsString(19800, ":"), "+05:30");
  equal(offsetAsString(-(3600 + 75)), "-010115");
});

Deno.test("parseOffset: accepted and rejected offsets", () => {
  equal(parseOffset("0"), 0);
  equal(parseOffset("+0530"), 19800);
  equal(parseOffset("-03:00"), -10800);
  equal(parseOffset("0530"), 19800);
  equal(parseOffset("+053045"), 19845);
  equal(parseOffset("5"), undefined);
  equal(parseOffset("+0560"), undefined);
  equal(parseOffset("New_York"), undefined);
});

Deno.test("fixedOffsetZone: named by the offset; zero is UTC", () => {
  const z = fixedOffsetZone(19800);
  equal(z.name, "+0530");
  equal(z.abbreviationAt(0), "+0530");
  equal(fixedOffsetZone(0), UTC_ZONE);
});

Deno.test("parsePosixTz: std/dst names, offsets and rules", () => {
  const ny = parsePosixTz("EST5EDT,M3.2.0,M11.1.0")!;
  equal(ny.std.offset, -18000);
  equal(ny.dst?.offset, -14400);
  equal(ny.dst?.abbreviation, "EDT");
  const kol = parsePosixTz("IST-5:30")!;
  equal(kol.std.offset, 19800);
  equal(kol.dst, undefined);
  const quoted = parsePosixTz("<-03>3")!;
  equal(quoted.std.abbreviation, "-03");
  equal(parsePosixTz(""), undefined);
});

Deno.test("tzifZone: footer rule beyond the last transition", () => {
  // A TZif v2 file with no transitions and only a footer rule.
  const header = (v: number, typecnt: number, charcnt: number) => {
    const b = new Uint8Array(44);
    b.set([0x54, 0x5a, 0x69, 0x66, v]);
    const dv = new DataView(b.buffer);
    dv.setUint32(36, typecnt);
    dv.setUint32(40, charcnt);
    return b;
  };
  const ttinfo = new Uint8Array([0xff, 0xff, 0xb9, 0xb0, 0, 0]); // -18000, std, "EST"
  const chars = new TextEncoder().encode("EST\0");
  const footer = new TextEncoder().encode("\nEST5EDT,M3.2.0,M11.1.0\n");
  const parts = [header(0x32, 1, 4), ttinfo, chars, header(0x32, 1, 4), ttinfo, chars, footer];
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    bytes.set(p, pos);
    pos += p.length;
  }
  const zone = tzifZone("Test/Zone", parseTzif(bytes)!);
  equal(show(zone, "2050-01-15T12:00:00Z"), "-0500 EST");
  equal(show(zone, "2050-07-15T12:00:00Z"), "-0400 EDT");
  // Second Sunday of March 2050 is the 13th; 2am EST = 07:00Z.
  equal(show(zone, "2050-03-13T06:59:59Z"), "-0500 EST");
  equal(show(zone, "2050-03-13T07:00:00Z"), "-0400 EDT");
  equal(parseTzif(new Uint8Array([1, 2, 3])), undefined);
});

Deno.test({
  name: "system zoneinfo: offsets and abbreviations as DateTime gives them",
  ignore: !HAVE_ZONEINFO,
  fn() {
    const zone = (tz: string) => resolveLocalTimeZone(tz, systemZoneInfo());
    equal(show(zone("America/New_York"), "2026-11-23T23:34:57Z"), "-0500 EST");
    equal(show(zone("America/New_York"), "2024-07-02T15:04:06Z"), "-0400 EDT");
    equal(show(zone("America/New_York"), "2045-07-02T15:04:06Z"), "-0400 EDT");
    equal(show(zone("Asia/Kolkata"), "2026-11-23T23:34:57Z"), "+0530 IST");
    equal(show(zone("America/Sao_Paulo"), "2026-11-23T23:34:57Z"), "-0300 -03");
    equal(show(zone("Europe/Dublin"), "2024-07-02T15:04:06Z"), "+0100 IST");
    equal(show(zone("Europe/Dublin"), "2024-12-02T15:04:06Z"), "+0000 GMT");
    equal(show(zone("Australia/Lord_Howe"), "2026-11-23T23:34:57Z"), "+1100 +11");
  },
});

Deno.test({
  name: "resolveLocalTimeZone: names as DateTime::TimeZone resolves them",
  ignore: !HAVE_ZONEINFO,
  fn() {
    const name = (tz: string | undefined) => resolveLocalTimeZone(tz, systemZoneInfo()).name;
    equal(name("America/New_York"), "America/New_York");
    equal(name("Asia/Calcutta"), "Asia/Kolkata");
    equal(name("US/Eastern"), "America/New_York");
    equal(name("Europe/Kiev"), "Europe/Kyiv");
    equal(name("Etc/UTC"), "UTC");
    equal(name("GMT"), "UTC");
    equal(name("Zulu"), "UTC");
    equal(name("+0530"), "+0530");
    equal(name("Etc/GMT+5"), "-0500");
    equal(name("Etc/GMT-14"), "+1400");
    equal(name("EST5EDT"), "EST5EDT");
  },
});

/** A ZoneInfoSource with no files at all, for the fallback rules. */
function fakeSource(over: Partial<ZoneInfoSource> = {}): ZoneInfoSource {
  return {
    zoneFile: () => undefined,
    links: () => new Map(),
    etcTimezone: () => undefined,
    etcLocaltimeTarget: () => undefined,
    ...over,
  };
}

Deno.test("resolveLocalTimeZone: TZ, /etc/timezone, /etc/localtime, else UTC", () => {
  // Invalid TZ values fall through to the system setting.
  const etc = fakeSource({ etcTimezone: () => "Asia/Tokyo\n" });
  equal(resolveLocalTimeZone("Foo/Bar", etc).name, "Asia/Tokyo");
  equal(resolveLocalTimeZone("+05:30", etc).name, "Asia/Tokyo");
  equal(resolveLocalTimeZone("5", etc).name, "Asia/Tokyo");
  equal(resolveLocalTimeZone("local", etc).name, "Asia/Tokyo");
  equal(resolveLocalTimeZone(undefined, etc).name, "Asia/Tokyo");
  equal(resolveLocalTimeZone("", etc).name, "Asia/Tokyo");
  equal(resolveLocalTimeZone("0", etc), UTC_ZONE);
  // The /etc/localtime symlink: the shortest trailing path that is a zone.
  const link = fakeSource({
    etcLocaltimeTarget: () => "/usr/share/zoneinfo/America/Argentina/Buenos_Aires",
  });
  equal(resolveLocalTimeZone(undefined, link).name, "America/Argentina/Buenos_Aires");
  const utcLink = fakeSource({ etcLocaltimeTarget: () => "/usr/share/zoneinfo/Etc/UTC" });
  equal(resolveLocalTimeZone(undefined, utcLink), UTC_ZONE);
  equal(resolveLocalTimeZone(undefined, fakeSource()), UTC_ZONE);
});

Deno.test("parseTzdataLinks: L lines map alias to target", () => {
  const links = parseTzdataLinks(
    "Z America/New_York -4:56:2 - LMT 1883\nL America/New_York US/Eastern\n",
  );
  equal(links.get("US/Eastern"), "America/New_York");
  equal(links.size, 1);
});

Deno.test("intlZone: exact offsets, CLDR or numeric abbreviations", () => {
  const ny = intlZone("America/New_York")!;
  equal(show(ny, "2026-11-23T23:34:57Z"), "-0500 EST");
  equal(show(ny, "2024-07-02T15:04:06Z"), "-0400 EDT");
  const kol = intlZone("Asia/Kolkata")!;
  equal(show(kol, "2026-11-23T23:34:57Z"), "+0530 +0530");
  equal(kol.name, "Asia/Kolkata");
  equal(show(intlZone("America/Sao_Paulo")!, "2026-11-23T23:34:57Z"), "-0300 -03");
  equal(intlZone("Foo/Bar"), undefined);
  ok(intlZone("UTC"));
});
