/* craft.c - DNS queries as crafted raw IPv4/IPv6 packets (see craft.h).
 *
 * RFC 791, RFC 8200 §4.5, RFC 768, RFC 1035 §4.1, RFC 6891, RFC 7830.
 * The pure builders come first (no sockets), the libnet injector and the
 * start-up self-check after them.
 */
#include "craft.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libnet.h>
#include <pcap/pcap.h>

#include "cursor.h"
#include "ip.h"
#include "link.h"
#include "status.h"
#include "dnsquery.h"
#include "wbuf.h"

#ifndef IP_NODEFRAG
#define IP_NODEFRAG 22 /* linux/in.h, since 2.6.36 */
#endif

#define CRAFT_DNS_TYPE_OPT 41

static const char *const craft_status_names[CRAFT_STATUS_COUNT] = {
	[CRAFT_OK] = "ok",
	[CRAFT_ERR_ARG] = "invalid argument",
	[CRAFT_ERR_SPACE] = "buffer too small",
	[CRAFT_ERR_PERM] = "permission denied",
	[CRAFT_ERR_SYS] = "system error",
	[CRAFT_ERR_INTERNAL] = "internal error",
	[CRAFT_ERR_NOT_SEEN] = "crafted packets not seen",
	[CRAFT_ERR_REWRITTEN] = "crafted packets rewritten",
};

const char *craft_status2str(craft_status_t st)
{
	return (unsigned)st < CRAFT_STATUS_COUNT ? craft_status_names[st] : "?";
}

__attribute__((format(printf, 4, 5))) static craft_status_t craft_fail(char *err, size_t errlen, craft_status_t st,
                                                                      const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return st;
}

/* ================================================================ DNS */

/* The query itself is written by common/dnsquery.c, shared with probe/wire.c;
 * here its status becomes a craft status with a message. */
craft_status_t craft_dns_query2wire(const craft_query_t *q, uint8_t *buf, size_t cap, size_t *len,
                                    char *err, size_t errlen)
{
	dnsquery_t dq = { .id = q->id, .qname = q->qname, .qtype = q->qtype, .qclass = q->qclass, .rd = q->rd,
	                  .opt = q->edns, .udp_size = q->udp_size, .do_bit = q->do_bit };
	switch (dnsquery_build(&dq, buf, cap, len)) {
	case DNSQUERY_OK:
		return CRAFT_OK;
	case DNSQUERY_NO_ROOM:
		return craft_fail(err, errlen, CRAFT_ERR_SPACE, "a %zu-byte buffer cannot hold the query", cap);
	default:
		return craft_fail(err, errlen, CRAFT_ERR_ARG, "query name '%s' is not a valid DNS name",
		                  q->qname ? q->qname : "(null)");
	}
}

/* Skip a (possibly compressed) name; the cursor's error is set on garbage. */
static void craft_skip_name(cursor_t *c)
{
	for (int labels = 0; labels < 128 && cursor_ok(c); labels++) {
		uint8_t b = cursor_u8(c);
		if (b == 0)
			return;
		if ((b & 0xc0) == 0xc0) {
			cursor_skip(c, 1);
			return;
		}
		if (b & 0xc0) { /* 0x40, 0x80: reserved label types */
			c->err = 1;
			return;
		}
		cursor_skip(c, b);
	}
	c->err = 1;
}

