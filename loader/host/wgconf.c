// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* wg-quick configuration writer. */
#define _GNU_SOURCE /* fallocate */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/wgconf.h"

int wgconf_render(const struct wgconf *c, char *buf, size_t len)
{
	char keepalive[48] = "";
	int n;

	if (c->keepalive > 0)
		snprintf(keepalive, sizeof(keepalive),
			 "PersistentKeepalive = %d\n", c->keepalive);
	n = snprintf(buf, len,
		     "%s%s%s"
		     "[Interface]\n"
		     "PrivateKey = %s\n"
		     "Address = %s\n"
		     "DNS = %s\n"
		     "\n"
		     "[Peer]\n"
		     "PublicKey = %s\n"
		     "Endpoint = %s\n"
		     "AllowedIPs = %s\n"
		     "%s",
		     c->comment ? "# " : "", c->comment ? c->comment : "",
		     c->comment ? "\n" : "",
		     c->private_key, c->address, c->dns, c->peer_public_key,
		     c->endpoint, c->allowed_ips, keepalive);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return n;
}

int wgconf_create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      0600);

	if (fd < 0)
		return -errno;
	/* the umask can only narrow 0600; make sure nothing widened it */
	if (fchmod(fd, 0600)) {
		int e = errno;

		close(fd);
		unlink(path);
		return -e;
	}
	return fd;
}

int wgconf_reserve(int fd, size_t len)
{
	if (!fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)len))
		return 0;
	return errno == EOPNOTSUPP || errno == ENOSYS ? 0 : -errno;
}

int wgconf_write_all(int fd, const char *buf, size_t len)
{
	struct stat st;

	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && fsync(fd))
		return -errno;
	return 0;
}
