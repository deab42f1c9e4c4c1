#!/bin/bash
# test-probe-loss.sh - loss is not a verdict: dnsfrag-probe --repeats auto in
# the lab, each case in a lab of its own (both at once):
#   random   tests/probe/scenarios/random-loss-5.scn (mb1 drops 5 % of the UDP
#            packets towards the probe, nft numgen): 20 sized names x DO off/on
#            x IPv4/IPv6 (80 questions, a few answers lost by chance). No
#            question is called systematically lost (JSON probe.loss verdicts,
#            and no "systematically lost" in the text report); every question
#            that lost an answer was asked again (attempts > 1) until one
#            attempt was answered ("intermittent"); the JSON carries the
#            per-attempt failure probability of every question, the text its
#            "loss:" section; the middlebox dropped packets. A run without any
#            loss (about 1 in 10,000) is repeated once. The report's own health
#            agrees: every lost fragmented answer is counted intermittent
#            (paths' lost_trains.intermittent equals their fragments_lost
#            verdicts), and the run is OK (exit 0) unless more answers went
#            missing than the loss threshold allows (20%, far above 5%).
#   drop     drop-v4-nonfirst-frags: 1473.size.lab and 3000.size.lab (IPv4: 2
#            and 3 fragments) are reported systematically lost over IPv4, with
#            confidence >= 1 - 1e-6, after exactly the attempts the bound needs
#            at 5 % (8 and 9); over IPv6 they are answered at the first attempt
#   pacing   (no lab, an empty network namespace: nothing can be sent) --rate
#            above 20/s or --inflight above 32 refused (exit 3) without
#            --unsafe-rate; with it, a warning on stderr
# Exit 0 pass, 1 fail, 77 skip (not root, a tool or a binary missing). ~15 s.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
lab=$top/tests/lab
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip nft ethtool sysctl ss nsd unshare ldns-keygen ldns-signzone; do
	command -v "$t" >/dev/null 2>&1 || skip "missing $t"
done
PY=${PYTHON:-/usr/bin/python3}
probe=${PROBE:-$top/bin/dnsfrag-probe}
[ -x "$probe" ] || skip "missing $probe (make bin/dnsfrag-probe)"
# shellcheck source=tests/lab/lab.sh
. "$lab/lab.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/dnsfrag-probe-loss.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
export LAB_KEYDIR=$work/keys
lab_dns_keygen "$LAB_KEYDIR" || exit 1
A4=$(lab_addr auth 4) A6=$(lab_addr auth 6)

# q JSON PYEXPR: evaluate PYEXPR with d = the report, L = probe.loss.questions.
q() { "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); L=d['probe']['loss']['questions']; print($2)" "$1" 2>&1; }
check() { # NAME EXPECTED OBSERVED
	if [ "$2" = "$3" ]; then echo "   ok   $1"; else echo "   FAIL $1: expected '$2', got '$3'"; fails=$((fails + 1)); fi
}
# The lab's pacing (--rate 100) is allowed under DNSFRAG_LAB=1 without --unsafe-rate.
P() { ip netns exec "$(lab_ns probe)" env DNSFRAG_LAB=1 "$probe" -s "$A4" -s "$A6" -t TXT -b 4096 --settle 0.2 \
	--rate 100 --identity off --repeats auto "$@"; }
NAMES=512.size.lab,513.size.lab,864.size.lab,1139.size.lab,1232.size.lab,1233.size.lab,1400.size.lab,1401.size.lab
NAMES=$NAMES,1414.size.lab,1425.size.lab,1452.size.lab,1453.size.lab,1472.size.lab,1473.size.lab,1500.size.lab
NAMES=$NAMES,1501.size.lab,1700.size.lab,2048.size.lab,3000.size.lab,4096.size.lab

