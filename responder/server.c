/* server.c - dnsfrag-responder's sockets and poll() loop (see server.h). */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "version.h"

#define SERVER_SOCKS_MAX 32      /* 16 addresses x (UDP + TCP) */
#define SERVER_CONNS_MAX 64
#define SERVER_TCP_IDLE_MS 10000
#define SERVER_TCP_WBUF_MAX (1u << 20) /* stop answering a connection with this much unsent */
#define SERVER_TCP_PENDING_MAX 64  /* nor with this many answers in the delay queue */
#define SERVER_QUEUE_MAX 4096
#define SERVER_QUEUE_BYTES (64u << 20) /* bytes of answers the delay queue may hold */
#define SERVER_UDP_BURST 64      /* datagrams read per socket per wake-up */
#define SERVER_TC_SPARE 512      /* answers larger than this keep a TC=1 copy for EMSGSIZE */
#define SERVER_HOPSENT_MAX 64    /* hop-limited answers remembered, for ICMP that quotes no DNS id */

typedef struct server_sock {
	int fd;
	int v6;
	int tcp;                     /* a listening TCP socket */
	char name[INET6_ADDRSTRLEN + 8];
} server_sock_t;

typedef struct server_conn {
	int fd;                      /* -1: free */
	uint32_t gen;                /* tells a reused slot from the one an answer was for */
	int v6;
	struct sockaddr_storage peer;
	uint8_t *rbuf;               /* 2 + 65535 */
	size_t rlen;
	uint8_t *wbuf;
	size_t wlen, woff, wcap;
	uint64_t last_ms;
	unsigned pending;            /* answers waiting in the delay queue */
	int eof;
} server_conn_t;

/* An answer waiting to be sent (the delay queue; FIFO since the delay is fixed). */
typedef struct server_out {
	uint64_t due_ms;
	int tcp;
	/* UDP */
	int fd, v6;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	int has_pktinfo;
	struct in_pktinfo pi4;
	struct in6_pktinfo pi6;
	uint8_t hop;
	uint8_t *tc;                 /* TC=1 copy for EMSGSIZE, or NULL */
	size_t tclen;
	/* TCP */
	unsigned conn;
	uint32_t gen;
	uint8_t *data;
	size_t len;
} server_out_t;

typedef struct server {
	responder_t *r;
	const server_config_t *cfg;
	server_sock_t sock[SERVER_SOCKS_MAX];
	unsigned nsock;
	server_conn_t conn[SERVER_CONNS_MAX];
	uint32_t gen;
	server_out_t queue[SERVER_QUEUE_MAX];
	unsigned qhead, qlen;
	size_t qbytes;
	uint64_t queue_dropped;
	uint8_t *ans;                /* RESPONDER_MSG_MAX + 2 bytes */
	uint8_t *rx;                 /* RESPONDER_MSG_MAX bytes */
	/* The newest hop-limited UDP answers (--allow-ttl): a router that quotes
	 * only the UDP header (RFC 792's minimum) leaves the DNS id out of the
	 * ICMP error; the client's address and port find it here. */
	struct {
		int v6;
		uint8_t addr[16];
		uint16_t port, id;
	} hopsent[SERVER_HOPSENT_MAX];
	unsigned hopsent_next;
} server_t;

const char *server_v6frag2str(server_v6frag_t mode)
{
	switch (mode) {
	case SERVER_V6FRAG_MIN_MTU:
		return "min-mtu";
	case SERVER_V6FRAG_PMTU:
		return "pmtu";
	case SERVER_V6FRAG_DONT:
		return "dont";
	}
	return "?";
}

static uint64_t server_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void server_log(const char *line)
{
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("%s %s\n", stamp, line);
	fflush(stdout);
}

static void server_addr2str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, ntohs(s4->sin_port));
	}
}

static void server_client_fill(responder_client_t *cl, const struct sockaddr_storage *ss, responder_transport_t tr)
{
	memset(cl, 0, sizeof(*cl));
	cl->transport = tr;
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		cl->v6 = 1;
		memcpy(cl->addr, &s6->sin6_addr, 16);
		cl->port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		memcpy(cl->addr, &s4->sin_addr, 4);
		cl->port = ntohs(s4->sin_port);
	}
}

