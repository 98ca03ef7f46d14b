// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The HTTP API's bearer tokens and the org scope (registry.h). A token is
 * 32 random bytes; the registry keeps only their SHA-256, so a copy of the
 * file, of etcd or of a host's mirror authenticates nobody. The tokens are
 * random enough that a plain hash is the right one: there is no password
 * to guess, so no slow hash is needed, and a lookup by hash is one index
 * probe. */
#include <string.h>
#include <sodium.h>

#include "registry/registry_int.h"

#define TOKEN_BYTES 32
#define HASH_HEX    (crypto_hash_sha256_BYTES * 2)

static void token_hash(const char *token, char hex[HASH_HEX + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(hex, HASH_HEX + 1, h, sizeof(h));
	sodium_memzero(h, sizeof(h));
}

static int token_row(sqlite3_stmt *st, struct reg_token *t)
{
	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	t->org_id = sqlite3_column_int64(st, 1);
	reg_col_text(st, 2, t->org, sizeof(t->org));
	t->created_at = sqlite3_column_int64(st, 3);
	return 0;
}

#define TOKEN_SELECT "SELECT t.id, t.org_id, o.name, t.created_at" \
		     " FROM tokens t JOIN orgs o ON o.id = t.org_id"

/* Steps st to its one row: REG_OK with *out, REG_ENOENT (no message), or
 * the failure. Finalizes st. */
static int one_token(struct reg *r, sqlite3_stmt *st, struct reg_token *out)
{
	struct reg_token t;
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		token_row(st, &t);
		if (out)
			*out = t;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return REG_OK;
	if (rc == SQLITE_DONE)
		return REG_ENOENT;
	return reg_sqlfail(r, "read token");
}

static int token_create_once(struct reg *r, const char *org, char *token,
			     struct reg_token *out)
{
	unsigned char raw[TOKEN_BYTES];
	char hash[HASH_HEX + 1];
	struct reg_org o;
	sqlite3_stmt *st;
	int rc, step;

	if (reg_check_org_name(org, r->err, sizeof(r->err)))
		return REG_EINVAL;
	rc = reg_begin_write(r);
	if (rc)
		return rc;
	rc = reg_get_org(r, org, &o);
	if (rc)
		return reg_end_write(r, rc);
	randombytes_buf(raw, sizeof(raw));
	memcpy(token, REG_TOKEN_PREFIX, strlen(REG_TOKEN_PREFIX));
	sodium_bin2base64(token + strlen(REG_TOKEN_PREFIX),
			  REG_TOKEN_LEN + 1 - strlen(REG_TOKEN_PREFIX), raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	token_hash(token, hash);
	st = reg_prep(r, "INSERT INTO tokens (org_id, hash, created_at)"
		      " VALUES (?1, ?2, ?3)");
	if (!st)
		return reg_end_write(r, REG_ERR);
	sqlite3_bind_int64(st, 1, o.id);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, reg_now());
	step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return reg_end_write(r, reg_sqlfail(r, "create token"));
	if (out) {
		st = reg_prep(r, TOKEN_SELECT " WHERE t.id = ?1");
		if (!st)
			return reg_end_write(r, REG_ERR);
		sqlite3_bind_int64(st, 1, sqlite3_last_insert_rowid(r->db));
		rc = one_token(r, st, out);
		if (rc == REG_ENOENT)
			rc = reg_fail(r, REG_ERR, "the new token vanished");
	}
	return reg_end_write(r, rc);
}

int reg_token_create(struct reg *r, const char *org, char *token,
		     struct reg_token *out)
{
	REG_WRITE_RETRY(r, token_create_once(r, org, token, out));
}

int reg_token_check(struct reg *r, const char *token, struct reg_token *out)
{
	char hash[HASH_HEX + 1];
	sqlite3_stmt *st;
	int rc;

	/* the shape first: nothing else is ever hashed or looked up */
	if (!token || strlen(token) != REG_TOKEN_LEN ||
	    strncmp(token, REG_TOKEN_PREFIX, strlen(REG_TOKEN_PREFIX)))
		return reg_fail(r, REG_ENOENT, "token is not valid");
	token_hash(token, hash);
	st = reg_prep(r, TOKEN_SELECT " WHERE t.hash = ?1");
	if (!st)
		return REG_ERR;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	rc = one_token(r, st, out);
	if (rc == REG_ENOENT)
		return reg_fail(r, REG_ENOENT, "token is not valid");
	return rc;
}

int reg_foreach_token(struct reg *r, const struct reg_filter *f,
		      reg_token_cb cb, void *ctx)
{
	sqlite3_stmt *st = reg_prep(r, TOKEN_SELECT
		" WHERE (?1 IS NULL OR o.name = ?1) ORDER BY t.id");
	struct reg_token t;
	int rc, ret = REG_OK;

	if (!st)
		return REG_ERR;
	if (f && f->org)
		sqlite3_bind_text(st, 1, f->org, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		token_row(st, &t);
		ret = cb(&t, ctx);
		if (ret)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = reg_sqlfail(r, "read tokens");
	sqlite3_finalize(st);
	return ret;
}

static int token_revoke_once(struct reg *r, int64_t id, struct reg_token *out)
{
	struct reg_token t;
	sqlite3_stmt *st;
	int rc = reg_begin_write(r), step;

	if (rc)
		return rc;
	st = reg_prep(r, TOKEN_SELECT " WHERE t.id = ?1");
	if (!st)
		return reg_end_write(r, REG_ERR);
	sqlite3_bind_int64(st, 1, id);
	rc = one_token(r, st, &t);
	if (rc == REG_ENOENT)
		rc = reg_fail(r, REG_ENOENT, "token %lld does not exist", (long long)id);
	if (rc)
		return reg_end_write(r, rc);
	st = reg_prep(r, "DELETE FROM tokens WHERE id = ?1");
	if (!st)
		return reg_end_write(r, REG_ERR);
	sqlite3_bind_int64(st, 1, id);
	step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return reg_end_write(r, reg_sqlfail(r, "revoke token"));
	if (out)
		*out = t;
	return reg_end_write(r, REG_OK);
}

int reg_token_revoke(struct reg *r, int64_t id, struct reg_token *out)
{
	REG_WRITE_RETRY(r, token_revoke_once(r, id, out));
}

int reg_scope_org(struct reg *r, const char *org)
{
	if (org && reg_check_org_name(org, r->err, sizeof(r->err)))
		return REG_EINVAL;
	reg_copy(r->scope, org, sizeof(r->scope));
	return REG_OK;
}
