#!/bin/bash
# test-lab-oarc.sh - dnsfrag-responder in the lab (tests/lab/lab.sh): the
# reply-size test through Unbound, and how answers leave, on the wire.
#
#   probe --- mb1 --- resolver (Unbound, edns-buffer-size 4096) --- mb2 --- auth
#                                                                           NSD: "." and "lab."
#                                                                           dnsfrag-responder:
#     resp4.lab   203.0.113.3    IPv4, DF off (default)     delegated from lab.
#     resp6.lab   2001:db8:4::3  IPv6, --ipv6-frag min-mtu  delegated from lab.
#     resp6p.lab  2001:db8:4::4  IPv6, --ipv6-frag pmtu     delegated from lab.
#     dfon.lab    203.0.113.4    IPv4, --ipv4-df on         asked directly
#     v6dont.lab  2001:db8:4::5  IPv6, --ipv6-frag dont     asked directly
#
# 1. clean path: dig and kdig through Unbound get the byte-exact TXT strings,
#    a chain of three steps and a limit of 4096 (the size advertised);
# 2. non-first fragments dropped on mb2 (the resolver-auth leg): the limit is
#    the largest answer the path delivers: 1472 (IPv4) and 1452 (IPv6) on the
#    auth's 1,500-byte link; the strings match what the server saw;
# 3. on the wire at auth: fixed sizes exact from the probe; IPv4 DF off
#    (fragments, DF clear) and on (DF set, TC=1 instead of fragments); IPv6
#    min-mtu (1,280-byte fragments), pmtu (1,500-byte fragments), dont (TC=1);
#    a ttlN label sets the answer's TTL / hop limit: N=4 reaches the probe with
#    1 left, N=3 dies at mb1, which sends time exceeded back to auth.
# Exit 0 pass, 1 fail, 77 skip (not root, a tool or tests/lab/lab.sh missing).
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
BIN=${DNSFRAG_RESPONDER:-$ROOT/bin/dnsfrag-responder}
case "$BIN" in /*) ;; *) BIN=$ROOT/$BIN ;; esac

[ "$(id -u)" = 0 ] || { echo "skip: needs root (network namespaces)"; exit 77; }
for t in ip nft dig kdig tcpdump nsd unbound ss; do
	command -v "$t" >/dev/null 2>&1 || { echo "skip: $t not installed"; exit 77; }
done
[ -r tests/lab/lab.sh ] || { echo "skip: tests/lab/lab.sh is not there"; exit 77; }
[ -x "$BIN" ] || { echo "skip: $BIN not built"; exit 77; }

fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { # DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected '$2', got '$3'"; fi
}

# shellcheck source=../lab/lab.sh
. tests/lab/lab.sh
LAB_SERVICES="nsd" lab_up || { echo "lab_up failed"; exit 1; }
RPIDS=""
cleanup() {
	local p
	for p in $RPIDS; do kill "$p" 2>/dev/null; done
	for p in $RPIDS; do wait "$p" 2>/dev/null; done
	lab_down
}
trap cleanup EXIT
LOGS=$LAB_TMP/responder
mkdir -p "$LOGS"

# ---------------------------------------------------------------- set-up
AUTH_IF=$(lab_ifname auth mb2-auth)
for a in 203.0.113.3/29 203.0.113.4/29; do lab_exec auth ip addr add "$a" dev "$AUTH_IF"; done
for a in 2001:db8:4::3/64 2001:db8:4::4/64 2001:db8:4::5/64; do
	lab_exec auth ip addr add "$a" dev "$AUTH_IF" nodad
done
# Delegations from lab. (the zone file lab.sh generated; NSD restarted to load them).
cat >>"$LAB_TMP/zones/lab.zone" <<'EOF'
resp4.lab.	3600	IN	NS	ns.resp4.lab.
ns.resp4.lab.	3600	IN	A	203.0.113.3
resp6.lab.	3600	IN	NS	ns.resp6.lab.
ns.resp6.lab.	3600	IN	AAAA	2001:db8:4::3
resp6p.lab.	3600	IN	NS	ns.resp6p.lab.
ns.resp6p.lab.	3600	IN	AAAA	2001:db8:4::4
EOF
lab_nsd_start "$LAB_CUR_PHASE" || { echo "NSD did not restart"; exit 1; }

# responder NAME ZONE ADDR OPTIONS...: start one in auth; its log is $LOGS/NAME.log
responder() {
	local name=$1 zone=$2 addr=$3 n pid
	shift 3
	ip netns exec "$(lab_ns auth)" "$BIN" -z "$zone" -l "$addr" -p 53 --rate 0 "$@" >"$LOGS/$name.log" 2>&1 &
	pid=$!
	RPIDS="$RPIDS $pid"
	for n in $(seq 60); do
		grep -q ' listen=' "$LOGS/$name.log" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "responder $name did not start:"
	cat "$LOGS/$name.log"
	exit 1
}
responder r4 resp4.lab 203.0.113.3 --allow-ttl
responder r6 resp6.lab 2001:db8:4::3 --ipv6-frag min-mtu --allow-ttl
responder r6p resp6p.lab 2001:db8:4::4 --ipv6-frag pmtu
responder rdf dfon.lab 203.0.113.4 --ipv4-df on
responder r6d v6dont.lab 2001:db8:4::5 --ipv6-frag dont

R4=$(lab_addr resolver 4)
UP4=$(lab_addr resolver 4 resolver-mb2) # Unbound's upstream addresses: what the responder sees
UP6=$(lab_addr resolver 6 resolver-mb2)
TESTED='^"Tested at [0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9] UTC"$'

# rs_check LABEL TOOL ZONE IP LIMIT LOG: one test through Unbound; checks the
# chain, the three strings byte for byte, and the limit. The EDNS size in the
# first string is the one the server saw in the last query (its log line).
rs_check() {
	local label=$1 tool=$2 zone=$3 ip=$4 limit=$5 log=$6 out edns before
	before=$(grep -c ' rs client=' "$log")
	if [ "$tool" = dig ]; then
		out=$(lab_exec probe dig @"$R4" +time=25 +tries=1 +short "rs.$zone" TXT 2>&1)
	else
		out=$(lab_exec probe kdig @"$R4" +time=25 +retry=0 +short "rs.$zone" TXT 2>&1)
	fi
	echo "$out" | sed "s/^/    $label $tool: /"
	check "$label $tool: chain of 3 sized steps" 1 \
		"$(echo "$out" | grep -c "^rst\.x[0-9]*\.x[0-9]*\.x[0-9]*\.n[0-9a-f]\{8\}\.rs\.$zone\.\$")"
	edns=$(grep ' rs client=' "$log" | sed -n "$((before + 1))p" | sed -n 's/.* edns=\([0-9]*\) .*/\1/p')
	check "$label $tool: EDNS string" "\"$ip sent EDNS buffer size ${edns:-?}\"" "$(echo "$out" | grep 'sent EDNS')"
	check "$label $tool: limit" "\"$ip DNS reply size limit is at least $limit bytes\"" \
		"$(echo "$out" | grep 'limit is')"
	check "$label $tool: Tested at" 1 "$(echo "$out" | grep -c "$TESTED")"
	check "$label $tool: 3 strings" 3 "$(echo "$out" | grep -c '^"')"
	sleep 1.1 # Unbound keeps TTL-0 records for the rest of the second
}

