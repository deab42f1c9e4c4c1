/* answer.c - dnsfrag-responder's query handler (see answer.h).
 *
 *   answer:  header(12) question(as sent) answer RRs, authority RRs,
 *            additional RRs (padding TXT, then our OPT)
 *   sizes:   an RR owned by a compression pointer costs 12 bytes + RDATA, so
 *            a TXT record of RDLENGTH R adds 12 + R bytes (R >= 1: one empty
 *            string); any padding P >= 13 is exact.
 *   OPT:     11 bytes, no options, present iff the query had one (RFC 6891);
 *            DO copied (RFC 3225).
 */
#include "answer.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "query.h"
#include "wbuf.h"

#define ANSWER_OPT_LEN 11
#define ANSWER_PAD_MIN 13        /* the smallest TXT record: pointer + 10 + one length byte */
#define ANSWER_OUR_UDP_SIZE 1232 /* the OPT class we advertise */
#define ANSWER_TTL_TEST 0        /* every test name: never cached */
#define ANSWER_TTL_NS 3600

static const char answer_pattern[] = "0123456789abcdef";

/* ------------------------------------------------------------------ setup */

static uint64_t responder_splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t responder_rand32(void *ctx)
{
	return (uint32_t)(responder_splitmix64(ctx) >> 32);
}

/* A host name in presentation form (letters, digits, '-', '_'; optional final
 * dot) into lower-case wire form. 0, or -1 with a message. */
static int responder_name_text2wire(const char *text, uint8_t *wire, size_t cap, size_t *len,
                                    unsigned *labels, const char **why)
{
	size_t out = 0, n = strlen(text);
	unsigned nl = 0;
	if (n > 0 && text[n - 1] == '.')
		n--;
	if (n == 0) {
		*why = "the root cannot be served";
		return -1;
	}
	if (text[n - 1] == '.') {
		*why = "an empty label";
		return -1;
	}
	size_t i = 0;
	while (i < n) {
		size_t start = i;
		while (i < n && text[i] != '.')
			i++;
		size_t ll = i - start;
		if (ll == 0 || ll > 63) {
			*why = ll ? "a label longer than 63 characters" : "an empty label";
			return -1;
		}
		if (out + 1 + ll + 1 > cap) {
			*why = "the name is too long";
			return -1;
		}
		wire[out++] = (uint8_t)ll;
		for (size_t j = start; j < i; j++) {
			char ch = text[j];
			if (ch >= 'A' && ch <= 'Z')
				ch = (char)(ch - 'A' + 'a');
			if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')) {
				*why = "only letters, digits, '-' and '_' are allowed in a name";
				return -1;
			}
			wire[out++] = (uint8_t)ch;
		}
		nl++;
		if (i < n)
			i++; /* the dot */
	}
	wire[out++] = 0;
	*len = out;
	*labels = nl;
	return 0;
}

static void responder_name_wire2text(const uint8_t *wire, char *text, size_t cap)
{
	size_t out = 0;
	for (size_t i = 0; wire[i] && out + 66 < cap; i += (size_t)wire[i] + 1) {
		memcpy(text + out, wire + i + 1, wire[i]);
		out += wire[i];
		text[out++] = '.';
	}
	text[out] = '\0';
}

