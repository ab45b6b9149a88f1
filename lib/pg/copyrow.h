/*
 * copyrow.h: turn one NDJSON object into one row of PostgreSQL's COPY text
 * format for a fixed list of columns, in a single pass and without building
 * a tree. Numbers keep their original text, so nothing is rounded on the
 * way; the column's own input function decides whether a value fits.
 */
#ifndef WEBMON_COPYROW_H
#define WEBMON_COPYROW_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Bit i of a row's mask is set when the column with defbit i was absent. */
#define COPYROW_MAXDEFBITS 64

struct copycol {
	const char *name;	/* not owned */
	int is_json;		/* json/jsonb: every value goes as JSON text */
	int defbit;		/* has a default: its bit in the absent mask, else -1 */
};

struct copyrow {
	struct copycol *cols;	/* owned copy of the array (names not owned) */
	size_t ncols;
	int strict;		/* unknown keys make the row invalid */
	unsigned *slots;	/* open-addressing name hash: column index + 1 */
	size_t nslots;
	struct buf val;		/* scratch: converted values of the current row */
	size_t *off, *len;	/* per column: span in val */
	unsigned char *state;	/* per column: absent, null or value */
	struct buf key;		/* scratch: decoded member name */
};

/*
 * Prepare a converter for cols[0..n). Columns with a default are given
 * defbits in order (at most COPYROW_MAXDEFBITS; later ones get -1).
 * Free with copyrow_free().
 */
void copyrow_init(struct copyrow *cr, const struct copycol *cols, size_t n, int strict);
void copyrow_free(struct copyrow *cr);

/*
 * Convert the JSON object line[0..len) and append its COPY row (ending in
 * '\n') to out. A key that is absent leaves its column out of the row when
 * the column has a default (its bit is set in *absent), else stores NULL.
 * Returns 0, or -1 with a message in err (nothing appended) when the line
 * is not a valid JSON object, holds invalid UTF-8 or a NUL character, or
 * (strict) has a key that is not a column.
 */
int copyrow_convert(struct copyrow *cr, const char *line, size_t len,
    struct buf *out, uint64_t *absent, char *err, size_t errsize);

/* 1 if line[0..len) is empty or only JSON white space. */
int copyrow_blank(const char *line, size_t len);

#endif
