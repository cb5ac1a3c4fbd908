/**
 * Parity of `bundle` (cli.md §5.2) with real Sqitch 1.3.1: what it prints
 * (at every verbosity) and every file it copies or writes — config, plans
 * (whole, or trimmed to a range), scripts (reworked ones in their `@tag`
 * files) — for the default and configured destinations, ranges from
 * options and from change arguments, several targets and plans, missing
 * scripts and files, and its errors. Files are copied only when missing or
 * older than their source; a scenario pre-dates and post-dates bundle
 * files to show that.
 *
 * Also: the `compat = sqlitch` layout (sqlitch only: Sqitch runs the
 * equivalent classic project, as in compat_layout_test.ts), and round
 * trips — a bundle made by sqlitch deployed by both programs, and one made
 * by Sqitch deployed by both (databases compared by db_kit's dumps).
 *
 * Deliberate divergences (asserted with `expectSqlitch` / teardown checks):
 * a lone `--to` ends the range where it says (Sqitch 1.3.1, through 1.6,
 * takes it as the start: its `grep { $_ } from, to` drops the missing
 * `--from`); and when a range ends before a change is reworked, that
 * change's `name@tag` scripts are bundled as `name` scripts, where the
 * bundled plan looks for them (Sqitch's bundle then fails to deploy).
 */
import { registryTests } from "./db_kit.ts";
import { defaultSqlitchCmd, parityTests, type SandboxContext, type Scenario } from "./kit.ts";

const CONF = '[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:flipr.db\n';
const HEAD = "%syntax-version=1.0.0\n%project=flipr\n%uri=https://example.com/flipr\n\n";

/** users, flips, @v1.0, likes, users (reworked), @v2.0 @rc, comments, nada (no scripts). */
const PLAN = HEAD +
  "users 2026-01-01T00:00:00Z Ann <ann@example.com> # Users v1.\n" +
  "flips [users] 2026-01-01T00:00:01Z Ann <ann@example.com> # Flips.\n" +
  "@v1.0 2026-01-01T00:00:02Z Ann <ann@example.com> # Tag v1.0.\n" +
  "\n" +
  "likes [flips] 2026-01-01T00:00:03Z Ann <ann@example.com> # Likes.\n" +
  "users [users@v1.0] 2026-01-01T00:00:04Z Ann <ann@example.com> # Users v2.\n" +
  "@v2.0 2026-01-01T00:00:05Z Ann <ann@example.com> # Tag v2.0.\n" +
  "@rc 2026-01-01T00:00:06Z Ann <ann@example.com>\n" +
  "comments [likes] 2026-01-01T00:00:07Z Ann <ann@example.com> # Comments.\n" +
  "nada 2026-01-01T00:00:08Z Ann <ann@example.com> # No scripts at all.\n";

/** deploy/revert/verify scripts for `names` under `dir` (top of the layout). */
function scripts(dir: string, ...names: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  const at = dir === "" ? "" : `${dir}/`;
  for (const n of names) {
    const table = n.replace(/@.*/, "");
    files[`${at}deploy/${n}.sql`] = `-- deploy ${n}\nCREATE TABLE ${table}_${n.length} (id INT);\n`;
    files[`${at}revert/${n}.sql`] = `-- revert ${n}\nDROP TABLE ${table}_${n.length};\n`;
    files[`${at}verify/${n}.sql`] =
      `-- verify ${n}\nSELECT id FROM ${table}_${n.length} WHERE 0;\n`;
  }
  return files;
}

/** The scripts of PLAN under `dir`: likes has no verify, comments only a deploy script. */
function planScripts(dir = ""): Record<string, string> {
  const files = scripts(dir, "users@v1.0", "users", "flips", "likes", "comments");
  const at = dir === "" ? "" : `${dir}/`;
  delete files[`${at}verify/likes.sql`];
  delete files[`${at}revert/comments.sql`];
  delete files[`${at}verify/comments.sql`];
  return files;
}

const PROJECT = { "sqitch.conf": CONF, "sqitch.plan": PLAN, ...planScripts() };

