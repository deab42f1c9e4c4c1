#!/bin/sh
# make install into a temporary DESTDIR: the installed programs run (--help,
# --version, an analysis), the profiles are where the probe looks for them,
# every man page passes groff's warnings, and make uninstall removes it all.
set -u
cd "$(dirname "$0")/../.."
t=$(mktemp -d)
trap 'rm -rf "$t" "$t.err"' EXIT
fail=0
no() { echo "FAIL $*"; fail=1; }
make -s install DESTDIR="$t" PREFIX=/usr >"$t.log" 2>&1 || { cat "$t.log"; rm -f "$t.log"; exit 1; }
rm -f "$t.log"
for p in dnsfrag-analyze dnsfrag-probe dnsfrag-responder dnsfrag-report; do
	[ -x "$t/usr/bin/$p" ] || { no "$p not installed"; continue; }
	"$t/usr/bin/$p" --version | grep -q "^$p [0-9]" || no "$p --version"
	"$t/usr/bin/$p" --help >/dev/null || no "$p --help"
	"$t/usr/bin/$p" --no-such-flag >/dev/null 2>"$t.err"
	[ $? -eq 3 ] && grep -q -- '--help' "$t.err" || no "$p: a bad flag should exit 3 and point to --help"
done
"$t/usr/bin/dnsfrag-analyze" pcaps/scenarios/03-v4-nonfirst-frags-dropped-tcp-ok.pcap >/dev/null
[ $? -eq 1 ] || no "the installed analyzer's verdict on scenario 03 (want WARNING, exit 1)"
for prof in root-dnskey oarc flagday-1232 ipv6-frags rollover lab; do
	[ -f "$t/usr/share/dnsfrag/profiles/$prof.conf" ] || no "profile $prof not installed"
done
n=0
for m in "$t"/usr/share/man/man*/*; do
	n=$((n + 1))
	w=$(groff -ww -z -man "$m" 2>&1)
	[ -z "$w" ] || no "$(basename "$m"): $w"
done
[ "$n" -ge 5 ] || no "only $n man pages installed"
make -s uninstall DESTDIR="$t" PREFIX=/usr >/dev/null 2>&1
left=$(find "$t" -type f | head -5)
[ -z "$left" ] || no "left after uninstall: $left"
[ $fail -eq 0 ] && echo "install: programs, profiles and $n man pages ok; uninstall clean"
exit $fail
