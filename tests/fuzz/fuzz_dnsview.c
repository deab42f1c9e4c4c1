/* fuzz_dnsview.c - the DNS view over arbitrary message bytes. */
#include <stdint.h>

#include "dnsview.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dns_view_t v;
	decode_counts_t dc = { 0 };
	dns_view_parse(cursor_make(data, size), (uint32_t)size, &v, &dc);
	/* also as a message the capture cut short */
	if (size > 2)
		dns_view_parse(cursor_make(data, size / 2), (uint32_t)size, &v, &dc);
	return 0;
}
