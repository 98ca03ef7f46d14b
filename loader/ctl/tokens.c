// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sixpnctl tokens ...: the HTTP API's bearer tokens (registry/tokens.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/sixpnctl.h"

static void json_token(struct json *j, const struct reg_token *t, const char *secret)
{
	json_obj_begin(j, NULL);
	json_int(j, "id", t->id);
	json_str(j, "org", t->org);
	if (secret)
		json_str(j, "token", secret);
	json_time(j, "created_at", t->created_at);
	json_obj_end(j);
}

int cmd_tokens_create(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = { OPT("org", 1), OPT_END };
	char token[REG_TOKEN_LEN + 1];
	const char *pos[1], *org;
	struct reg_token t;
	struct json j;
	int n, rc;

	rc = cli_parse(c, argc, argv, opts, pos, 0, 0, &n);
	if (rc || (rc = opt_required(c, opts, "org", "ORG", &org)) ||
	    (rc = cli_open(c)))
		return rc;
	rc = reg_token_create(c->reg, org, token, &t);
	if (rc)
		return cli_reg_fail(c, rc);
	if (cli_json(c, &j)) {
		json_token(&j, &t, token);
	} else {
		/* the token alone on stdout, for $(...); the words on stderr */
		printf("%s\n", token);
		fprintf(stderr, "sixpnctl: created token %lld for org '%s': it is "
			"shown this once (the registry keeps only its hash)\n",
			(long long)t.id, t.org);
	}
	memset(token, 0, sizeof(token));
	return EXIT_OK;
}

static int print_token(const struct reg_token *t, void *ctx)
{
	struct cli_list *l = ctx;
	char when[32];

	if (!cli_list_row(l))
		return 0;
	if (l->c->json) {
		json_token(&l->j, t, NULL);
		return 0;
	}
	out_time(t->created_at, when, sizeof(when));
	printf("%-8lld %-24s %s\n", (long long)t->id, t->org, when);
	return 0;
}

static int walk_tokens(struct cli_list *l)
{
	return reg_foreach_token(l->c->reg, &l->f, print_token, l);
}

int cmd_tokens_list(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = { OPT("org", 1), OPT_END };
	struct cli_list l = { .c = c };
	const char *pos[1];
	int n, rc;

	rc = cli_parse(c, argc, argv, opts, pos, 0, 0, &n);
	if (rc || (rc = cli_open(c)))
		return rc;
	l.f.org = opt_get(opts, "org");
	if ((rc = cli_snapshot(c, l.f.org)))
		return rc;
	return cli_list(&l, "tokens", walk_tokens, "%-8s %-24s %s\n", "ID", "ORG",
			"CREATED");
}

int cmd_tokens_revoke(struct cli *c, int argc, char **argv)
{
	const char *pos[1];
	struct reg_token t;
	struct json j;
	char *end;
	long long id;
	int n, rc;

	rc = cli_parse(c, argc, argv, NULL, pos, 1, 1, &n);
	if (rc)
		return rc;
	errno = 0;
	id = strtoll(pos[0], &end, 10);
	if (errno || end == pos[0] || *end || id < 1)
		return cli_fail(c, EXIT_USAGE, "token ID '%s' is invalid: must be "
				"a positive number (tokens list shows them)", pos[0]);
	if ((rc = cli_open(c)))
		return rc;
	rc = reg_token_revoke(c->reg, id, &t);
	if (rc)
		return cli_reg_fail(c, rc);
	if (cli_json(c, &j)) {
		json_obj_begin(&j, NULL);
		json_int(&j, "id", t.id);
		json_str(&j, "org", t.org);
		json_bool(&j, "revoked", 1);
		json_obj_end(&j);
	} else {
		printf("revoked token %lld of org '%s'\n", (long long)t.id, t.org);
	}
	return EXIT_OK;
}
