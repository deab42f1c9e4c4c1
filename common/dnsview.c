/* dnsview.c - header, question and OPT of a DNS message (see dnsview.h).
 *
 *   header: id(2) flags(2) qdcount ancount nscount arcount
 *   flags:  QR(1) opcode(4) AA TC RD RA Z AD CD rcode(4)
 *   RR:     name type(2) class(2) ttl(4) rdlength(2) rdata
 *   OPT:    name "." type 41, class = UDP size, ttl = ext-rcode(8) version(8) DO(1) Z(15)
 */
#include "dnsview.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <ldns/ldns.h>

#define DNS_MAX_POINTER_HOPS 64
#define DNS_NAME_WIRE_MAX 255
#define DNS_MAX_RRS_WALKED 4096

/* Label bytes written as they are in presentation form; the others are
 * escaped ("\." or "\DDD"). */
static const uint8_t dns_name_plain[256] = {
	['!'] = 1, ['#' ... '\''] = 1, ['*' ... '-'] = 1, ['/' ... ':'] = 1, ['<' ... '['] = 1,
	[']' ... '~'] = 1,
};

static const char *dns_name_walk(cursor_t *c, char *text, size_t text_len, size_t *text_out);

/* Read a name at the cursor into text (when text is non-NULL), following
 * compression pointers only backwards and at most DNS_MAX_POINTER_HOPS times.
 * The cursor ends after the name as it sits in the message. The text is
 * NUL-terminated whatever the outcome: the view is not cleared before a parse
 * (see dns_view_parse). */
static const char *dns_name_read(cursor_t *c, char *text, size_t text_len, size_t *text_out)
{
	size_t out = 0;
	const char *err = dns_name_walk(c, text, text_len, &out);
	if (text && err)
		text[out] = '\0';
	if (text_out)
		*text_out = out;
	return err;
}

static const char *dns_name_walk(cursor_t *c, char *text, size_t text_len, size_t *text_out)
{
	cursor_t at = *c;          /* where labels are read from now */
	int jumped = 0, hops = 0;
	size_t wire = 0, out = 0;
	size_t limit = at.pos;     /* a pointer must point before the current one */
	for (;;) {
		size_t label_pos = at.pos;
		uint8_t len = cursor_u8(&at);
		if (!cursor_ok(&at))
			return "name runs past the end";
		if ((len & 0xc0) == 0xc0) {
			uint16_t target = (uint16_t)((len & 0x3f) << 8 | cursor_u8(&at));
			if (!cursor_ok(&at))
				return "name runs past the end";
			if (!jumped)
				c->pos = at.pos;
			jumped = 1;
			if (target >= label_pos || target >= limit)
				return "compression pointer points forward";
			if (++hops > DNS_MAX_POINTER_HOPS)
				return "compression loop";
			limit = target;
			at.pos = target;
			continue;
		}
		if (len & 0xc0)
			return "reserved label type";
		wire += (size_t)len + 1;
		if (wire > DNS_NAME_WIRE_MAX)
			return "name longer than 255 bytes";
		if (len == 0)
			break;
		const uint8_t *label = cursor_take(&at, len);
		if (!label)
			return "name runs past the end";
		size_t i = 0;
		if (text && out + len + 5 < text_len) /* room for the label whatever it holds */
			while (i < len && dns_name_plain[label[i]])
				text[out++] = (char)label[i++];
		for (; text && i < len; i++) {
			uint8_t ch = label[i];
			if (out + 5 >= text_len)
				break;
			if (dns_name_plain[ch])
				text[out++] = (char)ch;
			else if (ch == '.' || ch == '\\' || ch == '"' || ch == ';' || ch == '(' || ch == ')')
				out += (size_t)snprintf(text + out, text_len - out, "\\%c", ch);
			else
				out += (size_t)snprintf(text + out, text_len - out, "\\%03u", ch);
		}
		if (text && out + 1 < text_len)
			text[out++] = '.';
		*text_out = out;
	}
	if (!jumped)
		c->pos = at.pos;
	if (text) {
		if (out == 0)
			text[out++] = '.';
		text[out] = '\0';
	}
	*text_out = out;
	return NULL;
}