/* The largest DNS message this server sends to peer in one unfragmented UDP
 * datagram: the kernel's path MTU to it (a connected socket sends nothing)
 * less the IP and UDP headers. The same in every mode: even with IPV6_MTU
 * 1280 (min-mtu), Linux fragments only datagrams larger than the path MTU
 * (then into 1280-byte packets); smaller ones leave whole. */
static unsigned server_path_frag(const struct sockaddr_storage *peer, int v6)
{
	int mtu = 0;
	socklen_t ml = sizeof(mtu);
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	socklen_t pl = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	if (connect(fd, (const struct sockaddr *)peer, pl) < 0 ||
	    getsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MTU : IP_MTU, &mtu, &ml) < 0)
		mtu = 0;
	close(fd);
	if (mtu <= 0)
		return 0;
	int hdr = v6 ? 48 : 28;
	return mtu > hdr ? (unsigned)(mtu - hdr) : 0;
}

/* ---------------------------------------------------------------- sockets */

static int server_sock_open(server_t *s, const char *addr, int tcp, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int v6 = 0, one = 1;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(s->cfg->port);
		sl = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(s->cfg->port);
		sl = sizeof(*s6);
		v6 = 1;
	} else {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address", addr);
		return -1;
	}
	int fd = socket(v6 ? AF_INET6 : AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	int ok = 1;
	if (v6)
		ok &= setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) == 0;
	if (tcp) {
		ok &= setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0;
	} else if (!v6) {
		int pmtu = s->cfg->ipv4_df ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT;
		ok &= setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu)) == 0;
		ok &= setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) == 0;
	} else {
		int pmtu = s->cfg->ipv6_frag == SERVER_V6FRAG_MIN_MTU ? IPV6_PMTUDISC_DONT
		         : s->cfg->ipv6_frag == SERVER_V6FRAG_PMTU  ? IPV6_PMTUDISC_WANT
		                                                     : IPV6_PMTUDISC_DO;
		ok &= setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu, sizeof(pmtu)) == 0;
		if (s->cfg->ipv6_frag == SERVER_V6FRAG_MIN_MTU) {
			int mtu = 1280;
			ok &= setsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &mtu, sizeof(mtu)) == 0;
		}
		ok &= setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) == 0;
	}
	if (!tcp && s->r->allow_ttl) /* ICMP errors that answers draw: the teID report */
		ok &= setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_RECVERR : IP_RECVERR, &one,
		                 sizeof(one)) == 0;
	if (!ok) {
		snprintf(err, errlen, "setsockopt on %s: %s", addr, strerror(errno));
		close(fd);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || (tcp && listen(fd, 64) < 0)) {
		snprintf(err, errlen, "%s %s port %u: %s", tcp ? "TCP" : "UDP", addr, s->cfg->port, strerror(errno));
		close(fd);
		return -1;
	}
	server_sock_t *k = &s->sock[s->nsock++];
	k->fd = fd;
	k->v6 = v6;
	k->tcp = tcp;
	server_addr2str(&ss, k->name, sizeof(k->name));
	return 0;
}

/* ----------------------------------------------------------------- sending */

static void server_out_free(server_out_t *o)
{
	free(o->data);
	free(o->tc);
	o->data = o->tc = NULL;
}

