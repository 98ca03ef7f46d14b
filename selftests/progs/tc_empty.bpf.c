// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The baseline of the program-cost benchmark: a TC program that does
 * nothing and passes the packet. What BPF_PROG_TEST_RUN measures for it is
 * the cost of running any program at all on that hook. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tc")
int tc_empty(struct __sk_buff *skb)
{
	return 0; /* TC_ACT_OK */
}
