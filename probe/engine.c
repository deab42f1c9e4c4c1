/* engine.c - the event loop (see engine.h). */
#include "engine.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "wire.h"

#define TCP_MSG_MAX (2 + 65535)

typedef enum active_state { A_FREE, A_UDP, A_TCP_CONNECT, A_TCP_WRITE, A_TCP_READ } active_state_t;

/* A question in flight. */
typedef struct active {
	active_state_t state;
	uint32_t qi;
	int ufd, tfd;
	int64_t t0_ns, deadline_ns;
	uint8_t wbuf[2 + WIRE_QUERY_MAX];
	size_t wlen, woff;
	uint8_t *rbuf;            /* TCP answer, with its 2-byte length */
	size_t roff;
} active_t;

typedef struct target_pace {
	int64_t next_ns;          /* no new question before this */
	uint8_t frag_busy;        /* a possibly fragmenting UDP question is out */
} target_pace_t;

typedef struct engine {
	const engine_config_t *cfg;
	const probe_targets_t *targets;
	probe_plan_t *plan;
	const engine_hooks_t *hooks;
	engine_stats_t *stats;
	active_t *act;
	uint32_t nact, cap;
	target_pace_t *pace;
	uint8_t *started;         /* per question: handed to udp_start */
	uint32_t next_unstarted, done;
	int64_t start_ns, last_done_ns;
	uint8_t *udp_buf;         /* 64 KiB receive buffer, shared */
} engine_t;

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static uint16_t random_id(void)
{
	uint16_t id;
	if (getrandom(&id, sizeof id, 0) != (ssize_t)sizeof id)
		id = (uint16_t)(mono_ns() ^ (mono_ns() >> 16));
	return id;
}

static probe_query_t *act_query(engine_t *e, active_t *a)
{
	return &e->plan->q[a->qi];
}

static int64_t timeout_ns(const engine_t *e)
{
	return (int64_t)e->cfg->timeout_ms * 1000000LL;
}

/* The question is over: free its slot and its target's fragment slot. */
static void act_finish(engine_t *e, active_t *a)
{
	probe_query_t *q = act_query(e, a);
	if (a->ufd >= 0)
		close(a->ufd);
	if (a->tfd >= 0)
		close(a->tfd);
	if (a->state == A_UDP && q->may_fragment)
		e->pace[q->target].frag_busy = 0;
	free(a->rbuf);
	memset(a, 0, sizeof *a);
	a->state = A_FREE;
	a->ufd = a->tfd = -1;
	e->nact--;
	e->done++;
	e->last_done_ns = mono_ns();
	if (e->hooks->progress)
		e->hooks->progress(e->hooks->ctx, e->done, e->plan->n);
}

static void keep_answer(probe_query_t *q, const uint8_t *msg, size_t len)
{
	if (!q->keep_answer)
		return;
	free(q->out.answer);
	q->out.answer = malloc(len);
	q->out.answer_len = q->out.answer ? (uint32_t)len : 0;
	if (q->out.answer)
		memcpy(q->out.answer, msg, len);
}

/* --vrf: the socket leaves by that device (an interface or a VRF master). */
static int engine_bind_device(const engine_t *e, int fd)
{
	const char *d = e->cfg->device;
	if (!d || !*d)
		return 0;
	return setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, d, (socklen_t)strlen(d) + 1);
}

/* ---- TCP */

static probe_tcp_result_t tcp_errno2result(int err, int connected)
{
	switch (err) {
	case ECONNREFUSED: return connected ? TCP_RESET : TCP_REFUSED;
	case ECONNRESET: case EPIPE: return TCP_RESET;
	case ETIMEDOUT: return connected ? TCP_STALL : TCP_SYN_TIMEOUT;
	default: return TCP_ERROR;
	}
}

static void tcp_fail(engine_t *e, active_t *a, probe_tcp_result_t r, int err)
{
	probe_query_t *q = act_query(e, a);
	q->out.tcp = r;
	q->out.err = err;
	act_finish(e, a);
}

