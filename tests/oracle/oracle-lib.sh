# oracle-lib.sh - shared by the oracle tests (sourced, not run): tshark's counts,
# the analyzer's counts, and the comparison against a known-differences table.
#
# A count is a number per (file, key). tshark's are frames matching a display
# filter, exactly as ../shared/real-pcaps/README.md defines them; ours are what
# `dnsfrag-analyze --counts FILE` prints (one "key<TAB>value" line per count).
# The pseudo-key "accepted" is 1 when a tool reads the file at all, so a file one
# tool refuses is a difference like any other.

# key<TAB>tshark display filter
ORACLE_FILTERS='packets	frame
ip4_frags	ip.flags.mf==1 || ip.frag_offset>0
ip6_frags	ipv6.fraghdr
dns_queries	dns.flags.response==0
dns_responses	dns.flags.response==1
dns_tc	dns.flags.truncated==1
icmp_fragneeded	icmp.type==3 && icmp.code==4
icmp6_ptb	icmpv6.type==2
icmp_timeexceeded	icmp.type==11 || icmpv6.type==3'
ORACLE_KEYS=$(printf '%s\n' "$ORACLE_FILTERS" | cut -f1 | tr '\n' ' ')

oracle_tmp=$(mktemp -d)
trap 'rm -rf "$oracle_tmp"' EXIT INT TERM
# Default preferences whatever the user's profile says (reassembly on, one pass).
mkdir -p "$oracle_tmp/wsconfig"
export WIRESHARK_CONFIG_DIR="$oracle_tmp/wsconfig"

# oracle_tshark FILE: print "key<TAB>count" for accepted and every filter.
# One tshark per filter is the definition; they run in parallel to save time.
# tshark reads a file that ends mid-record up to the cut (exit 2, frames printed),
# so it accepted the file when it exited 0 or printed any frame.
oracle_tshark() {
	printf '%s\n' "$ORACLE_FILTERS" | {
		i=0
		while IFS='	' read -r key filter; do
			i=$((i + 1))
			{ tshark -n -r "$1" -Y "$filter" 2>/dev/null; echo $? >"$oracle_tmp/rc.$i"; } | wc -l | tr -d ' ' >"$oracle_tmp/t.$i" &
		done
		wait
	}
	if [ "$(cat "$oracle_tmp/rc.1")" = 0 ] || [ "$(cat "$oracle_tmp/t.1")" != 0 ]; then
		echo "accepted	1"
	else
		echo "accepted	0"
	fi
	i=0
	printf '%s\n' "$ORACLE_FILTERS" | while IFS='	' read -r key filter; do
		i=$((i + 1))
		printf '%s\t%s\n' "$key" "$(cat "$oracle_tmp/t.$i")"
	done
}

# oracle_tshark_cached FILE: the same, remembered under build/oracle-cache by the
# file's SHA-256, tshark's version and the filters (about 1 s of tshark per file).
oracle_tshark_cached() {
	cache=${ORACLE_CACHE:-$top/${B:-build}/oracle-cache}
	mkdir -p "$cache"
	[ -n "${oracle_tshark_version:-}" ] || oracle_tshark_version=$(tshark --version 2>/dev/null | head -n 1)
	id=$({ sha256sum <"$1"; echo "$oracle_tshark_version"; echo "$ORACLE_FILTERS"; } | sha256sum | cut -c1-32)
	[ -s "$cache/$id" ] || { oracle_tshark "$1" >"$cache/$id.tmp" && mv "$cache/$id.tmp" "$cache/$id"; }
	cat "$cache/$id"
}

# oracle_analyzer FILE: "key<TAB>value" lines from the analyzer, with accepted.
# Accepted means it printed counts; a refusal must also exit non-zero.
oracle_analyzer() {
	"$ORACLE_ANALYZE" --counts "$1" >"$oracle_tmp/a.out" 2>"$oracle_tmp/a.err"
	rc=$?
	if grep -q '^packets	' "$oracle_tmp/a.out"; then
		echo "accepted	1"
		cat "$oracle_tmp/a.out"
	elif [ $rc -eq 0 ]; then
		echo "accepted	exit-0-without-counts"
	else
		echo "accepted	0"
		sed 's/^/    analyzer: /' "$oracle_tmp/a.err" | head -n 3 >&2
	fi
}

