#!/bin/sh
# The HTML report (issue 14), checked by real tools:
#   - Debian's tidy, strict: 'tidy -e --doctype html5' and 'tidy -e -xml' (the
#     page is written polyglot) print nothing and exit 0 on every page;
#   - headless Chromium inside a network namespace with no network
#     ('unshare -n': only a down loopback, so nothing can leave and any external
#     reference fails) renders each page from a file:// URL:
#       * --dump-dom: the size matrix (server, family, column headers, each
#         cell's verdict class, label, fragment count and the counts in its
#         title) agrees with the JSON report (paths[].sizes[]) for the same input;
#       * --screenshot: the whole page renders (a PNG of the window's size with
#         the legend's six colours, so the inline CSS applied); then each matrix
#         cell alone (a copy of the page with one added <style> that hides
#         everything but that cell, chosen by its row and column, not its class)
#         is rendered and its pixels hold the colour of the verdict the JSON
#         report gives it and no other verdict colour; named cells are checked
#         too (scenario 03's 3000-byte DO cell is "fragments lost").
#     PNGs are decoded here with zlib (no PIL needed). With strace, the
#     whole-page render's connect() calls are listed: none may come from the page.
#   - the fleet page of dnsfrag-report --merge --html over five lab sites: tidy,
#     and its matrix in the DOM (site, target, family, each size x DO cell's
#     verdict, label, fragments, counts, "differs" note) against --merge --json.
# Skips (77) when tidy, chromium, unshare -n or /usr/bin/python3 is missing.
set -u
cd "$(dirname "$0")/../.." || exit 1
A=${DNSFRAG_ANALYZE:-bin/dnsfrag-analyze}
PY=/usr/bin/python3
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
command -v tidy >/dev/null 2>&1 || { echo "skip: tidy is not installed (Debian package tidy; scripts/install-deps)"; exit 77; }
if [ -z "$CHROMIUM" ] || [ ! -x "$CHROMIUM" ]; then
	echo "skip: chromium is not installed (Debian package chromium; scripts/install-deps)"; exit 77
fi
[ -x "$PY" ] || { echo "skip: no /usr/bin/python3"; exit 77; }
# The namespace must exist and hold nothing but a loopback interface (read from
# /proc/self/net, which follows the process's namespace; /sys/class/net does not).
# shellcheck disable=SC2016
if ! nets=$(unshare -n sh -c 'sed -n "3,\$p" /proc/self/net/dev | cut -d: -f1 | tr -d " "' 2>/dev/null) || [ -z "$nets" ]; then
	echo "skip: cannot make a network namespace (unshare -n)"; exit 77
fi
[ "$nets" = lo ] || { echo "FAIL unshare -n left interfaces: $nets"; exit 1; }

t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

