/*
 * jsonr.h: a strict pull reader of JSON text (RFC 8259) over a byte range,
 * without building a tree. It validates as it goes: UTF-8 (shortest form,
 * no surrogates), every escape including surrogate pairs (a lone surrogate
 * is an error), control characters, the number grammar and nesting depth.
 * A caller pulls the members of an object one by one and reads each value
 * whole; only the bytes up to the last value read are looked at.
 *
 *	jsonr_init(&r, line, len, 0);
 *	if (jsonr_object(&r) < 0) ...
 *	while ((rc = jsonr_member(&r, &name)) == 1)
 *		if (jsonr_value(&r, &v) < 0) ...
 *	if (rc < 0 || jsonr_end(&r) < 0) ...
 */
#ifndef WEBMON_JSONR_H
#define WEBMON_JSONR_H

#include <stddef.h>

#include "buf.h"

#define JSONR_MAXDEPTH	256	/* most nested objects and arrays */

/* Flags of jsonr_init(). */
#define JSONR_NONUL	0x1	/* \u0000 is an error (PostgreSQL text holds no NUL) */

enum jsonr_kind {
	JSONR_STRING = 1, JSONR_NUMBER, JSONR_TRUE, JSONR_FALSE, JSONR_NULL,
	JSONR_OBJECT, JSONR_ARRAY
};

struct jsonr {
	const unsigned char *s, *p, *end;	/* the text, not owned; p: next byte */
	int flags;
	int depth;		/* objects and arrays open */
	int first;		/* just after '{': no ',' expected */
	const char *err;	/* first error (a constant string), or NULL */
	size_t errpos;		/* its offset in the text */
};

/*
 * One value as read. raw/len is its text in the input (a string with its
 * quotes); str/slen are a string's bytes between the quotes, which are its
 * decoded contents unless escaped is set (then see jsonr_str()).
 */
struct jsonr_val {
	int kind;		/* enum jsonr_kind */
	const char *raw;	/* points into the text */
	size_t len;
	const char *str;	/* JSONR_STRING only; points into the text */
	size_t slen;
	int escaped;		/* the string holds a backslash escape */
};

/* Start reading s[0..n) (not copied; it must outlive r). */
void jsonr_init(struct jsonr *r, const char *s, size_t n, int flags);
/* Step over white space and the '{' of an object. Returns 0 or -1. */
int jsonr_object(struct jsonr *r);
/*
 * The next member of the object opened last: returns 1 with its name in
 * *name (a JSONR_STRING) and the reader at its value, which the caller
 * reads next (jsonr_value(), or jsonr_object() to go inside); 0 after the
 * object's closing '}'; -1 on an error.
 */
int jsonr_member(struct jsonr *r, struct jsonr_val *name);
/* Read the whole value at the reader into *v and step past it. 0 or -1. */
int jsonr_value(struct jsonr *r, struct jsonr_val *v);
/* 0 if only white space is left, else -1 (trailing characters). */
int jsonr_end(struct jsonr *r);
/*
 * The decoded contents of the string v: v->str itself when it has no
 * escape, else decoded into tmp (reset first). Length in *n; valid while
 * the text and tmp are; nothing to free.
 */
const char *jsonr_str(const struct jsonr_val *v, struct buf *tmp, size_t *n);
/* Append the decoded contents of a string the reader accepted to out. */
void jsonr_unescape(const char *s, size_t n, struct buf *out);
/* The error as "why at byte N" (1-based) into buf. Returns -1. */
int jsonr_error(const struct jsonr *r, char *buf, size_t size);

#endif
