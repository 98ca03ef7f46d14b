// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* A thin command line over loader/host/wg.c for selftests/plumbing/test_wg.sh,
 * which checks what it does with wg(8) against a real wireguard-go.
 *
 *   plumbing_wg set IFNAME KEYFILE|- PORT replace|merge [PEER...]
 *       PEER is PUBKEY_B64,ENDPOINT|-,KEEPALIVE[,PREFIX...]
 *   plumbing_wg get IFNAME       device line, then one line per peer
 *   plumbing_wg pubkey KEYFILE   the public key of a key file, base64
 *   plumbing_wg backend IFNAME
 *
 * Errors: "plumbing_wg: <strerror>: <wg.err>" on stderr, exit 1. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/wg.h"

/* The words of the last failure of a sixpn_wg_*() call. */
static struct sixpn_wg wg;

static int die(int err)
{
	fprintf(stderr, "plumbing_wg: %s: %s\n", strerror(-err), wg.err);
	return 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: plumbing_wg set IFNAME KEYFILE|- PORT replace|merge "
			"[PUBKEY,ENDPOINT|-,KEEPALIVE[,PREFIX...]]...\n"
			"       plumbing_wg get IFNAME | pubkey KEYFILE | backend IFNAME\n");
	return 2;
}

/* PUBKEY,ENDPOINT|-,KEEPALIVE[,PREFIX...]; the strings point into ARG. */
static int parse_peer(char *arg, struct sixpn_wg_peer *p, struct sixpn_wg_prefix *ips, size_t max)
{
	char *save = NULL, *tok = strtok_r(arg, ",", &save);
	size_t n = 0;

	if (!tok || wg_key_from_base64(tok, p->public_key)) {
		fprintf(stderr, "plumbing_wg: '%s' is not a base64 public key\n", tok ? tok : "");
		return -1;
	}
	tok = strtok_r(NULL, ",", &save);
	if (!tok)
		return -1;
	p->endpoint = strcmp(tok, "-") ? tok : NULL;
	tok = strtok_r(NULL, ",", &save);
	if (!tok)
		return -1;
	p->keepalive = (uint16_t)atoi(tok);
	while ((tok = strtok_r(NULL, ",", &save)) && n < max) {
		char *slash = strchr(tok, '/');

		if (!slash)
			return -1;
		*slash = '\0';
		if (inet_pton(AF_INET6, tok, &ips[n].addr) != 1)
			return -1;
		ips[n++].len = (uint8_t)atoi(slash + 1);
	}
	p->allowed_ips = ips;
	p->n_allowed_ips = n;
	return 0;
}

static int cmd_set(int argc, char **argv)
{
	struct sixpn_wg_peer peers[16] = {};
	struct sixpn_wg_prefix ips[16][16];
	uint8_t key[WG_KEY_LEN];
	bool have_key = strcmp(argv[1], "-");
	size_t n = 0;
	int ret;

	if (argc < 4 || (strcmp(argv[3], "replace") && strcmp(argv[3], "merge")))
		return usage();
	if (have_key) {
		ret = sixpn_wg_read_key_file(&wg, argv[1], key);
		if (ret)
			return die(ret);
	}
	for (int i = 4; i < argc && n < 16; i++, n++)
		if (parse_peer(argv[i], &peers[n], ips[n], 16))
			return usage();
	ret = sixpn_wg_configure(&wg, argv[0], have_key ? key : NULL, (uint16_t)atoi(argv[2]), peers, n,
				 !strcmp(argv[3], "replace"));
	wg_key_wipe(key, sizeof(key));
	return ret ? die(ret) : 0;
}

static int print_peer(const struct sixpn_wg_peer_status *p, void *arg)
{
	char b64[WG_KEY_B64_LEN + 1], ip[INET6_ADDRSTRLEN];

	(void)arg;
	wg_key_to_base64(p->public_key, b64);
	printf("peer %s %s %u", b64, p->endpoint[0] ? p->endpoint : "-", p->keepalive);
	for (size_t i = 0; i < p->n_allowed_ips; i++) {
		inet_ntop(AF_INET6, &p->allowed_ips[i].addr, ip, sizeof(ip));
		printf("%c%s/%u", i ? ',' : ' ', ip, p->allowed_ips[i].len);
	}
	printf("\n");
	return 0;
}

static int cmd_get(const char *ifname)
{
	struct sixpn_wg_device dev;
	char b64[WG_KEY_B64_LEN + 1];
	int ret = sixpn_wg_get(&wg, ifname, &dev, print_peer, NULL);

	if (ret)
		return die(ret);
	wg_key_to_base64(dev.public_key, b64);
	printf("device %s %u %zu\n", dev.has_private_key ? b64 : "(none)", dev.listen_port, dev.n_peers);
	return 0;
}

static int cmd_pubkey(const char *path)
{
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
	char b64[WG_KEY_B64_LEN + 1];
	int ret = sixpn_wg_read_key_file(&wg, path, priv);

	if (ret)
		return die(ret);
	ret = wg_pubkey(priv, pub);
	wg_key_wipe(priv, sizeof(priv));
	if (ret)
		return 1;
	wg_key_to_base64(pub, b64);
	printf("%s\n", b64);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 6 && !strcmp(argv[1], "set"))
		return cmd_set(argc - 2, argv + 2);
	if (argc == 3 && !strcmp(argv[1], "get"))
		return cmd_get(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "pubkey"))
		return cmd_pubkey(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "backend")) {
		const char *b = sixpn_wg_backend(argv[2]);

		printf("%s\n", b ? b : "(invalid name)");
		return b ? 0 : 1;
	}
	return usage();
}
