/* checks.c: json and headers_expect checks of a response. */
#include "checks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "match.h"
#include "statusset.h"
#include "utf8.h"
#include "util.h"

/* Jansson flags for both sides, so that 1 and 1.0 compare equal. */
#define JSON_FLAGS (JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL | \
    JSON_ALLOW_NUL)

int
jpointer_check(const char *s, char *errstr, size_t errsize)
{
	const char *p;

	if (*s == '\0')
		return 0;
	if (*s != '/') {
		snprintf(errstr, errsize, "bad JSON pointer '%.100s': must be "
		    "empty or start with '/'", s);
		return -1;
	}
	for (p = s; *p; p++)
		if (*p == '~' && p[1] != '0' && p[1] != '1') {
			snprintf(errstr, errsize, "bad JSON pointer '%.100s': '~' "
			    "must be followed by 0 or 1", s);
			return -1;
		}
	return 0;
}

/* An array index token: "0" or digits without a leading zero. */
static int
array_index(const char *tok, size_t n, size_t *out)
{
	size_t i, v = 0;

	if (n == 0 || (n > 1 && tok[0] == '0') || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (tok[i] < '0' || tok[i] > '9')
			return -1;
		v = v * 10 + (size_t)(tok[i] - '0');
	}
	*out = v;
	return 0;
}

json_t *
jpointer_get(json_t *doc, const char *pointer)
{
	const char *p = pointer, *end;
	char *tok;
	size_t n, i, idx;

	if (*p == '\0')
		return doc;
	tok = xmalloc(strlen(pointer) + 1);
	while (doc != NULL && *p == '/') {
		p++;
		end = strchr(p, '/');
		if (end == NULL)
			end = p + strlen(p);
		for (i = n = 0; p + i < end; i++) {
			if (p[i] == '~') {
				tok[n++] = p[i + 1] == '1' ? '/' : '~';
				i++;
			} else
				tok[n++] = p[i];
		}
		tok[n] = '\0';
		if (json_is_object(doc))
			doc = json_object_getn(doc, tok, n);
		else if (json_is_array(doc) && array_index(tok, n, &idx) == 0)
			doc = json_array_get(doc, idx);
		else
			doc = NULL;
		p = end;
	}
	free(tok);
	return doc;
}

int
json_checks_parse(json_t *obj, struct json_check **checks, size_t *n,
    char *errstr, size_t errsize)
{
	const char *key;
	json_t *v;
	char *text;
	json_error_t jerr;

	if (!json_is_object(obj) || json_object_size(obj) == 0) {
		snprintf(errstr, errsize, "'json' must be an object of JSON "
		    "pointers to expected values");
		return -1;
	}
	*checks = xcalloc(json_object_size(obj), sizeof(**checks));
	*n = 0;
	json_object_foreach(obj, key, v) {
		if (jpointer_check(key, errstr, errsize) < 0)
			return -1;
		/* Re-read the value as bodies are read: 1 and 1.0 are equal. */
		text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		if (text == NULL) {
			snprintf(errstr, errsize, "'json': cannot encode the "
			    "value of '%.100s'", key);
			return -1;
		}
		(*checks)[*n].want = json_loads(text, JSON_FLAGS, &jerr);
		free(text);
		if ((*checks)[*n].want == NULL) {
			snprintf(errstr, errsize, "'json': bad value of "
			    "'%.100s': %s", key, jerr.text);
			return -1;
		}
		(*checks)[*n].pointer = xstrdup(key);
		(*n)++;
	}
	return 0;
}

void
json_checks_free(struct json_check *checks, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(checks[i].pointer);
		json_decref(checks[i].want);
	}
	free(checks);
}

/* s[0..n) cut to CHECK_SHOWN_MAX bytes at a UTF-8 boundary, "..." if cut. */
static void
shown(char *out, size_t size, const char *s, size_t n)
{
	size_t m = utf8_cut(s, n, CHECK_SHOWN_MAX);

	snprintf(out, size, "%.*s%s", (int)m, s, m < n ? "..." : "");
}

