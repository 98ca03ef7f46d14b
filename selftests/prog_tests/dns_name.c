// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The fast path's QNAME readers (dns-ebpf/parse.h) through
 * BPF_PROG_TEST_RUN (selftests/progs/xdp_dns_name.bpf.c), against an
 * oracle written here from the rules of maps/sixpn_dns.h: labels of 1..63
 * bytes, at most 63 characters of text, no NUL or dot inside a label (no
 * text form), the name whole in the packet; the hash is sixpn_dns_hash() of
 * the lowercased wire form, the sum the question's bytes as sent.
 *
 * Both readers must agree with the oracle on every name: the verdict and
 * its reason (a name cut short by the packet is malformed, one the text
 * form cannot spell unsupported, whichever comes first in the name), the
 * wire length, the first and last label, the sum, the hash and the
 * parent's hash; and on the zone of a name read whole: internal. or
 * flycast. as its last label, in any case. The word-at-a-time reader must also take every name it
 * can by itself: only names the oracle refuses and names with a label of
 * 46 bytes (a length byte that reads as a dot) may go to the byte loop.
 *
 * The names: every wire length from the root alone to 65 bytes, in several
 * label layouts, each followed by 0..9 bytes and cut at every length; then
 * TEST_NAMES random ones (letters of both cases, the bytes either side of
 * 'A'..'Z' and 'a'..'z', bytes above 0x7f, NULs, dots, lengths of 46, 63
 * and 64, label types above 63, names that run past 63 characters, packets
 * cut inside the name, last labels that are, or nearly are, internal and
 * flycast in any case). Seed: argv[2] or the time, printed. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sixpn_maps.h"
#include "sixpn_dns.h"
#include "test_harness.h"
#include "private_maps.h"
#include "progs/xdp_dns_name.h"
#include "selftests/progs/xdp_dns_name.skel.h"

TEST_HARNESS_DEFINE();

#define PKT_MAX 256
#define TEST_NAMES 200000
#define CONTINUE (-1)           /* SIXPN_CONTINUE */
#define NAME_TEXT_MAX 63
#define LABEL_MAX 63
#define WIRE_MAX 65

struct want {
	int ret;
	__u32 wire_len, first, last, sum;
	__u64 hash, parent;
	int dot_label;          /* a label of 46 bytes: the byte loop's */
	int in_zone, in_flycast;
};

static struct xdp_dns_name *skel;
static __u64 rng_state;
static int mismatches, shown;

static __u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned int pick(unsigned int n)
{
	return (unsigned int)(rng() % n);
}

/* The oracle: the name at pkt + NAME_OFF, `len` bytes of packet in all. */
static void oracle(const __u8 *pkt, size_t len, __u64 seed, struct want *w)
{
	const __u8 *n = pkt + NAME_OFF;
	size_t avail = len - NAME_OFF, i = 0, j;
	__u8 low[WIRE_MAX];

	memset(w, 0, sizeof(*w));
	for (;;) {
		__u8 c;

		if (i >= avail) {
			w->ret = SIXPN_DNS_PASS_MALFORMED;
			return;
		}
		c = n[i];
		w->sum += (i & 1) ? c : (__u32)c << 8;
		if (!c)
			break;
		/* A pointer or a reserved label type; a label past the text. */
		if (c > LABEL_MAX || i + c > NAME_TEXT_MAX) {
			w->ret = SIXPN_DNS_PASS_UNSUPPORTED;
			return;
		}
		if (!i)
			w->first = c;
		w->last = c;
		if (c == '.')
			w->dot_label = 1;
		low[i] = c;
		for (j = i + 1; j <= i + c; j++) {
			__u8 b;

			if (j >= avail) {
				w->ret = SIXPN_DNS_PASS_MALFORMED;
				return;
			}
			b = n[j];
			w->sum += (j & 1) ? b : (__u32)b << 8;
			if (b == 0 || b == '.') {
				w->ret = SIXPN_DNS_PASS_UNSUPPORTED;
				return;
			}
			low[j] = (b >= 'A' && b <= 'Z') ? b + ('a' - 'A') : b;
		}
		i += c + 1;
	}
	low[i] = 0;
	w->ret = CONTINUE;
	/* The last label, lowercased, against the zones' names. */
	if (w->last && i >= w->last + 1) {
		const char *l = (const char *)low + i - w->last;

		w->in_zone = w->last == 8 && !memcmp(l, "internal", 8);
		w->in_flycast = w->last == 7 && !memcmp(l, "flycast", 7);
	}
	w->wire_len = i + 1;
	w->hash = sixpn_dns_hash(seed, low, w->wire_len);
	if (w->first)
		w->parent = sixpn_dns_hash(seed, low + w->first + 1, w->wire_len - w->first - 1);
}

