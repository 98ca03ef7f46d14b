// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "fz_gen.h"

#include <stddef.h>
#include <string.h>
#include "fz_rng.h"

#define FZ_RECIPE_DOC(name, doc) doc,
const char *const fz_recipe_docs[] = { FZ_RECIPES(FZ_RECIPE_DOC) };
#undef FZ_RECIPE_DOC

#define DNS_MAX 1400 /* generated messages; a frame stays well under a page */

/* One packet being built. `clean` turns every odd choice off (the sweeps). */
struct gen {
	struct fz_rng r;
	struct fz_case *c;
	int clean;
	int answerable_names;	/* mostly names with addresses */
	uint8_t m[DNS_MAX + 512];
	uint32_t ml;
};

static int odd(struct gen *g, uint32_t pct)
{
	return !g->clean && fz_chance(&g->r, pct);
}

static void mark(struct gen *g, enum fz_recipe what)
{
	g->c->recipe |= 1u << what;
}

static void put(struct gen *g, const void *p, uint32_t n)
{
	if (g->ml + n > DNS_MAX)
		n = DNS_MAX - g->ml;
	memcpy(g->m + g->ml, p, n);
	g->ml += n;
}

static void put8(struct gen *g, uint8_t v)
{
	put(g, &v, 1);
}

static void put16(struct gen *g, uint16_t v)
{
	uint8_t b[2];

	fz_put16(b, v);
	put(g, b, 2);
}

static void put32(struct gen *g, uint32_t v)
{
	uint8_t b[4];

	fz_put32(b, v);
	put(g, b, 4);
}

static void put_random(struct gen *g, uint32_t n)
{
	while (n--)
		put8(g, (uint8_t)fz_next(&g->r));
}

/* Dotted text (no escapes) as wire labels, ending with the root. */
static void put_text_name(struct gen *g, const char *text, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t j = i;

		while (j < len && text[j] != '.')
			j++;
		if (j > i) {
			put8(g, (uint8_t)(j - i));
			put(g, text + i, (uint32_t)(j - i));
		}
		i = j + 1;
	}
	put8(g, 0);
}

/* An entry of the map: mostly of the asking network; with `answerable`, one
 * the fast path answers AAAA for (1..8 addresses, no flags). */
static int entry_wanted(const struct fz_name *e, __u32 net, int answerable)
{
	return e->net == net &&
	       (!answerable || (e->n > 0 && e->n <= SIXPN_DNS_MAX_ADDRS && !e->flags));
}

static const struct fz_name *random_entry(struct gen *g, int answerable)
{
	__u32 net = fz_iface_net(g->c->iface);
	size_t i, own = 0;

	for (i = 0; i < fz_names_n; i++)
		own += entry_wanted(&fz_names[i], net, answerable);
	if (own && fz_chance(&g->r, 75)) {
		size_t k = fz_below(&g->r, (uint32_t)own);

		for (i = 0; i < fz_names_n; i++)
			if (entry_wanted(&fz_names[i], net, answerable) && !k--)
				return &fz_names[i];
	}
	return &fz_names[fz_below(&g->r, (uint32_t)fz_names_n)];
}

/* 0x20: each letter's case at random (the reply must copy it exactly). */
static void random_case(struct gen *g, char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') && fz_chance(&g->r, 40))
			s[i] ^= 0x20;
}

static size_t random_label(struct gen *g, char *out)
{
	static const char *const fixed[] = { "x", "top2", "top1", "zz9", "1a2b3c4d", "global", "vm",
					     "ams", "www", "_peer", "*", "of", "nearest", "k" };
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t n, i;

	if (fz_chance(&g->r, 60)) {
		const char *f = fixed[fz_below(&g->r, sizeof(fixed) / sizeof(fixed[0]))];

		n = strlen(f);
		memcpy(out, f, n);
		return n;
	}
	n = 1 + fz_below(&g->r, 12);
	for (i = 0; i < n; i++)
		out[i] = alnum[fz_below(&g->r, sizeof(alnum) - 1)];
	return n;
}

/* Names a program could get wrong by structure: pointers, label types,
 * names at and past the length limits. */
