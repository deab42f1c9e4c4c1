/* points.h - where fragments die: DNS datagrams matched across capture points
 * (DESIGN.md "Where fragments die", item 4; "Inputs and capture points").
 *
 * Each capture point has its own pipeline (reassembly and TCP never mix
 * points); this module listens to every pipeline through its hooks and matches
 * what each point saw, datagram by datagram:
 *
 *   identity   a UDP DNS datagram is (QR, DNS id, qname with its 0x20 case,
 *              qtype, qclass), read from the whole message or from its first
 *              fragment alone; a DNS TCP segment (SYN, FIN, RST or payload; not
 *              pure ACKs) is (direction, seq, ack, SYN/FIN/RST, payload length,
 *              a digest of the payload). Neither uses addresses, ports, IP ids
 *              or checksums, so NAT and re-fragmenting boxes do not break it.
 *   digest     FNV-1a 64 of the whole DNS message, kept per point to tell a
 *              rewritten message ("changed") from the same one.
 *   fragments  per point, each fragment's offset and length (the geometry) and
 *              a digest of its bytes past the UDP header; a train whose first
 *              fragment never arrived is tied to a datagram by that digest (the
 *              same bytes at the same offset seen at another point), else it
 *              is counted as unattributed.
 *   time       a sighting joins the earliest datagram with its identity that
 *              is not yet seen at that point and was first seen within
 *              `window` (clock offsets between capture hosts, transit time);
 *              timestamps are never compared for equality.
 *
 * Path order: point 0 is closest to the client (the probe), the last closest
 * to the server. Queries travel 0 -> n-1, answers n-1 -> 0. A datagram's bytes
 * that a point saw and no point after it (in its direction of travel) saw are
 * lost in the segment after the last point that saw them; a datagram missing at
 * a point but seen on both sides of it was missed by that capture (a capture
 * drop, not a path loss). A point only counts while its capture ran (its first
 * to last record, +- window).
 *
 * ICMP errors (needs-frag, packet-too-big, time exceeded, unreachable, ...)
 * about a DNS datagram over UDP are matched across the points too:
 *
 *   identity   (family, kind, type, code, the quoted fragment offset when the
 *              quote is of a non-first fragment, a digest of the quoted bytes
 *              past the quoted IP and UDP headers: the DNS message's first
 *              bytes, id, flags and counts, as much as is quoted). Never the
 *              addresses, ports, ids or checksums, of the ICMP packet or in the
 *              quote: NAT rewrites them.
 *   direction  toward the source of the quoted packet: an error about an
 *              answer (quoted UDP source port 53) travels toward the server,
 *              in the query direction 0 -> n-1; about a query (destination
 *              port 53), toward the client. A quote without ports (a non-first
 *              fragment) has no direction and is only counted.
 *   judging    as for datagrams: seen at a point and at no point after it in
 *              its direction of travel = dropped on the segment after that
 *              point; first seen at a point although a covered point before
 *              it did not see it = originated on the segment before it (the
 *              router that sent it sits there).
 *
 * Bounded: at most max_open datagrams are held (the oldest is judged early and
 * counted when the table is full), and at most max_trains open fragment trains
 * per point, at most POINTS_MAX_ICMP ICMP errors (the oldest is judged early);
 * a datagram is judged `linger` after its first sighting (capture
 * time) or at the end.
 */
#ifndef DNSFRAG_COMMON_POINTS_H
#define DNSFRAG_COMMON_POINTS_H

#include <stdint.h>
#include <stdio.h>

#include "capture.h"
#include "hooks.h"
#include "pipeline.h"

#define POINTS_MAX 8            /* capture points */
#define POINTS_MAX_FRAGS 16     /* fragments kept per datagram and point; more are counted */
#define POINTS_LABEL_MAX 48
#define POINTS_QNAME_MAX 96     /* kept for display; identity uses a hash of the whole */
#define POINTS_MAX_EVIDENCE 32
#define POINTS_EVIDENCE_FRAMES 6 /* frames shown per point in an evidence line */

#define POINTS_MAX_ICMP 512          /* ICMP errors held for matching; the oldest is judged early */
#define POINTS_MAX_ICMP_EVIDENCE 16  /* ICMP errors dropped or originated kept as evidence */

typedef enum points_dir { POINTS_DIR_QUERY, POINTS_DIR_ANSWER, POINTS_DIR_COUNT } points_dir_t;

/* What vanished on a segment, per datagram (one class each). */
typedef enum points_loss {
	POINTS_LOSS_WHOLE,    /* an unfragmented datagram */
	POINTS_LOSS_ALL,      /* every fragment of a fragmented datagram */
	POINTS_LOSS_FIRST,    /* the first fragment (others passed) */
	POINTS_LOSS_NONFIRST, /* non-first fragments (the first passed) */
	POINTS_LOSS_TCP,      /* a DNS TCP segment */
	POINTS_LOSS_COUNT
} points_loss_t;

