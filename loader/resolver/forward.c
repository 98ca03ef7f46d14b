// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Forwarding names outside internal. to the upstream resolvers, without
 * ever waiting.
 *
 * Each client query in flight is a struct rsv_fwd on r->fwds, watched
 * through its own upstream socket: the table is keyed by that socket, and
 * a reply must also carry the upstream query's ID. Every attempt:
 *
 *   - builds a fresh query with ldns: a random ID, the client's question
 *     exactly as asked, RD and CD as asked, EDNS with our size
 *     (SIXPN_DNS_EDNS_MAX) and the client's DO bit;
 *   - sends it over a new UDP socket connected to the upstream, so the
 *     kernel picks a random source port and drops datagrams from any
 *     other address; the reply is checked again for address and port,
 *     then for ID, QR, and the question (name ignoring case, type,
 *     class). Anything else is counted and ignored, and the wait goes on:
 *     a stray or spoofed datagram cannot end or poison the query;
 *   - on TC=1, asks the same upstream again over TCP;
 *   - on a timeout, an ICMP error or a broken TCP connection, moves to the
 *     next upstream; when every upstream failed the client gets SERVFAIL.
 *
 * The client's reply is rebuilt from the upstream's (query.c
 * gives the header, question and EDNS, and truncates it for UDP): the
 * upstream's RCODE and AD, and its answer, authority and additional
 * records. AA is never set: sixpn is not the authority for these names,
 * even when the upstream is. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <unistd.h>

#include "lib/log.h"
#include "resolver/resolver_int.h"

struct rsv_fwd {
	struct rsv_watch w;           /* the upstream socket */
	struct rsv_fwd *prev, *next;
	struct rsv_origin o;
	bool orphan;                  /* its TCP client went away */
	struct rsv_q q;               /* the client's query; owns q.pkt */
	int up, tried;
	bool tcp;
	uint16_t up_id;
	uint8_t *wire;                /* the upstream query */
	size_t wire_len;
	uint64_t deadline;
	size_t sent;                  /* TCP: bytes of length + query written */
	uint8_t *in;                  /* TCP: length + reply read so far */
	size_t in_len;
};

void rsv_forward_free(struct rsv_fwd *f)
{
	ldns_pkt_free(f->q.pkt);
	free(f->wire);
	free(f->in);
	free(f);
}

static void finish(struct sixpn_resolver *r, struct rsv_fwd *f)
{
	if (f->w.dead)
		return;
	if (f->prev)
		f->prev->next = f->next;
	else
		r->fwds = f->next;
	if (f->next)
		f->next->prev = f->prev;
	r->n_fwds--;
	rsv_bury(r, &f->w);
}

static void fail(struct sixpn_resolver *r, struct rsv_fwd *f)
{
	if (!f->orphan)
		rsv_reply_send(r, &f->o, &f->q, rsv_reply_new(&f->q), LDNS_RCODE_SERVFAIL,
			       SIXPN_DNS_PATH_FORWARDED);
	finish(r, f);
}

static void close_socket(struct sixpn_resolver *r, struct rsv_fwd *f)
{
	if (f->w.fd >= 0) {
		rsv_watch_del(r, &f->w);
		close(f->w.fd);
		f->w.fd = -1;
	}
}

static int build_query(struct rsv_fwd *f)
{
	ldns_pkt *p = ldns_pkt_new();
	int err = -1;

	if (!p)
		return -1;
	if (getrandom(&f->up_id, sizeof(f->up_id), 0) != sizeof(f->up_id))
		goto out;
	ldns_pkt_set_id(p, f->up_id);
	ldns_pkt_set_opcode(p, LDNS_PACKET_QUERY);
	ldns_pkt_set_rd(p, f->q.rd);
	ldns_pkt_set_cd(p, f->q.cd);
	ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, ldns_rr_clone(f->q.question));
	ldns_pkt_set_edns_udp_size(p, SIXPN_DNS_EDNS_MAX);
	ldns_pkt_set_edns_do(p, f->q.do_bit);
	free(f->wire);
	f->wire = NULL;
	if (ldns_pkt2wire(&f->wire, p, &f->wire_len) == LDNS_STATUS_OK)
		err = 0;
out:
	ldns_pkt_free(p);
	return err;
}

static void next_upstream(struct sixpn_resolver *r, struct rsv_fwd *f);

