/* fuzz_dnsview.c - the DNS view over arbitrary message bytes. */
#include <stdint.h>
#include <string.h>

#include "dnsview.h"

/* What the view says of its name must be so (the relay and the tracker copy
 * and hash qname_len bytes without measuring). */
static void check(const dns_view_t *v)
{
	if (v->qname_len != strnlen(v->qname, sizeof v->qname))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dns_view_t v;
	decode_counts_t dc = { 0 };
	dns_view_parse(cursor_make(data, size), (uint32_t)size, &v, &dc);
	check(&v);
	/* also as a message the capture cut short */
	if (size > 2) {
		dns_view_parse(cursor_make(data, size / 2), (uint32_t)size, &v, &dc);
		check(&v);
	}
	return 0;
}
