/** Tests for the merged key/value store and its rendering (config.md §1, §4.2). */
import assert from "node:assert/strict";
import { ConfigData, dumpEntries, filterValues, formatEntry } from "../../../core/config/data.ts";

Deno.test("define: values accumulate within a file, replace across files", () => {
  const d = new ConfigData();
  d.define("p", "m", "s1", "/sys");
  d.define("p", "m", "u1", "/user");
  d.define("p", "M", "u2", "/user");
  assert.deepEqual(d.values("p.m"), ["u1", "u2"]);
  assert.equal(d.isMultiple("p.m"), true);
  assert.equal(d.entry("p.m")!.origin, "/user");
  assert.equal(d.entry("p.m")!.spelling, "p.m");
  d.define("p", "M", "l1", "/local");
  assert.deepEqual(d.values("p.m"), ["l1"]);
  assert.equal(d.isMultiple("p.m"), false);
  assert.equal(d.entry("p.m")!.spelling, "p.M");
});

Deno.test("define: keys pre-marked multiple stay lists", () => {
  const d = new ConfigData();
  d.setMultiple("include.path");
  d.define("include", "path", "a.conf", "/f");
  assert.deepEqual(d.entry("include.path")!.values, ["a.conf"]);
  assert.equal(d.entry("include.path")!.multiple, true);
});

Deno.test("entries are sorted by code point", () => {
  const d = new ConfigData();
  for (const k of ["b", "a", "Z", "ä", "a.b"]) d.define("s", k, "1", "/f");
  assert.deepEqual(d.entries().map((e) => e.key), ["s.a", "s.a.b", "s.b", "s.z", "s.ä"]);
  assert.equal(d.size, 5);
});

Deno.test("filterValues: read semantics", () => {
  const values = ["Foo", "bar", null];
  assert.deepEqual(filterValues(values), values);
  assert.deepEqual(filterValues(values, ""), values);
  assert.deepEqual(filterValues(values, "^foo"), ["Foo"]);
  assert.deepEqual(filterValues(values, "!^foo"), ["bar", null]);
  assert.deepEqual(filterValues(values, "!"), []);
  assert.deepEqual(filterValues(["a\n"], "a$"), ["a\n"]);
  assert.deepEqual(filterValues(["xa"], "\\Aa"), []);
});

Deno.test("filterValues: invalid regex is a SqlitchError", () => {
  assert.throws(() => filterValues(["a"], "("), /Invalid regular expression "\("/);
});

Deno.test("matching: key regex over canonical keys, values filtered", () => {
  const d = new ConfigData();
  d.define("core", "engine", "pg", "/f");
  d.define("core.fuzzle", "clack", "foo", "/f");
  d.define("core.fuzzle", "clack", "bar", "/f");
  d.define("engine.pg", "target", "db:pg:", "/f");
  assert.deepEqual(d.matching("CORE").map((e) => e.key), ["core.engine", "core.fuzzle.clack"]);
  assert.deepEqual(d.matching("").length, 3);
  const m = d.matching("clack", "^b");
  assert.deepEqual(m.map((e) => [e.key, e.values, e.multiple]), [
    ["core.fuzzle.clack", ["bar"], true],
  ]);
});

Deno.test("formatEntry and dumpEntries (§4.2 example)", () => {
  assert.equal(formatEntry("a.b", ["v"], false), "a.b=v");
  assert.equal(formatEntry("a.b", [null], false), "a.b");
  assert.equal(formatEntry("a.b", [""], false), "a.b=");
  assert.equal(formatEntry("a.b", ["x", "y", null], true), "a.b=[x, y, ]");
  assert.equal(formatEntry("include.path", ["inc.conf"], true), "include.path=[inc.conf]");
  const d = new ConfigData();
  d.define("core", "engine", "pg", "/f");
  for (const v of ["foo", "bar", "barzle"]) d.define("core.fuzzle", "clack", v, "/f");
  d.define("foo", "nl", "a\nb", "/f");
  d.define("a", "novalue", null, "/f");
  assert.equal(
    dumpEntries(d.entries()),
    "a.novalue\ncore.engine=pg\ncore.fuzzle.clack=[foo, bar, barzle]\nfoo.nl=a\nb\n",
  );
  assert.equal(dumpEntries([]), "");
});

Deno.test("value regexes: Perl anchors and classes", () => {
  assert.deepEqual(filterValues(["a]", "b", "x$"], "^[]a]"), ["a]"]);
  assert.deepEqual(filterValues(["a]", "b"], "^[^]a]$"), ["b"]);
  assert.deepEqual(filterValues(["x$", "x"], "x\\$"), ["x$"]);
  assert.deepEqual(filterValues(["ab", "ba"], "\\Ab"), ["ba"]);
  assert.deepEqual(filterValues(["ab\n", "ab"], "b\\z"), ["ab"]);
  assert.deepEqual(filterValues(["ab\n", "ab"], "b\\Z"), ["ab\n", "ab"]);
  assert.deepEqual(filterValues(["A$B"], "[$]"), ["A$B"]);
});
