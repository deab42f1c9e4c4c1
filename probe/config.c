/* config.c - the probe's settings and the parsing of their values (see config.h). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <ldns/ldns.h>

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

const uint16_t probe_rollover_sizes[PROBE_ROLLOVER_NSIZES] = { 864, 1139, 1414, 1425, 1700 };

/* The default sizes (issue 6): the limits that matter, 512 to 4,096. */
static const uint16_t default_sizes[] = { 512, 1232, 1400, 1452, 1472, 1500, 2048, 4096 };

void probe_cfg_default(probe_cfg_t *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->mode = PROBE_MODE_SWEEP;
	probe_qset_t *d = &cfg->defaults;
	strcpy(d->names[0], ".");
	d->nnames = 1;
	d->qtype = LDNS_RR_TYPE_DNSKEY;
	memcpy(d->sizes, default_sizes, sizeof default_sizes);
	d->nsizes = sizeof default_sizes / sizeof default_sizes[0];
	d->do_mask = PROBE_DO_ON;
	d->rd = 0;
	cfg->families = PROBE_FAM_4 | PROBE_FAM_6;
	cfg->tcp = 1;
	cfg->repeats = 1;
	cfg->assume_loss = 0.05;
	cfg->timeout_ms = 2000;
	cfg->settle_ms = 500;
	/* Polite to public servers: 10 queries a second each, 32 in flight. */
	cfg->rate = 10;
	cfg->inflight = 32;
	cfg->df = -1;
	cfg->ttl = -1;
	cfg->ip_id = -1;
	cfg->identity = 1;
	cfg->max_hops = 16;
	cfg->trace_attempts = 3;
}

int probe_cfg_crafted(const probe_cfg_t *cfg)
{
	return cfg->df >= 0 || cfg->ttl >= 0 || cfg->ip_id >= 0 || cfg->sources[0][0] || cfg->sources[1][0] ||
	       cfg->vrf[0] || cfg->pad || cfg->frag_query;
}

const char *probe_cfg_expected_nsid(const probe_cfg_t *cfg, const char *addr, char *buf, size_t len)
{
	const char *p = cfg->expect_nsid, *all = NULL;
	size_t alen = 0, n = strlen(addr);
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t k = strcspn(p, " ,");
		if (!k)
			break;
		const char *eq = memchr(p, '=', k);
		if (!eq) {
			all = p;
			alen = k;
		} else if ((size_t)(eq - p) == n && strncmp(p, addr, n) == 0) {
			snprintf(buf, len, "%.*s", (int)(k - n - 1), eq + 1);
			return buf;
		}
		p += k;
	}
	if (!all)
		return NULL;
	snprintf(buf, len, "%.*s", (int)alen, all);
	return buf;
}

/* ---- value parsers: each returns 0, or -1 with a message naming what is wanted */

static int parse_uint(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	if (!isdigit((unsigned char)*s))
		return -1;
	unsigned long v = strtoul(s, &end, 10);
	if (*end != '\0' || v < lo || v > hi)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* Seconds with up to three decimals ("1", "0.5", "2.25") into milliseconds. */
static int parse_seconds(const char *s, uint32_t max_ms, uint32_t *ms)
{
	uint64_t whole = 0, frac = 0;
	int nfrac = 0;
	const char *p = s;
	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p) && whole <= max_ms)
		whole = whole * 10 + (uint64_t)(*p++ - '0');
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p) && nfrac < 3) {
			frac = frac * 10 + (uint64_t)(*p++ - '0');
			nfrac++;
		}
		if (nfrac == 0)
			return -1;
	}
	if (*p != '\0')
		return -1;
	while (nfrac++ < 3)
		frac *= 10;
	uint64_t v = whole * 1000 + frac;
	if (v > max_ms)
		return -1;
	*ms = (uint32_t)v;
	return 0;
}

/* A percentage "5", "5%", "0.5" (0.1 to 50) into a fraction. */
static int parse_percent(const char *s, double *out)
{
	char *end;
	if (!isdigit((unsigned char)*s))
		return -1;
	double v = strtod(s, &end);
	if (*end == '%')
		end++;
	if (*end != '\0' || !(v >= 0.1 && v <= 50.0))
		return -1;
	*out = v / 100.0;
	return 0;
}

