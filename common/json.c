/* json.c - streaming JSON writer (see json.h). */
#include "json.h"

#include <inttypes.h>
#include <string.h>

/* Output goes through the writer's own buffer (json_writer_t.buf), written
 * with one fwrite when full and at json_finish. Writing the 30 MB report of a
 * resolver's capture with 600 servers (bench/run, 300 MB) a byte or a token
 * at a time through stdio took 0.10 s, 14% of the run; buffered, 0.02 s. */
static void json_flush(json_writer_t *w)
{
	if (w->len && w->sink)
		w->sink(w->sink_ctx, w->buf, w->len);
	else if (w->len)
		fwrite(w->buf, 1, w->len, w->out);
	w->len = 0;
}

static void json_put(json_writer_t *w, const char *p, size_t n)
{
	if (w->len + n > sizeof w->buf) {
		json_flush(w);
		if (n > sizeof w->buf) {
			if (w->sink)
				w->sink(w->sink_ctx, p, n);
			else
				fwrite(p, 1, n, w->out);
			return;
		}
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void json_putc(json_writer_t *w, char ch)
{
	if (w->len == sizeof w->buf)
		json_flush(w);
	w->buf[w->len++] = ch;
}

static void json_puts(json_writer_t *w, const char *s)
{
	json_put(w, s, strlen(s));
}

void json_init(json_writer_t *w, FILE *out, int indent)
{
	w->out = out;
	w->sink = NULL;
	w->sink_ctx = NULL;
	w->indent = indent;
	w->depth = 0;
	w->need_comma[0] = 0;
	w->after_key = 0;
	w->len = 0;
}

static void json_newline(json_writer_t *w)
{
	if (w->indent <= 0)
		return;
	size_t n = (size_t)w->depth * (size_t)w->indent;
	if (n < sizeof w->buf / 2) { /* the usual case: straight into the buffer */
		if (w->len + 1 + n > sizeof w->buf)
			json_flush(w);
		w->buf[w->len] = '\n';
		memset(w->buf + w->len + 1, ' ', n);
		w->len += 1 + n;
		return;
	}
	static const char spaces[] = "                                                                ";
	json_putc(w, '\n');
	while (n > 0) {
		size_t chunk = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
		json_put(w, spaces, chunk);
		n -= chunk;
	}
}

/* Separator and indentation before a value or a key. */
static void json_value_start(json_writer_t *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->need_comma[w->depth])
		json_putc(w, ',');
	if (w->depth > 0)
		json_newline(w);
	w->need_comma[w->depth] = 1;
}

static void json_open(json_writer_t *w, char ch)
{
	json_value_start(w);
	json_putc(w, ch);
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
	json_putc(w, ch);
}

void json_object_begin(json_writer_t *w) { json_open(w, '{'); }
void json_object_end(json_writer_t *w) { json_close(w, '}'); }
void json_array_begin(json_writer_t *w) { json_open(w, '['); }
void json_array_end(json_writer_t *w) { json_close(w, ']'); }

/* Bytes written as they are inside a JSON string (printable ASCII but '"' and
 * '\\'); NUL is not one, so a scan for the first other byte stops at the end.
 * The table halved json_escaped's instructions, which, keys included, was
 * the writer's largest part (cachegrind, bench/gencap -m 100 --json). */
static const uint8_t json_plain[256] = {
	[' ' ... '!'] = 1, ['#' ... '['] = 1, [']' ... '~'] = 1,
};

/* Bytes of s before the first one that needs escaping (or its NUL). */
static size_t json_plain_len(const char *s)
{
	size_t n = 0;
	while (json_plain[(unsigned char)s[n]])
		n++;
	return n;
}

static void json_escaped(json_writer_t *w, const char *s)
{
	size_t n = json_plain_len(s);
	json_putc(w, '"');
	json_put(w, s, n); /* what needs no escape: usually all of it */
	for (const unsigned char *p = (const unsigned char *)s + n; *p; p++) {
		switch (*p) {
		case '"': json_puts(w, "\\\""); break;
		case '\\': json_puts(w, "\\\\"); break;
		case '\n': json_puts(w, "\\n"); break;
		case '\r': json_puts(w, "\\r"); break;
		case '\t': json_puts(w, "\\t"); break;
		default:
			/* Control bytes and anything non-ASCII are escaped, so the output is
			 * valid UTF-8 whatever bytes a name carried. */
			if (*p < 0x20 || *p >= 0x7f) {
				char u[8];
				snprintf(u, sizeof u, "\\u%04x", *p);
				json_puts(w, u);
			} else {
				json_putc(w, (char)*p);
			}
		}
	}
	json_putc(w, '"');
}

/* A plain key of n bytes and its colon at o (room checked by the caller). */
static char *json_plain_key_at(const json_writer_t *w, char *o, const char *key, size_t n)
{
	*o++ = '"';
	memcpy(o, key, n);
	o += n;
	*o++ = '"';
	*o++ = ':';
	if (w->indent > 0)
		*o++ = ' ';
	return o;
}

/* v's decimal digits, ending at end; returns where they start (at most 20). */
static char *json_digits(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

void json_key(json_writer_t *w, const char *key)
{
	json_value_start(w);
	size_t n = json_plain_len(key);
	if (!key[n] && n < sizeof w->buf / 2) {
		/* A key that needs no escape (all of ours), written in one piece:
		 * keys are most of a report's tokens. */
		if (w->len + n + 4 > sizeof w->buf)
			json_flush(w);
		w->len = (size_t)(json_plain_key_at(w, w->buf + w->len, key, n) - w->buf);
	} else {
		json_escaped(w, key);
		json_puts(w, w->indent > 0 ? ": " : ":");
	}
	w->after_key = 1;
}

void json_string(json_writer_t *w, const char *s)
{
	json_value_start(w);
	json_escaped(w, s ? s : "");
}

void json_uint(json_writer_t *w, uint64_t v)
{
	char digits[20], *d = json_digits(digits + sizeof digits, v);
	json_value_start(w);
	json_put(w, d, (size_t)(digits + sizeof digits - d));
}

void json_int(json_writer_t *w, int64_t v)
{
	char digits[24];
	json_value_start(w);
	json_put(w, digits, (size_t)snprintf(digits, sizeof digits, "%" PRId64, v));
}

void json_bool(json_writer_t *w, int v)
{
	json_value_start(w);
	json_puts(w, v ? "true" : "false");
}

void json_null(json_writer_t *w)
{
	json_value_start(w);
	json_puts(w, "null");
}

void json_kv_string(json_writer_t *w, const char *key, const char *s)
{
	json_key(w, key);
	json_string(w, s);
}

/* A key and a number in one piece, the bytes json_key and json_uint would
 * write: the report's counts are most of its JSON (600 servers x 64 rows of
 * 16 counters on bench/run's 300 MB capture), and the two calls, their
 * separators and the buffer checks between them were most of its time. A key
 * that needs escaping, or a writer just after a key, goes the long way. */
void json_kv_uint(json_writer_t *w, const char *key, uint64_t v)
{
	size_t klen = json_plain_len(key);
	size_t ind = w->indent > 0 && w->depth > 0 ? (size_t)w->depth * (size_t)w->indent : 0;
	size_t most = 2 + ind + 2 + klen + 2 + 20; /* ",\n" indent "key": digits */
	if (key[klen] || w->after_key || most > sizeof w->buf / 2) {
		json_key(w, key);
		json_uint(w, v);
		return;
	}
	if (w->len + most > sizeof w->buf)
		json_flush(w);
	char *o = w->buf + w->len;
	if (w->need_comma[w->depth])
		*o++ = ',';
	if (ind) { /* json_newline: indented, and not at the top */
		*o++ = '\n';
		memset(o, ' ', ind);
		o += ind;
	}
	w->need_comma[w->depth] = 1;
	o = json_plain_key_at(w, o, key, klen);
	char digits[20], *d = json_digits(digits + sizeof digits, v);
	size_t n = (size_t)(digits + sizeof digits - d);
	memcpy(o, d, n);
	w->len = (size_t)(o + n - w->buf);
}

void json_kv_bool(json_writer_t *w, const char *key, int v)
{
	json_key(w, key);
	json_bool(w, v);
}

void json_finish(json_writer_t *w)
{
	json_putc(w, '\n');
	json_flush(w);
}

void json_sync(json_writer_t *w)
{
	json_flush(w);
}

void json_init_within(json_writer_t *inner, json_sink_fn sink, void *sink_ctx, const json_writer_t *w,
                      int after_values)
{
	json_init(inner, NULL, w->indent);
	inner->sink = sink;
	inner->sink_ctx = sink_ctx;
	inner->depth = w->depth;
	inner->need_comma[inner->depth] = (uint8_t)(after_values != 0);
}

void json_values_written(json_writer_t *w)
{
	w->need_comma[w->depth] = 1;
}

void json_kv_uint_or_null(json_writer_t *w, const char *key, uint64_t v)
{
	json_key(w, key);
	if (v)
		json_uint(w, v);
	else
		json_null(w);
}

void json_kv_string_or_null(json_writer_t *w, const char *key, const char *s)
{
	json_key(w, key);
	if (s && *s)
		json_string(w, s);
	else
		json_null(w);
}
