/* kkey.c: the Kafka message key of an input line (see kkey.h). */
#include "kkey.h"

#include <string.h>

#include "jsonr.h"

/*
 * The member name (namelen bytes) of the object in s[0..n): a string gives
 * its decoded contents, a number, true or false its text. Only the bytes up
 * to the member are read, so a line broken after it still has a key. NULL
 * when s is no object, the member is missing, null, an object or an array,
 * or the text before it is not valid JSON.
 */
static const char *
member_key(const char *s, size_t n, const char *name, size_t namelen,
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

const char *
kkey_find(struct kkey *kk, const char **payload, size_t *len, size_t *keylen,
    int *delim)
{
	const char *k;

	if (kk->key) {
		*keylen = strlen(kk->key);
		return kk->key;
	}
	if (kk->delim) {
		size_t dl = strlen(kk->delim);
		const char *d = memmem(*payload, *len, kk->delim, dl);

		if (d == NULL)
			return NULL;	/* as kcat: no delimiter, no key */
		k = *payload;
		*delim = 1;
		*keylen = (size_t)(d - k);
		*len -= *keylen + dl;
		*payload = d + dl;
		return k;
	}
	if (*kk->field)
		return member_key(*payload, *len, kk->field, strlen(kk->field),
		    &kk->tmp, keylen);
	return NULL;
}

void
kkey_free(struct kkey *kk)
{
	buf_free(&kk->tmp);
}