static int parse_bool(const char *s, uint8_t *out)
{
	static const char *const yes[] = { "on", "yes", "true", "1" };
	static const char *const no[] = { "off", "no", "false", "0" };
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(s, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

/* Split a list on commas and white space; calls fn for each item. */
typedef int (*item_fn)(void *ctx, const char *item, char *err, size_t errlen);

static int list_each(const char *value, item_fn fn, void *ctx, char *err, size_t errlen)
{
	char item[PROBE_NAME_MAX];
	const char *p = value;
	int n = 0;
	for (;;) {
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		size_t len = strcspn(p, ", \t\r\n");
		if (len >= sizeof item)
			return ERR("item '%.40s...' is too long", p);
		memcpy(item, p, len);
		item[len] = '\0';
		p += len;
		if (fn(ctx, item, err, errlen) < 0)
			return -1;
		n++;
	}
	if (n == 0)
		return ERR("an empty list");
	return 0;
}

static int size_add(probe_qset_t *set, uint32_t v, char *err, size_t errlen)
{
	if (set->nsizes == PROBE_MAX_SIZES)
		return ERR("more than %d EDNS sizes", PROBE_MAX_SIZES);
	set->sizes[set->nsizes++] = (uint16_t)v;
	return 0;
}

/* "N", "0" (no EDNS) or a range "A-B" / "A-B/STEP" (step 100 by default). */
static int size_item(void *ctx, const char *item, char *err, size_t errlen)
{
	probe_qset_t *set = ctx;
	uint32_t a, b, step = 100;
	char buf[64];
	const char *dash = strchr(item, '-');
	if (!dash) {
		if (parse_uint(item, 0, 65535, &a) < 0 || (a > 0 && a < 512))
			return ERR("EDNS size '%s': expected 0 (no EDNS) or 512 to 65535", item);
		return size_add(set, a, err, errlen);
	}
	snprintf(buf, sizeof buf, "%.*s", (int)(dash - item), item);
	if (parse_uint(buf, 512, 65535, &a) < 0)
		return ERR("EDNS size range '%s': expected A-B or A-B/STEP with 512 <= A <= B <= 65535", item);
	const char *slash = strchr(dash + 1, '/');
	snprintf(buf, sizeof buf, "%.*s", slash ? (int)(slash - dash - 1) : (int)strlen(dash + 1), dash + 1);
	if (parse_uint(buf, a, 65535, &b) < 0 || (slash && parse_uint(slash + 1, 1, 65535, &step) < 0))
		return ERR("EDNS size range '%s': expected A-B or A-B/STEP with 512 <= A <= B <= 65535", item);
	for (uint32_t v = a; v <= b; v += step)
		if (size_add(set, v, err, errlen) < 0)
			return -1;
	if ((b - a) % step)
		return size_add(set, b, err, errlen); /* the range's end is always asked */
	return 0;
}

/* A presentation-form name: labels of 1..63 printable characters, 253 in all. */
static int name_check(const char *name, char *err, size_t errlen)
{
	size_t len = strlen(name), label = 0;
	if (strcmp(name, ".") == 0)
		return 0;
	if (len > 254 || (len == 254 && name[253] != '.'))
		return ERR("name '%.40s...' is longer than 253 characters", name);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c == '.') {
			if (label == 0)
				return ERR("name '%s' has an empty label", name);
			label = 0;
		} else if (c <= ' ' || c >= 127 || c == '\\' || c == '"') {
			return ERR("name '%s': only printable characters without spaces, quotes or escapes", name);
		} else if (++label > 63) {
			return ERR("name '%s' has a label longer than 63 characters", name);
		}
	}
	return 0;
}

static int name_item(void *ctx, const char *item, char *err, size_t errlen)
{
	probe_qset_t *set = ctx;
	if (set->nnames == PROBE_MAX_NAMES)
		return ERR("more than %d names", PROBE_MAX_NAMES);
	if (name_check(item, err, errlen) < 0)
		return -1;
	snprintf(set->names[set->nnames++], PROBE_NAME_MAX, "%s", item);
	return 0;
}

static int server_item(void *ctx, const char *item, char *err, size_t errlen)
{
	probe_cfg_t *cfg = ctx;
	if (cfg->nservers == PROBE_MAX_SERVERS)
		return ERR("more than %d servers", PROBE_MAX_SERVERS);
	if (strlen(item) >= sizeof cfg->servers[0])
		return ERR("server '%.40s...' is too long", item);
	strcpy(cfg->servers[cfg->nservers++], item);
	return 0;
}

