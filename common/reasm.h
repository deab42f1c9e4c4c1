/* reasm.h - IPv4 and IPv6 fragment reassembly (RFC 791, RFC 815, RFC 8200 §4.5, RFC 5722).
 *
 * Policy, stated once:
 *  - Keys: (src, dst, proto, id) for IPv4, (src, dst, id) for IPv6. An IP id is a
 *    hint, never an identity: Linux sends DF UDP with id 0.
 *  - Holes are tracked as in RFC 815 (a hole descriptor list); a datagram is
 *    complete when the last fragment (MF=0) has arrived and no hole remains.
 *  - A fragment wholly inside bytes already held is a duplicate: reported
 *    (REASM_EV_DUPLICATE, with `differs` when its bytes are not the same) and
 *    otherwise ignored, as Linux does. A fragment that partly overlaps held bytes
 *    is evidence (REASM_EV_OVERLAP): the datagram is marked `receiver_discards`
 *    (RFC 5722; Linux does the same for IPv4) but is still assembled, first
 *    bytes win, so the layers above can show what it would have carried.
 *  - Timeouts run on capture time, never wall-clock: reasm_expire(now).
 *  - Hard limits: datagrams in flight, fragments per datagram, bytes held in
 *    total, and the largest datagram (65,535 bytes of payload). Hitting one is an
 *    event (EVICTED or TOO_MANY_FRAGS or OVERSIZE), never silence.
 *  - A train that never completes is reported (REASM_EV_INCOMPLETE) with the byte
 *    ranges that arrived and whether the first and last fragments were among them.
 *
 * The details (reasm.c implements exactly these):
 *  - Every train ends in exactly one COMPLETE or INCOMPLETE event, so
 *    datagrams_started == ev[COMPLETE] + ev[INCOMPLETE] + reasm_in_flight().
 *  - A duplicate is not a piece and does not count against max_frags (an
 *    `-i any` capture shows each fragment twice). Exception: an MF=0 fragment
 *    whose bytes are all held but which is the first to give the end is kept as
 *    a piece, since its end is news; it is still reported as DUPLICATE.
 *  - The first MF=0 fragment sets total_len; it is never changed afterwards. A
 *    fragment ending past it, a second MF=0 fragment giving another end, or a
 *    first MF=0 fragment ending before bytes an earlier fragment claimed is an
 *    OVERLAP: bytes past total_len are dropped (already held ones too), so the
 *    datagram is the same whichever of the two came first.
 *  - `differs` is set on OVERLAP too: the bytes it shares with held ones differ.
 *  - A fragment with offset 0 and MF=0 is a whole datagram (an IPv6 atomic
 *    fragment, RFC 6946): it is handled in isolation from any train with the same
 *    key and reported at once; it never counts against the limits.
 *  - Bytes the capture cut (len < wire_len) are not held: ranges show only held
 *    bytes, the event says `truncated`, and such a train never completes. It is
 *    reported INCOMPLETE when it times out, is evicted or at the end (an atomic
 *    fragment at once, reason TRUNCATED). Duplicate and overlap checks compare
 *    held bytes only, so a later fragment filling a cut gap is not an overlap.
 *  - A non-last fragment whose length is not a multiple of 8 is invalid (RFC 791,
 *    RFC 8200) but is accepted: the layers above see it in `pieces`.
 *  - TOO_MANY_FRAGS and OVERSIZE drop the train and the offending fragment; a
 *    later fragment with the same key starts a new train.
 *  - max_bytes: trains other than the fragment's own are evicted, oldest first,
 *    until its new bytes fit; if they could not fit even in its train alone,
 *    only its own train is evicted (INCOMPLETE/EVICTED) and the fragment
 *    dropped. Only payload bytes are counted, and payload is stored per
 *    fragment, so max_bytes bounds memory.
 *  - Timeouts: a train expires when now - (time of its first fragment) > the
 *    timeout of its family. Trains are expired in creation order, per family;
 *    when capture time goes backwards a train may expire late, never early.
 *  - The callback must not call back into the same reasm_t.
 *
 * Buffer contract: reasm copies fragment bytes in; the pointers in an event are
 * valid only during the callback.
 */
#ifndef DNSFRAG_COMMON_REASM_H
#define DNSFRAG_COMMON_REASM_H

#include <stddef.h>
#include <stdint.h>

typedef struct reasm_key {
	uint8_t family; /* 4 or 6 */
	uint8_t proto;  /* IPv4 protocol; 0 for IPv6 (not part of its key) */
	uint32_t id;    /* IPv4: 16-bit id; IPv6: the fragment header's 32-bit id */
	uint8_t src[16], dst[16]; /* IPv4 uses the first 4 bytes, the rest zero */
} reasm_key_t;

/* One fragment as the IP layer saw it. */
typedef struct reasm_frag {
	reasm_key_t key;
	uint32_t offset;     /* in bytes from the start of the fragmentable payload */
	int more;            /* MF (IPv4) / M (IPv6) flag */
	const uint8_t *data; /* payload bytes present in the capture */
	uint32_t len;        /* bytes at data */
	uint32_t wire_len;   /* payload length per the IP header; > len when the capture cut it */
	uint8_t next_header; /* IPv4: protocol; IPv6: fragment header's next header */
	uint64_t frame;      /* capture frame number (1-based) */
	int64_t ts_ns;       /* capture time */
} reasm_frag_t;

