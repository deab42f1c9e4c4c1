/* test_capture.c - capture.c on hand-built pcap and pcapng files (both byte
 * orders), hostile files, stdin, and the real captures in ../shared/real-pcaps.
 *
 * Each test writes its files byte by byte into a mkdtemp() directory, so what
 * is on disk is exactly what the test says. The real captures are read from
 * $DNSFRAG_REAL_PCAPS or ../shared/real-pcaps (relative to the repository root,
 * where tests/run-all runs); that test is skipped, with a message, without them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "capture.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NS 1000000000LL
#define LE 1
#define BE 0

static char tmpdir[64];

/* ---- a growing byte buffer and the writers for both byte orders */

typedef struct tbuf {
	uint8_t *p;
	size_t len, cap;
} tbuf_t;

static void tb_put(tbuf_t *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		assert_non_null(b->p);
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void tb_u16(tbuf_t *b, uint32_t v, int le)
{
	uint8_t x[2] = { (uint8_t)(le ? v : v >> 8), (uint8_t)(le ? v >> 8 : v) };
	tb_put(b, x, 2);
}

static void tb_u32(tbuf_t *b, uint32_t v, int le)
{
	uint8_t x[4];
	for (int i = 0; i < 4; i++)
		x[le ? i : 3 - i] = (uint8_t)(v >> (8 * i));
	tb_put(b, x, 4);
}

static void tb_zero(tbuf_t *b, size_t n)
{
	static const uint8_t z[64];
	while (n) {
		size_t k = n < sizeof z ? n : sizeof z;
		tb_put(b, z, k);
		n -= k;
	}
}

/* n bytes of a pattern that differs per seed, so copies can be checked */
static void tb_data(tbuf_t *b, uint32_t n, uint8_t seed)
{
	for (uint32_t i = 0; i < n; i++) {
		uint8_t x = (uint8_t)(seed + i * 7);
		tb_put(b, &x, 1);
	}
}

static int data_ok(const uint8_t *d, uint32_t n, uint8_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		if (d[i] != (uint8_t)(seed + i * 7))
			return 0;
	return 1;
}

static void tb_free(tbuf_t *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

/* ---- classic pcap */

static void pcap_header_magic(tbuf_t *b, int le, uint32_t magic, uint16_t minor, uint32_t snaplen,
			      uint32_t linktype)
{
	tb_u32(b, magic, le);
	tb_u16(b, 2, le);
	tb_u16(b, minor, le);
	tb_u32(b, 0, le); /* thiszone */
	tb_u32(b, 0, le); /* sigfigs */
	tb_u32(b, snaplen, le);
	tb_u32(b, linktype, le);
}

static void pcap_header(tbuf_t *b, int le, int nsec, uint32_t snaplen, uint32_t linktype)
{
	pcap_header_magic(b, le, nsec ? 0xa1b23c4du : 0xa1b2c3d4u, 4, snaplen, linktype);
}

static void pcap_record(tbuf_t *b, int le, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t wirelen,
			uint8_t seed)
{
	tb_u32(b, sec, le);
	tb_u32(b, frac, le);
	tb_u32(b, caplen, le);
	tb_u32(b, wirelen, le);
	tb_data(b, caplen, seed);
}

/* ---- pcapng */

static void ng_block(tbuf_t *b, int le, uint32_t type, const tbuf_t *body)
{
	size_t pad = (4 - body->len % 4) % 4;
	uint32_t total = (uint32_t)(12 + body->len + pad);
	tb_u32(b, type, le);
	tb_u32(b, total, le);
	tb_put(b, body->p, body->len);
	tb_zero(b, pad);
	tb_u32(b, total, le);
}

static void ng_shb(tbuf_t *b, int le)
{
	tbuf_t body = { 0 };
	tb_u32(&body, 0x1A2B3C4Du, le);
	tb_u16(&body, 1, le);
	tb_u16(&body, 0, le);
	tb_u32(&body, 0xFFFFFFFFu, le); /* section length: unknown */
	tb_u32(&body, 0xFFFFFFFFu, le);
	ng_block(b, le, 0x0A0D0D0Au, &body);
	tb_free(&body);
}

/* tsresol < 0: no if_tsresol option (microseconds) */
static void ng_idb(tbuf_t *b, int le, uint16_t linktype, uint32_t snaplen, int tsresol)
{
	tbuf_t body = { 0 };
	tb_u16(&body, linktype, le);
	tb_u16(&body, 0, le);
	tb_u32(&body, snaplen, le);
	if (tsresol >= 0) {
		uint8_t r = (uint8_t)tsresol;
		tb_u16(&body, 9, le); /* if_tsresol */
		tb_u16(&body, 1, le);
		tb_put(&body, &r, 1);
		tb_zero(&body, 3);
		tb_u32(&body, 0, le); /* opt_endofopt */
	}
	ng_block(b, le, 1, &body);
	tb_free(&body);
}

static void ng_epb(tbuf_t *b, int le, uint32_t iface, uint64_t ts, uint32_t caplen, uint32_t len, uint8_t seed)
{
	tbuf_t body = { 0 };
	tb_u32(&body, iface, le);
	tb_u32(&body, (uint32_t)(ts >> 32), le);
	tb_u32(&body, (uint32_t)ts, le);
	tb_u32(&body, caplen, le);
	tb_u32(&body, len, le);
	tb_data(&body, caplen, seed);
	ng_block(b, le, 6, &body);
	tb_free(&body);
}

static void ng_pb(tbuf_t *b, int le, uint16_t iface, uint64_t ts, uint32_t caplen, uint32_t len, uint8_t seed)
{
	tbuf_t body = { 0 };
	tb_u16(&body, iface, le);
	tb_u16(&body, 0, le); /* drops */
	tb_u32(&body, (uint32_t)(ts >> 32), le);
	tb_u32(&body, (uint32_t)ts, le);
	tb_u32(&body, caplen, le);
	tb_u32(&body, len, le);
	tb_data(&body, caplen, seed);
	ng_block(b, le, 2, &body);
	tb_free(&body);
}

/* An SPB of a len-byte packet holding held bytes (min(len, snaplen of interface 0)). */
static void ng_spb(tbuf_t *b, int le, uint32_t len, uint32_t held, uint8_t seed)
{
	tbuf_t body = { 0 };
	tb_u32(&body, len, le);
	tb_data(&body, held, seed);
	ng_block(b, le, 3, &body);
	tb_free(&body);
}

/* ---- files and captures */

static void write_bytes(char *path, size_t pathlen, const char *name, const void *d, size_t n)
{
	snprintf(path, pathlen, "%s/%s", tmpdir, name);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	if (n)
		assert_int_equal(fwrite(d, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
}

static void write_file(char *path, size_t pathlen, const char *name, const tbuf_t *b)
{
	write_bytes(path, pathlen, name, b->p, b->len);
}

static capture_t *open_paths(const char *const *paths, size_t n)
{
	char err[1024];
	capture_t *cap = capture_open(paths, n, err, sizeof err);
	if (!cap)
		fail_msg("capture_open: %s", err);
	return cap;
}

static capture_t *open_one(const char *path)
{
	return open_paths(&path, 1);
}

/* Opening must fail; returns the message. */
static const char *open_fails(const char *path, char *err, size_t errlen)
{
	capture_t *cap = capture_open(&path, 1, err, errlen);
	if (cap) {
		capture_close(cap);
		fail_msg("capture_open(%s) succeeded", path);
	}
	return err;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!hay || !strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay ? hay : "(null)", needle);
}

static uint64_t drain(capture_t *cap)
{
	capture_record_t r;
	uint64_t n = 0;
	while (capture_next(cap, &r))
		n++;
	return n;
}

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_capture.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	char path[PATH_MAX];
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
		unlink(path);
	}
	closedir(d);
	return rmdir(tmpdir);
}

/* ---- pcap */

static void test_pcap_usec_timestamps(void **state)
{
	(void)state;
	tbuf_t b = { 0 };
	char path[PATH_MAX];
	capture_record_t r;

	pcap_header(&b, LE, 0, 65535, 1);
	pcap_record(&b, LE, 1700000000, 123456, 60, 60, 1);
	pcap_record(&b, LE, 1700000001, 999999, 42, 1514, 2);
	write_file(path, sizeof path, "usec.pcap", &b);
	tb_free(&b);

	capture_t *cap = open_one(path);
	assert_int_equal(capture_next(cap, &r), 1);
	assert_true(r.ts_ns == 1700000000 * NS + 123456000);
	assert_int_equal(r.caplen, 60);
	assert_int_equal(r.wirelen, 60);
	assert_true(data_ok(r.data, 60, 1));
	assert_int_equal(r.dlt, DLT_EN10MB);
	assert_int_equal(r.interface, 0);
	assert_int_equal(r.file, 0);
	assert_int_equal(r.frame, 1);
	assert_int_equal(r.file_frame, 1);
	assert_int_equal(capture_next(cap, &r), 1);
	assert_true(r.ts_ns == 1700000001 * NS + 999999000);
	assert_int_equal(r.caplen, 42);
	assert_int_equal(r.wirelen, 1514);
	assert_true(data_ok(r.data, 42, 2));
	assert_int_equal(r.frame, 2);
	assert_int_equal(capture_next(cap, &r), 0);
	assert_int_equal(capture_next(cap, &r), 0); /* stays done */

	const capture_stats_t *s = capture_stats(cap);
	assert_int_equal(s->records, 2);
	assert_int_equal(s->bytes, 102);
	assert_int_equal(s->over_snaplen + s->wirelen_short + s->truncated_files + s->read_errors, 0);
	assert_int_equal(capture_interfaces(cap, 0), 1);
	assert_null(capture_last_error(cap));
	capture_close(cap);
}

static void test_pcap_nsec_big_endian(void **state)
{
	(void)state;
	tbuf_t b = { 0 };
	char path[PATH_MAX];
	capture_record_t r;

	pcap_header(&b, BE, 1, 65535, 101); /* LINKTYPE_RAW */
	pcap_record(&b, BE, 1700000000, 123456789, 20, 20, 3);
	pcap_record(&b, BE, 1700000000, 999999999, 28, 28, 4);
	write_file(path, sizeof path, "nsec-be.pcap", &b);
	tb_free(&b);

	capture_t *cap = open_one(path);
	assert_int_equal(capture_next(cap, &r), 1);
	assert_true(r.ts_ns == 1700000000 * NS + 123456789);
	assert_int_equal(r.dlt, DLT_RAW);
	assert_string_equal(capture_dlt2str(r.dlt), "RAW");
	assert_true(data_ok(r.data, 20, 3));
	assert_int_equal(capture_next(cap, &r), 1);
	assert_true(r.ts_ns == 1700000000 * NS + 999999999);
	assert_true(data_ok(r.data, 28, 4));
	assert_int_equal(capture_next(cap, &r), 0);
	capture_close(cap);
}

static void test_merge_by_time(void **state)
{
	(void)state;
	tbuf_t a = { 0 }, b = { 0 }, e = { 0 };
	char pa[PATH_MAX], pb[PATH_MAX], pe[PATH_MAX];
	capture_record_t r;

	pcap_header(&a, LE, 0, 65535, 1); /* microseconds */
	pcap_record(&a, LE, 1, 0, 10, 10, 0x10);
	pcap_record(&a, LE, 3, 0, 10, 10, 0x11);
	pcap_record(&a, LE, 5, 0, 10, 10, 0x12);
	pcap_header(&b, BE, 1, 65535, 1); /* nanoseconds, other byte order */
	pcap_record(&b, BE, 2, 0, 10, 10, 0x20);
	pcap_record(&b, BE, 3, 0, 10, 10, 0x21); /* ties with a's second: a first */
	pcap_record(&b, BE, 4, 0, 10, 10, 0x22);
	pcap_header(&e, LE, 0, 65535, 1); /* a header and no records */
	write_file(pa, sizeof pa, "merge-a.pcap", &a);
	write_file(pb, sizeof pb, "merge-b.pcap", &b);
	write_file(pe, sizeof pe, "merge-empty.pcap", &e);
	tb_free(&a);
	tb_free(&b);
	tb_free(&e);

	const char *paths[] = { pa, pe, pb };
	static const struct { uint32_t file; uint64_t file_frame; int sec; uint8_t seed; } want[] = {
		{ 0, 1, 1, 0x10 }, { 2, 1, 2, 0x20 }, { 0, 2, 3, 0x11 },
		{ 2, 2, 3, 0x21 }, { 2, 3, 4, 0x22 }, { 0, 3, 5, 0x12 },
	};
	capture_t *cap = open_paths(paths, 3);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		assert_int_equal(capture_next(cap, &r), 1);
		assert_int_equal(r.frame, i + 1);
		assert_int_equal(r.file, want[i].file);
		assert_int_equal(r.file_frame, want[i].file_frame);
		assert_true(r.ts_ns == want[i].sec * NS);
		assert_true(data_ok(r.data, 10, want[i].seed));
	}
	assert_int_equal(capture_next(cap, &r), 0);
	assert_int_equal(capture_stats(cap)->records, 6);
	assert_int_equal(capture_stats(cap)->out_of_order, 0);
	capture_close(cap);
}

