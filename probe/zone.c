/* zone.c - mode zone: walk the delegation, measure the chain's answers, judge
 * (see zone.h). */
#include "zone.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "json.h"
#include "textbuf.h"
#include "txn.h"
#include "wire.h"

#define WALK_EDNS 1232   /* the walk's own questions: small answers, no fragments */
#define WALK_MAX_STEPS 16
#define MSG_MAX 65535


/* "1,425" */
static const char *num(uint32_t v, char *buf, size_t len)
{
	if (v >= 1000)
		snprintf(buf, len, "%u,%03u", v / 1000, v % 1000);
	else
		snprintf(buf, len, "%u", v);
	return buf;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the walk's own questions: one at a time, kernel sockets */

static int wait_fd(int fd, short ev, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - mono_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = { fd, ev, 0 };
		int r = poll(&p, 1, (int)left);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

/* Read exactly n bytes from a stream socket before deadline. */
static int read_full(int fd, uint8_t *buf, size_t n, int64_t deadline)
{
	size_t got = 0;
	while (got < n) {
		if (wait_fd(fd, POLLIN, deadline) <= 0)
			return -1;
		ssize_t r = recv(fd, buf + got, n - got, 0);
		if (r <= 0) {
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			return -1;
		}
		got += (size_t)r;
	}
	return 0;
}

static ssize_t ask_tcp(const probe_target_t *t, const uint8_t *q, size_t qlen, uint8_t *ans, uint32_t timeout_ms)
{
	int fd = socket(t->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	int64_t deadline = mono_ms() + timeout_ms;
	ssize_t ret = -1;
	uint8_t len2[2];
	if (connect(fd, (const struct sockaddr *)&t->sa, t->salen) < 0 && errno != EINPROGRESS)
		goto out;
	if (wait_fd(fd, POLLOUT, deadline) <= 0)
		goto out;
	int soerr = 0;
	socklen_t sl = sizeof soerr;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr)
		goto out;
	uint8_t msg[2 + WIRE_QUERY_MAX];
	msg[0] = (uint8_t)(qlen >> 8);
	msg[1] = (uint8_t)qlen;
	memcpy(msg + 2, q, qlen);
	if (send(fd, msg, qlen + 2, MSG_NOSIGNAL) != (ssize_t)(qlen + 2))
		goto out;
	if (read_full(fd, len2, 2, deadline) < 0)
		goto out;
	size_t n = (size_t)len2[0] << 8 | len2[1];
	if (n < 12 || read_full(fd, ans, n, deadline) < 0)
		goto out;
	ret = (ssize_t)n;
out:
	close(fd);
	return ret;
}

/* One question to t: UDP at WALK_EDNS with DO, TCP after TC=1. The answer
 * (our id, QR set) into ans (MSG_MAX bytes); its length, or -1. */
static ssize_t ask(const probe_target_t *t, const char *qname, uint16_t qtype, uint8_t *ans, uint32_t timeout_ms)
{
	uint8_t q[WIRE_QUERY_MAX];
	uint16_t id;
	if (getentropy(&id, sizeof id) < 0)
		id = (uint16_t)mono_ms();
	size_t qlen = wire_query_build(q, sizeof q, id, qname, qtype, WALK_EDNS, 1, 0);
	if (!qlen)
		return -1;
	int fd = socket(t->sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	ssize_t n = -1;
	int64_t deadline = mono_ms() + timeout_ms;
	if (connect(fd, (const struct sockaddr *)&t->sa, t->salen) < 0 || send(fd, q, qlen, 0) != (ssize_t)qlen) {
		close(fd);
		return -1;
	}
	wire_answer_head_t h;
	for (;;) {
		if (wait_fd(fd, POLLIN, deadline) <= 0) {
			n = -1;
			break;
		}
		n = recv(fd, ans, MSG_MAX, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			break;
		if (wire_answer_head(ans, (size_t)n, &h) == 0 && h.qr && h.id == id)
			break; /* ours; anything else is ignored */
	}
	close(fd);
	if (n >= 0 && h.tc)
		n = ask_tcp(t, q, qlen, ans, timeout_ms);
	if (n >= 12 && (wire_answer_head(ans, (size_t)n, &h) < 0 || h.id != id || !h.qr))
		n = -1;
	return n;
}

/* ---- names */

/* ldns name -> lower-case presentation form with the final dot. */
static void rdf2name(const ldns_rdf *r, char *out, size_t len)
{
	char *s = r ? ldns_rdf2str(r) : NULL;
	snprintf(out, len, "%s", s ? s : "?");
	free(s);
	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
}

static int name_add(char list[][PROBE_NAME_MAX], uint32_t *n, const char *name)
{
	for (uint32_t i = 0; i < *n; i++)
		if (strcmp(list[i], name) == 0)
			return 0;
	if (*n >= ZS_MAX_SERVERS)
		return -1;
	snprintf(list[(*n)++], PROBE_NAME_MAX, "%s", name);
	return 0;
}

/* The addresses of the NS names of cut c among the A/AAAA records of sec (a
 * referral's additional section: glue; or an answer), in families; each must
 * pass the lab guard. what: "glue" or "address", for the refusal. */
static int glue_addrs(const ldns_rr_list *ad, const char *what, zone_cut_t *c, uint8_t families, char *err,
                      size_t errlen)
{
	for (size_t i = 0; ad && i < ldns_rr_list_rr_count(ad); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(ad, i);
		ldns_rr_type t = ldns_rr_get_type(rr);
		if ((t != LDNS_RR_TYPE_A || !(families & PROBE_FAM_4)) && (t != LDNS_RR_TYPE_AAAA || !(families & PROBE_FAM_6)))
			continue;
		if (ldns_rr_rd_count(rr) != 1)
			continue;
		char owner[PROBE_NAME_MAX];
		rdf2name(ldns_rr_owner(rr), owner, sizeof owner);
		int ours = 0;
		for (uint32_t k = 0; k < c->nns_parent; k++)
			ours |= strcmp(c->ns_parent[k], owner) == 0;
		for (uint32_t k = 0; k < c->nns_child; k++)
			ours |= strcmp(c->ns_child[k], owner) == 0;
		if (!ours)
			continue;
		char *a = ldns_rdf2str(ldns_rr_rdf(rr, 0));
		probe_target_t tg;
		int bad = !a || targets_addr_parse(a, &tg) < 0;
		free(a);
		if (bad)
			continue;
		if (targets_lab_mode() && !targets_addr_is_lab(&tg.addr))
			return snprintf(err, errlen,
			                "DNSFRAG_LAB=1: refusing %s (%s of %s from a referral): only documentation "
			                "prefixes and loopback may be probed",
			                tg.text, what, owner), -1;
		int dup = 0;
		for (uint32_t k = 0; k < c->nsrv; k++)
			dup |= ip_addr_equal(&c->srv[k].addr, &tg.addr);
		if (dup || c->nsrv >= ZS_MAX_SERVERS)
			continue;
		snprintf(tg.name, sizeof tg.name, "%s", owner);
		c->srv[c->nsrv++] = tg;
	}
	return 0;
}

/* Ask "qname qtype" of the servers of cut c in turn until one answers. */
static ldns_pkt *ask_cut(const zone_cut_t *c, const char *qname, uint16_t qtype, uint32_t timeout_ms,
                         uint32_t *queries, const probe_target_t **who)
{
	static uint8_t buf[MSG_MAX];
	for (uint32_t i = 0; i < c->nsrv; i++) {
		(*queries)++;
		ssize_t n = ask(&c->srv[i], qname, qtype, buf, timeout_ms);
		ldns_pkt *p = NULL;
		if (n >= 12 && ldns_wire2pkt(&p, buf, (size_t)n) == LDNS_STATUS_OK && p) {
			*who = &c->srv[i];
			return p;
		}
	}
	return NULL;
}

/* A referral in p: the NS records of the authority section for one cut
 * strictly below cur and at or above name, into n (its name, NS names, their
 * TTL, the glue). Returns 1 (found), 0 (no referral), -1 (lab guard, err). */
static int referral(const ldns_pkt *p, const ldns_rdf *cur, const ldns_rdf *name, uint8_t families, zone_cut_t *n,
                    char *err, size_t errlen)
{
	const ldns_rr_list *au = ldns_pkt_authority(p);
	int found = 0;
	memset(n, 0, sizeof *n);
	for (size_t i = 0; au && cur && i < ldns_rr_list_rr_count(au); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(au, i);
		const ldns_rdf *o = ldns_rr_owner(rr);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NS || ldns_rr_rd_count(rr) != 1 || !ldns_dname_is_subdomain(o, cur) ||
		    (ldns_dname_compare(o, name) != 0 && !ldns_dname_is_subdomain(name, o)))
			continue;
		char on[PROBE_NAME_MAX];
		rdf2name(o, on, sizeof on);
		if (!found) {
			snprintf(n->name, sizeof n->name, "%s", on);
			n->ns_ttl_parent = ldns_rr_ttl(rr);
			found = 1;
		} else if (strcmp(on, n->name) != 0)
			continue; /* one cut per referral */
		char nsn[PROBE_NAME_MAX];
		rdf2name(ldns_rr_rdf(rr, 0), nsn, sizeof nsn);
		name_add(n->ns_parent, &n->nns_parent, nsn);
	}
	if (found && glue_addrs(ldns_pkt_additional(p), "glue", n, families, err, errlen) < 0)
		return -1;
	return found;
}

#define RESOLVE_DEPTH 2 /* name servers of name servers of name servers: no further */

static int resolve_ns(const probe_cfg_t *cfg, const zone_cut_t *root, zone_cut_t *c, int depth, uint32_t *queries,
                      char *err, size_t errlen);

/* The addresses of the name server name (an NS name of c without glue),
 * asked iteratively from the root servers like the walk itself, into c. */
static int resolve_name(const probe_cfg_t *cfg, const zone_cut_t *root, const char *name, zone_cut_t *c, int depth,
                        uint32_t *queries, char *err, size_t errlen)
{
	zone_cut_t *cur = malloc(sizeof *cur), *nx = malloc(sizeof *nx);
	ldns_rdf *nm = ldns_dname_new_frm_str(name);
	int rc = 0;
	if (!cur || !nx || !nm)
		goto out;
	*cur = *root;
	strcpy(cur->name, ".");
	uint16_t types[2];
	int nt = 0;
	if (cfg->families & PROBE_FAM_4)
		types[nt++] = LDNS_RR_TYPE_A;
	if (cfg->families & PROBE_FAM_6)
		types[nt++] = LDNS_RR_TYPE_AAAA;
	for (int step = 0; step < WALK_MAX_STEPS && nt; step++) {
		const probe_target_t *who = NULL;
		ldns_pkt *p = ask_cut(cur, name, types[0], cfg->timeout_ms, queries, &who);
		if (!p)
			break;
		ldns_rr_list *an = ldns_pkt_answer(p);
		int answered = 0;
		for (size_t i = 0; an && i < ldns_rr_list_rr_count(an); i++)
			answered |= ldns_dname_compare(ldns_rr_owner(ldns_rr_list_rr(an, i)), nm) == 0;
		if (answered || ldns_pkt_aa(p)) {
			/* the servers of name's zone: its addresses of both families */
			rc = glue_addrs(an, "address", c, cfg->families, err, errlen);
			ldns_pkt_free(p);
			for (int t = 1; rc == 0 && t < nt; t++) {
				ldns_pkt *q = ask_cut(cur, name, types[t], cfg->timeout_ms, queries, &who);
				if (q) {
					rc = glue_addrs(ldns_pkt_answer(q), "address", c, cfg->families, err, errlen);
					ldns_pkt_free(q);
				}
			}
			break;
		}
		ldns_rdf *cn = ldns_dname_new_frm_str(cur->name);
		int r = referral(p, cn, nm, cfg->families, nx, err, errlen);
		if (cn)
			ldns_rdf_deep_free(cn);
		ldns_pkt_free(p);
		if (r < 0) {
			rc = -1;
			break;
		}
		if (r == 0)
			break;
		if (!nx->nsrv && depth < RESOLVE_DEPTH && resolve_ns(cfg, root, nx, depth + 1, queries, err, errlen) < 0) {
			rc = -1;
			break;
		}
		if (!nx->nsrv)
			break;
		*cur = *nx;
	}
out:
	free(cur);
	free(nx);
	if (nm)
		ldns_rdf_deep_free(nm);
	return rc;
}

/* A referral without glue (name servers named outside the zone): resolve
 * every NS name of c that has no address yet. */
static int resolve_ns(const probe_cfg_t *cfg, const zone_cut_t *root, zone_cut_t *c, int depth, uint32_t *queries,
                      char *err, size_t errlen)
{
	for (uint32_t i = 0; i < c->nns_parent; i++) {
		int have = 0;
		for (uint32_t k = 0; k < c->nsrv; k++)
			have |= strcmp(c->srv[k].name, c->ns_parent[i]) == 0;
		if (!have && resolve_name(cfg, root, c->ns_parent[i], c, depth, queries, err, errlen) < 0)
			return -1;
	}
	return 0;
}

int zone_walk(const probe_cfg_t *cfg, const probe_targets_t *roots, zone_run_t *z, char *err, size_t errlen)
{
	int rc = -1;
	ldns_rdf *zname = NULL;
	memset(z->cut, 0, sizeof z->cut);
	z->ncut = 0;
	z->walk_queries = 0;
	/* canonical: lower case, final dot */
	snprintf(z->zone, sizeof z->zone, "%s", cfg->zone);
	size_t zl = strlen(z->zone);
	if (zl == 0 || (z->zone[zl - 1] != '.' && zl + 1 >= sizeof z->zone))
		return snprintf(err, errlen, "--zone: a zone name is needed"), -1;
	if (z->zone[zl - 1] != '.')
		strcat(z->zone, ".");
	for (char *p = z->zone; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	zname = ldns_dname_new_frm_str(z->zone);
	if (!zname)
		return snprintf(err, errlen, "--zone '%s': not a domain name", cfg->zone), -1;
	zone_cut_t *root = &z->cut[z->ncut++];
	strcpy(root->name, ".");
	root->parent = -1;
	for (uint32_t i = 0; i < roots->n && root->nsrv < ZS_MAX_SERVERS; i++)
		root->srv[root->nsrv++] = roots->t[i];
	if (!root->nsrv) {
		snprintf(err, errlen, "no root server address (families?)");
		goto out;
	}
	uint32_t cur = 0;
	for (int step = 0; step < WALK_MAX_STEPS; step++) {
		zone_cut_t *c = &z->cut[cur];
		const probe_target_t *who = NULL;
		ldns_pkt *p = ask_cut(c, z->zone, LDNS_RR_TYPE_NS, cfg->timeout_ms, &z->walk_queries, &who);
		if (!p) {
			snprintf(err, errlen, "no server of '%s' answered '%s NS' (%u address(es) tried)", c->name, z->zone,
			         c->nsrv);
			goto out;
		}
		ldns_pkt_rcode rcode = ldns_pkt_get_rcode(p);
		if (rcode != LDNS_RCODE_NOERROR) {
			snprintf(err, errlen, "%s (%s) answered '%s NS' with %s", who->text, c->name, z->zone,
			         rcode == LDNS_RCODE_NXDOMAIN ? "NXDOMAIN: no such zone" : "an error rcode");
			ldns_pkt_free(p);
			goto out;
		}
		ldns_rdf *cname = ldns_dname_new_frm_str(c->name);
		ldns_rr_list *an = ldns_pkt_answer(p);
		int done = 0, next = 0;
		/* The zone's own NS RRset, answered authoritatively. */
		zone_cut_t *target = NULL;
		for (size_t i = 0; an && i < ldns_rr_list_rr_count(an); i++) {
			const ldns_rr *rr = ldns_rr_list_rr(an, i);
			if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NS || ldns_rr_rd_count(rr) != 1 ||
			    ldns_dname_compare(ldns_rr_owner(rr), zname) != 0)
				continue;
			if (!target) {
				if (strcmp(c->name, z->zone) == 0) {
					target = c;
				} else if (z->ncut < ZS_MAX_LEVELS) {
					/* The parent's servers serve the zone too (no referral): its
					 * cut is here, with the same addresses. */
					target = &z->cut[z->ncut++];
					strcpy(target->name, z->zone); /* same size */
					target->parent = (int)cur;
					for (uint32_t k = 0; k < c->nsrv; k++)
						target->srv[target->nsrv++] = c->srv[k];
				} else
					break;
				target->ns_ttl_child = ldns_rr_ttl(rr);
				target->nns_child = 0;
			}
			char nsn[PROBE_NAME_MAX];
			rdf2name(ldns_rr_rdf(rr, 0), nsn, sizeof nsn);
			name_add(target->ns_child, &target->nns_child, nsn);
			done = 1;
		}
		if (!done) {
			/* A referral: NS records in the authority section for a cut below c
			 * that is the zone or one of its ancestors. */
			static zone_cut_t nx;
			int r = referral(p, cname, zname, cfg->families, &nx, err, errlen);
			if (r == 1 && z->ncut >= ZS_MAX_LEVELS) {
				snprintf(err, errlen, "more than %d zone cuts from the root to %s", ZS_MAX_LEVELS, z->zone);
				r = -1;
			}
			/* name servers named outside their zone: resolve them from the root */
			if (r == 1 && !nx.nsrv && resolve_ns(cfg, &z->cut[0], &nx, 1, &z->walk_queries, err, errlen) < 0)
				r = -1;
			if (r == 1 && !nx.nsrv) {
				snprintf(err, errlen,
				         "the referral to %s from %s names servers (%s...) whose addresses were found neither "
				         "as glue nor from the root",
				         nx.name, who->text, nx.nns_parent ? nx.ns_parent[0] : "none");
				r = -1;
			}
			if (r < 0) {
				if (cname)
					ldns_rdf_deep_free(cname);
				ldns_pkt_free(p);
				goto out;
			}
			if (r == 1) {
				nx.parent = (int)cur;
				z->cut[z->ncut++] = nx;
				cur = z->ncut - 1;
				next = 1;
			}
		} else if (target != c) {
			/* addresses of the zone's servers, when the answer carries them */
			(void)glue_addrs(ldns_pkt_additional(p), "glue", target, cfg->families, err, errlen);
		}
		if (cname)
			ldns_rdf_deep_free(cname);
		ldns_pkt_free(p);
		if (done) {
			/* NS TTL at the parent: the referral's, if the walk saw one */
			rc = 0;
			goto out;
		}
		if (!next) {
			snprintf(err, errlen, "%s is not a zone: %s (%s) has no delegation for it (no referral, no NS RRset)",
			         z->zone, who->text, c->name);
			goto out;
		}
	}
	snprintf(err, errlen, "gave up after %d referrals", WALK_MAX_STEPS);
out:
	if (zname)
		ldns_rdf_deep_free(zname);
	return rc;
}

/* ---- the measurement plan */

static int target_index(probe_targets_t *t, const probe_target_t *s)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (ip_addr_equal(&t->t[i].addr, &s->addr))
			return (int)i;
	if (t->n >= PROBE_MAX_TARGETS)
		return -1;
	t->t[t->n] = *s;
	return (int)t->n++;
}

int zone_plan(zone_run_t *z, const probe_cfg_t *cfg, probe_targets_t *targets, probe_plan_t *plan, char *err,
              size_t errlen)
{
	const probe_qset_t *d = &cfg->defaults;
	z->nsizes = 0;
	if (d->given & QSET_SIZES)
		for (uint32_t i = 0; i < d->nsizes && z->nsizes < ZONE_MAX_SIZES; i++)
			z->sizes[z->nsizes++] = d->sizes[i];
	else {
		z->sizes[0] = 1232; /* DNS Flag Day 2020: what most resolvers advertise */
		z->sizes[1] = 4096; /* a resolver that takes fragments */
		z->nsizes = 2;
	}
	char src[sizeof targets->source];
	snprintf(src, sizeof src, "%s", targets->source);
	memset(targets, 0, sizeof *targets);
	text_appendf(targets->source, sizeof targets->source, "%s and the delegation walk to %s", src, z->zone);
	for (uint32_t c = 0; c < z->ncut; c++)
		for (uint32_t s = 0; s < z->cut[c].nsrv; s++) {
			int ti = target_index(targets, &z->cut[c].srv[s]);
			if (ti < 0)
				return snprintf(err, errlen, "more than %d server addresses", PROBE_MAX_TARGETS), -1;
			z->cut[c].tidx[s] = (uint32_t)ti;
		}
	/* DNSKEY at each cut's servers, DS at each parent server, every size */
	uint32_t n = 0, cap = 0;
	for (uint32_t c = 0; c < z->ncut; c++)
		cap += (z->cut[c].nsrv + (z->cut[c].parent >= 0 ? z->cut[z->cut[c].parent].nsrv : 0)) * z->nsizes;
	plan->q = calloc(cap ? cap : 1, sizeof *plan->q);
	plan->n = 0;
	if (!plan->q)
		return snprintf(err, errlen, "out of memory"), -1;
	uint32_t group = 0;
	for (uint32_t c = 0; c < z->ncut; c++) {
		const zone_cut_t *cut = &z->cut[c];
		for (int pass = 0; pass < 2; pass++) {
			const zone_cut_t *at = pass == 0 ? cut : cut->parent >= 0 ? &z->cut[cut->parent] : NULL;
			if (!at)
				continue;
			for (uint32_t s = 0; s < at->nsrv; s++) {
				group++;
				for (uint32_t k = 0; k < z->nsizes; k++) {
					probe_query_t *q = &plan->q[n++];
					q->target = at->tidx[s];
					q->qname = cut->name;
					q->qtype = pass == 0 ? LDNS_RR_TYPE_DNSKEY : LDNS_RR_TYPE_DS;
					q->kind = QK_SIZE;
					q->edns = z->sizes[k];
					q->do_bit = 1;
					q->may_fragment = q->edns > PLAN_UNFRAGMENTED_MAX;
					q->keep_answer = 1;
					q->group = group;
				}
			}
		}
	}
	plan->n = n;
	return 0;
}

/* ---- path verdicts */

static const readiness_txn_t *log_find(const readiness_log_t *log, const ip_addr_t *server, uint16_t cport, uint16_t id)
{
	for (uint32_t i = 0; log && i < log->n; i++)
		if (log->t[i].cport == cport && log->t[i].id == id && ip_addr_equal(&log->t[i].server, server))
			return &log->t[i];
	return NULL;
}

static const char *tcp_phrase(probe_tcp_result_t r)
{
	switch (r) {
	case TCP_OK: return "TCP works";
	case TCP_NOT_TRIED: return "TCP not tried";
	case TCP_SYN_TIMEOUT: return "TCP/53 blocked (no handshake)";
	case TCP_STALL: return "TCP stalled after the handshake (a PMTU black hole?)";
	case TCP_RESET: return "TCP reset";
	case TCP_REFUSED: return "TCP refused";
	case TCP_CLOSED: return "TCP closed before the answer";
	default: return "TCP failed (local error)";
	}
}

/* One question of a fetch: what UDP and TCP brought. */
static void fetch_question(zone_fetch_t *f, const probe_query_t *q, const probe_targets_t *targets,
                           const readiness_log_t *log, uint32_t mtu)
{
	if (f->nq >= ZONE_MAX_SIZES)
		return;
	const probe_outcome_t *o = &q->out;
	const readiness_txn_t *tx = log_find(log, &targets->t[q->target].addr, o->cport, o->id);
	zone_fq_t *r = &f->q[f->nq++];
	char adv[16], sz[16];
	r->advertised = q->edns;
	r->tcp = plan_tcp2str(o->tcp);
	r->fragments = tx ? tx->nfrags : 0;
	r->delivered = o->udp == UDP_OK || o->tcp == TCP_OK;
	uint32_t size = o->tcp == TCP_OK ? o->tcp_size : o->udp == UDP_OK ? o->udp_size : 0;
	if (size > f->size)
		f->size = size;
	num(q->edns, adv, sizeof adv);
	uint32_t hdr = f->family == 6 ? 48 : 28;
	switch (o->udp) {
	case UDP_OK:
		r->udp = tx && tx->nfrags > 1 ? "fragmented" : "whole";
		snprintf(r->why, sizeof r->why, "EDNS %s: %s bytes %s over UDP", adv, num(o->udp_size, sz, sizeof sz),
		         tx && tx->nfrags > 1 ? "arrived in fragments" : "arrived whole");
		if (tx && tx->nfrags > 1)
			text_appendf(r->why, sizeof r->why, " (%u)", tx->nfrags);
		return;
	case UDP_TC:
		r->udp = "truncated";
		snprintf(r->why, sizeof r->why, "EDNS %s: truncated, %s", adv, tcp_phrase(o->tcp));
		break;
	case UDP_TIMEOUT:
		f->udp_loss = 1;
		if (tx && (tx->frags_lost || tx->train_seen || tx->verdict == TXN_FRAGMENTS_LOST)) {
			r->udp = "fragments-lost";
			f->frag_loss = 1;
			snprintf(r->why, sizeof r->why, "EDNS %s: fragmented on this path and fragments lost (%u arrived), %s",
			         adv, tx->lost_arrived, tcp_phrase(o->tcp));
		} else if (o->tcp == TCP_OK && o->tcp_size + hdr > mtu) {
			r->udp = "fragments-lost";
			f->frag_loss = 1;
			snprintf(r->why, sizeof r->why,
			         "EDNS %s: lost over UDP; it needs fragments (%s bytes, %u-byte MTU) and no fragment arrived, %s",
			         adv, num(o->tcp_size, sz, sizeof sz), mtu, tcp_phrase(o->tcp));
		} else {
			r->udp = "lost";
			snprintf(r->why, sizeof r->why, "EDNS %s: lost over UDP, %s", adv, tcp_phrase(o->tcp));
		}
		break;
	case UDP_REFUSED:
		r->udp = "refused";
		snprintf(r->why, sizeof r->why, "EDNS %s: port unreachable over UDP, %s", adv, tcp_phrase(o->tcp));
		break;
	case UDP_NOT_SENT:
		r->udp = "not-sent";
		snprintf(r->why, sizeof r->why, "EDNS %s: not sent", adv);
		break;
	default:
		r->udp = "error";
		snprintf(r->why, sizeof r->why, "EDNS %s: a local error sending the question", adv);
		break;
	}
	if (o->tcp == TCP_OK)
		f->tcp_ok = 1;
	else if (o->tcp != TCP_NOT_TRIED)
		f->tcp_failed = 1;
}

static const char *rrtype_word(uint16_t t)
{
	return t == LDNS_RR_TYPE_DS ? "DS" : "DNSKEY";
}

/* The fetch's risk and sentence. */
static void fetch_finish(zone_fetch_t *f, const char *zone)
{
	char sz[16];
	f->delivered_all = f->nq > 0;
	for (uint32_t i = 0; i < f->nq; i++) {
		f->delivered_any |= f->q[i].delivered;
		f->delivered_all &= f->q[i].delivered;
	}
	if (!f->delivered_all)
		f->risk = HEALTH_CRITICAL;
	else if (f->udp_loss)
		f->risk = HEALTH_WARNING;
	else
		f->risk = HEALTH_OK;
	snprintf(f->sentence, sizeof f->sentence, "the %s answer for %s from %s", rrtype_word(f->qtype), zone, f->server);
	if (f->size)
		text_appendf(f->sentence, sizeof f->sentence, " is %s bytes", num(f->size, sz, sizeof sz));
	else
		text_appendf(f->sentence, sizeof f->sentence, " (size unknown: no copy arrived)");
	if (f->frag_loss)
		text_appendf(f->sentence, sizeof f->sentence, ", fragmented on this path, and fragments are lost");
	else if (f->udp_loss)
		text_appendf(f->sentence, sizeof f->sentence, ", and UDP answers are lost on this path");
	if (f->risk == HEALTH_WARNING)
		text_appendf(f->sentence, sizeof f->sentence, "; resolvers that retry over TCP recover (TCP/53 works here)");
	else if (f->risk == HEALTH_CRITICAL) {
		int first = 1;
		text_appendf(f->sentence, sizeof f->sentence, "; ");
		for (uint32_t i = 0; i < f->nq; i++)
			if (!f->q[i].delivered) {
				text_appendf(f->sentence, sizeof f->sentence, "%s%s", first ? "" : "; ", f->q[i].why);
				first = 0;
			}
	}
}

static zone_fetch_t *fetch_get(zone_run_t *z, uint32_t cut, uint16_t qtype, uint32_t target,
                               const probe_targets_t *targets)
{
	for (uint32_t i = 0; i < z->nfetch; i++)
		if (z->fetch[i].cut == cut && z->fetch[i].qtype == qtype && z->fetch[i].target == target)
			return &z->fetch[i];
	if (z->nfetch >= ZONE_MAX_FETCH)
		return NULL;
	zone_fetch_t *f = &z->fetch[z->nfetch++];
	memset(f, 0, sizeof *f);
	f->cut = cut;
	f->qtype = qtype;
	f->target = target;
	f->family = targets->t[target].addr.family;
	snprintf(f->server, sizeof f->server, "%s", targets->t[target].text);
	return f;
}

static int cut_of(const zone_run_t *z, const char *name)
{
	for (uint32_t c = 0; c < z->ncut; c++)
		if (strcmp(z->cut[c].name, name) == 0)
			return (int)c;
	return -1;
}

/* A complete answer kept by the engine (TC=0), or NULL. */
static int usable_answer(const probe_query_t *q)
{
	wire_answer_head_t h;
	return q->out.answer && q->out.answer_len >= 12 &&
	       wire_answer_head(q->out.answer, q->out.answer_len, &h) == 0 && !h.tc;
}

/* Does another server address of the same family bring this RRset at this
 * advertised size? A resolver that times out at one server asks another. */
static int saved_elsewhere(const zone_run_t *z, const zone_fetch_t *f, uint16_t advertised)
{
	for (uint32_t i = 0; i < z->nfetch; i++) {
		const zone_fetch_t *g = &z->fetch[i];
		if (g == f || g->cut != f->cut || g->qtype != f->qtype || g->family != f->family)
			continue;
		for (uint32_t k = 0; k < g->nq; k++)
			if (g->q[k].advertised == advertised && g->q[k].delivered)
				return 1;
	}
	return 0;
}

/* A fetch that fails at some size is critical only when no other server of
 * its family brings the RRset at that size; else a warning (slower, but a
 * resolver recovers by asking another server). */
static void fetch_elsewhere(zone_run_t *z, zone_fetch_t *f)
{
	if (f->risk != HEALTH_CRITICAL)
		return;
	for (uint32_t k = 0; k < f->nq; k++)
		if (!f->q[k].delivered && !saved_elsewhere(z, f, f->q[k].advertised)) {
			text_appendf(f->sentence, sizeof f->sentence,
			       f->delivered_any ? ": a validating resolver advertising that size here cannot fetch it"
			                        : ": a validating resolver here cannot fetch it");
			return;
		}
	f->risk = HEALTH_WARNING;
	text_appendf(f->sentence, sizeof f->sentence,
	       ": another server of the zone brings it here at every size that failed, so resolvers recover by "
	       "asking it (after a timeout)");
}

static void transfer_checks(zone_run_t *z)
{
	const zs_level_t *lv = &z->res.level[z->res.nlevels - 1];
	const zone_cut_t *cut = &z->cut[z->ncut - 1];
	z->ttl_ds = lv->ds_ttl;
	z->ttl_ns_parent = cut->ns_ttl_parent;
	z->ttl_ns_child = cut->ns_ttl_child;
	z->ttl_dnskey = 0;
	z->ndisagree = 0;
	int first = -1;
	for (uint32_t s = 0; s < lv->nservers; s++) {
		const zs_server_t *sv = &lv->servers[s];
		if (sv->ttl > z->ttl_dnskey)
			z->ttl_dnskey = sv->ttl;
		if (sv->obtained && sv->nkeys && lv->needs_dnskey && !sv->matches_ds && z->ndisagree < ZS_MAX_SERVERS)
			snprintf(z->disagree[z->ndisagree++], 64, "%s", sv->server);
		if (!sv->obtained || !sv->nkeys)
			continue;
		if (first < 0) {
			first = (int)s;
			continue;
		}
		const zs_server_t *f = &lv->servers[first];
		int same = f->nkeys == sv->nkeys;
		for (uint32_t a = 0; same && a < sv->nkeys; a++) {
			int found = 0;
			for (uint32_t b = 0; b < f->nkeys; b++)
				found |= f->keys[b].tag == sv->keys[a].tag && f->keys[b].algorithm == sv->keys[a].algorithm;
			same &= found;
		}
		if (!same)
			z->key_sets_differ = 1;
	}
	z->ns_sets_differ = 0;
	if (cut->nns_parent && cut->nns_child) {
		int same = cut->nns_parent == cut->nns_child;
		for (uint32_t a = 0; same && a < cut->nns_parent; a++) {
			int found = 0;
			for (uint32_t b = 0; b < cut->nns_child; b++)
				found |= strcmp(cut->ns_parent[a], cut->ns_child[b]) == 0;
			same &= found;
		}
		z->ns_sets_differ = !same;
	}
	/* The TTLs each step must outlast (RFC 6781 §4.1.2, RFC 8901 §8): a
	 * resolver may hold the old RRset that long. */
	z->nwaits = 0;
	if (z->ttl_dnskey)
		z->waits[z->nwaits++] = (zone_wait_t){ "every server publishes the new DNSKEY set",
			                               "changing the DS at the parent", z->ttl_dnskey, "DNSKEY" };
	if (z->ttl_ds)
		z->waits[z->nwaits++] = (zone_wait_t){ "the parent publishes the new DS RRset",
			                               "removing keys the old DS names", z->ttl_ds, "DS" };
	uint32_t ns = z->ttl_ns_parent > z->ttl_ns_child ? z->ttl_ns_parent : z->ttl_ns_child;
	if (ns)
		z->waits[z->nwaits++] = (zone_wait_t){ "the parent publishes the new NS RRset",
			                               "the old provider stops serving the zone", ns,
			                               z->ttl_ns_parent >= z->ttl_ns_child ? "NS (parent)" : "NS (zone)" };
	z->advice[0] = '\0';
	if (z->ndisagree) {
		snprintf(z->advice, sizeof z->advice, "the parent's DS (");
		for (uint32_t d = 0; d < lv->nds; d++)
			text_appendf(z->advice, sizeof z->advice, "%stag %u", d ? ", " : "", lv->ds[d].tag);
		text_appendf(z->advice, sizeof z->advice, ") names no DNSKEY published at");
		for (uint32_t i = 0; i < z->ndisagree; i++)
			text_appendf(z->advice, sizeof z->advice, "%s %s", i ? "," : "", z->disagree[i]);
		text_appendf(z->advice, sizeof z->advice,
		       ": resolvers that ask there reach Bogus. Before the delegation lists a provider, its servers must "
		       "publish a key the DS names (each provider's KSK in both DNSKEY sets), or the parent must publish a "
		       "DS for its KSK; then wait the DS TTL (%u s) and the DNSKEY TTL (%u s)",
		       z->ttl_ds, z->ttl_dnskey);
	} else if (z->key_sets_differ) {
		snprintf(z->advice, sizeof z->advice,
		         "the servers publish different DNSKEY sets (a provider transfer or multi-signer setup); each set "
		         "holds a key the DS names, so validation works at every server");
	}
}

void zone_judge(zone_run_t *z, const probe_targets_t *targets, const probe_plan_t *plan, const readiness_log_t *log,
                uint32_t mtu, const anchor_set_t *anchors, int64_t now)
{
	static zs_level_in_t in[ZS_MAX_LEVELS];
	memset(in, 0, sizeof in);
	z->nfetch = 0;
	z->validated_at = now;
	if (!mtu)
		mtu = 1500;
	/* path verdicts per (cut, type, server address), in plan order */
	for (uint32_t i = 0; i < plan->n; i++) {
		const probe_query_t *q = &plan->q[i];
		int c = cut_of(z, q->qname);
		if (c < 0)
			continue;
		zone_fetch_t *f = fetch_get(z, (uint32_t)c, q->qtype, q->target, targets);
		if (!f)
			continue;
		fetch_question(f, q, targets, log, mtu);
		if (!f->answer && usable_answer(q)) {
			f->answer = q->out.answer;
			f->answer_len = q->out.answer_len;
		}
	}
	for (uint32_t i = 0; i < z->nfetch; i++)
		fetch_finish(&z->fetch[i], z->cut[z->fetch[i].cut].name);
	for (uint32_t i = 0; i < z->nfetch; i++)
		fetch_elsewhere(z, &z->fetch[i]);
	/* validation input: per cut, the first DS answer from any parent server,
	 * and the DNSKEY answer of each of its servers */
	for (uint32_t c = 0; c < z->ncut; c++) {
		zs_level_in_t *li = &in[c];
		li->name = z->cut[c].name;
		li->nservers = z->cut[c].nsrv;
		for (uint32_t s = 0; s < z->cut[c].nsrv; s++) {
			snprintf(li->server[s], sizeof li->server[s], "%s", z->cut[c].srv[s].text);
			for (uint32_t i = 0; i < z->nfetch; i++) {
				const zone_fetch_t *f = &z->fetch[i];
				if (f->cut == c && f->qtype == LDNS_RR_TYPE_DNSKEY && f->target == z->cut[c].tidx[s] && f->answer)
					li->dnskey[s] = (zs_msg_t){ f->answer, f->answer_len };
			}
		}
		for (uint32_t i = 0; i < z->nfetch && !li->ds.wire; i++) {
			const zone_fetch_t *f = &z->fetch[i];
			if (f->cut == c && f->qtype == LDNS_RR_TYPE_DS && f->answer) {
				li->ds = (zs_msg_t){ f->answer, f->answer_len };
				snprintf(li->ds_server, sizeof li->ds_server, "%s", f->server);
			}
		}
	}
	zonestate_validate(in, z->ncut, anchors && anchors->n ? anchors : NULL, now, &z->res);
	/* which answers the verdict needs: DS of every judged cut, DNSKEY of a
	 * judged cut unless its DS made it insecure or bogus already */
	health_t risk = HEALTH_OK;
	z->worst_fetch = -1;
	for (uint32_t i = 0; i < z->nfetch; i++) {
		zone_fetch_t *f = &z->fetch[i];
		const zs_level_t *lv = &z->res.level[f->cut];
		if (!lv->checked)
			continue;
		if (f->qtype == LDNS_RR_TYPE_DS)
			f->needed = f->cut > 0;
		else
			f->needed = lv->needs_dnskey || (f->cut > 0 && !lv->ds_obtained);
		if (f->needed && f->risk != HEALTH_OK && (z->worst_fetch < 0 || f->risk > risk)) {
			risk = f->risk;
			z->worst_fetch = (int)i;
		}
	}
	zone_state_t st = z->res.state;
	char rs[32];
	const char *where = "this probe's path";
	if (st == ZS_BOGUS) {
		z->verdict = "bogus";
		z->health = HEALTH_CRITICAL;
		snprintf(z->sentence, sizeof z->sentence, "Bogus: %s", z->res.why);
	} else if (st == ZS_INDETERMINATE) {
		z->verdict = "indeterminate";
		z->health = HEALTH_UNKNOWN;
		snprintf(z->sentence, sizeof z->sentence, "Indeterminate: %s", z->res.why);
	} else if (risk != HEALTH_OK && (st == ZS_SECURE || st == ZS_UNKNOWN)) {
		z->verdict = "bogus-risk";
		z->health = risk;
		snprintf(z->sentence, sizeof z->sentence, "Bogus risk (%s): %s%s", where, z->fetch[z->worst_fetch].sentence,
		         st == ZS_SECURE ? "; the chain validates with the answers that did arrive" : "");
	} else if (st == ZS_UNKNOWN) {
		z->verdict = "unknown";
		z->health = HEALTH_UNKNOWN;
		snprintf(z->sentence, sizeof z->sentence, "Unknown: %s", z->res.why);
	} else {
		z->verdict = zonestate2str(st);
		z->health = risk; /* an insecure zone whose DS proof the path loses still fails */
		snprintf(rs, sizeof rs, "%s", zonestate2text(st));
		snprintf(z->sentence, sizeof z->sentence, "%s: %s", rs, z->res.why);
		if (risk != HEALTH_OK && z->worst_fetch >= 0)
			text_appendf(z->sentence, sizeof z->sentence, "; but %s", z->fetch[z->worst_fetch].sentence);
	}
	text_appendf(z->sentence, sizeof z->sentence, " (for a validating resolver at this probe's location)");
	if (z->res.nlevels)
		transfer_checks(z);
}

void zone_report_apply(const zone_run_t *z, report_t *r)
{
	if (z->health == HEALTH_OK)
		return;
	if (z->health == HEALTH_UNKNOWN) {
		if (r->health != HEALTH_OK)
			return;
	} else if (r->health != HEALTH_UNKNOWN && r->health >= z->health)
		return;
	r->health = z->health;
	r->headline[0] = '\0';
	text_appendf(r->headline, sizeof r->headline, "%s: zone %s: %s", health2str(z->health), z->zone, z->sentence);
}

/* ---- report */

static const char *key_role(const zs_key_t *k)
{
	return (k->flags & DNSKEY_FLAG_SEP) ? "KSK" : "ZSK";
}

void zone_text_write(const zone_run_t *z, FILE *out)
{
	char sz[16];
	fprintf(out, "\nZone %s: %s\n", z->zone, z->verdict);
	fprintf(out, "  %s\n", z->sentence);
	fprintf(out, "  Chain (validated with ldns at the time of measurement; anchors: %s):\n", z->anchors_source);
	for (uint32_t c = 0; c < z->res.nlevels; c++) {
		const zs_level_t *lv = &z->res.level[c];
		fprintf(out, "    %-20s %-13s %s\n", lv->name, zonestate2str(lv->state), lv->checked ? lv->why : "(not judged)");
		if (c > 0 && lv->nds) {
			fprintf(out, "      DS (TTL %u):", lv->ds_ttl);
			for (uint32_t d = 0; d < lv->nds; d++)
				fprintf(out, " %u/alg %u/digest %u%s%s", lv->ds[d].tag, lv->ds[d].algorithm, lv->ds[d].digest_type,
				        lv->ds[d].supported ? "" : " (unsupported)", lv->ds[d].matched ? " (published)" : "");
			fputc('\n', out);
		}
		for (uint32_t s = 0; s < lv->nservers && lv->needs_dnskey; s++) {
			const zs_server_t *sv = &lv->servers[s];
			fprintf(out, "      %-24s %-8s", sv->server, zonestate2str(sv->state));
			for (uint32_t k = 0; k < sv->nkeys; k++)
				fprintf(out, " %s %u%s", key_role(&sv->keys[k]), sv->keys[k].tag,
				        sv->keys[k].ds_match || sv->keys[k].anchor ? "*" : "");
			fprintf(out, "  %s\n", sv->why);
		}
	}
	fprintf(out, "  What the path delivered (* = needed for the verdict):\n");
	for (uint32_t i = 0; i < z->nfetch; i++) {
		const zone_fetch_t *f = &z->fetch[i];
		fprintf(out, "   %s %-6s %-16s from %-22s %6s bytes  %s\n", f->needed ? "*" : " ", rrtype_word(f->qtype),
		        z->cut[f->cut].name, f->server, f->size ? num(f->size, sz, sizeof sz) : "-", health2str(f->risk));
		for (uint32_t k = 0; k < f->nq; k++)
			fprintf(out, "        %s\n", f->q[k].why);
	}
	if (z->res.nlevels) {
		const zone_cut_t *cut = &z->cut[z->ncut - 1];
		fprintf(out, "  Transfer checks:\n");
		fprintf(out, "    NS at the parent (TTL %u):", z->ttl_ns_parent);
		for (uint32_t i = 0; i < cut->nns_parent; i++)
			fprintf(out, " %s", cut->ns_parent[i]);
		fprintf(out, "\n    NS at the zone (TTL %u):", z->ttl_ns_child);
		for (uint32_t i = 0; i < cut->nns_child; i++)
			fprintf(out, " %s", cut->ns_child[i]);
		fprintf(out, "%s\n", z->ns_sets_differ ? "  (differs from the parent's)" : "");
		if (z->ndisagree) {
			fprintf(out, "    DS and DNSKEY disagree at:");
			for (uint32_t i = 0; i < z->ndisagree; i++) {
				const char *nsname = "";
				for (uint32_t k = 0; k < cut->nsrv; k++)
					if (strcmp(cut->srv[k].text, z->disagree[i]) == 0)
						nsname = cut->srv[k].name;
				fprintf(out, " %s%s%s%s", z->disagree[i], *nsname ? " (" : "", nsname, *nsname ? ")" : "");
			}
			fputc('\n', out);
		}
		if (z->advice[0])
			fprintf(out, "    %s\n", z->advice);
		for (uint32_t i = 0; i < z->nwaits; i++)
			fprintf(out, "    after %s, wait the %s TTL (%u s) before %s\n", z->waits[i].after, z->waits[i].ttl,
			        z->waits[i].seconds, z->waits[i].before);
	}
}

void zone_json_write(const zone_run_t *z, json_writer_t *w)
{
	json_key(w, "zone");
	json_object_begin(w);
	json_kv_string(w, "name", z->zone);
	json_kv_string(w, "verdict", z->verdict);
	json_kv_string(w, "state", zonestate2str(z->res.state));
	json_kv_string(w, "health", health2str(z->health));
	json_kv_string(w, "sentence", z->sentence);
	json_kv_string(w, "speaks_for", "a validating resolver at this probe's location (its path)");
	json_kv_string(w, "validator", "ldns");
	json_key(w, "validated_at");
	json_int(w, z->validated_at);
	json_kv_string(w, "anchors", z->anchors_source);
	json_key(w, "sizes");
	json_array_begin(w);
	for (uint32_t i = 0; i < z->nsizes; i++)
		json_uint(w, z->sizes[i]);
	json_array_end(w);
	json_kv_uint(w, "walk_queries", z->walk_queries);
	json_key(w, "chain");
	json_array_begin(w);
	for (uint32_t c = 0; c < z->res.nlevels; c++) {
		const zs_level_t *lv = &z->res.level[c];
		const zone_cut_t *cut = &z->cut[c];
		json_object_begin(w);
		json_kv_string(w, "zone", lv->name);
		json_kv_string_or_null(w, "parent", cut->parent >= 0 ? z->cut[cut->parent].name : NULL);
		json_kv_string(w, "state", zonestate2str(lv->state));
		json_kv_bool(w, "judged", lv->checked);
		json_kv_string(w, "why", lv->checked ? lv->why : "");
		json_kv_bool(w, "ds_obtained", lv->ds_obtained);
		json_kv_bool(w, "ds_denied", lv->ds_denied);
		json_kv_uint_or_null(w, "ds_ttl", lv->ds_ttl);
		json_key(w, "ds");
		json_array_begin(w);
		for (uint32_t d = 0; d < lv->nds; d++) {
			json_object_begin(w);
			json_kv_uint(w, "key_tag", lv->ds[d].tag);
			json_kv_uint(w, "algorithm", lv->ds[d].algorithm);
			json_kv_uint(w, "digest_type", lv->ds[d].digest_type);
			json_kv_bool(w, "supported", lv->ds[d].supported);
			json_kv_bool(w, "published", lv->ds[d].matched);
			json_object_end(w);
		}
		json_array_end(w);
		json_key(w, "servers");
		json_array_begin(w);
		for (uint32_t s = 0; s < lv->nservers; s++) {
			const zs_server_t *sv = &lv->servers[s];
			json_object_begin(w);
			json_kv_string(w, "server", sv->server);
			json_kv_string(w, "name", s < cut->nsrv ? cut->srv[s].name : "");
			json_kv_bool(w, "obtained", sv->obtained);
			json_kv_string(w, "state", lv->needs_dnskey ? zonestate2str(sv->state) : "not-judged");
			json_kv_bool(w, "matches_ds", sv->matches_ds);
			json_kv_uint_or_null(w, "dnskey_ttl", sv->ttl);
			json_key(w, "keys");
			json_array_begin(w);
			for (uint32_t k = 0; k < sv->nkeys; k++) {
				json_object_begin(w);
				json_kv_uint(w, "key_tag", sv->keys[k].tag);
				json_kv_uint(w, "flags", sv->keys[k].flags);
				json_kv_uint(w, "algorithm", sv->keys[k].algorithm);
				json_kv_uint(w, "bits", sv->keys[k].bits);
				json_kv_bool(w, "named_by_ds", sv->keys[k].ds_match);
				json_kv_bool(w, "anchor", sv->keys[k].anchor);
				json_kv_bool(w, "signs_dnskey", sv->keys[k].signs);
				json_object_end(w);
			}
			json_array_end(w);
			json_kv_string(w, "why", sv->why);
			json_object_end(w);
		}
		json_array_end(w);
		json_object_end(w);
	}
	json_array_end(w);
	json_key(w, "answers");
	json_array_begin(w);
	for (uint32_t i = 0; i < z->nfetch; i++) {
		const zone_fetch_t *f = &z->fetch[i];
		json_object_begin(w);
		json_kv_string(w, "zone", z->cut[f->cut].name);
		json_kv_string(w, "type", rrtype_word(f->qtype));
		json_kv_string(w, "server", f->server);
		json_kv_uint(w, "family", f->family);
		json_kv_uint_or_null(w, "size", f->size);
		json_kv_bool(w, "needed", f->needed);
		json_kv_bool(w, "delivered_any", f->delivered_any);
		json_kv_bool(w, "delivered_all", f->delivered_all);
		json_kv_bool(w, "fragments_lost", f->frag_loss);
		json_kv_string(w, "risk", health2str(f->risk));
		json_kv_string(w, "sentence", f->sentence);
		json_key(w, "questions");
		json_array_begin(w);
		for (uint32_t k = 0; k < f->nq; k++) {
			json_object_begin(w);
			json_kv_uint(w, "advertised", f->q[k].advertised);
			json_kv_string(w, "udp", f->q[k].udp);
			json_kv_uint(w, "fragments", f->q[k].fragments);
			json_kv_string(w, "tcp", f->q[k].tcp);
			json_kv_bool(w, "delivered", f->q[k].delivered);
			json_kv_string(w, "why", f->q[k].why);
			json_object_end(w);
		}
		json_array_end(w);
		json_object_end(w);
	}
	json_array_end(w);
	json_key(w, "transfer");
	json_object_begin(w);
	const zone_cut_t *cut = z->ncut ? &z->cut[z->ncut - 1] : NULL;
	json_key(w, "ns_parent");
	json_array_begin(w);
	for (uint32_t i = 0; cut && i < cut->nns_parent; i++)
		json_string(w, cut->ns_parent[i]);
	json_array_end(w);
	json_key(w, "ns_zone");
	json_array_begin(w);
	for (uint32_t i = 0; cut && i < cut->nns_child; i++)
		json_string(w, cut->ns_child[i]);
	json_array_end(w);
	json_kv_bool(w, "ns_sets_differ", z->ns_sets_differ);
	json_key(w, "ds_dnskey_disagree");
	json_array_begin(w);
	for (uint32_t i = 0; i < z->ndisagree; i++)
		json_string(w, z->disagree[i]);
	json_array_end(w);
	json_kv_bool(w, "dnskey_sets_differ", z->key_sets_differ);
	json_key(w, "ttl");
	json_object_begin(w);
	json_kv_uint_or_null(w, "ds", z->ttl_ds);
	json_kv_uint_or_null(w, "dnskey", z->ttl_dnskey);
	json_kv_uint_or_null(w, "ns_parent", z->ttl_ns_parent);
	json_kv_uint_or_null(w, "ns_zone", z->ttl_ns_child);
	json_object_end(w);
	json_key(w, "waits");
	json_array_begin(w);
	for (uint32_t i = 0; i < z->nwaits; i++) {
		json_object_begin(w);
		json_kv_string(w, "after", z->waits[i].after);
		json_kv_string(w, "ttl", z->waits[i].ttl);
		json_kv_uint(w, "seconds", z->waits[i].seconds);
		json_kv_string(w, "before", z->waits[i].before);
		json_object_end(w);
	}
	json_array_end(w);
	json_kv_string(w, "advice", z->advice);
	json_object_end(w);
	json_object_end(w);
}