int responder_init(responder_t *r, const responder_config_t *cfg, uint64_t seed, char *err, size_t errlen)
{
	const char *why = NULL;
	memset(r, 0, sizeof(*r));
	if (!cfg->zone) {
		snprintf(err, errlen, "no zone given");
		return -1;
	}
	if (responder_name_text2wire(cfg->zone, r->zone, sizeof(r->zone), &r->zone_len, &r->zone_labels, &why) < 0) {
		snprintf(err, errlen, "zone '%s': %s (at most %d bytes on the wire)", cfg->zone, why,
		         RESPONDER_ZONE_WIRE_MAX);
		return -1;
	}
	responder_name_wire2text(r->zone, r->zone_text, sizeof(r->zone_text));
	if (cfg->nns > RESPONDER_NS_MAX) {
		snprintf(err, errlen, "at most %d NS names", RESPONDER_NS_MAX);
		return -1;
	}
	for (unsigned i = 0; i < cfg->nns; i++) {
		unsigned labels;
		if (responder_name_text2wire(cfg->ns[i], r->ns[i], sizeof(r->ns[i]), &r->ns_len[i], &labels, &why) < 0) {
			snprintf(err, errlen, "NS name '%s': %s", cfg->ns[i], why);
			return -1;
		}
	}
	r->nns = cfg->nns;
	if (r->nns == 0) { /* ns.ZONE */
		static const uint8_t ns_label[] = { 2, 'n', 's' };
		memcpy(r->ns[0], ns_label, sizeof(ns_label));
		memcpy(r->ns[0] + sizeof(ns_label), r->zone, r->zone_len);
		r->ns_len[0] = sizeof(ns_label) + r->zone_len;
		r->nns = 1;
	}
	for (unsigned i = 0; i < cfg->nns_addr && i < RESPONDER_NS_ADDR_MAX; i++) {
		if (inet_pton(AF_INET, cfg->ns_addr[i], r->addr4[r->n4]) == 1)
			r->n4++;
		else if (inet_pton(AF_INET6, cfg->ns_addr[i], r->addr6[r->n6]) == 1)
			r->n6++;
		else {
			snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address", cfg->ns_addr[i]);
			return -1;
		}
	}
	r->oarc_max = cfg->oarc_max ? cfg->oarc_max : 4096;
	r->allow_ttl = cfg->allow_ttl;
	if (r->oarc_max < RSTEST_MIN_SIZE || r->oarc_max > 65507) {
		snprintf(err, errlen, "the reply-size ceiling must be within 512..65507, not %u", r->oarc_max);
		return -1;
	}
	if (rstest_table_init(&r->tests, cfg->tests_max ? cfg->tests_max : 4096) < 0 ||
	    ratelimit_init(&r->rl, cfg->rate, cfg->burst, cfg->slip, 4096) < 0) {
		snprintf(err, errlen, "out of memory");
		responder_free(r);
		return -1;
	}
	r->rng = seed;
	return 0;
}

void responder_free(responder_t *r)
{
	rstest_table_free(&r->tests);
	ratelimit_free(&r->rl);
}

/* ---------------------------------------------------------------- writing */

typedef struct msg {
	wbuf_t w;
	const query_t *q;
	uint16_t an, ns, ar;
} msg_t;

static void msg_begin(msg_t *m, const query_t *q, unsigned rcode, int aa, int tc)
{
	uint16_t flags = (uint16_t)(0x8000 | (q->opcode & 0x0f) << 11 | (aa ? 0x0400 : 0) | (tc ? 0x0200 : 0) |
	                            (q->rd ? 0x0100 : 0) | (q->cd ? 0x0010 : 0) | (rcode & 0x0f));
	m->q = q;
	m->an = m->ns = m->ar = 0;
	m->w.len = 0;
	m->w.err = 0;
	wbuf_u16(&m->w, q->id);
	wbuf_u16(&m->w, flags);
	wbuf_u16(&m->w, q->has_question ? 1 : 0);
	wbuf_u16(&m->w, 0);
	wbuf_u16(&m->w, 0);
	wbuf_u16(&m->w, 0);
	if (q->has_question)
		wbuf_bytes(&m->w, q->question, q->question_len);
}

static void msg_opt(msg_t *m, unsigned rcode)
{
	if (!m->q->has_opt)
		return;
	wbuf_u8(&m->w, 0);
	wbuf_u16(&m->w, DNS_T_OPT);
	wbuf_u16(&m->w, ANSWER_OUR_UDP_SIZE);
	wbuf_u32(&m->w, (uint32_t)(rcode >> 4) << 24 | (m->q->do_bit ? 0x8000u : 0));
	wbuf_u16(&m->w, 0);
	m->ar++;
}

static size_t msg_opt_len(const query_t *q)
{
	return q->has_opt ? ANSWER_OPT_LEN : 0;
}

/* Patch the counts; the message length, or 0 if anything did not fit. */
static size_t msg_finish(msg_t *m)
{
	wbuf_patch_u16(&m->w, 6, m->an);
	wbuf_patch_u16(&m->w, 8, m->ns);
	wbuf_patch_u16(&m->w, 10, m->ar);
	return wbuf_ok(&m->w) ? m->w.len : 0;
}

