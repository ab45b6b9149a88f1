/*
 * shard.h: splitting sites between probe hosts by a stable hash of the url.
 * Shard K of N (K from 1 to N) takes the sites whose hash modulo N is K-1, so
 * the N shards are disjoint and together cover every site.
 */
#ifndef WEBMON_SHARD_H
#define WEBMON_SHARD_H

#include <stddef.h>
#include <stdint.h>

/*
 * The stable 64-bit hash of s[0..n): FNV-1a 64 followed by the splitmix64
 * finalizer (so that the low bits used by the modulo are well mixed). It
 * never changes between versions: shards stay put across upgrades.
 */
uint64_t shard_hash(const char *s, size_t n);
/* splitmix64's finalizer: a bijection that spreads the bits of x. */
uint64_t hash_mix(uint64_t x);
/* Parse "K/N" with 1 <= K <= N. Returns 0, or -1 with errstr set. */
int shard_parse(const char *text, unsigned long *k, unsigned long *n,
    char *errstr, size_t errsize);
/* 1 if a site with this hash belongs to shard k of n (1-based), else 0. */
int shard_mine(uint64_t hash, unsigned long k, unsigned long n);

#endif
