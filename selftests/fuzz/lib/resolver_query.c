// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer target: a client's DNS message through rsv_handle()
 * (loader/resolver/query.c, names.c, txt.c, nearest.c), answered from the
 * registry of fixture.c; no upstream, so a name outside internal. gets
 * SERVFAIL from the forwarder.
 *
 * Input: one byte for where the query comes from (bits 0-2: which source
 * address, bit 3: TCP instead of UDP), then the message as sent.
 *
 * Every message of 12 bytes or more without QR gets exactly one reply,
 * which fz_check_reply() holds to query.c's promises.
 *
 * Then the answer cache (cache.c): the message is asked again with another
 * ID and the case of its QNAME's letters flipped, from the cache (a hit
 * when the first reply was kept), and once more with the cache off. The
 * two replies must be byte for byte the same, and a hit must be the first
 * reply but for the ID and the QNAME's case. The cache lives across
 * inputs, as it lives across queries, validated before each as loop.c
 * validates it before each batch. */
#include "rsv_fuzz.h"

static struct fz_fixture fx;
static struct sixpn_resolver *rsv;
static struct sixpn_ip6 sources[8];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_fixture(&fx);
	rsv = fz_resolver(fx.reg, NULL, 0);
	sources[0] = fx.web_machine;                           /* acme, default */
	sources[1] = fx.db_machine;                            /* acme, backend */
	sources[2] = fx.shop_machine;                          /* globex */
	sources[3] = fx.peer;                                  /* a WireGuard peer */
	sixpn_compose(&sources[4], fx.net_web, 0xdead, 7, 2);  /* an unknown host */
	sixpn_compose(&sources[5], 0, fx.host_ams, 1, 2);      /* network 0 */
	sixpn_compose(&sources[6], 0x7fffffff, fx.host_ams, 1, 2); /* unbound */
	memset(&sources[7], 0, sizeof(sources[7]));            /* outside 6PN: 2001:db8::1 */
	sources[7].w[0] = sixpn_htons(0x2001);
	sources[7].w[1] = sixpn_htons(0x0db8);
	sources[7].w[7] = sixpn_htons(1);
	return 0;
}

/* Another ID, and the letters of the QNAME's labels in the other case
 * (up to a compression pointer or the message's end). */
static void flip(uint8_t *m, size_t n)
{
	size_t p = LDNS_HEADER_SIZE, i;

	m[0] ^= 0x5a;
	m[1] ^= 0xa5;
	while (p < n && m[p] && m[p] <= 63) {
		for (i = p + 1; i <= p + m[p] && i < n; i++)
			if ((m[i] | 0x20) >= 'a' && (m[i] | 0x20) <= 'z')
				m[i] ^= 0x20;
		p += 1 + m[p];
	}
}

/* Replies 1 (from the cache, maybe) and 2 (cache off) to msg2. */
static void check_cache(const uint8_t *msg, const uint8_t *msg2, size_t n, bool hit)
{
	size_t i;

	FZ_CHECK(fz_rsv.n_replies == 3, "%d replies to a query asked three times", fz_rsv.n_replies);
	FZ_CHECK(fz_rsv.reply_len[1] == fz_rsv.reply_len[2] &&
		 !memcmp(fz_rsv.reply[1], fz_rsv.reply[2], fz_rsv.reply_len[1]),
		 "the cached reply (%zu bytes) differs from the uncached one (%zu bytes)",
		 fz_rsv.reply_len[1], fz_rsv.reply_len[2]);
	if (!hit)
		return;
	FZ_CHECK(fz_rsv.reply_len[0] == fz_rsv.reply_len[1], "a hit of %zu bytes for a reply of %zu",
		 fz_rsv.reply_len[1], fz_rsv.reply_len[0]);
	for (i = 2; i < fz_rsv.reply_len[0]; i++) {
		uint8_t a = fz_rsv.reply[0][i], b = fz_rsv.reply[1][i];
		bool in_qname = i >= LDNS_HEADER_SIZE && i < n && msg[i] != msg2[i];

		FZ_CHECK(a == b || (in_qname && (a ^ b) == 0x20),
			 "a hit differs from the first reply at byte %zu", i);
	}
	FZ_CHECK(fz_rsv.reply[1][0] == msg2[0] && fz_rsv.reply[1][1] == msg2[1],
		 "a hit without the query's ID");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	uint8_t how = fz_u8(&f);
	struct rsv_origin o;
	uint8_t *msg = fz_dup(f.p, f.n), *msg2 = fz_dup(f.p, f.n);
	bool answers = f.n >= LDNS_HEADER_SIZE && !LDNS_QR_WIRE(f.p);
	uint64_t hits;
	uint32_t rotor;
	bool hit = false;

	fz_origin(&o, &sources[how & 7], how & 8);
	rsv_cache_validate(rsv);
	rsv_handle(rsv, &o, msg, f.n);
	FZ_CHECK(fz_rsv.n_replies == (answers ? 1 : 0), "%d replies to a %s", fz_rsv.n_replies,
		 answers ? "query" : "runt or response");
	if (answers) {
		fz_check_reply(0, msg, f.n);
		flip(msg2, f.n);
		hits = atomic_load(&rsv->stats.cache_hits);
		rotor = rsv->rotor;
		rsv_handle(rsv, &o, msg2, f.n);
		/* the same rotor for both: a rotated AAAA set is never kept */
		rsv->rotor = rotor;
		rsv->cache.off = true;
		rsv_handle(rsv, &o, msg2, f.n);
		rsv->cache.off = false;
		hit = atomic_load(&rsv->stats.cache_hits) > hits;
		check_cache(msg, msg2, f.n, hit);
		fz_check_reply(1, msg2, f.n);
	}
	if (answers && getenv("FZ_VERBOSE"))
		fprintf(stderr, "rcode %u, %u answers, TC %d, %zu bytes, asked again: %s\n",
			LDNS_RCODE_WIRE(fz_rsv.reply[0]), LDNS_ANCOUNT(fz_rsv.reply[0]),
			!!LDNS_TC_WIRE(fz_rsv.reply[0]), fz_rsv.reply_len[0],
			hit ? "cache hit" : "not from the cache");
	FZ_CHECK(rsv->n_fwds == 0, "a forward left pending without upstreams");
	fz_rsv_reset();
	free(msg);
	free(msg2);
	return 0;
}
