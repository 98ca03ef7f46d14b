/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* WireGuard (X25519) keys with libsodium: no shelling out to `wg genkey`. */
#ifndef SIXPN_WGKEYS_H
#define SIXPN_WGKEYS_H

#include <stdint.h>

#define WG_KEY_LEN      32
#define WG_KEY_B64_LEN  44   /* without the NUL */

/* sodium_init(); 0 on success. Safe to call more than once. */
int wg_keys_init(void);
/* A fresh key pair: 32 random bytes, clamped as Curve25519 wants (as
 * `wg genkey` does), and its public key. 0 on success. */
int wg_keypair(uint8_t priv[WG_KEY_LEN], uint8_t pub[WG_KEY_LEN]);
/* The public key of a private key (as `wg pubkey`). */
int wg_pubkey(const uint8_t priv[WG_KEY_LEN], uint8_t pub[WG_KEY_LEN]);
/* Standard base64 with padding, as wg(8) prints keys. */
void wg_key_to_base64(const uint8_t key[WG_KEY_LEN], char out[WG_KEY_B64_LEN + 1]);
/* Strict: exactly 44 characters decoding to 32 bytes. 0 on success. */
int wg_key_from_base64(const char *s, uint8_t key[WG_KEY_LEN]);
/* Wipes a key from memory. */
void wg_key_wipe(void *key, unsigned long len);

#endif