static void tcp_start(engine_t *e, active_t *a)
{
	probe_query_t *q = act_query(e, a);
	const probe_target_t *t = &e->targets->t[q->target];
	/* The UDP phase is over: another possibly fragmenting question may go. */
	if (q->may_fragment)
		e->pace[q->target].frag_busy = 0;
	if (!e->cfg->tcp || q->kind != QK_SIZE) { /* identity questions: no TCP */
		a->state = A_TCP_READ; /* so act_finish does not touch the fragment slot again */
		act_finish(e, a);
		return;
	}
	uint16_t id = random_id();
	size_t n = wire_query_build(a->wbuf + 2, sizeof a->wbuf - 2, id, q->qname, q->qtype, q->edns, q->do_bit, q->rd);
	a->wbuf[0] = (uint8_t)(n >> 8);
	a->wbuf[1] = (uint8_t)n;
	a->wlen = n + 2;
	a->woff = 0;
	a->rbuf = malloc(TCP_MSG_MAX);
	a->t0_ns = mono_ns();
	a->deadline_ns = a->t0_ns + timeout_ns(e);
	a->state = A_TCP_CONNECT;
	e->stats->tcp_connects++;
	if (!a->rbuf) {
		tcp_fail(e, a, TCP_ERROR, ENOMEM);
		return;
	}
	a->tfd = socket(t->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (a->tfd < 0 || engine_bind_device(e, a->tfd) < 0) {
		tcp_fail(e, a, TCP_ERROR, errno);
		return;
	}
	if (connect(a->tfd, (const struct sockaddr *)&t->sa, t->salen) < 0 && errno != EINPROGRESS)
		tcp_fail(e, a, tcp_errno2result(errno, 0), errno);
}

static void tcp_on_connect(engine_t *e, active_t *a)
{
	int err = 0;
	socklen_t len = sizeof err;
	if (getsockopt(a->tfd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		tcp_fail(e, a, tcp_errno2result(err, 0), err);
		return;
	}
	/* Handshake done: the answer gets a timeout of its own. */
	a->state = A_TCP_WRITE;
	a->deadline_ns = mono_ns() + timeout_ns(e);
}

static void tcp_on_write(engine_t *e, active_t *a)
{
	ssize_t n = send(a->tfd, a->wbuf + a->woff, a->wlen - a->woff, MSG_NOSIGNAL);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			tcp_fail(e, a, tcp_errno2result(errno, 1), errno);
		return;
	}
	a->woff += (size_t)n;
	if (a->woff == a->wlen)
		a->state = A_TCP_READ;
}

static void tcp_on_read(engine_t *e, active_t *a)
{
	probe_query_t *q = act_query(e, a);
	ssize_t n = recv(a->tfd, a->rbuf + a->roff, TCP_MSG_MAX - a->roff, 0);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			tcp_fail(e, a, tcp_errno2result(errno, 1), errno);
		return;
	}
	if (n == 0) {
		tcp_fail(e, a, TCP_CLOSED, 0);
		return;
	}
	a->roff += (size_t)n;
	if (a->roff < 2)
		return;
	size_t need = 2 + ((size_t)a->rbuf[0] << 8 | a->rbuf[1]);
	if (a->roff < need)
		return;
	wire_answer_head_t h;
	q->out.tcp = TCP_OK;
	q->out.tcp_size = (uint32_t)(need - 2);
	q->out.tcp_rtt_us = (uint32_t)((mono_ns() - a->t0_ns) / 1000);
	if (wire_answer_head(a->rbuf + 2, need - 2, &h) == 0) {
		q->out.rcode = h.rcode;
		q->out.aa = h.aa;
		q->out.ra = h.ra;
		q->out.ad = h.ad;
	}
	keep_answer(q, a->rbuf + 2, need - 2);
	act_finish(e, a);
}

/* ---- UDP */

static void udp_fail(engine_t *e, active_t *a, probe_udp_result_t r, int err)
{
	probe_query_t *q = act_query(e, a);
	q->out.udp = r;
	q->out.err = err;
	if (r == UDP_ERROR || q->kind != QK_SIZE) { /* a local error: TCP would meet the same */
		act_finish(e, a);
		return;
	}
	tcp_start(e, a);
}

