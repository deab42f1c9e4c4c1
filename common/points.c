/* points.c - where fragments die: DNS datagrams and DNS TCP segments matched
 * across capture points, lost bytes placed on the segment after the last point
 * that saw them (see points.h for the rules). The text section and the JSON key
 * are in points_out.c.
 */
#include "points.h"

#include <stdlib.h>
#include <string.h>

#include "dnsview.h"
#include "ip.h"
#include "l4.h"
#include "points_int.h"

static const char *const dir_names[POINTS_DIR_COUNT] = { "query", "answer" };
static const char *const loss_names[POINTS_LOSS_COUNT] = {
	"whole", "all-fragments", "first-fragment", "non-first-fragments", "tcp-segment",
};

const char *points_dir2str(points_dir_t d) { return d < POINTS_DIR_COUNT ? dir_names[d] : "?"; }
const char *points_loss2str(points_loss_t l) { return l < POINTS_LOSS_COUNT ? loss_names[l] : "?"; }

void points_config_default(points_config_t *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->window_ns = 2000000000LL;
	cfg->linger_ns = 10000000000LL;
	cfg->train_ns = 5000000000LL;
	cfg->max_open = 4096;
	cfg->max_trains = 1024;
}

/* ---- hashing */

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static uint64_t fnv_add(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= FNV_PRIME;
	}
	return h;
}

static uint64_t fnv_u32(uint64_t h, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	return fnv_add(h, b, 4);
}

/* Never 0: 0 means "unknown" in a sighting. */
static uint64_t fnv_done(uint64_t h) { return h ? h : 1; }

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t p = 16;
	while (p < n && p < (1u << 30))
		p <<= 1;
	return p;
}

/* ---- the tables */

static uint32_t bucket_of(const points_t *pt, uint64_t key) { return (uint32_t)(key ^ key >> 29) & (pt->nbuckets - 1); }

static points_sighting_t *item_at(points_t *pt, item_t *it, uint32_t point)
{
	return &pt->sightings[(size_t)(it - pt->items) * pt->npoints + point];
}

points_t *points_new(const points_config_t *cfg, uint32_t npoints, const char *const *labels,
                     const char *const *files)
{
	if (npoints < 1 || npoints > POINTS_MAX)
		return NULL;
	points_t *pt = calloc(1, sizeof *pt);
	if (!pt)
		return NULL;
	if (cfg)
		pt->cfg = *cfg;
	else
		points_config_default(&pt->cfg);
	if (pt->cfg.max_open < 1)
		pt->cfg.max_open = 1;
	if (pt->cfg.max_trains < 1)
		pt->cfg.max_trains = 1;
	if (pt->cfg.window_ns < 0)
		pt->cfg.window_ns = 0;
	pt->npoints = npoints;
	pt->nbuckets = pow2_at_least(pt->cfg.max_open * 2);
	pt->nfidx = pow2_at_least(pt->cfg.max_open * 4);
	pt->items = calloc(pt->cfg.max_open, sizeof *pt->items);
	pt->sightings = calloc((size_t)pt->cfg.max_open * npoints, sizeof *pt->sightings);
	pt->buckets = malloc(pt->nbuckets * sizeof *pt->buckets);
	pt->fidx = calloc(pt->nfidx, sizeof *pt->fidx);
	int ok = pt->items && pt->sightings && pt->buckets && pt->fidx;
	for (uint32_t i = 0; ok && i < npoints; i++) {
		point_state_t *ps = &pt->ps[i];
		ps->trains = calloc(pt->cfg.max_trains, sizeof *ps->trains);
		ps->ntb = pow2_at_least(pt->cfg.max_trains * 2);
		ps->tbuckets = malloc(ps->ntb * sizeof *ps->tbuckets);
		ok = ps->trains && ps->tbuckets;
		if (ok)
			for (uint32_t b = 0; b < ps->ntb; b++)
				ps->tbuckets[b] = -1;
		ps->ctx.pt = pt;
		ps->ctx.point = i;
		points_point_t *pp = &pt->pts[i];
		snprintf(pp->label, sizeof pp->label, "%s", labels && labels[i] ? labels[i] : "");
		if (!pp->label[0])
			snprintf(pp->label, sizeof pp->label, "point%u", i + 1);
		pp->file = files ? files[i] : NULL;
	}
	if (!ok) {
		points_free(pt);
		return NULL;
	}
	for (uint32_t b = 0; b < pt->nbuckets; b++)
		pt->buckets[b] = -1;
	return pt;
}

void points_free(points_t *pt)
{
	if (!pt)
		return;
	for (uint32_t i = 0; i < pt->npoints; i++) {
		free(pt->ps[i].trains);
		free(pt->ps[i].tbuckets);
	}
	free(pt->traces);
	free(pt->items);
	free(pt->sightings);
	free(pt->buckets);
	free(pt->fidx);
	free(pt);
}

static void item_unlink(points_t *pt, item_t *it)
{
	int32_t idx = (int32_t)(it - pt->items);
	int32_t *pp = &pt->buckets[bucket_of(pt, it->key)];
	while (*pp >= 0) {
		if (*pp == idx) {
			*pp = it->next;
			return;
		}
		pp = &pt->items[*pp].next;
	}
}

static void fidx_add(points_t *pt, uint64_t digest, item_t *it)
{
	fidx_entry_t *e = &pt->fidx[(uint32_t)(digest ^ digest >> 31) & (pt->nfidx - 1)];
	e->digest = digest;
	e->item = (int32_t)(it - pt->items);
	e->gen = it->gen;
}

/* The live item that holds a fragment with this digest at some point other
 * than `point`, and none at `point`; NULL. */
static item_t *fidx_find(points_t *pt, uint64_t digest, uint32_t point)
{
	fidx_entry_t *e = &pt->fidx[(uint32_t)(digest ^ digest >> 31) & (pt->nfidx - 1)];
	if (e->digest != digest || e->item < 0 || (uint32_t)e->item >= pt->cfg.max_open)
		return NULL;
	item_t *it = &pt->items[e->item];
	if (!it->live || it->gen != e->gen || item_at(pt, it, point)->seen)
		return NULL;
	for (uint32_t p = 0; p < pt->npoints; p++) {
		const points_sighting_t *s = item_at(pt, it, p);
		for (uint32_t f = 0; s->seen && f < s->nkept; f++)
			if (s->frags[f].digest == digest)
				return it;
	}
	return NULL;
}

