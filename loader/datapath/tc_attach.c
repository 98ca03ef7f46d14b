// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "datapath/tc_attach.h"
#include "datapath/ifaces.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/bpf_log.h"
#include "datapath/kconfig.h"
#include "datapath/map_walk.h"
#include "datapath/xdp_attach.h"
#include "lib/log.h"
#include "sixpn_pin.h"
#include "tc/sixpn_tc.skel.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif
/* tcx attach types (Linux 6.6); Debian 12's headers predate them. */
#define SIXPN_BPF_TCX_INGRESS 46
#define SIXPN_BPF_TCX_EGRESS 47
/* clsact filters: a fixed handle and priority make re-attaching a replace. */
#define SIXPN_TC_HANDLE 0x6e
#define SIXPN_TC_PRIORITY 0x6e

enum tc_dir { TC_INGRESS, TC_EGRESS };

static const char *const dir_name[] = { "ingress", "egress" };

static bool on_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

/* Operators' hosts usually have bpffs at /sys/fs/bpf; a fresh VM or
 * container may not, so mount it there as Cilium's agent does. */
static int ensure_bpffs(const char *pin_dir)
{
	const char *root = "/sys/fs/bpf";
	int err;

	if (!strncmp(pin_dir, root, strlen(root)) && !on_bpffs(root)) {
		if (mount("bpf", root, "bpf", 0, "mode=0700")) {
			err = -errno;
			log_error("msg=\"cannot mount bpffs\" path=%s err=\"%s\"", root, strerror(errno));
			return err;
		}
		log_info("msg=\"mounted bpffs\" path=%s", root);
	}
	err = sixpn_mkdir_p(pin_dir);
	if (err) {
		log_error("msg=\"cannot create pin directory\" path=%s err=\"%s\"", pin_dir, strerror(-err));
		return err;
	}
	if (!on_bpffs(pin_dir)) {
		log_error("msg=\"pin directory is not on a bpf filesystem\" path=%s", pin_dir);
		return -ENOTSUP;
	}
	return 0;
}

/* tcx arrived in 6.6. Probe by attaching a program that only returns
 * TCX_NEXT to loopback: it cannot change any verdict. */
static bool probe_tcx(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = -1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int prog, link;

	if (getenv("SIXPN_FORCE_CLSACT"))
		return false;
	/* Tests only: skip the probe and insist on tcx, as a loader without
	 * the fallback would; `make vmtest` shows 6.1 failing that way. */
	if (getenv("SIXPN_FORCE_TCX"))
		return true;
	prog = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "sixpn_probe", "GPL", insns, 2, NULL);
	if (prog < 0)
		return false;
	link = bpf_link_create(prog, 1, SIXPN_BPF_TCX_INGRESS, NULL);
	close(prog);
	if (link < 0)
		return false;
	close(link);
	return true;
}

int sixpn_bpf_open(struct sixpn_bpf *b, const char *pin_dir)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	int err;

	memset(b, 0, sizeof(*b));
	sixpn_bpf_log_init();
	err = sixpn_pins_init(&b->pins, pin_dir);
	if (!err)
		err = ensure_bpffs(b->pins.pin_dir);
	if (err)
		return err;
	opts.pin_root_path = b->pins.pin_dir;
	opts.kconfig = sixpn_kconfig_fallback();
	b->tc = sixpn_tc__open_opts(&opts);
	if (!b->tc) {
		err = -errno;
		log_error("msg=\"cannot open the TC object\" err=\"%s\"", strerror(errno));
		return err;
	}
	err = sixpn_tc__load(b->tc);
	if (err) {
		log_error("msg=\"cannot load the TC object (verifier or pinned map mismatch)\" pin_dir=%s err=\"%s\"",
			  b->pins.pin_dir, strerror(-err));
		sixpn_tc__destroy(b->tc);
		b->tc = NULL;
		return err;
	}
	b->tcx = probe_tcx();
	log_debug("msg=\"loaded\" pin_dir=%s attach=%s", b->pins.pin_dir, b->tcx ? "tcx" : "clsact");
	return 0;
}

void sixpn_bpf_close(struct sixpn_bpf *b)
{
	sixpn_tc__destroy(b->tc);
	b->tc = NULL;
}

int sixpn_map_fd(struct sixpn_bpf *b, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(b->tc->obj, name);

	return map ? bpf_map__fd(map) : -ENOENT;
}

static int attach_tcx(struct sixpn_bpf *b, const char *ifname, int ifindex,
		      int prog_fd, enum tc_dir dir)
{
	int fd;

	if (!sixpn_link_replace(&b->pins, ifname, dir_name[dir], prog_fd, true))
		return 0;
	fd = bpf_link_create(prog_fd, ifindex,
			     dir == TC_INGRESS ? SIXPN_BPF_TCX_INGRESS : SIXPN_BPF_TCX_EGRESS, NULL);
	if (fd < 0)
		return -errno;
	return sixpn_link_pin(&b->pins, ifname, dir_name[dir], fd);
}

