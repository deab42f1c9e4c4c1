/* trace_answer.h - the answer-direction trace (see trace.h): a cooperating
 * dnsfrag-responder, started with --allow-ttl, sends a small (control) and a
 * fragmented (probe) answer with the hop limit named in the query,
 * ttlH.N.size.ZONE; the Time Exceeded they draw goes to the responder, which
 * reports it in the answer to te-ID.size.ZONE TXT (ID: the DNS id of the
 * query whose answer drew it). Ordinary UDP sockets: nothing is crafted.
 */
#ifndef DNSFRAG_PROBE_TRACE_ANSWER_H
#define DNSFRAG_PROBE_TRACE_ANSWER_H

#include "config.h"
#include "packet.h"
#include "targets.h"
#include "trace.h"

/* Fill p (kind answer) for target t, from source src; errors are kept in p. */
void trace_answer_run(const probe_cfg_t *cfg, const probe_target_t *t, const ip_addr_t *src, trace_path_t *p);

#endif /* DNSFRAG_PROBE_TRACE_ANSWER_H */
