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

static uint32_t cell_hash(uint32_t site, uint32_t server, uint8_t fam, uint32_t size, uint8_t do_bit)
{
	uint64_t h = 1469598103934665603ULL;
	uint32_t k[5] = { site, server, fam, size, do_bit };
	for (int i = 0; i < 5; i++) {
		h ^= k[i];
		h *= 1099511628211ULL;
	}
	return (uint32_t)(h ^ (h >> 32));
}

static cell_t *cell_get(fleet_t *f, uint32_t site, uint32_t server, uint8_t fam, uint32_t size, uint8_t do_bit)
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
			uint32_t j = cell_hash(o->site, o->server, o->family, o->size, o->do_bit) & (nc - 1);
			while (nv[j].used)
				j = (j + 1) & (nc - 1);
			nv[j] = *o;
		}
		free(f->cells);
		f->cells = nv;
		f->cap = nc;
	}
	uint32_t j = cell_hash(site, server, fam, size, do_bit) & (f->cap - 1);
	while (f->cells[j].used) {
		cell_t *c = &f->cells[j];
		if (c->site == site && c->server == server && c->family == fam && c->size == size && c->do_bit == do_bit)
			return c;
		j = (j + 1) & (f->cap - 1);
	}
	cell_t *c = &f->cells[j];
	*c = (cell_t){ .site = site, .server = server, .family = fam, .size = size, .do_bit = do_bit, .used = 1 };
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
	for (uint32_t i = 0; i < f->nruns; i++) {
		fleet_run_t *r = &f->runs[i];
		char **v[] = { &r->file, &r->site, &r->id, &r->tool, &r->version, &r->start, &r->end, &r->profile,
			       &r->profile_sha256, &r->headline, &r->health, &r->fam_health[0], &r->fam_health[1],
			       &r->fam_sentence[0], &r->fam_sentence[1] };
		for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
			free(*v[k]);
	}
	free(f->runs);
	free(f->sites.v);
	free(f->servers.v);
	free(f->cells);
	free(f->inst);
}

int fleet_cell_health(const cell_counts_t *c)
{
	if (!c->total)
		return H_UNKNOWN;
	if (c->critical)
		return H_CRITICAL;
	if (fleet_frags_lost(c) || c->delivered < c->total)
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
		uint8_t do_bit = json_is_true(json_object_get(row, "do"));
		cell_t *c = cell_get(f, site, (uint32_t)sv, (uint8_t)fam, (uint32_t)size, do_bit);
		if (!c) {
			snprintf(err, errlen, "%s: the matrix is full (%u cells) or out of memory", file, FLEET_MAX_CELLS / 2);
			return -1;
		}
		json_t *verd = json_object_get(counts, "verdicts"), *tcp = json_object_get(counts, "tcp");
		c->c.total += jget_uint(counts, "transactions");
		c->c.delivered += jget_uint(counts, "delivered");
		c->c.critical += jget_uint(counts, "failed_both");
		for (int v = 0; v < TXN_VERDICT_COUNT; v++)
			c->c.verdict[v] += jget_uint(verd, txn_verdict2str((txn_verdict_t)v));
		for (int o = 0; o < TXN_TCP_OUTCOME_COUNT; o++)
			c->c.tcp[o] += jget_uint(tcp, txn_tcp_outcome2str((txn_tcp_outcome_t)o));
		uint64_t mf = jget_uint(row, "max_fragments");
		if (mf > c->max_frags)
			c->max_frags = mf > 65535 ? 65535 : (uint32_t)mf;
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

/* A copy of an input string fit to show, or NULL. */
static char *text_dup(const char *s, size_t max)
{
	if (!s || !*s || strlen(s) >= max)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return NULL;
	return strdup(s);
}

/* What a report (or a JSON Lines summary) says about its run. */
static void fleet_add_run(fleet_t *f, json_t *doc, const char *file, const char *site)
{
	if (f->nruns >= FLEET_MAX_RUNS_KEPT)
		return;
	if (!f->runs && !(f->runs = calloc(FLEET_MAX_RUNS_KEPT, sizeof *f->runs)))
		return;
	fleet_run_t *r = &f->runs[f->nruns++];
	json_t *run = json_object_get(doc, "run");
	r->file = text_dup(file, FLEET_MAX_TEXT);
	r->site = text_dup(site, FLEET_MAX_NAME);
	r->id = text_dup(jget_str(run, "id"), FLEET_MAX_NAME);
	r->tool = text_dup(jget_str(run, "tool"), FLEET_MAX_NAME);
	r->version = text_dup(jget_str(run, "version"), FLEET_MAX_NAME);
	r->start = text_dup(jget_str(run, "start"), FLEET_MAX_NAME);
	r->end = text_dup(jget_str(run, "end"), FLEET_MAX_NAME);
	r->profile = text_dup(jget_str(run, "profile"), FLEET_MAX_TEXT);
	r->profile_sha256 = text_dup(jget_str(run, "profile_sha256"), FLEET_MAX_NAME);
	r->headline = text_dup(jget_str(doc, "headline"), FLEET_MAX_TEXT);
	r->health = text_dup(jget_str(doc, "health"), 16);
	json_t *fams = json_object_get(doc, "families");
	size_t i;
	json_t *fam;
	json_array_foreach(fams, i, fam) {
		uint64_t n = jget_uint(fam, "family");
		if ((n != 4 && n != 6) || r->fam_health[n == 6])
			continue;
		r->fam_health[n == 6] = text_dup(jget_str(fam, "health"), 16);
		r->fam_sentence[n == 6] = text_dup(jget_str(fam, "sentence"), FLEET_MAX_TEXT);
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
	if (!record || strcmp(record, "path") != 0) { /* a report, or a JSON Lines summary: one run */
		f->docs++;
		fleet_add_run(f, doc, file, site);
	}
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

