// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The resolver's life cycle: options, upstreams, the registry handle, the
 * thread. The protocol lives in query.c and its neighbours. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datapath/dns_names.h"
#include "lib/log.h"
#include "resolver/resolver_int.h"

int sixpn_resolver_parse_addr(const char *s, struct sockaddr_storage *out, unsigned *len,
			      int default_port)
{
	char host[INET6_ADDRSTRLEN + 16], *end;
	const char *port = NULL, *p;
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_DGRAM };
	struct addrinfo *ai;
	long v = default_port;

	if (!s || !*s)
		return -EINVAL;
	if (s[0] == '[') {
		p = strchr(s, ']');
		if (!p || (size_t)(p - s - 1) >= sizeof(host))
			return -EINVAL;
		snprintf(host, sizeof(host), "%.*s", (int)(p - s - 1), s + 1);
		if (p[1] == ':')
			port = p + 2;
		else if (p[1])
			return -EINVAL;
	} else {
		p = strchr(s, ':');
		if (p && strchr(p + 1, ':'))
			p = NULL; /* a bare IPv6 address */
		if (strlen(s) >= sizeof(host))
			return -EINVAL;
		snprintf(host, sizeof(host), "%.*s", p ? (int)(p - s) : (int)strlen(s), s);
		if (p)
			port = p + 1;
	}
	if (port) {
		errno = 0;
		v = strtol(port, &end, 10);
		if (errno || end == port || *end || v < 0 || v > 65535)
			return -EINVAL;
	}
	if (getaddrinfo(host, NULL, &hints, &ai))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	memcpy(out, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	if (out->ss_family == AF_INET6)
		((struct sockaddr_in6 *)out)->sin6_port = htons((uint16_t)v);
	else
		((struct sockaddr_in *)out)->sin_port = htons((uint16_t)v);
	return 0;
}

/* fdaa::3 and every <net prefix>::3 are ourselves: never an upstream. */
static bool is_own_dns(const struct sockaddr_storage *a)
{
	const struct sixpn_ip6 *ip;

	if (a->ss_family != AF_INET6)
		return false;
	ip = (const struct sixpn_ip6 *)&((const struct sockaddr_in6 *)a)->sin6_addr;
	return sixpn_is_6pn(ip) && !(ip->w[3] | ip->w[4] | ip->w[5] | ip->w[6]) &&
	       ip->w[7] == sixpn_htons(SIXPN_DNS_FREE_WORD);
}

static int add_upstream(struct sixpn_resolver *r, const char *s)
{
	struct rsv_upstream *u = &r->up[r->n_up];
	unsigned len;

	if (r->n_up == SIXPN_RESOLVER_MAX_UPSTREAMS)
		return -E2BIG;
	if (sixpn_resolver_parse_addr(s, &u->addr, &len, 53))
		return -EINVAL;
	if (is_own_dns(&u->addr))
		return -ELOOP;
	u->len = len;
	snprintf(u->text, sizeof(u->text), "%s", s);
	r->n_up++;
	return 0;
}

static void upstreams_from_resolv_conf(struct sixpn_resolver *r, const char *path)
{
	char line[512], addr[256];
	FILE *f = fopen(path, "re");

	if (!f) {
		log_warn("msg=\"no upstream resolvers: cannot read resolv.conf\" path=%s err=\"%s\"",
			 path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " nameserver %255s", addr) != 1)
			continue;
		int err = add_upstream(r, addr);

		if (err == -ELOOP)
			log_info("msg=\"skipping ourselves as an upstream\" upstream=%s", addr);
		else if (err)
			log_warn("msg=\"skipping an upstream from resolv.conf\" upstream=%s err=\"%s\"",
				 addr, strerror(-err));
	}
	fclose(f);
}

static void *resolver_thread(void *arg)
{
	return rsv_loop_run(arg);
}