static void show(const char *what, const __u8 *pkt, size_t len, long long got, long long want)
{
	size_t i;

	mismatches++;
	if (shown++ >= 10)
		return;
	printf("# %s: got %lld, want %lld; name bytes:", what, got, want);
	for (i = NAME_OFF; i < len; i++)
		printf(" %02x", pkt[i]);
	printf("\n");
}

/* One reader's result against the oracle. */
static void compare(const char *who, const struct name_read *q, const struct want *w,
		    const __u8 *pkt, size_t len)
{
	char what[64];

#define SAME(field, got, want)                                                   \
	do {                                                                     \
		if ((long long)(got) != (long long)(want)) {                     \
			snprintf(what, sizeof(what), "%s %s", who, field);       \
			show(what, pkt, len, (long long)(got), (long long)(want)); \
		}                                                                \
	} while (0)
	SAME("verdict", q->ret, w->ret);
	if (q->ret != CONTINUE || w->ret != CONTINUE)
		return;
	SAME("wire length", q->wire_len, w->wire_len);
	SAME("first label", q->first_label, w->first);
	SAME("last label", q->last_label, w->last);
	SAME("sum", q->qsum, w->sum);
	SAME("hash", q->hash, w->hash);
#undef SAME
}

/* The zone of a name the 8-byte reader read whole. */
static void compare_zone(const struct name_read *q, const struct want *w, const __u8 *pkt,
			 size_t len)
{
	if (q->ret != CONTINUE || w->ret != CONTINUE)
		return;
	if (q->in_zone != w->in_zone)
		show("in internal.", pkt, len, q->in_zone, w->in_zone);
	if (q->in_flycast != w->in_flycast)
		show("in flycast.", pkt, len, q->in_flycast, w->in_flycast);
}

/* Runs both readers on `len` bytes of `pkt` and judges them. */
static int check_name(const __u8 *pkt, size_t len, __u64 seed)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = len, .repeat = 1);
	__u32 handed = skel->bss->handed_over;
	struct want w;

	skel->bss->seed = seed;
	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.read_name), &opts) ||
	    opts.retval != 2 /* XDP_PASS */) {
		show("test run", pkt, len, opts.retval, 2);
		return -1;
	}
	oracle(pkt, len, seed, &w);
	compare("8-byte reader", &skel->bss->fast, &w, pkt, len);
	compare_zone(&skel->bss->fast, &w, pkt, len);
	compare("byte loop", &skel->bss->bytes, &w, pkt, len);
	if (w.ret == CONTINUE && w.first && skel->bss->parent_hash != w.parent)
		show("parent hash", pkt, len, (long long)skel->bss->parent_hash, (long long)w.parent);
	/* Handed over exactly when it had to be. */
	if (skel->bss->handed_over - handed != (w.ret != CONTINUE || w.dot_label))
		show("handed to the byte loop", pkt, len, skel->bss->handed_over - handed,
		     w.ret != CONTINUE || w.dot_label);
	return w.ret == CONTINUE && !w.dot_label;
}

/* A label byte: mostly letters of both cases, often the bytes that border
 * them, sometimes what no label may hold. */
static __u8 label_byte(void)
{
	static const __u8 edges[] = { '@', '[', '`', '{', '-', '_', '0', '9', 0x7f, 0x80,
				      0xc1, 0xda, 0xe1, 0xfa, 0xff, 0x01, 0x3f, 0x20 };
	unsigned int r = pick(100);

	if (r < 40)
		return 'a' + pick(26);
	if (r < 70)
		return 'A' + pick(26);
	if (r < 90)
		return edges[pick(sizeof(edges))];
	if (r < 93)
		return 0;
	if (r < 96)
		return '.';
	return (__u8)pick(256);
}

