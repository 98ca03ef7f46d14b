// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "fz_judge.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>
#include <ldns/ldns.h>

#include "fz_wire.h"

#define FZ_WRONG_NAME(name, doc) #name,
#define FZ_WRONG_DOC(name, doc) doc,
const char *const fz_wrong_names[] = { FZ_WRONG_KINDS(FZ_WRONG_NAME) };
const char *const fz_wrong_docs[] = { FZ_WRONG_KINDS(FZ_WRONG_DOC) };

static const uint8_t dns_addr[16] = { 0xfd, 0xaa, [15] = 3 };

static int wrong(struct fz_result *res, enum fz_wrong w, const char *fmt, ...)
{
	va_list ap;

	res->wrong = w;
	va_start(ap, fmt);
	vsnprintf(res->detail, sizeof(res->detail), fmt, ap);
	va_end(ap);
	return 0;
}

/* A name at `*off` of a message we built nothing of: labels of at most 63
 * bytes, pointers only to earlier bytes (RFC 1035 4.1.4: "a prior
 * occurrence"), at most 255 bytes expanded. `*off` moves past it in place. */
static int name_ok(const uint8_t *m, uint32_t len, uint32_t *off)
{
	uint32_t o = *off, wire = 0, hops = 0, limit = *off;
	int jumped = 0;

	for (;;) {
		if (o >= len)
			return 0;
		if ((m[o] & 0xc0) == 0xc0) {
			uint32_t to;

			if (o + 2 > len || ++hops > 64)
				return 0;
			to = (uint32_t)(m[o] & 0x3f) << 8 | m[o + 1];
			if (to >= limit)
				return 0;
			if (!jumped)
				*off = o + 2;
			jumped = 1;
			limit = to;
			o = to;
			continue;
		}
		if (m[o] & 0xc0)
			return 0;
		wire += m[o] + 1u;
		if (wire > 255)
			return 0;
		if (!m[o]) {
			if (!jumped)
				*off = o + 1;
			return 1;
		}
		o += m[o] + 1u;
	}
}

struct walk {
	uint32_t opt_off;   /* the OPT record's owner, 0 when none */
	uint32_t opts;
};

/* Every record the header counts, nothing more, nothing after. */
static int walk_reply(const uint8_t *m, uint32_t len, struct walk *w, char *why, size_t size)
{
	uint32_t off = FZ_DNS_HDR, i, counts[4], sec;

	memset(w, 0, sizeof(*w));
	if (len < FZ_DNS_HDR)
		return snprintf(why, size, "shorter than a header"), 0;
	for (sec = 0; sec < 4; sec++)
		counts[sec] = fz_get16(m + 4 + 2 * sec);
	for (i = 0; i < counts[0]; i++) {
		if (!name_ok(m, len, &off) || off + 4 > len)
			return snprintf(why, size, "question %u malformed", i), 0;
		off += 4;
	}
	for (sec = 1; sec < 4; sec++) {
		for (i = 0; i < counts[sec]; i++) {
			uint32_t owner = off;

			if (!name_ok(m, len, &off) || off + 10 > len ||
			    off + 10 + fz_get16(m + off + 8) > len)
				return snprintf(why, size, "section %u record %u malformed", sec, i), 0;
			if (sec == 3 && fz_get16(m + off) == FZ_T_OPT) {
				w->opt_off = owner;
				w->opts++;
			}
			off += 10 + fz_get16(m + off + 8);
		}
	}
	if (off != len)
		return snprintf(why, size, "%u bytes after the last record", len - off), 0;
	return 1;
}

static char *rdf_text(const ldns_rdf *rdf, char *buf, size_t size)
{
	char *s = rdf ? ldns_rdf2str(rdf) : NULL;

	snprintf(buf, size, "%s", s ? s : "(none)");
	free(s);
	return buf;
}

