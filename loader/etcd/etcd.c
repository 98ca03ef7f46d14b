// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The etcd v3 JSON gateway over libcurl, replies parsed by json-c. See
 * etcd.h for the error kinds; every field of a reply is checked. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <json-c/json.h>

#include "etcd/etcd.h"
#include "etcd/etcd_int.h"

/* Keys per range page. etcd counts the whole range for every page (the
 * reply's "count"), so a listing costs it pages x keys: a registry of
 * 100,000 machines (213,000 keys) took etcd 5.0 s of CPU in pages of 1,000,
 * 2.5 s in pages of 10,000 (each a few MB of JSON here). */
#define PAGE_LIMIT 10000

struct buf {
	char *p;
	size_t len, cap;
};

struct etcd {
	struct etcd_cfg cfg;      /* endpoints owned (strdup) */
	int cur;                  /* the endpoint in use */
	CURL *curl;
	char token[1024];
	char err[512];
	char cerr[CURL_ERROR_SIZE];   /* curl's detail of the last failure */
	struct buf resp;
	int sends;                /* times the last request went out */
};

struct etcd_txn {
	json_object *req, *cmp, *succ, *fail;
	size_t ops;
};

/* ---- configuration ------------------------------------------------------ */

int etcd_cfg_endpoints(struct etcd_cfg *cfg, const char *list, char *err,
		       size_t errlen)
{
	const char *p = list, *q;

	for (; *p; p = *q ? q + 1 : q) {
		size_t n;

		q = strchr(p, ',');
		if (!q)
			q = p + strlen(p);
		n = (size_t)(q - p);
		if (!n)
			continue;
		if (cfg->n_endpoints == ETCD_MAX_ENDPOINTS) {
			snprintf(err, errlen, "etcd endpoints '%s' are invalid: at "
				 "most %d", list, ETCD_MAX_ENDPOINTS);
			return -1;
		}
		if (!((n > 7 && !strncmp(p, "http://", 7)) ||
		      (n > 8 && !strncmp(p, "https://", 8)))) {
			snprintf(err, errlen, "etcd endpoint '%.*s' is invalid: must "
				 "be an http:// or https:// URL", (int)n, p);
			return -1;
		}
		cfg->endpoints[cfg->n_endpoints] = strndup(p, n);
		if (!cfg->endpoints[cfg->n_endpoints]) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		/* no trailing slash: paths are appended */
		while (n > 1 && cfg->endpoints[cfg->n_endpoints][n - 1] == '/')
			cfg->endpoints[cfg->n_endpoints][--n] = '\0';
		cfg->n_endpoints++;
	}
	if (!cfg->n_endpoints) {
		snprintf(err, errlen, "etcd endpoints '%s' are invalid: none given",
			 list);
		return -1;
	}
	return 0;
}

int etcd_cfg_password_file(struct etcd_cfg *cfg, const char *file, char *err,
			   size_t errlen)
{
	FILE *f = fopen(file, "re");
	size_t n;

	if (!f) {
		snprintf(err, errlen, "cannot read etcd password file %s: %s", file,
			 strerror(errno));
		return -1;
	}
	if (!fgets(cfg->password, sizeof(cfg->password), f))
		cfg->password[0] = '\0';
	fclose(f);
	n = strcspn(cfg->password, "\r\n");
	cfg->password[n] = '\0';
	if (!n) {
		snprintf(err, errlen, "etcd password file %s is empty", file);
		return -1;
	}
	return 0;
}

int etcd_cfg_env(struct etcd_cfg *cfg, char *err, size_t errlen)
{
	const char *e = getenv("SIXPN_ETCD");

	if (!cfg->n_endpoints && e && *e && etcd_cfg_endpoints(cfg, e, err, errlen))
		return -1;
	e = getenv("SIXPN_ETCD_PASSWORD");
	if (!cfg->password[0] && e && *e)
		snprintf(cfg->password, sizeof(cfg->password), "%s", e);
	return 0;
}

void etcd_cfg_free(struct etcd_cfg *cfg)
{
	int i;

	for (i = 0; i < cfg->n_endpoints; i++)
		free(cfg->endpoints[i]);
	cfg->n_endpoints = 0;
}

/* ---- the handle ---------------------------------------------------------- */

static int fail(struct etcd *e, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct etcd *e, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->err, sizeof(e->err), fmt, ap);
	va_end(ap);
	return rc;
}

struct etcd *etcd_new(const struct etcd_cfg *cfg)
{
	static int inited;
	struct etcd *e;
	int i;