static void test_out_of_order_counted(void **state)
{
	(void)state;
	tbuf_t b = { 0 };
	char path[PATH_MAX];
	capture_record_t r;

	pcap_header(&b, LE, 0, 65535, 1);
	pcap_record(&b, LE, 5, 0, 10, 10, 1);
	pcap_record(&b, LE, 3, 0, 10, 10, 2);
	pcap_record(&b, LE, 7, 0, 10, 10, 3);
	write_file(path, sizeof path, "ooo.pcap", &b);
	tb_free(&b);

	capture_t *cap = open_one(path);
	for (uint8_t seed = 1; seed <= 3; seed++) { /* one file keeps its own order */
		assert_int_equal(capture_next(cap, &r), 1);
		assert_true(data_ok(r.data, 10, seed));
	}
	assert_int_equal(capture_next(cap, &r), 0);
	assert_int_equal(capture_stats(cap)->out_of_order, 1);
	capture_close(cap);
}

static void test_pcap_truncated(void **state)
{
	(void)state;
	tbuf_t b = { 0 }, g = { 0 };
	char path[PATH_MAX], good[PATH_MAX];
	capture_record_t r;

	pcap_header(&b, LE, 0, 65535, 1);
	pcap_record(&b, LE, 1, 0, 50, 50, 1);
	pcap_record(&b, LE, 2, 0, 50, 50, 2);
	pcap_record(&b, LE, 3, 0, 50, 50, 3);
	b.len -= 20; /* cut inside the third record's data */
	write_file(path, sizeof path, "cut.pcap", &b);
	pcap_header(&g, LE, 0, 65535, 1);
	pcap_record(&g, LE, 10, 0, 30, 30, 9);
	write_file(good, sizeof good, "after-cut.pcap", &g);
	tb_free(&b);
	tb_free(&g);

	const char *paths[] = { path, good };
	capture_t *cap = open_paths(paths, 2);
	assert_int_equal(capture_next(cap, &r), 1);
	assert_true(data_ok(r.data, 50, 1));
	assert_int_equal(capture_next(cap, &r), 1);
	assert_true(data_ok(r.data, 50, 2));
	assert_int_equal(capture_next(cap, &r), 1); /* the other file goes on */
	assert_int_equal(r.file, 1);
	assert_true(data_ok(r.data, 30, 9));
	assert_int_equal(capture_next(cap, &r), 0);
	assert_int_equal(capture_stats(cap)->truncated_files, 1);
	assert_int_equal(capture_stats(cap)->read_errors, 0);
	assert_contains(capture_last_error(cap), path);
	assert_contains(capture_last_error(cap), "truncated");
	capture_close(cap);

	/* cut inside a record header */
	pcap_header(&b, LE, 0, 65535, 1);
	pcap_record(&b, LE, 1, 0, 50, 50, 1);
	tb_zero(&b, 7);
	write_file(path, sizeof path, "cut-header.pcap", &b);
	tb_free(&b);
	cap = open_one(path);
	assert_int_equal(drain(cap), 1);
	assert_int_equal(capture_stats(cap)->truncated_files, 1);
	capture_close(cap);
}

