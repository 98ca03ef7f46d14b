/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The value of <prefix>rev, the registry revision key every write puts
 * (docs/registry.md "ON ETCD"):
 *
 *   {"recent": [nonce, ...],           the last REV_RECENT writes, newest
 *                                      first: settles a lost answer
 *    "k": K,                           recent[0..K-1] all logged their
 *    "dels": {nonce: [key, ...]},      deletes here (absent: none)
 *    "importing": true}                an import under way
 *
 * A writer that lost a race reads what changed since its copy (etcd's
 * range by modification revision), which cannot show a deleted key: the
 * deletes come from "dels", when every write since is covered by K. A
 * writer that does not keep the log (an older sixpnctl) leaves no "k", so
 * a catch-up across it reads everything again. The value comes from etcd:
 * untrusted, parsed strictly; anything unexpected reads as "not covered". */
#ifndef SIXPN_REGISTRY_REV_KEY_H
#define SIXPN_REGISTRY_REV_KEY_H
#include <stddef.h>

#define REV_RECENT   64   /* write nonces kept */
#define REV_DELS_MAX 64   /* deleted keys kept over all logged writes */

/* 1 when value parses as a revision value (NULL or "" count: no writes). */
int revkey_valid(const char *value);
int revkey_importing(const char *value);
int revkey_has_nonce(const char *value, const char *nonce);
/* The value after a write (nonce, NULL for an import chunk or a fence)
 * that deleted keys dels[0..ndels-1] (without the prefix), on top of old.
 * NULL: out of memory. */
char *revkey_next(const char *old, const char *nonce, int importing,
		  char *const *dels, size_t ndels);
/* The keys deleted by the writes that put cur after old (a value the
 * caller's copy reflects): cb(key) each. 0, or -1 when cur does not cover
 * them all (old's newest write fell out of cur, a write since kept no log,
 * old had no write, a value does not parse). */
typedef int (*revkey_del_cb)(const char *key, void *ctx);
int revkey_deletes_since(const char *old, const char *cur, revkey_del_cb cb, void *ctx);

#endif
