#!/bin/sh
# The fleet view (issue 13): dnsfrag-report --merge and --diff over JSON
# reports made at test time from the lab's reference captures, each analyzed
# as its own --site:
#   - every JSON report carries "run" (site, id, capture times, tool, inputs)
#     and validates against the schema; the same capture gives the same run id;
#   - --merge of three sites (clean, clean as JSON Lines, non-first IPv4
#     fragments dropped) marks exactly the dropping site at the sizes it lost,
#     names the instance behind it, and exits with the worst cell (1);
#   - --diff exit codes: no change 0, a new fragment loss 1, a new TCP failure
#     2, garbage / truncated / wrong-schema input 3, two different sites 3.
set -u
cd "$(dirname "$0")/../.."
A=${DNSFRAG_ANALYZE:-bin/dnsfrag-analyze}
R=${DNSFRAG_REPORT:-bin/dnsfrag-report}
L=pcaps/lab
[ -x "$R" ] || { echo "no $R"; exit 77; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

"$A" --json --site pop-a $L/clean-probe.pcap >"$t/a-clean.json"
"$A" --json --site pop-a $L/clean-probe.pcap >"$t/a-clean2.json"
"$A" --json --site pop-a $L/drop-v4-nonfirst-frags-probe.pcap >"$t/a-drop.json"
"$A" --json --site pop-a $L/tcp-blocked-probe.pcap >"$t/a-tcp.json"
"$A" --format jsonl --site pop-b $L/clean-mb1-to-probe.pcap >"$t/b.jsonl"
"$A" --json --site pop-c $L/drop-v4-nonfirst-frags-probe.pcap >"$t/c-drop.json"

# run metadata
/usr/bin/python3 - "$t/a-clean.json" "$t/a-clean2.json" "$t/b.jsonl" <<'PY' && ok "run metadata: site, id, capture times, tool, inputs; stable id" || bad "run metadata"
import json, re, sys
a, a2 = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
r = a["run"]
assert r["site"] == "pop-a" and r["tool"] == "dnsfrag-analyze" and r["times_from"] == "capture", r
assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", r["id"]), r["id"]
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", r["start"]) and r["start"] <= r["end"], r
assert r["inputs"] == ["pcaps/lab/clean-probe.pcap"] and r["instances"] == []
assert a2["run"]["id"] == r["id"]
summary = [json.loads(l) for l in open(sys.argv[3])][-1]
assert summary["record"] == "summary" and summary["run"]["site"] == "pop-b"
PY
tests/validate-json "$t/a-clean.json" >/dev/null && ok "a report with run validates against the schema" || bad "schema"

# an instance behind the difference (the lab captures have no identity answers: add one)
/usr/bin/python3 - "$t/c-drop.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["run"]["instances"] = [{"server": "203.0.113.2", "family": 4, "nsid": "auth-c1", "hostname_bind": None}]
json.dump(d, open(sys.argv[1], "w"))
PY

# --merge: text
"$R" --merge "$t/a-clean.json" "$t/b.jsonl" "$t/c-drop.json" >"$t/merge.txt"; rc=$?
grep -q '^Fleet: 3 run(s), 3 site(s), 2 target(s)' "$t/merge.txt" && [ "$rc" = 1 ] &&
	ok "--merge: 3 runs, 3 sites, exit 1 (worst cell WARNING)" || { bad "--merge header/exit $rc"; cat "$t/merge.txt"; }
sed -n '/^Sites that differ/,/^$/p' "$t/merge.txt" >"$t/diffs"
cat >"$t/diffs.exp" <<'TXT'
Sites that differ from the rest:
  203.0.113.2 IPv4 1473 bytes: site pop-c WARNING (1 fragmented answer(s) lost), the rest OK; instance auth-c1
  203.0.113.2 IPv4 3000 bytes: site pop-c WARNING (1 fragmented answer(s) lost), the rest OK; instance auth-c1

TXT
diff -u "$t/diffs.exp" "$t/diffs" && ok "--merge marks pop-c at 1473 and 3000 bytes, instance auth-c1" || bad "--merge differences"
# --merge --json: the same, machine-readable; memory follows cells, not runs
"$R" --merge --json "$t/a-clean.json" "$t/b.jsonl" "$t/c-drop.json" "$t/a-clean2.json" >"$t/merge.json"
/usr/bin/python3 - "$t/merge.json" <<'PY' && ok "--merge --json: cells, differences, instance" || bad "--merge --json"
import json, sys
m = json.load(open(sys.argv[1]))
assert m["schema"] == "dnsfrag-fleet/1" and m["sites"] == ["pop-a", "pop-b", "pop-c"] and m["runs"] == 4
d = [(x["site"], x["server"], x["family"], x["answer_size"], x["health"], x["rest"], x["instance"]) for x in m["differences"]]
assert d == [("pop-c", "203.0.113.2", 4, 1473, "WARNING", "OK", "auth-c1"),
             ("pop-c", "203.0.113.2", 4, 3000, "WARNING", "OK", "auth-c1")], d
c = [x for x in m["cells"] if x["site"] == "pop-a" and x["server"] == "203.0.113.2" and x["answer_size"] == 3000]
assert len(c) == 1 and c[0]["transactions"] == 4 and c[0]["health"] == "OK", c  # two pop-a runs summed
assert m["health"] == "WARNING"
PY

# --diff exit codes
dif() { # expected-exit name old new
	"$R" --diff "$3" "$4" >"$t/d.out" 2>&1; rc=$?
	[ "$rc" = "$1" ] && ok "--diff $2: exit $rc" || { bad "--diff $2: exit $rc, expected $1"; cat "$t/d.out"; }
}
dif 0 "no change" "$t/a-clean.json" "$t/a-clean2.json"
dif 1 "a new fragment loss" "$t/a-clean.json" "$t/a-drop.json"
grep -q 'REGRESSION  203.0.113.2 IPv4 3000 bytes: OK -> WARNING: started losing fragments' "$t/d.out" &&
	[ "$(grep -c REGRESSION "$t/d.out")" = 2 ] && ok "--diff names exactly the sizes that started losing fragments" ||
	{ bad "--diff fragment loss text"; cat "$t/d.out"; }
dif 2 "a new TCP failure" "$t/a-clean.json" "$t/a-tcp.json"
grep -q 'TCP newly failing' "$t/d.out" && ok "--diff says TCP newly failing" || bad "--diff TCP text"
dif 0 "an improvement" "$t/a-drop.json" "$t/a-clean.json"
grep -q 'improved' "$t/d.out" && ok "--diff lists improvements" || bad "--diff improvements"
head -c 400 /dev/urandom >"$t/garbage"
dif 3 "garbage input" "$t/a-clean.json" "$t/garbage"
head -c 2000 "$t/a-clean.json" >"$t/truncated.json"
dif 3 "a truncated report" "$t/a-clean.json" "$t/truncated.json"
grep -q 'truncated.json: byte [0-9]*:' "$t/d.out" && ok "the parse error names the file and the byte offset" || bad "error text"
echo '{"schema": "other/1", "paths": []}' >"$t/other.json"
dif 3 "another schema" "$t/a-clean.json" "$t/other.json"
"$A" --json --site pop-b $L/clean-probe.pcap >"$t/b-clean.json"
dif 3 "two different sites" "$t/a-clean.json" "$t/b-clean.json"
/usr/bin/python3 -c 'print("[" * 100000)' >"$t/deep.json"
dif 3 "100000 nested arrays" "$t/a-clean.json" "$t/deep.json"
"$R" --diff "$t/a-clean.json" >/dev/null 2>&1; [ $? = 3 ] && ok "usage error: exit 3" || bad "usage error"
exit $fail
