/* fuzz_reasm.c - reassembly fed a sequence of fragments under tight limits.
 * Each fragment is 6 bytes of header then its data:
 *   [flags: bit0 MF, bit1 IPv6, bits2-3 which of 4 ids][offset/8: 2 bytes][len: 1 byte][time step: 2 bytes] */
#include <stdint.h>
#include <string.h>

#include "reasm.h"

static void fuzz_event(void *ctx, const reasm_event_t *ev)
{
	uint64_t *sum = ctx;
	for (uint32_t i = 0; i < ev->len; i++) /* touch every byte an event hands out */
		*sum += ev->data[i];
	for (uint32_t i = 0; i < ev->nranges; i++)
		*sum += ev->ranges[i].end - ev->ranges[i].start;
	for (uint32_t i = 0; i < ev->npieces; i++)
		*sum += ev->pieces[i].len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	reasm_limits_t lim;
	reasm_limits_default(&lim);
	lim.max_datagrams = 3;
	lim.max_frags = 8;
	lim.max_bytes = 4096;
	lim.max_datagram_len = 65535;
	uint64_t sum = 0;
	reasm_t *r = reasm_new(&lim, fuzz_event, &sum);
	if (!r)
		return 0;
	int64_t now = 0;
	size_t pos = 0;
	uint64_t frame = 1;
	while (pos + 6 <= size) {
		uint8_t flags = data[pos];
		uint32_t off8 = (uint32_t)data[pos + 1] << 8 | data[pos + 2];
		uint32_t len = data[pos + 3];
		now += ((int64_t)data[pos + 4] << 8 | data[pos + 5]) * 100000000LL;
		pos += 6;
		if (len > size - pos)
			len = (uint32_t)(size - pos);
		reasm_frag_t f;
		memset(&f, 0, sizeof f);
		f.key.family = (flags & 2) ? 6 : 4;
		f.key.proto = (flags & 2) ? 0 : 17;
		f.key.id = (flags >> 2) & 3;
		f.key.src[0] = 192;
		f.key.dst[0] = 198;
		f.offset = off8 * 8;
		f.more = flags & 1;
		f.data = data + pos;
		f.len = len;
		f.wire_len = (flags & 0x10) ? len + 8 : len; /* sometimes cut by the capture */
		f.next_header = 17;
		f.frame = frame++;
		f.ts_ns = now;
		reasm_feed(r, &f);
		pos += len;
	}
	reasm_flush(r);
	if (reasm_bytes_held(r) != 0)
		__builtin_trap(); /* accounting must return to zero */
	reasm_free(r);
	return 0;
}
