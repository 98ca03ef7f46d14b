// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Host plumbing over rtnetlink with libmnl (see netlink.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "host/netlink.h"
#include "host/nlmsg.h"
#include "lib/grow.h"

/* Big enough for the largest message a dump sends (the kernel fills up to
 * 32 KiB when the reader offers that much). */
#define NL_BUF_SIZE 32768

typedef int (*nl_msg_cb)(const struct nlmsghdr *nlh, void *arg);

#ifdef SIXPN_FUZZ
/* The fuzzers (selftests/fuzz/lib/netlink.c) play the kernel: when set,
 * requests go nowhere and every read returns what it hands out. */
ssize_t (*sixpn_nl_fuzz_kernel)(void *buf, size_t len);

static ssize_t nl_send(struct sixpn_nl *nl, const struct nlmsghdr *nlh)
{
	if (sixpn_nl_fuzz_kernel)
		return nlh->nlmsg_len;
	return mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len);
}

static ssize_t nl_recv(struct sixpn_nl *nl, void *buf, size_t len)
{
	if (sixpn_nl_fuzz_kernel)
		return sixpn_nl_fuzz_kernel(buf, len);
	return mnl_socket_recvfrom(nl->sk, buf, len);
}
#else
#define nl_send(nl, nlh) mnl_socket_sendto((nl)->sk, (nlh), (nlh)->nlmsg_len)
#define nl_recv(nl, buf, len) mnl_socket_recvfrom((nl)->sk, (buf), (len))
#endif

int sixpn_nl_open(struct sixpn_nl *nl)
{
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->sk = mnl_socket_open(NETLINK_ROUTE);
	if (!nl->sk)
		return -errno;
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(nl->sk);
		nl->sk = NULL;
		return err;
	}
	/* Extended acks carry the kernel's reason for a refusal; capped acks
	 * keep them from echoing our whole request back. Both are optional. */
	mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = (unsigned int)time(NULL);
	return 0;
}

void sixpn_nl_close(struct sixpn_nl *nl)
{
	if (nl->sk)
		mnl_socket_close(nl->sk);
	nl->sk = NULL;
}

static int extack_attr_cb(const struct nlattr *attr, void *data)
{
	struct sixpn_nl *nl = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(nl->err, sizeof(nl->err), "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

/* The errno of an NLMSG_ERROR (0 for an ack), keeping its ext-ack text. */
static int parse_error(struct sixpn_nl *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	unsigned int off = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
		return -EBADMSG;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
		if (off < mnl_nlmsg_get_payload_len(nlh))
			mnl_attr_parse(nlh, off, extack_attr_cb, nl);
	}
	return sixpn_nl_errno(e->error);
}

/* Sends NLH and reads the answer to it: each reply message goes to CB (for
 * dumps), and the final ack, error or NLMSG_DONE gives the result. */
static int nl_talk(struct sixpn_nl *nl, struct nlmsghdr *nlh, nl_msg_cb cb, void *arg)
{
	char *buf;
	int ret = 0, done = 0;

	nl->err[0] = '\0';
	nlh->nlmsg_seq = ++nl->seq;
	/* Always asked for, never sent for a dump (NLMSG_DONE ends those).
	 * Testing for NLM_F_DUMP instead would be wrong: its bits overlap
	 * NLM_F_REPLACE and NLM_F_EXCL. */
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (nl_send(nl, nlh) < 0)
		return -errno;
	buf = malloc(NL_BUF_SIZE);
	if (!buf)
		return -ENOMEM;
	while (!done) {
		ssize_t n = nl_recv(nl, buf, NL_BUF_SIZE);
		const struct nlmsghdr *m = (const struct nlmsghdr *)buf;
		int len = (int)n;

		if (n < 0) {
			ret = -errno;
			break;
		}
		for (; sixpn_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_seq != nl->seq || m->nlmsg_pid != nl->portid)
				continue; /* a late answer to an earlier request */
			if (m->nlmsg_type == NLMSG_ERROR) {
				ret = parse_error(nl, m);
				done = 1;
				break;
			}
			if (m->nlmsg_type == NLMSG_DONE) {
				if (mnl_nlmsg_get_payload_len(m) >= sizeof(int)) {
					int e = *(int *)mnl_nlmsg_get_payload(m);

					ret = e < 0 ? sixpn_nl_errno(e) : 0;
				}
				done = 1;
				break;
			}
			if (cb && !ret)
				ret = cb(m, arg);
		}
	}
	free(buf);
	return ret;
}

