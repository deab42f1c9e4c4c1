/* craft-send.c - a test driver for probe/craft.c: craft one DNS query, send it
 * through the crafter, and wait for the answer on the bound source port.
 *
 *   craft-send -s SRC -d DST [-p DPORT] [-t TTL] [-D] [-I ID] [-f FRAGDATA]
 *              [-q QNAME] [-T QTYPE] [-Q QID] [-u UDPSIZE] [-o] [-P PADTO]
 *              [-w WAIT_MS] [-i DEVICE]
 *   craft-send -C IFACE -s SRC -d DST      the start-up self-check only
 *
 * Prints "sport=N" before sending, the crafted packets as "packet=I HEX", and
 * "answer=N rcode=R id=Q" (or "answer=none") after. Exit: 0 sent and answered
 * (or self-check passed), 1 no answer (or self-check failed), 2 usage or
 * error, 3 no permission.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../probe/craft.h"

static int parse_addr(const char *s, ip_addr_t *a)
{
	memset(a, 0, sizeof *a);
	if (inet_pton(AF_INET, s, a->a) == 1)
		a->family = 4;
	else if (inet_pton(AF_INET6, s, a->a) == 1)
		a->family = 6;
	return a->family ? 0 : -1;
}

static int usage(void)
{
	fprintf(stderr, "usage: craft-send -s SRC -d DST [-p DPORT] [-t TTL] [-D] [-I ID] [-f FRAGDATA] [-q QNAME]\n"
	                "       [-T QTYPE] [-Q QID] [-u UDPSIZE] [-o] [-P PADTO] [-w WAIT_MS] [-i DEVICE]\n"
	                "       craft-send -C IFACE -s SRC -d DST\n");
	return 2;
}

static int fail(craft_status_t st, const char *what, const char *err)
{
	fprintf(stderr, "craft-send: %s: %s (%s)\n", what, err, craft_status2str(st));
	return st == CRAFT_ERR_PERM ? 3 : 2;
}

int main(int argc, char **argv)
{
	craft_params_t p = { .dport = 53, .ttl = 64, .id = 0x4242 };
	craft_query_t q = { .id = 0x1000, .qname = ".", .qtype = 2, .edns = 1, .udp_size = 4096 };
	const char *selfcheck = NULL, *device = NULL;
	size_t padto = 0;
	int wait_ms = 2000, c, have_src = 0, have_dst = 0;
	char err[1024] = "";

	while ((c = getopt(argc, argv, "s:d:p:t:DI:f:q:T:Q:u:oP:w:i:C:")) != -1) {
		switch (c) {
		case 's': if (parse_addr(optarg, &p.src)) return usage(); have_src = 1; break;
		case 'd': if (parse_addr(optarg, &p.dst)) return usage(); have_dst = 1; break;
		case 'p': p.dport = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 't': p.ttl = (uint8_t)strtoul(optarg, NULL, 0); break;
		case 'D': p.df = 1; break;
		case 'I': p.id = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'f': p.frag_data = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'q': q.qname = optarg; break;
		case 'T': q.qtype = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 'Q': q.id = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 'u': q.udp_size = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 'o': q.do_bit = 1; break;
		case 'P': padto = strtoul(optarg, NULL, 0); break;
		case 'w': wait_ms = atoi(optarg); break;
		case 'i': device = optarg; break;
		case 'C': selfcheck = optarg; break;
		default: return usage();
		}
	}
	if (!have_src || !have_dst || optind != argc)
		return usage();

	craft_t *cr = NULL;
	craft_status_t st = craft_open(&cr, p.src.family, device, err, sizeof err);
	if (st != CRAFT_OK)
		return fail(st, "open", err);

	if (selfcheck) {
		st = craft_selfcheck(cr, selfcheck, &p.src, &p.dst, err, sizeof err);
		craft_close(cr);
		printf("selfcheck=%s %s\n", craft_status2str(st), err);
		if (st == CRAFT_OK)
			return 0;
		return st == CRAFT_ERR_REWRITTEN || st == CRAFT_ERR_NOT_SEEN ? 1 : (st == CRAFT_ERR_PERM ? 3 : 2);
	}

	uint8_t msg[65536];
	size_t len = 0;
	if ((st = craft_dns_query2wire(&q, msg, sizeof msg, &len, err, sizeof err)) != CRAFT_OK)
		return fail(st, "query", err);
	if (padto && (st = craft_dns_pad(msg, len, sizeof msg, padto, &len, err, sizeof err)) != CRAFT_OK)
		return fail(st, "padding", err);

	int sock = -1;
	if ((st = craft_port_bind(&p.src, &sock, &p.sport, err, sizeof err)) != CRAFT_OK)
		return fail(st, "bind", err);
	printf("sport=%u\n", p.sport);

	size_t need = craft_train_size(&p, len, err, sizeof err);
	if (!need)
		return fail(CRAFT_ERR_ARG, "parameters", err);
	uint8_t *buf = malloc(need);
	craft_train_t *t = malloc(sizeof *t);
	if (!buf || !t)
		return fail(CRAFT_ERR_SYS, "memory", "out of memory");
	if ((st = craft_udp2train(&p, msg, len, buf, need, t, err, sizeof err)) != CRAFT_OK)
		return fail(st, "train", err);
	for (size_t i = 0; i < t->count; i++) {
		printf("packet=%zu ", i + 1);
		for (size_t j = 0; j < t->pkt[i].len; j++)
			printf("%02x", t->pkt[i].data[j]);
		printf("\n");
	}
	fflush(stdout);
	if ((st = craft_send_train(cr, t, err, sizeof err)) != CRAFT_OK)
		return fail(st, "send", err);

	int rc = 0;
	if (wait_ms > 0) {
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		uint8_t ans[65536];
		ssize_t n = poll(&pfd, 1, wait_ms) == 1 ? recv(sock, ans, sizeof ans, 0) : -1;
		if (n >= 12)
			printf("answer=%zd rcode=%u id=%u\n", n, ans[3] & 0x0f, (unsigned)(ans[0] << 8 | ans[1]));
		else {
			printf("answer=none\n");
			rc = 1;
		}
	}
	free(buf);
	free(t);
	close(sock);
	craft_close(cr);
	return rc;
}
