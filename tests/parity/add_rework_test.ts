/**
 * Parity of `sqitch add` and `sqitch rework` (cli.md §5.1, §5.15;
 * plan-format.md §7, §9; targets-and-uris.md §7) with real Sqitch: the
 * plan lines and scripts written for every option, templates (directories,
 * `--use`, `add.templates.*`, extra script types, `--with`/`--without`,
 * `--set` lists), dependencies, notes (arguments and the editor), several
 * targets, custom layouts, the rework copies and every error.
 *
 * Every scenario runs on a frozen clock so that plan timestamps match.
 */
import { DEFAULT_CLOCK, parityTests, type Scenario, type Step } from "./kit.ts";

const CONF = "[core]\n\tengine = sqlite\n";
const PLAN = "%syntax-version=1.0.0\n%project=flipr\n%uri=https://example.com/flipr\n\n";
const PROJECT = { "sqitch.conf": CONF, "sqitch.plan": PLAN };

/** A plan with a tagged change, ready to be reworked. */
const TAGGED_PLAN = PLAN +
  "users 2026-01-01T00:00:00Z Ann <ann@example.com> # Users.\n" +
  "widgets [users] 2026-01-01T00:00:01Z Ann <ann@example.com> # Widgets.\n" +
  "@v1.0 2026-01-01T00:00:02Z Ann <ann@example.com> # Tag v1.0.\n" +
  "@v1.0-also 2026-01-01T00:00:03Z Ann <ann@example.com>\n";
const SCRIPTS = {
  "deploy/users.sql": "-- deploy users\nCREATE TABLE users (id INT);\n",
  "revert/users.sql": "-- revert users\nDROP TABLE users;\n",
  "verify/users.sql": "-- verify users\nSELECT id FROM users;\n",
  "deploy/widgets.sql": "-- deploy widgets\n",
  "revert/widgets.sql": "-- revert widgets\n",
};
const TAGGED = { "sqitch.conf": CONF, "sqitch.plan": TAGGED_PLAN, ...SCRIPTS };

/** Replace temporary file names (they differ per run) in outputs. */
const tmpNames = (text: string) => text.replace(/\/tmp\/[\w.-]+/g, "<TMP>");

/** A step where Sqitch dies outside its error handler (exit 255 + Perl trace); sqlitch: message, exit 2. */
function dies(argv: string, message: string): Step {
  const escaped = message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return {
    argv,
    expectSqitch: { code: 255, stderr: new RegExp(`^${escaped}\n`) },
    expectSqlitch: { code: 2, stderr: `${message}\n` },
  };
}

/** An editor that saves the prompt it was shown to `file` and writes `note` as the answer. */
function editor(note: string, file = "prompt.txt"): string {
  return `sh -c 'cp "$1" ${file}; printf "%s" "$0" > "$1"' '${note}'`;
}

/** Templates under `tmpl/` printing the variables (with an extra `test` script type). */
const TEMPLATES = {
  "tmpl/deploy/sqlite.tmpl":
    "-- Deploy [% project %]:[% change %] to [% engine %]\n[% FOREACH r IN requires -%]\n-- requires: [% r %]\n[% END -%]\n[% FOREACH c IN conflicts -%]\n-- conflicts: [% c %]\n[% END -%]\n",
  "tmpl/revert/sqlite.tmpl": "-- Revert [% change %]\n",
  "tmpl/verify/sqlite.tmpl": "-- Verify [% change %]\n",
  "tmpl/test/sqlite.tmpl": "-- Test [% change %] [% who %]\n",
  "tmpl/deploy/pg.tmpl": "-- PG deploy [% change %]\n",
  "tmpl/revert/pg.tmpl": "-- PG revert [% change %]\n",
  "tmpl/verify/pg.tmpl": "-- PG verify [% change %]\n",
};

