/* probe.c: the probing engine on a libcurl multi handle. */
#include "probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "checks.h"
#include "redirect.h"
#include "result.h"
#include "tls.h"
#include "timeutil.h"
#include "util.h"
#include "uuid7.h"

/* A body buffer larger than this is released after its probe. */
#define BODY_KEEP (64 * 1024)
/* Most response header bytes kept for headers_expect. */
#define HEADERS_MAX (1024 * 1024)

struct probe {
	CURL *easy;
	struct prober *p;
	const struct site *site;	/* not owned */
	void *udata;
	int64_t ts_us;
	char id[UUID_STRLEN];
	size_t bytes;		/* decoded body bytes received */
	int too_large;
	struct redirect_state redir;
	struct buf body;	/* kept only when a check reads the body */
	struct buf hdrs;	/* final response's header block, for headers_expect */
	int keep_body;
	CURLSH *share;		/* a private DNS cache for a site's "resolve" */
	struct tls_seen tls;
	char errbuf[CURL_ERROR_SIZE];
	struct probe *prev, *next;	/* in flight list, or free list (next) */
};

struct prober {
	CURLM *multi;
	struct probe_opts o;
	char *cacert, *probe_name;	/* owned copies */
	char useragent[64];
	struct probe *live;	/* in flight */
	struct probe *spare;	/* finished, easy handles kept for reuse */
	size_t inflight;
	struct buf line;
};

static size_t
on_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct probe *pr = arg;
	size_t n = size * nmemb;

	if (n > pr->p->o.max_body - pr->bytes) {
		pr->bytes += n;
		pr->too_large = 1;
		return 0;	/* CURLE_WRITE_ERROR ends the transfer */
	}
	pr->bytes += n;
	if (pr->keep_body)
		buf_append(&pr->body, ptr, n);
	return n;
}

/* Header lines of each response; a status line starts a new block. */
static size_t
on_header(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct probe *pr = arg;
	size_t n = size * nmemb;

	if (n >= 5 && memcmp(ptr, "HTTP/", 5) == 0)
		buf_reset(&pr->hdrs);
	else if (pr->hdrs.len + n <= HEADERS_MAX)
		buf_append(&pr->hdrs, ptr, n);
	return n;
}

/* Before each request: the redirect rules of webmon(7). */
static int
on_prereq(void *arg, char *ip, char *local_ip, int port, int local_port)
{
	struct probe *pr = arg;

	return redirect_check(&pr->redir, pr->easy, pr->site, ip,
	    pr->p->o.allow_private_redirects);
}

struct prober *
prober_new(const struct probe_opts *opts, char *errstr, size_t errsize)
{
	struct prober *p;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(errstr, errsize, "libcurl initialisation failed");
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->o = *opts;
	if (opts->cacert)
		p->cacert = xstrdup(opts->cacert);
	p->probe_name = xstrdup(opts->probe_name ? opts->probe_name : "");
	p->o.cacert = p->cacert;
	p->o.probe_name = p->probe_name;
	if (p->o.max_body == 0)
		p->o.max_body = 4 << 20;
	snprintf(p->useragent, sizeof(p->useragent), "wm-probe/%s",
	    WEBMON_VERSION);
	p->multi = curl_multi_init();
	if (p->multi == NULL) {
		snprintf(errstr, errsize, "libcurl multi handle: out of memory");
		free(p->cacert);
		free(p->probe_name);
		free(p);
		curl_global_cleanup();
		return NULL;
	}
	return p;
}

