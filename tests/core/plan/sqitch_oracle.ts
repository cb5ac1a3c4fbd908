/**
 * Real Sqitch as an oracle for plan tests: one Perl process loads many
 * plans with Sqitch's own App::Sqitch::Plan (the code `sqitch plan`,
 * `sqitch show` and `sqitch deploy` use) and reports, per plan, the
 * error message or the changes (IDs, tags with IDs, rework tags) and the
 * lines as Sqitch writes them back. Availability follows the parity kit:
 * without `sqitch` the tests are skipped with a banner, under CI they fail.
 */
import { parityAvailability, which } from "../../parity/kit.ts";

/** What Sqitch made of one plan. */
export type OracleResult =
  | {
    ok: true;
    project: string;
    changes: {
      name: string;
      id: string;
      rework_tags: string[];
      tags: { name: string; id: string }[];
    }[];
    /** `as_string` of every line. */
    lines: string[];
    /** Results of the case's operations, in order. */
    ops: OracleOpResult[];
    /** The plan text after the operations (`write_to`). */
    text: string;
  }
  | { ok: false; error: string };

/** The fields of an add or rework operation (Plan->add / Plan->rework parameters). */
export interface ChangeOpFields {
  name: string;
  requires?: string[];
  conflicts?: string[];
  note?: string;
  planner_name: string;
  planner_email: string;
  /** `YYYY-MM-DDTHH:MM:SSZ`. */
  timestamp: string;
}

/** The fields of a tag operation (Plan->tag parameters). */
export interface TagOpFields {
  name: string;
  change?: string;
  note?: string;
  planner_name: string;
  planner_email: string;
  timestamp: string;
}

/** An operation run on a loaded plan through Sqitch's Plan API. */
export type OracleOp =
  | ({ op: "add" } & ChangeOpFields)
  | ({ op: "rework" } & ChangeOpFields)
  | ({ op: "tag" } & TagOpFields)
  | { op: "index_of" | "first_index_of" | "find" | "get" | "contains"; key: string; since?: string }
  | { op: "write_to"; from?: string; to?: string };

/**
 * What one operation gave, or its error: add/rework give the new change's
 * `format_op_name_dependencies`; tag gives `@tag` + space + the tagged
 * change's `format_name_with_tags`; index_of/first_index_of give an index;
 * find/get give the found change's index; contains a boolean; write_to the text.
 */
export interface OracleOpResult {
  ok: boolean;
  value?: string | number | boolean | null;
  error?: string;
  /** What Sqitch vented to stderr during the operation. */
  stderr?: string;
}

/** One plan to load: the file name used in messages and the text, then operations. */
export interface OracleCase {
  file: string;
  text: string;
  ops?: OracleOp[];
}

