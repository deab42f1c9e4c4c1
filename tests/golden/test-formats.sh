#!/bin/sh
# The other report formats and the terminal options (issue 12):
#   - --format prometheus, --format jsonl and --perfdata give exactly the
#     expected output (tests/golden/expected/fmt-*) on reference captures;
#     REGEN=1 rewrites those files for review;
#   - every Prometheus output passes tests/check-prometheus (line syntax,
#     HELP/TYPE, and python3-prometheus-client's parser);
#   - every JSON Lines line is a JSON object, paths then one summary; --site
#     is in JSON (and validates against the schema), JSON Lines and Prometheus;
#   - --output writes atomically: the file is complete, no FILE.tmp is left,
#     and a file that cannot be written gives exit 3 and leaves the old one;
#   - -f: a 'port 53' filter warns that it drops non-first fragments, a
#     fragment-keeping filter does not, and it applies to files;
#   - no colour when stdout is not a terminal; NO_COLOR turns it off on one;
#     no progress line when stderr is not a terminal; usage errors exit 3.
set -u
cd "$(dirname "$0")/../.."
A=${DNSFRAG_ANALYZE:-bin/dnsfrag-analyze}
E=tests/golden/expected
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

# name capture: reference captures covering WARNING, OK with fragments, CRITICAL, two families
CASES="s03 pcaps/scenarios/03-v4-nonfirst-frags-dropped-tcp-ok.pcap
s02 pcaps/scenarios/02-v4-fragmented-ok.pcap
s09 pcaps/scenarios/09-v4-tc-tcp-blackhole.pcap
lab-drop-v6 pcaps/lab/drop-v6-frags-probe.pcap
s15 pcaps/scenarios/15-no-dns.pcap"
echo "$CASES" | while read -r name cap; do
	for fmt in prometheus jsonl perfdata; do
		case $fmt in
		perfdata) "$A" --perfdata "$cap" >"$t/out" 2>&1 ;;
		*) "$A" --format "$fmt" --site "pop-1" "$cap" >"$t/out" 2>&1 ;;
		esac
		echo "exit $?" >>"$t/out"
		exp=$E/fmt-$name.$fmt
		if [ -n "${REGEN:-}" ]; then cp "$t/out" "$exp"; echo "regenerated $exp"; continue; fi
		if diff -u "$exp" "$t/out" >"$t/diff"; then ok "$name --format $fmt"; else
			echo "FAIL $name $fmt differs:"; head -30 "$t/diff"; echo 1 >"$t/failed"; fi
	done
	"$A" --format prometheus "$cap" >"$t/$name.prom" 2>/dev/null
	tests/check-prometheus "$t/$name.prom" >"$t/chk" && ok "$name: prometheus output valid" ||
		{ cat "$t/chk"; echo 1 >"$t/failed"; }
	"$A" --format jsonl --site pop-1 "$cap" >"$t/$name.jsonl" 2>/dev/null
	/usr/bin/python3 - "$t/$name.jsonl" <<'PY' && ok "$name: JSON Lines: paths, then one summary" || echo 1 >"$t/failed"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert all(isinstance(l, dict) and l["schema"] == "dnsfrag-jsonl/1" and l["site"] == "pop-1" for l in lines)
assert [l["record"] for l in lines] == ["path"] * (len(lines) - 1) + ["summary"], [l["record"] for l in lines]
assert lines[-1]["paths"] == len(lines) - 1
PY
done
[ -f "$t/failed" ] && fail=1
[ -n "${REGEN:-}" ] && exit 0

S=pcaps/scenarios/03-v4-nonfirst-frags-dropped-tcp-ok.pcap
# --site in JSON: the optional key, valid against the schema
"$A" --json --site pop-1 "$S" >"$t/site.json"
grep -q '^  "site": "pop-1",$' "$t/site.json" && tests/validate-json "$t/site.json" && ok "--site in JSON, schema-valid" ||
	bad "--site in JSON"
"$A" --json "$S" | grep -q '^  "site"' && bad "site key without --site" || ok "no site key without --site"
# --json and --format json agree
"$A" --json "$S" >"$t/a.json"; "$A" --format json "$S" >"$t/b.json"
cmp -s "$t/a.json" "$t/b.json" && ok "--json = --format json" || bad "--json differs from --format json"

# --output: atomic, complete, no .tmp left; an unwritable place: exit 3, old file kept
"$A" --format prometheus --output "$t/dnsfrag.prom" "$S"; rc=$?
"$A" --format prometheus "$S" >"$t/stdout.prom"
[ "$rc" = 1 ] && cmp -s "$t/dnsfrag.prom" "$t/stdout.prom" && [ ! -e "$t/dnsfrag.prom.tmp" ] &&
	ok "--output: complete file, exit status kept, no .tmp left" || bad "--output (exit $rc)"