typedef struct points_config {
	int64_t window_ns;     /* matching tolerance in capture time (default 2 s) */
	int64_t linger_ns;     /* a datagram is judged this long after it was first seen (10 s) */
	int64_t train_ns;      /* an open fragment train is closed this long after its first fragment (5 s) */
	uint32_t max_open;     /* datagrams held (4096) */
	uint32_t max_trains;   /* open fragment trains per point (1024) */
} points_config_t;

void points_config_default(points_config_t *cfg);

typedef struct points_frag {
	uint32_t offset, len;  /* in the UDP datagram (header included); len as on the wire */
	uint64_t frame;
	uint64_t digest;       /* of its bytes past the UDP header, with its offset */
	int64_t ts_ns;         /* its capture time at this point */
} points_frag_t;

/* One datagram as one point saw it. */
typedef struct points_sighting {
	uint8_t seen;
	uint8_t fragmented;    /* it came in fragments here */
	uint8_t complete;      /* every byte arrived (whole, or reassembled) */
	uint8_t have_first, have_last;
	uint8_t df, ttl;
	uint32_t nfrags;       /* fragments seen (may pass POINTS_MAX_FRAGS) */
	uint32_t nkept;
	points_frag_t frags[POINTS_MAX_FRAGS];
	uint32_t total_len;    /* the UDP datagram's length (header + DNS), 0 unknown */
	uint64_t digest;       /* of the whole DNS message, 0 unknown */
	ip_addr_t src, dst;
	uint16_t sport, dport;
	uint32_t ip_id;
	int64_t ts_ns;
	uint64_t frame;        /* its first frame at this point */
} points_sighting_t;

/* One lost datagram kept as evidence. */
typedef struct points_evidence {
	uint8_t dir, family, tcp;
	points_loss_t loss;
	uint32_t from, to;     /* the segment: last point that saw it, next point (travel order) */
	uint16_t dns_id, qtype;
	char qname[POINTS_QNAME_MAX];
	uint32_t dns_len;      /* DNS message bytes (TCP: segment payload bytes) */
	uint8_t tcp_flags;
	uint32_t frags_lost;
	struct {
		uint8_t seen, complete, covered;
		uint32_t nfrags;
		uint32_t nframes;
		uint64_t frames[POINTS_EVIDENCE_FRAMES];
	} at[POINTS_MAX];
} points_evidence_t;

/* Per segment (pair of points i < j, i nearer the client) and direction. */
typedef struct points_segment_counts {
	uint64_t upstream;     /* UDP datagrams seen at the end they enter by */
	uint64_t downstream;   /* of those, seen (in part at least) at the other end */
	uint64_t tcp_upstream, tcp_downstream; /* the same for DNS TCP segments */
	uint64_t lost[2][POINTS_LOSS_COUNT];   /* [IPv4, IPv6] datagrams */
	uint64_t frags_lost[2][POINTS_LOSS_COUNT];
	uint64_t appeared;     /* first seen at the far end although the near end's capture ran */
	uint64_t nat, refragmented, df_changed, changed;
	/* ICMP errors travelling in this direction (QUERY: toward the server, about answers) */
	uint64_t icmp_upstream, icmp_downstream;   /* seen where they enter / also where they leave */
	uint64_t icmp_dropped[ICMP_KIND_COUNT];    /* seen at the near end and at no point after */
	uint64_t icmp_originated[ICMP_KIND_COUNT]; /* first seen at the far end although the near end's capture ran */
} points_segment_counts_t;

typedef enum points_icmp_fate { POINTS_ICMP_DROPPED, POINTS_ICMP_ORIGINATED } points_icmp_fate_t;

/* One ICMP error dropped or originated on a segment, kept as evidence. */
typedef struct points_icmp_evidence {
	uint8_t dir, family, fate; /* dir: of travel (QUERY = toward the server, about an answer) */
	icmp_kind_t kind;
	uint8_t type, code;
	uint8_t has_dns_id, quoted_fragment;
	uint16_t dns_id;           /* from the quote, when it holds 2 bytes of DNS */
	uint32_t mtu, quoted_offset;
	uint32_t from, to;         /* the segment in travel order */
	struct {
		uint8_t seen, covered;
		uint64_t frame;        /* its first frame at this point */
	} at[POINTS_MAX];
} points_icmp_evidence_t;

typedef struct points_point {
	char label[POINTS_LABEL_MAX];
	const char *file;
	uint64_t packets;
	int64_t first_ts, last_ts;
	uint8_t started, ended;
	uint64_t seen[POINTS_DIR_COUNT];      /* UDP DNS datagrams seen */
	uint64_t tcp_seen[POINTS_DIR_COUNT];  /* DNS TCP segments seen */
	uint64_t missed[POINTS_DIR_COUNT];    /* seen on both sides of this point, not at it */
	uint64_t unattributed_trains;         /* fragment trains tied to no datagram */
	uint64_t unattributed_frags;
	uint64_t frags_not_kept;
	uint64_t trains_evicted;
	uint64_t capture_problems;            /* truncated file, read errors (capture_stats_t) */
	uint64_t icmp_seen[POINTS_DIR_COUNT]; /* ICMP errors about DNS over UDP, by direction of travel */
	uint64_t icmp_undirected;             /* about a non-first fragment: not matched */
	hooks_fanout_t fanout;                /* this point's hooks: the caller's, then ours */
} points_point_t;

