/* status.c - names and counters for decode outcomes (see status.h). */
#include "status.h"

#include <string.h>

static const char *const layer_names[LAYER_COUNT] = {
	[LAYER_CAPTURE] = "capture", [LAYER_LINK] = "link",     [LAYER_IP4] = "ipv4",
	[LAYER_IP6] = "ipv6",        [LAYER_IP6_EXT] = "ipv6-ext", [LAYER_REASM] = "reassembly",
	[LAYER_UDP] = "udp",         [LAYER_TCP] = "tcp",       [LAYER_ICMP4] = "icmp",
	[LAYER_ICMP6] = "icmpv6",    [LAYER_DNS] = "dns",
};

static const char *const outcome_names[OUTCOME_COUNT] = {
	[OUTCOME_OK] = "ok",
	[OUTCOME_TRUNCATED] = "truncated",
	[OUTCOME_INVALID] = "invalid",
	[OUTCOME_UNSUPPORTED] = "unsupported",
};

const char *decode_layer2str(decode_layer_t layer)
{
	return (unsigned)layer < LAYER_COUNT ? layer_names[layer] : "?";
}

const char *decode_outcome2str(decode_outcome_t outcome)
{
	return (unsigned)outcome < OUTCOME_COUNT ? outcome_names[outcome] : "?";
}

void decode_counts_add(decode_counts_t *dc, decode_layer_t layer, decode_outcome_t outcome)
{
	if ((unsigned)layer < LAYER_COUNT && (unsigned)outcome < OUTCOME_COUNT)
		dc->n[layer][outcome]++;
}

/* The named counter, found or added; NULL when the table is full. */
static uint64_t *decode_unsupported_slot(decode_counts_t *dc, const char *name)
{
	for (int i = 0; i < DECODE_UNSUPPORTED_NAMES; i++) {
		if (dc->unsupported[i].name == NULL)
			dc->unsupported[i].name = name;
		if (dc->unsupported[i].name == name || strcmp(dc->unsupported[i].name, name) == 0)
			return &dc->unsupported[i].count;
	}
	return NULL;
}

void decode_counts_merge(decode_counts_t *dst, const decode_counts_t *src)
{
	for (int l = 0; l < LAYER_COUNT; l++)
		for (int o = 0; o < OUTCOME_COUNT; o++)
			dst->n[l][o] += src->n[l][o];
	for (int i = 0; i < DECODE_UNSUPPORTED_NAMES && src->unsupported[i].name; i++) {
		uint64_t *slot = decode_unsupported_slot(dst, src->unsupported[i].name);
		if (slot)
			*slot += src->unsupported[i].count;
	}
}

void decode_counts_unsupported(decode_counts_t *dc, decode_layer_t layer, const char *name)
{
	decode_counts_add(dc, layer, OUTCOME_UNSUPPORTED);
	uint64_t *slot = decode_unsupported_slot(dc, name);
	if (slot)
		(*slot)++;
	/* Table full: the layer count above still records it. */
}
