/* sites.c: parsing sites lines (bare URLs or JSON objects). */
#include "sites.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "lines.h"
#include "match.h"
#include "secret.h"
#include "sitekeys.h"
#include "siteurl.h"
#include "shard.h"
#include "utf8.h"
#include "util.h"

/*
 * Make a message safe to print on one line: control characters in msg (NUL-terminated, size bytes of room) become escapes.
 */
static void
escape_controls(char *msg, size_t size)
{
	char tmp[1024];
	const unsigned char *p;
	size_t i = 0;

	for (p = (const unsigned char *)msg; *p && i + 5 < sizeof(tmp); p++) {
		if (*p == '\r' || *p == '\n') {
			tmp[i++] = '\\';
			tmp[i++] = *p == '\r' ? 'r' : 'n';
		} else if (*p < 0x20 || *p == 0x7f)
			i += (size_t)snprintf(tmp + i, sizeof(tmp) - i, "\\x%02x", *p);
		else
			tmp[i++] = (char)*p;
	}
	tmp[i] = '\0';
	snprintf(msg, size, "%s", tmp);
}

/* RFC 9110 token characters: what a method or a header name may hold. */
static int
is_token(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (*p == '\0')
		return 0;
	for (; *p; p++)
		if (!(*p >= 0x21 && *p <= 0x7e) || strchr("\"(),/:;<=>?@[\\]{}", *p))
			return 0;
	return 1;
}