typedef struct points points_t;

/* npoints in path order (2..POINTS_MAX); labels/files are copied / kept.
 * NULL when out of memory or npoints is out of range. */
points_t *points_new(const points_config_t *cfg, uint32_t npoints, const char *const *labels,
                     const char *const *files);
void points_free(points_t *pt);

/* The hooks for point i's pipeline: `before` (may be NULL: e.g. the transaction
 * tracker on point 0) is called first, then the matcher. The returned hooks
 * point into pt, which must outlive the pipeline. */
pipeline_hooks_t points_hooks(points_t *pt, uint32_t point, const pipeline_hooks_t *before);

/* Tell the matcher a record of point i is about to be fed (its capture time
 * moves on; datagrams past their linger are judged). */
void points_record(points_t *pt, uint32_t point, int64_t ts_ns);
/* Point i's input ended (its pipeline was flushed). */
void points_point_end(points_t *pt, uint32_t point, const capture_stats_t *cs);
/* End of all input: judge everything still held. */
void points_finish(points_t *pt);

/* Parse "A.pcap,B.pcap" or "probe=A.pcap,mb1:to-probe=B.pcap" (labels before
 * '='; without one the label is the file's base name, less its extension, less
 * the prefix every point's name shares). Fills files[] and labels[] (pointing
 * into buf, which must hold strlen(list) + 1 plus POINTS_MAX * POINTS_LABEL_MAX bytes:
 * see POINTS_PARSE_BUF). Returns the number of points, or -1 with err filled. */
#define POINTS_PARSE_BUF(list_len) ((list_len) + 1 + POINTS_MAX * POINTS_LABEL_MAX)
int points_list_parse(const char *list, char *buf, size_t buflen, const char **files, const char **labels,
                      char *err, size_t errlen);

/* Results (after points_finish). */
uint32_t points_count(const points_t *pt);
const points_point_t *points_point(const points_t *pt, uint32_t i);
const points_segment_counts_t *points_segment(const points_t *pt, uint32_t i, uint32_t j, points_dir_t d);

typedef struct points_totals {
	uint64_t datagrams, matched_all, evicted_early, beyond_last[POINTS_DIR_COUNT];
	uint64_t evidence_dropped;
	uint64_t tcp_segments;
	uint64_t icmp_errors, icmp_matched_all, icmp_judged_early, icmp_evidence_dropped;
} points_totals_t;
const points_totals_t *points_totals(const points_t *pt);
uint32_t points_evidence_count(const points_t *pt);
const points_evidence_t *points_evidence_get(const points_t *pt, uint32_t i);
uint32_t points_icmp_evidence_count(const points_t *pt);
const points_icmp_evidence_t *points_icmp_evidence_get(const points_t *pt, uint32_t i);

/* The "Where fragments die" section of the text report. */
void points_text_write(const points_t *pt, FILE *out);
struct json_writer;
/* The top-level "points" key and its object (dnsfrag-json(5)). */
void points_json_write(const points_t *pt, struct json_writer *w);
/* report_config_t.json_extra adapter: ctx is a points_t; calls the json_extra
 * given to points_json_chain first (e.g. the rollover check's). */
void points_json_extra(const void *ctx, struct json_writer *w);
void points_json_chain(points_t *pt, void (*prev)(const void *, struct json_writer *), const void *prev_ctx);

/* Traces for the HTML report's per-point fragment ladders: each datagram or
 * TCP segment as every point saw it (times, frames, fragment geometry), kept
 * when it is judged, for the first `max` of them (at most POINTS_MAX_TRACES).
 * Off unless enabled (before any input). */
#define POINTS_MAX_TRACES 4096
#define POINTS_TRACE_FRAGS 8   /* fragments kept per point in a trace */

typedef struct points_trace_at {
	uint8_t seen, covered;  /* seen here; this point's capture ran then */
	uint8_t complete, fragmented;
	uint32_t nfrags, nkept; /* fragments seen, kept (frags[]) */
	uint32_t total_len;
	int64_t ts_ns;          /* first sighting */
	uint64_t frame;
	ip_addr_t src, dst;
	uint16_t sport, dport;
	points_frag_t frags[POINTS_TRACE_FRAGS];
} points_trace_at_t;

typedef struct points_trace {
	uint8_t dir, family, tcp, tcp_flags;
	uint16_t dns_id, qtype;
	uint32_t dns_len;
	char qname[POINTS_QNAME_MAX];
	points_trace_at_t at[POINTS_MAX]; /* [0, points_count) */
} points_trace_t;

int points_trace_enable(points_t *pt, uint32_t max); /* 0, or -1 out of memory */
uint32_t points_trace_count(const points_t *pt);
const points_trace_t *points_trace_get(const points_t *pt, uint32_t i);
uint64_t points_traces_dropped(const points_t *pt);  /* judged after the traces were full */

const char *points_dir2str(points_dir_t d);   /* "query", "answer" */
const char *points_loss2str(points_loss_t l); /* "whole", "all-fragments", ... */

#endif /* DNSFRAG_COMMON_POINTS_H */
