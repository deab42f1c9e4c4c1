/* targets.h - the servers a probe run asks: addresses from --server / the
 * profile's server key, or the root servers from a root.hints file (Debian's
 * dns-root-data, /usr/share/dns/root.hints) with an embedded, dated fallback.
 * The source used is recorded for the report. No name is ever looked up.
 *
 * The lab guard (DNSFRAG_LAB=1 in the environment): every destination must be
 * in a documentation prefix (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
 * 2001:db8::/32) or loopback; checked before any socket is opened.
 */
#ifndef DNSFRAG_PROBE_TARGETS_H
#define DNSFRAG_PROBE_TARGETS_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

#include "config.h"
#include "packet.h"

#define PROBE_MAX_TARGETS 128
#define TARGETS_DEFAULT_HINTS "/usr/share/dns/root.hints"
#define TARGETS_EMBEDDED_DATE "2024-04-18" /* root.hints "last update: April 18, 2024" */

typedef struct probe_target {
	ip_addr_t addr;
	struct sockaddr_storage sa; /* port 53 */
	socklen_t salen;
	char name[PROBE_NAME_MAX];  /* from the hints ("A.ROOT-SERVERS.NET."), or "" */
	char text[64];              /* the address as text */
} probe_target_t;

typedef struct probe_targets {
	probe_target_t t[PROBE_MAX_TARGETS];
	uint32_t n;
	char source[PROBE_TEXT_MAX + 64]; /* "command line", "profile", a hints file, or the embedded list */
} probe_targets_t;

/* Parse one numeric address (IPv4 or IPv6, no name lookup) into a target. */
int targets_addr_parse(const char *text, probe_target_t *t);

/* Parse root.hints text: every "NAME TTL A|AAAA ADDR" line (TTL and class
 * optional); families is a PROBE_FAM_* mask. Pure. Returns 0 or -1 with err. */
int targets_hints_parse(const char *text, size_t len, uint8_t families, probe_targets_t *out, char *err,
                        size_t errlen);

/* The targets of a run: cfg->servers if any (source: from_what), else the hints
 * file cfg->hints (or the default file, or the embedded list when the default
 * file cannot be read). An explicit hints file that cannot be read is an error. */
int targets_from_cfg(const probe_cfg_t *cfg, const char *from_what, probe_targets_t *out, char *err,
                     size_t errlen);

/* Is the address in a documentation prefix or loopback? */
int targets_addr_is_lab(const ip_addr_t *a);

/* DNSFRAG_LAB=1: 0 when every target is a lab address, else -1 naming the first
 * one that is not. Without DNSFRAG_LAB=1, always 0. */
int targets_lab_check(const probe_targets_t *t, char *err, size_t errlen);

/* The lab guard is on (DNSFRAG_LAB=1). */
int targets_lab_mode(void);

#endif /* DNSFRAG_PROBE_TARGETS_H */
