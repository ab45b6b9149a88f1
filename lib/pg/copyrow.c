/* copyrow.c: one NDJSON object to one COPY text-format row, in one pass. */
#include "copyrow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonr.h"
#include "util.h"

enum { ST_ABSENT, ST_NULL, ST_VALUE };

static uint32_t
hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	while (n-- > 0)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

void
copyrow_init(struct copyrow *cr, const struct copycol *cols, size_t n, int strict)
{
	size_t i;
	int bits = 0;

	memset(cr, 0, sizeof(*cr));
	cr->cols = xreallocarray(NULL, n ? n : 1, sizeof(*cr->cols));
	memcpy(cr->cols, cols, n * sizeof(*cols));
	cr->ncols = n;
	cr->strict = strict;
	for (i = 0; i < n; i++)
		if (cr->cols[i].defbit >= 0)
			cr->cols[i].defbit = bits < COPYROW_MAXDEFBITS ? bits++ : -1;
	for (cr->nslots = 8; cr->nslots < 2 * n; cr->nslots *= 2)
		;
	cr->slots = xcalloc(cr->nslots, sizeof(*cr->slots));
	for (i = 0; i < n; i++) {
		size_t h = hash(cols[i].name, strlen(cols[i].name)) & (cr->nslots - 1);

		while (cr->slots[h] != 0)
			h = (h + 1) & (cr->nslots - 1);
		cr->slots[h] = (unsigned)i + 1;
	}
	cr->off = xcalloc(n ? n : 1, sizeof(*cr->off));
	cr->len = xcalloc(n ? n : 1, sizeof(*cr->len));
	cr->state = xcalloc(n ? n : 1, 1);
}

void
copyrow_free(struct copyrow *cr)
{
	free(cr->cols);
	free(cr->slots);
	free(cr->off);
	free(cr->len);
	free(cr->state);
	buf_free(&cr->val);
	buf_free(&cr->key);
	memset(cr, 0, sizeof(*cr));
}

/* Column index of a member name, or -1. */
static long
lookup(const struct copyrow *cr, const char *name, size_t n)
{
	size_t h = hash(name, n) & (cr->nslots - 1);
	unsigned i;

	while ((i = cr->slots[h]) != 0) {
		const char *c = cr->cols[i - 1].name;

		if (strncmp(c, name, n) == 0 && c[n] == '\0')
			return (long)i - 1;
		h = (h + 1) & (cr->nslots - 1);
	}
	return -1;
}

/* Append p[0..n) with COPY text-format escaping of \, tab, newline and CR. */
static void
copyesc(struct buf *b, const unsigned char *p, size_t n)
{
	size_t i, run = 0;

	buf_grow(b, n);
	for (i = 0; i < n; i++) {
		const char *e;

		switch (p[i]) {
		case '\\': e = "\\\\"; break;
		case '\t': e = "\\t"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		default: run++; continue;
		}
		buf_append(b, p + i - run, run);
		buf_append(b, e, 2);
		run = 0;
	}
	buf_append(b, p + n - run, run);
}

/* Convert the member value at the reader for column ci into cr->val. */
static int
member_value(struct copyrow *cr, struct jsonr *r, size_t ci)
{
	struct jsonr_val v;
	const char *s;
	size_t n;

	if (jsonr_value(r, &v) < 0)
		return -1;
	cr->off[ci] = cr->val.len;
	switch (v.kind) {
	case JSONR_NULL:
		break;
	case JSONR_STRING:
		if (!cr->cols[ci].is_json) {
			s = jsonr_str(&v, &cr->key, &n);
			copyesc(&cr->val, (const unsigned char *)s, n);
			break;
		}
		/* FALLTHROUGH */
	case JSONR_OBJECT: case JSONR_ARRAY:
		copyesc(&cr->val, (const unsigned char *)v.raw, v.len);
		break;
	default:	/* numbers, true, false: their text needs no escaping */
		buf_append(&cr->val, v.raw, v.len);
	}
	cr->len[ci] = cr->val.len - cr->off[ci];
	cr->state[ci] = v.kind == JSONR_NULL ? ST_NULL : ST_VALUE;
	return 0;
}

int
copyrow_blank(const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '\n')
			return 0;
	return 1;
}

int
copyrow_convert(struct copyrow *cr, const char *line, size_t len,
    struct buf *out, uint64_t *absent, char *err, size_t errsize)
{
	struct jsonr r;
	struct jsonr_val name, v;
	uint64_t mask = 0;
	size_t i;
	int rc, first = 1;

	buf_reset(&cr->val);
	if (cr->ncols > 0)
		memset(cr->state, ST_ABSENT, cr->ncols);

	jsonr_init(&r, line, len, JSONR_NONUL);
	if (jsonr_object(&r) < 0)
		return jsonr_error(&r, err, errsize);
	while ((rc = jsonr_member(&r, &name)) == 1) {
		const char *k;
		size_t klen;
		long ci;

		k = jsonr_str(&name, &cr->key, &klen);
		ci = klen > 0 ? lookup(cr, k, klen) : -1;
		if (ci < 0 && cr->strict) {
			snprintf(err, errsize, "unknown key \"%.*s\"",
			    (int)(klen < 200 ? klen : 200), k);
			return -1;
		}
		if (ci < 0 ? jsonr_value(&r, &v) < 0 :
		    member_value(cr, &r, (size_t)ci) < 0)
			return jsonr_error(&r, err, errsize);
	}
	if (rc < 0 || jsonr_end(&r) < 0)
		return jsonr_error(&r, err, errsize);

	for (i = 0; i < cr->ncols; i++) {
		if (cr->state[i] == ST_ABSENT && cr->cols[i].defbit >= 0) {
			mask |= (uint64_t)1 << cr->cols[i].defbit;
			continue;
		}
		if (!first)
			buf_putc(out, '\t');
		first = 0;
		if (cr->state[i] == ST_VALUE)
			buf_append(out, cr->val.data + cr->off[i], cr->len[i]);
		else
			buf_append(out, "\\N", 2);
	}
	buf_putc(out, '\n');
	*absent = mask;
	return 0;
}
