/* wbuf.h - the bounds-checked writer DNS messages are built with (the
 * responder's answers, the probe's crafted queries).
 *
 * The mirror of common/cursor.h: a write past the capacity writes nothing and
 * sets a sticky error, so a builder writes a whole message and checks
 * wbuf_ok() once. Multi-byte fields are written in network order.
 *
 * Buffer contract: the writer never owns its bytes; base must hold cap bytes
 * and outlive the writer.
 */
#ifndef DNSFRAG_COMMON_WBUF_H
#define DNSFRAG_COMMON_WBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct wbuf {
	uint8_t *base;
	size_t cap; /* bytes writable at base */
	size_t len; /* bytes written */
	int err;    /* sticky: non-zero once a write did not fit */
} wbuf_t;

static inline wbuf_t wbuf_make(uint8_t *base, size_t cap)
{
	wbuf_t w = { base, base ? cap : 0, 0, 0 };
	return w;
}

static inline int wbuf_ok(const wbuf_t *w) { return w->err == 0; }

/* Reserve n bytes at the end: a pointer to them, or NULL and the error set. */
static inline uint8_t *wbuf_reserve(wbuf_t *w, size_t n)
{
	if (w->err || n > w->cap - w->len) {
		w->err = 1;
		return NULL;
	}
	uint8_t *p = w->base + w->len;
	w->len += n;
	return p;
}

static inline void wbuf_u8(wbuf_t *w, uint8_t v)
{
	uint8_t *p = wbuf_reserve(w, 1);
	if (p)
		p[0] = v;
}

static inline void wbuf_u16(wbuf_t *w, uint16_t v)
{
	uint8_t *p = wbuf_reserve(w, 2);
	if (p) {
		p[0] = (uint8_t)(v >> 8);
		p[1] = (uint8_t)v;
	}
}

static inline void wbuf_u32(wbuf_t *w, uint32_t v)
{
	uint8_t *p = wbuf_reserve(w, 4);
	if (p) {
		p[0] = (uint8_t)(v >> 24);
		p[1] = (uint8_t)(v >> 16);
		p[2] = (uint8_t)(v >> 8);
		p[3] = (uint8_t)v;
	}
}

static inline void wbuf_bytes(wbuf_t *w, const void *src, size_t n)
{
	uint8_t *p = wbuf_reserve(w, n);
	if (p && n)
		memcpy(p, src, n);
}

/* Overwrite a 16-bit field already written at offset off (counts, RDLENGTH). */
static inline void wbuf_patch_u16(wbuf_t *w, size_t off, uint16_t v)
{
	if (w->err || off > w->len || w->len - off < 2) {
		w->err = 1;
		return;
	}
	w->base[off] = (uint8_t)(v >> 8);
	w->base[off + 1] = (uint8_t)v;
}

#endif /* DNSFRAG_COMMON_WBUF_H */
