#!/bin/bash
# test-zone-transfer.sh - dnsfrag-probe --zone during a DNS-provider transfer
# (issue 9), in the lab: real NSD instances, a real signed root.
#
# The zone xfer. (a delegation of the lab root) moves from an "old provider"
# (ns1.xfer., 203.0.113.3 / 2001:db8:4::3) to a "new provider" (ns2.xfer.,
# .4 / ::4); each signs with its own KSK and ZSK.
#   in progress: the root delegates to both providers but its DS still names
#     only the old KSK. Resolvers that ask the new provider reach Bogus:
#     verdict bogus, exit 2, the new provider's two addresses named as the
#     servers where DS and DNSKEY disagree, the old ones secure; the TTLs
#     (DS 3600, DNSKEY 3600, NS 86400 at the parent) reported.
#   DS replaced: the root delegates to the new provider only and its DS names
#     the new KSK: verdict secure, exit 0, no disagreement.
# Exit 0 pass, 1 fail, 77 skip (not root, a tool missing, no probe binary).
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
for p in old new; do
	zone_keygen "$K" "$p-ksk" xfer. 2048 ksk && zone_keygen "$K" "$p-zsk" xfer. 2048 zsk || { echo "FAIL keygen"; exit 1; }
done
old=$(zone_tag "$K" old-ksk) new=$(zone_tag "$K" new-ksk)
echo "old provider KSK $old, new provider KSK $new"

# provider NAME SLOT NSLIST: sign xfer. with the provider's keys and serve it
provider() {
	zone_write "$W/xfer-$1.zone" xfer. "$3" "$(zone_dnskey_rr "$K" "$1-ksk" 3600)" "$(zone_dnskey_rr "$K" "$1-zsk" 3600)" &&
	zone_sign "$W/xfer-$1.zone" "$W/xfer-$1.signed" xfer. "$K/$1-ksk" "$K/$1-zsk" &&
	zone_nsd_start "$1" "$2" "xfer.:$W/xfer-$1.signed"
}

# ---- in progress: NS at both providers, DS of the old KSK only
provider old 3 "ns1:3 ns2:4" && provider new 4 "ns1:3 ns2:4" || { echo "FAIL providers"; exit 1; }
zone_ds "$K" old-ksk >"$W/old.ds"
zone_delegation xfer. "ns1:3 ns2:4" "$W/old.ds" >"$W/root-1"
zone_root_publish "$W/root-1" || { echo "FAIL root"; exit 1; }
rc=$(zone_probe "$W/progress.json" xfer.)
zone_check "transfer in progress: bogus at the new provider" "$W/progress.json" "$rc" 2 \
	'.zone.verdict == "bogus" and .zone.state == "bogus" and .health == "CRITICAL"' \
	'.zone.transfer.ds_dnskey_disagree | sort == ["2001:db8:4::4", "203.0.113.4"]' \
	".zone.chain[-1].ds | map(.key_tag) == [$old]" \
	'[.zone.chain[-1].servers[] | select(.server | test("4$")) | .state] == ["bogus", "bogus"]' \
	'[.zone.chain[-1].servers[] | select(.server | test("3$")) | .state] == ["secure", "secure"]' \
	"[.zone.chain[-1].servers[] | select(.server | test(\"4\$\")) | .keys[].key_tag] | index($new) != null" \
	'.zone.transfer.dnskey_sets_differ == true' \
	'.zone.transfer.ttl == {"ds": 3600, "dnskey": 3600, "ns_parent": 86400, "ns_zone": 3600}' \
	'.zone.transfer.ns_parent == ["ns1.xfer.", "ns2.xfer."]' \
	'.zone.chain[0].state == "secure" and (.zone.chain | length) == 2' \
	'.zone.sentence | test("no DNSKEY here matches the parent.s DS")'

# the text report says the same
lab_exec probe env DNSFRAG_LAB=1 "$PROBE" -4 --zone xfer. -s "$(lab_addr auth 4)" --anchors "$LAB_TMP/keys/root.ds" \
	-T 1 --rate 0 --settle 0.3 --identity off >"$W/progress.txt" 2>&1
rc=$?
if [ "$rc" = 2 ] && grep -q "^Zone xfer\.: bogus" "$W/progress.txt" &&
	grep -q "DS and DNSKEY disagree at: 203\.0\.113\.4 (ns2\.xfer\.)$" "$W/progress.txt" &&
	grep -q "wait the DS TTL (3600 s) before removing keys the old DS names" "$W/progress.txt" &&
	grep -q "^CRITICAL: zone xfer\.: Bogus" "$W/progress.txt"; then
	echo "ok   the text report (IPv4 only): bogus, disagreement at ns2.xfer., the DS TTL"
else
	echo "FAIL the text report (exit $rc):"
	sed -n '/^Zone/,$p' "$W/progress.txt" | head -30
	ZONE_FAILS=$((ZONE_FAILS + 1))
fi

# ---- DS replaced: NS at the new provider only, DS of the new KSK
provider new 4 "ns2:4" || { echo "FAIL new provider"; exit 1; }
zone_ds "$K" new-ksk >"$W/new.ds"
zone_delegation xfer. "ns2:4" "$W/new.ds" >"$W/root-2"
zone_root_publish "$W/root-2" || { echo "FAIL root"; exit 1; }
rc=$(zone_probe "$W/done.json" xfer.)
zone_check "DS replaced: secure" "$W/done.json" "$rc" 0 \
	'.zone.verdict == "secure" and .zone.state == "secure" and .zone.health == "OK"' \
	'.zone.transfer.ds_dnskey_disagree == []' \
	".zone.chain[-1].ds | map(.key_tag) == [$new]" \
	'[.zone.chain[-1].servers[].server] | sort == ["2001:db8:4::4", "203.0.113.4"]' \
	'[.zone.chain[-1].servers[].state] == ["secure", "secure"]' \
	"[.zone.chain[-1].servers[0].keys[] | select(.signs_dnskey) | .key_tag] == [$new]" \
	'.zone.transfer.ns_parent == ["ns2.xfer."] and .zone.transfer.ns_sets_differ == false'
[ "$ZONE_FAILS" = 0 ]
