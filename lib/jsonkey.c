/* jsonkey.c: pick one top-level member out of a JSON object line. */
#include "jsonkey.h"

#include <string.h>

struct scan {
	const char *p, *end;
};

static void
skip_ws(struct scan *sc)
{
	while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t' ||
	    *sc->p == '\n' || *sc->p == '\r'))
		sc->p++;
}

/*
 * At an opening quote: step past the closing one. *start and *len get the
 * raw contents and *escaped says whether a backslash occurred. -1 if
 * unclosed.
 */
static int
scan_string(struct scan *sc, const char **start, size_t *len, int *escaped)
{
	const char *p = sc->p + 1, *q;

	for (;;) {
		const char *b;

		if ((q = memchr(p, '"', (size_t)(sc->end - p))) == NULL)
			return -1;
		/* an odd run of backslashes before it escapes the quote */
		for (b = q; b > sc->p + 1 && b[-1] == '\\'; b--)
			;
		if ((q - b) % 2 == 0)
			break;
		p = q + 1;
	}
	*start = sc->p + 1;
	*len = (size_t)(q - *start);
	*escaped = memchr(*start, '\\', *len) != NULL;
	sc->p = q + 1;
	return 0;
}

static int
hexval(const char *p, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
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
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	buf_append(b, u, n);
}

/* Decode the raw contents of a JSON string into b. -1 on a bad escape. */
static int
unescape(const char *s, size_t n, struct buf *b)
{
	const char *end = s + n;

	buf_reset(b);
	while (s < end) {
		const char *bs = memchr(s, '\\', (size_t)(end - s));
		unsigned cp, lo;

		if (bs == NULL) {
			buf_append(b, s, (size_t)(end - s));
			break;
		}
		buf_append(b, s, (size_t)(bs - s));
		if (bs + 1 >= end)
			return -1;
		s = bs + 2;
		switch (bs[1]) {
		case '"': case '\\': case '/':
			buf_putc(b, bs[1]);
			break;
		case 'b': buf_putc(b, '\b'); break;
		case 'f': buf_putc(b, '\f'); break;
		case 'n': buf_putc(b, '\n'); break;
		case 'r': buf_putc(b, '\r'); break;
		case 't': buf_putc(b, '\t'); break;
		case 'u':
			if (end - s < 4 || hexval(s, &cp) < 0)
				return -1;
			s += 4;
			if (cp >= 0xD800 && cp < 0xDC00 && end - s >= 6 &&
			    s[0] == '\\' && s[1] == 'u' && hexval(s + 2, &lo) == 0 &&
			    lo >= 0xDC00 && lo < 0xE000) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				s += 6;
			} else if (cp >= 0xD800 && cp < 0xE000)
				cp = 0xFFFD;	/* lone surrogate */
			put_utf8(b, cp);
			break;
		default:
			return -1;
		}
	}
	return 0;
}

/* Step over one value of any type. -1 if malformed or unterminated. */
static int
skip_value(struct scan *sc)
{
	const char *s;
	size_t len;
	int esc, depth = 0;

	do {
		if (sc->p >= sc->end)
			return -1;
		switch (*sc->p) {
		case '"':
			if (scan_string(sc, &s, &len, &esc) < 0)
				return -1;
			continue;
		case '{': case '[':
			depth++;
			break;
		case '}': case ']':
			if (depth == 0)
				return -1;
			depth--;
			break;
		case ',': case ':': case ' ': case '\t': case '\r': case '\n':
			if (depth == 0)
				return -1;
			break;
		default:
			if (depth == 0) {
				/* a bare scalar: up to the next delimiter */
				while (sc->p < sc->end && !strchr(",}] \t\r\n", *sc->p))
					sc->p++;
				return 0;
			}
		}
		sc->p++;
	} while (depth > 0);
	return 0;
}

int
jsonkey_find(const char *s, size_t n, const char *name, size_t namelen,
    struct buf *tmp, const char **val, size_t *vallen)
{
	struct scan sc = { s, s + n };
	const char *k;
	size_t klen;
	int esc, match;

	skip_ws(&sc);
	if (sc.p >= sc.end || *sc.p != '{')
		return 0;
	sc.p++;
	for (;;) {
		skip_ws(&sc);
		if (sc.p >= sc.end || *sc.p != '"')
			return 0;	/* '}' (no such member) or junk */
		if (scan_string(&sc, &k, &klen, &esc) < 0)
			return 0;
		if (esc) {
			if (unescape(k, klen, tmp) < 0)
				return 0;
			match = tmp->len == namelen && memcmp(tmp->data, name, namelen) == 0;
		} else
			match = klen == namelen && memcmp(k, name, namelen) == 0;
		skip_ws(&sc);
		if (sc.p >= sc.end || *sc.p != ':')
			return 0;
		sc.p++;
		skip_ws(&sc);
		if (sc.p >= sc.end)
			return 0;
		if (match) {
			const char *v = sc.p;

			if (*v == '"') {
				if (scan_string(&sc, &k, &klen, &esc) < 0)
					return 0;
				if (!esc) {
					*val = k;
					*vallen = klen;
					return 1;
				}
				if (unescape(k, klen, tmp) < 0)
					return 0;
				*val = tmp->data ? tmp->data : "";
				*vallen = tmp->len;
				return 1;
			}
			if (*v == '{' || *v == '[' || *v == 'n')
				return 0;	/* object, array or null: no key */
			if (skip_value(&sc) < 0 || sc.p == v)
				return 0;
			*val = v;
			*vallen = (size_t)(sc.p - v);
			return 1;
		}
		if (skip_value(&sc) < 0)
			return 0;
		skip_ws(&sc);
		if (sc.p >= sc.end || *sc.p != ',')
			return 0;
		sc.p++;
	}
}