craft_status_t craft_dns_pad(uint8_t *msg, size_t len, size_t cap, size_t target, size_t *out_len,
                             char *err, size_t errlen)
{
	cursor_t c = cursor_make(msg, len);
	cursor_skip(&c, 4);
	uint16_t qd = cursor_u16(&c), an = cursor_u16(&c), ns = cursor_u16(&c), ar = cursor_u16(&c);
	for (unsigned i = 0; i < qd && cursor_ok(&c); i++) {
		craft_skip_name(&c);
		cursor_skip(&c, 4);
	}
	size_t opt_at = 0, rr_end = 0; /* where the last RR's RDLENGTH sits; where it ends */
	int last_is_opt = 0, opt_count = 0;
	for (unsigned i = 0; i < (unsigned)an + ns + ar && cursor_ok(&c); i++) {
		size_t start = cursor_pos(&c);
		craft_skip_name(&c);
		int root_owner = cursor_pos(&c) == start + 1;
		uint16_t type = cursor_u16(&c);
		cursor_skip(&c, 6); /* class, TTL */
		size_t rdlen_at = cursor_pos(&c);
		uint16_t rdlen = cursor_u16(&c);
		cursor_t rd = cursor_child(&c, rdlen, NULL);
		if (rd.len != rdlen)
			c.err = 1;
		last_is_opt = type == CRAFT_DNS_TYPE_OPT && root_owner;
		if (type == CRAFT_DNS_TYPE_OPT) {
			opt_count++;
			while (cursor_left(&rd) >= 4) { /* walk its options */
				uint16_t code = cursor_u16(&rd);
				uint16_t olen = cursor_u16(&rd);
				cursor_skip(&rd, olen);
				if (code == CRAFT_DNS_OPT_PADDING)
					return craft_fail(err, errlen, CRAFT_ERR_ARG, "the query already has a padding option");
			}
			if (cursor_left(&rd) != 0 || !cursor_ok(&rd))
				return craft_fail(err, errlen, CRAFT_ERR_ARG, "the query's OPT record has a malformed option");
		}
		opt_at = rdlen_at;
		rr_end = cursor_pos(&c);
	}
	if (!cursor_ok(&c) || len < 12)
		return craft_fail(err, errlen, CRAFT_ERR_ARG, "the query does not parse as a DNS message");
	if (rr_end != len || cursor_left(&c) != 0)
		return craft_fail(err, errlen, CRAFT_ERR_ARG, "the query has %zu bytes after its last record",
		                  cursor_left(&c));
	if (opt_count != 1 || !last_is_opt)
		return craft_fail(err, errlen, CRAFT_ERR_ARG,
		                  "padding needs exactly one OPT record, last in the message (found %d)", opt_count);
	if (target < len + 4)
		return craft_fail(err, errlen, CRAFT_ERR_ARG,
		                  "cannot pad a %zu-byte query to %zu bytes: the padding option alone takes 4",
		                  len, target);
	if (target > cap)
		return craft_fail(err, errlen, CRAFT_ERR_SPACE, "padding to %zu bytes needs a buffer that large (%zu)",
		                  target, cap);
	size_t rdlen_new = (size_t)(msg[opt_at] << 8 | msg[opt_at + 1]) + (target - len);
	if (rdlen_new > 0xffff || target - len - 4 > 0xffff)
		return craft_fail(err, errlen, CRAFT_ERR_ARG, "padding to %zu bytes overflows the OPT record", target);
	wbuf_t w = wbuf_make(msg, cap);
	w.len = len;
	wbuf_u16(&w, CRAFT_DNS_OPT_PADDING);
	wbuf_u16(&w, (uint16_t)(target - len - 4));
	uint8_t *pad = wbuf_reserve(&w, target - len - 4);
	if (pad)
		memset(pad, 0, target - len - 4); /* RFC 7830 §4: the padding octets SHOULD be 0x00 */
	wbuf_patch_u16(&w, opt_at, (uint16_t)rdlen_new);
	if (!wbuf_ok(&w))
		return craft_fail(err, errlen, CRAFT_ERR_SPACE, "padding did not fit");
	*out_len = w.len;
	return CRAFT_OK;
}

/* ================================================================ checksums */

