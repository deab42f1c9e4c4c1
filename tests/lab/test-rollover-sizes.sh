#!/bin/bash
# test-rollover-sizes.sh - the lab root's DNSKEY answer has the real root's sizes in
# every phase of a KSK rollover, and Unbound validates each phase.
#
#   phase         keys (signing the DNSKEY RRset*)                 DNSKEY answer, DO
#   single        KSK1*, ZSK1                                      864
#   standby       KSK1*, KSK2 (standby), ZSK1                      1139
#   standby-zsk   KSK1*, KSK2, ZSK1, ZSK2 (pre-published)          1414
#   revoked       KSK1 revoked*, KSK2*, ZSK1                       1425
#   revoked-zsk   KSK1 revoked*, KSK2*, ZSK1, ZSK2 (worst case)    1700
#
# Sizes are of the DNS message ("MSG SIZE rcvd") for ". DNSKEY" with +dnssec
# +bufsize=4096, from the probe over UDP: to NSD directly (kdig and dig, IPv4
# and IPv6) and through Unbound (AD=1). Also: ldns-verify-zone accepts each
# signed zone, the revoked key carries flags 385 and signs, signatures are valid
# now and expire before 2038.
# Exit 0 pass, 1 fail, 77 skip (not root, a tool missing).
set -u
here=$(cd "$(dirname "$0")" && pwd)
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip nft ethtool sysctl ss nsd nsd-checkconf unbound unbound-checkconf kdig dig \
	ldns-keygen ldns-signzone ldns-revoke ldns-key2ds ldns-verify-zone; do
	command -v "$t" >/dev/null 2>&1 || skip "missing $t"
done
# shellcheck source=tests/lab/lab.sh
. "$here/lab.sh"
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

LAB_SERVICES="nsd unbound" lab_up || { echo "FAIL lab_up"; exit 1; }
A4=$(lab_addr auth 4) A6=$(lab_addr auth 6) R4=$(lab_addr resolver 4) R6=$(lab_addr resolver 6)
tag() { (cd "$LAB_TMP/keys" && ldns-key2ds -n -1 "$1.key") | awk '{ for (i = 1; i < NF; i++) if ($i == "DS") { print $(i + 1); exit } }'; }
now=$(date -u +%Y%m%d%H%M%S)

for spec in single:864 standby:1139 standby-zsk:1414 revoked:1425 revoked-zsk:1700; do
	phase=${spec%:*} size=${spec#*:}
	lab_root_phase "$phase" || { bad "$phase: lab_root_phase"; continue; }
	keys=$(lab_dns_phase_keys "$phase")
	signers=${keys%|*}
	nkeys=$(echo "${keys%|*} ${keys#*|}" | wc -w)
	want_tags=$(for k in $signers; do case $k in ksk*) tag "$k" ;; esac; done | sort | tr '\n' ' ')

	if ldns-verify-zone -V 1 -k "$LAB_TMP/keys/root.ds" "$LAB_TMP/zones/root-$phase.signed" >/dev/null 2>&1; then
		ok "$phase: ldns-verify-zone"
	else
		bad "$phase: ldns-verify-zone: $(ldns-verify-zone -V 1 -k "$LAB_TMP/keys/root.ds" "$LAB_TMP/zones/root-$phase.signed" 2>&1 | tail -n 1)"
	fi
	for fam in 4 6; do
		eval "a=\$A$fam"
		out=$(lab_exec probe kdig @"$a" . DNSKEY +dnssec +bufsize=4096 +timeout=2 2>&1)
		got=$(echo "$out" | sed -n 's/^;; Received \([0-9]*\) B$/\1/p')
		dk=$(echo "$out" | grep -c $'\tDNSKEY\t')
		sigs=$(echo "$out" | awk '$4 == "RRSIG" && $5 == "DNSKEY" { print $11 }' | sort | tr '\n' ' ')
		if [ "$got" = "$size" ] && [ "$dk" = "$nkeys" ] && [ "$sigs" = "$want_tags" ]; then
			ok "$phase: kdig @$a: $got B, $dk DNSKEY, RRSIG by key tags $sigs"
		else
			bad "$phase: kdig @$a: $got B (want $size), $dk DNSKEY (want $nkeys), RRSIG tags '$sigs' (want '$want_tags')"
		fi
		case $phase in revoked*)
			echo "$out" | grep -qE $'\tDNSKEY\t385 3 8 ' && ok "$phase: the revoked KSK has flags 385" ||
				bad "$phase: no DNSKEY with flags 385"
		esac
		got=$(lab_exec probe dig @"$a" . DNSKEY +dnssec +bufsize=4096 +nocookie +time=2 +tries=1 2>&1 |
			sed -n 's/^;; MSG SIZE  rcvd: \([0-9]*\)$/\1/p')
		[ "$got" = "$size" ] && ok "$phase: dig @$a: MSG SIZE rcvd $got" || bad "$phase: dig @$a: '$got', want $size"
	done
	# Signature validity: inception in the past, expiry in the future and before 2038.
	times=$(lab_exec probe kdig @"$A4" . DNSKEY +dnssec +bufsize=4096 +timeout=2 |
		awk '$4 == "RRSIG" { print $9, $10 }' | sort -u)
	echo "$times" | while read -r exp inc; do
		[ "$inc" \< "$now" ] && [ "$now" \< "$exp" ] && [ "${exp:0:4}" -lt 2038 ] || echo bad
	done | grep -q bad && bad "$phase: signature times $times" || ok "$phase: signatures valid now, expire before 2038"
	# Through Unbound: validated (AD), same size.
	for r in "$R4" "$R6"; do
		out=$(lab_exec probe dig @"$r" . DNSKEY +dnssec +bufsize=4096 +nocookie +time=4 +tries=1 2>&1)
		got=$(echo "$out" | sed -n 's/^;; MSG SIZE  rcvd: \([0-9]*\)$/\1/p')
		if [ "$got" = "$size" ] && echo "$out" | grep -q '^;; flags:.* ad[ ;]'; then
			ok "$phase: dig @$r (Unbound): AD=1, MSG SIZE rcvd $got"
		else
			bad "$phase: dig @$r (Unbound): size '$got' (want $size), flags: $(echo "$out" | grep '^;; flags')"
		fi
	done
done
# A trust anchor that matches no published key makes Unbound fail: the AD above
# is not vacuous. (Phase single does not publish KSK2.)
lab_nsd_start single
(cd "$LAB_TMP/keys" && ldns-key2ds -n -2 ksk2.key) >"$LAB_TMP/keys/root.ds"
lab_unbound_start
out=$(lab_exec probe dig @"$R4" . DNSKEY +dnssec +bufsize=4096 +nocookie +time=4 +tries=1 2>&1)
echo "$out" | grep -q 'status: SERVFAIL' && ok "a wrong trust anchor gives SERVFAIL" ||
	bad "a wrong trust anchor did not give SERVFAIL: $(echo "$out" | grep -E 'status|flags')"
lab_down
echo "$fails failures"
[ "$fails" -eq 0 ]
