// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* WireGuard keys: X25519 via libsodium. */
#include <string.h>
#include <sodium.h>

#include "host/wgkeys.h"

int wg_keys_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

int wg_pubkey(const uint8_t priv[WG_KEY_LEN], uint8_t pub[WG_KEY_LEN])
{
	return crypto_scalarmult_curve25519_base(pub, priv) ? -1 : 0;
}

int wg_keypair(uint8_t priv[WG_KEY_LEN], uint8_t pub[WG_KEY_LEN])
{
	if (wg_keys_init())
		return -1;
	randombytes_buf(priv, WG_KEY_LEN);
	/* Curve25519 clamping (RFC 7748), as `wg genkey` stores it */
	priv[0] &= 248;
	priv[31] &= 127;
	priv[31] |= 64;
	return wg_pubkey(priv, pub);
}

void wg_key_to_base64(const uint8_t key[WG_KEY_LEN], char out[WG_KEY_B64_LEN + 1])
{
	sodium_bin2base64(out, WG_KEY_B64_LEN + 1, key, WG_KEY_LEN,
			  sodium_base64_VARIANT_ORIGINAL);
}

int wg_key_from_base64(const char *s, uint8_t key[WG_KEY_LEN])
{
	char again[WG_KEY_B64_LEN + 1];
	size_t n = 0;
	const char *end = NULL;
	int ret;

	if (strlen(s) != WG_KEY_B64_LEN)
		return -1;
	if (sodium_base642bin(key, WG_KEY_LEN, s, WG_KEY_B64_LEN, NULL, &n,
			      &end, sodium_base64_VARIANT_ORIGINAL) ||
	    n != WG_KEY_LEN || (end && *end))
		return -1;
	/* libsodium decodes some bytes >= 0x80 as if they were '/' (found by
	 * selftests/fuzz/lib/registry_rules.c): only the one spelling counts */
	wg_key_to_base64(key, again);
	ret = strcmp(again, s) ? -1 : 0;
	sodium_memzero(again, sizeof(again));
	return ret;
}

void wg_key_wipe(void *key, unsigned long len)
{
	sodium_memzero(key, len);
}
