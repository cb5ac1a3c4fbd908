/**
 * engines/client_process.ts with fake clients (shell scripts in a temp
 * directory): the argv, environment, stdin and working directory a client
 * gets, its output streamed to the ScriptOutput, and Sqitch's messages for
 * a non-zero exit, a signal and a client that cannot be executed.
 */
import { deepStrictEqual, equal, ok, rejects } from "node:assert/strict";
import { CapturedOutput, ScriptError } from "../../engines/engine.ts";
import {
  captureClient,
  type ClientCommand,
  runClient,
  spawnFailureReason,
} from "../../engines/client_process.ts";

/** A fake client that logs its argv, cwd, one env var and stdin, then obeys $FAKE_ACT. */
const FAKE = `#!/bin/sh
log="$FAKE_LOG"
{ printf 'argv:'; for a in "$@"; do printf ' [%s]' "$a"; done; echo
  echo "cwd: $(pwd)"; echo "extra: \${FAKE_EXTRA-unset}"; } >> "$log"
case "$FAKE_ACT" in
  stdin) printf 'stdin: ' >> "$log"; cat >> "$log"; echo >> "$log" ;;
  exit) echo "to stdout"; echo "to stderr" >&2; exit "$FAKE_CODE" ;;
  kill) kill -"$FAKE_SIGNAL" $$ ;;
  big) i=0; while [ $i -lt 2000 ]; do
         echo "out line $i with some padding to make it longer than a pipe buffer"
         echo "err line $i with some padding to make it longer than a pipe buffer" >&2
         i=$((i + 1)); done ;;
  env) echo "$PATH" ;;
  utf8) printf 'caf\\303\\251 \\342\\202\\254\\n' ;;
  *) echo "hello from stdout"; echo "hello from stderr" >&2 ;;
esac
`;

interface Fixture {
  dir: string;
  client: string;
  log: string;
}

