/* uuid5.h: name-based UUIDs, version 5 (RFC 9562: SHA-1 of namespace and name). */
#ifndef WEBMON_UUID5_H
#define WEBMON_UUID5_H
#include <stddef.h>
#include <stdint.h>
#include "uuid7.h"

/* SHA-1 of p[0..n) into out (20 bytes). */
void sha1(const void *p, size_t n, unsigned char out[20]);
/*
 * Write the UUIDv5 of name[0..n) in namespace ns (16 bytes) to out, in the
 * canonical lower-case form. The same namespace and name always give the
 * same id.
 */
void uuid5_make(char out[UUID_STRLEN], const unsigned char ns[16],
    const char *name, size_t n);
#endif
