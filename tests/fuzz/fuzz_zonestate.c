/* fuzz_zonestate.c - zone mode's chain validation (probe/zonestate.c) over
 * hostile answers: every DS and DNSKEY answer the probe validates comes from
 * the network.
 * Input: records, each a 2-byte big-endian length and that many bytes:
 *   [0] trust anchors (DS/DNSKEY lines or root-anchors.xml)
 *   [1] the zone's name (presentation form; "z." when it does not parse)
 *   [2] the validation time, decimal seconds
 *   [3] '. DNSKEY' answer from a root server
 *   [4] the zone's DS answer from the root
 *   [5] [6] two server addresses' DNSKEY answers for the zone
 * Missing records are "not obtained". tests/fuzz/seed-zonestate writes seeds
 * from the lab (real signed answers: secure, bogus, insecure chains).
 * Invariants: the state is one of the five; every text is terminated; counts
 * stay within their limits. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../probe/zonestate.c"

#define NREC 7

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *rec[NREC] = { 0 };
	uint32_t len[NREC] = { 0 };
	size_t off = 0;
	for (int i = 0; i < NREC && off + 2 <= size; i++) {
		uint32_t n = (uint32_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (n > size - off)
			n = (uint32_t)(size - off);
		rec[i] = data + off;
		len[i] = n;
		off += n;
	}
	static anchor_set_t anchors;
	char err[256], name[256] = "z.", when[32] = "1800000000";
	memset(&anchors, 0, sizeof anchors);
	if (rec[0] && len[0])
		(void)anchors_parse(&anchors, "fuzz.anchors", (const char *)rec[0], len[0], err, sizeof err);
	if (rec[1] && len[1] > 0 && len[1] < sizeof name && !memchr(rec[1], 0, len[1])) {
		memcpy(name, rec[1], len[1]);
		name[len[1]] = '\0';
		ldns_rdf *r = ldns_dname_new_frm_str(name);
		if (r)
			ldns_rdf_deep_free(r);
		else
			strcpy(name, "z.");
	}
	if (rec[2] && len[2] > 0 && len[2] < sizeof when) {
		memcpy(when, rec[2], len[2]);
		when[len[2]] = '\0';
	}
	static zs_level_in_t in[2];
	memset(in, 0, sizeof in);
	in[0].name = ".";
	in[0].nservers = 1;
	strcpy(in[0].server[0], "192.0.2.1");
	in[0].dnskey[0] = (zs_msg_t){ rec[3], len[3] };
	in[1].name = name;
	in[1].ds = (zs_msg_t){ rec[4], len[4] };
	in[1].nservers = 2;
	strcpy(in[1].server[0], "192.0.2.2");
	strcpy(in[1].server[1], "2001:db8::2");
	in[1].dnskey[0] = (zs_msg_t){ rec[5], len[5] };
	in[1].dnskey[1] = (zs_msg_t){ rec[6], len[6] };
	static zs_result_t out;
	zonestate_validate(in, 2, &anchors, strtoll(when, NULL, 10), &out);
	if (out.state >= ZS_STATE_COUNT || out.nlevels != 2 || !memchr(out.why, 0, sizeof out.why))
		__builtin_trap();
	for (uint32_t i = 0; i < out.nlevels; i++) {
		const zs_level_t *lv = &out.level[i];
		if (lv->state >= ZS_STATE_COUNT || lv->nds > ZS_MAX_DS || lv->nservers > ZS_MAX_SERVERS ||
		    !memchr(lv->why, 0, sizeof lv->why))
			__builtin_trap();
		for (uint32_t s = 0; s < lv->nservers; s++)
			if (lv->servers[s].nkeys > ZS_MAX_KEYS || !memchr(lv->servers[s].why, 0, sizeof lv->servers[s].why))
				__builtin_trap();
	}
	return 0;
}
