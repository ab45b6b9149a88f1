/*
 * sites.h: the sites records that wm-probe reads (see webmon(7)): one site
 * per line, a bare http(s) URL or a JSON object; blank lines and lines
 * starting with '#' are skipped.
 */
#ifndef WEBMON_SITES_H
#define WEBMON_SITES_H

#include <stddef.h>
#include <stdint.h>
#include <curl/curl.h>

#include "statusset.h"

struct matcher;
struct json_check;
struct header_check;

/* Longest url accepted, in bytes (after ${...} references are replaced). */
#define SITES_MAXURL 2048

/* Longest sites line accepted, without its newline. */
#define SITES_MAXLINE (256 * 1024)

struct site {
	char *url;		/* as given; always set */
	char *name;		/* NULL when absent */
	char *method;		/* always set ("GET" by default) */
	char *body;		/* request body or NULL */
	size_t body_len;
	char *proxy;		/* proxy URL or NULL (libcurl's env variables apply) */
	char *regex_src;	/* the pattern as given, or NULL */
	struct matcher *regex;	/* compiled regex_src, or NULL */
	struct curl_slist *headers;	/* "Name: value" lines ready for libcurl, or NULL */
	struct statusset expect;	/* accepted status codes */
	char *expect_src;	/* the expect text as given, or NULL for the default */
	double timeout_s;	/* whole-request timeout, > 0 */
	double interval_s;	/* --watch period, > 0 */
	int follow;		/* follow redirects (at most 10) */
	int redirect_headers;	/* send headers and body to other origins too */
	char *origin;		/* "scheme://host:port" of url (lower case); always set */
	char *tags_json;	/* compact JSON object text, or NULL */
	/* Checks beyond status and regex, run in this order (webmon(7)). */
	char *not_regex_src;	/* the pattern as given, or NULL */
	struct matcher *not_regex;	/* compiled not_regex_src, or NULL */
	struct json_check *json;	/* njson pointer checks, or NULL */
	size_t njson;
	struct header_check *hexpect;	/* nhexpect header checks, or NULL */
	size_t nhexpect;
	double degraded_ms;	/* slower ok results are degraded; < 0: none */
	double cert_days;	/* an expiry closer than this degrades; < 0: none */
	/* Transport settings of this site; 0 or -1 keep the prober's. */
	char *fetch_url;	/* url with ${...} replaced, or NULL: url itself */
	long http_version;	/* CURL_HTTP_VERSION_*, 0: libcurl's */
	long ipresolve;		/* CURL_IPRESOLVE_V4 or _V6, -1: prober's */
	struct curl_slist *resolve;	/* one "host:port:address" entry, or NULL */
	char *cacert, *cert, *key;	/* files, or NULL */
	int insecure;		/* 1: no verification, 0: verify, -1: prober's */
	long tls_min;		/* CURL_SSLVERSION_TLSv1_2 or _3, 0: libcurl's */
	char *user;		/* "name:password" (resolved), or NULL */
	char *defkey;		/* every key as canonical text, for reload comparisons */
	const char *file;	/* sites file name for messages, not owned (set by sites_load) */
	unsigned long lineno;	/* line number in file (set by sites_load) */
	uint64_t urlhash;	/* shard_hash() of url */
};

/* Values for keys a line leaves out; command-line flags fill them. */
struct site_defaults {
	double timeout_s;	/* 10 */
	double interval_s;	/* 60 */
};

/*
 * Parse one line (without its newline; need not be NUL-terminated).
 * Returns 1 with *out filled (release with site_free), 0 for a blank or
 * comment line (*out untouched), -1 with the reason in errstr.
 */
int site_parse_line(const char *line, size_t len,
    const struct site_defaults *def, struct site *out, char *errstr,
    size_t errsize);
/*
 * The origin of an absolute http(s) URL, "scheme://host:port" in lower
 * case with the default port filled in, into out (size bytes). Returns 0,
 * or -1 when url cannot be parsed or out is too small.
 */
int url_origin(const char *url, char *out, size_t size);
/* Release what a site owns (not the struct itself); NULL members are fine. */
void site_free(struct site *s);

/* Called for each unusable line: file name, line number, reason. */
typedef void sites_bad_fn(const char *file, unsigned long lineno,
    const char *why, void *arg);

/*
 * Read every line of path ("-" is stdin, reported as "<stdin>") and append
 * the sites to the array *sites of *n entries (grown with realloc; start
 * with NULL and 0). Each site's file points to path (or "<stdin>"): path
 * must outlive the sites. Bad lines go to bad() and are skipped, and *nbad
 * counts them. Returns 0, or -1 with errstr set when the file cannot be
 * opened or read (sites read before the error stay in the array).
 */
int sites_load(const char *path, const struct site_defaults *def,
    struct site **sites, size_t *n, size_t *nbad, sites_bad_fn *bad,
    void *arg, char *errstr, size_t errsize);
/* Free n sites and the array itself. */
void sites_free(struct site *sites, size_t n);

#endif
