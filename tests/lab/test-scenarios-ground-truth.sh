#!/bin/bash
# test-scenarios-ground-truth.sh - every middlebox scenario does to real DNS traffic
# what its file says (this checks the lab, not dnsfrag).
#
# For each tests/lab/scenarios/*.scn, in a lab of its own (several at once):
# apply it, capture at its capture points, then from the probe with kdig (UDP,
# +bufsize=4096, no retry, +ignore so TC does not switch to TCP):
#   v4_frags / v6_frags    3000.size.lab TXT: an answer that fragments
#   unfrag                 1232.size.lab TXT: a large answer that does not (v4 and v6)
#   tcp                    3000.size.lab TXT over TCP (v4 and v6): ok | blocked | blackhole
#   v4_qfrags / v6_qfrags  512.size.lab TXT, the query padded to 2,000 bytes (fragments)
# and compare with the scenario's expect_* fields; then the nft counters
# (expect_counters) and, for NAT, the capture behind the NAT (expect_nat_at).
#
#   SCENARIOS='a b'     run only these scenarios (file names without .scn)
#   LAB_JOBS=N          labs at once (default 4)
#   LAB_CAPTURES=DIR    keep the captures in DIR/<scenario>/<node>-<iface>.pcap
# Exit 0 pass, 1 fail, 77 skip (not root, a tool missing).
set -u
here=$(cd "$(dirname "$0")" && pwd)
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip nft ethtool sysctl ss nsd nsd-checkconf unbound unbound-checkconf kdig tcpdump \
	ldns-keygen ldns-signzone ldns-revoke ldns-key2ds; do
	command -v "$t" >/dev/null 2>&1 || skip "missing $t"
done
# shellcheck source=tests/lab/lab.sh
. "$here/lab.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/dnsfrag-gt.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
export LAB_KEYDIR=$work/keys
lab_dns_keygen "$LAB_KEYDIR" || exit 1
capdir=${LAB_CAPTURES:-$work/captures}

# observe FAMILY KIND -> delivered | lost | truncated | other:...; KIND is frags,
# unfrag, qfrags or tcp (-> ok | blocked | blackhole | other:...).
observe() {
	local fam=$1 kind=$2 addr qname size out n
	addr=$(lab_addr "$target" "$fam")
	set -- +bufsize=4096 +retry=0 +timeout="$qtimeout"
	case $kind in
	frags | tcp) qname=3000.size.lab size=3000 ;;
	unfrag) qname=1232.size.lab size=1232 ;;
	qfrags) qname=512.size.lab size=512; set -- "$@" +padding=2000 ;;
	esac
	if [ "$kind" = tcp ]; then set -- "$@" +tcp; else set -- "$@" +ignore; fi
	out=$(lab_exec probe kdig @"$addr" "$qname" TXT "$@" 2>&1)
	n=$(echo "$out" | sed -n 's/^;; Received \([0-9]*\) B$/\1/p')
	if [ -n "$n" ]; then
		if echo "$out" | grep -q '^;; Flags: qr.* tc'; then echo truncated
		elif [ "$n" != "$size" ]; then echo "other:size-$n"
		elif [ "$kind" = tcp ]; then echo ok
		else echo delivered
		fi
	elif echo "$out" | grep -qE 'connection (timeout|refused)|connection reset'; then echo blocked
	elif echo "$out" | grep -q 'response timeout'; then
		if [ "$kind" = tcp ]; then echo blackhole; else echo lost; fi
	else
		echo "other:$(echo "$out" | grep -E 'ERROR|WARNING' | head -n 1 | tr ' ' '_')"
	fi
}

