/**
 * Change and tag IDs: every worked example of ids.md §5 (vectors A–H),
 * the INFO bodies and their byte lengths, the script hash, and IDs of edge
 * cases observed with Sqitch 1.3.1 (year 0000, leap seconds, `%uri` without
 * a value, a "0" conflict list).
 */
import assert from "node:assert/strict";
import { changeInfo, objectId, parsePlan, type Plan, scriptHash } from "../../../core/plan/mod.ts";
import { changeChainIds, tagId } from "../../../core/plan/ids.ts";
import { generatePlan } from "../../../scripts/gen_plan.ts";

const enc = new TextEncoder();

/** name → ID for every change (`name`, `name#2` for a rework) and tag (`@name`). */
function ids(plan: Plan): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of plan.changes) {
    let key = c.name;
    for (let n = 2; key in out; n++) key = `${c.name}#${n}`;
    out[key] = c.id;
    for (const t of c.tags) out[`@${t.name}`] = t.id;
  }
  return out;
}

const VECTOR_A = `%syntax-version=1.0.0
%project=idsdemo

users 2024-01-15T10:00:00Z Ann Planner <ann@example.com> # Create users.
widgets [users !legacy:old_widgets] 2024-01-15T10:05:00Z Ann Planner <ann@example.com> # Widgets need users.
@v1.0 2024-01-15T11:00:00Z Ann Planner <ann@example.com> # Release 1.0.

gadgets [widgets@v1.0 other:thing] 2024-01-16T09:00:00Z Bjørn Ødegård <bjorn@example.com> # Ünïcödé nøte ☃ 日本語
users [users@v1.0] 2024-01-16T09:30:00Z Ann Planner <ann@example.com> # Rework users.\\n\\nSecond paragraph.
nonote 2024-01-16T09:45:00Z Ann Planner <ann@example.com>
@v1.1 2024-01-16T10:00:00Z Ann Planner <ann@example.com>
`;

Deno.test("ids: vector A (requires, conflicts, notes, unicode, rework, tags)", () => {
  const plan = parsePlan(VECTOR_A, "sqitch.plan");
  assert.deepEqual(ids(plan), {
    users: "e46a3df41417d4dc2c21de880491e92776f5525f",
    widgets: "790faf30be62f755bea85959078f2065435f9388",
    "@v1.0": "0642bda00894386abc2a25a57a56185da77d0cdb",
    gadgets: "3c70f305495761229cd82ae2e5a9d59b7f8fed9b",
    "users#2": "58d2c3987986abfdcd291fcbfd614e4c70b5a417",
    nonote: "212632d4dc80e4f6c34e7245d369ec568c3f3375",
    "@v1.1": "99148a9665a11c538a37f25d8c65a9fd3d87fe9a",
  });
  const [users, widgets, gadgets, rework, nonote] = plan.changes;
  const v10 = widgets.tags[0];
  const v11 = nonote.tags[0];
  assert.equal(
    users.info,
    "project idsdemo\nchange users\nplanner Ann Planner <ann@example.com>\n" +
      "date 2024-01-15T10:00:00Z\n\nCreate users.",
  );
  assert.equal(
    widgets.info,
    "project idsdemo\nchange widgets\nparent e46a3df41417d4dc2c21de880491e92776f5525f\n" +
      "planner Ann Planner <ann@example.com>\ndate 2024-01-15T10:05:00Z\nrequires\n  + users\n" +
      "conflicts\n  - legacy:old_widgets\n\nWidgets need users.",
  );
  assert.equal(
    v10.info,
    "project idsdemo\ntag @v1.0\nchange 790faf30be62f755bea85959078f2065435f9388\n" +
      "planner Ann Planner <ann@example.com>\ndate 2024-01-15T11:00:00Z\n\nRelease 1.0.",
  );
  assert.equal(
    gadgets.info,
    "project idsdemo\nchange gadgets\nparent 790faf30be62f755bea85959078f2065435f9388\n" +
      "planner Bjørn Ødegård <bjorn@example.com>\ndate 2024-01-16T09:00:00Z\nrequires\n" +
      "  + widgets@v1.0\n  + other:thing\n\nÜnïcödé nøte ☃ 日本語",
  );
  assert.equal(
    rework.info,
    "project idsdemo\nchange users\nparent 3c70f305495761229cd82ae2e5a9d59b7f8fed9b\n" +
      "planner Ann Planner <ann@example.com>\ndate 2024-01-16T09:30:00Z\nrequires\n" +
      "  + users@v1.0\n\nRework users.\n\nSecond paragraph.",
  );
  assert.equal(
    nonote.info,
    "project idsdemo\nchange nonote\nparent 58d2c3987986abfdcd291fcbfd614e4c70b5a417\n" +
      "planner Ann Planner <ann@example.com>\ndate 2024-01-16T09:45:00Z",
  );
  assert.equal(
    v11.info,
    "project idsdemo\ntag @v1.1\nchange 212632d4dc80e4f6c34e7245d369ec568c3f3375\n" +
      "planner Ann Planner <ann@example.com>\ndate 2024-01-16T10:00:00Z",
  );
  // The `kind <bytes>\0` headers of the table.
  const lengths = [users, widgets, v10, gadgets, rework, nonote, v11].map((o) =>
    enc.encode(o.info).length
  );
  assert.deepEqual(lengths, [107, 215, 151, 224, 198, 141, 137]);
  // Rework: the first instance uses the @v1.0 scripts.
  assert.deepEqual(users.reworkTags.map((t) => t.name), ["v1.0"]);
});

