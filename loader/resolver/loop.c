// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The resolver's event loop: one epoll set with the wake-up eventfd, the
 * UDP and TCP listeners on [::]:53, the TCP clients and the upstream
 * queries in flight. Every socket is non-blocking; nothing here waits. */
#define _GNU_SOURCE /* in6_pktinfo, accept4, vasprintf */
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "resolver/resolver_int.h"

/* A reply's IPV6_PKTINFO: the source address it leaves from. */
union rsv_pktinfo_buf {
	char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct cmsghdr align;
};

/* One wake-up's batch of datagrams, taken with one recvmmsg: each has a
 * buffer of the biggest datagram, of which only what arrives is touched.
 * Their replies wait in out[] until the whole batch is answered and leave
 * with one sendmmsg (a sendmsg each was most of the time of a cached
 * answer: docs/bench.md "DNS end to end"). */
struct rsv_udp_batch {
	struct mmsghdr mh[RSV_UDP_BATCH];
	struct iovec iov[RSV_UDP_BATCH];
	struct rsv_origin o[RSV_UDP_BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + 64];
		struct cmsghdr align;
	} cbuf[RSV_UDP_BATCH];
	uint8_t msg[RSV_UDP_BATCH][RSV_MSG_MAX];
	int n_filled;                 /* headers the last recvmmsg wrote to */

	bool collecting;              /* udp_readable is answering the batch */
	unsigned n_out;
	struct mmsghdr out_mh[RSV_UDP_BATCH];
	struct iovec out_iov[RSV_UDP_BATCH];
	struct sockaddr_in6 out_to[RSV_UDP_BATCH];
	union rsv_pktinfo_buf out_cbuf[RSV_UDP_BATCH];
	/* a UDP reply is at most SIXPN_DNS_EDNS_MAX (query.c truncates to
	 * q->limit); a bigger one would be sent on its own */
	uint8_t out[RSV_UDP_BATCH][SIXPN_DNS_EDNS_MAX];
};

uint64_t rsv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int rsv_watch_add(struct sixpn_resolver *r, struct rsv_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(r->epfd, EPOLL_CTL_ADD, w->fd, &ev) ? -errno : 0;
}

void rsv_watch_mod(struct sixpn_resolver *r, struct rsv_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	epoll_ctl(r->epfd, EPOLL_CTL_MOD, w->fd, &ev);
}

void rsv_watch_del(struct sixpn_resolver *r, struct rsv_watch *w)
{
	epoll_ctl(r->epfd, EPOLL_CTL_DEL, w->fd, NULL);
}

void rsv_bury(struct sixpn_resolver *r, struct rsv_watch *w)
{
	if (w->dead)
		return;
	w->dead = true;
	if (w->fd >= 0) {
		rsv_watch_del(r, w);
		close(w->fd);
		w->fd = -1;
	}
	if (r->n_grave == r->cap_grave) {
		size_t cap = r->cap_grave ? r->cap_grave * 2 : 64;
		struct rsv_watch **g = realloc(r->grave, cap * sizeof(*g));

		if (!g) {
			log_error("msg=\"resolver out of memory; leaking a closed socket state\"");
			return;
		}
		r->grave = g;
		r->cap_grave = cap;
	}
	r->grave[r->n_grave++] = w;
}

static void free_watch(struct rsv_watch *w)
{
	if (w->kind == RSV_TCP_CONN) {
		free(((struct rsv_conn *)w)->out);
		free(w);
	} else if (w->kind == RSV_UPSTREAM) {
		rsv_forward_free((struct rsv_fwd *)w);
	}
}

static void empty_grave(struct sixpn_resolver *r)
{
	size_t i;

	for (i = 0; i < r->n_grave; i++)
		free_watch(r->grave[i]);
	r->n_grave = 0;
}

