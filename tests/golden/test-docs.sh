#!/bin/sh
# test-docs.sh - every long option a program's --help lists is documented in
# its man page (troff's \- and font escapes removed before the search), so a
# new option cannot land without its documentation.
set -u
cd "$(dirname "$0")/../.."
fail=0
for pair in dnsfrag-analyze:man/dnsfrag-analyze.1 dnsfrag-probe:man/dnsfrag-probe.8 \
	dnsfrag-responder:man/dnsfrag-responder.8 dnsfrag-report:man/dnsfrag-report.1; do
	prog=${pair%%:*} man=${pair#*:}
	[ -x "bin/$prog" ] || { echo "FAIL bin/$prog missing (make)"; fail=1; continue; }
	opts=$("bin/$prog" --help 2>&1 | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
	[ -n "$opts" ] || { echo "FAIL $prog --help lists no long options"; fail=1; continue; }
	text=$(sed 's/\\-/-/g; s/\\f[BIRP]//g; s/\\&//g' "$man")
	missing=""
	for o in $opts; do
		printf '%s\n' "$text" | grep -q -e "$o\([^a-z0-9-]\|$\)" || missing="$missing $o"
	done
	if [ -n "$missing" ]; then
		echo "FAIL $prog: in --help, not in $man:$missing"; fail=1
	else
		echo "ok   $prog: all $(echo $opts | wc -w) long options of --help are in $man"
	fi
done
exit $fail
