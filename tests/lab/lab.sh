# shellcheck shell=bash
# lab.sh - the dnsfrag lab: a chain of network namespaces with real DNS servers.
#
#   probe --- mb1 --- resolver --- mb2 --- auth
#   host      router  router+Unbound router  NSD (root-like "." and "lab.")
#
# Source it from bash, then:  lab_up; ...; lab_down  (lab_up installs a trap that
# tears everything down on exit, error or signal). Addresses are documentation
# prefixes only (RFC 5737, RFC 3849); no node has a default route, so nothing can
# leave the lab. See tests/lab/README.md for the topology, the functions and the
# scenario format.
#
# Settings (environment, read by lab_up):
#   LAB_SERVICES   which servers to start: "nsd unbound" (default), "nsd", or ""
#   LAB_PHASE      root zone rollover phase served at start (default: single)
#   LAB_UNBOUND_EDNS  Unbound's edns-buffer-size (default: Unbound's own, 1232)
#   LAB_UNBOUND_ANCHOR  Unbound's trust-anchor-file (default: the lab root's DS,
#                  both KSKs); "none": no trust anchor (Unbound does not validate).
#                  Read by every lab_unbound_start.
#   LAB_NSD_NSID   NSD answers NSID queries (RFC 5001) with this ASCII string
#   LAB_KEYDIR     copy the root keys from this directory (see lab_dns_keygen)
#                  instead of generating them
#   LAB_KEEP=1     keep the run's temp directory (configs, zones, logs) after lab_down
#   LAB_NO_TRAP=1  do not install the EXIT/INT/TERM trap (call lab_down yourself)
#   LAB_VERBOSE=1  log what lab.sh does on stderr

LAB_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_NODES="probe mb1 resolver mb2 auth"
LAB_ROUTERS="mb1 resolver mb2"
LAB_LINKS="probe-mb1 mb1-resolver resolver-mb2 mb2-auth"
LAB_PHASES="single standby standby-zsk revoked revoked-zsk"
# The last five: the root DNSKEY answer's sizes in the rollover phases (issue 8).
LAB_SIZES="512 513 1232 1233 1400 1401 1452 1453 1472 1473 1500 1501 2048 3000 4096 864 1139 1414 1425 1700"
LAB_ID=""
LAB_TMP=""
LAB_CAPTURE_PIDS=""
LAB_NSD_PID=""
LAB_UNBOUND_PID=""
LAB_CUR_PHASE=""
LAB_UNBOUND_EDNS_CUR=""
LAB_CAPTURE_LAST=""

lab_log() { [ -z "${LAB_VERBOSE:-}" ] || echo "lab: $*" >&2; }
lab_err() { echo "lab: error: $*" >&2; return 1; }

# ---------------------------------------------------------------- addressing
# Link table: left node, right node, IPv4 /29, IPv6 /64. The left end is host 1
# of the subnet, the right end host 2.
lab__link() { # LINK -> "left right v4base v6prefix"
	case "$1" in
	probe-mb1)    echo "probe mb1 192.0.2.0 2001:db8:1::" ;;
	mb1-resolver) echo "mb1 resolver 198.51.100.0 2001:db8:2::" ;;
	resolver-mb2) echo "resolver mb2 198.51.100.8 2001:db8:3::" ;;
	mb2-auth)     echo "mb2 auth 203.0.113.0 2001:db8:4::" ;;
	*) lab_err "unknown link '$1' (one of: $LAB_LINKS)" ;;
	esac
}

lab__v4host() { # BASE N -> BASE with the last octet + N
	local IFS=.
	# shellcheck disable=SC2086
	set -- $1 "$2"
	echo "$1.$2.$3.$(($4 + $5))"
}

# lab_link_addr LINK NODE FAMILY: NODE's address (no prefix length) on LINK.
lab_link_addr() {
	local l r v4 v6 n
	read -r l r v4 v6 <<EOF
$(lab__link "$1")
EOF
	[ -n "$l" ] || return 1
	if [ "$2" = "$l" ]; then n=1; elif [ "$2" = "$r" ]; then n=2; else
		lab_err "node '$2' is not on link '$1'"; return 1
	fi
	case "$3" in
	4|ip4|inet) lab__v4host "$v4" "$n" ;;
	6|ip6|inet6) echo "$v6$n" ;;
	*) lab_err "family must be 4 or 6, not '$3'" ;;
	esac
}

