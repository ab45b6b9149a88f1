/* kkey.c: the Kafka message key of an input line (see kkey.h). */
#include "kkey.h"

#include <string.h>

#include "jsonr.h"

const char *
kkey_member(const char *s, size_t n, const char *name, size_t namelen,
    struct buf *tmp, size_t *keylen)
{
	struct jsonr r;
	struct jsonr_val m, v;
	const char *k;
	size_t klen;

	jsonr_init(&r, s, n, 0);
	if (jsonr_object(&r) < 0)
		return NULL;
	while (jsonr_member(&r, &m) == 1) {
		k = jsonr_str(&m, tmp, &klen);
		if (jsonr_value(&r, &v) < 0)
			return NULL;
		if (klen != namelen || memcmp(k, name, namelen) != 0)
			continue;
		switch (v.kind) {
		case JSONR_STRING:
			k = jsonr_str(&v, tmp, keylen);
			return k ? k : "";
		case JSONR_NUMBER: case JSONR_TRUE: case JSONR_FALSE:
			*keylen = v.len;
			return v.raw;
		default:
			return NULL;	/* null, object or array: no key */
		}
	}
	return NULL;
}

/*
 * The fast path of kkey_member() for a line whose members up to the one
 * named are plain: names and strings of printable ASCII without escapes,
 * numbers, true, false or null. Returns 1 with the answer (*key, NULL for
 * none) when the line is that simple, the same answer kkey_member() would
 * give; 0 when it is not, and kkey_member() must read it.
 */
static int
member_key_fast(const char *s, size_t n, const char *name, size_t namelen,
    const char **key, size_t *keylen)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n, *v;
	const unsigned char *nm;
	int match;

#define WS()	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || \
		    *p == '\r')) p++
	WS();
	if (p >= e || *p != '{')
		return 0;
	p++;
	WS();
	if (p < e && *p == '}') {
		*key = NULL;		/* {}: no member */
		return 1;
	}
	for (;;) {
		/* The name: "plain ASCII" then ':'. */
		if (p >= e || *p != '"')
			return 0;
		for (nm = ++p; p < e && *p >= 0x20 && *p < 0x7f && *p != '"' &&
		    *p != '\\'; p++)
			;
		if (p >= e || *p != '"')
			return 0;
		match = (size_t)(p - nm) == namelen &&
		    memcmp(nm, name, namelen) == 0;
		p++;
		WS();
		if (p >= e || *p != ':')
			return 0;
		p++;
		WS();
		/* The value. */
		if (p >= e)
			return 0;
		v = p;
		if (*p == '"') {
			for (p++; p < e && *p >= 0x20 && *p < 0x7f &&
			    *p != '"' && *p != '\\'; p++)
				;
			if (p >= e || *p != '"')
				return 0;
			p++;
			if (match) {
				*key = (const char *)v + 1;
				*keylen = (size_t)(p - v - 2);
				return 1;
			}
		} else if (*p == 't' || *p == 'f' || *p == 'n') {
			const char *w = *p == 't' ? "true" : *p == 'f' ?
			    "false" : "null";
			size_t wl = strlen(w);

			if ((size_t)(e - p) < wl || memcmp(p, w, wl) != 0)
				return 0;
			p += wl;
			if (match) {
				*key = *v == 'n' ? NULL : (const char *)v;
				*keylen = wl;
				return 1;
			}
		} else if (*p == '-' || (*p >= '0' && *p <= '9')) {
			/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
			if (*p == '-')
				p++;
			if (p < e && *p == '0')
				p++;
			else if (p < e && *p >= '1' && *p <= '9')
				while (p < e && *p >= '0' && *p <= '9')
					p++;
			else
				return 0;
			if (p < e && *p == '.') {
				if (++p >= e || *p < '0' || *p > '9')
					return 0;
				while (p < e && *p >= '0' && *p <= '9')
					p++;
			}
			if (p < e && (*p == 'e' || *p == 'E')) {
				if (++p < e && (*p == '+' || *p == '-'))
					p++;
				if (p >= e || *p < '0' || *p > '9')
					return 0;
				while (p < e && *p >= '0' && *p <= '9')
					p++;
			}
			if (match) {
				*key = (const char *)v;
				*keylen = (size_t)(p - v);
				return 1;
			}
		} else
			return 0;	/* an object, an array, or an error */
		WS();
		if (p < e && *p == '}') {
			*key = NULL;	/* the end: no such member */
			return 1;
		}
		if (p >= e || *p != ',')
			return 0;
		p++;
		WS();
	}
#undef WS
}

const char *
kkey_find(struct kkey *kk, const char **payload, size_t *len, size_t *keylen,
    int *delim)
{
	const char *k = NULL, *d;

	if (kk->delim && (d = memmem(*payload, *len, kk->delim,
	    kk->dlen)) != NULL) {
		k = *payload;
		*delim = 1;
		*keylen = (size_t)(d - k);
		*len -= *keylen + kk->dlen;
		*payload = d + kk->dlen;
		if (kk->nulls && *keylen == 0)
			k = NULL;	/* none, not -k's */
	} else {
		if (!kk->delim && !kk->key && *kk->field) {
			size_t fl = strlen(kk->field);

			if (!member_key_fast(*payload, *len, kk->field, fl,
			    &k, keylen))
				k = kkey_member(*payload, *len, kk->field, fl,
				    &kk->tmp, keylen);
		}
		if (k == NULL && kk->key) {	/* as kcat: -k without -K's */
			*keylen = strlen(kk->key);
			k = kk->key;
		}
	}
	if (kk->nulls && *len == 0)
		*payload = NULL;
	return k;
}

void
kkey_free(struct kkey *kk)
{
	buf_free(&kk->tmp);
}