/* Options in the OPT RDATA: an option overrunning the RDATA is malformed. */
static const char *dns_opt_options_read(cursor_t rdata, dns_view_t *v)
{
	while (cursor_left(&rdata) > 0) {
		uint16_t code = cursor_u16(&rdata);
		uint16_t len = cursor_u16(&rdata);
		size_t short_by;
		cursor_t body = cursor_child(&rdata, len, &short_by);
		if (!cursor_ok(&rdata) || short_by)
			return "EDNS option overruns the OPT record";
		v->opt_options++;
		if (code == DNS_OPT_NSID)
			v->has_nsid = 1;
		else if (code == DNS_OPT_COOKIE)
			v->has_cookie = 1;
		else if (code == DNS_OPT_PADDING)
			v->has_padding = 1;
		else if (code == DNS_OPT_EDE && !v->has_ede && len >= 2) {
			v->has_ede = 1;
			v->ede_code = cursor_u16(&body);
		}
	}
	return NULL;
}

/* Most owner names are just a pointer to the question's name (C0 0C), which
 * reading the question has validated: following it again is the same walk
 * from offset 12 with the same limit and gives the same result, so it is
 * skipped: dns_view_parse went from 67 to 48 million instructions on the
 * 20 MB benchmark capture (bench/gencap -m 20). */
static int dns_owner_is_question_pointer(const cursor_t *c, const dns_view_t *v)
{
	return v->has_question && cursor_left(c) >= 2 && cursor_ptr(c)[0] == 0xc0 && cursor_ptr(c)[1] == 12;
}

/* Walk every RR after the question; take the OPT from the additional section. */
static const char *dns_records_walk(cursor_t *c, dns_view_t *v)
{
	uint32_t total = (uint32_t)v->ancount + v->nscount + v->arcount;
	uint32_t additional_from = (uint32_t)v->ancount + v->nscount;
	if (total > DNS_MAX_RRS_WALKED)
		total = DNS_MAX_RRS_WALKED;
	for (uint32_t i = 0; i < total; i++) {
		size_t name_pos = c->pos;
		const char *err = NULL;
		if (dns_owner_is_question_pointer(c, v))
			cursor_skip(c, 2);
		else
			err = dns_name_read(c, NULL, 0, NULL);
		if (err)
			return err;
		int root_name = c->pos == name_pos + 1;
		/* type(2) class(2) ttl(4) rdlength(2) taken at once, then the RDATA:
		 * the same checks as a field at a time, one bounds check each. */
		const uint8_t *f = cursor_take(c, 10);
		if (!f)
			return "record runs past the end";
		uint16_t type = (uint16_t)(f[0] << 8 | f[1]);
		uint16_t rdlen = (uint16_t)(f[8] << 8 | f[9]);
		const uint8_t *rd = cursor_take(c, rdlen);
		if (!rd)
			return "record runs past the end";
		if (type != DNS_TYPE_OPT)
			continue;
		uint16_t klass = (uint16_t)(f[2] << 8 | f[3]);
		uint32_t ttl = (uint32_t)f[4] << 24 | (uint32_t)f[5] << 16 | (uint32_t)f[6] << 8 | f[7];
		cursor_t rdata = cursor_make(rd, rdlen);
		if (i < additional_from || !root_name || v->has_opt)
			return "misplaced or repeated OPT record";
		v->has_opt = 1;
		v->udp_size = klass;
		v->rcode |= (uint16_t)((ttl >> 24) << 4);
		v->edns_version = (uint8_t)(ttl >> 16);
		v->do_bit = (ttl & 0x8000) != 0;
		err = dns_opt_options_read(rdata, v);
		if (err)
			return err;
	}
	return NULL;
}

