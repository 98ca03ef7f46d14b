/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Logging to stderr as `level=... msg="..." key=value`, a form both journald
 * and grep read well. */
#ifndef SIXPN_LOG_H
#define SIXPN_LOG_H

enum sixpn_log_level { SIXPN_LOG_ERROR, SIXPN_LOG_WARN, SIXPN_LOG_INFO, SIXPN_LOG_DEBUG };

extern enum sixpn_log_level sixpn_log_threshold;

void sixpn_log(enum sixpn_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...) sixpn_log(SIXPN_LOG_ERROR, __VA_ARGS__)
#define log_warn(...) sixpn_log(SIXPN_LOG_WARN, __VA_ARGS__)
#define log_info(...) sixpn_log(SIXPN_LOG_INFO, __VA_ARGS__)
#define log_debug(...) sixpn_log(SIXPN_LOG_DEBUG, __VA_ARGS__)

/* Milliseconds on the monotonic clock: the phase timings logged at debug
 * level (how long the parts of a full sync took). */
double sixpn_log_ms(void);

#endif