# lab_link_prefix LINK FAMILY: the link's subnet with its length.
lab_link_prefix() {
	local l r v4 v6
	read -r l r v4 v6 <<EOF
$(lab__link "$1")
EOF
	case "$2" in 4) echo "$v4/29" ;; 6) echo "$v6/64" ;; *) lab_err "family must be 4 or 6" ;; esac
}

# Links of a node, left one first.
lab__node_links() {
	case "$1" in
	probe) echo "probe-mb1" ;;
	mb1) echo "probe-mb1 mb1-resolver" ;;
	resolver) echo "mb1-resolver resolver-mb2" ;;
	mb2) echo "resolver-mb2 mb2-auth" ;;
	auth) echo "mb2-auth" ;;
	*) lab_err "unknown node '$1' (one of: $LAB_NODES)" ;;
	esac
}

# lab_addr NODE FAMILY [LINK]: the node's address. Without LINK, the address
# facing the probe (the one a client on the probe side talks to); the probe's is
# its only one.
lab_addr() {
	local links
	links=$(lab__node_links "$1") || return 1
	lab_link_addr "${3:-${links%% *}}" "$1" "$2"
}

# lab_ifname NODE LINK: the interface name inside NODE for LINK ("to-<peer>").
lab_ifname() {
	local l r v4 v6
	read -r l r v4 v6 <<EOF
$(lab__link "$2")
EOF
	if [ "$1" = "$l" ]; then echo "to-$r"; elif [ "$1" = "$r" ]; then echo "to-$l"; else
		lab_err "node '$1' is not on link '$2'"; return 1
	fi
}

# lab_ns NODE: the namespace name of NODE in this run.
lab_ns() {
	[ -n "$LAB_ID" ] || { lab_err "lab is not up"; return 1; }
	case " $LAB_NODES " in *" $1 "*) echo "$LAB_ID-$1" ;; *) lab_err "unknown node '$1' (one of: $LAB_NODES)" ;; esac
}

# lab_exec NODE CMD...: run CMD inside NODE's namespace.
lab_exec() {
	local ns
	ns=$(lab_ns "$1") || return 1
	shift
	ip netns exec "$ns" "$@"
}

# lab_sysctl NODE KEY=VALUE...
lab_sysctl() {
	local node=$1
	shift
	lab_exec "$node" sysctl -q -w "$@" >/dev/null
}

# ---------------------------------------------------------------- topology
lab__check_tools() {
	local t missing=""
	for t in "$@"; do command -v "$t" >/dev/null 2>&1 || missing="$missing $t"; done
	[ -z "$missing" ] || { lab_err "missing tools:$missing"; return 1; }
}

# lab_up: build the namespaces, links, addresses and routes; start the servers
# named in LAB_SERVICES. Returns non-zero (after tearing down) on failure.
lab_up() {
	local node link l r v4 v6 ns i
	[ "$(id -u)" = 0 ] || { lab_err "must run as root"; return 1; }
	[ -z "$LAB_ID" ] || { lab_err "lab $LAB_ID is already up"; return 1; }
	lab__check_tools ip nft ethtool sysctl || return 1
	if [ -z "${LAB_NO_TRAP:-}" ]; then
		# Tear down on exit. This replaces the shell's EXIT trap (an inherited one
		# cannot be told from the shell's own in a subshell): a caller with its
		# own cleanup sets its trap after lab_up and calls lab_down in it. Signals
		# exit (and so run it), except in an interactive shell, where ^C must not
		# end the shell.
		trap lab_down EXIT
		case $- in *i*) ;; *)
			trap 'exit 130' INT
			trap 'exit 143' TERM
			trap 'exit 129' HUP
		esac
	fi
	LAB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/dnsfrag-lab.XXXXXX") || return 1
	# A unique prefix per run: "df", this shell's pid, 16 random bits.
	for _ in 1 2 3 4 5; do
		LAB_ID=df${BASHPID:-$$}-$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
		ip netns add "$LAB_ID-probe" 2>/dev/null && break
		LAB_ID=""
	done
	[ -n "$LAB_ID" ] || { lab_err "could not create a namespace"; lab_down; return 1; }
	echo "$LAB_ID" >"$LAB_TMP/id"
	lab_log "id $LAB_ID, temp dir $LAB_TMP"
	for node in $LAB_NODES; do
		ns=$LAB_ID-$node
		[ "$node" = probe ] || ip netns add "$ns" || { lab_down; return 1; }
		ip -n "$ns" link set lo up
		# Quiet, fast links: no router solicitations, no DAD; short reassembly timers.
		ip netns exec "$ns" sysctl -q -w \
			net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.default.accept_ra=0 \
			net.ipv4.ipfrag_time=3 net.ipv6.ip6frag_time=3 \
			net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 >/dev/null ||
			{ lab_err "sysctl in $ns failed"; lab_down; return 1; }
	done
	for node in $LAB_ROUTERS; do
		ip netns exec "$LAB_ID-$node" sysctl -q -w net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1 >/dev/null || { lab_down; return 1; }
	done
	i=0
	for link in $LAB_LINKS; do
		read -r l r v4 v6 <<EOF