/* A header value: no CR, LF or other control except tab. */
static int
is_field_value(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

static void
site_init(struct site *s, const struct site_defaults *def)
{
	memset(s, 0, sizeof(*s));
	s->timeout_s = def ? def->timeout_s : 10;
	s->interval_s = def ? def->interval_s : 60;
	s->follow = 1;
	sitekeys_init(s);
}

/*
 * The url as given goes into results; ${...} references in it are
 * replaced only in the url probed (fetch_url), and messages show the url
 * as given so that no secret is printed.
 */
static int
set_url(struct site *s, const char *url, size_t len, char *errstr,
    size_t errsize)
{
	char *exp = NULL, why[256];
	size_t elen = 0;
	int rc;

	if (memchr(url, '\0', len) != NULL) {
		snprintf(errstr, errsize, "bad url: contains a NUL byte");
		return -1;
	}
	/* The url is copied unchanged into every result, which is UTF-8. */
	if (!utf8_valid(url, len)) {
		snprintf(errstr, errsize, "bad url: not valid UTF-8");
		return -1;
	}
	if (len > SITES_MAXURL) {
		snprintf(errstr, errsize, "bad url: longer than %d bytes",
		    SITES_MAXURL);
		return -1;
	}
	s->url = xstrndup(url, len);
	s->urlhash = shard_hash(s->url, len);
	/* The scheme is written out, never taken from a reference. */
	if (strncasecmp(s->url, "http://", 7) != 0 &&
	    strncasecmp(s->url, "https://", 8) != 0)
		return url_check(s->url, len, s->url, errstr, errsize);
	rc = secret_expand(url, len, &exp, &elen, why, sizeof(why));
	if (rc < 0) {
		snprintf(errstr, errsize, "url: %s", why);
		return -1;
	}
	if (rc == 1) {
		s->fetch_url = exp;
		if (strlen(exp) != elen || elen > SITES_MAXURL) {
			snprintf(errstr, errsize, "bad url: longer than %d bytes "
			    "or a NUL byte once references are replaced",
			    SITES_MAXURL);
			return -1;
		}
	}
	url = rc == 1 ? exp : s->url;
	len = rc == 1 ? elen : len;
	if (url_check(url, len, s->url, errstr, errsize) < 0)
		return -1;
	free(s->origin);
	s->origin = xmalloc(len + 16);
	if (url_origin(url, s->origin, len + 16) < 0) {
		snprintf(errstr, errsize, "bad url '%.200s': no origin", s->url);
		return -1;
	}
	return 0;
}

/* A JSON string member as a C string (no NUL inside), or -1. */
static int
get_string(json_t *v, const char *key, char **out, size_t *outlen,
    char *errstr, size_t errsize)
{
	size_t n;

	if (!json_is_string(v)) {
		snprintf(errstr, errsize, "'%s' must be a string", key);
		return -1;
	}
	n = json_string_length(v);
	if (outlen == NULL && memchr(json_string_value(v), '\0', n) != NULL) {
		snprintf(errstr, errsize, "'%s' contains a NUL byte", key);
		return -1;
	}
	*out = xmalloc(n + 1);
	memcpy(*out, json_string_value(v), n);
	(*out)[n] = '\0';
	if (outlen)
		*outlen = n;
	return 0;
}

static int
get_seconds(json_t *v, const char *key, double *out, char *errstr,
    size_t errsize)
{
	if (!json_is_number(v) || json_number_value(v) <= 0 ||
	    json_number_value(v) > 86400 * 365) {
		snprintf(errstr, errsize, "'%s' must be a positive number of "
		    "seconds", key);
		return -1;
	}
	*out = json_number_value(v);
	return 0;
}

static int
get_headers(json_t *obj, struct site *s, char *errstr, size_t errsize)
{
	const char *name;
	json_t *v;
	struct curl_slist *l;
	const char *val;
	char *line, *exp, why[256];
	size_t vlen;
	int rc;

	if (!json_is_object(obj)) {
		snprintf(errstr, errsize, "'headers' must be an object of strings");
		return -1;
	}
	json_object_foreach(obj, name, v) {
		if (!is_token(name)) {
			snprintf(errstr, errsize, "bad header name '%.100s': "
			    "not an HTTP token (no CR, LF, spaces or ':')", name);
			return -1;
		}
		if (!json_is_string(v)) {
			snprintf(errstr, errsize, "header '%.100s' must be a "
			    "string", name);
			return -1;
		}
		vlen = json_string_length(v);
		val = json_string_value(v);
		exp = NULL;
		rc = secret_expand(val, vlen, &exp, &vlen, why, sizeof(why));
		if (rc < 0) {
			snprintf(errstr, errsize, "header '%.100s': %s", name, why);
			return -1;
		}
		if (rc == 1)
			val = exp;
		if (!is_field_value(val, vlen)) {
			snprintf(errstr, errsize, "bad value of header '%.100s': "
			    "contains CR, LF or another control character", name);
			free(exp);
			return -1;
		}
		/* "Name;" is libcurl's way to send a header with an empty value. */
		line = xmalloc(strlen(name) + vlen + 3);
		if (vlen == 0)
			sprintf(line, "%s;", name);
		else
			sprintf(line, "%s: %s", name, val);
		l = curl_slist_append(s->headers, line);
		memset(line, 0, strlen(line));
		free(line);
		if (exp != NULL)
			memset(exp, 0, vlen);
		free(exp);
		if (l == NULL) {
			snprintf(errstr, errsize, "out of memory");
			return -1;
		}
		s->headers = l;
	}
	return 0;
}

static int
get_tags(json_t *obj, struct site *s, char *errstr, size_t errsize)
{
	const char *k;
	json_t *v;

	if (!json_is_object(obj)) {
		snprintf(errstr, errsize, "'tags' must be an object of strings");
		return -1;
	}
	json_object_foreach(obj, k, v) {
		if (!json_is_string(v)) {
			snprintf(errstr, errsize, "tag '%.100s' must be a string", k);
			return -1;
		}
	}
	s->tags_json = json_dumps(obj, JSON_COMPACT);
	if (s->tags_json == NULL) {
		snprintf(errstr, errsize, "'tags' cannot be encoded");
		return -1;
	}
	return 0;
}

static int
expand_body(struct site *s, char *errstr, size_t errsize)
{
	char *exp, why[256];
	size_t n;
	int rc;

	rc = secret_expand(s->body, s->body_len, &exp, &n, why, sizeof(why));
	if (rc < 0) {
		snprintf(errstr, errsize, "body: %s", why);
		return -1;
	}
	if (rc == 1) {
		free(s->body);
		s->body = exp;
		s->body_len = n;
	}
	return 0;
}

/*
 * Every key of the line as canonical text (root: the JSON object, or NULL
 * for a bare url) and the values references resolved to (url, user;
 * headers and body are compared as resolved already), so that a reload
 * sees any change, a changed ${file:} included.
 */
static void
set_defkey(struct site *s, json_t *root)
{
	struct buf b = BUF_INIT;
	char *t = root ? json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	buf_puts(&b, t ? t : "");
	buf_putc(&b, '\n');
	if (s->fetch_url)
		buf_puts(&b, s->fetch_url);
	buf_putc(&b, '\n');
	if (s->user)
		buf_puts(&b, s->user);
	free(t);
	free(s->defkey);
	s->defkey = buf_detach(&b, NULL);
}

static int
parse_object(const char *line, size_t len, struct site *s, char *errstr,
    size_t errsize)
{
	json_error_t jerr;
	json_t *root, *v;
	const char *key;
	char *expect = NULL;
	int rc = -1, krc;

	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		snprintf(errstr, errsize, "bad JSON at column %d: %s", jerr.column,
		    jerr.text);
		return -1;
	}
	if (!json_is_object(root)) {
		snprintf(errstr, errsize, "not a JSON object");
		goto out;
	}
	v = json_object_get(root, "url");
	if (v == NULL) {
		snprintf(errstr, errsize, "missing 'url'");
		goto out;
	}
	if (!json_is_string(v)) {
		snprintf(errstr, errsize, "'url' must be a string");
		goto out;
	}
	if (set_url(s, json_string_value(v), json_string_length(v), errstr,
	    errsize) < 0)
		goto out;
	json_object_foreach(root, key, v) {
		if (strcmp(key, "url") == 0)
			continue;
		else if (strcmp(key, "name") == 0) {
			if (get_string(v, key, &s->name, NULL, errstr, errsize) < 0)
				goto out;
		} else if (strcmp(key, "method") == 0) {
			if (get_string(v, key, &s->method, NULL, errstr, errsize) < 0)
				goto out;
			if (!is_token(s->method)) {
				snprintf(errstr, errsize, "bad method '%.100s': not an "
				    "HTTP token (no CR, LF or spaces)", s->method);
				goto out;
			}
		} else if (strcmp(key, "headers") == 0) {
			if (get_headers(v, s, errstr, errsize) < 0)
				goto out;
		} else if (strcmp(key, "body") == 0) {
			if (get_string(v, key, &s->body, &s->body_len, errstr,
			    errsize) < 0 || expand_body(s, errstr, errsize) < 0)
				goto out;
		} else if (strcmp(key, "expect") == 0) {
			if (get_string(v, key, &expect, NULL, errstr, errsize) < 0)
				goto out;
			if (statusset_parse(&s->expect, expect, errstr, errsize) < 0) {
				free(expect);
				goto out;
			}
			s->expect_src = expect;
		} else if (strcmp(key, "regex") == 0) {
			if (get_string(v, key, &s->regex_src, NULL, errstr,
			    errsize) < 0)
				goto out;
			s->regex = matcher_new(s->regex_src, errstr, errsize);
			if (s->regex == NULL)
				goto out;
		} else if (strcmp(key, "timeout") == 0) {
			if (get_seconds(v, key, &s->timeout_s, errstr, errsize) < 0)
				goto out;
		} else if (strcmp(key, "interval") == 0) {
			if (get_seconds(v, key, &s->interval_s, errstr, errsize) < 0)
				goto out;
		} else if (strcmp(key, "follow") == 0) {
			if (!json_is_boolean(v)) {
				snprintf(errstr, errsize, "'follow' must be true or false");
				goto out;
			}
			s->follow = json_is_true(v);
		} else if (strcmp(key, "redirect_headers") == 0) {
			if (!json_is_boolean(v)) {
				snprintf(errstr, errsize, "'redirect_headers' must "
				    "be true or false");
				goto out;
			}
			s->redirect_headers = json_is_true(v);
		} else if (strcmp(key, "proxy") == 0) {
			if (get_string(v, key, &s->proxy, NULL, errstr, errsize) < 0)
				goto out;
			if (!is_field_value(s->proxy, strlen(s->proxy))) {
				snprintf(errstr, errsize, "bad proxy: contains a "
				    "control character");
				goto out;
			}
		} else if (strcmp(key, "tags") == 0) {
			if (get_tags(v, s, errstr, errsize) < 0)
				goto out;
		} else if ((krc = sitekeys_parse(s, key, v, errstr, errsize)) < 0)
			goto out;
		else if (krc == 0) {
			snprintf(errstr, errsize, "unknown key '%.100s'", key);
			goto out;
		}
	}
	if ((s->cert == NULL) != (s->key == NULL)) {
		snprintf(errstr, errsize, "'cert' and 'key' go together");
		goto out;
	}
	set_defkey(s, root);
	rc = 0;
out:
	json_decref(root);
	return rc;
}

