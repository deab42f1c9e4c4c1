#!/bin/sh
# The HTML report (issue 14): --html FILE on reference captures (a lost-fragment
# case, a TCP reset, ICMP needs-frag, a --points lab case, a rollover case):
#   - well-formed: xmllint (XML mode: the page is written polyglot) when
#     installed, and python3's html.parser walking it with a tag-balance check;
#   - self-contained: no http:, https:, //, src=, href=, @import, url( ;
#   - the family verdict sentences, the legend and the expected matrix cell;
#   - a hostile qname (<script>, quotes, ampersand, high and control bytes),
#     built with scapy at test time, comes out escaped;
#   - deterministic (same input, same bytes) and written atomically (no FILE.tmp);
#   - golden pages, byte for byte: tests/golden/expected/html-*.html for a clean
#     (fragmented, delivered) path, one that loses fragments (its ladder on a
#     time axis), the three-point lab capture (ladders with one lane per point:
#     the non-first fragment lost inside mb1) and the fleet page of
#     dnsfrag-report --merge --html over four lab sites; REGEN=1 rewrites them
#     for review. (tidy and Chromium: test-html-render.sh.)
#   - the fleet page: well-formed, self-contained, its summary, per-site
#     verdicts, "differs" cells and runs; a hostile site and instance escaped;
#     deterministic; --html without --merge refused.
set -u
cd "$(dirname "$0")/../.."
A=${DNSFRAG_ANALYZE:-bin/dnsfrag-analyze}
R=${DNSFRAG_REPORT:-bin/dnsfrag-report}
L=pcaps/lab
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

# Golden pages. The page shows its command line; the temporary directory is the
# only part of it that varies (and the program's path, if DNSFRAG_ANALYZE is set).
E=tests/golden/expected
for g in "s02-fragmented-ok pcaps/scenarios/02-v4-fragmented-ok.pcap" \
	"s03-frags-lost pcaps/scenarios/03-v4-nonfirst-frags-dropped-tcp-ok.pcap" \
	"points-drop-v4 --points=$L/drop-v4-nonfirst-frags-probe.pcap,$L/drop-v4-nonfirst-frags-mb1-to-probe.pcap,$L/drop-v4-nonfirst-frags-mb1-to-resolver.pcap"; do
	name=${g%% *} cap=${g#* }
	"$A" --html "$t/$name.html" "$cap" >/dev/null 2>&1
	sed -e "s|$t/||g" -e "s|<td class=\"mono\">$A --html |<td class=\"mono\">bin/dnsfrag-analyze --html |" \
		"$t/$name.html" >"$t/$name.golden"
	exp=$E/html-$name.html
	if [ -n "${REGEN:-}" ]; then cp "$t/$name.golden" "$exp"; echo "regenerated $exp"; continue; fi
	if cmp -s "$exp" "$t/$name.golden"; then ok "golden $exp"; else
		bad "golden $exp differs:"; diff -u "$exp" "$t/$name.golden" | head -40; fi
done

# The fleet page: four lab sites (clean; clean as JSON Lines; non-first IPv4
# fragments dropped, with an instance; TCP blocked).
"$A" --json --site pop-a $L/clean-probe.pcap >"$t/a.json" 2>/dev/null
"$A" --format jsonl --site pop-b $L/clean-mb1-to-probe.pcap >"$t/b.jsonl" 2>/dev/null
"$A" --json --site pop-c $L/drop-v4-nonfirst-frags-probe.pcap >"$t/c.json" 2>/dev/null
"$A" --json --site pop-d $L/tcp-blocked-probe.pcap >"$t/d.json" 2>/dev/null
/usr/bin/python3 - "$t/c.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["run"]["instances"] = [{"server": "203.0.113.2", "family": 4, "nsid": "auth-c1", "hostname_bind": None}]
json.dump(d, open(sys.argv[1], "w"))
PY
(cd "$t" && "$OLDPWD/$R" --merge --html fleet.html a.json b.jsonl c.json d.json >fleet.txt 2>&1)
sed -e "s|<td class=\"mono\">$OLDPWD/$R --merge|<td class=\"mono\">bin/dnsfrag-report --merge|" "$t/fleet.html" >"$t/fleet.golden" 2>/dev/null
exp=$E/html-fleet.html
if [ -n "${REGEN:-}" ]; then cp "$t/fleet.golden" "$exp"; echo "regenerated $exp"; fi
if [ -z "${REGEN:-}" ]; then
	if cmp -s "$exp" "$t/fleet.golden"; then ok "golden $exp"; else
		bad "golden $exp differs:"; diff -u "$exp" "$t/fleet.golden" | head -40; fi
fi
[ -n "${REGEN:-}" ] && exit 0

cat >"$t/check.py" <<'PY'
import re, sys
from html.parser import HTMLParser
VOID = {"meta", "br", "link", "img", "input", "hr", "wbr", "col", "area", "base", "source", "track", "embed"}
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.text = [], [], []
    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)
        for k, v in attrs:
            if k in ("src", "href", "srcset", "action", "formaction", "poster", "data") or k.startswith("on"):
                self.errors.append("attribute %s=%r" % (k, v))
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()
    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("unbalanced </%s> (open: %s)" % (tag, "/".join(self.stack[-4:])))
        else:
            self.stack.pop()
    def handle_data(self, d):
        self.text.append(d)
