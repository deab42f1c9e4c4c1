#!/bin/bash
# test-probe-lab.sh - dnsfrag-probe in one lab: the reply-size test (profile
# oarc) through the lab's Unbound and dnsfrag-responder, privileges, and the
# DNSFRAG_LAB guard.
#
#   probe --- mb1 --- resolver (Unbound, edns-buffer-size 4096) --- mb2 --- auth
#                                                  NSD "." "lab."; dnsfrag-responder
#                                                  resp4.lab 203.0.113.3, resp6.lab 2001:db8:4::3
# 1. oarc, clean path: the report's probe.oarc names the lab's limit, 4096
#    (the size Unbound advertises), through the resolver's IPv4 and IPv6 address;
# 2. oarc, mb2 drops non-first fragments: the limit is 1472 (IPv4) and 1452
#    (IPv6), the largest answers the resolver-auth leg delivers;
# 3. oarc against a zone without the test (rs.lab: NXDOMAIN): UNKNOWN, exit 3,
#    "service unavailable";
# 4. without privileges (setpriv to nobody): exit 3, a message naming CAP_NET_RAW;
# 5. -Z nobody: the running probe's Uid (/proc/PID/status) is 65534, stderr says
#    so, and the -w capture it finished as nobody is there and complete;
# 6. DNSFRAG_LAB=1 with 9.9.9.9 (an argument to refuse, never sent to): exit 3
#    with the refusal, and strace shows no socket() at all; the default (root
#    hints) targets are refused the same way.
# Exit 0 pass, 1 fail, 77 skip (not root, a tool or a binary missing).
set -u
cd "$(dirname "$0")/../.." || exit 1
top=$(pwd)
probe=${PROBE:-$top/bin/dnsfrag-probe}
responder=${DNSFRAG_RESPONDER:-$top/bin/dnsfrag-responder}
analyze=$top/bin/dnsfrag-analyze
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip nft nsd unbound ss tcpdump strace setpriv python3; do
	command -v "$t" >/dev/null 2>&1 || skip "missing $t"
done
for b in "$probe" "$responder" "$analyze"; do [ -x "$b" ] || skip "missing $b"; done
id nobody >/dev/null 2>&1 || skip "no user nobody"

fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected '$2', got '$3'"; fi; }
jq_() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }

# shellcheck source=../lab/lab.sh
. tests/lab/lab.sh
LAB_SERVICES=nsd lab_up || { echo "lab_up failed"; exit 1; }
work=$LAB_TMP/probe-test
mkdir -p "$work"
RPIDS=""
cleanup() {
	local p
	for p in $RPIDS; do kill "$p" 2>/dev/null; done
	for p in $RPIDS; do wait "$p" 2>/dev/null; done
	lab_down
	[ -z "${wdir:-}" ] || rm -rf "$wdir"
}
trap cleanup EXIT

# ---------------------------------------------------------------- set-up (as tests/responder/test-lab-oarc.sh)
AUTH_IF=$(lab_ifname auth mb2-auth)
lab_exec auth ip addr add 203.0.113.3/29 dev "$AUTH_IF"
lab_exec auth ip addr add 2001:db8:4::3/64 dev "$AUTH_IF" nodad
cat >>"$LAB_TMP/zones/lab.zone" <<'EOF'
resp4.lab.	3600	IN	NS	ns.resp4.lab.
ns.resp4.lab.	3600	IN	A	203.0.113.3
resp6.lab.	3600	IN	NS	ns.resp6.lab.
ns.resp6.lab.	3600	IN	AAAA	2001:db8:4::3
EOF
lab_nsd_start "$LAB_CUR_PHASE" || { echo "NSD did not restart"; exit 1; }
responder() { # NAME ZONE ADDR OPTIONS...
	local name=$1 zone=$2 addr=$3 n pid
	shift 3
	ip netns exec "$(lab_ns auth)" "$responder" -z "$zone" -l "$addr" -p 53 --rate 0 "$@" >"$work/$name.log" 2>&1 &
	pid=$!
	RPIDS="$RPIDS $pid"
	for n in $(seq 60); do
		grep -q ' listen=' "$work/$name.log" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "responder $name did not start:"; cat "$work/$name.log"; exit 1
}
responder r4 resp4.lab 203.0.113.3
responder r6 resp6.lab 2001:db8:4::3 --ipv6-frag min-mtu
lab_unbound_start 4096 || { echo "Unbound did not start"; exit 1; }
R4=$(lab_addr resolver 4) R6=$(lab_addr resolver 6)
P() { ip netns exec "$(lab_ns probe)" env DNSFRAG_LAB=1 "$probe" "$@"; }

# oarc LABEL ZONE LIMIT: the reply-size test through both resolver addresses.
oarc() {
	local label=$1 zone=$2 limit=$3 out=$work/oarc-$1-$2.json rc
	P -p oarc --zone "$zone" -s "$R4" -s "$R6" --json >"$out" 2>"$out.err"
	rc=$?
	check "oarc $label $zone: exit code (the capture's health, not UNKNOWN)" yes "$([ "$rc" -le 2 ] && echo yes)"
	check "oarc $label $zone: limits via $R4 and $R6" "$limit $limit" \
		"$(jq_ "$out" '" ".join(str(o["limit"]) for o in d["probe"]["oarc"])')"
	check "oarc $label $zone: status" "ok ok" "$(jq_ "$out" '" ".join(o["status"] for o in d["probe"]["oarc"])')"
	python3 tests/validate-json "$out" >/dev/null || bad "oarc $label $zone: JSON does not validate"
	sleep 1.1 # Unbound keeps TTL-0 records for the rest of the second
}

