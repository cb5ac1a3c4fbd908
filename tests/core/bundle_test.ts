/**
 * core/bundle.ts on an in-memory file system: where a target's files go
 * in the bundle, the copy-when-newer rule, range selection and its errors,
 * and the messages of a whole run.
 */
import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import {
  bundle,
  type BundleEnv,
  type BundleTarget,
  changesInRange,
  copyIfModified,
  destDirsFor,
  relativeDir,
} from "../../core/bundle.ts";
import type { PathInfo } from "../../core/host.ts";
import { parsePlan } from "../../core/plan/parser.ts";
import type { Plan } from "../../core/plan/plan.ts";
import { FakeFs } from "./config/fake_fs.ts";

const CWD = "/p";

/** FakeFs with relative paths taken from /p and a modification clock. */
class ClockFs extends FakeFs {
  now = 1000;
  readonly mtimes = new Map<string, number>();

  #abs(path: string): string {
    return path.startsWith("/") ? path : `${CWD}/${path}`;
  }
  override put(path: string, text: string): this {
    super.put(this.#abs(path), text);
    this.mtimes.set(this.#abs(path), this.now);
    return this;
  }
  override readText(path: string): string | undefined {
    return super.readText(this.#abs(path));
  }
  override writeText(path: string, text: string): void {
    super.writeText(this.#abs(path), text);
    this.mtimes.set(this.#abs(path), this.now);
  }
  override stat(path: string): PathInfo | undefined {
    const info = super.stat(this.#abs(path));
    return info && { ...info, mtime: this.mtimes.get(this.#abs(path)) };
  }
  override mkdirp(path: string): void {
    super.mkdirp(this.#abs(path));
  }
}

/** A BundleEnv on `fs` recording every message. */
function envOn(fs: ClockFs): BundleEnv & { lines: string[] } {
  const lines: string[] = [];
  return {
    fs,
    cwd: CWD,
    lines,
    log: {
      info: (...p) => lines.push(p.join("")),
      debug: (...p) => lines.push(`debug: ${p.join("")}`),
      warn: (...p) => lines.push(`warning: ${p.join("")}`),
    },
    makePath: (dir) => fs.mkdirp(dir),
  };
}

const PLAN_TEXT = "%syntax-version=1.0.0\n%project=flipr\n\n" +
  "users 2026-01-01T00:00:00Z Ann <ann@example.com> # Users v1.\n" +
  "@v1.0 2026-01-01T00:00:01Z Ann <ann@example.com>\n" +
  "flips 2026-01-01T00:00:02Z Ann <ann@example.com> # Flips.\n" +
  "users [users@v1.0] 2026-01-01T00:00:03Z Ann <ann@example.com> # Users v2.\n";

/** A target with Sqitch's default layout under `top`. */
function target(top = "."): BundleTarget {
  const at = (d: string) => top === "." ? d : `${top}/${d}`;
  return {
    name: "db:sqlite:flipr.db",
    topDir: top,
    planFile: at("sqitch.plan"),
    extension: "sql",
    deployDir: at("deploy"),
    revertDir: at("revert"),
    verifyDir: at("verify"),
    reworkedDeployDir: at("deploy"),
    reworkedRevertDir: at("revert"),
    reworkedVerifyDir: at("verify"),
  };
}

function plan(): Plan {
  return parsePlan(PLAN_TEXT, "sqitch.plan");
}

Deno.test("relativeDir: relative paths cleaned, absolute ones made relative to the cwd", () => {
  assertEquals(relativeDir(".", CWD), ".");
  assertEquals(relativeDir("./db/", CWD), "db");
  assertEquals(relativeDir("../shared", CWD), "../shared");
  assertEquals(relativeDir("/p/db/deploy", CWD), "db/deploy");
  assertEquals(relativeDir("/p", CWD), ".");
  assertEquals(relativeDir("/elsewhere/x", CWD), "../elsewhere/x");
});

Deno.test("destDirsFor: the project's script directories under the destination", () => {
  const t = { ...target(), reworkedDeployDir: "/p/old/deploy" };
  assertEquals(destDirsFor("bundle", t, CWD), {
    plain: { deploy: "bundle/deploy", revert: "bundle/revert", verify: "bundle/verify" },
    reworked: { deploy: "bundle/old/deploy", revert: "bundle/revert", verify: "bundle/verify" },
  });
});

Deno.test("copyIfModified: copies when missing or older, skips when as new", () => {
  const fs = new ClockFs().put("a.sql", "v1");
  const env = envOn(fs);
  copyIfModified(env, "a.sql", "out/a.sql");
  assertEquals(fs.readText("out/a.sql"), "v1");
  assertEquals(env.lines, ["debug:     Copying a.sql -> out/a.sql"]);

  // Same second: up to date, even with other content.
  fs.put("a.sql", "v2");
  copyIfModified(env, "a.sql", "out/a.sql");
  assertEquals(fs.readText("out/a.sql"), "v1");

  fs.now++;
  fs.put("a.sql", "v3");
  copyIfModified(env, "a.sql", "out/a.sql");
  assertEquals(fs.readText("out/a.sql"), "v3");

  throws(() => copyIfModified(env, "nope.sql", "out/nope.sql"), {
    message: "Cannot copy nope.sql: does not exist",
  });
});

Deno.test("changesInRange: defaults, tags, offsets and errors", () => {
  const p = plan();
  const names = (from?: string, to?: string) =>
    changesInRange(p, from, to).map((c) => c.formatTagQualifiedName());
  assertEquals(names(), ["users@v1.0", "flips@HEAD", "users@HEAD"]);
  assertEquals(names("@v1.0"), ["users@v1.0", "flips@HEAD", "users@HEAD"]);
  assertEquals(names("flips", "HEAD^"), ["flips@HEAD"]);
  assertEquals(names("users@HEAD", "flips"), []);
  throws(() => names("nope"), { message: "Cannot find change nope" });
  throws(() => names(undefined, "nope"), { message: "Cannot find change nope" });
  throws(() => names("users"), /Change "users" is ambiguous/);
  const empty = parsePlan("%project=e\n\n", "e.plan");
  throws(() => changesInRange(empty), { message: "Cannot find change {change}" });
});

Deno.test("bundle: copies config, plan and the scripts that exist", () => {
  const fs = new ClockFs()
    .put("sqitch.conf", "[core]\n")
    .put("sqitch.plan", PLAN_TEXT)
    .put("deploy/users@v1.0.sql", "d1")
    .put("revert/users@v1.0.sql", "r1")
    .put("deploy/users.sql", "d2")
    .put("deploy/flips.sql", "df");
  const env = envOn(fs);
  bundle(env, {
    destDir: "bundle",
    configFile: "sqitch.conf",
    targets: [target()],
    planOf: plan,
  });
  assertEquals(env.lines.filter((l) => !l.startsWith("debug:")), [
    "Bundling into bundle",
    "Writing config",
    "Writing plan",
    "Writing scripts",
    "  + users @v1.0",
    "  + flips",
    "  + users",
  ]);
  assertEquals(fs.readText("bundle/sqitch.conf"), "[core]\n");
  assertEquals(fs.readText("bundle/sqitch.plan"), PLAN_TEXT);
  assertEquals(fs.readText("bundle/deploy/users@v1.0.sql"), "d1");
  assertEquals(fs.readText("bundle/revert/users@v1.0.sql"), "r1");
  assertEquals(fs.readText("bundle/deploy/users.sql"), "d2");
  assertEquals(fs.readText("bundle/deploy/flips.sql"), "df");
  assertEquals(fs.readText("bundle/verify/flips.sql"), undefined);
});

Deno.test("bundle: a range writes a trimmed plan under the top directory", () => {
  const fs = new ClockFs()
    .put("sqitch.conf", "")
    .put("db/sqitch.plan", PLAN_TEXT)
    .put("db/deploy/flips.sql", "df");
  const env = envOn(fs);
  const t = target("db");
  bundle(env, {
    destDir: "out",
    configFile: "sqitch.conf",
    targets: [t],
    planOf: plan,
    to: "flips",
  });
  assertEquals(env.lines.filter((l) => !l.startsWith("debug:")), [
    "Bundling into out",
    "Writing config",
    "Writing plan from @ROOT to flips",
    "Writing scripts",
    "  + users @v1.0",
    "  + flips",
  ]);
  assertEquals(
    fs.readText("out/db/sqitch.plan"),
    PLAN_TEXT.slice(0, PLAN_TEXT.indexOf("users [")),
  );
  assertEquals(fs.readText("out/db/deploy/flips.sql"), "df");
});

Deno.test("bundle: change arguments pair up per target; options and changes conflict", () => {
  const fs = new ClockFs().put("sqitch.conf", "").put("sqitch.plan", PLAN_TEXT);
  const env = envOn(fs);
  const other = { ...target(), name: "other" };
  bundle(env, {
    destDir: "b",
    configFile: "sqitch.conf",
    targets: [target(), other],
    planOf: plan,
    changes: ["flips", "flips", "@v1.0"],
  });
  assertEquals(env.lines.filter((l) => l.startsWith("Writing plan")), [
    "Writing plan from flips to flips",
    "Writing plan from @v1.0 to @HEAD",
  ]);

  const warned = envOn(fs);
  throws(
    () =>
      bundle(warned, {
        destDir: "b",
        configFile: "sqitch.conf",
        targets: [target(), other],
        planOf: plan,
        from: "flips",
        changes: ["flips"],
      }),
    { message: "Cannot specify both --from or --to and change arguments" },
  );
  assertEquals(warned.lines, [
    "warning: Use of --to or --from to bundle multiple targets is not recommended.\n" +
    "Pass them as arguments after each target argument, instead.",
  ]);
});

Deno.test("bundle: a range ending before a rework bundles the @tag scripts under the plain name", () => {
  const fs = new ClockFs()
    .put("sqitch.conf", "")
    .put("sqitch.plan", PLAN_TEXT)
    .put("deploy/users@v1.0.sql", "d1")
    .put("deploy/users.sql", "d2");
  bundle(envOn(fs), {
    destDir: "b",
    configFile: "sqitch.conf",
    targets: [target()],
    planOf: plan,
    from: "@ROOT",
    to: "flips",
  });
  assertEquals(fs.readText("b/deploy/users.sql"), "d1");
  assertEquals(fs.readText("b/deploy/users@v1.0.sql"), undefined);
});