static void put_structural_name(struct gen *g)
{
	uint32_t i, n;
	char lab[64];

	switch (fz_below(&g->r, 10)) {
	case 7: { /* labels that spell a map name in text form: "web.internal"
		   * as one label, or "web" + "internal\0junk" */
		const struct fz_name *e = random_entry(g, 1);
		size_t len = strlen(e->name);
		const char *dot = strrchr(e->name, '.');

		if (fz_chance(&g->r, 50)) { /* all of it, or all but the zone, in one label */
			size_t first = fz_chance(&g->r, 50) ? len : (size_t)(dot - e->name);

			put8(g, (uint8_t)first);
			put(g, e->name, (uint32_t)first);
			if (first < len)
				put_text_name(g, dot + 1, len - first - 1);
			else
				put8(g, 0);
		} else { /* a NUL, then more, inside a label */
			put_text_name(g, e->name, len);
			g->ml--;
			g->m[g->ml - 9] += 4;     /* "internal" is the last label */
			put(g, "\0xyz", 4);
			put8(g, 0);
		}
		break;
	}
	case 8: /* many short labels: up to 30 */
		n = 10 + fz_below(&g->r, 21);
		for (i = 0; i < n; i++) {
			put8(g, 1);
			put8(g, (uint8_t)('a' + fz_below(&g->r, 26)));
		}
		put_text_name(g, "internal", 8);
		break;
	case 9: { /* a map name with a label longer by one, or a byte dropped */
		const struct fz_name *e = random_entry(g, 1);
		char text[80];
		size_t len = strlen(e->name), at = fz_below(&g->r, (uint32_t)len - 9);

		memcpy(text, e->name, len);
		if (text[at] != '.' && fz_chance(&g->r, 50)) {
			memmove(text + at + 1, text + at, len - at);
			len++;
		} else if (text[at] != '.' && (at == 0 || text[at - 1] != '.' || text[at + 1] != '.')) {
			memmove(text + at, text + at + 1, len - at - 1);
			len--;
		}
		put_text_name(g, text, len);
		break;
	}
	case 0: /* the whole name a pointer (to the header, to itself, past the end) */
		put8(g, 0xc0 | (uint8_t)fz_below(&g->r, 2));
		put8(g, (uint8_t)FZ_PICK(&g->r, ((const uint32_t[]){ 0, 12, 13, 0xff })));
		break;
	case 1: /* labels, then a pointer */
		put_text_name(g, "web", 3);
		g->ml--;
		put8(g, 0xc0);
		put8(g, (uint8_t)FZ_PICK(&g->r, ((const uint32_t[]){ 12, 16, 20, 0 })));
		break;
	case 2: /* extended (0x40) and reserved (0x80) label types */
		put8(g, (uint8_t)(0x40 + fz_below(&g->r, 0x80)));
		put(g, "webinternal", 11);
		put8(g, 0);
		break;
	case 3: /* a 64-byte label */
		memset(lab, 'k', sizeof(lab));
		put8(g, 64);
		put(g, lab, 64);
		put_text_name(g, "internal", 8);
		break;
	case 4: /* more than 255 bytes on the wire */
		n = 4 + fz_below(&g->r, 2);
		memset(lab, 'k', sizeof(lab));
		for (i = 0; i < n; i++) {
			put8(g, 63);
			put(g, lab, 63);
		}
		put_text_name(g, "internal", 8);
		break;
	case 5: { /* exactly at the wire limit (255) or one below, under internal. */
		uint32_t total = 254 + fz_below(&g->r, 3), left = total - 10; /* "internal" + root */

		memset(lab, 'q', sizeof(lab));
		while (left) {
			uint32_t l = left - 1 > 63 ? 63 : left - 1;

			if (l == 0) { /* a lone byte left: lengthen nothing, stop */
				break;
			}
			put8(g, (uint8_t)l);
			put(g, lab, l);
			left -= l + 1;
		}
		put_text_name(g, "internal", 8);
		break;
	}
	default: /* a label whose length runs past the message */
		put8(g, (uint8_t)(10 + fz_below(&g->r, 50)));
		put(g, "web", 3);
		break;
	}
}

