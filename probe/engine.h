/* engine.h - the probe's one event loop: every planned question to every
 * target over ordinary kernel sockets, paced, with the capture polled in the
 * same loop.
 *
 *   UDP       one connected socket per question (so ICMP port unreachable
 *             comes back as ECONNREFUSED and a stray answer cannot be taken
 *             for ours); the answer must carry our id and QR.
 *   TCP       after TC=1, and as a control after any UDP failure (timeout,
 *             refused): a fresh connection with the kernel's own MSS (no
 *             clamp: a clamped MSS hides PMTU black holes). Its outcome from
 *             the socket: complete, SYN timeout (connect did not finish),
 *             refused/reset (RST), closed (FIN before the answer), or stall
 *             (handshake done, answer incomplete at the timeout).
 *   Pacing    at most cfg->rate new questions a second per target, at most
 *             cfg->inflight questions outstanding, and at most one possibly
 *             fragmenting question (edns > 1,232) per target until its UDP
 *             answer arrived or timed out: a fragment train without its first
 *             fragment is tied to the question sent just before it
 *             (common/txn.h), so two at once to one server could be confused.
 *   Clocks    timeouts and pacing on CLOCK_MONOTONIC; the capture keeps its
 *             own timestamps.
 * With a more hook, the loop asks it for further questions (another round)
 * each time every question so far has its outcome. After the last question the loop keeps polling the capture for settle_ms so
 * late fragments and ICMP errors are captured.
 */
#ifndef DNSFRAG_PROBE_ENGINE_H
#define DNSFRAG_PROBE_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "targets.h"

typedef struct engine_config {
	uint32_t timeout_ms;
	uint32_t settle_ms;
	uint32_t rate;      /* per target per second; 0 unlimited */
	uint32_t inflight;
	uint8_t tcp;
	const char *device;  /* SO_BINDTODEVICE on every kernel socket (--vrf); NULL: none */
} engine_config_t;

typedef struct engine_hooks {
	void *ctx;
	int fd;                                 /* polled for input (the capture); -1: none */
	int (*readable)(void *ctx);             /* fd is readable: 0, or -1 to stop the run */
	void (*progress)(void *ctx, uint32_t done, uint32_t total);
	/* Crafted questions (q->crafted): send msg to t as raw packets and return
	 * the UDP socket bound to their source port, connected to t, non-blocking,
	 * on which the answer will arrive; -1 with errno on failure. NULL: every
	 * question goes through an ordinary socket. */
	int (*udp_open)(void *ctx, const probe_query_t *q, const probe_target_t *t, const uint8_t *msg, size_t len);
	void *udp_ctx;
	/* Every question so far has its outcome: append more to the plan (it may
	 * realloc plan->q) and return how many, or 0 to settle and end. Called
	 * only when nothing is in flight (--repeats auto, probe/loss.h). NULL: none. */
	uint32_t (*more)(void *ctx, probe_plan_t *plan);
} engine_hooks_t;

typedef struct engine_stats {
	uint64_t udp_sent, tcp_connects;
	uint64_t stray_answers;   /* datagrams on our sockets that were not our answer */
	uint64_t elapsed_ms;      /* from the first question to the end of the settle time */
	uint64_t questions_ms;    /* from the first question to the last outcome */
} engine_stats_t;

/* Ask every question of the plan, filling each one's outcome. Returns 0, or -1
 * with err when the loop itself failed (poll, memory, or the hook asked to stop). */
int engine_run(const engine_config_t *cfg, const probe_targets_t *targets, probe_plan_t *plan,
               const engine_hooks_t *hooks, engine_stats_t *stats, char *err, size_t errlen);

#endif /* DNSFRAG_PROBE_ENGINE_H */