const scenarios: Scenario[] = [
  // --- add: basics ----------------------------------------------------------
  {
    name: "add: changes with dependencies, after init",
    steps: [
      "init flipr --engine sqlite",
      "add users -n 'Creates table to track our users.'",
      "add appschema -m 'App schema.'",
      "add widgets -r users -r appschema -x flips -n 'Adds widgets table.'",
      "add flips -n dup -r users -r users",
    ],
  },
  {
    name: "add: engine-specific default templates",
    steps: [
      "init flipr --engine pg",
      "add users -n pg",
      "config core.engine mysql",
      "add mysqlthing -n my",
      "config core.engine oracle",
      "add orathing -n ora",
    ],
  },
  {
    name: "add: --change, -c and --change-name",
    files: PROJECT,
    steps: [
      "add --change one -n 1",
      "add -c two -n 2",
      "add --change-name three -n 3",
      "add -c four db:sqlite: -n 4",
      "add --change-name=five -n5",
    ],
  },
  {
    name: "add: notes joined, escapes decoded, trimmed, unicode",
    files: PROJECT,
    steps: [
      "add a -n first -n second -m third",
      "add b -n '  spaced out  '",
      "add c -n 'line\\nbreak and \\\\ backslash \\r cr \\t tab'",
      "add d -n 'Ünïcødé — “quotes” 日本語'",
      "add e -n 0",
      "add f -n '# hash' -n '  '",
    ],
  },
  {
    name: "add: a tagged last change gets a blank line first",
    files: { ...PROJECT, "sqitch.plan": TAGGED_PLAN },
    steps: ["add gadgets -r widgets -r @v1.0 -r users@v1.0 -n 'After tag'", "add more -n m"],
  },
  {
    name: "add: cross-project, tag and invalid dependencies",
    files: { ...PROJECT, "sqitch.plan": TAGGED_PLAN },
    steps: [
      "add a -r other:thing -r other:@t1 -x other:x -n 'cross project'",
      "add b -r flipr:users -n 'own project named'",
      "add c -r 'flipr:nosuch' -n 'own project unknown'",
      "add d -r '!bad' -n 'bad dep'",
      "add e -r 'a b' -n 'bad dep'",
      "add f -x nosuch -n 'unknown conflicts are fine'",
    ],
  },
  {
    name: "add: change names with slashes make directories",
    files: PROJECT,
    steps: ["add schema/users -n nested", "add -vv a/b/c -n deeper", "add schema/more -n again"],
  },
  {
    name: "add: existing scripts are skipped",
    files: { ...PROJECT, "deploy/users.sql": "-- mine\n", "verify/users.sql": "" },
    steps: ["add users -n skip"],
  },
  {
    name: "add: quiet and verbose",
    files: PROJECT,
    steps: [
      "--quiet add quiet -n q",
      dies("--quiet add quiet2 -n q --template-directory nope", 'Directory "nope" does not exist'),
      "-v add verbose -n v",
      "add -v verbose2 -n v",
      "-vvv add veryverbose -n vvv",
      "add -q nope -n q",
    ],
  },
  {
    name: "add: an irregular plan is written back as Sqitch writes it",
    files: {
      "sqitch.conf": CONF,
      "sqitch.plan": "%project=flipr\n\n# A comment\n\n  users   2026-01-01T00:00:00Z  Ann " +
        "<ann@example.com>   # A note  \n@v1 2026-01-01T00:00:01Z Ann <ann@example.com>\n" +
        "  # trailing comment\n",
    },
    steps: ["add widgets -r users -n 'After an irregular plan'"],
  },
  {
    name: "add: SQITCH_TARGET and -f with --all",
    files: {
      "sqitch.conf": CONF + '[target "alt"]\n\turi = db:sqlite:alt.db\n\ttop_dir = alt\n' +
        '[engine "pg"]\n\ttarget = db:pg:x\n',
      "sqitch.plan": PLAN,
      "alt/sqitch.plan": PLAN,
      "one.plan": PLAN,
    },
    steps: [
      { argv: "add a -n a", env: { SQITCH_TARGET: "alt" } },
      { argv: "add b -n b -t sqlite", env: { SQITCH_TARGET: "db:pg:y" } },
      "add -vv c --all -f one.plan -n 'one plan, three targets' -t sqlite",
    ],
  },
  // --- add: errors -----------------------------------------------------------
  {
    name: "add: duplicate, reserved, SHA1-like and invalid names",
    files: { ...PROJECT, "sqitch.plan": TAGGED_PLAN },
    steps: [
      "add users -n dup",
      "add HEAD -n reserved",
      "add ROOT -n reserved",
      "add 0123456789abcdef0123456789abcdef01234567 -n sha",
      "add -c 'foo bar' -n blank",
      "add x:y -n colon",
      "add @tag -n at",
      "add hi! -n punct",
      "add 'a\\b' -n backslash",
      "add foo#bar -n hash",
      "add v1.2 -n digits",
      "add -- -dash -n dash",
      "add -n dash -- -dash",
      "add 0 -n 'zero is a name'",
      "add '' -n empty",
    ],
  },
  {
    name: "add: unknown requires",
    files: PROJECT,
    steps: ["add a -r nosuch -n x", "add b -r @nosuch -n x", "add c -r users@v1 -n x"],
  },
  {
    name: "add: argument errors and usage",
    files: { ...PROJECT, "sqitch.conf": CONF + '[target "dev"]\n\turi = db:sqlite:dev.db\n' },
    steps: [
      "add",
      "add a b -n x",
      "add a b c -n x",
      "add sqlite",
      "add dev",
      "add dev -c dev -n 'target and change named alike'",
      "add db:sqlite:x.db",
      "add --nosuch x",
      "add -n",
      "add x --all dev -n x",
      "add --temp x",
    ],
  },
  {
    name: "add/rework: --all without any target",
    files: { "sqitch.conf": "[core]\n\ttop_dir = .\n", "sqitch.plan": TAGGED_PLAN },
    steps: [
      {
        argv: "add x --all -n x",
        expectSqitch: {
          code: 2,
          stderr: /^Can't call method "request_note" on an undefined value at /,
        },
        expectSqlitch: { stderr: "No engine specified; specify via target or core.engine\n" },
      },
      {
        argv: "rework users --all -n x",
        expectSqitch: {
          code: 2,
          stderr: /^Can't call method "request_note" on an undefined value at /,
        },
        expectSqlitch: { stderr: "No engine specified; specify via target or core.engine\n" },
      },
    ],
  },
  {
    name: "add: missing plan file and missing project",
    files: { "sqitch.conf": CONF, "sub/": "" },
    steps: [
      "add x -n x",
      { argv: "add x -n x", cwd: "sub" },
      "add x -n x --plan-file nope/my.plan",
    ],
  },
  {
    name: "add: planner identity from the environment",
    files: PROJECT,
    userConfig: null,
    steps: [
      {
        argv: "add x -n x",
        env: { SQITCH_FULLNAME: "Env Name", SQITCH_EMAIL: "env@example.com" },
      },
      {
        argv: "add y -n y",
        env: { SQITCH_FULLNAME: "Full <Name>", SQITCH_EMAIL: "env@example.com" },
      },
      {
        argv: "add z -n z",
        env: { SQITCH_FULLNAME: "Name", SQITCH_EMAIL: "bad>email" },
      },
      {
        argv: "add x -n dup",
        env: { SQITCH_FULLNAME: "Name", SQITCH_EMAIL: "bad>email" },
      },
    ],
  },
  // --- add: templates --------------------------------------------------------
  {
    name: "add: --template-directory, extra script types, requires/conflicts lists",
    files: { ...PROJECT, ...TEMPLATES },
    steps: [
      "add a -n a --template-directory tmpl",
      "add b -r a -r a -x z -x y -n b --template-directory tmpl -s who=me",
      "add c -n c --template-directory tmpl --without test --without verify",
      "add d -n d --template-directory tmpl -t pg",
      "add e -n e --template pg",
    ],
  },
  {
    name: "add: add.template_directory, add.template_name and add.templates config",
    files: {
      ...PROJECT,
      ...TEMPLATES,
      "sqitch.conf": CONF +
        "[add]\n\ttemplate_directory = tmpl\n\ttemplate_name = pg\n" +
        '[add "templates"]\n\tverify = custom/v.tmpl\n\textra = custom/extra.tmpl\n',
      "custom/v.tmpl": "-- custom verify [% change %]\n",
      "custom/extra.tmpl": "-- extra [% change %]\n",
    },
    steps: [
      "add a -n a",
      "add b -n b --use deploy=custom/v.tmpl --use verify=custom/extra.tmpl",
      "add c -n c --without extra -t sqlite",
    ],
  },
  {
    name: "add: templates in ~/.sqitch/templates and --with",
    files: PROJECT,
    homeFiles: {
      ".sqitch/templates/deploy/sqlite.tmpl": "-- home deploy [% change %]\n",
      ".sqitch/templates/check/sqlite.tmpl": "-- home check [% change %]\n",
      ".sqitch/templates/deploy/custom.tmpl": "-- home custom deploy\n",
    },
    steps: [
      "add a -n a",
      "add b -n b --without check",
      "add c -n c --with check --without revert",
      "add d -n d -t custom",
    ],
  },
  {
    name: "add: --set lists and add.variables",
    files: {
      ...PROJECT,
      "sqitch.conf": CONF + '[add "variables"]\n\tcolor = blue\n\tsize = big\n',
      "t/deploy.tmpl":
        "color=[% color %] size=[% size %]\n[% FOREACH t IN tags %]tag=[% t %]\n[% END %]",
      "t/revert.tmpl": "[% IF flag %]flag on[% ELSE %]flag off[% END %]\n",
      "t/verify.tmpl": "[% change %]\n",
    },
    steps: [
      "add a -n a --use deploy=t/deploy.tmpl --use revert=t/revert.tmpl --use verify=t/verify.tmpl",
      "add b -n b --use deploy=t/deploy.tmpl --use revert=t/revert.tmpl --use verify=t/verify.tmpl -s color=red -s tags=one -s tags=two -s tags=three -s flag=1",
      "add c -n c --use deploy=t/deploy.tmpl --use revert=t/revert.tmpl --use verify=t/verify.tmpl --set tags=solo --set size= -s flag=0",
    ],
  },
  {
    name: "add: template errors",
    files: {
      ...PROJECT,
      "t/file.tmpl": "x\n",
      "t/dir/": "",
      "t/bad.tmpl": "[% IF %]\n",
    },
    steps: [
      dies("add a -n a --template-directory nope", 'Directory "nope" does not exist'),
      dies("add a -n a --template-directory t/file.tmpl", '"t/file.tmpl" is not a directory'),
      dies("add a -n a --use deploy=nope.tmpl", "Template nope.tmpl does not exist"),
      dies("add a -n a --use deploy=t/dir", "Template t/dir is not a file"),
      "add a -n a -t nosuch",
      "add a -n a -t nosuch --without deploy --without revert --without verify",
      "add a -n a --without revert --without verify -t nosuch",
      "add b -n b --use deploy=t/bad.tmpl",
      "add c -n c --use revert=t/bad.tmpl",
    ],
  },
  {
    name: "add: template directory from add config is checked too",
    files: { ...PROJECT, "sqitch.conf": CONF + "[add]\n\ttemplate_directory = missing\n" },
    steps: [dies("add a -n a", 'Directory "missing" does not exist')],
  },
  // --- add: the note editor --------------------------------------------------
  {
    name: "add: note from the editor, prompt shown",
    files: PROJECT,
    normalize: tmpNames,
    steps: [
      {
        argv: "add b4 -n '' --with x",
        env: {
          SQITCH_EDITOR: editor("\n\n# comment\n  # indented comment\nMy note\r\n second  \n\n"),
        },
      },
      { argv: "add a1", env: { SQITCH_EDITOR: editor("Ünï note", "prompt2.txt") } },
      {
        argv: "add c3 -r a1 -x b4",
        env: { SQITCH_EDITOR: editor("line\\\\n not an escape", "prompt3.txt") },
      },
    ],
  },
  {
    name: "add: empty note from the editor aborts, nothing written",
    files: PROJECT,
    normalize: tmpNames,
    steps: [
      { argv: "add x", env: { SQITCH_EDITOR: editor("  \n# only a comment\n\t\n") } },
      { argv: "add y", env: { SQITCH_EDITOR: "true" } },
      { argv: "add z -n ' '", env: { SQITCH_EDITOR: "false" } },
      { argv: "add z", env: { SQITCH_EDITOR: "no-such-editor-here" } },
      { argv: "add z", env: { SQITCH_EDITOR: "sh -c 'exit 3'" } },
    ],
  },
  {
    name: "add: editor from core.editor, VISUAL and EDITOR",
    files: PROJECT,
    env: { VISUAL: editor("from visual", "v.txt"), EDITOR: editor("from editor", "e.txt") },
    steps: [
      "add a",
      { argv: "add b", env: { VISUAL: null } },
      'config core.editor "sh -c \'printf core > \\"\\$0\\"\'"',
      "add c",
    ],
  },
  {
    name: "add: --open-editor and add.open_editor",
    files: PROJECT,
    env: { SQITCH_EDITOR: "echo EDIT" },
    steps: [
      "add a -n a -e",
      "add b -n b --edit --without verify",
      "add 'c' -n c --open-editor",
      "config add.open_editor true",
      "add d -n d",
      "add e -n e --no-edit",
      "add f -n f --no-open-editor",
      { argv: "add g -n g", env: { SQITCH_EDITOR: "false" } },
    ],
  },
  // --- add: targets and layouts ---------------------------------------------
  {
    name: "add: --all with two engines and plan files",
    files: {
      "sqitch.conf": CONF +
        '[engine "sqlite"]\n\tplan_file = sqlite.plan\n\ttop_dir = sqlite\n' +
        '[engine "pg"]\n\tplan_file = pg.plan\n\ttop_dir = pg\n',
      "sqlite.plan": PLAN,
      "pg.plan": PLAN,
    },
    steps: [
      // Sqitch 1.3.1 renders the first target's templates for every target; one name avoids that.
      "add users --all -n 'all plans' -t sqlite",
      "add widgets -a -r users -n 'again' -t sqlite",
      "add gadgets sqlite pg -n 'named engines' -t sqlite",
      "add pgonly pg -n 'pg only'",
      "add tables pg.plan -n 'by plan file'",
      "config add.all true",
      "add configured -n 'add.all' -t sqlite",
      "add configured2 -n 'add.all with --no-all' --no-all -t sqlite",
      "add users -a -n dup -t sqlite",
      {
        argv: "add edited -t sqlite -r users",
        env: { SQITCH_EDITOR: editor("One note\nfor both plans") },
      },
    ],
  },
  {
    // Sqitch 1.3.1 renders the first target's templates for every target
    // (fixed in Sqitch 1.4.1); sqlitch uses each target's own, so the pg
    // scripts differ (tests/cli/add_rework_test.ts checks them).
    name: "add: --all without a template name (pg scripts not compared)",
    files: {
      "sqitch.conf": CONF +
        '[engine "sqlite"]\n\tplan_file = sqlite.plan\n\ttop_dir = sqlite\n' +
        '[engine "pg"]\n\tplan_file = pg.plan\n\ttop_dir = pg\n',
      "sqlite.plan": PLAN,
      "pg.plan": PLAN,
    },
    ignorePaths: ["proj/pg/**"],
    steps: ["add users --all -n 'all plans'"],
  },
  {
    name: "add: two targets sharing a plan file with different directories",
    files: {
      "sqitch.conf": CONF + '[target "alt"]\n\turi = db:sqlite:alt.db\n\tdeploy_dir = altdeploy\n',
      "sqitch.plan": PLAN,
    },
    steps: ["add users db:sqlite: alt -n 'shared plan'", "add more alt -n 'alt only'"],
  },
  {
    name: "add: plan file in a custom location and context options",
    files: {
      "sqitch.conf": CONF + "\tplan_file = plans/my.plan\n",
      "plans/my.plan": PLAN,
      "other.plan": PLAN,
      "top/sqitch.plan": PLAN,
    },
    steps: [
      "add a -n a",
      "add b -n b -f other.plan",
      "add c -n c --plan-file=./other.plan",
      "add d -n d --top-dir top -f top/sqitch.plan",
      "add e -n e --top-dir top",
      "add f -n f plans/my.plan",
    ],
  },
  {
    name: "add: top_dir, script directories and extension from config",
    files: {
      "sqitch.conf": "[core]\n\tengine = sqlite\n\ttop_dir = db\n\textension = ddl\n" +
        "\tverify_dir = tests/verify\n" +
        '[engine "sqlite"]\n\tdeploy_dir = db/up\n',
      "db/sqitch.plan": PLAN,
    },
    steps: ["add a -n a", "add b/c -n nested --with extra"],
  },
  {
    name: "add: a directory that cannot be created",
    files: { ...PROJECT, "deploy/sub": "a file\n" },
    steps: ["add sub/x -n x", "add sub -n plain"],
  },
  // --- rework ----------------------------------------------------------------
  {
    name: "rework: copies the scripts and adds the change (-vv)",
    files: TAGGED,
    steps: [
      "rework -vv users -n 'Rework users'",
      "tag v2.0 -n v2",
      "rework users -n 'Again'",
      "rework -vv widgets -r users -x nope -n 'Widgets reworked'",
    ],
  },
  {
    name: "rework: missing scripts are skipped",
    files: {
      "sqitch.conf": CONF,
      "sqitch.plan": TAGGED_PLAN,
      "deploy/users.sql": SCRIPTS["deploy/users.sql"],
      "deploy/widgets.sql": SCRIPTS["deploy/widgets.sql"],
      "revert/widgets.sql": SCRIPTS["revert/widgets.sql"],
      "verify/": "",
    },
    steps: ["rework -vv users -n 'one file'", "rework -n x -c widgets -vv"],
  },
  {
    name: "rework: errors",
    files: {
      ...TAGGED,
      "sqitch.plan": TAGGED_PLAN + "gadgets 2026-01-01T00:00:04Z Ann <ann@example.com>\n",
      "sqitch.conf": CONF + '[target "dev"]\n\turi = db:sqlite:dev.db\n',
    },
    steps: [
      "rework",
      "rework nosuch -n x",
      "rework gadgets -n x",
      "rework users -r nosuch -n x",
      "rework users -r 'bad dep' -n x",
      "rework users extra -n x",
      "rework dev",
      "rework 0 -n zero",
      "rework users --all dev -n x",
      "rework --nosuch",
      { argv: "rework users", env: { SQITCH_EDITOR: "true" } },
    ],
  },
  {
    name: "rework: note from the editor",
    files: TAGGED,
    normalize: tmpNames,
    steps: [
      {
        argv: "rework users -r widgets",
        env: { SQITCH_EDITOR: editor("Reworked\n\n  by editor") },
      },
      { argv: "rework widgets", env: { SQITCH_EDITOR: "false" } },
    ],
  },
  {
    name: "rework: --open-editor and config",
    files: TAGGED,
    env: { SQITCH_EDITOR: "echo EDIT" },
    steps: [
      "rework users -n x -e",
      "tag v2 -n v2",
      "config add.open_editor true",
      "rework users -n y",
      "tag v3 -n v3",
      "config rework.open_editor false",
      "rework users -n z",
      "tag v4 -n v4",
      "rework users -n w --edit",
    ],
  },
  {
    // Sqitch 1.3.1 sets a note written in the editor on the first plan's
    // change only; sqlitch on every plan's (tests/cli/add_rework_test.ts).
    name: "rework: --all with a note from the editor (second plan not compared)",
    files: {
      "sqitch.conf": CONF +
        '[engine "sqlite"]\n\tplan_file = sqlite.plan\n\ttop_dir = sqlite\n' +
        '[engine "pg"]\n\tplan_file = pg.plan\n\ttop_dir = pg\n',
      "sqlite.plan": TAGGED_PLAN,
      "pg.plan": TAGGED_PLAN,
      "sqlite/deploy/users.sql": "-- sqlite deploy\n",
      "pg/deploy/users.sql": "-- pg deploy\n",
    },
    ignorePaths: ["proj/pg.plan"],
    normalize: tmpNames,
    steps: [{ argv: "rework --all users", env: { SQITCH_EDITOR: editor("Edited") } }],
  },
  {
    name: "rework: reworked directories and extension from config",
    files: {
      ...TAGGED,
      "sqitch.conf": CONF + "\textension = sql\n\treworked_dir = rw\n" +
        "\treworked_verify_dir = rwv\n",
      "rw/deploy/": "",
      "rw/revert/": "",
      "rwv/": "",
    },
    steps: ["rework -vv users -n 'into rw'"],
  },
  {
    name: "rework: reworked directory missing",
    files: { ...TAGGED, "sqitch.conf": CONF + "\treworked_dir = rw\n" },
    steps: [{
      argv: "rework users -n 'no rw dir'",
      // Deliberate divergence: Sqitch ≥ 1.4 creates the missing directory (1.3.1 cannot copy).
      expectSqitch: {
        code: 2,
        stderr: "Cannot copy deploy/users.sql to rw/deploy/users@v1.0.sql: " +
          "No such file or directory\n",
      },
      expectSqlitch: {
        code: 0,
        stdout: 'Added "users [users@v1.0]" to sqitch.plan.\n' +
          "Modify these files as appropriate:\n" +
          "  * deploy/users.sql\n  * revert/users.sql\n  * verify/users.sql\n",
        stderr: "",
      },
      compareTree: false,
    }],
  },
  {
    name: "rework: --all with two plan files, a plan file argument and -f",
    files: {
      "sqitch.conf": CONF +
        '[engine "sqlite"]\n\tplan_file = sqlite.plan\n\ttop_dir = sqlite\n' +
        '[engine "pg"]\n\tplan_file = pg.plan\n\ttop_dir = pg\n',
      "sqlite.plan": TAGGED_PLAN,
      "pg.plan": TAGGED_PLAN,
      "sqlite/deploy/users.sql": "-- sqlite deploy\n",
      "sqlite/revert/users.sql": "-- sqlite revert\n",
      "pg/deploy/users.sql": "-- pg deploy\n",
      "pg/verify/users.sql": "-- pg verify\n",
    },
    steps: [
      "rework -vv --all users -n 'everywhere'",
      "rework widgets pg.plan -n 'pg plan'",
      "rework widgets -f sqlite.plan --top-dir sqlite -n 'sqlite plan'",
    ],
  },
  {
    name: "rework: two targets sharing a plan file",
    files: {
      ...TAGGED,
      "sqitch.conf": CONF +
        '[target "alt"]\n\turi = db:sqlite:alt.db\n\ttop_dir = alt\n\tplan_file = sqitch.plan\n',
      "alt/deploy/users.sql": "-- alt deploy\n",
      "alt/revert/": "",
      "alt/verify/": "",
    },
    steps: ["rework -vv users db:sqlite: alt -n shared"],
  },
  {
    name: "rework: change names with slashes",
    files: {
      ...PROJECT,
      "sqitch.plan": PLAN + "schema/users 2026-01-01T00:00:00Z Ann <ann@example.com>\n" +
        "@v1 2026-01-01T00:00:01Z Ann <ann@example.com>\n",
      "deploy/schema/users.sql": "-- d\n",
      "revert/schema/users.sql": "-- r\n",
      "verify/schema/users.sql": "-- v\n",
    },
    steps: ["rework schema/users -n nested -vv"],
  },
];

parityTests(scenarios.map((sc) => ({ clock: DEFAULT_CLOCK, ...sc })));
