#!/bin/bash
# test-zone-states.sh - dnsfrag-probe --zone: the DNSSEC states other than a
# transfer (issue 9), in the lab. Zones below the lab root, all served by one
# NSD at 203.0.113.5 / 2001:db8:4::5, each signed with its own RSASHA256 keys
# unless said otherwise:
#   unsig.    delegated without DS (the root's signed NSEC proves it), zone
#             unsigned: insecure, exit 0
#   alg253.   the root's DS names algorithm 253 (PRIVATEDNS) only: insecure
#             (RFC 4035 §5.2), exit 0
#   dig250.   the root's DS has the zone's real key tag and algorithm but digest
#             type 250 only: insecure (RFC 6840 §5.2), exit 0
#   expired.  DS correct, but the zone's signatures expired yesterday: bogus,
#             "expired", exit 2
#   good.     DS correct, signatures valid: secure, exit 0; with --anchors none
#             indeterminate, exit 3
#   www.good. not a zone: exit 3 "is not a zone"
#   cust.     name server ns-cust.hoster. outside the zone, no glue at the root:
#             the walk resolves it from the root (hoster.), secure
#   evil.     glue 10.1.2.3: the walk refuses it (DNSFRAG_LAB=1), exit 3
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
: >"$W/root-extra"
set --
for z in unsig alg253 dig250 expired good; do
	zone_write "$W/$z.zone" "$z." "ns:5" || exit 1
	if [ "$z" = unsig ]; then
		set -- "$@" "unsig.:$W/unsig.zone"
		zone_delegation unsig. "ns:5" >>"$W/root-extra"
		continue
	fi
	zone_keygen "$K" "$z-ksk" "$z." 2048 ksk && zone_keygen "$K" "$z-zsk" "$z." 2048 zsk || { echo "FAIL keygen"; exit 1; }
	{ zone_dnskey_rr "$K" "$z-ksk" 3600; zone_dnskey_rr "$K" "$z-zsk" 3600; } >>"$W/$z.zone"
	days="-7 30"
	[ "$z" = expired ] && days="-30 -1"
	ZONE_SIGN_DAYS=$days zone_sign "$W/$z.zone" "$W/$z.signed" "$z." "$K/$z-ksk" "$K/$z-zsk" || { echo "FAIL sign $z"; exit 1; }
	set -- "$@" "$z.:$W/$z.signed"
	zone_ds "$K" "$z-ksk" >"$W/$z.ds"
	tag=$(zone_tag "$K" "$z-ksk")
	case $z in
	alg253) echo "alg253.	3600	IN	DS	$tag 253 2 $(printf '%064d' 0 | tr 0 a)" >"$W/$z.ds" ;;
	dig250) echo "dig250.	3600	IN	DS	$tag 8 250 $(printf '%064d' 0 | tr 0 b)" >"$W/$z.ds" ;;
	esac
	zone_delegation "$z." "ns:5" "$W/$z.ds" >>"$W/root-extra"
done
# cust.: its name server ns-cust.hoster. is named outside the zone, so the
# root's referral carries no glue; hoster. (delegated with glue, served at
# slot 5) has its addresses, and cust. is served at slot 6, signed
zone_write "$W/hoster.zone" hoster. "ns:5" "ns-cust	3600	IN	A	$(zone_addr 6 4)" \
	"ns-cust	3600	IN	AAAA	$(zone_addr 6 6)" || exit 1
set -- "$@" "hoster.:$W/hoster.zone"
zone_delegation hoster. "ns:5" >>"$W/root-extra"
zone_keygen "$K" cust-ksk cust. 2048 ksk && zone_keygen "$K" cust-zsk cust. 2048 zsk || { echo "FAIL keygen"; exit 1; }
{
	echo "\$ORIGIN cust."
	echo "@	3600	IN	SOA	ns-cust.hoster. hostmaster.cust. 2026112601 1800 900 604800 3600"
	echo "@	3600	IN	NS	ns-cust.hoster."
	echo "www	3600	IN	A	192.0.2.80"
	zone_dnskey_rr "$K" cust-ksk 3600
	zone_dnskey_rr "$K" cust-zsk 3600
} >"$W/cust.zone"
zone_sign "$W/cust.zone" "$W/cust.signed" cust. "$K/cust-ksk" "$K/cust-zsk" || { echo "FAIL sign cust"; exit 1; }
zone_nsd_start cust 6 "cust.:$W/cust.signed" || { echo "FAIL NSD cust"; exit 1; }
{ echo "cust.	86400	IN	NS	ns-cust.hoster."; zone_ds "$K" cust-ksk; } >>"$W/root-extra"
# a delegation whose glue is outside the documentation prefixes: the walk must
# refuse it under DNSFRAG_LAB=1 before sending anything there
printf 'evil.\t86400\tIN\tNS\tns.evil.\nns.evil.\t86400\tIN\tA\t10.1.2.3\n' >>"$W/root-extra"
zone_nsd_start states 5 "$@" || { echo "FAIL NSD"; exit 1; }
zone_root_publish "$W/root-extra" || { echo "FAIL root"; exit 1; }

