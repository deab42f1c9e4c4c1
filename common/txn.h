/* txn.h - the transaction tracker: query <-> answer <-> its fragments <-> ICMP
 * <-> the TCP retry of a truncated answer, and one verdict per transaction.
 *
 * Keys (DESIGN.md "Keys and clocks"): a transaction is (client address, client
 * port, server address, server port, DNS id, qname with its 0x20 case).
 * Fragments are linked through the first fragment, which carries the ports and
 * the DNS header; a train whose first fragment never arrived is tied to the
 * most recent unanswered query between the same two addresses within the
 * window, and says so (`lost_tied_by_addresses`). A TCP connection to port 53
 * is the retry of the most recent truncated (or failed) UDP transaction between
 * the same addresses, confirmed when its query names the same question.
 *
 * Streaming: transactions are finalized in creation order once capture time
 * passes their query by the window (or at the end, or when the table is full)
 * and handed to a sink; nothing grows with the capture.
 */
#ifndef DNSFRAG_COMMON_TXN_H
#define DNSFRAG_COMMON_TXN_H

#include <stdint.h>

#include "pipeline.h"

#define TXN_QNAME_MAX 256  /* longer names are cut for display; keys use a hash of the whole */
#define TXN_MAX_ICMP 4
#define TXN_MAX_FRAGS 16   /* fragment sizes kept for the report */
#define TXN_MAX_RANGES 4

typedef enum txn_verdict {
	TXN_WHOLE,           /* answered over UDP in one packet */
	TXN_FRAGMENTED,      /* answered over UDP, reassembled from fragments */
	TXN_FRAGMENTS_LOST,  /* answer fragments arrived, the datagram never completed */
	TXN_DISCARDED,       /* reassembled only across overlapping fragments: the receiver drops it */
	TXN_TRUNCATED,       /* TC=1: the TCP outcome tells the rest */
	TXN_NO_ANSWER,       /* nothing came back over UDP */
	TXN_TCP_ONLY,        /* asked over TCP from the start */
	TXN_ORPHAN_ANSWER,   /* an answer whose query is not in the capture */
	TXN_VERDICT_COUNT
} txn_verdict_t;

typedef enum txn_tcp_outcome {
	TXN_TCP_NOT_TRIED,
	TXN_TCP_COMPLETE,    /* an answer arrived over TCP */
	TXN_TCP_RESET,       /* a RST ended it */
	TXN_TCP_SYN_TIMEOUT, /* SYN never answered */
	TXN_TCP_STALL,       /* handshake done, answer never complete: a PMTU black hole */
	TXN_TCP_OUTCOME_COUNT
} txn_tcp_outcome_t;

typedef struct txn_icmp {
	icmp_kind_t kind;
	uint32_t mtu;
	uint64_t frame;
	ip_addr_t reporter;  /* who sent the ICMP error */
	uint8_t about_answer;/* 1: it quotes the answer; 0: the query */
} txn_icmp_t;

/* The fields are in three groups, for the tracker's sake (txn.c, "Slots"):
 * first those every transaction sets or reads (a few cache lines), then the
 * name, then those only fragments, ICMP errors and TCP retries fill in. */
typedef struct txn {
	/* key */
	ip_addr_t client, server;
	uint16_t cport, sport;
	uint16_t id;
	uint16_t qtype;
	uint32_t qname_hash;       /* of the whole name (qname below), case kept */
	uint16_t qname_len;        /* bytes of qname before its NUL */
	/* the query */
	dns_transport_t transport;
	uint8_t has_query;
	uint8_t query_has_opt, do_bit;
	uint16_t udp_size;         /* advertised; 0 without EDNS */
	uint64_t query_frame;
	int64_t query_ts;
	uint32_t query_copies;     /* retransmissions with the same key */
	/* the answer (over UDP, or over TCP for TCP_ONLY) */
	uint8_t answered;
	uint8_t tc, aa, ra, answer_has_opt;
	uint16_t rcode;
	uint16_t answer_udp_size;
	uint32_t answer_size;      /* DNS message bytes on the wire */
	uint32_t answer_ip_len;
	uint64_t answer_frame, answer_first_frame;
	int64_t answer_ts;
	uint32_t duplicate_answers;
	uint32_t nfrags;           /* fragments the answer came in (0: not fragmented) */
	uint8_t receiver_discards;
	/* the answer's fragment train as it arrives; "lost" once the transaction
	 * closes without the answer (frags_lost; the details are below) */
	uint8_t train_seen;
	uint8_t frags_lost;
	/* the TCP retry (its frames and sizes are below) */
	uint8_t tcp_query_seen;
	txn_tcp_outcome_t tcp;
	/* result */
	txn_verdict_t verdict;
	uint8_t delivered;         /* the client got a usable answer, over UDP or TCP */
	uint8_t evicted;           /* finalized early because the table was full */
	/* the key's name */
	char qname[TXN_QNAME_MAX];
	/* ---- details: fragments, ICMP, the TCP retry */
	uint32_t frag_ip_sizes[TXN_MAX_FRAGS]; /* IP packet size of each fragment, arrival order */
	uint8_t lost_tied_by_addresses; /* its first fragment was missing */
	uint8_t lost_inferred;     /* no fragment arrived; TCP showed the answer too big for one packet */
	uint8_t lost_have_first, lost_have_last;
	uint32_t lost_arrived;     /* fragments of it that arrived */
	uint32_t lost_total_len;   /* from its last fragment; 0 when that is missing */
	reasm_range_t lost_ranges[TXN_MAX_RANGES];
	uint32_t lost_nranges;
	uint64_t lost_first_frame;
	uint32_t train_first_ip;   /* IP size of the train's first fragment (the MTU it was cut at), 0 if unseen */
	/* ICMP attributed to it */
	txn_icmp_t icmp[TXN_MAX_ICMP];
	uint32_t nicmp;
	/* the TCP retry */
	uint64_t tcp_syn_frame, tcp_answer_frame;
	uint32_t tcp_answer_size;
	uint16_t tcp_mss;
} txn_t;

typedef void (*txn_sink_fn)(void *ctx, const txn_t *t);

typedef struct txn_config {
	int64_t window_ns;     /* how long after its query a transaction may still change */
	uint32_t max_open;     /* transactions in flight */
} txn_config_t;

void txn_config_default(txn_config_t *cfg);

typedef struct txn_stats {
	uint64_t queries, answers, orphan_answers, duplicate_answers, retransmitted_queries;
	uint64_t trains_unattributed, icmp_attributed, icmp_unattributed, tcp_flows_unattributed;
	uint64_t evicted, finalized;
} txn_stats_t;

typedef struct txn_tracker txn_tracker_t;

txn_tracker_t *txn_tracker_new(const txn_config_t *cfg, txn_sink_fn sink, void *ctx);
void txn_tracker_free(txn_tracker_t *tt);
/* Hooks to give pipeline_new(); every pipeline feeding this tracker shares them. */
pipeline_hooks_t txn_tracker_hooks(txn_tracker_t *tt);
/* End of input: finalize everything still open. */
void txn_tracker_flush(txn_tracker_t *tt);
const txn_stats_t *txn_tracker_stats(const txn_tracker_t *tt);

const char *txn_verdict2str(txn_verdict_t v);
const char *txn_tcp_outcome2str(txn_tcp_outcome_t o);

#endif /* DNSFRAG_COMMON_TXN_H */
