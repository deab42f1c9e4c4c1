/* points_out.c - the "Where fragments die" text section and the "points" JSON
 * key (dnsfrag-json(5)): findings per segment and direction, per-segment
 * counts, evidence with frame numbers at each point, and what makes the
 * evidence ambiguous. Both writers render the same findings, built here. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dnsview.h"
#include "json.h"
#include "points_int.h"

typedef struct finding {
	uint32_t i, j;         /* the segment, i < j */
	uint8_t dir, fam;      /* fam 0 IPv4, 1 IPv6 */
	points_loss_t loss;
	uint64_t n, frags;
	int ambiguous;
	char sentence[400];
} finding_t;

#define MAX_FINDINGS (POINTS_MAX * POINTS_MAX * POINTS_DIR_COUNT * 2 * POINTS_LOSS_COUNT)

/* "mb1" from "mb1:to-probe" or "mb1-to-probe"; 0 when the label names no node. */
static size_t node_of(const char *label)
{
	const char *colon = strchr(label, ':');
	const char *to = strstr(label, "-to-");
	if (colon && (!to || colon < to))
		return (size_t)(colon - label);
	return to ? (size_t)(to - label) : 0;
}

/* " (inside mb1)" when both points are interfaces of one node. */
static void inside_str(const points_t *pt, uint32_t i, uint32_t j, char *buf, size_t len)
{
	buf[0] = '\0';
	const char *a = pt->pts[i].label, *b = pt->pts[j].label;
	size_t na = node_of(a), nb = node_of(b);
	if (na && na == nb && !strncmp(a, b, na))
		snprintf(buf, len, "%.*s", (int)na, a);
}

/* The segment in travel order: "X and Y" with X where the datagrams enter. */
static void segment_str(const points_t *pt, uint32_t i, uint32_t j, uint8_t dir, char *buf, size_t len)
{
	const char *up = dir == POINTS_DIR_QUERY ? pt->pts[i].label : pt->pts[j].label;
	const char *down = dir == POINTS_DIR_QUERY ? pt->pts[j].label : pt->pts[i].label;
	char inside[POINTS_LABEL_MAX];
	inside_str(pt, i, j, inside, sizeof inside);
	if (inside[0])
		snprintf(buf, len, "between %s and %s (inside %s)", up, down, inside);
	else
		snprintf(buf, len, "between %s and %s", up, down);
}

static int point_doubtful(const points_t *pt, uint32_t p)
{
	const points_point_t *pp = &pt->pts[p];
	return pp->missed[0] || pp->missed[1] || pp->capture_problems || pp->unattributed_trains;
}

static int segment_doubtful(const points_t *pt, uint32_t i, uint32_t j, uint8_t dir)
{
	for (uint32_t p = i; p <= j; p++)
		if (point_doubtful(pt, p))
			return 1;
	return pt->seg[i][j][dir].appeared != 0;
}

static uint32_t findings_build(const points_t *pt, finding_t *out)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < pt->npoints; i++)
		for (uint32_t j = i + 1; j < pt->npoints; j++)
			for (uint8_t dir = 0; dir < POINTS_DIR_COUNT; dir++)
				for (uint8_t fam = 0; fam < 2; fam++)
					for (int l = 0; l < POINTS_LOSS_COUNT; l++) {
						const points_segment_counts_t *sc = &pt->seg[i][j][dir];
						if (!sc->lost[fam][l])
							continue;
						finding_t *f = &out[n++];
						memset(f, 0, sizeof *f);
						f->i = i;
						f->j = j;
						f->dir = dir;
						f->fam = fam;
						f->loss = (points_loss_t)l;
						f->n = sc->lost[fam][l];
						f->frags = sc->frags_lost[fam][l];
						f->ambiguous = segment_doubtful(pt, i, j, dir);
						char where[200];
						segment_str(pt, i, j, dir, where, sizeof where);
						const char *what = dir == POINTS_DIR_QUERY ? "quer" : "answer";
						const char *pl = dir == POINTS_DIR_QUERY ? (f->n == 1 ? "y" : "ies") : (f->n == 1 ? "" : "s");
						int v = fam ? 6 : 4;
						const char *dirs = dir == POINTS_DIR_QUERY ? "query direction" : "answer direction";
						switch (f->loss) {
						case POINTS_LOSS_WHOLE:
							snprintf(f->sentence, sizeof f->sentence,
							         "unfragmented IPv%d %ss vanish %s, %s: %" PRIu64 " %s%s", v,
							         dir == POINTS_DIR_QUERY ? "querie" : "answer", where, dirs, f->n, what, pl);
							break;
						case POINTS_LOSS_ALL:
							snprintf(f->sentence, sizeof f->sentence,
							         "all fragments of IPv%d %ss vanish %s, %s: %" PRIu64 " fragmented %s%s, %" PRIu64
							         " fragment(s)",
							         v, dir == POINTS_DIR_QUERY ? "querie" : "answer", where, dirs, f->n, what, pl,
							         f->frags);
							break;
						case POINTS_LOSS_FIRST:
							snprintf(f->sentence, sizeof f->sentence,
							         "first IPv%d fragments vanish %s, %s: %" PRIu64 " %s%s lost their first fragment (%" PRIu64
							         " fragment(s) lost in all)",
							         v, where, dirs, f->n, what, pl, f->frags);
							break;
						case POINTS_LOSS_NONFIRST:
							snprintf(f->sentence, sizeof f->sentence,
							         "non-first IPv%d fragments vanish %s, %s: %" PRIu64 " %s%s lost %" PRIu64
							         " fragment(s); their first fragments passed",
							         v, where, dirs, f->n, what, pl, f->frags);
							break;
						case POINTS_LOSS_TCP:
						default:
							snprintf(f->sentence, sizeof f->sentence,
							         "DNS TCP segments (IPv%d) vanish %s, towards the %s: %" PRIu64 " segment(s)", v, where,
							         dir == POINTS_DIR_QUERY ? "server" : "client", f->n);
							break;
						}
					}
	return n;
}