static int dname_is(const ldns_rdf *rdf, const char *text)
{
	ldns_rdf *want = ldns_dname_new_frm_str(text);
	int eq = rdf && want && ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_DNAME &&
		 ldns_dname_compare(rdf, want) == 0;

	ldns_rdf_free(want);
	return eq;
}

static int check_soa(const ldns_pkt *p, const struct sixpn_dns_config *cfg, struct fz_result *res)
{
	const ldns_rr_list *ns = ldns_pkt_authority(p);
	const ldns_rr *soa = ldns_rr_list_rr_count(ns) == 1 ? ldns_rr_list_rr(ns, 0) : NULL;
	char a[300], b[300], c[300];

	if (!soa || ldns_rr_get_type(soa) != LDNS_RR_TYPE_SOA ||
	    ldns_rr_get_class(soa) != LDNS_RR_CLASS_IN || ldns_rr_rd_count(soa) != 7)
		return wrong(res, FZ_W_AUTHORITY, "authority is %zu records, not one SOA IN",
			     ldns_rr_list_rr_count(ns));
	if (!dname_is(ldns_rr_owner(soa), "internal.") ||
	    !dname_is(ldns_rr_rdf(soa, 0), "ns.internal.") ||
	    !dname_is(ldns_rr_rdf(soa, 1), "hostmaster.internal."))
		return wrong(res, FZ_W_AUTHORITY, "SOA is %s %s %s",
			     rdf_text(ldns_rr_owner(soa), a, sizeof(a)),
			     rdf_text(ldns_rr_rdf(soa, 0), b, sizeof(b)),
			     rdf_text(ldns_rr_rdf(soa, 1), c, sizeof(c)));
	if (ldns_rr_ttl(soa) != cfg->soa_minimum ||
	    ldns_rdf2native_int32(ldns_rr_rdf(soa, 2)) != cfg->soa_serial ||
	    ldns_rdf2native_int32(ldns_rr_rdf(soa, 3)) != cfg->soa_refresh ||
	    ldns_rdf2native_int32(ldns_rr_rdf(soa, 4)) != cfg->soa_retry ||
	    ldns_rdf2native_int32(ldns_rr_rdf(soa, 5)) != cfg->soa_expire ||
	    ldns_rdf2native_int32(ldns_rr_rdf(soa, 6)) != cfg->soa_minimum)
		return wrong(res, FZ_W_AUTHORITY, "SOA TTL or numbers are not the configured ones");
	return 1;
}

static int check_answers(const ldns_pkt *p, const ldns_rr *question, const struct fz_expect *x,
			 const struct sixpn_dns_config *cfg, struct fz_result *res)
{
	const ldns_rr_list *an = ldns_pkt_answer(p);
	const struct fz_name *e = x->entry;
	size_t n = ldns_rr_list_rr_count(an), i, j;
	const uint8_t *got[SIXPN_DNS_MAX_ADDRS];
	char text[INET6_ADDRSTRLEN];
	int start = -1;

	if ((int)n != e->n)
		return wrong(res, FZ_W_ADDRS, "%zu answers, the entry has %d", n, e->n);
	for (i = 0; i < n; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(an, i);
		const ldns_rdf *rd = ldns_rr_rdf(rr, 0);

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_AAAA ||
		    ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN || ldns_rr_ttl(rr) != cfg->ttl ||
		    ldns_rr_rd_count(rr) != 1 || !rd || ldns_rdf_size(rd) != 16)
			return wrong(res, FZ_W_ANSWER_RR, "answer %zu: type %u class %u ttl %u", i,
				     ldns_rr_get_type(rr), ldns_rr_get_class(rr), ldns_rr_ttl(rr));
		if (ldns_dname_compare(ldns_rr_owner(rr), ldns_rr_owner(question)) != 0)
			return wrong(res, FZ_W_ANSWER_RR, "answer %zu is not owned by the question", i);
		got[i] = ldns_rdf_data(rd);
		if (got[i][0] != 0xfd || got[i][1] != 0xaa || fz_get32(got[i] + 2) != x->net)
			return wrong(res, FZ_W_ADDR_OTHER_NET, "answer %s outside fdaa:%x:%x::/48",
				     inet_ntop(AF_INET6, got[i], text, sizeof(text)), x->net >> 16,
				     x->net & 0xffff);
	}
	for (i = 0; i < n; i++) {
		int found = 0;

		for (j = 0; j < n; j++)
			found += !memcmp(got[j], e->addrs[i].w, 16);
		if (found != 1)
			return wrong(res, FZ_W_ADDRS, "%s of the entry appears %d times",
				     inet_ntop(AF_INET6, e->addrs[i].w, text, sizeof(text)), found);
	}
	for (j = 0; j < n; j++)
		if (!memcmp(got[0], e->addrs[j].w, 16))
			start = (int)j;
	for (i = 0; i < n; i++)
		if (memcmp(got[i], e->addrs[(start + i) % n].w, 16))
			return wrong(res, FZ_W_ADDR_ORDER, "answer %zu out of the rotated order", i);
	if (ldns_rr_list_rr_count(ldns_pkt_authority(p)))
		return wrong(res, FZ_W_AUTHORITY, "an answer with an authority section");
	return 1;
}

