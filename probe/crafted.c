/* crafted.c - crafted UDP questions for the engine (see crafted.h). */
#include "crafted.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#define CRAFTED_MSG_MAX 65507

struct crafted {
	const probe_cfg_t *cfg;
	const char *device;        /* --vrf, else --interface, else NULL */
	craft_t *c[2];             /* [0] IPv4, [1] IPv6 */
	ip_addr_t src[2];
	uint8_t *msg;              /* the padded query */
	uint8_t *train;            /* the train's packets */
	size_t train_cap;
};

static int fam_index(uint8_t family)
{
	return family == 6 ? 1 : 0;
}

/* The local address the kernel would use toward t (a UDP connect sends nothing). */
int crafted_route_source(const probe_target_t *t, const char *device, ip_addr_t *src, char *err, size_t errlen)
{
	struct sockaddr_storage local;
	socklen_t llen = sizeof local;
	int fd = socket(t->sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && device && *device)
		(void)setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device, (socklen_t)strlen(device) + 1);
	if (fd < 0 || connect(fd, (const struct sockaddr *)&t->sa, t->salen) < 0 ||
	    getsockname(fd, (struct sockaddr *)&local, &llen) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return snprintf(err, errlen, "no source address toward %s: %s", t->text, strerror(e)), -1;
	}
	close(fd);
	memset(src, 0, sizeof *src);
	src->family = t->addr.family;
	if (t->addr.family == 6)
		memcpy(src->a, &((struct sockaddr_in6 *)&local)->sin6_addr, 16);
	else
		memcpy(src->a, &((struct sockaddr_in *)&local)->sin_addr, 4);
	return 0;
}

static int source_parse(const char *text, uint8_t family, ip_addr_t *src)
{
	memset(src, 0, sizeof *src);
	src->family = family;
	return inet_pton(family == 6 ? AF_INET6 : AF_INET, text, src->a) == 1 ? 0 : -1;
}

/* Open one family's crafter, choose its source, run its self-check. */
static crafted_status_t crafted_family_open(crafted_t *cr, const probe_target_t *first, const char *iface,
                                            crafted_check_t *chk, char *err, size_t errlen)
{
	const probe_cfg_t *cfg = cr->cfg;
	uint8_t fam = first->addr.family;
	int i = fam_index(fam);
	if (cfg->sources[i][0]) {
		if (source_parse(cfg->sources[i], fam, &cr->src[i]) < 0)
			return snprintf(err, errlen, "source %s is not an IPv%u address", cfg->sources[i], fam), CRAFTED_ERROR;
	} else if (crafted_route_source(first, cr->device, &cr->src[i], err, errlen) < 0) {
		return CRAFTED_ERROR;
	}
	chk->family = fam;
	ip_addr2str(&cr->src[i], chk->source, sizeof chk->source);
	craft_status_t st = craft_open(&cr->c[i], fam, cr->device, err, errlen);
	if (st != CRAFT_OK) {
		chk->status = st;
		snprintf(chk->text, sizeof chk->text, "%s", err);
		return st == CRAFT_ERR_PERM ? CRAFTED_PERM : CRAFTED_ERROR;
	}
	chk->status = craft_selfcheck(cr->c[i], iface, &cr->src[i], &first->addr, chk->text, sizeof chk->text);
	if (chk->status == CRAFT_ERR_PERM)
		return snprintf(err, errlen, "%s", chk->text), CRAFTED_PERM;
	if (chk->status != CRAFT_OK && cfg->frag_query)
		return snprintf(err, errlen,
		                "refusing fragment-query: the start-up self-check found that crafted IPv%u fragments do "
		                "not leave this host as crafted: %s",
		                fam, chk->text),
		       CRAFTED_REFUSED;
	return CRAFTED_OK;
}

