// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "fz_oracle.h"

#include <string.h>
#include "fz_wire.h"

#define FZ_WHY_NAME(name, doc) #name,
#define FZ_WHY_DOC(name, doc) doc,
const char *const fz_why_names[] = { FZ_PASS_WHYS(FZ_WHY_NAME) };
const char *const fz_why_docs[] = { FZ_PASS_WHYS(FZ_WHY_DOC) };
const char *const fz_expect_names[] = { "pass", "answer", "nodata", "nxdomain" };

#define MUST_PASS(x, w) ((x)->kind = FZ_EXPECT_PASS, (x)->why = FZ_WHY_##w)

uint64_t fz_oracle_allowed;

/* A policy rule the run was told to relax (fz_oracle_allow()). */
static int allowed(enum fz_why w)
{
	return !!(fz_oracle_allowed & (1ULL << w));
}

int fz_oracle_allow(const char *name)
{
	static const enum fz_why policy[] = { FZ_WHY_TC, FZ_WHY_SPORT_0, FZ_WHY_QTYPE_RESERVED };
	size_t i;

	for (i = 0; i < sizeof(policy) / sizeof(policy[0]); i++)
		if (!strcmp(name, fz_why_names[policy[i]])) {
			fz_oracle_allowed |= 1ULL << policy[i];
			return 0;
		}
	return -1;
}

static const uint8_t dns_addr[16] = { 0xfd, 0xaa, [15] = 3 };

/* Hop-by-hop and destination options (RFC 8200 4.2): harmless when every
 * option is padding. Anything else asks the node to act on it (or, for an
 * unknown type, may tell it to discard the packet), so the stack, not the
 * fast path, decides. */
static int options_harmless(const uint8_t *p, uint32_t off, uint32_t end)
{
	off += 2;
	while (off < end) {
		if (p[off] == 0) { /* Pad1 */
			off++;
			continue;
		}
		if (p[off] != 1 || off + 2 > end || off + 2 + p[off + 1] > end)
			return 0;
		off += 2 + p[off + 1];
	}
	return 1;
}

/* Walks the extension headers from `*off` (RFC 8200 4.1-4.5). Returns 1
 * with `*nh` the transport when every header is harmless for answering:
 * padding-only options (hop-by-hop only first), a routing header with no
 * segments left (ignored, 4.4), an atomic fragment (RFC 6946). AH is not:
 * the stack would check it against an SA and drop the packet without one. */
static int walk_ext(const uint8_t *p, uint32_t ip_end, uint32_t *off, uint8_t *nh,
		    uint32_t *count)
{
	for (*count = 0;; (*count)++) {
		uint32_t o = *off, hlen;

		switch (*nh) {
		case FZ_IPPROTO_HOPOPTS:
		case FZ_IPPROTO_DSTOPTS:
		case FZ_IPPROTO_ROUTING:
			if (o + 8 > ip_end)
				return 0;
			hlen = (uint32_t)(p[o + 1] + 1) * 8;
			if (o + hlen > ip_end)
				return 0;
			if (*nh == FZ_IPPROTO_HOPOPTS && *count)
				return 0;
			if (*nh == FZ_IPPROTO_ROUTING ? p[o + 3] != 0 : !options_harmless(p, o, o + hlen))
				return 0;
			break;
		case FZ_IPPROTO_FRAGMENT:
			hlen = 8;
			if (o + hlen > ip_end || (fz_get16(p + o + 2) & 0xfff9) != 0)
				return 0;
			break;
		case FZ_IPPROTO_AH:
		case FZ_IPPROTO_ESP:
			return 0;
		default:
			return 1;
		}
		*nh = p[o];
		*off = o + hlen;
	}
}

/* The question name at `*off`, as key text (ASCII folded to lowercase,
 * RFC 4343; labels joined by '.'). Returns -1 or the why of a malformed
 * name. `bad_char`: a label holds '.' or NUL, which has no text form. */
