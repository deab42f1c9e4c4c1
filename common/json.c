/* json.c - streaming JSON writer (see json.h). */
#include "json.h"

#include <inttypes.h>

void json_init(json_writer_t *w, FILE *out, int indent)
{
	w->out = out;
	w->indent = indent;
	w->depth = 0;
	w->need_comma[0] = 0;
	w->after_key = 0;
}

static void json_newline(json_writer_t *w)
{
	if (w->indent <= 0)
		return;
	fputc('\n', w->out);
	for (int i = 0; i < w->depth * w->indent; i++)
		fputc(' ', w->out);
}

/* Separator and indentation before a value or a key. */
static void json_value_start(json_writer_t *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->need_comma[w->depth])
		fputc(',', w->out);
	if (w->depth > 0)
		json_newline(w);
	w->need_comma[w->depth] = 1;
}

static void json_open(json_writer_t *w, char ch)
{
	json_value_start(w);
	fputc(ch, w->out);
	if (w->depth + 1 < JSON_MAX_DEPTH)
		w->depth++;
	w->need_comma[w->depth] = 0;
}

static void json_close(json_writer_t *w, char ch)
{
	int had = w->need_comma[w->depth];
	if (w->depth > 0)
		w->depth--;
	if (had)
		json_newline(w);
	fputc(ch, w->out);
}

void json_object_begin(json_writer_t *w) { json_open(w, '{'); }
void json_object_end(json_writer_t *w) { json_close(w, '}'); }
void json_array_begin(json_writer_t *w) { json_open(w, '['); }
void json_array_end(json_writer_t *w) { json_close(w, ']'); }

static void json_escaped(json_writer_t *w, const char *s)
{
	fputc('"', w->out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", w->out); break;
		case '\\': fputs("\\\\", w->out); break;
		case '\n': fputs("\\n", w->out); break;
		case '\r': fputs("\\r", w->out); break;
		case '\t': fputs("\\t", w->out); break;
		default:
			/* Control bytes and anything non-ASCII are escaped, so the output is
			 * valid UTF-8 whatever bytes a name carried. */
			if (*p < 0x20 || *p >= 0x7f)
				fprintf(w->out, "\\u%04x", *p);
			else
				fputc(*p, w->out);
		}
	}
	fputc('"', w->out);
}

void json_key(json_writer_t *w, const char *key)
{
	json_value_start(w);
	json_escaped(w, key);
	fputs(w->indent > 0 ? ": " : ":", w->out);
	w->after_key = 1;
}

void json_string(json_writer_t *w, const char *s)
{
	json_value_start(w);
	json_escaped(w, s ? s : "");
}

void json_uint(json_writer_t *w, uint64_t v)
{
	json_value_start(w);
	fprintf(w->out, "%" PRIu64, v);
}

void json_int(json_writer_t *w, int64_t v)
{
	json_value_start(w);
	fprintf(w->out, "%" PRId64, v);
}

void json_bool(json_writer_t *w, int v)
{
	json_value_start(w);
	fputs(v ? "true" : "false", w->out);
}

void json_null(json_writer_t *w)
{
	json_value_start(w);
	fputs("null", w->out);
}

void json_kv_string(json_writer_t *w, const char *key, const char *s)
{
	json_key(w, key);
	json_string(w, s);
}

void json_kv_uint(json_writer_t *w, const char *key, uint64_t v)
{
	json_key(w, key);
	json_uint(w, v);
}

void json_kv_bool(json_writer_t *w, const char *key, int v)
{
	json_key(w, key);
	json_bool(w, v);
}

void json_finish(json_writer_t *w)
{
	fputc('\n', w->out);
}