/* The earliest live item with this identity not yet seen at point, first seen
 * within the window of ts; NULL. */
static item_t *item_find(points_t *pt, uint64_t key, uint32_t point, int64_t ts)
{
	item_t *best = NULL;
	for (int32_t i = pt->buckets[bucket_of(pt, key)]; i >= 0; i = pt->items[i].next) {
		item_t *it = &pt->items[i];
		if (it->key != key || item_at(pt, it, point)->seen)
			continue;
		int64_t d = it->first_ts - ts;
		if (d < -pt->cfg.window_ns || d > pt->cfg.window_ns)
			continue;
		if (!best || it->first_ts < best->first_ts)
			best = it;
	}
	return best;
}

/* Any live item with this identity within the window of ts (for answers to find their query). */
static item_t *item_find_any(points_t *pt, uint64_t key, int64_t ts)
{
	item_t *best = NULL;
	for (int32_t i = pt->buckets[bucket_of(pt, key)]; i >= 0; i = pt->items[i].next) {
		item_t *it = &pt->items[i];
		if (it->key != key || it->first_ts > ts + pt->cfg.window_ns || it->first_ts < ts - pt->cfg.linger_ns)
			continue;
		if (!best || it->first_ts > best->first_ts)
			best = it;
	}
	return best;
}

static item_t *item_new(points_t *pt, const ident_t *id, int64_t ts)
{
	if (pt->nitems == pt->cfg.max_open) {
		pt->totals.evicted_early++;
		points_judge(pt, &pt->items[pt->head]);
	}
	uint32_t slot = (pt->head + pt->nitems) % pt->cfg.max_open;
	item_t *it = &pt->items[slot];
	uint32_t gen = it->gen + 1;
	memset(it, 0, sizeof *it);
	memset(item_at(pt, it, 0), 0, pt->npoints * sizeof(points_sighting_t));
	it->gen = gen;
	it->live = 1;
	it->id = *id;
	it->key = id->key;
	it->first_ts = ts;
	uint32_t b = bucket_of(pt, it->key);
	it->next = pt->buckets[b];
	pt->buckets[b] = (int32_t)slot;
	pt->nitems++;
	pt->totals.datagrams++;
	if (id->tcp)
		pt->totals.tcp_segments++;
	return it;
}

/* Put what point saw into a datagram with this identity. Returns the item. */
static item_t *attach(points_t *pt, uint32_t point, const ident_t *id, const points_sighting_t *s)
{
	item_t *it = item_find(pt, id->key, point, s->ts_ns);
	if (!it)
		it = item_new(pt, id, s->ts_ns);
	else if (s->ts_ns < it->first_ts)
		it->first_ts = s->ts_ns; /* a clock behind: keep the earliest time */
	points_sighting_t *dst = item_at(pt, it, point);
	*dst = *s;
	dst->seen = 1;
	for (uint32_t f = 0; f < dst->nkept; f++)
		if (dst->frags[f].digest)
			fidx_add(pt, dst->frags[f].digest, it);
	if (id->tcp)
		pt->pts[point].tcp_seen[id->dir]++;
	else
		pt->pts[point].seen[id->dir]++;
	/* An answer seen here: its query was answered through this point. */
	if (!id->tcp && id->dir == POINTS_DIR_ANSWER) {
		item_t *q = item_find_any(pt, id->peer_key, s->ts_ns);
		if (q)
			q->answered_mask |= 1u << point;
	}
	return it;
}

/* ---- fragment trains, per point */

static uint32_t train_hash(const points_t *pt, const point_state_t *ps, uint8_t family, const uint8_t *src,
                           const uint8_t *dst, uint32_t ip_id)
{
	(void)pt;
	uint64_t h = fnv_add(FNV_OFFSET, &family, 1);
	h = fnv_add(h, src, 16);
	h = fnv_add(h, dst, 16);
	h = fnv_u32(h, ip_id);
	return (uint32_t)(h ^ h >> 32) & (ps->ntb - 1);
}

static train_t *train_find(points_t *pt, uint32_t point, uint8_t family, const uint8_t *src, const uint8_t *dst,
                           uint32_t ip_id)
{
	point_state_t *ps = &pt->ps[point];
	for (int32_t i = ps->tbuckets[train_hash(pt, ps, family, src, dst, ip_id)]; i >= 0; i = ps->trains[i].next) {
		train_t *t = &ps->trains[i];
		if (t->family == family && t->ip_id == ip_id && !memcmp(t->src, src, 16) && !memcmp(t->dst, dst, 16))
			return t;
	}
	return NULL;
}

/* Where a train's sighting lives: in its item once attached, else in the train. */
static points_sighting_t *train_sighting(points_t *pt, uint32_t point, train_t *t)
{
	if (t->attached) {
		item_t *it = &pt->items[t->item];
		if (it->live && it->gen == t->item_gen)
			return item_at(pt, it, point);
		t->attached = 0; /* its datagram was judged: go on in the train, unattached */
		t->detached = 1;
	}
	return &t->s;
}

static void train_attach(points_t *pt, uint32_t point, train_t *t)
{
	if (t->attached || t->detached || !t->has_ident)
		return;
	item_t *it = attach(pt, point, &t->id, &t->s);
	t->attached = 1;
	t->item = (int32_t)(it - pt->items);
	t->item_gen = it->gen;
}

static void train_close(points_t *pt, uint32_t point, train_t *t)
{
	point_state_t *ps = &pt->ps[point];
	if (!t->attached && !t->detached && t->s.nfrags) {
		/* No first fragment: tie it by its fragments' bytes to a datagram seen elsewhere. */
		item_t *it = NULL;
		for (uint32_t f = 0; !it && f < t->s.nkept; f++)
			if (t->s.frags[f].digest)
				it = fidx_find(pt, t->s.frags[f].digest, point);
		if (it) {
			points_sighting_t *dst = item_at(pt, it, point);
			*dst = t->s;
			dst->seen = 1;
			if (it->id.tcp)
				pt->pts[point].tcp_seen[it->id.dir]++;
			else
				pt->pts[point].seen[it->id.dir]++;
		} else {
			pt->pts[point].unattributed_trains++;
			pt->pts[point].unattributed_frags += t->s.nfrags;
		}
	}
	int32_t idx = (int32_t)(t - ps->trains);
	int32_t *pp = &ps->tbuckets[train_hash(pt, ps, t->family, t->src, t->dst, t->ip_id)];
	while (*pp >= 0) {
		if (*pp == idx) {
			*pp = t->next;
			break;
		}
		pp = &ps->trains[*pp].next;
	}
	t->live = 0;
}