static ssize_t server_udp_sendmsg(const server_out_t *o, const uint8_t *data, size_t len)
{
	struct iovec iov = { (void *)data, len };
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh;
	memset(&mh, 0, sizeof(mh));
	memset(&ctl, 0, sizeof(ctl));
	mh.msg_name = (void *)&o->peer;
	mh.msg_namelen = o->peerlen;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	size_t used = 0;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	if (o->has_pktinfo) {
		if (o->v6) {
			cm->cmsg_level = IPPROTO_IPV6;
			cm->cmsg_type = IPV6_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(o->pi6));
			memcpy(CMSG_DATA(cm), &o->pi6, sizeof(o->pi6));
			used += CMSG_SPACE(sizeof(o->pi6));
		} else {
			cm->cmsg_level = IPPROTO_IP;
			cm->cmsg_type = IP_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(o->pi4));
			memcpy(CMSG_DATA(cm), &o->pi4, sizeof(o->pi4));
			used += CMSG_SPACE(sizeof(o->pi4));
		}
		cm = CMSG_NXTHDR(&mh, cm);
	}
	if (o->hop && cm) {
		int hop = o->hop;
		cm->cmsg_level = o->v6 ? IPPROTO_IPV6 : IPPROTO_IP;
		cm->cmsg_type = o->v6 ? IPV6_HOPLIMIT : IP_TTL;
		cm->cmsg_len = CMSG_LEN(sizeof(hop));
		memcpy(CMSG_DATA(cm), &hop, sizeof(hop));
		used += CMSG_SPACE(sizeof(hop));
	}
	mh.msg_controllen = used;
	if (used == 0)
		mh.msg_control = NULL;
	return sendmsg(o->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void server_udp_send(server_t *s, server_out_t *o)
{
	char peer[INET6_ADDRSTRLEN + 8], line[160];
	if (server_udp_sendmsg(o, o->data, o->len) >= 0)
		return;
	int e = errno;
	server_addr2str(&o->peer, peer, sizeof(peer));
	if (e == EMSGSIZE && o->tc) {
		/* DF / IPv6 "dont": the kernel will not fragment it. Say so. */
		ssize_t n = server_udp_sendmsg(o, o->tc, o->tclen);
		snprintf(line, sizeof(line), "send to %s: %zu bytes larger than the path MTU (EMSGSIZE); sent TC=1 (%s)",
		         peer, o->len, n >= 0 ? "ok" : strerror(errno));
	} else {
		snprintf(line, sizeof(line), "send to %s: %zu bytes: %s", peer, o->len, strerror(e));
	}
	(void)s;
	server_log(line);
}

static void server_conn_close(server_t *s, unsigned i)
{
	server_conn_t *c = &s->conn[i];
	if (c->fd >= 0)
		close(c->fd);
	free(c->rbuf);
	free(c->wbuf);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static int server_conn_append(server_conn_t *c, const uint8_t *data, size_t len)
{
	if (c->woff > 0 && c->woff == c->wlen)
		c->woff = c->wlen = 0;
	if (c->wlen + 2 + len > c->wcap) {
		size_t ncap = c->wcap ? c->wcap : 4096;
		while (ncap < c->wlen + 2 + len)
			ncap *= 2;
		uint8_t *n = realloc(c->wbuf, ncap);
		if (!n)
			return -1;
		c->wbuf = n;
		c->wcap = ncap;
	}
	c->wbuf[c->wlen++] = (uint8_t)(len >> 8);
	c->wbuf[c->wlen++] = (uint8_t)len;
	memcpy(c->wbuf + c->wlen, data, len);
	c->wlen += len;
	return 0;
}

static void server_queue_flush(server_t *s, uint64_t now)
{
	while (s->qlen > 0) {
		server_out_t *o = &s->queue[s->qhead];
		if (o->due_ms > now)
			break;
		if (o->tcp) {
			server_conn_t *c = &s->conn[o->conn];
			if (c->fd >= 0 && c->gen == o->gen) {
				c->pending--;
				if (server_conn_append(c, o->data, o->len) < 0)
					server_conn_close(s, o->conn);
			}
		} else {
			server_udp_send(s, o);
		}
		s->qbytes -= o->len + o->tclen;
		server_out_free(o);
		s->qhead = (s->qhead + 1) % SERVER_QUEUE_MAX;
		s->qlen--;
	}
}

/* Send now, or queue for the delay. The out's data is taken over. */
static void server_out_submit(server_t *s, server_out_t *o, uint64_t now)
{
	if (s->cfg->delay_ms == 0) {
		if (o->tcp) {
			server_conn_t *c = &s->conn[o->conn];
			if (server_conn_append(c, o->data, o->len) < 0)
				server_conn_close(s, o->conn);
		} else {
			server_udp_send(s, o);
		}
		server_out_free(o);
		return;
	}
	if (s->qlen >= SERVER_QUEUE_MAX || s->qbytes + o->len + o->tclen > SERVER_QUEUE_BYTES) {
		s->queue_dropped++;
		server_out_free(o);
		return;
	}
	if (o->tcp)
		s->conn[o->conn].pending++;
	o->due_ms = now + s->cfg->delay_ms;
	s->queue[(s->qhead + s->qlen) % SERVER_QUEUE_MAX] = *o;
	s->qlen++;
	s->qbytes += o->len + o->tclen;
}

/* ---------------------------------------------------------------- handling */

static void server_handle(server_t *s, const uint8_t *q, size_t qlen, responder_client_t *cl, server_out_t *o,
                          uint64_t now)
{
	responder_reply_t reply;
	responder_clock_t clk = { now, (int64_t)time(NULL) };
	responder_answer(s->r, q, qlen, cl, clk, s->ans, RESPONDER_MSG_MAX, &reply);
	if (reply.log[0] && !s->cfg->quiet)
		server_log(reply.log);
	if (reply.len == 0)
		return;
	o->data = malloc(reply.len);
	if (!o->data)
		return;
	memcpy(o->data, s->ans, reply.len);
	o->len = reply.len;
	o->hop = reply.hop_limit;
	if (o->hop && reply.len >= 2) {
		unsigned k = s->hopsent_next++ % SERVER_HOPSENT_MAX;
		s->hopsent[k].v6 = cl->v6;
		memcpy(s->hopsent[k].addr, cl->addr, sizeof(s->hopsent[k].addr));
		s->hopsent[k].port = cl->port;
		s->hopsent[k].id = (uint16_t)(s->ans[0] << 8 | s->ans[1]);
	}
	if (!o->tcp && reply.len > SERVER_TC_SPARE) {
		size_t n = responder_truncated(q, qlen, s->ans, RESPONDER_MSG_MAX);
		o->tc = n ? malloc(n) : NULL;
		if (o->tc) {
			memcpy(o->tc, s->ans, n);
			o->tclen = n;
		}
	}
	server_out_submit(s, o, now);
}

/* The ICMP errors our answers drew (IP_RECVERR / IPV6_RECVERR, only with
 * --allow-ttl): the error queue gives the answer's destination, the start of
 * its payload as quoted (the DNS id) and the ICMP sender (the offender). */
static void server_udp_errqueue(server_t *s, server_sock_t *k)
{
	for (int burst = 0; burst < SERVER_UDP_BURST; burst++) {
		uint8_t data[16];
		struct sockaddr_storage peer;
		union {
			char buf[512];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = { data, sizeof(data) };
		struct msghdr mh;
		memset(&mh, 0, sizeof(mh));
		memset(&peer, 0, sizeof(peer));
		mh.msg_name = &peer;
		mh.msg_namelen = sizeof(peer);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		ssize_t n = recvmsg(k->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (n < 0)
			return;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			struct sock_extended_err ee;
			if (!((cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_RECVERR) ||
			      (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_RECVERR)) ||
			    cm->cmsg_len < CMSG_LEN(sizeof(ee)))
				continue;
			memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
			if (ee.ee_origin != SO_EE_ORIGIN_ICMP && ee.ee_origin != SO_EE_ORIGIN_ICMP6)
				continue;
			struct sockaddr_storage off;
			size_t offlen = cm->cmsg_len - CMSG_LEN(sizeof(ee));
			memset(&off, 0, sizeof(off));
			memcpy(&off, CMSG_DATA(cm) + sizeof(ee), offlen < sizeof(off) ? offlen : sizeof(off));
			responder_client_t cl;
			server_client_fill(&cl, &peer, RESPONDER_UDP);
			responder_te_t e;
			memset(&e, 0, sizeof(e));
			e.v6 = cl.v6;
			memcpy(e.client, cl.addr, sizeof(e.client));
			e.id = 0; /* unknown */
			if (n >= 2) {
				e.id = (uint16_t)(data[0] << 8 | data[1]);
			} else { /* only the UDP header quoted: the newest answer to that address and port */
				for (unsigned j = 1; j <= SERVER_HOPSENT_MAX && !e.id; j++) {
					unsigned slot = (s->hopsent_next + SERVER_HOPSENT_MAX - j) % SERVER_HOPSENT_MAX;
					if (s->hopsent[slot].v6 == cl.v6 && s->hopsent[slot].port == cl.port &&
					    memcmp(s->hopsent[slot].addr, cl.addr, sizeof(cl.addr)) == 0)
						e.id = s->hopsent[slot].id;
				}
			}
			if (off.ss_family == AF_INET6)
				memcpy(e.from, &((struct sockaddr_in6 *)&off)->sin6_addr, 16);
			else if (off.ss_family == AF_INET)
				memcpy(e.from, &((struct sockaddr_in *)&off)->sin_addr, 4);
			e.type = ee.ee_type;
			e.code = ee.ee_code;
			e.info = ee.ee_info;
			responder_te_add(s->r, &e);
			if (!s->cfg->quiet) {
				char line[200], who[INET6_ADDRSTRLEN + 8], from[INET6_ADDRSTRLEN] = "?";
				server_addr2str(&peer, who, sizeof(who));
				inet_ntop(e.v6 ? AF_INET6 : AF_INET, e.from, from, sizeof(from));
				snprintf(line, sizeof(line), "icmp client=%s id=%u from=%s type=%u code=%u info=%u", who, e.id,
				         from, e.type, e.code, e.info);
				server_log(line);
			}
		}
	}
}

static void server_udp_read(server_t *s, server_sock_t *k, uint64_t now)
{
	if (s->r->allow_ttl)
		server_udp_errqueue(s, k);
	for (int burst = 0; burst < SERVER_UDP_BURST; burst++) {
		server_out_t o;
		memset(&o, 0, sizeof(o));
		union {
			char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + 64];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = { s->rx, RESPONDER_MSG_MAX };
		struct msghdr mh;
		memset(&mh, 0, sizeof(mh));
		mh.msg_name = &o.peer;
		mh.msg_namelen = sizeof(o.peer);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		ssize_t n = recvmsg(k->fd, &mh, MSG_DONTWAIT);
		if (n < 0)
			return; /* EAGAIN, or an ICMP error reported on the socket */
		o.fd = k->fd;
		o.v6 = k->v6;
		o.peerlen = mh.msg_namelen;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO &&
			    cm->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
				struct in_pktinfo pi;
				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				memset(&o.pi4, 0, sizeof(o.pi4));
				o.pi4.ipi_spec_dst = pi.ipi_addr; /* answer from the address asked */
				o.has_pktinfo = 1;
			} else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO &&
			           cm->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
				memcpy(&o.pi6, CMSG_DATA(cm), sizeof(o.pi6));
				o.has_pktinfo = 1;
			}
		}
		responder_client_t cl;
		server_client_fill(&cl, &o.peer, RESPONDER_UDP);
		cl.frag = server_path_frag(&o.peer, k->v6);
		cl.no_frag = k->v6 ? s->cfg->ipv6_frag == SERVER_V6FRAG_DONT : s->cfg->ipv4_df;
		server_handle(s, s->rx, (size_t)n, &cl, &o, now);
	}
}

