#!/bin/bash
# test-zone-path.sh - dnsfrag-probe --zone when the path, not the data, fails
# (issue 9), in the lab. The zone big. (NSD at 203.0.113.6 / 2001:db8:4::6) is
# signed correctly, but its DNSKEY RRset is large: two RSA-4096 KSKs (one a
# pre-published standby) and two RSA-2048 ZSKs, about 2,200 bytes with DO, so
# at EDNS 4,096 it comes in fragments (IPv4 on 1,500-byte links, IPv6 as NSD
# fragments it) and at 1,232 it is truncated and must come over TCP. It is
# served from two addresses per family (ns.big. at slot 6, ns2.big. at slot 5).
#   clean path: secure, exit 0; the DNSKEY answers arrived fragmented at 4,096
#     and over TCP at 1,232.
#   mb1 drops non-first fragments (IPv4 offset != 0, IPv6 fragment offset != 0),
#     TCP works: bogus risk, WARNING (exit 1), "fragments are lost; resolvers
#     that retry over TCP recover (TCP/53 works here)"; the chain still
#     validates with what arrived over TCP.
#   mb1 also drops TCP/53: bogus risk, CRITICAL (exit 2): no transport brings
#     the DNSKEY answer, the state is unknown from here, "TCP/53 blocked".
#   mb1 drops everything to ns2.big.'s IPv4 address only: that server's
#     answers never come, but the other server of the family brings them:
#     the zone's verdict is bogus risk, WARNING, not CRITICAL (exit 2 comes
#     from the path report: that server cannot be reached at all).
# The same zone's DS answer (small) arrives whole every time. mb1's counters
# must show the drops (ground truth).
# Exit 0 pass, 1 fail, 77 skip.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip nft ethtool sysctl ss nsd nsd-checkconf jq ldns-keygen ldns-signzone ldns-key2ds; do
	command -v "$t" >/dev/null 2>&1 || skip "missing $t"
done
PROBE=${PROBE:-$root/bin/dnsfrag-probe}
[ -x "$PROBE" ] || skip "build $PROBE first"
# shellcheck source=tests/lab/lab.sh
. "$here/lab.sh"
# shellcheck source=tests/lab/zone-lib.sh
. "$here/zone-lib.sh"

LAB_SERVICES=nsd lab_up || { echo "FAIL lab_up"; exit 1; }
zone_addrs_up || { echo "FAIL zone addresses"; exit 1; }
K=$LAB_TMP/zkeys W=$LAB_TMP/zone-test
mkdir -p "$W"
zone_keygen "$K" ksk big. 4096 ksk && zone_keygen "$K" ksk2 big. 4096 ksk &&
zone_keygen "$K" zsk big. 2048 zsk && zone_keygen "$K" zsk2 big. 2048 zsk || { echo "FAIL keygen"; exit 1; }
zone_write "$W/big.zone" big. "ns:6 ns2:5" || exit 1
for k in ksk ksk2 zsk zsk2; do zone_dnskey_rr "$K" "$k" 3600; done >>"$W/big.zone"
# ksk signs the DNSKEY RRset, zsk the rest; ksk2 and zsk2 are published only
zone_sign "$W/big.zone" "$W/big.signed" big. "$K/ksk" "$K/zsk" || { echo "FAIL sign"; exit 1; }
zone_nsd_start big 6 "big.:$W/big.signed" && zone_nsd_start big2 5 "big.:$W/big.signed" || { echo "FAIL NSD"; exit 1; }
zone_ds "$K" ksk >"$W/big.ds"
zone_delegation big. "ns:6 ns2:5" "$W/big.ds" >"$W/root-extra"
zone_root_publish "$W/root-extra" || { echo "FAIL root"; exit 1; }

dnskey='.zone.answers | map(select(.type == "DNSKEY" and .zone == "big."))'
rc=$(zone_probe "$W/clean.json" big.)
zone_check "clean path: secure" "$W/clean.json" "$rc" 0 \
	'.zone.verdict == "secure" and .zone.state == "secure"' \
	"$dnskey | length == 4 and all(.size > 2000 and .risk == \"OK\" and .needed)" \
	"$dnskey | map(.questions[] | select(.advertised == 4096) | .udp) | unique == [\"fragmented\"]" \
	"$dnskey | map(.questions[] | select(.advertised == 1232) | .udp + \"/\" + .tcp) | unique == [\"truncated/ok\"]"

