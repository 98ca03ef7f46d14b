// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* WireGuard configuration: UAPI socket (wireguard-go) or kernel genetlink.
 * See wg.h. */
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
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>

#include "host/nlmsg.h"
#include "host/wg.h"

#define IFNAMSIZ_ 16

static __thread char wg_err[320];

const char *sixpn_wg_error(void)
{
	return wg_err;
}

/* Records why, and returns ERR (a -errno) for the caller to pass on. */
static int __attribute__((format(printf, 2, 3))) fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(wg_err, sizeof(wg_err), fmt, ap);
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

static void key_to_hex(const uint8_t key[WG_KEY_LEN], char hex[2 * WG_KEY_LEN + 1])
{
	for (int i = 0; i < WG_KEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
}

static int key_from_hex(const char *hex, uint8_t key[WG_KEY_LEN])
{
	if (strlen(hex) != 2 * WG_KEY_LEN)
		return -EINVAL;
	for (int i = 0; i < WG_KEY_LEN; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -EINVAL;
		key[i] = (uint8_t)b;
	}
	return 0;
}

/* --- private key files ------------------------------------------------- */

int sixpn_wg_read_key_file(const char *path, uint8_t key[WG_KEY_LEN])
{
	char buf[128];
	struct stat st;
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fail(-errno, "key file %s: %s", path, strerror(errno));
	if (fstat(fd, &st)) {
		ret = fail(-errno, "key file %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = fail(-EPERM, "key file %s is not a regular file", path);
		goto out;
	}
	if (st.st_mode & 077) {
		ret = fail(-EPERM, "key file %s is accessible by group or others (mode %04o): "
			   "a private key must be mode 600 (chmod 600 %s)",
			   path, (unsigned int)(st.st_mode & 07777), path);
		goto out;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		ret = fail(-errno, "key file %s: %s", path, strerror(errno));
		goto out;
	}
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' ||
			 buf[n - 1] == '\t'))
		buf[--n] = '\0';
	if (wg_key_from_base64(buf, key))
		ret = fail(-EINVAL, "key file %s does not hold a WireGuard private key "
			   "(one line of 44 base64 characters, as `wg genkey` writes)", path);
out:
	wg_key_wipe(buf, sizeof(buf));
	close(fd);
	return ret;
}

/* --- endpoints ------------------------------------------------------------ */