/* An RR header with a compression pointer as owner; returns where RDLENGTH is. */
static size_t msg_rr_begin(msg_t *m, uint16_t owner_off, uint16_t type, uint32_t ttl)
{
	wbuf_u16(&m->w, (uint16_t)(0xc000 | owner_off));
	wbuf_u16(&m->w, type);
	wbuf_u16(&m->w, DNS_CLASS_IN);
	wbuf_u32(&m->w, ttl);
	size_t at = m->w.len;
	wbuf_u16(&m->w, 0);
	return at;
}

static void msg_rr_end(msg_t *m, size_t rdlen_at)
{
	if (m->w.len >= rdlen_at + 2)
		wbuf_patch_u16(&m->w, rdlen_at, (uint16_t)(m->w.len - rdlen_at - 2));
}

/* TXT RDATA of exactly rdlen bytes (>= 1): strings of up to 255 characters. */
static void msg_txt_fill(msg_t *m, size_t rdlen)
{
	while (rdlen > 0) {
		size_t chunk = rdlen > 256 ? 256 : rdlen;
		uint8_t *p = wbuf_reserve(&m->w, chunk);
		if (!p)
			return;
		p[0] = (uint8_t)(chunk - 1);
		for (size_t j = 1; j < chunk; j++)
			p[j] = (uint8_t)answer_pattern[(j - 1) % 16];
		rdlen -= chunk;
	}
}

/* One TXT record of total size total (>= ANSWER_PAD_MIN) owned by owner_off. */
static void msg_txt_pad(msg_t *m, uint16_t owner_off, size_t total)
{
	size_t at = msg_rr_begin(m, owner_off, DNS_T_TXT, ANSWER_TTL_TEST);
	msg_txt_fill(m, total - 12);
	msg_rr_end(m, at);
}

/* ------------------------------------------------------------ the handler */

typedef struct ctx {
	responder_t *r;
	const query_t *q;
	const responder_client_t *client;
	responder_clock_t now;
	responder_reply_t *reply;
	unsigned rel;          /* labels below the zone */
	uint16_t apex_off;     /* offset of the zone name inside the question */
	char ip[INET6_ADDRSTRLEN];
} ctx_t;

static void ctx_log(ctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ctx_log(ctx_t *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->reply->log, sizeof(c->reply->log), fmt, ap);
	va_end(ap);
}

static void answer_soa(msg_t *m, const ctx_t *c)
{
	static const uint8_t hostmaster[] = { 10, 'h', 'o', 's', 't', 'm', 'a', 's', 't', 'e', 'r' };
	size_t at = msg_rr_begin(m, c->apex_off, DNS_T_SOA, ANSWER_TTL_TEST);
	wbuf_bytes(&m->w, c->r->ns[0], c->r->ns_len[0]);
	wbuf_bytes(&m->w, hostmaster, sizeof(hostmaster));
	wbuf_bytes(&m->w, c->r->zone, c->r->zone_len);
	wbuf_u32(&m->w, 1);      /* serial */
	wbuf_u32(&m->w, 3600);   /* refresh */
	wbuf_u32(&m->w, 600);    /* retry */
	wbuf_u32(&m->w, 86400);  /* expire */
	wbuf_u32(&m->w, 0);      /* negative answers are not cached either */
	msg_rr_end(m, at);
}

/* NOERROR/NODATA or NXDOMAIN: the SOA in the authority section. */
static size_t answer_negative(msg_t *m, const ctx_t *c, unsigned rcode)
{
	msg_begin(m, c->q, rcode, 1, 0);
	answer_soa(m, c);
	m->ns++;
	msg_opt(m, rcode);
	return msg_finish(m);
}

static size_t answer_apex(msg_t *m, const ctx_t *c)
{
	if (c->q->qtype != DNS_T_SOA && c->q->qtype != DNS_T_NS && c->q->qtype != DNS_T_ANY)
		return answer_negative(m, c, DNS_RCODE_NOERROR);
	msg_begin(m, c->q, DNS_RCODE_NOERROR, 1, 0);
	if (c->q->qtype != DNS_T_NS) {
		answer_soa(m, c);
		m->an++;
	}
	if (c->q->qtype != DNS_T_SOA)
		for (unsigned i = 0; i < c->r->nns; i++) {
			size_t at = msg_rr_begin(m, c->apex_off, DNS_T_NS, ANSWER_TTL_NS);
			wbuf_bytes(&m->w, c->r->ns[i], c->r->ns_len[i]);
			msg_rr_end(m, at);
			m->an++;
		}
	msg_opt(m, 0);
	return msg_finish(m);
}