static void trains_expire(points_t *pt, uint32_t point, int64_t now)
{
	point_state_t *ps = &pt->ps[point];
	while (ps->ntrains) {
		train_t *t = &ps->trains[ps->thead];
		if (t->live && now - t->ts <= pt->cfg.train_ns && now >= t->ts - pt->cfg.train_ns)
			break;
		if (t->live)
			train_close(pt, point, t);
		ps->thead = (ps->thead + 1) % pt->cfg.max_trains;
		ps->ntrains--;
	}
}

static train_t *train_get(points_t *pt, uint32_t point, const pkt_t *pkt)
{
	uint8_t src[16] = { 0 }, dst[16] = { 0 };
	uint8_t fam = pkt->ip.version;
	memcpy(src, pkt->ip.src.a, fam == 4 ? 4 : 16);
	memcpy(dst, pkt->ip.dst.a, fam == 4 ? 4 : 16);
	train_t *t = train_find(pt, point, fam, src, dst, pkt->ip.id);
	if (t)
		return t;
	point_state_t *ps = &pt->ps[point];
	if (ps->ntrains == pt->cfg.max_trains) {
		train_t *old = &ps->trains[ps->thead];
		if (old->live) {
			pt->pts[point].trains_evicted++;
			train_close(pt, point, old);
		}
		ps->thead = (ps->thead + 1) % pt->cfg.max_trains;
		ps->ntrains--;
	}
	uint32_t slot = (ps->thead + ps->ntrains) % pt->cfg.max_trains;
	t = &ps->trains[slot];
	memset(t, 0, sizeof *t);
	t->live = 1;
	t->family = fam;
	memcpy(t->src, src, 16);
	memcpy(t->dst, dst, 16);
	t->ip_id = pkt->ip.id;
	t->ts = pkt->ts_ns;
	t->s.src = pkt->ip.src;
	t->s.dst = pkt->ip.dst;
	t->s.ip_id = pkt->ip.id;
	t->s.ts_ns = pkt->ts_ns;
	t->s.frame = pkt->frame;
	t->s.ttl = pkt->ip.ttl;
	t->s.df = pkt->ip.df;
	uint32_t b = train_hash(pt, ps, fam, src, dst, pkt->ip.id);
	t->next = ps->tbuckets[b];
	ps->tbuckets[b] = (int32_t)slot;
	ps->ntrains++;
	return t;
}

/* ---- identities */

static void ident_from_view(ident_t *id, const dns_view_t *v, uint8_t family, uint32_t dns_len)
{
	memset(id, 0, sizeof *id);
	id->dir = v->qr ? POINTS_DIR_ANSWER : POINTS_DIR_QUERY;
	id->family = family;
	id->dns_id = v->id;
	id->qtype = v->qtype;
	id->dns_len = dns_len;
	if (v->has_question) {
		size_t ql = strnlen(v->qname, sizeof id->qname - 1);
		memcpy(id->qname, v->qname, ql);
		id->qname[ql] = '\0';
	}
	for (int qr = 0; qr < 2; qr++) {
		uint8_t b[7] = { 'u', (uint8_t)qr, (uint8_t)(v->id >> 8), (uint8_t)v->id, (uint8_t)(v->qtype >> 8),
			         (uint8_t)v->qtype, (uint8_t)v->has_question };
		uint64_t h = fnv_add(FNV_OFFSET, b, sizeof b);
		h = fnv_u32(h, v->qclass);
		if (v->has_question)
			h = fnv_add(h, (const uint8_t *)v->qname, strlen(v->qname));
		if (qr == v->qr)
			id->key = fnv_done(h);
		else
			id->peer_key = fnv_done(h);
	}
}

/* The DNS header and question of a first fragment: ports from the UDP header,
 * the message cut where the fragment ends. 0 when it is not DNS. */
static int ident_from_first_fragment(points_t *pt, const pkt_t *pkt, ident_t *id, points_sighting_t *s)
{
	cursor_t c = pkt->ip.payload;
	uint16_t sport = cursor_u16(&c), dport = cursor_u16(&c), ulen = cursor_u16(&c);
	cursor_skip(&c, 2);
	if (!cursor_ok(&c) || (sport != DNS_PORT && dport != DNS_PORT) || ulen < 8 + 12)
		return 0;
	dns_view_t v;
	dns_view_parse(c, ulen - 8u, &v, &pt->scratch);
	if (v.malformed && !v.cut && !v.has_question)
		return 0;
	if (cursor_left(&c) < 12)
		return 0;
	ident_from_view(id, &v, pkt->ip.version, ulen - 8u);
	id->has_ident = 1;
	s->sport = sport;
	s->dport = dport;
	s->total_len = ulen;
	return 1;
}

static uint64_t frag_digest(const pkt_t *pkt)
{
	cursor_t c = pkt->ip.payload;
	if (pkt->ip.frag_offset == 0)
		cursor_skip(&c, 8);
	uint64_t h = fnv_u32(FNV_OFFSET, pkt->ip.frag_offset);
	return fnv_done(fnv_add(h, cursor_ptr(&c), cursor_left(&c)));
}

static void sighting_add_frag(points_t *pt, uint32_t point, points_sighting_t *s, uint32_t offset, uint32_t len,
                              int more, uint64_t frame, uint64_t digest, int64_t ts_ns)
{
	s->fragmented = 1;
	s->nfrags++;
	if (offset == 0)
		s->have_first = 1;
	if (!more) {
		s->have_last = 1;
		if (!s->total_len)
			s->total_len = offset + len;
	}
	if (s->nkept < POINTS_MAX_FRAGS) {
		points_frag_t *f = &s->frags[s->nkept++];
		f->offset = offset;
		f->len = len;
		f->frame = frame;
		f->digest = digest;
		f->ts_ns = ts_ns;
	} else {
		pt->pts[point].frags_not_kept++;
	}
}

