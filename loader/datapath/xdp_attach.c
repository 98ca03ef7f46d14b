// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "datapath/xdp_attach.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "lib/log.h"
#include "datapath/bpf_log.h"
#include "datapath/tc_attach.h"
#include "datapath/xdp_dispatcher.h"
#include "datapath/xdp_query.h"
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

static void prog_tag(int prog_fd, unsigned char tag[8])
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	if (!bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		memcpy(tag, info.tag, 8);
}

int sixpn_xdp_open(struct sixpn_xdp_obj *x, const char *pin_dir, __u32 names_max)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	__u32 pinned, cells;
	int err;

	sixpn_bpf_log_init();
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
	prog_tag(bpf_program__fd(x->skel->progs.sixpn_xdp_dns), x->tag);
	return 0;
}

void sixpn_xdp_close(struct sixpn_xdp_obj *x)
{
	if (x->comp)
		xdp_program__close(x->comp);
	bpf_object__close(x->comp_obj);
	sixpn_xdp__destroy(x->skel);
	x->comp = NULL;
	x->comp_obj = NULL;
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


static enum xdp_attach_mode libxdp_mode(enum sixpn_xdp_mode mode)
{
	return mode == SIXPN_XDP_MODE_SKB ? XDP_MODE_SKB : XDP_MODE_NATIVE;
}

/* The dispatcher's copy of the program: the skeleton's ELF opened again,
 * every map (the .bss and the unpinned scratch map too) taken from the
 * loaded skeleton so that both copies share them. libxdp loads it on the
 * first attach, as freplace of that interface's dispatcher; later attaches
 * link the same program into the other interfaces' dispatchers. */
static struct xdp_program *component(struct sixpn_xdp_obj *x)
{
	/* The same pin root: libbpf would otherwise take (or make) pins of
	 * these names at the top of bpffs. */
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = bpf_object__name(x->skel->obj),
		    .pin_root_path = x->pins.pin_dir);
	struct xdp_program *prog;
	struct bpf_map *m, *mine;
	const void *elf;
	size_t size;
	long err;

	if (x->comp)
		return x->comp;
	elf = sixpn_xdp__elf_bytes(&size);
	x->comp_obj = bpf_object__open_mem(elf, size, &opts);
	if (!x->comp_obj) {
		log_error("msg=\"cannot open the XDP object for libxdp\" err=\"%s\"", strerror(errno));
		return NULL;
	}
	bpf_object__for_each_map(m, x->comp_obj) {
		mine = bpf_object__find_map_by_name(x->skel->obj, bpf_map__name(m));
		if (!mine || bpf_map__reuse_fd(m, bpf_map__fd(mine))) {
			log_error("msg=\"cannot share a map with the dispatcher's program\" map=%s",
				  bpf_map__name(m));
			goto fail;
		}
	}
	prog = xdp_program__from_bpf_obj(x->comp_obj, NULL);
	err = libxdp_get_error(prog);
	if (err) {
		log_error("msg=\"libxdp cannot use the XDP object\" err=\"%s\"", strerror((int)-err));
		goto fail;
	}
	x->comp = prog;
	return prog;
fail:
	bpf_object__close(x->comp_obj);
	x->comp_obj = NULL;
	return NULL;
}

/* A sixpn before libxdp pinned a BPF link where the program's pin is now:
 * unpinning it detaches that program; the kernel releases the link from a
 * worker, so wait until the hook no longer runs it. */
