/**
 * The demo: creates a fresh project under demo-output/ and walks through
 * what sqlitch does — init, config, targets, add/tag, then deploy, status,
 * log, verify and revert — printing each command and its output. It uses an
 * embedded SQLite target, so it needs no database server or client.
 *
 *   deno task demo
 */
import { main } from "../main.ts";
import { denoHost } from "../io/deno_host.ts";

const root = new URL("..", import.meta.url).pathname;
const dir = `${root}demo-output`;
await Deno.remove(dir, { recursive: true }).catch(() => {});
Deno.mkdirSync(dir, { recursive: true });
Deno.chdir(dir);

const steps: string[][] = [
  ["init", "flipr", "--engine", "sqlite", "--target", "db:sqlite:flipr.db"],
  ["config", "user.name", "Demo User"],
  ["config", "user.email", "demo@example.com"],
  ["config", "--list"],
  ["target", "add", "prod", "db:sqlite:prod.db"],
  ["target", "list", "-v"],
  ["engine", "show", "sqlite"],
  ["target", "show", "prod"],
  ["add", "users", "-n", "Creates table to track our users."],
  ["add", "flips", "-r", "users", "-n", "Adds table for storing flips."],
  ["tag", "v1.0", "-n", "Tag v1.0."],
  ["add", "hashtags", "-r", "flips", "-n", "Adds table for storing hashtags."],
  ["plan", "--no-pager"],
  ["plan", "--oneline", "--no-headers"],
  ["show", "change", "flips"],
  ["deploy"],
  ["status", "--show-tags"],
  ["log", "--oneline", "--no-pager"],
  ["verify"],
  ["revert", "-y", "--to", "@v1.0"],
  ["status"],
];

for (const argv of steps) {
  console.log(`$ sqlitch ${argv.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(" ")}`);
  const code = await main(argv, denoHost(), "sqlitch");
  if (code !== 0) {
    console.error(`demo step failed with exit ${code}`);
    Deno.exit(code);
  }
}
console.log(`$ cat sqitch.conf\n${Deno.readTextFileSync("sqitch.conf")}`);
console.log(`$ cat sqitch.plan\n${Deno.readTextFileSync("sqitch.plan")}`);
console.log(`Demo project written to ${dir}`);
