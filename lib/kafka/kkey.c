/* kkey.c: the Kafka message key of an input line (see kkey.h). */
#include "kkey.h"

#include <string.h>

#include "jsonkey.h"

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
	if (*kk->field &&
	    jsonkey_find(*payload, *len, kk->field, strlen(kk->field),
	    &kk->tmp, &k, keylen))
		return k;
	return NULL;
}

void
kkey_free(struct kkey *kk)
{
	buf_free(&kk->tmp);
}
