// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The userspace backend of wg.h: the UAPI text protocol of wireguard-go
 * and boringtun on /var/run/wireguard/<ifname>.sock (wg_int.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "host/nlmsg.h"
#include "host/wg_int.h"

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

/* --- UAPI (wireguard-go) ------------------------------------------------ */

int wg_uapi_connect(const char *ifname)
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
	return wg_push_ip(s, &a, (unsigned int)atoi(slash + 1));
}

static int uapi_line(struct get_state *s, char *key, char *val)
{
	if (!strcmp(key, "public_key")) {
		uint8_t pub[WG_KEY_LEN];

		if (key_from_hex(val, pub))
			return -EBADMSG;
		return wg_start_peer(s, pub);
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

int wg_uapi_get(struct sixpn_wg *wg, int fd, const char *ifname, struct get_state *s)
{
	char *answer = NULL, *line, *save = NULL;
	size_t answer_len;
	int ret;

	ret = write_all(fd, "get=1\n\n", 7);
	if (!ret)
		ret = uapi_read(fd, &answer);
	if (ret)
		return wg_fail(wg, ret, "%s: UAPI get: %s", ifname, strerror(-ret));
	answer_len = strlen(answer);
	ret = uapi_errno(answer);
	if (ret) {
		wg_fail(wg, ret, "%s: UAPI get answered errno=%d", ifname, -ret);
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
	ret = wg_flush_peer(s);
out:
	wg_key_wipe(answer, answer_len); /* it held the private key */
	free(answer);
	return ret;
}

int wg_uapi_set(struct sixpn_wg *wg, int fd, const char *ifname, const uint8_t *private_key, uint16_t listen_port,
		    const struct sixpn_wg_peer *peers, size_t n, const struct resolved *res,
		    const struct keyset *stale)
{
	char *req = NULL, *answer = NULL, hex[2 * WG_KEY_LEN + 1], ip[INET6_ADDRSTRLEN];
	size_t req_len = 0;
	FILE *f = open_memstream(&req, &req_len);
	int ret;

	if (!f)
		return wg_fail(wg, -errno, "%s: %s", ifname, strerror(errno));
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
		ret = wg_fail(wg, -ENOMEM, "%s: cannot build the UAPI request", ifname);
		goto out;
	}
	ret = write_all(fd, req, req_len);
	if (ret) {
		wg_fail(wg, ret, "%s: writing to the UAPI socket: %s", ifname, strerror(-ret));
		goto out;
	}
	ret = uapi_read(fd, &answer);
	if (ret) {
		wg_fail(wg, ret, "%s: reading from the UAPI socket: %s", ifname, strerror(-ret));
		goto out;
	}
	ret = uapi_errno(answer);
	if (ret)
		wg_fail(wg, ret, "%s: the userspace WireGuard daemon refused the configuration: %s (%d)",
		     ifname, strerror(-ret), -ret);
out:
	if (req) {
		wg_key_wipe(req, req_len);
		free(req);
	}
	free(answer);
	return ret;
}