static int question_name(const uint8_t *m, uint32_t len, uint32_t *off, char *text,
			 uint32_t *tlen, int *bad_char)
{
	uint32_t o = *off, wire = 0, i;

	*tlen = 0;
	*bad_char = 0;
	for (;;) {
		uint8_t l;

		if (o >= len)
			return FZ_WHY_NAME_TRUNC;
		l = m[o];
		if ((l & 0xc0) == 0xc0)
			return FZ_WHY_NAME_POINTER;
		if (l & 0xc0)
			return FZ_WHY_NAME_LABEL_TYPE;
		wire += l + 1u;
		if (wire > 255)
			return FZ_WHY_NAME_WIRE_LONG;
		o++;
		if (!l)
			break;
		if (o + l > len)
			return FZ_WHY_NAME_TRUNC;
		if (*tlen)
			text[(*tlen)++] = '.';
		for (i = 0; i < l; i++) {
			uint8_t c = m[o + i];

			*bad_char |= c == '.' || c == 0;
			text[(*tlen)++] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
		}
		o += l;
	}
	*off = o;
	return -1;
}

/* Skips an owner name of a record, compressed or not. */
static int skip_name(const uint8_t *m, uint32_t len, uint32_t *off, int *is_root)
{
	uint32_t o = *off;

	*is_root = o < len && m[o] == 0;
	for (;;) {
		if (o >= len)
			return 0;
		if ((m[o] & 0xc0) == 0xc0) {
			if (o + 2 > len)
				return 0;
			*off = o + 2;
			return 1;
		}
		if (m[o] & 0xc0)
			return 0;
		if (!m[o]) {
			*off = o + 1;
			return 1;
		}
		o += m[o] + 1u;
	}
}

/* The one additional record a query may have: an OPT (RFC 6891 6.1). */
static int check_additional(const uint8_t *m, uint32_t len, uint32_t *off, struct fz_expect *x)
{
	uint32_t o = *off, rdlen, end, ttl;
	uint16_t type, size;
	int root;

	if (!skip_name(m, len, &o, &root) || o + 10 > len)
		return FZ_WHY_AR_TRUNC;
	type = fz_get16(m + o);
	size = fz_get16(m + o + 2);
	ttl = fz_get32(m + o + 4);
	rdlen = fz_get16(m + o + 8);
	o += 10;
	end = o + rdlen;
	if (end > len)
		return FZ_WHY_AR_TRUNC;
	if (type == FZ_T_TSIG)
		return FZ_WHY_AR_TSIG;
	if (type != FZ_T_OPT)
		return FZ_WHY_AR_NOT_OPT;
	if (!root)
		return FZ_WHY_OPT_OWNER;
	while (o < end) {
		uint16_t code, olen;

		if (o + 4 > end)
			return FZ_WHY_OPT_OPTION;
		code = fz_get16(m + o);
		olen = fz_get16(m + o + 2);
		if (o + 4 + olen > end)
			return FZ_WHY_OPT_OPTION;
		/* RFC 7873 5.2.2: a client cookie alone (8) or with a server
		 * cookie of 8..32; any other length is FORMERR. */
		if (code == FZ_OPT_COOKIE && olen != 8 && (olen < 16 || olen > 40))
			return FZ_WHY_OPT_COOKIE;
		o += 4 + olen;
	}
	if ((ttl >> 16 & 0xff) != 0)
		return FZ_WHY_EDNS_VERSION;
	x->has_opt = 1;
	x->do_bit = !!(ttl & 0x8000);
	/* RFC 6891 6.2.5: sizes below 512 mean 512; ours is capped at 1232. */
	x->size_limit = size < SIXPN_DNS_UDP_PLAIN_MAX ? SIXPN_DNS_UDP_PLAIN_MAX
			: size > SIXPN_DNS_EDNS_MAX ? SIXPN_DNS_EDNS_MAX : size;
	*off = end;
	return -1;
}

/* Under flycast.: only an AAAA with 1..MAX addresses in the map is
 * answered; the rest is the resolver's (maps/sixpn_dns.h). */
