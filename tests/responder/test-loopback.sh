#!/bin/sh
# test-loopback.sh - dnsfrag-responder on 127.0.0.1 and ::1, high port, checked
# with dig and kdig:
#   - N.size answers are exactly N bytes (dig "MSG SIZE rcvd", kdig "Received N B")
#     over UDP and TCP, for TXT and other types, with and without EDNS and DO;
#   - TC=1 when N exceeds the advertised size, then complete over TCP;
#   - REFUSED outside the zone; --help, --version, exit 3 on usage errors;
#   - --delay: answers (UDP and TCP) leave late without holding other clients up;
#   - the reply-size test followed by hand (dig +norec): the TXT strings byte-exact;
#   - through a loopback Unbound when installed (qname minimisation and 0x20 on):
#     dig and kdig get the chain and the byte-exact strings;
#   - as root with tcpdump: TTL / hop limit from a ttlN label, DF on and off, seen
#     on the wire (fragmentation needs a link smaller than lo's: see test-lab-oarc.sh).
# Exit 0 pass, 1 fail, 77 skip (no dig/kdig, or the binary is not built).
set -u
cd "$(dirname "$0")/../.." || exit 1
BIN=${DNSFRAG_RESPONDER:-bin/dnsfrag-responder}
ZONE=rs-test.example
fails=0
PIDS=""
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dnsfrag-resp.XXXXXX") || exit 1

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { # DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected '$2', got '$3'"; fi
}

for t in dig kdig; do
	command -v "$t" >/dev/null 2>&1 || { echo "skip: $t not installed"; exit 77; }
done
[ -x "$BIN" ] || { echo "skip: $BIN not built (make bin/dnsfrag-responder)"; exit 77; }
V6=1
ip -6 addr show dev lo 2>/dev/null | grep -q '::1/128' || V6=""
[ -n "$V6" ] || echo "note: no ::1 on lo, IPv6 checks skipped"

# start_responder LOGFILE ARGS...: start on a free high port; sets PORT, RPID.
start_responder() {
	log=$1
	shift
	for try in 1 2 3 4 5 6 7 8; do
		PORT=$((20000 + ($$ * 7 + try * 997 + $(date +%N | sed 's/^0*//;s/^$/0/') / 1000) % 40000))
		"$BIN" -p "$PORT" "$@" >"$log" 2>&1 &
		RPID=$!
		for n in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
			grep -q ' listen=' "$log" 2>/dev/null && break
			kill -0 "$RPID" 2>/dev/null || break
			sleep 0.05
		done
		if grep -q ' listen=' "$log" 2>/dev/null; then
			PIDS="$PIDS $RPID"
			return 0
		fi
		wait "$RPID" 2>/dev/null
	done
	echo "could not start $BIN:"
	cat "$log"
	return 1
}

# ---------------------------------------------------------------- command line
out=$("$BIN" --help 2>&1)
rc=$?
check "--help exits 0" 0 "$rc"
case "$out" in *"--ipv6-frag"*) ok "--help lists --ipv6-frag" ;; *) bad "--help text: $out" ;; esac
check "--version" "dnsfrag-responder $(sed -n 's/.*DNSFRAG_VERSION "\(.*\)".*/\1/p' common/version.h)" "$("$BIN" --version)"
err=$("$BIN" --zone "$ZONE" --ipv4-df maybe 2>&1 >/dev/null)
rc=$?
check "usage error exits 3" 3 "$rc"
case "$err" in *"--help"*) ok "usage error points at --help" ;; *) bad "usage error message: $err" ;; esac
"$BIN" >/dev/null 2>&1
check "no zone exits 3" 3 "$?"

# ---------------------------------------------------------------- sizes
LISTEN="-l 127.0.0.1"
[ -n "$V6" ] && LISTEN="$LISTEN -l ::1"
# shellcheck disable=SC2086
start_responder "$TMP/r.log" -z "$ZONE" $LISTEN --rate 0 --allow-ttl || exit 1
echo "responder pid $RPID on port $PORT"
MAINPORT=$PORT
SERVERS=127.0.0.1
[ -n "$V6" ] && SERVERS="$SERVERS ::1"
DIG="dig -p $PORT +norec +time=2 +tries=1"
KDIG="kdig -p $PORT +norec +time=2 +retry=0"

dig_size() { $DIG "$@" 2>&1 | sed -n 's/^;; MSG SIZE  rcvd: \([0-9]*\)$/\1/p'; }
kdig_size() { $KDIG "$@" 2>&1 | sed -n 's/^;; Received \([0-9]*\) B$/\1/p'; }

