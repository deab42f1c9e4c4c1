# shellcheck shell=bash
# zone-lib.sh - signed zones below the lab root for dnsfrag-probe's zone mode
# (issue 9). Source it after lab.sh, in a lab that is up (LAB_SERVICES=nsd is
# enough). Nothing here edits lab.sh's topology: extra zones are served by
# their own NSD instances in the auth namespace, on the free addresses of the
# mb2-auth link (203.0.113.3-.6, 2001:db8:4::3-6), and the root zone is
# re-signed with extra delegations and DS records (zone_root_publish).
#
#   203.0.113.3  2001:db8:4::3   "old provider"  (zone_nsd_start old 3 ...)
#   203.0.113.4  2001:db8:4::4   "new provider"
#   203.0.113.5  2001:db8:4::5   other test zones
#   203.0.113.6  2001:db8:4::6   the large-DNSKEY zone
#
# Functions:
#   zone_addr IDX 4|6                 the address of provider slot IDX (3-6)
#   zone_addrs_up                     put those addresses on auth's to-mb2
#   zone_keygen DIR LABEL ZONE BITS ksk|zsk
#                                     an RSASHA256 key DIR/LABEL.{key,private}
#   zone_ds DIR LABEL                 the DS (SHA-256) line of a key
#   zone_tag DIR LABEL                its key tag
#   zone_dnskey_rr DIR LABEL TTL      its DNSKEY line, comments removed
#   zone_write FILE ZONE NSLIST [EXTRA...]
#                                     an unsigned zone: SOA, NS names "ns1:3 ns2:4"
#                                     (name:slot, glue in the zone), a www A record
#   zone_sign IN OUT ZONE SIGNKEYS... sign IN with DIR/LABEL keys (paths without
#                                     suffix); DNSKEY records must already be in IN
#   zone_nsd_start NAME IDX ZONE:FILE...  (re)start an NSD on slot IDX serving the zones
#   zone_root_publish FILE            re-sign the running root phase with FILE's
#                                     records added, restart the lab's NSD
#   zone_delegation ZONE NSLIST [DSFILE]  root records: NS, glue, DS lines

ZONE_NSD_PIDS=()

zone_addr() {
	case "$2" in
	4) echo "203.0.113.$1" ;;
	6) echo "2001:db8:4::$1" ;;
	*) lab_err "zone_addr: family 4 or 6" ;;
	esac
}

zone_addrs_up() {
	local i ifn
	ifn=$(lab_ifname auth mb2-auth) || return 1
	for i in 3 4 5 6; do
		lab_exec auth ip addr add "$(zone_addr "$i" 4)/29" dev "$ifn" 2>/dev/null
		lab_exec auth ip addr add "$(zone_addr "$i" 6)/64" dev "$ifn" nodad 2>/dev/null
	done
	lab_exec auth ip -4 addr show dev "$ifn" | grep -q "$(zone_addr 6 4)/" || { lab_err "zone addresses"; return 1; }
}

zone_keygen() { # DIR LABEL ZONE BITS ksk|zsk
	local d=$1 label=$2 zone=$3 bits=$4 kind=$5 base
	mkdir -p "$d" || return 1
	set --
	[ "$kind" = ksk ] && set -- -k
	base=$(cd "$d" && ldns-keygen -a RSASHA256 -b "$bits" -r /dev/urandom "$@" "$zone") ||
		{ lab_err "ldns-keygen $zone"; return 1; }
	mv "$d/$base.key" "$d/$label.key" && mv "$d/$base.private" "$d/$label.private" || return 1
	rm -f "$d/$base.ds"
}

zone_ds() { (cd "$1" && ldns-key2ds -n -2 "$2.key") | sed 's/;.*//'; }

