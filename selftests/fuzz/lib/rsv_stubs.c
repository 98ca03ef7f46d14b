// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* What loader/resolver/loop.c gives the rest of the resolver, without the
 * epoll set: a watch is only remembered, a send is kept for checking, a
 * buried watch is freed by fz_rsv_reset() as loop.c frees it after its
 * batch of events. */
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "datapath/dns_names.h"
#include "rsv_fuzz.h"

struct fz_rsv fz_rsv;

uint64_t rsv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int rsv_watch_add(struct sixpn_resolver *r, struct rsv_watch *w, uint32_t events)
{
	(void)r;
	fz_rsv.watched = w;
	fz_rsv.watched_events = events;
	fz_rsv.n_watch_adds++;
	return 0;
}

void rsv_watch_mod(struct sixpn_resolver *r, struct rsv_watch *w, uint32_t events)
{
	(void)r;
	(void)w;
	(void)events;
}

void rsv_watch_del(struct sixpn_resolver *r, struct rsv_watch *w)
{
	(void)r;
	(void)w;
}

void rsv_bury(struct sixpn_resolver *r, struct rsv_watch *w)
{
	(void)r;
	if (w->dead)
		return;
	w->dead = true;
	if (w->fd >= 0) {
		close(w->fd);
		w->fd = -1;
	}
	FZ_CHECK(fz_rsv.n_grave < FZ_MAX_GRAVE, "%d watches buried in one input", fz_rsv.n_grave);
	fz_rsv.grave[fz_rsv.n_grave++] = w;
}

void rsv_send(struct sixpn_resolver *r, const struct rsv_origin *o, const uint8_t *wire, size_t len)
{
	(void)r;
	FZ_CHECK(fz_rsv.n_replies < FZ_MAX_REPLIES, "%d replies to one input", fz_rsv.n_replies);
	fz_rsv.reply[fz_rsv.n_replies] = fz_dup(wire, len);
	fz_rsv.reply_len[fz_rsv.n_replies] = len;
	fz_rsv.reply_tcp[fz_rsv.n_replies] = o->conn != NULL;
	fz_rsv.n_replies++;
}

void fz_rsv_reset(void)
{
	int i;

	for (i = 0; i < fz_rsv.n_replies; i++)
		free(fz_rsv.reply[i]);
	for (i = 0; i < fz_rsv.n_grave; i++)
		if (fz_rsv.grave[i]->kind == RSV_UPSTREAM)
			rsv_forward_free((struct rsv_fwd *)fz_rsv.grave[i]);
	memset(&fz_rsv, 0, sizeof(fz_rsv));
}

struct sixpn_resolver *fz_resolver(struct reg *reg, const struct sockaddr_storage *up, int n_up)
{
	struct sixpn_resolver *r = calloc(1, sizeof(*r));
	int i;

	if (!r)
		abort();
	r->reg = reg;
	sixpn_dns_config_default(&r->cfg);
	r->timeout_ms = SIXPN_RESOLVER_DEFAULT_TIMEOUT_MS;
	r->epfd = r->wake.fd = r->udp.fd = r->tcp.fd = -1;
	for (i = 0; i < n_up && i < SIXPN_RESOLVER_MAX_UPSTREAMS; i++) {
		r->up[i].addr = up[i];
		r->up[i].len = up[i].ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
							   : sizeof(struct sockaddr_in);
		snprintf(r->up[i].text, sizeof(r->up[i].text), "fuzz-upstream-%d", i);
	}
	r->n_up = i;
	r->zone = ldns_dname_new_frm_str(SIXPN_DNS_ZONE ".");
	r->flycast_zone = ldns_dname_new_frm_str(SIXPN_DNS_FLYCAST_ZONE ".");
	if (!r->zone || !r->flycast_zone || rsv_cache_init(r, false))
		abort();
	return r;
}