decode_outcome_t dns_view_parse(cursor_t msg, uint32_t wire_len, dns_view_t *v, decode_counts_t *dc)
{
	/* Everything zero but the name's 1,024 bytes, of which only those up to
	 * its NUL are read: dns_view_parse went from 75 to 49 million
	 * instructions (cachegrind, the 100 MB capture of bench/gencap). */
	memset(v, 0, offsetof(dns_view_t, qname));
	v->qname[0] = '\0';
	memset((char *)v + offsetof(dns_view_t, qname) + sizeof v->qname, 0,
	       sizeof *v - offsetof(dns_view_t, qname) - sizeof v->qname);
	v->wire_len = wire_len;
	int cut = cursor_left(&msg) < wire_len;
	v->cut = (uint8_t)cut;
	cursor_t c = msg;
	v->id = cursor_u16(&c);
	uint16_t flags = cursor_u16(&c);
	v->qdcount = cursor_u16(&c);
	v->ancount = cursor_u16(&c);
	v->nscount = cursor_u16(&c);
	v->arcount = cursor_u16(&c);
	if (!cursor_ok(&c)) {
		v->malformed = "shorter than a DNS header";
		decode_counts_add(dc, LAYER_DNS, cut ? OUTCOME_TRUNCATED : OUTCOME_INVALID);
		return cut ? OUTCOME_TRUNCATED : OUTCOME_INVALID;
	}
	v->qr = flags >> 15;
	v->opcode = (flags >> 11) & 0xf;
	v->aa = (flags >> 10) & 1;
	v->tc = (flags >> 9) & 1;
	v->rd = (flags >> 8) & 1;
	v->ra = (flags >> 7) & 1;
	v->ad = (flags >> 5) & 1;
	v->cd = (flags >> 4) & 1;
	v->rcode = flags & 0xf;

	const char *err = NULL;
	if (v->qdcount > 0) {
		size_t qname_len = 0;
		err = dns_name_read(&c, v->qname, sizeof v->qname, &qname_len);
		v->qname_len = (uint16_t)qname_len;
		v->qtype = cursor_u16(&c);
		v->qclass = cursor_u16(&c);
		if (!err && !cursor_ok(&c))
			err = "question runs past the end";
		v->has_question = err == NULL;
		/* Further questions are legal on the wire but unused: skip them. */
		for (uint16_t q = 1; !err && q < v->qdcount; q++) {
			err = dns_name_read(&c, NULL, 0, NULL);
			cursor_skip(&c, 4);
			if (!err && !cursor_ok(&c))
				err = "question runs past the end";
		}
	}
	if (!err)
		err = dns_records_walk(&c, v);
	if (err) {
		v->malformed = err;
		/* Running out of bytes the capture did not hold is truncation, not a lie. */
		decode_outcome_t o = cut ? OUTCOME_TRUNCATED : OUTCOME_INVALID;
		decode_counts_add(dc, LAYER_DNS, o);
		return v->has_question ? OUTCOME_OK : o;
	}
	decode_counts_add(dc, LAYER_DNS, OUTCOME_OK);
	return OUTCOME_OK;
}

const char *dns_type2str(uint16_t type, char *buf, size_t len)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(type);
	if (d && d->_name && type != 0)
		snprintf(buf, len, "%s", d->_name);
	else
		snprintf(buf, len, "TYPE%u", type);
	return buf;
}

const char *dns_rcode2str(uint16_t rcode, char *buf, size_t len)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN",
		"YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI", NULL, NULL, NULL, NULL,
		"BADVERS", NULL, NULL, NULL, NULL, NULL, NULL, "BADCOOKIE",
	};
	if (rcode < sizeof names / sizeof names[0] && names[rcode])
		snprintf(buf, len, "%s", names[rcode]);
	else
		snprintf(buf, len, "RCODE%u", rcode);
	return buf;
}
