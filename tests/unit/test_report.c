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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lost_every_attempt_is_systematic),
		cmocka_unit_test(test_answered_in_another_attempt_is_intermittent),
		cmocka_unit_test(test_intermittent_above_threshold_warns),
		cmocka_unit_test(test_other_question_is_not_a_retry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