/* "host:port" or "[v6]:port" to a numeric endpoint, resolving names. */
static int resolve_endpoint(const char *ep, struct sockaddr_storage *ss, char *out, size_t outlen)
{
	char host[256], port[8], ip[INET6_ADDRSTRLEN];
	const char *colon;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV }, *res;
	size_t hl;
	int err;

	if (ep[0] == '[') {
		const char *end = strchr(ep, ']');

		if (!end || end[1] != ':')
			return fail(-EINVAL, "endpoint '%s' is not [IPv6]:port", ep);
		hl = (size_t)(end - ep - 1);
		colon = end + 1;
		if (hl == 0 || hl >= sizeof(host))
			return fail(-EINVAL, "endpoint '%s' is not [IPv6]:port", ep);
		memcpy(host, ep + 1, hl);
	} else {
		colon = strrchr(ep, ':');
		if (!colon || colon == ep || strchr(ep, ':') != colon)
			return fail(-EINVAL, "endpoint '%s' is not host:port (IPv6 goes in brackets)", ep);
		hl = (size_t)(colon - ep);
		if (hl >= sizeof(host))
			return fail(-EINVAL, "endpoint '%s': host name too long", ep);
		memcpy(host, ep, hl);
	}
	host[hl] = '\0';
	if (strlen(colon + 1) == 0 || strlen(colon + 1) >= sizeof(port) ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) || atoi(colon + 1) < 1 ||
	    atoi(colon + 1) > 65535)
		return fail(-EINVAL, "endpoint '%s': port must be 1-65535", ep);
	snprintf(port, sizeof(port), "%s", colon + 1);
	err = getaddrinfo(host, port, &hints, &res);
	if (err)
		return fail(-EHOSTUNREACH, "endpoint '%s': cannot resolve '%s': %s", ep, host,
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

/* Every peer checked and every endpoint resolved, before anything is sent. */
struct resolved {
	bool has_endpoint;
	struct sockaddr_storage ss;
	char text[INET6_ADDRSTRLEN + 10];
};

static int check_peers(const struct sixpn_wg_peer *peers, size_t n, struct resolved *res)
{
	for (size_t i = 0; i < n; i++) {
		const struct sixpn_wg_peer *p = &peers[i];
		char b64[WG_KEY_B64_LEN + 1];
		int ret;

		wg_key_to_base64(p->public_key, b64);
		for (size_t j = 0; j < p->n_allowed_ips; j++)
			if (p->allowed_ips[j].len > 128)
				return fail(-EINVAL, "peer %s: allowed IP prefix length %u > 128", b64,
					    p->allowed_ips[j].len);
		if (p->n_allowed_ips && !p->allowed_ips)
			return fail(-EINVAL, "peer %s: allowed IPs missing", b64);
		for (size_t j = 0; j < i; j++)
			if (!memcmp(peers[j].public_key, p->public_key, WG_KEY_LEN))
				return fail(-EINVAL, "peer %s is listed twice", b64);
		res[i].has_endpoint = p->endpoint && p->endpoint[0];
		if (!res[i].has_endpoint)
			continue;
		ret = resolve_endpoint(p->endpoint, &res[i].ss, res[i].text, sizeof(res[i].text));
		if (ret) {
			char why[sizeof(wg_err)];

			snprintf(why, sizeof(why), "%s", wg_err);
			return fail(ret, "peer %s: %s", b64, why);
		}
	}
	return 0;
}

/* --- the device's state, as both backends report it ------------------------- */

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

static int flush_peer(struct get_state *s)
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

static int start_peer(struct get_state *s, const uint8_t key[WG_KEY_LEN])
{
	int ret = flush_peer(s);

	s->in_peer = true;
	memcpy(s->peer.public_key, key, WG_KEY_LEN);
	return ret;
}

static int push_ip(struct get_state *s, const struct in6_addr *addr, unsigned int len)
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

/* The public keys of the peers on the device, for the diff. */
struct keyset {
	uint8_t (*keys)[WG_KEY_LEN];
	size_t n, cap;
};

static int keyset_add(struct keyset *k, const uint8_t key[WG_KEY_LEN])
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 16;
		void *q = realloc(k->keys, cap * WG_KEY_LEN);

		if (!q)
			return -ENOMEM;
		k->keys = q;
		k->cap = cap;
	}
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

/* --- UAPI (wireguard-go) ------------------------------------------------ */

/* A connected socket, or -ENOENT (no socket file) / -ECONNREFUSED (a stale
 * one: its daemon is gone), which both mean "not a userspace device". */
static int uapi_connect(const char *ifname)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), SIXPN_WG_RUN_DIR "/%s.sock", ifname);
	if (access(sun.sun_path, F_OK))
		return -ENOENT;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads one whole answer, which ends with an empty line. *OUT is
 * malloc'ed and NUL-terminated. The connection stays usable for the next
 * request. */
static int uapi_read(int fd, char **out)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			char *p = realloc(buf, cap * 2);

			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			return n < 0 ? -errno : -ECONNRESET;
		}
		len += (size_t)n;
		buf[len] = '\0';
		if ((len == 1 && buf[0] == '\n') || (len >= 2 && !strcmp(buf + len - 2, "\n\n")))
			break;
	}
	*out = buf;
	return 0;
}

/* The errno=N line of an answer: 0 or -N. */
static int uapi_errno(const char *answer)
{
	const char *e = strstr(answer, "errno=");

	if (e && (e == answer || e[-1] == '\n'))
		return sixpn_nl_errno(strtol(e + 6, NULL, 10));
	return -EBADMSG;
}

static int uapi_allowed_ip(struct get_state *s, const char *v)
{
	char ip[INET6_ADDRSTRLEN];
	const char *slash = strchr(v, '/');
	struct in6_addr a;

	if (!slash || (size_t)(slash - v) >= sizeof(ip))
		return 0;
	memcpy(ip, v, (size_t)(slash - v));
	ip[slash - v] = '\0';
	if (inet_pton(AF_INET6, ip, &a) != 1)
		return 0; /* IPv4: not part of sixpn's plan */
	return push_ip(s, &a, (unsigned int)atoi(slash + 1));
}

