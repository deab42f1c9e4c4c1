/* capture.c - reading capture files (pcap, pcapng) through libpcap, as one capture point.
 *
 * libpcap parses every record, but it reads each file through a "tap": a stdio
 * stream (fopencookie) that this file puts between libpcap and the real file.
 * The tap walks the file's structure as libpcap consumes it: each read of the
 * stream returns bytes of one pcapng block (or one pcap record) at most, and
 * stdio asks for more only once libpcap has used all it was given, so the next
 * block is walked only when libpcap starts reading it. When libpcap returns a
 * record, the tap has just walked the block or record header it came from.
 * Walking inside the stream libpcap reads (rather than over a second open of
 * the file) keeps the two in step by construction, costs no second read, and
 * works on stdin.
 *
 * pcapng (draft-ietf-opsawg-pcapng): the walked Enhanced, Simple or Packet Block
 * gives the record's interface. On the way through the tap edits three fields
 * so that libpcap 1.10 reads files it would otherwise refuse:
 *   - every IDB's snaplen becomes 0 ("no limit"): libpcap refuses interfaces
 *     whose snaplens differ (PcapPlusPlus's dns_over_tcp.pcapng) and errors out
 *     on an EPB longer than its snaplen; the real snaplens are kept here and
 *     such records are counted as over_snaplen and delivered whole;
 *   - a later IDB with the first one's link type gets the DLT value libpcap
 *     compares it with: libpcap 1.10 compares the first IDB's DLT with later
 *     IDBs' LINKTYPE, so two LINKTYPE_RAW (101, DLT_RAW 12) interfaces fail;
 *   - an SPB's length is clamped to the bytes the block holds (its interface's
 *     real snaplen), which libpcap would otherwise take from the edited one;
 *     the record still reports the original length.
 * Interfaces with different link types are refused, as libpcap refuses them,
 * with the command that splits the file. Before libpcap opens a regular pcapng
 * file its blocks are pre-walked up to the first packet block, so the usual
 * case (all IDBs first) fails in capture_open rather than in mid-read.
 *
 * pcap: the walked record header gives the captured length as stored, so a
 * record libpcap silently cut to the snaplen is counted as over_snaplen. pcap
 * needs no edits, so after the file header the tap serves whole chunks and
 * walks every record header in them; libpcap's records are matched to the
 * walked ones by their number (capture_walk_pcap_bytes).
 *
 * Plain pcap files on disk are not read through libpcap record by record:
 * once libpcap has opened one, its ordinary records are taken straight from a
 * mapping of the file, and libpcap reads on from the first record that is not
 * ordinary (see "pcap files read from a mapping" below).
 *
 * Several files: a k-way merge over one pending record per file (a binary heap
 * keyed by time, ties broken by file order; records of one file keep their file
 * order, so the merge is stable). The pending record's bytes stay in its own
 * file's libpcap buffer, which only that file's next read reuses; a file is
 * read again only at the capture_next() after the one that delivered its
 * record, so no copy is needed (the copy was 1.5% of a run).
 */
#include "capture.h"

#include "cursor.h"

#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define CAPTURE_SNAP_MAX 262144u          /* bytes of a record kept (libpcap's usual maximum) */
#define CAPTURE_BLOCK_MAX (16u << 20)     /* largest pcapng block the walker follows */
#define CAPTURE_SECTION_IFACES_MAX 65536u /* interfaces per pcapng section the walker follows */
#define CAPTURE_NS 1000000000LL
#define CAPTURE_NONE SIZE_MAX

/* pcapng block types */
#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_PB 0x00000002u /* obsolete Packet Block */
#define PCAPNG_SPB 0x00000003u
#define PCAPNG_EPB 0x00000006u
/* LINKTYPE_ values that libpcap maps to a different DLT_ value */
#define PCAPNG_LINKTYPE_ATM_RFC1483 100u
#define PCAPNG_LINKTYPE_RAW 101u
/* pcap file magics */
#define PCAP_MAGIC 0xa1b2c3d4u           /* microseconds */
#define PCAP_MAGIC_NSEC 0xa1b23c4du      /* nanoseconds */
#define PCAP_MAGIC_KUZNETZOV 0xa1b2cd34u /* 8 more bytes per record header */

/* The packet block (or pcap record) walked last: what libpcap is about to return. */
typedef struct capture_pkt {
	uint32_t interface; /* file-wide interface index */
	uint32_t caplen;    /* as libpcap will report it (pcap: as stored) */
	uint32_t len;       /* as libpcap will report it (an SPB's is clamped) */
	uint32_t wirelen;   /* as the file recorded it */
	int known_iface;    /* its interface was described by an IDB of its section */
	int over_snaplen;   /* caplen larger than its interface's snaplen */
} capture_pkt_t;

typedef enum capture_format { CAPTURE_PCAP, CAPTURE_PCAPNG } capture_format_t;

/* The walker's state: pcapng blocks, or pcap records. */
typedef struct capture_walk {
	capture_format_t format;
	int le;                  /* this section (pcap: this file) is little-endian */
	int lost;                /* stopped following: the rest passes through untouched */
	uint32_t type;           /* type of the block loaded last */
	int pcap_started;        /* pcap: the file header has been walked */
	unsigned pcap_hdrsize;   /* pcap: record header size */
	int pcap_swapped;        /* pcap: caplen and len swapped (1 always, 2 when caplen > len) */
	uint32_t ifaces;         /* IDBs in the file so far */
	uint32_t section_base;   /* file-wide index of this section's first IDB */
	uint32_t section_ifaces; /* IDBs in this section so far */
	uint32_t *snaplen;       /* real snaplen of each IDB of this section */
	uint32_t snaplen_cap;
	uint32_t first_linktype; /* LINKTYPE_ of the file's first IDB */
	long first_dlt;          /* libpcap's DLT for it; -1 until libpcap has read it */
	int mixed;               /* an IDB with another link type was seen */
	uint32_t mixed_index, mixed_linktype;
	uint64_t packets;        /* packet blocks (pcap: records) walked */
	capture_pkt_t pkt;
} capture_walk_t;

/* pcap records walked but not yet returned by libpcap (see capture_tap_read):
 * at most those of one chunk, plus the one libpcap is inside. */
#define CAPTURE_TAP_CHUNK 65536u
#define CAPTURE_RING (CAPTURE_TAP_CHUNK / 16 + 2)

typedef struct capture_rec_len {
	uint32_t caplen, len; /* as stored, in the order libpcap reads them */
} capture_rec_len_t;

