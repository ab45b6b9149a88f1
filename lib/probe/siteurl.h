/*
 * siteurl.h: the URL of a sites line checked by libcurl's parser (its
 * origin, for redirects: url_origin() in sites.h).
 */
#ifndef WEBMON_SITEURL_H
#define WEBMON_SITEURL_H

#include <stddef.h>

/*
 * An absolute http or https URL of len bytes with a host, no space or
 * control character. Returns 0, or -1 with errstr naming it as shown.
 */
int url_check(const char *url, size_t len, const char *shown, char *errstr,
    size_t errsize);

#endif