static uint32_t craft_sum(uint32_t acc, const uint8_t *p, size_t n)
{
	size_t i;
	for (i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (i < n)
		acc += (uint32_t)p[i] << 8; /* an odd byte is padded with zero */
	return acc;
}

static uint16_t craft_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

uint16_t craft_inet_checksum(const uint8_t *p, size_t n)
{
	return craft_fold(craft_sum(0, p, n));
}

/* Sum of the pseudo header (RFC 768 / RFC 8200 §8.1) for a UDP datagram of n bytes. */
static uint32_t craft_pseudo_sum(const ip_addr_t *src, const ip_addr_t *dst, size_t n)
{
	size_t alen = src->family == 6 ? 16 : 4;
	uint32_t acc = craft_sum(0, src->a, alen);
	acc = craft_sum(acc, dst->a, alen);
	acc += IP_PROTO_UDP;
	acc += (uint32_t)(n & 0xffff) + (uint32_t)(n >> 16);
	return acc;
}

uint16_t craft_udp_checksum(const ip_addr_t *src, const ip_addr_t *dst, const uint8_t *datagram, size_t n)
{
	uint16_t sum = craft_fold(craft_sum(craft_pseudo_sum(src, dst, n), datagram, n));
	return sum ? sum : 0xffff;
}

/* ================================================================ trains */

static int craft_addr_zero(const ip_addr_t *a)
{
	static const uint8_t zero[16];
	return memcmp(a->a, zero, a->family == 6 ? 16 : 4) == 0;
}

/* Check p for a datagram of dlen bytes; the number of packets, or 0 (err set). */
static size_t craft_params_check(const craft_params_t *p, size_t dlen, char *err, size_t errlen)
{
	int fam = p->src.family;
	if ((fam != 4 && fam != 6) || p->dst.family != fam) {
		craft_fail(err, errlen, CRAFT_ERR_ARG, "source and destination must both be IPv4 or both IPv6");
		return 0;
	}
	if (craft_addr_zero(&p->src)) {
		craft_fail(err, errlen, CRAFT_ERR_ARG, "the source address must be set (the kernel fills in an unset one)");
		return 0;
	}
	if (fam == 4 && (p->id == 0 || p->id > 0xffff)) {
		craft_fail(err, errlen, CRAFT_ERR_ARG,
		           "IPv4 id %u: must be 1..65535 (a raw socket replaces an id of 0)", (unsigned)p->id);
		return 0;
	}
	if (p->frag_data && (p->frag_data % 8 || p->frag_data > 65528)) {
		craft_fail(err, errlen, CRAFT_ERR_ARG, "fragment data size %u is not a multiple of 8 in 8..65528",
		           (unsigned)p->frag_data);
		return 0;
	}
	size_t max = fam == 4 ? 65535 - CRAFT_IP4_HDR : 65535;
	if (dlen > max) {
		craft_fail(err, errlen, CRAFT_ERR_ARG, "a %zu-byte UDP datagram does not fit IPv%d (at most %zu)",
		           dlen, fam, max);
		return 0;
	}
	size_t n = p->frag_data ? (dlen + p->frag_data - 1) / p->frag_data : 1;
	if (n > CRAFT_MAX_PACKETS) {
		craft_fail(err, errlen, CRAFT_ERR_ARG, "%zu fragments: at most %d", n, CRAFT_MAX_PACKETS);
		return 0;
	}
	return n;
}

size_t craft_train_size(const craft_params_t *p, size_t payload_len, char *err, size_t errlen)
{
	size_t dlen = CRAFT_UDP_HDR + payload_len;
	if (payload_len > 65535) {
		craft_fail(err, errlen, CRAFT_ERR_ARG, "payload of %zu bytes is too large", payload_len);
		return 0;
	}
	size_t n = craft_params_check(p, dlen, err, errlen);
	if (!n)
		return 0;
	size_t hdr = p->src.family == 4 ? CRAFT_IP4_HDR : CRAFT_IP6_HDR + (p->frag_data ? CRAFT_IP6_FRAG_HDR : 0);
	return n * hdr + dlen;
}

/* Copy bytes [off, off + n) of the datagram made of udp (8 bytes) then payload. */
static void craft_datagram_slice(wbuf_t *w, const uint8_t udp[CRAFT_UDP_HDR], const uint8_t *payload,
                                 size_t off, size_t n)
{
	if (off < CRAFT_UDP_HDR) {
		size_t h = CRAFT_UDP_HDR - off < n ? CRAFT_UDP_HDR - off : n;
		wbuf_bytes(w, udp + off, h);
		off += h;
		n -= h;
	}
	if (n)
		wbuf_bytes(w, payload + (off - CRAFT_UDP_HDR), n);
}

craft_status_t craft_udp2train(const craft_params_t *p, const uint8_t *payload, size_t payload_len,
                               uint8_t *buf, size_t cap, craft_train_t *train, char *err, size_t errlen)
{
	size_t need = craft_train_size(p, payload_len, err, errlen);
	if (!need)
		return CRAFT_ERR_ARG;
	if (cap < need)
		return craft_fail(err, errlen, CRAFT_ERR_SPACE, "the train needs %zu bytes, the buffer has %zu", need, cap);
	size_t dlen = CRAFT_UDP_HDR + payload_len;
	size_t n = craft_params_check(p, dlen, err, errlen);
	int v6 = p->src.family == 6;

	/* The UDP header, its checksum over the whole datagram (pseudo header,
	 * header with checksum 0, payload), before any slicing. */
	uint8_t udp[CRAFT_UDP_HDR] = {
		(uint8_t)(p->sport >> 8), (uint8_t)p->sport, (uint8_t)(p->dport >> 8), (uint8_t)p->dport,
		(uint8_t)(dlen >> 8), (uint8_t)dlen, 0, 0,
	};
	uint32_t acc = craft_sum(craft_pseudo_sum(&p->src, &p->dst, dlen), udp, sizeof udp);
	uint16_t csum = craft_fold(craft_sum(acc, payload, payload_len));
	if (csum == 0)
		csum = 0xffff; /* RFC 768: 0 means "no checksum"; IPv6 forbids it */
	udp[6] = (uint8_t)(csum >> 8);
	udp[7] = (uint8_t)csum;

	memset(train, 0, sizeof *train);
	train->params = *p;
	train->count = n;
	train->datagram_len = dlen;
	train->udp_checksum = csum;

	wbuf_t w = wbuf_make(buf, cap);
	for (size_t i = 0; i < n; i++) {
		size_t off = p->frag_data ? i * p->frag_data : 0;
		size_t len = p->frag_data && dlen - off > p->frag_data ? p->frag_data : dlen - off;
		int mf = off + len < dlen;
		craft_packet_t *k = &train->pkt[i];
		size_t start = w.len;
		if (!v6) {
			uint16_t fragf = (uint16_t)((p->df ? 0x4000 : 0) | (mf ? 0x2000 : 0) | (off / 8));
			wbuf_u8(&w, 0x45);
			wbuf_u8(&w, p->tos);
			wbuf_u16(&w, (uint16_t)(CRAFT_IP4_HDR + len));
			wbuf_u16(&w, (uint16_t)p->id);
			wbuf_u16(&w, fragf);
			wbuf_u8(&w, p->ttl);
			wbuf_u8(&w, IP_PROTO_UDP);
			wbuf_u16(&w, 0); /* header checksum, below */
			wbuf_bytes(&w, p->src.a, 4);
			wbuf_bytes(&w, p->dst.a, 4);
			if (wbuf_ok(&w)) {
				uint16_t hs = craft_inet_checksum(buf + start, CRAFT_IP4_HDR);
				wbuf_patch_u16(&w, start + 10, hs);
			}
			k->hdr_len = CRAFT_IP4_HDR;
		} else {
			int fh = p->frag_data != 0;
			wbuf_u32(&w, 0x60000000); /* version 6, traffic class 0, flow label 0 */
			wbuf_u16(&w, (uint16_t)((fh ? CRAFT_IP6_FRAG_HDR : 0) + len));
			wbuf_u8(&w, fh ? IP_PROTO_FRAGMENT : IP_PROTO_UDP);
			wbuf_u8(&w, p->ttl);
			wbuf_bytes(&w, p->src.a, 16);
			wbuf_bytes(&w, p->dst.a, 16);
			if (fh) {
				wbuf_u8(&w, IP_PROTO_UDP);
				wbuf_u8(&w, 0);
				wbuf_u16(&w, (uint16_t)(off | (mf ? 1 : 0))); /* offset/8 << 3 == off */
				wbuf_u32(&w, p->id);
			}
			k->hdr_len = CRAFT_IP6_HDR + (fh ? CRAFT_IP6_FRAG_HDR : 0);
			k->has_frag_hdr = fh;
		}
		craft_datagram_slice(&w, udp, payload, off, len);
		k->data = buf + start;
		k->len = w.len - start;
		k->frag_offset = (uint32_t)off;
		k->mf = mf;
	}
	if (!wbuf_ok(&w) || w.len != need)
		return craft_fail(err, errlen, CRAFT_ERR_INTERNAL, "train built %zu bytes, expected %zu", w.len, need);
	return CRAFT_OK;
}

/* ================================================================ libnet */

struct craft {
	libnet_t *l;
	int family;
};

/* Build packet i of t in l with libnet's builders (l must be clear). */
static craft_status_t craft_train2libnet(libnet_t *l, const craft_train_t *t, size_t i, char *err, size_t errlen)
{
	const craft_params_t *p = &t->params;
	const craft_packet_t *k = &t->pkt[i];
	const uint8_t *data = k->data + k->hdr_len;
	uint32_t n = (uint32_t)(k->len - k->hdr_len);
	libnet_ptag_t tag;
	if (p->src.family == 4) {
		uint32_t src, dst;
		memcpy(&src, p->src.a, 4); /* network order, as libnet wants */
		memcpy(&dst, p->dst.a, 4);
		uint16_t frag = (uint16_t)((p->df ? 0x4000 : 0) | (k->mf ? 0x2000 : 0) | (k->frag_offset / 8));
		uint16_t sum = (uint16_t)(k->data[10] << 8 | k->data[11]);
		/* The IPv4 builder takes host order and swaps: frag, id, length, sum. */
		tag = libnet_build_ipv4((uint16_t)k->len, p->tos, (uint16_t)p->id, frag, p->ttl, IPPROTO_UDP, sum,
		                        src, dst, data, n, l, 0);
	} else {
		struct libnet_in6_addr src, dst;
		memcpy(&src, p->src.a, 16);
		memcpy(&dst, p->dst.a, 16);
		if (k->has_frag_hdr) {
			/* libnet 1.1.6 copies frag and id as given: network order here. */
			uint16_t frag = htons((uint16_t)(k->frag_offset | (k->mf ? 1 : 0)));
			tag = libnet_build_ipv6_frag(IPPROTO_UDP, 0, frag, htonl(p->id), data, n, l, 0);
			if (tag != -1)
				tag = libnet_build_ipv6(0, 0, (uint16_t)(CRAFT_IP6_FRAG_HDR + n), IPPROTO_FRAGMENT, p->ttl,
				                        src, dst, NULL, 0, l, 0);
		} else {
			tag = libnet_build_ipv6(0, 0, (uint16_t)n, IPPROTO_UDP, p->ttl, src, dst, data, n, l, 0);
		}
	}
	if (tag == -1)
		return craft_fail(err, errlen, CRAFT_ERR_SYS, "libnet could not build packet %zu: %s", i + 1,
		                  libnet_geterror(l));
	return CRAFT_OK;
}

/* Build packet i with libnet and check libnet's bytes against the pure ones. */
static craft_status_t craft_libnet_check(libnet_t *l, const craft_train_t *t, size_t i, char *err, size_t errlen)
{
	craft_status_t st = craft_train2libnet(l, t, i, err, errlen);
	if (st != CRAFT_OK)
		return st;
	uint8_t *pkt = NULL;
	uint32_t sz = 0;
	if (libnet_pblock_coalesce(l, &pkt, &sz) == -1)
		return craft_fail(err, errlen, CRAFT_ERR_SYS, "libnet could not assemble packet %zu: %s", i + 1,
		                  libnet_geterror(l));
	const craft_packet_t *k = &t->pkt[i];
	size_t at = 0;
	if (sz == k->len)
		while (at < sz && pkt[at] == k->data[at])
			at++;
	libnet_adv_free_packet(l, pkt);
	if (sz != k->len || at != sz)
		return craft_fail(err, errlen, CRAFT_ERR_INTERNAL,
		                  "libnet built packet %zu differently from the crafted bytes (%u vs %zu bytes, "
		                  "first difference at byte %zu)", i + 1, (unsigned)sz, k->len, at);
	return CRAFT_OK;
}

craft_status_t craft_open(craft_t **out, int family, const char *device, char *err, size_t errlen)
{
	char lerr[LIBNET_ERRBUF_SIZE] = "";
	*out = NULL;
	if (family != 4 && family != 6)
		return craft_fail(err, errlen, CRAFT_ERR_ARG, "family must be 4 or 6, not %d", family);
	craft_t *c = calloc(1, sizeof *c);
	if (!c)
		return craft_fail(err, errlen, CRAFT_ERR_SYS, "out of memory");
	c->family = family;
	errno = 0;
	c->l = libnet_init(family == 4 ? LIBNET_RAW4 : LIBNET_RAW6, NULL, lerr);
	if (!c->l) {
		int e = errno;
		free(c);
		size_t n = strlen(lerr);
		while (n && (lerr[n - 1] == '\n' || lerr[n - 1] == ' '))
			lerr[--n] = 0;
		/* libnet's clean-up may clobber errno: its message carries strerror(). */
		int perm = e == EPERM || e == EACCES || strstr(lerr, strerror(EPERM)) || strstr(lerr, strerror(EACCES));
		return craft_fail(err, errlen, perm ? CRAFT_ERR_PERM : CRAFT_ERR_SYS,
		                  "cannot open a raw IPv%d socket (needs CAP_NET_RAW): %s", family, lerr);
	}
	int fd = libnet_getfd(c->l), one = 1;
	if (family == 4 && setsockopt(fd, SOL_IP, IP_NODEFRAG, &one, sizeof one) < 0) {
		int e = errno;
		craft_close(c);
		return craft_fail(err, errlen, CRAFT_ERR_SYS,
		                  "setsockopt IP_NODEFRAG on the raw socket: %s (crafted fragments would be "
		                  "reassembled by connection tracking)", strerror(e));
	}
	if (device && *device &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device, (socklen_t)strlen(device) + 1) < 0) {
		int e = errno;
		craft_close(c);
		return craft_fail(err, errlen, e == EPERM ? CRAFT_ERR_PERM : CRAFT_ERR_SYS,
		                  "cannot bind the raw IPv%d socket to device %s: %s", family, device, strerror(e));
	}
	*out = c;
	return CRAFT_OK;
}

