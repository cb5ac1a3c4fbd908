/**
 * Seeded generators for plan tests: a small PRNG, random *valid* plans
 * (unicode names, notes and planners, odd spacing, URIs, tags, reworks,
 * `name@tag`, `@tag` and cross-project dependencies, comments, CRLF) that
 * Sqitch 1.3.1 loads, and mutations of plan text for fuzzing.
 */

/** A deterministic PRNG (mulberry32) with helpers. */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

const NAME_STARTS = [
  "users",
  "flips",
  "a",
  "b",
  "ünï",
  "阱阪",
  "x1",
  "_tmp",
  "Bjørn",
  "v1",
  "ŝema",
];
const NAME_MIDDLES = ["", "", "", "_x", "-y", ".z", "/sub", "^b", "~c", "%1x", "[q", "]r", "2"];
const PLANNERS = [
  ["Ann Planner", "ann@example.com"],
  ["Bjørn Ødegård", "bjorn@example.com"],
  ["Dee ", "dee@example.com"],
  ["李雷", "li@例え.jp"],
  ["Marge Simpson", "marge@example.com"],
  ["A", "a@x"],
  ["O'Brien (ops)", "ob+plan@example.org"],
  ["tab\tname", "t@x"],
] as const;
const NOTES = [
  "Creates table to track our users.",
  "Ünïcödé nøte ☃ 日本語",
  "back\\\\slash, cr\\r, lf\\n, tab\\t",
  "two\\n\\nparagraphs",
  "C:\\temp literal",
  "   padded note   ",
  "has # a hash",
  "emoji 🎉 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
  "0",
  "trailing escape \\",
];
const URIS = [
  "https://example.com/uridemo/",
  "HTTPS://Example.COM:443/uridemo/",
  "https://github.com/sqitchers/sqitch/",
  "http://x.com:80/%7efoo",
  "https://x.com/ü",
  "urn:Foo:Bar",
  "github.com/foo/bar",
];
const BLANKS = [" ", " ", " ", "  ", "\t", "\u3000", "\u00a0"];

/** Options for randomPlan. */
export interface RandomPlanOptions {
  /** Maximum number of changes (default 25). */
  maxChanges?: number;
}

