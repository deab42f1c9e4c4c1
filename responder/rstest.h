/* rstest.h - the reply-size test (compatible with DNS-OARC's rs.dns-oarc.net):
 * per-test state, keyed by a nonce label, and the size search.
 *
 * A test is a CNAME chain the resolver follows:
 *
 *   rs.ZONE                          TXT -> CNAME rst.nNONCE.rs.ZONE         (mint, small)
 *   rst.nNONCE.rs.ZONE               TXT -> CNAME rst.xS1.nNONCE.rs.ZONE     (padded to S1)
 *   rst.xS1.nNONCE.rs.ZONE           TXT -> CNAME rst.xS2.xS1.nNONCE...      (padded to S2)
 *   rst.xS2.xS1.nNONCE.rs.ZONE       TXT -> CNAME rst.xS3.xS2.xS1.nNONCE...  (padded to S3)
 *   rst.xS3.xS2.xS1.nNONCE.rs.ZONE   TXT -> the result strings
 *
 * A label xS names the size of the answer that carried the CNAME to it, so a
 * query for a name proves that answer arrived. An answer over TCP is labelled
 * tS instead: it proves nothing about UDP. A query for a name already answered
 * (a retry, from any egress address, in any 0x20 case) means the answer was
 * lost: the size counts as lost and the name is answered again, smaller.
 *
 * The search (per test; "lo" = largest UDP size delivered, "hi" = smallest UDP
 * size lost above lo, C = this query's ceiling, F = the largest answer this
 * server sends to the client without fragmenting it; see rstest_size_next):
 *   1. nothing lost up to C: try C (a clean path ends here: C, C, C);
 *   2. lost: try F, the server's own fragmentation point;
 *   3. F delivered: try F+1, the smallest fragmented answer; if it is lost the
 *      limit is exactly F;
 *   4. fragments delivered (lo > F): binary search between lo and hi;
 *   5. lost even at F (a smaller MTU further on): 1492-MTU and 1280-MTU sizes,
 *      then binary search down to 512;
 *   6. converged (lo + 1 == hi, or lo == C): repeat lo.
 */
#ifndef DNSFRAG_RESPONDER_RSTEST_H
#define DNSFRAG_RESPONDER_RSTEST_H

#include <stddef.h>
#include <stdint.h>

#define RSTEST_STEPS 3      /* sized steps in a chain, as OARC's */
#define RSTEST_TRIES 8      /* answers remembered per name */
#define RSTEST_NODES 8      /* names remembered per test */
#define RSTEST_LOST_MAX 8   /* lost sizes remembered per test (for the log) */
#define RSTEST_IDLE_MS 120000 /* a test unused this long is forgotten */
#define RSTEST_MIN_SIZE 512

/* The sized labels of a chain name, newest (leftmost) first. */
typedef struct rstest_chain {
	uint8_t n;                     /* 0 .. RSTEST_STEPS */
	uint16_t size[RSTEST_STEPS];
	uint8_t tcp[RSTEST_STEPS];     /* 1: a "t" label (answered over TCP) */
} rstest_chain_t;

typedef struct rstest_node {
	rstest_chain_t name;
	uint8_t ntries;
	uint16_t try_size[RSTEST_TRIES];
	uint8_t try_tcp[RSTEST_TRIES];
} rstest_node_t;

typedef struct rstest {
	uint32_t nonce;                /* 0: free slot */
	uint64_t last_ms;
	uint16_t lo;                   /* largest UDP size delivered (0: none yet) */
	uint8_t nlost;
	uint16_t lost[RSTEST_LOST_MAX];
	uint8_t nnodes;
	rstest_node_t node[RSTEST_NODES];
	uint8_t reported;              /* the result was logged */
	uint32_t nlost_total;
} rstest_t;

typedef struct rstest_table {
	rstest_t *slot;
	size_t nslots;                 /* a power of two */
} rstest_table_t;

typedef enum rstest_verdict {
	RSTEST_ANSWER,   /* answer with a CNAME to the next name, padded to *size */
	RSTEST_FINAL,    /* the name ends the chain: answer the result strings */
	RSTEST_UNKNOWN,  /* not a name this test issued (NXDOMAIN) */
} rstest_verdict_t;

/* The facts about one query the search needs. */
typedef struct rstest_query {
	int tcp;           /* arrived over TCP */
	unsigned ceiling;  /* largest size this query allows (its EDNS size, capped) */
	unsigned frag;     /* largest unfragmented answer to the client; 0 unknown */
	int v6;            /* client is IPv6 (picks the fallback ladder) */
} rstest_query_t;

/* nslots is rounded up to a power of two. 0 on success, -1 out of memory. */
int rstest_table_init(rstest_table_t *t, size_t nslots);
void rstest_table_free(rstest_table_t *t);

/* A new test with a fresh nonce from rand32 (called until the nonce is unused
 * and non-zero). Never NULL: the least recently used test nearby is evicted. */
rstest_t *rstest_mint(rstest_table_t *t, uint64_t now_ms, uint32_t (*rand32)(void *), void *rand_ctx);

/* The live test with this nonce, or NULL. */
rstest_t *rstest_find(rstest_table_t *t, uint32_t nonce, uint64_t now_ms);

/* One TXT query for the chain name `name` of test t: record what it proves
 * (delivery of the size its newest label names, or loss of the last answer
 * to the same name) and pick the size of the answer. */
rstest_verdict_t rstest_step(rstest_t *t, const rstest_chain_t *name, const rstest_query_t *rq,
                             uint64_t now_ms, unsigned *size);

/* The size search itself (pure): the next size to try, in [512, ceiling]. */
unsigned rstest_size_next(const rstest_query_t *rq, unsigned lo, unsigned hi);

/* The smallest lost size above t->lo, or 0. */
unsigned rstest_hi(const rstest_t *t);

/* The largest UDP ("x") size in a chain name; when every step went over TCP,
 * the largest TCP ("t") size (the resolver did receive it); 0 for none. */
unsigned rstest_chain_limit(const rstest_chain_t *name);

#endif /* DNSFRAG_RESPONDER_RSTEST_H */