/* Set every option of one probe; returns the first failure or CURLE_OK. */
static CURLcode
setup(struct prober *p, struct probe *pr)
{
	const struct site *s = pr->site;
	CURL *e = pr->easy;
	CURLcode rc = CURLE_OK;

#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(e, opt, val); } while (0)
	SET(CURLOPT_URL, s->fetch_url ? s->fetch_url : s->url);
	SET(CURLOPT_PRIVATE, pr);
	SET(CURLOPT_ERRORBUFFER, pr->errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	/*
	 * libcurl's threaded resolver joins a lookup thread that is still
	 * running when a probe ends (timeout, abort, cleanup), and the join
	 * blocks every other probe until the resolver gives up (resolv.conf
	 * timeout x attempts). With QUICK_EXIT the thread is detached and
	 * frees its own data when getaddrinfo() returns: a dead DNS server
	 * costs one parked thread per timed-out lookup, never the loop.
	 */
	SET(CURLOPT_QUICK_EXIT, 1L);
	SET(CURLOPT_WRITEFUNCTION, on_write);
	SET(CURLOPT_WRITEDATA, pr);
	SET(CURLOPT_TIMEOUT_MS, (long)(s->timeout_s * 1000 + 0.5) > 0 ?
	    (long)(s->timeout_s * 1000 + 0.5) : 1L);
	SET(CURLOPT_FOLLOWLOCATION, s->follow ? 1L : 0L);
	if (s->follow) {
		SET(CURLOPT_PREREQFUNCTION, on_prereq);
		SET(CURLOPT_PREREQDATA, pr);
	}
	SET(CURLOPT_MAXREDIRS, 10L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_ACCEPT_ENCODING, "");
	/* Every probe measures its own connection, lookup and handshake. */
	SET(CURLOPT_FRESH_CONNECT, 1L);
	SET(CURLOPT_FORBID_REUSE, 1L);
	SET(CURLOPT_DNS_CACHE_TIMEOUT, 0L);
	SET(CURLOPT_SSL_SESSIONID_CACHE, 0L);
	if (rc == CURLE_OK && (rc = tls_watch(e, &pr->tls)) == CURLE_NOT_BUILT_IN)
		rc = CURLE_OK;
	SET(CURLOPT_IPRESOLVE, s->ipresolve >= 0 ? s->ipresolve : p->o.ipresolve);
	SET(CURLOPT_USERAGENT, p->useragent);
	if (s->cacert || p->o.cacert)
		SET(CURLOPT_CAINFO, s->cacert ? s->cacert : p->o.cacert);
	if (s->insecure > 0 || (s->insecure < 0 && p->o.insecure)) {
		SET(CURLOPT_SSL_VERIFYPEER, 0L);
		SET(CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (s->cert) {
		SET(CURLOPT_SSLCERT, s->cert);
		SET(CURLOPT_SSLKEY, s->key);
	}
	if (s->tls_min)
		SET(CURLOPT_SSLVERSION, s->tls_min);
	/* "2" on http:// is h2c with prior knowledge; on https://, ALPN. */
	if (s->http_version == CURL_HTTP_VERSION_2TLS &&
	    strncmp(s->origin, "http:", 5) == 0)
		SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
	else if (s->http_version)
		SET(CURLOPT_HTTP_VERSION, s->http_version);
	if (s->resolve) {
		SET(CURLOPT_RESOLVE, s->resolve);
		SET(CURLOPT_SHARE, pr->share);
	}
	if (s->user) {
		SET(CURLOPT_USERPWD, s->user);
		SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	}
	if (s->nhexpect) {
		SET(CURLOPT_HEADERFUNCTION, on_header);
		SET(CURLOPT_HEADERDATA, pr);
	}
	if (s->proxy)
		SET(CURLOPT_PROXY, s->proxy);
	if (s->headers)
		SET(CURLOPT_HTTPHEADER, s->headers);
	if (strcmp(s->method, "HEAD") == 0)
		SET(CURLOPT_NOBODY, 1L);
	else if (strcmp(s->method, "POST") == 0 || s->body != NULL) {
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)s->body_len);
		SET(CURLOPT_POSTFIELDS, s->body ? s->body : "");
		/* POST keeps libcurl's redirect rules (303 turns into GET). */
		if (strcmp(s->method, "POST") != 0)
			SET(CURLOPT_CUSTOMREQUEST, s->method);
	} else if (strcmp(s->method, "GET") != 0)
		SET(CURLOPT_CUSTOMREQUEST, s->method);
#undef SET
	return rc;
}

int
prober_start(struct prober *p, const struct site *site, void *udata,
    char *errstr, size_t errsize)
{
	struct probe *pr;
	CURLcode rc;
	CURLMcode mc;

	if ((pr = p->spare) != NULL) {
		p->spare = pr->next;
		curl_easy_reset(pr->easy);
	} else {
		pr = xcalloc(1, sizeof(*pr));
		pr->p = p;
		pr->easy = curl_easy_init();
		if (pr->easy == NULL) {
			free(pr);
			snprintf(errstr, errsize, "libcurl easy handle: out of memory");
			return -1;
		}
	}
	pr->site = site;
	pr->udata = udata;
	pr->bytes = 0;
	pr->too_large = 0;
	redirect_reset(&pr->redir);
	pr->errbuf[0] = '\0';
	pr->keep_body = site->regex || site->not_regex || site->njson;
	tls_seen_reset(&pr->tls);
	buf_reset(&pr->body);
	buf_reset(&pr->hdrs);
	if (site->resolve) {
		/*
		 * Entries of CURLOPT_RESOLVE go into the DNS cache the handle
		 * uses, which is the multi handle's: a cache of its own keeps
		 * them from other sites of the same name.
		 */
		if ((pr->share = curl_share_init()) == NULL ||
		    curl_share_setopt(pr->share, CURLSHOPT_SHARE,
		    CURL_LOCK_DATA_DNS) != CURLSHE_OK) {
			snprintf(errstr, errsize, "'%s': libcurl share: out of "
			    "memory", site->url);
			goto fail;
		}
	}
	rc = setup(p, pr);
	if (rc != CURLE_OK) {
		snprintf(errstr, errsize, "'%s': %s", site->url,
		    curl_easy_strerror(rc));
		goto fail;
	}
	pr->ts_us = now_us();
	uuid7_make(pr->id, pr->ts_us / 1000);
	mc = curl_multi_add_handle(p->multi, pr->easy);
	if (mc != CURLM_OK) {
		snprintf(errstr, errsize, "'%s': %s", site->url,
		    curl_multi_strerror(mc));
		goto fail;
	}
	pr->prev = NULL;
	pr->next = p->live;
	if (p->live)
		p->live->prev = pr;
	p->live = pr;
	p->inflight++;
	return 0;
fail:
	if (pr->share) {
		curl_share_cleanup(pr->share);
		pr->share = NULL;
	}
	pr->next = p->spare;
	p->spare = pr;
	return -1;
}

size_t
prober_inflight(const struct prober *p)
{
	return p->inflight;
}

/* Take pr off the multi handle and the live list and keep it for reuse. */
static void
retire(struct prober *p, struct probe *pr)
{
	curl_multi_remove_handle(p->multi, pr->easy);
	if (pr->prev)
		pr->prev->next = pr->next;
	else
		p->live = pr->next;
	if (pr->next)
		pr->next->prev = pr->prev;
	p->inflight--;
	if (pr->share) {
		curl_easy_setopt(pr->easy, CURLOPT_SHARE, NULL);
		curl_share_cleanup(pr->share);
		pr->share = NULL;
	}
	if (pr->body.cap > BODY_KEEP)
		buf_free(&pr->body);
	if (pr->hdrs.cap > BODY_KEEP)
		buf_free(&pr->hdrs);
	pr->site = NULL;
	pr->udata = NULL;
	pr->prev = NULL;
	pr->next = p->spare;
	p->spare = pr;
}

static const char *
error_class(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return "dns";
	case CURLE_COULDNT_CONNECT:
		return "connect";
	case CURLE_OPERATION_TIMEDOUT:
		return "timeout";
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_USE_SSL_FAILED:
		return "tls";
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_TOO_MANY_REDIRECTS:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_HTTP3:
	case CURLE_BAD_CONTENT_ENCODING:
	case CURLE_RANGE_ERROR:
	case CURLE_URL_MALFORMAT:
		return "protocol";
	case CURLE_FILESIZE_EXCEEDED:
		return "too_large";
	default:
		/* Connection reset or closed early (short body), send errors... */
		return "other";
	}
}