frag_rules='
table inet mb {
	chain pre {
		type filter hook prerouting priority -500; policy accept;
		ip frag-off & 0x1fff != 0 counter drop
		frag frag-off != 0 counter drop
	}
}'
lab_nft mb1 "$frag_rules" || { echo "FAIL nft"; exit 1; }
rc=$(zone_probe "$W/frags.json" big.)
drops=$(lab_nft_counter mb1)
zone_check "non-first fragments dropped, TCP works: bogus risk, WARNING" "$W/frags.json" "$rc" 1 \
	'.zone.verdict == "bogus-risk" and .zone.health == "WARNING" and .zone.state == "secure"' \
	'.zone.sentence | test("^Bogus risk \\(this probe.s path\\): the DNSKEY answer for big\\. from .* is 2,[0-9]{3} bytes, fragmented on this path, and fragments are lost; resolvers that retry over TCP recover \\(TCP/53 works here\\)")' \
	"$dnskey | all(.risk == \"WARNING\" and .fragments_lost and .delivered_all)" \
	"$dnskey | map(.questions[] | select(.advertised == 4096) | .udp + \"/\" + .tcp) | unique == [\"fragments-lost/ok\"]" \
	'.zone.answers | map(select(.type == "DS")) | all(.risk == "OK")'
if [ "$drops" -gt 0 ]; then
	echo "ok   mb1 dropped $drops fragment(s)"
else
	echo "FAIL mb1 dropped nothing"
	ZONE_FAILS=$((ZONE_FAILS + 1))
fi

lab_nft_flush mb1
lab_nft mb1 "${frag_rules%\}*}
	chain fw {
		type filter hook forward priority 0; policy accept;
		tcp dport 53 counter drop
	}
}" || { echo "FAIL nft"; exit 1; }
rc=$(zone_probe "$W/blocked.json" big.)
zone_check "fragments dropped and TCP blocked: bogus risk, CRITICAL" "$W/blocked.json" "$rc" 2 \
	'.zone.verdict == "bogus-risk" and .zone.health == "CRITICAL" and .zone.state == "unknown"' \
	'.zone.sentence | test("fragments are lost; EDNS .*TCP/53 blocked.*: a validating resolver here cannot fetch it")' \
	"$dnskey | all(.risk == \"CRITICAL\" and (.delivered_any | not))" \
	'.zone.chain[-1].why | test("no DNSKEY answer for big. was obtained from this location")'

# One of the two servers unreachable over IPv4 (mb1 drops everything to it):
# a resolver that times out there asks the other one: the zone's verdict is a
# bogus risk with WARNING only; the path report is CRITICAL for that server
# (neither UDP nor TCP reaches it), so the exit status is 2.
lab_nft_flush mb1
lab_nft mb1 "
table inet mb {
	chain fw {
		type filter hook forward priority 0; policy accept;
		ip daddr $(zone_addr 5 4) counter drop
	}
}" || { echo "FAIL nft"; exit 1; }
rc=$(zone_probe "$W/oneserver.json" big.)
zone_check "one server unreachable over IPv4, the other fine: bogus risk, WARNING" "$W/oneserver.json" "$rc" 2 \
	'.zone.verdict == "bogus-risk" and .zone.health == "WARNING" and .zone.state == "secure" and .health == "CRITICAL"' \
	'.zone.sentence | test("resolvers recover by asking it")' \
	"$dnskey | map(select(.server == \"$(zone_addr 5 4)\")) | .[0] | (.delivered_any | not) and .risk == \"WARNING\" and (.sentence | test(\"another server of the zone brings it\"))" \
	"$dnskey | map(select(.server != \"$(zone_addr 5 4)\")) | all(.risk == \"OK\")"
[ "$ZONE_FAILS" = 0 ]
