/**
 * Differential test against real Sqitch: 1 200 mutated and made-up plans
 * are loaded by Sqitch 1.3.1's App::Sqitch::Plan and by sqlitch; the error
 * message, or the change and tag IDs, rework tags and written-back lines,
 * must be identical. Skipped with a banner without Sqitch (fails under CI).
 */
import assert from "node:assert/strict";
import { chaosPlan, mutate, randomPlan, Rng } from "./gen.ts";
import { canonical, runLocal } from "./ops.ts";
import { oracleAvailability, type OracleCase, runOracle } from "./sqitch_oracle.ts";

Deno.test({
  name: "differential: 1 200 mutated plans load (or fail) exactly as in Sqitch",
  ignore: oracleAvailability().status === "skip",
  fn: async () => {
    const availability = oracleAvailability();
    if (availability.status === "fail") throw new Error(availability.reason);
    const rng = new Rng(42);
    const cases: OracleCase[] = [];
    for (let i = 0; i < 1200; i++) {
      const text = i % 3 === 2
        ? chaosPlan(rng)
        : mutate(randomPlan(rng, { maxChanges: 10 }), rng, rng.int(1, 5));
      cases.push({ file: "sqitch.plan", text });
    }
    const results = await runOracle(cases);
    let loaded = 0;
    cases.forEach((c, i) => {
      if (results[i].ok) loaded++;
      assert.deepEqual(canonical(runLocal(c)), canonical(results[i]), JSON.stringify(c.text));
    });
    assert.ok(loaded > 100, `only ${loaded} plans loaded`);
  },
});
