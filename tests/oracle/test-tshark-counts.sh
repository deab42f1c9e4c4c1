#!/bin/sh
# Oracle test: dnsfrag-analyze's counts against tshark's on every capture in pcaps/.
#
# tshark is an independent decoder, so where both count the same thing they must
# agree. Where our counting rules differ from tshark's (we count DNS messages, not
# frames; fragments, not headers quoted in ICMP errors; ...), the difference is
# listed in tests/oracle/known-differences.tsv with its reason. An unexplained
# mismatch fails, and so does a listed difference that no longer occurs, so the
# table stays true. pcaps/MANIFEST names the files (every capture must be in it).
#
#   --manifest  take "ours" from the MANIFEST's expected counts instead of the
#               analyzer: checks the MANIFEST and the table against tshark when
#               no analyzer is built (how the table was first written).
# Exit 0 pass, 1 fail, 77 skip (no tshark).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
command -v tshark >/dev/null 2>&1 || { echo "skipped: tshark not installed"; exit 77; }
. "$here/oracle-lib.sh"

mode=analyzer
[ "${1:-}" = --manifest ] && mode=manifest
[ $mode = analyzer ] && { oracle_find_analyzer "$top" || exit 1; }

manifest=$top/pcaps/MANIFEST
[ -f "$manifest" ] || { echo "FAIL: $manifest missing (run pcaps/make-pcaps)"; exit 1; }
fail=0

# Every capture is described, and every description has its capture.
for f in "$top"/pcaps/*.pcap "$top"/pcaps/*.pcapng; do [ -f "$f" ] && basename "$f"; done | sort >"$oracle_tmp/on-disk"
grep -v '^#' "$manifest" | cut -f1 | sort >"$oracle_tmp/listed"
comm -23 "$oracle_tmp/on-disk" "$oracle_tmp/listed" | sed 's/^/FAIL not in pcaps\/MANIFEST: /' | grep . && fail=1
comm -13 "$oracle_tmp/on-disk" "$oracle_tmp/listed" | sed 's/^/FAIL in pcaps\/MANIFEST but missing: /' | grep . && fail=1

: >"$oracle_tmp/results"
grep -v '^#' "$manifest" | while IFS='	' read -r name _ _ _ expect; do
	f=$top/pcaps/$name
	[ -f "$f" ] || continue
	oracle_tshark_cached "$f" >"$oracle_tmp/theirs"
	if [ $mode = manifest ]; then
		# The MANIFEST's last field: "reject", or key=value pairs.
		if [ "$expect" = reject ]; then echo "accepted	0"; else echo "accepted	1"; fi >"$oracle_tmp/ours"
		printf '%s\n' "$expect" | tr ' ' '\n' | grep '=' | tr '=' '\t' >>"$oracle_tmp/ours"
	else
		oracle_analyzer "$f" >"$oracle_tmp/ours"
	fi
	oracle_results "$name" "$oracle_tmp/ours" "$oracle_tmp/theirs" >>"$oracle_tmp/results"
done

echo "ours = ${mode}; tshark $(tshark --version 2>/dev/null | head -n 1 | sed 's/^TShark (Wireshark) //')"
oracle_compare "$oracle_tmp/results" "$here/known-differences.tsv" || fail=1
exit $fail
