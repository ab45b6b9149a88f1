/* statusset.c: sets of accepted HTTP status codes. */
#include "statusset.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Parse a three-digit code or class ("404", "4xx") at *pp into lo..hi. */
static int
parse_code(const char **pp, unsigned *lo, unsigned *hi)
{
	const char *p = *pp;

	if (!isdigit((unsigned char)p[0]) || p[0] == '0')
		return -1;
	if ((p[1] == 'x' || p[1] == 'X') && (p[2] == 'x' || p[2] == 'X')) {
		*lo = (unsigned)(p[0] - '0') * 100;
		*hi = *lo + 99;
	} else if (isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2])) {
		*lo = *hi = (unsigned)(p[0] - '0') * 100 +
		    (unsigned)(p[1] - '0') * 10 + (unsigned)(p[2] - '0');
	} else
		return -1;
	if (isalnum((unsigned char)p[3]))
		return -1;
	*pp = p + 3;
	return 0;
}

int
statusset_parse(struct statusset *set, const char *text, char *errstr,
    size_t errsize)
{
	const char *p = text;
	struct status_range *r = NULL;
	size_t n = 0;
	unsigned lo, hi, lo2, hi2;

	for (;;) {
		while (*p == ' ')
			p++;
		if (parse_code(&p, &lo, &hi) < 0)
			goto bad;
		while (*p == ' ')
			p++;
		if (*p == '-') {
			p++;
			while (*p == ' ')
				p++;
			if (parse_code(&p, &lo2, &hi2) < 0 || lo2 < lo)
				goto bad;
			hi = hi2;
			while (*p == ' ')
				p++;
		}
		r = xreallocarray(r, n + 1, sizeof(*r));
		r[n].lo = (unsigned short)lo;
		r[n].hi = (unsigned short)hi;
		n++;
		if (*p == '\0')
			break;
		if (*p++ != ',')
			goto bad;
	}
	set->r = r;
	set->n = n;
	return 0;
bad:
	free(r);
	snprintf(errstr, errsize, "bad expect '%s': want codes, ranges or "
	    "classes such as 200-299,301 or 2xx,3xx", text);
	return -1;
}

int
statusset_has(const struct statusset *set, long code)
{
	size_t i;

	if (set->n == 0)
		return code >= 200 && code <= 299;
	for (i = 0; i < set->n; i++)
		if (code >= set->r[i].lo && code <= set->r[i].hi)
			return 1;
	return 0;
}

void
statusset_format(const struct statusset *set, char *out, size_t size)
{
	size_t i, len = 0;
	int w;

	if (size == 0)
		return;
	out[0] = '\0';
	if (set->n == 0) {
		snprintf(out, size, "200-299");
		return;
	}
	for (i = 0; i < set->n && len < size; i++) {
		if (set->r[i].lo == set->r[i].hi)
			w = snprintf(out + len, size - len, "%s%u", i ? "," : "",
			    set->r[i].lo);
		else
			w = snprintf(out + len, size - len, "%s%u-%u",
			    i ? "," : "", set->r[i].lo, set->r[i].hi);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

void
statusset_free(struct statusset *set)
{
	free(set->r);
	set->r = NULL;
	set->n = 0;
}
