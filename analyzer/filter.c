/* filter.c - capture filters for files, and what a filter would lose (see filter.h). */
#include "filter.h"

#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILTER_SNAPLEN 262144
#define FILTER_DLTS 8

struct capfilter {
	char *expr;
	struct { int dlt; struct bpf_program prog; } c[FILTER_DLTS];
	int n;
};

static int filter_compile(const char *expr, int dlt, struct bpf_program *prog, char *err, size_t errlen)
{
	pcap_t *dead = pcap_open_dead(dlt, FILTER_SNAPLEN);
	if (!dead)
		return snprintf(err, errlen, "out of memory"), -1;
	int rc = pcap_compile(dead, prog, expr, 1, PCAP_NETMASK_UNKNOWN);
	if (rc < 0)
		snprintf(err, errlen, "filter '%s': %s", expr, pcap_geterr(dead));
	pcap_close(dead);
	return rc < 0 ? -1 : 0;
}

capfilter_t *capfilter_new(const char *expr, char *err, size_t errlen)
{
	capfilter_t *f = calloc(1, sizeof *f);
	if (!f || !(f->expr = strdup(expr))) {
		free(f);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (filter_compile(expr, DLT_EN10MB, &f->c[0].prog, err, errlen) < 0) {
		free(f->expr);
		free(f);
		return NULL;
	}
	f->c[0].dlt = DLT_EN10MB;
	f->n = 1;
	return f;
}

int capfilter_match(capfilter_t *f, const capture_record_t *rec, char *err, size_t errlen)
{
	int i;
	for (i = 0; i < f->n && f->c[i].dlt != rec->dlt; i++)
		;
	if (i == f->n) {
		if (f->n == FILTER_DLTS)
			return snprintf(err, errlen, "filter: more than %d link types", FILTER_DLTS), -1;
		if (filter_compile(f->expr, rec->dlt, &f->c[i].prog, err, errlen) < 0)
			return -1;
		f->c[i].dlt = rec->dlt;
		f->n++;
	}
	struct pcap_pkthdr h = { .caplen = rec->caplen, .len = rec->wirelen };
	return pcap_offline_filter(&f->c[i].prog, &h, rec->data) != 0;
}

void capfilter_free(capfilter_t *f)
{
	if (!f)
		return;
	for (int i = 0; i < f->n; i++)
		pcap_freecode(&f->c[i].prog);
	free(f->expr);
	free(f);
}

/* ---- the check: synthetic Ethernet frames */
typedef struct frame {
	uint8_t b[128];
	uint32_t len;
} frame_t;

static void eth(frame_t *fr, uint16_t type)
{
	memset(fr, 0, sizeof *fr);
	memcpy(fr->b, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02", 12);
	fr->b[12] = (uint8_t)(type >> 8);
	fr->b[13] = (uint8_t)type;
	fr->len = 14;
}

/* IPv4 header from s to d: proto, fragment offset in bytes, MF; then payload bytes. */
static void ip4(frame_t *fr, const uint8_t *s, const uint8_t *d, uint8_t proto, uint32_t off, int mf, uint32_t paylen)
{
	uint8_t *h = fr->b + fr->len;
	uint16_t tot = (uint16_t)(20 + paylen), fo = (uint16_t)((off / 8) | (mf ? 0x2000 : 0));
	h[0] = 0x45;
	h[2] = (uint8_t)(tot >> 8), h[3] = (uint8_t)tot;
	h[4] = 0x12, h[5] = 0x34;
	h[6] = (uint8_t)(fo >> 8), h[7] = (uint8_t)fo;
	h[8] = 64, h[9] = proto;
	memcpy(h + 12, s, 4);
	memcpy(h + 16, d, 4);
	fr->len += 20 + paylen;
}

/* IPv6 header, optionally a fragment header (offset in bytes), then payload bytes. */
static void ip6(frame_t *fr, const uint8_t *s, const uint8_t *d, uint8_t proto, int frag, uint32_t off, uint32_t paylen)
{
	uint8_t *h = fr->b + fr->len;
	uint16_t pl = (uint16_t)(paylen + (frag ? 8 : 0));
	h[0] = 0x60;
	h[4] = (uint8_t)(pl >> 8), h[5] = (uint8_t)pl;
	h[6] = frag ? 44 : proto;
	h[7] = 64;
	memcpy(h + 8, s, 16);
	memcpy(h + 24, d, 16);
	fr->len += 40;
	if (frag) {
		uint8_t *f = fr->b + fr->len;
		uint16_t o = (uint16_t)(off & 0xfff8);
		f[0] = proto;
		f[2] = (uint8_t)(o >> 8), f[3] = (uint8_t)(o | 1); /* M=1 */
		f[4] = 0xde, f[5] = 0xad, f[6] = 0xbe, f[7] = 0xef;
		fr->len += 8;
	}
	fr->len += paylen;
}

static void udp53(uint8_t *u, uint16_t dport)
{
	u[0] = 0, u[1] = 53;
	u[2] = (uint8_t)(dport >> 8), u[3] = (uint8_t)dport;
	u[4] = 0, u[5] = 40;
	u[8 + 2] = 0x81, u[8 + 3] = 0x80; /* a DNS answer's flags */
}

static int passes(const struct bpf_program *prog, const frame_t *fr)
{
	struct pcap_pkthdr h = { .caplen = fr->len, .len = fr->len };
	return pcap_offline_filter(prog, &h, fr->b) != 0;
}

/* The first IPv4 and IPv6 literals of the expression, if any. */
static void literals(const char *expr, uint8_t *v4, uint8_t *v6)
{
	char tok[64];
	for (const char *p = expr; *p;) {
		size_t n = strspn(p, "0123456789abcdefABCDEF.:");
		if (n && n < sizeof tok) {
			memcpy(tok, p, n);
			tok[n] = '\0';
			uint8_t tmp[16];
			if (strchr(tok, ':') && inet_pton(AF_INET6, tok, tmp) == 1)
				memcpy(v6, tmp, 16);
			else if (inet_pton(AF_INET, tok, tmp) == 1)
				memcpy(v4, tmp, 4);
		}
		p += n ? n : 1;
	}
}

int capfilter_check(const char *expr, char *buf, size_t len)
{
	struct bpf_program prog;
	char err[PCAP_ERRBUF_SIZE + 64];
	if (filter_compile(expr, DLT_EN10MB, &prog, err, sizeof err) < 0)
		return 0;
	uint8_t s4[4] = { 192, 0, 2, 53 }, c4[4] = { 198, 51, 100, 1 };
	uint8_t s6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x53 }, c6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 };
	literals(expr, s4, s6);
	frame_t whole, frag;
	const char *lost[4];
	int n = 0, takes4 = 0, takes6 = 0;
	/* IPv4: a whole answer from the server, and a non-first fragment of one; both
	 * directions of addresses, in case the filter names the client. */
	for (int dir = 0; dir < 2 && n == 0; dir++) {
		const uint8_t *s = dir ? c4 : s4, *d = dir ? s4 : c4;
		eth(&whole, 0x0800);
		ip4(&whole, s, d, 17, 0, 0, 48);
		udp53(whole.b + 34, 40000);
		eth(&frag, 0x0800);
		ip4(&frag, s, d, 17, 1480, 0, 48);
		takes4 |= passes(&prog, &whole);
		if (passes(&prog, &whole) && !passes(&prog, &frag))
			lost[n++] = "non-first IPv4 fragments (they carry no ports)";
	}
	int v6 = 0;
	for (int dir = 0; dir < 2 && !v6; dir++) {
		const uint8_t *s = dir ? c6 : s6, *d = dir ? s6 : c6;
		eth(&whole, 0x86dd);
		ip6(&whole, s, d, 17, 0, 0, 48);
		udp53(whole.b + 54, 40000);
		eth(&frag, 0x86dd);
		ip6(&frag, s, d, 17, 1, 0, 48);
		udp53(frag.b + 62, 40000);
		takes6 |= passes(&prog, &whole);
		if (passes(&prog, &whole) && !passes(&prog, &frag)) {
			lost[n++] = "IPv6 fragments (a fragment header comes before UDP)";
			v6 = 1;
		}
	}
	/* ICMP errors come from routers, about the answer or the query: checked
	 * for a family whose DNS answers the filter takes. */
	eth(&whole, 0x0800);
	ip4(&whole, (const uint8_t[]){ 203, 0, 113, 1 }, s4, 1, 0, 0, 36);
	whole.b[34] = 3, whole.b[35] = 4; /* needs-frag */
	eth(&frag, 0x86dd);
	ip6(&frag, (const uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, 0, 9, [15] = 1 }, s6, 58, 0, 0, 56);
	frag.b[54] = 2; /* packet too big */
	if ((takes4 && !passes(&prog, &whole)) || (takes6 && !passes(&prog, &frag)))
		lost[n++] = "ICMP errors (needs-frag, packet-too-big) from routers";
	pcap_freecode(&prog);
	if (!n)
		return 0;
	size_t o = (size_t)snprintf(buf, len, "drops ");
	for (int i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? (i == n - 1 ? " and " : ", ") : "", lost[i]);
	return 1;
}