# ---------------------------------------------------------------- 1-2. the reply-size test
oarc clean resp4.lab 4096
oarc clean resp6.lab 4096
lab_nft mb2 '
table inet mb {
	chain pre {
		type filter hook prerouting priority -500; policy accept;
		ip frag-off & 0x1fff != 0 counter drop comment "v4-nonfirst"
		frag frag-off != 0 counter drop comment "v6-nonfirst"
	}
}' || { echo "nft failed"; exit 1; }
lab_unbound_start 4096 || exit 1 # empty cache
oarc frags-dropped resp4.lab 1472
oarc frags-dropped resp6.lab 1452
lab_nft_flush mb2

# ---------------------------------------------------------------- 3. service unavailable
out=$work/oarc-unavailable.json
P -p oarc --zone lab -s "$R4" --json >"$out" 2>/dev/null
rc=$?
check "oarc without the test: exit 3" 3 "$rc"
check "oarc without the test: UNKNOWN" UNKNOWN "$(jq_ "$out" 'd["health"]')"
check "oarc without the test: headline" yes \
	"$(jq_ "$out" 'd["headline"]' | grep -q '^UNKNOWN: service unavailable' && echo yes)"

# ---------------------------------------------------------------- 4. no privileges
err=$(ip netns exec "$(lab_ns probe)" setpriv --reuid nobody --regid nogroup --clear-groups \
	env DNSFRAG_LAB=1 "$probe" -p lab 2>&1 >/dev/null)
rc=$?
check "unprivileged: exit 3" 3 "$rc"
check "unprivileged: the message names CAP_NET_RAW" yes "$(echo "$err" | grep -q 'needs CAP_NET_RAW' && echo yes)"

# ---------------------------------------------------------------- 5. -Z nobody
# nobody must reach the directory to rename its capture into place: not under
# the lab's private temp dir.
wdir=$(mktemp -d "${TMPDIR:-/tmp}/dnsfrag-probe-z.XXXXXX") && chmod 777 "$wdir" || exit 1
# Started directly (not through the P function, which would fork a subshell):
# ip netns exec and env exec into the probe, so $! is the probe's pid.
ip netns exec "$(lab_ns probe)" env DNSFRAG_LAB=1 "$probe" -p lab -Z nobody -T 0.5 --settle 2 --json \
	-w "$wdir/session.pcap" >"$wdir/report.json" 2>"$wdir/err" &
zpid=$!
uid=""
for n in $(seq 40); do
	sleep 0.1
	# the probe itself: ip netns exec and env exec into it, so the pid is the probe's
	if grep -q 'dropped privileges' "$wdir/err" 2>/dev/null; then
		uid=$(awk '/^Uid:/ {print $2 "/" $3 "/" $4 "/" $5}' "/proc/$zpid/status" 2>/dev/null)
		break
	fi
done
wait "$zpid"
rc=$?
nobody=$(id -u nobody)
check "-Z nobody: real/effective/saved/fs uid" "$nobody/$nobody/$nobody/$nobody" "$uid"
check "-Z nobody: stderr says so" yes "$(grep -q "dropped privileges to nobody (uid $nobody" "$wdir/err" && echo yes)"
check "-Z nobody: a verdict (exit 0)" 0 "$rc"
check "-Z nobody: the capture file is there, no .tmp" "yes no" \
	"$([ -s "$wdir/session.pcap" ] && echo yes || echo no) $([ -e "$wdir/session.pcap.tmp" ] && echo yes || echo no)"
check "-Z nobody: the analyzer reads it to the same health" "$(jq_ "$wdir/report.json" 'd["health"]')" \
	"$("$analyze" --json "$wdir/session.pcap" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["health"])')"

# ---------------------------------------------------------------- 6. the lab guard
# In an empty network namespace: even a broken guard could not reach the address.
unshare -n strace -f -qq -e trace=socket,connect,sendto,sendmsg -o "$work/strace.txt" \
	env DNSFRAG_LAB=1 "$probe" -s 9.9.9.9 -T 0.1 >/dev/null 2>"$work/guard.err"
rc=$?
check "DNSFRAG_LAB=1, 9.9.9.9: exit 3" 3 "$rc"
check "DNSFRAG_LAB=1, 9.9.9.9: refused with a message" yes \
	"$(grep -q 'DNSFRAG_LAB=1: refusing 9.9.9.9' "$work/guard.err" && echo yes)"
check "DNSFRAG_LAB=1, 9.9.9.9: no socket opened, nothing sent" 0 \
	"$(grep -cE 'socket\(|connect\(|sendto\(|sendmsg\(' "$work/strace.txt")"
unshare -n env DNSFRAG_LAB=1 "$probe" -T 0.1 >/dev/null 2>"$work/guard2.err"
check "DNSFRAG_LAB=1, default root targets: exit 3" 3 "$?"
check "DNSFRAG_LAB=1, default root targets: refused" yes "$(grep -q 'DNSFRAG_LAB=1: refusing' "$work/guard2.err" && echo yes)"

[ "$fails" -eq 0 ] && echo "all passed" && exit 0
echo "$fails failed"
exit 1