	if (!inited) {
		/* not thread-safe in old libcurls: the first handle is made
		 * before any thread starts */
		curl_global_init(CURL_GLOBAL_DEFAULT);
		inited = 1;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->cfg = *cfg;
	for (i = 0; i < cfg->n_endpoints; i++)
		e->cfg.endpoints[i] = strdup(cfg->endpoints[i]);
	if (!e->cfg.timeout_ms)
		e->cfg.timeout_ms = 5000;
	e->curl = curl_easy_init();
	if (!e->curl) {
		etcd_free(e);
		return NULL;
	}
	return e;
}

void etcd_free(struct etcd *e)
{
	if (!e)
		return;
	if (e->curl)
		curl_easy_cleanup(e->curl);
	etcd_cfg_free(&e->cfg);
	free(e->resp.p);
	free(e);
}

const char *etcd_errmsg(const struct etcd *e)
{
	return e ? e->err : "out of memory";
}

const char *etcd_endpoint(const struct etcd *e)
{
	return e->cfg.n_endpoints ? e->cfg.endpoints[e->cur] : "";
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct buf *b = ctx;
	size_t len = size * n;

	if (b->len + len + 1 > b->cap) {
		size_t cap = (b->len + len + 1) * 2;
		char *p = realloc(b->p, cap);

		if (!p)
			return 0;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
	return len;
}

/* The options every request shares; the per-request ones come after. */
static struct curl_slist *setup(struct etcd *e, const char *path)
{
	struct curl_slist *h = NULL;
	char url[1024], auth[1100];

	snprintf(url, sizeof(url), "%s%s", e->cfg.endpoints[e->cur], path);
	curl_easy_reset(e->curl);
	curl_easy_setopt(e->curl, CURLOPT_URL, url);
	curl_easy_setopt(e->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e->curl, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
	curl_easy_setopt(e->curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e->curl, CURLOPT_TCP_KEEPIDLE, 2L);
	curl_easy_setopt(e->curl, CURLOPT_TCP_KEEPINTVL, 1L);
	curl_easy_setopt(e->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	e->cerr[0] = '\0';
	curl_easy_setopt(e->curl, CURLOPT_ERRORBUFFER, e->cerr);
	/* HTTP/1.1 over TLS as over plain http: with HTTP/2, a client
	 * certificate etcd refuses shows as a framing error, not its alert */
	curl_easy_setopt(e->curl, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	if (e->cfg.cacert)
		curl_easy_setopt(e->curl, CURLOPT_CAINFO, e->cfg.cacert);
	if (e->cfg.cert)
		curl_easy_setopt(e->curl, CURLOPT_SSLCERT, e->cfg.cert);
	if (e->cfg.key)
		curl_easy_setopt(e->curl, CURLOPT_SSLKEY, e->cfg.key);
	h = curl_slist_append(h, "Content-Type: application/json");
	/* the body goes with the headers: no "Expect: 100-continue" round
	 * trip (curl's default above 1 KiB), which also left a transaction
	 * half sent, its headers without its body, when etcd stopped
	 * answering */
	h = curl_slist_append(h, "Expect:");
	if (e->token[0]) {
		snprintf(auth, sizeof(auth), "Authorization: %s", e->token);
		h = curl_slist_append(h, auth);
	}
	curl_easy_setopt(e->curl, CURLOPT_HTTPHEADER, h);
	return h;
}

#ifdef SIXPN_FUZZ
int (*etcd_fuzz_server)(const char *path, const char *body, long *status,
			size_t (*deliver)(char *data, size_t size, size_t n, void *ctx),
			void *ctx);

/* A curl failure that means nothing reached etcd: the fuzzer's stub
 * server has no connections and says so by its codes. */
static int not_sent(CURLcode c)
{
	return c == CURLE_COULDNT_CONNECT || c == CURLE_COULDNT_RESOLVE_HOST ||
	       c == CURLE_COULDNT_RESOLVE_PROXY || c == CURLE_SSL_CONNECT_ERROR ||
	       c == CURLE_PEER_FAILED_VERIFICATION || c == CURLE_SSL_CERTPROBLEM ||
	       c == CURLE_SSL_CACERT_BADFILE || c == CURLE_URL_MALFORMAT;
}
#endif

/* curl calls it each time the request is about to go out on a connection,
 * new or reused. Counting is the only sure way to know whether a request
 * left: on a reused connection that dies before any answer, curl sends
 * the request again on a new one by itself, and when that connect fails
 * it reports only the connect failure (CURLE_COULDNT_CONNECT) for a
 * request the first connection carried (a leader killed between applying
 * a transaction and answering it). */
static int on_prereq(void *ctx, char *conn_primary_ip, char *conn_local_ip,
		     int conn_primary_port, int conn_local_port)
{
	(void)conn_primary_ip; (void)conn_local_ip;
	(void)conn_primary_port; (void)conn_local_port;
	((struct etcd *)ctx)->sends++;
	return CURL_PREREQFUNC_OK;
}

/* The request set up by setup() sent with body, the reply handed to
 * deliver; *status: the HTTP status (0 when none came); e->sends: how
 * many times it went out (0: never, so etcd cannot have acted on it). */
static CURLcode perform(struct etcd *e, const char *path, const char *body,
			curl_write_callback deliver, void *ctx, long *status)
{
	CURLcode c;

	*status = 0;
	e->sends = 0;
#ifdef SIXPN_FUZZ
	if (etcd_fuzz_server) {
		c = (CURLcode)etcd_fuzz_server(path, body, status, deliver, ctx);
		e->sends = !not_sent(c);
		return c;
	}
#else
	(void)path;
#endif
	curl_easy_setopt(e->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(e->curl, CURLOPT_WRITEFUNCTION, deliver);
	curl_easy_setopt(e->curl, CURLOPT_WRITEDATA, ctx);
	curl_easy_setopt(e->curl, CURLOPT_PREREQFUNCTION, on_prereq);
	curl_easy_setopt(e->curl, CURLOPT_PREREQDATA, e);
	c = curl_easy_perform(e->curl);
	if (c == CURLE_OK)
		curl_easy_getinfo(e->curl, CURLINFO_RESPONSE_CODE, status);
	return c;
}

/* gRPC codes after which etcd certainly did not apply a write. */
static int definite_refusal(int code)
{
	switch (code) {
	case 3:  /* InvalidArgument: too many ops, request too large, ... */
	case 5:  /* NotFound: lease not found */
	case 6:  /* AlreadyExists */
	case 7:  /* PermissionDenied */
	case 9:  /* FailedPrecondition */
	case 11: /* OutOfRange: compacted */
	case 16: /* Unauthenticated */
		return 1;
	}
	return 0;
}

static int is_auth_error(int code, const char *msg)
{
	return code == 7 || code == 16 || strstr(msg, "user name is empty") ||
	       strstr(msg, "permission denied") || strstr(msg, "invalid auth token") ||
	       strstr(msg, "authentication failed");
}

/* A TLS failure: a certificate etcd's or ours that the other side does
 * not trust, or none given. Not an outage: no retry fixes it, so it is
 * told apart (ETCD_EAUTH) and said with what to check. */
static int tls_failure(CURLcode c, const char *detail)
{
	switch (c) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CONNECT_ERROR:
		return 1;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		/* TLS 1.3: the server's refusal of our certificate (or of none)
		 * arrives as an alert after the handshake */
		return strstr(detail, "alert certificate required") ||
		       strstr(detail, "alert bad certificate") ||
		       strstr(detail, "alert unknown ca");
	default:
		return 0;
	}
}

static int tls_fail(struct etcd *e, const char *path, CURLcode c)
{
	const char *d = e->cerr[0] ? e->cerr : curl_easy_strerror(c);
	const char *hint;

	if (strstr(d, "alert certificate required") ||
	    (!e->cfg.cert && strstr(d, "alert bad certificate")))
		hint = "etcd wants a client certificate: give --etcd-cert and --etcd-key";
	else if (strstr(d, "alert bad certificate") || strstr(d, "alert unknown ca"))
		hint = "etcd refused the client certificate --etcd-cert (is it signed by "
		       "a CA etcd trusts, --trusted-ca-file?)";
	else if (c == CURLE_PEER_FAILED_VERIFICATION)
		hint = e->cfg.cacert ? "etcd's certificate is not signed by --etcd-cacert"
				     : "etcd's certificate is not trusted: give --etcd-cacert";
	else if (c == CURLE_SSL_CERTPROBLEM)
		hint = "--etcd-cert or --etcd-key cannot be used";
	else if (c == CURLE_SSL_CACERT_BADFILE)
		hint = "--etcd-cacert cannot be read";
	else
		hint = "the TLS handshake with etcd failed";
	return fail(e, ETCD_EAUTH, "etcd %s%s: TLS: %s (%s)", etcd_endpoint(e), path,
		    hint, d);
}

/* After a connection reset right after TLS (TLS 1.3 lets the server turn
 * our certificate down after the handshake, and a reset may beat its
 * alert): one handshake alone capped at TLS 1.2, where the refusal comes
 * inside the handshake, tells a refused certificate from a network
 * failure. No request is sent on it. 1 (the detail in e->cerr): refused. */
static int tls_probe_refused(struct etcd *e, CURLcode c)
{
	char url[1024], detail[CURL_ERROR_SIZE] = "";
	CURL *p;
	CURLcode pc;

#ifdef SIXPN_FUZZ
	if (etcd_fuzz_server)
		return 0;
#endif
	if (strncmp(e->cfg.endpoints[e->cur], "https://", 8) ||
	    (c != CURLE_SEND_ERROR && c != CURLE_RECV_ERROR && c != CURLE_HTTP2 &&
	     c != CURLE_GOT_NOTHING))
		return 0;
	p = curl_easy_init();
	if (!p)
		return 0;
	snprintf(url, sizeof(url), "%s/version", e->cfg.endpoints[e->cur]);
	curl_easy_setopt(p, CURLOPT_URL, url);
	curl_easy_setopt(p, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(p, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(p, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
	curl_easy_setopt(p, CURLOPT_SSLVERSION,
			 (long)(CURL_SSLVERSION_TLSv1_2 | CURL_SSLVERSION_MAX_TLSv1_2));
	curl_easy_setopt(p, CURLOPT_ERRORBUFFER, detail);
	if (e->cfg.cacert)
		curl_easy_setopt(p, CURLOPT_CAINFO, e->cfg.cacert);
	if (e->cfg.cert)
		curl_easy_setopt(p, CURLOPT_SSLCERT, e->cfg.cert);
	if (e->cfg.key)
		curl_easy_setopt(p, CURLOPT_SSLKEY, e->cfg.key);
	pc = curl_easy_perform(p);
	curl_easy_cleanup(p);
	if (pc == CURLE_SSL_CONNECT_ERROR && strstr(detail, "alert")) {
		snprintf(e->cerr, sizeof(e->cerr), "%s", detail);
		return 1;
	}
	return 0;
}

static int authenticate(struct etcd *e);

/* POSTs body to path, on the current endpoint and then the others.
 * idempotent: an unclear failure may be retried elsewhere. *reply: the
 * parsed object on ETCD_OK (json_object_put it). */
static int request(struct etcd *e, const char *path, const char *body,
		   int idempotent, json_object **reply)
{
	int tries, reauth = 0, rc = ETCD_ECONN;

	*reply = NULL;
	if (!e->cfg.n_endpoints)
		return fail(e, ETCD_ECONN, "no etcd endpoints given");
	if (e->cfg.user && !e->token[0] && strcmp(path, "/v3/auth/authenticate")) {
		rc = authenticate(e);
		if (rc)
			return rc;
	}
	for (tries = 0; tries < e->cfg.n_endpoints; tries++) {
		struct curl_slist *h = setup(e, path);
		json_object *o;
		long status = 0;
		CURLcode c;

		e->resp.len = 0;
		curl_easy_setopt(e->curl, CURLOPT_TIMEOUT_MS, e->cfg.timeout_ms);
		c = perform(e, path, body, on_body, &e->resp, &status);
		curl_slist_free_all(h);
		if (c != CURLE_OK && (tls_failure(c, e->cerr) || tls_probe_refused(e, c))) {
			rc = tls_fail(e, path, c);
			e->cur = (e->cur + 1) % e->cfg.n_endpoints;
			continue;
		}
		if (c != CURLE_OK) {
			rc = fail(e, e->sends ? ETCD_EUNKNOWN : ETCD_ECONN,
				  "etcd %s%s: %s%s", etcd_endpoint(e), path,
				  curl_easy_strerror(c), e->sends ? "" : " (nothing sent)");
			e->cur = (e->cur + 1) % e->cfg.n_endpoints;
			if (rc == ETCD_EUNKNOWN && !idempotent)
				return rc;   /* the next request goes elsewhere */
			continue;
		}
		o = e->resp.len ? json_tokener_parse(e->resp.p) : NULL;
		if (!o || !json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			rc = fail(e, status == 200 ? ETCD_EREPLY : ETCD_EUNKNOWN,
				  "etcd %s%s: HTTP %ld, reply is not a JSON object",
				  etcd_endpoint(e), path, status);
			if (rc == ETCD_EUNKNOWN)
				e->cur = (e->cur + 1) % e->cfg.n_endpoints;
			if (rc == ETCD_EREPLY || !idempotent)
				return rc;
			continue;
		}
		if (status == 200) {
			*reply = o;
			return ETCD_OK;
		}
		{
			json_object *v;
			const char *msg = "";
			int code = 0;

			if (json_object_object_get_ex(o, "message", &v) ||
			    json_object_object_get_ex(o, "error", &v))
				msg = json_object_get_string(v);
			if (json_object_object_get_ex(o, "code", &v))
				code = json_object_get_int(v);
			rc = fail(e, ETCD_EREFUSED, "etcd %s%s: %s (code %d)",
				  etcd_endpoint(e), path, msg ? msg : "", code);
			if (e->cfg.user && !reauth && strstr(e->err, "invalid auth token")) {
				/* tokens expire (simple tokens after 5 min idle) */
				json_object_put(o);
				e->token[0] = '\0';
				reauth = 1;
				rc = authenticate(e);
				if (rc)
					return rc;
				tries--;
				continue;
			}
			if (is_auth_error(code, e->err)) {
				rc = ETCD_EAUTH;
				if (!e->cfg.user && strstr(e->err, "user name is empty"))
					fail(e, rc, "etcd %s has auth enabled and no "
					     "--etcd-user was given: give a user and its "
					     "password (--etcd-password-file or "
					     "SIXPN_ETCD_PASSWORD) (etcd: user name is empty)",
					     etcd_endpoint(e));
			}
			else if (!definite_refusal(code))
				rc = ETCD_EUNKNOWN;
			json_object_put(o);
			if (rc == ETCD_EUNKNOWN)
				e->cur = (e->cur + 1) % e->cfg.n_endpoints;
			if (rc != ETCD_EUNKNOWN || !idempotent)
				return rc;
		}
	}
	return rc;
}

static int authenticate(struct etcd *e)
{
	json_object *req = json_object_new_object(), *reply, *v;
	const char *tok;
	int rc;

	json_object_object_add(req, "name", json_object_new_string(e->cfg.user));
	json_object_object_add(req, "password", json_object_new_string(e->cfg.password));
	rc = request(e, "/v3/auth/authenticate",
		     json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN),
		     1, &reply);
	json_object_put(req);
	if (rc) {
		char why[sizeof(e->err)];

		snprintf(why, sizeof(why), "%s", e->err);
		if (rc == ETCD_EREFUSED || rc == ETCD_EAUTH)
			return fail(e, ETCD_EAUTH, "etcd refused user '%s': %s",
				    e->cfg.user, why);
		return rc;
	}
	if (!json_object_object_get_ex(reply, "token", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    !(tok = json_object_get_string(v)) || !*tok ||
	    strlen(tok) >= sizeof(e->token) || strpbrk(tok, "\r\n")) {
		json_object_put(reply);
		return fail(e, ETCD_EREPLY, "etcd %s: authenticate reply has no "
			    "valid token (is auth enabled?)", etcd_endpoint(e));
	}
	snprintf(e->token, sizeof(e->token), "%s", tok);
	json_object_put(reply);
	return ETCD_OK;
}

/* ---- reply fields -------------------------------------------------------- */

/* An int64 field (etcd writes them as strings); absent is 0. -1 if malformed. */
static int get_i64(json_object *o, const char *name, int64_t *out)
{
	json_object *v;
	const char *s;
	char *end;

	*out = 0;
	if (!json_object_object_get_ex(o, name, &v))
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	errno = 0;
	*out = strtoll(s, &end, 10);
	return (!*s || *end || errno) ? -1 : 0;
}

static int get_bool(json_object *o, const char *name)
{
	json_object *v;

	return json_object_object_get_ex(o, name, &v) &&
	       json_object_is_type(v, json_type_boolean) &&
	       json_object_get_boolean(v);
}

/* A base64 field decoded into b (grown as needed, NUL-terminated); absent:
 * "" (when optional). -1 if malformed. */
static int get_bytes_into(json_object *o, const char *name, int optional,
			  struct buf *b, size_t *len)
{
	json_object *v;
	const char *s = "";
	size_t n = 0;
	long d;

	*len = 0;
	if (!json_object_object_get_ex(o, name, &v)) {
		if (!optional)
			return -1;
	} else {
		if (!json_object_is_type(v, json_type_string))
			return -1;
		s = json_object_get_string(v);
		n = strlen(s);
	}
	if (n / 4 * 3 + 1 > b->cap) {
		char *p = realloc(b->p, n / 4 * 3 + 1);

		if (!p)
			return -1;
		b->p = p;
		b->cap = n / 4 * 3 + 1;
	}
	d = etcd_b64_decode(s, n, (unsigned char *)b->p);
	if (d < 0)
		return -1;
	b->p[d] = '\0';
	*len = (size_t)d;
	return 0;
}

/* A base64 field into a new NUL-terminated buffer; absent: "" (when
 * optional). -1 if malformed. */
static int get_bytes(json_object *o, const char *name, int optional,
		     char **out, size_t *len)
{
	struct buf b = { 0 };

	*out = NULL;
	if (get_bytes_into(o, name, optional, &b, len)) {
		free(b.p);
		return -1;
	}
	*out = b.p;
	return 0;
}

/* The revisions and lease of one KeyValue; -1 if it is malformed. */
static int parse_kv_numbers(json_object *o, struct etcd_kv *kv)
{
	return get_i64(o, "create_revision", &kv->create_revision) ||
	       get_i64(o, "mod_revision", &kv->mod_revision) ||
	       get_i64(o, "version", &kv->version) ||
	       get_i64(o, "lease", &kv->lease) ? -1 : 0;
}

/* Parses one KeyValue; frees with kv_free. */
static int parse_kv(json_object *o, struct etcd_kv *kv)
{
	char *k = NULL, *v = NULL;

	memset(kv, 0, sizeof(*kv));
	if (!json_object_is_type(o, json_type_object) ||
	    get_bytes(o, "key", 0, &k, &kv->key_len) ||
	    get_bytes(o, "value", 1, &v, &kv->value_len) ||
	    parse_kv_numbers(o, kv)) {
		free(k);
		free(v);
		return -1;
	}
	kv->key = k;
	kv->value = v;
	return 0;
}

/* Parses one KeyValue into the buffers kb and vb (a range's pages reuse
 * them from one key-value to the next, rather than two allocations each):
 * kv holds until the next call. */
static int parse_kv_into(json_object *o, struct etcd_kv *kv, struct buf *kb,
			 struct buf *vb)
{
	memset(kv, 0, sizeof(*kv));
	if (!json_object_is_type(o, json_type_object) ||
	    get_bytes_into(o, "key", 0, kb, &kv->key_len) ||
	    get_bytes_into(o, "value", 1, vb, &kv->value_len) ||
	    parse_kv_numbers(o, kv))
		return -1;
	kv->key = kb->p;
	kv->value = vb->p;
	return 0;
}

static void kv_free(struct etcd_kv *kv)
{
	free((char *)kv->key);
	free((char *)kv->value);
}

static int header_revision(json_object *reply, int64_t *rev)
{
	json_object *h;

	if (!json_object_object_get_ex(reply, "header", &h) ||
	    !json_object_is_type(h, json_type_object) ||
	    get_i64(h, "revision", rev) || *rev < 0)
		return -1;
	return 0;
}

static json_object *b64_string(const char *p, size_t len)
{
	char *s = malloc(len / 3 * 4 + 5);
	json_object *o;

	if (!s)
		return NULL;
	etcd_b64_encode(p, len, s);
	o = json_object_new_string(s);
	free(s);
	return o;
}

static json_object *i64_string(int64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRId64, v);
	return json_object_new_string(s);
}

size_t etcd_prefix_end(const char *key, size_t len, char *end)
{
	memcpy(end, key, len);
	while (len) {
		if ((unsigned char)end[len - 1] < 0xff) {
			end[len - 1]++;
			return len;
		}
		len--;
	}
	end[0] = '\0';  /* every key: "\0" */
	return 1;
}

/* Calls cb on each kv of the array kvs; *last: copy of the last key. */
static int walk_kvs(struct etcd *e, json_object *kvs, etcd_kv_cb cb, void *ctx,
		    int *stopped, char **last, size_t *last_len)
{
	struct buf kb = { 0 }, vb = { 0 };
	struct etcd_kv kv;
	size_t i, n;
	int r = 0, rc = ETCD_OK;

	if (!kvs)
		return ETCD_OK;
	if (!json_object_is_type(kvs, json_type_array))
		return fail(e, ETCD_EREPLY, "etcd %s: kvs is not an array",
			    etcd_endpoint(e));
	n = json_object_array_length(kvs);
	for (i = 0; i < n && !r; i++) {
		if (parse_kv_into(json_object_array_get_idx(kvs, i), &kv, &kb, &vb)) {
			rc = fail(e, ETCD_EREPLY, "etcd %s: a key-value in the "
				  "reply is malformed", etcd_endpoint(e));
			break;
		}
		r = cb ? cb(&kv, ctx) : 0;
	}
	/* the key of the last kv the callback saw */
	if (!rc && i && last) {
		free(*last);
		*last = malloc(kv.key_len + 1);
		if (!*last) {
			rc = fail(e, ETCD_EREPLY, "out of memory");
		} else {
			memcpy(*last, kv.key, kv.key_len + 1);
			*last_len = kv.key_len;
		}
	}
	if (r && stopped)
		*stopped = 1;
	free(kb.p);
	free(vb.p);
	return rc;
}

int etcd_range(struct etcd *e, const char *key, size_t klen, const char *end,
	       size_t elen, int64_t rev, etcd_kv_cb cb, void *ctx,
	       int64_t *revision)
{
	char *from = malloc(klen + 1), *last = NULL;
	size_t flen = klen, last_len = 0;
	int rc = ETCD_OK, stopped = 0;

	if (!from)
		return fail(e, ETCD_EREPLY, "out of memory");
	memcpy(from, key, klen);
	for (;;) {
		json_object *req = json_object_new_object(), *reply, *kvs = NULL;
		int64_t hrev;

		json_object_object_add(req, "key", b64_string(from, flen));
		if (end) {
			json_object_object_add(req, "range_end", b64_string(end, elen));
			json_object_object_add(req, "limit", i64_string(PAGE_LIMIT));
		}
		if (rev)
			json_object_object_add(req, "revision", i64_string(rev));
		rc = request(e, "/v3/kv/range",
			     json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN),
			     1, &reply);
		json_object_put(req);
		if (rc)
			break;
		if (header_revision(reply, &hrev)) {
			json_object_put(reply);
			rc = fail(e, ETCD_EREPLY, "etcd %s: range reply has no valid "
				  "header revision", etcd_endpoint(e));
			break;
		}
		if (!rev)
			rev = hrev;   /* later pages read the same revision */
		if (revision)
			*revision = rev;
		json_object_object_get_ex(reply, "kvs", &kvs);
		rc = walk_kvs(e, kvs, cb, ctx, &stopped, &last, &last_len);
		if (rc || stopped || !end || !get_bool(reply, "more") || !last) {
			json_object_put(reply);
			break;
		}
		json_object_put(reply);
		/* the next page starts just after the last key */
		free(from);
		from = malloc(last_len + 2);
		if (!from) {
			rc = fail(e, ETCD_EREPLY, "out of memory");
			break;
		}
		memcpy(from, last, last_len);
		from[last_len] = '\0';
		flen = last_len + 1;
	}
	free(from);
	free(last);
	return rc;
}

/* ---- transactions -------------------------------------------------------- */

struct etcd_txn *etcd_txn_new(void)
{
	struct etcd_txn *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->req = json_object_new_object();
	t->cmp = json_object_new_array();
	t->succ = json_object_new_array();
	t->fail = json_object_new_array();
	json_object_object_add(t->req, "compare", t->cmp);
	json_object_object_add(t->req, "success", t->succ);
	json_object_object_add(t->req, "failure", t->fail);
	return t;
}

void etcd_txn_free(struct etcd_txn *t)
{
	if (!t)
		return;
	json_object_put(t->req);
	free(t);
}

int etcd_txn_cmp_mod(struct etcd_txn *t, const char *key, size_t klen, int64_t rev)
{
	json_object *c = json_object_new_object();

	json_object_object_add(c, "key", b64_string(key, klen));
	json_object_object_add(c, "target", json_object_new_string("MOD"));
	json_object_object_add(c, "result", json_object_new_string("EQUAL"));
	json_object_object_add(c, "mod_revision", i64_string(rev));
	return json_object_array_add(t->cmp, c);
}

int etcd_txn_put(struct etcd_txn *t, const char *key, size_t klen,
		 const char *val, size_t vlen, int64_t lease)
{
	json_object *op = json_object_new_object(), *p = json_object_new_object();

	json_object_object_add(p, "key", b64_string(key, klen));
	json_object_object_add(p, "value", b64_string(val, vlen));
	if (lease)
		json_object_object_add(p, "lease", i64_string(lease));
	json_object_object_add(op, "request_put", p);
	t->ops++;
	return json_object_array_add(t->succ, op);
}

int etcd_txn_del(struct etcd_txn *t, const char *key, size_t klen)
{
	json_object *op = json_object_new_object(), *p = json_object_new_object();

	json_object_object_add(p, "key", b64_string(key, klen));
	json_object_object_add(op, "request_delete_range", p);
	t->ops++;
	return json_object_array_add(t->succ, op);
}

int etcd_txn_fail_get(struct etcd_txn *t, const char *key, size_t klen)
{
	json_object *op = json_object_new_object(), *p = json_object_new_object();

	json_object_object_add(p, "key", b64_string(key, klen));
	json_object_object_add(op, "request_range", p);
	return json_object_array_add(t->fail, op);
}

int etcd_get_at(struct etcd *e, char *const *keys, size_t n, int64_t rev,
		etcd_kv_cb cb, void *ctx)
{
	json_object *req = json_object_new_object(), *ops = json_object_new_array();
	json_object *reply, *resps;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		json_object *op = json_object_new_object(), *p = json_object_new_object();

		json_object_object_add(p, "key", b64_string(keys[i], strlen(keys[i])));
		json_object_object_add(p, "revision", i64_string(rev));
		json_object_object_add(op, "request_range", p);
		json_object_array_add(ops, op);
	}
	json_object_object_add(req, "success", ops);
	rc = request(e, "/v3/kv/txn",
		     json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN), 1, &reply);
	json_object_put(req);
	if (rc)
		return rc;
	if (!get_bool(reply, "succeeded") ||
	    !json_object_object_get_ex(reply, "responses", &resps) ||
	    !json_object_is_type(resps, json_type_array) ||
	    json_object_array_length(resps) != n) {
		json_object_put(reply);
		return fail(e, ETCD_EREPLY, "etcd %s: txn of %zu reads: malformed reply",
			    etcd_endpoint(e), n);
	}
	for (i = 0; i < n && !rc; i++) {
		json_object *r = json_object_array_get_idx(resps, i), *rr, *kvs = NULL;

		if (!json_object_object_get_ex(r, "response_range", &rr)) {
			rc = fail(e, ETCD_EREPLY, "etcd %s: txn of %zu reads: a reply is "
				  "not a range", etcd_endpoint(e), n);
			break;
		}
		json_object_object_get_ex(rr, "kvs", &kvs);
		rc = walk_kvs(e, kvs, cb, ctx, NULL, NULL, NULL);
	}
	json_object_put(reply);
	return rc;
}

size_t etcd_txn_ops(const struct etcd_txn *t)
{
	return t->ops;
}

int etcd_txn_commit(struct etcd *e, struct etcd_txn *t, int *succeeded,
		    int64_t *revision, etcd_kv_cb fail_cb, void *ctx)
{
	json_object *reply, *resps;
	int rc;

	*succeeded = 0;
	rc = request(e, "/v3/kv/txn",
		     json_object_to_json_string_ext(t->req, JSON_C_TO_STRING_PLAIN),
		     0, &reply);
	if (rc)
		return rc;
	if (e->sends > 1 && !get_bool(reply, "succeeded")) {
		json_object_put(reply);
		/* curl sent it again on a new connection: this is the answer
		 * to the second copy, whose compare the first may have broken */
		return fail(e, ETCD_EUNKNOWN, "etcd %s: txn sent %d times (a "
			    "connection lost under it), only the last one answered",
			    etcd_endpoint(e), e->sends);
	}
	if (header_revision(reply, revision)) {
		json_object_put(reply);
		/* it was received and answered: but what it says is unknown */
		return fail(e, ETCD_EUNKNOWN, "etcd %s: txn reply has no valid "
			    "header revision", etcd_endpoint(e));
	}
	*succeeded = get_bool(reply, "succeeded");
	if (!*succeeded && fail_cb && json_object_object_get_ex(reply, "responses", &resps) &&
	    json_object_is_type(resps, json_type_array)) {
		size_t i, n = json_object_array_length(resps);

		for (i = 0; i < n && !rc; i++) {
			json_object *r = json_object_array_get_idx(resps, i), *rr, *kvs = NULL;

			if (!json_object_object_get_ex(r, "response_range", &rr))
				continue;
			json_object_object_get_ex(rr, "kvs", &kvs);
			rc = walk_kvs(e, kvs, fail_cb, ctx, NULL, NULL, NULL);
		}
		if (rc)
			rc = ETCD_EUNKNOWN;
	}
	json_object_put(reply);
	return rc;
}

/* ---- watch --------------------------------------------------------------- */

struct watch_ctx {
	struct etcd *e;
	json_tokener *tok;
	etcd_watch_cb cb;
	void *ctx;
	const volatile int *stop;
	int rc;               /* set when a message ends the watch */
	int created, done;
	int64_t compact;
};

static int watch_message(struct watch_ctx *w, json_object *o)
{
	struct etcd *e = w->e;
	json_object *res, *evs = NULL;
	struct etcd_event *ev = NULL;
	int64_t hrev = 0;
	size_t i, n = 0;
	int r = 0;

	if (!json_object_object_get_ex(o, "result", &res)) {
		json_object *err;
		const char *msg = "";

		if (json_object_object_get_ex(o, "error", &err)) {
			json_object *m;

			if (json_object_object_get_ex(err, "message", &m))
				msg = json_object_get_string(m);
		}
		w->rc = fail(e, is_auth_error(0, msg) ? ETCD_EAUTH : ETCD_EUNKNOWN,
			     "etcd %s watch: %s", etcd_endpoint(e),
			     *msg ? msg : "a message without a result");
		return -1;
	}
	if (!json_object_is_type(res, json_type_object) || header_revision(res, &hrev)) {
		/* a cancel notice may come without a revision */
		if (!json_object_is_type(res, json_type_object) || !get_bool(res, "canceled")) {
			w->rc = fail(e, ETCD_EREPLY, "etcd %s watch: malformed result",
				     etcd_endpoint(e));
			return -1;
		}
	}
	if (get_bool(res, "canceled")) {
		json_object *why;

		if (get_i64(res, "compact_revision", &w->compact) == 0 && w->compact > 0) {
			w->rc = fail(e, ETCD_ECOMPACTED, "etcd %s watch: revision "
				     "compacted (now from %" PRId64 ")",
				     etcd_endpoint(e), w->compact);
			return -1;
		}
		w->rc = fail(e, ETCD_EUNKNOWN, "etcd %s watch canceled: %s",
			     etcd_endpoint(e),
			     json_object_object_get_ex(res, "cancel_reason", &why) ?
			     json_object_get_string(why) : "no reason given");
		if (is_auth_error(0, e->err))
			w->rc = ETCD_EAUTH;
		return -1;
	}
	if (get_bool(res, "created"))
		w->created = 1;
	json_object_object_get_ex(res, "events", &evs);
	if (evs) {
		if (!json_object_is_type(evs, json_type_array)) {
			w->rc = fail(e, ETCD_EREPLY, "etcd %s watch: events is not "
				     "an array", etcd_endpoint(e));
			return -1;
		}
		n = json_object_array_length(evs);
		ev = calloc(n ? n : 1, sizeof(*ev));
		if (!ev) {
			w->rc = fail(e, ETCD_EREPLY, "out of memory");
			return -1;
		}
	}
	for (i = 0; i < n; i++) {
		json_object *eo = json_object_array_get_idx(evs, i), *kv, *type;

		if (!json_object_is_type(eo, json_type_object) ||
		    !json_object_object_get_ex(eo, "kv", &kv) ||
		    parse_kv(kv, &ev[i].kv)) {
			r = -1;
			break;
		}
		if (json_object_object_get_ex(eo, "type", &type)) {
			const char *t = json_object_get_string(type);

			if (!strcmp(t, "DELETE"))
				ev[i].deleted = 1;
			else if (strcmp(t, "PUT")) {
				kv_free(&ev[i].kv);
				r = -1;
				break;
			}
		}
	}
	if (r) {
		w->rc = fail(e, ETCD_EREPLY, "etcd %s watch: an event is malformed",
			     etcd_endpoint(e));
	} else if (w->cb(ev, n, hrev, w->ctx)) {
		w->rc = ETCD_OK;
		r = -1;
	}
	while (i--)
		kv_free(&ev[i].kv);
	free(ev);
	return r;
}

static size_t on_watch(char *data, size_t size, size_t n, void *ctx)
{
	struct watch_ctx *w = ctx;
	size_t len = size * n, off = 0;

	while (off < len) {
		json_object *o = json_tokener_parse_ex(w->tok, data + off, (int)(len - off));
		enum json_tokener_error je = json_tokener_get_error(w->tok);
		size_t used = json_tokener_get_parse_end(w->tok);

		if (!o) {
			if (je == json_tokener_continue)
				return len;
			w->rc = fail(w->e, ETCD_EREPLY, "etcd %s watch: the stream is "
				     "not JSON: %s", etcd_endpoint(w->e),
				     json_tokener_error_desc(je));
			w->done = 1;
			return 0;
		}
		off += used ? used : len - off;
		if (watch_message(w, o)) {
			json_object_put(o);
			w->done = 1;
			return 0;
		}
		json_object_put(o);
		/* skip the newlines between messages */
		while (off < len && (data[off] == '\n' || data[off] == '\r' ||
				     data[off] == ' '))
			off++;
		json_tokener_reset(w->tok);
	}
	return len;
}

static int on_progress(void *ctx, curl_off_t a, curl_off_t b, curl_off_t c,
		       curl_off_t d)
{
	struct watch_ctx *w = ctx;

	(void)a; (void)b; (void)c; (void)d;
	return w->stop && *w->stop;
}

int etcd_watch(struct etcd *e, const char *key, size_t klen, const char *end,
	       size_t elen, int64_t start_rev, etcd_watch_cb cb, void *ctx,
	       const volatile int *stop, int64_t *compact_revision)
{
	json_object *req = json_object_new_object(), *cr = json_object_new_object();
	char *body;
	int tries, reauth = 0, rc = ETCD_ECONN;

	json_object_object_add(cr, "key", b64_string(key, klen));
	if (end)
		json_object_object_add(cr, "range_end", b64_string(end, elen));
	if (start_rev)
		json_object_object_add(cr, "start_revision", i64_string(start_rev));
	json_object_object_add(cr, "progress_notify", json_object_new_boolean(1));
	json_object_object_add(req, "create_request", cr);
	body = strdup(json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN));
	json_object_put(req);
	if (!body)
		return fail(e, ETCD_EREPLY, "out of memory");
	if (e->cfg.user && !e->token[0] && (rc = authenticate(e))) {
		free(body);
		return rc;
	}
	for (tries = 0; tries < e->cfg.n_endpoints; tries++) {
		struct watch_ctx w = { .e = e, .cb = cb, .ctx = ctx, .stop = stop,
				       .rc = ETCD_EUNKNOWN };
		struct curl_slist *h = setup(e, "/v3/watch");
		long status;
		CURLcode c;

		w.tok = json_tokener_new();
		curl_easy_setopt(e->curl, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(e->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(e->curl, CURLOPT_XFERINFODATA, &w);
		c = perform(e, "/v3/watch", body, on_watch, &w, &status);
		curl_slist_free_all(h);
		json_tokener_free(w.tok);
		if (stop && *stop) {
			/* a watch etcd never took may be one it ignores for its
			 * token (the gateway says nothing of a bad one on a watch):
			 * the next one authenticates anew */
			if (!w.created && e->cfg.user)
				e->token[0] = '\0';
			rc = fail(e, ETCD_ESTOPPED, "watch stopped");
			break;
		}
		if (w.done) {
			rc = w.rc;
			if (rc == ETCD_EAUTH && e->cfg.user && !reauth &&
			    strstr(e->err, "invalid auth token")) {
				/* etcd restarted (its simple tokens are in memory) or
				 * the token expired: a new one, once */
				e->token[0] = '\0';
				reauth = 1;
				rc = authenticate(e);
				if (rc)
					break;
				tries--;
				continue;
			}
			if (rc == ETCD_ECOMPACTED && compact_revision)
				*compact_revision = w.compact;
			break;
		}
		if (c != CURLE_OK && !w.done &&
		    (tls_failure(c, e->cerr) || tls_probe_refused(e, c))) {
			rc = tls_fail(e, "/v3/watch", c);
			e->cur = (e->cur + 1) % e->cfg.n_endpoints;
			continue;
		}
		if (c != CURLE_OK && !e->sends) {
			rc = fail(e, ETCD_ECONN, "etcd %s/v3/watch: %s",
				  etcd_endpoint(e), curl_easy_strerror(c));
			e->cur = (e->cur + 1) % e->cfg.n_endpoints;
			continue;
		}
		rc = fail(e, ETCD_EUNKNOWN, "etcd %s/v3/watch ended: %s",
			  etcd_endpoint(e), c != CURLE_OK ? curl_easy_strerror(c) :
			  "the server closed the stream");
		/* next time, another member */
		e->cur = (e->cur + 1) % e->cfg.n_endpoints;
		break;
	}
	free(body);
	return rc;
}

/* ---- leases -------------------------------------------------------------- */

static int lease_call(struct etcd *e, const char *path, int64_t id, int64_t ttl,
		      json_object **reply)
{
	json_object *req = json_object_new_object();
	int rc;

	if (id)
		json_object_object_add(req, "ID", i64_string(id));
	if (ttl)
		json_object_object_add(req, "TTL", i64_string(ttl));
	rc = request(e, path, json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN),
		     1, reply);
	json_object_put(req);
	return rc;
}

int etcd_lease_grant(struct etcd *e, int64_t ttl, int64_t *id)
{
	json_object *reply;
	int rc = lease_call(e, "/v3/lease/grant", 0, ttl, &reply);

	if (rc)
		return rc;
	if (get_i64(reply, "ID", id) || *id == 0)
		rc = fail(e, ETCD_EREPLY, "etcd %s: lease grant reply has no ID",
			  etcd_endpoint(e));
	json_object_put(reply);
	return rc;
}

int etcd_lease_keepalive(struct etcd *e, int64_t id, int64_t *ttl)
{
	json_object *reply, *res;
	int rc = lease_call(e, "/v3/lease/keepalive", id, 0, &reply);

	if (rc)
		return rc;
	/* a stream of one message: {"result":{"ID":..,"TTL":..}} */
	*ttl = 0;
	if (!json_object_object_get_ex(reply, "result", &res) ||
	    !json_object_is_type(res, json_type_object) || get_i64(res, "TTL", ttl))
		rc = fail(e, ETCD_EREPLY, "etcd %s: lease keepalive reply is "
			  "malformed", etcd_endpoint(e));
	json_object_put(reply);
	return rc;
}

int etcd_lease_revoke(struct etcd *e, int64_t id)
{
	json_object *reply;
	int rc = lease_call(e, "/v3/lease/revoke", id, 0, &reply);

	if (!rc)
		json_object_put(reply);
	return rc;
}