/* fdaa::3 or some <net prefix>::3: the only addresses we answer on. */
static bool is_dns_addr(const struct in6_addr *a)
{
	const struct sixpn_ip6 *ip = (const struct sixpn_ip6 *)a;

	return sixpn_is_global_dns(ip) ||
	       (sixpn_is_6pn(ip) && sixpn_net_id(ip) != 0 && sixpn_is_net_dns(ip, sixpn_net_id(ip)));
}

/* The receive headers, once: each points at its own buffers for good. */
static void udp_batch_init(struct rsv_udp_batch *b)
{
	int i;

	for (i = 0; i < RSV_UDP_BATCH; i++) {
		b->iov[i] = (struct iovec){ .iov_base = b->msg[i], .iov_len = sizeof(b->msg[i]) };
		b->mh[i].msg_hdr = (struct msghdr){
			.msg_name = &b->o[i].src, .msg_namelen = sizeof(b->o[i].src),
			.msg_iov = &b->iov[i], .msg_iovlen = 1,
			.msg_control = b->cbuf[i].buf, .msg_controllen = sizeof(b->cbuf[i].buf),
		};
	}
}

/* ---- listeners ------------------------------------------------------------ */

#define BIND_RETRIES 40
#define BIND_RETRY_US 50000

static int listen_socket(struct sixpn_resolver *r, int type, const struct sockaddr_in6 *sa)
{
	int fd = socket(AF_INET6, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    /* bind before sixpnd adds <prefix>::3 addresses, and keep
	     * working when a specific listen address is not there yet */
	    setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one)))
		goto fail;
	if (type == SOCK_DGRAM &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)))
		goto fail;
	/* A sixpnd that was just killed may still hold the port for a few
	 * milliseconds while the kernel tears it down: wait that out. */
	for (int tries = 0; bind(fd, (const struct sockaddr *)sa, sizeof(*sa)); tries++) {
		if (errno != EADDRINUSE || tries == BIND_RETRIES)
			goto fail;
		usleep(BIND_RETRY_US);
	}
	if (type == SOCK_STREAM && listen(fd, 128))
		goto fail;
	(void)r;
	return fd;
fail:
	one = -errno;
	close(fd);
	return one;
}

int rsv_loop_open(struct sixpn_resolver *r, const char *listen_on)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 sa;
	socklen_t sl = sizeof(sa);
	unsigned len;
	int err;

	if (sixpn_resolver_parse_addr(listen_on, &ss, &len, 53) || ss.ss_family != AF_INET6) {
		log_error("msg=\"bad resolver listen address (want [IPv6]:PORT)\" listen=%s", listen_on);
		return -EINVAL;
	}
	memcpy(&sa, &ss, sizeof(sa));
	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	r->wake.kind = RSV_WAKE;
	r->wake.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->epfd < 0 || r->wake.fd < 0)
		return -errno;
	r->udp_batch = calloc(1, sizeof(*r->udp_batch));
	if (!r->udp_batch)
		return -ENOMEM;
	udp_batch_init(r->udp_batch);
	r->udp.kind = RSV_UDP_LISTEN;
	r->udp.fd = listen_socket(r, SOCK_DGRAM, &sa);
	if (r->udp.fd < 0) {
		err = r->udp.fd;
		goto fail;
	}
	/* port 0: TCP on the port UDP got */
	if (getsockname(r->udp.fd, (struct sockaddr *)&sa, &sl))
		return -errno;
	r->port = ntohs(sa.sin6_port);
	r->tcp.kind = RSV_TCP_LISTEN;
	r->tcp.fd = listen_socket(r, SOCK_STREAM, &sa);
	if (r->tcp.fd < 0) {
		err = r->tcp.fd;
		goto fail;
	}
	if ((err = rsv_watch_add(r, &r->wake, EPOLLIN)) ||
	    (err = rsv_watch_add(r, &r->udp, EPOLLIN)) ||
	    (err = rsv_watch_add(r, &r->tcp, EPOLLIN)))
		goto fail;
	return 0;
fail:
	log_error("msg=\"resolver cannot listen\" listen=%s err=\"%s\"", listen_on, strerror(-err));
	return err;
}

/* ---- UDP ------------------------------------------------------------------ */