$(lab__link "$link")
EOF
		local il ir
		il=$(lab_ifname "$l" "$link") ir=$(lab_ifname "$r" "$link")
		# Distinct interface indexes (link k: k1 left, k2 right): the kernel delays
		# the operstate of a veth whose index equals its peer's by a second.
		i=$((i + 1))
		ip -n "$LAB_ID-$l" link add "$il" index "${i}1" type veth \
			peer name "$ir" index "${i}2" netns "$LAB_ID-$r" ||
			{ lab_err "veth $link"; lab_down; return 1; }
		for node in "$l" "$r"; do
			local ifn=$il
			[ "$node" = "$r" ] && ifn=$ir
			ns=$LAB_ID-$node
			# Offloads off: no TSO/GSO super-packets crossing a small-MTU link, no GRO
			# merging in captures, and (tx off) correct checksums in captures.
			ip netns exec "$ns" ethtool -K "$ifn" tso off gso off gro off tx off >/dev/null 2>&1 ||
				{ lab_err "ethtool -K $ifn in $ns"; lab_down; return 1; }
			ip -n "$ns" addr add "$(lab_link_addr "$link" "$node" 4)/29" dev "$ifn" &&
			ip -n "$ns" addr add "$(lab_link_addr "$link" "$node" 6)/64" dev "$ifn" nodad ||
				{ lab_down; return 1; }
		done
	done
	for link in $LAB_LINKS; do
		read -r l r v4 v6 <<EOF
$(lab__link "$link")
EOF
		ip -n "$LAB_ID-$l" link set "$(lab_ifname "$l" "$link")" up &&
		ip -n "$LAB_ID-$r" link set "$(lab_ifname "$r" "$link")" up || { lab_down; return 1; }
	done
	# Wait for carrier on every link (the kernel reports it a little later).
	for node in $LAB_NODES; do
		for i in $(seq 100); do
			ip -n "$LAB_ID-$node" -br link show type veth | awk '$2 != "UP" { bad = 1 } END { exit bad }' && break
			sleep 0.02
		done
	done
	# Routes: every node reaches every link subnet through its neighbours; no
	# default route anywhere.
	local -a chain_nodes chain_links
	read -r -a chain_nodes <<<"$LAB_NODES"
	read -r -a chain_links <<<"$LAB_LINKS"
	local k fam via nh
	for i in "${!chain_nodes[@]}"; do
		node=${chain_nodes[$i]}
		for k in "${!chain_links[@]}"; do
			# link k joins nodes k and k+1
			if [ "$k" -lt $((i - 1)) ]; then
				via=${chain_links[$((i - 1))]} nh=${chain_nodes[$((i - 1))]}
			elif [ "$k" -gt "$i" ]; then
				via=${chain_links[$i]} nh=${chain_nodes[$((i + 1))]}
			else
				continue
			fi
			for fam in 4 6; do
				ip -n "$LAB_ID-$node" -"$fam" route add "$(lab_link_prefix "${chain_links[$k]}" "$fam")" \
					via "$(lab_link_addr "$via" "$nh" "$fam")" ||
					{ lab_err "route in $node"; lab_down; return 1; }
			done
		done
	done
	local svc
	for svc in ${LAB_SERVICES-nsd unbound}; do
		case "$svc" in
		nsd) lab_nsd_start "${LAB_PHASE:-single}" || { lab_down; return 1; } ;;
		unbound) lab_unbound_start || { lab_down; return 1; } ;;
		*) lab_err "unknown service '$svc'"; lab_down; return 1 ;;
		esac
	done
	return 0
}