static unsigned int label_len(void)
{
	static const unsigned int edges[] = { 1, 2, 7, 8, 9, 46, 62, 63 };
	unsigned int r = pick(100);

	if (r < 60)
		return 1 + pick(12);
	if (r < 85)
		return edges[pick(sizeof(edges) / sizeof(edges[0]))];
	return 1 + pick(LABEL_MAX);
}

/* A random name at pkt + NAME_OFF; returns the packet's length. */
static size_t random_name(__u8 *pkt)
{
	size_t pos = NAME_OFF, end, i;
	unsigned int labels = pick(10) ? pick(6) : pick(34), l, n;

	for (i = 0; i < NAME_OFF; i++)
		pkt[i] = (__u8)rng();
	for (l = 0; l < labels && pos < PKT_MAX - 80; l++) {
		n = label_len();
		/* Now and then no length at all: a pointer, a reserved type. */
		if (!pick(60))
			n = 64 + pick(192);
		pkt[pos++] = (__u8)n;
		if (n > LABEL_MAX)
			break;
		for (i = 0; i < n && pos < PKT_MAX - 16; i++)
			pkt[pos++] = pick(4) ? label_byte() : (pick(2) ? 'a' + pick(26) : 'A' + pick(26));
		/* Mostly names that fit the text, some that do not. */
		if (pos - NAME_OFF > NAME_TEXT_MAX && pick(4))
			break;
	}
	/* Often a zone's name as the last label, in any case, or nearly. */
	if (!pick(3) && pos < PKT_MAX - 40) {
		static const char *const zones[] = { "internal", "flycast", "interna", "flycasts",
						     "internam", "flycasu", "xnternal", "glycast" };
		const char *z = zones[pick(8)];
		size_t n = strlen(z);

		pkt[pos++] = (__u8)n;
		for (i = 0; i < n; i++)
			pkt[pos++] = pick(2) ? (__u8)z[i] : (__u8)(z[i] - ('a' - 'A'));
		/* Another byte of it changed, now and then. */
		if (!pick(8))
			pkt[pos - 1 - pick((unsigned int)n)] = label_byte();
	}
	pkt[pos++] = 0;
	/* What follows: QTYPE and QCLASS, an OPT's worth, or nothing. */
	end = pos + pick(16);
	for (; pos < end; pos++)
		pkt[pos] = (__u8)rng();
	/* Cut short, now and then. */
	if (!pick(5))
		pos = NAME_OFF + pick((unsigned int)(pos - NAME_OFF) + 1);
	return pos;
}

/* Every wire length, in labels of `step` bytes (the last one shorter), the
 * letters of both cases and the bytes that border them in turn, with every
 * tail, and cut at every length. */
static void test_lengths(__u64 seed)
{
	static const __u8 fill[] = "AZazMm@[`{09-_\x80\xff\xc1\xfa";
	__u8 pkt[PKT_MAX];
	int step, fast = 0, cases = 0;
	size_t wl, tail, cut, k;

	mismatches = 0;
	for (step = 1; step <= LABEL_MAX; step += (step < 10 ? 1 : 9)) {
		for (wl = 1; wl <= WIRE_MAX + 2; wl++) {
			size_t pos = NAME_OFF, text = wl - 1, n;

			memset(pkt, 0x55, sizeof(pkt));
			while (text >= 2) {
				n = text - 1 < (size_t)step ? text - 1 : (size_t)step;
				pkt[pos++] = (__u8)n;
				for (k = 0; k < n; k++, pos++)
					pkt[pos] = fill[(pos + wl) % (sizeof(fill) - 1)];
				text -= n + 1;
			}
			pkt[pos++] = 0;
			for (tail = 0; tail <= 9; tail++) {
				memset(pkt + pos, tail & 1 ? 0 : 0x1c, tail);
				cases++;
				fast += check_name(pkt, pos + tail, seed) > 0;
			}
			for (cut = NAME_OFF; cut < pos; cut++) {
				cases++;
				check_name(pkt, cut, seed);
			}
		}
	}
	CHECK_EQ(mismatches, 0, "every wire length, label layout, tail and cut: both readers agree "
		 "with the oracle (%d cases)", cases);
	CHECK(fast > cases / 10, "the 8-byte reader takes the names it can by itself (%d of %d)",
	      fast, cases);
}

