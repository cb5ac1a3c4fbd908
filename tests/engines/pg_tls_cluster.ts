/**
 * A throwaway TLS-only PostgreSQL cluster for the TLS tests: `initdb` (run
 * as the `postgres` user when we are root) into a temp directory, a
 * self-signed CA and a server certificate it signs (CN and SAN `localhost`
 * only, so `127.0.0.1` is a wrong host name for verify-full), a second CA
 * that signed nothing, `ssl = on`, `hostssl … trust` and `hostnossl …
 * reject`, listening on 127.0.0.1:`$SQLITCH_TEST_PG_TLS_PORT` (5499).
 *
 * `startTlsCluster()` returns undefined (with the reason) when initdb,
 * pg_ctl or openssl cannot be found or the cluster does not start.
 */

/** A running TLS cluster and the files clients need. */
export interface TlsCluster {
  port: number;
  dir: string;
  /** The CA that signed the server certificate. */
  caCert: string;
  /** A CA that signed nothing (verification must fail with it). */
  otherCaCert: string;
  stop(): Promise<void>;
}

const dec = new TextDecoder();

function which(name: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** The directory holding initdb and pg_ctl (newest /usr/lib/postgresql/N/bin, else PATH). */
function pgBinDir(): string | undefined {
  try {
    const versions = [...Deno.readDirSync("/usr/lib/postgresql")].map((e) => e.name)
      .filter((n) => /^\d+$/.test(n)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const dir = `/usr/lib/postgresql/${v}/bin`;
      try {
        Deno.statSync(`${dir}/initdb`);
        return dir;
      } catch {
        // Next.
      }
    }
  } catch {
    // No Debian layout.
  }
  const initdb = which("initdb");
  return initdb ? initdb.slice(0, initdb.lastIndexOf("/")) : undefined;
}

async function run(cmd: string, args: string[], opts: { asPostgres?: boolean; cwd?: string } = {}) {
  const root = Deno.uid() === 0;
  const [c, a] = opts.asPostgres && root ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [
    cmd,
    args,
  ];
  const r = await new Deno.Command(c, { args: a, cwd: opts.cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (r.code !== 0) {
    throw new Error(
      `${cmd} ${args.join(" ")} failed: ${dec.decode(r.stderr)}${dec.decode(r.stdout)}`,
    );
  }
}

/** Make the CA, the other CA and the server certificate in `dir`. */
async function makeCertificates(dir: string): Promise<void> {
  const ossl = (...args: string[]) => run("openssl", args, { cwd: dir });
  for (const ca of ["ca", "other"]) {
    await ossl(
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "30",
      "-subj",
      `/CN=sqlitch test ${ca} CA`,
      "-keyout",
      `${ca}.key`,
      "-out",
      `${ca}.crt`,
    );
  }
  await ossl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=localhost",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
  );
  Deno.writeTextFileSync(`${dir}/san.ext`, "subjectAltName = DNS:localhost\n");
  await ossl(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "30",
    "-extfile",
    "san.ext",
    "-out",
    "server.crt",
  );
}

/** Start the cluster, or say why it cannot be. */
export async function startTlsCluster(
  port = Number(Deno.env.get("SQLITCH_TEST_PG_TLS_PORT") ?? 5499),
): Promise<TlsCluster | string> {
  const bin = pgBinDir();
  if (!bin) return "initdb not found (/usr/lib/postgresql/*/bin or PATH)";
  if (!which("openssl")) return "openssl not found";
  const dir = await Deno.makeTempDir({ prefix: "sqlitch-tls-cluster-" });
  const data = `${dir}/data`;
  try {
    await makeCertificates(dir);
    Deno.chmodSync(dir, 0o755);
    Deno.mkdirSync(data, { mode: 0o700 });
    if (Deno.uid() === 0) await run("chown", ["-R", "postgres:postgres", dir]);
    await run(`${bin}/initdb`, ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"], {
      asPostgres: true,
    });
    Deno.writeTextFileSync(
      `${data}/postgresql.conf`,
      `\nport = ${port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${dir}'\n` +
        `ssl = on\nssl_cert_file = '${dir}/server.crt'\nssl_key_file = '${dir}/server.key'\n` +
        "fsync = off\nmax_connections = 20\nshared_buffers = 16MB\n",
      { append: true },
    );
    Deno.writeTextFileSync(
      `${data}/pg_hba.conf`,
      "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n",
    );
    await run(`${bin}/pg_ctl`, ["-D", data, "-l", `${dir}/log`, "-w", "-t", "30", "start"], {
      asPostgres: true,
    });
  } catch (e) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    return (e as Error).message;
  }
  return {
    port,
    dir,
    caCert: `${dir}/ca.crt`,
    otherCaCert: `${dir}/other.crt`,
    async stop() {
      await run(`${bin}/pg_ctl`, ["-D", data, "-m", "immediate", "-w", "stop"], {
        asPostgres: true,
      }).catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
