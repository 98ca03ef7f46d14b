// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* One query from a client: the protocol checks, in the order a reply
 * depends on them, then the hand-off to the internal names or to the
 * forwarder; and the reply's header, EDNS, size limit and counting.
 *
 *   shorter than a header, or QR=1        ignored (never answer an answer)
 *   opcode other than QUERY               NOTIMP, the header echoed (as NSD)
 *   ldns cannot parse it, a record out    FORMERR, the header only
 *   of place or of the wrong length, bytes
 *   after the last one, malformed EDNS
 *   options (wire.c)
 *   QDCOUNT != 1, or QTYPE OPT            FORMERR, the header only
 *   signed (TSIG)                         NOTAUTH, TSIG error BADKEY (tsig.c)
 *   EDNS version other than 0             BADVERS (RFC 6891 section 6.1.3)
 *   source not in 6PN, or in network 0    REFUSED
 *   class other than IN and ANY           NOTIMP, any name (CHAOS never
 *                                         leaves: version.bind, id.server)
 *   name at or under internal.            answered here (names.c)
 *   anything else                         forwarded (forward.c)
 *
 * Every other reply: ID echoed, QR, the opcode asked, RD and CD copied, RA
 * set (names outside internal. are resolved, by forwarding), AD clear, AA
 * only on answers from the zone's data (NOERROR, NXDOMAIN), the
 * question exactly as asked (0x20 case randomization survives), and an OPT
 * with our size (SIXPN_DNS_EDNS_MAX), version 0 and DO copied exactly when
 * the query had one: what the XDP fast path does (dns-ebpf/answer.h). */
#include <string.h>

#include "lib/log.h"
#include "resolver/resolver_int.h"

/* What NSD sends for a message it will not read (checked against NSD 4.6 in
 * test_resolver_strict.sh): the header turned around, ID, opcode, RD and CD
 * as asked, RA and AA clear, no sections at all, no OPT. */
static ldns_pkt *reply_echo(const struct rsv_q *q)
{
	ldns_pkt *p = ldns_pkt_new();

	if (!p)
		return NULL;
	ldns_pkt_set_id(p, q->id);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_opcode(p, (ldns_pkt_opcode)q->opcode);
	ldns_pkt_set_rd(p, q->rd);
	ldns_pkt_set_cd(p, q->cd);
	return p;
}

/* Every other reply starts as the echo, with RA. */
ldns_pkt *rsv_reply_new(const struct rsv_q *q)
{
	ldns_pkt *p = reply_echo(q);

	if (!p)
		return NULL;
	ldns_pkt_set_ra(p, true);
	if (q->question)
		ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, ldns_rr_clone(q->question));
	if (q->edns) {
		ldns_pkt_set_edns_udp_size(p, SIXPN_DNS_EDNS_MAX);
		ldns_pkt_set_edns_version(p, 0);
		ldns_pkt_set_edns_do(p, q->do_bit);
	}
	return p;
}

static void count(struct sixpn_resolver *r, enum sixpn_dns_path path, unsigned rcode)
{
	if (rcode >= SIXPN_DNS_RCODE_SLOTS)
		rcode = SIXPN_DNS_RCODE_SLOTS - 1;
	atomic_fetch_add(&r->stats.replies[path][rcode], 1);
}

static void set_rcode(ldns_pkt *p, unsigned rcode)
{
	ldns_pkt_set_rcode(p, rcode & 0xf);
	if (rcode > 0xf)
		ldns_pkt_set_edns_extended_rcode(p, (uint8_t)(rcode >> 4));
}

/* Encodes reply (freed) into *wire; a reply that does not fit q->limit
 * becomes the question alone with TC=1 (*truncated). */
static int reply_encode(struct sixpn_resolver *r, const struct rsv_q *q, ldns_pkt *reply,
			unsigned rcode, uint8_t **wire, size_t *len, bool *truncated)
{
	*wire = NULL;
	*truncated = false;
	set_rcode(reply, rcode);
	if (ldns_pkt2wire(wire, reply, len) != LDNS_STATUS_OK) {
		log_error("msg=\"cannot encode a reply\" id=%u", q->id);
		ldns_pkt_free(reply);
		return -1;
	}
	if (*len > q->limit) {
		/* Nothing partial (RFC 2181 section 9): the question, TC=1,
		 * and the client asks again over TCP. */
		bool aa = ldns_pkt_aa(reply);

		free(*wire);
		*wire = NULL;
		ldns_pkt_free(reply);
		reply = rsv_reply_new(q);
		if (!reply)
			return -1;
		ldns_pkt_set_aa(reply, aa);
		ldns_pkt_set_tc(reply, true);
		set_rcode(reply, rcode);
		if (ldns_pkt2wire(wire, reply, len) != LDNS_STATUS_OK) {
			ldns_pkt_free(reply);
			return -1;
		}
		*truncated = true;
		atomic_fetch_add(&r->stats.truncated, 1);
	}
	ldns_pkt_free(reply);
	return 0;
}

