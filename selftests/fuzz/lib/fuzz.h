/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Shared by the libFuzzer targets of selftests/fuzz/lib/ (one binary each,
 * built by selftests/libfuzz.mk into build/fuzz/): reading an input as
 * fields, the checks that turn a broken promise into a crash libFuzzer
 * reports, the registry fixture, and the seams the loader exposes to them
 * (only built with -DSIXPN_FUZZ). */
#ifndef SIXPN_FUZZ_H
#define SIXPN_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "host/wg.h"
#include "registry/registry.h"

/* A broken invariant is a finding like a crash: abort, which libFuzzer
 * records with the input that did it. */
#define FZ_CHECK(cond, ...) do {                                               \
	if (!(cond)) {                                                         \
		fprintf(stderr, "fuzz check failed: %s (%s:%d): ", #cond,      \
			__FILE__, __LINE__);                                   \
		fprintf(stderr, __VA_ARGS__);                                  \
		fputc('\n', stderr);                                           \
		abort();                                                       \
	}                                                                      \
} while (0)

/* A NUL within the array: what every fixed-size string field promises. */
#define FZ_TERMINATED(field) (strnlen((field), sizeof(field)) < sizeof(field))

/* The input, consumed front to back; past its end every read is 0/empty. */
struct fz {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fz_u8(struct fz *f)
{
	uint8_t v = 0;

	if (f->n) {
		v = *f->p++;
		f->n--;
	}
	return v;
}

static inline uint16_t fz_u16(struct fz *f)
{
	return (uint16_t)(fz_u8(f) << 8 | fz_u8(f));
}

/* Up to n bytes (fewer at the end); returns how many. */
static inline size_t fz_take(struct fz *f, size_t n, const uint8_t **out)
{
	if (n > f->n)
		n = f->n;
	*out = f->p;
	f->p += n;
	f->n -= n;
	return n;
}

/* An exact-size heap copy, so that ASan sees a read one byte past it. */
static inline void *fz_dup(const void *p, size_t n)
{
	void *c = malloc(n ? n : 1);

	if (!c)
		abort();
	memcpy(c, p, n);
	return c;
}

/* ---- fixture.c ------------------------------------------------------- */
/* The registry every resolver target reads: in memory (":memory:", the
 * real schema), filled once with the library calls sixpnctl makes, see
 * fixture.c for what is in it. Machine IDs are fixed (m000000000000N) so
 * that seeds can name them. Exits on failure. */
struct fz_fixture {
	struct reg *reg;
	uint32_t net_web, net_db, net_shop;  /* acme/default, acme/backend, globex/default */
	uint32_t host_ams, host_fra, host_sjc;
	struct sixpn_ip6 web_machine, db_machine, shop_machine, peer;
};
void fz_fixture(struct fz_fixture *fx);
/* Opens an empty registry in memory (the schema only); sets the log
 * threshold to errors (everything with FZ_VERBOSE set). */
struct reg *fz_registry_empty(void);

/* ---- the seams (loader/, under #ifdef SIXPN_FUZZ) --------------------- */
/* loader/host/netlink.c: when set, nl_talk() sends nothing and reads what
 * this returns (a negative return with errno set is a failed read). */
extern ssize_t (*sixpn_nl_fuzz_kernel)(void *buf, size_t len);
/* loader/host/wg.c, wg_genl.c: sixpn_wg_get()'s parsing of a UAPI get
 * answer read from fd, or of one buffer of a WG_CMD_GET_DEVICE dump. */
#include "host/wg_int.h"

/* The peer callback both WireGuard targets (wg_genl.c, wg_uapi.c) hand to
 * their parser: every peer handed out is whole (a terminated endpoint, its
 * allowed IPs there when counted); arg is a size_t, the peers seen. */
static inline int fz_wg_peer_cb(const struct sixpn_wg_peer_status *p, void *arg)
{
	size_t *peers = arg;

	FZ_CHECK(FZ_TERMINATED(p->endpoint), "unterminated endpoint");
	FZ_CHECK(!p->n_allowed_ips || p->allowed_ips, "%zu allowed IPs missing", p->n_allowed_ips);
	for (size_t i = 0; i < p->n_allowed_ips; i++)
		(void)*(volatile const uint8_t *)&p->allowed_ips[i].len; /* all there */
	(*peers)++;
	return 0;
}

#endif
