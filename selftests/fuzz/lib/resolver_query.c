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
 * which fz_check_reply() holds to query.c's promises. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	uint8_t how = fz_u8(&f);
	struct rsv_origin o;
	uint8_t *msg = fz_dup(f.p, f.n);
	bool answers = f.n >= LDNS_HEADER_SIZE && !LDNS_QR_WIRE(f.p);

	fz_origin(&o, &sources[how & 7], how & 8);
	rsv_handle(rsv, &o, msg, f.n);
	FZ_CHECK(fz_rsv.n_replies == (answers ? 1 : 0), "%d replies to a %s", fz_rsv.n_replies,
		 answers ? "query" : "runt or response");
	if (answers)
		fz_check_reply(0, msg, f.n);
	if (answers && getenv("FZ_VERBOSE"))
		fprintf(stderr, "rcode %u, %u answers, TC %d, %zu bytes\n",
			LDNS_RCODE_WIRE(fz_rsv.reply[0]), LDNS_ANCOUNT(fz_rsv.reply[0]),
			!!LDNS_TC_WIRE(fz_rsv.reply[0]), fz_rsv.reply_len[0]);
	FZ_CHECK(rsv->n_fwds == 0, "a forward left pending without upstreams");
	fz_rsv_reset();
	free(msg);
	return 0;
}
