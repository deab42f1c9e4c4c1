/* fuzz_points.c - the multi-point matcher (common/points.c) fed arbitrary
 * datagrams at 2-4 capture points, each through its own pipeline, under tight
 * limits; then both writers render the result.
 * Input: [npoints-2 (low 2 bits), limits (bit 2: tiny tables)] then records of
 *   [point: 1 byte][time step in ms: 2 bytes, signed][len: 2 bytes][len bytes: a raw IPv4/IPv6 packet] */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "points.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint32_t n = 2 + data[0] % 3;
	points_config_t cfg;
	points_config_default(&cfg);
	if (data[0] & 4) {
		cfg.max_open = 3;
		cfg.max_trains = 2;
		cfg.window_ns = 50000000;
		cfg.linger_ns = 200000000;
		cfg.train_ns = 100000000;
	} else {
		cfg.max_open = 64;
		cfg.max_trains = 16;
	}
	const char *labels[4] = { "a", "mb:in", "mb:out", "d" };
	points_t *pt = points_new(&cfg, n, labels, NULL);
	if (!pt)
		return 0;
	pipeline_t *p[4] = { 0 };
	for (uint32_t i = 0; i < n; i++) {
		pipeline_config_t pc;
		pipeline_config_default(&pc);
		pc.point = i;
		pc.reasm.max_datagrams = 4;
		pc.reasm.max_frags = 8;
		pipeline_hooks_t h = points_hooks(pt, i, NULL);
		p[i] = pipeline_new(&pc, &h);
		if (!p[i])
			goto out;
	}
	int64_t now = 1000000000000LL;
	uint64_t frame[4] = { 0 };
	size_t pos = 1;
	while (pos + 5 <= size) {
		uint32_t point = data[pos] % n;
		int16_t step = (int16_t)(data[pos + 1] << 8 | data[pos + 2]);
		uint32_t len = (uint32_t)data[pos + 3] << 8 | data[pos + 4];
		pos += 5;
		if (len > size - pos)
			len = (uint32_t)(size - pos);
		now += (int64_t)step * 1000000;
		capture_record_t rec = { .data = data + pos, .caplen = len, .wirelen = len, .ts_ns = now, .dlt = 12 };
		rec.frame = rec.file_frame = ++frame[point];
		points_record(pt, point, now);
		pipeline_feed(p[point], &rec);
		pos += len;
	}
	for (uint32_t i = 0; i < n; i++) {
		pipeline_flush(p[i]);
		points_point_end(pt, i, NULL);
	}
	points_finish(pt);
	FILE *devnull = fopen("/dev/null", "w");
	if (devnull) {
		points_text_write(pt, devnull);
		json_writer_t w;
		json_init(&w, devnull, 0);
		json_object_begin(&w);
		points_json_write(pt, &w);
		json_object_end(&w);
		json_finish(&w);
		fclose(devnull);
	}
out:
	for (uint32_t i = 0; i < n; i++)
		pipeline_free(p[i]);
	points_free(pt);
	return 0;
}
