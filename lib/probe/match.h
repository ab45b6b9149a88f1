/*
 * match.h: PCRE2 regular expressions searched in response bodies, compiled
 * with JIT when available, with match and depth limits so that a pattern
 * with catastrophic backtracking fails with an error instead of hanging.
 */
#ifndef WEBMON_MATCH_H
#define WEBMON_MATCH_H

#include <stddef.h>

struct matcher;

/*
 * Compile pattern (UTF-8; the subject may be any bytes). Returns a matcher
 * the caller frees with matcher_free(), or NULL with errstr set.
 */
struct matcher *matcher_new(const char *pattern, char *errstr, size_t errsize);
/*
 * Search subject[0..len). Returns 1 and sets *moff and *mlen to the first match,
 * 0 when there is no match, -1 with errstr set when matching failed (match
 * or depth limit hit, JIT stack exhausted). Safe to call from several
 * threads (each thread gets its own JIT stack, created on first use).
 */
int matcher_exec(const struct matcher *m, const char *subject, size_t len,
    size_t *moff, size_t *mlen, char *errstr, size_t errsize);
/* Release a matcher; NULL is fine. */
void matcher_free(struct matcher *m);

#endif