/* The stream libpcap reads. pcapng: a block's head, its header and fixed
 * fields, possibly edited, is served from head[], the rest straight from raw.
 * pcap: the file header from head[], then the records in chunks. */
typedef struct capture_tap {
	FILE *raw;
	uint8_t head[32];
	size_t head_len, head_off;
	uint64_t body_left; /* bytes of the current block after head, trailer included */
	capture_walk_t walk;
	/* pcap, in chunks: the record header being collected, the bytes of the
	 * current record's data still to pass, and the walked records' lengths,
	 * record k (1-based) at ring[(k - 1) % CAPTURE_RING] */
	uint8_t rec_hdr[24];
	unsigned rec_have;
	uint64_t rec_skip;
	capture_rec_len_t *ring;
} capture_tap_t;

/* A pcap file read straight from a mapping (see capture_map_next): records are
 * taken from base[off], and only a window of pages around it is mapped
 * (capture_map_window). */
typedef struct capture_map {
	const uint8_t *base;     /* NULL: the file is read through libpcap */
	size_t len;              /* the file's size when it was opened */
	size_t off;              /* the next record header */
	size_t released;         /* bytes before this are given back (page aligned) */
	size_t mapped;           /* bytes before this are populated */
	size_t release_step;     /* pages are given back once this many are behind */
	int le;                  /* the file is little-endian */
	int nsec;                /* timestamps in nanoseconds (else microseconds) */
	uint32_t snapshot;       /* libpcap's snapshot length for the file */
} capture_map_t;

typedef struct capture_file {
	char *name;              /* as given; "stdin" for "-" */
	int is_stdin;
	FILE *raw;
	pcap_t *pcap;
	capture_tap_t tap;       /* its address is the cookie: files[] never moves */
	int dlt;
	uint32_t index;
	uint64_t packets_seen;   /* packet blocks (pcap records) accounted for */
	int ids_lost;            /* walker and libpcap disagreed: interface ids are 0 */
	uint64_t frames;
	int64_t last_ts;
	int have_ts;
	capture_record_t rec;    /* the pending record; its bytes are in libpcap's buffer */
	char *tapbuf;            /* the stdio buffer of the stream libpcap reads */
	capture_map_t map;
} capture_file_t;

struct capture {
	capture_file_t *files;
	size_t n;
	uint32_t *heap;          /* files with a pending record, earliest first */
	size_t heap_len;
	int primed;
	size_t last;             /* file of the record delivered last, to refill */
	uint64_t frames;
	capture_stats_t stats;
	char last_error[1024];
};

/* ---- byte order: pcapng sections say their own */