static void on_fragment(points_t *pt, uint32_t point, const pkt_t *pkt)
{
	if (pkt->ip.version == 6 && pkt->ip.frag_offset == 0 && !pkt->ip.mf)
		return; /* an atomic fragment is a whole datagram: the dns hook has it */
	train_t *t = train_get(pt, point, pkt);
	points_sighting_t *s = train_sighting(pt, point, t);
	uint64_t digest = frag_digest(pkt);
	uint32_t kept = s->nkept;
	sighting_add_frag(pt, point, s, pkt->ip.frag_offset, pkt->ip.payload_wire_len, pkt->ip.mf, pkt->frame, digest,
	                  pkt->ts_ns);
	if (t->attached && s->nkept > kept)
		fidx_add(pt, digest, &pt->items[t->item]);
	if (pkt->ip.frag_offset == 0 && !t->has_ident) {
		if (ident_from_first_fragment(pt, pkt, &t->id, s)) {
			t->has_ident = 1;
			s->frame = pkt->frame < s->frame ? pkt->frame : s->frame;
			train_attach(pt, point, t);
		}
	}
}

static void on_tcp(points_t *pt, uint32_t point, const pkt_t *pkt)
{
	l4_tcp_t tcp;
	if (l4_tcp_decode(pkt->ip.payload, pkt->ip.payload_wire_len, &tcp, &pt->scratch) != OUTCOME_OK)
		return;
	if (tcp.sport != DNS_PORT && tcp.dport != DNS_PORT)
		return;
	uint8_t flags = tcp.flags & (TCP_SYN | TCP_FIN | TCP_RST);
	if (!flags && tcp.payload_wire_len == 0)
		return; /* pure ACKs: too alike to match, and no DNS in them */
	ident_t id;
	memset(&id, 0, sizeof id);
	id.tcp = 1;
	id.has_ident = 1;
	id.dir = tcp.dport == DNS_PORT ? POINTS_DIR_QUERY : POINTS_DIR_ANSWER;
	id.family = pkt->ip.version;
	id.tcp_flags = flags;
	id.dns_len = tcp.payload_wire_len;
	uint8_t b[2] = { 't', (uint8_t)(id.dir << 4 | flags) };
	uint64_t h = fnv_add(FNV_OFFSET, b, 2);
	h = fnv_u32(h, tcp.seq);
	h = fnv_u32(h, tcp.ack);
	h = fnv_u32(h, tcp.payload_wire_len);
	h = fnv_add(h, cursor_ptr(&tcp.payload), cursor_left(&tcp.payload));
	id.key = fnv_done(h);
	points_sighting_t s;
	memset(&s, 0, sizeof s);
	s.complete = 1;
	s.src = pkt->ip.src;
	s.dst = pkt->ip.dst;
	s.sport = tcp.sport;
	s.dport = tcp.dport;
	s.ip_id = pkt->ip.id;
	s.ttl = pkt->ip.ttl;
	s.df = pkt->ip.df;
	s.ts_ns = pkt->ts_ns;
	s.frame = pkt->frame;
	s.total_len = tcp.payload_wire_len;
	s.nfrags = 1;
	s.nkept = 1;
	s.frags[0].offset = 0;
	s.frags[0].len = tcp.payload_wire_len;
	s.frags[0].frame = pkt->frame;
	s.frags[0].ts_ns = pkt->ts_ns;
	attach(pt, point, &id, &s);
}

static void hook_packet(void *ctx, const pkt_t *pkt)
{
	point_ctx_t *pc = ctx;
	points_t *pt = pc->pt;
	if (pkt->ip.is_fragment) {
		if (pkt->ip.proto == IP_PROTO_UDP)
			on_fragment(pt, pc->point, pkt);
	} else if (pkt->ip.proto == IP_PROTO_TCP) {
		on_tcp(pt, pc->point, pkt);
	}
}

static void hook_dns(void *ctx, const dns_msg_t *msg)
{
	point_ctx_t *pc = ctx;
	points_t *pt = pc->pt;
	uint32_t point = pc->point;
	if (msg->transport != DNS_OVER_UDP || !msg->view)
		return;
	uint64_t digest = fnv_done(fnv_add(FNV_OFFSET, msg->wire, msg->wire_caplen));
	uint32_t udp_len = 8 + msg->view->wire_len;
	if (msg->nfrags) {
		uint8_t src[16] = { 0 }, dst[16] = { 0 };
		uint8_t fam = msg->src.family;
		memcpy(src, msg->src.a, fam == 4 ? 4 : 16);
		memcpy(dst, msg->dst.a, fam == 4 ? 4 : 16);
		train_t *t = train_find(pt, point, fam, src, dst, msg->ip_id);
		if (t) {
			points_sighting_t *s = train_sighting(pt, point, t);
			s->complete = 1;
			s->digest = digest;
			s->total_len = udp_len;
			s->sport = msg->sport;
			s->dport = msg->dport;
			if (!t->has_ident) {
				ident_from_view(&t->id, msg->view, fam, msg->view->wire_len);
				t->id.has_ident = 1;
				t->has_ident = 1;
			}
			train_attach(pt, point, t);
			return;
		}
	}
	ident_t id;
	ident_from_view(&id, msg->view, msg->src.family, msg->view->wire_len);
	id.has_ident = 1;
	points_sighting_t s;
	memset(&s, 0, sizeof s);
	s.complete = 1;
	s.digest = digest;
	s.total_len = udp_len;
	s.src = msg->src;
	s.dst = msg->dst;
	s.sport = msg->sport;
	s.dport = msg->dport;
	s.ip_id = msg->ip_id;
	s.ttl = msg->ttl;
	s.df = msg->df;
	s.ts_ns = msg->ts_ns;
	s.frame = msg->first_frame ? msg->first_frame : msg->frame;
	if (msg->nfrags) { /* its train was not followed (evicted): its pieces, without bytes */
		for (uint32_t i = 0; i < msg->nfrags; i++)
			sighting_add_frag(pt, point, &s, msg->pieces[i].offset, msg->pieces[i].len, msg->pieces[i].more,
			                  msg->pieces[i].frame, 0, msg->ts_ns);
		s.total_len = udp_len;
	} else {
		s.nfrags = 1;
		s.nkept = 1;
		s.have_first = s.have_last = 1;
		s.frags[0].len = udp_len;
		s.frags[0].frame = s.frame;
		s.frags[0].ts_ns = s.ts_ns;
	}
	attach(pt, point, &id, &s);
}

/* ---- ICMP errors about DNS over UDP (points.h) */

static int point_covers(const points_t *pt, uint32_t p, int64_t ts);
static points_segment_counts_t *seg(points_t *pt, uint32_t a, uint32_t b, uint8_t dir);