static int attach_clsact(int ifindex, int prog_fd, enum tc_dir dir)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = dir == TC_INGRESS ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = SIXPN_TC_HANDLE,
		    .priority = SIXPN_TC_PRIORITY, .prog_fd = prog_fd,
		    .flags = BPF_TC_F_REPLACE);
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	return bpf_tc_attach(&hook, &opts);
}

static int attach_tc(struct sixpn_bpf *b, const char *ifname, int ifindex,
		     struct bpf_program *prog, enum tc_dir dir)
{
	int prog_fd = bpf_program__fd(prog);
	int err = b->tcx ? attach_tcx(b, ifname, ifindex, prog_fd, dir)
			 : attach_clsact(ifindex, prog_fd, dir);

	if (err)
		log_error("msg=\"cannot attach\" iface=%s hook=%s prog=%s via=%s err=\"%s\"",
			  ifname, dir_name[dir], bpf_program__name(prog),
			  b->tcx ? "tcx" : "clsact", strerror(-err));
	else
		log_debug("msg=\"attached\" iface=%s hook=%s prog=%s via=%s", ifname,
			  dir_name[dir], bpf_program__name(prog), b->tcx ? "tcx" : "clsact");
	return err;
}

static int detach_tc(struct sixpn_bpf *b, const char *ifname, int ifindex, enum tc_dir dir)
{
	int err = sixpn_link_unpin(b->pins.pin_dir, ifname, dir_name[dir]);

	if (err != -ENOENT)
		return err;
	if (ifindex > 0) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = dir == TC_INGRESS ? BPF_TC_INGRESS : BPF_TC_EGRESS);
		LIBBPF_OPTS(bpf_tc_opts, opts, .handle = SIXPN_TC_HANDLE,
			    .priority = SIXPN_TC_PRIORITY);

		err = bpf_tc_detach(&hook, &opts);
		if (err && err != -ENOENT && err != -EINVAL)
			return err;
	}
	return 0;
}

/* Ethernet devices (veth, tap) carry a 14-byte link header in front of IPv6;
 * L3 devices (tun, WireGuard) none. */
static int link_header_len(const char *ifname, __u32 *len)
{
	struct ifreq ifr = { 0 };
	int fd, err = 0;

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		err = -errno;
	} else if (ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER) {
		*len = 14;
	} else if (ifr.ifr_hwaddr.sa_family == ARPHRD_NONE) {
		*len = 0;
	} else {
		log_error("msg=\"unsupported link type\" iface=%s arphrd=%u", ifname,
			  ifr.ifr_hwaddr.sa_family);
		err = -EPROTONOSUPPORT;
	}
	close(fd);
	return err;
}

static int resolve_ifindex(const char *ifname)
{
	int ifindex = (int)if_nametoindex(ifname);

	if (!ifindex)
		log_error("msg=\"no such interface\" iface=%s", ifname);
	return ifindex;
}

/* Records `ifc` for the interface in `ifaces`, with the link-header length
 * read from the device, then attaches `first` and `second` in that order. */
static int attach_iface(struct sixpn_bpf *b, const char *ifname, struct sixpn_iface *ifc,
			struct bpf_program *first, enum tc_dir first_dir,
			struct bpf_program *second, enum tc_dir second_dir)
{
	int ifindex = resolve_ifindex(ifname);
	__u32 key = (__u32)ifindex;
	int err;

	if (!ifindex)
		return -ENODEV;
	err = link_header_len(ifname, &ifc->l2_len);
	if (err)
		return err;
	if (ifc->role == SIXPN_ROLE_MESH && ifc->l2_len) {
		log_error("msg=\"mesh device must be an L3 device (WireGuard)\" iface=%s", ifname);
		return -EPROTONOSUPPORT;
	}
	err = sixpn_iface_set(bpf_map__fd(b->tc->maps.ifaces), bpf_map__fd(b->tc->maps.iface_slots),
			      key, ifc);
	if (err) {
		log_error("msg=\"cannot update ifaces map\" iface=%s err=\"%s\"", ifname, strerror(-err));
		return err;
	}
	err = attach_tc(b, ifname, ifindex, first, first_dir);
	if (!err)
		err = attach_tc(b, ifname, ifindex, second, second_dir);
	return err;
}

int sixpn_attach_isolation(struct sixpn_bpf *b, const char *ifname,
			   const struct sixpn_iface *desc)
{
	struct sixpn_iface ifc = *desc;

	/* The description goes in first: the programs fail closed without it. */
	return attach_iface(b, ifname, &ifc, b->tc->progs.sixpn_from_inst, TC_INGRESS,
			    b->tc->progs.sixpn_to_inst, TC_EGRESS);
}