# One scenario in its own lab; prints its report; exit 0 if it matched.
run_scenario() {
	local file=$1 fails=0 fam kind exp obs i d l cnt tok lhs op rhs val cap node ifn pcap
	local lost_udp=0
	lab_scenario_load "$file" || return 1
	echo "== $name: $description"
	case $target in
	auth) LAB_SERVICES=nsd qtimeout=1 ;;
	resolver) LAB_SERVICES="nsd unbound" qtimeout=4 ;;
	*) echo "   bad target '$target'"; return 1 ;;
	esac
	export LAB_SERVICES
	lab_up || { echo "   lab_up failed"; return 1; }
	echo "$LAB_ID" >"$work/$name.id"
	lab_apply_scenario "$file" || { echo "   could not apply the scenario"; return 1; }
	mkdir -p "$capdir/$name"
	for cap in $captures; do
		node=${cap%%:*} ifn=${cap#*:}
		lab_capture_start "$node" "$ifn" "$capdir/$name/$node-$ifn.pcap" ||
			{ echo "   capture $cap failed"; return 1; }
	done

	check() { # NAME EXPECTED OBSERVED
		local mark=ok
		if [ "$2" = random ]; then mark="ok (random)"
		elif [ "$2" != "$3" ]; then mark=MISMATCH; fails=$((fails + 1)); fi
		printf '   %-12s expected %-10s observed %-22s %s\n' "$1" "$2" "$3" "$mark"
	}
	# Fragmented answers first, TCP before the fragmented queries: a query that
	# draws a packet-too-big changes the probe's path MTU cache and so its MSS.
	for fam in 4 6; do
		d=0 l=0
		for i in $(seq "$repeat"); do
			obs=$(observe "$fam" frags)
			case $obs in delivered) d=$((d + 1)) ;; lost) l=$((l + 1)) ;; esac
		done
		lost_udp=$((lost_udp + l))
		if [ "$repeat" -gt 1 ]; then obs="$d-delivered,$l-lost"
		elif [ "$d" = 1 ]; then obs=delivered; elif [ "$l" = 1 ]; then obs=lost; fi
		eval "exp=\${expect_v${fam}_frags:-unset}"
		check "v${fam}_frags" "$exp" "$obs"
	done
	for fam in 4 6; do
		obs=$(observe "$fam" unfrag)
		[ "$obs" = lost ] && lost_udp=$((lost_udp + 1))
		check "v${fam}_unfrag" "${expect_unfrag:-unset}" "$obs"
	done
	for fam in 4 6; do
		check "v${fam}_tcp" "${expect_tcp:-unset}" "$(observe "$fam" tcp)"
	done
	for fam in 4 6; do
		obs=$(observe "$fam" qfrags)
		[ "$obs" = lost ] && lost_udp=$((lost_udp + 1))
		eval "exp=\${expect_v${fam}_qfrags:-unset}"
		check "v${fam}_qfrags" "$exp" "$obs"
	done
	sleep 0.2 # let the last packets reach the captures
	lab_capture_stop

	# nft counters: the middlebox's own account of what it did.
	for tok in ${expect_counters:-}; do
		case $tok in
		*'>'*) op='>' ;; *'<'*) op='<' ;; *'='*) op='=' ;; *) echo "   bad counter spec $tok"; fails=$((fails + 1)); continue ;;
		esac
		lhs=${tok%%"$op"*} rhs=${tok#*"$op"}
		if [ "$lhs" = drops ]; then cnt=$(lab_nft_counter all); else cnt=$(lab_nft_counter all "\"$lhs\""); fi
		case $op in
		'>') [ "$cnt" -gt "$rhs" ] ;; '<') [ "$cnt" -lt "$rhs" ] ;; '=') [ "$cnt" -eq "$rhs" ] ;;
		esac
		if [ $? -eq 0 ]; then val=ok; else val=MISMATCH; fails=$((fails + 1)); fi
		printf '   %-12s expected %-10s observed %-22s %s\n' counter "$tok" "$lhs=$cnt" "$val"
	done
	# Random loss: each dropped packet kills exactly the one answer it belonged to.
	if [ "${expect_v4_frags:-}" = random ]; then
		cnt=$(lab_nft_counter all)
		if [ "$lost_udp" -ge 1 ] && [ "$lost_udp" -le "$cnt" ]; then val=ok; else val=MISMATCH; fails=$((fails + 1)); fi
		printf '   %-12s 1 <= lost answers (%s) <= dropped packets (%s)   %s\n' loss "$lost_udp" "$cnt" "$val"
	fi
	# Captures: each point saw traffic; behind a NAT, no packet carries the probe's address.
	for cap in $captures; do
		node=${cap%%:*} ifn=${cap#*:} pcap=$capdir/$name/$node-$ifn.pcap
		cnt=$(tcpdump -nr "$pcap" 'udp or tcp or (ip[6:2] & 0x1fff != 0) or ip6[6] == 44' 2>/dev/null | wc -l)
		if [ "$cnt" -gt 0 ]; then val=ok; else val=EMPTY; fails=$((fails + 1)); fi
		printf '   %-12s %-28s %s packets            %s\n' capture "$cap" "$cnt" "$val"
	done
	if [ -n "${expect_nat_at:-}" ]; then
		pcap=$capdir/$name/${expect_nat_at%%:*}-${expect_nat_at#*:}.pcap
		cnt=$(tcpdump -nr "$pcap" "host $(lab_addr probe 4) or host $(lab_addr probe 6)" 2>/dev/null | wc -l)
		if [ "$cnt" -eq 0 ]; then val=ok; else val=MISMATCH; fails=$((fails + 1)); fi
		printf '   %-12s probe addresses seen behind the NAT at %s: %s   %s\n' nat "$expect_nat_at" "$cnt" "$val"
	fi
	lab_down
	echo "   health (for the analyzer check): ${expect_health:-unset}"
	[ "$fails" -eq 0 ]
}

if [ -n "${SCENARIOS:-}" ]; then
	files=""
	for s in $SCENARIOS; do files="$files $here/scenarios/$s.scn"; done
else
	files=$(ls "$here"/scenarios/*.scn)
fi
jobs=${LAB_JOBS:-4}
start=$(date +%s)
for f in $files; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
	n=$(basename "$f" .scn)
	( run_scenario "$f" >"$work/$n.log" 2>&1; echo $? >"$work/$n.rc" ) &
done
wait
pass=0 fail=0 failed=""
for f in $files; do
	n=$(basename "$f" .scn)
	cat "$work/$n.log"
	if [ "$(cat "$work/$n.rc" 2>/dev/null)" = 0 ]; then
		pass=$((pass + 1)); echo "PASS $n"
	else
		fail=$((fail + 1)); failed="$failed $n"; echo "FAIL $n"
	fi
done
echo "scenarios: $pass passed, $fail failed${failed:+ ($failed )} in $(($(date +%s) - start)) s"
[ -z "${LAB_CAPTURES:-}" ] || echo "captures kept in $capdir"
# Every lab was torn down.
for f in "$work"/*.id; do
	[ -f "$f" ] || continue
	if ip netns list | grep -q "^$(cat "$f")-"; then
		echo "FAIL: namespaces of lab $(cat "$f") were left behind"; fail=$((fail + 1))
	fi
done
[ "$fail" -eq 0 ]