# oracle_find_analyzer TOP: set ORACLE_ANALYZE or explain and return 1.
oracle_find_analyzer() {
	ORACLE_ANALYZE=${DNSFRAG_ANALYZE:-$1/bin/dnsfrag-analyze}
	if [ ! -x "$ORACLE_ANALYZE" ]; then
		echo "FAIL: $ORACLE_ANALYZE not built (make bin/dnsfrag-analyze)"
		return 1
	fi
}

# oracle_value TSV KEY: the value of KEY in a "key<TAB>value" file, or "-".
oracle_value() {
	awk -F'\t' -v k="$2" '$1 == k { v = $2 } END { print (v == "" ? "-" : v) }' "$1"
}

# oracle_results FILE OURS THEIRS: append "file<TAB>key<TAB>ours<TAB>theirs" lines for
# accepted and, when both tools read the file, every key of ORACLE_COLUMNS.
oracle_results() {
	for key in accepted ${ORACLE_COLUMNS:-$ORACLE_KEYS}; do
		o=$(oracle_value "$2" "$key")
		t=$(oracle_value "$3" "$key")
		printf '%s\t%s\t%s\t%s\n' "$1" "$key" "$o" "$t"
		if [ "$key" = accepted ] && { [ "$o" != 1 ] || [ "$t" != 1 ]; }; then break; fi
	done
}

# oracle_compare RESULTS TABLE: RESULTS has "file<TAB>key<TAB>ours<TAB>theirs"
# lines, TABLE is a known-differences TSV (file, key, ours, theirs, reason; a
# header line and # comments allowed). Prints one row per file (a cell is the
# value when both agree, ours/theirs plus * for a listed difference or ! for a
# failure), each listed difference with its reason, then every failure in words.
# Returns 0 when nothing failed.
oracle_compare() {
	awk -F'\t' -v keys="${ORACLE_COLUMNS:-$ORACLE_KEYS}" -v theirs_name="${ORACLE_THEIRS:-tshark}" '
	function short(k) { sub(/^dns_/, "", k); return k }
	function col(k) { return length(short(k)) > 7 ? length(short(k)) : 7 }
	FNR == NR {
		if ($0 ~ /^#/ || $1 == "file" || NF < 5) next
		want[$1 SUBSEP $2] = $3 SUBSEP $4; why[$1 SUBSEP $2] = $5; order[++nrow] = $1 SUBSEP $2
		next
	}
	{
		f = $1; k = $2; o = $3; t = $4; id = f SUBSEP k
		if (!(f in seenfile)) { seenfile[f] = 1; files[++nf] = f }
		cell = o
		if (id in want) {
			used[id] = 1; split(want[id], w, SUBSEP)
			if (o == w[1] && t == w[2]) { cell = o "/" t "*"; knowns[++known] = f " " k ": " why[id] }
			else {
				cell = o "/" t "!"
				if (o == t) msg = "listed difference no longer occurs (both " o "): delete its row"
				else msg = "table says ours=" w[1] " " theirs_name "=" w[2]
				fails[++nfail] = f " " k ": ours=" o " " theirs_name "=" t "; " msg
			}
		} else if (o != t) {
			cell = o "/" t "!"
			fails[++nfail] = f " " k ": ours=" o " " theirs_name "=" t "; unexplained (fix the analyzer, or add a row with the reason)"
		}
		row[f SUBSEP k] = cell
	}
	END {
		nk = split(keys, K, " ")
		fw = 34
		for (j = 1; j <= nf; j++) if (length(files[j]) > fw) fw = length(files[j])
		printf "%-*s %-8s", fw, "file (cells: ours/" theirs_name " * known, ! fail)", "accepted"
		for (i = 1; i <= nk; i++) printf " %-*s", col(K[i]), short(K[i])
		printf "\n"
		for (j = 1; j <= nf; j++) {
			f = files[j]
			printf "%-*s %-8s", fw, f, row[f SUBSEP "accepted"]
			for (i = 1; i <= nk; i++) printf " %-*s", col(K[i]), ((f SUBSEP K[i]) in row) ? row[f SUBSEP K[i]] : "."
			printf "\n"
		}
		for (r = 1; r <= nrow; r++) if (!(order[r] in used)) {
			split(order[r], p, SUBSEP)
			fails[++nfail] = p[1] " " p[2] ": listed in the table but not compared (file gone or refused): delete its row"
		}
		printf "\n%d known differences, %d failures\n", known, nfail
		for (i = 1; i <= known; i++) print "known " knowns[i]
		for (i = 1; i <= nfail; i++) print "FAIL " fails[i]
		exit nfail > 0
	}' "$2" "$1"
}