void craft_close(craft_t *c)
{
	if (!c)
		return;
	if (c->l)
		libnet_destroy(c->l);
	free(c);
}

craft_status_t craft_send_train(craft_t *c, const craft_train_t *t, char *err, size_t errlen)
{
	if (t->params.src.family != c->family)
		return craft_fail(err, errlen, CRAFT_ERR_ARG, "an IPv%d train on an IPv%d crafter",
		                  t->params.src.family, c->family);
	for (size_t i = 0; i < t->count; i++) {
		libnet_clear_packet(c->l);
		craft_status_t st = craft_libnet_check(c->l, t, i, err, errlen);
		if (st != CRAFT_OK) {
			libnet_clear_packet(c->l);
			return st;
		}
		errno = 0;
		int w = libnet_write(c->l);
		int e = errno;
		if (w != (int)t->pkt[i].len) {
			char msg[LIBNET_ERRBUF_SIZE];
			snprintf(msg, sizeof msg, "%s", libnet_geterror(c->l));
			size_t n = strlen(msg);
			while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
				msg[--n] = 0;
			libnet_clear_packet(c->l);
			return craft_fail(err, errlen, e == EPERM || e == EACCES ? CRAFT_ERR_PERM : CRAFT_ERR_SYS,
			                  "sending packet %zu of %zu (%zu bytes) failed: %s", i + 1, t->count,
			                  t->pkt[i].len, msg[0] ? msg : strerror(e));
		}
	}
	libnet_clear_packet(c->l);
	return CRAFT_OK;
}

