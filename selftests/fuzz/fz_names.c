// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "fz_names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "datapath/dns_names.h"

#define NAME_63 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk.abc.internal"
#define NAME_62 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk.abc.internal"

/* The names as sixpnd would write them; fz_names_init() adds the empty
 * non-terminals these leave out. */
static const struct fz_name base[] = {
	{ FZ_NET_A, "web.internal", 1 },
	{ FZ_NET_A, "global.web.internal", 3 },
	{ FZ_NET_A, "ams.web.internal", 2 },
	{ FZ_NET_A, "vm.web.internal", 0 },
	{ FZ_NET_A, "1a2b3c4d.vm.web.internal", 1 },
	{ FZ_NET_A, "of.web.internal", 0 },
	{ FZ_NET_A, "nearest.of.web.internal", 0, SIXPN_DNS_F_CHILDREN_USERSPACE },
	{ FZ_NET_A, "regions.web.internal", 0, SIXPN_DNS_F_USERSPACE },
	{ FZ_NET_A, "vms.web.internal", 0, SIXPN_DNS_F_USERSPACE },
	{ FZ_NET_A, "_apps.internal", 0, SIXPN_DNS_F_USERSPACE },
	{ FZ_NET_A, "_instances.internal", 0, SIXPN_DNS_F_USERSPACE },
	{ FZ_NET_A, "_peer.internal", 0, SIXPN_DNS_F_USERSPACE | SIXPN_DNS_F_CHILDREN_USERSPACE },
	{ FZ_NET_A, "laptop._peer.internal", 1 },
	{ FZ_NET_A, "eight.internal", 8 },
	{ FZ_NET_A, "nine.internal", 9 },
	{ FZ_NET_A, "my-app-2.internal", 4 },
	{ FZ_NET_A, "a0.internal", 1 },
	{ FZ_NET_A, "y-2.internal", 0 },
	{ FZ_NET_A, "x-1.y-2.internal", 2 },
	{ FZ_NET_A, "abc.internal", 0 },
	{ FZ_NET_A, NAME_63, 8 },
	{ FZ_NET_A, NAME_62, 7 },
	{ FZ_NET_A, "f.internal", 0 },
	{ FZ_NET_A, "e.f.internal", 0 },
	{ FZ_NET_A, "d.e.f.internal", 0 },
	{ FZ_NET_A, "c.d.e.f.internal", 0 },
	{ FZ_NET_A, "b.c.d.e.f.internal", 0 },
	{ FZ_NET_A, "a.b.c.d.e.f.internal", 5 },
	/* 22 labels: a walk that stops early must pass, not answer */
	{ FZ_NET_A, "q.r.s.t.u.v.w.x.y.z.m.n.o.p.g.h.i.j.k.l.internal", 3 },
	{ FZ_NET_B, "web.internal", 1 },
	{ FZ_NET_B, "bonly.internal", 2 },
	{ FZ_NET_B, "eight.internal", 8 },
	{ FZ_NET_B, "vm.web.internal", 0 },
	{ FZ_NET_B, "regions.web.internal", 0, SIXPN_DNS_F_USERSPACE },
	{ FZ_NET_C, "web.internal", 2 },
	{ FZ_NET_C, "conly.internal", 6 },
	/* Flycast: one service address for the asker's network */
	{ FZ_NET_B, "web.flycast", 1 },
	{ FZ_NET_C, "web.flycast", 1 },
	{ FZ_NET_B, "odd.flycast", 0 },
	{ FZ_NET_B, "nine.flycast", 9 },
	{ FZ_NET_B, "tx.flycast", 1, SIXPN_DNS_F_USERSPACE },
};
#define FZ_NAMES_MAX 128
struct fz_name fz_names[FZ_NAMES_MAX];
size_t fz_names_n;

void fz_names_init(void)
{
	size_t i;
	int j;

	fz_names_n = sizeof(base) / sizeof(base[0]);
	memcpy(fz_names, base, sizeof(base));
	/* Every ancestor below the apex exists (NODATA, not NXDOMAIN): the
	 * ancestors' texts are suffixes of the name's own string. */
	for (i = 0; i < fz_names_n; i++) {
		const char *p = fz_names[i].name;

		while ((p = strchr(p, '.') + 1) && strcmp(p, "internal")) {
			if (fz_name_find(fz_names[i].net, p, strlen(p)))
				continue;
			if (fz_names_n == FZ_NAMES_MAX) {
				fprintf(stderr, "Bail out! more than %d test names\n", FZ_NAMES_MAX);
				exit(2);
			}
			fz_names[fz_names_n++] = (struct fz_name){ fz_names[i].net, p, 0 };
		}
	}

	/* Distinct addresses everywhere: host from two hosts, instance from the
	 * entry and the position, so that a mixed-up slot is visible. */
	for (i = 0; i < fz_names_n; i++)
		for (j = 0; j < fz_names[i].n && j < SIXPN_DNS_MAX_ADDRS; j++)
			sixpn_compose(&fz_names[i].addrs[j], fz_names[i].net,
				      j & 1 ? 0x0a7b0174 : FZ_HOST, (__u32)(i + 1) << 8 | (j + 1),
				      j == 7 ? 0x102 : 2);
}

int fz_names_fill(int names_fd)
{
	struct sixpn_ip6 many[16];
	size_t i;
	int j, err;

	for (i = 0; i < fz_names_n; i++) {
		const struct fz_name *e = &fz_names[i];

		for (j = 0; j < e->n && j < 16; j++)
			many[j] = j < SIXPN_DNS_MAX_ADDRS ? e->addrs[j] : e->addrs[0];
		err = sixpn_dns_name_put(names_fd, e->net, e->name, many, (size_t)e->n, e->flags);
		if (err)
			return err;
	}
	return 0;
}

const struct fz_name *fz_name_find(__u32 net, const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < fz_names_n; i++)
		if (fz_names[i].net == net && strlen(fz_names[i].name) == len &&
		    !memcmp(fz_names[i].name, text, len))
			return &fz_names[i];
	return NULL;
}

static const __u32 iface_nets[FZ_IF_MAX] = { FZ_NET_A, FZ_NET_B, FZ_NET_C, FZ_NET_D, 0 };

__u32 fz_iface_net(enum fz_iface_id id)
{
	return iface_nets[id];
}

void fz_iface_prefix(enum fz_iface_id id, struct sixpn_ip6 *prefix)
{
	sixpn_compose(prefix, iface_nets[id], FZ_HOST, 0xa + (__u32)id, 0);
}
