# rollover-lib.sh - helpers shared by test-rollover-validation.sh and
# record-rollover-pcaps (sourced after lab.sh, in a lab that is up).

# rollover_anchor_files KEYDIR OUTDIR: write the trust anchor files of a lab key
# set into OUTDIR:
#   anchors.ds       DS of ksk1 and ksk2 (the lab's root.ds)
#   anchors.xml      the same keys in IANA's root-anchors.xml format, with
#                    <PublicKey> and <Flags>; validFrom 2025 and 2026 name them
#                    KSK-2025 and KSK-2026 in reports
#   anchors.dnskey   ksk1 and ksk2 as DNSKEY lines
#   old-only.ds      only ksk1 (a resolver that missed the roll)
#   new-only.ds      only ksk2
rollover_anchor_files() {
	local k=$1 o=$2 name tag digest flags alg key year
	mkdir -p "$o" || return 1
	: >"$o/anchors.ds"
	: >"$o/anchors.dnskey"
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo '<TrustAnchor id="dnsfrag-lab" source="tests/lab/rollover-lib.sh">'
		echo '<Zone>.</Zone>'
	} >"$o/anchors.xml"
	for name in ksk1 ksk2; do
		(cd "$k" && ldns-key2ds -n -2 "$name.key") >"$o/$name.ds" || return 1
		cat "$o/$name.ds" >>"$o/anchors.ds"
		# shellcheck disable=SC2046
		set -- $(sed 's/;.*//' "$o/$name.ds")
		while [ $# -gt 0 ] && [ "$1" != DS ]; do shift; done
		tag=$2 digest=$5
		# shellcheck disable=SC2046
		set -- $(sed 's/;.*//' "$k/$name.key")
		while [ $# -gt 0 ] && [ "$1" != DNSKEY ]; do shift; done
		flags=$2 alg=$4
		shift 4
		key=$(echo "$*" | tr -d ' ')
		echo ". IN DNSKEY $flags 3 $alg $key" >>"$o/anchors.dnskey"
		case $name in ksk1) year=2025 ;; *) year=2026 ;; esac
		cat >>"$o/anchors.xml" <<EOF
<KeyDigest id="lab-$name" validFrom="$year-01-01T00:00:00+00:00">
<KeyTag>$tag</KeyTag>
<Algorithm>$alg</Algorithm>
<DigestType>2</DigestType>
<Digest>$digest</Digest>
<PublicKey>$key</PublicKey>
<Flags>$flags</Flags>
</KeyDigest>
EOF
	done
	echo '</TrustAnchor>' >>"$o/anchors.xml"
	mv "$o/ksk1.ds" "$o/old-only.ds" && mv "$o/ksk2.ds" "$o/new-only.ds"
}

# rollover_keytag KEYDIR NAME: the key tag of NAME.key (ksk1, ksk1r, ksk2, ...).
rollover_keytag() {
	(cd "$1" && ldns-key2ds -f -n -1 "$2.key") |
		awk '{ for (i = 1; i < NF; i++) if ($i == "DS") { print $(i + 1); exit } }'
}

# rollover_capture_phase PHASE FILE: serve PHASE, capture on the probe's link
# while kdig asks NSD '. DNSKEY' with DO over UDP (IPv4, IPv6) and TCP (IPv4).
rollover_capture_phase() {
	local phase=$1 file=$2 a4 a6
	a4=$(lab_addr auth 4) a6=$(lab_addr auth 6)
	lab_root_phase "$phase" || return 1
	lab_capture_start probe "$(lab_ifname probe probe-mb1)" "$file" \
		'port 53 or icmp or icmp6 or (ip[6:2] & 0x1fff != 0) or (ip6 and ip6[6] == 44)' || return 1
	lab_exec probe kdig @"$a4" . DNSKEY +dnssec +bufsize=4096 +time=2 +retry=0 >/dev/null
	lab_exec probe kdig @"$a6" . DNSKEY +dnssec +bufsize=4096 +time=2 +retry=0 >/dev/null
	lab_exec probe kdig @"$a4" . DNSKEY +dnssec +tcp +time=2 +retry=0 >/dev/null
	sleep 0.2
	lab_capture_stop "$LAB_CAPTURE_LAST"
}