/** A second plan for the `other` target. */
const OTHER_PLAN = "%syntax-version=1.0.0\n%project=other\n\n" +
  "alpha 2026-01-01T00:00:00Z Ann <ann@example.com> # Alpha.\n" +
  "beta [alpha] 2026-01-01T00:00:01Z Ann <ann@example.com> # Beta.\n" +
  "@o1 2026-01-01T00:00:02Z Ann <ann@example.com>\n" +
  "gamma 2026-01-01T00:00:03Z Ann <ann@example.com> # Gamma.\n";

/** Three targets: the default (sqlite), `other` (own plan file), pg (own top dir). */
const MULTI = {
  "sqitch.conf": CONF +
    '[target "other"]\n\turi = db:sqlite:other.db\n\tplan_file = other.plan\n' +
    '[engine "pg"]\n\ttarget = db:pg:flipr\n\ttop_dir = pg\n',
  "sqitch.plan": PLAN,
  ...planScripts(),
  "other.plan": OTHER_PLAN,
  ...scripts("", "alpha", "beta", "gamma"),
  "pg/sqitch.plan": OTHER_PLAN.replace("project=other", "project=flipr_pg"),
  ...scripts("pg", "alpha", "beta"),
};

/** Run sqlitch in a sandbox's project (setup hooks only); throws when it fails. */
async function sqlitchIn(ctx: SandboxContext, argv: string[]): Promise<void> {
  const [cmd, ...pre] = defaultSqlitchCmd();
  const r = await new Deno.Command(cmd, {
    args: [...pre, ...argv],
    cwd: ctx.proj,
    env: {
      ...ctx.env,
      DENO_DIR: Deno.env.get("DENO_DIR") ??
        `${Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME") ?? "/root"}/.cache`}/deno`,
      DENO_NO_UPDATE_CHECK: "1",
    },
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (r.code !== 0) {
    throw new Error(`setup: sqlitch ${argv.join(" ")}: ${new TextDecoder().decode(r.stderr)}`);
  }
}

/** Run real Sqitch in a sandbox's project (setup hooks only); throws when it fails. */
async function sqitchBundle(ctx: SandboxContext, argv: string[]): Promise<void> {
  const r = await new Deno.Command("sqitch", {
    args: argv,
    cwd: ctx.proj,
    env: ctx.env,
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (r.code !== 0) {
    throw new Error(`setup: sqitch ${argv.join(" ")}: ${new TextDecoder().decode(r.stderr)}`);
  }
}

/** Set a file's modification time (seconds from now). */
function touch(path: string, offsetSeconds: number): void {
  const when = new Date(Date.now() + offsetSeconds * 1000);
  Deno.utimeSync(path, when, when);
}

/** Write a file below the project, creating its directory. */
function put(ctx: SandboxContext, rel: string, text: string): string {
  const path = `${ctx.proj}/${rel}`;
  Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  Deno.writeTextFileSync(path, text);
  return path;
}

const COMPAT_CONF_FILES = ["proj/**/sqitch.conf", "proj/**/sqlitch.conf"];

const scenarios: Scenario[] = [
  {
    name: "bundle: defaults, then again with everything up to date",
    files: PROJECT,
    steps: ["bundle", "bundle", "-vv bundle", "--quiet bundle", "-v bundle"],
  },
  {
    name: "bundle: -vv into fresh directories shows every directory and copy",
    files: PROJECT,
    steps: ["-vv bundle", "-vvv bundle --dir out/deeper", "-vv bundle --from likes --dir ranged"],
  },
  {
    name: "bundle: --dest-dir, --dir and bundle.dest_dir",
    files: { ...PROJECT, "sqitch.conf": CONF + "[bundle]\n\tdest_dir = dist/\n" },
    steps: [
      "bundle",
      "bundle --dest-dir pkg/",
      "bundle --dir ./nested//out",
      "bundle --dest-dir=",
      "bundle --dest-dir <SANDBOX>/abs",
    ],
  },
  {
    name: "bundle: --from and --to ranges write trimmed plans",
    files: PROJECT,
    steps: [
      "bundle --from flips --dir a",
      "bundle --from @v1.0 --to comments --dir b",
      "bundle --from flips --to flips --dir c",
      "bundle --from @ROOT --to @rc --dir d",
      "bundle --from users@v1.0 --to users@HEAD --dir e",
      "bundle --from HEAD^^ --dir f",
      "bundle --from likes --to flips --dir g",
      "bundle --from @rc --to nada --dir h",
      "bundle --from 0 --dir i",
      // A trimmed plan is always rewritten; a full copy is skipped when newer.
      "bundle --dir a",
      "bundle --from comments --dir a",
    ],
  },
  {
    name: "bundle: a lone --to ends the range (divergence)",
    files: PROJECT,
    ignorePaths: ["proj/t/**", "proj/t/"],
    steps: [
      {
        argv: "bundle --to likes --dir t",
        expectSqitch: {
          stdout: "Bundling into t\nWriting config\nWriting plan from likes to @HEAD\n" +
            "Writing scripts\n  + likes\n  + users @v2.0 @rc\n  + comments\n  + nada\n",
        },
        expectSqlitch: {
          stdout: "Bundling into t\nWriting config\nWriting plan from @ROOT to likes\n" +
            "Writing scripts\n  + users\n  + flips @v1.0\n  + likes\n",
        },
      },
      {
        argv: "bundle --to nope --dir t",
        expectSqitch: { code: 2, stdout: /from nope to @HEAD/ },
        expectSqlitch: {
          stdout: "Bundling into t\nWriting config\nWriting plan from @ROOT to nope\n",
        },
      },
    ],
  },
  {
    name: "bundle: a range ending before a rework bundles deployable scripts (divergence)",
    files: PROJECT,
    // Sqitch keeps the `users@v1.0` names, sqlitch writes `users.sql` (checked below).
    ignorePaths: ["proj/a/*/users*.sql", "proj/b/*/users*.sql"],
    teardown: (ctx) => {
      for (const dir of ["a", "b"]) {
        for (const type of ["deploy", "revert", "verify"]) {
          const names = [...Deno.readDirSync(`${ctx.proj}/${dir}/${type}`)]
            .map((e) => e.name).filter((n) => n.startsWith("users")).sort();
          const want = ctx.side === "sqitch" ? ["users@v1.0.sql"] : ["users.sql"];
          if (names.join() !== want.join()) {
            throw new Error(`${ctx.side}: ${dir}/${type} has ${names.join(", ")}`);
          }
          const copy = Deno.readTextFileSync(`${ctx.proj}/${dir}/${type}/${want[0]}`);
          if (copy !== Deno.readTextFileSync(`${ctx.proj}/${type}/users@v1.0.sql`)) {
            throw new Error(`${ctx.side}: ${dir}/${type}/${want[0]} is not users@v1.0's script`);
          }
        }
      }
    },
    steps: [
      "bundle --from @ROOT --to likes --dir a",
      "bundle users@v1.0 flips --dir b",
      {
        argv: "deploy",
        cwd: "a",
        expectSqitch: { code: 2, stderr: /cannot open "deploy\/users\.sql"/ },
        expectSqlitch: {
          code: 0,
          stdout: "Adding registry tables to db:sqlite:sqitch.db\n" +
            "Deploying changes to db:sqlite:flipr.db\n  + users ........ ok\n" +
            "  + flips @v1.0 .. ok\n  + likes ........ ok\n",
          stderr: "",
        },
        compareTree: false,
      },
    ],
  },
  {
    name: "bundle: change arguments give the range",
    files: PROJECT,
    steps: [
      "bundle flips likes --dir a",
      "bundle @v1.0 --dir b",
      "bundle comments --dir c",
      "bundle flips@v1.0 users@rc --dir d",
      "bundle sqlite HEAD~ --dir e",
      "bundle db:sqlite:flipr.db flips comments --dir f",
    ],
  },
  {
    name: "bundle: unknown and ambiguous changes, conflicting arguments",
    files: PROJECT,
    steps: [
      { argv: "bundle --from nope", sqitchCode: 2 },
      { argv: "bundle --from flips --to nope", sqitchCode: 2 },
      { argv: "bundle --from nope@v1.0", sqitchCode: 2 },
      { argv: "bundle --from users@nosuch", sqitchCode: 2 },
      { argv: "bundle --from users --dir amb", sqitchCode: 2 },
      { argv: "bundle flips --from users", sqitchCode: 2 },
      { argv: "bundle nope", sqitchCode: 2 },
      { argv: "bundle nope nada nix", sqitchCode: 2 },
      { argv: "bundle --all sqlite", sqitchCode: 2 },
      { argv: "bundle --bogus", sqitchCode: 2 },
      { argv: "bundle --from", sqitchCode: 2 },
    ],
  },
  {
    name: "bundle: several targets and plans, --all and bundle.all",
    files: MULTI,
    steps: [
      "bundle --all",
      "bundle sqlite other --dir b",
      "bundle other.plan pg --dir c",
      "bundle sqlite flips likes other beta --dir d",
      { argv: "bundle --all --from @ROOT --dir e", sqitchCode: 0 },
      { argv: "bundle --all --from flips --dir f", sqitchCode: 2 },
      "bundle other sqlite --to @HEAD --from @ROOT --dir g",
      "bundle --target other --dir h",
      "config bundle.all true",
      "bundle --dir i",
      "bundle --no-all --dir j",
      "bundle -a --dir k",
    ],
  },
  {
    name: "bundle: configured directories (top, script, reworked) and plan file",
    files: {
      "sqitch.conf": CONF +
        "\ttop_dir = db\n\tplan_file = db/flipr.plan\n\treworked_dir = db/old\n" +
        "\tverify_dir = checks\n",
      "db/flipr.plan": PLAN,
      ...Object.fromEntries(
        Object.entries(planScripts("db")).map(([k, v]) => [
          k.replace(/^db\/(deploy|revert)\/users@v1\.0/, "db/old/$1/users@v1.0")
            .replace(/^db\/verify\//, "checks/"),
          v,
        ]),
      ),
      "db/old/verify/users@v1.0.sql": "-- reworked verify\n",
    },
    steps: ["-vv bundle", "bundle --from likes --dir r", "bundle users@v1.0 users@HEAD --dir s"],
  },
  {
    name: "bundle: absolute top directory and destination",
    files: {
      "sqitch.conf": CONF + "\ttop_dir = <SANDBOX>/proj/db\n",
      "db/sqitch.plan": PLAN,
      ...planScripts("db"),
    },
    steps: ["-vv bundle", "bundle --dir <SANDBOX>/out", "bundle --dir ../outside"],
  },
  {
    name: "bundle: missing scripts, plan, config and empty plans",
    files: {
      ...PROJECT,
      "empty.plan": "%syntax-version=1.0.0\n%project=empty\n\n",
      "headless.plan": "%project=headless\n" +
        "only 2026-01-01T00:00:00Z Ann <ann@example.com> # No blank line.\n",
    },
    steps: [
      { argv: "bundle -f empty.plan --dir a", sqitchCode: 2 },
      { argv: "bundle -f empty.plan --dir b --from @ROOT", sqitchCode: 2 },
      { argv: "bundle -f missing.plan --dir c", sqitchCode: 2 },
      { argv: "bundle -f headless.plan --dir d" },
      { argv: "bundle", env: { SQITCH_CONFIG: "nosuch.conf" }, sqitchCode: 2 },
      { argv: "bundle -f sqitch.plan --dir e --top-dir ." },
    ],
  },
  {
    name: "bundle: SQITCH_CONFIG names the config copied",
    files: { ...PROJECT, "conf/flipr.conf": CONF, "sqitch.conf": "" },
    env: { SQITCH_CONFIG: "conf/flipr.conf" },
    steps: ["-vv bundle", "bundle --dir <SANDBOX>/x"],
  },
  {
    name: "bundle: destinations inside the project",
    files: PROJECT,
    steps: [
      "-vv bundle --dir .",
      "bundle --dir deploy",
      "-vv bundle --dir deploy",
      "bundle --dir bundle/bundle",
      "-vv bundle",
    ],
  },
  {
    name: "bundle: files are copied only when missing or older than the source",
    files: PROJECT,
    setup: (ctx) => {
      // Older than its source: copied again.
      touch(put(ctx, "bundle/deploy/users.sql", "stale, old\n"), -3600);
      // Newer than its source: left as it is.
      touch(put(ctx, "bundle/deploy/flips.sql", "stale, new\n"), 3600);
      // Same second as its source is "up to date".
      const src = Deno.statSync(`${ctx.proj}/revert/flips.sql`).mtime!;
      const same = put(ctx, "bundle/revert/flips.sql", "stale, same second\n");
      Deno.utimeSync(same, src, src);
      touch(put(ctx, "bundle/sqitch.plan", "stale plan\n"), 3600);
    },
    steps: ["-vv bundle", "-vv bundle --from flips --to flips"],
  },
  {
    name: "bundle: compat = sqlitch layout (Sqitch runs the equivalent classic project)",
    files: { "sqlitch/sqlitch.plan": PLAN, ...planScripts("sqlitch") },
    setup: (ctx) => {
      const target = '[engine "sqlite"]\n\ttarget = db:sqlite:flipr.db\n';
      if (ctx.side === "sqitch") {
        put(
          ctx,
          "sqitch.conf",
          "[core]\n\tengine = sqlite\n\ttop_dir = sqlitch\n\tplan_file = sqlitch/sqlitch.plan\n" +
            target,
        );
      } else {
        put(ctx, "sqlitch.conf", "[core]\n\tengine = sqlite\n\tcompat = sqlitch\n" + target);
      }
    },
    teardown: (ctx) => {
      if (ctx.side !== "sqlitch") return;
      const conf = Deno.readTextFileSync(`${ctx.proj}/bundle/sqlitch.conf`);
      if (conf !== Deno.readTextFileSync(`${ctx.proj}/sqlitch.conf`)) {
        throw new Error("bundle/sqlitch.conf is not a copy of sqlitch.conf");
      }
      for (const absent of ["bundle/sqitch.conf", "bundle/sqitch.plan", "bundle/deploy"]) {
        let found = true;
        try {
          Deno.statSync(`${ctx.proj}/${absent}`);
        } catch {
          found = false;
        }
        if (found) throw new Error(`the compat bundle has ${absent}`);
      }
    },
    ignorePaths: COMPAT_CONF_FILES,
    steps: [
      "bundle",
      {
        argv: "-vv bundle --dir b2 --from flips",
        expectSqlitch: {
          stdout: new RegExp(
            "^Bundling into b2\nWriting config\ndebug: {5}Created b2\n" +
              "debug: {5}Copying sqlitch\\.conf -> b2/sqlitch\\.conf\nWriting plan from flips to @HEAD\n",
          ),
        },
      },
    ],
  },
];

