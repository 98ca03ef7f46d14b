// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* WireGuard configuration (see wg.h): the public entry points, and what
 * both backends share: argument checks, endpoint resolution, key files,
 * the device-state records and the peer diff. The backends: wg_uapi.c and
 * wg_genl.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/wg_int.h"
#include "lib/grow.h"

#define IFNAMSIZ_ 16

int wg_fail(struct sixpn_wg *wg, int err, const char *fmt, ...)
{
	va_list ap;

	if (!wg)
		return err;
	va_start(ap, fmt);
	vsnprintf(wg->err, sizeof(wg->err), fmt, ap);
	va_end(ap);
	return err;
}

/* The name ends up in a socket path: no '/', no dot names. */
static bool valid_ifname(const char *ifname)
{
	size_t n = ifname ? strlen(ifname) : 0;

	return n > 0 && n < IFNAMSIZ_ && !strchr(ifname, '/') &&
	       strcmp(ifname, ".") && strcmp(ifname, "..");
}

/* --- private key files ------------------------------------------------- */

int sixpn_wg_read_key_file(struct sixpn_wg *wg, const char *path, uint8_t key[WG_KEY_LEN])
{
	char buf[128];
	struct stat st;
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return wg_fail(wg, -errno, "key file %s: %s", path, strerror(errno));
	if (fstat(fd, &st)) {
		ret = wg_fail(wg, -errno, "key file %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = wg_fail(wg, -EPERM, "key file %s is not a regular file", path);
		goto out;
	}
	if (st.st_mode & 077) {
		ret = wg_fail(wg, -EPERM, "key file %s is accessible by group or others (mode %04o): "
			   "a private key must be mode 600 (chmod 600 %s)",
			   path, (unsigned int)(st.st_mode & 07777), path);
		goto out;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		ret = wg_fail(wg, -errno, "key file %s: %s", path, strerror(errno));
		goto out;
	}
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' ||
			 buf[n - 1] == '\t'))
		buf[--n] = '\0';
	if (wg_key_from_base64(buf, key))
		ret = wg_fail(wg, -EINVAL, "key file %s does not hold a WireGuard private key "
			   "(one line of 44 base64 characters, as `wg genkey` writes)", path);
out:
	wg_key_wipe(buf, sizeof(buf));
	close(fd);
	return ret;
}

/* --- endpoints ------------------------------------------------------------ */

/* "host:port" or "[v6]:port" to a numeric endpoint, resolving names. */
static int resolve_endpoint(struct sixpn_wg *wg, const char *ep, struct sockaddr_storage *ss, char *out, size_t outlen)
{
	char host[256], port[8], ip[INET6_ADDRSTRLEN];
	const char *colon;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV }, *res;
	size_t hl;
	int err;

	if (ep[0] == '[') {
		const char *end = strchr(ep, ']');

		if (!end || end[1] != ':')
			return wg_fail(wg, -EINVAL, "endpoint '%s' is not [IPv6]:port", ep);
		hl = (size_t)(end - ep - 1);
		colon = end + 1;
		if (hl == 0 || hl >= sizeof(host))
			return wg_fail(wg, -EINVAL, "endpoint '%s' is not [IPv6]:port", ep);
		memcpy(host, ep + 1, hl);
	} else {
		colon = strrchr(ep, ':');
		if (!colon || colon == ep || strchr(ep, ':') != colon)
			return wg_fail(wg, -EINVAL, "endpoint '%s' is not host:port (IPv6 goes in brackets)", ep);
		hl = (size_t)(colon - ep);
		if (hl >= sizeof(host))
			return wg_fail(wg, -EINVAL, "endpoint '%s': host name too long", ep);
		memcpy(host, ep, hl);
	}
	host[hl] = '\0';
	if (strlen(colon + 1) == 0 || strlen(colon + 1) >= sizeof(port) ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) || atoi(colon + 1) < 1 ||
	    atoi(colon + 1) > 65535)
		return wg_fail(wg, -EINVAL, "endpoint '%s': port must be 1-65535", ep);
	snprintf(port, sizeof(port), "%s", colon + 1);
	err = getaddrinfo(host, port, &hints, &res);
	if (err)
		return wg_fail(wg, -EHOSTUNREACH, "endpoint '%s': cannot resolve '%s': %s", ep, host,
			    gai_strerror(err));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
		snprintf(out, outlen, "%s:%u", ip, ntohs(sin->sin_port));
	} else {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
		snprintf(out, outlen, "[%s]:%u", ip, ntohs(sin6->sin6_port));
	}
	return 0;
}

