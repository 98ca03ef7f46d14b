/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Test packets built by selftests/packets/gen_packets.py, looked up by name. */
#ifndef SIXPN_TEST_PACKETS_H
#define SIXPN_TEST_PACKETS_H

#include <stddef.h>
#include <stdint.h>

struct test_packet {
	const char *name;
	uint8_t *data;
	size_t len;
};

/* Loads every packet of `path`. Returns 0 or -errno. */
int packets_load(const char *path);
/* The packet named `name`; aborts the test run when it does not exist,
 * since a missing fixture is a broken test, not a failed check. */
const struct test_packet *packet(const char *name);
/* Every loaded packet in file order, for tests that walk a whole file. */
size_t packets_count(void);
const struct test_packet *packet_at(size_t i);
/* len bytes from the 2 * len lowercase hex digits of `hex`, the file's
 * encoding. Returns 0 or -EINVAL. */
int packets_hex_decode(const char *hex, size_t len, uint8_t *out);

/* Ones'-complement checksum of the TCP/UDP/ICMPv6 segment of an IPv6 packet
 * that starts at `ip6`, pseudo-header included: 0 when the checksum in the
 * packet is valid. Returns -1 when the packet has no such segment. */
int ipv6_l4_checksum_residue(const uint8_t *ip6, size_t len);

#endif
