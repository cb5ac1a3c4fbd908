/**
 * Property test of change and tag IDs against real Sqitch: 30 random valid
 * plans (seeded; unicode notes and planners, URIs, reworks, tags,
 * cross-project dependencies, odd spacing, CRLF) are written to temporary
 * Sqitch projects; `sqitch plan --format '%H %n'` must print our change
 * IDs, and Sqitch's Plan API must give our tag IDs, rework tags and
 * written-back lines. Without Sqitch the test is skipped with a banner
 * (it fails when CI is set). PLAN_PROPERTY_SEED picks another seed.
 */
import assert from "node:assert/strict";
import { formatPlan, parsePlan } from "../../../core/plan/mod.ts";
import { randomPlan, Rng } from "./gen.ts";
import { oracleAvailability, runOracle } from "./sqitch_oracle.ts";

const SEED = Number(Deno.env.get("PLAN_PROPERTY_SEED") ?? 1_3_1);
const PLANS = 30;

/** Run `sqitch plan` in a fresh project holding `text`; returns "id name" lines. */
async function sqitchPlanIds(root: string, i: number, text: string): Promise<string[]> {
  const dir = `${root}/p${i}`;
  await Deno.mkdir(`${dir}/home`, { recursive: true });
  await Deno.writeTextFile(`${dir}/sqitch.conf`, "[core]\n\tengine = sqlite\n");
  await Deno.writeTextFile(`${dir}/sqitch.plan`, text);
  const out = await new Deno.Command("sqitch", {
    args: ["plan", "--no-headers", "--format", "format:%H %n"],
    cwd: dir,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: `${dir}/home`,
      TZ: "UTC",
      LANG: "C.UTF-8",
      LC_ALL: "C.UTF-8",
      ...(Deno.env.get("PERL5LIB") ? { PERL5LIB: Deno.env.get("PERL5LIB")! } : {}),
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `sqitch plan failed for plan ${i} (seed ${SEED}): ${stderr}`);
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "");
}

Deno.test({
  name: `ids property: ${PLANS} random plans get Sqitch's change and tag IDs (seed ${SEED})`,
  ignore: oracleAvailability().status === "skip",
  fn: async () => {
    const availability = oracleAvailability();
    if (availability.status === "fail") throw new Error(availability.reason);
    const rng = new Rng(SEED);
    const texts = Array.from({ length: PLANS }, () => randomPlan(rng));
    const ours = texts.map((text) => parsePlan(text, "sqitch.plan"));

    // Sqitch's Plan API: tag IDs, rework tags and the written-back text.
    const oracle = await runOracle(texts.map((text) => ({ file: "sqitch.plan", text })));
    oracle.forEach((r, i) => {
      const where = `plan ${i} (seed ${SEED}):\n${texts[i]}`;
      assert.ok(r.ok, `Sqitch rejected ${where}\n${!r.ok && r.error}`);
      if (!r.ok) return;
      const plan = ours[i];
      assert.deepEqual(
        plan.changes.map((c) => ({
          id: c.id,
          name: c.name,
          rework_tags: c.reworkTags.map((t) => t.name),
          tags: c.tags.map((t) => ({ id: t.id, name: t.name })),
        })),
        r.changes.map((c) => ({
          id: c.id,
          name: c.name,
          rework_tags: c.rework_tags,
          tags: c.tags.map((t) => ({ id: t.id, name: t.name })),
        })),
        where,
      );
      assert.equal(formatPlan(plan), r.text, where);
    });

    // The command line: `sqitch plan --format '%H %n'` in a project per plan.
    const root = await Deno.makeTempDir({ prefix: "sqlitch-ids-property-" });
    try {
      for (let start = 0; start < PLANS; start += 6) {
        const batch = texts.slice(start, start + 6);
        const outputs = await Promise.all(
          batch.map((text, k) => sqitchPlanIds(root, start + k, text)),
        );
        outputs.forEach((lines, k) => {
          const plan = ours[start + k];
          assert.deepEqual(
            lines,
            plan.changes.map((c) => `${c.id} ${c.name}`),
            `plan ${start + k} (seed ${SEED})`,
          );
        });
      }
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
