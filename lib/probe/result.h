/*
 * result.h: the result record of webmon(7), written as one NDJSON line with
 * every key present, in the documented order.
 */
#ifndef WEBMON_RESULT_H
#define WEBMON_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "uuid7.h"

struct result {
	char id[UUID_STRLEN];
	int64_t ts_us;		/* request start, Unix microseconds */
	const char *url, *name, *method;	/* name may be NULL */
	int ok;
	long status;		/* < 0: null */
	const char *error;	/* class or NULL */
	const char *detail;	/* NULL: null */
	const char *degraded;	/* "slow", "cert" or NULL */
	double time_ms;
	double dns_ms, connect_ms, tls_ms, wait_ms, transfer_ms;	/* < 0: null */
	int64_t bytes;
	const char *ip;		/* NULL or "": null */
	const char *http_version;	/* "1.1", "2"... or NULL */
	const char *tls_version;	/* "TLSv1.3"... or NULL (or "") */
	const char *regex;	/* NULL: null */
	int match;		/* < 0: null, else 0 or 1 */
	const char *matched;	/* NULL: null; matched_len bytes */
	size_t matched_len;
	const char *cert_expiry;	/* RFC 3339 or NULL */
	const char *probe;
	const char *tags_json;	/* compact JSON object text or NULL */
};

/* Longest "matched" value in bytes; longer matches are cut at a UTF-8 boundary. */
#define RESULT_MATCH_MAX 256

/* Append r to b as one JSON object followed by '\n'. */
void result_format(struct buf *b, const struct result *r);

#endif
