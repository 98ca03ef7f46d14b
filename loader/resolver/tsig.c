// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* A TSIG-signed query (RFC 8945). The resolver holds no keys, so it knows
 * none: section 5.2.1 says a non-forwarding server that does not recognize
 * the key answers RCODE 9 (NOTAUTH) with TSIG error 17 (BADKEY), unsigned
 * (section 5.3.2: MAC size 0, no MAC). That holds for forwarded names too:
 * section 5.5's "forward the message unchanged" is for a server that relays
 * the client's message, and this one never does (every upstream query is
 * its own, with its own ID, question and EDNS), so there is nothing a TSIG
 * of the client's could still sign.
 *
 * The reply's TSIG is the query's (key name, algorithm, time signed, fudge,
 * original ID), with an empty MAC, the error BADKEY and no other data: what
 * NSD 4.6 sends for a key it does not have. It is not logged for each
 * query (RFC 8945 says SHOULD): anyone who can reach fdaa::3 could fill the
 * log with it; it is counted under NOTAUTH like every reply. */
#include "resolver/resolver_int.h"

#define TSIG_MAC 3       /* field positions in the TSIG RDATA */
#define TSIG_ERROR 5
#define TSIG_OTHER 6
#define TSIG_BADKEY 17

static int set_field(ldns_rr *rr, size_t pos, ldns_rdf *f)
{
	ldns_rdf *old;

	if (!f)
		return -1;
	old = ldns_rr_set_rdf(rr, f, pos);
	if (!old) {
		ldns_rdf_deep_free(f);
		return -1;
	}
	ldns_rdf_deep_free(old);
	return 0;
}

int rsv_tsig_badkey(const ldns_pkt *pkt, ldns_pkt *reply)
{
	static const uint8_t empty[2] = { 0, 0 }; /* a length of 0 */
	ldns_rr *t = ldns_rr_clone(ldns_pkt_tsig(pkt));

	if (!t)
		return -1;
	if (set_field(t, TSIG_MAC, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_INT16_DATA, 2, empty)) ||
	    set_field(t, TSIG_ERROR, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, TSIG_BADKEY)) ||
	    set_field(t, TSIG_OTHER, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_INT16_DATA, 2, empty))) {
		ldns_rr_free(t);
		return -1;
	}
	ldns_pkt_set_tsig(reply, t);
	return 0;
}