static int family_item(void *ctx, const char *item, char *err, size_t errlen)
{
	uint8_t *fam = ctx;
	if (strcmp(item, "4") == 0 || strcasecmp(item, "ipv4") == 0)
		*fam |= PROBE_FAM_4;
	else if (strcmp(item, "6") == 0 || strcasecmp(item, "ipv6") == 0)
		*fam |= PROBE_FAM_6;
	else if (strcasecmp(item, "both") == 0)
		*fam |= PROBE_FAM_4 | PROBE_FAM_6;
	else
		return ERR("family '%s': expected 4, 6 or both", item);
	return 0;
}

/* ---- keys */

int probe_cfg_is_query_key(const char *key)
{
	static const char *const keys[] = { "name", "type", "sizes", "do", "rd" };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(key, keys[i]) == 0)
			return 1;
	return 0;
}

static int qset_set(probe_qset_t *set, const char *key, const char *value, char *err, size_t errlen)
{
	if (strcmp(key, "name") == 0) {
		probe_qset_t tmp = *set;
		tmp.nnames = 0;
		if (list_each(value, name_item, &tmp, err, errlen) < 0)
			return -1;
		memcpy(set->names, tmp.names, sizeof set->names);
		set->nnames = tmp.nnames;
		set->given |= QSET_NAMES;
	} else if (strcmp(key, "type") == 0) {
		ldns_rr_type t = ldns_get_rr_type_by_name(value);
		if (t == 0)
			return ERR("type '%s': expected a DNS type such as TXT, DNSKEY or TYPE48", value);
		set->qtype = (uint16_t)t;
		set->given |= QSET_TYPE;
	} else if (strcmp(key, "sizes") == 0) {
		probe_qset_t tmp = *set;
		tmp.nsizes = 0;
		if (list_each(value, size_item, &tmp, err, errlen) < 0)
			return -1;
		memcpy(set->sizes, tmp.sizes, sizeof set->sizes);
		set->nsizes = tmp.nsizes;
		set->given |= QSET_SIZES;
	} else if (strcmp(key, "do") == 0) {
		uint8_t b;
		if (strcasecmp(value, "both") == 0)
			set->do_mask = PROBE_DO_BOTH;
		else if (parse_bool(value, &b) == 0)
			set->do_mask = b ? PROBE_DO_ON : PROBE_DO_OFF;
		else
			return ERR("do '%s': expected on, off or both", value);
		set->given |= QSET_DO;
	} else if (strcmp(key, "rd") == 0) {
		if (parse_bool(value, &set->rd) < 0)
			return ERR("rd '%s': expected on or off", value);
		set->given |= QSET_RD;
	} else {
		return ERR("unknown key '%s' in a [query] section (name, type, sizes, do, rd)", key);
	}
	return 0;
}

/* The keys whose value is kept as text. */
static int text_field(probe_cfg_t *cfg, const char *key, char **dst, size_t *cap)
{
	const struct { const char *key; char *field; size_t cap; } fields[] = {
		{ "hints", cfg->hints, sizeof cfg->hints },
		{ "zone", cfg->zone, sizeof cfg->zone },
		{ "interface", cfg->iface, sizeof cfg->iface },
		{ "description", cfg->description, sizeof cfg->description },
		{ "sentinel-zone", cfg->sentinel_zone, sizeof cfg->sentinel_zone },
		{ "trace-zone", cfg->trace_zone, sizeof cfg->trace_zone },
	};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (strcmp(key, fields[i].key) == 0) {
			*dst = fields[i].field;
			*cap = fields[i].cap;
			return 0;
		}
	return -1;
}

static int source_item(void *ctx, const char *item, char *err, size_t errlen)
{
	probe_cfg_t *cfg = ctx;
	struct in6_addr a6;
	struct in_addr a4;
	if (strlen(item) >= sizeof cfg->sources[0])
		return ERR("source '%.40s...' is too long", item);
	if (inet_pton(AF_INET, item, &a4) == 1)
		strcpy(cfg->sources[0], item);
	else if (inet_pton(AF_INET6, item, &a6) == 1)
		strcpy(cfg->sources[1], item);
	else
		return ERR("source '%s': expected an IPv4 or IPv6 address (one per family)", item);
	return 0;
}

