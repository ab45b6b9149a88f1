/* jsonr.c: a strict pull reader of JSON text (see jsonr.h). */
#include "jsonr.h"

#include <stdio.h>
#include <string.h>

#include "utf8.h"

/* Bytes in a string: plain ones run on, the others need a look. */
enum { C_PLAIN, C_QUOTE, C_BSLASH, C_CTRL, C_HIGH };

static const unsigned char strcls[256] = {
	[0x00 ... 0x1f] = C_CTRL,
	['"'] = C_QUOTE,
	['\\'] = C_BSLASH,
	[0x80 ... 0xff] = C_HIGH,
};

static int
fail(struct jsonr *r, const unsigned char *at, const char *why)
{
	if (r->err == NULL) {
		r->err = why;
		r->errpos = (size_t)(at - r->s);
	}
	return -1;
}

static void
skip_ws(struct jsonr *r)
{
	const unsigned char *p = r->p;

	while (p < r->end && (*p == ' ' || *p == '\t' || *p == '\n' ||
	    *p == '\r'))
		p++;
	r->p = p;
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

/* At a backslash: check the escape and return its length (2, 6 or 12). */
static size_t
check_escape(struct jsonr *r, const unsigned char *p)
{
	const unsigned char *e = r->end;
	unsigned cp, lo;

	if (e - p < 2)
		return fail(r, p, "unterminated string"), 0;
	switch (p[1]) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r':
	case 't':
		return 2;
	case 'u':
		break;
	default:
		return fail(r, p, "invalid escape in a string"), 0;
	}
	if (e - p < 6 || hex4(p + 2, &cp) < 0)
		return fail(r, p, "invalid \\u escape"), 0;
	if (cp == 0 && (r->flags & JSONR_NONUL))
		return fail(r, p, "NUL (\\u0000) in a string"), 0;
	if (cp < 0xd800 || cp > 0xdfff)
		return 6;
	if (cp >= 0xdc00 || e - p < 12 || p[6] != '\\' || p[7] != 'u' ||
	    hex4(p + 8, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
		return fail(r, p, "invalid \\u escape (lone surrogate)"), 0;
	return 12;
}

/* At an opening quote: validate the string and step past it. */
static int
scan_string(struct jsonr *r, struct jsonr_val *v)
{
	const unsigned char *p = r->p + 1, *e = r->end;
	size_t l;
	int escaped = 0;

	for (;;) {
		while (e - p >= 4 && strcls[p[0]] == C_PLAIN &&
		    strcls[p[1]] == C_PLAIN && strcls[p[2]] == C_PLAIN &&
		    strcls[p[3]] == C_PLAIN)
			p += 4;
		while (p < e && strcls[*p] == C_PLAIN)
			p++;
		if (p >= e)
			return fail(r, p, "unterminated string");
		switch (strcls[*p]) {
		case C_QUOTE:
			v->kind = JSONR_STRING;
			v->raw = (const char *)r->p;
			v->len = (size_t)(p + 1 - r->p);
			v->str = v->raw + 1;
			v->slen = v->len - 2;
			v->escaped = escaped;
			r->p = p + 1;
			return 0;
		case C_HIGH:
			if ((l = utf8_seqlen(p, (size_t)(e - p))) == 0)
				return fail(r, p, "invalid UTF-8");
			p += l;
			break;
		case C_CTRL:
			return fail(r, p, "control character in a string");
		default:
			if ((l = check_escape(r, p)) == 0)
				return -1;
			escaped = 1;
			p += l;
		}
	}
}

static int
digits(const unsigned char **pp, const unsigned char *e)
{
	const unsigned char *p = *pp;

	if (p >= e || *p < '0' || *p > '9')
		return -1;
	while (p < e && *p >= '0' && *p <= '9')
		p++;
	*pp = p;
	return 0;
}

static int
scan_number(struct jsonr *r)
{
	const unsigned char *p = r->p, *e = r->end;

	if (p < e && *p == '-')
		p++;
	if (p < e && *p == '0')
		p++;
	else if (p >= e || *p < '1' || *p > '9' || digits(&p, e) < 0)
		return fail(r, r->p, r->p < e && (*r->p == '-' ||
		    (*r->p >= '0' && *r->p <= '9')) ? "invalid number" :
		    "invalid JSON value");
	if (p < e && *p == '.') {
		p++;
		if (digits(&p, e) < 0)
			return fail(r, r->p, "invalid number");
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (digits(&p, e) < 0)
			return fail(r, r->p, "invalid number");
	}
	r->p = p;
	return 0;
}

static int
scan_word(struct jsonr *r, const char *w, size_t n)
{
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0)
		return fail(r, r->p, "invalid JSON value");
	r->p += n;
	return 0;
}

/* A member name and its ':', up to the value. */
static int
member_name(struct jsonr *r, struct jsonr_val *name)
{
	if (r->p >= r->end || *r->p != '"')
		return fail(r, r->p, "expected a member name");
	if (scan_string(r, name) < 0)
		return -1;
	skip_ws(r);
	if (r->p >= r->end || *r->p != ':')
		return fail(r, r->p, "expected ':'");
	r->p++;
	skip_ws(r);
	return 0;
}

static int
open_nest(struct jsonr *r)
{
	if (r->depth >= JSONR_MAXDEPTH)
		return fail(r, r->p, "nested too deeply");
	r->depth++;
	r->p++;
	return 0;
}

/* Step over the value at r->p (white space skipped); its kind or -1. */
static int
scan_value(struct jsonr *r, struct jsonr_val *v)
{
	int kind, close;

	if (r->p >= r->end)
		return fail(r, r->p, "missing value");
	switch (*r->p) {
	case '"':
		return scan_string(r, v) < 0 ? -1 : JSONR_STRING;
	case 't':
		return scan_word(r, "true", 4) < 0 ? -1 : JSONR_TRUE;
	case 'f':
		return scan_word(r, "false", 5) < 0 ? -1 : JSONR_FALSE;
	case 'n':
		return scan_word(r, "null", 4) < 0 ? -1 : JSONR_NULL;
	case '{':
		kind = JSONR_OBJECT, close = '}';
		break;
	case '[':
		kind = JSONR_ARRAY, close = ']';
		break;
	default:
		return scan_number(r) < 0 ? -1 : JSONR_NUMBER;
	}
	if (open_nest(r) < 0)
		return -1;
	skip_ws(r);
	if (r->p < r->end && *r->p == close)
		goto closed;
	for (;;) {
		if (kind == JSONR_OBJECT && member_name(r, v) < 0)
			return -1;
		if (scan_value(r, v) < 0)
			return -1;
		skip_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			skip_ws(r);
			continue;
		}
		if (r->p < r->end && *r->p == close)
			break;
		return fail(r, r->p, kind == JSONR_OBJECT ?
		    "expected ',' or '}'" : "expected ',' or ']'");
	}
closed:
	r->p++;
	r->depth--;
	return kind;
}

