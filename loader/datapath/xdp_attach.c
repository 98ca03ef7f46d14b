// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "datapath/xdp_attach.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/log.h"
#include "datapath/tc_attach.h"
#include "sixpn_dns.h"
#include "sixpn_pin.h"
#include "xdp/sixpn_xdp.skel.h"

/* A names map pinned by an earlier run keeps its size: libbpf only reuses a
 * pinned map whose definition matches, so the object takes that size. */
static __u32 pinned_max(const char *pin_dir, enum sixpn_map_id id)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd;

	sixpn_map_pin_path(path, sizeof(path), pin_dir, id);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		info.max_entries = 0;
	close(fd);
	return info.max_entries;
}

int sixpn_xdp_open(struct sixpn_xdp_obj *x, const char *pin_dir, __u32 names_max)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	__u32 pinned, cells;
	int err;

	memset(x, 0, sizeof(*x));
	err = sixpn_pins_init(&x->pins, pin_dir);
	if (err)
		return err;
	err = sixpn_mkdir_p(x->pins.pin_dir);
	if (err) {
		log_error("msg=\"cannot create pin directory\" path=%s err=\"%s\"", pin_dir, strerror(-err));
		return err;
	}
	opts.pin_root_path = x->pins.pin_dir;
	x->skel = sixpn_xdp__open_opts(&opts);
	if (!x->skel) {
		err = -errno;
		log_error("msg=\"cannot open the XDP object\" err=\"%s\"", strerror(errno));
		return err;
	}
	/* names_max counts names; the table is sized in cells for them. */
	cells = names_max ? sixpn_dns_table_cells(names_max) : 0;
	pinned = pinned_max(x->pins.pin_dir, SIXPN_MAP_DNS_NAMES);
	if (pinned && cells && pinned != cells)
		log_warn("msg=\"names table already pinned with another size; keeping it (unload to resize)\" "
			 "pinned_cells=%u wanted_cells=%u", pinned, cells);
	if (pinned)
		cells = pinned;
	if (cells)
		bpf_map__set_max_entries(x->skel->maps.dns_names, cells);
	/* The text log follows the table's size, or keeps its pinned one. */
	pinned = pinned_max(x->pins.pin_dir, SIXPN_MAP_DNS_TEXT);
	if (pinned)
		bpf_map__set_max_entries(x->skel->maps.dns_text, pinned);
	else if (names_max)
		bpf_map__set_max_entries(x->skel->maps.dns_text, sixpn_dns_text_cells(names_max));
	err = sixpn_xdp__load(x->skel);
	if (err) {
		log_error("msg=\"cannot load the XDP object (verifier or pinned map mismatch)\" pin_dir=%s err=\"%s\"",
			  x->pins.pin_dir, strerror(-err));
		sixpn_xdp__destroy(x->skel);
		x->skel = NULL;
		return err;
	}
	return 0;
}

void sixpn_xdp_close(struct sixpn_xdp_obj *x)
{
	sixpn_xdp__destroy(x->skel);
	x->skel = NULL;
}

int sixpn_xdp_names_fd(struct sixpn_xdp_obj *x)
{
	return bpf_map__fd(x->skel->maps.dns_names);
}

int sixpn_xdp_text_fd(struct sixpn_xdp_obj *x)
{
	return bpf_map__fd(x->skel->maps.dns_text);
}

int sixpn_xdp_config_fd(struct sixpn_xdp_obj *x)
{
	return bpf_map__fd(x->skel->maps.dns_config);
}

int sixpn_xdp_overflow_fd(struct sixpn_xdp_obj *x)
{
	return bpf_map__fd(x->skel->maps.dns_overflow);
}

static int driver_name(const char *ifname, char *buf, size_t size)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = { 0 };
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&info;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		err = -errno;
	else
		snprintf(buf, size, "%s", info.driver);
	close(fd);
	return err;
}