# ---------------------------------------------------------------- 1. clean path
lab_unbound_start 4096 || { echo "Unbound did not start"; exit 1; }
for tool in dig kdig; do
	rs_check "clean v4" $tool resp4.lab "$UP4" 4096 "$LOGS/r4.log"
	rs_check "clean v6 min-mtu" $tool resp6.lab "$UP6" 4096 "$LOGS/r6.log"
	rs_check "clean v6 pmtu" $tool resp6p.lab "$UP6" 4096 "$LOGS/r6p.log"
done

# ---------------------------------------------------------------- 2. non-first fragments dropped on mb2
lab_nft mb2 '
table inet mb {
	chain pre {
		type filter hook prerouting priority -500; policy accept;
		ip frag-off & 0x1fff != 0 counter drop comment "v4-nonfirst"
		frag frag-off != 0 counter drop comment "v6-nonfirst"
	}
}' || { echo "nft rules failed"; exit 1; }
lab_unbound_start 4096 || exit 1 # empty cache, no memory of the server
for tool in dig kdig; do
	start=$(date +%s)
	rs_check "frags dropped v4" $tool resp4.lab "$UP4" 1472 "$LOGS/r4.log"
	rs_check "frags dropped v6 min-mtu" $tool resp6.lab "$UP6" 1452 "$LOGS/r6.log"
	rs_check "frags dropped v6 pmtu" $tool resp6p.lab "$UP6" 1452 "$LOGS/r6p.log"
	echo "    $tool: three tests with losses took $(($(date +%s) - start)) s"