static int open_socket(struct sixpn_resolver *r, struct rsv_fwd *f, int type)
{
	const struct rsv_upstream *u = &r->up[f->up];

	close_socket(r, f);
	f->w.fd = socket(u->addr.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (f->w.fd < 0)
		return -1;
	if (connect(f->w.fd, (const struct sockaddr *)&u->addr, u->len) && errno != EINPROGRESS)
		return -1;
	f->deadline = rsv_now_ms() + r->timeout_ms;
	atomic_fetch_add(&r->stats.upstream_queries, 1);
	return rsv_watch_add(r, &f->w, type == SOCK_STREAM ? EPOLLOUT | EPOLLIN : EPOLLIN);
}

static void attempt_udp(struct sixpn_resolver *r, struct rsv_fwd *f)
{
	f->tcp = false;
	if (build_query(f) || open_socket(r, f, SOCK_DGRAM) ||
	    send(f->w.fd, f->wire, f->wire_len, MSG_DONTWAIT) != (ssize_t)f->wire_len) {
		atomic_fetch_add(&r->stats.upstream_errors, 1);
		next_upstream(r, f);
	}
}

static void attempt_tcp(struct sixpn_resolver *r, struct rsv_fwd *f)
{
	f->tcp = true;
	f->sent = 0;
	f->in_len = 0;
	if (!f->in)
		f->in = malloc(2 + RSV_MSG_MAX);
	atomic_fetch_add(&r->stats.upstream_tcp, 1);
	if (!f->in || build_query(f) || open_socket(r, f, SOCK_STREAM)) {
		atomic_fetch_add(&r->stats.upstream_errors, 1);
		next_upstream(r, f);
	}
}

static void next_upstream(struct sixpn_resolver *r, struct rsv_fwd *f)
{
	close_socket(r, f);
	if (f->orphan || ++f->tried >= r->n_up) {
		fail(r, f);
		return;
	}
	f->up = (f->up + 1) % r->n_up;
	attempt_udp(r, f);
}

void rsv_forward(struct sixpn_resolver *r, const struct rsv_origin *o, struct rsv_q *q)
{
	struct rsv_fwd *f;

	if (!r->n_up || r->n_fwds >= RSV_MAX_PENDING || !(f = calloc(1, sizeof(*f)))) {
		rsv_reply_send(r, o, q, rsv_reply_new(q), LDNS_RCODE_SERVFAIL,
			       SIXPN_DNS_PATH_FORWARDED);
		ldns_pkt_free(q->pkt);
		return;
	}
	f->w.kind = RSV_UPSTREAM;
	f->w.fd = -1;
	f->o = *o;
	f->q = *q;
	f->next = r->fwds;
	if (r->fwds)
		r->fwds->prev = f;
	r->fwds = f;
	r->n_fwds++;
	attempt_udp(r, f);
}

/* The upstream's reply to this attempt, or NULL (counted) if it is not. */
static ldns_pkt *match(struct sixpn_resolver *r, struct rsv_fwd *f, const uint8_t *buf, size_t len)
{
	const ldns_rr *want = f->q.question, *got;
	ldns_pkt *p = NULL;

	if (len < LDNS_HEADER_SIZE || LDNS_ID_WIRE(buf) != f->up_id || !LDNS_QR_WIRE(buf) ||
	    ldns_wire2pkt(&p, buf, len) != LDNS_STATUS_OK)
		goto mismatch;
	if (ldns_pkt_qdcount(p) != 1 || ldns_rr_list_rr_count(ldns_pkt_question(p)) != 1)
		goto mismatch;
	got = ldns_rr_list_rr(ldns_pkt_question(p), 0);
	if (ldns_dname_compare(ldns_rr_owner(got), ldns_rr_owner(want)) ||
	    ldns_rr_get_type(got) != ldns_rr_get_type(want) ||
	    ldns_rr_get_class(got) != ldns_rr_get_class(want))
		goto mismatch;
	return p;
mismatch:
	ldns_pkt_free(p);
	atomic_fetch_add(&r->stats.upstream_mismatch, 1);
	log_debug("msg=\"ignored an upstream datagram that is not the reply\" upstream=%s",
		  r->up[f->up].text);
	return NULL;
}

static void push_section(ldns_pkt *to, ldns_pkt_section s, const ldns_rr_list *from)
{
	ldns_rr_list *l = ldns_rr_list_clone(from);

	if (!l)
		return;
	ldns_pkt_push_rr_list(to, s, l);
	ldns_rr_list_free(l); /* the records now belong to `to` */
}

static void deliver(struct sixpn_resolver *r, struct rsv_fwd *f, ldns_pkt *up)
{
	unsigned rcode = ldns_pkt_get_rcode(up);
	ldns_pkt *reply;

	if (f->orphan)
		goto out;
	if (ldns_pkt_edns(up))
		rcode |= (unsigned)ldns_pkt_edns_extended_rcode(up) << 4;
	if (rcode > 0xf && !f->q.edns)
		rcode = LDNS_RCODE_SERVFAIL; /* the client cannot hear it */
	reply = rsv_reply_new(&f->q);
	if (!reply)
		goto out;
	/* AA stays clear: the upstream may be the authority, we are not */
	ldns_pkt_set_ad(reply, ldns_pkt_ad(up));
	push_section(reply, LDNS_SECTION_ANSWER, ldns_pkt_answer(up));
	push_section(reply, LDNS_SECTION_AUTHORITY, ldns_pkt_authority(up));
	push_section(reply, LDNS_SECTION_ADDITIONAL, ldns_pkt_additional(up));
	rsv_reply_send(r, &f->o, &f->q, reply, rcode, SIXPN_DNS_PATH_FORWARDED);
out:
	ldns_pkt_free(up);
	finish(r, f);
}

static bool from_upstream(const struct rsv_upstream *u, const struct sockaddr_storage *ss)
{
	if (ss->ss_family != u->addr.ss_family)
		return false;
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss, *b = (const void *)&u->addr;

		return a->sin6_port == b->sin6_port &&
		       !memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(a->sin6_addr));
	}
	const struct sockaddr_in *a = (const void *)ss, *b = (const void *)&u->addr;

	return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
}