# lab_down: stop captures and servers, delete the namespaces. Safe to call twice.
lab_down() {
	local node ns pids p n
	lab_capture_stop 2>/dev/null
	if [ -n "$LAB_ID" ]; then
		for node in $LAB_NODES; do
			ns=$LAB_ID-$node
			ip netns list 2>/dev/null | grep -q "^$ns\( \|$\)" || continue
			pids=$(ip netns pids "$ns" 2>/dev/null)
			# shellcheck disable=SC2086
			[ -z "$pids" ] || kill -TERM $pids 2>/dev/null
		done
		for node in $LAB_NODES; do
			ns=$LAB_ID-$node
			for n in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
				pids=$(ip netns pids "$ns" 2>/dev/null)
				[ -n "$pids" ] || break
				sleep 0.1
			done
			pids=$(ip netns pids "$ns" 2>/dev/null)
			for p in $pids; do kill -KILL "$p" 2>/dev/null; done
			ip netns del "$ns" 2>/dev/null
		done
		for p in $LAB_NSD_PID $LAB_UNBOUND_PID; do wait "$p" 2>/dev/null; done
		lab_log "down $LAB_ID"
	fi
	LAB_ID="" LAB_NSD_PID="" LAB_UNBOUND_PID="" LAB_CUR_PHASE=""
	if [ -n "$LAB_TMP" ] && [ -d "$LAB_TMP" ]; then
		if [ -n "${LAB_KEEP:-}" ]; then echo "lab: kept $LAB_TMP" >&2; else rm -rf "$LAB_TMP"; fi
	fi
	LAB_TMP=""
	return 0
}

# lab_link_mtu LINK MTU: set the MTU on both ends of LINK.
lab_link_mtu() {
	local l r v4 v6 node
	read -r l r v4 v6 <<EOF
$(lab__link "$1")
EOF
	[ -n "$l" ] || return 1
	for node in "$l" "$r"; do
		lab_exec "$node" ip link set dev "$(lab_ifname "$node" "$1")" mtu "$2" || return 1
	done
}

# ---------------------------------------------------------------- nftables
# lab_nft NODE RULES: load RULES (nft -f syntax, e.g. a whole "table inet mb {...}")
# into NODE.
lab_nft() {
	printf '%s\n' "$2" | lab_exec "$1" nft -f - || { lab_err "nft rules for $1 did not load"; return 1; }
}

# lab_nft_counter NODE|all [TEXT]: sum of the packet counters of NODE's rules whose
# text contains TEXT (default: the rules that drop or reject). The ground truth of
# what a middlebox did.
lab_nft_counter() {
	local nodes=$1 node sum=0 n
	[ "$nodes" = all ] && nodes=$LAB_NODES
	for node in $nodes; do
		n=$(lab_exec "$node" nft list ruleset | awk -v want="${2:-}" '
			/counter packets/ {
				hit = (want == "") ? ($0 ~ /(^|[ \t])(drop|reject)([ \t;]|$)/) : (index($0, want) > 0)
				if (!hit) next
				for (i = 1; i < NF; i++) if ($i == "packets") s += $(i + 1)
			}
			END { print s + 0 }') || return 1
		sum=$((sum + n))
	done
	echo "$sum"
}

# lab_nft_flush NODE|all: remove all rules.
lab_nft_flush() {
	local nodes=$1 node
	[ "$nodes" = all ] && nodes=$LAB_NODES
	for node in $nodes; do lab_exec "$node" nft flush ruleset || return 1; done
}

# ---------------------------------------------------------------- captures
# lab_capture_start NODE IFACE FILE [BPF...]: tcpdump -U -w FILE on IFACE in NODE,
# no snap length limit, immediate mode. The default filter is none: fragments,
# ICMP and neighbour discovery are all kept. Returns once tcpdump is listening.
# Call from the lab's own shell (not in $(...)) so lab_capture_stop can wait for it.
lab_capture_start() {
	local node=$1 ifn=$2 file=$3 ns pid n log
	shift 3
	ns=$(lab_ns "$node") || return 1
	lab__check_tools tcpdump || return 1
	log=$(mktemp "$LAB_TMP/capture.XXXXXX") || return 1
	ip netns exec "$ns" tcpdump -i "$ifn" -U -w "$file" -s 0 --immediate-mode -Z root -n "$@" \
		>"$log" 2>&1 &
	pid=$!
	for n in $(seq 100); do
		grep -q 'listening on' "$log" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; lab_err "tcpdump on $node/$ifn failed"; return 1; }
		sleep 0.05
	done
	grep -q 'listening on' "$log" || { lab_err "tcpdump on $node/$ifn did not start"; return 1; }
	LAB_CAPTURE_PIDS="$LAB_CAPTURE_PIDS $pid"
	LAB_CAPTURE_LAST=$pid
	lab_log "capture $node/$ifn -> $file (pid $pid)"
}

