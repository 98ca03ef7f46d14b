// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Pin directories and pinned links of the TC and XDP objects (pins.h). */
#include "datapath/pins.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "lib/log.h"
#include "sixpn_pin.h"

int sixpn_pins_init(struct sixpn_pins *p, const char *pin_dir)
{
	memset(p, 0, sizeof(*p));
	if (snprintf(p->pin_dir, sizeof(p->pin_dir), "%s", pin_dir) >= (int)sizeof(p->pin_dir))
		return -ENAMETOOLONG;
	snprintf(p->links_dir, sizeof(p->links_dir), "%s/%s", p->pin_dir, SIXPN_PIN_LINKS_SUBDIR);
	return 0;
}

int sixpn_mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	char *p;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* bpffs refuses names with a dot (they are the kernel's), and interface
 * names may have one (eth0.100): it becomes '+'. */
int sixpn_link_pin_path(const char *pin_dir, const char *ifname, const char *hook,
			char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s/%s@%s", pin_dir, SIXPN_PIN_LINKS_SUBDIR, ifname, hook);
	char *p;

	if (n >= (int)size)
		return -ENAMETOOLONG;
	for (p = buf + strlen(pin_dir) + 1 + strlen(SIXPN_PIN_LINKS_SUBDIR); *p; p++)
		if (*p == '.')
			*p = '+';
	return 0;
}

int sixpn_link_replace(const struct sixpn_pins *p, const char *ifname, const char *hook,
		       int prog_fd, bool reuse)
{
	char path[PATH_MAX];
	int fd, err = sixpn_link_pin_path(p->pin_dir, ifname, hook, path, sizeof(path));

	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (!reuse)
		err = -EINVAL;
	else
		err = bpf_link_update(fd, prog_fd, NULL) ? -errno : 0;
	close(fd);
	if (err) {
		log_debug("msg=\"replacing stale link\" pin=%s err=\"%s\"", path, strerror(-err));
		unlink(path);
	}
	return err;
}

int sixpn_link_pin(const struct sixpn_pins *p, const char *ifname, const char *hook, int link_fd)
{
	char path[PATH_MAX];
	int err = sixpn_mkdir_p(p->links_dir);

	if (!err)
		err = sixpn_link_pin_path(p->pin_dir, ifname, hook, path, sizeof(path));
	if (!err && bpf_obj_pin(link_fd, path))
		err = -errno;
	close(link_fd);
	return err;
}

int sixpn_link_unpin(const char *pin_dir, const char *ifname, const char *hook)
{
	char path[PATH_MAX];
	int err = sixpn_link_pin_path(pin_dir, ifname, hook, path, sizeof(path));

	if (err)
		return err;
	return unlink(path) ? -errno : 0;
}