/* An NS name of the zone asked for: its addresses (A, AAAA), else NODATA. */
static size_t answer_ns_host(msg_t *m, const ctx_t *c)
{
	const responder_t *r = c->r;
	uint16_t qt = c->q->qtype;
	unsigned n = qt == 1 ? r->n4 : qt == 28 ? r->n6 : 0;
	if (n == 0)
		return answer_negative(m, c, DNS_RCODE_NOERROR);
	msg_begin(m, c->q, DNS_RCODE_NOERROR, 1, 0);
	for (unsigned i = 0; i < n; i++) {
		size_t at = msg_rr_begin(m, 12, qt, ANSWER_TTL_NS);
		wbuf_bytes(&m->w, qt == 1 ? r->addr4[i] : r->addr6[i], qt == 1 ? 4 : 16);
		msg_rr_end(m, at);
		m->an++;
	}
	msg_opt(m, 0);
	return msg_finish(m);
}

static int responder_is_ns(const responder_t *r, const query_t *q)
{
	for (unsigned i = 0; i < r->nns; i++)
		if (r->ns_len[i] == q->qname_len && memcmp(r->ns[i], q->lname, q->qname_len) == 0)
			return 1;
	return 0;
}

/* ---- labels of the lower-cased query name */

static int label_is(const query_t *q, unsigned i, const char *s)
{
	unsigned len;
	const uint8_t *p = query_label(q, i, &len);
	return p && len == strlen(s) && memcmp(p, s, len) == 0;
}

/* prefix followed by a decimal number in 1..max without leading zeros. */
static int label_number(const query_t *q, unsigned i, const char *prefix, unsigned max, unsigned *v)
{
	unsigned len;
	const uint8_t *p = query_label(q, i, &len);
	size_t pl = strlen(prefix);
	if (!p || len <= pl || len > pl + 5 || memcmp(p, prefix, pl) != 0 || p[pl] == '0')
		return 0;
	unsigned n = 0;
	for (unsigned j = (unsigned)pl; j < len; j++) {
		if (p[j] < '0' || p[j] > '9')
			return 0;
		n = n * 10 + (unsigned)(p[j] - '0');
	}
	if (n == 0 || n > max)
		return 0;
	*v = n;
	return 1;
}

static int label_nonce(const query_t *q, unsigned i, uint32_t *nonce)
{
	unsigned len;
	const uint8_t *p = query_label(q, i, &len);
	if (!p || len != 9 || p[0] != 'n')
		return 0;
	uint32_t n = 0;
	for (unsigned j = 1; j < 9; j++) {
		uint8_t ch = p[j];
		unsigned d;
		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			d = (unsigned)(ch - 'a' + 10);
		else
			return 0;
		n = n << 4 | d;
	}
	*nonce = n;
	return n != 0;
}

/* ---- fixed-size answers: N.size.ZONE and ttlH.N.size.ZONE */

static const char *answer_edns2str(const query_t *q, char *buf, size_t len)
{
	if (!q->has_opt)
		return "none";
	snprintf(buf, len, "%u", q->udp_size);
	return buf;
}

static size_t answer_size(msg_t *m, ctx_t *c, unsigned want, unsigned hop)
{
	const query_t *q = c->q;
	char edns[8];
	int tcp = c->client->transport == RESPONDER_TCP;
	unsigned limit = tcp ? RESPONDER_MSG_MAX : query_udp_limit(q);
	int txt = q->qtype == DNS_T_TXT || q->qtype == DNS_T_ANY;
	c->reply->hop_limit = (uint8_t)hop;
	if (want > limit || want > m->w.cap) {
		msg_begin(m, q, DNS_RCODE_NOERROR, 1, 1);
		msg_opt(m, 0);
		size_t n = msg_finish(m);
		ctx_log(c, "size client=%s %s qtype=%u asked=%u edns=%s do=%u sent=%zu tc=1 hop=%u", c->ip,
		        tcp ? "tcp" : "udp", q->qtype, want, answer_edns2str(q, edns, sizeof(edns)), q->do_bit, n, hop);
		return n;
	}
	msg_begin(m, q, DNS_RCODE_NOERROR, 1, 0);
	size_t used = m->w.len + msg_opt_len(q);
	if (txt) {
		if (want < used + ANSWER_PAD_MIN)
			return 0; /* too small to be built: NXDOMAIN */
		msg_txt_pad(m, 12, want - used);
		m->an++;
	} else {
		answer_soa(m, c);
		m->ns++;
		used = m->w.len + msg_opt_len(q);
		if (want != used) {
			if (want < used + ANSWER_PAD_MIN)
				return 0;
			msg_txt_pad(m, c->apex_off, want - used);
			m->ar++;
		}
	}
	msg_opt(m, 0);
	size_t n = msg_finish(m);
	ctx_log(c, "size client=%s %s qtype=%u asked=%u edns=%s do=%u sent=%zu tc=0 hop=%u", c->ip,
	        tcp ? "tcp" : "udp", q->qtype, want, answer_edns2str(q, edns, sizeof(edns)), q->do_bit, n, hop);
	return n;
}

