/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Inside loader/etcd/ and for the fuzzers only: the seam that lets a
 * libFuzzer target (selftests/fuzz/lib/etcd_reply.c, etcd_rows.c) play the
 * etcd gateway, so every reply takes the parsing path a real one takes. */
#ifndef SIXPN_ETCD_INT_H
#define SIXPN_ETCD_INT_H

#include <stddef.h>

#ifdef SIXPN_FUZZ
/* When set, no request is sent: the server gets the path and the JSON
 * body, sets *status (the HTTP status), hands the reply to deliver in
 * whatever pieces it likes (deliver returning less than it was given is
 * curl's write error) and returns a CURLcode (0: the transfer completed). */
extern int (*etcd_fuzz_server)(const char *path, const char *body, long *status,
			       size_t (*deliver)(char *data, size_t size, size_t n, void *ctx),
			       void *ctx);
#endif

#endif
