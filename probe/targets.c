/* targets.c - target addresses, root.hints, the lab guard (see targets.h). */
#include "targets.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The root servers as in root.hints of TARGETS_EMBEDDED_DATE: used only when
 * the default hints file cannot be read, and the report says so. */
static const char embedded_hints[] =
	"A.ROOT-SERVERS.NET. A 198.41.0.4\nA.ROOT-SERVERS.NET. AAAA 2001:503:ba3e::2:30\n"
	"B.ROOT-SERVERS.NET. A 170.247.170.2\nB.ROOT-SERVERS.NET. AAAA 2801:1b8:10::b\n"
	"C.ROOT-SERVERS.NET. A 192.33.4.12\nC.ROOT-SERVERS.NET. AAAA 2001:500:2::c\n"
	"D.ROOT-SERVERS.NET. A 199.7.91.13\nD.ROOT-SERVERS.NET. AAAA 2001:500:2d::d\n"
	"E.ROOT-SERVERS.NET. A 192.203.230.10\nE.ROOT-SERVERS.NET. AAAA 2001:500:a8::e\n"
	"F.ROOT-SERVERS.NET. A 192.5.5.241\nF.ROOT-SERVERS.NET. AAAA 2001:500:2f::f\n"
	"G.ROOT-SERVERS.NET. A 192.112.36.4\nG.ROOT-SERVERS.NET. AAAA 2001:500:12::d0d\n"
	"H.ROOT-SERVERS.NET. A 198.97.190.53\nH.ROOT-SERVERS.NET. AAAA 2001:500:1::53\n"
	"I.ROOT-SERVERS.NET. A 192.36.148.17\nI.ROOT-SERVERS.NET. AAAA 2001:7fe::53\n"
	"J.ROOT-SERVERS.NET. A 192.58.128.30\nJ.ROOT-SERVERS.NET. AAAA 2001:503:c27::2:30\n"
	"K.ROOT-SERVERS.NET. A 193.0.14.129\nK.ROOT-SERVERS.NET. AAAA 2001:7fd::1\n"
	"L.ROOT-SERVERS.NET. A 199.7.83.42\nL.ROOT-SERVERS.NET. AAAA 2001:500:9f::42\n"
	"M.ROOT-SERVERS.NET. A 202.12.27.33\nM.ROOT-SERVERS.NET. AAAA 2001:dc3::35\n";

