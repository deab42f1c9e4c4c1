#!/bin/bash
# test-sized-names.sh - N.size.lab TXT answers are exactly N bytes of DNS message.
#
# For every size the lab serves (N/N+1 pairs around 512, 1,232, 1,400, 1,452,
# 1,472 and 1,500, plus 2,048, 3,000 and 4,096): the answer to "N.size.lab TXT"
# with EDNS (+bufsize=4096, DO off, no cookie or NSID) is N bytes, from NSD over
# UDP (kdig IPv4 and IPv6, dig IPv4), over TCP (kdig IPv4), and through Unbound
# (kdig IPv4 and IPv6). gen-sized-zone rejects sizes it cannot reach.
# Exit 0 pass, 1 fail, 77 skip (not root, a tool missing).
set -u
here=$(cd "$(dirname "$0")" && pwd)
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip nft ethtool sysctl ss nsd nsd-checkconf unbound unbound-checkconf kdig dig \
	ldns-keygen ldns-signzone ldns-revoke ldns-key2ds; do
	command -v "$t" >/dev/null 2>&1 || skip "missing $t"
done
# shellcheck source=tests/lab/lab.sh
. "$here/lab.sh"
fails=0
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

# The smallest reachable answer for N.size.lab (two-digit N) is 53 bytes: one empty string.
"$here/gen-sized-zone" 53 | grep -q '"\"$' || bad "gen-sized-zone 53 is not one empty string"
"$here/gen-sized-zone" 52 >/dev/null 2>&1 && bad "gen-sized-zone accepted an unreachable size (52)"
"$here/gen-sized-zone" 1232x >/dev/null 2>&1 && bad "gen-sized-zone accepted a non-number"

LAB_SERVICES="nsd unbound" lab_up || { echo "FAIL lab_up"; exit 1; }
A4=$(lab_addr auth 4) A6=$(lab_addr auth 6) R4=$(lab_addr resolver 4) R6=$(lab_addr resolver 6)
kd() { lab_exec probe kdig "$@" +bufsize=4096 +timeout=3 +retry=1 2>&1 | sed -n 's/^;; Received \([0-9]*\) B$/\1/p'; }
printf '%-6s %-9s %-9s %-9s %-9s %-11s %-11s\n' size "kdig v4" "kdig v6" "dig v4" "tcp v4" "unbound v4" "unbound v6"
for n in $LAB_SIZES; do
	q=$n.size.lab
	k4=$(kd @"$A4" "$q" TXT +ignore)
	k6=$(kd @"$A6" "$q" TXT +ignore)
	d4=$(lab_exec probe dig @"$A4" "$q" TXT +bufsize=4096 +nocookie +ignore +time=3 2>&1 |
		sed -n 's/^;; MSG SIZE  rcvd: \([0-9]*\)$/\1/p')
	t4=$(kd @"$A4" "$q" TXT +tcp)
	u4=$(kd @"$R4" "$q" TXT +ignore)
	u6=$(kd @"$R6" "$q" TXT +ignore)
	printf '%-6s %-9s %-9s %-9s %-9s %-11s %-11s\n' "$n" "$k4" "$k6" "$d4" "$t4" "$u4" "$u6"
	for got in "$k4" "$k6" "$d4" "$t4" "$u4" "$u6"; do
		[ "$got" = "$n" ] || { bad "$q: got '$got' bytes somewhere in the row above"; break; }
	done
done
lab_down
echo "$fails failures"
[ "$fails" -eq 0 ]
