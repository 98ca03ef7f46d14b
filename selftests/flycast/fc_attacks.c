// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The runner of Flycast's attacker matrix (gen_fc_attacks.py writes it,
 * fc_oracle.py judges it): before every case, conntrack emptied and three
 * flows of the consumer established through the program (TCP, UDP, echo
 * to svc1, each translated exactly as the oracle said); then the case
 * through tc ingress of the consumer's or the backend's interface, held to
 * the oracle: the verdict, the one reason counted, the bytes out, and the
 * conntrack entries left (a dropped packet creates none).
 *
 *   fc_attacks --establish FILE   prints the SNAT address of each flow
 *   fc_attacks FILE [--show N]    runs every case; exit 1 on a mismatch */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fixtures.h"
#include "tc_skel.h"
#include "sixpn_maps.h"
#include "sixpn_flycast.h"
#include "packets.h"
#include "datapath/flycast.h"
#include "datapath/map_walk.h"
#include "datapath/stats.h"

#define OUT_MAX 4096
#define N_EST 3

struct est {
	const struct test_packet *in;
	__u8 want[OUT_MAX];
	size_t want_len;        /* 0: not known (--establish) */
};

static struct sixpn_tc *skel;
static struct est est[N_EST];
static int n_est, show = 20;

static int set_iface(int backend)
{
	struct sixpn_iface ifc = { .role = SIXPN_ROLE_INSTANCE, .prefix_len = 112, .l2_len = 14 };
	__u32 ifindex = FX_TEST_IFINDEX;

	ifc.net_id = backend ? FX_NET_B : FX_NET_A;
	sixpn_compose(&ifc.prefix, ifc.net_id, FX_HOST1, backend ? FX_INST_B : FX_INST, 0);
	return bpf_map_update_elem(bpf_map__fd(skel->maps.ifaces), &ifindex, &ifc, BPF_ANY);
}

/* svc1 (ports 80, 5353, the backend FX_INST_B_ADDR) and svc2 (no backend). */
static int add_service(__u32 svc_id, __u32 slot, const char *backend, const __u16 *ports,
		       __u32 nports)
{
	struct sixpn_fc_service svc = { .slot = slot, .app_net = FX_NET_B, .nports = nports };
	static uint32_t table[SIXPN_FC_MAGLEV_M];
	struct sixpn_ip6 key, addr;
	uint32_t idx = 0;
	__u32 i, k;
	int err = 0;

	for (i = 0; i < nports; i++)
		svc.ports[i] = ports[i];
	if (backend) {
		struct sixpn_fc_backend be = { 0 };

		if (inet_pton(AF_INET6, backend, be.addr.w) != 1)
			return -EINVAL;
		addr = be.addr;
		svc.nbackends = 1;
		k = slot * SIXPN_FC_MAX_BACKENDS;
		err |= bpf_map_update_elem(bpf_map__fd(skel->maps.fc_backends), &k, &be, BPF_ANY);
	}
	sixpn_fc_maglev(&addr, &idx, svc.nbackends, table);
	for (i = 0; i < SIXPN_FC_MAGLEV_M; i++) {
		k = slot * SIXPN_FC_MAGLEV_M + i;
		err |= bpf_map_update_elem(bpf_map__fd(skel->maps.fc_maglev), &k, &table[i], BPF_ANY);
	}
	sixpn_fc_service_addr(&key, FX_NET_A, svc_id);
	err |= bpf_map_update_elem(bpf_map__fd(skel->maps.fc_services), &key, &svc, BPF_ANY);
	return err;
}

static long ct_entries(void)
{
	struct sixpn_map_keys k;
	long n;

	if (sixpn_map_keys(bpf_map__fd(skel->maps.fc_ct), false, &k))
		return -1;
	n = (long)k.n;
	sixpn_map_keys_free(&k);
	return n;
}

static int ct_clear(void)
{
	int fd = bpf_map__fd(skel->maps.fc_ct);
	struct sixpn_map_keys k;
	size_t i;

	if (sixpn_map_keys(fd, false, &k))
		return -1;
	for (i = 0; i < k.n; i++)
		bpf_map_delete_elem(fd, sixpn_map_key(&k, i));
	sixpn_map_keys_free(&k);
	return ct_entries() == 0 ? 0 : -1;
}

static void read_counters(__u64 *c)
{
	__u32 r;

	for (r = 0; r < SIXPN_REASON_MAX; r++)
		c[r] = sixpn_stat_packets(bpf_map__fd(skel->maps.stats), SIXPN_HOOK_FROM_INSTANCE, r);
}

