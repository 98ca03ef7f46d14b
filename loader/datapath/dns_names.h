/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Filling the XDP fast path's names map and configuration (maps/sixpn_dns.h
 * says what an entry means). All of these take map fds: from
 * sixpn_xdp_names_fd()/sixpn_xdp_config_fd(), or from the pins
 * <pin dir>/dns_names and <pin dir>/dns_config. */
#ifndef SIXPN_DNS_NAMES_H
#define SIXPN_DNS_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include "sixpn_dns.h"

/* The key of (net_id, name): `name` is dotted text, any case, with or
 * without the final dot, under internal. but not internal. itself, at most
 * 63 characters, labels of 1..63 printable characters. -EINVAL otherwise,
 * -ENAMETOOLONG when it is valid but longer than the key holds (such names
 * are the resolver's alone). */
int sixpn_dns_key_from_name(__u32 net_id, const char *name, struct sixpn_dns_key *key);
/* "web.internal" back from a key (for listings). */
void sixpn_dns_key_name(const struct sixpn_dns_key *key, char *buf, size_t size);

/* Puts (net_id, name) -> addresses and flags (SIXPN_DNS_F_*). Every address
 * must lie in network net_id's /48 (-EINVAL otherwise: answers never cross
 * networks). More than SIXPN_DNS_MAX_ADDRS addresses are recorded as a count
 * only; the fast path passes such names to userspace. n = 0 makes a name
 * that exists with no AAAA (NODATA). */
int sixpn_dns_name_put(int names_fd, __u32 net_id, const char *name,
		       const struct sixpn_ip6 *addrs, size_t n, __u16 flags);
/* The key and value sixpn_dns_name_put() would write, with the same checks,
 * for callers that write many at once (bpf_map_update_batch). */
int sixpn_dns_entry(__u32 net_id, const char *name, const struct sixpn_ip6 *addrs, size_t n,
		    __u16 flags, struct sixpn_dns_key *key, struct sixpn_dns_value *val);
/* Removes it; 0 also when it was not there. */
int sixpn_dns_name_del(int names_fd, __u32 net_id, const char *name);

/* Network net_id's names quota (maps/sixpn_dns.h): `over` puts the marker
 * (net_id, "internal") that sends its misses to userspace, else removes it
 * (0 also when it was not there). Mark before leaving a name out, and
 * unmark only once every name is in. */
int sixpn_dns_quota_mark(int names_fd, __u32 net_id, bool over);
/* dns_overflow[slot] = networks over their quota with that slot
 * (sixpn_dns_overflow_slot()). */
int sixpn_dns_overflow_set(int overflow_fd, __u32 slot, __u32 count);

/* enabled, SIXPN_DNS_DEFAULT_TTL, the default SOA and pass-up budgets. */
void sixpn_dns_config_default(struct sixpn_dns_config *cfg);
int sixpn_dns_config_set(int config_fd, const struct sixpn_dns_config *cfg);

#endif
