/*
 * checks.h: the body and header checks of a site beyond its regexes
 * (webmon(7)): "json" (RFC 6901 JSON Pointers to expected values, compared
 * with jansson's json_equal) and "headers_expect" (response header name to
 * a PCRE2 pattern its value must match).
 */
#ifndef WEBMON_CHECKS_H
#define WEBMON_CHECKS_H

#include <stddef.h>
#include <jansson.h>

#include "buf.h"
#include "result.h"
#include "sites.h"

struct matcher;

struct json_check {
	char *pointer;		/* as given, valid RFC 6901 syntax */
	json_t *want;		/* expected value (owned reference) */
};

struct header_check {
	char *name;		/* header name as given */
	char *pattern;		/* the pattern as given */
	struct matcher *m;	/* compiled pattern */
};

/* Longest text of a found or wanted value in an assert detail, in bytes. */
#define CHECK_SHOWN_MAX 120

/*
 * Is s a JSON Pointer (RFC 6901): "" or "/"-separated tokens where "~" is
 * followed only by "0" or "1"? Returns 0, or -1 with errstr set.
 */
int jpointer_check(const char *s, char *errstr, size_t errsize);
/*
 * The value at pointer in doc (borrowed, not a new reference), or NULL
 * when a member or an index is missing. pointer must pass jpointer_check().
 */
json_t *jpointer_get(json_t *doc, const char *pointer);

/*
 * Parse a site's "json" object into *checks (n entries, caller frees with
 * json_checks_free). Returns 0, or -1 with errstr naming the bad pointer.
 */
int json_checks_parse(json_t *obj, struct json_check **checks, size_t *n,
    char *errstr, size_t errsize);
void json_checks_free(struct json_check *checks, size_t n);
/*
 * Run the checks on a body of len bytes. Returns 1 when all pass, 0 with
 * the first failure in detail ("json /status: found "DOWN", wanted "UP"",
 * valid UTF-8, cut to a sane length), never -1.
 */
int json_checks_run(const struct json_check *checks, size_t n,
    const char *body, size_t len, char *detail, size_t dsize);

/* Parse a site's "headers_expect" object; as json_checks_parse. */
int header_checks_parse(json_t *obj, struct header_check **checks, size_t *n,
    char *errstr, size_t errsize);
void header_checks_free(struct header_check *checks, size_t n);
/*
 * Run the checks on the header block of the final response (raw "Name:
 * value\r\n" lines, len bytes). A header present more than once passes
 * when any of its values matches. Returns 1 when all pass, 0 with the
 * first failure in detail, -1 with detail set when matching failed.
 */
int header_checks_run(const struct header_check *checks, size_t n,
    const char *block, size_t len, char *detail, size_t dsize);

/*
 * Judge a complete response of site s after its transport succeeded, in
 * the documented order: status, regex, not_regex, json, headers_expect.
 * The first failure sets r->error and r->detail (detail is the storage,
 * dsize bytes); the regex also fills r->match and r->matched (pointing
 * into body) after a bad status. body and hdrs (the final response's
 * header block) are read only.
 */
void checks_run(const struct site *s, long status, const struct buf *body,
    const struct buf *hdrs, struct result *r, char *detail, size_t dsize);

#endif
