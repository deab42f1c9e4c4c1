/* crafted.h - the probe's crafted UDP questions: probe/craft.c wired into the
 * run. When any crafting option is given (df, ttl, ip-id, source, vrf, pad,
 * fragment-query; config.h), every UDP size question leaves as raw packets
 * built by craft.c instead of through a kernel socket, so the probe controls
 * DF, TTL / hop limit, the IP id, the source address and the device, pads the
 * query with an RFC 7830 padding option, and can fragment its own query (IPv4
 * and IPv6) to test the query direction.
 *
 * Each crafted question's source port is bound by a UDP socket
 * (craft_port_bind), connected to the target, so its answer arrives on that
 * socket (and the kernel sends no port unreachable); the engine reads it
 * there as for any question, and the live capture sees the crafted train and
 * the answer like any other packets.
 *
 * Start-up, before the capture opens and privileges drop: a raw socket per
 * family in use (CAP_NET_RAW), then craft_selfcheck() per family toward the
 * first target of that family: a crafted 2-fragment train must leave the
 * host byte for byte. A failed self-check refuses fragment-query (the host
 * would rewrite the probe's fragments, so their fate would say nothing about
 * the path) and is a note otherwise.
 */
#ifndef DNSFRAG_PROBE_CRAFTED_H
#define DNSFRAG_PROBE_CRAFTED_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "craft.h"
#include "plan.h"
#include "targets.h"

typedef struct crafted crafted_t;

typedef enum crafted_status {
	CRAFTED_OK,
	CRAFTED_PERM,       /* no CAP_NET_RAW */
	CRAFTED_REFUSED,    /* the self-check failed and fragment-query was asked */
	CRAFTED_ERROR,      /* anything else (a bad source address, a device) */
} crafted_status_t;

/* The self-check of one family, for the report. */
typedef struct crafted_check {
	uint8_t family;          /* 0: not run (family not used) */
	craft_status_t status;
	char text[1024];         /* craft_selfcheck's message */
	char source[64];         /* the source address crafted packets carry */
} crafted_check_t;

/* Open the crafters of the families the targets use, pick each family's
 * source address (cfg->sources, else the route's), and run the self-check on
 * iface ("any" or the capture's interface). NULL with *st and err on failure;
 * the checks are in *checks (2 entries: IPv4, IPv6) in every case. */
crafted_t *crafted_open(const probe_cfg_t *cfg, const probe_targets_t *targets, const char *iface,
                        crafted_check_t checks[2], crafted_status_t *st, char *err, size_t errlen);

/* The engine hook (engine_hooks_t.udp_open): ctx is a crafted_t. */
int crafted_udp_open(void *ctx, const probe_query_t *q, const probe_target_t *t, const uint8_t *msg, size_t len);

/* The size of the DNS message crafted_udp_open sends for a base query of len
 * bytes (after padding). Pure. */
size_t crafted_query_size(const probe_cfg_t *cfg, const probe_query_t *q, size_t len);

void crafted_close(crafted_t *c);

/* The local address the kernel would use toward t (bound to device when not
 * NULL); a UDP connect, nothing is sent. 0, or -1 with err. */
int crafted_route_source(const probe_target_t *t, const char *device, ip_addr_t *src, char *err, size_t errlen);

#endif /* DNSFRAG_PROBE_CRAFTED_H */
