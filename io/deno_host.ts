/**
 * The real Host: Deno's file system, environment, terminal and user
 * account behind the interfaces of core/host.ts.
 */
import type { FileSystem, Host, PathInfo, UserAccount, Writer } from "../core/host.ts";

const encoder = new TextEncoder();

/** A Writer on a Deno file handle that writes everything synchronously. */
function writerFor(file: { writeSync(p: Uint8Array): number }): Writer {
  const writeBytes = (data: Uint8Array) => {
    let bytes = data;
    while (bytes.length > 0) {
      const n = file.writeSync(bytes);
      bytes = bytes.subarray(n);
    }
  };
  return {
    write(text: string) {
      writeBytes(encoder.encode(text));
    },
    writeBytes,
  };
}

/** Run a pager command line through /bin/sh with `text` on its stdin. */
async function runPager(commandLine: string, text: string): Promise<boolean> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("/bin/sh", {
      args: ["-c", commandLine],
      stdin: "piped",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
  } catch {
    return false;
  }
  const writer = child.stdin.getWriter();
  try {
    await writer.write(encoder.encode(text));
    await writer.close();
  } catch {
    // The pager quit before reading everything (e.g. `q` in less).
  }
  await child.status;
  return true;
}

/** The file system through Deno's synchronous API. */
export const denoFileSystem: FileSystem = {
  readText(path: string): string | undefined {
    try {
      return Deno.readTextFileSync(path);
    } catch {
      return undefined;
    }
  },
  readBytes(path: string): Uint8Array | undefined {
    try {
      return Deno.readFileSync(path);
    } catch {
      return undefined;
    }
  },
  writeText(path: string, text: string): void {
    Deno.writeTextFileSync(path, text);
  },
  writeBytes(path: string, bytes: Uint8Array): void {
    Deno.writeFileSync(path, bytes);
  },
  makeTempFile(): string {
    return Deno.makeTempFileSync();
  },
  createExclusive(path: string, text: string): boolean {
    try {
      Deno.writeTextFileSync(path, text, { createNew: true });
      return true;
    } catch (e) {
      if (e instanceof Deno.errors.AlreadyExists) return false;
      throw e;
    }
  },
  rename(from: string, to: string): void {
    Deno.renameSync(from, to);
  },
  remove(path: string): void {
    try {
      Deno.removeSync(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  },
  stat(path: string): PathInfo | undefined {
    try {
      const s = Deno.statSync(path);
      const mtime = s.mtime ? Math.floor(s.mtime.getTime() / 1000) : undefined;
      return { isFile: s.isFile, isDirectory: s.isDirectory, mtime };
    } catch {
      return undefined;
    }
  },
  readLink(path: string): string | undefined {
    try {
      return Deno.readLinkSync(path);
    } catch {
      return undefined;
    }
  },
  mkdirp(path: string): void {
    Deno.mkdirSync(path, { recursive: true });
  },
  readDir(path: string): string[] {
    try {
      return [...Deno.readDirSync(path)].map((e) => e.name).sort();
    } catch {
      return [];
    }
  },
};

/** One /etc/passwd entry. */
interface PasswdEntry {
  name: string;
  uid: number;
  gecos: string;
  home: string;
}

let passwdCache: PasswdEntry[] | undefined;

/** Entries of /etc/passwd (empty where there is none, e.g. Windows). */
function passwd(): PasswdEntry[] {
  if (passwdCache) return passwdCache;
  const text = denoFileSystem.readText("/etc/passwd") ?? "";
  passwdCache = text.split("\n").filter((l) => l && !l.startsWith("#")).map((line) => {
    const f = line.split(":");
    return { name: f[0], uid: Number(f[2]), gecos: f[4] ?? "", home: f[5] ?? "" };
  });
  return passwdCache;
}

/** The user account as the C library would report it. */
const denoUserAccount: UserAccount = {
  loginName(): string | undefined {
    // glibc's getlogin() asks /proc/self/loginuid first; unset is 4294967295.
    const raw = denoFileSystem.readText("/proc/self/loginuid")?.trim();
    if (!raw || raw === "4294967295") return undefined;
    return passwd().find((e) => e.uid === Number(raw))?.name;
  },
  uidName(): string | undefined {
    const uid = Deno.uid();
    if (uid === null) return undefined;
    return passwd().find((e) => e.uid === uid)?.name;
  },
  gecos(user: string): string | undefined {
    return passwd().find((e) => e.name === user)?.gecos;
  },
  home(): string | undefined {
    const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
    if (home) return home;
    const uid = Deno.uid();
    return passwd().find((e) => e.uid === uid)?.home || undefined;
  },
  hostname(): string {
    return Deno.hostname();
  },
};

/** Whether stdout is a regular file or a character device (`/dev/null`); false when unknown. */
function stdoutIsFileOrDevice(): boolean {
  if (Deno.build.os === "windows") return false;
  try {
    const info = Deno.statSync("/dev/stdout");
    return info.isFile || info.isCharDevice === true;
  } catch {
    return false;
  }
}

/** Build the Host for this process. */
export function denoHost(): Host {
  return {
    env: Deno.env.toObject(),
    cwd: () => Deno.cwd(),
    chdir: (dir: string) => Deno.chdir(dir),
    fs: denoFileSystem,
    stdout: writerFor(Deno.stdout),
    stderr: writerFor(Deno.stderr),
    user: denoUserAccount,
    isTerminal: { stdin: Deno.stdin.isTerminal(), stdout: Deno.stdout.isTerminal() },
    get interactive() {
      return Deno.stdin.isTerminal() && (Deno.stdout.isTerminal() || !stdoutIsFileOrDevice());
    },
    async runShell(commandLine: string) {
      try {
        const child = new Deno.Command("/bin/sh", {
          args: ["-c", commandLine],
          stdin: "inherit",
          stdout: "inherit",
          stderr: "inherit",
        }).spawn();
        const status = await child.status;
        return { code: status.code };
      } catch (e) {
        return { code: -1, error: e instanceof Error ? e.message : String(e) };
      }
    },
    async timeZone() {
      const { localTimeZone } = await import("./timezone.ts");
      return localTimeZone(Deno.env.toObject());
    },
    page: runPager,
    os: Deno.build.os,
  };
}
