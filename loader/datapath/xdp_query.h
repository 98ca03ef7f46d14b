/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What runs at the XDP hook of an interface, read from the kernel through
 * libxdp: its dispatcher with the programs it runs in order, or a single
 * program attached without one ("no dispatcher": `ip link set ... xdp`, a
 * sixpn before libxdp, or libxdp's own fallback on a kernel without
 * freplace), and which of them is sixpn's (SIXPN_XDP_PROG_NAME). The
 * attach path decides from it, and `sixpn-attach status` reports it. */
#ifndef SIXPN_XDP_QUERY_H
#define SIXPN_XDP_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* libxdp's dispatcher runs at most 10 programs. */
#define SIXPN_XDP_MAX_PROGS 10

struct sixpn_xdp_prog_info {
	__u32 id;
	unsigned int prio;     /* run priority (0 without a dispatcher) */
	char name[64];
	unsigned char tag[8];
	bool sixpn;
};

struct sixpn_xdp_state {
	const char *mode;      /* "none", "skb", "native", "hw" */
	bool dispatcher;       /* libxdp's dispatcher runs the programs */
	__u32 main_id;         /* what the hook runs: the dispatcher or the program */
	int n;                 /* programs, in run order */
	struct sixpn_xdp_prog_info progs[SIXPN_XDP_MAX_PROGS];
	int sixpn;             /* index of sixpn's first program in progs, -1: none */
	int sixpn_count;       /* sixpn's programs (more than 1 only mid-replace) */
};

/* Fills `st` for `ifindex`: 0 (also when nothing is attached: mode "none")
 * or -errno. */
int sixpn_xdp_query(int ifindex, struct sixpn_xdp_state *st);

/* For `sixpn-attach status`: "-" when no program of sixpn's runs there,
 * else its mode ("skb", "native"), "+N" when N other programs run in the
 * same dispatcher, "/single" when it runs without a dispatcher. */
void sixpn_xdp_state_summary(const struct sixpn_xdp_state *st, char *buf, size_t size);

/* The programs that are not sixpn's, for error messages:
 * "xdp_count (id 41, priority 50), ...", or "none". */
void sixpn_xdp_others(const struct sixpn_xdp_state *st, char *buf, size_t size);

#endif