mkdir "$t/ro" && "$A" --output "$t/ro/x.txt" "$S" >/dev/null && chmod 500 "$t/ro"
if [ "$(id -u)" != 0 ]; then
	"$A" --output "$t/ro/x.txt" --json "$S" 2>"$t/err"; rc=$?
	[ "$rc" = 3 ] && grep -q 'x.txt.tmp' "$t/err" && head -1 "$t/ro/x.txt" | grep -q '^WARNING' &&
		ok "--output into a read-only directory: exit 3, old file kept" || bad "--output read-only: exit $rc"
fi
"$A" --output "$t/no-such-dir/x.prom" "$S" 2>"$t/err"; rc=$?
[ "$rc" = 3 ] && grep -q 'no-such-dir/x.prom.tmp' "$t/err" && ok "--output into a missing directory: exit 3" ||
	bad "--output missing dir: exit $rc"
# the file is replaced whole while a reader polls it: never empty or partial
"$A" --format prometheus --output "$t/poll.prom" "$S"
( for i in 1 2 3 4 5 6 7 8 9 10; do "$A" --format prometheus --output "$t/poll.prom" "$S"; done ) &
w=$!
partial=0
while kill -0 $w 2>/dev/null; do cmp -s "$t/poll.prom" "$t/stdout.prom" || partial=$((partial + 1)); done
wait $w
[ $partial = 0 ] && ok "a reader never sees a partial file (10 rewrites)" || bad "$partial partial reads"

# -f: the warning, exactly when fragments would be dropped
"$A" -f 'port 53' "$S" >/dev/null 2>"$t/err"
grep -q "warning: the filter 'port 53' drops non-first IPv4 fragments" "$t/err" && ok "'port 53' warns" ||
	{ cat "$t/err"; bad "'port 53' does not warn"; }
"$A" -f 'udp port 53 and host 192.0.2.53' "$S" >/dev/null 2>"$t/err"
grep -q "drops non-first IPv4 fragments" "$t/err" && ok "'udp port 53 and host 192.0.2.53' warns" ||
	bad "'udp port 53 and host ...' does not warn"
keep='port 53 or icmp or icmp6 or (ip[6:2] & 0x1fff != 0) or (ip6 and ip6[6] == 44)'
"$A" -f "$keep" "$S" >"$t/kept.txt" 2>"$t/err"
[ ! -s "$t/err" ] && ok "a fragment-keeping filter does not warn" || { cat "$t/err"; bad "fragment-keeping filter warns"; }
"$A" -f 'host 192.0.2.53' "$S" >/dev/null 2>"$t/err"
[ ! -s "$t/err" ] && ok "'host 192.0.2.53' keeps fragments and ICMP: no warning" || { cat "$t/err"; bad "host filter warns"; }
"$A" "$S" >"$t/plain.txt"
cmp -s "$t/kept.txt" "$t/plain.txt" && ok "fragment-keeping filter: same report as without" || bad "filter changed the report"
a=$("$A" --counts pcaps/ip4-frag-order.pcap | awk '$1=="ip4_frags"{print $2}')
b=$("$A" --counts -f 'port 53' pcaps/ip4-frag-order.pcap 2>/dev/null | awk '$1=="ip4_frags"{print $2}')
[ "$a" -gt "$b" ] && ok "-f applies to files: IPv4 fragments $a without, $b with 'port 53'" || bad "-f on files: $a, $b"
"$A" -f 'port 53 and (' "$S" >/dev/null 2>"$t/err"; rc=$?
[ "$rc" = 3 ] && grep -q "filter 'port 53 and ('" "$t/err" && ok "bad filter: exit 3" || bad "bad filter: exit $rc"

# the terminal: colour only on one (script(1) gives a pty), NO_COLOR respected; no progress when not a tty
"$A" "$S" 2>"$t/err" | grep -q "$(printf '\033')" && bad "colour on a pipe" || ok "no colour on a pipe"
[ ! -s "$t/err" ] && ok "no progress line when stderr is not a terminal" || bad "stderr not empty"
if command -v script >/dev/null; then
	script -qec "$A $S" /dev/null >"$t/tty.txt" </dev/null
	grep -q "$(printf '\033')\[33mWARNING" "$t/tty.txt" && ok "colour on a terminal" || bad "no colour on a terminal"
	NO_COLOR=1 script -qec "$A $S" /dev/null >"$t/tty.txt" </dev/null
	grep -q "$(printf '\033')\[" "$t/tty.txt" && bad "colour despite NO_COLOR" || ok "NO_COLOR respected"
fi

# usage errors
for args in "--format xml" "--format text --json" "--perfdata --json" "--ring-pcap x.pcap" "-i lo $S" "--interval 0 -i lo"; do
	# shellcheck disable=SC2086
	"$A" $args "$S" >/dev/null 2>"$t/err"; rc=$?
	[ "$rc" = 3 ] && grep -q -- "--help" "$t/err" && ok "usage error: $args" || bad "usage error '$args': exit $rc"
done
exit $fail