done
v4drops=$(lab_nft_counter mb2 v4-nonfirst)
v6drops=$(lab_nft_counter mb2 v6-nonfirst)
check "mb2 dropped IPv4 non-first fragments" yes "$([ "${v4drops:-0}" -gt 0 ] && echo yes)"
check "mb2 dropped IPv6 non-first fragments" yes "$([ "${v6drops:-0}" -gt 0 ] && echo yes)"
echo "    mb2 drops: v4 $v4drops, v6 $v6drops"
grep ' rs client=' "$LOGS"/r4.log "$LOGS"/r6.log "$LOGS"/r6p.log | sed 's/^/    /'
lab_nft_flush mb2

# ---------------------------------------------------------------- 3. on the wire
q() { # SERVER NAME [dig options]: dig's output (+ignore: TC answers are shown, not retried)
	local srv=$1 name=$2
	shift 2
	lab_exec probe dig @"$srv" +norec +time=2 +tries=1 +bufsize=4096 +ignore "$@" "$name" TXT 2>&1
}
msg_size() { sed -n 's/^;; MSG SIZE  rcvd: //p'; }
for n in 1232 1233 1472 1473 3000 4096; do
	check "v4 $n.size from the probe" "$n" "$(q 203.0.113.3 "$n.size.resp4.lab" | msg_size)"
	check "v6 $n.size from the probe" "$n" "$(q 2001:db8:4::3 "$n.size.resp6.lab" | msg_size)"
	check "v4 $n.size kdig" "$n" \
		"$(lab_exec probe kdig @203.0.113.3 +bufsize=4096 +notcp "$n.size.resp4.lab" TXT | sed -n 's/^;; Received \([0-9]*\) B$/\1/p')"
done
lab_capture_start auth "$AUTH_IF" "$LAB_TMP/auth.pcap"
CAP_AUTH=$LAB_CAPTURE_LAST
lab_capture_start probe "$(lab_ifname probe probe-mb1)" "$LAB_TMP/probe.pcap"
CAP_PROBE=$LAB_CAPTURE_LAST
q 203.0.113.3 3000.size.resp4.lab >/dev/null   # DF off: fragments
q 203.0.113.3 1400.size.resp4.lab >/dev/null   # DF off, fits: DF clear
q 203.0.113.4 1400.size.dfon.lab >/dev/null    # DF on, fits: DF set
out=$(q 203.0.113.4 3000.size.dfon.lab)        # DF on, too big: TC=1, no fragments
case "$out" in *"flags: qr aa tc"*) ok "DF on: 3000 gets TC=1" ;; *) bad "DF on, 3000: $out" ;; esac
q 2001:db8:4::3 3000.size.resp6.lab >/dev/null  # min-mtu: 1280-byte fragments
q 2001:db8:4::3 1452.size.resp6.lab >/dev/null  # min-mtu: fits the link, whole
q 2001:db8:4::4 3001.size.resp6p.lab >/dev/null # pmtu: 1500-byte fragments
out=$(q 2001:db8:4::5 3002.size.v6dont.lab)     # dont: TC=1
case "$out" in *"flags: qr aa tc"*) ok "IPv6 dont: 3002 gets TC=1" ;; *) bad "IPv6 dont, 3002: $out" ;; esac
check "IPv6 dont: 1452 whole" 1452 "$(q 2001:db8:4::5 1452.size.v6dont.lab | msg_size)"
check "ttl4 reaches the probe" 1204 "$(q 203.0.113.3 ttl4.1204.size.resp4.lab | msg_size)"
check "ttl3 dies on the way" "" "$(q 203.0.113.3 ttl3.1203.size.resp4.lab | msg_size)"
check "hop limit 4 reaches the probe" 1206 "$(q 2001:db8:4::3 ttl4.1206.size.resp6.lab | msg_size)"
check "hop limit 3 dies on the way" "" "$(q 2001:db8:4::3 ttl3.1205.size.resp6.lab | msg_size)"
lab_capture_stop "$CAP_AUTH" "$CAP_PROBE"