/* The question name. */
static void put_qname(struct gen *g)
{
	static const char *const outside[] = {
		"example.com", "internal.com", "xinternal", "web.internal.example",
		"web.internals", "web.interna", "local", "localhost", "web.internal.internal",
		"flycast", "web.flycast", "x.web.flycast", "web.flycasts",
		"internal.internal", "in-addr.arpa", "a.b.c.d.e.f.g",
	};
	char text[300];
	size_t len;
	const struct fz_name *e;
	uint32_t how = g->clean ? fz_below(&g->r, 60) : fz_below(&g->r, 100);

	if (g->answerable_names)
		how = how < 40 ? 0 : how;

	if (how < 45) {
		e = random_entry(g, how < 25);
		len = strlen(e->name);
		memcpy(text, e->name, len);
	} else if (how < 60) { /* a child of a name */
		e = random_entry(g, 0);
		len = random_label(g, text);
		text[len++] = '.';
		memcpy(text + len, e->name, strlen(e->name));
		len += strlen(e->name);
	} else if (how < 65) { /* a parent: an empty non-terminal or the apex */
		const char *dot;

		e = random_entry(g, 0);
		dot = strchr(e->name, '.');
		len = strlen(dot + 1);
		memcpy(text, dot + 1, len);
	} else if (how < 72) { /* made up, under internal. */
		uint32_t i, n = 1 + fz_below(&g->r, 3);

		for (i = 0, len = 0; i < n; i++) {
			len += random_label(g, text + len);
			text[len++] = '.';
		}
		memcpy(text + len, "internal", 8);
		len += 8;
	} else if (how < 78) {
		const char *o = outside[fz_below(&g->r, sizeof(outside) / sizeof(outside[0]))];

		len = strlen(o);
		memcpy(text, o, len);
	} else if (how < 84) { /* around the key limit: 58..70 characters */
		uint32_t target = 58 + fz_below(&g->r, 13), first;

		e = fz_chance(&g->r, 50) ? NULL : random_entry(g, 0);
		len = e ? strlen(e->name) : 12;
		memcpy(text, e ? e->name : "abc.internal", len);
		if (target > len + 1) {
			first = target - (uint32_t)len - 1;
			if (first > 63)
				first = 63;
			memmove(text + first + 1, text, len);
			memset(text, 'k', first);
			text[first] = '.';
			len += first + 1;
		}
	} else if (how < 92) { /* one odd byte in a label of a name of the map */
		static const uint32_t bytes[] = { '.', 0, ' ', 0x7f, 0x80, 0xff, 0x0d, 0x10, 0x1f,
						  '@', '[', '`', '{' };
		uint32_t start = g->ml, at;

		mark(g, FZ_G_ODD_NAME);
		e = random_entry(g, 0);
		put_text_name(g, e->name, strlen(e->name));
		/* wire byte start + 1 + i is text byte i, or a length byte where
		 * the text has its '.': then take the next label's first byte */
		at = start + 1 + fz_below(&g->r, g->ml - start - 2);
		if (e->name[at - start - 1] == '.')
			at++;
		switch (fz_below(&g->r, 4)) {
		case 0: g->m[at] ^= 0x20; break;
		case 1: g->m[at] ^= (uint8_t)(1u << fz_below(&g->r, 8)); break;
		case 2: g->m[at] = (uint8_t)fz_next(&g->r); break;
		default: g->m[at] = (uint8_t)FZ_PICK(&g->r, bytes); break;
		}
		return;
	} else if (how < 97) {
		mark(g, FZ_G_ODD_NAME);
		put_structural_name(g);
		return;
	} else {
		static const char *const tops[] = { "", "internal", "INTERNAL", "InTeRnAl" };
		const char *t = tops[fz_below(&g->r, 4)];

		len = strlen(t);
		memcpy(text, t, len);
	}
	if (fz_chance(&g->r, 50))
		random_case(g, text, len);
	put_text_name(g, text, len);
}

static uint16_t random_qtype(struct gen *g)
{
	static const uint32_t special[] = { 0, 1, 2, 5, 6, 12, 15, 16, 28, 33, 41, 43, 46, 47, 48,
					    50, 52, 64, 65, 99, 127, 128, 249, 250, 251, 252, 253,
					    254, 255, 256, 257, 32768, 32769, 65280, 65534, 65535 };
	uint32_t r = fz_below(&g->r, 100);

	if (r < 50)
		return FZ_T_AAAA;
	if (r < 60)
		return FZ_T_A;
	if (g->clean || r < 75)
		return (uint16_t)FZ_PICK(&g->r, special);
	if (r < 88)
		return (uint16_t)fz_below(&g->r, 300);
	return (uint16_t)fz_next(&g->r);
}

static uint16_t random_class(struct gen *g)
{
	static const uint32_t classes[] = { 0, 2, 3, 4, 254, 255, 256, 0x8001, 0xffff };

	if (!odd(g, 8))
		return FZ_C_IN;
	return fz_chance(&g->r, 70) ? (uint16_t)FZ_PICK(&g->r, classes) : (uint16_t)fz_next(&g->r);
}

/* One EDNS option (RFC 6891 6.1.2): well-formed for its code unless `odd`. */
static void put_option(struct gen *g)
{
	static const uint32_t cookie_ok[] = { 8, 8, 8, 16, 24, 32, 40 };
	static const uint32_t cookie_bad[] = { 0, 1, 5, 7, 9, 12, 15, 41, 48 };
	uint32_t len;

	switch (fz_below(&g->r, 9)) {
	case 0:
	case 1:
		len = odd(g, 20) ? FZ_PICK(&g->r, cookie_bad) : FZ_PICK(&g->r, cookie_ok);
		put16(g, FZ_OPT_COOKIE);
		put16(g, (uint16_t)len);
		put_random(g, len);
		break;
	case 2: /* NSID, asked with an empty option */
		put16(g, 3);
		put16(g, 0);
		break;
	case 3: /* padding, now and then most of a packet's worth */
		len = fz_chance(&g->r, 95) ? fz_below(&g->r, 100) : 200 + fz_below(&g->r, 1000);
		put16(g, 12);
		put16(g, (uint16_t)len);
		while (len--)
			put8(g, 0);
		break;
	case 4: { /* client subnet: family, source and scope prefix, address */
		uint32_t fam = 1 + fz_below(&g->r, 2), bits = fz_below(&g->r, fam == 1 ? 33 : 129);

		len = (bits + 7) / 8;
		put16(g, 8);
		put16(g, (uint16_t)(4 + len));
		put16(g, (uint16_t)fam);
		put8(g, (uint8_t)bits);
		put8(g, 0);
		put_random(g, len);
		break;
	}
	case 5: /* TCP keepalive: empty in a query */
		put16(g, 11);
		put16(g, 0);
		break;
	case 6: /* key tags */
		len = 2 * fz_below(&g->r, 4);
		put16(g, 14);
		put16(g, (uint16_t)len);
		put_random(g, len);
		break;
	case 7: /* expire, chain (root) */
		if (fz_chance(&g->r, 50)) {
			put16(g, 9);
			put16(g, 0);
		} else {
			put16(g, 13);
			put16(g, 1);
			put8(g, 0);
		}
		break;
	default: /* unknown and local/experimental codes */
		len = fz_below(&g->r, 20);
		put16(g, fz_chance(&g->r, 50) ? (uint16_t)(65001 + fz_below(&g->r, 534))
					      : (uint16_t)fz_next(&g->r));
		put16(g, (uint16_t)len);
		put_random(g, len);
		break;
	}
}

