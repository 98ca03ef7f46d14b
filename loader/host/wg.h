/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* WireGuard device configuration without shelling out to wg(8).
 *
 * Two backends, chosen per call by device name:
 *  - userspace (wireguard-go, boringtun): the UAPI text protocol on
 *    /var/run/wireguard/<ifname>.sock. That directory is shared by every
 *    network namespace, so the socket, not the caller's namespace, decides
 *    which device is meant: device names must be unique on the machine.
 *  - kernel: generic netlink family "wireguard" (WG_CMD_SET_DEVICE), in the
 *    calling thread's network namespace. Used when there is no socket (or a
 *    stale one nobody listens on). NOT TESTED on this project's CI: its
 *    kernel has no WireGuard module.
 *
 * The backends: wg_uapi.c and wg_genl.c. Every function returns 0 or
 * -errno and logs nothing; on failure wg->err tells what went wrong in
 * words (with the device, file or peer concerned), as nl->err does for
 * netlink.h. */
#ifndef SIXPN_WG_H
#define SIXPN_WG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "host/wgkeys.h" /* WG_KEY_LEN, base64 <-> key, wg_pubkey() */

#define SIXPN_WG_RUN_DIR "/var/run/wireguard"

/* A caller's handle: the words of its last failure. NULL where the caller
 * wants only the -errno. */
struct sixpn_wg {
	char err[320];
};

struct sixpn_wg_prefix {
	struct in6_addr addr;
	uint8_t len;
};

struct sixpn_wg_peer {
	uint8_t public_key[WG_KEY_LEN];
	/* "host:port", "a.b.c.d:port" or "[v6]:port"; names are resolved here
	 * (both backends take numeric endpoints). NULL or "": none set, the
	 * device keeps whatever endpoint the peer roamed to. */
	const char *endpoint;
	const struct sixpn_wg_prefix *allowed_ips; /* replaces the peer's whole list */
	size_t n_allowed_ips;
	uint16_t keepalive; /* persistent keepalive in seconds; 0: off */
};

/* Configures IFNAME: PRIVATE_KEY (NULL: leave it), LISTEN_PORT (0: leave
 * it) and PEERS[N], each with exactly the allowed IPs given. REPLACE_PEERS
 * removes every peer not in PEERS; else the others stay.
 *
 * Idempotent and gentle, as `wg syncconf`: it reads the device first, then
 * removes only the peers not listed (never the devices' replace-all, which
 * would drop the sessions of the peers that stay) and does not resend an
 * unchanged key or port. Everything is checked (and endpoints resolved)
 * before anything is sent, so a bad argument changes nothing. With
 * wireguard-go the change is one UAPI transaction; the kernel backend
 * splits very large peer sets over several messages, as wg(8) does. */
int sixpn_wg_configure(struct sixpn_wg *wg, const char *ifname, const uint8_t *private_key, uint16_t listen_port,
		       const struct sixpn_wg_peer *peers, size_t n, bool replace_peers);

struct sixpn_wg_device {
	bool has_private_key;
	uint8_t public_key[WG_KEY_LEN]; /* derived from the private key */
	uint16_t listen_port;
	size_t n_peers;
};

struct sixpn_wg_peer_status {
	uint8_t public_key[WG_KEY_LEN];
	char endpoint[64];                         /* numeric, "" when none */
	const struct sixpn_wg_prefix *allowed_ips; /* IPv6 ones only; valid during the callback */
	size_t n_allowed_ips;
	uint16_t keepalive;
	int64_t last_handshake_sec;                /* 0: never */
	uint64_t rx_bytes, tx_bytes;
};

/* A non-zero return stops the walk and is returned by sixpn_wg_get(). */
typedef int (*sixpn_wg_peer_cb)(const struct sixpn_wg_peer_status *p, void *arg);

/* The device's state and (when CB) every peer's, for verification and
 * status. Both backends (the kernel one untested here). */
int sixpn_wg_get(struct sixpn_wg *wg, const char *ifname, struct sixpn_wg_device *dev, sixpn_wg_peer_cb cb, void *arg);

/* Reads a private key file as `wg genkey` writes it (base64, one line).
 * Refuses, with -EPERM, a file that group or others may read or write, and
 * anything that is not a regular file: a host key must stay private. */
int sixpn_wg_read_key_file(struct sixpn_wg *wg, const char *path, uint8_t key[WG_KEY_LEN]);

/* "wireguard-go" (UAPI socket answers), "kernel" (no socket) or NULL when
 * IFNAME is not a valid device name. For logs. */
const char *sixpn_wg_backend(const char *ifname);

#endif
