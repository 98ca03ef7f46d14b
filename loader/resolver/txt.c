// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* TXT answers from a list of entries ("web", "abc123 ams",
 * "instance=..,app=..,ip=..,region=.."):
 *
 *   - entries are joined by the list's separator (',' for the lists,
 *     ';' for _instances.internal, whose entries hold commas);
 *   - one TXT record holds whole entries, at most RSV_TXT_RR_MAX bytes of
 *     text (an entry longer than that gets a record of its own), so a
 *     client never has to join records, whose order DNS does not keep: it
 *     splits each record's text on the separator;
 *   - a record's text is cut into character-strings of at most 255 bytes
 *     (RFC 1035 section 3.3.14), which a client concatenates, as for SPF
 *     (RFC 7208 section 3.3).
 *
 * No entries: no records (the caller answers NODATA). */
#define _GNU_SOURCE /* in6_pktinfo, accept4, vasprintf */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolver/resolver_int.h"
#include "lib/grow.h"

void rsv_txt_init(struct rsv_txt *t, char sep)
{
	memset(t, 0, sizeof(*t));
	t->sep = sep;
}

int rsv_txt_add(struct rsv_txt *t, const char *fmt, ...)
{
	char **e = array_grow(t->e, &t->cap, t->n, sizeof(*e));
	va_list ap;
	char *s;
	int n;

	if (!e)
		return -1;
	t->e = e;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	t->e[t->n++] = s;
	return 0;
}

void rsv_txt_free(struct rsv_txt *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->e[i]);
	free(t->e);
	memset(t, 0, sizeof(*t));
}

/* One TXT record for text[0..len): character-strings of <= 255 bytes. */
ldns_rr *rsv_rr_new(const ldns_rdf *owner, ldns_rr_type type, uint32_t ttl)
{
	ldns_rr *rr = ldns_rr_new();

	if (!rr)
		return NULL;
	ldns_rr_set_owner(rr, ldns_rdf_clone(owner));
	ldns_rr_set_type(rr, type);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(rr, ttl);
	return rr;
}

static ldns_rr *txt_record(const char *text, size_t len, const ldns_rdf *owner, uint32_t ttl)
{
	ldns_rr *rr = rsv_rr_new(owner, LDNS_RR_TYPE_TXT, ttl);
	uint8_t buf[1 + RSV_TXT_STRING_MAX];
	size_t off = 0;

	if (!rr)
		return NULL;
	do {
		size_t n = len - off > RSV_TXT_STRING_MAX ? RSV_TXT_STRING_MAX : len - off;
		ldns_rdf *rdf;

		buf[0] = (uint8_t)n;
		memcpy(buf + 1, text + off, n);
		rdf = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_STR, n + 1, buf);
		if (!rdf || !ldns_rr_push_rdf(rr, rdf)) {
			ldns_rdf_deep_free(rdf);
			ldns_rr_free(rr);
			return NULL;
		}
		off += n;
	} while (off < len);
	return rr;
}

int rsv_txt_records(const struct rsv_txt *t, const ldns_rdf *owner, uint32_t ttl, ldns_pkt *reply)
{
	size_t total = 0, i = 0, len;
	char *text;
	int records = 0;

	for (i = 0; i < t->n; i++)
		total += strlen(t->e[i]) + 1;
	text = malloc(total + 1);
	if (!text)
		return -1;
	i = 0;
	while (i < t->n) {
		ldns_rr *rr;

		/* whole entries up to the record's size; at least one */
		len = 0;
		do {
			size_t n = strlen(t->e[i]);

			if (len && len + 1 + n > RSV_TXT_RR_MAX)
				break;
			if (len)
				text[len++] = t->sep;
			memcpy(text + len, t->e[i], n);
			len += n;
			i++;
		} while (i < t->n);
		rr = txt_record(text, len, owner, ttl);
		if (!rr || !ldns_pkt_push_rr(reply, LDNS_SECTION_ANSWER, rr)) {
			ldns_rr_free(rr);
			free(text);
			return -1;
		}
		records++;
	}
	free(text);
	return records;
}