/* One packet through tc ingress: the reason it counted (-1: none or more
 * than one), its verdict and output. */
static int run(const void *data, size_t len, __u8 *out, __u32 *out_len, __u32 *retval)
{
	__u64 before[SIXPN_REASON_MAX], after[SIXPN_REASON_MAX];
	int reason = -1, n = 0;
	__u32 r;

	read_counters(before);
	*out_len = OUT_MAX;
	if (tc_prog_run(skel, FROM_INST, data, (__u32)len, out, out_len, retval))
		return -2;
	read_counters(after);
	for (r = 0; r < SIXPN_REASON_MAX; r++)
		if (after[r] != before[r]) {
			n++;
			reason = after[r] - before[r] == 1 ? (int)r : -1;
		}
	return n == 1 ? reason : -1;
}

/* Conntrack emptied and the three flows established as the oracle said. */
static int establish(int print)
{
	__u8 out[OUT_MAX];
	__u32 out_len, retval;
	char a[INET6_ADDRSTRLEN];
	int i;

	if (ct_clear() || set_iface(0))
		return -1;
	for (i = 0; i < n_est; i++) {
		if (run(est[i].in->data, est[i].in->len, out, &out_len, &retval) != SIXPN_PASS_FC_FORWARD ||
		    retval != TC_ACT_OK)
			return -1;
		if (print) {
			inet_ntop(AF_INET6, out + 14 + 8, a, sizeof(a));
			printf("%s\n", a);
		} else if (out_len != est[i].want_len || memcmp(out, est[i].want, out_len)) {
			return -1;
		}
	}
	return ct_entries() == 2 * n_est ? 0 : -1;
}

/* The transport checksum's residue behind hop-by-hop and destination
 * options headers (the cases' only chains that reach a transport): the
 * packet rebuilt without them, so packets.c's residue sees the segment. */
static int l4_residue(const __u8 *ip6, size_t len)
{
	__u8 buf[OUT_MAX];
	size_t off = 40, seg;
	__u8 nh = ip6[6];

	while ((nh == 0 || nh == 60) && off + 8 <= len) {
		nh = ip6[off];
		off += ((size_t)ip6[off + 1] + 1) * 8;
	}
	if (off > len || len > OUT_MAX)
		return -1;
	seg = len - off;
	memcpy(buf, ip6, 40);
	buf[4] = (__u8)(seg >> 8);
	buf[5] = (__u8)seg;
	buf[6] = nh;
	memcpy(buf + 40, ip6 + off, seg);
	return ipv6_l4_checksum_residue(buf, 40 + seg);
}

/* OUT `T`: the packet of a new flow, translated: to the backend, from a
 * SNAT address of HOST1 in B (word >= 0x100), nothing else changed but
 * the transport checksum, which must be valid. */
static int new_flow_ok(const __u8 *in, size_t len, const __u8 *out, size_t out_len)
{
	struct sixpn_ip6 be, src;
	size_t i, first;

	if (out_len != len || inet_pton(AF_INET6, FX_INST_B_ADDR, be.w) != 1)
		return 0;
	memcpy(&src, out + 14 + 8, 16);
	if (memcmp(out + 14 + 24, &be, 16) || !sixpn_fc_is_snat(&src) || sixpn_net_id(&src) != FX_NET_B ||
	    sixpn_host_id(&src) != FX_HOST1 || ntohs(src.w[7]) < SIXPN_FC_SNAT_FIRST)
		return 0;
	/* past the addresses, one 16-bit word may differ: the checksum */
	for (i = 0, first = 0; i < len; i++) {
		if (in[i] == out[i] || (i >= 14 + 8 && i < 14 + 40))
			continue;
		if (i < 14 + 40 || (first && (i - 14) / 2 != (first - 14) / 2))
			return 0;
		if (!first)
			first = i;
	}
	return l4_residue(out + 14, out_len - 14) == 0;
}

static int load_est(int with_want)
{
	size_t i;

	for (i = 0; i < packets_count() && n_est < N_EST; i++) {
		const struct test_packet *p = packet_at(i);
		const char *bar;

		if (strncmp(p->name, "@est|", 5))
			continue;
		est[n_est].in = p;
		bar = strchr(p->name + 5, '|');
		if (with_want) {
			if (!bar || strlen(bar + 1) / 2 > OUT_MAX)
				return -1;
			est[n_est].want_len = strlen(bar + 1) / 2;
			if (packets_hex_decode(bar + 1, est[n_est].want_len, est[n_est].want))
				return -1;
		}
		n_est++;
	}
	return n_est == N_EST ? 0 : -1;
}