static void server_tcp_accept(server_t *s, server_sock_t *k, uint64_t now)
{
	for (int burst = 0; burst < 16; burst++) {
		struct sockaddr_storage peer;
		socklen_t pl = sizeof(peer);
		int fd = accept4(k->fd, (struct sockaddr *)&peer, &pl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		unsigned i;
		for (i = 0; i < SERVER_CONNS_MAX && s->conn[i].fd >= 0; i++)
			;
		uint8_t *rbuf = i < SERVER_CONNS_MAX ? malloc(2 + RESPONDER_MSG_MAX) : NULL;
		if (!rbuf) { /* full: refuse rather than queue */
			close(fd);
			continue;
		}
		server_conn_t *c = &s->conn[i];
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->gen = ++s->gen;
		c->v6 = k->v6;
		c->peer = peer;
		c->rbuf = rbuf;
		c->last_ms = now;
	}
}

/* Answer the complete queries buffered on connection i, in order, while its
 * unsent answers stay under the limits (the rest wait for the writes). */
static void server_tcp_process(server_t *s, unsigned i, uint64_t now)
{
	server_conn_t *c = &s->conn[i];
	while (c->fd >= 0 && c->rlen >= 2 && c->wlen - c->woff < SERVER_TCP_WBUF_MAX &&
	       c->pending < SERVER_TCP_PENDING_MAX) {
		size_t mlen = (size_t)c->rbuf[0] << 8 | c->rbuf[1];
		if (mlen == 0) {
			server_conn_close(s, i);
			return;
		}
		if (c->rlen < 2 + mlen)
			break;
		responder_client_t cl;
		server_client_fill(&cl, &c->peer, RESPONDER_TCP);
		server_out_t o;
		memset(&o, 0, sizeof(o));
		o.tcp = 1;
		o.conn = i;
		o.gen = c->gen;
		server_handle(s, c->rbuf + 2, mlen, &cl, &o, now);
		if (c->fd < 0)
			return;
		memmove(c->rbuf, c->rbuf + 2 + mlen, c->rlen - 2 - mlen);
		c->rlen -= 2 + mlen;
	}
}

static void server_tcp_read(server_t *s, unsigned i, uint64_t now)
{
	server_conn_t *c = &s->conn[i];
	if (c->rlen < 2 + RESPONDER_MSG_MAX) {
		ssize_t n = read(c->fd, c->rbuf + c->rlen, 2 + RESPONDER_MSG_MAX - c->rlen);
		if (n == 0) {
			c->eof = 1;
		} else if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				server_conn_close(s, i);
			return;
		} else {
			c->rlen += (size_t)n;
			c->last_ms = now;
		}
	}
	server_tcp_process(s, i, now);
}

