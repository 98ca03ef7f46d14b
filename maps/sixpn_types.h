/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Fixed-width types for headers shared by BPF programs and userspace.
 * BPF objects get them from vmlinux.h (included first); userspace from the
 * kernel UAPI headers. */
#ifndef SIXPN_TYPES_H
#define SIXPN_TYPES_H

#if defined(__bpf__)
#  ifndef __VMLINUX_H__
#    error "include vmlinux.h before the sixpn maps headers"
#  endif
#  define SIXPN_INLINE static __always_inline
#else
#  include <linux/types.h>
#  define SIXPN_INLINE static inline
#endif

#endif