/** A random plan Sqitch 1.3.1 loads, with its project name. */
export function randomPlan(rng: Rng, options: RandomPlanOptions = {}): string {
  const project = rng.pick(["flipr", "idsdemo", "proj_2", "ünï"]);
  const eol = rng.chance(0.1) ? "\r\n" : "\n";
  const out: string[] = [];
  if (rng.chance(0.8)) out.push("%syntax-version=1.0.0");
  if (rng.chance(0.15)) out.push("# a header comment");
  out.push(rng.chance(0.1) ? `  % project =  ${project}` : `%project=${project}`);
  if (rng.chance(0.5)) out.push(`%uri=${rng.pick(URIS)}`);
  if (rng.chance(0.1)) out.push("%strict");
  out.push("");

  const blank = () => rng.pick(BLANKS);
  const timestamp = () => {
    const y = rng.int(1970, 2030);
    const mo = rng.int(1, 12);
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
    const p = (n: number) => String(n).padStart(2, "0");
    return `${y}-${p(mo)}-${p(rng.int(1, days))}T${p(rng.int(0, 23))}:${p(rng.int(0, 59))}:${
      p(rng.int(0, 59))
    }Z`;
  };
  const planner = () => {
    const [name, email] = rng.pick(PLANNERS);
    return `${name}${rng.chance(0.1) ? "  " : " "}<${email}>`;
  };
  const note = () => {
    if (!rng.chance(0.6)) return "";
    const rspace = rng.chance(0.8) ? " " : rng.pick(["", "   ", "\t"]);
    return `${rspace}#${rng.chance(0.8) ? " " : rng.pick(["", "   "])}${rng.pick(NOTES)}`;
  };

  const completed = new Map<string, number>(); // names and @tags of finished sections → line
  let section = new Map<string, number>(); // names in the current section → line
  let sectionStart = new Map<string, number>();
  const tagNames = new Set<string>();
  let changes = 0;
  let lastWasTag = false;
  const lineNo = () => out.length + 1;
  const max = options.maxChanges ?? 25;
  const target = rng.int(1, max);
  let uniq = 0;

  while (changes < target) {
    const roll = rng.next();
    if (roll < 0.05) {
      out.push(rng.pick(["", "# a body comment", "   ", `${blank()}# indented   `]));
      continue;
    }
    if (changes > 0 && roll < 0.25) {
      // A tag.
      let name = `${rng.pick(["v", "alpha", "beta", "rc", "tåg"])}${uniq++}`;
      if (rng.chance(0.2)) name += rng.pick([".1", "-b", "_c"]);
      tagNames.add(name);
      const lspace = rng.chance(0.1) ? blank() : "";
      out.push(
        `${lspace}@${name}${rng.chance(0.1) ? "  " : " "}${timestamp()} ${planner()}${note()}`,
      );
      for (const [k, v] of section) completed.set(k, v);
      completed.set(`@${name}`, lineNo() - 1);
      section = new Map();
      sectionStart = new Map(completed);
      lastWasTag = true;
      continue;
    }
    // A change: new, or a rework of one from a finished section.
    const reworkable = [...completed.keys()].filter((k) => !k.startsWith("@") && !section.has(k));
    let name: string;
    if (reworkable.length > 0 && rng.chance(0.2)) {
      name = rng.pick(reworkable);
    } else {
      do {
        name = rng.pick(NAME_STARTS) + rng.pick(NAME_MIDDLES) + (rng.chance(0.3) ? uniq++ : "");
        if (/[\^~/%\[\]]$/.test(name) || /[~/=%^][0-9]+$/.test(name)) name += "z";
      } while (section.has(name) || completed.has(name));
    }
    const deps: string[] = [];
    // (A name with "]" cannot appear inside "[...]".)
    const known = [...sectionStart.keys()].filter((k) => !k.startsWith("@") && !k.includes("]"));
    const tags = [...sectionStart.keys()].filter((k) => k.startsWith("@"));
    for (let i = rng.int(0, 3); i > 0; i--) {
      const kind = rng.int(0, 7);
      if (kind === 0 && known.length) deps.push(rng.pick(known));
      else if (kind === 1 && section.size) {
        const here = [...section.keys()].filter((k) => !k.includes("]"));
        if (here.length) deps.push(rng.pick(here));
      } else if (kind === 2 && tags.length) deps.push(rng.pick(tags));
      else if (kind === 3 && tags.length) {
        const tag = rng.pick(tags);
        const before = known.filter((k) => sectionStart.get(k)! < sectionStart.get(tag)!);
        if (before.length) deps.push(rng.pick(before) + tag);
      } else if (kind === 4) {
        deps.push(rng.pick(["other:thing", "other:thing@beta", "other:@beta", "legacy:old"]));
      } else if (kind === 5) deps.push(`!${rng.pick(["dr_evil", "legacy:old_widgets", "x"])}`);
      else if (kind === 6) deps.push(`other:${"0123456789abcdef".repeat(3).slice(0, 40)}`);
      else if (kind === 7 && known.length) deps.push(`${project}:${rng.pick(known)}`);
    }
    const unique = [...new Set(deps)];
    const lspace = rng.chance(0.1) ? blank() : "";
    const op = rng.chance(0.08) ? `${rng.pick(["", " "])}${rng.pick(["+", "-"])}${blank()}` : "";
    const pspace = rng.chance(0.1) ? "   " : " ";
    const depText = unique.length
      ? `[${unique.join(rng.chance(0.1) ? "  " : " ")}]${rng.chance(0.1) ? "  " : " "}`
      : "";
    if (lastWasTag && rng.chance(0.5)) out.push("");
    out.push(`${lspace}${op}${name}${pspace}${depText}${timestamp()} ${planner()}${note()}`);
    section.set(name, lineNo() - 1);
    changes++;
    lastWasTag = false;
  }
  if (rng.chance(0.1)) out.push("# trailing comment");
  let text = out.join(eol);
  if (!rng.chance(0.05)) text += eol;
  return text;
}

const INJECT = [
  "[",
  "]",
  "@",
  ":",
  "#",
  "!",
  "\\",
  "%",
  "^",
  "~",
  "/",
  " ",
  "\t",
  "\u3000",
  "0",
  "é",
  "☃",
  "𝔘",
  "\r",
  "\r\n",
  "\n",
  "\n\n",
  "Z",
  "T",
  "<",
  ">",
  "2013-01-01T00:00:00Z",
  "HEAD",
  "ROOT",
  "0123456789abcdef0123456789abcdef01234567",
  "\\n",
  "\u0085",
  "\u2028",
  "\uFEFF",
];

