/*
 * kkey.h: the Kafka message key of an input line, as wm-kafka-pub's flags
 * choose it: one constant key (-k), the text before a delimiter (-K, as
 * kcat: no delimiter, the -k key or none), or a top-level member of a JSON
 * line (--key-field). With -Z, as kcat, an empty key before the delimiter
 * is none (not -k's: the line is written back as it was) and an empty
 * payload is a NULL payload.
 */
#ifndef WEBMON_KKEY_H
#define WEBMON_KKEY_H

#include <stddef.h>

#include "buf.h"

struct kkey {
	const char *key;	/* -k, or NULL; not owned */
	const char *delim;	/* -K, or NULL; not owned */
	size_t dlen;		/* its length */
	int nulls;		/* -Z */
	const char *field;	/* --key-field, "" for none; not owned */
	struct buf tmp;		/* owned: decoded member values */
};

/*
 * The key of the line *payload (*len bytes), or NULL for none, with its
 * length in *keylen. With a delimiter found, *payload and *len are moved
 * past it and *delim is set to 1. With nulls, an empty payload becomes
 * *payload NULL. The key points into the line, into
 * kk->key or into kk->tmp: valid until the next call, nothing to free.
 */
const char *kkey_find(struct kkey *kk, const char **payload, size_t *len,
    size_t *keylen, int *delim);
/*
 * The member name (namelen bytes) of the JSON object in s[0..n), read with
 * jsonr (kkey_find() reads plain lines without it, to the same answer): a
 * string gives its decoded contents (in tmp when escaped), a number, true
 * or false its text. Only the bytes up to the member are read, so a line
 * broken after it still has a key. NULL when s is no object, the member is
 * missing, null, an object or an array, or the text before it is not valid
 * JSON.
 */
const char *kkey_member(const char *s, size_t n, const char *name,
    size_t namelen, struct buf *tmp, size_t *keylen);
/* Free kk->tmp; kk stays usable. */
void kkey_free(struct kkey *kk);

#endif
