// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The registry's naming rules and formats: what a valid org, network, app,
 * peer, region, interface name, host ID, endpoint and key look like. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/wgkey_b64.h"
#include "registry/registry.h"

static int bad(char *err, size_t errlen, const char *what, const char *s,
	       const char *why)
{
	snprintf(err, errlen, "%s '%s' is invalid: %s", what, s, why);
	return REG_EINVAL;
}

/* A DNS label: lowercase letters, digits, dashes; 1-63; no dash at either
 * end. With letter_first the first character must be a letter. */
static int check_label(const char *what, const char *s, int letter_first,
		       char *err, size_t errlen)
{
	size_t n = strlen(s), i;

	if (n == 0)
		return bad(err, errlen, what, s, "must not be empty");
	if (n > REG_NAME_MAX)
		return bad(err, errlen, what, s, "must be at most 63 characters");
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (!(islower(c) || isdigit(c) || c == '-'))
			return bad(err, errlen, what, s,
				   "only lowercase letters, digits and dashes "
				   "are allowed");
	}
	if (letter_first && !islower((unsigned char)s[0]))
		return bad(err, errlen, what, s, "must start with a letter");
	if (s[0] == '-' || s[n - 1] == '-')
		return bad(err, errlen, what, s,
			   "must not start or end with a dash");
	return REG_OK;
}

int reg_check_org_name(const char *s, char *err, size_t errlen)
{
	return check_label("org name", s, 1, err, errlen);
}

/* Network names: letters (either case), digits and dashes, starting with a
 * letter, at most 63 characters. Case matters: "Prod" and "prod" differ. */
int reg_check_network_name(const char *s, char *err, size_t errlen)
{
	const char *what = "network name";
	size_t n = strlen(s), i;

	if (n == 0)
		return bad(err, errlen, what, s, "must not be empty");
	if (!isalpha((unsigned char)s[0]) || !isascii((unsigned char)s[0]))
		return bad(err, errlen, what, s,
			   "must start with a letter, then letters, digits "
			   "and dashes");
	if (n > REG_NAME_MAX)
		return bad(err, errlen, what, s, "must be at most 63 characters");
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (!isascii(c) || !(isalnum(c) || c == '-'))
			return bad(err, errlen, what, s,
				   "only letters, digits and dashes are allowed");
	}
	return REG_OK;
}

int reg_check_app_name(const char *s, char *err, size_t errlen)
{
	return check_label("app name", s, 0, err, errlen);
}

int reg_check_peer_name(const char *s, char *err, size_t errlen)
{
	return check_label("peer name", s, 0, err, errlen);
}

int reg_check_region(const char *s, char *err, size_t errlen)
{
	return check_label("region", s, 0, err, errlen);
}

int reg_check_ifname(const char *s, char *err, size_t errlen)
{
	const char *what = "interface name";
	size_t n = strlen(s), i;

	if (n == 0)
		return bad(err, errlen, what, s, "must not be empty");
	if (n > REG_IFNAME_MAX)
		return bad(err, errlen, what, s, "must be at most 15 characters");
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return bad(err, errlen, what, s, "is reserved");
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (!isascii(c) || !(isalnum(c) || c == '-' || c == '_' ||
				     c == '.' || c == '@'))
			return bad(err, errlen, what, s,
				   "only letters, digits and - _ . @ are allowed");
	}
	return REG_OK;
}

/* HOST:PORT, [IPV6]:PORT; HOST is a DNS name or an IPv4 address. */
int reg_check_endpoint(const char *what, const char *s, char *err, size_t errlen)
{
	char host[REG_ENDPOINT_MAX + 1];
	const char *colon;
	size_t hlen, i;
	char *end;
	long port;

	if (strlen(s) > REG_ENDPOINT_MAX)
		return bad(err, errlen, what, s, "is too long");
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		struct in6_addr a6;

		if (!rb || rb[1] != ':')
			return bad(err, errlen, what, s,
				   "must be HOST:PORT or [IPV6]:PORT");
		hlen = rb - s - 1;
		memcpy(host, s + 1, hlen);
		host[hlen] = '\0';
		if (inet_pton(AF_INET6, host, &a6) != 1)
			return bad(err, errlen, what, s,
				   "the part in brackets is not an IPv6 address");
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || colon == s)
			return bad(err, errlen, what, s,
				   "must be HOST:PORT or [IPV6]:PORT");
		hlen = colon - s;
		memcpy(host, s, hlen);
		host[hlen] = '\0';
		for (i = 0; i < hlen; i++) {
			unsigned char c = host[i];

			if (!isascii(c) || !(isalnum(c) || c == '-' || c == '.'))
				return bad(err, errlen, what, s,
					   "the host must be a name or an IPv4 "
					   "address (IPv6 in brackets)");
		}
	}
	if (!isdigit((unsigned char)colon[1]))
		return bad(err, errlen, what, s, "the port must be 1-65535");
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 1 || port > 65535)
		return bad(err, errlen, what, s, "the port must be 1-65535");
	return REG_OK;
}