static void test_wirelen_short(void **state)
{
	(void)state;
	tbuf_t b = { 0 };
	char path[PATH_MAX];
	capture_record_t r;

	pcap_header(&b, LE, 0, 65535, 1);
	pcap_record(&b, LE, 1, 0, 60, 40, 1);
	write_file(path, sizeof path, "short.pcap", &b);
	tb_free(&b);
	capture_t *cap = open_one(path);
	assert_int_equal(capture_next(cap, &r), 1);
	assert_int_equal(r.caplen, 60); /* delivered as recorded */
	assert_int_equal(r.wirelen, 40);
	assert_true(data_ok(r.data, 60, 1));
	assert_int_equal(capture_next(cap, &r), 0);
	assert_int_equal(capture_stats(cap)->wirelen_short, 1);
	capture_close(cap);

	ng_shb(&b, LE);
	ng_idb(&b, LE, 1, 0, -1);
	ng_epb(&b, LE, 0, 1, 60, 40, 2);
	write_file(path, sizeof path, "short.pcapng", &b);
	tb_free(&b);
	cap = open_one(path);
	assert_int_equal(capture_next(cap, &r), 1);
	assert_int_equal(r.caplen, 60);
	assert_int_equal(r.wirelen, 40);
	assert_int_equal(capture_stats(cap)->wirelen_short, 1);
	capture_close(cap);
}

static void test_pcap_over_snaplen(void **state)
{
	(void)state;
	tbuf_t b = { 0 };
	char path[PATH_MAX];
	capture_record_t r;

	/* longer than the snaplen: libpcap cuts it (silently); we count it */
	pcap_header(&b, LE, 0, 64, 1);
	pcap_record(&b, LE, 1, 0, 100, 100, 1);
	pcap_record(&b, LE, 2, 0, 50, 50, 2);
	write_file(path, sizeof path, "over.pcap", &b);
	tb_free(&b);
	capture_t *cap = open_one(path);
	assert_int_equal(capture_next(cap, &r), 1);
	assert_int_equal(r.caplen, 64);
	assert_int_equal(r.wirelen, 100);
	assert_true(data_ok(r.data, 64, 1));
	assert_int_equal(capture_next(cap, &r), 1); /* and the file goes on in step */
	assert_int_equal(r.caplen, 50);
	assert_true(data_ok(r.data, 50, 2));
	assert_int_equal(capture_next(cap, &r), 0);
	assert_int_equal(capture_stats(cap)->over_snaplen, 1);
	capture_close(cap);

	/* longer than libpcap's maximum: libpcap stops the file */
	pcap_header(&b, LE, 0, 65535, 1);
	pcap_record(&b, LE, 1, 0, 50, 50, 1);
	pcap_record(&b, LE, 2, 0, 300000, 300000, 2);
	pcap_record(&b, LE, 3, 0, 50, 50, 3);
	write_file(path, sizeof path, "over-max.pcap", &b);
	tb_free(&b);
	cap = open_one(path);
	assert_int_equal(drain(cap), 1);
	assert_int_equal(capture_stats(cap)->over_snaplen, 1);
	assert_contains(capture_last_error(cap), "bigger than");
	capture_close(cap);
}

/* ---- plain pcap files are read from a mapping: the same records as libpcap */

typedef struct rec_copy {
	capture_record_t r;
	uint8_t *data;
} rec_copy_t;

/* Every record of path, read as a file (mapped where it can be) or through
 * stdin (always libpcap); *n records, the stats and the last error. */
static rec_copy_t *read_all(const char *path, int via_stdin, size_t *n, capture_stats_t *st, char *err,
			    size_t errlen)
{
	rec_copy_t *v = NULL;
	capture_record_t r;
	const char *name = path;
	if (via_stdin) {
		assert_non_null(freopen(path, "rb", stdin));
		name = "-";
	}
	capture_t *cap = open_one(name);
	*n = 0;
	while (capture_next(cap, &r)) {
		v = realloc(v, (*n + 1) * sizeof *v);
		assert_non_null(v);
		v[*n].r = r;
		v[*n].data = malloc(r.caplen ? r.caplen : 1);
		assert_non_null(v[*n].data);
		memcpy(v[*n].data, r.data, r.caplen);
		(*n)++;
	}
	*st = *capture_stats(cap);
	const char *e = capture_last_error(cap);
	/* the file's name differs ("stdin"); what follows it must not */
	const char *colon = e ? strchr(e, ':') : NULL;
	snprintf(err, errlen, "%s", colon ? colon : "");
	capture_close(cap);
	if (via_stdin)
		assert_non_null(freopen("/dev/null", "rb", stdin));
	return v;
}