/* Phase length in ms from two libcurl timers (µs since start); -1 for null. */
static double
phase(curl_off_t end, curl_off_t start)
{
	if (end <= 0 || start < 0 || end < start)
		return -1;
	return (double)(end - start) / 1000.0;
}

static const char *
http_version_name(long v)
{
	switch (v) {
	case CURL_HTTP_VERSION_1_0:
		return "1.0";
	case CURL_HTTP_VERSION_1_1:
		return "1.1";
	case CURL_HTTP_VERSION_2_0:
		return "2";
	case CURL_HTTP_VERSION_3:
		return "3";
	default:
		return NULL;
	}
}

/* The transport outcome: error class and detail, or nothing for CURLE_OK. */
static void
transport_error(struct prober *p, struct probe *pr, CURLcode rc,
    struct result *r, curl_off_t nl, curl_off_t ct, char *detail,
    size_t dsize)
{
	time_t now = time(NULL);
	long days;

	if (pr->too_large) {
		r->error = "too_large";
		snprintf(detail, dsize, "body larger than %zu bytes",
		    p->o.max_body);
	} else if (rc == CURLE_ABORTED_BY_CALLBACK && pr->redir.refused[0] != '\0') {
		r->error = "protocol";
		snprintf(detail, dsize, "%s", pr->redir.refused);
	} else if (rc == CURLE_OPERATION_TIMEDOUT && nl <= 0 && ct <= 0 &&
	    (r->ip == NULL || *r->ip == '\0')) {
		/* The timeout hit while the name was still being looked up. */
		r->error = "dns";
		snprintf(detail, dsize, "DNS lookup timed out after %.0f ms",
		    r->time_ms);
	} else if (rc == CURLE_OUT_OF_MEMORY && r->status > 0 &&
	    pr->bytes == 0) {
		/* libcurl refuses a header over CURL_MAX_HTTP_HEADER this way. */
		r->error = "protocol";
		snprintf(detail, dsize, "header too large: a response header "
		    "over %d bytes", CURL_MAX_HTTP_HEADER);
	} else if (rc != CURLE_OK) {
		r->error = error_class(rc);
		if (strcmp(r->error, "tls") == 0 &&
		    pr->tls.expiry != (time_t)-1 && pr->tls.expiry < now) {
			days = (long)((now - pr->tls.expiry) / 86400);
			snprintf(detail, dsize, "certificate expired %ld day%s "
			    "ago: %s", days, days == 1 ? "" : "s",
			    pr->errbuf[0] ? pr->errbuf : curl_easy_strerror(rc));
		} else
			snprintf(detail, dsize, "%s",
			    pr->errbuf[0] ? pr->errbuf : curl_easy_strerror(rc));
	} else
		return;
	r->detail = detail;
}

