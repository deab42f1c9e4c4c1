#!/bin/sh
# The analyzer's second thread (--threads=2, common/relay.h) under
# ThreadSanitizer: on every reference capture and on a 10 MB synthetic
# resolver capture (bench/gencap, fixed seed: about 30,000 packets, enough to
# fill and wrap the relay's ring many times), the TSan build with two threads
# must report no race and write the same JSON report, byte for byte, as the
# normal build with one thread. (test-golden.sh compares both thread counts
# with the expected reports; this adds the race detector and a capture large
# enough to make the two threads wait on each other.)
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
tsan=$B/tsan/dnsfrag-analyze
for f in "$tsan" "$B/bench/gencap" bin/dnsfrag-analyze; do
	[ -x "$f" ] || { echo "FAIL: $f is not built (make test-quick builds it)"; exit 1; }
done
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}"
"$B/bench/gencap" -m 10 -s 7 -o "$OUT/big.pcap" >/dev/null || { echo "FAIL: gencap"; exit 1; }
fail=0 n=0
for cap in pcaps/*.pcap pcaps/*.pcapng "$OUT/big.pcap"; do
	[ -f "$cap" ] || continue
	n=$((n + 1))
	name=$(basename "$cap")
	bin/dnsfrag-analyze --threads=1 --json "$cap" >"$OUT/one.json" 2>"$OUT/one.err"
	one=$?
	# setarch -R: see tests/run-all (TSan and mmap randomness)
	DNSFRAG_RELAY_STATS=1 setarch "$(uname -m)" -R "$tsan" --threads=2 --json "$cap" >"$OUT/two.json" 2>"$OUT/two.err"
	two=$?
	# the second thread ran (a refused file has no packets, hence no relay)
	relay=$(sed -n 's/^dnsfrag-analyze: relay: //p' "$OUT/two.err")
	if [ "$two" != 3 ] && [ -z "$relay" ]; then
		echo "FAIL $name: no relay line on stderr: the second thread did not run"; fail=1; continue
	fi
	sed -i '/^dnsfrag-analyze: relay: /d' "$OUT/two.err"
	if grep -q 'ThreadSanitizer' "$OUT/two.err"; then
		echo "FAIL $name: ThreadSanitizer:"; head -40 "$OUT/two.err"; fail=1; continue
	fi
	if [ "$one" != "$two" ]; then
		echo "FAIL $name: exit $one with one thread, $two with two"; head -5 "$OUT/two.err"; fail=1; continue
	fi
	if ! cmp -s "$OUT/one.json" "$OUT/two.json"; then
		echo "FAIL $name: the reports differ:"; diff "$OUT/one.json" "$OUT/two.json" | head -20; fail=1; continue
	fi
	echo "ok   $name (exit $one, $(wc -c <"$OUT/one.json") bytes of JSON; relay: ${relay:-none})"
	if [ "$name" = big.pcap ]; then # large enough to go round the ring
		wraps=$(echo "$relay" | sed -n 's/.* \([0-9]*\) wraps.*/\1/p')
		[ "${wraps:-0}" -gt 0 ] || { echo "FAIL $name: the relay never went round its ring"; fail=1; }
	fi
done
[ $n -gt 1 ] || { echo "FAIL: no captures"; exit 1; }
echo "$n captures"
exit $fail
