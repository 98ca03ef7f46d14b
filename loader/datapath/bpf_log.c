// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libbpf's and libxdp's messages in sixpn's log (bpf_log.h). */
#include "datapath/bpf_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "lib/log.h"

#define HELD_MAX 32

static bool holding;
static int held_n;
static char held[HELD_MAX][1040];

/* One line, without the library's own "libxdp: " prefix, quotes made safe
 * for the key=value log. Empty when there is nothing to say. */
static void clean(char *buf, size_t size, const char *prefix, const char *fmt, va_list ap)
{
	size_t n, skip = strlen(prefix);
	char *p;

	vsnprintf(buf, size, fmt, ap);
	if (!strncmp(buf, prefix, skip))
		memmove(buf, buf + skip, strlen(buf + skip) + 1);
	for (n = strlen(buf); n && (buf[n - 1] == '\n' || buf[n - 1] == ' '); n--)
		buf[n - 1] = '\0';
	for (p = buf; *p; p++)
		if (*p == '"' || *p == '\n' || *p == '\t')
			*p = *p == '"' ? '\'' : ' ';
}

static void emit(bool warn, const char *lib, const char *msg)
{
	if (!msg[0])
		return;
	if (warn && holding) {
		if (held_n < HELD_MAX)
			snprintf(held[held_n++], sizeof(held[0]), "%s: %s", lib, msg);
		return;
	}
	if (warn)
		log_warn("msg=\"%s: %s\"", lib, msg);
	else
		log_debug("msg=\"%s: %s\"", lib, msg);
}

/* Creating a clsact qdisc that exists is how attaching finds out, and not
 * worth a warning. */
static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char msg[1024];

	clean(msg, sizeof(msg), "libbpf: ", fmt, ap);
	if (strstr(msg, "Exclusivity flag on"))
		return 0;
	emit(level == LIBBPF_WARN, "libbpf", msg);
	return 0;
}

static int libxdp_log(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	char msg[1024];

	clean(msg, sizeof(msg), "libxdp: ", fmt, ap);
	emit(level == LIBXDP_WARN, "libxdp", msg);
	return 0;
}

void sixpn_bpf_log_init(void)
{
	libbpf_set_print(libbpf_log);
	libxdp_set_print(libxdp_log);
}

void sixpn_bpf_log_hold(void)
{
	holding = true;
	held_n = 0;
}

void sixpn_bpf_log_release(bool failed)
{
	int i;

	holding = false;
	for (i = 0; i < held_n; i++) {
		if (failed)
			log_warn("msg=\"%s\"", held[i]);
		else
			log_debug("msg=\"held back: %s\"", held[i]);
	}
	held_n = 0;
}