/* The msghdr of a reply to o: to its source, from the DNS address it
 * asked (IPV6_PKTINFO, any interface). */
static void udp_reply_hdr(struct msghdr *mh, struct sockaddr_in6 *to, struct iovec *iov,
			  union rsv_pktinfo_buf *cbuf, const struct rsv_origin *o)
{
	struct in6_pktinfo pi = { .ipi6_addr = o->dst };
	struct cmsghdr *cm;

	*to = o->src;
	*mh = (struct msghdr){
		.msg_name = to, .msg_namelen = sizeof(*to),
		.msg_iov = iov, .msg_iovlen = 1,
		/* CMSG_LEN, not the padded CMSG_SPACE: the kernel copies a
		 * control message of up to a cmsghdr and an in6_pktinfo on its
		 * stack and kmallocs a longer one for every datagram */
		.msg_control = cbuf->buf, .msg_controllen = CMSG_LEN(sizeof(struct in6_pktinfo)),
	};
	memset(cbuf->buf, 0, sizeof(cbuf->buf));
	cm = CMSG_FIRSTHDR(mh);
	cm->cmsg_level = IPPROTO_IPV6;
	cm->cmsg_type = IPV6_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
}

static void udp_send_now(struct sixpn_resolver *r, const struct rsv_origin *o,
			 const uint8_t *wire, size_t len)
{
	union rsv_pktinfo_buf cbuf;
	struct sockaddr_in6 to;
	struct iovec iov = { .iov_base = (void *)wire, .iov_len = len };
	struct msghdr mh;

	udp_reply_hdr(&mh, &to, &iov, &cbuf, o);
	if (sendmsg(r->udp.fd, &mh, MSG_DONTWAIT) < 0)
		log_debug("msg=\"cannot send a UDP reply\" err=\"%s\"", strerror(errno));
}

/* Sends the batch's replies. sendmmsg stops at the first one the kernel
 * refuses and reports it only when it is the first of the call: that one
 * is lost, as its own sendmsg would have been, and the rest still go. */
static void udp_flush(struct sixpn_resolver *r)
{
	struct rsv_udp_batch *b = r->udp_batch;
	unsigned i = 0;

	while (i < b->n_out) {
		int n = sendmmsg(r->udp.fd, b->out_mh + i, b->n_out - i, MSG_DONTWAIT);

		if (n <= 0) {
			log_debug("msg=\"cannot send a UDP reply\" err=\"%s\"", strerror(errno));
			n = 1;
		}
		i += (unsigned)n;
	}
	b->n_out = 0;
}

/* While a batch is answered, a reply joins the batch's sendmmsg; any other
 * (a forwarded answer, a timeout) goes at once. */
static void udp_send(struct sixpn_resolver *r, const struct rsv_origin *o, const uint8_t *wire,
		     size_t len)
{
	struct rsv_udp_batch *b = r->udp_batch;
	unsigned i;

	if (!b->collecting || len > sizeof(b->out[0])) {
		udp_send_now(r, o, wire, len);
		return;
	}
	if (b->n_out == RSV_UDP_BATCH)
		udp_flush(r);
	i = b->n_out++;
	memcpy(b->out[i], wire, len);
	b->out_iov[i] = (struct iovec){ .iov_base = b->out[i], .iov_len = len };
	udp_reply_hdr(&b->out_mh[i].msg_hdr, &b->out_to[i], &b->out_iov[i], &b->out_cbuf[i], o);
}

/* The destination address of datagram i, from its IPV6_PKTINFO. */
static bool udp_dst(struct rsv_udp_batch *b, int i)
{
	struct msghdr *mh = &b->mh[i].msg_hdr;
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			b->o[i].dst = pi.ipi6_addr;
			return true;
		}
	}
	return false;
}