static void udp_event(struct sixpn_resolver *r, struct rsv_fwd *f)
{
	uint8_t buf[RSV_MSG_MAX];

	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		ssize_t n = recvfrom(f->w.fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
		ldns_pkt *p;

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			/* ECONNREFUSED and friends: ICMP from the upstream */
			atomic_fetch_add(&r->stats.upstream_errors, 1);
			next_upstream(r, f);
			return;
		}
		if (!from_upstream(&r->up[f->up], &ss)) {
			atomic_fetch_add(&r->stats.upstream_mismatch, 1);
			continue;
		}
		p = match(r, f, buf, (size_t)n);
		if (!p)
			continue;
		if (ldns_pkt_tc(p)) {
			ldns_pkt_free(p);
			attempt_tcp(r, f);
			return;
		}
		deliver(r, f, p);
		return;
	}
}

static void tcp_event(struct sixpn_resolver *r, struct rsv_fwd *f, uint32_t events)
{
	size_t total = 2 + f->wire_len;

	if (events & EPOLLERR)
		goto broken;
	if (f->sent < total && (events & EPOLLOUT)) {
		uint8_t hdr[2] = { (uint8_t)(f->wire_len >> 8), (uint8_t)f->wire_len };

		while (f->sent < total) {
			const uint8_t *p = f->sent < 2 ? hdr + f->sent : f->wire + (f->sent - 2);
			size_t left = f->sent < 2 ? 2 - f->sent : total - f->sent;
			ssize_t n = send(f->w.fd, p, left, MSG_DONTWAIT | MSG_NOSIGNAL);

			if (n < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					return;
				goto broken;
			}
			f->sent += (size_t)n;
		}
		rsv_watch_mod(r, &f->w, EPOLLIN);
	}
	if (!(events & (EPOLLIN | EPOLLHUP)))
		return;
	for (;;) {
		ssize_t n = recv(f->w.fd, f->in + f->in_len, 2 + RSV_MSG_MAX - f->in_len, MSG_DONTWAIT);
		size_t mlen;
		ldns_pkt *p;

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0)
			goto broken;
		f->in_len += (size_t)n;
		if (f->in_len < 2)
			continue;
		mlen = ((size_t)f->in[0] << 8) | f->in[1];
		if (f->in_len < 2 + mlen)
			continue;
		p = match(r, f, f->in + 2, mlen);
		if (!p)
			goto broken; /* a TCP stream that lies: next upstream */
		deliver(r, f, p);
		return;
	}
broken:
	atomic_fetch_add(&r->stats.upstream_errors, 1);
	next_upstream(r, f);
}

void rsv_forward_event(struct sixpn_resolver *r, struct rsv_fwd *f, uint32_t events)
{
	if (f->tcp)
		tcp_event(r, f, events);
	else
		udp_event(r, f);
}

int rsv_forward_tick(struct sixpn_resolver *r, uint64_t now)
{
	struct rsv_fwd *f = r->fwds, *next;
	int wait = -1;

	for (; f; f = next) {
		next = f->next;
		if (f->orphan) {
			finish(r, f);
			continue;
		}
		if (now >= f->deadline) {
			atomic_fetch_add(&r->stats.upstream_timeouts, 1);
			log_debug("msg=\"upstream timed out\" upstream=%s", r->up[f->up].text);
			next_upstream(r, f);
			continue;
		}
		int left = (int)(f->deadline - now);

		if (wait < 0 || left < wait)
			wait = left;
	}
	return wait;
}

void rsv_forward_conn_gone(struct sixpn_resolver *r, struct rsv_conn *c)
{
	struct rsv_fwd *f;

	for (f = r->fwds; f; f = f->next)
		if (f->o.conn == c) {
			f->orphan = true;
			f->o.conn = NULL;
		}
}

void rsv_forward_close_all(struct sixpn_resolver *r)
{
	while (r->fwds)
		finish(r, r->fwds);
}
