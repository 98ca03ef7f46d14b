// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* loader/host/netlink.c against the real kernel, in a network namespace of its
 * own (unshare at start: nothing to clean up, the host is never touched).
 * Every change made through the API is also checked with `ip` and `sysctl`
 * run from the same namespace, as an observer that shares no code with it. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if_arp.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_addr.h>

#include "host/netlink.h"
#include "test_harness.h"

TEST_HARNESS_DEFINE();

static struct in6_addr ip6(const char *s)
{
	struct in6_addr a;

	if (inet_pton(AF_INET6, s, &a) != 1) {
		fprintf(stderr, "bad address in test: %s\n", s);
		exit(2);
	}
	return a;
}

/* The output of a shell command (trailing newline removed). */
static const char *sh(const char *cmd)
{
	static char out[8192];
	size_t n;
	FILE *f = popen(cmd, "r");

	out[0] = '\0';
	if (!f)
		return out;
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	pclose(f);
	while (n && out[n - 1] == '\n')
		out[--n] = '\0';
	return out;
}

static int sh_count(const char *cmd)
{
	return atoi(sh(cmd));
}

static const char *read_file(const char *path)
{
	static char buf[64];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return buf;
}

struct addr_find {
	struct in6_addr addr;
	uint8_t prefixlen;
	int found;
	uint32_t flags;
};

static int addr_find_cb(const struct sixpn_addr6 *a, void *arg)
{
	struct addr_find *f = arg;

	if (!memcmp(&a->addr, &f->addr, sizeof(a->addr)) && a->prefixlen == f->prefixlen) {
		f->found++;
		f->flags = a->flags;
	}
	return 0;
}

struct route_seen {
	int n;
	struct sixpn_route6 r[8];
};

static int route_collect_cb(const struct sixpn_route6 *r, void *arg)
{
	struct route_seen *s = arg;

	if (s->n < 8)
		s->r[s->n] = *r;
	s->n++;
	return 0;
}

/* A reconcile as sixpnd does it: delete every sixpn route not wanted. */
struct reconcile {
	struct sixpn_nl *nl;
	const struct sixpn_route6 *keep;
	int deleted, errors;
};

static int reconcile_cb(const struct sixpn_route6 *r, void *arg)
{
	struct reconcile *rc = arg;

	if (r->dst_len == rc->keep->dst_len && !memcmp(&r->dst, &rc->keep->dst, sizeof(r->dst)))
		return 0;
	if (sixpn_nl_route6_del(rc->nl, r))
		rc->errors++;
	else
		rc->deleted++;
	return 0;
}

static int route_lines(void)
{
	return sh_count("ip -6 route show proto 0x6e | wc -l");
}