static void frames_str(const points_evidence_t *e, uint32_t p, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (uint32_t k = 0; k < e->at[p].nframes && o < len; k++)
		o += (size_t)snprintf(buf + o, len - o, "%s%" PRIu64, k ? " " : "", e->at[p].frames[k]);
}

static const char *const loss_text[POINTS_LOSS_COUNT] = {
	"the whole datagram", "every fragment", "the first fragment", "non-first fragments", "the segment",
};

static void evidence_text(const points_t *pt, const points_evidence_t *e, uint32_t idx, FILE *out)
{
	char where[200], type[24];
	uint32_t i = e->from < e->to ? e->from : e->to, j = e->from < e->to ? e->to : e->from;
	segment_str(pt, i, j, e->dir, where, sizeof where);
	if (e->tcp) {
		fprintf(out, "    #%u TCP IPv%u towards the %s, %u payload bytes%s%s%s: lost %s\n", idx + 1, e->family,
		        e->dir == POINTS_DIR_QUERY ? "server" : "client", e->dns_len, e->tcp_flags & 2 ? " SYN" : "",
		        e->tcp_flags & 1 ? " FIN" : "", e->tcp_flags & 4 ? " RST" : "", where);
	} else {
		fprintf(out, "    #%u %s IPv%u id %u %s %s (%u bytes): %s lost %s", idx + 1, points_dir2str(e->dir), e->family,
		        e->dns_id, e->qname[0] ? e->qname : "(no question)", dns_type2str(e->qtype, type, sizeof type),
		        e->dns_len, loss_text[e->loss], where);
		if (e->loss != POINTS_LOSS_WHOLE)
			fprintf(out, " (%u fragment%s)", e->frags_lost, e->frags_lost == 1 ? "" : "s");
		fputc('\n', out);
	}
	fputs("       ", out);
	uint32_t n = pt->npoints;
	for (uint32_t k = 0; k < n; k++) {
		uint32_t p = e->dir == POINTS_DIR_QUERY ? k : n - 1 - k;
		char fr[160];
		frames_str(e, p, fr, sizeof fr);
		fprintf(out, "%s%s: ", k ? "; " : "", pt->pts[p].label);
		if (!e->at[p].seen)
			fputs(e->at[p].covered ? "not seen" : "not captured then", out);
		else if (e->at[p].nfrags)
			fprintf(out, "%u fragment%s%s, frame%s %s", e->at[p].nfrags, e->at[p].nfrags == 1 ? "" : "s",
			        e->at[p].complete ? " (complete)" : "", e->at[p].nframes == 1 ? "" : "s", fr);
		else
			fprintf(out, "frame %s", fr);
	}
	fputc('\n', out);
}