static void server_tcp_write(server_t *s, unsigned i, uint64_t now)
{
	server_conn_t *c = &s->conn[i];
	while (c->woff < c->wlen) {
		ssize_t n = send(c->fd, c->wbuf + c->woff, c->wlen - c->woff, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				server_conn_close(s, i);
			return;
		}
		c->woff += (size_t)n;
		c->last_ms = now;
	}
	c->woff = c->wlen = 0;
}

static int server_poll_timeout(const server_t *s, uint64_t now)
{
	uint64_t next = now + 1000;
	if (s->qlen > 0 && s->queue[s->qhead].due_ms < next)
		next = s->queue[s->qhead].due_ms;
	for (unsigned i = 0; i < SERVER_CONNS_MAX; i++)
		if (s->conn[i].fd >= 0 && s->conn[i].last_ms + SERVER_TCP_IDLE_MS < next)
			next = s->conn[i].last_ms + SERVER_TCP_IDLE_MS;
	return next > now ? (int)(next - now) : 0;
}

static void server_loop(server_t *s, volatile sig_atomic_t *stop)
{
	struct pollfd pfd[SERVER_SOCKS_MAX + SERVER_CONNS_MAX];
	int who[SERVER_SOCKS_MAX + SERVER_CONNS_MAX]; /* >= 0: socket index; < 0: -1 - conn index */
	while (!*stop) {
		uint64_t now = server_now_ms();
		unsigned n = 0;
		for (unsigned i = 0; i < s->nsock; i++) {
			pfd[n] = (struct pollfd){ .fd = s->sock[i].fd, .events = POLLIN };
			who[n++] = (int)i;
		}
		for (unsigned i = 0; i < SERVER_CONNS_MAX; i++) {
			server_conn_t *c = &s->conn[i];
			if (c->fd < 0)
				continue;
			short ev = 0;
			if (!c->eof && c->rlen < 2 + RESPONDER_MSG_MAX && c->wlen - c->woff < SERVER_TCP_WBUF_MAX)
				ev |= POLLIN;
			if (c->woff < c->wlen)
				ev |= POLLOUT;
			if (ev == 0)
				continue; /* waiting for the delay queue, or paused */
			pfd[n] = (struct pollfd){ .fd = c->fd, .events = ev };
			who[n++] = -1 - (int)i;
		}
		int rc = poll(pfd, n, server_poll_timeout(s, now));
		if (rc < 0 && errno != EINTR)
			break;
		now = server_now_ms();
		server_queue_flush(s, now);
		for (unsigned j = 0; rc > 0 && j < n; j++) {
			if (!pfd[j].revents)
				continue;
			if (who[j] >= 0) {
				server_sock_t *k = &s->sock[who[j]];
				if (k->tcp)
					server_tcp_accept(s, k, now);
				else
					server_udp_read(s, k, now);
				continue;
			}
			unsigned i = (unsigned)(-1 - who[j]);
			if (s->conn[i].fd != pfd[j].fd)
				continue; /* closed and reused during this round */
			if (pfd[j].revents & (POLLIN | POLLHUP | POLLERR))
				server_tcp_read(s, i, now);
			if (s->conn[i].fd >= 0 && s->conn[i].woff < s->conn[i].wlen)
				server_tcp_write(s, i, now);
		}
		/* Write what became ready, close what is done or idle. */
		for (unsigned i = 0; i < SERVER_CONNS_MAX; i++) {
			server_conn_t *c = &s->conn[i];
			if (c->fd < 0)
				continue;
			if (c->woff < c->wlen)
				server_tcp_write(s, i, now);
			if (c->fd >= 0)
				server_tcp_process(s, i, now); /* queries held back while answers were unsent */
			if (c->fd >= 0 && c->woff < c->wlen)
				server_tcp_write(s, i, now);
			if (c->fd < 0)
				continue;
			int drained = c->woff >= c->wlen && c->pending == 0;
			if ((c->eof && drained) || (drained && now - c->last_ms > SERVER_TCP_IDLE_MS) ||
			    now - c->last_ms > 3 * SERVER_TCP_IDLE_MS)
				server_conn_close(s, i);
		}
	}
}

