/* shard.c: stable url hashing for --shard K/N. */
#include "shard.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

uint64_t
shard_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return hash_mix(h);
}

uint64_t
hash_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

int
shard_parse(const char *text, unsigned long *k, unsigned long *n,
    char *errstr, size_t errsize)
{
	char kbuf[32];
	const char *slash = strchr(text, '/');
	long kv, nv;
	size_t klen;

	if (slash == NULL || (klen = (size_t)(slash - text)) >= sizeof(kbuf))
		goto bad;
	memcpy(kbuf, text, klen);
	kbuf[klen] = '\0';
	if (parse_long(kbuf, 1, 1000000, &kv) < 0 ||
	    parse_long(slash + 1, 1, 1000000, &nv) < 0 || kv > nv)
		goto bad;
	*k = (unsigned long)kv;
	*n = (unsigned long)nv;
	return 0;
bad:
	snprintf(errstr, errsize, "bad shard '%s': want K/N with 1 <= K <= N",
	    text);
	return -1;
}

int
shard_mine(uint64_t hash, unsigned long k, unsigned long n)
{
	return hash % n == k - 1;
}
