/**
 * The pager `log` and `plan` send their output through (cli.md §3.2):
 * whether one is used at all (stdout is a terminal and `--no-pager` was not
 * given), and which program, chosen as Sqitch does — `$SQITCH_PAGER`
 * (`$SQLITCH_PAGER`), then `core.pager`, then `$PAGER`, handed to
 * IO::Pager, which keeps that value when its first word is an existing
 * program (arguments kept), else takes the first existing of
 * `/etc/alternatives/pager`, `/usr/local/bin/less`, `/usr/bin/less`,
 * `/usr/bin/more`, else the first of `less most w3m lv pg more` on `PATH`,
 * else `more`.
 */
import { type Env, perlTrue, sqitchEnv } from "./env.ts";
import type { FileSystem } from "./host.ts";

/** What pager selection reads. */
export interface PagerContext {
  env: Env;
  fs: FileSystem;
  /** `core.pager`. */
  configured: string | undefined;
}

/** Sqitch's `pager_program`: `$SQITCH_PAGER` → `core.pager` → `$PAGER` (Perl-true values only). */
export function pagerProgram(env: Env, configured: string | undefined): string | undefined {
  return sqitchEnv(env, "PAGER") ?? (perlTrue(configured) ? configured : undefined) ??
    (perlTrue(env.PAGER) ? env.PAGER : undefined);
}

/** IO::Pager's `_check_pagers`: the first program that exists (names looked up on PATH). */
function firstExisting(fs: FileSystem, env: Env, names: readonly string[]): string | undefined {
  for (const name of names) {
    if (name.startsWith("/")) {
      if (fs.stat(name)) return name;
      continue;
    }
    for (const dir of (env.PATH ?? "").split(":")) {
      if (dir === "") continue;
      const path = `${dir}/${name}`;
      if (fs.stat(path)?.isFile) return path;
    }
  }
  return undefined;
}

/** The command line of the pager IO::Pager would run (see the module comment). */
export function pagerCommand(ctx: PagerContext): string {
  const { env, fs } = ctx;
  const wanted = pagerProgram(env, ctx.configured);
  if (wanted !== undefined) {
    const [program, ...options] = wanted.trim().split(/\s+/);
    const found = program ? firstExisting(fs, env, [program]) : undefined;
    if (found !== undefined) return [found, ...options].join(" ");
  }
  return firstExisting(fs, env, [
    "/etc/alternatives/pager",
    "/usr/local/bin/less",
    "/usr/bin/less",
    "/usr/bin/more",
  ]) ?? firstExisting(fs, env, ["less", "most", "w3m", "lv", "pg", "more"]) ?? "more";
}
