/* live.c - live capture into the common pipeline (see live.h). */
#include "live.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LIVE_SNAPLEN 262144
#define LIVE_BUFFER (8 * 1024 * 1024)

struct live {
	pcap_t *pcap;
	pcap_dumper_t *dump;
	char path[4096], tmp[4100];
	int dlt;
	int fd;
	uint64_t frame, bytes;
	pipeline_t *feed;         /* the pipeline of the dispatch under way */
	char error[PCAP_ERRBUF_SIZE + 64];
};

int live_filter_build(const probe_targets_t *targets, char *buf, size_t len)
{
	size_t o = 0;
	int n = snprintf(buf, len, "(");
	if (n < 0 || (size_t)n >= len)
		return -1;
	o = (size_t)n;
	for (uint32_t i = 0; i < targets->n; i++) {
		n = snprintf(buf + o, len - o, "%shost %s", i ? " or " : "", targets->t[i].text);
		if (n < 0 || (size_t)n >= len - o)
			return -1;
		o += (size_t)n;
	}
	/* ICMP errors about our packets come from routers; non-first IPv4
	 * fragments and IPv6 fragments are kept whatever their addresses. */
	n = snprintf(buf + o, len - o, ") or icmp or icmp6 or (ip[6:2] & 0x1fff != 0) or (ip6 and ip6[6] == 44)");
	if (n < 0 || (size_t)n >= len - o)
		return -1;
	return 0;
}

/* The name of the interface holding local address sa. */
static int iface_of_addr(const struct sockaddr_storage *sa, char *iface, size_t len)
{
	struct ifaddrs *ifs, *i;
	int found = -1;
	if (getifaddrs(&ifs) < 0)
		return -1;
	for (i = ifs; i && found < 0; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != sa->ss_family)
			continue;
		if (sa->ss_family == AF_INET &&
		    memcmp(&((struct sockaddr_in *)i->ifa_addr)->sin_addr, &((const struct sockaddr_in *)sa)->sin_addr, 4) == 0)
			found = 0;
		if (sa->ss_family == AF_INET6 &&
		    memcmp(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, &((const struct sockaddr_in6 *)sa)->sin6_addr,
		           16) == 0)
			found = 0;
		if (found == 0)
			snprintf(iface, len, "%s", i->ifa_name);
	}
	freeifaddrs(ifs);
	return found;
}

int live_iface_for(const probe_targets_t *targets, char *iface, size_t len, char *err, size_t errlen)
{
	char first[IF_NAMESIZE + 1] = "", cur[IF_NAMESIZE + 1];
	for (uint32_t i = 0; i < targets->n; i++) {
		const probe_target_t *t = &targets->t[i];
		struct sockaddr_storage local;
		socklen_t llen = sizeof local;
		/* connect() on a UDP socket only consults the routing table. */
		int fd = socket(t->sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (const struct sockaddr *)&t->sa, t->salen) < 0 ||
		    getsockname(fd, (struct sockaddr *)&local, &llen) < 0) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			return snprintf(err, errlen, "no route to %s: %s", t->text, strerror(e)), -1;
		}
		close(fd);
		if (iface_of_addr(&local, cur, sizeof cur) < 0)
			return snprintf(err, errlen, "cannot tell the interface toward %s (give -i)", t->text), -1;
		if (!first[0])
			snprintf(first, sizeof first, "%s", cur);
		else if (strcmp(first, cur) != 0) {
			snprintf(iface, len, "any");
			return 0;
		}
	}
	snprintf(iface, len, "%s", first);
	return 0;
}