static void assert_same_as_libpcap(const char *path, uint64_t want_mapped)
{
	size_t n1, n2;
	capture_stats_t s1, s2;
	char e1[1024], e2[1024];
	rec_copy_t *a = read_all(path, 0, &n1, &s1, e1, sizeof e1);
	rec_copy_t *b = read_all(path, 1, &n2, &s2, e2, sizeof e2);
	assert_int_equal(n1, n2);
	for (size_t i = 0; i < n1; i++) {
		assert_int_equal(a[i].r.caplen, b[i].r.caplen);
		assert_int_equal(a[i].r.wirelen, b[i].r.wirelen);
		assert_true(a[i].r.ts_ns == b[i].r.ts_ns);
		assert_int_equal(a[i].r.dlt, b[i].r.dlt);
		assert_int_equal(a[i].r.file_frame, b[i].r.file_frame);
		assert_memory_equal(a[i].data, b[i].data, a[i].r.caplen);
		free(a[i].data);
		free(b[i].data);
	}
	free(a);
	free(b);
	assert_int_equal(s1.records, s2.records);
	assert_int_equal(s1.bytes, s2.bytes);
	assert_int_equal(s1.over_snaplen, s2.over_snaplen);
	assert_int_equal(s1.wirelen_short, s2.wirelen_short);
	assert_int_equal(s1.truncated_files, s2.truncated_files);
	assert_int_equal(s1.read_errors, s2.read_errors);
	assert_int_equal(s1.out_of_order, s2.out_of_order);
	assert_string_equal(e1, e2);
	assert_int_equal(s2.mapped, 0);           /* stdin is never mapped */
	assert_int_equal(s1.mapped, want_mapped); /* the file was, up to its first odd record */
}

static void test_pcap_mapped(void **state)
{
	(void)state;
	tbuf_t b = { 0 };
	char path[PATH_MAX];

	/* ordinary records only, both byte orders and resolutions */
	for (int le = 0; le < 2; le++)
		for (int nsec = 0; nsec < 2; nsec++) {
			pcap_header(&b, le, nsec, 65535, 1);
			for (uint32_t i = 0; i < 200; i++)
				pcap_record(&b, le, 1000 + i, (nsec ? 999999999u : 999999u) - i, 20 + i * 7 % 1500,
					    1600, (uint8_t)i);
			pcap_record(&b, le, 5000, 0, 0, 0, 0); /* an empty record */
			write_file(path, sizeof path, "mapped.pcap", &b);
			tb_free(&b);
			assert_same_as_libpcap(path, 201);
		}

	/* larger than the window of mapped pages (2 MB): pages are given back
	 * behind the records and mapped ahead of them, records straddle the
	 * window's edges */
	pcap_header(&b, LE, 0, 65535, 1);
	for (uint32_t i = 0; i < 5000; i++)
		pcap_record(&b, LE, 1000 + i / 1000, i % 1000, 900 + i % 700, 1600, (uint8_t)i);
	write_file(path, sizeof path, "mapped-big.pcap", &b);
	tb_free(&b);
	assert_same_as_libpcap(path, 5000);

	/* the mapping hands over to libpcap at the first record it does not
	 * take, and libpcap reads on from there: each odd record comes third */
	static const struct {
		uint32_t sec, frac, caplen, wirelen;
		int cut;         /* bytes cut off the file's end */
		uint64_t mapped; /* records the mapping takes */
	} odd[] = {
		{ 7, 1000000, 40, 40, 0, 2 },     /* microseconds past a second */
		{ 0x80000000u, 0, 40, 40, 0, 2 }, /* seconds past 2038 (signed in libpcap) */
		{ 7, 0, 100, 100, 0, 2 },         /* over the snaplen of 80: cut by libpcap */
		{ 7, 0, 300000, 300000, 0, 2 },   /* over libpcap's maximum: ends the file */
		{ 7, 0, 40, 30, 0, 5 },           /* wirelen short: still taken by the mapping */
		{ 7, 0, 40, 40, 60, 4 },          /* the file cut inside the last record */
		{ 7, 0, 40, 40, 70, 4 },          /* the file cut inside its header */
	};
	for (size_t k = 0; k < sizeof odd / sizeof odd[0]; k++) {
		pcap_header(&b, LE, 0, 80, 1);
		pcap_record(&b, LE, 5, 0, 60, 60, 1);
		pcap_record(&b, LE, 6, 0, 60, 60, 2);
		uint32_t held = odd[k].caplen > 80 ? 80 : odd[k].caplen;
		/* a record over the maximum is not followed by its bytes: libpcap stops at its header */
		tb_u32(&b, odd[k].sec, LE);
		tb_u32(&b, odd[k].frac, LE);
		tb_u32(&b, odd[k].caplen, LE);
		tb_u32(&b, odd[k].wirelen, LE);
		tb_data(&b, odd[k].caplen > 262144 ? held : odd[k].caplen, 3);
		pcap_record(&b, LE, 8, 0, 60, 60, 4);
		pcap_record(&b, LE, 9, 0, 60, 60, 5);
		b.len -= (size_t)odd[k].cut;
		write_file(path, sizeof path, "odd.pcap", &b);
		tb_free(&b);
		assert_same_as_libpcap(path, odd[k].mapped);
	}

	/* a capture point of many files (a rotated capture) is read through
	 * libpcap: every mapped file holds a window of pages */
	pcap_header(&b, LE, 0, 65535, 1);
	pcap_record(&b, LE, 1, 0, 40, 40, 1);
	write_file(path, sizeof path, "one.pcap", &b);
	tb_free(&b);
	const char *many[17];
	for (size_t i = 0; i < 17; i++)
		many[i] = path;
	for (size_t n = 16; n <= 17; n++) {
		capture_t *cap = open_paths(many, n);
		assert_int_equal(drain(cap), n);
		assert_int_equal(capture_stats(cap)->mapped, n == 16 ? 16 : 0);
		capture_close(cap);
	}

	/* link types libpcap edits are not mapped (Linux cooked capture) */
	pcap_header(&b, LE, 0, 65535, 113);
	pcap_record(&b, LE, 1, 0, 40, 40, 1);
	write_file(path, sizeof path, "sll.pcap", &b);
	tb_free(&b);
	assert_same_as_libpcap(path, 0);
}

/* Old layouts libpcap still reads: a record the walker misreads would
 * put it out of step with libpcap from there on. */
