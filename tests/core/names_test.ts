import { equal } from "node:assert/strict";
import { isValidName } from "../../core/names.ts";

const VALID = [
  "a/b",
  "a.b",
  "a-b_c",
  "a^b",
  "a~b",
  "a[b",
  "a]b",
  "a%1x",
  "ab1",
  "a-1",
  "a.1",
  "1",
  "_a",
  "a_",
  "this/rocks",
  "hey-there",
  "v1.2+1",
  "ünï",
  "阱阪阬92",
  "a/1b",
  "flipr",
];
const INVALID = [
  "-a",
  "a:",
  "a^1",
  "a/1",
  "a€",
  "foo@bar",
  "foo:bar",
  "foo\\bar",
  "%hi",
  "hi!",
  "+foo",
  "a b",
  "x~12",
  "foo^2",
  "",
  "a#b",
  "a\tb",
];

Deno.test("names valid under Sqitch 1.3.1's rule", () => {
  for (const name of VALID) equal(isValidName(name), true, name);
});

Deno.test("names invalid under Sqitch 1.3.1's rule", () => {
  for (const name of INVALID) equal(isValidName(name), false, name);
});
