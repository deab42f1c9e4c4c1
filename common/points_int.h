/* points_int.h - the matcher's internal state, shared by points.c (matching)
 * and points_out.c (text and JSON). Not for other modules: use points.h. */
#ifndef DNSFRAG_COMMON_POINTS_INT_H
#define DNSFRAG_COMMON_POINTS_INT_H

#include "points.h"

typedef struct ident {
	uint64_t key;          /* the identity (points.h) */
	uint64_t peer_key;     /* the same question with QR flipped: an answer's query */
	uint8_t has_ident, tcp, dir, family, tcp_flags;
	uint16_t dns_id, qtype;
	uint32_t dns_len;
	char qname[POINTS_QNAME_MAX];
} ident_t;

typedef struct item {      /* one datagram (or TCP segment) across the points */
	uint64_t key;
	uint32_t gen;
	uint8_t live;
	ident_t id;
	int64_t first_ts;
	uint32_t answered_mask; /* queries: points where an answer to it was seen */
	int32_t next;           /* identity hash chain */
} item_t;

typedef struct train {     /* an open fragment train at one point */
	uint8_t live, family, has_ident, attached, detached;
	uint8_t src[16], dst[16];
	uint32_t ip_id;
	int64_t ts;
	int32_t item;
	uint32_t item_gen;
	int32_t next;
	ident_t id;
	points_sighting_t s;   /* until attached */
} train_t;

typedef struct icmp_item { /* one ICMP error across the points */
	uint64_t key;
	uint8_t live, dir, family, type, code, has_dns_id, quoted_fragment;
	icmp_kind_t kind;
	uint16_t dns_id;
	uint32_t mtu, quoted_offset;
	int64_t first_ts;
	uint8_t n[POINTS_MAX];      /* seen at each point (a second copy there is another error) */
	uint64_t frame[POINTS_MAX]; /* first frame per point */
} icmp_item_t;

typedef struct fidx_entry {
	uint64_t digest;
	int32_t item;
	uint32_t gen;
} fidx_entry_t;

typedef struct point_ctx {
	struct points *pt;
	uint32_t point;
} point_ctx_t;

typedef struct point_state {
	point_ctx_t ctx;
	train_t *trains;       /* a ring in creation order */
	uint32_t thead, ntrains;
	int32_t *tbuckets;
	uint32_t ntb;
} point_state_t;

struct points {
	points_config_t cfg;
	uint32_t npoints;
	points_point_t pts[POINTS_MAX];
	point_state_t ps[POINTS_MAX];
	item_t *items;         /* a ring in creation order */
	points_sighting_t *sightings; /* npoints per item */
	uint32_t head, nitems;
	int32_t *buckets;
	uint32_t nbuckets;
	fidx_entry_t *fidx;
	uint32_t nfidx;
	int64_t now;
	int have_now, finished;
	points_segment_counts_t seg[POINTS_MAX][POINTS_MAX][POINTS_DIR_COUNT];
	points_totals_t totals;
	points_evidence_t evidence[POINTS_MAX_EVIDENCE];
	uint32_t nevidence;
	points_trace_t *traces; /* points_trace_enable: the first max_traces judged */
	uint32_t ntraces, max_traces;
	uint64_t traces_dropped;
	icmp_item_t icmps[POINTS_MAX_ICMP]; /* a ring in creation order */
	uint32_t ihead, nicmps;
	points_icmp_evidence_t icmp_evidence[POINTS_MAX_ICMP_EVIDENCE];
	uint32_t nicmp_evidence;
	decode_counts_t scratch; /* decoders' counts: the pipelines count the real ones */
	void (*json_prev)(const void *, struct json_writer *);
	const void *json_prev_ctx;
};

void points_judge(points_t *pt, item_t *it);

#endif /* DNSFRAG_COMMON_POINTS_INT_H */
