// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpn's dispatcher object for libxdp (xdp_dispatcher.h). */
#include "datapath/xdp_dispatcher.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "xdp/xdp_dispatcher.skel.h"

/* libxdp's names: the variable and the file it looks for there. */
#define LIBXDP_OBJECT_ENV "LIBXDP_OBJECT_PATH"
#define LIBXDP_DISPATCHER_FILE "xdp-dispatcher.o"

static char dir[PATH_MAX];
static char file[PATH_MAX + 32];

static void remove_dir(void)
{
	unlink(file);
	rmdir(dir);
}

static int write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int setup(void)
{
	const char *tmp = getenv("TMPDIR");
	const void *elf;
	size_t size;
	int fd, err;

	snprintf(dir, sizeof(dir), "%s/sixpn-libxdp.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return -errno;
	snprintf(file, sizeof(file), "%s/%s", dir, LIBXDP_DISPATCHER_FILE);
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = -errno;
		rmdir(dir);
		return err;
	}
	elf = xdp_dispatcher__elf_bytes(&size);
	err = write_all(fd, elf, size);
	if (close(fd) && !err)
		err = -errno;
	if (!err && setenv(LIBXDP_OBJECT_ENV, dir, 1))
		err = -errno;
	if (err) {
		remove_dir();
		return err;
	}
	atexit(remove_dir);
	return 0;
}

void sixpn_xdp_dispatcher_setup(void)
{
	static bool done;
	int err;

	if (done)
		return;
	done = true;
	if (getenv(LIBXDP_OBJECT_ENV)) {
		log_debug("msg=\"libxdp's objects from the operator's path\" path=%s",
			  getenv(LIBXDP_OBJECT_ENV));
		return;
	}
	err = setup();
	if (err)
		log_warn("msg=\"cannot write sixpn's XDP dispatcher; libxdp builds its own, which Linux "
			 "6.13+ refuses sixpn's program in\" dir=%s err=\"%s\"", dir, strerror(-err));
	else
		log_debug("msg=\"libxdp dispatcher object\" path=%s", file);
}