static void test_random(__u64 seed)
{
	__u8 pkt[PKT_MAX];
	int i, fast = 0, refused = 0, zone = 0, flycast = 0, r;

	mismatches = 0;
	for (i = 0; i < TEST_NAMES; i++) {
		size_t len = random_name(pkt);

		r = check_name(pkt, len, seed ^ (__u64)i);
		fast += r > 0;
		refused += r == 0;
		zone += r > 0 && skel->bss->fast.in_zone;
		flycast += r > 0 && skel->bss->fast.in_flycast;
	}
	CHECK_EQ(mismatches, 0, "%d random names: both readers agree with the oracle", TEST_NAMES);
	CHECK(zone > TEST_NAMES / 100 && flycast > TEST_NAMES / 100,
	      "%d of them under internal., %d under flycast.", zone, flycast);
	CHECK(fast > TEST_NAMES / 10 && refused > TEST_NAMES / 10,
	      "the random names are both kinds: %d read 8 bytes at a time, %d not", fast, refused);
}

/* Hand-picked: what each rule is about. */
static void test_rules(void)
{
	static const struct {
		const char *what;
		const char *name;
		size_t len;
		int ret;
	} cases[] = {
		{ "the root alone", "\0", 1, CONTINUE },
		{ "web.internal", "\3web\10internal\0", 14, CONTINUE },
		{ "mixed case", "\3WeB\10InTeRnAl\0", 14, CONTINUE },
		{ "a NUL in a label", "\3w\0b\10internal\0", 14, SIXPN_DNS_PASS_UNSUPPORTED },
		{ "a dot in a label", "\3w.b\10internal\0", 14, SIXPN_DNS_PASS_UNSUPPORTED },
		{ "a pointer", "\3web\300\14", 6, SIXPN_DNS_PASS_UNSUPPORTED },
		{ "label type 64", "\100", 1, SIXPN_DNS_PASS_UNSUPPORTED },
		{ "cut before the root", "\3web\10internal", 13, SIXPN_DNS_PASS_MALFORMED },
		{ "cut inside a label", "\3we", 3, SIXPN_DNS_PASS_MALFORMED },
		{ "a NUL before the cut", "\3w\0", 3, SIXPN_DNS_PASS_UNSUPPORTED },
	};
	__u8 pkt[PKT_MAX];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct want w;

		memset(pkt, 0, NAME_OFF);
		memcpy(pkt + NAME_OFF, cases[i].name, cases[i].len);
		mismatches = 0;
		check_name(pkt, NAME_OFF + cases[i].len, 0x5eed);
		oracle(pkt, NAME_OFF + cases[i].len, 0x5eed, &w);
		CHECK(mismatches == 0 && w.ret == cases[i].ret && skel->bss->fast.ret == cases[i].ret,
		      "%s: %d, as the rules say", cases[i].what, skel->bss->fast.ret);
	}
	/* 63 characters of text is the most (one label of 63), 64 one too
	 * many (62 and 1). */
	for (i = 0; i < 2; i++) {
		size_t pos = NAME_OFF;

		memset(pkt, 'a', sizeof(pkt));
		pkt[pos] = i ? 62 : 63;
		pos += 1 + pkt[pos];
		if (i) {
			pkt[pos] = 1;
			pos += 2;
		}
		pkt[pos++] = 0;
		mismatches = 0;
		check_name(pkt, pos + 4, 0x5eed);
		CHECK(mismatches == 0 &&
		      skel->bss->fast.ret == (i ? SIXPN_DNS_PASS_UNSUPPORTED : CONTINUE),
		      "a name of %d characters: %s", 63 + (int)i, i ? "unsupported" : "read");
	}
}

int main(int argc, char **argv)
{
	__u64 seed = argc > 2 ? strtoull(argv[2], NULL, 0) : (__u64)time(NULL);

	(void)argv;
	printf("# seed %llu (replay: %s PACKETS %llu)\n", (unsigned long long)seed, argv[0],
	       (unsigned long long)seed);
	rng_state = seed | 1;
	skel = xdp_dns_name__open();
	if (!skel || private_load(skel->skeleton, "name reader")) {
		printf("Bail out! cannot load xdp_dns_name\n");
		return 2;
	}
	test_rules();
	test_lengths(seed);
	test_random(seed);
	xdp_dns_name__destroy(skel);
	return test_summary("dns_name");
}