# lab_capture_stop [PID...]: stop the given captures (default: all), flushing them.
lab_capture_stop() {
	local pids=${*:-$LAB_CAPTURE_PIDS} p rest=""
	for p in $pids; do kill -INT "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	for p in $LAB_CAPTURE_PIDS; do
		case " $pids " in *" $p "*) ;; *) rest="$rest $p" ;; esac
	done
	LAB_CAPTURE_PIDS=$rest
	return 0
}

# ---------------------------------------------------------------- DNS data
lab__date() { date -u -d "@$1" +%Y%m%d%H%M%S; }

# The DNSKEY line of a .key file (as ldns-keygen or ldns-revoke writes it) with
# the given TTL, comments removed.
lab__dnskey_rr() { # KEYFILE TTL
	awk -v ttl="$2" '{ sub(/;.*/, "") } /DNSKEY/ {
		for (i = 1; i <= NF; i++) if ($i == "DNSKEY") break
		printf ".\t%s\tIN\tDNSKEY\t%s %s %s ", ttl, $(i+1), $(i+2), $(i+3)
		for (j = i + 4; j <= NF; j++) printf "%s", $j
		printf "\n" }' "$1"
}

# lab_dns_keygen DIR: generate the root's keys in DIR: ksk1 (the current KSK),
# ksk2 (the standby, then new KSK), zsk1 (the current ZSK), zsk2 (the next ZSK),
# each as NAME.key and NAME.private; ksk1r (ksk1 with the RFC 5011 REVOKE bit,
# flags 385); root.ds, the trust anchor (DS of ksk1 and ksk2 unrevoked, like
# Debian's root.ds with KSK-2017 and KSK-2024). RSA-2048, algorithm 8, like the
# real root; about 0.15 s per key.
lab_dns_keygen() {
	local d=$1 name base
	lab__check_tools ldns-keygen ldns-revoke ldns-key2ds || return 1
	mkdir -p "$d" || return 1
	for name in ksk1 ksk2 zsk1 zsk2; do
		case $name in ksk*) set -- -k ;; *) set -- ;; esac
		base=$(cd "$d" && ldns-keygen -a RSASHA256 -b 2048 -r /dev/urandom "$@" .) ||
			{ lab_err "ldns-keygen failed"; return 1; }
		mv "$d/$base.key" "$d/$name.key" && mv "$d/$base.private" "$d/$name.private" || return 1
		rm -f "$d/$base.ds"
	done
	cp "$d/ksk1.private" "$d/ksk1r.private" && cp "$d/ksk1.key" "$d/ksk1r.key" &&
		ldns-revoke "$d/ksk1r.key" >/dev/null || { lab_err "ldns-revoke failed"; return 1; }
	: >"$d/root.ds"
	for name in ksk1 ksk2; do
		(cd "$d" && ldns-key2ds -n -2 "$name.key") >>"$d/root.ds" || { lab_err "ldns-key2ds failed"; return 1; }
	done
}

