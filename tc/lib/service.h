/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What an instance or peer may exchange with the host's service address
 * (fdaa::3, or its network's <prefix>::3): DNS, and the Machines API that
 * _api.internal names. `port` is the service's end: the destination port
 * going to it, the source port of its replies. Everything else to or from
 * that address is DROP_DNS_PORT. */
#ifndef SIXPN_LIB_SERVICE_H
#define SIXPN_LIB_SERVICE_H

#include "ipv6.h"
#include "sixpn_maps.bpf.h"

static __always_inline int sixpn_is_dns_port(const struct sixpn_pkt *p, __u16 port)
{
	return port == DNS_PORT &&
	       (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP);
}

/* TCP only: the API is HTTP, and a UDP socket on 4280 of the host is none
 * of an instance's business. */
static __always_inline int sixpn_is_api_port(const struct sixpn_pkt *p, __u16 port)
{
	return port == SIXPN_API_PORT && p->proto == IPPROTO_TCP;
}

static __always_inline int sixpn_service_verdict(const struct sixpn_pkt *p, __u16 port)
{
	if (sixpn_is_dns_port(p, port))
		return SIXPN_PASS_DNS;
	if (sixpn_is_api_port(p, port))
		return SIXPN_PASS_API;
	return SIXPN_DROP_DNS_PORT;
}

#endif
