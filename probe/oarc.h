/* oarc.h - the reply-size test's verdict from its final TXT answer.
 *
 * DNS-OARC's former rs.dns-oarc.net and dnsfrag-responder(8) end the test with
 * TXT strings such as
 *   "198.51.100.9 sent EDNS buffer size 4096"
 *   "198.51.100.9 DNS reply size limit is at least 1472 bytes"
 *   "Tested at 2026-11-26 03:25:25 UTC"
 * Any other answer (no answer, an error code, other strings: the public
 * service is gone or something answers in its place) is "service unavailable",
 * never a verdict about the path.
 */
#ifndef DNSFRAG_PROBE_OARC_H
#define DNSFRAG_PROBE_OARC_H

#include <stddef.h>
#include <stdint.h>

#define OARC_MAX_STRINGS 8

typedef struct oarc_result {
	int available;                  /* the limit string was found */
	uint32_t limit;                 /* "DNS reply size limit is at least N bytes" */
	uint32_t edns;                  /* "sent EDNS buffer size N"; 0 when absent */
	char reporter[64];              /* the address the strings name (the resolver's upstream) */
	char strings[OARC_MAX_STRINGS][256];
	uint32_t nstrings;
	char why[160];                  /* when not available */
} oarc_result_t;

/* Judge one final answer (NULL/0: none came). Pure. */
void oarc_answer_parse(const uint8_t *msg, size_t len, oarc_result_t *r);

#endif /* DNSFRAG_PROBE_OARC_H */