static size_t answer_refused(msg_t *m, ctx_t *c, const char *why)
{
	c->reply->hop_limit = 0;
	ctx_log(c, "refused client=%s: %s", c->ip, why);
	msg_begin(m, c->q, DNS_RCODE_REFUSED, 1, 0);
	msg_opt(m, DNS_RCODE_REFUSED);
	return msg_finish(m);
}

void responder_te_add(responder_t *r, const responder_te_t *e)
{
	r->te[r->te_next] = *e;
	r->te_next = (r->te_next + 1) % RESPONDER_TE_MAX;
	if (r->te_n < RESPONDER_TE_MAX)
		r->te_n++;
}

/* teID.size.ZONE: the ICMP errors answers with DNS id ID to this client drew,
 * newest first, one TXT record each: "from=ADDR type=T code=C info=N". A
 * client learns only about answers sent to its own address. */
static size_t answer_te_report(msg_t *m, ctx_t *c, unsigned id)
{
	const responder_t *r = c->r;
	if (!r->allow_ttl)
		return answer_refused(m, c, "te report refused (the responder runs without --allow-ttl)");
	msg_begin(m, c->q, DNS_RCODE_NOERROR, 1, 0);
	unsigned found = 0;
	for (unsigned k = 0; k < r->te_n && found < RESPONDER_TE_REPORT_MAX; k++) {
		const responder_te_t *e = &r->te[(r->te_next + RESPONDER_TE_MAX - 1 - k) % RESPONDER_TE_MAX];
		if (e->id != id || e->v6 != c->client->v6 || memcmp(e->client, c->client->addr, e->v6 ? 16 : 4) != 0)
			continue;
		char from[INET6_ADDRSTRLEN], txt[128];
		if (!inet_ntop(e->v6 ? AF_INET6 : AF_INET, e->from, from, sizeof(from)))
			snprintf(from, sizeof(from), "?");
		int tl = snprintf(txt, sizeof(txt), "from=%s type=%u code=%u info=%u", from, e->type, e->code, e->info);
		if (tl < 0 || tl > 255)
			continue;
		size_t at = msg_rr_begin(m, 12, DNS_T_TXT, ANSWER_TTL_TEST);
		wbuf_u8(&m->w, (uint8_t)tl);
		wbuf_bytes(&m->w, txt, (size_t)tl);
		msg_rr_end(m, at);
		m->an++;
		found++;
	}
	msg_opt(m, 0);
	ctx_log(c, "te client=%s id=%u records=%u", c->ip, id, found);
	return msg_finish(m);
}

static size_t answer_size_name(msg_t *m, ctx_t *c)
{
	unsigned want, hop = 0;
	size_t n = 0;
	if (c->rel == 1)
		return answer_negative(m, c, DNS_RCODE_NOERROR); /* size.ZONE itself */
	if (c->rel == 2 && label_number(c->q, 0, "", RESPONDER_MSG_MAX, &want))
		n = answer_size(m, c, want, 0);
	else if (c->rel == 2 && label_number(c->q, 0, "te", 65535, &want))
		return answer_te_report(m, c, want);
	else if (c->rel == 3 && label_number(c->q, 0, "ttl", 255, &hop) &&
	         label_number(c->q, 1, "", RESPONDER_MSG_MAX, &want)) {
		/* A hop limit only for a server started to honour it (label_number
		 * already refuses 0: never below 1). */
		if (!c->r->allow_ttl)
			return answer_refused(m, c, "ttl label refused (the responder runs without --allow-ttl)");
		n = answer_size(m, c, want, hop);
	}
	if (n == 0) {
		c->reply->hop_limit = 0;
		return answer_negative(m, c, DNS_RCODE_NXDOMAIN);
	}
	return n;
}