static void udp_readable(struct sixpn_resolver *r)
{
	struct rsv_udp_batch *b = r->udp_batch;
	int i, n;

	/* what recvmmsg wrote back into the headers it filled (it writes to
	 * none other); the rest stays as udp_batch_init set it (a batch of one
	 * paid for rebuilding all 64, a cache line each) */
	for (i = 0; i < b->n_filled; i++) {
		struct msghdr *mh = &b->mh[i].msg_hdr;

		mh->msg_namelen = sizeof(b->o[i].src);
		mh->msg_controllen = sizeof(b->cbuf[i].buf);
		mh->msg_flags = 0;
	}
	n = recvmmsg(r->udp.fd, b->mh, RSV_UDP_BATCH, MSG_DONTWAIT, NULL);
	b->n_filled = n > 0 ? n : 0;
	if (n <= 0)
		return;
	/* once per batch, after it arrived: no reply from before a commit
	 * that came before its query */
	rsv_cache_validate(r);
	b->collecting = true;
	for (i = 0; i < n; i++) {
		if (!udp_dst(b, i) || !is_dns_addr(&b->o[i].dst) ||
		    (b->mh[i].msg_hdr.msg_flags & MSG_TRUNC)) {
			atomic_fetch_add(&r->stats.ignored, 1);
			continue;
		}
		rsv_handle(r, &b->o[i], b->msg[i], b->mh[i].msg_len);
	}
	b->collecting = false;
	udp_flush(r);
}

/* ---- TCP clients ---------------------------------------------------------- */

static void conn_close(struct sixpn_resolver *r, struct rsv_conn *c)
{
	if (c->w.dead)
		return;
	rsv_forward_conn_gone(r, c);
	if (c->prev)
		c->prev->next = c->next;
	else
		r->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	r->n_conns--;
	rsv_bury(r, &c->w);
}

/* Writes what the socket takes; watches for writability while some is left.
 * Returns -1 when the connection broke. */