/* Build the result line of a finished probe into p->line. */
static int
finish(struct prober *p, struct probe *pr, CURLcode rc)
{
	const struct site *s = pr->site;
	CURL *e = pr->easy;
	struct result r;
	curl_off_t nl = 0, ct = 0, ac = 0, pt = 0, st = 0, tt = 0;
	long status = 0, hv = 0;
	char *ip = NULL, *scheme = NULL, detail[CURL_ERROR_SIZE + 512];
	char expiry[32];

	memset(&r, 0, sizeof(r));
	memcpy(r.id, pr->id, sizeof(r.id));
	r.ts_us = pr->ts_us;
	r.url = s->url;
	r.name = s->name;
	r.method = s->method;
	r.regex = s->regex_src;
	r.match = -1;
	r.probe = p->o.probe_name;
	r.tags_json = s->tags_json;
	r.bytes = (int64_t)pr->bytes;

	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	r.status = status > 0 ? status : -1;
	curl_easy_getinfo(e, CURLINFO_NAMELOOKUP_TIME_T, &nl);
	curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &ct);
	curl_easy_getinfo(e, CURLINFO_APPCONNECT_TIME_T, &ac);
	curl_easy_getinfo(e, CURLINFO_PRETRANSFER_TIME_T, &pt);
	curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME_T, &st);
	curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &tt);
	r.time_ms = (double)tt / 1000.0;
	r.dns_ms = phase(nl, 0);
	r.connect_ms = nl > 0 ? phase(ct, nl) : -1;
	r.tls_ms = ct > 0 ? phase(ac, ct) : -1;
	r.wait_ms = pt > 0 ? phase(st, pt) : -1;
	r.transfer_ms = st > 0 ? phase(tt, st) : -1;
	curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &ip);
	r.ip = ip;
	if (status > 0 && curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &hv) ==
	    CURLE_OK)
		r.http_version = http_version_name(hv);
	/* A redirect from https to http ends on plain http: no TLS to report. */
	if (curl_easy_getinfo(e, CURLINFO_SCHEME, &scheme) == CURLE_OK &&
	    scheme != NULL && strcasecmp(scheme, "http") == 0)
		tls_seen_reset(&pr->tls);
	r.tls_version = pr->tls.version;
	if (pr->tls.expiry != (time_t)-1) {
		fmt_rfc3339(expiry, sizeof(expiry), pr->tls.expiry);
		r.cert_expiry = expiry;
	}

	transport_error(p, pr, rc, &r, nl, ct, detail, sizeof(detail));
	if (rc == CURLE_OK && !pr->too_large)
		checks_run(s, status, &pr->body, &pr->hdrs, &r, detail,
		    sizeof(detail));
	r.ok = r.error == NULL;
	if (r.ok && s->degraded_ms >= 0 && r.time_ms > s->degraded_ms)
		r.degraded = "slow";
	else if (r.ok && s->cert_days >= 0 && pr->tls.expiry != (time_t)-1 &&
	    (double)(pr->tls.expiry - time(NULL)) < s->cert_days * 86400)
		r.degraded = "cert";
	buf_reset(&p->line);
	result_format(&p->line, &r);
	return r.ok;
}

