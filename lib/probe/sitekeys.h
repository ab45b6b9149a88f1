/*
 * sitekeys.h: the site keys of webmon(7) beyond the basic ones: checks
 * (not_regex, json, headers_expect, degraded_ms, cert_days) and transport
 * (http, ip_version, resolve, cacert, cert, key, insecure, tls_min, user).
 */
#ifndef WEBMON_SITEKEYS_H
#define WEBMON_SITEKEYS_H

#include <stddef.h>
#include <jansson.h>

#include "sites.h"

/* Set the defaults of the keys handled here ("none" everywhere). */
void sitekeys_init(struct site *s);
/*
 * Parse key with value v into s. Returns 1 when the key was handled, 0
 * when it is not one of these keys, -1 with errstr set when the value is
 * bad (an unreadable file, a bad pointer, an unresolvable reference).
 * Never puts a secret into errstr.
 */
int sitekeys_parse(struct site *s, const char *key, json_t *v, char *errstr,
    size_t errsize);
/* Release what sitekeys_parse() stored in s. */
void sitekeys_free(struct site *s);

#endif
