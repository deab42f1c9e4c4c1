#!/bin/bash
# test-locate.sh - "Where fragments die" on fresh lab captures: for each
# scenario below, in a lab of its own, a sweep (tests/lab/sweep) captured at
# three points -- the probe (probe:to-mb1), mb1's probe side (mb1:to-probe) and
# mb1's resolver side (mb1:to-resolver) -- then
#   dnsfrag-analyze --json --points probe=A,mb1:to-probe=B,mb1:to-resolver=C
# and the located segment checked against the scenario and mb1's nft counters:
#   drop-v4-nonfirst-frags  non-first IPv4 answer fragments vanish between
#                           mb1:to-resolver and mb1:to-probe (inside mb1); the
#                           fragments lost there = the nft drop counter (> 0)
#   drop-v6-frags           every fragment of fragmented IPv6 answers vanishes
#                           inside mb1; fragments lost = the drop counter (> 0)
#   nat                     mb1 masquerades: addresses and ports differ between
#                           the two sides, yet every datagram is matched,
#                           nothing vanishes, NAT is reported on that segment
#                           and the masquerade counter is > 0
# Nothing leaves the machine: the lab is network namespaces with documentation
# prefixes and no default route (tests/lab/README.md).
# Exit 0 pass, 1 fail, 77 skip (not root, a tool or bin/dnsfrag-analyze missing).
# KEEP=DIR keeps the captures and reports.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip nft ethtool nsd kdig tcpdump ldns-keygen ldns-signzone python3; do
	command -v "$t" >/dev/null 2>&1 || skip "missing $t"
done
analyze=${ANALYZE:-$top/bin/dnsfrag-analyze}
[ -x "$analyze" ] || skip "missing $analyze (make bin/dnsfrag-analyze)"
# shellcheck source=tests/lab/lab.sh
. "$here/lab.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/dnsfrag-locate.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
export LAB_KEYDIR=$work/keys
lab_dns_keygen "$LAB_KEYDIR" >/dev/null || exit 1
export LAB_SERVICES=nsd

# record SCENARIO: a three-point sweep in a fresh lab; writes $work/SCENARIO/{probe,in,out}.pcap,
# report.json and counters (drops, masquerade).
record() {
	local scen=$1 dir=$work/$1
	mkdir -p "$dir"
	(
		lab_up >/dev/null || exit 1
		lab_apply_scenario "$here/scenarios/$scen.scn" >/dev/null || exit 1
		mb1=$(lab_ns mb1)
		"$here/sweep" -q -n "$(lab_ns probe)" -s '512 1232 1473 3000' -k -c '' -w "$dir/probe.pcap" \
			-a "$mb1:to-probe:$dir/in.pcap" -a "$mb1:to-resolver:$dir/out.pcap" >/dev/null || exit 1
		echo "drops=$(lab_nft_counter mb1) masquerade=$(lab_nft_counter mb1 '"masquerade"')" >"$dir/counters"
		lab_down
	) || { echo "   recording $scen failed"; return 1; }
	"$analyze" --json --points "probe=$dir/probe.pcap,mb1:to-probe=$dir/in.pcap,mb1:to-resolver=$dir/out.pcap" \
		>"$dir/report.json" 2>"$dir/stderr"
	"$analyze" --points "probe=$dir/probe.pcap,mb1:to-probe=$dir/in.pcap,mb1:to-resolver=$dir/out.pcap" \
		2>/dev/null | sed -n '/^Where fragments die/,$p' >"$dir/report.txt"
	sed 's/^/   | /' "$dir/report.txt" | head -20
	cat "$dir/counters"
}

# check SCENARIO: the located segment against the scenario and the counters.
check() {
	local scen=$1 dir=$work/$1
	# shellcheck disable=SC1091
	. "$dir/counters"
	python3 - "$scen" "$dir/report.json" "$drops" "$masquerade" <<'PY'
import json, sys
scen, path, drops, masq = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
pts = json.load(open(path))["points"]
f = pts["findings"]
fails = []
def want(cond, what):
    print("   %-4s %s" % ("ok" if cond else "FAIL", what))
    if not cond:
        fails.append(what)
inside = [x for x in f if x["inside"] == "mb1"]
elsewhere = [x for x in f if x["inside"] != "mb1"]
if scen == "drop-v4-nonfirst-frags":
    want(drops > 0, "nft drop counter on mb1 > 0 (%d)" % drops)
    want(any(x["direction"] == "answer" and x["family"] == 4 and x["lost"] == "non-first-fragments"
             and x["from"] == "mb1:to-resolver" and x["to"] == "mb1:to-probe" for x in inside),
         "non-first IPv4 answer fragments vanish between mb1:to-resolver and mb1:to-probe (inside mb1)")
    n = sum(x["fragments"] for x in inside)
    want(n == drops, "fragments lost inside mb1 (%d) = nft drops (%d)" % (n, drops))
    want(not elsewhere, "nothing vanishes elsewhere (%s)" % [x["sentence"] for x in elsewhere])
elif scen == "drop-v6-frags":
    want(drops > 0, "nft drop counter on mb1 > 0 (%d)" % drops)
    want(any(x["direction"] == "answer" and x["family"] == 6 and x["lost"] == "all-fragments" for x in inside),
         "every fragment of fragmented IPv6 answers vanishes inside mb1")
    n = sum(x["fragments"] for x in inside)
    want(n == drops, "fragments lost inside mb1 (%d) = nft drops (%d)" % (n, drops))
    want(not elsewhere, "nothing vanishes elsewhere (%s)" % [x["sentence"] for x in elsewhere])
elif scen == "nat":
    want(masq > 0, "masquerade counter on mb1 > 0 (%d)" % masq)
    want(drops == 0, "no drops (%d)" % drops)
    want(not f, "nothing vanishes (%s)" % [x["sentence"] for x in f])
    seg = {(s["near_point"], s["direction"]): s for s in pts["segments"]}
    for d in ("query", "answer"):
        s = seg[(2, d)]
        want(s["upstream"] > 0 and s["downstream"] == s["upstream"],
             "%s datagrams matched across the NAT: %d/%d" % (d, s["downstream"], s["upstream"]))
        want(s["nat"] > 0, "NAT reported on mb1:to-probe - mb1:to-resolver, %s direction (%d)" % (d, s["nat"]))
        want(seg[(1, d)]["nat"] == 0, "no NAT between probe and mb1:to-probe, %s direction" % d)
    want(pts["matched_everywhere"] == pts["datagrams"],
         "every datagram seen at every point (%d/%d)" % (pts["matched_everywhere"], pts["datagrams"]))
want(pts["clear"], "evidence clear (%s)" % pts["ambiguous"])
sys.exit(1 if fails else 0)
PY
}

fail=0
for scen in drop-v4-nonfirst-frags drop-v6-frags nat; do
	echo "== $scen"
	if record "$scen"; then
		check "$scen" || fail=1
	else
		fail=1
	fi
	[ -n "${KEEP:-}" ] && mkdir -p "$KEEP" && cp -r "$work/$scen" "$KEEP/"
done
[ $fail = 0 ] && echo "all located" || echo "FAILED"
exit $fail
