/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Between wg.c (the public API of wg.h and the checks both backends share)
 * and the two backends: wg_uapi.c, the UAPI text protocol of userspace
 * daemons (wireguard-go, boringtun), and wg_genl.c, the kernel's generic
 * netlink family. For host/wg*.c only. */
#ifndef SIXPN_WG_INT_H
#define SIXPN_WG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "host/wg.h"

/* Records why in wg->err (wg may be NULL: then nowhere), and returns ERR
 * (a -errno) for the caller to pass on. */
int wg_fail(struct sixpn_wg *wg, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A peer checked and its endpoint resolved (check_peers() in wg.c), before
 * anything is sent. */
struct resolved {
	bool has_endpoint;
	struct sockaddr_storage ss;
	char text[INET6_ADDRSTRLEN + 10];
};

/* Builds sixpn_wg_peer_status records from either backend's answer and
 * hands each one to the caller's callback once it is complete. */
struct get_state {
	struct sixpn_wg_device *dev;
	sixpn_wg_peer_cb cb;
	void *arg;
	bool in_peer;
	struct sixpn_wg_peer_status peer;
	struct sixpn_wg_prefix *ips;
	size_t n_ips, cap_ips;
	int ret; /* a callback's stop value, or -ENOMEM */
};

int wg_flush_peer(struct get_state *s);
int wg_start_peer(struct get_state *s, const uint8_t key[WG_KEY_LEN]);
int wg_push_ip(struct get_state *s, const struct in6_addr *addr, unsigned int len);

/* The public keys of the peers on the device, for the diff. */
struct keyset {
	uint8_t (*keys)[WG_KEY_LEN];
	size_t n, cap;
};

/* --- UAPI (wg_uapi.c) --- */

/* A connected socket, or -ENOENT (no socket file) / -ECONNREFUSED (a stale
 * one: its daemon is gone), which both mean "not a userspace device". */
int wg_uapi_connect(const char *ifname);
int wg_uapi_get(struct sixpn_wg *wg, int fd, const char *ifname, struct get_state *s);
/* The device attributes, the removal of every key in STALE and PEERS[N]
 * (RES: their resolved endpoints), in one UAPI transaction. */
int wg_uapi_set(struct sixpn_wg *wg, int fd, const char *ifname, const uint8_t *private_key, uint16_t listen_port,
		const struct sixpn_wg_peer *peers, size_t n, const struct resolved *res,
		const struct keyset *stale);

/* --- generic netlink (wg_genl.c) --- */

struct mnl_socket;

struct wg_genl {
	struct mnl_socket *sk;
	uint16_t family;
	unsigned int seq;
};

/* Opens the socket and finds the "wireguard" family: -ENODEV, said in
 * words, when the kernel has none. */
int wg_genl_open(struct sixpn_wg *wg, struct wg_genl *g, const char *ifname);
void wg_genl_close(struct wg_genl *g);
int wg_genl_get(struct sixpn_wg *wg, struct wg_genl *g, const char *ifname, struct get_state *s);
/* As wg_uapi_set(); very large peer sets take several messages. */
int wg_genl_set(struct sixpn_wg *wg, struct wg_genl *g, const char *ifname, const uint8_t *private_key,
		uint16_t listen_port, const struct sixpn_wg_peer *peers, size_t n,
		const struct resolved *res, const struct keyset *stale);

#ifdef SIXPN_FUZZ
/* Seams for the fuzzers (selftests/fuzz/lib/): a device's answer, as bytes,
 * through the parsers sixpn_wg_get() uses. */
int sixpn_wg_fuzz_uapi_get(int fd, struct sixpn_wg_device *dev, sixpn_wg_peer_cb cb, void *arg);
int sixpn_wg_fuzz_genl_get(const void *buf, size_t len, struct sixpn_wg_device *dev,
			   sixpn_wg_peer_cb cb, void *arg);
#endif

#endif