Deno.test("ids: vector A's dependency project and self-check", () => {
  const other = parsePlan(
    "%syntax-version=1.0.0\n%project=other\n\nthing 2024-01-01T00:00:00Z O <o@example.com>\n",
    "sqitch.plan",
  );
  assert.equal(other.changes[0].id, "eb8a1fdf4b58861a2fee709a49851947dd779f8a");
  assert.equal(
    objectId(
      "change",
      "project idsdemo\nchange users\nplanner Ann Planner <ann@example.com>\n" +
        "date 2024-01-15T10:00:00Z\n\nCreate users.",
    ),
    "e46a3df41417d4dc2c21de880491e92776f5525f",
  );
});

Deno.test("ids: script hashes are SHA-1 of the raw deploy script bytes", () => {
  assert.equal(
    scriptHash(enc.encode("CREATE TABLE users (id INTEGER PRIMARY KEY);\n")),
    "4a0c592fb274ea6cc0a21ce728d38dd4162bf1b6",
  );
  assert.equal(
    scriptHash(enc.encode("ALTER TABLE users ADD COLUMN name TEXT;\n")),
    "4723aab17142edf48fa240f5a9cf2e02d646583d",
  );
  assert.equal(scriptHash(new Uint8Array()), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
});

const VECTOR_B = (uri: string) =>
  `%syntax-version=1.0.0
%project=uridemo
%uri=${uri}

first 2024-02-01T12:00:00Z Carol <carol@example.com> # With a project URI.
@alpha 2024-02-01T12:30:00Z Carol <carol@example.com> # Alpha.
`;

Deno.test("ids: vector B (%uri, hashed in canonical form)", () => {
  for (const uri of ["https://example.com/uridemo/", "HTTPS://Example.COM:443/uridemo/"]) {
    const plan = parsePlan(VECTOR_B(uri), "sqitch.plan");
    assert.deepEqual(ids(plan), {
      first: "63ff91011f4d5ea49ad163c07c8ffbb52d95a8c9",
      "@alpha": "9593bd65e44488f411dd74e9a444f856d883f903",
    });
    assert.equal(plan.uri, uri, "the raw value is kept for the registry");
    assert.equal(
      plan.changes[0].tags[0].info,
      "project uridemo\nuri https://example.com/uridemo/\ntag @alpha\n" +
        "change 63ff91011f4d5ea49ad163c07c8ffbb52d95a8c9\nplanner Carol <carol@example.com>\n" +
        "date 2024-02-01T12:30:00Z\n\nAlpha.",
    );
    assert.equal(enc.encode(plan.changes[0].info).length, 142);
    assert.equal(enc.encode(plan.changes[0].tags[0].info).length, 175);
  }
});

Deno.test("ids: vector C (padding, escapes, own-project prefix, two tags)", () => {
  const plan = parsePlan(
    `%syntax-version=1.0.0
%project=vec
%uri=https://example.org/vec

  + base   2024-03-01T00:00:00Z Dee  <dee@example.com>    #   padded note   
esc [vec:base] 2024-03-01T00:00:01Z Dee <dee@example.com> # back\\\\slash, cr\\r, lf\\n, tab\\t
@t1 2024-03-01T00:00:02Z Dee <dee@example.com> # first tag
@t2 2024-03-01T00:00:03Z Dee <dee@example.com>
`,
    "sqitch.plan",
  );
  assert.deepEqual(ids(plan), {
    base: "bfb22628a0d9eb0647f01d43d0a386a9d6d3c555",
    esc: "a65624624a38217b5e79d690deee77bea65d542e",
    "@t1": "33197b67af8f9d553cf02e9e98fd2acf5e24d10d",
    "@t2": "80d1ad37286ff427002a83a7ac7f10fb26606037",
  });
  const [base, esc] = plan.changes;
  assert.equal(base.plannerName, "Dee ");
  assert.equal(
    base.info,
    "project vec\nuri https://example.org/vec\nchange base\nplanner Dee  <dee@example.com>\n" +
      "date 2024-03-01T00:00:00Z\n\npadded note",
  );
  assert.equal(esc.note, "back\\slash, cr\r, lf\n, tab\\t");
  assert.equal(
    Array.from(enc.encode(esc.note), (b) => b.toString(16).padStart(2, "0")).join("")
      .toUpperCase(),
    "6261636B5C736C6173682C2063720D2C206C660A2C207461625C74",
  );
  assert.equal(esc.requires[0].asString(plan.project), "base");
  assert.deepEqual([base, esc, ...esc.tags].map((o) => enc.encode(o.info).length), [
    121,
    201,
    162,
    151,
  ]);
  assert.equal(esc.formatNameWithTags(), "esc @t1 @t2");
});

Deno.test("ids: vector D (several requires and conflicts, two tags)", () => {
  const plan = parsePlan(
    `%syntax-version=1.0.0
%project=sep

a 2014-01-01T00:00:00Z A <a@x>
b 2014-01-01T00:00:01Z A <a@x>
c [a b !ext:z !ext:y] 2014-01-01T00:00:02Z A <a@x> # multi
@t1 2014-01-01T00:00:03Z A <a@x>
@t2 2014-01-01T00:00:04Z A <a@x>
`,
    "sqitch.plan",
  );
  assert.deepEqual(ids(plan), {
    a: "09c80bd46689426710155b4f3fb6d2add2b9629b",
    b: "cd0da3b45670cb01a26a1d35b19a329c5f27e9e2",
    c: "4ff45108f2ccf05cfc8def4e195deae6c7dde9f7",
    "@t1": "10d5fe6fb2f3b331b34bcdbeaa0fa21ebe66cd9d",
    "@t2": "442cf888eba94b6832f86cc83bdee9e90f7661b8",
  });
  const c = plan.changes[2];
  assert.equal(
    c.info,
    "project sep\nchange c\nparent cd0da3b45670cb01a26a1d35b19a329c5f27e9e2\nplanner A <a@x>\n" +
      "date 2014-01-01T00:00:02Z\nrequires\n  + a\n  + b\nconflicts\n  - ext:z\n  - ext:y\n\nmulti",
  );
  assert.deepEqual([c, ...c.tags].map((o) => enc.encode(o.info).length), [168, 109, 109]);
});

const FLIPR = `%syntax-version=1.0.0
%project=flipr
%uri=https://github.com/example/flipr/

users 2013-12-30T22:59:30Z Marge Simpson <marge@example.com> # Creates table to track our users.
flips [users] 2013-12-30T23:00:14Z Marge Simpson <marge@example.com> # Adds table for storing flips.
@v1.0 2013-12-31T00:00:00Z Marge Simpson <marge@example.com> # Tag v1.0.

hashtags [flips !otherproj:userfoo] 2014-01-01T10:11:12Z Marge Simpson <marge@example.com> # Adds table for hashtags.
`;

Deno.test("ids: vector E (flipr)", () => {
  const plan = parsePlan(FLIPR, "sqitch.plan");
  assert.deepEqual(ids(plan), {
    users: "ea08e97e01526eb5d9e9bd7baaa567f8920ae4ce",
    flips: "24f357163e5cffe5472432475100f71ef5e33389",
    "@v1.0": "7ab93419f7e805f86526633bed34d96801fb3982",
    hashtags: "a0d5c7cd4d9ceeb1fd7f31e047dea4f676ae7432",
  });
  const [users, flips, hashtags] = plan.changes;
  assert.deepEqual([users, flips, flips.tags[0], hashtags].map((o) => enc.encode(o.info).length), [
    167,
    230,
    188,
    260,
  ]);
  const more = parsePlan(
    FLIPR + "bad 2014-01-02T00:00:00Z Marge Simpson <marge@example.com> # Fails.\n",
    "sqitch.plan",
  );
  const bad = more.changes[3];
  assert.equal(bad.id, "c55dba7797bfb57d46efd4ed522554c220b94404");
  assert.equal(enc.encode(bad.info).length, 186);
});

Deno.test("ids: vector F (written by sqitch add/tag/rework)", () => {
  const plan = parsePlan(
    `%syntax-version=1.0.0
%project=flipr
%uri=https://github.com/example/flipr/

users 2026-11-23T23:30:29Z Marge Simpson <marge@example.com> # Creates table to track our users.
flips [users] 2026-11-23T23:30:30Z Marge Simpson <marge@example.com> # Adds table for storing flips.
@v1.0 2026-11-23T23:30:30Z Marge Simpson <marge@example.com> # Tag v1.0.

hashtags [flips !otherproj:userfoo] 2026-11-23T23:30:31Z Marge Simpson <marge@example.com> # Adds table for hashtags.
users [users@v1.0] 2026-11-23T23:30:51Z Marge Simpson <marge@example.com> # Reworked users
@v1.1 2026-11-23T23:30:51Z Marge Simpson <marge@example.com> # Tag v1.1
hashtags [hashtags@v1.1] 2026-11-23T23:30:51Z Marge Simpson <marge@example.com> # Adds column to hashtags.
`,
    "sqitch.plan",
  );
  assert.deepEqual(ids(plan), {
    users: "8a87d19db23c95f30dc3da7b2fe974718afc13a7",
    flips: "3e92e8ae7d12e95600c9615fa7203ce3394290a9",
    "@v1.0": "d0ce00004770f19eb971827e74efae0dff6eb3b3",
    hashtags: "9102586ef03731d952dd2e1904cede97a754bfb1",
    "users#2": "5894f136ed808670014c6d4d4c83fba15d0ea0f1",
    "@v1.1": "99141fc88db1fd3456ce6e0da4c334a06c9fe0fa",
    "hashtags#2": "1875ce0fc9092473dbbccff0b40fa0062d2394a2",
  });
});

// Vector G: Sqitch 1.3.1's own test plans (t/plans/*.plan in the Sqitch
// repository, MIT licence), reproduced byte for byte as test data.
const SQITCH_TEST_PLANS: Record<string, [string, Record<string, string>]> = {
  pragmas: [
    "% syntax-version=1.0.0\n  %foo = bar    # lolz\n% project=pragmata\n" +
    "% uri=https://github.com/sqitchers/sqitch/\n% strict\n\n" +
    "hey 2012-07-16T17:25:07Z Barack Obama <potus@whitehouse.gov>\n" +
    "you 2012-07-16T17:25:07Z Barack Obama <potus@whitehouse.gov>\n\n",
    {
      hey: "58ea1ba683f32f584fc623e3686e1e5b61401d29",
      you: "57359c015fadb2f21d6212a299af2d3ae4147a4c",
    },
  ],
  multi: [
    "%project=multi\n# This is a note\n\n# And there was a blank line.\n\n" +
    "hey 2012-07-16T17:25:07Z theory <t@heo.ry>\nyou 2012-07-16T17:25:07Z anna <a@n.na>\n" +
    "@foo 2012-07-16T17:24:07Z julie <j@ul.ie> # look, a tag!\n   \n" +
    "this/rocks  2012-07-16T17:25:07Z Barack Obama <potus@whitehouse.gov>\n" +
    "hey-there 2012-07-16T17:25:07Z Barack Obama <potus@whitehouse.gov> # trailing note!\n" +
    "@bar 2012-07-16T17:25:07Z Barack Obama <potus@whitehouse.gov>\n" +
    "@baz 2012-07-16T17:25:07Z Barack Obama <potus@whitehouse.gov>\n",
    {
      hey: "6702dba9c7469fd4ceed3aa9760849fe782b58e1",
      you: "3ffe914071b935fad2ac4cf70db30345584e429a",
      "@foo": "c6a32df8147b93950aaf18373fe2025f46b8e60b",
      "this/rocks": "460663c3868b17d6633585d0ce857a334adc436c",
      "hey-there": "d20ed8e5668a194b930dd35c98227afac9b12dcd",
      "@bar": "e5a2490ce4bc6154bddc509ffb7960f3874662d5",
      "@baz": "38fc3f570df65025311f204c53e1f8ff7e06226a",
    },
  ],
  dependencies: [
    "%project=dependencies\n\n" +
    "+roles 2012-07-16T17:25:07Z Barack Obama <potus@whitehouse.gov>\n" +
    "+users    [roles] 2012-07-16T17:25:07Z Barack Obama <potus@whitehouse.gov>\n" +
    "+add_user [users  roles] 2012-07-16T17:25:07Z Barack Obama <potus@whitehouse.gov>\n" +
    "+dr_evil 2012-07-16T17:25:07Z Barack Obama <potus@whitehouse.gov>\n" +
    "@alpha 2012-07-16T17:25:07Z Barack Obama <potus@whitehouse.gov>\n\n" +
    "+users [users@alpha] 2012-07-16T17:25:07Z Barack Obama <potus@whitehouse.gov>\n" +
    "-dr_evil 2012-07-16T17:25:07Z Barack Obama <potus@whitehouse.gov>\n" +
    "+del_user [!dr_evil users] 2012-07-16T17:25:07Z Barack Obama <potus@whitehouse.gov>\n\n",
    {
      roles: "5869c0cb2a18a9f5977a34687ff7909da12e6f9a",
      users: "1ac20b6ebffe02dd2af9224d0b0f566390894461",
      add_user: "0840e1497f72829c8fb9560ff27eb735680c4069",
      dr_evil: "3af6fe7950e02d2f12f44c88fcbe682dd0dd759c",
      "@alpha": "2e165bcd88ddfa75c7cdd82c8262519da3789a31",
      "users#2": "f2629183427361db183ebcee96454c7095352d2b",
      "dr_evil#2": "db6a52edf0b24c382df7bf6c6a2b4ddd6448d98f",
      del_user: "2ecb621ce57e55d2ec0daa667bda4b41285ee106",
    },
  ],
  dos: [
    "%project=dos\r\n# This is a note\r\n\r\n# And there was a blank line.\r\n\r\n" +
    "hey 2012-07-16T17:25:07Z Barack Obama <potus@whitehouse.gov>\r\n" +
    "you 2012-07-16T17:25:07Z Barack Obama <potus@whitehouse.gov>\r\n" +
    "whatwhatwhat 2012-07-16T17:25:07Z Barack Obama <potus@whitehouse.gov>\r\n",
    {
      hey: "a60f0ec93ff31c815950a922dfa837ef0c2c3751",
      you: "28fe5ab14aec77c0ac209d9ca5faeec41a1f8f09",
      whatwhatwhat: "1b9733f0aaefe77d735b296c9e4eb869973e0e81",
    },
  ],
  widgets: [
    "%project=widgets\n# This is a note\n\n # And there was a blank line.\n\n" +
    "hey 2012-07-16T14:01:20Z Barack Obama <potus@whitehouse.gov>\n" +
    "you 2012-07-16T14:01:35Z Barack Obama <potus@whitehouse.gov>\n" +
    "@foo 2012-07-16T14:02:05Z Barack Obama <potus@whitehouse.gov> # look, a tag!\n",
    {
      hey: "c5767760a871879f33286e7728c11bea6e4ca87c",
      you: "44afe9f6163d7524ef45392fe4cb154ff951ef85",
      "@foo": "d0010e9fbc6ec5ec13d46292b15035fc1dd079fe",
    },
  ],
};

Deno.test("ids: vector G (Sqitch's own test plans)", () => {
  for (const [name, [text, expected]] of Object.entries(SQITCH_TEST_PLANS)) {
    assert.deepEqual(ids(parsePlan(text, `${name}.plan`)), expected, name);
  }
});

Deno.test("ids: vector H (header and parent logic)", () => {
  const a = "a 2013-01-01T00:00:00Z Ann <a@x>\n";
  const id = (text: string, i = 0) => parsePlan(text, "sqitch.plan").changes[i].id;
  assert.equal(id(`%project=e\n\n${a}`), "198fd64188275c1797cbae8777d4fb28b45880dd");
  assert.equal(
    id(`%syntax-version=2.5.0\n%project=e\n\n${a}`),
    "198fd64188275c1797cbae8777d4fb28b45880dd",
  );
  assert.equal(id(`%project=e\n%project=f\n\n${a}`), "a626d7db3d5cdba1193174b5f4b9e5d63e713aef");
  for (const dep of ["a", "e:a"]) {
    assert.equal(
      id(`%project=e\n\n${a}b [${dep}] 2013-01-01T00:00:00Z Ann <a@x>\n`, 1),
      "e4f87bff7a81c59c8121e431a8efd567079144d5",
    );
  }
});

Deno.test("ids: edge cases observed with Sqitch 1.3.1", () => {
  const id = (body: string, header = "%project=p\n\n") =>
    parsePlan(header + body + "\n", "sqitch.plan").changes[0].id;
  const plain = "bfb6e687bf0bbd58283f0341e45afaffd41d787d";
  assert.equal(id("a 2013-01-01T00:00:00Z Ann <a@x>"), plain);
  // Year 0000 and real leap seconds are valid timestamps.
  assert.equal(id("a 0000-01-01T00:00:00Z Ann <a@x>"), "dd745addc181c41a79d90146dc44a1c55ca66f79");
  assert.equal(id("a 2012-06-30T23:59:60Z Ann <a@x>"), "f3ee431bcb8a815fe68221e8d861ee66e0ccbcea");
  assert.equal(id("a 2016-12-31T23:59:60Z Ann <a@x>"), "1064ce854c18d612d2b0622322c9d111f2cbfe1e");
  assert.equal(id("a 1972-06-30T23:59:60Z Ann <a@x>"), "0225f363b179100105d82f11ace2bd60928ae6c4");
  assert.equal(id("a 2000-02-29T00:00:00Z Ann <a@x>"), "73c91bf943e2b15995a7262670aca6c8adcbf918");
  // A conflict list that reads "0" is false in Perl: left out of the INFO.
  assert.equal(id("a [!0 ] 2013-01-01T00:00:00Z Ann <a@x>"), plain);
  // `%uri` without a value is "1"; `%syntax_version` is just a pragma.
  assert.equal(
    id("a 2013-01-01T00:00:00Z Ann <a@x>", "%project=p\n%uri\n\n"),
    "9fb3b205e0e809ad4e590aa461436f1d175f26f6",
  );
  assert.equal(id("a 2013-01-01T00:00:00Z Ann <a@x>", "%project=p\n%syntax_version=2\n\n"), plain);
  // A project-qualified ID dependency.
  assert.equal(
    id("a [x:0123456789012345678901234567890123456789] 2013-01-01T00:00:00Z Ann <a@x>"),
    "cb42681994af5850cbdbcbd73583f6c28a12a15a",
  );
});

/** A planner, date, no dependencies and no note: the rest of a change's INFO fields. */
const PLANNED = {
  plannerName: "A",
  plannerEmail: "a@x",
  timestamp: "2013-01-01T00:00:00Z",
  requires: [],
  conflicts: [],
  note: "",
};

Deno.test("ids: changeInfo leaves out empty and Perl-false parts", () => {
  const base = { ...PLANNED, project: "p", name: "a" };
  assert.equal(changeInfo(base), "project p\nchange a\nplanner A <a@x>\ndate 2013-01-01T00:00:00Z");
  assert.equal(changeInfo({ ...base, note: "0" }), changeInfo(base));
  assert.equal(changeInfo({ ...base, requires: ["0"] }), changeInfo(base));
  assert.equal(
    changeInfo({ ...base, uri: "https://x/", parent: "f".repeat(40), conflicts: ["o:x"] }),
    `project p\nuri https://x/\nchange a\nparent ${"f".repeat(40)}\nplanner A <a@x>\n` +
      "date 2013-01-01T00:00:00Z\nconflicts\n  - o:x",
  );
});

Deno.test("ids: long plans hash without deep recursion; the generator is deterministic", () => {
  const text = generatePlan({ changes: 20_000, tagEvery: 50 });
  assert.equal(text, generatePlan({ changes: 20_000, tagEvery: 50 }));
  const plan = parsePlan(text, "sqitch.plan");
  assert.equal(plan.changes.length, 20_000);
  assert.equal(plan.tags.length, 400);
  const last = plan.changes[plan.changes.length - 1];
  assert.match(last.id, /^[0-9a-f]{40}$/, "the last ID first: the chain is hashed iteratively");
  assert.equal(plan.changes[0].id, objectId("change", plan.changes[0].info));
});

Deno.test("ids: dependencies resolve to the IDs the registry records (vector A)", () => {
  const plan = parsePlan(VECTOR_A, "sqitch.plan");
  const [, widgets, gadgets, rework] = plan.changes;
  const resolved = (deps: typeof widgets.requires) => deps.map((d) => plan.dependencyId(d));
  assert.deepEqual(resolved(widgets.requires), ["e46a3df41417d4dc2c21de880491e92776f5525f"]);
  assert.deepEqual(resolved(widgets.conflicts), [undefined]);
  assert.deepEqual(resolved(gadgets.requires), [
    "790faf30be62f755bea85959078f2065435f9388",
    undefined,
  ]);
  assert.deepEqual(resolved(rework.requires), ["e46a3df41417d4dc2c21de880491e92776f5525f"]);
  assert.equal(plan.isExternal(gadgets.requires[1]), true);
  // A local conflict with a change the plan lacks loads, but cannot be resolved (quirk Q8).
  const q8 = parsePlan(
    "%project=p\n\nflips [!userfoo] 2013-01-01T00:00:00Z Ann <a@x>\n",
    "sqitch.plan",
  );
  assert.throws(() => q8.dependencyId(q8.changes[0].conflicts[0]), {
    message: 'Unable to find change "userfoo" in plan sqitch.plan',
  });
});

Deno.test("ids: a whole chain hashed in one batch gives every change's own ID", () => {
  for (const text of [VECTOR_A, VECTOR_B("https://example.com/"), FLIPR]) {
    const plan = parsePlan(text, "sqitch.plan");
    const last = plan.changes[plan.changes.length - 1];
    assert.match(last.id, /^[0-9a-f]{40}$/); // hashes the chain, oldest first
    for (const c of plan.changes) {
      assert.equal(c.id, objectId("change", c.info), c.name);
      for (const t of c.tags) assert.equal(t.id, objectId("tag", t.info), `@${t.name}`);
    }
  }
});

Deno.test("ids: changeChainIds with a parent ID, %uri, other projects and Perl-false parts", () => {
  const dep = (text: string) => ({ asString: (project: string) => `${project}|${text}` });
  const base = PLANNED;
  const changes = [
    { ...base, name: "a", requires: [dep("r1"), dep("r2")], note: "0", tags: [] },
    {
      ...base,
      name: "b",
      conflicts: [dep("c1")],
      note: "Über\n\nnote",
      tags: [{ ...base, name: "t1", note: "Tagged ☃" }, { ...base, name: "t2", note: "0" }],
    },
    { ...base, name: "c", tags: [{ ...base, name: "t3", plannerName: "B" }] },
  ];
  const parent = "f".repeat(40);
  for (const uri of [undefined, "https://x/"]) {
    for (const parentId of [undefined, parent]) {
      const got = changeChainIds("p", uri, changes, parentId);
      const want: string[] = [];
      const wantTags: string[][] = [];
      changes.forEach((c, i) => {
        const info = changeInfo({
          project: "p",
          uri,
          name: c.name,
          parent: i === 0 ? parentId : want[i - 1],
          plannerName: c.plannerName,
          plannerEmail: c.plannerEmail,
          timestamp: c.timestamp,
          requires: c.requires.map((d) => d.asString("p")),
          conflicts: c.conflicts.map((d) => d.asString("p")),
          note: c.note,
        });
        want.push(objectId("change", info));
        wantTags.push(c.tags.map((t) =>
          tagId({
            project: "p",
            uri,
            name: t.name,
            changeId: want[i],
            plannerName: t.plannerName,
            plannerEmail: t.plannerEmail,
            timestamp: t.timestamp,
            note: t.note,
          })
        ));
      });
      assert.deepEqual(got, { changes: want, tags: wantTags }, `uri ${uri}, parent ${parentId}`);
    }
  }
});