int
site_parse_line(const char *line, size_t len, const struct site_defaults *def,
    struct site *out, char *errstr, size_t errsize)
{
	struct site s;

	while (len > 0 && (*line == ' ' || *line == '\t'))
		line++, len--;
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' ||
	    line[len - 1] == '\r'))
		len--;
	if (len == 0 || line[0] == '#')
		return 0;
	site_init(&s, def);
	if (line[0] == '{') {
		if (parse_object(line, len, &s, errstr, errsize) < 0)
			goto bad;
	} else if (set_url(&s, line, len, errstr, errsize) < 0)
		goto bad;
	else
		set_defkey(&s, NULL);
	if (s.method == NULL)
		s.method = xstrdup("GET");
	*out = s;
	return 1;
bad:
	site_free(&s);
	escape_controls(errstr, errsize);
	return -1;
}

void
site_free(struct site *s)
{
	free(s->url);
	free(s->origin);
	free(s->name);
	free(s->method);
	free(s->proxy);
	free(s->regex_src);
	matcher_free(s->regex);
	curl_slist_free_all(s->headers);
	statusset_free(&s->expect);
	free(s->expect_src);
	free(s->tags_json);
	sitekeys_free(s);
	if (s->body != NULL)
		memset(s->body, 0, s->body_len);
	free(s->body);
	memset(s, 0, sizeof(*s));
}

