// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The registry file under a running sixpnd (issue 11, "faults with nothing
 * lost"). SQLite keeps reading the file it opened: deleted or replaced by
 * rename, the path no longer names it, and a restored registry would never
 * be seen. So each pass first checks the path's inode, and opens a new file
 * there afresh once it is a registry again; until then the datapath serves
 * what was applied last. */
#include <stdio.h>
#include <string.h>

#include "agent/sync.h"
#include "lib/log.h"
#include "registry/registry.h"

static const char *const state_msg[] = {
	[SYNC_REG_GONE] = "registry file is gone",
	[SYNC_REG_BAD] = "registry file cannot be read",
};

/* Logs once per kind of trouble and reason, not at every retry. */
static void trouble(struct sync *s, enum sync_reg_state st, const char *why)
{
	if (s->reg_state == st && !strcmp(s->reg_why, why))
		return;
	s->reg_state = st;
	snprintf(s->reg_why, sizeof(s->reg_why), "%s", why);
	log_error("msg=\"%s; serving the last good state\" path=%s err=\"%s\"", state_msg[st],
		  reg_path(s->reg), why);
}

void sync_registry_check(struct sync *s)
{
	char err[512];
	int rc = reg_file_check(s->reg);

	if (rc == REG_OK && s->reg_state != SYNC_REG_BAD)
		return;
	if (rc == REG_ENOENT) {
		trouble(s, SYNC_REG_GONE, reg_errmsg(s->reg));
		return;
	}
	/* Another file at the path, or this one failed a read: open afresh. */
	if (reg_reopen(&s->reg, err, sizeof(err))) {
		trouble(s, SYNC_REG_BAD, err);
		return;
	}
	if (rc != REG_OK)
		log_info("msg=\"registry file replaced: reading the new one\" path=%s",
			 reg_path(s->reg));
	/* Its change log is not the one applied so far. */
	s->need_full = true;
}

void sync_registry_failed(struct sync *s)
{
	trouble(s, SYNC_REG_BAD, reg_errmsg(s->reg));
}

void sync_registry_ok(struct sync *s)
{
	/* Back is: the path names the file that was just read in full. */
	if (s->reg_state == SYNC_REG_OK || reg_file_check(s->reg) != REG_OK)
		return;
	log_info("msg=\"registry is back\" path=%s seq=%lld", reg_path(s->reg),
		 (long long)s->stats.seq);
	s->reg_state = SYNC_REG_OK;
	s->reg_why[0] = '\0';
}