static int check_opt(const uint8_t *m, const ldns_pkt *p, const struct walk *w,
		     const struct fz_expect *x, struct fz_result *res)
{
	uint16_t arcount = fz_get16(m + 10);

	if (!x->has_opt)
		return arcount == 0 ? 1 : wrong(res, FZ_W_OPT, "ARCOUNT %u without an OPT in the query",
						arcount);
	if (arcount != 1 || w->opts != 1 || m[w->opt_off] != 0)
		return wrong(res, FZ_W_OPT, "ARCOUNT %u, %u OPTs, owner byte %u: not one root OPT",
			     arcount, w->opts, w->opts ? m[w->opt_off] : 0);
	if (ldns_pkt_edns_udp_size(p) != SIXPN_DNS_EDNS_MAX || ldns_pkt_edns_version(p) != 0 ||
	    ldns_pkt_edns_extended_rcode(p) != 0 ||
	    ldns_pkt_edns_z(p) != (x->do_bit ? 0x8000 : 0) || ldns_pkt_edns_data(p))
		return wrong(res, FZ_W_OPT, "OPT size %u version %u ext-rcode %u z %#x data %s (DO asked %d)",
			     ldns_pkt_edns_udp_size(p), ldns_pkt_edns_version(p),
			     ldns_pkt_edns_extended_rcode(p), ldns_pkt_edns_z(p),
			     ldns_pkt_edns_data(p) ? "yes" : "no", x->do_bit);
	return 1;
}

