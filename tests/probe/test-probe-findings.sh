#!/bin/bash
# test-probe-findings.sh - dnsfrag-probe's crafted queries and its findings
# beyond sizes, each case in a lab of its own (all at once):
#   qdir-v4     drop-v4-nonfirst-frags, --fragment-query 256: IPv4 fragmented
#               queries get no UDP answer while their unfragmented controls do
#               ("fragmented queries lost (query direction)" in the JSON
#               findings and in the text report's Probe section); IPv6 passes
#   qdir-v6     drop-v6-frags, the same: IPv6 lost, IPv4 passes
#   crafted     clean path, NSD with an NSID (LAB_NSD_NSID=auth1): --df on
#               --ttl 9 --ip-id 4660 --pad 300 --expect-nsid auth1: every
#               query answered over its bound port; on the wire (the -w
#               session capture) every query to port 53 carries TTL / hop limit
#               9, IPv4 id 4660 and DF, and is 300 bytes of DNS; the identity
#               names NSID "auth1"; no finding raises the health; the capture
#               holds only lab addresses
#   refuse      conntrack active in the probe's namespace: -6 --fragment-query
#               is refused at start-up (exit 3, the self-check's message with
#               the notrack rule)
#   inspection  dns-inspection-512 with the lab profile: "DNS-aware
#               inspection" for IPv4 and IPv6
#   intercept   scenarios/intercept.scn (mb1 DNATs DNS for auth to Unbound),
#               --expect-nsid auth1: interception findings for both auth
#               addresses (RA=1 from an authoritative target; NSID absent)
# Exit 0 pass, 1 fail, 77 skip (not root, a tool or a binary missing). ~6 s.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
lab=$top/tests/lab
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, raw sockets)"
for t in ip nft ethtool sysctl ss nsd unbound tcpdump ldns-keygen ldns-signzone; do
	command -v "$t" >/dev/null 2>&1 || skip "missing $t"
done
PY=${PYTHON:-/usr/bin/python3}
probe=${PROBE:-$top/bin/dnsfrag-probe}
[ -x "$probe" ] || skip "missing $probe"
# shellcheck source=tests/lab/lab.sh
. "$lab/lab.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/dnsfrag-probe-find.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
export LAB_KEYDIR=$work/keys
lab_dns_keygen "$LAB_KEYDIR" || exit 1
A4=$(lab_addr auth 4) A6=$(lab_addr auth 6)
ALLOWED='(net 192.0.2.0/24 or net 198.51.100.0/24 or net 203.0.113.0/24 or net 2001:db8::/32 or net fe80::/10 or net ff02::/16)'

# q JSON PYEXPR: evaluate PYEXPR with d = the report.
q() { "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); F=d['probe']['findings']; S=d['probe']['socket_view']; print($2)" "$1" 2>&1; }
check() { # NAME EXPECTED OBSERVED
	if [ "$2" = "$3" ]; then echo "   ok   $1"; else echo "   FAIL $1: expected '$2', got '$3'"; fails=$((fails + 1)); fi
}
P() { ip netns exec "$(lab_ns probe)" env DNSFRAG_LAB=1 "$probe" "$@"; }
SIZES=(-s "$A4" -s "$A6" -t TXT --do off -b 4096 -T 1 --settle 0.3)

case_qdir() { # FAMILY-LOST FAMILY-PASSING SCENARIO
	local lost=$1 pass=$2 dir=$work/qdir-v$1
	LAB_SERVICES=nsd lab_up || return 1
	lab_apply_scenario "$lab/scenarios/$3.scn" || return 1
	P "${SIZES[@]}" -n 512.size.lab,1232.size.lab --fragment-query 256 --json >"$dir.json" 2>"$dir.err"
	P "${SIZES[@]}" -n 512.size.lab --fragment-query 256 >"$dir.txt" 2>>"$dir.err"
	lab_down
	check "IPv$lost: the query-direction finding" "IPv$lost: fragmented queries lost (query direction)" \
		"$(q "$dir.json" "'; '.join(f['text'].split(':')[0]+': '+f['text'].split(': ')[1] for f in F if f['kind']=='query-direction')")"
	check "IPv$lost: fragmented queries unanswered over UDP, controls answered" "timeout timeout / ok ok" \
		"$(q "$dir.json" "' '.join(s['udp'] for s in S if s['family']==$lost and s['query_fragmented']) + ' / ' + ' '.join(s['udp'] for s in S if s['family']==$lost and s['kind']=='size' and not s['query_fragmented'])")"
	check "IPv$lost: TCP brings the answers of the fragmented queries" "ok ok" \
		"$(q "$dir.json" "' '.join(s['tcp'] for s in S if s['family']==$lost and s['query_fragmented'])")"
	check "IPv$pass: fragmented queries pass" "ok ok" \
		"$(q "$dir.json" "' '.join(s['udp'] for s in S if s['family']==$pass and s['query_fragmented'])")"
	check "IPv$pass: no query-direction finding" "" \
		"$(q "$dir.json" "' '.join(f['kind'] for f in F if f['family']==$pass and f['kind']=='query-direction')")"
	check "text report: the finding in the Probe section" 1 \
		"$(sed -n '/^Probe:/,$p' "$dir.txt" | grep -c "query-direction IPv$lost: fragmented queries lost (query direction)")"
}

