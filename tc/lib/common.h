/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Constants the BPF side needs that vmlinux.h, being types only, lacks. */
#ifndef SIXPN_LIB_COMMON_H
#define SIXPN_LIB_COMMON_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_HLEN        14
#define ETH_P_IPV6      0x86DD

#define TC_ACT_OK       0
#define TC_ACT_SHOT     2

#ifndef IPPROTO_HOPOPTS
#define IPPROTO_HOPOPTS  0
#define IPPROTO_TCP      6
#define IPPROTO_UDP      17
#define IPPROTO_ROUTING  43
#define IPPROTO_FRAGMENT 44
#define IPPROTO_AH       51
#define IPPROTO_ICMPV6   58
#define IPPROTO_DSTOPTS  60
#endif

#define IP6_OFFSET_MASK  0xfff8  /* frag_off without the flag bits */

#define DNS_PORT 53

/* What a step of a verdict returns when it has none to give and the caller
 * goes on to the next check: never an enum sixpn_reason, which starts at 0.
 * Compare against the name, not the sign. */
#define SIXPN_CONTINUE (-1)

#endif