/* A request of `type` in buf with a zeroed family header of `size` bytes,
 * its payload. */
static struct nlmsghdr *request(char *buf, int type, int flags, size_t size)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	mnl_nlmsg_put_extra_header(nlh, size);
	return nlh;
}

/* --- links ------------------------------------------------------------- */

static struct nlmsghdr *link_msg(char *buf, int type, int flags, int ifindex)
{
	struct nlmsghdr *nlh = request(buf, type, flags, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	struct sixpn_link_info *li = data;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(li->name, sizeof(li->name), "%s", mnl_attr_get_str(attr));
		break;
	case IFLA_MTU:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			li->mtu = mnl_attr_get_u32(attr);
		break;
	case IFLA_LINKINFO: {
		const struct nlattr *in;

		mnl_attr_for_each_nested(in, attr)
			if (mnl_attr_get_type(in) == IFLA_INFO_KIND &&
			    mnl_attr_validate(in, MNL_TYPE_NUL_STRING) == 0)
				snprintf(li->kind, sizeof(li->kind), "%s", mnl_attr_get_str(in));
		break;
	}
	}
	return MNL_CB_OK;
}

static int link_msg_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct sixpn_link_info *li = arg;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return 0;
	memset(li, 0, sizeof(*li));
	li->ifindex = ifi->ifi_index;
	li->type = ifi->ifi_type;
	li->flags = ifi->ifi_flags;
	mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, li);
	return 0;
}

int sixpn_nl_link_get(struct sixpn_nl *nl, int ifindex, struct sixpn_link_info *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, 0, ifindex);

	memset(out, 0, sizeof(*out));
	return nl_talk(nl, nlh, link_msg_cb, out);
}

int sixpn_nl_link_index(struct sixpn_nl *nl, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, 0, 0);
	struct sixpn_link_info li = {};
	int ret;

	if (strlen(name) >= SIXPN_IFNAMSIZ)
		return -ENODEV;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	ret = nl_talk(nl, nlh, link_msg_cb, &li);
	if (ret)
		return ret;
	return li.ifindex > 0 ? li.ifindex : -ENODEV;
}

int sixpn_nl_link_up(struct sixpn_nl *nl, int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, ifindex);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = IFF_UP;
	return nl_talk(nl, nlh, NULL, NULL);
}

int sixpn_nl_link_set_mtu(struct sixpn_nl *nl, int ifindex, unsigned int mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, ifindex);

	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return nl_talk(nl, nlh, NULL, NULL);
}

int sixpn_nl_dns_dev(struct sixpn_nl *nl, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	struct nlattr *info;
	int ret, ifindex;

	if (strlen(name) >= SIXPN_IFNAMSIZ)
		return -EINVAL;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "dummy");
	mnl_attr_nest_end(nlh, info);
	ret = nl_talk(nl, nlh, NULL, NULL);
	/* No dummy driver (built without CONFIG_DUMMY, module not loadable):
	 * the kernel says "Unknown device type" with EOPNOTSUPP. */
	if (ret == -EOPNOTSUPP)
		name = "lo";
	else if (ret && ret != -EEXIST)
		return ret;
	ifindex = sixpn_nl_link_index(nl, name);
	if (ifindex < 0)
		return ifindex;
	ret = sixpn_nl_link_up(nl, ifindex);
	return ret ? ret : ifindex;
}

/* --- results of dumps, kept until the dump ends ----------------------- */

struct vec {
	void *items;
	size_t n, cap, size;
};