case_crafted() {
	local dir=$work/crafted
	LAB_NSD_NSID=auth1 LAB_SERVICES=nsd lab_up || return 1
	P "${SIZES[@]}" -n 512.size.lab,1232.size.lab --df on --ttl 9 --ip-id 4660 --pad 300 --expect-nsid auth1 \
		-w "$dir.pcap" --json >"$dir.json" 2>"$dir.err"
	echo "   probe exit $?"
	lab_down
	check "every size query answered over UDP (bound ports)" "ok ok ok ok" \
		"$(q "$dir.json" "' '.join(s['udp'] for s in S if s['kind']=='size')")"
	check "the size queries were crafted" "True True True True" \
		"$(q "$dir.json" "' '.join(str(s['crafted']) for s in S if s['kind']=='size')")"
	check "identity: NSID auth1 from both addresses" "auth1 auth1" \
		"$(q "$dir.json" "' '.join(str(i['nsid']) for i in d['probe']['identity'])")"
	check "no finding raises the health" "" "$(q "$dir.json" "' '.join(f['text'] for f in F if f['raises_health'])")"
	check "health OK" OK "$(q "$dir.json" "d['health']")"
	# On the wire: the crafted queries (300 bytes of DNS: IPv4 length 328, IPv6 payload 308).
	check "IPv4 queries on the wire: TTL 9, id 4660, DF, length 328" "2 2" \
		"$(tcpdump -nvr "$dir.pcap" "ip and udp dst port 53" 2>/dev/null | grep -c 'ttl 9, id 4660, offset 0, flags \[DF\], proto UDP (17), length 328') $(tcpdump -nr "$dir.pcap" "ip and udp dst port 53" 2>/dev/null | grep -c 'size.lab')"
	check "IPv6 queries on the wire: hop limit 9, payload 308" 2 \
		"$(tcpdump -nvr "$dir.pcap" "ip6 and udp dst port 53 and ip6[7] == 9 and ip6[4:2] == 308" 2>/dev/null | grep -c 'size.lab')"
	check "session capture: lab addresses only" 0 \
		"$(tcpdump -nr "$dir.pcap" "(ip or ip6) and not (src $ALLOWED and dst $ALLOWED)" 2>/dev/null | wc -l)"
}

case_refuse() {
	local dir=$work/refuse rc
	LAB_SERVICES=nsd lab_up || return 1
	lab_nft probe 'table inet track {
	chain out {
		type filter hook output priority 0;
		ct state new counter
	}
}' || return 1
	P -6 "${SIZES[@]}" -n 512.size.lab --fragment-query 256 >"$dir.out" 2>"$dir.err"
	rc=$?
	lab_down
	sed 's/^/   | /' "$dir.err" | cut -c1-220
	check "conntrack rewrites IPv6 fragments: exit 3" 3 "$rc"
	check "refused with the self-check's reason and the notrack rule" 1 \
		"$(grep -c 'refusing fragment-query: .*connection tracking.*notrack' "$dir.err")"
}

case_inspection() {
	local dir=$work/inspection
	LAB_SERVICES=nsd lab_up || return 1
	lab_apply_scenario "$lab/scenarios/dns-inspection-512.scn" || return 1
	P -p "$top/profiles/lab.conf" --json >"$dir.json" 2>"$dir.err"
	lab_down
	check "DNS-aware inspection found, IPv4 and IPv6" "4 6" \
		"$(q "$dir.json" "' '.join(str(f['family']) for f in F if f['kind']=='inspection')")"
	check "health WARNING" WARNING "$(q "$dir.json" "d['health']")"
}

case_intercept() {
	local dir=$work/intercept
	LAB_NSD_NSID=auth1 LAB_SERVICES="nsd unbound" lab_up || return 1
	lab_apply_scenario "$lab/scenarios/intercept.scn" || return 1
	P -p "$top/profiles/lab.conf" --expect-nsid auth1 --json >"$dir.json" 2>"$dir.err"
	lab_down
	check "interception: RA=1 from both auth addresses" "$A4 $A6" \
		"$(q "$dir.json" "' '.join(f['server'] for f in F if f['kind']=='interception' and 'RA=1' in f['text'])")"
	check "interception: NSID absent where auth1 was expected, both addresses" "$A4 $A6" \
		"$(q "$dir.json" "' '.join(f['server'] for f in F if f['kind']=='interception' and 'NSID absent' in f['text'])")"
	check "health WARNING" WARNING "$(q "$dir.json" "d['health']")"
}

run() { # CASE FUNCTION ARGS... (not "name": lab_scenario_load sets that)
	local tcase=$1
	shift
	(
		fails=0
		echo "== $tcase"
		"$@" || { echo "   FAIL $tcase: set-up failed"; fails=$((fails + 1)); }
		[ "$fails" -eq 0 ]
		echo $? >"$work/$tcase.rc"
	) >"$work/$tcase.log" 2>&1 &
}
start=$(date +%s)
run qdir-v4 case_qdir 4 6 drop-v4-nonfirst-frags
run qdir-v6 case_qdir 6 4 drop-v6-frags
run crafted case_crafted
run refuse case_refuse
run inspection case_inspection
run intercept case_intercept
wait
pass=0 fail=0
for n in qdir-v4 qdir-v6 crafted refuse inspection intercept; do
	cat "$work/$n.log"
	if [ "$(cat "$work/$n.rc" 2>/dev/null)" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $n"; fi
done
echo "probe findings: $pass passed, $fail failed, in $(($(date +%s) - start)) s"
[ "$fail" -eq 0 ]