crafted_t *crafted_open(const probe_cfg_t *cfg, const probe_targets_t *targets, const char *iface,
                        crafted_check_t checks[2], crafted_status_t *st, char *err, size_t errlen)
{
	memset(checks, 0, 2 * sizeof *checks);
	crafted_t *cr = calloc(1, sizeof *cr);
	if (cr) {
		cr->msg = malloc(CRAFTED_MSG_MAX);
		cr->train_cap = CRAFTED_MSG_MAX + 8 + CRAFT_MAX_PACKETS * (CRAFT_IP6_HDR + CRAFT_IP6_FRAG_HDR);
		cr->train = malloc(cr->train_cap);
	}
	if (!cr || !cr->msg || !cr->train) {
		crafted_close(cr);
		*st = CRAFTED_ERROR;
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	cr->cfg = cfg;
	cr->device = cfg->vrf[0] ? cfg->vrf : cfg->iface[0] ? cfg->iface : NULL;
	*st = CRAFTED_OK;
	for (uint8_t fam = 4; fam <= 6 && *st == CRAFTED_OK; fam += 2)
		for (uint32_t t = 0; t < targets->n; t++)
			if (targets->t[t].addr.family == fam) {
				*st = crafted_family_open(cr, &targets->t[t], iface, &checks[fam_index(fam)], err, errlen);
				break;
			}
	if (*st != CRAFTED_OK) {
		crafted_close(cr);
		return NULL;
	}
	return cr;
}

size_t crafted_query_size(const probe_cfg_t *cfg, const probe_query_t *q, size_t len)
{
	size_t want = q->kind == QK_SIZE ? cfg->pad : 0;
	/* A fragmented query is padded to two fragments' worth unless pad asks more. */
	if (q->qfrag && cfg->frag_query && 2 * (size_t)cfg->frag_query - 8 > want)
		want = 2 * (size_t)cfg->frag_query - 8;
	if (want <= len)
		return len;
	if (want < len + 4)
		want = len + 4; /* the padding option's own 4 bytes */
	return want > CRAFTED_MSG_MAX ? CRAFTED_MSG_MAX : want;
}

static uint32_t crafted_random(void)
{
	uint32_t v = 0;
	if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v)
		v = (uint32_t)getpid() * 2654435761u;
	return v;
}

int crafted_udp_open(void *ctx, const probe_query_t *q, const probe_target_t *t, const uint8_t *msg, size_t len)
{
	crafted_t *cr = ctx;
	const probe_cfg_t *cfg = cr->cfg;
	int i = fam_index(t->addr.family), fd = -1;
	char err[512];
	if (!cr->c[i] || len > CRAFTED_MSG_MAX)
		return errno = EINVAL, -1;
	memcpy(cr->msg, msg, len);
	size_t want = crafted_query_size(cfg, q, len), n = len;
	if (want > len && craft_dns_pad(cr->msg, len, CRAFTED_MSG_MAX, want, &n, err, sizeof err) != CRAFT_OK)
		return errno = EINVAL, -1;
	uint16_t sport = 0;
	if (craft_port_bind(&cr->src[i], &fd, &sport, err, sizeof err) != CRAFT_OK)
		return errno = EADDRNOTAVAIL, -1;
	uint32_t rnd = crafted_random();
	craft_params_t p = {
		.src = cr->src[i],
		.dst = t->addr,
		.sport = sport,
		.dport = 53,
		.ttl = (uint8_t)(cfg->ttl >= 0 ? cfg->ttl : 64),
		.df = t->addr.family == 4 && cfg->df == 1,
		.id = cfg->ip_id > 0 ? (uint32_t)cfg->ip_id : (t->addr.family == 4 ? 1 + rnd % 65535 : rnd),
		.frag_data = q->qfrag ? cfg->frag_query : 0,
	};
	craft_train_t *train = malloc(sizeof *train);
	int e = 0;
	if (!train)
		e = ENOMEM;
	else if ((cr->device &&
	          setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, cr->device, (socklen_t)strlen(cr->device) + 1) < 0) ||
	         connect(fd, (const struct sockaddr *)&t->sa, t->salen) < 0 ||
	         fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		e = errno;
	else if (craft_udp2train(&p, cr->msg, n, cr->train, cr->train_cap, train, err, sizeof err) != CRAFT_OK)
		e = EMSGSIZE;
	else if (craft_send_train(cr->c[i], train, err, sizeof err) != CRAFT_OK)
		e = strstr(err, "Message too long") ? EMSGSIZE : EIO;
	free(train);
	if (e) {
		close(fd);
		return errno = e, -1;
	}
	return fd;
}

void crafted_close(crafted_t *c)
{
	if (!c)
		return;
	craft_close(c->c[0]);
	craft_close(c->c[1]);
	free(c->msg);
	free(c->train);
	free(c);
}
