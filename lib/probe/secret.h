/*
 * secret.h: ${NAME} and ${file:PATH} references in site values (webmon(7)):
 * replaced by an environment variable or a file's contents when the sites
 * are loaded, so that secrets can stay out of the sites file. Error
 * messages name the reference, never a value.
 */
#ifndef WEBMON_SECRET_H
#define WEBMON_SECRET_H

#include <stddef.h>

/* Largest ${file:PATH} contents accepted, in bytes. */
#define SECRET_FILE_MAX (64 * 1024)

/*
 * Replace every reference in s[0..len) ("$${" is a literal "${").
 * Returns 1 with *out (NUL-terminated, *outlen bytes, caller frees) when
 * s held a reference, 0 when it held none (*out untouched), -1 with
 * errstr naming the reference and why when one cannot be resolved (unset
 * variable, unreadable or empty file, bad syntax). An empty value never
 * replaces a reference.
 */
int secret_expand(const char *s, size_t len, char **out, size_t *outlen,
    char *errstr, size_t errsize);

#endif
