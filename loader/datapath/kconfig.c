// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libbpf fills a program's __kconfig externs from /boot/config-$(uname -r)
 * or /proc/config.gz, and refuses to load the whole object when neither is
 * readable, __weak externs included ("failed to open system Kconfig"): a
 * kernel installed without its config file, as in make vmtest's guests.
 * Such a host gets the externs as 0 through the open option instead, which
 * tc/lib/events.h takes for "HZ unknown". */
#include "kconfig.h"

#include <stdio.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "lib/log.h"

/* Every __kconfig extern of tc/ (grep __kconfig tc/), unknown. */
#define SIXPN_KCONFIG_UNKNOWN "CONFIG_HZ=0\n"

static int system_kconfig_readable(void)
{
	struct utsname u;
	char path[sizeof(u.release) + 16];

	if (uname(&u) == 0) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		if (access(path, R_OK) == 0)
			return 1;
	}
	return access("/proc/config.gz", R_OK) == 0;
}

const char *sixpn_kconfig_fallback(void)
{
	static int logged;

	if (system_kconfig_readable())
		return NULL;
	if (!logged++)
		log_info("msg=\"no kernel config to read (/boot/config-RELEASE, /proc/config.gz): "
			 "HZ taken as 1000, drop events may be rate-limited below their rate\"");
	return SIXPN_KCONFIG_UNKNOWN;
}