raw = open(sys.argv[1], "rb").read()
doc = raw.decode("utf-8")                      # must be valid UTF-8
p = P(); p.feed(doc); p.close()
if p.stack:
    p.errors.append("unclosed: " + "/".join(p.stack))
if not doc.startswith("<!DOCTYPE html>"):
    p.errors.append("no doctype")
for pat in (r"https?:", r"//", r"@import", r"url\(", r"<script", r"<link", r"<img", r"<iframe"):
    m = re.search(pat, doc, re.I)
    if m:
        p.errors.append("external reference or script: %r near %r" % (pat, doc[max(0, m.start()-40):m.end()+40]))
for want in sys.argv[2:]:
    if want not in doc:
        p.errors.append("missing: %r" % want)
for e in p.errors:
    print(e)
sys.exit(1 if p.errors else 0)
PY

check() { # name file strings...
	name=$1; f=$2; shift 2
	if [ ! -s "$f" ]; then bad "$name: no file"; return; fi
	if [ -e "$f.tmp" ]; then bad "$name: $f.tmp left behind"; fi
	if command -v xmllint >/dev/null 2>&1 && ! xmllint --noout "$f" 2>"$t/xml.err"; then
		bad "$name: xmllint"; head -5 "$t/xml.err"; return
	fi
	if /usr/bin/python3 "$t/check.py" "$f" "$@" >"$t/py.err" 2>&1; then ok "$name"; else bad "$name"; cat "$t/py.err"; fi
}

S=pcaps/scenarios
LEG='<table class="legend"><caption>Legend</caption>'
# name | analyzer arguments | expected strings (| separated)
while IFS='|' read -r name args want; do
	[ -n "$name" ] || continue
	# shellcheck disable=SC2086
	"$A" --html "$t/$name.html" $args >/dev/null 2>"$t/$name.err"
	rc=$?
	[ $rc -le 2 ] || { bad "$name: exit $rc"; cat "$t/$name.err"; continue; }
	IFS='|'
	# shellcheck disable=SC2086
	set -- $want
	unset IFS
	check "$name" "$t/$name.html" "$LEG" "$@"
	cp "$t/$name.html" "$t/$name.first.html" # the same command again (the page shows the command line)
	# shellcheck disable=SC2086
	"$A" --html "$t/$name.html" $args >/dev/null 2>&1
	if cmp -s "$t/$name.html" "$t/$name.first.html"; then ok "$name: deterministic"; else bad "$name: differs between runs"; fi
done <<CASES
s03|$S/03-v4-nonfirst-frags-dropped-tcp-ok.pcap|IPv4: fragmented answers are lost; TCP fallback works|Set edns-buffer-size 1400.|data-verdict="lost"|fragment data from offset 1480 (the last fragment): never arrived|frame 10: TCP answer 3000 bytes|on a time axis|ms after the query|+12 ms</text>|2000.000 ms later (axis broken)
s07|$S/07-v4-tc-tcp-reset.pcap|data-verdict="tcpfail"|TCP reset: no answer
s12|$S/12-icmp-needsfrag-ptb-at-server.pcap|data-verdict="frag"|ICMP needs-frag
points|--points=pcaps/lab/drop-v4-nonfirst-frags-probe.pcap,pcaps/lab/drop-v4-nonfirst-frags-mb1-to-probe.pcap,pcaps/lab/drop-v4-nonfirst-frags-mb1-to-resolver.pcap|<section id="path">|<span class="seg vanish">|between mb1-to-resolver and mb1-to-probe|one lane per capture point, on a time axis|>lost: answer fragment: offset 1480, length 1</text>|answer fragment: offset 1480, length 1; probe: not seen (lost before it); mb1-to-probe: not seen (lost before it); mb1-to-resolver: frame
rollover|pcaps/lab/rollover/revoked.pcap --anchors=pcaps/lab/rollover/anchors.xml|<section id="rollover">|<h2>Root key rollover</h2>
s01|$S/01-v4-whole-ok.pcap|data-verdict="whole"|No transaction lost fragments
CASES

