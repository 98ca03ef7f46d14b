/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
#ifndef SIXPN_DATAPATH_KCONFIG_H
#define SIXPN_DATAPATH_KCONFIG_H

/* The `kconfig` open option for the TC object: NULL where libbpf can read
 * the kernel's config itself, else the values of the programs' __kconfig
 * externs as "unknown" (tc/lib/events.h). */
const char *sixpn_kconfig_fallback(void);

#endif
