/* cursor.h - the one bounds-checked reader for every byte from a packet or a file.
 *
 * Modelled on Knot DNS's wire_ctx_t: a read past the end yields zero and sets a
 * sticky error, so a decoder reads a whole header and checks cursor_ok() once.
 * A child cursor is clamped to a length field (IP total length, UDP length), so a
 * lying length can never widen what a decoder may read.
 *
 * Buffer contract: the cursor never owns or copies its bytes; they must outlive it.
 */
#ifndef DNSFRAG_COMMON_CURSOR_H
#define DNSFRAG_COMMON_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct cursor {
	const uint8_t *base; /* first byte */
	size_t len;          /* bytes readable from base */
	size_t pos;          /* next byte to read */
	int err;             /* sticky: non-zero once a read went past the end */
} cursor_t;

static inline cursor_t cursor_make(const uint8_t *base, size_t len)
{
	cursor_t c = { base, base ? len : 0, 0, 0 };
	return c;
}

static inline int cursor_ok(const cursor_t *c) { return c->err == 0; }
static inline size_t cursor_left(const cursor_t *c) { return c->err ? 0 : c->len - c->pos; }
static inline size_t cursor_pos(const cursor_t *c) { return c->pos; }
/* Pointer to the next unread byte; only valid for cursor_left() bytes. */
static inline const uint8_t *cursor_ptr(const cursor_t *c) { return c->base + c->pos; }

/* Reserve n bytes: returns a pointer to them, or NULL and sets the error. */
static inline const uint8_t *cursor_take(cursor_t *c, size_t n)
{
	if (c->err || n > c->len - c->pos) {
		c->err = 1;
		c->pos = c->len;
		return NULL;
	}
	const uint8_t *p = c->base + c->pos;
	c->pos += n;
	return p;
}

static inline uint8_t cursor_u8(cursor_t *c)
{
	const uint8_t *p = cursor_take(c, 1);
	return p ? p[0] : 0;
}

static inline uint16_t cursor_u16(cursor_t *c) /* network order on the wire */
{
	const uint8_t *p = cursor_take(c, 2);
	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

static inline uint32_t cursor_u32(cursor_t *c)
{
	const uint8_t *p = cursor_take(c, 4);
	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

/* Host byte order readers, for capture headers written by the capturing host. */
static inline uint32_t cursor_u32le(cursor_t *c)
{
	const uint8_t *p = cursor_take(c, 4);
	return p ? (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0] : 0;
}

static inline void cursor_skip(cursor_t *c, size_t n) { (void)cursor_take(c, n); }

/* Copy n bytes out; on overrun the destination is zeroed and the error set. */
static inline void cursor_copy(cursor_t *c, void *dst, size_t n)
{
	const uint8_t *p = cursor_take(c, n);
	if (p)
		memcpy(dst, p, n);
	else
		memset(dst, 0, n);
}

/* A child cursor over the next n bytes, advancing the parent past them. When
 * fewer than n remain the child gets what is there and *short_by tells how much
 * is missing (capture too short), so callers can tell truncated from invalid. */
static inline cursor_t cursor_child(cursor_t *c, size_t n, size_t *short_by)
{
	size_t have = cursor_left(c);
	size_t take = n <= have ? n : have;
	cursor_t child = cursor_make(c->err ? NULL : c->base + c->pos, take);
	if (short_by)
		*short_by = n - take;
	c->pos += c->err ? 0 : take;
	return child;
}

/* Random access without moving: the byte at absolute offset off, or -1. */
static inline int cursor_peek_u8(const cursor_t *c, size_t off)
{
	return off < c->len ? c->base[off] : -1;
}

#endif /* DNSFRAG_COMMON_CURSOR_H */