typedef struct reasm_limits {
	uint32_t max_datagrams;      /* trains in flight; the oldest is evicted past it */
	uint32_t max_frags;          /* fragments kept per datagram */
	uint64_t max_bytes;          /* payload bytes held across all trains */
	uint32_t max_datagram_len;   /* reassembled payload bytes (65,535) */
	int64_t timeout_ns_v4;       /* Linux ipfrag_time: 30 s */
	int64_t timeout_ns_v6;       /* RFC 8200: 60 s */
} reasm_limits_t;

void reasm_limits_default(reasm_limits_t *lim);

typedef enum reasm_event_kind {
	REASM_EV_COMPLETE,       /* data/len hold the whole payload */
	REASM_EV_INCOMPLETE,     /* gave up: see reason; ranges say what arrived */
	REASM_EV_DUPLICATE,      /* a fragment wholly inside held bytes */
	REASM_EV_OVERLAP,        /* a fragment partly overlapping held bytes (RFC 5722) */
	REASM_EV_OVERSIZE,       /* a fragment would end past max_datagram_len: train dropped */
	REASM_EV_TOO_MANY_FRAGS, /* more than max_frags: train dropped */
	REASM_EV_COUNT
} reasm_event_kind_t;

typedef enum reasm_incomplete_reason {
	REASM_WHY_NONE,
	REASM_WHY_TIMEOUT,   /* capture time passed the timeout */
	REASM_WHY_EVICTED,   /* a limit (datagrams or bytes in flight) forced it out */
	REASM_WHY_END,       /* the capture ended (reasm_flush) */
	REASM_WHY_TRUNCATED, /* an atomic fragment the capture cut: it cannot complete */
	REASM_WHY_DROPPED,   /* followed an OVERSIZE or TOO_MANY_FRAGS event */
} reasm_incomplete_reason_t;

typedef struct reasm_range {
	uint32_t start, end; /* [start, end) in payload bytes */
} reasm_range_t;

/* A fragment of a train, in arrival order. */
typedef struct reasm_piece {
	uint64_t frame;
	int64_t ts_ns;
	uint32_t offset, len; /* len is the wire length the header claimed */
	int more;
} reasm_piece_t;

typedef struct reasm_event {
	reasm_event_kind_t kind;
	reasm_incomplete_reason_t reason;   /* INCOMPLETE only */
	const reasm_key_t *key;
	uint8_t next_header;                /* from the first fragment, if it arrived */
	const uint8_t *data;                /* COMPLETE: the reassembled payload */
	uint32_t len;
	int receiver_discards;              /* an overlap was seen in this train */
	int have_first, have_last;          /* offset-0 fragment / MF=0 fragment arrived */
	uint32_t total_len;                 /* from the last fragment; 0 when it is missing */
	const reasm_range_t *ranges;        /* byte ranges held, sorted, merged */
	uint32_t nranges;
	const reasm_piece_t *pieces;        /* every fragment of the train so far */
	uint32_t npieces;
	uint64_t frame;                     /* DUPLICATE/OVERLAP/OVERSIZE/TOO_MANY: the offending frame */
	int differs;                        /* DUPLICATE: its bytes differ from those held */
	/* Added with reasm.c: */
	int truncated;                      /* the capture cut a fragment of this train (len < wire_len) */
	/* frame is also set on COMPLETE (the completing fragment) and on an
	 * INCOMPLETE a fragment of the same train caused (DROPPED, TRUNCATED, or
	 * EVICTED when it did not fit); 0 on TIMEOUT, END and evictions of other
	 * trains. */
} reasm_event_t;

typedef void (*reasm_event_fn)(void *ctx, const reasm_event_t *ev);

typedef struct reasm_stats {
	uint64_t fragments, datagrams_started;
	uint64_t ev[REASM_EV_COUNT];
	uint64_t incomplete_why[REASM_WHY_DROPPED + 1];
	uint64_t peak_datagrams, peak_bytes;
	uint64_t invalid; /* fragments ignored: key family neither 4 nor 6 */
	uint64_t nomem;   /* allocation failures (the train was evicted) */
} reasm_stats_t;

typedef struct reasm reasm_t;

/* lim NULL means the defaults; max_datagrams or max_frags of 0 count as 1,
 * negative timeouts as 0. fn may be NULL (only the stats are kept). */
/* Returns NULL only when memory is exhausted. */
reasm_t *reasm_new(const reasm_limits_t *lim, reasm_event_fn fn, void *ctx);
/* Frees everything without events: call reasm_flush first for the reports. */
void reasm_free(reasm_t *r);

/* Feed one fragment. Events for it (and any eviction it forces) are delivered
 * before this returns. Expires trains older than the timeout first, using
 * frag->ts_ns as "now". */
void reasm_feed(reasm_t *r, const reasm_frag_t *frag);

/* Time out trains whose first fragment is older than now minus the timeout. */
void reasm_expire(reasm_t *r, int64_t now_ns);

/* End of capture: report every train still in flight as INCOMPLETE/END. */
void reasm_flush(reasm_t *r);

const reasm_stats_t *reasm_stats(const reasm_t *r);
uint32_t reasm_in_flight(const reasm_t *r);
uint64_t reasm_bytes_held(const reasm_t *r);

const char *reasm_event2str(reasm_event_kind_t kind);
const char *reasm_why2str(reasm_incomplete_reason_t why);

#endif /* DNSFRAG_COMMON_REASM_H */
