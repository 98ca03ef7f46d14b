/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The registry the resolver reads, followed when an operator swaps the
 * file: the resolver keeps answering from the one it has open until a good
 * new one is there. */
#include <stdio.h>

#include "lib/log.h"
#include "resolver/resolver_int.h"

/* How often the path is looked at: a stat per question would do, but
 * the answer only matters when a file is swapped in by hand. */
#define REGISTRY_CHECK_MS 100

void rsv_registry_refresh(struct sixpn_resolver *r, bool now)
{
	uint64_t ms = rsv_now_ms();
	char err[512];

	if (!now && ms - r->reg_checked_ms < REGISTRY_CHECK_MS)
		return;
	r->reg_checked_ms = ms;
	/* Same file, or none there (deleted): keep reading the one open. */
	if (reg_file_check(r->reg) != REG_ERR)
		return;
	if (reg_reopen(&r->reg, err, sizeof(err))) {
		log_debug("msg=\"resolver: the new registry file does not open\" err=\"%s\"", err);
		return;
	}
	/* data_version values of two handles do not compare */
	rsv_cache_clear(r);
	log_info("msg=\"resolver: registry file replaced; reading the new one\" path=%s",
		 reg_path(r->reg));
}