static void icmp_evidence_add(points_t *pt, const icmp_item_t *ic, const uint32_t *c, uint32_t m, uint32_t from,
                              uint32_t to, points_icmp_fate_t fate)
{
	if (pt->nicmp_evidence >= POINTS_MAX_ICMP_EVIDENCE) {
		pt->totals.icmp_evidence_dropped++;
		return;
	}
	points_icmp_evidence_t *e = &pt->icmp_evidence[pt->nicmp_evidence++];
	memset(e, 0, sizeof *e);
	e->dir = ic->dir;
	e->family = ic->family;
	e->fate = (uint8_t)fate;
	e->kind = ic->kind;
	e->type = ic->type;
	e->code = ic->code;
	e->has_dns_id = ic->has_dns_id;
	e->dns_id = ic->dns_id;
	e->quoted_fragment = ic->quoted_fragment;
	e->quoted_offset = ic->quoted_offset;
	e->mtu = ic->mtu;
	e->from = from;
	e->to = to;
	for (uint32_t k = 0; k < m; k++)
		e->at[c[k]].covered = 1;
	for (uint32_t p = 0; p < pt->npoints; p++) {
		e->at[p].seen = ic->n[p] != 0;
		e->at[p].frame = ic->frame[p];
	}
}

static void icmp_judge(points_t *pt, icmp_item_t *ic)
{
	uint32_t n = pt->npoints, c[POINTS_MAX], m = 0;
	for (uint32_t k = 0; k < n; k++) {
		uint32_t p = ic->dir == POINTS_DIR_QUERY ? k : n - 1 - k;
		if (ic->n[p] || point_covers(pt, p, ic->first_ts))
			c[m++] = p;
	}
	uint32_t nseen = 0;
	for (uint32_t k = 0; k < m; k++)
		nseen += ic->n[c[k]] != 0;
	if (nseen == m)
		pt->totals.icmp_matched_all++;
	for (uint32_t k = 0; k + 1 < m; k++) {
		points_segment_counts_t *sc = seg(pt, c[k], c[k + 1], ic->dir);
		if (ic->n[c[k]]) {
			sc->icmp_upstream++;
			if (ic->n[c[k + 1]])
				sc->icmp_downstream++;
		}
	}
	/* Born between the last covered point that did not see it and the first that did. */
	for (uint32_t k = 1; k < m; k++) {
		if (!ic->n[c[k]])
			continue;
		if (!ic->n[c[k - 1]]) {
			seg(pt, c[k - 1], c[k], ic->dir)->icmp_originated[ic->kind]++;
			icmp_evidence_add(pt, ic, c, m, c[k - 1], c[k], POINTS_ICMP_ORIGINATED);
		}
		break;
	}
	/* Dropped: seen at a point, at no point after it. */
	for (uint32_t k = 0; k + 1 < m; k++) {
		if (!ic->n[c[k]])
			continue;
		int any_after = 0;
		for (uint32_t j = k + 1; j < m; j++)
			any_after |= ic->n[c[j]] != 0;
		if (!any_after) {
			seg(pt, c[k], c[k + 1], ic->dir)->icmp_dropped[ic->kind]++;
			icmp_evidence_add(pt, ic, c, m, c[k], c[k + 1], POINTS_ICMP_DROPPED);
			break;
		}
	}
	ic->live = 0;
}

/* Judge the ICMP errors first seen more than linger before now (all of them: all). */
static void icmp_judge_due(points_t *pt, int64_t now, int all)
{
	while (pt->nicmps) {
		icmp_item_t *ic = &pt->icmps[pt->ihead];
		if (!all && ic->live && now - ic->first_ts <= pt->cfg.linger_ns)
			break;
		if (ic->live)
			icmp_judge(pt, ic);
		pt->ihead = (pt->ihead + 1) % POINTS_MAX_ICMP;
		pt->nicmps--;
	}
}

static void hook_icmp(void *ctx, const pkt_t *pkt, const l4_icmp_t *icmp)
{
	point_ctx_t *pc = ctx;
	points_t *pt = pc->pt;
	uint32_t point = pc->point;
	if (icmp->kind == ICMP_KIND_NOT_ERROR || !icmp->quoted_ok || icmp->quoted_proto != IP_PROTO_UDP)
		return;
	const pkt_ip_t *q = &icmp->quoted;
	cursor_t c = icmp->quoted_upper;
	uint8_t dir;
	if (q->frag_offset != 0) {
		/* A non-first fragment: no ports, so no direction (and maybe not DNS). */
		pt->pts[point].icmp_undirected++;
		return;
	}
	uint16_t sport = cursor_u16(&c), dport = cursor_u16(&c);
	cursor_skip(&c, 4); /* length, checksum */
	if (!cursor_ok(&c))
		return;
	if (sport == 53 && dport != 53)
		dir = POINTS_DIR_QUERY; /* about an answer: travels toward the server */
	else if (dport == 53 && sport != 53)
		dir = POINTS_DIR_ANSWER;
	else if (sport == 53 && cursor_left(&c) >= 3)
		dir = (cursor_ptr(&c)[2] & 0x80) ? POINTS_DIR_QUERY : POINTS_DIR_ANSWER; /* QR */
	else
		return; /* not DNS */
	size_t left = cursor_left(&c);
	const uint8_t *dns = cursor_ptr(&c);
	uint64_t h = fnv_u32(FNV_OFFSET, (uint32_t)icmp->family << 24 | (uint32_t)icmp->kind << 16 |
	                                     (uint32_t)icmp->type << 8 | icmp->code);
	h = fnv_u32(h, q->is_fragment ? q->frag_offset + 1 : 0);
	h = fnv_done(fnv_add(h, dns, left));
	int64_t ts = pkt->ts_ns;
	icmp_item_t *best = NULL;
	for (uint32_t k = 0; k < pt->nicmps; k++) {
		icmp_item_t *ic = &pt->icmps[(pt->ihead + k) % POINTS_MAX_ICMP];
		if (!ic->live || ic->key != h || ic->n[point])
			continue;
		int64_t d = ic->first_ts - ts;
		if (d < -pt->cfg.window_ns || d > pt->cfg.window_ns)
			continue;
		if (!best || ic->first_ts < best->first_ts)
			best = ic;
	}
	if (!best) {
		if (pt->nicmps == POINTS_MAX_ICMP) {
			icmp_item_t *old = &pt->icmps[pt->ihead];
			if (old->live) {
				pt->totals.icmp_judged_early++;
				icmp_judge(pt, old);
			}
			pt->ihead = (pt->ihead + 1) % POINTS_MAX_ICMP;
			pt->nicmps--;
		}
		best = &pt->icmps[(pt->ihead + pt->nicmps) % POINTS_MAX_ICMP];
		pt->nicmps++;
		memset(best, 0, sizeof *best);
		best->live = 1;
		best->key = h;
		best->dir = dir;
		best->family = icmp->family;
		best->kind = icmp->kind;
		best->type = icmp->type;
		best->code = icmp->code;
		best->mtu = icmp->mtu;
		best->quoted_fragment = q->is_fragment;
		best->quoted_offset = q->frag_offset;
		best->first_ts = ts;
		if (left >= 2) {
			best->has_dns_id = 1;
			best->dns_id = (uint16_t)(dns[0] << 8 | dns[1]);
		}
		pt->totals.icmp_errors++;
	} else if (ts < best->first_ts) {
		best->first_ts = ts;
	}
	best->n[point] = 1;
	best->frame[point] = pkt->frame;
	pt->pts[point].icmp_seen[dir]++;
}

