/**
 * sqlitch-only behaviour of `sqitch config` that real Sqitch cannot serve
 * as an oracle for: the sqlitch file names and compat rules, SQLITCH_*
 * variables, `--bool-or-int`, and an editor missing from PATH. Each test
 * runs main.ts in a fresh temporary directory with a clean environment.
 */
import { deepStrictEqual as assertEquals, match as assertMatch } from "node:assert/strict";
import { runSqlitch, type Sandbox, withSandbox } from "./sandbox.ts";

/** Run sqlitch in `sb.proj` (which a test may point at a sub-directory). */
function sqlitch(sb: Sandbox, args: string[], env: Record<string, string> = {}) {
  return runSqlitch(sb, args, env, sb.proj.slice(sb.root.length + 1));
}

async function read(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return undefined;
  }
}

/** Register a test that gets a sandbox and always removes it. */
function cliTest(
  name: string,
  files: Record<string, string>,
  fn: (sb: Sandbox) => Promise<void>,
): void {
  Deno.test(`cli: config: ${name}`, () => withSandbox(files, fn));
}

cliTest("SQLITCH_CONFIG beats SQITCH_CONFIG for reads and writes", {
  "proj/a.conf": "[core]\n\tengine = pg\n",
  "proj/b.conf": "[core]\n\tengine = sqlite\n",
}, async (sb) => {
  const env = { SQITCH_CONFIG: "a.conf", SQLITCH_CONFIG: "b.conf" };
  assertEquals(await sqlitch(sb, ["config", "core.engine"], env), {
    code: 0,
    stdout: "sqlite\n",
    stderr: "",
  });
  assertEquals((await sqlitch(sb, ["config", "core.x", "y"], env)).code, 0);
  assertEquals(await read(`${sb.proj}/b.conf`), "[core]\n\tengine = sqlite\n\tx = y\n");
  assertEquals(await read(`${sb.proj}/a.conf`), "[core]\n\tengine = pg\n");
});

cliTest("a project with sqlitch.conf gets local reads and writes there", {
  "proj/sqlitch.conf": "[core]\n\tengine = pg\n",
}, async (sb) => {
  assertEquals((await sqlitch(sb, ["config", "core.engine"])).stdout, "pg\n");
  assertEquals((await sqlitch(sb, ["config", "core.top_dir", "db"])).code, 0);
  assertEquals((await sqlitch(sb, ["config", "--local", "--add", "core.m", "1"])).code, 0);
  assertEquals(
    await read(`${sb.proj}/sqlitch.conf`),
    "[core]\n\tengine = pg\n\ttop_dir = db\n\tm = 1\n",
  );
  assertEquals(await read(`${sb.proj}/sqitch.conf`), undefined);
  assertEquals(
    (await sqlitch(sb, ["config", "--list", "--local"])).stdout,
    "core.engine=pg\ncore.m=1\ncore.top_dir=db\n\n",
  );
});

cliTest("sqlitch.conf found in a parent directory: writes go to ./sqlitch.conf", {
  "proj/sqlitch.conf": "[core]\n\tengine = pg\n",
  "proj/sub/.keep": "",
}, async (sb) => {
  const sub = { ...sb, proj: `${sb.proj}/sub` };
  assertEquals((await sqlitch(sub, ["config", "core.engine"])).stdout, "pg\n");
  assertEquals((await sqlitch(sub, ["config", "core.x", "y"])).code, 0);
  assertEquals(await read(`${sb.proj}/sub/sqlitch.conf`), "[core]\n\tx = y\n");
  assertEquals(await read(`${sb.proj}/sub/sqitch.conf`), undefined);
});

cliTest("both sqlitch.conf and sqitch.conf: one-line error, exit 2, nothing written", {
  "proj/sqlitch.conf": "[core]\n\tengine = pg\n",
  "proj/sqitch.conf": "[core]\n\tengine = sqlite\n",
}, async (sb) => {
  for (const args of [["config", "core.x", "y"], ["config", "--list"], ["config", "core.engine"]]) {
    const r = await sqlitch(sb, args);
    assertEquals(r.code, 2);
    assertEquals(r.stdout, "");
    assertMatch(r.stderr, /^[^\n]*sqlitch\.conf[^\n]*sqitch\.conf[^\n]*\n$/);
  }
  assertEquals(await read(`${sb.proj}/sqlitch.conf`), "[core]\n\tengine = pg\n");
  assertEquals(await read(`${sb.proj}/sqitch.conf`), "[core]\n\tengine = sqlite\n");
});

cliTest("core.compat = bogus: one-line error naming the file and both values", {
  "proj/sqitch.conf": "[core]\n\tcompat = bogus\n",
}, async (sb) => {
  const r = await sqlitch(sb, ["config", "core.x", "y"]);
  assertEquals(r.code, 2);
  assertEquals(r.stdout, "");
  assertMatch(r.stderr, /^[^\n]*bogus[^\n]*\n$/);
  for (const part of [`${sb.proj}/sqitch.conf`, '"sqitch"', '"sqlitch"']) {
    assertEquals(r.stderr.includes(part), true, `${part} in ${r.stderr}`);
  }
  assertEquals(await read(`${sb.proj}/sqitch.conf`), "[core]\n\tcompat = bogus\n");
});