int
prober_run(struct prober *p, int timeout_ms, probe_done_fn *done, void *arg,
    char *errstr, size_t errsize)
{
	CURLMsg *msg;
	CURLMcode mc;
	struct probe *pr;
	void *udata;
	int running, left, ok, n = 0;

	mc = curl_multi_poll(p->multi, NULL, 0, timeout_ms, NULL);
	if (mc == CURLM_OK)
		mc = curl_multi_perform(p->multi, &running);
	if (mc != CURLM_OK) {
		snprintf(errstr, errsize, "libcurl: %s", curl_multi_strerror(mc));
		return -1;
	}
	while ((msg = curl_multi_info_read(p->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		pr = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&pr);
		if (pr == NULL)
			continue;
		ok = finish(p, pr, msg->data.result);
		udata = pr->udata;
		retire(p, pr);
		n++;
		if (done)
			done(udata, p->line.data, p->line.len, ok, arg);
	}
	return n;
}

void
prober_wakeup(struct prober *p)
{
	curl_multi_wakeup(p->multi);
}

void
prober_abort_all(struct prober *p, probe_aborted_fn *aborted, void *arg)
{
	struct probe *pr;
	void *udata;

	while ((pr = p->live) != NULL) {
		udata = pr->udata;
		retire(p, pr);
		if (aborted)
			aborted(udata, arg);
	}
}

void
prober_free(struct prober *p)
{
	struct probe *pr;

	if (p == NULL)
		return;
	prober_abort_all(p, NULL, NULL);
	while ((pr = p->spare) != NULL) {
		p->spare = pr->next;
		curl_easy_cleanup(pr->easy);
		buf_free(&pr->body);
		buf_free(&pr->hdrs);
		free(pr);
	}
	curl_multi_cleanup(p->multi);
	buf_free(&p->line);
	free(p->cacert);
	free(p->probe_name);
	free(p);
	curl_global_cleanup();
}