static void test_pcap_old_layouts(void **state)
{
	(void)state;
	tbuf_t b = { 0 };
	char path[PATH_MAX];
	capture_record_t r;

	/* 2.2: caplen and len stored the other way round */
	pcap_header_magic(&b, BE, 0xa1b2c3d4u, 2, 64, 1);
	for (uint8_t i = 1; i <= 2; i++) {
		tb_u32(&b, i, BE);
		tb_u32(&b, 0, BE);
		tb_u32(&b, 100, BE); /* len, where 2.4 has caplen */
		tb_u32(&b, 60, BE);  /* caplen */
		tb_data(&b, 60, i);
	}
	write_file(path, sizeof path, "v22.pcap", &b);
	tb_free(&b);
	capture_t *cap = open_one(path);
	for (uint8_t i = 1; i <= 2; i++) {
		assert_int_equal(capture_next(cap, &r), 1);
		assert_int_equal(r.caplen, 60);
		assert_int_equal(r.wirelen, 100);
		assert_true(data_ok(r.data, 60, i));
	}
	assert_int_equal(capture_next(cap, &r), 0);
	assert_int_equal(capture_stats(cap)->over_snaplen + capture_stats(cap)->wirelen_short, 0);
	assert_null(capture_last_error(cap));
	capture_close(cap);

	/* 2.3: either order; caplen > len means swapped */
	pcap_header_magic(&b, LE, 0xa1b2c3d4u, 3, 64, 1);
	tb_u32(&b, 1, LE);
	tb_u32(&b, 0, LE);
	tb_u32(&b, 100, LE); /* swapped: len first */
	tb_u32(&b, 40, LE);
	tb_data(&b, 40, 1);
	pcap_record(&b, LE, 2, 0, 50, 80, 2); /* in 2.4 order */
	pcap_record(&b, LE, 3, 0, 100, 100, 3); /* over the snaplen: cut by libpcap */
	write_file(path, sizeof path, "v23.pcap", &b);
	tb_free(&b);
	cap = open_one(path);
	assert_int_equal(capture_next(cap, &r), 1);
	assert_int_equal(r.caplen, 40);
	assert_int_equal(r.wirelen, 100);
	assert_true(data_ok(r.data, 40, 1));
	assert_int_equal(capture_next(cap, &r), 1);
	assert_int_equal(r.caplen, 50);
	assert_true(data_ok(r.data, 50, 2));
	assert_int_equal(capture_next(cap, &r), 1);
	assert_int_equal(r.caplen, 64);
	assert_true(data_ok(r.data, 64, 3));
	assert_int_equal(capture_next(cap, &r), 0);
	assert_int_equal(capture_stats(cap)->over_snaplen, 1);
	assert_int_equal(capture_stats(cap)->wirelen_short, 0);
	capture_close(cap);

	/* Kuznetzov's format: 8 more bytes in each record header */
	pcap_header_magic(&b, LE, 0xa1b2cd34u, 4, 64, 1);
	for (uint8_t i = 1; i <= 2; i++) {
		tb_u32(&b, i, LE);
		tb_u32(&b, 0, LE);
		tb_u32(&b, 100, LE); /* caplen: over the snaplen */
		tb_u32(&b, 100, LE);
		tb_zero(&b, 8); /* ifindex, protocol, pkt_type, pad */
		tb_data(&b, 100, i);
	}
	write_file(path, sizeof path, "kuznetzov.pcap", &b);
	tb_free(&b);
	cap = open_one(path);
	for (uint8_t i = 1; i <= 2; i++) {
		assert_int_equal(capture_next(cap, &r), 1);
		assert_int_equal(r.wirelen, 100);
		assert_int_equal(r.caplen, 78); /* libpcap allows snaplen + 14 in this format */
		assert_true(data_ok(r.data, r.caplen, i));
	}
	assert_int_equal(capture_next(cap, &r), 0);
	assert_int_equal(capture_stats(cap)->over_snaplen, 2);
	capture_close(cap);
}

/* ---- pcapng */

static void test_pcapng_single_interface(void **state)
{
	(void)state;
	tbuf_t b = { 0 };
	char path[PATH_MAX];
	capture_record_t r;

	ng_shb(&b, LE);
	ng_idb(&b, LE, 1, 65535, 9); /* nanoseconds */
	ng_epb(&b, LE, 0, 1700000000123456789ull, 60, 60, 1);
	ng_epb(&b, LE, 0, 1700000001000000001ull, 61, 61, 2);
	write_file(path, sizeof path, "one.pcapng", &b);
	tb_free(&b);

	capture_t *cap = open_one(path);
	assert_int_equal(capture_next(cap, &r), 1);
	assert_true(r.ts_ns == 1700000000123456789LL);
	assert_int_equal(r.interface, 0);
	assert_int_equal(r.dlt, DLT_EN10MB);
	assert_true(data_ok(r.data, 60, 1));
	assert_int_equal(capture_next(cap, &r), 1);
	assert_true(r.ts_ns == 1700000001000000001LL);
	assert_int_equal(r.caplen, 61);
	assert_true(data_ok(r.data, 61, 2));
	assert_int_equal(capture_next(cap, &r), 0);
	assert_int_equal(capture_interfaces(cap, 0), 1);
	assert_null(capture_last_error(cap));
	capture_close(cap);

	/* the default resolution, microseconds, big-endian */
	ng_shb(&b, BE);
	ng_idb(&b, BE, 1, 0, -1);
	ng_epb(&b, BE, 0, 1700000000123456ull, 60, 60, 3);
	write_file(path, sizeof path, "one-be.pcapng", &b);
	tb_free(&b);
	cap = open_one(path);
	assert_int_equal(capture_next(cap, &r), 1);
	assert_true(r.ts_ns == 1700000000123456000LL);
	assert_true(data_ok(r.data, 60, 3));
	capture_close(cap);
}

/* Two Ethernet interfaces with different snaplens (libpcap alone refuses
 * that), records on both, plus the obsolete Packet Block and a Simple Packet
 * Block cut to interface 0's snaplen. */
static void build_two_interfaces(tbuf_t *b, int le)
{
	ng_shb(b, le);
	ng_idb(b, le, 1, 4000, -1);
	ng_idb(b, le, 1, 262144, -1);
	ng_epb(b, le, 1, 1000, 100, 100, 1);
	ng_epb(b, le, 0, 2000, 101, 101, 2);
	ng_pb(b, le, 1, 3000, 102, 102, 3);
	ng_spb(b, le, 5000, 4000, 4);
	ng_epb(b, le, 1, 5000, 5000, 5000, 5); /* over interface 0's snaplen, not its own */
}

