import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { systemUser, userEmail, userName } from "../../core/identity.ts";
import type { UserAccount } from "../../core/host.ts";

const passwd: Record<string, string> = { root: "", postgres: "PostgreSQL administrator,,," };
const account = (login?: string, uid = "root"): UserAccount => ({
  loginName: () => login,
  uidName: () => uid,
  gecos: (u) => passwd[u],
  home: () => "/root",
  hostname: () => "vm",
});
const config = (values: Record<string, string> = {}) => ({ get: (k: string) => values[k] });

Deno.test("identity with nothing configured comes from the account", () => {
  assertEquals(userName({}, config(), account()), "root");
  assertEquals(userEmail({}, config(), account()), "root@vm");
});

Deno.test("SQITCH_FULLNAME/EMAIL beat config; config beats SQITCH_ORIG_*", () => {
  const env = { SQITCH_FULLNAME: "Env_Name", SQITCH_EMAIL: "env@x" };
  const conf = config({ "user.name": "Conf Name", "user.email": "conf@x" });
  assertEquals(userName(env, conf, account()), "Env_Name");
  assertEquals(userEmail(env, conf, account()), "env@x");
  const orig = { SQITCH_ORIG_FULLNAME: "Orig_Name", SQITCH_ORIG_EMAIL: "orig@x" };
  assertEquals(userName(orig, conf, account()), "Conf Name");
  assertEquals(userName(orig, config(), account()), "Orig_Name");
  assertEquals(userEmail(orig, config(), account()), "orig@x");
});

Deno.test("SQLITCH_ twins win over SQITCH_ variables; empty and 0 count as unset", () => {
  const env = { SQITCH_FULLNAME: "Old", SQLITCH_FULLNAME: "New", SQITCH_EMAIL: "0" };
  assertEquals(userName(env, config(), account()), "New");
  assertEquals(userEmail(env, config(), account()), "root@vm");
});

Deno.test("SQITCH_ORIG_SYSUSER selects the account; GECOS is used whole", () => {
  assertEquals(
    userName({ SQITCH_ORIG_SYSUSER: "postgres" }, config(), account()),
    "PostgreSQL administrator,,,",
  );
  assertEquals(userEmail({ SQITCH_ORIG_SYSUSER: "origsys" }, config(), account()), "origsys@vm");
  assertEquals(userName({ SQITCH_ORIG_SYSUSER: "origsys" }, config(), account()), "origsys");
  assertEquals(systemUser({ LOGNAME: "lname" }, account()), "root");
  assertEquals(systemUser({ LOGNAME: "lname" }, account(undefined, "")), "lname");
});

Deno.test("invalid names and emails are refused", () => {
  throws(() => userName({ SQITCH_FULLNAME: "a <b" }, config(), account()), /may not contain "<"/);
  throws(() => userName({ SQITCH_FULLNAME: "[x" }, config(), account()), /start with "\["/);
  throws(() => userEmail({ SQITCH_EMAIL: "a>b" }, config(), account()), /may not contain ">"/);
  const nobody: UserAccount = { ...account(undefined, ""), uidName: () => undefined };
  throws(() => userName({}, config(), nobody), /Cannot find your name/);
  throws(() => userEmail({}, config(), nobody), /Cannot infer your email address/);
});