/*
 * A JSON value as compact text for a detail. Numbers are read as reals
 * (so that 1 equals 1.0): a whole one is shown as an integer.
 */
static void
shown_json(char *out, size_t size, const json_t *v)
{
	double d;
	char *t;

	d = json_is_real(v) ? json_real_value(v) : 0.5;
	if (d > -1e15 && d < 1e15 && d == (double)(long long)d) {
		snprintf(out, size, "%lld", (long long)d);
		return;
	}
	t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

	if (t == NULL) {
		snprintf(out, size, "?");
		return;
	}
	shown(out, size, t, strlen(t));
	free(t);
}

int
json_checks_run(const struct json_check *checks, size_t n, const char *body,
    size_t len, char *detail, size_t dsize)
{
	char found[CHECK_SHOWN_MAX + 8], want[CHECK_SHOWN_MAX + 8];
	char ptr[CHECK_SHOWN_MAX + 8];
	json_error_t jerr;
	json_t *doc, *v;
	size_t i;

	doc = json_loadb(body, len, JSON_FLAGS, &jerr);
	if (doc == NULL) {
		snprintf(detail, dsize, "json: body is not JSON (line %d column "
		    "%d: %.100s)", jerr.line, jerr.column, jerr.text);
		return 0;
	}
	for (i = 0; i < n; i++) {
		v = jpointer_get(doc, checks[i].pointer);
		if (v != NULL && json_equal(v, checks[i].want))
			continue;
		shown(ptr, sizeof(ptr), checks[i].pointer,
		    strlen(checks[i].pointer));
		shown_json(want, sizeof(want), checks[i].want);
		if (v == NULL)
			snprintf(detail, dsize, "json %s: missing, wanted %s",
			    *ptr ? ptr : "\"\"", want);
		else {
			shown_json(found, sizeof(found), v);
			snprintf(detail, dsize, "json %s: found %s, wanted %s",
			    *ptr ? ptr : "\"\"", found, want);
		}
		json_decref(doc);
		return 0;
	}
	json_decref(doc);
	return 1;
}

int
header_checks_parse(json_t *obj, struct header_check **checks, size_t *n,
    char *errstr, size_t errsize)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj) || json_object_size(obj) == 0) {
		snprintf(errstr, errsize, "'headers_expect' must be an object of "
		    "header names to patterns");
		return -1;
	}
	*checks = xcalloc(json_object_size(obj), sizeof(**checks));
	*n = 0;
	json_object_foreach(obj, key, v) {
		if (*key == '\0' || strpbrk(key, ": \t\r\n") != NULL) {
			snprintf(errstr, errsize, "'headers_expect': bad header "
			    "name '%.100s'", key);
			return -1;
		}
		if (!json_is_string(v) ||
		    strlen(json_string_value(v)) != json_string_length(v)) {
			snprintf(errstr, errsize, "'headers_expect': the pattern "
			    "of '%.100s' must be a string", key);
			return -1;
		}
		(*checks)[*n].m = matcher_new(json_string_value(v), errstr,
		    errsize);
		if ((*checks)[*n].m == NULL)
			return -1;
		(*checks)[*n].name = xstrdup(key);
		(*checks)[*n].pattern = xstrdup(json_string_value(v));
		(*n)++;
	}
	return 0;
}

void
header_checks_free(struct header_check *checks, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(checks[i].name);
		free(checks[i].pattern);
		matcher_free(checks[i].m);
	}
	free(checks);
}