void fz_origin(struct rsv_origin *o, const struct sixpn_ip6 *src, bool tcp)
{
	static struct rsv_conn conn; /* never looked into: rsv_send() is ours */

	memset(o, 0, sizeof(*o));
	o->src.sin6_family = AF_INET6;
	memcpy(&o->src.sin6_addr, src, sizeof(o->src.sin6_addr));
	o->src.sin6_port = htons(5353);
	inet_pton(AF_INET6, "fdaa::3", &o->dst);
	o->conn = tcp ? &conn : NULL;
}

void fz_check_reply(int i, const uint8_t *query, size_t qlen)
{
	const uint8_t *w = fz_rsv.reply[i];
	size_t len = fz_rsv.reply_len[i];
	ldns_pkt *rp = NULL;
	ldns_rr *qq_rr = NULL;
	size_t qpos = LDNS_HEADER_SIZE;

	FZ_CHECK(qlen >= LDNS_HEADER_SIZE, "a reply to a runt of %zu bytes", qlen);
	FZ_CHECK(len >= LDNS_HEADER_SIZE, "a reply of %zu bytes", len);
	if (getenv("FZ_VERBOSE")) {
		for (size_t j = 0; j < len; j++)
			fprintf(stderr, "%02x%s", w[j], j + 1 < len ? " " : "\n");
	}
	FZ_CHECK(ldns_wire2pkt(&rp, w, len) == LDNS_STATUS_OK, "the reply (%zu bytes) does not parse",
		 len);
	FZ_CHECK(LDNS_ID_WIRE(w) == LDNS_ID_WIRE(query), "reply ID %u, query ID %u",
		 LDNS_ID_WIRE(w), LDNS_ID_WIRE(query));
	FZ_CHECK(LDNS_QR_WIRE(w), "QR clear in a reply");
	FZ_CHECK(LDNS_OPCODE_WIRE(w) == LDNS_OPCODE_WIRE(query), "opcode %u for %u",
		 LDNS_OPCODE_WIRE(w), LDNS_OPCODE_WIRE(query));
	FZ_CHECK(!LDNS_RD_WIRE(w) == !LDNS_RD_WIRE(query), "RD not copied");
	FZ_CHECK(!LDNS_CD_WIRE(w) == !LDNS_CD_WIRE(query), "CD not copied");
	if (!fz_rsv.reply_tcp[i])
		FZ_CHECK(len <= (ldns_pkt_edns(rp) ? SIXPN_DNS_EDNS_MAX : SIXPN_DNS_UDP_PLAIN_MAX),
			 "a UDP reply of %zu bytes", len);
	else
		FZ_CHECK(len <= RSV_MSG_MAX, "a TCP reply of %zu bytes", len);
	if (LDNS_TC_WIRE(w))
		FZ_CHECK(ldns_pkt_ancount(rp) == 0, "TC=1 with %u answers", ldns_pkt_ancount(rp));
	/* The query's question alone: ldns_wire2pkt() leaks the first of two
	 * TSIG records (it keeps only the last), so the whole query is not
	 * parsed here. */
	if (qlen >= LDNS_HEADER_SIZE && LDNS_QDCOUNT(query) == 1 &&
	    ldns_wire2rr(&qq_rr, query, qlen, &qpos, LDNS_SECTION_QUESTION) == LDNS_STATUS_OK &&
	    ldns_pkt_qdcount(rp) == 1) {
		const ldns_rr *qq = qq_rr;
		const ldns_rr *rq = ldns_rr_list_rr(ldns_pkt_question(rp), 0);
		const ldns_rdf *qn = ldns_rr_owner(qq), *rn = ldns_rr_owner(rq);

		FZ_CHECK(ldns_rdf_size(qn) == ldns_rdf_size(rn) &&
			 !memcmp(ldns_rdf_data(qn), ldns_rdf_data(rn), ldns_rdf_size(qn)),
			 "the question is not the one asked");
		FZ_CHECK(ldns_rr_get_type(qq) == ldns_rr_get_type(rq) &&
			 ldns_rr_get_class(qq) == ldns_rr_get_class(rq), "question type or class changed");
	}
	ldns_rr_free(qq_rr);
	ldns_pkt_free(rp);
}