static int fail(const char *id, const char *desc, const char *why)
{
	if (show-- > 0)
		printf("# mismatch %s %s: %s\n", id, desc, why);
	return 1;
}

/* ID|IFACE|REASON|OUT|CT|DESC */
static int run_case(const struct test_packet *p, unsigned *ran)
{
	char *copy = strdup(p->name), *f[6], *s = copy;
	__u8 out[OUT_MAX], want[OUT_MAX];
	__u32 out_len, retval;
	int n = 0, reason, bad = 0;
	__u32 expect;

	if (!copy)
		return -1;
	while (n < 6 && s) {
		f[n++] = s;
		s = n < 6 ? strchr(s, '|') : NULL;
		if (s)
			*s++ = '\0';
	}
	if (n != 6) {
		free(copy);
		return -1;
	}
	for (expect = 0; expect < SIXPN_REASON_MAX; expect++)
		if (!strcmp(sixpn_reason_names[expect], f[2]))
			break;
	if (expect == SIXPN_REASON_MAX || establish(0) || set_iface(!strcmp(f[1], "backend"))) {
		free(copy);
		return -1;
	}
	(*ran)++;
	reason = run(p->data, p->len, out, &out_len, &retval);
	if (reason != (int)expect) {
		char why[160];

		snprintf(why, sizeof(why), "counted %s, the oracle says %s",
			 reason >= 0 ? sixpn_reason_names[reason] : "none or several", f[2]);
		bad |= fail(f[0], f[5], why);
	} else if (retval != (sixpn_reason_is_drop(expect) ? TC_ACT_SHOT : TC_ACT_OK)) {
		bad |= fail(f[0], f[5], "verdict");
	} else if (!strcmp(f[3], "=")) {
		if (out_len != p->len || memcmp(out, p->data, p->len))
			bad |= fail(f[0], f[5], "bytes changed on a packet to pass untouched");
	} else if (!strcmp(f[3], "T")) {
		if (!new_flow_ok(p->data, p->len, out, out_len))
			bad |= fail(f[0], f[5], "a new flow not translated to the backend from a SNAT address");
	} else if (strcmp(f[3], "-")) {
		size_t wl = strlen(f[3]) / 2;

		if (wl > OUT_MAX || packets_hex_decode(f[3], wl, want) ||
		    out_len != wl || memcmp(out, want, wl))
			bad |= fail(f[0], f[5], "output bytes differ from the oracle's");
	}
	if (!bad && ct_entries() != atol(f[4]))
		bad |= fail(f[0], f[5], "conntrack entries left differ");
	free(copy);
	return bad;
}

int main(int argc, char **argv)
{
	static const __u16 svc1_ports[] = { 80, 5353 };
	struct sixpn_fc_config cfg = { .host_id = FX_HOST1 };
	unsigned ran = 0, bad = 0, bad_input = 0;
	int establish_only = 0, i;
	const char *file = NULL;
	__u32 zero = 0;
	size_t k;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--establish"))
			establish_only = 1;
		else if (!strcmp(argv[i], "--show") && i + 1 < argc)
			show = atoi(argv[++i]);
		else
			file = argv[i];
	}
	if (!file) {
		fprintf(stderr, "usage: fc_attacks [--establish] FILE [--show N]\n");
		return 2;
	}
	skel = tc_skel_setup(file);
	if (!skel)
		return 2;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.fc_config), &zero, &cfg, BPF_ANY) ||
	    add_service(1, 0, FX_INST_B_ADDR, svc1_ports, 2) || add_service(2, 1, NULL, NULL, 0) ||
	    load_est(!establish_only)) {
		fprintf(stderr, "fc_attacks: cannot set up the service maps or read @est lines\n");
		return 2;
	}
	if (establish_only) {
		i = establish(1) ? 2 : 0;
		sixpn_tc__destroy(skel);
		return i;
	}
	for (k = 0; k < packets_count(); k++) {
		const struct test_packet *p = packet_at(k);
		int r;

		if (p->name[0] == '@')
			continue;
		r = run_case(p, &ran);
		if (r < 0)
			bad_input++;
		else
			bad += (unsigned)r;
	}
	printf("# Flycast attacker matrix: cases %u, mismatches %u, unusable %u\n", ran, bad, bad_input);
	sixpn_tc__destroy(skel);
	return bad_input ? 2 : bad ? 1 : 0;
}
