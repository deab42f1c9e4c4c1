/* relay.h - carry the pipeline's hook calls to a consumer on a second thread.
 *
 * The analyzer's two halves are of about the same weight on a busy capture:
 * reading, decoding, reassembly, TCP streams and the DNS view (the pipeline)
 * on one side; the transaction tracker and the report it feeds on the other.
 * A relay sits between them: the pipeline calls the relay's hooks, which copy
 * each call into a ring; a consumer thread takes the calls out in the same
 * order and makes them on the consumer's hooks. The consumer sees the same
 * calls with the same values in the same order as without the relay, so its
 * results are the same; only the wall time changes.
 *
 * What is carried. Hook arguments point into packet data that the pipeline
 * reuses as soon as the call returns, so a call is copied, and what a consumer
 * may read is what the copy holds:
 *   packet  a fragment: the pkt_t (link and IP fields) and, for a first
 *           fragment (offset 0) only, the bytes of ip.payload, whose headers
 *           name the transaction; any other fragment arrives with an empty
 *           ip.payload (payload_wire_len kept). A packet that is not a
 *           fragment (most of them) arrives as a tick: frame, ts_ns, caplen,
 *           wirelen, point and ip.version; every other field is zero.
 *   reasm   the event, its key, ranges and pieces; not the reassembled data
 *           (data NULL, len 0).
 *   dns     the dns_msg_t, its view (qname and every field) and its pieces;
 *           not the message bytes (wire NULL, wire_caplen 0).
 *   icmp    the pkt_t of the error (empty ip.payload) and the l4_icmp_t (its
 *           quoted header's fields; quoted.payload and quoted_upper empty).
 *   tcp     the event and its flow key; not the stream bytes (data NULL,
 *           len 0).
 * With relay_elide_dns_ticks, the packet call right before a DNS call of the
 * same time is left out when the packet is not a fragment (see there).
 * That is everything the transaction tracker (txn.c) reads. A consumer that
 * reads message or stream bytes (the rollover check, the frame clock, the
 * multi-point matcher) must not be put behind a relay.
 * tests/golden/test-golden.sh compares every golden capture's reports with
 * and without one; tests/unit/test_relay.c every call.
 *
 * Threads: relay_start() starts the consumer thread. Without it the relay is
 * synchronous: each call is copied and made at once on the caller's thread,
 * which is how the unit test checks the copying alone.
 */
#ifndef DNSFRAG_COMMON_RELAY_H
#define DNSFRAG_COMMON_RELAY_H

#include <stddef.h>

#include "pipeline.h"

#define RELAY_RING_DEFAULT (1u << 20) /* bytes; a power of two */
#define RELAY_RING_MIN (1u << 12)
#define RELAY_RING_MAX (1u << 30) /* a record's length is 32 bits */

typedef struct relay relay_t;

/* ring_bytes: a power of two from RELAY_RING_MIN to RELAY_RING_MAX. The consumer's hooks
 * are copied. NULL when out of memory or ring_bytes is not allowed. */
relay_t *relay_new(size_t ring_bytes, const pipeline_hooks_t *consumer);
/* The hooks to give pipeline_new(): they copy into r. */
pipeline_hooks_t relay_hooks(relay_t *r);
/* For a consumer whose DNS hook begins with all that its packet hook does
 * for a packet that is not a fragment, given the same time (the tracker:
 * txn_on_dns and txn_on_packet both begin with txn_expire, and for such a
 * packet txn_on_packet does nothing else): the call for such a packet is
 * left out when the very next call is a DNS message of the same ts_ns, as
 * the DNS call repeats it. The consumer's results are the same; two thirds
 * of the packet calls of a resolver capture are not carried. Call before the
 * first hook call. */
void relay_elide_dns_ticks(relay_t *r);
/* Start the consumer thread. 0, or -1 (errno set) when it cannot start; the
 * relay then stays synchronous. */
int relay_start(relay_t *r);
/* Every call made so far has been made on the consumer's hooks when this
 * returns; the thread, if any, has ended. The relay takes no more calls. */
void relay_finish(relay_t *r);
/* Finishes first if that was not done. */
void relay_free(relay_t *r);

typedef struct relay_stats {
	uint64_t calls;        /* hook calls carried (elided ones not included) */
	uint64_t bytes;        /* ring bytes they took */
	uint64_t spilled;      /* calls too large for the ring, carried in a heap copy */
	uint64_t lost;         /* calls not carried: no memory for a heap copy */
	uint64_t wraps;        /* times the writer went round the ring */
	uint64_t producer_waits, consumer_waits; /* times a side slept on the other */
	uint64_t elided;       /* packet calls left out (relay_elide_dns_ticks) */
	/* The consumer's thread: CPU time, and wall time spent waiting for calls
	 * (polling included), to tell which side holds the other up. */
	uint64_t consumer_cpu_ns, consumer_wait_ns;
} relay_stats_t;
const relay_stats_t *relay_stats(relay_t *r); /* after relay_finish */

#endif /* DNSFRAG_COMMON_RELAY_H */
