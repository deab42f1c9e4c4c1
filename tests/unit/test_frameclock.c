/* test_frameclock.c - frame -> capture time for the HTML ladders' time axis:
 * look-ups in order and out of order, unknown frames, the table's bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "frameclock.h"
#include "packet.h"

static void feed(pipeline_hooks_t *h, uint64_t frame, int64_t ts)
{
	pkt_t p;
	memset(&p, 0, sizeof p);
	p.frame = frame;
	p.ts_ns = ts;
	h->packet(h->ctx, &p);
}

static void test_in_order(void **state)
{
	(void)state;
	frameclock_t *fc = frameclock_new();
	assert_non_null(fc);
	pipeline_hooks_t h = frameclock_hooks(fc);
	for (uint64_t f = 1; f <= 1000; f++)
		feed(&h, f * 2, (int64_t)f * 1000);
	feed(&h, 2000, 5); /* the same frame again (a tunnelled packet): the first time stays */
	int64_t ts = -1;
	assert_int_equal(frameclock_get(fc, 2, &ts), 1);
	assert_int_equal(ts, 1000);
	assert_int_equal(frameclock_get(fc, 2000, &ts), 1);
	assert_int_equal(ts, 1000000);
	assert_int_equal(frameclock_get(fc, 3, &ts), 0);    /* never recorded */
	assert_int_equal(frameclock_get(fc, 0, &ts), 0);    /* no frame */
	assert_int_equal(frameclock_get(fc, 2002, &ts), 0); /* past the end */
	assert_int_equal(frameclock_dropped(fc), 0);
	frameclock_free(fc);
}

static void test_out_of_order(void **state)
{
	(void)state;
	frameclock_t *fc = frameclock_new();
	assert_non_null(fc);
	pipeline_hooks_t h = frameclock_hooks(fc);
	feed(&h, 5, 50);
	feed(&h, 3, 30);
	feed(&h, 9, 90);
	feed(&h, 1, 10);
	int64_t ts = 0;
	for (uint64_t f = 1; f <= 9; f += 2) {
		if (f == 7) {
			assert_int_equal(frameclock_get(fc, f, &ts), 0);
			continue;
		}
		assert_int_equal(frameclock_get(fc, f, &ts), 1);
		assert_int_equal(ts, (int64_t)f * 10);
	}
	frameclock_free(fc);
}

static void test_bound(void **state)
{
	(void)state;
	frameclock_t *fc = frameclock_new();
	assert_non_null(fc);
	pipeline_hooks_t h = frameclock_hooks(fc);
	for (uint64_t f = 1; f <= FRAMECLOCK_MAX + 10; f++)
		feed(&h, f, (int64_t)f);
	int64_t ts = 0;
	assert_int_equal(frameclock_get(fc, FRAMECLOCK_MAX, &ts), 1);
	assert_int_equal(ts, FRAMECLOCK_MAX);
	assert_int_equal(frameclock_get(fc, FRAMECLOCK_MAX + 1, &ts), 0); /* beyond the table: unknown, not wrong */
	assert_int_equal(frameclock_dropped(fc), 10);
	frameclock_free(fc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
