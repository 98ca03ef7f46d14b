// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The structure of a client's message, record by record, before
 * ldns_wire2pkt() builds the packet: ldns_wire2pkt() takes every OPT and
 * TSIG out of the additional section wherever they are and counts them
 * nowhere, so what it returns cannot tell a signed query from one with two
 * OPTs, and it stops reading where the counts say, whatever follows. The
 * records are read with ldns's own parser (ldns_wire2rr); only their
 * places and lengths are judged here. Every one of these is FORMERR:
 *
 *   bytes after the last record                 (RFC 1035 4.1: the counts
 *                                               say what the message holds)
 *   a record whose RDATA is not what its type   (ldns reads the fields of
 *   holds (bytes left over in RDLENGTH)         the type and stops there)
 *   an OPT outside the additional section, or   (RFC 6891 6.1.1)
 *   not owned by the root, or a second one
 *   an EDNS option running past the OPT's       (RFC 6891 6.1.2)
 *   RDLENGTH, or half an option header
 *   a COOKIE option of a length other than 8    (RFC 7873 5.2.2: a client
 *   or 16..40                                   cookie, or one plus a
 *                                               server cookie of 8..32)
 *   a TSIG that is not the last record of the   (RFC 8945 5.2)
 *   additional section, or a second one
 *   a TSIG that cannot be interpreted (not 7    (RFC 8945 5.2, 4.2)
 *   fields, class not ANY, TTL not 0) */
#include "resolver/resolver_int.h"


#define TSIG_FIELDS 7

static bool tsig_readable(const ldns_rr *rr)
{
	return ldns_rr_rd_count(rr) == TSIG_FIELDS && ldns_rr_get_class(rr) == LDNS_RR_CLASS_ANY &&
	       ldns_rr_ttl(rr) == 0;
}

/* Judges one record of section s, the i-th of n. */
static int check_record(const ldns_rr *rr, ldns_pkt_section s, unsigned i, unsigned n,
			struct rsv_wire *w)
{
	switch (ldns_rr_get_type(rr)) {
	case LDNS_RR_TYPE_OPT:
		if (s == LDNS_SECTION_QUESTION)
			return 0; /* QTYPE OPT: query.c's to answer */
		if (s != LDNS_SECTION_ADDITIONAL || ldns_dname_label_count(ldns_rr_owner(rr)) != 0)
			return -1;
		w->n_opt++;
		return w->n_opt > 1 ? -1 : 0;
	case LDNS_RR_TYPE_TSIG:
		if (s == LDNS_SECTION_QUESTION)
			return 0; /* QTYPE TSIG: a meta type, NOTIMP in names.c */
		if (s != LDNS_SECTION_ADDITIONAL || i + 1 != n || !tsig_readable(rr))
			return -1;
		w->tsig = true;
		return 0;
	default:
		return 0;
	}
}

/* Where the RDATA of the record at pos ends, or 0 when the record does not
 * even have its fixed fields. The owner name is only stepped over (its
 * labels, or the pointer that ends it): ldns_wire2rr() reads it for real
 * right after, and refuses what is not a name. */
static size_t rdata_end(const uint8_t *wire, size_t len, size_t pos)
{
	while (pos < len && wire[pos] && (wire[pos] & 0xc0) == 0)
		pos += 1 + wire[pos];
	if (pos >= len || (wire[pos] & 0xc0 && (wire[pos] & 0xc0) != 0xc0))
		return 0;
	pos += wire[pos] ? 2 : 1;
	if (pos + 10 > len)
		return 0;
	return pos + 10 + ldns_read_uint16(wire + pos + 8);
}

int rsv_wire_check(const uint8_t *wire, size_t len, struct rsv_wire *w)
{
	static const ldns_pkt_section sections[] = { LDNS_SECTION_QUESTION, LDNS_SECTION_ANSWER,
						     LDNS_SECTION_AUTHORITY,
						     LDNS_SECTION_ADDITIONAL };
	const unsigned counts[] = { LDNS_QDCOUNT(wire), LDNS_ANCOUNT(wire), LDNS_NSCOUNT(wire),
				    LDNS_ARCOUNT(wire) };
	size_t pos = LDNS_HEADER_SIZE;
	unsigned s, i;

	*w = (struct rsv_wire){ 0 };
	for (s = 0; s < 4; s++) {
		for (i = 0; i < counts[s]; i++) {
			size_t end = s ? rdata_end(wire, len, pos) : 0;
			ldns_rr *rr = NULL;
			int bad;

			if (ldns_wire2rr(&rr, wire, len, &pos, sections[s]) != LDNS_STATUS_OK)
				return -1;
			bad = (s && pos != end) || check_record(rr, sections[s], i, counts[s], w);
			ldns_rr_free(rr);
			if (bad)
				return -1;
		}
	}
	return pos == len ? 0 : -1;
}

int rsv_edns_check(ldns_pkt *pkt)
{
	ldns_edns_option_list *l;
	size_t i, n;

	if (!ldns_pkt_edns_data(pkt) || !ldns_rdf_size(ldns_pkt_edns_data(pkt)))
		return 0;
	/* NULL from ldns: an option header or value past the RDATA */
	l = ldns_pkt_edns_get_option_list(pkt);
	if (!l)
		return -1;
	n = ldns_edns_option_list_get_count(l);
	for (i = 0; i < n; i++) {
		const ldns_edns_option *e = ldns_edns_option_list_get_option(l, i);
		size_t size = ldns_edns_get_size(e);

		if (ldns_edns_get_code(e) == LDNS_EDNS_COOKIE && !sixpn_dns_cookie_len_ok(size))
			return -1;
	}
	return 0;
}