static void drop_old_link(const struct sixpn_xdp_obj *x, const char *ifname, int ifindex)
{
	struct bpf_link_info info = { 0 };
	__u32 len = sizeof(info), id = 0;
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	char path[PATH_MAX], proc[64], kind[64];
	ssize_t n;
	int fd, i;

	if (sixpn_link_pin_path(x->pins.pin_dir, ifname, "xdp", path, sizeof(path)))
		return;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return;
	/* The pin is this sixpn's program, or a link: the fd tells which. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, kind, sizeof(kind) - 1);
	kind[n > 0 ? n : 0] = '\0';
	if (strcmp(kind, "anon_inode:bpf-link") || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		close(fd);
		return;
	}
	close(fd);
	log_info("msg=\"replacing an XDP link of an older sixpn\" iface=%s prog_id=%u", ifname,
		 info.prog_id);
	unlink(path);
	for (i = 0; i < 200; i++) {
		if (bpf_xdp_query_id(ifindex, 0, &id) || id != info.prog_id)
			break;
		nanosleep(&pause, NULL);
	}
}

static int pin_prog(const struct sixpn_xdp_obj *x, const char *ifname)
{
	int fd = xdp_program__fd(x->comp), err;

	sixpn_link_unpin(x->pins.pin_dir, ifname, "xdp");
	if (fd < 0)
		return 0;
	fd = dup(fd);
	if (fd < 0)
		return -errno;
	err = sixpn_link_pin(&x->pins, ifname, "xdp", fd);
	if (err)
		log_error("msg=\"cannot pin the XDP program\" iface=%s err=\"%s\"", ifname, strerror(-err));
	return err;
}

/* libxdp opens the interface's programs by id, which takes CAP_SYS_ADMIN. */
static const char *eperm_hint(int err)
{
	return err == -EPERM ? " (libxdp reads them by id: that needs CAP_SYS_ADMIN)" : "";
}

/* The pin of a program attached by an earlier run, if it went missing. */
static int ensure_pin(const struct sixpn_xdp_obj *x, const char *ifname, __u32 id)
{
	char path[PATH_MAX];
	int fd, err;

	err = sixpn_link_pin_path(x->pins.pin_dir, ifname, "xdp", path, sizeof(path));
	if (err || !access(path, F_OK))
		return err;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	err = sixpn_link_pin(&x->pins, ifname, "xdp", fd);
	if (err)
		log_error("msg=\"cannot pin the XDP program\" iface=%s err=\"%s\"", ifname, strerror(-err));
	return err;
}

/* Detaches every program of sixpn's from the hook of `ifindex` (one, or two
 * mid-replace), or only the one of `only_id`; the others stay. */
static int detach_sixpn(int ifindex, const char *ifname, __u32 only_id)
{
	struct xdp_program *mine[SIXPN_XDP_MAX_PROGS], *p = NULL;
	struct xdp_multiprog *mp;
	enum xdp_attach_mode mode;
	size_t n = 0;
	long err;

	mp = xdp_multiprog__get_from_ifindex(ifindex);
	err = libxdp_get_error(mp);
	if (err == -ENOENT || (!err && !mp))
		return 0;
	if (err) {
		log_error("msg=\"cannot read the XDP programs of the interface%s\" iface=%s err=\"%s\"",
			  eperm_hint((int)err), ifname, strerror((int)-err));
		return (int)err;
	}
	mode = xdp_multiprog__attach_mode(mp);
	/* Taking one program out of several builds a new dispatcher. */
	sixpn_xdp_dispatcher_setup();
	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		if (p && !libxdp_get_error(p) && !strcmp(xdp_program__name(p), SIXPN_XDP_PROG_NAME) &&
		    (!only_id || xdp_program__id(p) == only_id))
			err = xdp_program__detach(p, ifindex, mode, 0);
		n = 1;
	} else {
		while ((p = xdp_multiprog__next_prog(p, mp)) && !libxdp_get_error(p) &&
		       n < SIXPN_XDP_MAX_PROGS)
			if (!strcmp(xdp_program__name(p), SIXPN_XDP_PROG_NAME) &&
			    (!only_id || xdp_program__id(p) == only_id))
				mine[n++] = p;
		err = n ? xdp_program__detach_multi(mine, n, ifindex, mode, 0) : 0;
	}
	xdp_multiprog__close(mp);
	if (err)
		log_error("msg=\"cannot detach sixpn's XDP program%s\" iface=%s err=\"%s\"",
			  eperm_hint((int)err), ifname, strerror((int)-err));
	return (int)err;
}

/* Why libxdp refused, in words an operator can act on. */
static void attach_error(const char *ifname, const char *mode, int err)
{
	struct sixpn_xdp_state st;
	char others[512];

	if (sixpn_xdp_query((int)if_nametoindex(ifname), &st))
		st.n = 0;
	sixpn_xdp_others(&st, others, sizeof(others));
	log_error("msg=\"cannot attach through libxdp's dispatcher\" iface=%s hook=xdp mode=%s "
		  "present=\"%s\" present_mode=%s err=\"%s\"", ifname, mode, others, st.mode,
		  strerror(-err));
}

