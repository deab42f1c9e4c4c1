#!/bin/sh
# Oracle test on captures nobody on this project wrote: the files of
# ../shared/real-pcaps (other projects' test data), whose tshark 4.0.17 counts are
# in its expected.tsv and expected_extra.tsv. dnsfrag-analyze must agree with
# them, except where tests/oracle/real-pcaps-differences.tsv says why not; a
# listed difference that no longer occurs also fails.
#
# The folder is read in place, never copied into the project (a user's clone has
# none: the test then skips). DNSFRAG_REAL_PCAPS names another folder.
# Exit 0 pass, 1 fail, 77 skip (folder absent).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(git -C "$here" rev-parse --show-toplevel 2>/dev/null) || top=$(cd "$here/../.." && pwd)
real=${DNSFRAG_REAL_PCAPS:-$top/../shared/real-pcaps}
[ -f "$real/expected.tsv" ] || { echo "skipped: ../shared/real-pcaps not present"; exit 77; }
. "$here/oracle-lib.sh"
oracle_find_analyzer "$top" || exit 1

# expected_extra.tsv adds the datagram counts; its other columns are not ours to compare.
ORACLE_COLUMNS="$ORACLE_KEYS ip4_datagrams ip4_incomplete ip6_datagrams ip6_incomplete frag_overlap"
ORACLE_THEIRS=expected
# Both tables as "file<TAB>column<TAB>value", columns named by their header lines.
awk -F'\t' 'FNR == 1 { for (i = 1; i <= NF; i++) col[i] = $i; next }
	{ for (i = 2; i <= NF; i++) print $1 "\t" col[i] "\t" $i }' \
	"$real/expected.tsv" "$real/expected_extra.tsv" >"$oracle_tmp/expected"

: >"$oracle_tmp/results"
: >"$oracle_tmp/failed"
tail -n +2 "$real/expected.tsv" | cut -f1 | while read -r name; do
	f=$real/$name
	if [ ! -f "$f" ]; then
		echo "FAIL $name: in expected.tsv but missing" | tee -a "$oracle_tmp/failed"
		continue
	fi
	# The tables describe exact bytes; a changed file would make every count suspect.
	want=$(awk -F'\t' -v f="$name" '$1 == f && $2 == "sha256" { print $3 }' "$oracle_tmp/expected")
	if [ "$(sha256sum <"$f" | cut -c1-64)" != "$want" ]; then
		echo "FAIL $name: sha256 differs from expected_extra.tsv" | tee -a "$oracle_tmp/failed"
	fi
	{ echo "accepted	1"; awk -F'\t' -v f="$name" '$1 == f { print $2 "\t" $3 }' "$oracle_tmp/expected"; } >"$oracle_tmp/theirs"
	oracle_analyzer "$f" >"$oracle_tmp/ours"
	oracle_results "$name" "$oracle_tmp/ours" "$oracle_tmp/theirs" >>"$oracle_tmp/results"
done

echo "ours = $ORACLE_ANALYZE; expected = tshark 4.0.17's counts from $real"
fail=0
oracle_compare "$oracle_tmp/results" "$here/real-pcaps-differences.tsv" || fail=1
[ -s "$oracle_tmp/failed" ] && fail=1
exit $fail