/* ---- the reply-size test */

/* rst.[xS|tS ...].nNONCE.rs.ZONE in wire form; its length. */
static size_t chain_name_write(uint8_t *buf, size_t cap, const rstest_chain_t *chain, uint32_t nonce,
                               const responder_t *r)
{
	char text[64];
	wbuf_t w = wbuf_make(buf, cap);
	wbuf_bytes(&w, "\003rst", 4);
	for (unsigned i = 0; i < chain->n; i++) {
		int n = snprintf(text, sizeof(text), "%c%u", chain->tcp[i] ? 't' : 'x', chain->size[i]);
		wbuf_u8(&w, (uint8_t)n);
		wbuf_bytes(&w, text, (size_t)n);
	}
	int n = snprintf(text, sizeof(text), "n%08x", nonce);
	wbuf_u8(&w, (uint8_t)n);
	wbuf_bytes(&w, text, (size_t)n);
	wbuf_bytes(&w, "\002rs", 3);
	wbuf_bytes(&w, r->zone, r->zone_len);
	return wbuf_ok(&w) ? w.len : 0;
}

/* qname CNAME target, padded to size (0: not padded). */
static size_t answer_cname(msg_t *m, const ctx_t *c, const uint8_t *target, size_t tlen, unsigned size)
{
	msg_begin(m, c->q, DNS_RCODE_NOERROR, 1, 0);
	size_t at = msg_rr_begin(m, 12, DNS_T_CNAME, ANSWER_TTL_TEST);
	wbuf_bytes(&m->w, target, tlen);
	msg_rr_end(m, at);
	m->an++;
	size_t used = m->w.len + msg_opt_len(c->q);
	if (size && size != used) {
		if (size < used + ANSWER_PAD_MIN)
			return 0;
		msg_txt_pad(m, c->apex_off, size - used);
		m->ar++;
	}
	msg_opt(m, 0);
	return msg_finish(m);
}

static void chain_text(const rstest_chain_t *chain, char *buf, size_t cap)
{
	size_t out = 0;
	buf[0] = '\0';
	for (unsigned i = chain->n; i-- > 0 && out < cap;)
		out += (size_t)snprintf(buf + out, cap - out, "%s%c%u", out ? "," : "", chain->tcp[i] ? 't' : 'x',
		                        chain->size[i]);
}

static size_t answer_final(msg_t *m, ctx_t *c, rstest_t *t, const rstest_chain_t *chain)
{
	const query_t *q = c->q;
	char line[3][256];
	unsigned limit = rstest_chain_limit(chain);
	if (q->has_opt)
		snprintf(line[0], sizeof(line[0]), "%s sent EDNS buffer size %u", c->ip, q->udp_size);
	else
		snprintf(line[0], sizeof(line[0]), "%s lacks EDNS, defaults to 512", c->ip);
	snprintf(line[1], sizeof(line[1]), "%s DNS reply size limit is at least %u bytes", c->ip, limit);
	time_t wall = (time_t)c->now.wall_s;
	struct tm tm;
	if (!gmtime_r(&wall, &tm))
		memset(&tm, 0, sizeof(tm));
	strftime(line[2], sizeof(line[2]), "Tested at %Y-%m-%d %H:%M:%S UTC", &tm);

	msg_begin(m, q, DNS_RCODE_NOERROR, 1, 0);
	for (unsigned i = 0; i < 3; i++) {
		size_t len = strlen(line[i]);
		size_t at = msg_rr_begin(m, 12, DNS_T_TXT, ANSWER_TTL_TEST);
		wbuf_u8(&m->w, (uint8_t)len);
		wbuf_bytes(&m->w, line[i], len);
		msg_rr_end(m, at);
		m->an++;
	}
	msg_opt(m, 0);
	size_t n = msg_finish(m);
	if (!t->reported) {
		char chain_s[64], lost_s[96];
		size_t out = 0;
		t->reported = 1;
		c->r->stats.tests_done++;
		chain_text(chain, chain_s, sizeof(chain_s));
		lost_s[0] = '\0';
		for (unsigned i = 0; i < t->nlost && out < sizeof(lost_s); i++)
			out += (size_t)snprintf(lost_s + out, sizeof(lost_s) - out, "%s%u", i ? "," : "", t->lost[i]);
		char edns[8];
		ctx_log(c, "rs client=%s %s nonce=%08x edns=%s do=%u limit=%u chain=%s lost=%s retries=%u", c->ip,
		        c->client->transport == RESPONDER_TCP ? "tcp" : "udp", t->nonce, answer_edns2str(q, edns, sizeof(edns)),
		        q->do_bit, limit, chain_s, out ? lost_s : "none", t->nlost_total);
	}
	return n;
}