for s in $SERVERS; do
	for n in 100 512 513 1232 1233 1400 1401 1452 1453 1472 1473 1500 1501 2048 3000 4096; do
		check "dig @$s $n.size TXT udp" "$n" "$(dig_size @"$s" +bufsize=4096 "$n.size.$ZONE" TXT)"
		check "kdig @$s $n.size TXT udp" "$n" "$(kdig_size @"$s" +bufsize=4096 +notcp "$n.size.$ZONE" TXT)"
	done
	for n in 512 1232 1473 4096; do
		check "dig @$s $n.size A +dnssec" "$n" "$(dig_size @"$s" +bufsize=4096 +dnssec "$n.size.$ZONE" A)"
		check "kdig @$s $n.size AAAA" "$n" "$(kdig_size @"$s" +bufsize=4096 "$n.size.$ZONE" AAAA)"
	done
	for n in 1500 4096 16000 65535; do
		check "dig @$s $n.size TXT tcp" "$n" "$(dig_size @"$s" +tcp "$n.size.$ZONE" TXT)"
		check "kdig @$s $n.size TXT tcp" "$n" "$(kdig_size @"$s" +tcp "$n.size.$ZONE" TXT)"
	done
	check "dig @$s 512.size no EDNS" 512 "$(dig_size @"$s" +noedns 512.size.$ZONE TXT)"
	check "kdig @$s 512.size no EDNS" 512 "$(kdig_size @"$s" +noedns +notcp 512.size.$ZONE TXT)"
	# larger than advertised: TC=1 over UDP, then dig's own TCP retry gets it all
	out=$($DIG @"$s" +bufsize=1232 +ignore 1500.size.$ZONE TXT 2>&1)
	case "$out" in *"flags: qr aa tc"*) ok "@$s 1500 > 1232: TC=1" ;; *) bad "@$s 1500 > 1232, no TC: $out" ;; esac
	check "@$s TC answer is small" yes "$([ "$(echo "$out" | sed -n 's/^;; MSG SIZE  rcvd: //p')" -le 100 ] && echo yes)"
	check "@$s 1500 > 1232: dig retries over TCP" 1500 "$(dig_size @"$s" +bufsize=1232 1500.size.$ZONE TXT)"
	out=$($DIG @"$s" www.example.com A 2>&1)
	case "$out" in *"status: REFUSED"*) ok "@$s out of zone: REFUSED" ;; *) bad "@$s out of zone: $out" ;; esac
done

# ---------------------------------------------------------------- the reply-size test by hand
# follow SERVER DIG-ARGS...: ask rs.ZONE, follow the CNAMEs; prints the chain and the strings.
follow() {
	srv=$1
	shift
	name=rs.$ZONE
	for step in 1 2 3 4 5 6; do
		out=$($DIG @"$srv" +short "$@" "$name" TXT 2>&1)
		case "$out" in
		*.) echo "$out"; name=$out ;;
		*) echo "$out"; return 0 ;;
		esac
	done
}
TESTED='^"Tested at [0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9] UTC"$'
for s in $SERVERS; do
	out=$(follow "$s" +bufsize=4096)
	check "@$s rs chain: 4 CNAMEs" 4 "$(echo "$out" | grep -c '\.$')"
	check "@$s rs: last name" 1 "$(echo "$out" | grep -c "^rst\.x4096\.x4096\.x4096\.n[0-9a-f]\{8\}\.rs\.$ZONE\.\$")"
	check "@$s rs: EDNS string" "\"$s sent EDNS buffer size 4096\"" "$(echo "$out" | grep 'sent EDNS')"
	check "@$s rs: limit string" "\"$s DNS reply size limit is at least 4096 bytes\"" "$(echo "$out" | grep 'limit is')"
	check "@$s rs: Tested at" 1 "$(echo "$out" | grep -c "$TESTED")"
	out=$(follow "$s" +noedns)
	check "@$s rs no EDNS: string" "\"$s lacks EDNS, defaults to 512\"" "$(echo "$out" | grep 'EDNS')"
	check "@$s rs no EDNS: limit" "\"$s DNS reply size limit is at least 512 bytes\"" "$(echo "$out" | grep 'limit is')"
	out=$(follow "$s" +bufsize=1400 +tcp)
	check "@$s rs over TCP: t labels" 1 "$(echo "$out" | grep -c "^rst\.t1400\.t1400\.t1400\.n")"
	check "@$s rs over TCP: limit" "\"$s DNS reply size limit is at least 1400 bytes\"" "$(echo "$out" | grep 'limit is')"
done
grep -q "rs client=127.0.0.1 udp nonce=[0-9a-f]* edns=4096 do=0 limit=4096 chain=x4096,x4096,x4096 lost=none" "$TMP/r.log" &&
	ok "log: one line per test" || bad "log line missing: $(cat "$TMP/r.log")"