pipeline_hooks_t points_hooks(points_t *pt, uint32_t point, const pipeline_hooks_t *before)
{
	pipeline_hooks_t mine;
	memset(&mine, 0, sizeof mine);
	if (point >= pt->npoints)
		return mine;
	mine.ctx = &pt->ps[point].ctx;
	mine.packet = hook_packet;
	mine.dns = hook_dns;
	mine.icmp = hook_icmp;
	hooks_fanout_t *f = &pt->pts[point].fanout;
	hooks_fanout_init(f);
	if (before)
		hooks_fanout_add(f, before);
	hooks_fanout_add(f, &mine);
	return hooks_fanout_hooks(f);
}

/* ---- judging one datagram */

/* [s, e) is covered by the union of the points' ranges in set. */
static int range_covered(points_t *pt, item_t *it, const uint32_t *set, uint32_t n, uint32_t s, uint32_t e)
{
	uint32_t pos = s;
	for (int moved = 1; pos < e && moved;) {
		moved = 0;
		for (uint32_t k = 0; k < n && pos < e; k++) {
			const points_sighting_t *x = item_at(pt, it, set[k]);
			if (!x->seen)
				continue;
			if (x->complete && x->total_len && pos < x->total_len) {
				pos = x->total_len;
				moved = 1;
				continue;
			}
			for (uint32_t f = 0; f < x->nkept; f++) {
				uint32_t fs = x->frags[f].offset, fe = fs + x->frags[f].len;
				if (fs <= pos && pos < fe) {
					pos = fe;
					moved = 1;
				}
			}
		}
	}
	return pos >= e;
}

static int point_covers(const points_t *pt, uint32_t p, int64_t ts)
{
	const points_point_t *pp = &pt->pts[p];
	if (!pp->started || ts < pp->first_ts - pt->cfg.window_ns)
		return 0;
	return !pp->ended || ts <= pp->last_ts + pt->cfg.window_ns;
}

static int geometry_differs(const points_sighting_t *a, const points_sighting_t *b)
{
	if (a->fragmented != b->fragmented || a->nfrags != b->nfrags || a->nkept != b->nkept)
		return 1;
	for (uint32_t i = 0; i < a->nkept; i++) {
		int found = 0;
		for (uint32_t j = 0; j < b->nkept && !found; j++)
			found = a->frags[i].offset == b->frags[j].offset && a->frags[i].len == b->frags[j].len;
		if (!found)
			return 1;
	}
	return 0;
}

static points_segment_counts_t *seg(points_t *pt, uint32_t a, uint32_t b, uint8_t dir)
{
	uint32_t i = a < b ? a : b, j = a < b ? b : a;
	return &pt->seg[i][j][dir];
}

static void evidence_add(points_t *pt, item_t *it, const uint32_t *c, uint32_t m, uint32_t from, uint32_t to,
                         points_loss_t loss, uint32_t frags)
{
	if (pt->nevidence >= POINTS_MAX_EVIDENCE) {
		pt->totals.evidence_dropped++;
		return;
	}
	points_evidence_t *e = &pt->evidence[pt->nevidence++];
	memset(e, 0, sizeof *e);
	e->dir = it->id.dir;
	e->family = it->id.family;
	e->tcp = it->id.tcp;
	e->loss = loss;
	e->from = from;
	e->to = to;
	e->dns_id = it->id.dns_id;
	e->qtype = it->id.qtype;
	snprintf(e->qname, sizeof e->qname, "%s", it->id.qname);
	e->dns_len = it->id.dns_len;
	e->tcp_flags = it->id.tcp_flags;
	e->frags_lost = frags;
	for (uint32_t k = 0; k < m; k++)
		e->at[c[k]].covered = 1;
	for (uint32_t p = 0; p < pt->npoints; p++) {
		const points_sighting_t *s = item_at(pt, it, p);
		if (!s->seen)
			continue;
		e->at[p].seen = 1;
		e->at[p].complete = s->complete;
		e->at[p].nfrags = s->fragmented ? s->nfrags : 0;
		for (uint32_t f = 0; f < s->nkept && e->at[p].nframes < POINTS_EVIDENCE_FRAMES; f++)
			e->at[p].frames[e->at[p].nframes++] = s->frags[f].frame;
	}
}

static void loss_note(points_t *pt, item_t *it, const uint32_t *c, uint32_t m, uint32_t k, points_loss_t loss,
                      uint32_t frags)
{
	points_segment_counts_t *sc = seg(pt, c[k], c[k + 1], it->id.dir);
	int fam = it->id.family == 6;
	sc->lost[fam][loss]++;
	sc->frags_lost[fam][loss] += frags;
	evidence_add(pt, it, c, m, c[k], c[k + 1], loss, frags);
}

/* Keep the item as every point saw it (points_trace_enable). */
static void trace_keep(points_t *pt, item_t *it, const uint32_t *c, uint32_t m)
{
	if (!pt->traces)
		return;
	if (pt->ntraces >= pt->max_traces) {
		pt->traces_dropped++;
		return;
	}
	points_trace_t *tr = &pt->traces[pt->ntraces++];
	memset(tr, 0, sizeof *tr);
	tr->dir = it->id.dir;
	tr->family = it->id.family;
	tr->tcp = it->id.tcp;
	tr->tcp_flags = it->id.tcp_flags;
	tr->dns_id = it->id.dns_id;
	tr->qtype = it->id.qtype;
	tr->dns_len = it->id.dns_len;
	snprintf(tr->qname, sizeof tr->qname, "%s", it->id.qname);
	for (uint32_t k = 0; k < m; k++)
		tr->at[c[k]].covered = 1;
	for (uint32_t p = 0; p < pt->npoints; p++) {
		const points_sighting_t *s = item_at(pt, it, p);
		points_trace_at_t *a = &tr->at[p];
		if (!s->seen)
			continue;
		a->seen = 1;
		a->complete = s->complete;
		a->fragmented = s->fragmented;
		a->nfrags = s->nfrags;
		a->total_len = s->total_len;
		a->ts_ns = s->ts_ns;
		a->frame = s->frame;
		a->src = s->src;
		a->dst = s->dst;
		a->sport = s->sport;
		a->dport = s->dport;
		for (uint32_t f = 0; f < s->nkept && a->nkept < POINTS_TRACE_FRAGS; f++)
			a->frags[a->nkept++] = s->frags[f];
	}
}

