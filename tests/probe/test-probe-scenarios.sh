#!/bin/bash
# test-probe-scenarios.sh - dnsfrag-probe in the lab judges each scenario the way
# the scenario says, from its own live capture.
#
# For each scenario (default: clean drop-v4-nonfirst-frags drop-v6-frags
# mtu1280-pmtu-blackhole tcp-blocked dns-inspection-512; SCENARIOS='a b' for
# others; every scenario with an expect_health passes; target=resolver ones ask
# Unbound with RD), in a lab of its own (LAB_JOBS at once, default 6): apply the
# scenario, run the probe in the probe namespace with the lab profile
# (DNSFRAG_LAB=1, --json, -w session.pcap), tear the lab down, then check:
#   json           the report validates against man/dnsfrag-report.schema.json,
#                  and its tool is dnsfrag-probe
#   verdict-check  tests/lab/verdict-check on the probe's report, with the
#                  probe's socket view (probe.socket_view, converted by
#                  socket-view2queries) in the place of kdig's account: health,
#                  per-family agreement between what the sockets saw and what
#                  the capture shows, fragments delivered/lost, large whole
#                  answers, TCP outcome, link MTU
#   same-verdict   dnsfrag-analyze of the session capture reaches the same
#                  health and the same family sentences (one pipeline)
#   lab-only       the session capture holds only lab addresses (the
#                  documentation prefixes) plus fe80::/10 and ff02::/16
# Exit 0 pass, 1 fail, 77 skip (not root, a tool or a binary missing).
# shellcheck disable=SC2154 # name, description, expect_*: set by lab_scenario_load
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
lab=$top/tests/lab
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip nft ethtool sysctl ss nsd nsd-checkconf tcpdump ldns-keygen ldns-signzone ldns-revoke ldns-key2ds; do
	command -v "$t" >/dev/null 2>&1 || skip "missing $t"
done
PY=${PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || skip "missing $PY"
probe=${PROBE:-$top/bin/dnsfrag-probe}
analyze=${ANALYZE:-$top/bin/dnsfrag-analyze}
[ -x "$probe" ] || skip "missing $probe (make bin/dnsfrag-probe)"
[ -x "$analyze" ] || skip "missing $analyze (make bin/dnsfrag-analyze)"
# shellcheck source=tests/lab/lab.sh
. "$lab/lab.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/dnsfrag-probe-scn.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
export LAB_KEYDIR=$work/keys
lab_dns_keygen "$LAB_KEYDIR" || exit 1
validate=""
"$PY" -c 'import jsonschema' 2>/dev/null && validate=1
ALLOWED='(net 192.0.2.0/24 or net 198.51.100.0/24 or net 203.0.113.0/24 or net 2001:db8::/32 or net fe80::/10 or net ff02::/16)'

run_scenario() {
	local file=$1 fails=0 dir rc drops outside n
	lab_scenario_load "$file" || return 1
	echo "== $name: $description"
	dir=$work/$name
	mkdir -p "$dir"
	# target=resolver: the lab profile's questions to Unbound instead of NSD.
	set --
	case $target in
	auth) LAB_SERVICES=nsd ;;
	resolver) LAB_SERVICES="nsd unbound"; set -- -s "$(lab_addr resolver 4)" -s "$(lab_addr resolver 6)" --rd on -T 3 ;;
	*) echo "   bad target '$target'"; return 1 ;;
	esac
	export LAB_SERVICES
	lab_up || { echo "   lab_up failed"; return 1; }
	echo "$LAB_ID" >"$work/$name.id"
	lab_apply_scenario "$file" || { echo "   could not apply the scenario"; return 1; }
	ip netns exec "$(lab_ns probe)" env DNSFRAG_LAB=1 "$probe" -p "$top/profiles/lab.conf" "$@" --json \
		-w "$dir/session.pcap" >"$dir/report.json" 2>"$dir/probe.err"
	rc=$?
	drops=$(lab_nft_counter all)
	lab_down
	if [ "$rc" -gt 3 ] || [ ! -s "$dir/report.json" ]; then
		echo "   dnsfrag-probe failed (exit $rc): $(head -n 3 "$dir/probe.err")"
		return 1
	fi
	echo "   probe: exit $rc, $("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["headline"]); print("      questions", d["probe"]["plan"]["questions"], "in", d["probe"]["questions_ms"], "ms;", d["tool"]["name"]); [print("     ", f["health"], f["sentence"]) for f in d["families"]]' "$dir/report.json")"
	if [ -n "$validate" ] && ! "$PY" "$top/tests/validate-json" "$dir/report.json" >"$dir/validate.log" 2>&1; then
		echo "   json: does not validate: $(head -n 3 "$dir/validate.log")"
		fails=$((fails + 1))
	fi
	"$PY" "$here/socket-view2queries" "$dir/report.json" >"$dir/queries" || fails=$((fails + 1))
	DROPS=$drops name=$name expect_health=${expect_health:-} expect_v4_frags=${expect_v4_frags:-} \
		expect_v6_frags=${expect_v6_frags:-} expect_unfrag=${expect_unfrag:-} expect_tcp=${expect_tcp:-} \
		mtu=${mtu:-} KNOWN_FAIL="" "$PY" "$lab/verdict-check" "$dir/report.json" "$dir/queries" || fails=$((fails + 1))
	# One pipeline: the analyzer reads the session capture to the same verdict.
	"$analyze" --json "$dir/session.pcap" >"$dir/analyze.json" 2>/dev/null
	if "$PY" - "$dir/report.json" "$dir/analyze.json" <<'EOF'; then