int sixpn_attach_mesh(struct sixpn_bpf *b, const char *ifname)
{
	struct sixpn_iface ifc = { .role = SIXPN_ROLE_MESH };

	/* Recorded for bookkeeping (status, unload); the mesh programs do not
	 * look it up on the fast path. */
	return attach_iface(b, ifname, &ifc, b->tc->progs.sixpn_mesh_out, TC_EGRESS,
			    b->tc->progs.sixpn_mesh_in, TC_INGRESS);
}

int sixpn_attached_count(struct sixpn_bpf *b, __u32 ifindex, bool ingress)
{
	__u32 ids[64], cnt = 64, attach_flags = 0;

	if (b->tcx) {
		if (bpf_prog_query((int)ifindex, ingress ? SIXPN_BPF_TCX_INGRESS : SIXPN_BPF_TCX_EGRESS,
				   0, &attach_flags, ids, &cnt))
			return -errno;
		return (int)cnt;
	} else {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)ifindex,
			    .attach_point = ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
		LIBBPF_OPTS(bpf_tc_opts, opts, .handle = SIXPN_TC_HANDLE,
			    .priority = SIXPN_TC_PRIORITY);

		return bpf_tc_query(&hook, &opts) ? 0 : 1;
	}
}

int sixpn_detach(struct sixpn_bpf *b, const char *ifname)
{
	int ifindex = (int)if_nametoindex(ifname);
	int err, err2;

	err = detach_tc(b, ifname, ifindex, TC_INGRESS);
	err2 = detach_tc(b, ifname, ifindex, TC_EGRESS);
	if (ifindex > 0) {
		__u32 key = (__u32)ifindex;

		sixpn_iface_del(bpf_map__fd(b->tc->maps.ifaces), bpf_map__fd(b->tc->maps.iface_slots),
				key);
	}
	return err ? err : err2;
}

static void unlink_dir_entries(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
}

int sixpn_unload(struct sixpn_bpf *b)
{
	char ifname[IF_NAMESIZE];
	struct sixpn_map_keys ifaces;
	size_t i;
	int err;

	/* clsact filters are not pinned: find them through `ifaces`. */
	err = sixpn_map_keys(bpf_map__fd(b->tc->maps.ifaces), false, &ifaces);
	if (err)
		log_warn("msg=\"cannot read the ifaces map; clsact filters may stay\" err=\"%s\"",
			 strerror(-err));
	for (i = 0; i < ifaces.n; i++)
		if (if_indextoname(*(__u32 *)sixpn_map_key(&ifaces, i), ifname))
			sixpn_detach(b, ifname);
	sixpn_map_keys_free(&ifaces);
	/* libxdp's dispatcher, not the pins, keeps XDP attached. */
	sixpn_xdp_detach_all(b->pins.pin_dir);
	unlink_dir_entries(b->pins.links_dir);
	rmdir(b->pins.links_dir);
	unlink_dir_entries(b->pins.pin_dir);
	if (rmdir(b->pins.pin_dir) && errno != ENOENT) {
		log_error("msg=\"pin directory not empty\" path=%s err=\"%s\"", b->pins.pin_dir, strerror(errno));
		return -errno;
	}
	return 0;
}

int sixpn_peer_update(struct sixpn_bpf *b, const struct sixpn_ip6 *prefix,
		      __u32 prefix_len, __u32 net_id, bool add)
{
	struct sixpn_lpm_key key = { .prefixlen = prefix_len, .addr = *prefix };
	struct sixpn_peer peer = { .net_id = net_id };
	int fd = bpf_map__fd(b->tc->maps.peers);
	int err = add ? bpf_map_update_elem(fd, &key, &peer, BPF_ANY)
		      : bpf_map_delete_elem(fd, &key);

	return err ? -errno : 0;
}

int sixpn_parse_prefix(const char *text, struct sixpn_ip6 *prefix, __u32 *len)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	struct sixpn_ip6 masked;
	unsigned long l;

	if (snprintf(buf, sizeof(buf), "%s", text) >= (int)sizeof(buf))
		return -EINVAL;
	slash = strchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	errno = 0;
	l = strtoul(slash + 1, &end, 10);
	if (errno || *end || l > 128 || l % 8)
		return -EINVAL;
	if (inet_pton(AF_INET6, buf, prefix->w) != 1 || !sixpn_is_6pn(prefix))
		return -EINVAL;
	memset(&masked, 0, sizeof(masked));
	memcpy(masked.w, prefix->w, l / 8);
	if (memcmp(&masked, prefix, sizeof(masked)))
		return -EINVAL; /* host bits set */
	*len = (__u32)l;
	return 0;
}