int main(void)
{
	struct sixpn_nl nl;
	struct sixpn_link_info li;
	struct addr_find af;
	struct route_seen seen = {};
	int ret, lo, dns, dummy_ok, veth;
	char host_ns[64] = "", our_ns[64] = "";

	setvbuf(stdout, NULL, _IOLBF, 0); /* keep order with the commands' output */
	printf("# plumbing: rtnetlink (loader/host/netlink.c) in a private namespace\n");
	ret = readlink("/proc/1/ns/net", host_ns, sizeof(host_ns) - 1);
	if (unshare(CLONE_NEWNET)) {
		perror("unshare(CLONE_NEWNET)");
		return 1;
	}
	ret = readlink("/proc/self/ns/net", our_ns, sizeof(our_ns) - 1);
	CHECK(ret > 0 && strcmp(host_ns, our_ns), "runs in a network namespace of its own (%s)", our_ns);

	CHECK_EQ(sixpn_nl_open(&nl), 0, "rtnetlink handle opens");

	/* links */
	lo = sixpn_nl_link_index(&nl, "lo");
	CHECK_EQ(lo, 1, "lo has ifindex 1");
	CHECK_EQ(sixpn_nl_link_index(&nl, "plbnosuch0"), -ENODEV, "a missing link is -ENODEV");
	CHECK_EQ(sixpn_nl_link_up(&nl, lo), 0, "lo set up");
	CHECK(sixpn_nl_link_get(&nl, lo, &li) == 0 && (li.flags & IFF_UP) && li.type == ARPHRD_LOOPBACK &&
	      !strcmp(li.name, "lo"), "link_get(lo): up, ARPHRD_LOOPBACK, name lo");

	/* the DNS device: a dummy where the kernel has the driver, else lo */
	dummy_ok = system("ip link add plbprobe0 type dummy 2>/dev/null") == 0;
	if (dummy_ok)
		system("ip link del plbprobe0");
	printf("# kernel dummy driver: %s\n", dummy_ok ? "yes" : "no");
	dns = sixpn_nl_dns_dev(&nl, SIXPN_DNS_DEV);
	if (dummy_ok) {
		CHECK(dns > 1 && dns == sixpn_nl_link_index(&nl, SIXPN_DNS_DEV),
		      "DNS device is the dummy %s (ifindex %d)", SIXPN_DNS_DEV, dns);
		CHECK_EQ(sh_count("ip -d -o link show " SIXPN_DNS_DEV " | grep -c 'dummy'"), 1,
			 "ip shows %s as a dummy", SIXPN_DNS_DEV);
	} else {
		CHECK_EQ(dns, lo, "no dummy driver: the DNS device falls back to lo");
		CHECK_EQ(sh_count("ip -o link show " SIXPN_DNS_DEV " 2>/dev/null | wc -l"), 0,
			 "no dummy driver: no %s was left half-made", SIXPN_DNS_DEV);
	}
	CHECK_EQ(sixpn_nl_dns_dev(&nl, SIXPN_DNS_DEV), dns, "DNS device again: same ifindex");
	CHECK(sixpn_nl_link_get(&nl, dns, &li) == 0 && (li.flags & IFF_UP), "DNS device is up");

	/* addresses on the DNS device */
	{
		struct in6_addr d3 = ip6("fdaa::3"), n3 = ip6("fdaa:0:18::3");
		char cmd[128];

		CHECK_EQ(sixpn_nl_addr6_replace(&nl, dns, &d3, 128), 0, "fdaa::3/128 added to the DNS device");
		CHECK_EQ(sixpn_nl_addr6_replace(&nl, dns, &d3, 128), 0, "fdaa::3/128 added again: no error");
		CHECK_EQ(sixpn_nl_addr6_replace(&nl, dns, &n3, 128), 0, "fdaa:0:18::3/128 added");
		snprintf(cmd, sizeof(cmd), "ip -6 -o addr show dev %s | grep -c 'inet6 fdaa::3/128'", li.name);
		CHECK_EQ(sh_count(cmd), 1, "ip shows fdaa::3/128 once on %s", li.name);
		snprintf(cmd, sizeof(cmd), "ip -6 -o addr show dev %s | grep -c 'inet6 fdaa:0:18::3/128'", li.name);
		CHECK_EQ(sh_count(cmd), 1, "ip shows fdaa:0:18::3/128 on %s", li.name);
		CHECK_EQ(system("ping -6 -c1 -w5 -i0.2 fdaa::3 >/dev/null 2>&1"), 0, "fdaa::3 answers ping locally");
		CHECK_EQ(sixpn_nl_addr6_del(&nl, dns, &n3, 128), 0, "fdaa:0:18::3/128 removed");
		CHECK_EQ(sh_count(cmd), 0, "ip no longer shows fdaa:0:18::3/128");
		CHECK_EQ(sixpn_nl_addr6_del(&nl, dns, &n3, 128), -EADDRNOTAVAIL,
			 "removing it again is -EADDRNOTAVAIL");
	}

	/* an instance-like veth: MTU, up, fe80::1 */
	CHECK_EQ(system("ip link add plb0 type veth peer name plb1"), 0, "setup: veth pair plb0/plb1");
	veth = sixpn_nl_link_index(&nl, "plb0");
	CHECK(veth > 1, "plb0 ifindex %d", veth);
	CHECK(sixpn_nl_link_get(&nl, veth, &li) == 0 && li.type == ARPHRD_ETHER &&
	      !strcmp(li.kind, "veth") && li.mtu == 1500 && !(li.flags & IFF_UP),
	      "link_get(plb0): ARPHRD_ETHER, kind veth, MTU 1500, down (kind '%s' mtu %u)", li.kind, li.mtu);
	CHECK_EQ(sixpn_nl_link_set_mtu(&nl, veth, 1420), 0, "MTU of plb0 set to 1420");
	CHECK(sixpn_nl_link_get(&nl, veth, &li) == 0 && li.mtu == 1420, "link_get(plb0): MTU 1420");
	CHECK_EQ(sh_count("ip -o link show plb0 | grep -c ' mtu 1420 '"), 1, "ip shows plb0 with mtu 1420");
	ret = sixpn_nl_link_set_mtu(&nl, veth, 70000);
	CHECK(ret == -EINVAL && nl.err[0], "MTU 70000 refused: %d, kernel says \"%s\"", ret, nl.err);
	CHECK_EQ(sixpn_nl_link_up(&nl, veth), 0, "plb0 set up");
	CHECK_EQ(sixpn_nl_link_up(&nl, sixpn_nl_link_index(&nl, "plb1")), 0, "plb1 set up");
	CHECK_EQ(sh_count("ip -o link show plb0 | grep -c '[<,]UP[,>]'"), 1, "ip shows plb0 UP");

	{
		struct in6_addr ll = ip6("fe80::1");

		CHECK_EQ(sixpn_nl_addr6_replace(&nl, veth, &ll, 64), 0, "fe80::1/64 added to plb0");
		CHECK_EQ(sixpn_nl_addr6_replace(&nl, veth, &ll, 64), 0, "fe80::1/64 added again");
		CHECK_EQ(sh_count("ip -6 -o addr show dev plb0 | grep -c 'inet6 fe80::1/64 .*nodad'"), 1,
			 "ip shows fe80::1/64 once on plb0, flagged nodad");
		af = (struct addr_find){ .addr = ll, .prefixlen = 64 };
		CHECK_EQ(sixpn_nl_addr6_list(&nl, veth, addr_find_cb, &af), 0, "addr6_list(plb0) succeeds");
		CHECK(af.found == 1 && (af.flags & IFA_F_NODAD) && !(af.flags & IFA_F_TENTATIVE),
		      "addr6_list sees fe80::1/64 once, nodad, not tentative (flags 0x%x)", af.flags);
		af = (struct addr_find){ .addr = ll, .prefixlen = 64 };
		sixpn_nl_addr6_list(&nl, lo, addr_find_cb, &af);
		CHECK_EQ(af.found, 0, "addr6_list(lo) does not report plb0's address");
	}

	/* routes */
	{
		struct sixpn_route6 inst = { .dst = ip6("fdaa:0:1:0:2:0:5:0"), .dst_len = 112, .oif = veth };
		struct sixpn_route6 mesh = { .dst = ip6("fdaa::"), .dst_len = 16, .oif = veth,
					     .has_gw = true, .gw = ip6("fe80::2"), .metric = 100 };
		struct sixpn_route6 bad = { .dst = ip6("fdaa:0:9::"), .dst_len = 48, .oif = 9999 };
		struct reconcile rc = { .nl = &nl, .keep = &inst };

		CHECK_EQ(sixpn_nl_route6_replace(&nl, &inst), 0, "route fdaa:0:1:0:2:0:5:0/112 dev plb0 added");
		CHECK_EQ(sixpn_nl_route6_replace(&nl, &inst), 0, "the same route added again");
		CHECK_EQ(route_lines(), 1, "ip -6 route show proto 0x6e: one route");
		CHECK_EQ(sh_count("ip -6 route show proto 0x6e | grep -c '^fdaa:0:1:0:2:0:5:0/112 dev plb0 '"), 1,
			 "ip shows the /112 via plb0 with sixpn's protocol");

		CHECK_EQ(sixpn_nl_route6_replace(&nl, &mesh), 0, "route fdaa::/16 via fe80::2 dev plb0 metric 100");
		mesh.gw = ip6("fe80::3");
		CHECK_EQ(sixpn_nl_route6_replace(&nl, &mesh), 0, "replaced with gateway fe80::3");
		CHECK_EQ(sh_count("ip -6 route show proto 0x6e | grep -c '^fdaa::/16'"), 1,
			 "ip shows one fdaa::/16 route after the replace");
		CHECK_EQ(sh_count("ip -6 route show proto 0x6e | grep -c '^fdaa::/16 via fe80::3 dev plb0 .*metric 100'"), 1,
			 "ip shows fdaa::/16 via fe80::3 dev plb0 metric 100");

		CHECK_EQ(system("ip -6 route add fdbb::/16 dev plb0 proto static"), 0,
			 "setup: an operator's route fdbb::/16 (proto static)");
		CHECK_EQ(sixpn_nl_route6_list(&nl, 0, route_collect_cb, &seen), 0, "route6_list succeeds");
		CHECK_EQ(seen.n, 2, "route6_list reports sixpn's two routes and not the operator's");
		{
			int has_inst = 0, has_mesh = 0;

			for (int i = 0; i < seen.n && i < 8; i++) {
				const struct sixpn_route6 *r = &seen.r[i];

				if (r->dst_len == 112 && !memcmp(&r->dst, &inst.dst, 16) && r->oif == veth &&
				    !r->has_gw && r->metric == 1024 && r->table == 254 && r->protocol == SIXPN_RTPROT)
					has_inst = 1;
				if (r->dst_len == 16 && !memcmp(&r->dst, &mesh.dst, 16) && r->oif == veth &&
				    r->has_gw && !memcmp(&r->gw, &mesh.gw, 16) && r->metric == 100)
					has_mesh = 1;
			}
			CHECK(has_inst, "route6_list: the /112 with oif, default metric 1024, table main");
			CHECK(has_mesh, "route6_list: fdaa::/16 with gateway fe80::3, metric 100");
		}

		ret = sixpn_nl_route6_replace(&nl, &bad);
		CHECK_EQ(ret, -ENODEV, "a route via a missing device is -ENODEV");

		CHECK_EQ(sixpn_nl_route6_list(&nl, 0, reconcile_cb, &rc), 0,
			 "reconcile walk deleting from inside the callback succeeds");
		CHECK(rc.deleted == 1 && rc.errors == 0, "reconcile deleted 1 stale route (%d deleted, %d errors)",
		      rc.deleted, rc.errors);
		CHECK_EQ(route_lines(), 1, "ip: one sixpn route left");
		CHECK_EQ(sh_count("ip -6 route show proto 0x6e | grep -c '^fdaa:0:1:0:2:0:5:0/112'"), 1,
			 "ip: the kept route is the /112");
		CHECK_EQ(sh_count("ip -6 route show proto static | grep -c '^fdbb::/16'"), 1,
			 "ip: the operator's route is untouched");

		CHECK_EQ(sixpn_nl_route6_del(&nl, &inst), 0, "the /112 deleted");
		CHECK_EQ(sixpn_nl_route6_del(&nl, &inst), -ESRCH, "deleting it again is -ESRCH");
		CHECK_EQ(route_lines(), 0, "ip: no sixpn route left");
		{
			struct sixpn_route6 op = { .dst = ip6("fdbb::"), .dst_len = 16, .oif = veth };

			CHECK_EQ(sixpn_nl_route6_del(&nl, &op), -ESRCH,
				 "route6_del never removes a route of another protocol");
		}
		seen.n = 0;
		CHECK(sixpn_nl_route6_list(&nl, 0, route_collect_cb, &seen) == 0 && seen.n == 0,
		      "route6_list: empty");
	}

	{
		struct in6_addr ll = ip6("fe80::1");

		CHECK_EQ(sixpn_nl_addr6_del(&nl, veth, &ll, 64), 0, "fe80::1/64 removed from plb0");
		CHECK_EQ(sh_count("ip -6 -o addr show dev plb0 | grep -c 'inet6 fe80::1/64'"), 0,
			 "ip no longer shows fe80::1/64");
	}

	/* forwarding, in this namespace only */
	CHECK_EQ(strcmp(read_file("/proc/sys/net/ipv6/conf/all/forwarding"), "0"), 0,
		 "a fresh namespace does not forward IPv6");
	CHECK_EQ(sixpn_ipv6_forwarding_enable(), 0, "IPv6 forwarding enabled");
	CHECK_EQ(strcmp(sh("sysctl -n net.ipv6.conf.all.forwarding"), "1"), 0,
		 "sysctl net.ipv6.conf.all.forwarding = 1 in the namespace");

	sixpn_nl_close(&nl);
	return test_summary("test_netlink");
}
