#!/bin/sh
# Golden tests: every capture in tests/golden/list gives exactly the expected text
# report, JSON report (which must also validate against the schema) and exit code.
# Run with the normal build and, when built, the ASan+UBSan build, each with
# --threads 1 and --threads 2: the tracker behind the relay (common/relay.h)
# must give the same reports, byte for byte, as the tracker called directly.
# Regenerate an expected file for review with: tests/golden/regen NAME
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
analyzers="bin/dnsfrag-analyze"
[ -x "$B/san/dnsfrag-analyze" ] && analyzers="$analyzers $B/san/dnsfrag-analyze"
OUT=$(mktemp -d)
export OUT
trap 'rm -rf "$OUT"' EXIT
fail=0 n=0
while read -r name capture opts; do
	case "$name" in ''|'#'*) continue ;; esac
	case "$capture" in
	--points=*) files=$(echo "${capture#--points=}" | tr ',' ' ' | sed 's/[^ ]*=//g') ;; # label=file
	*) files=$capture ;;
	esac
	missing=""
	for f in $files; do [ -f "$f" ] || missing="$missing $f"; done
	if [ -n "$missing" ]; then
		echo "FAIL $name: capture$missing is missing"; fail=1; continue
	fi
	for a in $analyzers; do
	for t in 1 2; do
		n=$((n + 1))
		# shellcheck disable=SC2086
		tests/golden/run-case "$a" "$name" "$capture" --threads=$t $opts
		ok=1
		for ext in txt json exit stderr; do
			if ! diff -u "tests/golden/expected/$name.$ext" "$OUT/$name.$ext" >"$OUT/diff"; then
				echo "FAIL $name ($a, --threads=$t): $name.$ext differs:"; head -40 "$OUT/diff"; ok=0
			fi
		done
		if grep -q 'runtime error\|AddressSanitizer\|LeakSanitizer' "$OUT/$name.stderr"; then
			echo "FAIL $name ($a, --threads=$t): sanitizer report:"; head -20 "$OUT/$name.stderr"; ok=0
		fi
		# A refused input writes nothing on stdout (the message is on stderr, exit 3).
		if [ -s "$OUT/$name.json" ] || [ "$(cat "$OUT/$name.exit")" != 3 ]; then
			tests/validate-json "$OUT/$name.json" || ok=0
		fi
		[ $ok = 1 ] && echo "ok   $name ($a, --threads=$t)" || fail=1
	done
	done
done <tests/golden/list
echo "$n golden runs"
[ $n -gt 0 ] || { echo "no golden cases"; exit 1; }
exit $fail
