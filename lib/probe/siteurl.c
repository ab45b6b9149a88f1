/* siteurl.c: a site's URL checked and its origin, by libcurl's URL parser. */
#include "siteurl.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "sites.h"

int
url_check(const char *url, size_t len, const char *shown, char *errstr,
    size_t errsize)
{
	CURLU *u;
	CURLUcode uc;
	char *host = NULL;
	size_t i;
	int rc = -1;

	if (strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0) {
		snprintf(errstr, errsize, "bad url '%.200s': only http:// and "
		    "https:// are probed", shown);
		return -1;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f) {
			snprintf(errstr, errsize, "bad url: contains a space or "
			    "control character");
			return -1;
		}
	if ((u = curl_url()) == NULL) {
		snprintf(errstr, errsize, "bad url: out of memory");
		return -1;
	}
	uc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (uc == CURLUE_OK)
		uc = curl_url_get(u, CURLUPART_HOST, &host, 0);
	if (uc != CURLUE_OK)
		snprintf(errstr, errsize, "bad url '%.200s': %s", shown,
		    curl_url_strerror(uc));
	else if (host == NULL || *host == '\0')
		snprintf(errstr, errsize, "bad url '%.200s': no host", shown);
	else
		rc = 0;
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

int
url_origin(const char *url, char *out, size_t size)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *port = NULL, *c;
	int n, rc = -1;

	if ((u = curl_url()) == NULL)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
	    CURLUE_OK) {
		n = snprintf(out, size, "%s://%s:%s", scheme, host, port);
		if (n >= 0 && (size_t)n < size) {
			for (c = out; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c - 'A' + 'a');
			rc = 0;
		}
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}