static uint16_t capture_walk_u16(cursor_t *c, int le)
{
	const uint8_t *p = cursor_take(c, 2);
	if (!p)
		return 0;
	return le ? (uint16_t)(p[0] | p[1] << 8) : (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t capture_walk_u32(cursor_t *c, int le)
{
	return le ? cursor_u32le(c) : cursor_u32(c);
}

static void capture_walk_put_u16(uint8_t *p, uint16_t v, int le)
{
	p[le ? 0 : 1] = (uint8_t)v;
	p[le ? 1 : 0] = (uint8_t)(v >> 8);
}

static void capture_walk_put_u32(uint8_t *p, uint32_t v, int le)
{
	for (int i = 0; i < 4; i++)
		p[le ? i : 3 - i] = (uint8_t)(v >> (8 * i));
}

/* ---- the pcapng block walker */

static void capture_walk_reset(capture_walk_t *w)
{
	uint32_t *keep = w->snaplen, keep_cap = w->snaplen_cap;
	capture_format_t format = w->format;
	memset(w, 0, sizeof *w);
	w->format = format;
	w->snaplen = keep;
	w->snaplen_cap = keep_cap;
	w->first_dlt = -1;
}

static int capture_walk_lose(capture_walk_t *w)
{
	w->lost = 1;
	return -1;
}

/* Bytes after the 8-byte block header that the walker reads (and may edit). */
static size_t capture_walk_fixed(uint32_t type)
{
	switch (type) {
	case PCAPNG_SHB: return 16; /* byte-order magic, version, section length */
	case PCAPNG_IDB: return 8;  /* link type, reserved, snaplen */
	case PCAPNG_EPB:            /* interface, time high/low, caplen, len */
	case PCAPNG_PB: return 20;  /* interface(16), drops(16), time, caplen, len */
	case PCAPNG_SPB: return 4;  /* len */
	default: return 0;
	}
}

static int capture_walk_is_packet(uint32_t type)
{
	return type == PCAPNG_EPB || type == PCAPNG_PB || type == PCAPNG_SPB;
}

static void capture_walk_section(capture_walk_t *w)
{
	/* Interface ids restart in each section; keep the file-wide index going so
	 * two sections' interfaces stay two points (as tshark numbers them). */
	w->section_base = w->ifaces;
	w->section_ifaces = 0;
}

static int capture_walk_interface(capture_walk_t *w, uint8_t *fixed, cursor_t *c)
{
	uint16_t linktype = capture_walk_u16(c, w->le);
	(void)capture_walk_u16(c, w->le); /* reserved */
	uint32_t snaplen = capture_walk_u32(c, w->le);

	if (w->section_ifaces == CAPTURE_SECTION_IFACES_MAX)
		return capture_walk_lose(w);
	if (w->section_ifaces == w->snaplen_cap) {
		uint32_t cap = w->snaplen_cap ? w->snaplen_cap * 2 : 8;
		uint32_t *bigger = realloc(w->snaplen, cap * sizeof *bigger);
		if (!bigger)
			return capture_walk_lose(w);
		w->snaplen = bigger;
		w->snaplen_cap = cap;
	}
	w->snaplen[w->section_ifaces++] = snaplen;

	if (w->ifaces == 0) {
		w->first_linktype = linktype;
	} else if (linktype != w->first_linktype) {
		if (!w->mixed) {
			w->mixed = 1;
			w->mixed_index = w->ifaces;
			w->mixed_linktype = linktype;
		}
	} else if (w->first_dlt >= 0 && w->first_dlt <= 0xFFFF) {
		/* libpcap 1.10 compares a later IDB's LINKTYPE with the first's DLT. */
		capture_walk_put_u16(fixed, (uint16_t)w->first_dlt, w->le);
	}
	w->ifaces++;
	/* libpcap refuses differing snaplens; the real one is in w->snaplen. */
	capture_walk_put_u32(fixed + 4, 0, w->le);
	return 0;
}

static void capture_walk_packet(capture_walk_t *w, uint32_t type, uint8_t *fixed, cursor_t *c)
{
	capture_pkt_t *p = &w->pkt;
	uint32_t iface = 0, caplen = 0, len;

	memset(p, 0, sizeof *p);
	if (type == PCAPNG_SPB) {
		len = capture_walk_u32(c, w->le);
	} else {
		iface = type == PCAPNG_EPB ? capture_walk_u32(c, w->le) : capture_walk_u16(c, w->le);
		if (type == PCAPNG_PB)
			cursor_skip(c, 2); /* drops count */
		cursor_skip(c, 8);         /* time stamp: libpcap converts it */
		caplen = capture_walk_u32(c, w->le);
		len = capture_walk_u32(c, w->le);
	}
	p->known_iface = iface < w->section_ifaces;
	p->interface = p->known_iface ? w->section_base + iface : 0;
	uint32_t snaplen = p->known_iface ? w->snaplen[iface] : 0;
	p->wirelen = len;
	if (type == PCAPNG_SPB) {
		/* An SPB holds min(len, snaplen of interface 0) bytes; libpcap takes the
		 * snaplen from the edited IDB, so say that many in the length field. */
		uint32_t limit = snaplen && snaplen < CAPTURE_SNAP_MAX ? snaplen : CAPTURE_SNAP_MAX;
		uint32_t held = len < limit ? len : limit;
		capture_walk_put_u32(fixed, held, w->le);
		p->caplen = p->len = held;
	} else {
		p->caplen = caplen;
		p->len = len;
		p->over_snaplen = snaplen != 0 && caplen > snaplen;
	}
	w->packets++;
}

/* ---- the tap: the stream libpcap reads */

/* Read from the file until head[] holds upto bytes; returns how many it holds. */
static size_t capture_tap_fill(capture_tap_t *t, size_t upto)
{
	if (upto > sizeof t->head)
		upto = sizeof t->head;
	if (t->head_len < upto)
		t->head_len += fread(t->head + t->head_len, 1, upto - t->head_len, t->raw);
	return t->head_len;
}

/* Load the next pcapng block's head into head[], walk it and edit it.
 * 1: loaded; 0: end of file; -1: short or not a block the walker follows
 * (the bytes read are in head[] and are served as they are; the walker is lost
 * and the rest of the file passes through, so libpcap reports the problem). */
static int capture_tap_load_block(capture_tap_t *t)
{
	capture_walk_t *w = &t->walk;
	static const uint8_t shb[4] = { 0x0A, 0x0D, 0x0D, 0x0A }; /* the same in both byte orders */

	if (capture_tap_fill(t, 8) == 0)
		return 0;
	if (t->head_len < 8)
		return capture_walk_lose(w);

	uint32_t type;
	if (memcmp(t->head, shb, 4) == 0) {
		/* The byte-order magic decides how to read the section, this block included. */
		if (capture_tap_fill(t, 12) < 12)
			return capture_walk_lose(w);
		if (memcmp(t->head + 8, "\x1A\x2B\x3C\x4D", 4) == 0)
			w->le = 0;
		else if (memcmp(t->head + 8, "\x4D\x3C\x2B\x1A", 4) == 0)
			w->le = 1;
		else
			return capture_walk_lose(w);
		type = PCAPNG_SHB;
	} else {
		cursor_t c = cursor_make(t->head, 4);
		type = capture_walk_u32(&c, w->le);
	}
	cursor_t c = cursor_make(t->head + 4, 4);
	uint32_t total = capture_walk_u32(&c, w->le);
	size_t fixed = capture_walk_fixed(type);
	if (total < 12 + fixed || total % 4 != 0 || total > CAPTURE_BLOCK_MAX)
		return capture_walk_lose(w);
	if (capture_tap_fill(t, 8 + fixed) < 8 + fixed)
		return capture_walk_lose(w);
	t->body_left = total - t->head_len;
	w->type = type;

	cursor_t body = cursor_make(t->head + 8, fixed);
	switch (type) {
	case PCAPNG_SHB:
		capture_walk_section(w);
		break;
	case PCAPNG_IDB:
		(void)capture_walk_interface(w, t->head + 8, &body);
		break;
	case PCAPNG_EPB:
	case PCAPNG_PB:
	case PCAPNG_SPB:
		capture_walk_packet(w, type, t->head + 8, &body);
		break;
	default:
		break;
	}
	return w->lost ? -1 : 1;
}

/* The pcap file header: byte order, record header size, length order. */
static int capture_tap_load_pcap_header(capture_tap_t *t)
{
	capture_walk_t *w = &t->walk;
	if (capture_tap_fill(t, 24) < 24)
		return capture_walk_lose(w);
	cursor_t c = cursor_make(t->head, 24);
	uint32_t magic = cursor_u32(&c);
	if (magic != PCAP_MAGIC && magic != PCAP_MAGIC_NSEC && magic != PCAP_MAGIC_KUZNETZOV) {
		c = cursor_make(t->head, 24);
		magic = cursor_u32le(&c);
		w->le = 1;
	}
	if (magic != PCAP_MAGIC && magic != PCAP_MAGIC_NSEC && magic != PCAP_MAGIC_KUZNETZOV)
		return capture_walk_lose(w);
	uint16_t major = capture_walk_u16(&c, w->le), minor = capture_walk_u16(&c, w->le);
	w->pcap_hdrsize = magic == PCAP_MAGIC_KUZNETZOV ? 24 : 16;
	/* As libpcap reads them: before 2.3 (and DG/UX's 543.0) caplen and len
	 * were stored the other way round; 2.3 files can be either. */
	if ((major == 2 && minor < 3) || major == 543)
		w->pcap_swapped = 1;
	else if (major == 2 && minor == 3)
		w->pcap_swapped = 2;
	w->pcap_started = 1;
	t->body_left = 0;
	return 1;
}

/* Walk the pcap records in n bytes just read from the file: each record
 * header, once whole, gives the lengths libpcap will report for it.
 *
 * Serving libpcap one record per read, as for pcapng, cost three stdio calls
 * and a cookie call per record: reading the 300 MB capture of bench/run took
 * 2.1 times as long as libpcap alone. In chunks the walker runs ahead of
 * libpcap by at most one chunk, its results wait in the ring, and nothing is
 * edited (pcap needs no edits). */
static void capture_walk_pcap_bytes(capture_tap_t *t, const uint8_t *p, size_t n)
{
	capture_walk_t *w = &t->walk;
	const uint8_t *end = p + n;
	while (p < end) {
		if (t->rec_skip) {
			size_t k = (size_t)(end - p) < t->rec_skip ? (size_t)(end - p) : (size_t)t->rec_skip;
			p += k;
			t->rec_skip -= k;
			continue;
		}
		size_t k = w->pcap_hdrsize - t->rec_have;
		if (k > (size_t)(end - p))
			k = (size_t)(end - p);
		memcpy(t->rec_hdr + t->rec_have, p, k);
		t->rec_have += (unsigned)k;
		p += k;
		if (t->rec_have < w->pcap_hdrsize)
			break;
		t->rec_have = 0;
		cursor_t c = cursor_make(t->rec_hdr + 8, 8);
		uint32_t caplen = capture_walk_u32(&c, w->le), len = capture_walk_u32(&c, w->le);
		if (w->pcap_swapped == 1 || (w->pcap_swapped == 2 && caplen > len)) {
			uint32_t tmp = caplen;
			caplen = len;
			len = tmp;
		}
		capture_rec_len_t *r = &t->ring[w->packets % CAPTURE_RING];
		r->caplen = caplen;
		r->len = len;
		w->packets++;
		t->rec_skip = caplen;
	}
}

static int capture_tap_load(capture_tap_t *t)
{
	t->head_len = t->head_off = 0;
	t->body_left = 0;
	if (t->walk.format == CAPTURE_PCAPNG)
		return capture_tap_load_block(t);
	return capture_tap_load_pcap_header(t);
}

/* fopencookie read. pcapng: serve libpcap at most to the end of the block it
 * is reading. stdio calls this only when libpcap has used every byte served
 * so far, so the next block is loaded, and walked, only when libpcap starts
 * it. pcap: serve a chunk and walk every record header in it. */
static ssize_t capture_tap_read(void *cookie, char *buf, size_t size)
{
	capture_tap_t *t = cookie;
	int following = !t->walk.lost;

	if (following && t->walk.format == CAPTURE_PCAP && t->walk.pcap_started && t->head_off == t->head_len) {
		/* pcap records: a chunk at a time, walked on the way through */
		if (size > CAPTURE_TAP_CHUNK)
			size = CAPTURE_TAP_CHUNK;
		size_t n = fread(buf, 1, size, t->raw);
		capture_walk_pcap_bytes(t, (const uint8_t *)buf, n);
		if (n == 0 && ferror(t->raw)) {
			if (errno == 0)
				errno = EIO;
			return -1;
		}
		return (ssize_t)n;
	}

	if (following && t->head_off == t->head_len && t->body_left == 0) {
		if (capture_tap_load(t) == 0)
			return 0;
	}
	size_t served = 0;
	if (t->head_off < t->head_len) {
		size_t n = t->head_len - t->head_off;
		if (n > size)
			n = size;
		memcpy(buf, t->head + t->head_off, n);
		t->head_off += n;
		if (t->head_off < t->head_len || n == size)
			return (ssize_t)n;
		/* The head is served; the block's body follows in the same call: one
		 * cookie call a block instead of two (pcapng: 1,970 -> 1,713
		 * instructions a record, libpcap alone 634; cachegrind, the 100 MB
		 * capture of bench/gencap converted with editcap -F pcapng). */
		served = n;
		buf += n;
		size -= n;
	}
	following = !t->walk.lost;
	if (following && size > t->body_left)
		size = (size_t)t->body_left;
	if (size == 0)
		return (ssize_t)served;
	size_t n = fread(buf, 1, size, t->raw);
	if (following)
		t->body_left -= n;
	if (n == 0 && !served && ferror(t->raw)) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return (ssize_t)(served + n);
}

/* ---- messages */

static const char *capture_dlt_name(int dlt, char *buf, size_t len)
{
	const char *name = pcap_datalink_val_to_name(dlt);
	if (name)
		return name;
	snprintf(buf, len, "DLT_%d", dlt);
	return buf;
}

const char *capture_dlt2str(int dlt)
{
	static _Thread_local char other[24];
	return capture_dlt_name(dlt, other, sizeof other);
}

/* For names only: the LINKTYPE_ values that libpcap maps to another DLT_. */
static int capture_linktype2dlt(uint32_t linktype)
{
	if (linktype == PCAPNG_LINKTYPE_RAW)
		return DLT_RAW;
	if (linktype == PCAPNG_LINKTYPE_ATM_RFC1483)
		return DLT_ATM_RFC1483;
	return (int)linktype;
}

/* Wireshark's encapsulation name (editcap -T) for the common link types. */
static const char *capture_dlt2encap(int dlt)
{
	static const struct { int dlt; const char *encap; } map[] = {
		{ DLT_EN10MB, "ether" },       { DLT_RAW, "rawip" },
		{ DLT_IPV4, "rawip4" },        { DLT_IPV6, "rawip6" },
		{ DLT_LINUX_SLL, "linux-sll" }, { DLT_LINUX_SLL2, "linux-sll2" },
		{ DLT_NULL, "null" },          { DLT_LOOP, "loop" },
		{ DLT_IEEE802_11, "ieee-802-11" }, { DLT_IEEE802_11_RADIO, "ieee-802-11-radiotap" },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].dlt == dlt)
			return map[i].encap;
	return "ENCAP";
}

/* Why file f cannot be read and how to split it, without the file name in front.
 * tshark keeps every IDB when it writes pcapng, so the split needs editcap's
 * conversion to pcap too (editcap 4.0 cannot select by interface itself). */
static void capture_mixed_explain(char *err, size_t len, const capture_file_t *f, const capture_walk_t *w)
{
	char a[24], b[24];
	const char *in = f->is_stdin ? "FILE" : f->name;
	int first = capture_linktype2dlt(w->first_linktype);
	int other = capture_linktype2dlt(w->mixed_linktype);
	unsigned k = w->mixed_index;
	snprintf(err, len,
		 "pcapng interfaces have different link types (0: %s, %u: %s), which libpcap "
		 "cannot read from one file; split it into one file per interface, e.g. for "
		 "interface %u: tshark -r %s -Y 'frame.interface_id==%u' -w if%u.pcapng && "
		 "editcap -F pcap -T %s if%u.pcapng if%u.pcap",
		 capture_dlt_name(first, a, sizeof a), k, capture_dlt_name(other, b, sizeof b),
		 k, in, k, k, capture_dlt2encap(other), k, k);
}

/* A problem that ends file f (or changes how the rest of it is read). */
static void capture_error_set(capture_t *cap, const capture_file_t *f, const char *what, const char *then)
{
	snprintf(cap->last_error, sizeof cap->last_error, "%s: %s (after record %" PRIu64 " of the file; %s)",
		 f->name, what, f->frames, then);
}

/* ---- one file */

static int64_t capture_ts2ns(const struct timeval *tv)
{
	/* Opened with nanosecond precision, libpcap puts nanoseconds in tv_usec. A
	 * hostile file can hold a time that does not fit: clamp, never overflow. */
	const int64_t lim = INT64_MAX / CAPTURE_NS - 1;
	int64_t sec = tv->tv_sec, frac = tv->tv_usec;
	if (sec > lim)
		return INT64_MAX;
	if (sec < -lim)
		return INT64_MIN;
	sec *= CAPTURE_NS;
	if (frac > 0 && sec > INT64_MAX - frac)
		return INT64_MAX;
	if (frac < 0 && sec < INT64_MIN - frac)
		return INT64_MIN;
	return sec + frac;
}

/* Walk the blocks before the first packet block so mixed link types fail the
 * open; then rewind, libpcap reads from the start. Regular files only. */
static int capture_file_prewalk(capture_file_t *f, char *err, size_t errlen)
{
	capture_tap_t *t = &f->tap;
	int mixed;

	while (capture_tap_load(t) > 0 && !capture_walk_is_packet(t->walk.type) && !t->walk.mixed)
		if (fseek(t->raw, (long)t->body_left, SEEK_CUR) != 0)
			break;
	mixed = t->walk.mixed;
	if (mixed) {
		char why[768];
		capture_mixed_explain(why, sizeof why, f, &t->walk);
		snprintf(err, errlen, "%s: %s", f->name, why);
	}
	capture_walk_reset(&t->walk);
	t->head_len = t->head_off = 0;
	t->body_left = 0;
	clearerr(t->raw);
	if (fseek(t->raw, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, "%s: cannot seek back to its start: %s", f->name, strerror(errno));
		return -1;
	}
	return mixed ? -1 : 0;
}

static int capture_file_open(capture_file_t *f, const char *path, char *err, size_t errlen)
{
	static const cookie_io_functions_t tap_io = { .read = capture_tap_read };
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct stat st;

	f->is_stdin = strcmp(path, "-") == 0;
	f->name = strdup(f->is_stdin ? "stdin" : path);
	if (!f->name) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	f->raw = f->is_stdin ? stdin : fopen(path, "rb");
	if (!f->raw) {
		snprintf(err, errlen, "%s: cannot open: %s", f->name, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f->raw), &st) != 0) {
		snprintf(err, errlen, "%s: cannot open: %s", f->name, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not a capture file", f->name);
		return -1;
	}

	/* pcapng starts with 0x0A, no pcap magic does: peek one byte (works on a pipe). */
	int c = getc(f->raw);
	if (c != EOF)
		ungetc(c, f->raw);
	f->tap.raw = f->raw;
	f->tap.walk.format = c == 0x0A ? CAPTURE_PCAPNG : CAPTURE_PCAP;
	capture_walk_reset(&f->tap.walk);
	if (f->tap.walk.format == CAPTURE_PCAPNG && S_ISREG(st.st_mode) &&
	    capture_file_prewalk(f, err, errlen) != 0)
		return -1;

	f->tapbuf = malloc(CAPTURE_TAP_CHUNK); /* without it stdio picks its own */
	if (f->tap.walk.format == CAPTURE_PCAP) {
		f->tap.ring = malloc(CAPTURE_RING * sizeof *f->tap.ring);
		if (!f->tap.ring) {
			snprintf(err, errlen, "%s: out of memory", f->name);
			return -1;
		}
	}
	FILE *tap = fopencookie(&f->tap, "r", tap_io);
	if (!tap) {
		snprintf(err, errlen, "%s: cannot open: %s", f->name, strerror(errno));
		return -1;
	}
	/* A chunk-sized stdio buffer (glibc takes the size only with a buffer):
	 * with the default 8 kB, reading the 300 MB capture of bench/run made
	 * 73,297 read calls; with 64 kB 9,174, and the reading loop took 0.097 s
	 * instead of 0.107 s (median of 7). */
	if (f->tapbuf)
		(void)setvbuf(tap, f->tapbuf, _IOFBF, CAPTURE_TAP_CHUNK);
	f->pcap = pcap_fopen_offline_with_tstamp_precision(tap, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!f->pcap) {
		fclose(tap);
		snprintf(err, errlen, "%s: cannot read as pcap or pcapng: %s", f->name, ebuf);
		return -1;
	}
	f->dlt = pcap_datalink(f->pcap);
	f->tap.walk.first_dlt = f->dlt; /* libpcap has read the first IDB by now */
	f->packets_seen = f->tap.walk.packets;
	return 0;
}

/* Take interface, original length and snaplen verdict from the walker, after
 * checking that it walked exactly the block (record) libpcap returned. */
static int capture_file_follow(capture_t *cap, capture_file_t *f, capture_record_t *r)
{
	const capture_walk_t *w = &f->tap.walk;
	const capture_pkt_t *p = &w->pkt;
	int pcap = w->format == CAPTURE_PCAP;
	if (pcap) {
		/* the walker is ahead: this record's lengths wait in the ring */
		int in_step = !f->ids_lost && !w->lost && w->packets > f->packets_seen &&
			      w->packets - f->packets_seen <= CAPTURE_RING;
		const capture_rec_len_t *l = &f->tap.ring[f->packets_seen % CAPTURE_RING];
		f->packets_seen++;
		if (in_step && l->len == r->wirelen && l->caplen >= r->caplen)
			return l->caplen > r->caplen; /* libpcap cuts a record longer than the snaplen without a word */
	} else {
		int in_step = !f->ids_lost && !w->lost && w->packets == f->packets_seen + 1 &&
			      p->known_iface && p->len == r->wirelen && p->caplen == r->caplen;
		f->packets_seen = w->packets;
		if (in_step) {
			r->interface = p->interface;
			r->wirelen = p->wirelen;
			return p->over_snaplen;
		}
	}
	if (!f->ids_lost) {
		f->ids_lost = 1;
		if (pcap)
			capture_error_set(cap, f, "the pcap record walker lost step with libpcap",
					  "records cut to the snaplen are no longer counted");
		else
			capture_error_set(cap, f, "the pcapng block walker lost step with libpcap",
					  "this and later records of the file are reported as interface 0");
	}
	if (!pcap)
		cap->stats.interface_unknown++;
	return 0;
}

/* Make libpcap's record (or the mapping's) file f's next one, in r: its pending
 * record (f->rec) when files are merged, the caller's for a single file.
 * 1: a record; 0: the file ended. */
static int capture_file_take(capture_t *cap, capture_file_t *f, const struct pcap_pkthdr *h, const u_char *data,
                             capture_record_t *r)
{
	int over;

	memset(r, 0, sizeof *r);
	r->caplen = h->caplen;
	r->wirelen = h->len;
	r->ts_ns = capture_ts2ns(&h->ts);
	r->dlt = f->dlt;
	r->file = f->index;
	r->file_frame = ++f->frames;
	if (f->map.base) {
		over = 0; /* capture_map_next takes only records within the snapshot */
		f->packets_seen++;
	} else {
		over = capture_file_follow(cap, f, r);
	}
	if (r->wirelen < r->caplen)
		cap->stats.wirelen_short++;
	if (r->caplen > CAPTURE_SNAP_MAX) { /* only link types with a larger maximum */
		r->caplen = CAPTURE_SNAP_MAX;
		over = 1;
	}
	if (over)
		cap->stats.over_snaplen++;
	if (f->have_ts && r->ts_ns < f->last_ts)
		cap->stats.out_of_order++;
	f->last_ts = r->ts_ns;
	f->have_ts = 1;
	r->data = data; /* libpcap's buffer: see the merge */
	return 1;
}

/* ---- pcap files read from a mapping
 *
 * libpcap copies every record out of the page cache (read(2) into stdio's
 * buffer, then fread into its own): on the 300 MB capture of bench/run that
 * reading was a quarter of the analyzer's time. A regular pcap file whose
 * records need nothing from libpcap but their header fields is instead mapped,
 * and its records are handed out where they lie in the page cache.
 *
 * libpcap still opens the file (through the tap) and decides the link type and
 * the snapshot length; the mapping only takes records it would return
 * unchanged: format 2.4 (no length swapping), microsecond or nanosecond
 * magic, a link type libpcap does not rewrite, caplen within the snapshot
 * length (libpcap cuts longer records), a timestamp libpcap reads the same
 * way, and the whole record inside the file. At the first record that is not
 * such a record (or the end of the mapping) the mapping is dropped and libpcap
 * reads on from that record's offset: a cut-off file, a record over the
 * snaplen, a file still growing get exactly libpcap's handling and messages.
 *
 * Only a window of pages is resident at a time (capture_map_window), so memory
 * stays flat however large the file, and only capture points of at most
 * CAPTURE_MAP_FILES_MAX files are mapped.
 *
 * The file is mapped as it was at open; one truncated under us while we read
 * it would raise SIGBUS (reading it through libpcap would report a truncated
 * file instead). */

#define CAPTURE_MAP_WINDOW (256u << 10) /* pages mapped ahead, and given back behind */
/* Every file of a capture point is open at once (the merge), and each mapped
 * one holds about a window and a fault-around (64 kB) of pages resident
 * (312 kB a file, measured with 20 files when pages were given back at
 * once), plus up to its release step (below): at most about 13 MB for 16
 * files. A rotated capture of hundreds of files is read through libpcap, as
 * before, so memory stays bounded. */
#define CAPTURE_MAP_FILES_MAX 16
/* Giving pages back (MADV_DONTNEED) flushes the TLB of every CPU the process
 * runs on, which with the tracker on its own thread (relay.h) is an IPI to a
 * busy CPU: once every 256 kB that was 6% of a run (perf, 300 MB capture).
 * Pages are given back in steps of this budget shared by the point's files
 * (8 MB for one file, 512 kB each for 16), at most this much more resident:
 * 0.25 -> 0.23 s, peak RSS 36 -> 43 MB on the 300 MB capture (bench/run). */
#define CAPTURE_MAP_RELEASE_BUDGET (8u << 20)
#define CAPTURE_MAP_AHEAD 512u          /* bytes of the next record prefetched */
#define CAPTURE_MAP_STREAM_AHEAD 3072u  /* and the distance to a second such window */
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

static size_t capture_page_size(void)
{
	static size_t page;
	if (!page) {
		long p = sysconf(_SC_PAGESIZE);
		page = p > 0 ? (size_t)p : 4096;
	}
	return page;
}

/* Link types libpcap hands over as stored (pcap_post_process touches others:
 * USB and NFLOG headers, the CAN ids in Linux cooked captures). */
static int capture_map_dlt_ok(int dlt)
{
	return dlt == DLT_EN10MB || dlt == DLT_RAW || dlt == DLT_IPV4 || dlt == DLT_IPV6 ||
	       dlt == DLT_NULL || dlt == DLT_LOOP;
}

/* Map file f if its records can be taken from the mapping; otherwise (or if
 * mapping fails) libpcap reads it, as before. */
static void capture_map_start(capture_file_t *f, size_t nfiles)
{
	const capture_walk_t *w = &f->tap.walk;
	struct stat st;

	if (f->is_stdin || w->format != CAPTURE_PCAP || w->lost || !w->pcap_started ||
	    w->pcap_hdrsize != 16 || !capture_map_dlt_ok(f->dlt))
		return;
	/* The file header is still in head[]: only version 2.4 records are
	 * read with no swapping of caplen and len. */
	cursor_t c = cursor_make(f->tap.head + 4, 4);
	uint16_t major = capture_walk_u16(&c, w->le), minor = capture_walk_u16(&c, w->le);
	cursor_t m = cursor_make(f->tap.head, 4);
	uint32_t magic = w->le ? cursor_u32le(&m) : cursor_u32(&m);
	if (major != 2 || minor != 4 || f->tap.head_len != 24 || f->tap.head_off != 24)
		return;
	if (fstat(fileno(f->raw), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 24 ||
	    (uint64_t)st.st_size > SIZE_MAX || ftell(f->raw) != 24)
		return;
	int snap = pcap_snapshot(f->pcap);
	if (snap <= 0)
		return;
	void *base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fileno(f->raw), 0);
	if (base == MAP_FAILED)
		return;
	(void)madvise(base, (size_t)st.st_size, MADV_SEQUENTIAL); /* readahead on a cold cache */
	f->map.base = base;
	f->map.len = (size_t)st.st_size;
	f->map.off = 24;
	f->map.released = 0;
	f->map.mapped = 0;
	f->map.release_step = CAPTURE_MAP_RELEASE_BUDGET / (nfiles ? nfiles : 1);
	if (f->map.release_step < CAPTURE_MAP_WINDOW)
		f->map.release_step = CAPTURE_MAP_WINDOW;
	f->map.le = w->le;
	f->map.nsec = magic == PCAP_MAGIC_NSEC;
	f->map.snapshot = (uint32_t)snap;
}

/* Move the window of mapped pages on: the pages wholly before the record at
 * `at` (the pending one) are given back once release_step of them have
 * gathered, and the next window is populated in
 * one call (MADV_POPULATE_READ, Linux 5.14) instead of a page fault every
 * 64 kB; on an older kernel the faults do it. */
static void capture_map_window(capture_map_t *m, size_t at)
{
	size_t page = capture_page_size();
	size_t upto = at & ~(page - 1);
	if (upto >= m->released + m->release_step) {
		(void)madvise((void *)(m->base + m->released), upto - m->released, MADV_DONTNEED);
		m->released = upto;
	}
	size_t from = m->mapped, end = m->off + CAPTURE_MAP_WINDOW;
	if (end > m->len)
		end = m->len;
	from &= ~(page - 1);
	(void)madvise((void *)(m->base + from), end - from, MADV_POPULATE_READ);
	m->mapped = end;
}

/* Give the mapping up; libpcap reads on from the record at off. 0: done,
 * -1: the file could not be positioned there (its records end here). */
static int capture_map_stop(capture_t *cap, capture_file_t *f)
{
	size_t off = f->map.off;
	munmap((void *)f->map.base, f->map.len);
	f->map.base = NULL;
	/* The tap walks the rest as if it had walked every record before it. */
	f->tap.walk.packets = f->packets_seen;
	f->tap.rec_have = 0;
	f->tap.rec_skip = 0;
	if (fseeko(f->raw, (off_t)off, SEEK_SET) != 0) {
		cap->stats.read_errors++;
		capture_error_set(cap, f, strerror(errno), "the rest of the file is not read");
		return -1;
	}
	return 0;
}

/* Take file f's next record from the mapping, into r. 1: a record; 0: not a
 * record the mapping takes (the caller hands the file to libpcap). */
static int capture_map_next(capture_t *cap, capture_file_t *f, capture_record_t *r)
{
	capture_map_t *m = &f->map;
	if (m->len - m->off < 16)
		return 0;
	cursor_t c = cursor_make(m->base + m->off, 16);
	uint32_t sec, frac, caplen, len;
	if (m->le) {
		sec = cursor_u32le(&c), frac = cursor_u32le(&c);
		caplen = cursor_u32le(&c), len = cursor_u32le(&c);
	} else {
		sec = cursor_u32(&c), frac = cursor_u32(&c);
		caplen = cursor_u32(&c), len = cursor_u32(&c);
	}
	/* libpcap reads the seconds as signed 32 bits and scales microseconds
	 * in 32 bits: leave the odd ones to it, as every other unusual record. */
	if (sec > INT32_MAX || frac >= (m->nsec ? 1000000000u : 1000000u) ||
	    caplen > m->snapshot || caplen > CAPTURE_SNAP_MAX || caplen > m->len - m->off - 16)
		return 0;

	struct pcap_pkthdr h;
	h.ts.tv_sec = (time_t)sec;
	h.ts.tv_usec = (suseconds_t)(m->nsec ? frac : frac * 1000u); /* nanoseconds, as libpcap is asked */
	h.caplen = caplen;
	h.len = len;
	size_t at = m->off;
	m->off += 16 + (size_t)caplen;
	if (m->off > m->mapped)
		capture_map_window(m, at);
	/* The analysis of this record takes long enough to bring the next one
	 * into the cache meanwhile (its first bytes: headers and the DNS header
	 * are what decoding touches first). */
	if (m->len - m->off > CAPTURE_MAP_AHEAD)
		for (size_t k = 0; k < CAPTURE_MAP_AHEAD; k += 64)
			__builtin_prefetch(m->base + m->off + k);
	/* And the stream further on: the first read of a record's header was
	 * still a third of capture_file_fill's samples; asking for the lines
	 * 3 kB ahead too took the pipeline alone on 300 MB from 0.153 to 0.146 s
	 * (medians of 5; 1, 2, 3 and 4 kB tried, 8 kB no better than none). */
	if (m->len - m->off > CAPTURE_MAP_STREAM_AHEAD + CAPTURE_MAP_AHEAD)
		for (size_t k = 0; k < CAPTURE_MAP_AHEAD; k += 64)
			__builtin_prefetch(m->base + m->off + CAPTURE_MAP_STREAM_AHEAD + k);
	cap->stats.mapped++;
	return capture_file_take(cap, f, &h, m->base + at + 16, r);
}

/* libpcap failed on file f. 1: that record was skipped and the file goes on;
 * 0: the file ended. */
static int capture_file_fail(capture_t *cap, capture_file_t *f)
{
	const char *e = pcap_geterr(f->pcap);
	const capture_walk_t *w = &f->tap.walk;

	if (strstr(e, "truncated")) {
		cap->stats.truncated_files++;
		capture_error_set(cap, f, e, "the file is cut off there");
		return 0;
	}
	if (strstr(e, "bigger than")) {
		cap->stats.over_snaplen++;
		/* pcapng: libpcap read the whole block before refusing it, so the next
		 * block is intact; the refused record still takes a frame number, as
		 * in tshark. A pcap record's bytes are still unread: the file ends. */
		if (w->format == CAPTURE_PCAPNG && !w->lost && w->packets == f->packets_seen + 1) {
			f->packets_seen = w->packets;
			f->frames++;
			snprintf(cap->last_error, sizeof cap->last_error, "%s: record %" PRIu64 " skipped: %s",
				 f->name, f->frames, e);
			return 1;
		}
		capture_error_set(cap, f, e, "the rest of the file is not read");
		return 0;
	}
	cap->stats.read_errors++;
	capture_error_set(cap, f, e, "the rest of the file is not read");
	return 0;
}

/* Read file f's next record into r (see capture_file_take). 1: a record; 0: the file is done. */
static int capture_file_fill(capture_t *cap, capture_file_t *f, capture_record_t *r)
{
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *data;

		if (!f->pcap)
			return 0;
		if (f->map.base) {
			if (capture_map_next(cap, f, r))
				return 1;
			if (capture_map_stop(cap, f) != 0) {
				pcap_close(f->pcap);
				f->pcap = NULL;
				return 0;
			}
		}
		int rc = pcap_next_ex(f->pcap, &h, &data);
		if (f->tap.walk.mixed) {
			/* An IDB with another link type (libpcap 1.10 fails on it anyway). */
			char why[768];
			capture_mixed_explain(why, sizeof why, f, &f->tap.walk);
			capture_error_set(cap, f, why, "the rest of the file is not read");
			cap->stats.read_errors++;
			rc = PCAP_ERROR_BREAK;
		}
		if (rc == 1)
			rc = capture_file_take(cap, f, h, data, r);
		else if (rc == PCAP_ERROR)
			rc = capture_file_fail(cap, f) ? -1 : 0;
		else
			rc = 0; /* end of file */
		if (rc >= 0) {
			if (rc == 0) {
				pcap_close(f->pcap); /* free its buffers now: the merge may go on long */
				f->pcap = NULL;
			}
			return rc;
		}
	}
}

