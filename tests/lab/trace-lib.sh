# shellcheck shell=bash
# trace-lib.sh - helpers for the trace tests (tests/lab/test-trace-*.sh), on
# top of lab.sh (source lab.sh first).
#
#   trace_skip_unless_ready         exit 77 unless root, the tools and the binaries are there
#   trace_probe ARGS...             dnsfrag-probe in the probe namespace, DNSFRAG_LAB=1
#   trace_drop_frags NODE IIF       NODE drops every IPv4 and IPv6 fragment arriving
#                                   on interface IIF (a prerouting hook at -500:
#                                   before conntrack would reassemble them)
#   trace_responder_start LOG ADDR4 ADDR6 ZONE [OPTIONS...]
#                                   dnsfrag-responder in auth on two extra addresses
#                                   of the auth link (203.0.113.3-.6, 2001:db8:4::3...),
#                                   --rate 0; returns once it listens (lab_down stops it)
#   trace_want COND TEXT            print ok/FAIL TEXT; remembers a failure in trace_fail
#
# The lab chain is four hops from the probe to auth: mb1 (hop 1), resolver
# (hop 2), mb2 (hop 3), auth (hop 4).

# shellcheck disable=SC2034 # read by the tests that source this file
trace_fail=0
TRACE_PROBE=${PROBE:-$LAB_HOME/../../bin/dnsfrag-probe}
TRACE_RESPONDER=${RESPONDER:-$LAB_HOME/../../bin/dnsfrag-responder}

trace_skip_unless_ready() {
	local t
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
	for t in ip nft ethtool nsd ldns-keygen ldns-signzone jq; do
		command -v "$t" >/dev/null 2>&1 || { echo "SKIP: missing $t"; exit 77; }
	done
	[ -x "$TRACE_PROBE" ] || { echo "SKIP: missing $TRACE_PROBE (make)"; exit 77; }
}

trace_probe() {
	DNSFRAG_LAB=1 lab_exec probe "$TRACE_PROBE" "$@"
}

trace_drop_frags() {
	lab_nft "$1" "table inet trace {
	chain pre {
		type filter hook prerouting priority -500;
		iifname \"$2\" ip frag-off & 0x3fff != 0 counter drop
		iifname \"$2\" exthdr frag exists counter drop
	}
}"
}

trace_responder_start() {
	local log=$1 a4=$2 a6=$3 zone=$4 ifn pid
	shift 4
	ifn=$(lab_ifname auth mb2-auth) || return 1
	lab_exec auth ip addr add "$a4/29" dev "$ifn" || return 1
	lab_exec auth ip addr add "$a6/64" dev "$ifn" nodad || return 1
	ip netns exec "$(lab_ns auth)" "$TRACE_RESPONDER" -z "$zone" -l "$a4" -l "$a6" --rate 0 "$@" >"$log" 2>&1 &
	pid=$!
	for _ in $(seq 60); do
		grep -q ' listen=' "$log" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "dnsfrag-responder did not start:" >&2
	cat "$log" >&2
	return 1
}

trace_want() {
	if eval "$1"; then
		echo "   ok   $2"
	else
		echo "   FAIL $2"
		trace_fail=1
	fi
}
