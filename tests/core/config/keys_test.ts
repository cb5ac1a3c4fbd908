/** Tests for key splitting, canonical keys and name validation (config.md §2.3, §3.1). */
import assert from "node:assert/strict";
import {
  canonicalKey,
  isInvalidSectionName,
  isInvalidVariableName,
  removeBalancedQuotes,
  sectionKey,
  splitKey,
} from "../../../core/config/keys.ts";
import { SqlitchError } from "../../../core/errors.ts";

Deno.test("splitKey: last dot for the name, first dot for the section", () => {
  assert.deepEqual(splitKey("core.engine"), {
    section: "core",
    subsection: undefined,
    name: "engine",
  });
  assert.deepEqual(splitKey("a.b.c.d"), { section: "a", subsection: "b.c", name: "d" });
  assert.deepEqual(splitKey("target.dev.variables.v1"), {
    section: "target",
    subsection: "dev.variables",
    name: "v1",
  });
  assert.deepEqual(splitKey("Sub.Sec.Key"), { section: "Sub", subsection: "Sec", name: "Key" });
  assert.deepEqual(splitKey('sec.sub"q.key'), {
    section: "sec",
    subsection: 'sub"q',
    name: "key",
  });
  assert.deepEqual(splitKey("a..b"), { section: "a", subsection: "", name: "b" });
});

Deno.test("splitKey: quoting", () => {
  assert.deepEqual(splitKey('a."b.c"'), { section: "a", subsection: undefined, name: "b.c" });
  assert.deepEqual(splitKey("a.'b.c'"), { section: "a", subsection: undefined, name: "b.c" });
  assert.deepEqual(splitKey('a."b".c'), { section: "a", subsection: "b", name: "c" });
  assert.deepEqual(splitKey('a.b"x".c'), { section: "a", subsection: "bx", name: "c" });
  assert.deepEqual(splitKey('a."b'), { section: "a", subsection: undefined, name: '"b' });
  assert.deepEqual(splitKey("a.bc\n"), { section: "a", subsection: undefined, name: "bc" });
});

Deno.test("splitKey: no section", () => {
  assert.equal(splitKey("foo"), undefined);
  assert.equal(splitKey(".a.b"), undefined);
  assert.equal(splitKey(".a"), undefined);
  assert.equal(splitKey("a.b\nc"), undefined);
  assert.deepEqual(splitKey("a."), { section: "a", subsection: undefined, name: "" });
});

Deno.test("removeBalancedQuotes", () => {
  assert.equal(removeBalancedQuotes('target."a.b"'), "target.a.b");
  assert.equal(removeBalancedQuotes('New.Sub "x"'), "New.Sub x");
  assert.equal(removeBalancedQuotes("'q'.x"), "q.x");
  assert.equal(removeBalancedQuotes('"x'), '"x');
});

Deno.test("canonicalKey: lowercase section and name, subsection as written", () => {
  assert.equal(canonicalKey("Sub.Sec.Key"), "sub.Sec.key");
  assert.equal(canonicalKey("SUB.Sec.KEY"), "sub.Sec.key");
  assert.equal(canonicalKey("CORE.Engine"), "core.engine");
  assert.equal(canonicalKey("Ünï.Ä"), "ünï.ä");
  assert.equal(canonicalKey("core.variables.MyVar"), "core.variables.myvar");
});

Deno.test("canonicalKey: no section given", () => {
  for (const key of ["foo", "0.x", ".a.b"]) {
    assert.throws(
      () => canonicalKey(key),
      (e: unknown) =>
        e instanceof SqlitchError && e.message === `No section given in key: ${key}` &&
        e.trailingBlankLine && e.exitCode === 2,
    );
  }
});

Deno.test("sectionKey: first part lowercased", () => {
  assert.equal(sectionKey("core.variables"), "core.variables");
  assert.equal(sectionKey("Target.Prod"), "target.Prod");
  assert.equal(sectionKey("engine.pg.variables"), "engine.pg.variables");
  assert.equal(sectionKey("CORE"), "core");
});

Deno.test("variable name validation (§3.1)", () => {
  for (const bad of ["", "[b", "a=b", " x", "\tx", "x ", "x\t", "b+", "a\nb"]) {
    assert.ok(isInvalidVariableName(bad), JSON.stringify(bad));
  }
  for (const good of ["x", 'b"c', "x y", "b]", "a+b", "ünï", "MyVar"]) {
    assert.ok(!isInvalidVariableName(good), JSON.stringify(good));
  }
});

Deno.test("section name validation (§3.1)", () => {
  for (const bad of ["a b", "a\tb", "a[", "a]", 'a"', "a\u00a0b", " a"]) {
    assert.ok(isInvalidSectionName(bad), JSON.stringify(bad));
  }
  for (const good of ["a", "Sub", "a-b", "a_b", "ünï", "a+b"]) {
    assert.ok(!isInvalidSectionName(good), JSON.stringify(good));
  }
});