/* ---- the merge */

static int capture_heap_before(const capture_t *cap, uint32_t a, uint32_t b)
{
	int64_t ta = cap->files[a].rec.ts_ns, tb = cap->files[b].rec.ts_ns;
	return ta < tb || (ta == tb && a < b);
}

static void capture_heap_swap(capture_t *cap, size_t i, size_t j)
{
	uint32_t tmp = cap->heap[i];
	cap->heap[i] = cap->heap[j];
	cap->heap[j] = tmp;
}

static void capture_heap_push(capture_t *cap, uint32_t file)
{
	size_t i = cap->heap_len++;
	cap->heap[i] = file;
	while (i > 0 && capture_heap_before(cap, cap->heap[i], cap->heap[(i - 1) / 2])) {
		capture_heap_swap(cap, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static uint32_t capture_heap_pop(capture_t *cap)
{
	uint32_t top = cap->heap[0];
	size_t i = 0;

	cap->heap[0] = cap->heap[--cap->heap_len];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < cap->heap_len && capture_heap_before(cap, cap->heap[l], cap->heap[m]))
			m = l;
		if (r < cap->heap_len && capture_heap_before(cap, cap->heap[r], cap->heap[m]))
			m = r;
		if (m == i)
			return top;
		capture_heap_swap(cap, i, m);
		i = m;
	}
}

/* ---- the interface */

capture_t *capture_open(const char *const *paths, size_t n, char *err, size_t errlen)
{
	capture_t *cap;
	int stdin_seen = 0;

	if (err && errlen)
		err[0] = '\0';
	if (!err)
		errlen = 0;
	if (!paths || n == 0) {
		snprintf(err, errlen, "no capture file given");
		return NULL;
	}
	if (n > UINT32_MAX) {
		snprintf(err, errlen, "too many capture files (%zu)", n);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!paths[i] || !paths[i][0]) {
			snprintf(err, errlen, "capture file %zu: empty name", i + 1);
			return NULL;
		}
		if (strcmp(paths[i], "-") == 0 && stdin_seen++) {
			snprintf(err, errlen, "-: standard input given more than once");
			return NULL;
		}
	}
	cap = calloc(1, sizeof *cap);
	if (cap) {
		cap->files = calloc(n, sizeof *cap->files);
		cap->heap = calloc(n, sizeof *cap->heap);
	}
	if (!cap || !cap->files || !cap->heap) {
		snprintf(err, errlen, "out of memory");
		capture_close(cap);
		return NULL;
	}
	cap->last = CAPTURE_NONE;
	for (size_t i = 0; i < n; i++) {
		cap->n = i + 1; /* so capture_close frees what this one opened */
		cap->files[i].index = (uint32_t)i;
		if (capture_file_open(&cap->files[i], paths[i], err, errlen) != 0) {
			capture_close(cap);
			return NULL;
		}
		if (n <= CAPTURE_MAP_FILES_MAX)
			capture_map_start(&cap->files[i], n);
	}
	return cap;
}

