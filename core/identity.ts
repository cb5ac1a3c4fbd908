/**
 * The user's identity (planner and committer name and email), resolved
 * exactly as Sqitch does (environment.md §3): environment, then config,
 * then the SQITCH_ORIG_* fallbacks, then the system account.
 */
import { type Env, sqitchEnv } from "./env.ts";
import { SqlitchError } from "./errors.ts";
import type { UserAccount } from "./host.ts";

/** Config values identity resolution reads. */
export interface IdentityConfig {
  get(key: string): string | undefined;
}

/** The system user name: SQITCH_ORIG_SYSUSER, getlogin(), passwd, LOGNAME, USER, USERNAME. */
export function systemUser(env: Env, account: UserAccount): string | undefined {
  return sqitchEnv(env, "ORIG_SYSUSER") || account.loginName() || account.uidName() ||
    perlEnv(env, "LOGNAME") || perlEnv(env, "USER") || perlEnv(env, "USERNAME") || undefined;
}

/** A plain environment variable with Perl truthiness. */
function perlEnv(env: Env, name: string): string | undefined {
  const v = env[name];
  return v && v !== "0" ? v : undefined;
}

/** The user's full name; throws when none can be found or it is invalid. */
export function userName(env: Env, config: IdentityConfig, account: UserAccount): string {
  const name = sqitchEnv(env, "FULLNAME") || truthy(config.get("user.name")) ||
    sqitchEnv(env, "ORIG_FULLNAME") || nameFromAccount(env, account);
  if (name.includes("<") || name.startsWith("[")) {
    throw new SqlitchError('User name may not contain "<" or start with "["', { ident: "user" });
  }
  return name;
}

/** The user's email; throws when none can be inferred or it is invalid. */
export function userEmail(env: Env, config: IdentityConfig, account: UserAccount): string {
  let email = sqitchEnv(env, "EMAIL") || truthy(config.get("user.email")) ||
    sqitchEnv(env, "ORIG_EMAIL");
  if (!email) {
    const sysuser = systemUser(env, account);
    if (!sysuser) {
      throw new SqlitchError(
        "Cannot infer your email address; run sqitch config --user user.email you@host.com",
        { ident: "user" },
      );
    }
    email = `${sysuser}@${account.hostname()}`;
  }
  if (email.includes(">")) {
    throw new SqlitchError('User email may not contain ">"', { ident: "user" });
  }
  return email;
}

/** A config value with Perl truthiness. */
function truthy(value: string | undefined): string | undefined {
  return value && value !== "0" ? value : undefined;
}

/** The name derived from the system account: its whole GECOS field, else the user name. */
function nameFromAccount(env: Env, account: UserAccount): string {
  const sysuser = systemUser(env, account);
  if (!sysuser) {
    throw new SqlitchError(
      'Cannot find your name; run sqitch config --user user.name "YOUR NAME"',
      { ident: "user" },
    );
  }
  const gecos = account.gecos(sysuser);
  return gecos ? gecos : sysuser;
}