int reg_check_public_key(const char *what, const char *s, char *err,
			 size_t errlen)
{
	uint8_t k[WG_KEY_LEN];

	_Static_assert(REG_KEY_B64_LEN == WG_KEY_B64_LEN, "a registry key is a WireGuard key");
	if (wg_key_from_base64(s, k))
		return bad(err, errlen, what, s,
			   "must be a WireGuard key: 32 bytes in base64 "
			   "(44 characters)");
	return REG_OK;
}

static int hexword(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;
	size_t i;

	if (n < 1 || n > 4)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		v = v * 16 + (isdigit((unsigned char)s[i]) ? s[i] - '0' :
			      (tolower((unsigned char)s[i]) - 'a' + 10));
	}
	*out = v;
	return 0;
}

int reg_parse_host_id(const char *s, uint32_t *out, char *err, size_t errlen)
{
	const char *colon = strchr(s, ':');
	uint32_t hi, lo;

	if ((s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) && !colon) {
		size_t n = strlen(s + 2), i;

		if (n < 1 || n > 8)
			goto bad;
		for (i = 0; i < n; i++)
			if (!isxdigit((unsigned char)s[2 + i]))
				goto bad;
		*out = (uint32_t)strtoul(s + 2, NULL, 16);
	} else {
		if (!colon || strchr(colon + 1, ':') ||
		    hexword(s, colon - s, &hi) ||
		    hexword(colon + 1, strlen(colon + 1), &lo))
			goto bad;
		*out = hi << 16 | lo;
	}
	if (*out == 0)
		return bad(err, errlen, "host ID", s, "0:0 is reserved");
	return REG_OK;
bad:
	return bad(err, errlen, "host ID", s,
		   "must be two hex words as in an address, like a7b:174");
}

char *reg_fmt_id32(uint32_t id, char *buf)
{
	snprintf(buf, 10, "%x:%x", id >> 16, id & 0xffff);
	return buf;
}

char *reg_fmt_addr(const struct sixpn_ip6 *a, int len, char *buf)
{
	if (!inet_ntop(AF_INET6, a->w, buf, INET6_ADDRSTRLEN))
		snprintf(buf, REG_ADDRSTRLEN, "?");
	if (len > 0)
		snprintf(buf + strlen(buf), REG_ADDRSTRLEN - strlen(buf),
			 "/%d", len);
	return buf;
}

void reg_net_prefix(uint32_t net, struct sixpn_ip6 *out)
{
	sixpn_compose(out, net, 0, 0, 0);
}

/* ---- machines: process groups, metadata, states ------------------------- */

int reg_check_process_group(const char *s, char *err, size_t errlen)
{
	return check_label("process group", s, 0, err, errlen);
}

/* Both halves of KEY=VALUE are DNS labels, because each becomes one in
 * <value>.<key>.kv._metadata.<app>.internal. */
int reg_check_metadata(const char *kv, int allow_remove, char *err, size_t errlen)
{
	const char *eq = strchr(kv, '=');
	char key[REG_NAME_MAX + 2];
	size_t klen;

	if (!eq)
		return bad(err, errlen, "metadata", kv, "must be KEY=VALUE");
	klen = (size_t)(eq - kv);
	if (klen > REG_NAME_MAX) {
		snprintf(err, errlen, "metadata key '%.*s' is invalid: must be at most 63 "
			 "characters", (int)klen, kv);
		return REG_EINVAL;
	}
	memcpy(key, kv, klen);
	key[klen] = '\0';
	if (check_label("metadata key", key, 0, err, errlen))
		return REG_EINVAL;
	if (!eq[1] && allow_remove)
		return REG_OK;
	if (!eq[1])
		return bad(err, errlen, "metadata", kv, "the value must not be empty");
	return check_label("metadata value", eq + 1, 0, err, errlen);
}

static const char *const state_names[] = {
	[REG_MACHINE_CREATED] = "created",
	[REG_MACHINE_STARTED] = "started",
	[REG_MACHINE_STOPPED] = "stopped",
};

const char *reg_machine_state_name(enum reg_machine_state s)
{
	if ((unsigned)s >= sizeof(state_names) / sizeof(state_names[0]))
		return NULL;
	return state_names[s];
}

enum reg_machine_state reg_machine_state_parse(const char *s)
{
	size_t i;

	for (i = 1; s && i < sizeof(state_names) / sizeof(state_names[0]); i++)
		if (!strcmp(s, state_names[i]))
			return (enum reg_machine_state)i;
	return 0;
}

int reg_metadata_next(const char *text, size_t *pos, char *key, char *value)
{
	char pair[2 * REG_NAME_MAX + 2], e[8];

	while (text && text[*pos]) {
		size_t n = strcspn(text + *pos, ","), k;

		if (n < sizeof(pair)) {
			memcpy(pair, text + *pos, n);
			pair[n] = '\0';
		} else {
			pair[0] = '\0';
		}
		*pos += n + (text[*pos + n] == ',');
		if (!pair[0] || reg_check_metadata(pair, 0, e, sizeof(e)))
			continue;
		k = strcspn(pair, "=");
		memcpy(key, pair, k);
		key[k] = '\0';
		snprintf(value, REG_NAME_MAX + 1, "%s", pair + k + 1);
		return 1;
	}
	return 0;
}
