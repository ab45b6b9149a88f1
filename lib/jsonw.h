/*
 * jsonw.h: a small JSON writer appending to a struct buf. Strings are always
 * valid JSON: control characters are escaped and invalid UTF-8 bytes become
 * U+FFFD, so a record is never a broken line.
 */
#ifndef WEBMON_JSONW_H
#define WEBMON_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define JSONW_MAXDEPTH 32

struct jsonw {
	struct buf *b;		/* not owned */
	int depth;
	unsigned char first[JSONW_MAXDEPTH];	/* no member written yet at this level */
};

void jsonw_init(struct jsonw *w, struct buf *b);
void jsonw_obj_begin(struct jsonw *w);
void jsonw_obj_end(struct jsonw *w);
void jsonw_arr_begin(struct jsonw *w);
void jsonw_arr_end(struct jsonw *w);
/* Write a member name; the next value call writes its value. */
void jsonw_key(struct jsonw *w, const char *key);
void jsonw_str(struct jsonw *w, const char *s);	/* NULL writes null */
void jsonw_strn(struct jsonw *w, const char *s, size_t n);
void jsonw_null(struct jsonw *w);
void jsonw_bool(struct jsonw *w, int v);
void jsonw_int(struct jsonw *w, int64_t v);
/* A number of milliseconds with three decimals; a negative value writes null. */
void jsonw_ms(struct jsonw *w, double ms);
/* Already-encoded JSON text, written as is. */
void jsonw_raw(struct jsonw *w, const char *json, size_t n);

/* Append s[0..n) to b as a quoted JSON string (no separators). */
void json_quote(struct buf *b, const char *s, size_t n);

#endif
