/* fleet.h - dnsfrag-report's matrix: cells (site, server, family, answer
 * size) with summed counts, the instance behind each (site, server), and the
 * reader that fills them from JSON reports one value at a time (libjansson). */
#ifndef DNSFRAG_REPORT_FLEET_H
#define DNSFRAG_REPORT_FLEET_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"

#define FLEET_MAX_NAME 256
#define FLEET_MAX_SITES 65536
#define FLEET_MAX_SERVERS 65536
#define FLEET_MAX_CELLS (1u << 24)
#define FLEET_MAX_VALUE (64u << 20) /* one JSON document or line */
#define FLEET_MAX_RUNS_KEPT 1024    /* runs listed with their metadata (the rest are counted) */
#define FLEET_MAX_TEXT 1024         /* a sentence or headline kept from a report */

enum { H_OK, H_WARNING, H_CRITICAL, H_UNKNOWN };

/* A cell's counts are the reports' own (paths[].sizes[].counts), summed:
 * total, delivered, critical (failed_both), verdicts and TCP outcomes. */
typedef report_counts_t cell_counts_t;

static inline uint64_t fleet_frags_lost(const cell_counts_t *c)
{
	return c->verdict[TXN_FRAGMENTS_LOST] + c->verdict[TXN_DISCARDED];
}
static inline uint64_t fleet_tcp_failed(const cell_counts_t *c)
{
	return c->tcp[TXN_TCP_RESET] + c->tcp[TXN_TCP_SYN_TIMEOUT] + c->tcp[TXN_TCP_STALL];
}

typedef struct cell {
	uint32_t site, server, size;
	uint8_t family, do_bit, used;
	uint8_t differs;        /* --merge: its health is not the rest's (set by the writer) */
	int8_t rest;            /* then the rest's health (H_*), -1: the rest did not measure it */
	uint32_t max_frags;     /* most fragments an answer of this size came in, over the runs */
	cell_counts_t c;
} cell_t;

typedef struct names {
	char **v;
	uint32_t n, cap, max;
} names_t;

typedef struct instance { /* (site, server) -> the instance that answered */
	uint32_t site, server;
	char *name;
} instance_t;

/* One input report (or JSON Lines summary) as it described itself; every
 * string is from the input: checked for length and control bytes, never
 * trusted further (escape it). NULL: absent or not valid. */
typedef struct fleet_run {
	char *file, *site, *id, *tool, *version, *start, *end, *profile, *profile_sha256, *headline;
	char *health;
	char *fam_health[2], *fam_sentence[2]; /* [0] IPv4, [1] IPv6 (reports only) */
} fleet_run_t;

typedef struct fleet {
	names_t sites, servers;
	cell_t *cells;          /* open addressing */
	uint32_t ncells, cap;
	instance_t *inst;
	uint32_t ninst, inst_cap;
	char site0[FLEET_MAX_NAME];    /* --diff: the run's site and profile hash */
	char profile_hash[80];
	uint32_t docs;
	fleet_run_t *runs;      /* the first FLEET_MAX_RUNS_KEPT runs */
	uint32_t nruns;
	const char *file;       /* the file being read */
} fleet_t;


/* The health of a cell: CRITICAL an answer neither transport brought, WARNING
 * fragments lost or answers missing, OK every answer arrived, UNKNOWN none. */
int fleet_cell_health(const cell_counts_t *c);
const char *fleet_instance_get(const fleet_t *f, uint32_t site, uint32_t server);
/* Every JSON value of FILE ('-': stdin): a dnsfrag-report/1 document or
 * dnsfrag-jsonl/1 records. 0, or -1 with "FILE: byte N: why" in err. */
int fleet_read_file(fleet_t *f, const char *file, char *err, size_t errlen);
void fleet_free(fleet_t *f);

#endif /* DNSFRAG_REPORT_FLEET_H */
