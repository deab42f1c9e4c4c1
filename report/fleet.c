/* fleet.c - the matrix tables and the JSON reader of dnsfrag-report (fleet.h).
 * Every byte of input is hostile: values are checked for type and range, names
 * for length and control characters, tables for their limits; a parse error
 * names the file and the byte offset. libjansson limits nesting depth (2048). */
#include "fleet.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small tables */

static int names_find(names_t *t, const char *s, int add)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i], s) == 0)
			return (int)i;
	if (!add || t->n >= t->max)
		return -1;
	if (t->n == t->cap) {
		uint32_t nc = t->cap ? t->cap * 2 : 16;
		char **nv = realloc(t->v, nc * sizeof *nv);
		if (!nv)
			return -1;
		t->v = nv;
		t->cap = nc;
	}
	if (!(t->v[t->n] = strdup(s)))
		return -1;
	return (int)t->n++;
}

static uint32_t cell_hash(uint32_t site, uint32_t server, uint8_t fam, uint32_t size)
{
	uint64_t h = 1469598103934665603ULL;
	uint32_t k[4] = { site, server, fam, size };
	for (int i = 0; i < 4; i++) {
		h ^= k[i];
		h *= 1099511628211ULL;
	}
	return (uint32_t)(h ^ (h >> 32));
}

static cell_t *cell_get(fleet_t *f, uint32_t site, uint32_t server, uint8_t fam, uint32_t size)
{
	if (f->ncells * 2 >= f->cap) {
		if (f->cap >= FLEET_MAX_CELLS)
			return NULL;
		uint32_t nc = f->cap ? f->cap * 2 : 1024;
		cell_t *nv = calloc(nc, sizeof *nv);
		if (!nv)
			return NULL;
		for (uint32_t i = 0; i < f->cap; i++) {
			if (!f->cells[i].used)
				continue;
			cell_t *o = &f->cells[i];
			uint32_t j = cell_hash(o->site, o->server, o->family, o->size) & (nc - 1);
			while (nv[j].used)
				j = (j + 1) & (nc - 1);
			nv[j] = *o;
		}
		free(f->cells);
		f->cells = nv;
		f->cap = nc;
	}
	uint32_t j = cell_hash(site, server, fam, size) & (f->cap - 1);
	while (f->cells[j].used) {
		cell_t *c = &f->cells[j];
		if (c->site == site && c->server == server && c->family == fam && c->size == size)
			return c;
		j = (j + 1) & (f->cap - 1);
	}
	cell_t *c = &f->cells[j];
	*c = (cell_t){ .site = site, .server = server, .family = fam, .size = size, .used = 1 };
	f->ncells++;
	return c;
}

static void instance_set(fleet_t *f, uint32_t site, uint32_t server, const char *name)
{
	for (uint32_t i = 0; i < f->ninst; i++)
		if (f->inst[i].site == site && f->inst[i].server == server) {
			char *d = strdup(name);
			if (d) {
				free(f->inst[i].name);
				f->inst[i].name = d;
			}
			return;
		}
	if (f->ninst == f->inst_cap) {
		uint32_t nc = f->inst_cap ? f->inst_cap * 2 : 16;
		instance_t *nv = realloc(f->inst, nc * sizeof *nv);
		if (!nv)
			return;
		f->inst = nv;
		f->inst_cap = nc;
	}
	char *d = strdup(name);
	if (d)
		f->inst[f->ninst++] = (instance_t){ site, server, d };
}

const char *fleet_instance_get(const fleet_t *f, uint32_t site, uint32_t server)
{
	for (uint32_t i = 0; i < f->ninst; i++)
		if (f->inst[i].site == site && f->inst[i].server == server)
			return f->inst[i].name;
	return NULL;
}

void fleet_free(fleet_t *f)
{
	for (uint32_t i = 0; i < f->sites.n; i++)
		free(f->sites.v[i]);
	for (uint32_t i = 0; i < f->servers.n; i++)
		free(f->servers.v[i]);
	for (uint32_t i = 0; i < f->ninst; i++)
		free(f->inst[i].name);
	free(f->sites.v);
	free(f->servers.v);
	free(f->cells);
	free(f->inst);
}

int fleet_cell_health(const cell_counts_t *c)
{
	if (!c->total)
		return H_UNKNOWN;
	if (c->failed_both)
		return H_CRITICAL;
	if (c->frags_lost || c->delivered < c->total)
		return H_WARNING;
	return H_OK;
}

/* ---- reading one JSON value (a report or a JSON Lines record) */

static uint64_t jget_uint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
}