static size_t answer_rs_name(msg_t *m, ctx_t *c)
{
	const query_t *q = c->q;
	const responder_t *r = c->r;
	uint8_t target[255];
	if (c->rel == 1) { /* rs.ZONE: start a test */
		if (q->qtype != DNS_T_TXT)
			return answer_negative(m, c, DNS_RCODE_NOERROR);
		rstest_t *t = rstest_mint(&c->r->tests, c->now.mono_ms, responder_rand32, &c->r->rng);
		rstest_chain_t none = { 0 };
		size_t tlen = chain_name_write(target, sizeof(target), &none, t->nonce, r);
		c->r->stats.tests++;
		return answer_cname(m, c, target, tlen, 0);
	}
	uint32_t nonce;
	if (!label_nonce(q, c->rel - 2, &nonce))
		return answer_negative(m, c, DNS_RCODE_NXDOMAIN);
	unsigned first = label_is(q, 0, "rst") ? 1 : 0;
	unsigned nsizes = c->rel - 2 - first;
	if (nsizes > RSTEST_STEPS)
		return answer_negative(m, c, DNS_RCODE_NXDOMAIN);
	rstest_chain_t chain = { .n = (uint8_t)nsizes };
	for (unsigned i = 0; i < nsizes; i++) {
		unsigned v;
		if (label_number(q, first + i, "x", RESPONDER_MSG_MAX, &v))
			chain.tcp[i] = 0;
		else if (label_number(q, first + i, "t", RESPONDER_MSG_MAX, &v))
			chain.tcp[i] = 1;
		else
			return answer_negative(m, c, DNS_RCODE_NXDOMAIN);
		chain.size[i] = (uint16_t)v;
	}
	if (!first || q->qtype != DNS_T_TXT)
		return answer_negative(m, c, DNS_RCODE_NOERROR); /* an empty non-terminal, or not TXT */
	rstest_t *t = rstest_find(&c->r->tests, nonce, c->now.mono_ms);
	if (!t)
		return answer_negative(m, c, DNS_RCODE_NXDOMAIN);

	const responder_client_t *cl = c->client;
	rstest_query_t rq = { .tcp = cl->transport == RESPONDER_TCP, .frag = cl->frag, .v6 = cl->v6 };
	rq.ceiling = query_udp_limit(q);
	if (rq.ceiling > r->oarc_max)
		rq.ceiling = r->oarc_max;
	if (cl->no_frag && cl->frag >= RSTEST_MIN_SIZE && rq.ceiling > cl->frag)
		rq.ceiling = cl->frag; /* answers cannot be fragmented: no use trying larger */
	unsigned size;
	switch (rstest_step(t, &chain, &rq, c->now.mono_ms, &size)) {
	case RSTEST_FINAL:
		return answer_final(m, c, t, &chain);
	case RSTEST_UNKNOWN:
		return answer_negative(m, c, DNS_RCODE_NXDOMAIN);
	case RSTEST_ANSWER:
		break;
	}
	rstest_chain_t next = { .n = (uint8_t)(chain.n + 1) };
	next.size[0] = (uint16_t)size;
	next.tcp[0] = (uint8_t)rq.tcp;
	for (unsigned i = 0; i < chain.n; i++) {
		next.size[i + 1] = chain.size[i];
		next.tcp[i + 1] = chain.tcp[i];
	}
	size_t tlen = chain_name_write(target, sizeof(target), &next, nonce, r);
	size_t n = tlen ? answer_cname(m, c, target, tlen, size) : 0;
	if (n == 0) { /* cannot happen with the zone length limit; never send a wrong size */
		msg_begin(m, q, DNS_RCODE_SERVFAIL, 1, 0);
		msg_opt(m, 0);
		return msg_finish(m);
	}
	return n;
}