static int uapi_line(struct get_state *s, char *key, char *val)
{
	if (!strcmp(key, "public_key")) {
		uint8_t pub[WG_KEY_LEN];

		if (key_from_hex(val, pub))
			return -EBADMSG;
		return start_peer(s, pub);
	}
	if (!s->in_peer) {
		if (!strcmp(key, "private_key")) {
			uint8_t priv[WG_KEY_LEN];

			if (key_from_hex(val, priv) == 0) {
				s->dev->has_private_key = true;
				wg_pubkey(priv, s->dev->public_key);
			}
			wg_key_wipe(priv, sizeof(priv));
		} else if (!strcmp(key, "listen_port")) {
			s->dev->listen_port = (uint16_t)atoi(val);
		}
		return 0;
	}
	if (!strcmp(key, "endpoint"))
		snprintf(s->peer.endpoint, sizeof(s->peer.endpoint), "%s", val);
	else if (!strcmp(key, "allowed_ip"))
		return uapi_allowed_ip(s, val);
	else if (!strcmp(key, "persistent_keepalive_interval"))
		s->peer.keepalive = (uint16_t)atoi(val);
	else if (!strcmp(key, "last_handshake_time_sec"))
		s->peer.last_handshake_sec = strtoll(val, NULL, 10);
	else if (!strcmp(key, "rx_bytes"))
		s->peer.rx_bytes = strtoull(val, NULL, 10);
	else if (!strcmp(key, "tx_bytes"))
		s->peer.tx_bytes = strtoull(val, NULL, 10);
	return 0;
}

