// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The structure of a client's message, record by record, before
 * ldns_wire2pkt() builds the packet: ldns_wire2pkt() takes every OPT and
 * TSIG out of the additional section wherever they are and counts them
 * nowhere, so what it returns cannot tell a signed query from one with two
 * OPTs. The records are read with ldns's own parser (ldns_wire2rr); only
 * their places are judged here:
 *
 *   a TSIG that is not the last record of the additional section, or a
 *   second one                                  FORMERR (RFC 8945 5.2)
 *   a TSIG that cannot be interpreted (not 7 fields, class not ANY, TTL
 *   not 0)                                      FORMERR (RFC 8945 5.2, 4.2)
 *   more than one OPT                           FORMERR (RFC 6891 6.1.1) */
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
			ldns_rr *rr = NULL;
			int bad;

			if (ldns_wire2rr(&rr, wire, len, &pos, sections[s]) != LDNS_STATUS_OK)
				return -1;
			bad = check_record(rr, sections[s], i, counts[s], w);
			ldns_rr_free(rr);
			if (bad)
				return -1;
		}
	}
	return 0;
}