static void check_two_interfaces(capture_t *cap)
{
	static const struct { uint32_t iface, caplen, wirelen; uint8_t seed; } want[] = {
		{ 1, 100, 100, 1 }, { 0, 101, 101, 2 }, { 1, 102, 102, 3 },
		{ 0, 4000, 5000, 4 }, { 1, 5000, 5000, 5 },
	};
	capture_record_t r;
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		assert_int_equal(capture_next(cap, &r), 1);
		assert_int_equal(r.interface, want[i].iface);
		assert_int_equal(r.caplen, want[i].caplen);
		assert_int_equal(r.wirelen, want[i].wirelen);
		assert_int_equal(r.file_frame, i + 1);
		assert_true(data_ok(r.data, r.caplen, want[i].seed));
	}
	assert_int_equal(capture_next(cap, &r), 0);
	assert_int_equal(capture_interfaces(cap, 0), 2);
	const capture_stats_t *s = capture_stats(cap);
	assert_int_equal(s->records, 5);
	assert_int_equal(s->over_snaplen + s->wirelen_short + s->truncated_files + s->read_errors, 0);
	assert_int_equal(s->interface_unknown, 0);
}

static void test_pcapng_two_interfaces(void **state)
{
	(void)state;
	char path[PATH_MAX];

	for (int le = 0; le <= 1; le++) {
		tbuf_t b = { 0 };
		build_two_interfaces(&b, le);
		write_file(path, sizeof path, le ? "two-le.pcapng" : "two-be.pcapng", &b);
		tb_free(&b);
		capture_t *cap = open_one(path);
		check_two_interfaces(cap);
		capture_close(cap);
	}
}

static void test_pcapng_raw_interfaces(void **state)
{
	(void)state;
	tbuf_t b = { 0 };
	char path[PATH_MAX];
	capture_record_t r;

	/* libpcap 1.10 alone refuses this: it compares DLT_RAW (12) with 101 */
	ng_shb(&b, LE);
	ng_idb(&b, LE, 101, 0, -1);
	ng_idb(&b, LE, 101, 0, -1);
	ng_epb(&b, LE, 1, 1, 20, 20, 1);
	ng_epb(&b, LE, 0, 2, 20, 20, 2);
	write_file(path, sizeof path, "raw2.pcapng", &b);
	tb_free(&b);

	capture_t *cap = open_one(path);
	assert_int_equal(capture_next(cap, &r), 1);
	assert_int_equal(r.interface, 1);
	assert_int_equal(r.dlt, DLT_RAW);
	assert_int_equal(capture_next(cap, &r), 1);
	assert_int_equal(r.interface, 0);
	assert_int_equal(capture_next(cap, &r), 0);
	assert_int_equal(capture_interfaces(cap, 0), 2);
	assert_int_equal(capture_stats(cap)->read_errors, 0);
	capture_close(cap);
}

static void test_pcapng_sections(void **state)
{
	(void)state;
	tbuf_t b = { 0 };
	char path[PATH_MAX];
	capture_record_t r;

	/* interfaces are numbered across sections, as tshark numbers them */
	ng_shb(&b, BE);
	ng_idb(&b, BE, 1, 0, -1);
	ng_epb(&b, BE, 0, 1, 10, 10, 1);
	ng_shb(&b, BE);
	ng_idb(&b, BE, 1, 0, -1);
	ng_idb(&b, BE, 1, 0, -1);
	ng_epb(&b, BE, 1, 2, 10, 10, 2);
	ng_epb(&b, BE, 0, 3, 10, 10, 3);
	write_file(path, sizeof path, "sections.pcapng", &b);
	tb_free(&b);

	capture_t *cap = open_one(path);
	static const uint32_t want[] = { 0, 2, 1 };
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(capture_next(cap, &r), 1);
		assert_int_equal(r.interface, want[i]);
		assert_true(data_ok(r.data, 10, (uint8_t)(i + 1)));
	}
	assert_int_equal(capture_next(cap, &r), 0);
	assert_int_equal(capture_interfaces(cap, 0), 3);
	capture_close(cap);

	/* a second section in the other byte order: libpcap stops there */
	ng_shb(&b, LE);
	ng_idb(&b, LE, 1, 0, -1);
	ng_epb(&b, LE, 0, 1, 10, 10, 1);
	ng_shb(&b, BE);
	ng_idb(&b, BE, 1, 0, -1);
	ng_epb(&b, BE, 0, 2, 10, 10, 2);
	write_file(path, sizeof path, "sections-mixed-order.pcapng", &b);
	tb_free(&b);
	cap = open_one(path);
	assert_int_equal(drain(cap), 1);
	assert_int_equal(capture_stats(cap)->read_errors, 1);
	assert_contains(capture_last_error(cap), path);
	capture_close(cap);
}

static void test_pcapng_mixed_link_types(void **state)
{
	(void)state;
	tbuf_t b = { 0 };
	char path[PATH_MAX], err[1024];

	ng_shb(&b, LE);
	ng_idb(&b, LE, 1, 0, -1);
	ng_idb(&b, LE, 101, 0, -1);
	ng_epb(&b, LE, 0, 1, 34, 34, 1);
	ng_epb(&b, LE, 1, 2, 20, 20, 2);
	write_file(path, sizeof path, "mixed.pcapng", &b);
	tb_free(&b);

	open_fails(path, err, sizeof err);
	assert_contains(err, path);
	assert_contains(err, "interface");
	assert_contains(err, "EN10MB");
	assert_contains(err, "RAW");
	assert_contains(err, "editcap");
	assert_contains(err, "tshark");
}

static void test_pcapng_mixed_link_types_late(void **state)
{
	(void)state;
	tbuf_t b = { 0 };
	char path[PATH_MAX];

	/* the second IDB only after a packet: found while reading */
	ng_shb(&b, LE);
	ng_idb(&b, LE, 1, 0, -1);
	ng_epb(&b, LE, 0, 1, 34, 34, 1);
	ng_idb(&b, LE, 101, 0, -1);
	ng_epb(&b, LE, 1, 2, 20, 20, 2);
	ng_epb(&b, LE, 0, 3, 34, 34, 3);
	write_file(path, sizeof path, "mixed-late.pcapng", &b);
	tb_free(&b);

	capture_t *cap = open_one(path);
	assert_int_equal(drain(cap), 1);
	assert_int_equal(capture_stats(cap)->read_errors, 1);
	assert_contains(capture_last_error(cap), path);
	assert_contains(capture_last_error(cap), "different link types");
	assert_contains(capture_last_error(cap), "editcap");
	capture_close(cap);
}

static void test_pcapng_truncated(void **state)
{
	(void)state;
	tbuf_t b = { 0 };
	char path[PATH_MAX];

	ng_shb(&b, BE);
	ng_idb(&b, BE, 1, 0, -1);
	ng_epb(&b, BE, 0, 1, 60, 60, 1);
	ng_epb(&b, BE, 0, 2, 60, 60, 2);
	b.len -= 30; /* inside the second EPB */
	write_file(path, sizeof path, "cut.pcapng", &b);
	tb_free(&b);

	capture_t *cap = open_one(path);
	assert_int_equal(drain(cap), 1);
	assert_int_equal(capture_stats(cap)->truncated_files, 1);
	assert_contains(capture_last_error(cap), "truncated");
	assert_contains(capture_last_error(cap), path);
	capture_close(cap);
}

