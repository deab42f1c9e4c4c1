/* fuzz_capture.c - the capture reader (pcap and pcapng through libpcap and the
 * pcapng block walker) on one to three files merged as one capture point.
 * Input: [n: 1 byte, files = n % 3 + 1][for each file but the last: length,
 * 2 bytes][file bytes ...]; the last file takes the rest. Each file is a memfd.
 * Invariants: a record's bytes are readable (caplen), frames count up from 1,
 * file and interface indexes are in range, statistics agree with records. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture.h"

#define FUZZ_FILES_MAX 3

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t nfiles = data[0] % FUZZ_FILES_MAX + 1, pos = 1;
	int fds[FUZZ_FILES_MAX];
	char names[FUZZ_FILES_MAX][64];
	const char *paths[FUZZ_FILES_MAX];
	for (size_t i = 0; i < nfiles; i++) {
		size_t len = size - pos;
		if (i + 1 < nfiles) {
			len = pos + 2 <= size ? (size_t)data[pos] << 8 | data[pos + 1] : 0;
			pos += pos + 2 <= size ? 2 : 0;
			if (len > size - pos)
				len = size - pos;
		}
		fds[i] = memfd_create("fuzz_capture", 0);
		if (fds[i] < 0 || (len && write(fds[i], data + pos, len) != (ssize_t)len))
			__builtin_trap();
		pos += len;
		snprintf(names[i], sizeof names[i], "/proc/self/fd/%d", fds[i]);
		paths[i] = names[i];
	}
	char err[512];
	capture_t *cap = capture_open(paths, nfiles, err, sizeof err);
	if (cap) {
		capture_record_t rec;
		uint64_t n = 0, bytes = 0, sum = 0;
		while (capture_next(cap, &rec) == 1) {
			if (rec.frame != ++n || rec.file >= nfiles || rec.interface >= capture_interfaces(cap, rec.file))
				__builtin_trap();
			for (uint32_t b = 0; b < rec.caplen; b++) /* every byte of the record is readable */
				sum += rec.data[b];
			bytes += rec.caplen;
			(void)capture_dlt2str(rec.dlt);
		}
		const capture_stats_t *st = capture_stats(cap);
		if (st->records != n || st->bytes != bytes || sum == 1u << 31)
			__builtin_trap();
		(void)capture_last_error(cap);
		capture_close(cap);
	}
	for (size_t i = 0; i < nfiles; i++)
		close(fds[i]);
	return 0;
}
