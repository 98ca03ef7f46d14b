/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The packet-replay fixture, shared by the C tests and the scapy generators:
 * selftests/packets/fixtures.py reads these #defines (numbers and address
 * strings only), so a packet and the map entry that judges it cannot drift
 * apart. Address plan: docs/design.md section 1. */
#ifndef SIXPN_FIXTURES_H
#define SIXPN_FIXTURES_H

#define FX_NET_A   0x18        /* the network under test */
#define FX_NET_B   0x19        /* another network, of another org */
#define FX_HOST1   0x0a7b0d6b  /* the host under test (a7b:d6b) */
#define FX_HOST2   0x0a7b0174  /* another host (a7b:174) */
#define FX_INST    0xa         /* the instance under test, on HOST1 in NET_A */
#define FX_INST_B  0xb         /* an instance of NET_B on HOST1 */
#define FX_GATEWAY 0xf         /* HOST1's gateway instance: its /120s are peers */

/* BPF_PROG_TEST_RUN runs TC and XDP programs on lo. */
#define FX_TEST_IFINDEX 1

#define FX_INST_ADDR     "fdaa:0:18:a7b:d6b:0:a:2"  /* FX_INST's ::2 */
#define FX_INST_B_ADDR   "fdaa:0:19:a7b:d6b:0:b:2"  /* FX_INST_B's ::2 */
#define FX_REMOTE_B_ADDR "fdaa:0:19:a7b:174:0:c:2"  /* NET_B, HOST2, instance 0xc */

#endif
