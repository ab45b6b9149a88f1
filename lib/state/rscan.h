/*
 * rscan.h: one pass over a result record (a JSON object on one line, read
 * and checked by lib/jsonr.h) that notes where the value of each member
 * wm-state needs begins and ends, without decoding anything. Values stay raw JSON text, so they are written
 * back into events as they came.
 */
#ifndef WEBMON_RSCAN_H
#define WEBMON_RSCAN_H
#include <stddef.h>
#include <stdint.h>

enum {
	RK_ID, RK_TS, RK_URL, RK_NAME, RK_OK, RK_ERROR, RK_DETAIL,
	RK_DEGRADED, RK_CERT_EXPIRY, RK_PROBE, RK_TAGS, RK_COUNT
};

/* A raw JSON value inside the scanned line; p is NULL when the key is absent. */
struct span {
	const char *p;
	size_t n;
};

struct rscan {
	struct span v[RK_COUNT];	/* point into the line; nothing to free */
};

/*
 * Scan the object in s[0..n). Returns 0, or -1 with a reason in *why (a
 * constant string) when the line is not one well-formed JSON object.
 */
int rscan_line(struct rscan *r, const char *s, size_t n, const char **why);
/* 1 if the span is absent or the JSON null. */
int span_null(const struct span *sp);
/* 1 if the span is a JSON string; its contents are p+1 .. p+n-1. */
int span_isstr(const struct span *sp);
/*
 * Parse an RFC 3339 time ("2026-11-23T12:34:56.123456Z", any number of
 * decimals, Z or +hh:mm) into microseconds since the epoch. -1 if malformed.
 */
int rfc3339_us(const char *s, size_t n, int64_t *us);
#endif