A=$(tcpdump -r "$LAB_TMP/auth.pcap" -n -v 2>/dev/null | sed 's/flowlabel 0x[0-9a-f]*, //')
P=$(tcpdump -r "$LAB_TMP/probe.pcap" -n -v 2>/dev/null | sed 's/flowlabel 0x[0-9a-f]*, //')
# IPv4 3000-byte answer (3,008 bytes of UDP), DF off: fragments of 1,480 bytes
# of data (1,500-byte packets) at offsets 0 and 1480 with MF, the last 48 at 2960.
check "DF off: first fragment, MF, no DF" 1 "$(echo "$A" | grep -c 'offset 0, flags \[+\], proto UDP (17), length 1500)')"
check "DF off: second fragment" 1 "$(echo "$A" | grep -c 'offset 1480, flags \[+\], proto UDP (17), length 1500)')"
check "DF off: last fragment" 1 "$(echo "$A" | grep -c 'offset 2960, flags \[none\], proto UDP (17), length 68)')"
check "DF off: 1400 leaves with DF clear" 1 "$(echo "$A" | grep -c 'offset 0, flags \[none\], proto UDP (17), length 1428)')"
check "DF on: 1400 leaves with DF set" 1 "$(echo "$A" | grep -c 'offset 0, flags \[DF\], proto UDP (17), length 1428)')"
check "DF on: no fragments from 203.0.113.4" 0 "$(echo "$A" | grep -A1 'flags \[+\]' | grep -c '203\.0\.113\.4\.53 >')"
grep -q 'EMSGSIZE' "$LOGS/rdf.log" && ok "DF on: the log says EMSGSIZE, sent TC" || bad "DF on: no EMSGSIZE line: $(cat "$LOGS/rdf.log")"
# IPv6: fragment payloads are 1,240 (min-mtu: 1,280-byte packets) or 1,456 (pmtu: 1,500).
check "min-mtu: 3000 in 1280-byte fragments" 3 "$(echo "$A" | grep '2001:db8:4::3 >' | grep -c 'frag (0x[0-9a-f]*:[0-9]*|[0-9]*)')"
check "min-mtu: first fragment 1232" 1 "$(echo "$A" | grep '2001:db8:4::3 >' | grep -c 'payload length: 1240) .*frag (0x[0-9a-f]*:0|1232)')"
check "min-mtu: 1452 whole" 1 "$(echo "$A" | grep -c 'next-header UDP (17) payload length: 1460) 2001:db8:4::3\.53 >')"
check "pmtu: 3001 in 1500-byte fragments" 1 "$(echo "$A" | grep '2001:db8:4::4 >' | grep -c 'payload length: 1456) .*frag (0x[0-9a-f]*:0|1448)')"
check "dont: no fragments from 2001:db8:4::5" 0 "$(echo "$A" | grep -c '2001:db8:4::5 > .*frag (')"
# TTL / hop limit: "ttl 4" at auth, "ttl 1" at the probe; ttl 3 dies at mb1 (three routers).
check "ttl4 leaves auth with TTL 4" 1 "$(echo "$A" | grep -c 'ttl 4, .*proto UDP (17), length 1232)')"
check "ttl4 reaches the probe with TTL 1" 1 "$(echo "$P" | grep -c 'ttl 1, .*proto UDP (17), length 1232)')"
check "ttl3: mb1 sends time exceeded to auth" 1 \
	"$(echo "$A" | grep -c '198\.51\.100\.1 > 203\.0\.113\.3: ICMP time exceeded in-transit')"
check "hop limit 4 leaves auth with 4" 1 "$(echo "$A" | grep -c 'hlim 4, next-header UDP (17) payload length: 1214)')"
check "hop limit 4 reaches the probe with 1" 1 "$(echo "$P" | grep -c 'hlim 1, next-header UDP (17) payload length: 1214)')"
check "hop limit 3: mb1 sends time exceeded to auth" 1 \
	"$(echo "$A" | grep -c '2001:db8:2::1 > 2001:db8:4::3: .*ICMP6, time exceeded in-transit')"

[ "$fails" -eq 0 ] && echo "all passed" && exit 0
echo "$fails failed"
for f in "$LOGS"/*.log; do echo "== $f"; tail -n 20 "$f"; done
exit 1
