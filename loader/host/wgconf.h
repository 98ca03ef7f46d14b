/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* wg-quick(8) configuration files for WireGuard peers. */
#ifndef SIXPN_WGCONF_H
#define SIXPN_WGCONF_H

#include <stddef.h>

struct wgconf {
	const char *comment;        /* optional "# ..." first line */
	const char *private_key;    /* base64 */
	const char *address;        /* "fdaa:0:18:a7b:d6b:0:a:2/120" */
	const char *dns;            /* "fdaa:0:18::3" */
	const char *peer_public_key;/* the gateway's peers key */
	const char *endpoint;       /* the gateway's peers endpoint */
	const char *allowed_ips;    /* "fdaa:0:18::/48" */
	int keepalive;              /* seconds, 0: none */
};

/* Renders the config into buf (NUL-terminated). Returns its length, or -1
 * if it does not fit. */
int wgconf_render(const struct wgconf *c, char *buf, size_t len);

/* Creates path for a config: O_CREAT|O_EXCL|O_NOFOLLOW with mode 0600, so
 * the file is never readable by others, not even for a moment, and an
 * existing file or symlink is never overwritten. Returns an fd or -errno. */
int wgconf_create(const char *path);

/* Reserves len bytes of disk for fd (its size stays 0), so that writing
 * them later cannot fail for want of space: a caller that commits
 * elsewhere first (the registry) reserves before that. 0 or -errno; 0 too
 * where the filesystem cannot reserve. */
int wgconf_reserve(int fd, size_t len);

/* Writes all of buf to fd and fsyncs it (if it is a file). 0 or -errno. */
int wgconf_write_all(int fd, const char *buf, size_t len);

#endif
