#!/bin/bash
# test-craft.sh - crafted DNS queries on the wire (probe/craft.c), in a lab.
#
# In a lab with NSD (LAB_SERVICES=nsd), tests/probe/craft-send crafts from the
# probe's namespace:
#   a4     IPv4, DF clear, TTL 9, IP id 0x1234, one packet
#   f4     IPv4, padded to 200 bytes, fragmented into 2 (112 + 96 bytes of UDP)
#   f6     IPv6, hop limit 33, DO, padded to 200 bytes, 2 fragments, id 0xdeadbeef
# while tcpdump captures on the probe's interface. craft-fixture.py (scapy,
# written independently of the C code) builds the same packets from the same
# parameters and requires the captured frames to equal them byte for byte from
# the IP header on, nothing else of those datagrams on the wire, the C
# crafter's own bytes equal, and NSD's answer in the capture.
# Then the start-up self-check (craft_selfcheck) and the host's conntrack:
#   clean namespace            IPv4 and IPv6 self-checks pass
#   conntrack on (a ct rule)   IPv4 passes (IP_NODEFRAG); IPv6 fails, naming
#                              connection tracking and the notrack rule
#   + the notrack rule         IPv6 passes, and a fragmented query is answered
# Exit 0 pass, 1 fail, 77 skip (not root, or a tool missing). About 5 s.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
[ "$(id -u)" = 0 ] || { echo "skip: needs root (network namespaces, raw sockets)"; exit 77; }
for t in tcpdump nsd ldns-signzone nft cc; do
	command -v "$t" >/dev/null || { echo "skip: $t missing"; exit 77; }
done
PY=/usr/bin/python3
$PY -c 'import scapy.all' 2>/dev/null || { echo "skip: scapy missing for $PY"; exit 77; }

tmp=$(mktemp -d /tmp/dnsfrag-craft.XXXXXX) || exit 1
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