/* Notes on what makes the evidence weaker; returns how many were written. */
static int ambiguity_notes(const points_t *pt, FILE *out, json_writer_t *w)
{
	int n = 0;
	char line[400];
#define NOTE()                                   \
	do {                                         \
		if (out)                                 \
			fprintf(out, "    - %s\n", line);    \
		if (w)                                   \
			json_string(w, line);                \
		n++;                                     \
	} while (0)
	for (uint32_t p = 0; p < pt->npoints; p++) {
		const points_point_t *pp = &pt->pts[p];
		if (pp->missed[0] || pp->missed[1]) {
			snprintf(line, sizeof line,
			         "%s missed %" PRIu64 " quer%s and %" PRIu64 " answer(s) that points on both sides of it saw%s",
			         pp->label, pp->missed[0], pp->missed[0] == 1 ? "y" : "ies", pp->missed[1],
			         pp->missed[0] && pp->missed[1] ? ": its capture dropped packets in both directions, so losses "
			                                          "next to it are uncertain"
			                                        : " (a capture drop there?)");
			NOTE();
		}
		if (pp->capture_problems) {
			snprintf(line, sizeof line, "%s: the capture file is cut or unreadable in places (%" PRIu64 ")", pp->label,
			         pp->capture_problems);
			NOTE();
		}
		if (pp->unattributed_trains) {
			snprintf(line, sizeof line,
			         "%s: %" PRIu64 " fragment train(s) (%" PRIu64 " fragments) without a first fragment matched no "
			         "datagram seen at another point (re-fragmented, or not seen elsewhere)",
			         pp->label, pp->unattributed_trains, pp->unattributed_frags);
			NOTE();
		}
		if (pp->trains_evicted || pp->frags_not_kept) {
			snprintf(line, sizeof line,
			         "%s: limits reached: %" PRIu64 " open fragment train(s) evicted, %" PRIu64
			         " fragment(s) not kept",
			         pp->label, pp->trains_evicted, pp->frags_not_kept);
			NOTE();
		}
	}
	for (uint32_t i = 0; i < pt->npoints; i++)
		for (uint32_t j = i + 1; j < pt->npoints; j++)
			for (uint8_t d = 0; d < POINTS_DIR_COUNT; d++) {
				const points_segment_counts_t *sc = &pt->seg[i][j][d];
				if (!sc->appeared)
					continue;
				const char *up = d == POINTS_DIR_QUERY ? pt->pts[i].label : pt->pts[j].label;
				const char *down = d == POINTS_DIR_QUERY ? pt->pts[j].label : pt->pts[i].label;
				snprintf(line, sizeof line,
				         "%" PRIu64 " %s datagram(s) or TCP segment(s) first seen at %s although %s was capturing "
				         "(%s missed them, or something between sent them)",
				         sc->appeared, points_dir2str(d), down, up, up);
				NOTE();
			}
	if (pt->totals.evicted_early) {
		snprintf(line, sizeof line, "%" PRIu64 " datagram(s) judged early: more than %u in the matching window",
		         pt->totals.evicted_early, pt->cfg.max_open);
		NOTE();
	}
#undef NOTE
	return n;
}

/* ---- ICMP errors */

static uint64_t icmp_sum(const uint64_t v[ICMP_KIND_COUNT])
{
	uint64_t n = 0;
	for (int k = 0; k < ICMP_KIND_COUNT; k++)
		n += v[k];
	return n;
}

static int icmp_any(const points_t *pt)
{
	if (pt->totals.icmp_errors)
		return 1;
	for (uint32_t p = 0; p < pt->npoints; p++)
		if (pt->pts[p].icmp_undirected)
			return 1;
	return 0;
}

/* "2 packet-too-big about answers reached outside but not inside: ..." */
static void icmp_sentence(const points_t *pt, uint32_t i, uint32_t j, uint8_t dir, int kind, int originated,
                          uint64_t n, char *buf, size_t len)
{
	const char *up = dir == POINTS_DIR_QUERY ? pt->pts[i].label : pt->pts[j].label;
	const char *down = dir == POINTS_DIR_QUERY ? pt->pts[j].label : pt->pts[i].label;
	const char *about = dir == POINTS_DIR_QUERY ? (n == 1 ? "an answer" : "answers") : (n == 1 ? "a query" : "queries");
	const char *toward = dir == POINTS_DIR_QUERY ? "the server" : "the client";
	char where[200];
	segment_str(pt, i, j, dir, where, sizeof where);
	int pmtu = kind == ICMP_KIND_NEEDS_FRAG || kind == ICMP_KIND_PACKET_TOO_BIG;
	if (originated)
		snprintf(buf, len,
		         "%" PRIu64 " ICMP %s about %s (toward %s) first seen at %s, not at %s although it was capturing: "
		         "sent by a router %s",
		         n, icmp_kind2str((icmp_kind_t)kind), about, toward, down, up, where);
	else
		snprintf(buf, len, "%" PRIu64 " ICMP %s about %s (toward %s) reached %s but not %s: ICMP filtered %s%s", n,
		         icmp_kind2str((icmp_kind_t)kind), about, toward, up, down, where,
		         pmtu && dir == POINTS_DIR_QUERY ? " - a PMTU black hole" : "");
}