# lab_dns_keys: the run's keys in $LAB_TMP/keys, generated, or copied from
# LAB_KEYDIR (a directory lab_dns_keygen filled: share one across labs to save
# the keygen time).
lab_dns_keys() {
	local d=$LAB_TMP/keys
	[ -f "$d/root.ds" ] && return 0
	if [ -n "${LAB_KEYDIR:-}" ]; then
		mkdir -p "$d" && cp "$LAB_KEYDIR"/ksk1.* "$LAB_KEYDIR"/ksk1r.* "$LAB_KEYDIR"/ksk2.* \
			"$LAB_KEYDIR"/zsk1.* "$LAB_KEYDIR"/zsk2.* "$LAB_KEYDIR"/root.ds "$d/" ||
			{ lab_err "LAB_KEYDIR $LAB_KEYDIR lacks keys (fill it with lab_dns_keygen)"; return 1; }
	else
		lab_dns_keygen "$d" || return 1
	fi
}

# lab_dns_phase_keys PHASE: "signing-keys|published-only-keys" of a rollover phase.
#   single       (a) KSK + ZSK                              DNSKEY answer  864 bytes
#   standby      (b) + standby KSK, published, not signing                1139
#   standby-zsk  (b)+(d) + next ZSK pre-published                         1414
#   revoked      (c) old KSK revoked, signing; new KSK signing; ZSK       1425
#   revoked-zsk  (c)+(d) + next ZSK pre-published (the worst case)        1700
lab_dns_phase_keys() {
	case "$1" in
	single) echo "ksk1 zsk1|" ;;
	standby) echo "ksk1 zsk1|ksk2" ;;
	standby-zsk) echo "ksk1 zsk1|ksk2 zsk2" ;;
	revoked) echo "ksk1r ksk2 zsk1|" ;;
	revoked-zsk) echo "ksk1r ksk2 zsk1|zsk2" ;;
	*) lab_err "unknown phase '$1' (one of: $LAB_PHASES)" ;;
	esac
}