static int conn_flush(struct sixpn_resolver *r, struct rsv_conn *c)
{
	while (c->out_len) {
		ssize_t n = send(c->w.fd, c->out, c->out_len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
	}
	rsv_watch_mod(r, &c->w, EPOLLIN | EPOLLRDHUP | (c->out_len ? EPOLLOUT : 0));
	return 0;
}

static void tcp_send(struct sixpn_resolver *r, struct rsv_conn *c, const uint8_t *wire, size_t len)
{
	size_t need = c->out_len + 2 + len;

	if (len > RSV_MSG_MAX)
		return;
	if (need > c->out_cap) {
		size_t cap = need < 4096 ? 4096 : need * 2;
		uint8_t *p = realloc(c->out, cap);

		if (!p)
			return;
		c->out = p;
		c->out_cap = cap;
	}
	c->out[c->out_len] = (uint8_t)(len >> 8);
	c->out[c->out_len + 1] = (uint8_t)len;
	memcpy(c->out + c->out_len + 2, wire, len);
	c->out_len += 2 + len;
	c->last_ms = rsv_now_ms();
	if (conn_flush(r, c))
		conn_close(r, c);
}

void rsv_send(struct sixpn_resolver *r, const struct rsv_origin *o, const uint8_t *wire, size_t len)
{
	if (o->conn)
		tcp_send(r, o->conn, wire, len);
	else
		udp_send(r, o, wire, len);
}

/* Takes every complete message out of the input buffer. A handler may
 * close the connection (a send that fails), so it is looked up again. */
static void conn_readable(struct sixpn_resolver *r, struct rsv_conn *c)
{
	for (;;) {
		ssize_t n = recv(c->w.fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
			conn_close(r, c);
			return;
		}
		if (n < 0)
			return;
		c->in_len += (size_t)n;
		c->last_ms = rsv_now_ms();
		rsv_cache_validate(r);
		while (c->in_len >= 2) {
			size_t mlen = ((size_t)c->in[0] << 8) | c->in[1];
			struct rsv_origin o = { .src = c->peer, .dst = c->local, .conn = c };
			uint8_t msg[RSV_MSG_MAX];

			if (c->in_len < 2 + mlen)
				break;
			memcpy(msg, c->in + 2, mlen);
			memmove(c->in, c->in + 2 + mlen, c->in_len - 2 - mlen);
			c->in_len -= 2 + mlen;
			rsv_handle(r, &o, msg, mlen);
			if (c->w.dead)
				return; /* closed while answering */
		}
	}
}

static void tcp_accept(struct sixpn_resolver *r)
{
	for (;;) {
		struct sockaddr_in6 peer, local;
		socklen_t pl = sizeof(peer), ll = sizeof(local);
		int fd = accept4(r->tcp.fd, (struct sockaddr *)&peer, &pl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct rsv_conn *c;

		if (fd < 0)
			return;
		if (r->n_conns >= RSV_TCP_MAX_CONNS || getsockname(fd, (struct sockaddr *)&local, &ll) ||
		    !is_dns_addr(&local.sin6_addr)) {
			atomic_fetch_add(&r->stats.ignored, 1);
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->w.kind = RSV_TCP_CONN;
		c->w.fd = fd;
		c->peer = peer;
		c->local = local.sin6_addr;
		c->last_ms = rsv_now_ms();
		if (rsv_watch_add(r, &c->w, EPOLLIN | EPOLLRDHUP)) {
			close(fd);
			free(c);
			continue;
		}
		c->next = r->conns;
		if (r->conns)
			r->conns->prev = c;
		r->conns = c;
		r->n_conns++;
	}
}

/* Idle clients go; returns ms until the next one would. */
static int conns_tick(struct sixpn_resolver *r, uint64_t now)
{
	struct rsv_conn *c = r->conns, *next;
	int wait = -1;

	for (; c; c = next) {
		next = c->next;
		if (now >= c->last_ms + RSV_TCP_IDLE_MS) {
			conn_close(r, c);
			continue;
		}
		int left = (int)(c->last_ms + RSV_TCP_IDLE_MS - now);

		if (wait < 0 || left < wait)
			wait = left;
	}
	return wait;
}

/* ---- the loop ------------------------------------------------------------- */

void *rsv_loop_run(void *arg)
{
	struct sixpn_resolver *r = arg;
	struct epoll_event ev[64];

	for (;;) {
		uint64_t now = rsv_now_ms();
		int t1 = rsv_forward_tick(r, now), t2 = conns_tick(r, now), timeout, n, i;

		timeout = t1 < 0 ? t2 : t2 < 0 ? t1 : (t1 < t2 ? t1 : t2);
		n = epoll_wait(r->epfd, ev, 64, timeout);
		if (n < 0 && errno != EINTR) {
			log_error("msg=\"resolver epoll failed\" err=\"%s\"", strerror(errno));
			return NULL;
		}
		for (i = 0; i < n; i++) {
			struct rsv_watch *w = ev[i].data.ptr;

			if (w->dead)
				continue;
			switch (w->kind) {
			case RSV_WAKE:
				return NULL;
			case RSV_UDP_LISTEN:
				udp_readable(r);
				break;
			case RSV_TCP_LISTEN:
				tcp_accept(r);
				break;
			case RSV_TCP_CONN: {
				struct rsv_conn *c = (struct rsv_conn *)w;

				if ((ev[i].events & EPOLLOUT) && conn_flush(r, c))
					conn_close(r, c);
				else if (ev[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
					conn_readable(r, c);
				break;
			}
			case RSV_UPSTREAM:
				rsv_forward_event(r, (struct rsv_fwd *)w, ev[i].events);
				break;
			}
		}
		empty_grave(r);
	}
}

void rsv_loop_close(struct sixpn_resolver *r)
{
	while (r->conns)
		conn_close(r, r->conns);
	rsv_forward_close_all(r);
	empty_grave(r);
	free(r->grave);
	free(r->udp_batch);
	if (r->udp.fd >= 0)
		close(r->udp.fd);
	if (r->tcp.fd >= 0)
		close(r->tcp.fd);
	if (r->wake.fd >= 0)
		close(r->wake.fd);
	if (r->epfd >= 0)
		close(r->epfd);
}
