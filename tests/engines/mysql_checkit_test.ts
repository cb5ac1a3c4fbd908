/**
 * The `checkit()` warning of Sqitch 1.5+ on a server with binary logging:
 * a user without SUPER cannot create stored functions (error 1419), and
 * the registry is then created without `checkit()` and with the warning
 * `Insufficient permissions to create the checkit() function; skipping.`
 * on stderr. MariaDB refuses the registry's triggers for the same reason,
 * so the test lets them through (`log_bin_trust_function_creators` on
 * while the registry script runs, through a configured client that turns
 * it off afterwards) and the function then meets the refusal.
 *
 * It starts a throwaway MariaDB server of its own (`mariadb-install-db`,
 * `mariadbd --log-bin`) in a temporary directory; skipped with a banner
 * when those programs or the `mysql` client are missing.
 */
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { defaultSqlitchCmd } from "../parity/kit.ts";
import { MysqlTestSession } from "./mysql_test_session.ts";

function which(program: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").concat(["/usr/sbin", "/usr/bin"])) {
    try {
      if (Deno.statSync(`${dir}/${program}`).isFile) return `${dir}/${program}`;
    } catch {
      // not here
    }
  }
  return undefined;
}

const installDb = which("mariadb-install-db");
const mariadbd = which("mariadbd");
const client = which("mysql");
const available = installDb !== undefined && mariadbd !== undefined && client !== undefined;
if (!available) {
  console.error(
    "\n*** mysql_checkit_test: SKIPPED (needs mariadb-install-db, mariadbd and mysql) ***\n",
  );
}

/** A free TCP port on the loopback interface. */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A MariaDB server with binary logging in `dir`, listening on `port`; resolves when it answers. */
async function startServer(dir: string, port: number): Promise<Deno.ChildProcess> {
  const asRoot = Deno.uid() === 0 ? ["--user=root"] : [];
  const install = await new Deno.Command(installDb!, {
    args: [
      "--no-defaults",
      `--datadir=${dir}/data`,
      ...asRoot,
      "--auth-root-authentication-method=normal",
      "--skip-test-db",
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!install.success) throw new Error(new TextDecoder().decode(install.stderr));
  const server = new Deno.Command(mariadbd!, {
    args: [
      "--no-defaults",
      `--datadir=${dir}/data`,
      ...asRoot,
      `--port=${port}`,
      "--bind-address=127.0.0.1",
      `--socket=${dir}/sock`,
      `--pid-file=${dir}/pid`,
      `--log-bin=${dir}/data/bin`,
      "--server-id=1",
      "--innodb-buffer-pool-size=16M",
      "--log-bin-trust-function-creators=1",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0; i < 200; i++) {
    try {
      const s = await MysqlTestSession.open({ host: "127.0.0.1", port, user: "root" });
      await s.close();
      return server;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  server.kill("SIGKILL");
  await server.status;
  throw new Error("the throwaway MariaDB server did not start");
}

Deno.test({
  name: "mysql: checkit() refused for lack of privilege costs a warning (binary logging)",
  ignore: !available,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "sqlitch-mysql-binlog-" });
    const port = freePort();
    const server = await startServer(dir, port);
    try {
      const root = await MysqlTestSession.open({ host: "127.0.0.1", port, user: "root" });
      try {
        for (
          const sql of [
            "CREATE USER 'deployer'@'127.0.0.1' IDENTIFIED BY ''",
            "GRANT ALL ON `app`.* TO 'deployer'@'127.0.0.1'",
            "GRANT ALL ON `app_reg`.* TO 'deployer'@'127.0.0.1'",
            "CREATE DATABASE app",
          ]
        ) await root.query(sql);
      } finally {
        await root.close();
      }
      // The client: the real one, then trust off once the registry script has run.
      const wrapper = `${dir}/client.sh`;
      await Deno.writeTextFile(
        wrapper,
        `#!/bin/sh\n${client} "$@"; rc=$?\ncase "$*" in *mysql.sql*) ${client} -h127.0.0.1 ` +
          `-P${port} -uroot -e "SET GLOBAL log_bin_trust_function_creators = 0";; esac\n` +
          `exit $rc\n`,
      );
      await Deno.chmod(wrapper, 0o755);
      const proj = `${dir}/proj`;
      await Deno.mkdir(`${proj}/deploy`, { recursive: true });
      await Deno.writeTextFile(
        `${proj}/sqitch.conf`,
        `[core]\n\tengine = mysql\n[engine "mysql"]\n\ttarget = ` +
          `db:mysql://deployer@127.0.0.1:${port}/app\n\tregistry = app_reg\n\tclient = ${wrapper}\n` +
          `[user]\n\tname = Ann\n\temail = ann@example.com\n`,
      );
      await Deno.writeTextFile(
        `${proj}/sqitch.plan`,
        "%syntax-version=1.0.0\n%project=app\n\n" +
          "users 2026-01-01T00:00:00Z Ann <ann@example.com> # Users.\n",
      );
      await Deno.writeTextFile(`${proj}/deploy/users.sql`, "CREATE TABLE users (id INT);\n");
      const [cmd, ...args] = defaultSqlitchCmd();
      const out = await new Deno.Command(cmd, {
        args: [...args, "deploy"],
        cwd: proj,
        env: { HOME: dir },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dec = new TextDecoder();
      strictEqual(
        dec.decode(out.stderr),
        "warning: Insufficient permissions to create the checkit() function; skipping.\n",
      );
      strictEqual(
        dec.decode(out.stdout),
        `Deploying changes to db:mysql://deployer@127.0.0.1:${port}/app\n  + users .. ok\n`,
      );
      strictEqual(out.code, 0);
      const check = await MysqlTestSession.open({ host: "127.0.0.1", port, user: "root" });
      try {
        const [routines] = await check.query(
          "SELECT routine_name FROM information_schema.routines WHERE routine_schema = 'app_reg'",
        );
        deepStrictEqual(routines.rows, []);
        const [triggers] = await check.query(
          "SELECT trigger_name FROM information_schema.triggers " +
            "WHERE trigger_schema = 'app_reg' ORDER BY trigger_name",
        );
        deepStrictEqual(triggers.rows, [["ck_insert_dependency"], ["ck_update_dependency"]]);
        const [releases] = await check.query("SELECT version FROM app_reg.releases");
        deepStrictEqual(releases.rows, [["1.1"]]);
      } finally {
        await check.close();
      }
    } finally {
      server.kill("SIGTERM");
      await server.status;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
