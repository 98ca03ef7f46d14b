// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The programs at an interface's XDP hook, through libxdp (xdp_query.h). */
#include "datapath/xdp_query.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <xdp/libxdp.h>

#include "datapath/bpf_log.h"
#include "sixpn_pin.h"

static const char *mode_name(enum xdp_attach_mode mode)
{
	switch (mode) {
	case XDP_MODE_SKB: return "skb";
	case XDP_MODE_NATIVE: return "native";
	case XDP_MODE_HW: return "hw";
	default: return "none";
	}
}

static void add_prog(struct sixpn_xdp_state *st, const struct xdp_program *p, bool dispatcher)
{
	struct sixpn_xdp_prog_info *info;
	const unsigned char *tag;

	if (st->n == SIXPN_XDP_MAX_PROGS)
		return;
	info = &st->progs[st->n];
	info->id = xdp_program__id(p);
	info->prio = dispatcher ? xdp_program__run_prio(p) : 0;
	snprintf(info->name, sizeof(info->name), "%s", xdp_program__name(p) ?: "?");
	tag = xdp_program__tag(p);
	if (tag && !libxdp_get_error(tag))
		memcpy(info->tag, tag, sizeof(info->tag));
	info->sixpn = !strcmp(info->name, SIXPN_XDP_PROG_NAME);
	if (info->sixpn) {
		if (st->sixpn < 0)
			st->sixpn = st->n;
		st->sixpn_count++;
	}
	st->n++;
}

int sixpn_xdp_query(int ifindex, struct sixpn_xdp_state *st)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p = NULL;
	long err;

	sixpn_bpf_log_init();
	memset(st, 0, sizeof(*st));
	st->mode = "none";
	st->sixpn = -1;
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	err = libxdp_get_error(mp);
	if (err == -ENOENT || (!err && !mp))
		return 0;
	if (err)
		return (int)err;
	st->mode = mode_name(xdp_multiprog__attach_mode(mp));
	st->dispatcher = !xdp_multiprog__is_legacy(mp);
	p = xdp_multiprog__main_prog(mp);
	if (p && !libxdp_get_error(p)) {
		st->main_id = xdp_program__id(p);
		if (!st->dispatcher)
			add_prog(st, p, false);
	} else if (!st->dispatcher) {
		/* Only an offloaded program: nothing of sixpn's. */
		st->mode = "hw";
	}
	if (st->dispatcher)
		for (p = xdp_multiprog__next_prog(NULL, mp); p && !libxdp_get_error(p);
		     p = xdp_multiprog__next_prog(p, mp))
			add_prog(st, p, true);
	xdp_multiprog__close(mp);
	return 0;
}

void sixpn_xdp_state_summary(const struct sixpn_xdp_state *st, char *buf, size_t size)
{
	if (st->sixpn < 0)
		snprintf(buf, size, "-");
	else if (!st->dispatcher)
		snprintf(buf, size, "%s/single", st->mode);
	else if (st->n > st->sixpn_count)
		snprintf(buf, size, "%s+%d", st->mode, st->n - st->sixpn_count);
	else
		snprintf(buf, size, "%s", st->mode);
}

void sixpn_xdp_others(const struct sixpn_xdp_state *st, char *buf, size_t size)
{
	size_t used = 0;
	int i, n;

	snprintf(buf, size, "none");
	for (i = 0; i < st->n && used < size; i++) {
		if (st->progs[i].sixpn)
			continue;
		if (st->dispatcher)
			n = snprintf(buf + used, size - used, "%s%s (id %u, priority %u)", used ? ", " : "",
				     st->progs[i].name, st->progs[i].id, st->progs[i].prio);
		else
			n = snprintf(buf + used, size - used, "%s%s (id %u)", used ? ", " : "",
				     st->progs[i].name, st->progs[i].id);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}