/* An OPT record (RFC 6891 6.1.2-6.1.3). */
static void put_opt(struct gen *g, int sweep_size, uint16_t size)
{
	static const uint32_t sizes[] = { 0, 1, 100, 511, 512, 513, 1024, 1231, 1232, 1233,
					  1400, 1452, 4096, 8192, 65535 };
	static const uint32_t versions[] = { 1, 2, 127, 255 };
	uint32_t ttl = 0, rdlen_at, start, n, i;

	mark(g, FZ_G_EDNS);
	if (odd(g, 5)) { /* owner not the root */
		mark(g, FZ_G_EDNS_ODD);
		if (fz_chance(&g->r, 50))
			put_text_name(g, "a", 1);
		else
			put16(g, 0xc00c);
	} else {
		put8(g, 0);
	}
	put16(g, FZ_T_OPT);
	if (!sweep_size)
		size = fz_chance(&g->r, 85) ? (uint16_t)FZ_PICK(&g->r, sizes) : (uint16_t)fz_next(&g->r);
	put16(g, size);
	if (odd(g, 8))
		ttl |= (uint32_t)(uint8_t)fz_next(&g->r) << 24; /* extended RCODE bits */
	if (odd(g, 10)) {
		mark(g, FZ_G_EDNS_ODD);
		ttl |= (fz_chance(&g->r, 70) ? FZ_PICK(&g->r, versions) : (uint8_t)fz_next(&g->r)) << 16;
	}
	if (fz_chance(&g->r, 50))
		ttl |= 0x8000; /* DO */
	if (odd(g, 6))
		ttl |= (uint32_t)fz_next(&g->r) & 0x7fff; /* Z: ignored */
	put32(g, ttl);
	rdlen_at = g->ml;
	put16(g, 0);
	start = g->ml;
	n = fz_below(&g->r, 100);
	n = n < 50 ? 0 : n < 80 ? 1 : n < 92 ? 2 : n < 97 ? 3 : 5 + fz_below(&g->r, 36);
	if (n)
		mark(g, FZ_G_EDNS_OPTIONS);
	for (i = 0; i < n; i++)
		put_option(g);
	if (odd(g, 10)) {
		mark(g, FZ_G_EDNS_ODD);
		switch (fz_below(&g->r, 3)) {
		case 0: /* half an option header */
			put_random(g, 1 + fz_below(&g->r, 3));
			break;
		case 1: /* the last option's length runs past the RDATA */
			if (g->ml >= start + 4) {
				uint32_t at = start;

				while (at + 4 + fz_get16(g->m + at + 2) < g->ml)
					at += 4 + fz_get16(g->m + at + 2);
				fz_put16(g->m + at + 2, (uint16_t)(fz_get16(g->m + at + 2) + 1 +
								  fz_below(&g->r, 5)));
			} else {
				put16(g, 10);
				put16(g, 8);
				put_random(g, 4);
			}
			break;
		default: /* RDLENGTH past the message */
			fz_put16(g->m + rdlen_at, (uint16_t)(g->ml - start + 1 + fz_below(&g->r, 10)));
			return;
		}
	}
	fz_put16(g->m + rdlen_at, (uint16_t)(g->ml - start));
}

/* A TSIG record (RFC 8945 4.2), signed with a key the server cannot have. */
static void put_tsig(struct gen *g, uint16_t id)
{
	uint32_t rdlen_at, start;

	mark(g, FZ_G_TSIG);
	switch (fz_below(&g->r, 3)) { /* the key's name; the root too, like an OPT's */
	case 0: put_text_name(g, "key", 3); break;
	case 1: put_text_name(g, "hmac.key.internal", 17); break;
	default: put8(g, 0); break;
	}
	put16(g, FZ_T_TSIG);
	put16(g, 255);
	put32(g, 0);
	rdlen_at = g->ml;
	put16(g, 0);
	start = g->ml;
	put_text_name(g, "hmac-sha256", 11);
	put_random(g, 6);  /* time signed */
	put16(g, 300);     /* fudge */
	put16(g, 32);      /* MAC size */
	put_random(g, 32);
	put16(g, id);      /* original ID */
	put16(g, 0);       /* error */
	put16(g, 0);       /* other len */
	fz_put16(g->m + rdlen_at, (uint16_t)(g->ml - start));
}