const SCRIPT = String.raw`
use strict; use warnings; use utf8;
use App::Sqitch; use App::Sqitch::Target; use App::Sqitch::Plan; use App::Sqitch::DateTime;
use JSON::PP; use Encode; use Path::Class; use URI::db; use File::Temp qw(tempdir);
binmode STDOUT;
$SIG{__WARN__} = sub {};
my $input = do { local $/; <STDIN> };
my $cases = JSON::PP->new->utf8->decode($input);
my $sqitch = App::Sqitch->new;
my $tmp = tempdir(CLEANUP => 1);
sub msg { my $e = shift; my $m = ref $e && $e->can('message') ? $e->message : "$e"; $m =~ s/\n\z//; $m }
sub ts { my ($y,$mo,$d,$h,$mi,$s) = $_[0] =~ /(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)Z/;
  App::Sqitch::DateTime->new(year=>$y, month=>$mo, day=>$d, hour=>$h, minute=>$mi, second=>$s, time_zone=>'UTC') }
sub slurp { my $f = shift; open my $fh, '<:raw', $f or die; local $/; my $t = <$fh>; decode_utf8($t) }
sub run_op {
  my ($plan, $o) = @_;
  my $k = $o->{op};
  my %p = map { $_ => $o->{$_} } grep { defined $o->{$_} && $_ ne 'op' } keys %$o;
  $p{timestamp} = ts($p{timestamp}) if $p{timestamp};
  if ($k eq 'add')    { return $plan->add(%p)->format_op_name_dependencies }
  if ($k eq 'rework') { return $plan->rework(%p)->format_op_name_dependencies }
  if ($k eq 'tag')    { my $t = $plan->tag(%p); return $t->format_name . ' ' . $t->change->format_name_with_tags }
  if ($k eq 'index_of' || $k eq 'first_index_of') { return $plan->$k($o->{key}, defined $o->{since} ? ($o->{since}) : ()) }
  if ($k eq 'find' || $k eq 'get') { my $c = $plan->$k($o->{key}); return $c ? $plan->index_of($c->id) : undef }
  if ($k eq 'contains') { return $plan->contains($o->{key}) ? JSON::PP::true : JSON::PP::false }
  if ($k eq 'write_to') { my $f = file($tmp, 'part.plan'); $plan->write_to($f, $o->{from}, $o->{to}); return slurp($f) }
  die "unknown op $k";
}
my @out;
for my $c (@$cases) {
  my $target = App::Sqitch::Target->new(
    sqitch => $sqitch, uri => URI::db->new('db:sqlite:'), plan_file => file($c->{file}),
  );
  my $plan = App::Sqitch::Plan->new(sqitch => $sqitch, target => $target, file => file($c->{file}));
  my $res = eval {
    $plan->parse(Encode::encode_utf8($c->{text}));
    my @changes = map { {
      name => $_->name, id => $_->id,
      rework_tags => [ map { $_->name } $_->rework_tags ],
      tags => [ map { { name => $_->name, id => $_->id } } $_->tags ],
    } } $plan->changes;
    my @lines = map { $_->as_string } $plan->lines;
    my @ops;
    for my $o (@{ $c->{ops} || [] }) {
      my $err = '';
      my $r = eval {
        open(my $save, '>&', \*STDERR) or die;
        close STDERR; open(STDERR, '>', \$err) or die;
        my $v = eval { { ok => JSON::PP::true, value => run_op($plan, $o) } } || { ok => JSON::PP::false, error => msg($@) };
        close STDERR; open(STDERR, '>&', $save) or die;
        $v;
      } or die $@;
      $r->{stderr} = decode_utf8($err) if length $err;
      push @ops, $r;
    }
    { ok => JSON::PP::true, project => $plan->project, changes => \@changes, lines => \@lines,
      ops => \@ops, text => join('', map { $_->as_string . "\n" } $plan->lines) };
  };
  $res ||= { ok => JSON::PP::false, error => msg($@) };
  push @out, $res;
}
print JSON::PP->new->utf8->canonical->encode(\@out);
`;

/** Whether the oracle can run ("ok"), and the parity kit's verdict otherwise. */
export function oracleAvailability(): ReturnType<typeof parityAvailability> {
  return parityAvailability(["sqitch"]);
}

/** The Perl interpreter Sqitch runs under (from its `#!` line), else `perl`. */
function perlFor(): string {
  const sqitch = which("sqitch");
  if (sqitch) {
    try {
      const first = Deno.readTextFileSync(sqitch).split("\n", 1)[0];
      const m = /^#!\s*(\S*perl\S*)/.exec(first);
      if (m) return m[1];
    } catch {
      // fall through
    }
  }
  return "perl";
}

/** Load every case with real Sqitch; results come back in order. */
export async function runOracle(cases: OracleCase[]): Promise<OracleResult[]> {
  const dir = await Deno.makeTempDir({ prefix: "sqlitch-plan-oracle-" });
  try {
    const script = `${dir}/oracle.pl`;
    await Deno.writeTextFile(script, SCRIPT);
    const child = new Deno.Command(perlFor(), {
      args: [script],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(JSON.stringify(cases)));
    await writer.close();
    const { code, stdout, stderr } = await child.output();
    if (code !== 0) {
      throw new Error(`Sqitch oracle failed (${code}): ${new TextDecoder().decode(stderr)}`);
    }
    return JSON.parse(new TextDecoder().decode(stdout));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
