#!/bin/sh
# test-hostile.sh - hostile captures with expected outcomes (issue 10).
#
# tests/hostile/make-hostile.py writes the captures into a temporary directory
# (nothing big is committed). For each case the normal build must give the
# expected exit code and --counts values; the sanitized build
# ($B/san/dnsfrag-analyze, ASan+UBSan) must give the same exit code on the same
# file with --json and print no sanitizer report. The two 300,000-train floods
# run on the normal build only (ASan's quarantine alone is 256 MB) and must stay
# under 64 MB of peak resident memory with the evictions in --counts.
# Prints one line per case: case, expected, observed, peak RSS.
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
A=bin/dnsfrag-analyze
S=$B/san/dnsfrag-analyze
PY=/usr/bin/python3
RSS_LIMIT_KB=65536
"$PY" -c 'import scapy' 2>/dev/null || { echo "skip: $PY cannot import scapy (apt-get install python3-scapy)"; exit 77; }
[ -x "$A" ] || { echo "$A not built"; exit 1; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
"$PY" tests/hostile/make-hostile.py "$t" || { echo "make-hostile.py failed"; exit 1; }
fail=0

# peak_rss_kb OUTFILE CMD...: run CMD (stdout to OUTFILE), print its peak RSS in KB;
# returns CMD's exit status.
peak_rss_kb() {
	out=$1; shift
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -o "$t/rss" "$@" >"$out" 2>"$t/err"
		rc=$?
		tail -n 1 "$t/rss"
	else # a wait4 wrapper: ru_maxrss of the child
		"$PY" -c 'import os,sys
pid=os.fork()
if pid==0:
    fd=os.open(sys.argv[1],os.O_WRONLY|os.O_CREAT|os.O_TRUNC); os.dup2(fd,1)
    os.execv(sys.argv[2],sys.argv[2:])
_,st,ru=os.wait4(pid,0); print(ru.ru_maxrss); sys.exit(os.waitstatus_to_exitcode(st))' "$out" "$@" 2>"$t/err"
		rc=$?
	fi
	return $rc
}

# check CASE FILE EXIT "key=value ..." [STDERR-PATTERN]
check() {
	name=$1 file=$t/$2 want_exit=$3 want=$4 pattern=${5:-}
	"$A" "$file" >/dev/null 2>"$t/text.err"
	got_exit=$?
	"$A" --counts "$file" >"$t/counts" 2>"$t/counts.err"
	observed="exit=$got_exit" ok=1
	[ "$got_exit" = "$want_exit" ] || ok=0
	for kv in $want; do
		k=${kv%%=*} v=${kv#*=}
		g=$(awk -F'\t' -v k="$k" '$1==k{print $2}' "$t/counts")
		observed="$observed $k=${g:-none}"
		[ "${g:-0}" = "$v" ] || ok=0
	done
	if [ -n "$pattern" ]; then
		if grep -q "$pattern" "$t/text.err"; then observed="$observed stderr:ok"; else observed="$observed stderr:MISSING"; ok=0; fi
	fi
	if [ -x "$S" ]; then
		"$S" --json "$file" >/dev/null 2>"$t/san.err"
		san_exit=$?
		if grep -q -e 'Sanitizer' -e 'runtime error' "$t/san.err" || [ "$san_exit" != "$got_exit" ]; then
			observed="$observed san:FAIL(exit $san_exit)"; ok=0
			sed 's/^/    /' "$t/san.err" | head -20
		else
			observed="$observed san:clean"
		fi
	fi
	[ $ok = 1 ] || fail=1
	printf '%-4s %-18s expected: exit=%s %s%s\n%-23s observed: %s\n' "$([ $ok = 1 ] && echo ok || echo FAIL)" \
		"$name" "$want_exit" "$want" "${pattern:+ stderr~'$pattern'}" "" "$observed"
}

check teardrop-v4 teardrop-v4.pcap 1 "frag_overlap=2 ip4_datagrams=2 ip4_incomplete=0 decode.udp.invalid=1"
check teardrop-v6 teardrop-v6.pcap 3 "frag_overlap=2 ip6_datagrams=2 ip6_incomplete=0 decode.udp.invalid=1"
check oversize oversize.pcap 1 "reasm.oversize=3 ip4_datagrams=2 ip4_incomplete=2 ip6_datagrams=1 ip6_incomplete=1"
check tiny-frags tiny-frags.pcap 3 "ip4_frags=6 ip6_frags=3 ip4_datagrams=2 ip4_incomplete=1 ip6_datagrams=2 ip6_incomplete=2 first_frag_chain_incomplete=4"
check exthdr-chains exthdr-chains.pcap 3 "decode.ipv6-ext.invalid=5 ip6_atomic_frags=1 ip6_datagrams=1 ip6_incomplete=0 udp=1"
check dns-compression dns-compression.pcap 1 "dns_responses=6 dns_malformed=5 decode.dns.invalid=5"
check opt-overrun opt-overrun.pcap 0 "dns_responses=5 dns_malformed=5 decode.dns.invalid=5"
check tcp-lying tcp-lying.pcap 3 "tcp_segments=28 tcp.dns_cut=3 dns_tcp=2 dns_malformed=1"
check cut-file-header cut-file-header.pcap 3 "" "truncated dump file"
check cut-record-header cut-record-header.pcap 1 "packets=2 capture.truncated_files=1" "truncated dump file"
check cut-record-data cut-record-data.pcap 1 "packets=2 capture.truncated_files=1" "truncated dump file"
check cut-pcapng cut-pcapng.pcapng 1 "packets=3 capture.truncated_files=1" "truncated pcapng dump file"
check over-snaplen over-snaplen.pcap 1 "packets=3 capture.over_snaplen=1 decode.capture.truncated=1"
check huge-caplen huge-caplen.pcap 1 "packets=1 capture.over_snaplen=1" "invalid packet capture length"
check linktype-user0 linktype-user0.pcap 3 "" "DLT 147) is not supported"
check linktype-65000 linktype-65000.pcap 3 "" "DLT 65000) is not supported"

# The floods: 300,000 lone first fragments each; 4,096 trains in flight by default.
for fam in 4 6; do
	for mode in --counts --json; do
		rss=$(peak_rss_kb "$t/flood.out" "$A" "$mode" "$t/flood-v$fam.pcap")
		rc=$?
		ok=1
		[ "${rss:-999999}" -lt "$RSS_LIMIT_KB" ] || ok=0
		if [ "$mode" = --counts ]; then
			[ $rc = 0 ] || ok=0
			obs=""
			for kv in ip${fam}_frags=300000 ip${fam}_incomplete=300000 reasm.evicted=295904 reasm.peak_datagrams=4096; do
				k=${kv%%=*} v=${kv#*=}
				g=$(awk -F'\t' -v k="$k" '$1==k{print $2}' "$t/flood.out")
				obs="$obs $k=${g:-none}"
				[ "${g:-0}" = "$v" ] || ok=0
			done
			want="ip${fam}_frags=300000 ip${fam}_incomplete=300000 reasm.evicted=295904 reasm.peak_datagrams=4096"
		else
			want="exit=3 ip${fam}_incomplete=300000 trains_unattributed=300000 reasm_evicted=295904 reasm_peak_datagrams=4096"
			g=$(grep -c -e "\"ip${fam}_incomplete\": 300000" -e '"trains_unattributed": 300000' \
				-e '"reasm_evicted": 295904' -e '"reasm_peak_datagrams": 4096' "$t/flood.out")
			obs="exit=$rc json-keys-found=$g/4"
			[ $rc = 3 ] && [ "$g" = 4 ] || ok=0
		fi
		[ $ok = 1 ] || fail=1
		printf '%-4s %-18s expected: %s peak RSS < %s KB\n%-23s observed:%s peak RSS %s KB\n' \
			"$([ $ok = 1 ] && echo ok || echo FAIL)" "flood-v$fam $mode" "$want" "$RSS_LIMIT_KB" "" "$obs" "$rss"
	done
done
# Other floods the limits must hold under 64 MB: 70,000 TCP flows each holding
# 1,200 out-of-order bytes (more flows than tracked, more bytes than held), and
# 300,000 unanswered queries (transactions in flight are bounded).
flood() { # name file "key=value ..." exit
	rss=$(peak_rss_kb "$t/flood.out" "$A" --counts "$t/$2")
	rc=$?
	ok=1 obs=""
	[ $rc = 0 ] && [ "${rss:-999999}" -lt "$RSS_LIMIT_KB" ] || ok=0
	for kv in $3; do
		k=${kv%%=*} v=${kv#*=}
		g=$(awk -F'\t' -v k="$k" '$1==k{print $2}' "$t/flood.out")
		obs="$obs $k=${g:-none}"
		case "$v" in
		'>'*) [ "${g:-0}" -gt "${v#>}" ] || ok=0 ;;
		*) [ "${g:-0}" = "$v" ] || ok=0 ;;
		esac
	done
	rss2=$(peak_rss_kb "$t/flood.json" "$A" --json "$t/$2")
	rc2=$?
	[ "$rc2" = "$4" ] && [ "${rss2:-999999}" -lt "$RSS_LIMIT_KB" ] || ok=0
	[ $ok = 1 ] || fail=1
	printf '%-4s %-18s expected: %s; --json exit=%s; peak RSS < %s KB\n%-23s observed:%s; --json exit=%s; peak RSS %s KB (--json %s KB)\n' \
		"$([ $ok = 1 ] && echo ok || echo FAIL)" "$1" "$3" "$4" "$RSS_LIMIT_KB" "" "$obs" "$rc2" "$rss" "$rss2"
}
flood flood-tcp flood-tcp.pcap "tcp_segments=140000 tcp.evicted=>4000 tcp.gaps=70000" 3
flood flood-queries flood-queries.pcap "dns_queries=300000" 1
exit $fail
