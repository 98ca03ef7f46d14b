/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* A WireGuard key's one text form, as wg(8) prints it: the registry checks
 * keys with it and the host code decodes them with it, so both accept
 * exactly the same spellings. */
#ifndef SIXPN_LIB_WGKEY_B64_H
#define SIXPN_LIB_WGKEY_B64_H

#include <stdint.h>

#define WG_KEY_LEN      32
#define WG_KEY_B64_LEN  44   /* without the NUL */

/* Standard base64 with padding. */
void wg_key_to_base64(const uint8_t key[WG_KEY_LEN], char out[WG_KEY_B64_LEN + 1]);
/* Strict: exactly 44 characters decoding to 32 bytes, and the one spelling
 * that encodes back to the same text. 0 on success. */
int wg_key_from_base64(const char *s, uint8_t key[WG_KEY_LEN]);

#endif