/* Sends reply and, when k is a key (an in-zone question), keeps it. */
static void reply_send_keep(struct sixpn_resolver *r, const struct rsv_origin *o,
			    const struct rsv_q *q, ldns_pkt *reply, unsigned rcode,
			    enum sixpn_dns_path path, const struct rsv_ckey *k, const uint8_t *query)
{
	uint8_t *wire;
	size_t len;
	bool tc;

	if (!reply || reply_encode(r, q, reply, rcode, &wire, &len, &tc))
		return;
	rsv_send(r, o, wire, len);
	count(r, path, rcode);
	if (k)
		rsv_cache_store(r, k, query, wire, len, rcode, tc);
	free(wire);
}

void rsv_reply_send(struct sixpn_resolver *r, const struct rsv_origin *o, const struct rsv_q *q,
		    ldns_pkt *reply, unsigned rcode, enum sixpn_dns_path path)
{
	reply_send_keep(r, o, q, reply, rcode, path, NULL, NULL);
}

/* A cached reply: the ID and the QNAME as this query has them. */
static void send_hit(struct sixpn_resolver *r, const struct rsv_origin *o, const uint8_t *wire,
		     const struct rsv_ckey *k, const struct rsv_chit *hit)
{
	uint8_t out[RSV_CACHE_ENTRY_MAX];

	memcpy(out, hit->reply, hit->len);
	out[0] = wire[0];
	out[1] = wire[1];
	memcpy(out + LDNS_HEADER_SIZE, wire + LDNS_HEADER_SIZE, k->qname_len);
	rsv_send(r, o, out, hit->len);
	if (hit->truncated)
		atomic_fetch_add(&r->stats.truncated, 1);
	count(r, SIXPN_DNS_PATH_USERSPACE, hit->rcode);
}

static void reply_error(struct sixpn_resolver *r, const struct rsv_origin *o,
			const struct rsv_q *q, unsigned rcode)
{
	rsv_reply_send(r, o, q, rsv_reply_new(q), rcode, SIXPN_DNS_PATH_USERSPACE);
}

/* IN, and ANY (which for our names means IN). Every other class stays
 * here, whatever the name: forwarding CHAOS would hand every instance the
 * upstream's version.bind, id.server and hostname.bind. */
static bool class_served(ldns_rr_class c)
{
	return c == LDNS_RR_CLASS_IN || c == LDNS_RR_CLASS_ANY;
}

/* FORMERR for a message we do not trust ourselves to read: the header
 * only, no question, no OPT (NSD does the same). */
static void reply_formerr(struct sixpn_resolver *r, const struct rsv_origin *o,
			  const struct rsv_q *q)
{
	rsv_reply_send(r, o, q, reply_echo(q), LDNS_RCODE_FORMERR, SIXPN_DNS_PATH_USERSPACE);
}

/* NOTAUTH with the unsigned BADKEY TSIG (tsig.c); SERVFAIL when that
 * cannot be built. */
static void reply_badkey(struct sixpn_resolver *r, const struct rsv_origin *o,
			 const struct rsv_q *q)
{
	ldns_pkt *reply = rsv_reply_new(q);

	if (reply && rsv_tsig_badkey(q->pkt, reply)) {
		ldns_pkt_free(reply);
		reply_error(r, o, q, LDNS_RCODE_SERVFAIL);
		return;
	}
	rsv_reply_send(r, o, q, reply, LDNS_RCODE_NOTAUTH, SIXPN_DNS_PATH_USERSPACE);
}

static bool in_zone(const ldns_rdf *zone, const ldns_rdf *name)
{
	return ldns_dname_compare(name, zone) == 0 || ldns_dname_is_subdomain(name, zone);
}

