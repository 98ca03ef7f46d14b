// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "agent/notify.h"
#include "agent/sync.h"

static bool ready;
/* STATUS= is sent when it changes, not at every poll of the change log. */
static char last_status[640];

static void sync_status(const struct sync *s, char *buf, size_t len)
{
	int n;

	if (s->reg_state != SYNC_REG_OK)
		n = snprintf(buf, len, "serving the last state applied (seq %lld): registry %s: %s",
			     (long long)s->stats.seq,
			     s->reg_state == SYNC_REG_GONE ? "file is gone" : "cannot be read",
			     s->reg_why);
	else if (!ready)
		n = snprintf(buf, len, "waiting for a full pass over the registry");
	else
		n = snprintf(buf, len, "in sync at seq %lld: %zu machines, %zu peers, %llu names",
			     (long long)s->stats.seq, s->machines.len, s->peers.len,
			     (unsigned long long)s->names.entries);
	if (n > 0 && (size_t)n < len && s->have_pending)
		snprintf(buf + n, len - (size_t)n, "; machines waiting for their interface");
}

static void send_status(const struct sync *s, const char *first)
{
	char status[sizeof(last_status)];

	sync_status(s, status, sizeof(status));
	if (!first && !strcmp(status, last_status))
		return;
	memcpy(last_status, status, sizeof(last_status));
	sd_notifyf(0, "%sSTATUS=%s", first ? first : "", status);
}

void notify_sync_state(const struct sync *s)
{
	if (!ready && !s->need_full) {
		ready = true;
		send_status(s, "READY=1\n");
		return;
	}
	send_status(s, NULL);
}

void notify_reloading(void)
{
	struct timespec ts;

	/* MONOTONIC_USEC ties the reload to this message (systemd 253's
	 * Type=notify-reload wants it; older managers ignore it). */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nSTATUS=full reconcile (SIGHUP)\nMONOTONIC_USEC=%llu",
		   (unsigned long long)ts.tv_sec * 1000000ULL +
			   (unsigned long long)ts.tv_nsec / 1000ULL);
}

void notify_reloaded(const struct sync *s)
{
	if (!ready && s->need_full) {
		/* Not ready before the reload either: READY=1 waits for a pass
		 * that reads the registry. */
		send_status(s, NULL);
		return;
	}
	ready = true;
	send_status(s, "READY=1\n");
}

void notify_stopping(bool detach)
{
	sd_notify(0, detach ? "STOPPING=1\nSTATUS=stopping; removing the datapath"
			    : "STOPPING=1\nSTATUS=stopping; the datapath stays loaded");
}