int points_trace_enable(points_t *pt, uint32_t max)
{
	if (max > POINTS_MAX_TRACES)
		max = POINTS_MAX_TRACES;
	free(pt->traces);
	pt->traces = max ? calloc(max, sizeof *pt->traces) : NULL;
	pt->max_traces = pt->traces ? max : 0;
	pt->ntraces = 0;
	return max && !pt->traces ? -1 : 0;
}

uint32_t points_trace_count(const points_t *pt) { return pt->ntraces; }
const points_trace_t *points_trace_get(const points_t *pt, uint32_t i)
{
	return i < pt->ntraces ? &pt->traces[i] : NULL;
}
uint64_t points_traces_dropped(const points_t *pt) { return pt->traces_dropped; }

void points_judge(points_t *pt, item_t *it)
{
	uint32_t n = pt->npoints, c[POINTS_MAX], m = 0;
	for (uint32_t k = 0; k < n; k++) {
		uint32_t p = it->id.dir == POINTS_DIR_QUERY ? k : n - 1 - k;
		if (item_at(pt, it, p)->seen || point_covers(pt, p, it->first_ts))
			c[m++] = p;
	}
	trace_keep(pt, it, c, m);
	uint32_t nseen = 0;
	for (uint32_t k = 0; k < m; k++)
		nseen += item_at(pt, it, c[k])->seen;
	if (nseen == m)
		pt->totals.matched_all++;
	/* Segments between neighbouring covered points: seen, altered, appeared. */
	int seen_before = 0;
	for (uint32_t k = 0; k + 1 < m; k++) {
		const points_sighting_t *a = item_at(pt, it, c[k]), *b = item_at(pt, it, c[k + 1]);
		points_segment_counts_t *sc = seg(pt, c[k], c[k + 1], it->id.dir);
		seen_before |= a->seen;
		if (a->seen) {
			if (it->id.tcp)
				sc->tcp_upstream++;
			else
				sc->upstream++;
			if (b->seen) {
				if (it->id.tcp)
					sc->tcp_downstream++;
				else
					sc->downstream++;
				if (!ip_addr_equal(&a->src, &b->src) || !ip_addr_equal(&a->dst, &b->dst) ||
				    (a->sport && b->sport && (a->sport != b->sport || a->dport != b->dport)))
					sc->nat++;
				if (!it->id.tcp && a->complete && b->complete && geometry_differs(a, b))
					sc->refragmented++;
				if (a->df != b->df)
					sc->df_changed++;
				if (a->digest && b->digest && a->digest != b->digest)
					sc->changed++;
			}
		} else if (b->seen && !seen_before) {
			sc->appeared++;
		}
	}
	/* Missed by a capture: absent at a point, seen on both sides of it. */
	for (uint32_t k = 1; k + 1 < m; k++) {
		if (item_at(pt, it, c[k])->seen)
			continue;
		int up = 0, down = 0;
		for (uint32_t j = 0; j < k; j++)
			up |= item_at(pt, it, c[j])->seen;
		for (uint32_t j = k + 1; j < m; j++)
			down |= item_at(pt, it, c[j])->seen;
		if (up && down)
			pt->pts[c[k]].missed[it->id.dir]++;
	}
	/* Lost: bytes a point saw that no point after it saw. */
	for (uint32_t k = 0; k + 1 < m; k++) {
		const points_sighting_t *a = item_at(pt, it, c[k]);
		if (!a->seen)
			continue;
		int any_after = 0;
		for (uint32_t j = k + 1; j < m; j++)
			any_after |= item_at(pt, it, c[j])->seen;
		if (!any_after) {
			points_loss_t loss = it->id.tcp ? POINTS_LOSS_TCP : a->fragmented ? POINTS_LOSS_ALL : POINTS_LOSS_WHOLE;
			loss_note(pt, it, c, m, k, loss, a->fragmented ? a->nfrags : 1);
			break;
		}
		if (it->id.tcp)
			continue;
		uint32_t first_lost = 0, other_lost = 0;
		for (uint32_t f = 0; f < a->nkept; f++) {
			uint32_t s = a->frags[f].offset, e = s + a->frags[f].len;
			if (range_covered(pt, it, c + k + 1, m - k - 1, s, e))
				continue;
			if (s == 0)
				first_lost++;
			else
				other_lost++;
		}
		if (first_lost)
			loss_note(pt, it, c, m, k, POINTS_LOSS_FIRST, first_lost + other_lost);
		else if (other_lost)
			loss_note(pt, it, c, m, k, POINTS_LOSS_NONFIRST, other_lost);
	}
	/* A query that reached the farthest point and drew no answer through it. */
	if (!it->id.tcp && it->id.dir == POINTS_DIR_QUERY && m >= 1) {
		uint32_t far = c[m - 1];
		if (item_at(pt, it, far)->seen && !(it->answered_mask & (1u << far)))
			pt->totals.beyond_last[POINTS_DIR_QUERY]++;
	}
	item_unlink(pt, it);
	it->live = 0;
	if (it == &pt->items[pt->head]) {
		/* judged in creation order: move the head past judged slots */
		while (pt->nitems && !pt->items[pt->head].live) {
			pt->head = (pt->head + 1) % pt->cfg.max_open;
			pt->nitems--;
		}
	}
}

static void judge_due(points_t *pt, int64_t now)
{
	while (pt->nitems) {
		item_t *it = &pt->items[pt->head];
		if (it->live && now - it->first_ts <= pt->cfg.linger_ns)
			break;
		if (it->live) {
			points_judge(pt, it);
		} else {
			pt->head = (pt->head + 1) % pt->cfg.max_open;
			pt->nitems--;
		}
	}
}