static void test_pcapng_over_snaplen(void **state)
{
	(void)state;
	tbuf_t b = { 0 };
	char path[PATH_MAX];
	capture_record_t r;

	ng_shb(&b, LE);
	ng_idb(&b, LE, 1, 64, -1);
	ng_epb(&b, LE, 0, 1, 100, 100, 1);       /* over its snaplen: delivered whole, counted */
	ng_epb(&b, LE, 0, 2, 300000, 300000, 2); /* over libpcap's maximum: skipped, counted */
	ng_epb(&b, LE, 0, 3, 50, 50, 3);
	write_file(path, sizeof path, "over.pcapng", &b);
	tb_free(&b);

	capture_t *cap = open_one(path);
	assert_int_equal(capture_next(cap, &r), 1);
	assert_int_equal(r.caplen, 100);
	assert_true(data_ok(r.data, 100, 1));
	assert_int_equal(capture_next(cap, &r), 1);
	assert_int_equal(r.caplen, 50);
	assert_int_equal(r.file_frame, 3); /* the skipped record keeps its number, as in tshark */
	assert_int_equal(r.frame, 2);
	assert_true(data_ok(r.data, 50, 3));
	assert_int_equal(capture_next(cap, &r), 0);
	assert_int_equal(capture_stats(cap)->over_snaplen, 2);
	assert_int_equal(capture_stats(cap)->read_errors, 0);
	assert_contains(capture_last_error(cap), "skipped");
	capture_close(cap);
}

/* A block the walker does not follow (> 16 MiB) that libpcap still reads:
 * DLT_DBUS allows 128 MiB records. From there on interfaces are unknown. */
static void test_pcapng_walker_loses_step(void **state)
{
	(void)state;
	tbuf_t b = { 0 };
	char path[PATH_MAX];
	capture_record_t r;
	const uint32_t big = (17u << 20) + 8;

	ng_shb(&b, LE);
	ng_idb(&b, LE, 231, 0, -1); /* LINKTYPE_DBUS */
	ng_idb(&b, LE, 231, 0, -1);
	ng_epb(&b, LE, 1, 1, 40, 40, 1);
	ng_epb(&b, LE, 1, 2, big, big, 2);
	ng_epb(&b, LE, 1, 3, 40, 40, 3);
	write_file(path, sizeof path, "dbus-big.pcapng", &b);
	tb_free(&b);

	capture_t *cap = open_one(path);
	assert_int_equal(capture_next(cap, &r), 1);
	assert_int_equal(r.interface, 1);
	assert_int_equal(capture_next(cap, &r), 1);
	assert_int_equal(r.interface, 0);
	assert_int_equal(r.caplen, 262144); /* the copy is bounded */
	assert_int_equal(r.wirelen, big);
	assert_true(data_ok(r.data, r.caplen, 2));
	assert_int_equal(capture_next(cap, &r), 1);
	assert_int_equal(r.interface, 0);
	assert_true(data_ok(r.data, 40, 3));
	assert_int_equal(capture_next(cap, &r), 0);
	assert_int_equal(capture_stats(cap)->interface_unknown, 2);
	assert_int_equal(capture_stats(cap)->over_snaplen, 1);
	assert_contains(capture_last_error(cap), "lost step");
	capture_close(cap);
}

static void test_timestamp_clamped(void **state)
{
	(void)state;
	tbuf_t b = { 0 };
	char path[PATH_MAX];
	capture_record_t r;

	ng_shb(&b, LE);
	ng_idb(&b, LE, 1, 0, -1);
	ng_epb(&b, LE, 0, UINT64_MAX, 10, 10, 1); /* ~5.8e5 years of microseconds */
	write_file(path, sizeof path, "far-future.pcapng", &b);
	tb_free(&b);

	capture_t *cap = open_one(path);
	assert_int_equal(capture_next(cap, &r), 1);
	assert_true(r.ts_ns == INT64_MAX);
	capture_close(cap);
}

/* ---- stdin */

static void test_stdin_file(void **state)
{
	(void)state;
	tbuf_t b = { 0 };
	char path[PATH_MAX];

	build_two_interfaces(&b, LE);
	write_file(path, sizeof path, "stdin.pcapng", &b);
	tb_free(&b);

	assert_non_null(freopen(path, "rb", stdin));
	const char *dash = "-";
	capture_t *cap = open_one(dash);
	check_two_interfaces(cap);
	capture_close(cap);
	assert_non_null(freopen("/dev/null", "rb", stdin));
}

static void test_stdin_pipe(void **state)
{
	(void)state;
	tbuf_t b = { 0 };
	int fds[2], saved;
	pid_t pid;
	int status;

	build_two_interfaces(&b, BE); /* on a pipe: no pre-walk, no seeking */
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		size_t off = 0;
		while (off < b.len) {
			ssize_t n = write(fds[1], b.p + off, b.len - off);
			if (n <= 0)
				_exit(1);
			off += (size_t)n;
		}
		_exit(0);
	}
	close(fds[1]);
	tb_free(&b);
	saved = dup(0);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fds[0], 0), 0);
	close(fds[0]);
	clearerr(stdin);

	const char *dash = "-";
	capture_t *cap = open_one(dash);
	check_two_interfaces(cap);
	capture_close(cap);

	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	clearerr(stdin);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* ---- files that are not captures */

static void test_open_errors(void **state)
{
	(void)state;
	char path[PATH_MAX], err[1024];

	write_bytes(path, sizeof path, "garbage.txt", "this is not a capture file\n", 27);
	open_fails(path, err, sizeof err);
	assert_contains(err, path);
	assert_contains(err, "unknown file format"); /* libpcap's words */

	write_bytes(path, sizeof path, "empty.pcap", "", 0);
	open_fails(path, err, sizeof err);
	assert_contains(err, path);

	write_bytes(path, sizeof path, "newline.bin", "\n\r\r\nxx", 6); /* pcapng's first byte, then junk */
	open_fails(path, err, sizeof err);
	assert_contains(err, path);

	snprintf(path, sizeof path, "%s/no-such-file.pcap", tmpdir);
	open_fails(path, err, sizeof err);
	assert_contains(err, path);
	assert_contains(err, "No such file");

	open_fails(tmpdir, err, sizeof err);
	assert_contains(err, "directory");

	const char *two_stdin[] = { "-", "-" };
	assert_null(capture_open(two_stdin, 2, err, sizeof err));
	assert_contains(err, "more than once");

	/* one bad file among good ones fails the whole capture point */
	tbuf_t b = { 0 };
	char good[PATH_MAX];
	pcap_header(&b, LE, 0, 65535, 1);
	write_file(good, sizeof good, "good.pcap", &b);
	tb_free(&b);
	const char *mix[] = { good, path }; /* path: the missing file above */
	assert_null(capture_open(mix, 2, err, sizeof err));
	assert_contains(err, path);

	assert_null(capture_open(NULL, 0, err, sizeof err));
}

