/*
 * statusset.h: sets of accepted HTTP status codes written as "200",
 * "200-299,301" or "2xx,3xx" (lists of codes, ranges and classes).
 */
#ifndef WEBMON_STATUSSET_H
#define WEBMON_STATUSSET_H

#include <stddef.h>

struct status_range {
	unsigned short lo, hi;	/* inclusive, 100..999 */
};

struct statusset {
	size_t n;		/* 0: the default set 200-299 */
	struct status_range *r;	/* owned, n entries; NULL when n is 0 */
};

/* The default set (200-299); needs no statusset_free(). */
#define STATUSSET_DEFAULT { 0, NULL }

/*
 * Parse text such as "200-299,301" or "2xx,3xx" into *set (which the caller
 * later releases with statusset_free). Returns 0, or -1 with errstr set.
 */
int statusset_parse(struct statusset *set, const char *text, char *errstr,
    size_t errsize);
/* 1 if code is in the set, else 0. */
int statusset_has(const struct statusset *set, long code);
/* Write the set as text ("200-299,301") to out (NUL-terminated, truncated). */
void statusset_format(const struct statusset *set, char *out, size_t size);
/* Release the ranges; *set becomes the default set. */
void statusset_free(struct statusset *set);

#endif
