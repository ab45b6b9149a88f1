/*
 * jsonkey.h: find one top-level member of a JSON object in a line without
 * parsing the whole line, e.g. the "url" of a result record to use as a
 * Kafka message key. Only the bytes up to the member are looked at, so a
 * line that is broken after it still yields the member.
 */
#ifndef WEBMON_JSONKEY_H
#define WEBMON_JSONKEY_H

#include <stddef.h>

#include "buf.h"

/*
 * Look for member name (namelen bytes) in the object in s[0..n). A string
 * value gives its decoded contents; a number, true or false gives its text.
 * Returns 1 with *val and *vallen set (pointing into s, or into tmp when the
 * string had escapes; valid until s or tmp change; nothing to free), or 0
 * when s is not an object, the member is missing, null, an object or an
 * array, or the text is malformed before the member.
 */
int jsonkey_find(const char *s, size_t n, const char *name, size_t namelen,
    struct buf *tmp, const char **val, size_t *vallen);

#endif
