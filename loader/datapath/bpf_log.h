/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* libbpf's and libxdp's messages go through sixpn's log (lib/log.h), one
 * line each. While libxdp probes what the kernel can do, a failed load is
 * how it finds out: those warnings are held back and shown only when the
 * attach fails in the end (debug level otherwise). */
#ifndef SIXPN_BPF_LOG_H
#define SIXPN_BPF_LOG_H

#include <stdbool.h>

/* Installs both print hooks; idempotent. */
void sixpn_bpf_log_init(void);
/* Holds libbpf's and libxdp's warnings back from now on. */
void sixpn_bpf_log_hold(void);
/* Ends the hold: the held warnings are logged as warnings when `failed`,
 * as debug lines otherwise. */
void sixpn_bpf_log_release(bool failed);

#endif