/** Round trips: a bundle made by one program, deployed by both. */
const roundTrips: Scenario[] = [
  {
    name: "bundle round trip: a bundle made by sqlitch deploys with Sqitch",
    files: PROJECT,
    setup: (ctx) => sqlitchIn(ctx, ["bundle", "--from", "@ROOT", "--to", "@v2.0"]),
    steps: [
      { argv: "deploy", cwd: "bundle" },
      // Not plain `verify`: it shows the two tags of `users` in another order (not bundle's doing).
      { argv: "verify --to likes", cwd: "bundle" },
      { argv: "revert -y --to flips", cwd: "bundle" },
      { argv: "deploy --verify", cwd: "bundle" },
    ],
  },
  {
    name:
      "bundle round trip: a range ending before a rework, bundled by sqlitch, deploys with Sqitch",
    files: PROJECT,
    setup: (ctx) => sqlitchIn(ctx, ["bundle", "--dir", "dist", "@ROOT", "likes"]),
    steps: [
      { argv: "deploy", cwd: "dist", sqitchCode: 0 },
      { argv: "verify", cwd: "dist" },
      { argv: "revert -y", cwd: "dist", sqitchCode: 0 },
    ],
  },
  {
    name: "bundle round trip: a bundle made by Sqitch deploys with sqlitch",
    files: PROJECT,
    setup: (ctx) => sqitchBundle(ctx, ["bundle", "--dir", "dist", "@ROOT", "likes"]),
    steps: [
      { argv: "deploy", cwd: "dist", sqitchCode: 2 },
      { argv: "deploy --to flips", cwd: "dist", sqitchCode: 2 },
      { argv: "status", cwd: "dist", sqitchCode: 1 },
    ],
  },
  {
    name: "bundle round trip: a whole project bundled by Sqitch deploys with sqlitch",
    files: PROJECT,
    setup: (ctx) => sqitchBundle(ctx, ["bundle", "--dir", "dist"]),
    steps: [
      { argv: "deploy --verify --to comments", cwd: "dist" },
      { argv: "revert -y --to @v1.0", cwd: "dist" },
      { argv: "deploy --to comments", cwd: "dist" },
    ],
  },
];

parityTests(scenarios);
registryTests(roundTrips);
