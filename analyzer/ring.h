/* ring.h - the frames of the last N failing transactions of one capture
 * point, for replay (--ring-pcap FILE --ring N).
 *
 * Bounded twice: the recent frames (the last RING_RECENT_FRAMES, at most
 * RING_RECENT_BYTES of them) wait until their transactions are judged, and a
 * transaction judged failing (not delivered, or its fragments lost or
 * discarded) keeps copies of its frames (at most RING_TXN_FRAMES): those
 * between the query and a second after the last frame the transaction names,
 * exchanged by its client and server (fragments carry the addresses, not the
 * ports), plus its ICMP errors. The oldest failing transaction leaves when the
 * N+1st comes. At the end the frames are written in capture order, each once,
 * as a pcap with nanosecond timestamps (PATH.tmp, then renamed), readable by
 * dnsfrag-analyze.
 */
#ifndef DNSFRAG_ANALYZER_RING_H
#define DNSFRAG_ANALYZER_RING_H

#include <stdint.h>

#include "pipeline.h"
#include "txn.h"

#define RING_RECENT_FRAMES 65536
#define RING_RECENT_BYTES (64u << 20)
#define RING_TXN_FRAMES 64

typedef struct ring ring_t;

ring_t *ring_new(int dlt, uint32_t ntxn);
void ring_free(ring_t *r);
/* Every captured frame, before the pipeline sees it. */
void ring_frame(ring_t *r, uint64_t frame, int64_t ts_ns, const uint8_t *data, uint32_t caplen, uint32_t wirelen);
/* The pipeline's packet hook (ctx is the ring): notes the frame's IP addresses. */
pipeline_hooks_t ring_hooks(ring_t *r);
/* Every judged transaction (the tracker's sink calls it). */
void ring_txn(ring_t *r, const txn_t *t);
/* Transactions kept. */
uint32_t ring_kept(const ring_t *r);
/* Write the file. 0, or -1 with a message in err. */
int ring_write(const ring_t *r, const char *path, char *err, size_t errlen);

#endif /* DNSFRAG_ANALYZER_RING_H */