static int uapi_get(int fd, const char *ifname, struct get_state *s)
{
	char *answer = NULL, *line, *save = NULL;
	size_t answer_len;
	int ret;

	ret = write_all(fd, "get=1\n\n", 7);
	if (!ret)
		ret = uapi_read(fd, &answer);
	if (ret)
		return fail(ret, "%s: UAPI get: %s", ifname, strerror(-ret));
	answer_len = strlen(answer);
	ret = uapi_errno(answer);
	if (ret) {
		fail(ret, "%s: UAPI get answered errno=%d", ifname, -ret);
		goto out;
	}
	for (line = strtok_r(answer, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (!eq)
			continue;
		*eq = '\0';
		ret = uapi_line(s, line, eq + 1);
		if (ret)
			goto out;
	}
	ret = flush_peer(s);
out:
	wg_key_wipe(answer, answer_len); /* it held the private key */
	free(answer);
	return ret;
}

static int uapi_set(int fd, const char *ifname, const uint8_t *private_key, uint16_t listen_port,
		    const struct sixpn_wg_peer *peers, size_t n, const struct resolved *res,
		    const struct keyset *stale)
{
	char *req = NULL, *answer = NULL, hex[2 * WG_KEY_LEN + 1], ip[INET6_ADDRSTRLEN];
	size_t req_len = 0;
	FILE *f = open_memstream(&req, &req_len);
	int ret;

	if (!f)
		return fail(-errno, "%s: %s", ifname, strerror(errno));
	fputs("set=1\n", f);
	if (private_key) {
		key_to_hex(private_key, hex);
		fprintf(f, "private_key=%s\n", hex);
		wg_key_wipe(hex, sizeof(hex));
	}
	if (listen_port)
		fprintf(f, "listen_port=%u\n", listen_port);
	for (size_t i = 0; i < stale->n; i++) {
		key_to_hex(stale->keys[i], hex);
		fprintf(f, "public_key=%s\nremove=true\n", hex);
	}
	for (size_t i = 0; i < n; i++) {
		const struct sixpn_wg_peer *p = &peers[i];

		key_to_hex(p->public_key, hex);
		fprintf(f, "public_key=%s\n", hex);
		if (res[i].has_endpoint)
			fprintf(f, "endpoint=%s\n", res[i].text);
		fprintf(f, "persistent_keepalive_interval=%u\n", p->keepalive);
		fputs("replace_allowed_ips=true\n", f);
		for (size_t j = 0; j < p->n_allowed_ips; j++) {
			inet_ntop(AF_INET6, &p->allowed_ips[j].addr, ip, sizeof(ip));
			fprintf(f, "allowed_ip=%s/%u\n", ip, p->allowed_ips[j].len);
		}
	}
	fputs("\n", f);
	if (fclose(f)) {
		ret = fail(-ENOMEM, "%s: cannot build the UAPI request", ifname);
		goto out;
	}
	ret = write_all(fd, req, req_len);
	if (ret) {
		fail(ret, "%s: writing to the UAPI socket: %s", ifname, strerror(-ret));
		goto out;
	}
	ret = uapi_read(fd, &answer);
	if (ret) {
		fail(ret, "%s: reading from the UAPI socket: %s", ifname, strerror(-ret));
		goto out;
	}
	ret = uapi_errno(answer);
	if (ret)
		fail(ret, "%s: the userspace WireGuard daemon refused the configuration: %s (%d)",
		     ifname, strerror(-ret), -ret);
out:
	if (req) {
		wg_key_wipe(req, req_len);
		free(req);
	}
	free(answer);
	return ret;
}

/* --- kernel (generic netlink) ------------------------------------------- */

struct wg_genl {
	struct mnl_socket *sk;
	uint16_t family;
	unsigned int seq;
};

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

static void wg_genl_close(struct wg_genl *g)
{
	if (g->sk)
		mnl_socket_close(g->sk);
	g->sk = NULL;
}

static int wg_genl_open(struct wg_genl *g, const char *ifname)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int one = 1, ret;

	memset(g, 0, sizeof(*g));
	g->seq = (unsigned int)time(NULL);
	g->sk = mnl_socket_open(NETLINK_GENERIC);
	if (!g->sk)
		return fail(-errno, "%s: generic netlink: %s", ifname, strerror(errno));
	if (mnl_socket_bind(g->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = fail(-errno, "%s: generic netlink: %s", ifname, strerror(errno));
		wg_genl_close(g);
		return ret;
	}
	/* An error ack must not echo a big request back (it would not fit). */
	mnl_socket_setsockopt(g->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	nlh = genl_msg(buf, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, WG_GENL_NAME);
	ret = genl_talk(g, nlh, family_id_cb, &g->family);
	if (ret || !g->family) {
		ret = fail(-ENODEV, "no WireGuard device %s: no userspace daemon socket at "
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
		ret = push_ip(s, addr, (unsigned int)cidr);
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
			ret = start_peer(s, mnl_attr_get_payload(a));
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

static int kernel_get(struct wg_genl *g, const char *ifname, struct get_state *s)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = genl_msg(buf, g->family, NLM_F_DUMP, WG_CMD_GET_DEVICE, WG_GENL_VERSION);
	int ret;

	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, ifname);
	ret = genl_talk(g, nlh, kernel_get_cb, s);
	if (s->ret)
		return s->ret;
	if (ret)
		return fail(ret, "%s: reading the kernel WireGuard device: %s", ifname, strerror(-ret));
	return flush_peer(s);
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
static int kernel_set(struct wg_genl *g, const char *ifname, const uint8_t *private_key,
		      uint16_t listen_port, const struct sixpn_wg_peer *peers, size_t n,
		      const struct resolved *res, const struct keyset *stale)
{
	char *buf = calloc(1, WG_MSG_SIZE);
	size_t i = 0, r = 0;
	int ret = 0;

	if (!buf)
		return fail(-ENOMEM, "%s: out of memory", ifname);
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
				ret = fail(-E2BIG, "%s: peer %zu has too many allowed IPs (%zu)",
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
			fail(ret, "%s: the kernel refused the configuration: %s", ifname, strerror(-ret));
			goto out;
		}
	}
out:
	free(buf);
	return ret;
}

/* --- entry points ----------------------------------------------------------- */

struct backend {
	int fd; /* UAPI socket, or -1 for the kernel */
	struct wg_genl g;
};

static int backend_open(struct backend *b, const char *ifname)
{
	memset(b, 0, sizeof(*b));
	if (!valid_ifname(ifname))
		return fail(-EINVAL, "'%s' is not a device name", ifname ? ifname : "(null)");
	b->fd = uapi_connect(ifname);
	if (b->fd >= 0)
		return 0;
	if (b->fd != -ENOENT && b->fd != -ECONNREFUSED)
		return fail(b->fd, "%s: cannot connect to " SIXPN_WG_RUN_DIR "/%s.sock: %s", ifname,
			    ifname, strerror(-b->fd));
	b->fd = -1;
	return wg_genl_open(&b->g, ifname);
}

static void backend_close(struct backend *b)
{
	if (b->fd >= 0)
		close(b->fd);
	wg_genl_close(&b->g);
}

static int backend_get(struct backend *b, const char *ifname, struct sixpn_wg_device *dev,
		       sixpn_wg_peer_cb cb, void *arg)
{
	struct get_state s = { .dev = dev, .cb = cb, .arg = arg };
	int ret;

	memset(dev, 0, sizeof(*dev));
	ret = b->fd >= 0 ? uapi_get(b->fd, ifname, &s) : kernel_get(&b->g, ifname, &s);
	free(s.ips);
	return ret;
}

int sixpn_wg_get(const char *ifname, struct sixpn_wg_device *dev, sixpn_wg_peer_cb cb, void *arg)
{
	struct backend b;
	int ret;

	wg_err[0] = '\0';
	memset(dev, 0, sizeof(*dev));
	ret = backend_open(&b, ifname);
	if (!ret)
		ret = backend_get(&b, ifname, dev, cb, arg);
	backend_close(&b);
	if (ret && !wg_err[0])
		fail(ret, "%s: reading the device state: %s", ifname, strerror(-ret));
	return ret;
}

/* REPLACE_PEERS is done as a difference, as `wg syncconf` does: the
 * devices' own replace-all flag drops every peer first, and with them the
 * sessions of the peers that stay, stalling their traffic until a new
 * handshake. Likewise an unchanged key or port is not sent again
 * (wireguard-go rebinds its socket on every listen_port). */
int sixpn_wg_configure(const char *ifname, const uint8_t *private_key, uint16_t listen_port,
		       const struct sixpn_wg_peer *peers, size_t n, bool replace_peers)
{
	struct keyset current = {}, stale = {};
	struct sixpn_wg_device dev;
	struct resolved *res = NULL;
	struct backend b = { .fd = -1 };
	int ret;

	wg_err[0] = '\0';
	if (!valid_ifname(ifname))
		return fail(-EINVAL, "'%s' is not a device name", ifname ? ifname : "(null)");
	if (n && !peers)
		return fail(-EINVAL, "%s: peers missing", ifname);
	res = calloc(n ? n : 1, sizeof(*res));
	if (!res)
		return fail(-ENOMEM, "%s: out of memory", ifname);
	ret = check_peers(peers, n, res);
	if (ret) {
		char why[sizeof(wg_err)];

		snprintf(why, sizeof(why), "%s", wg_err);
		fail(ret, "%s: %s", ifname, why);
		goto out;
	}
	ret = backend_open(&b, ifname);
	if (!ret)
		ret = backend_get(&b, ifname, &dev, keyset_cb, &current);
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
		fail(ret, "%s: out of memory", ifname);
		goto out;
	}
	if (b.fd >= 0)
		ret = uapi_set(b.fd, ifname, private_key, listen_port, peers, n, res, &stale);
	else
		ret = kernel_set(&b.g, ifname, private_key, listen_port, peers, n, res, &stale);
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
	fd = uapi_connect(ifname);
	if (fd < 0)
		return "kernel";
	close(fd);
	return "wireguard-go";
}

#ifdef SIXPN_FUZZ
/* Seams for the fuzzers (selftests/fuzz/lib/wg_uapi.c, wg_genl.c): a
 * device's answer, as bytes, through the parsers sixpn_wg_get() uses. */
int sixpn_wg_fuzz_uapi_get(int fd, struct sixpn_wg_device *dev, sixpn_wg_peer_cb cb, void *arg)
{
	struct backend b = { .fd = fd };

	return backend_get(&b, "fuzz", dev, cb, arg);
}

int sixpn_wg_fuzz_genl_get(const void *buf, size_t len, struct sixpn_wg_device *dev,
			   sixpn_wg_peer_cb cb, void *arg)
{
	struct get_state s = { .dev = dev, .cb = cb, .arg = arg };
	int ret;

	memset(dev, 0, sizeof(*dev));
	ret = genl_run(buf, len, 0, 0, kernel_get_cb, &s);
	ret = s.ret ? s.ret : ret < 0 ? sixpn_nl_errno(errno) : flush_peer(&s);
	free(s.ips);
	return ret;
}
#endif