case_random() {
	local dir=$work/random try lost drops rc
	LAB_SERVICES=nsd lab_up || return 1
	lab_apply_scenario "$here/scenarios/random-loss-5.scn" || return 1
	for try in 1 2; do
		P -n "$NAMES" --do both -T 0.5 --json >"$dir.json" 2>"$dir.err"
		rc=$?
		lost=$(q "$dir.json" "sum(1 for r in L if r['lost'])")
		[ "$lost" = 0 ] || break
		echo "   (no answer lost in run $try: again)"
	done
	P -n 1473.size.lab,3000.size.lab,4096.size.lab --do both -T 0.5 >"$dir.txt" 2>>"$dir.err"
	drops=$(lab_nft_counter all)
	lab_down
	echo "   analyzer's verdict: $(q "$dir.json" "d['headline']")"
	echo "   $(q "$dir.json" "'%d questions, %d lost an answer at least once; attempts of those: %s' % (len(L), sum(1 for r in L if r['lost']), ' '.join('%s/%d:%d' % (r['qname'].split('.')[0], r['family'], r['attempts']) for r in L if r['lost']))")"
	check "80 size questions judged" 80 "$(q "$dir.json" "len(L)")"
	check "some answers lost at random" yes "$(q "$dir.json" "'yes' if any(r['lost'] for r in L) else 'no'")"
	check "no question called systematically lost" "" \
		"$(q "$dir.json" "' '.join(r['qname'] for r in L if r['verdict'] == 'systematic')")"
	check "every question that lost an answer was asked again" "" \
		"$(q "$dir.json" "' '.join(r['qname'] for r in L if r['lost'] and r['attempts'] < 2)")"
	check "every question that lost an answer was answered later: intermittent" "" \
		"$(q "$dir.json" "' '.join(r['qname'] + ':' + r['verdict'] for r in L if r['lost'] and (r['verdict'] != 'intermittent' or not r['answered']))")"
	check "questions never lost were asked once" "" \
		"$(q "$dir.json" "' '.join(r['qname'] for r in L if not r['lost'] and r['attempts'] != 1)")"
	check "per-attempt failure probabilities in the JSON" yes \
		"$(q "$dir.json" "'yes' if all(0 < float(r['attempt_failure']) < 1 for r in L) and d['probe']['loss']['assumed_loss'] == '0.05' else 'no'")"
	check "the text report has its loss section" 1 "$(grep -c '^  loss: .* assumed random loss 5% per packet' "$dir.txt")"
	check "the text report calls nothing systematically lost" 0 "$(grep -c 'systematically lost' "$dir.txt")"
	grep '^    IPv' "$dir.txt" | head -n 4 | sed 's/^/   text: /'
	echo "   $(q "$dir.json" "'fragmented answers lost: %d, of them intermittent: %d' % (sum(p['counts']['verdicts']['fragments-lost'] for p in d['paths']), sum(p['lost_trains']['intermittent'] for p in d['paths']))")"
	check "every lost fragmented answer is intermittent in the report" yes \
		"$(q "$dir.json" "'yes' if all(p['lost_trains']['intermittent'] == p['counts']['verdicts']['fragments-lost'] + p['counts']['verdicts']['overlap-discarded'] for p in d['paths']) else 'no'")"
	check "the report's health is OK, exit 0" "OK 0" "$(q "$dir.json" "d['health']") $rc"
	check "the middlebox dropped packets" yes "$([ "${drops:-0}" -gt 0 ] && echo yes || echo no)"
}

