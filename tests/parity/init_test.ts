/**
 * Parity of `init` with real Sqitch: the config file, plan and directories
 * written for every option, and the errors for existing projects.
 */
import { parityTests } from "./kit.ts";

const oneProp = (name: string, argv: string) => ({ name: `init: ${name}`, steps: [argv] });

parityTests([
  oneProp("bare project", "init myproj"),
  oneProp("engine sqlite", "init flipr --engine sqlite"),
  oneProp("engine pg", "init flipr --engine pg"),
  oneProp("engine mysql", "init flipr --engine mysql"),
  oneProp("engine oracle", "init flipr --engine oracle"),
  oneProp("project uri", "init flipr --uri https://example.com/flipr"),
  oneProp("project uri canonical form", "init flipr --uri HTTPS://Example.COM:443/a%7eb"),
  oneProp("named target", "init flipr --engine sqlite --target mydb"),
  oneProp("URI target with password", "init flipr --engine pg --target db:pg://u:secret@h/db"),
  oneProp("target engine differs from --engine", "init flipr --engine sqlite --target db:pg:x"),
  oneProp("registry", "init flipr --engine pg --registry reg"),
  oneProp("client", "init flipr --engine mysql --client /usr/bin/mysql"),
  oneProp("all engine keys", "init flipr --engine pg --target db:pg:x --registry r --client c"),
  oneProp("top dir", "init flipr --engine sqlite --top-dir migrations"),
  oneProp("plan file", "init flipr --engine sqlite --plan-file plans/my.plan"),
  oneProp("plan file -f with ./", "init flipr -f ./my.plan"),
  oneProp("extension", "init flipr --engine sqlite --extension ddl"),
  oneProp(
    "script dirs",
    "init flipr --engine sqlite --dir deploy=dep --dir revert=rev --dir verify=ver " +
      "--dir reworked_deploy=rwd",
  ),
  oneProp("reworked dir", "init flipr --engine sqlite --dir reworked=rw"),
  oneProp("top dir ignores --dir for directories", "init flipr --top-dir t --dir deploy=d"),
  oneProp("one variable", "init flipr --engine sqlite -s foo=bar"),
  oneProp(
    "everything",
    "init myproj --engine pg --uri https://example.com/myproj " +
      "--target db:pg://user:secret@localhost/mydb --registry reg --client /usr/bin/psql " +
      "--extension ddl --top-dir migrations --plan-file migrations/my.plan " +
      "--dir deploy=migrations/dep --dir reworked=migrations/rw -s foo=bar",
  ),
  { name: "init: twice prints nothing", steps: ["init flipr --engine sqlite", "init flipr"] },
  {
    name: "init: engine from the user config",
    homeFiles: {
      ".sqitch/sqitch.conf": "[user]\n\tname = P\n\temail = p@x\n[core]\n\tengine = pg\n",
    },
    steps: ["init flipr"],
  },
  {
    name: "init: engine target from the user config",
    homeFiles: {
      ".sqitch/sqitch.conf": '[core]\n\tengine = pg\n[engine "pg"]\n\ttarget = db:pg:conf\n',
    },
    steps: ["init flipr"],
  },
  {
    name: "init: existing config is left alone",
    files: { "sqitch.conf": "# mine\n[core]\n\tengine = sqlite\n" },
    steps: ["init flipr"],
  },
  {
    name: "init: existing plan of the same project",
    files: { "sqitch.plan": "%syntax-version=1.0.0\n%project=flipr\n\n" },
    steps: ["init flipr --engine sqlite"],
  },
  {
    name: "init: invalid project names",
    steps: ["init 'a b'", "init -- -x", "init x:y", "init 'x\\y'", "init a@b", "init hi!"],
  },
  { name: "init: missing project name", steps: ["init", "init --engine sqlite"] },
  {
    name: "init: unknown engine",
    steps: [{
      argv: "init flipr --engine nosuch",
      sqitchCode: 255,
      expectSqitch: { stderr: /^Unknown engine "nosuch"\n\nTrace begun/ },
      expectSqlitch: { code: 2, stderr: 'Unknown engine "nosuch"\n' },
    }],
  },
  {
    name: "init: unknown directory names",
    steps: [{
      argv: "init flipr --dir bogus=x --dir nope=y",
      sqitchCode: 255,
      expectSqitch: { stderr: /^Unknown directory names: bogus, nope\n\nTrace begun/ },
      expectSqlitch: { code: 2, stderr: "Unknown directory names: bogus, nope\n" },
    }],
  },
  {
    name: "init: plan of another project",
    files: { "sqitch.plan": "%syntax-version=1.0.0\n%project=other\n\n" },
    steps: ["init flipr"],
  },
  {
    name: "init: plan path is not a plan",
    files: { "sqitch.plan": "hello\n" },
    steps: ["init flipr"],
  },
  {
    name: "init: plan path is a directory",
    files: { "sqitch.plan/x": "" },
    steps: ["init flipr"],
  },
  {
    name: "init: SQITCH_CONFIG names the config file",
    steps: [{ argv: "init flipr --engine sqlite", env: { SQITCH_CONFIG: "custom.conf" } }],
  },
  {
    name: "init: --quiet prints nothing",
    steps: ["init flipr --engine sqlite --quiet"],
  },
]);
