/* oarc.c - reading the reply-size test's TXT answer (see oarc.h). */
#include "oarc.h"

#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char limit_text[] = " DNS reply size limit is at least ";
static const char edns_text[] = " sent EDNS buffer size ";

/* "N bytes" / "N" after a prefix; 0 when not a number. */
static uint32_t number_after(const char *s, const char *prefix)
{
	const char *p = strstr(s, prefix);
	if (!p)
		return 0;
	p += strlen(prefix);
	char *end;
	unsigned long v = strtoul(p, &end, 10);
	if (end == p || v > 65535)
		return 0;
	return (uint32_t)v;
}

static void oarc_string_note(oarc_result_t *r, const char *s)
{
	if (r->nstrings < OARC_MAX_STRINGS)
		snprintf(r->strings[r->nstrings++], sizeof r->strings[0], "%s", s);
	uint32_t v = number_after(s, limit_text);
	if (v && strstr(s, " bytes")) {
		r->limit = v;
		r->available = 1;
		size_t n = (size_t)(strstr(s, limit_text) - s);
		snprintf(r->reporter, sizeof r->reporter, "%.*s", (int)(n < 63 ? n : 63), s);
	}
	v = number_after(s, edns_text);
	if (v)
		r->edns = v;
}

/* Every character-string of one TXT record. */
static void oarc_txt_note(oarc_result_t *r, const ldns_rr *rr)
{
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *rdf = ldns_rr_rdf(rr, i);
		const uint8_t *d = ldns_rdf_data(rdf);
		size_t sz = ldns_rdf_size(rdf);
		if (sz < 1 || (size_t)d[0] + 1 > sz)
			continue;
		char s[256];
		memcpy(s, d + 1, d[0]);
		s[d[0]] = '\0';
		oarc_string_note(r, s);
	}
}

void oarc_answer_parse(const uint8_t *msg, size_t len, oarc_result_t *r)
{
	memset(r, 0, sizeof *r);
	ldns_pkt *pkt = NULL;
	if (!msg || len == 0) {
		snprintf(r->why, sizeof r->why, "no answer to the test's question");
		return;
	}
	if (ldns_wire2pkt(&pkt, msg, len) != LDNS_STATUS_OK) {
		snprintf(r->why, sizeof r->why, "the answer is not a DNS message");
		return;
	}
	if (ldns_pkt_get_rcode(pkt) != LDNS_RCODE_NOERROR) {
		char *rc = ldns_pkt_rcode2str(ldns_pkt_get_rcode(pkt));
		snprintf(r->why, sizeof r->why, "the answer is %s", rc ? rc : "an error");
		free(rc);
		ldns_pkt_free(pkt);
		return;
	}
	ldns_rr_list *ans = ldns_pkt_answer(pkt);
	for (size_t i = 0; ans && i < ldns_rr_list_rr_count(ans); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(ans, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT)
			oarc_txt_note(r, rr);
	}
	ldns_pkt_free(pkt);
	if (!r->available)
		snprintf(r->why, sizeof r->why, "the answer holds no \"DNS reply size limit is at least N bytes\" string "
		                                "(%u TXT strings)", r->nstrings);
}
