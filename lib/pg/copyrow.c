/* copyrow.c: one NDJSON object to one COPY text-format row, in one pass. */
#include "copyrow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "util.h"

#define MAXDEPTH 256

enum { ST_ABSENT, ST_NULL, ST_VALUE };
enum { K_STR, K_NUM, K_TRUE, K_FALSE, K_NULL, K_OBJ, K_ARR };

struct scan {
	const unsigned char *s, *p, *end;
	char *err;
	size_t errsize;
	int depth;
};

static int
fail(struct scan *sc, const char *what)
{
	snprintf(sc->err, sc->errsize, "%s at byte %zu", what,
	    (size_t)(sc->p - sc->s) + 1);
	return -1;
}

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

static void
skip_ws(struct scan *sc)
{
	while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t' ||
	    *sc->p == '\n' || *sc->p == '\r'))
		sc->p++;
}

static int
hex4(const unsigned char *p, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned c = p[i];

		if (c >= '0' && c <= '9')
			c -= '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			c = (c | 0x20) - 'a' + 10;
		else
			return -1;
		v = v << 4 | c;
	}
	*out = v;
	return 0;
}

static size_t
utf8_put(unsigned char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Scan a string at sc->p (on its opening quote). With out, append the
 * decoded text, COPY-escaped when esc is set.
 */
static int
scan_string(struct scan *sc, struct buf *out, int esc)
{
	const unsigned char *run;

	sc->p++;
	run = sc->p;
	for (;;) {
		unsigned char c, tmp[4];
		unsigned cp, lo;
		size_t l;

		if (sc->p >= sc->end)
			return fail(sc, "unterminated string");
		c = *sc->p;
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			sc->p++;
			continue;
		}
		if (c >= 0x80) {
			if ((l = utf8_seqlen(sc->p, (size_t)(sc->end - sc->p))) == 0)
				return fail(sc, "invalid UTF-8");
			sc->p += l;
			continue;
		}
		if (c < 0x20)
			return fail(sc, "control character in a string");
		if (out) {
			if (esc)
				copyesc(out, run, (size_t)(sc->p - run));
			else
				buf_append(out, run, (size_t)(sc->p - run));
		}
		if (c == '"') {
			sc->p++;
			return 0;
		}
		/* A backslash escape. */
		if (sc->p + 1 >= sc->end)
			return fail(sc, "unterminated string");
		l = 1;
		switch (sc->p[1]) {
		case '"': tmp[0] = '"'; break;
		case '\\': tmp[0] = '\\'; break;
		case '/': tmp[0] = '/'; break;
		case 'b': tmp[0] = '\b'; break;
		case 'f': tmp[0] = '\f'; break;
		case 'n': tmp[0] = '\n'; break;
		case 'r': tmp[0] = '\r'; break;
		case 't': tmp[0] = '\t'; break;
		case 'u':
			if (sc->end - sc->p < 6 || hex4(sc->p + 2, &cp) < 0)
				return fail(sc, "invalid \\u escape");
			if (cp == 0)
				return fail(sc, "NUL (\\u0000) in a string");
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return fail(sc, "invalid \\u escape (lone surrogate)");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (sc->end - sc->p < 12 || sc->p[6] != '\\' ||
				    sc->p[7] != 'u' || hex4(sc->p + 8, &lo) < 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return fail(sc, "invalid \\u escape (lone surrogate)");
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				sc->p += 6;
			}
			l = utf8_put(tmp, cp);
			sc->p += 4;
			break;
		default:
			return fail(sc, "invalid escape in a string");
		}
		sc->p += 2;
		run = sc->p;
		if (out) {
			if (esc)
				copyesc(out, tmp, l);
			else
				buf_append(out, tmp, l);
		}
	}
}

