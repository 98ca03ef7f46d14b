/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The names map the fuzzer loads, and the fuzzer's own copy of it: the
 * generator draws question names from it and the judge decides from it
 * what a right answer is (maps/sixpn_dns.h says what an entry means).
 *
 * Four instance interfaces, one network each: A and B have overlapping
 * names with different addresses, C's network ID needs both address words
 * (0x0001001a: fdaa:1:1a::/48), D's network has no names at all. The names
 * follow what sixpnd writes (design.md section 5), and every empty
 * non-terminal is present (fz_names_init() adds those missing), so "absent"
 * really means NXDOMAIN. Some names hold bytes that a
 * sloppy case fold would confuse ('-' is 0x0d | 0x20, digits are
 * 0x10..0x19 | 0x20, '_' is 0x7f & ~0x20). */
#ifndef FZ_NAMES_H
#define FZ_NAMES_H

#include <stddef.h>
#include "sixpn_dns.h"
#include "fixtures.h"

#define FZ_NET_A FX_NET_A
#define FZ_NET_B FX_NET_B
#define FZ_NET_C 0x0001001a  /* the upper word of the network ID matters too */
#define FZ_NET_D 0x1b
#define FZ_HOST FX_HOST1     /* the host the asking instances run on */

enum fz_iface_id { FZ_IF_A, FZ_IF_B, FZ_IF_C, FZ_IF_D, FZ_IF_NONE, FZ_IF_MAX };

struct fz_name {
	__u32 net;
	const char *name;      /* lowercase text, no final dot */
	int n;                 /* addresses; more than SIXPN_DNS_MAX_ADDRS: a count only */
	__u16 flags;           /* SIXPN_DNS_F_* */
	struct sixpn_ip6 addrs[SIXPN_DNS_MAX_ADDRS];
};

extern struct fz_name fz_names[];
extern size_t fz_names_n;

/* Computes every entry's addresses; call once before anything else. */
void fz_names_init(void);
/* Writes every entry into the names map through loader/dns_names.c. */
int fz_names_fill(int names_fd);
/* The entry of (net, text); `text` is lowercase, `len` bytes, no final dot. */
const struct fz_name *fz_name_find(__u32 net, const char *text, size_t len);

/* The network of an interface (0 for FZ_IF_NONE) and the /112 delegated to
 * the instance behind it. */
__u32 fz_iface_net(enum fz_iface_id id);
void fz_iface_prefix(enum fz_iface_id id, struct sixpn_ip6 *prefix);

#endif
