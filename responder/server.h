/* server.h - dnsfrag-responder's sockets: UDP and TCP (RFC 1035 §4.2, RFC 7766),
 * IPv4 and IPv6, one poll() loop, answers from responder_answer().
 *
 * How answers leave is the point of this server, so it is explicit:
 *   IPv4 DF   on:  IP_PMTUDISC_DO   - DF set; an answer larger than the path
 *                                     MTU is refused by the kernel (EMSGSIZE)
 *                                     and a TC=1 answer is sent instead
 *             off: IP_PMTUDISC_DONT - DF clear; the kernel fragments
 *   IPv6 frag min-mtu: IPV6_PMTUDISC_DONT + IPV6_MTU 1280 - an answer larger
 *                      than the path MTU leaves in 1280-byte fragments, which
 *                      cross any IPv6 path; one that fits leaves whole (Linux
 *                      applies IPV6_MTU only to datagrams it must fragment
 *                      anyway: a 1,452-byte answer crosses a 1,500 link whole,
 *                      a 1,453-byte one as 1,280 + 277). NSD and BIND set the
 *                      same option on Linux.
 *             pmtu:    IPV6_PMTUDISC_WANT - fragments at the path MTU known
 *                      to the kernel (learned from Packet Too Big)
 *             dont:    IPV6_PMTUDISC_DO - never fragments; larger than the
 *                      path MTU gets TC=1 (EMSGSIZE, as above)
 *   TTL / hop limit: per answer, as a sendmsg() control message (IP_TTL,
 *                    IPV6_HOPLIMIT), when the query asks (ttlH.N.size.ZONE)
 *   delay:           every answer (UDP and TCP) leaves delay ms after its
 *                    query, from a queue; other clients are not held up
 * TCP: 2-byte length framing, pipelined queries answered in order, a
 * connection idle for 10 s is closed, at most 64 connections.
 */
#ifndef DNSFRAG_RESPONDER_SERVER_H
#define DNSFRAG_RESPONDER_SERVER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "answer.h"

typedef enum server_v6frag {
	SERVER_V6FRAG_MIN_MTU,
	SERVER_V6FRAG_PMTU,
	SERVER_V6FRAG_DONT,
} server_v6frag_t;

typedef struct server_config {
	const char *const *listen;  /* IPv4 / IPv6 address literals */
	unsigned nlisten;
	uint16_t port;
	int ipv4_df;                /* 1: DF set */
	server_v6frag_t ipv6_frag;
	unsigned delay_ms;
	int quiet;                  /* no per-test log lines */
} server_config_t;

const char *server_v6frag2str(server_v6frag_t mode);

/* Bind every address (UDP and TCP) and serve until *stop becomes non-zero.
 * 0 after a stop, -1 with a message in err when a socket cannot be set up. */
int server_run(responder_t *r, const server_config_t *cfg, volatile sig_atomic_t *stop, char *err, size_t errlen);

#endif /* DNSFRAG_RESPONDER_SERVER_H */
