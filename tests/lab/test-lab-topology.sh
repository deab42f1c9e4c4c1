#!/bin/bash
# test-lab-topology.sh - the lab's namespaces, links and routes work and go away.
#
# One lab: names, offloads, sysctls, no default route; ping every address from
# the probe in both families, 3,000-byte pings that fragment (seen in a
# capture), a 1,280-byte link (routers re-fragment), an nft rule with its
# counter; then teardown leaves no namespace and no process. Two labs at once
# (each with NSD on the same addresses) do not collide. A lab whose script fails
# or is killed is torn down by the trap.
# Exit 0 pass, 1 fail, 77 skip (not root, a tool missing).
set -u
here=$(cd "$(dirname "$0")" && pwd)
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip nft ethtool sysctl ss tcpdump nsd kdig ldns-keygen ldns-signzone /usr/bin/python3; do
	command -v "$t" >/dev/null 2>&1 || skip "missing $t"
done
# shellcheck source=tests/lab/lab.sh
. "$here/lab.sh"
PING=$here/lab-ping
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
expect() { # DESCRIPTION COMMAND...: pass if COMMAND succeeds
	local d=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$d"; else bad "$d"; fi
}
expect_not() {
	local d=$1
	shift
	if "$@" >/dev/null 2>&1; then bad "$d"; else ok "$d"; fi
}

