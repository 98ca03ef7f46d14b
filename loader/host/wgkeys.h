/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* WireGuard (X25519) keys with libsodium: no shelling out to `wg genkey`. */
#ifndef SIXPN_WGKEYS_H
#define SIXPN_WGKEYS_H

#include <stdint.h>

#include "lib/wgkey_b64.h"   /* WG_KEY_LEN, the base64 form */

/* sodium_init(); 0 on success. Safe to call more than once. */
int wg_keys_init(void);
/* A fresh key pair: 32 random bytes, clamped as Curve25519 wants (as
 * `wg genkey` does), and its public key. 0 on success. */
int wg_keypair(uint8_t priv[WG_KEY_LEN], uint8_t pub[WG_KEY_LEN]);
/* The public key of a private key (as `wg pubkey`). */
int wg_pubkey(const uint8_t priv[WG_KEY_LEN], uint8_t pub[WG_KEY_LEN]);
/* Wipes a key from memory. */
void wg_key_wipe(void *key, unsigned long len);

#endif
