// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The kernel backend of wg.h: generic netlink family "wireguard"
 * (WG_CMD_GET_DEVICE, WG_CMD_SET_DEVICE) in the calling thread's network
 * namespace (wg_int.h). NOT TESTED on this project's CI: its kernel has no
 * WireGuard module. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>

#include "host/nlmsg.h"
#include "host/wg_int.h"

/* --- kernel (generic netlink) ------------------------------------------- */

static int family_id_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			*(uint16_t *)data = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

/* mnl_cb_run(), on a buffer whose messages all fit in it (nlmsg.h). */
static int genl_run(const void *buf, size_t n, unsigned int seq, unsigned int portid,
		    mnl_cb_t cb, void *data)
{
	if (!sixpn_nlmsg_buf_ok(buf, n)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return mnl_cb_run(buf, n, seq, portid, cb, data);
}

/* Sends NLH and runs the answer through CB until the ack or NLMSG_DONE. */
static int genl_talk(struct wg_genl *g, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char *buf = malloc(MNL_SOCKET_BUFFER_SIZE * 4);
	unsigned int portid = mnl_socket_get_portid(g->sk);
	int ret;

	if (!buf)
		return -ENOMEM;
	nlh->nlmsg_seq = ++g->seq;
	if (mnl_socket_sendto(g->sk, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	do {
		ssize_t n = mnl_socket_recvfrom(g->sk, buf, MNL_SOCKET_BUFFER_SIZE * 4);

		if (n < 0) {
			ret = -errno;
			goto out;
		}
		ret = genl_run(buf, (size_t)n, nlh->nlmsg_seq, portid, cb, data);
	} while (ret == MNL_CB_OK);
	ret = ret < 0 ? sixpn_nl_errno(errno) : 0; /* an error ack's errno is the kernel's */
out:
	free(buf);
	return ret;
}

static struct nlmsghdr *genl_msg(char *buf, uint16_t type, uint16_t flags, uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

void wg_genl_close(struct wg_genl *g)
{
	if (g->sk)
		mnl_socket_close(g->sk);
	g->sk = NULL;
}

int wg_genl_open(struct sixpn_wg *wg, struct wg_genl *g, const char *ifname)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int one = 1, ret;

	memset(g, 0, sizeof(*g));
	g->seq = (unsigned int)time(NULL);
	g->sk = mnl_socket_open(NETLINK_GENERIC);
	if (!g->sk)
		return wg_fail(wg, -errno, "%s: generic netlink: %s", ifname, strerror(errno));
	if (mnl_socket_bind(g->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = wg_fail(wg, -errno, "%s: generic netlink: %s", ifname, strerror(errno));
		wg_genl_close(g);
		return ret;
	}
	/* An error ack must not echo a big request back (it would not fit). */
	mnl_socket_setsockopt(g->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	nlh = genl_msg(buf, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, WG_GENL_NAME);
	ret = genl_talk(g, nlh, family_id_cb, &g->family);
	if (ret || !g->family) {
		ret = wg_fail(wg, -ENODEV, "no WireGuard device %s: no userspace daemon socket at "
			   SIXPN_WG_RUN_DIR "/%s.sock and the kernel has no wireguard "
			   "generic netlink family (%s)", ifname, ifname, strerror(ret ? -ret : ENOENT));
		wg_genl_close(g);
	}
	return ret;
}

static int kernel_allowed_ips(struct get_state *s, const struct nlattr *ips)
{
	const struct nlattr *ip, *a;

	mnl_attr_for_each_nested(ip, ips) {
		uint16_t family = 0;
		const void *addr = NULL;
		int cidr = -1, ret;

		mnl_attr_for_each_nested(a, ip) {
			switch (mnl_attr_get_type(a)) {
			case WGALLOWEDIP_A_FAMILY:
				if (mnl_attr_validate(a, MNL_TYPE_U16) == 0)
					family = mnl_attr_get_u16(a);
				break;
			case WGALLOWEDIP_A_IPADDR:
				if (mnl_attr_get_payload_len(a) == sizeof(struct in6_addr))
					addr = mnl_attr_get_payload(a);
				break;
			case WGALLOWEDIP_A_CIDR_MASK:
				if (mnl_attr_validate(a, MNL_TYPE_U8) == 0)
					cidr = mnl_attr_get_u8(a);
				break;
			}
		}
		if (family != AF_INET6 || !addr || cidr < 0)
			continue; /* IPv4: not part of sixpn's plan */
		ret = wg_push_ip(s, addr, (unsigned int)cidr);
		if (ret)
			return ret;
	}
	return 0;
}

/* One peer of a dump. A peer with many allowed IPs continues in the next
 * message under the same public key. */
static int kernel_peer(struct get_state *s, const struct nlattr *peer)
{
	const struct nlattr *a;
	int ret = 0;

	mnl_attr_for_each_nested(a, peer) {
		if (mnl_attr_get_type(a) != WGPEER_A_PUBLIC_KEY ||
		    mnl_attr_get_payload_len(a) != WG_KEY_LEN)
			continue;
		if (!s->in_peer || memcmp(s->peer.public_key, mnl_attr_get_payload(a), WG_KEY_LEN))
			ret = wg_start_peer(s, mnl_attr_get_payload(a));
	}
	if (ret || !s->in_peer)
		return ret;
	mnl_attr_for_each_nested(a, peer) {
		size_t len = mnl_attr_get_payload_len(a);

		switch (mnl_attr_get_type(a)) {
		case WGPEER_A_ENDPOINT: {
			const struct sockaddr *sa = mnl_attr_get_payload(a);
			char ip[INET6_ADDRSTRLEN];

			if (len == sizeof(struct sockaddr_in) && sa->sa_family == AF_INET) {
				const struct sockaddr_in *sin = (const void *)sa;

				inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
				snprintf(s->peer.endpoint, sizeof(s->peer.endpoint), "%s:%u", ip,
					 ntohs(sin->sin_port));
			} else if (len == sizeof(struct sockaddr_in6) && sa->sa_family == AF_INET6) {
				const struct sockaddr_in6 *sin6 = (const void *)sa;

				inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
				snprintf(s->peer.endpoint, sizeof(s->peer.endpoint), "[%s]:%u", ip,
					 ntohs(sin6->sin6_port));
			}
			break;
		}
		case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
			if (mnl_attr_validate(a, MNL_TYPE_U16) == 0)
				s->peer.keepalive = mnl_attr_get_u16(a);
			break;
		case WGPEER_A_LAST_HANDSHAKE_TIME:
			if (len >= sizeof(int64_t))
				memcpy(&s->peer.last_handshake_sec, mnl_attr_get_payload(a), sizeof(int64_t));
			break;
		case WGPEER_A_RX_BYTES:
			if (mnl_attr_validate(a, MNL_TYPE_U64) == 0)
				s->peer.rx_bytes = mnl_attr_get_u64(a);
			break;
		case WGPEER_A_TX_BYTES:
			if (mnl_attr_validate(a, MNL_TYPE_U64) == 0)
				s->peer.tx_bytes = mnl_attr_get_u64(a);
			break;
		case WGPEER_A_ALLOWEDIPS:
			ret = kernel_allowed_ips(s, a);
			if (ret)
				return ret;
			break;
		}
	}
	return 0;
}

static int kernel_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct get_state *s = data;
	const struct nlattr *attr, *peer;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(attr)) {
		case WGDEVICE_A_PUBLIC_KEY:
			/* sent only when the device has a private key */
			if (mnl_attr_get_payload_len(attr) == WG_KEY_LEN) {
				memcpy(s->dev->public_key, mnl_attr_get_payload(attr), WG_KEY_LEN);
				s->dev->has_private_key = true;
			}
			break;
		case WGDEVICE_A_LISTEN_PORT:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
				s->dev->listen_port = mnl_attr_get_u16(attr);
			break;
		case WGDEVICE_A_PEERS:
			mnl_attr_for_each_nested(peer, attr) {
				s->ret = kernel_peer(s, peer);
				if (s->ret)
					return MNL_CB_ERROR;
			}
			break;
		}
	}
	return MNL_CB_OK;
}

int wg_genl_get(struct sixpn_wg *wg, struct wg_genl *g, const char *ifname, struct get_state *s)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = genl_msg(buf, g->family, NLM_F_DUMP, WG_CMD_GET_DEVICE, WG_GENL_VERSION);
	int ret;

	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, ifname);
	ret = genl_talk(g, nlh, kernel_get_cb, s);
	if (s->ret)
		return s->ret;
	if (ret)
		return wg_fail(wg, ret, "%s: reading the kernel WireGuard device: %s", ifname, strerror(-ret));
	return wg_flush_peer(s);
}

