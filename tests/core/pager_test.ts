import { equal } from "node:assert/strict";
import { pagerCommand, pagerProgram } from "../../core/pager.ts";
import { FakeFs } from "./config/fake_fs.ts";

Deno.test("pagerProgram: SQITCH_PAGER, core.pager, PAGER, Perl truthiness", () => {
  equal(pagerProgram({ SQITCH_PAGER: "a", PAGER: "c" }, "b"), "a");
  equal(pagerProgram({ SQLITCH_PAGER: "z", SQITCH_PAGER: "a" }, "b"), "z");
  equal(pagerProgram({ SQITCH_PAGER: "0", PAGER: "c" }, "b"), "b");
  equal(pagerProgram({ PAGER: "c" }, ""), "c");
  equal(pagerProgram({ PAGER: "0" }, undefined), undefined);
});

Deno.test("pagerCommand: IO::Pager's choice", () => {
  const fs = new FakeFs({ "/bin/most": "", "/usr/bin/more": "", "/opt/mypager": "" });
  const env = { PATH: "/usr/local/bin:/bin" };
  // The wanted program, found on PATH or by path, keeps its arguments.
  equal(
    pagerCommand({ env: { ...env, PAGER: "most -s" }, fs, configured: undefined }),
    "/bin/most -s",
  );
  equal(pagerCommand({ env, fs, configured: "/opt/mypager --x" }), "/opt/mypager --x");
  // Missing: the usual suspects, then PATH, then "more".
  equal(
    pagerCommand({ env: { ...env, PAGER: "nosuch -R" }, fs, configured: undefined }),
    "/usr/bin/more",
  );
  const bare = new FakeFs({ "/bin/most": "" });
  equal(pagerCommand({ env, fs: bare, configured: undefined }), "/bin/most");
  equal(pagerCommand({ env, fs: new FakeFs(), configured: undefined }), "more");
});
