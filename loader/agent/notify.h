/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* sixpnd -> its service manager (sd_notify(3)): READY=1 once the first full
 * pass has read the registry, so `systemctl start` returns when the host
 * serves; RELOADING=1/READY=1 around a SIGHUP pass; STATUS= with how the
 * sync stands, for `systemctl status`. Without $NOTIFY_SOCKET (the init
 * script, a shell) every call is a no-op. */
#ifndef SIXPN_AGENT_NOTIFY_H
#define SIXPN_AGENT_NOTIFY_H

#include <stdbool.h>

struct sync;

/* After every pass: READY=1 the first time a full pass read the registry,
 * STATUS= whenever its text changes. */
void notify_sync_state(const struct sync *s);
/* Before and after the full pass a SIGHUP asks for. */
void notify_reloading(void);
void notify_reloaded(const struct sync *s);
/* detach: --detach-on-exit removes the datapath. */
void notify_stopping(bool detach);

#endif
