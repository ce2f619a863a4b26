/*
 * register.c: HTTP requests to the dashboard and the IP service through
 * libcurl, with timeouts and retries on transient errors.  The only file
 * that includes curl/curl.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "err.h"
#include "log.h"
#include "register.h"
#include "register_parse.h"

#define REG_MAX_BODY	(64 * 1024)	/* bytes of an answer we read */
#define REG_MAX_DELAY	60000		/* ms between two attempts, at most */
#define REG_URL_ECHO	160		/* bytes of a URL in a message */

struct reg_body {
	char	*buf;
	size_t	 len;
	int	 overflow;
};

/* The outcome of one attempt. */
enum reg_result {
	REG_OK,			/* 2xx with a body */
	REG_TRANSIENT,		/* may work if tried again */
	REG_PERMANENT,		/* will not work if tried again */
};

/* libcurl wants its global set-up before any thread or handle exists. */
int
register_init(struct vx_err *err)
{
	CURLcode rc;

	if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to initialise libcurl: "
		    "%s", curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

/* Undo register_init(), so leak checkers see a clean exit. */
void
register_cleanup(void)
{
	curl_global_cleanup();
}

/* RFC 6750 b64token: 1*( ALPHA / DIGIT / "-._~+/" ) *"=". */
int
register_token_ok(const char *t)
{
	size_t i = 0;
	char c;

	for (; (c = t[i]) != '\0'; i++) {
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~' || c == '+' || c == '/'))
			break;
	}
	if (i == 0)
		return 0;
	while (t[i] == '=')
		i++;
	return i <= 4096 && t[i] == '\0';
}

static size_t
reg_write(char *p, size_t size, size_t n, void *arg)
{
	struct reg_body *b = arg;
	size_t len = size * n;
	char *nb;

	if (b->len + len > REG_MAX_BODY) {
		b->overflow = 1;
		return 0;	/* CURLE_WRITE_ERROR ends the transfer */
	}
	if ((nb = realloc(b->buf, b->len + len + 1)) == NULL)
		return 0;
	b->buf = nb;
	memcpy(b->buf + b->len, p, len);
	b->len += len;
	b->buf[b->len] = '\0';
	return len;
}

/* A URL for a message: escaped, without its query, bounded. */
static void
reg_url_echo(const char *url, char *out, size_t outsz)
{
	size_t n = strcspn(url, "?#");

	log_escape(out, outsz, url, n > REG_URL_ECHO ? REG_URL_ECHO : n);
}

/* Errors a retry may cure: the network, the far end's load, time. */
static int
reg_transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return 1;
	default:
		return 0;
	}
}

static int
reg_tls(CURLcode rc)
{
	switch (rc) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_USE_SSL_FAILED:
		return 1;
	default:
		return 0;
	}
}

/*
 * One attempt: GET url, or POST json with auth (a whole header line).
 * Fills *status and body; err says what went wrong.
 */
static enum reg_result
reg_attempt(const char *url, const char *auth, const char *json,
    const struct register_opts *o, long *status, struct reg_body *body,
    struct vx_err *err)
{
	char errbuf[CURL_ERROR_SIZE], echo[REG_URL_ECHO * 4 + 8];
	char why[CURL_ERROR_SIZE * 4 + 8];
	struct curl_slist *h = NULL, *nh;
	enum reg_result res = REG_PERMANENT;
	CURLcode rc;
	CURL *c;

	*status = 0;
	free(body->buf);
	memset(body, 0, sizeof(*body));
	errbuf[0] = '\0';
	reg_url_echo(url, echo, sizeof(echo));
	if ((c = curl_easy_init()) == NULL) {
		vx_err_set(err, VX_EXIT_FAIL, "unable to start libcurl");
		return REG_PERMANENT;
	}
	if ((nh = curl_slist_append(h, "Accept: application/json")) == NULL)
		goto nomem;
	h = nh;
	if (json != NULL) {
		if ((nh = curl_slist_append(h,
		    "Content-Type: application/json")) == NULL)
			goto nomem;
		h = nh;
		if ((nh = curl_slist_append(h, auth)) == NULL)
			goto nomem;
		h = nh;
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)strlen(json));
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)o->timeout_s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)o->timeout_s);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "vectis-sync/" VECTIS_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, reg_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	log_escape(why, sizeof(why), errbuf[0] ? errbuf :
	    curl_easy_strerror(rc), strlen(errbuf[0] ? errbuf :
	    curl_easy_strerror(rc)));
	if (rc == CURLE_OK && *status >= 200 && *status < 300)
		res = REG_OK;
	else if (rc == CURLE_OK) {
		/* The caller words HTTP errors; only 5xx are worth a retry. */
		res = *status >= 500 ? REG_TRANSIENT : REG_PERMANENT;
	} else if (body->overflow) {
		vx_err_set(err, VX_EXIT_FAIL, "%s: answer larger than %d KiB",
		    echo, REG_MAX_BODY / 1024);
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		vx_err_set(err, VX_EXIT_FAIL, "%s: timed out after %u s (%s)",
		    echo, o->timeout_s, why);
		res = REG_TRANSIENT;
	} else if (reg_tls(rc)) {
		vx_err_set(err, VX_EXIT_FAIL, "%s: TLS error: %s", echo, why);
	} else {
		vx_err_set(err, VX_EXIT_FAIL, "%s: %s: %s", echo,
		    rc == CURLE_COULDNT_CONNECT ||
		    rc == CURLE_COULDNT_RESOLVE_HOST ||
		    rc == CURLE_COULDNT_RESOLVE_PROXY ? "unable to connect" :
		    "request failed", why);
		if (reg_transient(rc))
			res = REG_TRANSIENT;
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return res;
nomem:
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	vx_err_set(err, VX_EXIT_FAIL, "%s", strerror(ENOMEM));
	return REG_PERMANENT;
}

