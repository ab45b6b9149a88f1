/* sitekeys.c: parsing the check and transport keys of a site. */
#include "sitekeys.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks.h"
#include "match.h"
#include "secret.h"
#include "util.h"

void
sitekeys_init(struct site *s)
{
	s->degraded_ms = -1;
	s->cert_days = -1;
	s->ipresolve = -1;
	s->insecure = -1;
}

/* A plain string value (no NUL inside) copied to *out. */
static int
string_value(json_t *v, const char *key, char **out, char *errstr,
    size_t errsize)
{
	if (!json_is_string(v) ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		snprintf(errstr, errsize, "'%s' must be a string without NUL "
		    "bytes", key);
		return -1;
	}
	*out = xstrdup(json_string_value(v));
	return 0;
}

/* A file the probe will read: it must be readable now. */
static int
file_value(json_t *v, const char *key, char **out, char *errstr,
    size_t errsize)
{
	int fd;

	if (string_value(v, key, out, errstr, errsize) < 0)
		return -1;
	if ((fd = open(*out, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		snprintf(errstr, errsize, "'%s': cannot read '%.200s': %s", key,
		    *out, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static int
number_value(json_t *v, const char *key, double max, double *out,
    char *errstr, size_t errsize)
{
	if (!json_is_number(v) || json_number_value(v) < 0 ||
	    json_number_value(v) > max) {
		snprintf(errstr, errsize, "'%s' must be a number from 0 to %.0f",
		    key, max);
		return -1;
	}
	*out = json_number_value(v);
	return 0;
}

/* "host:port:address" as curl --resolve takes it, one address. */
static int
resolve_value(struct site *s, json_t *v, char *errstr, size_t errsize)
{
	char *r, *c1, *c2, *addr, buf[16];
	long port;
	size_t n;
	int ok;

	if (string_value(v, "resolve", &r, errstr, errsize) < 0)
		return -1;
	c1 = strchr(r, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	ok = c1 != NULL && c2 != NULL && c1 > r && strcspn(r, " \t,") ==
	    strlen(r);
	if (ok) {
		*c2 = '\0';
		ok = parse_long(c1 + 1, 1, 65535, &port) == 0;
		*c2 = ':';
	}
	if (ok) {
		addr = c2 + 1;
		n = strlen(addr);
		if (n > 2 && addr[0] == '[' && addr[n - 1] == ']') {
			addr = xstrndup(addr + 1, n - 2);
			ok = inet_pton(AF_INET6, addr, buf) == 1;
			free(addr);
		} else
			ok = inet_pton(AF_INET, addr, buf) == 1 ||
			    inet_pton(AF_INET6, addr, buf) == 1;
	}
	if (!ok) {
		snprintf(errstr, errsize, "bad resolve '%.200s': want "
		    "host:port:address", r);
		free(r);
		return -1;
	}
	s->resolve = curl_slist_append(NULL, r);
	free(r);
	if (s->resolve == NULL) {
		snprintf(errstr, errsize, "out of memory");
		return -1;
	}
	return 0;
}

/* "user": "name:password", ${...} references resolved; never printed. */
static int
user_value(struct site *s, json_t *v, char *errstr, size_t errsize)
{
	char *exp;
	size_t n;
	int rc;

	if (string_value(v, "user", &s->user, errstr, errsize) < 0)
		return -1;
	rc = secret_expand(s->user, strlen(s->user), &exp, &n, errstr,
	    errsize);
	if (rc < 0) {
		char why[256];

		snprintf(why, sizeof(why), "%s", errstr);
		snprintf(errstr, errsize, "'user': %s", why);
		return -1;
	}
	if (rc == 1) {
		free(s->user);
		s->user = exp;
		if (strlen(exp) != n) {
			snprintf(errstr, errsize, "'user' contains a NUL byte");
			return -1;
		}
	}
	if (strchr(s->user, ':') == NULL || s->user[0] == ':') {
		snprintf(errstr, errsize, "'user' must be name:password");
		return -1;
	}
	return 0;
}

int
sitekeys_parse(struct site *s, const char *key, json_t *v, char *errstr,
    size_t errsize)
{
	double d;
	const char *t;

	if (strcmp(key, "not_regex") == 0) {
		if (string_value(v, key, &s->not_regex_src, errstr, errsize) < 0)
			return -1;
		s->not_regex = matcher_new(s->not_regex_src, errstr, errsize);
		return s->not_regex == NULL ? -1 : 1;
	}
	if (strcmp(key, "json") == 0)
		return json_checks_parse(v, &s->json, &s->njson, errstr,
		    errsize) < 0 ? -1 : 1;
	if (strcmp(key, "headers_expect") == 0)
		return header_checks_parse(v, &s->hexpect, &s->nhexpect, errstr,
		    errsize) < 0 ? -1 : 1;
	if (strcmp(key, "degraded_ms") == 0)
		return number_value(v, key, 86400000.0 * 365, &s->degraded_ms,
		    errstr, errsize) < 0 ? -1 : 1;
	if (strcmp(key, "cert_days") == 0)
		return number_value(v, key, 36500, &s->cert_days, errstr,
		    errsize) < 0 ? -1 : 1;
	if (strcmp(key, "http") == 0) {
		if (json_is_string(v) && strcmp(json_string_value(v), "1.1") == 0)
			s->http_version = CURL_HTTP_VERSION_1_1;
		else if (json_is_string(v) && strcmp(json_string_value(v), "2") == 0)
			s->http_version = CURL_HTTP_VERSION_2TLS;
		else {
			snprintf(errstr, errsize, "'http' must be \"1.1\" or \"2\"");
			return -1;
		}
		return 1;
	}
	if (strcmp(key, "ip_version") == 0) {
		d = json_is_integer(v) ? (double)json_integer_value(v) :
		    json_is_real(v) ? json_real_value(v) : 0;
		if (d != 4 && d != 6) {
			snprintf(errstr, errsize, "'ip_version' must be 4 or 6");
			return -1;
		}
		s->ipresolve = d == 4 ? CURL_IPRESOLVE_V4 : CURL_IPRESOLVE_V6;
		return 1;
	}
	if (strcmp(key, "resolve") == 0)
		return resolve_value(s, v, errstr, errsize) < 0 ? -1 : 1;
	if (strcmp(key, "cacert") == 0)
		return file_value(v, key, &s->cacert, errstr, errsize) < 0 ? -1 : 1;
	if (strcmp(key, "cert") == 0)
		return file_value(v, key, &s->cert, errstr, errsize) < 0 ? -1 : 1;
	if (strcmp(key, "key") == 0)
		return file_value(v, key, &s->key, errstr, errsize) < 0 ? -1 : 1;
	if (strcmp(key, "insecure") == 0) {
		if (!json_is_boolean(v)) {
			snprintf(errstr, errsize, "'insecure' must be true or false");
			return -1;
		}
		s->insecure = json_is_true(v);
		return 1;
	}
	if (strcmp(key, "tls_min") == 0) {
		t = json_is_string(v) ? json_string_value(v) : "";
		if (strcmp(t, "1.2") == 0)
			s->tls_min = CURL_SSLVERSION_TLSv1_2;
		else if (strcmp(t, "1.3") == 0)
			s->tls_min = CURL_SSLVERSION_TLSv1_3;
		else {
			snprintf(errstr, errsize, "'tls_min' must be \"1.2\" or "
			    "\"1.3\"");
			return -1;
		}
		return 1;
	}
	if (strcmp(key, "user") == 0)
		return user_value(s, v, errstr, errsize) < 0 ? -1 : 1;
	return 0;
}

void
sitekeys_free(struct site *s)
{
	free(s->not_regex_src);
	matcher_free(s->not_regex);
	json_checks_free(s->json, s->njson);
	header_checks_free(s->hexpect, s->nhexpect);
	free(s->fetch_url);
	curl_slist_free_all(s->resolve);
	free(s->cacert);
	free(s->cert);
	free(s->key);
	if (s->user != NULL) {
		memset(s->user, 0, strlen(s->user));
		free(s->user);
	}
	free(s->defkey);
}