static void udp_start(engine_t *e, active_t *a, uint32_t qi)
{
	probe_query_t *q = &e->plan->q[qi];
	const probe_target_t *t = &e->targets->t[q->target];
	uint8_t msg[WIRE_QUERY_MAX];
	memset(a, 0, sizeof *a);
	a->qi = qi;
	a->ufd = a->tfd = -1;
	a->state = A_UDP;
	a->t0_ns = mono_ns();
	a->deadline_ns = a->t0_ns + timeout_ns(e);
	e->nact++;
	if (q->may_fragment)
		e->pace[q->target].frag_busy = 1;
	q->out.sent_ms = (a->t0_ns - e->start_ns) / 1000000;
	q->out.id = random_id();
	size_t n = wire_query_build_ex(msg, sizeof msg, q->out.id, q->qname, q->qtype, q->qclass, q->edns, q->do_bit,
	                               q->rd, q->kind == QK_NSID);
	if (n == 0) {
		udp_fail(e, a, UDP_ERROR, EINVAL);
		return;
	}
	if (q->crafted && e->hooks->udp_open) {
		a->ufd = e->hooks->udp_open(e->hooks->udp_ctx, q, t, msg, n);
		if (a->ufd < 0) {
			udp_fail(e, a, UDP_ERROR, errno);
			return;
		}
	} else {
		a->ufd = socket(t->sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (a->ufd < 0 || engine_bind_device(e, a->ufd) < 0 ||
		    connect(a->ufd, (const struct sockaddr *)&t->sa, t->salen) < 0 || send(a->ufd, msg, n, 0) != (ssize_t)n) {
			udp_fail(e, a, UDP_ERROR, errno);
			return;
		}
	}
	struct sockaddr_storage local;
	socklen_t ll = sizeof local;
	if (getsockname(a->ufd, (struct sockaddr *)&local, &ll) == 0)
		q->out.cport = ntohs(local.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&local)->sin6_port
		                                                 : ((struct sockaddr_in *)&local)->sin_port);
	e->stats->udp_sent++;
}

static void udp_on_read(engine_t *e, active_t *a)
{
	probe_query_t *q = act_query(e, a);
	for (;;) {
		ssize_t n = recv(a->ufd, e->udp_buf, 65536, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			udp_fail(e, a, errno == ECONNREFUSED ? UDP_REFUSED : UDP_ERROR, errno);
			return;
		}
		wire_answer_head_t h;
		if (wire_answer_head(e->udp_buf, (size_t)n, &h) < 0 || !h.qr || h.id != q->out.id) {
			e->stats->stray_answers++;
			continue;
		}
		q->out.udp_size = (uint32_t)n;
		q->out.udp_rtt_us = (uint32_t)((mono_ns() - a->t0_ns) / 1000);
		q->out.rcode = h.rcode;
		q->out.aa = h.aa;
		q->out.ra = h.ra;
		q->out.ad = h.ad;
		if (h.tc) {
			q->out.udp = UDP_TC;
			tcp_start(e, a);
			return;
		}
		q->out.udp = UDP_OK;
		keep_answer(q, e->udp_buf, (size_t)n);
		act_finish(e, a);
		return;
	}
}

/* ---- the loop */

static void act_on_timeout(engine_t *e, active_t *a)
{
	switch (a->state) {
	case A_UDP: udp_fail(e, a, UDP_TIMEOUT, 0); break;
	case A_TCP_CONNECT: tcp_fail(e, a, TCP_SYN_TIMEOUT, 0); break;
	case A_TCP_WRITE:
	case A_TCP_READ: tcp_fail(e, a, TCP_STALL, 0); break;
	default: break;
	}
}

static void act_on_event(engine_t *e, active_t *a, short revents)
{
	switch (a->state) {
	case A_UDP: udp_on_read(e, a); break;
	case A_TCP_CONNECT: tcp_on_connect(e, a); break;
	case A_TCP_WRITE:
		if (revents & (POLLERR | POLLHUP))
			tcp_on_read(e, a); /* recv reports the error */
		else
			tcp_on_write(e, a);
		break;
	case A_TCP_READ: tcp_on_read(e, a); break;
	default: break;
	}
}

static active_t *act_free_slot(engine_t *e)
{
	for (uint32_t i = 0; i < e->cap; i++)
		if (e->act[i].state == A_FREE)
			return &e->act[i];
	return NULL;
}

/* Start what pacing allows; returns when the next paced question may start
 * (INT64_MAX: nothing waits on the clock). */
static int64_t engine_launch(engine_t *e, int64_t now)
{
	int64_t wake = INT64_MAX;
	int64_t interval = e->cfg->rate ? 1000000000LL / e->cfg->rate : 0;
	while (e->next_unstarted < e->plan->n && e->started[e->next_unstarted])
		e->next_unstarted++;
	for (uint32_t i = e->next_unstarted; i < e->plan->n && e->nact < e->cap; i++) {
		probe_query_t *q = &e->plan->q[i];
		if (e->started[i])
			continue;
		target_pace_t *p = &e->pace[q->target];
		if (p->next_ns > now) {
			if (p->next_ns < wake)
				wake = p->next_ns;
			continue;
		}
		if (q->may_fragment && p->frag_busy)
			continue;
		e->started[i] = 1;
		p->next_ns = now + interval;
		udp_start(e, act_free_slot(e), i);
	}
	return wake;
}