/* trace = query answer pmtu | all | off (probe/trace.h). */
static int trace_item(void *ctx, const char *item, char *err, size_t errlen)
{
	probe_cfg_t *cfg = ctx;
	if (strcmp(item, "query") == 0)
		cfg->trace |= 1;
	else if (strcmp(item, "answer") == 0)
		cfg->trace |= 2;
	else if (strcmp(item, "pmtu") == 0)
		cfg->trace |= 4;
	else if (strcmp(item, "all") == 0)
		cfg->trace |= 7;
	else if (strcmp(item, "off") != 0)
		return ERR("trace '%s': expected query, answer, pmtu, all or off", item);
	return 0;
}

/* The crafting keys (probe/crafted.c). 1: not one of them. */
static int craft_set(probe_cfg_t *cfg, const char *key, const char *value, char *err, size_t errlen)
{
	uint32_t v;
	uint8_t b;
	if (strcmp(key, "df") == 0) {
		if (parse_bool(value, &b) < 0)
			return ERR("df '%s': expected on or off", value);
		cfg->df = (int8_t)b;
	} else if (strcmp(key, "ttl") == 0) {
		if (parse_uint(value, 1, 255, &v) < 0)
			return ERR("ttl '%s': expected 1 to 255", value);
		cfg->ttl = (int16_t)v;
	} else if (strcmp(key, "ip-id") == 0) {
		if (parse_uint(value, 1, 65535, &v) < 0)
			return ERR("ip-id '%s': expected 1 to 65535", value);
		cfg->ip_id = (int32_t)v;
	} else if (strcmp(key, "source") == 0) {
		char keep[2][64];
		memcpy(keep, cfg->sources, sizeof keep);
		cfg->sources[0][0] = cfg->sources[1][0] = '\0';
		if (list_each(value, source_item, cfg, err, errlen) < 0) {
			memcpy(cfg->sources, keep, sizeof keep);
			return -1;
		}
	} else if (strcmp(key, "vrf") == 0) {
		if (strlen(value) >= 16)
			return ERR("vrf '%s': a device name has at most 15 characters", value);
		strcpy(cfg->vrf, value);
	} else if (strcmp(key, "pad") == 0) {
		if (parse_uint(value, 0, 65000, &v) < 0)
			return ERR("pad '%s': expected the padded query size in bytes, 0 (none) to 65000", value);
		cfg->pad = v;
	} else if (strcmp(key, "fragment-query") == 0) {
		if (parse_uint(value, 0, 65528, &v) < 0 || v % 8 || (v && v < 16))
			return ERR("fragment-query '%s': expected UDP bytes per fragment, a multiple of 8 from 16 "
			           "(0: off)", value);
		cfg->frag_query = v;
	} else if (strcmp(key, "identity") == 0) {
		if (parse_bool(value, &cfg->identity) < 0)
			return ERR("identity '%s': expected on or off", value);
	} else if (strcmp(key, "expect-nsid") == 0) {
		if (strlen(value) >= sizeof cfg->expect_nsid)
			return ERR("expect-nsid is longer than %zu characters", sizeof cfg->expect_nsid - 1);
		strcpy(cfg->expect_nsid, value);
	} else {
		return 1;
	}
	return 0;
}

