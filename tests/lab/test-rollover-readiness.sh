#!/bin/bash
# test-rollover-readiness.sh - dnsfrag-probe in mode rollover (profiles/rollover.conf)
# in the lab: path readiness for the root DNSKEY answer of every rollover phase,
# and which root keys a resolver trusts (RFC 8509 sentinels).
#
# Readiness (the sized names 864/1139/1414/1425/1700.size.lab TXT and
# '. DNSKEY' +DO, at EDNS 1,232 and 4,096, IPv4 and IPv6, asked of NSD):
#   clean path: every phase ready, exit 0;
#   mb1 drops every fragment (IPv4 frag-off, IPv6 fragment header) and TCP/53:
#   864 and 1,139 ready; 1,414 and 1,425 not ready (truncated at 1,232, TCP
#   blocked); 1,700 not ready (needs fragments at 4,096, truncated at 1,232,
#   TCP blocked); the reasons say so.
# Trust (through lab Unbound with --rd on, the lab anchors from --anchors):
#   Unbound with both lab KSKs anchored: trusts both: yes;
#   only the old KSK (phase single): old yes, new no, WARNING "does not trust";
#   only the new KSK (phase revoked, the old one revoked): new yes, old no, and
#   no warning (the old key was seen revoked);
#   no trust anchor (Unbound does not validate): cannot tell, AD=0.
# Exit 0 pass, 1 fail, 77 skip (not root, a tool missing).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip nft ethtool sysctl ss nsd nsd-checkconf unbound unbound-checkconf jq \
	ldns-keygen ldns-signzone ldns-revoke ldns-key2ds; do
	command -v "$t" >/dev/null 2>&1 || skip "missing $t"
done
P=${PROBE:-$root/bin/dnsfrag-probe}
[ -x "$P" ] || skip "build $P first"
# shellcheck source=tests/lab/lab.sh
. "$here/lab.sh"
# shellcheck source=tests/lab/rollover-lib.sh
. "$here/rollover-lib.sh"
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

LAB_PHASE=standby lab_up || { echo "FAIL lab_up"; exit 1; }
work=$LAB_TMP/readiness-test
mkdir -p "$work"
rollover_anchor_files "$LAB_TMP/keys" "$work" || { echo "FAIL anchor files"; exit 1; }
K=$LAB_TMP/keys
t1=$(rollover_keytag "$K" ksk1) t2=$(rollover_keytag "$K" ksk2)
echo "lab keys: KSK1 $t1 (KSK-2025), KSK2 $t2 (KSK-2026)"
A4=$(lab_addr auth 4) A6=$(lab_addr auth 6) R4=$(lab_addr resolver 4)

probe() { # OUT ARGS...: the probe in the probe namespace, JSON to OUT; echoes its exit
	local out=$1
	shift
	lab_exec probe env DNSFRAG_LAB=1 DNSFRAG_PROFILE_DIR="$root/profiles" "$P" -p rollover \
		--anchors "$work/anchors.xml" -T 1 --rate 0 --settle 0.3 --identity off --json "$@" \
		>"$out" 2>"$out.err"
	echo $?
}

# check NAME JSON EXIT WANT_EXIT JQ-EXPR...: each expression must be true
check() {
	local name=$1 json=$2 rc=$3 want_rc=$4 e
	shift 4
	if [ "$rc" != "$want_rc" ]; then
		bad "$name: exit $rc, want $want_rc: $(head -c 300 "$json.err") $(jq -c '.headline' "$json" 2>/dev/null)"; return
	fi
	for e in "$@"; do
		if [ "$(jq -r "$e" <"$json" 2>&1)" != true ]; then
			bad "$name: not ($e): $(jq -c '.rollover | {health, sentence, r: [.readiness.phases[]? | "IPv\(.family) \(.size) \(.verdict): \(.why)"], t: .trust}' <"$json")"
			return
		fi
	done
	ok "$name: $(jq -r '.rollover | "\(.health): \(.sentence)"' <"$json")"
}

# ---- readiness, clean path
rc=$(probe "$work/clean.json" -s "$A4" -s "$A6" --zone lab)
check "clean path: every phase ready" "$work/clean.json" "$rc" 0 \
	'.rollover.readiness.phases | length == 10 and all(.verdict == "ready")' \
	'[.rollover.readiness.phases[].size] | unique == [864, 1139, 1414, 1425, 1700]' \
	'.rollover.readiness.questions | length == 24 and all(.verdict == "ready")' \
	'[.rollover.readiness.questions[] | select(.size == 1700 and .advertised == 4096) | .udp] == ["fragmented", "fragmented"]' \
	'[.rollover.readiness.questions[] | select(.size == 1425 and .advertised == 1232) | .why] | all(. == "1,425 bytes exceeds the 1,232 you advertise: truncated, TCP works: ready")' \
	'.rollover.health == "OK" and .probe.plan.mode == "rollover"'

