# shellcheck shell=bash
# trace-lib.sh - helpers for the trace tests (tests/lab/test-trace-*.sh), on
# top of lab.sh (source lab.sh first).
#
#   trace_skip_unless_ready         exit 77 unless root, the tools and the binaries are there
#   trace_probe ARGS...             dnsfrag-probe in the probe namespace, DNSFRAG_LAB=1
#   trace_drop_frags NODE IIF       NODE drops every IPv4 and IPv6 fragment arriving
#                                   on interface IIF (a prerouting hook at -500:
#                                   before conntrack would reassemble them)
#   trace_want COND TEXT            print ok/FAIL TEXT; remembers a failure in trace_fail
#
# The lab chain is four hops from the probe to auth: mb1 (hop 1), resolver
# (hop 2), mb2 (hop 3), auth (hop 4).

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

trace_want() {
	if eval "$1"; then
		echo "   ok   $2"
	else
		echo "   FAIL $2"
		trace_fail=1
	fi
}