static int
scan_number(struct scan *sc)
{
	const unsigned char *p = sc->p, *e = sc->end;

	if (p < e && *p == '-')
		p++;
	if (p < e && *p == '0')
		p++;
	else if (p < e && *p >= '1' && *p <= '9')
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	else
		return fail(sc, "invalid number");
	if (p < e && *p == '.') {
		if (++p >= e || *p < '0' || *p > '9')
			return fail(sc, "invalid number");
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (p >= e || *p < '0' || *p > '9')
			return fail(sc, "invalid number");
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	sc->p = p;
	return K_NUM;
}

static int
scan_word(struct scan *sc, const char *w, int kind)
{
	size_t n = strlen(w);

	if ((size_t)(sc->end - sc->p) < n || memcmp(sc->p, w, n) != 0)
		return fail(sc, "invalid JSON value");
	sc->p += n;
	return kind;
}

/* Validate the value at sc->p and move past it; returns its kind or -1. */
static int
scan_value(struct scan *sc)
{
	int kind, close;

	if (sc->p >= sc->end)
		return fail(sc, "missing value");
	switch (*sc->p) {
	case '"':
		return scan_string(sc, NULL, 0) < 0 ? -1 : K_STR;
	case 't':
		return scan_word(sc, "true", K_TRUE);
	case 'f':
		return scan_word(sc, "false", K_FALSE);
	case 'n':
		return scan_word(sc, "null", K_NULL);
	case '{':
		kind = K_OBJ, close = '}';
		break;
	case '[':
		kind = K_ARR, close = ']';
		break;
	default:
		return scan_number(sc);
	}
	if (++sc->depth > MAXDEPTH)
		return fail(sc, "nested too deeply");
	sc->p++;
	skip_ws(sc);
	if (sc->p < sc->end && *sc->p == close) {
		sc->p++;
		sc->depth--;
		return kind;
	}
	for (;;) {
		if (kind == K_OBJ) {
			if (sc->p >= sc->end || *sc->p != '"')
				return fail(sc, "expected a member name");
			if (scan_string(sc, NULL, 0) < 0)
				return -1;
			skip_ws(sc);
			if (sc->p >= sc->end || *sc->p != ':')
				return fail(sc, "expected ':'");
			sc->p++;
			skip_ws(sc);
		}
		if (scan_value(sc) < 0)
			return -1;
		skip_ws(sc);
		if (sc->p < sc->end && *sc->p == ',') {
			sc->p++;
			skip_ws(sc);
			continue;
		}
		if (sc->p < sc->end && *sc->p == close) {
			sc->p++;
			sc->depth--;
			return kind;
		}
		return fail(sc, kind == K_OBJ ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

/* Convert the member value at sc->p for column ci into cr->val. */
static int
member_value(struct copyrow *cr, struct scan *sc, size_t ci)
{
	const unsigned char *start = sc->p;
	int kind;

	cr->off[ci] = cr->val.len;
	if (sc->p < sc->end && *sc->p == '"' && !cr->cols[ci].is_json) {
		if (scan_string(sc, &cr->val, 1) < 0)
			return -1;
		kind = K_STR;
	} else {
		if ((kind = scan_value(sc)) < 0)
			return -1;
		if (kind == K_OBJ || kind == K_ARR || kind == K_STR)
			copyesc(&cr->val, start, (size_t)(sc->p - start));
		else if (kind != K_NULL)
			buf_append(&cr->val, start, (size_t)(sc->p - start));
	}
	cr->len[ci] = cr->val.len - cr->off[ci];
	cr->state[ci] = kind == K_NULL ? ST_NULL : ST_VALUE;
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
	struct scan sc;
	uint64_t mask = 0;
	size_t i;
	int first = 1;

	sc.s = sc.p = (const unsigned char *)line;
	sc.end = sc.s + len;
	sc.err = err;
	sc.errsize = errsize;
	sc.depth = 0;
	buf_reset(&cr->val);
	if (cr->ncols > 0)
		memset(cr->state, ST_ABSENT, cr->ncols);

	skip_ws(&sc);
	if (sc.p >= sc.end || *sc.p != '{')
		return fail(&sc, "not a JSON object");
	sc.p++;
	skip_ws(&sc);
	if (sc.p < sc.end && *sc.p == '}') {
		sc.p++;
		goto end;
	}
	for (;;) {
		long ci;

		if (sc.p >= sc.end || *sc.p != '"')
			return fail(&sc, "expected a member name");
		buf_reset(&cr->key);
		if (scan_string(&sc, &cr->key, 0) < 0)
			return -1;
		skip_ws(&sc);
		if (sc.p >= sc.end || *sc.p != ':')
			return fail(&sc, "expected ':'");
		sc.p++;
		skip_ws(&sc);
		ci = cr->key.len > 0 ? lookup(cr, cr->key.data, cr->key.len) : -1;
		if (ci < 0 && cr->strict) {
			snprintf(err, errsize, "unknown key \"%.200s\"",
			    cr->key.len ? cr->key.data : "");
			return -1;
		}
		if (ci < 0 ? scan_value(&sc) < 0 : member_value(cr, &sc, (size_t)ci) < 0)
			return -1;
		skip_ws(&sc);
		if (sc.p < sc.end && *sc.p == ',') {
			sc.p++;
			skip_ws(&sc);
			continue;
		}
		if (sc.p < sc.end && *sc.p == '}') {
			sc.p++;
			break;
		}
		return fail(&sc, "expected ',' or '}'");
	}
end:
	skip_ws(&sc);
	if (sc.p != sc.end)
		return fail(&sc, "trailing characters after the object");

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
