/* fuzz_pipeline.c - whole records through the pipeline, the transaction tracker
 * and the report (text and JSON). Records are [link-type byte]
 * [length: 2 bytes][frame bytes], 10 ms apart.
 *
 * Differential: a second tracker and report get the same hook calls through
 * a relay (common/relay.h, synchronous, on the smallest ring so records wrap
 * and large calls go by heap copy), as dnsfrag-analyze's second thread gets
 * them. Its JSON report must be the same as the first's, byte for byte. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "hooks.h"
#include "pipeline.h"
#include "relay.h"
#include "report.h"
#include "txn.h"

/* The JSON report into a heap buffer (*len bytes), or NULL. */
static char *json_of(report_t *rep, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	report_json_write(rep, f);
	fclose(f);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	report_config_t rc;
	report_config_default(&rc);
	report_t *rep = report_new(&rc);
	txn_config_t tc;
	txn_config_default(&tc);
	tc.max_open = 16;
	txn_tracker_t *tt = txn_tracker_new(&tc, report_add_txn, rep);
	report_t *rep2 = report_new(&rc);
	txn_tracker_t *tt2 = txn_tracker_new(&tc, report_add_txn, rep2);
	pipeline_hooks_t direct = txn_tracker_hooks(tt), relayed = txn_tracker_hooks(tt2);
	relay_t *relay = relay_new(RELAY_RING_MIN, &relayed);
	if (!rep || !tt || !rep2 || !tt2 || !relay)
		abort();
	relay_elide_dns_ticks(relay); /* as the analyzer has it */
	relayed = relay_hooks(relay);
	hooks_fanout_t fan;
	hooks_fanout_init(&fan);
	hooks_fanout_add(&fan, &direct);
	hooks_fanout_add(&fan, &relayed);
	pipeline_config_t pc;
	pipeline_config_default(&pc);
	pc.reasm.max_datagrams = 4;
	pc.tcp.max_flows = 4;
	pipeline_hooks_t hooks = hooks_fanout_hooks(&fan);
	pipeline_t *p = pipeline_new(&pc, &hooks);
	size_t pos = 0;
	uint64_t frame = 1;
	while (p && pos + 3 <= size) {
		int dlt = fuzz_dlts[data[pos] % FUZZ_NDLTS];
		size_t len = (size_t)data[pos + 1] << 8 | data[pos + 2];
		pos += 3;
		if (len > size - pos)
			len = size - pos;
		capture_record_t rec = {
			.data = data + pos, .caplen = (uint32_t)len, .wirelen = (uint32_t)len,
			.ts_ns = (int64_t)frame * 10000000LL, .dlt = dlt, .frame = frame, .file_frame = frame,
		};
		frame++;
		pipeline_feed(p, &rec);
		pos += len;
	}
	if (p)
		pipeline_flush(p);
	relay_finish(relay);
	txn_tracker_flush(tt);
	txn_tracker_flush(tt2);
	/* the counts the reports carry from the packet layer are the same object */
	rep->txn = *txn_tracker_stats(tt);
	rep2->txn = *txn_tracker_stats(tt2);
	report_finish(rep);
	report_finish(rep2);
	FILE *null = fopen("/dev/null", "w");
	if (null) {
		report_text_write(rep, null);
		fclose(null);
	}
	size_t n1 = 0, n2 = 0;
	char *j1 = json_of(rep, &n1), *j2 = json_of(rep2, &n2);
	if (j1 && j2 && (n1 != n2 || memcmp(j1, j2, n1) != 0))
		__builtin_trap(); /* the relay changed what the tracker saw */
	free(j1);
	free(j2);
	pipeline_free(p);
	relay_free(relay);
	txn_tracker_free(tt);
	txn_tracker_free(tt2);
	report_free(rep);
	report_free(rep2);
	return 0;
}
