/* fleet.h - dnsfrag-report's matrix: cells (site, server, family, answer
 * size) with summed counts, the instance behind each (site, server), and the
 * reader that fills them from JSON reports one value at a time (libjansson). */
#ifndef DNSFRAG_REPORT_FLEET_H
#define DNSFRAG_REPORT_FLEET_H

#include <stddef.h>
#include <stdint.h>

#define FLEET_MAX_NAME 256
#define FLEET_MAX_SITES 65536
#define FLEET_MAX_SERVERS 65536
#define FLEET_MAX_CELLS (1u << 24)
#define FLEET_MAX_VALUE (64u << 20) /* one JSON document or line */

enum { H_OK, H_WARNING, H_CRITICAL, H_UNKNOWN };

typedef struct cell_counts {
	uint64_t total, delivered, failed_both, frags_lost, fragmented, tcp_fail;
} cell_counts_t;

typedef struct cell {
	uint32_t site, server, size;
	uint8_t family, used;
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

typedef struct fleet {
	names_t sites, servers;
	cell_t *cells;          /* open addressing */
	uint32_t ncells, cap;
	instance_t *inst;
	uint32_t ninst, inst_cap;
	char site0[FLEET_MAX_NAME];    /* --diff: the run's site and profile hash */
	char profile_hash[80];
	uint32_t docs;
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
