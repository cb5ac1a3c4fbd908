import assert from "node:assert/strict";
import { canonpath, dirPath, filePath, joinClean } from "../../core/perlpath.ts";

// Expected values produced by Perl's Path::Class (dir(), file(), ->subdir->cleanup, ->file->cleanup).
const ROWS: [input: string, dir: string, file: string, deploy: string, plan: string][] = [
  ["./foo", "foo", "./foo", "foo/deploy", "foo/sqitch.plan"],
  ["foo/", "foo", "foo/", "foo/deploy", "foo/sqitch.plan"],
  ["foo//bar", "foo/bar", "foo/bar", "foo/bar/deploy", "foo/bar/sqitch.plan"],
  ["./", ".", "./", "deploy", "sqitch.plan"],
  [".", ".", ".", "deploy", "sqitch.plan"],
  ["/", "/", "/", "/deploy", "/sqitch.plan"],
  ["a/./b", "a/b", "a/b", "a/b/deploy", "a/b/sqitch.plan"],
  ["a/../b", "a/../b", "a/../b", "a/../b/deploy", "a/../b/sqitch.plan"],
  ["../x", "../x", "../x", "../x/deploy", "../x/sqitch.plan"],
  [".//x/", "x", "x/", "x/deploy", "x/sqitch.plan"],
  ["/./a", "/a", "/a", "/a/deploy", "/a/sqitch.plan"],
  ["//a", "/a", "/a", "/a/deploy", "/a/sqitch.plan"],
  ["x/.", "x", "x/", "x/deploy", "x/sqitch.plan"],
  ["/../x", "/x", "/x", "/x/deploy", "/x/sqitch.plan"],
  ["sqitch.plan", "sqitch.plan", "sqitch.plan", "sqitch.plan/deploy", "sqitch.plan/sqitch.plan"],
  ["./dir//x.plan", "dir/x.plan", "dir/x.plan", "dir/x.plan/deploy", "dir/x.plan/sqitch.plan"],
];

Deno.test("perlpath: dir(), file() and joined defaults as Path::Class prints them", () => {
  for (const [input, dir, file, deploy, plan] of ROWS) {
    assert.equal(dirPath(input), dir, `dir(${input})`);
    assert.equal(filePath(input), file, `file(${input})`);
    assert.equal(joinClean(dirPath(input), "deploy"), deploy, `subdir(${input})`);
    assert.equal(joinClean(dirPath(input), "sqitch.plan"), plan, `plan(${input})`);
  }
});

Deno.test("perlpath: canonpath", () => {
  assert.equal(canonpath("./sqitch.plan"), "sqitch.plan");
  assert.equal(canonpath("a//b/"), "a/b");
  assert.equal(canonpath("./"), ".");
  assert.equal(canonpath(".//"), ".");
  assert.equal(canonpath("/.."), "/");
  assert.equal(canonpath("a/./././b"), "a/b");
});
