/* live.h - the probe's live capture: libpcap on the interface toward the
 * targets, immediate mode (without it libpcap delivered packets on veth
 * seconds late, LAB.md), a filter that keeps the targets' packets, every
 * fragment and ICMP/ICMPv6 (never a bare "port 53": non-first fragments carry
 * no ports), each packet fed to the common pipeline (the analyzer's decoding,
 * reassembly and transaction tracking) and optionally written to a pcap file.
 *
 * The file is written as PATH.tmp and renamed on success, so a failed run
 * leaves nothing partial behind.
 */
#ifndef DNSFRAG_PROBE_LIVE_H
#define DNSFRAG_PROBE_LIVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pipeline.h"
#include "targets.h"

typedef struct live live_t;

typedef enum live_status { LIVE_OK, LIVE_PERM_DENIED, LIVE_ERROR } live_status_t;

typedef struct live_stats {
	uint64_t records, bytes;
	uint64_t received, dropped, ifdropped; /* libpcap's pcap_stats */
} live_stats_t;

/* The BPF filter for these targets into buf. -1 if it does not fit. */
int live_filter_build(const probe_targets_t *targets, char *buf, size_t len);

/* The interface of the route to the targets (the first target's; "any" when
 * they leave by different interfaces). Opens (and closes) a UDP socket per
 * target to ask the kernel's routing; sends nothing. */
int live_iface_for(const probe_targets_t *targets, char *iface, size_t len, char *err, size_t errlen);

/* Open and activate the capture with the filter. NULL with *status and err. */
live_t *live_open(const char *iface, const char *filter, live_status_t *status, char *err, size_t errlen);

/* Write every captured packet to path (through path.tmp); the file is handed to
 * owner (uid, gid; (uid_t)-1 for no change) so the run can finish it after
 * dropping privileges. */
int live_dump_open(live_t *l, const char *path, uid_t uid, gid_t gid, char *err, size_t errlen);

int live_fd(const live_t *l);
int live_dlt(const live_t *l);

/* Feed every packet waiting into the pipeline (and the file). 0, or -1 on a
 * capture error (message in live_error). */
int live_dispatch(live_t *l, pipeline_t *p);
const char *live_error(const live_t *l);

void live_stats_get(live_t *l, live_stats_t *s);

/* Finish the file: flush, close, rename path.tmp to path. */
int live_dump_commit(live_t *l, char *err, size_t errlen);

/* Close the capture; an uncommitted file is removed. */
void live_close(live_t *l);

#endif /* DNSFRAG_PROBE_LIVE_H */