static void icmp_text(const points_t *pt, FILE *out)
{
	if (!icmp_any(pt))
		return;
	fprintf(out,
	        "  ICMP errors about DNS over UDP: %" PRIu64 ", %" PRIu64
	        " seen at every point whose capture ran (matched by kind, code and the quoted DNS bytes; quoted "
	        "addresses and ports may differ)\n",
	        pt->totals.icmp_errors, pt->totals.icmp_matched_all);
	for (uint32_t p = 0; p < pt->npoints; p++) {
		const points_point_t *pp = &pt->pts[p];
		fprintf(out, "    %s: %" PRIu64 " toward the server (about answers), %" PRIu64 " toward the client (about queries)",
		        pp->label, pp->icmp_seen[POINTS_DIR_QUERY], pp->icmp_seen[POINTS_DIR_ANSWER]);
		if (pp->icmp_undirected)
			fprintf(out, "; %" PRIu64 " about non-first fragments (no ports, not matched)", pp->icmp_undirected);
		fputc('\n', out);
	}
	char line[400];
	for (uint32_t i = 0; i < pt->npoints; i++)
		for (uint32_t j = i + 1; j < pt->npoints; j++)
			for (uint8_t d = 0; d < POINTS_DIR_COUNT; d++)
				for (int o = 0; o < 2; o++)
					for (int k = 0; k < ICMP_KIND_COUNT; k++) {
						const points_segment_counts_t *sc = &pt->seg[i][j][d];
						uint64_t n = o ? sc->icmp_originated[k] : sc->icmp_dropped[k];
						if (!n)
							continue;
						icmp_sentence(pt, i, j, d, k, o, n, line, sizeof line);
						fprintf(out, "    %s\n", line);
					}
	fprintf(out, "    Per segment (ICMP errors seen where they enter / also where they leave):\n");
	for (uint32_t i = 0; i + 1 < pt->npoints; i++) {
		const points_segment_counts_t *q = &pt->seg[i][i + 1][POINTS_DIR_QUERY], *a = &pt->seg[i][i + 1][POINTS_DIR_ANSWER];
		fprintf(out,
		        "      %s - %s: toward the server %" PRIu64 "/%" PRIu64 ", toward the client %" PRIu64 "/%" PRIu64
		        "; dropped %" PRIu64 ", originated %" PRIu64 "\n",
		        pt->pts[i].label, pt->pts[i + 1].label, q->icmp_upstream, q->icmp_downstream, a->icmp_upstream,
		        a->icmp_downstream, icmp_sum(q->icmp_dropped) + icmp_sum(a->icmp_dropped),
		        icmp_sum(q->icmp_originated) + icmp_sum(a->icmp_originated));
	}
	for (uint32_t x = 0; x < pt->nicmp_evidence; x++) {
		const points_icmp_evidence_t *e = &pt->icmp_evidence[x];
		uint32_t i = e->from < e->to ? e->from : e->to, j = e->from < e->to ? e->to : e->from;
		char where[200];
		segment_str(pt, i, j, e->dir, where, sizeof where);
		if (!x)
			fprintf(out, "    ICMP evidence (frame numbers in each point's file, in the order the error travels):\n");
		fprintf(out, "      #%u ICMPv%s %s (type %u code %u", x + 1, e->family == 6 ? "6" : "4",
		        icmp_kind2str(e->kind), e->type, e->code);
		if (e->mtu)
			fprintf(out, ", MTU %u", e->mtu);
		fprintf(out, ") about %s", e->dir == POINTS_DIR_QUERY ? "an answer" : "a query");
		if (e->has_dns_id)
			fprintf(out, " id %u", e->dns_id);
		if (e->quoted_fragment)
			fprintf(out, " (a first fragment)");
		fprintf(out, ": %s %s\n       ", e->fate == POINTS_ICMP_DROPPED ? "dropped" : "originated", where);
		uint32_t n = pt->npoints;
		for (uint32_t k = 0; k < n; k++) {
			uint32_t p = e->dir == POINTS_DIR_QUERY ? k : n - 1 - k;
			fprintf(out, "%s%s: ", k ? "; " : "", pt->pts[p].label);
			if (!e->at[p].seen)
				fputs(e->at[p].covered ? "not seen" : "not captured then", out);
			else
				fprintf(out, "frame %" PRIu64, e->at[p].frame);
		}
		fputc('\n', out);
	}
	if (pt->totals.icmp_evidence_dropped)
		fprintf(out, "      (%" PRIu64 " more not shown)\n", pt->totals.icmp_evidence_dropped);
	if (pt->totals.icmp_judged_early)
		fprintf(out, "    %" PRIu64 " ICMP error(s) judged early: more than %u in the matching window\n",
		        pt->totals.icmp_judged_early, POINTS_MAX_ICMP);
}

