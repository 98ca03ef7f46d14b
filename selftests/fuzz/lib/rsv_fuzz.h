/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The resolver without its event loop (rsv_stubs.c stands in for
 * loader/resolver/loop.c): rsv_handle() and the forwarder run as in
 * sixpnd, every reply they send is kept here for the target to check. */
#ifndef SIXPN_RSV_FUZZ_H
#define SIXPN_RSV_FUZZ_H

#include "fuzz.h"
#include "resolver/resolver_int.h"

#define FZ_MAX_REPLIES 8
#define FZ_MAX_GRAVE 16

struct fz_rsv {
	uint8_t *reply[FZ_MAX_REPLIES];       /* what rsv_send() was given */
	size_t reply_len[FZ_MAX_REPLIES];
	bool reply_tcp[FZ_MAX_REPLIES];
	int n_replies;
	struct rsv_watch *watched;            /* the last rsv_watch_add() */
	uint32_t watched_events;
	int n_watch_adds;
	struct rsv_watch *grave[FZ_MAX_GRAVE];/* rsv_bury()'d, freed by fz_rsv_reset */
	int n_grave;
};
extern struct fz_rsv fz_rsv;

/* A resolver on reg (not started: no thread, no sockets of its own), with
 * sixpnd's DNS config and the given upstreams. */
struct sixpn_resolver *fz_resolver(struct reg *reg, const struct sockaddr_storage *up, int n_up);
/* Frees the replies kept and what was buried since the last call. */
void fz_rsv_reset(void);
/* Checks reply i against the query it answers (wire form as the client
 * sent it): parses, same ID, opcode, RD, CD, QR set, the question exactly
 * as asked, and a UDP reply within 512 bytes (1232 with EDNS). */
void fz_check_reply(int i, const uint8_t *query, size_t qlen);
/* The origin of a query from src, over TCP when tcp. */
void fz_origin(struct rsv_origin *o, const struct sixpn_ip6 *src, bool tcp);

#endif
