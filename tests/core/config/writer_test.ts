/** Tests for reading and writing config files (config.md §3 write procedure). */
import assert from "node:assert/strict";
import {
  editConfigFile,
  readConfigDocument,
  writeConfigText,
} from "../../../core/config/writer.ts";
import { SqlitchError } from "../../../core/errors.ts";
import { denoFileSystem } from "../../../io/deno_host.ts";
import { FakeFs } from "./fake_fs.ts";

const REF = { path: "sqitch.conf", absolute: "/proj/sqitch.conf" };

Deno.test("edit: read, change, write back through the lock", () => {
  const fs = new FakeFs({ "/proj/sqitch.conf": "[core]\r\n\tengine = pg\r\n" });
  editConfigFile(fs, REF, (doc) => doc.set("core.engine", "sqlite"));
  assert.equal(fs.text("/proj/sqitch.conf"), "[core]\r\n\tengine = sqlite\r\n");
  assert.deepEqual(fs.writes, ["/proj/sqitch.conf.lock"]);
  assert.equal(fs.text("/proj/sqitch.conf.lock"), undefined);
});

Deno.test("edit: nothing written when nothing changed", () => {
  const fs = new FakeFs();
  fs.mkdirp("/proj");
  editConfigFile(fs, REF, (doc) => doc.removeSection("core"));
  assert.deepEqual(fs.writes, []);
  assert.equal(fs.text("/proj/sqitch.conf"), undefined);
});

Deno.test("edit: errors leave the file untouched", () => {
  const fs = new FakeFs({ "/proj/sqitch.conf": "[a]\n" });
  assert.throws(() => editConfigFile(fs, REF, (doc) => doc.unset("a.b")), SqlitchError);
  assert.deepEqual(fs.writes, []);
});

Deno.test("an existing lock file is an error", () => {
  const fs = new FakeFs({ "/proj/sqitch.conf": "[a]\n", "/proj/sqitch.conf.lock": "" });
  assert.throws(
    () => editConfigFile(fs, REF, (doc) => doc.set("a.b", "c")),
    (e: unknown) =>
      e instanceof SqlitchError &&
      e.message === "Can't open sqitch.conf.lock for writing: File exists" &&
      e.trailingBlankLine && e.exitCode === 2,
  );
  assert.equal(fs.text("/proj/sqitch.conf"), "[a]\n");
});

Deno.test("the parent directory is created when missing (unless disabled)", () => {
  const fs = new FakeFs();
  const user = { path: "/home/u/.sqitch/sqitch.conf", absolute: "/home/u/.sqitch/sqitch.conf" };
  editConfigFile(fs, user, (doc) => doc.set("user.name", "Joe"));
  assert.equal(fs.text(user.absolute), "[user]\n\tname = Joe\n");
  const other = { path: "x/y.conf", absolute: "/proj/x/y.conf" };
  assert.throws(
    () => writeConfigText(fs, other, "[a]\n", { createParentDir: false }),
    (e: unknown) =>
      e instanceof SqlitchError &&
      e.message === "Can't open x/y.conf.lock for writing: No such file or directory",
  );
});

Deno.test("symlinks are followed (up to 5) and the target written", () => {
  const fs = new FakeFs({ "/shared/real.conf": "[a]\n\tb = 1\n" });
  fs.symlink("/proj/sqitch.conf", "../shared/link2.conf");
  fs.symlink("/shared/link2.conf", "real.conf");
  const doc = readConfigDocument(fs, REF);
  assert.equal(doc.text, "[a]\n\tb = 1\n");
  doc.set("a.b", "2");
  writeConfigText(fs, REF, doc.toString());
  assert.equal(fs.text("/shared/real.conf"), "[a]\n\tb = 2\n");
  assert.equal(fs.links.get("/proj/sqitch.conf"), "../shared/link2.conf");
});

Deno.test("lock errors name the resolved symlink target", () => {
  const fs = new FakeFs({ "/shared/real.conf": "", "/shared/real.conf.lock": "" });
  fs.symlink("/proj/sqitch.conf", "/shared/real.conf");
  assert.throws(
    () => writeConfigText(fs, REF, "x\n"),
    /^SqlitchError: Can't open \/shared\/real.conf.lock for writing: File exists$/,
  );
});

Deno.test("rename failures remove the lock", () => {
  const fs = new FakeFs({ "/proj/sqitch.conf": "" });
  fs.rename = () => {
    throw new Error("Permission denied (os error 13)");
  };
  assert.throws(
    () => writeConfigText(fs, REF, "x\n"),
    (e: unknown) =>
      e instanceof SqlitchError &&
      e.message === "Can't rename sqitch.conf.lock to sqitch.conf: Permission denied",
  );
  assert.equal(fs.text("/proj/sqitch.conf.lock"), undefined);
});

Deno.test("real file system: lock, rename, symlink, missing directory", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const fs = denoFileSystem;
    Deno.writeTextFileSync(`${dir}/real.conf`, "[a]\r\n\tb = 1\r\n");
    Deno.symlinkSync("real.conf", `${dir}/sqitch.conf`);
    const ref = { path: "sqitch.conf", absolute: `${dir}/sqitch.conf` };
    editConfigFile(fs, ref, (doc) => doc.add("a.b", "2"));
    assert.equal(Deno.readTextFileSync(`${dir}/real.conf`), "[a]\r\n\tb = 1\r\n\tb = 2\r\n");
    assert.ok(Deno.lstatSync(`${dir}/sqitch.conf`).isSymlink);
    Deno.writeTextFileSync(`${dir}/real.conf.lock`, "");
    assert.throws(
      () => editConfigFile(fs, ref, (doc) => doc.add("a.b", "3")),
      new RegExp(`Can't open ${dir}/real.conf.lock for writing: File exists$`),
    );
    const nested = { path: "n/x.conf", absolute: `${dir}/n/x.conf` };
    assert.throws(
      () => writeConfigText(fs, nested, "", { createParentDir: false }),
      /^SqlitchError: Can't open n\/x.conf.lock for writing: No such file or directory$/,
    );
    writeConfigText(fs, nested, "[x]\n");
    assert.equal(Deno.readTextFileSync(`${dir}/n/x.conf`), "[x]\n");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
