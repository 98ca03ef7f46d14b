// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* libFuzzer target: the registry's rules on what it is handed (from
 * sixpnctl's command line, or read back from a row): every validator of
 * loader/registry/rules.c on one string, host IDs parsed and printed, and
 * keys in base64 (host/wgkeys.c, which the agent decodes registry keys
 * with).
 *
 * Input: the string (a NUL in it ends it, as on a command line).
 *
 * Promises held: each check answers REG_OK or REG_EINVAL, the latter with
 * a terminated message naming the value (cut to the buffer, never past
 * it); a host ID that parses is never 0
 * and prints back to itself; a key the registry accepts decodes, and
 * encodes back to the very same text (one key, one spelling: peers'
 * public_key is UNIQUE). */
#include "fuzz.h"
#include "host/wgkeys.h"

typedef int (*check_fn)(const char *s, char *err, size_t errlen);

static int endpoint(const char *s, char *err, size_t errlen)
{
	return reg_check_endpoint("endpoint", s, err, errlen);
}

static int public_key(const char *s, char *err, size_t errlen)
{
	return reg_check_public_key("public key", s, err, errlen);
}

static int host_id(const char *s, char *err, size_t errlen)
{
	uint32_t id = 0, again = 0;
	char buf[16];
	int rc = reg_parse_host_id(s, &id, err, errlen);

	if (rc == REG_OK) {
		FZ_CHECK(id != 0, "host ID 0 from '%s'", s);
		FZ_CHECK(reg_parse_host_id(reg_fmt_id32(id, buf), &again, err, errlen) == REG_OK &&
			 again == id, "'%s' is %#x, printed '%s', parsed %#x", s, id, buf, again);
	}
	return rc;
}

static int metadata(const char *s, char *err, size_t errlen)
{
	char k[REG_NAME_MAX + 1], v[REG_NAME_MAX + 1];
	size_t pos = 0;
	int rc = reg_check_metadata(s, 0, err, errlen), n = 0;

	/* a pair the rule accepts is one the stored text's walk hands back */
	if (rc == REG_OK) {
		FZ_CHECK(reg_metadata_next(s, &pos, k, v) && strlen(k) + 1 + strlen(v) == strlen(s) &&
			 !strncmp(s, k, strlen(k)) && !strcmp(s + strlen(k) + 1, v),
			 "'%s' accepted, walked as '%s'='%s'", s, k, v);
		FZ_CHECK(reg_check_metadata(s, 1, err, errlen) == REG_OK, "'%s' refused for update", s);
	}
	/* the walk of any text hands out only what the rule accepts */
	pos = 0;
	while (reg_metadata_next(s, &pos, k, v)) {
		char kv[2 * REG_NAME_MAX + 2], e[128];

		snprintf(kv, sizeof(kv), "%s=%s", k, v);
		FZ_CHECK(reg_check_metadata(kv, 0, e, sizeof(e)) == REG_OK, "walked '%s' of '%.60s'", kv, s);
		FZ_CHECK(++n <= (int)strlen(s), "the walk of '%.60s' ends", s);
	}
	return rc;
}

static int process_group(const char *s, char *err, size_t errlen)
{
	return reg_check_process_group(s, err, errlen);
}

/* --ports: what parses is ascending, distinct, 1..65535, at most
 * SIXPN_FC_MAX_PORTS, and its printed form parses to the same ports */
static int ports(const char *s, char *err, size_t errlen)
{
	uint16_t v[SIXPN_FC_MAX_PORTS], w[SIXPN_FC_MAX_PORTS];
	uint32_t n = 0, m = 0, i;
	char buf[64];
	size_t off = 0;
	int rc = reg_parse_ports(s, v, &n, err, errlen);

	if (rc != REG_OK)
		return rc;
	FZ_CHECK(n >= 1 && n <= SIXPN_FC_MAX_PORTS, "'%.40s': %u ports", s, n);
	for (i = 0; i < n; i++) {
		FZ_CHECK(v[i] != 0 && (i == 0 || v[i - 1] < v[i]), "'%.40s': port %u", s, i);
		off += snprintf(buf + off, sizeof(buf) - off, "%s%u", i ? "," : "", v[i]);
	}
	FZ_CHECK(reg_parse_ports(buf, w, &m, err, errlen) == REG_OK && m == n &&
		 !memcmp(v, w, n * sizeof(v[0])), "'%.40s' printed '%s' parses otherwise", s, buf);
	return rc;
}

static const check_fn checks[] = {
	reg_check_org_name, reg_check_network_name, reg_check_app_name, reg_check_peer_name,
	reg_check_region, reg_check_ifname, endpoint, public_key, host_id, metadata, process_group,
	ports,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	char err[600];
	size_t i;

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		int rc;

		memset(err, 'x', sizeof(err));
		err[sizeof(err) - 1] = '\0';
		rc = checks[i](s, err, sizeof(err));
		FZ_CHECK(rc == REG_OK || rc == REG_EINVAL, "check %zu returned %d", i, rc);
		if (rc == REG_EINVAL)
			FZ_CHECK(FZ_TERMINATED(err) &&
				 (strlen(s) > 400 || strstr(err, " is invalid: ")),
				 "check %zu: message '%.80s'", i, err);
		/* a short buffer is cut, never overrun */
		char tiny[8];

		memset(tiny, 'x', sizeof(tiny));
		FZ_CHECK(checks[i](s, tiny, 4) == rc, "check %zu: another answer with less room", i);
		FZ_CHECK(tiny[4] == 'x' && (rc == REG_OK || memchr(tiny, '\0', 4)),
			 "check %zu wrote past 4 bytes", i);
	}
	if (public_key(s, err, sizeof(err)) == REG_OK) {
		uint8_t k[WG_KEY_LEN];
		char b64[WG_KEY_B64_LEN + 1];

		FZ_CHECK(wg_key_from_base64(s, k) == 0, "the registry takes '%s', wgkeys does not", s);
		wg_key_to_base64(k, b64);
		FZ_CHECK(!strcmp(b64, s), "key '%s' is also spelled '%s'", s, b64);
	}
	free(s);
	return 0;
}