int targets_addr_parse(const char *text, probe_target_t *t)
{
	memset(t, 0, sizeof *t);
	struct sockaddr_in *s4 = (struct sockaddr_in *)&t->sa;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&t->sa;
	if (inet_pton(AF_INET, text, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(53);
		t->salen = sizeof *s4;
		t->addr.family = 4;
		memcpy(t->addr.a, &s4->sin_addr, 4);
	} else if (inet_pton(AF_INET6, text, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(53);
		t->salen = sizeof *s6;
		t->addr.family = 6;
		memcpy(t->addr.a, &s6->sin6_addr, 16);
	} else {
		return -1;
	}
	ip_addr2str(&t->addr, t->text, sizeof t->text);
	return 0;
}

static int family_wanted(uint8_t families, const ip_addr_t *a)
{
	return (a->family == 4 && (families & PROBE_FAM_4)) || (a->family == 6 && (families & PROBE_FAM_6));
}

/* Add a target unless it is there already (a hints file may repeat one). */
static int targets_add(probe_targets_t *out, const probe_target_t *t, char *err, size_t errlen)
{
	for (uint32_t i = 0; i < out->n; i++)
		if (ip_addr_equal(&out->t[i].addr, &t->addr))
			return 0;
	if (out->n == PROBE_MAX_TARGETS)
		return snprintf(err, errlen, "more than %d targets", PROBE_MAX_TARGETS), -1;
	out->t[out->n++] = *t;
	return 0;
}

/* One hints line: "NAME [TTL] [IN] A|AAAA ADDR"; anything else (NS lines,
 * comments) is skipped. 1: a target, 0: nothing, -1: a bad address. */
static int hints_line(char *line, probe_target_t *t)
{
	char *tok[6];
	int n = 0;
	char *semi = strchr(line, ';');
	if (semi)
		*semi = '\0';
	for (char *save = NULL, *p = strtok_r(line, " \t\r", &save); p && n < 6; p = strtok_r(NULL, " \t\r", &save))
		tok[n++] = p;
	for (int i = 1; i + 1 < n; i++) {
		if (strcasecmp(tok[i], "A") != 0 && strcasecmp(tok[i], "AAAA") != 0)
			continue;
		if (targets_addr_parse(tok[i + 1], t) < 0 || t->addr.family != (tok[i][1] ? 6 : 4))
			return -1;
		snprintf(t->name, sizeof t->name, "%s", tok[0]);
		return 1;
	}
	return 0;
}

int targets_hints_parse(const char *text, size_t len, uint8_t families, probe_targets_t *out, char *err,
                        size_t errlen)
{
	char line[512];
	size_t pos = 0;
	unsigned lineno = 0;
	while (pos < len) {
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		lineno++;
		size_t n = end - pos < sizeof line - 1 ? end - pos : sizeof line - 1;
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos = end + 1;
		probe_target_t t;
		int rc = hints_line(line, &t);
		if (rc < 0)
			return snprintf(err, errlen, "line %u: not an address of its type", lineno), -1;
		if (rc == 1 && family_wanted(families, &t.addr) && targets_add(out, &t, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int targets_from_hints_file(const char *path, uint8_t families, probe_targets_t *out, char *err,
                                   size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return snprintf(err, errlen, "%s: %s", path, strerror(errno)), -1;
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	char why[256];
	if (targets_hints_parse(buf, n, families, out, why, sizeof why) < 0)
		return snprintf(err, errlen, "%s: %s", path, why), -1;
	if (out->n == 0)
		return snprintf(err, errlen, "%s: no root server address of the chosen families", path), -1;
	snprintf(out->source, sizeof out->source, "%s", path);
	return 0;
}

int targets_from_cfg(const probe_cfg_t *cfg, const char *from_what, probe_targets_t *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (cfg->nservers) {
		for (uint32_t i = 0; i < cfg->nservers; i++) {
			probe_target_t t;
			if (targets_addr_parse(cfg->servers[i], &t) < 0)
				return snprintf(err, errlen, "server '%s': expected an IPv4 or IPv6 address (names are not "
				                             "looked up)", cfg->servers[i]), -1;
			if (family_wanted(cfg->families, &t.addr) && targets_add(out, &t, err, errlen) < 0)
				return -1;
		}
		if (out->n == 0)
			return snprintf(err, errlen, "no server of the chosen address families"), -1;
		snprintf(out->source, sizeof out->source, "%s", from_what);
		return 0;
	}
	if (cfg->hints[0])
		return targets_from_hints_file(cfg->hints, cfg->families, out, err, errlen);
	char why[200];
	if (targets_from_hints_file(TARGETS_DEFAULT_HINTS, cfg->families, out, why, sizeof why) == 0)
		return 0;
	memset(out, 0, sizeof *out);
	if (targets_hints_parse(embedded_hints, sizeof embedded_hints - 1, cfg->families, out, err, errlen) < 0)
		return -1;
	snprintf(out->source, sizeof out->source, "embedded root hints of %s (%.200s)", TARGETS_EMBEDDED_DATE, why);
	return 0;
}

static int prefix_match(const uint8_t *a, const uint8_t *p, unsigned bits)
{
	unsigned bytes = bits / 8, rest = bits % 8;
	if (memcmp(a, p, bytes) != 0)
		return 0;
	return rest == 0 || ((a[bytes] ^ p[bytes]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

int targets_addr_is_lab(const ip_addr_t *a)
{
	static const struct { uint8_t family; uint8_t p[16]; unsigned bits; } lab[] = {
		{ 4, { 192, 0, 2 }, 24 },
		{ 4, { 198, 51, 100 }, 24 },
		{ 4, { 203, 0, 113 }, 24 },
		{ 4, { 127 }, 8 },
		{ 6, { 0x20, 0x01, 0x0d, 0xb8 }, 32 },
		{ 6, { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 128 },
	};
	for (size_t i = 0; i < sizeof lab / sizeof lab[0]; i++)
		if (a->family == lab[i].family && prefix_match(a->a, lab[i].p, lab[i].bits))
			return 1;
	return 0;
}

int targets_lab_mode(void)
{
	const char *v = getenv("DNSFRAG_LAB");
	return v && strcmp(v, "1") == 0;
}

int targets_lab_check(const probe_targets_t *t, char *err, size_t errlen)
{
	if (!targets_lab_mode())
		return 0;
	for (uint32_t i = 0; i < t->n; i++)
		if (!targets_addr_is_lab(&t->t[i].addr))
			return snprintf(err, errlen, "DNSFRAG_LAB=1: refusing %s (%s): only 192.0.2.0/24, 198.51.100.0/24, "
			                             "203.0.113.0/24, 2001:db8::/32 and loopback may be probed",
			                t->t[i].text, t->source), -1;
	return 0;
}