zone_tag() { # the key tag, from ldns-key2ds's DS line
	# shellcheck disable=SC2046
	set -- $(zone_ds "$1" "$2")
	while [ $# -gt 0 ] && [ "$1" != DS ]; do shift; done
	echo "$2"
}

zone_dnskey_rr() { # DIR LABEL TTL
	awk -v ttl="$3" '{ sub(/;.*/, "") } /DNSKEY/ {
		for (i = 1; i <= NF; i++) if ($i == "DNSKEY") break
		printf "%s\t%s\tIN\tDNSKEY\t%s %s %s ", $1, ttl, $(i+1), $(i+2), $(i+3)
		for (j = i + 4; j <= NF; j++) printf "%s", $j
		printf "\n" }' "$1/$2.key"
}

# NSLIST: "ns1:3 ns2:4" - server names below ZONE and their address slots.
zone_write() { # FILE ZONE NSLIST [EXTRA-LINES...]
	local f=$1 z=$2 list=$3 e n
	shift 3
	{
		echo "\$ORIGIN $z"
		echo "@	3600	IN	SOA	${list%%:*}.$z hostmaster.$z 2026112601 1800 900 604800 3600"
		for e in $list; do echo "@	3600	IN	NS	${e%%:*}.$z"; done
		for e in $list; do
			n=${e%%:*}
			echo "$n	3600	IN	A	$(zone_addr "${e#*:}" 4)"
			echo "$n	3600	IN	AAAA	$(zone_addr "${e#*:}" 6)"
		done
		echo "www	3600	IN	A	192.0.2.80"
		for e in "$@"; do echo "$e"; done
	} >"$f"
}

# ZONE_SIGN_DAYS="FROM TO": signature inception and expiry in days from now
# (default "-7 30", as lab.sh signs the root; "-30 -1" makes expired ones).
zone__times() {
	local now from to
	now=$(date -u +%s)
	read -r from to <<<"${ZONE_SIGN_DAYS:--7 30}"
	ZONE_INC=$(lab__date $((now + from * 86400)))
	ZONE_EXP=$(lab__date $((now + to * 86400)))
}

zone_sign() { # IN OUT ZONE KEYPATH...
	local in=$1 out=$2 z=$3
	shift 3
	zone__times
	ldns-signzone -d -i "$ZONE_INC" -e "$ZONE_EXP" -o "$z" -f "$out" "$in" "$@" ||
		{ lab_err "ldns-signzone $z"; return 1; }
}

zone_delegation() { # ZONE NSLIST [DSFILE]: NS and glue (TTL 86400) and the DS lines
	local z=$1 list=$2 e n
	for e in $list; do echo "$z	86400	IN	NS	${e%%:*}.$z"; done
	for e in $list; do
		n=${e%%:*}.$z
		echo "$n	86400	IN	A	$(zone_addr "${e#*:}" 4)"
		echo "$n	86400	IN	AAAA	$(zone_addr "${e#*:}" 6)"
	done
	[ -z "${3:-}" ] || sed 's/;.*//' "$3"
}

zone_nsd_start() { # NAME IDX ZONE:FILE...
	local name=$1 idx=$2 d=$LAB_TMP/nsd-$1 zf a4 a6 pid
	shift 2
	mkdir -p "$d" || return 1
	[ -z "${ZONE_NSD_PIDS[idx]:-}" ] || { lab__stop_pid "${ZONE_NSD_PIDS[idx]}"; ZONE_NSD_PIDS[idx]=""; }
	a4=$(zone_addr "$idx" 4) a6=$(zone_addr "$idx" 6)
	{
		cat <<EOF
server:
	server-count: 1
	ip-address: $a4
	ip-address: $a6
	username: ""
	chroot: ""
	database: ""
	zonesdir: "$d"
	zonelistfile: "$d/zone.list"
	xfrdfile: "$d/xfrd.state"
	xfrdir: "$d"
	pidfile: "$d/nsd.pid"
	logfile: "$d/nsd.log"
	ipv4-edns-size: 4096
	ipv6-edns-size: 4096
	hide-version: yes
	minimal-responses: yes
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
EOF
		for zf in "$@"; do
			printf 'zone:\n\tname: "%s"\n\tzonefile: "%s"\n' "${zf%%:*}" "${zf#*:}"
		done
	} >"$d/nsd.conf"
	nsd-checkconf "$d/nsd.conf" || { lab_err "nsd.conf ($name) does not check"; return 1; }
	ip netns exec "$(lab_ns auth)" nsd -d -c "$d/nsd.conf" >>"$d/nsd.out" 2>&1 &
	pid=$!
	lab__wait_listen auth "$pid" "$a4" "[$a6]" ||
		{ cat "$d/nsd.out" "$d/nsd.log" >&2 2>/dev/null; lab_err "NSD ($name) did not start"; return 1; }
	ZONE_NSD_PIDS[idx]=$pid
	lab_log "NSD $name on slot $idx, pid $pid"
}

zone_root_publish() { # FILE: extra root records
	local d=$LAB_TMP/zones k=$LAB_TMP/keys phase=${LAB_CUR_PHASE:-single} spec key
	spec=$(lab_dns_phase_keys "$phase") || return 1
	cat "$d/root-$phase.zone" "$1" >"$d/root-$phase.zone+" || return 1
	set --
	for key in ${spec%|*}; do set -- "$@" "$k/$key"; done
	zone_sign "$d/root-$phase.zone+" "$d/root-$phase.signed" . "$@" || return 1
	lab_nsd_start "$phase"
}

# ---------------------------------------------------------------- test helpers
# zone_probe OUT ZONE [ARGS...]: dnsfrag-probe --zone ZONE --json in the probe
# namespace, from the lab root (NSD on auth, both families), with the lab
# root's DS as trust anchors; JSON to OUT, stderr to OUT.err; echoes the exit
# status. PROBE (default bin/dnsfrag-probe) is the binary.
zone_probe() {
	local out=$1 zone=$2
	shift 2
	lab_exec probe env DNSFRAG_LAB=1 "${PROBE:-$LAB_HOME/../../bin/dnsfrag-probe}" --zone "$zone" \
		-s "$(lab_addr auth 4)" -s "$(lab_addr auth 6)" --anchors "$LAB_TMP/keys/root.ds" \
		-T 1 --rate 0 --settle 0.3 --identity off --json "$@" >"$out" 2>"$out.err"
	echo $?
}

# zone_check NAME JSON EXIT WANT_EXIT JQ-EXPR...: every expression must be
# true; prints ok/FAIL and counts failures in ZONE_FAILS.
ZONE_FAILS=0
zone_check() {
	local name=$1 json=$2 rc=$3 want=$4 e
	shift 4
	if [ "$rc" != "$want" ]; then
		echo "FAIL $name: exit $rc, want $want: $(head -c 400 "$json.err") $(jq -c '.zone | {verdict, sentence}' "$json" 2>/dev/null)"
		ZONE_FAILS=$((ZONE_FAILS + 1))
		return 1
	fi
	# the report must fit the schema (the "zone" key is in man/dnsfrag-report.schema.json)
	if python3 -c 'import jsonschema' 2>/dev/null && ! "$LAB_HOME/../validate-json" "$json"; then
		echo "FAIL $name: the JSON report does not validate against the schema"
		ZONE_FAILS=$((ZONE_FAILS + 1))
		return 1
	fi
	for e in "$@"; do
		if [ "$(jq -r "$e" <"$json" 2>&1)" != true ]; then
			echo "FAIL $name: not ($e): $(jq -c '.zone | {verdict, state, sentence, t: .transfer.ds_dnskey_disagree}' <"$json")"
			ZONE_FAILS=$((ZONE_FAILS + 1))
			return 1
		fi
	done
	echo "ok   $name: exit $rc: $(jq -r '.zone.sentence' <"$json")"
}