void points_record(points_t *pt, uint32_t point, int64_t ts_ns)
{
	if (point >= pt->npoints)
		return;
	points_point_t *pp = &pt->pts[point];
	pp->packets++;
	if (!pp->started) {
		pp->started = 1;
		pp->first_ts = pp->last_ts = ts_ns;
	}
	if (ts_ns < pp->first_ts)
		pp->first_ts = ts_ns;
	if (ts_ns > pp->last_ts)
		pp->last_ts = ts_ns;
	if (!pt->have_now || ts_ns > pt->now)
		pt->now = ts_ns;
	pt->have_now = 1;
	trains_expire(pt, point, ts_ns);
	/* Trains of points that went quiet or ended close on everyone's clock. */
	for (uint32_t i = 0; i < pt->npoints; i++)
		if (i != point)
			trains_expire(pt, i, pt->now - pt->cfg.window_ns);
	judge_due(pt, pt->now);
	icmp_judge_due(pt, pt->now, 0);
}

void points_point_end(points_t *pt, uint32_t point, const capture_stats_t *cs)
{
	if (point >= pt->npoints)
		return;
	points_point_t *pp = &pt->pts[point];
	pp->ended = 1;
	if (cs)
		pp->capture_problems += cs->truncated_files + cs->read_errors;
}

void points_finish(points_t *pt)
{
	for (uint32_t i = 0; i < pt->npoints; i++) {
		point_state_t *ps = &pt->ps[i];
		while (ps->ntrains) {
			train_t *t = &ps->trains[ps->thead];
			if (t->live)
				train_close(pt, i, t);
			ps->thead = (ps->thead + 1) % pt->cfg.max_trains;
			ps->ntrains--;
		}
		pt->pts[i].ended = 1;
	}
	while (pt->nitems) {
		item_t *it = &pt->items[pt->head];
		if (it->live) {
			points_judge(pt, it);
		} else {
			pt->head = (pt->head + 1) % pt->cfg.max_open;
			pt->nitems--;
		}
	}
	icmp_judge_due(pt, 0, 1);
	pt->finished = 1;
}

/* ---- results */

uint32_t points_count(const points_t *pt) { return pt->npoints; }
const points_point_t *points_point(const points_t *pt, uint32_t i) { return i < pt->npoints ? &pt->pts[i] : NULL; }
const points_segment_counts_t *points_segment(const points_t *pt, uint32_t i, uint32_t j, points_dir_t d)
{
	if (i >= pt->npoints || j >= pt->npoints || d >= POINTS_DIR_COUNT)
		return NULL;
	return i < j ? &pt->seg[i][j][d] : &pt->seg[j][i][d];
}
const points_totals_t *points_totals(const points_t *pt) { return &pt->totals; }
uint32_t points_evidence_count(const points_t *pt) { return pt->nevidence; }
uint32_t points_icmp_evidence_count(const points_t *pt) { return pt->nicmp_evidence; }
const points_icmp_evidence_t *points_icmp_evidence_get(const points_t *pt, uint32_t i)
{
	return i < pt->nicmp_evidence ? &pt->icmp_evidence[i] : NULL;
}
const points_evidence_t *points_evidence_get(const points_t *pt, uint32_t i)
{
	return i < pt->nevidence ? &pt->evidence[i] : NULL;
}

/* ---- the --points list */

static const char *base_name(const char *path, size_t len, size_t *out_len)
{
	const char *b = path;
	for (size_t i = 0; i < len; i++)
		if (path[i] == '/')
			b = path + i + 1;
	size_t n = len - (size_t)(b - path);
	for (size_t i = n; i > 0; i--) {
		if (b[i - 1] == '.') {
			if (i > 1)
				n = i - 1;
			break;
		}
	}
	*out_len = n;
	return b;
}

int points_list_parse(const char *list, char *buf, size_t buflen, const char **files, const char **labels,
                      char *err, size_t errlen)
{
	size_t len = strlen(list);
	if (buflen < POINTS_PARSE_BUF(len)) {
		snprintf(err, errlen, "internal: buffer too small");
		return -1;
	}
	memcpy(buf, list, len + 1);
	char *lab = buf + len + 1;
	int n = 0, given[POINTS_MAX] = { 0 };
	for (char *p = buf; p;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (n == POINTS_MAX) {
			snprintf(err, errlen, "more than %d capture points", POINTS_MAX);
			return -1;
		}
		char *eq = strchr(p, '=');
		char *file = eq ? eq + 1 : p;
		if (!*file) {
			snprintf(err, errlen, "an empty capture point in '%s'", list);
			return -1;
		}
		char *l = lab + (size_t)n * POINTS_LABEL_MAX;
		if (eq) {
			size_t ll = (size_t)(eq - p);
			if (ll == 0 || ll >= POINTS_LABEL_MAX) {
				snprintf(err, errlen, "label '%.*s' must be 1 to %d characters", (int)ll, p, POINTS_LABEL_MAX - 1);
				return -1;
			}
			memcpy(l, p, ll);
			l[ll] = '\0';
			given[n] = 1;
		} else {
			size_t bl;
			const char *b = base_name(file, strlen(file), &bl);
			if (bl >= POINTS_LABEL_MAX)
				bl = POINTS_LABEL_MAX - 1;
			memcpy(l, b, bl);
			l[bl] = '\0';
		}
		files[n] = file;
		labels[n] = l;
		n++;
		p = comma ? comma + 1 : NULL;
	}
	if (n < 2) {
		snprintf(err, errlen, "'%s': give at least two capture points, separated by commas", list);
		return -1;
	}
	/* Drop the prefix every derived label shares ("scenario-probe", "scenario-mb1-..."). */
	int derived = 0;
	for (int i = 0; i < n; i++)
		derived += !given[i];
	if (derived == n) {
		size_t pre = strlen(labels[0]);
		for (int i = 1; i < n; i++) {
			size_t k = 0;
			while (k < pre && labels[i][k] == labels[0][k])
				k++;
			pre = k;
		}
		while (pre > 0 && labels[0][pre - 1] != '-' && labels[0][pre - 1] != '_' && labels[0][pre - 1] != '.')
			pre--;
		int ok = pre > 0;
		for (int i = 0; ok && i < n; i++)
			ok = labels[i][pre] != '\0';
		for (int i = 0; ok && i < n; i++)
			memmove((char *)labels[i], labels[i] + pre, strlen(labels[i] + pre) + 1);
	}
	return n;
}
