#!/bin/bash
# shellcheck disable=SC2016,SC2317 # trace_want evaluates its condition: single quotes on purpose
# test-trace-query.sh - the query-direction trace (dnsfrag-probe --trace query)
# on the four-hop lab chain, IPv4 and IPv6, against NSD on auth (hop 4):
#   clean       fragmented queries reach auth: verdict "pass" for both families
#   drop-all    the resolver (hop 2) drops every fragment coming from mb1: the
#               trace names the range [hop 1 = mb1 192.0.2.2 / 2001:db8:1::2,
#               hop 2 = resolver 198.51.100.2 / 2001:db8:2::2], the hop table
#               shows the control going on (Time Exceeded at hops 2 and 3, the
#               answer at 4) while the fragmented query is silent from hop 2,
#               and the resolver's nft drop counter is > 0; the same run's
#               --html page passes tidy (strict) and marks one vanishing
#               segment per family, between mb1's and the resolver's addresses
#   drop-later  the resolver drops only non-first fragments: IPv6 routers
#               answer for non-first fragments, so the IPv6 trace still names
#               [1, 2] and says the first fragment goes on; IPv4 routers answer
#               for fragment zero only, so the IPv4 trace cannot see the drop
#               and must say it is ambiguous
# Nothing leaves the machine: network namespaces, documentation prefixes, no
# default route (tests/lab/README.md). Exit 0 pass, 1 fail, 77 skip.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lab/lab.sh
. "$here/lab.sh"
# shellcheck source=tests/lab/trace-lib.sh
. "$here/trace-lib.sh"
trace_skip_unless_ready

work=$(mktemp -d "${TMPDIR:-/tmp}/dnsfrag-trace-q.XXXXXX") || exit 1
export LAB_SERVICES=nsd
lab_up >/dev/null || { echo "lab_up failed"; exit 1; }
trap 'lab_down; rm -rf "$work"' EXIT

run() { # NAME [OPTIONS...]: a query trace to auth, both families, JSON in $work/NAME.json
	local name=$1
	shift
	trace_probe --trace query -s 203.0.113.2 -s 2001:db8:4::2 --timeout 0.4 --trace-attempts 2 \
		--rate 0 --max-hops 6 --json "$@" >"$work/$name.json" 2>"$work/$name.err"
	echo $? >"$work/$name.rc"
	jq -r '.traces[] | "   | IPv\(.family): \(.conclusion.verdict): \(.conclusion.sentence)"' "$work/$name.json"
}
# q NAME FAMILY JQ: the value of JQ on the trace of FAMILY
q() { jq -r --argjson f "$2" ".traces[] | select(.family == \$f) | $3" "$work/$1.json"; }

echo "== clean"
run clean
trace_want '[ "$(cat "$work/clean.rc")" = 0 ]' "exit 0 (OK)"
for f in 4 6; do
	trace_want '[ "$(q clean $f .conclusion.verdict)" = pass ]' "IPv$f: fragmented queries reach auth (pass)"
	trace_want '[ "$(q clean $f .destination_hop)" = 4 ]' "IPv$f: the control is answered at hop 4"
done

echo "== drop-all: the resolver (hop 2) drops every fragment from mb1"
trace_drop_frags resolver to-mb1 || exit 1
run dropall --html "$work/dropall.html"
trace_want '[ "$(cat "$work/dropall.rc")" = 1 ]' "exit 1 (WARNING)"
for f in 4 6; do
	if [ $f = 4 ]; then m1=192.0.2.2 m2=198.51.100.2; else m1=2001:db8:1::2 m2=2001:db8:2::2; fi
	trace_want '[ "$(q dropall $f .conclusion.verdict)" = located ]' "IPv$f: located"
	trace_want '[ "$(q dropall $f "[.conclusion.after_hop, .conclusion.before_hop] | @tsv")" = "$(printf "1\t2")" ]' \
		"IPv$f: range [hop 1, hop 2]"
	trace_want '[ "$(q dropall $f .conclusion.after_addr)" = $m1 ] && [ "$(q dropall $f .conclusion.before_addr)" = $m2 ]' \
		"IPv$f: hop 1 is $m1 (mb1), hop 2 is $m2 (resolver)"
	trace_want '[ "$(q dropall $f "[.hops[] | .control.result] | join(\",\")")" = time-exceeded,time-exceeded,time-exceeded,answer ]' \
		"IPv$f: the control: Time Exceeded at hops 1-3, answered at 4"
	trace_want '[ "$(q dropall $f "[.hops[] | .probe.result] | join(\",\")")" = time-exceeded,silent,silent,silent ]' \
		"IPv$f: the fragmented query: Time Exceeded at hop 1, silent from hop 2"
	trace_want '[ "$(q dropall $f .conclusion.ambiguous)" = null ]' "IPv$f: evidence clear"