/* ================================================================ ports */

static socklen_t craft_sockaddr(const ip_addr_t *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (a->family == 6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a->a, 16);
		return sizeof *s6;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	memcpy(&s4->sin_addr, a->a, 4);
	return sizeof *s4;
}

craft_status_t craft_port_bind(const ip_addr_t *src, int *fd, uint16_t *port, char *err, size_t errlen)
{
	char a[INET6_ADDRSTRLEN];
	struct sockaddr_storage ss;
	*fd = -1;
	if (src->family != 4 && src->family != 6)
		return craft_fail(err, errlen, CRAFT_ERR_ARG, "no source address to bind");
	socklen_t sl = craft_sockaddr(src, 0, &ss);
	int s = socket(src->family == 6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return craft_fail(err, errlen, CRAFT_ERR_SYS, "UDP socket: %s", strerror(errno));
	if (bind(s, (struct sockaddr *)&ss, sl) < 0) {
		int e = errno;
		close(s);
		return craft_fail(err, errlen, CRAFT_ERR_SYS, "cannot bind a UDP port on %s: %s",
		                  ip_addr2str(src, a, sizeof a), strerror(e));
	}
	sl = sizeof ss;
	if (getsockname(s, (struct sockaddr *)&ss, &sl) < 0) {
		int e = errno;
		close(s);
		return craft_fail(err, errlen, CRAFT_ERR_SYS, "getsockname: %s", strerror(e));
	}
	*port = ntohs(src->family == 6 ? ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
	*fd = s;
	return CRAFT_OK;
}

/* ================================================================ self-check */

#define CRAFT_SC_FRAMES 16
#define CRAFT_SC_FRAME_MAX 2048

typedef struct craft_sc_frame {
	size_t len;                     /* bytes from the IP header on */
	uint8_t b[CRAFT_SC_FRAME_MAX];
} craft_sc_frame_t;

typedef struct craft_sc {
	int dlt;
	int family;
	uint16_t sport;
	uint32_t id;
	uint32_t seen_ids[CRAFT_SC_FRAMES]; /* IPv6 ids of first fragments with our port */
	size_t nseen_ids;
	size_t n;
	size_t other;                   /* frames between the two addresses that are not ours */
	craft_sc_frame_t f[CRAFT_SC_FRAMES];
} craft_sc_t;

/* Keep a frame that belongs to the crafted datagram: our IPv4 id, our source
 * port in an unfragmented datagram or a first fragment, or (IPv6, where a
 * rewriting host changes the id) a later fragment with the id of such a first
 * fragment. */
static void craft_sc_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	craft_sc_t *sc = (craft_sc_t *)user;
	decode_counts_t dc;
	pkt_t pkt;
	cursor_t frame = cursor_make(bytes, h->caplen), net;
	memset(&pkt, 0, sizeof pkt);
	memset(&dc, 0, sizeof dc);
	if (link_decode(sc->dlt, &frame, &pkt, &net, &dc) != OUTCOME_OK)
		return;
	const uint8_t *ipb = cursor_ptr(&net);
	size_t iplen = cursor_left(&net);
	cursor_t nc = net;
	if ((sc->family == 4 ? ip4_decode(&nc, &pkt.ip, &dc) : ip6_decode(&nc, &pkt.ip, &dc)) != OUTCOME_OK)
		return;
	int first = !pkt.ip.is_fragment || pkt.ip.frag_offset == 0;
	cursor_t pl = pkt.ip.payload;
	uint16_t sport = first && pkt.ip.proto == IP_PROTO_UDP ? cursor_u16(&pl) : 0;
	int ours = (first && sport == sc->sport && cursor_ok(&pl)) || (sc->family == 4 && pkt.ip.id == sc->id);
	if (sc->family == 6 && pkt.ip.is_fragment) {
		if (first && ours && sc->nseen_ids < CRAFT_SC_FRAMES)
			sc->seen_ids[sc->nseen_ids++] = pkt.ip.id;
		for (size_t i = 0; i < sc->nseen_ids && !ours; i++)
			ours = !first && pkt.ip.id == sc->seen_ids[i];
		ours |= pkt.ip.id == sc->id;
	}
	if (!ours) {
		sc->other++;
		return;
	}
	if (sc->n == CRAFT_SC_FRAMES)
		return;
	craft_sc_frame_t *f = &sc->f[sc->n++];
	f->len = iplen < sizeof f->b ? iplen : sizeof f->b;
	memcpy(f->b, ipb, f->len);
}

static int64_t craft_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Describe how the captured frames differ from the train: into buf. */
static void craft_sc_explain(const craft_sc_t *sc, const craft_train_t *t, const char *ifname, char *buf,
                             size_t len)
{
	int v6 = t->params.src.family == 6;
	const char *fix = v6 ? CRAFT_IP6_NOTRACK_FIX : CRAFT_IP4_NOTRACK_FIX;
	pkt_ip_t ip;
	decode_counts_t dc;
	memset(&dc, 0, sizeof dc);
	if (sc->n == 1) {
		cursor_t c = cursor_make(sc->f[0].b, sc->f[0].len);
		memset(&ip, 0, sizeof ip);
		if ((v6 ? ip6_decode(&c, &ip, &dc) : ip4_decode(&c, &ip, &dc)) == OUTCOME_OK && !ip.is_fragment &&
		    ip.total_len == t->datagram_len + (v6 ? CRAFT_IP6_HDR : CRAFT_IP4_HDR)) {
			snprintf(buf, len,
			         "the host's connection tracking reassembled the %zu crafted IPv%d fragments and sent one "
			         "unfragmented %u-byte packet on %s%s; add: %s",
			         t->count, v6 ? 6 : 4, (unsigned)ip.total_len, ifname,
			         v6 ? "" : " (IP_NODEFRAG did not take effect)", fix);
			return;
		}
	}
	/* Field by field against the packet of the same index; each finding once. */
	char what[256] = "";
	for (size_t i = 0; i < sc->n && i < t->count; i++) {
		pkt_ip_t a, b;
		char one[128];
		cursor_t ca = cursor_make(sc->f[i].b, sc->f[i].len), cb = cursor_make(t->pkt[i].data, t->pkt[i].len);
		memset(&a, 0, sizeof a);
		memset(&b, 0, sizeof b);
		if ((v6 ? ip6_decode(&ca, &a, &dc) : ip4_decode(&ca, &a, &dc)) != OUTCOME_OK ||
		    (v6 ? ip6_decode(&cb, &b, &dc) : ip4_decode(&cb, &b, &dc)) != OUTCOME_OK)
			continue;
		for (int field = 0; field < 3; field++) {
			one[0] = 0;
			if (field == 0 && a.id != b.id)
				snprintf(one, sizeof one, "%s id 0x%x became 0x%x", v6 ? "fragment" : "IP", (unsigned)b.id,
				         (unsigned)a.id);
			if (field == 1 && a.ttl != b.ttl)
				snprintf(one, sizeof one, "%s %u became %u", v6 ? "hop limit" : "TTL", b.ttl, a.ttl);
			if (field == 2 && (a.frag_offset != b.frag_offset || a.mf != b.mf || a.total_len != b.total_len))
				snprintf(one, sizeof one, "fragment %zu went out as offset %u length %u MF %u (crafted %u, %u, %u)",
				         i + 1, (unsigned)a.frag_offset, (unsigned)a.total_len, a.mf, (unsigned)b.frag_offset,
				         (unsigned)b.total_len, b.mf);
			size_t w = strlen(what);
			if (one[0] && !strstr(what, one) && w + strlen(one) + 3 < sizeof what)
				snprintf(what + w, sizeof what - w, "%s%s", w ? ", " : "", one);
		}
	}
	if (sc->n != t->count || what[0]) {
		snprintf(buf, len,
		         "the host rewrote the crafted IPv%d fragments: %zu crafted, %zu left on %s%s%s: its connection "
		         "tracking reassembled and re-fragmented them; add: %s",
		         v6 ? 6 : 4, t->count, sc->n, ifname, what[0] ? "; " : "", what, fix);
		return;
	}
	for (size_t i = 0; i < sc->n; i++) {
		size_t at = 0, m = sc->f[i].len < t->pkt[i].len ? sc->f[i].len : t->pkt[i].len;
		while (at < m && sc->f[i].b[at] == t->pkt[i].data[at])
			at++;
		if (at < m || sc->f[i].len != t->pkt[i].len) {
			snprintf(buf, len,
			         "crafted IPv%d packet %zu left %s changed (%zu bytes on the wire, %zu crafted, first "
			         "difference at byte %zu of the IP packet)",
			         v6 ? 6 : 4, i + 1, ifname, sc->f[i].len, t->pkt[i].len, at);
			return;
		}
	}
	snprintf(buf, len, "crafted IPv%d packets left %s in another order", v6 ? 6 : 4, ifname);
}

craft_status_t craft_selfcheck(craft_t *c, const char *iface, const ip_addr_t *src, const ip_addr_t *dst,
                               char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "", sa[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN], filter[160];
	const char *ifname = iface && *iface ? iface : "any";
	craft_status_t st;
	if (src->family != c->family || dst->family != c->family)
		return craft_fail(err, errlen, CRAFT_ERR_ARG, "self-check addresses are not IPv%d", c->family);

	/* The datagram: a ". NS" query padded to 112 bytes, in fragments of 64
	 * data bytes: 120 bytes of UDP make two fragments (64 + 56). */
	uint8_t q[160], trainbuf[512];
	size_t qlen = 0;
	uint32_t rnd = (uint32_t)craft_now_ms() ^ (uint32_t)getpid() << 8;
	craft_query_t qq = { .id = (uint16_t)rnd, .qname = ".", .qtype = 2, .edns = 1, .udp_size = 1232 };
	if ((st = craft_dns_query2wire(&qq, q, sizeof q, &qlen, err, errlen)) != CRAFT_OK ||
	    (st = craft_dns_pad(q, qlen, sizeof q, 112, &qlen, err, errlen)) != CRAFT_OK)
		return st;

	int sock = -1;
	uint16_t sport = 0;
	if ((st = craft_port_bind(src, &sock, &sport, err, errlen)) != CRAFT_OK)
		return st;
	craft_params_t p = { .src = *src, .dst = *dst, .sport = sport, .dport = 53, .ttl = 60,
	                     .id = c->family == 4 ? 1 + rnd % 65535 : rnd * 2654435761u, .frag_data = 64 };
	craft_train_t t;
	if ((st = craft_udp2train(&p, q, qlen, trainbuf, sizeof trainbuf, &t, err, errlen)) != CRAFT_OK) {
		close(sock);
		return st;
	}

	pcap_t *pc = pcap_create(ifname, perr);
	if (!pc) {
		close(sock);
		return craft_fail(err, errlen, CRAFT_ERR_SYS, "self-check: cannot capture on %s: %s", ifname, perr);
	}
	pcap_set_snaplen(pc, 65535);
	pcap_set_promisc(pc, 0);
	pcap_set_immediate_mode(pc, 1);
	pcap_set_timeout(pc, 10);
	int rc = pcap_activate(pc);
	if (rc < 0) {
		st = rc == PCAP_ERROR_PERM_DENIED ? CRAFT_ERR_PERM : CRAFT_ERR_SYS;
		craft_fail(err, errlen, st, "self-check: cannot capture on %s: %s", ifname, pcap_geterr(pc));
		goto out;
	}
	snprintf(filter, sizeof filter, "%s src host %s and dst host %s", c->family == 6 ? "ip6 and" : "ip and",
	         ip_addr2str(src, sa, sizeof sa), ip_addr2str(dst, da, sizeof da));
	struct bpf_program prog;
	if (pcap_compile(pc, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0 || pcap_setfilter(pc, &prog) < 0) {
		st = craft_fail(err, errlen, CRAFT_ERR_SYS, "self-check: capture filter '%s': %s", filter, pcap_geterr(pc));
		goto out;
	}
	pcap_freecode(&prog);
	if (pcap_setnonblock(pc, 1, perr) < 0) {
		st = craft_fail(err, errlen, CRAFT_ERR_SYS, "self-check: %s", perr);
		goto out;
	}
	craft_sc_t *sc = calloc(1, sizeof *sc);
	if (!sc) {
		st = craft_fail(err, errlen, CRAFT_ERR_SYS, "out of memory");
		goto out;
	}
	sc->dlt = pcap_datalink(pc);
	sc->family = c->family;
	sc->sport = sport;
	sc->id = p.id;
	if (!link_dlt_supported(sc->dlt)) {
		st = craft_fail(err, errlen, CRAFT_ERR_SYS, "self-check: %s has an unsupported link type (%s)", ifname,
		                pcap_datalink_val_to_name(sc->dlt));
		free(sc);
		goto out;
	}
	if ((st = craft_send_train(c, &t, err, errlen)) != CRAFT_OK) {
		free(sc);
		goto out;
	}
	/* Up to a second for the train; once it is all there, 100 ms more for
	 * anything the host may add. */
	int64_t start = craft_now_ms(), deadline = start + 1000;
	int fd = pcap_get_selectable_fd(pc);
	for (;;) {
		int64_t now = craft_now_ms();
		if (sc->n >= t.count && deadline > now + 100)
			deadline = now + 100;
		if (now >= deadline)
			break;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (fd >= 0)
			(void)poll(&pfd, 1, (int)(deadline - now < 10 ? deadline - now : 10));
		else
			usleep(5000);
		if (pcap_dispatch(pc, -1, craft_sc_frame, (u_char *)sc) < 0) {
			st = craft_fail(err, errlen, CRAFT_ERR_SYS, "self-check: capture on %s: %s", ifname, pcap_geterr(pc));
			free(sc);
			goto out;
		}
	}
	int same = sc->n == t.count;
	for (size_t i = 0; same && i < t.count; i++)
		same = sc->f[i].len == t.pkt[i].len && memcmp(sc->f[i].b, t.pkt[i].data, t.pkt[i].len) == 0;
	if (same) {
		st = CRAFT_OK;
		if (err && errlen)
			snprintf(err, errlen, "%zu crafted IPv%d fragments left %s byte for byte as crafted", t.count,
			         c->family, ifname);
	} else if (sc->n == 0) {
		st = craft_fail(err, errlen, CRAFT_ERR_NOT_SEEN,
		                "none of the %zu crafted IPv%d fragments to %s appeared on %s within a second although "
		                "the send succeeded: the host's connection tracking holds crafted fragments it "
		                "cannot reassemble, or they leave by another interface; add: %s",
		                t.count, c->family, da, ifname,
		                c->family == 6 ? CRAFT_IP6_NOTRACK_FIX : CRAFT_IP4_NOTRACK_FIX);
	} else {
		char why[1024];
		craft_sc_explain(sc, &t, ifname, why, sizeof why);
		st = craft_fail(err, errlen, CRAFT_ERR_REWRITTEN, "%s", why);
	}
	free(sc);
out:
	pcap_close(pc);
	close(sock);
	return st;
}
