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

#include "wg.h"

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
 * malloc'ed and NUL-terminated. */
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
		return -abs(atoi(e + 6));
	return -EBADMSG;
}

static int uapi_set(int fd, const char *ifname, const uint8_t *private_key, uint16_t listen_port,
		    const struct sixpn_wg_peer *peers, size_t n, bool replace_peers,
		    const struct resolved *res)
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
	if (replace_peers)
		fputs("replace_peers=true\n", f);
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

static int family_id_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			*(uint16_t *)data = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

/* Sends NLH on SK and runs the answer through CB until the ack. */
static int genl_talk(struct mnl_socket *sk, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int portid = mnl_socket_get_portid(sk);
	ssize_t n;
	int ret;

	if (mnl_socket_sendto(sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(sk, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, cb, data);
	} while (ret == MNL_CB_OK);
	return ret < 0 ? -errno : 0;
}

static int genl_family(struct mnl_socket *sk, const char *name, uint16_t *id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = (unsigned int)time(NULL);
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	*id = 0;
	return genl_talk(sk, nlh, family_id_cb, id) ?: (*id ? 0 : -ENOENT);
}

/* Room one peer needs in a WG_CMD_SET_DEVICE message, with margin. */
static size_t peer_room(const struct sixpn_wg_peer *p)
{
	return 128 + p->n_allowed_ips * 48;
}

#define WG_MSG_SIZE 32768

static struct nlmsghdr *wg_msg_start(char *buf, uint16_t family, unsigned int seq, const char *ifname)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = WG_CMD_SET_DEVICE;
	genl->version = WG_GENL_VERSION;
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, ifname);
	return nlh;
}

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

/* As wg(8) does: the device attributes and the first peers in one message,
 * more messages for the peers that did not fit. */
static int kernel_set(const char *ifname, const uint8_t *private_key, uint16_t listen_port,
		      const struct sixpn_wg_peer *peers, size_t n, bool replace_peers,
		      const struct resolved *res)
{
	struct mnl_socket *sk = mnl_socket_open(NETLINK_GENERIC);
	unsigned int seq = (unsigned int)time(NULL);
	char *buf = NULL;
	uint16_t family;
	size_t i = 0;
	int ret;

	if (!sk)
		return fail(-errno, "%s: generic netlink: %s", ifname, strerror(errno));
	if (mnl_socket_bind(sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = fail(-errno, "%s: generic netlink: %s", ifname, strerror(errno));
		goto out;
	}
	ret = genl_family(sk, WG_GENL_NAME, &family);
	if (ret) {
		ret = fail(-ENODEV, "no WireGuard device %s: no userspace daemon socket at "
			   SIXPN_WG_RUN_DIR "/%s.sock and the kernel has no wireguard "
			   "generic netlink family (%s)", ifname, ifname, strerror(-ret));
		goto out;
	}
	buf = calloc(1, WG_MSG_SIZE);
	if (!buf) {
		ret = fail(-ENOMEM, "%s: out of memory", ifname);
		goto out;
	}
	for (bool first = true; first || i < n; first = false) {
		struct nlmsghdr *nlh = wg_msg_start(buf, family, ++seq, ifname);
		struct nlattr *nest = NULL;

		if (first) {
			if (private_key)
				mnl_attr_put(nlh, WGDEVICE_A_PRIVATE_KEY, WG_KEY_LEN, private_key);
			if (listen_port)
				mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT, listen_port);
			mnl_attr_put_u32(nlh, WGDEVICE_A_FLAGS, replace_peers ? WGDEVICE_F_REPLACE_PEERS : 0);
		}
		if (i < n)
			nest = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
		for (; i < n; i++) {
			if (nlh->nlmsg_len + peer_room(&peers[i]) > WG_MSG_SIZE) {
				if (peer_room(&peers[i]) + 256 > WG_MSG_SIZE) {
					ret = fail(-E2BIG, "%s: peer %zu has too many allowed IPs (%zu)",
						   ifname, i, peers[i].n_allowed_ips);
					goto out;
				}
				break;
			}
			wg_put_peer(nlh, &peers[i], &res[i]);
		}
		if (nest)
			mnl_attr_nest_end(nlh, nest);
		ret = genl_talk(sk, nlh, NULL, NULL);
		wg_key_wipe(buf, WG_MSG_SIZE);
		if (ret) {
			ret = fail(ret, "%s: the kernel refused the configuration: %s", ifname,
				   strerror(-ret));
			goto out;
		}
	}
out:
	free(buf);
	mnl_socket_close(sk);
	return ret;
}

/* --- entry points ----------------------------------------------------------- */