/* ---- entry points */

static size_t answer_error(msg_t *m, const query_t *q, unsigned rcode, int opt)
{
	msg_begin(m, q, rcode, 0, 0);
	if (opt)
		msg_opt(m, rcode);
	return msg_finish(m);
}

static int responder_in_zone(const responder_t *r, const query_t *q, unsigned *rel)
{
	if (q->nlabels < r->zone_labels)
		return 0;
	unsigned first = q->nlabels - r->zone_labels;
	size_t off = q->label_off[first];
	if (q->qname_len - off != r->zone_len || memcmp(q->lname + off, r->zone, r->zone_len) != 0)
		return 0;
	*rel = first;
	return 1;
}

static void responder_ip2str(const responder_client_t *cl, char *buf, size_t len)
{
	if (!inet_ntop(cl->v6 ? AF_INET6 : AF_INET, cl->addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

void responder_answer(responder_t *r, const uint8_t *query, size_t len, const responder_client_t *client,
                      responder_clock_t now, uint8_t *out, size_t cap, responder_reply_t *reply)
{
	query_t q;
	memset(reply, 0, sizeof(*reply));
	r->stats.queries++;
	query_status_t st = query_parse(query, len, &q);
	if (st == QUERY_DROP || !out) {
		r->stats.dropped++;
		return;
	}
	int tcp = client->transport == RESPONDER_TCP;
	if (cap > RESPONDER_MSG_MAX)
		cap = RESPONDER_MSG_MAX;
	msg_t m = { .w = wbuf_make(out, cap) };

	if (!tcp) {
		ratelimit_verdict_t v = ratelimit_check(&r->rl, client->v6, client->addr, now.mono_ms);
		if (v != RATELIMIT_PASS) {
			r->stats.ratelimited++;
			if (v == RATELIMIT_SLIP && st == QUERY_OK)
				reply->len = responder_truncated(query, len, out, cap);
			return;
		}
	}
	if (st == QUERY_FORMERR || st == QUERY_NOTIMP) {
		r->stats.formerr += st == QUERY_FORMERR;
		reply->len = answer_error(&m, &q, st == QUERY_FORMERR ? DNS_RCODE_FORMERR : DNS_RCODE_NOTIMP, 0);
		return;
	}
	if (q.has_opt && q.edns_version > 0) {
		reply->len = answer_error(&m, &q, DNS_RCODE_BADVERS, 1);
		return;
	}
	unsigned rel = 0;
	if (q.qclass != DNS_CLASS_IN || !responder_in_zone(r, &q, &rel) || (q.qtype >= 251 && q.qtype <= 254)) {
		r->stats.refused++;
		reply->len = answer_error(&m, &q, DNS_RCODE_REFUSED, 1);
		return;
	}
	/* Answers that are not sized are never larger than the query allows. */
	if (!tcp && m.w.cap > query_udp_limit(&q))
		m.w.cap = query_udp_limit(&q);

	ctx_t c = { .r = r, .q = &q, .client = client, .now = now, .reply = reply, .rel = rel };
	c.apex_off = (uint16_t)(12 + q.label_off[rel]);
	responder_ip2str(client, c.ip, sizeof(c.ip));
	size_t n;
	if (rel == 0)
		n = answer_apex(&m, &c);
	else if (responder_is_ns(r, &q))
		n = answer_ns_host(&m, &c);
	else if (label_is(&q, rel - 1, "rs"))
		n = answer_rs_name(&m, &c);
	else if (label_is(&q, rel - 1, "size"))
		n = answer_size_name(&m, &c);
	else
		n = answer_negative(&m, &c, DNS_RCODE_NXDOMAIN);
	if (n == 0) { /* did not fit what the query allows: TC */
		reply->log[0] = '\0';
		n = responder_truncated(query, len, out, cap);
	}
	reply->len = n;
}

size_t responder_truncated(const uint8_t *query, size_t len, uint8_t *out, size_t cap)
{
	query_t q;
	if (query_parse(query, len, &q) != QUERY_OK || !out)
		return 0;
	msg_t m = { .w = wbuf_make(out, cap) };
	msg_begin(&m, &q, DNS_RCODE_NOERROR, 1, 1);
	msg_opt(&m, 0);
	return msg_finish(&m);
}
