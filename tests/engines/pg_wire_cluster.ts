/**
 * A throwaway PostgreSQL cluster for the authentication tests of
 * sqlitch's own protocol code (pg_wire_auth_test.ts): `initdb` (run as the
 * `postgres` user when we are root) into a temporary directory, listening
 * only on a unix socket there (port `$SQLITCH_TEST_PG_AUTH_PORT`, 5497),
 * with one role per password method in pg_hba.conf (`password`, `md5`,
 * `scram-sha-256`, and `md5` for a role whose password is stored as
 * SCRAM) and trust for the rest. The test server's own pg_hba.conf is
 * left alone.
 *
 * `startAuthCluster()` says why when initdb or pg_ctl cannot be found or
 * the cluster does not start.
 */

/** The roles, their pg_hba.conf method, and how their password is stored. */
export const AUTH_ROLES = [
  { role: "pw_user", method: "password", encryption: "scram-sha-256", password: "plain pw" },
  { role: "md5_user", method: "md5", encryption: "md5", password: "md5 pässword" },
  // Fullwidth letters and a no-break space: the server stores the SASLprep'd password.
  {
    role: "scram_user",
    method: "scram-sha-256",
    encryption: "scram-sha-256",
    password: "\uff53\uff43\uff52\uff41\uff4d\u00a0pass",
  },
  { role: "md5_scram", method: "md5", encryption: "scram-sha-256", password: "upgraded" },
] as const;

/** A running cluster. */
export interface AuthCluster {
  /** The socket directory (libpq's `host`). */
  dir: string;
  port: number;
  stop(): Promise<void>;
}

const dec = new TextDecoder();

/** The directory holding initdb and pg_ctl (newest /usr/lib/postgresql/N/bin, else PATH). */
function pgBinDir(): string | undefined {
  try {
    const versions = [...Deno.readDirSync("/usr/lib/postgresql")].map((e) => e.name)
      .filter((n) => /^\d+$/.test(n)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      try {
        Deno.statSync(`/usr/lib/postgresql/${v}/bin/initdb`);
        return `/usr/lib/postgresql/${v}/bin`;
      } catch {
        // Next.
      }
    }
  } catch {
    // No Debian layout.
  }
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/initdb`).isFile) return dir;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

async function run(cmd: string, args: string[], asPostgres = false): Promise<void> {
  const root = Deno.uid() === 0;
  const [c, a] = asPostgres && root ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [
    cmd,
    args,
  ];
  const r = await new Deno.Command(c, { args: a, stdout: "piped", stderr: "piped" }).output();
  if (r.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${dec.decode(r.stderr)}`);
  }
}

/**
 * Start the cluster; `setup` runs SQL as the superuser (it creates the
 * roles). Returns the reason when it cannot start.
 */
export async function startAuthCluster(
  setup: (dir: string, port: number, sql: string) => Promise<void>,
  port = Number(Deno.env.get("SQLITCH_TEST_PG_AUTH_PORT") ?? 5497),
): Promise<AuthCluster | string> {
  const bin = pgBinDir();
  if (!bin) return "initdb not found (/usr/lib/postgresql/*/bin or PATH)";
  const dir = await Deno.makeTempDir({ prefix: "sqlitch-auth-cluster-" });
  const data = `${dir}/data`;
  const stop = async () => {
    await run(`${bin}/pg_ctl`, ["-D", data, "-m", "immediate", "-w", "stop"], true)
      .catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    Deno.chmodSync(dir, 0o755);
    Deno.mkdirSync(data, { mode: 0o700 });
    if (Deno.uid() === 0) await run("chown", ["-R", "postgres:postgres", dir]);
    await run(`${bin}/initdb`, ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"], true);
    Deno.writeTextFileSync(
      `${data}/postgresql.conf`,
      `\nport = ${port}\nlisten_addresses = ''\nunix_socket_directories = '${dir}'\n` +
        "fsync = off\nmax_connections = 20\nshared_buffers = 16MB\n",
      { append: true },
    );
    Deno.writeTextFileSync(
      `${data}/pg_hba.conf`,
      AUTH_ROLES.map((r) => `local all ${r.role} ${r.method}\n`).join("") + "local all all trust\n",
    );
    await run(`${bin}/pg_ctl`, ["-D", data, "-l", `${dir}/log`, "-w", "-t", "30", "start"], true);
    for (const r of AUTH_ROLES) {
      await setup(
        dir,
        port,
        `SET password_encryption = '${r.encryption}'; ` +
          `CREATE ROLE ${r.role} LOGIN PASSWORD '${r.password}'`,
      );
    }
  } catch (e) {
    await stop();
    return (e as Error).message;
  }
  return { dir, port, stop };
}
