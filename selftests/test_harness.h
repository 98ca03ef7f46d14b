/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* A small TAP-style harness: one `ok`/`not ok` line per checked fact, a
 * summary, and a non-zero exit when anything failed. */
#ifndef SIXPN_TEST_HARNESS_H
#define SIXPN_TEST_HARNESS_H

#include <stdio.h>
#include <string.h>

extern int test_failures;
extern int test_count;

#define CHECK(cond, fmt, ...)                                                 \
	do {                                                                  \
		test_count++;                                                 \
		if (cond) {                                                   \
			printf("ok %d - " fmt "\n", test_count, ##__VA_ARGS__); \
		} else {                                                      \
			test_failures++;                                      \
			printf("not ok %d - " fmt "  (%s:%d: %s)\n", test_count, \
			       ##__VA_ARGS__, __FILE__, __LINE__, #cond);     \
		}                                                             \
	} while (0)

#define CHECK_EQ(actual, expected, fmt, ...)                                  \
	do {                                                                  \
		long long _a = (long long)(actual), _e = (long long)(expected); \
		test_count++;                                                 \
		if (_a == _e) {                                               \
			printf("ok %d - " fmt "\n", test_count, ##__VA_ARGS__); \
		} else {                                                      \
			test_failures++;                                      \
			printf("not ok %d - " fmt "  (%s:%d: got %lld, want %lld)\n", \
			       test_count, ##__VA_ARGS__, __FILE__, __LINE__, _a, _e); \
		}                                                             \
	} while (0)

#define TEST_HARNESS_DEFINE() int test_failures, test_count

static inline int test_summary(const char *suite)
{
	printf("# %s: %d checks, %d failed\n", suite, test_count, test_failures);
	return test_failures ? 1 : 0;
}

#endif
