#!/bin/bash
# shellcheck disable=SC2016,SC2317 # trace_want evaluates its condition: single quotes on purpose
# test-trace-answer.sh - the answer-direction trace (dnsfrag-probe --trace
# answer) against a dnsfrag-responder on auth (203.0.113.3, 2001:db8:4::3,
# zone resp.lab, --allow-ttl), IPv4 and IPv6. Seen from the responder, the
# chain is mb2 (hop 1), resolver (hop 2), mb1 (hop 3), the probe (hop 4).
#   clean        fragmented answers with hop limit 4 reach the probe: "pass";
#                the responder reports the Time Exceeded of hops 1-3 (teID)
#   answers-only the resolver drops every fragment arriving from mb2 (answers
#                only): the answer trace names [hop 1 = mb2 203.0.113.1 /
#                2001:db8:4::1, hop 2 = resolver 198.51.100.9 / 2001:db8:3::1];
#                the query-direction trace in the same run says "pass" (the box
#                lets fragmented queries through); the nft counter is > 0
#   no-allow     a responder started without --allow-ttl refuses ttlH labels:
#                the trace says it cannot run (verdict unknown, exit 3)
# Exit 0 pass, 1 fail, 77 skip.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lab/lab.sh
. "$here/lab.sh"
# shellcheck source=tests/lab/trace-lib.sh
. "$here/trace-lib.sh"
trace_skip_unless_ready
[ -x "$TRACE_RESPONDER" ] || { echo "SKIP: missing $TRACE_RESPONDER (make)"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/dnsfrag-trace-a.XXXXXX") || exit 1
export LAB_SERVICES=""
lab_up >/dev/null || { echo "lab_up failed"; exit 1; }
trap 'lab_down; rm -rf "$work"' EXIT
trace_responder_start "$work/responder.log" 203.0.113.3 2001:db8:4::3 resp.lab --allow-ttl || exit 1
trace_responder_start "$work/noallow.log" 203.0.113.4 2001:db8:4::4 plain.lab || exit 1

run() { # NAME TRACES SERVERS... : JSON in $work/NAME.json
	local name=$1 what=$2 zone=$3
	shift 3
	trace_probe --trace "$what" "$@" --trace-zone "$zone" --timeout 0.4 --trace-attempts 2 --rate 0 \
		--max-hops 6 --json >"$work/$name.json" 2>"$work/$name.err"
	echo $? >"$work/$name.rc"
	jq -r '.traces[] | "   | \(.direction) IPv\(.family): \(.conclusion.verdict): \(.conclusion.sentence)"' \
		"$work/$name.json"
}
# q NAME DIRECTION FAMILY JQ
q() { jq -r --arg d "$2" --argjson f "$3" ".traces[] | select(.direction == \$d and .family == \$f) | $4" "$work/$1.json"; }

echo "== clean"
run clean answer resp.lab -s 203.0.113.3 -s 2001:db8:4::3
trace_want '[ "$(cat "$work/clean.rc")" = 0 ]' "exit 0 (OK)"
for f in 4 6; do
	if [ $f = 4 ]; then h1=203.0.113.1; else h1=2001:db8:4::1; fi
	trace_want '[ "$(q clean answer $f .conclusion.verdict)" = pass ]' "IPv$f: fragmented answers reach the probe (pass)"
	trace_want '[ "$(q clean answer $f "[.hops[] | .probe.result] | join(\",\")")" = time-exceeded,time-exceeded,time-exceeded,answer ]' \
		"IPv$f: the fragmented answer's Time Exceeded at hops 1-3 (reported by the responder), arrives at 4"
	trace_want '[ "$(q clean answer $f .hops[0].probe.from)" = $h1 ]' "IPv$f: hop 1 is mb2 ($h1)"
done
trace_want 'grep -q "icmp client=.* type=11 code=0" "$work/responder.log"' "the responder logged the Time Exceeded it read"

echo "== answers-only: the resolver drops every fragment arriving from mb2"
trace_drop_frags resolver to-mb2 || exit 1
run drop answer,query resp.lab -s 203.0.113.3 -s 2001:db8:4::3
trace_want '[ "$(cat "$work/drop.rc")" = 1 ]' "exit 1 (WARNING)"
for f in 4 6; do
	if [ $f = 4 ]; then h1=203.0.113.1 h2=198.51.100.9; else h1=2001:db8:4::1 h2=2001:db8:3::1; fi
	trace_want '[ "$(q drop answer $f .conclusion.verdict)" = located ]' "IPv$f answers: located"
	trace_want '[ "$(q drop answer $f "[.conclusion.after_hop, .conclusion.before_hop] | @tsv")" = "$(printf "1\t2")" ]' \
		"IPv$f answers: range [hop 1, hop 2]"
	trace_want '[ "$(q drop answer $f .conclusion.after_addr)" = $h1 ] && [ "$(q drop answer $f .conclusion.before_addr)" = $h2 ]' \
		"IPv$f answers: hop 1 is $h1 (mb2), hop 2 is $h2 (resolver)"
	trace_want '[ "$(q drop answer $f "[.hops[] | .control.result] | join(\",\")")" = time-exceeded,time-exceeded,time-exceeded,answer ]' \
		"IPv$f answers: the control goes on (Time Exceeded at 1-3, arrives at 4)"
	trace_want '[ "$(q drop query $f .conclusion.verdict)" = pass ]' "IPv$f queries: pass (the box drops only answer fragments)"
done
drops=$(lab_nft_counter resolver)
trace_want '[ "$drops" -gt 0 ]' "resolver's nft drop counter > 0 ($drops)"

echo "== no-allow: a responder without --allow-ttl"
run noallow answer plain.lab -s 203.0.113.4
trace_want '[ "$(cat "$work/noallow.rc")" = 3 ]' "exit 3 (UNKNOWN)"
trace_want '[ "$(q noallow answer 4 .conclusion.verdict)" = unknown ]' "verdict unknown"
trace_want 'q noallow answer 4 .error | grep -q "allow-ttl"' "the error names --allow-ttl"
trace_want 'grep -q "ttl label refused" "$work/noallow.log"' "the responder logged the refusal"

trace_want '/usr/bin/python3 "$here/../validate-json" "$work"/*.json' \
	"every JSON report validates against man/dnsfrag-trace.schema.json"

if [ $trace_fail = 0 ]; then
	echo "PASS"
else
	echo "FAILED"
	cat "$work"/*.err
fi
exit $trace_fail
