/*
 * redirect.h: what a followed redirect may carry and where it may lead
 * (webmon(7)): a site's custom headers and body go only to its own origin
 * unless it says "redirect_headers": true, and a site on a public address
 * may not redirect to a loopback, private or link-local one unless the
 * prober allows it.
 */
#ifndef WEBMON_REDIRECT_H
#define WEBMON_REDIRECT_H

#include <curl/curl.h>

#include "sites.h"

struct redirect_state {
	int hops;		/* requests made so far */
	int private_origin;	/* the first request went to a private address */
	int headers_off;	/* custom headers withheld on this hop */
	char refused[512];	/* why a redirect was refused, or "" */
};

/* Start over for a new probe. */
void redirect_reset(struct redirect_state *r);
/*
 * Is ip (text) loopback, private, link-local, CGNAT, unspecified or "this
 * network", IPv4-mapped forms included? 0 for anything else or garbage.
 */
int addr_private(const char *ip);
/*
 * Call from CURLOPT_PREREQFUNCTION of easy handle e, probing site s,
 * connected to ip. Withholds or restores the custom headers for this hop
 * and returns CURL_PREREQFUNC_OK, or CURL_PREREQFUNC_ABORT with the reason
 * in r->refused.
 */
int redirect_check(struct redirect_state *r, CURL *e, const struct site *s,
    const char *ip, int allow_private);

#endif