static void json_icmp_kinds(json_writer_t *w, const char *key, const uint64_t v[ICMP_KIND_COUNT])
{
	json_key(w, key);
	json_object_begin(w);
	for (int k = 1; k < ICMP_KIND_COUNT; k++)
		json_kv_uint(w, icmp_kind2str((icmp_kind_t)k), v[k]);
	json_object_end(w);
}

static void icmp_json(const points_t *pt, json_writer_t *w)
{
	json_key(w, "icmp");
	json_object_begin(w);
	json_kv_uint(w, "errors", pt->totals.icmp_errors);
	json_kv_uint(w, "matched_everywhere", pt->totals.icmp_matched_all);
	json_kv_uint(w, "judged_early", pt->totals.icmp_judged_early);
	json_key(w, "points");
	json_array_begin(w);
	for (uint32_t p = 0; p < pt->npoints; p++) {
		const points_point_t *pp = &pt->pts[p];
		json_object_begin(w);
		json_kv_uint(w, "index", p + 1);
		json_kv_uint(w, "toward_server", pp->icmp_seen[POINTS_DIR_QUERY]);
		json_kv_uint(w, "toward_client", pp->icmp_seen[POINTS_DIR_ANSWER]);
		json_kv_uint(w, "undirected", pp->icmp_undirected);
		json_object_end(w);
	}
	json_array_end(w);
	json_key(w, "findings");
	json_array_begin(w);
	char line[400];
	for (uint32_t i = 0; i < pt->npoints; i++)
		for (uint32_t j = i + 1; j < pt->npoints; j++)
			for (uint8_t d = 0; d < POINTS_DIR_COUNT; d++)
				for (int o = 0; o < 2; o++)
					for (int k = 0; k < ICMP_KIND_COUNT; k++) {
						const points_segment_counts_t *sc = &pt->seg[i][j][d];
						uint64_t n = o ? sc->icmp_originated[k] : sc->icmp_dropped[k];
						if (!n)
							continue;
						uint32_t up = d == POINTS_DIR_QUERY ? i : j, down = d == POINTS_DIR_QUERY ? j : i;
						icmp_sentence(pt, i, j, d, k, o, n, line, sizeof line);
						json_object_begin(w);
						json_kv_string(w, "fate", o ? "originated" : "dropped");
						json_kv_string(w, "kind", icmp_kind2str((icmp_kind_t)k));
						json_kv_string(w, "about", d == POINTS_DIR_QUERY ? "answer" : "query");
						json_kv_string(w, "toward", d == POINTS_DIR_QUERY ? "server" : "client");
						json_kv_string(w, "from", pt->pts[up].label);
						json_kv_string(w, "to", pt->pts[down].label);
						json_kv_uint(w, "from_point", up + 1);
						json_kv_uint(w, "to_point", down + 1);
						json_kv_uint(w, "errors", n);
						json_kv_string(w, "sentence", line);
						json_object_end(w);
					}
	json_array_end(w);
	json_key(w, "segments");
	json_array_begin(w);
	for (uint32_t i = 0; i + 1 < pt->npoints; i++)
		for (uint8_t d = 0; d < POINTS_DIR_COUNT; d++) {
			const points_segment_counts_t *sc = &pt->seg[i][i + 1][d];
			json_object_begin(w);
			json_kv_uint(w, "near_point", i + 1);
			json_kv_uint(w, "far_point", i + 2);
			json_kv_string(w, "toward", d == POINTS_DIR_QUERY ? "server" : "client");
			json_kv_uint(w, "upstream", sc->icmp_upstream);
			json_kv_uint(w, "downstream", sc->icmp_downstream);
			json_icmp_kinds(w, "dropped", sc->icmp_dropped);
			json_icmp_kinds(w, "originated", sc->icmp_originated);
			json_object_end(w);
		}
	json_array_end(w);
	json_key(w, "evidence");
	json_array_begin(w);
	for (uint32_t x = 0; x < pt->nicmp_evidence; x++) {
		const points_icmp_evidence_t *e = &pt->icmp_evidence[x];
		json_object_begin(w);
		json_kv_string(w, "fate", e->fate == POINTS_ICMP_DROPPED ? "dropped" : "originated");
		json_kv_uint(w, "family", e->family);
		json_kv_string(w, "kind", icmp_kind2str(e->kind));
		json_kv_uint(w, "type", e->type);
		json_kv_uint(w, "code", e->code);
		json_kv_uint(w, "mtu", e->mtu);
		json_kv_string(w, "about", e->dir == POINTS_DIR_QUERY ? "answer" : "query");
		json_key(w, "id");
		if (e->has_dns_id)
			json_uint(w, e->dns_id);
		else
			json_null(w);
		json_kv_uint(w, "from_point", e->from + 1);
		json_kv_uint(w, "to_point", e->to + 1);
		json_key(w, "at");
		json_array_begin(w);
		for (uint32_t p = 0; p < pt->npoints; p++) {
			json_object_begin(w);
			json_kv_uint(w, "point", p + 1);
			json_kv_bool(w, "captured", e->at[p].covered);
			json_kv_bool(w, "seen", e->at[p].seen);
			json_key(w, "frame");
			if (e->at[p].seen)
				json_uint(w, e->at[p].frame);
			else
				json_null(w);
			json_object_end(w);
		}
		json_array_end(w);
		json_object_end(w);
	}
	json_array_end(w);
	json_kv_uint(w, "evidence_not_shown", pt->totals.icmp_evidence_dropped);
	json_object_end(w);
}

