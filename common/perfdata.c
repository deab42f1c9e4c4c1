/* perfdata.c - Nagios / Icinga performance data (see perfdata.h). */
#include "perfdata.h"

#include <inttypes.h>

static void perf_bytes(FILE *out, const char *fam, const char *label, uint32_t v)
{
	if (v)
		fprintf(out, " '%s%s'=%uB;;;0", fam, label, v);
	else
		fprintf(out, " '%s%s'=U", fam, label);
}

static void perf_count(FILE *out, const char *fam, const char *label, uint64_t v)
{
	fprintf(out, " '%s%s'=%" PRIu64 ";;;0", fam, label, v);
}

/* part of whole in percent, one decimal at most ("50", "33.3"); U when whole is 0. */
static void perf_pct(FILE *out, const char *fam, const char *label, uint64_t part, uint64_t whole)
{
	if (!whole) {
		fprintf(out, " '%s%s'=U", fam, label);
		return;
	}
	uint64_t tenths = (part * 1000 + whole / 2) / whole;
	if (tenths % 10)
		fprintf(out, " '%s%s'=%" PRIu64 ".%" PRIu64 "%%;;;0;100", fam, label, tenths / 10, tenths % 10);
	else
		fprintf(out, " '%s%s'=%" PRIu64 "%%;;;0;100", fam, label, tenths / 10);
}

void report_perfdata_write(const void *ctx, const report_t *r, FILE *out)
{
	(void)ctx;
	fputs(" |", out);
	for (int i = 0; i < 2; i++) {
		const report_family_t *f = &r->fam[i];
		const char *fam = i == 0 ? "v4_" : "v6_";
		uint32_t largest_fragmented = 0;
		for (uint32_t k = 0; k < r->npaths; k++)
			if (r->paths[k].server.family == f->family && r->paths[k].largest_fragmented > largest_fragmented)
				largest_fragmented = r->paths[k].largest_fragmented;
		uint64_t lost = f->c.verdict[TXN_FRAGMENTS_LOST] + f->c.verdict[TXN_DISCARDED];
		perf_count(out, fam, "transactions", f->c.total);
		perf_count(out, fam, "delivered", f->c.delivered);
		perf_count(out, fam, "failed_both", f->c.critical);
		perf_bytes(out, fam, "largest_whole", f->largest_whole);
		perf_bytes(out, fam, "largest_fragmented", largest_fragmented);
		perf_pct(out, fam, "frag_loss", lost, lost + f->c.verdict[TXN_FRAGMENTED]);
		perf_pct(out, fam, "no_answer", f->c.verdict[TXN_NO_ANSWER], f->c.total);
	}
	perf_bytes(out, "", "recommended_edns", r->recommended);
}