/** A random mutation of plan text: characters or lines deleted, duplicated, swapped or injected. */
export function mutate(text: string, rng: Rng, rounds = rng.int(1, 4)): string {
  let s = text;
  for (let r = 0; r < rounds; r++) {
    const chars = Array.from(s);
    const at = rng.int(0, Math.max(0, chars.length - 1));
    switch (rng.int(0, 7)) {
      case 0:
        chars.splice(at, rng.int(1, 3));
        s = chars.join("");
        break;
      case 1:
        chars.splice(at, 0, ...chars.slice(at, at + rng.int(1, 4)));
        s = chars.join("");
        break;
      case 2: {
        const b = rng.int(0, Math.max(0, chars.length - 1));
        [chars[at], chars[b]] = [chars[b], chars[at]];
        s = chars.join("");
        break;
      }
      case 3:
      case 4:
        chars.splice(at, 0, rng.pick(INJECT));
        s = chars.join("");
        break;
      case 5: {
        const lines = s.split("\n");
        const i = rng.int(0, lines.length - 1);
        if (rng.chance(0.5)) lines.splice(i, 1);
        else lines.splice(i, 0, lines[rng.int(0, lines.length - 1)]);
        s = lines.join("\n");
        break;
      }
      case 6: {
        const lines = s.split("\n");
        const i = rng.int(0, lines.length - 1);
        const j = rng.int(0, lines.length - 1);
        [lines[i], lines[j]] = [lines[j], lines[i]];
        s = lines.join("\n");
        break;
      }
      default:
        s = s.replace(/\n/g, "\r\n");
    }
  }
  return s;
}

const CHAOS_TOKENS = [
  "a",
  "b",
  "users",
  "a1",
  "x/y",
  "é",
  "☃",
  "_",
  "0",
  "1",
  "12",
  " ",
  " ",
  "  ",
  "\t",
  "\u3000",
  "[",
  "]",
  "@",
  ":",
  "!",
  "#",
  "\\",
  "^",
  "~",
  "/",
  "%",
  "=",
  "+",
  "-",
  ".",
  "<",
  ">",
  "<a@x>",
  "Ann",
  "2013-01-01T00:00:00Z",
  "2013-02-30T00:00:00Z",
  "2012-06-30T23:59:60Z",
  "١",
  "HEAD",
  "ROOT",
  "@t",
  "[a]",
  "[a b]",
  "[!a]",
  "[e:a]",
  "[x:]",
  "€",
  "\\n",
  "0123456789abcdef0123456789abcdef01234567",
  "Z",
  "T",
];
const CHAOS_BASE = [
  "a 2013-01-01T00:00:00Z Ann <a@x>",
  "@t 2013-01-01T00:00:00Z Ann <a@x>",
  "b [a] 2013-01-01T00:00:00Z Ann <a@x>",
  "@u 2013-01-01T00:00:00Z Ann <a@x>",
  "a [a@t] 2013-01-01T00:00:00Z Ann <a@x>",
];

/** A small plan of plausible and implausible lines built from tricky tokens (mostly invalid). */
export function chaosPlan(rng: Rng): string {
  const lines: string[] = [];
  for (let i = rng.int(0, 3); i > 0; i--) {
    let l = rng.pick(["%", "% ", "%project", "%uri", "%x", "#", "# c", " %"]);
    for (let k = rng.int(0, 4); k > 0; k--) l += rng.pick(CHAOS_TOKENS);
    lines.push(l);
  }
  lines.push(rng.chance(0.9) ? "%project=e" : "%project=" + rng.pick(CHAOS_TOKENS));
  lines.push(rng.pick(["", "", "# ", "#0", "  "]));
  for (let i = rng.int(1, 6); i > 0; i--) {
    if (rng.chance(0.4)) {
      lines.push(rng.pick(CHAOS_BASE));
      continue;
    }
    let l = rng.pick(["", "x", "c ", "d [a", "@v", "e [a@t", "f [@t"]);
    for (let k = rng.int(1, 4); k > 0; k--) l += rng.pick(CHAOS_TOKENS);
    if (rng.chance(0.5)) l += " 2013-01-01T00:00:00Z Ann <a@x>";
    lines.push(l);
  }
  return lines.join("\n") + "\n";
}