static void resolver_free(struct sixpn_resolver *r)
{
	rsv_loop_close(r);
	rsv_cache_free(r);
	if (r->zone)
		ldns_rdf_deep_free(r->zone);
	if (r->flycast_zone)
		ldns_rdf_deep_free(r->flycast_zone);
	reg_close(r->reg);
	free(r);
}

int sixpn_resolver_start(struct sixpn_resolver **out, const struct sixpn_resolver_opts *o)
{
	struct sixpn_resolver *r = calloc(1, sizeof(*r));
	const char *nc;
	int i, err;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	r->epfd = -1;
	r->wake.fd = r->udp.fd = r->tcp.fd = -1;
	if (o->dns)
		r->cfg = *o->dns;
	else
		sixpn_dns_config_default(&r->cfg);
	r->timeout_ms = o->upstream_timeout_ms ? o->upstream_timeout_ms
					       : SIXPN_RESOLVER_DEFAULT_TIMEOUT_MS;
	for (i = 0; i < o->n_upstreams; i++) {
		err = add_upstream(r, o->upstreams[i]);
		if (err) {
			log_error("msg=\"bad upstream\" upstream=%s err=\"%s\"", o->upstreams[i],
				  err == -ELOOP ? "that is the resolver itself" : strerror(-err));
			resolver_free(r);
			return -EINVAL;
		}
	}
	if (!o->n_upstreams)
		upstreams_from_resolv_conf(r, o->resolv_conf ? o->resolv_conf
							     : SIXPN_RESOLVER_RESOLV_CONF);
	r->zone = ldns_dname_new_frm_str(SIXPN_DNS_ZONE ".");
	r->flycast_zone = ldns_dname_new_frm_str(SIXPN_DNS_FLYCAST_ZONE ".");
	if (!r->zone || !r->flycast_zone) {
		resolver_free(r);
		return -ENOMEM;
	}
	if (reg_open(&r->reg, o->registry, REG_OPEN_READONLY)) {
		log_error("msg=\"resolver cannot open the registry\" err=\"%s\"", reg_errmsg(r->reg));
		resolver_free(r);
		return -ENOENT;
	}
	r->reg_notified = o->registry_notified;
	nc = getenv("SIXPN_RESOLVER_NO_CACHE");
	if (rsv_cache_init(r, o->no_cache || (nc && *nc && strcmp(nc, "0")))) {
		resolver_free(r);
		return -ENOMEM;
	}
	err = rsv_loop_open(r, o->listen ? o->listen : SIXPN_RESOLVER_DEFAULT_LISTEN);
	if (err) {
		resolver_free(r);
		return err;
	}
	err = pthread_create(&r->thread, NULL, resolver_thread, r);
	if (err) {
		log_error("msg=\"cannot start the resolver thread\" err=\"%s\"", strerror(err));
		resolver_free(r);
		return -err;
	}
	r->thread_started = true;
	for (i = 0; i < r->n_up; i++)
		log_info("msg=\"resolver upstream\" upstream=%s", r->up[i].text);
	log_info("msg=\"resolver running\" port=%d upstreams=%d cache=%s", r->port, r->n_up,
		 r->cache.off ? "off" : "on");
	*out = r;
	return 0;
}

void sixpn_resolver_stop(struct sixpn_resolver *r)
{
	uint64_t one = 1;

	if (!r)
		return;
	if (r->thread_started) {
		if (write(r->wake.fd, &one, sizeof(one)) != sizeof(one))
			log_warn("msg=\"cannot wake the resolver thread\"");
		pthread_join(r->thread, NULL);
	}
	resolver_free(r);
}

void sixpn_resolver_registry_changed(struct sixpn_resolver *r)
{
	if (r)
		atomic_fetch_add(&r->reg_gen, 1);
}

const struct sixpn_resolver_stats *sixpn_resolver_stats(const struct sixpn_resolver *r)
{
	return &r->stats;
}

int sixpn_resolver_port(const struct sixpn_resolver *r)
{
	return r->port;
}
