/* status.h - typed, counted decode outcomes: which layer, and truncated vs invalid.
 *
 * Truncated means the capture holds fewer bytes than the packet had (snaplen, a
 * cut file); invalid means a field lies (a length larger than its container, a
 * version that is not 4 or 6). Neither aborts a run: each is counted per layer
 * and shown in every report.
 */
#ifndef DNSFRAG_COMMON_STATUS_H
#define DNSFRAG_COMMON_STATUS_H

#include <stdint.h>

typedef enum decode_layer {
	LAYER_CAPTURE, /* the record itself: caplen > snaplen, len < caplen */
	LAYER_LINK,
	LAYER_IP4,
	LAYER_IP6,
	LAYER_IP6_EXT,
	LAYER_REASM,
	LAYER_UDP,
	LAYER_TCP,
	LAYER_ICMP4,
	LAYER_ICMP6,
	LAYER_DNS,
	LAYER_COUNT
} decode_layer_t;

typedef enum decode_outcome {
	OUTCOME_OK,
	OUTCOME_TRUNCATED,   /* capture too short */
	OUTCOME_INVALID,     /* a field lies or is impossible */
	OUTCOME_UNSUPPORTED, /* well-formed but not decoded (MPLS, GRE, ...) */
	OUTCOME_COUNT
} decode_outcome_t;

const char *decode_layer2str(decode_layer_t layer);
const char *decode_outcome2str(decode_outcome_t outcome);

/* Per-layer counters plus counted names of the encapsulations we do not decode. */
#define DECODE_UNSUPPORTED_NAMES 16
typedef struct decode_counts {
	uint64_t n[LAYER_COUNT][OUTCOME_COUNT];
	struct {
		const char *name; /* static string */
		uint64_t count;
	} unsupported[DECODE_UNSUPPORTED_NAMES];
} decode_counts_t;

void decode_counts_add(decode_counts_t *dc, decode_layer_t layer, decode_outcome_t outcome);
/* Count one packet we stopped at because it used an encapsulation we do not decode. */
void decode_counts_unsupported(decode_counts_t *dc, decode_layer_t layer, const char *name);

/* Add every count of src into dst (several capture points into one total). */
void decode_counts_merge(decode_counts_t *dst, const decode_counts_t *src);

#endif /* DNSFRAG_COMMON_STATUS_H */