static int engine_loop(engine_t *e, char *err, size_t errlen)
{
	struct pollfd *pfd = calloc(e->cap + 1, sizeof *pfd);
	active_t **who = calloc(e->cap + 1, sizeof *who);
	if (!pfd || !who) {
		free(pfd);
		free(who);
		return snprintf(err, errlen, "out of memory"), -1;
	}
	int rc = 0;
	int64_t settle_end = INT64_MAX;
	for (;;) {
		int64_t now = mono_ns();
		int64_t wake = engine_launch(e, now);
		if (e->done == e->plan->n && settle_end == INT64_MAX && e->nact == 0 && e->hooks->more) {
			uint32_t old = e->plan->n;
			if (e->hooks->more(e->hooks->ctx, e->plan) > 0 && e->plan->n > old) {
				uint8_t *st = realloc(e->started, e->plan->n);
				if (!st) {
					snprintf(err, errlen, "out of memory");
					rc = -1;
					break;
				}
				memset(st + old, 0, e->plan->n - old);
				e->started = st;
				wake = engine_launch(e, now);
			}
		}
		if (e->done == e->plan->n && settle_end == INT64_MAX)
			settle_end = now + (int64_t)e->cfg->settle_ms * 1000000LL;
		if (now >= settle_end)
			break;
		nfds_t n = 0;
		if (e->hooks->fd >= 0) {
			pfd[n] = (struct pollfd){ .fd = e->hooks->fd, .events = POLLIN };
			who[n++] = NULL;
		}
		for (uint32_t i = 0; i < e->cap; i++) {
			active_t *a = &e->act[i];
			if (a->state == A_FREE)
				continue;
			int fd = a->state == A_UDP ? a->ufd : a->tfd;
			short ev = a->state == A_TCP_CONNECT || a->state == A_TCP_WRITE ? POLLOUT : POLLIN;
			pfd[n] = (struct pollfd){ .fd = fd, .events = ev };
			who[n++] = a;
			if (a->deadline_ns < wake)
				wake = a->deadline_ns;
		}
		if (settle_end < wake)
			wake = settle_end;
		/* Poll the capture at least every 100 ms even when nothing else waits. */
		int64_t ms = wake == INT64_MAX ? 100 : (wake - now + 999999) / 1000000;
		if (ms > 100)
			ms = 100;
		if (ms < 0)
			ms = 0;
		if (poll(pfd, n, (int)ms) < 0 && errno != EINTR) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			rc = -1;
			break;
		}
		for (nfds_t i = 0; i < n; i++) {
			if (!pfd[i].revents)
				continue;
			if (!who[i]) {
				if (e->hooks->readable(e->hooks->ctx) < 0) {
					snprintf(err, errlen, "the capture failed");
					rc = -1;
					goto out;
				}
			} else if (who[i]->state != A_FREE) {
				act_on_event(e, who[i], pfd[i].revents);
			}
		}
		now = mono_ns();
		for (uint32_t i = 0; i < e->cap; i++)
			if (e->act[i].state != A_FREE && e->act[i].deadline_ns <= now)
				act_on_timeout(e, &e->act[i]);
	}
out:
	free(pfd);
	free(who);
	return rc;
}

int engine_run(const engine_config_t *cfg, const probe_targets_t *targets, probe_plan_t *plan,
               const engine_hooks_t *hooks, engine_stats_t *stats, char *err, size_t errlen)
{
	engine_t e = { .cfg = cfg, .targets = targets, .plan = plan, .hooks = hooks, .stats = stats };
	memset(stats, 0, sizeof *stats);
	e.cap = cfg->inflight ? cfg->inflight : 1;
	e.act = calloc(e.cap, sizeof *e.act);
	e.pace = calloc(targets->n ? targets->n : 1, sizeof *e.pace);
	e.udp_buf = malloc(65536);
	e.started = calloc(plan->n ? plan->n : 1, 1);
	int rc = -1;
	if (!e.act || !e.pace || !e.udp_buf || !e.started) {
		snprintf(err, errlen, "out of memory");
	} else {
		for (uint32_t i = 0; i < e.cap; i++)
			e.act[i].ufd = e.act[i].tfd = -1;
		e.start_ns = e.last_done_ns = mono_ns();
		rc = engine_loop(&e, err, errlen);
		for (uint32_t i = 0; i < e.cap; i++) /* after an error: nothing left open */
			if (e.act[i].state != A_FREE)
				act_finish(&e, &e.act[i]);
		int64_t end = mono_ns();
		stats->elapsed_ms = (uint64_t)((end - e.start_ns) / 1000000);
		stats->questions_ms = (uint64_t)((e.last_done_ns - e.start_ns) / 1000000);
	}
	free(e.act);
	free(e.pace);
	free(e.udp_buf);
	free(e.started);
	return rc;
}