static void *vec_push(struct vec *v)
{
	void *p = array_grow(v->items, &v->cap, v->n, v->size);

	if (!p)
		return NULL;
	v->items = p;
	return memset((char *)v->items + v->n++ * v->size, 0, v->size);
}

/* --- IPv6 addresses ---------------------------------------------------- */

static struct nlmsghdr *addr_msg(char *buf, int type, int flags, int ifindex,
				 const struct in6_addr *addr, uint8_t prefixlen)
{
	struct nlmsghdr *nlh = request(buf, type, flags, sizeof(struct ifaddrmsg));
	struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);

	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = prefixlen;
	ifa->ifa_index = ifindex;
	if (addr)
		mnl_attr_put(nlh, IFA_LOCAL, sizeof(*addr), addr);
	return nlh;
}

int sixpn_nl_addr6_replace(struct sixpn_nl *nl, int ifindex,
			   const struct in6_addr *addr, uint8_t prefixlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	if (prefixlen > 128)
		return -EINVAL;
	nlh = addr_msg(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, ifindex, addr, prefixlen);
	((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_flags = IFA_F_NODAD;
	mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	return nl_talk(nl, nlh, NULL, NULL);
}

int sixpn_nl_addr6_del(struct sixpn_nl *nl, int ifindex,
		       const struct in6_addr *addr, uint8_t prefixlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	return nl_talk(nl, addr_msg(buf, RTM_DELADDR, 0, ifindex, addr, prefixlen), NULL, NULL);
}

struct addr_dump {
	int ifindex;
	struct vec v;
	int err;
};

static int addr_msg_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct addr_dump *d = arg;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	const void *local = NULL, *address = NULL;
	struct sixpn_addr6 *a;
	uint32_t flags;

	if (nlh->nlmsg_type != RTM_NEWADDR || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return 0;
	flags = ifa->ifa_flags;
	if (ifa->ifa_family != AF_INET6 ||
	    (d->ifindex && (int)ifa->ifa_index != d->ifindex))
		return 0;
	mnl_attr_for_each(attr, nlh, sizeof(*ifa)) {
		bool is_addr = mnl_attr_get_payload_len(attr) == sizeof(struct in6_addr);

		switch (mnl_attr_get_type(attr)) {
		case IFA_LOCAL:
			if (is_addr)
				local = mnl_attr_get_payload(attr);
			break;
		case IFA_ADDRESS:
			if (is_addr)
				address = mnl_attr_get_payload(attr);
			break;
		case IFA_FLAGS:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
				flags = mnl_attr_get_u32(attr);
			break;
		}
	}
	/* IPv6 sends IFA_LOCAL only for point-to-point addresses. */
	if (!local)
		local = address;
	if (!local)
		return 0;
	a = vec_push(&d->v);
	if (!a)
		return -ENOMEM;
	a->ifindex = ifa->ifa_index;
	memcpy(&a->addr, local, sizeof(a->addr));
	a->prefixlen = ifa->ifa_prefixlen;
	a->flags = flags;
	return 0;
}

int sixpn_nl_addr6_list(struct sixpn_nl *nl, int ifindex, sixpn_addr6_cb cb, void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct addr_dump d = { .ifindex = ifindex, .v.size = sizeof(struct sixpn_addr6) };
	int ret;

	ret = nl_talk(nl, addr_msg(buf, RTM_GETADDR, NLM_F_DUMP, 0, NULL, 0), addr_msg_cb, &d);
	for (size_t i = 0; !ret && i < d.v.n; i++)
		ret = cb((struct sixpn_addr6 *)d.v.items + i, arg);
	free(d.v.items);
	return ret;
}

/* --- IPv6 routes ------------------------------------------------------- */

static struct nlmsghdr *route_msg(char *buf, int type, int flags, const struct sixpn_route6 *r)
{
	uint32_t table = r->table ? r->table : RT_TABLE_MAIN;
	struct nlmsghdr *nlh = request(buf, type, flags, sizeof(struct rtmsg));
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = r->dst_len;
	rtm->rtm_table = table < 256 ? table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = SIXPN_RTPROT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	if (r->dst_len)
		mnl_attr_put(nlh, RTA_DST, sizeof(r->dst), &r->dst);
	if (r->has_gw)
		mnl_attr_put(nlh, RTA_GATEWAY, sizeof(r->gw), &r->gw);
	if (r->oif)
		mnl_attr_put_u32(nlh, RTA_OIF, r->oif);
	if (r->metric)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r->metric);
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	return nlh;
}

int sixpn_nl_route6_replace(struct sixpn_nl *nl, const struct sixpn_route6 *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	if (r->dst_len > 128 || (!r->oif && !r->has_gw))
		return -EINVAL;
	return nl_talk(nl, route_msg(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, r), NULL, NULL);
}

int sixpn_nl_route6_del(struct sixpn_nl *nl, const struct sixpn_route6 *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	if (r->dst_len > 128)
		return -EINVAL;
	return nl_talk(nl, route_msg(buf, RTM_DELROUTE, 0, r), NULL, NULL);
}

struct route_dump {
	uint32_t table;
	struct vec v;
};

static int route_msg_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct route_dump *d = arg;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	struct sixpn_route6 r = {};

	if (nlh->nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm) ||
	    rtm->rtm_family != AF_INET6 ||
	    rtm->rtm_protocol != SIXPN_RTPROT || rtm->rtm_type != RTN_UNICAST ||
	    (rtm->rtm_flags & RTM_F_CLONED))
		return 0;
	r.dst_len = rtm->rtm_dst_len;
	r.table = rtm->rtm_table;
	r.protocol = rtm->rtm_protocol;
	mnl_attr_for_each(attr, nlh, sizeof(*rtm)) {
		bool is_addr = mnl_attr_get_payload_len(attr) == sizeof(struct in6_addr);

		switch (mnl_attr_get_type(attr)) {
		case RTA_DST:
			if (is_addr)
				memcpy(&r.dst, mnl_attr_get_payload(attr), sizeof(r.dst));
			break;
		case RTA_GATEWAY:
			if (is_addr) {
				memcpy(&r.gw, mnl_attr_get_payload(attr), sizeof(r.gw));
				r.has_gw = true;
			}
			break;
		case RTA_OIF:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
				r.oif = mnl_attr_get_u32(attr);
			break;
		case RTA_PRIORITY:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
				r.metric = mnl_attr_get_u32(attr);
			break;
		case RTA_TABLE:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
				r.table = mnl_attr_get_u32(attr);
			break;
		}
	}
	if (r.table != d->table) {
		return 0;
	} else {
		struct sixpn_route6 *slot = vec_push(&d->v);

		if (!slot)
			return -ENOMEM;
		*slot = r;
	}
	return 0;
}

