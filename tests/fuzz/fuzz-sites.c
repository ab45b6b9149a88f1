/*
 * fuzz-sites.c: libFuzzer target for one sites line (site_parse_line).
 * A line is parsed, checked against the promises of sites.h, and freed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/sites.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A header line for libcurl: "Name: value" or "Name;", never CR or LF. */
static void
check_headers(const struct curl_slist *h)
{
	for (; h != NULL; h = h->next)
		if (strpbrk(h->data, "\r\n") != NULL || h->data[0] == '\0')
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct site_defaults def = { 10, 60 };
	struct site s;
	char err[512];
	char *line;
	int rc;

	if (size > SITES_MAXLINE)
		return 0;
	/* Not NUL-terminated on purpose: the parser must honour len. */
	line = malloc(size ? size : 1);
	memcpy(line, data, size);
	memset(err, 'x', sizeof(err));
	err[sizeof(err) - 1] = '\0';
	rc = site_parse_line(line, size, &def, &s, err, sizeof(err));
	if (rc == 1) {
		if (s.url == NULL || s.method == NULL || s.method[0] == '\0')
			abort();
		if (strncasecmp(s.url, "http://", 7) != 0 &&
		    strncasecmp(s.url, "https://", 8) != 0)
			abort();
		if (strpbrk(s.method, "\r\n \t:") != NULL)
			abort();
		if (!(s.timeout_s > 0) || !(s.interval_s > 0))
			abort();
		if (s.proxy != NULL && strpbrk(s.proxy, "\r\n") != NULL)
			abort();
		if ((s.regex_src == NULL) != (s.regex == NULL))
			abort();
		check_headers(s.headers);
		site_free(&s);
	} else if (rc == -1) {
		/* The reason is one printable line. */
		if (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0')
			abort();
		if (strpbrk(err, "\r\n") != NULL)
			abort();
	} else if (rc != 0)
		abort();
	free(line);
	return 0;
}