static void
reg_sleep_ms(unsigned int ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * Attempts until one is not transient or the retries are used up, waiting
 * retry_delay_ms, then twice as long, and so on.  Returns 0 for a 2xx; -1
 * with err for anything else (HTTP errors quote the dashboard's words).
 */
static int
reg_request(const char *url, const char *auth, const char *json,
    const struct register_opts *o, struct reg_body *body, struct vx_err *err)
{
	char echo[REG_URL_ECHO * 4 + 8], said[1024];
	enum reg_result res;
	unsigned int attempt, delay = o->retry_delay_ms;
	long status = 0;
	size_t n;

	reg_url_echo(url, echo, sizeof(echo));
	for (attempt = 0;; attempt++) {
		res = reg_attempt(url, auth, json, o, &status, body, err);
		if (res == REG_OK)
			return 0;
		if (status >= 300 && body->overflow == 0) {
			register_parse_error(body->buf ? body->buf : "",
			    body->len, said, sizeof(said));
			vx_err_set(err, VX_EXIT_FAIL, "%s: HTTP %ld%s%s", echo,
			    status, said[0] ? ": " : "", said);
		}
		if (res != REG_TRANSIENT || attempt >= o->retries)
			break;
		reg_sleep_ms(delay);
		delay = delay > REG_MAX_DELAY / 2 ? REG_MAX_DELAY : delay * 2;
	}
	if (attempt > 0 && (n = strlen(err->msg)) + 40 < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n,
		    " (%u attempts)", attempt + 1);
	return -1;
}

/* Each sync asks an outside service which address the node is seen from. */
int
register_detect_ip(const char *url, const struct register_opts *o, char *ip,
    size_t ipsz, struct vx_err *err)
{
	char echo[REG_URL_ECHO * 4 + 8], said[1024];
	struct reg_body body = { NULL, 0, 0 };

	if (reg_request(url, NULL, NULL, o, &body, err) == -1) {
		free(body.buf);
		snprintf(said, sizeof(said), "%s", err->msg);
		vx_err_set(err, VX_EXIT_FAIL, "unable to detect the public "
		    "IP: %s", said);
		return -1;
	}
	if (register_parse_ip(body.buf ? body.buf : "", body.len, ip,
	    ipsz) == -1) {
		reg_url_echo(url, echo, sizeof(echo));
		register_parse_error(body.buf ? body.buf : "", body.len, said,
		    sizeof(said));
		vx_err_set(err, VX_EXIT_FAIL, "unable to detect the public "
		    "IP: %s answered '%s', not an IP address", echo, said);
		free(body.buf);
		return -1;
	}
	free(body.buf);
	return 0;
}

/* The registration itself (SPEC 9). */
int
register_post(const char *url, const char *token, const char *ip,
    const char *secret, const struct register_opts *o,
    struct register_answer *ans, struct vx_err *err)
{
	struct reg_body body = { NULL, 0, 0 };
	char *json, *auth;
	size_t alen;
	json_t *req;
	int rc;

	if (!register_token_ok(token)) {
		vx_err_set(err, VX_EXIT_FAIL, "VECTIS_TOKEN is not a valid "
		    "bearer token (RFC 6750 characters only)");
		return -1;
	}
	if ((req = json_pack("{s:s, s:s}", "ip", ip, "secret",
	    secret)) == NULL) {
		vx_err_set(err, VX_EXIT_FAIL, "%s", strerror(ENOMEM));
		return -1;
	}
	json = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	alen = sizeof("Authorization: Bearer ") + strlen(token);
	if (json == NULL || (auth = malloc(alen)) == NULL) {
		free(json);
		vx_err_set(err, VX_EXIT_FAIL, "%s", strerror(ENOMEM));
		return -1;
	}
	snprintf(auth, alen, "Authorization: Bearer %s", token);
	rc = reg_request(url, auth, json, o, &body, err);
	explicit_bzero(auth, alen);
	explicit_bzero(json, strlen(json));
	free(auth);
	free(json);
	if (rc == 0 && register_parse_answer(body.buf ? body.buf : "",
	    body.len, ip, ans, err) == -1)
		rc = -1;
	free(body.buf);
	return rc;
}