static int check_peers(struct sixpn_wg *wg, const struct sixpn_wg_peer *peers, size_t n, struct resolved *res)
{
	for (size_t i = 0; i < n; i++) {
		const struct sixpn_wg_peer *p = &peers[i];
		char b64[WG_KEY_B64_LEN + 1];
		int ret;

		wg_key_to_base64(p->public_key, b64);
		for (size_t j = 0; j < p->n_allowed_ips; j++)
			if (p->allowed_ips[j].len > 128)
				return wg_fail(wg, -EINVAL, "peer %s: allowed IP prefix length %u > 128", b64,
					    p->allowed_ips[j].len);
		if (p->n_allowed_ips && !p->allowed_ips)
			return wg_fail(wg, -EINVAL, "peer %s: allowed IPs missing", b64);
		for (size_t j = 0; j < i; j++)
			if (!memcmp(peers[j].public_key, p->public_key, WG_KEY_LEN))
				return wg_fail(wg, -EINVAL, "peer %s is listed twice", b64);
		res[i].has_endpoint = p->endpoint && p->endpoint[0];
		if (!res[i].has_endpoint)
			continue;
		ret = resolve_endpoint(wg, p->endpoint, &res[i].ss, res[i].text, sizeof(res[i].text));
		if (ret) {
			char why[sizeof(wg->err)];

			snprintf(why, sizeof(why), "%s", wg ? wg->err : "");
			return wg_fail(wg, ret, "peer %s: %s", b64, why);
		}
	}
	return 0;
}
/* --- the device's state, as both backends report it ------------------------- */

int wg_flush_peer(struct get_state *s)
{
	int ret = 0;

	if (!s->in_peer)
		return 0;
	s->dev->n_peers++;
	s->peer.allowed_ips = s->ips;
	s->peer.n_allowed_ips = s->n_ips;
	if (s->cb)
		ret = s->cb(&s->peer, s->arg);
	memset(&s->peer, 0, sizeof(s->peer));
	s->n_ips = 0;
	s->in_peer = false;
	return ret;
}

int wg_start_peer(struct get_state *s, const uint8_t key[WG_KEY_LEN])
{
	int ret = wg_flush_peer(s);

	s->in_peer = true;
	memcpy(s->peer.public_key, key, WG_KEY_LEN);
	return ret;
}

int wg_push_ip(struct get_state *s, const struct in6_addr *addr, unsigned int len)
{
	if (s->n_ips == s->cap_ips) {
		size_t cap = s->cap_ips ? 2 * s->cap_ips : 8;
		struct sixpn_wg_prefix *q = realloc(s->ips, cap * sizeof(*q));

		if (!q)
			return -ENOMEM;
		s->ips = q;
		s->cap_ips = cap;
	}
	s->ips[s->n_ips].addr = *addr;
	s->ips[s->n_ips++].len = (uint8_t)len;
	return 0;
}

static int keyset_add(struct keyset *k, const uint8_t key[WG_KEY_LEN])
{
	void *q = array_grow(k->keys, &k->cap, k->n, WG_KEY_LEN);

	if (!q)
		return -ENOMEM;
	k->keys = q;
	memcpy(k->keys[k->n++], key, WG_KEY_LEN);
	return 0;
}

static int keyset_cb(const struct sixpn_wg_peer_status *p, void *arg)
{
	return keyset_add(arg, p->public_key);
}

static bool listed(const struct sixpn_wg_peer *peers, size_t n, const uint8_t key[WG_KEY_LEN])
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(peers[i].public_key, key, WG_KEY_LEN))
			return true;
	return false;
}
/* --- entry points ----------------------------------------------------------- */

struct backend {
	int fd; /* UAPI socket, or -1 for the kernel */
	struct wg_genl g;
};

static int backend_open(struct sixpn_wg *wg, struct backend *b, const char *ifname)
{
	memset(b, 0, sizeof(*b));
	if (!valid_ifname(ifname))
		return wg_fail(wg, -EINVAL, "'%s' is not a device name", ifname ? ifname : "(null)");
	b->fd = wg_uapi_connect(ifname);
	if (b->fd >= 0)
		return 0;
	if (b->fd != -ENOENT && b->fd != -ECONNREFUSED)
		return wg_fail(wg, b->fd, "%s: cannot connect to " SIXPN_WG_RUN_DIR "/%s.sock: %s", ifname,
			    ifname, strerror(-b->fd));
	b->fd = -1;
	return wg_genl_open(wg, &b->g, ifname);
}

static void backend_close(struct backend *b)
{
	if (b->fd >= 0)
		close(b->fd);
	wg_genl_close(&b->g);
}

