#!/bin/sh
# The command line: help, version, usage errors and unreadable input give
# clear messages and exit 3 (UNKNOWN); stdin and several files work.
set -u
cd "$(dirname "$0")/../.."
A=${DNSFRAG_ANALYZE:-bin/dnsfrag-analyze}
fail=0
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

expect() { # NAME WANT_EXIT WANT_STDERR_SUBSTRING -- COMMAND...
	name=$1 want=$2 msg=$3
	shift 4
	"$@" >"$t/out" 2>"$t/err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL $name: exit $rc, want $want"; cat "$t/err"; fail=1; return
	fi
	if [ -n "$msg" ] && ! grep -qF -- "$msg" "$t/err"; then
		echo "FAIL $name: stderr lacks '$msg':"; cat "$t/err"; fail=1; return
	fi
	echo "ok   $name"
}

expect help 0 "" -- "$A" --help
grep -q -- '--policy' "$t/out" || { echo "FAIL help does not list --policy"; fail=1; }
expect version 0 "" -- "$A" --version
grep -q '^dnsfrag-analyze [0-9]' "$t/out" || { echo "FAIL version line"; fail=1; }
expect no-args 3 "no capture file given" -- "$A"
expect bad-flag 3 "try 'dnsfrag-analyze --help'" -- "$A" --frobnicate pcaps/link-ethernet.pcap
expect bad-policy 3 "--policy 'sometimes'" -- "$A" --policy=sometimes pcaps/link-ethernet.pcap
expect bad-samples 3 "--min-samples 'x'" -- "$A" --min-samples=x pcaps/link-ethernet.pcap
expect bad-threshold 3 "--loss-threshold '101'" -- "$A" --loss-threshold=101 pcaps/link-ethernet.pcap
expect missing-file 3 "no-such.pcap" -- "$A" "$t/no-such.pcap"
printf 'this is not a capture file at all\n' >"$t/garbage.pcap"
expect garbage-file 3 "garbage.pcap" -- "$A" "$t/garbage.pcap"
expect directory 3 "$t" -- "$A" "$t"

# stdin gives the same report as the file, apart from the input name (and the
# run id derived from it)
"$A" --json pcaps/ip4-frag-order.pcap | grep -v '"pcaps/ip4-frag-order.pcap"\|^    "id": ' >"$t/file.json"
"$A" --json - <pcaps/ip4-frag-order.pcap | grep -v '^      "-"$\|^    "id": ' >"$t/stdin.json"
if diff -u "$t/file.json" "$t/stdin.json" >/dev/null; then echo "ok   stdin"; else echo "FAIL stdin differs"; fail=1; fi

# two files are one capture point merged by time: the counts add up
"$A" --counts pcaps/ip4-frag-order.pcap pcaps/link-vlan.pcap >"$t/two"
a=$("$A" --counts pcaps/ip4-frag-order.pcap | awk '$1=="dns_queries"{print $2}')
b=$("$A" --counts pcaps/link-vlan.pcap | awk '$1=="dns_queries"{print $2}')
c=$(awk '$1=="dns_queries"{print $2}' "$t/two")
if [ "$c" = $((a + b)) ] && grep -q '^points	1$' "$t/two"; then echo "ok   two-files ($a + $b = $c)"; else
	echo "FAIL two-files: $a + $b != $c"; fail=1; fi
exit $fail