static int top_set(probe_cfg_t *cfg, const char *key, const char *value, char *err, size_t errlen)
{
	char *dst;
	size_t cap;
	int crc = craft_set(cfg, key, value, err, errlen);
	if (crc <= 0)
		return crc;
	if (strcmp(key, "mode") == 0) {
		if (strcmp(value, "sweep") == 0)
			cfg->mode = PROBE_MODE_SWEEP;
		else if (strcmp(value, "oarc") == 0)
			cfg->mode = PROBE_MODE_OARC;
		else if (strcmp(value, "rollover") == 0)
			cfg->mode = PROBE_MODE_ROLLOVER;
		else if (strcmp(value, "zone") == 0)
			cfg->mode = PROBE_MODE_ZONE;
		else
			return ERR("mode '%s': expected sweep, oarc, rollover or zone", value);
		cfg->mode_given = 1;
	} else if (strcmp(key, "server") == 0) {
		probe_cfg_t *tmp = malloc(sizeof *tmp);
		if (!tmp)
			return ERR("out of memory");
		*tmp = *cfg;
		tmp->nservers = 0;
		int rc = list_each(value, server_item, tmp, err, errlen);
		if (rc == 0) {
			memcpy(cfg->servers, tmp->servers, sizeof cfg->servers);
			cfg->nservers = tmp->nservers;
		}
		free(tmp);
		return rc;
	} else if (text_field(cfg, key, &dst, &cap) == 0) {
		if (strlen(value) >= cap)
			return ERR("%s is longer than %zu characters", key, cap - 1);
		if ((strcmp(key, "zone") == 0 || strcmp(key, "sentinel-zone") == 0 ||
		     strcmp(key, "trace-zone") == 0) && name_check(value, err, errlen) < 0)
			return -1;
		strcpy(dst, value);
	} else if (strcmp(key, "families") == 0) {
		uint8_t fam = 0;
		if (list_each(value, family_item, &fam, err, errlen) < 0)
			return -1;
		cfg->families = fam;
	} else if (strcmp(key, "tcp") == 0) {
		if (parse_bool(value, &cfg->tcp) < 0)
			return ERR("tcp '%s': expected on or off", value);
	} else if (strcmp(key, "policy") == 0) {
		if (strcmp(value, "fragments-required") == 0)
			cfg->fragments_required = 1;
		else if (strcmp(value, "avoid-fragments") == 0)
			cfg->fragments_required = 0;
		else
			return ERR("policy '%s': expected avoid-fragments or fragments-required", value);
	} else if (strcmp(key, "repeats") == 0) {
		if (strcmp(value, "auto") == 0) {
			cfg->repeats = 1;
			cfg->repeats_auto = 1;
		} else if (parse_uint(value, 1, 100, &cfg->repeats) < 0) {
			return ERR("repeats '%s': expected 1 to 100, or auto", value);
		} else {
			cfg->repeats_auto = 0;
		}
	} else if (strcmp(key, "assume-loss") == 0) {
		if (parse_percent(value, &cfg->assume_loss) < 0)
			return ERR("assume-loss '%s': expected a per-packet loss rate in percent, 0.1 to 50 (e.g. 5 or 5%%)",
			           value);
	} else if (strcmp(key, "timeout") == 0) {
		if (parse_seconds(value, 60000, &cfg->timeout_ms) < 0 || cfg->timeout_ms < 10)
			return ERR("timeout '%s': expected seconds from 0.01 to 60", value);
	} else if (strcmp(key, "settle") == 0) {
		if (parse_seconds(value, 60000, &cfg->settle_ms) < 0)
			return ERR("settle '%s': expected seconds from 0 to 60", value);
	} else if (strcmp(key, "rate") == 0) {
		if (parse_uint(value, 0, 100000, &cfg->rate) < 0)
			return ERR("rate '%s': expected queries per second per target, 0 (unlimited) to 100000", value);
	} else if (strcmp(key, "trace") == 0) {
		cfg->trace = 0;
		if (list_each(value, trace_item, cfg, err, errlen) < 0)
			return -1;
	} else if (strcmp(key, "max-hops") == 0) {
		if (parse_uint(value, 1, 32, &cfg->max_hops) < 0)
			return ERR("max-hops '%s': expected 1 to 32", value);
	} else if (strcmp(key, "trace-attempts") == 0) {
		if (parse_uint(value, 1, 10, &cfg->trace_attempts) < 0)
			return ERR("trace-attempts '%s': expected 1 to 10", value);
	} else if (strcmp(key, "inflight") == 0) {
		if (parse_uint(value, 1, 4096, &cfg->inflight) < 0)
			return ERR("inflight '%s': expected 1 to 4096", value);
	} else {
		return ERR("unknown key '%s'", key);
	}
	return 0;
}

int probe_cfg_set(probe_cfg_t *cfg, probe_qset_t *set, const char *key, const char *value, char *err, size_t errlen)
{
	if (set)
		return qset_set(set, key, value, err, errlen);
	if (probe_cfg_is_query_key(key))
		return qset_set(&cfg->defaults, key, value, err, errlen);
	return top_set(cfg, key, value, err, errlen);
}