/* Native XDP_TX on a veth is lost unless the peer runs XDP (docs/design.md
 * section 6); generic mode works there and is as fast. */
static enum sixpn_xdp_mode auto_mode(const char *ifname)
{
	char drv[32] = "";

	driver_name(ifname, drv, sizeof(drv));
	return strcmp(drv, "veth") ? SIXPN_XDP_MODE_NATIVE : SIXPN_XDP_MODE_SKB;
}

static const char *mode_name(enum sixpn_xdp_mode mode)
{
	return mode == SIXPN_XDP_MODE_SKB ? "skb" : mode == SIXPN_XDP_MODE_NATIVE ? "native" : "auto";
}

int sixpn_xdp_parse_mode(const char *text, enum sixpn_xdp_mode *mode)
{
	if (!strcmp(text, "auto"))
		*mode = SIXPN_XDP_MODE_AUTO;
	else if (!strcmp(text, "skb") || !strcmp(text, "generic"))
		*mode = SIXPN_XDP_MODE_SKB;
	else if (!strcmp(text, "native") || !strcmp(text, "drv"))
		*mode = SIXPN_XDP_MODE_NATIVE;
	else
		return -EINVAL;
	return 0;
}

const char *sixpn_xdp_attached_mode(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (bpf_xdp_query(ifindex, 0, &q))
		return "unknown";
	switch (q.attach_mode) {
	case XDP_ATTACHED_NONE: return "none";
	case XDP_ATTACHED_SKB: return "skb";
	case XDP_ATTACHED_DRV: return "native";
	case XDP_ATTACHED_HW: return "hw";
	default: return "multi";
	}
}

/* A link just unpinned is released by a kernel worker: until then the
 * device still has XDP in the old mode, and the other mode is refused. */
static int create_link(int prog_fd, int ifindex, __u32 flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	int fd, i;

	for (i = 0; i < 100; i++) {
		fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);
		if (fd >= 0 || (errno != EEXIST && errno != EBUSY))
			break;
		nanosleep(&pause, NULL);
	}
	return fd < 0 ? -errno : fd;
}

int sixpn_xdp_attach(struct sixpn_xdp_obj *x, const char *ifname, enum sixpn_xdp_mode mode)
{
	int ifindex = (int)if_nametoindex(ifname);
	int prog_fd = bpf_program__fd(x->skel->progs.sixpn_xdp_dns);
	int fd, err;

	if (!ifindex) {
		log_error("msg=\"no such interface\" iface=%s", ifname);
		return -ENODEV;
	}
	if (mode == SIXPN_XDP_MODE_AUTO)
		mode = auto_mode(ifname);
	/* A link in the other mode cannot be switched: it is made anew. */
	if (!sixpn_link_replace(&x->pins, ifname, "xdp", prog_fd,
				!strcmp(sixpn_xdp_attached_mode(ifindex), mode_name(mode)))) {
		log_debug("msg=\"replaced\" iface=%s hook=xdp mode=%s", ifname, mode_name(mode));
		return 0;
	}
	fd = create_link(prog_fd, ifindex,
			 mode == SIXPN_XDP_MODE_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE);
	if (fd < 0) {
		log_error("msg=\"cannot attach\" iface=%s hook=xdp mode=%s err=\"%s\"", ifname,
			  mode_name(mode), strerror(-fd));
		return fd;
	}
	err = sixpn_link_pin(&x->pins, ifname, "xdp", fd);
	if (err)
		log_error("msg=\"cannot pin xdp link\" iface=%s err=\"%s\"", ifname, strerror(-err));
	else
		log_debug("msg=\"attached\" iface=%s hook=xdp mode=%s", ifname, mode_name(mode));
	return err;
}

int sixpn_xdp_detach(const char *pin_dir, const char *ifname)
{
	int err = sixpn_link_unpin(pin_dir, ifname, "xdp");

	return err == -ENOENT ? 0 : err;
}
