import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { getOptions } from "../../core/getopt.ts";

const CORE = [
  "chdir|cd|C=s",
  "etc-path",
  "no-pager",
  "quiet",
  "verbose|V|v+",
  "help",
  "man",
  "version",
];

Deno.test("core options are found anywhere and others pass through", () => {
  const r = getOptions(CORE, ["-vv", "plan", "--no-pager", "-f", "x", "--cd", "/tmp", "-V"], {
    passThrough: true,
  });
  assertEquals(r.options, { verbose: 3, no_pager: true, chdir: "/tmp" });
  assertEquals(r.args, ["plan", "-f", "x"]);
  assertEquals(r.errors, []);
});

Deno.test("pass-through keeps unknown bundles, ambiguous and failing options", () => {
  const r = getOptions(CORE, ["-vq", "-qv", "--ver", "--zzz=1", "-C"], { passThrough: true });
  assertEquals(r.options, { verbose: 1 });
  assertEquals(r.args, ["-q", "-qv", "--ver", "--zzz=1", "-C"]);
});

Deno.test("pass-through stops at -- and keeps it", () => {
  const r = getOptions(CORE, ["config", "--", "--quiet"], { passThrough: true });
  assertEquals(r.args, ["config", "--", "--quiet"]);
  assertEquals(r.options, {});
});

Deno.test("long options: abbreviation, case, negation, =value", () => {
  const specs = ["show-changes", "show-tags", "verify!", "plan-file|f=s", "max-count|n=i"];
  const r = getOptions(specs, ["--SHOW-C", "--no-verify", "--plan=x.plan", "--max", "3", "pos"]);
  assertEquals(r.options, { show_changes: true, verify: false, plan_file: "x.plan", max_count: 3 });
  assertEquals(r.args, ["pos"]);
  assertEquals(getOptions(specs, ["--noverify"]).options, { verify: false });
  assertEquals(getOptions(specs, ["--show"]).errors, [
    "Option show is ambiguous (show-changes, show-tags)",
  ]);
});

Deno.test("short options: bundles, attached and detached values", () => {
  const specs = ["note|n=s@", "verbose|v+", "all|a", "port|p=i"];
  assertEquals(getOptions(specs, ["-nshort", "-n", "-dashnote", "-n=foo"]).options, {
    note: ["short", "-dashnote", "=foo"],
  });
  assertEquals(getOptions(specs, ["-vav"]).options, { verbose: 2, all: true });
  assertEquals(getOptions(specs, ["-p2v"]).options, { port: 2, verbose: 1 });
  assertEquals(getOptions(specs, ["-p=2"]).errors, [
    'Value "=2" invalid for option p (number expected)',
  ]);
  assertEquals(getOptions(specs, ["-p", "abc"]).errors, [
    'Value "abc" invalid for option p (number expected)',
  ]);
});

Deno.test("errors: unknown, missing argument, hash without value, flag with value", () => {
  const specs = ["note|n=s", "set|s=s%", "log-only"];
  assertEquals(getOptions(specs, ["-q"]).errors, ["Unknown option: q"]);
  assertEquals(getOptions(specs, ["--ZZZ"]).errors, ["Unknown option: zzz"]);
  assertEquals(getOptions(specs, ["-n"]).errors, ["Option n requires an argument"]);
  assertEquals(getOptions(specs, ["--note="]).errors, ["Option note requires an argument"]);
  assertEquals(getOptions(specs, ["-s", "novalue"]).errors, [
    'Option s, key "novalue", requires a value',
  ]);
  assertEquals(getOptions(specs, ["--log-only=1"]).errors, [
    "Option log-only does not take an argument",
  ]);
});

Deno.test("hash options: value after the first =, repeated key overwrites, pair lists", () => {
  const specs = ["set|s=s%"];
  assertEquals(getOptions(specs, ["-s", "eq=a=b", "-s", "x=", "-s", "eq=c"]).options, {
    set: { eq: "c", x: "" },
  });
  assertEquals(
    getOptions(specs, ["-s", "c=1", "-s", "c=2"], { pairLists: ["set"] }).options,
    { set: [["c", "1"], ["c", "2"]] },
  );
});

Deno.test("-- ends option processing", () => {
  const r = getOptions(["get"], ["--", "--get", "x"]);
  assertEquals(r.args, ["--get", "x"]);
  assertEquals(r.options, {});
});