# lab_dns_zones: write $LAB_TMP/zones/root-PHASE.signed for every phase and
# $LAB_TMP/zones/lab.zone (the sized names), plus $LAB_TMP/root.hints.
lab_dns_zones() {
	local d=$LAB_TMP/zones k=$LAB_TMP/keys phase spec sign pub key now inc exp a4 a6
	[ -f "$d/lab.zone" ] && return 0
	lab__check_tools ldns-keygen ldns-signzone ldns-revoke ldns-key2ds || return 1
	lab_dns_keys || return 1
	mkdir -p "$d" || return 1
	a4=$(lab_addr auth 4) a6=$(lab_addr auth 6)
	now=$(date -u +%s)
	inc=$(lab__date $((now - 7 * 86400)))
	exp=$(lab__date $((now + 30 * 86400)))
	[ "${exp%??????????}" -lt 2038 ] || { lab_err "signature expiry $exp is past 2038"; return 1; }
	cat >"$d/root.base" <<EOF
\$ORIGIN .
.	86400	IN	SOA	ns.lab. hostmaster.lab. 2026112601 1800 900 604800 86400
.	518400	IN	NS	ns.lab.
lab.	172800	IN	NS	ns.lab.
ns.lab.	172800	IN	A	$a4
ns.lab.	172800	IN	AAAA	$a6
EOF
	for phase in $LAB_PHASES; do
		spec=$(lab_dns_phase_keys "$phase") || return 1
		sign=${spec%|*} pub=${spec#*|}
		{
			cat "$d/root.base"
			for key in $sign $pub; do lab__dnskey_rr "$k/$key.key" 172800; done
		} >"$d/root-$phase.zone"
		set --
		for key in $sign; do set -- "$@" "$k/$key"; done
		# -d: the DNSKEY records are already in the zone (with the root's TTL);
		# only the keys named here sign, the published-only ones do not.
		ldns-signzone -d -i "$inc" -e "$exp" -o . -f "$d/root-$phase.signed" \
			"$d/root-$phase.zone" "$@" || { lab_err "ldns-signzone ($phase) failed"; return 1; }
	done
	{
		cat <<EOF
\$ORIGIN lab.
lab.	3600	IN	SOA	ns.lab. hostmaster.lab. 2026112601 1800 900 604800 3600
lab.	3600	IN	NS	ns.lab.
ns.lab.	3600	IN	A	$a4
ns.lab.	3600	IN	AAAA	$a6
EOF
		# shellcheck disable=SC2086
		"$LAB_HOME/gen-sized-zone" -s size.lab. $LAB_SIZES
	} >"$d/lab.zone" || return 1
	cat >"$LAB_TMP/root.hints" <<EOF
.	3600000	NS	ns.lab.
ns.lab.	3600000	A	$a4
ns.lab.	3600000	AAAA	$a6
EOF
}

# ---------------------------------------------------------------- servers
# Wait until something in NODE listens on port 53 over UDP and TCP at ADDR...
lab__wait_listen() { # NODE PID ADDR...
	local node=$1 pid=$2 n a ok
	shift 2
	for n in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || return 1
		ok=1
		for a in "$@"; do
			lab_exec "$node" ss -Hlnu "( sport = :53 )" | grep -qF "$a:53" || ok=""
			lab_exec "$node" ss -Hlnt "( sport = :53 )" | grep -qF "$a:53" || ok=""
		done
		[ -n "$ok" ] && return 0
		sleep 0.05
	done
	return 1
}

# lab_nsd_start [PHASE]: NSD in auth serving "." (the given rollover phase) and
# "lab." on auth's addresses.
lab_nsd_start() {
	local phase=${1:-single} d=$LAB_TMP/nsd a4 a6
	lab__check_tools nsd ss || return 1
	lab_dns_phase_keys "$phase" >/dev/null || return 1
	lab_dns_zones || return 1
	[ -z "$LAB_NSD_PID" ] || lab_nsd_stop
	mkdir -p "$d" || return 1
	a4=$(lab_addr auth 4) a6=$(lab_addr auth 6)
	cat >"$d/nsd.conf" <<EOF
server:
	server-count: 1
	ip-address: $a4
	ip-address: $a6
	username: ""
	chroot: ""
	database: ""
	zonesdir: "$LAB_TMP/zones"
	zonelistfile: "$d/zone.list"
	xfrdfile: "$d/xfrd.state"
	xfrdir: "$d"
	pidfile: "$d/nsd.pid"
	logfile: "$d/nsd.log"
	ipv4-edns-size: 4096
	ipv6-edns-size: 4096
	hide-version: yes
	minimal-responses: yes
	refuse-any: no
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
${LAB_NSD_NSID:+	nsid: "ascii_$LAB_NSD_NSID"}
remote-control:
	control-enable: no
zone:
	name: "."
	zonefile: "root-$phase.signed"
zone:
	name: "lab."
	zonefile: "lab.zone"
EOF
	nsd-checkconf "$d/nsd.conf" || { lab_err "nsd.conf does not check"; return 1; }
	# Not through lab_exec: $! must be the server itself (ip netns exec execs it).
	ip netns exec "$(lab_ns auth)" nsd -d -c "$d/nsd.conf" >>"$d/nsd.out" 2>&1 &
	LAB_NSD_PID=$!
	lab__wait_listen auth "$LAB_NSD_PID" "$a4" "[$a6]" ||
		{ cat "$d/nsd.out" "$d/nsd.log" >&2 2>/dev/null; lab_err "NSD did not start"; return 1; }
	LAB_CUR_PHASE=$phase
	lab_log "NSD pid $LAB_NSD_PID, phase $phase"
}

lab__stop_pid() {
	local pid=$1 n
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	for n in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

lab_nsd_stop() { lab__stop_pid "$LAB_NSD_PID"; LAB_NSD_PID=""; }

# lab_unbound_start [EDNS]: Unbound in resolver, on its probe-facing addresses,
# querying upstream from its mb2-facing ones, root hints and trust anchor of the
# lab root. EDNS (or LAB_UNBOUND_EDNS) sets edns-buffer-size; default Unbound's.
lab_unbound_start() {
	local edns=${1:-${LAB_UNBOUND_EDNS:-}} d=$LAB_TMP/unbound a4 a6
	lab__check_tools unbound unbound-checkconf ss || return 1
	lab_dns_zones || return 1
	[ -z "$LAB_UNBOUND_PID" ] || lab_unbound_stop
	mkdir -p "$d" || return 1
	a4=$(lab_addr resolver 4) a6=$(lab_addr resolver 6)
	cat >"$d/unbound.conf" <<EOF
server:
	verbosity: 1
	val-log-level: 2
	username: ""
	chroot: ""
	directory: "$d"
	pidfile: "$d/unbound.pid"
	logfile: "$d/unbound.log"
	use-syslog: no
	do-daemonize: no
	num-threads: 1
	so-reuseport: no
	interface: $a4
	interface: $a6
	outgoing-interface: $(lab_addr resolver 4 resolver-mb2)
	outgoing-interface: $(lab_addr resolver 6 resolver-mb2)
	do-ip4: yes
	do-ip6: yes
	access-control: 192.0.2.0/24 allow
	access-control: 198.51.100.0/24 allow
	access-control: 203.0.113.0/24 allow
	access-control: 2001:db8::/32 allow
	root-hints: "$LAB_TMP/root.hints"
$([ "${LAB_UNBOUND_ANCHOR:-}" = none ] || echo "	trust-anchor-file: \"${LAB_UNBOUND_ANCHOR:-$LAB_TMP/keys/root.ds}\"")
	module-config: "validator iterator"
	trust-anchor-signaling: no
${edns:+	edns-buffer-size: $edns}
remote-control:
	control-enable: no
EOF
	unbound-checkconf "$d/unbound.conf" >/dev/null || { lab_err "unbound.conf does not check"; return 1; }
	ip netns exec "$(lab_ns resolver)" unbound -d -c "$d/unbound.conf" >>"$d/unbound.out" 2>&1 &
	LAB_UNBOUND_PID=$!
	lab__wait_listen resolver "$LAB_UNBOUND_PID" "$a4" "[$a6]" ||
		{ cat "$d/unbound.out" "$d/unbound.log" >&2 2>/dev/null; lab_err "Unbound did not start"; return 1; }
	LAB_UNBOUND_EDNS_CUR=${edns:-default}
	lab_log "Unbound pid $LAB_UNBOUND_PID, edns-buffer-size ${edns:-default}"
}

lab_unbound_stop() { lab__stop_pid "$LAB_UNBOUND_PID"; LAB_UNBOUND_PID=""; }

# lab_root_phase PHASE: serve PHASE's root zone; restart Unbound (empty cache) if
# it runs.
lab_root_phase() {
	lab_nsd_start "$1" || return 1
	if [ -n "$LAB_UNBOUND_PID" ]; then
		local e=$LAB_UNBOUND_EDNS_CUR
		[ "$e" = default ] && e=""
		lab_unbound_start "$e" || return 1
	fi
}

# ---------------------------------------------------------------- scenarios
LAB_SCN_KEYS="name description nft_node nft_rules mtu sysctl resolver_edns target captures repeat
expect_v4_frags expect_v6_frags expect_v4_qfrags expect_v6_qfrags expect_unfrag expect_tcp
expect_counters expect_nat_at expect_health"

# lab_scenario_load FILE: clear the scenario keys, then source FILE.
lab_scenario_load() {
	local k
	[ -r "$1" ] || { lab_err "cannot read scenario '$1'"; return 1; }
	for k in $LAB_SCN_KEYS; do unset "$k"; done
	name=$(basename "$1" .scn) target=auth captures="probe:to-mb1" repeat=1
	# shellcheck disable=SC1090
	. "$1" || { lab_err "scenario '$1' does not parse"; return 1; }
}

# lab_apply_scenario FILE: load FILE and apply it: sysctls, link MTUs, Unbound's
# EDNS size (restarting or starting Unbound), nft rules. The scenario's keys stay
# set in the shell for the caller to read (expect_*, target, captures, ...).
lab_apply_scenario() {
	local s node kv link
	lab_scenario_load "$1" || return 1
	for s in ${sysctl:-}; do
		node=${s%%:*} kv=${s#*:}
		lab_sysctl "$node" "$kv" || { lab_err "sysctl $s"; return 1; }
	done
	for s in ${mtu:-}; do
		link=${s%%=*}
		lab_link_mtu "$link" "${s#*=}" || { lab_err "mtu $s"; return 1; }
	done
	if [ -n "${resolver_edns:-}" ]; then
		lab_unbound_start "$resolver_edns" || return 1
	fi
	if [ -n "${nft_rules:-}" ]; then
		[ -n "${nft_node:-}" ] || { lab_err "scenario $1 has nft_rules but no nft_node"; return 1; }
		lab_nft "$nft_node" "$nft_rules" || return 1
	fi
	lab_log "applied scenario $name"
}