int
sites_load(const char *path, const struct site_defaults *def,
    struct site **sites, size_t *n, size_t *nbad, sites_bad_fn *bad,
    void *arg, char *errstr, size_t errsize)
{
	struct lines l;
	struct site s;
	const char *name;
	char why[512];
	char *line;
	size_t len, cap = *n;
	int fd, rc, ret = 0;

	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
		name = "<stdin>";
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			snprintf(errstr, errsize, "open '%s': %s", path,
			    strerror(errno));
			return -1;
		}
		name = path;
	}
	lines_init(&l, fd, name, SITES_MAXLINE);
	for (;;) {
		rc = lines_next(&l, &line, &len);
		if (rc == LINES_EOF)
			break;
		if (rc == LINES_ERR) {
			snprintf(errstr, errsize, "read '%s': %s", name,
			    strerror(errno));
			ret = -1;
			break;
		}
		if (rc == LINES_TOOLONG) {
			snprintf(why, sizeof(why), "line longer than %d bytes",
			    SITES_MAXLINE);
			rc = -1;
		} else
			rc = site_parse_line(line, len, def, &s, why, sizeof(why));
		if (rc < 0) {
			if (nbad)
				(*nbad)++;
			if (bad)
				bad(name, l.lineno, why, arg);
			continue;
		}
		if (rc == 0)
			continue;
		s.file = name;
		s.lineno = l.lineno;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*sites = xreallocarray(*sites, cap, sizeof(**sites));
		}
		(*sites)[(*n)++] = s;
	}
	lines_free(&l);
	if (fd != STDIN_FILENO)
		close(fd);
	return ret;
}

void
sites_free(struct site *sites, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		site_free(&sites[i]);
	free(sites);
}