# A hostile qname, built now: markup, quotes, an ampersand, a high byte, a control byte, UTF-8.
if /usr/bin/python3 - "$t/hostile.pcap" <<'PY' >/dev/null 2>&1
import sys
from scapy.all import IP, UDP, DNS, DNSQR, DNSRROPT, Ether, wrpcap
q = b'<script>alert(1)</script>."q\'&x\xff\x01\xc3\xa9.example.'
c, s = '192.0.2.10', '198.51.100.53'
qry = Ether()/IP(src=c, dst=s)/UDP(sport=40000, dport=53)/DNS(id=4242, qd=DNSQR(qname=q, qtype='TXT'), ar=DNSRROPT(rclass=4096))
ans = Ether()/IP(src=s, dst=c)/UDP(sport=53, dport=40000)/DNS(id=4242, qr=1, tc=1, qd=DNSQR(qname=q, qtype='TXT'), ar=DNSRROPT(rclass=4096))
qry.time = 1700000000.0
ans.time = 1700000000.01
wrpcap(sys.argv[1], [qry, ans])
PY
then
	"$A" --html "$t/hostile.html" --site '<b>"pop" & co</b>' "$t/hostile.pcap" >/dev/null 2>&1
	check hostile "$t/hostile.html" '&lt;script&gt;alert' '&lt;/script&gt;' '&quot;q&#39;&amp;x' '&lt;b&gt;&quot;pop&quot; &amp; co&lt;/b&gt;'
	if grep -q '<script\|<b>"pop' "$t/hostile.html"; then bad "hostile: unescaped markup"; else ok "hostile: no raw markup"; fi
else
	echo "skip hostile: /usr/bin/python3 has no scapy"
fi

# The fleet page's content, its determinism, a hostile site and instance.
check fleet "$t/fleet.html" "$LEG" '<section id="summary">' '4 site(s): <b>2 healthy</b> (OK), <b>1 warning</b>, <b>1 critical</b>, 0 unknown' \
	'<b>pop-c</b> IPv4: fragmented answers lost at 1473 and 3000 bytes' '<b>pop-d</b> IPv4: answers neither UDP nor TCP brought at an unknown size' \
	'data-verdict="lost" title="site pop-c, target 203.0.113.2 (instance auth-c1), IPv4, 1473-byte answer, no DO: 1 transaction(s)' \
	'<small class="note">differs (rest OK)</small>' '<small class="note">differs (rest not measured)</small>' \
	'<td class="mono">c.json</td><td>pop-c</td><td>dnsfrag-analyze 0.1.0</td>' 'OK IPv6: fragmented answers get through'
(cd "$t" && "$OLDPWD/$R" --merge --html fleet2.html a.json b.jsonl c.json d.json >/dev/null 2>&1)
sed -i 's/fleet2\.html/fleet.html/' "$t/fleet2.html"
if cmp -s "$t/fleet.html" "$t/fleet2.html"; then ok "fleet: deterministic"; else bad "fleet: differs between runs"; fi
grep -q '^Fleet: 4 run(s), 4 site(s), 2 target(s)' "$t/fleet.txt" && ok "fleet: --html keeps the text output" || { bad "fleet: text output"; cat "$t/fleet.txt"; }
/usr/bin/python3 - "$t/c.json" "$t/hostile-fleet.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["site"] = d["run"]["site"] = '<script>x</script>"&\'\u00e9'
d["run"]["instances"][0]["nsid"] = '<img src=x onerror=alert(1)>'
d["families"][0]["sentence"] = '<b>bold</b> & "quoted"'
json.dump(d, open(sys.argv[2], "w"))
PY
"$R" --merge --html "$t/hostile-fleet.html" "$t/a.json" "$t/hostile-fleet.json" >/dev/null 2>&1
check "hostile fleet" "$t/hostile-fleet.html" '&lt;script&gt;x&lt;/script&gt;&quot;&amp;&#39;é' '&lt;img src=x onerror=alert(1)&gt;' '&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;'
if grep -q '<script\|<img\|<b>bold' "$t/hostile-fleet.html"; then bad "hostile fleet: unescaped markup"; else ok "hostile fleet: no raw markup"; fi
"$R" --diff --html "$t/x.html" "$t/a.json" "$t/a.json" >/dev/null 2>&1
[ $? = 3 ] && [ ! -e "$t/x.html" ] && ok "--html without --merge: exit 3" || bad "--html with --diff accepted"
"$R" --merge --html /nonexistent/dir/f.html "$t/a.json" >/dev/null 2>"$t/err"
rc=$?
if [ $rc = 3 ] && grep -q -- '--html: /nonexistent/dir/f.html.tmp' "$t/err"; then ok "fleet unwritable: exit 3"; else bad "fleet unwritable: exit $rc"; cat "$t/err"; fi

# Errors: a file that cannot be written gives exit 3 and a message.
"$A" --html /nonexistent/dir/x.html $S/01-v4-whole-ok.pcap >/dev/null 2>"$t/err"
rc=$?
if [ $rc = 3 ] && grep -q -- '--html: /nonexistent/dir/x.html.tmp' "$t/err"; then ok "unwritable: exit 3"; else bad "unwritable: exit $rc"; cat "$t/err"; fi
"$A" --html= $S/01-v4-whole-ok.pcap >/dev/null 2>&1
[ $? = 3 ] && ok "empty --html: exit 3" || bad "empty --html accepted"

exit $fail