int probe_cfg_override(probe_cfg_t *cfg, const char *key, const char *value, char *err, size_t errlen)
{
	if (probe_cfg_set(cfg, NULL, key, value, err, errlen) < 0)
		return -1;
	if (!probe_cfg_is_query_key(key))
		return 0;
	for (uint32_t i = 0; i < cfg->nsets; i++)
		if (qset_set(&cfg->sets[i], key, value, err, errlen) < 0)
			return -1;
	return 0;
}

probe_qset_t *probe_cfg_add_set(probe_cfg_t *cfg)
{
	if (cfg->nsets == PROBE_MAX_SETS)
		return NULL;
	probe_qset_t *s = &cfg->sets[cfg->nsets++];
	memset(s, 0, sizeof *s);
	return s;
}

/* The reply-size test asks rs.<zone> TXT through a resolver (RD on, DO off,
 * 4,096 bytes advertised) unless the profile or a flag says otherwise. */
static void oarc_defaults(probe_cfg_t *cfg)
{
	probe_qset_t *d = &cfg->defaults;
	if (!(d->given & QSET_NAMES)) {
		int n = snprintf(d->names[0], PROBE_NAME_MAX, "rs.%.250s", cfg->zone);
		(void)n; /* a zone of 250+ characters is cut; name_check keeps zones shorter */
		d->nnames = 1;
	}
	if (!(d->given & QSET_TYPE))
		d->qtype = LDNS_RR_TYPE_TXT;
	if (!(d->given & QSET_SIZES)) {
		d->sizes[0] = 4096;
		d->nsizes = 1;
	}
	if (!(d->given & QSET_DO))
		d->do_mask = PROBE_DO_OFF;
	if (!(d->given & QSET_RD))
		d->rd = 1;
}

/* Mode rollover: without [query] sections, two sets at the advertised sizes
 * (default 1,232 and 4,096: the Flag Day size, and a resolver that takes
 * fragments): the sized names N.size.ZONE TXT for the five phase sizes (DO
 * off: the names are exactly N bytes without options), when a zone is given;
 * and '. DNSKEY' with DO, the answer itself (validated with --rollover). */
static void rollover_sets(probe_cfg_t *cfg)
{
	probe_qset_t *d = &cfg->defaults;
	if (!(d->given & QSET_SIZES)) {
		d->sizes[0] = 1232;
		d->sizes[1] = 4096;
		d->nsizes = 2;
	}
	if (cfg->nsets)
		return;
	if (cfg->zone[0]) {
		probe_qset_t *s = &cfg->sets[cfg->nsets++];
		*s = *d;
		s->nnames = 0;
		for (int i = 0; i < PROBE_ROLLOVER_NSIZES; i++)
			snprintf(s->names[s->nnames++], PROBE_NAME_MAX, "%u.size.%.200s", probe_rollover_sizes[i],
			         strcmp(cfg->zone, ".") == 0 ? "" : cfg->zone);
		s->qtype = LDNS_RR_TYPE_TXT;
		s->do_mask = PROBE_DO_OFF;
		s->given = QSET_NAMES | QSET_TYPE | QSET_DO;
	}
	probe_qset_t *k = &cfg->sets[cfg->nsets++];
	*k = *d;
	strcpy(k->names[0], ".");
	k->nnames = 1;
	k->qtype = LDNS_RR_TYPE_DNSKEY;
	k->do_mask = PROBE_DO_ON;
	k->given = QSET_NAMES | QSET_TYPE | QSET_DO;
}

int probe_cfg_sentinels(probe_cfg_t *cfg, const uint16_t *tags, uint32_t n, char *err, size_t errlen)
{
	const char *z = cfg->sentinel_zone[0] && strcmp(cfg->sentinel_zone, ".") != 0 ? cfg->sentinel_zone : "";
	cfg->ntags = 0;
	for (uint32_t i = 0; i < n && cfg->ntags < PROBE_MAX_TAGS; i++) {
		int dup = 0;
		for (uint32_t k = 0; k < cfg->ntags; k++)
			dup |= cfg->ta_tags[k] == tags[i];
		if (dup)
			continue;
		uint32_t t = cfg->ntags++;
		cfg->ta_tags[t] = tags[i];
		/* RFC 8509 §2: the key tag in five decimal digits, leading zeros kept */
		int a = snprintf(cfg->sentinel_names[2 * t], PROBE_NAME_MAX, "root-key-sentinel-is-ta-%05u.%s", tags[i], z);
		int b = snprintf(cfg->sentinel_names[2 * t + 1], PROBE_NAME_MAX, "root-key-sentinel-not-ta-%05u.%s",
		                 tags[i], z);
		if (a < 0 || b < 0 || a >= PROBE_NAME_MAX - 1 || b >= PROBE_NAME_MAX - 1)
			return ERR("sentinel-zone '%.60s' is too long for the sentinel names", z);
	}
	return 0;
}