# ---------------------------------------------------------------- through Unbound on loopback
if command -v unbound >/dev/null 2>&1; then
	UPORT=$((PORT + 1))
	mkdir -p "$TMP/ub"
	# Only loopback: queries leave from 127.0.0.1 (the kernel refuses any other
	# destination from it) and the root is stubbed to the responder (REFUSED).
	cat >"$TMP/ub/unbound.conf" <<EOF
server:
	interface: 127.0.0.1@$UPORT
	port: $UPORT
	outgoing-interface: 127.0.0.1
	do-ip6: no
	username: ""
	chroot: ""
	directory: "$TMP/ub"
	pidfile: "$TMP/ub/unbound.pid"
	logfile: "$TMP/ub/unbound.log"
	use-syslog: no
	do-daemonize: no
	num-threads: 1
	do-not-query-localhost: no
	module-config: "iterator"
	edns-buffer-size: 4096
	qname-minimisation: yes
	use-caps-for-id: yes
	access-control: 127.0.0.0/8 allow
stub-zone:
	name: "$ZONE"
	stub-addr: 127.0.0.1@$PORT
stub-zone:
	name: "."
	stub-addr: 127.0.0.1@$PORT
remote-control:
	control-enable: no
EOF
	unbound -d -c "$TMP/ub/unbound.conf" >"$TMP/ub/out" 2>&1 &
	UPID=$!
	PIDS="$PIDS $UPID"
	for n in $(seq 50); do
		dig -p "$UPORT" @127.0.0.1 +time=1 +tries=1 "$ZONE" SOA >/dev/null 2>&1 && break
		sleep 0.1
	done
	sleep 1.1 # Unbound keeps TTL-0 records for the rest of the second
	d=$(dig -p "$UPORT" @127.0.0.1 +time=5 +tries=1 +short "rs.$ZONE" TXT 2>&1)
	sleep 1.1
	k=$(kdig -p "$UPORT" @127.0.0.1 +time=5 +retry=0 +short "rs.$ZONE" TXT 2>&1)
	for who in dig kdig; do
		if [ $who = dig ]; then out=$d; else out=$k; fi
		check "$who via Unbound: 4 CNAMEs" 4 "$(echo "$out" | grep -c '^rst\..*\.$')"
		check "$who via Unbound: EDNS string" '"127.0.0.1 sent EDNS buffer size 4096"' "$(echo "$out" | grep 'sent EDNS')"
		check "$who via Unbound: limit string" '"127.0.0.1 DNS reply size limit is at least 4096 bytes"' \
			"$(echo "$out" | grep 'limit is')"
		check "$who via Unbound: Tested at" 1 "$(echo "$out" | grep -c "$TESTED")"
	done
	nd=$(echo "$d" | sed -n 's/^rst\.n\([0-9a-f]*\)\..*/\1/p')
	nk=$(echo "$k" | sed -n 's/^rst\.n\([0-9a-f]*\)\..*/\1/p')
	[ -n "$nd" ] && [ "$nd" != "$nk" ] && ok "dig and kdig ran separate tests ($nd, $nk)" ||
		bad "nonces: '$nd' '$nk'"
	kill "$UPID" 2>/dev/null
	wait "$UPID" 2>/dev/null
else
	echo "note: unbound not installed, resolver checks skipped"
fi

# ---------------------------------------------------------------- --delay
# Every answer leaves 400 ms late, from a queue: three clients at once all wait
# about 400 ms, not 400, 800 and 1200; TCP answers are delayed too.
start_responder "$TMP/delay.log" -z "$ZONE" -l 127.0.0.1 --rate 0 --delay 400 || exit 1
qtime() { sed -n 's/^;; Query time: \([0-9]*\) msec$/\1/p'; }
t0=$(date +%s%N)
digs=""
for i in 1 2 3; do
	dig -p "$PORT" @127.0.0.1 +time=3 +tries=1 +bufsize=4096 "$((1000 + i)).size.$ZONE" TXT >"$TMP/delay.$i" 2>&1 &
	digs="$digs $!"
done
for j in $digs; do wait "$j"; done
elapsed=$((($(date +%s%N) - t0) / 1000000))
for i in 1 2 3; do
	t=$(qtime <"$TMP/delay.$i")
	check "--delay 400: client $i waited 400-800 ms" yes "$([ "${t:-0}" -ge 400 ] && [ "$t" -lt 800 ] && echo yes)"
	check "--delay 400: client $i got its answer" "$((1000 + i))" "$(sed -n 's/^;; MSG SIZE  rcvd: //p' "$TMP/delay.$i")"
