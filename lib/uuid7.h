/* uuid7.h: UUID version 7 (RFC 9562): time-ordered, random, unique per probe. */
#ifndef WEBMON_UUID7_H
#define WEBMON_UUID7_H

#include <stdint.h>

#define UUID_STRLEN 37	/* 36 characters and the NUL */

/*
 * Write a new UUIDv7 for the given Unix time in milliseconds to out. Ids made
 * by one process sort in creation order, even within one millisecond.
 */
void uuid7_make(char out[UUID_STRLEN], int64_t unix_ms);

#endif
