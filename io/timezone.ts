/**
 * The local time zone from the real system: the zoneinfo database under
 * /usr/share/zoneinfo (or `TZDIR`), its tzdata.zi link list, /etc/timezone
 * and the /etc/localtime symlink, fed to core/timezone.ts's resolver.
 */
import type { Env } from "../core/env.ts";
import {
  parseTzdataLinks,
  resolveLocalTimeZone,
  type TimeZone,
  type ZoneInfoSource,
} from "../core/timezone.ts";

/** A ZoneInfoSource reading the system's files (missing files count as absent). */
export function systemZoneInfo(
  zoneinfoDir = "/usr/share/zoneinfo",
  etcDir = "/etc",
): ZoneInfoSource {
  let links: Map<string, string> | undefined;
  const readText = (path: string) => {
    try {
      return Deno.readTextFileSync(path);
    } catch {
      return undefined;
    }
  };
  return {
    zoneFile(name) {
      try {
        const path = `${zoneinfoDir}/${name}`;
        if (!Deno.statSync(path).isFile) return undefined;
        return Deno.readFileSync(path);
      } catch {
        return undefined;
      }
    },
    links() {
      links ??= parseTzdataLinks(readText(`${zoneinfoDir}/tzdata.zi`) ?? "");
      return links;
    },
    etcTimezone: () => readText(`${etcDir}/timezone`),
    etcLocaltimeTarget() {
      try {
        const path = `${etcDir}/localtime`;
        if (!Deno.lstatSync(path).isSymlink) return undefined;
        return Deno.realPathSync(path);
      } catch {
        return undefined;
      }
    },
  };
}

let cached: { tz: string | undefined; zone: TimeZone } | undefined;

/** The local time zone as Sqitch would find it, given the process environment. */
export function localTimeZone(env: Env): TimeZone {
  const tz = env.TZ;
  if (cached && cached.tz === tz) return cached.zone;
  const zone = resolveLocalTimeZone(tz, systemZoneInfo(env.TZDIR || undefined));
  cached = { tz, zone };
  return zone;
}