import json, sys
p, a = (json.load(open(f)) for f in sys.argv[1:3])
same = p["health"] == a["health"] and [f["sentence"] for f in p["families"]] == [f["sentence"] for f in a["families"]]
print(f"   same-verdict   probe {p['health']} / analyzer {a['health']} on the session capture: {'ok' if same else 'MISMATCH'}")
sys.exit(0 if same else 1)
EOF
		:
	else
		fails=$((fails + 1))
	fi
	n=$(tcpdump -nr "$dir/session.pcap" 2>/dev/null | wc -l)
	outside=$(tcpdump -nr "$dir/session.pcap" "(ip or ip6) and not (src $ALLOWED and dst $ALLOWED)" 2>/dev/null | wc -l)
	if [ "$n" -gt 0 ] && [ "$outside" -eq 0 ]; then
		echo "   lab-only       $n packets in the session capture, none outside the lab prefixes: ok"
	else
		echo "   lab-only       $n packets, $outside outside the lab prefixes: MISMATCH"
		tcpdump -nr "$dir/session.pcap" "(ip or ip6) and not (src $ALLOWED and dst $ALLOWED)" 2>/dev/null | head -n 5
		fails=$((fails + 1))
	fi
	[ -z "${KEEP:-}" ] || { mkdir -p "$KEEP/$name" && cp "$dir"/* "$KEEP/$name/"; }
	[ "$fails" -eq 0 ]
}

scenarios=${SCENARIOS:-clean drop-v4-nonfirst-frags drop-v6-frags mtu1280-pmtu-blackhole tcp-blocked dns-inspection-512}
jobs=${LAB_JOBS:-6}
start=$(date +%s)
for s in $scenarios; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
	( run_scenario "$lab/scenarios/$s.scn" >"$work/$s.log" 2>&1; echo $? >"$work/$s.rc" ) &
done
wait
pass=0 fail=0 failed=""
for s in $scenarios; do
	cat "$work/$s.log"
	if [ "$(cat "$work/$s.rc" 2>/dev/null)" = 0 ]; then
		pass=$((pass + 1)); echo "PASS $s"
	else
		fail=$((fail + 1)); failed="$failed $s"; echo "FAIL $s"
	fi
done
for f in "$work"/*.id; do
	[ -f "$f" ] || continue
	if ip netns list | grep -q "^$(cat "$f")-"; then
		echo "FAIL: namespaces of lab $(cat "$f") were left behind"; fail=$((fail + 1))
	fi
done
echo "probe scenarios: $pass passed, $fail failed${failed:+ ($failed )}, in $(($(date +%s) - start)) s"
[ "$fail" -eq 0 ]