case_drop() {
	local dir=$work/drop
	LAB_SERVICES=nsd lab_up || return 1
	lab_apply_scenario "$lab/scenarios/drop-v4-nonfirst-frags.scn" || return 1
	P -n 1473.size.lab,3000.size.lab --do off -T 0.3 --json >"$dir.json" 2>"$dir.err"
	P -n 3000.size.lab -4 --do off -T 0.3 >"$dir.txt" 2>>"$dir.err"
	lab_down
	echo "   $(q "$dir.json" "'; '.join('IPv%d %s: %d attempts, %d answered, confidence %s, %s' % (r['family'], r['qname'], r['attempts'], r['answered'], r['confidence'], r['verdict']) for r in L)")"
	check "IPv4: fragmenting sizes systematically lost" "1473.size.lab:systematic 3000.size.lab:systematic" \
		"$(q "$dir.json" "' '.join(r['qname'] + ':' + r['verdict'] for r in L if r['family'] == 4)")"
	check "IPv4: confidence >= 1 - 1e-6" "True True" \
		"$(q "$dir.json" "' '.join(str(float(r['confidence']) >= 1 - 1e-6) for r in L if r['family'] == 4)")"
	check "IPv4: attempts as the bound needs at 5% (2 and 3 fragments: 8 and 9), none answered" "8/0 9/0" \
		"$(q "$dir.json" "' '.join('%d/%d' % (r['attempts'], r['answered']) for r in L if r['family'] == 4)")"
	check "IPv4: the answer size from the TCP fallback" "1473 3000" \
		"$(q "$dir.json" "' '.join(str(r['answer_bytes']) for r in L if r['family'] == 4 and r['answer_bytes_seen'])")"
	check "the report: IPv4 fragments lost (systematic), not intermittent; WARNING" "0 WARNING" \
		"$(q "$dir.json" "'%d %s' % (sum(p['lost_trains']['intermittent'] for p in d['paths']), d['families'][0]['health'])")"
	check "IPv6: answered at the first attempt" "1:answered 1:answered" \
		"$(q "$dir.json" "' '.join('%d:%s' % (r['attempts'], r['verdict']) for r in L if r['family'] == 6)")"
	check "text: 3000.size.lab systematically lost with its confidence" 1 \
		"$(grep -c 'IPv4 .* 3000.size.lab TXT EDNS 4096 DO off: 9 attempt(s), 0 answered.*systematically lost (confidence 0.99999' "$dir.txt")"
}

case_pacing() {
	local e=$work/pacing.err rc
	unshare -n "$probe" -s 192.0.2.53 --rate 21 -T 0.1 >/dev/null 2>"$e"; rc=$?
	check "--rate 21 refused without --unsafe-rate" "3 1" "$rc $(grep -c 'above the polite limits.*refused; --unsafe-rate' "$e")"
	unshare -n "$probe" -s 192.0.2.53 --inflight 33 -T 0.1 >/dev/null 2>"$e"; rc=$?
	check "--inflight 33 refused without --unsafe-rate" "3 1" "$rc $(grep -c 'inflight 33 is above the polite limits' "$e")"
	unshare -n "$probe" -s 192.0.2.53 -p "$top/profiles/lab.conf" -T 0.1 >/dev/null 2>"$e"; rc=$?
	check "the lab profile's rate 200 refused outside the lab" "3 1" "$rc $(grep -c 'rate 200/s per target, inflight 64 is above' "$e")"
	# --unsafe-rate: the warning, then (no network here) the route lookup fails.
	unshare -n "$probe" -s 192.0.2.53 --rate 0 --unsafe-rate -T 0.1 >/dev/null 2>"$e"
	check "--unsafe-rate warns on stderr" 1 "$(grep -c 'warning: --unsafe-rate: rate 0 (unlimited) is above the polite limits' "$e")"
	unshare -n "$probe" -s 192.0.2.53 --rate 20 --inflight 32 -T 0.1 >/dev/null 2>"$e"
	check "the polite limits themselves pass without a warning" 0 "$(grep -c 'polite' "$e")"
}

run() { # CASE FUNCTION ARGS... (not "name": lab_scenario_load sets that)
	local tcase=$1
	shift
	(
		fails=0
		echo "== $tcase"
		"$@" || { echo "   FAIL $tcase: set-up failed"; fails=$((fails + 1)); }
		[ "$fails" -eq 0 ]
		echo $? >"$work/$tcase.rc"
	) >"$work/$tcase.log" 2>&1 &
}
start=$(date +%s)
run random case_random
run drop case_drop
run pacing case_pacing
wait
pass=0 fail=0
for n in random drop pacing; do
	cat "$work/$n.log"
	if [ "$(cat "$work/$n.rc" 2>/dev/null)" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $n"; fi
done
echo "probe loss: $pass passed, $fail failed, in $(($(date +%s) - start)) s"
[ "$fail" -eq 0 ]
