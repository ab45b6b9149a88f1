/* redirect.c: the rules for followed redirects. */
#include "redirect.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

void
redirect_reset(struct redirect_state *r)
{
	r->hops = 0;
	r->private_origin = 0;
	r->headers_off = 0;
	r->refused[0] = '\0';
}

/*
 * Loopback, private (RFC 1918, RFC 4193), link-local, CGNAT (RFC 6598),
 * "this network" and unspecified addresses, IPv4-mapped ones included.
 */
int
addr_private(const char *ip)
{
	unsigned char a[16];
	const unsigned char *v4 = NULL;
	static const unsigned char mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };
	static const unsigned char zero[16];

	if (ip == NULL || *ip == '\0')
		return 0;
	if (inet_pton(AF_INET, ip, a) == 1)
		v4 = a;
	else if (inet_pton(AF_INET6, ip, a) == 1) {
		if (memcmp(a, mapped, 12) == 0)
			v4 = a + 12;
		else
			return memcmp(a, zero, 15) == 0 ||	/* :: and ::1 */
			    (a[0] & 0xfe) == 0xfc ||		/* fc00::/7 */
			    (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);	/* fe80::/10 */
	} else
		return 0;
	return v4[0] == 0 || v4[0] == 10 || v4[0] == 127 ||
	    (v4[0] == 172 && (v4[1] & 0xf0) == 16) ||
	    (v4[0] == 192 && v4[1] == 168) ||
	    (v4[0] == 169 && v4[1] == 254) ||
	    (v4[0] == 100 && (v4[1] & 0xc0) == 64);
}

/*
 * Before each request, once connected: the first one and every redirect.
 */
int
redirect_check(struct redirect_state *r, CURL *e, const struct site *s,
    const char *ip, int allow_private)
{
	char *url = NULL, *method = NULL, origin[1024];
	int priv = addr_private(ip), cross;

	if (r->hops++ == 0) {
		r->private_origin = priv;
		return CURL_PREREQFUNC_OK;
	}
	curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &url);
	if (priv && !r->private_origin && !allow_private) {
		snprintf(r->refused, sizeof(r->refused), "redirect to a "
		    "private address refused: %.300s (%s); "
		    "--allow-private-redirects permits it", url ? url : "?", ip);
		return CURL_PREREQFUNC_ABORT;
	}
	if (s->redirect_headers || (s->headers == NULL && s->body == NULL))
		return CURL_PREREQFUNC_OK;
	cross = url == NULL || url_origin(url, origin, sizeof(origin)) < 0 ||
	    strcmp(origin, s->origin) != 0;
	curl_easy_getinfo(e, CURLINFO_EFFECTIVE_METHOD, &method);
	if (cross && s->body != NULL && method != NULL &&
	    strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		snprintf(r->refused, sizeof(r->refused), "redirect to another "
		    "origin would resend the request body, not followed: %.300s "
		    "(redirect_headers: true permits it)", url ? url : "?");
		return CURL_PREREQFUNC_ABORT;
	}
	if (s->headers != NULL && cross != r->headers_off) {
		curl_easy_setopt(e, CURLOPT_HTTPHEADER,
		    cross ? NULL : s->headers);
		r->headers_off = cross;
	}
	return CURL_PREREQFUNC_OK;
}

