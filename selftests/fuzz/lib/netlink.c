// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer target: rtnetlink answers through loader/host/netlink.c, the
 * whole of nl_talk() (sequence and port checks, acks, errors with their
 * extended-ack text, NLMSG_DONE) and the link, address and route parsers,
 * by way of the public calls sixpnd makes. The target plays the kernel
 * (the sixpn_nl_fuzz_kernel seam): nothing is sent anywhere.
 *
 * Input: one byte choosing the call, then the kernel's datagrams, each
 * as two bytes of length (big endian) and the bytes; after the last one a
 * read fails with EIO. A request gets seq 0x5eed0001 (the next one of the
 * same call 0x5eed0002, ...) and the socket has port ID 0x6e6e.
 *
 * Every return is a result or a -errno the caller can print, and every
 * name comes back terminated. */
#include <errno.h>
#include <sanitizer/asan_interface.h>

#include "fuzz.h"
#include "host/netlink.h"

#define SEQ 0x5eed0000u
#define PORTID 0x6e6eu
#define MAX_READS 64

static struct fz in;
static int reads;

/* Each read: the next datagram; the rest of the buffer is poisoned, so
 * that a parser reading past what the kernel sent is caught. */
static ssize_t kernel(void *buf, size_t cap)
{
	const uint8_t *p;
	size_t n;

	ASAN_UNPOISON_MEMORY_REGION(buf, cap);
	if (in.n < 2 || ++reads > MAX_READS) {
		errno = EIO;
		return -1;
	}
	n = fz_u16(&in);
	if (n > cap)
		n = cap;
	n = fz_take(&in, n, &p);
	memcpy(buf, p, n);
	ASAN_POISON_MEMORY_REGION((uint8_t *)buf + n, cap - n);
	return (ssize_t)n;
}

static bool is_errno(int ret)
{
	return ret <= 0 && ret > -4096;
}

static int addr_cb(const struct sixpn_addr6 *a, void *arg)
{
	(void)arg;
	FZ_CHECK(a->ifindex == 3, "an address of ifindex %d listed for 3", a->ifindex);
	return 0;
}

static int route_cb(const struct sixpn_route6 *r, void *arg)
{
	(void)arg;
	FZ_CHECK(r->protocol == SIXPN_RTPROT, "a route of protocol %u listed", r->protocol);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	sixpn_nl_fuzz_kernel = kernel;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sixpn_nl nl = { .portid = PORTID, .seq = SEQ };
	struct in6_addr a6 = { .s6_addr = { 0xfd, 0xaa, [15] = 3 } };
	struct sixpn_route6 rt = { .dst = a6, .dst_len = 48, .oif = 3 };
	struct sixpn_link_info li;
	int ret;

	if (!size)
		return 0;
	in = (struct fz){ data, size };
	reads = 0;
	switch (fz_u8(&in) % 8) {
	case 0:
		ret = sixpn_nl_link_get(&nl, 3, &li);
		FZ_CHECK(is_errno(ret), "link_get returned %d", ret);
		FZ_CHECK(FZ_TERMINATED(li.name) && FZ_TERMINATED(li.kind), "unterminated name");
		break;
	case 1:
		ret = sixpn_nl_link_index(&nl, "sixpn0");
		FZ_CHECK(ret > 0 || (ret < 0 && ret > -4096), "link_index returned %d", ret);
		break;
	case 2:
		ret = sixpn_nl_link_up(&nl, 3);
		FZ_CHECK(is_errno(ret), "link_up returned %d", ret);
		break;
	case 3:
		ret = sixpn_nl_dns_dev(&nl, SIXPN_DNS_DEV);
		FZ_CHECK(ret > 0 || (ret < 0 && ret > -4096), "dns_dev returned %d", ret);
		break;
	case 4:
		ret = sixpn_nl_addr6_replace(&nl, 3, &a6, 64);
		FZ_CHECK(is_errno(ret), "addr6_replace returned %d", ret);
		break;
	case 5:
		ret = sixpn_nl_addr6_list(&nl, 3, addr_cb, NULL);
		FZ_CHECK(is_errno(ret), "addr6_list returned %d", ret);
		break;
	case 6:
		ret = sixpn_nl_route6_list(&nl, 0, route_cb, NULL);
		FZ_CHECK(is_errno(ret), "route6_list returned %d", ret);
		break;
	default:
		ret = sixpn_nl_route6_del(&nl, &rt);
		FZ_CHECK(is_errno(ret), "route6_del returned %d", ret);
		break;
	}
	FZ_CHECK(FZ_TERMINATED(nl.err), "unterminated extended-ack message");
	if (getenv("FZ_VERBOSE"))
		fprintf(stderr, "call %u: %d (%s) after %d reads\n", data[0] % 8, ret, nl.err, reads);
	return 0;
}