rc=$(zone_probe "$W/unsig.json" unsig.)
zone_check "unsigned delegation: insecure" "$W/unsig.json" "$rc" 0 \
	'.zone.verdict == "insecure" and .zone.state == "insecure"' \
	'.zone.chain[-1].ds_denied == true and .zone.chain[-1].ds == []' \
	'.zone.chain[-1].why | test("no DS at the delegation of unsig. \\(proven by a signed NSEC record\\)")' \
	'[.zone.answers[] | select(.type == "DNSKEY" and .zone == "unsig.") | .needed] | all(. == false)'
rc=$(zone_probe "$W/alg253.json" alg253.)
zone_check "DS with only algorithm 253: insecure" "$W/alg253.json" "$rc" 0 \
	'.zone.verdict == "insecure"' \
	'.zone.chain[-1].ds | length == 1 and .[0].algorithm == 253 and .[0].supported == false' \
	'.zone.chain[-1].why | test("algorithm 253") and test("RFC 4035 section 5.2")'
rc=$(zone_probe "$W/dig250.json" dig250.)
zone_check "DS with only digest type 250: insecure" "$W/dig250.json" "$rc" 0 \
	'.zone.verdict == "insecure"' \
	'.zone.chain[-1].ds | length == 1 and .[0].digest_type == 250 and .[0].algorithm == 8 and .[0].supported == false' \
	'.zone.chain[-1].why | test("digest type 250")'
rc=$(zone_probe "$W/expired.json" expired.)
zone_check "expired signatures: bogus" "$W/expired.json" "$rc" 2 \
	'.zone.verdict == "bogus" and .zone.health == "CRITICAL"' \
	'[.zone.chain[-1].servers[].state] | all(. == "bogus")' \
	'.zone.chain[-1].servers[0].why | test("expired")'
rc=$(zone_probe "$W/good.json" good.)
zone_check "signed, DS right: secure" "$W/good.json" "$rc" 0 \
	'.zone.verdict == "secure" and .zone.transfer.ds_dnskey_disagree == []'
rc=$(zone_probe "$W/none.json" good. --anchors none)
zone_check "no trust anchor: indeterminate" "$W/none.json" "$rc" 3 \
	'.zone.verdict == "indeterminate" and .zone.anchors == "none"'
rc=$(zone_probe "$W/nozone.json" www.good.)
if [ "$rc" = 3 ] && grep -q "www.good. is not a zone" "$W/nozone.json.err"; then
	echo "ok   a name that is not a zone: exit 3: $(cat "$W/nozone.json.err")"
else
	echo "FAIL a name that is not a zone: exit $rc: $(cat "$W/nozone.json.err")"
	ZONE_FAILS=$((ZONE_FAILS + 1))
fi
if lab_exec probe kdig @"$(lab_addr auth 4)" www.cust. A +norec +dnssec | grep -q "$(zone_addr 6 4)"; then
	echo "FAIL the root's referral to cust. carries glue: the next check would not test resolution"
	ZONE_FAILS=$((ZONE_FAILS + 1))
fi
rc=$(zone_probe "$W/cust.json" cust.)
zone_check "name servers outside the zone (no glue), resolved from the root: secure" "$W/cust.json" "$rc" 0 \
	'.zone.verdict == "secure"' \
	'.zone.chain[-1].servers | map(.server) | sort == ["2001:db8:4::6", "203.0.113.6"]' \
	'.zone.chain[-1].servers | map(.name) == ["ns-cust.hoster.", "ns-cust.hoster."]' \
	'.zone.transfer.ns_parent == ["ns-cust.hoster."] and .zone.walk_queries >= 4'
rc=$(zone_probe "$W/evil.json" evil.)
if [ "$rc" = 3 ] && grep -q "DNSFRAG_LAB=1: refusing 10.1.2.3 (glue of ns.evil. from a referral)" "$W/evil.json.err"; then
	echo "ok   glue outside the lab prefixes refused: exit 3"
else
	echo "FAIL lab guard on glue: exit $rc: $(cat "$W/evil.json.err")"
	ZONE_FAILS=$((ZONE_FAILS + 1))
fi
[ "$ZONE_FAILS" = 0 ]