/* One file: no merge, and the record is made where the caller wants it
 * (the heap and the copy of the pending record were 2% of the reading
 * thread, perf, bench/run 300 MB). */
static int capture_next_single(capture_t *cap, capture_record_t *rec)
{
	cap->primed = 1;
	if (!capture_file_fill(cap, &cap->files[0], rec))
		return 0;
	rec->frame = ++cap->frames;
	cap->stats.records++;
	cap->stats.bytes += rec->caplen;
	return 1;
}

int capture_next(capture_t *cap, capture_record_t *rec)
{
	if (cap->n == 1)
		return capture_next_single(cap, rec);
	if (!cap->primed) {
		cap->primed = 1;
		for (size_t i = 0; i < cap->n; i++)
			if (capture_file_fill(cap, &cap->files[i], &cap->files[i].rec))
				capture_heap_push(cap, (uint32_t)i);
	} else if (cap->last != CAPTURE_NONE) {
		/* Refilled only now: the record handed out last lives in its buffer. */
		if (capture_file_fill(cap, &cap->files[cap->last], &cap->files[cap->last].rec))
			capture_heap_push(cap, (uint32_t)cap->last);
	}
	cap->last = CAPTURE_NONE;
	if (cap->heap_len == 0)
		return 0;

	uint32_t i = capture_heap_pop(cap);
	*rec = cap->files[i].rec;
	rec->frame = ++cap->frames;
	cap->stats.records++;
	cap->stats.bytes += rec->caplen;
	cap->last = i;
	return 1;
}

const capture_stats_t *capture_stats(const capture_t *cap)
{
	return &cap->stats;
}

const char *capture_last_error(const capture_t *cap)
{
	return cap->last_error[0] ? cap->last_error : NULL;
}

uint32_t capture_interfaces(const capture_t *cap, size_t file)
{
	if (file >= cap->n)
		return 0;
	const capture_file_t *f = &cap->files[file];
	if (f->tap.walk.format != CAPTURE_PCAPNG || f->tap.walk.ifaces == 0)
		return 1;
	return f->tap.walk.ifaces;
}

void capture_close(capture_t *cap)
{
	if (!cap)
		return;
	for (size_t i = 0; cap->files && i < cap->n; i++) {
		capture_file_t *f = &cap->files[i];
		if (f->map.base)
			munmap((void *)f->map.base, f->map.len);
		if (f->pcap)
			pcap_close(f->pcap); /* closes the tap stream, not the file */
		if (f->raw && !f->is_stdin)
			fclose(f->raw);
		free(f->tap.walk.snaplen);
		free(f->tap.ring);
		free(f->tapbuf); /* the stream using it was closed by pcap_close */
		free(f->name);
	}
	free(cap->files);
	free(cap->heap);
	free(cap);
}
