#!/bin/bash
# test-live-monitor.sh - dnsfrag-analyze -i: passive live monitoring in the lab.
#
# In a lab whose mb1 drops non-first IPv4 fragments (drop-v4-nonfirst-frags):
#   1. dnsfrag-analyze -i to-mb1 in the probe's namespace (--interval 1, JSON
#      report, --ring-pcap) and, at once, dnsfrag-analyze -i to-probe -i
#      to-resolver in mb1's namespace (both sides of the middlebox as two
#      capture points); then tests/lab/sweep from the probe (kdig, its own
#      tcpdump capture); then SIGINT to the probe-side monitor and SIGTERM to
#      mb1's.
#   2. live = offline: the live report's per-family counts (transactions,
#      delivered, failed, every verdict, every TCP outcome) equal those of
#      dnsfrag-analyze --json on the sweep's own capture of the same traffic,
#      and the transactions equal the questions kdig asked (the .queries file).
#   3. two points: mb1's probe side sees IPv4 fragments lost, its resolver side
#      sees them delivered in fragments (so kdig's TCP retries are transactions
#      of their own there), and both see every question.
#   4. the summary lines came on stderr every second; the report validates
#      against the schema and has the optional key "monitor".
#   5. the ring: the pcap holds the failing transactions, and dnsfrag-analyze
#      of it finds as many IPv4 fragments-lost transactions as the live report.
#   6. --duration ends a run by itself; no CAP_NET_RAW: exit 3 and the message.
# Root only (exit 77 otherwise). Everything stays in the lab's namespaces.
set -u
cd "$(dirname "$0")/../.."
A=${DNSFRAG_ANALYZE:-$PWD/bin/dnsfrag-analyze}
[ "$(id -u)" = 0 ] || { echo "skip: needs root (network namespaces)"; exit 77; }
for t in kdig tcpdump nft nsd python3; do
	command -v "$t" >/dev/null || { echo "skip: missing $t"; exit 77; }
done
[ -x "$A" ] || { echo "missing $A (make first)"; exit 1; }
t=$(mktemp -d)
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

. tests/lab/lab.sh
LAB_SERVICES=nsd LAB_NO_TRAP=1 lab_up || { echo "lab did not come up"; exit 1; }
trap 'lab_down; rm -rf "$t"' EXIT
lab_apply_scenario tests/lab/scenarios/drop-v4-nonfirst-frags.scn || exit 1

# wait_for FILE TEXT: until TEXT is in FILE (5 s at most)
wait_for() {
	local n
	for n in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
	return 1
}

ip netns exec "$(lab_ns probe)" "$A" -i to-mb1 --interval 1 --format json --output "$t/live.json" \
	--ring-pcap "$t/ring.pcap" --ring 50 --site lab-probe 2>"$t/live.err" &
mon=$!
ip netns exec "$(lab_ns mb1)" "$A" -i to-probe -i to-resolver --interval 1 --json --output "$t/mb1.json" \
	--ring-pcap "$t/mb1-ring.pcap" 2>"$t/mb1.err" &
mon1=$!
wait_for "$t/live.err" "monitoring" && wait_for "$t/mb1.err" "monitoring" ||
	{ cat "$t/live.err" "$t/mb1.err"; bad "monitors did not start"; exit 1; }
pcap=$(tests/lab/sweep -q -n "$(lab_ns probe)" -w "$t/sweep.pcap") || { bad "sweep failed"; exit 1; }
sleep 1.2 # one more summary line, and the last packets reach libpcap
kill -INT "$mon"
kill -TERM "$mon1"
wait "$mon"; rc=$?
wait "$mon1"; rc1=$?
sed 's/^/    probe: /' "$t/live.err"
sed 's/^/    mb1:   /' "$t/mb1.err"
[ "$rc" = 1 ] && ok "probe-side monitor: exit 1 (WARNING) at SIGINT" || bad "probe-side monitor exit $rc, want 1"
[ "$rc1" = 1 ] && ok "mb1 monitor: exit 1 (WARNING) at SIGTERM" || bad "mb1 monitor exit $rc1, want 1"
[ -s "$t/live.json" ] && [ ! -e "$t/live.json.tmp" ] && ok "report written atomically (no .tmp left)" ||
	bad "report file missing or .tmp left"
n=$(grep -c ' to-mb1: .* txn ' "$t/live.err")
[ "$n" -ge 3 ] && ok "summary lines: $n" || bad "summary lines: $n, want >= 3"
grep -q ' to-probe: .* txn .*; to-resolver: .* txn ' "$t/mb1.err" && ok "mb1 summary: one line, both points" ||
	bad "mb1 summary line lacks a point"
tests/validate-json "$t/live.json" "$t/mb1.json" && ok "reports validate" || bad "schema"