static const char *jget_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int valid_name(const char *s)
{
	if (!s || !*s || strlen(s) >= FLEET_MAX_NAME)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

static int fleet_add_path(fleet_t *f, uint32_t site, json_t *path, const char *file, char *err, size_t errlen)
{
	const char *server = jget_str(path, "server");
	uint64_t fam = jget_uint(path, "family");
	json_t *sizes = json_object_get(path, "sizes");
	if (!valid_name(server) || (fam != 4 && fam != 6) || !json_is_array(sizes)) {
		snprintf(err, errlen, "%s: a path without a valid server, family or sizes", file);
		return -1;
	}
	int sv = names_find(&f->servers, server, 1);
	if (sv < 0) {
		snprintf(err, errlen, "%s: too many servers (at most %u) or out of memory", file, FLEET_MAX_SERVERS);
		return -1;
	}
	size_t i;
	json_t *row;
	json_array_foreach(sizes, i, row) {
		json_t *counts = json_object_get(row, "counts");
		if (!json_is_object(row) || !json_is_object(counts)) {
			snprintf(err, errlen, "%s: server %s: a size row without counts", file, server);
			return -1;
		}
		uint64_t size = jget_uint(row, "answer_size");
		if (size > 65535)
			size = 65535;
		cell_t *c = cell_get(f, site, (uint32_t)sv, (uint8_t)fam, (uint32_t)size);
		if (!c) {
			snprintf(err, errlen, "%s: the matrix is full (%u cells) or out of memory", file, FLEET_MAX_CELLS / 2);
			return -1;
		}
		json_t *verd = json_object_get(counts, "verdicts"), *tcp = json_object_get(counts, "tcp");
		c->c.total += jget_uint(counts, "transactions");
		c->c.delivered += jget_uint(counts, "delivered");
		c->c.failed_both += jget_uint(counts, "failed_both");
		c->c.frags_lost += jget_uint(verd, "fragments-lost") + jget_uint(verd, "overlap-discarded");
		c->c.fragmented += jget_uint(verd, "fragmented");
		c->c.tcp_fail += jget_uint(tcp, "reset") + jget_uint(tcp, "syn-timeout") +
		                 jget_uint(tcp, "handshake-then-stall");
	}
	return 0;
}

static void fleet_add_instances(fleet_t *f, uint32_t site, json_t *arr)
{
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e) {
		const char *server = jget_str(e, "server");
		const char *name = jget_str(e, "nsid");
		if (!name)
			name = jget_str(e, "hostname_bind");
		if (!valid_name(server) || !valid_name(name))
			continue;
		int sv = names_find(&f->servers, server, 1);
		if (sv >= 0)
			instance_set(f, site, (uint32_t)sv, name);
	}
}

/* One JSON value: a dnsfrag-report/1 document or a dnsfrag-jsonl/1 record. */
static int fleet_add_value(fleet_t *f, json_t *doc, const char *file, size_t offset, char *err, size_t errlen)
{
	const char *schema = jget_str(doc, "schema");
	if (!json_is_object(doc) || !schema ||
	    (strcmp(schema, "dnsfrag-report/1") != 0 && strcmp(schema, "dnsfrag-jsonl/1") != 0)) {
		snprintf(err, errlen, "%s: byte %zu: not a dnsfrag-report/1 or dnsfrag-jsonl/1 object", file, offset);
		return -1;
	}
	json_t *run = json_object_get(doc, "run");
	const char *site = jget_str(doc, "site");
	if (!site)
		site = jget_str(run, "site");
	if (!site)
		site = "-";
	if (!valid_name(site)) {
		snprintf(err, errlen, "%s: byte %zu: an invalid site name", file, offset);
		return -1;
	}
	int st = names_find(&f->sites, site, 1);
	if (st < 0) {
		snprintf(err, errlen, "%s: too many sites (at most %u) or out of memory", file, FLEET_MAX_SITES);
		return -1;
	}
	const char *record = jget_str(doc, "record");
	if (!record || strcmp(record, "path") != 0) /* a report, or a JSON Lines summary: one run */
		f->docs++;
	if (!f->site0[0])
		snprintf(f->site0, sizeof f->site0, "%s", site);
	const char *ph = jget_str(run, "profile_sha256");
	if (ph && !f->profile_hash[0])
		snprintf(f->profile_hash, sizeof f->profile_hash, "%s", ph);
	if (json_is_array(json_object_get(run, "instances")))
		fleet_add_instances(f, (uint32_t)st, json_object_get(run, "instances"));
	json_t *probe = json_object_get(doc, "probe");
	if (json_is_array(json_object_get(probe, "identity")))
		fleet_add_instances(f, (uint32_t)st, json_object_get(probe, "identity"));
	if (record) { /* JSON Lines: a path record is one path; the summary has none */
		if (strcmp(record, "path") == 0)
			return fleet_add_path(f, (uint32_t)st, doc, file, err, errlen);
		return 0;
	}
	json_t *paths = json_object_get(doc, "paths");
	if (!json_is_array(paths)) {
		snprintf(err, errlen, "%s: byte %zu: a report without \"paths\"", file, offset);
		return -1;
	}
	size_t i;
	json_t *p;
	json_array_foreach(paths, i, p) {
		if (!json_is_object(p)) {
			snprintf(err, errlen, "%s: byte %zu: a path that is not an object", file, offset);
			return -1;
		}
		if (fleet_add_path(f, (uint32_t)st, p, file, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* Read every JSON value of a file (one report, or JSON Lines), one at a time. */
int fleet_read_file(fleet_t *f, const char *file, char *err, size_t errlen)
{
	FILE *in = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
	if (!in) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	int rc = 0, nvalues = 0;
	size_t offset = 0;
	for (;;) {
		int ch;
		while ((ch = getc(in)) == ' ' || ch == '\n' || ch == '\r' || ch == '\t')
			offset++;
		if (ch == EOF)
			break;
		ungetc(ch, in);
		json_error_t je;
		json_t *doc = json_loadf(in, JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &je);
		if (!doc) {
			snprintf(err, errlen, "%s: byte %zu: %s", file, offset + (size_t)(je.position > 0 ? je.position : 0),
			         je.text);
			rc = -1;
			break;
		}
		size_t start = offset;
		offset += (size_t)je.position;
		if ((size_t)je.position > FLEET_MAX_VALUE) {
			snprintf(err, errlen, "%s: byte %zu: a JSON value larger than 64 MiB", file, start);
			json_decref(doc);
			rc = -1;
			break;
		}
		rc = fleet_add_value(f, doc, file, start, err, errlen);
		json_decref(doc);
		nvalues++;
		if (rc < 0)
			break;
	}
	if (rc == 0 && nvalues == 0) {
		snprintf(err, errlen, "%s: no JSON report in it", file);
		rc = -1;
	}
	if (in != stdin)
		fclose(in);
	return rc;
}