async function withFake(fn: (f: Fixture) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sqlitch-client-" });
  try {
    const client = `${dir}/fake client`;
    await Deno.writeTextFile(client, FAKE);
    await Deno.chmod(client, 0o755);
    await fn({ dir, client, log: `${dir}/log` });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function cmd(f: Fixture, act: string, extra: Partial<ClientCommand> = {}): ClientCommand {
  return {
    client: f.client,
    args: [],
    ...extra,
    env: { FAKE_LOG: f.log, FAKE_ACT: act, ...extra.env },
  };
}

async function expectScriptError(
  promise: Promise<unknown>,
  message: string,
  status: number,
  script?: string,
): Promise<void> {
  await rejects(promise, (e: unknown) => {
    ok(e instanceof ScriptError, `expected ScriptError, got ${e}`);
    equal(e.message, message);
    equal(e.status, status);
    equal(e.exitCode, 2);
    equal(e.trailingBlankLine, true);
    if (script !== undefined) equal(e.script, script);
    return true;
  });
}

Deno.test("client_process: argv without a shell, env added, cwd, output streamed", async () => {
  await withFake(async (f) => {
    const out = new CapturedOutput();
    await runClient(
      cmd(f, "", {
        args: ["-x", "two words", "", 'it\'s "quoted"', "$HOME", "*"],
        env: { FAKE_EXTRA: "yes" },
        cwd: f.dir,
      }),
      out,
    );
    equal(out.out, "hello from stdout\n");
    equal(out.err, "hello from stderr\n");
    const log = await Deno.readTextFile(f.log);
    equal(
      log,
      `argv: [-x] [two words] [] [it's "quoted"] [$HOME] [*]\ncwd: ${f.dir}\nextra: yes\n`,
    );
  });
});

Deno.test("client_process: the inherited environment stays", async () => {
  await withFake(async (f) => {
    const out = new CapturedOutput();
    await runClient(cmd(f, "env"), out);
    ok((await Deno.readTextFile(f.log)).includes("extra: unset\n"));
    equal(out.out, `${Deno.env.get("PATH")}\n`);
  });
});

Deno.test("client_process: stdin text, bytes and null", async () => {
  await withFake(async (f) => {
    await runClient(cmd(f, "stdin", { stdin: "line one\nline two" }), new CapturedOutput());
    await runClient(
      cmd(f, "stdin", { stdin: new TextEncoder().encode("bytes") }),
      new CapturedOutput(),
    );
    await runClient(cmd(f, "stdin", { stdin: "null" }), new CapturedOutput());
    const log = (await Deno.readTextFile(f.log)).split("\n").filter((l) =>
      l.startsWith("stdin:") || l === "line two"
    );
    deepStrictEqual(log, ["stdin: line one", "line two", "stdin: bytes", "stdin: "]);
  });
});

Deno.test("client_process: a client that ignores its stdin is fine", async () => {
  await withFake(async (f) => {
    const out = new CapturedOutput();
    await runClient(cmd(f, "", { stdin: "x".repeat(1 << 20) }), out);
    equal(out.out, "hello from stdout\n");
  });
});

Deno.test("client_process: a non-zero exit is Sqitch's message, output kept", async () => {
  await withFake(async (f) => {
    const out = new CapturedOutput();
    await expectScriptError(
      runClient(cmd(f, "exit", { env: { FAKE_CODE: "3" } }), out, "deploy/x.sql"),
      `"${f.client}" unexpectedly returned exit value 3`,
      3,
      "deploy/x.sql",
    );
    equal(out.out, "to stdout\n");
    equal(out.err, "to stderr\n");
    await expectScriptError(
      runClient(cmd(f, "exit", { env: { FAKE_CODE: "255" } }), new CapturedOutput()),
      `"${f.client}" unexpectedly returned exit value 255`,
      255,
      f.client,
    );
  });
});

Deno.test("client_process: death by signal", async () => {
  await withFake(async (f) => {
    await expectScriptError(
      runClient(cmd(f, "kill", { env: { FAKE_SIGNAL: "TERM" } }), new CapturedOutput()),
      `"${f.client}" died to signal "TERM" (15)`,
      -1,
    );
    await expectScriptError(
      runClient(cmd(f, "kill", { env: { FAKE_SIGNAL: "KILL" } }), new CapturedOutput()),
      `"${f.client}" died to signal "KILL" (9)`,
      -1,
    );
  });
});

Deno.test("client_process: a client that cannot be executed", async () => {
  await withFake(async (f) => {
    await expectScriptError(
      runClient({ client: `${f.dir}/nosuch`, args: [] }, new CapturedOutput(), "s.sql"),
      `"${f.dir}/nosuch" failed to start: "No such file or directory"`,
      -1,
      "s.sql",
    );
    await expectScriptError(
      runClient({ client: "sqlitch-no-such-client-anywhere", args: [] }, new CapturedOutput()),
      `"sqlitch-no-such-client-anywhere" failed to start: "No such file or directory"`,
      -1,
    );
    await Deno.writeTextFile(`${f.dir}/plain`, "#!/bin/sh\necho hi\n");
    await expectScriptError(
      runClient({ client: `${f.dir}/plain`, args: [] }, new CapturedOutput()),
      `"${f.dir}/plain" failed to start: "Permission denied"`,
      -1,
    );
    await expectScriptError(
      runClient({ client: f.dir, args: [] }, new CapturedOutput()),
      `"${f.dir}" failed to start: "Permission denied"`,
      -1,
    );
    await expectScriptError(
      captureClient({ client: `${f.dir}/nosuch`, args: [] }, () => {}),
      `"${f.dir}/nosuch" failed to start: "No such file or directory"`,
      -1,
    );
  });
});

Deno.test("client_process: spawn failure reasons in the C library's words", () => {
  equal(
    spawnFailureReason(Object.assign(new Error("x"), { code: "ENOENT" })),
    "No such file or directory",
  );
  equal(
    spawnFailureReason(new Error("Failed to spawn 'x': Text file busy (os error 26)")),
    "Text file busy",
  );
  equal(
    spawnFailureReason(new Deno.errors.NotFound("entity not found")),
    "No such file or directory",
  );
  equal(spawnFailureReason(new Error("odd")), "odd");
});

Deno.test("client_process: captureClient returns stdout, passes stderr on", async () => {
  await withFake(async (f) => {
    let err = "";
    const text = await captureClient(cmd(f, ""), (chunk) => err += chunk);
    equal(text, "hello from stdout\n");
    equal(err, "hello from stderr\n");
    await expectScriptError(
      captureClient(cmd(f, "exit", { env: { FAKE_CODE: "1" } }), () => {}),
      `"${f.client}" unexpectedly returned exit value 1`,
      1,
    );
  });
});

Deno.test("client_process: lots of output on both streams, UTF-8 intact", async () => {
  await withFake(async (f) => {
    const out = new CapturedOutput();
    await runClient(cmd(f, "big"), out);
    const outLines = out.out.split("\n");
    const errLines = out.err.split("\n");
    equal(outLines.length, 2001);
    equal(errLines.length, 2001);
    equal(outLines[1999], "out line 1999 with some padding to make it longer than a pipe buffer");
    equal(errLines[0], "err line 0 with some padding to make it longer than a pipe buffer");
    const utf8 = new CapturedOutput();
    await runClient(cmd(f, "utf8"), utf8);
    equal(utf8.out, "café €\n");
  });
});