int probe_cfg_finish(probe_cfg_t *cfg, char *err, size_t errlen)
{
	const probe_qset_t *d = &cfg->defaults;
	/* "dnsfrag-probe --zone example." judges that zone: --zone without a mode
	 * selects mode zone (in mode sweep the zone key had no use). */
	if (!cfg->mode_given && cfg->mode == PROBE_MODE_SWEEP && cfg->zone[0])
		cfg->mode = PROBE_MODE_ZONE;
	if (cfg->mode == PROBE_MODE_ZONE && cfg->zone[0] == '\0')
		return ERR("mode zone needs the zone to judge: --zone NAME");
	if (cfg->mode == PROBE_MODE_ROLLOVER)
		rollover_sets(cfg);
	if (cfg->mode == PROBE_MODE_OARC) {
		if (cfg->zone[0] == '\0')
			return ERR("mode oarc needs a zone (the reply-size test's zone, e.g. rs-test.example.org)");
		if (cfg->nservers == 0)
			return ERR("mode oarc asks through a resolver: give it with --server ADDR");
		oarc_defaults(cfg);
	}
	if (cfg->nsets == 0) {
		cfg->sets[0] = *d;
		cfg->nsets = 1;
	}
	for (uint32_t i = 0; i < cfg->nsets; i++) {
		probe_qset_t *s = &cfg->sets[i];
		if (!(s->given & QSET_NAMES)) {
			memcpy(s->names, d->names, sizeof s->names);
			s->nnames = d->nnames;
		}
		if (!(s->given & QSET_TYPE))
			s->qtype = d->qtype;
		if (!(s->given & QSET_SIZES)) {
			memcpy(s->sizes, d->sizes, sizeof s->sizes);
			s->nsizes = d->nsizes;
		}
		if (!(s->given & QSET_DO))
			s->do_mask = d->do_mask;
		if (!(s->given & QSET_RD))
			s->rd = d->rd;
	}
	if (cfg->families == 0)
		return ERR("no address family left (families)");
	for (uint32_t i = 0; i < cfg->nsets && (cfg->pad || cfg->frag_query); i++)
		for (uint32_t z = 0; z < cfg->sets[i].nsizes; z++)
			if (cfg->sets[i].sizes[z] == 0)
				return ERR("pad and fragment-query grow the query with an EDNS padding option: "
				           "EDNS size 0 (no EDNS) cannot be padded");
	return 0;
}

int probe_cfg_pacing_check(const probe_cfg_t *cfg, int unsafe, int lab, char *warn, size_t warnlen, char *err,
                           size_t errlen)
{
	char what[128];
	int fast = cfg->rate == 0 || cfg->rate > PROBE_POLITE_RATE, wide = cfg->inflight > PROBE_POLITE_INFLIGHT;
	if (!fast && !wide)
		return 0;
	if (cfg->rate == 0)
		snprintf(what, sizeof what, "rate 0 (unlimited)%s", wide ? ", " : "");
	else if (fast)
		snprintf(what, sizeof what, "rate %u/s per target%s", cfg->rate, wide ? ", " : "");
	else
		what[0] = '\0';
	if (wide)
		snprintf(what + strlen(what), sizeof what - strlen(what), "inflight %u", cfg->inflight);
	if (unsafe) {
		snprintf(warn, warnlen,
		         "warning: --unsafe-rate: %s is above the polite limits (%u/s per target, %u in flight); "
		         "use it only against servers you operate",
		         what, PROBE_POLITE_RATE, PROBE_POLITE_INFLIGHT);
		return 1;
	}
	if (lab)
		return 0;
	return ERR("%s is above the polite limits (%u/s per target, %u in flight): refused; --unsafe-rate "
	           "raises them (with a warning), for servers you operate",
	           what, PROBE_POLITE_RATE, PROBE_POLITE_INFLIGHT);
}
