/* fuzz_pipeline.c - whole records through the pipeline, the transaction tracker
 * and the report (text and JSON to /dev/null). Records are [link-type byte]
 * [length: 2 bytes][frame bytes], 10 ms apart. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_common.h"
#include "pipeline.h"
#include "report.h"
#include "txn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	report_config_t rc;
	report_config_default(&rc);
	report_t *rep = report_new(&rc);
	txn_config_t tc;
	txn_config_default(&tc);
	tc.max_open = 16;
	txn_tracker_t *tt = txn_tracker_new(&tc, report_add_txn, rep);
	pipeline_config_t pc;
	pipeline_config_default(&pc);
	pc.reasm.max_datagrams = 4;
	pc.tcp.max_flows = 4;
	pipeline_hooks_t hooks = txn_tracker_hooks(tt);
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
	txn_tracker_flush(tt);
	report_finish(rep);
	FILE *null = fopen("/dev/null", "w");
	if (null) {
		report_text_write(rep, null);
		report_json_write(rep, null);
		fclose(null);
	}
	pipeline_free(p);
	txn_tracker_free(tt);
	report_free(rep);
	return 0;
}
