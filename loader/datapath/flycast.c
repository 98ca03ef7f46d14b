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

		if (hit && !bpf_map_delete_elem(ct_fd, key))
			gone++;
	}
	sixpn_map_keys_free(&k);
	return gone;
}
