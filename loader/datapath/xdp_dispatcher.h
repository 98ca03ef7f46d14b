/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The dispatcher object libxdp builds sixpn's dispatchers from: sixpn's
 * build of libxdp 1.3.1's (xdp/xdp_dispatcher.bpf.c, whose stubs the
 * verifier of Linux 6.13+ lets a program that changes packet data replace).
 * libxdp reads it from the directory LIBXDP_OBJECT_PATH names. */
#ifndef SIXPN_XDP_DISPATCHER_H
#define SIXPN_XDP_DISPATCHER_H

/* Writes the object into a private directory (under $TMPDIR, else /tmp;
 * removed at exit) and points LIBXDP_OBJECT_PATH there, once per process.
 * An operator's own LIBXDP_OBJECT_PATH is left as it is. On failure libxdp
 * keeps its own object (a warning says so). */
void sixpn_xdp_dispatcher_setup(void);

#endif