int sixpn_wg_configure(const char *ifname, const uint8_t *private_key, uint16_t listen_port,
		       const struct sixpn_wg_peer *peers, size_t n, bool replace_peers)
{
	struct resolved *res;
	int fd, ret;

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
	fd = uapi_connect(ifname);
	if (fd >= 0) {
		ret = uapi_set(fd, ifname, private_key, listen_port, peers, n, replace_peers, res);
		close(fd);
	} else if (fd == -ENOENT || fd == -ECONNREFUSED) {
		ret = kernel_set(ifname, private_key, listen_port, peers, n, replace_peers, res);
	} else {
		ret = fail(fd, "%s: cannot connect to " SIXPN_WG_RUN_DIR "/%s.sock: %s", ifname,
			   ifname, strerror(-fd));
	}
out:
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

/* --- reading the state back (UAPI) ------------------------------------------ */

struct get_state {
	struct sixpn_wg_device *dev;
	sixpn_wg_peer_cb cb;
	void *arg;
	bool in_peer;
	struct sixpn_wg_peer_status peer;
	struct sixpn_wg_prefix *ips;
	size_t n_ips, cap_ips;
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

static int add_allowed_ip(struct get_state *s, const char *v)
{
	char ip[INET6_ADDRSTRLEN];
	const char *slash = strchr(v, '/');
	struct sixpn_wg_prefix p;

	if (!slash || (size_t)(slash - v) >= sizeof(ip))
		return 0;
	memcpy(ip, v, (size_t)(slash - v));
	ip[slash - v] = '\0';
	if (inet_pton(AF_INET6, ip, &p.addr) != 1)
		return 0; /* IPv4: not part of sixpn's plan */
	p.len = (uint8_t)atoi(slash + 1);
	if (s->n_ips == s->cap_ips) {
		size_t cap = s->cap_ips ? 2 * s->cap_ips : 8;
		struct sixpn_wg_prefix *q = realloc(s->ips, cap * sizeof(*q));

		if (!q)
			return -ENOMEM;
		s->ips = q;
		s->cap_ips = cap;
	}
	s->ips[s->n_ips++] = p;
	return 0;
}

static int get_line(struct get_state *s, char *key, char *val)
{
	if (!strcmp(key, "public_key")) {
		int ret = flush_peer(s);

		if (ret)
			return ret;
		s->in_peer = true;
		return key_from_hex(val, s->peer.public_key);
	}
	if (!s->in_peer) {
		if (!strcmp(key, "private_key")) {
			uint8_t priv[WG_KEY_LEN];

			if (key_from_hex(val, priv) == 0) {
				s->dev->has_private_key = true;
				wg_pubkey(priv, s->dev->public_key);
			}
			wg_key_wipe(priv, sizeof(priv));
			wg_key_wipe(val, strlen(val));
		} else if (!strcmp(key, "listen_port")) {
			s->dev->listen_port = (uint16_t)atoi(val);
		}
		return 0;
	}
	if (!strcmp(key, "endpoint"))
		snprintf(s->peer.endpoint, sizeof(s->peer.endpoint), "%s", val);
	else if (!strcmp(key, "allowed_ip"))
		return add_allowed_ip(s, val);
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

int sixpn_wg_get(const char *ifname, struct sixpn_wg_device *dev, sixpn_wg_peer_cb cb, void *arg)
{
	struct get_state s = { .dev = dev, .cb = cb, .arg = arg };
	char *answer = NULL, *line, *save = NULL;
	size_t answer_len = 0;
	int fd, ret;

	wg_err[0] = '\0';
	memset(dev, 0, sizeof(*dev));
	if (!valid_ifname(ifname))
		return fail(-EINVAL, "'%s' is not a device name", ifname ? ifname : "(null)");
	fd = uapi_connect(ifname);
	if (fd == -ENOENT || fd == -ECONNREFUSED)
		return fail(-EOPNOTSUPP, "%s: no userspace WireGuard socket; reading a kernel "
			    "device is not implemented", ifname);
	if (fd < 0)
		return fail(fd, "%s: cannot connect to its UAPI socket: %s", ifname, strerror(-fd));
	ret = write_all(fd, "get=1\n\n", 7);
	if (!ret)
		ret = uapi_read(fd, &answer);
	close(fd);
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
		ret = get_line(&s, line, eq + 1);
		if (ret)
			goto out;
	}
	ret = flush_peer(&s);
out:
	if (ret && !wg_err[0])
		fail(ret, "%s: reading the device state: %s", ifname, strerror(-ret));
	if (answer)
		wg_key_wipe(answer, answer_len); /* it held the private key */
	free(answer);
	free(s.ips);
	return ret;
}