/* The DNS part of a reply to an answerable query. */
static void judge_dns(const uint8_t *qm, const uint8_t *m, uint32_t len, const struct fz_expect *x,
		      const struct sixpn_dns_config *cfg, struct fz_result *res)
{
	static const ldns_pkt_rcode want_rcode[FZ_EXPECT_MAX] = {
		[FZ_EXPECT_ANSWER] = LDNS_RCODE_NOERROR,
		[FZ_EXPECT_NODATA] = LDNS_RCODE_NOERROR,
		[FZ_EXPECT_NXDOMAIN] = LDNS_RCODE_NXDOMAIN,
	};
	uint16_t qflags = fz_get16(qm + 2), flags;
	ldns_pkt *p = NULL;
	struct walk w;
	char why[128];
	ldns_status st;

	if (!walk_reply(m, len, &w, why, sizeof(why))) {
		wrong(res, FZ_W_DNS_FORMAT, "%s", why);
		return;
	}
	st = ldns_wire2pkt(&p, m, len);
	if (st != LDNS_STATUS_OK) {
		wrong(res, FZ_W_DNS_LDNS, "ldns: %s", ldns_get_errorstr_by_id(st));
		return;
	}
	flags = fz_get16(m + 2);
	res->reply = ldns_pkt_get_rcode(p) == LDNS_RCODE_NXDOMAIN ? FZ_R_NXDOMAIN
		     : ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR ? FZ_R_OTHER
		     : ldns_pkt_ancount(p)			    ? FZ_R_ANSWER
								    : FZ_R_NODATA;
	if (ldns_pkt_id(p) != fz_get16(qm))
		wrong(res, FZ_W_ID, "ID %#x, asked %#x", ldns_pkt_id(p), fz_get16(qm));
	else if (!ldns_pkt_qr(p) || ldns_pkt_get_opcode(p) != LDNS_PACKET_QUERY || !ldns_pkt_aa(p) ||
		 ldns_pkt_tc(p) || !ldns_pkt_ra(p) || ldns_pkt_ad(p) || (flags & 0x0040) ||
		 ldns_pkt_rd(p) != !!(qflags & 0x0100) || ldns_pkt_cd(p) != !!(qflags & 0x0010))
		wrong(res, FZ_W_FLAGS, "flags %#06x for query flags %#06x", flags, qflags);
	else if (ldns_pkt_get_rcode(p) != want_rcode[x->kind] ||
		 (x->kind == FZ_EXPECT_ANSWER) != (res->reply == FZ_R_ANSWER))
		wrong(res, FZ_W_RCODE, "rcode %u with %u answers, want %s", ldns_pkt_get_rcode(p),
		      ldns_pkt_ancount(p), fz_expect_names[x->kind]);
	else if (ldns_pkt_qdcount(p) != 1 || len < FZ_DNS_HDR + x->q_len ||
		 memcmp(m + FZ_DNS_HDR, qm + FZ_DNS_HDR, x->q_len))
		wrong(res, FZ_W_QUESTION, "QDCOUNT %u, or the question bytes differ", ldns_pkt_qdcount(p));
	else if (x->kind == FZ_EXPECT_ANSWER &&
		 !check_answers(p, ldns_rr_list_rr(ldns_pkt_question(p), 0), x, cfg, res))
		;
	else if (x->kind != FZ_EXPECT_ANSWER && ldns_pkt_ancount(p))
		wrong(res, FZ_W_RCODE, "%u answers in a %s", ldns_pkt_ancount(p), fz_expect_names[x->kind]);
	else if (x->kind != FZ_EXPECT_ANSWER && !check_soa(p, cfg, res))
		;
	else if (!check_opt(m, p, &w, x, res))
		;
	else if (ldns_rr_list_rr_count(ldns_pkt_additional(p)))
		wrong(res, FZ_W_OPT, "additional records besides the OPT");
	else if (len > x->size_limit)
		wrong(res, FZ_W_SIZE, "%u bytes, limit %u", len, x->size_limit);
	ldns_pkt_free(p);
}