static int backend_get(struct sixpn_wg *wg, struct backend *b, const char *ifname, struct sixpn_wg_device *dev,
		       sixpn_wg_peer_cb cb, void *arg)
{
	struct get_state s = { .dev = dev, .cb = cb, .arg = arg };
	int ret;

	memset(dev, 0, sizeof(*dev));
	ret = b->fd >= 0 ? wg_uapi_get(wg, b->fd, ifname, &s) : wg_genl_get(wg, &b->g, ifname, &s);
	free(s.ips);
	return ret;
}

int sixpn_wg_get(struct sixpn_wg *wg, const char *ifname, struct sixpn_wg_device *dev, sixpn_wg_peer_cb cb, void *arg)
{
	struct backend b;
	int ret;

	if (wg)
		wg->err[0] = '\0';
	memset(dev, 0, sizeof(*dev));
	ret = backend_open(wg, &b, ifname);
	if (!ret)
		ret = backend_get(wg, &b, ifname, dev, cb, arg);
	backend_close(&b);
	if (ret && wg && !wg->err[0])
		wg_fail(wg, ret, "%s: reading the device state: %s", ifname, strerror(-ret));
	return ret;
}

/* REPLACE_PEERS is done as a difference, as `wg syncconf` does: the
 * devices' own replace-all flag drops every peer first, and with them the
 * sessions of the peers that stay, stalling their traffic until a new
 * handshake. Likewise an unchanged key or port is not sent again
 * (wireguard-go rebinds its socket on every listen_port). */
int sixpn_wg_configure(struct sixpn_wg *wg, const char *ifname, const uint8_t *private_key, uint16_t listen_port,
		       const struct sixpn_wg_peer *peers, size_t n, bool replace_peers)
{
	struct keyset current = {}, stale = {};
	struct sixpn_wg_device dev;
	struct resolved *res = NULL;
	struct backend b = { .fd = -1 };
	int ret;

	if (wg)
		wg->err[0] = '\0';
	if (!valid_ifname(ifname))
		return wg_fail(wg, -EINVAL, "'%s' is not a device name", ifname ? ifname : "(null)");
	if (n && !peers)
		return wg_fail(wg, -EINVAL, "%s: peers missing", ifname);
	res = calloc(n ? n : 1, sizeof(*res));
	if (!res)
		return wg_fail(wg, -ENOMEM, "%s: out of memory", ifname);
	ret = check_peers(wg, peers, n, res);
	if (ret) {
		char why[sizeof(wg->err)];

		snprintf(why, sizeof(why), "%s", wg ? wg->err : "");
		wg_fail(wg, ret, "%s: %s", ifname, why);
		goto out;
	}
	ret = backend_open(wg, &b, ifname);
	if (!ret)
		ret = backend_get(wg, &b, ifname, &dev, keyset_cb, &current);
	if (ret)
		goto out;
	if (private_key && dev.has_private_key) {
		uint8_t pub[WG_KEY_LEN];

		if (wg_pubkey(private_key, pub) == 0 && !memcmp(pub, dev.public_key, WG_KEY_LEN))
			private_key = NULL;
	}
	if (listen_port == dev.listen_port)
		listen_port = 0;
	for (size_t i = 0; replace_peers && !ret && i < current.n; i++)
		if (!listed(peers, n, current.keys[i]))
			ret = keyset_add(&stale, current.keys[i]);
	if (ret) {
		wg_fail(wg, ret, "%s: out of memory", ifname);
		goto out;
	}
	if (b.fd >= 0)
		ret = wg_uapi_set(wg, b.fd, ifname, private_key, listen_port, peers, n, res, &stale);
	else
		ret = wg_genl_set(wg, &b.g, ifname, private_key, listen_port, peers, n, res, &stale);
out:
	backend_close(&b);
	free(current.keys);
	free(stale.keys);
	free(res);
	return ret;
}

const char *sixpn_wg_backend(const char *ifname)
{
	int fd;

	if (!valid_ifname(ifname))
		return NULL;
	fd = wg_uapi_connect(ifname);
	if (fd < 0)
		return "kernel";
	close(fd);
	return "wireguard-go";
}

#ifdef SIXPN_FUZZ
/* The fuzzers' seam (selftests/fuzz/lib/wg_uapi.c): a UAPI get answer,
 * read from FD, through the parser sixpn_wg_get() uses. */
int sixpn_wg_fuzz_uapi_get(int fd, struct sixpn_wg_device *dev, sixpn_wg_peer_cb cb, void *arg)
{
	struct backend b = { .fd = fd };

	return backend_get(NULL, &b, "fuzz", dev, cb, arg);
}
#endif
