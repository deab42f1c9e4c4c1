/* ratelimit.h - per-client token buckets for UDP answers.
 *
 * A client is an IPv4 address or an IPv6 /64. Each answer costs one token;
 * a bucket refills at `rate` tokens a second up to `burst`. Over the limit,
 * every `slip`-th answer is replaced by a bare TC=1 answer (no larger than the
 * query, so a spoofed victim learns to use TCP) and the rest are dropped, as
 * RRL does. The table is fixed-size: a busy table forgets the least recently
 * seen client nearby, which can only make it more permissive, never crash.
 */
#ifndef DNSFRAG_RESPONDER_RATELIMIT_H
#define DNSFRAG_RESPONDER_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

typedef struct ratelimit_bucket {
	uint8_t key[9];       /* family byte + 8 address bytes (v4: 4, v6: the /64) */
	uint8_t used;
	uint64_t last_ms;
	uint64_t milli;       /* tokens x 1000 */
	uint32_t limited;     /* answers over the limit so far (for slip) */
} ratelimit_bucket_t;

typedef struct ratelimit {
	unsigned rate;        /* answers per second; 0: no limit */
	unsigned burst;
	unsigned slip;        /* every slip-th limited answer becomes TC; 0: never */
	ratelimit_bucket_t *slot;
	size_t nslots;        /* a power of two */
	uint64_t limited;     /* answers not sent as asked, in total */
} ratelimit_t;

typedef enum ratelimit_verdict {
	RATELIMIT_PASS,
	RATELIMIT_SLIP,       /* answer with TC=1 instead */
	RATELIMIT_DROP,
} ratelimit_verdict_t;

/* 0 on success, -1 out of memory. A rate of 0 allocates nothing. */
int ratelimit_init(ratelimit_t *rl, unsigned rate, unsigned burst, unsigned slip, size_t nslots);
void ratelimit_free(ratelimit_t *rl);

/* One answer to the client at addr (4 or 16 bytes, by family) at now_ms. */
ratelimit_verdict_t ratelimit_check(ratelimit_t *rl, int v6, const uint8_t *addr, uint64_t now_ms);

#endif /* DNSFRAG_RESPONDER_RATELIMIT_H */