void rsv_handle(struct sixpn_resolver *r, const struct rsv_origin *o, const uint8_t *wire,
		size_t len)
{
	const struct sixpn_ip6 *src = (const struct sixpn_ip6 *)&o->src.sin6_addr;
	struct rsv_q q = { 0 };
	struct rsv_wire w;
	struct rsv_ckey k;
	struct rsv_chit hit;
	ldns_pkt *pkt = NULL;

	if (len < LDNS_HEADER_SIZE || LDNS_QR_WIRE(wire)) {
		atomic_fetch_add(&r->stats.ignored, 1);
		return;
	}
	/* the same bytes from the same side of the same asker: the same
	 * checks pass below, the same reply (cache.c) */
	if (rsv_cache_key(r, o, wire, len, &k) && rsv_cache_find(r, &k, &hit)) {
		send_hit(r, o, wire, &k, &hit);
		return;
	}
	q.id = LDNS_ID_WIRE(wire);
	q.opcode = LDNS_OPCODE_WIRE(wire);
	q.rd = LDNS_RD_WIRE(wire) != 0;
	q.cd = LDNS_CD_WIRE(wire) != 0;
	q.limit = o->conn ? RSV_MSG_MAX : SIXPN_DNS_UDP_PLAIN_MAX;
	if (q.opcode != LDNS_PACKET_QUERY) {
		rsv_reply_send(r, o, &q, reply_echo(&q), LDNS_RCODE_NOTIMPL,
			       SIXPN_DNS_PATH_USERSPACE);
		return;
	}
	if (rsv_wire_check(wire, len, &w) || ldns_wire2pkt(&pkt, wire, len) != LDNS_STATUS_OK ||
	    rsv_edns_check(pkt)) {
		ldns_pkt_free(pkt);
		reply_formerr(r, o, &q);
		return;
	}
	q.pkt = pkt;
	if (w.n_opt) {
		uint16_t size = ldns_pkt_edns_udp_size(pkt);

		q.edns = true;
		q.do_bit = ldns_pkt_edns_do(pkt);
		if (!o->conn)
			q.limit = sixpn_dns_reply_max(size);
	}
	if (ldns_pkt_qdcount(pkt) == 1 && ldns_rr_list_rr_count(ldns_pkt_question(pkt)) == 1)
		q.question = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);

	/* QTYPE OPT: a pseudo-record, never a question (RFC 6891 6.1.1) */
	if (!q.question || ldns_rr_get_type(q.question) == LDNS_RR_TYPE_OPT)
		reply_formerr(r, o, &q);
	else if (w.tsig)
		reply_badkey(r, o, &q);
	else if (q.edns && ldns_pkt_edns_version(pkt) != 0)
		reply_error(r, o, &q, 16 /* BADVERS */);
	else if (!sixpn_is_6pn(src) || sixpn_net_id(src) == 0)
		reply_error(r, o, &q, LDNS_RCODE_REFUSED);
	else if (!class_served(ldns_rr_get_class(q.question)))
		reply_error(r, o, &q, LDNS_RCODE_NOTIMPL);
	else {
		q.net_id = sixpn_net_id(src);
		q.host_id = sixpn_host_id(src);
		/* an instance asks fdaa::3, a peer its network's ::3 */
		sixpn_compose(&q.dns, sixpn_is_global_dns((const struct sixpn_ip6 *)&o->dst) ?
					      0 : q.net_id, 0, 0, SIXPN_DNS_FREE_WORD);
		bool flycast = in_zone(r->flycast_zone, ldns_rr_owner(q.question));

		if (flycast || in_zone(r->zone, ldns_rr_owner(q.question))) {
			ldns_pkt *reply = rsv_reply_new(&q);
			unsigned rcode;

			if (!reply)
				goto out;
			r->cache.uncacheable = false;
			rcode = flycast ? rsv_answer_flycast(r, &q, reply)
					: rsv_answer_internal(r, &q, reply);
			if (rcode == LDNS_RCODE_SERVFAIL) {
				ldns_pkt_free(reply);
				reply = rsv_reply_new(&q);
			}
			/* authoritative for the zone's data, not for a refusal
			 * to look (NOTIMP, FORMERR) nor for a failure */
			if (reply)
				ldns_pkt_set_aa(reply, rcode == LDNS_RCODE_NOERROR ||
							       rcode == LDNS_RCODE_NXDOMAIN);
			reply_send_keep(r, o, &q, reply, rcode, SIXPN_DNS_PATH_USERSPACE,
					k.len ? &k : NULL, wire);
		} else {
			rsv_forward(r, o, &q); /* takes the packet */
			return;
		}
	}
out:
	ldns_pkt_free(pkt);
}