# ---- readiness, fragments dropped and TCP blocked on mb1
lab_nft mb1 'table inet mb {
	chain pre {
		type filter hook prerouting priority -500;
		ip frag-off & 0x3fff != 0 counter drop
		exthdr frag exists counter drop
		tcp dport 53 counter drop
	}
}' || { echo "FAIL nft"; exit 1; }
rc=$(probe "$work/blocked.json" -s "$A4" -s "$A6" --zone lab)
check "fragments dropped, TCP blocked: not ready where needed" "$work/blocked.json" "$rc" 2 \
	'.rollover.readiness.phases | map(select(.size == 864 or .size == 1139)) | length == 4 and all(.verdict == "ready")' \
	'.rollover.readiness.phases | map(select(.size >= 1414)) | length == 6 and all(.verdict == "not-ready")' \
	'[.rollover.readiness.questions[] | select(.size == 1700 and .advertised == 4096) | .why] | length == 2 and all(test("^1,700 bytes needs fragments.*TCP blocked \\(no handshake\\): not ready$"))' \
	'[.rollover.readiness.questions[] | select(.size == 1414 and .advertised == 4096) | .verdict] == ["ready", "ready"]' \
	'[.rollover.readiness.questions[] | select(.size == 1425 and .advertised == 1232) | .why] | all(. == "1,425 bytes exceeds the 1,232 you advertise: truncated, TCP blocked (no handshake): not ready")' \
	'.rollover.health == "WARNING" and (.rollover.sentence | test("not ready for the 1,414-byte"))'
drops=$(lab_nft_counter mb1)
[ "$drops" -gt 0 ] && ok "mb1 dropped $drops packets" || bad "mb1 dropped nothing"
lab_nft_flush mb1

# ---- the resolver's trust (RFC 8509)
trust() { # NAME OUT WANT_EXIT EXPR...
	local name=$1 out=$2 want=$3
	shift 3
	rc=$(probe "$out" -s "$R4" --rd on -b 1232)
	check "$name" "$out" "$rc" "$want" "$@"
}
k1=".rollover.trust[0].keys[] | select(.tag == $t1)"
k2=".rollover.trust[0].keys[] | select(.tag == $t2)"
trust "Unbound with both lab KSKs" "$work/both.json" 0 \
	'.rollover.trust | length == 1 and .[0].validates == "yes" and .[0].soa_ad' \
	"[$k1 | .trusts] == [\"yes\"]" "[$k2 | .trusts] == [\"yes\"]" \
	"[$k1 | .is_ta.rcode, .not_ta.rcode] == [\"NXDOMAIN\", \"SERVFAIL\"]"

LAB_UNBOUND_ANCHOR=$work/old-only.ds lab_root_phase single || { echo "FAIL Unbound old-only"; exit 1; }
trust "Unbound with only the old KSK" "$work/old.json" 1 \
	"[$k1 | .trusts] == [\"yes\"]" "[$k2 | .trusts] == [\"no\"]" \
	"[$k2 | .is_ta.rcode, .not_ta.rcode] == [\"SERVFAIL\", \"NXDOMAIN\"]" \
	".rollover.health == \"WARNING\" and (.rollover.sentence | test(\"does not trust KSK-2026 \\\\($t2\\\\)\"))" \
	'.health == "WARNING"'

LAB_UNBOUND_ANCHOR=$work/new-only.ds lab_root_phase revoked || { echo "FAIL Unbound new-only"; exit 1; }
trust "Unbound with only the new KSK, old one revoked" "$work/new.json" 0 \
	"[$k1 | .trusts] == [\"no\"]" "[$k2 | .trusts] == [\"yes\"]" \
	"[$k1 | .revoked_seen] == [true]" '.rollover.health == "OK"'

LAB_UNBOUND_ANCHOR=none lab_unbound_start || { echo "FAIL Unbound without anchor"; exit 1; }
trust "Unbound without a trust anchor (not validating)" "$work/none.json" 0 \
	'.rollover.trust[0].validates == "no" and (.rollover.trust[0].soa_ad | not)' \
	'[.rollover.trust[0].keys[].trusts] == ["cannot-tell", "cannot-tell"]' \
	'.rollover.trust[0].keys[0].why | test("not a validating resolver")'

# The text report says it in words.
lab_exec probe env DNSFRAG_LAB=1 "$P" --mode rollover --anchors "$work/anchors.xml" -s "$R4" --rd on -b 1232 \
	-T 1 --rate 0 --settle 0.3 --identity off >"$work/none.txt" 2>/dev/null
if grep -q "this resolver trusts KSK-2026 ($t2): cannot tell" "$work/none.txt"; then
	ok "text: 'this resolver trusts KSK-2026 ($t2): cannot tell'"
else
	bad "text lacks 'this resolver trusts KSK-2026 ($t2): cannot tell'"; sed -n '/resolver trust/,$p' "$work/none.txt"
fi
[ "${KEEP:-}" ] && cp -r "$work" "$KEEP"
lab_down
echo "$fails failure(s)"
[ $fails = 0 ]