"$A" --json "$pcap" >"$t/offline.json" 2>/dev/null
"$A" --json "$t/ring.pcap" >"$t/ring.json" 2>/dev/null

/usr/bin/python3 - "$t" "$pcap.queries" <<'PY' || fail=1
import json, sys
t, queries = sys.argv[1], sys.argv[2]
live = json.load(open(f"{t}/live.json"))
off = json.load(open(f"{t}/offline.json"))
mb1 = json.load(open(f"{t}/mb1.json"))
ring = json.load(open(f"{t}/ring.json"))
bad = 0
def check(cond, what):
    global bad
    print(("ok   " if cond else "FAIL ") + what)
    bad |= not cond
asked = {4: 0, 6: 0}
for line in open(queries):
    f = line.rstrip("\n").split("\t")
    if f[6] != "skipped":
        asked[int(f[1])] += 1
fam = lambda rep, n: next(x for x in rep["families"] if x["family"] == n)
for n in (4, 6):
    lc, oc = fam(live, n)["counts"], fam(off, n)["counts"]
    check(lc == oc, f"IPv{n}: live counts = offline counts of the sweep's capture "
                    f"({lc['transactions']} txn, verdicts {lc['verdicts']}, tcp {lc['tcp']})"
                    + ("" if lc == oc else f"; offline {oc}"))
    check(lc["transactions"] == asked[n], f"IPv{n}: {lc['transactions']} transactions, kdig asked {asked[n]}")
check(live["health"] == off["health"] == "WARNING", f"health live {live['health']}, offline {off['health']}")
check(live.get("site") == "lab-probe", "site key")
m = live["monitor"]
check(m["points"][0]["interface"] == "to-mb1" and m["points"][0]["pcap_dropped"] == 0, "monitor key, no libpcap drops")
lost4 = fam(live, 4)["counts"]["verdicts"]["fragments-lost"]
check(lost4 > 0, f"IPv4 fragments lost at the probe: {lost4}")
pts = {p["interface"]: {f["family"]: f for f in p["families"]} for p in mb1["monitor"]["points"]}
inner, outer = pts["to-probe"][4]["verdicts"], pts["to-resolver"][4]["verdicts"]
check(inner["fragments-lost"] == lost4 and inner["fragmented"] == 0,
      f"mb1 probe side (point 0): IPv4 fragments-lost {inner['fragments-lost']}, fragmented {inner['fragmented']}")
check(outer["fragments-lost"] == 0 and outer["fragmented"] == lost4,
      f"mb1 resolver side (point 1): IPv4 fragments-lost {outer['fragments-lost']}, fragmented {outer['fragmented']}")
# Beyond the drop the answers arrived in fragments, so kdig's TCP retries of
# the lost ones are new transactions there (verdict tcp), not retries.
for side in ("to-probe", "to-resolver"):
    for n in (4, 6):
        got = pts[side][n]["transactions"] - pts[side][n]["verdicts"]["tcp"]
        check(got == asked[n], f"mb1 {side}: IPv{n} {got} UDP transactions, kdig asked {asked[n]}")
check(outer["tcp"] == lost4, f"mb1 resolver side: the {lost4} TCP retries are transactions of their own there")
check(mb1["monitor"]["points"][0]["ring_transactions"] >= lost4, "mb1 ring kept the failing transactions")
kept = m["points"][0]["ring_transactions"]
rlost = fam(ring, 4)["counts"]["verdicts"]["fragments-lost"]
check(kept >= lost4 and rlost == lost4,
      f"ring: {kept} failing transactions kept; replayed, {rlost} IPv4 fragments-lost (live {lost4})")
sys.exit(bad)
PY
[ -s "$t/mb1-ring.pcap.1" ] && ok "second point's ring file (FILE.1)" || bad "no $t/mb1-ring.pcap.1"

# --duration ends the run by itself (nothing to judge on lo: UNKNOWN, 3)
start=$(date +%s%N)
ip netns exec "$(lab_ns probe)" "$A" -i lo --duration 1 -q --format prometheus >"$t/lo.prom" 2>"$t/lo.err"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
[ "$rc" = 3 ] && [ "$ms" -lt 4000 ] && grep -q '^dnsfrag_health 3$' "$t/lo.prom" &&
	ok "--duration 1: ended after ${ms} ms, exit 3, prometheus health 3" ||
	{ cat "$t/lo.err"; bad "--duration 1: exit $rc after ${ms} ms"; }
# no CAP_NET_RAW: exit 3 and a message naming it
ip netns exec "$(lab_ns probe)" setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$A" -i to-mb1 --duration 1 >/dev/null 2>"$t/perm.err"
rc=$?
[ "$rc" = 3 ] && grep -q CAP_NET_RAW "$t/perm.err" && ok "without CAP_NET_RAW: exit 3, message" ||
	{ cat "$t/perm.err"; bad "without CAP_NET_RAW: exit $rc"; }
exit $fail
