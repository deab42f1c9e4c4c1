/* ratelimit.c - per-client token buckets (see ratelimit.h). */
#include "ratelimit.h"

#include <stdlib.h>
#include <string.h>

#define RATELIMIT_PROBE 4

int ratelimit_init(ratelimit_t *rl, unsigned rate, unsigned burst, unsigned slip, size_t nslots)
{
	memset(rl, 0, sizeof(*rl));
	rl->rate = rate;
	rl->burst = burst ? burst : rate;
	rl->slip = slip;
	if (rate == 0)
		return 0;
	size_t n = 16;
	while (n < nslots)
		n <<= 1;
	rl->slot = calloc(n, sizeof(*rl->slot));
	if (!rl->slot)
		return -1;
	rl->nslots = n;
	return 0;
}

void ratelimit_free(ratelimit_t *rl)
{
	free(rl->slot);
	rl->slot = NULL;
	rl->nslots = 0;
}

static uint32_t ratelimit_hash(const uint8_t *key, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < n; i++) {
		h ^= key[i];
		h *= 16777619u;
	}
	return h;
}

ratelimit_verdict_t ratelimit_check(ratelimit_t *rl, int v6, const uint8_t *addr, uint64_t now_ms)
{
	if (rl->rate == 0 || !rl->slot)
		return RATELIMIT_PASS;
	uint8_t key[9] = { 0 };
	key[0] = v6 ? 6 : 4;
	memcpy(key + 1, addr, v6 ? 8 : 4);
	uint32_t h = ratelimit_hash(key, sizeof(key));
	ratelimit_bucket_t *b = NULL, *oldest = NULL;
	for (size_t i = 0; i < RATELIMIT_PROBE; i++) {
		ratelimit_bucket_t *s = &rl->slot[(h + i) & (rl->nslots - 1)];
		if (s->used && memcmp(s->key, key, sizeof(key)) == 0) {
			b = s;
			break;
		}
		if (!oldest || !s->used || (oldest->used && s->last_ms < oldest->last_ms))
			oldest = s;
	}
	uint64_t cap = (uint64_t)rl->burst * 1000;
	if (!b) {
		b = oldest;
		memset(b, 0, sizeof(*b));
		memcpy(b->key, key, sizeof(key));
		b->used = 1;
		b->milli = cap;
		b->last_ms = now_ms;
	}
	if (now_ms > b->last_ms) {
		uint64_t add = (now_ms - b->last_ms) * rl->rate; /* rate/s = rate milli-tokens/ms */
		b->milli = (cap - b->milli < add) ? cap : b->milli + add;
		b->last_ms = now_ms;
	}
	if (b->milli >= 1000) {
		b->milli -= 1000;
		return RATELIMIT_PASS;
	}
	rl->limited++;
	b->limited++;
	if (rl->slip && b->limited % rl->slip == 0)
		return RATELIMIT_SLIP;
	return RATELIMIT_DROP;
}
