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

void wg_key_wipe(void *key, unsigned long len)
{
	sodium_memzero(key, len);
}
