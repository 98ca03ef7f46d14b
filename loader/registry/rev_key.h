/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The value of <prefix>rev, the registry revision key every write puts
 * (docs/registry.md "ON ETCD"):
 *
 *   {"recent": [nonce, ...],           the last REV_RECENT writes, newest
 *                                      first: settles a lost answer
 *    "k": K,                           recent[0..K-1] all logged the keys
 *    "keys": {nonce: [key, ...]},      they put or deleted here
 *    "importing": true}                an import under way
 *
 * A writer that lost a race catches up by reading just the keys the writes
 * since its copy touched, when every one of those writes is covered by K
 * (etcd itself can only list what changed by scanning the whole prefix,
 * and not what was deleted). A writer that does not keep the log (an
 * older sixpnctl) leaves no "k", so a catch-up across it reads everything
 * again. The value comes from etcd: untrusted, parsed strictly; anything
 * unexpected reads as "not covered". */
#ifndef SIXPN_REGISTRY_REV_KEY_H
#define SIXPN_REGISTRY_REV_KEY_H
#include <stddef.h>

#define REV_RECENT   64   /* write nonces kept */
#define REV_LOG_MAX  96   /* keys logged over all logged writes */

/* 1 when value parses as a revision value (NULL or "" count: no writes). */
int revkey_valid(const char *value);
int revkey_importing(const char *value);
int revkey_has_nonce(const char *value, const char *nonce);
/* The value after a write (nonce, NULL for an import chunk or a fence)
 * that put or deleted keys[0..nkeys-1] (without the prefix), on top of
 * old. NULL: out of memory. */
char *revkey_next(const char *old, const char *nonce, int importing,
		  char *const *keys, size_t nkeys);
/* The keys touched by the writes that put cur after old (a value the
 * caller's copy reflects): cb(key) each, a key possibly more than once.
 * 0, or -1 when cur does not cover them all (old's newest write fell out
 * of cur, a write since kept no log, old had no write, a value does not
 * parse). */
typedef int (*revkey_key_cb)(const char *key, void *ctx);
int revkey_touched_since(const char *old, const char *cur, revkey_key_cb cb, void *ctx);

#endif
