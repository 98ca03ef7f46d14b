// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer target: what an upstream resolver answers, through the
 * forwarder (loader/resolver/forward.c): the reply's checks against the
 * query (ID, QR, question), its records copied into the client's reply,
 * TC=1 and the retry over TCP, a TCP stream that lies about its length.
 *
 * The upstream is this process: a UDP socket and a TCP listener on one
 * port of 127.0.0.1. A client's query (one of four, chosen by the input)
 * goes through rsv_handle() and is forwarded there; the target reads it
 * and answers with the input, the upstream query's ID written over the
 * input's first two bytes (else nothing would ever match).
 *
 * Input: one byte choosing the client's query, two bytes (big endian)
 * for the length of the UDP reply, the UDP reply, then the bytes the
 * upstream sends if asked over TCP (length prefix included, ID at 2-3).
 *
 * Every query gets exactly one reply, checked by fz_check_reply(), and
 * nothing stays pending. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "rsv_fuzz.h"

#define N_QUERIES 4

static struct fz_fixture fx;
static struct sixpn_resolver *rsv;
static int up_udp = -1, up_tcp = -1;
static uint8_t *queries[N_QUERIES];
static size_t query_len[N_QUERIES];
static const bool query_tcp[N_QUERIES] = { false, false, true, false };

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void make_query(int i, const char *name, ldns_rr_type type, bool rd, bool cd, int edns,
		       bool do_bit)
{
	ldns_pkt *p = NULL;

	if (ldns_pkt_query_new_frm_str(&p, name, type, LDNS_RR_CLASS_IN, rd ? LDNS_RD : 0) !=
	    LDNS_STATUS_OK)
		die("ldns_pkt_query_new_frm_str");
	ldns_pkt_set_id(p, (uint16_t)(0x1000 + i));
	ldns_pkt_set_cd(p, cd);
	if (edns) {
		ldns_pkt_set_edns_udp_size(p, (uint16_t)edns);
		ldns_pkt_set_edns_do(p, do_bit);
	}
	if (ldns_pkt2wire(&queries[i], p, &query_len[i]) != LDNS_STATUS_OK)
		die("ldns_pkt2wire");
	ldns_pkt_free(p);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_storage up = { 0 };
	socklen_t al = sizeof(a);
	int one = 1;

	(void)argc;
	(void)argv;
	fz_fixture(&fx);
	/* One port for both: the kernel picks a free UDP port, which a TCP
	 * socket of the machine may hold already; then try another. */
	for (int tries = 0;; tries++) {
		a.sin_port = 0;
		al = sizeof(a);
		up_udp = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		up_tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (up_udp < 0 || up_tcp < 0)
			die("socket");
		if (bind(up_udp, (struct sockaddr *)&a, sizeof(a)) ||
		    getsockname(up_udp, (struct sockaddr *)&a, &al))
			die("bind udp");
		setsockopt(up_tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (!bind(up_tcp, (struct sockaddr *)&a, sizeof(a)) && !listen(up_tcp, 8))
			break;
		if (tries == 100)
			die("bind tcp to the UDP socket's port");
		close(up_udp);
		close(up_tcp);
	}
	memcpy(&up, &a, sizeof(a));
	rsv = fz_resolver(fx.reg, &up, 1);
	rsv->timeout_ms = 1000;
	make_query(0, "example.com.", LDNS_RR_TYPE_A, true, false, 0, false);
	make_query(1, "Example.COM.", LDNS_RR_TYPE_AAAA, true, false, 1232, true);
	make_query(2, "example.org.", LDNS_RR_TYPE_TXT, true, false, 0, false);
	make_query(3, "big.example.", LDNS_RR_TYPE_ANY, false, true, 4096, false);
	return 0;
}

static bool wait_fd(int fd, short ev)
{
	struct pollfd p = { .fd = fd, .events = ev };

	return poll(&p, 1, 2000) == 1;
}

/* The upstream's side of a TCP attempt: reads the query, sends stream. */
static void serve_tcp(struct rsv_watch *w, const uint8_t *stream, size_t n)
{
	uint8_t q[2 + RSV_MSG_MAX];
	size_t got = 0, want = 2;
	int c, i;

	if (!wait_fd(up_tcp, POLLIN))
		return; /* the connect failed: the forwarder moves on by itself */
	c = accept(up_tcp, NULL, NULL);
	if (c < 0)
		die("accept");
	rsv_forward_event(rsv, (struct rsv_fwd *)w, EPOLLOUT);
	while (!w->dead && got < want && wait_fd(c, POLLIN)) {
		ssize_t k = read(c, q + got, want - got);

		if (k <= 0)
			break;
		got += (size_t)k;
		if (got == 2)
			want = 2 + ((size_t)q[0] << 8 | q[1]);
	}
	FZ_CHECK(w->dead || (got == want && got >= 2 + LDNS_HEADER_SIZE),
		 "the TCP query: %zu of %zu bytes", got, want);
	if (!w->dead) {
		uint8_t *s = fz_dup(stream, n);

		if (n >= 4)
			memcpy(s + 2, q + 2, 2);
		if (n && write(c, s, n) != (ssize_t)n)
			die("write to the forwarder");
		free(s);
	}
	shutdown(c, SHUT_WR);
	for (i = 0; i < 4 && !w->dead; i++) {
		wait_fd(w->fd, POLLIN);
		rsv_forward_event(rsv, (struct rsv_fwd *)w, EPOLLIN);
	}
	close(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	int qi = fz_u8(&f) % N_QUERIES;
	size_t udp_len = fz_u16(&f);
	const uint8_t *udp, *stream;
	uint8_t upq[RSV_MSG_MAX], *reply;
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	struct rsv_origin o;
	struct rsv_watch *w;
	size_t stream_len;
	ssize_t n;

	udp_len = fz_take(&f, udp_len, &udp);
	stream_len = fz_take(&f, f.n, &stream);
	while (recv(up_udp, upq, sizeof(upq), MSG_DONTWAIT) >= 0)
		; /* nothing left over from an earlier input */

	fz_origin(&o, &fx.web_machine, query_tcp[qi]);
	rsv_handle(rsv, &o, queries[qi], query_len[qi]);
	w = fz_rsv.watched;
	FZ_CHECK(w && fz_rsv.n_replies == 0, "the query was not forwarded");
	n = recvfrom(up_udp, upq, sizeof(upq), 0, (struct sockaddr *)&from, &fl);
	FZ_CHECK(n >= LDNS_HEADER_SIZE, "no upstream query (%zd)", n);

	reply = fz_dup(udp, udp_len);
	if (udp_len >= 2)
		memcpy(reply, upq, 2);
	if (sendto(up_udp, reply, udp_len, 0, (struct sockaddr *)&from, fl) != (ssize_t)udp_len)
		die("sendto the forwarder");
	free(reply);
	rsv_forward_event(rsv, (struct rsv_fwd *)w, EPOLLIN);
	if (!w->dead && fz_rsv.n_watch_adds == 2 && (fz_rsv.watched_events & EPOLLOUT))
		serve_tcp(w, stream, stream_len);
	if (!w->dead)
		rsv_forward_tick(rsv, UINT64_MAX); /* what never came times out */

	FZ_CHECK(fz_rsv.n_replies == 1, "%d replies to one query", fz_rsv.n_replies);
	fz_check_reply(0, queries[qi], query_len[qi]);
	if (getenv("FZ_VERBOSE"))
		fprintf(stderr, "rcode %u, %u answers, %s, %zu bytes\n",
			LDNS_RCODE_WIRE(fz_rsv.reply[0]), LDNS_ANCOUNT(fz_rsv.reply[0]),
			fz_rsv.n_watch_adds > 1 ? "over TCP" : "over UDP", fz_rsv.reply_len[0]);
	FZ_CHECK(rsv->n_fwds == 0 && w->dead, "a forward left pending");
	fz_rsv_reset();
	return 0;
}
