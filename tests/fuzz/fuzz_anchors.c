/* fuzz_anchors.c - the trust anchors parser (root-anchors.xml, DS/DNSKEY lines)
 * over arbitrary bytes, then every anchor it accepted matched against a key. */
#include <stdint.h>
#include <string.h>

#include "anchors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static anchor_set_t set;
	char err[512];
	if (anchors_parse(&set, "fuzz.anchors", (const char *)data, size, err, sizeof err) > 0) {
		uint8_t rdata[4 + 64] = { 0x01, 0x81, 3, 8 };
		for (size_t i = 4; i < sizeof rdata; i++)
			rdata[i] = (uint8_t)i;
		(void)anchors_match_dnskey(&set, rdata, sizeof rdata, 1800000000);
		for (uint32_t i = 0; i < set.n; i++)
			if (set.a[i].key_len)
				(void)anchors_match_dnskey(&set, set.a[i].key, set.a[i].key_len, set.a[i].valid_from);
	}
	return 0;
}
