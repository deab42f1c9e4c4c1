/* report_run.c - run metadata of the JSON report (see report_run.h). */
#include "report_run.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "json.h"
#include "report.h"
#include "version.h"

#define RUN_MAX_PROFILE (16u << 20)

void report_run_init(report_run_t *run)
{
	memset(run, 0, sizeof *run);
	run->times_from = "clock";
}

int64_t report_run_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void run_id_format(report_run_t *run, uint8_t b[16], unsigned version)
{
	b[6] = (uint8_t)((b[6] & 0x0f) | (version << 4));
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(run->id, sizeof run->id,
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
	         b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

void report_run_id_random(report_run_t *run)
{
	uint8_t b[16];
	if (getrandom(b, sizeof b, GRND_NONBLOCK) != (ssize_t)sizeof b) {
		char seed[64];
		snprintf(seed, sizeof seed, "%lld.%ld", (long long)report_run_now_ns(), (long)getpid());
		const char *parts[1] = { seed };
		report_run_id_derive(run, parts, 1);
		return;
	}
	run_id_format(run, b, 4);
}

void report_run_id_derive(report_run_t *run, const char *const *parts, size_t nparts)
{
	ldns_sha256_CTX ctx;
	uint8_t d[LDNS_SHA256_DIGEST_LENGTH];
	ldns_sha256_init(&ctx);
	for (size_t i = 0; i < nparts; i++) {
		const char *s = parts[i] ? parts[i] : "";
		ldns_sha256_update(&ctx, (const uint8_t *)s, strlen(s) + 1); /* the NUL separates the parts */
	}
	ldns_sha256_final(d, &ctx);
	run_id_format(run, d, 8);
}

int report_run_file_sha256(report_run_t *run, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	ldns_sha256_CTX ctx;
	uint8_t buf[8192], d[LDNS_SHA256_DIGEST_LENGTH];
	size_t n, total = 0;
	ldns_sha256_init(&ctx);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		total += n;
		if (total > RUN_MAX_PROFILE) {
			fclose(f);
			snprintf(err, errlen, "%s: larger than 16 MiB", path);
			return -1;
		}
		ldns_sha256_update(&ctx, buf, n);
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		snprintf(err, errlen, "%s: read error", path);
		return -1;
	}
	ldns_sha256_final(d, &ctx);
	for (size_t i = 0; i < sizeof d; i++)
		snprintf(run->profile_sha256 + 2 * i, 3, "%02x", d[i]);
	return 0;
}

char *report_run_ns2iso(int64_t ns, char *buf, size_t len)
{
	if (ns <= 0 || len < 32) {
		if (len)
			buf[0] = '\0';
		return buf;
	}
	time_t s = (time_t)(ns / 1000000000LL);
	struct tm tm;
	gmtime_r(&s, &tm);
	size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03dZ", (int)(ns / 1000000LL % 1000));
	return buf;
}

void report_run_json_write(const report_run_t *run, const report_config_t *cfg, json_writer_t *w)
{
	char t[40];
	json_key(w, "run");
	json_object_begin(w);
	json_kv_string(w, "id", run->id);
	json_kv_string_or_null(w, "site", cfg->site);
	json_kv_string_or_null(w, "start", report_run_ns2iso(run->start_ns, t, sizeof t));
	int64_t end = run->end_ns ? run->end_ns : (run->times_from && strcmp(run->times_from, "clock") == 0
	                                                   ? report_run_now_ns() : 0);
	json_kv_string_or_null(w, "end", report_run_ns2iso(end, t, sizeof t));
	json_kv_string(w, "times_from", run->times_from ? run->times_from : "clock");
	json_kv_string(w, "tool", cfg->program ? cfg->program : "dnsfrag");
	json_kv_string(w, "version", DNSFRAG_VERSION);
	json_key(w, "inputs");
	json_array_begin(w);
	for (uint32_t i = 0; i < cfg->ninputs; i++)
		json_string(w, cfg->inputs[i]);
	json_array_end(w);
	json_kv_string_or_null(w, "profile", run->profile);
	json_kv_string_or_null(w, "profile_sha256", run->profile_sha256);
	json_key(w, "source_addresses");
	json_array_begin(w);
	for (int i = 0; i < 2; i++)
		if (run->source[i] && *run->source[i])
			json_string(w, run->source[i]);
	json_array_end(w);
	json_kv_string_or_null(w, "interface", run->interface);
	json_kv_string_or_null(w, "vrf", run->vrf);
	json_kv_string_or_null(w, "hints", run->hints);
	json_kv_string_or_null(w, "anchors", run->anchors);
	json_key(w, "instances");
	if (run->instances) {
		run->instances(run->instances_ctx, w);
	} else {
		json_array_begin(w);
		json_array_end(w);
	}
	json_object_end(w);
}