static void put_random_rr(struct gen *g)
{
	uint32_t len = fz_below(&g->r, 17);

	mark(g, FZ_G_ODD_RECORDS);
	if (fz_chance(&g->r, 50))
		put8(g, 0);
	else
		put16(g, 0xc00c);
	put16(g, fz_chance(&g->r, 50) ? FZ_T_A : (uint16_t)fz_next(&g->r));
	put16(g, FZ_C_IN);
	put32(g, (uint32_t)fz_next(&g->r));
	put16(g, (uint16_t)len);
	put_random(g, len);
}

enum sweep { SW_NONE, SW_CLEAN_AAAA, SW_FLAGS, SW_QTYPE, SW_TRUNCATE, SW_CLASS, SW_EDNS_SIZE };

/* The DNS message, into g->m. */
static void build_dns(struct gen *g, enum sweep sw, uint16_t sweep_val)
{
	uint16_t id = (uint16_t)fz_next(&g->r), flags = 0, an = 0, ns = 0, ar = 0;
	uint32_t r;

	if (sw == SW_FLAGS) {
		flags = sweep_val;
	} else {
		flags |= fz_chance(&g->r, 70) ? 0x0100 : 0; /* RD */
		flags |= fz_chance(&g->r, 15) ? 0x0010 : 0; /* CD */
		flags |= fz_chance(&g->r, 10) ? 0x0020 : 0; /* AD */
		if (odd(g, 10))
			flags ^= (uint16_t)(1u << fz_below(&g->r, 16));
		if (odd(g, 3))
			flags = (uint16_t)fz_next(&g->r);
	}
	put16(g, id);
	put16(g, flags);
	put16(g, 1);
	put16(g, 0);
	put16(g, 0);
	put16(g, 0);
	put_qname(g);
	put16(g, sw == SW_QTYPE ? sweep_val
		 : sw == SW_CLEAN_AAAA && fz_chance(&g->r, 80) ? FZ_T_AAAA : random_qtype(g));
	put16(g, sw == SW_CLASS ? sweep_val : random_class(g));

	r = sw == SW_EDNS_SIZE ? 50 : g->clean ? fz_below(&g->r, 80) : fz_below(&g->r, 100);
	if (r < 40) {
	} else if (r < 80) {
		put_opt(g, sw == SW_EDNS_SIZE, sweep_val);
		ar = 1;
	} else if (r < 86) {
		put_tsig(g, id);
		ar = 1;
	} else if (r < 89) {
		put_opt(g, 0, 0);
		put_tsig(g, id);
		ar = 2;
	} else if (r < 91) {
		put_tsig(g, id);
		put_opt(g, 0, 0);
		ar = 2;
	} else if (r < 93) {
		mark(g, FZ_G_ODD_RECORDS);
		put_opt(g, 0, 0);
		put_opt(g, 0, 0);
		ar = 2;
	} else if (r < 95) {
		put_random_rr(g);
		ar = 1;
	} else if (r < 97) {
		mark(g, FZ_G_ODD_RECORDS);
		put_opt(g, 0, 0);
		an = 1;
	} else if (r < 99) {
		mark(g, FZ_G_ODD_RECORDS);
		put_opt(g, 0, 0);
		ns = 1;
	} else {
		put_random_rr(g);
		put_opt(g, 0, 0);
		ar = 2;
	}
	fz_put16(g->m + 6, an);
	fz_put16(g->m + 8, ns);
	fz_put16(g->m + 10, ar);
	if (odd(g, 3)) {
		mark(g, FZ_G_TRAILING);
		put_random(g, 1 + fz_below(&g->r, 8));
	}
	if (odd(g, 4)) {
		static const uint32_t counts[] = { 0, 1, 2, 3, 0x100, 0xffff };

		mark(g, FZ_G_ODD_COUNTS);
		fz_put16(g->m + 4 + 2 * fz_below(&g->r, 4), (uint16_t)FZ_PICK(&g->r, counts));
	}
}

static void mutate_dns(struct gen *g)
{
	uint32_t r = fz_below(&g->r, 100), at, i, n;

	if (r >= 30 || !g->ml)
		return;
	mark(g, FZ_G_DNS_MUTATED);
	at = fz_below(&g->r, g->ml);
	if (r < 10) {
		g->ml = at;
	} else if (r < 18) {
		n = 1 + fz_below(&g->r, 3);
		for (i = 0; i < n; i++) {
			at = fz_below(&g->r, g->ml);
			g->m[at] ^= (uint8_t)(1u << fz_below(&g->r, 8));
		}
	} else if (r < 22) {
		g->m[at] = (uint8_t)fz_next(&g->r);
	} else if (r < 25) {
		memmove(g->m + at + 1, g->m + at, g->ml - at);
		g->m[at] = (uint8_t)fz_next(&g->r);
		g->ml++;
	} else if (r < 28) {
		memmove(g->m + at, g->m + at + 1, g->ml - at - 1);
		g->ml--;
	} else { /* a chunk of itself again, at the end */
		n = 1 + fz_below(&g->r, g->ml - at > 200 ? 200 : g->ml - at);
		memcpy(g->m + g->ml, g->m + at, n);
		g->ml += n;
	}
}