live_t *live_open(const char *iface, const char *filter, live_status_t *status, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	*status = LIVE_ERROR;
	live_t *l = calloc(1, sizeof *l);
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->pcap = pcap_create(iface, ebuf);
	if (!l->pcap) {
		snprintf(err, errlen, "%s: %s", iface, ebuf);
		free(l);
		return NULL;
	}
	pcap_set_snaplen(l->pcap, LIVE_SNAPLEN);
	pcap_set_promisc(l->pcap, 0);
	pcap_set_immediate_mode(l->pcap, 1);
	pcap_set_buffer_size(l->pcap, LIVE_BUFFER);
	pcap_set_tstamp_precision(l->pcap, PCAP_TSTAMP_PRECISION_NANO);
	int rc = pcap_activate(l->pcap);
	if (rc == PCAP_ERROR_PERM_DENIED || (rc < 0 && strstr(pcap_geterr(l->pcap), "ermission"))) {
		*status = LIVE_PERM_DENIED;
		snprintf(err, errlen, "%s: %s", iface, pcap_geterr(l->pcap));
		goto fail;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", iface, rc == PCAP_ERROR ? pcap_geterr(l->pcap) : pcap_statustostr(rc));
		goto fail;
	}
	struct bpf_program prog;
	if (pcap_compile(l->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "filter '%s': %s", filter, pcap_geterr(l->pcap));
		goto fail;
	}
	rc = pcap_setfilter(l->pcap, &prog);
	pcap_freecode(&prog);
	if (rc < 0 || pcap_setnonblock(l->pcap, 1, ebuf) < 0) {
		snprintf(err, errlen, "%s: %s", iface, rc < 0 ? pcap_geterr(l->pcap) : ebuf);
		goto fail;
	}
	l->dlt = pcap_datalink(l->pcap);
	l->fd = pcap_get_selectable_fd(l->pcap);
	if (l->fd < 0) {
		snprintf(err, errlen, "%s: no selectable descriptor", iface);
		goto fail;
	}
	*status = LIVE_OK;
	return l;
fail:
	pcap_close(l->pcap);
	free(l);
	return NULL;
}

int live_dump_open(live_t *l, const char *path, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	if (strlen(path) >= sizeof l->path)
		return snprintf(err, errlen, "%s: path too long", path), -1;
	snprintf(l->path, sizeof l->path, "%s", path);
	snprintf(l->tmp, sizeof l->tmp, "%s.tmp", path);
	l->dump = pcap_dump_open(l->pcap, l->tmp);
	if (!l->dump)
		return snprintf(err, errlen, "%s", pcap_geterr(l->pcap)), -1;
	if (uid != (uid_t)-1 && fchown(fileno(pcap_dump_file(l->dump)), uid, gid) < 0) {
		int e = errno;
		pcap_dump_close(l->dump);
		l->dump = NULL;
		unlink(l->tmp);
		return snprintf(err, errlen, "%s: %s", l->tmp, strerror(e)), -1;
	}
	return 0;
}

int live_fd(const live_t *l)
{
	return l->fd;
}

int live_dlt(const live_t *l)
{
	return l->dlt;
}

static void live_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	live_t *l = (live_t *)user;
	capture_record_t rec = {
		.data = data,
		.caplen = h->caplen,
		.wirelen = h->len,
		/* nanosecond precision was asked for: tv_usec holds nanoseconds */
		.ts_ns = (int64_t)h->ts.tv_sec * 1000000000LL + h->ts.tv_usec,
		.dlt = l->dlt,
		.frame = ++l->frame,
	};
	rec.file_frame = rec.frame;
	l->bytes += h->caplen;
	if (l->dump)
		pcap_dump((u_char *)l->dump, h, data);
	pipeline_feed(l->feed, &rec);
}

int live_dispatch(live_t *l, pipeline_t *p)
{
	l->feed = p;
	for (;;) {
		int n = pcap_dispatch(l->pcap, -1, live_packet, (u_char *)l);
		if (n == 0)
			return 0;
		if (n < 0) {
			snprintf(l->error, sizeof l->error, "%s", pcap_geterr(l->pcap));
			return -1;
		}
	}
}

const char *live_error(const live_t *l)
{
	return l->error;
}

void live_stats_get(live_t *l, live_stats_t *s)
{
	struct pcap_stat ps = { 0 };
	memset(s, 0, sizeof *s);
	s->records = l->frame;
	s->bytes = l->bytes;
	if (pcap_stats(l->pcap, &ps) == 0) {
		s->received = ps.ps_recv;
		s->dropped = ps.ps_drop;
		s->ifdropped = ps.ps_ifdrop;
	}
}

int live_dump_commit(live_t *l, char *err, size_t errlen)
{
	if (!l->dump)
		return 0;
	int bad = pcap_dump_flush(l->dump) < 0;
	pcap_dump_close(l->dump);
	l->dump = NULL;
	if (bad || rename(l->tmp, l->path) < 0) {
		int e = errno;
		unlink(l->tmp);
		return snprintf(err, errlen, "%s: %s", l->path, bad ? "write error" : strerror(e)), -1;
	}
	return 0;
}

void live_close(live_t *l)
{
	if (!l)
		return;
	if (l->dump) {
		pcap_dump_close(l->dump);
		unlink(l->tmp);
	}
	pcap_close(l->pcap);
	free(l);
}
