// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "datapath/bpffs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "lib/log.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif
/* Where sixpn_bpf_open() mounts a bpffs when none is there. */
#define BPFFS_ROOT "/sys/fs/bpf"

/* One line of /proc/PID/mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT
 * OPTIONS [TAGS...] - FSTYPE SOURCE SUPEROPTIONS". */
struct mount_line {
	unsigned id, major, minor;
	char fstype[32];
};

static bool parse_mount_line(const char *line, struct mount_line *m)
{
	const char *sep = strstr(line, " - ");

	return sep && sscanf(line, "%u %*u %u:%u", &m->id, &m->major, &m->minor) == 3 &&
	       sscanf(sep + 3, "%31s", m->fstype) == 1;
}

/* 1 when PID 1's mount namespace has a mount that matches: a bpffs of
 * device `dev`, or (want_id) the mount `id`; 0 when not; -errno when its
 * mountinfo cannot be read. */
static int pid1_has_mount(dev_t dev, bool want_id, unsigned id)
{
	FILE *f = fopen("/proc/1/mountinfo", "re");
	struct mount_line m;
	char line[4096];
	int found = 0;

	if (!f)
		return -errno;
	while (!found && fgets(line, sizeof(line), f)) {
		if (!parse_mount_line(line, &m))
			continue;
		if (want_id)
			found = m.id == id;
		else
			found = !strcmp(m.fstype, "bpf") && makedev(m.major, m.minor) == dev;
	}
	fclose(f);
	return found;
}

/* 1 when this process is in PID 1's mount namespace, 0 when not, -errno
 * when it cannot tell. The namespace links need ptrace rights over PID 1,
 * which a container's root may lack; mountinfo does not, and a mount ID
 * belongs to one namespace only. */
static int in_init_mount_ns(void)
{
	char self[64], init[64];
	ssize_t a = readlink("/proc/self/ns/mnt", self, sizeof(self) - 1);
	ssize_t b = readlink("/proc/1/ns/mnt", init, sizeof(init) - 1);
	struct mount_line m = { 0 };
	char line[4096];
	FILE *f;

	if (a > 0 && b > 0)
		return a == b && !memcmp(self, init, (size_t)a);
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f) || !parse_mount_line(line, &m)) {
		fclose(f);
		return -EINVAL;
	}
	fclose(f);
	return pid1_has_mount(0, true, m.id);
}

/* The name under /run/netns of this process's network namespace, for the
 * nsenter line of the hint; "NAME" when it has none. */
static void netns_name(char *buf, size_t size)
{
	struct stat self, st;
	struct dirent *d;
	char path[PATH_MAX];
	DIR *dir;

	snprintf(buf, size, "NAME");
	if (stat("/proc/self/ns/net", &self) || !(dir = opendir("/run/netns")))
		return;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", d->d_name);
		if (!stat(path, &st) && st.st_ino == self.st_ino && st.st_dev == self.st_dev) {
			snprintf(buf, size, "%s", d->d_name);
			break;
		}
	}
	closedir(dir);
}

/* The deepest existing directory on the way to `path` (the pin directory
 * may not exist yet). */
static void existing_ancestor(const char *path, char *buf, size_t size)
{
	char *slash;

	snprintf(buf, size, "%s", path);
	while (access(buf, F_OK)) {
		slash = strrchr(buf, '/');
		if (!slash || slash == buf) {
			snprintf(buf, size, "/");
			return;
		}
		*slash = '\0';
	}
}

int sixpn_bpffs_check(const char *prog, const char *pin_dir, bool allow_private)
{
	char dir[PATH_MAX], ns[256];
	const char *why;
	struct statfs sfs;
	struct stat st;
	int shared;

	existing_ancestor(pin_dir, dir, sizeof(dir));
	if (statfs(dir, &sfs) || stat(dir, &st)) {
		log_debug("msg=\"cannot tell whether the bpffs is the host's\" path=%s err=\"%s\"", dir,
			  strerror(errno));
		return 0;
	}
	if (sfs.f_type == BPF_FS_MAGIC) {
		shared = in_init_mount_ns();
		if (shared != 1)
			shared = pid1_has_mount(st.st_dev, false, 0);
		why = "the pin directory is on a bpffs not shared with the host's mount namespace";
	} else if (!strncmp(pin_dir, BPFFS_ROOT, strlen(BPFFS_ROOT))) {
		/* Nothing mounted yet: the bpffs mounted here is the host's
		 * only in the host's mount namespace. */
		shared = in_init_mount_ns();
		why = "no bpffs on " BPFFS_ROOT " and this mount namespace is not the host's: "
		      "a bpffs mounted here is not shared with the host";
	} else {
		return 0; /* not on bpffs at all: sixpn_bpf_open() says so */
	}
	if (shared < 0) {
		log_debug("msg=\"cannot tell whether the bpffs is the host's\" pin_dir=%s err=\"%s\"",
			  pin_dir, strerror(-shared));
		return 0;
	}
	if (shared)
		return 0;
	netns_name(ns, sizeof(ns));
	if (allow_private) {
		log_warn("msg=\"--allow-private-bpffs: %s; programs, links and maps pinned in it vanish when %s exits\" pin_dir=%s",
			 why, prog, pin_dir);
		return 0;
	}
	log_error("msg=\"%s: programs, links and maps pinned in it would vanish when %s exits, "
		  "and with them the datapath\" pin_dir=%s "
		  "hint=\"ip netns exec gives its command a mount namespace of its own; run "
		  "nsenter --net=/run/netns/%s %s ... instead, or mount bpffs on the host "
		  "(mount -t bpf bpf " BPFFS_ROOT "); --allow-private-bpffs runs it anyway\"",
		  why, prog, pin_dir, ns, prog);
	return -EPERM;
}