int
header_checks_run(const struct header_check *checks, size_t n,
    const char *block, size_t len, char *detail, size_t dsize)
{
	char found[CHECK_SHOWN_MAX + 8], want[CHECK_SHOWN_MAX + 8], err[256];
	const char *p, *end = block + len, *eol, *colon, *v, *firstv;
	size_t i, nl, vl, firstl, moff, mlen;
	int m, seen;

	for (i = 0; i < n; i++) {
		nl = strlen(checks[i].name);
		seen = 0;
		firstv = NULL;
		firstl = 0;
		for (p = block; p < end; p = eol + 1) {
			eol = memchr(p, '\n', (size_t)(end - p));
			if (eol == NULL)
				eol = end;
			colon = memchr(p, ':', (size_t)(eol - p));
			if (colon == NULL || (size_t)(colon - p) != nl ||
			    strncasecmp(p, checks[i].name, nl) != 0)
				continue;
			v = colon + 1;
			vl = (size_t)(eol - v);
			while (vl > 0 && (*v == ' ' || *v == '\t'))
				v++, vl--;
			while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == ' ' ||
			    v[vl - 1] == '\t'))
				vl--;
			if (!seen) {
				firstv = v;
				firstl = vl;
			}
			seen = 1;
			m = matcher_exec(checks[i].m, v, vl, &moff, &mlen, err,
			    sizeof(err));
			if (m < 0) {
				snprintf(detail, dsize, "header %.100s: %s",
				    checks[i].name, err);
				return -1;
			}
			if (m)
				break;
		}
		if (p < end)
			continue;	/* a value matched */
		shown(want, sizeof(want), checks[i].pattern,
		    strlen(checks[i].pattern));
		if (!seen)
			snprintf(detail, dsize, "header %.100s: missing, wanted "
			    "/%s/", checks[i].name, want);
		else {
			shown(found, sizeof(found), firstv, firstl);
			snprintf(detail, dsize, "header %.100s: found \"%s\", "
			    "wanted /%s/", checks[i].name, found, want);
		}
		return 0;
	}
	return 1;
}

/*
 * The checks after the transport, in the documented order: status, regex,
 * not_regex, json, headers_expect; the first failure is the error. The
 * regex still runs (for match and matched) after a bad status.
 */
void
checks_run(const struct site *s, long status, const struct buf *body,
    const struct buf *hdrs, struct result *r, char *detail, size_t dsize)
{
	const char *data = body->data ? body->data : "";
	char expect[128], rerr[256], shown[CHECK_SHOWN_MAX + 8];
	size_t moff = 0, mlen = 0, n;
	int m;

	if (!statusset_has(&s->expect, status)) {
		r->error = "status";
		statusset_format(&s->expect, expect, sizeof(expect));
		snprintf(detail, dsize, "status %ld not in %s", status,
		    s->expect_src ? s->expect_src : expect);
		r->detail = detail;
	}
	if (s->regex != NULL) {
		m = matcher_exec(s->regex, data, body->len, &moff,
		    &mlen, rerr, sizeof(rerr));
		if (m > 0) {
			r->match = 1;
			r->matched = data + moff;
			r->matched_len = mlen;
		} else if (m == 0)
			r->match = 0;
		if (m <= 0 && r->error == NULL) {
			r->error = "regex";
			if (m < 0)
				snprintf(detail, dsize, "%s", rerr);
			else
				snprintf(detail, dsize, "no match in %zu bytes of "
				    "body", body->len);
			r->detail = detail;
		}
	}
	if (r->error != NULL)
		return;
	if (s->not_regex != NULL) {
		m = matcher_exec(s->not_regex, data, body->len,
		    &moff, &mlen, rerr, sizeof(rerr));
		if (m != 0) {
			r->error = "regex";
			n = utf8_cut(data + moff, mlen, CHECK_SHOWN_MAX);
			snprintf(shown, sizeof(shown), "%.*s%s", (int)n,
			    data + moff, n < mlen ? "..." : "");
			if (m < 0)
				snprintf(detail, dsize, "not_regex: %s", rerr);
			else
				snprintf(detail, dsize, "not_regex matched \"%s\"",
				    shown);
			r->detail = detail;
			return;
		}
	}
	if (s->njson > 0 && !json_checks_run(s->json, s->njson,
	    data, body->len, detail, dsize)) {
		r->error = "assert";
		r->detail = detail;
		return;
	}
	if (s->nhexpect > 0 && header_checks_run(s->hexpect, s->nhexpect,
	    hdrs->data ? hdrs->data : "", hdrs->len, detail,
	    dsize) != 1) {
		r->error = "assert";
		r->detail = detail;
	}
}
