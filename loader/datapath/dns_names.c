// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "datapath/dns_names.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <bpf/bpf.h>

int sixpn_dns_key_from_name(__u32 net_id, const char *name, struct sixpn_dns_key *key)
{
	const size_t zone_len = strlen(SIXPN_DNS_ZONE_SUFFIX);
	const size_t fc_len = strlen(SIXPN_DNS_FLYCAST_SUFFIX);
	size_t len = strlen(name), i, label = 0;

	if (len && name[len - 1] == '.')
		len--;
	if (!len)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '.') {
			if (!label)
				return -EINVAL; /* empty label */
			label = 0;
			continue;
		}
		if (c <= ' ' || c >= 0x7f || ++label > SIXPN_DNS_LABEL_MAX)
			return -EINVAL;
	}
	if (!label)
		return -EINVAL;
	/* the fast path only looks up names under internal. and flycast. */
	if ((len <= zone_len || strncasecmp(name + len - zone_len, SIXPN_DNS_ZONE_SUFFIX, zone_len)) &&
	    (len <= fc_len || strncasecmp(name + len - fc_len, SIXPN_DNS_FLYCAST_SUFFIX, fc_len)))
		return -EINVAL;
	if (len > SIXPN_DNS_NAME_MAX - 1)
		return -ENAMETOOLONG;
	memset(key, 0, sizeof(*key));
	key->net_id = net_id;
	for (i = 0; i < len; i++) {
		char c = name[i];

		key->name[i] = (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
	}
	return 0;
}

void sixpn_dns_key_name(const struct sixpn_dns_key *key, char *buf, size_t size)
{
	snprintf(buf, size, "%.*s", (int)sizeof(key->name), key->name);
}

int sixpn_dns_entry(__u32 net_id, const char *name, const struct sixpn_ip6 *addrs, size_t n,
		    __u16 flags, struct sixpn_dns_key *key, struct sixpn_dns_value *val)
{
	size_t i;
	int err;

	err = sixpn_dns_key_from_name(net_id, name, key);
	if (err)
		return err;
	if (flags & ~(SIXPN_DNS_F_USERSPACE | SIXPN_DNS_F_CHILDREN_USERSPACE))
		return -EINVAL;
	memset(val, 0, sizeof(*val));
	val->flags = flags;
	val->count = n > 0xffff ? 0xffff : n;
	for (i = 0; i < n; i++) {
		if (!sixpn_is_6pn(&addrs[i]) || sixpn_net_id(&addrs[i]) != net_id)
			return -EINVAL;
		if (i < SIXPN_DNS_MAX_ADDRS)
			memcpy(val->addrs[i].w, &addrs[i].w[3], sizeof(val->addrs[i].w));
	}
	return 0;
}

int sixpn_dns_name_put(int names_fd, __u32 net_id, const char *name,
		       const struct sixpn_ip6 *addrs, size_t n, __u16 flags)
{
	struct sixpn_dns_value val;
	struct sixpn_dns_key key;
	int err = sixpn_dns_entry(net_id, name, addrs, n, flags, &key, &val);

	if (err)
		return err;
	return bpf_map_update_elem(names_fd, &key, &val, BPF_ANY) ? -errno : 0;
}

int sixpn_dns_name_del(int names_fd, __u32 net_id, const char *name)
{
	struct sixpn_dns_key key;
	int err = sixpn_dns_key_from_name(net_id, name, &key);

	if (err)
		return err;
	if (bpf_map_delete_elem(names_fd, &key) && errno != ENOENT)
		return -errno;
	return 0;
}

int sixpn_dns_quota_mark(int names_fd, __u32 net_id, bool over)
{
	struct sixpn_dns_value val = { .flags = SIXPN_DNS_F_OVER_QUOTA };
	struct sixpn_dns_key key = { .net_id = net_id };

	/* The apex is never a name of the map (the fast path passes its
	 * questions up before any lookup): free to mean the whole zone. */
	memcpy(key.name, SIXPN_DNS_ZONE, sizeof(SIXPN_DNS_ZONE));
	if (over)
		return bpf_map_update_elem(names_fd, &key, &val, BPF_ANY) ? -errno : 0;
	if (bpf_map_delete_elem(names_fd, &key) && errno != ENOENT)
		return -errno;
	return 0;
}

int sixpn_dns_overflow_set(int overflow_fd, __u32 slot, __u32 count)
{
	if (slot >= SIXPN_DNS_OVERFLOW_SLOTS)
		return -EINVAL;
	return bpf_map_update_elem(overflow_fd, &slot, &count, BPF_ANY) ? -errno : 0;
}

void sixpn_dns_config_default(struct sixpn_dns_config *cfg)
{
	*cfg = (struct sixpn_dns_config){
		.enabled = 1,
		.ttl = SIXPN_DNS_DEFAULT_TTL,
		.soa_serial = SIXPN_DNS_SOA_SERIAL,
		.soa_refresh = SIXPN_DNS_SOA_REFRESH,
		.soa_retry = SIXPN_DNS_SOA_RETRY,
		.soa_expire = SIXPN_DNS_SOA_EXPIRE,
		.soa_minimum = SIXPN_DNS_SOA_MINIMUM,
		.passup_rate = SIXPN_DNS_PASSUP_RATE,
		.passup_burst = SIXPN_DNS_PASSUP_BURST,
		.passup_net_rate = SIXPN_DNS_PASSUP_NET_RATE,
		.passup_net_burst = SIXPN_DNS_PASSUP_NET_BURST,
	};
}

int sixpn_dns_config_set(int config_fd, const struct sixpn_dns_config *cfg)
{
	__u32 key = 0;

	return bpf_map_update_elem(config_fd, &key, cfg, BPF_ANY) ? -errno : 0;
}
