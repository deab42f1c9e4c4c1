#!/bin/bash
# test-rollover-validation.sh - dnsfrag-analyze validates the lab root's DNSKEY
# answers in every phase of a KSK rollover against the lab's trust anchors.
#
# For each phase (single, standby, standby-zsk, revoked, revoked-zsk) kdig asks
# NSD '. DNSKEY' with DO from the probe's namespace (UDP IPv4 and IPv6, TCP
# IPv4) while tcpdump captures the probe's link; then
# `bin/dnsfrag-analyze --anchors A` on the capture, with A the lab anchors as
# DS lines, as root-anchors.xml and as DNSKEY lines, must report: rollover
# health OK, the phase and its exact size (864 / 1,139 / 1,414 / 1,425 / 1,700),
# 3 secure answers, the keys (KSK1 revoked by its new tag, tag + 128, in the
# revoked phases; the standby KSK present and not signing), exit 0.
# Negative cases: the real root's anchors (wrong for the lab) -> CRITICAL, exit 2;
# only the old KSK anchored once it is revoked -> CRITICAL "update trust
# anchors"; only the new KSK anchored while the old one signs -> WARNING;
# only the old KSK during the standby phase -> OK; a missing anchors file ->
# exit 3 naming the file.
# Exit 0 pass, 1 fail, 77 skip (not root, a tool missing).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip nft ethtool sysctl ss nsd nsd-checkconf kdig tcpdump jq \
	ldns-keygen ldns-signzone ldns-revoke ldns-key2ds; do
	command -v "$t" >/dev/null 2>&1 || skip "missing $t"
done
A=${ANALYZER:-$root/bin/dnsfrag-analyze}
[ -x "$A" ] || skip "build $A first"
# shellcheck source=tests/lab/lab.sh
. "$here/lab.sh"
# shellcheck source=tests/lab/rollover-lib.sh
. "$here/rollover-lib.sh"
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

LAB_SERVICES=nsd lab_up || { echo "FAIL lab_up"; exit 1; }
work=$LAB_TMP/rollover-test
mkdir -p "$work"
rollover_anchor_files "$LAB_TMP/keys" "$work" || { echo "FAIL anchor files"; exit 1; }
K=$LAB_TMP/keys
t1=$(rollover_keytag "$K" ksk1) t1r=$(rollover_keytag "$K" ksk1r) t2=$(rollover_keytag "$K" ksk2)
echo "lab keys: KSK1 $t1 (revoked: $t1r), KSK2 $t2"

# check NAME JSON EXIT JQ-EXPR...: each expression must be true on JSON
check() {
	local name=$1 json=$2 rc=$3 want_rc=$4 e
	shift 4
	if [ "$rc" != "$want_rc" ]; then
		bad "$name: exit $rc, want $want_rc"; return
	fi
	for e in "$@"; do
		if [ "$(jq -r "$e" <"$json" 2>&1)" != true ]; then
			bad "$name: not ($e): $(jq -c '.rollover | {health, sentence, phases, counts}' <"$json")"
			return
		fi
	done
	ok "$name: $(jq -r '.rollover | "\(.health): \(.sentence)"' <"$json")"
}

