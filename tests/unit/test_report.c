/* test_report.c - the report's judgement of lost fragmented answers: a
 * question lost in every attempt is systematic (WARNING: fragmented answers
 * lost); one answered in fragments in another attempt is intermittent, judged
 * against the loss threshold like a missing answer. The question is client,
 * server, name in any case, type, DO and EDNS size: a change of any of these
 * but the name's case is another question. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "report.h"

static void addr4(ip_addr_t *a, uint8_t last)
{
	memset(a, 0, sizeof *a);
	a->family = 4;
	a->a[0] = 192, a->a[1] = 0, a->a[2] = 2, a->a[3] = last;
}

/* One attempt: a 3000-byte answer, delivered in 3 fragments or lost. */
static txn_t attempt(const char *qname, uint8_t client, uint16_t udp_size, int lost)
{
	txn_t t;
	memset(&t, 0, sizeof t);
	addr4(&t.client, client);
	addr4(&t.server, 53);
	t.cport = (uint16_t)(40000 + rand() % 1000);
	t.sport = 53;
	snprintf(t.qname, sizeof t.qname, "%s", qname);
	t.qtype = 16;
	t.has_query = 1;
	t.query_has_opt = 1;
	t.do_bit = 1;
	t.udp_size = udp_size;
	t.transport = DNS_OVER_UDP;
	if (lost) {
		t.verdict = TXN_FRAGMENTS_LOST;
		t.frags_lost = 1;
		t.lost_have_first = 1;
		t.lost_total_len = 3008;
	} else {
		t.verdict = TXN_FRAGMENTED;
		t.answered = 1;
		t.delivered = 1;
		t.answer_size = 3000;
		t.nfrags = 3;
	}
	return t;
}

static report_t *judge(const txn_t *txns, size_t n)
{
	report_config_t cfg;
	report_config_default(&cfg);
	report_t *r = report_new(&cfg);
	assert_non_null(r);
	for (size_t i = 0; i < n; i++)
		report_add_txn(r, &txns[i]);
	report_finish(r);
	assert_int_equal(r->npaths, 1);
	return r;
}

static void test_lost_every_attempt_is_systematic(void **state)
{
	(void)state;
	txn_t t[] = { attempt("big.example", 10, 4096, 1), attempt("big.example", 10, 4096, 1),
	              attempt("other.example", 10, 4096, 0) };
	report_t *r = judge(t, 3);
	assert_int_equal(r->paths[0].lost_intermittent, 0);
	assert_int_equal(r->health, HEALTH_WARNING);
	assert_non_null(strstr(r->paths[0].why, "2 fragmented answer(s) lost"));
	assert_non_null(strstr(r->fam[0].sentence, "fragmented answers are lost"));
	report_free(r);
}

static void test_answered_in_another_attempt_is_intermittent(void **state)
{
	(void)state;
	/* One loss in ten attempts of two questions: 10%, under the 20% threshold.
	 * The retry's name differs in case only (0x20): the same question. */
	txn_t t[10];
	for (int i = 0; i < 5; i++) {
		t[i] = attempt("big.example", 10, 4096, i == 0);
		t[5 + i] = attempt("two.example", 10, 4096, 0);
	}
	snprintf(t[1].qname, sizeof t[1].qname, "BiG.ExAmPlE");
	report_t *r = judge(t, 10);
	assert_int_equal(r->paths[0].lost_intermittent, 1);
	assert_int_equal(r->health, HEALTH_OK);
	assert_non_null(strstr(r->paths[0].why, "1 of them fragmented answers lost intermittently"));
	assert_non_null(strstr(r->fam[0].sentence, "fragmented answers lost intermittently (1 of 10 attempts)"));
	report_free(r);
}

static void test_intermittent_above_threshold_warns(void **state)
{
	(void)state;
	txn_t t[] = { attempt("big.example", 10, 4096, 1), attempt("big.example", 10, 4096, 1),
	              attempt("big.example", 10, 4096, 0) };
	report_t *r = judge(t, 3);
	assert_int_equal(r->paths[0].lost_intermittent, 2);
	assert_int_equal(r->health, HEALTH_WARNING);
	assert_non_null(strstr(r->paths[0].why, "2 of 3 UDP answers missing (threshold 20%)"));
	report_free(r);
}