/* Room one peer needs in a WG_CMD_SET_DEVICE message, with margin. */
static size_t peer_room(const struct sixpn_wg_peer *p)
{
	return 128 + p->n_allowed_ips * 48;
}

#define WG_MSG_SIZE 32768

static void wg_put_peer(struct nlmsghdr *nlh, const struct sixpn_wg_peer *p, const struct resolved *r)
{
	struct nlattr *peer = mnl_attr_nest_start(nlh, 0), *ips;

	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, p->public_key);
	mnl_attr_put_u32(nlh, WGPEER_A_FLAGS, WGPEER_F_REPLACE_ALLOWEDIPS);
	if (r->has_endpoint)
		mnl_attr_put(nlh, WGPEER_A_ENDPOINT,
			     r->ss.ss_family == AF_INET ? sizeof(struct sockaddr_in)
							: sizeof(struct sockaddr_in6),
			     &r->ss);
	mnl_attr_put_u16(nlh, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, p->keepalive);
	ips = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
	for (size_t j = 0; j < p->n_allowed_ips; j++) {
		struct nlattr *ip = mnl_attr_nest_start(nlh, 0);

		mnl_attr_put_u16(nlh, WGALLOWEDIP_A_FAMILY, AF_INET6);
		mnl_attr_put(nlh, WGALLOWEDIP_A_IPADDR, sizeof(struct in6_addr), &p->allowed_ips[j].addr);
		mnl_attr_put_u8(nlh, WGALLOWEDIP_A_CIDR_MASK, p->allowed_ips[j].len);
		mnl_attr_nest_end(nlh, ip);
	}
	mnl_attr_nest_end(nlh, ips);
	mnl_attr_nest_end(nlh, peer);
}

