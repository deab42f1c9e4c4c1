/* query.c - read one DNS query (see query.h; RFC 1035 §4.1, RFC 6891 §6). */
#include "query.h"

#include <string.h>

#include "cursor.h"

/* Read the question name at the cursor: labels only (a compression pointer in
 * the only name before it could point nowhere but the header), at most 255
 * bytes. Fills the lower-cased copy and the label offsets. NULL on success,
 * else why the name is malformed. */
static const char *query_name_read(cursor_t *c, query_t *q)
{
	size_t wire = 0;
	q->nlabels = 0;
	for (;;) {
		uint8_t len = cursor_u8(c);
		if (!cursor_ok(c))
			return "question name runs past the end";
		if ((len & 0xc0) == 0xc0)
			return "compression pointer in the question name";
		if (len & 0xc0)
			return "reserved label type in the question name";
		if (wire + 1 + len > QUERY_NAME_MAX)
			return "question name longer than 255 bytes";
		if (len == 0) {
			q->lname[wire++] = 0;
			break;
		}
		const uint8_t *label = cursor_take(c, len);
		if (!label)
			return "question name runs past the end";
		if (q->nlabels >= QUERY_LABELS_MAX)
			return "too many labels"; /* cannot happen within 255 bytes */
		q->label_off[q->nlabels++] = (uint8_t)wire;
		q->lname[wire++] = len;
		for (size_t i = 0; i < len; i++) {
			uint8_t ch = label[i];
			q->lname[wire++] = (ch >= 'A' && ch <= 'Z') ? (uint8_t)(ch - 'A' + 'a') : ch;
		}
	}
	q->qname_len = wire;
	return NULL;
}

/* Skip a name in a record (compression allowed; never followed). */
static int query_name_skip(cursor_t *c)
{
	size_t wire = 0;
	for (;;) {
		uint8_t len = cursor_u8(c);
		if (!cursor_ok(c))
			return -1;
		if ((len & 0xc0) == 0xc0) {
			(void)cursor_u8(c);
			return cursor_ok(c) ? 0 : -1;
		}
		if (len & 0xc0)
			return -1;
		wire += (size_t)len + 1;
		if (wire > QUERY_NAME_MAX)
			return -1;
		if (len == 0)
			return 0;
		cursor_skip(c, len);
	}
}

/* The additional section: find the one OPT, check its owner and options. */
static query_status_t query_additional_read(cursor_t *c, query_t *q)
{
	for (unsigned i = 0; i < q->arcount; i++) {
		size_t owner_at = cursor_pos(c);
		if (query_name_skip(c) < 0) {
			q->why = "additional record name malformed";
			return QUERY_FORMERR;
		}
		size_t owner_len = cursor_pos(c) - owner_at;
		uint16_t type = cursor_u16(c);
		uint16_t klass = cursor_u16(c);
		uint32_t ttl = cursor_u32(c);
		uint16_t rdlen = cursor_u16(c);
		size_t short_by = 0;
		cursor_t rdata = cursor_child(c, rdlen, &short_by);
		if (!cursor_ok(c) || short_by) {
			q->why = "additional record runs past the end";
			return QUERY_FORMERR;
		}
		if (type != DNS_T_OPT)
			continue; /* TSIG, SIG(0) and the like: not ours to check */
		if (q->has_opt) {
			q->why = "more than one OPT record";
			return QUERY_FORMERR;
		}
		if (owner_len != 1) {
			q->why = "OPT record not owned by the root";
			return QUERY_FORMERR;
		}
		while (cursor_left(&rdata) > 0) { /* options: code(2) length(2) data */
			(void)cursor_u16(&rdata);
			uint16_t olen = cursor_u16(&rdata);
			cursor_skip(&rdata, olen);
			if (!cursor_ok(&rdata)) {
				q->why = "EDNS option runs past the OPT record";
				return QUERY_FORMERR;
			}
		}
		q->has_opt = 1;
		q->udp_size = klass;
		q->edns_version = (uint8_t)(ttl >> 16);
		q->do_bit = (ttl & 0x8000) ? 1 : 0;
	}
	return QUERY_OK;
}

query_status_t query_parse(const uint8_t *msg, size_t len, query_t *q)
{
	memset(q, 0, sizeof(*q));
	cursor_t c = cursor_make(msg, len);
	q->id = cursor_u16(&c);
	q->flags = cursor_u16(&c);
	q->qdcount = cursor_u16(&c);
	q->ancount = cursor_u16(&c);
	q->nscount = cursor_u16(&c);
	q->arcount = cursor_u16(&c);
	if (!cursor_ok(&c))
		return QUERY_DROP; /* no header to answer */
	if (q->flags & 0x8000)
		return QUERY_DROP; /* a response: never answer one */
	q->opcode = (uint8_t)((q->flags >> 11) & 0x0f);
	q->rd = (q->flags & 0x0100) ? 1 : 0;
	q->cd = (q->flags & 0x0010) ? 1 : 0;

	if (q->qdcount == 1) {
		size_t at = cursor_pos(&c);
		const char *why = query_name_read(&c, q);
		q->qtype = cursor_u16(&c);
		q->qclass = cursor_u16(&c);
		if (why || !cursor_ok(&c)) {
			q->why = why ? why : "question runs past the end";
			return QUERY_FORMERR;
		}
		q->has_question = 1;
		q->question = msg + at;
		q->question_len = cursor_pos(&c) - at;
	}
	if (q->opcode != 0)
		return QUERY_NOTIMP;
	if (q->qdcount != 1) {
		q->why = "question count is not 1";
		return QUERY_FORMERR;
	}
	if (q->ancount != 0 || q->nscount != 0) {
		q->why = "a query with answer or authority records";
		return QUERY_FORMERR;
	}
	return query_additional_read(&c, q);
}

unsigned query_udp_limit(const query_t *q)
{
	if (!q->has_opt || q->udp_size < 512)
		return 512;
	return q->udp_size;
}

const uint8_t *query_label(const query_t *q, unsigned i, unsigned *len)
{
	if (i >= q->nlabels) {
		*len = 0;
		return NULL;
	}
	const uint8_t *p = q->lname + q->label_off[i];
	*len = p[0];
	return p + 1;
}