for spec in single:864 standby:1139 standby-zsk:1414 revoked:1425 revoked-zsk:1700; do
	phase=${spec%:*} size=${spec#*:}
	pcap=$work/$phase.pcap
	rollover_capture_phase "$phase" "$pcap" || { bad "$phase: capture"; continue; }
	for f in anchors.ds anchors.xml anchors.dnskey; do
		"$A" --json --anchors "$work/$f" "$pcap" >"$work/$phase.$f.json" 2>"$work/err"
		check "$phase with $f" "$work/$phase.$f.json" $? 0 \
			'.rollover.health == "OK"' \
			".rollover.phases | length == 1 and .[0].phase == \"$phase\" and .[0].size == $size and .[0].answers == 3" \
			'.rollover.counts.secure == 3 and .rollover.counts.bogus == 0 and .rollover.counts.answers == 3' \
			'[.rollover.answers[].validation] == ["secure", "secure", "secure"]' \
			'[.rollover.answers[].transport] == ["udp", "udp", "tcp"]'
	done
	j=$work/$phase.anchors.ds.json
	case $phase in
	revoked*)
		check "$phase: KSK1 revoked" "$j" 0 0 \
			".rollover.keys | map(select(.revoked)) | length == 1 and .[0].tag == $t1r and .[0].unrevoked_tag == $t1 and .[0].flags == 385 and .[0].trust_anchor and .[0].signs" \
			".rollover.keys | map(select(.tag == $t2)) | .[0].signs and .[0].trust_anchor" \
			"[.rollover.answers[0].signatures[].tag] | sort == ([$t1r, $t2] | sort)"
		"$A" --anchors "$work/anchors.xml" "$pcap" >"$work/$phase.txt"
		if grep -q "KSK-2025 ($t1) revoked, now $t1r" "$work/$phase.txt"; then
			ok "$phase: text says 'KSK-2025 ($t1) revoked, now $t1r'"
		else
			bad "$phase: text lacks 'KSK-2025 ($t1) revoked, now $t1r'"; sed -n '/Root key rollover/,$p' "$work/$phase.txt"
		fi
		;;
	standby*)
		check "$phase: standby KSK2 published, not signing" "$j" 0 0 \
			".rollover.keys | map(select(.tag == $t2)) | length == 1 and (.[0].signs | not) and .[0].trust_anchor" \
			".rollover.keys | map(select(.tag == $t1)) | .[0].signs" \
			'.rollover.keys | map(select(.revoked)) | length == 0'
		;;
	esac
done

# Negative cases on the captures above.
"$A" --json --rollover "$work/revoked.pcap" >"$work/neg1.json" 2>/dev/null
check "wrong anchors (the real root's, default)" "$work/neg1.json" $? 2 \
	'.health == "CRITICAL" and .rollover.health == "CRITICAL"' '.rollover.counts.bogus == 3' \
	'.rollover.answers[0].why | test("matches no trust anchor")' '.headline | startswith("CRITICAL: root DNSKEY:")'
"$A" --json --anchors "$work/old-only.ds" "$work/revoked.pcap" >"$work/neg2.json" 2>/dev/null
check "only the old KSK anchored, old KSK revoked" "$work/neg2.json" $? 2 \
	'.rollover.health == "CRITICAL"' \
	".rollover.answers[0].why | test(\"revoked, now $t1r\") and test(\"update trust anchors\")"
"$A" --json --anchors "$work/new-only.ds" "$work/standby.pcap" >"$work/neg3.json" 2>/dev/null
check "only the new KSK anchored while the old one signs" "$work/neg3.json" $? 1 \
	'.health == "WARNING" and .rollover.health == "WARNING"' '.rollover.counts["stale-anchors"] == 3' \
	'.rollover.sentence | test("update trust anchors \\(RFC 5011 or dns-root-data\\)")'
"$A" --json --anchors "$work/old-only.ds" "$work/standby.pcap" >"$work/neg4.json" 2>/dev/null
check "only the old KSK anchored, standby phase" "$work/neg4.json" $? 0 '.rollover.health == "OK"'
"$A" --anchors "$work/nonexistent.xml" "$work/single.pcap" >/dev/null 2>"$work/err"
rc=$?
if [ $rc = 3 ] && grep -q "nonexistent.xml: cannot open" "$work/err"; then
	ok "missing anchors file: exit 3, $(cat "$work/err")"
else
	bad "missing anchors file: exit $rc, $(cat "$work/err")"
fi
printf '. IN DS 1 8 2 00\n. IN DS x 8 2 00\n' >"$work/bad.ds"
"$A" --anchors "$work/bad.ds" "$work/single.pcap" >/dev/null 2>"$work/err"
rc=$?
if [ $rc = 3 ] && grep -q "bad.ds:1: digest of 1 bytes" "$work/err"; then
	ok "bad anchors file: exit 3, $(cat "$work/err")"
else
	bad "bad anchors file: exit $rc, $(cat "$work/err")"
fi
[ "${KEEP:-}" ] && cp -r "$work" "$KEEP"
lab_down
echo "$fails failure(s)"
[ $fails = 0 ]