static void put_addr(uint8_t *p, const struct sixpn_ip6 *a)
{
	memcpy(p, a->w, 16);
}

static void choose_src(struct gen *g, uint8_t *p)
{
	static const uint8_t others[][16] = {
		{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },	    /* outside 6PN */
		{ 0xfe, 0x80, [15] = 1 },		    /* link-local */
		{ [15] = 1 },				    /* ::1 */
		{ 0 },					    /* :: */
		{ 0xff, 0x02, [15] = 1 },		    /* multicast */
		{ 0xfd, 0xaa, [15] = 3 },		    /* the DNS address itself */
		{ 0xfd, 0xaa, 0, 0, 0, 0x18, [15] = 3 },    /* network A's ::3 */
		{ [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 },  /* v4-mapped */
	};
	enum fz_iface_id ifc = g->c->iface == FZ_IF_NONE ? FZ_IF_A : g->c->iface;
	struct sixpn_ip6 a;
	uint32_t r = g->clean ? 0 : fz_below(&g->r, 100);

	fz_iface_prefix(ifc, &a);
	a.w[7] = sixpn_htons(2);
	if (r >= 88)
		mark(g, FZ_G_ODD_SRC);
	if (r < 84) {
	} else if (r < 88) {
		a.w[7] = (__be16)fz_next(&g->r); /* still in the /112 */
	} else if (r < 90) {
		fz_iface_prefix(ifc, &a);        /* a neighbour's /112 */
		a.w[6] ^= sixpn_htons(0x80);
		a.w[7] = sixpn_htons(2);
	} else if (r < 93) {
		fz_iface_prefix(ifc == FZ_IF_A ? FZ_IF_B : FZ_IF_A, &a); /* another network */
		a.w[7] = sixpn_htons(2);
	} else if (r < 96) {
		uint32_t bit = fz_below(&g->r, 112);

		((uint8_t *)a.w)[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
	} else {
		memcpy(a.w, others[fz_below(&g->r, sizeof(others) / sizeof(others[0]))], 16);
	}
	put_addr(p, &a);
}

static void choose_dst(struct gen *g, uint8_t *p)
{
	static const uint8_t dns[16] = { 0xfd, 0xaa, [15] = 3 };
	static const uint8_t others[][16] = {
		{ 0xff, 0x02, [15] = 0xfb },
		{ 0xfe, 0x80, [15] = 1 },
		{ 0xfd, 0xaa },
		{ 0xfd, 0xaa, [15] = 0x53 },
		{ 0x20, 0x01, 0x48, 0x60, 0x48, 0x60, [14] = 0x88, 0x88 },
		{ 0xfd, 0xaa, 0, 0, 0, 0x18, 0x0a, 0x7b, 0x0d, 0x6b, 0, 0, 0, 0x0a, 0, 2 },
	};
	uint32_t r = g->clean ? 0 : fz_below(&g->r, 100);

	memcpy(p, dns, 16);
	if (r < 94)
		return;
	mark(g, FZ_G_ODD_DST);
	if (r < 96) {
		struct sixpn_ip6 a;

		sixpn_compose(&a, fz_iface_net(g->c->iface), 0, 0, 3);
		put_addr(p, &a);
	} else if (r < 98) {
		uint32_t bit = fz_below(&g->r, 128);

		p[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
	} else {
		memcpy(p, others[fz_below(&g->r, sizeof(others) / sizeof(others[0]))], 16);
	}
}

/* Extension headers (RFC 8200 4.3-4.5, 8754 for the segment routing one);
 * returns the next header value of the first one and fills `out`. */
static uint32_t put_ext_headers(struct gen *g, uint8_t *out, uint8_t *first, uint8_t last)
{
	uint32_t n = 1 + fz_below(&g->r, 4), i, off = 0, len;
	uint8_t *nh = first;

	mark(g, FZ_G_EXT_HDR);
	for (i = 0; i < n; i++) {
		uint8_t *h = out + off;
		uint32_t kind = fz_below(&g->r, 12);

		memset(h, 0, 40);
		switch (kind) {
		case 0: case 1: case 2: case 3: /* hop-by-hop or destination options */
			*nh = kind < 2 ? FZ_IPPROTO_HOPOPTS : FZ_IPPROTO_DSTOPTS;
			len = 8 * (1 + fz_below(&g->r, 2));
			h[1] = (uint8_t)(len / 8 - 1);
			if (kind & 1) {	/* PadN filling the header */
				h[2] = 1;
				h[3] = (uint8_t)(len - 4);
			} else if (fz_chance(&g->r, 50)) { /* router alert, then PadN */
				h[2] = 5;
				h[3] = 2;
				h[6] = 1;
				h[7] = (uint8_t)(len - 8);
			} else { /* an unknown option: skip (00), discard (01), ICMP (1x) */
				h[2] = (uint8_t)(fz_below(&g->r, 4) << 6 | 0x1e);
				h[3] = (uint8_t)(len - 4);
			}
			break;
		case 4: case 5: /* routing (segment routing), segments left 0 or 1 */
			*nh = FZ_IPPROTO_ROUTING;
			len = 24;
			h[1] = 2;
			h[2] = 4;
			h[3] = (uint8_t)(kind - 4);
			h[8] = 0xfd;
			h[9] = 0xaa;
			h[23] = 3;
			break;
		case 6: case 7: case 8: /* fragment: atomic, first, or a later one */
			*nh = FZ_IPPROTO_FRAGMENT;
			len = 8;
			fz_put16(h + 2, kind == 6 ? 0 : kind == 7 ? 1 : 100 << 3);
			fz_put32(h + 4, (uint32_t)fz_next(&g->r));
			break;
		case 9: /* AH with a 12-byte ICV */
			*nh = FZ_IPPROTO_AH;
			len = 24;
			h[1] = 4;
			fz_put32(h + 4, 0x100);
			fz_put32(h + 8, 1);
			break;
		case 10: /* a header whose length runs far past the packet */
			*nh = FZ_IPPROTO_DSTOPTS;
			len = 8;
			h[1] = 200;
			h[2] = 1;
			h[3] = 4;
			break;
		default: /* routing type 0 (deprecated) with segments left 0 */
			*nh = FZ_IPPROTO_ROUTING;
			len = 24;
			h[1] = 2;
			h[2] = 0;
			h[3] = 0;
			break;
		}
		nh = h;
		off += len;
	}
	*nh = last;
	return off;
}

static void mutate_frame(struct gen *g)
{
	struct fz_case *c = g->c;
	uint32_t r = fz_below(&g->r, 100), i, n;

	if (r >= 8)
		return;
	mark(g, FZ_G_FRAME_MUTATED);
	if (r < 3) {
		n = 1 + fz_below(&g->r, 2);
		for (i = 0; i < n; i++)
			c->pkt[fz_below(&g->r, c->len)] ^= (uint8_t)(1u << fz_below(&g->r, 8));
	} else if (r < 5) {
		c->len = FZ_ETH_LEN + fz_below(&g->r, c->len - FZ_ETH_LEN);
	} else if (r < 7) { /* link-layer padding past the IPv6 payload */
		n = 1 + fz_below(&g->r, 32);
		memset(c->pkt + c->len, fz_chance(&g->r, 50) ? 0 : 0xa5, n);
		c->len += n;
	} else { /* a length field off by a little */
		uint32_t at = FZ_ETH_LEN + (fz_chance(&g->r, 50) ? 4 : FZ_IP6_LEN + 4);
		int d = (int)fz_below(&g->r, 9) - 4;

		fz_put16(c->pkt + at, (uint16_t)(fz_get16(c->pkt + at) + d));
	}
}

void fz_generate(uint64_t seed, uint64_t index, struct fz_case *c)
{
	static const uint32_t ethertypes[] = { 0x0800, 0x8100, 0x88a8, 0x86dc, 0x0806, 0x86de };
	static const uint32_t hlims[] = { 64, 64, 255, 1, 0, 128 };
	static const uint32_t dports[] = { 5353, 0, 54, 52, 853, 0x3500, 443 };
	static const uint32_t ifaces[] = { FZ_IF_A, FZ_IF_A, FZ_IF_A, FZ_IF_A, FZ_IF_A, FZ_IF_A,
					   FZ_IF_A, FZ_IF_A, FZ_IF_A, FZ_IF_A, FZ_IF_A, FZ_IF_A,
					   FZ_IF_B, FZ_IF_B, FZ_IF_B, FZ_IF_C, FZ_IF_C, FZ_IF_D,
					   FZ_IF_NONE, FZ_IF_NONE };
	struct gen g;
	enum sweep sw = SW_NONE;
	uint8_t *ip, *udp, ext[256];
	uint32_t ext_len = 0, r, off;
	uint16_t sport, dport, sweep_val = (uint16_t)(index / 8);
	uint8_t last = FZ_IPPROTO_UDP;

	memset(c, 0, offsetof(struct fz_case, pkt));
	c->index = index;
	fz_rng_packet(&g.r, seed, index);
	g.c = c;
	g.ml = 0;
	switch (index % 8) {
	case 0: sw = SW_CLEAN_AAAA; mark(&g, FZ_G_CLEAN_AAAA); break;
	case 1: sw = SW_FLAGS; mark(&g, FZ_G_SWEEP_FLAGS); break;
	case 3: sw = SW_QTYPE; mark(&g, FZ_G_SWEEP_QTYPE); break;
	case 5: sw = SW_TRUNCATE; mark(&g, FZ_G_SWEEP_TRUNCATE); break;
	case 7:
		sw = index % 16 == 7 ? SW_CLASS : SW_EDNS_SIZE;
		mark(&g, sw == SW_CLASS ? FZ_G_SWEEP_CLASS : FZ_G_SWEEP_EDNS_SIZE);
		sweep_val = (uint16_t)(index / 16);
		break;
	}
	g.clean = sw != SW_NONE;
	g.answerable_names = sw == SW_CLEAN_AAAA;
	c->iface = g.clean ? (index / 8 % 4 == 0 ? FZ_IF_B : FZ_IF_A) : FZ_PICK(&g.r, ifaces);

	build_dns(&g, sw, sweep_val);
	if (sw == SW_TRUNCATE)
		g.ml = (uint32_t)(index / 8 % g.ml);
	else if (!g.clean)
		mutate_dns(&g);

	/* Ethernet */
	for (r = 0; r < 12; r++)
		c->pkt[r] = (uint8_t)fz_next(&g.r);
	if (fz_chance(&g.r, 70)) {
		memcpy(c->pkt, "\x02\0\0\0\0\x01\x02\0\0\0\0\x0a", 12);
	}
	c->pkt[6] &= 0xfe; /* a unicast source, mostly */
	fz_put16(c->pkt + 12, FZ_ETH_P_IPV6);
	if (odd(&g, 2)) {
		mark(&g, FZ_G_ODD_L2L3);
		fz_put16(c->pkt + 12, fz_chance(&g.r, 80) ? (uint16_t)FZ_PICK(&g.r, ethertypes)
							  : (uint16_t)fz_next(&g.r));
	}

	/* IPv6 */
	ip = c->pkt + FZ_ETH_LEN;
	ip[0] = 0x60;
	if (odd(&g, 25))
		fz_put32(ip, 0x60000000 | ((uint32_t)fz_next(&g.r) & 0x0fffffff));
	if (odd(&g, 2)) {
		mark(&g, FZ_G_ODD_L2L3);
		ip[0] = (uint8_t)((ip[0] & 0x0f) | (6 + 1 + fz_below(&g.r, 15)) % 16 << 4);
	}
	ip[7] = (uint8_t)(g.clean ? 64 : FZ_PICK(&g.r, hlims));
	choose_src(&g, ip + 8);
	choose_dst(&g, ip + 24);
	if (odd(&g, 2)) {
		static const uint32_t nhs[] = { FZ_IPPROTO_TCP, FZ_IPPROTO_ICMPV6, FZ_IPPROTO_NONE,
						FZ_IPPROTO_ESP, 136 /* UDP-Lite */, 255 };

		mark(&g, FZ_G_ODD_L2L3);
		last = (uint8_t)FZ_PICK(&g.r, nhs);
	}
	ip[6] = last;
	if (odd(&g, 8))
		ext_len = put_ext_headers(&g, ext, &ip[6], last);
	memcpy(ip + FZ_IP6_LEN, ext, ext_len);
	off = FZ_ETH_LEN + FZ_IP6_LEN + ext_len;

	/* UDP */
	udp = c->pkt + off;
	r = g.clean ? 0 : fz_below(&g.r, 100);
	sport = r < 85 ? (uint16_t)(1024 + fz_below(&g.r, 64512)) : r < 89 ? 53 : r < 93 ? 0
		: (uint16_t)(1 + fz_below(&g.r, 1023));
	dport = 53;
	if (odd(&g, 6))
		dport = fz_chance(&g.r, 70) ? (uint16_t)FZ_PICK(&g.r, dports) : (uint16_t)fz_next(&g.r);
	if (r >= 85 || dport != 53)
		mark(&g, FZ_G_ODD_PORT);
	fz_put16(udp, sport);
	fz_put16(udp + 2, dport);
	fz_put16(udp + 4, (uint16_t)(FZ_UDP_LEN + g.ml));
	memcpy(udp + FZ_UDP_LEN, g.m, g.ml);
	c->len = off + FZ_UDP_LEN + g.ml;
	fz_put16(ip + 4, (uint16_t)(c->len - FZ_ETH_LEN - FZ_IP6_LEN));
	fz_put16(udp + 6, 0);
	r = g.clean ? 0 : fz_below(&g.r, 100);
	if (r < 70) {
		uint16_t s = (uint16_t)~fz_udp6_sum(ip, udp, FZ_UDP_LEN + g.ml);

		fz_put16(udp + 6, s ? s : 0xffff);
	} else {
		mark(&g, FZ_G_ODD_CSUM);
		if (r < 80)
			fz_put16(udp + 6, 0);
		else if (r < 90)
			fz_put16(udp + 6, (uint16_t)fz_next(&g.r));
		else /* what CHECKSUM_PARTIAL leaves: the pseudo-header sum */
			fz_put16(udp + 6, fz_fold(fz_sum16(ip + 8, 32, FZ_UDP_LEN + g.ml + FZ_IPPROTO_UDP)));
	}
	if (!g.clean)
		mutate_frame(&g);
}