int sixpn_nl_route6_list(struct sixpn_nl *nl, uint32_t table, sixpn_route6_cb cb, void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct sixpn_route6 all = {};
	struct route_dump d = { .table = table ? table : RT_TABLE_MAIN,
				.v.size = sizeof(struct sixpn_route6) };
	struct nlmsghdr *nlh;
	int ret;

	nlh = route_msg(buf, RTM_GETROUTE, NLM_F_DUMP, &all);
	/* A dump request is the bare rtmsg: no attributes to filter on. */
	nlh->nlmsg_len = mnl_nlmsg_size(sizeof(struct rtmsg));
	ret = nl_talk(nl, nlh, route_msg_cb, &d);
	for (size_t i = 0; !ret && i < d.v.n; i++)
		ret = cb((struct sixpn_route6 *)d.v.items + i, arg);
	free(d.v.items);
	return ret;
}

/* --- sysctl -------------------------------------------------------------- */

int sixpn_ipv6_forwarding_enable(void)
{
	int fd = open("/proc/sys/net/ipv6/conf/all/forwarding", O_WRONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	/* One byte: Debian's 6.12 and 6.18.15 kernels report writing "1\n"
	 * here as a 1-byte write (found by `make vmtest`). */
	if (write(fd, "1", 1) != 1)
		ret = errno ? -errno : -EIO;
	close(fd);
	return ret;
}