int sixpn_xdp_attach(struct sixpn_xdp_obj *x, const char *ifname, enum sixpn_xdp_mode mode)
{
	int ifindex = (int)if_nametoindex(ifname);
	struct sixpn_xdp_state st;
	struct xdp_program *comp;
	char others[512];
	__u32 stale_id = 0;
	const char *want;
	int err, i;

	if (!ifindex) {
		log_error("msg=\"no such interface\" iface=%s", ifname);
		return -ENODEV;
	}
	if (mode == SIXPN_XDP_MODE_AUTO)
		mode = auto_mode(ifname);
	want = mode_name(mode);
	drop_old_link(x, ifname, ifindex);
	err = sixpn_xdp_query(ifindex, &st);
	if (err) {
		log_error("msg=\"cannot read the XDP programs of the interface%s\" iface=%s err=\"%s\"",
			  eperm_hint(err), ifname, strerror(-err));
		return err;
	}
	sixpn_xdp_others(&st, others, sizeof(others));
	if (st.sixpn >= 0 && st.sixpn_count == 1 && !strcmp(st.mode, want) &&
	    !memcmp(st.progs[st.sixpn].tag, x->tag, sizeof(x->tag))) {
		log_debug("msg=\"already attached\" iface=%s hook=xdp mode=%s prog_id=%u", ifname, want,
			  st.progs[st.sixpn].id);
		return ensure_pin(x, ifname, st.progs[st.sixpn].id);
	}
	if (!st.dispatcher && st.n && st.sixpn < 0) {
		log_error("msg=\"interface runs an XDP program attached without libxdp's dispatcher; "
			  "sixpn does not replace it: detach it (ip link set dev %s xdp off) or load it "
			  "with xdp-loader, then attach again\" iface=%s present=\"%s\" present_mode=%s",
			  ifname, ifname, others, st.mode);
		return -EBUSY;
	}
	if (st.n && strcmp(st.mode, want)) {
		if (st.n > st.sixpn_count) {
			log_error("msg=\"interface runs XDP programs in another mode; libxdp's dispatcher "
				  "has one mode: attach with --mode %s, or move them to %s\" iface=%s "
				  "mode=%s present=\"%s\" present_mode=%s",
				  st.mode, want, ifname, want, others, st.mode);
			return -EBUSY;
		}
		st.sixpn = -1;
		err = detach_sixpn(ifindex, ifname, 0);
		if (err)
			return err;
	}
	/* Without a dispatcher, the new program cannot join the old one. */
	if (st.sixpn >= 0 && !st.dispatcher) {
		err = detach_sixpn(ifindex, ifname, 0);
		if (err)
			return err;
		st.sixpn = -1;
	}
	if (st.sixpn >= 0)
		stale_id = st.progs[st.sixpn].id;
	comp = component(x);
	if (!comp)
		return -EINVAL;
	sixpn_xdp_dispatcher_setup();
	/* libxdp finds out what the kernel supports by failing loads. */
	sixpn_bpf_log_hold();
	err = xdp_program__attach(comp, ifindex, libxdp_mode(mode), 0);
	sixpn_bpf_log_release(err != 0);
	if (err) {
		attach_error(ifname, want, err);
		return err;
	}
	for (i = 0; stale_id && i < st.n; i++)
		if (st.progs[i].sixpn && st.progs[i].id != xdp_program__id(comp))
			detach_sixpn(ifindex, ifname, st.progs[i].id);
	if (!sixpn_xdp_query(ifindex, &st) && st.sixpn >= 0 && !st.dispatcher)
		log_warn("msg=\"libxdp attached sixpn's XDP program without its dispatcher (kernel "
			 "without freplace, or LIBXDP_SKIP_DISPATCHER=1): no other XDP program can run "
			 "beside it\" iface=%s", ifname);
	err = pin_prog(x, ifname);
	if (!err)
		log_debug("msg=\"attached\" iface=%s hook=xdp mode=%s prog_id=%u programs=%d", ifname,
			  want, xdp_program__id(comp), st.n);
	return err;
}

/* The pin goes only once the program is out: a detach that failed is
 * still found by the next one, or by unload. */
int sixpn_xdp_detach(const char *pin_dir, const char *ifname)
{
	int ifindex = (int)if_nametoindex(ifname), err = 0, err2;

	sixpn_bpf_log_init();
	if (ifindex)
		err = detach_sixpn(ifindex, ifname, 0);
	if (err)
		return err;
	err2 = sixpn_link_unpin(pin_dir, ifname, "xdp");
	if (err2 && err2 != -ENOENT)
		log_warn("msg=\"cannot remove the XDP pin\" iface=%s err=\"%s\"", ifname, strerror(-err2));
	return 0;
}

/* The names first: the callback may remove the pins being read. */
void sixpn_xdp_pinned_ifaces(const char *pin_dir, void (*fn)(const char *ifname, void *arg),
			     void *arg)
{
	char dir[PATH_MAX], (*names)[IF_NAMESIZE] = NULL, (*grown)[IF_NAMESIZE];
	size_t len, n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d;
	char *p;

	snprintf(dir, sizeof(dir), "%s/%s", pin_dir, SIXPN_PIN_LINKS_SUBDIR);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		len = strlen(de->d_name);
		if (len < 5 || len - 4 >= IF_NAMESIZE || strcmp(de->d_name + len - 4, "@xdp"))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(names, cap * sizeof(*names));
			if (!grown)
				break;
			names = grown;
		}
		snprintf(names[n], IF_NAMESIZE, "%.*s", (int)(len - 4), de->d_name);
		for (p = names[n]; *p; p++)
			if (*p == '+')
				*p = '.';
		n++;
	}
	closedir(d);
	for (i = 0; i < n; i++)
		fn(names[i], arg);
	free(names);
}

static void detach_one(const char *ifname, void *arg)
{
	sixpn_xdp_detach(arg, ifname);
}

void sixpn_xdp_detach_all(const char *pin_dir)
{
	sixpn_xdp_pinned_ifaces(pin_dir, detach_one, (void *)pin_dir);
}