done
check "--delay 400: three clients in parallel, not in turn ($elapsed ms)" yes "$([ "$elapsed" -lt 1100 ] && echo yes)"
t=$(dig -p "$PORT" @127.0.0.1 +time=3 +tries=1 +tcp 3000.size.$ZONE TXT 2>&1 | qtime)
check "--delay 400 over TCP" yes "$([ "${t:-0}" -ge 400 ] && [ "$t" -lt 800 ] && echo yes)"
kill "$RPID"
wait "$RPID" 2>/dev/null
PORT=$MAINPORT

# ---------------------------------------------------------------- on the wire (root, tcpdump)
if [ "$(id -u)" = 0 ] && command -v tcpdump >/dev/null 2>&1; then
	wire() { # PCAP: tcpdump -v text of the answers
		tcpdump -r "$1" -n -v 2>/dev/null
	}
	capture() { # FILE PORT...: sets CPID
		f=$1
		shift
		filter="udp and (src port $1"
		shift
		for p in "$@"; do filter="$filter or src port $p"; done
		filter="$filter) or (ip6 and ip6[6] = 44)"
		tcpdump -i lo -n -U --immediate-mode -s 0 -w "$f" "$filter" >"$f.log" 2>&1 &
		CPID=$!
		PIDS="$PIDS $CPID"
		for n in $(seq 40); do grep -q listening "$f.log" && break; sleep 0.05; done
	}
	stop_capture() { sleep 0.3; kill "$CPID" 2>/dev/null; wait "$CPID" 2>/dev/null; }

	P0=$MAINPORT
	start_responder "$TMP/df.log" -z "$ZONE" -l 127.0.0.1 --ipv4-df on --rate 0 || exit 1
	PDF=$PORT
	P6=""
	if [ -n "$V6" ]; then
		start_responder "$TMP/pm.log" -z "$ZONE" -l ::1 --ipv6-frag pmtu --rate 0 || exit 1
		P6=$PORT
	fi
	capture "$TMP/lo.pcap" "$P0" "$PDF" $P6
	dig -p "$P0" @127.0.0.1 +time=2 +tries=1 +bufsize=4096 ttl5.600.size.$ZONE TXT >/dev/null
	dig -p "$P0" @127.0.0.1 +time=2 +tries=1 +bufsize=4096 700.size.$ZONE TXT >/dev/null
	dig -p "$PDF" @127.0.0.1 +time=2 +tries=1 +bufsize=4096 800.size.$ZONE TXT >/dev/null
	if [ -n "$V6" ]; then
		dig -p "$P0" @::1 +time=2 +tries=1 +bufsize=4096 ttl9.900.size.$ZONE TXT >/dev/null
		dig -p "$P0" @::1 +time=2 +tries=1 +bufsize=4096 4000.size.$ZONE TXT >/dev/null
		dig -p "$P6" @::1 +time=2 +tries=1 +bufsize=4096 4001.size.$ZONE TXT >/dev/null
	fi
	stop_capture
	w=$(wire "$TMP/lo.pcap")
	# tcpdump -v: "(tos 0x0, ttl 5, id N, offset 0, flags [none], proto UDP (17), length 628)"
	check "ttl5 label: IP TTL 5" 1 "$(echo "$w" | grep -c 'ttl 5, .*flags \[none\].*length 628)')"
	check "--ipv4-df off: DF clear" 1 "$(echo "$w" | grep -c 'ttl 64, .*flags \[none\].*length 728)')"
	check "--ipv4-df on: DF set" 1 "$(echo "$w" | grep -c 'ttl 64, .*flags \[DF\].*length 828)')"
	if [ -n "$V6" ]; then
		# "(hlim 9, next-header UDP (17) payload length: 908)"
		check "ttl9 label: hop limit 9" 1 "$(echo "$w" | grep -c 'hlim 9, next-header UDP (17) payload length: 908)')"
		# lo's MTU is 65,536: Linux applies IPV6_MTU (min-mtu) only to datagrams
		# larger than the route MTU, so neither mode fragments here; the lab's
		# 1,500-byte links show the difference (tests/responder/test-lab-oarc.sh).
		check "--ipv6-frag min-mtu: whole on lo" 1 "$(echo "$w" | grep -c 'hlim 64, next-header UDP (17) payload length: 4008)')"
		check "--ipv6-frag pmtu: whole on lo" 1 "$(echo "$w" | grep -c 'hlim 64, next-header UDP (17) payload length: 4009)')"
	fi
else
	echo "note: not root or no tcpdump, wire checks skipped"
fi

[ "$fails" -eq 0 ] && echo "all passed" && exit 0
echo "$fails failed"
exit 1