S=pcaps/scenarios
L=pcaps/lab
# name | analyzer arguments | cells that must have a given verdict (server@column=verdict, ';' separated)
CASES="s01|$S/01-v4-whole-ok.pcap|
s02|$S/02-v4-fragmented-ok.pcap|
s03|$S/03-v4-nonfirst-frags-dropped-tcp-ok.pcap|198.51.100.53@3000 DO=lost
s07|$S/07-v4-tc-tcp-reset.pcap|
s12|$S/12-icmp-needsfrag-ptb-at-server.pcap|
scenarios|$(echo $S/*.pcap)|
lab-drop-v6|$L/drop-v6-frags-probe.pcap|
points|--points=$L/drop-v4-nonfirst-frags-probe.pcap,$L/drop-v4-nonfirst-frags-mb1-to-probe.pcap,$L/drop-v4-nonfirst-frags-mb1-to-resolver.pcap|
rollover|$L/rollover/revoked.pcap --anchors=$L/rollover/anchors.xml|"

# A hostile qname and site label (as in test-html.sh), when scapy is there.
if "$PY" - "$t/hostile.pcap" <<'PY' >/dev/null 2>&1
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
	CASES="$CASES
hostile|--site=<b>\"pop\"&co</b> $t/hostile.pcap|"
else
	echo "note: no scapy for /usr/bin/python3: the hostile-name page is not checked here"
fi

cat >"$t/render.py" <<'PY'
"""Check one report page in headless Chromium against the JSON report.
argv: page.html report.json workdir known-cells ('server@column=verdict;...')
env CHROMIUM_CMD: the command that starts Chromium (unshare -n ... chromium flags)."""
import json, os, re, shlex, struct, subprocess, sys, tempfile, zlib
from html.parser import HTMLParser

page, report, work, known = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
fleet = len(sys.argv) > 5 and sys.argv[5] == "fleet"  # a dnsfrag-report --merge page and its --json
CMD = shlex.split(os.environ["CHROMIUM_CMD"])
W, H = 1000, 700  # the isolated-cell renders; the matrix is moved to the page's top
# The verdicts' colours (Okabe-Ito, report_html.c) and the page's CSS classes.
PALETTE = {"whole": "009E73", "frag": "56B4E9", "lost": "E69F00", "tcok": "0072B2", "tcpfail": "D55E00", "noans": "CC79A7"}
LABEL = {"whole": "whole", "frag": "fragmented, delivered", "lost": "fragments lost", "tcok": "TC \u2192 TCP ok",
         "tcpfail": "TCP failed", "noans": "no answer"}
errors = []
def err(m): errors.append(m)

def chromium(*args, trace=None):
    ud = tempfile.mkdtemp(dir=work, prefix="ud.")
    pre = ["strace", "-f", "-qq", "-e", "trace=connect", "-e", "signal=none", "-o", trace, "--"] if trace else []
    r = subprocess.run(pre + CMD + ["--user-data-dir=" + ud] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    with open(os.path.join(work, "chromium.log"), "ab") as f:
        f.write(b"$ " + " ".join(args).encode() + b"\n" + r.stderr)
    if r.returncode != 0:
        raise SystemExit("chromium exit %d: %s" % (r.returncode, r.stderr.decode(errors="replace")[-800:]))
    return r.stdout

def url(p): return "file://" + os.path.abspath(p)

def png(path):
    """Decode an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes): (w, h, bpp, pixel bytes)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n": raise ValueError("not a PNG")
    pos, idat, hdr = 8, [], None
    while pos < len(data):
        n, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if zlib.crc32(typ + body) != struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0]:
            raise ValueError("bad CRC in chunk " + typ.decode("latin-1"))
        if typ == b"IHDR": hdr = struct.unpack(">IIBBBBB", body)
        elif typ == b"IDAT": idat.append(body)
        elif typ == b"IEND": break
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace: raise ValueError("unexpected PNG format %r" % (hdr,))
    bpp = 4 if ctype == 6 else 3
    raw, stride = zlib.decompress(b"".join(idat)), w * bpp
    out, prev, i = bytearray(), bytearray(stride), 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
        if f == 1:
            for x in range(bpp, stride): line[x] = (line[x] + line[x - bpp]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f == 3:
            for x in range(stride): line[x] = (line[x] + (((line[x - bpp] if x >= bpp else 0) + prev[x]) >> 1)) & 255
        elif f == 4:
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0; b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
                p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        elif f != 0: raise ValueError("bad filter %d" % f)
        out += line; prev = line
    return w, h, bpp, bytes(out)

def colours(path):
    """{verdict: number of pixels of exactly its colour}, and the image."""
    w, h, bpp, px = png(path)
    n = {}
    for v, hexc in PALETTE.items():
        pat = bytes.fromhex(hexc) + (b"\xff" if bpp == 4 else b"")
        n[v] = sum(1 for m in re.finditer(re.escape(pat), px) if m.start() % bpp == 0)
    return n, (w, h, bpp, px)

# ---- the matrix in Chromium's DOM
class Matrix(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0; self.head, self.rows = [], []; self.cur = None; self.part = None; self.css = []
        self.in_style = False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "style": self.in_style = True
        if tag == "table" and "matrix" in (a.get("class") or "").split(): self.depth = 1; return
        if not self.depth: return
        if tag == "table": self.depth += 1
        elif tag == "thead": self.part = "head"
        elif tag == "tbody": self.part = "body"
        elif tag == "tr" and self.part == "body": self.rows.append([])
        elif tag in ("th", "td"):
            self.cur = {"tag": tag, "class": (a.get("class") or "").split(), "verdict": a.get("data-verdict"),
                        "title": a.get("title"), "text": ""}
        elif tag == "br" and self.cur is not None: self.cur["text"] += " "
    def handle_endtag(self, tag):
        if tag == "style": self.in_style = False
        if not self.depth: return
        if tag == "table":
            self.depth -= 1; return
        if tag in ("th", "td") and self.cur is not None:
            self.cur["text"] = " ".join(self.cur["text"].split())
            (self.head if self.part == "head" else self.rows[-1]).append(self.cur); self.cur = None
    def handle_data(self, d):
        if self.in_style: self.css.append(d)
        if self.depth and self.cur is not None: self.cur["text"] += d

dom = chromium("--dump-dom", url(page)).decode("utf-8")
m = Matrix(); m.feed(dom); m.close()
css = "".join(m.css)
for v, hexc in PALETTE.items():  # the page's CSS gives each verdict the colour this test looks for
    if not re.search(r"\.v-%s\{background:#%s[;}]" % (v, hexc), css, re.I):
        err("CSS: .v-%s is not background #%s" % (v, hexc))

# ---- what the JSON report says each cell is
def verdict(c):  # the rule report_html.c documents, restated over the JSON counts
    t = c["tcp"]; v = c["verdicts"]
    if t["reset"] + t["syn-timeout"] + t["handshake-then-stall"]: return "tcpfail"
    if v["fragments-lost"] + v["overlap-discarded"]: return "lost"
    if c["delivered"] < c["transactions"]: return "noans"
    if v["truncated"] or v["tcp"] or v["no-answer"]: return "tcok"
    if v["fragmented"]: return "frag"
    if v["whole"]: return "whole"
    return "noans"
def fleet_check():
    """The fleet page's matrix (rows site, target, family; columns size and DO)
    against dnsfrag-report --merge --json: every cell, its verdict (the same
    rule over the merged counts), label, fragments, counts and "differs" note."""
    rep = json.load(open(report))
    diff = {(d["site"], d["server"], d["family"], d["answer_size"], d["do"]): d["rest"] for d in rep["differences"]}
    want = {}
    for c in rep["cells"]:
        n = c["counts"]
        if not n["transactions"]: continue
        col = ("%d" % c["answer_size"] if c["answer_size"] else "?") + (" DO" if c["do"] else " no DO")
        key = (c["site"], c["server"], "IPv%d" % c["family"], col)
        if key in want: err("two fleet cells for one matrix cell %r" % (key,))
        v = verdict(n); v_ = n["verdicts"]
        rest = diff.get((c["site"], c["server"], c["family"], c["answer_size"], c["do"]))
        want[key] = {"verdict": v,
                     "label": ("TC=1, no TCP seen" if v == "noans" and v_["truncated"] else LABEL[v])
                              + (" %d frags" % c["max_fragments"] if c["max_fragments"] else "")
                              + (" differs (rest %s)" % rest if rest else ""),
                     "title": "IPv%d, %s, %s: %d transaction(s); whole %d, fragmented %d, fragments lost %d, truncated %d, "
                              "TCP ok %d, no answer %d, failed both %d" % (c["family"],
                              "%d-byte answer" % c["answer_size"] if c["answer_size"] else "answer size unknown",
                              "DO" if c["do"] else "no DO", n["transactions"], v_["whole"], v_["fragmented"],
                              v_["fragments-lost"] + v_["overlap-discarded"], v_["truncated"], n["tcp"]["complete"],
                              v_["no-answer"], n["failed_both"])}
    cols = [h["text"] for h in m.head]
    if cols[:3] != ["site", "target", "family"]: err("fleet matrix header %r" % cols)
    seen = set()
    for ri, row in enumerate(m.rows):
        if len(row) != len(cols): err("row %d has %d cells, header %d" % (ri, len(row), len(cols))); continue
        site, server, fam = row[0]["text"], row[1]["text"].split(" ")[0], row[2]["text"]
        for ci in range(3, len(row)):
            cell, key = row[ci], (site, server, fam, cols[ci])
            w = want.get(key)
            if w is None:
                if cell["class"] != ["cell", "empty"]: err("%r: not in JSON but the cell is %r" % (key, cell))
                continue
            seen.add(key)
            if cell["verdict"] != w["verdict"] or "v-" + w["verdict"] not in cell["class"]:
                err("%r: cell verdict %r class %r, JSON gives %r" % (key, cell["verdict"], cell["class"], w["verdict"]))
            if cell["text"] != w["label"]: err("%r: cell text %r, expected %r" % (key, cell["text"], w["label"]))
            if w["title"] not in (cell["title"] or "") or not (cell["title"] or "").startswith("site %s, target %s" % (site, server)):
                err("%r: title %r lacks %r" % (key, cell["title"], w["title"]))
    for key in set(want) - seen: err("%r in JSON (%s) but not in the matrix" % (key, want[key]["verdict"]))
    print("dom: %d fleet matrix cells compared with the merged JSON (%s); %d marked as differing" % (len(seen),
          ", ".join("%s %d" % (v, sum(1 for k in seen if want[k]["verdict"] == v)) for v in PALETTE if any(want[k]["verdict"] == v for k in seen)),
          sum(1 for k in seen if "differs" in want[k]["label"])))
    if not seen: err("no fleet cells compared")
    for e in errors: print("  " + e)
    sys.exit(1 if errors else 0)
if fleet: fleet_check()

rep = json.load(open(report))
want = {}
for p in rep["paths"]:
    for s in p["sizes"]:
        c = s["counts"]
        if not c["transactions"]: continue
        col = ("%d" % s["answer_size"] if s["answer_size"] else "? (asked %d)" % s["advertised"]) + (" DO" if s["do"] else " no DO")
        key = (p["server"], col)
        if key in want: err("two JSON size rows for one matrix cell %r" % (key,))
        v = verdict(c); v_ = c["verdicts"]
        want[key] = {"family": "IPv%d" % p["family"], "verdict": v,
                     "label": ("TC=1, no TCP seen" if v == "noans" and v_["truncated"] else LABEL[v])
                              + (" %d frags" % s["max_fragments"] if s["max_fragments"] else ""),
                     "title": "%d transaction(s); whole %d, fragmented %d, fragments lost %d, truncated %d, TCP ok %d, "
                              "no answer %d, failed both %d" % (c["transactions"], v_["whole"], v_["fragmented"],
                              v_["fragments-lost"] + v_["overlap-discarded"], v_["truncated"], c["tcp"]["complete"],
                              v_["no-answer"], c["failed_both"])}

# ---- compare
cols = [h["text"] for h in m.head]
if not rep["paths"]:
    if m.rows: err("matrix rows with no paths in JSON")
elif cols[:2] != ["server", "family"]:
    err("matrix header %r" % cols)
seen, cells = set(), []  # cells: (row index, column index, key)
for ri, row in enumerate(m.rows):
    if len(row) != len(cols): err("row %d has %d cells, header %d" % (ri, len(row), len(cols))); continue
    server, fam = row[0]["text"], row[1]["text"]
    for ci in range(2, len(row)):
        cell, key = row[ci], (server, cols[ci])
        w = want.get(key)
        if w is None:
            if cell["class"] != ["cell", "empty"]: err("%r: not in JSON but the cell is %r" % (key, cell))
            continue
        seen.add(key); cells.append((ri, ci, key))
        if fam != w["family"]: err("%r: family %r, JSON %r" % (key, fam, w["family"]))
        if cell["verdict"] != w["verdict"] or "v-" + w["verdict"] not in cell["class"]:
            err("%r: cell verdict %r class %r, JSON gives %r" % (key, cell["verdict"], cell["class"], w["verdict"]))
        if cell["text"] != w["label"]: err("%r: cell text %r, expected %r" % (key, cell["text"], w["label"]))
        if w["title"] not in (cell["title"] or ""): err("%r: title %r lacks %r" % (key, cell["title"], w["title"]))
for key in set(want) - seen: err("%r in JSON (%s) but not in the matrix" % (key, want[key]["verdict"]))
print("dom: %d matrix cells compared with the JSON report (%s)" % (len(seen),
      ", ".join("%s %d" % (v, sum(1 for k in seen if want[k]["verdict"] == v)) for v in PALETTE if any(want[k]["verdict"] == v for k in seen))))

# ---- the whole page, as is
full = os.path.join(work, "page.png")
trace = os.path.join(work, "connect.trace") if os.environ.get("STRACE") else None
chromium("--window-size=1200,1600", "--screenshot=" + full, url(page), trace=trace)
if trace:
    # Every IP connect() Chromium tried while rendering the page (all fail in
    # the namespace). Chromium's own, whatever the page: DNS lookups to the
    # system's resolvers, and a UDP connect (which sends nothing) to a public
    # address to learn its local address. Anything else came from the page.
    resolvers = {l.split()[1] for l in open("/etc/resolv.conf") if l.startswith("nameserver") and len(l.split()) > 1}
    tried = []
    for line in open(trace):
        mm = re.search(r'connect\(\d+, \{sa_family=AF_INET6?, sin6?_port=htons\((\d+)\).*?inet_(?:addr\("|pton\(AF_INET6, ")([^"]+)"', line)
        if not mm: continue
        port, addr = int(mm.group(1)), mm.group(2)
        if (port == 53 and addr in resolvers) or (port == 443 and addr in ("2001:4860:4860::8888", "8.8.8.8")): continue
        tried.append("%s port %d" % (addr, port))
    if tried: err("rendering the page, Chromium tried to reach %s" % sorted(set(tried)))
    else: print("page: no connect() to any address but Chromium's own start-up lookups (strace)")
n, (w, h, bpp, px) = colours(full)
if (w, h) != (1200, 1600): err("screenshot is %dx%d, not 1200x1600" % (w, h))
missing = [v for v in PALETTE if n[v] == 0]
if missing: err("the rendered page lacks the legend colours of %s" % missing)
print("page: %dx%d PNG, legend colours present: %s" % (w, h, ", ".join("%s %d" % (v, n[v]) for v in PALETTE)))

# ---- each matrix cell alone
src = open(page, encoding="utf-8").read()
knowns = {}
for k in filter(None, known.split(";")):
    cell, v = k.rsplit("=", 1); server, col = cell.split("@", 1); knowns[(server, col)] = v
    if (server, col) not in seen: err("named cell %r is not in the matrix" % ((server, col),))
for ri, ci, key in cells:
    style = ("<style>body>*:not(#matrix),#matrix>*:not(table.matrix){display:none}body{visibility:hidden}"
             "table.matrix>tbody>tr:nth-child(%d)>*:nth-child(%d){visibility:visible}</style>" % (ri + 1, ci + 1))
    iso = os.path.join(work, "cell.html")
    with open(iso, "w", encoding="utf-8") as f: f.write(src.replace("</head>", style + "</head>", 1))
    shot = os.path.join(work, "cell.png")
    chromium("--window-size=%d,%d" % (W, H), "--screenshot=" + shot, url(iso))
    n, _ = colours(shot)
    exp = knowns.get(key, want[key]["verdict"])
    if exp != want[key]["verdict"]: err("%r: named as %s, the JSON report gives %s" % (key, exp, want[key]["verdict"]))
    others = {v: c for v, c in n.items() if v != exp and c}
    if n[exp] < 100 or others:
        err("%r: rendered alone, %d pixels of the %s colour #%s (want >= 100), other verdict colours %r"
            % (key, n[exp], exp, PALETTE[exp], others))
    elif key in knowns:
        print("cell %s %s: %d pixels of #%s (%s), no other verdict colour" % (key[0], key[1], n[exp], PALETTE[exp], exp))
if not errors: print("cells: %d rendered alone, each in its JSON verdict's colour only" % len(cells))
for e in errors: print("  " + e)
sys.exit(1 if errors else 0)
PY

CHROMIUM_CMD="unshare -n $CHROMIUM --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --disable-default-apps --disable-extensions --no-default-browser-check --force-color-profile=srgb --force-device-scale-factor=1 --hide-scrollbars"
export CHROMIUM_CMD
# strace, when it can trace here, lists the connections Chromium tries (see render.py).
if strace -f -qq -o /dev/null true 2>/dev/null; then STRACE=1; export STRACE; else echo "note: no strace: connect() attempts not listed"; fi

while IFS='|' read -r name args known; do
	[ -n "$name" ] || continue
	# shellcheck disable=SC2086
	"$A" -q --html "$t/$name.html" $args >/dev/null 2>"$t/$name.err"
	rc=$?
	if [ $rc -gt 2 ] || [ ! -s "$t/$name.html" ]; then bad "$name: dnsfrag-analyze exit $rc"; cat "$t/$name.err"; continue; fi
	# tidy: strict, HTML5 and XML. --drop-empty-elements no: the legend's colour
	# swatches are empty <span>s (valid HTML5, sized by CSS); without it tidy
	# warns "trimming empty <span>", a note about its own clean-up, not an error.
	if tidy -q -e --doctype html5 --drop-empty-elements no "$t/$name.html" >"$t/tidy" 2>&1 && [ ! -s "$t/tidy" ]; then
		ok "$name: tidy (HTML5): no warnings"
	else
		bad "$name: tidy (HTML5):"; head -20 "$t/tidy"
	fi
	if tidy -q -e -xml "$t/$name.html" >"$t/tidy" 2>&1 && [ ! -s "$t/tidy" ]; then
		ok "$name: tidy -xml: no warnings"
	else
		bad "$name: tidy -xml:"; head -20 "$t/tidy"
	fi
	# shellcheck disable=SC2086
	"$A" -q --json $args >"$t/$name.json" 2>/dev/null
	mkdir -p "$t/w-$name"
	if "$PY" "$t/render.py" "$t/$name.html" "$t/$name.json" "$t/w-$name" "$known" >"$t/out" 2>&1; then
		ok "$name: chromium (no network):"; sed 's/^/       /' "$t/out"
	else
		bad "$name: chromium (no network):"; cat "$t/out"
		tail -5 "$t/w-$name/chromium.log" 2>/dev/null
	fi
done <<EOF
$CASES
EOF

# The fleet page (dnsfrag-report --merge --html): tidy both ways, and its matrix
# in Chromium's DOM against --merge --json (one more browser start; the cells'
# colours are the shared ones checked on the pages above).
R=${DNSFRAG_REPORT:-bin/dnsfrag-report}
"$A" -q --json --site pop-a $L/clean-probe.pcap >"$t/fa.json" 2>/dev/null
"$A" -q --format jsonl --site pop-b $L/clean-mb1-to-probe.pcap >"$t/fb.jsonl" 2>/dev/null
"$A" -q --json --site pop-c $L/drop-v4-nonfirst-frags-probe.pcap >"$t/fc.json" 2>/dev/null
"$A" -q --json --site pop-d $L/tcp-blocked-probe.pcap >"$t/fd.json" 2>/dev/null
"$A" -q --json --site pop-e $L/mtu1280-pmtu-blackhole-probe.pcap >"$t/fe.json" 2>/dev/null
set -- "$t/fa.json" "$t/fb.jsonl" "$t/fc.json" "$t/fd.json" "$t/fe.json"
"$R" --merge --html "$t/fleet.html" "$@" >/dev/null 2>&1
"$R" --merge --json "$@" >"$t/fleet.json" 2>/dev/null
if [ ! -s "$t/fleet.html" ] || [ ! -s "$t/fleet.json" ]; then
	bad "fleet: no page or JSON from $R"
else
	if tidy -q -e --doctype html5 --drop-empty-elements no "$t/fleet.html" >"$t/tidy" 2>&1 && [ ! -s "$t/tidy" ]; then
		ok "fleet: tidy (HTML5): no warnings"; else bad "fleet: tidy (HTML5):"; head -20 "$t/tidy"; fi
	if tidy -q -e -xml "$t/fleet.html" >"$t/tidy" 2>&1 && [ ! -s "$t/tidy" ]; then
		ok "fleet: tidy -xml: no warnings"; else bad "fleet: tidy -xml:"; head -20 "$t/tidy"; fi
	mkdir -p "$t/w-fleet"
	if "$PY" "$t/render.py" "$t/fleet.html" "$t/fleet.json" "$t/w-fleet" "" fleet >"$t/out" 2>&1; then
		ok "fleet: chromium (no network):"; sed 's/^/       /' "$t/out"
	else
		bad "fleet: chromium (no network):"; cat "$t/out"; tail -5 "$t/w-fleet/chromium.log" 2>/dev/null
	fi
fi
exit $fail
