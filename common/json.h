/* json.h - a small streaming JSON writer with proper string escaping (RFC 8259).
 * The report writers use it instead of hand-quoted printf. Output is compact
 * with one newline at the end, or indented with indent > 0. */
#ifndef DNSFRAG_COMMON_JSON_H
#define DNSFRAG_COMMON_JSON_H

#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

/* Where a writer's output goes instead of a FILE (json_init_within). */
typedef void (*json_sink_fn)(void *ctx, const char *bytes, size_t n);

typedef struct json_writer {
	FILE *out;
	json_sink_fn sink;       /* when set, output goes here instead of out */
	void *sink_ctx;
	int indent;
	int depth;
	uint8_t need_comma[JSON_MAX_DEPTH];
	uint8_t after_key;
	char buf[16384];         /* output not yet written to out */
	size_t len;
} json_writer_t;

void json_init(json_writer_t *w, FILE *out, int indent);
void json_object_begin(json_writer_t *w);
void json_object_end(json_writer_t *w);
void json_array_begin(json_writer_t *w);
void json_array_end(json_writer_t *w);
void json_key(json_writer_t *w, const char *key);
void json_string(json_writer_t *w, const char *s);
void json_uint(json_writer_t *w, uint64_t v);
void json_int(json_writer_t *w, int64_t v);
void json_bool(json_writer_t *w, int v);
void json_null(json_writer_t *w);
/* Shorthands: a key and its value. */
void json_kv_string(json_writer_t *w, const char *key, const char *s);
void json_kv_uint(json_writer_t *w, const char *key, uint64_t v);
void json_kv_bool(json_writer_t *w, const char *key, int v);
/* Values that may be unknown: 0 / NULL or "" are written as null, never 0. */
void json_kv_uint_or_null(json_writer_t *w, const char *key, uint64_t v);
void json_kv_string_or_null(json_writer_t *w, const char *key, const char *s);
/* Finish the document with a newline and write out what the writer holds:
 * until then output may wait in the writer's buffer. */
void json_finish(json_writer_t *w);

/* Values of w's current container written by other writers (another thread,
 * report_json.c): json_sync(w) writes out what w holds; json_init_within sets
 * up a writer into sink that writes the next values of that container exactly
 * as w would (separator, indentation), after_values saying whether values
 * came before them; once they are out, json_values_written(w) tells w. */
void json_sync(json_writer_t *w);
void json_init_within(json_writer_t *inner, json_sink_fn sink, void *sink_ctx, const json_writer_t *w,
                      int after_values);
void json_values_written(json_writer_t *w);

#endif /* DNSFRAG_COMMON_JSON_H */