void
jsonr_init(struct jsonr *r, const char *s, size_t n, int flags)
{
	memset(r, 0, sizeof(*r));
	r->s = r->p = (const unsigned char *)s;
	r->end = r->s + n;
	r->flags = flags;
}

int
jsonr_object(struct jsonr *r)
{
	if (r->err != NULL)
		return -1;
	skip_ws(r);
	if (r->p >= r->end || *r->p != '{')
		return fail(r, r->p, "not a JSON object");
	if (open_nest(r) < 0)
		return -1;
	r->first = 1;
	return 0;
}

int
jsonr_member(struct jsonr *r, struct jsonr_val *name)
{
	if (r->err != NULL)
		return -1;
	if (r->depth == 0)
		return fail(r, r->p, "not in an object");
	skip_ws(r);
	if (r->p < r->end && *r->p == '}' ) {
		r->p++;
		r->depth--;
		r->first = 0;
		return 0;
	}
	if (!r->first) {
		if (r->p >= r->end || *r->p != ',')
			return fail(r, r->p, "expected ',' or '}'");
		r->p++;
		skip_ws(r);
	}
	r->first = 0;
	return member_name(r, name) < 0 ? -1 : 1;
}

int
jsonr_value(struct jsonr *r, struct jsonr_val *v)
{
	const unsigned char *start;
	int kind;

	if (r->err != NULL)
		return -1;
	skip_ws(r);
	start = r->p;
	if ((kind = scan_value(r, v)) < 0)
		return -1;
	if (kind != JSONR_STRING) {
		v->str = NULL;
		v->slen = 0;
		v->escaped = 0;
	}
	v->kind = kind;
	v->raw = (const char *)start;
	v->len = (size_t)(r->p - start);
	r->first = 0;
	return 0;
}

int
jsonr_end(struct jsonr *r)
{
	if (r->err != NULL)
		return -1;
	skip_ws(r);
	if (r->p != r->end)
		return fail(r, r->p, "trailing characters after the value");
	return 0;
}

static void
put_utf8(struct buf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_append(b, u, n);
}

void
jsonr_unescape(const char *s, size_t n, struct buf *out)
{
	const char *end = s + n;

	buf_grow(out, n);
	while (s < end) {
		const char *bs = memchr(s, '\\', (size_t)(end - s));
		unsigned cp, lo;
		char c;

		if (bs == NULL || end - bs < 2) {
			buf_append(out, s, (size_t)(end - s));
			return;
		}
		buf_append(out, s, (size_t)(bs - s));
		s = bs + 2;
		switch (bs[1]) {
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			if (end - s < 4 ||
			    hex4((const unsigned char *)s, &cp) < 0)
				continue;	/* not from the reader */
			s += 4;
			if (cp >= 0xd800 && cp <= 0xdbff && end - s >= 6 &&
			    s[0] == '\\' && s[1] == 'u' &&
			    hex4((const unsigned char *)s + 2, &lo) == 0 &&
			    lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				s += 6;
			}
			put_utf8(out, cp);
			continue;
		default:	/* '"', '\\', '/' */
			c = bs[1];
		}
		buf_putc(out, c);
	}
}

const char *
jsonr_str(const struct jsonr_val *v, struct buf *tmp, size_t *n)
{
	if (!v->escaped) {
		*n = v->slen;
		return v->str;
	}
	buf_reset(tmp);
	jsonr_unescape(v->str, v->slen, tmp);
	*n = tmp->len;
	return tmp->data;
}

int
jsonr_error(const struct jsonr *r, char *buf, size_t size)
{
	snprintf(buf, size, "%s at byte %zu", r->err ? r->err : "no error",
	    r->errpos + 1);
	return -1;
}
