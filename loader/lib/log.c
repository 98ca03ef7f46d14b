// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "lib/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

enum sixpn_log_level sixpn_log_threshold = SIXPN_LOG_INFO;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void sixpn_log(enum sixpn_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > sixpn_log_threshold)
		return;
	fprintf(stderr, "level=%s ", level_names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

double sixpn_log_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}