void points_text_write(const points_t *pt, FILE *out)
{
	finding_t *f = calloc(MAX_FINDINGS, sizeof *f);
	uint32_t nf = f ? findings_build(pt, f) : 0;
	fprintf(out, "\nWhere fragments die (%u capture points in path order, client side first):\n", pt->npoints);
	for (uint32_t p = 0; p < pt->npoints; p++) {
		const points_point_t *pp = &pt->pts[p];
		fprintf(out,
		        "  %u %-16s %s: %" PRIu64 " packets; DNS over UDP %" PRIu64 " queries, %" PRIu64
		        " answers; %" PRIu64 " DNS TCP segments\n",
		        p + 1, pp->label, pp->file ? pp->file : "-", pp->packets, pp->seen[0], pp->seen[1],
		        pp->tcp_seen[0] + pp->tcp_seen[1]);
	}
	fprintf(out,
	        "  Matched by DNS id, qname and message digest (TCP: sequence numbers and payload) within %" PRId64
	        " ms, fragments by offset and bytes; addresses, ports and IP ids may differ.\n",
	        pt->cfg.window_ns / 1000000);
	uint64_t icmp_dropped = 0;
	for (uint32_t i = 0; i < pt->npoints; i++)
		for (uint32_t j = i + 1; j < pt->npoints; j++)
			for (uint8_t d = 0; d < POINTS_DIR_COUNT; d++)
				icmp_dropped += icmp_sum(pt->seg[i][j][d].icmp_dropped);
	if (!nf)
		fprintf(out, "  %s between the points: %" PRIu64 " datagrams and TCP segments, %" PRIu64
		             " seen at every point whose capture ran%s.\n",
		        icmp_dropped ? "No DNS datagram vanishes" : "Nothing vanishes", pt->totals.datagrams,
		        pt->totals.matched_all, icmp_dropped ? " (ICMP errors do: see below)" : "");
	for (uint32_t k = 0; k < nf; k++)
		fprintf(out, "  %s%s\n", f[k].sentence, f[k].ambiguous ? " (ambiguous: see below)" : "");
	if (pt->totals.beyond_last[POINTS_DIR_QUERY]) {
		const char *last = pt->pts[pt->npoints - 1].label;
		fprintf(out,
		        "  Beyond the last point: %" PRIu64 " UDP quer%s reached %s and no answer came back through it "
		        "(lost beyond %s, or never answered)\n",
		        pt->totals.beyond_last[POINTS_DIR_QUERY], pt->totals.beyond_last[POINTS_DIR_QUERY] == 1 ? "y" : "ies",
		        last, last);
	}
	fprintf(out, "  Per segment (seen where they enter / also where they leave):\n");
	for (uint32_t i = 0; i + 1 < pt->npoints; i++) {
		uint32_t j = i + 1;
		const points_segment_counts_t *q = &pt->seg[i][j][POINTS_DIR_QUERY], *a = &pt->seg[i][j][POINTS_DIR_ANSWER];
		fprintf(out,
		        "    %s - %s: queries %" PRIu64 "/%" PRIu64 ", answers %" PRIu64 "/%" PRIu64 "; TCP segments to the server %" PRIu64
		        "/%" PRIu64 ", to the client %" PRIu64 "/%" PRIu64,
		        pt->pts[i].label, pt->pts[j].label, q->upstream, q->downstream, a->upstream, a->downstream,
		        q->tcp_upstream, q->tcp_downstream, a->tcp_upstream, a->tcp_downstream);
		uint64_t nat = q->nat + a->nat, refrag = q->refragmented + a->refragmented, df = q->df_changed + a->df_changed,
		         chg = q->changed + a->changed;
		if (nat)
			fprintf(out, "; NAT (addresses or ports rewritten) %" PRIu64, nat);
		if (refrag)
			fprintf(out, "; re-fragmented %" PRIu64, refrag);
		if (df)
			fprintf(out, "; DF changed %" PRIu64, df);
		if (chg)
			fprintf(out, "; DNS message changed %" PRIu64, chg);
		fputc('\n', out);
	}
	if (pt->nevidence) {
		fprintf(out, "  Evidence (frame numbers in each point's file, in the order the datagram travels):\n");
		for (uint32_t k = 0; k < pt->nevidence; k++)
			evidence_text(pt, &pt->evidence[k], k, out);
		if (pt->totals.evidence_dropped)
			fprintf(out, "    (%" PRIu64 " more not shown)\n", pt->totals.evidence_dropped);
	}
	icmp_text(pt, out);
	fprintf(out, "  Evidence quality:\n");
	if (!ambiguity_notes(pt, out, NULL))
		fprintf(out, "    - clear: no point missed what the points on both sides of it saw, no unmatched fragments\n");
	free(f);
}