int server_run(responder_t *r, const server_config_t *cfg, volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	server_t *s = calloc(1, sizeof(*s));
	int rc = -1;
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->r = r;
	s->cfg = cfg;
	for (unsigned i = 0; i < SERVER_CONNS_MAX; i++)
		s->conn[i].fd = -1;
	s->ans = malloc(RESPONDER_MSG_MAX + 2);
	s->rx = malloc(RESPONDER_MSG_MAX);
	if (!s->ans || !s->rx) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (unsigned i = 0; i < cfg->nlisten; i++)
		if (server_sock_open(s, cfg->listen[i], 0, err, errlen) < 0 ||
		    server_sock_open(s, cfg->listen[i], 1, err, errlen) < 0)
			goto out;

	char line[RESPONDER_LOG_MAX + 256];
	size_t o = (size_t)snprintf(line, sizeof(line), "dnsfrag-responder %s zone=%s listen=", DNSFRAG_VERSION,
	                            r->zone_text);
	for (unsigned i = 0; i < s->nsock && o < sizeof(line); i += 2)
		o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%s", i ? "," : "", s->sock[i].name);
	if (o < sizeof(line))
		snprintf(line + o, sizeof(line) - o,
		         " ipv4-df=%s ipv6-frag=%s delay=%ums rate=%u burst=%u slip=%u max-size=%u allow-ttl=%s",
		         cfg->ipv4_df ? "on" : "off", server_v6frag2str(cfg->ipv6_frag), cfg->delay_ms, r->rl.rate,
		         r->rl.burst, r->rl.slip, r->oarc_max, r->allow_ttl ? "on" : "off");
	server_log(line);

	server_loop(s, stop);

	snprintf(line, sizeof(line),
	         "stopping: queries=%llu dropped=%llu formerr=%llu refused=%llu ratelimited=%llu tests=%llu "
	         "tests-done=%llu delay-queue-full=%llu",
	         (unsigned long long)r->stats.queries, (unsigned long long)r->stats.dropped,
	         (unsigned long long)r->stats.formerr, (unsigned long long)r->stats.refused,
	         (unsigned long long)r->stats.ratelimited, (unsigned long long)r->stats.tests,
	         (unsigned long long)r->stats.tests_done, (unsigned long long)s->queue_dropped);
	server_log(line);
	rc = 0;
out:
	while (s->qlen > 0) {
		s->qbytes -= s->queue[s->qhead].len + s->queue[s->qhead].tclen;
		server_out_free(&s->queue[s->qhead]);
		s->qhead = (s->qhead + 1) % SERVER_QUEUE_MAX;
		s->qlen--;
	}
	for (unsigned i = 0; i < SERVER_CONNS_MAX; i++)
		if (s->conn[i].fd >= 0)
			server_conn_close(s, i);
	for (unsigned i = 0; i < s->nsock; i++)
		close(s->sock[i].fd);
	free(s->ans);
	free(s->rx);
	free(s);
	return rc;
}