cliTest("--user writes ~/.sqlitch/sqlitch.conf when it exists", {
  "home/.sqlitch/sqlitch.conf": "[user]\n\tname = Lit\n",
  "home/.sqitch/sqitch.conf": "[user]\n\tname = Sqitch\n",
}, async (sb) => {
  assertEquals((await sqlitch(sb, ["config", "user.name"])).stdout, "Lit\n");
  assertEquals((await sqlitch(sb, ["config", "--user", "user.email", "l@x"])).code, 0);
  assertEquals(
    await read(`${sb.home}/.sqlitch/sqlitch.conf`),
    "[user]\n\tname = Lit\n\temail = l@x\n",
  );
  assertEquals(await read(`${sb.home}/.sqitch/sqitch.conf`), "[user]\n\tname = Sqitch\n");
  assertEquals(
    (await sqlitch(sb, ["config", "--global", "--list"])).stdout,
    "user.email=l@x\nuser.name=Lit\n\n",
  );
});

cliTest("--user without any user file writes ~/.sqitch/sqitch.conf", {}, async (sb) => {
  assertEquals((await sqlitch(sb, ["config", "--user", "a.b", "c"])).code, 0);
  assertEquals(await read(`${sb.home}/.sqitch/sqitch.conf`), "[a]\n\tb = c\n");
  assertEquals(await read(`${sb.home}/.sqlitch/sqlitch.conf`), undefined);
});

cliTest("core.compat = sqlitch: a new local file is sqlitch.conf", {
  "home/.sqitch/sqitch.conf": "[core]\n\tcompat = sqlitch\n",
}, async (sb) => {
  assertEquals((await sqlitch(sb, ["config", "core.engine", "pg"])).code, 0);
  assertEquals(await read(`${sb.proj}/sqlitch.conf`), "[core]\n\tengine = pg\n");
  assertEquals(await read(`${sb.proj}/sqitch.conf`), undefined);
  const edit = await sqlitch(sb, ["config", "--edit"], { SQITCH_EDITOR: "echo" });
  assertEquals(edit, { code: 0, stdout: "sqlitch.conf\n", stderr: "" });
});

cliTest("--bool-or-int casts numbers as --int and booleans as --bool", {
  "proj/sqitch.conf": "[t]\n\tn = 10k\n\tone = 1\n\tb = Yes\n\toff = off\n\tbare\n\tx = maybe\n",
}, async (sb) => {
  const get = async (key: string) => await sqlitch(sb, ["config", "--bool-or-int", key]);
  assertEquals(await get("t.n"), { code: 0, stdout: "10240\n", stderr: "" });
  assertEquals(await get("t.one"), { code: 0, stdout: "1\n", stderr: "" });
  assertEquals(await get("t.b"), { code: 0, stdout: "true\n", stderr: "" });
  assertEquals(await get("t.off"), { code: 0, stdout: "false\n", stderr: "" });
  assertEquals(await get("t.bare"), { code: 0, stdout: "1\n", stderr: "" });
  assertEquals(await get("t.x"), {
    code: 2,
    stdout: "",
    stderr: "Invalid bool-or-int 'maybe'\n\n",
  });
  assertEquals((await sqlitch(sb, ["config", "--bool-or-int", "t.s", "ON"])).code, 0);
  assertEquals((await sqlitch(sb, ["config", "--bool-or-int", "t.i", "2m"])).code, 0);
  const bad = await sqlitch(sb, ["config", "--bool-or-int", "t.z", "nope"]);
  assertEquals(bad, { code: 2, stdout: "", stderr: "Invalid bool-or-int 'nope'\n\n" });
  assertEquals(
    await read(`${sb.proj}/sqitch.conf`),
    "[t]\n\tn = 10k\n\tone = 1\n\tb = Yes\n\toff = off\n\tbare\n\tx = maybe\n" +
      "\ts = true\n\ti = 2097152\n",
  );
});

cliTest("SQLITCH_EDITOR beats SQITCH_EDITOR", {}, async (sb) => {
  const r = await sqlitch(sb, ["config", "-e"], {
    SQITCH_EDITOR: "echo sqitch",
    SQLITCH_EDITOR: "echo sqlitch",
  });
  assertEquals(r, { code: 0, stdout: "sqlitch sqitch.conf\n", stderr: "" });
});

cliTest("the default editor vi missing from PATH fails to start", {}, async (sb) => {
  await Deno.mkdir(`${sb.root}/emptybin`);
  const r = await sqlitch(sb, ["config", "--edit"], { PATH: `${sb.root}/emptybin` });
  assertEquals(r, {
    code: 2,
    stdout: "",
    stderr: '"vi sqitch.conf" failed to start: "No such file or directory"\n\n',
  });
});