static void json_counts(json_writer_t *w, const char *key, const uint64_t v[POINTS_LOSS_COUNT])
{
	json_key(w, key);
	json_object_begin(w);
	for (int l = 0; l < POINTS_LOSS_COUNT; l++)
		json_kv_uint(w, points_loss2str((points_loss_t)l), v[l]);
	json_object_end(w);
}

void points_json_write(const points_t *pt, json_writer_t *w)
{
	finding_t *f = calloc(MAX_FINDINGS, sizeof *f);
	uint32_t nf = f ? findings_build(pt, f) : 0;
	json_key(w, "points");
	json_object_begin(w);
	json_kv_uint(w, "window_ms", (uint64_t)(pt->cfg.window_ns / 1000000));
	json_key(w, "points");
	json_array_begin(w);
	for (uint32_t p = 0; p < pt->npoints; p++) {
		const points_point_t *pp = &pt->pts[p];
		json_object_begin(w);
		json_kv_uint(w, "index", p + 1);
		json_kv_string(w, "label", pp->label);
		json_kv_string_or_null(w, "file", pp->file);
		json_kv_uint(w, "packets", pp->packets);
		json_kv_uint(w, "queries", pp->seen[0]);
		json_kv_uint(w, "answers", pp->seen[1]);
		json_kv_uint(w, "tcp_segments", pp->tcp_seen[0] + pp->tcp_seen[1]);
		json_kv_uint(w, "missed_queries", pp->missed[0]);
		json_kv_uint(w, "missed_answers", pp->missed[1]);
		json_kv_uint(w, "unattributed_trains", pp->unattributed_trains);
		json_kv_uint(w, "unattributed_fragments", pp->unattributed_frags);
		json_kv_uint(w, "capture_problems", pp->capture_problems);
		json_object_end(w);
	}
	json_array_end(w);
	json_key(w, "findings");
	json_array_begin(w);
	for (uint32_t k = 0; k < nf; k++) {
		char inside[POINTS_LABEL_MAX];
		inside_str(pt, f[k].i, f[k].j, inside, sizeof inside);
		uint32_t up = f[k].dir == POINTS_DIR_QUERY ? f[k].i : f[k].j, down = f[k].dir == POINTS_DIR_QUERY ? f[k].j : f[k].i;
		json_object_begin(w);
		json_kv_string(w, "direction", points_dir2str(f[k].dir));
		json_kv_uint(w, "family", f[k].fam ? 6 : 4);
		json_kv_string(w, "lost", points_loss2str(f[k].loss));
		json_kv_string(w, "from", pt->pts[up].label);
		json_kv_string(w, "to", pt->pts[down].label);
		json_kv_uint(w, "from_point", up + 1);
		json_kv_uint(w, "to_point", down + 1);
		json_kv_string_or_null(w, "inside", inside);
		json_kv_uint(w, "datagrams", f[k].n);
		json_kv_uint(w, "fragments", f[k].frags);
		json_kv_bool(w, "ambiguous", f[k].ambiguous);
		json_kv_string(w, "sentence", f[k].sentence);
		json_object_end(w);
	}
	json_array_end(w);
	json_kv_uint(w, "queries_unanswered_beyond_last", pt->totals.beyond_last[POINTS_DIR_QUERY]);
	json_key(w, "segments");
	json_array_begin(w);
	for (uint32_t i = 0; i + 1 < pt->npoints; i++)
		for (uint8_t d = 0; d < POINTS_DIR_COUNT; d++) {
			const points_segment_counts_t *sc = &pt->seg[i][i + 1][d];
			json_object_begin(w);
			json_kv_uint(w, "near_point", i + 1);
			json_kv_uint(w, "far_point", i + 2);
			json_kv_string(w, "direction", points_dir2str(d));
			json_kv_uint(w, "upstream", sc->upstream);
			json_kv_uint(w, "downstream", sc->downstream);
			json_kv_uint(w, "tcp_upstream", sc->tcp_upstream);
			json_kv_uint(w, "tcp_downstream", sc->tcp_downstream);
			json_counts(w, "lost_ipv4", sc->lost[0]);
			json_counts(w, "lost_ipv6", sc->lost[1]);
			json_counts(w, "fragments_lost_ipv4", sc->frags_lost[0]);
			json_counts(w, "fragments_lost_ipv6", sc->frags_lost[1]);
			json_kv_uint(w, "appeared", sc->appeared);
			json_kv_uint(w, "nat", sc->nat);
			json_kv_uint(w, "refragmented", sc->refragmented);
			json_kv_uint(w, "df_changed", sc->df_changed);
			json_kv_uint(w, "changed", sc->changed);
			json_object_end(w);
		}
	json_array_end(w);
	json_key(w, "evidence");
	json_array_begin(w);
	for (uint32_t k = 0; k < pt->nevidence; k++) {
		const points_evidence_t *e = &pt->evidence[k];
		char type[24];
		json_object_begin(w);
		json_kv_string(w, "direction", points_dir2str(e->dir));
		json_kv_uint(w, "family", e->family);
		json_kv_string(w, "transport", e->tcp ? "tcp" : "udp");
		json_kv_string(w, "lost", points_loss2str(e->loss));
		json_kv_uint(w, "from_point", e->from + 1);
		json_kv_uint(w, "to_point", e->to + 1);
		if (e->tcp) {
			json_key(w, "id");
			json_null(w);
			json_key(w, "qname");
			json_null(w);
			json_key(w, "qtype");
			json_null(w);
		} else {
			json_kv_uint(w, "id", e->dns_id);
			json_kv_string(w, "qname", e->qname);
			json_kv_string(w, "qtype", dns_type2str(e->qtype, type, sizeof type));
		}
		json_kv_uint(w, "size", e->dns_len);
		json_kv_uint(w, "fragments_lost", e->frags_lost);
		json_key(w, "at");
		json_array_begin(w);
		for (uint32_t p = 0; p < pt->npoints; p++) {
			json_object_begin(w);
			json_kv_uint(w, "point", p + 1);
			json_kv_bool(w, "captured", e->at[p].covered);
			json_kv_bool(w, "seen", e->at[p].seen);
			json_kv_bool(w, "whole", e->at[p].complete);
			json_kv_uint(w, "fragments", e->at[p].nfrags);
			json_key(w, "frames");
			json_array_begin(w);
			for (uint32_t x = 0; x < e->at[p].nframes; x++)
				json_uint(w, e->at[p].frames[x]);
			json_array_end(w);
			json_object_end(w);
		}
		json_array_end(w);
		json_object_end(w);
	}
	json_array_end(w);
	json_kv_uint(w, "evidence_not_shown", pt->totals.evidence_dropped);
	json_kv_uint(w, "datagrams", pt->totals.datagrams);
	json_kv_uint(w, "matched_everywhere", pt->totals.matched_all);
	json_kv_uint(w, "judged_early", pt->totals.evicted_early);
	json_key(w, "ambiguous");
	json_array_begin(w);
	int notes = ambiguity_notes(pt, NULL, w);
	json_array_end(w);
	json_kv_bool(w, "clear", notes == 0);
	icmp_json(pt, w);
	json_object_end(w);
	free(f);
}

void points_json_chain(points_t *pt, void (*prev)(const void *, struct json_writer *), const void *prev_ctx)
{
	pt->json_prev = prev;
	pt->json_prev_ctx = prev_ctx;
}

void points_json_extra(const void *ctx, json_writer_t *w)
{
	const points_t *pt = ctx;
	if (pt->json_prev)
		pt->json_prev(pt->json_prev_ctx, w);
	points_json_write(pt, w);
}
