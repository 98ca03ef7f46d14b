// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "datapath/flycast.h"
#include "datapath/map_walk.h"

static uint32_t fnv1a(const void *p, size_t n, uint32_t h)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 16777619u;
	}
	return h;
}

void sixpn_fc_maglev(const struct sixpn_ip6 *addrs, const uint32_t *idx, size_t n,
		     uint32_t table[SIXPN_FC_MAGLEV_M])
{
	const uint32_t M = SIXPN_FC_MAGLEV_M;
	uint32_t *offset, *skip, *next, filled = 0, i, c;

	for (i = 0; i < M; i++)
		table[i] = SIXPN_FC_MAX_BACKENDS;
	if (!n)
		return;
	offset = calloc(n, sizeof(*offset));
	skip = calloc(n, sizeof(*skip));
	next = calloc(n, sizeof(*next));
	if (!offset || !skip || !next) {
		/* no memory for the permutations: every entry to one backend
		 * beats none */
		for (i = 0; i < M; i++)
			table[i] = idx[0];
		goto out;
	}
	for (i = 0; i < n; i++) {
		offset[i] = fnv1a(&addrs[i], sizeof(addrs[i]), 2166136261u) % M;
		skip[i] = fnv1a(&addrs[i], sizeof(addrs[i]), 0x811c9dc5u ^ 0x5bd1e995u) % (M - 1) + 1;
	}
	while (filled < M) {
		for (i = 0; i < n && filled < M; i++) {
			do {
				c = (uint32_t)((offset[i] + (uint64_t)next[i] * skip[i]) % M);
				next[i]++;
			} while (table[c] != SIXPN_FC_MAX_BACKENDS);
			table[c] = idx[i];
			filled++;
		}
	}
out:
	free(offset);
	free(skip);
	free(next);
}

int sixpn_fc_ct_forget_backend(int ct_fd, const struct sixpn_ip6 *addr)
{
	struct sixpn_map_keys k = { 0 };
	size_t i;
	int err = sixpn_map_keys(ct_fd, true, &k), gone = 0;

	if (err)
		return err;
	for (i = 0; i < k.n; i++) {
		const struct sixpn_fc_ct_key *key = sixpn_map_key(&k, i);
		const struct sixpn_fc_ct *ct = sixpn_map_value(&k, i);
		int hit = ct->dir == SIXPN_FC_CT_DIR_ORIG ? !memcmp(&ct->new_dst, addr, sizeof(*addr))
							  : !memcmp(&key->src, addr, sizeof(*addr));

		if (hit && !bpf_map_delete_elem(ct_fd, key) && ct->dir == SIXPN_FC_CT_DIR_ORIG)
			gone++;
	}
	sixpn_map_keys_free(&k);
	return gone;
}

const char *const sixpn_fc_proto_names[SIXPN_FC_P_MAX] = { "tcp", "udp", "icmpv6" };

static int proto_index(__u8 proto)
{
	switch (proto) {
	case 6:
		return SIXPN_FC_P_TCP;
	case 17:
		return SIXPN_FC_P_UDP;
	case 58:
		return SIXPN_FC_P_ICMPV6;
	}
	return -1;
}

int sixpn_fc_flows_count(int ct_fd, uint64_t now_ns, struct sixpn_fc_flows *out)
{
	struct sixpn_map_keys k = { 0 };
	size_t i;
	int err = sixpn_map_keys(ct_fd, true, &k);

	memset(out, 0, sizeof(*out));
	if (err)
		return err;
	for (i = 0; i < k.n; i++) {
		const struct sixpn_fc_ct_key *key = sixpn_map_key(&k, i);
		const struct sixpn_fc_ct *ct = sixpn_map_value(&k, i);
		int p = proto_index(key->proto);

		if (ct->expires_ns < now_ns)
			out->expired++;
		else if (ct->dir == SIXPN_FC_CT_DIR_ORIG && p >= 0)
			out->live[p][ct->state == SIXPN_FC_ST_CLOSING]++;
	}
	sixpn_map_keys_free(&k);
	return 0;
}

int sixpn_fc_backends_fill(int backends_fd, __u64 *held, __u64 *capacity)
{
	static const struct sixpn_ip6 zero;
	struct sixpn_map_keys k = { 0 };
	size_t i;
	int err = sixpn_map_keys(backends_fd, true, &k);

	*held = 0;
	*capacity = SIXPN_FC_MAX_SERVICES * SIXPN_FC_MAX_BACKENDS;
	if (err)
		return err;
	for (i = 0; i < k.n; i++) {
		const struct sixpn_fc_backend *be = sixpn_map_value(&k, i);

		if (memcmp(&be->addr, &zero, sizeof(zero)))
			(*held)++;
	}
	sixpn_map_keys_free(&k);
	return 0;
}