static void decide_flycast(const char *text, uint32_t tlen, struct fz_expect *x)
{
	static const char zone[] = ".flycast";
	const uint32_t zlen = sizeof(zone) - 1;
	const struct fz_name *e;

	if (tlen == zlen - 1 && !memcmp(text, zone + 1, tlen)) {
		MUST_PASS(x, FLYCAST);
		return;
	}
	if (tlen <= zlen || memcmp(text + tlen - zlen, zone, zlen)) {
		MUST_PASS(x, NOT_INTERNAL);
		return;
	}
	if (tlen > SIXPN_DNS_NAME_MAX - 1) {
		MUST_PASS(x, NAME_LONG);
		return;
	}
	e = fz_name_find(x->net, text, tlen);
	if (x->qtype != FZ_T_AAAA || !e || (e->flags & SIXPN_DNS_F_USERSPACE) || e->n == 0 ||
	    e->n > SIXPN_DNS_MAX_ADDRS) {
		MUST_PASS(x, FLYCAST);
		return;
	}
	x->entry = e;
	x->kind = FZ_EXPECT_ANSWER;
}

/* The names map's answer for a well-formed question (maps/sixpn_dns.h). */
static void decide(const char *text, uint32_t tlen, struct fz_expect *x)
{
	static const char zone[] = ".internal";
	const uint32_t zlen = sizeof(zone) - 1;
	const struct fz_name *e, *parent;
	const char *dot;

	if (tlen == zlen - 1 && !memcmp(text, zone + 1, tlen)) {
		MUST_PASS(x, APEX);
		return;
	}
	if (tlen <= zlen || memcmp(text + tlen - zlen, zone, zlen)) {
		decide_flycast(text, tlen, x);
		return;
	}
	if (tlen > SIXPN_DNS_NAME_MAX - 1) {
		MUST_PASS(x, NAME_LONG);
		return;
	}
	e = fz_name_find(x->net, text, tlen);
	if (e) {
		x->entry = e;
		if (e->flags & SIXPN_DNS_F_USERSPACE)
			MUST_PASS(x, USERSPACE);
		else if (x->qtype != FZ_T_AAAA || e->n == 0)
			x->kind = FZ_EXPECT_NODATA;
		else if (e->n > SIXPN_DNS_MAX_ADDRS)
			MUST_PASS(x, TOO_MANY);
		else
			x->kind = FZ_EXPECT_ANSWER;
		return;
	}
	dot = memchr(text, '.', tlen);
	parent = fz_name_find(x->net, dot + 1, tlen - (uint32_t)(dot + 1 - text));
	if (parent && (parent->flags & SIXPN_DNS_F_CHILDREN_USERSPACE))
		MUST_PASS(x, CHILDREN);
	else
		x->kind = FZ_EXPECT_NXDOMAIN;
}

static void check_dns(const uint8_t *m, uint32_t len, struct fz_expect *x)
{
	char text[512];
	uint32_t off = FZ_DNS_HDR, tlen;
	uint16_t flags, qclass;
	int why, bad_char;

	if (len < FZ_DNS_HDR) {
		MUST_PASS(x, DNS_SHORT);
		return;
	}
	flags = fz_get16(m + 2);
	if (flags & 0x8000) {
		MUST_PASS(x, QR);
		return;
	}
	if ((flags >> 11 & 0xf) != 0) {
		MUST_PASS(x, OPCODE);
		return;
	}
	/* A query that says it was truncated may lack part of itself (unbound
	 * answers it FORMERR). AA, Z, AD, RA and RCODE mean nothing in a query
	 * and are ignored. */
	if ((flags & 0x0200) && !allowed(FZ_WHY_TC)) {
		MUST_PASS(x, TC);
		return;
	}
	if (fz_get16(m + 4) != 1 || fz_get16(m + 6) || fz_get16(m + 8) || fz_get16(m + 10) > 1) {
		MUST_PASS(x, COUNTS);
		return;
	}
	why = question_name(m, len, &off, text, &tlen, &bad_char);
	if (why >= 0) {
		x->kind = FZ_EXPECT_PASS;
		x->why = why;
		return;
	}
	if (off + 4 > len) {
		MUST_PASS(x, QUESTION_TRUNC);
		return;
	}
	x->qtype = fz_get16(m + off);
	qclass = fz_get16(m + off + 2);
	off += 4;
	x->q_len = off - FZ_DNS_HDR;
	x->size_limit = SIXPN_DNS_UDP_PLAIN_MAX;
	if (fz_get16(m + 10) == 1) {
		why = check_additional(m, len, &off, x);
		if (why >= 0) {
			x->kind = FZ_EXPECT_PASS;
			x->why = why;
			return;
		}
	}
	if (off != len) {
		MUST_PASS(x, TRAILING);
		return;
	}
	if (bad_char) {
		MUST_PASS(x, NAME_LABEL_CHAR);
		return;
	}
	if (qclass != FZ_C_IN) {
		MUST_PASS(x, CLASS);
		return;
	}
	/* RFC 6895 3.1: OPT and 128-255 are meta or question-only types, 0
	 * and 65535 reserved: none is data a name could lack (NODATA). */
	if (x->qtype == FZ_T_OPT) {
		MUST_PASS(x, QTYPE_OPT);
		return;
	}
	if (x->qtype >= SIXPN_DNS_META_TYPE_FIRST && x->qtype <= SIXPN_DNS_META_TYPE_LAST) {
		MUST_PASS(x, QTYPE_META);
		return;
	}
	if ((x->qtype == 0 || x->qtype == 0xffff) && !allowed(FZ_WHY_QTYPE_RESERVED)) {
		MUST_PASS(x, QTYPE_RESERVED);
		return;
	}
	decide(text, tlen, x);
}