static void wg_put_removal(struct nlmsghdr *nlh, const uint8_t key[WG_KEY_LEN])
{
	struct nlattr *peer = mnl_attr_nest_start(nlh, 0);

	mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, key);
	mnl_attr_put_u32(nlh, WGPEER_A_FLAGS, WGPEER_F_REMOVE_ME);
	mnl_attr_nest_end(nlh, peer);
}

/* As wg(8) does: the device attributes and the first peers in one message,
 * more messages for the peers that did not fit. Removals go first. */
int wg_genl_set(struct sixpn_wg *wg, struct wg_genl *g, const char *ifname, const uint8_t *private_key,
		      uint16_t listen_port, const struct sixpn_wg_peer *peers, size_t n,
		      const struct resolved *res, const struct keyset *stale)
{
	char *buf = calloc(1, WG_MSG_SIZE);
	size_t i = 0, r = 0;
	int ret = 0;

	if (!buf)
		return wg_fail(wg, -ENOMEM, "%s: out of memory", ifname);
	for (bool first = true; first || r < stale->n || i < n; first = false) {
		struct nlmsghdr *nlh = genl_msg(buf, g->family, 0, WG_CMD_SET_DEVICE, WG_GENL_VERSION);
		struct nlattr *nest = NULL;

		mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, ifname);
		if (first && private_key)
			mnl_attr_put(nlh, WGDEVICE_A_PRIVATE_KEY, WG_KEY_LEN, private_key);
		if (first && listen_port)
			mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT, listen_port);
		if (r < stale->n || i < n)
			nest = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
		for (; r < stale->n && nlh->nlmsg_len + 128 <= WG_MSG_SIZE; r++)
			wg_put_removal(nlh, stale->keys[r]);
		for (; r == stale->n && i < n; i++) {
			if (peer_room(&peers[i]) + 256 > WG_MSG_SIZE) {
				ret = wg_fail(wg, -E2BIG, "%s: peer %zu has too many allowed IPs (%zu)",
					   ifname, i, peers[i].n_allowed_ips);
				goto out;
			}
			if (nlh->nlmsg_len + peer_room(&peers[i]) > WG_MSG_SIZE)
				break;
			wg_put_peer(nlh, &peers[i], &res[i]);
		}
		if (nest)
			mnl_attr_nest_end(nlh, nest);
		ret = genl_talk(g, nlh, NULL, NULL);
		wg_key_wipe(buf, WG_MSG_SIZE);
		if (ret) {
			wg_fail(wg, ret, "%s: the kernel refused the configuration: %s", ifname, strerror(-ret));
			goto out;
		}
	}
out:
	free(buf);
	return ret;
}

#ifdef SIXPN_FUZZ
/* The fuzzers' seam (selftests/fuzz/lib/wg_genl.c): a dump buffer through
 * the parser wg_genl_get() uses. */
int sixpn_wg_fuzz_genl_get(const void *buf, size_t len, struct sixpn_wg_device *dev,
			   sixpn_wg_peer_cb cb, void *arg)
{
	struct get_state s = { .dev = dev, .cb = cb, .arg = arg };
	int ret;

	memset(dev, 0, sizeof(*dev));
	ret = genl_run(buf, len, 0, 0, kernel_get_cb, &s);
	ret = s.ret ? s.ret : ret < 0 ? sixpn_nl_errno(errno) : wg_flush_peer(&s);
	free(s.ips);
	return ret;
}
#endif
