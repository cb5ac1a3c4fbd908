/** Unit tests of the script-directory rules (core/script_dirs.ts). */
import assert from "node:assert/strict";
import {
  makeDirectories,
  scriptDirectories,
  type TargetDirectories,
} from "../../core/script_dirs.ts";
import { Output } from "../../core/output.ts";
import { denoHost } from "../../io/deno_host.ts";

const TARGET: TargetDirectories = {
  deployDir: "deploy",
  revertDir: "revert",
  verifyDir: "verify",
  reworkedDeployDir: "deploy",
  reworkedRevertDir: "revert",
  reworkedVerifyDir: "verify",
};

Deno.test("scriptDirectories: the target's directories, de-duplicated", () => {
  assert.deepEqual(scriptDirectories({}, [TARGET]), ["deploy", "revert", "verify"]);
  assert.deepEqual(
    scriptDirectories({}, [TARGET, { ...TARGET, deployDir: "x/deploy" }]),
    ["deploy", "revert", "verify", "x/deploy"],
  );
});

Deno.test("scriptDirectories: --dir values win over the target's", () => {
  assert.deepEqual(
    scriptDirectories({ deploy_dir: "d", reworked_verify_dir: "rv" }, [TARGET]),
    ["d", "revert", "verify", "deploy", "rv"],
  );
  assert.deepEqual(
    scriptDirectories({ reworked_dir: "old" }, [TARGET]),
    ["deploy", "revert", "verify", "old/deploy", "old/revert", "old/verify"],
  );
});

Deno.test("scriptDirectories: --top-dir ignores per-type script --dir values (Sqitch 1.3.1)", () => {
  assert.deepEqual(
    scriptDirectories({ top_dir: "top", deploy_dir: "top/d", reworked_revert_dir: "rr" }, [TARGET]),
    ["top/deploy", "top/revert", "top/verify", "rr"],
  );
  assert.deepEqual(
    scriptDirectories({ top_dir: ".", reworked_dir: "rw" }, [TARGET]),
    ["deploy", "revert", "verify", "rw/deploy", "rw/revert", "rw/verify"],
  );
});

Deno.test("makeDirectories: Created lines, existing skipped, first failure reported", () => {
  const root = Deno.makeTempDirSync();
  try {
    const lines: string[] = [];
    const out = new Output({ write: (t) => lines.push(t) }, { write: () => {} }, 1);
    const fs = denoHost().fs;
    Deno.writeTextFileSync(`${root}/afile`, "x");
    makeDirectories(fs, out, [`${root}/a/b`, `${root}/a`, `${root}/c`], "target");
    assert.deepEqual(lines, [`Created ${root}/a/b/\n`, `Created ${root}/c/\n`]);
    assert.throws(
      () => makeDirectories(fs, out, [`${root}/afile/sub/x`], "target"),
      { message: `Error creating ${root}/afile: File exists` },
    );
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