done
drops=$(lab_nft_counter resolver)
trace_want '[ "$drops" -gt 0 ]' "resolver's nft drop counter > 0 ($drops)"
# The HTML page of the same run (probe/trace_html.c): strict tidy as in
# tests/golden/test-html-render.sh, one vanishing segment per family, its
# evidence naming mb1 (hop 1) and the resolver (hop 2).
# shellcheck disable=SC2034 # read by the trace_want conditions
page=$work/dropall.html
trace_want '[ -s "$page" ] && [ ! -e "$page.tmp" ]' "--html wrote the page (atomically)"
if command -v tidy >/dev/null 2>&1; then
	trace_want 'tidy -q -e --doctype html5 --drop-empty-elements no "$page" >"$work/tidy" 2>&1 && [ ! -s "$work/tidy" ]' \
		"the page passes tidy (HTML5) with no warnings"
	trace_want 'tidy -q -e -xml "$page" >"$work/tidy" 2>&1 && [ ! -s "$work/tidy" ]' "the page passes tidy -xml with no warnings"
else
	echo "   skip tidy: not installed"
fi
trace_want '[ "$(grep -c "<div class=\"seg vanish\" data-between=\"1-2\">" "$page")" = 2 ]' \
	"the page marks the segment between hop 1 and hop 2, once per family"
for f in 4 6; do
	if [ $f = 4 ]; then m1=192.0.2.2 m2=198.51.100.2; else m1=2001:db8:1::2 m2=2001:db8:2::2; fi
	trace_want 'grep "<tr class=\"segrow s-vanish\">" "$page" | grep -F "hop 1 (<span class=\"mono\">$m1</span>)" | grep -q -F "hop 2 (<span class=\"mono\">$m2</span>)"' \
		"IPv$f: the page's evidence beside the mark names hop 1 $m1 and hop 2 $m2"
done
trace_want 'grep -q "<b>Query direction, IPv4</b> (located): fragmented queries die between hop 1 (192.0.2.2) and hop 2 (198.51.100.2)" "$page"' \
	"the page's verdict says where, first"

echo "== drop-later: the resolver drops only non-first fragments from mb1"
lab_nft_flush resolver || exit 1
lab_nft resolver 'table inet trace {
	chain pre {
		type filter hook prerouting priority -500;
		iifname "to-mb1" ip frag-off & 0x1fff != 0 counter drop
		iifname "to-mb1" frag frag-off != 0 counter drop
	}
}' || exit 1
run droplater
trace_want '[ "$(q droplater 6 .conclusion.verdict)" = located ]' "IPv6: located"
trace_want '[ "$(q droplater 6 "[.conclusion.after_hop, .conclusion.before_hop] | @tsv")" = "$(printf "1\t2")" ]' \
	"IPv6: range [hop 1, hop 2] (non-first fragments' Time Exceeded stops after hop 1)"
trace_want 'q droplater 6 .conclusion.sentence | grep -q "only non-first fragments are dropped"' \
	"IPv6: the first fragment goes on: only non-first fragments are dropped"
trace_want '[ "$(q droplater 6 ".hops[2].probe.first_fragment_time_exceeded")" = true ] && [ "$(q droplater 6 ".hops[2].probe.non_first_fragment_time_exceeded")" = false ]' \
	"IPv6 hop 3: Time Exceeded for the first fragment, none for the non-first"
trace_want '[ "$(q droplater 4 .conclusion.verdict)" = ambiguous ]' "IPv4: ambiguous (a TTL trace cannot see non-first IPv4 fragments)"
trace_want 'q droplater 4 .conclusion.ambiguous | grep -q "fragment zero only"' "IPv4: says why (routers answer for fragment zero only)"
drops=$(lab_nft_counter resolver)
trace_want '[ "$drops" -gt 0 ]' "resolver's nft drop counter > 0 ($drops)"

trace_want '/usr/bin/python3 "$here/../validate-json" "$work"/*.json' \
	"every JSON report validates against man/dnsfrag-trace.schema.json"

if [ $trace_fail = 0 ]; then
	echo "PASS"
else
	echo "FAILED"
	for n in clean dropall droplater; do cat "$work/$n.err"; done
fi
exit $trace_fail
