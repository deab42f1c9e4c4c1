#!/bin/sh
# The trace page (dnsfrag-probe --trace ... --html FILE, probe/trace_html.c)
# from trace results built by hand in tests/unit/test_trace_html.c (an
# ambiguous IPv4 non-first case, a located IPv4 answer drop, an IPv6
# non-first drop, a trace that could not run with <script> in its error, a
# PMTU black hole, a packet-too-big), written by 'test_trace_html --write':
#   - tidy, strict as in test-html-render.sh: 'tidy -e --doctype html5' and
#     'tidy -e -xml' print nothing and exit 0;
#   - self-contained: no http:, https:, src=, href=, @import, url(, <script;
#   - byte for byte the reviewed golden page tests/golden/expected/html-trace.html;
#     REGEN=1 rewrites it for review.
# The same page's content is checked by the unit test itself. Skips (77) when
# the unit test binary is not built; the tidy checks are skipped (said) when
# tidy is not installed.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
T=$B/normal/tests/test_trace_html
[ -x "$T" ] || { echo "skip: $T is not built (make test-quick builds it)"; exit 77; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

"$T" --write "$t/trace.html" || { echo "FAIL $T --write"; exit 1; }
[ -e "$t/trace.html.tmp" ] && bad "trace.html.tmp left behind"
exp=tests/golden/expected/html-trace.html
if [ -n "${REGEN:-}" ]; then cp "$t/trace.html" "$exp"; echo "regenerated $exp"; exit 0; fi

if command -v tidy >/dev/null 2>&1; then
	if tidy -q -e --doctype html5 --drop-empty-elements no "$t/trace.html" >"$t/tidy" 2>&1 && [ ! -s "$t/tidy" ]; then
		ok "tidy (HTML5): no warnings"
	else
		bad "tidy (HTML5):"; head -20 "$t/tidy"
	fi
	if tidy -q -e -xml "$t/trace.html" >"$t/tidy" 2>&1 && [ ! -s "$t/tidy" ]; then
		ok "tidy -xml: no warnings"
	else
		bad "tidy -xml:"; head -20 "$t/tidy"
	fi
else
	echo "skip tidy: not installed (Debian package tidy; scripts/install-deps)"
fi
if grep -n -i -E 'https?:|src=|href=|@import|url\(|<script' "$t/trace.html" | head -5 | grep .; then
	bad "external reference or script"
else
	ok "self-contained, no script"
fi
if cmp -s "$exp" "$t/trace.html"; then ok "golden $exp"; else
	bad "golden $exp differs:"; diff -u "$exp" "$t/trace.html" | head -40; fi
exit $fail