work=$(mktemp -d "${TMPDIR:-/tmp}/dnsfrag-topo.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

# ---- one lab
t0=$(date +%s%N)
LAB_SERVICES="" lab_up || { echo "FAIL lab_up"; exit 1; }
trap 'lab_down; rm -rf "$work"' EXIT
echo "lab $LAB_ID up in $((($(date +%s%N) - t0) / 1000000)) ms"
id=$LAB_ID
[ "$(ip netns list | grep -c "^$id-")" = 5 ] && ok "5 namespaces named $id-*" || bad "namespaces"
for node in $LAB_NODES; do
	for link in $LAB_LINKS; do
		ifn=$(lab_ifname "$node" "$link" 2>/dev/null) || continue
		[ ${#ifn} -le 15 ] || bad "$node/$ifn is longer than 15 characters"
		feats=$(lab_exec "$node" ethtool -k "$ifn")
		for f in tcp-segmentation-offload generic-segmentation-offload generic-receive-offload; do
			echo "$feats" | grep -q "^$f: off" || bad "$node/$ifn: $f is not off"
		done
	done
	[ -z "$(lab_exec "$node" ip -4 route show default)$(lab_exec "$node" ip -6 route show default)" ] ||
		bad "$node has a default route"
	[ "$(lab_exec "$node" sysctl -n net.ipv4.ipfrag_time)" = 3 ] || bad "$node: ipfrag_time"
done
ok "interface names, offloads off, no default route, ipfrag_time 3"
for node in $LAB_ROUTERS; do
	[ "$(lab_exec "$node" sysctl -n net.ipv4.ip_forward)$(lab_exec "$node" sysctl -n net.ipv6.conf.all.forwarding)" = 11 ] ||
		bad "$node does not forward"
	[ "$(lab_exec "$node" sysctl -n net.ipv4.icmp_ratelimit)$(lab_exec "$node" sysctl -n net.ipv6.icmp.ratelimit)" = 00 ] ||
		bad "$node rate-limits ICMP"
done
ok "routers forward, ICMP not rate-limited"
[ "$(lab_addr probe 4)" = 192.0.2.1 ] && [ "$(lab_addr auth 6)" = 2001:db8:4::2 ] &&
	[ "$(lab_addr resolver 4 resolver-mb2)" = 198.51.100.9 ] && ok "lab_addr" || bad "lab_addr"

# Every address of every node, from the probe, both families.
for node in $LAB_NODES; do
	for link in $LAB_LINKS; do
		lab_ifname "$node" "$link" >/dev/null 2>&1 || continue
		for fam in 4 6; do
			a=$(lab_link_addr "$link" "$node" "$fam")
			lab_exec probe "$PING" -W 2 "$a" >/dev/null || bad "ping $node $a"
		done
	done
done
ok "probe pings all 16 addresses"
expect_not "nothing outside the lab is routable (198.51.100.77)" lab_exec probe "$PING" -W 1 198.51.100.77

# Fragmenting pings end to end, seen fragmented on the auth's link.
lab_capture_start auth to-mb2 "$work/frag.pcap" || bad "capture"
expect "3000-byte ping probe->auth IPv4" lab_exec probe "$PING" -s 3000 "$(lab_addr auth 4)"
expect "3000-byte ping probe->auth IPv6" lab_exec probe "$PING" -s 3000 "$(lab_addr auth 6)"
expect "3000-byte ping auth->probe IPv4" lab_exec auth "$PING" -s 3000 "$(lab_addr probe 4)"
expect "3000-byte ping auth->probe IPv6" lab_exec auth "$PING" -s 3000 "$(lab_addr probe 6)"
sleep 0.2
lab_capture_stop
n4=$(tcpdump -nr "$work/frag.pcap" 'ip[6:2] & 0x3fff != 0' 2>/dev/null | wc -l)
n6=$(tcpdump -nr "$work/frag.pcap" 'ip6[6] == 44' 2>/dev/null | wc -l)
[ "$n4" -ge 6 ] && [ "$n6" -ge 6 ] && ok "capture shows the fragments ($n4 IPv4, $n6 IPv6)" ||
	bad "capture: $n4 IPv4 and $n6 IPv6 fragments"

# A small-MTU link: routers re-fragment IPv4; IPv6 gets packet-too-big and the
# source fragments smaller on the next try.
lab_link_mtu resolver-mb2 1280 || bad "lab_link_mtu"
[ "$(lab_exec mb2 cat /sys/class/net/to-resolver/mtu)" = 1280 ] && ok "lab_link_mtu sets both ends" || bad "mtu"
expect "3000-byte ping IPv4 over a 1280 link" lab_exec probe "$PING" -s 3000 "$(lab_addr auth 4)"
# The first two draw packet-too-big, to the probe and then to auth.
lab_exec probe "$PING" -s 3000 -c 2 -W 0.5 "$(lab_addr auth 6)" >/dev/null 2>&1
expect "3000-byte ping IPv6 over a 1280 link" lab_exec probe "$PING" -s 3000 "$(lab_addr auth 6)"

# nft in a middlebox, and its counter as ground truth.
lab_nft mb1 'table inet mb {
	chain fw {
		type filter hook forward priority 0; policy accept;
		icmp type echo-request counter drop
	}
}' || bad "lab_nft"
expect_not "ping IPv4 blocked by the nft rule" lab_exec probe "$PING" -W 0.5 "$(lab_addr auth 4)"
expect "ping IPv6 still passes" lab_exec probe "$PING" "$(lab_addr auth 6)"
[ "$(lab_nft_counter mb1)" = 1 ] && ok "lab_nft_counter mb1 = 1" || bad "lab_nft_counter: $(lab_nft_counter mb1)"
[ "$(lab_nft_counter all)" = 1 ] && ok "lab_nft_counter all = 1" || bad "lab_nft_counter all"
lab_nft_flush mb1
expect "lab_nft_flush" lab_exec probe "$PING" "$(lab_addr auth 4)"

lab_down
[ -z "$(ip netns list | grep "^$id-")" ] && ok "lab_down leaves no namespace" || bad "namespaces left: $(ip netns list | grep "^$id-")"
[ -z "$LAB_ID" ] && ok "lab_down resets the state" || bad "LAB_ID still set"

# ---- two labs at once, each with NSD on the same addresses
export LAB_KEYDIR=$work/keys
lab_dns_keygen "$LAB_KEYDIR" >/dev/null || bad "lab_dns_keygen"
twin() { # N: bring a lab up, use it while the other one is up too, go down
	local other=$((3 - $1)) oid i
	LAB_SERVICES=nsd lab_up || exit 1
	echo "$LAB_ID $LAB_TMP" >"$work/twin$1.id"
	for i in $(seq 100); do [ -f "$work/twin$other.id" ] && break; sleep 0.1; done
	read -r oid _ <"$work/twin$other.id" || exit 2
	[ "$(ip netns list | grep -c "^$oid-")" = 5 ] || exit 2
	lab_exec probe "$PING" -s 3000 "$(lab_addr auth 4)" >/dev/null || exit 3
	lab_exec probe kdig @"$(lab_addr auth 6)" 3000.size.lab TXT +bufsize=4096 +timeout=2 |
		grep -q '^;; Received 3000 B' || exit 4
	# Stay up until the other one has used its lab too.
	touch "$work/twin$1.done"
	for i in $(seq 100); do [ -f "$work/twin$other.done" ] && break; sleep 0.1; done
	exit 0
}
( twin 1 ) &
p1=$!
( twin 2 ) &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
[ "$r1$r2" = 00 ] && ok "two labs at once: both up together, pinged and queried" || bad "two labs: exit $r1 and $r2"
read -r i1 _ <"$work/twin1.id"
read -r i2 _ <"$work/twin2.id"
[ -n "$i1" ] && [ -n "$i2" ] && [ "$i1" != "$i2" ] && ok "distinct prefixes $i1 $i2" || bad "prefixes '$i1' '$i2'"
[ -z "$(ip netns list | grep -e "^$i1-" -e "^$i2-")" ] && ok "both torn down" || bad "twin namespaces left"

# ---- the trap: a failing script and a killed one leave nothing behind
gone() { # ID-FILE: the lab named in it has neither namespaces nor processes left
	local id tmp
	read -r id tmp <"$1" || return 1
	[ -n "$id" ] && [ -z "$(ip netns list | grep "^$id-")" ] && ! pgrep -f "$tmp/" >/dev/null
}
( LAB_SERVICES=nsd lab_up || exit 1; echo "$LAB_ID $LAB_TMP" >"$work/fail.id"; false; exit 3 )
gone "$work/fail.id" && ok "a script that fails is torn down" || bad "failing script left namespaces"
(
	LAB_SERVICES=nsd lab_up || exit 1
	echo "$LAB_ID $LAB_TMP" >"$work/kill.id"
	lab_exec probe sleep 30 &
	wait $!
) 2>/dev/null &
pk=$!
for i in $(seq 100); do [ -s "$work/kill.id" ] && break; sleep 0.05; done
kill -TERM "$pk"
wait "$pk"
gone "$work/kill.id" && ok "a killed script is torn down" || bad "killed script left namespaces"
for f in twin1 twin2; do gone "$work/$f.id" || bad "$f left processes"; done

echo "$fails failures"
[ "$fails" -eq 0 ]