void fz_oracle(const uint8_t *p, uint32_t len, enum fz_iface_id ifc, struct fz_expect *x)
{
	struct sixpn_ip6 prefix;
	uint32_t off, ip_end, plen, ulen;
	uint8_t nh;

	memset(x, 0, sizeof(*x));
	x->kind = FZ_EXPECT_PASS;
	if (len < FZ_ETH_LEN) {
		MUST_PASS(x, ETH_SHORT);
		return;
	}
	if (fz_get16(p + 12) != FZ_ETH_P_IPV6) {
		MUST_PASS(x, ETHERTYPE);
		return;
	}
	x->ip_off = FZ_ETH_LEN;
	if (len < FZ_ETH_LEN + FZ_IP6_LEN) {
		MUST_PASS(x, IP_SHORT);
		return;
	}
	if (p[FZ_ETH_LEN] >> 4 != 6) {
		MUST_PASS(x, IP_VERSION);
		return;
	}
	/* Bytes past the payload length are link padding, not the packet. */
	plen = fz_get16(p + FZ_ETH_LEN + 4);
	ip_end = FZ_ETH_LEN + FZ_IP6_LEN + plen;
	if (!plen || ip_end > len) {
		MUST_PASS(x, IP_PLEN);
		return;
	}
	off = FZ_ETH_LEN + FZ_IP6_LEN;
	nh = p[FZ_ETH_LEN + 6];
	if (!walk_ext(p, ip_end, &off, &nh, &x->ext_hdrs)) {
		MUST_PASS(x, EXT_HDR);
		return;
	}
	if (nh != FZ_IPPROTO_UDP) {
		MUST_PASS(x, NOT_UDP);
		return;
	}
	x->udp_off = off;
	ulen = off + FZ_UDP_LEN <= ip_end ? fz_get16(p + off + 4) : 0;
	if (off + FZ_UDP_LEN > ip_end || ulen != ip_end - off) {
		MUST_PASS(x, UDP_LEN);
		return;
	}
	if (memcmp(p + FZ_ETH_LEN + 24, dns_addr, 16)) {
		MUST_PASS(x, DST);
		return;
	}
	if (fz_get16(p + off + 2) != 53) {
		MUST_PASS(x, DPORT);
		return;
	}
	if (fz_get16(p + off) == 0 && !allowed(FZ_WHY_SPORT_0)) {
		MUST_PASS(x, SPORT_0);
		return;
	}
	if (ifc == FZ_IF_NONE) {
		MUST_PASS(x, IFACE);
		return;
	}
	fz_iface_prefix(ifc, &prefix);
	if (memcmp(p + FZ_ETH_LEN + 8, prefix.w, 14)) {
		MUST_PASS(x, SPOOFED);
		return;
	}
	x->net = fz_iface_net(ifc);
	x->dns_off = off + FZ_UDP_LEN;
	x->dns_len = ulen - FZ_UDP_LEN;
	check_dns(p + x->dns_off, x->dns_len, x);
}