/* Ethernet, IPv6 and UDP of a reply turned around from the query. */
static int judge_frame(const uint8_t *q, const struct fz_expect *x, const uint8_t *r,
		       uint32_t rlen, struct fz_result *res)
{
	const uint8_t *ip = r + FZ_ETH_LEN, *udp = ip + FZ_IP6_LEN;
	const uint8_t *qip = q + x->ip_off, *qudp = q + x->udp_off;
	uint32_t plen;

	if (rlen < FZ_ETH_LEN + FZ_IP6_LEN + FZ_UDP_LEN + FZ_DNS_HDR)
		return wrong(res, FZ_W_REPLY_SHORT, "%u bytes", rlen);
	if (memcmp(r, q + 6, 6) || memcmp(r + 6, q, 6) || fz_get16(r + 12) != FZ_ETH_P_IPV6)
		return wrong(res, FZ_W_ETH, "Ethernet header not the query's turned around");
	if (ip[0] >> 4 != 6 || ip[6] != FZ_IPPROTO_UDP || ip[7] == 0)
		return wrong(res, FZ_W_IP_HDR, "version %u, next header %u, hop limit %u", ip[0] >> 4,
			     ip[6], ip[7]);
	if (memcmp(ip + 8, dns_addr, 16) || memcmp(ip + 24, qip + 8, 16))
		return wrong(res, FZ_W_IP_ADDR, "not from fdaa::3 to the query's source");
	plen = fz_get16(ip + 4);
	if (plen != rlen - FZ_ETH_LEN - FZ_IP6_LEN)
		return wrong(res, FZ_W_IP_LEN, "payload length %u, reply carries %u", plen,
			     rlen - FZ_ETH_LEN - FZ_IP6_LEN);
	if (fz_get16(udp) != fz_get16(qudp + 2) || fz_get16(udp + 2) != fz_get16(qudp))
		return wrong(res, FZ_W_UDP_PORTS, "ports %u -> %u for a query %u -> %u", fz_get16(udp),
			     fz_get16(udp + 2), fz_get16(qudp), fz_get16(qudp + 2));
	if (fz_get16(udp + 4) != plen)
		return wrong(res, FZ_W_UDP_LEN, "UDP length %u, payload %u", fz_get16(udp + 4), plen);
	if (!fz_get16(udp + 6) || fz_udp6_sum(ip, udp, plen) != 0xffff)
		return wrong(res, FZ_W_UDP_CSUM, "checksum %#06x sums to %#06x", fz_get16(udp + 6),
			     fz_udp6_sum(ip, udp, plen));
	return 1;
}

void fz_judge(const uint8_t *q, uint32_t qlen, const struct fz_expect *x, uint32_t retval,
	      const uint8_t *r, uint32_t rlen, const struct sixpn_dns_config *cfg,
	      struct fz_result *res)
{
	memset(res, 0, sizeof(*res));
	res->wrong = FZ_W_NONE;
	if (retval == XDP_PASS) {
		res->verdict = FZ_V_PASS;
		if (rlen != qlen || memcmp(q, r, qlen))
			wrong(res, FZ_W_PASS_MODIFIED, "%u bytes in, %u out", qlen, rlen);
		return;
	}
	if (retval != XDP_TX) {
		res->verdict = FZ_V_OTHER;
		wrong(res, FZ_W_VERDICT, "verdict %u", retval);
		return;
	}
	res->verdict = FZ_V_TX;
	res->reply = FZ_R_OTHER;
	if (x->kind == FZ_EXPECT_PASS) {
		ldns_pkt *p = NULL;
		uint32_t off = FZ_ETH_LEN + FZ_IP6_LEN + FZ_UDP_LEN;

		/* Say what it answered, for the report and the counters. */
		if (rlen > off && ldns_wire2pkt(&p, r + off, rlen - off) == LDNS_STATUS_OK)
			res->reply = ldns_pkt_get_rcode(p) == LDNS_RCODE_NXDOMAIN ? FZ_R_NXDOMAIN
				     : ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR ? FZ_R_OTHER
				     : ldns_pkt_ancount(p)			  ? FZ_R_ANSWER
										  : FZ_R_NODATA;
		wrong(res, FZ_W_ANSWERED_MUST_PASS, "answered (rcode %d, %u answers) although %s",
		      p ? (int)ldns_pkt_get_rcode(p) : -1, p ? ldns_pkt_ancount(p) : 0,
		      fz_why_docs[x->why]);
		ldns_pkt_free(p);
		return;
	}
	if (!judge_frame(q, x, r, rlen, res))
		return;
	judge_dns(q + x->dns_off, r + FZ_ETH_LEN + FZ_IP6_LEN + FZ_UDP_LEN,
		  rlen - FZ_ETH_LEN - FZ_IP6_LEN - FZ_UDP_LEN, x, cfg, res);
}
