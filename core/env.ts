/**
 * Environment variable access with Sqitch's rules: a variable set to the
 * empty string or to "0" counts as unset (Perl truthiness), and every
 * `SQITCH_*` variable has a `SQLITCH_*` twin that wins when both are set.
 */

/** A read-only view of the process environment. */
export type Env = Readonly<Record<string, string | undefined>>;

/** True when Perl would consider the value true (defined, not "" nor "0"). */
export function perlTrue(value: string | undefined | null): value is string {
  return value !== undefined && value !== null && value !== "" && value !== "0";
}

/** The value of a plain variable, or undefined when Perl would see it as false. */
export function envValue(env: Env, name: string): string | undefined {
  const v = env[name];
  return perlTrue(v) ? v : undefined;
}

/**
 * The value of a Sqitch variable given without prefix (e.g. "CONFIG"):
 * `SQLITCH_CONFIG` if set, else `SQITCH_CONFIG`, each with Perl truthiness.
 */
export function sqitchEnv(env: Env, suffix: string): string | undefined {
  return envValue(env, `SQLITCH_${suffix}`) ?? envValue(env, `SQITCH_${suffix}`);
}

/** Every Sqitch variable suffix that has a SQLITCH_ twin (environment.md §1). */
export const SQITCH_VARIABLES = [
  "CONFIG",
  "USER_CONFIG",
  "SYSTEM_CONFIG",
  "TARGET",
  "USERNAME",
  "PASSWORD",
  "FULLNAME",
  "EMAIL",
  "ORIG_SYSUSER",
  "ORIG_FULLNAME",
  "ORIG_EMAIL",
  "EDITOR",
  "PAGER",
] as const;