static void test_other_question_is_not_a_retry(void **state)
{
	(void)state;
	/* Delivered to another client, or at another EDNS size, or with DO off:
	 * other questions, so the loss stays systematic. */
	txn_t t[] = { attempt("big.example", 10, 4096, 1), attempt("big.example", 11, 4096, 0),
	              attempt("big.example", 10, 1232, 0), attempt("big.example", 10, 4096, 0) };
	t[3].do_bit = 0;
	report_t *r = judge(t, 4);
	assert_int_equal(r->paths[0].lost_intermittent, 0);
	assert_int_equal(r->health, HEALTH_WARNING);
	report_free(r);
}

/* ---- the JSON writer (common/json.c) */

static char *json_text(void (*write)(json_writer_t *w, FILE *f, int indent), int indent)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	write(NULL, f, indent);
	fclose(f);
	return buf;
}

/* Keys and numbers at several depths, a key that needs escaping, a number at
 * depth 0 and one just after a key (not JSON, but what the writer must not
 * change): json_kv_uint's one-piece path against json_key and json_uint. */
static int json_long_way;

static void kv(json_writer_t *w, const char *key, uint64_t v)
{
	if (json_long_way) {
		json_key(w, key);
		json_uint(w, v);
	} else {
		json_kv_uint(w, key, v);
	}
}

static void json_sample(json_writer_t *unused, FILE *f, int indent)
{
	(void)unused;
	json_writer_t w;
	json_init(&w, f, indent);
	kv(&w, "top", 0);
	json_object_begin(&w);
	kv(&w, "a", 1);
	kv(&w, "b\"q", 18446744073709551615ull);
	json_key(&w, "nested");
	json_object_begin(&w);
	kv(&w, "c", 42);
	json_key(&w, "d");
	kv(&w, "e", 7);
	json_object_end(&w);
	json_key(&w, "list");
	json_array_begin(&w);
	for (int i = 0; i < 3000; i++) { /* past the writer's 16 kB buffer */
		json_object_begin(&w);
		kv(&w, "f", (uint64_t)i * 977);
		kv(&w, "g", (uint64_t)i);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
	json_finish(&w);
}

static void test_json_kv_uint(void **state)
{
	(void)state;
	for (int indent = 0; indent <= 2; indent += 2) {
		json_long_way = 1;
		char *slow = json_text(json_sample, indent);
		json_long_way = 0;
		char *fast = json_text(json_sample, indent);
		assert_string_equal(fast, slow);
		free(slow);
		free(fast);
	}
	char *pretty = json_text(json_sample, 2);
	const char *start = "\"top\": 0,{\n  \"a\": 1,\n  \"b\\\"q\": 18446744073709551615,\n";
	assert_memory_equal(pretty, start, strlen(start));
	free(pretty);
}

/* Values of an array written by other writers (json_init_within, as the
 * paths of a report by two threads) are the bytes one writer writes. */
static void sink_to_file(void *ctx, const char *p, size_t n) { fwrite(p, 1, n, ctx); }

static void json_array_of(json_writer_t *unused, FILE *f, int indent, int split)
{
	(void)unused;
	json_writer_t w;
	json_init(&w, f, indent);
	json_object_begin(&w);
	json_key(&w, "items");
	json_array_begin(&w);
	for (int i = 0; i < 5; i++) {
		if (split) {
			json_writer_t inner;
			json_sync(&w);
			json_init_within(&inner, sink_to_file, f, &w, i > 0);
			json_object_begin(&inner);
			json_kv_uint(&inner, "i", (uint64_t)i);
			json_object_end(&inner);
			json_sync(&inner);
		} else {
			json_object_begin(&w);
			json_kv_uint(&w, "i", (uint64_t)i);
			json_object_end(&w);
		}
	}
	if (split)
		json_values_written(&w);
	json_array_end(&w);
	json_object_end(&w);
	json_finish(&w);
}

static void json_one(json_writer_t *w, FILE *f, int indent) { json_array_of(w, f, indent, 0); }
static void json_split(json_writer_t *w, FILE *f, int indent) { json_array_of(w, f, indent, 1); }

static void test_json_within(void **state)
{
	(void)state;
	for (int indent = 0; indent <= 2; indent += 2) {
		char *one = json_text(json_one, indent), *split = json_text(json_split, indent);
		assert_string_equal(one, split);
		free(one);
		free(split);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_kv_uint),
		cmocka_unit_test(test_json_within),
		cmocka_unit_test(test_lost_every_attempt_is_systematic),
		cmocka_unit_test(test_answered_in_another_attempt_is_intermittent),
		cmocka_unit_test(test_intermittent_above_threshold_warns),
		cmocka_unit_test(test_other_question_is_not_a_retry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