# The driver: built by make ($B/normal/tests/craft-send), else compiled here.
CS=${CRAFT_SEND:-$B/normal/tests/craft-send}
if [ ! -x "$CS" ]; then
	CS=$tmp/craft-send
	libs="$B/normal/libdnsfrag.a"
	[ -f "$libs" ] || libs=$(ls common/*.c)
	# shellcheck disable=SC2046,SC2086
	cc -std=c11 -O1 -g -Wall -Wextra -Werror -Icommon -D_GNU_SOURCE $(pkg-config --cflags libpcap ldns) \
		$(libnet-config --defines) -D_DEFAULT_SOURCE tests/probe/craft-send.c probe/craft.c $libs \
		$(pkg-config --libs libpcap ldns) -lnet -o "$CS" || { echo "FAIL: cannot build craft-send"; exit 1; }
fi

trap 'rm -rf "$tmp"' EXIT
. tests/lab/lab.sh
LAB_SERVICES=nsd lab_up || { echo "FAIL: lab did not come up"; exit 1; }
trap 'lab_down; rm -rf "$tmp"' EXIT

P4=$(lab_addr probe 4) P6=$(lab_addr probe 6) A4=$(lab_addr auth 4) A6=$(lab_addr auth 6)
IF=$(lab_ifname probe probe-mb1)

# ------------------------------------------------ crafted queries vs the fixture
# run_case NAME SRC DST TTL DF ID FRAGDATA QNAME QTYPE QID UDPSIZE DO PADTO
run_case() {
	local name=$1 src=$2 dst=$3 ttl=$4 df=$5 id=$6 fd=$7 qname=$8 qtype=$9 qid=${10} us=${11} do=${12} pad=${13}
	local args=(-s "$src" -d "$dst" -t "$ttl" -I "$id" -f "$fd" -q "$qname" -T "$qtype" -Q "$qid" -u "$us" -P "$pad")
	[ "$df" = 1 ] && args+=(-D)
	[ "$do" = 1 ] && args+=(-o)
	lab_exec probe "$CS" "${args[@]}" >"$tmp/$name.out" 2>&1
	local rc=$? sport hex
	sed 's/^/    /' "$tmp/$name.out" | grep -v packet=
	[ $rc -eq 0 ] && ok "$name: sent, and craft-send received the answer on its bound port" ||
		bad "$name: craft-send exit $rc"
	sport=$(sed -n 's/^sport=//p' "$tmp/$name.out")
	hex=$(sed -n 's/^packet=[0-9]* //p' "$tmp/$name.out" | tr '\n' ' ')
	echo "$name $src $dst ${sport:-0} 53 $ttl $df $id $fd $qname $qtype $qid $us $do $pad $hex" >>"$tmp/cases"
}

: >"$tmp/cases"
lab_capture_start probe "$IF" "$tmp/craft.pcap" || exit 1
run_case a4 "$P4" "$A4" 9 0 0x1234 0 512.size.lab 16 0x1111 4096 0 0
run_case f4 "$P4" "$A4" 64 0 0x2345 112 512.size.lab 16 0x2222 4096 0 200
run_case f6 "$P6" "$A6" 33 0 0xdeadbeef 112 512.size.lab 16 0x3333 4096 1 200
sleep 0.2
lab_capture_stop

if $PY tests/probe/craft-fixture.py "$tmp/craft.pcap" "$tmp/cases" >"$tmp/fixture.out" 2>&1; then
	sed 's/^/    /' "$tmp/fixture.out"
	ok "fixture: captured frames equal the independently built packets, and NSD answered each"
else
	sed 's/^/    /' "$tmp/fixture.out"
	bad "fixture comparison"
	tcpdump -nr "$tmp/craft.pcap" -vv 2>/dev/null | sed 's/^/    /' | head -40
fi

# ------------------------------------------------ the self-check and conntrack
# selfcheck NAME FAMILY-SRC DST WANT(0 pass / 1 fail) [GREP]
selfcheck() {
	local name=$1 src=$2 dst=$3 want=$4 pat=${5:-} out rc
	out=$(lab_exec probe "$CS" -C "$IF" -s "$src" -d "$dst" 2>&1)
	rc=$?
	SC_OUT=$out
	echo "    $out"
	if [ "$rc" -ne "$want" ]; then
		bad "$name: self-check exit $rc, want $want"
	elif [ -n "$pat" ] && ! printf '%s' "$out" | grep -q -- "$pat"; then
		bad "$name: self-check message lacks '$pat'"
	else
		ok "$name"
	fi
}

selfcheck "self-check IPv4, no conntrack: passes" "$P4" "$A4" 0 "byte for byte"
selfcheck "self-check IPv6, no conntrack: passes" "$P6" "$A6" 0 "byte for byte"

# Connection tracking on in the probe's namespace: any ct expression registers
# conntrack and its defrag hooks there.
lab_nft probe 'table inet track {
	chain out {
		type filter hook output priority 0;
		ct state new counter
	}
}' || bad "could not load the conntrack rule"
selfcheck "self-check IPv4, conntrack on: passes (IP_NODEFRAG)" "$P4" "$A4" 0 "byte for byte"
selfcheck "self-check IPv6, conntrack on: fails and names the cause" "$P6" "$A6" 1 \
	"connection tracking.*notrack"

# Negative control: the fixture must see the rewritten train as different.
: >"$tmp/cases"
lab_capture_start probe "$IF" "$tmp/rewritten.pcap" || exit 1
run_case r6 "$P6" "$A6" 33 0 0xdeadbeef 112 512.size.lab 16 0x5555 4096 0 200
sleep 0.2
lab_capture_stop
if $PY tests/probe/craft-fixture.py "$tmp/rewritten.pcap" "$tmp/cases" >"$tmp/fixture-r.out" 2>&1; then
	sed 's/^/    /' "$tmp/fixture-r.out"
	bad "fixture accepted IPv6 fragments the host's conntrack rewrote"
else
	grep FAIL "$tmp/fixture-r.out" | sed 's/^FAIL /    (expected) /'
	ok "fixture rejects the IPv6 fragments conntrack rewrote (negative control)"
fi

# The fix, exactly as the failing self-check's message gives it (after "add: ").
fix=$(printf '%s\n' "$SC_OUT" | sed -n 's/.*; add: //p')
echo "    fix: $fix"
[ -n "$fix" ] && lab_exec probe sh -c "$fix" || bad "the notrack rule the self-check names does not load"
selfcheck "self-check IPv6, conntrack on + notrack rule: passes" "$P6" "$A6" 0 "byte for byte"

: >"$tmp/cases"
lab_capture_start probe "$IF" "$tmp/notrack.pcap" || exit 1
run_case n6 "$P6" "$A6" 33 0 0xfeedf00d 112 512.size.lab 16 0x4444 4096 0 200
sleep 0.2
lab_capture_stop
if $PY tests/probe/craft-fixture.py "$tmp/notrack.pcap" "$tmp/cases" >"$tmp/fixture2.out" 2>&1; then
	sed 's/^/    /' "$tmp/fixture2.out"
	ok "fixture under conntrack + notrack: IPv6 fragments leave as crafted and are answered"
else
	sed 's/^/    /' "$tmp/fixture2.out"
	bad "fixture comparison under conntrack + notrack"
fi

if [ $fails -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all crafted-packet checks passed"
exit 0
