/* kdelim.h: kcat's -D and -K delimiters (both programs). */
#ifndef WEBMON_KDELIM_H
#define WEBMON_KDELIM_H

#include <stddef.h>

/*
 * Decode a -D or -K delimiter as kcat does (\n, \t and \xNN, each pass
 * the first escape of a kind, until none is left). Returns the bytes
 * (caller frees) and, if len is not NULL, their length; or NULL with
 * errstr set (no hex digit after \x, a NUL byte).
 */
char *kdelim_decode(const char *in, size_t *len, char *errstr,
    size_t errsize);

#endif
