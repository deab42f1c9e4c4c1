/* fuzz_common.h - the link types a fuzz input's first byte selects. */
#ifndef DNSFRAG_TESTS_FUZZ_COMMON_H
#define DNSFRAG_TESTS_FUZZ_COMMON_H
static const int fuzz_dlts[] = { 1 /* EN10MB */, 113 /* SLL */, 276 /* SLL2 */, 12 /* RAW */,
	                         228 /* IPV4 */, 229 /* IPV6 */, 0 /* NULL */, 108 /* LOOP */ };
#define FUZZ_NDLTS (sizeof fuzz_dlts / sizeof fuzz_dlts[0])
#endif
