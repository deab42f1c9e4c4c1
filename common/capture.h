/* capture.h - reading capture files (pcap, pcapng) through libpcap, as one capture point.
 *
 * Several files given together are one capture point (a rotated capture) and are
 * merged by timestamp. "-" is stdin. A pcapng file with several interfaces: when
 * their link types differ libpcap refuses it, so it is rejected with a message
 * naming the fix (split it with tshark and editcap); when they agree, each
 * record's interface id is recovered by walking the pcapng blocks in lockstep
 * with libpcap, so callers can treat each interface as its own point. The walk
 * runs inside the stream libpcap reads (see capture.c), so it works on stdin too,
 * and it lets libpcap 1.10 read two files it would refuse: interfaces with
 * different snaplens, and several LINKTYPE_RAW interfaces.
 *
 * Hostile files: a cut-off file, a record longer than the snaplen and a record
 * whose original length is smaller than its captured length are counted in
 * capture_stats_t, never crashed on.
 *
 * Plain pcap files on disk: libpcap opens them, but their ordinary records are
 * taken from a mapping of the file (no copy), and libpcap reads on from the
 * first record that is not ordinary; see capture.c.
 *
 * Buffer contract: a record's data is valid until the next capture_next() call.
 */
#ifndef DNSFRAG_COMMON_CAPTURE_H
#define DNSFRAG_COMMON_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

typedef struct capture_record {
	const uint8_t *data;
	uint32_t caplen;   /* bytes at data */
	uint32_t wirelen;  /* original length as recorded */
	int64_t ts_ns;     /* capture time, nanoseconds since the epoch (UTC) */
	int dlt;           /* libpcap DLT_* of the record's interface (= of its file) */
	uint32_t interface;/* pcapng interface: the EPB's interface id, counted across
	                      sections (section 2's interface 0 follows section 1's
	                      last); 0 for pcap, and 0 when it cannot be told (see
	                      capture_stats_t.interface_unknown) */
	uint32_t file;     /* index of the file in the list given to capture_open */
	uint64_t frame;    /* 1-based, over the merged capture */
	uint64_t file_frame; /* 1-based within its own file (what tshark numbers) */
} capture_record_t;

typedef struct capture_stats {
	uint64_t records;
	uint64_t bytes;             /* captured bytes */
	uint64_t over_snaplen;      /* caplen larger than the file's (pcapng: the interface's)
	                               snaplen, or than 262144: pcap records arrive cut
	                               to the snaplen; pcapng ones whole up to 262144,
	                               larger ones are skipped (pcapng) or end the file (pcap) */
	uint64_t wirelen_short;     /* original length smaller than captured length */
	uint64_t truncated_files;   /* files that ended inside a record */
	uint64_t read_errors;       /* other errors that ended a file early */
	uint64_t out_of_order;      /* records earlier than their predecessor in the same file */
	uint64_t interface_unknown; /* pcapng records reported as interface 0 because the
	                               block walker lost step with libpcap (garbage blocks) */
	uint64_t mapped;            /* records taken from a mapping of the file instead of
	                               through libpcap (plain pcap files; see capture.c) */
} capture_stats_t;

typedef struct capture capture_t;

/* Open n files ("-" for stdin, at most once) as one capture point. On failure
 * returns NULL with a message naming the file in err. */
capture_t *capture_open(const char *const *paths, size_t n, char *err, size_t errlen);

/* 1: a record was read; 0: every file is done. Errors inside a file end that
 * file and are counted (and described by capture_last_error), never returned. */
int capture_next(capture_t *cap, capture_record_t *rec);

const capture_stats_t *capture_stats(const capture_t *cap);
/* The most recent per-file problem, or NULL: "FILE: truncated dump file ..." */
const char *capture_last_error(const capture_t *cap);
/* Number of pcapng interfaces (IDBs, over all sections) seen so far in file i
 * (1 for pcap); every record of the file has interface < this. */
uint32_t capture_interfaces(const capture_t *cap, size_t file);
/* DLT name as libpcap spells it ("EN10MB"), or "DLT_<n>" for a value libpcap
 * does not name (that one in a per-thread buffer the next call reuses). */
const char *capture_dlt2str(int dlt);
void capture_close(capture_t *cap);

#endif /* DNSFRAG_COMMON_CAPTURE_H */
