#!/bin/bash
# shellcheck disable=SC2016,SC2317 # trace_want evaluates its condition: single quotes on purpose
# test-trace-pmtu.sh - the path MTU trace (dnsfrag-probe --trace pmtu): DF
# queries of decreasing size to NSD on auth, IPv4 and IPv6, with the link
# resolver -- mb2 (between hop 2 and hop 3) at MTU 1,280:
#   pmtud       the resolver sends needs-frag / packet-too-big: the trace
#               reports the bottleneck 1,280 from the resolver (198.51.100.2 /
#               2001:db8:2::2), no black hole, exit 0
#   black-hole  the resolver's ICMP too-big is dropped (nft, output hook): the
#               trace finds a black hole with MTU 1,280 exactly (1,280 bytes
#               delivered, 1,281 lost), locates it between hop 2 (resolver)
#               and hop 3 (mb2) with a TTL trace of the lost size, exit 2;
#               the resolver's nft counter shows the ICMP it swallowed
# Exit 0 pass, 1 fail, 77 skip.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lab/lab.sh
. "$here/lab.sh"
# shellcheck source=tests/lab/trace-lib.sh
. "$here/trace-lib.sh"
trace_skip_unless_ready

work=$(mktemp -d "${TMPDIR:-/tmp}/dnsfrag-trace-p.XXXXXX") || exit 1
export LAB_SERVICES=nsd
lab_up >/dev/null || { echo "lab_up failed"; exit 1; }
trap 'lab_down; [ -n "${KEEP:-}" ] && cp -r "$work" "$KEEP"; rm -rf "$work"' EXIT
lab_link_mtu resolver-mb2 1280 || exit 1

run() { # NAME
	trace_probe --trace pmtu -s 203.0.113.2 -s 2001:db8:4::2 --timeout 0.25 --trace-attempts 1 \
		--rate 0 --max-hops 6 --json >"$work/$1.json" 2>"$work/$1.err"
	echo $? >"$work/$1.rc"
	jq -r '.pmtu[] | "   | IPv\(.family): \(.sentence)"' "$work/$1.json"
}
q() { jq -r --argjson f "$2" ".pmtu[] | select(.family == \$f) | $3" "$work/$1.json"; }

echo "== pmtud: needs-frag / packet-too-big arrive"
run pmtud
trace_want '[ "$(cat "$work/pmtud.rc")" = 0 ]' "exit 0 (OK)"
for f in 4 6; do
	if [ $f = 4 ]; then r=198.51.100.2; else r=2001:db8:2::2; fi
	trace_want '[ "$(q pmtud $f .too_big_mtu)" = 1280 ] && [ "$(q pmtud $f .too_big_from)" = $r ]' \
		"IPv$f: too-big MTU 1280 from the resolver ($r)"
	trace_want '[ "$(q pmtud $f .largest_delivered)" = 1280 ]' "IPv$f: 1280 bytes delivered"
	trace_want '[ "$(q pmtud $f .black_hole)" = false ]' "IPv$f: no black hole"
	trace_want '[ "$(q pmtud $f .where)" = null ]' "IPv$f: no hop trace (the too-big names the router)"
done

echo "== black-hole: the resolver's too-big ICMP is dropped"
# Forget the path MTU the probe host learned in the first run (its kernel
# would refuse larger DF packets itself).
lab_exec probe ip -4 route flush cache
lab_exec probe ip -6 route flush cache
lab_nft resolver 'table inet trace {
	chain out {
		type filter hook output priority 0;
		icmp type destination-unreachable icmp code frag-needed counter drop
		icmpv6 type packet-too-big counter drop
	}
}' || exit 1
run bh
trace_want '[ "$(cat "$work/bh.rc")" = 2 ]' "exit 2 (CRITICAL)"
for f in 4 6; do
	if [ $f = 4 ]; then r=198.51.100.2 m=198.51.100.10; else r=2001:db8:2::2 m=2001:db8:3::2; fi
	trace_want '[ "$(q bh $f .black_hole)" = true ]' "IPv$f: black hole"
	trace_want '[ "$(q bh $f .mtu)" = 1280 ] && [ "$(q bh $f .smallest_lost)" = 1281 ]' \
		"IPv$f: MTU 1280 exactly (1280 delivered, 1281 lost)"
	trace_want '[ "$(q bh $f .too_big_mtu)" = null ]' "IPv$f: no too-big seen"
	trace_want '[ "$(q bh $f "[.where.conclusion.after_hop, .where.conclusion.before_hop] | @tsv")" = "$(printf "2\t3")" ]' \
		"IPv$f: the bottleneck is between hop 2 and hop 3"
	trace_want '[ "$(q bh $f .where.conclusion.after_addr)" = $r ] && [ "$(q bh $f .where.conclusion.before_addr)" = $m ]' \
		"IPv$f: hop 2 is $r (resolver), hop 3 is $m (mb2)"
done
n=$(lab_nft_counter resolver)
trace_want '[ "$n" -gt 0 ]' "resolver swallowed $n too-big ICMP (nft counter)"

trace_want '/usr/bin/python3 "$here/../validate-json" "$work"/*.json' \
	"every JSON report validates against man/dnsfrag-trace.schema.json"

if [ $trace_fail = 0 ]; then
	echo "PASS"
else
	echo "FAILED"
	cat "$work"/*.err
fi
exit $trace_fail