static void test_dlt2str(void **state)
{
	(void)state;
	assert_string_equal(capture_dlt2str(DLT_EN10MB), "EN10MB");
	assert_string_equal(capture_dlt2str(DLT_RAW), "RAW");
	assert_string_equal(capture_dlt2str(DLT_LINUX_SLL2), "LINUX_SLL2");
	assert_string_equal(capture_dlt2str(99999), "DLT_99999");
	assert_string_equal(capture_dlt2str(-1), "DLT_-1");
}

/* ---- hostile: every cut and every byte changed, never a crash or a leak */

static void read_hostile(const char *name, const tbuf_t *orig)
{
	char path[PATH_MAX], err[1024];
	tbuf_t b = { 0 };
	static const uint8_t vals[] = { 0x00, 0xFF, 0x80 };

	tb_put(&b, orig->p, orig->len);
	for (size_t cut = 0; cut <= orig->len; cut++) {
		write_bytes(path, sizeof path, name, orig->p, cut);
		capture_t *cap = capture_open((const char *const[]){ path }, 1, err, sizeof err);
		if (cap) {
			drain(cap);
			capture_close(cap);
		}
	}
	for (size_t i = 0; i < orig->len; i++) {
		for (size_t v = 0; v < sizeof vals; v++) {
			uint8_t keep = b.p[i];
			b.p[i] = vals[v] ? keep ^ vals[v] : 0;
			write_file(path, sizeof path, name, &b);
			capture_t *cap = capture_open((const char *const[]){ path }, 1, err, sizeof err);
			if (cap) {
				drain(cap);
				const capture_stats_t *s = capture_stats(cap);
				assert_true(s->records <= 16);
				capture_close(cap);
			}
			b.p[i] = keep;
		}
	}
	tb_free(&b);
}

static void test_hostile_files(void **state)
{
	(void)state;
	tbuf_t b = { 0 }, small = { 0 };

	/* small, since every byte is changed three ways: two sections, both byte
	 * orders, EPB, SPB and PB, interfaces with different snaplens */
	ng_shb(&small, LE);
	ng_idb(&small, LE, 1, 100, 9);
	ng_idb(&small, LE, 1, 16, -1);
	ng_epb(&small, LE, 1, 1, 20, 20, 1);
	ng_spb(&small, LE, 40, 40, 2);
	ng_pb(&small, LE, 0, 3, 12, 12, 3);
	ng_shb(&small, BE);
	ng_idb(&small, BE, 1, 0, -1);
	ng_epb(&small, BE, 0, 4, 8, 8, 4);
	read_hostile("hostile.pcapng", &small);
	tb_free(&small);
	tb_free(&b);

	pcap_header(&b, LE, 1, 64, 1);
	pcap_record(&b, LE, 1, 5, 20, 20, 1);
	pcap_record(&b, LE, 2, 5, 30, 20, 2);
	pcap_record(&b, LE, 1, 5, 8, 80, 3);
	read_hostile("hostile.pcap", &b);
	tb_free(&b);
}

/* ---- real captures from other projects' test suites */

static const char *real_dir(void)
{
	const char *d = getenv("DNSFRAG_REAL_PCAPS");
	return d && d[0] ? d : "../shared/real-pcaps";
}

static void test_real_pcaps(void **state)
{
	(void)state;
	char tsv[PATH_MAX], line[1024];
	FILE *fp;
	size_t files = 0;
	uint64_t total = 0;
	char *paths[64];

	snprintf(tsv, sizeof tsv, "%s/expected.tsv", real_dir());
	fp = fopen(tsv, "r");
	if (!fp) {
		print_message("SKIP real captures: %s not found (set DNSFRAG_REAL_PCAPS)\n", tsv);
		skip();
	}
	while (fgets(line, sizeof line, fp)) {
		char *name = strtok(line, "\t\n");
		char *linktypes = strtok(NULL, "\t\n");
		char *packets = strtok(NULL, "\t\n");
		char path[PATH_MAX];
		if (!name || !linktypes || !packets || strcmp(name, "file") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", real_dir(), name);
		capture_t *cap = open_one(path);
		uint64_t n = drain(cap), want = strtoull(packets, NULL, 10);
		uint32_t ifaces = 1;
		for (const char *c = linktypes; *c; c++)
			ifaces += *c == ',';
		if (n != want || capture_interfaces(cap, 0) != ifaces)
			fail_msg("%s: %" PRIu64 " records (want %" PRIu64 "), %u interfaces (want %u); %s", name, n,
				 want, capture_interfaces(cap, 0), ifaces,
				 capture_last_error(cap) ? capture_last_error(cap) : "no error");
		const capture_stats_t *s = capture_stats(cap);
		assert_int_equal(s->truncated_files + s->read_errors + s->interface_unknown, 0);
		if (strstr(name, "pcapplusplus/dns_over_tcp.pcapng"))
			assert_int_equal(capture_interfaces(cap, 0), 3);
		if (strstr(name, "zeek/pcapng-multi-interface.pcapng"))
			assert_int_equal(capture_interfaces(cap, 0), 2);
		capture_close(cap);
		if (files < sizeof paths / sizeof paths[0])
			paths[files++] = strdup(path);
		total += want;
	}
	fclose(fp);
	assert_true(files > 0);

	/* all of them as one capture point: every record, in time order per file */
	capture_t *cap = open_paths((const char *const *)paths, files);
	assert_int_equal(drain(cap), total);
	capture_close(cap);
	for (size_t i = 0; i < files; i++)
		free(paths[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcap_usec_timestamps),
		cmocka_unit_test(test_pcap_mapped),
		cmocka_unit_test(test_pcap_nsec_big_endian),
		cmocka_unit_test(test_merge_by_time),
		cmocka_unit_test(test_out_of_order_counted),
		cmocka_unit_test(test_pcap_truncated),
		cmocka_unit_test(test_wirelen_short),
		cmocka_unit_test(test_pcap_over_snaplen),
		cmocka_unit_test(test_pcap_old_layouts),
		cmocka_unit_test(test_pcapng_single_interface),
		cmocka_unit_test(test_pcapng_two_interfaces),
		cmocka_unit_test(test_pcapng_raw_interfaces),
		cmocka_unit_test(test_pcapng_sections),
		cmocka_unit_test(test_pcapng_mixed_link_types),
		cmocka_unit_test(test_pcapng_mixed_link_types_late),
		cmocka_unit_test(test_pcapng_truncated),
		cmocka_unit_test(test_pcapng_over_snaplen),
		cmocka_unit_test(test_pcapng_walker_loses_step),
		cmocka_unit_test(test_timestamp_clamped),
		cmocka_unit_test(test_stdin_file),
		cmocka_unit_test(test_stdin_pipe),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_dlt2str),
		cmocka_unit_test(test_hostile_files),
		cmocka_unit_test(test_real_pcaps),
	};
	return cmocka_run_group_tests_name("capture", tests, setup_dir, remove_dir);
}
