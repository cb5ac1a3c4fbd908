/**
 * A deterministic generator of large plan files for benchmarks and tests:
 * `changes` changes with a tag after every `tagEvery`-th change, each
 * requiring the change before it (and, after a tag, the change as of that
 * tag), with notes, a project URI and an occasional rework.
 *
 *   deno run scripts/gen_plan.ts [CHANGES] [TAG_EVERY] > big.plan
 */

/** Options for generatePlan. */
export interface GeneratePlanOptions {
  /** Number of change lines (default 10 000). */
  changes?: number;
  /** A tag line after every this many changes (default 50). */
  tagEvery?: number;
  /** The `%project` value (default "bench"). */
  project?: string;
}

/** The text of a generated plan; the same options always give the same bytes. */
export function generatePlan(options: GeneratePlanOptions = {}): string {
  const count = options.changes ?? 10_000;
  const tagEvery = options.tagEvery ?? 50;
  const project = options.project ?? "bench";
  const base = Date.UTC(2020, 0, 1);
  const stamp = (i: number) => new Date(base + i * 61_000).toISOString().replace(/\.\d+Z$/, "Z");
  const planners = ["Marge Simpson <marge@example.com>", "Bjørn Ødegård <bjorn@example.com>"];
  const lines = [
    "%syntax-version=1.0.0",
    `%project=${project}`,
    `%uri=https://example.com/${project}/`,
    "",
  ];
  let lastTag: string | undefined;
  let lastTagged: string | undefined;
  let previous: string | undefined;
  for (let i = 1; i <= count; i++) {
    // Every 500th change after the first tag reworks the change carrying the last tag.
    const rework = lastTag !== undefined && lastTagged !== undefined && i % 500 === 0;
    const name = rework ? lastTagged! : `change_${i}`;
    const deps: string[] = [];
    if (rework) deps.push(`${name}@${lastTag}`);
    else if (previous !== undefined) deps.push(previous);
    if (i % 7 === 0) deps.push("!legacy:old_thing");
    if (i % 11 === 0) deps.push("other:thing");
    const depText = deps.length ? `[${deps.join(" ")}] ` : "";
    lines.push(
      `${name} ${depText}${stamp(i)} ${planners[i % 2]} # Change number ${i}: adds table t${i}.`,
    );
    previous = name;
    if (i % tagEvery === 0) {
      lastTag = `v${i / tagEvery}.0`;
      lastTagged = name;
      lines.push(`@${lastTag} ${stamp(i)} ${planners[0]} # Release ${lastTag}.`, "");
    }
  }
  return lines.join("\n") + "\n";
}

if (import.meta.main) {
  const [changes, tagEvery] = Deno.args.map(Number);
  Deno.stdout.writeSync(
    new TextEncoder().encode(
      generatePlan({ changes: changes || undefined, tagEvery: tagEvery || undefined }),
    ),
  );
}
