/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What selftests/progs/xdp_dns_name.bpf.c leaves for its test. */
#ifndef SIXPN_TEST_XDP_DNS_NAME_H
#define SIXPN_TEST_XDP_DNS_NAME_H

#define NAME_OFF 24             /* the name's offset in the packet */

struct name_read {
	int ret;                    /* SIXPN_CONTINUE or the reason to pass */
	__u32 wire_len, first_label, last_label, qsum;
	__u64 hash;
	__u8 in_zone, in_flycast;   /* sixpn_dns_zones(), on a name read whole */
};

#endif
