// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* WireGuard keys in base64, through libsodium. */
#include <string.h>
#include <sodium.h>

#include "lib/wgkey_b64.h"

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
	 * selftests/fuzz/lib/registry_rules.c): a key with two spellings would
	 * slip past peers.public_key UNIQUE, so only the one spelling counts */
	wg_key_to_base64(key, again);
	ret = strcmp(again, s) ? -1 : 0;
	sodium_memzero(again, sizeof(again));
	return ret;
}
